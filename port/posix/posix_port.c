/*
 * POSIX port: TCP over BSD sockets (IPv4 and IPv6, non-blocking connect and
 * I/O bounded by deadlines with poll), CLOCK_MONOTONIC / CLOCK_REALTIME,
 * getrandom, CA bundle files. These fill the struct sfo_net and struct
 * sfo_platform of the portable TLS glue (port/tls/), which supplies TLS,
 * crypto and the rest of struct sfo_port.
 *
 * Blocking calls that take no deadline: getaddrinfo (the resolver's own
 * timeouts apply; /etc/resolv.conf "options timeout:n attempts:n").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "sfoauth_posix.h"

static struct sfo_posix_port *PX(void *ctx)
{
    return (struct sfo_posix_port *)ctx;
}

/* ------------------------------------------------------------------ clocks */
static int64_t px_mono_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

static int64_t px_wall_s(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec;
}

/* Sleep ms milliseconds on the monotonic clock, resuming after signals. */
static void px_sleep_ms(void *ctx, uint32_t ms)
{
    struct timespec ts;
    (void)ctx;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {}
}

/* ----------------------------------------------------------------- entropy */
static int px_random(void *ctx, uint8_t *buf, size_t len)
{
    size_t done = 0;
    (void)ctx;
    if (buf == NULL && len > 0) {
        return SFO_E_ARG;
    }
    while (done < len) {
        ssize_t r = getrandom(buf + done, len - done, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            sfo_wipe(buf, len);
            return SFO_E_ENTROPY;
        }
        done += (size_t)r;
    }
    return SFO_OK;
}

/* --------------------------------------------------------------------- log */
static int px_log_enabled(const struct sfo_posix_port *pp, int level)
{
    return pp != NULL && pp->log != NULL && level <= pp->log_level;
}

static void px_log(const struct sfo_posix_port *pp, int level, const char *msg, const char *detail,
                   size_t detail_len)
{
    if (px_log_enabled(pp, level)) {
        pp->log(pp->log_ctx, level, msg, detail, detail_len);
    }
}

/* ----------------------------------------------------------------- sockets */

/* Wait for events on fd until deadline_ms: SFO_OK when ready, SFO_E_TIMEOUT,
 * SFO_E_IO. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - px_mono_ms(NULL);
        struct pollfd p;
        int r;
        if (left <= 0) {
            return SFO_E_TIMEOUT;
        }
        if (left > 60000) {
            left = 60000;
        }
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        r = poll(&p, 1, (int)left);
        if (r > 0) {
            return SFO_OK; /* readiness or error: the next call reports which */
        }
        if (r < 0 && errno != EINTR) {
            return SFO_E_IO;
        }
    }
}

static int map_errno(int e)
{
    switch (e) {
    case ECONNRESET:
    case ECONNABORTED: return SFO_E_RESET;
    case EPIPE: return SFO_E_CLOSED;
    case ETIMEDOUT: return SFO_E_TIMEOUT;
    default: return SFO_E_IO;
    }
}

/* net.send: count >= 1, SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_CLOSED, SFO_E_IO. */
static int px_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_posix_port *pp = PX(ctx);
    if (pp == NULL || pp->fd < 0) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX; /* a count is returned as int: partial write */
    }
    for (;;) {
        ssize_t r = send(pp->fd, buf, len, MSG_NOSIGNAL);
        int rc;
        if (r > 0) {
            return (int)r;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return map_errno(errno);
        }
        rc = wait_fd(pp->fd, POLLOUT, deadline_ms);
        if (rc != SFO_OK) {
            return rc;
        }
    }
}

/* net.recv: count >= 1, 0 at end of stream, SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_IO. */
static int px_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_posix_port *pp = PX(ctx);
    if (pp == NULL || pp->fd < 0) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    for (;;) {
        ssize_t r = recv(pp->fd, buf, len, 0);
        int rc;
        if (r >= 0) {
            return (int)r;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return map_errno(errno);
        }
        rc = wait_fd(pp->fd, POLLIN, deadline_ms);
        if (rc != SFO_OK) {
            return rc;
        }
    }
}

/* One connection attempt to one address: SFO_OK with *fd_out, or an error. */
static int connect_one(const struct addrinfo *ai, int64_t deadline_ms, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    int err = 0;
    socklen_t elen = sizeof err;
    int one = 1;
    if (fd < 0) {
        return SFO_E_CONNECT;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            err = errno;
        } else {
            int rc = wait_fd(fd, POLLOUT, deadline_ms);
            if (rc != SFO_OK) {
                close(fd);
                return rc;
            }
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
                err = errno;
            }
        }
    }
    if (err != 0) {
        close(fd);
        if (err == ECONNREFUSED) {
            return SFO_E_CONNREFUSED;
        }
        if (err == ETIMEDOUT) {
            return SFO_E_TIMEOUT;
        }
        return SFO_E_CONNECT;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return SFO_OK;
}

static void log_peer(const struct sfo_posix_port *pp, const struct addrinfo *ai)
{
    char addr[INET6_ADDRSTRLEN + 8];
    const void *src;
    if (!px_log_enabled(pp, SFO_LOG_INFO)) {
        return;
    }
    if (ai->ai_family == AF_INET6) {
        src = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
    } else {
        src = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
    }
    if (inet_ntop(ai->ai_family, src, addr, sizeof addr) != NULL) {
        px_log(pp, SFO_LOG_INFO, "connected to", addr, strlen(addr));
    }
}

/* net.connect: every address of host in turn until deadline_ms. */
static int px_connect(void *ctx, const char *host, uint16_t port, int64_t deadline_ms)
{
    struct sfo_posix_port *pp = PX(ctx);
    struct addrinfo hints, *res = NULL, *ai;
    char service[8];
    int rc, refused = 0, other = 0;
    if (pp == NULL || host == NULL || host[0] == '\0' || port == 0) {
        return SFO_E_ARG;
    }
    if (pp->fd >= 0) {
        return SFO_E_STATE_MACHINE;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    (void)snprintf(service, sizeof service, "%u", (unsigned)port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || res == NULL) {
        if (res != NULL) {
            freeaddrinfo(res);
        }
        px_log(pp, SFO_LOG_ERROR, "host name did not resolve", host, strlen(host));
        return SFO_E_DNS;
    }
    rc = SFO_E_CONNECT;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = -1;
        rc = connect_one(ai, deadline_ms, &fd);
        if (rc == SFO_OK) {
            pp->fd = fd;
            log_peer(pp, ai);
            break;
        }
        if (rc == SFO_E_TIMEOUT && px_mono_ms(NULL) >= deadline_ms) {
            break; /* the whole budget is spent */
        }
        if (rc == SFO_E_CONNREFUSED) {
            refused++;
        } else {
            other++;
        }
    }
    freeaddrinfo(res);
    if (pp->fd < 0) {
        if (rc == SFO_E_TIMEOUT) {
            return SFO_E_TIMEOUT;
        }
        return (refused > 0 && other == 0) ? SFO_E_CONNREFUSED : SFO_E_CONNECT;
    }
    return SFO_OK;
}

/* net.close */
static void px_close(void *ctx)
{
    struct sfo_posix_port *pp = PX(ctx);
    if (pp != NULL && pp->fd >= 0) {
        (void)close(pp->fd);
        pp->fd = -1;
    }
}

/* ------------------------------------------------------------ CA bundle file */
/* End of the last complete PEM object in buf[0..len) (just after the dashes
 * closing its "-----END ...-----" line), or 0 when none is complete. */
static size_t last_pem_end(const uint8_t *buf, size_t len)
{
    size_t i, cut = 0;
    for (i = 0; i + 9 <= len; i++) {
        if (memcmp(buf + i, "-----END ", 9) == 0) {
            size_t j;
            for (j = i + 9; j + 5 <= len; j++) {
                if (memcmp(buf + j, "-----", 5) == 0) {
                    cut = j + 5;
                    break;
                }
            }
        }
    }
    return cut;
}

/* Read the PEM bundle at path into the glue's trust anchors, in pieces cut
 * at object boundaries. SFO_OK or SFO_E_TLS_CA. */
static int load_ca_file(struct sfo_posix_port *pp, const char *path)
{
    uint8_t buf[SFO_POSIX_PEM_CHUNK];
    size_t have = 0;
    int rc = SFO_OK, eof = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        px_log(pp, SFO_LOG_ERROR, "trust anchors not loadable", path, strlen(path));
        return SFO_E_TLS_CA;
    }
    while (rc == SFO_OK && !eof) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        size_t cut;
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            rc = SFO_E_TLS_CA;
            break;
        }
        eof = r == 0;
        have += (size_t)r;
        cut = eof ? have : last_pem_end(buf, have);
        if (cut == 0 && have == sizeof buf) {
            rc = SFO_E_TLS_CA; /* one object larger than the buffer */
        } else if (cut > 0) {
            rc = sfo_tls_trust_add_pem(&pp->b, buf, cut) < 0 ? SFO_E_TLS_CA : SFO_OK;
            memmove(buf, buf + cut, have - cut);
            have -= cut;
        }
    }
    (void)close(fd);
    if (rc != SFO_OK) {
        px_log(pp, SFO_LOG_ERROR, "trust anchors not loadable", path, strlen(path));
    }
    return rc;
}

/* ----------------------------------------------------------- init, deinit */
/* SFO_OK when cfg is consistent. */
static int check_config(const struct sfo_posix_config *cfg)
{
    if ((cfg->ca_source == SFO_CA_FILE && (cfg->ca_file == NULL || cfg->ca_file[0] == '\0')) ||
        (cfg->ca_source == SFO_CA_PEM && (cfg->ca_pem == NULL || cfg->ca_pem_len == 0)) ||
        cfg->ca_source < SFO_CA_SYSTEM || cfg->ca_source > SFO_CA_SALESFORCE) {
        return SFO_E_ARG;
    }
    return SFO_OK;
}

int sfo_posix_port_init(struct sfo_posix_port *pp, const struct sfo_posix_config *cfg,
                        struct sfo_port *out)
{
    static const struct sfo_posix_config k_default = { 0 };
    struct sfo_tls_config tc;
    int rc;
    if (pp == NULL || out == NULL) {
        return SFO_E_ARG;
    }
    memset(pp, 0, sizeof *pp);
    memset(out, 0, sizeof *out);
    pp->fd = -1;
    pp->inited = 1;
    if (cfg == NULL) {
        cfg = &k_default;
    }
    pp->log = cfg->log;
    pp->log_ctx = cfg->log_ctx;
    pp->log_level = cfg->log_level;
    if (check_config(cfg) != SFO_OK) {
        return SFO_E_ARG;
    }
    memset(&tc, 0, sizeof tc);
    tc.net = (struct sfo_net){ pp, px_connect, px_send, px_recv, px_close };
    tc.platform = (struct sfo_platform){ pp,          px_mono_ms, px_wall_s,    px_random,
                                         px_sleep_ms, cfg->log,   cfg->log_ctx, cfg->log_level };
    tc.trust.salesforce = cfg->ca_source == SFO_CA_SALESFORCE;
    if (cfg->ca_source == SFO_CA_PEM) {
        tc.trust.pem = cfg->ca_pem;
        tc.trust.pem_len = cfg->ca_pem_len;
    }
    rc = sfo_tls_port_init(&pp->b, &tc, out);
    if (rc == SFO_OK && (cfg->ca_source == SFO_CA_FILE || cfg->ca_source == SFO_CA_SYSTEM)) {
        rc = load_ca_file(pp,
                          cfg->ca_source == SFO_CA_FILE ? cfg->ca_file : SFO_POSIX_CA_FILE_DEFAULT);
        if (rc == SFO_OK && sfo_tls_trust_count(&pp->b) == 0) {
            rc = SFO_E_TLS_CA;
        }
    }
    if (rc != SFO_OK) {
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void sfo_posix_port_deinit(struct sfo_posix_port *pp)
{
    if (pp == NULL || !pp->inited) {
        return;
    }
    sfo_tls_port_deinit(&pp->b); /* close_notify, then px_close */
    px_close(pp);
    sfo_wipe(pp, sizeof *pp);
    pp->fd = -1;
}

size_t sfo_posix_port_anchor_count(const struct sfo_posix_port *pp)
{
    return (pp != NULL && pp->inited) ? sfo_tls_trust_count(&pp->b) : 0;
}

/* see sfoauth_posix.h */
void sfo_posix_peer_cert(const struct sfo_posix_port *pp, struct sfo_tls_peer *out)
{
    sfo_tls_peer_cert(pp != NULL ? &pp->b : NULL, out);
}
