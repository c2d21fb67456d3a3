/* SPDX-License-Identifier: MIT */
/*
 * fileio.h - the library's contact with the file system: read-only maps, a buffered writer
 * that tracks the crc32 of what it wrote, fsync of files and directories, the writer lock,
 * atomic replace by rename. Every failure names the file.
 */
#ifndef LS_UTIL_FILEIO_H
#define LS_UTIL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"
#include "util/buf.h"

/** A read-only mapping of a whole file (size 0 maps nothing and data is NULL). */
typedef struct ls_map {
    const uint8_t *data;
    size_t size;
} ls_map;

/** Maps a whole file for random access (MADV_RANDOM: a page fault reads that page, not the
 *  megabytes of read-ahead a device may be set to, which would make a cold open and a
 *  query's first touches read far more than they use). */
int ls_map_file(const char *path, ls_map *out, ls_error *err);
/** Advises sequential reading of the whole mapping (a merge scans its inputs in order). */
void ls_map_sequential(const ls_map *m);
void ls_map_close(ls_map *m);

/** Buffered, crc-tracking sequential writer to a newly created file. It can also cut what it
 *  writes into pages and keep a check value per page (format/pages.h). */
typedef struct ls_fwriter {
    int fd;
    char *path;
    uint8_t *buf;
    size_t len;
    uint64_t offset; /* bytes written so far (buffered included) */
    uint32_t crc;    /* crc32 of every byte written so far */
    uint64_t tag;    /* the footer's Tag (format/fileheader.h); 0 unless set */
    /* pages (between ls_fwriter_begin_pages and ls_fwriter_end_pages) */
    int paged;
    uint64_t paged_from; /* offset where the paged data starts */
    uint8_t *page;       /* the page being filled */
    size_t page_fill;
    ls_buf checks;       /* u32 check per finished page */
} ls_fwriter;

/** Page size of paged data (FORMAT.md "PagedData"). */
#define LS_PAGE_SIZE 4096u

/** Creates (truncating) path. */
int ls_fwriter_open(ls_fwriter *w, const char *path, ls_error *err);
int ls_fwriter_write(ls_fwriter *w, const void *p, size_t n, ls_error *err);
int ls_fwriter_put_u32(ls_fwriter *w, uint32_t v, ls_error *err);
int ls_fwriter_put_u64(ls_fwriter *w, uint64_t v, ls_error *err);
/** Starts paged data at the current offset. @return LS_OK or LS_ENOMEM. */
int ls_fwriter_begin_pages(ls_fwriter *w, ls_error *err);
/** Ends paged data: writes the check of every page, then the data length
 *  (PageCheck u32^P, DataLength u64). */
int ls_fwriter_end_pages(ls_fwriter *w, ls_error *err);
/** Flushes, fsyncs and closes. The struct is released either way. */
int ls_fwriter_finish(ls_fwriter *w, ls_error *err);
/** Closes and removes the file (error paths). Accepts a never-opened (zeroed) writer. */
void ls_fwriter_abort(ls_fwriter *w);

/** fsync of a directory, so renames and creations in it are durable. */
int ls_fsync_dir(const char *dir, ls_error *err);
/** Writes data to dir/name through dir/name.tmp: write, fsync, rename, fsync dir. */
int ls_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                    ls_error *err);
/** mkdir -p of one level (the parent must exist); ok when it exists already. */
int ls_mkdir(const char *dir, ls_error *err);

/** Takes the exclusive writer lock dir/LOCK (flock, non-blocking). *fd_out holds it. */
int ls_lock_dir(const char *dir, int *fd_out, ls_error *err);
void ls_unlock_dir(int fd);

/** A fresh random 64-bit tag (getrandom, else time, pid and a counter mixed); never 0. */
uint64_t ls_new_tag(void);

/** Test hook: after n more successful write, fsync and rename calls, every such call fails
 *  with errno_value (e.g. ENOSPC, EIO); n = -1 turns it off. Process-wide and not thread-safe:
 *  for single-threaded tests only. */
void ls_fileio_fail_after(long n, int errno_value);
/** ls_fileio_fail_after, but only that one call fails (atomic: index threads may make it). */
void ls_fileio_fail_once(long n, int errno_value);

/** Joins dir and name into a new string (NULL on ENOMEM). */
char *ls_path_join(const char *dir, const char *name);

#endif
