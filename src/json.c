/*
 * Streaming JSON scanner (RFC 8259) and string writer. See include/sfo_json.h.
 *
 * One byte table drives everything: its high nibble classifies a byte inside
 * a string (plain, quote, backslash, control, bad UTF-8, UTF-8 lead kind), its
 * low nibble outside (whitespace, punctuation, value starts, number chars).
 * Hot paths (string bodies, numbers, whitespace) are tight loops over spans of
 * the input; strings without escapes reach the callback straight from the
 * input when they end in the same feed, else through the SFO_JSON_BUF buffer.
 */
#include <string.h>
#include "sfo_json.h"

#if SFO_JSON_BUF < 4
#error "SFO_JSON_BUF must hold one decoded escape (4 bytes)"
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
enum { K_OTHER, K_WS, K_LBRACE, K_RBRACE, K_LBRACK, K_RBRACK, K_COLON, K_COMMA,
       K_QUOTE, K_LIT, K_ZERO, K_DIGIT, K_DOT, K_EXP, K_PLUS, K_MINUS };

static const uint8_t k_cls[256] = {
    0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x31,0x31,0x30,0x30,0x31,0x30,0x30,
    0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x30,
    0x01,0x00,0x18,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x0e,0x07,0x0f,0x0c,0x00,
    0x0a,0x0b,0x0b,0x0b,0x0b,0x0b,0x0b,0x0b,0x0b,0x0b,0x06,0x00,0x00,0x00,0x00,0x00,
    0x00,0x00,0x00,0x00,0x00,0x0d,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,
    0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x04,0x20,0x05,0x00,0x00,
    0x00,0x00,0x00,0x00,0x00,0x0d,0x09,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x09,0x00,
    0x00,0x00,0x00,0x00,0x09,0x00,0x00,0x00,0x00,0x00,0x00,0x02,0x00,0x03,0x00,0x00,
    0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,
    0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,
    0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,
    0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,
    0x40,0x40,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,
    0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,0x50,
    0x60,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x70,0x80,0x70,0x70,
    0x90,0xa0,0xa0,0xa0,0xb0,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,0x40,
};

/* UTF-8 lead kinds C2-DF, E0, E1-EC/EE-EF, ED, F0, F1-F3, F4: continuation
 * bytes still due and the range allowed for the first one (Unicode table 3-7). */
static const uint8_t k_u8_need[7] = { 1, 2, 2, 2, 3, 3, 3 };
static const uint8_t k_u8_lo[7] = { 0x80, 0xA0, 0x80, 0x80, 0x90, 0x80, 0x80 };
static const uint8_t k_u8_hi[7] = { 0xBF, 0xBF, 0xBF, 0x9F, 0xBF, 0xBF, 0x8F };

/* Number grammar: states x classes ('0', 1-9, '.', e/E, '+', '-', other). */
enum { N_START, N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_EXP, N_ESIGN, N_EDIG,
       N_END = 14, N_ERR = 15 };
static const uint8_t k_num[9][7] = {
    /* START */ { N_ZERO, N_INT,  N_ERR, N_ERR, N_ERR,   N_MINUS, N_ERR },
    /* MINUS */ { N_ZERO, N_INT,  N_ERR, N_ERR, N_ERR,   N_ERR,   N_ERR },
    /* ZERO  */ { N_ERR,  N_ERR,  N_DOT, N_EXP, N_ERR,   N_ERR,   N_END },
    /* INT   */ { N_INT,  N_INT,  N_DOT, N_EXP, N_ERR,   N_ERR,   N_END },
    /* DOT   */ { N_FRAC, N_FRAC, N_ERR, N_ERR, N_ERR,   N_ERR,   N_ERR },
    /* FRAC  */ { N_FRAC, N_FRAC, N_ERR, N_EXP, N_ERR,   N_ERR,   N_END },
    /* EXP   */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ESIGN, N_ESIGN, N_ERR },
    /* ESIGN */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ERR,   N_ERR,   N_ERR },
    /* EDIG  */ { N_EDIG, N_EDIG, N_ERR, N_ERR, N_ERR,   N_ERR,   N_END },
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

/* Append n bytes of the current token; last: the token ends here. Pieces that
 * fit the buffer are gathered so a token of <= SFO_JSON_BUF bytes arrives in
 * one call; a token ending in the feed it started in comes straight from p. */
static int put(struct sfo_json *j, const char *p, size_t n, unsigned last)
{
    int r = SFO_OK;
    unsigned ev = j->flags & 15u;
    if (j->buf_len != 0 && j->buf_len + n > SFO_JSON_BUF) {
        r = emit(j, ev, j->buf, j->buf_len, 0);
        j->buf_len = 0;
    }
    if (r == SFO_OK) {
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
    }
    return r;
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

/* One byte of an escape sequence (j->sub: 1 after '\\', 2..5 hex digits,
 * 6 '\\' of a low surrogate due, 7 its 'u' due). */
static int escape(struct sfo_json *j, unsigned c)
{
    char t[4];
    size_t n = 1;
    uint32_t cp;
    unsigned i;
    if (j->sub == 1) {
        j->sub = 0;
        if (c == 'u') {
            j->sub = 2;
            j->cp = 0;
            return SFO_OK;
        }
        for (i = 0; i < 8u; i++) {
            if (c == (unsigned char)k_esc_in[i]) {
                return put(j, &k_esc_out[i], 1, 0);
            }
        }
        return SFO_E_JSON_ESCAPE;
    }
    if (j->sub >= 6) {
        if (c != (j->sub == 6 ? '\\' : 'u')) {
            return SFO_E_JSON_SURROGATE;
        }
        j->sub = (uint8_t)(j->sub == 6 ? 7 : 2);
        j->cp = 0;
        return SFO_OK;
    }
    if (c - '0' < 10u) {
        c -= '0';
    } else if ((c | 0x20u) - 'a' < 6u) {
        c = (c | 0x20u) - 'a' + 10u;
    } else {
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
    if (cp < 0x80u) {
        t[0] = (char)cp;
    } else {
        n = cp < 0x800u ? 2u : cp < 0x10000u ? 3u : 4u;
        t[0] = (char)((0xF0u << (4u - n)) | (cp >> (6u * (n - 1u))));
        for (i = 1; i < n; i++) {
            t[i] = (char)(0x80u | ((cp >> (6u * (n - 1u - i))) & 0x3Fu));
        }
    }
    return put(j, t, n, 0);
}

int sfo_json_init(struct sfo_json *j, uint8_t *stack, size_t max_depth, sfo_json_cb cb,
                  void *user)
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

int sfo_json_feed(struct sfo_json *j, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t i = 0, s;
    unsigned c, k = 0, st;
    int r = SFO_OK;

    if (j == NULL || (p == NULL && len != 0)) {
        return SFO_E_ARG;
    }
    if (j->err != SFO_OK) {
        return j->err;
    }
    while (i < len) {
        c = p[i];
        switch (j->state) {
        case ST_STR:
            if (j->sub != 0) {
                r = escape(j, c);
                break;
            }
            s = i;
            for (;;) {
                while (j->utf8_need != 0 && i < len) {
                    c = p[i];
                    if (c < j->utf8_lo || c > j->utf8_hi) {
                        r = SFO_E_JSON_UTF8;
                        goto out;
                    }
                    j->utf8_need--;
                    j->utf8_lo = 0x80;
                    j->utf8_hi = 0xBF;
                    i++;
                }
                while (i < len && k_cls[p[i]] < 0x10u) {
                    i++;
                }
                if (i == len) {
                    break;
                }
                k = (unsigned)(k_cls[p[i]] >> 4) - H_LEAD;
                if (k >= 7u) {
                    break;
                }
                j->utf8_need = k_u8_need[k];
                j->utf8_lo = k_u8_lo[k];
                j->utf8_hi = k_u8_hi[k];
                i++;
            }
            if (i == len) {
                r = put(j, (const char *)p + s, i - s, 0);
                goto out;
            }
            k = k_cls[p[i]] >> 4;
            if (k == H_QUOTE) {
                r = put(j, (const char *)p + s, i - s, SFO_JSON_LAST);
                if ((j->flags & 15u) == SFO_JSON_KEY) {
                    j->state = ST_COLON;
                } else {
                    value_done(j);
                }
            } else if (k == H_BSL) {
                r = put(j, (const char *)p + s, i - s, 0);
                j->sub = 1;
            } else {
                r = k == H_CTRL ? SFO_E_JSON_CONTROL : SFO_E_JSON_UTF8;
            }
            break;

        case ST_NUM:
            s = i;
            st = j->sub;
            for (; i < len; i++) {
                k = k_cls[p[i]] & 15u;
                k = k_num[st][k >= K_ZERO ? k - K_ZERO : 6u];
                if (k >= N_END) {
                    break;
                }
                st = k;
            }
            j->sub = (uint8_t)st;
            if (i == len) {
                r = put(j, (const char *)p + s, i - s, 0);
                goto out;
            }
            r = k == N_ERR ? SFO_E_JSON_NUMBER
                           : put(j, (const char *)p + s, i - s, SFO_JSON_LAST);
            if (r != SFO_OK) {
                goto out;
            }
            value_done(j);
            continue; /* the ending byte is read again */

        case ST_LIT:
            if (c != (unsigned char)k_lit[j->sub]) {
                goto syntax;
            }
            if (k_lit[++j->sub] == 0) {
                r = emit(j, j->sub == 3 ? SFO_JSON_TRUE
                            : j->sub == 8 ? SFO_JSON_FALSE : SFO_JSON_NULL, NULL, 0, 0);
                value_done(j);
            }
            break;

        default: /* between tokens */
            while ((k = k_cls[c] & 15u) == K_WS) {
                if (++i == len) {
                    goto out;
                }
                c = p[i];
            }
            st = j->state;
            if (st == ST_DONE) {
                r = SFO_E_JSON_TRAILING;
                goto out;
            }
            if (st == ST_COLON) {
                if (k != K_COLON) {
                    goto syntax;
                }
                j->state = ST_VALUE;
            } else if (k == K_RBRACE || k == K_RBRACK) {
                if (st == ST_VALUE || st == ST_KEY || in_object(j) != (k == K_RBRACE)) {
                    goto syntax;
                }
                j->depth--;
                r = emit(j, k == K_RBRACE ? SFO_JSON_OBJECT_END : SFO_JSON_ARRAY_END,
                         NULL, 0, 0);
                value_done(j);
            } else if (st == ST_AFTER) {
                if (k != K_COMMA) {
                    goto syntax;
                }
                j->state = in_object(j) ? ST_KEY : ST_VALUE;
            } else if (st == ST_KEY || st == ST_KEY_OR_END) {
                if (k != K_QUOTE) {
                    goto syntax;
                }
                j->state = ST_STR;
                j->flags = (uint8_t)(F_FIRST | SFO_JSON_KEY);
                j->sub = 0;
            } else if (k == K_LBRACE || k == K_LBRACK) {
                size_t d = j->depth;
                if (d >= j->max_depth) {
                    r = SFO_E_JSON_DEPTH;
                    goto out;
                }
                if (k == K_LBRACE) {
                    j->stack[d >> 3] = (uint8_t)(j->stack[d >> 3] | (1u << (d & 7u)));
                    j->state = ST_KEY_OR_END;
                } else {
                    j->stack[d >> 3] = (uint8_t)(j->stack[d >> 3] & ~(1u << (d & 7u)));
                    j->state = ST_VALUE_OR_END;
                }
                r = emit(j, k == K_LBRACE ? SFO_JSON_OBJECT_BEGIN : SFO_JSON_ARRAY_BEGIN,
                         NULL, 0, 0);
                j->depth = d + 1u;
            } else if (k == K_QUOTE) {
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
                continue; /* the number loop reads this byte */
            } else {
                goto syntax;
            }
            break;
        }
        if (r != SFO_OK) {
            goto out;
        }
        i++;
    }
    goto out;
syntax:
    r = SFO_E_JSON_SYNTAX;
out:
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
