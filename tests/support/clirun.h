/*
 * Test support: the sfoauth binary run as a user would, through /bin/sh,
 * against the Salesforce-shaped test server on 127.0.0.1. Test-only code.
 */
#ifndef SFO_CLIRUN_H
#define SFO_CLIRUN_H

#include <stdbool.h>

#include "testenv.h"

#define T_CLIENT_ID     "3MVG9sfoauth.Demo.Connected.App.Consumer.Key"
#define T_CLIENT_SECRET "5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D"
#define T_USERNAME      "demo@example.com"

struct t_cli {
    struct t_server srv;
    bool have_server;
    char tmp[256];     /* scratch directory ($T) */
    char bin[1536];    /* the binary ($B); prefixed by valgrind when t_cli_valgrind() */
    char ca[1024];     /* $CA */
    char key[1024];    /* $KEY: RSA client key (PKCS#1 PEM) */
    char pki[512];     /* $PKI: the test PKI directory */
    char secret[1024]; /* $SEC: client secret file */
    char url[128];     /* $URL: the server */
    char *out, *err;   /* stdout / stderr of the last run */
};

/* SFO_VALGRIND set (VALGRIND=1 runs): run the binary under valgrind memcheck
 * (--error-exitcode=99, leaks definite/indirect are errors). */
bool t_cli_valgrind(void);
/* Make the scratch directory, start the server (when present), set the
 * SFOAUTH_* environment. When under_valgrind, $B runs the binary under valgrind
 * if t_cli_valgrind(). Returns 0. */
int t_cli_up(struct t_cli *c, const char *name, bool under_valgrind);
void t_cli_down(struct t_cli *c);
/* Run a shell command line with $B $CA $KEY $PKI $SEC $URL $T set; stdout and
 * stderr land in c->out / c->err. Returns the exit status (128+signal). */
int t_cli_sh(struct t_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For cmocka tests holding their runs in a struct t_cli g_c: the exit status
 * of a run (stdout and stderr shown when it differs), a text on stderr. */
#define T_RUN_RC(want, ...)                                                                      \
    do {                                                                                         \
        int rc_ = t_cli_sh(&g_c, __VA_ARGS__);                                                   \
        if (rc_ != (want)) {                                                                     \
            fprintf(stderr, "exit %d (want %d)\nstdout: %s\nstderr: %s\n", rc_, (want), g_c.out, \
                    g_c.err);                                                                    \
        }                                                                                        \
        assert_int_equal(rc_, (want));                                                           \
    } while (0)
#define T_ERR_HAS(s)                                                     \
    do {                                                                 \
        if (strstr(g_c.err, (s)) == NULL) {                              \
            fprintf(stderr, "stderr lacks \"%s\":\n%s\n", (s), g_c.err); \
        }                                                                \
        assert_non_null(strstr(g_c.err, (s)));                           \
    } while (0)
#define T_NEED_SERVER()                                                           \
    do {                                                                          \
        if (!g_c.have_server) {                                                   \
            fprintf(stderr, "NOTE: tests/server/sf_server.py absent: skipped\n"); \
            skip();                                                               \
        }                                                                         \
    } while (0)

#endif
