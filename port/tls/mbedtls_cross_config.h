/*
 * mbedTLS user configuration for `make port-cross` (MBEDTLS_USER_CONFIG_FILE):
 * the host's mbedTLS configuration minus what a microcontroller build lacks
 * (threads, file system, sockets, OS clock), with mbedTLS's static memory
 * pool allocator. Shows that port/tls/ needs none of those.
 */
#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_FS_IO
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_HAVE_TIME
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_HAVEGE_C
#undef MBEDTLS_ENTROPY_PLATFORM
#undef MBEDTLS_PSA_CRYPTO_STORAGE_C
#undef MBEDTLS_PSA_ITS_FILE_C
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
