/*
 * sfoauth build settings: the library's tunables with their defaults and
 * meaning, and the settings signature that sfo_client_init() checks.
 *
 * A build may override any of them with -D; a program must then be compiled
 * with the same values as the library it links (the installed copy of this
 * header starts with the values the library was built with). Values that
 * change the size of a public struct enter SFO_CONFIG_SIGNATURE: a program
 * compiled with other values gets SFO_E_ABI from sfo_client_init() instead
 * of a library writing past its structs.
 */
#ifndef SFOAUTH_CONFIG_H
#define SFOAUTH_CONFIG_H

/* ---- ranges of the numbers a server sends ---------------------------------------- */
/* expires_in of a token or device answer: 0 .. this (10 years in seconds). */
#ifndef SFO_EXPIRES_IN_MAX
#define SFO_EXPIRES_IN_MAX 315360000
#endif
/* Device flow polling interval: 1 .. this many seconds. */
#ifndef SFO_DEVICE_INTERVAL_MAX
#define SFO_DEVICE_INTERVAL_MAX 3600
#endif
/* Introspection exp, iat, nbf: 0 .. this (9999-12-31T23:59:59Z). */
#ifndef SFO_TIME_MAX
#define SFO_TIME_MAX 253402300799
#endif

/* ---- the settings signature ------------------------------------------------------- */
/* Bumped whenever a public struct changes shape. */
#define SFO_ABI_VERSION 1u
/* One FNV-1a step over 32-bit words (constant expression). */
#define SFO__MIX(h, v) ((uint32_t)(((uint32_t)(h) ^ (uint32_t)(v)) * 16777619u))
/* Every value that shapes a public struct, mixed; expanded where it is used, after
 * the headers that define the capacities. */
#define SFO_CONFIG_SIGNATURE \
    SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX( \
    SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(2166136261u, \
    SFO_ABI_VERSION), SFO_ACCESS_TOKEN_MAX), SFO_REFRESH_TOKEN_MAX), SFO_URL_MAX), \
    SFO_TOKEN_TYPE_MAX), SFO_SCOPE_MAX), SFO_ISSUED_AT_MAX), SFO_ID_TOKEN_MAX), \
    SFO_ERROR_MAX), SFO_ERROR_DESC_MAX), SFO_DEVICE_CODE_MAX), SFO_USER_CODE_MAX), \
    SFO_INTROSPECT_STR_MAX), SFO_JSON_BUF), SFO_URL_HOST_MAX)

#endif /* SFOAUTH_CONFIG_H */
