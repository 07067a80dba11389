/*
 * The CLI's formatted output: the printf subset it uses, so that a static build
 * links no C library printf (whose floating-point and wide-character code the CLI
 * never needs). Conversions: %d %i %u %x %X %o %c %s %%, flags '-' '0', a width
 * and a precision (digits or '*'), length modifiers hh h l ll z j t. Anything else
 * is a programming error and aborts (the compiler checks each format against its
 * arguments; the tests run every message).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Where formatted bytes go: a FILE, or a buffer of cap bytes (snprintf rules). */
struct sink {
    FILE *f;
    char *buf;
    size_t cap;
    size_t len; /* bytes produced so far, stored or not */
};

/* One conversion specification. */
struct spec {
    bool left, zero;
    int width; /* 0: none */
    int prec;  /* -1: none */
    int len;   /* argument width: 0 int, 1 long, 2 long long */
    char conv;
};

/* Appends n bytes of p to the sink (a buffer keeps its last byte for the NUL). */
static void put(struct sink *s, const char *p, size_t n)
{
    if (s->f != NULL) {
        if (n > 0) (void)fwrite(p, 1, n, s->f);
    } else if (s->cap > 0 && s->len < s->cap - 1) {
        size_t room = s->cap - 1 - s->len;
        memcpy(s->buf + s->len, p, n < room ? n : room);
    }
    s->len += n;
}

/* Appends n copies of c. */
static void pad(struct sink *s, char c, int n)
{
    for (; n > 0; n--) put(s, &c, 1);
}

/* Reads a width or precision at *p (digits or '*'); advances *p. */
static int read_count(const char **p, va_list *ap)
{
    int v = 0;
    if (**p == '*') {
        (*p)++;
        return va_arg(*ap, int);
    }
    while (**p >= '0' && **p <= '9' && v < 100000) v = v * 10 + (*(*p)++ - '0');
    return v;
}

/* Parses the specification after a '%' at *p into sp; advances *p past it. */
static void parse_spec(const char **p, va_list *ap, struct spec *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->prec = -1;
    for (;; (*p)++) {
        if (**p == '-') {
            sp->left = true;
        } else if (**p == '0') {
            sp->zero = true;
        } else {
            break;
        }
    }
    sp->width = read_count(p, ap);
    if (sp->width < 0) { /* a negative '*' width means left-justified */
        sp->left = true;
        sp->width = -sp->width;
    }
    if (**p == '.') {
        (*p)++;
        sp->prec = read_count(p, ap);
    }
    for (; **p != '\0' && strchr("hlzjt", **p) != NULL; (*p)++) {
        if (**p == 'l' || **p == 'j') {
            sp->len += **p == 'l' ? 1 : 2;
        } else if (**p != 'h') { /* size_t, ptrdiff_t: as wide as one of int, long, long long */
            sp->len = sizeof(size_t) == sizeof(int) ? 0 : (sizeof(size_t) == sizeof(long) ? 1 : 2);
        }
    }
    sp->conv = *(*p)++;
}

/* Emits body (n bytes) padded to the spec's width; a zero-padded number keeps its
 * sign (sign_n bytes of body) in front of the zeros. */
static void emit(struct sink *s, const struct spec *sp, const char *body, size_t n, size_t sign_n)
{
    int fill = sp->width > (int)n ? sp->width - (int)n : 0;
    if (sp->left) {
        put(s, body, n);
        pad(s, ' ', fill);
    } else if (sp->zero && sp->conv != 's' && sp->conv != 'c') {
        put(s, body, sign_n);
        pad(s, '0', fill);
        put(s, body + sign_n, n - sign_n);
    } else {
        pad(s, ' ', fill);
        put(s, body, n);
    }
}

/* Reads an integer argument of the spec's length; *neg is set for a negative signed one. */
static unsigned long long int_arg(const struct spec *sp, va_list *ap, bool *neg)
{
    bool sgn = sp->conv == 'd' || sp->conv == 'i';
    long long v;
    *neg = false;
    switch ((sp->len < 2 ? sp->len : 2) * 2 + (sgn ? 1 : 0)) {
    case 0: return va_arg(*ap, unsigned int);
    case 1: v = va_arg(*ap, int); break;
    case 2: return va_arg(*ap, unsigned long);
    case 3: v = va_arg(*ap, long); break;
    case 4: return va_arg(*ap, unsigned long long);
    default: v = va_arg(*ap, long long); break;
    }
    *neg = v < 0;
    return *neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

/* Formats an integer conversion (d i u x X o). */
static void fmt_int(struct sink *s, const struct spec *sp, va_list *ap)
{
    char tmp[32];
    char *e = tmp + sizeof tmp, *q = e;
    unsigned base = sp->conv == 'o' ? 8u : (sp->conv == 'x' || sp->conv == 'X' ? 16u : 10u);
    const char *dig = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    bool neg;
    unsigned long long v = int_arg(sp, ap, &neg);
    do {
        *--q = dig[v % base];
        v /= base;
    } while (v != 0);
    while (sp->prec > 0 && e - q < sp->prec && q > tmp + 1) *--q = '0';
    if (neg) *--q = '-';
    emit(s, sp, q, (size_t)(e - q), neg ? 1 : 0);
}

/* Formats the arguments of fmt into the sink; returns the byte count. */
static int vformat(struct sink *s, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    while (*fmt != '\0') {
        const char *pct = strchr(fmt, '%');
        struct spec sp;
        size_t n = pct ? (size_t)(pct - fmt) : strlen(fmt);
        put(s, fmt, n);
        if (pct == NULL) break;
        fmt = pct + 1;
        parse_spec(&fmt, &aq, &sp);
        if (sp.conv == 's') {
            const char *str = va_arg(aq, const char *);
            if (str == NULL) str = "(null)";
            n = sp.prec >= 0 ? strnlen(str, (size_t)sp.prec) : strlen(str);
            emit(s, &sp, str, n, 0);
        } else if (sp.conv == 'c') {
            char c = (char)va_arg(aq, int);
            emit(s, &sp, &c, 1, 0);
        } else if (sp.conv == '%') {
            put(s, "%", 1);
        } else if (sp.conv != '\0' && strchr("diuxXo", sp.conv) != NULL) {
            fmt_int(s, &sp, &aq);
        } else {
            abort(); /* a conversion this subset does not have */
        }
    }
    va_end(aq);
    return s->len > INT32_MAX ? -1 : (int)s->len;
}

int cli_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct sink s = { NULL, buf, cap, 0 };
    int r = vformat(&s, fmt, ap);
    if (cap > 0) buf[s.len < cap ? s.len : cap - 1] = '\0';
    return r;
}

int cli_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = cli_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return r;
}

int cli_fprintf(FILE *f, const char *fmt, ...)
{
    struct sink s = { f, NULL, 0, 0 };
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = vformat(&s, fmt, ap);
    va_end(ap);
    return ferror(f) ? -1 : r;
}

#if defined(SFO_MUSL_COMPAT)
/* The static build's snprintf (cli/musl_compat.c says why). */
int snprintf(char *restrict buf, size_t cap, const char *restrict fmt, ...)
    __attribute__((alias("cli_snprintf")));
#endif
