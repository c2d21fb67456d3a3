/* SPDX-License-Identifier: MIT */
/*
 * threads.h - the --threads option of the commands that write an index (index, optimize).
 */
#ifndef CLI_THREADS_H
#define CLI_THREADS_H

/** One thread per core the process may run on (its CPU affinity), 1..LS_MAX_WRITER_THREADS. */
unsigned cli_default_threads(void);

/** Parses cmd's --threads value v (1..LS_MAX_WRITER_THREADS) into *n. @return 0, or -1 after a
 *  usage error naming cmd. */
int cli_parse_threads(const char *cmd, const char *v, unsigned *n);

#endif
