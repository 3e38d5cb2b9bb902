#!/usr/bin/env bash
# Installs the system programs the test suite drives for real, from Debian's
# packages, when they are missing: Chromium for the browser tests and
# redis-server for the BullMQ tests. Safe to run again: it installs nothing
# that is already there.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "need ${missing[*]}: run this script as root, or install them with apt-get" >&2
    exit 1
  }
  as_root=(sudo)
fi

echo "installing ${missing[*]} from Debian's packages"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}"
