/*
 * The token cache trusts only what this user wrote: through the real sfoauth
 * binary against the Salesforce-shaped server, a planted symbolic link as the
 * lock file or the cache, a cache owned by another user or writable by group or
 * others, a FIFO, a link to /dev/zero, an oversized file, a missing directory.
 * Each is refused promptly with one line naming the cache and the reason; the
 * command then gets a new token from the server (read refusals) or stops
 * before any exchange (lock file, FIFO, directory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clirun.h"

#define JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define TOKEN     "$B token --cacert \"$CA\" --key \"$KEY\" --cache"

static struct t_cli g_c;
static char *g_good; /* a valid cache written by sfoauth */

#define RUN_RC      T_RUN_RC
#define RUN_OK(...) T_RUN_RC(0, __VA_ARGS__)
#define ERR_HAS     T_ERR_HAS
#define NEED_SERVER T_NEED_SERVER

/* JWT grants the server answered so far. */
static long grants(void)
{
    t_cli_sh(&g_c, "curl -s --cacert \"$CA\" \"$URL/test/stats\"");
    const char *p = strstr(g_c.out, "\"" JWT_GRANT "\": ");
    return p ? strtol(p + strlen(JWT_GRANT) + 4, NULL, 10) : 0;
}

/* One line on stderr naming the cache: "sfoauth: cache $T/NAME not used: WHY". */
static void refused(const char *name, const char *why)
{
    char want[1024];
    snprintf(want, sizeof want, "sfoauth: cache %s/%s not used: %s", g_c.tmp, name, why);
    ERR_HAS(want);
    const char *nl = strchr(strstr(g_c.err, want), '\n');
    assert_true(nl == NULL || strstr(nl, "not used") == NULL); /* said once */
}

/* The printed access token (stdout without its newline), never empty. */
static const char *printed(void)
{
    g_c.out[strcspn(g_c.out, "\n")] = '\0';
    assert_true(strlen(g_c.out) > 10);
    return g_c.out;
}

/* `token --cache NAME` did not use the planted cache: a new token came from the
 * server (one grant more), not the cached one, and the cache is ours again. */
static void fresh_token(const char *name, long before)
{
    char *tok = strdup(printed());
    assert_null(strstr(g_good, tok)); /* not the cached token */
    free(tok);
    assert_int_equal(grants(), before + 1);
    struct stat sb;
    assert_int_equal(lstat(t_path("%s/%s", g_c.tmp, name), &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_uid, geteuid());
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static int setup(void **state)
{
    (void)state;
    if (t_cli_up(&g_c, "cache-test", false) != 0) return -1;
    if (!g_c.have_server) return 0;
    if (t_cli_sh(&g_c, TOKEN " \"$T/good.json\" >/dev/null") != 0) return -1;
    g_good = t_read_file(t_path("%s/good.json", g_c.tmp), NULL);
    return g_good ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    t_cli_down(&g_c);
    free(g_good);
    return 0;
}

static void trusted_cache_used(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_OK("cp \"$T/good.json\" \"$T/c0.json\"; " TOKEN " \"$T/c0.json\"");
    assert_string_equal(g_c.err, "");
    assert_non_null(strstr(g_good, printed()));
    assert_int_equal(grants(), before);
}

static void symlink_lock(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    /* a dangling link: following it would create the target */
    RUN_RC(3, "ln -s \"$T/planted\" \"$T/c1.json.lock\"; " TOKEN " \"$T/c1.json\"");
    assert_int_equal(access(t_path("%s/planted", g_c.tmp), F_OK), -1);
    refused("c1.json", "its lock file");
    ERR_HAS("is a symbolic link");
    /* a link to a file of ours: refused too */
    RUN_RC(3,
           "rm \"$T/c1.json.lock\"; : > \"$T/mine\"; ln -s \"$T/mine\" \"$T/c1.json.lock\"; " TOKEN
           " \"$T/c1.json\"");
    ERR_HAS("is a symbolic link");
    assert_int_equal(grants(), before); /* stopped before any exchange */
    /* a lock of another user */
    RUN_RC(
        3,
        "rm \"$T/c1.json.lock\"; : > \"$T/c1.json.lock\"; chown 65534 \"$T/c1.json.lock\"; " TOKEN
        " \"$T/c1.json\"");
    ERR_HAS("owned by uid 65534");
    /* a FIFO as the lock: a prompt refusal, not a hang */
    RUN_RC(3, "rm \"$T/c1.json.lock\"; mkfifo \"$T/c1.json.lock\"; timeout 20 " TOKEN
              " \"$T/c1.json\"");
    ERR_HAS("a FIFO, not a regular file");
    assert_int_equal(grants(), before);
}

static void symlink_cache(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_OK("cp \"$T/good.json\" \"$T/real.json\"; ln -s \"$T/real.json\" \"$T/c2.json\"; " TOKEN
           " \"$T/c2.json\"");
    refused("c2.json", "it is a symbolic link");
    fresh_token("c2.json", before); /* the link was replaced, not followed */
    char *real = t_read_file(t_path("%s/real.json", g_c.tmp), NULL);
    assert_string_equal(real, g_good);
    free(real);
    /* without a way to get a token: the refusal, then the usage error */
    RUN_RC(2, "ln -sf \"$T/real.json\" \"$T/c2b.json\"; "
              "$B token --cacert \"$CA\" --cache \"$T/c2b.json\"");
    refused("c2b.json", "it is a symbolic link");
    /* revoke/introspect/userinfo read the cache too */
    RUN_RC(2, "$B userinfo --cacert \"$CA\" --cache \"$T/c2b.json\"");
    refused("c2b.json", "it is a symbolic link");
}

static void foreign_owner(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_OK("cp \"$T/good.json\" \"$T/c3.json\"; chown 65534 \"$T/c3.json\"; " TOKEN
           " \"$T/c3.json\"");
    char want[128];
    snprintf(want, sizeof want, "owned by uid 65534, not by this user (uid %lu)",
             (unsigned long)geteuid());
    refused("c3.json", want);
    fresh_token("c3.json", before);
}

static void group_or_other_writable(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_OK("cp \"$T/good.json\" \"$T/c4.json\"; chmod 0620 \"$T/c4.json\"; " TOKEN
           " \"$T/c4.json\"");
    refused("c4.json", "writable by group or others (mode 0620");
    fresh_token("c4.json", before);
    RUN_OK("cp \"$T/good.json\" \"$T/c4.json\"; chmod 0602 \"$T/c4.json\"; " TOKEN
           " \"$T/c4.json\"");
    refused("c4.json", "writable by group or others (mode 0602");
    fresh_token("c4.json", before + 1);
    /* readable by others but not writable: ours, used (its mode is the user's choice) */
    RUN_OK("cp \"$T/good.json\" \"$T/c4.json\"; chmod 0644 \"$T/c4.json\"; " TOKEN
           " \"$T/c4.json\"");
    assert_int_equal(grants(), before + 2);
    assert_string_equal(g_c.err, "");
}

static void fifo_cache(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    /* nobody writes the FIFO: opening or reading it would wait forever */
    RUN_RC(3, "mkfifo \"$T/c5.json\"; timeout 20 " TOKEN " \"$T/c5.json\"");
    ERR_HAS(t_path("sfoauth: cache %s/c5.json: it is a FIFO, not a regular file", g_c.tmp));
    assert_int_equal(grants(), before);
    struct stat sb;
    assert_int_equal(lstat(t_path("%s/c5.json", g_c.tmp), &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode)); /* left alone */
    /* a reader without the lock (userinfo) refuses it as promptly */
    RUN_RC(2, "timeout 20 $B userinfo --cacert \"$CA\" --cache \"$T/c5.json\"");
    refused("c5.json", "a FIFO, not a regular file");
}

static void dev_zero_link(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_OK("ln -s /dev/zero \"$T/c6.json\"; timeout 20 " TOKEN " \"$T/c6.json\"");
    refused("c6.json", "it is a symbolic link");
    fresh_token("c6.json", before);
    struct stat sb;
    assert_int_equal(stat("/dev/zero", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
}

static void oversized(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    /* a valid cache padded past the limit: refused whole, not cut and parsed */
    RUN_OK("{ head -c -2 \"$T/good.json\"; head -c %u /dev/zero | tr '\\\\0' ' '; echo '}'; } "
           "> \"$T/c7.json\"; chmod 600 \"$T/c7.json\"; " TOKEN " \"$T/c7.json\"",
           70000u);
    refused("c7.json", "larger than 65536 bytes");
    fresh_token("c7.json", before);
    /* 20 MB: refused at once by its size */
    RUN_OK("head -c 20000000 /dev/zero > \"$T/c8.json\"; chmod 600 \"$T/c8.json\"; "
           "/usr/bin/time -f 'RSS %%M' " TOKEN " \"$T/c8.json\"");
    refused("c8.json", "larger than 65536 bytes");
    const char *rss = strstr(g_c.err, "RSS ");
    assert_non_null(rss);
    assert_true(strtol(rss + 4, NULL, 10) < 100000); /* kB: nothing like the file's size */
}

static void missing_or_bad_directory(void **state)
{
    (void)state;
    NEED_SERVER();
    long before = grants();
    RUN_RC(3, TOKEN " \"$T/nodir/c9.json\"");
    ERR_HAS(t_path("sfoauth: cache %s/nodir/c9.json: directory %s/nodir: No such file or "
                   "directory",
                   g_c.tmp, g_c.tmp));
    assert_null(strstr(g_c.err, ".lock"));
    RUN_RC(3, "$B jwt --cacert \"$CA\" --key \"$KEY\" --cache \"$T/secret/c9.json\"");
    ERR_HAS("is not a directory");
    /* a directory this user cannot write (run as uid 65534) */
    RUN_RC(3, "mkdir -p \"$T/ro\"; chmod 755 \"$T/ro\"; chmod 711 \"$T\"; "
              "setpriv --reuid=65534 --regid=65534 --clear-groups " TOKEN " \"$T/ro/c.json\"; "
              "rc=$?; chmod 700 \"$T\"; exit $rc");
    ERR_HAS(t_path("sfoauth: cache %s/ro/c.json: directory %s/ro is not writable: Permission "
                   "denied",
                   g_c.tmp, g_c.tmp));
    RUN_RC(3, "mkdir -p \"$T/adir\"; " TOKEN " \"$T/adir\"");
    ERR_HAS("it is a directory, not a regular file");
    assert_int_equal(grants(), before); /* all decided before any exchange */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trusted_cache_used),
        cmocka_unit_test(symlink_lock),
        cmocka_unit_test(symlink_cache),
        cmocka_unit_test(foreign_owner),
        cmocka_unit_test(group_or_other_writable),
        cmocka_unit_test(fifo_cache),
        cmocka_unit_test(dev_zero_link),
        cmocka_unit_test(oversized),
        cmocka_unit_test(missing_or_bad_directory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
