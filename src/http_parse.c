/*
 * Incremental HTTP/1.x response parser (see sfo_http.h for the contract).
 *
 * One byte-driven state machine for the status line, headers, chunk framing
 * and trailers; body bytes (Content-Length, chunk data, close-delimited) are
 * handed to the sink in spans straight from the caller's input. Nothing is
 * buffered but a few bytes of scratch for the header name and short values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "sfo_http.h"

/* Speed paths: the fixed part of the status line, a header name with its ':' and
 * a skipped value with its CRLF taken whole when they are in the feed. On by
 * default; off in size-optimised builds (-Os), where they cost about 400 bytes of
 * Thumb-2 code. -DSFO_HTTP_FAST=0 or 1 decides it explicitly. Same verdicts. */
#ifndef SFO_HTTP_FAST
#ifdef __OPTIMIZE_SIZE__
#define SFO_HTTP_FAST 0
#else
#define SFO_HTTP_FAST 1
#endif
#endif

enum {
    S_START,
    S_PROTO,
    S_MINOR,
    S_SP,
    S_CODE,
    S_AFTER_CODE,
    S_REASON,
    S_LF,
    S_LINE,
    S_NAME,
    S_VALUE,
    S_CSIZE,
    S_CEXT,
    S_CEXTQ,
    S_CEXTESC,
    S_CDATA_CR,
    S_BODY,    /* bulk: Content-Length body or chunk data (p->left bytes) */
    S_EOFBODY, /* bulk: close-delimited body */
    S_DONE
};
/* what follows an LF (p->next when state == S_LF) */
enum { X_START = 1, X_STATUS, X_HDR, X_HEADERS, X_CLINE, X_CDATA };

/* kept headers, in the order of k_names */
enum { H_NONE, H_CL, H_TE, H_CONN, H_RA, H_CT, H_LOC, H_AUTHN };
/* Their lowercase names, each after its length byte. */
static const char k_names[] = "\016content-length\021transfer-encoding\012connection"
                              "\013retry-after\014content-type\010location\020www-authenticate";

/* flags */
#define F_CL      0x01u
#define F_TE      0x02u
#define F_CLOSE   0x04u
#define F_KA      0x08u
#define F_BODY    0x10u /* header section over: count chunk lines instead */
#define F_TRAILER 0x20u
#define F_SEEN    0x40u  /* bit F_SEEN << (hid - H_CT): string header already kept */
#define F_OVF     0x400u /* short value did not fit the scratch */

#define CHUNK_MAX_BITS 60u

/* Make err the parser's sticky error; returns it. */
static int fail(struct sfo_http_parser *p, int err)
{
    p->err = err;
    return err;
}

/* RFC 9110 tchar: one bit per byte 0x00..0x7f (none above). */
static const uint8_t k_tchar[16] = { 0x00, 0x00, 0x00, 0x00, 0xfa, 0x6c, 0xff, 0x03,
                                     0xfe, 0xff, 0xff, 0xc7, 0xff, 0xff, 0xff, 0x57 };

static bool is_tchar(uint8_t c)
{
    /* letters and '-' (most name bytes) without the table */
    return (uint8_t)((c | 0x20) - 'a') < 26u || c == '-' ||
           (c < 0x80 && (((unsigned)k_tchar[c >> 3] >> (c & 7u)) & 1u));
}

/* Field-value byte other than HTAB: VCHAR, SP or obs-text. */
static bool is_vbyte(uint8_t c)
{
    return c >= 0x20 && c != 0x7f;
}

/* Lengths of the kept names (all different): bit n set for length n. */
#define K_NAME_LENS \
    ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 16) | (1u << 17))

/* H_* of a header name of n bytes (any case), H_NONE if not kept. A tchar ORed
 * with 0x20 is a lowercase letter or '-' only when it was one in either case. */
static uint8_t name_id(const char *s, size_t n)
{
    const char *t = k_names;
    uint8_t id = H_CL;
    if (n > 17 || !((K_NAME_LENS >> n) & 1u)) return H_NONE;
    while ((uint8_t)*t != n) {
        t += 1u + (uint8_t)*t;
        id++;
    }
    for (size_t i = 0; i < n; i++)
        if ((char)(s[i] | 0x20) != t[1 + i]) return H_NONE;
    return id;
}

/* Length of the leading run of d[0..n) that is field-value bytes (is_vbyte: no
 * CTL, no DEL; HTAB also ends the run). A word at a time, the tail byte by byte. */
static size_t value_run(const uint8_t *d, size_t n)
{
    const size_t ones = (size_t)-1 / 255u, high = ones * 0x80u;
    size_t j = 0;
    while (n - j >= sizeof(size_t)) {
        size_t w, x;
#ifdef __GNUC__
        __builtin_memcpy(&w, d + j, sizeof w); /* one unaligned load, even freestanding */
#else
        memcpy(&w, d + j, sizeof w);
#endif
        x = w ^ (ones * 0x7fu);
        if ((((w - ones * 0x20u) & ~w) | ((x - ones) & ~x)) & high) break;
        j += sizeof w;
    }
    while (j < n && is_vbyte(d[j])) j++;
    return j;
}

/* Value of the hex digit c (either case), or -1. */
static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Case-insensitive: s[0..n) equals the lowercase literal lit. */
static bool lit_eq(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c | 0x20);
        if (lit[i] == '\0' || lit[i] != c) return false;
    }
    return lit[i] == '\0';
}

/* Decimal digits only (n >= 1), value < 2^62 (digits <= 18). -1 otherwise. */
static int64_t dec(const char *s, size_t n)
{
    int64_t v = 0;
    if (n == 0 || n > 18) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The caller's buffer for kept string header hid (>= H_CT). */
static struct sfo_http_hdrbuf *str_dest(const struct sfo_http_parser *p)
{
    return &p->resp->hdr[p->hid - H_CT];
}

/* Back to "nothing read" (at init and after a 1xx): the results, content_length and
 * retry_after_s -1, each kept header buffer "", the per-response flags. */
static void resp_reset(struct sfo_http_parser *p)
{
    struct sfo_http_response *r = p->resp;
    memset(r, 0, offsetof(struct sfo_http_response, hdr));
    for (unsigned i = 0; i < SFO_HTTP_KEPT; i++)
        if (r->hdr[i].buf != NULL && r->hdr[i].cap > 0) r->hdr[i].buf[0] = '\0';
    r->content_length = -1;
    r->retry_after_s = -1;
    p->flags = 0;
    p->k = 0;
    p->num = 0;
}

int sfo_http_parser_init(struct sfo_http_parser *p, struct sfo_http_response *resp, bool head,
                         size_t header_max, uint64_t body_max, sfo_http_sink sink, void *sink_ctx)
{
    if (p == NULL || resp == NULL) return SFO_E_ARG;
    memset(p, 0, sizeof *p);
    p->resp = resp;
    p->no_body = head;
    p->header_max = header_max ? header_max : SFO_HTTP_HEADER_MAX;
    p->body_max = body_max ? body_max : SFO_HTTP_BODY_MAX;
    p->sink = sink;
    p->sink_ctx = sink_ctx;
    resp_reset(p);
    return SFO_OK;
}

bool sfo_http_parser_done(const struct sfo_http_parser *p)
{
    return p->state == S_DONE;
}

/* The comma-separated tokens of a Connection value v[0..n): "close" and
 * "keep-alive" (any case, blanks around them ignored) set their flags. */
static void conn_tokens(struct sfo_http_parser *p, const char *v, size_t n)
{
    for (size_t i = 0, s = 0; i <= n; i++) {
        if (i == n || v[i] == ',') {
            size_t e = i;
            while (s < e && (v[s] == ' ' || v[s] == '\t')) s++;
            while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
            if (lit_eq(v + s, e - s, "close")) p->flags |= F_CLOSE;
            if (lit_eq(v + s, e - s, "keep-alive")) p->flags |= F_KA;
            s = i + 1;
        }
    }
}

/* One complete header line: interpret the kept ones. A string header loses its
 * trailing blanks; one that overflowed its buffer is flagged in r->overflow and
 * left "". Returns SFO_OK, SFO_E_HTTP_CL (malformed, over 18 digits or differing
 * from an earlier one) or SFO_E_HTTP_TE (not exactly one "chunked"). */
static int end_header(struct sfo_http_parser *p)
{
    struct sfo_http_response *r = p->resp;
    const char *v = p->scratch;
    size_t n = p->vlen;
    int64_t x;

    if (p->hid >= H_CT) {
        char *d = str_dest(p)->buf;
        if (p->flags & F_OVF) {
            r->overflow |= 1u << (p->hid - H_CT);
            p->slen = 0;
        }
        while (p->slen > 0 && (d[p->slen - 1] == ' ' || d[p->slen - 1] == '\t')) p->slen--;
        d[p->slen] = '\0';
        return SFO_OK;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    switch (p->hid) {
    case H_CL:
        x = (p->flags & F_OVF) ? -1 : dec(v, n);
        if (x < 0 || ((p->flags & F_CL) && x != r->content_length)) return SFO_E_HTTP_CL;
        r->content_length = x;
        p->flags |= F_CL;
        break;
    case H_TE:
        if ((p->flags & (F_TE | F_OVF)) || !lit_eq(v, n, "chunked")) return SFO_E_HTTP_TE;
        p->flags |= F_TE;
        break;
    case H_CONN:
        if (p->flags & F_OVF) {
            p->flags |= F_CLOSE;
            break;
        }
        conn_tokens(p, v, n);
        break;
    case H_RA:
        x = (p->flags & F_OVF) ? -1 : dec(v, n);
        r->retry_after_s = (x >= 0 && n <= 9) ? x : -1;
        break;
    default: break;
    }
    return SFO_OK;
}

/* Empty line after the headers (or trailers): after a 1xx start again, else
 * decide the framing and the next state. Returns SFO_OK, SFO_E_HTTP_STATUS (101),
 * SFO_E_HTTP_CL_TE (both headers) or SFO_E_HTTP_BODY_SIZE (Content-Length over
 * body_max). */
static int end_headers(struct sfo_http_parser *p)
{
    struct sfo_http_response *r = p->resp;
    if (p->flags & F_TRAILER) {
        p->state = S_DONE;
        return SFO_OK;
    }
    if (r->status < 200) {
        if (r->status == 101) return SFO_E_HTTP_STATUS;
        resp_reset(p); /* 1xx: skipped, the final response follows */
        p->state = S_START;
        return SFO_OK;
    }
    if ((p->flags & (F_CL | F_TE)) == (F_CL | F_TE)) return SFO_E_HTTP_CL_TE;
    r->keep_alive = !(p->flags & F_CLOSE) && (r->minor == 1 || (p->flags & F_KA));
    p->flags |= F_BODY;
    p->line = 0;
    if (p->no_body || r->status == 204 || r->status == 304) {
        p->state = S_DONE;
    } else if (p->flags & F_TE) {
        r->chunked = true;
        p->num = 0;
        p->k = 0;
        p->state = S_CSIZE;
    } else if (p->flags & F_CL) {
        if ((uint64_t)r->content_length > p->body_max) return SFO_E_HTTP_BODY_SIZE;
        p->left = (uint64_t)r->content_length;
        p->state = p->left ? S_BODY : S_DONE;
    } else {
        r->keep_alive = false;
        p->state = S_EOFBODY;
    }
    return SFO_OK;
}

/* n body bytes to the sink, counted in body_len. Returns SFO_OK,
 * SFO_E_HTTP_BODY_SIZE (past body_max) or SFO_E_HTTP_SINK (the sink's code kept in
 * sink_err). */
static int deliver(struct sfo_http_parser *p, const uint8_t *d, size_t n)
{
    struct sfo_http_response *r = p->resp;
    if (n > p->body_max - r->body_len) return SFO_E_HTTP_BODY_SIZE;
    if (p->sink != NULL) {
        int rc = p->sink(p->sink_ctx, d, n);
        if (rc != 0) {
            r->sink_err = rc;
            return SFO_E_HTTP_SINK;
        }
    }
    r->body_len += n;
    return SFO_OK;
}

/* After the LF of a line: what p->next says follows. Returns SFO_OK, an error of
 * end_header/end_headers, or SFO_E_HTTP_BODY_SIZE for a chunk past body_max. */
static int after_lf(struct sfo_http_parser *p)
{
    switch (p->next) {
    case X_START: p->state = S_START; return SFO_OK;
    case X_STATUS: p->state = S_LINE; return SFO_OK;
    case X_HDR: p->state = S_LINE; return end_header(p);
    case X_HEADERS: return end_headers(p);
    case X_CLINE:
        p->line = 0;
        if (p->num == 0) {
            p->flags |= F_TRAILER;
            p->state = S_LINE;
            return SFO_OK;
        }
        if (p->num > p->body_max - p->resp->body_len) return SFO_E_HTTP_BODY_SIZE;
        p->left = p->num;
        p->state = S_BODY;
        return SFO_OK;
    default: /* X_CDATA */
        p->line = 0;
        p->num = 0;
        p->k = 0;
        p->state = S_CSIZE;
        return SFO_OK;
    }
}

/* The error for a CR not followed by LF, by the kind of line it ended. */
static int lf_error(uint8_t next)
{
    if (next <= X_STATUS) return SFO_E_HTTP_STATUS_LINE;
    if (next <= X_HEADERS) return SFO_E_HTTP_HEADER;
    return SFO_E_HTTP_CHUNK;
}

/* One byte of the status line: "HTTP/1.[01]", a code of 100..599, reason; a bare
 * CRLF before it is skipped. Returns SFO_OK or SFO_E_HTTP_STATUS_LINE. */
static int status_byte(struct sfo_http_parser *p, uint8_t c)
{
    struct sfo_http_response *r = p->resp;
    static const char k_proto[] = "HTTP/1.";

    switch (p->state) {
    case S_START:
        if (c == '\r') {
            p->state = S_LF;
            p->next = X_START;
            break;
        }
        p->state = S_PROTO;
        /* fall through */
    case S_PROTO:
        if (c != (uint8_t)k_proto[p->k]) return SFO_E_HTTP_STATUS_LINE;
        if (k_proto[++p->k] == '\0') p->state = S_MINOR;
        break;
    case S_MINOR:
        if (c != '0' && c != '1') return SFO_E_HTTP_STATUS_LINE;
        r->minor = (uint8_t)(c - '0');
        p->state = S_SP;
        break;
    case S_SP:
        if (c != ' ') return SFO_E_HTTP_STATUS_LINE;
        p->k = 0;
        p->state = S_CODE;
        break;
    case S_CODE:
        if (c < '0' || c > '9' || (p->k == 0 && (c < '1' || c > '5')))
            return SFO_E_HTTP_STATUS_LINE;
        p->num = p->num * 10 + (uint64_t)(c - '0');
        if (++p->k == 3) {
            r->status = (int)p->num;
            p->state = S_AFTER_CODE;
        }
        break;
    case S_AFTER_CODE:
        if (c == ' ') {
            p->state = S_REASON;
            break;
        }
        /* fall through */
    default: /* S_REASON */
        if (c == '\r') {
            p->state = S_LF;
            p->next = X_STATUS;
            break;
        }
        if (p->state == S_AFTER_CODE || (c < 0x20 && c != '\t') || c == 0x7f)
            return SFO_E_HTTP_STATUS_LINE;
        break;
    }
    return SFO_OK;
}

/* The ':' after a header name: which kept header it is (none in trailers, none
 * when seen before or without a caller buffer); the value follows. */
static void name_end(struct sfo_http_parser *p)
{
    p->hid = H_NONE;
    p->flags &= (uint16_t)~F_OVF;
    if (!(p->flags & F_TRAILER)) p->hid = name_id(p->scratch, p->vlen);
    if (p->hid >= H_CT) {
        uint16_t seen = (uint16_t)(F_SEEN << (p->hid - H_CT));
        const struct sfo_http_hdrbuf *b = str_dest(p);
        if ((p->flags & seen) || b->buf == NULL || b->cap == 0) p->hid = H_NONE;
        p->flags |= seen;
    }
    p->vlen = 0;
    p->slen = 0;
    p->state = S_VALUE;
}

/* One byte at the start of a header line (or of the empty line ending the head),
 * then of its name. Returns SFO_OK or SFO_E_HTTP_HEADER (not a tchar: obs-fold,
 * empty name, bare LF). */
static int name_byte(struct sfo_http_parser *p, uint8_t c)
{
    if (p->state == S_LINE) {
        if (c == '\r') {
            p->state = S_LF;
            p->next = X_HEADERS;
            return SFO_OK;
        }
        if (!is_tchar(c)) return SFO_E_HTTP_HEADER; /* includes obs-fold */
        p->vlen = 0;
        p->state = S_NAME;
    }
    if (c == ':') {
        name_end(p);
        return SFO_OK;
    }
    if (!is_tchar(c)) return SFO_E_HTTP_HEADER;
    if (p->vlen < sizeof p->scratch)
        p->scratch[p->vlen++] = (char)c;
    else
        p->vlen = 0xff; /* longer than any kept name */
    return SFO_OK;
}

/* One byte of a header value: kept ones go to the caller's buffer or scratch
 * (leading blanks skipped; too long: flagged), others are only checked.
 * Returns SFO_OK or SFO_E_HTTP_HEADER (a control byte other than HTAB, or DEL). */
static int value_byte(struct sfo_http_parser *p, uint8_t c)
{
    if (c == '\r') {
        p->state = S_LF;
        p->next = X_HDR;
        return SFO_OK;
    }
    if (!is_vbyte(c) && c != '\t') return SFO_E_HTTP_HEADER;
    if (p->hid == H_NONE) return SFO_OK;
    if (p->hid >= H_CT) {
        const struct sfo_http_hdrbuf *b = str_dest(p);
        if (p->slen == 0 && (c == ' ' || c == '\t')) return SFO_OK;
        if (p->slen + 1 < b->cap)
            b->buf[p->slen++] = (char)c;
        else
            p->flags |= F_OVF;
    } else {
        if (p->vlen == 0 && (c == ' ' || c == '\t')) return SFO_OK;
        if (p->vlen < sizeof p->scratch)
            p->scratch[p->vlen++] = (char)c;
        else
            p->flags |= F_OVF;
    }
    return SFO_OK;
}

/* One byte of a chunk-size line (hex size, extensions with quoted strings, CRLF)
 * or the CR due after a chunk's data. Returns SFO_OK, SFO_E_HTTP_CHUNK or
 * SFO_E_HTTP_CHUNK_SIZE (size of 2^60 or more). */
static int chunk_byte(struct sfo_http_parser *p, uint8_t c)
{
    int h;
    switch (p->state) {
    case S_CSIZE:
        h = hexval(c);
        if (h >= 0) {
            if (p->num >> (CHUNK_MAX_BITS - 4u)) return SFO_E_HTTP_CHUNK_SIZE;
            p->num = (p->num << 4) | (uint64_t)h;
            p->k = 1;
            break;
        }
        if (p->k == 0) return SFO_E_HTTP_CHUNK;
        if (c == ';') {
            p->k = 0;
            p->state = S_CEXT;
            break;
        }
        if (c == '\r') {
            p->state = S_LF;
            p->next = X_CLINE;
            break;
        }
        return SFO_E_HTTP_CHUNK;
    case S_CEXT: /* k: 0 before an extension name, 1 after (ignored) */
        if (is_tchar(c)) {
            p->k = 1;
            break;
        }
        if (c == ' ' || c == '\t') break;
        if (p->k == 0) return SFO_E_HTTP_CHUNK;
        if (c == ';') {
            p->k = 0;
            break;
        }
        if (c == '=') break;
        if (c == '"') {
            p->state = S_CEXTQ;
            break;
        }
        if (c == '\r') {
            p->state = S_LF;
            p->next = X_CLINE;
            break;
        }
        return SFO_E_HTTP_CHUNK;
    case S_CEXTQ:
        if ((c < 0x20 && c != '\t') || c == 0x7f) return SFO_E_HTTP_CHUNK;
        if (c == '"')
            p->state = S_CEXT;
        else if (c == '\\')
            p->state = S_CEXTESC;
        break;
    case S_CEXTESC:
        if ((c < 0x20 && c != '\t') || c == 0x7f) return SFO_E_HTTP_CHUNK;
        p->state = S_CEXTQ;
        break;
    default: /* S_CDATA_CR */
        if (c != '\r') return SFO_E_HTTP_CHUNK;
        p->state = S_LF;
        p->next = X_CDATA;
        break;
    }
    return SFO_OK;
}

/* One byte of the head, a chunk line or the trailers, after the size limits:
 * the byte-wise state machine, each part's work in the helpers above. Returns
 * SFO_OK, SFO_E_HTTP_HEADER_SIZE (head or trailers over header_max),
 * SFO_E_HTTP_CHUNK (chunk line over SFO_HTTP_CHUNK_LINE_MAX) or a helper's error. */
static int step(struct sfo_http_parser *p, uint8_t c)
{
    if (!(p->flags & F_BODY) || (p->flags & F_TRAILER)) {
        if (++p->hdr_bytes > p->header_max) return SFO_E_HTTP_HEADER_SIZE;
    } else if (++p->line > SFO_HTTP_CHUNK_LINE_MAX) {
        return SFO_E_HTTP_CHUNK;
    }

    switch (p->state) {
    case S_START:
    case S_PROTO:
    case S_MINOR:
    case S_SP:
    case S_CODE:
    case S_AFTER_CODE:
    case S_REASON: return status_byte(p, c);
    case S_LF:
        if (c != '\n') return lf_error(p->next);
        return after_lf(p);
    case S_LINE:
    case S_NAME: return name_byte(p, c);
    case S_VALUE: return value_byte(p, c);
    case S_CSIZE:
    case S_CEXT:
    case S_CEXTQ:
    case S_CEXTESC:
    case S_CDATA_CR: return chunk_byte(p, c);
    default: return SFO_E_INTERNAL;
    }
}

/* Body bytes from data[*pi]: up to the end of the body or chunk, to the sink;
 * *pi advanced past them. Returns SFO_OK or an error of deliver(). */
static int body_bytes(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *pi)
{
    size_t n = len - *pi;
    int rc;
    if (p->state == S_BODY && (uint64_t)n > p->left) n = (size_t)p->left;
    rc = deliver(p, data + *pi, n);
    if (rc != SFO_OK) return rc;
    *pi += n;
    if (p->state == S_BODY && (p->left -= n) == 0)
        p->state = (p->flags & F_TE) ? S_CDATA_CR : S_DONE;
    return SFO_OK;
}

/* A skipped header value from data[*pi]: one run up to the next CR, HTAB or bad
 * byte, bounded by what the header limit allows, then its CRLF when both bytes
 * are here; what stops it is left to step(). *again: bytes were taken whole.
 * Returns SFO_OK or, after the CRLF, the error of end_header(). */
static int value_fast(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *pi,
                      bool *again)
{
    size_t i = *pi, lim = p->header_max - p->hdr_bytes, j;
    j = value_run(data + i, len - i < lim ? len - i : lim);
    p->hdr_bytes += j;
    i += j;
    *pi = i;
    *again = i == len;
    if (!SFO_HTTP_FAST || i == len || len - i < 2 || data[i] != '\r' || data[i + 1] != '\n' ||
        lim - j < 2)
        return SFO_OK;
    p->hdr_bytes += 2; /* the CRLF, as step() would take it byte by byte */
    p->next = X_HDR;
    *pi = i + 2;
    *again = true;
    return after_lf(p);
}

/* A header name from data[*pi] (its first byte on): one run of tchars, kept in
 * scratch as far as it fits (longer: no kept name), then its ':' when here. */
static void name_fast(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *pi,
                      bool *again)
{
    size_t i = *pi, j = i, lim = p->header_max - p->hdr_bytes, n;
    if (p->state == S_LINE) {
        p->state = S_NAME;
        p->vlen = 0;
    }
    n = p->vlen;
    lim = len - i < lim ? len : i + lim;
    while (j < lim && is_tchar(data[j])) j++;
    if (n <= sizeof p->scratch && j - i <= sizeof p->scratch - n) {
        for (size_t k = i; k < j; k++) p->scratch[n++] = (char)data[k];
    } else {
        n = 0xff; /* longer than any kept name */
    }
    p->vlen = (uint8_t)n;
    p->hdr_bytes += j - i;
    *pi = j;
    *again = j == len;
    if (SFO_HTTP_FAST && j < lim && data[j] == ':') {
        p->hdr_bytes++; /* the ':', as step() would take it */
        *pi = j + 1;
        *again = true;
        name_end(p);
    }
}

/* "HTTP/1.x NNN" read whole from data[*pi] when all 12 bytes are here, well
 * formed and within the header limit; anything else is left to step(), which
 * reports it byte by byte. *again: taken. */
static void status_fast(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *pi,
                        bool *again)
{
    const uint8_t *d = data + *pi;
    if (len - *pi < 12 || p->header_max - p->hdr_bytes < 12 || d[0] != 'H' || d[1] != 'T' ||
        d[2] != 'T' || d[3] != 'P' || d[4] != '/' || d[5] != '1' || d[6] != '.' ||
        (d[7] != '0' && d[7] != '1') || d[8] != ' ' || d[9] - (unsigned)'1' > 4u ||
        d[10] - (unsigned)'0' > 9u || d[11] - (unsigned)'0' > 9u)
        return;
    p->resp->minor = (uint8_t)(d[7] - '0');
    p->resp->status = (d[9] - '0') * 100 + (d[10] - '0') * 10 + (d[11] - '0');
    p->num = (uint64_t)p->resp->status;
    p->k = 3;
    p->hdr_bytes += 12;
    p->state = S_AFTER_CODE;
    *pi += 12;
    *again = true;
}

int sfo_http_parser_feed(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *used)
{
    size_t i = 0;
    int rc = SFO_OK;
    bool again;

    if (used != NULL) *used = 0;
    if (p == NULL || (data == NULL && len > 0)) return SFO_E_ARG;
    if (p->err != SFO_OK) return p->err;
    while (i < len && p->state != S_DONE) {
        again = false;
        if (p->state >= S_BODY) {
            rc = body_bytes(p, data, len, &i);
            again = true;
        } else if (p->state == S_VALUE && p->hid == H_NONE) {
            rc = value_fast(p, data, len, &i, &again);
        } else if (p->state == S_NAME ||
                   (SFO_HTTP_FAST && p->state == S_LINE && is_tchar(data[i]))) {
            name_fast(p, data, len, &i, &again);
        } else if (SFO_HTTP_FAST && p->state == S_START) {
            status_fast(p, data, len, &i, &again);
        }
        if (rc != SFO_OK) break;
        if (again) continue;
        rc = step(p, data[i++]);
        if (rc != SFO_OK) break;
    }
    if (used != NULL) *used = i;
    return rc != SFO_OK ? fail(p, rc) : SFO_OK;
}

int sfo_http_parser_eof(struct sfo_http_parser *p)
{
    if (p == NULL) return SFO_E_ARG;
    if (p->err != SFO_OK) return p->err;
    if (p->state == S_EOFBODY) p->state = S_DONE;
    if (p->state == S_DONE) return SFO_OK;
    if (p->hdr_bytes == 0) return fail(p, SFO_E_CLOSED);
    return fail(p, SFO_E_HTTP_TRUNCATED);
}
