#!/usr/bin/env bash
# Make sure a Chromium is installed for the admin's browser tests (tests/admin/test_browser.py)
# and print its path. Playwright launches it by path: its own browser downloads are not used.
#
#   CHROMIUM_PATH set      use that executable (fails when it isn't one)
#   chromium on PATH       use it (Debian's `chromium` package, or `chromium-browser`)
#   otherwise              apt-get install chromium: as root directly, else through `sudo -n`
#                          (never prompts); `apt-get update` first when apt knows no candidate,
#                          and once more if the install fails on stale package lists.
# Fails loudly (exit 1, with what to do) when none of that works.
set -euo pipefail

fail() {
    printf '\033[31mensure-chromium: %s\033[0m\n' "$*" >&2
    exit 1
}

found() {
    if [ -n "${CHROMIUM_PATH:-}" ]; then
        [ -x "$CHROMIUM_PATH" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
        printf '%s\n' "$CHROMIUM_PATH"
        return 0
    fi
    command -v chromium || command -v chromium-browser
}

if found; then
    exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
    fail "no chromium on PATH and no apt-get to install it: install Chromium, then set CHROMIUM_PATH"

if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    fail "chromium is missing and installing it needs root: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH)"
fi

export DEBIAN_FRONTEND=noninteractive
apt_get() { "${SUDO[@]}" apt-get -q -o Dpkg::Use-Pty=0 "$@"; }
# Headless only: the recommended desktop extras (upower, notification daemon, mesa) aren't needed.
install() { apt_get install -y --no-install-recommends chromium; }

echo "--- ensure-chromium: installing Debian's chromium with apt-get" >&2
updated=0
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt_get update >&2 || fail "apt-get update failed"
    updated=1
fi
if ! install >&2; then
    [ "$updated" = 0 ] || fail "apt-get install chromium failed"
    apt_get update >&2 || fail "apt-get update failed"
    install >&2 || fail "apt-get install chromium failed"
fi
found || fail "chromium was installed but is not on PATH"
