/*
 * Loopback redirect receiver (POSIX port side): catches the browser's redirect
 * to http://localhost:PORT/PATH (or 127.0.0.1 / [::1]) at the end of the
 * authorization code flow, as RFC 8252 s.7.3 describes.
 *
 * Listens on 127.0.0.1 and/or ::1 only, never on other interfaces. Accepts
 * connections until one sends "GET <path>?<query> HTTP/1.x" for the redirect
 * path (other paths, e.g. /favicon.ico, get 404), answers a small HTML page and
 * hands the query string back; sfo_callback_parse() then reads code/state.
 * Uses no heap; one struct per wait.
 */
#ifndef SFOAUTH_LOOPBACK_H
#define SFOAUTH_LOOPBACK_H

#include "sfoauth_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SFO_LOOPBACK_PATH_MAX, _REQ_MAX, _CONN_MAX, _HEAD_MS: sfoauth_config.h. */
struct sfo_loopback {
    int fd[2]; /* IPv4, IPv6 listening sockets (-1 when unused) */
    uint16_t port;
    char path[SFO_LOOPBACK_PATH_MAX]; /* redirect path, e.g. "/OauthRedirect" */
};

/*
 * Start listening for redirect_uri: scheme http, host localhost (both
 * 127.0.0.1 and ::1, whichever exist), 127.0.0.1 or [::1], an explicit port.
 * Returns SFO_OK, SFO_E_ARG (not a loopback http URI, no explicit port),
 * SFO_E_TOO_LONG (path), SFO_E_URL* (syntax), SFO_E_IO (socket/bind/listen
 * failed, e.g. port in use).
 */
int sfo_loopback_open(struct sfo_loopback *lb, const char *redirect_uri);

/*
 * Wait up to timeout_ms for the redirect; copy its raw query string (without
 * '?', still percent-encoded) into query (cap incl. NUL). A redirect_uri without
 * a path waits for "/". Connections are served in the order their requests
 * arrive; up to SFO_LOOPBACK_CONN_MAX idle ones (a browser's spare
 * connections) are held open meanwhile (more: the oldest is closed). Once a
 * request starts, its head (at most SFO_LOOPBACK_REQ_MAX bytes) must arrive
 * within SFO_LOOPBACK_HEAD_MS, else that connection is dropped. Other paths
 * get 404, other methods 405, a malformed request line 400; waiting goes on.
 * Returns SFO_OK, SFO_E_DEADLINE (nothing came in time), SFO_E_TOO_LONG (query
 * does not fit; the browser gets 400), SFO_E_ARG (NULL, cap 0, not open),
 * SFO_E_IO (poll failed).
 */
int sfo_loopback_wait(struct sfo_loopback *lb, uint32_t timeout_ms, char *query, size_t cap,
                      size_t *len);

/* Close the listening sockets. Safe to call twice. */
void sfo_loopback_close(struct sfo_loopback *lb);

#ifdef __cplusplus
}
#endif
#endif
