/*
 * sfoauth-test firmware image (MPS2 AN386 in QEMU): the core's known-answer
 * checks on the Cortex-M4, then the port conformance suite against the MPS2
 * port with this image's TLS backend.
 *
 * Semihosting command line: sfoauth-test SHARED_DIR LIST_FILE CA_FILE [CERT]
 *   SHARED_DIR  the shared test data (testdata/jsontestsuite, testdata/vectors)
 *   LIST_FILE   names of the JSONTestSuite files, one per line (made by the runner:
 *               semihosting cannot list a directory)
 *   CA_FILE     a PEM CA the conformance suite's ports trust
 *   CERT        certificate mode: only the conformance suite, with UART0 wired to a
 *               TLS echo server presenting certificate CERT (enum sfo_conf_cert, 1..4:
 *               each of those is used by exactly one suite test, so the run needs one
 *               connection); the known-answer checks are skipped
 * Prints "PASS/FAIL <check>" lines and "N passed, N failed"; exit status 0 when
 * nothing failed, 1 otherwise. Without CERT UART0 is not wired and the suite's
 * network tests are skipped.
 */
#include <string.h>

#include "fw_util.h"
#include "fw_vectors.h"
#include "sfo_codec.h"
#include "sfo_conformance.h"
#include "sfo_http.h"
#include "sfo_json.h"
#include "sfoauth_mps2.h"

#define DOC_MAX    (320u * 1024u) /* the largest JSONTestSuite file is 250001 bytes */
#define JSON_DEPTH 1024u
#define BYTES_OUT  512u

static uint8_t doc[DOC_MAX];
static char list[16u * 1024u];
static char cmdline[512];
static char path[512];
static unsigned n_pass, n_fail;

static struct sfo_mps2 board;
static struct sfo_tls_config tcfg;
static struct sfo_tls tls;
static uint8_t ca_pem[4096];

/* Key-answer material of RFC 7515 A.2 (read at run time). */
static uint8_t key_pem[4096], key8_pem[4096], sig_raw[512];
static char sig_b64[1024], sig_mine[1024];
static uint8_t signing_input[1024];
static size_t key_len, key8_len, sig_raw_len, sig_b64_len, signing_len;

static void result(const char *name, const char *detail, int ok)
{
    fw_puts(ok ? "PASS " : "FAIL ");
    fw_puts(name);
    if (detail != NULL) {
        fw_puts(" ");
        fw_puts(detail);
    }
    fw_puts("\n");
    if (ok)
        n_pass++;
    else
        n_fail++;
}

static const char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 1u >= sizeof path) return "";
    memcpy(path, a, la);
    memcpy(path + la, b, lb + 1u);
    return path;
}

/* ---- JSONTestSuite: y_ accepted, n_ rejected, i_ either, whole and byte by byte */
static int json_cb(void *user, enum sfo_json_event ev, const char *data, size_t len, unsigned flags,
                   size_t depth)
{
    (void)user, (void)ev, (void)data, (void)len, (void)flags, (void)depth;
    return 0;
}

static int json_scan(const uint8_t *d, size_t n, size_t step)
{
    static uint8_t stack[SFO_JSON_STACK_BYTES(JSON_DEPTH)];
    struct sfo_json j;
    size_t off;
    int rc = sfo_json_init(&j, stack, JSON_DEPTH, json_cb, NULL);
    for (off = 0; rc == SFO_OK && off < n; off += step) {
        rc = sfo_json_feed(&j, d + off, n - off < step ? n - off : step);
    }
    return rc == SFO_OK ? sfo_json_finish(&j) : rc;
}

static void json_suite(const char *shared, const char *list_file)
{
    char dir[256];
    char *name = list, *end;
    unsigned y = 0, y_ok = 0, n = 0, n_ok = 0, split_bad = 0;
    long len = fw_read_file(list_file, (uint8_t *)list, sizeof list - 1u);
    if (len <= 0) {
        result("json.suite", "(no list file)", 0);
        return;
    }
    list[len] = '\0';
    memcpy(dir, join(shared, "/testdata/jsontestsuite/test_parsing/"), sizeof dir);
    for (; *name != '\0'; name = end) {
        end = name + strcspn(name, "\n");
        if (*end != '\0') *end++ = '\0';
        if (name[0] == '\0') continue;
        long dl = fw_read_file(join(dir, name), doc, sizeof doc);
        if (dl < 0) {
            result("json.suite read", name, 0);
            continue;
        }
        int whole = json_scan(doc, (size_t)dl, (size_t)dl + 1u);
        if (json_scan(doc, (size_t)dl, 1u) != whole) split_bad++;
        if (name[0] == 'y') {
            y++;
            if (whole == SFO_OK)
                y_ok++;
            else
                result("json.suite y_ rejected", name, 0);
        } else if (name[0] == 'n') {
            n++;
            if (whole != SFO_OK)
                n_ok++;
            else
                result("json.suite n_ accepted", name, 0);
        }
    }
    fw_putu("json.suite y_ files accepted: ", y_ok);
    fw_putu("json.suite n_ files rejected: ", n_ok);
    result("json.suite y_ all accepted", NULL, y > 0 && y_ok == y);
    result("json.suite n_ all rejected", NULL, n > 0 && n_ok == n);
    result("json.suite same verdict byte by byte", NULL, split_bad == 0);
}

/* ---- HTTP parser: framing known answers, whole and byte by byte */
struct http_case {
    const char *name;
    const char *msg;
    int want; /* feed/eof result */
    int status;
    uint64_t body_len;
};

static const struct http_case k_http[] = {
    { "http.content_length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", SFO_OK, 200, 5 },
    { "http.chunked",
      "HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
      "2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n",
      SFO_OK, 400, 5 },
    { "http.continue_skipped",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 201 C\r\n"
      "Content-Length: 0\r\n\r\n",
      SFO_OK, 201, 0 },
    { "http.cl_and_te",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
      "chunked\r\n\r\n",
      SFO_E_HTTP_CL_TE, 0, 0 },
    { "http.bad_status_line", "HTTP/2 200 OK\r\n\r\n", SFO_E_HTTP_STATUS_LINE, 0, 0 },
    { "http.obs_fold", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", SFO_E_HTTP_HEADER, 0, 0 },
    { "http.truncated", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", SFO_E_HTTP_TRUNCATED, 0,
      0 },
};

static int http_run(const struct http_case *c, size_t step, struct sfo_http_response *r)
{
    struct sfo_http_parser p;
    size_t n = strlen(c->msg), off;
    int rc = sfo_http_parser_init(&p, r, false, 0, 0, NULL, NULL);
    for (off = 0; rc == SFO_OK && off < n; off += step) {
        rc = sfo_http_parser_feed(&p, (const uint8_t *)c->msg + off,
                                  n - off < step ? n - off : step, NULL);
    }
    if (rc == SFO_OK && !sfo_http_parser_done(&p)) rc = sfo_http_parser_eof(&p);
    return rc;
}

static void http_checks(void)
{
    size_t i;
    for (i = 0; i < sizeof k_http / sizeof k_http[0]; i++) {
        const struct http_case *c = &k_http[i];
        struct sfo_http_response a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        int ra = http_run(c, strlen(c->msg), &a), rb = http_run(c, 1u, &b);
        int ok = ra == c->want && rb == c->want;
        if (ok && c->want == SFO_OK) {
            ok = a.status == c->status && a.body_len == c->body_len && b.status == c->status &&
                 b.body_len == c->body_len;
        }
        result(c->name, NULL, ok);
    }
}

/* ---- JWT: RFC 7515 A.2 (RS256) through the port's SHA-256 and RSA, base64url */
static int load_jws(const char *shared)
{
    char dir[256];
    long n;
    memcpy(dir, join(shared, "/testdata/vectors/jws-rfc7515-a2/"), sizeof dir);
    n = fw_read_file(join(dir, "private_key_pkcs1.pem"), key_pem, sizeof key_pem);
    if (n < 0) return -1;
    key_len = (size_t)n;
    n = fw_read_file(join(dir, "private_key_pkcs8.pem"), key8_pem, sizeof key8_pem);
    if (n < 0) return -1;
    key8_len = (size_t)n;
    n = fw_read_file(join(dir, "signing_input.txt"), signing_input, sizeof signing_input);
    if (n < 0) return -1;
    signing_len = (size_t)n;
    while (signing_len > 0u &&
           (signing_input[signing_len - 1u] == '\n' || signing_input[signing_len - 1u] == '\r'))
        signing_len--;
    n = fw_read_file(join(dir, "signature.b64url"), (uint8_t *)sig_b64, sizeof sig_b64 - 1u);
    if (n < 0) return -1;
    sig_b64_len = (size_t)n;
    while (sig_b64_len > 0u &&
           (sig_b64[sig_b64_len - 1u] == '\n' || sig_b64[sig_b64_len - 1u] == '\r'))
        sig_b64_len--;
    return sfo_b64url_decode(sig_b64, sig_b64_len, sig_raw, sizeof sig_raw, &sig_raw_len);
}

static void jws_sign(const struct sfo_port *p, const char *name, const uint8_t *key, size_t kl)
{
    struct sfo_iov iov = { signing_input, signing_len };
    uint8_t dg[SFO_SHA256_LEN], sig[SFO_RSA_MAX_SIG];
    size_t sl = 0, el = 0;
    int ok = p->sha256(p->ctx, &iov, 1, dg) == SFO_OK && p->key_load(p->ctx, key, kl) == SFO_OK &&
             p->rsa_sign(p->ctx, dg, sig, sizeof sig, &sl) == SFO_OK &&
             sfo_b64url_encode(sig, sl, sig_mine, sizeof sig_mine, &el) == SFO_OK &&
             el == sig_b64_len && memcmp(sig_mine, sig_b64, el) == 0;
    p->key_clear(p->ctx);
    result(name, NULL, ok);
}

/* ---- codecs: RFC 4648 / RFC 7515 base64 and base64url vectors (encode and decode) */
static int b64_decode_ok(const struct fw_b64_case *v, int url)
{
    uint8_t out[BYTES_OUT];
    size_t n = 0;
    int rc = url ? sfo_b64url_decode(v->b64, v->b64_len, out, sizeof out, &n)
                 : sfo_b64_decode(v->b64, v->b64_len, out, sizeof out, &n);
    if (v->result == 0) return rc != SFO_OK;
    return rc == SFO_OK && n == v->in_len && memcmp(out, v->in, n) == 0;
}

static void codec_checks(const char *shared)
{
    const struct fw_b64_case *v;
    size_t n = 0, i;
    unsigned ok = 0, total = 0;
    static char out[BYTES_OUT * 2u];
    if (fw_b64_vectors_load(shared, &v, &n) <= 0) {
        result("codec.base64_vectors_read", NULL, 0);
        return;
    }
    for (i = 0; i < n; i++, v++) {
        size_t ol = 0, ul = 0;
        int good;
        if (v->decode && v->result < 0) continue; /* implementation-defined */
        total++;
        if (!v->decode) {
            good = sfo_b64_encode(v->in, v->in_len, out, sizeof out, &ol) == SFO_OK &&
                   ol == v->b64_len && memcmp(out, v->b64, ol) == 0 &&
                   sfo_b64url_encode(v->in, v->in_len, out, sizeof out, &ul) == SFO_OK &&
                   ul == v->url_len && memcmp(out, v->url, ul) == 0;
        } else {
            good = ((v->alphabet & 1) == 0 || b64_decode_ok(v, 0)) &&
                   ((v->alphabet & 2) == 0 || b64_decode_ok(v, 1));
        }
        if (good)
            ok++;
        else
            result("codec.base64 case", v->decode ? v->b64 : "(encode)", 0);
    }
    fw_putu("codec.base64 vectors passed: ", ok);
    result("codec.base64_rfc4648_vectors", NULL, total > 0 && ok == total);
}

/* ---- the conformance suite's fixture: MPS2 port, no servers */
static int fx_open(void *ctx, struct sfo_port *port)
{
    (void)ctx;
    return sfo_tls_port_init(&tls, &tcfg, port);
}

static void fx_close(void *ctx, struct sfo_port *port)
{
    (void)ctx, (void)port;
    sfo_tls_port_deinit(&tls);
}

static int cert_mode = -1; /* the one server wired to UART0, or -1 */

/* The wiring decides the peer: host and port only have to look right. */
static int fx_server(void *ctx, int which, const char **host, uint16_t *port, const char **name)
{
    (void)ctx;
    if (which != cert_mode || cert_mode < 0) return SFO_E_NOT_FOUND;
    *host = "127.0.0.1";
    *port = 443;
    *name = "localhost";
    return SFO_OK;
}

static void fx_print(void *ctx, const char *line)
{
    (void)ctx;
    fw_puts(line);
    fw_puts("\n");
}

static void port_checks(const char *ca_file, const char *shared)
{
    struct sfo_mps2_config mc;
    struct sfo_conf_fixture fx;
    struct sfo_conf_kat_rsa rsa;
    struct sfo_conf_result cr;
    struct sfo_port port;
    long n = fw_read_file(ca_file, ca_pem, sizeof ca_pem);

    memset(&mc, 0, sizeof mc);
    mc.uart = MPS2_UART0_BASE;
    result("port.init_fails_closed_without_entropy", NULL,
           sfo_mps2_init(&board, &mc, &tcfg) == SFO_E_ENTROPY);
    mc.random = sfo_mps2_test_random; /* TEST-ONLY */
    result("port.init_fails_without_wall_clock", NULL,
           sfo_mps2_init(&board, &mc, &tcfg) == SFO_E_ARG);
    mc.wall_s = sfo_mps2_test_wall_s; /* TEST-ONLY */
    result("port.init", NULL, sfo_mps2_init(&board, &mc, &tcfg) == SFO_OK && n > 0);
    tcfg.trust.pem = ca_pem;
    tcfg.trust.pem_len = n > 0 ? (size_t)n : 0u;

    if (cert_mode >= 0) {
        /* certificate mode: the suite only */
    } else if (fx_open(NULL, &port) == SFO_OK) {
        jws_sign(&port, "jwt.rfc7515_a2_rs256_pkcs1", key_pem, key_len);
        jws_sign(&port, "jwt.rfc7515_a2_rs256_pkcs8", key8_pem, key8_len);
        fx_close(NULL, &port);
    } else {
        result("jwt.port", NULL, 0);
        fx_close(NULL, &port);
    }

    memset(&fx, 0, sizeof fx);
    fx.port_open = fx_open;
    fx.port_close = fx_close;
    fx.server = fx_server;
    fx.print = fx_print;
    rsa.id = "rfc7515-a2";
    rsa.key = key_pem;
    rsa.key_len = key_len;
    rsa.msg = signing_input;
    rsa.msg_len = signing_len;
    rsa.sig = sig_raw;
    rsa.sig_len = sig_raw_len;
    if (cert_mode < 0) {
        fx.rsa = &rsa;
        fx.n_rsa = 1;
        result("vectors.sha256_hmac_read", NULL,
               fw_vectors_load(shared, &fx.sha256, &fx.n_sha256, &fx.hmac, &fx.n_hmac) > 0);
    }
    memset(&cr, 0, sizeof cr);
    (void)sfo_conformance_run(&fx, &cr);
    result("conformance", NULL, cr.failed == 0 && cr.passed > 0);
    n_pass += cr.passed;
    n_fail += cr.failed;
}

int main(void)
{
    char *argv[FW_MAX_ARGS];
    fw_pool_init();
    int argc = fw_args(cmdline, sizeof cmdline, argv);
    if (argc != 4 && argc != 5) {
        fw_puts("usage: sfoauth-test SHARED_DIR LIST_FILE CA_FILE [CERT]\n");
        return 2;
    }
    if (argc == 5) {
        cert_mode = argv[4][0] - '0';
        if (cert_mode < 1 || cert_mode >= SFO_CONF_CERT_COUNT || argv[4][1] != '\0') return 2;
    } else {
        json_suite(argv[1], argv[2]);
        http_checks();
        codec_checks(argv[1]);
        result("jwt.vectors_read", NULL, load_jws(argv[1]) == SFO_OK);
    }
    port_checks(argv[3], argv[1]);
    fw_putu("fw: stack high-water ", (unsigned long)mps2_stack_high_water());
    fw_putu("fw: pool high-water ", (unsigned long)fw_pool_high_water());
    fw_puts("firmware unit: ");
    fw_putu("passed ", n_pass);
    fw_putu("failed ", n_fail);
    return n_fail == 0 ? 0 : 1;
}
