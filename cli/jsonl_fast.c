/* SPDX-License-Identifier: MIT */
/*
 * jsonl_fast.c - the simple JSON line, read in one pass (jsonl_fast.h). Every byte is checked;
 * whatever is not plainly the simple shape returns 0 and goes to jansson.
 */
#include "jsonl_fast.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct reader {
    const char *p, *end;
    char *out; /* where the next decoded byte goes */
} reader;

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int hex4(const char *p, unsigned *v)
{
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        x = x << 4 | d;
    }
    *v = x;
    return 1;
}

/* Nonzero when c ends a plain run: a quote, a backslash or a byte outside 0x20..0x7f. */
static inline int ends_run(unsigned char c)
{
    return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

/* The first byte of p[0..end) that ends a plain run (end when none does): 16 bytes a step
 * where SSE2 is compiled for (bytes 0x80 and up are negative as signed bytes, so one
 * signed compare finds them with the control bytes), then byte by byte. */
static const char *plain_run(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
                  backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                _mm_cmpeq_epi8(v, backslash)));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m != 0)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    while (p < end && !ends_run((unsigned char)*p))
        p++;
    return p;
}

/* A string at r->p (the opening quote), decoded to r->out. @return 1, or 0 to fall back. */
static int string(reader *r, const char **s, size_t *len)
{
    if (r->p >= r->end || *r->p != '"')
        return 0;
    r->p++;
    char *o = r->out;
    *s = o;
    for (;;) {
        /* the plain run up to a quote, a backslash or a byte outside 0x20..0x7f */
        const char *q = plain_run(r->p, r->end);
        memcpy(o, r->p, (size_t)(q - r->p));
        o += q - r->p;
        r->p = q;
        if (q >= r->end || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80)
            return 0; /* unterminated, a control byte, or UTF-8 for jansson to check */
        r->p++;
        if (*q == '"')
            break;
        if (r->p >= r->end)
            return 0;
        char e = *r->p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned v;
            if (r->end - r->p < 4 || !hex4(r->p, &v) || (v >= 0xD800 && v <= 0xDFFF))
                return 0;
            r->p += 4;
            if (v < 0x80) {
                *o++ = (char)v;
            } else if (v < 0x800) {
                *o++ = (char)(0xC0 | v >> 6);
                *o++ = (char)(0x80 | (v & 0x3F));
            } else {
                *o++ = (char)(0xE0 | v >> 12);
                *o++ = (char)(0x80 | (v >> 6 & 0x3F));
                *o++ = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default:
            return 0;
        }
    }
    *len = (size_t)(o - *s);
    r->out = o;
    return 1;
}

/* An integer jansson reads exactly and prints back the same: 0, or -?[1-9][0-9]{0,17}. Its
 * digits are copied to r->out. @return 1, or 0 to fall back. */
static int integer(reader *r, const char **s, size_t *len)
{
    const char *q = r->p;
    if (q < r->end && *q == '-')
        q++;
    const char *digits = q;
    while (q < r->end && *q >= '0' && *q <= '9')
        q++;
    size_t nd = (size_t)(q - digits);
    if (nd == 0 || nd > 18 || (nd > 1 && *digits == '0') || (*digits == '0' && digits > r->p))
        return 0; /* none, too long to be sure of, a leading zero, or -0 */
    if (q < r->end && (*q == '.' || *q == 'e' || *q == 'E'))
        return 0; /* a real */
    *s = r->out;
    *len = (size_t)(q - r->p);
    memcpy(r->out, r->p, *len);
    r->out += *len;
    r->p = q;
    return 1;
}

static int literal_null(reader *r)
{
    if (r->end - r->p < 4 || memcmp(r->p, "null", 4) != 0)
        return 0;
    r->p += 4;
    return 1;
}

static int field_of(const char *k, size_t len)
{
    static const char *const names[JF_FIELDS] = {"id", "title", "body", "path"};
    for (int f = 0; f < JF_FIELDS; f++)
        if (strlen(names[f]) == len && memcmp(names[f], k, len) == 0)
            return f;
    return -1;
}

int jf_parse(const char *line, size_t n, char *scratch, jf_line *out)
{
    reader r = {line, line + n, scratch};
    int seen = 0;
    memset(out, 0, sizeof *out);
    skip_ws(&r);
    if (r.p >= r.end || *r.p++ != '{')
        return 0;
    skip_ws(&r);
    if (r.p < r.end && *r.p == '}') {
        r.p++;
    } else {
        for (;;) {
            const char *k;
            size_t kl;
            char *key_at = r.out;
            if (!string(&r, &k, &kl))
                return 0;
            if (memchr(k, '\0', kl) != NULL)
                return 0; /* jansson refuses a NUL in a key, even with JSON_ALLOW_NUL */
            int f = field_of(k, kl);
            r.out = key_at; /* the key's bytes are not kept */
            skip_ws(&r);
            if (r.p >= r.end || *r.p++ != ':')
                return 0;
            skip_ws(&r);
            if (r.p >= r.end)
                return 0;
            if (f >= 0 && (seen >> f & 1))
                return 0; /* a repeated key: jansson keeps the last, left to it */
            const char *v = NULL;
            size_t vl = 0;
            if (*r.p == '"') {
                if (!string(&r, &v, &vl))
                    return 0;
            } else if (*r.p == 'n') {
                if (!literal_null(&r) || f == JF_ID)
                    return 0; /* an id of null: jansson's path tells */
            } else if (*r.p == '-' || (*r.p >= '0' && *r.p <= '9')) {
                if (!integer(&r, &v, &vl) || (f > JF_ID))
                    return 0; /* a number for title, body or path: jansson's path tells */
            } else {
                return 0; /* an array, an object, true, false */
            }
            if (f >= 0) {
                seen |= 1 << f;
                out->v[f] = v;
                out->len[f] = vl;
            }
            skip_ws(&r);
            if (r.p >= r.end)
                return 0;
            char c = *r.p++;
            if (c == '}')
                break;
            if (c != ',')
                return 0;
            skip_ws(&r);
        }
    }
    skip_ws(&r);
    return r.p == r.end && out->v[JF_ID] != NULL;
}
