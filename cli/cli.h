/*
 * sfoauth command-line program: declarations shared by the cli/ files.
 *
 * The CLI is a POSIX program: it may use libc freely (stdio, malloc, errno).
 * It calls the library only through its public headers. Secrets it holds are
 * registered with cli_secret_keep() so that they are wiped before exit and
 * redacted from every -v trace line.
 */
#ifndef SFOAUTH_CLI_H
#define SFOAUTH_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- exit codes (documented in --help and sfoauth.1) ---------------------------- */
enum cli_exit {
    EXIT_OK_ = 0,
    EXIT_INTERNAL = 1, /* bug, out of memory, entropy or crypto failure */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_INPUT = 3,    /* local input: key, file, callback URL, state mismatch, cache */
    EXIT_NETWORK = 4,  /* DNS, connect, timeout, reset, proxy, flow deadline */
    EXIT_TLS = 5,      /* certificate or handshake failure */
    EXIT_HTTP = 6,     /* HTTP or response framing/JSON/signature fault */
    EXIT_OAUTH = 7     /* the server rejected the request with an OAuth error */
};

/* ---- formatted output (cli/fmt.c): the printf subset the CLI uses --------------- */
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
int cli_snprintf(char *buf, size_t cap, const char *fmt, ...) CLI_PRINTF(3, 4);
int cli_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) CLI_PRINTF(3, 0);
int cli_fprintf(FILE *f, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Exit code category of a library SFO_E_* code. */
int cli_exit_for(int sfo_err);

/* ---- token fields, in output order ---------------------------------------------- */
enum cli_tk {
    TK_ACCESS_TOKEN = 0,
    TK_TOKEN_TYPE,
    TK_INSTANCE_URL,
    TK_API_INSTANCE_URL,
    TK_ID,
    TK_SCOPE,
    TK_ISSUED_AT,
    TK_SIGNATURE,
    TK_REFRESH_TOKEN,
    TK_ID_TOKEN,
    TK_SFDC_COMMUNITY_URL,
    TK_SFDC_COMMUNITY_ID,
    TK_COUNT
};

/* A token response held by the CLI. Strings are malloc'd (NULL when absent);
 * secret ones are registered for wiping. */
struct cli_token {
    char *f[TK_COUNT];
    bool has_expires_in;
    int64_t expires_in; /* seconds, from the server */
    int64_t expires_at; /* wall seconds when the access token is assumed dead; 0 unknown */
};

extern const char *const cli_tk_name[TK_COUNT];
/* True for fields whose value is a credential (masked by --mask, redacted). */
bool cli_tk_secret(int k);
/* Set field k to a copy of s (n bytes); secret fields are registered. */
void cli_token_set(struct cli_token *t, int k, const char *s, size_t n);
/* Wipe and free every field. */
void cli_token_clear(struct cli_token *t);

/* A generic list of name/value pairs (introspection, userinfo, device start). */
struct cli_kv {
    char *name;
    char *value;
    bool is_json; /* value is JSON source text (number, true, false, object) */
};
struct cli_kvlist {
    struct cli_kv *v;
    size_t n, cap;
};
void cli_kv_add(struct cli_kvlist *l, const char *name, const char *value, size_t vlen,
                bool is_json);
void cli_kv_free(struct cli_kvlist *l);

/* ---- output ----------------------------------------------------------------------- */
enum cli_output { OUT_JSON = 0, OUT_ENV = 1, OUT_HEADER = 2 };
struct cli_out {
    enum cli_output mode;
    const char *field; /* --field NAME or NULL */
    bool mask;         /* --mask: show credentials as abcdef...wxyz */
};
/* Print a token as selected. Returns 0, or EXIT_USAGE when --field names a
 * field that is absent (a message is printed). */
int cli_print_token(FILE *f, const struct cli_out *o, const struct cli_token *t);
/* Same for a name/value list. */
int cli_print_kv(FILE *f, const struct cli_out *o, const struct cli_kvlist *l);
/* Write s as a JSON string (quotes included). */
void cli_json_string(FILE *f, const char *s);
/* The same literal into dst, which holds 6 * strlen(s) + 3 bytes; returns its length. */
size_t cli_json_quote(char *dst, const char *s);
/* "abcdef...wxyz" for display; returns a malloc'd string. */
char *cli_mask(const char *s);

/*
 * Report a library failure on stderr in one line:
 *   sfoauth: <what>: <SFO_E_NAME> (<strerror>)[: server error "e": "desc"]
 * followed, for well-known Salesforce errors, by a line starting "hint: ".
 * oauth_error / oauth_desc may be NULL. Returns the exit code of the category.
 */
int cli_fail(const char *what, int err, const char *oauth_error, const char *oauth_desc,
             const char *flow);
/* Remember the failure being reported (exit code, SFO_E_* or 0, message) for the
 * JSON error object; cli_fail and cli_errorf call it. */
void cli_error_note(int code, int sfo_err, const char *msg);
/* Remember the server's error and description of the failure being reported. */
void cli_error_note_server(const char *error, const char *desc);
/* Print the remembered failure as one JSON object (--output json). */
void cli_print_error_json(FILE *f, int code);
/* Name of an exit code's category: "usage", "network", ... */
const char *cli_exit_name(int code);
/* True when s holds a byte a terminal would act on (C0, DEL, C1 in UTF-8). */
bool cli_has_control(const char *s);
/* Write s with such bytes shown as \xNN. */
void cli_put_safe(FILE *f, const char *s);
/* One-line error of the CLI itself; returns code. */
int cli_errorf(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The hint for a server error description, or NULL. flow: "jwt", "code", ... */
const char *cli_hint(const char *oauth_error, const char *desc, const char *flow);

/* ---- secrets ------------------------------------------------------------------------ */
/* Turn off core dumps (RLIMIT_CORE 0, PR_SET_DUMPABLE 0) and arm wiping at exit. */
void cli_secret_protect(void);
/* Remember a buffer holding a secret: wiped at exit and redacted from traces.
 * Buffers of length < 4 are wiped but not used for redaction. Keeping a buffer
 * already kept only widens its entry. */
void cli_secret_keep(void *p, size_t len);
/* Forget (wipe and unregister) a buffer before it is freed. */
void cli_secret_drop(void *p);
/* Wipe every registered secret (called at exit; safe to call twice). */
void cli_secret_wipe_all(void);
/*
 * Read a secret from FILE, "-" (stdin) or, when path is NULL, the environment
 * variable env (may be NULL). The value ends at the first newline (a trailing
 * "\r\n" or "\n" is removed); an empty value is an error. On stdin it is read
 * with cli_read_line (a person's Enter ends it; at most CLI_SECRET_MAX bytes,
 * within cli_stdin_timeout_ms); from a pipe or a file what follows the first
 * line must be blank. A file is read up to CLI_SECRET_MAX bytes. Returns a
 * registered malloc'd string, or NULL with *err set to a message (static
 * text, valid until the next call), or NULL with *err NULL when nothing was given.
 */
char *cli_secret_read(const char *path, const char *env, const char **err);
/* Read a whole (non-secret or secret) file; NULL on error (errno set). */
char *cli_read_all(const char *path, size_t *len);
/* Whether stdin was already consumed by one of the options. */
extern int cli_stdin_users;

/* A copy of s (n bytes) with registered secrets, credential header values and
 * secret form/JSON parameters replaced by "[REDACTED]"; malloc'd and
 * NUL-terminated (the caller frees it), NULL when out of memory. */
char *cli_redact(const char *s, size_t n);

/* ---- cache ----------------------------------------------------------------------- */
struct cli_cache {
    char *path;
    int lock_fd; /* -1 when not locked */
};
/*
 * Take the advisory lock (flock LOCK_EX on "<path>.lock", created 0600) and
 * hold it until cli_cache_unlock; waits at most timeout_s seconds. Checks the
 * directory first (cli_cache_check_dir); a lock file that is a symbolic link,
 * not a regular file or not the effective user's is refused.
 * Returns 0 or an EXIT_* code (message printed).
 */
int cli_cache_lock(struct cli_cache *c, const char *path, int timeout_s);
void cli_cache_unlock(struct cli_cache *c);
/*
 * Read the cache into t when it belongs to ident (token URL, client id,
 * username joined). Returns 0 when loaded, 1 when absent, mismatched or
 * unreadable (treated as empty; a message under -v). A cache that is not to be
 * trusted (a symbolic link, not a regular file, not owned by the effective
 * user, writable by group or others, over CLI_CACHE_MAX bytes) is not read:
 * one line "sfoauth: cache PATH not used: REASON" on stderr, then 1.
 */
int cli_cache_read(const char *path, const char *ident, struct cli_token *t);
/*
 * Replace the cache atomically: write "<path>.tmp.<pid>" (0600), fsync,
 * rename over path, fsync the directory. Returns 0 or EXIT_INPUT (message printed).
 */
int cli_cache_write(const char *path, const char *ident, const struct cli_token *t);
/* Replace a one-line secret file atomically (rotated refresh token). */
int cli_file_replace(const char *path, const char *data);

/* ---- trace ------------------------------------------------------------------------ */
extern int cli_verbose;
/* Log callback for struct sfo_port (redacts, then writes "* ..." to stderr). */
void cli_trace_log(void *ctx, int level, const char *msg, const char *detail, size_t detail_len);
void cli_tracef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- a line typed or pasted by a person ----------------------------------------------- */
#ifndef CLI_LINE_MAX
#define CLI_LINE_MAX 8192u /* longest accepted line (callback URL, code), CR/LF excluded */
#endif
enum cli_line_rc {
    CLI_LINE_OK = 0,
    CLI_LINE_EOF = -1,      /* end of input before any byte of a line */
    CLI_LINE_TIMEOUT = -2,  /* no complete line before the deadline */
    CLI_LINE_TOO_LONG = -3, /* more than max bytes before the end of the line */
    CLI_LINE_IO = -4,       /* read or poll failed (errno set) */
    CLI_LINE_NOMEM = -5
};
/*
 * Read one line from fd (terminal, pipe or file), byte by byte so that nothing
 * after the line is consumed. The line ends at '\n' (or at end of input after at
 * least one byte); a trailing "\r\n" / "\n" is removed. max: longest line
 * accepted (0: CLI_LINE_MAX); a longer one is CLI_LINE_TOO_LONG, never cut.
 * timeout_ms: the whole read must finish within it (poll; < 0 waits forever).
 * On CLI_LINE_OK *out is a NUL-terminated malloc'd string registered with
 * cli_secret_keep (release with cli_secret_drop + free) and *len (may be NULL)
 * its length; on any other result *out is NULL and nothing is kept.
 */
int cli_read_line(int fd, size_t max, int timeout_ms, char **out, size_t *len);
/* A short text for a cli_read_line result ("no line within the time allowed"...). */
const char *cli_line_strerror(int rc);
/* calloc(1, len) registered with cli_secret_keep (zeroed, so redaction never
 * scans uninitialised bytes); exits with EXIT_INTERNAL when out of memory. */
void *cli_secret_alloc(size_t len);

/*
 * Read at most max bytes from the open fd, waiting (poll) at most timeout_ms in
 * all (< 0: no limit) when it is a pipe. Returns a NUL-terminated buffer
 * registered with cli_secret_keep (*len bytes), or NULL with errno: EFBIG when
 * there is more than max, ETIMEDOUT at the deadline, or the read error.
 */
char *cli_read_fd_max(int fd, size_t max, int timeout_ms, size_t *len);

/* ---- cache trust -------------------------------------------------------------------- */
#ifndef CLI_CACHE_MAX
#define CLI_CACHE_MAX 65536u /* largest cache file read; a larger one is not used */
#endif
/*
 * Can a cache at path be written? Its directory must exist, be a directory
 * and be writable (effective ids); path, when it exists, must be a regular file
 * or a symbolic link (which a write replaces, never follows). Call before
 * any network exchange. Returns 0, or EXIT_INPUT (EXIT_INTERNAL when out of
 * memory) with why (cap bytes) holding the whole message, naming the cache:
 * "cache /x/t.json: directory /x: No such file or directory".
 */
int cli_cache_check_dir(const char *path, char *why, size_t cap);

/* ---- the --key file ------------------------------------------------------------------ */
#ifndef CLI_KEY_FILE_MAX
#define CLI_KEY_FILE_MAX 65536u /* largest key file read (an RSA-4096 PEM is ~3.3 KB) */
#endif
#define CLI_KEY_READ_MS 10000 /* a key from a pipe must arrive within this */
/*
 * Read the private key file for --key (path, or "-" for stdin): at most
 * CLI_KEY_FILE_MAX bytes, kept with cli_secret_keep. Returns the bytes
 * (NUL-terminated, *len) when they look like an unencrypted RSA private key
 * (PEM "RSA PRIVATE KEY" / "PRIVATE KEY", or DER; from a PEM file holding
 * other blocks too, such as its certificate, only the key block), else NULL with why (cap
 * bytes) saying what the file is in words a person can act on: cannot open
 * (OS error text), a directory, empty, too large, a certificate, a public key,
 * an encrypted private key (PKCS#8 or Proc-Type: 4,ENCRYPTED), an EC/DSA key
 * (only RSA is supported), neither PEM nor DER. The caller prints
 * "--key FILE: <why>" and exits with EXIT_INPUT. The library still judges
 * the key itself (size, type inside PKCS#8).
 */
char *cli_key_read(const char *path, size_t *len, char *why, size_t cap);

/* ---- values from stdin and files ------------------------------------------------- */
#ifndef CLI_SECRET_MAX
#define CLI_SECRET_MAX 16384u /* longest secret value (file or stdin line) */
#endif
#ifndef CLI_STDIN_WAIT_MS
#define CLI_STDIN_WAIT_MS 300000 /* default time a person has to paste a line */
#endif
/* How long cli_secret_read("-") waits for its line (ms; < 0 forever). The
 * command line may set it (e.g. from --wait). */
extern int cli_stdin_timeout_ms;

#endif /* SFOAUTH_CLI_H */
