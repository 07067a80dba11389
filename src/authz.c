/*
 * Endpoint URLs, authorization code flow front half: authorize URL with state
 * and PKCE (RFC 7636 S256), and the callback reader.
 */
#include <string.h>
#include "oauth_int.h"

/* The override URL of an endpoint (NULL: derived from login_url) and the
 * last segment of its derived path. */
static const char *ep_override(const struct sfo_client *c, enum sfo__ep which,
                               const char **name)
{
    switch (which) {
    case SFO__EP_AUTHORIZE: *name = "authorize"; return c->authorize_url;
    case SFO__EP_REVOKE: *name = "revoke"; return c->revoke_url;
    case SFO__EP_INTROSPECT: *name = "introspect"; return c->introspect_url;
    case SFO__EP_USERINFO: *name = "userinfo"; return c->userinfo_url;
    case SFO__EP_DEVICE: *name = "token"; return c->device_url;
    case SFO__EP_TOKEN:
    default: *name = "token"; return c->token_url;
    }
}

int sfo__https_only(const char *url, size_t n)
{
    static const char k_https[] = "https://";
    size_t i;
    for (i = 0; i < sizeof k_https - 1u; i++) {
        if (i >= n || (url[i] | 0x20) != k_https[i]) {
            return SFO_E_INSECURE_URL;
        }
    }
    return SFO_OK;
}

int sfo__ep_url(const struct sfo_client *c, enum sfo__ep which, char *out, size_t cap,
                size_t *out_len)
{
    const char *name;
    const char *o = ep_override(c, which, &name);
    size_t n, k;
    if (o != NULL) {
        n = strlen(o);
        k = 0;
    } else {
        if (which == SFO__EP_DEVICE && c->dialect == SFO_DIALECT_RFC) {
            return SFO_E_ARG;
        }
        o = c->login_url;
        n = strlen(o);
        while (n > 0 && o[n - 1] == '/') {
            n--;
        }
        k = 17u + strlen(name);
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
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~')) {
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

int sfo_authorize_url(const struct sfo_client *c, const struct sfo_authz_params *p,
                      struct sfo_authz *s, char *out, size_t cap, size_t *out_len)
{
    struct sfo_form f;
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
    if (n + 2u > cap) {
        return SFO_E_TOO_LONG;
    }
    /* '?' or '&' when the authorize URL already has a query */
    {
        size_t i;
        for (i = 0; i < n && out[i] != '?'; i++) {
        }
        out[n] = i < n ? '&' : '?';
    }
    n++;
    (void)sfo_form_init(&f, out + n, cap - n);
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
    if (p->pkce) {
        (void)sfo_form_add_str(&f, "code_challenge", ch);
        (void)sfo_form_add_str(&f, "code_challenge_method", "S256");
    }
    if (f.err != SFO_OK) {
        return f.err;
    }
    if (out_len != NULL) {
        *out_len = n + f.len;
    }
    return SFO_OK;
}

int sfo_callback_parse(const char *url, size_t n, const struct sfo_authz *s,
                       char *code, size_t cap, struct sfo_oauth_error *err)
{
    struct sfo_url u;
    const char *q = url;
    size_t qn = n, sl = 0;
    char st[SFO_STATE_LEN + 2];
    int rc;
    if (url == NULL || s == NULL || code == NULL || cap == 0) {
        return SFO_E_ARG;
    }
    if (err != NULL) {
        memset(err, 0, sizeof *err);
    }
    if (n >= 4 && (url[0] | 0x20) == 'h' && (url[1] | 0x20) == 't' &&
        (url[2] | 0x20) == 't' && (url[3] | 0x20) == 'p') {
        rc = sfo_url_parse(url, n, &u);
        if (rc != SFO_OK) {
            return rc;
        }
        q = u.query;
        qn = u.query_len;
    } else if (n > 0 && url[0] == '?') {
        q++;
        qn--;
    }
    rc = sfo_query_get(q, qn, "error", err ? err->error : st,
                       err ? sizeof err->error : sizeof st, NULL);
    if (rc == SFO_OK) {
        if (err != NULL) {
            rc = sfo_query_get(q, qn, "error_description", err->error_description,
                               sizeof err->error_description, NULL);
            if (rc != SFO_OK && rc != SFO_E_NOT_FOUND) {
                return rc;
            }
        }
        return SFO_E_OAUTH;
    }
    if (rc != SFO_E_NOT_FOUND) {
        return rc;
    }
    rc = sfo_query_get(q, qn, "code", code, cap, NULL);
    if (rc == SFO_E_NOT_FOUND) {
        return SFO_E_CALLBACK;
    }
    if (rc != SFO_OK) {
        return rc;
    }
    rc = sfo_query_get(q, qn, "state", st, sizeof st, &sl);
    if (rc == SFO_E_NOT_FOUND || rc == SFO_E_TOO_LONG || rc == SFO_OK) {
        /* same length, then constant-time bytes */
        if (rc != SFO_OK || sl != strlen(s->state) || !sfo_ct_equal(st, s->state, sl)) {
            rc = SFO_E_STATE_MISMATCH;
        }
    }
    if (rc != SFO_OK) {
        sfo_wipe(code, cap);
    }
    return rc;
}
