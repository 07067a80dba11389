/*
 * Firmware test of sfoauth over lwIP on QEMU's MPS2 AN386 (LAN9118 netif):
 * run by tests/firmware/run_lwip.sh, which joins the NIC to a TAP device in a
 * private network namespace holding the token server (tests/server/sf_server.py
 * behind a relay), a test DNS server, a silent server and a closed port.
 *
 * Semihosting command line: lwip_test DIR MAC, where DIR holds ca.pem (trust
 * anchor), client.key (JWT signing key), secret (client secret) and
 * refresh_token (issued beforehand by the test server), and MAC is the address
 * QEMU gave the NIC (aa:bb:cc:dd:ee:ff), which the driver must have read from
 * the controller. Addresses are fixed
 * inside the namespace: the guest is 10.77.0.2/24, the namespace side
 * 10.77.0.1 (DNS on 53, the token server on 443 and, through a relay that
 * resets its first connection mid-response, on 8443; a silent server on
 * 8081; port 444 closed). Prints one line per case, then "N passed, N failed".
 */
#include <stdbool.h>
#include <string.h>

#include "board.h"
#include "fw_util.h"
#include "lan9118.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "sfoauth_mps2.h"
#include "sfo_http.h"
#include "sfo_lwip.h"
#include "sfoauth.h"
#include "sfoauth_tls.h"

#define HOST_IP     "10.77.0.1"
#define SF_NAME     "sf.test"
#define LOGIN_URL   "https://" SF_NAME
#define CLIENT_ID   "3MVG9sfoauth.Demo.Connected.App.Consumer.Key"
#define USERNAME    "demo@example.com"
#define PORT_CLOSED 444
#define PORT_SILENT 8081
#define FILE_MAX    2048u /* a PEM CA certificate, a PEM RSA-2048 key */
#define WORK_LEN    2048u

static struct netif nif;
static struct sfo_lan9118 eth = { .base = 0x40200000u };
static struct sfo_lwip lw;
static struct sfo_tls tls;
static struct sfo_port port;
static struct sfo_net net;
static struct sfo_platform plat;
static uint8_t work[WORK_LEN];
static struct sfo_token tok;
static struct sfo_introspection intro;
static uint8_t ca_pem[FILE_MAX], key_pem[FILE_MAX], secret[128];
static char refresh[SFO_REFRESH_TOKEN_MAX];
static size_t ca_len, key_len, secret_len;
static int passed, failed;
static u16_t memp_start[MEMP_MAX];
static mem_size_t mem_start;

/* ---- board (port/mps2): timer 0 clock, semihosted console and test sources ---- */
static struct mps2_clock clk;

static int64_t sfo_mps2_ms(void)
{
    return (int64_t)(mps2_clock_ticks(&clk, MPS2_TIMER0_BASE) / (MPS2_SYSCLK_HZ / 1000u));
}

/* Nanoseconds at timer resolution (40 ns). Under QEMU's -icount shift=0 one
 * instruction takes one virtual nanosecond: a difference counts instructions. */
static uint64_t sfo_mps2_ns(void)
{
    return mps2_clock_ticks(&clk, MPS2_TIMER0_BASE) * (1000000000u / MPS2_SYSCLK_HZ);
}

static void sfo_mps2_puts(const char *s)
{
    mps2_sh_puts(s);
}

/* ---- console ---- */
static void put_int(long v)
{
    char b[24];
    int i = (int)sizeof b - 1;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0 && i > 1);
    if (neg) b[--i] = '-';
    sfo_mps2_puts(&b[i]);
}

static const char *const pool_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) desc,
#include "lwip/priv/memp_std.h"
};

/* TCP pcbs lwIP still holds, with their states (a failed case's context). */
static void dump_pcbs(void)
{
    struct tcp_pcb *const lists[] = { tcp_active_pcbs, tcp_tw_pcbs };
    for (unsigned k = 0; k < 2; k++) {
        for (const struct tcp_pcb *p = lists[k]; p != NULL; p = p->next) {
            sfo_mps2_puts("  tcp pcb state ");
            sfo_mps2_puts(tcp_debug_state_str(p->state));
            sfo_mps2_puts(" port ");
            put_int(p->remote_port);
            sfo_mps2_puts("\n");
        }
    }
}

static void check(const char *name, bool ok, int rc)
{
    sfo_mps2_puts(ok ? "ok - " : "FAIL - ");
    sfo_mps2_puts(name);
    sfo_mps2_puts(" (");
    sfo_mps2_puts(sfo_errname(rc));
    sfo_mps2_puts(")\n");
    if (ok) {
        passed++;
    } else {
        failed++;
        dump_pcbs();
    }
}

void sfo_lwip_assert(const char *msg, const char *file, int line)
{
    sfo_mps2_puts("lwIP assertion: ");
    sfo_mps2_puts(msg);
    sfo_mps2_puts(" ");
    sfo_mps2_puts(file);
    sfo_mps2_puts(":");
    put_int(line);
    sfo_mps2_puts("\n");
    mps2_sh_exit(1);
}

void sfo_lwip_diag(const char *msg)
{
    sfo_mps2_puts(msg);
}

/* ---- platform ---- */
static int64_t p_mono(void *ctx)
{
    (void)ctx;
    return sfo_mps2_ms();
}
/* TEST-ONLY sources (host clock and /dev/urandom through semihosting): a
 * product uses its RTC/SNTP and TRNG. */
static int64_t p_wall(void *ctx)
{
    return sfo_mps2_test_wall_s(ctx);
}
static int p_random(void *ctx, uint8_t *b, size_t n)
{
    return sfo_mps2_test_random(ctx, b, n);
}
/* ---- figures: time spent waiting for the network (connect, calls answered
 * SFO_E_AGAIN, sleeps), so that the fetch's own work can be told apart ---- */
static struct sfo_net inner;
static uint64_t wait_ns;

static void p_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    uint64_t t0 = sfo_mps2_ns();
    sfo_lwip_sleep(&lw, ms);
    wait_ns += sfo_mps2_ns() - t0;
}

static int w_connect(void *ctx, const char *host, uint16_t port_, int64_t dl)
{
    uint64_t t0 = sfo_mps2_ns();
    int rc = inner.connect(ctx, host, port_, dl);
    wait_ns += sfo_mps2_ns() - t0;
    return rc;
}

static int w_send(void *ctx, const uint8_t *b, size_t n, int64_t dl)
{
    uint64_t t0 = sfo_mps2_ns();
    int rc = inner.send(ctx, b, n, dl);
    if (rc == SFO_E_AGAIN) wait_ns += sfo_mps2_ns() - t0;
    return rc;
}

static int w_recv(void *ctx, uint8_t *b, size_t n, int64_t dl)
{
    uint64_t t0 = sfo_mps2_ns();
    int rc = inner.recv(ctx, b, n, dl);
    if (rc == SFO_E_AGAIN) wait_ns += sfo_mps2_ns() - t0;
    return rc;
}

/* ---- set-up ---- */
static int read_inputs(const char *dir)
{
    char path[200];
    size_t dl = strlen(dir);
    if (dl + 20 > sizeof path) return -1;
    memcpy(path, dir, dl);
    long n;
    strcpy(path + dl, "/ca.pem");
    if ((n = fw_read_file(path, ca_pem, sizeof ca_pem)) < 0) return -1;
    ca_len = (size_t)n;
    strcpy(path + dl, "/client.key");
    if ((n = fw_read_file(path, key_pem, sizeof key_pem)) < 0) return -1;
    key_len = (size_t)n;
    strcpy(path + dl, "/secret");
    if ((n = fw_read_file(path, secret, sizeof secret)) < 0) return -1;
    while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r')) n--;
    secret_len = (size_t)n;
    strcpy(path + dl, "/refresh_token");
    if ((n = fw_read_file(path, (uint8_t *)refresh, sizeof refresh - 1)) < 0) return -1;
    while (n > 0 && (refresh[n - 1] == '\n' || refresh[n - 1] == '\r')) n--;
    refresh[n] = 0;
    return 0;
}

static int net_up(void)
{
    ip4_addr_t ip, mask, gw;
    ip_addr_t dns;
    IP4_ADDR(&ip, 10, 77, 0, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 77, 0, 1);
    sfo_lwip_stack_init(&plat);
    if (netif_add(&nif, &ip, &mask, &gw, &eth, sfo_lan9118_netif_init, netif_input) == NULL)
        return -1;
    netif_set_default(&nif);
    netif_set_up(&nif);
    ipaddr_aton(HOST_IP, &dns);
    dns_setserver(0, &dns);
    sfo_lwip_net_init(&lw, &nif, sfo_lan9118_poll, &plat, &inner);
    net = inner;
    net.connect = w_connect;
    net.send = w_send;
    net.recv = w_recv;
    int64_t end = sfo_mps2_ms() + 3000;
    while (!netif_is_link_up(&nif) && sfo_mps2_ms() < end) sfo_lwip_poll(&lw);
    return netif_is_link_up(&nif) ? 0 : -1;
}

/* The netif's address equals text ("aa:bb:cc:dd:ee:ff", lower case). */
static bool mac_is(const char *text)
{
    static const char hex[] = "0123456789abcdef";
    char m[18];
    for (unsigned i = 0; i < 6; i++) {
        m[3 * i] = hex[nif.hwaddr[i] >> 4];
        m[3 * i + 1] = hex[nif.hwaddr[i] & 15u];
        m[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    return strcmp(m, text) == 0;
}

static void snapshot_pools(void)
{
    for (int i = 0; i < MEMP_MAX; i++) memp_start[i] = lwip_stats.memp[i]->used;
    mem_start = lwip_stats.mem.used;
}

static int client(struct sfo_client *c, const char *url)
{
    int rc = sfo_client_init(c, &port, url, CLIENT_ID, work, sizeof work);
    c->client_secret = secret;
    c->client_secret_len = secret_len;
    c->timeout_ms = 20000;
    c->deadline_ms = 40000;
    c->retries = 2;
    return rc;
}

/* ---- cases ---- */
static void case_transport(void)
{
    int64_t dl = sfo_mps2_ms() + 5000;
    int rc = net.connect(net.ctx, HOST_IP, PORT_CLOSED, dl);
    check("closed port: connection refused", rc == SFO_E_CONNREFUSED, rc);
    net.close(net.ctx);
    rc = net.connect(net.ctx, "nosuch." SF_NAME, 443, sfo_mps2_ms() + 5000);
    check("unknown name: DNS error from lwIP's resolver", rc == SFO_E_DNS, rc);
    net.close(net.ctx);
    rc = net.connect(net.ctx, SF_NAME, PORT_SILENT, sfo_mps2_ms() + 5000);
    int64_t t0 = sfo_mps2_ms(), dl2 = t0 + 1000;
    uint8_t b[16];
    int r = rc;
    if (rc == SFO_OK) {
        do r = net.recv(net.ctx, b, sizeof b, dl2);
        while (r == SFO_E_AGAIN);
    }
    int64_t el = sfo_mps2_ms() - t0;
    check("silent server: recv says no data (AGAIN) until SFO_E_TIMEOUT at its deadline",
          rc == SFO_OK && r == SFO_E_TIMEOUT && el >= 1000 && el < 1500, r);
    net.close(net.ctx);
}

static void case_flows(void)
{
    struct sfo_client c;
    struct sfo_jwt j = { .username = USERNAME, .key = key_pem, .key_len = key_len };
    int rc = client(&c, LOGIN_URL);
    wait_ns = 0;
    uint64_t t0 = sfo_mps2_ns();
    if (rc == SFO_OK) rc = sfo_jwt_bearer(&c, &j, &tok);
    uint64_t t1 = sfo_mps2_ns();
    check("JWT bearer over lwIP (host name through lwIP DNS)", rc == SFO_OK && tok.access_token[0],
          rc);
    sfo_mps2_puts("bench: jwt-fetch-ns ");
    put_int((long)((t1 - t0) / 1000u));
    sfo_mps2_puts("000\nbench: jwt-fetch-wait-ns ");
    put_int((long)(wait_ns / 1000u));
    sfo_mps2_puts("000\n");
    sfo_token_wipe(&tok);
    strcpy(tok.refresh_token, refresh);
    rc = sfo_refresh(&c, &tok);
    check("refresh", rc == SFO_OK && tok.access_token[0], rc);
    rc = sfo_introspect(&c, tok.access_token, "access_token", &intro);
    check("introspect: active", rc == SFO_OK && intro.active, rc);
    rc = sfo_revoke(&c, tok.access_token, NULL);
    check("revoke", rc == SFO_OK, rc);
    rc = sfo_introspect(&c, tok.access_token, "access_token", &intro);
    check("introspect after revoke: inactive", rc == SFO_OK && !intro.active, rc);
    sfo_token_wipe(&tok);
}

struct body {
    char buf[512];
    size_t len;
};
static int sink(void *ctx, const uint8_t *data, size_t n)
{
    struct body *b = (struct body *)ctx;
    size_t k = n < sizeof b->buf - 1 - b->len ? n : sizeof b->buf - 1 - b->len;
    memcpy(b->buf + b->len, data, k);
    b->len += k;
    b->buf[b->len] = 0;
    return SFO_OK;
}

/* One request through the HTTP client (kept open when the server allows). */
static int http(struct sfo_http_client *h, const char *method, const char *target,
                const struct sfo_http_field *form, size_t form_n, struct body *b)
{
    struct sfo_http_request rq = { .method = method,
                                   .https = true,
                                   .host = SF_NAME,
                                   .port = 443,
                                   .target = target,
                                   .form = form,
                                   .form_n = form_n };
    struct sfo_http_response resp;
    memset(&resp, 0, sizeof resp);
    memset(b, 0, sizeof *b);
    int rc = sfo_http_request(h, &rq, &resp, sink, b);
    return rc == SFO_OK && resp.status != 200 ? SFO_E_HTTP_STATUS : rc;
}

/* An HTTP client over the port that keeps its connection open when allowed. */
static void http_client(struct sfo_http_client *h)
{
    static char hostbuf[64];
    memset(h, 0, sizeof *h);
    h->port = &port;
    h->win = work;
    h->win_len = 1024;
    h->host_buf = hostbuf;
    h->host_cap = sizeof hostbuf;
}

static void case_keepalive_and_drop(void)
{
    static struct body b;
    struct sfo_http_client h;
    http_client(&h);
    int rc = http(&h, "GET", "/test/stats", NULL, 0, &b);
    bool first = rc == SFO_OK && !h.reused && h.open;
    rc = first ? http(&h, "GET", "/test/stats", NULL, 0, &b) : rc;
    check("keep-alive: second call reuses the connection", first && rc == SFO_OK && h.reused, rc);
    static const struct sfo_http_field f[] = { { "kind", "close", 5 } };
    rc = http(&h, "POST", "/test/fault", f, 1, &b);
    sfo_http_close(&h);
    struct sfo_client c;
    struct sfo_jwt j = { .username = USERNAME, .key = key_pem, .key_len = key_len };
    if (rc == SFO_OK) rc = client(&c, LOGIN_URL);
    if (rc == SFO_OK) rc = sfo_jwt_bearer(&c, &j, &tok);
    int rc2 = http(&h, "GET", "/test/stats", NULL, 0, &b);
    sfo_http_close(&h);
    check("server drops the connection: the call is retried and succeeds",
          rc == SFO_OK && rc2 == SFO_OK && strstr(b.buf, "\"faults_served\": 1") != NULL, rc);
    sfo_token_wipe(&tok);
}

/* "requests": N of the server's /test/stats (-1 when absent). */
static long stat_requests(const char *json)
{
    const char *p = strstr(json, "\"requests\": ");
    long v = 0;
    if (p == NULL) return -1;
    for (p += 12; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
    return v;
}

static void case_cut_mid_response(void)
{
    static struct body b;
    struct sfo_http_client h;
    http_client(&h);
    int rc = http(&h, "GET", "/test/stats", NULL, 0, &b);
    sfo_http_close(&h);
    long before = stat_requests(b.buf);
    struct sfo_client c;
    struct sfo_jwt j = { .username = USERNAME, .key = key_pem, .key_len = key_len };
    if (rc == SFO_OK) rc = client(&c, LOGIN_URL ":8443");
    if (rc == SFO_OK) rc = sfo_jwt_bearer(&c, &j, &tok);
    int rc2 = http(&h, "GET", "/test/stats", NULL, 0, &b);
    sfo_http_close(&h);
    long after = stat_requests(b.buf);
    check("connection reset in the middle of the response: retried, succeeds",
          rc == SFO_OK && rc2 == SFO_OK && before >= 0 && after == before + 2, rc);
    sfo_token_wipe(&tok);
}

static void case_timeout(void)
{
    struct sfo_client c;
    struct sfo_jwt j = { .username = USERNAME, .key = key_pem, .key_len = key_len };
    int rc = client(&c, "https://" HOST_IP ":8081");
    c.timeout_ms = 2000;
    c.deadline_ms = 2500;
    c.retries = 0;
    int64_t t0 = sfo_mps2_ms();
    if (rc == SFO_OK) rc = sfo_jwt_bearer(&c, &j, &tok);
    int64_t el = sfo_mps2_ms() - t0;
    check("silent token server: SFO_E_TIMEOUT within the call's deadline",
          rc == SFO_E_TIMEOUT && el <= 2500 + 250, rc);
}

static void case_pools(void)
{
    int64_t end = sfo_mps2_ms() + (int64_t)(2 * TCP_MSL) + 2000;
    bool same = false;
    while (!same && sfo_mps2_ms() < end) {
        sfo_lwip_sleep(&lw, 100);
        same = lwip_stats.mem.used == mem_start;
        for (int i = 0; i < MEMP_MAX; i++) same = same && lwip_stats.memp[i]->used == memp_start[i];
    }
    check("lwIP pools back to their starting counts (no pcb or pbuf leaked)", same, SFO_OK);
    for (int i = 0; i < MEMP_MAX; i++) {
        if (lwip_stats.memp[i]->used != memp_start[i]) {
            sfo_mps2_puts("  pool ");
            sfo_mps2_puts(pool_names[i]);
            sfo_mps2_puts(" used ");
            put_int(lwip_stats.memp[i]->used);
            sfo_mps2_puts("\n");
        }
    }
}

int main(void)
{
    static char cmd[256];
    char *argv[FW_MAX_ARGS];
    int argc = fw_args(cmd, sizeof cmd, argv);
    const char *dir = argc >= 3 ? argv[1] : NULL;
    mps2_clock_init(&clk, MPS2_TIMER0_BASE);
    fw_pool_init(); /* mbedTLS's static pool; nothing for BearSSL */
    plat = (struct sfo_platform){
        .mono_ms = p_mono, .wall_s = p_wall, .random = p_random, .sleep_ms = p_sleep
    };
    if (dir == NULL || read_inputs(dir) != 0) {
        sfo_mps2_puts("lwip_test: cannot read the test inputs\n");
        return 1;
    }
    int rc = net_up();
    check("LAN9118 netif up, link up", rc == 0, rc);
    check("MAC address read from the controller (QEMU -nic mac=)", mac_is(argv[2]), SFO_OK);
    if (rc != 0) return 1;
    struct sfo_tls_config cfg = { .net = net,
                                  .platform = plat,
                                  .trust = { .pem = ca_pem, .pem_len = ca_len } };
    rc = sfo_tls_port_init(&tls, &cfg, &port);
    check("TLS glue over the lwIP transport", rc == SFO_OK, rc);
    if (rc != SFO_OK) return 1;
    snapshot_pools();
    case_transport();
    case_flows();
    case_keepalive_and_drop();
    case_cut_mid_response();
    case_timeout();
    case_pools();
    sfo_tls_port_deinit(&tls);
    sfo_mps2_puts("bench: stack-high-water ");
    put_int((long)mps2_stack_high_water());
    sfo_mps2_puts("\n");
    sfo_mps2_puts("bench: tls-pool-high-water ");
    put_int((long)fw_pool_high_water());
    sfo_mps2_puts("\n");
    put_int(passed);
    sfo_mps2_puts(" passed, ");
    put_int(failed);
    sfo_mps2_puts(" failed\n");
    return failed == 0 ? 0 : 1;
}
