/*
 * Token endpoint calls: form bodies, client authentication, retries, and
 * reading token / error JSON straight from the HTTP body sink through the
 * field extractor. Salesforce signature check. The grants built on it.
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
#include <string.h>
#include "oauth_int.h"
#include "sfo_http.h"

#define JSON_DEPTH 8u
#define MAX_FORM 8u
#define MAX_FIELDS 12u
#if SFO_ERROR_MAX < 24
#error "SFO_ERROR_MAX must hold authorization_pending"
#endif

/* Response-reading state, at the aligned start of the working buffer. */
struct rd {
    struct sfo_field f[MAX_FIELDS];  /* caller's fields, then error, error_description */
    struct sfo_extract x;
    uint8_t stack[SFO_JSON_STACK_BYTES(JSON_DEPTH)];
};
_Static_assert(sizeof(struct rd) + 7u <= SFO_WORK_STATE, "SFO_WORK_STATE too small");

/* One endpoint call. */
struct call {
    const struct sfo_client *c;
    struct sfo_http_client http;
    struct rd *r;                    /* in work */
    size_t win;                      /* window start in work (after *r) */
    size_t end;                      /* start of the used tail of work */
    enum sfo__ep ep;
    const char *method;
    const char *bearer;              /* access token for GET userinfo */
    struct sfo_http_field form[MAX_FORM];
    size_t nform;
    size_t nf;
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

static void field(struct call *k, const char *name, enum sfo_field_type t, char *buf, size_t cap)
{
    struct sfo_field *f = &k->r->f[k->nf++];
    f->name = name;
    f->type = t;
    f->str = buf;
    f->cap = cap;
}

static void form(struct call *k, const char *name, const char *v, size_t n)
{
    k->form[k->nform].name = name;
    k->form[k->nform].value = v;
    k->form[k->nform].value_len = n;
    k->nform++;
}

static void form_s(struct call *k, const char *name, const char *v)
{
    form(k, name, v, strlen(v));
}

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
            k->raw_err = SFO_E_TOO_LONG;
        } else {
            memcpy(k->raw + k->raw_len, data, len);
            k->raw_len += len;
            k->raw[k->raw_len] = '\0';
        }
    }
#endif
    return 0;
}

static bool retryable_rc(int rc)
{
    return rc == SFO_E_DNS || rc == SFO_E_CONNREFUSED || rc == SFO_E_CONNECT ||
           rc == SFO_E_TIMEOUT || rc == SFO_E_RESET || rc == SFO_E_CLOSED ||
           rc == SFO_E_IO || rc == SFO_E_TLS_CLOSED || rc == SFO_E_HTTP_TRUNCATED;
}

/* One exchange. *status receives the HTTP status (0 when none). */
static int once(struct call *k, const char *host, const char *target, const char *authz,
                bool https, uint16_t port, int64_t deadline, struct sfo_http_response *resp)
{
    const struct sfo_port *pt = k->c->port;
    struct sfo_http_request rq;
    int64_t left = deadline - pt->mono_ms(pt->ctx);
    int rc;

    memset(resp, 0, sizeof *resp); /* judged even when no exchange took place */
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
    rq.https = https;
    rq.host = host;
    rq.port = port;
    rq.target = target;
    rq.authorization = authz;
    rq.form = k->nform ? k->form : NULL;
    rq.form_n = k->nform;
    return sfo_http_request(&k->http, &rq, resp, sink, k);
}

/* Judge a finished exchange. */
static int judge(struct call *k, int rc, const struct sfo_http_response *resp)
{
    struct sfo_field *e = &k->r->f[k->nf - 2u];
    int xr;
    if (rc == SFO_E_HTTP_SINK) {
        rc = resp->sink_err;
    }
    if (k->err != NULL) {
        k->err->http_status = resp->status; /* also when the parser refused the answer */
    }
    if (rc != SFO_OK) {
        return rc;
    }
    xr = sfo_extract_finish(&k->r->x);
    if (resp->status >= 200 && resp->status < 300) {
        if (xr != SFO_OK) {
            return xr;
        }
        if (k->raw_err != SFO_OK) {
            return k->raw_err;
        }
        if (k->r->x.top != SFO_JSON_OBJECT_BEGIN && k->nf > 2u) {
            return SFO_E_OAUTH_RESPONSE;
        }
        return e->present ? SFO_E_OAUTH : SFO_OK;
    }
    /* error status: an OAuth error object, or only the status */
    if (xr == SFO_OK && e->present) {
        return SFO_E_OAUTH;
    }
    if (k->err != NULL) {
        k->err->error[0] = '\0';
        k->err->error_description[0] = '\0';
    }
    return SFO_E_HTTP_STATUS;
}

/* Resolve the endpoint, add client Basic credentials when configured, run the
 * exchange with retries. */
static int run(struct call *k)
{
    const struct sfo_client *c = k->c;
    const struct sfo_port *pt = c->port;
    struct sfo_http_response resp;
    struct sfo_url u;
    char *url, *host, *authz = NULL;
    size_t n, room;
    int64_t deadline = pt->mono_ms(pt->ctx) + (int64_t)c->deadline_ms;
    unsigned attempt;
    int rc;

    if (k->err != NULL) {
        memset(k->err, 0, sizeof *k->err);
    }
    field(k, "error", SFO_FIELD_STRING, k->err ? k->err->error : NULL,
          k->err ? sizeof k->err->error : 0);
    field(k, "error_description", SFO_FIELD_STRING, k->err ? k->err->error_description : NULL,
          k->err ? sizeof k->err->error_description : 0);
    if (k->err == NULL) {
        /* nowhere to keep the strings: catch the member as TEXT of size 0?
         * no: use the window-free tail for a small buffer */
        struct sfo_field *f = &k->r->f[k->nf - 2u];
        f[0].str = take(k, SFO_ERROR_MAX);
        f[0].cap = SFO_ERROR_MAX;
        f[1].str = take(k, SFO_ERROR_DESC_MAX);
        f[1].cap = SFO_ERROR_DESC_MAX;
        if (f[1].str == NULL) {
            return SFO_E_TOO_LONG;
        }
    }

    /* endpoint URL and its host, NUL-terminated, in the tail; the URL is first
     * written above the window's minimum to learn its length, and that copy
     * (whole or, when it does not fit, partial) is wiped at once */
    room = k->end - k->win > SFO_HTTP_WINDOW_MIN ? k->end - k->win - SFO_HTTP_WINDOW_MIN : 0u;
    url = (char *)c->work + k->win + SFO_HTTP_WINDOW_MIN;
    rc = room > 0u ? sfo__ep_url(c, k->ep, url, room, &n) : SFO_E_TOO_LONG;
    if (room > 0u) {
        sfo_wipe(url, room);
    }
    if (rc != SFO_OK) {
        return rc;
    }
    url = take(k, n + 1u);
    if (url == NULL) {
        return SFO_E_TOO_LONG;
    }
    (void)sfo__ep_url(c, k->ep, url, n + 1u, NULL);
    rc = sfo_url_parse(url, n, &u);
    if (rc != SFO_OK) {
        return rc;
    }
    host = take(k, u.host_len + 1u);
    if (host == NULL) {
        return SFO_E_TOO_LONG;
    }
    memcpy(host, u.host, u.host_len);
    host[u.host_len] = '\0';
    if (u.fragment != NULL) {
        url[u.fragment - url - 1] = '\0';
    }
    if (u.path < url || u.path >= url + n) {
        u.path = "/"; /* no path in the URL; a bare query is dropped */
    }

    /* proxy */
#ifdef SFO_NO_PROXY
    if (c->proxy_url != NULL) {
        return SFO_E_ARG;
    }
#else
    if (c->proxy_url != NULL) {
        struct sfo_url pu;
        char *phost;
        rc = sfo_url_parse(c->proxy_url, strlen(c->proxy_url), &pu);
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
    }
#endif

    /* Authorization: Bearer token, or Basic form(id):form(secret) */
    if (k->bearer != NULL) {
        n = strlen(k->bearer);
        authz = take(k, n + 8u);
        if (authz == NULL) {
            return SFO_E_TOO_LONG;
        }
        memcpy(authz, "Bearer ", 7);
        memcpy(authz + 7, k->bearer, n + 1u);
    } else if (c->basic_auth && c->client_secret != NULL) {
        size_t il = sfo_form_encoded_len((const uint8_t *)c->client_id, strlen(c->client_id));
        size_t sl = sfo_form_encoded_len(c->client_secret, c->client_secret_len);
        char *raw;
        authz = take(k, 7u + SFO_B64_LEN(il + 1u + sl));
        raw = authz != NULL ? take(k, il + sl + 2u) : NULL;
        if (raw == NULL) {
            return SFO_E_TOO_LONG;
        }
        (void)sfo_form_encode((const uint8_t *)c->client_id, strlen(c->client_id), raw,
                              il + 1u, NULL);
        raw[il] = ':';
        (void)sfo_form_encode(c->client_secret, c->client_secret_len, raw + il + 1u,
                              sl + 1u, NULL);
        memcpy(authz, "Basic ", 6);
        rc = sfo_b64_encode((const uint8_t *)raw, il + 1u + sl, authz + 6,
                            SFO_B64_LEN(il + 1u + sl) + 1u, NULL);
        sfo_wipe(raw, il + sl + 2u);
        if (rc != SFO_OK) {
            return rc;
        }
    }

    k->http.port = pt;
    k->http.win = c->work + k->win;
    k->http.win_len = k->end - k->win;
    for (attempt = 0;; attempt++) {
        uint32_t wait, rnd = 0;
        rc = once(k, host, u.path, authz, u.https, u.port, deadline, &resp);
        rc = judge(k, rc, &resp);
        if (!(retryable_rc(rc) ||
              ((rc == SFO_E_HTTP_STATUS || rc == SFO_E_OAUTH) &&
               (resp.status == 429 || resp.status >= 500))) ||
            attempt >= c->retries) {
            break;
        }
        (void)pt->random(pt->ctx, (uint8_t *)&rnd, sizeof rnd);
        wait = sfo__backoff_ms(attempt + 1u,
                               resp.retry_after_s > 0 && resp.status != 0
                                   ? (uint32_t)(resp.retry_after_s > 86400 ? 86400
                                                                           : resp.retry_after_s)
                                   : 0u,
                               rnd);
        if (pt->mono_ms(pt->ctx) + (int64_t)wait >= deadline) {
            break;
        }
        sfo_http_close(&k->http);
        pt->sleep_ms(pt->ctx, wait);
    }
    return rc;
}

/* Release: close the connection, wipe the tail of the working buffer. */
static void done(struct call *k)
{
    sfo_http_close(&k->http);
    sfo_wipe(k->r, sizeof *k->r);
    sfo_wipe(k->c->work + k->end, k->c->work_len - k->end);
    sfo_wipe(k->form, sizeof k->form);
}

static bool client_ok(const struct sfo_client *c)
{
    return c != NULL && c->port != NULL && c->login_url != NULL && c->client_id != NULL &&
           c->work != NULL && c->work_len >= SFO_WORK_MIN;
}

int sfo_client_init(struct sfo_client *c, const struct sfo_port *port,
                    const char *login_url, const char *client_id,
                    uint8_t *work, size_t work_len)
{
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
    if (!client_ok(c) || login_url[0] == '\0' || client_id[0] == '\0') {
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
 * Token call: watch the token members, run,
 * check the result. The caller has set up the form.
 */
static int token_call(struct call *k, struct sfo_token *t)
{
    const struct sfo_client *c = k->c;
    int rc;
    field(k, "access_token", SFO_FIELD_STRING, t->access_token, sizeof t->access_token);
    field(k, "refresh_token", SFO_FIELD_STRING, t->refresh_token, sizeof t->refresh_token);
    field(k, "instance_url", SFO_FIELD_STRING, t->instance_url, sizeof t->instance_url);
    field(k, "id", SFO_FIELD_STRING, t->id, sizeof t->id);
    field(k, "token_type", SFO_FIELD_STRING, t->token_type, sizeof t->token_type);
    field(k, "scope", SFO_FIELD_STRING, t->scope, sizeof t->scope);
    field(k, "issued_at", SFO_FIELD_TEXT, t->issued_at, sizeof t->issued_at);
    field(k, "signature", SFO_FIELD_STRING, t->signature, sizeof t->signature);
    field(k, "id_token", SFO_FIELD_STRING, t->id_token, sizeof t->id_token);
    field(k, "expires_in", SFO_FIELD_INT, NULL, 0);
    k->err = &t->err;
    rc = run(k);
    if (rc == SFO_OK && !k->r->f[0].present) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    if (rc == SFO_OK && k->r->f[9].present) {
        t->expires_in = k->r->f[9].ival;
    }
    if (rc == SFO_OK && t->signature[0] != '\0' && c->client_secret != NULL) {
        rc = sfo_signature_check(c->port, c->client_secret, c->client_secret_len, t->id,
                                 t->issued_at, t->signature);
        t->signature_verified = rc == SFO_OK;
    }
    return rc;
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
        struct sfo_oauth_error e = t->err;
        sfo_token_wipe(t);
        t->err = e;
    }
    return rc;
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
    tok_reset(tok);
    call_init(&k, c, SFO__EP_TOKEN);
    form_s(&k, "grant_type", "authorization_code");
    form_s(&k, "code", code);
    form_s(&k, "redirect_uri", redirect_uri);
    if (s != NULL && s->verifier[0] != '\0') {
        form_s(&k, "code_verifier", s->verifier);
    }
    client_auth(&k);
    return tok_finish(&k, tok, token_call(&k, tok));
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
        struct sfo_oauth_error e = tok->err;
        sfo_token_wipe(tok);
        tok->err = e;
    }
    if (rc != SFO_OK || !k.r->f[1].present) {
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
    tok_reset(tok);
    call_init(&k, c, SFO__EP_TOKEN);
    form_s(&k, "grant_type", "client_credentials");
    if (scope != NULL) {
        form_s(&k, "scope", scope);
    }
    client_auth(&k);
    return tok_finish(&k, tok, token_call(&k, tok));
}

int sfo_password_grant(const struct sfo_client *c, const char *username,
                       const char *password, size_t password_len, struct sfo_token *tok)
{
    struct call k;
    if (!client_ok(c) || !c->allow_password || username == NULL || password == NULL ||
        tok == NULL) {
        return SFO_E_ARG;
    }
    tok_reset(tok);
    call_init(&k, c, SFO__EP_TOKEN);
    form_s(&k, "grant_type", "password");
    form_s(&k, "username", username);
    form(&k, "password", password, password_len);
    client_auth(&k);
    return tok_finish(&k, tok, token_call(&k, tok));
}

#ifndef SFO_NO_DEVICE_FLOW
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
    field(&k, "device_code", SFO_FIELD_STRING, d->device_code, sizeof d->device_code);
    field(&k, "user_code", SFO_FIELD_STRING, d->user_code, sizeof d->user_code);
    field(&k, "verification_uri", SFO_FIELD_STRING, d->verification_uri,
          sizeof d->verification_uri);
    field(&k, "verification_uri_complete", SFO_FIELD_STRING, d->verification_uri_complete,
          sizeof d->verification_uri_complete);
    field(&k, "interval", SFO_FIELD_INT, NULL, 0);
    field(&k, "expires_in", SFO_FIELD_INT, NULL, 0);
    k.err = &d->err;
    rc = run(&k);
    if (rc == SFO_OK && (!k.r->f[0].present || !k.r->f[1].present || !k.r->f[2].present)) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    d->interval_s = 5;
    if (k.r->f[4].present && k.r->f[4].ival > 0 && k.r->f[4].ival <= 3600) {
        d->interval_s = (uint32_t)k.r->f[4].ival;
    }
    d->expires_in = k.r->f[5].present ? k.r->f[5].ival : -1;
    done(&k);
    if (rc != SFO_OK) {
        struct sfo_oauth_error e = d->err;
        sfo_wipe(d, sizeof *d);
        d->err = e;
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
        tok_reset(tok);
        call_init(&k, c, SFO__EP_TOKEN);
        if (c->dialect == SFO_DIALECT_RFC) {
            form_s(&k, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
            form_s(&k, "device_code", d->device_code);
        } else {
            form_s(&k, "grant_type", "device");
            form_s(&k, "code", d->device_code);
        }
        client_auth(&k);
        rc = tok_finish(&k, tok, token_call(&k, tok));
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
    if (!client_ok(c) || token == NULL) {
        return SFO_E_ARG;
    }
    call_init(&k, c, SFO__EP_REVOKE);
    form_s(&k, "token", token);
    client_auth(&k);
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
    field(&k, "active", SFO_FIELD_BOOL, NULL, 0);
    field(&k, "scope", SFO_FIELD_STRING, o->scope, sizeof o->scope);
    field(&k, "client_id", SFO_FIELD_STRING, o->client_id, sizeof o->client_id);
    field(&k, "username", SFO_FIELD_STRING, o->username, sizeof o->username);
    field(&k, "sub", SFO_FIELD_STRING, o->sub, sizeof o->sub);
    field(&k, "token_type", SFO_FIELD_STRING, o->token_type, sizeof o->token_type);
    field(&k, "exp", SFO_FIELD_INT, NULL, 0);
    field(&k, "iat", SFO_FIELD_INT, NULL, 0);
    field(&k, "nbf", SFO_FIELD_INT, NULL, 0);
    k.err = &o->err;
    rc = run(&k);
    if (rc == SFO_OK && !k.r->f[0].present) {
        rc = SFO_E_OAUTH_RESPONSE;
    }
    o->active = k.r->f[0].bval;
    o->exp = k.r->f[6].ival;
    o->iat = k.r->f[7].ival;
    o->nbf = k.r->f[8].ival;
    done(&k);
    return rc;
}
#endif /* SFO_NO_INTROSPECT */

#ifndef SFO_NO_USERINFO
int sfo_userinfo(const struct sfo_client *c, const char *access_token,
                 char *out, size_t cap, size_t *out_len, struct sfo_oauth_error *err)
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
