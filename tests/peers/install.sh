#!/usr/bin/env bash
# Installs the real peers the interop tests run against (Debian packages), if missing.
set -euo pipefail
need=()
command -v freeradius >/dev/null || need+=(freeradius)
command -v hostapd >/dev/null || need+=(hostapd)
command -v eapol_test >/dev/null || need+=(eapoltest)
command -v wpa_supplicant >/dev/null || need+=(wpasupplicant)
command -v tshark >/dev/null || need+=(tshark)
command -v openssl >/dev/null || need+=(openssl)
command -v ip >/dev/null || need+=(iproute2)
# The public CA bundle the certificate reader is compared over (tests/cert_reader.rs).
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || need+=(ca-certificates)
if ((${#need[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The second FreeRADIUS (3.2.7, with TEAP) in a Debian 13 root, built once under target/
# (about a minute; tests/peers/trixie.sh).
bash "$(dirname "$0")/trixie.sh" >/dev/null
