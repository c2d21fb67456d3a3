/* SPDX-License-Identifier: MIT */
/*
 * deleter.h - writes a segment's deletions as of a commit (format/deletes.h): the bitmap, and
 * the document-frequency corrections, which are the committed corrections plus, for every
 * newly deleted document, one per distinct key it indexes. Those keys come from analyzing the
 * document's stored title and body again with the index's analyzer (ls_doc_keys, the same
 * definition the inverter uses), so the cost is that of the deleted documents, not of the
 * segment.
 */
#ifndef LS_INDEX_DELETER_H
#define LS_INDEX_DELETER_H

#include <stdint.h>

#include "analysis/analyzer.h"
#include "format/deletes.h"
#include "format/manifest.h"
#include "format/segment.h"

/**
 * Writes seg-<id>_<gen>.del for segment s.
 * @param old the committed deletions (NULL when the segment has none yet).
 * @param bitmap every deletion, committed and fresh (ls_bitmap_bytes(s->ndocs) bytes).
 * @param fresh the documents deleted since the last commit, ascending, n_fresh of them.
 * @param info in: the segment's committed record; out: its record as of gen (deletion count
 *        and generation, live token counts).
 * @return LS_OK, LS_EIO, LS_ECORRUPT (a damaged stored document), LS_ENOMEM. On failure the
 *         file is removed and info is unchanged.
 */
int ls_deleter_write(const char *dir, const ls_segment *s, const ls_deletes *old,
                     const uint8_t *bitmap, const uint32_t *fresh, uint32_t n_fresh,
                     ls_analyzer *an, uint64_t gen, ls_seg_info *info, ls_error *err);

#endif
