/* SPDX-License-Identifier: MIT */
/*
 * segment.h - one open segment: its mapped files (filenames.h), frame-checked at open, and the
 * decoded structure headers (dictionary, stored-field index). Nothing here reads postings at
 * open. It lives in format/ so that the reader, the merger and the checker all read segments
 * the same way without depending on each other.
 */
#ifndef LS_FORMAT_SEGMENT_H
#define LS_FORMAT_SEGMENT_H

#include <stdint.h>

#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/manifest.h"
#include "format/postings.h"
#include "format/stored.h"
#include "format/termdict.h"

typedef struct ls_segment {
    ls_seg_info info;
    uint64_t base; /* global number of the segment's first document */
    union {        /* by ls_segfile, or by name */
        ls_ifile files[LS_SEGFILE_COUNT];
        struct {
            ls_ifile tid, doc, pos, len, fdt;
        };
    };
    ls_termdict dict;
    ls_stored stored;
} ls_segment;

int ls_segment_open(ls_segment *s, const char *dir, const ls_seg_info *info, ls_error *err);
void ls_segment_close(ls_segment *s);
/** Verifies every file's checksum. */
int ls_segment_check(const ls_segment *s, ls_error *err);

/** Looks up key (field byte + term). @return 1 found, 0 absent, LS_ECORRUPT. */
int ls_segment_lookup(const ls_segment *s, const uint8_t *key, size_t len, ls_term_meta *meta,
                      ls_error *err);
/** Builds a postings view for meta. @return LS_OK or LS_ECORRUPT naming the file. */
int ls_segment_view(const ls_segment *s, const ls_term_meta *meta, ls_postings_view *v,
                    ls_error *err);

#endif
