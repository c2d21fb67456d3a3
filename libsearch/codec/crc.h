/* SPDX-License-Identifier: MIT */
/*
 * crc.h - CRC-32 (the zlib/IEEE polynomial) over any length, from zlib's crc32().
 */
#ifndef LS_CODEC_CRC_H
#define LS_CODEC_CRC_H

#include <stddef.h>
#include <stdint.h>

/** Continues crc (start with 0) over p[0..n). Handles n larger than UINT_MAX. */
uint32_t ls_crc32(uint32_t crc, const void *p, size_t n);

#endif
