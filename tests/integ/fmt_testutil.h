/* SPDX-License-Identifier: MIT */
/*
 * fmt_testutil.h - helpers shared by the on-disk format suites (test_format.c,
 * test_format_v2.c): files written through the library's own writer and frame, sorted random
 * keys with edge keys for the KeyBlocks structures (term dictionary, id dictionary,
 * corrections), absent probes between them, and byte flipping of in-memory copies.
 */
#ifndef LS_FMT_TESTUTIL_H
#define LS_FMT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "format/fileheader.h"
#include "format/keyblocks.h"
#include "testutil.h"
#include "util/fileio.h"

/** ck_assert_msg reports its location to the runner through a pipe on every call (a system
 *  call each): loops of millions test first and call ck_abort_msg only on a failure. */
#define LS_FMT_CHECK(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/** dir/name, malloc'd (fails the test on ENOMEM). */
char *ls_fmt_join(const char *dir, const char *name);
/** malloc that fails the test instead of returning NULL (n = 0 allowed). */
void *ls_fmt_xmalloc(size_t n);
/** A malloc'd copy of p[0..n). */
uint8_t *ls_fmt_dup(const void *p, size_t n);
void ls_fmt_fill_random(ls_rng *r, uint8_t *p, size_t n);

/** Opens path for writing and writes the file header of magic. */
void ls_fmt_fw_open(ls_fwriter *w, const char *path, uint32_t magic);
/** Writes the footer and finishes the file. */
void ls_fmt_fw_finish(ls_fwriter *w);
/** Opens a frame-checked file and verifies its crc. */
void ls_fmt_if_open(ls_ifile *f, const char *path, uint32_t magic);

/** A key of a KeyBlocks structure (up to LS_KEYBLOCK_MAX_KEY bytes). */
typedef struct ls_fmt_key {
    uint8_t b[LS_KEYBLOCK_MAX_KEY];
    size_t len;
} ls_fmt_key;

/** qsort comparator: bytewise, shorter first on a common prefix. */
int ls_fmt_key_cmp(const void *a, const void *b);
/** Sorts keys[0..n) and drops repeats. @return how many are left. */
size_t ls_fmt_sort_unique(ls_fmt_key *keys, size_t n);
/**
 * n distinct sorted keys of 1..max_len bytes. When n allows, they include the longest key
 * (max_len 'a's), the longest key with its last byte changed, and "a"; random keys share
 * prefixes often. malloc'd.
 */
ls_fmt_key *ls_fmt_make_keys(ls_rng *r, size_t n, size_t max_len);
/** Index of the first key >= k (n when none). */
size_t ls_fmt_lower_bound(const ls_fmt_key *keys, size_t n, const ls_fmt_key *k);
int ls_fmt_key_present(const ls_fmt_key *keys, size_t n, const ls_fmt_key *k);
/**
 * Keys absent from keys[0..n) (at most max_len bytes): the empty key, one after each key (the
 * key plus a byte), one before each key (its last byte lowered), max_len 0xff bytes. malloc'd
 * array of *count_out.
 */
ls_fmt_key *ls_fmt_absent_keys(ls_rng *r, const ls_fmt_key *keys, size_t n, size_t max_len,
                               size_t *count_out);

/** Offsets to damage in a buffer of n bytes: every byte when n <= every, else `every`
 *  spread ones (both ends included). @return the count written to out (room for `every`
 *  or n entries, whichever is smaller). */
size_t ls_fmt_flip_offsets(ls_rng *r, size_t n, size_t every, size_t *out);

#endif
