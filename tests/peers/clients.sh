# Sourced by the scripts that run radius_auth and eapol_test against one FreeRADIUS on
# loopback (benches/compare.sh, examples/cpu-vs-eapol_test.sh): sets `here` (the crate),
# `work` (a new temporary directory), `port`, `ours` (radius_auth, built in release), stops
# the FreeRADIUS of "$work/fr" on exit, and defines peap_conf.
#
#   source tests/peers/clients.sh NAME     (NAME: the temporary directory's prefix)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "/tmp/eap-$1.XXXXXX")
port=$((20000 + RANDOM % 20000))
trap 'bash "$here/tests/peers/freeradius.sh" stop "$work/fr" >/dev/null 2>&1 || true' EXIT
cargo build --quiet --release --example radius_auth --manifest-path "$here/Cargo.toml"
ours=$here/target/release/examples/radius_auth

# peap_conf FILE CA SERVER_NAME [PHASE1]: eapol_test's network block for alice, PEAPv0 /
# EAP-MSCHAPv2, the same identities and checks as radius_auth's.
peap_conf() {
    cat >"$1" <<X
network={
    key_mgmt=WPA-EAP
    eap=PEAP
    identity="alice"
    anonymous_identity="anonymous@example.test"
    password="password"
    ca_cert="$2"
    domain_match="$3"
    phase1="${4:-peapver=0}"
    phase2="auth=MSCHAPV2"
}
X
}
