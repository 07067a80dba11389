/*
 * application/x-www-form-urlencoded writer (WHATWG URL Standard s.5.2 with the
 * s.1.3 application/x-www-form-urlencoded percent-encode set): ASCII
 * alphanumerics and '*' '-' '.' '_' are copied, space becomes '+', every other
 * byte becomes %XX with uppercase hex digits.
 */
#include <string.h>
#include "sfo_codec.h"

static const char k_hex[] = "0123456789ABCDEF";

/*
 * Append pre (when not 0) as is, then n bytes of in encoded, at f->buf[f->len],
 * and terminate. f->buf may be NULL to count only. On success f->len advances
 * and SFO_OK is returned; on SFO_E_TOO_LONG f->len and buf[0..f->len) are
 * unchanged, bytes past them may have been written (the NUL too) and f->err is
 * set. The room check cap - o > k cannot overflow.
 */
static int put(struct sfo_form *f, unsigned pre, const char *in, size_t n)
{
    size_t o = f->len, k;
    unsigned c;

    for (; n != 0 || pre != 0; pre = 0) {
        k = 1;
        c = pre;
        if (c == 0) {
            c = (unsigned char)*in++;
            n--;
            if (c == ' ')
                c = '+';
            else if (c - '0' >= 10u && (c | 0x20u) - 'a' >= 26u && c != '*' && c != '-' &&
                     c != '.' && c != '_')
                k = 3;
        }
        if (f->cap - o <= k) return f->err = SFO_E_TOO_LONG;
        if (f->buf != NULL) {
            f->buf[o] = (char)c;
            if (k == 3) {
                f->buf[o] = '%';
                f->buf[o + 1] = k_hex[c >> 4];
                f->buf[o + 2] = k_hex[c & 15u];
            }
        }
        o += k;
    }
    if (f->buf != NULL) f->buf[o] = '\0';
    f->len = o;
    return SFO_OK;
}

int sfo_form_init(struct sfo_form *f, char *buf, size_t cap)
{
    if (f == NULL || buf == NULL || cap == 0) return SFO_E_ARG;
    f->buf = buf;
    f->cap = cap;
    f->len = 0;
    f->err = SFO_OK;
    buf[0] = '\0';
    return SFO_OK;
}

int sfo_form_add(struct sfo_form *f, const char *name, const char *value, size_t value_len)
{
    size_t mark;
    int r;

    if (f == NULL || f->buf == NULL || name == NULL || (value == NULL && value_len != 0))
        return SFO_E_ARG;
    if (f->err != SFO_OK) return f->err;
    mark = f->len;
    r = put(f, mark != 0 ? '&' : 0, name, strlen(name));
    if (r == SFO_OK) r = put(f, '=', value, value_len);
    if (r != SFO_OK) {
        /* Wipe the partial pair (it may hold a secret); this restores the NUL. */
        sfo_wipe(f->buf + mark, f->cap - mark);
        f->len = mark;
    }
    return r;
}

int sfo_form_add_str(struct sfo_form *f, const char *name, const char *value)
{
    return sfo_form_add(f, name, value, value != NULL ? strlen(value) : 0);
}

int sfo_form_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len)
{
    struct sfo_form f;
    int r = sfo_form_init(&f, out, cap);

    if (r == SFO_OK && in == NULL && n != 0) r = SFO_E_ARG;
    if (r == SFO_OK && (r = put(&f, 0, (const char *)in, n)) != SFO_OK) sfo_wipe(out, cap);
    if (r == SFO_OK && out_len != NULL) *out_len = f.len;
    return r;
}

size_t sfo_form_encoded_len(const uint8_t *in, size_t n)
{
    struct sfo_form f = { NULL, SIZE_MAX, 0, SFO_OK };

    if (in == NULL && n != 0) return 0;
    return put(&f, 0, (const char *)in, n) == SFO_OK ? f.len : SIZE_MAX;
}
