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

static int read_line_stdin(char **out)
{
    const char *err;
    *out = cli_secret_read("-", NULL, &err);
    if (*out == NULL) return cli_errorf(EXIT_INPUT, "stdin: %s", err ? err : "nothing read");
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

int do_login(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    const char *redirect = o->redirect_uri ? o->redirect_uri : DEFAULT_REDIRECT;
    struct sfo_loopback *lb = NULL;
    if (!o->paste) {
        lb = calloc(1, sizeof *lb);
        if (lb == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
        rc = sfo_loopback_open(lb, redirect);
        if (rc == SFO_E_ARG)
            return usage_error("--redirect-uri %s: the loopback receiver needs "
                               "http://localhost:PORT/PATH (or 127.0.0.1, [::1]); use --paste "
                               "for other callback URLs", redirect);
        if (rc != SFO_OK) return cli_fail("loopback receiver", rc, NULL, NULL, "code");
        cli_tracef("listening for the redirect to %s", redirect);
    }
    struct sfo_authz *az = calloc(1, sizeof *az);
    char *url = malloc(4096);
    if (az == NULL || url == NULL) {
        free(az);
        free(url);
        return cli_errorf(EXIT_INTERNAL, "out of memory");
    }
    cli_secret_keep(az, sizeof *az);
    struct sfo_authz_params p;
    memset(&p, 0, sizeof p);
    p.redirect_uri = redirect;
    p.scope = o->scope;
    p.prompt = o->prompt;
    p.login_hint = o->username;
    p.pkce = !o->no_pkce;
    rc = sfo_authorize_url(&r->cl, &p, az, url, 4096, NULL);
    if (rc != SFO_OK) return cli_fail("authorize URL", rc, NULL, NULL, "code");
    fprintf(stderr, "Open this URL in a browser and approve access:\n\n%s\n\n", url);
    if (o->paste) {
        fputs("Then paste the whole URL the browser was sent to (address bar) and press "
              "Enter:\n", stderr);
    } else {
        fprintf(stderr, "Waiting for the redirect to %s (up to %d s)...\n", redirect, o->wait_s);
    }
    fflush(stderr);
    if (o->browser != NULL) open_browser(o->browser, url);
    free(url);

    char *cb = NULL;
    if (o->paste) {
        if ((rc = read_line_stdin(&cb)) != 0) return rc;
    } else {
        cb = malloc(SFO_LOOPBACK_REQ_MAX);
        if (cb == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
        cli_secret_keep(cb, SFO_LOOPBACK_REQ_MAX);
        rc = sfo_loopback_wait(lb, (uint32_t)o->wait_s * 1000u, cb, SFO_LOOPBACK_REQ_MAX, NULL);
        sfo_loopback_close(lb);
        free(lb);
        if (rc != SFO_OK) return cli_fail("waiting for the browser's redirect", rc, NULL, NULL,
                                          "code");
    }
    char *code = malloc(2048);
    if (code == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(code, 2048);
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_callback_parse(cb, strlen(cb), az, code, 2048, &e);
    if (rc != SFO_OK) {
        return cli_fail("callback URL", rc, e.error, e.error_description, "code");
    }
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_code_exchange(&r->cl, code, redirect, az, st);
    sfo_wipe(az, sizeof *az);
    if (rc != SFO_OK) return cli_token_fail(r, "code exchange", rc, &st->err, "code", NULL);
    cli_take_token(r, st, t);
    return 0;
}

int do_code(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    const char *redirect = o->redirect_uri ? o->redirect_uri : DEFAULT_REDIRECT;
    char *code = malloc(2048);
    if (code == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(code, 2048);
    const char *err;
    if (o->callback_url != NULL) {
        char *cb = cli_secret_read(o->callback_url, NULL, &err);
        if (cb == NULL) return cli_errorf(EXIT_INPUT, "--callback-url %s: %s", o->callback_url,
                                          err ? err : "empty");
        struct sfo_oauth_error e;
        memset(&e, 0, sizeof e);
        rc = code_from_callback(cb, code, 2048, &e);
        if (rc != SFO_OK) return cli_fail("callback URL", rc, e.error, e.error_description, "code");
    } else if (o->code_file != NULL) {
        char *c = cli_secret_read(o->code_file, NULL, &err);
        if (c == NULL) return cli_errorf(EXIT_INPUT, "code %s: %s", o->code_file,
                                         err ? err : "empty");
        /* a code copied out of a URL may still be percent-encoded (...%3D%3D) */
        if (strchr(c, '%') != NULL) {
            rc = sfo_pct_decode(c, strlen(c), SFO_PCT_PATH, code, 2048, NULL);
            if (rc != SFO_OK) return cli_fail("code", rc, NULL, NULL, "code");
        } else if (strlen(c) < 2048) {
            memcpy(code, c, strlen(c) + 1);
        } else {
            return cli_errorf(EXIT_INPUT, "code too long");
        }
    } else {
        return usage_error("code needs --callback-url FILE|-, --code - or --code-file FILE");
    }
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_code_exchange(&r->cl, code, redirect, NULL, st);
    if (rc != SFO_OK) return cli_token_fail(r, "code exchange", rc, &st->err, "code", NULL);
    cli_take_token(r, st, t);
    return 0;
}
