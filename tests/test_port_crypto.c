/*
 * Port crypto over the selected backend: SHA-256 (FIPS 180-2), HMAC-SHA256
 * (RFC 4231), RS256 (RFC 7515 A.2), key formats and refusals, iov segmenting,
 * random bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sfoauth_posix.h"
#include "testenv.h"

/* ---- tiny test-only JSON reader (independent of the library's scanner) ---- */
enum tj_type { TJ_NULL, TJ_BOOL, TJ_NUM, TJ_STR, TJ_ARR, TJ_OBJ };

struct tj {
    enum tj_type type;
    double num; /* TJ_NUM, TJ_BOOL (0/1) */
    char *str;  /* TJ_STR (NUL-terminated), key of an object member */
    size_t str_len;
    char *key;       /* member name when inside an object */
    struct tj *kids; /* TJ_ARR / TJ_OBJ children */
    size_t n;
};

struct tjp {
    const char *s;
    size_t i, n;
};

static void die(const struct tjp *p, const char *why)
{
    fprintf(stderr, "tjson: %s at offset %zu\n", why, p->i);
    abort();
}

static void ws(struct tjp *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) != NULL && p->s[p->i] != '\0') p->i++;
}

static void value(struct tjp *p, struct tj *v);

static char *string(struct tjp *p, size_t *len)
{
    size_t cap = 16, o = 0;
    char *out = malloc(cap);
    if (p->s[p->i] != '"') die(p, "string expected");
    p->i++;
    for (;;) {
        char c;
        if (p->i >= p->n) die(p, "unterminated string");
        c = p->s[p->i++];
        if (c == '"') break;
        if (c == '\\') {
            char e = p->s[p->i++];
            switch (e) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned u;
                if (sscanf(p->s + p->i, "%4x", &u) != 1 || u > 0xff) die(p, "\\u beyond latin-1");
                p->i += 4;
                c = (char)u;
                break;
            }
            default: c = e; break;
            }
        }
        if (o + 2 > cap) out = realloc(out, cap *= 2);
        out[o++] = c;
    }
    out[o] = '\0';
    if (len) *len = o;
    return out;
}

static void push(struct tj *v, struct tj *kid)
{
    v->kids = realloc(v->kids, (v->n + 1) * sizeof *kid);
    v->kids[v->n++] = *kid;
}

static void value(struct tjp *p, struct tj *v)
{
    memset(v, 0, sizeof *v);
    ws(p);
    if (p->i >= p->n) die(p, "value expected");
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        v->type = c == '{' ? TJ_OBJ : TJ_ARR;
        p->i++;
        ws(p);
        if (p->s[p->i] == close) {
            p->i++;
            return;
        }
        for (;;) {
            struct tj kid;
            char *key = NULL;
            ws(p);
            if (v->type == TJ_OBJ) {
                key = string(p, NULL);
                ws(p);
                if (p->s[p->i++] != ':') die(p, "colon expected");
            }
            value(p, &kid);
            kid.key = key;
            push(v, &kid);
            ws(p);
            if (p->s[p->i] == ',') {
                p->i++;
                continue;
            }
            if (p->s[p->i] == close) {
                p->i++;
                return;
            }
            die(p, "comma or close expected");
        }
    } else if (c == '"') {
        v->type = TJ_STR;
        v->str = string(p, &v->str_len);
    } else if (strncmp(p->s + p->i, "true", 4) == 0) {
        v->type = TJ_BOOL;
        v->num = 1;
        p->i += 4;
    } else if (strncmp(p->s + p->i, "false", 5) == 0) {
        v->type = TJ_BOOL;
        p->i += 5;
    } else if (strncmp(p->s + p->i, "null", 4) == 0) {
        v->type = TJ_NULL;
        p->i += 4;
    } else {
        char *end;
        v->type = TJ_NUM;
        v->num = strtod(p->s + p->i, &end);
        if (end == p->s + p->i) die(p, "bad value");
        p->i = (size_t)(end - p->s);
    }
}

static struct tj *tj_parse_file(const char *path)
{
    size_t len;
    char *text = t_read_file(path, &len);
    struct tjp p;
    struct tj *v = calloc(1, sizeof *v);
    if (text == NULL) {
        fprintf(stderr, "tjson: cannot read %s\n", path);
        abort();
    }
    p.s = text;
    p.i = 0;
    p.n = len;
    value(&p, v);
    free(text);
    return v;
}

static void tj_free_inner(struct tj *v)
{
    for (size_t i = 0; i < v->n; i++) tj_free_inner(&v->kids[i]);
    free(v->kids);
    free(v->str);
    free(v->key);
}

static void tj_free(struct tj *v)
{
    if (v == NULL) return;
    tj_free_inner(v);
    free(v);
}

static const struct tj *tj_get(const struct tj *obj, const char *key)
{
    if (obj == NULL || obj->type != TJ_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->kids[i].key, key) == 0) return &obj->kids[i];
    return NULL;
}

static const char *tj_str(const struct tj *obj, const char *key)
{
    const struct tj *v = tj_get(obj, key);
    return (v != NULL && v->type == TJ_STR) ? v->str : NULL;
}

static unsigned char *tj_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) {
            fprintf(stderr, "bad hex\n");
            abort();
        }
        out[i] = (unsigned char)b;
    }
    *len = n;
    return out;
}

/* ---------------------------------------------------------------- fixture */
struct fx {
    struct sfo_posix_port pp;
    struct sfo_port port;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_SALESFORCE };
    if (f == NULL || sfo_posix_port_init(&f->pp, &cfg, &f->port) != SFO_OK) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sfo_posix_port_deinit(&f->pp);
    free(f);
    return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = '\0';
}

static const char *vec(const char *name)
{
    return t_path("%s/testdata/vectors/%s", t_shared(), name);
}

/* ------------------------------------------------------------------ tests */
static void sha256_fips180(void **state)
{
    struct fx *f = *state;
    struct tj *doc = tj_parse_file(vec("sha256_fips180.json"));
    const struct tj *cases = tj_get(doc, "cases");
    assert_non_null(cases);
    assert_true(cases->n >= 4);
    for (size_t i = 0; i < cases->n; i++) {
        const struct tj *c = &cases->kids[i];
        uint8_t d[32];
        char h[65];
        const char *ascii = tj_str(c, "message_ascii");
        const struct tj *rep = tj_get(c, "message_repeat");
        if (ascii != NULL) {
            struct sfo_iov iov = { ascii, strlen(ascii) };
            assert_int_equal(f->port.sha256(f->port.ctx, &iov, 1, d), SFO_OK);
        } else {
            /* the repeated message as many iov segments of 1000 copies each */
            assert_non_null(rep);
            const char *unit = tj_str(rep, "ascii");
            size_t count = (size_t)tj_get(rep, "count")->num, ulen = strlen(unit);
            size_t per = 1000, nseg = (count + per - 1) / per;
            char *blk = malloc(per * ulen);
            struct sfo_iov *iov = calloc(nseg, sizeof *iov);
            for (size_t k = 0; k < per; k++) memcpy(blk + k * ulen, unit, ulen);
            for (size_t k = 0; k < nseg; k++) {
                size_t reps = (k + 1 < nseg || count % per == 0) ? per : count % per;
                iov[k].ptr = blk;
                iov[k].len = reps * ulen;
            }
            assert_int_equal(f->port.sha256(f->port.ctx, iov, nseg, d), SFO_OK);
            free(iov);
            free(blk);
        }
        hex(d, 32, h);
        assert_string_equal(h, tj_str(c, "sha256_hex"));
    }
    tj_free(doc);
}

static void hmac_rfc4231(void **state)
{
    struct fx *f = *state;
    struct tj *doc = tj_parse_file(vec("hmac_sha256_rfc4231.json"));
    const struct tj *cases = tj_get(doc, "cases");
    assert_non_null(cases);
    assert_int_equal(cases->n, 7);
    for (size_t i = 0; i < cases->n; i++) {
        const struct tj *c = &cases->kids[i];
        size_t kl, dl;
        uint8_t *k = tj_unhex(tj_str(c, "key_hex"), &kl);
        uint8_t *d = tj_unhex(tj_str(c, "data_hex"), &dl);
        uint8_t mac[32];
        char h[65];
        struct sfo_iov iov = { d, dl };
        assert_int_equal(f->port.hmac_sha256(f->port.ctx, k, kl, &iov, 1, mac), SFO_OK);
        hex(mac, 32, h);
        const char *want = tj_str(c, "hmac_sha256_hex");
        if (want == NULL) {
            want = tj_str(c, "hmac_sha256_truncated_128_hex");
            assert_non_null(want);
            h[32] = '\0';
        }
        assert_string_equal(h, want);
        free(k);
        free(d);
    }
    tj_free(doc);
}

static void load_file_key(struct fx *f, const char *path, int want)
{
    size_t len;
    char *data = t_read_file(path, &len);
    assert_non_null(data);
    int rc = f->port.key_load(f->port.ctx, (const uint8_t *)data, len);
    if (rc != want) fprintf(stderr, "key %s: got %s\n", path, sfo_errname(rc));
    assert_int_equal(rc, want);
    free(data);
}

static void sign_hex(struct fx *f, const uint8_t digest[32], char *out, size_t *sig_len)
{
    uint8_t sig[SFO_RSA_MAX_SIG];
    assert_int_equal(f->port.rsa_sign(f->port.ctx, digest, sig, sizeof sig, sig_len), SFO_OK);
    hex(sig, *sig_len, out);
}

static void rs256_rfc7515(void **state)
{
    struct fx *f = *state;
    size_t in_len, want_len, sl;
    char *input = t_read_file(vec("jws-rfc7515-a2/signing_input.txt"), &in_len);
    char *want = t_read_file(vec("jws-rfc7515-a2/signature.hex"), &want_len);
    assert_non_null(input);
    assert_non_null(want);
    while (want_len > 0 && (want[want_len - 1] == '\n' || want[want_len - 1] == '\r'))
        want[--want_len] = '\0';
    uint8_t d[32];
    char h[2 * SFO_RSA_MAX_SIG + 1];
    struct sfo_iov iov = { input, in_len };
    assert_int_equal(f->port.sha256(f->port.ctx, &iov, 1, d), SFO_OK);

    load_file_key(f, vec("jws-rfc7515-a2/private_key_pkcs1.pem"), SFO_OK);
    sign_hex(f, d, h, &sl);
    assert_int_equal(sl, 256);
    assert_string_equal(h, want);

    load_file_key(f, vec("jws-rfc7515-a2/private_key_pkcs8.pem"), SFO_OK);
    sign_hex(f, d, h, &sl);
    assert_string_equal(h, want);

    /* too small a signature buffer */
    uint8_t small[255];
    size_t n = 0;
    assert_int_equal(f->port.rsa_sign(f->port.ctx, d, small, sizeof small, &n), SFO_E_TOO_LONG);

    /* cleared key cannot sign */
    f->port.key_clear(f->port.ctx);
    uint8_t sig[SFO_RSA_MAX_SIG];
    assert_int_equal(f->port.rsa_sign(f->port.ctx, d, sig, sizeof sig, &n), SFO_E_KEY);
    free(input);
    free(want);
}

static void key_forms_from_pki(void **state)
{
    struct fx *f = *state;
    const char *pki = t_pki();
    static const char *forms[] = { "client.key", "client-pkcs8.pem", "client-pkcs1.der",
                                   "client-pkcs8.der" };
    uint8_t d[32];
    char first[2 * SFO_RSA_MAX_SIG + 1], h[2 * SFO_RSA_MAX_SIG + 1];
    size_t sl;
    struct sfo_iov iov = { "payload", 7 };
    assert_int_equal(f->port.sha256(f->port.ctx, &iov, 1, d), SFO_OK);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        load_file_key(f, t_path("%s/%s", pki, forms[i]), SFO_OK);
        sign_hex(f, d, i == 0 ? first : h, &sl);
        assert_int_equal(sl, 256);
        if (i > 0) assert_string_equal(h, first); /* PKCS#1 v1.5 is deterministic */
    }
    /* 4096-bit key accepted: 512-byte signature */
    load_file_key(f, t_path("%s/rsa4096.key", pki), SFO_OK);
    sign_hex(f, d, h, &sl);
    assert_int_equal(sl, 512);
}

static void key_refusals(void **state)
{
    struct fx *f = *state;
    const char *pki = t_pki();
    uint8_t d[32] = { 0 }, sig[SFO_RSA_MAX_SIG];
    size_t n;
    load_file_key(f, t_path("%s/client.key", pki), SFO_OK);
    load_file_key(f, t_path("%s/rsa1024.key", pki), SFO_E_KEY_TYPE);
    load_file_key(f, t_path("%s/ec.key", pki), SFO_E_KEY_TYPE);
    load_file_key(f, t_path("%s/client-enc.pem", pki), SFO_E_KEY);
    /* a refused load keeps the earlier key */
    assert_int_equal(f->port.rsa_sign(f->port.ctx, d, sig, sizeof sig, &n), SFO_OK);
    static const char garbage[] = "this is not a key at all";
    assert_int_equal(f->port.key_load(f->port.ctx, (const uint8_t *)garbage, sizeof garbage - 1),
                     SFO_E_KEY);
    static const char bad_pem[] =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB!!!!\n-----END RSA PRIVATE KEY-----\n";
    assert_int_equal(f->port.key_load(f->port.ctx, (const uint8_t *)bad_pem, sizeof bad_pem - 1),
                     SFO_E_KEY);
    static const char trunc_pem[] = "-----BEGIN RSA PRIVATE "
                                    "KEY-----\nMIIEowIBAAKCAQEAofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd/"
                                    "wWJcyQoTbji9k0\n-----END RSA PRIVATE KEY-----\n";
    assert_int_equal(
        f->port.key_load(f->port.ctx, (const uint8_t *)trunc_pem, sizeof trunc_pem - 1), SFO_E_KEY);
    uint8_t der_garbage[64];
    memset(der_garbage, 0x30, sizeof der_garbage);
    assert_int_equal(f->port.key_load(f->port.ctx, der_garbage, sizeof der_garbage), SFO_E_KEY);
    assert_int_equal(f->port.key_load(f->port.ctx, NULL, 0), SFO_E_ARG);
}

static void iov_segmenting(void **state)
{
    struct fx *f = *state;
    uint8_t msg[3000], one[32], seg[32], key[100];
    assert_int_equal(f->port.random(f->port.ctx, msg, sizeof msg), SFO_OK);
    assert_int_equal(f->port.random(f->port.ctx, key, sizeof key), SFO_OK);
    struct sfo_iov whole = { msg, sizeof msg };
    static const size_t cuts[][4] = {
        { 0, 1, 64, 3000 }, { 63, 64, 65, 3000 }, { 1000, 1000, 2999, 3000 }, { 0, 0, 0, 3000 }
    };
    for (int mode = 0; mode < 2; mode++) {
        size_t klen = mode ? sizeof key : 0;
        if (mode)
            assert_int_equal(f->port.hmac_sha256(f->port.ctx, key, klen, &whole, 1, one), SFO_OK);
        else
            assert_int_equal(f->port.sha256(f->port.ctx, &whole, 1, one), SFO_OK);
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            struct sfo_iov v[5];
            size_t prev = 0;
            for (int i = 0; i < 4; i++) {
                v[i].ptr = msg + prev;
                v[i].len = cuts[c][i] - prev;
                prev = cuts[c][i];
            }
            v[4].ptr = NULL;
            v[4].len = 0;
            if (mode)
                assert_int_equal(f->port.hmac_sha256(f->port.ctx, key, klen, v, 5, seg), SFO_OK);
            else
                assert_int_equal(f->port.sha256(f->port.ctx, v, 5, seg), SFO_OK);
            assert_memory_equal(one, seg, 32);
        }
    }
    /* zero segments: hash of the empty message */
    char h[65];
    assert_int_equal(f->port.sha256(f->port.ctx, NULL, 0, seg), SFO_OK);
    hex(seg, 32, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void random_fills(void **state)
{
    struct fx *f = *state;
    uint8_t a[1024], b[1024], zero[1024] = { 0 };
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    assert_int_equal(f->port.random(f->port.ctx, a, sizeof a), SFO_OK);
    assert_int_equal(f->port.random(f->port.ctx, b, sizeof b), SFO_OK);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_memory_not_equal(a, b, sizeof a);
    /* every byte value of 1024 bytes cannot stay zero everywhere in the tail */
    assert_memory_not_equal(a + 1000, zero, 24);
    assert_int_equal(f->port.random(f->port.ctx, a, 0), SFO_OK);
}

static void clocks(void **state)
{
    struct fx *f = *state;
    int64_t m1 = f->port.mono_ms(f->port.ctx), m2 = f->port.mono_ms(f->port.ctx);
    assert_true(m2 >= m1);
    assert_true(f->port.wall_s(f->port.ctx) > 1700000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sha256_fips180, setup, teardown),
        cmocka_unit_test_setup_teardown(hmac_rfc4231, setup, teardown),
        cmocka_unit_test_setup_teardown(rs256_rfc7515, setup, teardown),
        cmocka_unit_test_setup_teardown(key_forms_from_pki, setup, teardown),
        cmocka_unit_test_setup_teardown(key_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(iov_segmenting, setup, teardown),
        cmocka_unit_test_setup_teardown(random_fills, setup, teardown),
        cmocka_unit_test_setup_teardown(clocks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
