/*
 * Test support for the fault and secret tests: the Salesforce-shaped test
 * server (tests/server/sf_server.py) with a fixed set of connected apps, a
 * real POSIX port trusting the test CA, and helpers that drive the server's
 * front half (authorize redirect, device approval) through the library's own
 * HTTP client on the real port. Test-only code.
 */
#ifndef SFO_FLOWENV_H
#define SFO_FLOWENV_H

#include <stdbool.h>
#include "sfoauth.h"
#include "sfoauth_posix.h"
#include "testenv.h"

#define FE_WEB_ID     "3MVG9fault.web.client"
#define FE_WEB_SECRET "web-SECRET-a8f3c1d9e7b5a3c1d9e7b5f3a1c9"
#define FE_JWT_ID     "3MVG9fault.jwt.client"
#define FE_JWT_SECRET "jwt-SECRET-77aa66bb55cc44dd33ee"
#define FE_DEV_ID     "3MVG9fault.device.client"
#define FE_DEV_SECRET "dev-SECRET-5e4d3c2b1a0f9e8d7c6b"
#define FE_CC_ID      "3MVG9fault.cc.client"
#define FE_CC_SECRET  "cc-SECRET-0f1e2d3c4b5a69788796"
#define FE_RU         "http://localhost:1717/OauthRedirect"
#define FE_JWT_USER   "jwt@example.com"
#define FE_WEB_USER   "web@example.com"
#define FE_OTHER_USER "other@example.com"

struct fe {
    struct t_server srv;
    struct sfo_posix_port pp; /* large with BearSSL: keep the struct static */
    struct sfo_port port;     /* the real port */
    char url[128];
    char ca[1024];
    uint16_t srv_port;
};

/* Start the server (its log in the build dir, named after tag) and the port.
 * Returns 0 on success. */
int fe_up(struct fe *e, const char *tag);
void fe_down(struct fe *e);

/* POST form (already encoded "a=b&c=d") to path on the server with the real
 * port; returns the HTTP status or a negative SFO_E_* code. */
int fe_post(struct fe *e, const char *path, const char *form);

/* The authorize request for client c (redirect FE_RU, PKCE when pkce): gets
 * the 302, reads the code from the callback. Returns SFO_OK or an error. */
int fe_code(struct fe *e, const struct sfo_client *c, bool pkce, struct sfo_authz *s, char *code,
            size_t cap);

#endif
