/*
 * Error names and descriptions, sfo_wipe and sfo_ct_equal.
 */
#include <string.h>
#include "sfoauth_types.h"

struct err_entry {
    int code;
    const char *name;
    const char *text;
};

#define E(c, t) { c, #c, t }
static const struct err_entry k_errors[] = {
    E(SFO_OK, "success"),
    E(SFO_E_ARG, "invalid argument"),
    E(SFO_E_TOO_LONG, "value does not fit its buffer"),
    E(SFO_E_STATE_MACHINE, "call out of sequence"),
    E(SFO_E_NOT_FOUND, "not found"),
    E(SFO_E_INTERNAL, "internal error"),
    E(SFO_E_B64, "malformed base64"),
    E(SFO_E_URL, "malformed URL"),
    E(SFO_E_URL_SCHEME, "URL scheme is not http or https"),
    E(SFO_E_URL_PORT, "bad port in URL"),
    E(SFO_E_URL_USERINFO, "user info in URL refused"),
    E(SFO_E_URL_HOST, "bad host in URL"),
    E(SFO_E_PCT, "bad percent escape"),
    E(SFO_E_DUPLICATE, "duplicated parameter"),
    E(SFO_E_JSON_SYNTAX, "JSON syntax error"),
    E(SFO_E_JSON_UTF8, "invalid UTF-8 in JSON"),
    E(SFO_E_JSON_ESCAPE, "bad escape in JSON string"),
    E(SFO_E_JSON_SURROGATE, "lone surrogate in JSON string"),
    E(SFO_E_JSON_CONTROL, "control character in JSON string"),
    E(SFO_E_JSON_NUMBER, "malformed JSON number"),
    E(SFO_E_JSON_DEPTH, "JSON nested too deeply"),
    E(SFO_E_JSON_TRAILING, "data after the JSON value"),
    E(SFO_E_JSON_INCOMPLETE, "JSON document incomplete"),
    E(SFO_E_JSON_ABORTED, "JSON scan stopped by the caller"),
    E(SFO_E_JSON_TYPE, "JSON field has the wrong type"),
    E(SFO_E_JSON_RANGE, "JSON number out of range"),
    E(SFO_E_JSON_DUPKEY, "duplicated JSON key"),
    E(SFO_E_DNS, "host name not resolved"),
    E(SFO_E_CONNREFUSED, "connection refused"),
    E(SFO_E_CONNECT, "connection failed"),
    E(SFO_E_TIMEOUT, "timed out"),
    E(SFO_E_RESET, "connection reset by peer"),
    E(SFO_E_CLOSED, "connection closed by peer"),
    E(SFO_E_IO, "network I/O error"),
    E(SFO_E_AGAIN, "no data yet"),
    E(SFO_E_TLS_UNTRUSTED, "certificate not trusted"),
    E(SFO_E_TLS_EXPIRED, "certificate expired"),
    E(SFO_E_TLS_NOT_YET_VALID, "certificate not yet valid"),
    E(SFO_E_TLS_HOSTNAME, "certificate does not match host"),
    E(SFO_E_TLS_HANDSHAKE, "TLS handshake failed"),
    E(SFO_E_TLS_CLOSED, "TLS connection closed abnormally"),
    E(SFO_E_TLS_CA, "trust anchors could not be loaded"),
    E(SFO_E_TLS, "TLS error"),
    E(SFO_E_KEY, "private key unreadable"),
    E(SFO_E_KEY_TYPE, "private key is not RSA 2048-4096"),
    E(SFO_E_CRYPTO, "crypto operation failed"),
    E(SFO_E_ENTROPY, "no entropy available"),
    E(SFO_E_HTTP_STATUS_LINE, "malformed HTTP status line"),
    E(SFO_E_HTTP_HEADER, "malformed HTTP header"),
    E(SFO_E_HTTP_HEADER_SIZE, "HTTP header section too large"),
    E(SFO_E_HTTP_CL_TE, "both Content-Length and Transfer-Encoding"),
    E(SFO_E_HTTP_CL, "bad Content-Length"),
    E(SFO_E_HTTP_TE, "unsupported Transfer-Encoding"),
    E(SFO_E_HTTP_CHUNK, "bad chunked framing"),
    E(SFO_E_HTTP_BODY_SIZE, "HTTP body too large"),
    E(SFO_E_HTTP_TRUNCATED, "HTTP body truncated"),
    E(SFO_E_HTTP_SINK, "HTTP body rejected by its reader"),
    E(SFO_E_HTTP_STATUS, "unexpected HTTP status"),
    E(SFO_E_PROXY, "proxy refused CONNECT"),
    E(SFO_E_HTTP_REQUEST, "HTTP request cannot be built"),
    E(SFO_E_HTTP_CHUNK_SIZE, "HTTP chunk size overflow"),
    E(SFO_E_OAUTH, "OAuth error from server"),
    E(SFO_E_OAUTH_RESPONSE, "malformed token response"),
    E(SFO_E_SIGNATURE, "token signature mismatch"),
    E(SFO_E_STATE, "state mismatch in callback"),
    E(SFO_E_CALLBACK, "callback has neither code nor error"),
    E(SFO_E_PENDING, "authorization pending"),
    E(SFO_E_DEADLINE, "deadline passed"),
};
#undef E

static const struct err_entry *find(int err)
{
    size_t i;
    for (i = 0; i < sizeof k_errors / sizeof k_errors[0]; i++) {
        if (k_errors[i].code == err) {
            return &k_errors[i];
        }
    }
    return NULL;
}

const char *sfo_strerror(int err)
{
    const struct err_entry *e = find(err);
    return e ? e->text : "unknown error";
}

const char *sfo_errname(int err)
{
    const struct err_entry *e = find(err);
    return e ? e->name : "SFO_E_?";
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
