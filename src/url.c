/*
 * Absolute http/https URL parser, strict percent-decoder, query/form pair
 * iterator and parameter lookup. See sfo_codec.h for the contracts.
 */
#include <string.h>
#include "sfo_codec.h"

/* Authority delimiters; the tails "/?#", "?#", "#" end the later parts. */
static const char k_delims[] = "@/?#";

/* Value of the hex digit c (either case), or 16. */
static unsigned hexval(unsigned c)
{
    if (c - '0' < 10u) return c - '0';
    c = (c | 0x20u) - 'a';
    return c < 6u ? c + 10u : 16u;
}

/* A byte allowed in a registered name or IPv4 host: letter, digit, '-', '.', '_'. */
static bool host_char(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '.' || c == '_';
}

/* First index >= i in s[0..n) holding a byte of stop, or n. */
static size_t upto(const char *s, size_t i, size_t n, const char *stop)
{
    const char *t;
    for (; i < n; i++)
        for (t = stop; *t != '\0'; t++)
            if (s[i] == *t) return i;
    return n;
}

/* Host of the authority s[a, e) into u; *hp ends on what follows it (':' or e).
 * An IPv6 literal: hex groups of at most 4 digits, 2..7 colons, dotted tail;
 * else a registered name or IPv4: letters, digits, '-', '.', '_'. Returns SFO_OK
 * or SFO_E_URL_HOST (bad byte, empty, over SFO_URL_HOST_MAX, unclosed '[', or
 * anything but ':' after ']'). */
static int parse_host(const char *s, size_t a, size_t e, size_t *hp, struct sfo_url *u)
{
    size_t h = a;
    unsigned c, colons = 0, run = 0;
    if (h < e && s[h] == '[') {
        for (h++; h < e && s[h] != ']'; h++) {
            c = (unsigned char)s[h];
            if (c == ':' || c == '.') {
                run = 0;
                if (c == ':' && ++colons > 7) return SFO_E_URL_HOST;
            } else if (hexval(c) > 15u || ++run > 4) {
                return SFO_E_URL_HOST;
            }
        }
        if (h == e || colons < 2) return SFO_E_URL_HOST;
        u->host = s + a + 1;
        u->host_len = h - a - 1;
        u->host_is_ipv6 = true;
        if (++h < e && s[h] != ':') return SFO_E_URL_HOST;
    } else {
        for (; h < e && s[h] != ':'; h++) {
            if (!host_char((unsigned char)s[h])) return SFO_E_URL_HOST;
        }
        u->host = s + a;
        u->host_len = h - a;
    }
    if (u->host_len == 0 || u->host_len > SFO_URL_HOST_MAX) return SFO_E_URL_HOST;
    *hp = h;
    return SFO_OK;
}

/* The port after ':' at s[h], up to e: 1..65535 in decimal, into u. Returns
 * SFO_OK or SFO_E_URL_PORT (empty, not digits, 0 or over 65535). */
static int parse_port(const char *s, size_t h, size_t e, struct sfo_url *u)
{
    unsigned c, v = 0;
    if (++h == e) return SFO_E_URL_PORT;
    for (; h < e; h++) {
        c = (unsigned char)s[h] - '0';
        if (c > 9u || (v = v * 10u + c) > 65535u) return SFO_E_URL_PORT;
    }
    if (v == 0) return SFO_E_URL_PORT;
    u->port = (uint16_t)v;
    u->port_explicit = true;
    return SFO_OK;
}

/* Path, ?query and #fragment of s[e, n) (after the authority) into u. */
static void parse_tail(const char *s, size_t e, size_t n, struct sfo_url *u)
{
    size_t i;
    if (e < n && s[e] == '/') {
        i = upto(s, e, n, k_delims + 2);
        u->path = s + e;
        u->path_len = i - e;
        e = i;
    }
    if (e < n && s[e] == '?') {
        i = upto(s, ++e, n, k_delims + 3);
        u->query = s + e;
        u->query_len = i - e;
        e = i;
    }
    if (e < n) { /* s[e] == '#' */
        u->fragment = s + e + 1;
        u->fragment_len = n - e - 1;
    }
}

int sfo_url_parse(const char *s, size_t n, struct sfo_url *u)
{
    size_t i, a, e, h;
    int r;

    if (s == NULL || u == NULL) return SFO_E_ARG;
    memset(u, 0, sizeof *u);
    for (i = 0; i < n; i++) /* only printable ASCII, no space */
        if ((unsigned char)s[i] - 0x21u > 0x7eu - 0x21u) return SFO_E_URL;

    /* scheme "http" / "https", any case, then "//" */
    i = upto(s, 0, n, ":");
    if (i == n) return SFO_E_URL;
    if (i - 4u > 1u) return SFO_E_URL_SCHEME;
    for (h = 0; h < i; h++)
        if ((s[h] | 0x20) != "https"[h]) return SFO_E_URL_SCHEME;
    u->https = i == 5;
    u->port = u->https ? 443 : 80;
    if (n - i < 3 || s[i + 1] != '/' || s[i + 2] != '/') return SFO_E_URL;
    u->path = s + i + 1; /* the '/' of "://" stands for "/" */
    u->path_len = 1;

    /* authority [a, e): host [":" port], no user info */
    a = i + 3;
    e = upto(s, a, n, k_delims);
    if (e < n && s[e] == '@') return SFO_E_URL_USERINFO;
    r = parse_host(s, a, e, &h, u);
    if (r == SFO_OK && h < e) r = parse_port(s, h, e, u); /* s[h] == ':' */
    if (r != SFO_OK) return r;
    parse_tail(s, e, n, u);
    return SFO_OK;
}

/*
 * Decode the byte at s[*i] (*i < n; an escape, '+' in form mode, or a plain byte)
 * and advance *i past it. Returns the byte (1..255) or SFO_E_PCT for a bad or
 * short escape or a NUL (raw or %00).
 */
static int pct_next(const char *s, size_t n, size_t *i, unsigned form)
{
    size_t k = *i;
    unsigned c = (unsigned char)s[k++], hi, lo;

    if (c == '%') {
        if (n - k < 2) return SFO_E_PCT;
        hi = hexval((unsigned char)s[k]);
        lo = hexval((unsigned char)s[k + 1]);
        if ((hi | lo) > 15u) return SFO_E_PCT;
        c = hi << 4 | lo;
        k += 2;
    } else if (c == '+' && form) {
        c = ' ';
    }
    *i = k;
    return c != 0 ? (int)c : SFO_E_PCT;
}

int sfo_pct_decode(const char *in, size_t n, enum sfo_pct_mode mode, char *out, size_t cap,
                   size_t *out_len)
{
    size_t i = 0, o = 0;
    int c;

    if (out == NULL || cap == 0 || (in == NULL && n != 0)) return SFO_E_ARG;
    while (i < n) {
        c = pct_next(in, n, &i, mode == SFO_PCT_FORM);
        if (c < 0 || o + 1 >= cap) {
            sfo_wipe(out, o + 1); /* wipes and terminates */
            return c < 0 ? c : SFO_E_TOO_LONG;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (out_len != NULL) *out_len = o;
    return SFO_OK;
}

int sfo_query_next(const char *query, size_t n, size_t *pos, const char **name, size_t *name_len,
                   const char **value, size_t *value_len)
{
    size_t i, e, eq;

    if (pos == NULL || name == NULL || name_len == NULL || value == NULL || value_len == NULL ||
        (query == NULL && n != 0))
        return SFO_E_ARG;
    for (i = *pos; i < n && query[i] == '&'; i++) {} /* skip empty pairs */
    if (i >= n) {
        *pos = n;
        return SFO_E_NOT_FOUND;
    }
    e = upto(query, i, n, "&");
    eq = upto(query, i, e, "=");
    *name = query + i;
    *name_len = eq - i;
    if (eq < e) eq++; /* value starts after the "=" */
    *value = query + eq;
    *value_len = e - eq;
    *pos = e;
    return SFO_OK;
}

/*
 * Compare the encoded span s[0..n), decoded in form mode, with name.
 * Returns 1 (equal), 0 (different) or SFO_E_PCT; the whole span is always
 * decoded, so a bad escape is reported even after a mismatch.
 */
static int name_is(const char *s, size_t n, const char *name)
{
    size_t i = 0;
    int c, eq = 1;

    while (i < n) {
        c = pct_next(s, n, &i, 1);
        if (c < 0) return c;
        if (eq && (unsigned char)*name == (unsigned)c)
            name++;
        else
            eq = 0;
    }
    return eq && *name == '\0';
}

int sfo_query_get(const char *query, size_t n, const char *name, char *out, size_t cap,
                  size_t *out_len)
{
    size_t pos = 0, nl, vl;
    const char *np, *vp;
    int r, m = SFO_E_NOT_FOUND;

    if (name == NULL || out == NULL || cap == 0) return SFO_E_ARG;
    out[0] = '\0';
    while ((r = sfo_query_next(query, n, &pos, &np, &nl, &vp, &vl)) == SFO_OK) {
        r = name_is(np, nl, name);
        if (r == 1)
            r = m == SFO_OK ? SFO_E_DUPLICATE
                            : (m = sfo_pct_decode(vp, vl, SFO_PCT_FORM, out, cap, out_len));
        if (r < 0) {
            sfo_wipe(out, cap); /* may hold the first value */
            return r;
        }
    }
    return r == SFO_E_NOT_FOUND ? m : r; /* m: SFO_OK once found */
}
