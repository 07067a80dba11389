/*
 * sfoauth: get OAuth 2.0 tokens from Salesforce (or any RFC 6749 server) on
 * the command line. Entry point: options, then the command's handler.
 * See `sfoauth --help` and sfoauth.1.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* Wipe the secrets, then die of the signal as if unhandled. */
static void on_signal(int sig)
{
    /* Only sfo_wipe (memset) over the tracked list, which cli_secret_keep changes
     * with these signals blocked: async-signal-safe in practice. */
    cli_secret_wipe_all(); // NOLINT(bugprone-signal-handler,cert-sig30-c)
    signal(sig, SIG_DFL);
    raise(sig);
}

/* How each network command runs: set-up needs a client id?, then its handler. */
struct cmd_run {
    bool need_client_id;
    flow_fn flow;            /* a token flow run by cmd_flow, or NULL */
    int (*fn)(struct run *); /* else this */
};

static const struct cmd_run k_run[CMD_COUNT] = {
    [CMD_JWT] = { true, do_jwt, NULL },
    [CMD_LOGIN] = { true, do_login, NULL },
    [CMD_CODE] = { true, do_code, NULL },
    [CMD_REFRESH] = { true, NULL, cmd_refresh },
    [CMD_CC] = { true, do_client_credentials, NULL },
    [CMD_DEVICE] = { true, do_device, NULL },
    [CMD_PASSWORD] = { true, do_password, NULL },
    [CMD_REVOKE] = { false, NULL, cmd_revoke },
    [CMD_INTROSPECT] = { true, NULL, cmd_introspect },
    [CMD_USERINFO] = { false, NULL, cmd_userinfo },
    [CMD_TOKEN] = { true, NULL, cmd_token },
};

/* Run the command named by o->args[0]. */
static int dispatch(struct opts *o)
{
    const char *cmd = o->args[0];
    struct run r;
    int rc;
    memset(&r, 0, sizeof r);
    r.o = o;
    if (o->cmd < 0) {
        const char *best = cli_suggest_cmd(cmd);
        if (best != NULL) return usage_error("unknown command %s: did you mean %s?", cmd, best);
        return usage_error("unknown command %s (sfoauth --help lists them)", cmd);
    }
    if (o->cmd == CMD_HELP) {
        int c = o->nargs > 1 ? cli_cmd_index(o->args[1]) : -1;
        if (o->nargs > 1 && c < 0) {
            const char *best = cli_suggest_cmd(o->args[1]);
            return usage_error("help: unknown command %s%s%s%s", o->args[1],
                               best ? ": did you mean " : "", best ? best : "", best ? "?" : "");
        }
        cli_help(stdout, c);
        return 0;
    }
    if (o->cmd == CMD_DECODE) return cmd_decode_url(o);
    if (o->nargs > 1) return usage_error("unexpected argument %s", o->args[1]);
    const struct cmd_run *k = &k_run[o->cmd];
    if ((rc = cli_run_setup(&r, k->need_client_id)) != 0) return rc;
    return k->flow != NULL ? cmd_flow(&r, k->flow) : k->fn(&r);
}

/* Parse, run one command, flush, wipe; the exit status is the failure's category. */
int main(int argc, char **argv)
{
    struct opts o;
    bool done;
    int rc;

    cli_secret_protect();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN);
    rc = cli_parse_opts(argc, argv, &o, &done);
    if (rc == 0 && !done) rc = dispatch(&o);
    fflush(stdout);
    if (ferror(stdout) && rc == 0) rc = cli_errorf(EXIT_INTERNAL, "writing the output failed");
    if (rc != 0 && o.output_given && o.output == OUT_JSON) {
        cli_print_error_json(stdout, rc);
        fflush(stdout);
    }
    cli_port_down();
    cli_secret_wipe_all();
    return rc;
}
