/*
 * The sfoauth program for administrators and scripts, driven through the real
 * binary against the Salesforce-shaped test server on 127.0.0.1: help per
 * command and suggestions, the man page and completion file, errors that name
 * host, port, stage and the option to act on, trust sources, time limits,
 * flags that are not silently ignored, outputs for scripts, control bytes from
 * the server, one-line input from a person, exit codes by cause, make install.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clirun.h"

static struct t_cli g_c;

#define RUN_RC(want, ...)                                                                        \
    do {                                                                                         \
        int rc_ = t_cli_sh(&g_c, __VA_ARGS__);                                                   \
        if (rc_ != (want))                                                                       \
            fprintf(stderr, "exit %d (want %d)\nstdout: %s\nstderr: %s\n", rc_, (want), g_c.out, \
                    g_c.err);                                                                    \
        assert_int_equal(rc_, (want));                                                           \
    } while (0)
#define RUN_OK(...) RUN_RC(0, __VA_ARGS__)
#define NEED_SERVER()                                                             \
    do {                                                                          \
        if (!g_c.have_server) {                                                   \
            fprintf(stderr, "NOTE: tests/server/sf_server.py absent: skipped\n"); \
            skip();                                                               \
        }                                                                         \
    } while (0)
#define HAS(buf, s)                                                                                \
    do {                                                                                           \
        if (strstr((buf), (s)) == NULL) fprintf(stderr, "output lacks \"%s\":\n%s\n", (s), (buf)); \
        assert_non_null(strstr((buf), (s)));                                                       \
    } while (0)
#define ERR_HAS(s) HAS(g_c.err, s)
/* The server value was refused by the CLI ("control character") or already by the
 * library (SFO_E_BAD_VALUE naming the member): either way named, never shown. */
#define REFUSED_VALUE()                                            \
    do {                                                           \
        bool r_ = strstr(g_c.err, "control character") != NULL ||  \
                  strstr(g_c.err, "SFO_E_BAD_VALUE") != NULL;      \
        if (!r_) fprintf(stderr, "no refusal in:\n%s\n", g_c.err); \
        assert_true(r_);                                           \
    } while (0)
#define OUT_HAS(s) HAS(g_c.out, s)
#define JWT        "$B jwt --key \"$KEY\" --cacert \"$CA\""
#define FAULT      "curl -s --cacert \"$CA\" \"$URL/test/fault\" "
#define CLEAR      "curl -s --cacert \"$CA\" -d clear=1 \"$URL/test/faults/clear\" >/dev/null; "

static const char *backend(void)
{
    const char *b = getenv("SFO_BACKEND");
    return b != NULL && *b ? b : "mbedtls";
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------- help, man page */

static void help_per_command(void **state)
{
    (void)state;
    RUN_OK("$B jwt --help");
    OUT_HAS("usage: sfoauth jwt");
    OUT_HAS("--key FILE");
    OUT_HAS("Example:");
    assert_null(strstr(g_c.out, "--paste"));
    assert_null(strstr(g_c.out, "--token-file"));
    RUN_OK("$B jwt -h");
    OUT_HAS("--audience");
    RUN_OK("$B help revoke");
    OUT_HAS("usage: sfoauth revoke");
    OUT_HAS("--token-file");
    assert_null(strstr(g_c.out, "--key FILE"));
    RUN_OK("$B -h");
    OUT_HAS("Commands:");
    /* unknown commands and flags: the closest one is suggested */
    RUN_RC(2, "$B jwtt");
    ERR_HAS("did you mean jwt?");
    RUN_RC(2, "$B introspekt");
    ERR_HAS("did you mean introspect?");
    RUN_RC(2, "$B jwt --cacertt x");
    ERR_HAS("did you mean --cacert?");
    RUN_RC(2, "$B help nosuch");
    RUN_RC(2, "$B jwt --key");
    ERR_HAS("--key needs a value");
}

/* Every option of --help is in the man page, which has the sections asked for. */
static void man_page_and_completion(void **state)
{
    (void)state;
    char *man = t_read_file(t_path("%s/cli/sfoauth.1", t_root()), NULL);
    assert_non_null(man);
    assert_non_null(strstr(man, ".SH EXIT STATUS"));
    assert_non_null(strstr(man, ".SH ENVIRONMENT"));
    assert_non_null(strstr(man, ".SH FILES"));
    RUN_OK("$B --help");
    int n = 0;
    for (const char *p = g_c.out; (p = strstr(p, "\n  --")) != NULL; p += 4) {
        char opt[64], esc[160];
        size_t k = strspn(p + 3, "-abcdefghijklmnopqrstuvwxyz");
        snprintf(opt, sizeof opt, "%.*s", (int)k, p + 3);
        size_t e = 0;
        for (size_t i = 0; opt[i] && e < sizeof esc - 3; i++) {
            if (opt[i] == '-') esc[e++] = '\\';
            esc[e++] = opt[i];
        }
        esc[e] = '\0';
        if (strstr(man, esc) == NULL) fprintf(stderr, "man page lacks %s\n", opt);
        assert_non_null(strstr(man, esc));
        n++;
    }
    assert_true(n > 40);
    free(man);
    /* the completion file parses and completes commands and a command's options */
    RUN_OK("bash -c 'PATH=\"$(dirname \"$B\"):$PATH\"; . \"%s/cli/sfoauth.bash\"; "
           "COMP_WORDS=(sfoauth jw); COMP_CWORD=1; _sfoauth; echo \"${COMPREPLY[*]}\"; "
           "COMP_WORDS=(sfoauth revoke --token-f); COMP_CWORD=2; _sfoauth; "
           "echo \"${COMPREPLY[*]}\"'",
           t_root());
    OUT_HAS("jwt\n--token-file");
}

/* ---------------------------------------------------------- flags that are not silent */

static void flags_not_silent(void **state)
{
    (void)state;
    /* each of these would reach the network (--login-url :1) if it were not refused first */
    RUN_RC(2, "$B jwt --key \"$KEY\" --sandbox --login-url https://127.0.0.1:1");
    ERR_HAS("--sandbox and --login-url");
    RUN_RC(2, "$B jwt --key \"$KEY\" --login-url https://127.0.0.1:1 --field acess_token");
    ERR_HAS("jwt answers access_token");
    RUN_RC(2, "$B introspect --token-file - --login-url https://127.0.0.1:1 --field exp_at");
    ERR_HAS("introspect answers active");
    RUN_RC(2, "$B jwt --key \"$KEY\" --login-url https://127.0.0.1:1 --output env "
              "--field access_token");
    ERR_HAS("--field prints one raw value");
    RUN_RC(2, "$B revoke --token-file - --login-url https://127.0.0.1:1 --output header");
    RUN_RC(2, "$B jwt --key \"$KEY\" --login-url https://127.0.0.1:1 --ca nosuch");
    RUN_RC(2, "$B jwt --key \"$KEY\" --login-url https://127.0.0.1:1 --ca salesforce "
              "--cacert \"$CA\"");
    /* --cache in a missing directory: named, not its .lock, before the network */
    RUN_RC(3, "$B jwt --key \"$KEY\" --login-url https://127.0.0.1:1 --cache "
              "/nonexistent/dir/c.json");
    ERR_HAS("/nonexistent/dir/c.json");
    ERR_HAS("No such file or directory");
    assert_null(strstr(g_c.err, ".lock"));
    if (geteuid() != 0) {
        RUN_RC(3, "mkdir -p \"$T/ro\"; chmod 500 \"$T/ro\"; $B jwt --key \"$KEY\" "
                  "--login-url https://127.0.0.1:1 --cache \"$T/ro/c.json\"");
        ERR_HAS("not writable");
    }
    /* --cacert problems carry the OS error text */
    RUN_RC(3, JWT " --cacert /nonexistent/ca.pem");
    ERR_HAS("--cacert /nonexistent/ca.pem: No such file or directory");
    /* code --code-verifier: the grammar is checked before the call */
    RUN_RC(3, "echo short > \"$T/v\"; echo 'http://localhost:1717/OauthRedirect?code=x' | "
              "$B code --callback-url - --code-verifier \"$T/v\" --login-url https://127.0.0.1:1");
    ERR_HAS("not a PKCE verifier");
}

/* ------------------------------------------------------------ errors a person acts on */

static void network_errors(void **state)
{
    (void)state;
    RUN_RC(4, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url https://127.0.0.1:1");
    ERR_HAS("connecting to 127.0.0.1:1: connection refused");
    /* a name that does not resolve: said so, looked up once (not retried) */
    RUN_RC(4, "$B jwt -v --key \"$KEY\" --cacert \"$CA\" --login-url https://sfoauth-test.invalid");
    ERR_HAS("resolving sfoauth-test.invalid");
    const char *p = strstr(g_c.err, "host name did not resolve");
    assert_non_null(p);
    assert_null(strstr(p + 1, "host name did not resolve"));
}

static void trust_sources(void **state)
{
    (void)state;
    NEED_SERVER();
    /* the compiled-in Salesforce roots do not vouch for the test CA: untrusted, with
     * the host and the option that adds a CA */
    RUN_RC(5, "$B jwt --key \"$KEY\" --ca salesforce");
    ERR_HAS("TLS handshake with 127.0.0.1:");
    ERR_HAS("SFO_E_TLS_UNTRUSTED");
    ERR_HAS("certificate: subject CN=");
    ERR_HAS("; issuer ");
    ERR_HAS("; SHA-256 ");
    /* the fingerprint is the leaf's, as openssl computes it */
    char *msg = strdup(g_c.err);
    RUN_OK("openssl x509 -in \"$PKI/server.pem\" -noout -fingerprint -sha256 | cut -d= -f2");
    g_c.out[strcspn(g_c.out, "\n")] = '\0';
    HAS(msg, g_c.out);
    free(msg);
    RUN_RC(5, "$B jwt --key \"$KEY\" --ca salesforce");
    ERR_HAS("--cacert FILE");
    ERR_HAS("compiled-in Salesforce roots (--ca salesforce)");
    RUN_RC(5, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt $B jwt --key \"$KEY\"");
    ERR_HAS("or use --ca salesforce");
    /* SSL_CERT_FILE and SSL_CERT_DIR are honoured as OpenSSL and curl do */
    RUN_OK("SSL_CERT_FILE=\"$CA\" $B jwt --key \"$KEY\" --field token_type");
    RUN_OK("mkdir -p \"$T/cadir\"; cp \"$CA\" \"$T/cadir/test-ca.pem\"; "
           "SSL_CERT_DIR=\"$T/cadir\" $B jwt --key \"$KEY\" --field token_type");
    RUN_RC(3, "SSL_CERT_FILE=/nonexistent.pem $B jwt --key \"$KEY\"");
    ERR_HAS("SSL_CERT_FILE /nonexistent.pem: No such file or directory");
    /* a file without a certificate: named, local input */
    RUN_RC(3, "echo 'not a certificate' > \"$T/bad.pem\"; $B jwt --key \"$KEY\" "
              "--cacert \"$T/bad.pem\"");
    ERR_HAS("--cacert ");
    ERR_HAS("/bad.pem");
    ERR_HAS("SFO_E_TLS_CA");
    /* --cacert wins over the environment */
    RUN_OK("SSL_CERT_FILE=/nonexistent.pem " JWT " --field token_type");
}

/* A client secret for another app in the environment: the signature check names it. */
static void signature_names_secret_source(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_RC(6, "SFOAUTH_CLIENT_SECRET=not-this-apps-secret " JWT);
    ERR_HAS("SFO_E_SIGNATURE");
    ERR_HAS("client secret from SFOAUTH_CLIENT_SECRET");
    assert_null(strstr(g_c.err, "not-this-apps-secret"));
    assert_null(strstr(g_c.err, "no-verify"));
    RUN_RC(6, "echo not-this-apps-secret > \"$T/wrongsec\"; " JWT
              " --client-secret-file \"$T/wrongsec\"");
    ERR_HAS("client secret from --client-secret-file");
}

/* ---------------------------------------------------------------------------- time */

static void time_limits(void **state)
{
    (void)state;
    NEED_SERVER();
    /* Retry-After longer than what --max-time leaves: a clear error, no wait */
    long t0 = now_ms();
    RUN_RC(6,
           CLEAR FAULT "-d kind=503 -d count=3 -d retry_after=60 >/dev/null; " JWT " --max-time 5");
    assert_true(now_ms() - t0 < 30000);
    ERR_HAS("HTTP 503");
    ERR_HAS("come back later");
    /* --retries 0: one attempt; the default retries a 503 once more */
    RUN_RC(6, CLEAR FAULT "-d kind=503 -d count=1 >/dev/null; " JWT " --retries 0");
    RUN_OK(CLEAR FAULT "-d kind=503 -d count=1 >/dev/null; " JWT " --field token_type");
    RUN_OK(CLEAR "true");
    /* device: the server's expires_in bounds the wait and is shown */
    RUN_RC(7, CLEAR FAULT "--data-urlencode 'body={\"device_code\":\"dc\",\"user_code\":\"UC-1\","
                          "\"verification_uri\":\"https://x.example/setup\",\"interval\":1,"
                          "\"expires_in\":7}' -d kind=json >/dev/null; "
                          "$B device --cacert \"$CA\" --wait 300");
    ERR_HAS("expires in 7 s; waiting up to 7 s");
    /* device --rfc without --device-url: the login host's /services/oauth2/device */
    RUN_RC(6, CLEAR "$B device -v --rfc --cacert \"$CA\" --wait 5");
    ERR_HAS("> POST /services/oauth2/device HTTP/1.1");
}

/* --------------------------------------------------------------- outputs for scripts */

static void script_outputs(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK(JWT " --output header");
    assert_int_equal(strncmp(g_c.out, "Authorization: Bearer ", 22), 0);
    /* the safe pattern for eval: check the exit status first */
    RUN_OK("out=$(" JWT " --output env) && eval \"$out\" && "
           "test -n \"$SFOAUTH_ACCESS_TOKEN\" && echo ok");
    OUT_HAS("ok");
    RUN_RC(7, "out=$(" JWT " --output env --username stranger@example.com) && eval \"$out\"");
    /* a failure with --output json: one JSON object on stdout */
    RUN_RC(7, JWT " --output json --username stranger@example.com");
    OUT_HAS("\"error\": {");
    OUT_HAS("\"exit_code\": 7");
    OUT_HAS("\"category\": \"server\"");
    OUT_HAS("\"code\": \"SFO_E_OAUTH\"");
    OUT_HAS("\"server_error\": \"invalid_grant\"");
    OUT_HAS("\"server_error_description\":");
    RUN_RC(4, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url https://127.0.0.1:1 "
              "--output json");
    OUT_HAS("\"category\": \"network\"");
    RUN_RC(2, "$B jwt --output json --sandbox --login-url https://x");
    OUT_HAS("\"category\": \"usage\"");
    /* -v: request and response headers, secrets redacted */
    RUN_OK("$B client-credentials -v --client-secret-file \"$SEC\" --cacert \"$CA\" "
           "--basic-auth --field token_type");
    ERR_HAS("POST /services/oauth2/token");
    ERR_HAS("< HTTP/1.1 200");
    ERR_HAS("> Content-Type: application/x-www-form-urlencoded");
    ERR_HAS("> Authorization: [redacted]");
    ERR_HAS("< Content-Type: application/json");
    RUN_OK("cat \"$SEC\"");
    g_c.out[strcspn(g_c.out, "\n")] = '\0';
    char *sec = strdup(g_c.out);
    RUN_OK("$B client-credentials -v --client-secret-file \"$SEC\" --cacert \"$CA\" "
           "--basic-auth --field token_type");
    assert_null(strstr(g_c.err, sec));
    free(sec);
}

/* ----------------------------------------------- control bytes and over-long values */

static void server_values_checked(void **state)
{
    (void)state;
    NEED_SERVER();
    static const char tok[] =
        "--data-urlencode 'body={\"access_token\":\"00Dx!AQ\\u001b]0;pwned\\u0007\","
        "\"instance_url\":\"https://x.example\",\"id\":\"https://x.example/id/00D/005\","
        "\"token_type\":\"Bearer\",\"issued_at\":\"1700000000000\"}' -d kind=json >/dev/null; ";
    /* a token with a control character: refused in every output mode, exit 6 */
    RUN_RC(6, CLEAR FAULT "%s" JWT " --field access_token", tok);
    assert_null(strchr(g_c.out, '\033'));
    assert_null(strchr(g_c.err, '\033'));
    REFUSED_VALUE();
    ERR_HAS("access_token");
    RUN_RC(6, CLEAR FAULT "%s" JWT, tok);
    assert_null(strchr(g_c.out, '\033'));
    /* a rotated refresh token with a newline never reaches --refresh-token-file */
    RUN_RC(6, CLEAR
           "echo 5Aep-old-refresh > \"$T/rt\"; " FAULT
           "--data-urlencode 'body={\"access_token\":\"00Dx!AQ\",\"refresh_token\":"
           "\"5Aep\\nevil\",\"instance_url\":\"https://x.example\",\"token_type\":\"Bearer\"}' "
           "-d kind=json >/dev/null; $B refresh --cacert \"$CA\" --refresh-token-file \"$T/rt\"");
    RUN_OK("cat \"$T/rt\"");
    assert_string_equal(g_c.out, "5Aep-old-refresh\n");
    /* the device prompt shows server text with control bytes escaped (or the library
     * refuses the value: exit 6) */
    int rc = t_cli_sh(
        &g_c, CLEAR FAULT
        "--data-urlencode 'body={\"device_code\":\"dc\",\"user_code\":"
        "\"UC\\u001b[2J\",\"verification_uri\":\"https://x.example/\\u0007\",\"interval\":1}' "
        "-d kind=json >/dev/null; $B device --cacert \"$CA\" --wait 3");
    assert_null(strchr(g_c.err, '\033'));
    assert_null(strchr(g_c.err, '\007'));
    if (rc == 6) {
        REFUSED_VALUE();
    } else {
        assert_int_equal(rc, 7);
        ERR_HAS("UC\\x1b[2J");
    }
    /* userinfo: a C1 control (U+009B, CSI on some terminals) is not printed raw */
    RUN_RC(6, CLEAR "printf '{\"name\": \"a\\302\\233b\"}' > \"$T/ui.json\"; " FAULT
                    "--data-urlencode \"body@$T/ui.json\" -d kind=json "
                    "-d path=/services/oauth2/userinfo >/dev/null; echo 00Dx!AQtok | "
                    "$B userinfo --cacert \"$CA\" --token-file -");
    assert_null(strstr(g_c.out, "\302\233"));
    REFUSED_VALUE();
    /* a value longer than its field is the server's answer: protocol (6), not local input */
    RUN_RC(6, CLEAR FAULT
           "--data-urlencode \"body={\\\"access_token\\\":\\\"$(head -c 9000 "
           "/dev/zero | tr '\\0' a)\\\",\\\"token_type\\\":\\\"Bearer\\\"}\" -d kind=json "
           ">/dev/null; " JWT);
    ERR_HAS("TOO_LONG"); /* SFO_E_TOO_LONG, or SFO_E_RESPONSE_TOO_LONG naming the member */
    RUN_OK(CLEAR "true");
}

/* ------------------------------------------------------------ input from a person */

static void person_input_is_a_line(void **state)
{
    (void)state;
    NEED_SERVER();
    /* a line without its end within --wait: a clear error, no wait for end of input */
    long t0 = now_ms();
    RUN_RC(3, "mkfifo \"$T/f1\"; (printf 'http://localhost:1717/OauthRedirect?code=x'; "
              "sleep 20) > \"$T/f1\" & p=$!; $B code --cacert \"$CA\" --callback-url - "
              "--wait 2 < \"$T/f1\"; rc=$?; kill $p; exit $rc");
    ERR_HAS("no line on stdin within 2 s");
    assert_true(now_ms() - t0 < 15000);
    /* one line is enough: Enter ends it though the input stays open */
    t0 = now_ms();
    RUN_RC(7, "mkfifo \"$T/f2\"; (echo 'aPrxNOTACODE%%3D%%3D'; sleep 20) > \"$T/f2\" & p=$!; "
              "$B code --cacert \"$CA\" --client-secret-file \"$SEC\" --code - < \"$T/f2\"; "
              "rc=$?; kill $p; exit $rc");
    assert_true(now_ms() - t0 < 15000);
    ERR_HAS("code exchange");
    /* login with its redirect port in use (here by the test server): said, port named */
    RUN_RC(3, "$B login --cacert \"$CA\" --wait 2 "
              "--redirect-uri \"http://127.0.0.1:${URL##*:}/OauthRedirect\"");
    ERR_HAS("another program uses it");
    char want[64];
    snprintf(want, sizeof want, "cannot listen on port %s ", strrchr(g_c.url, ':') + 1);
    ERR_HAS(want);
    /* login --paste reads one line the same way */
    RUN_RC(3, "mkfifo \"$T/f3\"; (sleep 20) > \"$T/f3\" & p=$!; $B login --paste "
              "--cacert \"$CA\" --wait 1 < \"$T/f3\"; rc=$?; kill $p; exit $rc");
    ERR_HAS("no line on stdin within 1 s");
}

/* A code obtained with PKCE elsewhere (here: curl) is exchanged with its verifier. */
static void code_with_verifier(void **state)
{
    (void)state;
    NEED_SERVER();
    static const char pkce_client[] = "3MVG9sfoauth.Demo.Public.PKCE.Rotating";
    RUN_OK("v=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk; echo \"$v\" > \"$T/ver\"; "
           "ch=$(printf %%s \"$v\" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | "
           "tr -d '=\n'); curl -s -o /dev/null -w '%%{redirect_url}' --cacert \"$CA\" "
           "\"$URL/services/oauth2/authorize?response_type=code&client_id=%s&redirect_uri="
           "http%%3A%%2F%%2Flocalhost%%3A1717%%2FOauthRedirect&code_challenge=$ch&"
           "code_challenge_method=S256&state=st\" > \"$T/cb\"; "
           "$B code --client-id %s --cacert \"$CA\" --callback-url \"$T/cb\" "
           "--code-verifier \"$T/ver\" --field token_type",
           pkce_client, pkce_client);
    OUT_HAS("Bearer");
    /* without the verifier the server refuses the code (the server's answer: 7) */
    RUN_RC(7,
           "ch=$(printf %%s dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk | openssl dgst "
           "-sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n'); curl -s -o /dev/null "
           "-w '%%{redirect_url}' --cacert \"$CA\" \"$URL/services/oauth2/authorize?"
           "response_type=code&client_id=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A1717"
           "%%2FOauthRedirect&code_challenge=$ch&code_challenge_method=S256&state=st\" "
           "> \"$T/cb\"; $B code --client-id %s --cacert \"$CA\" --callback-url \"$T/cb\"",
           pkce_client, pkce_client);
}

/* revoke without a client id: no client authentication is sent (Salesforce's revoke
 * endpoint takes the token alone). */
static void revoke_without_client(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_OK(JWT " --field access_token > \"$T/at\"");
    RUN_OK("env -u SFOAUTH_CLIENT_ID $B revoke --cacert \"$CA\" --token-file \"$T/at\" -v");
    OUT_HAS("\"revoked\": true");
    RUN_RC(7, "$B userinfo --cacert \"$CA\" --token-file \"$T/at\"");
}

/* -------------------------------------------------------------------------- install */

static void install_stripped(void **state)
{
    (void)state;
    RUN_OK("make --no-print-directory -C '%s' BUILD='%s' BACKEND=%s DESTDIR=\"$T/inst\" "
           "PREFIX=/usr install >/dev/null",
           t_root(), t_build(), backend());
    RUN_OK("test -x \"$T/inst/usr/bin/sfoauth\" && "
           "test -f \"$T/inst/usr/share/bash-completion/completions/sfoauth\" && "
           "test -f \"$T/inst/usr/share/man/man1/sfoauth.1\" && "
           "readelf -S \"$T/inst/usr/bin/sfoauth\" | grep -c symtab || true");
    assert_string_equal(g_c.out, "0\n");
    RUN_OK("\"$T/inst/usr/bin/sfoauth\" --version");
}

static int setup(void **state)
{
    (void)state;
    if (t_cli_up(&g_c, "admin-test", false) != 0) return -1;
    unsetenv("SSL_CERT_FILE");
    unsetenv("SSL_CERT_DIR");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_cli_down(&g_c);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_per_command),      cmocka_unit_test(man_page_and_completion),
        cmocka_unit_test(flags_not_silent),      cmocka_unit_test(network_errors),
        cmocka_unit_test(trust_sources),         cmocka_unit_test(signature_names_secret_source),
        cmocka_unit_test(time_limits),           cmocka_unit_test(script_outputs),
        cmocka_unit_test(server_values_checked), cmocka_unit_test(person_input_is_a_line),
        cmocka_unit_test(code_with_verifier),    cmocka_unit_test(revoke_without_client),
        cmocka_unit_test(install_stripped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
