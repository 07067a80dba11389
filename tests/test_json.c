/* Streaming JSON scanner and string writer: JSONTestSuite in any split,
 * decoded string content, error codes and offsets, writer escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>
#include "sfo_json.h"

/* ---- helpers ------------------------------------------------------------------- */

static uint32_t rng_next(uint32_t *s)
{
    /* xorshift32: fixed seeds give reproducible splits */
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Event recorder: checks piece framing and builds a canonical transcript
 * (identical whatever the split) of every event with its reassembled data. */
struct rec {
    char *out;
    size_t len, cap;
    int in_piece;       /* event of the token whose pieces are arriving, or 0 */
    size_t piece_total; /* bytes of the current token so far */
    size_t pieces;
    int framing_errors;
    int abort_at; /* return non-zero at this event count (0: never) */
    int count;
};

static void rec_add(struct rec *r, const void *d, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        r->cap = (r->len + n + 1) * 2 + 64;
        r->out = realloc(r->out, r->cap);
        assert_non_null(r->out);
    }
    memcpy(r->out + r->len, d, n);
    r->len += n;
    r->out[r->len] = '\0';
}

static int rec_cb(void *user, enum sfo_json_event ev, const char *data, size_t len, unsigned flags,
                  size_t depth)
{
    struct rec *r = user;
    char hdr[32];
    r->count++;
    if (ev == SFO_JSON_KEY || ev == SFO_JSON_STRING || ev == SFO_JSON_NUMBER) {
        if (flags & SFO_JSON_FIRST) {
            if (r->in_piece) r->framing_errors++;
            r->in_piece = (int)ev;
            r->piece_total = 0;
            r->pieces = 0;
            snprintf(hdr, sizeof hdr, "%d@%zu:", (int)ev, depth);
            rec_add(r, hdr, strlen(hdr));
        } else if (r->in_piece != (int)ev) {
            r->framing_errors++;
        }
        if (data == NULL) r->framing_errors++;
        r->pieces++;
        r->piece_total += len;
        if (len) rec_add(r, data, len);
        if (flags & SFO_JSON_LAST) {
            /* a token that fits the buffer must come in one call */
            if (r->piece_total <= SFO_JSON_BUF && r->pieces != 1) r->framing_errors++;
            r->in_piece = 0;
            rec_add(r, "|", 1);
        }
    } else {
        if (r->in_piece || data != NULL || len != 0 || flags != 0) r->framing_errors++;
        snprintf(hdr, sizeof hdr, "%d@%zu|", (int)ev, depth);
        rec_add(r, hdr, strlen(hdr));
    }
    return (r->abort_at && r->count == r->abort_at) ? 42 : 0;
}

struct result {
    int rc;
    size_t off;
    char *transcript;
    size_t tlen;
};

/* mode 0: whole; 1: one byte at a time; 2+: random splits with seed mode. */
static struct result scan(const uint8_t *doc, size_t n, size_t depth, uint32_t mode)
{
    struct sfo_json j;
    struct rec r;
    struct result res;
    uint8_t *stack = calloc(1, SFO_JSON_STACK_BYTES(depth));
    size_t pos = 0;
    uint32_t seed = mode * 2654435761u + 1u;
    int rc = SFO_OK;

    memset(&r, 0, sizeof r);
    assert_non_null(stack);
    assert_int_equal(sfo_json_init(&j, stack, depth, rec_cb, &r), SFO_OK);
    while (pos < n && rc == SFO_OK) {
        size_t step = n - pos;
        if (mode == 1) {
            step = 1;
        } else if (mode >= 2) {
            /* mostly short pieces, sometimes long ones; 0-length feeds too */
            uint32_t x = rng_next(&seed);
            step = (x & 3) == 0 ? x % 200u : (x >> 8) % 9u;
            if (step > n - pos) step = n - pos;
        }
        if (step == 0) {
            rc = sfo_json_feed(&j, "", 0);
            continue;
        }
        /* feed from a private copy so a read past the piece is caught by ASan */
        uint8_t *piece = malloc(step);
        assert_non_null(piece);
        memcpy(piece, doc + pos, step);
        rc = sfo_json_feed(&j, piece, step);
        free(piece);
        pos += step;
    }
    if (rc == SFO_OK) rc = sfo_json_finish(&j);
    /* errors are sticky */
    if (rc != SFO_OK) {
        assert_int_equal(sfo_json_feed(&j, "1", 1), rc);
        assert_int_equal(sfo_json_finish(&j), rc);
    }
    assert_int_equal(r.framing_errors, 0);
    res.rc = rc;
    res.off = rc != SFO_OK ? sfo_json_error_offset(&j) : 0;
    res.transcript = r.out;
    res.tlen = r.len;
    free(stack);
    return res;
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long sz;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)sz + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return buf;
}

static const char *shared_dir(void)
{
    const char *s = getenv("SFO_SHARED");
    return s && *s ? s : "../shared";
}

/* ---- JSONTestSuite ----------------------------------------------------------------- */

#define SUITE_DEPTH 1024u
#define SUITE_SEEDS 4u

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void json_test_suite(void **state)
{
    char dir[1024], path[2048];
    DIR *d;
    struct dirent *e;
    char *names[512];
    size_t nnames = 0, k;
    unsigned y_total = 0, y_ok = 0, n_total = 0, n_ok = 0, i_total = 0, i_acc = 0;
    (void)state;

    snprintf(dir, sizeof dir, "%s/testdata/jsontestsuite/test_parsing", shared_dir());
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) < 3 || e->d_name[1] != '_') continue;
        assert_true(nnames < 512);
        names[nnames++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof names[0], cmp_str);

    for (k = 0; k < nnames; k++) {
        const char *name = names[k];
        size_t n;
        uint8_t *doc;
        struct result whole;
        uint32_t mode;
        int consistent = 1;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        doc = read_file(path, &n);
        whole = scan(doc, n, SUITE_DEPTH, 0);
        for (mode = 1; mode < 2 + SUITE_SEEDS; mode++) {
            struct result o = scan(doc, n, SUITE_DEPTH, mode);
            /* same verdict, same error offset, same events and data in any split */
            if (o.rc != whole.rc || o.off != whole.off || o.tlen != whole.tlen ||
                (o.tlen && memcmp(o.transcript, whole.transcript, o.tlen) != 0)) {
                consistent = 0;
                print_message("split mismatch: %s mode %u rc %d/%d off %zu/%zu\n", name, mode, o.rc,
                              whole.rc, o.off, whole.off);
            }
            free(o.transcript);
        }
        if (name[0] == 'y') {
            y_total++;
            if (whole.rc == SFO_OK && consistent)
                y_ok++;
            else
                print_message("y_ rejected: %s (%s at %zu)\n", name, sfo_errname(whole.rc),
                              whole.off);
        } else if (name[0] == 'n') {
            n_total++;
            if (whole.rc != SFO_OK && consistent)
                n_ok++;
            else
                print_message("n_ accepted: %s\n", name);
        } else if (name[0] == 'i') {
            i_total++;
            assert_true(consistent);
            if (whole.rc == SFO_OK) i_acc++;
        }
        free(whole.transcript);
        free(doc);
        free(names[k]);
    }
    printf("JSONTestSuite: y %u/%u accepted, n %u/%u rejected, i %u handled\n", y_ok, y_total, n_ok,
           n_total, i_total);
    fflush(stdout);
    assert_int_equal(y_total, 95);
    assert_int_equal(n_total, 188);
    assert_int_equal(i_total, 35);
    assert_int_equal(y_ok, y_total);
    assert_int_equal(n_ok, n_total);
    (void)i_acc;
}

/* ---- decoded strings --------------------------------------------------------------- */

/* Scan doc (a single string value) in every mode; its decoded value must be want. */
static void check_string(const char *doc, const char *want, size_t want_len)
{
    uint32_t mode;
    for (mode = 0; mode < 6; mode++) {
        struct result r = scan((const uint8_t *)doc, strlen(doc), 4, mode);
        char hdr[16];
        size_t h;
        assert_int_equal(r.rc, SFO_OK);
        snprintf(hdr, sizeof hdr, "%d@0:", SFO_JSON_STRING);
        h = strlen(hdr);
        assert_int_equal(r.tlen, h + want_len + 1);
        assert_memory_equal(r.transcript, hdr, h);
        if (want_len) assert_memory_equal(r.transcript + h, want, want_len);
        assert_int_equal(r.transcript[h + want_len], '|');
        free(r.transcript);
    }
}

static void string_escapes(void **state)
{
    (void)state;
    check_string("\"\"", "", 0);
    check_string("\"abc\"", "abc", 3);
    check_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    check_string("\"a\\u0000b\"", "a\0b", 3);
    check_string("\"\\u0000\"", "\0", 1);
    check_string("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6);
    check_string("\"\\u07FF\\u0800\\uFFFF\"", "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 8);
    check_string("\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80", 4);
    check_string("\"\\ud800\\udc00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8);
    check_string("\"\xf0\x9f\x98\x80 \xe2\x82\xac\xc3\xa9\"",
                 "\xf0\x9f\x98\x80 \xe2\x82\xac\xc3\xa9", 10);
    check_string("\"https:\\/\\/login.salesforce.com\\/id\\/00D\"",
                 "https://login.salesforce.com/id/00D", 35);
}

static void long_strings(void **state)
{
    /* strings far longer than SFO_JSON_BUF, with and without escapes, reassemble
     * equal in any split (scan() checks pieces and one-call delivery when short) */
    char doc[3000], want[3000];
    size_t dn = 0, wn = 0, i;
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        dn = wn = 0;
        doc[dn++] = '"';
        for (i = 0; i < 900; i++) {
            if (variant == 1 && i % 37 == 5) {
                memcpy(doc + dn, "\\n", 2);
                dn += 2;
                want[wn++] = '\n';
            } else if (variant == 2 && i % 11 == 3) {
                memcpy(doc + dn, "\\u00e9", 6);
                dn += 6;
                want[wn++] = (char)0xc3;
                want[wn++] = (char)0xa9;
            } else {
                doc[dn++] = want[wn++] = (char)('a' + i % 26);
            }
        }
        doc[dn++] = '"';
        doc[dn] = 0;
        check_string(doc, want, wn);
    }
    /* exactly the buffer size and one more */
    for (size_t len = SFO_JSON_BUF - 1; len <= SFO_JSON_BUF + 1; len++) {
        dn = 0;
        doc[dn++] = '"';
        memset(doc + dn, 'x', len);
        dn += len;
        doc[dn++] = '"';
        doc[dn] = 0;
        memset(want, 'x', len);
        check_string(doc, want, len);
    }
}

static void adjacent_strings(void **state)
{
    /* strings that follow a key's ':' or a value's ',' at once, in objects and
     * arrays, with escapes, UTF-8 and empty strings among them */
    const char *doc = "{\"a\":\"b\",\"c\":[\"\",\"d\\/e\",\"\xc3\xa9\"],\"\":\"\\u00e9\","
                      "\"f\":{\"g\":\"h\"},\"i\":\"j\"}";
    char want[512];
    struct result r;
    (void)state;
    snprintf(want, sizeof want,
             "%d@0|%d@1:a|%d@1:b|%d@1:c|%d@1|%d@2:|%d@2:d/e|%d@2:\xc3\xa9|%d@1|%d@1:|"
             "%d@1:\xc3\xa9|%d@1:f|%d@1|%d@2:g|%d@2:h|%d@1|%d@1:i|%d@1:j|%d@0|",
             SFO_JSON_OBJECT_BEGIN, SFO_JSON_KEY, SFO_JSON_STRING, SFO_JSON_KEY,
             SFO_JSON_ARRAY_BEGIN, SFO_JSON_STRING, SFO_JSON_STRING, SFO_JSON_STRING,
             SFO_JSON_ARRAY_END, SFO_JSON_KEY, SFO_JSON_STRING, SFO_JSON_KEY, SFO_JSON_OBJECT_BEGIN,
             SFO_JSON_KEY, SFO_JSON_STRING, SFO_JSON_OBJECT_END, SFO_JSON_KEY, SFO_JSON_STRING,
             SFO_JSON_OBJECT_END);
    for (uint32_t mode = 0; mode < 12; mode++) {
        r = scan((const uint8_t *)doc, strlen(doc), 4, mode);
        assert_int_equal(r.rc, SFO_OK);
        assert_string_equal(r.transcript, want);
        free(r.transcript);
    }
    /* and after numbers, literals and containers */
    doc = "[1,\"a\",true,\"b\",{\"n\":-0.5e1,\"t\":false,\"u\":null,\"v\":{},\"w\":[]},\"c\"]";
    snprintf(want, sizeof want,
             "%d@0|%d@1:1|%d@1:a|%d@1|%d@1:b|%d@1|%d@2:n|%d@2:-0.5e1|%d@2:t|%d@2|%d@2:u|%d@2|"
             "%d@2:v|%d@2|%d@2|%d@2:w|%d@2|%d@2|%d@1|%d@1:c|%d@0|",
             SFO_JSON_ARRAY_BEGIN, SFO_JSON_NUMBER, SFO_JSON_STRING, SFO_JSON_TRUE, SFO_JSON_STRING,
             SFO_JSON_OBJECT_BEGIN, SFO_JSON_KEY, SFO_JSON_NUMBER, SFO_JSON_KEY, SFO_JSON_FALSE,
             SFO_JSON_KEY, SFO_JSON_NULL, SFO_JSON_KEY, SFO_JSON_OBJECT_BEGIN, SFO_JSON_OBJECT_END,
             SFO_JSON_KEY, SFO_JSON_ARRAY_BEGIN, SFO_JSON_ARRAY_END, SFO_JSON_OBJECT_END,
             SFO_JSON_STRING, SFO_JSON_ARRAY_END);
    for (uint32_t mode = 0; mode < 12; mode++) {
        r = scan((const uint8_t *)doc, strlen(doc), 4, mode);
        assert_int_equal(r.rc, SFO_OK);
        assert_string_equal(r.transcript, want);
        free(r.transcript);
    }
}

static void escapes_at_buffer_edge(void **state)
{
    /* a run then an escape (1, 2 or 3 bytes decoded) ending on each side of the
     * piece buffer's end: gathered in one call when it fits, else in pieces */
    static const struct {
        const char *esc, *dec;
    } e[] = { { "\\n", "\n" }, { "\\u00e9", "\xc3\xa9" }, { "\\u20ac", "\xe2\x82\xac" } };
    char doc[256], want[256];
    size_t dn, wn, run, k, tail;
    (void)state;
    for (k = 0; k < 3; k++) {
        for (run = SFO_JSON_BUF - 8; run <= SFO_JSON_BUF + 2; run++) {
            for (tail = 0; tail < 3; tail++) {
                dn = wn = 0;
                doc[dn++] = '"';
                memset(doc + dn, 'x', run);
                memset(want, 'x', run);
                dn += run;
                wn += run;
                memcpy(doc + dn, e[k].esc, strlen(e[k].esc));
                dn += strlen(e[k].esc);
                memcpy(want + wn, e[k].dec, strlen(e[k].dec));
                wn += strlen(e[k].dec);
                memset(doc + dn, 'y', tail);
                memset(want + wn, 'y', tail);
                dn += tail;
                wn += tail;
                doc[dn++] = '"';
                doc[dn] = 0;
                check_string(doc, want, wn);
            }
        }
    }
}

static void events_and_depth(void **state)
{
    const char *doc = "{\"a\":[1,-2.5e+3,true,false,null,{}],\"b\":{\"c\":\"d\"}}";
    char want[256];
    struct result r;
    (void)state;
    snprintf(want, sizeof want,
             "%d@0|%d@1:a|%d@1|%d@2:1|%d@2:-2.5e+3|%d@2|%d@2|%d@2|%d@2|%d@2|%d@1|"
             "%d@1:b|%d@1|%d@2:c|%d@2:d|%d@1|%d@0|",
             SFO_JSON_OBJECT_BEGIN, SFO_JSON_KEY, SFO_JSON_ARRAY_BEGIN, SFO_JSON_NUMBER,
             SFO_JSON_NUMBER, SFO_JSON_TRUE, SFO_JSON_FALSE, SFO_JSON_NULL, SFO_JSON_OBJECT_BEGIN,
             SFO_JSON_OBJECT_END, SFO_JSON_ARRAY_END, SFO_JSON_KEY, SFO_JSON_OBJECT_BEGIN,
             SFO_JSON_KEY, SFO_JSON_STRING, SFO_JSON_OBJECT_END, SFO_JSON_OBJECT_END);
    for (uint32_t mode = 0; mode < 6; mode++) {
        r = scan((const uint8_t *)doc, strlen(doc), 4, mode);
        assert_int_equal(r.rc, SFO_OK);
        assert_string_equal(r.transcript, want);
        free(r.transcript);
    }
    /* top-level number ends only at finish; surrounding whitespace is fine */
    r = scan((const uint8_t *)" 123 ", 5, 1, 1);
    assert_int_equal(r.rc, SFO_OK);
    free(r.transcript);
    r = scan((const uint8_t *)"-0", 2, 1, 1);
    assert_int_equal(r.rc, SFO_OK);
    snprintf(want, sizeof want, "%d@0:-0|", SFO_JSON_NUMBER);
    assert_string_equal(r.transcript, want);
    free(r.transcript);
}

static void depth_limit(void **state)
{
    char doc[64];
    struct result r;
    size_t d;
    (void)state;
    /* default limit: 16 levels pass, 17 fail at the 17th '[' */
    for (d = 16; d <= 17; d++) {
        memset(doc, '[', d);
        memset(doc + d, ']', d);
        for (uint32_t mode = 0; mode < 3; mode++) {
            r = scan((const uint8_t *)doc, 2 * d, SFO_JSON_DEFAULT_DEPTH, mode);
            if (d == 16) {
                assert_int_equal(r.rc, SFO_OK);
            } else {
                assert_int_equal(r.rc, SFO_E_JSON_DEPTH);
                assert_int_equal(r.off, 16);
            }
            free(r.transcript);
        }
    }
    /* mixed objects and arrays across stack byte boundaries pop correctly */
    const char *mix = "[{\"a\":[{\"b\":[[{\"c\":[[{}]]}]]}]}]";
    r = scan((const uint8_t *)mix, strlen(mix), 10, 1);
    assert_int_equal(r.rc, SFO_OK);
    free(r.transcript);
    r = scan((const uint8_t *)mix, strlen(mix), 9, 1);
    assert_int_equal(r.rc, SFO_E_JSON_DEPTH);
    free(r.transcript);
    r = scan((const uint8_t *)"[[[[[[[[[]]]]]]]]}", 18, 16, 2);
    assert_int_equal(r.rc, SFO_E_JSON_SYNTAX);
    assert_int_equal(r.off, 17);
    free(r.transcript);
}

/* ---- error codes and offsets --------------------------------------------------------- */

struct bad {
    const char *doc;
    size_t len; /* 0: strlen */
    int rc;
    size_t off;
    size_t depth;
};

static void error_codes(void **state)
{
    static const struct bad cases[] = {
        { "[1,]", 0, SFO_E_JSON_SYNTAX, 3, 0 },
        { "{\"a\" 1}", 0, SFO_E_JSON_SYNTAX, 5, 0 },
        { "{\"a\":1,}", 0, SFO_E_JSON_SYNTAX, 7, 0 },
        { "[1}", 0, SFO_E_JSON_SYNTAX, 2, 0 },
        { "{]", 0, SFO_E_JSON_SYNTAX, 1, 0 },
        { "tru", 0, SFO_E_JSON_INCOMPLETE, 3, 0 },
        { "trux", 0, SFO_E_JSON_SYNTAX, 3, 0 },
        { "nul1", 0, SFO_E_JSON_SYNTAX, 3, 0 },
        { "\xef\xbb\xbf{}", 0, SFO_E_JSON_SYNTAX, 0, 0 },
        { "[\"\x80\"]", 0, SFO_E_JSON_UTF8, 2, 0 },
        { "\"\xc0\x80\"", 0, SFO_E_JSON_UTF8, 1, 0 },
        { "\"\xc3\"", 0, SFO_E_JSON_UTF8, 2, 0 },
        { "\"\xe0\x80\x80\"", 0, SFO_E_JSON_UTF8, 2, 0 },
        { "\"\xed\xa0\x80\"", 0, SFO_E_JSON_UTF8, 2, 0 },
        { "\"\xf4\x90\x80\x80\"", 0, SFO_E_JSON_UTF8, 2, 0 },
        { "\"\xf5\x80\x80\x80\"", 0, SFO_E_JSON_UTF8, 1, 0 },
        { "\"\\q\"", 0, SFO_E_JSON_ESCAPE, 2, 0 },
        { "\"\\u12G4\"", 0, SFO_E_JSON_ESCAPE, 5, 0 },
        { "\"\\uD800\"", 0, SFO_E_JSON_SURROGATE, 7, 0 },
        { "\"\\uD800\\n\"", 0, SFO_E_JSON_SURROGATE, 8, 0 },
        { "\"\\uD800\\u0041\"", 0, SFO_E_JSON_SURROGATE, 12, 0 },
        { "\"\\uDC00\"", 0, SFO_E_JSON_SURROGATE, 6, 0 },
        { "\"a\tb\"", 0, SFO_E_JSON_CONTROL, 2, 0 },
        { "\"a\0b\"", 5, SFO_E_JSON_CONTROL, 2, 0 },
        { "01", 0, SFO_E_JSON_NUMBER, 1, 0 },
        { "[-]", 0, SFO_E_JSON_NUMBER, 2, 0 },
        { "[1.]", 0, SFO_E_JSON_NUMBER, 3, 0 },
        { "[1e]", 0, SFO_E_JSON_NUMBER, 3, 0 },
        { "1.", 0, SFO_E_JSON_NUMBER, 2, 0 },
        { "-", 0, SFO_E_JSON_NUMBER, 1, 0 },
        { "[[1]]", 0, SFO_E_JSON_DEPTH, 1, 1 },
        { "{} x", 0, SFO_E_JSON_TRAILING, 3, 0 },
        { "1 2", 0, SFO_E_JSON_TRAILING, 2, 0 },
        { "[1", 0, SFO_E_JSON_INCOMPLETE, 2, 0 },
        { "", 0, SFO_E_JSON_INCOMPLETE, 0, 0 },
        { "  ", 0, SFO_E_JSON_INCOMPLETE, 2, 0 },
        { "\"abc", 0, SFO_E_JSON_INCOMPLETE, 4, 0 },
        /* a string right after a string: only ':"' after a key, ',"' in a container */
        { "\"a\",\"b\"", 0, SFO_E_JSON_TRAILING, 3, 0 },
        { "\"a\":\"b\"", 0, SFO_E_JSON_TRAILING, 3, 0 },
        { "{\"a\",\"b\"}", 0, SFO_E_JSON_SYNTAX, 4, 0 },
        { "[\"a\":\"b\"]", 0, SFO_E_JSON_SYNTAX, 4, 0 },
        { "{\"a\":\"b\":\"c\"}", 0, SFO_E_JSON_SYNTAX, 8, 0 },
        { "{\"a\":\"b\",\"c\",\"d\"}", 0, SFO_E_JSON_SYNTAX, 12, 0 },
        { "[\"a\",\"b\":1]", 0, SFO_E_JSON_SYNTAX, 8, 0 },
        { "[\"a\",\"\x80\"]", 0, SFO_E_JSON_UTF8, 6, 0 },
        { "{\"a\":\"\\x\"}", 0, SFO_E_JSON_ESCAPE, 7, 0 },
        { "{\"a\":1,\"b\"}", 0, SFO_E_JSON_SYNTAX, 10, 0 },
        { "[true:\"x\"]", 0, SFO_E_JSON_SYNTAX, 5, 0 },
        { "[null,,\"x\"]", 0, SFO_E_JSON_SYNTAX, 6, 0 },
        { "{\"a\":1.5,}", 0, SFO_E_JSON_SYNTAX, 9, 0 },
        { "false,\"x\"", 0, SFO_E_JSON_TRAILING, 5, 0 },
        { "{\"a\"::1}", 0, SFO_E_JSON_SYNTAX, 5, 0 },
    };
    size_t k;
    (void)state;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct bad *c = &cases[k];
        size_t n = c->len ? c->len : strlen(c->doc);
        for (uint32_t mode = 0; mode < 6; mode++) {
            struct result r = scan((const uint8_t *)c->doc, n, c->depth ? c->depth : 16, mode);
            if (r.rc != c->rc || r.off != c->off) {
                print_message("case %zu mode %u: got %s at %zu, want %s at %zu\n", k, mode,
                              sfo_errname(r.rc), r.off, sfo_errname(c->rc), c->off);
            }
            assert_int_equal(r.rc, c->rc);
            assert_int_equal(r.off, c->off);
            free(r.transcript);
        }
    }
}

static void abort_and_args(void **state)
{
    struct sfo_json j;
    uint8_t stack[2];
    struct rec r;
    (void)state;
    memset(&r, 0, sizeof r);
    r.abort_at = 3; /* OBJECT_BEGIN, KEY "a", then NUMBER 12 */
    assert_int_equal(sfo_json_init(&j, stack, 16, rec_cb, &r), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, "{\"a\":12,\"b\":2}", 14), SFO_E_JSON_ABORTED);
    assert_int_equal(j.cb_result, 42);
    assert_int_equal(sfo_json_error_offset(&j), 7); /* the ',' that ended 12 */
    assert_int_equal(sfo_json_feed(&j, " ", 1), SFO_E_JSON_ABORTED);
    free(r.out);

    assert_int_equal(sfo_json_init(NULL, stack, 16, rec_cb, &r), SFO_E_ARG);
    assert_int_equal(sfo_json_init(&j, NULL, 16, rec_cb, &r), SFO_E_ARG);
    assert_int_equal(sfo_json_init(&j, stack, 0, rec_cb, &r), SFO_E_ARG);
    /* no callback: pure validation */
    assert_int_equal(sfo_json_init(&j, stack, 16, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, NULL, 0), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, NULL, 1), SFO_E_ARG);
    assert_int_equal(sfo_json_feed(&j, "[\"x\\u00e9\", 1e5]", 16), SFO_OK);
    assert_int_equal(sfo_json_finish(&j), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, " \n", 2), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, "x", 1), SFO_E_JSON_TRAILING);
    assert_int_equal(sfo_json_error_offset(&j), 18);
}

/* ---- writer ------------------------------------------------------------------------- */

static void check_write(const char *in, size_t n, const char *want)
{
    char out[256];
    size_t len = 99, wl = strlen(want);
    assert_int_equal(sfo_json_write_string(in, n, out, sizeof out, &len), SFO_OK);
    assert_int_equal(len, wl);
    assert_string_equal(out, want);
    /* exact fit works, one byte short fails without truncated output */
    assert_int_equal(sfo_json_write_string(in, n, out, wl + 1, &len), SFO_OK);
    assert_string_equal(out, want);
    assert_int_equal(sfo_json_write_string(in, n, out, wl, &len), SFO_E_TOO_LONG);
    assert_int_equal(out[0], '\0');
}

static void writer(void **state)
{
    char out[64];
    size_t len;
    (void)state;
    check_write("", 0, "\"\"");
    check_write("abc", 3, "\"abc\"");
    check_write("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
    check_write("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
    check_write("\x01\x0b\x1f\x7f", 4, "\"\\u0001\\u000b\\u001f\x7f\"");
    check_write("a\0b", 3, "\"a\\u0000b\"");
    check_write("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf", 16,
                "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
    /* invalid UTF-8 */
    static const char *bad[] = { "\x80",
                                 "\xc3",
                                 "\xc0\x80",
                                 "\xc1\xbf",
                                 "\xe0\x9f\xbf",
                                 "\xed\xa0\x80",
                                 "\xf0\x8f\xbf\xbf",
                                 "\xf4\x90\x80\x80",
                                 "\xf5\x80\x80\x80",
                                 "\xff",
                                 "a\xe2\x82",
                                 "\xe2\x28\xa1" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_equal(sfo_json_write_string(bad[k], strlen(bad[k]), out, sizeof out, &len),
                         SFO_E_JSON_UTF8);
        assert_int_equal(out[0], '\0');
    }
    assert_int_equal(sfo_json_write_string("a", 1, out, 0, &len), SFO_E_TOO_LONG);
    assert_int_equal(sfo_json_write_string("a", 1, NULL, 8, &len), SFO_E_ARG);
    assert_int_equal(sfo_json_write_string(NULL, 1, out, 8, &len), SFO_E_ARG);
    assert_int_equal(sfo_json_write_string(NULL, 0, out, 8, NULL), SFO_OK);
    assert_string_equal(out, "\"\"");
    /* the writer's output scans back to the input */
    {
        char in[40];
        for (int c = 0; c < 40; c++) in[c] = (char)c;
        char big[256];
        assert_int_equal(sfo_json_write_string(in, 40, big, sizeof big, &len), SFO_OK);
        struct result r = scan((const uint8_t *)big, len, 1, 1);
        assert_int_equal(r.rc, SFO_OK);
        assert_memory_equal(r.transcript + 4, in, 40);
        free(r.transcript);
    }
}

static int abort_first_piece(void *user, enum sfo_json_event ev, const char *d, size_t len,
                             unsigned flags, size_t depth)
{
    (void)d;
    (void)len;
    (void)flags;
    (void)depth;
    if (ev == SFO_JSON_STRING) {
        (*(int *)user)++;
        return 5;
    }
    return 0;
}

/* Corners: a buffered piece whose flush is refused, mismatched surrogate pairs,
 * NULL arguments of finish / error_offset / feed. */
static void coverage_corners(void **state)
{
    (void)state;
    struct sfo_json j;
    uint8_t st[2];
    int calls = 0;
    char part[41];
    memset(part, 'a', 40);
    part[40] = 0;

    /* 40 bytes are buffered; 40 more overflow the buffer: the flush is refused */
    assert_int_equal(sfo_json_init(&j, st, 4, abort_first_piece, &calls), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, "[\"", 2), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, part, 40), SFO_OK);
    assert_int_equal(calls, 0);
    assert_int_equal(sfo_json_feed(&j, part, 40), SFO_E_JSON_ABORTED);
    assert_int_equal(calls, 1);
    assert_int_equal(j.cb_result, 5);
    assert_int_equal(sfo_json_finish(&j), SFO_E_JSON_ABORTED);

    /* a high surrogate followed by a \u escape that is not a low surrogate */
    static const char *const bad[] = { "\"\\ud800\\u0041\"", "\"\\ud800\\ue000\"",
                                       "\"\\ud800\\ud800\"", "\"\\udc00\"" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sfo_json_init(&j, st, 4, NULL, NULL), SFO_OK);
        assert_int_equal(sfo_json_feed(&j, bad[i], strlen(bad[i])), SFO_E_JSON_SURROGATE);
    }
    assert_int_equal(sfo_json_init(&j, st, 4, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, "\"\\ud83d\\ude00\"", 14), SFO_OK);
    assert_int_equal(sfo_json_finish(&j), SFO_OK);

    /* arguments */
    assert_int_equal(sfo_json_finish(NULL), SFO_E_ARG);
    assert_int_equal(sfo_json_error_offset(NULL), 0);
    assert_int_equal(sfo_json_feed(NULL, "1", 1), SFO_E_ARG);
    assert_int_equal(sfo_json_init(&j, st, 4, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, NULL, 1), SFO_E_ARG);
    assert_int_equal(sfo_json_feed(&j, NULL, 0), SFO_OK);
    assert_int_equal(sfo_json_feed(&j, "7", 1), SFO_OK);
    assert_int_equal(sfo_json_finish(&j), SFO_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_test_suite),
        cmocka_unit_test(string_escapes),
        cmocka_unit_test(long_strings),
        cmocka_unit_test(events_and_depth),
        cmocka_unit_test(depth_limit),
        cmocka_unit_test(error_codes),
        cmocka_unit_test(abort_and_args),
        cmocka_unit_test(writer),
        cmocka_unit_test(coverage_corners),
        cmocka_unit_test(adjacent_strings),
        cmocka_unit_test(escapes_at_buffer_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
