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

/** A read-only mapping of a whole file (size 0 maps nothing and data is NULL). */
typedef struct ls_map {
    const uint8_t *data;
    size_t size;
} ls_map;

int ls_map_file(const char *path, ls_map *out, ls_error *err);
void ls_map_close(ls_map *m);

/** Buffered, crc-tracking sequential writer to a newly created file. */
typedef struct ls_fwriter {
    int fd;
    char *path;
    uint8_t *buf;
    size_t len;
    uint64_t offset; /* bytes written so far (buffered included) */
    uint32_t crc;    /* crc32 of every byte written so far */
} ls_fwriter;

/** Creates (truncating) path. */
int ls_fwriter_open(ls_fwriter *w, const char *path, ls_error *err);
int ls_fwriter_write(ls_fwriter *w, const void *p, size_t n, ls_error *err);
int ls_fwriter_put_u32(ls_fwriter *w, uint32_t v, ls_error *err);
int ls_fwriter_put_u64(ls_fwriter *w, uint64_t v, ls_error *err);
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

/** Joins dir and name into a new string (NULL on ENOMEM). */
char *ls_path_join(const char *dir, const char *name);

#endif
