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
#include <stdbool.h>
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

/* What kind of non-regular file mode m is, for messages. */
static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISLNK(m)) return "a symbolic link";
    return "not a regular file";
}

/* Why an opened cache or lock file (fstat'd as sb) may not be trusted: "" when
 * it is a regular file owned by the effective user and, when check_mode, not
 * writable by group or others. */
static void judge_file(const struct stat *sb, bool check_mode, char *why, size_t cap)
{
    why[0] = '\0';
    if (!S_ISREG(sb->st_mode)) {
        cli_snprintf(why, cap, "%s, not a regular file", file_kind(sb->st_mode));
    } else if (sb->st_uid != geteuid()) {
        cli_snprintf(why, cap, "owned by uid %lu, not by this user (uid %lu)",
                     (unsigned long)sb->st_uid, (unsigned long)geteuid());
    } else if (check_mode && (sb->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        cli_snprintf(why, cap, "writable by group or others (mode %04o; sfoauth writes 0600)",
                     (unsigned)(sb->st_mode & 07777));
    }
}

/* The directory part of path (malloc'd): "." or "/" when path has none. */
static char *dir_of(const char *path)
{
    char *d = strdup(path);
    if (d == NULL) return NULL;
    char *slash = strrchr(d, '/');
    if (slash == d) {
        d[1] = '\0';
    } else if (slash != NULL) {
        *slash = '\0';
    } else {
        free(d);
        d = strdup(".");
    }
    return d;
}

int cli_cache_check_dir(const char *path, char *why, size_t cap)
{
    struct stat sb;
    why[0] = '\0';
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
        /* never read, and never replaced: refuse before any exchange */
        cli_snprintf(why, cap, "cache %s: it is %s, not a regular file", path,
                     file_kind(sb.st_mode));
        return EXIT_INPUT;
    }
    char *d = dir_of(path);
    if (d == NULL) {
        cli_snprintf(why, cap, "out of memory");
        return EXIT_INTERNAL;
    }
    int rc = 0;
    if (stat(d, &sb) != 0) {
        cli_snprintf(why, cap, "cache %s: directory %s: %s", path, d, strerror(errno));
        rc = EXIT_INPUT;
    } else if (!S_ISDIR(sb.st_mode)) {
        cli_snprintf(why, cap, "cache %s: %s is not a directory", path, d);
        rc = EXIT_INPUT;
    } else if (faccessat(AT_FDCWD, d, W_OK | X_OK, AT_EACCESS) != 0) {
        cli_snprintf(why, cap, "cache %s: directory %s is not writable: %s", path, d,
                     strerror(errno));
        rc = EXIT_INPUT;
    }
    free(d);
    return rc;
}

/* Open "<path>.lock" without following a link, creating it 0600, and check that
 * it is a regular file of ours. Returns the fd, or -1 after printing why. */
static int open_lock(const char *path, const char *lp)
{
    int fd = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) {
            cli_errorf(0, "cache %s not used: its lock file %s is a symbolic link", path, lp);
        } else {
            cli_errorf(0, "cache %s not used: lock file %s: %s", path, lp, strerror(e));
        }
        return -1;
    }
    struct stat sb;
    char why[160];
    if (fstat(fd, &sb) != 0) {
        cli_snprintf(why, sizeof why, "%s", strerror(errno));
    } else {
        judge_file(&sb, false, why, sizeof why);
    }
    if (why[0] != '\0') {
        cli_errorf(0, "cache %s not used: its lock file %s is %s", path, lp, why);
        close(fd);
        return -1;
    }
    return fd;
}

int cli_cache_lock(struct cli_cache *c, const char *path, int timeout_s)
{
    char why[1024];
    c->path = NULL;
    c->lock_fd = -1;
    int rc = cli_cache_check_dir(path, why, sizeof why);
    if (rc != 0) return cli_errorf(rc, "%s", why);
    size_t n = strlen(path) + 6;
    char *lp = malloc(n);
    if (lp == NULL) {
        return cli_errorf(EXIT_INTERNAL, "out of memory");
    }
    cli_snprintf(lp, n, "%s.lock", path);
    int fd = open_lock(path, lp);
    free(lp);
    if (fd < 0) return EXIT_INPUT;
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
        return cli_errorf(EXIT_INPUT, "cache %s: %s", path,
                          g_alarm ? "lock not obtained in time (another sfoauth holds it)"
                                  : strerror(e));
    }
    cli_tracef("cache lock %s.lock taken", path);
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

/* The cache's bytes (registered, NUL-terminated), or NULL: why is "" when there
 * is no cache, else the reason it is not trusted. */
static char *cache_load(const char *path, size_t *len, char *why, size_t cap)
{
    why[0] = '\0';
    /* no link followed, no wait on a FIFO or device */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP)
            cli_snprintf(why, cap, "it is a symbolic link");
        else if (errno != ENOENT)
            cli_snprintf(why, cap, "%s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        cli_snprintf(why, cap, "%s", strerror(errno));
    } else {
        judge_file(&sb, true, why, cap);
        if (why[0] == '\0' && sb.st_size > (off_t)CLI_CACHE_MAX) {
            cli_snprintf(why, cap, "larger than %u bytes", (unsigned)CLI_CACHE_MAX);
        }
    }
    char *data = NULL;
    if (why[0] == '\0') {
        data = cli_read_fd_max(fd, CLI_CACHE_MAX, 0, len);
        if (data == NULL && errno == EFBIG) {
            cli_snprintf(why, cap, "larger than %u bytes", (unsigned)CLI_CACHE_MAX);
        } else if (data == NULL) {
            cli_snprintf(why, cap, "%s", strerror(errno));
        }
    }
    close(fd);
    return data;
}

int cli_cache_read(const char *path, const char *ident, struct cli_token *t)
{
    size_t len = 0;
    char why[160];
    char *data = cache_load(path, &len, why, sizeof why);
    if (data == NULL) {
        if (why[0] != '\0') (void)cli_errorf(0, "cache %s not used: %s", path, why);
        return 1;
    }

    struct sfo_field fl[TK_COUNT + 4];
    char *bufs[TK_COUNT + 2];
    size_t nf = 0;
    memset(fl, 0, sizeof fl);
    for (int k = 0; k < TK_COUNT + 2; k++) {
        bufs[k] = cli_secret_alloc(len + 1);
    }
    for (int k = 0; k < TK_COUNT; k++) {
        fl[nf].name = cli_tk_name[k];
        fl[nf].type = SFO_FIELD_STRING;
        fl[nf].str = bufs[k];
        fl[nf].cap = len + 1;
        nf++;
    }
    fl[nf].name = "format";
    fl[nf].type = SFO_FIELD_STRING;
    fl[nf].str = bufs[TK_COUNT];
    fl[nf].cap = len + 1;
    nf++;
    fl[nf].name = "ident";
    fl[nf].type = SFO_FIELD_STRING;
    fl[nf].str = bufs[TK_COUNT + 1];
    fl[nf].cap = len + 1;
    nf++;
    fl[nf].name = "expires_at";
    fl[nf].type = SFO_FIELD_INT;
    nf++;
    fl[nf].name = "expires_in";
    fl[nf].type = SFO_FIELD_INT;
    nf++;

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
    char *d = dir_of(path);
    if (d == NULL) return -1;
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
    cli_snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
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
    struct stat sb;
    if (!bad && lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
        /* a link is replaced (never followed); a FIFO, device or directory is left */
        (void)unlink(tmp);
        free(tmp);
        return cli_errorf(EXIT_INPUT, "%s not replaced: it is %s, not a regular file", path,
                          file_kind(sb.st_mode));
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
    /* one buffer sized for the worst case (every byte escaped as \u00XX), kept as a
     * secret from the start: no copy of a token is left behind by a growing buffer */
    size_t cap = 256 + 6 * strlen(ident), n;
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] != NULL) cap += 16 + strlen(cli_tk_name[k]) + 6 * strlen(t->f[k]);
    }
    char *buf = malloc(cap);
    if (buf == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(buf, cap);
    n = (size_t)cli_snprintf(buf, cap, "{\n  \"format\": \"" CACHE_FORMAT "\",\n  \"ident\": ");
    n += cli_json_quote(buf + n, ident);
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] == NULL) continue;
        n += (size_t)cli_snprintf(buf + n, cap - n, ",\n  \"%s\": ", cli_tk_name[k]);
        n += cli_json_quote(buf + n, t->f[k]);
    }
    if (t->has_expires_in)
        n += (size_t)cli_snprintf(buf + n, cap - n, ",\n  \"expires_in\": %lld",
                                  (long long)t->expires_in);
    n += (size_t)cli_snprintf(buf + n, cap - n, ",\n  \"expires_at\": %lld\n}\n",
                              (long long)t->expires_at);
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
