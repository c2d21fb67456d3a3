/* SPDX-License-Identifier: MIT */
/*
 * dsearch.h - `cisearch-mpi search`: every rank searches the shards it owns with the
 * statistics of the whole collection, and rank 0 prints the merged results as `cisearch
 * search` prints one index's (docs/SCALE.md has the protocol and its costs).
 */
#ifndef CISEARCH_MPI_DSEARCH_H
#define CISEARCH_MPI_DSEARCH_H

#include "comm.h"
#include "shards.h"

/** Runs a search job on every rank: argv without the shard options. @return the exit status
 *  (CLI_EXIT_*; rank 0's is the job's). */
int dsearch_main(const comm *c, const shards *sh, int allow_partial, int timing, int argc,
                 char **argv);

#endif
