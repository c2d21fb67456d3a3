/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the cisearch source files share: exit statuses, the subcommand entry points,
 * option parsing (args.c), error printing and index selection (seedcache.c).
 * Internal to cli/; the CLI sees the library only through libsearch.h.
 */
#ifndef CISEARCH_CLI_H
#define CISEARCH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "libsearch.h"

/* Exit statuses: the user-facing contract (see cisearch.1). */
#define CLI_EXIT_HITS 0   /* success; for search: at least one hit */
#define CLI_EXIT_NOHITS 1 /* search ran and found nothing */
#define CLI_EXIT_ERROR 2  /* any error or usage mistake */

/* Subcommands: each takes argv with argv[0] = the command name. */
int cli_cmd_search(int argc, char **argv);
int cli_cmd_index(int argc, char **argv);
int cli_cmd_stats(int argc, char **argv);
int cli_cmd_eval(int argc, char **argv);
int cli_cmd_delete(int argc, char **argv);
int cli_cmd_optimize(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_bench(int argc, char **argv);
void cli_help_bench(FILE *f);
int cli_cmd_serve(int argc, char **argv);
void cli_help_serve(FILE *f);
void cli_help_delete(FILE *f);
void cli_help_optimize(FILE *f);
void cli_help_check(FILE *f);
void cli_help_search(FILE *f);
void cli_help_index(FILE *f);
void cli_help_stats(FILE *f);
void cli_help_eval(FILE *f);

/* ---- errors (messages.c) ---- */

/** The program named in messages ("cisearch"; cisearch-mpi sets its own). */
extern const char *cli_program;

/** Prints "cisearch: <message>" and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Prints "cisearch: warning: <message>" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Prints a library error: its message, or the code's description when it has none. */
void cli_error_ls(int rc, const ls_error *err);
/** Prints "cisearch: <message>" then a hint to run `cisearch CMD --help`; returns CLI_EXIT_ERROR. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- option parsing (args.c) ---- */

typedef struct cli_option {
    const char *long_name; /* without the dashes */
    char short_name;       /* 0 when none */
    int takes_value;
    int id;                /* > 0, returned by cli_args_next */
} cli_option;

#define CLI_ARG_END 0
#define CLI_ARG_POSITIONAL (-1)
#define CLI_ARG_ERROR (-2)
#define CLI_OPT_HELP 1000 /* every command accepts --help / -h */

typedef struct cli_args {
    int argc;
    char **argv;
    int i;                  /* next argv index */
    const char *cmd;        /* for messages */
    const cli_option *opts; /* terminated by an entry with id 0 */
    int only_positional;    /* after "--" */
    const char *short_rest; /* remaining cluster after "-x" when x takes no value */
} cli_args;

/** Starts parsing argv[1..] (argv[0] is the command name). */
void cli_args_init(cli_args *a, int argc, char **argv, const cli_option *opts, const char *cmd);
/**
 * Returns the next option's id (with *value set when it takes one), CLI_OPT_HELP,
 * CLI_ARG_POSITIONAL (*value = the argument), CLI_ARG_END, or CLI_ARG_ERROR after printing
 * a usage message. Accepts "--opt value", "--opt=value", "-x value", "-xvalue" and "--".
 */
int cli_args_next(cli_args *a, const char **value);
/** Parses a non-negative decimal count; prints a usage error and returns -1 when invalid. */
int cli_parse_count(const char *cmd, const char *opt, const char *s, size_t *out);
/** Parses a number in lo..hi; prints a usage error and returns -1 when invalid. */
int cli_parse_real(const char *cmd, const char *opt, const char *s, double lo, double hi,
                   double *out);

/* ---- index selection (seedcache.c) ---- */

/**
 * Opens the index a reading command uses: `opt_index` (from --index), else $CISEARCH_INDEX,
 * else the bundled seeds' cached index, built or rebuilt first when the seeds changed.
 * A missing index is reported plainly ("no index at DIR ...").
 * @param[out] dir_out when not NULL, the directory opened (malloc'd).
 * @return 0, or -1 after printing the error.
 */
int cli_open_index(const char *opt_index, ls_reader **out, char **dir_out);
/** Opens dirs[0..n) as one reader (ls_reader_open_many when n > 1); n == 0 as
 *  cli_open_index(NULL): $CISEARCH_INDEX (a colon-separated list: several indexes), else the
 *  seeds. *dir_out (may be NULL) gets the first directory. @return 0, or -1 after an error. */
int cli_open_indexes(const char *const *dirs, size_t n, ls_reader **out, char **dir_out);
/* --index given more often than this to one command is a usage error. */
#define CLI_MAX_INDEX_OPTIONS 256
/** The directories of $CISEARCH_INDEX split at ':' (NULL entries end it), malloc'd as one
 *  block (free it), or NULL when it is unset or empty; *n_out their number. */
char **cli_env_indexes(size_t *n_out);
/** $CISEARCH_INDEX for a command that writes to (or repairs) one index: NULL when unset or
 *  empty, or after a usage error for `cmd` when it lists several (*failed then set). */
const char *cli_env_one_index(const char *cmd, int *failed);
/** The figures of an index as `cisearch stats --format json` prints them (and /stats of
 *  cisearch serve): "index" (dir), counts, "language", "generation", "bytes" per part with
 *  "total". NULL when out of memory. */
json_t *cli_stats_json(const char *dir, const ls_index_stats *s);

#endif
