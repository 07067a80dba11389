/*
 * libFuzzer target: the token and error response readers end to end through
 * the public API (HTTP client, response parser, JSON extractor, judgement of
 * the status, Salesforce signature check).
 *
 * A mock struct sfo_port stands in for the network: connect and tls_start
 * succeed; recv serves the fuzz input as the server's HTTP response, in
 * pieces whose sizes come from a generator seeded with a hash of the input
 * (a zero piece is SFO_E_AGAIN), then 0 (end of stream); send swallows;
 * every connection serves the input again from its start (retries, device
 * polling). The clocks are fixed except that sleep_ms advances the monotonic
 * clock (so retries and device polling reach their deadlines); random is a
 * counter. SHA-256 and HMAC-SHA256 are the real ones of the POSIX port's
 * backend, so a seed whose 'signature' matches the fixed client secret takes
 * the verified path.
 *
 * Each input runs sfo_refresh (with a client secret), sfo_introspect,
 * sfo_device_poll and sfo_userinfo. Checks: every return is a code these
 * calls document; result strings are NUL-terminated inside their arrays;
 * on failure the token is wiped except err (and, for sfo_refresh, the old
 * refresh token), sfo_userinfo leaves "" and length 0; signature_verified
 * only with a signature; the working buffer is all zero after each call
 * (its state, window and tail are wiped before return); no secret and no
 * response byte outlives the call there.
 */
#include <string.h>
#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "fuzz_util.h"

#define SECRET "fuzz-client-secret"
#define OLD_RT "5Aep861old.refresh"

static struct {
    const uint8_t *d;
    size_t n, pos;
    uint64_t seed;
    unsigned conns;
    struct fz_rng rng;
    int64_t now;
    uint8_t rnd;
} g;

static struct sfo_posix_port g_pp; /* only its crypto is used */
static struct sfo_port g_real;

static int64_t m_mono(void *ctx)
{
    (void)ctx;
    return g.now;
}
static int64_t m_wall(void *ctx)
{
    (void)ctx;
    return 1700000000;
}
static int m_random(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) b[i] = g.rnd++;
    return SFO_OK;
}
static void m_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    g.now += ms;
}

static int t_send(void *ctx, const uint8_t *b, size_t n, int64_t dl)
{
    (void)ctx;
    (void)b;
    (void)dl;
    FZ_ASSERT(b != NULL && n >= 1);
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}
static int t_recv(void *ctx, uint8_t *b, size_t n, int64_t dl)
{
    (void)ctx;
    (void)dl;
    size_t k;
    FZ_ASSERT(b != NULL && n >= 1);
    if (g.pos >= g.n) return 0;
    k = fz_piece(&g.rng, g.n - g.pos);
    if (k == 0) return SFO_E_AGAIN;
    if (k > n) k = n;
    memcpy(b, g.d + g.pos, k);
    g.pos += k;
    return (int)k;
}
static int t_connect(void *ctx, const char *host, uint16_t port, int64_t dl,
                     struct sfo_transport *out)
{
    (void)ctx;
    (void)port;
    (void)dl;
    FZ_ASSERT(host != NULL && out != NULL);
    FZ_ASSERT(g.conns < 64); /* retries and polling are bounded */
    g.pos = 0;
    fz_seed(&g.rng, g.seed ^ (0x9e3779b97f4a7c15ull * ++g.conns));
    out->ctx = NULL;
    out->send = t_send;
    out->recv = t_recv;
    return SFO_OK;
}
static int t_tls(void *ctx, const char *sn, int64_t dl, struct sfo_transport *io)
{
    (void)ctx;
    (void)sn;
    (void)dl;
    (void)io;
    return SFO_OK;
}
static void t_close(void *ctx)
{
    (void)ctx;
}

static void port_setup(struct sfo_port *p)
{
    if (g_real.sha256 == NULL) {
        struct sfo_posix_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.ca_source = SFO_CA_SALESFORCE;
        FZ_ASSERT(sfo_posix_port_init(&g_pp, &cfg, &g_real) == SFO_OK);
    }
    memset(p, 0, sizeof *p);
    p->mono_ms = m_mono;
    p->wall_s = m_wall;
    p->random = m_random;
    p->sleep_ms = m_sleep;
    p->connect = t_connect;
    p->tls_start = t_tls;
    p->close = t_close;
    p->sha256 = g_real.sha256;
    p->hmac_sha256 = g_real.hmac_sha256;
    p->ctx = g_real.ctx;
}

/* Codes the network calls document (sfoauth.h): their own, the HTTP client's
 * and parser's, the JSON scanner's and extractor's. The mock port never
 * fails, so no socket or TLS code can appear. */
static void documented(int rc)
{
    switch (rc) {
    case SFO_OK:
    case SFO_E_TOO_LONG:
    case SFO_E_OAUTH:
    case SFO_E_HTTP_STATUS:
    case SFO_E_OAUTH_RESPONSE:
    case SFO_E_SIGNATURE:
    case SFO_E_DEADLINE:
    case SFO_E_CLOSED: /* end of stream before a status line */
    case SFO_E_HTTP_STATUS_LINE:
    case SFO_E_HTTP_HEADER:
    case SFO_E_HTTP_HEADER_SIZE:
    case SFO_E_HTTP_CL_TE:
    case SFO_E_HTTP_CL:
    case SFO_E_HTTP_TE:
    case SFO_E_HTTP_CHUNK:
    case SFO_E_HTTP_BODY_SIZE:
    case SFO_E_HTTP_TRUNCATED:
    case SFO_E_HTTP_SINK:
    case SFO_E_HTTP_CHUNK_SIZE:
    case SFO_E_JSON_SYNTAX:
    case SFO_E_JSON_UTF8:
    case SFO_E_JSON_ESCAPE:
    case SFO_E_JSON_SURROGATE:
    case SFO_E_JSON_CONTROL:
    case SFO_E_JSON_NUMBER:
    case SFO_E_JSON_DEPTH:
    case SFO_E_JSON_TRAILING:
    case SFO_E_JSON_INCOMPLETE:
    case SFO_E_JSON_TYPE:
    case SFO_E_JSON_RANGE:
    case SFO_E_JSON_DUPKEY:
    case SFO_E_BAD_VALUE:
    case SFO_E_RESPONSE_TOO_LONG: return;
    default: fprintf(stderr, "undocumented return %d (%s)\n", rc, sfo_errname(rc)); FZ_ASSERT(0);
    }
}

static void zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            fprintf(stderr, "non-zero byte at %zu of %zu:", i, n);
            for (size_t j = i; j < n && j < i + 32; j++) fprintf(stderr, "%02x", b[j]);
            fputc('\n', stderr);
        }
        FZ_ASSERT(b[i] == 0);
    }
}

#define TERM(a) FZ_ASSERT(memchr((a), 0, sizeof(a)) != NULL)

/* Whatever the answer, no string handed back holds a C0/C1 control or DEL. */
static void clean(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        FZ_ASSERT(c >= 0x20 && c != 0x7F);
        FZ_ASSERT(!(c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F));
    }
}

static void err_ok(const struct sfo_oauth_error *e)
{
    TERM(e->error);
    TERM(e->error_description);
    clean(e->error);
    clean(e->error_description);
    FZ_ASSERT(e->http_status == 0 || (e->http_status >= 100 && e->http_status <= 599));
}

static void tok_strings(const struct sfo_token *t)
{
    TERM(t->access_token);
    TERM(t->refresh_token);
    TERM(t->instance_url);
    TERM(t->id);
    TERM(t->token_type);
    TERM(t->scope);
    TERM(t->issued_at);
    TERM(t->signature);
    TERM(t->id_token);
    clean(t->access_token);
    clean(t->refresh_token);
    clean(t->instance_url);
    clean(t->id);
    clean(t->token_type);
    clean(t->scope);
    clean(t->issued_at);
    clean(t->signature);
    clean(t->id_token);
    FZ_ASSERT(t->expires_in >= -1 && t->expires_in <= SFO_EXPIRES_IN_MAX);
    err_ok(&t->err);
}

/* Failure: every field but err (and the refresh token when keep_rt) is wiped. */
static void tok_wiped(const struct sfo_token *t, bool keep_rt)
{
    zero(t->access_token, sizeof t->access_token);
    if (keep_rt) {
        FZ_ASSERT(strcmp(t->refresh_token, OLD_RT) == 0);
        zero(t->refresh_token + sizeof OLD_RT, sizeof t->refresh_token - sizeof OLD_RT);
    } else {
        zero(t->refresh_token, sizeof t->refresh_token);
    }
    zero(t->instance_url, sizeof t->instance_url);
    zero(t->id, sizeof t->id);
    zero(t->token_type, sizeof t->token_type);
    zero(t->scope, sizeof t->scope);
    zero(t->issued_at, sizeof t->issued_at);
    zero(t->signature, sizeof t->signature);
    zero(t->id_token, sizeof t->id_token);
    FZ_ASSERT(t->expires_in == -1);
    FZ_ASSERT(!t->signature_verified);
}

static void tok_success(const struct sfo_token *t)
{
    if (t->signature_verified) FZ_ASSERT(strlen(t->signature) == 44);
    FZ_ASSERT(t->err.http_status == 0 || (t->err.http_status >= 200 && t->err.http_status <= 299));
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sfo_port port;
    struct sfo_client c;
    size_t work_len;
    int rc;

    memset(&g, 0, sizeof g);
    g.d = d;
    g.n = n;
    g.seed = fz_hash(d, n);
    g.now = 1000000;
    port_setup(&port);
    /* mostly a comfortable working buffer, sometimes a tight one */
    work_len = (g.seed >> 60) < 12 ? 3072u : SFO_WORK_MIN + (size_t)((g.seed >> 20) % 1600u);
    uint8_t *work = malloc(work_len); /* exact size: ASan sees any overrun */
    FZ_ASSERT(work != NULL);
    /* zero before each call: any non-zero byte after it was left by the library */
    memset(work, 0, work_len);
    FZ_ASSERT(sfo_client_init(&c, &port, "https://login.salesforce.com", "CID", work, work_len) ==
              SFO_OK);
    c.client_secret = (const uint8_t *)SECRET;
    c.client_secret_len = sizeof SECRET - 1u;
    c.basic_auth = (g.seed & 1u) != 0;
    c.retries = (uint8_t)((g.seed >> 1) & 1u);

    /* ---- refresh ---- */
    struct sfo_token *t = malloc(sizeof *t);
    FZ_ASSERT(t != NULL);
    memset(t, 0x5A, sizeof *t);
    sfo_token_wipe(t);
    memcpy(t->refresh_token, OLD_RT, sizeof OLD_RT);
    rc = sfo_refresh(&c, t);
    documented(rc);
    FZ_ASSERT(rc != SFO_E_DEADLINE);
    tok_strings(t);
    if (rc == SFO_OK) {
        tok_success(t);
        FZ_ASSERT(t->refresh_token[0] != '\0');
    } else {
        tok_wiped(t, true);
    }
    if (rc == SFO_E_OAUTH) FZ_ASSERT(t->err.error[0] != '\0');
    if (rc == SFO_E_OAUTH) FZ_ASSERT(t->err.http_status != 0);
    zero(work, work_len);

    /* ---- introspect ---- */
    struct sfo_introspection *in = malloc(sizeof *in);
    FZ_ASSERT(in != NULL);
    memset(in, 0x5A, sizeof *in);
    memset(work, 0, work_len);
    rc = sfo_introspect(&c, "00Dxx!AQ.token", (g.seed & 4u) ? "access_token" : NULL, in);
    documented(rc);
    FZ_ASSERT(rc != SFO_E_DEADLINE && rc != SFO_E_SIGNATURE);
    TERM(in->scope);
    TERM(in->client_id);
    TERM(in->username);
    TERM(in->sub);
    TERM(in->token_type);
    clean(in->scope);
    clean(in->client_id);
    clean(in->username);
    clean(in->sub);
    clean(in->token_type);
    FZ_ASSERT(in->exp >= 0 && in->exp <= SFO_TIME_MAX && in->iat >= 0 && in->iat <= SFO_TIME_MAX);
    err_ok(&in->err);
    if (rc == SFO_E_OAUTH) FZ_ASSERT(in->err.error[0] != '\0');
    zero(work, work_len);
    free(in);

    /* ---- device poll (Salesforce or RFC dialect) ---- */
    struct sfo_device dev;
    memset(&dev, 0, sizeof dev);
    strcpy(dev.device_code, "DEVICECODE");
    dev.interval_s = 5;
    dev.expires_in = -1;
    c.dialect = (g.seed & 8u) ? SFO_DIALECT_RFC : SFO_DIALECT_SALESFORCE;
    memset(t, 0x5A, sizeof *t);
    memset(work, 0, work_len);
    g.conns = 0;
    rc = sfo_device_poll(&c, &dev, 20, t);
    documented(rc);
    tok_strings(t);
    if (rc == SFO_OK)
        tok_success(t);
    else
        tok_wiped(t, false);
    if (rc == SFO_E_OAUTH) {
        FZ_ASSERT(strcmp(t->err.error, "authorization_pending") != 0 &&
                  strcmp(t->err.error, "slow_down") != 0);
    }
    zero(work, work_len);
    c.dialect = SFO_DIALECT_SALESFORCE;

    /* ---- userinfo, into an output of a size from the hash ---- */
    size_t cap = 1 + (size_t)((g.seed >> 32) % 4096u), out_len = 12345;
    char *out = malloc(cap);
    struct sfo_oauth_error e;
    FZ_ASSERT(out != NULL);
    memset(out, 0x5A, cap);
    memset(&e, 0x5A, sizeof e);
    memset(work, 0, work_len);
    rc = sfo_userinfo(&c, "00Dxx!AQ.token", out, cap, &out_len, &e);
    documented(rc);
    FZ_ASSERT(rc != SFO_E_DEADLINE && rc != SFO_E_SIGNATURE);
    err_ok(&e);
    if (rc == SFO_OK) {
        FZ_ASSERT(out_len < cap && out[out_len] == '\0' && strlen(out) == out_len);
        FZ_ASSERT(out_len >= 2);
    } else {
        FZ_ASSERT(out[0] == '\0' && out_len == 0);
    }
    zero(work, work_len);
    free(out);

    free(t);
    free(work);
    return 0;
}
