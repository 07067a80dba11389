/*
 * base64 / base64url: RFC 4648 and RFC 7515 vectors from
 * $SFO_SHARED/testdata/vectors/base64.json, the RFC 7636 Appendix B verifier
 * from pkce_rfc7636.json, capacities and arguments.
 *
 * Decisions for the implementation-defined decode cases of base64.json: this
 * decoder rejects non-zero pad bits and padded base64url (strict, one
 * accepted encoding per byte string).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_codec.h"
#include "vecjson.h"

typedef int (*enc_fn)(const uint8_t *, size_t, char *, size_t, size_t *);
typedef int (*dec_fn)(const char *, size_t, uint8_t *, size_t, size_t *);

/* Encode in with f, check against want, then check the exact-fit / one-short capacities. */
static void check_encode(enc_fn f, const uint8_t *in, size_t n, const char *want)
{
    size_t wl = strlen(want), ol = 12345;
    char *out = malloc(wl + 1);

    assert_int_equal(f(in, n, out, wl + 1, &ol), SFO_OK); /* exact fit */
    assert_int_equal(ol, wl);
    assert_memory_equal(out, want, wl + 1);
    if (wl > 0) {
        memset(out, 'x', wl + 1);
        assert_int_equal(f(in, n, out, wl, &ol), SFO_E_TOO_LONG); /* one short */
        assert_int_equal(out[0], '\0');
    }
    free(out);
}

/* Decode in with f and expect want (hex); also exact fit and one short. */
static void check_decode(dec_fn f, const char *in, const uint8_t *want, size_t wl)
{
    size_t ol = 12345;
    uint8_t *out = malloc(wl + 1);

    assert_int_equal(f(in, strlen(in), out, wl, &ol), SFO_OK);
    assert_int_equal(ol, wl);
    if (wl > 0) {
        assert_memory_equal(out, want, wl);
        assert_int_equal(f(in, strlen(in), out, wl - 1, &ol), SFO_E_TOO_LONG);
    }
    free(out);
}

static void encode_vectors(void **state)
{
    (void)state;
    struct vj *doc = vj_load("base64.json");
    struct vj *arr = vj_get(doc, "encode");
    size_t count = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        size_t n;
        uint8_t *in = vj_unhex(vj_str(e, "input_hex", NULL), &n);
        const char *b64 = vj_str(e, "base64", NULL);
        const char *url_pad = vj_str(e, "base64url", NULL);
        const char *url = vj_str(e, "base64url_nopad", NULL);
        uint8_t tmp[512];
        size_t tl;

        assert_non_null(b64);
        assert_non_null(url);
        assert_non_null(url_pad);
        check_encode(sfo_b64_encode, in, n, b64);
        check_encode(sfo_b64url_encode, in, n, url);
        check_decode(sfo_b64_decode, b64, in, n);
        check_decode(sfo_b64url_decode, url, in, n);
        /* The padded base64url column is accepted only when it has no '='. */
        assert_int_equal(sfo_b64url_decode(url_pad, strlen(url_pad), tmp, sizeof tmp, &tl),
                         strchr(url_pad, '=') ? SFO_E_B64 : SFO_OK);
        /* base64 text using '+' or '/' is not base64url and vice versa. */
        if (strpbrk(b64, "+/"))
            assert_int_equal(sfo_b64url_decode(b64, strlen(b64), tmp, sizeof tmp, &tl), SFO_E_B64);
        if (strpbrk(url, "-_"))
            assert_int_equal(sfo_b64_decode(url_pad, strlen(url_pad), tmp, sizeof tmp, &tl),
                             SFO_E_B64);
        free(in);
    }
    assert_int_equal(count, 15);
    vj_free(doc);
}

static void decode_vectors(void **state)
{
    (void)state;
    struct vj *doc = vj_load("base64.json");
    struct vj *arr = vj_get(doc, "decode");
    size_t count = 0, impl = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        size_t il = 0, n, ol;
        const char *id = vj_str(e, "id", NULL);
        const char *in = vj_str(e, "input", &il);
        const char *alpha = vj_str(e, "alphabet", NULL);
        const char *result = vj_str(e, "result", NULL);
        uint8_t out[64];

        for (int url = 0; url < 2; url++) {
            dec_fn f = url ? sfo_b64url_decode : sfo_b64_decode;
            if (strcmp(alpha, "both") != 0 && strcmp(alpha, url ? "base64url" : "base64") != 0)
                continue;
            int r = f(in, il, out, sizeof out, &ol);
            if (strcmp(result, "accept") == 0) {
                uint8_t *want = vj_unhex(vj_str(e, "decoded_hex", NULL), &n);
                if (r != SFO_OK) fail_msg("%s: expected accept, got %d", id, r);
                assert_int_equal(ol, n);
                assert_memory_equal(out, want, n);
                free(want);
            } else {
                /* reject, and our decision for implementation_defined: reject */
                if (r != SFO_E_B64) fail_msg("%s: expected SFO_E_B64, got %d", id, r);
                impl += strcmp(result, "implementation_defined") == 0;
            }
        }
    }
    assert_int_equal(count, 16);
    assert_int_equal(impl, 3);
    vj_free(doc);
}

static void pkce_verifier(void **state)
{
    (void)state;
    struct vj *doc = vj_load("pkce_rfc7636.json");
    struct vj *ex = vj_get(doc, "example");
    struct vj *oct = vj_get(ex, "code_verifier_random_octets");
    const char *verifier = vj_str(ex, "code_verifier", NULL);
    uint8_t in[64], back[64];
    char out[128];
    size_t n = 0, ol;

    assert_non_null(oct);
    assert_non_null(verifier);
    for (struct vj *c = oct->child; c != NULL; c = c->next) in[n++] = (uint8_t)atoi(c->s);
    assert_int_equal(n, 32);
    assert_int_equal(sfo_b64url_encode(in, n, out, sizeof out, &ol), SFO_OK);
    assert_string_equal(out, verifier);
    assert_int_equal(ol, SFO_B64URL_LEN(32));
    assert_int_equal(sfo_b64url_decode(verifier, strlen(verifier), back, sizeof back, &ol), SFO_OK);
    assert_int_equal(ol, 32);
    assert_memory_equal(back, in, 32);
    vj_free(doc);
}

static void lengths_and_arguments(void **state)
{
    (void)state;
    char out[16];
    uint8_t bin[16];
    size_t ol;

    for (size_t n = 0; n < 10; n++) {
        uint8_t in[10] = { 0xfb, 0xff, 0xbf, 1, 2, 3, 4, 5, 6, 7 };
        char b[32];
        assert_int_equal(sfo_b64_encode(in, n, b, sizeof b, &ol), SFO_OK);
        assert_int_equal(ol, SFO_B64_LEN(n));
        assert_int_equal(sfo_b64url_encode(in, n, b, sizeof b, &ol), SFO_OK);
        assert_int_equal(ol, SFO_B64URL_LEN(n));
    }
    /* empty input, NULL out_len, NULL input with n == 0 */
    assert_int_equal(sfo_b64_encode(NULL, 0, out, 1, NULL), SFO_OK);
    assert_string_equal(out, "");
    assert_int_equal(sfo_b64_decode("", 0, bin, 0, &ol), SFO_OK);
    assert_int_equal(ol, 0);
    /* arguments */
    assert_int_equal(sfo_b64_encode((const uint8_t *)"f", 1, NULL, 8, &ol), SFO_E_ARG);
    assert_int_equal(sfo_b64_encode((const uint8_t *)"f", 1, out, 0, &ol), SFO_E_ARG);
    assert_int_equal(sfo_b64_encode(NULL, 1, out, 8, &ol), SFO_E_ARG);
    assert_int_equal(sfo_b64_decode("Zg==", 4, NULL, 8, &ol), SFO_E_ARG);
    assert_int_equal(sfo_b64url_decode(NULL, 2, bin, 8, &ol), SFO_E_ARG);
    /* strictness beyond the vector file */
    assert_int_equal(sfo_b64_decode("Zg==", 3, bin, 8, &ol), SFO_E_B64);
    assert_int_equal(sfo_b64_decode("Z===", 4, bin, 8, &ol), SFO_E_B64);
    assert_int_equal(sfo_b64_decode("Zm8\0", 4, bin, 8, &ol), SFO_E_B64);
    assert_int_equal(sfo_b64_decode("Zm9v\xc3\xa9", 6, bin, 8, &ol), SFO_E_B64);
    assert_int_equal(sfo_b64url_decode("Zm8=", 4, bin, 8, &ol), SFO_E_B64);
    assert_int_equal(sfo_b64url_decode("Zh", 2, bin, 8, &ol), SFO_E_B64); /* pad bits */
    assert_int_equal(sfo_b64url_decode("Zm9", 3, bin, 8, &ol), SFO_E_B64);
    /* a failed decode wipes what it wrote */
    memset(bin, 0xee, sizeof bin);
    assert_int_equal(sfo_b64_decode("Zm9vYmFy!!==", 12, bin, 8, &ol), SFO_E_B64);
    for (size_t i = 0; i < 6; i++) assert_int_equal(bin[i], 0);
}

/* Decoder argument checks and a NULL out_len. */
static void decode_arguments(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n = 99;
    assert_int_equal(sfo_b64_decode("Zg==", 4, NULL, sizeof out, &n), SFO_E_ARG);
    assert_int_equal(sfo_b64url_decode(NULL, 2, out, sizeof out, &n), SFO_E_ARG);
    assert_int_equal(sfo_b64_decode(NULL, 0, out, sizeof out, &n), SFO_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sfo_b64_decode("Zm8=", 4, out, sizeof out, NULL), SFO_OK);
    assert_memory_equal(out, "fo", 2);
    assert_int_equal(sfo_b64url_decode("Zm8", 3, out, sizeof out, NULL), SFO_OK);
    assert_int_equal(sfo_b64url_decode("Zm9", 3, out, sizeof out, NULL), SFO_E_B64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_vectors),   cmocka_unit_test(decode_vectors),
        cmocka_unit_test(pkce_verifier),    cmocka_unit_test(lengths_and_arguments),
        cmocka_unit_test(decode_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
