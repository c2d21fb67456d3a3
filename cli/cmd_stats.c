/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats.c - `cisearch stats`: prints the figures of ls_reader_stats() for an index
 * (counts, language, generation, and bytes per part with each part's share of the total),
 * and with --check verifies every checksum through ls_reader_check(); --format json prints
 * the same figures as one JSON object (jansson).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_INDEX = 1, OPT_CHECK, OPT_FORMAT };

static const cli_option stats_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"check", 0, 0, OPT_CHECK},
    {"format", 'f', 1, OPT_FORMAT},
    {NULL, 0, 0, 0},
};

void cli_help_stats(FILE *f)
{
    fputs("Usage: cisearch stats [--index DIR]... [--check] [--format text|json]\n"
          "\n"
          "Shows the documents, segments, terms, postings and tokens of an index, its\n"
          "language and commit generation, and the bytes each part takes.\n"
          "  -i, --index DIR  the index (default: $CISEARCH_INDEX, else the seeds);\n"
          "                   several (repeated, or DIR:DIR... in $CISEARCH_INDEX): each,\n"
          "                   then their total (JSON: {\"indexes\": [...], \"total\": {...}})\n"
          "      --check      also read every byte and verify all checksums\n"
          "  -f, --format FMT text (default) or json: one object, bytes per part under\n"
          "                   \"bytes\", \"check\": \"ok\" with --check\n"
          "  -h, --help       show this help\n",
          f);
}

/* "12.3 KiB" style, for people; the exact byte count is printed beside it. */
static void human(char *out, size_t size, uint64_t bytes)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%llu B", (unsigned long long)bytes);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}

static void print_part(const char *name, uint64_t bytes, uint64_t total)
{
    char h[32];
    human(h, sizeof h, bytes);
    double share = total > 0 ? 100.0 * (double)bytes / (double)total : 0.0;
    printf("  %-12s %14llu  %10s  %5.1f%%\n", name, (unsigned long long)bytes, h, share);
}

static uint64_t total_bytes(const ls_index_stats *s)
{
    return s->bytes_dictionary + s->bytes_postings + s->bytes_positions + s->bytes_doclens +
           s->bytes_stored + s->bytes_ids + s->bytes_deletions + s->bytes_manifest;
}

static void print_stats(const char *dir, const ls_index_stats *s)
{
    uint64_t total = total_bytes(s);
    printf("index        %s\n", dir);
    printf("documents    %llu\n", (unsigned long long)s->documents);
    if (s->deleted_documents > 0)
        printf("deleted      %llu (until a merge drops them)\n",
               (unsigned long long)s->deleted_documents);
    printf("segments     %lu\n", (unsigned long)s->segments);
    printf("terms        %llu\n", (unsigned long long)s->terms);
    printf("postings     %llu\n", (unsigned long long)s->postings);
    printf("word pairs   %llu (%llu postings)\n", (unsigned long long)s->word_pairs,
           (unsigned long long)s->pair_postings);
    printf("tokens       %llu\n", (unsigned long long)s->tokens);
    printf("language     %.*s\n", (int)strnlen(s->language, sizeof s->language), s->language);
    printf("generation   %llu\n", (unsigned long long)s->generation);
    printf("bytes\n");
    print_part("dictionary", s->bytes_dictionary, total);
    print_part("postings", s->bytes_postings, total);
    print_part("positions", s->bytes_positions, total);
    print_part("doc lengths", s->bytes_doclens, total);
    print_part("stored", s->bytes_stored, total);
    print_part("ids", s->bytes_ids, total);
    if (s->bytes_deletions > 0)
        print_part("deletions", s->bytes_deletions, total);
    print_part("manifest", s->bytes_manifest, total);
    print_part("total", total, total);
    if (s->postings + s->pair_postings > 0)
        printf("postings bytes per posting  %.2f (word pairs' included)\n",
               (double)s->bytes_postings / (double)(s->postings + s->pair_postings));
}

json_t *cli_stats_json(const char *dir, const ls_index_stats *s)
{
    json_t *j = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s%, s:I}", "index", dir, "documents",
        (json_int_t)s->documents, "deleted_documents", (json_int_t)s->deleted_documents,
        "segments", (json_int_t)s->segments, "terms", (json_int_t)s->terms, "postings",
        (json_int_t)s->postings, "word_pairs", (json_int_t)s->word_pairs, "pair_postings",
        (json_int_t)s->pair_postings, "tokens", (json_int_t)s->tokens, "language", s->language,
        strnlen(s->language, sizeof s->language), "generation", (json_int_t)s->generation);
    json_t *b = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "dictionary",
                          (json_int_t)s->bytes_dictionary, "postings",
                          (json_int_t)s->bytes_postings, "positions",
                          (json_int_t)s->bytes_positions, "doc_lengths",
                          (json_int_t)s->bytes_doclens, "stored", (json_int_t)s->bytes_stored,
                          "ids", (json_int_t)s->bytes_ids, "deletions",
                          (json_int_t)s->bytes_deletions, "manifest",
                          (json_int_t)s->bytes_manifest, "total", (json_int_t)total_bytes(s));
    if (j == NULL || b == NULL || json_object_set_new(j, "bytes", b) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int parse(int argc, char **argv, const char **indexes, size_t *n, int *check, int *json)
{
    cli_args a;
    const char *v;
    int id;
    cli_args_init(&a, argc, argv, stats_opts, "stats");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_stats(stdout);
            return 1;
        }
        if (id == OPT_INDEX)
            indexes[(*n)++] = v; /* capacity argc */
        else if (id == OPT_CHECK)
            *check = 1;
        else if (id == OPT_FORMAT && (strcmp(v, "text") == 0 || strcmp(v, "json") == 0))
            *json = v[0] == 'j';
        else if (id == OPT_FORMAT)
            return cli_usage_error("stats", "unknown format '%s' (use text or json)", v), -1;
        else if (id == CLI_ARG_POSITIONAL)
            return cli_usage_error("stats", "unexpected argument '%s'", v), -1;
        else
            return -1;
    }
    return 0;
}

/* The statistics of r (checked too with check), as text or into *json_out. @return LS_OK or
 * the error (err filled). */
static int one(ls_reader *r, const char *dir, int check, json_t **json_out, ls_error *err)
{
    ls_index_stats s;
    memset(&s, 0, sizeof s);
    s.version = LS_INDEX_STATS_VERSION;
    int rc = ls_reader_stats(r, &s, err);
    if (rc == LS_OK && check)
        rc = ls_reader_check(r, err);
    if (rc != LS_OK)
        return rc;
    if (json_out == NULL) {
        print_stats(dir, &s);
        if (check)
            printf("check        ok\n");
        return LS_OK;
    }
    *json_out = cli_stats_json(dir, &s);
    if (*json_out != NULL && check &&
        json_object_set_new(*json_out, "check", json_string("ok")) != 0) {
        json_decref(*json_out);
        *json_out = NULL;
    }
    return *json_out != NULL ? LS_OK : LS_ENOMEM;
}

/* Several indexes: each, then their total (the reader over all of them). */
static int several(const char *const *dirs, size_t n, int check, int json)
{
    json_t *all = json ? json_object() : NULL, *each = json ? json_array() : NULL;
    int status = CLI_EXIT_HITS;
    if (json && (all == NULL || each == NULL || json_object_set_new(all, "indexes", each))) {
        json_decref(all);
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i <= n && status == CLI_EXIT_HITS; i++) {
        ls_reader *r = NULL;
        if (cli_open_indexes(i < n ? dirs + i : dirs, i < n ? 1 : n, &r, NULL) != 0) {
            status = CLI_EXIT_ERROR;
            break;
        }
        if (!json && i == n)
            printf("\ntotal of %zu indexes\n", n);
        else if (!json && i > 0)
            putchar('\n');
        json_t *j = NULL;
        ls_error err = {0};
        int rc = one(r, i < n ? dirs[i] : "(all)", check && i < n, json ? &j : NULL, &err);
        if (rc == LS_OK && json && (i < n ? json_array_append_new(each, j)
                                          : json_object_set_new(all, "total", j)) != 0)
            rc = LS_ENOMEM;
        if (rc != LS_OK) {
            fflush(stdout);
            cli_error_ls(rc, &err);
            status = CLI_EXIT_ERROR;
        }
        ls_reader_close(r);
    }
    if (json && status == CLI_EXIT_HITS) {
        json_dumpf(all, stdout, JSON_INDENT(2)); /* write errors: main checks stdout */
        fputc('\n', stdout);
    }
    json_decref(all);
    return status;
}

int cli_cmd_stats(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t n = 0, n_env = 0;
    int check = 0, json = 0, status = CLI_EXIT_ERROR;
    char **env = NULL;
    if (dirs == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int p = parse(argc, argv, dirs, &n, &check, &json);
    if (p != 0) {
        status = p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
        goto done;
    }
    if (n == 0 && (env = cli_env_indexes(&n_env)) != NULL && n_env > 1) {
        status = several((const char *const *)env, n_env, check, json);
        goto done;
    }
    if (n > 1) {
        status = several(dirs, n, check, json);
        goto done;
    }
    ls_reader *r = NULL;
    char *dir = NULL;
    if (cli_open_index(n ? dirs[0] : NULL, &r, &dir) != 0)
        goto done;
    json_t *j = NULL;
    ls_error err = {0};
    int rc = one(r, dir, check, json ? &j : NULL, &err);
    if (rc == LS_OK && json) {
        json_dumpf(j, stdout, JSON_INDENT(2)); /* write errors: main checks stdout */
        fputc('\n', stdout);
    }
    json_decref(j);
    status = CLI_EXIT_HITS;
    if (rc != LS_OK) {
        fflush(stdout);
        cli_error_ls(rc, &err);
        status = CLI_EXIT_ERROR;
    }
    ls_reader_close(r);
    free(dir);
done:
    free(env);
    free(dirs);
    return status;
}
