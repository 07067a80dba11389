/* Flows without the network: endpoints, audience, authorize URL, callback,
 * backoff, encoding helpers; token responses and retries through a mock
 * port speaking canned HTTP (mock transport). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "sfoauth.h"
#include "oauth_int.h"

/* ---- a mock port: fixed clock, counting entropy, no network ---------------- */
struct mock {
    int64_t now;
    uint8_t rnd;
    int rnd_fail;
    uint32_t slept;
};
static int64_t m_mono(void *ctx) { return ((struct mock *)ctx)->now; }
static int64_t m_wall(void *ctx) { (void)ctx; return 1700000000; }
static int m_random(void *ctx, uint8_t *b, size_t n)
{
    struct mock *m = ctx;
    if (m->rnd_fail) return SFO_E_ENTROPY;
    for (size_t i = 0; i < n; i++) b[i] = m->rnd++;
    return SFO_OK;
}
static void m_sleep(void *ctx, uint32_t ms) { struct mock *m = ctx; m->now += ms; m->slept += ms; }

static struct mock g_m;
static struct sfo_port g_port;
static uint8_t g_work[2048];

static void port_init(void)
{
    memset(&g_m, 0, sizeof g_m);
    memset(&g_port, 0, sizeof g_port);
    g_port.ctx = &g_m;
    g_port.mono_ms = m_mono;
    g_port.wall_s = m_wall;
    g_port.random = m_random;
    g_port.sleep_ms = m_sleep;
}

static void client(struct sfo_client *c, const char *login)
{
    port_init();
    assert_int_equal(sfo_client_init(c, &g_port, login, "CID", g_work, sizeof g_work), SFO_OK);
}

static void endpoints(void **st)
{
    (void)st;
    struct sfo_client c;
    char u[128];
    size_t n;
    client(&c, "https://login.salesforce.com/");
    assert_int_equal(sfo__ep_url(&c, SFO__EP_TOKEN, u, sizeof u, &n), SFO_OK);
    assert_string_equal(u, "https://login.salesforce.com/services/oauth2/token");
    assert_int_equal(n, strlen(u));
    assert_int_equal(sfo__ep_url(&c, SFO__EP_USERINFO, u, sizeof u, NULL), SFO_OK);
    assert_string_equal(u, "https://login.salesforce.com/services/oauth2/userinfo");
    assert_int_equal(sfo__ep_url(&c, SFO__EP_DEVICE, u, sizeof u, NULL), SFO_OK);
    assert_string_equal(u, "https://login.salesforce.com/services/oauth2/token");
    c.dialect = SFO_DIALECT_RFC;
    assert_int_equal(sfo__ep_url(&c, SFO__EP_DEVICE, u, sizeof u, NULL), SFO_E_ARG);
    c.device_url = "https://idp.example/device";
    assert_int_equal(sfo__ep_url(&c, SFO__EP_DEVICE, u, sizeof u, NULL), SFO_OK);
    assert_string_equal(u, "https://idp.example/device");
    c.login_url = "https://acme.my.site.com/customers";
    assert_int_equal(sfo__ep_url(&c, SFO__EP_REVOKE, u, sizeof u, NULL), SFO_OK);
    assert_string_equal(u, "https://acme.my.site.com/customers/services/oauth2/revoke");
    assert_int_equal(sfo__ep_url(&c, SFO__EP_REVOKE, u, 20, NULL), SFO_E_TOO_LONG);
    /* init refuses bad arguments */
    assert_int_equal(sfo_client_init(&c, &g_port, "", "x", g_work, sizeof g_work), SFO_E_ARG);
    assert_int_equal(sfo_client_init(&c, &g_port, "https://a", "x", g_work, 100), SFO_E_ARG);
}

static void audience(void **st)
{
    (void)st;
    static const char *const cases[][2] = {
        { "https://login.salesforce.com", "https://login.salesforce.com" },
        { "https://test.salesforce.com/", "https://test.salesforce.com" },
        { "https://TEST.salesforce.com", "https://test.salesforce.com" },
        { "https://acme--dev.sandbox.my.salesforce.com", "https://test.salesforce.com" },
        { "https://acme.my.salesforce.com", "https://login.salesforce.com" },
        { "https://acme.lightning.force.com", "https://login.salesforce.com" },
        { "https://mytest.salesforce.com", "https://login.salesforce.com" },
        { "https://acme.my.site.com/customers/", "https://acme.my.site.com/customers" },
        { "https://127.0.0.1:8443", "https://127.0.0.1:8443" },
        { "https://idp.example/?x=1", "https://idp.example" },
        { "https://evilsalesforce.com", "https://evilsalesforce.com" },
    };
    char out[64];
    size_t n;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sfo_jwt_audience(cases[i][0], out, sizeof out, &n), SFO_OK);
        assert_string_equal(out, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
    }
    assert_int_equal(sfo_jwt_audience("https://login.salesforce.com", out, 10, NULL), SFO_E_TOO_LONG);
    assert_int_equal(sfo_jwt_audience("ftp://x", out, sizeof out, NULL), SFO_E_URL_SCHEME);
    assert_int_equal(sfo_jwt_audience(NULL, out, sizeof out, NULL), SFO_E_ARG);
}

static void authorize_url_plain(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_authz s;
    struct sfo_authz_params p = { .redirect_uri = "http://localhost:1717/OauthRedirect",
                                  .scope = "api refresh_token", .prompt = "login" };
    char url[512];
    size_t n;
    client(&c, "https://login.salesforce.com");
    assert_int_equal(sfo_authorize_url(&c, &p, &s, url, sizeof url, &n), SFO_OK);
    /* entropy bytes 0..15 -> base64url */
    assert_string_equal(s.state, "AAECAwQFBgcICQoLDA0ODw");
    assert_string_equal(s.verifier, "");
    assert_string_equal(url,
        "https://login.salesforce.com/services/oauth2/authorize?response_type=code"
        "&client_id=CID&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect"
        "&scope=api+refresh_token&prompt=login&state=AAECAwQFBgcICQoLDA0ODw");
    assert_int_equal(n, strlen(url));
    assert_int_equal(sfo_authorize_url(&c, &p, &s, url, 60, &n), SFO_E_TOO_LONG);
    c.authorize_url = "https://idp.example/auth?tenant=x";
    p.scope = NULL;
    p.prompt = NULL;
    p.login_hint = "a@b.c";
    assert_int_equal(sfo_authorize_url(&c, &p, &s, url, sizeof url, &n), SFO_OK);
    assert_non_null(strstr(url, "https://idp.example/auth?tenant=x&response_type=code&"));
    assert_non_null(strstr(url, "&login_hint=a%40b.c&state="));
    g_m.rnd_fail = 1;
    assert_int_equal(sfo_authorize_url(&c, &p, &s, url, sizeof url, &n), SFO_E_ENTROPY);
    assert_string_equal(s.state, "");
}

static void callback(void **st)
{
    (void)st;
    struct sfo_authz s;
    struct sfo_oauth_error e;
    char code[128];
    memset(&s, 0, sizeof s);
    strcpy(s.state, "AAECAwQFBgcICQoLDA0ODw");
#define CB(u) sfo_callback_parse(u, strlen(u), &s, code, sizeof code, &e)
    assert_int_equal(CB("https://login.salesforce.com/oauth2/callback?code=aPrx4sgo%3D%3D"
                        "&state=AAECAwQFBgcICQoLDA0ODw"), SFO_OK);
    assert_string_equal(code, "aPrx4sgo==");
    assert_int_equal(CB("?state=AAECAwQFBgcICQoLDA0ODw&code=x%2By+z"), SFO_OK);
    assert_string_equal(code, "x+y z");
    assert_int_equal(CB("code=abc&state=AAECAwQFBgcICQoLDA0ODw"), SFO_OK);
    assert_int_equal(CB("http://localhost:1717/OauthRedirect?code=abc&state=AAECAwQFBgcICQoLDA0ODx"),
                     SFO_E_STATE);
    assert_string_equal(code, "");
    assert_int_equal(CB("http://localhost:1717/x?code=abc&state=AAECAwQFBgcICQoLDA0OD"), SFO_E_STATE);
    assert_int_equal(CB("http://localhost:1717/x?code=abc"), SFO_E_STATE);
    assert_int_equal(CB("http://localhost:1717/x?code=abc&state=AAECAwQFBgcICQoLDA0ODwAAAAAAAAAA"),
                     SFO_E_STATE);
    assert_int_equal(CB("http://localhost:1717/x?error=access_denied"
                        "&error_description=end-user%20denied%20authorization&state=zz"),
                     SFO_E_OAUTH);
    assert_string_equal(e.error, "access_denied");
    assert_string_equal(e.error_description, "end-user denied authorization");
    assert_int_equal(CB("http://localhost/x?error=redirect_uri_mismatch"), SFO_E_OAUTH);
    assert_string_equal(e.error, "redirect_uri_mismatch");
    assert_string_equal(e.error_description, "");
    assert_int_equal(CB("http://localhost:1717/x?state=AAECAwQFBgcICQoLDA0ODw"), SFO_E_CALLBACK);
    assert_int_equal(CB("http://localhost:1717/x"), SFO_E_CALLBACK);
    assert_int_equal(CB("http://localhost:1717/x?code=a%zz&state=AAECAwQFBgcICQoLDA0ODw"), SFO_E_PCT);
    assert_int_equal(CB("http://localhost:1717/x?code=a&code=b&state=AAECAwQFBgcICQoLDA0ODw"),
                     SFO_E_DUPLICATE);
    assert_int_equal(sfo_callback_parse("?code=aaaaaaaaaa&state=AAECAwQFBgcICQoLDA0ODw", 43, &s,
                                        code, 5, &e), SFO_E_TOO_LONG);
    assert_int_equal(CB("http://u:p@localhost/x?code=a"), SFO_E_URL_USERINFO);
#undef CB
}

static void backoff(void **st)
{
    (void)st;
    /* attempt 1: base/2 .. base */
    assert_int_equal(sfo__backoff_ms(1, 0, 0), SFO_BACKOFF_BASE_MS / 2);
    assert_int_equal(sfo__backoff_ms(1, 0, SFO_BACKOFF_BASE_MS / 2), SFO_BACKOFF_BASE_MS);
    for (uint32_t r = 0; r < 5000; r += 7) {
        uint32_t w2 = sfo__backoff_ms(2, 0, r), w9 = sfo__backoff_ms(30, 0, r);
        assert_true(w2 >= SFO_BACKOFF_BASE_MS && w2 <= 2 * SFO_BACKOFF_BASE_MS);
        assert_true(w9 >= SFO_BACKOFF_MAX_MS / 4 && w9 <= SFO_BACKOFF_MAX_MS);
    }
    assert_int_equal(sfo__backoff_ms(1, 3, 12345), 3000);
    assert_int_equal(sfo__backoff_ms(1, 100000, 1), SFO_BACKOFF_MAX_MS);
}

static void helpers(void **st)
{
    (void)st;
    char b[40];
    assert_int_equal(sfo__i64_dec(0, b), 1);
    assert_string_equal(b, "0");
    assert_int_equal(sfo__i64_dec(-9223372036854775807LL - 1, b), 20);
    assert_string_equal(b, "-9223372036854775808");
    sfo__i64_dec(1700000180, b);
    assert_string_equal(b, "1700000180");
    /* encoding from the tail of the same buffer */
    char buf[32] = { 0 };
    memcpy(buf + 32 - 6, "foobar", 6);
    assert_int_equal(sfo__b64url_at(buf, 2, sizeof buf, (uint8_t *)buf + 26, 6), 10);
    assert_memory_equal(buf + 2, "Zm9vYmFy", 8);
    assert_int_equal(sfo__b64url_at(buf, 25, sizeof buf, (uint8_t *)"abcdef", 6), SFO_E_TOO_LONG);
    assert_true(sfo__host_ends("X.Force.COM", 11, ".force.com"));
    assert_false(sfo__host_ends("force.com", 9, ".force.com"));
}

static void token_wipe(void **st)
{
    (void)st;
    struct sfo_token t;
    memset(&t, 'x', sizeof t);
    sfo_token_wipe(&t);
    assert_int_equal(t.expires_in, -1);
    assert_int_equal(t.access_token[0], 0);
    assert_int_equal(t.err.error_description[SFO_ERROR_DESC_MAX - 1], 0);
    sfo_token_wipe(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(endpoints),
        cmocka_unit_test(audience),
        cmocka_unit_test(authorize_url_plain),
        cmocka_unit_test(callback),
        cmocka_unit_test(backoff),
        cmocka_unit_test(helpers),
        cmocka_unit_test(token_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
