/*
 * Loopback redirect receiver over POSIX sockets (see sfoauth_loopback.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "sfoauth_loopback.h"
#include "sfo_codec.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_on(int family, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1;
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        sl = sizeof *a;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void sfo_loopback_close(struct sfo_loopback *lb)
{
    int i;
    if (lb == NULL) {
        return;
    }
    for (i = 0; i < 2; i++) {
        if (lb->fd[i] >= 0) {
            close(lb->fd[i]);
        }
        lb->fd[i] = -1;
    }
}

int sfo_loopback_open(struct sfo_loopback *lb, const char *redirect_uri)
{
    struct sfo_url u;
    bool v4 = false, v6 = false;
    int rc;
    if (lb == NULL || redirect_uri == NULL) {
        return SFO_E_ARG;
    }
    lb->fd[0] = lb->fd[1] = -1;
    rc = sfo_url_parse(redirect_uri, strlen(redirect_uri), &u);
    if (rc != SFO_OK) {
        return rc;
    }
    if (u.https || !u.port_explicit) {
        return SFO_E_ARG;
    }
    if (u.host_len == 9 && memcmp(u.host, "localhost", 9) == 0) {
        v4 = v6 = true;
    } else if (u.host_len == 9 && memcmp(u.host, "127.0.0.1", 9) == 0) {
        v4 = true;
    } else if (u.host_is_ipv6 && u.host_len == 3 && memcmp(u.host, "::1", 3) == 0) {
        v6 = true;
    } else {
        return SFO_E_ARG;
    }
    if (u.path_len + 1u > sizeof lb->path) {
        return SFO_E_TOO_LONG;
    }
    memcpy(lb->path, u.path, u.path_len);
    lb->path[u.path_len] = '\0';
    lb->port = u.port;
    if (v4) {
        lb->fd[0] = listen_on(AF_INET, u.port);
    }
    if (v6) {
        lb->fd[1] = listen_on(AF_INET6, u.port);
    }
    /* localhost: one family is enough (the host may lack IPv6) */
    if ((v4 && !v6 && lb->fd[0] < 0) || (v6 && !v4 && lb->fd[1] < 0) ||
        (lb->fd[0] < 0 && lb->fd[1] < 0)) {
        sfo_loopback_close(lb);
        return SFO_E_IO;
    }
    return SFO_OK;
}

static void reply(int fd, const char *status, const char *body)
{
    char buf[512];
    size_t bl = strlen(body);
    size_t sl = strlen(status);
    size_t n = 0;
    /* "HTTP/1.1 <status>\r\nContent-Type: ...\r\nContent-Length: n\r\n
     *  Connection: close\r\n\r\n<body>" built without stdio */
    static const char k1[] = "HTTP/1.1 ";
    static const char k2[] = "\r\nContent-Type: text/html; charset=utf-8\r\n"
                             "Cache-Control: no-store\r\nConnection: close\r\n"
                             "Content-Length: ";
    char num[12];
    size_t nl = 0, t = bl;
    do {
        num[nl++] = (char)('0' + (int)(t % 10u));
        t /= 10u;
    } while (t != 0u);
    memcpy(buf + n, k1, sizeof k1 - 1u);
    n += sizeof k1 - 1u;
    memcpy(buf + n, status, sl);
    n += sl;
    memcpy(buf + n, k2, sizeof k2 - 1u);
    n += sizeof k2 - 1u;
    while (nl > 0) {
        buf[n++] = num[--nl];
    }
    memcpy(buf + n, "\r\n\r\n", 4);
    n += 4;
    if (n + bl <= sizeof buf) {
        memcpy(buf + n, body, bl);
        n += bl;
    }
    /* MSG_NOSIGNAL: a browser that already went away must not raise SIGPIPE */
    (void)!send(fd, buf, n, MSG_NOSIGNAL);
}

/* Read a request head from fd until CRLFCRLF or the deadline; returns its
 * length, or -1 (deadline, error, peer closed, or larger than cap - 1). */
static ssize_t read_head(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t n = 0;
    while (n + 1u < cap) {
        int64_t left = deadline - now_ms();
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t r;
        if (left <= 0 || poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left) <= 0) {
            return -1;
        }
        r = read(fd, buf + n, cap - 1u - n);
        if (r <= 0) {
            return -1;
        }
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL) {
            return (ssize_t)n;
        }
    }
    return -1;
}

/* Serve one connection whose request head has started to arrive. Returns
 * SFO_OK (redirect caught: query filled), SFO_E_TOO_LONG, or SFO_E_AGAIN
 * (anything else: answered or dropped; keep waiting). Closes fd. */
static int serve(struct sfo_loopback *lb, int fd, int64_t deadline, char *query, size_t cap,
                 size_t *len)
{
    static const char k_ok[] = "<!doctype html><html><head><title>sfoauth</title></head>"
                               "<body><p>Authorization received. You can close this window."
                               "</p></body></html>";
    char req[SFO_LOOPBACK_REQ_MAX];
    const char *target, *sp, *qm;
    const char *path = lb->path[0] != '\0' ? lb->path : "/";
    size_t pl, ql;
    int rc = SFO_E_AGAIN;
    int64_t hd = now_ms() + SFO_LOOPBACK_HEAD_MS;
    ssize_t n = read_head(fd, req, sizeof req, hd < deadline ? hd : deadline);
    if (n < 0) {
        /* idle, too slow, closed, or a head larger than the buffer */
    } else if (strncmp(req, "GET ", 4) != 0) {
        reply(fd, "405 Method Not Allowed", "");
    } else if ((sp = strchr(target = req + 4, ' ')) == NULL) {
        reply(fd, "400 Bad Request", "");
    } else {
        qm = memchr(target, '?', (size_t)(sp - target));
        pl = (size_t)((qm != NULL ? qm : sp) - target);
        ql = qm != NULL ? (size_t)(sp - qm - 1) : 0u;
        if (pl != strlen(path) || memcmp(target, path, pl) != 0) {
            reply(fd, "404 Not Found", "");
        } else if (ql + 1u > cap) {
            reply(fd, "400 Bad Request", "");
            rc = SFO_E_TOO_LONG;
        } else {
            memcpy(query, qm != NULL ? qm + 1 : "", ql);
            query[ql] = '\0';
            if (len != NULL) {
                *len = ql;
            }
            reply(fd, "200 OK", k_ok);
            rc = SFO_OK;
        }
    }
    close(fd);
    sfo_wipe(req, sizeof req);
    return rc;
}

int sfo_loopback_wait(struct sfo_loopback *lb, uint32_t timeout_ms, char *query, size_t cap,
                      size_t *len)
{
    int64_t deadline = now_ms() + (int64_t)timeout_ms;
    /* accepted connections whose request has not arrived yet (a browser may
     * open spare connections that stay idle): polled together with the
     * listening sockets, so an idle one never blocks the real redirect */
    int conn[SFO_LOOPBACK_CONN_MAX];
    size_t nconn = 0, i;
    int rc = SFO_E_DEADLINE;
    if (lb == NULL || query == NULL || cap == 0 || (lb->fd[0] < 0 && lb->fd[1] < 0)) {
        return SFO_E_ARG;
    }
    for (;;) {
        struct pollfd p[2u + SFO_LOOPBACK_CONN_MAX];
        nfds_t np = 0, nl;
        int64_t left = deadline - now_ms();
        int r;
        if (left <= 0) {
            rc = SFO_E_DEADLINE;
            break;
        }
        for (i = 0; i < 2u; i++) {
            if (lb->fd[i] >= 0) {
                p[np].fd = lb->fd[i];
                p[np].events = POLLIN;
                p[np].revents = 0;
                np++;
            }
        }
        nl = np;
        for (i = 0; i < nconn; i++) {
            p[np].fd = conn[i];
            p[np].events = POLLIN;
            p[np].revents = 0;
            np++;
        }
        r = poll(p, np, left > INT32_MAX ? INT32_MAX : (int)left);
        if (r < 0 && errno != EINTR) {
            rc = SFO_E_IO;
            break;
        }
        if (r <= 0) {
            continue;
        }
        /* a connection with data (or a hang-up): serve it, one per round */
        for (i = 0; i < nconn && p[nl + i].revents == 0; i++) {}
        if (i < nconn) {
            int fd = conn[i];
            memmove(&conn[i], &conn[i + 1u], (nconn - i - 1u) * sizeof conn[0]);
            nconn--;
            rc = serve(lb, fd, deadline, query, cap, len);
            if (rc != SFO_E_AGAIN) {
                break;
            }
            continue;
        }
        for (i = 0; i < nl; i++) {
            if (p[i].revents & POLLIN) {
                int fd = accept(p[i].fd, NULL, NULL);
                if (fd < 0) {
                    continue;
                }
                (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
                if (nconn == SFO_LOOPBACK_CONN_MAX) {
                    /* full: drop the oldest pending connection */
                    close(conn[0]);
                    memmove(&conn[0], &conn[1], (nconn - 1u) * sizeof conn[0]);
                    nconn--;
                }
                conn[nconn++] = fd;
            }
        }
    }
    for (i = 0; i < nconn; i++) {
        close(conn[i]);
    }
    return rc;
}
