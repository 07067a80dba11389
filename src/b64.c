/*
 * base64 (RFC 4648 s.4, padded) and base64url (RFC 4648 s.5, unpadded).
 *
 * No tables: the alphabet is computed (A-Z a-z 0-9, then '+' '/' or '-' '_'),
 * which costs less flash than a 64-byte forward and a 128-byte reverse table.
 * Decoding is strict: no whitespace, no foreign characters, padding only as
 * one or two final '=' of a length that is a multiple of 4 (base64) or none at
 * all (base64url), and the unused bits of the last symbol must be zero (RFC
 * 4648 s.3.5), so every byte string has exactly one accepted encoding.
 * On any failure the bytes written so far are wiped.
 */
#include <string.h>
#include "sfo_codec.h"

/* Symbol for a 6-bit value v; url selects the RFC 4648 s.5 alphabet. */
static char sym(unsigned v, unsigned url)
{
    if (v < 26u) return (char)('A' + v);
    if (v < 52u) return (char)('a' + v - 26u);
    if (v < 62u) return (char)('0' + v - 52u);
    return (char)(v == 62u ? (url ? '-' : '+') : (url ? '_' : '/'));
}

/* sfo_b64_encode / sfo_b64url_encode (url: RFC 4648 s.5 alphabet, no padding).
 * Returns SFO_OK, SFO_E_ARG or SFO_E_TOO_LONG (out wiped and terminated). */
static int enc(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len, unsigned url)
{
    size_t i = 0, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    char c;

    if (out == NULL || cap == 0 || (in == NULL && n != 0)) return SFO_E_ARG;
    for (;;) {
        if (bits >= 6) { /* a whole symbol is pending */
            bits -= 6;
            c = sym((acc >> bits) & 63u, url);
        } else if (i < n) {
            acc = acc << 8 | in[i++];
            bits += 8;
            continue;
        } else if (bits != 0) { /* last partial symbol, zero-filled */
            c = sym((acc << (6 - bits)) & 63u, url);
            bits = 0;
        } else if (!url && (o & 3u) != 0) {
            c = '=';
        } else {
            break;
        }
        if (o + 1 >= cap) {
            sfo_wipe(out, o + 1); /* also terminates out */
            return SFO_E_TOO_LONG;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (out_len != NULL) *out_len = o;
    return SFO_OK;
}

/* sfo_b64_decode / sfo_b64url_decode (url: RFC 4648 s.5 alphabet, no padding).
 * Returns SFO_OK, SFO_E_ARG, SFO_E_B64 or SFO_E_TOO_LONG; out[0, written) is wiped
 * on failure. */
static int dec(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len, unsigned url)
{
    size_t i, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0, v;

    if (out == NULL || (in == NULL && n != 0)) return SFO_E_ARG;
    if (!url) {
        if (n % 4 != 0) return SFO_E_B64;
        /* Drop one or two final '='; any other '=' then fails as a foreign byte. */
        if (n != 0 && in[n - 1] == '=') n -= in[n - 2] == '=' ? 2 : 1;
    }
    if (n % 4 == 1) return SFO_E_B64; /* one symbol cannot make a byte */
    for (i = 0; i < n; i++) {
        for (v = 0; v < 64u && sym(v, url) != in[i]; v++) {} /* reverse lookup */
        if (v > 63u) goto bad;
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap) {
                sfo_wipe(out, o);
                return SFO_E_TOO_LONG;
            }
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1u)) != 0) goto bad; /* non-zero trailing bits */
    if (out_len != NULL) *out_len = o;
    return SFO_OK;
bad:
    sfo_wipe(out, o);
    return SFO_E_B64;
}

int sfo_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len)
{
    return enc(in, n, out, cap, out_len, 0);
}

int sfo_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len)
{
    return enc(in, n, out, cap, out_len, 1);
}

int sfo_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    return dec(in, n, out, cap, out_len, 0);
}

int sfo_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    return dec(in, n, out, cap, out_len, 1);
}
