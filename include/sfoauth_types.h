/*
 * sfoauth: common types, error codes and helpers shared by every module.
 *
 * Every function of the library that can fail returns an int: SFO_OK (0) on
 * success or one of the negative SFO_E_* codes below. Codes are stable and
 * distinct: a caller (and the CLI) can always tell which check failed.
 * sfo_strerror() turns a code into a short constant English phrase.
 *
 * Freestanding: this header needs only <stddef.h>, <stdint.h>, <stdbool.h> and
 * sfoauth_config.h (the build settings, which it includes for every header).
 */
#ifndef SFOAUTH_TYPES_H
#define SFOAUTH_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sfoauth_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SFO_VERSION "0.1.0"

enum sfo_err {
    SFO_OK = 0,

    /* usage and buffers (-1 .. -9) */
    SFO_E_ARG = -1,        /* a parameter is NULL, empty or out of range */
    SFO_E_TOO_LONG = -2,   /* the caller's own input or output does not fit its buffer
                                     (a server's value that does not fit: SFO_E_RESPONSE_TOO_LONG) */
    SFO_E_CALL_ORDER = -3, /* function called in the wrong order (e.g. feed after finish) */
    SFO_E_NOT_FOUND = -4,  /* a looked-up item (query parameter, field) is absent */
    SFO_E_INTERNAL = -5,   /* an invariant broke; a bug, please report */
    SFO_E_ABI = -6,        /* the caller was compiled with other settings (limits, struct
                                     layout) than the library: rebuild against its headers */

    /* codecs (-10 .. -29) */
    SFO_E_B64 = -10,          /* bad base64/base64url character, padding or trailing bits */
    SFO_E_URL = -11,          /* malformed URL (syntax, control character, space) */
    SFO_E_URL_SCHEME = -12,   /* scheme is not http or https */
    SFO_E_URL_PORT = -13,     /* port empty, not decimal, 0 or above 65535 */
    SFO_E_URL_USERINFO = -14, /* user:password@ in a URL (refused) */
    SFO_E_URL_HOST = -15,     /* empty or malformed host (bad IPv6 literal, bad characters) */
    SFO_E_PCT = -16,          /* bad percent escape: %zz, truncated %4, or %00 */
    SFO_E_DUPLICATE = -17,    /* a parameter or field that must be unique appears twice */
    SFO_E_INSECURE_URL = -18, /* an endpoint URL is not https (nothing was sent) */

    /* JSON (-30 .. -49) */
    SFO_E_JSON_SYNTAX = -30,     /* unexpected byte for the JSON grammar */
    SFO_E_JSON_UTF8 = -31,       /* invalid UTF-8 (overlong, surrogate, out of range, truncated) */
    SFO_E_JSON_ESCAPE = -32,     /* bad backslash escape or \u sequence */
    SFO_E_JSON_SURROGATE = -33,  /* lone or mismatched UTF-16 surrogate in \u escapes */
    SFO_E_JSON_CONTROL = -34,    /* unescaped control character (< 0x20) inside a string */
    SFO_E_JSON_NUMBER = -35,     /* number does not follow the RFC 8259 grammar */
    SFO_E_JSON_DEPTH = -36,      /* nesting deeper than the scanner's limit */
    SFO_E_JSON_TRAILING = -37,   /* something other than whitespace after the top-level value */
    SFO_E_JSON_INCOMPLETE = -38, /* input ended inside a value (or no value at all) */
    SFO_E_JSON_ABORTED = -39,    /* the event callback asked to stop */
    SFO_E_JSON_TYPE = -40,       /* extractor: a wanted field has the wrong JSON type */
    SFO_E_JSON_RANGE = -41,      /* extractor: an integer does not fit int64 / is not an integer */
    SFO_E_JSON_DUPKEY = -42,     /* extractor: a wanted key appears twice */

    /* transport (-50 .. -69) */
    SFO_E_DNS = -50,         /* host name did not resolve */
    SFO_E_CONNREFUSED = -51, /* every address refused the connection */
    SFO_E_CONNECT = -52,     /* connect failed otherwise (unreachable, ...) */
    SFO_E_TIMEOUT = -53,     /* a deadline passed */
    SFO_E_RESET = -54,       /* connection reset by peer */
    SFO_E_CLOSED = -55,      /* peer closed the connection where data was required */
    SFO_E_IO = -56,          /* other socket error */
    SFO_E_AGAIN = -57, /* port: no data yet / would block (the core retries until its deadline) */

    /* TLS and crypto (-70 .. -89) */
    SFO_E_TLS_UNTRUSTED = -70,     /* certificate chain does not lead to a trusted anchor */
    SFO_E_TLS_EXPIRED = -71,       /* a certificate of the chain has expired */
    SFO_E_TLS_NOT_YET_VALID = -72, /* a certificate of the chain is not valid yet */
    SFO_E_TLS_HOSTNAME = -73,      /* certificate does not match the host name / IP address */
    SFO_E_TLS_HANDSHAKE = -74,     /* handshake failed (protocol version, cipher, alert) */
    SFO_E_TLS_CLOSED = -75,        /* TLS alert or unexpected close after the handshake */
    SFO_E_TLS_CA = -76,            /* trust anchors could not be loaded (file, PEM) */
    SFO_E_TLS = -77,               /* other TLS failure */
    SFO_E_KEY = -78,               /* private key unreadable (PEM/DER syntax, encrypted) */
    SFO_E_KEY_TYPE = -79,          /* key is not RSA, or RSA size outside 2048..4096 bits */
    SFO_E_CRYPTO = -80,            /* hash/HMAC/sign operation failed */
    SFO_E_ENTROPY = -81,           /* no random bytes available (fail closed) */

    /* HTTP (-90 .. -109) */
    SFO_E_HTTP_STATUS_LINE = -90, /* malformed status line (garbage instead of HTTP/1.x NNN) */
    SFO_E_HTTP_HEADER = -91,      /* malformed header line */
    SFO_E_HTTP_HEADER_SIZE = -92, /* header section larger than its limit */
    SFO_E_HTTP_CL_TE = -93,       /* both Content-Length and Transfer-Encoding */
    SFO_E_HTTP_CL = -94,          /* malformed or conflicting Content-Length */
    SFO_E_HTTP_TE = -95,          /* Transfer-Encoding other than chunked */
    SFO_E_HTTP_CHUNK = -96,       /* bad chunk size line, chunk size overflow, bad chunk end */
    SFO_E_HTTP_BODY_SIZE = -97,   /* body larger than its limit */
    SFO_E_HTTP_TRUNCATED = -98,   /* end of stream before the framing said the body ends */
    SFO_E_HTTP_SINK = -99,        /* the body sink refused data (its own error is kept) */
    SFO_E_HTTP_STATUS = -100,     /* unexpected HTTP status (no OAuth error in the body) */
    SFO_E_PROXY = -101,           /* proxy refused CONNECT (status kept) */
    SFO_E_HTTP_REQUEST = -102,    /* request would not fit / bad request parameters */
    SFO_E_HTTP_CHUNK_SIZE = -103, /* chunk size does not fit the parser's counter (overflow) */

    /* OAuth (-110 .. -129) */
    SFO_E_OAUTH = -110, /* server answered an OAuth error; error/error_description kept */
    SFO_E_OAUTH_RESPONSE =
        -111,               /* success status but the body lacks required fields or is not JSON */
    SFO_E_SIGNATURE = -112, /* Salesforce 'signature' does not match HMAC(id || issued_at) */
    SFO_E_STATE_MISMATCH = -113,    /* callback 'state' absent or differs from the one sent */
    SFO_E_CALLBACK = -114,          /* callback URL carries neither code nor error */
    SFO_E_PENDING = -115,           /* device flow: user has not approved yet (internal) */
    SFO_E_DEADLINE = -116,          /* flow deadline passed (device polling, loopback receiver) */
    SFO_E_BAD_VALUE = -117,         /* a server value breaks its grammar (control character,
                                     bad URL, ...); err.field names the member */
    SFO_E_RESPONSE_TOO_LONG = -118, /* a server value does not fit the caller's field or buffer;
                                     err.field names the member (nothing truncated) */

    /* Deprecated names, kept for one release: */
    SFO_E_STATE_MACHINE = SFO_E_CALL_ORDER, /* use SFO_E_CALL_ORDER */
    SFO_E_STATE = SFO_E_STATE_MISMATCH      /* use SFO_E_STATE_MISMATCH */
};

/*
 * Who caused an error, for callers that map codes to exit statuses:
 * the server's answer: SFO_E_OAUTH (rejected), SFO_E_HTTP_* and SFO_E_JSON_*
 * (malformed answer), SFO_E_OAUTH_RESPONSE, SFO_E_SIGNATURE, SFO_E_BAD_VALUE,
 * SFO_E_RESPONSE_TOO_LONG; the caller's configuration or input: SFO_E_ARG,
 * SFO_E_TOO_LONG, SFO_E_INSECURE_URL, SFO_E_URL*, SFO_E_KEY*, SFO_E_STATE_MISMATCH,
 * SFO_E_CALLBACK; the build: SFO_E_ABI, SFO_E_CALL_ORDER, SFO_E_INTERNAL.
 */

/*
 * Error strings, compile-time switch for firmware (-DSFO_ERROR_STRINGS=N when
 * building src/errors.c):
 *   2 (default) sfo_errname gives the name, sfo_strerror the English text;
 *               Cortex-M4 -Os: ~2.9 KiB text+rodata.
 *   1           names only: sfo_strerror returns the name too; ~1.3 KiB.
 *   0           neither: sfo_strerror returns "error", sfo_errname "SFO_E_?"
 *               (the caller logs the number); ~80 bytes.
 * The codes themselves never change. The CLI and host builds keep 2.
 */

/* Short constant description of an SFO_* code ("unknown error" for others). */
const char *sfo_strerror(int err);

/* Symbolic name of a code, e.g. "SFO_E_TLS_EXPIRED" ("SFO_E_?" for others). */
const char *sfo_errname(int err);

/*
 * Overwrite len bytes at p with zeros in a way the compiler cannot remove
 * (memset followed by an empty asm statement that claims to read the memory;
 * a volatile byte loop on compilers without GNU asm). Used on every secret
 * before the memory holding it is released or reused.
 */
void sfo_wipe(void *p, size_t len);

/*
 * Constant-time comparison of two equal-length byte strings: returns true when
 * equal. Time depends only on len.
 */
bool sfo_ct_equal(const void *a, const void *b, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_TYPES_H */
