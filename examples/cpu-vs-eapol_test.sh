#!/usr/bin/env bash
# Client CPU time per authentication against the same FreeRADIUS on loopback: radius_auth
# (sequential, and load mode) versus eapol_test, N authentications each, in one process
# each (eapol_test -r N-1 re-authenticates N-1 times after the first). Prints the CPU
# seconds (user + system) of each client and the ratio. Root, Debian, FreeRADIUS 3.2 and
# eapol_test installed.
#
#   bash examples/cpu-vs-eapol_test.sh [N]        (default 200)
set -euo pipefail
n=${1:-200}
# shellcheck source=../tests/peers/clients.sh
source "$(dirname "$0")/../tests/peers/clients.sh" cpu
bash "$here/tests/peers/freeradius.sh" start "$work/fr" "$port" >/dev/null
pki=$work/fr/pki
args=(--server "127.0.0.1:$port" --secret testing123 --identity alice
    --anonymous-identity anonymous@example.test --password password
    --ca-cert "$pki/ca.pem" --server-name radius.example.test)
peap_conf "$work/peap.conf" "$pki/ca.pem" radius.example.test
cpu() { # cpu OUT CMD...: runs CMD, writes user+sys CPU seconds to OUT
    local out=$1
    shift
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr"
    awk '{ printf "%.3f\n", $1 + $2 }' "$work/time" >"$out"
}
cpu "$work/ours" "$ours" "${args[@]}" --count "$n"
[[ $(grep -c '^MSK=' "$work/stdout") == "$n" ]] || { echo "radius_auth: not $n successes" >&2; exit 1; }
cpu "$work/load" "$ours" "${args[@]}" --count "$n" --concurrency 50
[[ $(grep -c '^MSK=' "$work/stdout") == "$n" ]] || { echo "load mode: not $n successes" >&2; exit 1; }
cpu "$work/theirs" eapol_test -c "$work/peap.conf" -a 127.0.0.1 -p "$port" -s testing123 \
    -r $((n - 1)) -t 30
[[ $(grep -c 'CTRL-EVENT-EAP-SUCCESS' "$work/stdout") == "$n" ]] ||
    { echo "eapol_test: not $n successes ($(grep -c 'CTRL-EVENT-EAP-SUCCESS' "$work/stdout"))" >&2; exit 1; }
ours_s=$(cat "$work/ours") load_s=$(cat "$work/load") theirs_s=$(cat "$work/theirs")
awk -v n="$n" -v o="$ours_s" -v l="$load_s" -v t="$theirs_s" 'BEGIN {
    printf "radius_auth --count %d:                 %.3f s CPU, %.2f ms per authentication\n", n, o, 1000 * o / n
    printf "radius_auth --count %d --concurrency 50: %.3f s CPU, %.2f ms per authentication\n", n, l, 1000 * l / n
    printf "eapol_test -r %d:                        %.3f s CPU, %.2f ms per authentication\n", n - 1, t, 1000 * t / n
    printf "ratio ours/eapol_test: %.2f (sequential), %.2f (load mode)\n", o / t, l / t
}'
