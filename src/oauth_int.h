/*
 * Internal helpers shared by src/jwt.c, src/authz.c and src/oauth.c.
 * Not part of the public API (tests include it through -Isrc).
 */
#ifndef SFO_OAUTH_INT_H
#define SFO_OAUTH_INT_H

#include "sfoauth.h"

/*
 * base64url-encode n bytes at src into out + pos, where src may lie inside out
 * after pos (the encoder goes through a small stack window, so the output may
 * overtake consumed input). Requires pos + SFO_B64URL_LEN(n) + 1 <= cap.
 * Returns the new position or a negative SFO_E_* code.
 */
int sfo__b64url_at(char *out, size_t pos, size_t cap, const uint8_t *src, size_t n);

/* Decimal text of v into out (>= 21 bytes); returns its length. */
size_t sfo__i64_dec(int64_t v, char *out);

/* Case-insensitive: does host (len) end with suffix (lowercase)? */
bool sfo__host_ends(const char *host, size_t len, const char *suffix);

/* Backoff before retry number attempt (1-based): min(max, base << (attempt-1))
 * with "equal jitter" (half fixed, half random from rnd); a Retry-After of
 * retry_after_s > 0 seconds replaces it, capped at max. (oauth.c) */
uint32_t sfo__backoff_ms(unsigned attempt, uint32_t retry_after_s, uint32_t rnd);

/* SFO_OK when url (n bytes) starts with "https://" (any case), else
 * SFO_E_INSECURE_URL: no endpoint is spoken to in the clear. (authz.c) */
int sfo__https_only(const char *url, size_t n);

/* RFC 6749 appendix A: is s (n bytes) 1*VSCHAR (%x20-7E)? Is it NQSCHAR
 * (VSCHAR but '"' and '\\'), at least one byte unless empty_ok? (oauth.c) */
bool sfo__vschar_ok(const char *s, size_t n);
bool sfo__nqschar_ok(const char *s, size_t n, bool empty_ok);

/* Endpoints of a client. */
enum sfo__ep {
    SFO__EP_TOKEN = 0,
    SFO__EP_AUTHORIZE,
    SFO__EP_REVOKE,
    SFO__EP_INTROSPECT,
    SFO__EP_USERINFO,
    SFO__EP_DEVICE
};

/*
 * Full URL of an endpoint into out (cap incl. NUL): the override when set,
 * else login_url without trailing '/' + "/services/oauth2/<name>".
 * With out NULL only its length (without the NUL) goes to *out_len.
 * Returns SFO_OK, SFO_E_ARG (no override for the RFC device endpoint),
 * SFO_E_TOO_LONG.
 */
int sfo__ep_url(const struct sfo_client *c, enum sfo__ep which, char *out, size_t cap,
                size_t *out_len);
#endif
