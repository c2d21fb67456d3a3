/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - helpers shared by the test suites: seeded randomness, adding a document,
 * temporary directories, reading whole files, running the cisearch binary.
 */
#ifndef LS_TESTUTIL_H
#define LS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"

/** The run's seed: LS_TEST_SEED or a fixed default. */
unsigned long ls_test_seed(void);
/** Nonzero under `make test-long` (LS_TEST_LONG=1): raise iteration counts. */
int ls_test_long(void);

/** A small deterministic PRNG (xorshift64*). */
typedef struct ls_rng {
    uint64_t s;
} ls_rng;
/** Seeds from ls_test_seed() mixed with `stream`, so each test has its own sequence. */
void ls_rng_init(ls_rng *r, uint64_t stream);
uint64_t ls_rng_next(ls_rng *r);
/** Uniform in [0, n). */
uint32_t ls_rng_below(ls_rng *r, uint32_t n);
double ls_rng_unit(ls_rng *r);

/** Zipf-distributed ranks over [0, n): rank i drawn with weight 1 / (i + 1). */
typedef struct ls_zipf {
    double *cum; /* cumulative weights */
    size_t n;
} ls_zipf;
/** Aborts the test on failure; n >= 1. */
void ls_zipf_init(ls_zipf *z, size_t n);
size_t ls_zipf_pick(const ls_zipf *z, ls_rng *r);
void ls_zipf_free(ls_zipf *z);

/** Appends s to buf (NUL-terminated, *len bytes long, cap bytes of room); fails the test when
 *  it does not fit. */
void ls_test_str_append(char *buf, size_t cap, size_t *len, const char *s);

/** Ends a forked child with status code. Under `make valgrind` (LS_TEST_VALGRIND set) it
 *  execs a shell that exits with the code instead, so that memcheck does not report the
 *  parent's memory, which the child inherited and never frees, as the child's leaks. */
void ls_test_child_exit(int code) __attribute__((noreturn));

/** ls_writer_add of a document with an id and a body only. */
int ls_test_add_body(ls_writer *w, const char *id, size_t id_len, const char *body,
                     size_t body_len, ls_error *err);

/** Makes a fresh empty directory under $TMPDIR; returns a malloc'd path. Aborts the test on
 *  failure. */
char *ls_test_tmpdir(void);
/** rm -rf path (ignores errors); frees nothing. */
void ls_test_rmtree(const char *path);
/** Reads a whole file into a malloc'd NUL-terminated buffer; NULL on failure. */
char *ls_test_read_file(const char *path, size_t *len_out);
/** Writes a file (creating it); returns 0 on success. */
int ls_test_write_file(const char *path, const void *data, size_t len);

/**
 * Runs the built cisearch with argv (NULL-terminated, without argv[0]) and environment
 * additions env ("NAME=value" strings, NULL-terminated, may be NULL), optional stdin text.
 * Captures stdout and stderr (malloc'd, NUL-terminated) and returns the exit status (or -1).
 */
int ls_test_run_cli(const char *const *argv, const char *const *env, const char *stdin_text,
                    char **out_stdout, char **out_stderr);

#endif
