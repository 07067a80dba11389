/*
 * Canonical text of a JSON document as the sfoauth scanner sees it, for the
 * differential test against Python's json module (tests/fuzz/json_diff.py
 * writes the same text from json.loads). Test-only code: libc and the heap.
 *
 * One line: "OK" followed by tokens separated by spaces, or "ERR <code>".
 *   {  }  [  ]  t  f  n           containers and literals
 *   K<hex>  S<hex>                 key / string: decoded bytes as lowercase hex
 *   I<digits>                      integer (no fraction/exponent), "-0" -> "0"
 *   D<16 hex digits>               other numbers: IEEE-754 double bits (strtod,
 *                                  round to nearest; overflow gives infinity)
 */
#ifndef SFO_JSON_CANON_H
#define SFO_JSON_CANON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sfo_json.h"

struct jc_buf {
    char *p;
    size_t len, cap;
};

static void jc_put(struct jc_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n + 1) c *= 2;
        b->p = realloc(b->p, c);
        if (b->p == NULL) abort();
        b->cap = c;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

struct jc_state {
    struct jc_buf out; /* canonical line */
    struct jc_buf val; /* value being joined from pieces */
};

static void jc_token(struct jc_state *s, const char *t)
{
    if (s->out.len > 0) jc_put(&s->out, " ", 1);
    jc_put(&s->out, t, strlen(t));
}

static void jc_value(struct jc_state *s, enum sfo_json_event ev)
{
    static const char hx[] = "0123456789abcdef";
    const char *v = s->val.p ? s->val.p : "";
    size_t n = s->val.len, i;
    char tmp[40];

    if (ev == SFO_JSON_NUMBER) {
        if (strpbrk(v, ".eE") == NULL) {
            const char *d = v[0] == '-' ? v + 1 : v;
            jc_token(s, "I"); /* digits are glued to the I */
            if (!(d[0] == '0' && d[1] == '\0') && v[0] == '-') jc_put(&s->out, "-", 1);
            jc_put(&s->out, d, strlen(d));
        } else {
            double x = strtod(v, NULL);
            uint64_t bits;
            memcpy(&bits, &x, sizeof bits);
            snprintf(tmp, sizeof tmp, "D%016llx", (unsigned long long)bits);
            jc_token(s, tmp);
        }
    } else {
        jc_token(s, ev == SFO_JSON_KEY ? "K" : "S");
        for (i = 0; i < n; i++) {
            char h[2] = { hx[(uint8_t)v[i] >> 4], hx[(uint8_t)v[i] & 15] };
            jc_put(&s->out, h, 2);
        }
    }
    s->val.len = 0;
    if (s->val.p) s->val.p[0] = '\0';
}

static int jc_cb(void *user, enum sfo_json_event ev, const char *d, size_t len, unsigned flags,
                 size_t depth)
{
    struct jc_state *s = user;
    (void)depth;
    switch (ev) {
    case SFO_JSON_OBJECT_BEGIN: jc_token(s, "{"); break;
    case SFO_JSON_OBJECT_END: jc_token(s, "}"); break;
    case SFO_JSON_ARRAY_BEGIN: jc_token(s, "["); break;
    case SFO_JSON_ARRAY_END: jc_token(s, "]"); break;
    case SFO_JSON_TRUE: jc_token(s, "t"); break;
    case SFO_JSON_FALSE: jc_token(s, "f"); break;
    case SFO_JSON_NULL: jc_token(s, "n"); break;
    default:
        if (flags & SFO_JSON_FIRST) s->val.len = 0;
        jc_put(&s->val, len ? d : "", len);
        if (flags & SFO_JSON_LAST) jc_value(s, ev);
        break;
    }
    return 0;
}

/*
 * Scan d[0..n) with nesting limit depth; returns the canonical line (malloc'd,
 * free it) and the scanner's code in *rc.
 */
static char *jc_canon(const uint8_t *d, size_t n, size_t depth, int *rc)
{
    struct jc_state s;
    struct sfo_json j;
    uint8_t *stack = calloc(SFO_JSON_STACK_BYTES(depth) + 1, 1);
    int r;

    memset(&s, 0, sizeof s);
    if (stack == NULL || sfo_json_init(&j, stack, depth, jc_cb, &s) != SFO_OK) abort();
    r = sfo_json_feed(&j, d, n);
    if (r == SFO_OK) r = sfo_json_finish(&j);
    free(stack);
    free(s.val.p);
    *rc = r;
    if (r != SFO_OK) {
        char tmp[64];
        free(s.out.p);
        s.out.p = NULL;
        s.out.len = s.out.cap = 0;
        snprintf(tmp, sizeof tmp, "ERR %s", sfo_errname(r));
        jc_put(&s.out, tmp, strlen(tmp));
        return s.out.p;
    }
    {
        struct jc_buf line = { NULL, 0, 0 };
        jc_put(&line, "OK ", 3);
        jc_put(&line, s.out.p ? s.out.p : "", s.out.len);
        free(s.out.p);
        return line.p;
    }
}

#endif
