/*
 * The sfoauth binary's error paths, each with its exit code and one clear
 * line: --key problems told apart (missing, unreadable, a directory, a
 * certificate, a public key, encrypted keys, EC keys, not PEM/DER), bad
 * --cacert, refused connection, bad URLs, usage errors, server errors, cache
 * refusals, bad callback input. With SFO_VALGRIND set (make test VALGRIND=1)
 * every run is under valgrind memcheck (exit 99 on any memory error or leak);
 * a SAN=1 build runs the sanitized binary. Both through the test server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clirun.h"

static struct t_cli g_c;

#define RUN_RC      T_RUN_RC
#define ERR_HAS     T_ERR_HAS
#define NEED_SERVER T_NEED_SERVER

#define JWT "$B jwt --cacert \"$CA\" --key"

static int setup(void **state)
{
    (void)state;
    if (t_cli_up(&g_c, "errpaths-test", true) != 0) return -1;
    if (t_cli_valgrind()) fprintf(stderr, "NOTE: sfoauth runs under valgrind memcheck\n");
    /* key files of every wrong kind, made by openssl from the test key */
    return t_cli_sh(
               &g_c,
               "cd \"$T\" && K=\"$PKI/client.key\" && "
               "openssl x509 -in \"$PKI/client.pem\" -outform DER -out cert.der && "
               "openssl rsa -in \"$K\" -pubout -out pub.pem && "
               "openssl rsa -in \"$K\" -RSAPublicKey_out -out rsapub.pem && "
               "openssl rsa -in \"$K\" -pubout -outform DER -out pub.der && "
               "openssl rsa -in \"$K\" -traditional -aes256 -passout pass:x -out trad-enc.pem && "
               "openssl pkcs8 -topk8 -in \"$K\" -outform DER -v2 aes-256-cbc -passout pass:x "
               "-out enc.der && "
               "openssl ec -in \"$PKI/ec.key\" -outform DER -out ec.der && "
               "echo 'not a key' > text.txt && cat \"$PKI/client.pem\" \"$K\" > combined.pem && "
               "cp \"$K\" unreadable.key && chmod 600 unreadable.key && "
               ": > empty") == 0
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    t_cli_down(&g_c);
    return 0;
}

/* One "sfoauth: --key FILE: <what>" line, exit 3. dir: "T" the scratch
 * directory, "P" the test PKI, "" file is absolute. */
static void key_says(const char *dir, const char *file, const char *what)
{
    char path[1024], want[2048];
    snprintf(path, sizeof path, "%s%s%s",
             dir[0] == 'T'   ? g_c.tmp
             : dir[0] == 'P' ? g_c.pki
                             : "",
             dir[0] ? "/" : "", file);
    RUN_RC(3, JWT " '%s'", path);
    snprintf(want, sizeof want, "sfoauth: --key %s: %s", path, what);
    ERR_HAS(want);
    assert_null(strchr(strchr(g_c.err, '\n') + 1, ':')); /* one line */
}

static void key_errors(void **state)
{
    (void)state;
    key_says("", "/nonexistent/key.pem", "cannot open: No such file or directory");
    key_says("T", "", "a directory, not a key file");
    key_says("T", "empty", "empty file");
    key_says("", "/dev/zero", "larger than 65536 bytes");
    key_says("P", "client.pem", "a certificate, not a private key");
    key_says("T", "cert.der", "a certificate (DER), not a private key");
    key_says("T", "pub.pem", "a public key");
    key_says("T", "pub.der", "a public key (DER)");
    key_says("T", "rsapub.pem", "an RSA public key (PKCS#1)");
    key_says("P", "client-enc.pem", "an encrypted private key (PKCS#8)");
    key_says("T", "enc.der", "an encrypted private key (PKCS#8, DER)");
    key_says("T", "trad-enc.pem", "an encrypted private key (Proc-Type: 4,ENCRYPTED)");
    key_says("P", "ec.key", "an EC private key: only RSA keys");
    key_says("T", "ec.der", "an EC private key (DER): only RSA keys");
    key_says("T", "text.txt", "neither a PEM nor a DER private key");
    /* not readable by this user: the OS error text */
    RUN_RC(3, "chmod 711 \"$T\"; setpriv --reuid=65534 --regid=65534 --clear-groups " JWT
              " \"$T/unreadable.key\"; rc=$?; chmod 700 \"$T\"; exit $rc");
    ERR_HAS("unreadable.key: cannot open: Permission denied");
    /* the library's own judgement stays: a 1024-bit RSA key */
    RUN_RC(3, JWT " \"$PKI/rsa1024.key\"");
    ERR_HAS("SFO_E_KEY");
}

static void good_key_forms(void **state)
{
    (void)state;
    NEED_SERVER();
    /* a certificate in the same file, PKCS#8 PEM, DER, stdin: all usable */
    RUN_RC(0, JWT " \"$T/combined.pem\" --field token_type");
    RUN_RC(0, JWT " \"$PKI/client-pkcs8.pem\" --field token_type");
    RUN_RC(0, JWT " \"$PKI/client-pkcs8.der\" --field token_type");
    RUN_RC(0, JWT " \"$PKI/client-pkcs1.der\" --field token_type");
    RUN_RC(0, JWT " - --field token_type < \"$KEY\"");
    assert_string_equal(g_c.out, "Bearer\n");
}

static void trust_network_url_errors(void **state)
{
    (void)state;
    /* the trust anchor file is local input (exit 3), named with the reason */
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert /nonexistent/ca.pem");
    ERR_HAS("No such file or directory");
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert \"$T/text.txt\"");
    ERR_HAS("SFO_E_TLS_CA");
    RUN_RC(4, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url https://127.0.0.1:1");
    ERR_HAS("SFO_E_CONNREFUSED");
    RUN_RC(4, "$B jwt -v --key \"$KEY\" --cacert \"$CA\" --login-url https://127.0.0.1:1");
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url 'ftp://127.0.0.1/'");
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert \"$CA\" --login-url 'https://user@127.0.0.1/'");
    RUN_RC(3, "$B jwt --key \"$KEY\" --cacert \"$CA\" --token-url 'https://127.0.0.1:99999/'");
}

static void usage_errors(void **state)
{
    (void)state;
    RUN_RC(2, "$B");
    RUN_RC(2, "$B frobnicate");
    RUN_RC(2, "$B jwt --no-such-option");
    RUN_RC(2, "$B jwt --timeout 0");
    RUN_RC(2, "$B jwt --key \"$KEY\" --username ''");
    RUN_RC(2, "$B client-credentials --client-secret s3cr3t");
    RUN_RC(2, "$B code --code aPrxSECRET");
    RUN_RC(2, "$B introspect --cacert \"$CA\"");
    RUN_RC(2, "$B refresh --cacert \"$CA\"");
    RUN_RC(2, "$B token --cacert \"$CA\"");
    RUN_RC(2, "echo x | $B code --code - --client-secret-file - --cacert \"$CA\"");
    RUN_RC(3, "$B code --code - --cacert \"$CA\" < /dev/null");
    RUN_RC(3, "$B client-credentials --client-secret-file \"$T/empty\" --cacert \"$CA\"");
    RUN_RC(3, "$B decode-url 'bad%%zz'");
    RUN_RC(3, "$B decode-url --param nope '?code=1'");
    RUN_RC(3, "$B login --paste --cacert \"$CA\" < /dev/null");
    RUN_RC(3, "printf 'no newline and no code' | $B login --paste --cacert \"$CA\"");
}

static void server_errors(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_RC(7, "$B jwt --key \"$KEY\" --cacert \"$CA\" --username stranger@example.com");
    ERR_HAS("invalid_grant");
    RUN_RC(7, "$B jwt -v --key \"$KEY\" --cacert \"$CA\" --username stranger@example.com");
    RUN_RC(5, "$B jwt --key \"$KEY\" --cacert \"$PKI/other-ca.pem\"");
    ERR_HAS("SFO_E_TLS_UNTRUSTED");
    RUN_RC(0, "curl -s --cacert \"$CA\" -d kind=html -d status=500 -d count=5 "
              "\"$URL/test/fault\"");
    RUN_RC(6, "$B jwt --key \"$KEY\" --cacert \"$CA\" --timeout 5");
    RUN_RC(0, "curl -s --cacert \"$CA\" -X POST \"$URL/test/faults/clear\"");
    RUN_RC(7, "echo 'bogus-token-value' > \"$T/bad-at\"; "
              "$B userinfo --token-file \"$T/bad-at\" --cacert \"$CA\"");
    RUN_RC(7, "echo 'aPrxNOTACODE%%3D%%3D' | $B code --code - --client-secret-file \"$SEC\" "
              "--cacert \"$CA\"");
    RUN_RC(3, "echo 'http://localhost:1717/OauthRedirect?code=aPrxC0DE&state=forged' | "
              "$B login --paste --cacert \"$CA\"");
    RUN_RC(3, "echo 'http://localhost:1717/OauthRedirect?state=x' > \"$T/cb\"; "
              "$B code --callback-url \"$T/cb\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
    RUN_RC(3, "echo 'http://[bad/cb?code=1' > \"$T/cb\"; "
              "$B code --callback-url \"$T/cb\" --client-secret-file \"$SEC\" --cacert \"$CA\"");
}

static void cache_refusals(void **state)
{
    (void)state;
    NEED_SERVER();
    RUN_RC(0, "$B jwt --key \"$KEY\" --cacert \"$CA\" --cache \"$T/good.json\" >/dev/null");
    RUN_RC(2, "ln -sf \"$T/good.json\" \"$T/link.json\"; "
              "$B token -v --cacert \"$CA\" --cache \"$T/link.json\"");
    ERR_HAS("not used: it is a symbolic link");
    RUN_RC(0, "cp \"$T/good.json\" \"$T/other.json\"; chown 65534 \"$T/other.json\"; "
              "$B token --cacert \"$CA\" --key \"$KEY\" --cache \"$T/other.json\"");
    RUN_RC(3, "mkfifo \"$T/fifo.json\"; timeout 60 $B token --cacert \"$CA\" --key \"$KEY\" "
              "--cache \"$T/fifo.json\"");
    RUN_RC(3, "$B token --cacert \"$CA\" --key \"$KEY\" --cache \"$T/nodir/c.json\"");
    RUN_RC(3, "ln -s \"$T/planted\" \"$T/l.json.lock\"; "
              "$B token --cacert \"$CA\" --key \"$KEY\" --cache \"$T/l.json\"");
    RUN_RC(0, "echo '{broken' > \"$T/broken.json\"; chmod 600 \"$T/broken.json\"; "
              "$B token -v --cacert \"$CA\" --key \"$KEY\" --cache \"$T/broken.json\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_errors),
        cmocka_unit_test(good_key_forms),
        cmocka_unit_test(trust_network_url_errors),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(server_errors),
        cmocka_unit_test(cache_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
