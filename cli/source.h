/* SPDX-License-Identifier: MIT */
/*
 * source.h - where documents come from: text files, directory trees (walked in sorted order,
 * hidden entries skipped) and JSON lines. Used by `cisearch index` and by the seeds cache.
 */
#ifndef CISEARCH_SOURCE_H
#define CISEARCH_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"
#include "progress.h"
#include "warnings.h"

typedef struct cli_source {
    ls_writer *w;
    cli_progress *progress; /* counters always kept; drawn only on a terminal */
    uint64_t skipped;       /* inputs skipped with a warning */
    int quiet;              /* nonzero: no warnings (the seeds cache) */
    cli_warnings *warnings; /* where warnings are counted and told (NULL: cli_warn each) */
    int strict;             /* nonzero: a malformed line or refused document stops the run */
    uint64_t bad_lines;     /* JSON lines skipped as malformed */
    /* How ids are made and what the index held before (directory sync). With sync, file ids
     * are absolute paths (the root's real path, then the path below it), files whose stamp
     * (filestamp.h) is unchanged are not added again, and documents of files no longer under
     * a directory given are deleted. Without (the seeds cache), ids are the paths below the
     * directory walked and every file is added. */
    int sync;
    const ls_reader *old;   /* the index's last commit (NULL: a new index) */
    uint64_t added, updated, unchanged, deleted;
    const struct cli_walk_opts *walk; /* how directories are walked (NULL: the defaults) */
    uint64_t max_size;      /* files larger are skipped (0: no limit) */
    uint64_t excluded;      /* entries left out by an exclude pattern */
    /* JSON lines only: a document goes to this writer only when `keep` says so (the shard
     * its id hashes to, cisearch-mpi); NULL keeps every one. */
    int (*keep)(const char *id, size_t len, void *payload);
    void *keep_payload;
    uint64_t passed; /* documents left to other writers by `keep` */
} cli_source;

/** How a directory is walked. */
typedef struct cli_walk_opts {
    int follow; /* follow symbolic links to files and directories (a link back into the
                   directories being walked is skipped as a loop); else every link is skipped */
    const char *const *exclude; /* fnmatch(3) patterns: an entry whose name, or whose path
                                   below the root, matches one is left out (a directory with
                                   all it holds) */
    size_t n_exclude;
    uint64_t *excluded; /* counts what the patterns left out (may be NULL) */
} cli_walk_opts;

/** Called for every regular file under a directory: `path` as it can be opened, `rel` the path
 *  relative to the walked directory. Returns 0 to go on, -1 to stop the walk. */
typedef int (*cli_walk_fn)(const char *path, const char *rel, void *payload);

/** Told about an entry the walk skips (`why` says why); same payload as the walk_fn. */
typedef void (*cli_skip_fn)(const char *path, const char *why, void *payload);

/**
 * Walks the directory `root` recursively in bytewise name order, skipping entries whose name
 * starts with '.' and those an exclude pattern matches silently, and symbolic links (unless
 * o->follow), link loops, special files and unreadable entries through `skip` (NULL:
 * silently). o may be NULL (the defaults).
 * @return 0, or -1 when `fn` stopped the walk or `root` cannot be read (error printed).
 */
int cli_walk(const char *root, const cli_walk_opts *o, cli_walk_fn fn, cli_skip_fn skip,
             void *payload);

/** Reads a whole file into a malloc'd buffer (NUL-terminated). @return 0 or an errno value. */
int cli_read_file(const char *path, char **buf_out, size_t *len_out);

/** Adds a text file or every text file under a directory (ids: see cli_source.sync).
 *  Unreadable and binary files are skipped with a warning.
 *  @return 0, or -1 after printing an error that makes the index unusable. */
int cli_source_add_path(cli_source *s, const char *path);

/** Adds one document per line of `file` ("-" = stdin), each {"id", "title", "body", "path"}.
 *  A malformed line is told (file:line: why), counted in bad_lines and skipped, unless
 *  strict. @return 0, or -1 after printing an error (strict: naming the line). */
int cli_source_add_jsonl(cli_source *s, const char *file);

#endif
