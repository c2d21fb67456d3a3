/* SPDX-License-Identifier: MIT */
/*
 * stopwords.c - the English stop-word list: the 33 words of Lucene's EnglishAnalyzer
 * (ENGLISH_STOP_WORDS_SET). Only flags tokens (ls_token.stop); dropping them is the caller's call.
 * Runs once per token, so a word is packed into an integer and matched by one switch.
 */
#include "analysis/analyzer.h"

/* A word of up to 5 bytes packed with its length: distinct words give distinct keys. */
#define K1(a) ((uint64_t)(unsigned char)(a) | (uint64_t)1 << 56)
#define K2(a, b) ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)2 << 56)
#define K3(a, b, c) ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)3 << 56)
#define K4(a, b, c, d)                                                                         \
    ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 |          \
     (uint64_t)4 << 56)
#define K5(a, b, c, d, e)                                                                      \
    ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 |          \
     (uint64_t)(e) << 32 | (uint64_t)5 << 56)

int ls_stopword_is(const char *w, size_t len)
{
    if (len == 0 || len > 5)
        return 0;
    uint64_t key = (uint64_t)len << 56;
    for (size_t i = 0; i < len; i++)
        key |= (uint64_t)(unsigned char)w[i] << (8 * i);
    switch (key) {
    case K1('a'):
    case K2('a', 'n'): case K2('a', 's'): case K2('a', 't'): case K2('b', 'e'):
    case K2('b', 'y'): case K2('i', 'f'): case K2('i', 'n'): case K2('i', 's'):
    case K2('i', 't'): case K2('n', 'o'): case K2('o', 'f'): case K2('o', 'n'):
    case K2('o', 'r'): case K2('t', 'o'):
    case K3('a', 'n', 'd'): case K3('a', 'r', 'e'): case K3('b', 'u', 't'):
    case K3('f', 'o', 'r'): case K3('n', 'o', 't'): case K3('t', 'h', 'e'):
    case K3('w', 'a', 's'):
    case K4('i', 'n', 't', 'o'): case K4('s', 'u', 'c', 'h'): case K4('t', 'h', 'a', 't'):
    case K4('t', 'h', 'e', 'n'): case K4('t', 'h', 'e', 'y'): case K4('t', 'h', 'i', 's'):
    case K4('w', 'i', 'l', 'l'): case K4('w', 'i', 't', 'h'):
    case K5('t', 'h', 'e', 'i', 'r'): case K5('t', 'h', 'e', 'r', 'e'):
    case K5('t', 'h', 'e', 's', 'e'):
        return 1;
    default:
        return 0;
    }
}
