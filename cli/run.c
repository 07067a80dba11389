/*
 * One run of a command: the port and client set up from the options, the
 * client secret, library tokens copied into CLI tokens, failures reported,
 * results stored (cache, rotated refresh token) and printed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

const struct sfo_client *cli_cl(struct run *r)
{
    if (r->o->max_time_s > 0) {
        int64_t left = (int64_t)r->o->max_time_s * 1000 - (cli_mono_ms() - r->start_ms);
        if (left < 1) left = 1;
        r->cl.deadline_ms = (uint32_t)left;
        if (r->cl.timeout_ms > r->cl.deadline_ms) r->cl.timeout_ms = r->cl.deadline_ms;
    }
    return &r->cl;
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

/* Read every *.pem / *.crt of dir (SSL_CERT_DIR, as OpenSSL reads a directory of
 * certificates) into one malloc'd PEM text. NULL when none could be read. */
static char *read_cert_dir(const char *dir, size_t *len)
{
    DIR *d = opendir(dir);
    char *all = NULL, path[4096];
    size_t n = 0;
    struct dirent *e;
    if (d == NULL) return NULL;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5) continue;
        cli_snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t fl;
        char *f = cli_read_all(path, &fl);
        if (f == NULL || strstr(f, "-----BEGIN CERTIFICATE-----") == NULL) {
            free(f);
            continue;
        }
        char *grown = realloc(all, n + fl + 2);
        if (grown == NULL) {
            free(f);
            break;
        }
        all = grown;
        memcpy(all + n, f, fl);
        n += fl;
        all[n++] = '\n';
        all[n] = '\0';
        free(f);
    }
    closedir(d);
    *len = n;
    return all;
}

/* Trust anchors: --cacert FILE, --ca salesforce|system, else SSL_CERT_FILE,
 * SSL_CERT_DIR, else the system bundle. Fills cfg; *what names the source. */
static int choose_ca(struct opts *o, struct sfo_posix_config *cfg, const char **what, char **pem)
{
    const char *env_file = getenv("SSL_CERT_FILE"), *env_dir = getenv("SSL_CERT_DIR");
    *what = "the system trust store (" SFO_POSIX_CA_FILE_DEFAULT ")";
    cfg->ca_source = SFO_CA_SYSTEM;
    if (o->ca != NULL && o->cacert != NULL)
        return usage_error("--ca and --cacert both choose the trust anchors: give one");
    if (o->ca != NULL) {
        if (strcmp(o->ca, "salesforce") == 0) {
            cfg->ca_source = SFO_CA_SALESFORCE;
            *what = "the compiled-in Salesforce roots (--ca salesforce)";
        } else if (strcmp(o->ca, "system") != 0) {
            return usage_error("--ca %s: use salesforce or system (or --cacert FILE)", o->ca);
        }
        return 0;
    }
    const char *file = o->cacert ? o->cacert : (env_file && *env_file ? env_file : NULL);
    if (file != NULL) {
        FILE *f = fopen(file, "r");
        if (f == NULL)
            return cli_errorf(EXIT_INPUT, "%s %s: %s", o->cacert ? "--cacert" : "SSL_CERT_FILE",
                              file, strerror(errno));
        fclose(f);
        cfg->ca_source = SFO_CA_FILE;
        cfg->ca_file = file;
        static char named[1024];
        cli_snprintf(named, sizeof named, "%s %s", o->cacert ? "--cacert" : "SSL_CERT_FILE", file);
        *what = named;
    } else if (env_dir != NULL && *env_dir != '\0') {
        size_t n = 0;
        *pem = read_cert_dir(env_dir, &n);
        if (*pem == NULL)
            return cli_errorf(EXIT_INPUT, "SSL_CERT_DIR %s: %s", env_dir,
                              errno ? strerror(errno) : "no PEM certificate in it");
        cfg->ca_source = SFO_CA_PEM;
        cfg->ca_pem = (const uint8_t *)*pem;
        cfg->ca_pem_len = n;
        static char dnamed[1024];
        cli_snprintf(dnamed, sizeof dnamed, "SSL_CERT_DIR %s", env_dir);
        *what = dnamed;
    }
    return 0;
}

/* Trust anchors and logging for the POSIX port; then the port itself. */
static int setup_port(struct run *r)
{
    struct opts *o = r->o;
    struct sfo_posix_config cfg;
    const char *what;
    char *pem = NULL;
    int rc;
    memset(&cfg, 0, sizeof cfg);
    if ((rc = choose_ca(o, &cfg, &what, &pem)) != 0) return rc;
    r->ca_what = what;
    cfg.log = cli_net_log;
    cfg.log_level = cli_verbose > 0 ? SFO_LOG_DEBUG : SFO_LOG_INFO;
    rc = sfo_posix_port_init(&g_pp, &cfg, &r->port);
    free(pem);
    g_pp_up = true;
    atexit(cli_port_down);
    if (!cli_verbose) r->port.log_level = SFO_LOG_INFO;
    if (rc != SFO_OK) {
        char w[1100];
        cli_snprintf(w, sizeof w, "loading the trust anchors of %s", what);
        return cli_fail(w, rc, NULL, NULL, NULL);
    }
    r->start_ms = cli_mono_ms();
    cli_net_wrap(&r->port, o->max_time_s > 0 ? r->start_ms + o->max_time_s * 1000LL : 0);
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
    if (o->rfc && o->device_url == NULL) {
        /* RFC 8628 dialect without --device-url: the login host's device endpoint */
        static char url[1024];
        cli_snprintf(url, sizeof url, "%s", cli_endpoint(r, "/services/oauth2/device", NULL));
        r->cl.device_url = url;
    }
}

int cli_run_setup(struct run *r, bool need_client_id)
{
    struct opts *o = r->o;
    int rc;
    if (need_client_id && (rc = cli_need(o->client_id, "--client-id (or SFOAUTH_CLIENT_ID)")))
        return rc;
    const char *err;
    /* a value on stdin comes within --wait (and --max-time) */
    cli_stdin_timeout_ms =
        (o->max_time_s > 0 && o->max_time_s < o->wait_s ? o->max_time_s : o->wait_s) * 1000;
    r->secret = cli_secret_read(o->client_secret_file, "SFOAUTH_CLIENT_SECRET", &err);
    if (r->secret == NULL && err != NULL) {
        return cli_errorf(EXIT_INPUT, "client secret %s: %s",
                          o->client_secret_file ? o->client_secret_file : "(SFOAUTH_CLIENT_SECRET)",
                          err);
    }
    if (r->secret != NULL)
        r->secret_src = o->client_secret_file ? "--client-secret-file" : "SFOAUTH_CLIENT_SECRET";
    if ((rc = setup_port(r)) != 0) return rc;
    r->work = calloc(1, SFO_CLI_WORK);
    if (r->work == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(r->work, SFO_CLI_WORK);
    /* revoke without --client-id sends none; userinfo sends none anyway */
    const char *cid = o->client_id;
    if (cid == NULL && o->cmd != CMD_REVOKE) cid = "-";
    rc = sfo_client_init(&r->cl, &r->port, o->login_url, cid, r->work, SFO_CLI_WORK);
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
    if (o->max_time_s > 0) {
        r->cl.deadline_ms = (uint32_t)o->max_time_s * 1000u;
        if (r->cl.timeout_ms > r->cl.deadline_ms) r->cl.timeout_ms = r->cl.deadline_ms;
    }
    if (o->retries >= 0) r->cl.retries = (uint8_t)o->retries;
    setup_proxy(r);
    cli_snprintf(r->ident, sizeof r->ident, "%s %s %s", o->token_url ? o->token_url : o->login_url,
                 o->client_id ? o->client_id : "-", o->username ? o->username : "-");
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
                int rc = sfo_introspect(cli_cl(r), t->f[TK_ACCESS_TOKEN], "access_token", in);
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
        /* a terminal acts on control bytes, a token file would end at a newline: a value
         * with one is outside every token grammar (RFC 6749 VSCHAR) and refused */
        if (v[k] != NULL && cli_has_control(v[k])) {
            sfo_token_wipe(st);
            cli_token_clear(t);
            return cli_errorf(EXIT_HTTP,
                              "the server's %s holds a control character: "
                              "refused (not printed, not stored)",
                              cli_tk_name[k]);
        }
        if (v[k] != NULL && v[k][0] != '\0') cli_token_set(t, k, v[k], strlen(v[k]));
    }
    set_expiry(r, st, t);
    sfo_token_wipe(st);
    return 0;
}

int cli_cache_check(const char *path)
{
    char why[1024];
    int rc = cli_cache_check_dir(path, why, sizeof why);
    if (rc != 0) {
        cli_error_note(rc, 0, why);
        cli_fprintf(stderr, "sfoauth: %s\n", why);
    }
    return rc;
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

/* The hint for a certificate failure on the host of the last connection. */
static void tls_hint(const struct run *r, int rc)
{
    const struct cli_net *n = cli_net_state();
    struct sfo_tls_peer pe;
    sfo_posix_peer_cert(&g_pp, &pe);
    if (pe.have) {
        /* names from the server's certificate: shown with control bytes escaped */
        fputs("certificate: subject ", stderr);
        cli_put_safe(stderr, pe.subject[0] ? pe.subject : "(none)");
        fputs("; issuer ", stderr);
        cli_put_safe(stderr, pe.issuer[0] ? pe.issuer : "(not sent)");
        fputs("; SHA-256 ", stderr);
        for (size_t i = 0; i < sizeof pe.sha256; i++)
            cli_fprintf(stderr, "%s%02X", i ? ":" : "", pe.sha256[i]);
        fputc('\n', stderr);
    } else if (n->subject[0] != '\0') {
        cli_fprintf(stderr, "certificate: subject %s\n", n->subject);
    }
    if (rc == SFO_E_TLS_UNTRUSTED) {
        bool sf = r->o->ca != NULL && strcmp(r->o->ca, "salesforce") == 0;
        cli_fprintf(stderr,
                    "hint: %s's certificate does not lead to a CA of %s: add the CA "
                    "that signed it with --cacert FILE (PEM)%s (an intercepting proxy needs its "
                    "own CA)\n",
                    n->host, r->ca_what ? r->ca_what : "the trust store",
                    sf ? "" : ", or use --ca salesforce for Salesforce hosts");
    } else if (rc == SFO_E_TLS_HOSTNAME) {
        cli_fprintf(stderr,
                    "hint: the certificate is not for %s: check the host of --login-url "
                    "or the endpoint URL\n",
                    n->host);
    } else if (rc == SFO_E_TLS_EXPIRED || rc == SFO_E_TLS_NOT_YET_VALID) {
        fputs("hint: check this machine's clock (UTC, NTP) before suspecting the server\n", stderr);
    }
}

/* A network or TLS failure, named by host, port and stage. */
static int net_fail(const struct run *r, const char *what, int rc, const char *flow)
{
    char where[384], w[512];
    if (cli_net_where(rc, where, sizeof where) <= 0) return cli_fail(what, rc, NULL, NULL, flow);
    (void)flow;
    cli_snprintf(w, sizeof w, "%s: %s (%s)", what, where, sfo_errname(rc));
    int x = cli_exit_for(rc);
    cli_error_note(x, rc, w);
    cli_fprintf(stderr, "sfoauth: %s\n", w);
    if (cli_exit_for(rc) == EXIT_TLS) tls_hint(r, rc);
    if ((rc == SFO_E_TIMEOUT || rc == SFO_E_DEADLINE) && r->o->max_time_s > 0 &&
        cli_time_left_s(r) <= 1)
        cli_fprintf(stderr, "hint: --max-time %d s reached\n", r->o->max_time_s);
    if (rc == SFO_E_DNS)
        fputs("hint: check the host name and this machine's DNS resolver (a failed lookup "
              "is not retried)\n",
              stderr);
    return x;
}

int cli_token_fail(struct run *r, const char *what, int rc, const struct sfo_oauth_error *e,
                   const char *flow, const char *url)
{
    char w[256];
    (void)url;
    int cat = cli_exit_for(rc);
    if ((cat == EXIT_NETWORK || cat == EXIT_TLS) && rc != SFO_E_DEADLINE && rc != SFO_E_PROXY)
        return net_fail(r, what, rc, flow);
    if (e != NULL && e->http_status != 0 && rc == SFO_E_HTTP_STATUS) {
        cli_snprintf(w, sizeof w, "%s (HTTP %d)", what, e->http_status);
        int x = cli_fail(w, rc, NULL, NULL, flow);
        if (e->http_status == 401 || e->http_status == 403) {
            /* the server refused the token or client: a rejection, not a protocol fault */
            fputs("hint: the token is expired, revoked or not valid for this endpoint: get a "
                  "new one (sfoauth token / refresh)\n",
                  stderr);
            return EXIT_OAUTH;
        }
        if ((e->http_status == 429 || e->http_status == 503) && r->o->max_time_s > 0)
            cli_fprintf(stderr,
                        "hint: the server asks to come back later; its wait (Retry-After) "
                        "does not fit in the %d s left of --max-time %d\n",
                        cli_time_left_s(r), r->o->max_time_s);
        else if (e->http_status == 429 || e->http_status == 503)
            cli_fprintf(stderr,
                        "hint: the server asks to come back later; still refused after "
                        "%u retries (--retries, --max-time)\n",
                        (unsigned)r->cl.retries);
        return x;
    }
    if (e != NULL && e->field != NULL) {
        cli_snprintf(w, sizeof w, "%s (the answer's %s)", what, e->field);
        what = w;
    }
    int x = cli_fail(what, rc, e ? e->error : NULL, e ? e->error_description : NULL, flow);
    if (rc == SFO_E_SIGNATURE)
        cli_fprintf(stderr,
                    "hint: the response's signature was checked with the client secret "
                    "from %s: it must be the consumer secret of this connected app (--client-id "
                    "%s)\n",
                    r->secret_src ? r->secret_src : "?", r->o->client_id);
    return x;
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
        return cli_errorf(
            EXIT_INPUT, "refresh token %s: %s",
            r->o->refresh_token_file ? r->o->refresh_token_file : "(SFOAUTH_REFRESH_TOKEN)", err);
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
    cli_snprintf(buf, sizeof buf, "%.*s%s", (int)n, base, path);
    return buf;
}
