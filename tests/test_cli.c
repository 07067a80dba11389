/*
 * The sfoauth program, driven as a user would: every subcommand against the
 * Salesforce-shaped test server on 127.0.0.1, exit code per error category,
 * no secret in -v traces or error messages, the token cache (mode, atomic
 * replacement under SIGKILL, 8 concurrent `token` runs = 1 server call),
 * `make demo` and the embedded-library example.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testenv.h"

#define CLIENT_ID     "3MVG9sfoauth.Demo.Connected.App.Consumer.Key"
#define CLIENT_SECRET "5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D"
#define PKCE_CLIENT   "3MVG9sfoauth.Demo.Public.PKCE.Rotating"
#define USERNAME      "demo@example.com"

static struct t_server g_srv;
static char g_tmp[256];
static char g_bin[1024];
static char g_ca[1024];
static char g_key[1024];
static char g_secret[1024];
static char g_url[128];
static bool g_have_server;

static char *g_out, *g_err;

/* Run a shell command line (with $B = sfoauth, $CA, $KEY, $SEC, $URL, $T set);
 * stdout/stderr land in g_out/g_err. Returns the exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[8192], full[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full,
             "B='%s'; CA='%s'; KEY='%s'; SEC='%s'; URL='%s'; T='%s'; export B CA KEY SEC URL T; "
             "( %s ) >'%s/out' 2>'%s/err'",
             g_bin, g_ca, g_key, g_secret, g_url, g_tmp, cmd, g_tmp, g_tmp);
    int st = system(full);
    free(g_out);
    free(g_err);
    g_out = t_read_file(t_path("%s/out", g_tmp), NULL);
    g_err = t_read_file(t_path("%s/err", g_tmp), NULL);
    if (g_out == NULL) g_out = strdup("");
    if (g_err == NULL) g_err = strdup("");
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return rc;
}

#define RUN_OK(...)                                                                            \
    do {                                                                                       \
        int rc_ = sh(__VA_ARGS__);                                                             \
        if (rc_ != 0) fprintf(stderr, "exit %d\nstdout: %s\nstderr: %s\n", rc_, g_out, g_err); \
        assert_int_equal(rc_, 0);                                                              \
    } while (0)
#define RUN_RC(want, ...)                                                                      \
    do {                                                                                       \
        int rc_ = sh(__VA_ARGS__);                                                             \
        if (rc_ != (want))                                                                     \
            fprintf(stderr, "exit %d (want %d)\nstdout: %s\nstderr: %s\n", rc_, (want), g_out, \
                    g_err);                                                                    \
        assert_int_equal(rc_, (want));                                                         \
    } while (0)

#define NEED_SERVER()                                                             \
    do {                                                                          \
        if (!g_have_server) {                                                     \
            fprintf(stderr, "NOTE: tests/server/sf_server.py absent: skipped\n"); \
            skip();                                                               \
        }                                                                         \
    } while (0)

static int setup(void **state)
{
    (void)state;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sfoauth-cli-test.%ld", (long)getpid());
    mkdir(g_tmp, 0700);
    snprintf(g_bin, sizeof g_bin, "%s", t_sfoauth_bin());
    const char *pki = t_pki();
    snprintf(g_ca, sizeof g_ca, "%s/ca.pem", pki);
    snprintf(g_key, sizeof g_key, "%s/client.key", pki);
    snprintf(g_secret, sizeof g_secret, "%s/secret", g_tmp);
    if (t_write_file(g_secret, CLIENT_SECRET "\n", 0600) != 0) return -1;

    const char *server = t_path("%s/tests/server/sf_server.py", t_root());
    if (access(server, R_OK) == 0) {
        char *argv[] = { strdup(t_python()),       strdup(server),
                         strdup("--host"),         strdup("127.0.0.1"),
                         strdup("--port"),         strdup("0"),
                         strdup("--cert"),         strdup(t_path("%s/server.pem", pki)),
                         strdup("--key"),          strdup(t_path("%s/server.key", pki)),
                         strdup("--client-cert"),  strdup(t_path("%s/client.pem", pki)),
                         strdup("--auto-approve"), NULL };
        int rc = t_server_start(&g_srv, argv);
        for (char **a = argv; *a != NULL; a++) free(*a);
        if (rc != 0) return -1;
        g_have_server = true;
        snprintf(g_url, sizeof g_url, "https://127.0.0.1:%d", g_srv.port);
    } else {
        snprintf(g_url, sizeof g_url, "https://127.0.0.1:1");
    }
    setenv("SFOAUTH_LOGIN_URL", g_url, 1);
    setenv("SFOAUTH_CLIENT_ID", CLIENT_ID, 1);
    setenv("SFOAUTH_USERNAME", USERNAME, 1);
    unsetenv("SFOAUTH_CLIENT_SECRET");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_server_stop(&g_srv);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0) return -1;
    free(g_out);
    free(g_err);
    return 0;
}

/* An integer member of the server's /test/stats JSON (e.g. "urn:...jwt-bearer"). */
static long stat_count(const char *name)
{
    sh("curl -s --cacert \"$CA\" \"$URL/test/stats\"");
    char pat[256];
    snprintf(pat, sizeof pat, "\"%s\": ", name);
    const char *p = strstr(g_out, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : 0;
}

/* ---------------------------------------------------------------- usage, no server */

static void usage_and_secrets_on_argv(void **state)
{
    (void)state;
    RUN_OK("$B --help");
    assert_non_null(strstr(g_out, "No option takes a secret"));
    assert_non_null(strstr(g_out, "Exit codes"));
    RUN_OK("$B --version");
    assert_non_null(strstr(g_out, "sfoauth "));
    RUN_RC(2, "$B");
    RUN_RC(2, "$B frobnicate");
    RUN_RC(2, "$B jwt --no-such-option");
    RUN_RC(2, "$B jwt --timeout 0");
    RUN_RC(2, "$B jwt --output xml");
    /* values that would put a secret on argv are refused, with the reason */
    RUN_RC(2, "$B client-credentials --client-secret s3cr3t");
    assert_non_null(strstr(g_err, "ps"));
    assert_null(strstr(g_err, "s3cr3t"));
    RUN_RC(2, "$B code --code aPrxSECRETCODE");
    assert_non_null(strstr(g_err, "stdin"));
    assert_null(strstr(g_err, "aPrxSECRETCODE"));
    RUN_RC(2, "$B code --callback-url 'http://localhost:1717/cb?code=aPrxSECRET'");
    assert_null(strstr(g_err, "aPrxSECRET"));
    RUN_RC(2, "$B jwt --username u --key \"$KEY\" --client-id ''");
}

static void decode_url(void **state)
{
    (void)state;
    RUN_OK("$B decode-url 'a%%20b+c%%3D%%3D'");
    assert_string_equal(g_out, "a b c==\n");
    RUN_OK(
        "printf '%%s\\n' 'https://login.salesforce.com/oauth2/callback?code=aPrx%%3D%%3D&state=x' "
        "| $B decode-url --param code");
    assert_string_equal(g_out, "aPrx==\n");
    RUN_OK("$B decode-url --param state '?code=1&state=a%%2Fb'");
    assert_string_equal(g_out, "a/b\n");
    RUN_RC(3, "$B decode-url 'bad%%zz'");
    assert_non_null(strstr(g_err, "SFO_E_PCT"));
    RUN_RC(3, "$B decode-url --param nope '?code=1'");
    RUN_RC(3, "$B decode-url --param code '?code=1&code=2'");
}

static void local_input_errors(void **state)
{
    (void)state;
    RUN_RC(3, "$B jwt --key /nonexistent/key.pem --cacert \"$CA\"");
    RUN_RC(3, "$B jwt --key \"$(dirname \"$KEY\")/ec.key\" --cacert \"$CA\"");
    assert_non_null(strstr(g_err, "SFO_E_KEY_TYPE"));
    RUN_RC(3, "$B client-credentials --client-secret-file /nonexistent --cacert \"$CA\"");
    RUN_RC(3, ": > \"$T/empty\"; $B client-credentials --client-secret-file \"$T/empty\" "
              "--cacert \"$CA\"");
    /* the trust anchor file is local input; the OS error names the cause */
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert /nonexistent/ca.pem");
    assert_non_null(strstr(g_err, "No such file or directory"));
}

/* ---------------------------------------------------------------- flows */

static void jwt_flow(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("$B jwt --key \"$KEY\" --cacert \"$CA\"");
    assert_non_null(strstr(g_out, "\"access_token\": \"00D"));
    assert_non_null(strstr(g_out, "\"instance_url\": "));
    /* key order is stable: access_token first, expires_at last */
    assert_true(strstr(g_out, "access_token") < strstr(g_out, "instance_url"));
    assert_non_null(strstr(g_out, "\"expires_at\": "));
    RUN_OK("$B jwt --key \"$KEY\" --cacert \"$CA\" --field instance_url");
    assert_string_equal(g_out, t_path("%s\n", g_url));
    RUN_OK("$B jwt --key \"$KEY\" --cacert \"$CA\" --output env");
    assert_non_null(strstr(g_out, "SFOAUTH_ACCESS_TOKEN='00D"));
    RUN_OK("eval \"$($B jwt --key \"$KEY\" --cacert \"$CA\" --output env)\"; "
           "test -n \"$SFOAUTH_ACCESS_TOKEN\" && echo ok");
    assert_string_equal(g_out, "ok\n");
    RUN_RC(2, "$B jwt --key \"$KEY\" --cacert \"$CA\" --field refresh_token");
}

static void error_categories(void **state)
{
    (void)state;
    NEED_SERVER();
    /* OAuth rejection (7) with Salesforce's text and a hint */
    RUN_RC(7, "$B jwt --key \"$KEY\" --cacert \"$CA\" --username stranger@example.com");
    assert_non_null(strstr(g_err, "SFO_E_OAUTH"));
    assert_non_null(strstr(g_err, "invalid_grant"));
    assert_non_null(strstr(g_err, "hint: pre-authorise"));
    RUN_RC(7, "$B jwt --key \"$(dirname \"$KEY\")/rsa4096.key\" --cacert \"$CA\"");
    assert_non_null(strstr(g_err, "hint: the signature did not verify"));
    RUN_RC(7, "$B jwt --key \"$KEY\" --cacert \"$CA\" --audience https://wrong.example.com");
    assert_non_null(strstr(g_err, "audience"));
    assert_non_null(strstr(g_err, "--sandbox"));
    /* TLS (5): the test CA is not in the system store */
    RUN_RC(5, "$B jwt --key \"$KEY\"");
    assert_non_null(strstr(g_err, "SFO_E_TLS_UNTRUSTED"));
    /* network (4): nothing listens on port 1 */
    RUN_RC(4, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url https://127.0.0.1:1");
    assert_non_null(strstr(g_err, "SFO_E_CONNREFUSED"));
    /* HTTP protocol (6): an HTML 500 page instead of JSON */
    RUN_OK("curl -s --cacert \"$CA\" -d kind=html -d status=500 -d count=5 \"$URL/test/fault\"");
    RUN_RC(6, "$B jwt --key \"$KEY\" --cacert \"$CA\" --timeout 5");
    RUN_OK("curl -s --cacert \"$CA\" -X POST \"$URL/test/faults/clear\"");
    /* local input (3): state mismatch and error redirects on a pasted callback */
    RUN_RC(3, "echo 'http://localhost:1717/OauthRedirect?code=aPrxC0DE&state=forged' | "
              "$B login --paste --cacert \"$CA\"");
    assert_non_null(strstr(g_err, "SFO_E_STATE"));
    assert_null(strstr(g_err, "aPrxC0DE"));
    RUN_RC(7, "echo 'http://localhost:1717/OauthRedirect?error=access_denied&"
              "error_description=end-user%%20denied%%20authorization' | "
              "$B login --paste --cacert \"$CA\"");
    assert_non_null(strstr(g_err, "end-user denied authorization"));
}

static void login_code_refresh_rotation(void **state)
{
    (void)state;
    NEED_SERVER();
    /* the test server approves at once; curl plays the browser */
    RUN_OK("$B login --client-secret-file \"$SEC\" --cacert \"$CA\" --scope 'api refresh_token' "
           "--browser \"curl -s -L -o /dev/null --cacert $CA\" --wait 20 --cache \"$T/c1.json\"");
    assert_non_null(strstr(g_out, "\"refresh_token\": "));
    assert_non_null(strstr(g_err, "/services/oauth2/authorize?response_type=code"));
    assert_non_null(strstr(g_err, "code_challenge="));
    /* refresh from the cache */
    RUN_OK("$B refresh --client-secret-file \"$SEC\" --cacert \"$CA\" --cache \"$T/c1.json\"");
    assert_non_null(strstr(g_out, "\"access_token\": "));

    /* PKCE client with rotating refresh tokens: the new one is written back first */
    RUN_OK("$B login --client-id " PKCE_CLIENT " --cacert \"$CA\" --scope 'api refresh_token' "
           "--browser \"curl -s -L -o /dev/null --cacert $CA\" --wait 20 "
           "--field refresh_token > \"$T/rt\"; cp \"$T/rt\" \"$T/rt.old\"");
    RUN_OK("$B refresh --client-id " PKCE_CLIENT " --cacert \"$CA\" "
           "--refresh-token-file \"$T/rt\" --field refresh_token");
    char *printed = strdup(g_out);
    char *old = t_read_file(t_path("%s/rt.old", g_tmp), NULL);
    char *now = t_read_file(t_path("%s/rt", g_tmp), NULL);
    assert_string_not_equal(old, now);
    assert_string_equal(printed, now);
    free(printed);
    free(old);
    free(now);
    /* the old one is dead: the server says so, with the hint */
    RUN_RC(7, "$B refresh --client-id " PKCE_CLIENT " --cacert \"$CA\" "
              "--refresh-token-file \"$T/rt.old\"");

    /* code: a pasted/foreign code exchanged by `code` (unknown code -> 7) */
    RUN_RC(7, "echo 'aPrxNOTACODE%%3D%%3D' | $B code --code - --client-secret-file \"$SEC\" "
              "--cacert \"$CA\"");
    RUN_RC(2, "echo x | $B code --code - --client-secret-file - --cacert \"$CA\"");
    RUN_RC(7, "echo 'http://localhost:1717/OauthRedirect?code=aPrxNOPE%%3D%%3D' > \"$T/cb\"; "
              "$B code --callback-url \"$T/cb\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
    assert_null(strstr(g_err, "aPrxNOPE"));
}

static void other_grants(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("$B client-credentials --client-secret-file \"$SEC\" --cacert \"$CA\"");
    assert_non_null(strstr(g_out, "\"access_token\": "));
    RUN_OK("SFOAUTH_CLIENT_SECRET=$(cat \"$SEC\") $B client-credentials --cacert \"$CA\" "
           "--basic-auth --field token_type");
    assert_string_equal(g_out, "Bearer\n");
    RUN_RC(2, "$B client-credentials --cacert \"$CA\"");
    /* password: explicit, warned about; refused by this connected app */
    RUN_RC(7, "echo pw | $B password --password-file - --client-secret-file \"$SEC\" "
              "--cacert \"$CA\"");
    assert_non_null(strstr(g_err, "deprecated"));
    /* device: approve through the test hook while sfoauth polls */
    RUN_OK("curl -s --cacert \"$CA\" -d device_interval=1 \"$URL/test/config\"");
    RUN_OK(
        "$B device --cacert \"$CA\" --wait 30 > \"$T/dev.out\" 2> \"$T/dev.err\" & p=$!; "
        "i=0; while [ $i -lt 100 ]; do c=$(sed -n 's/.*enter the code //p' \"$T/dev.err\"); "
        "[ -n \"$c\" ] && break; sleep 0.1; i=$((i+1)); done; "
        "curl -s --cacert \"$CA\" -d user_code=$c -d username=" USERNAME
        " \"$URL/test/device/approve\" >/dev/null; wait $p; rc=$?; cat \"$T/dev.out\"; exit $rc");
    assert_non_null(strstr(g_out, "\"access_token\": "));
}

static void revoke_introspect_userinfo(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("$B jwt --key \"$KEY\" --cacert \"$CA\" --field access_token > \"$T/at\"");
    RUN_OK("$B introspect --token-file \"$T/at\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
    assert_non_null(strstr(g_out, "\"active\": true"));
    assert_non_null(strstr(g_out, "\"exp\": "));
    RUN_OK("$B userinfo --token-file \"$T/at\" --cacert \"$CA\" --field preferred_username");
    assert_string_equal(g_out, USERNAME "\n");
    RUN_OK("$B userinfo --cacert \"$CA\" < \"$T/at\" --token-file -");
    assert_non_null(strstr(g_out, "\"sub\""));
    RUN_OK("$B revoke --token-file \"$T/at\" --cacert \"$CA\"");
    RUN_OK("$B introspect --token-file \"$T/at\" --client-secret-file \"$SEC\" --cacert \"$CA\" "
           "--field active");
    assert_string_equal(g_out, "false\n");
    RUN_RC(7, "$B userinfo --token-file \"$T/at\" --cacert \"$CA\"");
    RUN_RC(2, "$B introspect --client-secret-file \"$SEC\" --cacert \"$CA\"");
}

static void no_secret_in_trace(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("$B client-credentials -v --client-secret-file \"$SEC\" --cacert \"$CA\" "
           "--basic-auth --field access_token > \"$T/at2\"");
    char *at = t_read_file(t_path("%s/at2", g_tmp), NULL);
    assert_non_null(at);
    at[strcspn(at, "\n")] = '\0';
    assert_non_null(strstr(g_err, "* TLS"));
    assert_non_null(strstr(g_err, "> POST /services/oauth2/token"));
    assert_non_null(strstr(g_err, "< HTTP/1.1 200"));
    assert_null(strstr(g_err, CLIENT_SECRET));
    assert_null(strstr(g_err, at));
    assert_null(strstr(g_err, "Basic M")); /* base64 of the client id */
    RUN_OK("$B introspect -v --token-file \"$T/at2\" --client-secret-file \"$SEC\" "
           "--cacert \"$CA\"");
    assert_null(strstr(g_err, CLIENT_SECRET));
    assert_null(strstr(g_err, at));
    RUN_OK("$B jwt -v --key \"$KEY\" --cacert \"$CA\"");
    assert_null(strstr(g_err, "eyJ")); /* no assertion (base64url of {"alg"...}) */
    /* the login flow: code, verifier, refresh token */
    RUN_OK("$B login -v --client-secret-file \"$SEC\" --cacert \"$CA\" --scope 'api "
           "refresh_token' --browser \"curl -s -L -o /dev/null --cacert $CA\" --wait 20 "
           "--output env");
    char *rt = strstr(g_out, "SFOAUTH_REFRESH_TOKEN='");
    assert_non_null(rt);
    rt += strlen("SFOAUTH_REFRESH_TOKEN='");
    rt[strcspn(rt, "'")] = '\0';
    assert_true(strlen(rt) > 8);
    assert_null(strstr(g_err, rt));
    assert_null(strstr(g_err, "code_verifier="));
    free(at);
}

/* ---------------------------------------------------------------- cache */

static void cache_mode_and_token(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("rm -f \"$T/c2.json\"; umask 022; $B jwt --key \"$KEY\" --cacert \"$CA\" "
           "--cache \"$T/c2.json\" --field access_token");
    char *at = strdup(g_out);
    struct stat sb;
    assert_int_equal(stat(t_path("%s/c2.json", g_tmp), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* token: from the cache while valid (default output: the raw access token) */
    long before = stat_count("urn:ietf:params:oauth:grant-type:jwt-bearer");
    RUN_OK("$B token --cache \"$T/c2.json\" --cacert \"$CA\"");
    assert_string_equal(g_out, at);
    assert_int_equal(stat_count("urn:ietf:params:oauth:grant-type:jwt-bearer"), before);
    /* another user's cache is not used; without a way to get a token: usage */
    RUN_RC(2, "$B token --cache \"$T/c2.json\" --cacert \"$CA\" --username other@example.com");
    /* expired entry: the flow whose options are given runs again */
    RUN_OK("sed -i 's/\"expires_at\": [0-9]*/\"expires_at\": 1/' \"$T/c2.json\"; "
           "$B token --cache \"$T/c2.json\" --cacert \"$CA\" --key \"$KEY\"");
    assert_string_not_equal(g_out, at);
    assert_int_equal(stat_count("urn:ietf:params:oauth:grant-type:jwt-bearer"), before + 1);
    /* a corrupt cache is ignored, then replaced */
    RUN_OK("echo '{broken' > \"$T/c2.json\"; $B token --cache \"$T/c2.json\" --cacert \"$CA\" "
           "--key \"$KEY\" >/dev/null && $B token --cache \"$T/c2.json\" --cacert \"$CA\"");
    assert_true(strlen(g_out) > 10);
    /* session lifetime without expires_in: now + 7200 - 300 */
    RUN_OK("rm -f \"$T/c3.json\"; $B jwt --key \"$KEY\" --cacert \"$CA\" --cache \"$T/c3.json\" "
           "--field expires_at");
    long exp = strtol(g_out, NULL, 10);
    long now = (long)time(NULL);
    assert_true(exp >= now + 6900 - 5 && exp <= now + 6900 + 5);
    free(at);
}

static void cache_atomic_under_kill(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("rm -f \"$T/c4.json\"; $B jwt --key \"$KEY\" --cacert \"$CA\" --cache \"$T/c4.json\" "
           ">/dev/null; cp \"$T/c4.json\" \"$T/c4.before\"");
    /* a run that pauses half-way through writing the new cache is killed there */
    RUN_OK("SFOAUTH_TEST_SLOW_WRITE=3000 $B jwt --key \"$KEY\" --cacert \"$CA\" "
           "--cache \"$T/c4.json\" >/dev/null 2>&1 & p=$!; "
           "i=0; while [ $i -lt 100 ] && ! ls \"$T\"/c4.json.tmp.* >/dev/null 2>&1; do "
           "sleep 0.05; i=$((i+1)); done; ls \"$T\"/c4.json.tmp.*; kill -9 $p; wait $p; "
           "cmp \"$T/c4.json\" \"$T/c4.before\"");
    /* the old cache is intact and still serves tokens */
    RUN_OK("$B token --cache \"$T/c4.json\" --cacert \"$CA\"");
    assert_true(strlen(g_out) > 10);
}

static void concurrent_token_runs(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK("rm -f \"$T/c5.json\"");
    long before = stat_count("urn:ietf:params:oauth:grant-type:jwt-bearer");
    RUN_OK("for i in 1 2 3 4 5 6 7 8; do $B token --cache \"$T/c5.json\" --cacert \"$CA\" "
           "--key \"$KEY\" > \"$T/tok.$i\" & done; wait; "
           "for i in 2 3 4 5 6 7 8; do cmp \"$T/tok.1\" \"$T/tok.$i\" || exit 1; done");
    assert_int_equal(stat_count("urn:ietf:params:oauth:grant-type:jwt-bearer"), before + 1);
    RUN_OK("$B token --cache \"$T/c5.json\" --cacert \"$CA\" --output json");
    assert_non_null(strstr(g_out, "\"access_token\""));
    RUN_OK("ls -a \"$T\" | grep -c 'c5.json.tmp' || true");
    assert_string_equal(g_out, "0\n");
}

/* ---------------------------------------------------------------- demo, example */

static void example_and_demo(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *san = strstr(t_build(), "-san") ? "SAN=1" : "";
    RUN_OK("make --no-print-directory -C '%s' BUILD='%s' BACKEND=%s %s examples >/dev/null",
           t_root(), t_build(), getenv("SFO_BACKEND") ? getenv("SFO_BACKEND") : "mbedtls", san);
    RUN_OK("'%s/examples/jwt_token' \"$URL\" " CLIENT_ID " " USERNAME " \"$KEY\" \"$CA\"",
           t_build());
    assert_non_null(strstr(g_out, "00D"));
    RUN_RC(1,
           "'%s/examples/jwt_token' \"$URL\" " CLIENT_ID " nobody@example.com \"$KEY\" "
           "\"$CA\"",
           t_build());
    RUN_OK("make --no-print-directory -C '%s' BUILD='%s' BACKEND=%s %s demo", t_root(), t_build(),
           getenv("SFO_BACKEND") ? getenv("SFO_BACKEND") : "mbedtls", san);
    assert_non_null(strstr(g_out, "demo finished"));
    assert_non_null(strstr(g_out, "\"access_token\": \"00D5e0..."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_and_secrets_on_argv),
        cmocka_unit_test(decode_url),
        cmocka_unit_test(local_input_errors),
        cmocka_unit_test(jwt_flow),
        cmocka_unit_test(error_categories),
        cmocka_unit_test(login_code_refresh_rotation),
        cmocka_unit_test(other_grants),
        cmocka_unit_test(revoke_introspect_userinfo),
        cmocka_unit_test(no_secret_in_trace),
        cmocka_unit_test(cache_mode_and_token),
        cmocka_unit_test(cache_atomic_under_kill),
        cmocka_unit_test(concurrent_token_runs),
        cmocka_unit_test(example_and_demo),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
