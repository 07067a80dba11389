/*
 * One run of a command: the port and client set up from the options, the
 * client secret, library tokens copied into CLI tokens, failures reported,
 * results stored (cache, rotated refresh token) and printed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"

static struct sfo_posix_port g_pp;
static bool g_pp_up;

void cli_port_down(void)
{
    if (g_pp_up) {
        sfo_posix_port_deinit(&g_pp);
        g_pp_up = false;
    }
}

int64_t cli_wall_now(void)
{
    return (int64_t)time(NULL);
}

int64_t cli_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_time_left_s(const struct run *r)
{
    if (r->o->max_time_s <= 0) return INT32_MAX;
    int64_t left = (int64_t)r->o->max_time_s * 1000 - (cli_mono_ms() - r->start_ms);
    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Does no_proxy exempt host? */
static bool no_proxy_match(const char *host, size_t hl)
{
    const char *np = getenv("no_proxy");
    if (np == NULL) np = getenv("NO_PROXY");
    if (np == NULL) return false;
    char *dup = strdup(np), *save = NULL;
    bool m = false;
    if (dup == NULL) return false;
    for (char *t = strtok_r(dup, ", ", &save); t && !m; t = strtok_r(NULL, ", ", &save)) {
        if (strcmp(t, "*") == 0) {
            m = true;
            break;
        }
        const char *d = t[0] == '.' ? t + 1 : t;
        size_t dl = strlen(d);
        m = (dl == hl && strncasecmp(host, d, hl) == 0) ||
            (dl < hl && host[hl - dl - 1] == '.' && strncasecmp(host + hl - dl, d, dl) == 0);
    }
    free(dup);
    return m;
}

int cli_need(const char *v, const char *what)
{
    if (v == NULL || v[0] == '\0') return usage_error("%s is required", what);
    return 0;
}

/* The proxy: --proxy, else https_proxy unless no_proxy names the host. */
static void setup_proxy(struct run *r)
{
    struct opts *o = r->o;
    const char *proxy = o->proxy;
    if (proxy == NULL) {
        proxy = getenv("https_proxy");
        if (proxy == NULL) proxy = getenv("HTTPS_PROXY");
        if (proxy != NULL && proxy[0] != '\0') {
            struct sfo_url u;
            const char *tu = o->token_url ? o->token_url : o->login_url;
            if (sfo_url_parse(tu, strlen(tu), &u) == SFO_OK && no_proxy_match(u.host, u.host_len))
                proxy = NULL;
        }
    }
    if (proxy != NULL && proxy[0] != '\0') {
        r->cl.proxy_url = proxy;
        cli_tracef("using proxy %s", proxy);
    }
}

/* Trust anchors and logging for the POSIX port; then the port itself. */
static int setup_port(struct run *r)
{
    struct opts *o = r->o;
    struct sfo_posix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_source = o->cacert ? SFO_CA_FILE : SFO_CA_SYSTEM;
    cfg.ca_file = o->cacert;
    if (cli_verbose > 0) {
        cfg.log = cli_trace_log;
        cfg.log_level = SFO_LOG_DEBUG;
    }
    int rc = sfo_posix_port_init(&g_pp, &cfg, &r->port);
    g_pp_up = true;
    atexit(cli_port_down);
    if (rc != SFO_OK) {
        return cli_fail(o->cacert ? "loading --cacert" : "loading the system trust store", rc,
                        NULL, NULL, NULL);
    }
    return 0;
}

static void setup_endpoints(struct run *r)
{
    struct opts *o = r->o;
    r->cl.token_url = o->token_url;
    r->cl.authorize_url = o->authorize_url;
    r->cl.revoke_url = o->revoke_url;
    r->cl.introspect_url = o->introspect_url;
    r->cl.userinfo_url = o->userinfo_url;
    r->cl.device_url = o->device_url;
}

int cli_run_setup(struct run *r, bool need_client_id)
{
    struct opts *o = r->o;
    int rc;
    if (need_client_id && (rc = cli_need(o->client_id, "--client-id (or SFOAUTH_CLIENT_ID)")))
        return rc;
    const char *err;
    r->secret = cli_secret_read(o->client_secret_file, "SFOAUTH_CLIENT_SECRET", &err);
    if (r->secret == NULL && err != NULL) {
        return cli_errorf(EXIT_INPUT, "client secret %s: %s",
                          o->client_secret_file ? o->client_secret_file
                                                : "(SFOAUTH_CLIENT_SECRET)", err);
    }
    if ((rc = setup_port(r)) != 0) return rc;
    r->work = malloc(SFO_CLI_WORK);
    if (r->work == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(r->work, SFO_CLI_WORK);
    rc = sfo_client_init(&r->cl, &r->port, o->login_url,
                         o->client_id ? o->client_id : "-", r->work, SFO_CLI_WORK);
    if (rc != SFO_OK) return cli_fail("client setup", rc, NULL, NULL, NULL);
    setup_endpoints(r);
    if (r->secret != NULL) {
        r->cl.client_secret = (const uint8_t *)r->secret;
        r->cl.client_secret_len = strlen(r->secret);
    }
    r->cl.basic_auth = o->basic_auth;
    r->cl.dialect = o->rfc ? SFO_DIALECT_RFC : SFO_DIALECT_SALESFORCE;
    r->cl.timeout_ms = (uint32_t)o->timeout_s * 1000u;
    if (r->cl.deadline_ms < r->cl.timeout_ms * 3u) r->cl.deadline_ms = r->cl.timeout_ms * 3u;
    setup_proxy(r);
    snprintf(r->ident, sizeof r->ident, "%s %s %s",
             o->token_url ? o->token_url : o->login_url, o->client_id ? o->client_id : "-",
             o->username ? o->username : "-");
    r->out.mode = o->output;
    r->out.field = o->field;
    r->out.mask = o->mask;
    return 0;
}

/* Expiry from the server's expires_in, else the session lifetime (or introspection). */
static void set_expiry(struct run *r, const struct sfo_token *st, struct cli_token *t)
{
    int64_t now = cli_wall_now();
    if (st->expires_in >= 0) {
        t->has_expires_in = true;
        t->expires_in = st->expires_in;
        t->expires_at = now + st->expires_in - r->o->margin_s;
    } else {
        t->expires_at = now + r->o->session_lifetime_s - r->o->margin_s;
        if (r->o->introspect_expiry && t->f[TK_ACCESS_TOKEN] != NULL) {
            struct sfo_introspection *in = calloc(1, sizeof *in);
            if (in != NULL) {
                int rc = sfo_introspect(&r->cl, t->f[TK_ACCESS_TOKEN], "access_token", in);
                if (rc == SFO_OK && in->active && in->exp > 0) {
                    t->expires_at = in->exp - r->o->margin_s;
                    cli_tracef("introspection: exp %lld", (long long)in->exp);
                } else {
                    cli_tracef("introspection gave no exp (%s): session lifetime used",
                               sfo_errname(rc));
                }
                sfo_wipe(in, sizeof *in);
                free(in);
            }
        }
    }
    if (t->expires_at <= now) t->expires_at = now + 1;
}

int cli_take_token(struct run *r, struct sfo_token *st, struct cli_token *t)
{
    const char *v[TK_COUNT] = { 0 };
    v[TK_ACCESS_TOKEN] = st->access_token;
    v[TK_TOKEN_TYPE] = st->token_type;
    v[TK_INSTANCE_URL] = st->instance_url;
    v[TK_ID] = st->id;
    v[TK_SCOPE] = st->scope;
    v[TK_ISSUED_AT] = st->issued_at;
    v[TK_SIGNATURE] = st->signature;
    v[TK_REFRESH_TOKEN] = st->refresh_token;
    v[TK_ID_TOKEN] = st->id_token;
    cli_token_clear(t);
    for (int k = 0; k < TK_COUNT; k++) {
        if (v[k] != NULL && v[k][0] != '\0') cli_token_set(t, k, v[k], strlen(v[k]));
    }
    set_expiry(r, st, t);
    sfo_token_wipe(st);
    return 0;
}

struct sfo_token *cli_new_sfo_token(void)
{
    struct sfo_token *t = calloc(1, sizeof *t);
    if (t == NULL) {
        fputs("sfoauth: out of memory\n", stderr);
        exit(EXIT_INTERNAL);
    }
    cli_secret_keep(t, sizeof *t);
    t->expires_in = -1;
    return t;
}

int cli_token_fail(struct run *r, const char *what, int rc, const struct sfo_oauth_error *e,
                   const char *flow, const char *url)
{
    char w[256];
    (void)r;
    (void)url;
    if (e != NULL && e->http_status != 0 && rc == SFO_E_HTTP_STATUS) {
        snprintf(w, sizeof w, "%s (HTTP %d)", what, e->http_status);
        int x = cli_fail(w, rc, NULL, NULL, flow);
        if (e->http_status == 401 || e->http_status == 403) {
            /* the server refused the token or client: a rejection, not a protocol fault */
            fputs("hint: the token is expired, revoked or not valid for this endpoint: get a "
                  "new one (sfoauth token / refresh)\n", stderr);
            return EXIT_OAUTH;
        }
        return x;
    }
    return cli_fail(what, rc, e ? e->error : NULL, e ? e->error_description : NULL, flow);
}

int cli_deliver(struct run *r, struct cli_token *t, const char *old_refresh)
{
    struct opts *o = r->o;
    int rc;
    if (o->cache != NULL && (rc = cli_cache_write(o->cache, r->ident, t)) != 0) return rc;
    if (old_refresh != NULL && t->f[TK_REFRESH_TOKEN] != NULL &&
        strcmp(old_refresh, t->f[TK_REFRESH_TOKEN]) != 0 && o->refresh_token_file != NULL &&
        strcmp(o->refresh_token_file, "-") != 0) {
        if ((rc = cli_file_replace(o->refresh_token_file, t->f[TK_REFRESH_TOKEN])) != 0) return rc;
        cli_tracef("rotated refresh token written to %s", o->refresh_token_file);
    }
    return cli_print_token(stdout, &r->out, t);
}

int cli_get_refresh_token(struct run *r, const struct cli_token *cached, char **out)
{
    const char *err;
    *out = cli_secret_read(r->o->refresh_token_file, "SFOAUTH_REFRESH_TOKEN", &err);
    if (*out == NULL && err != NULL)
        return cli_errorf(EXIT_INPUT, "refresh token %s: %s",
                          r->o->refresh_token_file ? r->o->refresh_token_file
                                                   : "(SFOAUTH_REFRESH_TOKEN)", err);
    if (*out == NULL && cached != NULL && cached->f[TK_REFRESH_TOKEN] != NULL) {
        *out = strdup(cached->f[TK_REFRESH_TOKEN]);
        if (*out) cli_secret_keep(*out, strlen(*out) + 1);
    }
    return 0;
}

int cli_get_subject_token(struct run *r, bool prefer_refresh, char **out)
{
    const char *err;
    *out = cli_secret_read(r->o->token_file, "SFOAUTH_TOKEN", &err);
    if (*out == NULL && err != NULL)
        return cli_errorf(EXIT_INPUT, "token %s: %s",
                          r->o->token_file ? r->o->token_file : "(SFOAUTH_TOKEN)", err);
    if (*out == NULL && r->o->cache != NULL) {
        struct cli_token c;
        memset(&c, 0, sizeof c);
        if (cli_cache_read(r->o->cache, r->ident, &c) == 0) {
            const char *v = (prefer_refresh && c.f[TK_REFRESH_TOKEN]) ? c.f[TK_REFRESH_TOKEN]
                                                                      : c.f[TK_ACCESS_TOKEN];
            if (v != NULL) {
                *out = strdup(v);
                if (*out) cli_secret_keep(*out, strlen(*out) + 1);
            }
        }
        cli_token_clear(&c);
    }
    if (*out == NULL)
        return usage_error("no token: give --token-file FILE|-, SFOAUTH_TOKEN or a --cache "
                           "holding one");
    return 0;
}

const char *cli_endpoint(const struct run *r, const char *path, const char *override)
{
    static char buf[1024];
    if (override != NULL) return override;
    const char *base = r->o->login_url;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') n--;
    snprintf(buf, sizeof buf, "%.*s%s", (int)n, base, path);
    return buf;
}
