/*
 * Only for `make static` (musl): Debian builds libbearssl.a with
 * _FORTIFY_SOURCE, so its objects call glibc's checked memcpy/memset. musl has
 * no such entry points; these give the same contract (abort on overflow).
 * snprintf: the CLI formats through cli/fmt.c; the last callers of the C
 * library's (the port's "%u" of a port number, musl's inet_ntop: "%d" and "%x")
 * get the same formatter, so no C library printf is linked.
 * Compiled to nothing in every other build.
 */
#if defined(SFO_MUSL_COMPAT)
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_len);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
    if (n > dst_len) {
        abort();
    }
    return memcpy(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_len)
{
    if (n > dst_len) {
        abort();
    }
    return memset(dst, c, n);
}

int snprintf(char *restrict buf, size_t cap, const char *restrict fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = cli_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return r;
}
#else
typedef int sfo_musl_compat_unused; /* ISO C: a translation unit is not empty */
#endif
