/* SPDX-License-Identifier: MIT */
/*
 * merger.h - merges adjacent segments into one (DESIGN.md §4): the live documents of the
 * sources, in order, become documents 0, 1, 2, ... of the new segment, so document order and
 * therefore every score and tie is the same before and after. Deleted documents are dropped
 * (and with them the terms only they held). Postings are merged key by key with document
 * numbers remapped and positions copied as bytes; stored-field chunks whose documents all
 * survive are copied without being inflated again; the id dictionaries are merged in order.
 * Every block read from the sources is verified (format/), so damage is not carried over.
 */
#ifndef LS_INDEX_MERGER_H
#define LS_INDEX_MERGER_H

#include <stdint.h>

#include "format/manifest.h"
#include "format/segment.h"

typedef struct ls_merge_source {
    const ls_segment *seg;
    const uint8_t *deleted; /* its deletion bitmap, NULL when it has none */
} ls_merge_source;

/* A source document as the merge needs it, in one place: a posting costs one load, not a map
 * lookup and then a dependent one in the new lengths (synthetic 1M, 4 segments into one:
 * 2.05-2.14 -> 1.65-1.71 s). */
typedef struct ls_merge_doc {
    uint32_t nd;     /* its new number, UINT32_MAX when deleted */
    uint32_t len[2]; /* tokens of the all field, of the title field */
} ls_merge_doc;

/**
 * Writes segment out_id of dir from src[0..n) and fsyncs it. info receives its record. With
 * threads >= 2 the stored fields are merged and the word pairs found (index/mergepairs.h) in
 * a thread of their own while the caller's merges the id dictionary and the postings (the
 * same files either way).
 * @return LS_OK, LS_EIO, LS_ECORRUPT (a damaged source, naming it), LS_ELIMIT, LS_ENOMEM.
 *         On failure no file of out_id remains.
 */
int ls_merge_segments(const char *dir, const ls_merge_source *src, uint32_t n, uint32_t out_id,
                      unsigned threads, ls_seg_info *info, ls_error *err);

/** Reports source file f as damaged. @return LS_ECORRUPT. */
int ls_merge_damaged(const ls_ifile *f, ls_error *err);

#endif
