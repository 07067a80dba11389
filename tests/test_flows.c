/*
 * Every OAuth flow end to end through the public API and the real POSIX port,
 * over TLS on 127.0.0.1, against the Salesforce-shaped test server
 * (tests/server/sf_server.py) started once per test group with its own
 * configuration (written into the build directory). Also the loopback
 * redirect receiver driven by curl.
 *
 * Groups: flows (JWT bearer with every key format, authorization code + PKCE,
 * refresh with and without rotation, client credentials, password, revoke,
 * introspect, userinfo, signature), device (both dialects), errors (the
 * Salesforce error table), retries (503/429 with Retry-After, HTML 500, empty
 * 500), loopback (no server).
 */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "sfoauth_loopback.h"
#include "testenv.h"

/* ---- the server's configuration ------------------------------------------------- */
#define WEB_ID      "3MVG9itest.web.client"
#define WEB_SECRET  "web-secret-0123456789abcdef0123456789"
#define JWT_ID      "3MVG9itest.jwt.client"
#define JWT_SECRET  "jwt-secret-0123456789abcdef"
#define PKCE_ID     "3MVG9itest.pkce.rotating"
#define PKCE_SECRET "pkce-secret-0123456789"
#define DEV_ID      "3MVG9itest.device.client"
#define DEV_SECRET  "dev-secret-0123456789"
#define CC_ID       "3MVG9itest.cc.client"
#define CC_SECRET   "cc-secret-0123456789"
#define RU          "http://localhost:1717/OauthRedirect"
#define RU2         "http://127.0.0.1:1718/other"
#define JWT_USER    "jwt@example.com"
#define WEB_USER    "web@example.com"
#define OTHER_USER  "other@example.com"

static const char k_config[] =
    "{\n"
    "  \"auto_approve\": true,\n"
    "  \"device_interval\": 1,\n"
    "  \"device_slow_down_increment\": 1,\n"
    "  \"users\": {\n"
    "    \"" JWT_USER "\": {\"name\": \"Jay Wit\"},\n"
    "    \"" WEB_USER "\": {\"password\": \"pw\", \"security_token\": \"TOK\"},\n"
    "    \"" OTHER_USER "\": {}\n"
    "  },\n"
    "  \"clients\": [\n"
    "    {\"client_id\": \"" WEB_ID "\", \"client_secret\": \"" WEB_SECRET "\",\n"
    "     \"redirect_uris\": [\"" RU "\", \"" RU2 "\"],\n"
    "     \"scopes\": [\"api\", \"refresh_token\", \"openid\"],\n"
    "     \"approved_users\": [\"" WEB_USER "\"], \"password_flow\": true},\n"
    "    {\"client_id\": \"" JWT_ID "\", \"client_secret\": \"" JWT_SECRET "\",\n"
    "     \"certificate\": \"%s/client.pem\", \"scopes\": [\"api\", \"id\"],\n"
    "     \"approved_users\": [\"" JWT_USER "\"]},\n"
    "    {\"client_id\": \"" PKCE_ID "\", \"client_secret\": \"" PKCE_SECRET "\",\n"
    "     \"redirect_uris\": [\"" RU "\"], \"require_pkce\": true,\n"
    "     \"require_secret\": false, \"rotate_refresh_tokens\": true,\n"
    "     \"approved_users\": [\"" WEB_USER "\"]},\n"
    "    {\"client_id\": \"" DEV_ID "\", \"client_secret\": \"" DEV_SECRET "\",\n"
    "     \"device_flow\": true, \"scopes\": [\"api\", \"refresh_token\"],\n"
    "     \"approved_users\": [\"" WEB_USER "\"]},\n"
    "    {\"client_id\": \"" CC_ID "\", \"client_secret\": \"" CC_SECRET "\",\n"
    "     \"client_credentials_user\": \"" OTHER_USER "\"}\n"
    "  ]\n"
    "}\n";

/* ---- group state ------------------------------------------------------------------ */
static struct t_server g_srv;
static struct sfo_posix_port g_pp; /* large with BearSSL: static */
static struct sfo_port g_port;
static char g_url[128];
static char g_ca[1024];
static uint8_t g_work[4096];

/* The POSIX port may leave sleep_ms NULL: the flows need it for backoff and
 * device polling, so the test supplies a nanosleep-based one then. */
static void t_sleep_ms(void *ctx, uint32_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    (void)ctx;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static int port_up(void)
{
    struct sfo_posix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(g_ca, sizeof g_ca, "%s/ca.pem", t_pki());
    cfg.ca_source = SFO_CA_FILE;
    cfg.ca_file = g_ca;
    if (sfo_posix_port_init(&g_pp, &cfg, &g_port) != SFO_OK) {
        sfo_posix_port_deinit(&g_pp);
        return -1;
    }
    if (g_port.sleep_ms == NULL) {
        g_port.sleep_ms = t_sleep_ms;
    }
    return 0;
}

/* Start the server with the flows configuration; its log goes to a file. */
static int server_up(void **state)
{
    (void)state;
    const char *pki = t_pki();
    const char *cfg = t_path("%s/test_flows-config.json", t_build());
    FILE *f = fopen(cfg, "w");
    if (f == NULL) return -1;
    fprintf(f, k_config, pki);
    fclose(f);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "exec '%s' '%s/tests/server/sf_server.py' --host 127.0.0.1 --port 0 "
             "--cert '%s/server.pem' --key '%s/server.key' --config '%s' --seed 11 "
             "2>>'%s/test_flows-server.log'",
             t_python(), t_root(), pki, pki, cfg, t_build());
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    if (t_server_start(&g_srv, argv) != 0) return -1;
    snprintf(g_url, sizeof g_url, "https://127.0.0.1:%d", g_srv.port);
    if (port_up() != 0) {
        t_server_stop(&g_srv);
        return -1;
    }
    return 0;
}

static int server_down(void **state)
{
    (void)state;
    sfo_posix_port_deinit(&g_pp);
    t_server_stop(&g_srv);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

/* Run a shell command, capture its stdout (NUL-terminated) into out. Returns
 * the exit status. */
static int run_cmd(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    if (p == NULL) return -1;
    size_t n = 0;
    if (out != NULL && cap > 0) {
        size_t r;
        while (n + 1 < cap && (r = fread(out + n, 1, cap - 1 - n, p)) > 0) n += r;
        out[n] = '\0';
    }
    char sink[256];
    while (fread(sink, 1, sizeof sink, p) > 0) {}
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* POST a form to a test hook; returns the HTTP status. */
static int hook(const char *path, const char *data)
{
    char out[64];
    if (run_cmd(out, sizeof out,
                "curl -sS --cacert '%s' -o /dev/null -w '%%{http_code}' "
                "--data '%s' '%s%s'",
                g_ca, data, g_url, path) != 0) {
        return -1;
    }
    return atoi(out);
}

/* An integer from /test/stats, e.g. "faults_served" or a grant name. */
static long stat_count(const char *name)
{
    char out[8192], pat[128];
    if (run_cmd(out, sizeof out, "curl -sS --cacert '%s' '%s/test/stats'", g_ca, g_url) != 0) {
        return -1;
    }
    snprintf(pat, sizeof pat, "\"%s\": ", name);
    const char *p = strstr(out, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : 0;
}

static void client_for(struct sfo_client *c, const char *id, const char *secret)
{
    assert_int_equal(sfo_client_init(c, &g_port, g_url, id, g_work, sizeof g_work), SFO_OK);
    if (secret != NULL) {
        c->client_secret = (const uint8_t *)secret;
        c->client_secret_len = strlen(secret);
    }
    c->timeout_ms = 10000;
    c->deadline_ms = 30000;
}

static void show(int rc, int want, const struct sfo_oauth_error *e)
{
    if (rc != want) {
        fprintf(stderr, "rc %s (%d), want %s; http %d error [%s] [%s]\n", sfo_errname(rc), rc,
                sfo_errname(want), e ? e->http_status : 0, e ? e->error : "",
                e ? e->error_description : "");
    }
}
#define RC(rc, want, e)                \
    do {                               \
        int rc_ = (rc);                \
        show(rc_, (want), (e));        \
        assert_int_equal(rc_, (want)); \
    } while (0)
/* An OAuth error answer with its exact strings. */
#define OAUTH_ERR(rc, e, status_, err_, desc_)                \
    do {                                                      \
        RC((rc), SFO_E_OAUTH, (e));                           \
        assert_int_equal((e)->http_status, (status_));        \
        assert_string_equal((e)->error, (err_));              \
        assert_string_equal((e)->error_description, (desc_)); \
    } while (0)

static char *pki_file(const char *name, size_t *len)
{
    char *b = t_read_file(t_path("%s/%s", t_pki(), name), len);
    assert_non_null(b);
    return b;
}

/* A Salesforce-shaped success: Bearer, instance_url = the server, identity URL. */
static void token_ok(const struct sfo_token *t)
{
    assert_true(strlen(t->access_token) > 100);
    assert_string_equal(t->token_type, "Bearer");
    assert_string_equal(t->instance_url, g_url);
    assert_memory_equal(t->id, "https://login.salesforce.com/id/00D5e000000sfoA", 47);
    assert_int_equal(t->expires_in, -1);
}

/* JWT bearer token for JWT_USER with the PKCS#1 PEM key. */
static int jwt_token(struct sfo_client *c, struct sfo_jwt *j, struct sfo_token *t,
                     const char *keyfile)
{
    size_t n;
    char *key = pki_file(keyfile, &n);
    j->key = (const uint8_t *)key;
    j->key_len = n;
    int rc = sfo_jwt_bearer(c, j, t);
    free(key);
    j->key = NULL;
    return rc;
}

/* GET the authorize URL with curl (no redirect following); copy Location. */
static int get_location(const char *url, char *loc, size_t cap)
{
    char out[8192];
    if (run_cmd(out, sizeof out, "curl -sS --cacert '%s' -o /dev/null -D - '%s'", g_ca, url) != 0) {
        return -1;
    }
    int status = 0;
    sscanf(out, "HTTP/%*s %d", &status);
    loc[0] = '\0';
    for (char *l = strtok(out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
        if (strncasecmp(l, "location: ", 10) == 0) {
            size_t n = strcspn(l + 10, "\r");
            if (n + 1 > cap) return -1;
            memcpy(loc, l + 10, n);
            loc[n] = '\0';
        }
    }
    return status;
}

/* Authorization code front half: authorize URL, 302, callback. Returns the
 * sfo_callback_parse result; code receives the decoded code. */
static int authorize(const struct sfo_client *c, const char *ru, bool pkce, struct sfo_authz *s,
                     char *code, size_t cap, struct sfo_oauth_error *err, char *loc_out)
{
    struct sfo_authz_params p;
    char url[1024], loc[1024];
    size_t n;
    memset(&p, 0, sizeof p);
    p.redirect_uri = ru;
    p.scope = NULL;
    p.pkce = pkce;
    assert_int_equal(sfo_authorize_url(c, &p, s, url, sizeof url, &n), SFO_OK);
    assert_int_equal(strlen(url), n);
    assert_int_equal(get_location(url, loc, sizeof loc), 302);
    if (loc_out != NULL) strcpy(loc_out, loc);
    return sfo_callback_parse(loc, strlen(loc), s, code, cap, err);
}

/* A full code flow giving tok. */
static void code_flow(const struct sfo_client *c, bool pkce, struct sfo_token *tok)
{
    struct sfo_authz s;
    struct sfo_oauth_error e;
    char code[256], loc[1024];
    RC(authorize(c, RU, pkce, &s, code, sizeof code, &e, loc), SFO_OK, &e);
    /* the code arrives percent-encoded (…%3D%3D) and is decoded */
    assert_non_null(strstr(loc, "%3D%3D&state="));
    assert_int_equal(strncmp(loc, RU "?code=aPrx", strlen(RU) + 10), 0);
    assert_string_equal(code + strlen(code) - 2, "==");
    assert_null(strchr(code, '%'));
    RC(sfo_code_exchange(c, code, RU, &s, tok), SFO_OK, &tok->err);
    sfo_wipe(&s, sizeof s);
}

/* ==================================================================== flows group */

static void t_jwt_key_formats(void **state)
{
    (void)state;
    static const char *const keys[] = { "client.key", "client-pkcs8.pem", "client-pkcs8.der",
                                        "client-pkcs1.der" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct sfo_client c;
        struct sfo_jwt j = { .username = JWT_USER };
        struct sfo_token t;
        client_for(&c, JWT_ID, NULL);
        RC(jwt_token(&c, &j, &t, keys[i]), SFO_OK, &t.err);
        token_ok(&t);
        assert_string_equal(t.refresh_token, "");
        assert_string_equal(t.scope, "api id");
        assert_int_equal(strlen(t.issued_at), 13);
        assert_int_equal(strlen(t.signature), 44);
        assert_false(t.signature_verified); /* no secret configured */
    }
}

static void t_jwt_signature(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_jwt j = { .username = JWT_USER, .lifetime_s = 120 };
    struct sfo_token t;
    client_for(&c, JWT_ID, JWT_SECRET);
    RC(jwt_token(&c, &j, &t, "client.key"), SFO_OK, &t.err);
    assert_true(t.signature_verified);
    /* the same answer checked with a tampered secret */
    char bad[] = JWT_SECRET;
    bad[0] ^= 1;
    c.client_secret = (const uint8_t *)bad;
    RC(jwt_token(&c, &j, &t, "client.key"), SFO_E_SIGNATURE, &t.err);
    assert_false(t.signature_verified);
    assert_string_equal(t.access_token, ""); /* wiped on failure */
    /* the public checker agrees */
    client_for(&c, JWT_ID, JWT_SECRET);
    RC(jwt_token(&c, &j, &t, "client.key"), SFO_OK, &t.err);
    assert_int_equal(sfo_signature_check(&g_port, (const uint8_t *)JWT_SECRET, strlen(JWT_SECRET),
                                         t.id, t.issued_at, t.signature),
                     SFO_OK);
    assert_int_equal(sfo_signature_check(&g_port, (const uint8_t *)bad, strlen(bad), t.id,
                                         t.issued_at, t.signature),
                     SFO_E_SIGNATURE);
}

static void t_code_pkce_rotation(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_oauth_error e;
    client_for(&c, PKCE_ID, NULL); /* public client: no secret */
    code_flow(&c, true, &t);
    token_ok(&t);
    assert_string_equal(t.scope, "api refresh_token openid");
    assert_true(strlen(t.refresh_token) > 20);
    assert_true(strlen(t.id_token) > 100);
    assert_int_equal(strlen(t.signature), 44);
    char old_rt[SFO_REFRESH_TOKEN_MAX], old_at[SFO_ACCESS_TOKEN_MAX];
    strcpy(old_rt, t.refresh_token);
    strcpy(old_at, t.access_token);
    RC(sfo_refresh(&c, &t), SFO_OK, &t.err);
    token_ok(&t);
    assert_string_not_equal(t.refresh_token, old_rt); /* rotated: the new one is kept */
    assert_string_not_equal(t.access_token, old_at);
    /* the old one died */
    struct sfo_token o;
    memset(&o, 0, sizeof o);
    strcpy(o.refresh_token, old_rt);
    OAUTH_ERR(sfo_refresh(&c, &o), &o.err, 400, "invalid_grant", "expired access/refresh token");
    assert_string_equal(o.refresh_token, old_rt); /* kept on failure */
    assert_string_equal(o.access_token, "");
    /* the new one works, and rotates again */
    strcpy(old_rt, t.refresh_token);
    RC(sfo_refresh(&c, &t), SFO_OK, &t.err);
    assert_string_not_equal(t.refresh_token, old_rt);
    (void)e;
}

static void t_code_refresh_no_rotation(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, WEB_ID, WEB_SECRET);
    code_flow(&c, true, &t);
    token_ok(&t);
    assert_true(t.signature_verified);
    char rt[SFO_REFRESH_TOKEN_MAX], at[SFO_ACCESS_TOKEN_MAX];
    strcpy(rt, t.refresh_token);
    strcpy(at, t.access_token);
    for (int i = 0; i < 2; i++) {
        RC(sfo_refresh(&c, &t), SFO_OK, &t.err);
        token_ok(&t);
        assert_true(t.signature_verified);
        assert_string_equal(t.refresh_token, rt); /* not rotated: kept */
        assert_string_not_equal(t.access_token, at);
    }
    /* without PKCE, Basic client authentication */
    c.basic_auth = true;
    code_flow(&c, false, &t);
    assert_true(t.signature_verified);
    RC(sfo_refresh(&c, &t), SFO_OK, &t.err);
}

static void t_client_credentials(void **state)
{
    (void)state;
    for (int basic = 0; basic < 2; basic++) {
        struct sfo_client c;
        struct sfo_token t;
        client_for(&c, CC_ID, CC_SECRET);
        c.basic_auth = basic != 0;
        RC(sfo_client_credentials(&c, NULL, &t), SFO_OK, &t.err);
        token_ok(&t);
        assert_string_equal(t.refresh_token, "");
        assert_true(t.signature_verified);
    }
    /* a secret is required locally */
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, CC_ID, NULL);
    assert_int_equal(sfo_client_credentials(&c, NULL, &t), SFO_E_ARG);
}

static void t_password(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, WEB_ID, WEB_SECRET);
    /* only behind the explicit option */
    assert_int_equal(sfo_password_grant(&c, WEB_USER, "pwTOK", 5, &t), SFO_E_ARG);
    c.allow_password = true;
    RC(sfo_password_grant(&c, WEB_USER, "pwTOK", 5, &t), SFO_OK, &t.err);
    token_ok(&t);
    assert_true(t.signature_verified);
    OAUTH_ERR(sfo_password_grant(&c, WEB_USER, "pw", 2, &t), &t.err, 400, "invalid_grant",
              "authentication failure");
}

static void t_introspect_userinfo_revoke(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_introspection in;
    struct sfo_oauth_error e;
    char ui[4096];
    size_t n;
    client_for(&c, WEB_ID, WEB_SECRET);
    code_flow(&c, false, &t);

    /* introspect: live access and refresh tokens, and an unknown one */
    RC(sfo_introspect(&c, t.access_token, "access_token", &in), SFO_OK, &in.err);
    assert_true(in.active);
    assert_string_equal(in.client_id, WEB_ID);
    assert_string_equal(in.username, WEB_USER);
    assert_string_equal(in.token_type, "access_token");
    assert_string_equal(in.scope, "api refresh_token openid");
    assert_true(in.exp > in.iat && in.iat > 1600000000);
    RC(sfo_introspect(&c, t.refresh_token, NULL, &in), SFO_OK, &in.err);
    assert_true(in.active);
    assert_string_equal(in.token_type, "refresh_token");
    RC(sfo_introspect(&c, "00Dnot!a.token", NULL, &in), SFO_OK, &in.err);
    assert_false(in.active);
    c.basic_auth = true;
    RC(sfo_introspect(&c, t.access_token, NULL, &in), SFO_OK, &in.err);
    assert_true(in.active);
    c.basic_auth = false;

    /* userinfo: valid bearer */
    RC(sfo_userinfo(&c, t.access_token, ui, sizeof ui, &n, &e), SFO_OK, &e);
    assert_int_equal(strlen(ui), n);
    assert_non_null(strstr(ui, "\"preferred_username\":\"" WEB_USER "\""));
    assert_int_equal(ui[0], '{');
    assert_int_equal(e.http_status, 200);
    /* invalid bearer: 401 with Salesforce's JSON array -> SFO_E_HTTP_STATUS */
    RC(sfo_userinfo(&c, "00Dbogus!token", ui, sizeof ui, &n, &e), SFO_E_HTTP_STATUS, &e);
    assert_int_equal(e.http_status, 401);
    assert_string_equal(e.error, "");
    assert_string_equal(ui, "");
    assert_int_equal(n, 0);
    /* too small a buffer */
    RC(sfo_userinfo(&c, t.access_token, ui, 64, &n, &e), SFO_E_RESPONSE_TOO_LONG, &e);
    assert_string_equal(e.field, "userinfo");

    /* revoke the refresh token: it no longer refreshes, its access token dies */
    RC(sfo_revoke(&c, t.refresh_token, &e), SFO_OK, &e);
    assert_int_equal(e.http_status, 200);
    RC(sfo_introspect(&c, t.access_token, NULL, &in), SFO_OK, &in.err);
    assert_false(in.active);
    OAUTH_ERR(sfo_refresh(&c, &t), &t.err, 400, "invalid_grant", "expired access/refresh token");
    RC(sfo_userinfo(&c, t.access_token, ui, sizeof ui, &n, &e), SFO_E_HTTP_STATUS, &e);
    /* revoking an unknown token: Salesforce answers 400 invalid_token */
    OAUTH_ERR(sfo_revoke(&c, "00Dunknown!x", &e), &e, 400, "invalid_token", "invalid token");
    RC(sfo_revoke(&c, "00Dunknown!x", NULL), SFO_E_OAUTH, NULL);
    /* RFC 7009 profile: 200 for unknown tokens */
    assert_int_equal(hook("/test/config", "revoke_unknown_ok=1"), 200);
    RC(sfo_revoke(&c, "00Dunknown!x", &e), SFO_OK, &e);
    assert_int_equal(hook("/test/config", "revoke_unknown_ok=0"), 200);
}

/* Salesforce's revoke takes the token alone: a client without client id. */
static void t_revoke_without_client(void **state)
{
    (void)state;
    struct sfo_client c, anon;
    struct sfo_token t;
    struct sfo_introspection in;
    struct sfo_oauth_error e;
    client_for(&c, WEB_ID, WEB_SECRET);
    code_flow(&c, false, &t);
    assert_int_equal(sfo_client_init(&anon, &g_port, g_url, NULL, g_work, sizeof g_work), SFO_OK);
    RC(sfo_revoke(&anon, t.access_token, &e), SFO_OK, &e);
    assert_int_equal(e.http_status, 200);
    RC(sfo_introspect(&c, t.access_token, NULL, &in), SFO_OK, &in.err);
    assert_false(in.active);
    RC(sfo_revoke(&anon, t.refresh_token, &e), SFO_OK, &e);
    OAUTH_ERR(sfo_refresh(&c, &t), &t.err, 400, "invalid_grant", "expired access/refresh token");
}

/* ==================================================================== device group */

struct approver {
    char user_code[SFO_USER_CODE_MAX];
    unsigned delay_ms;
    int status;
};

static void *approve_later(void *arg)
{
    struct approver *a = arg;
    t_sleep_ms(NULL, a->delay_ms);
    a->status = hook("/test/device/approve", t_path("user_code=%s", a->user_code));
    return NULL;
}

static void device_client(struct sfo_client *c, enum sfo_dialect d)
{
    client_for(c, DEV_ID, DEV_SECRET);
    c->dialect = d;
    if (d == SFO_DIALECT_RFC) {
        static char url[256];
        snprintf(url, sizeof url, "%s/services/oauth2/device/code", g_url);
        c->device_url = url;
    }
}

static void device_start_ok(const struct sfo_client *c, struct sfo_device *d)
{
    RC(sfo_device_start(c, "api refresh_token", d), SFO_OK, &d->err);
    assert_int_equal(strlen(d->user_code), 8);
    assert_true(strlen(d->device_code) > 40);
    assert_string_equal(d->verification_uri, t_path("%s/setup/connect", g_url));
    assert_int_equal(d->interval_s, 1);
    if (c->dialect == SFO_DIALECT_RFC) {
        assert_int_equal(d->expires_in, 600);
        assert_non_null(strstr(d->verification_uri_complete, d->user_code));
    } else {
        assert_int_equal(d->expires_in, -1);
        assert_string_equal(d->verification_uri_complete, "");
    }
}

static void device_approved_first(enum sfo_dialect dialect)
{
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    device_client(&c, dialect);
    device_start_ok(&c, &d);
    assert_int_equal(hook("/test/device/approve", t_path("user_code=%s", d.user_code)), 200);
    RC(sfo_device_poll(&c, &d, 20, &t), SFO_OK, &t.err);
    token_ok(&t);
    assert_true(strlen(t.refresh_token) > 20);
    assert_true(t.signature_verified);
    /* the device code is spent */
    OAUTH_ERR(sfo_device_poll(&c, &d, 20, &t), &t.err, 400, "invalid_grant",
              "expired authorization code");
}

static void device_pending_then_approved(enum sfo_dialect dialect)
{
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    pthread_t th;
    struct approver a;
    const char *grant =
        dialect == SFO_DIALECT_RFC ? "urn:ietf:params:oauth:grant-type:device_code" : "device";
    device_client(&c, dialect);
    device_start_ok(&c, &d);
    long polls0 = stat_count(grant);
    memset(&a, 0, sizeof a);
    strcpy(a.user_code, d.user_code);
    a.delay_ms = 1600; /* after the first poll (1 s), before the third */
    assert_int_equal(pthread_create(&th, NULL, approve_later, &a), 0);
    int rc = sfo_device_poll(&c, &d, 20, &t);
    pthread_join(th, NULL);
    assert_int_equal(a.status, 200);
    RC(rc, SFO_OK, &t.err);
    token_ok(&t);
    long polls = stat_count(grant) - polls0;
    assert_true(polls >= 2);           /* at least one authorization_pending */
    assert_int_equal(d.interval_s, 1); /* no slow_down */
}

static void t_device_sf_approved_first(void **s)
{
    (void)s;
    device_approved_first(SFO_DIALECT_SALESFORCE);
}
static void t_device_rfc_approved_first(void **s)
{
    (void)s;
    device_approved_first(SFO_DIALECT_RFC);
}
static void t_device_sf_pending(void **s)
{
    (void)s;
    device_pending_then_approved(SFO_DIALECT_SALESFORCE);
}
static void t_device_rfc_pending(void **s)
{
    (void)s;
    device_pending_then_approved(SFO_DIALECT_RFC);
}

static void t_device_denied_and_deadline(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_device d;
    struct sfo_token t;
    device_client(&c, SFO_DIALECT_SALESFORCE);
    device_start_ok(&c, &d);
    assert_int_equal(hook("/test/device/approve", t_path("user_code=%s&deny=1", d.user_code)), 200);
    OAUTH_ERR(sfo_device_poll(&c, &d, 20, &t), &t.err, 400, "access_denied",
              "end-user denied authorization");
    /* nobody approves: the wait ends with SFO_E_DEADLINE */
    device_start_ok(&c, &d);
    RC(sfo_device_poll(&c, &d, 2, &t), SFO_E_DEADLINE, &t.err);
    /* a client without the device flow */
    client_for(&c, WEB_ID, WEB_SECRET);
    OAUTH_ERR(sfo_device_start(&c, NULL, &d), &d.err, 400, "unsupported_grant_type",
              "grant type not supported");
}

/* ==================================================================== errors group */

static int64_t (*g_real_wall)(void *ctx);
static int64_t wall_an_hour_late(void *ctx)
{
    return g_real_wall(ctx) - 3600;
}

static void t_err_jwt(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_jwt j = { .username = OTHER_USER };
    struct sfo_token t;
    client_for(&c, JWT_ID, NULL);
    /* no prior approval */
    OAUTH_ERR(jwt_token(&c, &j, &t, "client.key"), &t.err, 400, "invalid_grant",
              "user hasn't approved this consumer");
    /* wrong audience */
    j.username = JWT_USER;
    j.audience = "https://evil.example.com";
    OAUTH_ERR(jwt_token(&c, &j, &t, "client.key"), &t.err, 400, "invalid_grant",
              "audience is invalid");
    /* the Salesforce audiences are accepted as well */
    j.audience = "https://login.salesforce.com";
    RC(jwt_token(&c, &j, &t, "client.key"), SFO_OK, &t.err);
    j.audience = NULL;
    /* a key whose certificate is not the uploaded one */
    OAUTH_ERR(jwt_token(&c, &j, &t, "rsa4096.key"), &t.err, 400, "invalid_grant",
              "invalid assertion");
    /* a wall clock an hour behind: exp in the past */
    struct sfo_port late = g_port;
    g_real_wall = g_port.wall_s;
    late.wall_s = wall_an_hour_late;
    c.port = &late;
    OAUTH_ERR(jwt_token(&c, &j, &t, "client.key"), &t.err, 400, "invalid_grant",
              "expired authorization code");
    c.port = &g_port;
    /* exp too far ahead (server limit 180 s) */
    j.lifetime_s = 3600;
    OAUTH_ERR(jwt_token(&c, &j, &t, "client.key"), &t.err, 400, "invalid_grant",
              "invalid assertion");
    j.lifetime_s = 0;
    /* unknown consumer key */
    client_for(&c, "3MVG9no.such.client", NULL);
    OAUTH_ERR(jwt_token(&c, &j, &t, "client.key"), &t.err, 400, "invalid_client_id",
              "client identifier invalid");
    /* local key errors never reach the server */
    client_for(&c, JWT_ID, NULL);
    RC(jwt_token(&c, &j, &t, "ec.key"), SFO_E_KEY_TYPE, &t.err);
    RC(jwt_token(&c, &j, &t, "rsa1024.key"), SFO_E_KEY_TYPE, &t.err);
    RC(jwt_token(&c, &j, &t, "client-enc.pem"), SFO_E_KEY, &t.err);
}

static void t_err_grants(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    /* grant type not supported: password flow off for this client */
    client_for(&c, CC_ID, CC_SECRET);
    c.allow_password = true;
    OAUTH_ERR(sfo_password_grant(&c, WEB_USER, "pwTOK", 5, &t), &t.err, 400,
              "unsupported_grant_type", "grant type not supported");
    /* client identifier invalid */
    client_for(&c, "3MVG9unknown", "x");
    OAUTH_ERR(sfo_client_credentials(&c, NULL, &t), &t.err, 400, "invalid_client_id",
              "client identifier invalid");
    /* a wrong secret */
    client_for(&c, CC_ID, "wrong-secret");
    OAUTH_ERR(sfo_client_credentials(&c, NULL, &t), &t.err, 400, "invalid_client",
              "invalid client credentials");
    c.basic_auth = true;
    OAUTH_ERR(sfo_client_credentials(&c, NULL, &t), &t.err, 400, "invalid_client",
              "invalid client credentials");
    /* request not supported on this domain (login./test.salesforce.com) */
    assert_int_equal(hook("/test/config", "login_host_mode=1"), 200);
    client_for(&c, CC_ID, CC_SECRET);
    int rc = sfo_client_credentials(&c, NULL, &t);
    assert_int_equal(hook("/test/config", "login_host_mode=0"), 200);
    OAUTH_ERR(rc, &t.err, 400, "invalid_grant", "request not supported on this domain");
}

static void t_err_code(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_authz s;
    struct sfo_oauth_error e;
    char code[256], loc[1024];
    client_for(&c, WEB_ID, WEB_SECRET);

    /* reused code */
    RC(authorize(&c, RU, true, &s, code, sizeof code, &e, NULL), SFO_OK, &e);
    RC(sfo_code_exchange(&c, code, RU, &s, &t), SFO_OK, &t.err);
    OAUTH_ERR(sfo_code_exchange(&c, code, RU, &s, &t), &t.err, 400, "invalid_grant",
              "expired authorization code");
    /* PKCE verifier mismatch (Salesforce: invalid_request) */
    RC(authorize(&c, RU, true, &s, code, sizeof code, &e, NULL), SFO_OK, &e);
    s.verifier[0] = s.verifier[0] == 'A' ? 'B' : 'A';
    OAUTH_ERR(sfo_code_exchange(&c, code, RU, &s, &t), &t.err, 400, "invalid_request",
              "invalid code verifier");
    /* redirect_uri differing from the authorize request */
    RC(authorize(&c, RU, false, &s, code, sizeof code, &e, NULL), SFO_OK, &e);
    OAUTH_ERR(sfo_code_exchange(&c, code, RU2, NULL, &t), &t.err, 400, "redirect_uri_mismatch",
              "redirect_uri must match configuration");
    /* an expired code (lifetime 0) */
    assert_int_equal(hook("/test/config", "code_lifetime=0"), 200);
    RC(authorize(&c, RU, false, &s, code, sizeof code, &e, NULL), SFO_OK, &e);
    assert_int_equal(hook("/test/config", "code_lifetime=900"), 200);
    OAUTH_ERR(sfo_code_exchange(&c, code, RU, NULL, &t), &t.err, 400, "invalid_grant",
              "expired authorization code");
    /* an unregistered redirect_uri: the error page URL carries the error */
    RC(authorize(&c, "http://localhost:9/nope", false, &s, code, sizeof code, &e, loc), SFO_E_OAUTH,
       &e);
    assert_string_equal(e.error, "redirect_uri_mismatch");
    assert_string_equal(e.error_description, "redirect_uri must match configuration");
    assert_int_equal(e.http_status, 0);
    /* unknown client at authorize */
    struct sfo_client u;
    client_for(&u, "3MVG9unknown", NULL);
    RC(authorize(&u, RU, false, &s, code, sizeof code, &e, NULL), SFO_E_OAUTH, &e);
    assert_string_equal(e.error, "invalid_client_id");
    assert_string_equal(e.error_description, "client identifier invalid");
    /* PKCE required but not sent: error redirect to the app, state echoed */
    client_for(&u, PKCE_ID, NULL);
    RC(authorize(&u, RU, false, &s, code, sizeof code, &e, NULL), SFO_E_OAUTH, &e);
    assert_string_equal(e.error, "invalid_request");
    assert_string_equal(e.error_description, "missing required code challenge");
    /* the user denies: access_denied with a percent-encoded description */
    char out[4096];
    assert_int_equal(run_cmd(out, sizeof out,
                             "curl -sS --cacert '%s' -o /dev/null -D - --data "
                             "'response_type=code&client_id=%s&redirect_uri=%s&state=%s"
                             "&decision=deny' '%s/services/oauth2/authorize'",
                             g_ca, WEB_ID, RU, s.state, g_url),
                     0);
    char *l = strcasestr(out, "\nlocation: ");
    assert_non_null(l);
    l += 11;
    l[strcspn(l, "\r\n")] = '\0';
    assert_non_null(strstr(l, "end-user%20denied%20authorization"));
    RC(sfo_callback_parse(l, strlen(l), &s, code, sizeof code, &e), SFO_E_OAUTH, &e);
    assert_string_equal(e.error, "access_denied");
    assert_string_equal(e.error_description, "end-user denied authorization");
    /* a forged state */
    RC(authorize(&c, RU, false, &s, code, sizeof code, &e, loc), SFO_OK, &e);
    s.state[0] = s.state[0] == 'A' ? 'B' : 'A';
    RC(sfo_callback_parse(loc, strlen(loc), &s, code, sizeof code, &e), SFO_E_STATE_MISMATCH, &e);
}

static void t_err_expired_tokens(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_oauth_error e;
    struct sfo_introspection in;
    char ui[4096];
    client_for(&c, WEB_ID, WEB_SECRET);
    code_flow(&c, false, &t);
    /* access token expires: userinfo 401, introspection inactive, refresh cures it */
    assert_int_equal(hook("/test/expire", t_path("token=%s", t.access_token)), 200);
    RC(sfo_userinfo(&c, t.access_token, ui, sizeof ui, NULL, &e), SFO_E_HTTP_STATUS, &e);
    assert_int_equal(e.http_status, 401);
    RC(sfo_introspect(&c, t.access_token, NULL, &in), SFO_OK, &in.err);
    assert_false(in.active);
    RC(sfo_refresh(&c, &t), SFO_OK, &t.err);
    RC(sfo_userinfo(&c, t.access_token, ui, sizeof ui, NULL, &e), SFO_OK, &e);
    /* refresh token expires */
    assert_int_equal(hook("/test/expire", t_path("token=%s", t.refresh_token)), 200);
    OAUTH_ERR(sfo_refresh(&c, &t), &t.err, 400, "invalid_grant", "expired access/refresh token");
}

/* ==================================================================== retries group */

static void t_retry_503_429(void **state)
{
    (void)state;
    static const char *const kinds[] = { "503", "429" };
    for (size_t i = 0; i < 2; i++) {
        struct sfo_client c;
        struct sfo_token t;
        struct timespec t0, t1;
        client_for(&c, CC_ID, CC_SECRET);
        long f0 = stat_count("faults_served");
        assert_int_equal(hook("/test/fault", t_path("kind=%s&count=1&retry_after=1", kinds[i])),
                         200);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        RC(sfo_client_credentials(&c, NULL, &t), SFO_OK, &t.err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        token_ok(&t);
        assert_int_equal(stat_count("faults_served") - f0, 1);
        /* Retry-After: 1 was honoured */
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        assert_true(ms >= 950);
    }
    /* two failures, then success (retries = 2) */
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, CC_ID, CC_SECRET);
    long f0 = stat_count("faults_served");
    assert_int_equal(hook("/test/fault", "kind=503&count=2"), 200);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_OK, &t.err);
    assert_int_equal(stat_count("faults_served") - f0, 2);
    /* a dropped connection is retried too */
    assert_int_equal(hook("/test/fault", "kind=close&count=1"), 200);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_OK, &t.err);
    assert_int_equal(hook("/test/faults/clear", "x=1"), 200);
}

static void t_retry_gives_up(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, CC_ID, CC_SECRET);
    c.retries = 0;
    /* an HTML maintenance page with 500: only the status is known */
    assert_int_equal(hook("/test/fault", "kind=html&count=1"), 200);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS, &t.err);
    assert_int_equal(t.err.http_status, 500);
    assert_string_equal(t.err.error, "");
    assert_string_equal(t.err.error_description, "");
    assert_string_equal(t.access_token, "");
    /* an empty 500 body */
    assert_int_equal(hook("/test/fault", "kind=empty500&count=1"), 200);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS, &t.err);
    assert_int_equal(t.err.http_status, 500);
    assert_string_equal(t.err.error, "");
    /* retries exhausted: 503 three times with retries = 2 */
    c.retries = 2;
    long f0 = stat_count("faults_served");
    assert_int_equal(hook("/test/fault", "kind=503&count=3"), 200);
    RC(sfo_client_credentials(&c, NULL, &t), SFO_E_HTTP_STATUS, &t.err);
    assert_int_equal(t.err.http_status, 503);
    assert_int_equal(stat_count("faults_served") - f0, 3);
    /* a 400 OAuth error is never retried */
    assert_int_equal(hook("/test/faults/clear", "x=1"), 200);
    long g0 = stat_count("client_credentials");
    client_for(&c, CC_ID, "wrong");
    RC(sfo_client_credentials(&c, NULL, &t), SFO_E_OAUTH, &t.err);
    assert_int_equal(stat_count("client_credentials") - g0, 1);
}

/* ==================================================================== values group */

/* An http endpoint on the server's own address and port: refused before any
 * request reaches it, the JWT bearer flow included. */
static void t_insecure_endpoints(void **state)
{
    (void)state;
    struct sfo_client c;
    struct sfo_token t;
    struct sfo_oauth_error e;
    char http_url[160];
    snprintf(http_url, sizeof http_url, "http://%s", g_url + strlen("https://"));
    long r0 = stat_count("requests");
    client_for(&c, JWT_ID, NULL);
    c.login_url = http_url;
    struct sfo_jwt j = { .username = JWT_USER, .audience = "https://login.salesforce.com" };
    RC(jwt_token(&c, &j, &t, "client.key"), SFO_E_INSECURE_URL, &t.err);
    client_for(&c, CC_ID, CC_SECRET);
    c.token_url = http_url;
    RC(sfo_client_credentials(&c, NULL, &t), SFO_E_INSECURE_URL, &t.err);
    client_for(&c, WEB_ID, WEB_SECRET);
    c.revoke_url = http_url;
    RC(sfo_revoke(&c, "00Dx!tok", &e), SFO_E_INSECURE_URL, &e);
    assert_int_equal(stat_count("requests"), r0);
}

/* Serve body (with status) once on the token path through the server's
 * "json" fault. */
static void serve_once(int status, const char *body)
{
    char out[64];
    assert_int_equal(run_cmd(out, sizeof out,
                             "curl -sS --cacert '%s' -o /dev/null -w '%%{http_code}' "
                             "--data kind=json --data status=%d --data-urlencode 'body=%s' "
                             "'%s/test/fault'",
                             g_ca, status, body, g_url),
                     0);
    assert_int_equal(atoi(out), 200);
}

/* Hostile answers over real TLS: terminal escapes, controls, C1, numbers
 * out of range; each refused with the member named. */
static void t_hostile_answers(void **state)
{
    (void)state;
    static const struct {
        int status;
        const char *body, *member;
        int want;
    } cases[] = {
        { 200, "{\"access_token\":\"00D!\\u001b]0;owned\\u0007\"}", "access_token",
          SFO_E_BAD_VALUE },
        { 200, "{\"access_token\":\"a\",\"instance_url\":\"https://x.example/\\u001b[2J\"}",
          "instance_url", SFO_E_BAD_VALUE },
        { 200, "{\"access_token\":\"a\",\"scope\":\"api\\r\\nweb\"}", "scope", SFO_E_BAD_VALUE },
        { 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\\u009b\"}", "token_type",
          SFO_E_BAD_VALUE },
        { 200, "{\"access_token\":\"a\",\"refresh_token\":\"r\xc2\x85\"}", "refresh_token",
          SFO_E_BAD_VALUE },
        { 400, "{\"error\":\"invalid_grant\",\"error_description\":\"\\u001b[1mhi\\u0007\"}",
          "error_description", SFO_E_BAD_VALUE },
        { 400, "{\"error\":\"invalid\\u007fgrant\"}", "error", SFO_E_BAD_VALUE },
        { 200, "{\"access_token\":\"a\",\"expires_in\":9223372036854775807}", "expires_in",
          SFO_E_JSON_RANGE },
        { 200, "{\"access_token\":\"a\",\"expires_in\":-3600}", "expires_in", SFO_E_JSON_RANGE },
        { 200, "{\"access_token\":\"a\",\"expires_in\":\"3600\"}", "expires_in", SFO_E_JSON_TYPE },
    };
    struct sfo_client c;
    struct sfo_token t;
    client_for(&c, CC_ID, CC_SECRET);
    c.retries = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        serve_once(cases[i].status, cases[i].body);
        RC(sfo_client_credentials(&c, NULL, &t), cases[i].want, &t.err);
        assert_non_null(t.err.field);
        assert_string_equal(t.err.field, cases[i].member);
        assert_string_equal(t.access_token, "");
        assert_string_equal(t.err.error, "");
        assert_string_equal(t.err.error_description, "");
    }
    /* and the next, clean answer is taken */
    RC(sfo_client_credentials(&c, NULL, &t), SFO_OK, &t.err);
    assert_null(t.err.field);
    assert_int_equal(hook("/test/faults/clear", "x=1"), 200);
}

/* ==================================================================== loopback group */

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* curl as a child process: GET url after delay_ms; status and body to files. */
static pid_t curl_bg(const char *url, unsigned delay_ms, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "sleep %u.%03u; curl -sS --max-time 10 -w '%%{http_code} ' -o '%s.body' '%s' > '%s'",
             delay_ms / 1000u, delay_ms % 1000u, out, url, out);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    return pid;
}

static int curl_wait(pid_t pid, const char *out)
{
    int st;
    waitpid(pid, &st, 0);
    char *s = t_read_file(out, NULL);
    int code = s ? atoi(s) : -1;
    free(s);
    return code;
}

static const char *lb_out(const char *name)
{
    return t_path("%s/test_flows-lb-%s", t_build(), name);
}

static void t_loopback_code(void **state)
{
    (void)state;
    struct sfo_loopback lb;
    struct sfo_authz s;
    struct sfo_oauth_error e;
    char ru[128], q[1024], code[256];
    size_t n;
    uint16_t port = free_port();
    snprintf(ru, sizeof ru, "http://127.0.0.1:%u/OauthRedirect", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    memset(&s, 0, sizeof s);
    strcpy(s.state, "st4te-_abcdefghijklmno");
    const char *o = lb_out("code");
    pid_t pid = curl_bg(t_path("%s?code=aPrxAB%%2BC%%2Fd%%3D%%3D&state=%s", ru, s.state), 100, o);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(pid, o), 200);
    char *body = t_read_file(t_path("%s.body", o), NULL);
    assert_non_null(body);
    assert_non_null(strstr(body, "Authorization received"));
    free(body);
    assert_string_equal(q, t_path("code=aPrxAB%%2BC%%2Fd%%3D%%3D&state=%s", s.state));
    assert_int_equal(n, strlen(q));
    RC(sfo_callback_parse(q, n, &s, code, sizeof code, &e), SFO_OK, &e);
    assert_string_equal(code, "aPrxAB+C/d==");

    /* a wrong state */
    pid = curl_bg(t_path("%s?code=abc%%3D%%3D&state=forged", ru), 100, o);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(pid, o), 200);
    RC(sfo_callback_parse(q, n, &s, code, sizeof code, &e), SFO_E_STATE_MISMATCH, &e);

    /* an error callback */
    pid = curl_bg(t_path("%s?error=access_denied&error_description=end-user%%20denied%%20"
                         "authorization&state=%s",
                         ru, s.state),
                  100, o);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(pid, o), 200);
    RC(sfo_callback_parse(q, n, &s, code, sizeof code, &e), SFO_E_OAUTH, &e);
    assert_string_equal(e.error, "access_denied");
    assert_string_equal(e.error_description, "end-user denied authorization");
    sfo_loopback_close(&lb);
    sfo_loopback_close(&lb); /* twice is fine */
}

static void t_loopback_wrong_path_and_timeout(void **state)
{
    (void)state;
    struct sfo_loopback lb;
    char ru[128], q[256];
    size_t n = 99;
    uint16_t port = free_port();
    snprintf(ru, sizeof ru, "http://localhost:%u/cb", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    /* /favicon.ico and /cbx get 404; the receiver keeps waiting for /cb (one
     * curl, three requests in this order) */
    const char *o1 = lb_out("404");
    pid_t p1 = curl_bg(t_path("http://127.0.0.1:%u/favicon.ico' -o /dev/null "
                              "'http://127.0.0.1:%u/cbx?code=1' -o /dev/null "
                              "'http://127.0.0.1:%u/cb?code=x&state=y",
                              port, port, port),
                       50, o1);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(p1, o1), 404);
    char *codes = t_read_file(o1, NULL);
    assert_non_null(codes);
    assert_string_equal(codes, "404 404 200 ");
    free(codes);
    assert_string_equal(q, "code=x&state=y");
    /* no query at all: an empty query, which the callback reader refuses */
    p1 = curl_bg(t_path("http://127.0.0.1:%u/cb", port), 50, o1);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(p1, o1), 200);
    assert_int_equal(n, 0);
    struct sfo_authz s;
    char code[64];
    memset(&s, 0, sizeof s);
    RC(sfo_callback_parse(q, n, &s, code, sizeof code, NULL), SFO_E_CALLBACK, NULL);
    /* a query larger than the caller's buffer: 400 and SFO_E_TOO_LONG */
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    p1 = curl_bg(t_path("http://127.0.0.1:%u/cb?code=%s", port, big), 50, o1);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_E_TOO_LONG, NULL);
    assert_int_equal(curl_wait(p1, o1), 400);
    /* nobody comes: the deadline */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    RC(sfo_loopback_wait(&lb, 300, q, sizeof q, &n), SFO_E_DEADLINE, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 290 && ms < 2000);
    sfo_loopback_close(&lb);
}

/* A connection that never sends anything (a browser's speculative preconnect)
 * must not keep the real redirect from being served. */
static void t_loopback_idle_connection(void **state)
{
    (void)state;
    struct sfo_loopback lb;
    char ru[128], q[256];
    size_t n;
    uint16_t port = free_port();
    snprintf(ru, sizeof ru, "http://127.0.0.1:%u/OauthRedirect", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    int idle = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(idle, (struct sockaddr *)&a, sizeof a), 0);
    const char *o = lb_out("idle");
    pid_t p = curl_bg(t_path("%s?code=c&state=s", ru), 200, o);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    RC(sfo_loopback_wait(&lb, 30000, q, sizeof q, &n), SFO_OK, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(curl_wait(p, o), 200);
    assert_string_equal(q, "code=c&state=s");
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms < 8000);
    close(idle);
    sfo_loopback_close(&lb);
}

/* The client gives up before the answer is written: no SIGPIPE, keeps working. */
static void t_loopback_client_gone(void **state)
{
    (void)state;
    struct sfo_loopback lb;
    char ru[128], q[256];
    size_t n;
    uint16_t port = free_port();
    snprintf(ru, sizeof ru, "http://127.0.0.1:%u/r", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* a wrong-path request from a client that resets at once */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    static const char req[] = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    assert_int_equal(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    const char *o = lb_out("gone");
    pid_t p = curl_bg(t_path("%s?code=c&state=s", ru), 300, o);
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(p, o), 200);
    sfo_loopback_close(&lb);
}

static void t_loopback_open_errors(void **state)
{
    (void)state;
    struct sfo_loopback lb, lb2;
    char ru[128];
    assert_int_equal(sfo_loopback_open(&lb, "https://127.0.0.1:1717/cb"), SFO_E_ARG);
    assert_int_equal(sfo_loopback_open(&lb, "http://127.0.0.1/cb"), SFO_E_ARG);
    assert_int_equal(sfo_loopback_open(&lb, "http://example.com:1717/cb"), SFO_E_ARG);
    assert_int_equal(sfo_loopback_open(&lb, "http://10.0.0.1:1717/cb"), SFO_E_ARG);
    assert_int_equal(sfo_loopback_open(NULL, "http://127.0.0.1:1717/cb"), SFO_E_ARG);
    assert_true(sfo_loopback_open(&lb, "http://127.0.0.1:99999/cb") < 0);
    /* a port in use */
    uint16_t port = free_port();
    snprintf(ru, sizeof ru, "http://127.0.0.1:%u/cb", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    assert_int_equal(sfo_loopback_open(&lb2, ru), SFO_E_IO);
    sfo_loopback_close(&lb);
    /* a redirect URI without a path: the browser asks for "/" */
    snprintf(ru, sizeof ru, "http://127.0.0.1:%u", port);
    RC(sfo_loopback_open(&lb, ru), SFO_OK, NULL);
    const char *o = lb_out("root");
    pid_t p = curl_bg(t_path("%s/?code=c&state=s", ru), 100, o);
    char q[64];
    size_t n;
    RC(sfo_loopback_wait(&lb, 10000, q, sizeof q, &n), SFO_OK, NULL);
    assert_int_equal(curl_wait(p, o), 200);
    assert_string_equal(q, "code=c&state=s");
    sfo_loopback_close(&lb);
}

int main(void)
{
    const struct CMUnitTest flows[] = {
        cmocka_unit_test(t_jwt_key_formats),
        cmocka_unit_test(t_jwt_signature),
        cmocka_unit_test(t_code_pkce_rotation),
        cmocka_unit_test(t_code_refresh_no_rotation),
        cmocka_unit_test(t_client_credentials),
        cmocka_unit_test(t_password),
        cmocka_unit_test(t_introspect_userinfo_revoke),
        cmocka_unit_test(t_revoke_without_client),
    };
    const struct CMUnitTest device[] = {
        cmocka_unit_test(t_device_sf_approved_first),
        cmocka_unit_test(t_device_rfc_approved_first),
        cmocka_unit_test(t_device_sf_pending),
        cmocka_unit_test(t_device_rfc_pending),
        cmocka_unit_test(t_device_denied_and_deadline),
    };
    const struct CMUnitTest errors[] = {
        cmocka_unit_test(t_err_jwt),
        cmocka_unit_test(t_err_grants),
        cmocka_unit_test(t_err_code),
        cmocka_unit_test(t_err_expired_tokens),
    };
    const struct CMUnitTest retries[] = {
        cmocka_unit_test(t_retry_503_429),
        cmocka_unit_test(t_retry_gives_up),
    };
    const struct CMUnitTest values[] = {
        cmocka_unit_test(t_insecure_endpoints),
        cmocka_unit_test(t_hostile_answers),
    };
    const struct CMUnitTest loopback[] = {
        cmocka_unit_test(t_loopback_code),
        cmocka_unit_test(t_loopback_wrong_path_and_timeout),
        cmocka_unit_test(t_loopback_idle_connection),
        cmocka_unit_test(t_loopback_client_gone),
        cmocka_unit_test(t_loopback_open_errors),
    };
    int fails = 0;
    fails += cmocka_run_group_tests_name("flows", flows, server_up, server_down);
    fails += cmocka_run_group_tests_name("device", device, server_up, server_down);
    fails += cmocka_run_group_tests_name("errors", errors, server_up, server_down);
    fails += cmocka_run_group_tests_name("retries", retries, server_up, server_down);
    fails += cmocka_run_group_tests_name("values", values, server_up, server_down);
    fails += cmocka_run_group_tests_name("loopback", loopback, NULL, NULL);
    return fails != 0;
}
