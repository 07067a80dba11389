/*
 * Only for `make static` (musl): Debian builds libbearssl.a with
 * _FORTIFY_SOURCE, so its objects call glibc's checked memcpy/memset. musl has
 * no such entry points; these give the same contract (abort on overflow).
 * snprintf (defined in cli/fmt.c as an alias of cli_snprintf): the CLI formats
 * through cli/fmt.c; the last callers of the C library's (the port's "%u" of a
 * port number, musl's inet_ntop: "%d" and "%x") get the same formatter, so no C
 * library printf is linked.
 * Compiled to nothing in every other build.
 */
#if defined(SFO_MUSL_COMPAT)
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
#else
typedef int sfo_musl_compat_unused; /* ISO C: a translation unit is not empty */
#endif
