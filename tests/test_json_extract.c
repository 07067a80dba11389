/* JSON field extractor on Salesforce-shaped token/error bodies, fed in random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_json.h"

#define MODES 8u /* 0 whole, 1 byte by byte, 2.. random splits (fixed seeds) */

static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static struct sfo_extract g_x;

/* Run the extractor over doc in the given split mode. */
static int run(const char *doc, size_t n, struct sfo_field *f, size_t nf, uint32_t mode)
{
    uint8_t stack[SFO_JSON_STACK_BYTES(SFO_JSON_DEFAULT_DEPTH)];
    size_t pos = 0;
    uint32_t seed = mode * 2246822519u + 7u;
    int rc;
    assert_int_equal(sfo_extract_init(&g_x, f, nf, stack, SFO_JSON_DEFAULT_DEPTH), SFO_OK);
    rc = SFO_OK;
    while (pos < n && rc == SFO_OK) {
        size_t step = n - pos;
        if (mode == 1) {
            step = 1;
        } else if (mode >= 2) {
            uint32_t r = rng_next(&seed);
            step = (r & 3) == 0 ? r % 300u : (r >> 8) % 7u + 1u;
            if (step > n - pos) step = n - pos;
        }
        char *piece = malloc(step ? step : 1);
        assert_non_null(piece);
        memcpy(piece, doc + pos, step);
        rc = sfo_extract_feed(&g_x, piece, step);
        free(piece);
        pos += step;
    }
    if (rc == SFO_OK) rc = sfo_extract_finish(&g_x);
    return rc;
}

/* Every field is reset and every buffer is all zeros. */
static void assert_all_wiped(const struct sfo_field *f, size_t nf)
{
    for (size_t i = 0; i < nf; i++) {
        assert_false(f[i].present);
        assert_int_equal(f[i].len, 0);
        if (f[i].str) {
            for (size_t k = 0; k < f[i].cap; k++) assert_int_equal(f[i].str[k], 0);
        }
    }
}

/* Buffers for the token-response field set. */
static char b_at[2200], b_rt[128], b_iu[128], b_id[128], b_tt[16], b_sig[64], b_scope[64], b_ia[32],
    b_err[64], b_desc[160];

enum {
    F_AT,
    F_RT,
    F_IU,
    F_ID,
    F_TT,
    F_SIG,
    F_SCOPE,
    F_IA_INT,
    F_IA_TEXT,
    F_EXP,
    F_ERR,
    F_DESC,
    F_N
};

static void token_fields(struct sfo_field *f)
{
    memset(f, 0, sizeof(struct sfo_field) * F_N);
    f[F_AT] = (struct sfo_field){
        .name = "access_token", .type = SFO_FIELD_STRING, .str = b_at, .cap = sizeof b_at
    };
    f[F_RT] = (struct sfo_field){
        .name = "refresh_token", .type = SFO_FIELD_STRING, .str = b_rt, .cap = sizeof b_rt
    };
    f[F_IU] = (struct sfo_field){
        .name = "instance_url", .type = SFO_FIELD_STRING, .str = b_iu, .cap = sizeof b_iu
    };
    f[F_ID] = (struct sfo_field){
        .name = "id", .type = SFO_FIELD_STRING, .str = b_id, .cap = sizeof b_id
    };
    f[F_TT] = (struct sfo_field){
        .name = "token_type", .type = SFO_FIELD_STRING, .str = b_tt, .cap = sizeof b_tt
    };
    f[F_SIG] = (struct sfo_field){
        .name = "signature", .type = SFO_FIELD_STRING, .str = b_sig, .cap = sizeof b_sig
    };
    f[F_SCOPE] = (struct sfo_field){
        .name = "scope", .type = SFO_FIELD_STRING, .str = b_scope, .cap = sizeof b_scope
    };
    f[F_IA_INT] = (struct sfo_field){ .name = "issued_at", .type = SFO_FIELD_INT };
    /* same name twice: the first field gets it; the TEXT reading is checked separately */
    f[F_IA_TEXT] = (struct sfo_field){
        .name = "issued_at_text", .type = SFO_FIELD_TEXT, .str = b_ia, .cap = sizeof b_ia
    };
    f[F_EXP] = (struct sfo_field){ .name = "expires_in", .type = SFO_FIELD_INT };
    f[F_ERR] = (struct sfo_field){
        .name = "error", .type = SFO_FIELD_STRING, .str = b_err, .cap = sizeof b_err
    };
    f[F_DESC] = (struct sfo_field){
        .name = "error_description", .type = SFO_FIELD_STRING, .str = b_desc, .cap = sizeof b_desc
    };
}

static void web_server_token(void **state)
{
    /* authorization-code success with every Salesforce field, unknown nested
     * members (objects, arrays, escaped strings) in between, odd key order */
    static const char doc[] =
        "{\"sfdc_community_url\":\"https:\\/\\/acme.my.site.com\\/s\",\n"
        "  "
        "\"id\":\"https:\\/\\/login.salesforce.com\\/id\\/00D5e000000ABCDEAA\\/"
        "0055e000003XyZ1AAK\",\n"
        "  \"extra\":{\"nested\":[1,2.5e3,{\"access_token\":\"not "
        "me\"},[[]],null,true],\"x\":\"\\u00e9\"},\n"
        "  \"issued_at\":\"1700000000123\",\n"
        "  "
        "\"access_token\":\"00D5e000000ABCD!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL_"
        "QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM\",\n"
        "  \"signature\":\"uMfVdxCh\\/gqn9vpD5QJfvoNNSAMpeWJkQdn0PxTEFbg=\",\n"
        "  \"scope\":\"refresh_token web api openid\",\n"
        "  \"id_token\":\"eyJraWQiOiIyMzIiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln\",\n"
        "  \"instance_url\":\"https://acme.my.salesforce.com\",\n"
        "  \"unused_array\":[\"a\",{\"b\":[{}]},\"\\uD83D\\uDE00\"],\n"
        "  \"token_type\":\"Bearer\",\n"
        "  "
        "\"refresh_token\":\"5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrGOJ6OCRlRWmJbyX9CZ."
        "8u8MrWtaDqCVBOuplrmr7WlIJ1mY\",\n"
        "  \"sfdc_community_id\":\"0DB5e000000abcdGAA\"}\n";
    struct sfo_field f[F_N];
    (void)state;
    token_fields(f);
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, F_N, mode), SFO_OK);
        assert_int_equal(g_x.top, SFO_JSON_OBJECT_BEGIN);
        assert_true(f[F_AT].present);
        assert_string_equal(b_at, "00D5e000000ABCD!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL_"
                                  "QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM");
        assert_int_equal(f[F_AT].len, strlen(b_at));
        assert_string_equal(
            b_id, "https://login.salesforce.com/id/00D5e000000ABCDEAA/0055e000003XyZ1AAK");
        assert_string_equal(b_sig, "uMfVdxCh/gqn9vpD5QJfvoNNSAMpeWJkQdn0PxTEFbg=");
        assert_string_equal(b_scope, "refresh_token web api openid");
        assert_string_equal(b_iu, "https://acme.my.salesforce.com");
        assert_string_equal(b_tt, "Bearer");
        assert_string_equal(b_rt, "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrGOJ6OCRlRWmJbyX9CZ."
                                  "8u8MrWtaDqCVBOuplrmr7WlIJ1mY");
        assert_true(f[F_IA_INT].present);
        assert_int_equal(f[F_IA_INT].ival, 1700000000123LL);
        assert_false(f[F_IA_TEXT].present);
        assert_false(f[F_EXP].present);
        assert_false(f[F_ERR].present);
        assert_false(f[F_DESC].present);
    }
}

static void issued_at_as_text_and_expires_in(void **state)
{
    /* issued_at read as TEXT keeps its exact digits (the signature covers them);
     * expires_in as a JSON number (RFC servers) read as INT and as TEXT */
    static const char doc[] =
        "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"ya29.a0Af\","
        "\"issued_at\":\"1700000000123\",\"refresh_token\":\"1\\/\\/0g\"}";
    char ia[14], ei[8];
    struct sfo_field f[3] = {
        { .name = "issued_at", .type = SFO_FIELD_TEXT, .str = ia, .cap = sizeof ia },
        { .name = "expires_in", .type = SFO_FIELD_INT },
        { .name = "expires_in", .type = SFO_FIELD_TEXT, .str = ei, .cap = sizeof ei },
    };
    (void)state;
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, 3, mode), SFO_OK);
        assert_true(f[0].present);
        assert_string_equal(ia, "1700000000123"); /* 13 digits + NUL: exact fit */
        assert_int_equal(f[0].len, 13);
        assert_true(f[1].present);
        assert_int_equal(f[1].ival, 3600);
        assert_false(f[2].present); /* duplicate name in the field list: first wins */
    }
    f[1].name = "unused";
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, 3, mode), SFO_OK);
        assert_true(f[2].present);
        assert_string_equal(ei, "3600");
    }
    /* one byte short for issued_at */
    f[0].cap = 13;
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, 3, mode), SFO_E_TOO_LONG);
        assert_all_wiped(f, 3);
    }
}

static void oauth_error_body(void **state)
{
    static const char doc[] =
        "{\"error\":\"invalid_grant\",\"error_description\":"
        "\"audience is invalid "
        "[audience=https:\\/\\/login.salesforce.com\\/services\\/oauth2\\/token"
        " login=https:\\/\\/login.salesforce.com]\"}";
    struct sfo_field f[F_N];
    (void)state;
    token_fields(f);
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, F_N, mode), SFO_OK);
        assert_true(f[F_ERR].present);
        assert_string_equal(b_err, "invalid_grant");
        assert_true(f[F_DESC].present);
        assert_string_equal(
            b_desc,
            "audience is invalid [audience=https://login.salesforce.com/services/oauth2/token "
            "login=https://login.salesforce.com]");
        assert_false(f[F_AT].present);
        assert_int_equal(b_at[0], 0);
    }
}

static void session_expired_array(void **state)
{
    static const char doc[] =
        "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]";
    char msg[64];
    struct sfo_field f[2] = {
        { .name = "message", .type = SFO_FIELD_STRING, .str = msg, .cap = sizeof msg },
        { .name = "errorCode", .type = SFO_FIELD_STRING, .str = b_err, .cap = sizeof b_err },
    };
    (void)state;
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, strlen(doc), f, 2, mode), SFO_OK);
        assert_int_equal(g_x.top, SFO_JSON_ARRAY_BEGIN);
        assert_false(f[0].present);
        assert_false(f[1].present);
    }
    /* a top-level scalar is valid too */
    assert_int_equal(run("\"x\"", 3, f, 2, 1), SFO_OK);
    assert_int_equal(g_x.top, SFO_JSON_STRING);
    assert_int_equal(run("42", 2, f, 2, 0), SFO_OK);
    assert_int_equal(g_x.top, SFO_JSON_NUMBER);
}

static void device_and_introspect(void **state)
{
    static const char dev[] =
        "{\"device_code\":\"M0RDVTU2MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw\",\"user_code\":\"QDZK7PA4\","
        "\"verification_uri\":\"https:\\/\\/login.salesforce.com\\/setup\\/"
        "connect\",\"interval\":5}";
    static const char intro[] =
        "{\"active\":true,\"scope\":\"api\",\"client_id\":\"3MVG9\",\"username\":\"a@b.c\","
        "\"sub\":\"https://login.salesforce.com/id/00D/005\",\"token_type\":\"access_token\","
        "\"exp\":1700003600,\"iat\":1700000000,\"nbf\":1700000000}";
    char dc[64], uc[16], vu[64];
    struct sfo_field f[5] = {
        { .name = "device_code", .type = SFO_FIELD_STRING, .str = dc, .cap = sizeof dc },
        { .name = "user_code", .type = SFO_FIELD_STRING, .str = uc, .cap = sizeof uc },
        { .name = "verification_uri", .type = SFO_FIELD_STRING, .str = vu, .cap = sizeof vu },
        { .name = "interval", .type = SFO_FIELD_INT },
        { .name = "expires_in", .type = SFO_FIELD_INT },
    };
    struct sfo_field g[3] = {
        { .name = "active", .type = SFO_FIELD_BOOL },
        { .name = "exp", .type = SFO_FIELD_INT },
        { .name = "ex", .type = SFO_FIELD_INT },
    };
    (void)state;
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(dev, strlen(dev), f, 5, mode), SFO_OK);
        assert_string_equal(dc, "M0RDVTU2MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw");
        assert_string_equal(uc, "QDZK7PA4");
        assert_string_equal(vu, "https://login.salesforce.com/setup/connect");
        assert_int_equal(f[3].ival, 5);
        assert_true(f[3].present);
        assert_false(f[4].present);
        assert_int_equal(run(intro, strlen(intro), g, 3, mode), SFO_OK);
        assert_true(g[0].present);
        assert_true(g[0].bval);
        assert_int_equal(g[1].ival, 1700003600);
        assert_false(g[2].present);
        assert_int_equal(run("{\"active\":false}", 16, g, 3, mode), SFO_OK);
        assert_true(g[0].present);
        assert_false(g[0].bval);
    }
}

static void long_values_and_keys(void **state)
{
    /* a 2000-byte token with escapes and a 100-byte key, both far over the
     * scanner's piece buffer, plus a near-miss key one byte longer */
    static char doc[4096], want[2100], key[101], keyx[102];
    size_t dn = 0, wn = 0;
    struct sfo_field f[F_N + 1];
    (void)state;
    memset(key, 'k', 100);
    key[100] = 0;
    memcpy(keyx, key, 100);
    keyx[100] = 'x';
    keyx[101] = 0;
    dn += (size_t)sprintf(doc + dn, "{\"%s\":1,\"%s\":true,\"access_token\":\"", keyx, key);
    for (int i = 0; i < 2000; i++) {
        if (i % 97 == 0) {
            memcpy(doc + dn, "\\/", 2);
            dn += 2;
            want[wn++] = '/';
        } else {
            doc[dn++] = want[wn++] = (char)('A' + i % 26);
        }
    }
    want[wn] = 0;
    dn += (size_t)sprintf(doc + dn, "\"}");
    token_fields(f);
    f[F_N] = (struct sfo_field){ .name = key, .type = SFO_FIELD_BOOL };
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, dn, f, F_N + 1, mode), SFO_OK);
        assert_true(f[F_AT].present);
        assert_int_equal(f[F_AT].len, 2000);
        assert_string_equal(b_at, want);
        assert_true(f[F_N].present);
        assert_true(f[F_N].bval);
    }
    /* exact fit and one short for the long value */
    f[F_AT].cap = 2001;
    assert_int_equal(run(doc, dn, f, F_N + 1, 3), SFO_OK);
    f[F_AT].cap = 2000;
    for (uint32_t mode = 0; mode < MODES; mode++) {
        assert_int_equal(run(doc, dn, f, F_N + 1, mode), SFO_E_TOO_LONG);
        assert_all_wiped(f, F_N + 1);
    }
}

struct bad {
    const char *doc;
    int rc;
};

static void errors(void **state)
{
    static const struct bad cases[] = {
        { "{\"access_token\":\"a\",\"access_token\":\"b\"}", SFO_E_JSON_DUPKEY },
        { "{\"access_token\":null,\"access_token\":\"b\"}", SFO_E_JSON_DUPKEY },
        { "{\"x\":1,\"x\":2,\"access_token\":\"b\"}", SFO_OK }, /* unwanted duplicates pass */
        { "{\"access_token\":123}", SFO_E_JSON_TYPE },
        { "{\"access_token\":true}", SFO_E_JSON_TYPE },
        { "{\"access_token\":{}}", SFO_E_JSON_TYPE },
        { "{\"access_token\":[\"a\"]}", SFO_E_JSON_TYPE },
        { "{\"access_token\":\"a\\u0000b\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":\"abc\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":\"\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":\"-\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":\"1-2\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":\" 12\"}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":true}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":[]}", SFO_E_JSON_TYPE },
        { "{\"expires_in\":1.5}", SFO_E_JSON_RANGE },
        { "{\"expires_in\":1e3}", SFO_E_JSON_RANGE },
        { "{\"expires_in\":9223372036854775808}", SFO_E_JSON_RANGE },
        { "{\"expires_in\":-9223372036854775809}", SFO_E_JSON_RANGE },
        { "{\"expires_in\":\"99999999999999999999\"}", SFO_E_JSON_RANGE },
        { "{\"token_type\":\"Bearer-Bearer-Bearer\"}", SFO_E_TOO_LONG },
        { "{\"access_token\":\"abc\",", SFO_E_JSON_INCOMPLETE },
        { "{\"access_token\":\"abc\"}x", SFO_E_JSON_TRAILING },
        { "{\"access_token\":\"abc\" \"x\":1}", SFO_E_JSON_SYNTAX },
        { "{\"access_token\":\"\xc3\x28\"}", SFO_E_JSON_UTF8 },
    };
    struct sfo_field f[F_N];
    (void)state;
    token_fields(f);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (uint32_t mode = 0; mode < MODES; mode++) {
            int rc = run(cases[k].doc, strlen(cases[k].doc), f, F_N, mode);
            if (rc != cases[k].rc) {
                print_message("case %zu mode %u: %s, want %s\n", k, mode, sfo_errname(rc),
                              sfo_errname(cases[k].rc));
            }
            assert_int_equal(rc, cases[k].rc);
            if (rc != SFO_OK) {
                assert_all_wiped(f, F_N);
                /* sticky */
                assert_int_equal(sfo_extract_feed(&g_x, "}", 1), rc);
                assert_int_equal(sfo_extract_finish(&g_x), rc);
            }
        }
    }
}

static void int_limits_and_null(void **state)
{
    struct {
        const char *doc;
        int64_t v;
    } ok[] = {
        { "{\"n\":9223372036854775807}", INT64_MAX },
        { "{\"n\":-9223372036854775808}", INT64_MIN },
        { "{\"n\":\"-9223372036854775808\"}", INT64_MIN },
        { "{\"n\":-0}", 0 },
        { "{\"n\":\"007\"}", 7 },
        { "{\"n\":0}", 0 },
    };
    struct sfo_field f[2] = { { .name = "n", .type = SFO_FIELD_INT },
                              { .name = "b", .type = SFO_FIELD_BOOL } };
    (void)state;
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        for (uint32_t mode = 0; mode < MODES; mode++) {
            assert_int_equal(run(ok[k].doc, strlen(ok[k].doc), f, 2, mode), SFO_OK);
            assert_true(f[0].present);
            assert_true(f[0].ival == ok[k].v);
        }
    }
    /* null is absent; nested members of the same name never match */
    const char *doc = "{\"n\":null,\"b\":null,\"o\":{\"n\":5,\"b\":true}}";
    assert_int_equal(run(doc, strlen(doc), f, 2, 1), SFO_OK);
    assert_false(f[0].present);
    assert_false(f[1].present);
}

/* UINT: a non-negative JSON integer, never a string; the member at fault is
 * x->current after an extractor error. */
static void uint_fields(void **state)
{
    static const struct {
        const char *doc;
        int want;
        int64_t v;
    } cases[] = {
        { "{\"n\":0}", SFO_OK, 0 },
        { "{\"n\":9223372036854775807}", SFO_OK, INT64_MAX },
        { "{\"n\":9223372036854775808}", SFO_E_JSON_RANGE, 0 },
        { "{\"n\":-1}", SFO_E_JSON_RANGE, 0 },
        { "{\"n\":-0}", SFO_E_JSON_RANGE, 0 },
        { "{\"n\":1.5}", SFO_E_JSON_RANGE, 0 },
        { "{\"n\":1e3}", SFO_E_JSON_RANGE, 0 },
        { "{\"n\":\"3600\"}", SFO_E_JSON_TYPE, 0 },
        { "{\"n\":true}", SFO_E_JSON_TYPE, 0 },
        { "{\"n\":[1]}", SFO_E_JSON_TYPE, 0 },
    };
    struct sfo_field f[2] = { { .name = "b", .type = SFO_FIELD_BOOL },
                              { .name = "n", .type = SFO_FIELD_UINT } };
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (uint32_t mode = 0; mode < MODES; mode++) {
            int rc = run(cases[k].doc, strlen(cases[k].doc), f, 2, mode);
            assert_int_equal(rc, cases[k].want);
            if (rc == SFO_OK) {
                assert_true(f[1].present && f[1].ival == cases[k].v);
            } else {
                assert_int_equal(g_x.current, 1);
            }
        }
    }
    const char *dup = "{\"b\":true,\"n\":1,\"b\":false}";
    assert_int_equal(run(dup, strlen(dup), f, 2, 0), SFO_E_JSON_DUPKEY);
    assert_int_equal(g_x.current, 0);
}

static void init_args(void **state)
{
    uint8_t stack[2];
    char buf[4];
    struct sfo_field f[SFO_EXTRACT_MAX_FIELDS + 1];
    (void)state;
    memset(f, 0, sizeof f);
    for (size_t i = 0; i <= SFO_EXTRACT_MAX_FIELDS; i++) {
        f[i].name = "k";
        f[i].type = SFO_FIELD_BOOL;
    }
    f[31].name = "last";
    assert_int_equal(sfo_extract_init(&g_x, f, SFO_EXTRACT_MAX_FIELDS + 1, stack, 16), SFO_E_ARG);
    assert_int_equal(sfo_extract_init(&g_x, f, SFO_EXTRACT_MAX_FIELDS, stack, 16), SFO_OK);
    /* all 32 fields watched: the 32nd still matches */
    assert_int_equal(sfo_extract_feed(&g_x, "{\"last\":true}", 13), SFO_OK);
    assert_int_equal(sfo_extract_finish(&g_x), SFO_OK);
    assert_true(f[31].present);
    assert_int_equal(sfo_extract_init(NULL, f, 1, stack, 16), SFO_E_ARG);
    assert_int_equal(sfo_extract_init(&g_x, NULL, 1, stack, 16), SFO_E_ARG);
    assert_int_equal(sfo_extract_init(&g_x, f, 1, NULL, 16), SFO_E_ARG);
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 0), SFO_E_ARG);
    f[0].name = NULL;
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 16), SFO_E_ARG);
    f[0].name = "s";
    f[0].type = SFO_FIELD_STRING;
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 16), SFO_E_ARG);
    f[0].str = buf;
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 16), SFO_E_ARG);
    f[0].cap = 1;
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 16), SFO_OK);
    assert_int_equal(sfo_extract_feed(&g_x, "{\"s\":\"\"}", 8), SFO_OK);
    assert_int_equal(sfo_extract_finish(&g_x), SFO_OK);
    assert_true(f[0].present);
    assert_int_equal(f[0].len, 0);
    f[0].type = (enum sfo_field_type)9;
    assert_int_equal(sfo_extract_init(&g_x, f, 1, stack, 16), SFO_E_ARG);
    /* no fields at all: pure validation */
    assert_int_equal(sfo_extract_init(&g_x, NULL, 0, stack, 16), SFO_OK);
    assert_int_equal(sfo_extract_feed(&g_x, "{\"a\":1}", 7), SFO_OK);
    assert_int_equal(sfo_extract_finish(&g_x), SFO_OK);
    assert_int_equal(sfo_extract_feed(NULL, "{", 1), SFO_E_ARG);
    assert_int_equal(sfo_extract_finish(NULL), SFO_E_ARG);
}

/* Regression (found by fuzzing): a wanted value's fault used to be reported at
 * the first piece that showed it, and pieces end where the caller's splits
 * fall, so a too-long (or non-integer) value followed by a scanner error in
 * the same token gave SFO_E_TOO_LONG for small feeds but the scanner's code
 * for one feed. Now the fault is reported at the value's end: the verdict and
 * error offset are the same for every split. */
static void value_fault_verdict_split_independent(void **state)
{
    (void)state;
    char doc[160], b[32];
    struct sfo_field f[2];
    memset(f, 0, sizeof f);
    f[0] = (struct sfo_field){
        .name = "access_token", .type = SFO_FIELD_STRING, .str = b, .cap = sizeof b
    };
    f[1] = (struct sfo_field){ .name = "n", .type = SFO_FIELD_INT };

    /* 90 bytes (more than the buffer and the scanner's piece buffer), then a raw control byte */
    int k = snprintf(doc, sizeof doc, "{\"access_token\":\"%.90s\x01\"}",
                     "01234567890123456789012345678901234567890123456789012345678901234567890123456"
                     "78901234567890");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_JSON_CONTROL);
        assert_int_equal(g_x.json.err_offset, 17 + 90);
        assert_all_wiped(f, 2);
    }
    /* the same value, well formed: too long in every split, at its closing quote */
    k = snprintf(doc, sizeof doc, "{\"access_token\":\"%.90s\"}",
                 "012345678901234567890123456789012345678901234567890123456789012345678901234567890"
                 "1234567890");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_TOO_LONG);
        assert_int_equal(g_x.json.err_offset, 17 + 90);
        assert_all_wiped(f, 2);
    }
    /* too long and holding U+0000: the first fault in the value decides, in every split */
    k = snprintf(doc, sizeof doc, "{\"access_token\":\"%.70s\\u0000x\"}",
                 "0123456789012345678901234567890123456789012345678901234567890123456789");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_TOO_LONG);
        assert_all_wiped(f, 2);
    }
    k = snprintf(doc, sizeof doc, "{\"access_token\":\"01234\\u0000%.70s\"}",
                 "0123456789012345678901234567890123456789012345678901234567890123456789");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_JSON_TYPE);
        assert_all_wiped(f, 2);
    }
    /* an INT overflowing in its first piece, then a bad number: the scanner's code wins */
    k = snprintf(doc, sizeof doc, "{\"n\":%.70s.}",
                 "9999999999999999999999999999999999999999999999999999999999999999999999");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_JSON_NUMBER);
        assert_all_wiped(f, 2);
    }
    /* a string field fed a long number is refused at the number's end */
    k = snprintf(doc, sizeof doc, "{\"access_token\":%.70s}",
                 "1234567890123456789012345678901234567890123456789012345678901234567890");
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, (size_t)k, f, 2, m), SFO_E_JSON_TYPE);
        assert_int_equal(g_x.json.err_offset, (size_t)k - 1);
    }
}

/* Keys that are prefixes or extensions of wanted names, keys holding U+0000,
 * an INT given as a long digit string in pieces, NULL name / bad type at init. */
static void key_matching_corners(void **state)
{
    (void)state;
    char b[16];
    struct sfo_field f[2];
    uint8_t stack[SFO_JSON_STACK_BYTES(4)];
    memset(f, 0, sizeof f);
    f[0] = (struct sfo_field){
        .name = "access_token", .type = SFO_FIELD_STRING, .str = b, .cap = sizeof b
    };
    f[1] = (struct sfo_field){ .name = "n", .type = SFO_FIELD_INT };

    const char *doc =
        "{\"access\":\"p\",\"access_token_x\":\"q\",\"access\\u0000token\":\"r\","
        "\"n\\u0000\":\"s\",\"access_token\":\"ok\",\"n\":"
        "\"-000000000000000000000000000000000000000000000000000000000000000000000042\"}";
    for (uint32_t m = 0; m < MODES; m++) {
        assert_int_equal(run(doc, strlen(doc), f, 2, m), SFO_OK);
        assert_true(f[0].present);
        assert_string_equal(b, "ok");
        assert_true(f[1].present);
        assert_int_equal(f[1].ival, -42);
    }
    /* "-" alone and an empty string are not integers */
    assert_int_equal(run("{\"n\":\"-\"}", 8, f, 2, 0), SFO_E_JSON_TYPE);
    assert_int_equal(run("{\"n\":\"\"}", 7, f, 2, 0), SFO_E_JSON_TYPE);
    assert_int_equal(run("{\"n\":\"1-\"}", 9, f, 2, 0), SFO_E_JSON_TYPE);

    struct sfo_extract x;
    f[1].name = NULL;
    assert_int_equal(sfo_extract_init(&x, f, 2, stack, 4), SFO_E_ARG);
    f[1].name = "n";
    f[1].type = (enum sfo_field_type)0;
    assert_int_equal(sfo_extract_init(&x, f, 2, stack, 4), SFO_E_ARG);
    f[1].type = SFO_FIELD_TEXT; /* TEXT without a buffer */
    assert_int_equal(sfo_extract_init(&x, f, 2, stack, 4), SFO_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(web_server_token),
        cmocka_unit_test(issued_at_as_text_and_expires_in),
        cmocka_unit_test(oauth_error_body),
        cmocka_unit_test(session_expired_array),
        cmocka_unit_test(device_and_introspect),
        cmocka_unit_test(long_values_and_keys),
        cmocka_unit_test(errors),
        cmocka_unit_test(int_limits_and_null),
        cmocka_unit_test(uint_fields),
        cmocka_unit_test(init_args),
        cmocka_unit_test(value_fault_verdict_split_independent),
        cmocka_unit_test(key_matching_corners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
