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

/* Fail when any secret is in buf. */
static void scan(const char *flow, const char *where, const void *buf, size_t len)
{
    for (size_t i = 0; i < g_nsec; i++) {
        const uint8_t *hit = memmem(buf, len, g_sec[i].p, g_sec[i].n);
        if (hit != NULL) {
            fprintf(stderr, "%s: %s found in %s at offset %zu\n", flow, g_sec[i].name, where,
                    (size_t)(hit - (const uint8_t *)buf));
            fail();
        }
    }
}

/* Every buffer the library holds between calls. */
static void scan_all(const char *flow)
{
    scan(flow, "working buffer", g_work, sizeof g_work);
    scan(flow, "port context", &g_e.pp, sizeof g_e.pp);
    scan(flow, "fault shim", &g_f, sizeof g_f);
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
    if (g_e.pp.b.ssl.in_buf != NULL)
        scan(flow, "TLS input record buffer", g_e.pp.b.ssl.in_buf, MBEDTLS_SSL_IN_BUFFER_LEN);
    if (g_e.pp.b.ssl.out_buf != NULL)
        scan(flow, "TLS output record buffer", g_e.pp.b.ssl.out_buf,
             MBEDTLS_SSL_OUT_BUFFER_LEN);
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
        if (strlen(tok) % 2) { memmove(tok + 1, tok, strlen(tok) + 1); tok[0] = '0'; }
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
    sec_add("Basic credentials", raw, strlen(raw));
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

#define RC(call, want) do { int rc_ = (call); if (rc_ != (want)) \
    fprintf(stderr, "line %d: rc %s, want %s\n", __LINE__, sfo_errname(rc_), \
            sfo_errname(want)); assert_int_equal(rc_, (want)); } while (0)

/* ---- library flows ---------------------------------------------------------------- */

static void t_jwt(void **state)
{
    (void)state;
    size_t base = g_nsec;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_jwt j = { .username = FE_JWT_USER, .key = (const uint8_t *)g_key,
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
    c.work_len = 700;
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
    assert_string_equal(t.refresh_token, rt);   /* kept for the caller */
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
    assert_int_equal(fe_post(&g_e, "/test/device/approve",
                             t_path("user_code=%s", d.user_code)), 200);
    RC(sfo_device_poll(&c, &d, 10, &t), SFO_OK);
    token_secrets("device", &t);
    scan_token("device ok", &t);
    /* denied */
    RC(sfo_device_start(&c, "api", &d), SFO_OK);
    sec_add_s("device code", d.device_code);
    assert_int_equal(fe_post(&g_e, "/test/device/approve",
                             t_path("user_code=%s&deny=1", d.user_code)), 200);
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
        RC(sfo_userinfo(&c, "00Dbogus!tokentokentoken", ui, sizeof ui, &n, &e),
           SFO_E_HTTP_STATUS);
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
    memcpy(buf + 123, s + 5, strlen(s) - 5);   /* a partial copy */
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

/* ---- group ------------------------------------------------------------------------ */

static int up(void **state)
{
    (void)state;
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
    int fails = cmocka_run_group_tests_name("library", lib, up, down);
    return fails != 0;
}
