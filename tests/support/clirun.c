/* Test support: see clirun.h. */
#include "clirun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool t_cli_valgrind(void)
{
    const char *v = getenv("SFO_VALGRIND");
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

int t_cli_up(struct t_cli *c, const char *name, bool under_valgrind)
{
    memset(c, 0, sizeof *c);
    snprintf(c->tmp, sizeof c->tmp, "/tmp/sfoauth-%s.%ld", name, (long)getpid());
    mkdir(c->tmp, 0700);
    if (under_valgrind && t_cli_valgrind()) {
        snprintf(c->bin, sizeof c->bin,
                 "valgrind -q --error-exitcode=99 --leak-check=full "
                 "--errors-for-leak-kinds=definite,indirect "
                 "--show-leak-kinds=definite,indirect %s",
                 t_sfoauth_bin());
    } else {
        snprintf(c->bin, sizeof c->bin, "%s", t_sfoauth_bin());
    }
    snprintf(c->pki, sizeof c->pki, "%s", t_pki());
    snprintf(c->ca, sizeof c->ca, "%s/ca.pem", c->pki);
    snprintf(c->key, sizeof c->key, "%s/client.key", c->pki);
    snprintf(c->secret, sizeof c->secret, "%s/secret", c->tmp);
    if (t_write_file(c->secret, T_CLIENT_SECRET "\n", 0600) != 0) return -1;
    const char *server = t_path("%s/tests/server/sf_server.py", t_root());
    snprintf(c->url, sizeof c->url, "https://127.0.0.1:1");
    if (access(server, R_OK) == 0) {
        char *argv[] = { strdup(t_python()),       strdup(server),
                         strdup("--host"),         strdup("127.0.0.1"),
                         strdup("--port"),         strdup("0"),
                         strdup("--cert"),         strdup(t_path("%s/server.pem", c->pki)),
                         strdup("--key"),          strdup(t_path("%s/server.key", c->pki)),
                         strdup("--client-cert"),  strdup(t_path("%s/client.pem", c->pki)),
                         strdup("--auto-approve"), NULL };
        int rc = t_server_start(&c->srv, argv);
        for (char **a = argv; *a != NULL; a++) free(*a);
        if (rc != 0) return -1;
        c->have_server = true;
        snprintf(c->url, sizeof c->url, "https://127.0.0.1:%d", c->srv.port);
    }
    setenv("SFOAUTH_LOGIN_URL", c->url, 1);
    setenv("SFOAUTH_CLIENT_ID", T_CLIENT_ID, 1);
    setenv("SFOAUTH_USERNAME", T_USERNAME, 1);
    unsetenv("SFOAUTH_CLIENT_SECRET");
    unsetenv("SFOAUTH_KEY_FILE");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    return 0;
}

void t_cli_down(struct t_cli *c)
{
    t_server_stop(&c->srv);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->tmp);
    if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", c->tmp);
    free(c->out);
    free(c->err);
    c->out = c->err = NULL;
}

int t_cli_sh(struct t_cli *c, const char *fmt, ...)
{
    char cmd[8192], full[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full,
             "B='%s'; CA='%s'; KEY='%s'; PKI='%s'; SEC='%s'; URL='%s'; T='%s'; "
             "export B CA KEY PKI SEC URL T; ( %s ) >'%s/out' 2>'%s/err' </dev/null",
             c->bin, c->ca, c->key, c->pki, c->secret, c->url, c->tmp, cmd, c->tmp, c->tmp);
    int st = system(full);
    free(c->out);
    free(c->err);
    c->out = t_read_file(t_path("%s/out", c->tmp), NULL);
    c->err = t_read_file(t_path("%s/err", c->tmp), NULL);
    if (c->out == NULL) c->out = strdup("");
    if (c->err == NULL) c->err = strdup("");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
