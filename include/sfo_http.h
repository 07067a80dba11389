/*
 * sfoauth HTTP/1.1 client: request writer, incremental response parser and a
 * one-request-at-a-time client with keep-alive, deadlines and HTTPS proxies.
 *
 * Freestanding, no allocation: every byte lives in caller-owned structs and
 * one caller-owned I/O window (512 bytes minimum, SFO_HTTP_WINDOW_DEFAULT
 * recommended). Bodies are never copied whole: response body bytes are pushed
 * to a sink callback as spans, request form bodies are encoded into the window
 * as they are sent.
 *
 * Strictness (a client talking to token endpoints has no reason to be
 * lenient): only "HTTP/1.0" and "HTTP/1.1", CRLF line ends only (no bare CR or
 * LF), no obs-fold, header names must be tokens, Content-Length plain decimal,
 * Transfer-Encoding exactly "chunked", no Content-Length together with
 * Transfer-Encoding. Each refusal has its own SFO_E_HTTP_* code.
 */
#ifndef SFO_HTTP_H
#define SFO_HTTP_H

#include "sfoauth_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits (the tunable ones, SFO_HTTP_WINDOW_DEFAULT, _HEADER_MAX, _BODY_MAX,
 * _SCRATCH and _CHUNK_LINE_MAX, are in sfoauth_config.h) ------------------------------ */
#define SFO_HTTP_WINDOW_MIN 512u /* smallest window sfo_http_request accepts */
/* Longest host name a request may name, including the NUL (RFC 1035: 255
 * characters); also the host_buf size that keeps any connection alive. */
#define SFO_HTTP_HOST_MAX 256u
/* Suggested capacities of the caller's kept-header buffers (see response.hdr). */
#define SFO_HTTP_CT_MAX       64u  /* Content-Type, including the NUL */
#define SFO_HTTP_LOCATION_MAX 256u /* Location, including the NUL */
#define SFO_HTTP_AUTHN_MAX    128u /* WWW-Authenticate, including the NUL */

/* ---- response ----------------------------------------------------------------------- */

/* Kept string headers: index into sfo_http_response.hdr. */
#define SFO_HTTP_CONTENT_TYPE     0u
#define SFO_HTTP_LOCATION         1u
#define SFO_HTTP_WWW_AUTHENTICATE 2u
#define SFO_HTTP_KEPT             3u

/* Bits of sfo_http_response.overflow (1 << index): a kept header whose value did
 * not fit its buffer is left empty (never truncated) and flagged here. */
#define SFO_HTTP_OVF_CONTENT_TYPE 1u
#define SFO_HTTP_OVF_LOCATION     2u
#define SFO_HTTP_OVF_AUTHN        4u

/* A caller's buffer for one kept string header (cap includes the NUL). */
struct sfo_http_hdrbuf {
    char *buf;
    size_t cap;
};

/*
 * What the client keeps of a response. Status and framing are always kept;
 * the string headers (Content-Type, Location, WWW-Authenticate) only into the
 * caller's buffers set in hdr[] before parsing (zero the struct to keep none:
 * a NULL buf or cap 0 skips that header). Other headers are skipped without
 * being stored. For repeated kept lines the first one is kept.
 */
struct sfo_http_response {
    int status;             /* final status (1xx responses are skipped), 0 if none */
    uint8_t minor;          /* HTTP/1.minor */
    bool keep_alive;        /* the connection may carry another request */
    bool chunked;           /* body was chunked */
    int64_t content_length; /* -1 when absent */
    int64_t retry_after_s;  /* Retry-After in delay-seconds; -1 absent or HTTP-date */
    uint64_t body_len;      /* body bytes delivered to the sink */
    unsigned overflow;      /* SFO_HTTP_OVF_* bits */
    int sink_err;           /* the sink's own code when SFO_E_HTTP_SINK was returned */
    struct sfo_http_hdrbuf hdr[SFO_HTTP_KEPT]; /* caller's buffers ("" when absent) */
};

/*
 * Body sink: receives body bytes in order, as spans of any size >= 1. Returns
 * 0 to continue, anything else to stop (kept in response.sink_err; the
 * parser then returns SFO_E_HTTP_SINK). May be NULL to discard the body.
 */
typedef int (*sfo_http_sink)(void *ctx, const uint8_t *data, size_t len);

/* ---- incremental response parser ---------------------------------------------------- */

/* Parser state: opaque; fields are private. */
struct sfo_http_parser {
    struct sfo_http_response *resp;
    sfo_http_sink sink;
    void *sink_ctx;
    uint64_t body_max;
    uint64_t left; /* body or chunk bytes still to come */
    uint64_t num;  /* number being read (status code, chunk size) */
    size_t header_max;
    size_t hdr_bytes; /* header section bytes seen (1xx, final, trailers) */
    size_t line;      /* bytes of the current chunk framing line */
    size_t slen;      /* bytes of the kept string header being written */
    int err;          /* sticky error */
    uint8_t state, next, k, hid, vlen;
    uint16_t flags;
    bool no_body; /* HEAD request: final response has no body */
    char scratch[SFO_HTTP_SCRATCH];
};

/*
 * Start parsing one response into *resp (results cleared, content_length and
 * retry_after_s set to -1, each hdr[] buffer set to ""; the hdr[] pointers are
 * the caller's and stay). head: the request was HEAD (no body follows).
 * header_max: limit on the header section bytes (status lines and headers of
 * the 1xx responses and of the final one), 0 = SFO_HTTP_HEADER_MAX.
 * body_max: limit on body bytes, 0 = SFO_HTTP_BODY_MAX.
 * Returns SFO_OK or SFO_E_ARG (NULL p or resp).
 */
int sfo_http_parser_init(struct sfo_http_parser *p, struct sfo_http_response *resp, bool head,
                         size_t header_max, uint64_t body_max, sfo_http_sink sink, void *sink_ctx);

/*
 * Feed len bytes in any split. *used (may be NULL) receives how many bytes
 * belong to this response: when the response completes inside data, the
 * bytes after it are not consumed (the client treats them as a protocol
 * fault and drops the connection).
 * Returns SFO_OK (more needed, or complete: see sfo_http_parser_done),
 * SFO_E_HTTP_STATUS_LINE (not "HTTP/1.[01] NNN ..." with NNN in 100..599),
 * SFO_E_HTTP_STATUS (101 Switching Protocols: never asked for),
 * SFO_E_HTTP_HEADER (bad header line, bare CR/LF, obs-fold),
 * SFO_E_HTTP_HEADER_SIZE, SFO_E_HTTP_CL_TE, SFO_E_HTTP_CL (malformed,
 * conflicting duplicates, or over 2^62), SFO_E_HTTP_TE (anything but one
 * "chunked"), SFO_E_HTTP_CHUNK (bad chunk line, extension or chunk end),
 * SFO_E_HTTP_CHUNK_SIZE (chunk size overflows 2^60), SFO_E_HTTP_BODY_SIZE,
 * SFO_E_HTTP_SINK, SFO_E_ARG (NULL p, or NULL data with len > 0). Feeding
 * after completion is not an error: SFO_OK, nothing consumed. An error is
 * sticky: later calls return it.
 */
int sfo_http_parser_feed(struct sfo_http_parser *p, const uint8_t *data, size_t len, size_t *used);

/*
 * Tell the parser the stream ended. Returns SFO_OK when the response is
 * complete (a close-delimited body ends here), SFO_E_CLOSED when no byte of a
 * response was seen, SFO_E_HTTP_TRUNCATED when the stream ended inside the
 * response, or the sticky error.
 */
int sfo_http_parser_eof(struct sfo_http_parser *p);

/* True once the whole response (headers and body) has been parsed. */
bool sfo_http_parser_done(const struct sfo_http_parser *p);

/* ---- client ------------------------------------------------------------------------- */

/* One form field, encoded (application/x-www-form-urlencoded) as it is sent. */
struct sfo_http_field {
    const char *name;  /* NUL-terminated */
    const char *value; /* value_len bytes, any content (a secret: never logged) */
    size_t value_len;
};

/*
 * A request. The body is either raw (body/body_len) or form fields
 * (form/form_n), never both. Strings are NUL-terminated.
 */
struct sfo_http_request {
    const char *method;        /* "GET", "POST", "HEAD", ... */
    bool https;                /* TLS to the origin (default for real servers) */
    const char *host;          /* DNS name, IPv4, or IPv6 without brackets */
    uint16_t port;             /* 0 = 443 / 80 by scheme */
    const char *target;        /* path and query, starting with '/' */
    const char *authorization; /* full Authorization value ("Bearer x"), or NULL; never logged */
    const char *content_type;  /* NULL: form -> application/x-www-form-urlencoded */
    const uint8_t *body;
    size_t body_len;
    const struct sfo_http_field *form;
    size_t form_n;
};

/*
 * The client: caller-owned, zero it then fill the configuration fields.
 * One connection at a time; it stays open after a response that allows
 * keep-alive and is reused by the next request to the same origin.
 */
struct sfo_http_client {
    /* configuration */
    const struct sfo_port *port;
    uint8_t *win;               /* I/O window; holds request bytes (wiped after use) */
    size_t win_len;             /* >= SFO_HTTP_WINDOW_MIN */
    size_t header_max;          /* 0 = SFO_HTTP_HEADER_MAX */
    uint64_t body_max;          /* 0 = SFO_HTTP_BODY_MAX */
    int32_t connect_timeout_ms; /* 0 = 10000; also bounded by the request deadline */
    int32_t timeout_ms;         /* whole request (connect..last body byte); 0 = 30000 */
    const char *proxy_host;     /* NULL: direct; else HTTP proxy for https (CONNECT) */
    uint16_t proxy_port;
    const char *proxy_auth; /* full Proxy-Authorization value ("Basic ..."), or NULL */
    /* results and state (read-only for the caller) */
    int proxy_status; /* status of a refused CONNECT */
    bool reused;      /* last request went over a reused connection */
    bool open;
    bool open_https;
    uint16_t open_port;
    struct sfo_transport io;
    /* Keep-alive needs the open connection's host: host_buf (host_cap bytes,
     * caller-owned; configuration) holds a copy. NULL, or a host that does not
     * fit, means the connection is closed after each response. */
    char *host_buf;
    size_t host_cap;
};

/*
 * Send one request and read its response: status and kept headers into
 * *resp (its hdr[] buffers set by the caller), body bytes to sink. An open connection to the same origin (scheme,
 * host, port) is reused; if it proves stale (send fails, or it ends before
 * any response byte) the request is sent once more on a fresh connection.
 * The connection stays open when resp->keep_alive and the host fits
 * c->host_buf, else it is closed. On any
 * error the connection is closed. The window is wiped before returning.
 *
 * Preconditions: c->port with mono_ms, connect, close (tls_start for https),
 * c->win of at least SFO_HTTP_WINDOW_MIN bytes, req->method/host/target set,
 * target starting with '/', no CR/LF/NUL in any header string.
 *
 * Returns SFO_OK (any status: the caller judges resp->status),
 * SFO_E_ARG / SFO_E_HTTP_REQUEST (bad request description or client),
 * transport errors from the port (SFO_E_DNS, SFO_E_CONNREFUSED, SFO_E_CONNECT,
 * SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_CLOSED, SFO_E_IO, SFO_E_TLS_*),
 * SFO_E_TIMEOUT when the request deadline passes (whatever the server does),
 * SFO_E_PROXY (CONNECT refused; c->proxy_status holds the status),
 * every parser code of sfo_http_parser_feed / sfo_http_parser_eof
 * (SFO_E_CLOSED when the server closed without answering).
 */
int sfo_http_request(struct sfo_http_client *c, const struct sfo_http_request *req,
                     struct sfo_http_response *resp, sfo_http_sink sink, void *sink_ctx);

/* Close the kept connection, if any. Safe to call at any time. */
void sfo_http_close(struct sfo_http_client *c);

#ifdef __cplusplus
}
#endif
#endif /* SFO_HTTP_H */
