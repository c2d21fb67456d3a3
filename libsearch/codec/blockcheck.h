/* SPDX-License-Identifier: MIT */
/*
 * blockcheck.h - the 32-bit check value of a block read at query time (FORMAT.md "Block
 * checks"): the low 32 bits of XXH3-64 (libxxhash) of the block's bytes. Every block a query
 * decodes (dictionary blocks, skip entries, postings and positions blocks, stored chunks) is
 * verified against its check before use, so a damaged byte is an error, not a wrong answer.
 * XXH3 rather than zlib's crc32 because blocks are small: on 150-byte blocks crc32 took 150 ns
 * and XXH3 10 ns on the reference machine (bench/checksum_speed.c), and the check runs on
 * every block decoded. File footers keep zlib's crc32 (whole files, read by `check`).
 */
#ifndef LS_CODEC_BLOCKCHECK_H
#define LS_CODEC_BLOCKCHECK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** @return the check value of p[0..n) (n may be 0). */
uint32_t ls_blockcheck(const void *p, size_t n);
/** @return the check value of the bytes of a[0..an) followed by b[0..bn), as one block. */
uint32_t ls_blockcheck2(const void *a, size_t an, const void *b, size_t bn);

/** Verifies p[0..n) against want the first time it is asked, and remembers the verdict in
 *  *state (0 not yet, 1 intact, -1 damaged), which threads may share.
 *  @return nonzero when intact. */
int ls_blockcheck_once(atomic_int *state, const void *p, size_t n, uint32_t want);

#endif
