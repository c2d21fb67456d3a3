/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - the inside of the public ls_reader: an immutable set of open segments of one
 * commit, with the collection statistics that BM25 needs summed over all of them
 * (DESIGN.md §5: statistics are global).
 */
#ifndef LS_READER_SNAPSHOT_H
#define LS_READER_SNAPSHOT_H

#include "format/manifest.h"
#include "reader/segreader.h"

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

#endif
