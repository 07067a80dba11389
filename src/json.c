/*
 * Streaming JSON scanner (RFC 8259) and string writer. See include/sfo_json.h.
 *
 * One byte table drives everything: its high nibble classifies a byte inside
 * a string (plain, quote, backslash, control, bad UTF-8, UTF-8 lead kind), its
 * low nibble outside (whitespace, punctuation, value starts, number chars).
 * Hot paths (string bodies, numbers, whitespace) are tight loops over spans of
 * the input; strings without escapes reach the callback straight from the
 * input when they end in the same feed, else through the SFO_JSON_BUF buffer.
 * Where a token ends, the ':' or ',' after it and the '"' of a string right
 * after that are taken on the spot (separator()), so the common
 * "key":"value","key":... runs without a round through the structural loop.
 */
#include <string.h>
#include "sfo_json.h"

#if SFO_JSON_BUF < 4
#error "SFO_JSON_BUF must hold one decoded escape (4 bytes)"
#endif

/* Speed paths: strings scanned a machine word at a time, whole escapes decoded
 * in place, short runs between escapes copied inline. On by default; off in
 * size-optimised builds (-Os), where they cost about 500 bytes of Thumb-2 code.
 * -DSFO_JSON_FAST=0 or 1 decides it explicitly. Same verdicts either way. */
#ifndef SFO_JSON_FAST
#ifdef __OPTIMIZE_SIZE__
#define SFO_JSON_FAST 0
#else
#define SFO_JSON_FAST 1
#endif
#endif

/* Grammar states (j->state). */
enum {
    ST_VALUE,        /* a value must come (top, after ':' or ',' in an array) */
    ST_VALUE_OR_END, /* after '[' */
    ST_KEY,          /* after ',' in an object */
    ST_KEY_OR_END,   /* after '{' */
    ST_COLON,        /* after a member name */
    ST_AFTER,        /* after a value inside a container: ',' or the close */
    ST_DONE,         /* after the top-level value: whitespace only */
    ST_STR,          /* inside a string; j->sub: escape progress */
    ST_NUM,          /* inside a number; j->sub: N_* */
    ST_LIT           /* inside true/false/null; j->sub: index in k_lit */
};

/* High nibble: string classes. */
enum { H_PLAIN, H_QUOTE, H_BSL, H_CTRL, H_BAD, H_LEAD /* 5..11: UTF-8 lead bytes */ };
/* Low nibble: structural classes; K_ZERO.. map to number classes 0..5. */
enum {
    K_OTHER,
    K_WS,
    K_LBRACE,
    K_RBRACE,
    K_LBRACK,
    K_RBRACK,
    K_COLON,
    K_COMMA,
    K_QUOTE,
    K_LIT,
    K_ZERO,
    K_DIGIT,
    K_DOT,
    K_EXP,
    K_PLUS,
    K_MINUS
};

static const uint8_t k_cls[256] = {
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x31, 0x30, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x07, 0x0f, 0x0c, 0x00,
    0x0a, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x20, 0x05, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
    0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
    0x60, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x80, 0x70, 0x70,
    0x90, 0xa0, 0xa0, 0xa0, 0xb0, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
};

/* UTF-8 lead kinds C2-DF, E0, E1-EC/EE-EF, ED, F0, F1-F3, F4: continuation
 * bytes still due and the range allowed for the first one (Unicode table 3-7). */
static const uint8_t k_u8_need[7] = { 1, 2, 2, 2, 3, 3, 3 };
static const uint8_t k_u8_lo[7] = { 0x80, 0xA0, 0x80, 0x80, 0x90, 0x80, 0x80 };
static const uint8_t k_u8_hi[7] = { 0xBF, 0xBF, 0xBF, 0x9F, 0xBF, 0xBF, 0x8F };

/* Number grammar: states x classes ('0', 1-9, '.', e/E, '+', '-', other). */
enum {
    N_START,
    N_MINUS,
    N_ZERO,
    N_INT,
    N_DOT,
    N_FRAC,
    N_EXP,
    N_ESIGN,
    N_EDIG,
    N_END = 14,
    N_ERR = 15
};
static const uint8_t k_num[9][7] = {
    /* START */ { N_ZERO, N_INT, N_ERR, N_ERR, N_ERR, N_MINUS, N_ERR },
    /* MINUS */ { N_ZERO, N_INT, N_ERR, N_ERR, N_ERR, N_ERR, N_ERR },
    /* ZERO  */ { N_ERR, N_ERR, N_DOT, N_EXP, N_ERR, N_ERR, N_END },
    /* INT   */ { N_INT, N_INT, N_DOT, N_EXP, N_ERR, N_ERR, N_END },
    /* DOT   */ { N_FRAC, N_FRAC, N_ERR, N_ERR, N_ERR, N_ERR, N_ERR },
    /* FRAC  */ { N_FRAC, N_FRAC, N_ERR, N_EXP, N_ERR, N_ERR, N_END },
    /* EXP   */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ESIGN, N_ESIGN, N_ERR },
    /* ESIGN */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ERR, N_ERR, N_ERR },
    /* EDIG  */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ERR, N_ERR, N_END },
};

/* Literal tails; a literal ends where k_lit[sub] == 0: 3 true, 8 false, 12 null. */
static const char k_lit[] = "rue\0alse\0ull";
/* Simple escapes: the letter after '\\' and the byte it stands for. */
static const char k_esc_in[8] = { '"', '\\', '/', 'b', 'f', 'n', 'r', 't' };
static const char k_esc_out[8] = { '"', '\\', '/', '\b', '\f', '\n', '\r', '\t' };

/* j->flags: low nibble = event of the token being read, F_FIRST = no piece yet. */
#define F_FIRST 0x10u

static int emit(struct sfo_json *j, unsigned ev, const char *d, size_t n, unsigned fl)
{
    int r;
    if (j->flags & F_FIRST) {
        fl |= SFO_JSON_FIRST;
        j->flags = (uint8_t)(j->flags & ~F_FIRST);
    }
    if (j->cb == NULL) {
        return SFO_OK;
    }
    r = j->cb(j->user, (enum sfo_json_event)ev, d, n, fl, j->depth);
    if (r != 0) {
        j->cb_result = r;
        return SFO_E_JSON_ABORTED;
    }
    return SFO_OK;
}

/* Gather n bytes into the piece buffer (flushing it first when they do not
 * fit); last: the token ends here and the buffer goes out. */
static int put_buf(struct sfo_json *j, const char *p, size_t n, unsigned last)
{
    int r = SFO_OK;
    unsigned ev = j->flags & 15u;
    if (j->buf_len != 0 && j->buf_len + n > SFO_JSON_BUF) {
        r = emit(j, ev, j->buf, j->buf_len, 0);
        j->buf_len = 0;
        if (r != SFO_OK) {
            return r;
        }
    }
    if (j->buf_len == 0 && (last || n > SFO_JSON_BUF)) {
        return emit(j, ev, p, n, last);
    }
    if (n != 0) {
        memcpy(j->buf + j->buf_len, p, n);
        j->buf_len += n;
    }
    if (last) {
        r = emit(j, ev, j->buf, j->buf_len, last);
        j->buf_len = 0;
    }
    return r;
}

#if SFO_JSON_FAST
#ifdef __GNUC__
#define COPY_FIXED(d, s, n) __builtin_memcpy(d, s, n) /* inline loads/stores, even freestanding */
#else
#define COPY_FIXED(d, s, n) memcpy(d, s, n)
#endif
/* Copy n bytes from s to d (no overlap) in a few fixed-size moves, the last
 * ones overlapping the earlier: cheaper than a call or a byte loop. */
static inline void copy_short(char *d, const char *s, size_t n)
{
    size_t o;
    if (n >= 8u) {
        for (o = 0; o + 8u < n; o += 8u) {
            COPY_FIXED(d + o, s + o, 8);
        }
        COPY_FIXED(d + n - 8u, s + n - 8u, 8);
    } else if (n >= 4u) {
        COPY_FIXED(d, s, 4);
        COPY_FIXED(d + n - 4u, s + n - 4u, 4);
    } else if (n != 0) {
        d[0] = s[0];
        d[n >> 1] = s[n >> 1];
        d[n - 1u] = s[n - 1u];
    }
}
#endif

/* Append n bytes of the current token; last: the token ends here. Pieces that
 * fit the buffer are gathered so a token of <= SFO_JSON_BUF bytes arrives in
 * one call; a token ending in the feed it started in comes straight from p.
 * The common cases (straight out, or a run that fits the buffer) stay here. */
static inline int put(struct sfo_json *j, const char *p, size_t n, unsigned last)
{
    size_t b = j->buf_len;
    if (b == 0 && last) {
        return emit(j, j->flags & 15u, p, n, last);
    }
#if SFO_JSON_FAST
    if (n <= SFO_JSON_BUF - b) { /* as put_buf, without the call */
        copy_short(j->buf + b, p, n);
        if (!last) {
            j->buf_len = b + n; /* a run between escapes */
            return SFO_OK;
        }
        j->buf_len = 0; /* the end of a gathered string */
        return emit(j, j->flags & 15u, j->buf, b + n, last);
    }
#endif
    return put_buf(j, p, n, last);
}

static unsigned in_object(const struct sfo_json *j)
{
    size_t d = j->depth - 1u;
    return ((unsigned)j->stack[d >> 3] >> (d & 7u)) & 1u;
}

static void value_done(struct sfo_json *j)
{
    j->state = j->depth != 0 ? ST_AFTER : ST_DONE;
}

/* Value of the hex digit c, or 16 when c is not one. */
static unsigned hexval(unsigned c)
{
    if (c - '0' < 10u) {
        return c - '0';
    }
    c |= 0x20u;
    return c - 'a' < 6u ? c - 'a' + 10u : 16u;
}

/* The byte a simple escape letter c stands for, or -1. */
static int simple_escape(unsigned c)
{
    unsigned i;
    for (i = 0; i < 8u; i++) {
        if (c == (unsigned char)k_esc_in[i]) {
            return (unsigned char)k_esc_out[i];
        }
    }
    return -1;
}

/* UTF-8 form of cp (a scalar value) into t; returns its length (1..4). */
static size_t utf8_encode(uint32_t cp, char t[4])
{
    size_t n = 1, i;
    if (cp < 0x80u) {
        t[0] = (char)cp;
        return 1;
    }
    n = cp < 0x800u ? 2u : cp < 0x10000u ? 3u : 4u;
    t[0] = (char)((0xF0u << (4u - n)) | (cp >> (6u * (n - 1u))));
    for (i = 1; i < n; i++) {
        t[i] = (char)(0x80u | ((cp >> (6u * (n - 1u - i))) & 0x3Fu));
    }
    return n;
}

/* An escape read whole from p (n bytes fed from the '\\' on): a simple one or
 * a \uXXXX outside the surrogate range, decoded into t (*tn bytes). Returns its
 * length (2 or 6), or 0 when escape() must read it byte by byte (cut by the
 * feed's end, malformed, or a surrogate), so errors and offsets stay there. */
static size_t escape_whole(const uint8_t *p, size_t n, char t[4], size_t *tn)
{
    uint32_t cp = 0;
    unsigned i, v;
    int e;
    if (n < 2u) {
        return 0;
    }
    if (p[1] != 'u') {
#if SFO_JSON_FAST
        e = p[1] == '/' || p[1] == '\\' || p[1] == '"' ? p[1] : simple_escape(p[1]);
#else
        e = simple_escape(p[1]);
#endif
        t[0] = (char)e;
        *tn = 1;
        return e < 0 ? 0u : 2u;
    }
    if (n < 6u) {
        return 0;
    }
    for (i = 2; i < 6u; i++) {
        v = hexval(p[i]);
        if (v > 15u) {
            return 0;
        }
        cp = (cp << 4) | v;
    }
    if (cp >= 0xD800u && cp <= 0xDFFFu) {
        return 0;
    }
    if (cp < 0x80u) { /* the UTF-8 form of cp <= U+FFFF, inline */
        t[0] = (char)cp;
        *tn = 1;
    } else if (cp < 0x800u) {
        t[0] = (char)(0xC0u | (cp >> 6));
        t[1] = (char)(0x80u | (cp & 0x3Fu));
        *tn = 2;
    } else {
        t[0] = (char)(0xE0u | (cp >> 12));
        t[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
        t[2] = (char)(0x80u | (cp & 0x3Fu));
        *tn = 3;
    }
    return 6;
}

/* One byte of an escape sequence (j->sub: 1 after '\\', 2..5 hex digits,
 * 6 '\\' of a low surrogate due, 7 its 'u' due). */
static int escape(struct sfo_json *j, unsigned c)
{
    char t[4];
    uint32_t cp;
    int e;
    if (j->sub == 1) {
        j->sub = 0;
        if (c == 'u') {
            j->sub = 2;
            j->cp = 0;
            return SFO_OK;
        }
        e = simple_escape(c);
        t[0] = (char)e;
        return e < 0 ? SFO_E_JSON_ESCAPE : put(j, t, 1, 0);
    }
    if (j->sub >= 6) {
        if (c != (j->sub == 6 ? '\\' : 'u')) {
            return SFO_E_JSON_SURROGATE;
        }
        j->sub = (uint8_t)(j->sub == 6 ? 7 : 2);
        j->cp = 0;
        return SFO_OK;
    }
    c = hexval(c);
    if (c > 15u) {
        return SFO_E_JSON_ESCAPE;
    }
    cp = j->cp = (j->cp << 4) | c;
    if (++j->sub < 6) {
        return SFO_OK;
    }
    j->sub = 0;
    if (j->hi_surrogate != 0) {
        if (cp < 0xDC00u || cp > 0xDFFFu) {
            return SFO_E_JSON_SURROGATE;
        }
        cp = 0x10000u + ((j->hi_surrogate - 0xD800u) << 10) + (cp - 0xDC00u);
        j->hi_surrogate = 0;
    } else if (cp >= 0xD800u && cp <= 0xDBFFu) {
        j->hi_surrogate = cp;
        j->sub = 6;
        return SFO_OK;
    } else if (cp >= 0xDC00u && cp <= 0xDFFFu) {
        return SFO_E_JSON_SURROGATE;
    }
    return put(j, t, utf8_encode(cp, t), 0);
}

int sfo_json_init(struct sfo_json *j, uint8_t *stack, size_t max_depth, sfo_json_cb cb, void *user)
{
    if (j == NULL || stack == NULL || max_depth == 0) {
        return SFO_E_ARG;
    }
    memset(j, 0, sizeof *j);
    j->stack = stack;
    j->max_depth = max_depth;
    j->cb = cb;
    j->user = user;
    return SFO_OK;
}

/* A machine word of string bytes is plain when none is '"', '\\', < 0x20 or
 * >= 0x80 (SWAR: a byte that is zero after the XOR, or below 0x20, sets its
 * top bit after the subtraction; borrows start only at such a byte). */
#define W_ONES ((size_t)-1 / 255u)
#define W_HIGH (W_ONES * 0x80u)

/* End of the run of plain string bytes from p[i], a word at a time, then by
 * the table (which also lets 0x7F through). */
static size_t plain_run(const uint8_t *p, size_t i, size_t len)
{
#if SFO_JSON_FAST
    size_t w, q, b;
    while (len - i >= sizeof w) {
#ifdef __GNUC__
        __builtin_memcpy(&w, p + i, sizeof w); /* one unaligned load, even freestanding */
#else
        memcpy(&w, p + i, sizeof w);
#endif
        q = w ^ (W_ONES * 0x22u);
        b = w ^ (W_ONES * 0x5Cu);
        w = ((w - W_ONES * 0x20u) | (q - W_ONES) | (b - W_ONES) | w) & W_HIGH;
        if (w != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* the lowest flagged byte is the first special one (borrows only
             * run upwards from a special byte) */
            return i + ((size_t)__builtin_ctzll((unsigned long long)w) >> 3);
#else
            break;
#endif
        }
        i += sizeof w;
    }
#endif
    while (i < len && k_cls[p[i]] < 0x10u) {
        i++;
    }
    return i;
}

/* The continuation bytes still due of a UTF-8 sequence, from p[*pi]. */
static int utf8_tail(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len)
{
    size_t i = *pi;
    unsigned c;
    int r = SFO_OK;
    while (j->utf8_need != 0 && i < len) {
        c = p[i];
        if (c < j->utf8_lo || c > j->utf8_hi) {
            r = SFO_E_JSON_UTF8;
            break;
        }
        j->utf8_need--;
        j->utf8_lo = 0x80;
        j->utf8_hi = 0xBF;
        i++;
    }
    *pi = i;
    return r;
}

#if SFO_JSON_FAST
/* After a token that ended just before p[i] (j->state set as it ends): the
 * ':' or ',' the grammar allows next, and the '"' of a string right after it,
 * taken as structural() would take them. Returns the bytes taken; 2: a key or
 * string began (j->state ST_STR). Anything else is left to structural(). */
static inline size_t separator(struct sfo_json *j, const uint8_t *p, size_t i, size_t len)
{
    unsigned st = j->state, ev = SFO_JSON_STRING;
    if (i == len) {
        return 0;
    }
    if (p[i] == ':' && st == ST_COLON) {
        st = ST_VALUE;
    } else if (p[i] == ',' && st == ST_AFTER) {
        st = ST_VALUE;
        if (in_object(j)) {
            st = ST_KEY;
            ev = SFO_JSON_KEY;
        }
    } else {
        return 0;
    }
    if (len - i < 2u || p[i + 1] != '"') {
        j->state = (uint8_t)st;
        return 1;
    }
    j->state = ST_STR;
    j->flags = (uint8_t)(F_FIRST | ev);
    j->sub = 0;
    return 2;
}
#endif

/* The escape at p[*pi], r: the status of putting the run before it. Decoded
 * here when whole in the feed (straight into the piece buffer when it has
 * room): returns 0, *pi after it. Else returns 1 (left to escape(): j->sub = 1,
 * *pi after the '\\') or an error (*pi on the byte it is charged to). */
static inline int string_escape(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len, int r)
{
    size_t n = 0, tn = 0;
    char tmp[4], *t = tmp;
    if (SFO_JSON_FAST && r == SFO_OK) {
        if (j->buf_len + 4u <= SFO_JSON_BUF) {
            t = j->buf + j->buf_len;
        }
        n = escape_whole(p + *pi, len - *pi, t, &tn);
    }
    if (n == 0) {
        j->sub = 1;
        *pi += r == SFO_OK;
        return r != SFO_OK ? r : 1;
    }
    *pi += n;
    if (t != tmp) {
        j->buf_len += tn;
        return 0;
    }
    r = put_buf(j, t, tn, 0); /* the buffer is nearly full: rare */
    if (r != SFO_OK) {
        *pi -= 1; /* charged to the escape's last byte, as escape() does */
        return r;
    }
    return 0;
}

/* Inside a string (no escape pending), from p[*pi]: plain runs and whole UTF-8
 * sequences go out as one piece straight from p (no copy when the string ends
 * in this feed); whole escapes are decoded here, others left to escape(). Stops
 * after the closing quote (or goes on into a string that follows at once),
 * after a '\\' left to escape(), at the feed's end, or on the byte that
 * failed (*pi). */
static int string_run(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len)
{
    size_t i = *pi, s = i;
    unsigned k;
    int r = SFO_OK;
    for (;;) {
        if (j->utf8_need != 0) {
            r = utf8_tail(j, p, &i, len);
            if (r != SFO_OK) {
                break;
            }
        }
        i = plain_run(p, i, len);
        if (i == len) {
            r = put(j, (const char *)p + s, i - s, 0);
            break;
        }
        k = k_cls[p[i]] >> 4;
        if (k == H_QUOTE) {
            r = put(j, (const char *)p + s, i - s, SFO_JSON_LAST);
            if (r != SFO_OK) {
                break;
            }
            i++;
            j->state = (j->flags & 15u) == SFO_JSON_KEY ? ST_COLON
                       : j->depth != 0                  ? ST_AFTER
                                                        : ST_DONE;
#if SFO_JSON_FAST
            s = separator(j, p, i, len);
            i += s;
            if (s == 2) {
                s = i;
                continue; /* the next string, at once */
            }
#endif
            break;
        }
        if (k >= H_LEAD) {
            j->utf8_need = k_u8_need[k - H_LEAD];
            j->utf8_lo = k_u8_lo[k - H_LEAD];
            j->utf8_hi = k_u8_hi[k - H_LEAD];
            i++;
            continue;
        }
        if (k != H_BSL) {
            r = k == H_CTRL ? SFO_E_JSON_CONTROL : SFO_E_JSON_UTF8;
            break;
        }
        r = put(j, (const char *)p + s, i - s, 0);
        r = string_escape(j, p, &i, len, r);
        if (r != 0) {
            r = r == 1 ? SFO_OK : r;
            break;
        }
        s = i;
    }
    *pi = i;
    return r;
}

/* Inside a number, from p[*pi]: the run of number bytes (grammar k_num) goes
 * out as one piece; the byte ending it is left at *pi to be read again. */
static int number_run(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len)
{
    size_t i = *pi, s = i;
    unsigned st = j->sub, k = N_END;
    int r;
    for (; i < len; i++) {
        if (st == N_INT && p[i] - (unsigned)'0' < 10u) {
            continue; /* digits of the integer part, the common run */
        }
        k = k_cls[p[i]] & 15u;
        k = k_num[st][k >= K_ZERO ? k - K_ZERO : 6u];
        if (k >= N_END) {
            break;
        }
        st = k;
    }
    j->sub = (uint8_t)st;
    *pi = i;
    if (i == len) {
        return put(j, (const char *)p + s, i - s, 0);
    }
    if (k == N_ERR) {
        return SFO_E_JSON_NUMBER;
    }
    r = put(j, (const char *)p + s, i - s, SFO_JSON_LAST);
    value_done(j);
#if SFO_JSON_FAST
    *pi += r == SFO_OK ? separator(j, p, i, len) : 0u;
#endif
    return r;
}

/* One byte c of true/false/null (j->sub: index in k_lit). */
static int literal_byte(struct sfo_json *j, unsigned c)
{
    int r = SFO_OK;
    if (c != (unsigned char)k_lit[j->sub]) {
        return SFO_E_JSON_SYNTAX;
    }
    if (k_lit[++j->sub] == 0) {
        r = emit(j,
                 j->sub == 3   ? SFO_JSON_TRUE
                 : j->sub == 8 ? SFO_JSON_FALSE
                               : SFO_JSON_NULL,
                 NULL, 0, 0);
        value_done(j);
    }
    return r;
}

#if SFO_JSON_FAST
/* Inside true/false/null, from p[*pi]: its bytes until it ends (and the
 * separator after it), the feed ends, or a byte fails (*pi on it). */
static int literal_run(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len)
{
    size_t i = *pi;
    int r = SFO_OK;
    while (i < len && j->state == ST_LIT) {
        r = literal_byte(j, p[i]);
        if (r != SFO_OK) {
            break;
        }
        i++;
    }
    i += r == SFO_OK ? separator(j, p, i, len) : 0u;
    *pi = i;
    return r;
}
#endif

/* '{' or '[' (class k) at depth j->depth: push it, or refuse past the limit. */
static int open_container(struct sfo_json *j, unsigned k)
{
    size_t d = j->depth;
    int r;
    if (d >= j->max_depth) {
        return SFO_E_JSON_DEPTH;
    }
    if (k == K_LBRACE) {
        j->stack[d >> 3] = (uint8_t)(j->stack[d >> 3] | (1u << (d & 7u)));
        j->state = ST_KEY_OR_END;
    } else {
        j->stack[d >> 3] = (uint8_t)(j->stack[d >> 3] & ~(1u << (d & 7u)));
        j->state = ST_VALUE_OR_END;
    }
    r = emit(j, k == K_LBRACE ? SFO_JSON_OBJECT_BEGIN : SFO_JSON_ARRAY_BEGIN, NULL, 0, 0);
    j->depth = d + 1u;
    return r;
}

/* The first byte c (class k) of a value: enter its state. *reread: the byte
 * belongs to the token (a number) and is read again there. */
static int value_start(struct sfo_json *j, unsigned c, unsigned k, size_t *reread)
{
    if (k == K_LBRACE || k == K_LBRACK) {
        return open_container(j, k);
    }
    if (k == K_QUOTE) {
        j->state = ST_STR;
        j->flags = (uint8_t)(F_FIRST | SFO_JSON_STRING);
        j->sub = 0;
    } else if (k == K_LIT) {
        j->state = ST_LIT;
        j->sub = (uint8_t)(c == 't' ? 0 : c == 'f' ? 4 : 9);
    } else if (k == K_ZERO || k == K_DIGIT || k == K_MINUS) {
        j->state = ST_NUM;
        j->sub = N_START;
        j->flags = (uint8_t)(F_FIRST | SFO_JSON_NUMBER);
        *reread = 1;
    } else {
        return SFO_E_JSON_SYNTAX;
    }
    return SFO_OK;
}

/* One structural byte c (class k, not whitespace) or the first byte of a
 * value, checked against the grammar state. *reread as for value_start. */
static int structural_byte(struct sfo_json *j, unsigned c, unsigned k, size_t *reread)
{
    unsigned st = j->state;
    int r = SFO_OK;
    if (st == ST_DONE) {
        return SFO_E_JSON_TRAILING;
    }
    if (st == ST_COLON) {
        r = k == K_COLON ? SFO_OK : SFO_E_JSON_SYNTAX;
        j->state = ST_VALUE;
    } else if (k == K_RBRACE || k == K_RBRACK) {
        if (st == ST_VALUE || st == ST_KEY || in_object(j) != (k == K_RBRACE)) {
            return SFO_E_JSON_SYNTAX;
        }
        j->depth--;
        r = emit(j, k == K_RBRACE ? SFO_JSON_OBJECT_END : SFO_JSON_ARRAY_END, NULL, 0, 0);
        value_done(j);
    } else if (st == ST_AFTER) {
        r = k == K_COMMA ? SFO_OK : SFO_E_JSON_SYNTAX;
        j->state = in_object(j) ? ST_KEY : ST_VALUE;
    } else if (st == ST_KEY || st == ST_KEY_OR_END) {
        r = k == K_QUOTE ? SFO_OK : SFO_E_JSON_SYNTAX;
        j->state = ST_STR;
        j->flags = (uint8_t)(F_FIRST | SFO_JSON_KEY);
        j->sub = 0;
    } else {
        r = value_start(j, c, k, reread);
    }
    return r;
}

/* Between tokens, from p[*pi]: whitespace and structural bytes until a token
 * begins (its state is entered), the feed ends, or a byte fails (*pi on it). */
static int structural(struct sfo_json *j, const uint8_t *p, size_t *pi, size_t len)
{
    size_t i = *pi, reread = 0;
    unsigned c, k;
    int r = SFO_OK;
    for (; i < len; i++) {
        c = p[i];
        k = k_cls[c] & 15u;
        if (k == K_WS) {
            continue;
        }
        r = structural_byte(j, c, k, &reread);
        if (r != SFO_OK || reread != 0) {
            break;
        }
        if (j->state >= ST_STR) {
            i++;
            break;
        }
    }
    *pi = i;
    return r;
}

/* The scan is a state machine over j->state; each state's work is one helper
 * above (string_run, number_run, literal_byte, escape, structural), each of
 * which consumes as many bytes as it can before handing back. */
int sfo_json_feed(struct sfo_json *j, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t i = 0;
    int r = SFO_OK;

    if (j == NULL || (p == NULL && len != 0)) {
        return SFO_E_ARG;
    }
    if (j->err != SFO_OK) {
        return j->err;
    }
    while (i < len && r == SFO_OK) {
        switch (j->state) {
        case ST_STR:
            if (j->sub == 0) {
                r = string_run(j, p, &i, len);
            } else {
                r = escape(j, p[i]);
                i += r == SFO_OK;
            }
            break;
        case ST_NUM: r = number_run(j, p, &i, len); break;
        case ST_LIT:
#if SFO_JSON_FAST
            r = literal_run(j, p, &i, len);
#else
            r = literal_byte(j, p[i]);
            i += r == SFO_OK;
#endif
            break;
        default: r = structural(j, p, &i, len); break;
        }
    }
    if (r != SFO_OK) {
        j->err = r;
        /* offset of the byte being read; a piece flushed at the end of a feed
         * (callback abort) is charged to the last byte fed */
        j->err_offset = j->offset + (i == len && i != 0 ? i - 1u : i);
    }
    j->offset += i;
    return r;
}

int sfo_json_finish(struct sfo_json *j)
{
    int r;
    if (j == NULL) {
        return SFO_E_ARG;
    }
    if (j->err != SFO_OK) {
        return j->err;
    }
    r = SFO_E_JSON_INCOMPLETE;
    if (j->state == ST_DONE) {
        r = SFO_OK;
    } else if (j->state == ST_NUM && j->depth == 0) {
        r = SFO_E_JSON_NUMBER;
        if (k_num[j->sub][6] == N_END) {
            r = put(j, j->buf, 0, SFO_JSON_LAST);
            j->state = ST_DONE;
        }
    }
    if (r != SFO_OK) {
        j->err = r;
        j->err_offset = j->offset;
    }
    return r;
}

size_t sfo_json_error_offset(const struct sfo_json *j)
{
    return j != NULL ? j->err_offset : 0;
}

int sfo_json_write_string(const char *s, size_t n, char *out, size_t cap, size_t *out_len)
{
    static const char hex[] = "0123456789abcdef";
    static const char ctl[] = "btn\0fr"; /* escapes of 0x08..0x0D, 0: use \u00XX */
    const uint8_t *p = (const uint8_t *)s;
    size_t o = 0, i = 0, m = 1;
    unsigned need = 0, lo = 0x80, hi = 0xBF, c, k;
    char t[6] = { '"' };
    int r = SFO_OK;

    if (out == NULL || (s == NULL && n != 0)) {
        return SFO_E_ARG;
    }
    for (;;) {
        if (o + m >= cap) {
            r = SFO_E_TOO_LONG;
            break;
        }
        memcpy(out + o, t, m);
        o += m;
        if (i > n) {
            break;
        }
        m = 1;
        t[0] = '"';
        if (i == n) {
            i++;
            if (need != 0) {
                r = SFO_E_JSON_UTF8;
                break;
            }
            continue;
        }
        c = p[i++];
        k = k_cls[c] >> 4;
        t[0] = (char)c;
        if (need != 0) {
            if (c < lo || c > hi) {
                r = SFO_E_JSON_UTF8;
                break;
            }
            need--;
            lo = 0x80;
            hi = 0xBF;
        } else if (k >= H_LEAD) {
            need = k_u8_need[k - H_LEAD];
            lo = k_u8_lo[k - H_LEAD];
            hi = k_u8_hi[k - H_LEAD];
        } else if (k == H_BAD) {
            r = SFO_E_JSON_UTF8;
            break;
        } else if (k != H_PLAIN) {
            t[0] = '\\';
            t[1] = (char)c;
            m = 2;
            if (k == H_CTRL) {
                if (c - 8u < 6u && ctl[c - 8u] != 0) {
                    t[1] = ctl[c - 8u];
                } else {
                    t[1] = 'u';
                    t[2] = '0';
                    t[3] = '0';
                    t[4] = hex[c >> 4];
                    t[5] = hex[c & 15u];
                    m = 6;
                }
            }
        }
    }
    if (r != SFO_OK) {
        if (cap != 0) {
            out[0] = '\0';
        }
        return r;
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return SFO_OK;
}
