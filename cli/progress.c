/* SPDX-License-Identifier: MIT */
/*
 * progress.c - draws "N files, M docs, X MB, R MB/s" (and, when the input's size is known,
 * the share done and the time left) on one line of stderr, rewritten in place with "\r" and
 * erase-to-end-of-line, only when stderr is a terminal so logs and pipes stay clean.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double cli_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p)
{
    p->enabled = isatty(STDERR_FILENO);
    p->shown = 0;
    p->files = 0;
    p->docs = 0;
    p->bytes = 0;
    p->total = 0;
    p->done = 0;
    p->start = cli_now();
    p->last = 0.0;
}

void cli_progress_update(cli_progress *p)
{
    if (!p->enabled)
        return;
    double now = cli_now();
    if (p->shown && now - p->last < 0.1)
        return;
    p->last = now;
    p->shown = 1;
    double secs = now - p->start, rate = secs > 0 ? (double)p->bytes / secs : 0;
    fprintf(stderr, "\r\033[K%llu files, %llu docs, %.1f MB, %.1f MB/s",
            (unsigned long long)p->files, (unsigned long long)p->docs, (double)p->bytes / 1e6,
            rate / 1e6);
    double pace = secs > 0 ? (double)p->done / secs : 0;
    if (p->total > 0 && p->done <= p->total && pace > 0)
        fprintf(stderr, ", %.0f%%, ETA %.0f s", 100.0 * (double)p->done / (double)p->total,
                (double)(p->total - p->done) / pace);
    fflush(stderr);
}

void cli_progress_clear(cli_progress *p)
{
    if (!p->enabled || !p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}
