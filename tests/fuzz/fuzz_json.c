/*
 * libFuzzer target: JSON scanner, field extractor and string writer.
 *
 * The input is one JSON document (seeds: JSONTestSuite, test bodies). Checks:
 * - scanner: the same verdict, error offset and event stream (pieces joined)
 *   whether fed whole, byte by byte or in random pieces; the piece contract
 *   (FIRST/LAST, nothing between pieces, values up to SFO_JSON_BUF in one
 *   call); depths match the nesting; KEY only directly in objects; decoded
 *   strings are valid UTF-8 and numbers match the RFC 8259 grammar; an
 *   aborting callback stops the scan for good;
 * - extractor: same results for every split; on error every field is reset
 *   and every buffer wiped; on success values are well formed; its scanner
 *   errors equal the scanner's own;
 * - writer: sfo_json_write_string(input) is refused exactly when the input is
 *   not UTF-8, and scanning its output gives the input back.
 */
#include <string.h>
#include "sfo_json.h"
#include "fuzz_util.h"

#define DEPTH 16u

/* ---- UTF-8 and number checks (independent of the scanner) ---------------------- */

static int utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t cp;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07u;
        } else
            return 0;
        if (n - i <= k) return 0;
        for (size_t m = 1; m <= k; m++) {
            if ((s[i + m] & 0xC0u) != 0x80u) return 0;
            cp = cp << 6 | (s[i + m] & 0x3Fu);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int number_ok(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d) return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d) return 0;
    }
    return i == n;
}

/* ---- scanner run ---------------------------------------------------------------- */

#define VAL_MAX 8192u

struct run {
    uint64_t h;      /* hash of the event stream, pieces joined */
    size_t events;   /* complete events (a value in pieces counts once) */
    size_t calls;    /* callback calls */
    size_t abort_at; /* return 1 at this event (0 = never) */
    int in_value;    /* a KEY/STRING/NUMBER value is open (pieces) */
    unsigned vev;
    size_t vpieces;
    size_t vlen;
    uint8_t val[VAL_MAX];          /* the value joined (first VAL_MAX bytes) */
    unsigned char cont[DEPTH + 2]; /* 'o' / 'a' per open container */
    size_t ncont;
    int expect_value; /* inside an object: 0 = a KEY is next, 1 = a value */
};

static void value_end(struct run *r)
{
    size_t n = r->vlen < VAL_MAX ? r->vlen : VAL_MAX;
    if (r->vev == SFO_JSON_NUMBER)
        FZ_ASSERT(number_ok((const char *)r->val, n));
    else
        FZ_ASSERT(utf8_ok(r->val, n) || r->vlen > VAL_MAX);
    if (r->vlen <= SFO_JSON_BUF) FZ_ASSERT(r->vpieces == 1);
    r->h = fz_mix(fz_mix(r->h, r->vev), r->vlen);
    r->h = fz_mix(r->h, fz_hash(r->val, n));
    r->in_value = 0;
    r->events++;
}

static int on_event(void *user, enum sfo_json_event ev, const char *d, size_t len, unsigned flags,
                    size_t depth)
{
    struct run *r = user;
    int piece = ev == SFO_JSON_KEY || ev == SFO_JSON_STRING || ev == SFO_JSON_NUMBER;

    r->calls++;
    if (r->in_value) {
        /* the open value continues: same event, no FIRST */
        FZ_ASSERT(piece && (unsigned)ev == r->vev && !(flags & SFO_JSON_FIRST));
    } else {
        if (piece) FZ_ASSERT(flags & SFO_JSON_FIRST);
        /* depth: BEGIN/END at the container's level, others inside it */
        if (ev == SFO_JSON_OBJECT_END || ev == SFO_JSON_ARRAY_END) {
            FZ_ASSERT(r->ncont > 0 && depth == r->ncont - 1);
            FZ_ASSERT(r->cont[r->ncont - 1] == (ev == SFO_JSON_OBJECT_END ? 'o' : 'a'));
            if (ev == SFO_JSON_OBJECT_END) FZ_ASSERT(!r->expect_value);
        } else {
            FZ_ASSERT(depth == r->ncont);
            int in_obj = r->ncont > 0 && r->cont[r->ncont - 1] == 'o';
            if (ev == SFO_JSON_KEY)
                FZ_ASSERT(in_obj && !r->expect_value);
            else if (in_obj)
                FZ_ASSERT(r->expect_value);
        }
    }
    if (piece) {
        FZ_ASSERT((d != NULL) || len == 0);
        if (!r->in_value) {
            r->in_value = 1;
            r->vev = ev;
            r->vpieces = 0;
            r->vlen = 0;
        }
        r->vpieces++;
        if (r->vlen < VAL_MAX) {
            size_t k = len < VAL_MAX - r->vlen ? len : VAL_MAX - r->vlen;
            if (k) memcpy(r->val + r->vlen, d, k);
        }
        r->vlen += len;
        if (flags & SFO_JSON_LAST) value_end(r);
    } else {
        FZ_ASSERT(d == NULL && len == 0);
        r->h = fz_mix(fz_mix(r->h, ev), depth);
        r->events++;
    }
    /* container bookkeeping once a whole event/value is through */
    if (!r->in_value) {
        if (ev == SFO_JSON_OBJECT_BEGIN || ev == SFO_JSON_ARRAY_BEGIN) {
            FZ_ASSERT(r->ncont < DEPTH);
            r->cont[r->ncont++] = ev == SFO_JSON_OBJECT_BEGIN ? 'o' : 'a';
            r->expect_value = 0;
        } else if (ev == SFO_JSON_KEY) {
            r->expect_value = 1;
        } else {
            if (ev == SFO_JSON_OBJECT_END || ev == SFO_JSON_ARRAY_END) r->ncont--;
            r->expect_value = 0; /* after a value in an object a KEY or END follows */
        }
    }
    return (r->abort_at != 0 && r->calls == r->abort_at) ? 7 : 0;
}

enum { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM };

static int feed_split(int (*feed)(void *, const void *, size_t), void *ctx, const uint8_t *d,
                      size_t n, int mode, uint64_t seed)
{
    struct fz_rng rng;
    size_t i = 0, k;
    int rc = SFO_OK;

    fz_seed(&rng, seed);
    if (mode == SPLIT_WHOLE) return feed(ctx, d, n);
    while (i < n) {
        k = mode == SPLIT_BYTES ? 1 : fz_piece(&rng, n - i);
        rc = feed(ctx, d + i, k);
        i += k;
        if (rc != SFO_OK) {
            /* errors are sticky: one more feed returns the same code */
            FZ_ASSERT(feed(ctx, d + i, n - i) == rc);
            return rc;
        }
    }
    return rc;
}

static int json_feed(void *ctx, const void *d, size_t n)
{
    return sfo_json_feed(ctx, d, n);
}

static int extract_feed(void *ctx, const void *d, size_t n)
{
    return sfo_extract_feed(ctx, d, n);
}

struct scan_result {
    int rc;
    size_t off;
    uint64_t h;
    size_t events, calls;
};

static struct scan_result scan(const uint8_t *d, size_t n, int mode, uint64_t seed, size_t abort_at,
                               size_t depth)
{
    static struct run r; /* large; test-only code */
    struct sfo_json j;
    uint8_t stack[SFO_JSON_STACK_BYTES(DEPTH)];
    struct scan_result res;
    int rc;

    memset(&r, 0, sizeof r);
    r.abort_at = abort_at;
    FZ_ASSERT(sfo_json_init(&j, stack, depth, on_event, &r) == SFO_OK);
    rc = feed_split(json_feed, &j, d, n, mode, seed);
    if (rc == SFO_OK) {
        rc = sfo_json_finish(&j);
        FZ_ASSERT(sfo_json_finish(&j) == rc);
    } else {
        FZ_ASSERT(sfo_json_finish(&j) == rc);
    }
    if (rc == SFO_OK) {
        FZ_ASSERT(r.ncont == 0 && !r.in_value && r.events > 0);
        FZ_ASSERT(sfo_json_error_offset(&j) == 0);
    } else {
        FZ_ASSERT(sfo_json_error_offset(&j) <= n);
    }
    if (rc == SFO_E_JSON_ABORTED) FZ_ASSERT(j.cb_result == 7 && r.calls == abort_at);
    res.rc = rc;
    res.off = sfo_json_error_offset(&j);
    res.h = r.h;
    res.events = r.events;
    res.calls = r.calls;
    return res;
}

/* ---- extractor run -------------------------------------------------------------- */

#define NF 6

struct ex_result {
    int rc;
    struct sfo_field f[NF];
    char b0[32], b1[16], b2[1], b3[24];
};

static void ex_setup(struct ex_result *e)
{
    memset(e, 0xA5, sizeof *e);
    memset(e->f, 0, sizeof e->f);
    e->f[0] = (struct sfo_field){
        .name = "access_token", .type = SFO_FIELD_STRING, .str = e->b0, .cap = sizeof e->b0
    };
    e->f[1] = (struct sfo_field){
        .name = "instance_url", .type = SFO_FIELD_TEXT, .str = e->b1, .cap = sizeof e->b1
    };
    e->f[2] = (struct sfo_field){
        .name = "", .type = SFO_FIELD_STRING, .str = e->b2, .cap = sizeof e->b2
    };
    e->f[3] = (struct sfo_field){ .name = "expires_in", .type = SFO_FIELD_INT };
    e->f[4] = (struct sfo_field){ .name = "ok", .type = SFO_FIELD_BOOL };
    e->f[5] = (struct sfo_field){
        .name = "a", .type = SFO_FIELD_TEXT, .str = e->b3, .cap = sizeof e->b3
    };
}

static void extract(const uint8_t *d, size_t n, int mode, uint64_t seed, struct ex_result *e)
{
    struct sfo_extract x;
    uint8_t stack[SFO_JSON_STACK_BYTES(DEPTH)];
    int rc;

    ex_setup(e);
    FZ_ASSERT(sfo_extract_init(&x, e->f, NF, stack, DEPTH) == SFO_OK);
    rc = feed_split(extract_feed, &x, d, n, mode, seed);
    if (rc == SFO_OK) rc = sfo_extract_finish(&x);
    FZ_ASSERT(sfo_extract_finish(&x) == rc);
    e->rc = rc;
    for (int i = 0; i < NF; i++) {
        struct sfo_field *f = &e->f[i];
        if (rc != SFO_OK) {
            FZ_ASSERT(!f->present);
            if (f->str != NULL)
                for (size_t k = 0; k < f->cap; k++) FZ_ASSERT(f->str[k] == 0);
        } else if (f->str != NULL) {
            if (f->present) {
                FZ_ASSERT(f->len < f->cap && strlen(f->str) == f->len);
                if (f->type == SFO_FIELD_STRING)
                    FZ_ASSERT(utf8_ok((const uint8_t *)f->str, f->len));
            } else {
                FZ_ASSERT(f->str[0] == 0);
            }
        }
    }
}

static void ex_compare(const struct ex_result *a, const struct ex_result *b)
{
    FZ_ASSERT(a->rc == b->rc);
    for (int i = 0; i < NF; i++) {
        const struct sfo_field *f = &a->f[i], *g = &b->f[i];
        FZ_ASSERT(f->present == g->present);
        if (!f->present) continue;
        if (f->str != NULL) FZ_ASSERT(f->len == g->len && memcmp(f->str, g->str, f->len) == 0);
        if (f->type == SFO_FIELD_INT) FZ_ASSERT(f->ival == g->ival);
        if (f->type == SFO_FIELD_BOOL) FZ_ASSERT(f->bval == g->bval);
    }
}

/* ---- writer round trip ---------------------------------------------------------- */

static void writer(const uint8_t *d, size_t n)
{
    static char out[6 * 4096 + 3];
    static struct run r;
    struct sfo_json j;
    uint8_t stack[1];
    size_t ol = 0;
    int rc;

    if (n > 4096) return;
    rc = sfo_json_write_string((const char *)d, n, out, sizeof out, &ol);
    if (!utf8_ok(d, n)) {
        FZ_ASSERT(rc == SFO_E_JSON_UTF8);
        return;
    }
    FZ_ASSERT(rc == SFO_OK && ol < sizeof out && strlen(out) == ol);
    /* a buffer one byte short must be refused, never truncated */
    FZ_ASSERT(sfo_json_write_string((const char *)d, n, out, ol, NULL) == SFO_E_TOO_LONG);
    FZ_ASSERT(sfo_json_write_string((const char *)d, n, out, sizeof out, &ol) == SFO_OK);
    memset(&r, 0, sizeof r);
    FZ_ASSERT(sfo_json_init(&j, stack, 1, on_event, &r) == SFO_OK);
    FZ_ASSERT(sfo_json_feed(&j, out, ol) == SFO_OK);
    FZ_ASSERT(sfo_json_finish(&j) == SFO_OK);
    FZ_ASSERT(r.vev == SFO_JSON_STRING && r.vlen == n && memcmp(r.val, d, n) == 0);
}

/* ---- entry ---------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    uint64_t seed = fz_hash(d, n);
    struct scan_result w, b, s, a;
    static struct ex_result ew, eb, es;

    w = scan(d, n, SPLIT_WHOLE, seed, 0, DEPTH);
    b = scan(d, n, SPLIT_BYTES, seed, 0, DEPTH);
    s = scan(d, n, SPLIT_RANDOM, seed, 0, DEPTH);
    FZ_ASSERT(w.rc == b.rc && w.rc == s.rc);
    FZ_ASSERT(w.off == b.off && w.off == s.off);
    FZ_ASSERT(w.h == b.h && w.h == s.h && w.events == b.events && w.events == s.events);

    /* abort at some event: the scan stops there for good */
    if (s.calls > 0) {
        size_t at = 1 + (size_t)((seed >> 7) % s.calls);
        a = scan(d, n, SPLIT_RANDOM, seed, at, DEPTH);
        FZ_ASSERT(a.rc == SFO_E_JSON_ABORTED && a.calls == at);
    }
    /* a smaller nesting limit: the verdict differs only by _DEPTH */
    a = scan(d, n, SPLIT_WHOLE, seed, 0, 3);
    FZ_ASSERT(a.rc == w.rc || a.rc == SFO_E_JSON_DEPTH);

    extract(d, n, SPLIT_WHOLE, seed, &ew);
    extract(d, n, SPLIT_BYTES, seed, &eb);
    extract(d, n, SPLIT_RANDOM, seed, &es);
    ex_compare(&ew, &eb);
    ex_compare(&ew, &es);
    if (ew.rc != SFO_OK && ew.rc != SFO_E_TOO_LONG && ew.rc != SFO_E_JSON_TYPE &&
        ew.rc != SFO_E_JSON_RANGE && ew.rc != SFO_E_JSON_DUPKEY)
        FZ_ASSERT(ew.rc == w.rc);
    if (w.rc != SFO_OK) FZ_ASSERT(ew.rc != SFO_OK);

    writer(d, n);
    return 0;
}
