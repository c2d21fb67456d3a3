/* SPDX-License-Identifier: MIT */
/*
 * mergepairs.h - the word pairs of a segment being merged (format/pairs.h), found apart from
 * the merge of its postings so that a second thread can find them meanwhile: the words it
 * pairs are chosen from the sources' dictionaries (and, where a source has deletions, its
 * postings), then their pairs are found again from the sources' positions (index/pairer.h),
 * remapped, deleted documents passed over. Reads the sources only.
 */
#ifndef LS_INDEX_MERGEPAIRS_H
#define LS_INDEX_MERGEPAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "index/inverter.h"
#include "index/merger.h"

typedef struct ls_merge_pairs {
    ls_inverter inv;    /* the pairs (counts only); its documents are the merged segment's */
    uint64_t nwords;    /* the words paired */
    uint32_t words_crc; /* crc32 of their keys in key order, each after its length byte */
} ls_merge_pairs;

/** The paired words' checksum: words_crc updated with one more key (ls_merge_pairs). */
uint32_t ls_merge_pairs_crc(uint32_t crc, const uint8_t *key, size_t len);

/**
 * Finds the pairs of the merge of src[0..n) (map: per source, each old document's new number
 * or UINT32_MAX; ndocs live documents whose length entries are lens) into out.
 * @return LS_OK, LS_ENOMEM or LS_ECORRUPT (naming the damaged source file).
 */
int ls_merge_pairs_find(const ls_merge_source *src, const ls_merge_doc *const *map, uint32_t n,
                        uint32_t ndocs, const uint8_t *lens, ls_merge_pairs *out,
                        ls_error *err);
void ls_merge_pairs_free(ls_merge_pairs *mp);

#endif
