/*
 * Output of the CLI: token JSON (stable key order), shell env lines, a single
 * field; error lines with Salesforce hints; exit code categories.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sfoauth_types.h"

const char *const cli_tk_name[TK_COUNT] = {
    "access_token",
    "token_type",
    "instance_url",
    "api_instance_url",
    "id",
    "scope",
    "issued_at",
    "signature",
    "refresh_token",
    "id_token",
    "sfdc_community_url",
    "sfdc_community_id",
};

bool cli_tk_secret(int k)
{
    return k == TK_ACCESS_TOKEN || k == TK_REFRESH_TOKEN || k == TK_ID_TOKEN;
}

void cli_token_set(struct cli_token *t, int k, const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c == NULL) {
        fputs("sfoauth: out of memory\n", stderr);
        exit(EXIT_INTERNAL);
    }
    memcpy(c, s, n);
    c[n] = '\0';
    if (t->f[k] != NULL) {
        cli_secret_drop(t->f[k]);
        free(t->f[k]);
    }
    t->f[k] = c;
    if (cli_tk_secret(k)) {
        cli_secret_keep(c, n + 1);
    }
}

void cli_token_clear(struct cli_token *t)
{
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] != NULL) {
            cli_secret_drop(t->f[k]);
            sfo_wipe(t->f[k], strlen(t->f[k]));
            free(t->f[k]);
            t->f[k] = NULL;
        }
    }
    t->has_expires_in = false;
    t->expires_in = 0;
    t->expires_at = 0;
}

void cli_kv_add(struct cli_kvlist *l, const char *name, const char *value, size_t vlen,
                bool is_json)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct cli_kv *n = realloc(l->v, cap * sizeof *n);
        if (n == NULL) {
            fputs("sfoauth: out of memory\n", stderr);
            exit(EXIT_INTERNAL);
        }
        l->v = n;
        l->cap = cap;
    }
    struct cli_kv *e = &l->v[l->n++];
    e->name = strdup(name);
    e->value = malloc(vlen + 1);
    if (e->name == NULL || e->value == NULL) {
        fputs("sfoauth: out of memory\n", stderr);
        exit(EXIT_INTERNAL);
    }
    memcpy(e->value, value, vlen);
    e->value[vlen] = '\0';
    e->is_json = is_json;
    cli_secret_keep(e->value, vlen + 1); /* userinfo/introspection: treat as private */
}

void cli_kv_free(struct cli_kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cli_secret_drop(l->v[i].value);
        free(l->v[i].name);
        free(l->v[i].value);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

char *cli_mask(const char *s)
{
    size_t n = strlen(s);
    char *m = malloc(n + 8);
    if (m == NULL) {
        return NULL;
    }
    if (n <= 12) {
        memset(m, '*', n);
        m[n] = '\0';
    } else {
        cli_snprintf(m, n + 8, "%.6s...%s", s, s + n - 4);
    }
    return m;
}

/* The JSON form of the character at p into out (NUL-terminated): itself, or its escape
 * (C0 and C1 controls and DEL as \u00XX: a terminal may act on them). *used: input bytes
 * taken (2 for a UTF-8 C1 control). Returns the output length (at most 6). */
static size_t json_char(const unsigned char *p, char out[8], size_t *used)
{
    static const char esc[] = "\"\"\\\\\nn\rr\tt\bb\ff";
    unsigned c = *p;
    *used = 1;
    for (size_t i = 0; i < sizeof esc - 1; i += 2) {
        if (c == (unsigned char)esc[i]) return (size_t)cli_snprintf(out, 8, "\\%c", esc[i + 1]);
    }
    if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        c = p[1];
        *used = 2;
    } else if (c >= 0x20 && c != 0x7f) {
        out[0] = (char)c;
        out[1] = '\0';
        return 1;
    }
    return (size_t)cli_snprintf(out, 8, "\\u%04x", c);
}

size_t cli_json_quote(char *dst, const char *s)
{
    size_t n = 0, used;
    dst[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p += used)
        n += json_char(p, dst + n, &used);
    dst[n++] = '"';
    dst[n] = '\0';
    return n;
}

void cli_json_string(FILE *f, const char *s)
{
    char e[8];
    size_t used;
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p += used) {
        (void)json_char(p, e, &used);
        fputs(e, f);
    }
    fputc('"', f);
}

/* Shell single-quoted word. */
static void shell_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') {
            fputs("'\\''", f);
        } else {
            fputc(*s, f);
        }
    }
    fputc('\'', f);
}

static void env_name(FILE *f, const char *name)
{
    fputs("SFOAUTH_", f);
    for (; *name; name++) {
        char c = *name;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '_';
        fputc(c, f);
    }
}

/* The shown form of a value (masked when asked). Caller frees *tofree. */
static const char *shown(const struct cli_out *o, bool secret, const char *v, char **tofree)
{
    *tofree = NULL;
    if (o->mask && secret) {
        *tofree = cli_mask(v);
        return *tofree ? *tofree : "***";
    }
    return v;
}

/* Raw output (--field, env, header) of a value with a control byte is refused. */
static int refuse_control(const char *name)
{
    return cli_errorf(EXIT_HTTP,
                      "the server's %s holds a control character: not printed "
                      "raw (--output json shows it escaped)",
                      name);
}

/* The raw outputs of a token: --field, --output env, --output header. */
static int print_token_raw(FILE *f, const struct cli_out *o, const struct cli_token *t)
{
    char *tf;
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] != NULL && cli_has_control(t->f[k])) return refuse_control(cli_tk_name[k]);
    }
    if (o->mode == OUT_HEADER) {
        if (t->f[TK_ACCESS_TOKEN] == NULL)
            return cli_errorf(EXIT_HTTP, "the answer holds no access_token");
        cli_fprintf(f, "Authorization: Bearer %s\n", shown(o, true, t->f[TK_ACCESS_TOKEN], &tf));
        free(tf);
        return 0;
    }
    if (o->field != NULL) {
        for (int k = 0; k < TK_COUNT; k++) {
            if (strcmp(o->field, cli_tk_name[k]) == 0) {
                if (t->f[k] == NULL) break;
                cli_fprintf(f, "%s\n", shown(o, cli_tk_secret(k), t->f[k], &tf));
                free(tf);
                return 0;
            }
        }
        if (strcmp(o->field, "expires_in") == 0 && t->has_expires_in) {
            cli_fprintf(f, "%lld\n", (long long)t->expires_in);
            return 0;
        }
        if (strcmp(o->field, "expires_at") == 0 && t->expires_at > 0) {
            cli_fprintf(f, "%lld\n", (long long)t->expires_at);
            return 0;
        }
        return cli_errorf(EXIT_USAGE, "field %s is not in the response", o->field);
    }
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] == NULL) continue;
        env_name(f, cli_tk_name[k]);
        fputc('=', f);
        shell_quote(f, shown(o, cli_tk_secret(k), t->f[k], &tf));
        free(tf);
        fputc('\n', f);
    }
    if (t->has_expires_in) cli_fprintf(f, "SFOAUTH_EXPIRES_IN=%lld\n", (long long)t->expires_in);
    if (t->expires_at > 0) cli_fprintf(f, "SFOAUTH_EXPIRES_AT=%lld\n", (long long)t->expires_at);
    return 0;
}

int cli_print_token(FILE *f, const struct cli_out *o, const struct cli_token *t)
{
    char num[32];
    char *tf;
    if (o->field != NULL || o->mode != OUT_JSON) return print_token_raw(f, o, t);
    fputc('{', f);
    bool first = true;
    for (int k = 0; k < TK_COUNT; k++) {
        if (t->f[k] == NULL) continue;
        cli_fprintf(f, "%s\n  \"%s\": ", first ? "" : ",", cli_tk_name[k]);
        cli_json_string(f, shown(o, cli_tk_secret(k), t->f[k], &tf));
        free(tf);
        first = false;
        if (k == TK_TOKEN_TYPE || k == TK_ISSUED_AT) {
            /* keep expiry next to the token's other metadata */
        }
    }
    if (t->has_expires_in) {
        cli_snprintf(num, sizeof num, "%lld", (long long)t->expires_in);
        cli_fprintf(f, "%s\n  \"expires_in\": %s", first ? "" : ",", num);
        first = false;
    }
    if (t->expires_at > 0) {
        cli_fprintf(f, "%s\n  \"expires_at\": %lld", first ? "" : ",", (long long)t->expires_at);
        first = false;
    }
    fputs(first ? "}\n" : "\n}\n", f);
    return 0;
}

int cli_print_kv(FILE *f, const struct cli_out *o, const struct cli_kvlist *l)
{
    char *tf;
    if (o->field != NULL || o->mode != OUT_JSON) {
        for (size_t i = 0; i < l->n; i++) {
            if (cli_has_control(l->v[i].value)) return refuse_control(l->v[i].name);
        }
    }
    if (o->field != NULL) {
        for (size_t i = 0; i < l->n; i++) {
            if (strcmp(l->v[i].name, o->field) == 0) {
                cli_fprintf(f, "%s\n", l->v[i].value);
                return 0;
            }
        }
        return cli_errorf(EXIT_USAGE, "field %s is not in the response", o->field);
    }
    if (o->mode == OUT_ENV) {
        for (size_t i = 0; i < l->n; i++) {
            bool sec = strcmp(l->v[i].name, "access_token") == 0 ||
                       strcmp(l->v[i].name, "refresh_token") == 0;
            env_name(f, l->v[i].name);
            fputc('=', f);
            shell_quote(f, shown(o, sec, l->v[i].value, &tf));
            free(tf);
            fputc('\n', f);
        }
        return 0;
    }
    fputc('{', f);
    for (size_t i = 0; i < l->n; i++) {
        cli_fprintf(f, "%s\n  ", i ? "," : "");
        cli_json_string(f, l->v[i].name);
        fputs(": ", f);
        if (l->v[i].is_json) {
            fputs(l->v[i].value, f);
        } else {
            cli_json_string(f, l->v[i].value);
        }
    }
    fputs(l->n ? "\n}\n" : "}\n", f);
    return 0;
}

/* ---- errors ----------------------------------------------------------------------- */

/*
 * Exit code of each library code, by the cause of the failure (the table in
 * README.md and sfoauth.1). A value of the server's that breaks its grammar or
 * does not fit its field (SFO_E_BAD_VALUE, SFO_E_RESPONSE_TOO_LONG) is the
 * server's answer: protocol; the caller's own over-long input (SFO_E_TOO_LONG)
 * is local input; an endpoint that is not https is a bad command line.
 */
static const struct {
    int lo, hi, exit;
} k_exit[] = {
    { SFO_E_ARG, SFO_E_ARG, EXIT_USAGE },
    { SFO_E_TOO_LONG, SFO_E_TOO_LONG, EXIT_INPUT },
    { SFO_E_CALL_ORDER, SFO_E_CALL_ORDER, EXIT_INTERNAL },
    { SFO_E_ABI, SFO_E_ABI, EXIT_INTERNAL }, /* built against other headers */
    { SFO_E_INSECURE_URL, SFO_E_INSECURE_URL, EXIT_USAGE },
    { SFO_E_NOT_FOUND, SFO_E_NOT_FOUND, EXIT_INPUT },
    { SFO_E_INTERNAL, SFO_E_INTERNAL, EXIT_INTERNAL },
    { -29, -10, EXIT_INPUT },                   /* codecs: URL, base64, % of local input */
    { -49, -30, EXIT_HTTP },                    /* JSON of a response */
    { -69, -50, EXIT_NETWORK },                 /* DNS, connect, timeout, reset */
    { SFO_E_TLS_CA, SFO_E_TLS_CA, EXIT_INPUT }, /* the trust anchor file */
    { SFO_E_KEY_TYPE, SFO_E_KEY, EXIT_INPUT },  /* the private key file */
    { SFO_E_ENTROPY, SFO_E_CRYPTO, EXIT_INTERNAL },
    { -77, -70, EXIT_TLS },
    { SFO_E_PROXY, SFO_E_PROXY, EXIT_NETWORK },
    { SFO_E_HTTP_REQUEST, SFO_E_HTTP_REQUEST, EXIT_INPUT },
    { -109, -90, EXIT_HTTP }, /* framing, status */
    { SFO_E_OAUTH, SFO_E_OAUTH, EXIT_OAUTH },
    { SFO_E_SIGNATURE, SFO_E_OAUTH_RESPONSE, EXIT_HTTP },
    { SFO_E_CALLBACK, SFO_E_STATE_MISMATCH, EXIT_INPUT },
    { SFO_E_DEADLINE, SFO_E_PENDING, EXIT_NETWORK },
    { -129, -117, EXIT_HTTP }, /* BAD_VALUE, RESPONSE_TOO_LONG, later */
};

int cli_exit_for(int e)
{
    if (e == SFO_OK) return EXIT_OK_;
    for (size_t i = 0; i < sizeof k_exit / sizeof k_exit[0]; i++) {
        if (e >= k_exit[i].lo && e <= k_exit[i].hi) return k_exit[i].exit;
    }
    return EXIT_INTERNAL;
}

static bool contains(const char *hay, const char *needle)
{
    return hay != NULL && strstr(hay, needle) != NULL;
}

const char *cli_hint(const char *oauth_error, const char *desc, const char *flow)
{
    if (contains(desc, "user hasn't approved this consumer") ||
        contains(desc, "user hasn't approved")) {
        return "pre-authorise the user: in the connected app choose \"Admin approved users "
               "are pre-authorized\" and add the user's profile or permission set";
    }
    if (contains(desc, "audience is invalid")) {
        return "aud must be the login host: use --sandbox for test.salesforce.com, or "
               "--audience URL (Experience Cloud site)";
    }
    if (contains(desc, "invalid assertion")) {
        return "the signature did not verify: wrong --key, or the connected app holds "
               "another certificate";
    }
    if (contains(desc, "expired authorization code")) {
        if (flow != NULL && strcmp(flow, "jwt") == 0) {
            return "the assertion's exp is in the past for the server: check this "
                   "machine's clock (UTC, NTP)";
        }
        return "authorization codes work once and expire in minutes: run login again";
    }
    if (contains(desc, "request not supported on this domain")) {
        return "client credentials work only on the My Domain host: --login-url "
               "https://NAME.my.salesforce.com";
    }
    if (contains(desc, "expired access/refresh token")) {
        return "the refresh token is revoked or expired: run login again";
    }
    if (contains(oauth_error, "invalid_client_id") || contains(desc, "client identifier invalid")) {
        return "check --client-id (the connected app's consumer key) and --login-url";
    }
    if (contains(oauth_error, "invalid_client") || contains(desc, "invalid client credentials")) {
        return "check the consumer secret (--client-secret-file)";
    }
    if (contains(oauth_error, "redirect_uri_mismatch")) {
        return "--redirect-uri must equal a callback URL of the connected app exactly";
    }
    if (contains(oauth_error, "unsupported_grant_type")) {
        return "the connected app or org does not allow this flow";
    }
    return NULL;
}

/* The failure being reported, for the JSON error object (--output json). */
static struct {
    int code, sfo_err;
    char msg[1024], error[256], desc[512];
} g_last;

/* Copy src into dst (cap bytes), cut at cap - 1: a message for display only. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n > 0) memcpy(dst, src, n);
    dst[n] = '\0';
}

void cli_error_note(int code, int sfo_err, const char *msg)
{
    g_last.code = code;
    g_last.sfo_err = sfo_err;
    copy_text(g_last.msg, sizeof g_last.msg, msg);
    g_last.error[0] = g_last.desc[0] = '\0';
}

void cli_error_note_server(const char *error, const char *desc)
{
    copy_text(g_last.error, sizeof g_last.error, error);
    copy_text(g_last.desc, sizeof g_last.desc, desc);
}

const char *cli_exit_name(int code)
{
    static const char *const names[] = { "ok",      "internal", "usage",    "input",
                                         "network", "tls",      "protocol", "server" };
    return code >= 0 && code <= EXIT_OAUTH ? names[code] : "internal";
}

void cli_print_error_json(FILE *f, int code)
{
    cli_fprintf(f, "{\n  \"error\": {\n    \"exit_code\": %d,\n    \"category\": \"%s\"", code,
                cli_exit_name(code));
    if (g_last.sfo_err != 0) {
        cli_fprintf(f, ",\n    \"code\": \"%s\",\n    \"code_value\": %d",
                    sfo_errname(g_last.sfo_err), g_last.sfo_err);
    }
    fputs(",\n    \"message\": ", f);
    char *m = cli_redact(g_last.msg, strlen(g_last.msg));
    cli_json_string(f, m ? m : "");
    free(m);
    if (g_last.error[0] != '\0') {
        char *e = cli_redact(g_last.error, strlen(g_last.error));
        char *d = cli_redact(g_last.desc, strlen(g_last.desc));
        fputs(",\n    \"server_error\": ", f);
        cli_json_string(f, e ? e : "");
        fputs(",\n    \"server_error_description\": ", f);
        cli_json_string(f, d ? d : "");
        free(e);
        free(d);
    }
    fputs("\n  }\n}\n", f);
}

bool cli_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return true;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return true; /* C1 in UTF-8 */
    }
    return false;
}

void cli_put_safe(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
            cli_fprintf(f, "\\x%02x", *p);
        } else {
            fputc(*p, f);
        }
    }
}

int cli_fail(const char *what, int err, const char *oauth_error, const char *oauth_desc,
             const char *flow)
{
    char msg[512];
    cli_snprintf(msg, sizeof msg, "%s: %s (%s)", what, sfo_errname(err), sfo_strerror(err));
    cli_error_note(cli_exit_for(err), err, msg);
    cli_error_note_server(oauth_error, oauth_desc);
    char *e = NULL, *d = NULL;
    /* server text is untrusted: redact (it could echo a secret) */
    if (oauth_error && *oauth_error) e = cli_redact(oauth_error, strlen(oauth_error));
    if (oauth_desc && *oauth_desc) d = cli_redact(oauth_desc, strlen(oauth_desc));
    cli_fprintf(stderr, "sfoauth: %s: %s (%s)", what, sfo_errname(err), sfo_strerror(err));
    if (e != NULL) {
        fputs(": server error ", stderr);
        cli_json_string(stderr, e);
        if (d != NULL) {
            fputs(": ", stderr);
            cli_json_string(stderr, d);
        }
    }
    fputc('\n', stderr);
    const char *h = cli_hint(oauth_error, oauth_desc, flow);
    if (h != NULL) {
        cli_fprintf(stderr, "hint: %s\n", h);
    }
    free(e);
    free(d);
    return cli_exit_for(err);
}

int cli_errorf(int code, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    cli_vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cli_error_note(code, 0, line);
    char *r = cli_redact(line, strlen(line));
    cli_fprintf(stderr, "sfoauth: %s\n", r ? r : line);
    free(r);
    return code;
}
