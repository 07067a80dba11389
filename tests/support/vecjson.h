/*
 * Test-only reader for the JSON vector files in $SFO_SHARED/testdata/vectors.
 * Header-only (static inline), independent of the library's JSON scanner.
 * Uses libc and the heap freely; aborts on malformed input (the vector files
 * are trusted). Strings are decoded (\uXXXX with surrogate pairs to UTF-8) and
 * carry an explicit length, since some contain U+0000.
 */
#ifndef SFO_VECJSON_H
#define SFO_VECJSON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testenv.h"

struct vj {
    char type;        /* 'o' object, 'a' array, 's' string, 'n' number, 't', 'f', 'z' null */
    char *s;          /* string value (NUL-terminated copy) or number text */
    size_t len;       /* length of s */
    char *key;        /* member name when inside an object */
    struct vj *child; /* first element / member */
    struct vj *next;  /* next sibling */
};

static inline void vj_die(const char *why, const char *at)
{
    fprintf(stderr, "vecjson: %s near: %.40s\n", why, at);
    abort();
}

static inline void vj_ws(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t') (*p)++;
}

static inline unsigned vj_hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            vj_die("bad \\u escape", p);
    }
    return v;
}

/* Parses a string at *p (on the opening quote); returns a malloc'd copy. */
static inline char *vj_string(const char **p, size_t *len)
{
    const char *q = *p + 1;
    char *out = malloc(strlen(q) + 1), *o = out;
    for (;;) {
        unsigned char c = (unsigned char)*q++;
        if (c == '"') break;
        if (c == '\0') vj_die("unterminated string", *p);
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        c = (unsigned char)*q++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned cp = vj_hex4(q);
            q += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q[0] == '\\' && q[1] == 'u') {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (vj_hex4(q + 2) - 0xDC00);
                q += 6;
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xE0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (cp >> 18));
                *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: *o++ = (char)c; break; /* \" \\ \/ */
        }
    }
    *o = '\0';
    *len = (size_t)(o - out);
    *p = q;
    return out;
}

static inline struct vj *vj_value(const char **p)
{
    struct vj *v = calloc(1, sizeof *v);
    vj_ws(p);
    switch (**p) {
    case '{':
    case '[': {
        char close = **p == '{' ? '}' : ']';
        struct vj **tail = &v->child;
        v->type = **p == '{' ? 'o' : 'a';
        (*p)++;
        vj_ws(p);
        if (**p == close) {
            (*p)++;
            break;
        }
        for (;;) {
            char *key = NULL;
            size_t kl;
            vj_ws(p);
            if (v->type == 'o') {
                if (**p != '"') vj_die("key expected", *p);
                key = vj_string(p, &kl);
                vj_ws(p);
                if (**p != ':') vj_die("':' expected", *p);
                (*p)++;
            }
            *tail = vj_value(p);
            (*tail)->key = key;
            tail = &(*tail)->next;
            vj_ws(p);
            if (**p == ',') {
                (*p)++;
                continue;
            }
            if (**p == close) {
                (*p)++;
                break;
            }
            vj_die("',' or close expected", *p);
        }
        break;
    }
    case '"':
        v->type = 's';
        v->s = vj_string(p, &v->len);
        break;
    case 't':
        v->type = 't';
        *p += 4;
        break;
    case 'f':
        v->type = 'f';
        *p += 5;
        break;
    case 'n':
        v->type = 'z';
        *p += 4;
        break;
    default: {
        const char *b = *p;
        while (**p != '\0' && strchr("+-0123456789.eE", **p) != NULL) (*p)++;
        if (*p == b) vj_die("value expected", b);
        v->type = 'n';
        v->len = (size_t)(*p - b);
        v->s = strndup(b, v->len);
    }
    }
    return v;
}

static inline void vj_free(struct vj *v)
{
    while (v != NULL) {
        struct vj *n = v->next;
        vj_free(v->child);
        free(v->s);
        free(v->key);
        free(v);
        v = n;
    }
}

/* Loads $SFO_SHARED/testdata/vectors/<name>; aborts when missing. */
static inline struct vj *vj_load(const char *name)
{
    const char *path = t_path("%s/testdata/vectors/%s", t_shared(), name);
    char *text = t_read_file(path, NULL);
    const char *p = text;
    struct vj *v;
    if (text == NULL) vj_die("cannot read vector file", path);
    v = vj_value(&p);
    free(text);
    return v;
}

/* Member `key` of object o, or NULL. */
static inline struct vj *vj_get(const struct vj *o, const char *key)
{
    for (struct vj *c = o ? o->child : NULL; c != NULL; c = c->next)
        if (c->key != NULL && strcmp(c->key, key) == 0) return c;
    return NULL;
}

/* String member `key` of o (NULL when absent or not a string); *len may be NULL. */
static inline const char *vj_str(const struct vj *o, const char *key, size_t *len)
{
    struct vj *c = vj_get(o, key);
    if (c == NULL || c->type != 's') return NULL;
    if (len != NULL) *len = c->len;
    return c->s;
}

static inline size_t vj_count(const struct vj *a)
{
    size_t n = 0;
    for (struct vj *c = a ? a->child : NULL; c != NULL; c = c->next) n++;
    return n;
}

/* Hex string to a malloc'd byte array (at least 1 byte allocated). */
static inline uint8_t *vj_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        if (sscanf(hex + 2 * i, "%2x", &x) != 1) vj_die("bad hex", hex);
        b[i] = (uint8_t)x;
    }
    *len = n;
    return b;
}

#endif /* SFO_VECJSON_H */
