/*
 * RS256 JWT bearer assertion (RFC 7515 / RFC 7523, Salesforce JWT bearer flow).
 *
 * Layout while building, all inside the caller's out buffer:
 *   1. the constant header "eyJhbGciOiJSUzI1NiJ9" and '.';
 *   2. the claims JSON written at the far end of out, then base64url-encoded
 *      forward into place (the output never overtakes unread input);
 *   3. SHA-256 of the signing input, RSA signature written after it, moved to
 *      the far end and base64url-encoded forward the same way.
 * Stack use is a few dozen bytes plus a 48-byte encoding window.
 */
#include <string.h>
#include "oauth_int.h"

/* base64url('{"alg":"RS256"}') */
static const char k_hdr[] = "eyJhbGciOiJSUzI1NiJ9.";

int sfo__b64url_at(char *out, size_t pos, size_t cap, const uint8_t *src, size_t n)
{
    uint8_t win[48];
    size_t done = 0;
    if (pos + SFO_B64URL_LEN(n) + 1u > cap) {
        return SFO_E_TOO_LONG;
    }
    while (done < n) {
        size_t k = n - done < sizeof win ? n - done : sizeof win;
        size_t w;
        int rc;
        memcpy(win, src + done, k);
        done += k;
        rc = sfo_b64url_encode(win, k, out + pos, cap - pos, &w);
        if (rc != SFO_OK) {
            sfo_wipe(win, sizeof win);
            return rc;
        }
        pos += w;
    }
    sfo_wipe(win, sizeof win);
    return (int)pos;
}

size_t sfo__i64_dec(int64_t v, char *out)
{
    char tmp[20];
    size_t n = 0, i = 0;
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0u);
    if (v < 0) {
        out[i++] = '-';
    }
    while (n > 0) {
        out[i++] = tmp[--n];
    }
    out[i] = '\0';
    return i;
}

bool sfo__host_ends(const char *host, size_t len, const char *suffix)
{
    size_t s = strlen(suffix), i;
    if (len < s) {
        return false;
    }
    host += len - s;
    for (i = 0; i < s; i++) {
        char ch = host[i];
        if (ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch + 32);
        }
        if (ch != suffix[i]) {
            return false;
        }
    }
    return true;
}

/* The audience for login_url as a span (a constant or a prefix of login_url). */
static int aud_span(const char *login_url, const char **aud, size_t *n)
{
    struct sfo_url u;
    size_t i, len;
    int rc;
    if (login_url == NULL) {
        return SFO_E_ARG;
    }
    len = strlen(login_url);
    rc = sfo_url_parse(login_url, len, &u);
    if (rc != SFO_OK) {
        return rc;
    }
    *aud = login_url;
    if (sfo__host_ends(u.host, u.host_len, ".sandbox.my.salesforce.com") ||
        (u.host_len == 19 && sfo__host_ends(u.host, u.host_len, "test.salesforce.com"))) {
        *aud = "https://test.salesforce.com";
    } else if (sfo__host_ends(u.host, u.host_len, ".salesforce.com") ||
               sfo__host_ends(u.host, u.host_len, ".force.com")) {
        *aud = "https://login.salesforce.com";
    } else {
        /* the login URL itself: origin [+ path], no query/fragment, no final '/' */
        for (i = 0; i < len && login_url[i] != '?' && login_url[i] != '#'; i++) {}
        while (i > 0 && login_url[i - 1] == '/') {
            i--;
        }
        *n = i;
        return SFO_OK;
    }
    *n = strlen(*aud);
    return SFO_OK;
}

int sfo_jwt_audience(const char *login_url, char *out, size_t cap, size_t *out_len)
{
    const char *aud;
    size_t n;
    int rc;
    if (out == NULL || cap == 0) {
        return SFO_E_ARG;
    }
    rc = aud_span(login_url, &aud, &n);
    if (rc != SFO_OK) {
        return rc;
    }
    if (n + 1u > cap) {
        return SFO_E_TOO_LONG;
    }
    memcpy(out, aud, n);
    out[n] = '\0';
    if (out_len != NULL) {
        *out_len = n;
    }
    return SFO_OK;
}

/* The claims JSON {"iss":..,"sub":..,"aud":..,"exp":..} into out + *p
 * (cap): v[0..2] the iss, sub and aud strings (lengths in vl), exp decimal.
 * Returns SFO_OK, SFO_E_TOO_LONG, SFO_E_JSON_UTF8 (a value is not UTF-8). */
static int claims(char *out, size_t *p, size_t cap, const char *const v[3], const size_t vl[3],
                  int64_t exp)
{
    /* every member opens with 7 bytes: lead, quoted name, ':' */
    static const char k_names[] = "{\"iss\":,\"sub\":,\"aud\":,\"exp\":";
    char num[24];
    size_t i, w, n = sfo__i64_dec(exp, num);
    int rc;
    for (i = 0; i < 4u; i++) {
        if (*p + 8u > cap) {
            return SFO_E_TOO_LONG;
        }
        memcpy(out + *p, k_names + 7u * i, 7);
        *p += 7u;
        if (i == 3u) {
            break;
        }
        rc = sfo_json_write_string(v[i], vl[i], out + *p, cap - *p, &w);
        if (rc != SFO_OK) {
            return rc;
        }
        *p += w;
    }
    if (*p + n + 1u > cap) {
        return SFO_E_TOO_LONG;
    }
    memcpy(out + *p, num, n);
    *p += n;
    out[(*p)++] = '}';
    return SFO_OK;
}

int sfo_jwt_build(const struct sfo_client *c, const struct sfo_jwt *j, char *out, size_t cap,
                  size_t *out_len)
{
    const struct sfo_port *pt;
    const char *v[3];
    size_t vl[3];
    size_t p = 0, cl, jstart, hl = sizeof k_hdr - 1u, siglen = 0;
    uint8_t dig[SFO_SHA256_LEN];
    struct sfo_iov iov;
    int rc;

    if (c == NULL || j == NULL || out == NULL || c->port == NULL || c->client_id == NULL ||
        j->username == NULL || j->key == NULL || j->key_len == 0) {
        return SFO_E_ARG;
    }
    pt = c->port;
    if (j->audience != NULL) {
        v[2] = j->audience;
        vl[2] = strlen(j->audience);
    } else {
        rc = aud_span(c->login_url, &v[2], &vl[2]);
        if (rc != SFO_OK) {
            return rc;
        }
    }
    if (cap < hl + 8u) {
        return SFO_E_TOO_LONG;
    }
    v[0] = c->client_id;
    vl[0] = strlen(c->client_id);
    v[1] = j->username;
    vl[1] = strlen(j->username);
    /* claims JSON into out after the header, then moved to the end */
    p = hl;
    rc =
        claims(out, &p, cap, v, vl,
               pt->wall_s(pt->ctx) + (int64_t)(j->lifetime_s ? j->lifetime_s : SFO_JWT_LIFETIME_S));
    if (rc != SFO_OK) {
        return rc;
    }
    cl = p - hl;
    jstart = cap - cl;
    memmove(out + jstart, out + hl, cl);
    memcpy(out, k_hdr, hl);
    rc = sfo__b64url_at(out, hl, cap, (const uint8_t *)out + jstart, cl);
    if (rc < 0) {
        return rc;
    }
    p = (size_t)rc;

    /* signature */
    iov.ptr = out;
    iov.len = p;
    rc = pt->sha256(pt->ctx, &iov, 1, dig);
    if (rc == SFO_OK) {
        rc = pt->key_load(pt->ctx, j->key, j->key_len);
    }
    if (rc == SFO_OK) {
        rc = p + 2u < cap
                 ? pt->rsa_sign(pt->ctx, dig, (uint8_t *)out + p + 1u, cap - p - 1u, &siglen)
                 : SFO_E_TOO_LONG;
        pt->key_clear(pt->ctx);
    }
    if (rc == SFO_OK) {
        out[p] = '.';
        memmove(out + cap - siglen, out + p + 1u, siglen);
        rc = sfo__b64url_at(out, p + 1u, cap, (const uint8_t *)out + cap - siglen, siglen);
    }
    if (rc < 0) {
        sfo_wipe(out, cap);
        return rc;
    }
    p = (size_t)rc;
    /* the tail held the raw signature: clear what lies beyond the assertion */
    sfo_wipe(out + p, cap - p);
    if (out_len != NULL) {
        *out_len = p;
    }
    return SFO_OK;
}
