/*
 * HTTP response parser benchmark: sfoauth's sfo_http_parser against nodejs
 * http-parser 2.9 on one response file, fed in 2 KiB slices (the default I/O
 * window of the client).
 *
 *   httpbench sfo|nodejs FILE [SECONDS]
 *
 * Prints "PARSER FILE bytes MB/s checksum"; SECONDS = 0 runs run_once() once (for
 * callgrind --toggle-collect=run_once). sfo: status line, every header checked,
 * Content-Type/Location/WWW-Authenticate/Retry-After kept, framing, body to a sink.
 * nodejs: callbacks for status, header fields/values and body that only count.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sfo_http.h"
#include "sfoauth_types.h"
#include <http_parser.h>

#define SLICE 2048u
static size_t g_sum;
static const char *g_parser;

static int sink(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)d;
    g_sum += n;
    return 0;
}
static int h_data(http_parser *p, const char *at, size_t n)
{
    (void)p;
    (void)at;
    g_sum += n;
    return 0;
}
static int h_done(http_parser *p)
{
    (void)p;
    g_sum += 1;
    return 0;
}

int run_once(const uint8_t *buf, size_t len);
__attribute__((noinline)) int run_once(const uint8_t *buf, size_t len)
{
    size_t off, n;
    if (strcmp(g_parser, "sfo") == 0) {
        struct sfo_http_parser p;
        struct sfo_http_response r = { 0 };
        sfo_http_parser_init(&p, &r, false, 0, (uint64_t)len, sink, NULL);
        for (off = 0; off < len; off += n) {
            size_t used = 0;
            n = len - off < SLICE ? len - off : SLICE;
            if (sfo_http_parser_feed(&p, buf + off, n, &used) != SFO_OK || used != n) return -1;
        }
        return sfo_http_parser_done(&p) && r.status == 200 ? 0 : -1;
    } else if (strcmp(g_parser, "nodejs") == 0) {
        http_parser p;
        http_parser_settings s;
        memset(&s, 0, sizeof s);
        s.on_status = h_data;
        s.on_header_field = h_data;
        s.on_header_value = h_data;
        s.on_body = h_data;
        s.on_message_complete = h_done;
        http_parser_init(&p, HTTP_RESPONSE);
        for (off = 0; off < len; off += n) {
            n = len - off < SLICE ? len - off : SLICE;
            if (http_parser_execute(&p, &s, (const char *)buf + off, n) != n) return -1;
        }
        return p.status_code == 200 && HTTP_PARSER_ERRNO(&p) == HPE_OK ? 0 : -1;
    }
    return -2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *f;
    uint8_t *buf;
    long n;
    double secs = argc > 3 ? atof(argv[3]) : 0.3, t0, t;
    unsigned long iters = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: httpbench sfo|nodejs FILE [SECONDS]\n");
        return 2;
    }
    g_parser = argv[1];
    f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return 2;
    fclose(f);
    if (run_once(buf, (size_t)n) != 0) {
        fprintf(stderr, "%s: parse failed\n", g_parser);
        return 1;
    }
    if (secs <= 0) {
        printf("%s %s %ld once %zu\n", g_parser, argv[2], n, g_sum);
        return 0;
    }
    t0 = now();
    do {
        if (run_once(buf, (size_t)n) != 0) return 1;
        iters++;
        t = now() - t0;
    } while (t < secs || iters < 3);
    printf("%s %s %ld %.1f %zu\n", g_parser, argv[2], n, (double)n * (double)iters / t / 1e6,
           g_sum);
    free(buf);
    return 0;
}
