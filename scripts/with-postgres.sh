#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server on loopback, then stops the server.
#   scripts/with-postgres.sh COMMAND [ARGS...]
# The command sees TEST_DATABASE_URL (a superuser URL to the server's `postgres` database).
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL is not installed (scripts/install-system-deps.sh)"; exit 1; }
port=${PGTEST_PORT:-54329}
datadir=$(mktemp -d /tmp/digilit-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the server runs as the package's `postgres` user.
  chown postgres: "$datadir"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT
"${as_owner[@]}" "$bindir/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w start -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $datadir -c fsync=off -c synchronous_commit=off \
   -c full_page_writes=off -c max_connections=200" >/dev/null
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
