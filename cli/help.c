/*
 * Help text: the commands, each one's options (from cli_optdefs) and an
 * example; "did you mean" suggestions by edit distance.
 */
#include <string.h>

#include "cmd.h"

struct cmd_doc {
    const char *name;
    const char *args; /* after the name in the usage line */
    const char *summary;
    const char *example;
};

static const struct cmd_doc k_cmds[CMD_COUNT] = {
    [CMD_JWT] = { "jwt", "--client-id ID --username NAME --key FILE",
                  "JWT bearer grant: an RS256 assertion signed with --key",
                  "sfoauth jwt --client-id \"$KEY\" --username integration@example.com "
                  "--key device.key" },
    [CMD_LOGIN] = { "login", "--client-id ID [--paste]",
                    "authorization code + PKCE: prints the authorize URL, catches the redirect "
                    "on the loopback --redirect-uri, or with --paste reads the callback URL "
                    "you paste (one line); then exchanges the code",
                    "sfoauth login --client-id \"$KEY\" --client-secret-file secret" },
    [CMD_CODE] = { "code", "--callback-url FILE|- | --code - | --code-file FILE",
                   "exchange a code obtained elsewhere (the whole redirect URL, or the code)",
                   "sfoauth code --client-id \"$KEY\" --callback-url - --code-verifier "
                   "verifier.txt" },
    [CMD_REFRESH] = { "refresh", "[--refresh-token-file FILE|-]",
                      "refresh grant (--refresh-token-file, or the --cache's token); a rotated "
                      "refresh token is written back",
                      "sfoauth refresh --client-id \"$KEY\" --refresh-token-file rt.txt" },
    [CMD_CC] = { "client-credentials", "--client-secret-file FILE|-",
                 "client credentials grant (My Domain host)",
                 "sfoauth client-credentials --login-url https://NAME.my.salesforce.com "
                 "--client-id \"$KEY\" --client-secret-file secret" },
    [CMD_DEVICE] = { "device", "--client-id ID [--rfc]",
                     "device flow: prints the user code and URL, polls until approved",
                     "sfoauth device --client-id \"$KEY\" --scope 'api refresh_token'" },
    [CMD_PASSWORD] = { "password", "--username NAME --password-file FILE|-",
                       "username-password grant; Salesforce deprecates it and blocks it in new "
                       "orgs: use only when nothing else works",
                       "sfoauth password --client-id \"$KEY\" --client-secret-file secret "
                       "--username u@example.com --password-file -" },
    [CMD_REVOKE] = { "revoke", "[--token-file FILE|-]",
                     "revoke --token-file's token (or the --cache's refresh token)",
                     "sfoauth revoke --token-file rt.txt" },
    [CMD_INTROSPECT] = { "introspect", "[--token-file FILE|-]",
                         "introspect --token-file's token (or the --cache's access token)",
                         "sfoauth introspect --client-id \"$KEY\" --client-secret-file secret "
                         "--token-file at.txt" },
    [CMD_USERINFO] = { "userinfo", "[--token-file FILE|-]",
                       "OpenID userinfo for --token-file's (or the cache's) access token",
                       "sfoauth userinfo --token-file at.txt --field preferred_username" },
    [CMD_TOKEN] = { "token", "[--cache FILE] [--key FILE | --flow F]",
                    "print a valid access token: from --cache while valid, else by refresh, "
                    "else by the flow whose options are given (--key: jwt, or --flow "
                    "jwt|client-credentials|password)",
                    "sfoauth token --key device.key --cache /var/lib/app/token.json" },
    [CMD_DECODE] = { "decode-url", "[--param NAME] [STRING|-]",
                     "percent-decode STRING (stdin when - or absent), or print parameter NAME "
                     "of a URL or query string, decoded",
                     "sfoauth decode-url --param code 'https://host/cb?code=aPrx%3D%3D'" },
    [CMD_HELP] = { "help", "[COMMAND]", "this help, or one command's", "sfoauth help jwt" },
};

/* Contract in cmd.h: the enum cli_cmd of a name, or -1. */
int cli_cmd_index(const char *name)
{
    for (int i = 0; i < CMD_COUNT; i++) {
        if (strcmp(k_cmds[i].name, name) == 0) return i;
    }
    return -1;
}

/* The name of a command, "?" when out of range. */
const char *cli_cmd_name(int cmd)
{
    return cmd >= 0 && cmd < CMD_COUNT ? k_cmds[cmd].name : "?";
}

/* Write text from column col, wrapped before column 80, continuation lines indented
 * to indent; ends the line. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
    const char *p = text;
    while (*p != '\0') {
        size_t room = col < 79 ? 79 - col : 20, n = strlen(p);
        if (n > room) {
            n = room;
            while (n > 0 && p[n] != ' ') n--;
            if (n == 0) n = strcspn(p, " ");
        }
        cli_fprintf(f, "%.*s\n", (int)n, p);
        p += n;
        while (*p == ' ') p++;
        if (*p != '\0') cli_fprintf(f, "%*s", (int)indent, "");
        col = indent;
    }
}

/* Print "  --name ARG   help" for every option command cmd takes (all when cmd < 0). */
static void print_options(FILE *f, int cmd)
{
    for (size_t i = 0; i < cli_noptdefs; i++) {
        const struct cli_optdef *d = &cli_optdefs[i];
        if (d->help == NULL || d->cmds == 0) continue;
        if (cmd >= 0 && (d->cmds & CB(cmd)) == 0) continue;
        char left[64];
        cli_snprintf(left, sizeof left, "--%s%s%s", d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        if (strlen(left) > 26)
            cli_fprintf(f, "  %s\n  %-26s ", left, "");
        else
            cli_fprintf(f, "  %-26s ", left);
        wrap(f, d->help, 29, 29);
    }
}

static const char k_footer[] =
    "No option takes a secret on the command line: every user of the machine can read\n"
    "command lines (ps, /proc) and shells keep them in history. Secrets come from a file,\n"
    "from stdin (\"-\") or from the environment variable named above.\n"
    "\n"
    "Exit codes: 0 ok, 1 internal, 2 usage, 3 local input (key, file, callback URL, state\n"
    "mismatch, cache), 4 network (DNS, connect, timeout, proxy, deadline), 5 TLS, 6 protocol\n"
    "(the server's answer: framing, malformed or over-long value, signature), 7 rejected by\n"
    "the server (OAuth error, or HTTP 401/403).\n";

/* Contract in cmd.h: full help (cmd < 0) or one command's options and example. */
void cli_help(FILE *f, int cmd)
{
    if (cmd >= 0 && cmd != CMD_HELP) {
        const struct cmd_doc *c = &k_cmds[cmd];
        cli_fprintf(f, "usage: sfoauth %s %s\n\n", c->name, c->args);
        wrap(f, c->summary, 0, 0);
        fputs("\nOptions:\n", f);
        print_options(f, cmd);
        cli_fprintf(f,
                    "\nExample:\n  %s\n\nsfoauth --help lists every command; man sfoauth "
                    "has the exit status table.\n",
                    c->example);
        return;
    }
    fputs("usage: sfoauth COMMAND [options]\n       sfoauth help COMMAND\n\nCommands:\n", f);
    for (int i = 0; i < CMD_COUNT; i++) {
        cli_fprintf(f, "  %-19s ", k_cmds[i].name);
        wrap(f, k_cmds[i].summary, 22, 22);
    }
    fputs("\nOptions (environment variable in brackets; sfoauth COMMAND --help shows a "
          "command's):\n",
          f);
    print_options(f, -1);
    fputs("  --version\n\n", f);
    fputs(k_footer, f);
}

/* Levenshtein distance of a and b (each under 64 characters; else large). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];
    if (la > 64 || lb > 64) return 1000;
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest of names[0..n) (stride bytes apart) to s, when within a third of its length. */
static const char *closest(const char *s, const char *const *names, size_t n, size_t stride)
{
    const char *best = NULL;
    size_t bd = 1000;
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)(const void *)((const char *)names + i * stride);
        size_t d = distance(s, name);
        if (d < bd) {
            bd = d;
            best = name;
        }
    }
    size_t limit = strlen(s) / 3 + 1;
    return bd <= limit ? best : NULL;
}

/* The command closest to s, or NULL. */
const char *cli_suggest_cmd(const char *s)
{
    return closest(s, &k_cmds[0].name, CMD_COUNT, sizeof k_cmds[0]);
}

/* The long option closest to s (without "--"), or NULL. */
const char *cli_suggest_opt(const char *s)
{
    return closest(s, &cli_optdefs[0].name, cli_noptdefs, sizeof cli_optdefs[0]);
}
