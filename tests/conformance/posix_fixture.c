/*
 * POSIX fixture of the port conformance suite (see posix_fixture.h).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "posix_fixture.h"
#include "sfoauth_posix.h"
#include "testenv.h"
#include "vecjson.h"

#define MAX_VEC 16

struct pfx {
    struct sfo_posix_port *cur; /* the open port (one at a time) */
    struct t_server srv[SFO_CONF_CERT_COUNT];
    int started[SFO_CONF_CERT_COUNT];
    struct sfo_conf_kat_sha256 sha[MAX_VEC];
    struct sfo_conf_kat_hmac hmac[MAX_VEC];
    struct sfo_conf_kat_rsa rsa[2];
    struct sfo_conf_bad_key bad[4];
    void *owned[8 * MAX_VEC]; /* buffers to free */
    size_t n_owned;
};

static void *own(struct pfx *f, void *p)
{
    if (f->n_owned < sizeof f->owned / sizeof f->owned[0]) {
        f->owned[f->n_owned++] = p;
    }
    return p;
}

/* ------------------------------------------------------------ callbacks */
static int port_open(void *ctx, struct sfo_port *port)
{
    struct pfx *f = ctx;
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_FILE };
    int rc;
    cfg.ca_file = t_path("%s/ca.pem", t_pki());
    f->cur = calloc(1, sizeof *f->cur);
    if (f->cur == NULL) {
        return SFO_E_INTERNAL;
    }
    rc = sfo_posix_port_init(f->cur, &cfg, port);
    if (rc != SFO_OK) {
        sfo_posix_port_deinit(f->cur);
        free(f->cur);
        f->cur = NULL;
    }
    return rc;
}

static void port_close(void *ctx, struct sfo_port *port)
{
    struct pfx *f = ctx;
    (void)port;
    sfo_posix_port_deinit(f->cur);
    free(f->cur);
    f->cur = NULL;
}

static int server(void *ctx, int which, const char **host, uint16_t *port, const char **name)
{
    static const char *const k_cert[SFO_CONF_CERT_COUNT] = { "server", "unknownca", "expired",
                                                             "wronghost", "noip" };
    struct pfx *f = ctx;
    if (which < 0 || which >= SFO_CONF_CERT_COUNT) {
        return SFO_E_NOT_FOUND;
    }
    if (!f->started[which]) {
        char a0[4096], a1[4096], a2[4096], a3[4096];
        snprintf(a0, sizeof a0, "%s", t_python());
        snprintf(a1, sizeof a1, "%s/tests/server/tls_server.py", t_root());
        snprintf(a2, sizeof a2, "%s/%s.pem", t_pki(), k_cert[which]);
        snprintf(a3, sizeof a3, "%s/%s.key", t_pki(), k_cert[which]);
        char *argv[] = { a0, a1, a2, a3, NULL };
        if (t_server_start(&f->srv[which], argv) != 0) {
            return SFO_E_NOT_FOUND;
        }
        f->started[which] = 1;
    }
    *host = "127.0.0.1";
    *port = (uint16_t)f->srv[which].port;
    *name = "localhost";
    return SFO_OK;
}

static void print(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
    fflush(stdout);
}

/* A loopback port that refuses connections: bound, never listening. */
static uint16_t refusing_port(int *fd_out)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0) close(fd);
        *fd_out = -1;
        return 0;
    }
    *fd_out = fd;
    return ntohs(a.sin_port);
}

/* ------------------------------------------------------------ test data */
static const uint8_t *unhex(struct pfx *f, const char *hex, size_t *len)
{
    return own(f, vj_unhex(hex, len));
}

static size_t load_sha(struct pfx *f)
{
    struct vj *doc = vj_load("sha256_fips180.json");
    size_t n = 0;
    for (struct vj *c = vj_get(doc, "cases")->child; c != NULL && n < MAX_VEC; c = c->next) {
        struct sfo_conf_kat_sha256 *k = &f->sha[n++];
        struct vj *rep = vj_get(c, "message_repeat");
        size_t wl;
        k->id = own(f, strdup(vj_str(c, "id", NULL)));
        k->want = unhex(f, vj_str(c, "sha256_hex", NULL), &wl);
        if (rep != NULL) {
            size_t cnt = (size_t)atol(vj_get(rep, "count")->s), plen = 0;
            const char *pat = vj_str(rep, "ascii", &plen);
            uint8_t *m = own(f, malloc(cnt * plen + 1));
            for (size_t i = 0; i < cnt; i++) memcpy(m + i * plen, pat, plen);
            k->msg = m;
            k->msg_len = cnt * plen;
        } else {
            size_t ml = 0;
            const char *s = vj_str(c, "message_ascii", &ml);
            k->msg = own(f, memcpy(malloc(ml + 1), s, ml + 1));
            k->msg_len = ml;
        }
    }
    vj_free(doc);
    return n;
}

static size_t load_hmac(struct pfx *f)
{
    struct vj *doc = vj_load("hmac_sha256_rfc4231.json");
    size_t n = 0;
    for (struct vj *c = vj_get(doc, "cases")->child; c != NULL && n < MAX_VEC; c = c->next) {
        struct sfo_conf_kat_hmac *k = &f->hmac[n++];
        const char *want = vj_str(c, "hmac_sha256_hex", NULL);
        if (want == NULL) want = vj_str(c, "hmac_sha256_truncated_128_hex", NULL);
        k->id = own(f, strdup(vj_str(c, "ref", NULL)));
        k->key = unhex(f, vj_str(c, "key_hex", NULL), &k->key_len);
        k->msg = unhex(f, vj_str(c, "data_hex", NULL), &k->msg_len);
        k->want = unhex(f, want, &k->want_len);
    }
    vj_free(doc);
    return n;
}

static const uint8_t *file(struct pfx *f, const char *path, size_t *len)
{
    char *d = t_read_file(path, len);
    if (d == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        abort();
    }
    return own(f, d);
}

static size_t load_rsa(struct pfx *f)
{
    const char *dir = t_path("%s/testdata/vectors/jws-rfc7515-a2", t_shared());
    size_t hl, sl;
    char *hex = t_read_file(t_path("%s/signature.hex", dir), &hl);
    const uint8_t *msg = file(f, t_path("%s/signing_input.txt", dir), &sl);
    const uint8_t *sig;
    size_t sig_len;
    if (hex == NULL) abort();
    while (hl > 0 && (hex[hl - 1] == '\n' || hex[hl - 1] == '\r')) hex[--hl] = '\0';
    sig = unhex(f, hex, &sig_len);
    free(hex);
    for (int i = 0; i < 2; i++) {
        struct sfo_conf_kat_rsa *k = &f->rsa[i];
        k->id = i == 0 ? "RFC 7515 A.2, PKCS#1 PEM key" : "RFC 7515 A.2, PKCS#8 PEM key";
        k->key = file(
            f, t_path("%s/%s", dir, i == 0 ? "private_key_pkcs1.pem" : "private_key_pkcs8.pem"),
            &k->key_len);
        k->msg = msg;
        k->msg_len = sl;
        k->sig = sig;
        k->sig_len = sig_len;
    }
    return 2;
}

static size_t load_bad_keys(struct pfx *f)
{
    static const struct {
        const char *id, *file;
        int want;
    } k_bad[] = {
        { "RSA-1024 key", "rsa1024.key", SFO_E_KEY_TYPE },
        { "EC P-256 key", "ec.key", SFO_E_KEY_TYPE },
        { "encrypted PKCS#8 key", "client-enc.pem", SFO_E_KEY },
    };
    size_t i;
    for (i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        f->bad[i].id = k_bad[i].id;
        f->bad[i].key = file(f, t_path("%s/%s", t_pki(), k_bad[i].file), &f->bad[i].key_len);
        f->bad[i].want = k_bad[i].want;
    }
    return i;
}

/* ------------------------------------------------------------------ run */
unsigned sfo_conf_posix_run(struct sfo_conf_result *res)
{
    struct pfx *f = calloc(1, sizeof *f);
    struct sfo_conf_fixture fx;
    unsigned failed;
    int rfd = -1;
    if (f == NULL) abort();
    memset(&fx, 0, sizeof fx);
    fx.ctx = f;
    fx.port_open = port_open;
    fx.port_close = port_close;
    fx.server = server;
    fx.print = print;
    fx.refused_host = "127.0.0.1";
    fx.refused_port = refusing_port(&rfd);
    fx.dns_fail_host = NULL; /* resolving needs a network; tests/test_port_net.c covers it */
    fx.sha256 = f->sha;
    fx.n_sha256 = load_sha(f);
    fx.hmac = f->hmac;
    fx.n_hmac = load_hmac(f);
    fx.rsa = f->rsa;
    fx.n_rsa = load_rsa(f);
    fx.bad_keys = f->bad;
    fx.n_bad_keys = load_bad_keys(f);
    failed = sfo_conformance_run(&fx, res);
    for (int i = 0; i < SFO_CONF_CERT_COUNT; i++) {
        if (f->started[i]) t_server_stop(&f->srv[i]);
    }
    if (rfd >= 0) close(rfd);
    for (size_t i = 0; i < f->n_owned; i++) free(f->owned[i]);
    free(f);
    return failed;
}
