/*
 * Test support: paths, files, the test PKI and servers started on loopback.
 * Test-only code: uses libc and the heap freely.
 */
#ifndef SFO_TESTENV_H
#define SFO_TESTENV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* $SFO_SHARED, or <repo>/../shared. */
const char *t_shared(void);
/* $SFO_ROOT (repo root), or ".". */
const char *t_root(void);
/* $SFO_BUILD (build dir), or "build". */
const char *t_build(void);
/* $SFO_PYTHON, or "/usr/bin/python3". */
const char *t_python(void);

/* snprintf into a static rotating buffer (8 slots) and return it. */
const char *t_path(const char *fmt, ...);

/* Read a whole file (NUL appended, not counted). NULL on failure. free() it. */
char *t_read_file(const char *path, size_t *len);

/* Absolute path of the sfoauth binary of this build ($SFO_BUILD/sfoauth). */
const char *t_sfoauth_bin(void);

/* Write text to path with the given mode. Returns 0 on success. */
int t_write_file(const char *path, const char *text, unsigned mode);

/* Directory with the test PKI (tests/support/pki.sh), made on first use. */
const char *t_pki(void);

/*
 * A server process on loopback. argv[0] is the program; the server must print
 * a line "PORT <n>" on stdout once it listens. t_server_start waits up to 20 s
 * for it. Returns 0 on success. Extra lines the server prints go to the test's
 * stderr.
 */
struct t_server {
    pid_t pid;
    int port;
    int out_fd;
};
int t_server_start(struct t_server *s, char *const argv[]);
/* SIGTERM, then SIGKILL after 3 s; reaps the process. Safe on a stopped server. */
void t_server_stop(struct t_server *s);

#endif
