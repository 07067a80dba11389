/*
 * Known-answer vectors for the firmware test image, read at run time from the
 * shared test data (the JSON files of testdata/vectors, through semihosting) with the
 * core's own JSON scanner: SHA-256 (FIPS 180-2; the one-million-'a' case is
 * left out, it does not fit the image) and HMAC-SHA256 (RFC 4231).
 */
#ifndef SFO_FW_VECTORS_H
#define SFO_FW_VECTORS_H

#include "sfo_conformance.h"

#define FW_KAT_MAX 8u

/* Fill the arrays from the files under shared; returns the number of cases
 * read (*n_sha + *n_hmac), or -1 when a file is missing or malformed. */
int fw_vectors_load(const char *shared, const struct sfo_conf_kat_sha256 **sha, size_t *n_sha,
                    const struct sfo_conf_kat_hmac **hmac, size_t *n_hmac);

#endif
