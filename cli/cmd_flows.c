/*
 * Token commands: jwt, refresh, client-credentials, password, device, and
 * token (cache, else refresh, else a flow).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"

/* Seconds to wait for the cache lock: s, within --max-time. */
static int lock_wait(const struct run *r, int s)
{
    int left = cli_time_left_s(r);
    return left < s ? (left > 0 ? left : 1) : s;
}

/* JWT bearer grant: --username, --key; the token into t. 0 or an exit code. */
int do_jwt(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    if ((rc = cli_need(o->username, "--username (or SFOAUTH_USERNAME)"))) return rc;
    if ((rc = cli_need(o->key_file, "--key FILE (or SFOAUTH_KEY_FILE)"))) return rc;
    size_t klen = 0;
    char kwhy[512];
    char *key = cli_key_read(o->key_file, &klen, kwhy, sizeof kwhy);
    if (key == NULL) return cli_errorf(EXIT_INPUT, "--key %s: %s", o->key_file, kwhy);
    cli_secret_keep(key, klen + 1);
    struct sfo_jwt j;
    memset(&j, 0, sizeof j);
    j.username = o->username;
    j.key = (const uint8_t *)key;
    j.key_len = klen;
    j.audience = o->audience;
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_jwt_bearer(cli_cl(r), &j, st);
    cli_secret_drop(key);
    free(key);
    if (rc != SFO_OK) {
        if (rc == SFO_E_KEY || rc == SFO_E_KEY_TYPE) {
            return cli_fail(o->key_file, rc, NULL, NULL, "jwt");
        }
        return cli_token_fail(r, "jwt bearer grant", rc, &st->err, "jwt", NULL);
    }
    return cli_take_token(r, st, t);
}

/* Refresh grant with refresh; the token into t. 0 or an exit code. */
int do_refresh(struct run *r, const char *refresh, struct cli_token *t)
{
    struct sfo_token *st = cli_new_sfo_token();
    size_t n = strlen(refresh);
    if (n >= sizeof st->refresh_token) {
        return cli_errorf(EXIT_INPUT, "refresh token longer than %u bytes",
                          (unsigned)sizeof st->refresh_token - 1);
    }
    memcpy(st->refresh_token, refresh, n + 1);
    int rc = sfo_refresh(cli_cl(r), st);
    if (rc != SFO_OK) return cli_token_fail(r, "refresh grant", rc, &st->err, "refresh", NULL);
    return cli_take_token(r, st, t);
}

/* Client credentials grant (a client secret is required). 0 or an exit code. */
int do_client_credentials(struct run *r, struct cli_token *t)
{
    if (r->secret == NULL) {
        return usage_error("client-credentials needs --client-secret-file FILE|- or "
                           "SFOAUTH_CLIENT_SECRET");
    }
    struct sfo_token *st = cli_new_sfo_token();
    int rc = sfo_client_credentials(cli_cl(r), r->o->scope, st);
    if (rc != SFO_OK)
        return cli_token_fail(r, "client credentials grant", rc, &st->err, "client", NULL);
    return cli_take_token(r, st, t);
}

/* Username-password grant, with a deprecation warning. 0 or an exit code. */
int do_password(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    if ((rc = cli_need(o->username, "--username (or SFOAUTH_USERNAME)"))) return rc;
    const char *err;
    char *pw = cli_secret_read(o->password_file, "SFOAUTH_PASSWORD", &err);
    if (pw == NULL) {
        if (err != NULL) return cli_errorf(EXIT_INPUT, "password: %s", err);
        return usage_error("password needs --password-file FILE|- or SFOAUTH_PASSWORD");
    }
    fputs("sfoauth: warning: the username-password flow is deprecated by Salesforce and "
          "blocked by default in new orgs; prefer jwt, login or client-credentials\n",
          stderr);
    r->cl.allow_password = true;
    struct sfo_token *st = cli_new_sfo_token();
    rc = sfo_password_grant(cli_cl(r), o->username, pw, strlen(pw), st);
    cli_secret_drop(pw);
    free(pw);
    if (rc != SFO_OK) return cli_token_fail(r, "password grant", rc, &st->err, "password", NULL);
    return cli_take_token(r, st, t);
}

/* Show the user code and where to enter it (server text: control bytes escaped). */
static void device_prompt(const struct sfo_device *d, int wait_s)
{
    fputs("To sign in, open ", stderr);
    cli_put_safe(stderr, d->verification_uri);
    fputs(" and enter the code ", stderr);
    cli_put_safe(stderr, d->user_code);
    fputc('\n', stderr);
    if (d->verification_uri_complete[0] != '\0') {
        fputs("or open ", stderr);
        cli_put_safe(stderr, d->verification_uri_complete);
        fputc('\n', stderr);
    }
    if (d->expires_in > 0)
        cli_fprintf(stderr,
                    "The code expires in %lld s; waiting up to %d s (polling every %u s)...\n",
                    (long long)d->expires_in, wait_s, (unsigned)d->interval_s);
    else
        cli_fprintf(stderr, "Waiting up to %d s for approval (polling every %u s)...\n", wait_s,
                    (unsigned)d->interval_s);
    fflush(stderr);
}

/* Device flow: start, prompt, poll within expires_in / --wait / --max-time. */
int do_device(struct run *r, struct cli_token *t)
{
    struct sfo_device *d = calloc(1, sizeof *d);
    if (d == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(d, sizeof *d);
    int rc = sfo_device_start(cli_cl(r), r->o->scope, d);
    if (rc != SFO_OK) return cli_token_fail(r, "device authorization", rc, &d->err, "device", NULL);
    /* the server's expiry of the code, --wait and --max-time: the shortest */
    int wait_s = r->o->wait_s, left = cli_time_left_s(r);
    if (d->expires_in > 0 && d->expires_in < wait_s) wait_s = (int)d->expires_in;
    if (left < wait_s) wait_s = left;
    if (wait_s <= 0) return cli_errorf(EXIT_NETWORK, "device flow: no time left (--max-time)");
    device_prompt(d, wait_s);
    struct sfo_token *st = cli_new_sfo_token();
    cli_net_countdown(r->port.mono_ms(r->port.ctx) + (int64_t)wait_s * 1000);
    rc = sfo_device_poll(cli_cl(r), d, (uint32_t)wait_s, st);
    cli_net_countdown(0);
    if (rc == SFO_E_DEADLINE)
        return cli_errorf(EXIT_NETWORK,
                          "device flow: not approved within %d s (%s): run "
                          "device again for a new code",
                          wait_s, sfo_errname(rc));
    if (rc != SFO_OK) return cli_token_fail(r, "device flow", rc, &st->err, "device", NULL);
    return cli_take_token(r, st, t);
}

/* A token command: cache checked and locked, fn run, the token stored and printed. */
int cmd_flow(struct run *r, flow_fn fn)
{
    struct cli_token t;
    struct cli_cache lock = { NULL, -1 };
    memset(&t, 0, sizeof t);
    int rc;
    if (r->o->cache != NULL &&
        ((rc = cli_cache_check(r->o->cache)) != 0 ||
         (rc = cli_cache_lock(&lock, r->o->cache,
                              lock_wait(r, r->o->timeout_s * 4 + r->o->wait_s))) != 0))
        return rc;
    rc = fn(r, &t);
    if (rc == 0) rc = cli_deliver(r, &t, NULL);
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    return rc;
}

/* refresh: the given or cached refresh token; a rotated one is written back. */
int cmd_refresh(struct run *r)
{
    struct cli_token cached, t;
    struct cli_cache lock = { NULL, -1 };
    memset(&cached, 0, sizeof cached);
    memset(&t, 0, sizeof t);
    int rc;
    if (r->o->cache != NULL &&
        ((rc = cli_cache_check(r->o->cache)) != 0 ||
         (rc = cli_cache_lock(&lock, r->o->cache, lock_wait(r, r->o->timeout_s * 4))) != 0))
        return rc;
    if (r->o->cache != NULL) (void)cli_cache_read(r->o->cache, r->ident, &cached);
    char *rt = NULL;
    rc = cli_get_refresh_token(r, &cached, &rt);
    if (rc == 0 && rt == NULL) {
        rc = usage_error("refresh needs --refresh-token-file FILE|-, "
                         "SFOAUTH_REFRESH_TOKEN or a --cache holding a refresh token");
    } else if (rc == 0) {
        rc = do_refresh(r, rt, &t);
        if (rc == 0) rc = cli_deliver(r, &t, rt);
    }
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    cli_token_clear(&cached);
    return rc;
}

/* token: the cached token while valid, else refresh, else the configured flow. */
int cmd_token(struct run *r)
{
    struct opts *o = r->o;
    struct cli_token cached, t;
    struct cli_cache lock = { NULL, -1 };
    memset(&cached, 0, sizeof cached);
    memset(&t, 0, sizeof t);
    int rc = 0;
    if (!o->output_given && o->field == NULL) r->out.field = "access_token";
    if (o->cache != NULL) {
        if ((rc = cli_cache_check(o->cache)) != 0 ||
            (rc = cli_cache_lock(&lock, o->cache, lock_wait(r, o->timeout_s * 4 + 10))) != 0)
            return rc;
        if (cli_cache_read(o->cache, r->ident, &cached) == 0 && cached.f[TK_ACCESS_TOKEN] != NULL &&
            cached.expires_at > cli_wall_now()) {
            cli_tracef("cache hit: access token valid for %lld s more",
                       (long long)(cached.expires_at - cli_wall_now()));
            rc = cli_print_token(stdout, &r->out, &cached);
            goto done;
        }
        cli_tracef("cache miss or expired");
    }
    char *rt = NULL;
    if ((rc = cli_get_refresh_token(r, &cached, &rt)) != 0) goto done;
    bool have_flow = o->key_file != NULL || o->flow != NULL;
    if (rt != NULL) {
        rc = do_refresh(r, rt, &t);
        if (rc == 0) {
            /* keep the refresh token when the server did not rotate it */
            if (t.f[TK_REFRESH_TOKEN] == NULL) cli_token_set(&t, TK_REFRESH_TOKEN, rt, strlen(rt));
            rc = cli_deliver(r, &t, rt);
            goto done;
        }
        if (rc != EXIT_OAUTH || !have_flow) goto done;
        fputs("sfoauth: refresh failed; running the configured flow instead\n", stderr);
    }
    const char *flow = o->flow ? o->flow : (o->key_file ? "jwt" : NULL);
    if (flow == NULL) {
        rc = usage_error("no valid token cached and no way to get one: give --key (jwt), "
                         "--flow jwt|client-credentials|password, or a refresh token");
    } else if (strcmp(flow, "jwt") == 0) {
        rc = do_jwt(r, &t);
    } else if (strcmp(flow, "client-credentials") == 0) {
        rc = do_client_credentials(r, &t);
    } else if (strcmp(flow, "password") == 0) {
        rc = do_password(r, &t);
    } else {
        rc = usage_error("--flow %s: use jwt, client-credentials or password", flow);
    }
    if (rc == 0) rc = cli_deliver(r, &t, NULL);
done:
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    cli_token_clear(&cached);
    return rc;
}
