/*
 * Differential test of the JSON scanner against Python's json module.
 *
 * Generates DOCS documents from a fixed seed (valid documents of every shape:
 * nesting up to past the limit, escapes, surrogate pairs, raw UTF-8, numbers
 * with long digit runs, fractions, big/small exponents, -0; then a third of
 * them mutated: bytes flipped, inserted, deleted, truncated, NaN/Infinity,
 * lone surrogates, invalid UTF-8), asks tests/fuzz/json_diff.py (--emit) for
 * Python's canonical reading of each, and compares with the scanner's
 * (tests/fuzz/json_canon.h): the same verdict, and for accepted documents the
 * same decoded strings and numbers. Expected differences are documented in
 * json_diff.py (NaN/Infinity, lone surrogates, nesting beyond LIMIT) and
 * counted; the NOTE line gives the tally.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_json.h"
#include "testenv.h"
#include "fuzz/json_canon.h"

#define DOCS  20000u
#define LIMIT 32u /* scanner nesting limit for this test */
#define SEED  0x5f0a17u

static uint64_t g_rng;

static uint32_t rnd(uint32_t n)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (uint32_t)((g_rng * 0x2545f4914f6cdd1dull) >> 33) % n;
}

static void put(struct jc_buf *b, const char *s)
{
    jc_put(b, s, strlen(s));
}

static void ws(struct jc_buf *b)
{
    static const char *const w[] = { "", "", "", " ", "\n", "\t", "\r\n ", "  " };
    put(b, w[rnd(8)]);
}

static void gen_utf8(struct jc_buf *b, uint32_t cp)
{
    char u[5] = { 0 };
    if (cp < 0x80) {
        u[0] = (char)cp;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 63));
        u[2] = (char)(0x80 | (cp & 63));
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 63));
        u[2] = (char)(0x80 | ((cp >> 6) & 63));
        u[3] = (char)(0x80 | (cp & 63));
    }
    put(b, u);
}

static uint32_t rand_cp(void)
{
    switch (rnd(6)) {
    case 0: return 0x20 + rnd(0x5f);
    case 1: return 0x80 + rnd(0x780);
    case 2: {
        uint32_t c = 0x800 + rnd(0xF800);
        return (c >= 0xD800 && c < 0xE000) ? 0xE9 : c;
    }
    case 3: return 0x10000 + rnd(0x100000);
    default: return 'a' + rnd(26);
    }
}

static void gen_string(struct jc_buf *b)
{
    static const char *const esc[] = { "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t" };
    uint32_t n = rnd(4) == 0 ? rnd(150) : rnd(12);
    char tmp[16];
    put(b, "\"");
    for (uint32_t i = 0; i < n; i++) {
        switch (rnd(10)) {
        case 0: put(b, esc[rnd(8)]); break;
        case 1: {
            uint32_t cp = rand_cp();
            if (cp >= 0x10000) {
                cp -= 0x10000;
                snprintf(tmp, sizeof tmp, rnd(2) ? "\\u%04X\\u%04x" : "\\u%04x\\u%04X",
                         0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                snprintf(tmp, sizeof tmp, rnd(2) ? "\\u%04x" : "\\u%04X", cp);
            }
            put(b, tmp);
            break;
        }
        case 2:
            snprintf(tmp, sizeof tmp, "\\u%04x", rnd(0x20));
            put(b, tmp);
            break;
        case 3:
        case 4: gen_utf8(b, rand_cp()); break;
        default: {
            char c[2] = { (char)('a' + rnd(26)), 0 };
            put(b, c);
            break;
        }
        }
    }
    put(b, "\"");
}

static void digits(struct jc_buf *b, uint32_t n, int first_nonzero)
{
    for (uint32_t i = 0; i < n; i++) {
        char c[2] = { (char)('0' + (i == 0 && first_nonzero ? 1 + rnd(9) : rnd(10))), 0 };
        put(b, c);
    }
}

static void gen_number(struct jc_buf *b)
{
    if (rnd(3) == 0) put(b, "-");
    if (rnd(4) == 0)
        put(b, "0");
    else
        digits(b, 1 + (rnd(5) == 0 ? rnd(40) : rnd(6)), 1);
    if (rnd(3) == 0) {
        put(b, ".");
        digits(b, 1 + rnd(rnd(5) == 0 ? 30 : 5), 0);
    }
    if (rnd(4) == 0) {
        put(b, rnd(2) ? "e" : "E");
        uint32_t s = rnd(3);
        put(b, s == 0 ? "" : s == 1 ? "+" : "-");
        digits(b, 1 + rnd(4), 0);
    }
}

static void gen_value(struct jc_buf *b, uint32_t depth, uint32_t maxd)
{
    uint32_t k = depth >= maxd ? 4 + rnd(6) : rnd(10);
    ws(b);
    switch (k) {
    case 0:
    case 1: {
        uint32_t n = rnd(depth + 1 < maxd && rnd(2) ? 2 : 5);
        put(b, "[");
        for (uint32_t i = 0; i < n; i++) {
            if (i) put(b, ",");
            gen_value(b, depth + 1, maxd);
        }
        ws(b);
        put(b, "]");
        break;
    }
    case 2:
    case 3: {
        uint32_t n = rnd(depth + 1 < maxd && rnd(2) ? 2 : 5);
        put(b, "{");
        for (uint32_t i = 0; i < n; i++) {
            if (i) put(b, ",");
            ws(b);
            gen_string(b);
            ws(b);
            put(b, ":");
            gen_value(b, depth + 1, maxd);
        }
        ws(b);
        put(b, "}");
        break;
    }
    case 4:
    case 5: gen_string(b); break;
    case 6:
    case 7: gen_number(b); break;
    case 8: put(b, rnd(2) ? "true" : "false"); break;
    default: put(b, "null"); break;
    }
    ws(b);
}

/* A chain of d containers around a small value: depths around the limit. */
static void gen_deep(struct jc_buf *b, uint32_t d)
{
    char *kinds = malloc(d + 1);
    assert_non_null(kinds);
    for (uint32_t i = 0; i < d; i++) {
        kinds[i] = rnd(2) ? '[' : '{';
        ws(b);
        put(b, kinds[i] == '[' ? "[" : "{");
        if (kinds[i] == '{') {
            gen_string(b);
            put(b, ":");
        } else if (rnd(3) == 0) {
            gen_value(b, d, d);
            put(b, ",");
        }
    }
    gen_value(b, d, d);
    for (uint32_t i = d; i-- > 0;) {
        put(b, kinds[i] == '[' ? "]" : "}");
        ws(b);
    }
    free(kinds);
}

static void mutate(struct jc_buf *b)
{
    static const char *const ins[] = { ",",       "]",        "}",         "[",
                                       "{",       ":",        "\"",        "\\",
                                       "-",       ".",        "e",         "0",
                                       "NaN",     "Infinity", "-Infinity", "\\ud800",
                                       "\\udc00", "\xff",     "\xc0\x80",  "\xed\xa0\x80",
                                       "\x01",    "tru",      "nul",       "\xef\xbb\xbf",
                                       " ",       "1" };
    uint32_t times = 1 + rnd(3);
    for (uint32_t t = 0; t < times && b->len > 0; t++) {
        uint32_t at = rnd((uint32_t)b->len);
        switch (rnd(4)) {
        case 0: b->p[at] = (char)rnd(256); break;
        case 1:
            memmove(b->p + at, b->p + at + 1, b->len - at);
            b->len--;
            break;
        case 2:
            b->len = at;
            b->p[at] = 0;
            break;
        default: {
            const char *s = ins[rnd(sizeof ins / sizeof ins[0])];
            size_t n = strlen(s);
            struct jc_buf nb = { NULL, 0, 0 };
            jc_put(&nb, b->p, at);
            jc_put(&nb, s, n);
            jc_put(&nb, b->p + at, b->len - at);
            free(b->p);
            *b = nb;
            break;
        }
        }
    }
}

static void differential(void **state)
{
    (void)state;
    static struct jc_buf docs[DOCS];
    const char *file = t_path("%s/json_diff_docs.txt", t_build());
    FILE *f = fopen(file, "w");
    unsigned same = 0, nan_inf = 0, surr = 0, depth = 0, accepted = 0, bad = 0;

    assert_non_null(f);
    g_rng = SEED;
    for (unsigned i = 0; i < DOCS; i++) {
        struct jc_buf *b = &docs[i];
        memset(b, 0, sizeof *b);
        /* mostly shallow; every 16th document nests around the limit */
        if (i % 16 == 0)
            gen_deep(b, LIMIT - 4 + rnd(10));
        else
            gen_value(b, 0, 6);
        if (rnd(3) == 0) mutate(b);
        if (b->p == NULL) jc_put(b, "", 0);
        for (size_t k = 0; k < b->len; k++) fprintf(f, "%02x", (unsigned char)b->p[k]);
        fputc('\n', f);
    }
    assert_int_equal(fclose(f), 0);

    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "SFO_JSON_DIFF_DEPTH=%u '%s' '%s/tests/fuzz/json_diff.py' --emit '%s'", LIMIT,
             t_python(), t_root(), file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char line[1 << 20];
    for (unsigned i = 0; i < DOCS; i++) {
        assert_non_null(fgets(line, sizeof line, p));
        line[strcspn(line, "\n")] = 0;
        char *tab = strrchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        long pdepth = strtol(tab + 1, NULL, 10);
        int rc;
        char *c = jc_canon((const uint8_t *)docs[i].p, docs[i].len, LIMIT, &rc);
        int c_ok = rc == SFO_OK, p_ok = strncmp(line, "OK", 2) == 0;
        if (c_ok && p_ok && strcmp(c, line) == 0) {
            same++;
            accepted++;
        } else if (!c_ok && strcmp(line, "NONSTD") == 0)
            nan_inf++;
        else if (rc == SFO_E_JSON_SURROGATE && strcmp(line, "SURR") == 0)
            surr++;
        else if (rc == SFO_E_JSON_DEPTH && pdepth > (long)LIMIT)
            depth++;
        else if (!c_ok && !p_ok && strcmp(line, "NONSTD") != 0 && strcmp(line, "SURR") != 0)
            same++;
        else {
            bad++;
            fprintf(stderr, "document %u differs: %.*s\n  scanner: %.300s\n  python:  %.300s\n", i,
                    (int)(docs[i].len < 300 ? docs[i].len : 300), docs[i].p, c, line);
        }
        free(c);
        free(docs[i].p);
    }
    assert_int_equal(pclose(p), 0);
    printf("NOTE: json-diff %u documents: %u agree (%u accepted), expected differences: "
           "%u NaN/Infinity, %u lone surrogate, %u deeper than %u\n",
           DOCS, same, accepted, nan_inf, surr, depth, LIMIT);
    assert_int_equal(bad, 0);
    /* the generator must exercise both verdicts and every expected difference */
    assert_true(accepted > DOCS / 2 && same - accepted > DOCS / 10);
    assert_true(nan_inf > 0 && surr > 0 && depth > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
