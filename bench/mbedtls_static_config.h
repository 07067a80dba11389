/*
 * mbedTLS 2.28 configuration of the static mbedTLS CLI that make bench measures
 * (MBEDTLS_CONFIG_FILE, library built from Debian's source package by
 * bench/static_mbedtls.sh): the algorithms of the firmware images
 * (port/tls/mbedtls_base_config.h: TLS 1.2 client, ECDHE with AES-GCM,
 * SHA-256/384, P-256/P-384, RSA PKCS#1 v1.5, PEM/DER keys and certificates) on a
 * hosted system: libc malloc, CA files, certificate validity against the clock.
 */
#ifndef SFO_BENCH_MBEDTLS_CONFIG_H
#define SFO_BENCH_MBEDTLS_CONFIG_H

#include "../port/tls/mbedtls_base_config.h"

/* system: hosted (libc malloc, files, time) */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_FS_IO

#include "mbedtls/check_config.h"

#endif /* SFO_BENCH_MBEDTLS_CONFIG_H */
