#!/bin/sh
# Makes the certificate matrix of tests/test_cert_matrix.c with openssl into DIR
# (created; left alone if it exists). Every server certificate <case>.pem is the
# chain the server sends (leaf first, then intermediates), <case>.key its key.
#   ca.pem                 the matrix root (RSA-2048, SHA-256) the client trusts
#   weakroot.pem           an RSA-1024 root (refused as trust anchor by policy)
#   other-ca.pem           a root the client does not trust
# Each case differs from ok_rsa2048 (leaf: RSA-2048, SHA-256, SAN DNS:localhost,
# IP:127.0.0.1, IP:::1, KU digitalSignature+keyEncipherment, EKU serverAuth) in
# one property, named by the case.
set -eu
DIR=$1
[ -f "$DIR/done" ] && exit 0
TMP="$DIR.tmp.$$"
rm -rf "$TMP"; mkdir -p "$TMP"; cd "$TMP"
O=openssl
q() { "$@" >/dev/null 2>&1; }

NOW_M1=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
IN_5Y=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)
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

# key NAME SPEC: rsa:BITS or ec:CURVE
key() {
    case $2 in
    rsa:*) q $O genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${2#rsa:} -out "$1.key" ;;
    ec:*) q $O genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${2#ec:} -out "$1.key" ;;
    esac
}

# root NAME KEYSPEC CN
root() {
    key "$1" "$2"
    q $O req -x509 -key "$1.key" -out "$1.pem" -days 3650 -sha256 -subj "/CN=$3" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# cert NAME KEYSPEC CN ISSUER EXTS [MD] [START] [END]: NAME.crt signed by ISSUER
cert() {
    name=$1 spec=$2 cn=$3 issuer=$4 exts=$5 md=${6:-sha256} start=${7:-$NOW_M1} end=${8:-$IN_5Y}
    key "$name" "$spec"
    q $O req -new -key "$name.key" -out "$name.csr" -subj "/CN=$cn"
    printf '%b\n' "$exts" > "$name.ext"
    q $O ca -batch -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" \
        -out "$name.crt" -startdate "$start" -enddate "$end" -extfile "$name.ext" -md "$md" \
        -notext
    cp "$name.crt" "$name.pem"
    rm -f "$name.csr" "$name.ext"
}

SAN='subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
LEAF="basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n$SAN"
INTER='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'

# leaf CASE KEYSPEC ISSUER EXTS [MD] [START] [END] [CHAIN...]: CASE.pem = leaf + CHAIN
leaf() {
    c=$1 spec=$2 iss=$3 ext=$4 md=${5:-sha256} st=${6:-$NOW_M1} en=${7:-$IN_5Y}
    if [ $# -gt 7 ]; then shift 7; else set --; fi
    cert "$c" "$spec" localhost "$iss" "$ext" "$md" "$st" "$en"
    cat "$c.crt" "$@" > "$c.pem"
}

root ca rsa:2048 "sfoauth matrix CA"
root other-ca rsa:2048 "sfoauth matrix other CA"
root weakroot rsa:1024 "sfoauth matrix weak CA"

# intermediates
cert inter rsa:2048 "matrix intermediate" ca 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign'
cert inter_notca rsa:2048 "matrix not-a-CA" ca 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign'
cert inter_expired rsa:2048 "matrix expired intermediate" ca "$INTER" sha256 20200101000000Z 20210101000000Z
cert inter_weak rsa:1024 "matrix weak intermediate" ca "$INTER"
cert inter_nokcs rsa:2048 "matrix intermediate without keyCertSign" ca 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature'
cert inter2 rsa:2048 "matrix second-level intermediate" inter "$INTER"

leaf ok_rsa2048 rsa:2048 ca "$LEAF"
leaf ok_rsa4096 rsa:4096 ca "$LEAF"
leaf ok_ec256 ec:P-256 ca "$LEAF"
leaf ok_ec384 ec:P-384 ca "$LEAF"
leaf ok_intermediate rsa:2048 inter "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter.pem
leaf ok_sha384 rsa:2048 ca "$LEAF" sha384
leaf ok_no_eku rsa:2048 ca "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n$SAN"
leaf ok_wildcard rsa:2048 ca "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.example.test"
leaf weak_rsa1024 rsa:1024 ca "$LEAF"
leaf sig_sha1 rsa:2048 ca "$LEAF" sha1
leaf sig_md5 rsa:2048 ca "$LEAF" md5
leaf eku_client_only rsa:2048 ca "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n$SAN"
leaf ku_no_signature rsa:2048 ca "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=serverAuth\n$SAN"
leaf cn_only rsa:2048 ca 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth'
leaf expired rsa:2048 ca "$LEAF" sha256 20200101000000Z 20210101000000Z
leaf notyet rsa:2048 ca "$LEAF" sha256 20400101000000Z 20410101000000Z
leaf unknown_ca rsa:2048 other-ca "$LEAF"
leaf wrong_host rsa:2048 ca "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:wrong.example"
leaf issuer_not_ca rsa:2048 inter_notca "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter_notca.pem
leaf issuer_no_keycertsign rsa:2048 inter_nokcs "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter_nokcs.pem
leaf expired_intermediate rsa:2048 inter_expired "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter_expired.pem
leaf weak_intermediate rsa:2048 inter_weak "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter_weak.pem
leaf pathlen_exceeded rsa:2048 inter2 "$LEAF" sha256 "$NOW_M1" "$IN_5Y" inter2.pem inter.pem
leaf under_weak_root rsa:2048 weakroot "$LEAF"
q $O req -x509 -newkey rsa:2048 -nodes -keyout self_signed.key -out self_signed.pem -days 365 \
    -subj "/CN=localhost" -addext "$SAN"

chmod 600 *.key
touch done
cd - >/dev/null
rm -rf "$DIR" 2>/dev/null || true
mv "$TMP" "$DIR"
