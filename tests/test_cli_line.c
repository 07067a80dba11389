/*
 * cli_read_line: one line typed or pasted by a person, read from a pipe and
 * from a pseudo-terminal; CR/LF removed, nothing after the line consumed,
 * distinct results for end of input, deadline and over-long lines (never cut),
 * the buffer registered for wiping. The CLI's secret.c is compiled in. And
 * through the binary: `sfoauth login --paste` on a terminal takes the pasted
 * callback URL at Enter, with no end of file.
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../cli/fmt.c"

/* Fault injection for secret.c's allocations (the redaction's out-of-memory path). */
static bool g_fail_alloc;
static void *t_malloc(size_t n)
{
    return g_fail_alloc ? NULL : malloc(n);
}
#define malloc t_malloc
#include "../cli/secret.c"
#undef malloc
#include "clirun.h"

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pipe holding text; the write end closed when close_w. Returns the read end. */
static int pipe_with(const char *text, size_t n, bool close_w, int *wfd)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    if (n > 0) assert_int_equal(write(p[1], text, n), (ssize_t)n);
    if (close_w) {
        close(p[1]);
        p[1] = -1;
    }
    if (wfd) *wfd = p[1];
    return p[0];
}

static void expect_line(int fd, const char *want)
{
    char *s = NULL;
    size_t n = 99;
    assert_int_equal(cli_read_line(fd, 0, 2000, &s, &n), CLI_LINE_OK);
    assert_non_null(s);
    assert_string_equal(s, want);
    assert_int_equal(n, strlen(want));
    cli_secret_drop(s);
    free(s);
}

static void pipe_lines(void **state)
{
    (void)state;
    static const char in[] = "https://x.example/cb?code=aPrx%3D%3D\r\nsecond\n\nlast";
    int fd = pipe_with(in, sizeof in - 1, true, NULL);
    expect_line(fd, "https://x.example/cb?code=aPrx%3D%3D");
    expect_line(fd, "second"); /* the first read took nothing after its line */
    expect_line(fd, "");       /* an empty line is a line; the caller judges it */
    expect_line(fd, "last");   /* end of input ends the last line */
    char *s = (char *)1;
    assert_int_equal(cli_read_line(fd, 0, 2000, &s, NULL), CLI_LINE_EOF);
    assert_null(s);
    close(fd);
}

static void too_long_never_cut(void **state)
{
    (void)state;
    char *s = NULL;
    /* exactly max bytes (with CRLF) is fine, one more is refused */
    int fd = pipe_with("abcd\r\n", 6, true, NULL);
    assert_int_equal(cli_read_line(fd, 4, 2000, &s, NULL), CLI_LINE_OK);
    assert_string_equal(s, "abcd");
    cli_secret_drop(s);
    free(s);
    close(fd);
    fd = pipe_with("abcde\n", 6, true, NULL);
    assert_int_equal(cli_read_line(fd, 4, 2000, &s, NULL), CLI_LINE_TOO_LONG);
    assert_null(s);
    close(fd);
    fd = pipe_with("abcd\rx\n", 7, true, NULL);
    assert_int_equal(cli_read_line(fd, 4, 2000, &s, NULL), CLI_LINE_TOO_LONG);
    close(fd);
    /* the default limit */
    size_t big = CLI_LINE_MAX + 1;
    char *txt = malloc(big + 1);
    memset(txt, 'a', big);
    txt[big] = '\n';
    int w;
    fd = pipe_with("", 0, false, &w);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd);
        ssize_t r = write(w, txt, big + 1);
        _exit(r == (ssize_t)big + 1 ? 0 : 1);
    }
    close(w);
    assert_int_equal(cli_read_line(fd, 0, 5000, &s, NULL), CLI_LINE_TOO_LONG);
    close(fd);
    waitpid(pid, NULL, 0);
    /* max bytes exactly under the default limit */
    fd = pipe_with("", 0, false, &w);
    txt[CLI_LINE_MAX] = '\n';
    pid = fork();
    if (pid == 0) {
        close(fd);
        ssize_t r = write(w, txt, CLI_LINE_MAX + 1);
        _exit(r == (ssize_t)CLI_LINE_MAX + 1 ? 0 : 1);
    }
    close(w);
    size_t n = 0;
    assert_int_equal(cli_read_line(fd, 0, 5000, &s, &n), CLI_LINE_OK);
    assert_int_equal(n, CLI_LINE_MAX);
    cli_secret_drop(s);
    free(s);
    close(fd);
    waitpid(pid, NULL, 0);
    free(txt);
}

static void deadline(void **state)
{
    (void)state;
    int w;
    /* a writer that never finishes its line: a prompt timeout, not a hang */
    int fd = pipe_with("partial", 7, false, &w);
    char *s = (char *)1;
    long t0 = now_ms();
    assert_int_equal(cli_read_line(fd, 0, 300, &s, NULL), CLI_LINE_TIMEOUT);
    long took = now_ms() - t0;
    assert_null(s);
    assert_true(took >= 250 && took < 5000);
    /* zero: only what is already there */
    assert_int_equal(cli_read_line(fd, 0, 0, &s, NULL), CLI_LINE_TIMEOUT);
    close(w);
    close(fd);
    assert_string_equal(cli_line_strerror(CLI_LINE_TIMEOUT),
                        "no complete line within the time allowed");
    assert_string_not_equal(cli_line_strerror(CLI_LINE_EOF), cli_line_strerror(CLI_LINE_TOO_LONG));
}

/* A pseudo-terminal in its default (canonical) mode: what a person pasting into
 * a terminal produces. Returns the master; *slave the terminal side. */
static int pty_open(int *slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    *slave = open(ptsname(m), O_RDWR | O_NOCTTY);
    assert_true(*slave >= 0);
    return m;
}

static void terminal_enter(void **state)
{
    (void)state;
    int sl;
    int m = pty_open(&sl);
    /* paste the URL and press Enter (the terminal sends CR, turned into LF) */
    static const char typed[] = "https://login.example/cb?code=aPrx%3D%3D&state=s1\r";
    assert_int_equal(write(m, typed, sizeof typed - 1), (ssize_t)sizeof typed - 1);
    char *s = NULL;
    long t0 = now_ms();
    assert_int_equal(cli_read_line(sl, 0, 5000, &s, NULL), CLI_LINE_OK);
    assert_true(now_ms() - t0 < 4000); /* Enter was enough: no end of file needed */
    assert_string_equal(s, "https://login.example/cb?code=aPrx%3D%3D&state=s1");
    cli_secret_drop(s);
    free(s);
    /* nothing typed: the deadline */
    assert_int_equal(cli_read_line(sl, 0, 200, &s, NULL), CLI_LINE_TIMEOUT);
    /* Ctrl-D on an empty line: end of input */
    assert_int_equal(write(m, "\x04", 1), 1);
    assert_int_equal(cli_read_line(sl, 0, 2000, &s, NULL), CLI_LINE_EOF);
    close(sl);
    close(m);
}

static void buffer_is_wiped(void **state)
{
    (void)state;
    int fd = pipe_with("s3cr3t-code\n", 12, true, NULL);
    char *s = NULL;
    assert_int_equal(cli_read_line(fd, 0, 2000, &s, NULL), CLI_LINE_OK);
    close(fd);
    /* registered: redacted from traces and wiped at exit */
    char *r = cli_redact("code s3cr3t-code here", 21);
    assert_non_null(r);
    assert_null(strstr(r, "s3cr3t"));
    free(r);
    cli_secret_wipe_all();
    for (size_t i = 0; i < 12; i++) assert_int_equal(s[i], 0);
    free(s);
    /* a failed read keeps nothing */
    size_t before = g_nsecrets;
    fd = pipe_with("", 0, true, NULL);
    assert_int_equal(cli_read_line(fd, 0, 2000, &s, NULL), CLI_LINE_EOF);
    assert_int_equal(g_nsecrets, before);
    close(fd);
}

/* Wait (up to 20 s) until file holds text; returns its contents (free()). */
static char *wait_for(const char *file, const char *text)
{
    for (int i = 0; i < 200; i++) {
        char *s = t_read_file(file, NULL);
        if (s != NULL && strstr(s, text) != NULL) return s;
        free(s);
        usleep(100000);
    }
    return NULL;
}

/* The exit status of pid within 30 s, or -1 (then it is killed). */
static int wait_exit(pid_t pid)
{
    for (int i = 0; i < 300; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void login_paste_on_terminal(void **state)
{
    (void)state;
    struct t_cli c;
    assert_int_equal(t_cli_up(&c, "line-test", false), 0);
    if (!c.have_server) {
        t_cli_down(&c);
        skip();
    }
    int sl;
    int m = pty_open(&sl);
    char *out = strdup(t_path("%s/login.out", c.tmp));
    char *err = strdup(t_path("%s/login.err", c.tmp));
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(sl, 0);
        dup2(o, 1);
        dup2(e, 2);
        close(m);
        execl(c.bin, "sfoauth", "login", "--paste", "--cacert", c.ca, "--client-secret-file",
              c.secret, (char *)NULL);
        _exit(127);
    }
    close(sl);
    char *said = wait_for(err, "press Enter");
    assert_non_null(said);
    /* the browser's part: the test server approves and redirects at once */
    char *url = strstr(said, "https://");
    assert_non_null(url);
    url[strcspn(url, "\n")] = '\0';
    assert_int_equal(t_cli_sh(&c,
                              "curl -s -o /dev/null -w '%%{redirect_url}' --cacert \"$CA\" "
                              "'%s'",
                              url),
                     0);
    assert_non_null(strstr(c.out, "code="));
    /* paste it and press Enter; the terminal stays open */
    assert_true(write(m, c.out, strlen(c.out)) > 0);
    assert_int_equal(write(m, "\r", 1), 1);
    int rc = wait_exit(pid);
    char *got = t_read_file(out, NULL);
    if (rc != 0) fprintf(stderr, "exit %d\n%s\n", rc, t_read_file(err, NULL));
    assert_int_equal(rc, 0);
    assert_non_null(strstr(got, "\"access_token\": "));
    free(got);
    free(said);
    free(out);
    free(err);
    close(m);
    t_cli_down(&c);
}

/* What is redacted besides registered values: credential headers (scheme word
 * kept), secret form parameters and JSON members; other text is untouched. */
static void redaction_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } v[] = {
        { "Authorization: Bearer 00Dxx!abc\r\nHost: h\r\n",
          "Authorization: Bearer [REDACTED]\r\nHost: h\r\n" },
        { "GET / HTTP/1.1\ncookie: sid=1; x=2\n", "GET / HTTP/1.1\ncookie: [REDACTED]\n" },
        { "Set-Cookie: BrowserId=q1; Path=/\r\n", "Set-Cookie: [REDACTED]\r\n" },
        { "Proxy-Authorization: Basic dXNlcjpw\r\n", "Proxy-Authorization: Basic [REDACTED]\r\n" },
        { "grant_type=refresh_token&refresh_token=5Aep&client_id=c",
          "grant_type=refresh_token&refresh_token=[REDACTED]&client_id=c" },
        { "?code=aPrx%3D%3D&state=s", "?code=[REDACTED]&state=s" },
        { "{\"access_token\": \"00D!x\\\"y\", \"scope\":\"api\"}",
          "{\"access_token\": \"[REDACTED]\", \"scope\":\"api\"}" },
        { "{\"token_type\":\"Bearer\",\"expires_in\":3600}",
          "{\"token_type\":\"Bearer\",\"expires_in\":3600}" },
        { "barcode=1&xcode=2", "barcode=1&xcode=2" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *r = cli_redact(v[i].in, strlen(v[i].in));
        assert_non_null(r);
        assert_string_equal(r, v[i].out);
        free(r);
    }
}

/* Out of memory while redacting: the value is overwritten in place, never kept. */
static void redaction_without_memory(void **state)
{
    (void)state;
    char *b = strdup("code=aPrx&state=s");
    size_t n = strlen(b);
    assert_non_null(b);
    g_fail_alloc = true;
    b = splice(b, &n, 5, 9);
    g_fail_alloc = false;
    assert_int_equal(n, strlen("code=****&state=s"));
    assert_string_equal(b, "code=****&state=s");
    b = splice(b, &n, 5, 9);
    assert_string_equal(b, "code=[REDACTED]&state=s");
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipe_lines),      cmocka_unit_test(too_long_never_cut),
        cmocka_unit_test(deadline),        cmocka_unit_test(terminal_enter),
        cmocka_unit_test(buffer_is_wiped), cmocka_unit_test(login_paste_on_terminal),
        cmocka_unit_test(redaction_forms), cmocka_unit_test(redaction_without_memory),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cli_secret_wipe_all();
    free(g_secrets);
    return rc;
}
