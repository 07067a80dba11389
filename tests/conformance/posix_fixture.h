/*
 * POSIX fixture of the port conformance suite: runs sfo_conformance_run()
 * against the POSIX port (sfoauth_posix.h) of this build, with the test PKI
 * (tests/support/pki.sh), one tests/server/tls_server.py per certificate on
 * 127.0.0.1, and the known-answer vectors of $SFO_SHARED/testdata/vectors.
 * Test-only code: uses libc, processes and the heap.
 */
#ifndef SFO_CONF_POSIX_FIXTURE_H
#define SFO_CONF_POSIX_FIXTURE_H

#include "sfo_conformance.h"

/* Run the suite, printing to stdout; returns the number of failed tests. */
unsigned sfo_conf_posix_run(struct sfo_conf_result *res);

#endif
