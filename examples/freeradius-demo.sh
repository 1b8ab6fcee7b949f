#!/usr/bin/env bash
# The main job, on a fresh machine, in one command (as root):
#   bash examples/freeradius-demo.sh [radius_auth flags...]
# Installs FreeRADIUS 3.2 (Debian package) if missing, starts it on 127.0.0.1:18121 with a
# fresh test PKI (tests/peers/freeradius.sh), runs radius_auth against it (PEAPv0 /
# EAP-MSCHAPv2 as user alice, validating the server as radius.example.test), and stops it.
# Extra flags go to radius_auth, e.g. --count 20, --tls-max 1.3, -v.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/peers/install.sh
dir=$(mktemp -d /tmp/eap-demo.XXXXXX)
trap 'bash tests/peers/freeradius.sh stop "$dir"; rm -rf "$dir"' EXIT
bash tests/peers/freeradius.sh start "$dir" 18121
cargo run -q --example radius_auth -- \
    --server 127.0.0.1:18121 --secret testing123 \
    --identity alice --anonymous-identity anonymous --password password \
    --ca-cert "$dir/pki/ca.pem" --server-name radius.example.test "$@"
