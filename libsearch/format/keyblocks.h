/* SPDX-License-Identifier: MIT */
/*
 * keyblocks.h - sorted byte-string keys with a payload each, front-coded in checked blocks
 * (FORMAT.md "KeyBlocks"). Three structures are built on it: the term dictionary (payload:
 * the term's statistics and offsets), the id dictionary (document number and stamp) and the
 * document-frequency corrections of a deletions file (a count).
 *
 *   KeyBlocks   --> Block^K, BlockIndex, BlockPrefix^K, Trailer
 *   Block       --> Entry^E, Restart u32^((E - 1) div LS_KEYBLOCK_RUN)
 *   Entry       --> VByte(Shared), VByte(SuffixLen), Suffix, Payload
 *   BlockIndex  --> (BlockOffset u64, BlockCheck u32)^K
 *   BlockPrefix --> u8^8: the block's first key's first 8 bytes, zero-padded
 *   Trailer     --> IndexOffset u64, Count u64, K u32, IndexCheck u32
 *
 * Keys ascend strictly (bytewise). A block holds E = LS_KEYBLOCK_ENTRIES entries (the last
 * block the rest, E = Count - (K - 1) * LS_KEYBLOCK_ENTRIES); its entries form runs of
 * LS_KEYBLOCK_RUN, and the first entry of a run has Shared = 0, so a run decodes alone.
 * Restart j is the offset, from the block's first byte, of run j + 1's first entry: a lookup
 * bisects the blocks by their prefixes (reading a first key only where a prefix ties), then
 * the runs of its block by their first keys, then scans one run.
 * BlockCheck is the block check (codec/blockcheck.h) of the block's bytes; IndexCheck covers
 * the block index, the prefixes and the 20 trailer bytes before it. Payloads are written and
 * read by the layer above, which may delta-code them against the previous entry of the same
 * run (it is told when an entry starts a run). Readers verify the index when first used and
 * every block before they decode it.
 */
#ifndef LS_FORMAT_KEYBLOCKS_H
#define LS_FORMAT_KEYBLOCKS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/fileio.h"

#define LS_KEYBLOCK_ENTRIES 32
#define LS_KEYBLOCK_RUN 8 /* entries from one restart to the next */
#define LS_KEYBLOCK_MAX_KEY 4097 /* longest key: an id (LS_MAX_ID_BYTES) plus one byte */
#define LS_KEYBLOCK_TRAILER 24u

typedef struct ls_keyblock_writer {
    ls_fwriter *w;
    uint64_t body_start; /* w->offset where the structure begins */
    ls_buf block;        /* the block being filled */
    ls_buf index;        /* (offset u64, check u32) per finished block */
    ls_buf prefixes;     /* BlockPrefix per finished block */
    uint8_t first[8];    /* the prefix of the block being filled */
    uint8_t *prev;       /* the previous key (LS_KEYBLOCK_MAX_KEY bytes) */
    size_t prev_len;
    uint32_t in_block;
    uint32_t restart[LS_KEYBLOCK_ENTRIES / LS_KEYBLOCK_RUN]; /* of the block being filled */
    uint32_t nrestarts;
    uint64_t count;
} ls_keyblock_writer;

/** Starts a structure at w's current offset. @return LS_OK or LS_ENOMEM. */
int ls_keyblock_writer_init(ls_keyblock_writer *kw, ls_fwriter *w);
/** @return nonzero when the next ls_keyblock_add starts a run (its payload must not be
 *  delta-coded against the previous entry). */
int ls_keyblock_starts_run(const ls_keyblock_writer *kw);
/** Adds a key (strictly greater than the previous one) with its payload bytes.
 *  @return LS_OK, LS_ELIMIT (key empty or too long), LS_EINVAL (not ascending), LS_ENOMEM,
 *  LS_EIO. */
int ls_keyblock_add(ls_keyblock_writer *kw, const uint8_t *key, size_t len,
                    const uint8_t *payload, size_t plen, ls_error *err);
/** Writes the last block, the index and the trailer; frees the writer's buffers. */
int ls_keyblock_finish(ls_keyblock_writer *kw, ls_error *err);
void ls_keyblock_writer_free(ls_keyblock_writer *kw);

/* ---- reading ---- */

/** Slots of the verified-block cache of one structure. */
#define LS_KEYBLOCKS_VERIFIED 128

typedef struct ls_keyblocks {
    const uint8_t *blocks; /* first block */
    size_t blocks_len;     /* bytes of all blocks */
    const uint8_t *index;  /* K entries of 12 bytes */
    const uint8_t *prefixes; /* K BlockPrefix entries of 8 bytes */
    uint32_t nblocks;
    uint64_t count;
    atomic_int index_state; /* 0 not verified yet, 1 verified, -1 damaged */
    /* Blocks already verified (block number + 1 by block number mod the size; 0 empty): a
     * cache shared by the readers of the mapped, immutable bytes, so hot blocks are checked
     * once, not at every lookup. */
    atomic_uint verified[LS_KEYBLOCKS_VERIFIED];
} ls_keyblocks;

/** Reads the trailer of a structure occupying body[0..len). @return LS_OK or LS_ECORRUPT. */
int ls_keyblocks_open(ls_keyblocks *kb, const uint8_t *body, size_t len);

/** Decodes an entry's payload at *p (< end), moving *p past it; `first` tells whether the
 *  entry starts its run. @return LS_OK or LS_ECORRUPT. */
typedef int (*ls_payload_fn)(void *state, const uint8_t **p, const uint8_t *end, int first);

typedef struct ls_keyblocks_iter {
    const ls_keyblocks *kb;
    ls_payload_fn payload;
    ls_payload_fn skip; /* NULL, or what a seek runs on the payloads of keys it passes over:
                           it must leave the state as payload would for the next entry */
    void *state;
    uint32_t block, in_block;
    uint32_t entries;         /* of the block */
    const uint8_t *pos, *end; /* the next entry, the end of the block's entries */
    const uint8_t *start;     /* the block's first byte */
    size_t key_len;
    uint8_t key[LS_KEYBLOCK_MAX_KEY];
} ls_keyblocks_iter;

/** Prepares an iterator whose payloads go through fn(state, ...). */
void ls_keyblocks_iter_init(ls_keyblocks_iter *it, const ls_keyblocks *kb, ls_payload_fn fn,
                            void *state);
/** Sets the payload function a seek runs on the entries it passes over (cheaper than the
 *  full decode when a payload's fields are deltas: only those need reading). */
void ls_keyblocks_iter_skip(ls_keyblocks_iter *it, ls_payload_fn skip);
/** Positions it on the first key >= key. @return 1 on an entry, 0 at the end, LS_ECORRUPT. */
int ls_keyblocks_seek(ls_keyblocks_iter *it, const uint8_t *key, size_t len);
/** Moves to the next entry. @return 1, 0 at the end, LS_ECORRUPT. */
int ls_keyblocks_next(ls_keyblocks_iter *it);
/** Exact lookup (the iterator is left on the entry). @return 1 found, 0 absent, LS_ECORRUPT. */
int ls_keyblocks_find(ls_keyblocks_iter *it, const uint8_t *key, size_t len);

/** Among iterators its[0..n) that stand on an entry (on[k] == 1), the one with the smallest
 *  key, for k-way merges of sorted structures. @return its index, or -1 when none does. */
int ls_keyblocks_least(const ls_keyblocks_iter *const *its, const int *on, size_t n);

/** Bytewise comparison of two keys (shorter first on a common prefix). */
int ls_key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);

#endif
