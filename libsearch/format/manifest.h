/* SPDX-License-Identifier: MIT */
/*
 * manifest.h - the commit point of an index (FORMAT.md "Manifest"), file manifest-<gen>:
 *   ManifestBody --> Generation u64, LangLen u8, Language, NextSegment u32, SegCount u32,
 *                    Segment^SegCount
 *   Segment      --> SegId u32, DocCount u32, TokensAll u64, TokensTitle u64, DelGen u64
 * Written to a temporary name, fsynced, renamed, directory fsynced. Readers take the highest
 * generation whose frame and checksum are valid.
 */
#ifndef LS_FORMAT_MANIFEST_H
#define LS_FORMAT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "format/filenames.h"
#include "libsearch.h"

typedef struct ls_seg_info {
    uint32_t id;
    uint32_t ndocs;
    uint64_t tokens_all;
    uint64_t tokens_title;
    uint64_t del_gen; /* 0: no deletions (reserved for delete support) */
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
/** Loads the newest valid manifest. @return LS_OK, LS_ENOTFOUND (none), LS_ECORRUPT, ... */
int ls_manifest_load(const char *dir, ls_manifest *m, ls_error *err);
/** Removes manifests older than keep_from (best effort). */
void ls_manifest_prune(const char *dir, uint64_t keep_from);
void ls_manifest_free(ls_manifest *m);

#endif
