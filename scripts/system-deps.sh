#!/usr/bin/env bash
# Debian packages that `make demo` and `make test` need, installed only where missing:
# PostgreSQL (the tests start a throwaway cluster of their own), Chromium + ChromeDriver (browser tests),
# HarfBuzz's subsetter (fast font subsetting in WeasyPrint), poppler-utils (pdftoppm for looking at pages).
set -euo pipefail
wanted=(postgresql chromium chromium-driver libharfbuzz-subset0 poppler-utils)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
