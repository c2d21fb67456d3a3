/* SPDX-License-Identifier: MIT */
/*
 * cmd_delete.c - `cisearch delete`: deletes documents by id (or id prefix) from --index DIR
 * (or $CISEARCH_INDEX; never the seeds cache) and commits once.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_INDEX = 1, OPT_PREFIX };

static const cli_option delete_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"prefix", 'p', 0, OPT_PREFIX},
    {NULL, 0, 0, 0},
};

void cli_help_delete(FILE *f)
{
    fputs("Usage: cisearch delete [--index DIR] [--prefix] ID...\n"
          "\n"
          "Deletes the documents with these ids and commits once. Ids of files indexed\n"
          "from paths are their absolute paths.\n"
          "  -p, --prefix     delete every document whose id starts with each ID given\n"
          "  -i, --index DIR  the index directory (default: $CISEARCH_INDEX)\n"
          "  -h, --help       show this help\n"
          "\n"
          "Exit status: 0 something was deleted, 1 no such document, 2 error.\n",
          f);
}

int cli_cmd_delete(int argc, char **argv)
{
    const char *dir = NULL, *v;
    int prefix = 0, id;
    char **ids = calloc((size_t)argc, sizeof *ids);
    size_t n_ids = 0;
    if (ids == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    cli_args a;
    cli_args_init(&a, argc, argv, delete_opts, "delete");
    int status = CLI_EXIT_ERROR;
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_delete(stdout);
            status = CLI_EXIT_HITS;
            goto done;
        }
        if (id == OPT_INDEX)
            dir = v;
        else if (id == OPT_PREFIX)
            prefix = 1;
        else if (id == CLI_ARG_POSITIONAL)
            ids[n_ids++] = (char *)v;
        else
            goto done;
    }
    int several = 0;
    if (dir == NULL || *dir == '\0')
        dir = cli_env_one_index("delete", &several);
    if (several)
        goto done;
    if (dir == NULL || *dir == '\0') {
        cli_usage_error("delete", "no index directory: pass --index DIR (or set CISEARCH_INDEX)");
        goto done;
    }
    if (n_ids == 0) {
        cli_usage_error("delete", "no ids given");
        goto done;
    }
    ls_writer *w = NULL;
    ls_error err = {0};
    int rc = ls_writer_open(dir, NULL, &w, &err);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        goto done;
    }
    uint64_t deleted = 0;
    for (size_t i = 0; i < n_ids && rc == LS_OK; i++) {
        uint64_t n = 0;
        if (prefix) {
            rc = ls_writer_delete_prefix(w, ids[i], strlen(ids[i]), &n, &err);
        } else {
            rc = ls_writer_delete(w, ids[i], strlen(ids[i]), &err);
            n = rc == LS_OK;
            if (rc == LS_ENOTFOUND) {
                cli_warn("no document '%s'", ids[i]);
                rc = LS_OK;
            }
        }
        deleted += n;
    }
    if (rc == LS_OK && deleted > 0)
        rc = ls_writer_commit(w, &err);
    ls_writer_close(w);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        cli_error("nothing was deleted from %s", dir);
        goto done;
    }
    fprintf(stderr, "deleted %llu document%s\n", (unsigned long long)deleted,
            deleted == 1 ? "" : "s");
    status = deleted > 0 ? CLI_EXIT_HITS : CLI_EXIT_NOHITS;
done:
    free(ids);
    return status;
}
