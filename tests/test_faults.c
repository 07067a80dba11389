/*
 * Fault injection: every flow (JWT bearer, code exchange, refresh, client
 * credentials, device poll, revoke, introspect, userinfo) runs against the
 * test server over real TLS on 127.0.0.1 through the fault shim
 * (tests/support/faultport.c), with connect, tls_start, send or recv failing
 * at their N-th call for every N from 1 until a run completes without meeting
 * the fault, for each transport error code; with one-byte and would-block
 * streams; with a stalled peer; with the monotonic clock jumping past the
 * deadline at every clock reading; with the wall clock off by an hour.
 *
 * Each run must end in SFO_OK or the documented code, within the client's
 * deadline on the real clock (plus a margin), with the connection closed, the
 * key cleared as often as it was loaded, the token wiped on failure, and the
 * client reusable afterwards (the last run of every sweep succeeds through the
 * same client, shim and port). Leaks and memory errors: `make test SAN=1` and
 * `make test VALGRIND=1` (a smaller matrix under valgrind).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "faultport.h"
#include "flowenv.h"

static struct fe g_e;
static struct fp_port g_f;
static uint8_t g_work[4096];
static char *g_key;
static size_t g_key_len;
static char g_rt[SFO_REFRESH_TOKEN_MAX]; /* a refresh token (no rotation) */
static char g_at[SFO_ACCESS_TOKEN_MAX];  /* a live access token */
static bool g_slow;                      /* under valgrind: fewer cases */
static unsigned g_runs;

/* Per-run timeouts: generous for valgrind, small enough to keep stalls short. */
#define TIMEOUT_MS  4000u
#define DEADLINE_MS 6000u
#define MARGIN_MS   1500

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- flows ------------------------------------------------------------------------ */

struct run {
    struct sfo_token tok;
    struct sfo_authz s;
    char code[256];
    struct sfo_device d;
    char token[SFO_ACCESS_TOKEN_MAX];
    struct sfo_introspection in;
    char ui[4096];
    struct sfo_oauth_error err;
};

struct flow {
    const char *name;
    const char *id, *secret;
    /* with the real port, before each run (NULL: nothing) */
    int (*prep)(const struct sfo_client *real, struct run *r);
    int (*run)(const struct sfo_client *c, struct run *r);
    /* the request consumes server state: a retry after a delivered request
     * may be answered with an OAuth error (code spent, token revoked) */
    bool once;
};

static int run_jwt(const struct sfo_client *c, struct run *r)
{
    struct sfo_jwt j = { .username = FE_JWT_USER,
                         .key = (const uint8_t *)g_key,
                         .key_len = g_key_len };
    return sfo_jwt_bearer(c, &j, &r->tok);
}

static int prep_code(const struct sfo_client *real, struct run *r)
{
    return fe_code(&g_e, real, true, &r->s, r->code, sizeof r->code);
}

static int run_code(const struct sfo_client *c, struct run *r)
{
    return sfo_code_exchange(c, r->code, FE_RU, &r->s, &r->tok);
}

static int run_refresh(const struct sfo_client *c, struct run *r)
{
    sfo_token_wipe(&r->tok);
    strcpy(r->tok.refresh_token, g_rt);
    return sfo_refresh(c, &r->tok);
}

static int run_cc(const struct sfo_client *c, struct run *r)
{
    return sfo_client_credentials(c, NULL, &r->tok);
}

static int prep_device(const struct sfo_client *real, struct run *r)
{
    int rc = sfo_device_start(real, "api", &r->d);
    if (rc != SFO_OK) return rc;
    rc = fe_post(&g_e, "/test/device/approve", t_path("user_code=%s", r->d.user_code));
    return rc == 200 ? SFO_OK : SFO_E_INTERNAL;
}

static int run_device(const struct sfo_client *c, struct run *r)
{
    return sfo_device_poll(c, &r->d, 30, &r->tok);
}

static int prep_revoke(const struct sfo_client *real, struct run *r)
{
    struct sfo_token t;
    int rc = sfo_client_credentials(real, NULL, &t);
    strcpy(r->token, t.access_token);
    sfo_token_wipe(&t);
    return rc;
}

static int run_revoke(const struct sfo_client *c, struct run *r)
{
    return sfo_revoke(c, r->token, &r->err);
}

static int run_introspect(const struct sfo_client *c, struct run *r)
{
    int rc = sfo_introspect(c, g_at, "access_token", &r->in);
    if (rc == SFO_OK && !r->in.active) rc = SFO_E_INTERNAL;
    return rc;
}

static int run_userinfo(const struct sfo_client *c, struct run *r)
{
    size_t n;
    int rc = sfo_userinfo(c, g_at, r->ui, sizeof r->ui, &n, &r->err);
    if (rc == SFO_OK && (n == 0 || strstr(r->ui, "preferred_username") == NULL)) {
        rc = SFO_E_INTERNAL;
    }
    return rc;
}

static const struct flow k_flows[] = {
    { "jwt", FE_JWT_ID, NULL, NULL, run_jwt, false },
    { "code", FE_WEB_ID, FE_WEB_SECRET, prep_code, run_code, true },
    { "refresh", FE_WEB_ID, FE_WEB_SECRET, NULL, run_refresh, false },
    { "client_credentials", FE_CC_ID, FE_CC_SECRET, NULL, run_cc, false },
    { "device", FE_DEV_ID, FE_DEV_SECRET, prep_device, run_device, true },
    { "revoke", FE_CC_ID, FE_CC_SECRET, prep_revoke, run_revoke, true },
    { "introspect", FE_CC_ID, FE_CC_SECRET, NULL, run_introspect, false },
    { "userinfo", FE_CC_ID, FE_CC_SECRET, NULL, run_userinfo, false },
};
#define NFLOWS (sizeof k_flows / sizeof k_flows[0])

static void client_for(struct sfo_client *c, const struct sfo_port *port, const struct flow *fl)
{
    assert_int_equal(sfo_client_init(c, port, g_e.url, fl->id, g_work, sizeof g_work), SFO_OK);
    if (fl->secret != NULL) {
        c->client_secret = (const uint8_t *)fl->secret;
        c->client_secret_len = strlen(fl->secret);
    }
    c->timeout_ms = TIMEOUT_MS;
    c->deadline_ms = DEADLINE_MS;
    c->retries = 0;
}

/* ---- one run ---------------------------------------------------------------------- */

struct result {
    int rc;
    int64_t ms;      /* real time the call took */
    unsigned faults; /* faults injected */
    int oauth_status;
    char oauth_error[SFO_ERROR_MAX];
};

/* Prepare with the real port, then run fl through the shim configured by the
 * caller (the shim's counters are cleared here, its settings kept). */
static struct result one(const struct flow *fl, uint8_t retries, uint32_t timeout_ms,
                         uint32_t deadline_ms)
{
    static struct run r;
    struct sfo_client real, c;
    struct result res;
    memset(&res, 0, sizeof res);
    memset(&r, 0, sizeof r);
    if (fl->prep != NULL) {
        client_for(&real, &g_e.port, fl);
        int rc = fl->prep(&real, &r);
        if (rc != SFO_OK) fprintf(stderr, "%s: prep failed: %s\n", fl->name, sfo_errname(rc));
        assert_int_equal(rc, SFO_OK);
    }
    client_for(&c, &g_f.port, fl);
    c.retries = retries;
    c.timeout_ms = timeout_ms;
    c.deadline_ms = deadline_ms;
    memset(g_f.calls, 0, sizeof g_f.calls);
    g_f.faults = g_f.again_n = g_f.key_loads = g_f.key_clears = 0;
    g_f.opens = g_f.closes = 0;
    int64_t t0 = now_ms();
    res.rc = fl->run(&c, &r);
    res.ms = now_ms() - t0;
    res.faults = g_f.faults;
    g_runs++;

    /* the invariants of every run */
    if (res.ms > (int64_t)deadline_ms + MARGIN_MS) {
        fprintf(stderr, "%s: %lld ms, deadline %u ms\n", fl->name, (long long)res.ms, deadline_ms);
        fail();
    }
    assert_int_equal(g_e.pp.fd, -1);                 /* the connection is closed */
    assert_int_equal(g_f.key_loads, g_f.key_clears); /* the key never stays loaded */
    if (res.rc != SFO_OK && fl->run != run_revoke && fl->run != run_introspect &&
        fl->run != run_userinfo) {
        assert_string_equal(r.tok.access_token, ""); /* wiped on failure */
        res.oauth_status = r.tok.err.http_status;
        strcpy(res.oauth_error, r.tok.err.error);
    } else if (res.rc != SFO_OK) {
        const struct sfo_oauth_error *e = fl->run == run_introspect ? &r.in.err : &r.err;
        res.oauth_status = e->http_status;
        strcpy(res.oauth_error, e->error);
    }
    sfo_token_wipe(&r.tok);
    sfo_wipe(&r, sizeof r);
    return res;
}

static void show(const struct flow *fl, const char *what, unsigned n, const struct result *r)
{
    fprintf(stderr, "%s %s N=%u: rc %s (%d) after %lld ms, %u faults, http %d [%s]\n", fl->name,
            what, n, sfo_errname(r->rc), r->rc, (long long)r->ms, r->faults, r->oauth_status,
            r->oauth_error);
}

/* An OAuth answer a retry may get when the first attempt reached the server. */
static bool spent(const struct flow *fl, const struct result *r)
{
    return fl->once && r->rc == SFO_E_OAUTH && r->oauth_status == 400 &&
           (strcmp(r->oauth_error, "invalid_grant") == 0 ||
            strcmp(r->oauth_error, "invalid_token") == 0);
}

/* ---- sweeps ----------------------------------------------------------------------- */

#define N_CAP 400u

/* Fail op at its N-th call with code, N = 1, 2, ... until a run meets no
 * fault. retries 0: the injected code comes back unchanged (recv end of
 * stream: SFO_E_CLOSED before any response byte, SFO_E_HTTP_TRUNCATED after);
 * retries 1: success, or for a spent request the server's OAuth answer. */
static void sweep(const struct flow *fl, enum fp_op op, int code, uint8_t retries, bool one_byte,
                  unsigned step)
{
    char what[64];
    snprintf(what, sizeof what, "op%d code %s retries %u%s", (int)op, sfo_errname(code), retries,
             one_byte ? " 1-byte" : "");
    for (unsigned n = 1;; n += step) {
        assert_true(n < N_CAP * step);
        fp_reset(&g_f);
        g_f.virtual_sleep = true;
        g_f.one_byte = one_byte;
        fp_fault(&g_f, op, n, code);
        struct result r = one(fl, retries, TIMEOUT_MS, DEADLINE_MS);
        bool ok;
        if (r.faults == 0) {
            ok = r.rc == SFO_OK;
        } else if (retries == 0) {
            ok = code == 0 ? (r.rc == SFO_E_CLOSED || r.rc == SFO_E_HTTP_TRUNCATED) : r.rc == code;
        } else {
            ok = r.rc == SFO_OK || spent(fl, &r);
        }
        if (!ok) {
            show(fl, what, n, &r);
            fail();
        }
        if (r.faults == 0) break;
    }
}

static const int k_connect_codes[] = { SFO_E_CONNREFUSED, SFO_E_TIMEOUT, SFO_E_IO, SFO_E_DNS,
                                       SFO_E_CONNECT };
static const int k_tls_codes[] = { SFO_E_TLS_HANDSHAKE, SFO_E_TIMEOUT, SFO_E_RESET,
                                   SFO_E_CLOSED,        SFO_E_TLS,     SFO_E_TLS_UNTRUSTED };
static const int k_send_codes[] = { SFO_E_RESET, SFO_E_TIMEOUT, SFO_E_IO, SFO_E_CLOSED,
                                    SFO_E_TLS_CLOSED };
static const int k_recv_codes[] = { SFO_E_RESET,      SFO_E_TIMEOUT, SFO_E_IO,
                                    SFO_E_TLS_CLOSED, SFO_E_TLS,     0 };

static void codes_for(const struct flow *fl, enum fp_op op, const int *codes, size_t n)
{
    for (size_t i = 0; i < (g_slow ? 1u : n); i++) sweep(fl, op, codes[i], 0, false, 1);
}
#define CODES(fl, op, arr) codes_for((fl), (op), (arr), sizeof(arr) / sizeof(arr)[0])

static void t_fail_nth_call(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFLOWS; i++) {
        const struct flow *fl = &k_flows[i];
        CODES(fl, FP_CONNECT, k_connect_codes);
        CODES(fl, FP_TLS_START, k_tls_codes);
        CODES(fl, FP_SEND, k_send_codes);
        CODES(fl, FP_RECV, k_recv_codes);
    }
}

/* One retry cures a single failure anywhere (idempotent requests). */
static void t_retry_after_fault(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFLOWS; i++) {
        const struct flow *fl = &k_flows[i];
        sweep(fl, FP_CONNECT, SFO_E_CONNREFUSED, 1, false, 1);
        sweep(fl, FP_TLS_START, SFO_E_RESET, 1, false, 1);
        sweep(fl, FP_SEND, SFO_E_RESET, 1, false, 1);
        sweep(fl, FP_RECV, SFO_E_TLS_CLOSED, 1, false, 1);
        if (!g_slow) sweep(fl, FP_RECV, 0, 1, false, 1);
    }
}

/* One byte per call, would-block every other call, both: the same answers. */
static void t_shaped_streams(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFLOWS; i++) {
        const struct flow *fl = &k_flows[i];
        for (int mode = 1; mode <= 3; mode++) {
            fp_reset(&g_f);
            g_f.virtual_sleep = true;
            g_f.one_byte = (mode & 1) != 0;
            g_f.again = (mode & 2) != 0;
            struct result r = one(fl, 0, TIMEOUT_MS, DEADLINE_MS);
            if (r.rc != SFO_OK) {
                show(fl, mode == 1 ? "1-byte" : mode == 2 ? "again" : "1-byte+again", 0, &r);
                fail();
            }
            if (g_f.one_byte) assert_true(g_f.calls[FP_RECV] > 100);
            if (g_f.again) assert_true(g_f.again_n > 0);
        }
        /* a byte-wise stream broken at many places: header, framing, body */
        sweep(fl, FP_RECV, SFO_E_RESET, 0, true, g_slow ? 211u : 31u);
        if (!g_slow) sweep(fl, FP_RECV, 0, 0, true, 73u);
    }
}

/* A peer that stalls: the call blocks until the deadline the library passed;
 * the whole call still ends within the client's deadline. */
static void t_stalled_peer(void **state)
{
    (void)state;
    const uint32_t to = 150, dl = 350;
    /* JWT, client credentials, device poll (polling loop) */
    for (size_t i = 0; i < NFLOWS; i += i == 0 ? 3u : 1u) {
        if (i != 0 && i != 3 && i != 4) continue;
        const struct flow *fl = &k_flows[i];
        static const enum fp_op ops[] = { FP_CONNECT, FP_TLS_START, FP_SEND, FP_RECV };
        for (size_t o = 0; o < 4; o++) {
            for (unsigned retries = 0; retries < 2; retries++) {
                fp_reset(&g_f);
                g_f.virtual_sleep = true;
                g_f.fault_stall = true;
                g_f.fault_persist = true;
                fp_fault(&g_f, ops[o], 1, SFO_E_TIMEOUT);
                struct result r = one(fl, (uint8_t)retries, to, dl);
                if (getenv("SFO_TEST_VERBOSE")) show(fl, "stall", (unsigned)o, &r);
                bool ok = (r.rc == SFO_E_TIMEOUT || r.rc == SFO_E_DEADLINE) && r.faults >= 1 &&
                          r.ms >= (int64_t)to - 20;
                if (!ok) {
                    show(fl, "stall", (unsigned)o, &r);
                    fail();
                }
            }
        }
    }
}

/* The monotonic clock jumps past every deadline at its N-th reading, N = 1..
 * until the flow no longer reads the clock that often. */
static void t_clock_jump(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFLOWS; i++) {
        const struct flow *fl = &k_flows[i];
        for (unsigned n = 1;; n += g_slow ? 5u : 1u) {
            assert_true(n < N_CAP);
            fp_reset(&g_f);
            g_f.virtual_sleep = true;
            g_f.jump_at = n;
            g_f.jump_ms = 3600 * 1000;
            struct result r = one(fl, 1, TIMEOUT_MS, DEADLINE_MS);
            bool jumped = g_f.calls[FP_MONO] >= n;
            bool ok = r.rc == SFO_OK || r.rc == SFO_E_TIMEOUT || r.rc == SFO_E_DEADLINE;
            if (!ok || (!jumped && r.rc != SFO_OK)) {
                show(fl, "clock jump", n, &r);
                fail();
            }
            if (!jumped) break;
        }
    }
}

/* The wall clock an hour off: the JWT exp is refused by the server with
 * Salesforce's texts; nothing else depends on it. */
static void t_wall_clock(void **state)
{
    (void)state;
    static const struct {
        int64_t off;
        const char *desc;
    } k[] = { { -3600, "expired authorization code" }, { 3600, "invalid assertion" } };
    for (size_t i = 0; i < 2; i++) {
        struct sfo_client c;
        struct sfo_token t;
        fp_reset(&g_f);
        g_f.wall_offset = k[i].off;
        client_for(&c, &g_f.port, &k_flows[0]);
        struct sfo_jwt j = { .username = FE_JWT_USER,
                             .key = (const uint8_t *)g_key,
                             .key_len = g_key_len };
        assert_int_equal(sfo_jwt_bearer(&c, &j, &t), SFO_E_OAUTH);
        assert_string_equal(t.err.error, "invalid_grant");
        assert_string_equal(t.err.error_description, k[i].desc);
        assert_string_equal(t.access_token, "");
        assert_int_equal(g_f.key_loads, g_f.key_clears);
    }
    fp_reset(&g_f);
    for (size_t i = 1; i < NFLOWS; i++) {
        g_f.wall_offset = 3600;
        struct result r = one(&k_flows[i], 0, TIMEOUT_MS, DEADLINE_MS);
        assert_int_equal(r.rc, SFO_OK);
    }
}

/* ---- group ------------------------------------------------------------------------ */

static int up(void **state)
{
    (void)state;
    const char *vg = getenv("SFO_VALGRIND");
    g_slow = vg != NULL && vg[0] != '\0' && strcmp(vg, "0") != 0;
    if (fe_up(&g_e, "test_faults") != 0) return -1;
    fp_init(&g_f, &g_e.port);
    g_key = t_read_file(t_path("%s/client.key", t_pki()), &g_key_len);
    if (g_key == NULL) return -1;
    /* a refresh token of a client without rotation, and a live access token */
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_authz s;
    char code[256];
    if (sfo_client_init(&c, &g_e.port, g_e.url, FE_WEB_ID, g_work, sizeof g_work) != SFO_OK)
        return -1;
    c.client_secret = (const uint8_t *)FE_WEB_SECRET;
    c.client_secret_len = strlen(FE_WEB_SECRET);
    if (fe_code(&g_e, &c, false, &s, code, sizeof code) != SFO_OK) return -1;
    if (sfo_code_exchange(&c, code, FE_RU, NULL, &t) != SFO_OK) return -1;
    strcpy(g_rt, t.refresh_token);
    if (sfo_client_init(&c, &g_e.port, g_e.url, FE_CC_ID, g_work, sizeof g_work) != SFO_OK)
        return -1;
    c.client_secret = (const uint8_t *)FE_CC_SECRET;
    c.client_secret_len = strlen(FE_CC_SECRET);
    if (sfo_client_credentials(&c, NULL, &t) != SFO_OK) return -1;
    strcpy(g_at, t.access_token);
    sfo_token_wipe(&t);
    return 0;
}

static int down(void **state)
{
    (void)state;
    fe_down(&g_e);
    free(g_key);
    fprintf(stderr, "NOTE: %u fault runs\n", g_runs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fail_nth_call),  cmocka_unit_test(t_retry_after_fault),
        cmocka_unit_test(t_shaped_streams), cmocka_unit_test(t_stalled_peer),
        cmocka_unit_test(t_clock_jump),     cmocka_unit_test(t_wall_clock),
    };
    if (getenv("SFO_TEST_FILTER") != NULL) cmocka_set_test_filter(getenv("SFO_TEST_FILTER"));
    return cmocka_run_group_tests_name("faults", tests, up, down);
}
