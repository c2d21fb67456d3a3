/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c - `cisearch check`: verifies every checksum and structural invariant of an
 * index (ls_reader_check) and names what is damaged.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

enum { OPT_INDEX = 1, OPT_RECOVER };

static const cli_option check_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"recover", 0, 0, OPT_RECOVER},
    {NULL, 0, 0, 0},
};

void cli_help_check(FILE *f)
{
    fputs("Usage: cisearch check [--index DIR] [--recover]\n"
          "\n"
          "Reads every byte of the index's last commit: all checksums, and that the\n"
          "dictionary, postings, positions, lengths, stored fields, ids and deletions\n"
          "agree with each other. Prints 'ok' or what is damaged, naming the file.\n"
          "  --recover        check the newest intact commit when the last one's manifest\n"
          "                   is damaged (and say which commit was skipped)\n"
          "  -i, --index DIR  the index (default: $CISEARCH_INDEX, else the seeds)\n"
          "  -h, --help       show this help\n"
          "\n"
          "Exit status: 0 the index is intact, 2 it is damaged or cannot be read.\n",
          f);
}

int cli_cmd_check(int argc, char **argv)
{
    const char *dir = NULL, *v;
    int recover = 0, id;
    cli_args a;
    cli_args_init(&a, argc, argv, check_opts, "check");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_check(stdout);
            return CLI_EXIT_HITS;
        }
        if (id == OPT_INDEX)
            dir = v;
        else if (id == OPT_RECOVER)
            recover = 1;
        else if (id == CLI_ARG_POSITIONAL)
            return cli_usage_error("check", "unexpected argument '%s'", v);
        else
            return CLI_EXIT_ERROR;
    }
    ls_reader *r = NULL;
    char *opened = NULL;
    ls_error err = {0};
    double t0 = cli_now();
    int rc;
    int several = 0;
    const char *env = recover && dir == NULL ? cli_env_one_index("check", &several) : NULL;
    if (several)
        return CLI_EXIT_ERROR;
    if (recover && (dir != NULL || env != NULL)) {
        const char *d = dir ? dir : env;
        ls_open_options oo = LS_OPEN_OPTIONS_INIT;
        oo.recover = 1;
        rc = ls_reader_open_opts(d, &oo, &r, &err);
        if (rc != LS_OK) {
            cli_error_ls(rc, &err);
            return CLI_EXIT_ERROR;
        }
        opened = strdup(d);
    } else if (cli_open_index(dir, &r, &opened) != 0) {
        return CLI_EXIT_ERROR;
    }
    ls_index_stats s;
    memset(&s, 0, sizeof s);
    s.version = LS_INDEX_STATS_VERSION;
    rc = ls_reader_stats(r, &s, &err);
    if (rc == LS_OK && s.skipped_generation != 0)
        cli_warn("the last commit (generation %llu) is damaged; checking generation %llu",
                 (unsigned long long)s.skipped_generation, (unsigned long long)s.generation);
    if (rc == LS_OK)
        rc = ls_reader_check(r, &err);
    int status = CLI_EXIT_HITS;
    if (rc == LS_OK) {
        printf("%s: ok (generation %llu, %lu segment%s, %llu document%s, checked in %.2f s)\n",
               opened ? opened : "index", (unsigned long long)s.generation,
               (unsigned long)s.segments, s.segments == 1 ? "" : "s",
               (unsigned long long)s.documents, s.documents == 1 ? "" : "s", cli_now() - t0);
    } else {
        cli_error_ls(rc, &err);
        status = CLI_EXIT_ERROR;
    }
    ls_reader_close(r);
    free(opened);
    return status;
}
