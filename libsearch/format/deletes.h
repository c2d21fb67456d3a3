/* SPDX-License-Identifier: MIT */
/*
 * deletes.h - the deletions of one segment as of one commit (FORMAT.md "Deletions"), file
 * seg-<id>_<gen>.del, never modified: a later commit that deletes more writes a new
 * generation. Segment files stay immutable.
 *   DelBody     --> DocCount u32, DelCount u32, BitmapCheck u32, Bitmap, Corrections
 *   Bitmap      --> u8^ceil(DocCount / 8)    (bit d % 8 of byte d / 8 set: document d deleted)
 *   Corrections --> KeyBlocks (keyblocks.h) with payload VByte(n)
 * A correction says that n deleted documents contain a dictionary key: the key's live
 * document frequency is its dictionary df minus n, so statistics leave deleted documents out
 * exactly without reading postings. BitmapCheck is the block check of the bitmap, verified
 * at open; corrections are verified block by block like every KeyBlocks structure.
 */
#ifndef LS_FORMAT_DELETES_H
#define LS_FORMAT_DELETES_H

#include <stddef.h>
#include <stdint.h>

#include "format/fileheader.h"
#include "format/keyblocks.h"
#include "util/fileio.h"

/** Bytes of a bitmap over n documents. */
static inline size_t ls_bitmap_bytes(uint32_t n) { return ((size_t)n + 7) / 8; }
static inline int ls_bitmap_get(const uint8_t *bm, uint32_t doc)
{
    return bm[doc >> 3] >> (doc & 7) & 1u;
}
static inline void ls_bitmap_set(uint8_t *bm, uint32_t doc)
{
    bm[doc >> 3] = (uint8_t)(bm[doc >> 3] | 1u << (doc & 7));
}

typedef struct ls_deletes {
    ls_ifile file;
    const uint8_t *bitmap;
    uint32_t count; /* deleted documents */
    ls_keyblocks corr;
} ls_deletes;

/** The footer tag of segment seg_tag's deletions of generation gen: a file renamed from
 *  another segment or generation is refused. */
uint64_t ls_deletes_tag(uint64_t seg_tag, uint64_t gen);

/** Opens segment seg's deletions of generation gen (the segment has ndocs documents and tag
 *  seg_tag), checks the frame, its tag, the bitmap and its count. @return LS_OK, LS_ECORRUPT, LS_EFORMAT, LS_EIO,
 *  LS_ENOTFOUND (no such file), LS_ENOMEM. */
int ls_deletes_open(ls_deletes *d, const char *dir, uint32_t seg, uint64_t gen, uint32_t ndocs,
                    uint64_t seg_tag, ls_error *err);
void ls_deletes_close(ls_deletes *d);

/** The number of deleted documents holding key (0 when none). @return LS_OK or LS_ECORRUPT
 *  naming the file. */
int ls_deletes_correction(const ls_deletes *d, const uint8_t *key, size_t len, uint32_t *n,
                          ls_error *err);

/** Reads corrections in key order: it.kb.key[0..it.kb.key_len) holds it.n deleted documents. */
typedef struct ls_corr_iter {
    ls_keyblocks_iter kb;
    uint32_t n;
} ls_corr_iter;
void ls_corr_iter_init(ls_corr_iter *it, const ls_deletes *d);
/** @return 1, 0 at the end, or LS_ECORRUPT. */
int ls_corr_iter_next(ls_corr_iter *it);

/** Writes a deletions file: the bitmap first, then corrections in ascending key order. */
typedef struct ls_deletes_writer {
    ls_fwriter w;
    ls_keyblock_writer kw;
    int kw_open;
} ls_deletes_writer;

int ls_deletes_writer_open(ls_deletes_writer *dw, const char *dir, uint32_t seg, uint64_t gen,
                           uint64_t seg_tag, const uint8_t *bitmap, uint32_t ndocs,
                           uint32_t count, ls_error *err);
int ls_deletes_writer_add(ls_deletes_writer *dw, const uint8_t *key, size_t len, uint32_t n,
                          ls_error *err);
/** Finishes (footer, fsync). On failure the file is removed. */
int ls_deletes_writer_finish(ls_deletes_writer *dw, ls_error *err);
/** Abandons the file (error paths). */
void ls_deletes_writer_abort(ls_deletes_writer *dw);

#endif
