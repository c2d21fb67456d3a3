/* SPDX-License-Identifier: MIT */
/*
 * segwriter.h - turns an inverter into the immutable files of one segment (FORMAT.md
 * "Segment"): seg-<id>.tid, .doc, .pos, .len; the stored-fields file .fdt is written by the
 * writer as documents arrive and finished here. Every file is fsynced before this returns.
 */
#ifndef LS_INDEX_SEGWRITER_H
#define LS_INDEX_SEGWRITER_H

#include <stdint.h>

#include "format/manifest.h"
#include "index/inverter.h"
#include "util/fileio.h"

/** Formats the path of a segment file into a new string ("dir/seg-0000000007.tid"). */
char *ls_seg_path(const char *dir, uint32_t id, const char *ext);
/** The extensions of a segment's files, NULL-terminated. */
extern const char *const ls_seg_exts[];

/**
 * Writes the inverter's segment `id` into dir. On failure every file of the segment is
 * removed. info receives the segment's counts.
 */
int ls_segment_write(const char *dir, uint32_t id, const ls_inverter *inv, ls_seg_info *info,
                     ls_error *err);
/** Removes every file of segment id (best effort). */
void ls_segment_remove(const char *dir, uint32_t id);

#endif
