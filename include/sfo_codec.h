/*
 * sfoauth codecs: base64/base64url, application/x-www-form-urlencoded writer,
 * URL parser, percent-decoder, query/form parameter lookup.
 *
 * All functions work in caller-provided buffers and never allocate. Output
 * strings are NUL-terminated; a result that does not fit (including its NUL)
 * returns SFO_E_TOO_LONG and leaves the output unspecified but terminated
 * when cap > 0. Nothing is ever truncated silently. Outputs may carry secrets
 * (codes, client secrets): on any failure the bytes already written are
 * wiped (zeroed) before returning. SFO_E_ARG: a required pointer is NULL, an
 * input pointer is NULL with a non-zero length, or an output cap is 0.
 */
#ifndef SFO_CODEC_H
#define SFO_CODEC_H

#include "sfoauth_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------
 * base64 (RFC 4648 s.4, padded) and base64url (RFC 4648 s.5, no padding)
 * ---------------------------------------------------------------------------------- */

/* Encoded length, without NUL, of n input bytes. */
#define SFO_B64_LEN(n)    ((((size_t)(n) + 2u) / 3u) * 4u)
#define SFO_B64URL_LEN(n) (((size_t)(n)*4u + 2u) / 3u)

/*
 * Encode n bytes into out (cap bytes including the NUL, so cap must be at
 * least SFO_B64_LEN(n) + 1 resp. SFO_B64URL_LEN(n) + 1). *out_len (may be
 * NULL) receives the length without NUL.
 * Returns SFO_OK, SFO_E_TOO_LONG, SFO_E_ARG (out NULL, cap 0, in NULL with n > 0).
 */
int sfo_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len);
int sfo_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len);

/*
 * Strict decode. base64: length a multiple of 4, '=' only as 1 or 2 final
 * characters, no whitespace. base64url: no padding accepted, length mod 4 != 1.
 * Both: characters outside the alphabet and non-zero trailing bits are rejected,
 * so each byte string has exactly one accepted encoding.
 * The output is binary: exactly *out_len bytes, no NUL is added; cap >= 3 * n / 4
 * is always enough. Returns SFO_OK, SFO_E_B64, SFO_E_TOO_LONG (out too small),
 * SFO_E_ARG (out NULL, in NULL with n > 0).
 */
int sfo_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);
int sfo_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------------------
 * application/x-www-form-urlencoded writer (WHATWG URL Standard s.5.2)
 * ASCII alphanumerics and * - . _ as is, space as '+', every other byte %XX (uppercase).
 * ---------------------------------------------------------------------------------- */

/* A form being written into a caller buffer. */
struct sfo_form {
    char *buf;  /* caller buffer */
    size_t cap; /* its size including room for the NUL */
    size_t len; /* bytes written so far (buf[len] == '\0') */
    int err;    /* first error (sticky): SFO_OK or SFO_E_TOO_LONG */
};

/* Start an empty form in buf (cap >= 1). Returns SFO_OK or SFO_E_ARG (NULL, cap 0). */
int sfo_form_init(struct sfo_form *f, char *buf, size_t cap);

/*
 * Append "name=value" (with a leading '&' when the form is not empty), both
 * encoded. value may contain any bytes (value_len given explicitly).
 * On SFO_E_TOO_LONG the form keeps its previous content (the partial pair is
 * wiped) and the error sticks: later appends return it too, so a caller may
 * append many pairs and check once (f->err or the last return).
 * SFO_E_ARG (f or name NULL, value NULL with value_len > 0) is not sticky.
 */
int sfo_form_add(struct sfo_form *f, const char *name, const char *value, size_t value_len);
/* Same with a NUL-terminated value (NULL means ""). */
int sfo_form_add_str(struct sfo_form *f, const char *name, const char *value);

/*
 * Percent-encode n bytes with the form rules into out (cap incl. NUL).
 * Returns SFO_OK, SFO_E_TOO_LONG or SFO_E_ARG. *out_len (may be NULL) gets the
 * length.
 */
int sfo_form_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len);

/*
 * Encoded length of n bytes without writing (for Content-Length up front).
 * 0 when in is NULL with n > 0; SIZE_MAX if the length would overflow size_t.
 */
size_t sfo_form_encoded_len(const uint8_t *in, size_t n);

/* ------------------------------------------------------------------------------------
 * URLs (absolute http/https only)
 * ---------------------------------------------------------------------------------- */

/*
 * A parsed URL: pointers into the caller's string, not copies; lengths given.
 * host excludes IPv6 brackets. path is "/" when absent (then it points at the
 * first '/' of "://"). query/fragment exclude their '?'/'#' and have len 0
 * (ptr NULL) when absent; present but empty gives len 0 with a non-NULL ptr.
 * No component is percent-decoded.
 */
struct sfo_url {
    bool https;
    const char *host;
    size_t host_len;
    bool host_is_ipv6; /* host was a bracketed literal */
    uint16_t port;     /* explicit, or 443/80 by scheme */
    bool port_explicit;
    const char *path;
    size_t path_len; /* "/" (len 1) when the URL has none */
    const char *query;
    size_t query_len;
    const char *fragment;
    size_t fragment_len;
};

/*
 * Parse an absolute URL of n bytes (no NUL needed). Scheme is case-insensitive
 * http or https, followed by "//". Refused: other schemes (SFO_E_URL_SCHEME),
 * '@' in the authority (SFO_E_URL_USERINFO), empty or invalid host or bad IPv6
 * literal (SFO_E_URL_HOST), empty, non-decimal, zero or > 65535 port
 * (SFO_E_URL_PORT), any byte outside 0x21..0x7e (controls, space, DEL,
 * non-ASCII: a pasted URL must be percent-encoded) or other syntax faults
 * (SFO_E_URL). Host: letters, digits, '-', '.', '_' (at most SFO_URL_HOST_MAX),
 * or "[" IPv6 "]" with hex groups of at most 4 digits, 2..7 colons and an
 * optional dotted IPv4 tail (no zone id); full address validation is left to
 * the resolver. SFO_E_ARG: s or u NULL. u is zeroed first.
 */
int sfo_url_parse(const char *s, size_t n, struct sfo_url *u);

/* Percent-decoding modes. */
enum sfo_pct_mode {
    SFO_PCT_PATH = 0, /* '+' stays '+' */
    SFO_PCT_FORM = 1  /* '+' means space (query strings and form bodies) */
};

/*
 * Strict percent-decode of n bytes into out (cap incl. NUL). '%' must be
 * followed by two hex digits (either case); %00 and a raw NUL byte are refused
 * (they would cut a C string). Other bytes, including a raw space, pass
 * through. Returns SFO_OK, SFO_E_PCT, SFO_E_TOO_LONG, SFO_E_ARG. *out_len may
 * be NULL. Decoded bytes are not checked for UTF-8 validity.
 */
int sfo_pct_decode(const char *in, size_t n, enum sfo_pct_mode mode, char *out, size_t cap,
                   size_t *out_len);

/*
 * Look up parameter `name` (compared after decoding) in a query string or
 * form body of n bytes ("a=1&b=2"; empty pairs skipped; a pair without '='
 * has an empty value) and decode its value in SFO_PCT_FORM mode into out.
 * Every pair's name is decoded (so a bad escape is found anywhere); other
 * pairs' values are not looked at.
 * Returns SFO_OK, SFO_E_NOT_FOUND (out = ""), SFO_E_DUPLICATE (name appears
 * twice), SFO_E_PCT (the name's value or any pair's name badly escaped),
 * SFO_E_TOO_LONG, SFO_E_ARG (name or out NULL, cap 0, query NULL with n > 0).
 * On every error out is wiped to "".
 */
int sfo_query_get(const char *query, size_t n, const char *name, char *out, size_t cap,
                  size_t *out_len);

/*
 * Iterate over the pairs of a query string or form body: *pos starts at 0;
 * each call yields the next raw (still encoded) name and value spans (pointers
 * into query; the value span starts after the first '=' and is empty when the
 * pair has none). Empty pairs ("&&") are skipped; separators are '&' only.
 * Decode the spans with sfo_pct_decode(..., SFO_PCT_FORM, ...).
 * Returns SFO_OK with a pair, SFO_E_NOT_FOUND at the end (and on every later
 * call), SFO_E_ARG (any pointer NULL, query NULL with n > 0).
 */
int sfo_query_next(const char *query, size_t n, size_t *pos, const char **name, size_t *name_len,
                   const char **value, size_t *value_len);

#ifdef __cplusplus
}
#endif
#endif /* SFO_CODEC_H */
