/*
 * sfoauth command-line program: options, the per-run state and the commands.
 * Shared by main.c, opts.c, help.c, run.c and the cmd_*.c files (cli.h holds
 * what output, cache and secrets need).
 */
#ifndef SFOAUTH_CLI_CMD_H
#define SFOAUTH_CLI_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "sfoauth.h"
#include "sfoauth_posix.h"

/* SFO_CLI_WORK, SFO_CLI_USERINFO_MAX: sfoauth_config.h */
#define DEFAULT_LOGIN_URL "https://login.salesforce.com"
#define SANDBOX_LOGIN_URL "https://test.salesforce.com"
#define DEFAULT_REDIRECT  "http://localhost:1717/OauthRedirect"

#ifdef SFO_BACKEND_BEARSSL
#define BACKEND_NAME "bearssl"
#else
#define BACKEND_NAME "mbedtls"
#endif

/* ---- commands (bits select the options each one takes) ---------------------------- */
enum cli_cmd {
    CMD_JWT = 0,
    CMD_LOGIN,
    CMD_CODE,
    CMD_REFRESH,
    CMD_CC,
    CMD_DEVICE,
    CMD_PASSWORD,
    CMD_REVOKE,
    CMD_INTROSPECT,
    CMD_USERINFO,
    CMD_TOKEN,
    CMD_DECODE,
    CMD_HELP,
    CMD_COUNT
};
#define CB(c) (1u << (c))

/* ---- options ------------------------------------------------------------------------ */
struct opts {
    const char *login_url, *token_url, *authorize_url, *revoke_url, *introspect_url, *userinfo_url,
        *device_url;
    const char *client_id, *client_secret_file, *username, *key_file, *audience, *redirect_uri,
        *scope, *refresh_token_file, *token_file, *cacert, *ca, *proxy, *cache, *field,
        *callback_url, *code_file, *password_file, *browser, *param, *prompt, *hint, *flow,
        *code_verifier, *output_name;
    bool sandbox, paste, no_pkce, basic_auth, rfc, mask, introspect_expiry, help;
    enum cli_output output;
    bool output_given;
    int timeout_s, wait_s, session_lifetime_s, margin_s, max_time_s, retries;
    char **args;
    int nargs;
    int cmd; /* enum cli_cmd, or -1 */
};

/* One option: how it is parsed, which commands take it, its help line. */
enum cli_optkind { OPT_STR, OPT_FLAG, OPT_INT, OPT_SPECIAL };
struct cli_optdef {
    const char *name; /* long name without "--" */
    const char *arg;  /* value name in help, NULL for a flag */
    const char *help; /* one line; "[VAR]" names its environment variable */
    int32_t min, max; /* OPT_INT range */
    uint16_t off;     /* offsetof(struct opts, member) for STR/FLAG/INT */
    uint16_t cmds;    /* CB(CMD_*) bits of the commands that take it; 0: hidden */
    uint8_t kind;     /* enum cli_optkind */
};
extern const struct cli_optdef cli_optdefs[];
extern const size_t cli_noptdefs;

/* Parse argv into o (defaults, environment). Returns 0, or an exit code after a
 * message (usage error) or after printing help/version (then *done is set). */
int cli_parse_opts(int argc, char **argv, struct opts *o, bool *done);
/* "sfoauth: <message>" plus the help pointer on stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- help (help.c) ------------------------------------------------------------------- */
/* Index of a command name, or -1. */
int cli_cmd_index(const char *name);
const char *cli_cmd_name(int cmd);
/* Full help (cmd < 0) or one command's help, on f. */
void cli_help(FILE *f, int cmd);
/* The known name closest to s (edit distance), or NULL when nothing is close. */
const char *cli_suggest_cmd(const char *s);
const char *cli_suggest_opt(const char *s);

/* ---- one run ------------------------------------------------------------------------ */
struct run {
    struct opts *o;
    struct sfo_port port;
    struct sfo_client cl;
    uint8_t *work;
    char *secret;           /* client secret or NULL */
    const char *secret_src; /* where it came from: "--client-secret-file F" or the env name */
    char ident[1024];       /* cache identity */
    struct cli_out out;
    int64_t start_ms;    /* monotonic start of the command (--max-time) */
    const char *ca_what; /* where the trust anchors came from, for messages */
};

int64_t cli_wall_now(void);
int64_t cli_mono_ms(void);
/* Seconds left of --max-time (INT32_MAX when unset), never below 0. */
int cli_time_left_s(const struct run *r);
/* The client, its deadline set to what --max-time leaves (call before each exchange). */
const struct sfo_client *cli_cl(struct run *r);
/* Usage error unless v is set. */
int cli_need(const char *v, const char *what);
/* Set up the port and the client; read the client secret. */
int cli_run_setup(struct run *r, bool need_client_id);
void cli_port_down(void);
/* A zeroed, registered library token (exits on out of memory). */
struct sfo_token *cli_new_sfo_token(void);
/* Copy a library token into t and work out its expiry. Returns 0 or an exit code
 * (a token value outside its grammar, e.g. with a control character). */
int cli_take_token(struct run *r, struct sfo_token *st, struct cli_token *t);
/* Report a failed server call (what: "jwt bearer grant"; url: the endpoint). */
int cli_token_fail(struct run *r, const char *what, int rc, const struct sfo_oauth_error *e,
                   const char *flow, const char *url);
/* Store (cache, rotated refresh token file) then print. */
int cli_deliver(struct run *r, struct cli_token *t, const char *old_refresh);
/* The refresh token: --refresh-token-file / SFOAUTH_REFRESH_TOKEN, else cached. */
int cli_get_refresh_token(struct run *r, const struct cli_token *cached, char **out);
/* Token for revoke/introspect/userinfo: --token-file / SFOAUTH_TOKEN, else cache. */
int cli_get_subject_token(struct run *r, bool prefer_refresh, char **out);
/* --cache FILE's directory exists and is writable; else a message naming the cache. */
int cli_cache_check(const char *path);
/* The endpoint URL a command calls (for messages); static storage. */
const char *cli_endpoint(const struct run *r, const char *path, const char *override);

/* ---- network wrapper (net.c) ----------------------------------------------------- */
enum cli_net_stage { NET_NONE = 0, NET_CONNECT, NET_TLS, NET_REQUEST };
struct cli_net {
    char host[256];
    uint16_t port;
    int stage; /* enum cli_net_stage reached by the last connection */
    int rc;    /* its last result */
    bool dns_failed;
    char subject[256]; /* the leaf certificate subject the port logged, or "" */
};
/* Wrap the port's network, sleep and log functions (end_ms: --max-time, 0 none). */
void cli_net_wrap(struct sfo_port *p, int64_t end_ms);
const struct cli_net *cli_net_state(void);
/* While a person is waited for (device polling): on a terminal, show the seconds left
 * until end_ms after each sleep; 0 ends the countdown line. */
void cli_net_countdown(int64_t end_ms);
/* Log callback for the port: keeps the certificate subject; traces under -v. */
void cli_net_log(void *ctx, int level, const char *msg, const char *detail, size_t n);
/* "connecting to HOST:PORT: connection refused" for rc; length, or 0 when no
 * connection was tried. */
int cli_net_where(int rc, char *buf, size_t cap);

/* ---- commands (cmd_*.c) ------------------------------------------------------------- */
typedef int (*flow_fn)(struct run *, struct cli_token *);
int do_jwt(struct run *r, struct cli_token *t);
int do_refresh(struct run *r, const char *refresh, struct cli_token *t);
int do_client_credentials(struct run *r, struct cli_token *t);
int do_password(struct run *r, struct cli_token *t);
int do_device(struct run *r, struct cli_token *t);
int do_login(struct run *r, struct cli_token *t);
int do_code(struct run *r, struct cli_token *t);
int cmd_flow(struct run *r, flow_fn fn);
int cmd_refresh(struct run *r);
int cmd_token(struct run *r);
int cmd_revoke(struct run *r);
int cmd_introspect(struct run *r);
int cmd_userinfo(struct run *r);
int cmd_decode_url(struct opts *o);

#endif /* SFOAUTH_CLI_CMD_H */
