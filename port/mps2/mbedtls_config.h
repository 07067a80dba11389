/*
 * mbedTLS 2.28 configuration of the MPS2 firmware images (MBEDTLS_CONFIG_FILE):
 * the options shared with the static CLI (port/tls/mbedtls_base_config.h: TLS 1.2
 * client, ECDHE with AES-GCM, SHA-256/384, P-256/P-384, RSA PKCS#1 v1.5, PEM/DER
 * keys and certificates) plus what a microcontroller wants: no file system,
 * sockets, threads or OS clock; memory from a static pool
 * (mbedtls_memory_buffer_alloc_init) and randomness from the port's entropy
 * callback through CTR_DRBG; smaller tables and windows; four suites; a small
 * output record.
 */
#ifndef SFO_MPS2_MBEDTLS_CONFIG_H
#define SFO_MPS2_MBEDTLS_CONFIG_H

#include "../tls/mbedtls_base_config.h"

/* system: static memory pool, the port's entropy */
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_NO_PLATFORM_ENTROPY

/* smaller code and tables */
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER
#define MBEDTLS_ECP_WINDOW_SIZE       2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_MPI_WINDOW_SIZE       2
#define MBEDTLS_MPI_MAX_SIZE          512 /* RSA 4096 */

/* TLS: the four suites of a Salesforce client */
#define MBEDTLS_SSL_CIPHERSUITES                         \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,     \
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,   \
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
/* A server may send full 16 KiB records; requests are small. */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048

#include "mbedtls/check_config.h"

#endif /* SFO_MPS2_MBEDTLS_CONFIG_H */
