/*
 * sfoauth build settings: every tunable of the library, the POSIX port and
 * the CLI, with its default and meaning, and the settings signature that
 * sfo_client_init() checks. Included by sfoauth_types.h, so by every header.
 *
 * A build may override any of them with -D; a program must then be compiled
 * with the same values as the library it links (the installed copy of this
 * header starts with the values the library was built with). Values that
 * change the size of a public struct enter SFO_CONFIG_SIGNATURE: a program
 * compiled with other values gets SFO_E_ABI from sfo_client_init() instead
 * of a library writing past its structs.
 *
 * Firmware switches (defined or not, none by default; see README): SFO_NO_DEVICE_FLOW,
 * SFO_NO_INTROSPECT, SFO_NO_USERINFO, SFO_NO_PROXY (flows left out), SFO_NO_LOG (no
 * log calls from the HTTP client).
 */
#ifndef SFOAUTH_CONFIG_H
#define SFOAUTH_CONFIG_H

/* ---- result fields (sfoauth.h): array sizes including the NUL --------------------- */
#ifndef SFO_ACCESS_TOKEN_MAX
#define SFO_ACCESS_TOKEN_MAX 1024u /* Salesforce: ~112 chars; JWT access tokens are longer */
#endif
#ifndef SFO_REFRESH_TOKEN_MAX
#define SFO_REFRESH_TOKEN_MAX 256u /* refresh token */
#endif
#ifndef SFO_URL_MAX
#define SFO_URL_MAX 256u /* instance_url, id, verification_uri */
#endif
#ifndef SFO_TOKEN_TYPE_MAX
#define SFO_TOKEN_TYPE_MAX 16u /* token_type ("Bearer") */
#endif
#ifndef SFO_SCOPE_MAX
#define SFO_SCOPE_MAX 256u /* scope of a token or an introspection */
#endif
#ifndef SFO_ISSUED_AT_MAX
#define SFO_ISSUED_AT_MAX 24u /* issued_at as received */
#endif
#ifndef SFO_ID_TOKEN_MAX
#define SFO_ID_TOKEN_MAX 2048u /* OpenID Connect id_token */
#endif
#ifndef SFO_ERROR_MAX
#define SFO_ERROR_MAX 64u /* OAuth error code (>= 24: authorization_pending) */
#endif
#ifndef SFO_ERROR_DESC_MAX
#define SFO_ERROR_DESC_MAX 256u /* OAuth error_description */
#endif
#ifndef SFO_DEVICE_CODE_MAX
#define SFO_DEVICE_CODE_MAX 256u /* device flow device_code */
#endif
#ifndef SFO_USER_CODE_MAX
#define SFO_USER_CODE_MAX 32u /* device flow user_code */
#endif
#ifndef SFO_INTROSPECT_STR_MAX
#define SFO_INTROSPECT_STR_MAX 128u /* introspection client_id, username, sub, token_type */
#endif

/* ---- flows (oauth.c) -------------------------------------------------------------- */
#ifndef SFO_JWT_LIFETIME_S
#define SFO_JWT_LIFETIME_S 180u /* default JWT lifetime: exp = now + this */
#endif
#ifndef SFO_TIMEOUT_MS
#define SFO_TIMEOUT_MS 30000u /* default for one HTTP exchange */
#endif
#ifndef SFO_DEADLINE_MS
#define SFO_DEADLINE_MS 90000u /* default for a whole call, retries included */
#endif
#ifndef SFO_RETRIES
#define SFO_RETRIES 2u /* default extra attempts after a retryable failure */
#endif
#ifndef SFO_BACKOFF_BASE_MS
#define SFO_BACKOFF_BASE_MS 500u /* first backoff wait */
#endif
#ifndef SFO_BACKOFF_MAX_MS
#define SFO_BACKOFF_MAX_MS 30000u /* ceiling of any wait (also caps Retry-After) */
#endif

/* ---- ranges of the numbers a server sends (oauth.c) ------------------------------ */
#ifndef SFO_EXPIRES_IN_MAX
#define SFO_EXPIRES_IN_MAX 315360000 /* expires_in: 0 .. this (10 years in seconds) */
#endif
#ifndef SFO_DEVICE_INTERVAL_MAX
#define SFO_DEVICE_INTERVAL_MAX 3600 /* device flow interval: 1 .. this many seconds */
#endif
#ifndef SFO_TIME_MAX
#define SFO_TIME_MAX 253402300799 /* introspection exp, iat, nbf: 0 .. 9999-12-31T23:59:59Z */
#endif

/* ---- error strings (errors.c) ----------------------------------------------------- */
#ifndef SFO_ERROR_STRINGS
#define SFO_ERROR_STRINGS 2 /* 2 names and texts, 1 names only, 0 none */
#endif

/* ---- JSON scanner (sfo_json.h) ---------------------------------------------------- */
#ifndef SFO_JSON_DEFAULT_DEPTH
#define SFO_JSON_DEFAULT_DEPTH 16u /* suggested nesting limit */
#endif
#ifndef SFO_JSON_BUF
#define SFO_JSON_BUF 64u /* strings/numbers up to this many bytes arrive in one piece */
#endif

/* ---- HTTP client (sfo_http.h) ----------------------------------------------------- */
#ifndef SFO_HTTP_WINDOW_DEFAULT
#define SFO_HTTP_WINDOW_DEFAULT 2048u /* recommended I/O window size */
#endif
#ifndef SFO_HTTP_HEADER_MAX
#define SFO_HTTP_HEADER_MAX 8192u /* default header section limit (1xx + final) */
#endif
#ifndef SFO_HTTP_BODY_MAX
#define SFO_HTTP_BODY_MAX 65536u /* default body limit */
#endif
#ifndef SFO_HTTP_SCRATCH
#define SFO_HTTP_SCRATCH 48u /* header name / short value scratch */
#endif
#ifndef SFO_HTTP_CHUNK_LINE_MAX
#define SFO_HTTP_CHUNK_LINE_MAX 256u /* chunk size line incl. extensions */
#endif

/* ---- URLs (sfo_codec.h) ----------------------------------------------------------- */
#ifndef SFO_URL_HOST_MAX
#define SFO_URL_HOST_MAX 255u /* longest host name (RFC 1035), without brackets */
#endif

/* ---- POSIX port and TLS backends (sfoauth_posix.h, port/) ------------------------- */
#ifndef SFO_POSIX_CA_FILE_DEFAULT
#define SFO_POSIX_CA_FILE_DEFAULT \
    "/etc/ssl/certs/ca-certificates.crt" /* PEM bundle when none is named */
#endif
#ifndef SFO_BR_MAX_ANCHORS
#define SFO_BR_MAX_ANCHORS 200u /* BearSSL: most trust anchors held (Debian bundle: ~150) */
#endif
#ifndef SFO_BR_ANCHOR_BYTES
#define SFO_BR_ANCHOR_BYTES (96u * 1024u) /* BearSSL: anchors' DNs and keys (Debian: ~60 KiB) */
#endif
#ifndef SFO_BR_IOBUF_SIZE
#define SFO_BR_IOBUF_SIZE BR_SSL_BUFSIZE_MONO /* BearSSL: record buffer, one full record */
#endif
#ifndef SFO_BR_LEAF_MAX
#define SFO_BR_LEAF_MAX 8192u /* BearSSL: largest leaf certificate kept for the policy checks */
#endif
#ifndef SFO_BR_DN_MAX
#define SFO_BR_DN_MAX 256u /* BearSSL: leaf subject DN kept for the log line */
#endif
#ifndef SFO_MBED_CERT_MAX
#define SFO_MBED_CERT_MAX 8192u /* mbedTLS: largest DER certificate read from PEM text */
#endif
#ifndef SFO_TLS_CLOSE_NOTIFY_MS
#define SFO_TLS_CLOSE_NOTIFY_MS 200 /* time allowed for close_notify on close() */
#endif
#ifndef SFO_TLS_AGAIN_MS
#define SFO_TLS_AGAIN_MS 1u /* pause before retrying a transport's "no data yet" */
#endif
#ifndef SFO_POSIX_PEM_CHUNK
#define SFO_POSIX_PEM_CHUNK 16384u /* bytes of a CA bundle file read at once (PEM-aligned) */
#endif
#ifndef SFO_KEY_INPUT_MAX
#define SFO_KEY_INPUT_MAX 8192u /* largest private key key_load accepts (PEM or DER) */
#endif

/* ---- loopback redirect receiver (sfoauth_loopback.h) ------------------------------ */
#ifndef SFO_LOOPBACK_PATH_MAX
#define SFO_LOOPBACK_PATH_MAX 128u /* redirect path kept, including the NUL */
#endif
#ifndef SFO_LOOPBACK_REQ_MAX
#define SFO_LOOPBACK_REQ_MAX 4096u /* request head limit (request line + headers) */
#endif
#ifndef SFO_LOOPBACK_CONN_MAX
#define SFO_LOOPBACK_CONN_MAX 8u /* idle accepted connections kept open at once */
#endif
#ifndef SFO_LOOPBACK_HEAD_MS
#define SFO_LOOPBACK_HEAD_MS 5000u /* once a request starts, its head must arrive by then */
#endif

/* ---- the sfoauth program (cli/) --------------------------------------------------- */
#ifndef SFO_CLI_WORK
#define SFO_CLI_WORK 4096u /* working buffer handed to the library */
#endif
#ifndef SFO_CLI_USERINFO_MAX
#define SFO_CLI_USERINFO_MAX 16384u /* largest userinfo answer printed */
#endif

/* ---- the settings signature ------------------------------------------------------- */
/* Bumped whenever a public struct changes shape. */
#define SFO_ABI_VERSION 1u
/* One FNV-1a step over 32-bit words (constant expression). */
#define SFO__MIX(h, v) ((uint32_t)(((uint32_t)(h) ^ (uint32_t)(v)) * 16777619u))
/* Every value above that shapes a public struct, mixed in this order, in four stages
 * (the same value as one chain of SFO__MIX). */
#define SFO__SIG_A                                                                                \
    SFO__MIX(                                                                                     \
        SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(2166136261u, SFO_ABI_VERSION), SFO_ACCESS_TOKEN_MAX), \
                          SFO_REFRESH_TOKEN_MAX),                                                 \
                 SFO_URL_MAX),                                                                    \
        SFO_TOKEN_TYPE_MAX)
#define SFO__SIG_B                                                                               \
    SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__SIG_A, SFO_SCOPE_MAX), SFO_ISSUED_AT_MAX), \
                               SFO_ID_TOKEN_MAX),                                                \
                      SFO_ERROR_MAX),                                                            \
             SFO_ERROR_DESC_MAX)
#define SFO__SIG_C                                                                                \
    SFO__MIX(                                                                                     \
        SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__SIG_B, SFO_DEVICE_CODE_MAX), SFO_USER_CODE_MAX), \
                          SFO_INTROSPECT_STR_MAX),                                                \
                 SFO_JSON_BUF),                                                                   \
        SFO_URL_HOST_MAX)
#define SFO_CONFIG_SIGNATURE                                                             \
    SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__SIG_C, SFO_HTTP_SCRATCH), \
                                                 SFO_LOOPBACK_PATH_MAX),                 \
                                        SFO_BR_MAX_ANCHORS),                             \
                               SFO_BR_ANCHOR_BYTES),                                     \
                      SFO_BR_LEAF_MAX),                                                  \
             SFO_BR_DN_MAX)

#endif /* SFOAUTH_CONFIG_H */
