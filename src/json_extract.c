/*
 * JSON field extractor: pulls named members of the top-level object into
 * caller buffers while the document streams through the scanner. See
 * include/sfo_json.h for the contract.
 */
#include <string.h>
#include "sfo_json.h"

#define I64_MAX_U 0x7FFFFFFFFFFFFFFFull

/* Record an extractor error; returns 1, which stops the scan. */
static int fail(struct sfo_extract *x, int err)
{
    x->err = err;
    return 1; /* stops the scanner with SFO_E_JSON_ABORTED */
}

/* A piece of a top-level member name: narrow the candidates; at its end pick
 * the field it names (the first of equal names) as x->current. Returns 0, or 1
 * with SFO_E_JSON_DUPKEY when that field's key was already seen. */
static int on_key(struct sfo_extract *x, const char *d, size_t n, unsigned fl)
{
    uint32_t m;
    size_t i, k;
    if (fl & SFO_JSON_FIRST) {
        x->candidates = x->nfields == 0 ? 0u : (uint32_t)((2ull << (x->nfields - 1u)) - 1u);
        x->key_pos = 0;
    }
    for (i = 0, m = x->candidates; m != 0; i++, m >>= 1) {
        const char *name = x->fields[i].name + x->key_pos;
        for (k = 0; (m & 1u) && k < n; k++) {
            /* a NUL in the key never matches; stop at the end of name */
            if (d[k] == '\0' || name[k] != d[k]) {
                x->candidates &= ~(1u << i);
                break;
            }
        }
    }
    x->key_pos += n;
    if (fl & SFO_JSON_LAST) {
        for (i = 0, m = x->candidates; m != 0; i++, m >>= 1) {
            if ((m & 1u) && x->fields[i].name[x->key_pos] == '\0') {
                if (x->seen & (1u << i)) {
                    x->current = (int)i;
                    return fail(x, SFO_E_JSON_DUPKEY);
                }
                x->seen |= 1u << i;
                x->current = (int)i;
                break;
            }
        }
    }
    return 0;
}

/* One piece of an INT/UINT value (number text, or a string for INT): sign and
 * magnitude build up in x->neg, x->acc, x->int_state (0 nothing, 1 '-', 2 digits);
 * f->ival is set at the last piece. Returns SFO_OK, SFO_E_JSON_TYPE (string for
 * UINT, not [-]digits, empty) or SFO_E_JSON_RANGE (sign for UINT, fraction,
 * exponent, outside int64). */
static int int_piece(struct sfo_extract *x, struct sfo_field *f, enum sfo_json_event ev,
                     const char *d, size_t n, unsigned fl)
{
    size_t i;
    bool uint = f->type == SFO_FIELD_UINT;
    if (uint && ev != SFO_JSON_NUMBER) {
        return SFO_E_JSON_TYPE;
    }
    for (i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)d[i] - '0';
        if (c == (unsigned)('-' - '0') && x->int_state == 0 && !uint) {
            x->neg = true;
            x->int_state = 1;
            continue;
        }
        if (c > 9u) {
            return ev == SFO_JSON_NUMBER ? SFO_E_JSON_RANGE : SFO_E_JSON_TYPE;
        }
        /* acc * 10 + c must stay <= 2^63 - 1 (2^63 when negative) */
        if (x->acc > I64_MAX_U / 10u || (x->acc == I64_MAX_U / 10u && c > 7u + x->neg)) {
            return SFO_E_JSON_RANGE;
        }
        x->acc = x->acc * 10u + c;
        x->int_state = 2;
    }
    if (fl & SFO_JSON_LAST) {
        if (x->int_state != 2) {
            return SFO_E_JSON_TYPE;
        }
        /* -(2^63) is reached without overflowing int64 */
        f->ival = !x->neg ? (int64_t)x->acc : x->acc == 0 ? 0 : -(int64_t)(x->acc - 1u) - 1;
    }
    return SFO_OK;
}

/* One piece of a wanted STRING/NUMBER value into field f. Returns SFO_OK or
 * the extractor's code for the value (SFO_E_TOO_LONG, _JSON_TYPE, _JSON_RANGE). */
static int piece(struct sfo_extract *x, struct sfo_field *f, enum sfo_json_event ev, const char *d,
                 size_t n, unsigned fl)
{
    size_t i;
    if (f->type == SFO_FIELD_INT || f->type == SFO_FIELD_UINT) {
        return int_piece(x, f, ev, d, n, fl);
    }
    if (f->type == SFO_FIELD_TEXT || (f->type == SFO_FIELD_STRING && ev == SFO_JSON_STRING)) {
        /* byte by byte, so the first fault in the value decides, wherever the
         * pieces are cut */
        for (i = 0; i < n; i++) {
            if (d[i] == '\0') {
                return SFO_E_JSON_TYPE;
            }
            if (f->len + 1u >= f->cap) {
                return SFO_E_TOO_LONG;
            }
            f->str[f->len++] = d[i];
        }
        f->str[f->len] = '\0';
        return SFO_OK;
    }
    return SFO_E_JSON_TYPE;
}

/* Scanner callback: the top-level shape, member names at depth 1, and the
 * values of wanted members into their fields. Returns 0 to go on, 1 to stop
 * (x->err holds why). */
static int on_event(void *user, enum sfo_json_event ev, const char *d, size_t n, unsigned fl,
                    size_t depth)
{
    struct sfo_extract *x = (struct sfo_extract *)user;
    struct sfo_field *f;

    if (depth == 0) {
        if (x->top == 0) {
            x->top = ev;
        }
        return 0;
    }
    if (depth != 1 || x->top != SFO_JSON_OBJECT_BEGIN) {
        return 0;
    }
    if (ev == SFO_JSON_KEY) {
        return on_key(x, d, n, fl);
    }
    if (x->current < 0) {
        return 0; /* value of a member nobody asked for */
    }
    f = &x->fields[x->current];
    if (ev == SFO_JSON_TRUE || ev == SFO_JSON_FALSE) {
        if (f->type != SFO_FIELD_BOOL) {
            return fail(x, SFO_E_JSON_TYPE);
        }
        f->bval = ev == SFO_JSON_TRUE;
        f->present = true;
    } else if (ev == SFO_JSON_STRING || ev == SFO_JSON_NUMBER) {
        if (fl & SFO_JSON_FIRST) {
            f->len = 0;
            x->acc = 0;
            x->neg = false;
            x->int_state = 0;
        }
        /* A fault in the value is only reported at its last piece: where the
         * pieces end depends on how the caller split the input, so failing at
         * once would make the verdict (extractor fault vs. a scanner error
         * later in the same token) depend on the split. x->err holds it. */
        if (x->err == SFO_OK) {
            x->err = piece(x, f, ev, d, n, fl);
        }
        if (!(fl & SFO_JSON_LAST)) {
            return 0;
        }
        if (x->err != SFO_OK) {
            return 1; /* stops the scanner with SFO_E_JSON_ABORTED */
        }
        f->present = true;
    } else if (ev != SFO_JSON_NULL) {
        return fail(x, SFO_E_JSON_TYPE); /* object or array */
    }
    x->current = -1;
    return 0;
}

/* Reset every field's results; STRING/TEXT buffers are wiped. */
static void reset_fields(struct sfo_extract *x)
{
    size_t i;
    for (i = 0; i < x->nfields; i++) {
        struct sfo_field *f = &x->fields[i];
        f->present = false;
        f->len = 0;
        f->ival = 0;
        f->bval = false;
        if (f->type == SFO_FIELD_STRING || f->type == SFO_FIELD_TEXT) {
            sfo_wipe(f->str, f->cap);
        }
    }
}

int sfo_extract_init(struct sfo_extract *x, struct sfo_field *fields, size_t n, uint8_t *stack,
                     size_t max_depth)
{
    size_t i;
    int r;
    if (x == NULL || (fields == NULL && n != 0) || n > SFO_EXTRACT_MAX_FIELDS) {
        return SFO_E_ARG;
    }
    for (i = 0; i < n; i++) {
        const struct sfo_field *f = &fields[i];
        if (f->name == NULL || f->type < SFO_FIELD_STRING || f->type > SFO_FIELD_UINT ||
            ((f->type == SFO_FIELD_STRING || f->type == SFO_FIELD_TEXT) &&
             (f->str == NULL || f->cap == 0))) {
            return SFO_E_ARG;
        }
    }
    memset(x, 0, sizeof *x);
    r = sfo_json_init(&x->json, stack, max_depth, on_event, x);
    x->fields = fields;
    x->nfields = n;
    x->current = -1;
    reset_fields(x);
    return r;
}

/* The extractor's verdict for the scanner's r: its own error when it stopped
 * the scan; on any error every field is reset. */
static int result(struct sfo_extract *x, int r)
{
    if (r == SFO_E_JSON_ABORTED && x->err != SFO_OK) {
        r = x->err;
    }
    if (r != SFO_OK) {
        reset_fields(x);
    }
    return r;
}

int sfo_extract_feed(struct sfo_extract *x, const void *data, size_t len)
{
    return x == NULL ? SFO_E_ARG : result(x, sfo_json_feed(&x->json, data, len));
}

int sfo_extract_finish(struct sfo_extract *x)
{
    return x == NULL ? SFO_E_ARG : result(x, sfo_json_finish(&x->json));
}
