/* Known-answer vectors of the firmware test image: see fw_vectors.h. */
#include <string.h>

#include "fw_util.h"
#include "fw_vectors.h"
#include "sfo_json.h"

#define FIELD_MAX 520u /* longest field: base64.json's 256-byte input, 512 hex digits */
#define BYTES_MAX (FIELD_MAX / 2u)

enum {
    F_MSG,
    F_KEY,
    F_DATA,
    F_SHA,
    F_HMAC,
    F_HMAC16,
    F_REPEAT,
    F_IN_HEX,
    F_B64,
    F_B64URL,
    F_ALPHA,
    F_INPUT,
    F_RESULT,
    F_DEC_HEX,
    F_COUNT
};
static const char *const k_fields[F_COUNT] = { "message_ascii",   "key_hex",
                                               "data_hex",        "sha256_hex",
                                               "hmac_sha256_hex", "hmac_sha256_truncated_128_hex",
                                               "message_repeat",  "input_hex",
                                               "base64",          "base64url_nopad",
                                               "alphabet",        "input",
                                               "result",          "decoded_hex" };

/* One case being read: field texts as received. */
struct vcase {
    char key[40];
    size_t key_len;
    int field; /* index into k_fields, or -1 */
    char val[F_COUNT][FIELD_MAX];
    size_t len[F_COUNT];
    unsigned present; /* bit per field seen */
    int bad;          /* a field did not fit */
};

static struct sfo_conf_kat_sha256 sha[FW_KAT_MAX];
static struct sfo_conf_kat_hmac hmac[FW_KAT_MAX];
static uint8_t bytes[FW_KAT_MAX * 2u][3u][BYTES_MAX]; /* per case: up to three byte strings */
static size_t n_sha_cases, n_hmac_cases, n_b64_cases;
static struct fw_b64_case b64[FW_B64_MAX];
static uint8_t b64_bytes[FW_B64_MAX][2][BYTES_MAX];
static char b64_text[FW_B64_MAX][2][FIELD_MAX];

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Hex text to bytes; returns the byte count or -1. */
static long unhex(const char *s, size_t n, uint8_t *out)
{
    size_t i;
    if (n % 2u != 0u || n / 2u > BYTES_MAX) return -1;
    for (i = 0; i < n; i += 2u) {
        int h = hexval(s[i]), l = hexval(s[i + 1u]);
        if (h < 0 || l < 0) return -1;
        out[i / 2u] = (uint8_t)(h * 16 + l);
    }
    return (long)(n / 2u);
}

#define HAS(c, f) (((c)->present >> (f)) & 1u)

static int field_is(const struct vcase *c, int f, const char *text)
{
    return c->len[f] == strlen(text) && memcmp(c->val[f], text, c->len[f]) == 0;
}

/* A base64.json case: an encode entry (input_hex, base64, base64url_nopad) or a
 * decode entry (alphabet, input, result, decoded_hex). */
static void emit_b64(struct vcase *c)
{
    struct fw_b64_case *v = &b64[n_b64_cases];
    long n = 0;
    if (n_b64_cases >= FW_B64_MAX) return;
    memset(v, 0, sizeof *v);
    if (HAS(c, F_IN_HEX) && HAS(c, F_B64) && HAS(c, F_B64URL)) {
        n = unhex(c->val[F_IN_HEX], c->len[F_IN_HEX], b64_bytes[n_b64_cases][0]);
        if (n < 0) return;
        v->in = b64_bytes[n_b64_cases][0];
        v->in_len = (size_t)n;
        memcpy(b64_text[n_b64_cases][0], c->val[F_B64], c->len[F_B64]);
        memcpy(b64_text[n_b64_cases][1], c->val[F_B64URL], c->len[F_B64URL]);
        v->b64 = b64_text[n_b64_cases][0];
        v->b64_len = c->len[F_B64];
        v->url = b64_text[n_b64_cases][1];
        v->url_len = c->len[F_B64URL];
    } else if (HAS(c, F_INPUT) && HAS(c, F_RESULT) && HAS(c, F_ALPHA)) {
        v->decode = 1;
        v->result = field_is(c, F_RESULT, "accept") ? 1 : field_is(c, F_RESULT, "reject") ? 0 : -1;
        v->alphabet = field_is(c, F_ALPHA, "base64")      ? 1
                      : field_is(c, F_ALPHA, "base64url") ? 2
                                                          : 3;
        memcpy(b64_text[n_b64_cases][0], c->val[F_INPUT], c->len[F_INPUT]);
        v->b64 = b64_text[n_b64_cases][0];
        v->b64_len = c->len[F_INPUT];
        if (HAS(c, F_DEC_HEX))
            n = unhex(c->val[F_DEC_HEX], c->len[F_DEC_HEX], b64_bytes[n_b64_cases][1]);
        if (n < 0) return;
        v->in = b64_bytes[n_b64_cases][1];
        v->in_len = (size_t)n;
    } else {
        return;
    }
    n_b64_cases++;
}

/* A finished case object: becomes a SHA-256, HMAC or base64 vector (or is left out). */
static void emit(struct vcase *c)
{
    if (HAS(c, F_IN_HEX) || HAS(c, F_INPUT)) {
        if (!c->bad) emit_b64(c);
        return;
    }
    size_t k = n_sha_cases + n_hmac_cases;
    long a, b, w;
    if (c->bad || k >= FW_KAT_MAX * 2u || c->len[F_REPEAT] != 0u) return;
    if (c->len[F_SHA] != 0u && n_sha_cases < FW_KAT_MAX) {
        w = unhex(c->val[F_SHA], c->len[F_SHA], bytes[k][1]);
        if (w != 32 || c->len[F_MSG] > BYTES_MAX) return;
        memcpy(bytes[k][0], c->val[F_MSG], c->len[F_MSG]);
        sha[n_sha_cases].id = "fips180";
        sha[n_sha_cases].msg = bytes[k][0];
        sha[n_sha_cases].msg_len = c->len[F_MSG];
        sha[n_sha_cases].want = bytes[k][1];
        n_sha_cases++;
    } else if (c->len[F_KEY] != 0u && n_hmac_cases < FW_KAT_MAX) {
        int f = c->len[F_HMAC] != 0u ? F_HMAC : F_HMAC16;
        a = unhex(c->val[F_KEY], c->len[F_KEY], bytes[k][0]);
        b = unhex(c->val[F_DATA], c->len[F_DATA], bytes[k][1]);
        w = unhex(c->val[f], c->len[f], bytes[k][2]);
        if (a < 0 || b < 0 || w < 16) return;
        hmac[n_hmac_cases] =
            (struct sfo_conf_kat_hmac){ "rfc4231", bytes[k][0], (size_t)a, bytes[k][1],
                                        (size_t)b, bytes[k][2], (size_t)w };
        n_hmac_cases++;
    }
}

/* Members of the objects inside "cases" (depth 3) are collected by name. */
static int on_event(void *user, enum sfo_json_event ev, const char *data, size_t len,
                    unsigned flags, size_t depth)
{
    struct vcase *c = user;
    int i;
    if (ev == SFO_JSON_OBJECT_BEGIN && depth == 2u) {
        memset(c, 0, sizeof *c);
        c->field = -1;
    } else if (ev == SFO_JSON_OBJECT_END && depth == 2u) {
        emit(c);
    } else if (ev == SFO_JSON_KEY && depth == 3u) {
        if (flags & SFO_JSON_FIRST) c->key_len = 0;
        if (c->key_len + len < sizeof c->key) {
            memcpy(c->key + c->key_len, data, len);
            c->key_len += len;
        }
        c->key[c->key_len] = '\0';
        c->field = -1;
        for (i = 0; i < F_COUNT; i++) {
            if (strcmp(c->key, k_fields[i]) == 0) c->field = i;
        }
        if (c->field >= 0) c->present |= 1u << c->field;
        if (c->field == F_REPEAT) c->len[F_REPEAT] = 1u; /* an object: the case is left out */
    } else if ((ev == SFO_JSON_STRING || ev == SFO_JSON_NUMBER) && depth == 3u && c->field >= 0) {
        if (c->len[c->field] + len > FIELD_MAX)
            c->bad = 1;
        else {
            memcpy(c->val[c->field] + c->len[c->field], data, len);
            c->len[c->field] += len;
        }
    }
    return 0;
}

static int load_one(const char *path)
{
    static uint8_t stack[SFO_JSON_STACK_BYTES(8u)];
    static struct vcase c;
    static uint8_t file[16384];
    struct sfo_json j;
    long n = fw_read_file(path, file, sizeof file);
    if (n < 0) return -1;
    if (sfo_json_init(&j, stack, 8u, on_event, &c) != SFO_OK) return -1;
    if (sfo_json_feed(&j, file, (size_t)n) != SFO_OK || sfo_json_finish(&j) != SFO_OK) return -1;
    return 0;
}

int fw_vectors_load(const char *shared, const struct sfo_conf_kat_sha256 **s, size_t *n_s,
                    const struct sfo_conf_kat_hmac **h, size_t *n_h)
{
    static char path[512];
    size_t l = strlen(shared);
    static const char *const k_files[2] = { "/testdata/vectors/sha256_fips180.json",
                                            "/testdata/vectors/hmac_sha256_rfc4231.json" };
    int i;
    n_sha_cases = n_hmac_cases = 0;
    for (i = 0; i < 2; i++) {
        if (l + strlen(k_files[i]) + 1u > sizeof path) return -1;
        memcpy(path, shared, l);
        memcpy(path + l, k_files[i], strlen(k_files[i]) + 1u);
        if (load_one(path) != 0) return -1;
    }
    *s = sha;
    *n_s = n_sha_cases;
    *h = hmac;
    *n_h = n_hmac_cases;
    return (int)(n_sha_cases + n_hmac_cases);
}

int fw_b64_vectors_load(const char *shared, const struct fw_b64_case **v, size_t *n)
{
    static char path[512];
    static const char k_file[] = "/testdata/vectors/base64.json";
    size_t l = strlen(shared);
    n_b64_cases = 0;
    if (l + sizeof k_file > sizeof path) return -1;
    memcpy(path, shared, l);
    memcpy(path + l, k_file, sizeof k_file);
    if (load_one(path) != 0) return -1;
    *v = b64;
    *n = n_b64_cases;
    return (int)n_b64_cases;
}
