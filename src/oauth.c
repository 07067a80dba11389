/*
 * Token endpoint calls: form bodies, client authentication, retries, and
 * reading token / error JSON straight from the HTTP body sink through the
 * field extractor; every value read is checked against its grammar before it
 * is handed back. Salesforce signature check. The grants built on it.
 *
 * Working buffer layout during a call (struct sfo_client.work):
 *   [ struct rd | HTTP I/O window ........ | endpoint URL + host | Basic value | reserved ]
 * struct rd (field table, extractor, JSON stack; SFO_WORK_STATE bytes with
 * alignment) keeps the response-reading state off the stack. The tail is taken
 * from the end downwards; the window gets the rest and must keep
 * SFO_HTTP_WINDOW_MIN bytes. The state and the tail are wiped on return.
 *
 * Firmware switches (-D): SFO_NO_DEVICE_FLOW (sfo_device_start/poll),
 * SFO_NO_INTROSPECT (sfo_introspect), SFO_NO_USERINFO (sfo_userinfo and the
 * raw body copy), SFO_NO_PROXY (proxy_url must be NULL, else SFO_E_ARG).
 * The functions left out are not defined: a call to one fails to link.
 */
#include <stddef.h>
#include <string.h>
#include "oauth_int.h"
#include "sfo_http.h"

#define JSON_DEPTH 8u
#define MAX_FORM   8u
#define MAX_FIELDS 12u
#if SFO_ERROR_MAX < 24
#error "SFO_ERROR_MAX must hold authorization_pending"
#endif

/* What a member's value must be (RFC 6749 appendix A, RFC 8628); checked
 * once the answer is read, before any value is handed back. */
enum gram {
    G_ANY = 0,    /* not checked (booleans) */
    G_VSCHAR,     /* 1*VSCHAR (%x20-7E): tokens, codes, id_token, signature, user_code */
    G_SCOPE,      /* scope-token *( SP scope-token ), scope-token = 1*NQCHAR; or "" */
    G_ERROR,      /* 1*NQSCHAR */
    G_ERROR_DESC, /* *NQSCHAR */
    G_TOKEN_TYPE, /* 1*( ALPHA / DIGIT / "-" / "." / "_" ), or an absolute URI */
    G_HTTPS_URL,  /* an https URL */
    G_DIGITS,     /* 1*DIGIT */
    G_TEXT,       /* UTF-8 without C0/C1 control characters or DEL */
    G_EXPIRES_IN, /* integer 0 .. SFO_EXPIRES_IN_MAX */
    G_INTERVAL,   /* integer 1 .. SFO_DEVICE_INTERVAL_MAX */
    G_TIME        /* integer 0 .. SFO_TIME_MAX */
};

/* Slots of the field table: the error members, then each call's own. */
enum { S_ERROR, S_ERROR_DESC, S_FIRST };
enum tok_slot {
    T_ACCESS = S_FIRST,
    T_REFRESH,
    T_INSTANCE,
    T_ID,
    T_TYPE,
    T_SCOPE,
    T_ISSUED,
    T_SIGNATURE,
    T_ID_TOKEN,
    T_EXPIRES,
    T_END
};
enum dev_slot {
    D_DEVICE_CODE = S_FIRST,
    D_USER_CODE,
    D_URI,
    D_URI_COMPLETE,
    D_INTERVAL,
    D_EXPIRES,
    D_END
};
enum in_slot {
    I_ACTIVE = S_FIRST,
    I_SCOPE,
    I_CLIENT_ID,
    I_USERNAME,
    I_SUB,
    I_TYPE,
    I_EXP,
    I_IAT,
    I_NBF,
    I_END
};
_Static_assert(T_END <= MAX_FIELDS && D_END <= MAX_FIELDS && I_END <= MAX_FIELDS,
               "MAX_FIELDS too small");

/* Response-reading state, at the aligned start of the working buffer. */
struct rd {
    struct sfo_field f[MAX_FIELDS]; /* by slot */
    struct sfo_extract x;
    uint8_t stack[SFO_JSON_STACK_BYTES(JSON_DEPTH)];
};
_Static_assert(sizeof(struct rd) + 7u <= SFO_WORK_STATE, "SFO_WORK_STATE too small");

/* One endpoint call. */
struct call {
    const struct sfo_client *c;
    struct sfo_http_client http;
    struct rd *r; /* in work */
    size_t win;   /* window start in work (after *r) */
    size_t end;   /* start of the used tail of work */
    enum sfo__ep ep;
    const char *method;
    const char *bearer; /* access token for GET userinfo */
    bool anonymous;     /* no client authentication at all */
    struct sfo_http_field form[MAX_FORM];
    size_t nform;
    size_t nf;                /* slots in use */
    uint8_t gram[MAX_FIELDS]; /* enum gram of each slot */
    struct sfo_oauth_error *err;
    /* raw body copy (userinfo) */
    char *raw;
    size_t raw_cap, raw_len;
    int raw_err;
};

/* Take n bytes from the end of the working buffer (NULL when the window
 * would fall below its minimum). */
static char *take(struct call *k, size_t n)
{
    if (k->end - k->win < n || k->end - k->win - n < SFO_HTTP_WINDOW_MIN) {
        return NULL;
    }
    k->end -= n;
    return (char *)k->c->work + k->end;
}

/* Watch member name in slot, of type t, into buf (cap incl. NUL), checked against g. */
static void field(struct call *k, size_t slot, const char *name, enum sfo_field_type t, char *buf,
                  size_t cap, enum gram g)
{
    struct sfo_field *f = &k->r->f[slot];
    f->name = name;
    f->type = t;
    f->str = buf;
    f->cap = cap;
    k->gram[slot] = (uint8_t)g;
    if (k->nf <= slot) {
        k->nf = slot + 1u;
    }
}

/* Add name=v (n bytes, borrowed until the call ends) to the request form. */
static void form(struct call *k, const char *name, const char *v, size_t n)
{
    k->form[k->nform].name = name;
    k->form[k->nform].value = v;
    k->form[k->nform].value_len = n;
    k->nform++;
}

/* As form, for a NUL-terminated v. */
static void form_s(struct call *k, const char *name, const char *v)
{
    form(k, name, v, strlen(v));
}

/* A watched member of an answer: where its value goes in the caller's struct
 * (offset; cap 0 for a number or a boolean, which have no buffer), its
 * enum sfo_field_type and its enum gram. Names are kept apart, back to back. */
struct spec {
    uint16_t off, cap;
    uint8_t type, gram;
};
#define SPEC(st, m, t, g)                                                \
    {                                                                    \
        (uint16_t) offsetof(st, m), (uint16_t)sizeof(((st *)0)->m), t, g \
    }
#define NUM(g)                  \
    {                           \
        0, 0, SFO_FIELD_UINT, g \
    }

_Static_assert(sizeof(struct sfo_token) <= 0xFFFFu && sizeof(struct sfo_device) <= 0xFFFFu &&
                   sizeof(struct sfo_introspection) <= 0xFFFFu,
               "answer structs must fit struct spec's 16-bit offsets");

/* Error members, from the error string on: in struct sfo_oauth_error, or in
 * the same layout in scratch. */
static const char k_err_names[] = "error\0error_description";
static const struct spec k_err[S_FIRST] = {
    { 0, SFO_ERROR_MAX, SFO_FIELD_STRING, G_ERROR },
    { SFO_ERROR_MAX, SFO_ERROR_DESC_MAX, SFO_FIELD_STRING, G_ERROR_DESC },
};
_Static_assert(offsetof(struct sfo_oauth_error, error_description) ==
                   offsetof(struct sfo_oauth_error, error) + SFO_ERROR_MAX,
               "k_err: error_description follows error");

/* Token answer members, in the order of enum tok_slot. */
static const char k_tok_names[] = "access_token\0refresh_token\0instance_url\0id\0token_type\0"
                                  "scope\0issued_at\0signature\0id_token\0expires_in";
static const struct spec k_tok[T_END - S_FIRST] = {
    SPEC(struct sfo_token, access_token, SFO_FIELD_STRING, G_VSCHAR),
    SPEC(struct sfo_token, refresh_token, SFO_FIELD_STRING, G_VSCHAR),
    SPEC(struct sfo_token, instance_url, SFO_FIELD_STRING, G_HTTPS_URL),
    SPEC(struct sfo_token, id, SFO_FIELD_STRING, G_HTTPS_URL),
    SPEC(struct sfo_token, token_type, SFO_FIELD_STRING, G_TOKEN_TYPE),
    SPEC(struct sfo_token, scope, SFO_FIELD_STRING, G_SCOPE),
    SPEC(struct sfo_token, issued_at, SFO_FIELD_TEXT, G_DIGITS),
    SPEC(struct sfo_token, signature, SFO_FIELD_STRING, G_VSCHAR),
    SPEC(struct sfo_token, id_token, SFO_FIELD_STRING, G_VSCHAR),
    NUM(G_EXPIRES_IN),
};

#ifndef SFO_NO_DEVICE_FLOW
/* Device authorization answer members, in the order of enum dev_slot. */
static const char k_dev_names[] = "device_code\0user_code\0verification_uri\0"
                                  "verification_uri_complete\0interval\0expires_in";
static const struct spec k_dev[D_END - S_FIRST] = {
    SPEC(struct sfo_device, device_code, SFO_FIELD_STRING, G_VSCHAR),
    SPEC(struct sfo_device, user_code, SFO_FIELD_STRING, G_VSCHAR),
    SPEC(struct sfo_device, verification_uri, SFO_FIELD_STRING, G_HTTPS_URL),
    SPEC(struct sfo_device, verification_uri_complete, SFO_FIELD_STRING, G_HTTPS_URL),
    NUM(G_INTERVAL),
    NUM(G_EXPIRES_IN),
};
#endif

#ifndef SFO_NO_INTROSPECT
/* Introspection answer members, in the order of enum in_slot. */
static const char k_in_names[] = "active\0scope\0client_id\0username\0sub\0token_type\0"
                                 "exp\0iat\0nbf";
static const struct spec k_in[I_END - S_FIRST] = {
    { 0, 0, SFO_FIELD_BOOL, G_ANY },
    SPEC(struct sfo_introspection, scope, SFO_FIELD_STRING, G_SCOPE),
    SPEC(struct sfo_introspection, client_id, SFO_FIELD_STRING, G_TEXT),
    SPEC(struct sfo_introspection, username, SFO_FIELD_STRING, G_TEXT),
    SPEC(struct sfo_introspection, sub, SFO_FIELD_STRING, G_TEXT),
    SPEC(struct sfo_introspection, token_type, SFO_FIELD_STRING, G_TOKEN_TYPE),
    NUM(G_TIME),
    NUM(G_TIME),
    NUM(G_TIME),
};
#endif

/* Watch n members from slot S_FIRST (S_ERROR for k_err): names back to back
 * in names, specs in s, value buffers in the caller's struct at base. */
static void watch(struct call *k, const char *names, const struct spec *s, size_t n, void *base)
{
    size_t i, slot = s == k_err ? S_ERROR : S_FIRST;
    for (i = 0; i < n; i++, s++) {
        field(k, slot + i, names, (enum sfo_field_type)s->type,
              s->cap != 0u ? (char *)base + s->off : NULL, s->cap, (enum gram)s->gram);
        names += strlen(names) + 1u;
    }
}

/* A call to endpoint ep: the reading state at the aligned start of c->work,
 * the window after it, the error members in the first slots. */
static void call_init(struct call *k, const struct sfo_client *c, enum sfo__ep ep)
{
    size_t pad = (size_t)(0u - (uintptr_t)c->work) & 7u;
    memset(k, 0, sizeof *k);
    k->r = (struct rd *)(void *)(c->work + pad);
    memset(k->r, 0, sizeof *k->r);
    k->win = pad + sizeof *k->r;
    k->c = c;
    k->ep = ep;
    k->method = "POST";
    k->end = c->work_len;
    k->nf = S_FIRST;
}

/* Client authentication in the body (client_id, client_secret when known);
 * with basic_auth only client_id is not sent (the header carries both). */
static void client_auth(struct call *k)
{
    const struct sfo_client *c = k->c;
    if (c->basic_auth && c->client_secret != NULL) {
        return;
    }
    form_s(k, "client_id", c->client_id);
    if (c->client_secret != NULL) {
        form(k, "client_secret", (const char *)c->client_secret, c->client_secret_len);
    }
}

/* Body sink: the extractor, and the raw copy when asked for. Never stops the
 * transfer: an error sticks in the extractor / raw_err and is judged later,
 * so that error bodies (HTML, arrays) are drained without harm. */
static int sink(void *ctx, const uint8_t *data, size_t len)
{
    struct call *k = ctx;
    (void)sfo_extract_feed(&k->r->x, data, len);
#ifndef SFO_NO_USERINFO
    if (k->raw != NULL && k->raw_err == SFO_OK) {
        if (k->raw_cap - k->raw_len <= len) {
            k->raw_err = SFO_E_RESPONSE_TOO_LONG;
        } else {
            memcpy(k->raw + k->raw_len, data, len);
            k->raw_len += len;
            k->raw[k->raw_len] = '\0';
        }
    }
#endif
    return 0;
}

/* ---- value grammar ------------------------------------------------------------------ */

/* Byte classes of the value grammars, one bit each (RFC 6749 appendix A). */
enum {
    CL_VS = 1,    /* VSCHAR %x20-7E */
    CL_NQS = 2,   /* NQSCHAR: VSCHAR but '"' and '\\' */
    CL_VIS = 4,   /* VSCHAR but space */
    CL_NAME = 8,  /* ALPHA / DIGIT / "-" / "." / "_" */
    CL_DIG = 16,  /* DIGIT */
    NONEMPTY = 32 /* in k_gram: at least one byte */
};

/* Per enum gram (string grammars only): the class every byte needs, and
 * NONEMPTY. G_SCOPE's spaces and G_TEXT are judged apart. */
static const uint8_t k_gram[] = {
    [G_VSCHAR] = CL_VS | NONEMPTY,       [G_SCOPE] = CL_NQS,
    [G_ERROR] = CL_NQS | NONEMPTY,       [G_ERROR_DESC] = CL_NQS,
    [G_TOKEN_TYPE] = CL_NAME | NONEMPTY, [G_HTTPS_URL] = CL_VIS | NONEMPTY,
    [G_DIGITS] = CL_DIG | NONEMPTY,
};

/* The CL_* bits of byte c. */
static unsigned cls(unsigned char c)
{
    unsigned m = CL_VS | CL_NQS | CL_VIS;
    unsigned l = c | 0x20u;
    if (c < 0x20u || c > 0x7Eu) {
        return 0;
    }
    if (c == ' ') {
        m = CL_VS | CL_NQS;
    } else if (c == '"' || c == '\\') {
        m = CL_VS | CL_VIS;
    }
    if (c >= '0' && c <= '9') {
        m |= CL_DIG | CL_NAME;
    } else if ((l >= 'a' && l <= 'z') || c == '-' || c == '.' || c == '_') {
        m |= CL_NAME;
    }
    return m;
}

/* Is s (n) at least one byte when want has NONEMPTY, every byte of a class
 * in want? */
static bool all(const char *s, size_t n, unsigned want)
{
    size_t i;
    if (n == 0) {
        return (want & NONEMPTY) == 0u;
    }
    for (i = 0; i < n; i++) {
        if ((cls((unsigned char)s[i]) & want) == 0u) {
            return false;
        }
    }
    return true;
}

bool sfo__vschar_ok(const char *s, size_t n)
{
    return all(s, n, k_gram[G_VSCHAR]);
}

bool sfo__nqschar_ok(const char *s, size_t n, bool empty_ok)
{
    return all(s, n, k_gram[empty_ok ? G_ERROR_DESC : G_ERROR]);
}

/* UTF-8 text (the scanner validated the encoding) without C0, DEL or C1
 * (U+0080..U+009F, encoded C2 80..C2 9F). */
static bool text_ok(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20u || c == 0x7Fu ||
            (c == 0xC2u && i + 1u < n && (unsigned char)s[i + 1u] <= 0x9Fu)) {
            return false;
        }
    }
    return true;
}

/* Does string s (n) satisfy grammar g? Scope: NQCHAR runs split by single
 * spaces, or ""; token type: a name, or an absolute URI (visible bytes with
 * a scheme); https URL: visible bytes that sfo_url_parse takes as https. */
static bool string_ok(const char *s, size_t n, enum gram g)
{
    struct sfo_url u;
    size_t i;
    if (g == G_TEXT) {
        return text_ok(s, n);
    }
    if (g == G_SCOPE && n > 0 && (s[0] == ' ' || s[n - 1u] == ' ')) {
        return false;
    }
    for (i = 0; g == G_SCOPE && i + 1u < n; i++) {
        if (s[i] == ' ' && s[i + 1u] == ' ') {
            return false;
        }
    }
    if (g == G_TOKEN_TYPE && !all(s, n, k_gram[g])) {
        for (i = 0; i < n && s[i] != ':'; i++) {}
        return i > 0 && i < n && all(s, n, CL_VIS);
    }
    if (!all(s, n, k_gram[g])) {
        return false;
    }
    return g != G_HTTPS_URL || (sfo_url_parse(s, n, &u) == SFO_OK && u.https);
}

/* Is integer v within the range of grammar g? */
static bool int_ok(int64_t v, enum gram g)
{
    switch (g) {
    case G_EXPIRES_IN: return v >= 0 && v <= (int64_t)SFO_EXPIRES_IN_MAX;
    case G_INTERVAL: return v >= 1 && v <= (int64_t)SFO_DEVICE_INTERVAL_MAX;
    case G_TIME: return v >= 0 && v <= (int64_t)SFO_TIME_MAX;
    default: return true;
    }
}

/* Name the member at fault in the caller's error struct (when there is one). */
static int blame(struct call *k, const char *name, int rc)
{
    if (k->err != NULL) {
        k->err->field = name;
    }
    return rc;
}

/* Check the present members of slots [from, to) against their grammar.
 * Returns SFO_OK, SFO_E_BAD_VALUE or SFO_E_JSON_RANGE, naming the member. */
static int check_slots(struct call *k, size_t from, size_t to)
{
    size_t i;
    for (i = from; i < to; i++) {
        const struct sfo_field *f = &k->r->f[i];
        enum gram g = (enum gram)k->gram[i];
        if (!f->present || g == G_ANY) {
            continue;
        }
        if (f->type == SFO_FIELD_INT || f->type == SFO_FIELD_UINT) {
            if (!int_ok(f->ival, g)) {
                return blame(k, f->name, SFO_E_JSON_RANGE);
            }
        } else if (f->type != SFO_FIELD_BOOL && !string_ok(f->str, f->len, g)) {
            return blame(k, f->name, SFO_E_BAD_VALUE);
        }
    }
    return SFO_OK;
}

/* A 2xx answer the reader refused: xr from the extractor (its own faults
 * name the member; a value that does not fit is the server's, so
 * SFO_E_RESPONSE_TOO_LONG), else the raw copy's code. */
static int refused(struct call *k, int xr)
{
    const struct sfo_extract *x = &k->r->x;
    if (xr == SFO_OK) {
        return blame(k, "userinfo", k->raw_err);
    }
    if (xr == SFO_E_TOO_LONG) {
        xr = SFO_E_RESPONSE_TOO_LONG;
    }
    if (x->err != SFO_OK && x->current >= 0) {
        return blame(k, x->fields[x->current].name, xr);
    }
    return xr;
}

/* One exchange into resp, which is zeroed first so that it can be judged even
 * when no exchange took place. Returns the HTTP client's code. */
static int once(struct call *k, const char *host, const char *target, const char *authz,
                const struct sfo_url *u, int64_t deadline, struct sfo_http_response *resp)
{
    const struct sfo_port *pt = k->c->port;
    struct sfo_http_request rq;
    int64_t left = deadline - pt->mono_ms(pt->ctx);
    int rc;

    memset(resp, 0, sizeof *resp);
    if (left <= 0) {
        return SFO_E_DEADLINE;
    }
    k->http.timeout_ms = (int32_t)(left < (int64_t)k->c->timeout_ms ? left : k->c->timeout_ms);
    k->raw_len = 0;
    k->raw_err = SFO_OK;
    if (k->raw != NULL) {
        k->raw[0] = '\0';
    }
    rc = sfo_extract_init(&k->r->x, k->r->f, k->nf, k->r->stack, JSON_DEPTH);
    if (rc != SFO_OK) {
        return rc;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = k->method;
    rq.https = u->https;
    rq.host = host;
    rq.port = u->port;
    rq.target = target;
    rq.authorization = authz;
    rq.form = k->nform ? k->form : NULL;
    rq.form_n = k->nform;
    return sfo_http_request(&k->http, &rq, resp, sink, k);
}

/* Judge a finished exchange: SFO_OK (a 2xx answer, values checked),
 * SFO_E_OAUTH (an error answer, its strings checked), SFO_E_HTTP_STATUS, or
 * the code of what refused the answer. */
static int judge(struct call *k, int rc, const struct sfo_http_response *resp)
{
    struct sfo_field *e = &k->r->f[S_ERROR];
    int xr;
    if (rc == SFO_E_HTTP_SINK) {
        rc = resp->sink_err;
    }
    if (k->err != NULL) {
        k->err->http_status = resp->status; /* also when the parser refused the answer */
    }
    if (rc != SFO_OK) {
        /* the answer did not finish: strings caught on the way stay unchecked, so none is kept */
        sfo_wipe(e->str, e->cap);
        sfo_wipe(k->r->f[S_ERROR_DESC].str, k->r->f[S_ERROR_DESC].cap);
        return rc;
    }
    xr = sfo_extract_finish(&k->r->x);
    if (resp->status >= 200 && resp->status < 300) {
        if (xr != SFO_OK || k->raw_err != SFO_OK) {
            return refused(k, xr);
        }
        if (k->r->x.top != SFO_JSON_OBJECT_BEGIN && k->nf > S_FIRST) {
            return SFO_E_OAUTH_RESPONSE;
        }
        if (!e->present) {
            return check_slots(k, S_FIRST, k->nf);
        }
    } else if (k->r->x.err != SFO_OK && k->r->x.current >= 0 && k->r->x.current < S_FIRST) {
        return refused(k, xr); /* error or error_description does not fit, or not a string */
    } else if (xr != SFO_OK || !e->present) {
        /* error status: an OAuth error object, or only the status */
        if (k->err != NULL) {
            k->err->error[0] = '\0';
            k->err->error_description[0] = '\0';
        }
        return SFO_E_HTTP_STATUS;
    }
    rc = check_slots(k, S_ERROR, S_FIRST);
    if (rc != SFO_OK) {
        sfo_wipe(e->str, e->cap);
        sfo_wipe(k->r->f[S_ERROR_DESC].str, k->r->f[S_ERROR_DESC].cap);
        return rc;
    }
    return SFO_E_OAUTH;
}

uint32_t sfo__backoff_ms(unsigned attempt, uint32_t retry_after_s, uint32_t rnd)
{
    uint32_t w = SFO_BACKOFF_BASE_MS;
    if (retry_after_s > 0) {
        return retry_after_s >= SFO_BACKOFF_MAX_MS / 1000u ? SFO_BACKOFF_MAX_MS
                                                           : retry_after_s * 1000u;
    }
    while (--attempt > 0 && w < SFO_BACKOFF_MAX_MS / 2u) {
        w *= 2u;
    }
    if (w > SFO_BACKOFF_MAX_MS) {
        w = SFO_BACKOFF_MAX_MS;
    }
    return w / 2u + rnd % (w / 2u + 1u);
}

_Static_assert(SFO_E_CONNREFUSED == SFO_E_DNS - 1 && SFO_E_CONNECT == SFO_E_DNS - 2 &&
                   SFO_E_TIMEOUT == SFO_E_DNS - 3 && SFO_E_RESET == SFO_E_DNS - 4 &&
                   SFO_E_CLOSED == SFO_E_DNS - 5 && SFO_E_IO == SFO_E_DNS - 6,
               "retryable: the network codes are one run");

/* Is the verdict rc (with its response) worth another attempt? Transport
 * failures, 429 and 5xx are; OAuth 4xx answers and TLS verdicts are not. */
static bool retryable(int rc, const struct sfo_http_response *resp)
{
    if ((rc == SFO_E_HTTP_STATUS || rc == SFO_E_OAUTH) &&
        (resp->status == 429 || resp->status >= 500)) {
        return true;
    }
    /* SFO_E_DNS .. SFO_E_IO: every network failure but SFO_E_AGAIN */
    return (rc <= SFO_E_DNS && rc >= SFO_E_IO) || rc == SFO_E_TLS_CLOSED ||
           rc == SFO_E_HTTP_TRUNCATED;
}

/* Bind the error members to the caller's err, or to scratch in the tail when
 * the caller keeps none. Returns SFO_OK or SFO_E_TOO_LONG (working buffer). */
static int bind_errors(struct call *k)
{
    struct sfo_oauth_error *e = k->err;
    char *base;
    if (e != NULL) {
        memset(e, 0, sizeof *e);
        base = (char *)e + offsetof(struct sfo_oauth_error, error);
    } else {
        base = take(k, SFO_ERROR_MAX + SFO_ERROR_DESC_MAX);
        if (base == NULL) {
            return SFO_E_TOO_LONG;
        }
    }
    watch(k, k_err_names, k_err, S_FIRST, base);
    return SFO_OK;
}

/* The endpoint URL and its host, NUL-terminated, in the tail; *u describes
 * the URL, *host the host copy. Returns SFO_OK, SFO_E_ARG (no RFC device
 * endpoint), SFO_E_TOO_LONG (working buffer), SFO_E_INSECURE_URL (not https)
 * or sfo_url_parse's code. */
static int resolve_endpoint(struct call *k, struct sfo_url *u, char **host)
{
    const struct sfo_client *c = k->c;
    size_t n;
    char *url;
    int rc = sfo__ep_url(c, k->ep, NULL, 0, &n);
    if (rc != SFO_OK) {
        return rc;
    }
    url = take(k, n + 1u);
    if (url == NULL) {
        return SFO_E_TOO_LONG;
    }
    (void)sfo__ep_url(c, k->ep, url, n + 1u, NULL);
    rc = sfo__https_only(url, n);
    if (rc == SFO_OK) {
        rc = sfo_url_parse(url, n, u);
    }
    *host = rc == SFO_OK ? take(k, u->host_len + 1u) : NULL;
    if (*host == NULL) {
        return rc != SFO_OK ? rc : SFO_E_TOO_LONG;
    }
    memcpy(*host, u->host, u->host_len);
    (*host)[u->host_len] = '\0';
    if (u->fragment != NULL) {
        url[u->fragment - url - 1] = '\0';
    }
    if (u->path < url || u->path >= url + n) {
        u->path = "/"; /* no path in the URL; a bare query is dropped */
    }
    return SFO_OK;
}

/* The proxy's host (in the tail) and port for CONNECT, when one is set. */
static int bind_proxy(struct call *k)
{
    const char *purl = k->c->proxy_url;
#ifdef SFO_NO_PROXY
    return purl != NULL ? SFO_E_ARG : SFO_OK;
#else
    struct sfo_url pu;
    char *phost;
    int rc;
    if (purl == NULL) {
        return SFO_OK;
    }
    rc = sfo_url_parse(purl, strlen(purl), &pu);
    if (rc != SFO_OK) {
        return rc;
    }
    phost = take(k, pu.host_len + 1u);
    if (phost == NULL) {
        return SFO_E_TOO_LONG;
    }
    memcpy(phost, pu.host, pu.host_len);
    phost[pu.host_len] = '\0';
    k->http.proxy_host = phost;
    k->http.proxy_port = pu.port;
    return SFO_OK;
#endif
}

/* "Basic " base64(form(id) ":" form(secret)) into the tail as *authz; the
 * raw pair is wiped at once. */
static int basic_value(struct call *k, char **authz)
{
    const struct sfo_client *c = k->c;
    size_t il = sfo_form_encoded_len((const uint8_t *)c->client_id, strlen(c->client_id));
    size_t sl = sfo_form_encoded_len(c->client_secret, c->client_secret_len);
    char *raw;
    int rc;
    *authz = take(k, 7u + SFO_B64_LEN(il + 1u + sl));
    raw = *authz != NULL ? take(k, il + sl + 2u) : NULL;
    if (raw == NULL) {
        return SFO_E_TOO_LONG;
    }
    (void)sfo_form_encode((const uint8_t *)c->client_id, strlen(c->client_id), raw, il + 1u, NULL);
    raw[il] = ':';
    (void)sfo_form_encode(c->client_secret, c->client_secret_len, raw + il + 1u, sl + 1u, NULL);
    memcpy(*authz, "Basic ", 6);
    rc = sfo_b64_encode((const uint8_t *)raw, il + 1u + sl, *authz + 6,
                        SFO_B64_LEN(il + 1u + sl) + 1u, NULL);
    sfo_wipe(raw, il + sl + 2u);
    return rc;
}

#ifndef SFO_NO_USERINFO
/* "Bearer " + the access token into the tail as *authz (userinfo). Returns
 * SFO_OK or SFO_E_TOO_LONG. */
static int bearer_value(struct call *k, char **authz)
{
    size_t n = strlen(k->bearer);
    *authz = take(k, n + 8u);
    if (*authz == NULL) {
        return SFO_E_TOO_LONG;
    }
    memcpy(*authz, "Bearer ", 7);
    memcpy(*authz + 7, k->bearer, n + 1u);
    return SFO_OK;
}
#endif

/* The Authorization value into the tail: Bearer token (userinfo; left out
 * with SFO_NO_USERINFO), Basic client credentials, or none (*authz NULL).
 * Returns SFO_OK or SFO_E_TOO_LONG (working buffer). */
static int make_authz(struct call *k, char **authz)
{
    const struct sfo_client *c = k->c;
    *authz = NULL;
#ifndef SFO_NO_USERINFO
    if (k->bearer != NULL) {
        return bearer_value(k, authz);
    }
#endif
    if (!k->anonymous && c->basic_auth && c->client_secret != NULL) {
        return basic_value(k, authz);
    }
    return SFO_OK;
}

/* Run the exchange until a verdict that is not retryable, the retries are
 * spent, or the next wait would pass the deadline. Returns the last verdict. */
static int exchange(struct call *k, const char *host, const struct sfo_url *u, const char *authz,
                    int64_t deadline)
{
    const struct sfo_port *pt = k->c->port;
    struct sfo_http_response resp;
    unsigned attempt;
    int rc;
    k->http.port = pt;
    k->http.win = k->c->work + k->win;
    k->http.win_len = k->end - k->win;
    for (attempt = 0;; attempt++) {
        uint32_t wait, ra = 0, rnd = 0;
        rc = judge(k, once(k, host, u->path, authz, u, deadline, &resp), &resp);
        if (!retryable(rc, &resp) || attempt >= k->c->retries) {
            return rc;
        }
        if (resp.retry_after_s > 0 && resp.status != 0) {
            ra = (uint32_t)(resp.retry_after_s > 86400 ? 86400 : resp.retry_after_s);
        }
        (void)pt->random(pt->ctx, (uint8_t *)&rnd, sizeof rnd);
        wait = sfo__backoff_ms(attempt + 1u, ra, rnd);
        if (pt->mono_ms(pt->ctx) + (int64_t)wait >= deadline) {
            return rc;
        }
        sfo_http_close(&k->http);
        pt->sleep_ms(pt->ctx, wait);
    }
}

/* Prepare the endpoint, proxy and Authorization in the working buffer's
 * tail, then exchange with retries within the client's deadline. */
static int run(struct call *k)
{
    const struct sfo_port *pt = k->c->port;
    int64_t deadline = pt->mono_ms(pt->ctx) + (int64_t)k->c->deadline_ms;
    struct sfo_url u;
    char *host = NULL, *authz = NULL;
    int rc = bind_errors(k);
    if (rc == SFO_OK) {
        rc = resolve_endpoint(k, &u, &host);
    }
    if (rc == SFO_OK) {
        rc = bind_proxy(k);
    }
    if (rc == SFO_OK) {
        rc = make_authz(k, &authz);
    }
    return rc == SFO_OK ? exchange(k, host, &u, authz, deadline) : rc;
}

/* Release: close the connection, wipe the tail of the working buffer. */
static void done(struct call *k)
{
    sfo_http_close(&k->http);
    sfo_wipe(k->r, sizeof *k->r);
    sfo_wipe(k->c->work + k->end, k->c->work_len - k->end);
    sfo_wipe(k->form, sizeof k->form);
}

/* A client usable for calls that need no client id (revoke). */
static bool base_ok(const struct sfo_client *c)
{
    return c != NULL && c->port != NULL && c->login_url != NULL && c->work != NULL &&
           c->work_len >= SFO_WORK_MIN;
}

/* A client usable for calls that send its client_id (every call but revoke). */
static bool client_ok(const struct sfo_client *c)
{
    return base_ok(c) && c->client_id != NULL;
}

int sfo_client_init_checked(struct sfo_client *c, const struct sfo_port *port,
                            const char *login_url, const char *client_id, uint8_t *work,
                            size_t work_len, uint32_t sizes, uint32_t settings)
{
    if (sizes != SFO_ABI_SIZES || settings != SFO_CONFIG_SIGNATURE) {
        return SFO_E_ABI; /* *c may not even be as large as this library's struct */
    }
    if (c == NULL) {
        return SFO_E_ARG;
    }
    memset(c, 0, sizeof *c);
    c->port = port;
    c->login_url = login_url;
    c->client_id = client_id;
    c->work = work;
    c->work_len = work_len;
    c->timeout_ms = SFO_TIMEOUT_MS;
    c->deadline_ms = SFO_DEADLINE_MS;
    c->retries = SFO_RETRIES;
    if (!base_ok(c) || login_url[0] == '\0' || (client_id != NULL && client_id[0] == '\0')) {
        return SFO_E_ARG;
    }
    return SFO_OK;
}

void sfo_token_wipe(struct sfo_token *t)
{
    if (t != NULL) {
        sfo_wipe(t, sizeof *t);
        t->expires_in = -1;
    }
}

int sfo_signature_check(const struct sfo_port *port, const uint8_t *secret, size_t secret_len,
                        const char *id, const char *issued_at, const char *sig)
{
    uint8_t mac[SFO_SHA256_LEN];
    char b64[SFO_B64_LEN(SFO_SHA256_LEN) + 1u];
    struct sfo_iov iov[2];
    int rc;
    if (port == NULL || secret == NULL || id == NULL || issued_at == NULL || sig == NULL) {
        return SFO_E_ARG;
    }
    iov[0].ptr = id;
    iov[0].len = strlen(id);
    iov[1].ptr = issued_at;
    iov[1].len = strlen(issued_at);
    rc = port->hmac_sha256(port->ctx, secret, secret_len, iov, 2, mac);
    if (rc == SFO_OK) {
        rc = sfo_b64_encode(mac, sizeof mac, b64, sizeof b64, NULL);
    }
    if (rc == SFO_OK) {
        rc = strlen(sig) == SFO_B64_LEN(SFO_SHA256_LEN) &&
                     sfo_ct_equal(sig, b64, SFO_B64_LEN(SFO_SHA256_LEN))
                 ? SFO_OK
                 : SFO_E_SIGNATURE;
    }
    sfo_wipe(mac, sizeof mac);
    return rc;
}

/*
 * Token call: watch the token members, run, check the result (access_token
 * required, Salesforce signature verified when the secret is known). The
 * caller has set up the form.
 */
static int token_call(struct call *k, struct sfo_token *t)
{
    const struct sfo_client *c = k->c;
    int rc;
    watch(k, k_tok_names, k_tok, T_END - S_FIRST, t);
    k->err = &t->err;
    rc = run(k);
    if (rc == SFO_OK && !k->r->f[T_ACCESS].present) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    if (rc == SFO_OK && k->r->f[T_EXPIRES].present) {
        t->expires_in = k->r->f[T_EXPIRES].ival;
    }
    if (rc == SFO_OK && t->signature[0] != '\0' && c->client_secret != NULL) {
        rc = sfo_signature_check(c->port, c->client_secret, c->client_secret_len, t->id,
                                 t->issued_at, t->signature);
        t->signature_verified = rc == SFO_OK;
    }
    return rc;
}

/* Wipe the answer struct obj (size bytes) except its member err. */
static void wipe_but_err(void *obj, size_t size, const struct sfo_oauth_error *err)
{
    size_t off = (size_t)((const char *)err - (const char *)obj);
    sfo_wipe(obj, off);
    sfo_wipe((char *)obj + off + sizeof *err, size - off - sizeof *err);
}

/* Clear a token for a new answer, keeping nothing but err reset. */
static void tok_reset(struct sfo_token *t)
{
    sfo_token_wipe(t);
}

/* On failure wipe everything but the error part. */
static int tok_finish(struct call *k, struct sfo_token *t, int rc)
{
    done(k);
    if (rc != SFO_OK) {
        wipe_but_err(t, sizeof *t, &t->err);
        t->expires_in = -1;
    }
    return rc;
}

/* Start a token grant: tok cleared, a token endpoint call, grant_type gt. */
static void grant_init(struct call *k, const struct sfo_client *c, struct sfo_token *tok,
                       const char *gt)
{
    tok_reset(tok);
    call_init(k, c, SFO__EP_TOKEN);
    form_s(k, "grant_type", gt);
}

/* End a token grant: the client's authentication, the call, the release.
 * Returns what token_call returns; on failure tok keeps only its err. */
static int grant_run(struct call *k, struct sfo_token *tok)
{
    client_auth(k);
    return tok_finish(k, tok, token_call(k, tok));
}

int sfo_jwt_bearer(const struct sfo_client *c, const struct sfo_jwt *j, struct sfo_token *tok)
{
    struct call k;
    size_t n;
    char *a, *w;
    int rc;
    if (!client_ok(c) || tok == NULL) {
        return SFO_E_ARG;
    }
    tok_reset(tok);
    call_init(&k, c, SFO__EP_TOKEN);
    /* build in the whole window and tail, then keep it at the very end */
    w = (char *)c->work + k.win;
    rc = sfo_jwt_build(c, j, w, c->work_len - k.win, &n);
    if (rc == SFO_OK) {
        memmove(c->work + c->work_len - n - 1u, w, n + 1u);
        sfo_wipe(w, c->work_len - k.win - n - 1u);
        a = take(&k, n + 1u);
        rc = a == NULL ? SFO_E_TOO_LONG : SFO_OK;
    }
    if (rc != SFO_OK) {
        sfo_wipe(c->work, c->work_len);
        return rc;
    }
    form_s(&k, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
    form(&k, "assertion", a, n);
    rc = token_call(&k, tok);
    return tok_finish(&k, tok, rc);
}

int sfo_code_exchange(const struct sfo_client *c, const char *code, const char *redirect_uri,
                      const struct sfo_authz *s, struct sfo_token *tok)
{
    struct call k;
    if (!client_ok(c) || code == NULL || redirect_uri == NULL || tok == NULL) {
        return SFO_E_ARG;
    }
    grant_init(&k, c, tok, "authorization_code");
    form_s(&k, "code", code);
    form_s(&k, "redirect_uri", redirect_uri);
    if (s != NULL && s->verifier[0] != '\0') {
        form_s(&k, "code_verifier", s->verifier);
    }
    return grant_run(&k, tok);
}

int sfo_refresh(const struct sfo_client *c, struct sfo_token *tok)
{
    struct call k;
    char *rt;
    size_t n;
    int rc;
    if (!client_ok(c) || tok == NULL || tok->refresh_token[0] == '\0') {
        return SFO_E_ARG;
    }
    call_init(&k, c, SFO__EP_TOKEN);
    /* the old refresh token moves to the tail; the answer's one is caught in
     * the token struct and copied back if absent */
    n = strlen(tok->refresh_token);
    rt = take(&k, n + 1u);
    if (rt == NULL) {
        return SFO_E_TOO_LONG;
    }
    memcpy(rt, tok->refresh_token, n + 1u);
    tok_reset(tok);
    form_s(&k, "grant_type", "refresh_token");
    form(&k, "refresh_token", rt, n);
    client_auth(&k);
    rc = token_call(&k, tok);
    if (rc != SFO_OK) {
        wipe_but_err(tok, sizeof *tok, &tok->err);
        tok->expires_in = -1;
    }
    if (rc != SFO_OK || !k.r->f[T_REFRESH].present) {
        memcpy(tok->refresh_token, rt, n + 1u); /* n < sizeof: it came from there */
    }
    done(&k);
    return rc;
}

int sfo_client_credentials(const struct sfo_client *c, const char *scope, struct sfo_token *tok)
{
    struct call k;
    if (!client_ok(c) || tok == NULL || c->client_secret == NULL) {
        return SFO_E_ARG;
    }
    grant_init(&k, c, tok, "client_credentials");
    if (scope != NULL) {
        form_s(&k, "scope", scope);
    }
    return grant_run(&k, tok);
}

int sfo_password_grant(const struct sfo_client *c, const char *username, const char *password,
                       size_t password_len, struct sfo_token *tok)
{
    struct call k;
    if (!client_ok(c) || !c->allow_password || username == NULL || password == NULL ||
        tok == NULL) {
        return SFO_E_ARG;
    }
    grant_init(&k, c, tok, "password");
    form_s(&k, "username", username);
    form(&k, "password", password, password_len);
    return grant_run(&k, tok);
}

#ifndef SFO_NO_DEVICE_FLOW
/* Device authorization answer: device_code, user_code, verification_uri
 * required; interval (default 5 s) and expires_in (-1 when absent) in range. */
static int device_call(struct call *k, struct sfo_device *d)
{
    const struct sfo_field *f = k->r->f;
    int rc;
    watch(k, k_dev_names, k_dev, D_END - S_FIRST, d);
    k->err = &d->err;
    rc = run(k);
    if (rc == SFO_OK &&
        (!f[D_DEVICE_CODE].present || !f[D_USER_CODE].present || !f[D_URI].present)) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    d->interval_s = f[D_INTERVAL].present ? (uint32_t)f[D_INTERVAL].ival : 5u;
    d->expires_in = f[D_EXPIRES].present ? f[D_EXPIRES].ival : -1;
    return rc;
}

int sfo_device_start(const struct sfo_client *c, const char *scope, struct sfo_device *d)
{
    struct call k;
    bool rfc;
    int rc;
    if (!client_ok(c) || d == NULL) {
        return SFO_E_ARG;
    }
    rfc = c->dialect == SFO_DIALECT_RFC;
    memset(d, 0, sizeof *d);
    call_init(&k, c, rfc ? SFO__EP_DEVICE : SFO__EP_TOKEN);
    if (!rfc) {
        form_s(&k, "response_type", "device_code");
    }
    if (scope != NULL) {
        form_s(&k, "scope", scope);
    }
    client_auth(&k);
    rc = device_call(&k, d);
    done(&k);
    if (rc != SFO_OK) {
        wipe_but_err(d, sizeof *d, &d->err);
    }
    return rc;
}

int sfo_device_poll(const struct sfo_client *c, struct sfo_device *d, uint32_t max_wait_s,
                    struct sfo_token *tok)
{
    const struct sfo_port *pt;
    int64_t end;
    int rc;
    if (!client_ok(c) || d == NULL || tok == NULL || d->device_code[0] == '\0') {
        return SFO_E_ARG;
    }
    pt = c->port;
    if (d->expires_in > 0 && (uint64_t)d->expires_in < max_wait_s) {
        max_wait_s = (uint32_t)d->expires_in;
    }
    end = pt->mono_ms(pt->ctx) + (int64_t)max_wait_s * 1000;
    for (;;) {
        struct call k;
        if (pt->mono_ms(pt->ctx) + (int64_t)d->interval_s * 1000 > end) {
            tok_reset(tok);
            return SFO_E_DEADLINE;
        }
        pt->sleep_ms(pt->ctx, d->interval_s * 1000u);
        if (c->dialect == SFO_DIALECT_RFC) {
            grant_init(&k, c, tok, "urn:ietf:params:oauth:grant-type:device_code");
            form_s(&k, "device_code", d->device_code);
        } else {
            grant_init(&k, c, tok, "device");
            form_s(&k, "code", d->device_code);
        }
        rc = grant_run(&k, tok);
        if (rc != SFO_E_OAUTH) {
            return rc;
        }
        if (memcmp(tok->err.error, "slow_down", 10) == 0) {
            d->interval_s += 5u;
        } else if (memcmp(tok->err.error, "authorization_pending", 22) != 0) {
            return rc;
        }
    }
}
#endif /* SFO_NO_DEVICE_FLOW */

int sfo_revoke(const struct sfo_client *c, const char *token, struct sfo_oauth_error *err)
{
    struct call k;
    int rc;
    if (!base_ok(c) || token == NULL) {
        return SFO_E_ARG;
    }
    call_init(&k, c, SFO__EP_REVOKE);
    form_s(&k, "token", token);
    if (c->client_id != NULL) {
        client_auth(&k);
    } else {
        k.anonymous = true;
    }
    k.err = err;
    /* any body (often empty) is fine on 200: no object required */
    rc = run(&k);
    if (rc == SFO_E_JSON_INCOMPLETE || rc == SFO_E_JSON_SYNTAX) {
        rc = SFO_OK;
    }
    done(&k);
    return rc;
}

#ifndef SFO_NO_INTROSPECT
/* Introspection answer: active required; strings and times checked. */
static int introspect_call(struct call *k, struct sfo_introspection *o)
{
    const struct sfo_field *f = k->r->f;
    int rc;
    watch(k, k_in_names, k_in, I_END - S_FIRST, o);
    k->err = &o->err;
    rc = run(k);
    if (rc == SFO_OK && !f[I_ACTIVE].present) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    o->active = f[I_ACTIVE].bval;
    o->exp = f[I_EXP].ival;
    o->iat = f[I_IAT].ival;
    o->nbf = f[I_NBF].ival;
    return rc;
}

int sfo_introspect(const struct sfo_client *c, const char *token, const char *hint,
                   struct sfo_introspection *o)
{
    struct call k;
    int rc;
    if (!client_ok(c) || token == NULL || o == NULL) {
        return SFO_E_ARG;
    }
    memset(o, 0, sizeof *o);
    call_init(&k, c, SFO__EP_INTROSPECT);
    form_s(&k, "token", token);
    if (hint != NULL) {
        form_s(&k, "token_type_hint", hint);
    }
    client_auth(&k);
    rc = introspect_call(&k, o);
    done(&k);
    if (rc != SFO_OK) {
        wipe_but_err(o, sizeof *o, &o->err);
    }
    return rc;
}
#endif /* SFO_NO_INTROSPECT */

#ifndef SFO_NO_USERINFO
/* Value of the 4 hex digits at s (the JSON scanner has checked them). */
static unsigned hex4(const char *s)
{
    unsigned v = 0;
    size_t i;
    for (i = 0; i < 4u; i++) {
        unsigned c = (unsigned char)s[i];
        v = v * 16u + (c <= '9' ? c - '0' : (c | 0x20u) - 'a' + 10u);
    }
    return v;
}

/* Does a valid JSON text carry a C0/C1 control character or DEL in a string,
 * raw (DEL, C2 80..9F; raw C0 cannot be in a string) or escaped? */
static bool json_has_controls(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7Fu || (c == 0xC2u && i + 1u < n && (unsigned char)s[i + 1u] <= 0x9Fu)) {
            return true;
        }
        if (c != '\\' || i + 1u >= n) {
            continue;
        }
        c = (unsigned char)s[++i];
        if (c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
            return true;
        }
        if (c == 'u' && i + 4u < n) {
            unsigned v = hex4(s + i + 1u);
            if (v < 0x20u || (v >= 0x7Fu && v <= 0x9Fu)) {
                return true;
            }
            i += 4u;
        }
    }
    return false;
}

int sfo_userinfo(const struct sfo_client *c, const char *access_token, char *out, size_t cap,
                 size_t *out_len, struct sfo_oauth_error *err)
{
    struct call k;
    int rc;
    if (!client_ok(c) || access_token == NULL || out == NULL || cap == 0) {
        return SFO_E_ARG;
    }
    call_init(&k, c, SFO__EP_USERINFO);
    k.method = "GET";
    k.bearer = access_token;
    k.raw = out;
    k.raw_cap = cap;
    k.err = err;
    rc = run(&k);
    if (rc == SFO_OK && k.r->x.top != SFO_JSON_OBJECT_BEGIN) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    if (rc == SFO_OK && json_has_controls(out, k.raw_len)) {
        rc = blame(&k, "userinfo", SFO_E_BAD_VALUE);
    }
    if (rc != SFO_OK) {
        k.raw_len = 0;
        out[0] = '\0';
    }
    if (out_len != NULL) {
        *out_len = k.raw_len;
    }
    done(&k);
    return rc;
}
#endif /* SFO_NO_USERINFO */
