/*
 * libFuzzer target: incremental HTTP/1.x response parser.
 *
 * The input is the raw byte stream from the server (seeds: llhttp response
 * corpus blocks, test responses, chunked framing). Parser options (HEAD,
 * header and body limits, a sink that refuses at some byte) come from a hash
 * of the input. Checks: the same result -- return codes, bytes used, every
 * kept field, the body bytes -- whether fed whole, byte by byte or in random
 * pieces (including empty feeds); errors are sticky; a completed response
 * consumes nothing more; body_len equals the bytes the sink saw and respects
 * the limit; kept strings are terminated inside their buffers; a completed
 * Content-Length body has exactly that length.
 */
#include <string.h>
#include "sfo_http.h"
#include "fuzz_util.h"

struct sink {
    uint64_t h, n, refuse_at;
};

static int sink_fn(void *ctx, const uint8_t *d, size_t len)
{
    struct sink *s = ctx;
    FZ_ASSERT(d != NULL && len >= 1);
    /* all or nothing: a refused span is not counted */
    if (s->refuse_at != 0 && s->n < s->refuse_at && s->n + len >= s->refuse_at) return 42;
    for (size_t i = 0; i < len; i++) s->h = (s->h ^ d[i]) * 0x100000001b3ull;
    s->n += len;
    return 0;
}

struct opts {
    bool head;
    size_t header_max;
    uint64_t body_max;
    uint64_t refuse_at;
    bool nosink;
};

struct out {
    int rc, eof_rc;
    size_t used;
    bool done;
    struct sfo_http_response resp;
    struct sink sink;
    char hdr[SFO_HTTP_KEPT][SFO_HTTP_LOCATION_MAX]; /* kept string headers */
};

enum { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM };

static void str_ok(const char *s, size_t cap)
{
    FZ_ASSERT(memchr(s, 0, cap) != NULL);
}

static void run(const uint8_t *d, size_t n, const struct opts *o, int mode, uint64_t seed,
                struct out *out)
{
    struct sfo_http_parser p;
    struct fz_rng rng;
    size_t i = 0, k, used;
    int rc = SFO_OK;

    memset(out, 0, sizeof *out);
    /* kept headers into small buffers of different sizes (overflow is exercised) */
    out->resp.hdr[SFO_HTTP_CONTENT_TYPE].buf = out->hdr[0];
    out->resp.hdr[SFO_HTTP_CONTENT_TYPE].cap = SFO_HTTP_CT_MAX;
    out->resp.hdr[SFO_HTTP_LOCATION].buf = out->hdr[1];
    out->resp.hdr[SFO_HTTP_LOCATION].cap = SFO_HTTP_LOCATION_MAX;
    out->resp.hdr[SFO_HTTP_WWW_AUTHENTICATE].buf = out->hdr[2];
    out->resp.hdr[SFO_HTTP_WWW_AUTHENTICATE].cap = SFO_HTTP_AUTHN_MAX;
    out->sink.refuse_at = o->refuse_at;
    fz_seed(&rng, seed);
    FZ_ASSERT(sfo_http_parser_init(&p, &out->resp, o->head, o->header_max, o->body_max,
                                   o->nosink ? NULL : sink_fn, &out->sink) == SFO_OK);
    while (i < n) {
        k = mode == SPLIT_WHOLE ? n : mode == SPLIT_BYTES ? 1 : fz_piece(&rng, n - i);
        used = 12345;
        rc = sfo_http_parser_feed(&p, d + i, k, &used);
        FZ_ASSERT(used <= k);
        i += used;
        if (rc != SFO_OK) {
            size_t u2 = 1;
            FZ_ASSERT(sfo_http_parser_feed(&p, d + i, n - i, &u2) == rc && u2 == 0);
            break;
        }
        if (sfo_http_parser_done(&p)) {
            size_t u2 = 1;
            /* complete: nothing more is consumed */
            FZ_ASSERT(sfo_http_parser_feed(&p, d + i, n - i, &u2) == SFO_OK && u2 == 0);
            break;
        }
        FZ_ASSERT(used == k); /* not done, no error: everything was consumed */
    }
    out->rc = rc;
    out->used = i;
    out->done = sfo_http_parser_done(&p);
    out->eof_rc = sfo_http_parser_eof(&p);
    FZ_ASSERT(sfo_http_parser_eof(&p) == out->eof_rc);
    if (rc != SFO_OK) FZ_ASSERT(out->eof_rc == rc);

    /* invariants of what was kept */
    struct sfo_http_response *r = &out->resp;
    for (size_t h = 0; h < SFO_HTTP_KEPT; h++) str_ok(r->hdr[h].buf, r->hdr[h].cap);
    FZ_ASSERT(o->nosink || r->body_len == out->sink.n);
    FZ_ASSERT(r->body_len <= (o->body_max ? o->body_max : SFO_HTTP_BODY_MAX));
    if (rc == SFO_E_HTTP_SINK)
        FZ_ASSERT(r->sink_err == 42);
    else
        FZ_ASSERT(r->sink_err == 0);
    if (out->eof_rc == SFO_OK) {
        FZ_ASSERT(r->status >= 100 && r->status <= 599 && r->status != 101);
        FZ_ASSERT(r->status >= 200);
        FZ_ASSERT(r->minor <= 1);
        if (r->content_length >= 0 && !r->chunked && !o->head && r->status != 204 &&
            r->status != 304)
            FZ_ASSERT(r->body_len == (uint64_t)r->content_length);
        if (o->head || r->status == 204 || r->status == 304) FZ_ASSERT(r->body_len == 0);
        if (!r->chunked && r->content_length < 0 && !o->head && r->status != 204 &&
            r->status != 304)
            FZ_ASSERT(!r->keep_alive); /* close-delimited */
    }
}

static void same(const struct out *a, const struct out *b)
{
    FZ_ASSERT(a->rc == b->rc && a->eof_rc == b->eof_rc && a->done == b->done);
    /* a refusing sink or the body limit stop at a span: how much of the body
     * went through before depends on the spans */
    if (a->rc == SFO_E_HTTP_SINK || a->rc == SFO_E_HTTP_BODY_SIZE) return;
    FZ_ASSERT(a->sink.n == b->sink.n && a->sink.h == b->sink.h);
    FZ_ASSERT(a->used == b->used);
    struct sfo_http_response ra = a->resp, rb = b->resp;
    memset(ra.hdr, 0, sizeof ra.hdr); /* the buffers differ; their contents must not */
    memset(rb.hdr, 0, sizeof rb.hdr);
    FZ_ASSERT(memcmp(&ra, &rb, sizeof ra) == 0);
    for (size_t h = 0; h < SFO_HTTP_KEPT; h++)
        FZ_ASSERT(strcmp(a->resp.hdr[h].buf, b->resp.hdr[h].buf) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static struct out w, b, s;
    uint64_t seed = fz_hash(d, n);
    struct opts o;

    memset(&o, 0, sizeof o);
    o.head = (seed & 0x7u) == 0;
    switch ((seed >> 3) & 7u) {
    case 0: o.header_max = 1 + (size_t)((seed >> 8) % 200u); break;
    case 1: o.body_max = 1 + (seed >> 8) % 64u; break;
    case 2: o.refuse_at = 1 + (seed >> 8) % 64u; break;
    case 3: o.nosink = true; break;
    default: break;
    }
    run(d, n, &o, SPLIT_WHOLE, seed, &w);
    run(d, n, &o, SPLIT_BYTES, seed, &b);
    run(d, n, &o, SPLIT_RANDOM, seed, &s);
    same(&w, &b);
    same(&w, &s);
    return 0;
}
