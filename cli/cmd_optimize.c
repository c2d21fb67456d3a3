/* SPDX-License-Identifier: MIT */
/*
 * cmd_optimize.c - `cisearch optimize`: merges the segments of --index DIR (or
 * $CISEARCH_INDEX) down to one, or to --max-segments N, dropping deleted documents.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "threads.h"

enum { OPT_INDEX = 1, OPT_MAX, OPT_THREADS };

static const cli_option optimize_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"max-segments", 0, 1, OPT_MAX},
    {"threads", 'j', 1, OPT_THREADS},
    {NULL, 0, 0, 0},
};

void cli_help_optimize(FILE *f)
{
    fputs("Usage: cisearch optimize [--index DIR] [--max-segments N] [--threads N]\n"
          "\n"
          "Merges the index's segments into one (or at most N), dropping deleted\n"
          "documents, as one atomic commit. Results and scores do not change.\n"
          "  --max-segments N  segments to leave at most (default 1)\n"
          "  -j, --threads N   1: merge in one thread; 2 or more: the stored fields and\n"
          "                    the word pairs in a thread of their own (default: 2 with\n"
          "                    two cores or more)\n"
          "  -i, --index DIR   the index directory (default: $CISEARCH_INDEX)\n"
          "  -h, --help        show this help\n",
          f);
}

/* Segments and deleted documents of the last commit. */
static int counts(const char *dir, ls_index_stats *s)
{
    ls_reader *r = NULL;
    ls_error err = {0};
    memset(s, 0, sizeof *s);
    s->version = LS_INDEX_STATS_VERSION;
    int rc = ls_reader_open(dir, &r, &err);
    if (rc == LS_OK)
        rc = ls_reader_stats(r, s, &err);
    ls_reader_close(r);
    if (rc != LS_OK)
        cli_error_ls(rc, &err);
    return rc == LS_OK ? 0 : -1;
}

int cli_cmd_optimize(int argc, char **argv)
{
    const char *dir = NULL, *v;
    size_t max = 1;
    unsigned threads = cli_default_threads();
    int id;
    cli_args a;
    cli_args_init(&a, argc, argv, optimize_opts, "optimize");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_optimize(stdout);
            return CLI_EXIT_HITS;
        }
        if (id == OPT_INDEX)
            dir = v;
        else if (id == OPT_MAX) {
            if (cli_parse_count("optimize", "--max-segments", v, &max) != 0)
                return CLI_EXIT_ERROR;
            if (max < 1 || max > LS_MAX_SEGMENTS)
                return cli_usage_error("optimize", "--max-segments takes 1..%u", LS_MAX_SEGMENTS);
        } else if (id == OPT_THREADS) {
            if (cli_parse_threads("optimize", v, &threads) != 0)
                return CLI_EXIT_ERROR;
        } else if (id == CLI_ARG_POSITIONAL)
            return cli_usage_error("optimize", "unexpected argument '%s'", v);
        else
            return CLI_EXIT_ERROR;
    }
    int several = 0;
    if (dir == NULL || *dir == '\0')
        dir = cli_env_one_index("optimize", &several);
    if (several)
        return CLI_EXIT_ERROR;
    if (dir == NULL || *dir == '\0')
        return cli_usage_error("optimize",
                               "no index directory: pass --index DIR (or set CISEARCH_INDEX)");
    ls_index_stats before, after;
    if (counts(dir, &before) != 0)
        return CLI_EXIT_ERROR;
    double t0 = cli_now();
    ls_writer *w = NULL;
    ls_error err = {0};
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.threads = threads > 2 ? 2 : threads; /* a merge has two parts to run at once */
    int rc = ls_writer_open(dir, &wo, &w, &err);
    if (rc == LS_OK)
        rc = ls_writer_optimize(w, (unsigned)max, &err);
    ls_writer_close(w);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        return CLI_EXIT_ERROR;
    }
    if (counts(dir, &after) != 0)
        return CLI_EXIT_ERROR;
    uint64_t dropped = before.deleted_documents - after.deleted_documents;
    fprintf(stderr,
            "optimized in %.2f s: %lu segment%s -> %lu, %llu deleted document%s dropped, %llu "
            "document%s\n",
            cli_now() - t0, (unsigned long)before.segments, before.segments == 1 ? "" : "s",
            (unsigned long)after.segments, (unsigned long long)dropped, dropped == 1 ? "" : "s",
            (unsigned long long)after.documents, after.documents == 1 ? "" : "s");
    return CLI_EXIT_HITS;
}
