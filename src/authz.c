/*
 * Endpoint URLs, authorization code flow front half: authorize URL with state
 * and PKCE (RFC 7636 S256), and the callback reader.
 */
#include <stddef.h>
#include <string.h>
#include "oauth_int.h"

/* Per enum sfo__ep: the offset of its override URL in struct sfo_client, and
 * of the last segment of its derived path in k_ep_names. */
static const uint8_t k_ep_off[] = {
    offsetof(struct sfo_client, token_url),    offsetof(struct sfo_client, authorize_url),
    offsetof(struct sfo_client, revoke_url),   offsetof(struct sfo_client, introspect_url),
    offsetof(struct sfo_client, userinfo_url), offsetof(struct sfo_client, device_url),
};
static const char k_ep_names[] = "token\0authorize\0revoke\0introspect\0userinfo";
static const uint8_t k_ep_name[] = { 0, 6, 16, 23, 34, 0 };
_Static_assert(offsetof(struct sfo_client, device_url) <= 0xFFu, "k_ep_off holds bytes");

/* Does s (n bytes) start with the first len bytes of "https://", in any case? */
static bool https_prefix(const char *s, size_t n, size_t len)
{
    static const char k_https[] = "https://";
    size_t i;
    for (i = 0; i < len; i++) {
        if (i >= n || (s[i] | 0x20) != k_https[i]) {
            return false;
        }
    }
    return true;
}

int sfo__https_only(const char *url, size_t n)
{
    return https_prefix(url, n, 8) ? SFO_OK : SFO_E_INSECURE_URL;
}

int sfo__ep_url(const struct sfo_client *c, enum sfo__ep which, char *out, size_t cap,
                size_t *out_len)
{
    const char *o = *(const char *const *)(const void *)((const char *)c + k_ep_off[which]);
    const char *name = k_ep_names + k_ep_name[which];
    size_t n, k = 0;
    if (o == NULL) {
        if (which == SFO__EP_DEVICE && c->dialect == SFO_DIALECT_RFC) {
            return SFO_E_ARG;
        }
        o = c->login_url;
        n = strlen(o);
        while (n > 0 && o[n - 1] == '/') {
            n--;
        }
        k = 17u + strlen(name);
    } else {
        n = strlen(o);
    }
    if (out == NULL) {
        *out_len = n + k;
        return SFO_OK;
    }
    if (n + k + 1u > cap) {
        return SFO_E_TOO_LONG;
    }
    memcpy(out, o, n);
    if (k != 0) {
        memcpy(out + n, "/services/oauth2/", 17);
        memcpy(out + n + 17, name, k - 17u);
        n += k;
    }
    out[n] = '\0';
    if (out_len != NULL) {
        *out_len = n;
    }
    return SFO_OK;
}

int sfo_pkce_challenge(const struct sfo_port *port, const char *verifier, size_t len,
                       char out[SFO_CHALLENGE_LEN + 1])
{
    uint8_t dig[SFO_SHA256_LEN];
    struct sfo_iov iov;
    size_t i;
    int rc;
    if (port == NULL || verifier == NULL || out == NULL || len < 43u || len > 128u) {
        return SFO_E_ARG;
    }
    for (i = 0; i < len; i++) {
        char ch = verifier[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '_' || ch == '~')) {
            return SFO_E_ARG;
        }
    }
    iov.ptr = verifier;
    iov.len = len;
    rc = port->sha256(port->ctx, &iov, 1, dig);
    if (rc == SFO_OK) {
        rc = sfo_b64url_encode(dig, sizeof dig, out, SFO_CHALLENGE_LEN + 1u, NULL);
    }
    return rc;
}

/* n random bytes, base64url-encoded into out (cap incl. NUL). */
static int rand_b64url(const struct sfo_port *pt, size_t n, char *out, size_t cap)
{
    uint8_t r[32];
    int rc = pt->random(pt->ctx, r, n);
    if (rc == SFO_OK) {
        rc = sfo_b64url_encode(r, n, out, cap, NULL);
    }
    sfo_wipe(r, sizeof r);
    return rc;
}

/* The query of the authorize URL after out[0..n): '?' or '&' (when the URL
 * already has a query), then response_type, client_id, redirect_uri, the
 * optional parameters, state and the PKCE challenge (ch, or NULL). */
static int authorize_query(const struct sfo_client *c, const struct sfo_authz_params *p,
                           const struct sfo_authz *s, const char *ch, char *out, size_t cap,
                           size_t *n)
{
    struct sfo_form f;
    size_t i;
    if (*n + 2u > cap) {
        return SFO_E_TOO_LONG;
    }
    for (i = 0; i < *n && out[i] != '?'; i++) {}
    out[*n] = i < *n ? '&' : '?';
    (*n)++;
    (void)sfo_form_init(&f, out + *n, cap - *n);
    (void)sfo_form_add_str(&f, "response_type", "code");
    (void)sfo_form_add_str(&f, "client_id", c->client_id);
    (void)sfo_form_add_str(&f, "redirect_uri", p->redirect_uri);
    if (p->scope != NULL) {
        (void)sfo_form_add_str(&f, "scope", p->scope);
    }
    if (p->prompt != NULL) {
        (void)sfo_form_add_str(&f, "prompt", p->prompt);
    }
    if (p->login_hint != NULL) {
        (void)sfo_form_add_str(&f, "login_hint", p->login_hint);
    }
    (void)sfo_form_add_str(&f, "state", s->state);
    if (ch != NULL) {
        (void)sfo_form_add_str(&f, "code_challenge", ch);
        (void)sfo_form_add_str(&f, "code_challenge_method", "S256");
    }
    *n += f.len;
    return f.err;
}

int sfo_authorize_url(const struct sfo_client *c, const struct sfo_authz_params *p,
                      struct sfo_authz *s, char *out, size_t cap, size_t *out_len)
{
    char ch[SFO_CHALLENGE_LEN + 1];
    size_t n;
    int rc;
    if (c == NULL || p == NULL || s == NULL || out == NULL || p->redirect_uri == NULL ||
        c->port == NULL || c->client_id == NULL || c->login_url == NULL) {
        return SFO_E_ARG;
    }
    memset(s, 0, sizeof *s);
    rc = rand_b64url(c->port, 16, s->state, sizeof s->state);
    if (rc == SFO_OK && p->pkce) {
        rc = rand_b64url(c->port, 32, s->verifier, sizeof s->verifier);
        if (rc == SFO_OK) {
            rc = sfo_pkce_challenge(c->port, s->verifier, SFO_VERIFIER_LEN, ch);
        }
    }
    if (rc == SFO_OK) {
        rc = sfo__ep_url(c, SFO__EP_AUTHORIZE, out, cap, &n);
    }
    if (rc == SFO_OK) {
        rc = sfo__https_only(out, n);
    }
    if (rc != SFO_OK) {
        sfo_wipe(s, sizeof *s);
        return rc;
    }
    rc = authorize_query(c, p, s, p->pkce ? ch : NULL, out, cap, &n);
    if (rc == SFO_OK && out_len != NULL) {
        *out_len = n;
    }
    return rc;
}

/* The query of a pasted callback (*q, *qn): that of the URL when the text
 * starts with "http", else the text itself without a leading '?'. */
static int callback_query(const char *url, size_t n, const char **q, size_t *qn)
{
    struct sfo_url u;
    int rc;
    *q = url;
    *qn = n;
    if (https_prefix(url, n, 4)) { /* "http", any case */
        rc = sfo_url_parse(url, n, &u);
        *q = u.query;
        *qn = u.query_len;
        return rc;
    }
    if (n > 0 && url[0] == '?') {
        (*q)++;
        (*qn)--;
    }
    return SFO_OK;
}

/* An error= callback: SFO_E_OAUTH with err filled (when not NULL), or
 * SFO_E_BAD_VALUE (err->field named, strings wiped) when error or
 * error_description break their grammar (NQSCHAR), or the decoder's code.
 */
static int callback_error(const char *q, size_t qn, struct sfo_oauth_error *err)
{
    int rc;
    if (err == NULL) {
        return SFO_E_OAUTH;
    }
    rc = sfo_query_get(q, qn, "error_description", err->error_description,
                       sizeof err->error_description, NULL);
    if (rc != SFO_OK && rc != SFO_E_NOT_FOUND) {
        return rc;
    }
    if (!sfo__nqschar_ok(err->error, strlen(err->error), false)) {
        err->field = "error";
    } else if (!sfo__nqschar_ok(err->error_description, strlen(err->error_description), true)) {
        err->field = "error_description";
    } else {
        return SFO_E_OAUTH;
    }
    sfo_wipe(err->error, sizeof err->error);
    sfo_wipe(err->error_description, sizeof err->error_description);
    return SFO_E_BAD_VALUE;
}

/* The callback's state against s->state: same length, then constant-time bytes. */
static int check_state(const char *q, size_t qn, const struct sfo_authz *s)
{
    char st[SFO_STATE_LEN + 2];
    size_t sl = 0;
    int rc = sfo_query_get(q, qn, "state", st, sizeof st, &sl);
    if (rc == SFO_E_NOT_FOUND || rc == SFO_E_TOO_LONG || rc == SFO_OK) {
        if (rc != SFO_OK || sl != strlen(s->state) || !sfo_ct_equal(st, s->state, sl)) {
            rc = SFO_E_STATE_MISMATCH;
        }
    }
    return rc;
}

int sfo_callback_parse(const char *url, size_t n, const struct sfo_authz *s, char *code, size_t cap,
                       struct sfo_oauth_error *err)
{
    const char *q;
    size_t qn, cl = 0;
    char scratch[SFO_STATE_LEN + 2];
    int rc;
    if (url == NULL || s == NULL || code == NULL || cap == 0) {
        return SFO_E_ARG;
    }
    if (err != NULL) {
        memset(err, 0, sizeof *err);
    }
    rc = callback_query(url, n, &q, &qn);
    if (rc != SFO_OK) {
        return rc;
    }
    rc = sfo_query_get(q, qn, "error", err ? err->error : scratch,
                       err ? sizeof err->error : sizeof scratch, NULL);
    if (rc != SFO_E_NOT_FOUND) {
        return rc == SFO_OK ? callback_error(q, qn, err) : rc;
    }
    rc = sfo_query_get(q, qn, "code", code, cap, &cl);
    if (rc == SFO_E_NOT_FOUND) {
        return SFO_E_CALLBACK;
    }
    if (rc == SFO_OK) {
        rc = check_state(q, qn, s);
    }
    if (rc == SFO_OK && !sfo__vschar_ok(code, cl)) {
        rc = SFO_E_BAD_VALUE; /* RFC 6749: code = 1*VSCHAR */
        if (err != NULL) {
            err->field = "code";
        }
    }
    if (rc != SFO_OK) {
        sfo_wipe(code, cap);
    }
    return rc;
}
