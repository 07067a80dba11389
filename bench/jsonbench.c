/*
 * JSON parser benchmark: sfoauth's streaming scanner (sfo_json) against yajl 2,
 * jsmn 1.1 and cJSON on one input file.
 *
 *   jsonbench PARSER FILE [SECONDS]     PARSER: sfo | yajl | jsmn | cjson
 *
 * Prints "PARSER FILE bytes MB/s checksum". The timed region repeats run_once()
 * until SECONDS (default 0.3) have passed. With SECONDS = 0 run_once() runs once
 * (for callgrind --toggle-collect=run_once: instructions of the parse alone),
 * after one untimed, uncounted parse that binds the libc functions it calls.
 * What each parser does in run_once: sfo validates fully, unescapes strings and
 * reports every event to a callback; yajl the same (numbers as text); jsmn only
 * tokenizes (offsets, no unescaping, loose validation), into a preallocated token
 * array; cJSON builds and frees a tree (malloc per node, numbers converted).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sfo_json.h"
#include "sfoauth_types.h"
#include <yajl/yajl_parse.h>
#include <cjson/cJSON.h>
#define JSMN_STATIC
#include <jsmn.h>

#define DEPTH 512u
static size_t g_sum;
static const char *g_parser;
static jsmntok_t *g_toks;
static unsigned g_ntoks;

static int sfo_cb(void *u, enum sfo_json_event ev, const char *d, size_t len, unsigned fl,
                  size_t depth)
{
    (void)u;
    (void)d;
    (void)fl;
    (void)depth;
    g_sum += (size_t)ev + len;
    return 0;
}

static int y_null(void *c)
{
    (void)c;
    g_sum += 10;
    return 1;
}
static int y_bool(void *c, int b)
{
    (void)c;
    g_sum += 8u + (size_t)b;
    return 1;
}
static int y_num(void *c, const char *s, size_t n)
{
    (void)c;
    (void)s;
    g_sum += 7u + n;
    return 1;
}
static int y_str(void *c, const unsigned char *s, size_t n)
{
    (void)c;
    (void)s;
    g_sum += 6u + n;
    return 1;
}
static int y_key(void *c, const unsigned char *s, size_t n)
{
    (void)c;
    (void)s;
    g_sum += 5u + n;
    return 1;
}
static int y_sm(void *c)
{
    (void)c;
    g_sum += 1;
    return 1;
}
static int y_em(void *c)
{
    (void)c;
    g_sum += 2;
    return 1;
}
static int y_sa(void *c)
{
    (void)c;
    g_sum += 3;
    return 1;
}
static int y_ea(void *c)
{
    (void)c;
    g_sum += 4;
    return 1;
}
static const yajl_callbacks y_cbs = { y_null, y_bool, NULL, NULL, y_num, y_str,
                                      y_sm,   y_key,  y_em, y_sa, y_ea };

static __attribute__((noinline)) int parse(const char *buf, size_t len)
{
    if (strcmp(g_parser, "sfo") == 0) {
        struct sfo_json j;
        uint8_t stack[SFO_JSON_STACK_BYTES(DEPTH)];
        sfo_json_init(&j, stack, DEPTH, sfo_cb, NULL);
        if (sfo_json_feed(&j, buf, len) != SFO_OK) return -1;
        return sfo_json_finish(&j) == SFO_OK ? 0 : -1;
    } else if (strcmp(g_parser, "yajl") == 0) {
        yajl_handle h = yajl_alloc(&y_cbs, NULL, NULL);
        int ok = yajl_parse(h, (const unsigned char *)buf, len) == yajl_status_ok &&
                 yajl_complete_parse(h) == yajl_status_ok;
        yajl_free(h);
        return ok ? 0 : -1;
    } else if (strcmp(g_parser, "jsmn") == 0) {
        jsmn_parser p;
        int r;
        jsmn_init(&p);
        r = jsmn_parse(&p, buf, len, g_toks, g_ntoks);
        if (r < 0) return -1;
        g_sum += (size_t)r;
        return 0;
    } else if (strcmp(g_parser, "cjson") == 0) {
        cJSON *t = cJSON_ParseWithLength(buf, len);
        if (t == NULL) return -1;
        g_sum += (size_t)cJSON_GetArraySize(t);
        cJSON_Delete(t);
        return 0;
    }
    return -2;
}

/* The measured parse (callgrind --toggle-collect=run_once). */
int run_once(const char *buf, size_t len);
__attribute__((noinline)) int run_once(const char *buf, size_t len)
{
    return parse(buf, len);
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
    char *buf;
    long n;
    double secs = argc > 3 ? atof(argv[3]) : 0.3, t0, t;
    unsigned long iters = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: jsonbench sfo|yajl|jsmn|cjson FILE [SECONDS]\n");
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
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return 2;
    buf[n] = 0;
    fclose(f);
    g_ntoks = (unsigned)n / 2u + 16u;
    g_toks = malloc(sizeof *g_toks * g_ntoks);
    /* a first parse outside run_once: the dynamic linker's first-call binding of
     * libc functions (strcmp, memset, malloc, ...) is not counted as parsing */
    if (parse(buf, (size_t)n) != 0) {
        fprintf(stderr, "%s: parse failed\n", g_parser);
        return 1;
    }
    g_sum = 0;
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
    free(g_toks);
    return 0;
}
