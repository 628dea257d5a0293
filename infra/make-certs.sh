#!/usr/bin/env bash
# Makes a private CA and certificates for a local Hub cluster's TLS listeners (README: "A secure cluster").
#   infra/make-certs.sh DIR [HOST ...]
# DIR gets ca.pem (what clients trust), server.pem + server-key.pem (every silo's certificate, valid for localhost,
# 127.0.0.1 and each HOST) and client.pem + client-key.pem (a client certificate, subject CN=hub-client, for mTLS).
# Existing files are kept: delete DIR to start over. Needs openssl.
set -euo pipefail
dir="${1:?usage: infra/make-certs.sh DIR [HOST ...]}"
shift
days="${HUB_CERT_DAYS:-825}"
mkdir -p "$dir"
cd "$dir"
if [ -f ca.pem ]; then echo "$dir already has ca.pem: keeping its certificates"; exit 0; fi

san="DNS:localhost,IP:127.0.0.1"
for host in "$@"; do
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then san="$san,IP:$host"; else san="$san,DNS:$host"; fi
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem -days "$days" \
  -subj "/CN=Hub local CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() { # name subject extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-key.pem" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "$1.pem" -days "$days" -extfile <(printf '%s\n' "$3") 2>/dev/null
  rm -f "$1.csr"
}
issue server "/CN=hub-broker" "subjectAltName=$san
extendedKeyUsage=serverAuth,clientAuth"
issue client "/CN=hub-client" "extendedKeyUsage=clientAuth"
rm -f ca.srl
chmod 600 ./*-key.pem
echo "made $dir/ca.pem, server.pem, server-key.pem, client.pem, client-key.pem (server valid for $san)"
