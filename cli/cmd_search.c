/* SPDX-License-Identifier: MIT */
/*
 * cmd_search.c - `cisearch search` (and the bare `cisearch QUERY`): the options and queries
 * read by search_setup.c, the reader over the indexes opened once, ls_search per query and
 * the hits handed to the chosen formatter (out_*.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "out.h"
#include "search_setup.h"

static int local_open(void *ctx, const search_cfg *cfg)
{
    return cli_open_indexes(cfg->indexes, cfg->n_indexes, (ls_reader **)ctx, NULL);
}

static void local_close(void *ctx)
{
    ls_reader **r = ctx;
    ls_reader_close(*r);
    *r = NULL;
}

/* Runs one query; sets *total. @return 0, or -1 after printing the error. */
static int local_run(void *ctx, const search_cfg *cfg, const char *qid, const char *q,
                     size_t len, uint64_t *total)
{
    const ls_reader *r = *(ls_reader **)ctx;
    ls_hits *hits = NULL;
    ls_error err = {0};
    int rc = ls_search(r, q, len, &cfg->opts, &hits, &err);
    if (rc != LS_OK) {
        cli_report_query_error(qid, q, len, rc, &err);
        return -1;
    }
    cli_result res = {.qid = qid, .query = q, .query_len = len, .hits = hits,
                      .offset = cfg->opts.offset};
    *total = ls_hits_total(hits);
    rc = cfg->out(stdout, &res, &cfg->out_opts);
    ls_hits_free(hits);
    if (rc != 0)
        cli_error("out of memory formatting the results");
    return rc;
}

int cli_cmd_search(int argc, char **argv)
{
    search_cfg cfg;
    int p = cli_search_setup(argc, argv, &cfg);
    ls_reader *r = NULL;
    cli_searcher local = {local_open, local_run, local_close, &r};
    int status = p == 0 ? cli_search_execute(&cfg, &local) : p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    cli_search_cfg_free(&cfg);
    return status;
}
