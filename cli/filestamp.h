/* SPDX-License-Identifier: MIT */
/*
 * filestamp.h - what `cisearch index` remembers of an indexed file, stored as the document's
 * stamp (ls_document.stamp): its size, its modification time in nanoseconds and an XXH3-64
 * hash of its contents (libxxhash). A file whose size and time are unchanged is not read
 * again; one whose time changed but whose contents hash the same is left as it is.
 *   Stamp --> Size u64, MtimeNs u64, Hash u64       (little-endian, 24 bytes)
 */
#ifndef CISEARCH_FILESTAMP_H
#define CISEARCH_FILESTAMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define CLI_STAMP_BYTES 24

typedef struct cli_stamp {
    uint64_t size;
    uint64_t mtime_ns;
    uint64_t hash;
} cli_stamp;

/** The size and time of st (hash 0 until computed). */
cli_stamp cli_stamp_of(const struct stat *st);
/** The content hash of data[0..len). */
uint64_t cli_stamp_hash(const void *data, size_t len);
void cli_stamp_encode(const cli_stamp *s, uint8_t out[CLI_STAMP_BYTES]);
/** @return 0, or -1 when p[0..len) is not a stamp (an index written by other means). */
int cli_stamp_decode(const void *p, size_t len, cli_stamp *out);

#endif
