/*
 * A person approves in a browser: login (authorize URL, loopback receiver or
 * pasted callback URL) and code (a code obtained elsewhere).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>

#include "cmd.h"
#include "sfoauth_loopback.h"

/* Run `--browser CMD URL` without a shell interpreting the URL. */
static void open_browser(const char *cmd, const char *url)
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 0);
        if (devnull >= 0) dup2(devnull, 0);
        execl("/bin/sh", "sh", "-c", "exec $0 \"$1\" >&2", cmd, url, (char *)NULL);
        _exit(127);
    }
}

/* Milliseconds a person has to answer: --wait, within --max-time. */
static int person_wait_ms(const struct run *r)
{
    int w = r->o->wait_s, left = cli_time_left_s(r);
    return (left < w ? left : w) * 1000;
}

/*
 * A secret value from FILE (cli_secret_read) or "-": one line typed or pasted
 * on stdin, read within the wait limit (a terminal's Enter ends it). what names
 * the option in messages. Returns 0 with *out registered, or an exit code.
 */
static int read_input(const struct run *r, const char *path, const char *what, char **out)
{
    const char *err = NULL;
    if (strcmp(path, "-") == 0) {
        int wait_ms = person_wait_ms(r);
        int rc = cli_read_line(0, 0, wait_ms, out, NULL);
        if (rc == CLI_LINE_TIMEOUT)
            return cli_errorf(EXIT_INPUT, "%s -: no line on stdin within %d s (--wait)", what,
                              wait_ms / 1000);
        if (rc != CLI_LINE_OK)
            return cli_errorf(EXIT_INPUT, "%s -: %s", what, cli_line_strerror(rc));
        if ((*out)[0] == '\0') return cli_errorf(EXIT_INPUT, "%s -: empty line", what);
        return 0;
    }
    *out = cli_secret_read(path, NULL, &err);
    if (*out == NULL) return cli_errorf(EXIT_INPUT, "%s %s: %s", what, path, err ? err : "empty");
    return 0;
}

/* Extract the code from a callback URL without state check (the `code` command). */
static int code_from_callback(const char *cb, char *code, size_t cap, struct sfo_oauth_error *e)
{
    const char *q = cb;
    size_t qn = strlen(cb);
    struct sfo_url u;
    int rc;
    if (strncasecmp(cb, "http", 4) == 0) {
        if ((rc = sfo_url_parse(cb, qn, &u)) != SFO_OK) return rc;
        q = u.query ? u.query : "";
        qn = u.query_len;
    } else if (q[0] == '?') {
        q++;
        qn--;
    }
    rc = sfo_query_get(q, qn, "code", code, cap, NULL);
    if (rc == SFO_E_NOT_FOUND) {
        if (sfo_query_get(q, qn, "error", e->error, sizeof e->error, NULL) == SFO_OK) {
            (void)sfo_query_get(q, qn, "error_description", e->error_description,
                                sizeof e->error_description, NULL);
            return SFO_E_OAUTH;
        }
        return SFO_E_CALLBACK;
    }
    return rc;
}

/* Listen on the loopback redirect URI; a port in use is named. */
static int open_receiver(const char *redirect, struct sfo_loopback **out)
{
    struct sfo_loopback *lb = cli_secret_alloc(sizeof *lb);
    int rc = sfo_loopback_open(lb, redirect);
    if (rc == SFO_E_ARG)
        return usage_error("--redirect-uri %s: the loopback receiver needs "
                           "http://localhost:PORT/PATH (or 127.0.0.1, [::1]); use --paste "
                           "for other callback URLs",
                           redirect);
    if (rc == SFO_E_IO) {
        struct sfo_url u;
        unsigned port = sfo_url_parse(redirect, strlen(redirect), &u) == SFO_OK ? u.port : 0;
        return cli_errorf(EXIT_INPUT,
                          "login: cannot listen on port %u of --redirect-uri %s "
                          "(%s): another program uses it; stop it, or use --paste, or a "
                          "--redirect-uri with another port that the connected app lists",
                          port, redirect, sfo_errname(rc));
    }
    if (rc != SFO_OK) return cli_fail("loopback receiver", rc, NULL, NULL, "code");
    cli_tracef("listening for the redirect to %s", redirect);
    *out = lb;
    return 0;
}

/* Print the authorize URL and what to do next; run --browser. */
static int show_authorize(struct run *r, const char *redirect, struct sfo_authz *az)
{
    struct opts *o = r->o;
    char *url = cli_secret_alloc(4096);
    struct sfo_authz_params p;
    memset(&p, 0, sizeof p);
    p.redirect_uri = redirect;
    p.scope = o->scope;
    p.prompt = o->prompt;
    p.login_hint = o->username;
    p.pkce = !o->no_pkce;
    int rc = sfo_authorize_url(&r->cl, &p, az, url, 4096, NULL);
    if (rc != SFO_OK) return cli_fail("authorize URL", rc, NULL, NULL, "code");
    cli_fprintf(stderr, "Open this URL in a browser and approve access:\n\n%s\n\n", url);
    if (o->paste) {
        cli_fprintf(stderr,
                    "Then paste the whole URL the browser was sent to (address bar) and "
                    "press Enter (within %d s):\n",
                    person_wait_ms(r) / 1000);
    } else {
        cli_fprintf(stderr, "Waiting up to %d s for the redirect to %s...\n",
                    person_wait_ms(r) / 1000, redirect);
    }
    fflush(stderr);
    if (o->browser != NULL) open_browser(o->browser, url);
    return 0;
}

/* The callback URL: pasted (one line) or caught by the receiver. */
static int get_callback(struct run *r, struct sfo_loopback *lb, char **cb)
{
    if (lb == NULL) return read_input(r, "-", "--paste", cb);
    *cb = cli_secret_alloc(SFO_LOOPBACK_REQ_MAX);
    int wait_ms = person_wait_ms(r);
    int rc = sfo_loopback_wait(lb, (uint32_t)wait_ms, *cb, SFO_LOOPBACK_REQ_MAX, NULL);
    sfo_loopback_close(lb);
    if (rc == SFO_E_DEADLINE || rc == SFO_E_TIMEOUT)
        return cli_errorf(EXIT_NETWORK, "login: no redirect within %d s (--wait) (%s)",
                          wait_ms / 1000, sfo_errname(rc));
    if (rc != SFO_OK) return cli_fail("waiting for the browser's redirect", rc, NULL, NULL, "code");
    return 0;
}

/* login: authorize URL, callback (loopback or pasted line), state check, exchange. */
int do_login(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    const char *redirect = o->redirect_uri ? o->redirect_uri : DEFAULT_REDIRECT;
    struct sfo_loopback *lb = NULL;
    if (!o->paste && (rc = open_receiver(redirect, &lb)) != 0) return rc;
    struct sfo_authz *az = cli_secret_alloc(sizeof *az);
    char *cb = NULL;
    if ((rc = show_authorize(r, redirect, az)) != 0) return rc;
    if ((rc = get_callback(r, lb, &cb)) != 0) return rc;
    char *code = cli_secret_alloc(2048);
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_callback_parse(cb, strlen(cb), az, code, 2048, &e);
    if (rc != SFO_OK) return cli_fail("callback URL", rc, e.error, e.error_description, "code");
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_code_exchange(cli_cl(r), code, redirect, az, st);
    sfo_wipe(az, sizeof *az);
    if (rc != SFO_OK) return cli_token_fail(r, "code exchange", rc, &st->err, "code", NULL);
    return cli_take_token(r, st, t);
}

/* --code-verifier FILE|-: the PKCE verifier (RFC 7636 grammar) into az. */
static int read_verifier(const struct run *r, struct sfo_authz *az)
{
    char *v;
    int rc = read_input(r, r->o->code_verifier, "--code-verifier", &v);
    if (rc != 0) return rc;
    size_t n = strlen(v);
    if (n < 43 || n > 128 ||
        strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-._~") != n)
        return cli_errorf(EXIT_INPUT, "--code-verifier: not a PKCE verifier (43 to 128 of "
                                      "A-Z a-z 0-9 - . _ ~)");
    if (n > SFO_VERIFIER_LEN)
        return cli_errorf(EXIT_INPUT,
                          "--code-verifier: %zu characters; sfoauth carries "
                          "verifiers of %u (SFO_VERIFIER_LEN)",
                          n, SFO_VERIFIER_LEN);
    memcpy(az->verifier, v, n + 1);
    return 0;
}

/* The code of the `code` command: from the callback URL, or as given. */
static int read_code(const struct run *r, char *code, size_t cap)
{
    const struct opts *o = r->o;
    char *in;
    int rc;
    if (o->callback_url != NULL) {
        if ((rc = read_input(r, o->callback_url, "--callback-url", &in)) != 0) return rc;
        struct sfo_oauth_error e;
        memset(&e, 0, sizeof e);
        rc = code_from_callback(in, code, cap, &e);
        if (rc == SFO_E_TOO_LONG) return cli_errorf(EXIT_INPUT, "callback URL: code too long");
        if (rc != SFO_OK) return cli_fail("callback URL", rc, e.error, e.error_description, "code");
        return 0;
    }
    if (o->code_file == NULL)
        return usage_error("code needs --callback-url FILE|-, --code - or --code-file FILE");
    if ((rc = read_input(r, o->code_file, strcmp(o->code_file, "-") ? "--code-file" : "--code",
                         &in)) != 0)
        return rc;
    /* a code copied out of a URL may still be percent-encoded (...%3D%3D) */
    if (strchr(in, '%') != NULL) {
        rc = sfo_pct_decode(in, strlen(in), SFO_PCT_PATH, code, cap, NULL);
        if (rc == SFO_E_TOO_LONG) return cli_errorf(EXIT_INPUT, "code too long");
        if (rc != SFO_OK) return cli_fail("code", rc, NULL, NULL, "code");
    } else if (strlen(in) < cap) {
        memcpy(code, in, strlen(in) + 1);
    } else {
        return cli_errorf(EXIT_INPUT, "code too long");
    }
    return 0;
}

/* code: exchange a code obtained elsewhere (with its PKCE verifier when given). */
int do_code(struct run *r, struct cli_token *t)
{
    const char *redirect = r->o->redirect_uri ? r->o->redirect_uri : DEFAULT_REDIRECT;
    char *code = cli_secret_alloc(2048);
    struct sfo_authz *az = NULL;
    int rc = read_code(r, code, 2048);
    if (rc != 0) return rc;
    if (r->o->code_verifier != NULL) {
        az = cli_secret_alloc(sizeof *az);
        if ((rc = read_verifier(r, az)) != 0) return rc;
    }
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_code_exchange(cli_cl(r), code, redirect, az, st);
    if (rc != SFO_OK) return cli_token_fail(r, "code exchange", rc, &st->err, "code", NULL);
    return cli_take_token(r, st, t);
}
