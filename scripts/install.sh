#!/usr/bin/env bash
# Installs what webadmin needs on a Debian machine: a virtualenv with the package, and with
# --test the test extras plus Debian's chromium (browser tests) and nginx (proxy tests).
# Safe to run again: every step checks first.
#
#   bash scripts/install.sh           # .venv with the app
#   bash scripts/install.sh --test    # plus test extras, chromium, nginx (uses sudo if needed)
#
# A busy Debian package lock (unattended-upgrades, another apt) is waited for, up to
# APT_LOCK_TIMEOUT seconds (default 600), instead of failing at once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

if [ "$with_test" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)  # the proxy test's TLS certificate
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)  # media tests encode MP3/FLAC/Ogg/M4A
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    lock=(-o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT:-600}")
    # DPkg::Lock::Timeout covers dpkg's lock, not the lists lock `apt-get update` takes:
    # retry that one until the same deadline.
    deadline=$(( $(date +%s) + ${APT_LOCK_TIMEOUT:-600} ))
    until $SUDO apt-get "${lock[@]}" update -qq; do
      [ "$(date +%s)" -lt "$deadline" ] || { echo "apt-get update: lock still busy" >&2; exit 1; }
      echo "==> the package lists are locked by another apt; waiting"
      sleep 5
    done
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${lock[@]}" install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
extras=""; [ "$with_test" = 1 ] && extras="[test]"
echo "==> installing Python packages"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
