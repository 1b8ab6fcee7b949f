#!/usr/bin/env bash
# Instructions per PEAPv0 / EAP-MSCHAPv2 authentication, ours (radius_auth) against
# eapol_test, on the same FreeRADIUS 3.2 on loopback, for two server chains:
#   rsa-tls12    RSA-2048 chain (tests/peers/pki.sh), TLS 1.2, ECDHE-RSA-AES256-GCM-SHA384
#   ecdsa-tls13  ECDSA P-256 chain (tests/data/ca.pem, server.pem), TLS 1.3 only
# and, for ours, the share spent inside the cryptographic primitives and the rest (the
# crate's own cost: state machines, framing, copies, allocation, formatting, rustls's and
# webpki's glue).
#
# Method: valgrind --tool=callgrind counts instructions (Ir) of the whole client process;
# each client runs once with 1 authentication and once with N+1 in one process
# (radius_auth --count, eapol_test -r), and the figure per authentication is
# (Ir(N+1) - Ir(1)) / N, so process start-up (loader, argument parsing, reading the CA)
# cancels out. The crypto share is the same difference taken per function from the self
# (exclusive) counts in callgrind's output file, summed over the functions whose symbol is
# a primitive (regular expression CRYPTO below: ring's C and assembly, its local AES-NI
# GCM routines included, its bignum, digest, AEAD and curve code, the RustCrypto hashes
# and DES), plus the libc memory functions
# (memcpy, memset, ...) and allocator calls (malloc, free, Rust's allocation shims:
# HELPER below) that those primitives call: a helper is charged to the function that
# calls it, from callgrind's call edges (the inclusive cost of each call into a helper
# from outside the helpers), so a memcpy inside ring's digest code is crypto and one in
# our framing is ours. Code inlined into our own functions counts as ours. The figure by
# symbol alone (every helper call counted as own, the method before 2026-12-03's second
# round) follows in parentheses, then the top own functions.
#
# Root, Debian, FreeRADIUS 3.2, eapol_test and valgrind installed.
#
#   bash benches/compare.sh [N]      (default 10; N more authentications per client)
set -euo pipefail
n=${1:-10}
# shellcheck source=../tests/peers/clients.sh
source "$(dirname "$0")/../tests/peers/clients.sh" compare

# The two chains: the RSA test PKI, and a copy of it whose CA and server certificate are
# the ECDSA P-256 ones of tests/data (the other files only satisfy pki.sh).
bash "$here/tests/peers/pki.sh" "$work/pki-rsa" >/dev/null
cp -a "$work/pki-rsa" "$work/pki-ecdsa"
cp "$here"/tests/data/{ca.pem,server.pem,server.key} "$work/pki-ecdsa/"

callgrind() { # callgrind OUT CMD...: Ir of CMD into OUT.cg, its stdout into OUT.stdout
    local out=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$@" >"$out.stdout" 2>"$out.stderr"
}

expect() { # expect FILE PATTERN COUNT WHO
    local got
    got=$(grep -c -- "$2" "$1" || true)
    [[ $got == "$3" ]] || { echo "$4: $got successes, not $3 (see $1)" >&2; exit 1; }
}

measure() { # measure NAME PKI TLS NAME_RULE
    local name=$1 pki=$2 tls=$3 server_name=$4 d=$work/$1
    mkdir -p "$d"
    TLS_MIN=$tls TLS_MAX=$tls PKI=$pki \
        bash "$here/tests/peers/freeradius.sh" start "$work/fr" "$port" >/dev/null
    local args=(--server "127.0.0.1:$port" --secret testing123 --identity alice
        --anonymous-identity anonymous@example.test --password password
        --ca-cert "$pki/ca.pem" --server-name "$server_name" --tls-max "$tls")
    callgrind "$d/ours1" "$ours" "${args[@]}" --count 1
    callgrind "$d/ours$((n + 1))" "$ours" "${args[@]}" --count $((n + 1))
    expect "$d/ours1.stdout" '^MSK=' 1 radius_auth
    expect "$d/ours$((n + 1)).stdout" '^MSK=' $((n + 1)) radius_auth
    peap_conf "$d/peap.conf" "$pki/ca.pem" "$server_name" "peapver=0 tls_disable_tlsv1_3=0"
    local eapol=(eapol_test -c "$d/peap.conf" -a 127.0.0.1 -p "$port" -s testing123 -t 60)
    callgrind "$d/theirs1" "${eapol[@]}" -r 0
    callgrind "$d/theirs$((n + 1))" "${eapol[@]}" -r "$n"
    expect "$d/theirs1.stdout" CTRL-EVENT-EAP-SUCCESS 1 eapol_test
    expect "$d/theirs$((n + 1)).stdout" CTRL-EVENT-EAP-SUCCESS $((n + 1)) eapol_test
    bash "$here/tests/peers/freeradius.sh" stop "$work/fr" >/dev/null
    python3 - "$name" "$n" "$d" <<'PY'
import collections, re, sys

CRYPTO = re.compile(
    r"ring_core_|nistz256|^(fe|ge|x25519|fiat|p256|p384)_|table_select|^_aesni_"
    r"|^ring::(digest|rsa|ec|arithmetic|aead|hmac|hkdf|limb|bits)::"
    r"|^<ring::(digest|rsa|ec|arithmetic|aead|hmac|hkdf)::"
    r"|^(sha1|sha2|md5|md4|des|aes|digest|hmac|cipher|block_buffer)::"
    r"|^<(sha1|sha2|md5|md4|des|aes|digest|hmac|cipher|block_buffer)::")
# libc's memory functions and the allocator (the C heap and Rust's shims over it): charged
# to whoever calls them.
HELPER = re.compile(
    r"^(__mem\w*|mem(cpy|move|set|cmp)|malloc|calloc|realloc|free|cfree"
    r"|_int_(malloc|free|realloc)|malloc_consolidate|unlink_chunk[\w.]*|sysmalloc|tcache\w*"
    r"|alloc_perturb|__rustc::__r(ust|dl)_\w+|__rust_\w+)$")


def profile(path):
    """Self Ir per function, and inclusive Ir per call edge (caller, callee), read from
    callgrind's output file (name compression, call lines and cost lines)."""
    names, self_ir, edges = {}, collections.Counter(), collections.Counter()
    fn = cfn = None
    call = False

    def name(spec):
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]

    with open(path) as f:
        for line in f:
            if line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                ir = int(parts[1]) if len(parts) > 1 else 0
                if call:
                    edges[(fn, cfn)] += ir
                    call = False
                else:
                    self_ir[fn] += ir
            elif line.startswith("fn="):
                fn = name(line[3:].rstrip("\n"))
            elif line.startswith("cfn="):
                cfn = name(line[4:].rstrip("\n"))
            elif line.startswith("calls="):
                call = True
    return self_ir, edges


def total(path):
    for line in open(path):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"no total in {path}")


def per_auth(a, b, n):
    return {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}


name, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours = (total(f"{d}/ours{n + 1}.cg") - total(f"{d}/ours1.cg")) / n
theirs = (total(f"{d}/theirs{n + 1}.cg") - total(f"{d}/theirs1.cg")) / n
(s1, e1), (s2, e2) = profile(f"{d}/ours1.cg"), profile(f"{d}/ours{n + 1}.cg")
self_ir, edges = per_auth(s1, s2, n), per_auth(e1, e2, n)
by_symbol = sum(v for f, v in self_ir.items() if CRYPTO.search(f))
# Calls into the helpers from outside them; their inclusive cost is the helpers' whole.
entries = {k: v for k, v in edges.items() if HELPER.search(k[1]) and not HELPER.search(k[0])}
from_crypto = sum(v for (caller, _), v in entries.items() if CRYPTO.search(caller))
crypto = by_symbol + from_crypto
own = ours - crypto
print(f"{name}: instructions per authentication (callgrind Ir, ({n + 1} - 1) / {n})")
print(f"  radius_auth  {ours / 1e6:8.3f} M")
print(f"    crypto     {crypto / 1e6:8.3f} M  {100 * crypto / ours:5.1f} %")
print(f"    own        {own / 1e6:8.3f} M  {100 * own / ours:5.1f} %")
print(f"    (by symbol alone, every libc memory and allocator call counted as own: crypto "
      f"{by_symbol / 1e6:.3f} M, own {(ours - by_symbol) / 1e6:.3f} M, "
      f"{100 * (ours - by_symbol) / ours:.1f} %)")
print(f"  eapol_test   {theirs / 1e6:8.3f} M  (ours / eapol_test = {ours / theirs:.3f})")
print("  top own functions (Ir per authentication; helpers: inclusive, called from own code):")
top = collections.Counter(
    {f: v for f, v in self_ir.items() if not CRYPTO.search(f) and not HELPER.search(f)})
for (caller, helper), v in entries.items():
    if not CRYPTO.search(caller):
        top[f"{helper} (incl.)"] += v
for f, v in top.most_common(12):
    print(f"    {v:9,.0f}  {f[:100]}")
PY
}

echo "N = $n (work files in $work)"
measure rsa-tls12 "$work/pki-rsa" 1.2 radius.example.test
measure ecdsa-tls13 "$work/pki-ecdsa" 1.3 radius.example.org
