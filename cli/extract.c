/* SPDX-License-Identifier: MIT */
/*
 * extract.c - titles and bodies of files by kind (extract.h). HTML is read by a small
 * tokenizer after the HTML5 one (attributes with their quoting, comments, CDATA, raw-text
 * elements, character references) that keeps only the visible text, with block elements as
 * line breaks and blanks collapsed. Markdown is kept as it is but for YAML front matter; its
 * title is found by a line scanner that knows fenced and indented code. Gzip is inflated with
 * zlib into a buffer that never grows past the cap. Every scan moves forward: a search that
 * fails is not repeated, so the time is linear in the input whatever its shape.
 */
#include "extract.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZLIB_CONST
#include <zlib.h>

/* ---- growable output ------------------------------------------------------------------- */

typedef struct obuf {
    char *p;
    size_t len, cap;
    size_t limit; /* 0: none; else bytes past it are dropped (titles) */
    int oom;      /* sticky: an allocation failed */
} obuf;

static void ob_put(obuf *b, const char *s, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->limit != 0) {
        if (b->len >= b->limit)
            return;
        if (n > b->limit - b->len)
            n = b->limit - b->len;
    }
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Hands the contents over as a malloc'd C string ("" when empty); NULL when out of memory. */
static char *ob_take(obuf *b, size_t *len)
{
    if (!b->oom && b->p == NULL) {
        b->p = malloc(1);
        if (b->p == NULL)
            b->oom = 1;
        else
            b->p[0] = '\0';
    }
    if (b->oom) {
        free(b->p);
        b->p = NULL;
        return NULL;
    }
    char *p = b->p;
    *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ---- text with blanks collapsed ---------------------------------------------------------- */

/* Words go in as runs without blanks; blanks and line breaks between them are pending until
 * the next word, so the text has no leading, trailing or doubled blanks and no empty lines. */
typedef struct sink {
    obuf b;
    int space, brk; /* a blank / a line break is pending */
    int oneline;    /* line breaks are blanks (titles) */
} sink;

static void sink_word(sink *s, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (s->b.len > 0 && (s->space || s->brk)) {
        char sep = s->brk && !s->oneline ? '\n' : ' ';
        ob_put(&s->b, &sep, 1);
    }
    s->space = s->brk = 0;
    ob_put(&s->b, p, n);
}

static int is_blank(char c) /* as cli/source.c: blanks within a line */
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_ws(char c) /* blanks and line breaks */
{
    return is_blank(c) || c == '\n';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Puts p[0..n) into s with every run of whitespace as one blank. */
static void sink_collapse(sink *s, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (is_ws(p[i])) {
            s->space = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_ws(p[j]))
            j++;
        sink_word(s, p + i, j - i);
        i = j;
    }
}

static size_t skip_bom(const char *t, size_t len)
{
    return len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Cuts a title to CLI_TITLE_MAX_BYTES at a UTF-8 character boundary, then trims blanks. */
static size_t title_cut(const char *t, size_t len)
{
    if (len > CLI_TITLE_MAX_BYTES) {
        size_t cut = CLI_TITLE_MAX_BYTES;
        /* t[cut] starts the first character left out unless it continues one (10xxxxxx);
         * a UTF-8 character has at most three continuation bytes. */
        while (cut > CLI_TITLE_MAX_BYTES - 3 && ((unsigned char)t[cut] & 0xC0) == 0x80)
            cut--;
        if (((unsigned char)t[cut] & 0xC0) == 0x80) /* not UTF-8: cut at the limit */
            cut = CLI_TITLE_MAX_BYTES;
        len = cut;
    }
    while (len > 0 && is_ws(t[len - 1]))
        len--;
    return len;
}

/* Fills out->title with a copy of t[0..len), cut. */
static int set_title(cli_extracted *out, const char *t, size_t len)
{
    len = title_cut(t, len);
    out->title = malloc(len + 1);
    if (out->title == NULL)
        return -1;
    if (len > 0)
        memcpy(out->title, t, len);
    out->title[len] = '\0';
    out->title_len = len;
    return 0;
}

static int set_body(cli_extracted *out, const char *t, size_t len)
{
    out->body = malloc(len + 1);
    if (out->body == NULL)
        return -1;
    if (len > 0)
        memcpy(out->body, t, len);
    out->body[len] = '\0';
    out->body_len = len;
    return 0;
}

/* The first line of t[from..len) with a non-blank byte: [*a, *b) trimmed, *next after it. */
static int first_line(const char *t, size_t len, size_t from, size_t *a, size_t *b, size_t *next)
{
    size_t pos = from;
    while (pos < len) {
        const char *nl = memchr(t + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - t) : len;
        size_t x = pos, y = eol;
        while (x < y && is_blank(t[x]))
            x++;
        while (y > x && is_blank(t[y - 1]))
            y--;
        pos = nl ? eol + 1 : len;
        if (x < y) {
            *a = x;
            *b = y;
            *next = pos;
            return 1;
        }
    }
    return 0;
}

/* ---- plain text ------------------------------------------------------------------------- */

/* Title = the first non-blank line, trimmed; body = everything after that line (as
 * cli/source.c split_text). A title cut to the cap leaves its whole line in the body. */
static int extract_text(const char *t, size_t len, cli_extracted *out)
{
    size_t a = 0, b = 0, next = len;
    if (!first_line(t, len, skip_bom(t, len), &a, &b, &next))
        a = b = next = len;
    if (set_title(out, t + a, b - a) != 0)
        return -1;
    size_t from = out->title_len < b - a ? a : next;
    return set_body(out, t + from, len - from);
}

/* ---- HTML: character references ---------------------------------------------------------- */

static const struct {
    const char *name, *utf8;
} entities[] = {
    {"amp", "&"},        {"lt", "<"},           {"gt", ">"},          {"quot", "\""},
    {"apos", "'"},       {"nbsp", " "},         {"ensp", " "},        {"emsp", " "},
    {"thinsp", " "},     {"shy", ""},           {"zwnj", ""},         {"zwj", ""},
    {"lrm", ""},         {"rlm", ""},           {"copy", "\u00A9"},   {"reg", "\u00AE"},
    {"trade", "\u2122"}, {"hellip", "\u2026"},  {"mdash", "\u2014"},  {"ndash", "\u2013"},
    {"minus", "\u2212"}, {"lsquo", "\u2018"},   {"rsquo", "\u2019"},  {"sbquo", "\u201A"},
    {"ldquo", "\u201C"}, {"rdquo", "\u201D"},   {"bdquo", "\u201E"},  {"laquo", "\u00AB"},
    {"raquo", "\u00BB"}, {"lsaquo", "\u2039"},  {"rsaquo", "\u203A"}, {"bull", "\u2022"},
    {"middot", "\u00B7"}, {"deg", "\u00B0"},    {"prime", "\u2032"},  {"dagger", "\u2020"},
    {"Dagger", "\u2021"}, {"permil", "\u2030"}, {"larr", "\u2190"},   {"rarr", "\u2192"},
    {"uarr", "\u2191"},  {"darr", "\u2193"},    {"harr", "\u2194"},   {"euro", "\u20AC"},
    {"pound", "\u00A3"}, {"yen", "\u00A5"},     {"cent", "\u00A2"},   {"curren", "\u00A4"},
    {"sect", "\u00A7"},  {"para", "\u00B6"},    {"times", "\u00D7"},  {"divide", "\u00F7"},
    {"plusmn", "\u00B1"}, {"frac12", "\u00BD"}, {"frac14", "\u00BC"}, {"frac34", "\u00BE"},
    {"sup1", "\u00B9"},  {"sup2", "\u00B2"},    {"sup3", "\u00B3"},   {"micro", "\u00B5"},
    {"iexcl", "\u00A1"}, {"iquest", "\u00BF"},  {"ordf", "\u00AA"},   {"ordm", "\u00BA"},
    {"not", "\u00AC"},   {"macr", "\u00AF"},    {"acute", "\u00B4"},  {"uml", "\u00A8"},
    {"cedil", "\u00B8"}, {"brvbar", "\u00A6"},  {"szlig", "\u00DF"},  {"aelig", "\u00E6"},
    {"AElig", "\u00C6"}, {"oelig", "\u0153"},   {"OElig", "\u0152"},  {"oslash", "\u00F8"},
    {"Oslash", "\u00D8"}, {"aring", "\u00E5"},  {"Aring", "\u00C5"},  {"ccedil", "\u00E7"},
    {"Ccedil", "\u00C7"}, {"ntilde", "\u00F1"}, {"Ntilde", "\u00D1"}, {"eth", "\u00F0"},
    {"ETH", "\u00D0"},   {"thorn", "\u00FE"},   {"THORN", "\u00DE"},  {"agrave", "\u00E0"},
    {"aacute", "\u00E1"}, {"acirc", "\u00E2"},  {"atilde", "\u00E3"}, {"auml", "\u00E4"},
    {"Agrave", "\u00C0"}, {"Aacute", "\u00C1"}, {"Acirc", "\u00C2"},  {"Atilde", "\u00C3"},
    {"Auml", "\u00C4"},  {"egrave", "\u00E8"},  {"eacute", "\u00E9"}, {"ecirc", "\u00EA"},
    {"euml", "\u00EB"},  {"Egrave", "\u00C8"},  {"Eacute", "\u00C9"}, {"Ecirc", "\u00CA"},
    {"Euml", "\u00CB"},  {"igrave", "\u00EC"},  {"iacute", "\u00ED"}, {"icirc", "\u00EE"},
    {"iuml", "\u00EF"},  {"Igrave", "\u00CC"},  {"Iacute", "\u00CD"}, {"Icirc", "\u00CE"},
    {"Iuml", "\u00CF"},  {"ograve", "\u00F2"},  {"oacute", "\u00F3"}, {"ocirc", "\u00F4"},
    {"otilde", "\u00F5"}, {"ouml", "\u00F6"},   {"Ograve", "\u00D2"}, {"Oacute", "\u00D3"},
    {"Ocirc", "\u00D4"}, {"Otilde", "\u00D5"},  {"Ouml", "\u00D6"},   {"ugrave", "\u00F9"},
    {"uacute", "\u00FA"}, {"ucirc", "\u00FB"},  {"uuml", "\u00FC"},   {"Ugrave", "\u00D9"},
    {"Uacute", "\u00DA"}, {"Ucirc", "\u00DB"},  {"Uuml", "\u00DC"},   {"yacute", "\u00FD"},
    {"yuml", "\u00FF"},  {"Yacute", "\u00DD"},  {"alpha", "\u03B1"},  {"beta", "\u03B2"},
    {"gamma", "\u03B3"}, {"delta", "\u03B4"},   {"pi", "\u03C0"},     {"mu", "\u03BC"},
    {"sigma", "\u03C3"}, {"omega", "\u03C9"},   {"Omega", "\u03A9"},  {"infin", "\u221E"},
    {"ne", "\u2260"},    {"le", "\u2264"},      {"ge", "\u2265"},     {"asymp", "\u2248"},
};

/* The references HTML also reads without their semicolon (when no letter or digit follows). */
static const char *const legacy[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};

/* Windows-1252 for the C1 controls, as HTML5 reads &#128; to &#159; (0: kept as is). */
static const uint16_t c1_map[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static size_t utf8_put(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The character reference at p[0..n) (p[0] == '&'), decoded into out[0..*olen) (at most 4
 * bytes; *ws set when it stands for a blank). @return the bytes it spans, 0 when it is none
 * (the '&' is text). Names are looked for over at most 32 letters: a fixed cost each. */
static size_t char_ref(const char *p, size_t n, char out[4], size_t *olen, int *ws)
{
    *ws = 0;
    if (n >= 2 && p[1] == '#') {
        size_t i = 2;
        int base = 10;
        if (i < n && (p[i] == 'x' || p[i] == 'X')) {
            base = 16;
            i++;
        }
        size_t digits = i;
        uint32_t cp = 0;
        for (int d; i < n && (d = base == 16 ? hex_digit(p[i])
                                             : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1)) >= 0;
             i++)
            cp = cp > 0x10FFFF ? cp : cp * (uint32_t)base + (uint32_t)d;
        if (i == digits)
            return 0; /* "&#" or "&#x" without digits: text */
        if (i < n && p[i] == ';')
            i++;
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        else if (cp >= 0x80 && cp <= 0x9F && c1_map[cp - 0x80] != 0)
            cp = c1_map[cp - 0x80];
        *ws = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0xA0;
        *olen = utf8_put(cp, out);
        return i;
    }
    size_t j = 1;
    while (j < n && j <= 32 && is_alnum(p[j]))
        j++;
    size_t nlen = j - 1;
    if (nlen == 0 || j > 32)
        return 0;
    int semi = j < n && p[j] == ';';
    if (!semi) {
        size_t k = 0;
        while (k < sizeof legacy / sizeof legacy[0] &&
               !(strlen(legacy[k]) == nlen && memcmp(legacy[k], p + 1, nlen) == 0))
            k++;
        if (k == sizeof legacy / sizeof legacy[0])
            return 0;
    }
    for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++) {
        if (strlen(entities[e].name) == nlen && memcmp(entities[e].name, p + 1, nlen) == 0) {
            *olen = strlen(entities[e].utf8);
            memcpy(out, entities[e].utf8, *olen);
            *ws = *olen == 1 && out[0] == ' ';
            return j + (size_t)semi;
        }
    }
    return 0; /* unknown: left as typed */
}

/* ---- HTML: elements --------------------------------------------------------------------- */

enum {
    E_BLOCK = 1 << 0,   /* a line break before and after */
    E_CELL = 1 << 1,    /* a blank before and after (table cells) */
    E_SKIP = 1 << 2,    /* raw text up to its end tag, not shown */
    E_TITLE = 1 << 3,   /* <title>: text up to its end tag is the title */
    E_RCDATA = 1 << 4,  /* <textarea>: text up to its end tag, shown as it is laid out */
    E_DROP = 1 << 5,    /* <template>: markup read, nothing shown */
    E_PRE = 1 << 6,     /* line breaks in the text are kept */
    E_H1 = 1 << 7,      /* the title when there is no <title> */
    E_FOREIGN = 1 << 8, /* <svg>, <math>: a <title> in them is not the page's */
};

static const struct {
    const char *name;
    unsigned flags;
} elements[] = {
    {"address", E_BLOCK},   {"article", E_BLOCK},      {"aside", E_BLOCK},
    {"blockquote", E_BLOCK}, {"body", E_BLOCK},        {"br", E_BLOCK},
    {"caption", E_BLOCK},   {"center", E_BLOCK},       {"dd", E_BLOCK},
    {"details", E_BLOCK},   {"dialog", E_BLOCK},       {"dir", E_BLOCK},
    {"div", E_BLOCK},       {"dl", E_BLOCK},           {"dt", E_BLOCK},
    {"fieldset", E_BLOCK},  {"figcaption", E_BLOCK},   {"figure", E_BLOCK},
    {"footer", E_BLOCK},    {"form", E_BLOCK},         {"frameset", E_BLOCK},
    {"h1", E_BLOCK | E_H1}, {"h2", E_BLOCK},           {"h3", E_BLOCK},
    {"h4", E_BLOCK},        {"h5", E_BLOCK},           {"h6", E_BLOCK},
    {"head", E_BLOCK},      {"header", E_BLOCK},       {"hgroup", E_BLOCK},
    {"hr", E_BLOCK},        {"html", E_BLOCK},         {"legend", E_BLOCK},
    {"li", E_BLOCK},        {"listing", E_BLOCK | E_PRE}, {"main", E_BLOCK},
    {"menu", E_BLOCK},      {"nav", E_BLOCK},          {"ol", E_BLOCK},
    {"optgroup", E_BLOCK},  {"option", E_BLOCK},       {"p", E_BLOCK},
    {"pre", E_BLOCK | E_PRE}, {"section", E_BLOCK},    {"summary", E_BLOCK},
    {"table", E_BLOCK},     {"tbody", E_BLOCK},        {"tfoot", E_BLOCK},
    {"thead", E_BLOCK},     {"tr", E_BLOCK},           {"ul", E_BLOCK},
    {"td", E_CELL},         {"th", E_CELL},            {"script", E_SKIP},
    {"style", E_SKIP},      {"noscript", E_SKIP},      {"iframe", E_SKIP},
    {"noembed", E_SKIP},    {"noframes", E_SKIP},      {"title", E_TITLE},
    {"textarea", E_BLOCK | E_RCDATA}, {"template", E_DROP}, {"svg", E_FOREIGN},
    {"math", E_FOREIGN},
};

/* Flags of a lower-cased tag name (0: an inline or unknown element). */
static unsigned element_flags(const char *name)
{
    for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
        if (strcmp(elements[i].name, name) == 0)
            return elements[i].flags;
    return 0;
}

/* ---- HTML: the tokenizer ----------------------------------------------------------------- */

typedef struct html {
    const char *s;
    size_t n;
    sink body, title, h1;
    int have_title;    /* a <title> with text was read */
    int h1_state;      /* 0: looking for an <h1>, 1: in one (its text goes to h1), 2: found */
    unsigned pre;      /* <pre> and <listing> open */
    unsigned drop;     /* <template> open: nothing is shown */
    unsigned foreign;  /* <svg> and <math> open */
    size_t no_end[2];  /* no </title> / </textarea> at or after this (SIZE_MAX: unknown) */
} html;

static int is_html_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void out_space(html *h, sink *only)
{
    if (only != NULL) {
        only->space = 1;
        return;
    }
    h->body.space = 1;
    if (h->h1_state == 1)
        h->h1.space = 1;
}

static void out_word(html *h, sink *only, const char *p, size_t n)
{
    if (only != NULL) {
        sink_word(only, p, n);
        return;
    }
    sink_word(&h->body, p, n);
    if (h->h1_state == 1)
        sink_word(&h->h1, p, n);
}

/* Puts the text p[0..n) (no markup) into `only`, or the body (and the <h1> being read):
 * whitespace collapsed (line breaks kept when `pre`), character references decoded. */
static void put_text(html *h, sink *only, const char *p, size_t n, int pre)
{
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        if (is_html_ws(c)) {
            out_space(h, only);
            if (c == '\n' && pre && only == NULL)
                h->body.brk = 1;
            i++;
            continue;
        }
        if (c == '&') {
            char u[4];
            size_t ulen = 0;
            int ws;
            size_t k = char_ref(p + i, n - i, u, &ulen, &ws);
            if (k > 0) {
                if (ws)
                    out_space(h, only);
                else
                    out_word(h, only, u, ulen);
                i += k;
                continue;
            }
            out_word(h, only, "&", 1);
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && !is_html_ws(p[j]) && p[j] != '&')
            j++;
        out_word(h, only, p + i, j - i);
        i = j;
    }
}

/* Where the 3-byte mark m (its last byte unlike the others: "-->", "]]>") ends in s[from..n),
 * just past it; n when it is not there. (memchr, not memmem: sanitizers check all of memmem's
 * haystack on each call.) */
static size_t find_mark(const char *s, size_t n, size_t from, const char *m)
{
    while (from < n) {
        const char *g = memchr(s + from, m[2], n - from);
        if (g == NULL)
            return n;
        size_t i = (size_t)(g - s);
        if (i >= from + 2 && s[i - 2] == m[0] && s[i - 1] == m[1])
            return i + 1;
        from = i + 1;
    }
    return n;
}

/* Where the end tag </name> (any case) starts at or after `from`; n when there is none. */
static size_t find_end_tag(const char *s, size_t n, size_t from, const char *name)
{
    size_t nlen = strlen(name);
    while (from < n) {
        const char *lt = memchr(s + from, '<', n - from);
        if (lt == NULL)
            return n;
        size_t i = (size_t)(lt - s);
        if (n - i >= nlen + 2 && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nlen) == 0 &&
            (n - i == nlen + 2 || is_html_ws(s[i + 2 + nlen]) || s[i + 2 + nlen] == '/' ||
             s[i + 2 + nlen] == '>'))
            return i;
        from = i + 1;
    }
    return n;
}

/* Past the attributes of a tag from s[i] to its '>' (quoted values may hold '>').
 * @return the index after the '>', or n when the input ends in the tag (*eof set). */
static size_t tag_end(const char *s, size_t n, size_t i, int *self_closing, int *eof)
{
    enum { BEFORE, NAME, AFTER, VALUE0, UNQUOTED } st = BEFORE;
    int slash = 0;
    *self_closing = 0;
    *eof = 0;
    while (i < n) {
        char c = s[i];
        if (st == VALUE0 && (c == '"' || c == '\'')) {
            const char *q = memchr(s + i + 1, c, n - i - 1);
            if (q == NULL)
                break;
            i = (size_t)(q - s) + 1;
            st = BEFORE;
            slash = 0;
            continue;
        }
        if (c == '>') {
            *self_closing = slash && st != UNQUOTED;
            return i + 1;
        }
        if (st == UNQUOTED) {
            if (is_html_ws(c))
                st = BEFORE;
        } else if (is_html_ws(c)) {
            if (st == NAME)
                st = AFTER;
        } else if (c == '/' && st != VALUE0) {
            st = BEFORE;
            slash = 1;
            i++;
            continue;
        } else if (c == '=' && (st == NAME || st == AFTER)) {
            st = VALUE0;
        } else if (st == VALUE0) {
            st = UNQUOTED;
        } else if (st == BEFORE || st == AFTER) {
            st = NAME;
        }
        slash = 0;
        i++;
    }
    *eof = 1;
    return n;
}

/* The <h1> being read ends (at a block boundary); one with no text does not count. */
static void h1_close(html *h)
{
    if (h->h1_state != 1)
        return;
    if (h->h1.b.len > 0) {
        h->h1_state = 2;
    } else {
        h->h1_state = 0;
        h->h1.space = h->h1.brk = 0;
    }
}

/* Reads the text of an element whose content is text up to its end tag (`which`: 0 title,
 * 1 textarea), from `from`. A missing end tag ends it at the next '<' (a broken page is not
 * swallowed whole). @return where its end tag (or that '<') starts. */
static size_t rcdata(html *h, size_t from, int which, sink *only, int pre)
{
    static const char *const names[2] = {"title", "textarea"};
    size_t end = h->n;
    if (from < h->no_end[which]) {
        end = find_end_tag(h->s, h->n, from, names[which]);
        if (end == h->n)
            h->no_end[which] = from;
    }
    if (end == h->n) {
        const char *lt = memchr(h->s + from, '<', h->n - from);
        end = lt ? (size_t)(lt - h->s) : h->n;
    }
    if (!h->drop && (only == NULL || !h->have_title))
        put_text(h, only, h->s + from, end - from, pre);
    if (only == &h->title && h->title.b.len > 0)
        h->have_title = 1;
    return end;
}

/* A start or end tag whose name starts at s[i]. @return where the text goes on. */
static size_t tag(html *h, size_t i, int end_tag)
{
    const char *s = h->s;
    size_t n = h->n, j = i;
    char name[16];
    size_t nl = 0;
    while (j < n && !is_html_ws(s[j]) && s[j] != '/' && s[j] != '>') {
        if (nl < sizeof name - 1) {
            char c = s[j];
            name[nl++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        } else {
            nl = sizeof name; /* too long for any element known */
        }
        j++;
    }
    name[nl < sizeof name ? nl : 0] = '\0';
    int self_closing, eof;
    size_t k = tag_end(s, n, j, &self_closing, &eof);
    if (eof)
        return n; /* the input ends in the tag: dropped */
    unsigned f = element_flags(name);
    if (f == 0)
        return k;
    int opens = !end_tag && !self_closing;
    if (f & E_FOREIGN) {
        if (opens)
            h->foreign++;
        else if (end_tag && h->foreign > 0)
            h->foreign--;
        return k;
    }
    if (f & E_DROP) {
        if (opens)
            h->drop++;
        else if (end_tag && h->drop > 0)
            h->drop--;
        return k;
    }
    if (f & E_TITLE) {
        if (opens)
            return rcdata(h, k, 0, h->foreign ? NULL : &h->title, 0);
        return k;
    }
    if (f & E_SKIP) {
        if (opens)
            return find_end_tag(s, n, k, name);
        return k;
    }
    if (f & E_CELL) {
        out_space(h, NULL);
        return k;
    }
    /* a block */
    if (strcmp(name, "br") == 0 && h->h1_state == 1) {
        h->body.brk = 1;
        h->h1.space = 1;
        return k;
    }
    h1_close(h);
    h->body.brk = 1;
    if (f & E_PRE) {
        if (opens)
            h->pre++;
        else if (end_tag && h->pre > 0)
            h->pre--;
    }
    if ((f & E_H1) && opens && h->h1_state == 0 && !h->drop)
        h->h1_state = 1;
    if ((f & E_RCDATA) && opens)
        return rcdata(h, k, 1, NULL, 1);
    return k;
}

/* Markup starting with the '<' at s[i]. @return where the text goes on. */
static size_t markup(html *h, size_t i)
{
    const char *s = h->s;
    size_t n = h->n, j = i + 1;
    if (j >= n || !(s[j] == '!' || s[j] == '?' || s[j] == '/' || is_alpha(s[j]))) {
        if (!h->drop)
            put_text(h, NULL, "<", 1, 0); /* a '<' that starts no markup is text */
        return j;
    }
    if (s[j] == '!' && n - j >= 3 && s[j + 1] == '-' && s[j + 2] == '-') { /* <!-- */
        size_t k = j + 3;
        if (k < n && s[k] == '>')
            return k + 1; /* <!--> */
        if (n - k >= 2 && s[k] == '-' && s[k + 1] == '>')
            return k + 2; /* <!---> */
        return find_mark(s, n, k, "-->");
    }
    if (s[j] == '!' && n - j >= 8 && memcmp(s + j, "![CDATA[", 8) == 0) {
        return find_mark(s, n, j + 8, "]]>");
    }
    if (s[j] == '/' && j + 1 < n && is_alpha(s[j + 1]))
        return tag(h, j + 1, 1);
    if (is_alpha(s[j]))
        return tag(h, j, 0);
    /* a doctype, a processing instruction, "</>" or other bogus comment: up to '>' */
    const char *gt = memchr(s + j, '>', n - j);
    return gt ? (size_t)(gt - s) + 1 : n;
}

static int extract_html(const char *t, size_t len, cli_extracted *out)
{
    html h;
    memset(&h, 0, sizeof h);
    h.s = t;
    h.n = len;
    h.title.oneline = h.h1.oneline = 1;
    h.title.b.limit = h.h1.b.limit = CLI_TITLE_MAX_BYTES + 4;
    h.no_end[0] = h.no_end[1] = SIZE_MAX;
    size_t pos = skip_bom(t, len);
    while (pos < len) {
        const char *lt = memchr(t + pos, '<', len - pos);
        size_t end = lt ? (size_t)(lt - t) : len;
        if (end > pos && !h.drop)
            put_text(&h, NULL, t + pos, end - pos, h.pre > 0);
        if (lt == NULL)
            break;
        pos = markup(&h, end);
    }
    int rc = -1;
    size_t blen = 0;
    char *body = ob_take(&h.body.b, &blen);
    if (h.title.b.oom || h.h1.b.oom || body == NULL)
        goto done;
    if (h.have_title) {
        rc = set_title(out, h.title.b.p, h.title.b.len);
    } else if (h.h1.b.len > 0) {
        rc = set_title(out, h.h1.b.p, h.h1.b.len);
    } else {
        const char *nl = memchr(body, '\n', blen);
        rc = set_title(out, body, nl ? (size_t)(nl - body) : blen);
    }
    if (rc == 0) {
        out->body = body;
        out->body_len = blen;
        body = NULL;
    }
done:
    free(body);
    free(h.title.b.p);
    free(h.h1.b.p);
    return rc;
}

/* ---- Markdown ---------------------------------------------------------------------------- */

typedef struct line {
    size_t a, b;  /* the line t[a..b), without its '\n' and trailing blanks */
    size_t next;  /* where the next line starts */
} line;

static int next_line(const char *t, size_t len, size_t pos, line *l)
{
    if (pos >= len)
        return 0;
    const char *nl = memchr(t + pos, '\n', len - pos);
    size_t eol = nl ? (size_t)(nl - t) : len;
    l->a = pos;
    l->b = eol;
    while (l->b > l->a && is_blank(t[l->b - 1]))
        l->b--;
    l->next = nl ? eol + 1 : len;
    return 1;
}

/* Columns of indentation (a tab to the next multiple of 4) and where the text starts. */
static size_t indent(const char *t, const line *l, size_t *text)
{
    size_t col = 0, i = l->a;
    for (; i < l->b && (t[i] == ' ' || t[i] == '\t'); i++)
        col = t[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
    *text = i;
    return col;
}

/* Whether t[a..b) is c repeated (at least `min` times; blanks between when `spaced`). */
static int all_of(const char *t, size_t a, size_t b, char c, size_t min, int spaced)
{
    size_t count = 0;
    for (size_t i = a; i < b; i++) {
        if (t[i] == c)
            count++;
        else if (!(spaced && (t[i] == ' ' || t[i] == '\t')))
            return 0;
    }
    return count >= min;
}

/* Puts heading text into the title: links and images as their text, code spans' backticks,
 * "**" and backslash escapes removed. Linear: a failed search for ']' or ')' is remembered. */
static void md_title_text(sink *dst, const char *p, size_t n)
{
    size_t no_close = SIZE_MAX, close = 0, no_paren = SIZE_MAX, paren = 0;
    size_t i = 0, run = 0; /* the pending run of plain text starts at `run` */
    while (i < n) {
        char c = p[i];
        size_t skip = 0;
        if (c == '`') {
            skip = 1;
        } else if (c == '*' && i + 1 < n && p[i + 1] == '*') {
            skip = 2;
        } else if (c == '\\' && i + 1 < n && ((p[i + 1] >= '!' && p[i + 1] <= '/') ||
                                              (p[i + 1] >= ':' && p[i + 1] <= '@') ||
                                              (p[i + 1] >= '[' && p[i + 1] <= '`') ||
                                              (p[i + 1] >= '{' && p[i + 1] <= '~'))) {
            sink_collapse(dst, p + run, i - run);
            run = i + 1; /* the escaped character is plain text */
            i += 2;
            continue;
        } else if (c == '[' || (c == '!' && i + 1 < n && p[i + 1] == '[')) {
            size_t open = c == '!' ? i + 1 : i;
            if (close <= open && open + 1 < no_close) {
                const char *q = memchr(p + open + 1, ']', n - open - 1);
                if (q == NULL)
                    no_close = open + 1;
                else
                    close = (size_t)(q - p);
            }
            if (close > open && close + 1 < n && p[close + 1] == '(') {
                if (paren <= close && close + 2 < no_paren) {
                    const char *q = memchr(p + close + 2, ')', n - close - 2);
                    if (q == NULL)
                        no_paren = close + 2;
                    else
                        paren = (size_t)(q - p);
                }
                if (paren > close) { /* [text](url): the text, then on after the ')' */
                    sink_collapse(dst, p + run, i - run);
                    md_title_text(dst, p + open + 1, close - open - 1);
                    i = run = paren + 1;
                    continue;
                }
            }
        }
        if (skip > 0) {
            sink_collapse(dst, p + run, i - run);
            i += skip;
            run = i;
            continue;
        }
        i++;
    }
    sink_collapse(dst, p + run, n - run);
}

/* Finds the first heading of t[0..len) (ATX or setext, not in code) and puts its text in
 * dst. @return whether one with text was found. */
static int md_heading(const char *t, size_t len, sink *dst)
{
    size_t pos = 0, para = SIZE_MAX, para_end = 0;
    char fence = 0;
    size_t fence_len = 0;
    line l;
    while (next_line(t, len, pos, &l)) {
        pos = l.next;
        size_t x;
        size_t col = indent(t, &l, &x);
        if (fence) { /* in fenced code: only its closing fence */
            size_t k = x;
            while (k < l.b && t[k] == fence)
                k++;
            if (col < 4 && k - x >= fence_len && k == l.b)
                fence = 0;
            continue;
        }
        if (x == l.b) { /* blank */
            para = SIZE_MAX;
            continue;
        }
        if (col >= 4) { /* indented code, or a paragraph's continuation */
            if (para != SIZE_MAX)
                para_end = l.b;
            continue;
        }
        char c = t[x];
        if (c == '`' || c == '~') {
            size_t k = x;
            while (k < l.b && t[k] == c)
                k++;
            if (k - x >= 3 && (c == '~' || memchr(t + k, '`', l.b - k) == NULL)) {
                fence = c;
                fence_len = k - x;
                para = SIZE_MAX;
                continue;
            }
        }
        if (c == '#') {
            size_t k = x;
            while (k < l.b && t[k] == '#')
                k++;
            if (k - x <= 6 && (k == l.b || t[k] == ' ' || t[k] == '\t')) {
                size_t a = k, b = l.b;
                while (a < b && is_blank(t[a]))
                    a++;
                size_t e = b; /* a closing run of '#' after a blank (or alone) goes */
                while (e > a && t[e - 1] == '#')
                    e--;
                if (e == a || is_blank(t[e - 1]))
                    b = e;
                while (b > a && is_blank(t[b - 1]))
                    b--;
                md_title_text(dst, t + a, b - a);
                if (dst->b.len > 0)
                    return 1;
                para = SIZE_MAX;
                continue;
            }
        }
        if (para != SIZE_MAX && (all_of(t, x, l.b, '=', 1, 0) || all_of(t, x, l.b, '-', 1, 0))) {
            md_title_text(dst, t + para, para_end - para); /* setext: the paragraph above */
            if (dst->b.len > 0)
                return 1;
            para = SIZE_MAX;
            continue;
        }
        int bullet = (c == '-' || c == '*' || c == '+') &&
                     (x + 1 == l.b || t[x + 1] == ' ' || t[x + 1] == '\t');
        size_t d = x;
        while (d < l.b && d - x < 9 && t[d] >= '0' && t[d] <= '9')
            d++;
        int ordered = d > x && d < l.b && (t[d] == '.' || t[d] == ')') &&
                      (d + 1 == l.b || t[d + 1] == ' ' || t[d + 1] == '\t');
        if (c == '>' || bullet || ordered || all_of(t, x, l.b, '-', 3, 1) ||
            all_of(t, x, l.b, '*', 3, 1) || all_of(t, x, l.b, '_', 3, 1)) {
            para = SIZE_MAX; /* a quote, a list item or a rule: not a setext heading's text */
            continue;
        }
        if (para == SIZE_MAX)
            para = x;
        para_end = l.b;
    }
    return 0;
}

/* The value of a YAML `title:` line from t[a..b) (after the colon) into dst; a block scalar
 * (| or >) takes the indented lines after it, from *pos on (moved past them). */
static void yaml_title(sink *dst, const char *t, size_t a, size_t b, size_t fm_end, size_t *pos)
{
    while (a < b && is_blank(t[a]))
        a++;
    if (a < b && (t[a] == '"' || t[a] == '\'')) {
        char q = t[a];
        size_t i = a + 1, run = i;
        while (i < b) {
            if (q == '"' && t[i] == '\\' && i + 1 < b) { /* \" \\ ...: the character itself */
                sink_collapse(dst, t + run, i - run);
                run = i + 1;
                i += 2;
            } else if (q == '\'' && t[i] == q && i + 1 < b && t[i + 1] == q) { /* '' is ' */
                sink_collapse(dst, t + run, i + 1 - run);
                i += 2;
                run = i;
            } else if (t[i] == q) {
                break;
            } else {
                i++;
            }
        }
        sink_collapse(dst, t + run, i - run);
        return;
    }
    if (a == b || t[a] == '|' || t[a] == '>') {
        line l;
        while (*pos < fm_end && next_line(t, fm_end, *pos, &l) &&
               (l.a == l.b || t[l.a] == ' ' || t[l.a] == '\t')) {
            sink_collapse(dst, t + l.a, l.b - l.a);
            dst->space = 1;
            *pos = l.next;
        }
        return;
    }
    for (size_t i = a; i + 1 < b; i++) /* a comment ends a plain value */
        if (is_blank(t[i]) && t[i + 1] == '#') {
            b = i;
            break;
        }
    sink_collapse(dst, t + a, b - a);
}

static int extract_markdown(const char *t, size_t len, cli_extracted *out)
{
    size_t start = skip_bom(t, len), body = start;
    sink title;
    memset(&title, 0, sizeof title);
    title.oneline = 1;
    title.b.limit = CLI_TITLE_MAX_BYTES + 4;
    line l;
    if (next_line(t, len, start, &l) && l.b - l.a == 3 && memcmp(t + l.a, "---", 3) == 0) {
        size_t fm = l.next, pos = fm, fm_end = 0;
        while (next_line(t, len, pos, &l)) { /* the closing --- or ... */
            pos = l.next;
            if (l.b - l.a == 3 &&
                (memcmp(t + l.a, "---", 3) == 0 || memcmp(t + l.a, "...", 3) == 0)) {
                fm_end = l.a;
                body = l.next;
                break;
            }
        }
        for (pos = fm; body != start && pos < fm_end && title.b.len == 0;) {
            next_line(t, fm_end, pos, &l);
            pos = l.next;
            if (l.b - l.a >= 6 && strncasecmp(t + l.a, "title:", 6) == 0)
                yaml_title(&title, t, l.a + 6, l.b, fm_end, &pos);
        }
    }
    if (title.b.len == 0)
        md_heading(t + body, len - body, &title);
    int rc = title.b.oom ? -1 : 0;
    if (rc == 0 && title.b.len > 0) {
        rc = set_title(out, title.b.p, title.b.len);
    } else if (rc == 0) {
        size_t a = len, b = len, next;
        first_line(t, len, body, &a, &b, &next);
        rc = set_title(out, t + a, b - a);
    }
    free(title.b.p);
    if (rc == 0)
        rc = set_body(out, t + body, len - body);
    return rc;
}

/* ---- kinds ------------------------------------------------------------------------------- */

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && strncasecmp(s + n - k, suffix, k) == 0;
}

static int starts_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* Whether the content looks like HTML: after a byte order mark, blanks, an XML declaration
 * and comments (within the first 4 KiB), "<!DOCTYPE html" or "<html" (any case). */
static int sniff_html(const char *t, size_t len)
{
    size_t n = len < 4096 ? len : 4096, i = skip_bom(t, n);
    for (;;) {
        while (i < n && is_html_ws(t[i]))
            i++;
        if (n - i >= 4 && memcmp(t + i, "<!--", 4) == 0) {
            i = find_mark(t, n, i + 4, "-->");
            if (i == n)
                return 0;
        } else if (n - i >= 5 && memcmp(t + i, "<?xml", 5) == 0) {
            const char *e = memchr(t + i, '>', n - i);
            if (e == NULL)
                return 0;
            i = (size_t)(e - t) + 1;
        } else {
            break;
        }
    }
    const char *p = t + i;
    size_t m = n - i;
    if (starts_ci(p, m, "<!doctype") && m > 9 && is_html_ws(p[9])) {
        size_t k = 10;
        while (k < m && is_html_ws(p[k]))
            k++;
        return starts_ci(p + k, m - k, "html") && (m - k == 4 || !is_alnum(p[k + 4]));
    }
    return starts_ci(p, m, "<html") && (m == 5 || !is_alnum(p[5]));
}

enum { K_TEXT, K_HTML, K_MARKDOWN };

static int kind_of_name(const char *base, size_t n)
{
    static const char *const html_sfx[] = {".html", ".htm", ".xhtml", ".shtml"};
    static const char *const md_sfx[] = {".md", ".markdown", ".mdown"};
    for (size_t i = 0; i < sizeof html_sfx / sizeof html_sfx[0]; i++)
        if (ends_with(base, n, html_sfx[i]))
            return K_HTML;
    for (size_t i = 0; i < sizeof md_sfx / sizeof md_sfx[0]; i++)
        if (ends_with(base, n, md_sfx[i]))
            return K_MARKDOWN;
    return K_TEXT;
}

/* ---- gzip -------------------------------------------------------------------------------- */

#define INFLATE_CHUNK ((size_t)1 << 20) /* output asked of zlib at once */

/* Inflates the gzip members in in[0..len) into a malloc'd, NUL-terminated buffer of at most
 * cap bytes (cap + 2 allocated at most). @return a CLI_EXTRACT_* code. */
static int gunzip(const unsigned char *in, size_t len, size_t cap, char **out, size_t *out_len,
                  const char **why)
{
    *out = NULL;
    if (len < 2) {
        *why = "truncated gzip data";
        return CLI_EXTRACT_BAD_GZIP;
    }
    if (!(in[0] == 0x1f && in[1] == 0x8b)) {
        *why = "not gzip data";
        return CLI_EXTRACT_BAD_GZIP;
    }
    if (cap > SIZE_MAX - 2)
        cap = SIZE_MAX - 2;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        *why = "out of memory";
        return CLI_EXTRACT_NOMEM;
    }
    /* First room: the size the last member's trailer tells (mod 2^32), which is exact for
     * one member, bounded by what deflate can expand len bytes to (1032:1); grown by
     * doubling when it falls short, never past one byte over the cap. */
    size_t room_max = cap + 1; /* that byte tells that the cap is exceeded */
    size_t room = 65536;
    if (len >= 18) {
        const unsigned char *t = in + len - 4;
        size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 |
                       (size_t)t[3] << 24;
        size_t bound = len < (SIZE_MAX - 65536) / 1032 ? len * 1032 + 65536 : SIZE_MAX;
        if (isize + 1 > room)
            room = isize + 1 < bound ? isize + 1 : bound;
    }
    if (room > room_max)
        room = room_max;
    char *buf = malloc(room + 1);
    size_t got = 0, in_pos = 0;
    int rc = CLI_EXTRACT_OK, probed = 0;
    if (buf == NULL) {
        rc = CLI_EXTRACT_NOMEM;
        *why = "out of memory";
    }
    while (rc == CLI_EXTRACT_OK) {
        if (got == room) {
            if (room == room_max) { /* not reached: got > cap is told below */
                rc = CLI_EXTRACT_TOO_LARGE;
                *why = "decompressed size over the cap";
                break;
            }
            size_t nroom = room > room_max / 2 ? room_max : room * 2;
            char *nb = realloc(buf, nroom + 1);
            if (nb == NULL) {
                rc = CLI_EXTRACT_NOMEM;
                *why = "out of memory";
                break;
            }
            buf = nb;
            room = nroom;
        }
        size_t in_avail = len - in_pos < UINT_MAX ? len - in_pos : UINT_MAX;
        /* the first CLI_EXTRACT_PROBE_BYTES alone, then a chunk at a time */
        size_t out_avail = room - got;
        if (!probed && out_avail > CLI_EXTRACT_PROBE_BYTES - got)
            out_avail = CLI_EXTRACT_PROBE_BYTES - got;
        if (out_avail > INFLATE_CHUNK)
            out_avail = INFLATE_CHUNK;
        z.next_in = in + in_pos;
        z.avail_in = (unsigned)in_avail;
        z.next_out = (unsigned char *)buf + got;
        z.avail_out = (unsigned)out_avail;
        int zr = inflate(&z, Z_NO_FLUSH);
        in_pos += in_avail - z.avail_in;
        got += out_avail - z.avail_out;
        if (!probed && got >= CLI_EXTRACT_PROBE_BYTES) {
            probed = 1; /* binary: told now, not after inflating all of it */
            if (memchr(buf, '\0', CLI_EXTRACT_PROBE_BYTES) != NULL) {
                rc = CLI_EXTRACT_BINARY;
                *why = "binary file";
                break;
            }
        }
        if (got > cap) {
            rc = CLI_EXTRACT_TOO_LARGE;
            *why = "decompressed size over the cap";
            break;
        }
        if (zr == Z_STREAM_END) {
            if (len - in_pos >= 2 && in[in_pos] == 0x1f && in[in_pos + 1] == 0x8b) {
                inflateReset(&z); /* another member */
                continue;
            }
            size_t k = in_pos; /* zero bytes after the last member: padding */
            while (k < len && in[k] == 0)
                k++;
            if (k < len) {
                rc = CLI_EXTRACT_BAD_GZIP;
                *why = "trailing garbage after gzip data";
            }
            break;
        }
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && z.avail_out == 0)
            continue; /* out of room: grow */
        if (zr == Z_MEM_ERROR) {
            rc = CLI_EXTRACT_NOMEM;
            *why = "out of memory";
        } else if (zr == Z_BUF_ERROR) {
            rc = CLI_EXTRACT_BAD_GZIP;
            *why = "truncated gzip data";
        } else {
            rc = CLI_EXTRACT_BAD_GZIP;
            *why = zr == Z_DATA_ERROR && z.msg != NULL ? z.msg : "corrupt gzip data";
        }
    }
    inflateEnd(&z);
    if (rc != CLI_EXTRACT_OK) {
        free(buf);
        return rc;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    return CLI_EXTRACT_OK;
}

/* ---- the entry point --------------------------------------------------------------------- */

int cli_extract(const char *name, const char *data, size_t len, size_t max_bytes,
                cli_extracted *out, const char **why)
{
    const char *reason = NULL;
    memset(out, 0, sizeof *out);
    if (name == NULL)
        name = "";
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t blen = strlen(base);
    char *inflated = NULL;
    int rc = CLI_EXTRACT_OK;
    if (ends_with(base, blen, ".gz")) {
        blen -= 3;
        size_t ilen = 0;
        rc = gunzip((const unsigned char *)data, len, max_bytes ? max_bytes : CLI_GZIP_MAX_BYTES,
                    &inflated, &ilen, &reason);
        data = inflated;
        len = ilen;
    }
    if (rc == CLI_EXTRACT_OK && len > 0 &&
        memchr(data, '\0', len < CLI_EXTRACT_PROBE_BYTES ? len : CLI_EXTRACT_PROBE_BYTES)) {
        rc = CLI_EXTRACT_BINARY;
        reason = "binary file";
    }
    if (rc == CLI_EXTRACT_OK) {
        int kind = sniff_html(data, len) ? K_HTML : kind_of_name(base, blen);
        int r = kind == K_HTML       ? extract_html(data, len, out)
                : kind == K_MARKDOWN ? extract_markdown(data, len, out)
                                     : extract_text(data, len, out);
        if (r != 0) {
            cli_extracted_free(out);
            rc = CLI_EXTRACT_NOMEM;
            reason = "out of memory";
        } else {
            out->kind = kind == K_HTML ? "html" : kind == K_MARKDOWN ? "markdown" : "text";
        }
    }
    free(inflated);
    if (why != NULL)
        *why = reason;
    return rc;
}

void cli_extracted_free(cli_extracted *e)
{
    if (e == NULL)
        return;
    free(e->title);
    free(e->body);
    memset(e, 0, sizeof *e);
}
