#!/usr/bin/env bash
# Installs the system packages the test suite needs, only where they are missing:
# Debian's Chromium (driven by Playwright), PostgreSQL (the second database of the suite) and
# npm (installs axe-core and oidc-provider, pinned in package-lock.json, for the
# accessibility tests and the sign-in tests), Node (runs the test OpenID provider) and
# faketime (the suite run again with the clock a year ahead).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# Vietnamese glyphs for the PDFs Chromium prints in the tests (certificates, login cards).
dpkg-query -W -f='${Status}' fonts-noto-core 2>/dev/null | grep -q "ok installed" || missing+=(fonts-noto-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The test OpenID provider (tests/oidc/provider.mjs): oidc-provider 8 runs on Node 18 or later.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)  # make test-future: the clock moved  # npm ci: axe-core for the a11y tests
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a cluster of its own; the tests start their own on loopback.
$SUDO service postgresql stop >/dev/null 2>&1 || true
