/*
 * libFuzzer target: base64 / base64url encoders and strict decoders.
 *
 * Properties, for both alphabets:
 * - round trip: decode(encode(x)) == x, with the predicted encoded length
 *   and refusal (never truncation) when the output is one byte short;
 * - canonical input only: whenever decode(s) succeeds, encode(decode(s)) == s,
 *   so each byte string has exactly one accepted encoding;
 * - a reference checker (alphabet, padding, length, zero trailing bits)
 *   agrees with the decoder's verdict; failures leave a wiped buffer.
 */
#include <string.h>
#include "sfo_codec.h"
#include "fuzz_util.h"

#define MAXN 3072u

static int val(unsigned c, int url)
{
    if (c >= 'A' && c <= 'Z') return (int)(c - 'A');
    if (c >= 'a' && c <= 'z') return (int)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (int)(c - '0' + 52);
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

/* Reference verdict: 1 when s is the canonical encoding of some bytes. */
static int canonical(const uint8_t *s, size_t n, int url)
{
    size_t pad = 0, i;
    if (!url) {
        if (n % 4 != 0) return 0;
        while (pad < 2 && pad < n && s[n - 1 - pad] == '=') pad++;
        n -= pad;
    }
    if (n % 4 == 1) return 0;
    if (!url && pad != (4 - n % 4) % 4) return 0; /* padding completes the quantum */
    for (i = 0; i < n; i++)
        if (val(s[i], url) < 0) return 0;
    if (n % 4 == 2 && (val(s[n - 1], url) & 0x0f) != 0) return 0;
    if (n % 4 == 3 && (val(s[n - 1], url) & 0x03) != 0) return 0;
    return 1;
}

static void one(const uint8_t *d, size_t n, int url)
{
    static char enc[4 * MAXN / 3 + 8];
    static uint8_t dec[MAXN + 8];
    size_t el = 0, dl = 0, want;
    int (*encf)(const uint8_t *, size_t, char *, size_t, size_t *) =
        url ? sfo_b64url_encode : sfo_b64_encode;
    int (*decf)(const char *, size_t, uint8_t *, size_t, size_t *) =
        url ? sfo_b64url_decode : sfo_b64_decode;

    /* round trip */
    want = url ? SFO_B64URL_LEN(n) : SFO_B64_LEN(n);
    FZ_ASSERT(encf(d, n, enc, sizeof enc, &el) == SFO_OK);
    FZ_ASSERT(el == want && strlen(enc) == el);
    if (want > 0) FZ_ASSERT(encf(d, n, enc, want, NULL) == SFO_E_TOO_LONG && enc[0] == 0);
    FZ_ASSERT(encf(d, n, enc, want + 1, &el) == SFO_OK && el == want);
    FZ_ASSERT(canonical((const uint8_t *)enc, el, url));
    FZ_ASSERT(decf(enc, el, dec, sizeof dec, &dl) == SFO_OK);
    FZ_ASSERT(dl == n && memcmp(dec, d, n) == 0);
    FZ_ASSERT(decf(enc, el, dec, 3 * el / 4, &dl) == SFO_OK && dl == n);
    if (n > 0) {
        memset(dec, 0x55, sizeof dec);
        FZ_ASSERT(decf(enc, el, dec, n - 1, NULL) == SFO_E_TOO_LONG);
        for (size_t i = 0; i < n - 1; i++) FZ_ASSERT(dec[i] == 0);
    }

    /* the input as an encoding: accepted exactly when canonical */
    memset(dec, 0x55, sizeof dec);
    int rc = decf((const char *)d, n, dec, sizeof dec, &dl);
    if (canonical(d, n, url)) {
        FZ_ASSERT(rc == SFO_OK && dl <= 3 * n / 4);
        FZ_ASSERT(encf(dec, dl, enc, sizeof enc, &el) == SFO_OK);
        FZ_ASSERT(el == n && memcmp(enc, d, n) == 0);
    } else {
        FZ_ASSERT(rc == SFO_E_B64);
        /* wiped: zeros where it wrote, untouched after */
        size_t i = 0;
        while (i < sizeof dec && dec[i] == 0) i++;
        for (; i < sizeof dec; i++) FZ_ASSERT(dec[i] == 0x55);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n > MAXN) return 0;
    one(d, n, 0);
    one(d, n, 1);
    return 0;
}
