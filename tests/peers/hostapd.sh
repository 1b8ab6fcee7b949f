#!/usr/bin/env bash
# Runs hostapd 2.10 (Debian package) as the other side of an interop test, from a
# configuration written into DIR. Debug log (-d: the CTRL-EVENT-* lines are in it too) in
# DIR/hostapd.log; pid in DIR/pid. Waits until hostapd says AP-ENABLED (its sockets are
# bound then).
#
#   bash tests/peers/hostapd.sh radius DIR PORT
#       RADIUS server on 127.0.0.1:PORT with the internal EAP server (driver=none).
#   bash tests/peers/hostapd.sh wired DIR IFACE
#       wired 802.1X authenticator on IFACE with the internal EAP server.
#   bash tests/peers/hostapd.sh wired DIR IFACE RADIUS_PORT
#       wired 802.1X authenticator on IFACE relaying to the RADIUS server 127.0.0.1:RADIUS_PORT.
#   bash tests/peers/hostapd.sh stop DIR
#
# Internal EAP server: PEAP outside (hostapd offers PEAP version 1 and accepts 0, with a
# Crypto-Binding TLV), EAP-MSCHAPv2 inside; user alice/password. A peer that Naks PEAP
# gets EAP-TLS (client certificates from ca.pem) or EAP-TTLS (inner PAP, MSCHAPv2 or
# EAP-MSCHAPv2); TLS13=yes (environment) enables TLS 1.3; REAUTH_PERIOD=N (wired)
# re-authenticates every N seconds; TLS_SESSION_LIFETIME=N keeps TLS sessions for
# resumption (internal server). RADIUS clients:
# 127.0.0.1, secret testing123. Certificates from PKI (made by pki.sh; default DIR/pki):
# ca.pem, server.pem (radius.example.test), server.key.
set -euo pipefail
usage="usage: hostapd.sh radius DIR PORT | wired DIR IFACE [RADIUS_PORT] | stop DIR"
mode=${1:?$usage}
dir=${2:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=daemon.sh
source "$here/daemon.sh"

case "$mode" in
stop) stop; exit 0 ;;
radius | wired) ;;
*) echo "$usage" >&2; exit 2 ;;
esac

stop
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pki=${PKI:-$dir/pki}
bash "$here/pki.sh" "$pki"
conf=$dir/hostapd.conf

internal_server() {
    cat > "$dir/eap_users" <<'X'
"alice"  MSCHAPV2,TTLS-PAP,TTLS-MSCHAPV2  "password"  [2]
*        PEAP,TLS,TTLS
X
    cat >> "$conf" <<X
eap_server=1
eap_user_file=$dir/eap_users
ca_cert=$pki/ca.pem
server_cert=$pki/server.pem
private_key=$pki/server.key
X
    if [[ "${TLS13:-no}" == yes ]]; then
        echo 'tls_flags=[ENABLE-TLSv1.3]' >> "$conf"
    fi
    if [[ -n "${TLS_SESSION_LIFETIME:-}" ]]; then
        echo "tls_session_lifetime=$TLS_SESSION_LIFETIME" >> "$conf"
    fi
}

case "$mode" in
radius)
    port=${3:?$usage}
    printf '127.0.0.1 testing123\n' > "$dir/radius_clients"
    cat > "$conf" <<X
driver=none
interface=none
radius_server_clients=$dir/radius_clients
radius_server_auth_port=$port
X
    internal_server
    ;;
wired)
    iface=${3:?$usage}
    mkdir -p "$dir/ctrl"
    cat > "$conf" <<X
interface=$iface
driver=wired
ieee8021x=1
eap_reauth_period=${REAUTH_PERIOD:-0}
use_pae_group_addr=1
ctrl_interface=$dir/ctrl
X
    if [[ -n "${4:-}" ]]; then
        cat >> "$conf" <<X
auth_server_addr=127.0.0.1
auth_server_port=$4
auth_server_shared_secret=testing123
X
    else
        internal_server
    fi
    ;;
esac

start_daemon hostapd "$dir/hostapd.log" "AP-ENABLED" hostapd -d "$conf"
