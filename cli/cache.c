/*
 * Token cache: one JSON object per file, mode 0600, replaced atomically
 * (temp file, fsync, rename, fsync of the directory), guarded by an advisory
 * lock on "<file>.lock" that a caller holds across check -> fetch -> write.
 *
 * File format (keys in this order; unknown keys ignored on reading):
 *   {"format": "sfoauth-cache-1", "ident": "<token URL> <client id> <username>",
 *    "access_token": ..., ... token fields ..., "expires_at": <unix seconds>}
 * A cache whose ident differs from the current command's is ignored (never
 * mixed up between orgs or users).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sfo_json.h"
#include "sfoauth_types.h"

#define CACHE_FORMAT "sfoauth-cache-1"

static volatile sig_atomic_t g_alarm;
static void on_alarm(int sig)
{
    (void)sig;
    g_alarm = 1;
}

int cli_cache_lock(struct cli_cache *c, const char *path, int timeout_s)
{
    size_t n = strlen(path) + 6;
    char *lp = malloc(n);
    c->path = NULL;
    c->lock_fd = -1;
    if (lp == NULL) {
        return cli_errorf(EXIT_INTERNAL, "out of memory");
    }
    snprintf(lp, n, "%s.lock", path);
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        free(lp);
        return cli_errorf(EXIT_INPUT, "cache lock %s.lock: %s", path, strerror(e));
    }
    /* flock waits; a SIGALRM without SA_RESTART bounds the wait */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    g_alarm = 0;
    alarm(timeout_s > 0 ? (unsigned)timeout_s : 1u);
    int r;
    do {
        r = flock(fd, LOCK_EX);
    } while (r != 0 && errno == EINTR && !g_alarm);
    int e = errno;
    alarm(0);
    sigaction(SIGALRM, &old, NULL);
    if (r != 0) {
        close(fd);
        free(lp);
        return cli_errorf(EXIT_INPUT, "cache %s: %s", path,
                          g_alarm ? "lock not obtained in time (another sfoauth holds it)"
                                  : strerror(e));
    }
    cli_tracef("cache lock %s.lock taken", path);
    free(lp);
    c->path = strdup(path);
    c->lock_fd = fd;
    return 0;
}

void cli_cache_unlock(struct cli_cache *c)
{
    if (c->lock_fd >= 0) {
        flock(c->lock_fd, LOCK_UN);
        close(c->lock_fd);
        c->lock_fd = -1;
    }
    free(c->path);
    c->path = NULL;
}

int cli_cache_read(const char *path, const char *ident, struct cli_token *t)
{
    size_t len = 0;
    char *data = cli_read_all(path, &len);
    if (data == NULL) {
        if (errno != ENOENT) {
            cli_tracef("cache %s unreadable (%s): ignored", path, strerror(errno));
        }
        return 1;
    }
    cli_secret_keep(data, len + 1);

    struct sfo_field fl[TK_COUNT + 4];
    char *bufs[TK_COUNT + 2];
    size_t nf = 0;
    memset(fl, 0, sizeof fl);
    for (int k = 0; k < TK_COUNT + 2; k++) {
        bufs[k] = malloc(len + 1);
        if (bufs[k] == NULL) {
            fputs("sfoauth: out of memory\n", stderr);
            exit(EXIT_INTERNAL);
        }
        cli_secret_keep(bufs[k], len + 1);
    }
    for (int k = 0; k < TK_COUNT; k++) {
        fl[nf].name = cli_tk_name[k];
        fl[nf].type = SFO_FIELD_STRING;
        fl[nf].str = bufs[k];
        fl[nf].cap = len + 1;
        nf++;
    }
    fl[nf].name = "format"; fl[nf].type = SFO_FIELD_STRING;
    fl[nf].str = bufs[TK_COUNT]; fl[nf].cap = len + 1; nf++;
    fl[nf].name = "ident"; fl[nf].type = SFO_FIELD_STRING;
    fl[nf].str = bufs[TK_COUNT + 1]; fl[nf].cap = len + 1; nf++;
    fl[nf].name = "expires_at"; fl[nf].type = SFO_FIELD_INT; nf++;
    fl[nf].name = "expires_in"; fl[nf].type = SFO_FIELD_INT; nf++;

    struct sfo_extract x;
    uint8_t stack[SFO_JSON_STACK_BYTES(8)];
    int rc = sfo_extract_init(&x, fl, nf, stack, 8);
    if (rc == SFO_OK) rc = sfo_extract_feed(&x, data, len);
    if (rc == SFO_OK) rc = sfo_extract_finish(&x);
    int result = 1;
    if (rc != SFO_OK) {
        cli_tracef("cache %s is not valid JSON (%s): ignored", path, sfo_errname(rc));
    } else if (!fl[TK_COUNT].present || strcmp(fl[TK_COUNT].str, CACHE_FORMAT) != 0) {
        cli_tracef("cache %s has an unknown format: ignored", path);
    } else if (!fl[TK_COUNT + 1].present || strcmp(fl[TK_COUNT + 1].str, ident) != 0) {
        cli_tracef("cache %s belongs to another client, user or server: ignored", path);
    } else {
        cli_token_clear(t);
        for (int k = 0; k < TK_COUNT; k++) {
            if (fl[k].present) {
                cli_token_set(t, k, fl[k].str, fl[k].len);
            }
        }
        if (fl[TK_COUNT + 2].present) t->expires_at = fl[TK_COUNT + 2].ival;
        if (fl[TK_COUNT + 3].present) {
            t->has_expires_in = true;
            t->expires_in = fl[TK_COUNT + 3].ival;
        }
        result = 0;
    }
    for (int k = 0; k < TK_COUNT + 2; k++) {
        cli_secret_drop(bufs[k]);
        free(bufs[k]);
    }
    cli_secret_drop(data);
    free(data);
    return result;
}

/* Write all of buf, retrying on EINTR/short writes. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char *d = strdup(path);
    if (d == NULL) return -1;
    char *slash = strrchr(d, '/');
    const char *dir = ".";
    if (slash == d) dir = "/";
    else if (slash != NULL) { *slash = '\0'; dir = d; }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = -1;
    if (fd >= 0) {
        r = fsync(fd);
        close(fd);
    }
    free(d);
    return r;
}

/* Atomically replace path with n bytes of data (mode 0600). */
static int replace_file(const char *path, const char *data, size_t n)
{
    size_t tl = strlen(path) + 32;
    char *tmp = malloc(tl);
    if (tmp == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
    (void)unlink(tmp); /* a leftover of a killed run with our pid */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cli_errorf(EXIT_INPUT, "%s: cannot create temp file: %s", path, strerror(e));
    }
    /* test hook: SFOAUTH_TEST_SLOW_WRITE=ms pauses half-way (to kill a run mid-write) */
    const char *slow = getenv("SFOAUTH_TEST_SLOW_WRITE");
    size_t half = slow ? n / 2 : n;
    int bad = write_all(fd, data, half);
    if (!bad && slow) {
        long ms = strtol(slow, NULL, 10);
        if (ms < 0 || ms > 60000) ms = 0;
        struct timespec ts = { (time_t)(ms / 1000), (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        bad = write_all(fd, data + half, n - half);
    }
    if (!bad) bad = fsync(fd);
    int e = errno;
    if (close(fd) != 0 && !bad) {
        bad = -1;
        e = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = -1;
        e = errno;
    }
    if (bad) {
        (void)unlink(tmp);
        free(tmp);
        return cli_errorf(EXIT_INPUT, "%s: write failed: %s", path, strerror(e));
    }
    free(tmp);
    (void)fsync_dir_of(path);
    return 0;
}

int cli_cache_write(const char *path, const char *ident, const struct cli_token *t)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (m == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    fputs("{\n  \"format\": \"" CACHE_FORMAT "\",\n  \"ident\": ", m);
    cli_json_string(m, ident);
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] == NULL) continue;
        fprintf(m, ",\n  \"%s\": ", cli_tk_name[k]);
        cli_json_string(m, t->f[k]);
    }
    if (t->has_expires_in) fprintf(m, ",\n  \"expires_in\": %lld", (long long)t->expires_in);
    fprintf(m, ",\n  \"expires_at\": %lld\n}\n", (long long)t->expires_at);
    fclose(m);
    if (buf == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(buf, n);
    int r = replace_file(path, buf, n);
    cli_secret_drop(buf);
    free(buf);
    if (r == 0) cli_tracef("cache %s written (0600, atomic)", path);
    return r;
}

int cli_file_replace(const char *path, const char *data)
{
    size_t n = strlen(data);
    char *b = malloc(n + 2);
    if (b == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    memcpy(b, data, n);
    b[n] = '\n';
    b[n + 1] = '\0';
    cli_secret_keep(b, n + 2);
    int r = replace_file(path, b, n + 1);
    cli_secret_drop(b);
    free(b);
    return r;
}
