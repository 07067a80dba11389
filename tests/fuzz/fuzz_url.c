/*
 * libFuzzer target: URL parser, percent-decoder, query lookup/iteration and the
 * form writer (the callback-URL and form paths).
 *
 * The input is a URL, query string or form body (seeds: test URLs and
 * url_percent_decode.json). Checks:
 * - sfo_url_parse: every span lies inside the input in order, the separators
 *   around them are right, the host passes its character rules, the port is
 *   1..65535, and the parts glue back into the input;
 * - sfo_pct_decode (both modes) equals a reference decoder, refuses exactly
 *   one byte too few of room, and leaves a wiped buffer on failure;
 * - sfo_query_get equals a reference built on sfo_query_next + decoding, for
 *   the name of the first pair and for "code"/"state";
 * - sfo_form_encode: length equals sfo_form_encoded_len, only the allowed
 *   bytes appear, and decoding in form mode gives the input back;
 * - sfo_form_add: a pair that does not fit leaves the form unchanged.
 */
#include <string.h>
#include "sfo_codec.h"
#include "fuzz_util.h"

#define MAXN 4096u

static int hexv(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* Reference percent-decoder: length or -1 for a bad escape / NUL. */
static long ref_pct(const uint8_t *s, size_t n, int form, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == '%') {
            if (n - i < 3) return -1;
            int hi = hexv(s[i + 1]), lo = hexv(s[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = (unsigned)(hi * 16 + lo);
            i += 3;
        } else {
            if (c == '+' && form) c = ' ';
            i++;
        }
        if (c == 0) return -1;
        out[o++] = (uint8_t)c;
    }
    return (long)o;
}

/* After a failure: what was written is zeroed (a prefix of zeros, then the
 * 0x55 filler the output held before). */
static void wiped(const char *out, size_t n)
{
    size_t i = 0;
    FZ_ASSERT(n > 0 && out[0] == 0);
    while (i < n && out[i] == 0) i++;
    for (; i < n; i++) FZ_ASSERT(out[i] == 0x55);
}

static void check_pct(const uint8_t *d, size_t n, int form)
{
    static uint8_t ref[MAXN + 1];
    static char out[MAXN + 1];
    enum sfo_pct_mode m = form ? SFO_PCT_FORM : SFO_PCT_PATH;
    size_t ol = 99999;
    long rl = ref_pct(d, n, form, ref);
    int rc;

    memset(out, 0x55, n + 1);
    rc = sfo_pct_decode((const char *)d, n, m, out, n + 1, &ol);
    if (rl < 0) {
        FZ_ASSERT(rc == SFO_E_PCT);
        wiped(out, n + 1);
        return;
    }
    FZ_ASSERT(rc == SFO_OK && ol == (size_t)rl && memcmp(out, ref, ol) == 0 && out[ol] == 0);
    if (ol > 0) {
        memset(out, 0x55, n + 1);
        FZ_ASSERT(sfo_pct_decode((const char *)d, n, m, out, ol, NULL) == SFO_E_TOO_LONG);
        for (size_t i = 0; i < ol; i++) FZ_ASSERT(out[i] == 0);
    }
}

static int host_char(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '.' || c == '_';
}

static void check_url(const uint8_t *d, size_t n)
{
    const char *s = (const char *)d;
    struct sfo_url u;
    int rc = sfo_url_parse(s, n, &u);
    size_t i, sl;

    if (rc != SFO_OK) {
        FZ_ASSERT(rc == SFO_E_URL || rc == SFO_E_URL_SCHEME || rc == SFO_E_URL_PORT ||
                  rc == SFO_E_URL_USERINFO || rc == SFO_E_URL_HOST);
        return;
    }
    for (i = 0; i < n; i++) FZ_ASSERT(d[i] >= 0x21 && d[i] <= 0x7e);
    sl = u.https ? 5 : 4;
    FZ_ASSERT(n >= sl + 3 && s[sl] == ':' && s[sl + 1] == '/' && s[sl + 2] == '/');
    FZ_ASSERT(u.host == s + sl + 3 + (u.host_is_ipv6 ? 1 : 0));
    FZ_ASSERT(u.host_len >= 1 && u.host_len <= SFO_URL_HOST_MAX);
    const char *e = u.host + u.host_len;
    if (u.host_is_ipv6) {
        FZ_ASSERT(*e == ']');
        e++;
        for (i = 0; i < u.host_len; i++)
            FZ_ASSERT(hexv((uint8_t)u.host[i]) >= 0 || u.host[i] == ':' || u.host[i] == '.');
    } else {
        for (i = 0; i < u.host_len; i++) FZ_ASSERT(host_char((uint8_t)u.host[i]));
    }
    FZ_ASSERT(u.port >= 1);
    if (u.port_explicit) {
        FZ_ASSERT(*e == ':');
        unsigned v = 0;
        for (e++; e < s + n && *e >= '0' && *e <= '9'; e++) v = v * 10u + (unsigned)(*e - '0');
        FZ_ASSERT(v == u.port);
    } else {
        FZ_ASSERT(u.port == (u.https ? 443 : 80));
    }
    /* path: the "/" stand-in, or the span right after the authority */
    if (u.path == s + sl + 1) {
        FZ_ASSERT(u.path_len == 1);
    } else {
        FZ_ASSERT(u.path == e && *e == '/');
        for (i = 0; i < u.path_len; i++) FZ_ASSERT(u.path[i] != '?' && u.path[i] != '#');
        e += u.path_len;
    }
    if (u.query != NULL) {
        FZ_ASSERT(u.query == e + 1 && *e == '?');
        FZ_ASSERT(memchr(u.query, '#', u.query_len) == NULL);
        e = u.query + u.query_len;
    } else {
        FZ_ASSERT(u.query_len == 0);
    }
    if (u.fragment != NULL) {
        FZ_ASSERT(u.fragment == e + 1 && *e == '#');
        e = u.fragment + u.fragment_len;
    } else {
        FZ_ASSERT(u.fragment_len == 0);
    }
    FZ_ASSERT(e == s + n);
    for (const char *t = s + sl + 3; t < (u.host_is_ipv6 ? u.host : u.host + u.host_len); t++)
        FZ_ASSERT(*t != '@');
}

/* Reference lookup on top of sfo_query_next and the reference decoder. */
static int ref_get(const uint8_t *q, size_t n, const char *name, uint8_t *val, long *vl)
{
    static uint8_t tmp[MAXN + 1];
    size_t pos = 0, nl, vlen;
    const char *np, *vp;
    int found = 0, r;
    size_t want = strlen(name);

    while ((r = sfo_query_next((const char *)q, n, &pos, &np, &nl, &vp, &vlen)) == SFO_OK) {
        FZ_ASSERT(nl > 0 || vlen > 0 || (np < vp)); /* empty pairs are skipped */
        long l = ref_pct((const uint8_t *)np, nl, 1, tmp);
        if (l < 0) return SFO_E_PCT;
        if ((size_t)l == want && memcmp(tmp, name, want) == 0) {
            if (found) return SFO_E_DUPLICATE;
            found = 1;
            *vl = ref_pct((const uint8_t *)vp, vlen, 1, val);
            if (*vl < 0) return SFO_E_PCT;
        }
    }
    FZ_ASSERT(r == SFO_E_NOT_FOUND && pos == n);
    return found ? SFO_OK : SFO_E_NOT_FOUND;
}

static void check_query(const uint8_t *d, size_t n, const char *name)
{
    static uint8_t val[MAXN + 1];
    static char out[MAXN + 1];
    long vl = -1;
    size_t ol = 99999;
    int want = ref_get(d, n, name, val, &vl);
    int rc;

    memset(out, 0x55, n + 1);
    rc = sfo_query_get((const char *)d, n, name, out, n + 1, &ol);

    FZ_ASSERT(rc == want);
    if (rc == SFO_OK) {
        FZ_ASSERT(ol == (size_t)vl && memcmp(out, val, ol) == 0 && out[ol] == 0);
        if (ol > 0)
            FZ_ASSERT(sfo_query_get((const char *)d, n, name, out, ol, NULL) == SFO_E_TOO_LONG);
    } else {
        wiped(out, n + 1);
    }
}

static int form_plain(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*' ||
           c == '-' || c == '.' || c == '_';
}

static void check_form(const uint8_t *d, size_t n)
{
    static char enc[3 * MAXN + 1];
    static uint8_t back[3 * MAXN + 1];
    size_t el = 0, i;
    int rc;

    FZ_ASSERT(sfo_form_encoded_len(d, n) <= 3 * n);
    rc = sfo_form_encode(d, n, enc, sizeof enc, &el);
    FZ_ASSERT(rc == SFO_OK && el == sfo_form_encoded_len(d, n) && strlen(enc) == el);
    for (i = 0; i < el; i++) {
        unsigned c = (uint8_t)enc[i];
        FZ_ASSERT(form_plain(c) || c == '+' || c == '%');
        if (c == '%')
            FZ_ASSERT(i + 2 < el && hexv((uint8_t)enc[i + 1]) >= 0 &&
                      hexv((uint8_t)enc[i + 2]) >= 0 && !(enc[i + 1] >= 'a') &&
                      !(enc[i + 2] >= 'a'));
    }
    if (el > 0) FZ_ASSERT(sfo_form_encode(d, n, enc, el, NULL) == SFO_E_TOO_LONG);
    FZ_ASSERT(sfo_form_encode(d, n, enc, sizeof enc, &el) == SFO_OK);
    if (memchr(d, 0, n) == NULL) {
        long bl = ref_pct((const uint8_t *)enc, el, 1, back);
        FZ_ASSERT(bl == (long)n && memcmp(back, d, n) == 0);
    }

    /* form writer: pairs that do not fit leave the form as it was */
    char buf[64];
    struct sfo_form f;
    char prev[64];
    size_t plen;
    FZ_ASSERT(sfo_form_init(&f, buf, 1 + (n % sizeof buf)) == SFO_OK);
    for (i = 0; i < n && i < 32; i += 4) {
        size_t vlen = n - i < 4 ? n - i : 4;
        memcpy(prev, buf, f.len + 1);
        plen = f.len;
        int was = f.err;
        rc = sfo_form_add(&f, "k", (const char *)d + i, vlen);
        if (rc == SFO_OK) {
            FZ_ASSERT(was == SFO_OK && f.len > plen && buf[f.len] == 0);
        } else {
            FZ_ASSERT(rc == SFO_E_TOO_LONG && f.len == plen && f.err == SFO_E_TOO_LONG);
            FZ_ASSERT(memcmp(prev, buf, plen + 1) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static uint8_t first[MAXN + 1];
    char name[MAXN + 1];

    if (n > MAXN) return 0;
    check_url(d, n);
    check_pct(d, n, 0);
    check_pct(d, n, 1);
    check_form(d, n);

    /* the query part of a URL, or the whole input */
    struct sfo_url u;
    const uint8_t *q = d;
    size_t qn = n;
    if (sfo_url_parse((const char *)d, n, &u) == SFO_OK && u.query != NULL) {
        q = (const uint8_t *)u.query;
        qn = u.query_len;
    }
    check_query(q, qn, "code");
    check_query(q, qn, "state");
    check_query(q, qn, "");
    size_t pos = 0, nl, vl;
    const char *np, *vp;
    if (sfo_query_next((const char *)q, qn, &pos, &np, &nl, &vp, &vl) == SFO_OK) {
        long l = ref_pct((const uint8_t *)np, nl, 1, first);
        if (l >= 0) {
            memcpy(name, first, (size_t)l);
            name[l] = 0;
            check_query(q, qn, name);
        }
    }
    return 0;
}
