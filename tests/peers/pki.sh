#!/usr/bin/env bash
# Makes a test PKI in DIR (idempotent): a CA, a RADIUS server certificate for
# radius.example.test signed by it (RSA 2048, so RSA key exchange suites can be tested),
# and a second CA that signed nothing we use ("untrusted").
#   bash tests/peers/pki.sh DIR
set -euo pipefail
dir=${1:?usage: pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
[[ -s server.pem && -s ca.pem && -s other-ca.pem && -s client.pem && -s other-client.pem ]] && exit 0
cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > server.ext <<'X'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:radius.example.test
authorityKeyIdentifier=keyid
X
for ca in ca other-ca; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca.key" -out "$ca.pem" -days 3650 \
        -subj "/O=eap tests/CN=$ca" -sha256 -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
done
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/O=eap tests/CN=radius.example.test" 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days 3650 -sha256 -extfile server.ext 2>/dev/null
rm -f server.csr
# EAP-TLS client certificates: alice's from the CA the servers trust, mallory's from the
# other CA (a server must refuse it).
cat > client.ext <<'X'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
X
for c in client:ca:alice other-client:other-ca:mallory; do
    IFS=: read -r name ca cn <<<"$c"
    openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/O=eap tests/CN=$cn" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
        -out "$name.pem" -days 3650 -sha256 -extfile client.ext 2>/dev/null
    rm -f "$name.csr"
done
