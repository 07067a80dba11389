/*
 * Known-answer vectors for the firmware test image, read at run time from the
 * shared test data (the JSON files of testdata/vectors, through semihosting) with the
 * core's own JSON scanner: SHA-256 (FIPS 180-2; the one-million-'a' case is
 * left out, it does not fit the image), HMAC-SHA256 (RFC 4231) and base64 /
 * base64url (RFC 4648, RFC 7515).
 */
#ifndef SFO_FW_VECTORS_H
#define SFO_FW_VECTORS_H

#include "sfo_conformance.h"

#define FW_KAT_MAX 8u

/* Fill the arrays from the files under shared; returns the number of cases
 * read (*n_sha + *n_hmac), or -1 when a file is missing or malformed. */
int fw_vectors_load(const char *shared, const struct sfo_conf_kat_sha256 **sha, size_t *n_sha,
                    const struct sfo_conf_kat_hmac **hmac, size_t *n_hmac);

/* A base64.json case. Encode (decode 0): in/in_len encodes to b64 (padded base64)
 * and url (base64url without padding). Decode (decode 1): b64 is the input text,
 * alphabet 1 base64, 2 base64url, 3 both; result 1 accept (giving in/in_len),
 * 0 reject, -1 implementation-defined. */
struct fw_b64_case {
    int decode, alphabet, result;
    const uint8_t *in;
    size_t in_len;
    const char *b64;
    size_t b64_len;
    const char *url;
    size_t url_len;
};
#define FW_B64_MAX 40u

/* Read testdata/vectors/base64.json: the number of cases, or -1. */
int fw_b64_vectors_load(const char *shared, const struct fw_b64_case **v, size_t *n);

#endif
