/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the single updating progress line `cisearch index` draws on stderr when stderr
 * is a terminal, and the monotonic clock it and the final summary use.
 */
#ifndef CISEARCH_PROGRESS_H
#define CISEARCH_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    int enabled;    /* stderr is a terminal */
    int shown;      /* a progress line is on screen now */
    uint64_t files; /* files read (text files and JSON-lines inputs) */
    uint64_t docs;  /* documents added */
    uint64_t bytes; /* bytes of input read */
    uint64_t total; /* bytes expected in all (0: unknown, no ETA) */
    uint64_t done;  /* of them gone through: read, or found unchanged, or passed over */
    double start;   /* when counting began */
    double last;    /* when the line was last drawn */
} cli_progress;

/** Seconds on a monotonic clock. */
double cli_now(void);
/** Zeroes the counters; draws only when stderr is a terminal. */
void cli_progress_init(cli_progress *p);
/** Redraws the line ("N files, M docs, X MB, R MB/s[, P%, ETA Ts]"), at most ten times a
 *  second. */
void cli_progress_update(cli_progress *p);
/** Erases the line (before a warning is printed); the next update draws it again. */
void cli_progress_clear(cli_progress *p);

#endif
