/*
 * URL parser, percent-decoder (vectors from
 * $SFO_SHARED/testdata/vectors/url_percent_decode.json), query lookup and
 * the pair iterator.
 *
 * Decisions for the implementation-defined percent-decoding cases: the
 * decoder works on bytes, so invalid UTF-8 results are accepted as the bytes
 * given in expected_hex_if_accepted, and a raw space passes through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_codec.h"
#include "vecjson.h"

/* ---- percent-decoding ------------------------------------------------------------ */

static void pct_vectors(void **state)
{
    (void)state;
    struct vj *doc = vj_load("url_percent_decode.json");
    struct vj *arr = vj_get(doc, "cases");
    size_t count = 0, runs = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        size_t il = 0, wl, ol;
        const char *id = vj_str(e, "id", NULL);
        const char *in = vj_str(e, "input", &il);
        const char *mode = vj_str(e, "mode", NULL);
        const char *result = vj_str(e, "result", NULL);
        const char *hex =
            vj_str(e,
                   strcmp(result, "implementation_defined") == 0 ? "expected_hex_if_accepted"
                                                                 : "expected_hex",
                   NULL);

        for (int m = 0; m < 2; m++) {
            if (strcmp(mode, "both") != 0 && strcmp(mode, m ? "form" : "component") != 0) continue;
            char out[256];
            runs++;
            int r = sfo_pct_decode(in, il, m ? SFO_PCT_FORM : SFO_PCT_PATH, out, sizeof out, &ol);
            if (strcmp(result, "reject") == 0) {
                if (r != SFO_E_PCT) fail_msg("%s (mode %d): expected SFO_E_PCT, got %d", id, m, r);
                assert_int_equal(out[0], '\0');
                continue;
            }
            uint8_t *want = vj_unhex(hex, &wl);
            if (r != SFO_OK) fail_msg("%s (mode %d): expected accept, got %d", id, m, r);
            assert_int_equal(ol, wl);
            assert_memory_equal(out, want, wl);
            assert_int_equal(out[wl], '\0');
            /* exact fit and one short */
            assert_int_equal(sfo_pct_decode(in, il, (enum sfo_pct_mode)m, out, wl + 1, &ol),
                             SFO_OK);
            if (wl > 0) {
                if (sfo_pct_decode(in, il, (enum sfo_pct_mode)m, out, wl, &ol) != SFO_E_TOO_LONG)
                    fail_msg("%s: one-short capacity not refused", id);
                assert_int_equal(out[0], '\0');
            }
            free(want);
        }
    }
    assert_int_equal(count, 63);
    assert_true(runs > 63);
    vj_free(doc);
}

static void pct_extra(void **state)
{
    (void)state;
    char out[16];
    size_t ol;

    /* a raw NUL byte would cut the C string just like %00 */
    assert_int_equal(sfo_pct_decode("a\0b", 3, SFO_PCT_PATH, out, sizeof out, &ol), SFO_E_PCT);
    /* escape split at the end of the given length */
    assert_int_equal(sfo_pct_decode("%41", 2, SFO_PCT_PATH, out, sizeof out, &ol), SFO_E_PCT);
    assert_int_equal(sfo_pct_decode("%41", 3, SFO_PCT_PATH, out, sizeof out, NULL), SFO_OK);
    assert_string_equal(out, "A");
    assert_int_equal(sfo_pct_decode(NULL, 0, SFO_PCT_FORM, out, 1, &ol), SFO_OK);
    assert_int_equal(ol, 0);
    assert_int_equal(sfo_pct_decode(NULL, 1, SFO_PCT_FORM, out, 1, &ol), SFO_E_ARG);
    assert_int_equal(sfo_pct_decode("a", 1, SFO_PCT_FORM, NULL, 1, &ol), SFO_E_ARG);
    assert_int_equal(sfo_pct_decode("a", 1, SFO_PCT_FORM, out, 0, &ol), SFO_E_ARG);
    /* an error wipes the partial output */
    memset(out, 'x', sizeof out);
    assert_int_equal(sfo_pct_decode("secret%zz", 9, SFO_PCT_PATH, out, sizeof out, &ol), SFO_E_PCT);
    for (size_t i = 0; i < 7; i++) assert_int_equal(out[i], 0);
}

/* ---- URL parser ------------------------------------------------------------------ */

static int parse(const char *s, struct sfo_url *u)
{
    return sfo_url_parse(s, strlen(s), u);
}

static void span_eq(const char *p, size_t n, const char *want)
{
    if (want == NULL) {
        assert_null(p);
        assert_int_equal(n, 0);
        return;
    }
    assert_non_null(p);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
}

static void url_good(void **state)
{
    (void)state;
    struct sfo_url u;

    assert_int_equal(parse("https://login.salesforce.com/services/oauth2/token", &u), SFO_OK);
    assert_true(u.https);
    span_eq(u.host, u.host_len, "login.salesforce.com");
    assert_false(u.host_is_ipv6);
    assert_int_equal(u.port, 443);
    assert_false(u.port_explicit);
    span_eq(u.path, u.path_len, "/services/oauth2/token");
    span_eq(u.query, u.query_len, NULL);
    span_eq(u.fragment, u.fragment_len, NULL);

    assert_int_equal(parse("http://example.com", &u), SFO_OK);
    assert_false(u.https);
    assert_int_equal(u.port, 80);
    span_eq(u.path, u.path_len, "/");

    /* uppercase / mixed-case scheme */
    assert_int_equal(parse("HTTPS://Example.COM:8443/a/b?x=1#frag", &u), SFO_OK);
    assert_true(u.https);
    span_eq(u.host, u.host_len, "Example.COM");
    assert_int_equal(u.port, 8443);
    assert_true(u.port_explicit);
    span_eq(u.path, u.path_len, "/a/b");
    span_eq(u.query, u.query_len, "x=1");
    span_eq(u.fragment, u.fragment_len, "frag");
    assert_int_equal(parse("hTTp://h/", &u), SFO_OK);
    assert_false(u.https);

    /* explicit ports, including the defaults and the extremes */
    assert_int_equal(parse("http://127.0.0.1:8080/cb", &u), SFO_OK);
    span_eq(u.host, u.host_len, "127.0.0.1");
    assert_int_equal(u.port, 8080);
    assert_int_equal(parse("https://h:443", &u), SFO_OK);
    assert_int_equal(u.port, 443);
    assert_true(u.port_explicit);
    assert_int_equal(parse("http://h:1", &u), SFO_OK);
    assert_int_equal(u.port, 1);
    assert_int_equal(parse("http://h:65535/", &u), SFO_OK);
    assert_int_equal(u.port, 65535);
    assert_int_equal(parse("http://h:00080/", &u), SFO_OK);
    assert_int_equal(u.port, 80);

    /* IPv6 literals */
    assert_int_equal(parse("http://[::1]:53682/callback", &u), SFO_OK);
    assert_true(u.host_is_ipv6);
    span_eq(u.host, u.host_len, "::1");
    assert_int_equal(u.port, 53682);
    span_eq(u.path, u.path_len, "/callback");
    assert_int_equal(parse("https://[2001:DB8:0:0:8:800:200C:417A]/", &u), SFO_OK);
    span_eq(u.host, u.host_len, "2001:DB8:0:0:8:800:200C:417A");
    assert_int_equal(u.port, 443);
    assert_int_equal(parse("http://[::ffff:192.0.2.1]", &u), SFO_OK);
    span_eq(u.host, u.host_len, "::ffff:192.0.2.1");
    span_eq(u.path, u.path_len, "/");

    /* query without path, fragment without query, empty query */
    assert_int_equal(parse("http://localhost?code=1", &u), SFO_OK);
    span_eq(u.host, u.host_len, "localhost");
    span_eq(u.path, u.path_len, "/");
    span_eq(u.query, u.query_len, "code=1");
    assert_int_equal(parse("http://localhost:9#f?x", &u), SFO_OK);
    assert_int_equal(u.port, 9);
    span_eq(u.query, u.query_len, NULL);
    span_eq(u.fragment, u.fragment_len, "f?x");
    assert_int_equal(parse("http://h/p?", &u), SFO_OK);
    assert_non_null(u.query);
    assert_int_equal(u.query_len, 0);
    /* '@' after the authority is data, not user info */
    assert_int_equal(parse("http://h/p?mail=a@b", &u), SFO_OK);
    span_eq(u.query, u.query_len, "mail=a@b");

    /* the length bounds the parse: no NUL needed */
    assert_int_equal(sfo_url_parse("http://h/xyz", 10, &u), SFO_OK);
    span_eq(u.path, u.path_len, "/x");
}

static void url_bad(void **state)
{
    (void)state;
    struct sfo_url u;
    static const struct {
        const char *s;
        int err;
    } cases[] = {
        { "ftp://example.com/", SFO_E_URL_SCHEME },
        { "file:///etc/passwd", SFO_E_URL_SCHEME },
        { "httpx://h/", SFO_E_URL_SCHEME },
        { "htt://h/", SFO_E_URL_SCHEME },
        { "://h/", SFO_E_URL_SCHEME },
        { "example.com/path", SFO_E_URL },
        { "", SFO_E_URL },
        { "https:/h/", SFO_E_URL },
        { "https:h", SFO_E_URL },
        { "https:", SFO_E_URL },
        { "https://user:pw@example.com/", SFO_E_URL_USERINFO },
        { "https://user@example.com", SFO_E_URL_USERINFO },
        { "https://@example.com", SFO_E_URL_USERINFO },
        { "https://", SFO_E_URL_HOST },
        { "https:///path", SFO_E_URL_HOST },
        { "https://:443/", SFO_E_URL_HOST },
        { "https://?q", SFO_E_URL_HOST },
        { "https://exa$mple.com/", SFO_E_URL_HOST },
        { "https://exa%41mple.com/", SFO_E_URL_HOST },
        { "https://[]/", SFO_E_URL_HOST },
        { "https://[::1/", SFO_E_URL_HOST },
        { "https://[::1]x/", SFO_E_URL_HOST },
        { "https://[1]/", SFO_E_URL_HOST },
        { "https://[:g:1]/", SFO_E_URL_HOST },
        { "https://[12345::1]/", SFO_E_URL_HOST },
        { "https://[1:2:3:4:5:6:7:8:9]/", SFO_E_URL_HOST },
        { "https://[::1%25eth0]/", SFO_E_URL_HOST },
        { "https://a]b/", SFO_E_URL_HOST },
        { "https://h:0/", SFO_E_URL_PORT },
        { "https://h:65536/", SFO_E_URL_PORT },
        { "https://h:99999999999999999999/", SFO_E_URL_PORT },
        { "https://h:/", SFO_E_URL_PORT },
        { "https://h:", SFO_E_URL_PORT },
        { "https://h:8a/", SFO_E_URL_PORT },
        { "https://h:-1/", SFO_E_URL_PORT },
        { "https://h:+80/", SFO_E_URL_PORT },
        { "https://h:80:81/", SFO_E_URL_PORT },
        { "https://[::1]:/", SFO_E_URL_PORT },
        { "https://[::1]:0x50/", SFO_E_URL_PORT },
        { "https://exa mple.com/", SFO_E_URL },
        { "https://example.com/a b", SFO_E_URL },
        { " https://example.com/", SFO_E_URL },
        { "https://example.com/\n", SFO_E_URL },
        { "https://example.com/\r\nHost: evil", SFO_E_URL },
        { "https://example.com/\t", SFO_E_URL },
        { "https://example.com/\x7f", SFO_E_URL },
        { "https://example.com/\x01", SFO_E_URL },
        { "https://example.com/caf\xc3\xa9", SFO_E_URL },
    };
    char host[300];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = parse(cases[i].s, &u);
        if (r != cases[i].err)
            fail_msg("\"%s\": expected %s, got %s", cases[i].s, sfo_errname(cases[i].err),
                     sfo_errname(r));
    }
    /* NUL inside the given length */
    assert_int_equal(sfo_url_parse("https://h/\0x", 12, &u), SFO_E_URL);
    /* host length limit */
    memset(host, 'a', sizeof host);
    memcpy(host, "http://", 7);
    assert_int_equal(sfo_url_parse(host, 7 + SFO_URL_HOST_MAX, &u), SFO_OK);
    assert_int_equal(u.host_len, SFO_URL_HOST_MAX);
    assert_int_equal(sfo_url_parse(host, 7 + SFO_URL_HOST_MAX + 1, &u), SFO_E_URL_HOST);
    /* arguments */
    assert_int_equal(sfo_url_parse(NULL, 0, &u), SFO_E_ARG);
    assert_int_equal(sfo_url_parse("http://h/", 9, NULL), SFO_E_ARG);
}

/* ---- the Salesforce callback pasted by the user ---------------------------------- */

static void salesforce_callback(void **state)
{
    (void)state;
    static const char cb[] =
        "https://login.salesforce.com/oauth2/callback"
        "?code=aPrx0jWjRo8KRXs42SX1Q7A5ckVG0kWRSDd3hhRfLqgV5b7WbH9w6iqb5XmP7U0IjmfXgDJAmg%3D%3D"
        "&state=xyz";
    struct sfo_url u;
    char code[128], st[8];
    size_t cl;

    assert_int_equal(parse(cb, &u), SFO_OK);
    span_eq(u.host, u.host_len, "login.salesforce.com");
    span_eq(u.path, u.path_len, "/oauth2/callback");
    assert_int_equal(sfo_query_get(u.query, u.query_len, "code", code, sizeof code, &cl), SFO_OK);
    assert_string_equal(
        code, "aPrx0jWjRo8KRXs42SX1Q7A5ckVG0kWRSDd3hhRfLqgV5b7WbH9w6iqb5XmP7U0IjmfXgDJAmg==");
    assert_int_equal(cl, strlen(code));
    assert_int_equal(code[cl - 1], '=');
    assert_int_equal(code[cl - 2], '=');
    assert_int_equal(sfo_query_get(u.query, u.query_len, "state", st, sizeof st, NULL), SFO_OK);
    assert_string_equal(st, "xyz");
    assert_int_equal(sfo_query_get(u.query, u.query_len, "error", st, sizeof st, NULL),
                     SFO_E_NOT_FOUND);
    /* exact fit and one short for the code */
    assert_int_equal(sfo_query_get(u.query, u.query_len, "code", code, cl + 1, NULL), SFO_OK);
    assert_int_equal(sfo_query_get(u.query, u.query_len, "code", code, cl, NULL), SFO_E_TOO_LONG);
    assert_int_equal(code[0], '\0');
}

/* ---- query lookup and iteration ------------------------------------------------- */

static int get(const char *q, const char *name, char *out, size_t cap)
{
    size_t ol = 999;
    int r = sfo_query_get(q, strlen(q), name, out, cap, &ol);
    if (r == SFO_OK) assert_int_equal(ol, strlen(out));
    return r;
}

static void query_lookup(void **state)
{
    (void)state;
    char v[32];

    assert_int_equal(get("a=1&b=2", "b", v, sizeof v), SFO_OK);
    assert_string_equal(v, "2");
    assert_int_equal(get("a=1&b=2", "c", v, sizeof v), SFO_E_NOT_FOUND);
    assert_string_equal(v, "");
    assert_int_equal(get("", "a", v, sizeof v), SFO_E_NOT_FOUND);
    assert_int_equal(get("ab=1", "a", v, sizeof v), SFO_E_NOT_FOUND);
    assert_int_equal(get("a=1", "ab", v, sizeof v), SFO_E_NOT_FOUND);
    /* duplicates are refused, and the first value is not left behind */
    assert_int_equal(get("code=one&x=1&code=two", "code", v, sizeof v), SFO_E_DUPLICATE);
    assert_string_equal(v, "");
    assert_int_equal(get("code=one&code", "code", v, sizeof v), SFO_E_DUPLICATE);
    /* empty values: "a=" and a bare "a" */
    strcpy(v, "junk");
    assert_int_equal(get("a=&b=1", "a", v, sizeof v), SFO_OK);
    assert_string_equal(v, "");
    strcpy(v, "junk");
    assert_int_equal(get("b=1&a", "a", v, sizeof v), SFO_OK);
    assert_string_equal(v, "");
    /* '+' is a space in query strings, %2B a plus; '=' inside a value stays */
    assert_int_equal(get("q=a+b%2Bc&r=x=y", "q", v, sizeof v), SFO_OK);
    assert_string_equal(v, "a b+c");
    assert_int_equal(get("q=a+b%2Bc&r=x=y", "r", v, sizeof v), SFO_OK);
    assert_string_equal(v, "x=y");
    /* names are compared after decoding */
    assert_int_equal(get("redirect%5Furi=x&a%20b=1&c+d=2", "redirect_uri", v, sizeof v), SFO_OK);
    assert_string_equal(v, "x");
    assert_int_equal(get("redirect%5Furi=x&a%20b=1&c+d=2", "a b", v, sizeof v), SFO_OK);
    assert_string_equal(v, "1");
    assert_int_equal(get("redirect%5Furi=x&a%20b=1&c+d=2", "c d", v, sizeof v), SFO_OK);
    assert_string_equal(v, "2");
    assert_int_equal(get("%63ode=1&code=2", "code", v, sizeof v), SFO_E_DUPLICATE);
    /* empty pairs are skipped */
    assert_int_equal(get("&&a=1&&", "a", v, sizeof v), SFO_OK);
    assert_string_equal(v, "1");
    /* bad escapes: in the wanted value, in any name (even after the match) */
    assert_int_equal(get("a=%zz", "a", v, sizeof v), SFO_E_PCT);
    assert_int_equal(get("a=1&b%zz=2", "a", v, sizeof v), SFO_E_PCT);
    assert_string_equal(v, "");
    assert_int_equal(get("b%4=2&a=1", "a", v, sizeof v), SFO_E_PCT);
    assert_int_equal(get("a=%00", "a", v, sizeof v), SFO_E_PCT);
    /* other pairs' values are not decoded */
    assert_int_equal(get("b=%zz&a=1", "a", v, sizeof v), SFO_OK);
    /* capacity */
    assert_int_equal(get("a=1234", "a", v, 5), SFO_OK);
    assert_int_equal(get("a=1234", "a", v, 4), SFO_E_TOO_LONG);
    assert_string_equal(v, "");
    /* arguments */
    assert_int_equal(sfo_query_get(NULL, 1, "a", v, sizeof v, NULL), SFO_E_ARG);
    assert_int_equal(sfo_query_get("a=1", 3, NULL, v, sizeof v, NULL), SFO_E_ARG);
    assert_int_equal(sfo_query_get("a=1", 3, "a", NULL, 4, NULL), SFO_E_ARG);
    assert_int_equal(sfo_query_get("a=1", 3, "a", v, 0, NULL), SFO_E_ARG);
    assert_int_equal(sfo_query_get(NULL, 0, "a", v, sizeof v, NULL), SFO_E_NOT_FOUND);
}

static void query_iterate(void **state)
{
    (void)state;
    static const char body[] = "&grant_type=authorization_code&&code=a%3D&empty=&bare&=v&";
    static const char *const want[][2] = {
        { "grant_type", "authorization_code" },
        { "code", "a%3D" },
        { "empty", "" },
        { "bare", "" },
        { "", "v" },
    };
    size_t pos = 0, nl, vl, i = 0;
    const char *np, *vp;
    int r;

    while ((r = sfo_query_next(body, strlen(body), &pos, &np, &nl, &vp, &vl)) == SFO_OK) {
        assert_true(i < 5);
        span_eq(np, nl, want[i][0]);
        assert_int_equal(vl, strlen(want[i][1]));
        assert_memory_equal(vp, want[i][1], vl);
        i++;
    }
    assert_int_equal(r, SFO_E_NOT_FOUND);
    assert_int_equal(i, 5);
    /* stays at the end */
    assert_int_equal(sfo_query_next(body, strlen(body), &pos, &np, &nl, &vp, &vl), SFO_E_NOT_FOUND);
    /* the length bounds the walk */
    pos = 0;
    assert_int_equal(sfo_query_next("a=12&b=3", 3, &pos, &np, &nl, &vp, &vl), SFO_OK);
    assert_int_equal(vl, 1);
    assert_int_equal(sfo_query_next("a=12&b=3", 3, &pos, &np, &nl, &vp, &vl), SFO_E_NOT_FOUND);
    pos = 0;
    assert_int_equal(sfo_query_next(NULL, 0, &pos, &np, &nl, &vp, &vl), SFO_E_NOT_FOUND);
    assert_int_equal(sfo_query_next(NULL, 1, &pos, &np, &nl, &vp, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next("a", 1, NULL, &np, &nl, &vp, &vl), SFO_E_ARG);
}

/* Host character classes, short scheme separators, sfo_query_next arguments. */
static void argument_and_host_corners(void **state)
{
    (void)state;
    struct sfo_url u;
    static const char *const ok[] = { "http://A-Z.a_z.09", "https://Zz_-.9:1/", "http://_" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(sfo_url_parse(ok[i], strlen(ok[i]), &u), SFO_OK);
    static const char *const host[] = { "http://a~b", "http://a!b/", "http://[::1", "http://a%41" };
    for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
        assert_int_equal(sfo_url_parse(host[i], strlen(host[i]), &u), SFO_E_URL_HOST);
    static const char *const syn[] = { "http:", "http:/", "http:/x", "http:x/", "https:/\\" };
    for (size_t i = 0; i < sizeof syn / sizeof syn[0]; i++)
        assert_int_equal(sfo_url_parse(syn[i], strlen(syn[i]), &u), SFO_E_URL);

    size_t pos = 0, nl, vl;
    const char *np, *vp;
    assert_int_equal(sfo_query_next("a=1", 3, NULL, &np, &nl, &vp, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next("a=1", 3, &pos, NULL, &nl, &vp, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next("a=1", 3, &pos, &np, NULL, &vp, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next("a=1", 3, &pos, &np, &nl, NULL, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next("a=1", 3, &pos, &np, &nl, &vp, NULL), SFO_E_ARG);
    assert_int_equal(sfo_query_next(NULL, 1, &pos, &np, &nl, &vp, &vl), SFO_E_ARG);
    assert_int_equal(sfo_query_next(NULL, 0, &pos, &np, &nl, &vp, &vl), SFO_E_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pct_vectors),
        cmocka_unit_test(pct_extra),
        cmocka_unit_test(url_good),
        cmocka_unit_test(url_bad),
        cmocka_unit_test(salesforce_callback),
        cmocka_unit_test(query_lookup),
        cmocka_unit_test(query_iterate),
        cmocka_unit_test(argument_and_host_corners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
