/* SPDX-License-Identifier: MIT */
/*
 * dindex.c - see dindex.h. Each rank reads every input (the same path on every machine, or
 * a shared one) and keeps the documents of its shards; malformed lines are told once, by
 * rank 0. A failure on any rank fails the job, told with the rank and the shard; shards
 * that committed keep their commit (each is an index of its own, atomic as any).
 */
#include "dindex.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "../progress.h"
#include "../source.h"
#include "../warnings.h"

typedef struct route {
    const shards *sh;
    unsigned shard;
} route;

static int keep_mine(const char *id, size_t len, void *payload)
{
    const route *r = payload;
    return shards_of_id(r->sh, id, len) == r->shard;
}

enum { OPT_LANGUAGE = 1, OPT_QUIET, OPT_CREATE };

static const cli_option index_opts[] = {{"language", 0, 1, OPT_LANGUAGE},
                                        {"quiet", 'q', 0, OPT_QUIET},
                                        {"create", 0, 0, OPT_CREATE},
                                        {NULL, 0, 0, 0}};

/* A job either creates every shard or adds to shards that all exist: a shard gone missing
 * (a disk lost, a path mistyped on one host) must not come back empty and hide that its
 * documents are gone, unless --create says so. @return 0 to go on (told otherwise). */
static int check_existing(const comm *c, const shards *sh, int create)
{
    int mine[2] = {0, 0}, all[2]; /* shards found, shards missing */
    cli_buf missing = CLI_BUF_INIT;
    for (size_t i = 0; i < sh->n_owned; i++) {
        ls_reader *r = NULL;
        ls_error err = {0};
        int rc = ls_reader_open(sh->dirs[sh->owned[i]], &r, &err);
        ls_reader_close(r);
        if (rc == LS_ENOTFOUND) {
            mine[1]++;
            cli_buf_printf(&missing, "%sshard %u (%s) does not exist", missing.len ? "; " : "",
                           sh->owned[i], sh->dirs[sh->owned[i]]);
        } else {
            mine[0]++;
        }
    }
    MPI_Allreduce(mine, all, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int ok = create || all[0] == 0 || mine[1] == 0;
    if (!ok)
        cli_buf_printf(&missing, " while %d others do (--create makes it anew, empty)", all[0]);
    ok = comm_agree(c, ok, missing.p);
    cli_buf_free(&missing);
    return ok ? 0 : -1;
}

/* One shard: its documents from every input, committed. @return 0, or -1 with *why set. */
static int index_shard(const shards *sh, unsigned shard, const char *language,
                       char **files, size_t n_files, int tell, cli_warnings *warnings,
                       uint64_t *docs, uint64_t *bad, cli_buf *why)
{
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = language;
    ls_writer *w = NULL;
    ls_error err = {0};
    const char *dir = sh->dirs[shard];
    int rc = ls_writer_open(dir, &wo, &w, &err);
    if (rc != LS_OK) {
        cli_buf_printf(why, "shard %u (%s): %s", shard, dir,
                       err.message[0] ? err.message : ls_strerror(rc));
        return -1;
    }
    cli_progress progress;
    cli_progress_init(&progress);
    progress.enabled = 0;
    route rt = {sh, shard};
    cli_source src = {.w = w, .progress = &progress, .warnings = warnings, .quiet = !tell,
                      .keep = keep_mine, .keep_payload = &rt};
    int ok = 1;
    for (size_t i = 0; ok && i < n_files; i++)
        ok = cli_source_add_jsonl(&src, files[i]) == 0;
    if (ok && (rc = ls_writer_commit(w, &err)) != LS_OK) {
        cli_buf_printf(why, "shard %u (%s): %s", shard, dir,
                       err.message[0] ? err.message : ls_strerror(rc));
        ok = 0;
    } else if (!ok) {
        cli_buf_printf(why, "shard %u (%s): reading the input failed", shard, dir);
    }
    ls_writer_close(w);
    *docs = src.added + src.updated;
    *bad = src.bad_lines;
    return ok ? 0 : -1;
}

int dindex_main(const comm *c, const shards *sh, int argc, char **argv)
{
    cli_args a;
    const char *v, *language = NULL;
    int id, quiet = 0, create = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t n_files = 0;
    if (files == NULL)
        return CLI_EXIT_ERROR;
    cli_args_init(&a, argc, argv, index_opts, "index");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_ARG_ERROR) {
            free(files);
            return CLI_EXIT_ERROR;
        }
        if (id == CLI_OPT_HELP) {
            if (c->rank == 0)
                fputs("usage: mpirun [-n P] cisearch-mpi index --shard PATTERN [--shards N]\n"
                      "           [--language L] [--create] [--quiet] FILE.jsonl...\n"
                      "Every rank adds the documents whose id hashes to its shards (zlib's\n"
                      "crc32 of the id, modulo N). A job creates every shard, or adds to shards\n"
                      "that all exist: --create makes missing ones anew beside existing ones.\n",
                      stdout);
            free(files);
            return CLI_EXIT_HITS;
        }
        if (id == CLI_ARG_POSITIONAL)
            files[n_files++] = (char *)v;
        else if (id == OPT_LANGUAGE)
            language = v;
        else if (id == OPT_QUIET)
            quiet = 1;
        else if (id == OPT_CREATE)
            create = 1;
    }
    if (n_files == 0) {
        free(files);
        return cli_usage_error("index", "missing FILE.jsonl (one document per line)");
    }
    if (check_existing(c, sh, create) != 0) {
        free(files);
        return CLI_EXIT_ERROR;
    }
    cli_warnings warnings = {.quiet = quiet};
    cli_buf why = CLI_BUF_INIT;
    uint64_t *docs = calloc(sh->total, sizeof *docs), bad = 0;
    int ok = docs != NULL;
    for (size_t i = 0; ok && i < sh->n_owned; i++) {
        uint64_t b = 0;
        /* rank 0's first pass tells the malformed lines; every pass sees the same */
        ok = index_shard(sh, sh->owned[i], language, files, n_files, c->rank == 0 && i == 0,
                         &warnings, &docs[sh->owned[i]], &b, &why) == 0;
        if (i == 0)
            bad = b;
    }
    int all = comm_agree(c, ok, why.p);
    uint64_t *sum = c->rank == 0 ? calloc(sh->total, sizeof *sum) : NULL;
    MPI_Reduce(docs, sum, (int)sh->total, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    int status = all ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    if (c->rank == 0 && all) {
        uint64_t total = 0;
        for (unsigned s = 0; s < sh->total; s++) {
            total += sum[s];
            if (!quiet)
                fprintf(stderr, "shard %u (%s): %llu documents\n", s, sh->dirs[s],
                        (unsigned long long)sum[s]);
        }
        cli_warnings_summary(&warnings, stderr);
        fprintf(stderr, "indexed %llu documents into %u shards on %d ranks\n",
                (unsigned long long)total, sh->total, c->size);
        if (bad > 0) {
            cli_error("%llu malformed lines skipped", (unsigned long long)bad);
            status = CLI_EXIT_ERROR;
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(sum);
    free(docs);
    free(files);
    cli_buf_free(&why);
    return status;
}
