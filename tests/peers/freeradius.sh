#!/usr/bin/env bash
# Runs FreeRADIUS 3.2 on loopback with PEAPv0 / EAP-MSCHAPv2, from a copy of the Debian
# configuration in DIR. Foreground debug log in DIR/radiusd.log; pid in DIR/pid.
#
#   bash tests/peers/freeradius.sh start DIR PORT
#   bash tests/peers/freeradius.sh stop DIR
#
# Users (mods-config/files/authorize): alice/password, "josé"/"pässwörd€",
# bob@example.test/hunter2. Client: 127.0.0.1, secret testing123.
# Knobs (environment, at start): TLS_MIN, TLS_MAX ("1.2" default), CIPHER_LIST (OpenSSL
# syntax), SEND_ERROR=yes (MSCHAPv2 Failure E=691 sent to the client), ALLOW_RETRY=no,
# CLEANUP_DELAY (seconds a reply stays cached for duplicates; 5 default), REJECT_DELAY
# (seconds an Access-Reject is held back; 1 default), TLS_CACHE=yes (the TLS session
# cache, so clients may resume: enable, name and persist_dir are all needed), PKI
# (directory made by pki.sh; default DIR/pki).
# FR_ROOT: run the FreeRADIUS of that root instead (the Debian 13 root of trixie.sh, 3.2.7),
# chrooted; DIR must then lie inside FR_ROOT (the PKI is copied in). TEAP (3.2.7 only):
# TEAP_IDENTITY_TYPES ("user" default; "machine,user" chains), TEAP_USER and TEAP_MACHINE
# (the inner method per identity: password (Basic-Password-Auth), mschapv2 or tls).
# Machine account: host/pc1.example.test / machinepw.
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
root=${FR_ROOT:-}
# $in: DIR as the server sees it (inside the chroot).
if [[ -n "$root" ]]; then
    root=$(cd "$root" && pwd)
    [[ "$dir" == "$root"/* ]] || { echo "DIR must lie inside FR_ROOT" >&2; exit 2; }
    in=${dir#"$root"}
    if [[ "$pki" != "$dir/pki" ]]; then rm -rf "$dir/pki"; cp -a "$pki" "$dir/pki"; fi
    pki_in=$in/pki
else
    in=$dir
    pki_in=$pki
fi
cp -a "$root/etc/freeradius/3.0" "$dir/raddb"
r=$dir/raddb
mkdir -p "$dir/log" "$dir/run"

sed -i -e "s|^cleanup_delay = .*|cleanup_delay = ${CLEANUP_DELAY:-5}|" \
    -e "s|^\(\s*\)reject_delay = .*|\1reject_delay = ${REJECT_DELAY:-1}|" "$r/radiusd.conf"
sed -i -e '/^\s*user = /d' -e '/^\s*group = /d' \
    -e "s|^logdir = .*|logdir = $in/log|" -e "s|^run_dir = .*|run_dir = $in/run|" \
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
    -e "s|^\(\s*\)private_key_file = .*|\1private_key_file = $pki_in/server.key|" \
    -e "s|^\(\s*\)certificate_file = .*|\1certificate_file = $pki_in/server.pem|" \
    -e "s|^\(\s*\)ca_file = .*|\1ca_file = $pki_in/ca.pem|" \
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

cat > "$r/mods-config/files/authorize" <<'X'
alice	Cleartext-Password := "password"
josé	Cleartext-Password := "pässwörd€"
bob@example.test	Cleartext-Password := "hunter2"
X

if [[ -n "$root" ]]; then
    python3 - "$eap" "${TEAP_IDENTITY_TYPES:-user}" "${TEAP_USER:-mschapv2}" "${TEAP_MACHINE:-tls}" <<'PY'
import sys
p, types, user, machine = sys.argv[1:]
s = open(p).read()
lines = ["\tteap {", "\t\ttls = tls-common", '\t\tauthority_identity = "eap-tests"',
         "\t\tvirtual_server = inner-tunnel", '\t\tidentity_types = "%s"' % types]
# No EAP type for an identity: the module asks for Basic-Password-Auth.
for name, m in (("user", user), ("machine", machine)):
    if m != "password":
        lines.append("\t\t%s_eap_type = %s" % (name, m))
lines.append("\t}")
k = s.rindex("}")
s = s[:k] + "\n".join(lines) + "\n" + s[k:]
open(p, "w").write(s)
PY
    echo 'host/pc1.example.test	Cleartext-Password := "machinepw"' >> "$r/mods-config/files/authorize"
    start_daemon freeradius "$dir/radiusd.log" "Ready to process requests" \
        chroot "$root" freeradius -X -d "$in/raddb"
else
    start_daemon freeradius "$dir/radiusd.log" "Ready to process requests" freeradius -X -d "$r"
fi
