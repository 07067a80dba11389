/* JWT (RS256) and PKCE with the real port crypto: RFC 7515 A.2, RFC 7636
 * Appendix B, a library-made JWT verified by pyjwt, key errors, the
 * Salesforce signature check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "oauth_int.h"
#include "testenv.h"

static struct sfo_posix_port g_pp;
static struct sfo_port g_port;

static int setup(void **st)
{
    (void)st;
    return sfo_posix_port_init(&g_pp, NULL, &g_port) == SFO_OK ? 0 : -1;
}
static int teardown(void **st)
{
    (void)st;
    sfo_posix_port_deinit(&g_pp);
    return 0;
}

static char *vec(const char *name, size_t *n)
{
    char *s = t_read_file(t_path("%s/testdata/vectors/%s", t_shared(), name), n);
    assert_non_null(s);
    return s;
}

static void trim(char *s, size_t *n)
{
    while (*n > 0 && (s[*n - 1] == '\n' || s[*n - 1] == '\r' || s[*n - 1] == ' ')) s[--*n] = '\0';
}

static void rfc7515_a2(void **st)
{
    (void)st;
    size_t kn, in, sn, sl;
    char *key = vec("jws-rfc7515-a2/private_key_pkcs1.pem", &kn);
    char *input = vec("jws-rfc7515-a2/signing_input.txt", &in);
    char *want = vec("jws-rfc7515-a2/signature.b64url", &sn);
    trim(input, &in);
    trim(want, &sn);
    uint8_t dig[32], sig[SFO_RSA_MAX_SIG];
    struct sfo_iov iov = { input, in };
    char out[800];
    assert_int_equal(g_port.sha256(g_port.ctx, &iov, 1, dig), SFO_OK);
    assert_int_equal(g_port.key_load(g_port.ctx, (uint8_t *)key, kn), SFO_OK);
    assert_int_equal(g_port.rsa_sign(g_port.ctx, dig, sig, sizeof sig, &sl), SFO_OK);
    g_port.key_clear(g_port.ctx);
    assert_int_equal(sfo_b64url_encode(sig, sl, out, sizeof out, NULL), SFO_OK);
    assert_string_equal(out, want);
    /* the header this library always sends is the RFC's protected header minus
     * whitespace: check the constant against base64url of {"alg":"RS256"} */
    assert_int_equal(
        sfo_b64url_encode((const uint8_t *)"{\"alg\":\"RS256\"}", 15, out, sizeof out, NULL),
        SFO_OK);
    assert_string_equal(out, "eyJhbGciOiJSUzI1NiJ9");
    free(key);
    free(input);
    free(want);
}

/* "key": "value" from a flat JSON vector file (first occurrence). */
static void json_str(const char *doc, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(doc, pat);
    assert_non_null(p);
    p += strlen(pat);
    const char *e = strchr(p, '"');
    assert_true((size_t)(e - p) < cap);
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
}

static void pkce_rfc7636(void **st)
{
    (void)st;
    size_t n;
    char *doc = vec("pkce_rfc7636.json", &n);
    char v[160], want[64], ch[SFO_CHALLENGE_LEN + 1];
    json_str(doc, "code_verifier", v, sizeof v);
    json_str(doc, "code_challenge", want, sizeof want);
    assert_int_equal(sfo_pkce_challenge(&g_port, v, strlen(v), ch), SFO_OK);
    assert_string_equal(ch, want);
    /* syntax cases: every "code_verifier" with its "valid" flag */
    const char *p = strstr(doc, "\"cases\"");
    int seen = 0;
    while ((p = strstr(p, "\"code_verifier\": \"")) != NULL) {
        p += 18;
        const char *e = strchr(p, '"');
        const char *valid = strstr(e, "\"valid\": ");
        bool ok = strncmp(valid + 9, "true", 4) == 0;
        assert_int_equal(sfo_pkce_challenge(&g_port, p, (size_t)(e - p), ch) == SFO_OK, ok);
        seen++;
    }
    assert_true(seen >= 10);
    /* a generated verifier: 43 chars, valid, and its challenge in the URL */
    struct sfo_client c;
    struct sfo_authz s;
    struct sfo_authz_params ap = { .redirect_uri = "http://localhost:1717/OauthRedirect",
                                   .pkce = true };
    uint8_t work[SFO_WORK_MIN];
    char url[512];
    assert_int_equal(
        sfo_client_init(&c, &g_port, "https://login.salesforce.com", "CID", work, sizeof work),
        SFO_OK);
    assert_int_equal(sfo_authorize_url(&c, &ap, &s, url, sizeof url, NULL), SFO_OK);
    assert_int_equal(strlen(s.verifier), 43);
    assert_int_equal(sfo_pkce_challenge(&g_port, s.verifier, 43, ch), SFO_OK);
    char frag[128];
    snprintf(frag, sizeof frag, "&code_challenge=%s&code_challenge_method=S256", ch);
    assert_non_null(strstr(url, frag));
    free(doc);
}

static void jwt_pyjwt(void **st)
{
    (void)st;
    const char *pki = t_pki();
    size_t kn, n;
    char *key = t_read_file(t_path("%s/client.key", pki), &kn);
    assert_non_null(key);
    struct sfo_client c;
    uint8_t work[2048];
    char jwt[1200];
    assert_int_equal(sfo_client_init(&c, &g_port, "https://acme--dev.sandbox.my.salesforce.com",
                                     "3MVG9\"q\\x", work, sizeof work),
                     SFO_OK);
    struct sfo_jwt j = { .username = "user@example.com.dev", .key = (uint8_t *)key, .key_len = kn };
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, &n), SFO_OK);
    assert_int_equal(strlen(jwt), n);
    assert_int_equal(strncmp(jwt, "eyJhbGciOiJSUzI1NiJ9.", 21), 0);
    /* too small a buffer: an error, not a truncation */
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, 300, NULL), SFO_E_TOO_LONG);
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, &n), SFO_OK);
    const char *path = t_path("%s/jwt-test.txt", t_build());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(jwt, f);
    fclose(f);
    long now = (long)g_port.wall_s(g_port.ctx);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s -c 'import jwt,sys\n"
             "from cryptography import x509\n"
             "cert=x509.load_pem_x509_certificate(open(\"%s/client.pem\",\"rb\").read())\n"
             "t=open(\"%s\").read()\n"
             "h=jwt.get_unverified_header(t)\n"
             "assert h=={\"alg\":\"RS256\"}, h\n"
             "c=jwt.decode(t,cert.public_key(),algorithms=[\"RS256\"],audience=\"https://"
             "test.salesforce.com\")\n"
             "assert c[\"iss\"]==\"3MVG9\\\"q\\\\x\", c\n"
             "assert c[\"sub\"]==\"user@example.com.dev\"\n"
             "assert set(c)=={\"iss\",\"sub\",\"aud\",\"exp\"}\n"
             "assert %ld+170 <= c[\"exp\"] <= %ld+190, c\n'",
             t_python(), pki, path, now, now);
    assert_int_equal(system(cmd), 0);
    /* audience override and lifetime */
    j.audience = "https://acme.my.site.com/customers";
    j.lifetime_s = 120;
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, &n), SFO_OK);
    f = fopen(path, "w");
    fputs(jwt, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "%s -c 'import jwt\n"
             "from cryptography import x509\n"
             "cert=x509.load_pem_x509_certificate(open(\"%s/client.pem\",\"rb\").read())\n"
             "c=jwt.decode(open(\"%s\").read(),cert.public_key(),algorithms=[\"RS256\"],audience="
             "\"https://acme.my.site.com/customers\")\n"
             "assert %ld+110 <= c[\"exp\"] <= %ld+130'",
             t_python(), pki, path, now, now);
    assert_int_equal(system(cmd), 0);
    free(key);
}

static void jwt_key_errors(void **st)
{
    (void)st;
    const char *pki = t_pki();
    struct sfo_client c;
    uint8_t work[SFO_WORK_MIN];
    char jwt[1500];
    size_t kn;
    assert_int_equal(
        sfo_client_init(&c, &g_port, "https://login.salesforce.com", "CID", work, sizeof work),
        SFO_OK);
    struct sfo_jwt j = { .username = "u" };
    char *ec = t_read_file(t_path("%s/ec.key", pki), &kn);
    j.key = (uint8_t *)ec;
    j.key_len = kn;
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, NULL), SFO_E_KEY_TYPE);
    free(ec);
    j.key = (const uint8_t *)"-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n";
    j.key_len = strlen((const char *)j.key) + 1;
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, NULL), SFO_E_KEY);
    char *der = t_read_file(t_path("%s/client-pkcs8.der", pki), &kn);
    j.key = (uint8_t *)der;
    j.key_len = kn;
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, NULL), SFO_OK);
    free(der);
    j.username = "\xff";
    assert_int_equal(sfo_jwt_build(&c, &j, jwt, sizeof jwt, NULL), SFO_E_JSON_UTF8);
}

static void signature(void **st)
{
    (void)st;
    const uint8_t *k = (const uint8_t *)"Jefe";
    assert_int_equal(sfo_signature_check(&g_port, k, 4, "what do ya want ", "for nothing?",
                                         "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="),
                     SFO_OK);
    assert_int_equal(sfo_signature_check(&g_port, k, 4, "what do ya want ", "for nothing!",
                                         "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="),
                     SFO_E_SIGNATURE);
    assert_int_equal(sfo_signature_check(&g_port, k, 4, "what do ya want ", "for nothing?",
                                         "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM"),
                     SFO_E_SIGNATURE);
    assert_int_equal(sfo_signature_check(&g_port, k, 4, NULL, "x", "y"), SFO_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc7515_a2), cmocka_unit_test(pkce_rfc7636),
        cmocka_unit_test(jwt_pyjwt),  cmocka_unit_test(jwt_key_errors),
        cmocka_unit_test(signature),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
