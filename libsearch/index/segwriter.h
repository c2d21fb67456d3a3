/* SPDX-License-Identifier: MIT */
/*
 * segwriter.h - turns an inverter into the immutable files of one segment (FORMAT.md
 * "Segment"): the files of format/filenames.h; the stored-fields file is written by the
 * writer as documents arrive and finished here. Every file is fsynced before this returns.
 */
#ifndef LS_INDEX_SEGWRITER_H
#define LS_INDEX_SEGWRITER_H

#include <stdint.h>

#include "format/manifest.h"
#include "index/inverter.h"
#include "util/fileio.h"

/**
 * Writes the inverter's segment `id` into dir. On failure every file of the segment is
 * removed. info receives the segment's counts.
 */
int ls_segment_write(const char *dir, uint32_t id, const ls_inverter *inv, ls_seg_info *info,
                     ls_error *err);

#endif
