/* SPDX-License-Identifier: MIT */
/*
 * ids.h - the id dictionary of a segment (FORMAT.md "IdDictionary"), file seg-<id>.ids:
 * the external id of every document that was live when the segment was written, sorted, with
 * its document number and its stamp (caller-defined bytes, e.g. a file's size, time and
 * content hash). A KeyBlocks structure (keyblocks.h) whose payload per id is
 *   IdInfo --> VByte(Doc), VByte(StampLen), Stamp
 * so that replacing or deleting a document by id costs one lookup per segment, not a scan of
 * stored fields.
 */
#ifndef LS_FORMAT_IDS_H
#define LS_FORMAT_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "format/keyblocks.h"

typedef struct ls_ids_writer {
    ls_keyblock_writer kw;
    ls_buf scratch;
} ls_ids_writer;

/** @return LS_OK or LS_ENOMEM. */
int ls_ids_writer_init(ls_ids_writer *iw, ls_fwriter *w);
/** Adds an id (strictly greater than the previous one). */
int ls_ids_add(ls_ids_writer *iw, const uint8_t *id, size_t len, uint32_t doc,
               const uint8_t *stamp, size_t stamp_len, ls_error *err);
/** Writes the last block, the index and the trailer; frees buffers. */
int ls_ids_finish(ls_ids_writer *iw, ls_error *err);
void ls_ids_writer_free(ls_ids_writer *iw);

typedef struct ls_ids {
    ls_keyblocks kb;
} ls_ids;

/** @return LS_OK or LS_ECORRUPT. */
int ls_ids_open(ls_ids *ids, const uint8_t *body, size_t len);

/** The entry an iterator stands on: the id is it.kb.key[0..it.kb.key_len). */
typedef struct ls_ids_iter {
    ls_keyblocks_iter kb;
    uint32_t doc;
    const uint8_t *stamp; /* borrowed from the mapped file */
    size_t stamp_len;
} ls_ids_iter;

/** Positions it on the first id >= id. @return 1, 0 at the end, or LS_ECORRUPT. */
int ls_ids_seek(const ls_ids *ids, const uint8_t *id, size_t len, ls_ids_iter *it);
/** @return 1, 0 at the end, or LS_ECORRUPT. */
int ls_ids_next(ls_ids_iter *it);
/** @return 1 found (it on the entry), 0 absent, LS_ECORRUPT. */
int ls_ids_find(const ls_ids *ids, const uint8_t *id, size_t len, ls_ids_iter *it);

#endif
