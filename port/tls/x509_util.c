/*
 * Small X.509 / PEM helpers shared by both TLS backends: IP-literal parsing,
 * the IP-address SAN check (neither mbedTLS 2.28 nor BearSSL 0.6 matches IP
 * hosts), a DN formatter for the log, a calendar helper and a PEM iterator.
 * Pure code over caller buffers: no platform header, no allocation.
 */
#include <string.h>

#include "sfo_port_impl.h"

/* Parse a dotted-quad IPv4 address (four decimal parts 0..255, no leading
 * zeros) from s[0..n): 1 with out[0..4) filled, else 0. */
static int ip4_parse(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    unsigned part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.') {
                return 0;
            }
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            if (digits == 1 && v == 0) {
                return 0; /* leading zero */
            }
            v = v * 10u + (unsigned)(s[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || v > 255u) {
            return 0;
        }
        out[part] = (uint8_t)v;
    }
    return i == n;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse an IPv6 literal (RFC 4291 section 2.2: hex groups, one "::", an
 * optional trailing dotted quad): 1 with out[0..16) filled, else 0. */
static int ip6_parse(const char *s, size_t n, uint8_t out[16])
{
    size_t i = 0, o = 0, gap = 16;
    memset(out, 0, 16);
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return 0;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        int h;
        while (i < n && i - start < 4 && (h = hex_val(s[i])) >= 0) {
            v = (v << 4) | (unsigned)h;
            i++;
        }
        if (i < n && s[i] == '.') { /* embedded IPv4 in the last 32 bits */
            if (o + 4 > 16 || !ip4_parse(s + start, n - start, out + o)) {
                return 0;
            }
            o += 4;
            break; /* ip4_parse consumed the rest of the text */
        }
        if (i == start || o + 2 > 16) {
            return 0;
        }
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
        if (i == n) {
            break;
        }
        if (s[i] != ':' || i + 1 >= n) {
            return 0;
        }
        i++;
        if (s[i] == ':') {
            if (gap != 16) {
                return 0; /* a second "::" */
            }
            gap = o;
            i++;
        }
    }
    if (gap == 16) {
        return o == 16;
    }
    if (o >= 16) {
        return 0; /* "::" must stand for at least one group */
    }
    memmove(out + 16 - (o - gap), out + gap, o - gap);
    memset(out + gap, 0, 16 - o);
    return 1;
}

size_t sfo__ip_parse(const char *host, uint8_t out[16])
{
    size_t n;
    if (host == NULL || out == NULL) {
        return 0;
    }
    n = strlen(host);
    if (n > 45) {
        return 0; /* longer than any IPv6 text form */
    }
    if (ip4_parse(host, n, out)) {
        return 4;
    }
    if (ip6_parse(host, n, out)) {
        return 16;
    }
    return 0;
}

/* ------------------------------------------------------------------- DER */
struct der {
    const uint8_t *p;
    size_t len;
};

/* Read one TLV from *d: tag, value (v); advances *d. 0 ok, -1 malformed. */
static int der_next(struct der *d, uint8_t *tag, struct der *v)
{
    size_t i = 0, n, vl;
    if (d->len < 2) {
        return -1;
    }
    *tag = d->p[i++];
    if ((*tag & 0x1fu) == 0x1fu) {
        return -1; /* high tag numbers do not occur where we look */
    }
    n = d->p[i++];
    if (n < 0x80u) {
        vl = n;
    } else {
        size_t k = n & 0x7fu;
        if (k == 0 || k > 4 || d->len - i < k) {
            return -1;
        }
        vl = 0;
        while (k-- > 0) {
            vl = (vl << 8) | d->p[i++];
        }
    }
    if (d->len - i < vl) {
        return -1;
    }
    v->p = d->p + i;
    v->len = vl;
    d->p += i + vl;
    d->len -= i + vl;
    return 0;
}

/* Find the extension with OID oid in a certificate DER: 1 with *val set to
 * the extnValue contents, 0 when absent, -1 when the DER cannot be walked. */
static int ext_find(const uint8_t *der, size_t len, const uint8_t *oid, size_t oid_len,
                    struct der *val)
{
    struct der d = { der, len }, cert, tbs, v, exts;
    uint8_t tag;
    if (der == NULL || der_next(&d, &tag, &cert) != 0 || tag != 0x30 ||
        der_next(&cert, &tag, &tbs) != 0 || tag != 0x30) {
        return -1;
    }
    do { /* to the [3] extensions of the TBSCertificate */
        if (tbs.len == 0) {
            return 0;
        }
        if (der_next(&tbs, &tag, &v) != 0) {
            return -1;
        }
    } while (tag != 0xa3);
    if (der_next(&v, &tag, &exts) != 0 || tag != 0x30) {
        return -1;
    }
    while (exts.len > 0) {
        struct der ext, id, f;
        if (der_next(&exts, &tag, &ext) != 0 || tag != 0x30 || der_next(&ext, &tag, &id) != 0 ||
            tag != 0x06 || der_next(&ext, &tag, &f) != 0) {
            return -1;
        }
        if (tag == 0x01 && der_next(&ext, &tag, &f) != 0) { /* critical flag */
            return -1;
        }
        if (tag != 0x04) {
            return -1;
        }
        if (id.len == oid_len && memcmp(id.p, oid, oid_len) == 0) {
            *val = f;
            return 1;
        }
    }
    return 0;
}

static const uint8_t k_oid_san[] = { 0x55, 0x1d, 0x11 };
static const uint8_t k_oid_eku[] = { 0x55, 0x1d, 0x25 };

int sfo__x509_ip_san_match(const uint8_t *der, size_t len, const uint8_t *ip, size_t ip_len)
{
    struct der f, names;
    uint8_t tag;
    int r = ext_find(der, len, k_oid_san, sizeof k_oid_san, &f);
    if (r < 0) {
        return SFO_E_TLS;
    }
    if (r == 0 || der_next(&f, &tag, &names) != 0 || tag != 0x30) {
        return r == 0 ? SFO_E_TLS_HOSTNAME : SFO_E_TLS;
    }
    while (names.len > 0) {
        struct der gn;
        if (der_next(&names, &tag, &gn) != 0) {
            return SFO_E_TLS;
        }
        if (tag == 0x87 && gn.len == ip_len && memcmp(gn.p, ip, ip_len) == 0) {
            return SFO_OK;
        }
    }
    return SFO_E_TLS_HOSTNAME;
}

/* SFO_OK when the EKU extension value f lists serverAuth or anyExtendedKeyUsage. */
static int eku_server_ok(struct der f)
{
    static const uint8_t k_server_auth[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
    static const uint8_t k_any[] = { 0x55, 0x1d, 0x25, 0x00 };
    struct der seq, id;
    uint8_t tag;
    if (der_next(&f, &tag, &seq) != 0 || tag != 0x30) {
        return SFO_E_TLS_UNTRUSTED;
    }
    while (seq.len > 0) {
        if (der_next(&seq, &tag, &id) != 0 || tag != 0x06) {
            return SFO_E_TLS_UNTRUSTED;
        }
        if ((id.len == sizeof k_server_auth && memcmp(id.p, k_server_auth, id.len) == 0) ||
            (id.len == sizeof k_any && memcmp(id.p, k_any, id.len) == 0)) {
            return SFO_OK;
        }
    }
    return SFO_E_TLS_UNTRUSTED;
}

int sfo__x509_leaf_policy(const uint8_t *der, size_t len)
{
    struct der f;
    int r = ext_find(der, len, k_oid_san, sizeof k_oid_san, &f);
    if (r < 0) {
        return SFO_E_TLS_UNTRUSTED;
    }
    if (r == 0) {
        return SFO_E_TLS_HOSTNAME; /* no subjectAltName: the CN is not used */
    }
    r = ext_find(der, len, k_oid_eku, sizeof k_oid_eku, &f);
    if (r < 0) {
        return SFO_E_TLS_UNTRUSTED;
    }
    return r == 0 ? SFO_OK : eku_server_ok(f);
}

/* Short name of an X.520 attribute OID (CN, C, L, ST, O, OU), or NULL. */
static const char *attr_name(struct der oid)
{
    static const struct {
        uint8_t id;
        const char *name;
    } k_attr[] = { { 3, "CN" }, { 6, "C" }, { 7, "L" }, { 8, "ST" }, { 10, "O" }, { 11, "OU" } };
    size_t i;
    if (oid.len != 3 || oid.p[0] != 0x55 || oid.p[1] != 0x04) {
        return NULL;
    }
    for (i = 0; i < sizeof k_attr / sizeof k_attr[0]; i++) {
        if (k_attr[i].id == oid.p[2]) {
            return k_attr[i].name;
        }
    }
    return NULL;
}

/* Append s[0..n) to out at *o (printable ASCII; others as '?'), keeping room
 * for the NUL. */
static void put_text(char *out, size_t cap, size_t *o, const uint8_t *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && *o + 1 < cap; i++) {
        char ch = '?';
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            ch = (char)s[i];
        }
        out[(*o)++] = ch;
    }
    out[*o] = '\0';
}

size_t sfo__x509_dn_format(const uint8_t *der, size_t len, char *out, size_t cap)
{
    struct der d = { der, len }, name;
    size_t o = 0;
    uint8_t tag;
    if (out == NULL || cap == 0) {
        return 0;
    }
    out[0] = '\0';
    if (der == NULL || der_next(&d, &tag, &name) != 0 || tag != 0x30) {
        return 0;
    }
    while (name.len > 0) {
        struct der rdn;
        if (der_next(&name, &tag, &rdn) != 0 || tag != 0x31) {
            break;
        }
        while (rdn.len > 0) {
            struct der atv, oid, val;
            const char *an;
            if (der_next(&rdn, &tag, &atv) != 0 || tag != 0x30 || der_next(&atv, &tag, &oid) != 0 ||
                tag != 0x06 || der_next(&atv, &tag, &val) != 0) {
                return o;
            }
            an = attr_name(oid);
            if (an == NULL) {
                continue;
            }
            if (o > 0) {
                put_text(out, cap, &o, (const uint8_t *)", ", 2);
            }
            put_text(out, cap, &o, (const uint8_t *)an, strlen(an));
            put_text(out, cap, &o, (const uint8_t *)"=", 1);
            put_text(out, cap, &o, val.p, val.len);
        }
    }
    return o;
}

int64_t sfo__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;
    y -= (m <= 2) ? 1 : 0;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ------------------------------------------------------------------- PEM */
static int b64_val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static size_t find(const uint8_t *t, size_t len, size_t from, const char *s)
{
    size_t n = strlen(s), i;
    for (i = from; i + n <= len; i++) {
        if (memcmp(t + i, s, n) == 0) {
            return i;
        }
    }
    return len;
}

int sfo__pem_next(const uint8_t *text, size_t len, size_t *pos, char *label, size_t label_cap,
                  uint8_t *der, size_t cap, size_t *der_len)
{
    size_t b, i, l, e, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0, pad = 0;
    if (text == NULL || pos == NULL || label == NULL || der == NULL || der_len == NULL) {
        return SFO_E_ARG;
    }
    b = find(text, len, *pos, "-----BEGIN ");
    if (b >= len) {
        *pos = len;
        return 0;
    }
    i = b + 11;
    l = find(text, len, i, "-----");
    if (l >= len) {
        return SFO_E_B64;
    }
    if (l - i + 1 > label_cap) {
        return SFO_E_TOO_LONG;
    }
    memcpy(label, text + i, l - i);
    label[l - i] = '\0';
    i = l + 5;
    e = find(text, len, i, "-----END ");
    if (e >= len) {
        return SFO_E_B64;
    }
    for (; i < e; i++) {
        uint8_t c = text[i];
        int v;
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
            continue;
        }
        if (c == '=') {
            pad++;
            continue;
        }
        v = b64_val(c);
        if (v < 0 || pad > 0) {
            return SFO_E_B64; /* also "Proc-Type:" headers of encrypted PEM */
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap) {
                return SFO_E_TOO_LONG;
            }
            der[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1u)) != 0) {
        return SFO_E_B64;
    }
    l = find(text, len, e + 9, "-----");
    if (l >= len) {
        return SFO_E_B64;
    }
    *pos = l + 5;
    *der_len = o;
    return 1;
}

int sfo__mem_contains(const uint8_t *d, size_t len, const char *s)
{
    return d != NULL && s != NULL && find(d, len, 0, s) < len;
}
