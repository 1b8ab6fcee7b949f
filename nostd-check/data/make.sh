#!/usr/bin/env bash
# Makes the P-384 chain and the EAP-TLS device certificate that nostd-check adds to the
# main crate's RSA-2048 and P-256 test chains (tests/data): a P-384 CA, a P-384 server
# certificate for radius.example.org, and a P-256 device certificate (clientAuth) signed by
# the same CA. Valid for 100 years; run once, the outputs are committed (the CA key is not).
#   bash nostd-check/data/make.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$work/ca.key" \
    -out p384-ca.pem -days 36500 -sha384 -subj "/O=eap tests/CN=eap test P-384 CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
issue() { # name curve subject extensions
    openssl req -newkey ec -pkeyopt "ec_paramgen_curve:$2" -nodes -keyout "$work/$1.key" \
        -out "$work/$1.csr" -subj "$3" 2>/dev/null
    printf '%b' "$4" > "$work/$1.ext"
    openssl x509 -req -in "$work/$1.csr" -CA p384-ca.pem -CAkey "$work/ca.key" -CAserial "$work/ca.srl" -CAcreateserial \
        -out "$1.pem" -days 36500 -sha384 -extfile "$work/$1.ext" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$work/$1.key" -out "$1.key"
}
issue p384-server P-384 "/O=eap tests/CN=radius.example.org" \
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:radius.example.org\n"
issue device P-256 "/O=eap tests/CN=device-17@example.org" \
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
