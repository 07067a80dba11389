/*
 * sfoauth: OAuth 2.0 token flows for Salesforce and RFC 6749 servers.
 *
 * Public API of the flows: client configuration, token result, the JWT bearer,
 * authorization code (+PKCE), refresh, client credentials, device (Salesforce
 * and RFC 8628 dialects) and username-password grants, revoke, introspect and
 * userinfo.
 *
 * Memory: nothing is allocated. The caller owns the configuration, one working
 * buffer (struct sfo_client.work) and every result struct. Result strings are
 * NUL-terminated in fixed arrays whose sizes (including the NUL) are the
 * SFO_*_MAX constants below, overridable with -D. A value the server sends
 * that does not fit returns SFO_E_RESPONSE_TOO_LONG; nothing is ever truncated.
 *
 * Endpoints: every endpoint URL (login, token, authorize, revoke, introspect,
 * userinfo, device) must be https: any other scheme is SFO_E_INSECURE_URL
 * before anything is sent (a secret, an assertion or a token would travel in
 * the clear). The redirect URI is the caller's business (loopback http is
 * normal); an http proxy carries the TLS tunnel and is fine.
 *
 * Server values are data, checked against their grammar before a function
 * returns them (RFC 6749 appendix A, RFC 8628): access and refresh tokens,
 * codes, id_token, signature: VSCHAR (%x20-7E), non-empty; scope: NQCHAR
 * tokens separated by single spaces (or ""); error, error_description:
 * NQSCHAR; token_type: a type name (ALPHA DIGIT - . _) or a URI; instance_url,
 * id, verification_uri(_complete): https URLs; issued_at: digits; user_code:
 * VSCHAR; introspection client_id, username, sub and every string in a
 * userinfo answer: no C0 or C1 control character, no DEL. A breach is
 * SFO_E_BAD_VALUE with err.field naming the member. Numbers: expires_in
 * (0..SFO_EXPIRES_IN_MAX), interval (1..SFO_DEVICE_INTERVAL_MAX), exp, iat,
 * nbf (0..SFO_TIME_MAX) must be JSON integers in range: a string is
 * SFO_E_JSON_TYPE, a negative, fractional or larger number SFO_E_JSON_RANGE,
 * err.field naming the member.
 *
 * Errors: every function returns SFO_OK (0) or a negative SFO_E_* code
 * (sfoauth_types.h). The network functions return, besides the port's and the
 * HTTP client's codes:
 *   SFO_E_OAUTH          the server answered an OAuth error: err.error and
 *                        err.error_description hold its strings, err.http_status
 *                        the status;
 *   SFO_E_HTTP_STATUS    unexpected status without a readable OAuth error
 *                        (HTML, empty body, Salesforce's 401 JSON array);
 *                        err.http_status holds it;
 *   SFO_E_OAUTH_RESPONSE 2xx whose JSON lacks a required member or is not an object;
 *   SFO_E_JSON_*         2xx whose body is not valid JSON (the scanner's code);
 *   SFO_E_RESPONSE_TOO_LONG a server value does not fit its field (err.field);
 *   SFO_E_BAD_VALUE      a server value breaks its grammar (err.field);
 *   SFO_E_INSECURE_URL   an endpoint URL is not https (nothing sent);
 *   SFO_E_TOO_LONG       the caller's input does not fit the working buffer;
 *   SFO_E_SIGNATURE      Salesforce 'signature' does not verify;
 *   SFO_E_DEADLINE       the flow's overall deadline passed (retries, polling).
 * On any failure every secret field of the result is wiped (see each function
 * for what is kept).
 *
 * Threads: no global state; two clients with two ports may run in parallel.
 */
#ifndef SFOAUTH_H
#define SFOAUTH_H

#include "sfoauth_types.h"
#include "sfoauth_port.h"
#include "sfo_codec.h"
#include "sfo_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fixed sizes (the capacities SFO_*_MAX, timeouts, retries, backoff and the
 * accepted number ranges are tunables in sfoauth_config.h) ---------------------------- */
#define SFO_SIGNATURE_MAX 48u /* base64 of HMAC-SHA256 is 44 chars */
#define SFO_STATE_LEN     22u /* state: base64url of 16 random bytes */
#define SFO_VERIFIER_LEN  43u /* PKCE verifier: base64url of 32 random bytes */
#define SFO_CHALLENGE_LEN 43u /* base64url(SHA-256) */

/* Bytes at the start of the working buffer that hold a call's response-reading
 * state (the field table and the JSON scanner, plus alignment slack), so that
 * it does not sit on the stack: about 0.7 KiB on 32-bit targets. */
#define SFO_WORK_STATE (12u * sizeof(struct sfo_field) + sizeof(struct sfo_extract) + 16u)
/* Smallest working buffer accepted: the state plus a 512-byte HTTP window. */
#define SFO_WORK_MIN (SFO_WORK_STATE + 512u)

/* ---- configuration ---------------------------------------------------------------- */

/* Device flow dialect. */
enum sfo_dialect {
    SFO_DIALECT_SALESFORCE =
        0,              /* response_type=device_code at the token URL, grant_type=device, code= */
    SFO_DIALECT_RFC = 1 /* RFC 8628: device URL, urn:...:device_code grant, device_code= */
};

/*
 * Client configuration. Fill it with sfo_client_init() and then set what
 * differs. Every pointer is borrowed: it must stay valid during each call.
 * The library never writes to it and never copies the client secret anywhere
 * that outlives a call (copies in the working buffer are wiped before return).
 */
struct sfo_client {
    const struct sfo_port *port; /* platform: sockets, TLS + trust store, clocks, crypto */
    /*
     * Login URL: https://login.salesforce.com, https://test.salesforce.com, a My
     * Domain, or an Experience Cloud site (may carry a path). Endpoints are this
     * URL (without a trailing '/') followed by Salesforce's paths
     * /services/oauth2/{token,authorize,revoke,introspect,userinfo}; each of
     * the URLs below, when not NULL, replaces its derived value (other servers).
     */
    const char *login_url;
    const char *token_url;
    const char *authorize_url;
    const char *revoke_url;
    const char *introspect_url;
    const char *userinfo_url;
    const char *device_url; /* RFC dialect: device authorization endpoint (required) */
    const char *client_id;  /* NULL: only sfo_revoke() (no client authentication) */
    /* Optional client secret (not NUL-terminated). The caller wipes it. */
    const uint8_t *client_secret;
    size_t client_secret_len;
    bool basic_auth; /* client_id/secret in HTTP Basic instead of the body */
    enum sfo_dialect dialect;
    bool allow_password;   /* must be set for sfo_password_grant() */
    uint32_t timeout_ms;   /* one HTTP exchange (connect, TLS, request, response) */
    uint32_t deadline_ms;  /* a whole call including retries (not device polling) */
    uint8_t retries;       /* extra attempts after a retryable failure */
    const char *proxy_url; /* http://host:port for CONNECT, or NULL */
    /* Working buffer: the call's reading state (SFO_WORK_STATE), the HTTP I/O
     * window (>= 512 bytes) and scratch (endpoint URL, JWT assertion, Basic
     * credentials, a rotated refresh token). >= SFO_WORK_MIN; 2 KiB is
     * comfortable on 32-bit targets with a 2048-bit JWT key, 3 KiB on 64-bit
     * hosts; a 4096-bit key adds ~350 bytes of assertion. */
    uint8_t *work;
    size_t work_len;
};

/*
 * Set defaults (timeouts, retries, Salesforce dialect, body client auth, no
 * overrides, no secret). client_id may be NULL for a client that only revokes
 * (Salesforce's revoke endpoint takes the token alone). Returns SFO_OK,
 * SFO_E_ARG (NULL c/port/login_url/work, empty login_url or client_id,
 * work_len < SFO_WORK_MIN) or SFO_E_ABI: the caller was compiled with other
 * capacities (-D) or another struct layout than the library; nothing else of
 * the library may then be used.
 *
 * sfo_client_init() is a macro passing the caller's view of the layout to
 * sfo_client_init_checked(); call it, not the function.
 */
#define SFO_ABI_SIZES                                                                              \
    SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(SFO__MIX(2166136261u, sizeof(struct sfo_client)), \
                                                 sizeof(struct sfo_token)),                        \
                                        sizeof(struct sfo_device)),                                \
                               sizeof(struct sfo_introspection)),                                  \
                      sizeof(struct sfo_authz)),                                                   \
             sizeof(struct sfo_extract))
#define sfo_client_init(c, port, login_url, client_id, work, work_len)                 \
    sfo_client_init_checked((c), (port), (login_url), (client_id), (work), (work_len), \
                            SFO_ABI_SIZES, SFO_CONFIG_SIGNATURE)
int sfo_client_init_checked(struct sfo_client *c, const struct sfo_port *port,
                            const char *login_url, const char *client_id, uint8_t *work,
                            size_t work_len, uint32_t sizes, uint32_t settings);

/* ---- results --------------------------------------------------------------------- */

/* An OAuth error answer (or just the HTTP status when the body had none). */
struct sfo_oauth_error {
    int http_status;           /* 0 when no response was read */
    char error[SFO_ERROR_MAX]; /* "" when absent */
    char error_description[SFO_ERROR_DESC_MAX];
    /* On SFO_E_BAD_VALUE, SFO_E_RESPONSE_TOO_LONG, SFO_E_JSON_TYPE/_RANGE/_DUPKEY:
     * the answer's member at fault (a constant string), else NULL. */
    const char *field;
};

/* Token response. Absent members are "" (expires_in: -1). */
struct sfo_token {
    char access_token[SFO_ACCESS_TOKEN_MAX];
    char refresh_token[SFO_REFRESH_TOKEN_MAX];
    char instance_url[SFO_URL_MAX];
    char id[SFO_URL_MAX];
    char token_type[SFO_TOKEN_TYPE_MAX];
    char scope[SFO_SCOPE_MAX];
    char issued_at[SFO_ISSUED_AT_MAX]; /* as received (Salesforce: milliseconds) */
    char signature[SFO_SIGNATURE_MAX];
    char id_token[SFO_ID_TOKEN_MAX];
    int64_t expires_in;         /* seconds, -1 when not sent */
    bool signature_verified;    /* signature present and checked */
    struct sfo_oauth_error err; /* on SFO_E_OAUTH / SFO_E_HTTP_STATUS */
};

/* Wipe every field of a token (secrets included) and reset expires_in to -1. */
void sfo_token_wipe(struct sfo_token *t);

/*
 * Salesforce signature check: base64(HMAC-SHA256(secret, id || issued_at))
 * compared in constant time with sig. Returns SFO_OK, SFO_E_SIGNATURE, SFO_E_ARG,
 * or the port's SFO_E_CRYPTO. The token functions call it when the response has
 * a signature and the client has a secret.
 */
int sfo_signature_check(const struct sfo_port *port, const uint8_t *secret, size_t secret_len,
                        const char *id, const char *issued_at, const char *sig);

/* ---- JWT bearer (RFC 7523, Salesforce "OAuth 2.0 JWT Bearer Flow") --------------- */

struct sfo_jwt {
    const char *username; /* sub */
    const uint8_t *key;   /* RSA private key, PEM or DER (PKCS#1 or PKCS#8) */
    size_t key_len;
    const char *audience; /* NULL: sfo_jwt_audience(login_url) */
    uint32_t lifetime_s;  /* 0: SFO_JWT_LIFETIME_S */
};

/*
 * Audience for a login URL: "https://test.salesforce.com" for test.salesforce.com
 * and *.sandbox.my.salesforce.com; "https://login.salesforce.com" for other
 * *.salesforce.com and *.force.com hosts; else the login URL itself without a
 * trailing '/' (its origin, plus the path of an Experience Cloud site).
 * Writes into out (cap incl. NUL). Returns SFO_OK, SFO_E_TOO_LONG, SFO_E_ARG
 * or the URL parser's codes.
 */
int sfo_jwt_audience(const char *login_url, char *out, size_t cap, size_t *out_len);

/*
 * Build the signed assertion header.claims.signature into out (cap incl. NUL):
 * header {"alg":"RS256"}; claims iss = client id, sub, aud, exp = wall_s + lifetime.
 * The key is loaded with port->key_load and cleared with port->key_clear before
 * return. out must also hold the raw signature while it is encoded: the
 * assertion length plus ~2 bytes. Returns SFO_OK, SFO_E_ARG, SFO_E_TOO_LONG,
 * SFO_E_JSON_UTF8 (a claim is not UTF-8), SFO_E_KEY, SFO_E_KEY_TYPE,
 * SFO_E_CRYPTO.
 */
int sfo_jwt_build(const struct sfo_client *c, const struct sfo_jwt *j, char *out, size_t cap,
                  size_t *out_len);

/*
 * JWT bearer grant: builds the assertion in the working buffer's scratch,
 * posts grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=...,
 * wipes the assertion, reads the token into tok.
 */
int sfo_jwt_bearer(const struct sfo_client *c, const struct sfo_jwt *j, struct sfo_token *tok);

/* ---- authorization code + PKCE ---------------------------------------------------- */

/* What the caller keeps between the authorize URL and the callback. Secret:
 * wipe it (sfo_wipe) once the code is exchanged. */
struct sfo_authz {
    char state[SFO_STATE_LEN + 1];
    char verifier[SFO_VERIFIER_LEN + 1]; /* "" without PKCE */
};

struct sfo_authz_params {
    const char *redirect_uri; /* required */
    const char *scope;        /* space separated, or NULL */
    const char *prompt;       /* login / consent / select_account, or NULL */
    const char *login_hint;   /* or NULL */
    bool pkce;                /* add code_challenge (S256) */
};

/*
 * Fill s with a fresh state (and PKCE verifier) from port->random and write the
 * authorize URL: authorize_url?response_type=code&client_id=..&redirect_uri=..
 * [&scope=..][&prompt=..][&login_hint=..]&state=..[&code_challenge=..
 * &code_challenge_method=S256] into out (cap incl. NUL).
 * Returns SFO_OK, SFO_E_ARG, SFO_E_TOO_LONG, SFO_E_INSECURE_URL (authorize URL
 * not https), SFO_E_ENTROPY, SFO_E_CRYPTO.
 */
int sfo_authorize_url(const struct sfo_client *c, const struct sfo_authz_params *p,
                      struct sfo_authz *s, char *out, size_t cap, size_t *out_len);

/*
 * PKCE S256 challenge of a verifier (43..128 unreserved characters):
 * base64url(SHA-256(verifier)) into out (SFO_CHALLENGE_LEN + 1 bytes).
 * Returns SFO_OK, SFO_E_ARG (verifier syntax), SFO_E_CRYPTO.
 */
int sfo_pkce_challenge(const struct sfo_port *port, const char *verifier, size_t len,
                       char out[SFO_CHALLENGE_LEN + 1]);

/*
 * Read the callback: the whole redirect URL as pasted (or just its query
 * string when it does not start with http), n bytes. With a code: checks
 * state against s->state in constant time (SFO_E_STATE_MISMATCH when absent or
 * different), percent-decodes the code into code (cap incl. NUL).
 * With error=: SFO_E_OAUTH, err filled (http_status 0). Neither: SFO_E_CALLBACK.
 * A code that is not 1*VSCHAR, or error/error_description that are not
 * NQSCHAR, after decoding: SFO_E_BAD_VALUE, err->field naming it.
 * Also SFO_E_TOO_LONG, SFO_E_PCT, SFO_E_DUPLICATE, SFO_E_URL*.
 */
int sfo_callback_parse(const char *url, size_t n, const struct sfo_authz *s, char *code, size_t cap,
                       struct sfo_oauth_error *err);

/* Exchange the code (grant_type=authorization_code, redirect_uri, and
 * code_verifier when s->verifier is not empty; s may be NULL without PKCE). */
int sfo_code_exchange(const struct sfo_client *c, const char *code, const char *redirect_uri,
                      const struct sfo_authz *s, struct sfo_token *tok);

/* ---- refresh, client credentials, password ---------------------------------------- */

/*
 * grant_type=refresh_token with tok->refresh_token. On success tok holds the
 * new token; a rotated refresh token replaces the old one, otherwise the old
 * one is kept. On failure tok->refresh_token is kept unchanged, the rest wiped.
 */
int sfo_refresh(const struct sfo_client *c, struct sfo_token *tok);

/* grant_type=client_credentials (needs a client secret); scope may be NULL. */
int sfo_client_credentials(const struct sfo_client *c, const char *scope, struct sfo_token *tok);

/* grant_type=password; SFO_E_ARG unless c->allow_password. password (+ security
 * token appended by the caller) is password_len bytes. */
int sfo_password_grant(const struct sfo_client *c, const char *username, const char *password,
                       size_t password_len, struct sfo_token *tok);

/* ---- device flow ------------------------------------------------------------------ */

struct sfo_device {
    char device_code[SFO_DEVICE_CODE_MAX];
    char user_code[SFO_USER_CODE_MAX];
    char verification_uri[SFO_URL_MAX];
    char verification_uri_complete[SFO_URL_MAX]; /* RFC 8628 only; "" when absent */
    uint32_t interval_s;                         /* 5 when not sent */
    int64_t expires_in;                          /* -1 when not sent (Salesforce) */
    struct sfo_oauth_error err;
};

/* Start: Salesforce dialect posts response_type=device_code to the token URL;
 * RFC dialect posts to c->device_url. scope may be NULL. Show d->user_code and
 * d->verification_uri to the user. */
int sfo_device_start(const struct sfo_client *c, const char *scope, struct sfo_device *d);

/*
 * Poll every interval until a token, an error, or max_wait_s (and expires_in
 * when sent) passes (SFO_E_DEADLINE). authorization_pending keeps polling;
 * slow_down adds 5 s to the interval; any other OAuth error ends the flow
 * (SFO_E_OAUTH, tok->err). Sleeps with port->sleep_ms.
 */
int sfo_device_poll(const struct sfo_client *c, struct sfo_device *d, uint32_t max_wait_s,
                    struct sfo_token *tok);

/* ---- revoke, introspect, userinfo ------------------------------------------------- */

/* POST token=... to the revoke URL, with client authentication when
 * c->client_id is set and none when it is NULL (as Salesforce documents the
 * endpoint). 200 -> SFO_OK whatever the body. err may be NULL. */
int sfo_revoke(const struct sfo_client *c, const char *token, struct sfo_oauth_error *err);

struct sfo_introspection {
    bool active;
    char scope[SFO_SCOPE_MAX];
    char client_id[SFO_INTROSPECT_STR_MAX];
    char username[SFO_INTROSPECT_STR_MAX];
    char sub[SFO_INTROSPECT_STR_MAX];
    char token_type[SFO_INTROSPECT_STR_MAX];
    int64_t exp, iat, nbf; /* 0 when absent */
    struct sfo_oauth_error err;
};

/* POST token, token_type_hint (may be NULL) with client authentication. An
 * inactive token is SFO_OK with active false. */
int sfo_introspect(const struct sfo_client *c, const char *token, const char *hint,
                   struct sfo_introspection *out);

/*
 * GET the userinfo URL with Authorization: Bearer access_token. The raw JSON body
 * is copied into out (cap incl. NUL) while it is validated with the JSON scanner;
 * on success it is one valid JSON object whose strings hold no C0/C1 control
 * character or DEL (raw or escaped; else SFO_E_BAD_VALUE, field "userinfo").
 * Returns SFO_OK, SFO_E_RESPONSE_TOO_LONG (body larger than cap), SFO_E_JSON_*,
 * SFO_E_OAUTH_RESPONSE (not an object), or the errors above.
 */
int sfo_userinfo(const struct sfo_client *c, const char *access_token, char *out, size_t cap,
                 size_t *out_len, struct sfo_oauth_error *err);

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_H */
