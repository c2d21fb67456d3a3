/* SPDX-License-Identifier: MIT */
/*
 * comm.h - the collective steps cisearch-mpi builds on, over MPI_COMM_WORLD: byte messages
 * broadcast and gathered (lengths first), and agreement on success, in which every rank
 * learns whether all succeeded and rank 0 tells each failure with the rank that had it.
 */
#ifndef CISEARCH_MPI_COMM_H
#define CISEARCH_MPI_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "../cbuf.h"

typedef struct comm {
    int rank, size;
} comm;

/** Sends root's b to every rank (others: b replaced). @return 0, or -1 out of memory. */
int comm_bcast(const comm *c, cli_buf *b, int root);

/** (*lens)[r] of a rank whose message was over its share of MPI's int counts (INT_MAX /
 *  ranks bytes): it sent nothing. */
#define COMM_TOO_BIG ((size_t)-1)
/** The bytes rank r's message takes in *all. */
#define COMM_LEN(l) ((l) == COMM_TOO_BIG ? 0 : (int)(l))

/** Gathers every rank's `mine` at root: *all holds them one after another, (*lens)[r] the
 *  bytes of rank r, or COMM_TOO_BIG (root only; malloc'd, free both). Two collectives, no
 *  agreement: only root learns of a message too big. @return 0, or -1 on the rank whose
 *  message was too big. */
int comm_gather(const comm *c, const cli_buf *mine, int root, char **all, size_t **lens);

/** Told at rank 0 for each rank's message: its rank, the text, its bytes. */
typedef void (*comm_message_fn)(int rank, const char *msg, int len, void *ctx);

/** Gathers every rank's message (len bytes; 0: nothing to say) at rank 0, which calls fn on
 *  each one said, in rank order (a message over its share of the gather is told as too
 *  long). Collective. */
void comm_each_message(const comm *c, const char *mine, size_t len, comm_message_fn fn,
                       void *ctx);

/** Every rank says whether it succeeded (ok) and, when not, why (why: a message). Rank 0
 *  prints "cisearch-mpi: rank R: why" for each failure, in rank order.
 *  @return nonzero when every rank succeeded (on every rank). */
int comm_agree(const comm *c, int ok, const char *why);

#endif
