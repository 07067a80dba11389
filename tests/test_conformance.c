/*
 * The port conformance suite (tests/conformance/) against the POSIX port of
 * this build (BACKEND=mbedtls|bearssl), as one cmocka test: every suite line
 * goes to stdout, and the test fails when any suite test failed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance/posix_fixture.h"

static void conformance_posix(void **state)
{
    struct sfo_conf_result r;
    (void)state;
    assert_int_equal(sfo_conf_posix_run(&r), 0);
    assert_true(r.passed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance_posix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
