/* SPDX-License-Identifier: MIT */
/*
 * fuzz_target.h - the entry point every fuzz target defines, under the name LS_FUZZ_ENTRY:
 * LLVMFuzzerTestOneInput for libFuzzer and replay_main.c (the default), ls_fuzz_<name> when
 * the Makefile links several targets into the test runner (-DLS_FUZZ_ENTRY=ls_fuzz_<name>).
 * Also LS_FUZZ_CHECK, which aborts on a violated invariant so the fuzzer reports it.
 */
#ifndef LS_FUZZ_TARGET_H
#define LS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef LS_FUZZ_ENTRY
#define LS_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

/* Runs one input; returns 0 (libFuzzer's convention) or aborts on a violated invariant. */
int LS_FUZZ_ENTRY(const uint8_t *data, size_t size);

/* The names the test runner links (tests/fuzz/test_fuzz_replay.c). */
int ls_fuzz_query(const uint8_t *data, size_t size);
int ls_fuzz_analyzer(const uint8_t *data, size_t size);
int ls_fuzz_segment(const uint8_t *data, size_t size);

/* What a target does before aborting (e.g. remove its temporary files); define it before
 * including this header. */
#ifndef LS_FUZZ_ON_FAILURE
#define LS_FUZZ_ON_FAILURE() ((void)0)
#endif

/* Not assert(): it must hold in release builds too, where NDEBUG may be set. */
#define LS_FUZZ_CHECK(cond)                                                                    \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);  \
            LS_FUZZ_ON_FAILURE();                                                              \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#endif
