/*
 * Token management: revoke, introspect, userinfo.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"

/* revoke: the given or cached token; a cache whose token it was is dropped. */
int cmd_revoke(struct run *r)
{
    char *tok;
    int rc = cli_get_subject_token(r, true, &tok);
    if (rc != 0) return rc;
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_revoke(cli_cl(r), tok, &e);
    if (rc != SFO_OK) return cli_token_fail(r, "revoke", rc, &e, "revoke", NULL);
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

/* introspect: the token's state as name/value output. */
int cmd_introspect(struct run *r)
{
    char *tok;
    int rc = cli_get_subject_token(r, false, &tok);
    if (rc != 0) return rc;
    struct sfo_introspection *in = calloc(1, sizeof *in);
    if (in == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    rc = sfo_introspect(cli_cl(r), tok, r->o->hint, in);
    if (rc != SFO_OK) {
        rc = cli_token_fail(r, "introspect", rc, &in->err, "introspect", NULL);
        free(in);
        return rc;
    }
    struct cli_kvlist l = { 0 };
    char num[32];
    cli_kv_add(&l, "active", in->active ? "true" : "false", in->active ? 4 : 5, true);
    const struct {
        const char *n;
        const char *v;
    } s[] = {
        { "scope", in->scope }, { "client_id", in->client_id },   { "username", in->username },
        { "sub", in->sub },     { "token_type", in->token_type },
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        if (s[i].v[0] != '\0') cli_kv_add(&l, s[i].n, s[i].v, strlen(s[i].v), false);
    }
    const struct {
        const char *n;
        int64_t v;
    } nums[] = {
        { "exp", in->exp },
        { "iat", in->iat },
        { "nbf", in->nbf },
    };
    for (size_t i = 0; i < 3; i++) {
        if (nums[i].v != 0) {
            cli_snprintf(num, sizeof num, "%lld", (long long)nums[i].v);
            cli_kv_add(&l, nums[i].n, num, strlen(num), true);
        }
    }
    free(in);
    rc = cli_print_kv(stdout, &r->out, &l);
    cli_kv_free(&l);
    return rc;
}

/* JSON text to print raw: whitespace is the only control byte it may hold (no C0 but
 * TAB/LF/CR, no DEL, no C1 in UTF-8). */
static bool json_text_safe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            return false;
    }
    return true;
}

/* userinfo: the answer as JSON text, or one --field of it. */
int cmd_userinfo(struct run *r)
{
    char *tok;
    int rc = cli_get_subject_token(r, false, &tok);
    if (rc != 0) return rc;
    char *body = calloc(1, SFO_CLI_USERINFO_MAX);
    if (body == NULL) return cli_errorf(EXIT_INTERNAL, "out of memory");
    cli_secret_keep(body, SFO_CLI_USERINFO_MAX);
    size_t n = 0;
    struct sfo_oauth_error e;
    memset(&e, 0, sizeof e);
    rc = sfo_userinfo(cli_cl(r), tok, body, SFO_CLI_USERINFO_MAX, &n, &e);
    if (rc != SFO_OK) return cli_token_fail(r, "userinfo", rc, &e, "userinfo", NULL);
    if (r->o->field != NULL) {
        char *val = calloc(1, n + 1);
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
        if (rc == SFO_OK && f.present && cli_has_control(val)) {
            rc = cli_errorf(EXIT_HTTP,
                            "the server's %s holds a control character: not "
                            "printed raw (without --field the answer is shown as JSON)",
                            r->o->field);
        } else if (rc == SFO_OK && f.present) {
            cli_fprintf(stdout, "%s\n", val);
        } else if (rc == SFO_OK || rc == SFO_E_JSON_TYPE) {
            rc = cli_errorf(EXIT_USAGE, "field %s is not a string or number of the response",
                            r->o->field);
        } else {
            rc = cli_fail("userinfo", rc, NULL, NULL, NULL);
        }
        free(val);
        return rc;
    }
    if (!json_text_safe(body, n))
        return cli_errorf(EXIT_HTTP, "the userinfo answer holds a control character: not "
                                     "printed");
    fwrite(body, 1, n, stdout);
    fputc('\n', stdout);
    return 0;
}
