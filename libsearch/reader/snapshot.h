/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - the inside of the public ls_reader: an immutable view of one commit, its
 * segments (shared with other readers of the process, format/segment.h) with this commit's
 * deletions, and the collection statistics that BM25 needs summed over the live documents
 * (DESIGN.md §5: statistics are global; reader/stats.h answers them).
 */
#ifndef LS_READER_SNAPSHOT_H
#define LS_READER_SNAPSHOT_H

#include "format/deletes.h"
#include "format/manifest.h"
#include "format/segment.h"

/** One segment as this commit sees it. */
typedef struct ls_snapseg {
    ls_segment *seg;  /* shared and counted */
    ls_seg_info info; /* this commit's record: deletions, live token counts */
    uint64_t base;    /* global number of the segment's first document */
    ls_deletes del;   /* open when info.del_gen > 0 (del.bitmap NULL otherwise) */
    uint32_t part;    /* the index it belongs to, among a reader over several (else 0) */
} ls_snapseg;

struct ls_reader {
    char *dir;
    ls_manifest m;
    uint64_t skipped_gen; /* a damaged newer commit skipped by a recovering open; 0: none */
    ls_snapseg *segs;
    uint32_t nsegs;
    uint64_t ndocs;     /* live documents */
    uint64_t doc_space; /* global document numbers in use, deleted documents included */
    uint64_t tokens_all, tokens_title; /* of the live documents */
    struct ls_anpool *analyzers;       /* idle analyzers of its searches (reader/anpool.h) */
    /* A reader over several indexes (reader/multi.c): one reader per index, owned; segs then
     * lists theirs in order (borrowed: the parts release them), m holds the common language
     * and the summed manifest bytes, dir is the first index's. NULL for one index. */
    struct ls_reader **parts;
    uint32_t n_parts;
};

/** The index of the segment holding global document doc (doc < r->doc_space). */
uint32_t ls_reader_segment_of(const ls_reader *r, uint64_t doc);
/** @return nonzero when local document doc of segment i is deleted in this snapshot. */
static inline int ls_reader_deleted(const ls_reader *r, uint32_t i, uint32_t doc)
{
    const uint8_t *bm = r->segs[i].del.bitmap;
    return bm != NULL && ls_bitmap_get(bm, doc);
}

/** @return nonzero when global document doc is in r and not deleted. */
static inline int ls_reader_live(const ls_reader *r, uint64_t doc)
{
    if (doc >= r->doc_space)
        return 0;
    uint32_t si = ls_reader_segment_of(r, doc);
    return !ls_reader_deleted(r, si, (uint32_t)(doc - r->segs[si].base));
}

/** Reads stored fields across the snapshot, keeping the last inflated chunk between calls
 *  (one per thread; fetch in document order to inflate each chunk once). */
typedef struct ls_doc_fetcher {
    ls_stored_cache cache;
    const ls_segment *seg; /* segment of the last fetched document (whose chunk is cached) */
} ls_doc_fetcher;
#define LS_DOC_FETCHER_INIT {LS_STORED_CACHE_INIT, NULL}
void ls_doc_fetcher_free(ls_doc_fetcher *f);
/** Finds global document doc's fields (id, title, body, path), valid until the next call;
 *  f->seg is then its segment. @return LS_OK, LS_ECORRUPT or LS_ENOMEM (err filled). */
int ls_reader_fetch(const ls_reader *r, ls_doc_fetcher *f, uint64_t doc,
                    const char *fields[4], size_t lens[4], ls_error *err);
/** The same without the body (fields[2] is empty): the id, title and path come from the
 *  segment's uncompressed meta (format/stored.h), nothing is inflated. Pointers are into the
 *  mapped file, valid while the reader is. */
int ls_reader_fetch_meta(const ls_reader *r, uint64_t doc, const char *fields[4],
                         size_t lens[4], ls_error *err);

#endif
