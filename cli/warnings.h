/* SPDX-License-Identifier: MIT */
/*
 * warnings.h - what `cisearch index` passed over, told without flooding the terminal: the
 * first few of each reason are printed as they happen (every one with --verbose, none with
 * --quiet), and a summary counts them all by reason at the end.
 */
#ifndef CISEARCH_WARNINGS_H
#define CISEARCH_WARNINGS_H

#include <stdint.h>
#include <stdio.h>

#include "progress.h"

/* Warnings printed per reason before the rest are only counted. */
#define CLI_WARNINGS_SHOWN 3
/* Distinct reasons kept apart; the others are counted as "other". */
#define CLI_WARNINGS_REASONS 16

typedef struct cli_warnings {
    int verbose, quiet;
    uint64_t total;
    size_t n;
    struct {
        const char *reason; /* a static string */
        uint64_t count;
    } by[CLI_WARNINGS_REASONS + 1];
} cli_warnings;

/** Counts one warning of `reason` (a static string) about `what` (a path, or file:line),
 *  with an optional detail; prints it when it is among the first of its reason (progress,
 *  when not NULL, is cleared first). */
void cli_warnings_add(cli_warnings *w, cli_progress *progress, const char *reason,
                      const char *what, const char *detail);

/** Prints "skipped: N reason, M reason ..." (and how to see all) when anything was counted. */
void cli_warnings_summary(const cli_warnings *w, FILE *f);

#endif
