/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.c - `cisearch eval`: reads TREC qrels ("qid 0 docid rel") and a TREC run
 * ("qid Q0 docid rank score tag"), scores the run with eval_metrics.c (MAP, nDCG@10, P@10,
 * Recall@100, Recall@1000, trec_eval's conventions) and prints a small table or JSON.
 * Owns the file parsing and its "FILE:LINE: ..." messages; no metric arithmetic lives here.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "eval_metrics.h"
#include "out.h"

enum { OPT_QRELS = 1, OPT_FORMAT, OPT_PER_QUERY };

static const cli_option eval_opts[] = {
    {"qrels", 'q', 1, OPT_QRELS},
    {"format", 'f', 1, OPT_FORMAT},
    {"per-query", 0, 0, OPT_PER_QUERY},
    {NULL, 0, 0, 0},
};

void cli_help_eval(FILE *f)
{
    fputs("Usage: cisearch eval [--qrels FILE] [--format text|json] [--per-query] RUN\n"
          "       cisearch eval [OPTIONS] QRELS RUN\n"
          "\n"
          "Scores a TREC run (\"qid Q0 docid rank score tag\" lines, as written by\n"
          "'cisearch search --format trec') against relevance judgments (\"qid 0 docid rel\";\n"
          "rel > 0 is relevant, grades above 1 count for nDCG). As trec_eval: lines sorted\n"
          "by score, ties by docid descending, the first 1000 per query; the means are over\n"
          "the queries with a relevant judgment, and such a query missing from the run\n"
          "scores 0. Metrics: MAP, nDCG@10, P@10, Recall@100, Recall@1000.\n"
          "  -q, --qrels FILE   the judgments (default: qrels.txt in the current directory)\n"
          "  -f, --format FMT   text (default) or json\n"
          "      --per-query    also show every query's figures\n"
          "  -h, --help         show this help\n"
          "RUN or QRELS may be - for stdin.\n"
          "\n"
          "Exit status: 0 success, 2 error.\n",
          f);
}

typedef struct eval_cfg {
    const char *qrels;
    const char *run;
    int json;
    int per_query;
} eval_cfg;

/* A whole input file, cut into fields in place; line[i] is the line number of record i. */
typedef struct eval_file {
    const char *path; /* "-" = stdin */
    const char *name; /* for messages */
    char *buf;
    size_t *line;
    size_t n;
} eval_file;

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, eval_cfg *cfg)
{
    cli_args a;
    const char *v, *pos[2] = {NULL, NULL};
    int id, n_pos = 0;
    cli_args_init(&a, argc, argv, eval_opts, "eval");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_OPT_HELP) {
            cli_help_eval(stdout);
            return 1;
        } else if (id == OPT_QRELS) {
            cfg->qrels = v;
        } else if (id == OPT_FORMAT) {
            if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
                return cli_usage_error("eval", "unknown format '%s' (use text or json)", v), -1;
            cfg->json = strcmp(v, "json") == 0;
        } else if (id == OPT_PER_QUERY) {
            cfg->per_query = 1;
        } else if (id == CLI_ARG_POSITIONAL) {
            if (n_pos == 2)
                return cli_usage_error("eval", "unexpected argument '%s'", v), -1;
            pos[n_pos++] = v;
        } else {
            return -1;
        }
    }
    if (n_pos == 0)
        return cli_usage_error("eval", "missing the RUN file"), -1;
    if (n_pos == 2 && cfg->qrels != NULL)
        return cli_usage_error("eval", "give the qrels either as --qrels or as QRELS, not both"),
               -1;
    cfg->run = pos[n_pos - 1];
    if (n_pos == 2)
        cfg->qrels = pos[0];
    if (cfg->qrels == NULL) {
        cfg->qrels = "qrels.txt";
        if (access(cfg->qrels, F_OK) != 0)
            return cli_usage_error("eval", "no qrels: give --qrels FILE (there is no qrels.txt "
                                           "in the current directory)"),
                   -1;
    }
    if (strcmp(cfg->qrels, "-") == 0 && strcmp(cfg->run, "-") == 0)
        return cli_usage_error("eval", "only one of QRELS and RUN can be stdin"), -1;
    return 0;
}

/* Reads all of `path` ("-" = stdin) into a NUL-terminated buffer. @return 0 or -1. */
static int slurp(const char *path, const char *name, char **buf_out, size_t *len_out)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_error("cannot open %s: %s", name, strerror(errno));
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *nb = cap > (SIZE_MAX - 1) / 2 ? NULL : realloc(buf, cap * 2 + 1);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = buf != NULL && ferror(f);
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (buf == NULL || bad) {
        if (buf == NULL)
            cli_error("out of memory reading %s", name);
        else
            cli_error("cannot read %s: %s", name, strerror(saved));
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    *buf_out = buf;
    *len_out = len;
    return 0;
}

/* Cuts a line into blank-separated fields, NUL-terminating each; stores up to max of them
 * and returns how many there are. */
static size_t split(char *s, char **fields, size_t max)
{
    size_t n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
            s++;
        if (*s == '\0')
            return n;
        char *start = s;
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' && *s != '\f')
            s++;
        int more = *s != '\0';
        *s = '\0';
        if (n < max)
            fields[n] = start;
        n++;
        if (more)
            s++;
    }
}

typedef int (*record_fn)(char **fields, size_t n_fields, const char *name, size_t lineno,
                         void *records, size_t i);

/*
 * Reads `name` and hands every non-blank line, split into fields, to `fn` as record i of
 * `records` (an array of `size` bytes per record, grown here). @return 0, or -1 after printing.
 */
static int read_records(eval_file *f, size_t want, record_fn fn, void **records, size_t size)
{
    size_t len = 0, cap = 0, lineno = 0;
    if (slurp(f->path, f->name, &f->buf, &len) != 0)
        return -1;
    char *p = f->buf, *end = f->buf + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        lineno++;
        if (memchr(p, '\0', (size_t)(stop - p)) != NULL) {
            cli_error("%s:%zu: the line holds a NUL byte", f->name, lineno);
            return -1;
        }
        *stop = '\0';
        char *fields[6];
        size_t n_fields = split(p, fields, want);
        p = stop + 1;
        if (n_fields == 0)
            continue;
        if (f->n == cap) {
            cap = cap ? cap * 2 : 1024;
            void *nr = cap > SIZE_MAX / size ? NULL : realloc(*records, cap * size);
            size_t *nlines = nr ? realloc(f->line, cap * sizeof *f->line) : NULL;
            if (nr != NULL)
                *records = nr;
            if (nlines == NULL) {
                cli_error("out of memory reading %s", f->name);
                return -1;
            }
            f->line = nlines;
        }
        if (fn(fields, n_fields, f->name, lineno, *records, f->n) != 0)
            return -1;
        f->line[f->n++] = lineno;
    }
    return 0;
}

/* "qid iter docid rel"; rel is an integer grade. */
static int qrels_record(char **fields, size_t n_fields, const char *name, size_t lineno,
                        void *records, size_t i)
{
    if (n_fields != 4) {
        cli_error("%s:%zu: expected 4 fields (qid iter docid rel), found %zu", name, lineno,
                  n_fields);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long rel = strtol(fields[3], &end, 10);
    if (errno != 0 || end == fields[3] || *end != '\0' || rel < INT_MIN || rel > INT_MAX) {
        cli_error("%s:%zu: the relevance '%s' is not an integer in int range", name, lineno,
                  fields[3]);
        return -1;
    }
    cli_eval_judgment *j = (cli_eval_judgment *)records + i;
    j->qid = fields[0];
    j->docid = fields[2];
    j->grade = (int)rel;
    return 0;
}

/* "qid Q0 docid rank score tag"; like trec_eval, only qid, docid and score matter. */
static int run_record(char **fields, size_t n_fields, const char *name, size_t lineno,
                      void *records, size_t i)
{
    if (n_fields != 6) {
        cli_error("%s:%zu: expected 6 fields (qid Q0 docid rank score tag), found %zu", name,
                  lineno, n_fields);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    double score = strtod(fields[4], &end);
    if (errno == ERANGE || end == fields[4] || *end != '\0' || !isfinite(score)) {
        cli_error("%s:%zu: the score '%s' is not a finite number", name, lineno, fields[4]);
        return -1;
    }
    cli_eval_line *l = (cli_eval_line *)records + i;
    l->qid = fields[0];
    l->docid = fields[2];
    l->score = score;
    return 0;
}

/* ---- output -------------------------------------------------------------------------- */

static void totals(const cli_eval_report *rep, size_t *rel, size_t *ret, size_t *relret)
{
    *rel = *ret = *relret = 0;
    for (size_t i = 0; i < rep->n_queries; i++) {
        *rel += rep->queries[i].n_relevant;
        *ret += rep->queries[i].n_retrieved;
        *relret += rep->queries[i].n_relevant_retrieved;
    }
}

static void print_text(const cli_eval_report *rep, const eval_cfg *cfg)
{
    if (cfg->per_query) {
        printf("%-10s %8s %9s %7s %7s %8s %7s %7s %7s\n", "qid", "relevant", "retrieved", "rel_ret",
               "AP", "nDCG@10", "P@10", "R@100", "R@1000");
        for (size_t i = 0; i < rep->n_queries; i++) {
            const cli_eval_query *q = &rep->queries[i];
            printf("%-10s %8zu %9zu %7zu %7.4f %8.4f %7.4f %7.4f %7.4f\n", q->qid, q->n_relevant,
                   q->n_retrieved, q->n_relevant_retrieved, q->scores.ap, q->scores.ndcg10,
                   q->scores.p10, q->scores.recall100, q->scores.recall1000);
        }
        putchar('\n');
    }
    size_t rel, ret, relret;
    totals(rep, &rel, &ret, &relret);
    printf("queries      %zu with a relevant judgment (%zu of them missing from the run: "
           "scored 0)\n",
           rep->n_queries, rep->n_missing);
    if (rep->n_unjudged > 0)
        printf("ignored      %zu run quer%s without a relevant judgment\n", rep->n_unjudged,
               rep->n_unjudged == 1 ? "y" : "ies");
    printf("relevant     %zu (retrieved %zu of them in %zu lines)\n", rel, relret, ret);
    printf("MAP          %.4f\n", rep->mean.ap);
    printf("nDCG@10      %.4f\n", rep->mean.ndcg10);
    printf("P@10         %.4f\n", rep->mean.p10);
    printf("Recall@100   %.4f\n", rep->mean.recall100);
    printf("Recall@1000  %.4f\n", rep->mean.recall1000);
}

/* A JSON string; ids with invalid UTF-8 get U+FFFD rather than failing. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j != NULL)
        return j;
    cli_buf fixed = CLI_BUF_INIT;
    if (cli_utf8_fix(s, strlen(s), &fixed) == 0)
        j = json_stringn(fixed.p ? fixed.p : "", fixed.len);
    cli_buf_free(&fixed);
    return j;
}

/* Adds the five metrics under trec_eval's names; @return 0 or -1 out of memory. */
static int put_scores(json_t *o, const cli_eval_scores *s)
{
    return json_object_set_new(o, "map", json_real(s->ap)) != 0 ||
                   json_object_set_new(o, "ndcg_cut_10", json_real(s->ndcg10)) != 0 ||
                   json_object_set_new(o, "P_10", json_real(s->p10)) != 0 ||
                   json_object_set_new(o, "recall_100", json_real(s->recall100)) != 0 ||
                   json_object_set_new(o, "recall_1000", json_real(s->recall1000)) != 0
               ? -1
               : 0;
}

static json_t *query_json(const cli_eval_query *q)
{
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "qid", jstr(q->qid)) != 0 ||
        json_object_set_new(o, "relevant", json_integer((json_int_t)q->n_relevant)) != 0 ||
        json_object_set_new(o, "retrieved", json_integer((json_int_t)q->n_retrieved)) != 0 ||
        json_object_set_new(o, "relevant_retrieved",
                            json_integer((json_int_t)q->n_relevant_retrieved)) != 0 ||
        put_scores(o, &q->scores) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int print_json(const cli_eval_report *rep, const eval_cfg *cfg)
{
    size_t rel, ret, relret;
    totals(rep, &rel, &ret, &relret);
    json_t *o = json_object(), *per = cfg->per_query ? json_array() : NULL;
    int rc = o == NULL || (cfg->per_query && per == NULL) ? -1 : 0;
    if (rc == 0 &&
        (json_object_set_new(o, "qrels", jstr(cfg->qrels)) != 0 ||
         json_object_set_new(o, "run", jstr(cfg->run)) != 0 ||
         json_object_set_new(o, "queries", json_integer((json_int_t)rep->n_queries)) != 0 ||
         json_object_set_new(o, "ignored_queries", json_integer((json_int_t)rep->n_unjudged)) ||
         json_object_set_new(o, "missing_queries", json_integer((json_int_t)rep->n_missing)) ||
         json_object_set_new(o, "relevant", json_integer((json_int_t)rel)) != 0 ||
         json_object_set_new(o, "retrieved", json_integer((json_int_t)ret)) != 0 ||
         json_object_set_new(o, "relevant_retrieved", json_integer((json_int_t)relret)) != 0 ||
         put_scores(o, &rep->mean) != 0))
        rc = -1;
    for (size_t i = 0; rc == 0 && per != NULL && i < rep->n_queries; i++)
        if (json_array_append_new(per, query_json(&rep->queries[i])) != 0)
            rc = -1;
    if (rc == 0 && per != NULL) {
        rc = json_object_set_new(o, "per_query", per);
        per = NULL; /* set_new consumed it, even on failure */
    }
    char *text = rc == 0 ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(per);
    json_decref(o);
    if (text == NULL)
        return -1;
    puts(text);
    free(text);
    return 0;
}

/* ---- the command --------------------------------------------------------------------- */

static int score(const eval_cfg *cfg, const eval_file *qf, const cli_eval_judgment *qrels,
                 const eval_file *rf, const cli_eval_line *run)
{
    cli_eval_report rep;
    size_t bad = 0;
    int rc = cli_eval_run(qrels, qf->n, run, rf->n, &rep, &bad);
    if (rc == CLI_EVAL_EDUP_JUDGMENT) {
        cli_error("%s:%zu: document %s is judged twice for query %s", qf->name, qf->line[bad],
                  qrels[bad].docid, qrels[bad].qid);
        return CLI_EXIT_ERROR;
    }
    if (rc == CLI_EVAL_EDUP_LINE) {
        cli_error("%s:%zu: document %s is retrieved twice for query %s", rf->name, rf->line[bad],
                  run[bad].docid, run[bad].qid);
        return CLI_EXIT_ERROR;
    }
    if (rc != CLI_EVAL_OK) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int status = CLI_EXIT_HITS;
    if (rep.n_queries == 0) {
        cli_error("%s: no query has a relevant document (rel > 0)", qf->name);
        status = CLI_EXIT_ERROR;
    } else if (cfg->json ? print_json(&rep, cfg) != 0 : (print_text(&rep, cfg), 0)) {
        cli_error("out of memory");
        status = CLI_EXIT_ERROR;
    }
    cli_eval_report_free(&rep);
    return status;
}

int cli_cmd_eval(int argc, char **argv)
{
    eval_cfg cfg = {NULL, NULL, 0, 0};
    int p = parse(argc, argv, &cfg);
    if (p != 0)
        return p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    eval_file qf = {cfg.qrels, strcmp(cfg.qrels, "-") == 0 ? "stdin" : cfg.qrels, NULL, NULL, 0};
    eval_file rf = {cfg.run, strcmp(cfg.run, "-") == 0 ? "stdin" : cfg.run, NULL, NULL, 0};
    void *qrels = NULL, *run = NULL;
    int status = CLI_EXIT_ERROR;
    if (read_records(&qf, 4, qrels_record, &qrels, sizeof(cli_eval_judgment)) != 0 ||
        read_records(&rf, 6, run_record, &run, sizeof(cli_eval_line)) != 0)
        goto done;
    if (rf.n == 0)
        cli_warn("%s: the run has no lines: every query scores 0", rf.name);
    status = score(&cfg, &qf, qrels, &rf, run);
done:
    free(qrels);
    free(run);
    free(qf.buf);
    free(rf.buf);
    free(qf.line);
    free(rf.line);
    return status;
}
