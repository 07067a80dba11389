/*
 * Helpers shared by the libFuzzer targets (test-only code: libc allowed).
 *
 * Splits: each target feeds its input three ways -- whole, one byte at a
 * time, and in random pieces whose sizes come from a generator seeded with a
 * hash of the input -- and checks that every way gives the same result. The
 * seed depends only on the input, so a crash always reproduces from its file.
 */
#ifndef SFO_FUZZ_UTIL_H
#define SFO_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Stop with a message; libFuzzer saves the input as a crash. */
#define FZ_ASSERT(c)                                                              \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* FNV-1a, 64 bit. */
static inline uint64_t fz_hash(const uint8_t *d, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 0x100000001b3ull;
    return h;
}

/* Mix a value into a running hash (for event streams). */
static inline uint64_t fz_mix(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xffu)) * 0x100000001b3ull;
    return h;
}

/* xorshift64* generator. */
struct fz_rng {
    uint64_t s;
};

static inline void fz_seed(struct fz_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t fz_next(struct fz_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

/* Size of the next piece for the random split: mostly small, sometimes large,
 * sometimes empty (an empty feed must be harmless). */
static inline size_t fz_piece(struct fz_rng *r, size_t left)
{
    uint64_t x = fz_next(r);
    size_t k;
    switch (x & 7u) {
    case 0: k = 0; break;
    case 1:
    case 2:
    case 3: k = 1 + (size_t)((x >> 8) % 4u); break;
    case 4:
    case 5: k = 1 + (size_t)((x >> 8) % 32u); break;
    default: k = 1 + (size_t)((x >> 8) % 300u); break;
    }
    return k < left ? k : left;
}

#endif
