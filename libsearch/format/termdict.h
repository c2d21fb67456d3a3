/* SPDX-License-Identifier: MIT */
/*
 * termdict.h - the sorted term dictionary of a segment (FORMAT.md "TermDictionary"):
 *   DictBody  --> Block^K, BlockIndex, Trailer
 *   Block     --> Entry^(<= 32)        (the first entry of a block has Shared = 0)
 *   Entry     --> VByte(Shared), VByte(SuffixLen), Suffix, VByte(df), VByte64(cf - df),
 *                 VByte64(DocOff delta), VByte64(DocBytes), VByte64(PosOff delta),
 *                 VByte64(PosBytes), VByte(MaxTf), VByte(MinLen)
 *                 (offset deltas from the previous entry of the block; absolute for the first)
 *   BlockIndex--> BlockOffset u64 ^K
 *   Trailer   --> IndexOffset u64, TermCount u64, K u32
 * Keys are a field byte ('a' all, 't' title) followed by the term, sorted bytewise. Lookups
 * binary-search the block index (read in place from the map) then scan one block.
 */
#ifndef LS_FORMAT_TERMDICT_H
#define LS_FORMAT_TERMDICT_H

#include <stddef.h>
#include <stdint.h>

#include "format/postings.h"
#include "util/buf.h"
#include "util/fileio.h"

#define LS_DICT_BLOCK_TERMS 32
#define LS_MAX_KEY_BYTES 256

typedef struct ls_termdict_writer {
    ls_fwriter *w;
    ls_buf index; /* block offsets */
    uint8_t prev[LS_MAX_KEY_BYTES];
    size_t prev_len;
    uint32_t in_block;
    uint64_t nterms;
    ls_term_meta prev_meta;
} ls_termdict_writer;

void ls_termdict_writer_init(ls_termdict_writer *tw, ls_fwriter *w);
/** Adds a key (strictly greater than the previous one). */
int ls_termdict_add(ls_termdict_writer *tw, const uint8_t *key, size_t len,
                    const ls_term_meta *meta, ls_error *err);
/** Writes the block index and trailer (not the footer). Frees the writer's buffers. */
int ls_termdict_finish(ls_termdict_writer *tw, ls_error *err);
void ls_termdict_writer_free(ls_termdict_writer *tw);

/** Reader over a mapped dictionary body. */
typedef struct ls_termdict {
    const uint8_t *body;
    size_t body_len;
    const uint8_t *index; /* K u64 */
    uint32_t nblocks;
    uint64_t nterms;
} ls_termdict;

/** @return LS_OK or LS_ECORRUPT. */
int ls_termdict_open(ls_termdict *d, const uint8_t *body, size_t body_len);

/** Iterator state over entries in key order. */
typedef struct ls_termdict_iter {
    const ls_termdict *d;
    uint32_t block;
    uint32_t in_block;
    const uint8_t *pos, *end;
    uint8_t key[LS_MAX_KEY_BYTES];
    size_t key_len;
    ls_term_meta meta;
} ls_termdict_iter;

/**
 * Positions it at the first key >= key. @return 1 when positioned on an entry, 0 at the end,
 * LS_ECORRUPT on bad bytes.
 */
int ls_termdict_seek(const ls_termdict *d, const uint8_t *key, size_t len, ls_termdict_iter *it);
/** Moves to the next entry. @return 1, 0 at the end, or LS_ECORRUPT. */
int ls_termdict_next(ls_termdict_iter *it);
/** Exact lookup. @return 1 found (meta filled), 0 absent, LS_ECORRUPT. */
int ls_termdict_find(const ls_termdict *d, const uint8_t *key, size_t len, ls_term_meta *meta);

#endif
