/* SPDX-License-Identifier: MIT */
/*
 * search_setup.h - a search's command line read once (search_setup.c) and run through a
 * searcher: one index or several in this process (cmd_search.c), or shards on the ranks of
 * an MPI job (cli/mpi/).
 */
#ifndef CISEARCH_SEARCH_SETUP_H
#define CISEARCH_SEARCH_SETUP_H

#include <stdint.h>

#include "cbuf.h"
#include "out.h"

typedef int (*formatter)(FILE *, const cli_result *, const cli_out_opts *);

typedef struct search_cfg {
    const char **indexes; /* --index, repeatable: several are searched as one */
    size_t n_indexes;
    const char *queries; /* batch file, or NULL */
    ls_search_options opts;
    formatter out;
    cli_out_opts out_opts;
    cli_buf query; /* the command-line words joined by spaces */
    int n_words;
    int depth_given; /* --proximity-depth was given */
    int color;       /* --color: 1 always, 0 never, -1 auto */
} search_cfg;



/** Where queries run: open once, then run per query (print the results, set *total; 0 or
 *  -1 after printing the error), then close. */
typedef struct cli_searcher {
    int (*open)(void *ctx, const search_cfg *cfg);
    int (*run)(void *ctx, const search_cfg *cfg, const char *qid, const char *q, size_t len,
               uint64_t *total);
    void (*close)(void *ctx);
    void *ctx;
} cli_searcher;

/** Reads `cisearch search`'s options and the query (words, `-` or a pipe).
 *  @return 0 to run, 1 after --help, -1 after a usage error. Free cfg either way. */
int cli_search_setup(int argc, char **argv, search_cfg *cfg);
/** Runs the query or the batch through s. @return the exit status (CLI_EXIT_*). */
int cli_search_execute(const search_cfg *cfg, const cli_searcher *s);
void cli_search_cfg_free(search_cfg *cfg);

/** "cisearch: <message>", then the query and a caret under the offending byte. */
void cli_report_query_error(const char *qid, const char *q, size_t len, int rc,
                            const ls_error *err);
int cli_is_blank_text(const char *s, size_t len);

#endif
