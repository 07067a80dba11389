/*
 * application/x-www-form-urlencoded writer: WHATWG URL Standard s.5.2 vectors
 * from $SFO_SHARED/testdata/vectors/form_urlencoded_whatwg.json (strings,
 * tuple lists, the 128-entry ASCII table), capacities and the sticky error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_codec.h"
#include "vecjson.h"

/* Encode in[0..n) and compare with want; checks exact fit and one short. */
static void check_encode(const char *in, size_t n, const char *want)
{
    size_t wl = strlen(want), ol = 12345;
    char *out = malloc(wl + 1);

    assert_int_equal(sfo_form_encoded_len((const uint8_t *)in, n), wl);
    assert_int_equal(sfo_form_encode((const uint8_t *)in, n, out, wl + 1, &ol), SFO_OK);
    assert_int_equal(ol, wl);
    assert_string_equal(out, want);
    if (wl > 0) {
        memset(out, 'x', wl + 1);
        assert_int_equal(sfo_form_encode((const uint8_t *)in, n, out, wl, &ol), SFO_E_TOO_LONG);
        assert_int_equal(out[0], '\0');
    }
    free(out);
}

static void encode_strings(void **state)
{
    (void)state;
    struct vj *doc = vj_load("form_urlencoded_whatwg.json");
    struct vj *arr = vj_get(doc, "encode_string");
    size_t count = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        size_t n = 0;
        const char *in = vj_str(e, "input", &n);
        const char *want = vj_str(e, "expected", NULL);
        assert_non_null(in);
        assert_non_null(want);
        check_encode(in, n, want);
    }
    assert_int_equal(count, 28);
    vj_free(doc);
}

static void ascii_table(void **state)
{
    (void)state;
    struct vj *doc = vj_load("form_urlencoded_whatwg.json");
    struct vj *arr = vj_get(doc, "ascii_table");
    size_t count = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        size_t n = 0;
        const char *c = vj_str(e, "char", &n);
        assert_int_equal(n, 1);
        assert_int_equal((unsigned char)c[0], count);
        check_encode(c, n, vj_str(e, "encoded", NULL));
    }
    assert_int_equal(count, 128);
    /* bytes >= 0x80 are always escaped */
    for (unsigned b = 0x80; b < 0x100; b++) {
        char in[1] = { (char)b }, want[4];
        snprintf(want, sizeof want, "%%%02X", b);
        check_encode(in, 1, want);
    }
    vj_free(doc);
}

static void serialize_tuples(void **state)
{
    (void)state;
    struct vj *doc = vj_load("form_urlencoded_whatwg.json");
    struct vj *arr = vj_get(doc, "serialize_tuples");
    size_t count = 0;

    assert_non_null(arr);
    for (struct vj *e = arr->child; e != NULL; e = e->next, count++) {
        const char *want = vj_str(e, "expected", NULL);
        size_t wl = strlen(want);
        char *buf = malloc(wl + 1);
        struct sfo_form f;

        /* exact fit: every add succeeds */
        assert_int_equal(sfo_form_init(&f, buf, wl + 1), SFO_OK);
        for (struct vj *t = vj_get(e, "input")->child; t != NULL; t = t->next) {
            struct vj *name = t->child, *value = name->next;
            assert_int_equal(sfo_form_add(&f, name->s, value->s, value->len), SFO_OK);
        }
        assert_int_equal(f.err, SFO_OK);
        assert_int_equal(f.len, wl);
        assert_string_equal(buf, want);

        /* one short: the last add fails, the form keeps the pairs before it */
        if (wl > 0) {
            size_t before = 0;
            assert_int_equal(sfo_form_init(&f, buf, wl), SFO_OK);
            for (struct vj *t = vj_get(e, "input")->child; t != NULL; t = t->next) {
                struct vj *name = t->child, *value = name->next;
                int r = sfo_form_add(&f, name->s, value->s, value->len);
                if (t->next != NULL) {
                    assert_int_equal(r, SFO_OK);
                    before = f.len;
                } else {
                    assert_int_equal(r, SFO_E_TOO_LONG);
                }
            }
            assert_int_equal(f.err, SFO_E_TOO_LONG);
            assert_int_equal(f.len, before);
            assert_int_equal(strlen(buf), before);
            assert_memory_equal(buf, want, before);
        }
        free(buf);
    }
    assert_int_equal(count, 12);
    vj_free(doc);
}

static void overflow_is_sticky(void **state)
{
    (void)state;
    char buf[12];
    struct sfo_form f;

    assert_int_equal(sfo_form_init(&f, buf, sizeof buf), SFO_OK);
    assert_string_equal(buf, "");
    assert_int_equal(sfo_form_add_str(&f, "a", "1"), SFO_OK);
    assert_int_equal(sfo_form_add_str(&f, "b", "x y"), SFO_OK); /* "a=1&b=x+y" */
    assert_string_equal(buf, "a=1&b=x+y");
    assert_int_equal(sfo_form_add_str(&f, "code", "secret"), SFO_E_TOO_LONG);
    assert_string_equal(buf, "a=1&b=x+y");
    assert_int_equal(f.len, 9);
    /* the partial pair was wiped, not left behind the NUL */
    for (size_t i = 9; i < sizeof buf; i++) assert_int_equal(buf[i], 0);
    /* sticky: even a pair that would fit is refused now */
    assert_int_equal(sfo_form_add_str(&f, "c", ""), SFO_E_TOO_LONG);
    assert_string_equal(buf, "a=1&b=x+y");

    /* empty value, NULL value with length 0, binary value with NUL */
    assert_int_equal(sfo_form_init(&f, buf, sizeof buf), SFO_OK);
    assert_int_equal(sfo_form_add_str(&f, "e", NULL), SFO_OK);
    assert_int_equal(sfo_form_add(&f, "z", "\0\x01", 2), SFO_OK);
    assert_string_equal(buf, "e=&z=%00%01");
    assert_int_equal(sfo_form_add(&f, "w", NULL, 0), SFO_E_TOO_LONG);

    /* failure in the name leaves the form intact too */
    assert_int_equal(sfo_form_init(&f, buf, 4), SFO_OK);
    assert_int_equal(sfo_form_add_str(&f, "a", "b"), SFO_OK);
    assert_int_equal(sfo_form_add_str(&f, "~", ""), SFO_E_TOO_LONG);
    assert_string_equal(buf, "a=b");
}

static void arguments(void **state)
{
    (void)state;
    char buf[8];
    struct sfo_form f;

    assert_int_equal(sfo_form_init(NULL, buf, sizeof buf), SFO_E_ARG);
    assert_int_equal(sfo_form_init(&f, NULL, sizeof buf), SFO_E_ARG);
    assert_int_equal(sfo_form_init(&f, buf, 0), SFO_E_ARG);
    assert_int_equal(sfo_form_init(&f, buf, 1), SFO_OK);
    assert_int_equal(sfo_form_add(NULL, "a", "b", 1), SFO_E_ARG);
    assert_int_equal(sfo_form_add(&f, NULL, "b", 1), SFO_E_ARG);
    assert_int_equal(sfo_form_add(&f, "a", NULL, 1), SFO_E_ARG);
    assert_int_equal(f.err, SFO_OK); /* argument errors are not sticky */
    assert_int_equal(sfo_form_encode(NULL, 1, buf, sizeof buf, NULL), SFO_E_ARG);
    assert_int_equal(sfo_form_encode((const uint8_t *)"a", 1, NULL, 8, NULL), SFO_E_ARG);
    assert_int_equal(sfo_form_encode((const uint8_t *)"a", 1, buf, 0, NULL), SFO_E_ARG);
    assert_int_equal(sfo_form_encode(NULL, 0, buf, 1, NULL), SFO_OK);
    assert_string_equal(buf, "");
    assert_int_equal(sfo_form_encoded_len(NULL, 0), 0);
    assert_int_equal(sfo_form_encoded_len((const uint8_t *)"a b~", 4), 6);
}

/* NULL buffer in a form, NULL value with a length, encoded length of NULL input. */
static void argument_corners(void **state)
{
    (void)state;
    char buf[16];
    struct sfo_form f;
    assert_int_equal(sfo_form_init(&f, buf, sizeof buf), SFO_OK);
    assert_int_equal(sfo_form_add(&f, "a", NULL, 1), SFO_E_ARG);
    assert_int_equal(sfo_form_add(&f, "a", NULL, 0), SFO_OK);
    assert_string_equal(buf, "a=");
    f.buf = NULL;
    assert_int_equal(sfo_form_add(&f, "a", "b", 1), SFO_E_ARG);
    assert_int_equal(sfo_form_encoded_len(NULL, 0), 0);
    assert_int_equal(sfo_form_encoded_len(NULL, 3), 0);
    assert_int_equal(sfo_form_encoded_len((const uint8_t *)"a b~", 4), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_strings),   cmocka_unit_test(ascii_table),
        cmocka_unit_test(serialize_tuples), cmocka_unit_test(overflow_is_sticky),
        cmocka_unit_test(arguments),        cmocka_unit_test(argument_corners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
