/* SPDX-License-Identifier: MIT */
/*
 * filenames.h - the one home of the index directory's file names (FORMAT.md "Index
 * directory"): the writer lock, manifests, and the files of each segment with their magic
 * numbers. The writer, the merger, the reader and the checker all name and recognize files
 * through here, so a new file kind is added in one table.
 *
 *   LOCK                       the writer lock
 *   manifest-<gen>             a commit point (<gen>: 20 decimal digits)
 *   seg-<id>.<ext>             an immutable file of segment <id> (10 decimal digits)
 *   seg-<id>_<gen>.del         the deletions of segment <id> as of commit <gen>
 *   <name>.tmp                 a file being written (never read; removed by the next writer)
 */
#ifndef LS_FORMAT_FILENAMES_H
#define LS_FORMAT_FILENAMES_H

#include <stddef.h>
#include <stdint.h>

#define LS_LOCK_NAME "LOCK"

/* The files of a segment, in the order they are opened. */
typedef enum ls_segfile {
    LS_SEGFILE_TID, /* term dictionary */
    LS_SEGFILE_DOC, /* doc ids and frequencies with skip tables */
    LS_SEGFILE_POS, /* positions */
    LS_SEGFILE_LEN, /* document lengths */
    LS_SEGFILE_FDT, /* stored fields */
    LS_SEGFILE_IDS, /* id dictionary */
    LS_SEGFILE_COUNT
} ls_segfile;

typedef struct ls_segfile_kind {
    const char *ext;  /* file name extension */
    uint32_t magic;   /* the Magic of its header (format/fileheader.h) */
    const char *what; /* for messages: "term dictionary", ... */
    int paged;        /* its body is paged data (format/pages.h) */
} ls_segfile_kind;

/** The table of segment file kinds, indexed by ls_segfile. */
extern const ls_segfile_kind ls_segfile_kinds[LS_SEGFILE_COUNT];

/** Longest file name produced here, NUL included. */
#define LS_FILENAME_MAX 48

/** Writes the name of segment id's file of `kind` into buf (LS_FILENAME_MAX bytes). */
void ls_segfile_name(char *buf, uint32_t id, ls_segfile kind);
/** @return the malloc'd path dir/seg-<id>.<ext>, or NULL on ENOMEM. */
char *ls_segfile_path(const char *dir, uint32_t id, ls_segfile kind);
/** Writes the name of generation gen's manifest into buf (LS_FILENAME_MAX bytes). */
void ls_manifest_name(uint64_t gen, char *buf);
/** Writes the name of segment id's deletions as of commit gen into buf. */
void ls_delfile_name(char *buf, uint32_t id, uint64_t gen);

/** What a directory entry is, by its name alone. */
typedef enum ls_file_class {
    LS_FILE_OTHER,    /* not ours (left alone) */
    LS_FILE_LOCK,
    LS_FILE_MANIFEST, /* *gen set */
    LS_FILE_SEGMENT,  /* *id and *kind set */
    LS_FILE_DELETES,  /* *id and *gen set */
    LS_FILE_TEMP,     /* a .tmp file */
} ls_file_class;

/** Classifies a file name. `id`, `kind` and `gen` may be NULL. */
ls_file_class ls_file_classify(const char *name, uint32_t *id, ls_segfile *kind, uint64_t *gen);

/** Removes every file of segment id in dir (best effort; allocates nothing, so it serves
 *  clean-up after out-of-memory failures). */
void ls_segfiles_remove(const char *dir, uint32_t id);

#endif
