/*
 * The portable X.509 / PEM helpers of port/tls/ (internal, sfo_port_impl.h):
 * IP-literal parsing (RFC 4291 section 2.2 text forms, dotted quads without
 * leading zeros), against inet_pton as the reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "sfo_port_impl.h"

static void ip_literals_match_inet_pton(void **state)
{
    static const char *const k_hosts[] = {
        "127.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "10.0.2.2",
        "::",
        "::1",
        "1::",
        "2001:db8::1",
        "2001:db8:0:0:1:0:0:1",
        "fe80::1:2:3:4",
        "::ffff:192.0.2.128",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6::8",
        "1::3:4:5:6:7:8",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4",
        "ABCD:ef01::",
        "::0:0:0:0:0:0:0",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof k_hosts / sizeof k_hosts[0]; i++) {
        uint8_t got[16], want[16];
        int v4 = inet_pton(AF_INET, k_hosts[i], want) == 1;
        if (!v4) assert_int_equal(inet_pton(AF_INET6, k_hosts[i], want), 1);
        assert_int_equal(sfo__ip_parse(k_hosts[i], got), v4 ? 4 : 16);
        assert_memory_equal(got, want, v4 ? 4 : 16);
    }
}

static void non_literals_refused(void **state)
{
    static const char *const k_names[] = {
        "localhost",
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4 ",
        " 1.2.3.4",
        "1..2.3",
        "1.2.3.",
        ":::",
        "1:::2",
        "1::2::3",
        ":1::",
        "1:",
        ":1",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::8",
        "12345::",
        "g::1",
        "::1.2.3",
        "1:2:3:4:5:6:7:1.2.3.4",
        "[::1]",
        "::1%eth0",
        "1.2.3.4::",
        "api.example.test",
    };
    size_t i;
    uint8_t out[16];
    (void)state;
    for (i = 0; i < sizeof k_names / sizeof k_names[0]; i++) {
        uint8_t ref[16];
        assert_int_equal(inet_pton(AF_INET, k_names[i], ref), 0);
        assert_int_equal(inet_pton(AF_INET6, k_names[i], ref), 0);
        if (sfo__ip_parse(k_names[i], out) != 0) fail_msg("accepted: %s", k_names[i]);
    }
    assert_int_equal(sfo__ip_parse(NULL, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ip_literals_match_inet_pton),
        cmocka_unit_test(non_literals_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
