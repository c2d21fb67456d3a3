/* SPDX-License-Identifier: MIT */
/*
 * threads.c - the --threads option of index and optimize (see threads.h).
 */
#include "threads.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "libsearch.h"

unsigned cli_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < n)
        n = CPU_COUNT(&set);
    return n < 1 ? 1 : n > (long)LS_MAX_WRITER_THREADS ? LS_MAX_WRITER_THREADS : (unsigned)n;
}

int cli_parse_threads(const char *cmd, const char *v, unsigned *n)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (end == v || *end != '\0' || errno != 0 || v[0] == '-' || x == 0 ||
        x > LS_MAX_WRITER_THREADS)
        return cli_usage_error(cmd, "--threads wants 1..%u, not '%s'", LS_MAX_WRITER_THREADS, v),
               -1;
    *n = (unsigned)x;
    return 0;
}
