#!/bin/sh
# Makes a throw-away test PKI with openssl into DIR (created; left alone if it exists):
#   ca.pem/ca.key            test root CA
#   other-ca.pem             an unrelated CA (unknown to clients)
#   server.pem/.key          leaf for localhost + 127.0.0.1 + ::1 (chain: server-chain.pem)
#   expired.pem/.key         validity in the past
#   notyet.pem/.key          validity in the future
#   wronghost.pem/.key       SAN DNS:wrong.example only
#   noip.pem/.key            SAN DNS:localhost only (no IP SAN)
#   selfsigned.pem/.key      self-signed localhost
#   unknownca.pem/.key       localhost leaf signed by other-ca
#   client.pem/client.key    RSA-2048 JWT signing key (PKCS#1 PEM) and its certificate
#   client-pkcs8.pem/.der    the same key as PKCS#8 PEM and DER; client-pkcs1.der
#   rsa4096.key rsa1024.key ec.key   extra keys (4096 ok, 1024 and EC refused)
set -eu
DIR=$1
[ -f "$DIR/done" ] && exit 0
TMP="$DIR.tmp.$$"
rm -rf "$TMP"; mkdir -p "$TMP"; cd "$TMP"
O=openssl
q() { "$@" >/dev/null 2>&1; }

q $O req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/CN=sfoauth test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
q $O req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 3650 \
    -subj "/CN=sfoauth other CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign

# minimal CA database so that start and end dates can be set freely
mkdir -p db; : > db/index; echo 1000 > db/serial
cat > ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
dir = .
database = db/index
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
CNF

leaf() { # name cn san cacert cakey start end
    name=$1 cn=$2 san=$3 cacert=$4 cakey=$5 start=$6 end=$7
    q $O req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
    cat > "$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san
EXT
    q $O ca -batch -config ca.cnf -cert "$cacert" -keyfile "$cakey" -in "$name.csr" \
        -out "$name.pem" -startdate "$start" -enddate "$end" -extfile "$name.ext" -notext
    rm -f "$name.csr" "$name.ext"
}
NOW_M1=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
IN_5Y=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)
leaf server localhost "DNS:localhost,IP:127.0.0.1,IP:::1" ca.pem ca.key "$NOW_M1" "$IN_5Y"
leaf expired localhost "DNS:localhost,IP:127.0.0.1" ca.pem ca.key 20200101000000Z 20210101000000Z
leaf notyet localhost "DNS:localhost,IP:127.0.0.1" ca.pem ca.key 20400101000000Z 20410101000000Z
leaf wronghost wrong.example "DNS:wrong.example" ca.pem ca.key "$NOW_M1" "$IN_5Y"
leaf noip localhost "DNS:localhost" ca.pem ca.key "$NOW_M1" "$IN_5Y"
leaf unknownca localhost "DNS:localhost,IP:127.0.0.1" other-ca.pem other-ca.key "$NOW_M1" "$IN_5Y"
q $O req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key -out selfsigned.pem -days 365 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
cat server.pem ca.pem > server-chain.pem

# JWT signing keys
q $O genrsa -traditional -out client.key 2048 2>/dev/null || q $O genrsa -out client.key 2048
grep -q "BEGIN RSA PRIVATE KEY" client.key || q $O rsa -in client.key -traditional -out client.key
q $O req -x509 -key client.key -out client.pem -days 365 -subj "/CN=sfoauth test client"
q $O pkcs8 -topk8 -nocrypt -in client.key -out client-pkcs8.pem
q $O pkcs8 -topk8 -nocrypt -in client.key -outform DER -out client-pkcs8.der
q $O rsa -in client.key -traditional -outform DER -out client-pkcs1.der
q $O genrsa -traditional -out rsa4096.key 4096
q $O genrsa -traditional -out rsa1024.key 1024
q $O ecparam -name prime256v1 -genkey -noout -out ec.key
q $O pkcs8 -topk8 -in client.key -out client-enc.pem -v2 aes-256-cbc -passout pass:secret
chmod 600 *.key
touch done
cd - >/dev/null
rm -rf "$DIR" 2>/dev/null || true
mv "$TMP" "$DIR"
