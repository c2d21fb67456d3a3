/* SPDX-License-Identifier: MIT */
/*
 * writer_int.h - the inside of the public ls_writer, shared by writer.c (open, add, delete,
 * the segment being built) and commit.c (commit, deletions files, merges, removing files no
 * commit needs). Internal to index/.
 */
#ifndef LS_INDEX_WRITER_INT_H
#define LS_INDEX_WRITER_INT_H

#include <pthread.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "format/deletes.h"
#include "format/manifest.h"
#include "format/segment.h"
#include "format/stored.h"
#include "index/inverter.h"
#include "libsearch.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/hashmap.h"

/** A segment the writer knows: committed, or written since the last commit ("pending"). */
typedef struct ls_wseg {
    ls_seg_info info; /* its record as of the last commit (pending: as written) */
    ls_segment *seg;  /* acquired from the registry */
    ls_deletes del;   /* the committed deletions file (open when info.del_gen > 0) */
    uint8_t *bitmap;  /* every deletion, committed and fresh; NULL while there is none */
    uint32_t *fresh;  /* documents deleted since the last commit, in the order deleted */
    size_t n_fresh, fresh_cap;
    int pending;
    uint64_t first_seq; /* pending: the add sequence number of its first document (index
                           threads write segments out of order; a commit sorts them by it) */
} ls_wseg;

/** The segment being built in RAM. */
typedef struct ls_ramseg {
    int open;
    uint32_t id;
    uint64_t tag; /* the segment's file tag */
    ls_inverter inv;
    ls_fwriter fdt;
    ls_stored_writer sw;
    ls_strtab ids;       /* external id -> entry */
    uint32_t *id_doc;    /* by entry: its live document, or UINT32_MAX once deleted */
    uint64_t *id_stamp;  /* by entry: offset << 8 | length of its stamp in stamps */
    size_t id_cap;
    ls_buf stamps;
    uint32_t *deleted;   /* documents deleted while in RAM */
    size_t n_deleted, deleted_cap;
    uint64_t *seq;       /* index threads: by document, its add sequence number */
    size_t seq_cap;
} ls_ramseg;

struct ls_pool;

struct ls_writer {
    char *dir;
    int lock_fd;
    ls_manifest m;        /* the last commit */
    ls_analyzer *an;
    size_t ram_budget;
    unsigned merge_factor;
    int auto_merge;
    int keep_files;       /* a damaged manifest is present: remove no segment files */
    ls_wseg *segs;        /* the last commit's segments in order, then pending ones */
    uint32_t nsegs;
    size_t segs_cap;
    ls_ramseg ram;        /* one thread: the segment the caller's thread builds */
    struct ls_pool *pool; /* index threads (index/pool.h), or NULL */
    unsigned threads;     /* ls_writer_options.threads: merges use two threads from 2 on */
    pthread_mutex_t seg_lock; /* guards next_seg, which index threads draw from */
    uint32_t next_seg;
    uint64_t next_gen;
    uint64_t doc_space;   /* documents in segment files and RAM, deleted ones included */
    int failed;
};

/* writer.c */
/** Writes the RAM segment's files and appends it to w->segs as pending (index threads: every
 *  thread's, after the documents given so far: ls_pool_sync). */
int ls_writer_flush(ls_writer *w, ls_error *err);
/** Appends a segment to w->segs (taking it over). @return LS_OK or LS_ENOMEM. */
int ls_writer_push_seg(ls_writer *w, ls_wseg *s);
/** Deletes the live document with this id, wherever it is; *found: 0 or 1. */
int ls_writer_delete_id(ls_writer *w, const char *id, size_t len, int *found, ls_error *err);

/* A segment being built: by the caller's thread (w->ram) or by an index thread (its own). */
/** Starts r as a new segment (its number drawn under seg_lock, its stored-fields file made). */
int ls_ramseg_start(ls_writer *w, ls_ramseg *r, ls_error *err);
/** Inverts, stores and registers one document (fields f/l: id, title, body, path). */
int ls_ramseg_add(ls_ramseg *r, ls_analyzer *an, const char *const f[4], const size_t l[4],
                  const void *stamp, size_t stamp_len, ls_error *err);
/** @return nonzero when r is due to be written (its memory reached budget, or it is full). */
int ls_ramseg_full(const ls_ramseg *r, size_t budget);
/** Writes r's segment files into *s (pending, acquired) and frees r. On failure r stays open
 *  for ls_ramseg_drop. */
int ls_ramseg_write(ls_writer *w, ls_ramseg *r, ls_wseg *s, ls_error *err);
/** Abandons r and removes its files (the writer's doc_space is the caller's to correct). */
void ls_ramseg_drop(ls_writer *w, ls_ramseg *r);
/** Marks local document doc of w->segs[i] deleted (fresh). @return LS_OK or LS_ENOMEM. */
int ls_wseg_delete(ls_wseg *s, uint32_t doc);
/** Releases a segment never committed and removes its files (unless a reader uses them). */
void ls_wseg_abandon(const char *dir, ls_wseg *s);
/** Releases a segment's resources (not its files). */
void ls_wseg_free(ls_wseg *s);

/* commit.c */
/** Removes files no manifest and no segment of w needs, unless in use in this process. */
void ls_writer_cleanup(ls_writer *w, int at_open);

#endif
