/* SPDX-License-Identifier: MIT */
/*
 * segwriter.h - writing the immutable files of a segment (FORMAT.md "Segment"): a set of file
 * writers with their headers and footers (shared with the merger), and the files of a new
 * segment from an inverter: dictionary, postings, positions, lengths and id dictionary. The
 * stored-fields file is written by the writer as documents arrive. Every file is fsynced
 * before its segment is committed.
 */
#ifndef LS_INDEX_SEGWRITER_H
#define LS_INDEX_SEGWRITER_H

#include <stdint.h>

#include "format/filenames.h"
#include "format/manifest.h"
#include "format/termdict.h"
#include "index/inverter.h"
#include "util/fileio.h"

/** The files of a segment being written, by ls_segfile. */
typedef struct ls_seg_out {
    uint32_t id;
    uint64_t tag; /* in every file's footer */
    const char *dir;
    ls_fwriter f[LS_SEGFILE_COUNT];
    unsigned open; /* bit k: f[k] is open */
} ls_seg_out;

#define LS_SEGFILE_BIT(k) (1u << (k))

/** Creates the files of segment id (tagged `tag`) whose kinds are in `mask` and writes their
 *  headers. On failure nothing is left behind. */
int ls_seg_out_open(ls_seg_out *o, const char *dir, uint32_t id, uint64_t tag, unsigned mask,
                    ls_error *err);
/** Writes the footers and fsyncs every open file. On failure every file of the segment is
 *  removed. */
int ls_seg_out_finish(ls_seg_out *o, ls_error *err);
/** Abandons the segment: closes and removes its files. */
void ls_seg_out_abort(ls_seg_out *o);

/** One term's postings being gathered (from an inverter or from merged segments) before they
 *  are written: no allocation per posting, buffers reused from term to term. */
typedef struct ls_term_list {
    uint32_t *docs, *tfs, *lens; /* lens: the document's length in the key's field */
    uint64_t *pos_end;           /* end of each posting's positions in pos */
    size_t n, cap;
    ls_buf pos;
    ls_buf skip; /* postings writer scratch */
    int paired;  /* written into the key's TermInfo (format/pairs.h) */
} ls_term_list;

void ls_term_list_reset(ls_term_list *l);
/** Appends a posting (documents ascending). @return LS_OK or LS_ENOMEM. */
int ls_term_list_push(ls_term_list *l, uint32_t doc, uint32_t tf, uint32_t len,
                      const uint8_t *pos, size_t pos_len);
/** Writes the gathered postings (n > 0) to o's postings and positions files and their
 *  dictionary entry under key. */
int ls_term_list_write(ls_term_list *l, ls_seg_out *o, ls_termdict_writer *tw,
                       const uint8_t *key, size_t klen, ls_error *err);
void ls_term_list_free(ls_term_list *l);

/** Writes the word-pair lists of pairs (an ls_inverter_init_counts of index/pairer.h) in key
 *  order, without positions, after every other key of the segment; lens is the segment's
 *  lengths body (format/doclens.h), l scratch. */
int ls_pairs_write(const ls_inverter *pairs, const uint8_t *lens, ls_seg_out *o,
                   ls_termdict_writer *tw, ls_term_list *l, ls_error *err);

/** A document's entry in the id dictionary. */
typedef struct ls_id_entry {
    const uint8_t *id;
    size_t len;
    uint32_t doc;
    const uint8_t *stamp;
    size_t stamp_len;
} ls_id_entry;

/**
 * Writes the inverter's segment `id` into dir (every file but the stored fields), with the
 * id dictionary of ids[0..n_ids), sorted by id. On failure every file of the segment is
 * removed. info receives the segment's counts.
 */
int ls_segment_write(const char *dir, uint32_t id, uint64_t tag, const ls_inverter *inv,
                     const ls_id_entry *ids, size_t n_ids, ls_seg_info *info, ls_error *err);

#endif
