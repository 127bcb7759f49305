#!/usr/bin/env bash
# Installs what the benchmarks need beyond the test suite's system packages, only where it is
# missing: Debian's nginx, the load balancer of bench/kickoff.py's two-node run (it starts its
# own nginx on loopback with a copy of deploy/nginx.conf), and wrk, the load generator of
# bench/pages.py. `make bench` calls this; `make test` does not need it.
set -euo pipefail
bash "$(dirname "$0")/install-system-deps.sh"  # PostgreSQL for the second database
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package may start a server of its own on port 80; the benchmark needs none.
$SUDO service nginx stop >/dev/null 2>&1 || true
