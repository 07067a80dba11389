/*
 * HTTP response parser, no sockets: the llhttp response corpus (strict cases)
 * and our own refusal, split and size cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_http.h"
#include "testenv.h"

/* ---- body collector ----------------------------------------------------------------- */
struct buf {
    uint8_t *p;
    size_t n, cap;
    size_t calls;
};

static int collect(void *ctx, const uint8_t *d, size_t n)
{
    struct buf *b = ctx;
    assert_true(n >= 1);
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->calls++;
    return 0;
}

/* ---- running the parser over an input with a split mode -------------------------------- */
#define MAXMSG        8
#define E_AFTER_CLOSE 1 /* pseudo code: bytes after a non-keep-alive response */

struct outcome {
    int nmsg;
    int status[MAXMSG];
    bool done[MAXMSG];
    struct buf body[MAXMSG];
    int err; /* first error (feed), 0 if none */
    int eof; /* sfo_http_parser_eof on the last message when no error */
};

enum split { WHOLE, BYTES, RANDOM, WIN512 };

static void outcome_free(struct outcome *o)
{
    for (int i = 0; i < MAXMSG; i++) free(o->body[i].p);
}

static size_t piece_len(enum split m, size_t left, unsigned *seed)
{
    switch (m) {
    case WHOLE: return left;
    case BYTES: return 1;
    case WIN512: return left < 512 ? left : 512;
    default: {
        *seed = *seed * 1103515245u + 12345u;
        size_t n = 1 + (*seed >> 16) % 97;
        return n < left ? n : left;
    }
    }
}

static void run(const uint8_t *in, size_t len, bool head, enum split m, unsigned seed,
                size_t body_max, struct outcome *o)
{
    struct sfo_http_parser p;
    struct sfo_http_response r[MAXMSG];
    memset(r, 0, sizeof r);
    memset(o, 0, sizeof *o);
    o->nmsg = 1;
    assert_int_equal(sfo_http_parser_init(&p, &r[0], head, 0, body_max, collect, &o->body[0]), 0);
    size_t a = 0;
    while (a < len && o->err == 0) {
        size_t b = a + piece_len(m, len - a, &seed);
        while (a < b) {
            if (sfo_http_parser_done(&p)) {
                int i = o->nmsg - 1;
                if (!r[i].keep_alive) {
                    o->err = E_AFTER_CLOSE;
                    break;
                }
                assert_true(o->nmsg < MAXMSG);
                i = o->nmsg++;
                sfo_http_parser_init(&p, &r[i], head, 0, body_max, collect, &o->body[i]);
            }
            size_t used = 0;
            int rc = sfo_http_parser_feed(&p, in + a, b - a, &used);
            a += used;
            o->status[o->nmsg - 1] = r[o->nmsg - 1].status;
            o->done[o->nmsg - 1] = sfo_http_parser_done(&p);
            if (rc != 0) {
                o->err = rc;
                break;
            }
        }
    }
    if (o->err == 0) {
        o->eof = sfo_http_parser_eof(&p);
        /* sticky after eof */
        if (o->eof != 0)
            assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)"x", 1, NULL), o->eof);
    } else {
        if (o->err != E_AFTER_CLOSE) {
            size_t used = 5;
            assert_int_equal(sfo_http_parser_feed(&p, in, len, &used), o->err);
            assert_int_equal(used, 0);
        }
    }
}

/* ---- corpus --------------------------------------------------------------------------- */
struct xmsg {
    int status; /* 0 when headers never completed */
    bool complete;
    uint8_t body[1024];
    size_t blen;
};

struct tcase {
    char file[64];
    char title[160];
    char type[64];
    bool noscan, skipbody, pause;
    uint8_t *in;
    size_t len;
    char *log;
};

static int hexd(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* http block text -> bytes (README rules) */
static uint8_t *decode_http(const char *s, size_t n, size_t *out_len)
{
    char *t = malloc(n + 1);
    size_t m = 0;
    if (n > 0 && s[n - 1] == '\n') n--;
    for (size_t i = 0; i < n; i++) { /* line continuations */
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') {
            i++;
            continue;
        }
        if (s[i] == '\\' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
            continue;
        }
        t[m++] = s[i];
    }
    uint8_t *o = malloc(2 * m + 1);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        char c = t[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < m && t[i + 1] == '\n') i++;
            o[k++] = '\r';
            o[k++] = '\n';
        } else if (c == '\\' && i + 1 < m) {
            char e = t[i + 1];
            if (e == 'r') {
                o[k++] = '\r';
                i++;
            } else if (e == 'n') {
                o[k++] = '\n';
                i++;
            } else if (e == 't') {
                o[k++] = '\t';
                i++;
            } else if (e == 'f') {
                o[k++] = '\f';
                i++;
            } else if (e == 'x' && i + 2 < m && hexd(t[i + 2]) >= 0) {
                int v = 0;
                i += 2;
                while (i < m && hexd(t[i]) >= 0) v = v * 16 + hexd(t[i++]);
                i--;
                o[k++] = (uint8_t)v;
            } else if (e >= '0' && e <= '7') {
                int v = 0, d = 0;
                i++;
                while (i < m && d < 3 && t[i] >= '0' && t[i] <= '7') {
                    v = v * 8 + (t[i++] - '0');
                    d++;
                }
                i--;
                o[k++] = (uint8_t)v;
            } else {
                o[k++] = (uint8_t)c;
            }
        } else {
            o[k++] = (uint8_t)c;
        }
    }
    free(t);
    *out_len = k;
    return o;
}

static int load_cases(const char *file, struct tcase *cs, int max)
{
    size_t n;
    char *txt = t_read_file(t_path("%s/testdata/http-responses/response/%s", t_shared(), file), &n);
    assert_non_null(txt);
    int nc = 0;
    char title[160] = "";
    struct tcase *cur = NULL;
    char *line = txt;
    while (line < txt + n) {
        char *eol = strchr(line, '\n');
        if (eol == NULL) eol = txt + n;
        size_t ll = (size_t)(eol - line);
        if (line[0] == '#') {
            char *t = line;
            while (*t == '#' || *t == ' ') t++;
            snprintf(title, sizeof title, "%.*s", (int)(eol - t), t);
        } else if (strncmp(line, "<!-- meta=", 10) == 0) {
            assert_true(nc < max);
            cur = &cs[nc++];
            memset(cur, 0, sizeof *cur);
            snprintf(cur->file, sizeof cur->file, "%s", file);
            snprintf(cur->title, sizeof cur->title, "%s", title);
            char *ty = strstr(line, "\"type\": \"");
            assert_non_null(ty);
            ty += 9;
            snprintf(cur->type, sizeof cur->type, "%.*s", (int)(strchr(ty, '"') - ty), ty);
            char save = *eol;
            *eol = '\0';
            cur->noscan = strstr(line, "noScan") != NULL;
            cur->skipbody = strstr(line, "skipBody") != NULL;
            cur->pause = strstr(line, "pause") != NULL;
            *eol = save;
        } else if (cur != NULL && ll >= 7 && strncmp(line, "```http", 7) == 0) {
            char *start = eol + 1;
            char *end = strstr(start, "\n```");
            assert_non_null(end);
            cur->in = decode_http(start, (size_t)(end + 1 - start), &cur->len);
            eol = end + 4;
        } else if (cur != NULL && ll >= 6 && strncmp(line, "```log", 6) == 0) {
            char *start = eol + 1;
            char *end = strstr(start, "\n```");
            assert_non_null(end);
            cur->log = strndup(start, (size_t)(end + 1 - start));
            eol = end + 4;
        }
        line = eol + 1;
    }
    free(txt);
    return nc;
}

/* llhttp log -> expected messages (1xx dropped) and error (0 none, else our code) */
static int expect_from_log(const struct tcase *c, struct xmsg *xm, int *nx)
{
    int n = 0, err = 0;
    struct xmsg all[MAXMSG];
    memset(all, 0, sizeof all);
    const char *l = c->log;
    while (*l) {
        const char *eol = strchr(l, '\n');
        if (eol == NULL) eol = l + strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(eol - l), l);
        unsigned off, len;
        int st, code;
        if (strstr(line, "message begin")) {
            n++;
        } else if (sscanf(line, "off=%u headers complete status=%d", &off, &st) == 2) {
            all[n - 1].status = st;
        } else if (sscanf(line, "off=%u len=%u span[body]", &off, &len) == 2 &&
                   strstr(line, "span[body]")) {
            assert_true(off + len <= c->len);
            memcpy(all[n - 1].body + all[n - 1].blen, c->in + off, len);
            all[n - 1].blen += len;
        } else if (strstr(line, "message complete")) {
            all[n - 1].complete = true;
        } else if (sscanf(line, "off=%u error code=%d", &off, &code) == 2) {
            switch (code) {
            case 2: err = strstr(line, "chunk") ? SFO_E_HTTP_CHUNK : SFO_E_HTTP_STATUS_LINE; break;
            case 3:
            case 10:
            case 30: err = SFO_E_HTTP_HEADER; break;
            case 5: err = E_AFTER_CLOSE; break;
            case 8:
            case 9:
            case 13:
            case 25: err = SFO_E_HTTP_STATUS_LINE; break;
            case 12: err = SFO_E_HTTP_CHUNK; break;
            case 22: err = SFO_E_HTTP_STATUS; break;
            default: fail_msg("unmapped llhttp error %d", code);
            }
        }
        l = *eol ? eol + 1 : eol;
    }
    *nx = 0;
    for (int i = 0; i < n; i++) {
        if (all[i].status >= 100 && all[i].status < 200 && all[i].status != 101 && all[i].complete)
            continue;
        if (all[i].status == 101) continue; /* refused, the error says so */
        xm[(*nx)++] = all[i];
    }
    return err;
}

/* Where a strict client differs from llhttp (which accepts these). */
static const struct {
    const char *title;
    int err;
    const char *why;
} k_dev[] = {
    { "RTSP response", SFO_E_HTTP_STATUS_LINE, "only HTTP/1.0 and HTTP/1.1" },
    { "ICE response", SFO_E_HTTP_STATUS_LINE, "only HTTP/1.0 and HTTP/1.1" },
    { "HTTP version 0.9", SFO_E_HTTP_STATUS_LINE, "only HTTP/1.0 and HTTP/1.1" },
    { "`chunked` before other transfer-encoding", SFO_E_HTTP_TE, "TE must be exactly chunked" },
    { "multiple transfer-encoding where chunked is not the last one", SFO_E_HTTP_TE,
      "TE must be exactly chunked" },
    { "`chunkedchunked` transfer-encoding does not enable chunked enconding", SFO_E_HTTP_TE,
      "TE must be exactly chunked" },
};

static int g_run, g_skip, g_dev;

static void check_case(const struct tcase *c)
{
    struct xmsg xm[MAXMSG];
    int nx;
    int xerr = expect_from_log(c, xm, &nx);
    const char *why = NULL;
    for (size_t d = 0; d < sizeof k_dev / sizeof k_dev[0]; d++)
        if (strcmp(c->title, k_dev[d].title) == 0) {
            xerr = k_dev[d].err;
            why = k_dev[d].why;
            nx = 0;
        }
    if (why) g_dev++;
    g_run++;
    for (int m = WHOLE; m <= RANDOM; m++) {
        if (c->noscan && m != WHOLE) continue;
        for (unsigned seed = 1; seed <= (m == RANDOM ? 5u : 1u); seed++) {
            struct outcome o;
            run(c->in, c->len, c->skipbody, (enum split)m, seed, 0, &o);
            if (xerr != 0) {
                if (o.err != xerr)
                    fail_msg("%s / %s (split %d): expected %s, got %s", c->file, c->title, m,
                             sfo_errname(xerr), o.err == 1 ? "after-close" : sfo_errname(o.err));
            } else if (o.err != 0) {
                fail_msg("%s / %s (split %d): unexpected %s", c->file, c->title, m,
                         sfo_errname(o.err));
            }
            if (why == NULL) {
                /* messages llhttp completed or began must match ours */
                assert_true(o.nmsg >= nx);
                for (int i = 0; i < nx; i++) {
                    if (xm[i].status) assert_int_equal(o.status[i], xm[i].status);
                    if (xm[i].complete != o.done[i])
                        fail_msg("%s / %s msg %d: complete %d vs %d", c->file, c->title, i,
                                 xm[i].complete, o.done[i]);
                    assert_int_equal(o.body[i].n, xm[i].blen);
                    if (xm[i].blen) assert_memory_equal(o.body[i].p, xm[i].body, xm[i].blen);
                }
            }
            outcome_free(&o);
        }
    }
}

static void llhttp_corpus(void **state)
{
    (void)state;
    static const char *files[] = { "connection.md", "content-length.md",  "finish.md",
                                   "invalid.md",    "lenient-version.md", "pausing.md",
                                   "pipelining.md", "sample.md",          "transfer-encoding.md" };
    static struct tcase cs[128];
    int total = 0, pause = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        int n = load_cases(files[f], cs, 128);
        total += n;
        for (int i = 0; i < n; i++) {
            if (strcmp(cs[i].type, "response") != 0 && strcmp(cs[i].type, "response-finish") != 0) {
                g_skip++; /* lenient-mode case: shows what llhttp accepts only with a flag */
            } else {
                if (cs[i].pause) pause++;
                assert_non_null(cs[i].in);
                assert_non_null(cs[i].log);
                check_case(&cs[i]);
            }
            free(cs[i].in);
            free(cs[i].log);
        }
    }
    assert_int_equal(total, 85);
    printf("NOTE: llhttp corpus: %d cases, %d run (%d pausing cases run with pauses ignored), "
           "%d skipped (lenient modes), %d strict deviations (refused where llhttp accepts)\n",
           total, g_run, pause, g_skip, g_dev);
}

/* ---- own cases ------------------------------------------------------------------------ */

static void expect_all_splits(const char *in, int err, int status, const char *body)
{
    size_t len = strlen(in);
    for (int m = WHOLE; m <= WIN512; m++) {
        for (unsigned seed = 1; seed <= (m == RANDOM ? 8u : 1u); seed++) {
            struct outcome o;
            run((const uint8_t *)in, len, false, (enum split)m, seed, 64, &o);
            int got = o.err ? o.err : o.eof;
            if (got != err)
                fail_msg("split %d: expected %s, got %s for: %.60s", m, sfo_errname(err),
                         sfo_errname(got), in);
            if (status) assert_int_equal(o.status[0], status);
            if (body) {
                assert_int_equal(o.body[0].n, strlen(body));
                assert_memory_equal(o.body[0].p, body, strlen(body));
            }
            outcome_free(&o);
        }
    }
}

static void refusals(void **state)
{
    (void)state;
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
                      SFO_E_HTTP_CL_TE, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
                      SFO_E_HTTP_CL_TE, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                      SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab", SFO_E_HTTP_CL, 200,
                      NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                      SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab", 0, 200,
                      "ab");
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", SFO_E_HTTP_TE, 200,
                      NULL);
    expect_all_splits(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        SFO_E_HTTP_TE, 200, NULL);
    /* header section limit: 0 = default 8 KiB */
    {
        char *big = malloc(10000);
        strcpy(big, "HTTP/1.1 200 OK\r\nX-Big: ");
        size_t pre = strlen(big);
        memset(big + pre, 'a', 9000);
        strcpy(big + pre + 9000, "\r\n\r\n");
        expect_all_splits(big, SFO_E_HTTP_HEADER_SIZE, 200, NULL);
        free(big);
    }
    /* body limit 64 in expect_all_splits: CL over it, chunked over it, EOF body over it */
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", SFO_E_HTTP_BODY_SIZE, 200,
                      NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
                      "0123456789012345678901234567890123456789012345678901234567890123",
                      0, 200, "0123456789012345678901234567890123456789012345678901234567890123");
    expect_all_splits(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n"
        "0123456789012345678901234567890123456789012345678901234567890123\r\n1\r\nx\r\n0\r\n\r\n",
        SFO_E_HTTP_BODY_SIZE, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\n\r\n"
                      "01234567890123456789012345678901234567890123456789012345678901234",
                      SFO_E_HTTP_BODY_SIZE, 200, NULL);
    /* chunk framing */
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
                      SFO_E_HTTP_CHUNK, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", SFO_E_HTTP_CHUNK,
                      200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
                      SFO_E_HTTP_CHUNK, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n",
                      SFO_E_HTTP_CHUNK, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n",
                      SFO_E_HTTP_CHUNK, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\n",
                      SFO_E_HTTP_CHUNK, 200, NULL);
    expect_all_splits(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX: y\r\n\r\n", 0, 200,
        "ab");
    expect_all_splits(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"q;\\\"\";b\r\nab\r\n0\r\n\r\n",
        0, 200, "ab");
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
                      SFO_E_HTTP_CHUNK_SIZE, 200, NULL);
    expect_all_splits(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
        SFO_E_HTTP_CHUNK_SIZE, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n0000000000000000000000001\r\nx\r\n0\r\n\r\n",
                      0, 200, "x");
    /* truncation */
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", SFO_E_HTTP_TRUNCATED, 200,
                      "abc");
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc",
                      SFO_E_HTTP_TRUNCATED, 200, "abc");
    expect_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n",
                      SFO_E_HTTP_TRUNCATED, 200, "abc");
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Len", SFO_E_HTTP_TRUNCATED, 200, NULL);
    expect_all_splits("", SFO_E_CLOSED, 0, NULL);
    /* status line garbage */
    expect_all_splits("<html>hello</html>", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/2 200\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 600 X\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 20 X\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 200 O\001K\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 101 Switching\r\n\r\n", SFO_E_HTTP_STATUS, 101, NULL);
    /* header syntax */
    expect_all_splits("HTTP/1.1 200 OK\r\nA b: c\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nA: b\001c\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\n: b\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    /* 1xx skipped; 204/304 without body */
    expect_all_splits("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 P\r\nX: y\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                      0, 200, "ok");
    expect_all_splits("HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 0, 204, "");
    expect_all_splits("HTTP/1.0 200 OK\r\n\r\nuntil close", 0, 200, "until close");
}

static void kept_headers(void **state)
{
    (void)state;
    const char *in =
        "HTTP/1.0 401 Unauthorized\r\n"
        "content-TYPE:   application/json; charset=utf-8  \r\n"
        "Content-Type: text/plain\r\n"
        "Location: https://login.example.com/x\r\n"
        "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
        "Retry-After: 120\r\n"
        "Connection: Foo, Keep-Alive\r\n"
        "X-Very-Long-Header-Name-That-Is-Longer-Than-The-Scratch-Buffer-For-Sure: 1\r\n"
        "Content-Length: 0\r\n\r\n";
    struct sfo_http_parser p;
    struct sfo_http_response r;
    char ct[SFO_HTTP_CT_MAX], loc[SFO_HTTP_LOCATION_MAX], authn[SFO_HTTP_AUTHN_MAX];
    memset(&r, 0, sizeof r);
    r.hdr[SFO_HTTP_CONTENT_TYPE] = (struct sfo_http_hdrbuf){ ct, sizeof ct };
    r.hdr[SFO_HTTP_LOCATION] = (struct sfo_http_hdrbuf){ loc, sizeof loc };
    r.hdr[SFO_HTTP_WWW_AUTHENTICATE] = (struct sfo_http_hdrbuf){ authn, sizeof authn };
    sfo_http_parser_init(&p, &r, false, 0, 0, NULL, NULL);
    size_t used;
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)in, strlen(in), &used), 0);
    assert_int_equal(used, strlen(in));
    assert_true(sfo_http_parser_done(&p));
    assert_int_equal(r.status, 401);
    assert_int_equal(r.minor, 0);
    assert_true(r.keep_alive);
    assert_string_equal(ct, "application/json; charset=utf-8");
    assert_string_equal(loc, "https://login.example.com/x");
    assert_string_equal(authn, "Bearer error=\"invalid_token\"");
    assert_int_equal(r.retry_after_s, 120);
    assert_int_equal(r.content_length, 0);
    assert_int_equal(r.overflow, 0);

    /* over-long kept value: empty and flagged; date Retry-After: -1; 1.1 close */
    char big[1024];
    snprintf(big, sizeof big,
             "HTTP/1.1 503 X\r\nLocation: /%0300d\r\nRetry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n"
             "Connection: close\r\nContent-Length: 0\r\n\r\n",
             0);
    sfo_http_parser_init(&p, &r, false, 0, 0, NULL, NULL);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)big, strlen(big), NULL), 0);
    assert_true(sfo_http_parser_done(&p));
    assert_string_equal(loc, "");
    assert_int_equal(r.overflow, SFO_HTTP_OVF_LOCATION);
    assert_int_equal(r.retry_after_s, -1);
    assert_false(r.keep_alive);

    /* HEAD: no body even with Content-Length; bytes after the response not consumed */
    const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP";
    sfo_http_parser_init(&p, &r, true, 0, 0, NULL, NULL);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)h, strlen(h), &used), 0);
    assert_int_equal(used, strlen(h) - 4);
    assert_true(sfo_http_parser_done(&p));
    assert_true(r.keep_alive);
    assert_int_equal(sfo_http_parser_eof(&p), 0);
}

static int refuse_sink(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)d;
    (void)n;
    return -4242;
}

static void sink_error(void **state)
{
    (void)state;
    const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
    struct sfo_http_parser p;
    struct sfo_http_response r = { 0 };
    sfo_http_parser_init(&p, &r, false, 0, 0, refuse_sink, NULL);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)in, strlen(in), NULL),
                     SFO_E_HTTP_SINK);
    assert_int_equal(r.sink_err, -4242);
    assert_int_equal(sfo_http_parser_eof(&p), SFO_E_HTTP_SINK);
    assert_int_equal(sfo_http_parser_init(NULL, &r, false, 0, 0, NULL, NULL), SFO_E_ARG);
}

/* A response whose header section is several windows long, read 512 bytes at a time. */
static void window_512(void **state)
{
    (void)state;
    char *in = malloc(8192);
    size_t n = (size_t)sprintf(in, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
    for (int i = 0; i < 30; i++) n += (size_t)sprintf(in + n, "X-Filler-%02d: %060d\r\n", i, i);
    n += (size_t)sprintf(in + n, "Location: /%0200d\r\nContent-Length: 1500\r\n\r\n", 7);
    for (int i = 0; i < 1500; i++) in[n++] = (char)('a' + i % 26);
    in[n] = '\0';
    struct outcome o;
    run((const uint8_t *)in, n, false, WIN512, 0, 0, &o);
    assert_int_equal(o.err, 0);
    assert_int_equal(o.eof, 0);
    assert_true(o.done[0]);
    assert_int_equal(o.body[0].n, 1500);
    assert_memory_equal(o.body[0].p, in + n - 1500, 1500);
    outcome_free(&o);
    free(in);
}

/* 1 MiB body in 1-byte chunks, read through a 512-byte window. */
static void one_mib_one_byte_chunks(void **state)
{
    (void)state;
    const size_t body = 1u << 20;
    const char *hd = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t n = strlen(hd) + body * 6 + 5;
    uint8_t *in = malloc(n);
    size_t k = strlen(hd);
    memcpy(in, hd, k);
    for (size_t i = 0; i < body; i++) {
        in[k++] = '1';
        in[k++] = '\r';
        in[k++] = '\n';
        in[k++] = (uint8_t)('A' + i % 23);
        in[k++] = '\r';
        in[k++] = '\n';
    }
    memcpy(in + k, "0\r\n\r\n", 5);
    k += 5;
    assert_int_equal(k, n);
    struct outcome o;
    run(in, n, false, WIN512, 0, body, &o);
    assert_int_equal(o.err, 0);
    assert_true(o.done[0]);
    assert_int_equal(o.body[0].n, body);
    for (size_t i = 0; i < body; i++)
        if (o.body[0].p[i] != (uint8_t)('A' + i % 23)) fail_msg("byte %zu", i);
    outcome_free(&o);
    /* one byte over the limit */
    run(in, n, false, WIN512, 0, body - 1, &o);
    assert_int_equal(o.err, SFO_E_HTTP_BODY_SIZE);
    outcome_free(&o);
    free(in);
}

/* Corners the other cases leave out: short-value overflow, chunk line limit and
 * extension syntax, bare CR in framing, DEL bytes, whitespace trimming, NULL args. */
static void edge_cases(void **state)
{
    (void)state;
    char big[1024];
    const char *te = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    /* chunk size line longer than SFO_HTTP_CHUNK_LINE_MAX (extensions included) */
    snprintf(big, sizeof big, "%s2;%0300d\r\nab\r\n0\r\n\r\n", te, 0);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2;%0200d\r\nab\r\n0\r\n\r\n", te, 0);
    expect_all_splits(big, 0, 200, "ab");
    /* bare CR in chunk framing, bad extension syntax, controls in quoted values */
    snprintf(big, sizeof big, "%s2\rab\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2;a@\r\nab\r\n0\r\n\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2;\r\nab\r\n0\r\n\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2;a=\"x\001\"\r\nab\r\n0\r\n\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2;a=\"x\\\177\"\r\nab\r\n0\r\n\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_CHUNK, 200, NULL);
    snprintf(big, sizeof big, "%s2; a = b ;c\t\r\nab\r\n0\r\n\r\n", te);
    expect_all_splits(big, 0, 200, "ab");
    /* a chunk over the body limit (64) is refused at its size line */
    snprintf(big, sizeof big, "%s41\r\n", te);
    expect_all_splits(big, SFO_E_HTTP_BODY_SIZE, 200, NULL);
    /* short (scratch) values longer than the scratch: refused or the safe reading */
    snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %060d\r\n\r\n", 1);
    expect_all_splits(big, SFO_E_HTTP_CL, 200, NULL);
    snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: %060d\r\n\r\n", 1);
    expect_all_splits(big, SFO_E_HTTP_TE, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n", SFO_E_HTTP_CL, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
                      SFO_E_HTTP_CL, 200, NULL);
    /* minor version, DEL in reason and value, tab in reason */
    expect_all_splits("HTTP/1.2 200 OK\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 200 O\177K\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 200X\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, NULL);
    expect_all_splits("HTTP/1.1 200 O\tK\r\nContent-Length: 0\r\n\r\n", 0, 200, "");
    expect_all_splits("HTTP/1.1 200 OK\r\nA: b\177\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\r\n\r\r\n", SFO_E_HTTP_HEADER, 200, NULL);
    expect_all_splits("HTTP/1.1 200 OK\rX", SFO_E_HTTP_STATUS_LINE, 200, NULL);
    expect_all_splits("\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 0, 200, "x");

    /* long Connection value: read as close; Retry-After over 9 digits: -1; tabs trimmed */
    struct sfo_http_parser p;
    struct sfo_http_response r;
    char ctype[SFO_HTTP_CT_MAX];
    memset(&r, 0, sizeof r);
    r.hdr[SFO_HTTP_CONTENT_TYPE].buf = ctype;
    r.hdr[SFO_HTTP_CONTENT_TYPE].cap = sizeof ctype;
    snprintf(
        big, sizeof big,
        "HTTP/1.1 200 OK\r\nConnection: keep-alive, %060d\r\n"
        "Retry-After: 1234567890\r\nContent-Type:\t \ttext/plain \t\r\nContent-Length: 2\r\n\r\nab",
        0);
    assert_int_equal(sfo_http_parser_init(&p, &r, false, 0, 0, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)big, strlen(big), NULL), SFO_OK);
    assert_true(sfo_http_parser_done(&p));
    assert_false(r.keep_alive);
    assert_int_equal(r.retry_after_s, -1);
    assert_string_equal(ctype, "text/plain");
    assert_int_equal(r.body_len, 2); /* NULL sink: counted, discarded */
    /* Connection tokens trimmed of spaces and tabs; HTTP/1.0 keep-alive */
    const char *ka =
        "HTTP/1.0 200 OK\r\nConnection: \t foo ,\tKeep-Alive\t, bar\r\nRetry-After: 0\r\n"
        "Content-Length: 0\r\n\r\n";
    assert_int_equal(sfo_http_parser_init(&p, &r, false, 0, 0, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)ka, strlen(ka), NULL), SFO_OK);
    assert_true(sfo_http_parser_done(&p) && r.keep_alive);
    assert_int_equal(r.retry_after_s, 0);
    /* an explicit header limit */
    assert_int_equal(sfo_http_parser_init(&p, &r, false, 20, 0, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_http_parser_feed(&p, (const uint8_t *)ka, strlen(ka), NULL),
                     SFO_E_HTTP_HEADER_SIZE);
    /* argument checks */
    size_t used = 9;
    assert_int_equal(sfo_http_parser_feed(NULL, (const uint8_t *)"H", 1, &used), SFO_E_ARG);
    assert_int_equal(used, 0);
    assert_int_equal(sfo_http_parser_init(&p, &r, false, 0, 0, NULL, NULL), SFO_OK);
    assert_int_equal(sfo_http_parser_feed(&p, NULL, 1, NULL), SFO_E_ARG);
    assert_int_equal(sfo_http_parser_feed(&p, NULL, 0, NULL), SFO_OK);
    assert_int_equal(sfo_http_parser_init(&p, NULL, false, 0, 0, NULL, NULL), SFO_E_ARG);
    assert_int_equal(sfo_http_parser_eof(NULL), SFO_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llhttp_corpus), cmocka_unit_test(refusals),
        cmocka_unit_test(kept_headers),  cmocka_unit_test(sink_error),
        cmocka_unit_test(window_512),    cmocka_unit_test(one_mib_one_byte_chunks),
        cmocka_unit_test(edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
