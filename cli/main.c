/* SPDX-License-Identifier: MIT */
/*
 * main.c - cisearch's entry point: the subcommand table, global --help / --version, the
 * `cisearch QUERY` shorthand for `cisearch search QUERY`, error printing and the final exit
 * status (0 hits / success, 1 no hits, 2 error). Commands live in cmd_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CISEARCH_VERSION LS_VERSION_STRING

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *f);
} command;

static const command commands[] = {
    {"search", "rank documents for a query (the default command)", cli_cmd_search,
     cli_help_search},
    {"index", "sync files and directories, or add JSON lines, into an index", cli_cmd_index,
     cli_help_index},
    {"delete", "delete documents by id (or id prefix)", cli_cmd_delete, cli_help_delete},
    {"optimize", "merge an index's segments into one", cli_cmd_optimize, cli_help_optimize},
    {"check", "verify every checksum and structure of an index", cli_cmd_check,
     cli_help_check},
    {"stats", "show the size and makeup of an index", cli_cmd_stats, cli_help_stats},
    {"eval", "score a TREC run against relevance judgments", cli_cmd_eval, cli_help_eval},
    {"bench", "time a file of queries through the library (median of R runs each)",
     cli_cmd_bench, cli_help_bench},
    {"serve", "serve the index over HTTP: a search page and a JSON API", cli_cmd_serve,
     cli_help_serve},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void global_help(FILE *f)
{
    fputs("Usage: cisearch QUERY\n"
          "       cisearch COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "Full-text search over an index built by libsearch. Without --index or\n"
          "$CISEARCH_INDEX, searches the bundled seed documents.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("  help CMD  show the options of CMD\n"
          "\n"
          "Options:\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the versions of cisearch and libsearch\n"
          "\n"
          "Exit status: 0 hits found (or success), 1 no hits, 2 error.\n"
          "See cisearch(1) and 'cisearch search --help'.\n",
          f);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* `cisearch help [CMD]`. */
static int run_help(int argc, char **argv)
{
    if (argc < 3) {
        global_help(stdout);
        return CLI_EXIT_HITS;
    }
    const command *c = find_command(argv[2]);
    if (c == NULL)
        return cli_usage_error(NULL, "no command named '%s'", argv[2]);
    c->help(stdout);
    return CLI_EXIT_HITS;
}

/* Whether a and b are at most one edit apart (one byte inserted, deleted or replaced, or
 * two neighbours swapped) without being equal. */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (strcmp(a, b) == 0 || (la > lb ? la - lb : lb - la) > 1)
        return 0;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                strcmp(a + i + 2, b + i + 2) == 0);
    return la > lb ? strcmp(a + i + 1, b + i) == 0 : strcmp(a + i, b + i + 1) == 0;
}

/* `cisearch stat` searches for "stat"; a word one edit from a command says so on stderr. */
static void hint_command(const char *word)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (one_edit(word, commands[i].name)) {
            fprintf(stderr,
                    "cisearch: searching for '%s'; for the command, type 'cisearch %s'\n", word,
                    commands[i].name);
            return;
        }
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2 && !isatty(STDIN_FILENO)) /* a query piped in */
        return cli_cmd_search(argc, argv);
    if (argc < 2) {
        global_help(stderr);
        return CLI_EXIT_ERROR;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        global_help(stdout);
        return CLI_EXIT_HITS;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("cisearch %s (libsearch %s)\n", CISEARCH_VERSION, ls_version_string());
        return CLI_EXIT_HITS;
    }
    if (strcmp(first, "help") == 0)
        return run_help(argc, argv);
    const command *c = find_command(first);
    if (c != NULL)
        return c->run(argc - 1, argv + 1);
    /* Anything else (a query, or search options) is `cisearch search ...`. */
    if (argc == 2 && first[0] != '-')
        hint_command(first);
    return cli_cmd_search(argc, argv);
}

int main(int argc, char **argv)
{
    int status = dispatch(argc, argv);
    /* Output goes through stdio: a full disk or closed pipe shows up only here. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the output: %s", strerror(errno));
        status = CLI_EXIT_ERROR;
    }
    return status;
}
