/* SPDX-License-Identifier: MIT */
/*
 * segment.h - one open segment: its mapped files (filenames.h), frame-checked at open, and the
 * decoded structure headers (dictionary, stored-field index, id dictionary). Nothing here
 * reads postings at open. It lives in format/ so that the reader, the writer, the merger and
 * the checker all read segments the same way without depending on each other.
 *
 * Open segments are shared: a process-wide registry keyed by (index directory, segment id)
 * hands every reader and writer of the process the same mapped segment, counted, so that
 * reopening a reader maps only new segments, and so that a writer removes a segment's files
 * only when nothing in this process uses them (ls_segment_remove_unused). Other processes keep
 * reading segments whose files were removed: a mapping stays valid after unlink.
 */
#ifndef LS_FORMAT_SEGMENT_H
#define LS_FORMAT_SEGMENT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/ids.h"
#include "format/pages.h"
#include "format/postings.h"
#include "format/stored.h"
#include "format/termdict.h"

typedef struct ls_segment {
    uint32_t id;
    uint32_t ndocs; /* documents in the files, deleted ones included */
    uint64_t tag;   /* in every file's footer (format/fileheader.h) */
    union {         /* by ls_segfile, or by name */
        ls_ifile files[LS_SEGFILE_COUNT];
        struct {
            ls_ifile tid, doc, pos, len, fdt, ids;
        };
    };
    ls_pages doc_pages, pos_pages; /* the postings and positions files' data */
    ls_termdict dict;
    ls_stored stored;
    ls_ids iddict;
    atomic_int len_state; /* the lengths file's checksum: 0 not verified, 1 ok, -1 damaged */
    /* registry (segment.c) */
    dev_t dev;
    ino_t ino;     /* of the index directory */
    long refs;
    struct ls_segment *next;
} ls_segment;

/**
 * Returns the open segment `id` (of ndocs documents, whose files carry `tag`) of the index in
 * dir, opening it when no one in the process has it open yet. Release it with
 * ls_segment_release. A file whose tag differs belongs to another segment or index (copied or
 * renamed in): LS_ECORRUPT.
 * @return LS_OK, LS_ENOTFOUND (a file is missing, naming it: the commit may have been
 *         superseded and its files removed), LS_ECORRUPT (damaged, naming it), LS_EFORMAT,
 *         LS_EIO, LS_ENOMEM.
 */
int ls_segment_acquire(const char *dir, uint32_t id, uint32_t ndocs, uint64_t tag,
                       ls_segment **out, ls_error *err);
/** Gives back a segment from ls_segment_acquire (NULL accepted). */
void ls_segment_release(ls_segment *s);
/** Removes segment id's files from dir unless a reader or writer of this process has it
 *  open. @return 1 when removed (or already gone), 0 when in use. */
int ls_segment_remove_unused(const char *dir, uint32_t id);

/** Verifies every file's checksum. */
int ls_segment_check(const ls_segment *s, ls_error *err);
/** Verifies the lengths file once (it is read for every scored posting, so it is checked
 *  whole, when first used). @return LS_OK or LS_ECORRUPT naming the file. */
int ls_segment_lens_ok(const ls_segment *s, ls_error *err);

/** Looks up key (key byte + term). @return 1 found, 0 absent, LS_ECORRUPT (err filled). */
int ls_segment_lookup(const ls_segment *s, const uint8_t *key, size_t len, ls_term_meta *meta,
                      ls_error *err);
/** Builds a postings view for meta. @return LS_OK or LS_ECORRUPT naming the file. */
int ls_segment_view(const ls_segment *s, const ls_term_meta *meta, ls_postings_view *v,
                    ls_error *err);

#endif
