/* SPDX-License-Identifier: MIT */
/*
 * words.c - word segmentation over code points (see words.h for the rule). ASCII bytes are
 * classified by a table; other code points are decoded with utf8proc_iterate and classified by
 * utf8proc_category. An invalid byte is one separator byte, so bad input never stops the scan.
 */
#include "analysis/words.h"

#include <stdint.h>
#include <utf8proc.h>

enum { C_SEP = 0, C_WORD = 1, C_APOS = 2 };

/* Word characters and the apostrophe among ASCII bytes; every other byte below 0x80 separates. */
static const uint8_t ascii_class[128] = {
    ['0'] = C_WORD, ['1'] = C_WORD, ['2'] = C_WORD, ['3'] = C_WORD, ['4'] = C_WORD,
    ['5'] = C_WORD, ['6'] = C_WORD, ['7'] = C_WORD, ['8'] = C_WORD, ['9'] = C_WORD,
    ['A'] = C_WORD, ['B'] = C_WORD, ['C'] = C_WORD, ['D'] = C_WORD, ['E'] = C_WORD,
    ['F'] = C_WORD, ['G'] = C_WORD, ['H'] = C_WORD, ['I'] = C_WORD, ['J'] = C_WORD,
    ['K'] = C_WORD, ['L'] = C_WORD, ['M'] = C_WORD, ['N'] = C_WORD, ['O'] = C_WORD,
    ['P'] = C_WORD, ['Q'] = C_WORD, ['R'] = C_WORD, ['S'] = C_WORD, ['T'] = C_WORD,
    ['U'] = C_WORD, ['V'] = C_WORD, ['W'] = C_WORD, ['X'] = C_WORD, ['Y'] = C_WORD,
    ['Z'] = C_WORD, ['a'] = C_WORD, ['b'] = C_WORD, ['c'] = C_WORD, ['d'] = C_WORD,
    ['e'] = C_WORD, ['f'] = C_WORD, ['g'] = C_WORD, ['h'] = C_WORD, ['i'] = C_WORD,
    ['j'] = C_WORD, ['k'] = C_WORD, ['l'] = C_WORD, ['m'] = C_WORD, ['n'] = C_WORD,
    ['o'] = C_WORD, ['p'] = C_WORD, ['q'] = C_WORD, ['r'] = C_WORD, ['s'] = C_WORD,
    ['t'] = C_WORD, ['u'] = C_WORD, ['v'] = C_WORD, ['w'] = C_WORD, ['x'] = C_WORD,
    ['y'] = C_WORD, ['z'] = C_WORD, ['\''] = C_APOS,
};

/* Code point of the character at s[i] (i < len, s[i] >= 0x80) and its byte length; 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, truncated, stray continuation). */
static size_t decode(const uint8_t *s, size_t len, size_t i, int32_t *cp)
{
    size_t avail = len - i < 4 ? len - i : 4;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)avail, cp);
    return n > 0 ? (size_t)n : 0;
}

static int is_letter_or_digit(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Class of a non-ASCII code point: letters, numbers and marks are word characters. */
static int class_of(int32_t cp)
{
    if (cp == 0x2019)
        return C_APOS;
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO ? C_WORD : C_SEP;
}

/* Class and byte length (>= 1) of the character at s[i]; an invalid byte is a 1-byte C_SEP. */
static int class_at(const uint8_t *s, size_t len, size_t i, size_t *n_out)
{
    if (s[i] < 0x80) {
        *n_out = 1;
        return ascii_class[s[i]];
    }
    int32_t cp;
    size_t n = decode(s, len, i, &cp);
    *n_out = n ? n : 1;
    return n ? class_of(cp) : C_SEP;
}

/* Whether a letter or digit (not a mark) starts at s[i]: what lets an apostrophe stay inside. */
static int letter_or_digit_at(const uint8_t *s, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    if (s[i] < 0x80)
        return ascii_class[s[i]] == C_WORD;
    int32_t cp;
    return decode(s, len, i, &cp) && is_letter_or_digit(utf8proc_category(cp));
}

/* Trailing "'s" / "’s": the apostrophe cannot be the first character, since words start with
 * a word character, so the length checks only keep the reads inside the word. */
static size_t possessive_start(const uint8_t *s, size_t start, size_t end)
{
    if (end - start < 3 || (s[end - 1] != 's' && s[end - 1] != 'S'))
        return end;
    if (s[end - 2] == '\'')
        return end - 2;
    if (end - start >= 5 && s[end - 4] == 0xE2 && s[end - 3] == 0x80 && s[end - 2] == 0x99)
        return end - 4;
    return end;
}

int ls_words_next(const char *text, size_t len, size_t *at, ls_word *out)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = *at, n;

    /* Separators: tight loop over ASCII, one decode per other character. */
    for (;;) {
        while (i < len && s[i] < 0x80 && ascii_class[s[i]] != C_WORD)
            i++;
        if (i >= len) {
            *at = len;
            return 0;
        }
        if (class_at(s, len, i, &n) == C_WORD)
            break;
        i += n;
    }

    out->start = i;
    out->ascii = 1;
    for (;;) {
        while (i < len && s[i] < 0x80 && ascii_class[s[i]] == C_WORD)
            i++;
        if (i >= len || (s[i] < 0x80 && s[i] != '\'')) /* the common end: ASCII punctuation */
            break;
        int c = class_at(s, len, i, &n);
        if (c == C_WORD) {
            out->ascii = 0;
        } else if (c != C_APOS || !letter_or_digit_at(s, len, i + n)) {
            break;
        }
        i += n;
    }
    out->end = i;
    out->core_end = possessive_start(s, out->start, i);
    *at = i;
    return 1;
}
