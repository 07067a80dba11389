/*
 * Option parsing: one table (cli_optdefs) gives each option's parser, the
 * commands that take it and its help line.
 * No option takes a secret value: client secrets, passwords, refresh tokens,
 * access tokens, authorization codes and callback URLs come from files, stdin
 * ("-") or the environment, because a command line is visible to every user
 * of the machine (ps, /proc/PID/cmdline) and lands in shell history.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define NET                                                                                       \
    (CB(CMD_JWT) | CB(CMD_LOGIN) | CB(CMD_CODE) | CB(CMD_REFRESH) | CB(CMD_CC) | CB(CMD_DEVICE) | \
     CB(CMD_PASSWORD) | CB(CMD_REVOKE) | CB(CMD_INTROSPECT) | CB(CMD_USERINFO) | CB(CMD_TOKEN))
#define TOK                                                                                       \
    (CB(CMD_JWT) | CB(CMD_LOGIN) | CB(CMD_CODE) | CB(CMD_REFRESH) | CB(CMD_CC) | CB(CMD_DEVICE) | \
     CB(CMD_PASSWORD) | CB(CMD_TOKEN))
#define SEC    (TOK | CB(CMD_REVOKE) | CB(CMD_INTROSPECT))
#define ALL    (NET | CB(CMD_DECODE))
#define OFF(m) offsetof(struct opts, m)
#define S(n, a, m, c, h)                  \
    {                                     \
        n, a, h, 0, 0, OFF(m), c, OPT_STR \
    }
#define F(n, m, c, h)                         \
    {                                         \
        n, NULL, h, 0, 0, OFF(m), c, OPT_FLAG \
    }
#define I(n, a, m, lo, hi, c, h)            \
    {                                       \
        n, a, h, lo, hi, OFF(m), c, OPT_INT \
    }
#define X(n, a, c, h)                    \
    {                                    \
        n, a, h, 0, 0, 0, c, OPT_SPECIAL \
    }

const struct cli_optdef cli_optdefs[] = {
    S("login-url", "URL", login_url, NET,
      "login host [SFOAUTH_LOGIN_URL] (default " DEFAULT_LOGIN_URL ")"),
    F("sandbox", sandbox, NET, "login host " SANDBOX_LOGIN_URL " (not with --login-url)"),
    S("token-url", "URL", token_url, TOK, "token endpoint (default LOGIN/services/oauth2/token)"),
    S("authorize-url", "URL", authorize_url, CB(CMD_LOGIN), "authorize endpoint"),
    S("revoke-url", "URL", revoke_url, CB(CMD_REVOKE), "revoke endpoint"),
    S("introspect-url", "URL", introspect_url, CB(CMD_INTROSPECT) | TOK, "introspection endpoint"),
    S("userinfo-url", "URL", userinfo_url, CB(CMD_USERINFO), "userinfo endpoint"),
    S("device-url", "URL", device_url, CB(CMD_DEVICE),
      "RFC 8628 device authorization endpoint (default LOGIN/services/oauth2/device)"),
    S("client-id", "ID", client_id, NET, "consumer key [SFOAUTH_CLIENT_ID]"),
    S("client-secret-file", "FILE|-", client_secret_file, SEC,
      "consumer secret [SFOAUTH_CLIENT_SECRET]"),
    X("client-secret", "SECRET", 0, NULL),
    F("basic-auth", basic_auth, SEC, "send the client credentials with HTTP Basic"),
    S("username", "NAME", username, CB(CMD_JWT) | CB(CMD_PASSWORD) | CB(CMD_TOKEN) | CB(CMD_LOGIN),
      "user name (login: the login hint) [SFOAUTH_USERNAME]"),
    S("key", "FILE|-", key_file, CB(CMD_JWT) | CB(CMD_TOKEN),
      "RSA private key for jwt, PEM or DER [SFOAUTH_KEY_FILE]"),
    S("audience", "URL", audience, CB(CMD_JWT) | CB(CMD_TOKEN),
      "JWT aud (default: from the login URL)"),
    S("redirect-uri", "URL", redirect_uri, CB(CMD_LOGIN) | CB(CMD_CODE),
      "callback URL (default " DEFAULT_REDIRECT ")"),
    S("scope", "'S1 S2'", scope, CB(CMD_LOGIN) | CB(CMD_CC) | CB(CMD_DEVICE), "scopes asked for"),
    S("prompt", "P", prompt, CB(CMD_LOGIN), "login, consent or select_account"),
    F("no-pkce", no_pkce, CB(CMD_LOGIN), "no PKCE code challenge"),
    F("paste", paste, CB(CMD_LOGIN), "read the pasted callback URL (one line) from stdin"),
    S("browser", "CMD", browser, CB(CMD_LOGIN), "run CMD URL to open the authorize URL"),
    I("wait", "SECONDS", wait_s, 1, 86400, CB(CMD_LOGIN) | CB(CMD_DEVICE),
      "how long to wait for approval (default 300; device: at most the code's expiry)"),
    X("callback-url", "FILE|-", CB(CMD_CODE), "the whole redirect URL (one line)"),
    X("code", "-", CB(CMD_CODE), "read the code (one line) from stdin"),
    S("code-file", "FILE", code_file, CB(CMD_CODE), "read the code from FILE"),
    S("code-verifier", "FILE|-", code_verifier, CB(CMD_CODE),
      "PKCE code verifier of the authorize request that gave the code"),
    S("password-file", "FILE|-", password_file, CB(CMD_PASSWORD) | CB(CMD_TOKEN),
      "password + security token [SFOAUTH_PASSWORD]"),
    S("refresh-token-file", "FILE|-", refresh_token_file, CB(CMD_REFRESH) | CB(CMD_TOKEN),
      "refresh token [SFOAUTH_REFRESH_TOKEN]; a rotated one is written back"),
    S("token-file", "FILE|-", token_file, CB(CMD_REVOKE) | CB(CMD_INTROSPECT) | CB(CMD_USERINFO),
      "the token [SFOAUTH_TOKEN]"),
    S("token-type-hint", "H", hint, CB(CMD_INTROSPECT), "access_token or refresh_token"),
    F("rfc", rfc, CB(CMD_DEVICE), "RFC 8628 dialect (default endpoint: see --device-url)"),
    S("flow", "F", flow, CB(CMD_TOKEN), "jwt, client-credentials or password"),
    S("cacert", "FILE", cacert, NET,
      "trust the CA certificates (PEM) of FILE "
      "[SSL_CERT_FILE, SSL_CERT_DIR]"),
    S("ca", "SOURCE", ca, NET, "salesforce: the compiled-in Salesforce roots; system"),
    S("proxy", "URL", proxy, NET, "HTTP proxy for CONNECT [https_proxy, no_proxy]"),
    I("timeout", "SECONDS", timeout_s, 1, 3600, NET, "per HTTP exchange (default 30)"),
    I("max-time", "SECONDS", max_time_s, 1, 86400, NET,
      "the whole command, every retry and wait included"),
    I("retries", "N", retries, 0, 10, NET,
      "extra attempts after a retryable failure "
      "(default 2)"),
    S("cache", "FILE", cache, NET, "token cache (JSON, 0600, atomic, locked)"),
    I("session-lifetime", "S", session_lifetime_s, 60, 30 * 86400, TOK,
      "validity assumed without expires_in (default 7200)"),
    I("expiry-margin", "S", margin_s, 0, 86400, TOK,
      "renew this long before expiry "
      "(default 300)"),
    F("introspect-expiry", introspect_expiry, TOK, "ask the introspection endpoint for exp"),
    X("output", "json|env|header", NET,
      "JSON (default), SFOAUTH_*= lines for eval, or "
      "an Authorization header"),
    S("field", "NAME", field, NET, "print one field's raw value"),
    F("mask", mask, NET, "show credentials as abcdef...wxyz"),
    S("param", "NAME", param, CB(CMD_DECODE), "print parameter NAME of the URL, decoded"),
    X("verbose", NULL, ALL, "-v: trace connection, TLS and HTTP to stderr (secrets redacted)"),
    X("help", NULL, ALL, "-h: this help"),
    X("version", NULL, 0, NULL),
};
const size_t cli_noptdefs = sizeof cli_optdefs / sizeof cli_optdefs[0];
_Static_assert(CMD_COUNT <= 16 && sizeof(struct opts) <= UINT16_MAX,
               "struct cli_optdef: cmds and off are 16-bit");

/* Contract in cmd.h: one usage line on stderr, noted for the JSON error; EXIT_USAGE. */
int usage_error(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    cli_vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cli_error_note(EXIT_USAGE, 0, line);
    cli_fprintf(stderr, "sfoauth: %s\n(sfoauth --help for usage)\n", line);
    return EXIT_USAGE;
}

/* A decimal integer in min..max into *out; false otherwise. */
static bool parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) return false;
    *out = (int)v;
    return true;
}

/* A value that looks like a URL or a code rather than FILE or "-". */
static bool looks_like_secret_value(const char *s)
{
    return strcmp(s, "-") != 0 && (strstr(s, "://") != NULL || strstr(s, "code=") != NULL);
}

/* Options parsed by code of their own. */
static int parse_special(const char *name, const char *val, struct opts *o, bool *done)
{
    if (strcmp(name, "client-secret") == 0)
        return usage_error("--client-secret takes no value on the command line (it would be "
                           "readable by every user via ps): use --client-secret-file FILE|- "
                           "or SFOAUTH_CLIENT_SECRET");
    if (strcmp(name, "output") == 0) {
        o->output_given = true;
        o->output_name = val;
        if (strcmp(val, "json") == 0)
            o->output = OUT_JSON;
        else if (strcmp(val, "env") == 0)
            o->output = OUT_ENV;
        else if (strcmp(val, "header") == 0)
            o->output = OUT_HEADER;
        else
            return usage_error("--output: %s is not json, env or header", val);
        return 0;
    }
    if (strcmp(name, "callback-url") == 0) {
        if (looks_like_secret_value(val))
            return usage_error("--callback-url takes FILE or - (stdin), not the URL itself: "
                               "the URL carries the authorization code, and a command line "
                               "is readable by every user (ps) and kept in shell history");
        o->callback_url = val;
        return 0;
    }
    if (strcmp(name, "code") == 0) {
        if (strcmp(val, "-") != 0)
            return usage_error("--code takes only - (read the code from stdin): a code is a "
                               "secret and a command line is readable by every user (ps); or "
                               "use --code-file FILE");
        o->code_file = val;
        return 0;
    }
    if (strcmp(name, "verbose") == 0) {
        cli_verbose = 2;
    } else if (strcmp(name, "help") == 0) {
        o->help = true;
    } else if (strcmp(name, "version") == 0) {
        cli_fprintf(stdout, "sfoauth %s (%s)\n", SFO_VERSION, BACKEND_NAME);
        *done = true;
    }
    return 0;
}

/* Store the value of option d (val: its value, "" for a flag). */
static int parse_one(const struct cli_optdef *d, const char *val, struct opts *o, bool *done)
{
    char *base = (char *)o;
    switch (d->kind) {
    case OPT_STR: *(const char **)(void *)(base + d->off) = val; return 0;
    case OPT_FLAG: *(bool *)(void *)(base + d->off) = true; return 0;
    case OPT_INT:
        if (!parse_int(val, d->min, d->max, (int *)(void *)(base + d->off)))
            return usage_error("--%s: %s is not %d..%d", d->name, val, d->min, d->max);
        return 0;
    default: return parse_special(d->name, val, o, done);
    }
}

/* The message for an unknown option or a missing value (arg: the argv word). */
static int bad_option(const char *arg, int opt)
{
    if (opt >= 256 && (size_t)(opt - 256) < cli_noptdefs)
        return usage_error("--%s needs a value (%s)", cli_optdefs[opt - 256].name,
                           cli_optdefs[opt - 256].arg);
    if (opt != 0) return usage_error("unknown option -%c", opt);
    if (arg == NULL) return usage_error("unknown option");
    char name[64];
    const char *s = arg[0] == '-' && arg[1] == '-' ? arg + 2 : arg;
    size_t n = strcspn(s, "=");
    cli_snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), s);
    for (size_t i = 0; i < cli_noptdefs; i++) {
        if (strcmp(cli_optdefs[i].name, name) == 0 && cli_optdefs[i].arg != NULL)
            return usage_error("--%s needs a value (%s)", name, cli_optdefs[i].arg);
    }
    const char *best = cli_suggest_opt(name);
    if (best != NULL) return usage_error("unknown option %s: did you mean --%s?", arg, best);
    return usage_error("unknown option %s", arg);
}

/* Every option at its default. */
static void set_defaults(struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 30;
    o->wait_s = 300;
    o->session_lifetime_s = 7200;
    o->margin_s = 300;
    o->retries = -1;
    o->cmd = -1;
}

/* Fields each kind of answer has (NULL: any, userinfo). */
static const char *const k_introspect_fields[] = { "active", "scope",      "client_id", "username",
                                                   "sub",    "token_type", "exp",       "iat",
                                                   "nbf",    NULL };

/* --field NAME must be a field of the command's answer; --output header only for tokens. */
static int check_output(const struct opts *o)
{
    bool token = o->cmd != CMD_REVOKE && o->cmd != CMD_INTROSPECT && o->cmd != CMD_USERINFO;
    if (o->output == OUT_HEADER && !token)
        return usage_error("--output header prints an access token: %s has none",
                           cli_cmd_name(o->cmd));
    if (o->field == NULL || o->cmd == CMD_USERINFO) return 0;
    const char *names[TK_COUNT + 3];
    size_t n = 0;
    if (token) {
        for (int k = 0; k < TK_COUNT; k++) names[n++] = cli_tk_name[k];
        names[n++] = "expires_in";
        names[n++] = "expires_at";
    } else if (o->cmd == CMD_REVOKE) {
        names[n++] = "revoked";
    } else {
        for (size_t i = 0; k_introspect_fields[i] != NULL; i++) names[n++] = k_introspect_fields[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], o->field) == 0) return 0;
    }
    char list[512] = "";
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list);
        cli_snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    return usage_error("--field %s: %s answers %s", o->field, cli_cmd_name(o->cmd), list);
}

/* Checks across options, then the environment defaults. */
static int finish_opts(struct opts *o)
{
    /* stdin can feed one option only */
    const char *in[] = { o->client_secret_file, o->refresh_token_file,
                         o->token_file,         o->callback_url,
                         o->code_file,          o->password_file,
                         o->code_verifier,      o->key_file };
    int n = 0;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        if (in[i] != NULL && strcmp(in[i], "-") == 0) n++;
    }
    if (n > 1) return usage_error("only one option can read stdin (-)");
    if (o->sandbox && o->login_url != NULL)
        return usage_error("--sandbox and --login-url both name the login host: give one");
    if (o->field != NULL && o->output_given && o->output != OUT_JSON)
        return usage_error("--field prints one raw value: it does not combine with --output %s",
                           o->output_name);
    if (o->cmd >= 0 && o->cmd != CMD_DECODE && o->cmd != CMD_HELP && (n = check_output(o)) != 0)
        return n;
    if (o->login_url == NULL) o->login_url = getenv("SFOAUTH_LOGIN_URL");
    if (o->sandbox) o->login_url = SANDBOX_LOGIN_URL;
    if (o->login_url == NULL || o->login_url[0] == '\0') o->login_url = DEFAULT_LOGIN_URL;
    if (o->client_id == NULL) o->client_id = getenv("SFOAUTH_CLIENT_ID");
    if (o->username == NULL) o->username = getenv("SFOAUTH_USERNAME");
    if (o->key_file == NULL) o->key_file = getenv("SFOAUTH_KEY_FILE");
    return 0;
}

/* Index of the option named name in cli_optdefs (0 when absent). */
static int opt_index(const char *name)
{
    for (size_t i = 0; i < cli_noptdefs; i++) {
        if (strcmp(cli_optdefs[i].name, name) == 0) return (int)i;
    }
    return 0;
}

/* The option a long option word names (s: after "--", n bytes up to any '='): the
 * one named exactly, else the only one it abbreviates; -1 when none or ambiguous. */
static int find_long(const char *s, size_t n)
{
    int hit = -1, count = 0;
    for (size_t i = 0; i < cli_noptdefs; i++) {
        if (strncmp(cli_optdefs[i].name, s, n) != 0) continue;
        if (cli_optdefs[i].name[n] == '\0') return (int)i;
        hit = (int)i;
        count++;
    }
    return count == 1 ? hit : -1;
}

/* One option word argv[*i] ("-vh", "--name", "--name=VALUE" or "--name VALUE", which
 * advances *i past the value), stored into o. */
static int parse_word(int argc, char **argv, int *i, struct opts *o, bool *done)
{
    const char *w = argv[*i];
    if (w[1] != '-') { /* short options: -v, -h, bundled */
        for (const char *c = w + 1; *c != '\0'; c++) {
            if (*c != 'v' && *c != 'h') return bad_option(w, *c);
            int rc =
                parse_one(&cli_optdefs[opt_index(*c == 'v' ? "verbose" : "help")], "", o, done);
            if (rc != 0 || *done) return rc;
        }
        return 0;
    }
    size_t n = strcspn(w + 2, "=");
    int k = find_long(w + 2, n);
    if (k < 0) return bad_option(w, 0);
    const struct cli_optdef *d = &cli_optdefs[k];
    if (w[2 + n] == '=') {
        if (d->arg == NULL) return usage_error("--%s takes no value", d->name);
        return parse_one(d, w + 3 + n, o, done);
    }
    if (d->arg == NULL) return parse_one(d, "", o, done);
    if (*i + 1 >= argc) return bad_option(w, 256 + k);
    *i += 1;
    return parse_one(d, argv[*i], o, done);
}

/* Contract in cmd.h. Options may come before or after the command (the words that
 * are not options move to the front, in order); "--" ends the options. */
int cli_parse_opts(int argc, char **argv, struct opts *o, bool *done)
{
    int nargs = 0, rc;
    set_defaults(o);
    *done = false;
    for (int i = 1; i < argc; i++) {
        char *w = argv[i];
        if (strcmp(w, "--") == 0) {
            while (++i < argc) argv[1 + nargs++] = argv[i];
            break;
        }
        if (w[0] != '-' || w[1] == '\0') {
            argv[1 + nargs++] = w; /* never ahead of i: the words are only moved down */
            continue;
        }
        if ((rc = parse_word(argc, argv, &i, o, done)) != 0 || *done) return rc;
    }
    o->args = argv + 1;
    o->nargs = nargs;
    if (o->nargs > 0) o->cmd = cli_cmd_index(o->args[0]);
    if (o->help) {
        int cmd = o->cmd;
        if (cmd == CMD_HELP && o->nargs > 1) cmd = cli_cmd_index(o->args[1]);
        cli_help(stdout, cmd == CMD_HELP ? -1 : cmd);
        *done = true;
        return 0;
    }
    if (o->nargs == 0) {
        cli_help(stderr, -1);
        return EXIT_USAGE;
    }
    return finish_opts(o);
}
