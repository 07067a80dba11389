/* Test support: see testenv.h. */
#include "testenv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : dflt;
}

const char *t_root(void)
{
    return env_or("SFO_ROOT", ".");
}
const char *t_build(void)
{
    return env_or("SFO_BUILD", "build");
}
const char *t_python(void)
{
    return env_or("SFO_PYTHON", "/usr/bin/python3");
}

const char *t_shared(void)
{
    static char buf[4096];
    const char *v = getenv("SFO_SHARED");
    if (v != NULL && v[0] != '\0') return v;
    snprintf(buf, sizeof buf, "%s/../shared", t_root());
    return buf;
}

const char *t_path(const char *fmt, ...)
{
    static char bufs[8][4096];
    static unsigned next;
    char *b = bufs[next++ % 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof bufs[0], fmt, ap);
    va_end(ap);
    return b;
}

char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (f == NULL) return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

const char *t_sfoauth_bin(void)
{
    static char bin[4096];
    if (bin[0] == '\0') {
        char cwd[2048];
        if (t_build()[0] == '/' || getcwd(cwd, sizeof cwd) == NULL) {
            snprintf(bin, sizeof bin, "%s/sfoauth", t_build());
        } else {
            snprintf(bin, sizeof bin, "%s/%s/sfoauth", cwd, t_build());
        }
    }
    return bin;
}

int t_write_file(const char *path, const char *text, unsigned mode)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return -1;
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    bad |= chmod(path, (mode_t)mode) != 0;
    return bad ? -1 : 0;
}

const char *t_pki(void)
{
    static char dir[4096];
    if (dir[0] == '\0') {
        char cmd[8192];
        snprintf(dir, sizeof dir, "%s/pki", t_build());
        snprintf(cmd, sizeof cmd, "sh '%s/tests/support/pki.sh' '%s'", t_root(), dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "test PKI could not be made: %s\n", cmd);
            abort();
        }
    }
    return dir;
}

int t_server_start(struct t_server *s, char *const argv[])
{
    int pfd[2];
    memset(s, 0, sizeof *s);
    s->pid = -1;
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    s->pid = pid;
    s->out_fd = pfd[0];
    /* read lines until "PORT n" */
    char line[512];
    size_t ln = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left = 20000 - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) break;
        struct pollfd p = { .fd = s->out_fd, .events = POLLIN };
        if (poll(&p, 1, (int)left) <= 0) continue;
        char c;
        ssize_t r = read(s->out_fd, &c, 1);
        if (r <= 0) break;
        if (c == '\n') {
            line[ln] = '\0';
            if (sscanf(line, "PORT %d", &s->port) == 1 && s->port > 0) {
                /* leave the pipe open: later output is drained by the kernel buffer */
                return 0;
            }
            fprintf(stderr, "[server] %s\n", line);
            ln = 0;
        } else if (ln + 1 < sizeof line) {
            line[ln++] = c;
        }
    }
    fprintf(stderr, "server %s did not report its port\n", argv[0]);
    t_server_stop(s);
    return -1;
}

void t_server_stop(struct t_server *s)
{
    if (s->pid > 0) {
        kill(-s->pid, SIGTERM);
        kill(s->pid, SIGTERM);
        for (int i = 0; i < 300; i++) {
            int st;
            pid_t r = waitpid(s->pid, &st, WNOHANG);
            if (r == s->pid || (r < 0 && errno != EINTR)) {
                s->pid = -1;
                break;
            }
            usleep(10000);
        }
        if (s->pid > 0) {
            kill(-s->pid, SIGKILL);
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            s->pid = -1;
        }
    }
    if (s->out_fd > 0) {
        close(s->out_fd);
        s->out_fd = 0;
    }
}
