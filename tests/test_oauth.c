/* Flows without the network: endpoints, audience, authorize URL, callback,
 * backoff, encoding helpers; token responses and retries through a mock
 * port speaking canned HTTP (mock transport). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
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
static int64_t m_mono(void *ctx)
{
    return ((struct mock *)ctx)->now;
}
static int64_t m_wall(void *ctx)
{
    (void)ctx;
    return 1700000000;
}
static int m_random(void *ctx, uint8_t *b, size_t n)
{
    struct mock *m = ctx;
    if (m->rnd_fail) return SFO_E_ENTROPY;
    for (size_t i = 0; i < n; i++) b[i] = m->rnd++;
    return SFO_OK;
}
static void m_sleep(void *ctx, uint32_t ms)
{
    struct mock *m = ctx;
    m->now += ms;
    m->slept += ms;
}

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
    (void)ctx;
    (void)dl;
    size_t i = g_conn - 1;
    if (i < 8 && g_reqlen[i] + n < sizeof g_req[i]) {
        memcpy(g_req[i] + g_reqlen[i], b, n);
        g_reqlen[i] += n;
    }
    return (int)n;
}
static int t_recv(void *ctx, uint8_t *b, size_t n, int64_t dl)
{
    (void)ctx;
    (void)dl;
    const char *r = g_sc[g_conn - 1].resp;
    size_t left = strlen(r) - g_pos;
    if (n > left) n = left;
    if (n > 100) n = 100; /* arrive in pieces */
    memcpy(b, r + g_pos, n);
    g_pos += n;
    return (int)n;
}
static int t_connect(void *ctx, const char *host, uint16_t port, int64_t dl,
                     struct sfo_transport *out)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)dl;
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

#define OK_JSON(body)                                                     \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n" \
    "Connection: close\r\nContent-Length: " #body "\r\n\r\n"
static const char k_tok[] =
    "{\"access_token\":\"00Dxx!AQ.tok\",\"signature\":\"c2ln\",\"scope\":\"api refresh_token\","
    "\"instance_url\":\"https://acme.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/"
    "00D/005\","
    "\"token_type\":\"Bearer\",\"issued_at\":\"1700000000000\"}";

static char g_resp[4][2048];
static const char *resp(int i, const char *status, const char *extra, const char *body)
{
    snprintf(g_resp[i], sizeof g_resp[i],
             "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sConnection: close\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             status, extra, strlen(body), body);
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
    assert_non_null(strstr(
        g_req[0], "\r\n\r\ngrant_type=refresh_token&refresh_token=5Aep861old&client_id=CID"));
    /* rotation + expires_in (as a standard server sends it), chunked */
    struct script sc2[1] = {
        { 0, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
             "Connection: close\r\n\r\n"
             "10\r\n{\"access_token\":\r\n"
             "2c\r\n\"at2\",\"refresh_token\":\"5Aepnew\",\"expires_in\"\r\n"
             "6\r\n:3600}\r\n0\r\n\r\n" }
    };
    RUN(&c, sc2);
    assert_int_equal(sfo_refresh(&c, &t), SFO_OK);
    assert_string_equal(t.access_token, "at2");
    assert_string_equal(t.refresh_token, "5Aepnew");
    assert_int_equal(t.expires_in, 3600);
    /* a failure keeps the refresh token, fills the error */
    struct script sc3[1] = { { 0, resp(0, "400 Bad Request", "",
                                       "{\"error\":\"invalid_grant\",\"error_description\":"
                                       "\"expired access/refresh token\"}") } };
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
        { "401 Unauthorized",
          "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]",
          "" },
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
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t),
                     SFO_E_JSON_SYNTAX);
    struct script s2[1] = { { 0,
                              resp(0, "200 OK", "", "{\"instance_url\":\"https://x.example\"}") } };
    RUN(&c, s2);
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t),
                     SFO_E_OAUTH_RESPONSE);
    static char big[SFO_ACCESS_TOKEN_MAX + 64];
    strcpy(big, "{\"access_token\":\"");
    memset(big + strlen(big), 'a', SFO_ACCESS_TOKEN_MAX);
    strcat(big, "\"}");
    struct script s3[1] = { { 0, resp(0, "200 OK", "", big) } };
    RUN(&c, s3);
    /* a server value too long for its field is the server's fault, named */
    assert_int_equal(sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t),
                     SFO_E_RESPONSE_TOO_LONG);
    assert_string_equal(t.access_token, "");
    assert_string_equal(t.err.field, "access_token");
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
    assert_true(g_m.slept >= SFO_BACKOFF_BASE_MS / 2 + 2000 &&
                g_m.slept <= SFO_BACKOFF_BASE_MS + 2000);
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
        { 0, resp(0, "200 OK", "",
                  "{\"device_code\":\"DC1\",\"user_code\":\"ABCD-1234\","
                  "\"verification_uri\":\"https://login.salesforce.com/setup/"
                  "connect\",\"interval\":5}") },
        { 0, resp(1, "400 Bad Request", "",
                  "{\"error\":\"authorization_pending\",\"error_description\":\"pending\"}") },
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
    struct script s2[2] = { { 0, resp(0, "400 Bad Request", "", "{\"error\":\"access_denied\"}") },
                            { 0, NULL } };
    RUN(&c, s2);
    strcpy(d.device_code, "DC1");
    d.interval_s = 5;
    assert_int_equal(sfo_device_poll(&c, &d, 600, &t), SFO_E_OAUTH);
    assert_string_equal(t.err.error, "access_denied");
    /* the deadline */
    struct script s3[3] = {
        { 0, resp(0, "400 Bad Request", "", "{\"error\":\"authorization_pending\"}") },
        { 0, resp(1, "400 Bad Request", "", "{\"error\":\"authorization_pending\"}") },
        { 0, NULL }
    };
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
        { 0,
          resp(0, "200 OK", "",
               "{\"device_code\":\"DC2\",\"user_code\":\"WDJB-MJHT\","
               "\"verification_uri\":\"https://idp.example/device\","
               "\"verification_uri_complete\":\"https://idp.example/device?user_code=WDJB-MJHT\","
               "\"expires_in\":1800,\"interval\":2}") },
        { 0, resp(1, "200 OK", "",
                  "{\"access_token\":\"rfc\",\"token_type\":\"Bearer\",\"expires_in\":60}") },
    };
    RUN(&c, sc);
    c.dialect = SFO_DIALECT_RFC;
    assert_int_equal(sfo_device_start(&c, NULL, &d), SFO_E_ARG);
    c.device_url = "https://login.salesforce.com/device/code";
    assert_int_equal(sfo_device_start(&c, NULL, &d), SFO_OK);
    assert_int_equal(d.expires_in, 1800);
    assert_string_equal(d.verification_uri_complete,
                        "https://idp.example/device?user_code=WDJB-MJHT");
    assert_non_null(strstr(g_req[0], "POST /device/code HTTP/1.1"));
    assert_int_equal(sfo_device_poll(&c, &d, 600, &t), SFO_OK);
    assert_int_equal(t.expires_in, 60);
    assert_non_null(strstr(g_req[1], "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_"
                                     "code&device_code=DC2&client_id=CID"));
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
        { 0, resp(0, "400 Bad Request", "",
                  "{\"error\":\"unsupported_token_type\",\"error_description\":\"this token type "
                  "is not supported\"}") },
        { 0,
          resp(
              1, "200 OK", "",
              "{\"active\":true,\"scope\":\"api\",\"client_id\":\"CID\",\"username\":\"u@x\","
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
    assert_non_null(
        strstr(g_req[0], "grant_type=password&username=u%40x.com&password=pw%2Btok&client_id=CID"));
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
    assert_int_equal(sfo_jwt_audience("https://login.salesforce.com", out, 10, NULL),
                     SFO_E_TOO_LONG);
    assert_int_equal(sfo_jwt_audience("ftp://x", out, sizeof out, NULL), SFO_E_URL_SCHEME);
    assert_int_equal(sfo_jwt_audience(NULL, out, sizeof out, NULL), SFO_E_ARG);
}

static void authorize_url_plain(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_authz s;
    struct sfo_authz_params p = { .redirect_uri = "http://localhost:1717/OauthRedirect",
                                  .scope = "api refresh_token",
                                  .prompt = "login" };
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
                        "&state=AAECAwQFBgcICQoLDA0ODw"),
                     SFO_OK);
    assert_string_equal(code, "aPrx4sgo==");
    assert_int_equal(CB("?state=AAECAwQFBgcICQoLDA0ODw&code=x%2By+z"), SFO_OK);
    assert_string_equal(code, "x+y z");
    assert_int_equal(CB("code=abc&state=AAECAwQFBgcICQoLDA0ODw"), SFO_OK);
    assert_int_equal(
        CB("http://localhost:1717/OauthRedirect?code=abc&state=AAECAwQFBgcICQoLDA0ODx"),
        SFO_E_STATE_MISMATCH);
    assert_string_equal(code, "");
    assert_int_equal(CB("http://localhost:1717/x?code=abc&state=AAECAwQFBgcICQoLDA0OD"),
                     SFO_E_STATE_MISMATCH);
    assert_int_equal(CB("http://localhost:1717/x?code=abc"), SFO_E_STATE_MISMATCH);
    assert_int_equal(CB("http://localhost:1717/x?code=abc&state=AAECAwQFBgcICQoLDA0ODwAAAAAAAAAA"),
                     SFO_E_STATE_MISMATCH);
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
    assert_int_equal(CB("http://localhost:1717/x?code=a%zz&state=AAECAwQFBgcICQoLDA0ODw"),
                     SFO_E_PCT);
    assert_int_equal(CB("http://localhost:1717/x?code=a&code=b&state=AAECAwQFBgcICQoLDA0ODw"),
                     SFO_E_DUPLICATE);
    assert_int_equal(
        sfo_callback_parse("?code=aaaaaaaaaa&state=AAECAwQFBgcICQoLDA0ODw", 43, &s, code, 5, &e),
        SFO_E_TOO_LONG);
    assert_int_equal(CB("http://u:p@localhost/x?code=a"), SFO_E_URL_USERINFO);
    /* decoded values are data: a code with controls, an error with an escape */
    assert_int_equal(CB("?code=ab%0Acd&state=AAECAwQFBgcICQoLDA0ODw"), SFO_E_BAD_VALUE);
    assert_string_equal(e.field, "code");
    assert_string_equal(code, "");
    assert_int_equal(CB("?error=access_denied%1B%5D0%3Bx%07"), SFO_E_BAD_VALUE);
    assert_string_equal(e.field, "error");
    assert_string_equal(e.error, "");
    assert_int_equal(CB("?error=access_denied&error_description=a%C2%9Bb"), SFO_E_BAD_VALUE);
    assert_string_equal(e.field, "error_description");
    assert_string_equal(e.error_description, "");
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
        assert_int_equal(
            sfo_client_init(&c, &g_port, "https://login.salesforce.com", "CID", w, len), SFO_OK);
        if (basic) {
            c.basic_auth = true;
            c.client_secret = (const uint8_t *)"a-client-secret-of-some-length-0123456789";
            c.client_secret_len = 41;
        }
        sfo_token_wipe(&t);
        strcpy(t.refresh_token, "rt");
        memset(w, 0, sizeof w);
        int rc = sfo_refresh(&c, &t);
        if (rc != SFO_OK && rc != SFO_E_TOO_LONG)
            fail_msg("work_len %zu: %s", len, sfo_errname(rc));
        seen_ok += rc == SFO_OK;
        seen_too_long += rc == SFO_E_TOO_LONG;
        for (size_t i = 0; i < sizeof w; i++) {
            if (w[i] != 0) fail_msg("work_len %zu: byte %zu left as 0x%02x", len, i, w[i]);
        }
    }
    assert_true(seen_ok > 0 && seen_too_long > 0);
}

/* ---- endpoints must be https: refused before any connection ------------------ */
static const char k_empty200[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* Every network call of c; each must give want without connecting. */
static void all_calls_give(struct sfo_client *c, int want)
{
    struct sfo_token t;
    struct sfo_device d;
    struct sfo_introspection in;
    struct sfo_oauth_error e;
    struct sfo_authz s;
    struct sfo_authz_params p = { .redirect_uri = "http://localhost:1717/OauthRedirect" };
    char out[512];
    size_t n;
    c->client_secret = (const uint8_t *)"sec";
    c->client_secret_len = 3;
    c->allow_password = true;
    assert_int_equal(sfo_code_exchange(c, "code", p.redirect_uri, NULL, &t), want);
    sfo_token_wipe(&t);
    strcpy(t.refresh_token, "rt");
    assert_int_equal(sfo_refresh(c, &t), want);
    assert_int_equal(sfo_client_credentials(c, NULL, &t), want);
    assert_int_equal(sfo_password_grant(c, "u", "p", 1, &t), want);
    assert_int_equal(sfo_device_start(c, NULL, &d), want);
    memset(&d, 0, sizeof d);
    strcpy(d.device_code, "DC");
    d.interval_s = 1;
    assert_int_equal(sfo_device_poll(c, &d, 60, &t), want);
    assert_int_equal(sfo_revoke(c, "tok", &e), want);
    assert_int_equal(sfo_introspect(c, "tok", NULL, &in), want);
    assert_int_equal(sfo_userinfo(c, "tok", out, sizeof out, &n, &e), want);
    assert_int_equal(sfo_authorize_url(c, &p, &s, out, sizeof out, &n), want);
    assert_int_equal(g_conn, 0);
}

static void insecure_endpoints(void **st)
{
    (void)st;
    static const struct script none[1] = { { 0, NULL } };
    static const char *const logins[] = { "http://login.salesforce.com", "HTTP://127.0.0.1:8080",
                                          "ftp://login.salesforce.com", "login.salesforce.com" };
    struct sfo_client c;
    for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) {
        RUN(&c, none);
        c.login_url = logins[i];
        all_calls_give(&c, SFO_E_INSECURE_URL);
    }
    /* each override alone, on an https login URL */
    const char *bad = "http://idp.example/x";
    struct sfo_token t;
    struct sfo_device d;
    struct sfo_introspection in;
    struct sfo_oauth_error e;
    struct sfo_authz s;
    struct sfo_authz_params p = { .redirect_uri = "http://localhost:1717/OauthRedirect" };
    char out[512];
    size_t n;
    RUN(&c, none);
    c.token_url = bad;
    assert_int_equal(sfo_code_exchange(&c, "code", p.redirect_uri, NULL, &t), SFO_E_INSECURE_URL);
    RUN(&c, none);
    c.authorize_url = bad;
    assert_int_equal(sfo_authorize_url(&c, &p, &s, out, sizeof out, &n), SFO_E_INSECURE_URL);
    assert_string_equal(s.state, "");
    RUN(&c, none);
    c.revoke_url = bad;
    assert_int_equal(sfo_revoke(&c, "tok", &e), SFO_E_INSECURE_URL);
    RUN(&c, none);
    c.introspect_url = bad;
    assert_int_equal(sfo_introspect(&c, "tok", NULL, &in), SFO_E_INSECURE_URL);
    RUN(&c, none);
    c.userinfo_url = bad;
    assert_int_equal(sfo_userinfo(&c, "tok", out, sizeof out, &n, &e), SFO_E_INSECURE_URL);
    RUN(&c, none);
    c.dialect = SFO_DIALECT_RFC;
    c.device_url = bad;
    assert_int_equal(sfo_device_start(&c, NULL, &d), SFO_E_INSECURE_URL);
    assert_int_equal(g_conn, 0);
    /* refused, never retried, and nothing left behind */
    for (size_t i = 0; i < sizeof g_work; i++) assert_int_equal(g_work[i], 0);
    /* an https override on an http login URL is used */
    struct script ok[1] = { { 0, k_empty200 } };
    RUN(&c, ok);
    c.login_url = "http://login.salesforce.com";
    c.revoke_url = "https://login.salesforce.com/services/oauth2/revoke";
    assert_int_equal(sfo_revoke(&c, "tok", &e), SFO_OK);
    assert_int_equal(g_conn, 1);
}

/* ---- server values are data ---------------------------------------------------- */
enum kind { K_TOKEN, K_ERROR, K_DEVICE, K_INTROSPECT, K_USERINFO };

/* Run the call of kind over a canned answer (status, body); the member at
 * fault lands in *field, and the caller's result must hold nothing of it. */
static int call_kind(enum kind kind, const char *status, const char *body, const char **field)
{
    static struct sfo_token t;
    static struct sfo_device d;
    static struct sfo_introspection in;
    static struct sfo_oauth_error e;
    static char out[1024];
    struct sfo_client c;
    struct script sc[1] = { { 0, resp(0, status, "", body) } };
    size_t n;
    int rc;
    RUN(&c, sc);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    c.retries = 0;
    switch (kind) {
    case K_TOKEN:
    case K_ERROR:
        c.client_secret = NULL; /* no signature check: the mock port has no HMAC */
        rc = sfo_code_exchange(&c, "code", "http://localhost:1717/cb", NULL, &t);
        *field = t.err.field;
        if (rc != SFO_OK) assert_string_equal(t.access_token, "");
        if (rc != SFO_OK && rc != SFO_E_OAUTH) assert_string_equal(t.err.error, "");
        break;
    case K_DEVICE:
        rc = sfo_device_start(&c, NULL, &d);
        *field = d.err.field;
        if (rc != SFO_OK) assert_string_equal(d.user_code, "");
        break;
    case K_INTROSPECT:
        rc = sfo_introspect(&c, "tok", NULL, &in);
        *field = in.err.field;
        if (rc != SFO_OK) assert_string_equal(in.username, "");
        break;
    default:
        rc = sfo_userinfo(&c, "tok", out, sizeof out, &n, &e);
        *field = e.field;
        if (rc != SFO_OK) assert_string_equal(out, "");
        break;
    }
    return rc;
}

/* tmpl with its one "%s" replaced by v, into out (format strings stay literal). */
static void fill(char *out, size_t cap, const char *tmpl, const char *v)
{
    const char *at = strstr(tmpl, "%s");
    assert_non_null(at);
    assert_true(strlen(tmpl) + strlen(v) < cap);
    memcpy(out, tmpl, (size_t)(at - tmpl));
    strcpy(out + (at - tmpl), v);
    strcat(out, at + 2);
}

static void hostile_strings(void **st)
{
    (void)st;
    /* where the payload goes: kind, member, body with %s for the value */
    static const struct {
        enum kind kind;
        const char *member, *body;
    } at[] = {
        { K_TOKEN, "access_token", "{\"access_token\":\"00D!x%s\"}" },
        { K_TOKEN, "refresh_token", "{\"access_token\":\"a\",\"refresh_token\":\"r%s\"}" },
        { K_TOKEN, "instance_url",
          "{\"access_token\":\"a\",\"instance_url\":\"https://x.example/%s\"}" },
        { K_TOKEN, "id", "{\"access_token\":\"a\",\"id\":\"https://x.example/id/%s\"}" },
        { K_TOKEN, "token_type", "{\"access_token\":\"a\",\"token_type\":\"B%s\"}" },
        { K_TOKEN, "scope", "{\"access_token\":\"a\",\"scope\":\"api %s\"}" },
        { K_TOKEN, "issued_at", "{\"access_token\":\"a\",\"issued_at\":\"17%s\"}" },
        { K_TOKEN, "signature", "{\"access_token\":\"a\",\"signature\":\"c2ln%s\"}" },
        { K_TOKEN, "id_token", "{\"access_token\":\"a\",\"id_token\":\"eyJ%s\"}" },
        { K_ERROR, "error", "{\"error\":\"invalid_grant%s\",\"error_description\":\"d\"}" },
        { K_ERROR, "error_description",
          "{\"error\":\"invalid_grant\",\"error_description\":\"d%s\"}" },
        { K_DEVICE, "device_code",
          "{\"device_code\":\"D%s\",\"user_code\":\"U\",\"verification_uri\":\"https://x.example/"
          "d\"}" },
        { K_DEVICE, "user_code",
          "{\"device_code\":\"D\",\"user_code\":\"U%s\",\"verification_uri\":\"https://x.example/"
          "d\"}" },
        { K_DEVICE, "verification_uri",
          "{\"device_code\":\"D\",\"user_code\":\"U\",\"verification_uri\":\"https://x.example/"
          "%s\"}" },
        { K_DEVICE, "verification_uri_complete",
          "{\"device_code\":\"D\",\"user_code\":\"U\",\"verification_uri\":\"https://x.example/"
          "d\",\"verification_uri_complete\":\"https://x.example/%s\"}" },
        { K_INTROSPECT, "scope", "{\"active\":true,\"scope\":\"api%s\"}" },
        { K_INTROSPECT, "client_id", "{\"active\":true,\"client_id\":\"C%s\"}" },
        { K_INTROSPECT, "username", "{\"active\":true,\"username\":\"u@x%s\"}" },
        { K_INTROSPECT, "sub", "{\"active\":true,\"sub\":\"s%s\"}" },
        { K_INTROSPECT, "token_type", "{\"active\":true,\"token_type\":\"access_token%s\"}" },
        { K_USERINFO, "userinfo", "{\"sub\":\"x\",\"name\":\"n%s\"}" },
        { K_USERINFO, "userinfo", "{\"sub\":\"x\",\"address\":{\"street\":[\"a%s\"]}}" },
    };
    /* ESC (CSI), OSC with BEL, BEL, CR, LF, TAB, DEL, C1 CSI and NEL escaped and raw */
    static const char *const payloads[] = {
        "\\u001b[31m", "\\u001b]0;pwned\\u0007",
        "\\u0007",     "\\r",
        "\\n",         "\\t",
        "\\u007f",     "\x7f",
        "\\u009b",     "\\u0085",
        "\xc2\x9b",    "\xc2\x85",
    };
    char body[512];
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        for (size_t j = 0; j < sizeof payloads / sizeof payloads[0]; j++) {
            const char *field = NULL;
            fill(body, sizeof body, at[i].body, payloads[j]);
            int rc = call_kind(at[i].kind, at[i].kind == K_ERROR ? "400 Bad Request" : "200 OK",
                               body, &field);
            if (rc != SFO_E_BAD_VALUE || field == NULL || strcmp(field, at[i].member) != 0) {
                fail_msg("%s with %s: %s, field %s", at[i].member, payloads[j], sfo_errname(rc),
                         field ? field : "(none)");
            }
        }
        /* the same member with a clean value passes */
        const char *field = "x";
        fill(body, sizeof body, at[i].body, "0");
        int rc = call_kind(at[i].kind, at[i].kind == K_ERROR ? "400 Bad Request" : "200 OK", body,
                           &field);
        if (rc != (at[i].kind == K_ERROR ? SFO_E_OAUTH : SFO_OK) || field != NULL) {
            fail_msg("%s clean: %s", at[i].member, sfo_errname(rc));
        }
    }
    /* grammar beyond controls */
    static const struct {
        enum kind kind;
        const char *member, *body;
    } more[] = {
        { K_TOKEN, "scope", "{\"access_token\":\"a\",\"scope\":\"api  web\"}" },
        { K_TOKEN, "scope", "{\"access_token\":\"a\",\"scope\":\" api\"}" },
        { K_TOKEN, "scope", "{\"access_token\":\"a\",\"scope\":\"a\\\"b\"}" },
        { K_TOKEN, "access_token", "{\"access_token\":\"\"}" },
        { K_TOKEN, "access_token", "{\"access_token\":\"\\u00e9\"}" },
        { K_TOKEN, "instance_url",
          "{\"access_token\":\"a\",\"instance_url\":\"http://x.example\"}" },
        { K_TOKEN, "instance_url",
          "{\"access_token\":\"a\",\"instance_url\":\"javascript:alert(1)\"}" },
        { K_TOKEN, "instance_url",
          "{\"access_token\":\"a\",\"instance_url\":\"https://x.example/a b\"}" },
        { K_TOKEN, "token_type", "{\"access_token\":\"a\",\"token_type\":\"Bear er\"}" },
        { K_TOKEN, "issued_at", "{\"access_token\":\"a\",\"issued_at\":\"17x\"}" },
        { K_ERROR, "error", "{\"error\":\"\"}" },
        { K_ERROR, "error_description", "{\"error\":\"e\",\"error_description\":\"a\\\\b\"}" },
        { K_DEVICE, "verification_uri",
          "{\"device_code\":\"D\",\"user_code\":\"U\",\"verification_uri\":\"http://x.example/"
          "d\"}" },
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        const char *field = NULL;
        int rc = call_kind(more[i].kind, more[i].kind == K_ERROR ? "400 Bad Request" : "200 OK",
                           more[i].body, &field);
        if (rc != SFO_E_BAD_VALUE || field == NULL || strcmp(field, more[i].member) != 0) {
            fail_msg("%s: %s, field %s", more[i].body, sfo_errname(rc), field ? field : "(none)");
        }
    }
    /* accepted shapes: a URI token type, an empty scope, an issued_at number */
    const char *field = NULL;
    assert_int_equal(call_kind(K_TOKEN, "200 OK",
                               "{\"access_token\":\"a\",\"token_type\":"
                               "\"urn:x:jwt\",\"scope\":\"\","
                               "\"issued_at\":1700000000000}",
                               &field),
                     SFO_OK);
}

static void server_numbers(void **st)
{
    (void)st;
    static const struct {
        enum kind kind;
        const char *member, *body, *num;
        int want;
        int64_t v;
    } cases[] = {
#define TOKX "{\"access_token\":\"a\",\"expires_in\":%s}"
        { K_TOKEN, "expires_in", TOKX, "0", SFO_OK, 0 },
        { K_TOKEN, "expires_in", TOKX, "3600", SFO_OK, 3600 },
        { K_TOKEN, "expires_in", TOKX, "315360000", SFO_OK, 315360000 },
        { K_TOKEN, "expires_in", TOKX, "315360001", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "9223372036854775807", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "9223372036854775808", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "-1", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "-9223372036854775808", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "\"3600\"", SFO_E_JSON_TYPE, 0 },
        { K_TOKEN, "expires_in", TOKX, "3600.0", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "36e2", SFO_E_JSON_RANGE, 0 },
        { K_TOKEN, "expires_in", TOKX, "true", SFO_E_JSON_TYPE, 0 },
#define DEVX                                                                               \
    "{\"device_code\":\"D\",\"user_code\":\"U\",\"verification_uri\":\"https://x.example/" \
    "d\",\"interval\":%s}"
        { K_DEVICE, "interval", DEVX, "1", SFO_OK, 1 },
        { K_DEVICE, "interval", DEVX, "3600", SFO_OK, 3600 },
        { K_DEVICE, "interval", DEVX, "0", SFO_E_JSON_RANGE, 0 },
        { K_DEVICE, "interval", DEVX, "3601", SFO_E_JSON_RANGE, 0 },
        { K_DEVICE, "interval", DEVX, "-5", SFO_E_JSON_RANGE, 0 },
        { K_DEVICE, "interval", DEVX, "\"5\"", SFO_E_JSON_TYPE, 0 },
        { K_DEVICE, "interval", DEVX, "18446744073709551621", SFO_E_JSON_RANGE, 0 },
#define DEVE                                                                               \
    "{\"device_code\":\"D\",\"user_code\":\"U\",\"verification_uri\":\"https://x.example/" \
    "d\",\"expires_in\":%s}"
        { K_DEVICE, "expires_in", DEVE, "1800", SFO_OK, 1800 },
        { K_DEVICE, "expires_in", DEVE, "-1", SFO_E_JSON_RANGE, 0 },
        { K_DEVICE, "expires_in", DEVE, "9223372036854775807", SFO_E_JSON_RANGE, 0 },
        { K_DEVICE, "expires_in", DEVE, "\"1800\"", SFO_E_JSON_TYPE, 0 },
#define INX(m) "{\"active\":true,\"" m "\":%s}"
        { K_INTROSPECT, "exp", INX("exp"), "1700007200", SFO_OK, 1700007200 },
        { K_INTROSPECT, "exp", INX("exp"), "253402300799", SFO_OK, 253402300799 },
        { K_INTROSPECT, "exp", INX("exp"), "253402300800", SFO_E_JSON_RANGE, 0 },
        { K_INTROSPECT, "exp", INX("exp"), "-1", SFO_E_JSON_RANGE, 0 },
        { K_INTROSPECT, "exp", INX("exp"), "\"1700007200\"", SFO_E_JSON_TYPE, 0 },
        { K_INTROSPECT, "iat", INX("iat"), "9223372036854775807", SFO_E_JSON_RANGE, 0 },
        { K_INTROSPECT, "iat", INX("iat"), "1.7e9", SFO_E_JSON_RANGE, 0 },
        { K_INTROSPECT, "nbf", INX("nbf"), "-1700000000", SFO_E_JSON_RANGE, 0 },
    };
    char body[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *field = NULL;
        fill(body, sizeof body, cases[i].body, cases[i].num);
        int rc = call_kind(cases[i].kind, "200 OK", body, &field);
        if (rc != cases[i].want) {
            fail_msg("%s = %s: %s, want %s", cases[i].member, cases[i].num, sfo_errname(rc),
                     sfo_errname(cases[i].want));
        }
        if (rc != SFO_OK) {
            assert_non_null(field);
            assert_string_equal(field, cases[i].member);
        }
    }
    /* the values land where they belong */
    struct sfo_client c;
    struct sfo_token t;
    struct script sc[1] = { { 0, resp(0, "200 OK", "",
                                      "{\"access_token\":\"a\",\"expires_in\":315360000}") } };
    RUN(&c, sc);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_OK);
    assert_int_equal(t.expires_in, 315360000);
    assert_null(t.err.field);
}

/* A userinfo answer larger than the caller's buffer is the server's: named. */
static void response_too_long(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_oauth_error e;
    char out[16];
    size_t n;
    struct script sc[1] = { { 0, resp(0, "200 OK", "", "{\"sub\":\"0123456789abcdef\"}") } };
    RUN(&c, sc);
    assert_int_equal(sfo_userinfo(&c, "tok", out, sizeof out, &n, &e), SFO_E_RESPONSE_TOO_LONG);
    assert_string_equal(e.field, "userinfo");
    assert_string_equal(out, "");
    /* a refresh token longer than its field; the old one is kept */
    static char body[SFO_REFRESH_TOKEN_MAX + 64];
    strcpy(body, "{\"access_token\":\"a\",\"refresh_token\":\"");
    memset(body + strlen(body), 'r', SFO_REFRESH_TOKEN_MAX);
    strcat(body, "\"}");
    struct sfo_token t;
    struct script s2[1] = { { 0, resp(0, "200 OK", "", body) } };
    RUN(&c, s2);
    sfo_token_wipe(&t);
    strcpy(t.refresh_token, "old");
    assert_int_equal(sfo_refresh(&c, &t), SFO_E_RESPONSE_TOO_LONG);
    assert_string_equal(t.err.field, "refresh_token");
    assert_string_equal(t.refresh_token, "old");
    /* an error answer whose description does not fit: named, status kept */
    static char eb[SFO_ERROR_DESC_MAX + 64];
    strcpy(eb, "{\"error\":\"invalid_grant\",\"error_description\":\"");
    memset(eb + strlen(eb), 'd', SFO_ERROR_DESC_MAX);
    strcat(eb, "\"}");
    struct script s3[1] = { { 0, resp(0, "400 Bad Request", "", eb) } };
    RUN(&c, s3);
    strcpy(t.refresh_token, "old");
    assert_int_equal(sfo_refresh(&c, &t), SFO_E_RESPONSE_TOO_LONG);
    assert_string_equal(t.err.field, "error_description");
    assert_int_equal(t.err.http_status, 400);
    assert_string_equal(t.err.error, "");
    /* the caller's own input too long for the working buffer stays SFO_E_TOO_LONG */
    static char rt[SFO_REFRESH_TOKEN_MAX];
    RUN(&c, s2);
    c.work_len = SFO_WORK_MIN;
    memset(rt, 'x', sizeof rt - 1);
    memcpy(t.refresh_token, rt, sizeof rt);
    assert_int_equal(sfo_refresh(&c, &t), SFO_E_TOO_LONG);
    assert_int_equal(g_conn, 0);
}

/* Salesforce's revoke takes the token alone: a client without client id. */
static void revoke_without_client(void **st)
{
    (void)st;
    struct sfo_client c;
    struct sfo_oauth_error e;
    struct sfo_token t;
    struct script sc[1] = { { 0, k_empty200 } };
    RUN(&c, sc);
    assert_int_equal(
        sfo_client_init(&c, &g_port, "https://login.salesforce.com", NULL, g_work, sizeof g_work),
        SFO_OK);
    c.client_secret = (const uint8_t *)"sec";
    c.client_secret_len = 3;
    c.basic_auth = true;
    assert_int_equal(sfo_revoke(&c, "00D!tok", &e), SFO_OK);
    assert_int_equal(g_conn, 1);
    assert_non_null(strstr(g_req[0], "POST /services/oauth2/revoke HTTP/1.1\r\n"));
    assert_non_null(strstr(g_req[0], "\r\n\r\ntoken=00D%21tok"));
    assert_null(strstr(g_req[0], "client_id"));
    assert_null(strstr(g_req[0], "client_secret"));
    assert_null(strstr(g_req[0], "Authorization"));
    /* the other calls need a client id */
    sfo_token_wipe(&t);
    strcpy(t.refresh_token, "rt");
    assert_int_equal(sfo_refresh(&c, &t), SFO_E_ARG);
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_ARG);
    assert_int_equal(
        sfo_client_init(&c, &g_port, "https://login.salesforce.com", "", g_work, sizeof g_work),
        SFO_E_ARG);
}

/* A program compiled with other capacities than the library gets SFO_E_ABI
 * from sfo_client_init (the library: src/ built here with the defaults). */
static void abi_mismatch(void **st)
{
    (void)st;
    const char *root = getenv("SFO_ROOT"), *build = getenv("SFO_BUILD");
    if (root == NULL || build == NULL) skip();
    char dir[1024], cmd[8192], out[256];
    snprintf(dir, sizeof dir, "%s/test_oauth-abi", build);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/prog.c", dir);
    FILE *f = fopen(cmd, "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\n#include \"sfoauth.h\"\n"
          "int main(void)\n{\n    static uint8_t w[8192];\n    struct sfo_port p = { 0 };\n"
          "    struct sfo_client c;\n"
          "    int rc = sfo_client_init(&c, &p, \"https://login.salesforce.com\", \"id\", w, "
          "sizeof w);\n"
          "    printf(\"%s\\n\", sfo_errname(rc));\n    return 0;\n}\n",
          f);
    fclose(f);
    snprintf(
        cmd, sizeof cmd,
        "cd '%s' && CC=\"${CC:-cc}\" && $CC -std=c11 -I'%s/include' -I'%s/src' -c '%s'/src/*.c && "
        "$CC -std=c11 -I'%s/include' -o same prog.c *.o && "
        "$CC -std=c11 -I'%s/include' -DSFO_URL_MAX=512u -o url prog.c *.o && "
        "$CC -std=c11 -I'%s/include' -DSFO_ERROR_DESC_MAX=1024u -o desc prog.c *.o && "
        "./same && ./url && ./desc",
        dir, root, root, root, root, root, root);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    assert_string_equal(out, "SFO_OK\nSFO_E_ABI\nSFO_E_ABI\n");
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
        cmocka_unit_test(insecure_endpoints),
        cmocka_unit_test(hostile_strings),
        cmocka_unit_test(server_numbers),
        cmocka_unit_test(response_too_long),
        cmocka_unit_test(revoke_without_client),
        cmocka_unit_test(abi_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
