#!/usr/bin/env bash
# Makes the capture fixtures in tests/captures/ by running the real peers on loopback (and
# in a network namespace) while tshark captures. The fixtures are committed, so the tests
# that read them (tests/explain.rs) need neither root nor the peers; this script is run by
# hand, as root, after `bash tests/peers/install.sh`:
#
#   bash tests/peers/captures.sh [OUTDIR]        # OUTDIR: tests/captures by default
#
# RADIUS (tshark -i lo -f "udp port PORT"; eapol_test as the NAS and supplicant, FreeRADIUS
# started by tests/peers/freeradius.sh):
#   peap-success             PEAPv0/EAP-MSCHAPv2, alice/password
#   peap-success-any         the same, captured with tshark -i any -y LINUX_SLL2 (Linux
#                            cooked capture v2)
#   peap-wrong-password      the same with a wrong password (stock server: Access-Reject)
#   untrusted-certificate    eapol_test trusts another CA (other-ca.pem): it aborts the
#                            handshake with a TLS alert
#   cipher-mismatch          server CIPHER_LIST=AES128-SHA, client only ECDHE-GCM suites
#   method-nak               the server proposes PEAP, the client (eap=FAST) NAKs with
#                            EAP-FAST, which the server does not have: Access-Reject
#   nak-then-peap            the server proposes MD5 (default_eap_type = md5), the client
#                            NAKs with PEAP and authenticates
#   mschapv2-success         cleartext EAP-MSCHAPv2 (outer default_eap_type = mschapv2)
#   mschapv2-wrong-password  the same, wrong password, SEND_ERROR=yes: Failure E=691 in clear
#   timeout                  a relay forwards the first reply only; the ClientHello is
#                            never answered and eapol_test gives up after 10 s
# EAPOL (tshark -i on the authenticator's veth; hostapd wired with its internal EAP server,
# wpa_supplicant in a network namespace):
#   eapol-success            PEAPv0 with cryptobinding, alice/password
#   eapol-wrong-password     the same, wrong password
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/tests/captures}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/eap-captures.XXXXXX)
pki=$work/pki
bash "$here/pki.sh" "$pki"

pids=()
radius_dirs=()
netns=eapcap-supp
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for d in "${radius_dirs[@]}"; do bash "$here/freeradius.sh" stop "$d" || true; done
    ip netns del "$netns" 2>/dev/null || true
    ip link del veth-eapa 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_tshark NAME IFACE FILTER [TSHARK OPTION...]: capture into $work/NAME.pcapng until
# stop_tshark.
start_tshark() {
    local name=$1 iface=$2 filter=$3
    shift 3
    rm -f "$work/$name.pcapng"
    tshark -i "$iface" "$@" -f "$filter" -w "$work/$name.pcapng" -q 2>"$work/$name.tshark.log" &
    tshark_pid=$!
    pids+=("$tshark_pid")
    for _ in $(seq 100); do
        grep -qs "Capturing on" "$work/$name.tshark.log" && break
        sleep 0.1
    done
    sleep 0.5
}

# stop_tshark NAME: stops the capture and copies it to OUTDIR.
stop_tshark() {
    local name=$1
    sleep 0.5
    kill -INT "$tshark_pid"
    wait "$tshark_pid" || true
    cp "$work/$name.pcapng" "$out/$name.pcapng"
    chmod 644 "$out/$name.pcapng"
    echo "$name: $(tshark -r "$out/$name.pcapng" 2>/dev/null | wc -l) packets"
}

# radius_start NAME [KNOB=VALUE...]: FreeRADIUS via freeradius.sh on a free port; sets
# $fr_dir and $fr_port.
radius_start() {
    local name=$1
    shift
    fr_dir=$work/$name-freeradius
    fr_port=$(free_port)
    radius_dirs+=("$fr_dir")
    env PKI="$pki" "$@" bash "$here/freeradius.sh" start "$fr_dir" "$fr_port"
}

# radius_outer_method DIR METHOD: restarts the server in DIR proposing METHOD first (the
# outer default_eap_type, which freeradius.sh sets to peap).
radius_outer_method() {
    local dir=$1 method=$2
    bash "$here/freeradius.sh" stop "$dir"
    sed -i "0,/default_eap_type = peap/s//default_eap_type = $method/" \
        "$dir/raddb/mods-available/eap"
    freeradius -X -d "$dir/raddb" >"$dir/radiusd.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
        grep -qs "Ready to process requests" "$dir/radiusd.log" && return 0
        sleep 0.1
    done
    echo "freeradius did not restart" >&2
    tail -20 "$dir/radiusd.log" >&2
    return 1
}

# supplicant_conf FILE LINE...: an eapol_test / wpa_supplicant network block.
supplicant_conf() {
    local file=$1
    shift
    {
        [[ ${EAPOL_WIRED:-} == 1 ]] && printf 'ap_scan=0\n'
        printf 'network={\n'
        for line in "$@"; do printf '    %s\n' "$line"; done
        printf '}\n'
    } >"$file"
}

peap_lines() {
    local password=$1 ca=${2:-$pki/ca.pem}
    printf '%s\n' 'eap=PEAP' 'identity="alice"' 'anonymous_identity="anonymous"' \
        "password=\"$password\"" "ca_cert=\"$ca\"" 'domain_match="radius.example.test"' \
        'phase1="peapver=0"' 'phase2="auth=MSCHAPV2"'
}

# eapol_test_run NAME PORT CONF: one authentication; logs to $work/NAME.eapol_test.log.
eapol_test_run() {
    local name=$1 port=$2 conf=$3
    eapol_test -c "$conf" -a 127.0.0.1 -p "$port" -s testing123 -t 10 \
        -M 02:00:00:00:00:01 >"$work/$name.eapol_test.log" 2>&1 || true
    echo "$name: eapol_test says $(tail -1 "$work/$name.eapol_test.log")"
}

# radius_case NAME CONF [KNOB=VALUE...]: a FreeRADIUS case with its own server, captured
# on lo (or on $CAPTURE_IFACE with the tshark options in $CAPTURE_OPTIONS).
radius_case() {
    local name=$1 conf=$2
    shift 2
    radius_start "$name" "$@"
    # shellcheck disable=SC2086
    start_tshark "$name" "${CAPTURE_IFACE:-lo}" "udp port $fr_port" ${CAPTURE_OPTIONS:-}
    eapol_test_run "$name" "$fr_port" "$conf"
    stop_tshark "$name"
    bash "$here/freeradius.sh" stop "$fr_dir"
}

mapfile -t lines < <(peap_lines password)
supplicant_conf "$work/peap-success.conf" key_mgmt=WPA-EAP "${lines[@]}"
radius_case peap-success "$work/peap-success.conf"
CAPTURE_IFACE=any CAPTURE_OPTIONS="-y LINUX_SLL2" \
    radius_case peap-success-any "$work/peap-success.conf"

mapfile -t lines < <(peap_lines wrong-password)
supplicant_conf "$work/peap-wrong-password.conf" key_mgmt=WPA-EAP "${lines[@]}"
radius_case peap-wrong-password "$work/peap-wrong-password.conf"

mapfile -t lines < <(peap_lines password "$pki/other-ca.pem")
supplicant_conf "$work/untrusted-certificate.conf" key_mgmt=WPA-EAP "${lines[@]}"
radius_case untrusted-certificate "$work/untrusted-certificate.conf"

mapfile -t lines < <(peap_lines password)
supplicant_conf "$work/cipher-mismatch.conf" key_mgmt=WPA-EAP "${lines[@]}" \
    'openssl_ciphers="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"'
radius_case cipher-mismatch "$work/cipher-mismatch.conf" CIPHER_LIST=AES128-SHA

supplicant_conf "$work/method-nak.conf" key_mgmt=WPA-EAP eap=FAST 'identity="alice"' \
    'anonymous_identity="anonymous"' 'password="password"' 'phase1="fast_provisioning=1"' \
    'phase2="auth=MSCHAPV2"' 'pac_file="blob://eap-fast-pac"'
radius_case method-nak "$work/method-nak.conf"

# The server proposes MD5 first; the client NAKs with PEAP.
radius_start nak-then-peap
radius_outer_method "$fr_dir" md5
start_tshark nak-then-peap lo "udp port $fr_port"
eapol_test_run nak-then-peap "$fr_port" "$work/peap-success.conf"
stop_tshark nak-then-peap
bash "$here/freeradius.sh" stop "$fr_dir"

# Cleartext EAP-MSCHAPv2 (outer), for the password check.
for case in mschapv2-success:password mschapv2-wrong-password:wrong-password; do
    name=${case%%:*}
    password=${case#*:}
    supplicant_conf "$work/$name.conf" key_mgmt=WPA-EAP eap=MSCHAPV2 'identity="alice"' \
        "password=\"$password\""
    radius_start "$name" SEND_ERROR=yes
    radius_outer_method "$fr_dir" mschapv2
    start_tshark "$name" lo "udp port $fr_port"
    eapol_test_run "$name" "$fr_port" "$work/$name.conf"
    stop_tshark "$name"
    bash "$here/freeradius.sh" stop "$fr_dir"
done

# Timeout: a relay in front of the server forwards requests but only the first reply (the
# PEAP Start), so the ClientHello is never answered.
radius_start timeout
relay_port=$(free_port)
python3 - "$relay_port" "$fr_port" 1 <<'PY' &
import select, socket, sys
listen_port, server_port, replies_left = map(int, sys.argv[1:4])
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", listen_port))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.connect(("127.0.0.1", server_port))
client = None
while True:
    ready, _, _ = select.select([front, back], [], [], 30)
    if not ready:
        break
    for s in ready:
        if s is front:
            data, client = front.recvfrom(4096)
            back.send(data)
        else:
            data = back.recv(4096)
            if replies_left > 0 and client is not None:
                front.sendto(data, client)
                replies_left -= 1
PY
pids+=("$!")
sleep 0.5
start_tshark timeout lo "udp port $relay_port"
eapol_test_run timeout "$relay_port" "$work/peap-success.conf"
stop_tshark timeout
bash "$here/freeradius.sh" stop "$fr_dir"

# EAPOL: hostapd as a wired authenticator with its internal EAP server (PEAPv0 with
# cryptobinding), wpa_supplicant in a namespace on the other end of a veth pair.
ip netns del "$netns" 2>/dev/null || true
ip link del veth-eapa 2>/dev/null || true
ip netns add "$netns"
ip link add veth-eapa address 02:00:00:00:0a:01 type veth peer name veth-eaps \
    address 02:00:00:00:0a:02
ip link set veth-eaps netns "$netns"
ip link set veth-eapa up
ip -n "$netns" link set veth-eaps up
cat >"$work/eap_users" <<'X'
"alice"	MSCHAPV2	"password"	[2]
*	PEAP
X
cat >"$work/hostapd.conf" <<X
interface=veth-eapa
driver=wired
ieee8021x=1
eap_reauth_period=0
use_pae_group_addr=1
eap_server=1
eap_user_file=$work/eap_users
ca_cert=$pki/ca.pem
server_cert=$pki/server.pem
private_key=$pki/server.key
X
hostapd "$work/hostapd.conf" >"$work/hostapd.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do grep -q "veth-eapa: AP-ENABLED\|interface state .*->ENABLED" "$work/hostapd.log" && break; sleep 0.1; done
sleep 0.5
for case in eapol-success:password eapol-wrong-password:wrong-password; do
    name=${case%%:*}
    password=${case#*:}
    mapfile -t lines < <(peap_lines "$password")
    EAPOL_WIRED=1 supplicant_conf "$work/$name.conf" key_mgmt=IEEE8021X eapol_flags=0 \
        "${lines[@]}"
    start_tshark "$name" veth-eapa "ether proto 0x888e"
    ip netns exec "$netns" wpa_supplicant -D wired -i veth-eaps -c "$work/$name.conf" \
        >"$work/$name.wpa_supplicant.log" 2>&1 &
    supp=$!
    pids+=("$supp")
    for _ in $(seq 100); do
        grep -q "CTRL-EVENT-EAP-SUCCESS\|CTRL-EVENT-EAP-FAILURE" "$work/$name.wpa_supplicant.log" && break
        sleep 0.1
    done
    sleep 0.3
    kill "$supp" 2>/dev/null || true
    wait "$supp" 2>/dev/null || true
    echo "$name: wpa_supplicant says $(grep -o 'CTRL-EVENT-EAP-\(SUCCESS\|FAILURE\)' "$work/$name.wpa_supplicant.log" | head -1)"
    stop_tshark "$name"
done
echo "fixtures in $out; logs in $work"
