/*
 * Error names and descriptions, sfo_wipe and sfo_ct_equal.
 */
#include <string.h>
#include "sfoauth_types.h"

/*
 * SFO_ERROR_STRINGS selects what sfo_strerror()/sfo_errname() carry (see
 * sfoauth_types.h): 2 names and English texts (default, host/CLI builds),
 * 1 names only (sfo_strerror returns the name), 0 neither (both return a
 * constant placeholder; callers print the number). Measured on Cortex-M4 -Os
 * in BENCHMARKS.md. Default in sfoauth_config.h.
 */
#if SFO_ERROR_STRINGS != 0 && SFO_ERROR_STRINGS != 1 && SFO_ERROR_STRINGS != 2
#error "SFO_ERROR_STRINGS must be 0, 1 or 2"
#endif

/* Every code with its text, in one list, in falling order; G(n, m) starts a
 * group of codes at -n (m: one byte, 0x80 + n). The table below is built
 * from it. */
#define SFO_ERR_LIST(X, G)                                      \
    X(SFO_OK, "success")                                        \
    X(SFO_E_ARG, "invalid argument")                            \
    X(SFO_E_TOO_LONG, "value too long for its buffer")          \
    X(SFO_E_CALL_ORDER, "call out of order")                    \
    X(SFO_E_NOT_FOUND, "not found")                             \
    X(SFO_E_INTERNAL, "internal error")                         \
    X(SFO_E_ABI, "built with other settings")                   \
    G(10, "\x8a")                                               \
    X(SFO_E_B64, "bad base64")                                  \
    X(SFO_E_URL, "bad URL")                                     \
    X(SFO_E_URL_SCHEME, "URL scheme not http(s)")               \
    X(SFO_E_URL_PORT, "bad URL port")                           \
    X(SFO_E_URL_USERINFO, "user info in URL")                   \
    X(SFO_E_URL_HOST, "bad URL host")                           \
    X(SFO_E_PCT, "bad percent escape")                          \
    X(SFO_E_DUPLICATE, "duplicated parameter")                  \
    X(SFO_E_INSECURE_URL, "endpoint not https")                 \
    G(30, "\x9e")                                               \
    X(SFO_E_JSON_SYNTAX, "JSON syntax error")                   \
    X(SFO_E_JSON_UTF8, "bad UTF-8 in JSON")                     \
    X(SFO_E_JSON_ESCAPE, "bad JSON escape")                     \
    X(SFO_E_JSON_SURROGATE, "lone JSON surrogate")              \
    X(SFO_E_JSON_CONTROL, "control char in JSON string")        \
    X(SFO_E_JSON_NUMBER, "bad JSON number")                     \
    X(SFO_E_JSON_DEPTH, "JSON nested too deeply")               \
    X(SFO_E_JSON_TRAILING, "data after JSON value")             \
    X(SFO_E_JSON_INCOMPLETE, "JSON incomplete")                 \
    X(SFO_E_JSON_ABORTED, "JSON scan stopped by caller")        \
    X(SFO_E_JSON_TYPE, "JSON field of wrong type")              \
    X(SFO_E_JSON_RANGE, "JSON number out of range")             \
    X(SFO_E_JSON_DUPKEY, "duplicated JSON key")                 \
    G(50, "\xb2")                                               \
    X(SFO_E_DNS, "host name not resolved")                      \
    X(SFO_E_CONNREFUSED, "connection refused")                  \
    X(SFO_E_CONNECT, "connection failed")                       \
    X(SFO_E_TIMEOUT, "timed out")                               \
    X(SFO_E_RESET, "connection reset")                          \
    X(SFO_E_CLOSED, "connection closed")                        \
    X(SFO_E_IO, "network I/O error")                            \
    X(SFO_E_AGAIN, "no data yet")                               \
    G(70, "\xc6")                                               \
    X(SFO_E_TLS_UNTRUSTED, "certificate not trusted")           \
    X(SFO_E_TLS_EXPIRED, "certificate expired")                 \
    X(SFO_E_TLS_NOT_YET_VALID, "certificate not yet valid")     \
    X(SFO_E_TLS_HOSTNAME, "wrong host in certificate")          \
    X(SFO_E_TLS_HANDSHAKE, "TLS handshake failed")              \
    X(SFO_E_TLS_CLOSED, "TLS closed abnormally")                \
    X(SFO_E_TLS_CA, "trust anchors not loaded")                 \
    X(SFO_E_TLS, "TLS error")                                   \
    X(SFO_E_KEY, "private key unreadable")                      \
    X(SFO_E_KEY_TYPE, "key not RSA 2048-4096")                  \
    X(SFO_E_CRYPTO, "crypto operation failed")                  \
    X(SFO_E_ENTROPY, "no entropy")                              \
    G(90, "\xda")                                               \
    X(SFO_E_HTTP_STATUS_LINE, "bad HTTP status line")           \
    X(SFO_E_HTTP_HEADER, "bad HTTP header")                     \
    X(SFO_E_HTTP_HEADER_SIZE, "HTTP headers too large")         \
    X(SFO_E_HTTP_CL_TE, "Content-Length and Transfer-Encoding") \
    X(SFO_E_HTTP_CL, "bad Content-Length")                      \
    X(SFO_E_HTTP_TE, "unsupported Transfer-Encoding")           \
    X(SFO_E_HTTP_CHUNK, "bad chunked framing")                  \
    X(SFO_E_HTTP_BODY_SIZE, "HTTP body too large")              \
    X(SFO_E_HTTP_TRUNCATED, "HTTP body truncated")              \
    X(SFO_E_HTTP_SINK, "HTTP body refused by reader")           \
    X(SFO_E_HTTP_STATUS, "unexpected HTTP status")              \
    X(SFO_E_PROXY, "proxy refused CONNECT")                     \
    X(SFO_E_HTTP_REQUEST, "bad HTTP request")                   \
    X(SFO_E_HTTP_CHUNK_SIZE, "chunk size overflow")             \
    G(110, "\xee")                                              \
    X(SFO_E_OAUTH, "OAuth error from server")                   \
    X(SFO_E_OAUTH_RESPONSE, "bad token response")               \
    X(SFO_E_SIGNATURE, "token signature mismatch")              \
    X(SFO_E_STATE_MISMATCH, "callback state mismatch")          \
    X(SFO_E_CALLBACK, "callback without code or error")         \
    X(SFO_E_PENDING, "authorization pending")                   \
    X(SFO_E_DEADLINE, "deadline passed")                        \
    X(SFO_E_BAD_VALUE, "server value breaks its grammar")       \
    X(SFO_E_RESPONSE_TOO_LONG, "server value does not fit its field")

#if SFO_ERROR_STRINGS > 0
/* Each code is its place in the list: 0, one less per entry, -n after G(n). */
#define ERR_POS(c, t) P_##c,
#define ERR_GRP(n, m) P_G##n = (n)-1,
enum { P_START = -1, SFO_ERR_LIST(ERR_POS, ERR_GRP) P_END };
#undef ERR_POS
#undef ERR_GRP
#define ERR_CHK(c, t) _Static_assert(-(c) == P_##c, #c " out of place in SFO_ERR_LIST");
#define ERR_GRP(n, m) _Static_assert((n) < 128, "group marker must fit 7 bits");
SFO_ERR_LIST(ERR_CHK, ERR_GRP)
#undef ERR_CHK
#undef ERR_GRP

/* Strings back to back, "NAME\0" (level 1) or "NAME\0text\0" (level 2) per
 * entry, with the one-byte group markers "m\0" between: no code or pointer
 * table, an entry is found by walking. */
#if SFO_ERROR_STRINGS == 2
#define ERR_STR(c, t) #c "\0" t "\0"
#define ERR_STRIDE    2u
#else
#define ERR_STR(c, t) #c "\0"
#define ERR_STRIDE    1u
#endif
#define ERR_GRP(n, m) m "\0"
static const char k_strings[] = SFO_ERR_LIST(ERR_STR, ERR_GRP);
#undef ERR_STR
#undef ERR_GRP

/* Code err's name (which 0) or text (which 1, level 2), or NULL. */
static const char *nth(int err, size_t which)
{
    const char *s = k_strings;
    int code = 0;
    size_t k;
    while (s < k_strings + sizeof k_strings - 1u) {
        unsigned m = (unsigned char)*s;
        if (m >= 0x80u) {
            code = -(int)(m - 0x80u);
            s += 2;
            continue;
        }
        if (code == err) {
            return which != 0u ? s + strlen(s) + 1u : s;
        }
        for (k = 0; k < ERR_STRIDE; k++) {
            s += strlen(s) + 1u;
        }
        code--;
    }
    return NULL;
}
#endif

const char *sfo_strerror(int err)
{
#if SFO_ERROR_STRINGS > 0
    const char *s = nth(err, ERR_STRIDE - 1u);
    return s ? s : "unknown error";
#else
    (void)err;
    return "error";
#endif
}

const char *sfo_errname(int err)
{
#if SFO_ERROR_STRINGS > 0
    const char *s = nth(err, 0);
    return s ? s : "SFO_E_?";
#else
    (void)err;
    return "SFO_E_?";
#endif
}

void sfo_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0) {
        return;
    }
#if defined(__GNUC__) || defined(__clang__)
    memset(p, 0, len);
    /* The empty asm claims to read the memory, so the store cannot be dropped. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    {
        volatile uint8_t *v = (volatile uint8_t *)p;
        while (len-- > 0) {
            *v++ = 0;
        }
    }
#endif
}

bool sfo_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = (const volatile uint8_t *)a;
    const volatile uint8_t *y = (const volatile uint8_t *)b;
    uint8_t acc = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        acc = (uint8_t)(acc | (x[i] ^ y[i]));
    }
    return acc == 0;
}
