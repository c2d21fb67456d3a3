/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - the inside of the public ls_reader: an immutable set of open segments of one
 * commit, with the collection statistics that BM25 needs summed over all of them
 * (DESIGN.md §5: statistics are global).
 */
#ifndef LS_READER_SNAPSHOT_H
#define LS_READER_SNAPSHOT_H

#include "format/manifest.h"
#include "format/segment.h"

struct ls_reader {
    char *dir;
    ls_manifest m;
    ls_segment *segs;
    uint32_t nsegs;
    uint64_t ndocs;
    uint64_t tokens_all, tokens_title;
};

/** The segment holding global document doc (doc < r->ndocs, r->nsegs > 0). */
const ls_segment *ls_reader_segment_of(const ls_reader *r, uint64_t doc);

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

#endif
