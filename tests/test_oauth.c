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


/* ---- mock transport: one canned response per connection ----------------- */
struct script {
    int connect_err;
    const char *resp;
};
static const struct script *g_sc;
static size_t g_nsc, g_conn, g_pos;
static char g_req[8][4096];
static size_t g_reqlen[8];

static int t_send(void *ctx, const uint8_t *b, size_t n, int64_t dl)
{
    (void)ctx; (void)dl;
    size_t i = g_conn - 1;
    if (i < 8 && g_reqlen[i] + n < sizeof g_req[i]) {
        memcpy(g_req[i] + g_reqlen[i], b, n);
        g_reqlen[i] += n;
    }
    return (int)n;
}
static int t_recv(void *ctx, uint8_t *b, size_t n, int64_t dl)
{
    (void)ctx; (void)dl;
    const char *r = g_sc[g_conn - 1].resp;
    size_t left = strlen(r) - g_pos;
    if (n > left) n = left;
    if (n > 100) n = 100; /* arrive in pieces */
    memcpy(b, r + g_pos, n);
    g_pos += n;
    return (int)n;
}
static int t_connect(void *ctx, const char *host, uint16_t port, int64_t dl, struct sfo_transport *out)
{
    (void)ctx; (void)host; (void)port; (void)dl;
    assert_true(g_conn < g_nsc);
    g_pos = 0;
    if (g_sc[g_conn++].connect_err) return g_sc[g_conn - 1].connect_err;
    out->ctx = NULL;
    out->send = t_send;
    out->recv = t_recv;
    return SFO_OK;
}
static int t_tls(void *ctx, const char *sn, int64_t dl, struct sfo_transport *io)
{
    (void)ctx; (void)sn; (void)dl; (void)io;
    return SFO_OK;
}
static void t_close(void *ctx) { (void)ctx; }

static void net(struct sfo_client *c, const struct script *sc, size_t n)
{
    client(c, "https://login.salesforce.com");
    g_port.connect = t_connect;
    g_port.tls_start = t_tls;
    g_port.close = t_close;
    g_sc = sc;
    g_nsc = n;
    g_conn = 0;
    memset(g_req, 0, sizeof g_req);
    memset(g_reqlen, 0, sizeof g_reqlen);
}
#define RUN(c, sc) net(c, sc, sizeof sc / sizeof sc[0])

#define OK_JSON(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n" \
    "Connection: close\r\nContent-Length: " #body "\r\n\r\n"
static const char k_tok[] =
    "{\"access_token\":\"00Dxx!AQ.tok\",\"signature\":\"c2ln\",\"scope\":\"api refresh_token\","
    "\"instance_url\":\"https://acme.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/00D/005\","
    "\"token_type\":\"Bearer\",\"issued_at\":\"1700000000000\"}";

static char g_resp[4][2048];
static const char *resp(int i, const char *status, const char *extra, const char *body)
{
    snprintf(g_resp[i], sizeof g_resp[i],
             "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sConnection: close\r\n"
             "Content-Length: %zu\r\n\r\n%s", status, extra, strlen(body), body);
    return g_resp[i];
}

static void refresh_keeps_or_rotates(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_token t;
    struct script sc[1] = { { 0, resp(0, "200 OK", "", k_tok) } };
    sfo_token_wipe(&t);
    strcpy(t.refresh_token, "5Aep861old");
    RUN(&c, sc);
    assert_int_equal(sfo_refresh(&c, &t), SFO_OK);
    assert_string_equal(t.access_token, "00Dxx!AQ.tok");
    assert_string_equal(t.refresh_token, "5Aep861old");
    assert_string_equal(t.instance_url, "https://acme.my.salesforce.com");
    assert_string_equal(t.issued_at, "1700000000000");
    assert_string_equal(t.token_type, "Bearer");
    assert_int_equal(t.expires_in, -1);
    assert_false(t.signature_verified);
    assert_non_null(strstr(g_req[0], "POST /services/oauth2/token HTTP/1.1\r\n"));
    assert_non_null(strstr(g_req[0], "\r\n\r\ngrant_type=refresh_token&refresh_token=5Aep861old&client_id=CID"));
    /* rotation + expires_in (as a standard server sends it), chunked */
    struct script sc2[1] = { { 0,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
        "10\r\n{\"access_token\":\r\n"
        "2c\r\n\"at2\",\"refresh_token\":\"5Aepnew\",\"expires_in\"\r\n"
        "6\r\n:3600}\r\n0\r\n\r\n" } };
    RUN(&c, sc2);
    assert_int_equal(sfo_refresh(&c, &t), SFO_OK);
    assert_string_equal(t.access_token, "at2");
    assert_string_equal(t.refresh_token, "5Aepnew");
    assert_int_equal(t.expires_in, 3600);
    /* a failure keeps the refresh token, fills the error */
    struct script sc3[1] = { { 0, resp(0, "400 Bad Request", "",
        "{\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}") } };
    RUN(&c, sc3);
    assert_int_equal(sfo_refresh(&c, &t), SFO_E_OAUTH);
    assert_string_equal(t.refresh_token, "5Aepnew");
    assert_string_equal(t.access_token, "");
    assert_int_equal(t.err.http_status, 400);
    assert_string_equal(t.err.error, "invalid_grant");
    assert_string_equal(t.err.error_description, "expired access/refresh token");
    assert_int_equal(g_conn, 1); /* 4xx never retried */
}

static void error_bodies(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_token t;
    static const char *const bodies[][3] = {
        { "401 Unauthorized", "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]", "" },
        { "400 Bad Request", "<html><body>Bad</body></html>", "" },
        { "403 Forbidden", "", "" },
        { "400 Bad Request", "{\"error\":", "" },
    };
    static const int want_status[] = { 401, 400, 403, 400 };
    c.client_secret = NULL;
    for (size_t i = 0; i < 4; i++) {
        struct script sc[1] = { { 0, resp(0, bodies[i][0], "", bodies[i][1]) } };
        RUN(&c, sc);
        c.client_secret = (const uint8_t *)"sec";
        c.client_secret_len = 3;
        assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS);
        assert_int_equal(t.err.http_status, want_status[i]);
        assert_string_equal(t.err.error, "");
    }
    /* an answer the HTTP parser refuses still reports its status */
    struct script s0[1] = { { 0, resp(0, "101 Switching Protocols", "", "") } };
    RUN(&c, s0);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS);
    assert_int_equal(t.err.http_status, 101);
    /* success status, bad bodies */
    struct script s1[1] = { { 0, resp(0, "200 OK", "", "<html>") } };
    RUN(&c, s1);
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t), SFO_E_JSON_SYNTAX);
    struct script s2[1] = { { 0, resp(0, "200 OK", "", "{\"instance_url\":\"x\"}") } };
    RUN(&c, s2);
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t), SFO_E_OAUTH_RESPONSE);
    static char big[SFO_ACCESS_TOKEN_MAX + 64];
    strcpy(big, "{\"access_token\":\"");
    memset(big + strlen(big), 'a', SFO_ACCESS_TOKEN_MAX);
    strcat(big, "\"}");
    struct script s3[1] = { { 0, resp(0, "200 OK", "", big) } };
    RUN(&c, s3);
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t), SFO_E_TOO_LONG);
    assert_string_equal(t.access_token, "");
}

static void retries(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_token t;
    struct script sc[3] = {
        { SFO_E_CONNREFUSED, NULL },
        { 0, resp(0, "503 Service Unavailable", "Retry-After: 2\r\n", "<html>down</html>") },
        { 0, resp(1, "200 OK", "", "{\"access_token\":\"ok\"}") },
    };
    RUN(&c, sc);
    c.client_secret = (const uint8_t *)"s e/c";
    c.client_secret_len = 5;
    c.basic_auth = true;
    assert_int_equal(sfo_client_credentials(&c, "api", &t), SFO_OK);
    assert_string_equal(t.access_token, "ok");
    assert_int_equal(g_conn, 3);
    /* first wait: jitter in base/2..base; second: Retry-After 2 s */
    assert_true(g_m.slept >= SFO_BACKOFF_BASE_MS / 2 + 2000 && g_m.slept <= SFO_BACKOFF_BASE_MS + 2000);
    /* Basic: base64("CID:s+e%2Fc"), no secret in the body */
    assert_non_null(strstr(g_req[2], "Authorization: Basic Q0lEOnMrZSUyRmM=\r\n"));
    assert_non_null(strstr(g_req[2], "\r\n\r\ngrant_type=client_credentials&scope=api"));
    assert_null(strstr(g_req[2], "client_secret"));
    /* 429 until the retries run out */
    struct script s2[3] = {
        { 0, resp(0, "429 Too Many Requests", "", "") },
        { 0, resp(1, "429 Too Many Requests", "", "") },
        { 0, resp(2, "429 Too Many Requests", "", "") },
    };
    RUN(&c, s2);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS);
    assert_int_equal(t.err.http_status, 429);
    assert_int_equal(g_conn, 1 + SFO_RETRIES);
    /* the overall deadline ends retrying early */
    struct script s3[2] = {
        { 0, resp(0, "503 Service Unavailable", "Retry-After: 100\r\n", "") },
        { 0, resp(1, "200 OK", "", "{\"access_token\":\"ok\"}") },
    };
    RUN(&c, s3);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    c.deadline_ms = 10000;
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS);
    assert_int_equal(g_conn, 1);
    /* TLS verification failures are not retried */
    struct script s4[2] = { { SFO_E_TLS_UNTRUSTED, NULL }, { 0, NULL } };
    RUN(&c, s4);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_TLS_UNTRUSTED);
    assert_int_equal(g_conn, 1);
}

static void device_salesforce(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    struct script sc[5] = {
        { 0, resp(0, "200 OK", "", "{\"device_code\":\"DC1\",\"user_code\":\"ABCD-1234\","
                                   "\"verification_uri\":\"https://login.salesforce.com/setup/connect\",\"interval\":5}") },
        { 0, resp(1, "400 Bad Request", "", "{\"error\":\"authorization_pending\",\"error_description\":\"pending\"}") },
        { 0, resp(2, "400 Bad Request", "", "{\"error\":\"slow_down\"}") },
        { 0, resp(3, "200 OK", "", "{\"access_token\":\"devtok\",\"refresh_token\":\"r1\"}") },
        { 0, NULL },
    };
    RUN(&c, sc);
    assert_int_equal(sfo_device_start(&c, "api", &d), SFO_OK);
    assert_string_equal(d.user_code, "ABCD-1234");
    assert_int_equal(d.interval_s, 5);
    assert_int_equal(d.expires_in, -1);
    assert_non_null(strstr(g_req[0], "\r\n\r\nresponse_type=device_code&scope=api&client_id=CID"));
    assert_int_equal(sfo_device_poll(&c, &d, 600, &t), SFO_OK);
    assert_string_equal(t.access_token, "devtok");
    assert_int_equal(g_m.slept, 5000 + 5000 + 10000);
    assert_non_null(strstr(g_req[1], "\r\n\r\ngrant_type=device&code=DC1&client_id=CID"));
    /* any other error ends the flow */
    struct script s2[2] = {
        { 0, resp(0, "400 Bad Request", "", "{\"error\":\"access_denied\"}") }, { 0, NULL } };
    RUN(&c, s2);
    strcpy(d.device_code, "DC1");
    d.interval_s = 5;
    assert_int_equal(sfo_device_poll(&c, &d, 600, &t), SFO_E_OAUTH);
    assert_string_equal(t.err.error, "access_denied");
    /* the deadline */
    struct script s3[3] = {
        { 0, resp(0, "400 Bad Request", "", "{\"error\":\"authorization_pending\"}") },
        { 0, resp(1, "400 Bad Request", "", "{\"error\":\"authorization_pending\"}") },
        { 0, NULL } };
    RUN(&c, s3);
    assert_int_equal(sfo_device_poll(&c, &d, 12, &t), SFO_E_DEADLINE);
    assert_int_equal(g_conn, 2);
}

static void device_rfc(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    struct script sc[2] = {
        { 0, resp(0, "200 OK", "", "{\"device_code\":\"DC2\",\"user_code\":\"WDJB-MJHT\","
                                   "\"verification_uri\":\"https://idp.example/device\","
                                   "\"verification_uri_complete\":\"https://idp.example/device?user_code=WDJB-MJHT\","
                                   "\"expires_in\":1800,\"interval\":2}") },
        { 0, resp(1, "200 OK", "", "{\"access_token\":\"rfc\",\"token_type\":\"Bearer\",\"expires_in\":\"60\"}") },
    };
    RUN(&c, sc);
    c.dialect = SFO_DIALECT_RFC;
    assert_int_equal(sfo_device_start(&c, NULL, &d), SFO_E_ARG);
    c.device_url = "https://login.salesforce.com/device/code";
    assert_int_equal(sfo_device_start(&c, NULL, &d), SFO_OK);
    assert_int_equal(d.expires_in, 1800);
    assert_string_equal(d.verification_uri_complete, "https://idp.example/device?user_code=WDJB-MJHT");
    assert_non_null(strstr(g_req[0], "POST /device/code HTTP/1.1"));
    assert_int_equal(sfo_device_poll(&c, &d, 600, &t), SFO_OK);
    assert_int_equal(t.expires_in, 60);
    assert_non_null(strstr(g_req[1], "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=DC2&client_id=CID"));
}

static void revoke_introspect_userinfo(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_oauth_error e;
    struct sfo_introspection in;
    char out[256];
    size_t n;
    struct script sc[5] = {
        { 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" },
        { 0, resp(0, "400 Bad Request", "", "{\"error\":\"unsupported_token_type\",\"error_description\":\"this token type is not supported\"}") },
        { 0, resp(1, "200 OK", "", "{\"active\":true,\"scope\":\"api\",\"client_id\":\"CID\",\"username\":\"u@x\","
                                   "\"sub\":\"https://login.salesforce.com/id/00D/005\",\"token_type\":\"access_token\","
                                   "\"exp\":1700007200,\"iat\":1700000000,\"nbf\":1700000000}") },
        { 0, resp(2, "200 OK", "", "{\"sub\":\"x\",\"name\":\"\\u00e9\"}") },
        { 0, resp(3, "200 OK", "", "[1]") },
    };
    RUN(&c, sc);
    assert_int_equal(sfo_revoke(&c, "tok", &e), SFO_OK);
    assert_int_equal(e.http_status, 200);
    assert_non_null(strstr(g_req[0], "POST /services/oauth2/revoke HTTP/1.1"));
    assert_int_equal(sfo_revoke(&c, "tok", &e), SFO_E_OAUTH);
    assert_string_equal(e.error, "unsupported_token_type");
    assert_int_equal(sfo_introspect(&c, "tok", "access_token", &in), SFO_OK);
    assert_true(in.active);
    assert_string_equal(in.username, "u@x");
    assert_int_equal(in.exp, 1700007200);
    assert_int_equal(in.nbf, 1700000000);
    assert_non_null(strstr(g_req[2], "token=tok&token_type_hint=access_token&client_id=CID"));
    assert_int_equal(sfo_userinfo(&c, "AT!x", out, sizeof out, &n, &e), SFO_OK);
    assert_string_equal(out, "{\"sub\":\"x\",\"name\":\"\\u00e9\"}");
    assert_int_equal(n, strlen(out));
    assert_non_null(strstr(g_req[3], "GET /services/oauth2/userinfo HTTP/1.1"));
    assert_non_null(strstr(g_req[3], "Authorization: Bearer AT!x\r\n"));
    assert_int_equal(sfo_userinfo(&c, "AT", out, sizeof out, &n, &e), SFO_E_OAUTH_RESPONSE);
    assert_string_equal(out, "");
}

static void password_needs_option(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_token t;
    struct script sc[1] = { { 0, resp(0, "200 OK", "", "{\"access_token\":\"pw\"}") } };
    RUN(&c, sc);
    assert_int_equal(sfo_password_grant(&c, "u", "p", 1, &t), SFO_E_ARG);
    c.allow_password = true;
    assert_int_equal(sfo_password_grant(&c, "u@x.com", "pw+tok", 6, &t), SFO_OK);
    assert_non_null(strstr(g_req[0], "grant_type=password&username=u%40x.com&password=pw%2Btok&client_id=CID"));
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

/* Working buffers from the minimum up: whatever the call returns (too small
 * for the URL, for the host, for the Basic credentials, for the exchange; or
 * success), nothing of it stays in the buffer -- the URL copy made to measure
 * it included -- and a Basic value that does not fit is refused, never
 * written through a NULL scratch pointer (both found by fuzz_token). */
static void tight_work_left_clean(void **st)
{
    (void)st;
    static uint8_t w[SFO_WORK_MIN + 700];
    struct sfo_client c;
    struct sfo_token t;
    int seen_too_long = 0, seen_ok = 0;
    for (size_t it = 0; it < 2u * (sizeof w - SFO_WORK_MIN + 1u); it++) {
        bool basic = it > sizeof w - SFO_WORK_MIN;
        size_t len = SFO_WORK_MIN + (basic ? it - (sizeof w - SFO_WORK_MIN + 1u) : it);
        const char *ok = resp(0, "200 OK", "", "{\"access_token\":\"a\"}");
        struct script sc[3] = { { 0, ok }, { 0, ok }, { 0, ok } };
        RUN(&c, sc);
        assert_int_equal(sfo_client_init(&c, &g_port, "https://login.salesforce.com", "CID", w,
                                         len), SFO_OK);
        if (basic) {
            c.basic_auth = true;
            c.client_secret = (const uint8_t *)"a-client-secret-of-some-length-0123456789";
            c.client_secret_len = 41;
        }
        sfo_token_wipe(&t);
        strcpy(t.refresh_token, "rt");
        memset(w, 0, sizeof w);
        int rc = sfo_refresh(&c, &t);
        if (rc != SFO_OK && rc != SFO_E_TOO_LONG) fail_msg("work_len %zu: %s", len, sfo_errname(rc));
        seen_ok += rc == SFO_OK;
        seen_too_long += rc == SFO_E_TOO_LONG;
        for (size_t i = 0; i < sizeof w; i++) {
            if (w[i] != 0) fail_msg("work_len %zu: byte %zu left as 0x%02x", len, i, w[i]);
        }
    }
    assert_true(seen_ok > 0 && seen_too_long > 0);
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
        cmocka_unit_test(tight_work_left_clean),
        cmocka_unit_test(refresh_keeps_or_rotates),
        cmocka_unit_test(error_bodies),
        cmocka_unit_test(retries),
        cmocka_unit_test(device_salesforce),
        cmocka_unit_test(device_rfc),
        cmocka_unit_test(revoke_introspect_userinfo),
        cmocka_unit_test(password_needs_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
