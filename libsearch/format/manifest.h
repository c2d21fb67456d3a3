/* SPDX-License-Identifier: MIT */
/*
 * manifest.h - the commit point of an index (FORMAT.md "Manifest"), file manifest-<gen>:
 *   ManifestBody --> Generation u64, LangLen u8, Language, NextSegment u32, SegCount u32,
 *                    SegmentInfo^SegCount
 *   SegmentInfo  --> SegId u32, DocCount u32, DelCount u32, DelGen u64, TokensAll u64,
 *                    TokensTitle u64, Tag u64
 * Written to manifest-<gen>.tmp, fsynced, renamed, directory fsynced: a torn write leaves only
 * a .tmp file. So a manifest-<gen> that fails its checksum was damaged after it was written:
 * readers report it (and fall back to the previous generation only when asked to recover),
 * and no writer removes segment files while a damaged manifest is present.
 */
#ifndef LS_FORMAT_MANIFEST_H
#define LS_FORMAT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "format/filenames.h"
#include "libsearch.h"

typedef struct ls_seg_info {
    uint32_t id;
    uint32_t ndocs;        /* documents in the segment's files, deleted ones included */
    uint32_t del_count;    /* of them deleted as of this commit */
    uint64_t del_gen;      /* generation of its deletions file; 0: no deletions */
    uint64_t tokens_all;   /* tokens of the live documents (title + body) */
    uint64_t tokens_title; /* title tokens of the live documents */
    uint64_t tag;          /* the tag in every file of the segment (format/fileheader.h) */
} ls_seg_info;

typedef struct ls_manifest {
    uint64_t gen;
    char language[32];
    uint32_t next_seg;
    uint32_t nsegs;
    ls_seg_info *segs;
    uint64_t file_bytes; /* size of the manifest file read (0 when not read from disk) */
} ls_manifest;

/** Writes manifest-<m->gen> atomically in dir. */
int ls_manifest_write(const char *dir, const ls_manifest *m, ls_error *err);

/**
 * Loads the newest manifest. A newest manifest that is damaged is LS_ECORRUPT naming it,
 * unless `recover`: then the newest valid older generation is loaded and *skipped_gen (when
 * not NULL) receives the damaged generation (0 when none was skipped).
 * @return LS_OK, LS_ENOTFOUND (no manifest), LS_ECORRUPT, LS_EFORMAT, LS_EIO, LS_ENOMEM.
 */
int ls_manifest_load(const char *dir, int recover, ls_manifest *m, uint64_t *skipped_gen,
                     ls_error *err);

/** What the manifests of a directory are. */
typedef struct ls_manifest_survey {
    uint64_t newest;         /* highest generation present (valid or not); 0: none */
    uint64_t newest_valid;   /* highest generation that loads; 0: none */
    uint64_t damaged;        /* number of manifests that do not load */
    uint64_t newest_damaged; /* highest damaged generation; 0: none */
} ls_manifest_survey;

/** Surveys every manifest of dir. @return LS_OK, LS_ENOTFOUND (no such directory), LS_EIO,
 *  LS_ENOMEM. */
int ls_manifest_survey_dir(const char *dir, ls_manifest_survey *out, ls_error *err);

/** Loads every manifest of dir that is intact (newest first) into a new array of *n_out.
 *  @return LS_OK, LS_EIO, LS_ENOMEM. Free with ls_manifest_free_all. */
int ls_manifest_load_all(const char *dir, ls_manifest **out, size_t *n_out, ls_error *err);
void ls_manifest_free_all(ls_manifest *v, size_t n);

/** Removes valid manifests older than keep_from (best effort); damaged ones are kept. */
void ls_manifest_prune(const char *dir, uint64_t keep_from);
void ls_manifest_free(ls_manifest *m);

#endif
