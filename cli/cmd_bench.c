/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench.c - `cisearch bench`: query latency through the public API, the way bench/ drives
 * every engine. Opens the index once, runs every query of the file once to warm up, then each
 * query R times in turn and prints one line per query, `latency_us<TAB>hits<TAB>query`, the
 * latency being the median of the R runs (CLOCK_MONOTONIC around ls_search and ls_hits_free).
 * Searches are BM25 with the defaults, no feedback, no proximity, no snippets, no title
 * weighting (the peers' work: title and body as one text) unless asked; -k 0 counts the
 * matches without returning any. Query lines use the strict syntax (`+a +b`, `a b`, `"a b"`,
 * `abc*`); a line that does not parse is an error naming it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { OPT_INDEX = 1, OPT_QUERIES, OPT_K, OPT_REPEAT, OPT_AND, OPT_TITLE_WEIGHT };

static const cli_option bench_opts[] = {
    {"index", 'i', 1, OPT_INDEX}, {"queries", 'q', 1, OPT_QUERIES}, {"k", 'k', 1, OPT_K},
    {"repeat", 'r', 1, OPT_REPEAT}, {"and", 0, 0, OPT_AND},
    {"title-weight", 0, 1, OPT_TITLE_WEIGHT}, {NULL, 0, 0, 0},
};

#define MAX_REPEAT 100000

void cli_help_bench(FILE *f)
{
    fputs("Usage: cisearch bench [--index DIR] --queries FILE [-k N] [--repeat R] [--and]\n"
          "                      [--title-weight X]\n"
          "\n"
          "Times queries through the library: opens the index once, runs every query once\n"
          "to warm up, then each query R times, and prints one line per query:\n"
          "latency_us<TAB>hits<TAB>query (the median of the R runs; hits = all matches,\n"
          "counted once more outside the timed runs, as the searches may stop counting\n"
          "past 1000 matches when the rest cannot reach the top k).\n"
          "BM25 with the default k1 and b; no feedback, proximity or snippets; titles\n"
          "count as body text (the peers' setting) unless --title-weight is given.\n"
          "  -i, --index DIR    the index (default: $CISEARCH_INDEX, else the seeds);\n"
          "                     repeated: several indexes searched as one\n"
          "  -q, --queries FILE one query per line, strict syntax (- = stdin); blank lines\n"
          "                     are skipped\n"
          "  -k N               hits returned per query (default 10; 0 = count only)\n"
          "  -r, --repeat R     timed runs per query (default 5, up to 100000)\n"
          "      --and          juxtaposed words must all match\n"
          "      --title-weight X  title weighting as cisearch search has it (default 0)\n"
          "  -h, --help         show this help\n"
          "\n"
          "A summary (queries, runs, mean and total of the medians, the time the index\n"
          "took to open) goes to stderr.\n"
          "Exit status: 0 when every query ran, 2 on an error.\n",
          f);
}

typedef struct bench_query {
    char *text;
    size_t len;
    size_t line;
} bench_query;

static void free_queries(bench_query *qs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(qs[i].text);
    free(qs);
}

/* Reads the non-blank lines of name (- = stdin). @return 0, or -1 after an error message. */
static int read_queries(const char *name, bench_query **out, size_t *n_out)
{
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
    if (f == NULL) {
        cli_error("cannot open '%s': %s", name, strerror(errno));
        return -1;
    }
    bench_query *qs = NULL;
    size_t n = 0, cap = 0, line_no = 0, linecap = 0;
    char *line = NULL;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &linecap, f)) >= 0) {
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        size_t blank = strspn(line, " \t");
        if ((size_t)len == blank)
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            bench_query *nq = realloc(qs, ncap * sizeof *nq);
            if (nq == NULL) {
                rc = -1;
                break;
            }
            qs = nq;
            cap = ncap;
        }
        qs[n].text = strdup(line);
        if (qs[n].text == NULL) {
            rc = -1;
            break;
        }
        qs[n].len = (size_t)len;
        qs[n].line = line_no;
        n++;
    }
    if (rc == 0 && ferror(f)) {
        cli_error("cannot read '%s': %s", name, strerror(errno));
        rc = -2;
    } else if (rc == -1) {
        cli_error("out of memory reading '%s'", name);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        free_queries(qs, n);
        return -1;
    }
    *out = qs;
    *n_out = n;
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One search, timed; *hits = its total. @return 0, or -1 after an error message. */
static int run_once(const ls_reader *r, const bench_query *q, const ls_search_options *so,
                    double *us, uint64_t *hits)
{
    ls_hits *h = NULL;
    ls_error err;
    double t0 = now_us();
    int rc = ls_search(r, q->text, q->len, so, &h, &err);
    if (rc == LS_OK)
        *hits = ls_hits_total(h);
    ls_hits_free(h);
    *us = now_us() - t0;
    if (rc != LS_OK) {
        cli_error("query on line %zu ('%s'): %s", q->line, q->text,
                  err.message[0] ? err.message : ls_strerror(rc));
        return -1;
    }
    return 0;
}

int cli_cmd_bench(int argc, char **argv)
{
    const char *indexes[CLI_MAX_INDEX_OPTIONS], *queries = NULL, *v;
    size_t n_indexes = 0;
    size_t k = 10, repeat = 5;
    int id, default_and = 0;
    double title_weight = 0;
    cli_args a;
    cli_args_init(&a, argc, argv, bench_opts, "bench");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_bench(stdout);
            return CLI_EXIT_HITS;
        }
        if (id == OPT_INDEX && n_indexes == CLI_MAX_INDEX_OPTIONS)
            return cli_usage_error("bench", "more than %d --index options",
                                   CLI_MAX_INDEX_OPTIONS);
        else if (id == OPT_INDEX)
            indexes[n_indexes++] = v;
        else if (id == OPT_QUERIES)
            queries = v;
        else if (id == OPT_AND)
            default_and = 1;
        else if (id == OPT_TITLE_WEIGHT) {
            if (cli_parse_real("bench", "--title-weight", v, 0, LS_MAX_TITLE_WEIGHT,
                               &title_weight) != 0)
                return CLI_EXIT_ERROR;
        }
        else if (id == OPT_K) {
            if (cli_parse_count("bench", "-k", v, &k) != 0)
                return CLI_EXIT_ERROR;
        } else if (id == OPT_REPEAT) {
            if (cli_parse_count("bench", "--repeat", v, &repeat) != 0)
                return CLI_EXIT_ERROR;
            if (repeat < 1 || repeat > MAX_REPEAT)
                return cli_usage_error("bench", "--repeat wants 1 to %d runs, not '%s'",
                                       MAX_REPEAT, v);
        } else if (id == CLI_ARG_POSITIONAL) {
            return cli_usage_error("bench", "unexpected argument '%s' (queries come from "
                                            "--queries FILE)", v);
        } else {
            return CLI_EXIT_ERROR;
        }
    }
    if (queries == NULL)
        return cli_usage_error("bench", "--queries FILE is required");
    bench_query *qs;
    size_t n;
    if (read_queries(queries, &qs, &n) != 0)
        return CLI_EXIT_ERROR;
    ls_reader *r;
    double open_t0 = now_us();
    if (cli_open_indexes(indexes, n_indexes, &r, NULL) != 0) {
        free_queries(qs, n);
        return CLI_EXIT_ERROR;
    }
    double open_us = now_us() - open_t0;
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = k;
    so.syntax = LS_SYNTAX_STRICT;
    so.default_and = default_and;
    so.snippets = 0;
    so.feedback_docs = 0;
    so.proximity = 0;
    so.title_weight = title_weight;
    double *runs = malloc(repeat * sizeof *runs);
    int status = runs != NULL ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    if (runs == NULL)
        cli_error("out of memory");
    double us;
    uint64_t hits = 0;
    for (size_t i = 0; i < n && status == CLI_EXIT_HITS; i++) /* warm-up */
        if (run_once(r, &qs[i], &so, &us, &hits) != 0)
            status = CLI_EXIT_ERROR;
    double total = 0;
    for (size_t i = 0; i < n && status == CLI_EXIT_HITS; i++) {
        for (size_t j = 0; j < repeat && status == CLI_EXIT_HITS; j++)
            if (run_once(r, &qs[i], &so, &runs[j], &hits) != 0)
                status = CLI_EXIT_ERROR;
        if (status != CLI_EXIT_HITS)
            break;
        if (status == CLI_EXIT_HITS && k > 0) { /* the exact count, untimed */
            ls_search_options count = so;
            count.limit = 0;
            if (run_once(r, &qs[i], &count, &us, &hits) != 0)
                status = CLI_EXIT_ERROR;
        }
        if (status != CLI_EXIT_HITS)
            break;
        qsort(runs, repeat, sizeof *runs, cmp_double);
        double med = repeat % 2 ? runs[repeat / 2]
                                : (runs[repeat / 2 - 1] + runs[repeat / 2]) / 2;
        total += med;
        printf("%.2f\t%llu\t%s\n", med, (unsigned long long)hits, qs[i].text);
    }
    if (status == CLI_EXIT_HITS)
        fprintf(stderr, "bench: %zu queries, %zu timed runs each; median latency: mean %.2f us, "
                        "sum %.1f ms; open %.1f us\n",
                n, repeat, n ? total / (double)n : 0.0, total / 1e3, open_us);
    if (fflush(stdout) != 0 && status == CLI_EXIT_HITS) {
        cli_error("cannot write the results: %s", strerror(errno));
        status = CLI_EXIT_ERROR;
    }
    free(runs);
    ls_reader_close(r);
    free_queries(qs, n);
    return status;
}
