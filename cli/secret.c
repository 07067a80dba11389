/*
 * Secrets held by the CLI: core dumps off, a registry of secret buffers that
 * are wiped at exit and redacted from traces, reading secrets from files,
 * stdin or the environment, and the -v trace writer.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "sfoauth_types.h"

#define SFO_CLI_LOG_DEBUG 2 /* SFO_LOG_DEBUG of sfoauth_port.h */

int cli_verbose;
int cli_stdin_users;

struct secret_ref {
    void *p;
    size_t len;
};
static struct secret_ref *g_secrets;
static size_t g_nsecrets, g_capsecrets;

void cli_secret_protect(void)
{
#ifdef __linux__
    /* RLIMIT_CORE 0 by the prlimit64 system call itself: the process has one thread,
     * and musl's setrlimit would link a stop-every-thread mechanism (~1.6 KB) for it */
    const uint64_t no_core[2] = { 0, 0 };
    (void)syscall(SYS_prlimit64, 0, RLIMIT_CORE, no_core, NULL);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#else
    struct rlimit rl = { 0, 0 };
    (void)setrlimit(RLIMIT_CORE, &rl);
#endif
    atexit(cli_secret_wipe_all);
}

void cli_secret_keep(void *p, size_t len)
{
    if (p == NULL || len == 0) {
        return;
    }
    /* The list is read by the fatal-signal handler: keep those signals out while
     * it changes, so the handler always sees a complete list. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (size_t i = 0; i < g_nsecrets; i++) {
        if (g_secrets[i].p == p) { /* kept twice: one entry, the larger length */
            if (len > g_secrets[i].len) g_secrets[i].len = len;
            sigprocmask(SIG_SETMASK, &old, NULL);
            return;
        }
    }
    if (g_nsecrets == g_capsecrets) {
        size_t cap = g_capsecrets ? g_capsecrets * 2 : 16;
        struct secret_ref *n = realloc(g_secrets, cap * sizeof *n);
        if (n == NULL) {
            /* cannot track it: wipe now rather than leak it unwiped later */
            fputs("sfoauth: out of memory\n", stderr);
            sfo_wipe(p, len);
            cli_secret_wipe_all();
            _exit(EXIT_INTERNAL);
        }
        g_secrets = n;
        g_capsecrets = cap;
    }
    g_secrets[g_nsecrets].p = p;
    g_secrets[g_nsecrets].len = len;
    g_nsecrets++;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void cli_secret_drop(void *p)
{
    size_t i;
    for (i = 0; i < g_nsecrets; i++) {
        if (g_secrets[i].p == p) {
            sfo_wipe(p, g_secrets[i].len);
            g_secrets[i] = g_secrets[--g_nsecrets];
            return;
        }
    }
}

void cli_secret_wipe_all(void)
{
    size_t i;
    for (i = 0; i < g_nsecrets; i++) {
        sfo_wipe(g_secrets[i].p, g_secrets[i].len);
    }
    g_nsecrets = 0;
}

char *cli_read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = malloc(ncap);
            if (nb == NULL) {
                if (buf) {
                    sfo_wipe(buf, cap);
                    free(buf);
                }
                if (f != stdin) fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            if (buf) {
                memcpy(nb, buf, n);
                sfo_wipe(buf, cap); /* the file may be a secret: no unwiped copies */
                free(buf);
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0) {
            break;
        }
    }
    int bad = ferror(f);
    if (f != stdin) {
        fclose(f);
    }
    if (bad) {
        sfo_wipe(buf, cap);
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len) {
        *len = n;
    }
    return buf;
}

static char *read_bounded(const char *path, size_t max, int timeout_ms, size_t *len, char *why,
                          size_t cap);

int cli_stdin_timeout_ms = CLI_STDIN_WAIT_MS;

/* A value on stdin: its first line (cli_read_line, so a person's Enter ends it);
 * from a pipe or file the rest must be blank. NULL with *err on failure. */
static char *stdin_value(size_t *n, const char **err)
{
    char *v = NULL;
    int rc = cli_read_line(0, CLI_SECRET_MAX, cli_stdin_timeout_ms, &v, n);
    if (rc != CLI_LINE_OK) {
        *err = rc == CLI_LINE_EOF ? "empty" : cli_line_strerror(rc);
        return NULL;
    }
    if (isatty(0)) return v;
    for (int lines = 0; lines < 64; lines++) {
        char *more = NULL;
        size_t ml = 0;
        rc = cli_read_line(0, CLI_SECRET_MAX, cli_stdin_timeout_ms, &more, &ml);
        if (rc == CLI_LINE_EOF) return v;
        bool blank = rc == CLI_LINE_OK && strspn(more, " \t\r") == ml;
        if (more != NULL) {
            cli_secret_drop(more);
            free(more);
        }
        if (!blank) break;
    }
    *err =
        rc == CLI_LINE_OK || rc == CLI_LINE_TOO_LONG ? "more than one line" : cli_line_strerror(rc);
    cli_secret_drop(v);
    free(v);
    return NULL;
}

char *cli_secret_read(const char *path, const char *env, const char **err)
{
    static char why[256];
    char *v = NULL;
    const char *e;
    size_t n = 0;
    *err = NULL;
    if (path != NULL && strcmp(path, "-") == 0) {
        if (cli_stdin_users++ > 0) {
            *err = "stdin can feed only one option";
            return NULL;
        }
        v = stdin_value(&n, err);
        if (v != NULL && v[0] == '\0') {
            *err = "empty";
            cli_secret_drop(v);
            free(v);
            v = NULL;
        }
        return v;
    }
    if (path != NULL) {
        v = read_bounded(path, CLI_SECRET_MAX, CLI_KEY_READ_MS, &n, why, sizeof why);
        if (v == NULL) {
            *err = strcmp(why, "empty file") == 0 ? "empty" : why;
            return NULL;
        }
    } else if (env != NULL && (e = getenv(env)) != NULL) {
        n = strlen(e);
        v = cli_secret_alloc(n + 1);
        memcpy(v, e, n + 1);
    } else {
        return NULL;
    }
    /* the value is the first line */
    char *nl = memchr(v, '\n', n);
    if (nl != NULL) {
        if (nl > v && nl[-1] == '\r') {
            nl--;
        }
        /* anything after the first line must be blank */
        for (char *q = nl; q < v + n; q++) {
            if (*q != '\r' && *q != '\n' && *q != ' ' && *q != '\t') {
                *err = "more than one line";
                cli_secret_drop(v);
                free(v);
                return NULL;
            }
        }
        *nl = '\0';
    }
    if (v[0] == '\0') {
        *err = "empty";
        cli_secret_drop(v);
        free(v);
        return NULL;
    }
    return v;
}

void *cli_secret_alloc(size_t len)
{
    void *p = calloc(1, len ? len : 1);
    if (p == NULL) {
        fputs("sfoauth: out of memory\n", stderr);
        exit(EXIT_INTERNAL);
    }
    cli_secret_keep(p, len ? len : 1);
    return p;
}

/* ---- one line from a person ------------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or the deadline (< 0: none) passes.
 * Returns 1 readable, 0 timed out, -1 error. */
static int wait_readable(int fd, int64_t deadline)
{
    for (;;) {
        int ms = -1;
        if (deadline >= 0) {
            int64_t left = deadline - mono_ms();
            if (left <= 0) return 0;
            ms = left > 1000000 ? 1000000 : (int)left;
        }
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, ms);
        if (r > 0) return 1; /* POLLIN, POLLHUP or POLLERR: read() tells which */
        if (r < 0 && errno != EINTR) return -1;
    }
}

int cli_read_line(int fd, size_t max, int timeout_ms, char **out, size_t *len)
{
    if (max == 0) max = CLI_LINE_MAX;
    *out = NULL;
    if (len) *len = 0;
    int64_t deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
    /* room for the line, a CR before the LF and the NUL */
    char *buf = calloc(1, max + 2);
    if (buf == NULL) return CLI_LINE_NOMEM;
    cli_secret_keep(buf, max + 2);
    size_t n = 0;
    int rc = CLI_LINE_OK;
    for (;;) {
        int w = wait_readable(fd, deadline);
        if (w <= 0) {
            rc = w == 0 ? CLI_LINE_TIMEOUT : CLI_LINE_IO;
            break;
        }
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r < 0 && errno == EIO && n == 0) r = 0; /* terminal hung up */
        if (r < 0) {
            rc = CLI_LINE_IO;
            break;
        }
        if (r == 0) {
            if (n == 0) rc = CLI_LINE_EOF;
            break;
        }
        if (c == '\n') break;
        if (n == max + 1 || (n == max && c != '\r')) {
            rc = CLI_LINE_TOO_LONG;
            break;
        }
        buf[n++] = c;
    }
    if (rc == CLI_LINE_OK && n > 0 && buf[n - 1] == '\r') n--;
    if (rc == CLI_LINE_OK && n > max) rc = CLI_LINE_TOO_LONG; /* "\r" + more, no LF */
    if (rc != CLI_LINE_OK) {
        int e = errno;
        cli_secret_drop(buf);
        free(buf);
        errno = e;
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return CLI_LINE_OK;
}

char *cli_read_fd_max(int fd, size_t max, int timeout_ms, size_t *len)
{
    int64_t deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
    size_t cap = max < 8192 ? max + 2 : 8192, n = 0;
    char *buf = cli_secret_alloc(cap);
    for (;;) {
        if (n + 1 == cap) { /* full: grow (a longer file is refused, not cut) */
            if (n > max) break;
            size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *nb = cli_secret_alloc(ncap);
            memcpy(nb, buf, n);
            cli_secret_drop(buf);
            free(buf);
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r > 0) {
            n += (size_t)r;
            continue;
        }
        if (r == 0) break;
        if (errno == EINTR) continue;
        int w = errno == EAGAIN ? wait_readable(fd, deadline) : -1;
        if (w > 0) continue;
        int e = w == 0 ? ETIMEDOUT : errno;
        cli_secret_drop(buf);
        free(buf);
        errno = e;
        return NULL;
    }
    if (n > max) {
        cli_secret_drop(buf);
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

const char *cli_line_strerror(int rc)
{
    switch (rc) {
    case CLI_LINE_OK: return "ok";
    case CLI_LINE_EOF: return "end of input, no line read";
    case CLI_LINE_TIMEOUT: return "no complete line within the time allowed";
    case CLI_LINE_TOO_LONG: return "line too long";
    case CLI_LINE_NOMEM: return "out of memory";
    default: return "read error";
    }
}

/* ---- the --key file ------------------------------------------------------------- */

/* First occurrence of the NUL-terminated w in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *w)
{
    size_t wl = strlen(w);
    for (; p != NULL && (size_t)(end - p) >= wl; p++) {
        if (memcmp(p, w, wl) == 0) return p;
    }
    return NULL;
}

static const char k_only_rsa[] = "only RSA keys (2048 to 4096 bits) are supported "
                                 "(SFO_E_KEY_TYPE)";

/* What a PEM block labelled l (ll bytes) is when it is not a usable key; NULL
 * for an RSA/PKCS#8 private key label. Writes a sentence into why. */
static bool pem_label_problem(const char *l, size_t ll, char *why, size_t cap)
{
    static const struct {
        const char *label, *what;
    } k[] = {
        { "RSA PRIVATE KEY", NULL },
        { "PRIVATE KEY", NULL },
        { "CERTIFICATE", "a certificate, not a private key: give the private key the "
                         "certificate was made from (the connected app holds the certificate)" },
        { "TRUSTED CERTIFICATE", "a certificate, not a private key" },
        { "X509 CERTIFICATE", "a certificate, not a private key" },
        { "CERTIFICATE REQUEST", "a certificate signing request, not a private key" },
        { "NEW CERTIFICATE REQUEST", "a certificate signing request, not a private key" },
        { "PUBLIC KEY", "a public key: the JWT is signed with the private key" },
        { "RSA PUBLIC KEY", "an RSA public key (PKCS#1): the JWT is signed with the private "
                            "key" },
        { "ENCRYPTED PRIVATE KEY", "an encrypted private key (PKCS#8): sfoauth reads "
                                   "unencrypted keys; decrypt it into a file only you can "
                                   "read (openssl pkey -in KEY -out PLAIN.key; chmod 600)" },
        { "EC PRIVATE KEY", "an EC private key: " },
        { "DSA PRIVATE KEY", "a DSA private key: " },
        { "OPENSSH PRIVATE KEY", "an OpenSSH private key: convert an RSA one to PEM "
                                 "(ssh-keygen -p -m PEM -f KEY, on a copy)" },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        if (strlen(k[i].label) != ll || memcmp(k[i].label, l, ll) != 0) continue;
        if (k[i].what == NULL) return false;
        size_t wl = strlen(k[i].what);
        cli_snprintf(why, cap, "%s%s", k[i].what, k[i].what[wl - 1] == ' ' ? k_only_rsa : "");
        return true;
    }
    cli_snprintf(why, cap, "a PEM \"%.*s\" block, not an RSA private key", (int)(ll > 40 ? 40 : ll),
                 l);
    return true;
}

/* PEM: the first usable private key block wins (a certificate may come with it;
 * [*bs, *be) is that block). Returns 1 when a problem was written to why,
 * 0 usable, -1 no PEM at all. */
static int pem_problem(const char *d, size_t n, size_t *bs, size_t *be, char *why, size_t cap)
{
    const char *end = d + n, *p = d;
    int found = -1;
    while ((p = find(p, end, "-----BEGIN ")) != NULL) {
        const char *l = p + 11, *le = find(l, end, "-----");
        if (le == NULL) break;
        char w[320];
        if (!pem_label_problem(l, (size_t)(le - l), w, sizeof w)) {
            /* traditional encryption: a Proc-Type header inside the block */
            const char *e = find(le, end, "-----END ");
            if (find(le, e != NULL ? e : end, "Proc-Type: 4,ENCRYPTED") == NULL) {
                const char *ee = e != NULL ? find(e + 9, end, "-----") : NULL;
                *bs = (size_t)(p - d);
                *be = ee != NULL ? (size_t)(ee + 5 - d) : n;
                why[0] = '\0';
                return 0;
            }
            cli_snprintf(w, sizeof w,
                         "an encrypted private key (Proc-Type: 4,ENCRYPTED): "
                         "sfoauth reads unencrypted keys; decrypt it into a file only you can "
                         "read (openssl rsa -in KEY -out PLAIN.key; chmod 600)");
        }
        if (found != 1) cli_snprintf(why, cap, "%s", w);
        found = 1;
        p = le;
    }
    return found;
}

/* DER header at p (n bytes): tag, header and content lengths. false if malformed. */
static bool der_tlv(const unsigned char *p, size_t n, unsigned *tag, size_t *hl, size_t *cl)
{
    if (n < 2) return false;
    size_t l = p[1], h = 2;
    if (l & 0x80u) {
        size_t k = l & 0x7fu;
        if (k == 0 || k > 4 || n < 2 + k) return false;
        l = 0;
        for (size_t i = 0; i < k; i++) l = (l << 8) | p[2 + i];
        h += k;
    }
    if (l > n - h) return false;
    *tag = p[0];
    *hl = h;
    *cl = l;
    return true;
}

/* DER: the shape of the outer SEQUENCE tells a private key (INTEGER 0 first)
 * from a certificate, public or encrypted key. Same results as pem_problem. */
static int der_problem(const unsigned char *d, size_t n, char *why, size_t cap)
{
    unsigned t, t1, t2 = 0;
    size_t h, c, h1, c1, h2, c2;
    if (!der_tlv(d, n, &t, &h, &c) || t != 0x30u || !der_tlv(d + h, c, &t1, &h1, &c1)) return -1;
    const unsigned char *second = d + h + h1 + c1;
    size_t rest = c - h1 - c1;
    if (rest == 0 || !der_tlv(second, rest, &t2, &h2, &c2)) t2 = 0;
    const char *what = NULL;
    bool ec = false;
    if (t1 == 0x02u && c1 == 1 && d[h + h1] == 0) return 0; /* version 0: PKCS#1 / #8 */
    if (t1 == 0x02u && c1 == 1 && d[h + h1] == 1) {
        what = "an EC private key (DER): ";
        ec = true;
    } else if (t1 == 0x02u) {
        what = "an RSA public key (PKCS#1, DER): the JWT is signed with the private key";
    } else if (t1 == 0x30u && t2 == 0x03u) {
        what = "a public key (DER): the JWT is signed with the private key";
    } else if (t1 == 0x30u && t2 == 0x04u) {
        what = "an encrypted private key (PKCS#8, DER): sfoauth reads unencrypted keys";
    } else if (t1 == 0x30u && t2 == 0x30u) {
        what = "a certificate (DER), not a private key";
    } else {
        return -1;
    }
    cli_snprintf(why, cap, "%s%s", what, ec ? k_only_rsa : "");
    return 1;
}

/* Read path ("-": stdin) whole, at most max bytes, waiting at most timeout_ms
 * for a pipe: a registered buffer, or NULL with why saying what went wrong
 * (cannot open + OS text, a directory, too large, empty, ...). */
static char *read_bounded(const char *path, size_t max, int timeout_ms, size_t *len, char *why,
                          size_t cap)
{
    bool in = strcmp(path, "-") == 0;
    int fd = in ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    char *d = NULL;
    why[0] = '\0';
    if (fd < 0 || fstat(fd, &sb) != 0) {
        cli_snprintf(why, cap, "cannot open: %s", strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        cli_snprintf(why, cap, "a directory, not a file");
    } else if (!S_ISREG(sb.st_mode) && !S_ISFIFO(sb.st_mode) && !S_ISCHR(sb.st_mode)) {
        cli_snprintf(why, cap, "not a regular file");
    } else if ((d = cli_read_fd_max(fd, max, timeout_ms, len)) == NULL) {
        if (errno == EFBIG)
            cli_snprintf(why, cap, "larger than %u bytes", (unsigned)max);
        else if (errno == ETIMEDOUT)
            cli_snprintf(why, cap, "nothing to read within %d s", timeout_ms / 1000);
        else
            cli_snprintf(why, cap, "cannot read: %s", strerror(errno));
    } else if (*len == 0) {
        cli_snprintf(why, cap, "empty file");
        cli_secret_drop(d);
        free(d);
        d = NULL;
    }
    if (fd > 0) close(fd);
    return d;
}

char *cli_key_read(const char *path, size_t *len, char *why, size_t cap)
{
    char *d = read_bounded(path, CLI_KEY_FILE_MAX, CLI_KEY_READ_MS, len, why, cap);
    if (d == NULL) {
        if (strcmp(why, "a directory, not a file") == 0) {
            cli_snprintf(why, cap, "a directory, not a key file");
        } else if (strncmp(why, "larger than", 11) == 0) {
            cli_snprintf(why, cap, "larger than %u bytes: not a key file",
                         (unsigned)CLI_KEY_FILE_MAX);
        }
        return NULL;
    }
    size_t bs = 0, be = *len;
    int r = pem_problem(d, *len, &bs, &be, why, cap);
    if (r == 0 && (bs > 0 || be < *len)) {
        /* only the key block goes on (a certificate may share the file) */
        memmove(d, d + bs, be - bs);
        memset(d + (be - bs), 0, *len - (be - bs));
        *len = be - bs;
    }
    if (r < 0) r = der_problem((const unsigned char *)d, *len, why, cap);
    if (r < 0) cli_snprintf(why, cap, "neither a PEM nor a DER private key");
    if (r != 0) {
        cli_secret_drop(d);
        free(d);
        d = NULL;
    }
    return d;
}

/* ---- redaction ----------------------------------------------------------------- */

static const char *const k_secret_params[] = {
    "client_secret", "assertion",    "code",     "code_verifier",
    "refresh_token", "access_token", "password", "token",
    "id_token",      "device_code",  NULL
};

/*
 * Replace bytes [a, b) of buf (*n bytes long) with "[REDACTED]"; returns the new
 * buffer and updates *n. The old buffer is wiped whole and freed. Fails closed: when
 * no memory is left, the bytes are overwritten with '*' in place and buf is returned.
 */
static char *splice(char *buf, size_t *n, size_t a, size_t b)
{
    static const char r[] = "[REDACTED]";
    size_t rl = sizeof r - 1;
    char *nb = malloc(*n - (b - a) + rl + 1);
    if (nb == NULL) {
        memset(buf + a, '*', b - a);
        return buf;
    }
    memcpy(nb, buf, a);
    memcpy(nb + a, r, rl);
    memcpy(nb + a + rl, buf + b, *n - b);
    *n = *n - (b - a) + rl;
    sfo_wipe(buf, *n + (b - a) - rl);
    nb[*n] = '\0';
    free(buf);
    return nb;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t l = strlen(w);
    if (i + l > n) return false;
    for (size_t k = 0; k < l; k++) {
        if (lower((unsigned char)s[i + k]) != lower((unsigned char)w[k])) return false;
    }
    return true;
}

/* Whether bytes [a, e) of buf are already the "[REDACTED]" marker. */
static bool is_marker(const char *buf, size_t a, size_t e)
{
    return e - a == 10 && memcmp(buf + a, "[REDACTED]", 10) == 0;
}

/* Every registered secret value of 4 bytes or more in buf (*n bytes) replaced;
 * returns the (possibly new) buffer, *n updated. */
static char *redact_registered(char *buf, size_t *n)
{
    for (size_t k = 0; k < g_nsecrets; k++) {
        const char *sv = g_secrets[k].p;
        size_t sl = strnlen(sv, g_secrets[k].len);
        if (sl < 4) continue;
        for (size_t i = 0; i + sl <= *n;) {
            if (memcmp(buf + i, sv, sl) == 0) {
                buf = splice(buf, n, i, i + sl);
                i += 10;
            } else {
                i++;
            }
        }
    }
    return buf;
}

/* Whether a line starts at i (buffer start or after '\n') with a header that carries
 * credentials (Authorization, Proxy-Authorization, Cookie, Set-Cookie; any case). */
static bool credential_header_at(const char *buf, size_t n, size_t i)
{
    if (i != 0 && buf[i - 1] != '\n') return false;
    return word_at(buf, n, i, "authorization:") || word_at(buf, n, i, "proxy-authorization:") ||
           word_at(buf, n, i, "cookie:") || word_at(buf, n, i, "set-cookie:");
}

/* The value of the credential header at i redacted up to the end of its line; of an
 * Authorization header the scheme word ("Bearer", "Basic") is kept, a cookie header
 * has none. Returns the buffer, *n updated. */
static char *redact_header_value(char *buf, size_t *n, size_t i)
{
    bool scheme = lower((unsigned char)buf[i]) != 'c' && lower((unsigned char)buf[i]) != 's';
    size_t a = i;
    while (a < *n && buf[a] != ':') a++;
    a++;
    while (a < *n && buf[a] == ' ') a++;
    size_t sp = a;
    while (sp < *n && buf[sp] != ' ' && buf[sp] != '\r' && buf[sp] != '\n') sp++;
    if (scheme && sp < *n && buf[sp] == ' ') a = sp + 1;
    size_t e = a;
    while (e < *n && buf[e] != '\r' && buf[e] != '\n') e++;
    if (e > a && !is_marker(buf, a, e)) buf = splice(buf, n, a, e);
    return buf;
}

/* The value of a form parameter starting at a (up to '&', ' ' or end of line)
 * redacted; returns the buffer, *n updated. */
static char *redact_form_value(char *buf, size_t *n, size_t a)
{
    size_t e = a;
    while (e < *n && buf[e] != '&' && buf[e] != ' ' && buf[e] != '\r' && buf[e] != '\n') e++;
    if (e > a && !is_marker(buf, a, e)) buf = splice(buf, n, a, e);
    return buf;
}

/* After a JSON member name ending before a, the string value (if the value is a
 * string) redacted between its quotes; returns the buffer, *n updated. */
static char *redact_json_value(char *buf, size_t *n, size_t a)
{
    while (a < *n && (buf[a] == ' ' || buf[a] == ':')) a++;
    if (a >= *n || buf[a] != '"') return buf;
    size_t e = a + 1;
    while (e < *n && buf[e] != '"') {
        if (buf[e] == '\\' && e + 1 < *n) e++;
        e++;
    }
    if (e > a + 1 && !is_marker(buf, a + 1, e)) buf = splice(buf, n, a + 1, e);
    return buf;
}

/* At position i, the value of a secret parameter named there redacted: name=value
 * at the start of a form field or word, or "name": "value" in JSON. Returns the
 * buffer, *n updated. */
static char *redact_param_at(char *buf, size_t *n, size_t i)
{
    bool form_start = (i == 0 || buf[i - 1] == '&' || buf[i - 1] == '?' || buf[i - 1] == ' ' ||
                       buf[i - 1] == '\n');
    for (size_t k = 0; k_secret_params[k] != NULL; k++) {
        const char *p = k_secret_params[k];
        size_t pl = strlen(p);
        if (form_start && word_at(buf, *n, i, p) && i + pl < *n && buf[i + pl] == '=') {
            return redact_form_value(buf, n, i + pl + 1);
        }
        if (buf[i] == '"' && word_at(buf, *n, i + 1, p) && i + 1 + pl + 1 < *n &&
            buf[i + 1 + pl] == '"') {
            return redact_json_value(buf, n, i + 2 + pl);
        }
    }
    return buf;
}

char *cli_redact(const char *s, size_t n)
{
    char *buf = malloc(n + 1);
    if (buf == NULL) {
        return NULL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    buf = redact_registered(buf, &n);
    for (size_t i = 0; i < n; i++) {
        if (credential_header_at(buf, n, i)) buf = redact_header_value(buf, &n, i);
    }
    for (size_t i = 0; i < n; i++) buf = redact_param_at(buf, &n, i);
    return buf;
}

/* ---- trace ------------------------------------------------------------------------ */

/* Direction of the HTTP lines being traced: '>' request, '<' response. */
static char g_dir = '>';

static bool is_method(const char *m)
{
    if (*m == '\0') return false;
    for (; *m; m++) {
        if (*m < 'A' || *m > 'Z') return false;
    }
    return true;
}

void cli_trace_log(void *ctx, int level, const char *msg, const char *detail, size_t detail_len)
{
    (void)ctx;
    if (level > cli_verbose) {
        return;
    }
    while (detail != NULL && detail_len > 0 && detail[detail_len - 1] == '\0') detail_len--;
    char *d = detail ? cli_redact(detail, detail_len) : NULL;
    char *m = cli_redact(msg, strlen(msg));
    const char *ms = m ? m : "";
    const char *ds = d ? d : "";
    /* connect, TLS version, cipher, certificate: curl's "* " lines */
    bool is_note = level < SFO_CLI_LOG_DEBUG;
    if (is_note) {
        /* printed below */
    } else if (strncmp(ms, "http <", 6) == 0) {
        g_dir = '<';
        cli_fprintf(stderr, "< %s%s\n", ds, ms[6] ? ms + 6 : "");
    } else if (strncmp(ms, "http >", 6) == 0) {
        g_dir = '>';
        cli_fprintf(stderr, ">%s %s\n", ms + 6, ds);
    } else if (is_method(ms)) {
        g_dir = '>';
        cli_fprintf(stderr, "> %s %s HTTP/1.1\n", ms, ds);
    } else if (d != NULL && strchr(ms, ' ') == NULL) {
        cli_fprintf(stderr, "%c %s: %s\n", g_dir, ms, ds);
    } else {
        is_note = true;
    }
    if (is_note) {
        cli_fprintf(stderr, "* %s%s%s\n", ms, d ? " " : "", ds);
    }
    if (d) {
        sfo_wipe(d, strlen(d));
        free(d);
    }
    free(m);
}

void cli_tracef(const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    if (cli_verbose <= 0) {
        return;
    }
    va_start(ap, fmt);
    cli_vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cli_trace_log(NULL, 1, line, NULL, 0);
    sfo_wipe(line, sizeof line);
}
