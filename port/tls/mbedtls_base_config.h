/*
 * mbedTLS 2.28 options every sfoauth build with its own mbedTLS configuration
 * shares (the MPS2 firmware images, port/mps2/mbedtls_config.h, and the static
 * CLI of make bench, bench/mbedtls_static_config.h): what port/tls/mbedtls.c uses
 * for a Salesforce client and nothing else. TLS 1.2 client, ECDHE-RSA and
 * ECDHE-ECDSA with AES-GCM, SHA-256/384, P-256/P-384, RSA PKCS#1 v1.5 (server
 * signatures and the JWT assertion), PEM/DER keys and certificates.
 *
 * Included first by each of those files, which add their platform's options and
 * then include "mbedtls/check_config.h"; not a configuration on its own.
 */
#ifndef SFO_MBEDTLS_BASE_CONFIG_H
#define SFO_MBEDTLS_BASE_CONFIG_H

/* system */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_PLATFORM_C

/* symmetric: AES-GCM (tables in flash), CTR_DRBG */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CTR_DRBG_C

/* hashes */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C /* SHA-384 (suites, certificate signatures) */

/* public key */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* encodings, certificates */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

/* TLS 1.2 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE

#endif /* SFO_MBEDTLS_BASE_CONFIG_H */
