#!/usr/bin/env bash
# Runs a command with a real, unlocked Secret Service (gnome-keyring) on the
# current D-Bus session bus. Use inside `dbus-run-session -- bash with-keyring.sh CMD...`.
set -euo pipefail
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
eval "$(printf 'mercator-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
