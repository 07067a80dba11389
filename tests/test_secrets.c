/*
 * Secret hygiene.
 *
 * Library: after each flow (success and failure paths, through the real
 * port and through the fault shim) every buffer the library was given is
 * scanned for every secret: the client working buffer (HTTP window and
 * scratch), the POSIX port context (socket state, TLS engine and its record
 * buffers, the key storage after key_clear and after deinit), the token
 * struct after sfo_token_wipe. Secrets: client secrets, HTTP Basic values,
 * the JWT assertion (its RS256 header), the private key (chunks of p, q and
 * d in both byte orders, a line of the PEM body), codes, PKCE verifiers,
 * device codes, passwords, access, refresh and id tokens.
 *
 * CLI: `sfoauth -v` for each subcommand against the server: no secret on
 * stderr, on stdout only the tokens that are the result; a running sfoauth
 * (device poll, login waiting) has no secret on its command line, core dumps
 * off (RLIMIT_CORE 0).
 */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "faultport.h"
#include "flowenv.h"
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
#include <mbedtls/ssl_internal.h>
#endif

static struct fe g_e;
static struct fp_port g_f;
static uint8_t g_work[4096];
static char *g_key;
static size_t g_key_len;

/* ---- the secrets ------------------------------------------------------------------ */

struct secret {
    char name[48];
    uint8_t *p;
    size_t n;
};
#define MAX_SECRETS 256
static struct secret g_sec[MAX_SECRETS];
static size_t g_nsec;

/* Remember a secret by chunks: whole when short, else start, middle and end
 * (16 bytes each), so that a partial copy is found too. */
static void sec_add(const char *name, const void *p, size_t n)
{
    if (n < 8) return;
    size_t offs[3] = { 0, n / 2 - 8, n - 16 };
    size_t k = n <= 24 ? 1 : 3;
    for (size_t i = 0; i < k; i++) {
        assert_true(g_nsec < MAX_SECRETS);
        struct secret *s = &g_sec[g_nsec++];
        snprintf(s->name, sizeof s->name, "%s[%zu]", name, i);
        s->n = n <= 24 ? n : 16;
        s->p = malloc(s->n);
        memcpy(s->p, (const uint8_t *)p + (n <= 24 ? 0 : offs[i]), s->n);
    }
}

static void sec_add_s(const char *name, const char *s)
{
    sec_add(name, s, strlen(s));
}

static void sec_truncate(size_t n)
{
    while (g_nsec > n) free(g_sec[--g_nsec].p);
}

static size_t g_nstatic;

/* memmem by bytes: the libc one may spill the needle (a secret) into its
 * stack frame, where the stack scan below would find it. */
static const uint8_t *find(const void *buf, size_t len, const uint8_t *s, size_t n)
{
    const uint8_t *b = buf;
    for (size_t j = 0; j + n <= len; j++) {
        size_t k = 0;
        while (k < n && b[j + k] == s[k]) k++;
        if (k == n) return b + j;
    }
    return NULL;
}

/* Fail when any secret is in buf. */
static void scan(const char *flow, const char *where, const void *buf, size_t len)
{
    for (size_t i = 0; i < g_nsec; i++) {
        const uint8_t *hit = find(buf, len, g_sec[i].p, g_sec[i].n);
        if (hit != NULL) {
            fprintf(stderr, "%s: %s found in %s at offset %zu\n", flow, g_sec[i].name, where,
                    (size_t)(hit - (const uint8_t *)buf));
            fail();
        }
    }
}

/*
 * The dead stack below the caller: what the library's returned frames left
 * there (the region is cleared after each scan, so what is found comes from
 * the calls made since). Opt-in (SFO_STACK_SCAN=1): it is a heuristic whose
 * result depends on the compiler's frame layout and on libc and cmocka
 * spilling their arguments; never under valgrind (memory below the stack
 * pointer is off limits there). The functions are not instrumented by ASan.
 */
#define STACK_SCAN 65536u
static bool g_stack_scan;

__attribute__((noinline, no_sanitize_address)) static void stack_clear(void)
{
    volatile uint8_t *p = (volatile uint8_t *)((uintptr_t)__builtin_frame_address(0) - STACK_SCAN);
    for (size_t i = 0; i < STACK_SCAN - 256u; i++) p[i] = 0;
}

__attribute__((noinline, no_sanitize_address)) static void stack_scan(const char *flow)
{
    const volatile uint8_t *p =
        (const volatile uint8_t *)((uintptr_t)__builtin_frame_address(0) - STACK_SCAN);
    size_t len = STACK_SCAN - 256u;
    for (size_t i = 0; i < g_nsec; i++) {
        size_t n = g_sec[i].n;
        for (size_t j = 0; j + n <= len; j++) {
            size_t k = 0;
            while (k < n && p[j + k] == g_sec[i].p[k]) k++;
            if (k == n) {
                fprintf(stderr, "%s: %s found on the stack, %zu bytes below the caller\n", flow,
                        g_sec[i].name, STACK_SCAN - j);
                fail();
            }
        }
    }
}

/* Every buffer the library holds between calls. */
static void scan_all(const char *flow)
{
    if (g_stack_scan) {
        stack_scan(flow);
        stack_clear();
    }
    scan(flow, "working buffer", g_work, sizeof g_work);
    scan(flow, "port context", &g_e.pp, sizeof g_e.pp);
    scan(flow, "fault shim", &g_f, sizeof g_f);
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
    if (g_e.pp.b.ssl.in_buf != NULL)
        scan(flow, "TLS input record buffer", g_e.pp.b.ssl.in_buf, MBEDTLS_SSL_IN_BUFFER_LEN);
    if (g_e.pp.b.ssl.out_buf != NULL)
        scan(flow, "TLS output record buffer", g_e.pp.b.ssl.out_buf, MBEDTLS_SSL_OUT_BUFFER_LEN);
#endif
}

/* The token after sfo_token_wipe, then the library's buffers. */
static void scan_token(const char *flow, struct sfo_token *t)
{
    sfo_token_wipe(t);
    scan(flow, "wiped token", t, sizeof *t);
    scan_all(flow);
}

/* Hex string to bytes. */
static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (h[0] && h[1] && n < cap) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1) break;
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* p, q, d of the client key (big-endian and little-endian) and a PEM line. */
static void key_secrets(void)
{
    char cmd[2048], line[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' -c 'from cryptography.hazmat.primitives import serialization as s; "
             "k=s.load_pem_private_key(open(\"%s/client.key\",\"rb\").read(),None)"
             ".private_numbers(); print(\"%%x %%x %%x\" %% (k.p, k.q, k.d))'",
             t_python(), t_pki());
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof line, p));
    pclose(p);
    static const char *const names[] = { "key p", "key q", "key d" };
    char *save = NULL, *tok = strtok_r(line, " \n", &save);
    for (int i = 0; i < 3 && tok != NULL; i++, tok = strtok_r(NULL, " \n", &save)) {
        uint8_t be[600], le[600];
        if (strlen(tok) % 2) {
            memmove(tok + 1, tok, strlen(tok) + 1);
            tok[0] = '0';
        }
        size_t n = unhex(tok, be, sizeof be);
        assert_true(n >= 64);
        for (size_t j = 0; j < n; j++) le[j] = be[n - 1 - j];
        char nm[32];
        sec_add(names[i], be, n);
        snprintf(nm, sizeof nm, "%s (LE)", names[i]);
        sec_add(nm, le, n);
    }
    /* the second PEM line (base64 of the DER) */
    const char *l2 = strchr(g_key, '\n');
    assert_non_null(l2);
    l2++;
    sec_add("key PEM line", l2, strcspn(l2, "\r\n"));
}

/* Basic value and its decoded form for id:secret. */
static void basic_secrets(const char *id, const char *secret)
{
    char raw[256], b64[400];
    snprintf(raw, sizeof raw, "%s:%s", id, secret);
    assert_int_equal(sfo_b64_encode((const uint8_t *)raw, strlen(raw), b64, sizeof b64, NULL),
                     SFO_OK);
    /* the raw form starts with the client id (public): from the ':' on */
    sec_add("Basic credentials", strchr(raw, ':'), strlen(strchr(raw, ':')));
    sec_add("Basic value", b64, strlen(b64));
}

static void token_secrets(const char *flow, const struct sfo_token *t)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s access token", flow);
    sec_add_s(nm, t->access_token);
    snprintf(nm, sizeof nm, "%s refresh token", flow);
    sec_add_s(nm, t->refresh_token);
    snprintf(nm, sizeof nm, "%s id token", flow);
    sec_add_s(nm, t->id_token);
}

/* ---- clients ---------------------------------------------------------------------- */

static void client(struct sfo_client *c, const struct sfo_port *port, const char *id,
                   const char *secret)
{
    assert_int_equal(sfo_client_init(c, port, g_e.url, id, g_work, sizeof g_work), SFO_OK);
    if (secret != NULL) {
        c->client_secret = (const uint8_t *)secret;
        c->client_secret_len = strlen(secret);
    }
    c->timeout_ms = 5000;
    c->deadline_ms = 8000;
    c->retries = 0;
}

/* Shim settings for a failure after the request went out: the response is
 * cut after `bytes` bytes (read one byte at a time). */
static void cut_after(unsigned bytes, int code)
{
    fp_reset(&g_f);
    g_f.virtual_sleep = true;
    g_f.one_byte = true;
    fp_fault(&g_f, FP_RECV, bytes, code);
}

#define RC(call, want)                                                               \
    do {                                                                             \
        int rc_ = (call);                                                            \
        if (rc_ != (want)) {                                                         \
            fprintf(stderr, "line %d: rc %s, want %s\n", __LINE__, sfo_errname(rc_), \
                    sfo_errname(want));                                              \
        }                                                                            \
        assert_int_equal(rc_, (want));                                               \
    } while (0)

/* ---- library flows ---------------------------------------------------------------- */

static void t_jwt(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_jwt j = { .username = FE_JWT_USER,
                         .key = (const uint8_t *)g_key,
                         .key_len = g_key_len };
    client(&c, &g_e.port, FE_JWT_ID, FE_JWT_SECRET);
    RC(sfo_jwt_bearer(&c, &j, &t), SFO_OK);
    assert_true(t.signature_verified);
    token_secrets("jwt", &t);
    scan_token("jwt ok", &t);
    /* refused by the server */
    j.username = FE_OTHER_USER;
    RC(sfo_jwt_bearer(&c, &j, &t), SFO_E_OAUTH);
    scan_token("jwt refused", &t);
    j.username = FE_JWT_USER;
    /* the answer cut in the middle of the header and of the body */
    client(&c, &g_f.port, FE_JWT_ID, FE_JWT_SECRET);
    fp_reset(&g_f);
    RC(sfo_jwt_bearer(&c, &j, &t), SFO_OK);
    token_secrets("jwt", &t);
    unsigned len = (unsigned)g_f.received;
    for (unsigned cut = 40; cut < len; cut += len / 5) {
        cut_after(cut, SFO_E_RESET);
        RC(sfo_jwt_bearer(&c, &j, &t), SFO_E_RESET);
        assert_int_equal(g_f.key_loads, g_f.key_clears);
        scan_token("jwt cut", &t);
    }
    /* sending fails */
    fp_reset(&g_f);
    fp_fault(&g_f, FP_SEND, 1, SFO_E_IO);
    RC(sfo_jwt_bearer(&c, &j, &t), SFO_E_IO);
    scan_token("jwt send fails", &t);
    /* a working buffer too small for the assertion */
    client(&c, &g_e.port, FE_JWT_ID, FE_JWT_SECRET);
    c.work_len = SFO_WORK_MIN; /* too small for a window and an assertion */
    RC(sfo_jwt_bearer(&c, &j, &t), SFO_E_TOO_LONG);
    scan_token("jwt small buffer", &t);
    /* assertion built alone: the caller's buffer holds it until the caller
     * wipes it; the port holds no key afterwards */
    char a[2048];
    size_t n;
    client(&c, &g_e.port, FE_JWT_ID, NULL);
    RC(sfo_jwt_build(&c, &j, a, sizeof a, &n), SFO_OK);
    assert_memory_equal(a, "eyJhbGciOiJSUzI1NiJ9.", 21);
    sec_add("assertion", a, n);
    sfo_wipe(a, sizeof a);
    scan_all("jwt build");
    sec_truncate(base);
}

static void t_code(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c, real;
    struct sfo_token t;
    struct sfo_authz s;
    char code[256];
    for (int basic = 0; basic < 2; basic++) {
        client(&real, &g_e.port, FE_WEB_ID, FE_WEB_SECRET);
        real.basic_auth = basic != 0;
        RC(fe_code(&g_e, &real, true, &s, code, sizeof code), SFO_OK);
        sec_add_s("code", code);
        sec_add_s("verifier", s.verifier);
        RC(sfo_code_exchange(&real, code, FE_RU, &s, &t), SFO_OK);
        assert_true(t.signature_verified);
        token_secrets("code", &t);
        scan_token("code ok", &t);
        /* reused: refused */
        RC(sfo_code_exchange(&real, code, FE_RU, &s, &t), SFO_E_OAUTH);
        scan_token("code reused", &t);
        /* a fresh code whose answer is cut in the body */
        RC(fe_code(&g_e, &real, true, &s, code, sizeof code), SFO_OK);
        sec_add_s("code", code);
        sec_add_s("verifier", s.verifier);
        client(&c, &g_f.port, FE_WEB_ID, FE_WEB_SECRET);
        c.basic_auth = basic != 0;
        cut_after(600, SFO_E_TLS_CLOSED);
        RC(sfo_code_exchange(&c, code, FE_RU, &s, &t), SFO_E_TLS_CLOSED);
        scan_token("code cut", &t);
        sfo_wipe(&s, sizeof s);
        sfo_wipe(code, sizeof code);
    }
    sec_truncate(base);
}

static void t_refresh_password(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_authz s;
    char code[256], rt[SFO_REFRESH_TOKEN_MAX];
    client(&c, &g_e.port, FE_WEB_ID, FE_WEB_SECRET);
    RC(fe_code(&g_e, &c, false, &s, code, sizeof code), SFO_OK);
    RC(sfo_code_exchange(&c, code, FE_RU, NULL, &t), SFO_OK);
    token_secrets("refresh", &t);
    strcpy(rt, t.refresh_token);
    RC(sfo_refresh(&c, &t), SFO_OK);
    token_secrets("refreshed", &t);
    scan_token("refresh ok", &t);
    /* a wrong secret */
    strcpy(t.refresh_token, rt);
    c.client_secret = (const uint8_t *)"wrong-secret-wrong";
    c.client_secret_len = 18;
    RC(sfo_refresh(&c, &t), SFO_E_OAUTH);
    /* kept for the caller (compared by bytes: cmocka's string assertion
     * leaves copies in its stack frame, where the stack scan finds them) */
    assert_true(find(t.refresh_token, sizeof t.refresh_token, (const uint8_t *)rt,
                     strlen(rt) + 1) == (const uint8_t *)t.refresh_token);
    scan_token("refresh refused", &t);
    /* cut answer */
    client(&c, &g_f.port, FE_WEB_ID, FE_WEB_SECRET);
    strcpy(t.refresh_token, rt);
    cut_after(500, SFO_E_RESET);
    RC(sfo_refresh(&c, &t), SFO_E_RESET);
    scan_token("refresh cut", &t);
    /* password grant: the password is a secret too */
    sec_add_s("password", "pwTOK-extra-long");
    client(&c, &g_e.port, FE_WEB_ID, FE_WEB_SECRET);
    c.allow_password = true;
    RC(sfo_password_grant(&c, FE_WEB_USER, "pwTOK-extra-long", 16, &t), SFO_E_OAUTH);
    scan_token("password refused", &t);
    sfo_wipe(rt, sizeof rt);
    sec_truncate(base);
}

static void t_client_credentials(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_token t;
    for (int basic = 0; basic < 2; basic++) {
        client(&c, &g_e.port, FE_CC_ID, FE_CC_SECRET);
        c.basic_auth = basic != 0;
        RC(sfo_client_credentials(&c, NULL, &t), SFO_OK);
        token_secrets("cc", &t);
        scan_token("cc ok", &t);
        /* an HTML 500 page */
        assert_int_equal(fe_post(&g_e, "/test/fault", "kind=html&count=1"), 200);
        RC(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS);
        scan_token("cc 500", &t);
        client(&c, &g_f.port, FE_CC_ID, FE_CC_SECRET);
        c.basic_auth = basic != 0;
        cut_after(300, 0);
        RC(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_TRUNCATED);
        scan_token("cc cut", &t);
    }
    sec_truncate(base);
}

static void t_device(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    client(&c, &g_f.port, FE_DEV_ID, FE_DEV_SECRET);
    fp_reset(&g_f);
    g_f.virtual_sleep = true;
    RC(sfo_device_start(&c, "api refresh_token", &d), SFO_OK);
    sec_add_s("device code", d.device_code);
    scan_all("device start");
    assert_int_equal(fe_post(&g_e, "/test/device/approve", t_path("user_code=%s", d.user_code)),
                     200);
    RC(sfo_device_poll(&c, &d, 10, &t), SFO_OK);
    token_secrets("device", &t);
    scan_token("device ok", &t);
    /* denied */
    RC(sfo_device_start(&c, "api", &d), SFO_OK);
    sec_add_s("device code", d.device_code);
    assert_int_equal(
        fe_post(&g_e, "/test/device/approve", t_path("user_code=%s&deny=1", d.user_code)), 200);
    RC(sfo_device_poll(&c, &d, 10, &t), SFO_E_OAUTH);
    scan_token("device denied", &t);
    /* start cut: the device code must not stay behind */
    fp_reset(&g_f);
    RC(sfo_device_start(&c, "api", &d), SFO_OK);
    sec_add_s("device code", d.device_code);
    cut_after((unsigned)g_f.received - 20, SFO_E_RESET);
    RC(sfo_device_start(&c, "api", &d), SFO_E_RESET);
    scan(("device start cut"), "device struct", &d, sizeof d);
    scan_all("device start cut");
    sec_truncate(base);
}

static void t_revoke_introspect_userinfo(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_introspection in;
    struct sfo_oauth_error e;
    char ui[2048];
    size_t n;
    client(&c, &g_e.port, FE_CC_ID, FE_CC_SECRET);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_OK);
    token_secrets("api", &t);
    char at[SFO_ACCESS_TOKEN_MAX];
    strcpy(at, t.access_token);
    sfo_token_wipe(&t);
    for (int basic = 0; basic < 2; basic++) {
        client(&c, &g_e.port, FE_CC_ID, FE_CC_SECRET);
        c.basic_auth = basic != 0;
        RC(sfo_introspect(&c, at, "access_token", &in), SFO_OK);
        assert_true(in.active);
        scan_all("introspect ok");
        RC(sfo_userinfo(&c, at, ui, sizeof ui, &n, &e), SFO_OK);
        scan_all("userinfo ok");
        RC(sfo_userinfo(&c, "00Dbogus!tokentokentoken", ui, sizeof ui, &n, &e), SFO_E_HTTP_STATUS);
        scan_all("userinfo refused");
        client(&c, &g_f.port, FE_CC_ID, FE_CC_SECRET);
        c.basic_auth = basic != 0;
        cut_after(200, SFO_E_IO);
        RC(sfo_introspect(&c, at, NULL, &in), SFO_E_IO);
        scan_all("introspect cut");
        cut_after(200, SFO_E_IO);
        RC(sfo_userinfo(&c, at, ui, sizeof ui, &n, &e), SFO_E_IO);
        scan_all("userinfo cut");
    }
    client(&c, &g_e.port, FE_CC_ID, FE_CC_SECRET);
    RC(sfo_revoke(&c, at, &e), SFO_OK);
    scan_all("revoke ok");
    RC(sfo_revoke(&c, "00Dunknown!tokentokentoken", NULL), SFO_E_OAUTH);
    scan_all("revoke refused");
    sfo_wipe(at, sizeof at);
    sec_truncate(base);
}

/* The scanner itself finds a chunk of a secret anywhere in a buffer, and the
 * TLS record buffers it scans exist (mbedTLS). */
static void t_scanner_works(void **state)
{
    (void)state;
    uint8_t buf[300];
    memset(buf, 'x', sizeof buf);
    const char *s = FE_CC_SECRET;
    memcpy(buf + 123, s + 5, strlen(s) - 5); /* a partial copy */
    bool found = false;
    for (size_t i = 0; i < g_nsec; i++)
        found |= memmem(buf, sizeof buf, g_sec[i].p, g_sec[i].n) != NULL;
    assert_true(found);
    struct sfo_client c;
    struct sfo_token t;
    client(&c, &g_e.port, FE_CC_ID, FE_CC_SECRET);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_OK);
    sfo_token_wipe(&t);
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
    assert_non_null(g_e.pp.b.ssl.in_buf);
    assert_non_null(g_e.pp.b.ssl.out_buf);
#endif
}

/* The key storage after key_clear and the whole port after deinit. */
static void t_port_key_storage(void **state)
{
    (void)state;
    static const char *const keys[] = { "client.key", "client-pkcs8.pem", "client-pkcs8.der",
                                        "client-pkcs1.der" };
    uint8_t dig[SFO_SHA256_LEN], sig[512];
    size_t sl;
    memset(dig, 7, sizeof dig);
    for (size_t i = 0; i < 4; i++) {
        size_t n;
        char *k = t_read_file(t_path("%s/%s", t_pki(), keys[i]), &n);
        assert_non_null(k);
        RC(g_e.port.key_load(g_e.port.ctx, (const uint8_t *)k, n), SFO_OK);
        RC(g_e.port.rsa_sign(g_e.port.ctx, dig, sig, sizeof sig, &sl), SFO_OK);
        g_e.port.key_clear(g_e.port.ctx);
        scan_all(keys[i]);
        /* loaded twice: the first copy is wiped by the second load */
        RC(g_e.port.key_load(g_e.port.ctx, (const uint8_t *)k, n), SFO_OK);
        RC(g_e.port.key_load(g_e.port.ctx, (const uint8_t *)k, n), SFO_OK);
        g_e.port.key_clear(g_e.port.ctx);
        scan_all(keys[i]);
        sfo_wipe(k, n);
        free(k);
    }
    /* a key left loaded is wiped by deinit */
    RC(g_e.port.key_load(g_e.port.ctx, (const uint8_t *)g_key, g_key_len), SFO_OK);
    sfo_posix_port_deinit(&g_e.pp);
    scan("deinit", "port context", &g_e.pp, sizeof g_e.pp);
    struct sfo_posix_config pc;
    memset(&pc, 0, sizeof pc);
    pc.ca_source = SFO_CA_FILE;
    pc.ca_file = g_e.ca;
    RC(sfo_posix_port_init(&g_e.pp, &pc, &g_e.port), SFO_OK);
}

/* ==================================================================== CLI */

#define CLI_ID       "3MVG9sfoauth.Demo.Connected.App.Consumer.Key"
#define CLI_SECRET   "5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D"
#define CLI_USER     "demo@example.com"
#define CLI_PASSWORD "pw-SECRET-31415926535"

static struct t_server g_cs;
static char g_tmp[256], g_bin[1024], g_curl[2048];
static char g_curl_url[128];
static char *g_out, *g_err;
static size_t g_cli_base;

/* Run a command line with $B $CA $KEY $SEC $URL $T set; stdout and stderr
 * into g_out / g_err. Returns the exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[8192], full[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full,
             "B='%s'; CA='%s/ca.pem'; KEY='%s/client.key'; SEC='%s/secret'; URL='%s'; T='%s'; "
             "export B CA KEY SEC URL T; ( %s ) >'%s/out' 2>'%s/err'",
             g_bin, t_pki(), t_pki(), g_tmp, g_curl_url, g_tmp, cmd, g_tmp, g_tmp);
    int st = system(full);
    free(g_out);
    free(g_err);
    g_out = t_read_file(t_path("%s/out", g_tmp), NULL);
    g_err = t_read_file(t_path("%s/err", g_tmp), NULL);
    if (g_out == NULL) g_out = strdup("");
    if (g_err == NULL) g_err = strdup("");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define RUN(want, ...)                                                                         \
    do {                                                                                       \
        int rc_ = sh(__VA_ARGS__);                                                             \
        if (rc_ != (want)) {                                                                   \
            fprintf(stderr, "exit %d (want %d)\nstdout: %s\nstderr: %s\n", rc_, (want), g_out, \
                    g_err);                                                                    \
        }                                                                                      \
        assert_int_equal(rc_, (want));                                                         \
    } while (0)

/* Fail when a secret is in text; `allowed` (may be NULL) lists result
 * values that may appear (NULL-terminated). */
static void no_secret(const char *what, const char *text, const char *const *allowed)
{
    for (size_t i = 0; i < g_nsec; i++) {
        const char *hit = memmem(text, strlen(text), g_sec[i].p, g_sec[i].n);
        if (hit == NULL) continue;
        bool ok = false;
        for (const char *const *a = allowed; a != NULL && *a != NULL && !ok; a++)
            ok = memmem(*a, strlen(*a), g_sec[i].p, g_sec[i].n) != NULL && strstr(text, *a) != NULL;
        if (!ok) {
            fprintf(stderr, "%s: %s in the output:\n%s\n", what, g_sec[i].name, text);
            fail();
        }
    }
    /* an Authorization header is only ever shown redacted */
    for (const char *a = strstr(text, "Authorization"); a != NULL;
         a = strstr(a + 1, "Authorization")) {
        const char *eol = strchr(a, '\n');
        size_t n = eol ? (size_t)(eol - a) : strlen(a);
        if (memmem(a, n, "redacted", 8) == NULL) {
            fprintf(stderr, "%s: unredacted %.*s\n", what, (int)n, a);
            fail();
        }
    }
}

/* A JSON string member of the output ("" when absent), copied. */
static char *member(const char *json, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", name);
    const char *p = strstr(json, pat);
    if (p == NULL) return strdup("");
    p += strlen(pat);
    return strndup(p, strcspn(p, "\""));
}

/* Both streams checked; stdout may carry the result's tokens. */
static void check_run(const char *what)
{
    char *at = member(g_out, "access_token"), *rt = member(g_out, "refresh_token");
    char *it = member(g_out, "id_token");
    const char *allowed[] = { at, rt, it, NULL };
    no_secret(what, g_err, NULL);
    sec_add_s("cli access token", at); /* never on stderr, now or later */
    sec_add_s("cli refresh token", rt);
    sec_add_s("cli id token", it);
    no_secret(what, g_err, NULL);
    no_secret(what, g_out, allowed);
    free(at);
    free(rt);
    free(it);
}

/* The verifier of a login: no 43..128 character base64url word of the
 * output hashes to the code_challenge the trace shows. */
static void no_verifier(const char *text, const char *challenge)
{
    const char *p = text;
    while (*p) {
        size_t n = 0;
        while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_') n++;
        if (n >= 43 && n <= 128) {
            char ch[SFO_CHALLENGE_LEN + 1];
            if (sfo_pkce_challenge(&g_e.port, p, n, ch) == SFO_OK && strcmp(ch, challenge) == 0) {
                fprintf(stderr, "PKCE verifier in the output: %.*s\n", (int)n, p);
                fail();
            }
        }
        p += n ? n : 1;
    }
}

static int cli_up(void **state)
{
    (void)state;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sfoauth-secrets-test.%ld", (long)getpid());
    mkdir(g_tmp, 0700);
    snprintf(g_bin, sizeof g_bin, "%s", t_sfoauth_bin());
    if (t_write_file(t_path("%s/secret", g_tmp), CLI_SECRET "\n", 0600) != 0) return -1;
    const char *pki = t_pki();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "exec '%s' '%s/tests/server/sf_server.py' --host 127.0.0.1 --port 0 "
             "--cert '%s/server.pem' --key '%s/server.key' --client-cert '%s/client.pem' "
             "--auto-approve 2>>'%s/test_secrets-cli-server.log'",
             t_python(), t_root(), pki, pki, pki, t_build());
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    if (t_server_start(&g_cs, argv) != 0) return -1;
    snprintf(g_curl_url, sizeof g_curl_url, "https://127.0.0.1:%d", g_cs.port);
    snprintf(g_curl, sizeof g_curl, "curl -s --cacert \"$CA\"");
    setenv("SFOAUTH_LOGIN_URL", g_curl_url, 1);
    setenv("SFOAUTH_CLIENT_ID", CLI_ID, 1);
    setenv("SFOAUTH_USERNAME", CLI_USER, 1);
    unsetenv("SFOAUTH_CLIENT_SECRET");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    /* a browser that follows the authorize redirect and records it (never
     * printing: its output would land on sfoauth's stderr) */
    if (t_write_file(t_path("%s/browser", g_tmp),
                     "#!/bin/sh\ncurl -s --cacert \"$CA\" -D \"$T/hdr\" -o /dev/null \"$1\"\n"
                     "sed -n 's/^[Ll]ocation: //p' \"$T/hdr\" | tr -d '\\r' > \"$T/loc\"\n"
                     "curl -s -o /dev/null \"$(cat \"$T/loc\")\" >/dev/null 2>&1\n",
                     0700) != 0)
        return -1;
    g_cli_base = g_nsec;
    sec_add_s("cli secret", CLI_SECRET);
    basic_secrets(CLI_ID, CLI_SECRET);
    sec_add_s("cli password", CLI_PASSWORD);
    return 0;
}

static int cli_down(void **state)
{
    (void)state;
    t_server_stop(&g_cs);
    if (system(t_path("rm -rf '%s'", g_tmp)) != 0) return -1;
    free(g_out);
    free(g_err);
    g_out = g_err = NULL;
    sec_truncate(g_cli_base);
    return 0;
}

static void t_cli_jwt_cc_token(void **state)
{
    (void)state;
    RUN(0, "$B jwt -v --key \"$KEY\" --cacert \"$CA\" --cache \"$T/cache.json\"");
    check_run("jwt");
    assert_non_null(strstr(g_err, "> POST /services/oauth2/token"));
    RUN(0, "$B token -v --cache \"$T/cache.json\" --cacert \"$CA\"");
    {
        /* the raw access token is the result */
        char *at = strndup(g_out, strcspn(g_out, "\n"));
        const char *allowed[] = { at, NULL };
        no_secret("token", g_err, NULL);
        no_secret("token", g_out, allowed);
        free(at);
    }
    RUN(7, "$B jwt -v --key \"$KEY\" --cacert \"$CA\" --username stranger@example.com");
    check_run("jwt refused");
    for (int basic = 0; basic < 2; basic++) {
        RUN(0, "$B client-credentials -v --client-secret-file \"$SEC\" --cacert \"$CA\" %s",
            basic ? "--basic-auth" : "");
        check_run("client-credentials");
        RUN(0, "cat \"$SEC\" | $B client-credentials -v --client-secret-file - --cacert \"$CA\" %s",
            basic ? "--basic-auth" : "");
        check_run("client-credentials stdin");
        RUN(7,
            "echo wrong-secret-value | $B client-credentials -v --client-secret-file - "
            "--cacert \"$CA\" %s",
            basic ? "--basic-auth" : "");
        check_run("client-credentials refused");
    }
    RUN(7, "echo '" CLI_PASSWORD "' | $B password -v --password-file - "
           "--client-secret-file \"$SEC\" --cacert \"$CA\"");
    check_run("password");
}

static void t_cli_login_code_refresh(void **state)
{
    (void)state;
    RUN(0, "$B login -v --client-secret-file \"$SEC\" --cacert \"$CA\" --scope 'api "
           "refresh_token' --browser \"$T/browser\" --wait 20");
    char *loc = t_read_file(t_path("%s/loc", g_tmp), NULL);
    assert_non_null(loc);
    char *c = strstr(loc, "code=");
    assert_non_null(c);
    c += 5;
    char enc[512], dec[512];
    snprintf(enc, sizeof enc, "%.*s", (int)strcspn(c, "&\n"), c);
    assert_int_equal(sfo_pct_decode(enc, strlen(enc), SFO_PCT_FORM, dec, sizeof dec, NULL), SFO_OK);
    sec_add_s("login code", enc);
    sec_add_s("login code (decoded)", dec);
    free(loc);
    char *ch = strstr(g_err, "code_challenge=");
    assert_non_null(ch);
    char challenge[SFO_CHALLENGE_LEN + 1];
    snprintf(challenge, sizeof challenge, "%s", ch + 15);
    no_verifier(g_err, challenge);
    no_verifier(g_out, challenge);
    check_run("login");
    char *rt = member(g_out, "refresh_token");
    char *at = member(g_out, "access_token");
    assert_true(strlen(rt) > 10);
    FILE *f = fopen(t_path("%s/rt", g_tmp), "w");
    fprintf(f, "%s\n", rt);
    fclose(f);
    f = fopen(t_path("%s/at", g_tmp), "w");
    fprintf(f, "%s\n", at);
    fclose(f);
    /* refresh: the token it was given is printed back only as the result */
    RUN(0, "$B refresh -v --refresh-token-file \"$T/rt\" --client-secret-file \"$SEC\" "
           "--cacert \"$CA\"");
    check_run("refresh");
    RUN(0, "$B refresh -v --refresh-token-file - --client-secret-file \"$SEC\" --cacert \"$CA\" "
           "< \"$T/rt\" --field access_token");
    no_secret("refresh --field", g_err, NULL);
    /* code: a pasted callback URL from a fresh authorize */
    RUN(0,
        "%s -D - -o /dev/null \"$URL/services/oauth2/authorize?response_type=code&"
        "client_id=" CLI_ID "&redirect_uri=http://localhost:1717/OauthRedirect\" | "
        "sed -n 's/^[Ll]ocation: //p' | tr -d '\\r' > \"$T/cb\"",
        g_curl);
    char *cb = t_read_file(t_path("%s/cb", g_tmp), NULL);
    assert_non_null(cb);
    c = strstr(cb, "code=");
    assert_non_null(c);
    snprintf(enc, sizeof enc, "%.*s", (int)strcspn(c + 5, "&\n"), c + 5);
    assert_int_equal(sfo_pct_decode(enc, strlen(enc), SFO_PCT_FORM, dec, sizeof dec, NULL), SFO_OK);
    sec_add_s("code", enc);
    sec_add_s("code (decoded)", dec);
    free(cb);
    RUN(0, "$B code -v --callback-url \"$T/cb\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
    check_run("code");
    RUN(7, "$B code -v --callback-url \"$T/cb\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
    check_run("code reused");
    /* introspect, userinfo, revoke: the token given is never printed */
    sec_add_s("login access token", at);
    sec_add_s("login refresh token", rt);
    RUN(0, "$B introspect -v --token-file \"$T/at\" --client-secret-file \"$SEC\" "
           "--cacert \"$CA\"");
    no_secret("introspect", g_err, NULL);
    no_secret("introspect", g_out, NULL);
    RUN(0, "$B userinfo -v --token-file \"$T/at\" --cacert \"$CA\"");
    no_secret("userinfo", g_err, NULL);
    no_secret("userinfo", g_out, NULL);
    RUN(0, "$B revoke -v --token-file \"$T/rt\" --cacert \"$CA\"");
    no_secret("revoke", g_err, NULL);
    no_secret("revoke", g_out, NULL);
    RUN(7, "$B userinfo -v --token-file \"$T/at\" --cacert \"$CA\"");
    no_secret("userinfo refused", g_err, NULL);
    no_secret("userinfo refused", g_out, NULL);
    free(rt);
    free(at);
}

/* A running sfoauth: no secret on its command line, core dumps off. */
static void check_process(const char *pidfile)
{
    char *pid = NULL;
    for (int i = 0; i < 100 && (pid == NULL || pid[0] == '\0'); i++) {
        free(pid);
        usleep(50000);
        pid = t_read_file(pidfile, NULL);
    }
    assert_non_null(pid);
    pid[strcspn(pid, "\n")] = '\0';
    size_t n = 0;
    char *cmdline = t_read_file(t_path("/proc/%s/cmdline", pid), &n);
    assert_non_null(cmdline);
    assert_true(n > 0);
    for (size_t i = 0; i + 1 < n; i++)
        if (cmdline[i] == '\0') cmdline[i] = ' ';
    assert_non_null(strstr(cmdline, "sfoauth"));
    no_secret("command line", cmdline, NULL);
    char *limits = NULL;
    bool off = false;
    /* sfoauth lowers the limit right after it starts: give it a moment */
    for (int i = 0; i < 50 && !off; i++) {
        free(limits);
        limits = t_read_file(t_path("/proc/%s/limits", pid), NULL);
        assert_non_null(limits);
        const char *l = strstr(limits, "Max core file size");
        assert_non_null(l);
        unsigned long soft = 1, hard = 1;
        off = sscanf(l + strlen("Max core file size"), " %lu %lu", &soft, &hard) == 2 &&
              soft == 0 && hard == 0;
        if (!off) usleep(20000);
    }
    if (!off) fprintf(stderr, "core dumps not off:\n%s\n", limits);
    assert_true(off);
    free(limits);
    free(cmdline);
    free(pid);
}

static void t_cli_running_process(void **state)
{
    (void)state;
    /* device: polling while nobody approves; then approved */
    RUN(0, "%s -d device_interval=1 \"$URL/test/config\" >/dev/null", g_curl);
    sh("rm -f \"$T/pid\"; ulimit -c unlimited 2>/dev/null; "
       "($B device -v --client-secret-file \"$SEC\" --cacert \"$CA\" --wait 30 "
       "> \"$T/dev.out\" 2> \"$T/dev.err\" & echo $! > \"$T/pid\"; wait)"
       " >/dev/null 2>&1 &");
    check_process(t_path("%s/pid", g_tmp));
    RUN(0,
        "i=0; while [ $i -lt 100 ]; do c=$(sed -n 's/.*enter the code //p' \"$T/dev.err\"); "
        "[ -n \"$c\" ] && break; sleep 0.1; i=$((i+1)); done; "
        "%s -d user_code=$c -d username=" CLI_USER " \"$URL/test/device/approve\" "
        ">/dev/null; while kill -0 $(cat \"$T/pid\") 2>/dev/null; do sleep 0.1; done; "
        "cat \"$T/dev.out\"; cat \"$T/dev.err\" >&2",
        g_curl);
    check_run("device");
    assert_non_null(strstr(g_out, "\"access_token\""));
    /* login: waiting for the browser that never comes */
    sh("rm -f \"$T/pid\"; ($B login -v --client-secret-file \"$SEC\" --cacert \"$CA\" "
       "--browser true --wait 30 >/dev/null 2>&1 & echo $! > \"$T/pid\"; wait) "
       ">/dev/null 2>&1 &");
    check_process(t_path("%s/pid", g_tmp));
    RUN(0, "kill $(cat \"$T/pid\")");
}

/* ---- group ------------------------------------------------------------------------ */

static int up(void **state)
{
    (void)state;
    const char *vg = getenv("SFO_VALGRIND");
    const char *ss = getenv("SFO_STACK_SCAN");
    g_stack_scan =
        (vg == NULL || vg[0] == '\0' || strcmp(vg, "0") == 0) && ss != NULL && strcmp(ss, "1") == 0;
    if (fe_up(&g_e, "test_secrets") != 0) return -1;
    fp_init(&g_f, &g_e.port);
    g_key = t_read_file(t_path("%s/client.key", t_pki()), &g_key_len);
    if (g_key == NULL) return -1;
    key_secrets();
    sec_add_s("web secret", FE_WEB_SECRET);
    sec_add_s("jwt secret", FE_JWT_SECRET);
    sec_add_s("device secret", FE_DEV_SECRET);
    sec_add_s("cc secret", FE_CC_SECRET);
    basic_secrets(FE_WEB_ID, FE_WEB_SECRET);
    basic_secrets(FE_CC_ID, FE_CC_SECRET);
    sec_add_s("assertion header", "eyJhbGciOiJSUzI1NiJ9.");
    g_nstatic = g_nsec;
    return 0;
}

static int down(void **state)
{
    (void)state;
    fe_down(&g_e);
    sec_truncate(0);
    free(g_key);
    return 0;
}

static int cli_group_up(void **state)
{
    return up(state) != 0 ? -1 : cli_up(state);
}

static int cli_group_down(void **state)
{
    cli_down(state);
    return down(state);
}

int main(void)
{
    const struct CMUnitTest lib[] = {
        cmocka_unit_test(t_scanner_works),
        cmocka_unit_test(t_jwt),
        cmocka_unit_test(t_code),
        cmocka_unit_test(t_refresh_password),
        cmocka_unit_test(t_client_credentials),
        cmocka_unit_test(t_device),
        cmocka_unit_test(t_revoke_introspect_userinfo),
        cmocka_unit_test(t_port_key_storage),
    };
    if (getenv("SFO_TEST_FILTER") != NULL) cmocka_set_test_filter(getenv("SFO_TEST_FILTER"));
    const struct CMUnitTest cli[] = {
        cmocka_unit_test(t_cli_jwt_cc_token),
        cmocka_unit_test(t_cli_login_code_refresh),
        cmocka_unit_test(t_cli_running_process),
    };
    int fails = cmocka_run_group_tests_name("library", lib, up, down);
    /* the CLI group keeps the library group's static secrets (key chunks) */
    fails += cmocka_run_group_tests_name("cli", cli, cli_group_up, cli_group_down);
    return fails != 0;
}
