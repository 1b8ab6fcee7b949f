#!/usr/bin/env bash
# The C API's tests (run by .ci/run; root, Debian with the peers of tests/peers/install.sh
# and valgrind installed):
#   1. the archives build; eap.h equals cbindgen's output and compiles as C99 and C++11;
#   2. the firmware archive needs nothing from outside but the allowed symbols;
#   3. the C programs build (make -C ffi/examples), the README's loop.c is the file built;
#   4. the bad-input unit test passes on both archives under valgrind, and with
#      -fsanitize=address,undefined;
#   5. wired_supplicant (host archive) and wired_supplicant_nostd (firmware archive)
#      authenticate over a veth pair in a network namespace against hostapd (driver=wired)
#      with its internal EAP server and relaying to FreeRADIUS (MSK == the MS-MPPE keys
#      FreeRADIUS sent), name a wrong password, and refuse an untrusted CA before any inner
#      credential; every run under valgrind (no invalid access, no leak), and the
#      sanitizer build once against each server.
# It starts and stops its own hostapd and FreeRADIUS and removes its namespace.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
work=$(mktemp -d /tmp/eap-ffi-test.XXXXXX)
ns=eapffi-$$
auth_if=fA$$
supp_if=fS$$
fails=0

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; fails=$((fails + 1)); }

cleanup() {
    bash tests/peers/hostapd.sh stop "$work/hostapd" 2>/dev/null || true
    bash tests/peers/freeradius.sh stop "$work/freeradius" 2>/dev/null || true
    ip link del "$auth_if" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

say "archives: host (release) and firmware (ffi/firmware: no_std, opt-level s, LTO)"
cargo build --quiet --release -p eap-ffi
cargo build --quiet --locked --release --manifest-path ffi/firmware/Cargo.toml
host_lib=$target/release/libeap.a
fw_lib=$root/ffi/firmware/target/release/libeap.a
ls -l "$host_lib" "$fw_lib"

say "header: cbindgen's output, C99 and C++11"
command -v cbindgen >/dev/null || cargo install --quiet --locked cbindgen
(cd ffi && cbindgen --quiet --config cbindgen.toml --crate eap-ffi --output "$work/eap.h")
diff -u ffi/include/eap.h "$work/eap.h" || { echo "ffi/include/eap.h is not cbindgen's output: regenerate it (cd ffi && cbindgen --config cbindgen.toml --crate eap-ffi --output include/eap.h)" >&2; exit 1; }
make --no-print-directory -s -C ffi/examples header-check

say "firmware archive: what it needs from outside"
# Allowed, and why (on every target; ring's randomness is the caller's callback there,
# through ffi/entropy, and the archive defines the unwinder entries its precompiled core
# names):
#   the port layer:            eap_port_alloc eap_port_free eap_port_abort
#   C library memory/strings:  memcpy memmove memset memcmp bcmp strlen
allowed="eap_port_alloc eap_port_free eap_port_abort memcpy memmove memset memcmp bcmp strlen"
needed=$(bash ffi/tests/undefined-symbols.sh "$fw_lib")
echo "$needed" | tr '\n' ' '; echo
for s in $needed; do
    if ! grep -qw -- "$s" <<<"$allowed"; then fail "the firmware archive needs $s"; fi
done
for s in eap_port_alloc eap_port_free eap_port_abort; do
    grep -qx -- "$s" <<<"$needed" || fail "the firmware archive does not call the port's $s"
done

say "C programs"
make --no-print-directory -s -C ffi/examples TARGET_DIR="$target" clean
make --no-print-directory -s -C ffi/examples TARGET_DIR="$target" all asan
# The README's "From C" loop is ffi/examples/loop.c, which was just compiled.
python3 - "$root/README.md" "$root/ffi/examples/loop.c" <<'PY'
import sys
readme, loop = open(sys.argv[1]).read(), open(sys.argv[2]).read()
start = readme.find("```c\n#include \"eap.h\"")
if start < 0:
    sys.exit("README.md: no ```c block starting with #include \"eap.h\"")
start += len("```c\n")
block = readme[start:readme.index("```", start)]
if block != loop:
    sys.exit("README.md's loop differs from ffi/examples/loop.c")
PY
ex=ffi/examples
text_size=$(size -A "$ex/wired_supplicant_nostd" | awk '$1 == ".text" {print $2}')
echo "wired_supplicant_nostd: .text $text_size bytes (x86_64, archive opt-level s + LTO, C -Os -flto, --gc-sections)"
size "$ex/wired_supplicant_nostd" "$ex/wired_supplicant"

vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)
# Runs with a TLS handshake: invalid accesses and leaks only. Memcheck's definedness
# tracking does not follow ring's assembly (the first report is a conditional jump in
# ring's AES-GCM tag check on a value "created" in ring::hmac::Context::with_key, and from
# there every key and ciphertext is reported); the sanitizer build covers the C side.
vg_net=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --undef-value-errors=no)

say "unit test: both archives under valgrind, host archive with ASan/UBSan"
ca=tests/data/ca.pem
openssl x509 -in "$ca" -outform der -out "$work/ca.der"
"${vg[@]}" "$ex/unit" "$ca" "$work/ca.der" || fail "unit (host) under valgrind"
"${vg[@]}" "$ex/unit_nostd" "$ca" "$work/ca.der" || fail "unit (firmware) under valgrind"
ASAN_OPTIONS=detect_leaks=1 "$ex/unit_asan" "$ca" "$work/ca.der" || fail "unit with ASan/UBSan"

say "network: namespace $ns, veth $auth_if <-> $supp_if"
ip netns add "$ns"
ip link add "$auth_if" type veth peer name "$supp_if"
ip link set "$supp_if" netns "$ns"
ip link set "$auth_if" up
ip -n "$ns" link set "$supp_if" up
pki=$work/pki
bash tests/peers/pki.sh "$pki"
# One PKI for hostapd, FreeRADIUS and the supplicant.
export PKI=$pki

# Each run gets its own MAC: hostapd ignores a station's EAPOL-Start for a while after
# its EAPOL-Logoff, which every run sends at its end.
mac_n=16
next_mac() {
    mac_n=$((mac_n + 1))
    mac=$(printf '02:00:00:ff:00:%02x' "$mac_n")
    ip -n "$ns" link set "$supp_if" down
    ip -n "$ns" link set "$supp_if" address "$mac"
    ip -n "$ns" link set "$supp_if" up
}

# run NAME PROGRAM [FLAGS...]: one run of a C supplicant in the namespace; stdout in
# $work/NAME.out, stderr in $work/NAME.err, exit code in $rc.
run() {
    local name=$1 prog=$2
    shift 2
    next_mac
    local wrap=("${vg_net[@]}")
    [[ "$prog" == *_asan ]] && wrap=(env ASAN_OPTIONS=detect_leaks=1)
    set +e
    timeout 120 ip netns exec "$ns" "${wrap[@]}" "$root/$ex/$prog" --interface "$supp_if" \
        --identity alice --anonymous-identity anonymous --ca-cert "$pki/ca.pem" \
        --server-name radius.example.test --start-period 2 --max-starts 5 "$@" \
        > "$work/$name.out" 2> "$work/$name.err"
    rc=$?
    set -e
    echo "-- $name ($prog): exit $rc"
    sed 's/^/   out: /' "$work/$name.out"
    sed 's/^/   err: /' "$work/$name.err"
}

# The MSK line of a run, or empty.
msk_of() { sed -n 's/^MSK=\([0-9a-f]\{128\}\)$/\1/p' "$work/$1.out"; }

expect_success() {
    local name=$1
    [[ $rc == 0 ]] || { fail "$name: exit $rc (99: valgrind found errors)"; return; }
    [[ -n "$(msk_of "$name")" ]] || fail "$name: no MSK=<128 hex> line"
    grep -qx "port: authorized" "$work/$name.out" || fail "$name: no 'port: authorized'"
    if [[ $2 == wired_supplicant_nostd ]]; then
        grep -Eq '^peak heap [0-9]+ bytes$' "$work/$name.out" || fail "$name: no peak heap line"
    fi
}

expect_failure() {
    local name=$1 cause=$2
    [[ $rc == 1 ]] || { fail "$name: exit $rc, expected 1 (99: valgrind found errors)"; return; }
    [[ -z "$(msk_of "$name")" ]] || fail "$name: an MSK on failure"
    grep -qx "port: unauthorized" "$work/$name.out" || fail "$name: no 'port: unauthorized'"
    tail -1 "$work/$name.err" | grep -q '^error: ' || fail "$name: last stderr line is not 'error: ...'"
    grep -Eq "^cause: ($cause) " "$work/$name.err" || fail "$name: cause is not $cause"
}

hostapd_log=$work/hostapd/hostapd.log
inner_seen="EAP-MSCHAPV2: "
say "hostapd, internal EAP server"
bash tests/peers/hostapd.sh wired "$work/hostapd" "$auth_if" >/dev/null
for prog in wired_supplicant wired_supplicant_nostd; do
    lines_before=$(wc -l < "$hostapd_log")
    run "$prog-ok" "$prog" --password password
    expect_success "$prog-ok" "$prog"
    grep -q "CTRL-EVENT-EAP-SUCCESS $mac" "$hostapd_log" || fail "$prog-ok: hostapd saw no success for $mac"
    # The inner method ran (its debug lines): the control for the untrusted-CA run.
    tail -n +"$((lines_before + 1))" "$hostapd_log" | grep -q "$inner_seen" ||
        fail "$prog-ok: no '$inner_seen' in hostapd's log"

    run "$prog-wrong" "$prog" --password wrong
    expect_failure "$prog-wrong" "password_rejected|credentials_rejected"
    grep -q "alice" <(tail -1 "$work/$prog-wrong.err") || fail "$prog-wrong: the error does not name alice"

    # A CA that did not sign the server's certificate: refused at server validation, so
    # hostapd never sees the inner (phase 2) MSCHAPv2 response of this run.
    lines_before=$(wc -l < "$hostapd_log")
    run "$prog-untrusted" "$prog" --password password --ca-cert "$pki/other-ca.pem"
    expect_failure "$prog-untrusted" "certificate_untrusted"
    grep -Eq "phase: (tls_handshake|server_validation)" "$work/$prog-untrusted.err" || fail "$prog-untrusted: refused after server validation"
    if tail -n +"$((lines_before + 1))" "$hostapd_log" | grep -q "$inner_seen"; then
        fail "$prog-untrusted: the inner MSCHAPv2 method ran"
    fi

    # The other methods through the C API: EAP-TLS with alice's client certificate (PEM),
    # TTLS with inner PAP.
    run "$prog-tls" "$prog" --method tls --client-cert "$pki/client.pem" --client-key "$pki/client.key"
    expect_success "$prog-tls" "$prog"
    grep -q "CTRL-EVENT-EAP-SUCCESS $mac" "$hostapd_log" || fail "$prog-tls: hostapd saw no success for $mac"
    run "$prog-ttls-pap" "$prog" --method ttls-pap --password password
    expect_success "$prog-ttls-pap" "$prog"
done
run "asan-internal" wired_supplicant_asan --password password
expect_success "asan-internal" wired_supplicant_asan
bash tests/peers/hostapd.sh stop "$work/hostapd"

say "hostapd relaying to FreeRADIUS"
radius_log=$work/freeradius/radiusd.log
bash tests/peers/freeradius.sh start "$work/freeradius" 18139 >/dev/null
bash tests/peers/hostapd.sh wired "$work/hostapd" "$auth_if" 18139 >/dev/null
# The MS-MPPE keys of the last Access-Accept FreeRADIUS sent: Recv then Send (hex).
mppe_keys() {
    local recv send
    recv=$(grep -o 'MS-MPPE-Recv-Key = 0x[0-9a-fA-F]*' "$radius_log" | tail -1 | sed 's/.*0x//')
    send=$(grep -o 'MS-MPPE-Send-Key = 0x[0-9a-fA-F]*' "$radius_log" | tail -1 | sed 's/.*0x//')
    echo "${recv,,}${send,,}"
}
for prog in wired_supplicant wired_supplicant_nostd wired_supplicant_asan; do
    run "$prog-relay" "$prog" --password password
    expect_success "$prog-relay" "$prog"
    msk=$(msk_of "$prog-relay")
    keys=$(mppe_keys)
    if [[ ${#keys} != 128 ]]; then
        fail "$prog-relay: no MS-MPPE keys in FreeRADIUS's log"
    elif [[ "$keys" != "$msk" ]]; then
        fail "$prog-relay: MSK $msk is not MS-MPPE-Recv-Key||MS-MPPE-Send-Key $keys"
    else
        echo "   MSK == MS-MPPE-Recv-Key || MS-MPPE-Send-Key from FreeRADIUS"
    fi
    [[ $prog == wired_supplicant_asan ]] && continue
    run "$prog-relay-wrong" "$prog" --password wrong
    expect_failure "$prog-relay-wrong" "password_rejected|credentials_rejected"
done
grep -h '^peak heap' "$work"/wired_supplicant_nostd-*.out | sed 's/^/   /'

if ((fails)); then
    echo "ffi tests: $fails failure(s)" >&2
    exit 1
fi
echo "ffi tests: all passed"
