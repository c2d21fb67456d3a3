/* SPDX-License-Identifier: MIT */
/*
 * shards.h - which shard directories a rank owns. A job has `total` shards, named by one
 * pattern in which "%d" stands for the shard's number (0 .. total-1), the same path on every
 * machine; rank r of P owns shards r, r + P, r + 2P, ... A document belongs to the shard
 * crc32(id) mod total (zlib's CRC-32 of the id's bytes), so that an update reaches the shard
 * that holds the old version whatever rank reads it.
 */
#ifndef CISEARCH_MPI_SHARDS_H
#define CISEARCH_MPI_SHARDS_H

#include <stddef.h>

typedef struct shards {
    unsigned total;
    char **dirs;       /* every shard's directory, by number */
    unsigned *owned;   /* this rank's shards, ascending */
    size_t n_owned;
} shards;

/** @return 0, or -1 after printing why (a pattern without one "%d" when total > 1, ...). */
int shards_init(shards *s, const char *pattern, unsigned total, int rank, int size);
void shards_free(shards *s);
/** @return the shard of a document id. */
unsigned shards_of_id(const shards *s, const char *id, size_t len);

#endif
