#!/usr/bin/env bash
# Sets up a fresh Debian machine for triage: system programs, a virtualenv from pinned
# dependencies, and a first competence model trained on the seed corpus. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=${1:-}
packages=(tesseract-ocr tesseract-ocr-fra poppler-utils)
[ "$want_tests" = "--tests" ] && packages+=(dovecot-imapd chromium openssl nodejs)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# npm comes with nodejs on some machines (NodeSource) and as its own Debian package on others.
[ "$want_tests" = "--tests" ] && ! command -v npm >/dev/null 2>&1 && missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installation des paquets Debian : ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
    cp requirements.lock .venv/.installed-lock
fi
# setuptools is chatty about editable installs: its output is shown only if the install fails.
if ! log=$(.venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1); then
    echo "$log" >&2
    exit 1
fi

# Test-only JavaScript (axe-core for the accessibility checks), exactly as pinned in package-lock.json:
# nothing is downloaded when the tests run.
if [ "$want_tests" = "--tests" ] && ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
    npm ci --no-audit --no-fund --silent
fi

# The drop folders of the default configuration (config/triage.toml), so `triage run` works at once.
mkdir -p var/inbox/scanner var/inbox/eml

if [ ! -f models/active.json ]; then
    .venv/bin/triage train
fi
