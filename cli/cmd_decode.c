/*
 * decode-url: percent-decode a string, or print one parameter of a URL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"

/* decode-url: percent-decode STRING (or stdin), or print one parameter of a URL. */
int cmd_decode_url(struct opts *o)
{
    const char *src = o->nargs > 1 ? o->args[1] : "-";
    char *in = NULL;
    if (o->nargs > 2) return usage_error("decode-url takes one STRING (or - for stdin)");
    if (strcmp(src, "-") == 0) {
        size_t n;
        if (cli_stdin_users++ > 0) return usage_error("stdin can feed only one option");
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
            if ((rc = sfo_url_parse(in, n, &u)) != SFO_OK)
                return cli_fail("URL", rc, NULL, NULL, NULL);
            q = u.query ? u.query : "";
            qn = u.query_len;
        } else if (q[0] == '?') {
            q++;
            qn--;
        }
        rc = sfo_query_get(q, qn, o->param, out, n + 1, &ol);
        if (rc == SFO_E_NOT_FOUND)
            return cli_errorf(EXIT_INPUT, "parameter %s not found", o->param);
        if (rc != SFO_OK) return cli_fail(o->param, rc, NULL, NULL, NULL);
    } else {
        rc = sfo_pct_decode(in, n, SFO_PCT_FORM, out, n + 1, &ol);
        if (rc != SFO_OK) return cli_fail("decode", rc, NULL, NULL, NULL);
    }
    fwrite(out, 1, ol, stdout);
    fputc('\n', stdout);
    return 0;
}
