/* SPDX-License-Identifier: MIT */
/*
 * dindex.h - `cisearch-mpi index`: every rank adds to each shard it owns the documents of
 * JSON-lines inputs whose id hashes to it (shards.h), then commits.
 */
#ifndef CISEARCH_MPI_DINDEX_H
#define CISEARCH_MPI_DINDEX_H

#include "comm.h"
#include "shards.h"

/** @return the exit status (0, or 2: an error, or malformed lines skipped). */
int dindex_main(const comm *c, const shards *sh, int argc, char **argv);

#endif
