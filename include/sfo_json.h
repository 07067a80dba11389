/*
 * sfoauth streaming JSON scanner (RFC 8259), field extractor and string writer.
 *
 * The scanner is a push parser with fixed memory: the caller owns the state
 * struct and the nesting stack, feeds bytes in any split with sfo_json_feed()
 * and ends the document with sfo_json_finish(). Events go to a callback.
 * It validates fully: grammar, UTF-8 (shortest form, no surrogates, <= U+10FFFF),
 * no unescaped control characters, number grammar, exactly one top-level value
 * followed only by whitespace, and the nesting limit. It never allocates.
 */
#ifndef SFO_JSON_H
#define SFO_JSON_H

#include "sfoauth_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SFO_JSON_DEFAULT_DEPTH and SFO_JSON_BUF (the piece buffer) are in sfoauth_config.h. */
/* Bytes of stack storage the caller provides for a nesting limit of d. */
#define SFO_JSON_STACK_BYTES(d) (((d) + 7u) / 8u)

enum sfo_json_event {
    SFO_JSON_OBJECT_BEGIN = 1,
    SFO_JSON_OBJECT_END,
    SFO_JSON_ARRAY_BEGIN,
    SFO_JSON_ARRAY_END,
    SFO_JSON_KEY,    /* object member name, decoded, maybe in pieces */
    SFO_JSON_STRING, /* string value, decoded (escapes resolved, UTF-8), maybe in pieces */
    SFO_JSON_NUMBER, /* number, as its validated source text, maybe in pieces */
    SFO_JSON_TRUE,
    SFO_JSON_FALSE,
    SFO_JSON_NULL
};

/* Piece flags for KEY, STRING and NUMBER events. A value that fits the buffer
 * arrives in one call with both flags. An empty string arrives as one call
 * with len 0 and both flags. A longer value arrives as consecutive pieces (no
 * other event in between), the first with FIRST, the last with LAST; the last
 * piece may be empty, and a piece boundary may fall inside a UTF-8 sequence.
 * Pieces point into the fed data or the scanner's buffer and are valid only
 * during the call. A decoded \u0000 is a NUL byte inside the piece. */
#define SFO_JSON_FIRST 1u
#define SFO_JSON_LAST  2u

/*
 * Event callback. depth: nesting depth of the event (0 for a top-level scalar
 * or the top-level container's BEGIN/END; 1 for the members of a top-level
 * object, etc.). data/len: the piece for KEY/STRING/NUMBER, else NULL/0.
 * Return 0 to go on; any other value stops the scan with SFO_E_JSON_ABORTED
 * (the value is kept in cb_result).
 */
typedef int (*sfo_json_cb)(void *user, enum sfo_json_event ev, const char *data, size_t len,
                           unsigned flags, size_t depth);

/* Scanner state: treat as opaque; sizes are fixed at compile time. */
struct sfo_json {
    sfo_json_cb cb;
    void *user;
    uint8_t *stack; /* one bit per level: 1 object, 0 array */
    size_t max_depth;
    size_t depth;
    size_t offset;            /* bytes consumed so far */
    size_t err_offset;        /* offset of the byte that caused err */
    int err;                  /* sticky first error, SFO_OK while fine */
    int cb_result;            /* the callback's non-zero return, when aborted */
    uint8_t state;            /* grammar state */
    uint8_t sub;              /* sub-state inside a token (escape, literal, number) */
    uint8_t utf8_need;        /* UTF-8 continuation bytes still expected */
    uint8_t utf8_lo, utf8_hi; /* allowed range of the next continuation byte */
    uint8_t flags;            /* pending FIRST flag, in-key marker, ... */
    uint32_t cp;              /* \u escape code point being read */
    uint32_t hi_surrogate;    /* pending high surrogate from a \u escape */
    size_t buf_len;
    char buf[SFO_JSON_BUF];
};

/*
 * Prepare a scan. stack: SFO_JSON_STACK_BYTES(max_depth) bytes owned by the
 * caller for the life of the scan. max_depth >= 1: the deepest allowed nesting
 * of arrays/objects (a document "[[1]]" has depth 2). cb may be NULL: the scan
 * then only validates.
 * Returns SFO_OK or SFO_E_ARG.
 */
int sfo_json_init(struct sfo_json *j, uint8_t *stack, size_t max_depth, sfo_json_cb cb, void *user);

/*
 * Feed the next len bytes. Returns SFO_OK or the first error (sticky: later
 * feeds return it again): SFO_E_JSON_SYNTAX, _UTF8, _ESCAPE, _SURROGATE,
 * _CONTROL, _NUMBER, _DEPTH, _TRAILING, _ABORTED. sfo_json_error_offset()
 * gives the offset of the offending byte.
 */
int sfo_json_feed(struct sfo_json *j, const void *data, size_t len);

/*
 * End of input. Returns SFO_OK when exactly one complete value was seen,
 * SFO_E_JSON_INCOMPLETE otherwise (or the earlier sticky error). A top-level
 * number is only complete here.
 */
int sfo_json_finish(struct sfo_json *j);

/* Offset of the byte where the first error was found: the offending byte; for
 * _INCOMPLETE (and a number ending at finish) the total length; for _ABORTED
 * the byte being read when the callback refused (the byte ending a token, or
 * the last byte of a feed whose end flushed a piece). 0 while no error. */
size_t sfo_json_error_offset(const struct sfo_json *j);

/* ------------------------------------------------------------------------------------
 * Field extractor: pull named members of the top-level object into caller buffers.
 * ---------------------------------------------------------------------------------- */

enum sfo_field_type {
    SFO_FIELD_STRING = 1, /* JSON string, decoded into str (NUL-terminated) */
    SFO_FIELD_INT,        /* JSON integer (no fraction/exponent) or a string of
                             decimal digits (optional '-'), into ival */
    SFO_FIELD_BOOL,       /* true/false into bval */
    SFO_FIELD_TEXT,       /* JSON string (decoded) or number (source text) into str */
    SFO_FIELD_UINT        /* JSON number that is a non-negative integer, into ival: a
                             string is SFO_E_JSON_TYPE, a sign, fraction or exponent
                             SFO_E_JSON_RANGE */
};

/* Most fields one extractor watches. */
#define SFO_EXTRACT_MAX_FIELDS 32u

struct sfo_field {
    const char *name; /* member name to catch (NUL-terminated) */
    enum sfo_field_type type;
    char *str;  /* STRING/TEXT: caller buffer */
    size_t cap; /* its capacity including the NUL */
    /* results */
    bool present;
    size_t len; /* STRING/TEXT: length without the NUL */
    int64_t ival;
    bool bval;
};

struct sfo_extract {
    struct sfo_json json;
    struct sfo_field *fields;
    size_t nfields;
    uint32_t candidates;     /* fields whose name still matches the key read so far */
    size_t key_pos;          /* bytes of the current key matched */
    int current;             /* field whose value comes next, or -1; after an
                                  extractor error, the field at fault (-1: none) */
    int err;                 /* extractor error (sticky) */
    enum sfo_json_event top; /* first event seen: OBJECT_BEGIN, ARRAY_BEGIN, ... or 0 */
    uint32_t seen;           /* fields whose key was met (null values included) */
    bool neg;                /* INT parsing: minus sign seen */
    uint8_t int_state;
    uint64_t acc; /* INT parsing: magnitude so far */
};

/*
 * Watch n (<= SFO_EXTRACT_MAX_FIELDS) fields of the top-level object; fields'
 * results are reset (STRING/TEXT buffers set to ""). Members not named are
 * skipped whatever their shape; nested members never match. If two fields
 * share a name the first one gets the value. stack/max_depth as for
 * sfo_json_init. The fields array and buffers must outlive the scan.
 * Returns SFO_OK or SFO_E_ARG (NULL x/stack/fields with n > 0, n too large,
 * max_depth 0, a NULL name, a bad type, or STRING/TEXT without str or cap 0).
 */
int sfo_extract_init(struct sfo_extract *x, struct sfo_field *fields, size_t n, uint8_t *stack,
                     size_t max_depth);

/*
 * Feed/finish as the scanner, plus the extractor's errors: SFO_E_TOO_LONG (a
 * value does not fit its buffer; never truncated), SFO_E_JSON_TYPE (a wanted
 * field has another type, an INT string is not [-]digits, or a STRING/TEXT
 * value holds U+0000 and so cannot be a C string; null counts as absent),
 * SFO_E_JSON_RANGE (INT out of int64 range, or a number with a fraction or
 * exponent), SFO_E_JSON_DUPKEY (a wanted key twice, even after null).
 * A top-level value that is not an object is valid: no field is present and
 * x->top tells what it was. A fault in a wanted value is reported when that
 * value ends (its first faulty byte decides), so a scanner error inside the
 * same token wins and the verdict never depends on how the input was split.
 * Errors are sticky. On any error every field is
 * reset (present false) and every STRING/TEXT buffer wiped with sfo_wipe, so
 * no partial secret stays behind. x->json.err_offset tells where it failed.
 * Fields are final only after sfo_extract_finish() returns SFO_OK.
 */
int sfo_extract_feed(struct sfo_extract *x, const void *data, size_t len);
int sfo_extract_finish(struct sfo_extract *x);

/* ------------------------------------------------------------------------------------
 * Writer
 * ---------------------------------------------------------------------------------- */

/*
 * Write s (n bytes of UTF-8) as a quoted JSON string into out (cap incl. NUL):
 * '"' and '\\' escaped, control characters as \b \f \n \r \t or \u00XX.
 * Returns SFO_OK, SFO_E_TOO_LONG, SFO_E_JSON_UTF8 (s is not valid UTF-8).
 */
int sfo_json_write_string(const char *s, size_t n, char *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* SFO_JSON_H */
