/* Error table, sfo_wipe and sfo_ct_equal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "sfoauth_types.h"

static void codes_have_distinct_names(void **state)
{
    (void)state;
    int a, b;
    for (a = 0; a >= -130; a--) {
        if (strcmp(sfo_errname(a), "SFO_E_?") == 0) continue;
        assert_string_not_equal(sfo_strerror(a), "unknown error");
        for (b = a - 1; b >= -130; b--) {
            if (strcmp(sfo_errname(b), "SFO_E_?") == 0) continue;
            assert_string_not_equal(sfo_errname(a), sfo_errname(b));
            assert_string_not_equal(sfo_strerror(a), sfo_strerror(b));
        }
    }
    assert_string_equal(sfo_errname(SFO_E_TLS_EXPIRED), "SFO_E_TLS_EXPIRED");
    assert_string_equal(sfo_strerror(12345), "unknown error");
}

/* The renamed codes, their deprecated aliases, and the new codes. */
static void renamed_and_new_codes(void **state)
{
    (void)state;
    assert_int_equal(SFO_E_STATE, SFO_E_STATE_MISMATCH);
    assert_int_equal(SFO_E_STATE_MACHINE, SFO_E_CALL_ORDER);
    assert_string_equal(sfo_errname(SFO_E_STATE), "SFO_E_STATE_MISMATCH");
    assert_string_equal(sfo_errname(SFO_E_STATE_MACHINE), "SFO_E_CALL_ORDER");
    static const int fresh[] = { SFO_E_ABI, SFO_E_INSECURE_URL, SFO_E_BAD_VALUE,
                                 SFO_E_RESPONSE_TOO_LONG };
    static const char *const names[] = { "SFO_E_ABI", "SFO_E_INSECURE_URL", "SFO_E_BAD_VALUE",
                                         "SFO_E_RESPONSE_TOO_LONG" };
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(sfo_errname(fresh[i]), names[i]);
        assert_string_not_equal(sfo_strerror(fresh[i]), "unknown error");
    }
    assert_true(SFO_E_RESPONSE_TOO_LONG != SFO_E_TOO_LONG);
}

static void wipe_and_compare(void **state)
{
    (void)state;
    char buf[16] = "secretsecret";
    sfo_wipe(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], 0);
    sfo_wipe(NULL, 4);
    assert_true(sfo_ct_equal("abc", "abc", 3));
    assert_false(sfo_ct_equal("abc", "abd", 3));
    assert_true(sfo_ct_equal("", "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_have_distinct_names),
        cmocka_unit_test(renamed_and_new_codes),
        cmocka_unit_test(wipe_and_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
