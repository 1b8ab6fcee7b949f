#!/usr/bin/env bash
# Runs FreeRADIUS 3.2 on loopback with PEAPv0 / EAP-MSCHAPv2, from a copy of the Debian
# configuration in DIR. Foreground debug log in DIR/radiusd.log; pid in DIR/pid.
#
#   bash tests/peers/freeradius.sh start DIR PORT
#   bash tests/peers/freeradius.sh stop DIR
#
# Users (mods-config/files/authorize): alice/password (Chargeable-User-Identity
# "cui-alice", returned when asked for), "josé"/"pässwörd€", bob@example.test/hunter2.
# Client: 127.0.0.1, secret testing123.
# Knobs (environment, at start): TLS_MIN, TLS_MAX ("1.2" default), CIPHER_LIST (OpenSSL
# syntax), SEND_ERROR=yes (MSCHAPv2 Failure E=691 sent to the client), ALLOW_RETRY=no,
# CLEANUP_DELAY (seconds a reply stays cached for duplicates; 5 default), REJECT_DELAY
# (seconds an Access-Reject is held back; 1 default), TLS_CACHE=yes (the TLS session
# cache, so clients may resume: enable, name and persist_dir are all needed), PKI
# (directory made by pki.sh; default DIR/pki).
set -euo pipefail
cmd=${1:?usage: freeradius.sh start|stop DIR [PORT]}
dir=${2:?usage: freeradius.sh start|stop DIR [PORT]}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=daemon.sh
source "$here/daemon.sh"

case "$cmd" in
stop) stop; exit 0 ;;
start) ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac

port=${3:?usage: freeradius.sh start DIR PORT}
stop
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pki=${PKI:-$dir/pki}
bash "$here/pki.sh" "$pki"
rm -rf "$dir/raddb"
cp -a /etc/freeradius/3.0 "$dir/raddb"
r=$dir/raddb
mkdir -p "$dir/log" "$dir/run"

sed -i -e "s|^cleanup_delay = .*|cleanup_delay = ${CLEANUP_DELAY:-5}|" \
    -e "s|^\(\s*\)reject_delay = .*|\1reject_delay = ${REJECT_DELAY:-1}|" "$r/radiusd.conf"
sed -i -e '/^\s*user = /d' -e '/^\s*group = /d' \
    -e "s|^logdir = .*|logdir = $dir/log|" -e "s|^run_dir = .*|run_dir = $dir/run|" \
    "$r/radiusd.conf"
# One auth listener on loopback in the default server; the inner tunnel's own listener
# (127.0.0.1:18120) would clash between instances, so it goes.
python3 - "$r/sites-available/default" "$r/sites-available/inner-tunnel" "$port" <<'PY'
import sys

def drop_listen(s):
    out, i = [], 0
    while True:
        j = s.find("\nlisten {", i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j + 1])
        depth, k = 0, j + 1
        while True:
            c = s[k]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        i = k + 1

default, inner, port = sys.argv[1], sys.argv[2], sys.argv[3]
s = drop_listen(open(default).read())
s = s.replace("server default {", "server default {\nlisten {\n\ttype = auth\n\tipaddr = 127.0.0.1\n\tport = %s\n}\n" % port, 1)
open(default, "w").write(s)
t = drop_listen(open(inner).read())
open(inner, "w").write(t)
PY

eap=$r/mods-available/eap
sed -i -e '0,/default_eap_type = md5/s//default_eap_type = peap/' \
    -e "s|^\(\s*\)private_key_password = .*|\1#private_key_password|" \
    -e "s|^\(\s*\)private_key_file = .*|\1private_key_file = $pki/server.key|" \
    -e "s|^\(\s*\)certificate_file = .*|\1certificate_file = $pki/server.pem|" \
    -e "s|^\(\s*\)ca_file = .*|\1ca_file = $pki/ca.pem|" \
    -e "s|^\(\s*\)tls_min_version = .*|\1tls_min_version = \"${TLS_MIN:-1.2}\"|" \
    -e "s|^\(\s*\)tls_max_version = .*|\1tls_max_version = \"${TLS_MAX:-1.2}\"|" \
    "$eap"
# PEAP's inner default: EAP-MSCHAPv2.
python3 - "$eap" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
i = s.index("\tpeap {")
j = s.index("default_eap_type", i)
k = s.index("\n", j)
s = s[:j] + "default_eap_type = mschapv2" + s[k:]
# TTLS's inner EAP default: EAP-MSCHAPv2 too (stock: md5).
i = s.index("\tttls {")
j = s.index("default_eap_type", i)
k = s.index("\n", j)
s = s[:j] + "default_eap_type = mschapv2" + s[k:]
open(p, "w").write(s)
PY
if [[ -n "${CIPHER_LIST:-}" ]]; then
    sed -i "s|^\(\s*\)cipher_list = \"DEFAULT\"|\1cipher_list = \"$CIPHER_LIST\"|" "$eap"
fi
if [[ "${TLS_CACHE:-no}" == yes ]]; then
    mkdir -p "$dir/log/tlscache"
    python3 - "$eap" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.index("\t\tcache {")
j = s.index("\n\t\t\tenable = no", i)
s = s[:j] + "\n\t\t\tenable = yes" + s[j + len("\n\t\t\tenable = no"):]
for old, new in (('#\tname = "EAP module"', 'name = "EAP module"'),
                 ('#\tpersist_dir = "${logdir}/tlscache"', 'persist_dir = "${logdir}/tlscache"')):
    k = s.index(old, i)
    s = s[:k] + new + s[k + len(old):]
open(p, "w").write(s)
PY
fi
if [[ "${SEND_ERROR:-no}" == yes ]]; then
    sed -i 's|^\s*#\s*send_error = no|\t\tsend_error = yes|' "$eap"
fi
if [[ -n "${ALLOW_RETRY:-}" ]]; then
    sed -i "s|^#\s*allow_retry = yes|\tallow_retry = $ALLOW_RETRY|" "$r/mods-available/mschap"
fi

# Chargeable-User-Identity (RFC 4372): alice's comes back in the Access-Accept only when
# the request asked for it (carried a CUI attribute, the NUL value of `radius_auth --cui`).
# The inner tunnel's reply reaches the outer reply through session-state (its post-auth's
# `if (0)` made `if (1)`, as the stock comment says); the default server's post-auth then
# drops the CUI unless asked.
sed -i 's|^\tif (0) {$|\tif (1) {|' "$r/sites-available/inner-tunnel"
python3 - "$r/sites-available/default" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
anchor = "\t\t&reply: += &session-state:\n\t}\n"
i = s.index(anchor) + len(anchor)
s = s[:i] + """\tif (!&request:Chargeable-User-Identity) {
\t\tupdate reply {
\t\t\t&Chargeable-User-Identity !* ANY
\t\t}
\t}
""" + s[i:]
open(p, "w").write(s)
PY

cat > "$r/mods-config/files/authorize" <<'X'
alice	Cleartext-Password := "password"
	Chargeable-User-Identity := "cui-alice"
josé	Cleartext-Password := "pässwörd€"
bob@example.test	Cleartext-Password := "hunter2"
X

start_daemon freeradius "$dir/radiusd.log" "Ready to process requests" freeradius -X -d "$r"
