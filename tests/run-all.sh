#!/usr/bin/env bash
# The README's test command: installs the real peers if missing, then runs every test
# (unit, property, in-process, fuzz corpus replay, doctests, interop against FreeRADIUS
# and hostapd). Nothing is ignored or skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/peers/install.sh
cargo test --all-features --no-fail-fast
