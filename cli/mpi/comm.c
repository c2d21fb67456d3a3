/* SPDX-License-Identifier: MIT */
/*
 * comm.c - see comm.h.
 */
#include "comm.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first message of a broadcast: the length, then as much of the payload as fits (most
 * queries fit: one collective); the rest, if any, follows in a second. */
#define BCAST_HEAD 1024

int comm_bcast(const comm *c, cli_buf *b, int root)
{
    unsigned char head[BCAST_HEAD];
    uint64_t len = 0;
    if (c->rank == root) {
        len = b->oom ? UINT64_MAX : b->len;
        for (int i = 0; i < 8; i++)
            head[i] = (unsigned char)(len >> (8 * i));
        if (len != UINT64_MAX && len > 0)
            memcpy(head + 8, b->p, len < BCAST_HEAD - 8 ? (size_t)len : BCAST_HEAD - 8);
    }
    MPI_Bcast(head, BCAST_HEAD, MPI_BYTE, root, MPI_COMM_WORLD);
    len = 0;
    for (int i = 0; i < 8; i++)
        len |= (uint64_t)head[i] << (8 * i);
    if (len == UINT64_MAX || len > INT_MAX)
        return -1; /* every rank returns it */
    if (c->rank != root) {
        char *p = realloc(b->p, (size_t)len + 1);
        if (p == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2); /* the others are going on */
        b->p = p;
        b->cap = (size_t)len + 1;
        b->len = (size_t)len;
        b->oom = 0;
        memcpy(b->p, head + 8, len < BCAST_HEAD - 8 ? (size_t)len : BCAST_HEAD - 8);
        b->p[len] = '\0';
    }
    if (len > BCAST_HEAD - 8)
        MPI_Bcast(b->p + (BCAST_HEAD - 8), (int)(len - (BCAST_HEAD - 8)), MPI_BYTE, root,
                  MPI_COMM_WORLD);
    return 0;
}

int comm_gather(const comm *c, const cli_buf *mine, int root, char **all, size_t **lens)
{
    /* a share of an int each, so the root's total always fits MPI's counts */
    uint64_t cap = (uint64_t)INT_MAX / (uint64_t)c->size;
    int fits = !mine->oom && mine->len <= cap;
    uint64_t len = fits ? mine->len : UINT64_MAX;
    uint64_t *got = c->rank == root ? calloc((size_t)c->size, sizeof *got) : NULL;
    int *counts = NULL, *displs = NULL;
    char *buf = NULL;
    if (c->rank == root) {
        counts = calloc((size_t)c->size, sizeof *counts);
        displs = calloc((size_t)c->size, sizeof *displs);
        *lens = calloc((size_t)c->size, sizeof **lens);
        if (got == NULL || counts == NULL || displs == NULL || *lens == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Gather(&len, 1, MPI_UINT64_T, got, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    if (c->rank == root) {
        size_t total = 0;
        for (int r = 0; r < c->size; r++) {
            counts[r] = got[r] == UINT64_MAX ? 0 : (int)got[r];
            displs[r] = (int)total;
            (*lens)[r] = got[r] == UINT64_MAX ? COMM_TOO_BIG : (size_t)got[r];
            total += (size_t)counts[r];
        }
        if ((buf = malloc(total ? total : 1)) == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2);
        *all = buf;
    }
    MPI_Gatherv(mine->p, fits ? (int)mine->len : 0, MPI_BYTE, buf, counts, displs, MPI_BYTE,
                root, MPI_COMM_WORLD);
    free(counts);
    free(displs);
    free(got);
    return fits ? 0 : -1;
}

void comm_each_message(const comm *c, const char *mine, size_t len, comm_message_fn fn,
                       void *ctx)
{
    cli_buf b = CLI_BUF_INIT;
    cli_buf_put(&b, mine, len);
    char *msgs = NULL;
    size_t *lens = NULL;
    comm_gather(c, &b, 0, &msgs, &lens); /* too big: told as such below */
    for (int r = 0, at = 0; c->rank == 0 && r < c->size; at += COMM_LEN(lens[r]), r++) {
        if (lens[r] == COMM_TOO_BIG)
            fn(r, "(message too long)", 18, ctx);
        else if (lens[r] > 0)
            fn(r, msgs + at, (int)lens[r], ctx);
    }
    free(msgs);
    free(lens);
    cli_buf_free(&b);
}

static void print_failure(int rank, const char *msg, int len, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "cisearch-mpi: rank %d: %.*s\n", rank, len, msg);
}

int comm_agree(const comm *c, int ok, const char *why)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (all)
        return 1;
    const char *m = ok ? "" : why ? why : "failed";
    comm_each_message(c, m, strlen(m), print_failure, NULL);
    return 0;
}
