/* SPDX-License-Identifier: MIT */
/*
 * termdict.h - the sorted term dictionary of a segment (FORMAT.md "TermDictionary"): a
 * KeyBlocks structure (keyblocks.h) whose payload per key is
 *   TermInfo --> VByte(df), VByte64(cf - df), VByte64(DocOff), VByte64(DocBytes),
 *                VByte64(PosOff), VByte64(PosBytes), VByte(MaxTf), VByte(MinLen)
 * with DocOff and PosOff absolute for a block's first entry and deltas from the previous
 * entry after it. Keys are a key byte (format/fields.h) followed by the analyzed term.
 */
#ifndef LS_FORMAT_TERMDICT_H
#define LS_FORMAT_TERMDICT_H

#include <stddef.h>
#include <stdint.h>

#include "format/keyblocks.h"
#include "format/postings.h"

#define LS_MAX_KEY_BYTES 256 /* a key byte and a term of at most LS_MAX_TERM_BYTES */

typedef struct ls_termdict_writer {
    ls_keyblock_writer kw;
    ls_term_meta prev;
} ls_termdict_writer;

/** @return LS_OK or LS_ENOMEM. */
int ls_termdict_writer_init(ls_termdict_writer *tw, ls_fwriter *w);
/** Adds a key (strictly greater than the previous one). */
int ls_termdict_add(ls_termdict_writer *tw, const uint8_t *key, size_t len,
                    const ls_term_meta *meta, ls_error *err);
/** Writes the last block, the block index and the trailer (not the footer). Frees buffers. */
int ls_termdict_finish(ls_termdict_writer *tw, ls_error *err);
void ls_termdict_writer_free(ls_termdict_writer *tw);

/** Reader over a mapped dictionary body. */
typedef struct ls_termdict {
    ls_keyblocks kb;
} ls_termdict;

/** @return LS_OK or LS_ECORRUPT. */
int ls_termdict_open(ls_termdict *d, const uint8_t *body, size_t body_len);
/** @return the number of keys. */
static inline uint64_t ls_termdict_count(const ls_termdict *d) { return d->kb.count; }

/** Iterator state over entries in key order: it.kb.key / it.kb.key_len and it.meta. */
typedef struct ls_termdict_iter {
    ls_keyblocks_iter kb;
    ls_term_meta meta;
} ls_termdict_iter;

/** Positions it at the first key >= key. @return 1 on an entry, 0 at the end, LS_ECORRUPT. */
int ls_termdict_seek(const ls_termdict *d, const uint8_t *key, size_t len, ls_termdict_iter *it);
/** Moves to the next entry. @return 1, 0 at the end, or LS_ECORRUPT. */
int ls_termdict_next(ls_termdict_iter *it);
/** Exact lookup. @return 1 found (meta filled), 0 absent, LS_ECORRUPT. */
int ls_termdict_find(const ls_termdict *d, const uint8_t *key, size_t len, ls_term_meta *meta);

#endif
