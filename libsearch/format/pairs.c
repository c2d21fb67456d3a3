/* SPDX-License-Identifier: MIT */
/*
 * pairs.c - reading a pair key back into its two words (format/pairs.h).
 */
#include "format/pairs.h"

int ls_pair_key_split(const uint8_t *key, size_t len, uint8_t *a, size_t *alen, uint8_t *b,
                      size_t *blen)
{
    if (len < 4 || key[0] != LS_KEY_PAIR)
        return -1;
    const uint8_t *sep = memchr(key + 1, LS_PAIR_SEP, len - 1);
    if (sep == NULL)
        return -1;
    size_t la = (size_t)(sep - key - 1), lb = len - 2 - la;
    if (la == 0 || lb == 0 || la > LS_PAIR_WORD_MAX || lb > LS_PAIR_WORD_MAX ||
        memchr(sep + 1, LS_PAIR_SEP, lb) != NULL)
        return -1;
    a[0] = b[0] = LS_KEY_ALL;
    memcpy(a + 1, key + 1, la);
    memcpy(b + 1, sep + 1, lb);
    *alen = la + 1;
    *blen = lb + 1;
    return 0;
}
