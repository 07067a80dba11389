/*
 * sfoauth: get OAuth 2.0 tokens from Salesforce (or any RFC 6749 server) on
 * the command line. See `sfoauth --help` and sfoauth.1.
 *
 * No option takes a secret value: client secrets, passwords, refresh tokens,
 * access tokens, authorization codes and callback URLs come from files, stdin
 * ("-") or the environment, because a command line is visible to every user
 * of the machine (ps, /proc/PID/cmdline) and lands in shell history.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sfoauth.h"
#include "sfoauth_loopback.h"
#include "sfoauth_posix.h"

#define DEFAULT_LOGIN_URL "https://login.salesforce.com"
#define SANDBOX_LOGIN_URL "https://test.salesforce.com"
#define DEFAULT_REDIRECT "http://localhost:1717/OauthRedirect"

#ifdef SFO_BACKEND_BEARSSL
#define BACKEND_NAME "bearssl"
#else
#define BACKEND_NAME "mbedtls"
#endif

/* ---- options ----------------------------------------------------------------------- */
struct opts {
    const char *login_url, *token_url, *authorize_url, *revoke_url, *introspect_url,
        *userinfo_url, *device_url;
    const char *client_id, *client_secret_file, *username, *key_file, *audience,
        *redirect_uri, *scope, *refresh_token_file, *token_file, *cacert, *proxy,
        *cache, *field, *callback_url, *code_file, *password_file, *browser, *param,
        *prompt, *hint, *flow;
    bool sandbox, paste, no_pkce, basic_auth, rfc, mask, introspect_expiry;
    enum cli_output output;
    bool output_given;
    int timeout_s, wait_s, session_lifetime_s, margin_s;
    char **args;
    int nargs;
};

enum {
    O_LOGIN_URL = 256, O_SANDBOX, O_TOKEN_URL, O_AUTHORIZE_URL, O_REVOKE_URL,
    O_INTROSPECT_URL, O_USERINFO_URL, O_DEVICE_URL, O_CLIENT_ID, O_CLIENT_SECRET_FILE,
    O_USERNAME, O_KEY, O_AUDIENCE, O_REDIRECT_URI, O_SCOPE, O_REFRESH_TOKEN_FILE,
    O_TOKEN_FILE, O_CACERT, O_PROXY, O_TIMEOUT, O_CACHE, O_OUTPUT, O_FIELD, O_HELP,
    O_VERSION, O_PASTE, O_CALLBACK_URL, O_CODE, O_CODE_FILE, O_PASSWORD_FILE, O_NO_PKCE,
    O_BASIC_AUTH, O_RFC, O_MASK, O_BROWSER, O_WAIT, O_SESSION_LIFETIME, O_MARGIN,
    O_INTROSPECT_EXPIRY, O_PARAM, O_PROMPT, O_HINT, O_FLOW, O_CLIENT_SECRET
};

static const struct option k_long[] = {
    { "login-url", required_argument, NULL, O_LOGIN_URL },
    { "sandbox", no_argument, NULL, O_SANDBOX },
    { "token-url", required_argument, NULL, O_TOKEN_URL },
    { "authorize-url", required_argument, NULL, O_AUTHORIZE_URL },
    { "revoke-url", required_argument, NULL, O_REVOKE_URL },
    { "introspect-url", required_argument, NULL, O_INTROSPECT_URL },
    { "userinfo-url", required_argument, NULL, O_USERINFO_URL },
    { "device-url", required_argument, NULL, O_DEVICE_URL },
    { "client-id", required_argument, NULL, O_CLIENT_ID },
    { "client-secret-file", required_argument, NULL, O_CLIENT_SECRET_FILE },
    { "client-secret", required_argument, NULL, O_CLIENT_SECRET },
    { "username", required_argument, NULL, O_USERNAME },
    { "key", required_argument, NULL, O_KEY },
    { "audience", required_argument, NULL, O_AUDIENCE },
    { "redirect-uri", required_argument, NULL, O_REDIRECT_URI },
    { "scope", required_argument, NULL, O_SCOPE },
    { "refresh-token-file", required_argument, NULL, O_REFRESH_TOKEN_FILE },
    { "token-file", required_argument, NULL, O_TOKEN_FILE },
    { "cacert", required_argument, NULL, O_CACERT },
    { "proxy", required_argument, NULL, O_PROXY },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "cache", required_argument, NULL, O_CACHE },
    { "output", required_argument, NULL, O_OUTPUT },
    { "field", required_argument, NULL, O_FIELD },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { "paste", no_argument, NULL, O_PASTE },
    { "callback-url", required_argument, NULL, O_CALLBACK_URL },
    { "code", required_argument, NULL, O_CODE },
    { "code-file", required_argument, NULL, O_CODE_FILE },
    { "password-file", required_argument, NULL, O_PASSWORD_FILE },
    { "no-pkce", no_argument, NULL, O_NO_PKCE },
    { "basic-auth", no_argument, NULL, O_BASIC_AUTH },
    { "rfc", no_argument, NULL, O_RFC },
    { "mask", no_argument, NULL, O_MASK },
    { "browser", required_argument, NULL, O_BROWSER },
    { "wait", required_argument, NULL, O_WAIT },
    { "session-lifetime", required_argument, NULL, O_SESSION_LIFETIME },
    { "expiry-margin", required_argument, NULL, O_MARGIN },
    { "introspect-expiry", no_argument, NULL, O_INTROSPECT_EXPIRY },
    { "param", required_argument, NULL, O_PARAM },
    { "prompt", required_argument, NULL, O_PROMPT },
    { "token-type-hint", required_argument, NULL, O_HINT },
    { "flow", required_argument, NULL, O_FLOW },
    { NULL, 0, NULL, 0 }
};

static const char k_usage[] =
"usage: sfoauth COMMAND [options]\n"
"\n"
"Commands:\n"
"  jwt                 JWT bearer grant (--client-id --username --key)\n"
"  login               authorization code + PKCE: prints the authorize URL, catches the\n"
"                      redirect on the loopback --redirect-uri, or with --paste reads the\n"
"                      callback URL you paste on stdin; then exchanges the code\n"
"  code                exchange a code: --callback-url FILE|- (the whole redirect URL),\n"
"                      --code - (the code on stdin) or --code-file FILE\n"
"  refresh             refresh grant (--refresh-token-file, or the --cache's token)\n"
"  client-credentials  client credentials grant (My Domain host, --client-secret-file)\n"
"  device              device flow: prints the user code and URL, polls until approved\n"
"  password            username-password grant (--password-file); Salesforce deprecates\n"
"                      it and blocks it in new orgs: use only when nothing else works\n"
"  revoke              revoke --token-file's token (or the --cache's refresh token)\n"
"  introspect          introspect --token-file's token (or the --cache's access token)\n"
"  userinfo            OpenID userinfo for --token-file's (or the cache's) access token\n"
"  token               print a valid access token: from --cache while valid, else by\n"
"                      refresh, else by the flow whose options are given (--key: jwt,\n"
"                      or --flow jwt|client-credentials|password)\n"
"  decode-url [--param NAME] [STRING|-]\n"
"                      percent-decode STRING (stdin when - or absent), or print\n"
"                      parameter NAME of a URL or query string, decoded\n"
"\n"
"Options (environment variable in brackets):\n"
"  --login-url URL         login host [SFOAUTH_LOGIN_URL] (default " DEFAULT_LOGIN_URL ")\n"
"  --sandbox               login host " SANDBOX_LOGIN_URL "\n"
"  --token-url URL  --authorize-url URL  --revoke-url URL  --introspect-url URL\n"
"  --userinfo-url URL  --device-url URL\n"
"                          endpoints (default: login URL + /services/oauth2/...)\n"
"  --client-id ID          consumer key [SFOAUTH_CLIENT_ID]\n"
"  --client-secret-file FILE|-   consumer secret [SFOAUTH_CLIENT_SECRET]\n"
"  --basic-auth            send client credentials with HTTP Basic\n"
"  --username NAME         [SFOAUTH_USERNAME]\n"
"  --key FILE              RSA private key for jwt, PEM or DER [SFOAUTH_KEY_FILE]\n"
"  --audience URL          JWT aud (default: from the login URL)\n"
"  --redirect-uri URL      (default " DEFAULT_REDIRECT ")\n"
"  --scope 'S1 S2'         --prompt login|consent|select_account   --no-pkce\n"
"  --paste                 login: read the pasted callback URL from stdin\n"
"  --browser CMD           login: run CMD URL to open the authorize URL\n"
"  --wait SECONDS          login/device: how long to wait for approval (default 300)\n"
"  --refresh-token-file FILE|-   [SFOAUTH_REFRESH_TOKEN]; a rotated token is written back\n"
"  --token-file FILE|-     token for revoke/introspect/userinfo [SFOAUTH_TOKEN]\n"
"  --token-type-hint H     introspect/revoke: access_token or refresh_token\n"
"  --password-file FILE|-  password + security token [SFOAUTH_PASSWORD]\n"
"  --rfc                   device flow: RFC 8628 dialect (needs --device-url)\n"
"  --cacert FILE           trust these CA certificates (PEM) instead of the system's\n"
"  --proxy URL             HTTP proxy for CONNECT [https_proxy, no_proxy]\n"
"  --timeout SECONDS       per HTTP exchange (default 30)\n"
"  --cache FILE            token cache (JSON, 0600, atomic, locked)\n"
"  --session-lifetime S    validity assumed without expires_in (default 7200)\n"
"  --expiry-margin S       renew this long before expiry (default 300)\n"
"  --introspect-expiry     ask the introspection endpoint for exp when caching\n"
"  --output json|env       JSON object (default) or SFOAUTH_*= lines for eval\n"
"  --field NAME            print one field's raw value\n"
"  --mask                  show credentials as abcdef...wxyz (demos, screenshots)\n"
"  -v                      trace connection, TLS and HTTP to stderr (secrets redacted)\n"
"  --help  --version\n"
"\n"
"No option takes a secret on the command line: every user of the machine can read\n"
"command lines (ps, /proc) and shells keep them in history. Secrets come from a file,\n"
"from stdin (\"-\") or from the environment variable named above.\n"
"\n"
"Exit codes: 0 ok, 1 internal, 2 usage, 3 local input (key, file, callback URL, state\n"
"mismatch, cache), 4 network (DNS, connect, timeout, proxy), 5 TLS, 6 HTTP protocol\n"
"(framing, malformed response, signature), 7 rejected by the server (OAuth error, or\n"
"HTTP 401/403).\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sfoauth: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(sfoauth --help for usage)\n");
    return EXIT_USAGE;
}

static bool parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) return false;
    *out = (int)v;
    return true;
}

static bool looks_like_secret_value(const char *s)
{
    return strcmp(s, "-") != 0 && (strstr(s, "://") != NULL || strstr(s, "code=") != NULL);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    int c;
    memset(o, 0, sizeof *o);
    o->timeout_s = 30;
    o->wait_s = 300;
    o->session_lifetime_s = 7200;
    o->margin_s = 300;
    opterr = 0;
    /* getopt_long permutes: options may come before or after the command */
    while ((c = getopt_long(argc, argv, "v", k_long, NULL)) != -1) {
        switch (c) {
        case O_LOGIN_URL: o->login_url = optarg; break;
        case O_SANDBOX: o->sandbox = true; break;
        case O_TOKEN_URL: o->token_url = optarg; break;
        case O_AUTHORIZE_URL: o->authorize_url = optarg; break;
        case O_REVOKE_URL: o->revoke_url = optarg; break;
        case O_INTROSPECT_URL: o->introspect_url = optarg; break;
        case O_USERINFO_URL: o->userinfo_url = optarg; break;
        case O_DEVICE_URL: o->device_url = optarg; break;
        case O_CLIENT_ID: o->client_id = optarg; break;
        case O_CLIENT_SECRET_FILE: o->client_secret_file = optarg; break;
        case O_CLIENT_SECRET:
            return usage_error("--client-secret takes no value on the command line (%s "
                               "readable by every user via ps): use --client-secret-file "
                               "FILE|- or SFOAUTH_CLIENT_SECRET", "it would be");
        case O_USERNAME: o->username = optarg; break;
        case O_KEY: o->key_file = optarg; break;
        case O_AUDIENCE: o->audience = optarg; break;
        case O_REDIRECT_URI: o->redirect_uri = optarg; break;
        case O_SCOPE: o->scope = optarg; break;
        case O_REFRESH_TOKEN_FILE: o->refresh_token_file = optarg; break;
        case O_TOKEN_FILE: o->token_file = optarg; break;
        case O_CACERT: o->cacert = optarg; break;
        case O_PROXY: o->proxy = optarg; break;
        case O_TIMEOUT:
            if (!parse_int(optarg, 1, 3600, &o->timeout_s))
                return usage_error("--timeout: %s is not 1..3600 seconds", optarg);
            break;
        case O_WAIT:
            if (!parse_int(optarg, 1, 86400, &o->wait_s))
                return usage_error("--wait: %s is not 1..86400 seconds", optarg);
            break;
        case O_SESSION_LIFETIME:
            if (!parse_int(optarg, 60, 30 * 86400, &o->session_lifetime_s))
                return usage_error("--session-lifetime: %s is not 60..2592000 seconds", optarg);
            break;
        case O_MARGIN:
            if (!parse_int(optarg, 0, 86400, &o->margin_s))
                return usage_error("--expiry-margin: %s is not 0..86400 seconds", optarg);
            break;
        case O_CACHE: o->cache = optarg; break;
        case O_OUTPUT:
            o->output_given = true;
            if (strcmp(optarg, "json") == 0) o->output = OUT_JSON;
            else if (strcmp(optarg, "env") == 0) o->output = OUT_ENV;
            else return usage_error("--output: %s is not json or env", optarg);
            break;
        case O_FIELD: o->field = optarg; break;
        case 'v': cli_verbose = 2; break;
        case O_HELP: fputs(k_usage, stdout); exit(0);
        case O_VERSION:
            printf("sfoauth %s (%s)\n", SFO_VERSION, BACKEND_NAME);
            exit(0);
        case O_PASTE: o->paste = true; break;
        case O_CALLBACK_URL:
            if (looks_like_secret_value(optarg))
                return usage_error("--callback-url takes FILE or - (stdin), not the URL "
                                   "itself: the URL carries the authorization code, and a "
                                   "command line is readable by every user (ps) and kept "
                                   "in shell history%s", "");
            o->callback_url = optarg;
            break;
        case O_CODE:
            if (strcmp(optarg, "-") != 0)
                return usage_error("--code takes only - (read the code from stdin): a code "
                                   "is a secret and a command line is readable by every "
                                   "user (ps); or use --code-file FILE%s", "");
            o->code_file = optarg;
            break;
        case O_CODE_FILE: o->code_file = optarg; break;
        case O_PASSWORD_FILE: o->password_file = optarg; break;
        case O_NO_PKCE: o->no_pkce = true; break;
        case O_BASIC_AUTH: o->basic_auth = true; break;
        case O_RFC: o->rfc = true; break;
        case O_MASK: o->mask = true; break;
        case O_BROWSER: o->browser = optarg; break;
        case O_INTROSPECT_EXPIRY: o->introspect_expiry = true; break;
        case O_PARAM: o->param = optarg; break;
        case O_PROMPT: o->prompt = optarg; break;
        case O_HINT: o->hint = optarg; break;
        case O_FLOW: o->flow = optarg; break;
        case '?':
        default:
            if (optopt != 0) {
                char s[2] = { (char)optopt, 0 };
                return usage_error("unknown option -%s", s);
            }
            return usage_error("unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    {
        /* stdin can feed one option only */
        const char *in[] = { o->client_secret_file, o->refresh_token_file, o->token_file,
                             o->callback_url, o->code_file, o->password_file };
        int n = 0;
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
            if (in[i] != NULL && strcmp(in[i], "-") == 0) n++;
        }
        if (n > 1) return usage_error("%s", "only one option can read stdin (-)");
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    if (o->nargs == 0) {
        fputs(k_usage, stderr);
        return EXIT_USAGE;
    }
    /* environment defaults */
    if (o->login_url == NULL) o->login_url = getenv("SFOAUTH_LOGIN_URL");
    if (o->sandbox) o->login_url = SANDBOX_LOGIN_URL;
    if (o->login_url == NULL || o->login_url[0] == '\0') o->login_url = DEFAULT_LOGIN_URL;
    if (o->client_id == NULL) o->client_id = getenv("SFOAUTH_CLIENT_ID");
    if (o->username == NULL) o->username = getenv("SFOAUTH_USERNAME");
    if (o->key_file == NULL) o->key_file = getenv("SFOAUTH_KEY_FILE");
    return 0;
}

/* ---- runtime state ------------------------------------------------------------------- */
static struct sfo_posix_port g_pp;
static bool g_pp_up;
static void port_down(void)
{
    if (g_pp_up) {
        sfo_posix_port_deinit(&g_pp);
        g_pp_up = false;
    }
}

struct run {
    struct opts *o;
    struct sfo_port port;
    struct sfo_client cl;
    uint8_t *work;
    char *secret;          /* client secret or NULL */
    char ident[1024];      /* cache identity */
    struct cli_out out;
};

static int64_t wall_now(void)
{
    return (int64_t)time(NULL);
}

/* Does no_proxy exempt host? */
static bool no_proxy_match(const char *host, size_t hl)
{
    const char *np = getenv("no_proxy");
    if (np == NULL) np = getenv("NO_PROXY");
    if (np == NULL) return false;
    char *dup = strdup(np), *save = NULL;
    bool m = false;
    for (char *t = strtok_r(dup, ", ", &save); t && !m; t = strtok_r(NULL, ", ", &save)) {
        if (strcmp(t, "*") == 0) { m = true; break; }
        const char *d = t[0] == '.' ? t + 1 : t;
        size_t dl = strlen(d);
        m = (dl == hl && strncasecmp(host, d, hl) == 0) ||
            (dl < hl && host[hl - dl - 1] == '.' && strncasecmp(host + hl - dl, d, dl) == 0);
    }
    free(dup);
    return m;
}

static int need(const char *v, const char *what)
{
    if (v == NULL || v[0] == '\0') {
        return usage_error("%s is required", what);
    }
    return 0;
}

/* Set up the port and the client; read the client secret. */
static int run_setup(struct run *r, bool need_client_id)
{
    struct opts *o = r->o;
    int rc;
    if (need_client_id && (rc = need(o->client_id, "--client-id (or SFOAUTH_CLIENT_ID)")))
        return rc;
    const char *err;
    r->secret = cli_secret_read(o->client_secret_file, "SFOAUTH_CLIENT_SECRET", &err);
    if (r->secret == NULL && err != NULL) {
        return cli_errorf(EXIT_INPUT, "client secret %s: %s",
                          o->client_secret_file ? o->client_secret_file
                                                : "(SFOAUTH_CLIENT_SECRET)", err);
    }
    struct sfo_posix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_source = o->cacert ? SFO_CA_FILE : SFO_CA_SYSTEM;
    cfg.ca_file = o->cacert;
    if (cli_verbose > 0) {
        cfg.log = cli_trace_log;
        cfg.log_level = SFO_LOG_DEBUG;
    }
    rc = sfo_posix_port_init(&g_pp, &cfg, &r->port);
    g_pp_up = true;
    atexit(port_down);
    if (rc != SFO_OK) {
        return cli_fail(o->cacert ? "loading --cacert" : "loading the system trust store", rc,
                        NULL, NULL, NULL);
    }
    r->work = calloc(1, SFO_CLI_WORK);
    if (r->work == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(r->work, SFO_CLI_WORK);
    rc = sfo_client_init(&r->cl, &r->port, o->login_url,
                         o->client_id ? o->client_id : "-", r->work, SFO_CLI_WORK);
    if (rc != SFO_OK) return cli_fail("client setup", rc, NULL, NULL, NULL);
    r->cl.token_url = o->token_url;
    r->cl.authorize_url = o->authorize_url;
    r->cl.revoke_url = o->revoke_url;
    r->cl.introspect_url = o->introspect_url;
    r->cl.userinfo_url = o->userinfo_url;
    r->cl.device_url = o->device_url;
    if (r->secret != NULL) {
        r->cl.client_secret = (const uint8_t *)r->secret;
        r->cl.client_secret_len = strlen(r->secret);
    }
    r->cl.basic_auth = o->basic_auth;
    r->cl.dialect = o->rfc ? SFO_DIALECT_RFC : SFO_DIALECT_SALESFORCE;
    r->cl.timeout_ms = (uint32_t)o->timeout_s * 1000u;
    if (r->cl.deadline_ms < r->cl.timeout_ms * 3u) r->cl.deadline_ms = r->cl.timeout_ms * 3u;
    /* proxy: --proxy, else https_proxy unless no_proxy names the host */
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
    snprintf(r->ident, sizeof r->ident, "%s %s %s",
             o->token_url ? o->token_url : o->login_url, o->client_id ? o->client_id : "-",
             o->username ? o->username : "-");
    r->out.mode = o->output;
    r->out.field = o->field;
    r->out.mask = o->mask;
    return 0;
}

/* Copy a library token into a CLI token and work out its expiry. */
static void take_token(struct run *r, struct sfo_token *st, struct cli_token *t)
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
    int64_t now = wall_now();
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
    sfo_token_wipe(st);
}

static struct sfo_token *new_sfo_token(void)
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

static int token_fail(const char *what, int rc, const struct sfo_oauth_error *e,
                      const char *flow)
{
    char w[256];
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

/* Store (cache, rotated refresh token file) then print. */
static int deliver(struct run *r, struct cli_token *t, const char *old_refresh)
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

/* ---- flows ---------------------------------------------------------------------------- */

static int do_jwt(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    if ((rc = need(o->username, "--username (or SFOAUTH_USERNAME)"))) return rc;
    if ((rc = need(o->key_file, "--key FILE (or SFOAUTH_KEY_FILE)"))) return rc;
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
    struct sfo_token *st = new_sfo_token();
    rc = sfo_jwt_bearer(&r->cl, &j, st);
    cli_secret_drop(key);
    free(key);
    if (rc != SFO_OK) {
        if (rc == SFO_E_KEY || rc == SFO_E_KEY_TYPE) {
            return cli_fail(o->key_file, rc, NULL, NULL, "jwt");
        }
        return token_fail("jwt bearer grant", rc, &st->err, "jwt");
    }
    take_token(r, st, t);
    return 0;
}

static int do_refresh(struct run *r, const char *refresh, struct cli_token *t)
{
    struct sfo_token *st = new_sfo_token();
    size_t n = strlen(refresh);
    if (n >= sizeof st->refresh_token) {
        return cli_errorf(EXIT_INPUT, "refresh token longer than %u bytes",
                          (unsigned)sizeof st->refresh_token - 1);
    }
    memcpy(st->refresh_token, refresh, n + 1);
    int rc = sfo_refresh(&r->cl, st);
    if (rc != SFO_OK) return token_fail("refresh grant", rc, &st->err, "refresh");
    take_token(r, st, t);
    return 0;
}

static int do_client_credentials(struct run *r, struct cli_token *t)
{
    if (r->secret == NULL) {
        return usage_error("%s", "client-credentials needs --client-secret-file FILE|- or "
                           "SFOAUTH_CLIENT_SECRET");
    }
    struct sfo_token *st = new_sfo_token();
    int rc = sfo_client_credentials(&r->cl, r->o->scope, st);
    if (rc != SFO_OK) return token_fail("client credentials grant", rc, &st->err, "client");
    take_token(r, st, t);
    return 0;
}

static int do_password(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    if ((rc = need(o->username, "--username (or SFOAUTH_USERNAME)"))) return rc;
    const char *err;
    char *pw = cli_secret_read(o->password_file, "SFOAUTH_PASSWORD", &err);
    if (pw == NULL) {
        if (err != NULL) return cli_errorf(EXIT_INPUT, "password: %s", err);
        return usage_error("%s", "password needs --password-file FILE|- or SFOAUTH_PASSWORD");
    }
    fputs("sfoauth: warning: the username-password flow is deprecated by Salesforce and "
          "blocked by default in new orgs; prefer jwt, login or client-credentials\n", stderr);
    r->cl.allow_password = true;
    struct sfo_token *st = new_sfo_token();
    rc = sfo_password_grant(&r->cl, o->username, pw, strlen(pw), st);
    cli_secret_drop(pw);
    free(pw);
    if (rc != SFO_OK) return token_fail("password grant", rc, &st->err, "password");
    take_token(r, st, t);
    return 0;
}

static int do_device(struct run *r, struct cli_token *t)
{
    struct sfo_device *d = calloc(1, sizeof *d);
    if (d == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(d, sizeof *d);
    int rc = sfo_device_start(&r->cl, r->o->scope, d);
    if (rc != SFO_OK) return token_fail("device authorization", rc, &d->err, "device");
    fprintf(stderr, "To sign in, open %s and enter the code %s\n", d->verification_uri,
            d->user_code);
    if (d->verification_uri_complete[0] != '\0') {
        fprintf(stderr, "or open %s\n", d->verification_uri_complete);
    }
    fprintf(stderr, "Waiting for approval (polling every %u s, up to %d s)...\n",
            (unsigned)d->interval_s, r->o->wait_s);
    fflush(stderr);
    struct sfo_token *st = new_sfo_token();
    rc = sfo_device_poll(&r->cl, d, (uint32_t)r->o->wait_s, st);
    if (rc != SFO_OK) return token_fail("device flow", rc, &st->err, "device");
    take_token(r, st, t);
    return 0;
}

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

static int do_login(struct run *r, struct cli_token *t)
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
        cb = calloc(1, SFO_LOOPBACK_REQ_MAX);
        if (cb == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
        cli_secret_keep(cb, SFO_LOOPBACK_REQ_MAX);
        rc = sfo_loopback_wait(lb, (uint32_t)o->wait_s * 1000u, cb, SFO_LOOPBACK_REQ_MAX, NULL);
        sfo_loopback_close(lb);
        free(lb);
        if (rc != SFO_OK) return cli_fail("waiting for the browser's redirect", rc, NULL, NULL,
                                          "code");
    }
    char *code = calloc(1, 2048);
    if (code == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(code, 2048);
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_callback_parse(cb, strlen(cb), az, code, 2048, &e);
    if (rc != SFO_OK) {
        return cli_fail("callback URL", rc, e.error, e.error_description, "code");
    }
    struct sfo_token *st = new_sfo_token();
    rc = sfo_code_exchange(&r->cl, code, redirect, az, st);
    sfo_wipe(az, sizeof *az);
    if (rc != SFO_OK) return token_fail("code exchange", rc, &st->err, "code");
    take_token(r, st, t);
    return 0;
}

static int do_code(struct run *r, struct cli_token *t)
{
    struct opts *o = r->o;
    int rc;
    const char *redirect = o->redirect_uri ? o->redirect_uri : DEFAULT_REDIRECT;
    char *code = calloc(1, 2048);
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
        return usage_error("%s", "code needs --callback-url FILE|-, --code - or --code-file FILE");
    }
    struct sfo_token *st = new_sfo_token();
    rc = sfo_code_exchange(&r->cl, code, redirect, NULL, st);
    if (rc != SFO_OK) return token_fail("code exchange", rc, &st->err, "code");
    take_token(r, st, t);
    return 0;
}

/* The refresh token to use: --refresh-token-file / SFOAUTH_REFRESH_TOKEN, else cache. */
static int get_refresh_token(struct run *r, const struct cli_token *cached, char **out)
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

/* Token for revoke/introspect/userinfo: --token-file / SFOAUTH_TOKEN, else the cache. */
static int get_subject_token(struct run *r, bool prefer_refresh, char **out)
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
        return usage_error("%s", "no token: give --token-file FILE|-, SFOAUTH_TOKEN or a --cache "
                           "holding one");
    return 0;
}

/* ---- commands --------------------------------------------------------------------------- */

typedef int (*flow_fn)(struct run *, struct cli_token *);

static int cmd_flow(struct run *r, flow_fn fn)
{
    struct cli_token t;
    struct cli_cache lock = { NULL, -1 };
    memset(&t, 0, sizeof t);
    int rc;
    if (r->o->cache != NULL &&
        (rc = cli_cache_lock(&lock, r->o->cache, r->o->timeout_s * 4 + r->o->wait_s)) != 0)
        return rc;
    rc = fn(r, &t);
    if (rc == 0) rc = deliver(r, &t, NULL);
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    return rc;
}

static int cmd_refresh(struct run *r)
{
    struct cli_token cached, t;
    struct cli_cache lock = { NULL, -1 };
    memset(&cached, 0, sizeof cached);
    memset(&t, 0, sizeof t);
    int rc;
    if (r->o->cache != NULL &&
        (rc = cli_cache_lock(&lock, r->o->cache, r->o->timeout_s * 4)) != 0) return rc;
    if (r->o->cache != NULL) (void)cli_cache_read(r->o->cache, r->ident, &cached);
    char *rt = NULL;
    rc = get_refresh_token(r, &cached, &rt);
    if (rc == 0 && rt == NULL)
        rc = usage_error("%s", "refresh needs --refresh-token-file FILE|-, "
                         "SFOAUTH_REFRESH_TOKEN or a --cache holding a refresh token");
    if (rc == 0) rc = do_refresh(r, rt, &t);
    if (rc == 0) rc = deliver(r, &t, rt);
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    cli_token_clear(&cached);
    return rc;
}

static int cmd_token(struct run *r)
{
    struct opts *o = r->o;
    struct cli_token cached, t;
    struct cli_cache lock = { NULL, -1 };
    memset(&cached, 0, sizeof cached);
    memset(&t, 0, sizeof t);
    int rc = 0;
    if (!o->output_given && o->field == NULL) r->out.field = "access_token";
    if (o->cache != NULL) {
        if ((rc = cli_cache_lock(&lock, o->cache, o->timeout_s * 4 + 10)) != 0) return rc;
        if (cli_cache_read(o->cache, r->ident, &cached) == 0 &&
            cached.f[TK_ACCESS_TOKEN] != NULL && cached.expires_at > wall_now()) {
            cli_tracef("cache hit: access token valid for %lld s more",
                       (long long)(cached.expires_at - wall_now()));
            rc = cli_print_token(stdout, &r->out, &cached);
            goto done;
        }
        cli_tracef("cache miss or expired");
    }
    char *rt = NULL;
    if ((rc = get_refresh_token(r, &cached, &rt)) != 0) goto done;
    bool have_flow = o->key_file != NULL || o->flow != NULL;
    if (rt != NULL) {
        rc = do_refresh(r, rt, &t);
        if (rc == 0) {
            /* keep the refresh token when the server did not rotate it */
            if (t.f[TK_REFRESH_TOKEN] == NULL) cli_token_set(&t, TK_REFRESH_TOKEN, rt, strlen(rt));
            rc = deliver(r, &t, rt);
            goto done;
        }
        if (rc != EXIT_OAUTH || !have_flow) goto done;
        fputs("sfoauth: refresh failed; running the configured flow instead\n", stderr);
    }
    const char *flow = o->flow ? o->flow : (o->key_file ? "jwt" : NULL);
    if (flow == NULL) {
        rc = usage_error("%s", "no valid token cached and no way to get one: give --key (jwt), "
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
    if (rc == 0) rc = deliver(r, &t, NULL);
done:
    cli_cache_unlock(&lock);
    cli_token_clear(&t);
    cli_token_clear(&cached);
    return rc;
}

static int cmd_revoke(struct run *r)
{
    char *tok;
    int rc = get_subject_token(r, true, &tok);
    if (rc != 0) return rc;
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_revoke(&r->cl, tok, &e);
    if (rc != SFO_OK) return token_fail("revoke", rc, &e, "revoke");
    if (r->o->cache != NULL && r->o->token_file == NULL) {
        /* the cache's token is dead now: drop the cache */
        struct cli_cache lock = { NULL, -1 };
        if (cli_cache_lock(&lock, r->o->cache, r->o->timeout_s) == 0) {
            (void)unlink(r->o->cache);
            cli_cache_unlock(&lock);
        }
    }
    struct cli_kvlist l = { 0 };
    cli_kv_add(&l, "revoked", "true", 4, true);
    rc = cli_print_kv(stdout, &r->out, &l);
    cli_kv_free(&l);
    return rc;
}

static int cmd_introspect(struct run *r)
{
    char *tok;
    int rc = get_subject_token(r, false, &tok);
    if (rc != 0) return rc;
    struct sfo_introspection *in = calloc(1, sizeof *in);
    if (in == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    rc = sfo_introspect(&r->cl, tok, r->o->hint, in);
    if (rc != SFO_OK) {
        rc = token_fail("introspect", rc, &in->err, "introspect");
        free(in);
        return rc;
    }
    struct cli_kvlist l = { 0 };
    char num[32];
    cli_kv_add(&l, "active", in->active ? "true" : "false", in->active ? 4 : 5, true);
    const struct { const char *n; const char *v; } s[] = {
        { "scope", in->scope }, { "client_id", in->client_id }, { "username", in->username },
        { "sub", in->sub }, { "token_type", in->token_type },
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        if (s[i].v[0] != '\0') cli_kv_add(&l, s[i].n, s[i].v, strlen(s[i].v), false);
    }
    const struct { const char *n; int64_t v; } nums[] = {
        { "exp", in->exp }, { "iat", in->iat }, { "nbf", in->nbf },
    };
    for (size_t i = 0; i < 3; i++) {
        if (nums[i].v != 0) {
            snprintf(num, sizeof num, "%lld", (long long)nums[i].v);
            cli_kv_add(&l, nums[i].n, num, strlen(num), true);
        }
    }
    free(in);
    rc = cli_print_kv(stdout, &r->out, &l);
    cli_kv_free(&l);
    return rc;
}

static int cmd_userinfo(struct run *r)
{
    char *tok;
    int rc = get_subject_token(r, false, &tok);
    if (rc != 0) return rc;
    char *body = calloc(1, SFO_CLI_USERINFO_MAX);
    if (body == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(body, SFO_CLI_USERINFO_MAX);
    size_t n = 0;
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_userinfo(&r->cl, tok, body, SFO_CLI_USERINFO_MAX, &n, &e);
    if (rc != SFO_OK) return token_fail("userinfo", rc, &e, "userinfo");
    if (r->o->field != NULL) {
        char *val = malloc(n + 1);
        struct sfo_field f;
        memset(&f, 0, sizeof f);
        f.name = r->o->field;
        f.type = SFO_FIELD_TEXT;
        f.str = val;
        f.cap = n + 1;
        struct sfo_extract x;
        uint8_t stack[SFO_JSON_STACK_BYTES(32)];
        rc = sfo_extract_init(&x, &f, 1, stack, 32);
        if (rc == SFO_OK) rc = sfo_extract_feed(&x, body, n);
        if (rc == SFO_OK) rc = sfo_extract_finish(&x);
        if (rc == SFO_OK && f.present) {
            printf("%s\n", val);
        } else if (rc == SFO_OK || rc == SFO_E_JSON_TYPE) {
            rc = cli_errorf(EXIT_USAGE, "field %s is not a string or number of the response",
                            r->o->field);
        } else {
            rc = cli_fail("userinfo", rc, NULL, NULL, NULL);
        }
        free(val);
        return rc;
    }
    fwrite(body, 1, n, stdout);
    fputc('\n', stdout);
    return 0;
}

static int cmd_decode_url(struct opts *o)
{
    const char *src = o->nargs > 1 ? o->args[1] : "-";
    char *in = NULL;
    if (o->nargs > 2) return usage_error("%s", "decode-url takes one STRING (or - for stdin)");
    if (strcmp(src, "-") == 0) {
        size_t n;
        if (cli_stdin_users++ > 0) return usage_error("%s", "stdin can feed only one option");
        in = cli_read_all("-", &n);
        if (in == NULL) return cli_errorf(EXIT_INPUT, "stdin: %s", strerror(errno));
        cli_secret_keep(in, n + 1);
        while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r')) in[--n] = '\0';
    } else {
        in = strdup(src);
        if (in == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
        cli_secret_keep(in, strlen(in) + 1);
    }
    size_t n = strlen(in);
    char *out = calloc(1, n + 1);
    if (out == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(out, n + 1);
    size_t ol = 0;
    int rc;
    if (o->param != NULL) {
        const char *q = in;
        size_t qn = n;
        if (strncasecmp(in, "http://", 7) == 0 || strncasecmp(in, "https://", 8) == 0) {
            struct sfo_url u;
            if ((rc = sfo_url_parse(in, n, &u)) != SFO_OK) return cli_fail("URL", rc, NULL, NULL, NULL);
            q = u.query ? u.query : "";
            qn = u.query_len;
        } else if (q[0] == '?') {
            q++;
            qn--;
        }
        rc = sfo_query_get(q, qn, o->param, out, n + 1, &ol);
        if (rc == SFO_E_NOT_FOUND) return cli_errorf(EXIT_INPUT, "parameter %s not found", o->param);
        if (rc != SFO_OK) return cli_fail(o->param, rc, NULL, NULL, NULL);
    } else {
        rc = sfo_pct_decode(in, n, SFO_PCT_FORM, out, n + 1, &ol);
        if (rc != SFO_OK) return cli_fail("decode", rc, NULL, NULL, NULL);
    }
    fwrite(out, 1, ol, stdout);
    fputc('\n', stdout);
    return 0;
}

static void on_signal(int sig)
{
    /* Only sfo_wipe (memset) over the tracked list, which cli_secret_keep changes
     * with these signals blocked: async-signal-safe in practice. */
    cli_secret_wipe_all(); // NOLINT(bugprone-signal-handler,cert-sig30-c)
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    struct opts o;
    struct run r;
    int rc;

    cli_secret_protect();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = parse_opts(argc, argv, &o)) != 0) return rc;
    if (o.args == NULL || o.nargs < 1) return usage_error("no command given");
    const char *cmd = o.args[0];
    memset(&r, 0, sizeof r);
    r.o = &o;

    if (strcmp(cmd, "decode-url") == 0) {
        rc = cmd_decode_url(&o);
    } else if (o.nargs > 1) {
        rc = usage_error("unexpected argument %s", o.args[1]);
    } else if (strcmp(cmd, "jwt") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_jwt);
    } else if (strcmp(cmd, "login") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_login);
    } else if (strcmp(cmd, "code") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_code);
    } else if (strcmp(cmd, "refresh") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_refresh(&r);
    } else if (strcmp(cmd, "client-credentials") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_client_credentials);
    } else if (strcmp(cmd, "device") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_device);
    } else if (strcmp(cmd, "password") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_flow(&r, do_password);
    } else if (strcmp(cmd, "revoke") == 0) {
        if ((rc = run_setup(&r, false)) == 0) rc = cmd_revoke(&r);
    } else if (strcmp(cmd, "introspect") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_introspect(&r);
    } else if (strcmp(cmd, "userinfo") == 0) {
        if ((rc = run_setup(&r, false)) == 0) rc = cmd_userinfo(&r);
    } else if (strcmp(cmd, "token") == 0) {
        if ((rc = run_setup(&r, true)) == 0) rc = cmd_token(&r);
    } else {
        rc = usage_error("unknown command %s (sfoauth --help lists them)", cmd);
    }
    fflush(stdout);
    if (ferror(stdout) && rc == 0) rc = cli_errorf(EXIT_INTERNAL, "writing the output failed");
    port_down();
    cli_secret_wipe_all();
    return rc;
}
