/* SPDX-License-Identifier: MIT */
/*
 * splitutil.h - a random corpus split in document order across several indexes, beside one
 * index of the union (the oracle's corpus): what the multi-index and shard tests compare.
 */
#ifndef LS_TEST_SPLITUTIL_H
#define LS_TEST_SPLITUTIL_H

#include "libsearch.h"
#include "oracle_corpus.h"

#define MAX_PARTS 5

typedef struct split {
    corpus c;               /* the oracle, and c.reader: the union index */
    char *dirs[MAX_PARTS];  /* the parts, in document order */
    size_t n_parts;
    size_t first[MAX_PARTS + 1]; /* part p holds documents first[p] .. first[p + 1] - 1 */
    ls_reader *many;        /* ls_reader_open_many over the parts */
} split;

/** n_docs random documents into the union index and, cut in order at random places, into
 *  n_parts indexes, each committed a few times. */
void split_build(split *s, uint64_t stream, size_t n_docs, size_t n_parts);
void split_free(split *s);
/** @return the part holding the document of id "dN". */
size_t part_of(const split *s, const char *id);

#endif
