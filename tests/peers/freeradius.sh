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
# (directory made by pki.sh; default DIR/pki), PASSCHANGE=yes (a user "expiring" /
# "oldpass" whose password has expired, and a password change storing the new one; see
# below and passchange.py).
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

# Chargeable-User-Identity (RFC 4372): alice's comes back in the Access-Accept only when
# the request asked for it (carried a CUI attribute, the NUL value of `radius_auth --cui`).
# The inner tunnel's reply reaches the outer reply through session-state (its post-auth's
# `if (0)` made `if (1)`, as the stock comment says); the default server's post-auth then
# drops the CUI unless asked. Not in the 3.2.7 root (FR_ROOT): that block also strips the
# inner reply's MS-MPPE keys, from which rlm_eap_teap derives each inner method's IMSK, so
# every TEAP Crypto-Binding would fail (the CUI tests run on 3.2.1).
if [[ -z "$root" ]]; then
    sed -i 's|^\tif (0) {$|\tif (1) {|' "$r/sites-available/inner-tunnel"
fi
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
if [[ "${PASSCHANGE:-no}" == yes ]]; then
    # An expiring user and a working MSCHAPv2 password change (RFC 2759 §7): "expiring" /
    # "oldpass" with SMB account flags "[Ue]" (U: a normal account, e: its password
    # expired), so rlm_mschap answers a correct NT-Response with E=648 (the client sees
    # it with SEND_ERROR=yes). The user lives in DIR/passchange.users, which the inner
    # tunnel reads on every request and passchange.py changes (see there why not
    # rlm_mschap's local_cpw and the users file); rlm_mschap then checks the NT-Response
    # of the Change-Password against the new hash.
    cp "$here/passchange.py" "$dir/passchange.py"
    rm -f "$dir/passchange.users"
    python3 "$dir/passchange.py" add "$dir/passchange.users" expiring oldpass "[Ue]"
    cat > "$r/mods-enabled/passchange" <<'X'
exec passchange {
	wait = yes
	input_pairs = request
	shell_escape = yes
	timeout = 10
}
X
    python3 - "$r/sites-available/inner-tunnel" "$dir/passchange.py" "$dir/passchange.users" <<'PY2'
import sys
p, script, users = sys.argv[1:4]
s = open(p).read()
run = "%%{passchange:/usr/bin/python3 %s" % script
lookup = """\tif ("%(run)s lookup %(users)s %%{User-Name}}" =~ /^(0x[0-9a-f]{32}) (\\[[A-Za-z]*\\])$/) {
\t\tupdate control {
\t\t\t&NT-Password := "%%{1}"
\t\t\t&SMB-Account-CTRL-TEXT := "%%{2}"
\t\t}
\t}
""" % {"run": run, "users": users}
change = """\t\tif (&MS-CHAP2-CPW) {
\t\t\tupdate control {
\t\t\t\t&NT-Password := "%(run)s change %(users)s %%{User-Name} %%{MS-CHAP2-CPW} %%{MS-CHAP-NT-Enc-PW[0]} %%{MS-CHAP-NT-Enc-PW[1]} %%{MS-CHAP-NT-Enc-PW[2]}}"
\t\t\t\t&SMB-Account-CTRL-TEXT !* ANY
\t\t\t}
\t\t\tupdate request {
\t\t\t\t&MS-CHAP2-Response := "%(run)s response %%{MS-CHAP2-CPW}}"
\t\t\t\t&MS-CHAP2-CPW !* ANY
\t\t\t\t&MS-CHAP-NT-Enc-PW !* ANY
\t\t\t}
\t\t}
\t\tmschap
\t}""" % {"run": run, "users": users}
# The lookup goes before the authorize section's `files`.
i = s.index("\nauthorize {")
j = s.index("\n\tfiles\n", i)
s = s[:j + 1] + lookup + s[j + 1:]
# rlm_eap_mschapv2 runs Auth-Type "MSCHAP" if the dictionary has it, which the bare
# `mschap` of the authenticate section defines (names are compared without case), else
# "MS-CHAP": both get the change first.
i = s.index("\nauthenticate {")
head, auth = s[:i], s[i:]
for old, name in (("\tAuth-Type MS-CHAP {\n\t\tmschap\n\t}\n", "MS-CHAP"), ("\n\tmschap\n", "mschap")):
    assert old in auth, "the stock authenticate section has changed"
    auth = auth.replace(old, "\n\tAuth-Type %s {\n%s\n" % (name, change), 1)
open(p, "w").write(head + auth)
PY2
fi

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
