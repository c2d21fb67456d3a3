/* SPDX-License-Identifier: MIT */
/*
 * main.c - cisearch-mpi: shards of one collection on the ranks of an Open MPI job, indexed
 * and searched as one index (docs/SCALE.md). Reads the shard options every subcommand shares
 * (--shard PATTERN, --shards N, --allow-partial, --timing), then runs `index` or `search`.
 */
#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dindex.h"
#include "dsearch.h"

static void usage(FILE *f)
{
    fputs("usage: mpirun [-n P] [--hostfile FILE] cisearch-mpi COMMAND --shard PATTERN\n"
          "           [--shards N] [options]\n"
          "\n"
          "Commands:\n"
          "  index FILE.jsonl...  every rank adds the documents whose id hashes to its shards\n"
          "                       (--language L, --create: see cisearch-mpi index --help)\n"
          "  search QUERY | --queries FILE  the shards searched as one index (the options\n"
          "                       of `cisearch search`: -n, --offset, --format, --rm3, ...)\n"
          "\n"
          "Shard options:\n"
          "  --shard PATTERN  the shard directories, %d standing for the shard number (the\n"
          "                   same path on every machine)\n"
          "  --shards N       shards in all (default: one per rank); rank r owns shards\n"
          "                   r, r + P, r + 2P, ...\n"
          "  --allow-partial  search: leave out shards that cannot be opened (told, and the\n"
          "                   results say so) instead of failing\n"
          "  --timing         search: print throughput, time per query and message sizes\n",
          f);
}

/* Takes the shard options out of argv (from index 2 on). @return 0, or -1 after a message. */
static int take_options(int *argc, char **argv, const char **pattern, unsigned long *total,
                        int *partial, int *timing)
{
    int out = 2;
    for (int i = 2; i < *argc; i++) {
        const char *a = argv[i], *val = NULL;
        int is_shard = strncmp(a, "--shard", 7) == 0 && (a[7] == '\0' || a[7] == '=');
        int is_shards = strncmp(a, "--shards", 8) == 0 && (a[8] == '\0' || a[8] == '=');
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "--allow-partial") == 0) {
            *partial = 1;
            continue;
        }
        if (strcmp(a, "--timing") == 0) {
            *timing = 1;
            continue;
        }
        if (!is_shard && !is_shards) {
            argv[out++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < *argc)
            val = argv[++i];
        if (val == NULL || *val == '\0') {
            cli_error("%s wants a value", is_shards ? "--shards" : "--shard");
            return -1;
        }
        if (is_shard) {
            *pattern = val;
        } else {
            char *end;
            errno = 0;
            *total = strtoul(val, &end, 10);
            if (*end != '\0' || *total == 0 || errno != 0 || *total > 100000) {
                cli_error("--shards wants a number from 1 to 100000, not '%s'", val);
                return -1;
            }
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    cli_program = "cisearch-mpi";
    comm c;
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    /* Every rank reads the same command line and would say the same: only rank 0 speaks.
     * The others' failures reach it through the collectives and are told with their rank. */
    if (c.rank != 0 && freopen("/dev/null", "w", stderr) == NULL)
        MPI_Abort(MPI_COMM_WORLD, 2);
    int status = CLI_EXIT_ERROR;
    const char *pattern = NULL;
    unsigned long total = (unsigned long)c.size;
    int partial = 0, timing = 0;
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (cmd == NULL || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (c.rank == 0)
            usage(cmd ? stdout : stderr);
        status = cmd ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    } else if (strcmp(cmd, "index") != 0 && strcmp(cmd, "search") != 0) {
        if (c.rank == 0)
            cli_error("unknown command '%s' (index or search; see cisearch-mpi --help)", cmd);
    } else if (take_options(&argc, argv, &pattern, &total, &partial, &timing) == 0) {
        int wants_help = 0;
        for (int i = 2; i < argc; i++)
            wants_help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
        shards sh;
        memset(&sh, 0, sizeof sh);
        if (pattern == NULL && !wants_help) {
            if (c.rank == 0)
                cli_error("%s: --shard PATTERN names the shard directories (see --help)", cmd);
        } else if (wants_help || shards_init(&sh, pattern, (unsigned)total, c.rank, c.size) == 0) {
            if (wants_help && strcmp(cmd, "search") == 0) {
                if (c.rank == 0) {
                    usage(stdout);
                    fputs("\n", stdout);
                    cli_help_search(stdout);
                }
                status = CLI_EXIT_HITS;
            } else if (strcmp(cmd, "index") == 0) {
                status = dindex_main(&c, &sh, argc - 1, argv + 1);
            } else {
                status = dsearch_main(&c, &sh, partial, timing, argc - 1, argv + 1);
            }
        }
        shards_free(&sh);
    }
    MPI_Finalize();
    return status;
}
