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

int comm_bcast(const comm *c, cli_buf *b, int root)
{
    uint64_t len = c->rank == root ? (b->oom ? UINT64_MAX : b->len) : 0;
    MPI_Bcast(&len, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    if (len == UINT64_MAX || len > INT_MAX)
        return -1;
    if (c->rank != root) {
        b->len = 0;
        if (len > 0) {
            char *p = realloc(b->p, (size_t)len + 1);
            if (p == NULL)
                MPI_Abort(MPI_COMM_WORLD, 2); /* the others are already sending */
            b->p = p;
            b->cap = (size_t)len + 1;
            b->len = (size_t)len;
            b->p[len] = '\0';
        }
    }
    if (len > 0)
        MPI_Bcast(b->p, (int)len, MPI_BYTE, root, MPI_COMM_WORLD);
    return 0;
}

int comm_gather(const comm *c, const cli_buf *mine, int root, char **all, size_t **lens)
{
    uint64_t len = mine->oom || mine->len > INT_MAX ? UINT64_MAX : mine->len;
    uint64_t *got = c->rank == root ? calloc((size_t)c->size, sizeof *got) : NULL;
    if (c->rank == root && got == NULL)
        MPI_Abort(MPI_COMM_WORLD, 2);
    MPI_Gather(&len, 1, MPI_UINT64_T, got, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    int ok = 1;
    uint64_t total = 0;
    for (int r = 0; c->rank == root && r < c->size; r++) {
        ok &= got[r] != UINT64_MAX;
        total += ok ? got[r] : 0;
    }
    ok &= total <= INT_MAX;
    MPI_Bcast(&ok, 1, MPI_INT, root, MPI_COMM_WORLD);
    if (!ok) {
        free(got);
        return -1;
    }
    int *counts = NULL, *displs = NULL;
    char *buf = NULL;
    if (c->rank == root) {
        counts = calloc((size_t)c->size, sizeof *counts);
        displs = calloc((size_t)c->size, sizeof *displs);
        *lens = calloc((size_t)c->size, sizeof **lens);
        buf = malloc(total ? (size_t)total : 1);
        if (counts == NULL || displs == NULL || *lens == NULL || buf == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2);
        for (int r = 0, at = 0; r < c->size; at += counts[r], r++) {
            counts[r] = (int)got[r];
            displs[r] = at;
            (*lens)[r] = (size_t)got[r];
        }
        *all = buf;
    }
    MPI_Gatherv(mine->p, (int)mine->len, MPI_BYTE, buf, counts, displs, MPI_BYTE, root,
                MPI_COMM_WORLD);
    free(counts);
    free(displs);
    free(got);
    return 0;
}

int comm_agree(const comm *c, int ok, const char *why)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (all)
        return 1;
    cli_buf mine = CLI_BUF_INIT;
    if (!ok)
        cli_buf_put(&mine, why ? why : "failed", strlen(why ? why : "failed"));
    char *msgs = NULL;
    size_t *lens = NULL;
    if (comm_gather(c, &mine, 0, &msgs, &lens) == 0 && c->rank == 0) {
        for (int r = 0, at = 0; r < c->size; at += (int)lens[r], r++)
            if (lens[r] > 0)
                fprintf(stderr, "cisearch-mpi: rank %d: %.*s\n", r, (int)lens[r], msgs + at);
    }
    free(msgs);
    free(lens);
    cli_buf_free(&mine);
    return 0;
}
