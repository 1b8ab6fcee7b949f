#!/usr/bin/env bash
# Builds, once, a Debian 13 (trixie) root with FreeRADIUS 3.2.7 in it, for the second real
# server of the interop tests (tests/peers/freeradius.sh with FR_ROOT=that root). The host's
# packages are not touched: debootstrap makes the root, apt-get inside it installs
# freeradius. Idempotent and safe to run concurrently (a lock beside the root); a finished
# root has DIR/.eap-ready and is never rebuilt.
#
#   bash tests/peers/trixie.sh [DIR]     # default: target/peers/trixie; prints DIR
#
# Environment: MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../target/peers/trixie}
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
if [[ ! -f "$dir/.eap-ready" ]]; then
    exec 9>"$dir.lock"
    flock 9
    if [[ ! -f "$dir/.eap-ready" ]]; then
        command -v debootstrap >/dev/null || {
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
        }
        start=$(date +%s)
        rm -rf "$dir"
        debootstrap --variant=minbase trixie "$dir" "${MIRROR:-http://deb.debian.org/debian}" \
            > "$dir.debootstrap.log" 2>&1 || { tail -20 "$dir.debootstrap.log" >&2; exit 1; }
        cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
        # No services may start inside the root while packages install.
        printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
        chmod +x "$dir/usr/sbin/policy-rc.d"
        chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends freeradius > "$dir.apt.log" 2>&1 \
            || { tail -20 "$dir.apt.log" >&2; exit 1; }
        chroot "$dir" apt-get clean
        # sed reads to the end (head would close the pipe: SIGPIPE under pipefail).
        chroot "$dir" freeradius -v | sed -n 1p > "$dir/.eap-version"
        echo "$(( $(date +%s) - start ))" > "$dir/.eap-build-seconds"
        touch "$dir/.eap-ready"
    fi
fi
echo "$dir"
