/* SPDX-License-Identifier: MIT */
/*
 * postings.h - one term's doc ids and frequencies (FORMAT.md "Postings") and the ranges of
 * its positions (FORMAT.md "Positions"), the writer and the bounded decoders side by side.
 *
 *   TermPostings --> SkipEntry^B, Block^B, Tail          (B = df / 128 full blocks)
 *   SkipEntry    --> LastDoc u32, BlockEnd u32, PosEnd u64, MaxTf u32, Impacts
 *   Block        --> DocWidth u8, TfWidth u8, BitPacked128(doc gaps), BitPacked128(tf - 1)
 *   Tail         --> (VByte(gap << 1 | tf == 1), [VByte(tf) when tf > 1])^(df mod 128)
 *   gap = doc - previous doc - 1 (previous doc of the first posting is -1)
 * BlockEnd is the byte offset of the block's end from the first block; PosEnd the offset of the
 * end of the block's positions from the term's first position byte. MaxTf is the block's largest
 * tf; its impacts (format/impacts.h) bound the BM25 score of any posting of the block, whatever
 * k1 and b (block-max pruning). Both files are paged (format/pages.h): every decoder verifies
 * the pages of the bytes it reads first.
 */
#ifndef LS_FORMAT_POSTINGS_H
#define LS_FORMAT_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "codec/bitpack.h"
#include "format/impacts.h"
#include "format/pages.h"
#include "util/buf.h"
#include "util/fileio.h"

#define LS_SKIP_ENTRY_SIZE (20u + LS_IMPACTS_SIZE)
#define LS_DOC_END UINT32_MAX

/** What the dictionary records of one term in one field of one segment. */
typedef struct ls_term_meta {
    uint32_t df;
    uint64_t cf;
    uint64_t doc_off;   /* in the postings file body */
    uint64_t doc_bytes;
    uint64_t pos_off;   /* in the positions file body */
    uint64_t pos_bytes;
    uint32_t max_tf;    /* over the whole list */
    uint32_t min_len;   /* smallest field length among the list's documents */
    int paired;         /* an all-field word whose pairs with the segment's other paired
                           words have lists of their own (format/pairs.h) */
} ls_term_meta;

/** Input of one term for the writer. Positions are already encoded per document
 *  (format/positions.h): document i's bytes are pos[pos_end[i-1] .. pos_end[i]) (pos_end[-1] =
 *  0). */
typedef struct ls_term_input {
    const uint32_t *docs;
    const uint32_t *tfs;
    const uint32_t *lens; /* field length of each document (for block maxima) */
    const uint8_t *pos;
    const uint64_t *pos_end;
    uint32_t n;
} ls_term_input;

/** Writes one term's postings and positions; fills meta (offsets relative to the bodies:
 *  the writers' offsets minus the header). scratch is reused across calls. */
int ls_postings_write(ls_fwriter *docw, ls_fwriter *posw, const ls_term_input *in,
                      ls_buf *scratch, ls_term_meta *meta, ls_error *err);

/** A bounds-checked view of one term's postings inside mapped, paged files. */
typedef struct ls_postings_view {
    uint32_t df;
    uint32_t nblocks;
    const ls_pages *doc_pages, *pos_pages;
    const uint8_t *skip;     /* nblocks * LS_SKIP_ENTRY_SIZE */
    const uint8_t *blocks;   /* first block */
    const uint8_t *end;      /* end of the term's postings */
    const uint8_t *pos;      /* first position byte */
    const uint8_t *pos_end;
} ls_postings_view;

/** @return LS_OK or LS_ECORRUPT when meta points outside the files or is inconsistent. */
int ls_postings_view_init(ls_postings_view *v, const ls_term_meta *meta, const ls_pages *docs,
                          const ls_pages *pos);

/** Skip entry i fields (read in place: call ls_skip_entry_ok first, which verifies the page
 *  holding entry i). */
static inline uint32_t ls_skip_last_doc(const ls_postings_view *v, uint32_t i)
{
    return ls_get_u32le(v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE);
}
static inline uint32_t ls_skip_block_end(const ls_postings_view *v, uint32_t i)
{
    return ls_get_u32le(v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE + 4);
}
static inline uint64_t ls_skip_pos_end(const ls_postings_view *v, uint32_t i)
{
    return ls_get_u64le(v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE + 8);
}
static inline uint32_t ls_skip_max_tf(const ls_postings_view *v, uint32_t i)
{
    return ls_get_u32le(v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE + 16);
}
/** Block i's impacts into out: @return how many (0: none, damage). */
static inline uint32_t ls_skip_impacts(const ls_postings_view *v, uint32_t i,
                                       ls_impact out[LS_IMPACTS])
{
    return ls_impacts_get(v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE + 20, ls_skip_max_tf(v, i),
                          out);
}
/** @return nonzero when skip entry i lies in verified pages. */
static inline int ls_skip_entry_ok(const ls_postings_view *v, uint32_t i)
{
    return ls_pages_ok(v->doc_pages, v->skip + (size_t)i * LS_SKIP_ENTRY_SIZE,
                       LS_SKIP_ENTRY_SIZE) == 0;
}

/**
 * Decodes block i (i < nblocks) into docs/tfs (128 each); the entries and bytes it reads are
 * verified first. @return LS_OK or LS_ECORRUPT.
 */
int ls_postings_decode_block(const ls_postings_view *v, uint32_t i, uint32_t *docs,
                             uint32_t *tfs);
/** Decodes the tail (df mod 128 postings), verified first. @return count decoded, or
 *  LS_ECORRUPT (< 0). */
int ls_postings_decode_tail(const ls_postings_view *v, uint32_t *docs, uint32_t *tfs);
/** The positions bytes of block i (nblocks: the tail), verified.
 *  @return LS_OK (*p, *end set) or LS_ECORRUPT. */
int ls_postings_block_positions(const ls_postings_view *v, uint32_t i, const uint8_t **p,
                                const uint8_t **end);

/** Reads a whole list in order, with each posting's position bytes (the merger, the
 *  statistics and the checker; query cursors skip through lists with their own state). */
typedef struct ls_postings_iter {
    ls_postings_view v;
    uint32_t docs[LS_BLOCK], tfs[LS_BLOCK];
    uint32_t n, i;     /* postings decoded in the current block, next one to return */
    uint32_t block;    /* current block; nblocks = the tail */
    int positions;     /* nonzero: positions are verified and returned */
    const uint8_t *pos_p, *pos_stop; /* positions of docs[i], end of the block's positions */
} ls_postings_iter;

/** @param positions nonzero to read positions too. @return LS_OK or LS_ECORRUPT. */
int ls_postings_iter_init(ls_postings_iter *it, const ls_postings_view *v, int positions);
/** @return 1 with the next posting (positions bytes [*pos, *pos + *pos_len) when asked for),
 *  0 after the last, or LS_ECORRUPT. pos and pos_len may be NULL. */
int ls_postings_iter_next(ls_postings_iter *it, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                          size_t *pos_len);

#endif
