/* SPDX-License-Identifier: MIT */
/*
 * eval_metrics.c - trec_eval's MAP, nDCG@10, P@10 and Recall@100/1000 on plain arrays, and the
 * join of a run with its qrels (sort, cut at depth 1000, average over judged queries). No I/O
 * and libc only: cmd_eval.c reads the files, tests/unit/test_eval_metrics.c checks the numbers.
 * Conventions follow trec_eval 9 (Buckley & Voorhees), nDCG after Järvelin & Kekäläinen.
 */
#include "eval_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- metrics of one ranking -------------------------------------------------------------- */

static size_t relevant_in(const int *grades, size_t n, size_t k)
{
    size_t stop = n < k ? n : k, hits = 0;
    for (size_t i = 0; i < stop; i++)
        hits += grades[i] > 0;
    return hits;
}

double cli_eval_average_precision(const int *grades, size_t n, size_t n_relevant)
{
    if (n_relevant == 0)
        return 0.0;
    double sum = 0.0;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        if (grades[i] > 0) {
            hits++;
            sum += (double)hits / (double)(i + 1);
        }
    }
    return sum / (double)n_relevant;
}

double cli_eval_precision_at(const int *grades, size_t n, size_t k)
{
    if (k == 0)
        return 0.0;
    return (double)relevant_in(grades, n, k) / (double)k;
}

double cli_eval_recall_at(const int *grades, size_t n, size_t n_relevant, size_t k)
{
    if (n_relevant == 0)
        return 0.0;
    return (double)relevant_in(grades, n, k) / (double)n_relevant;
}

double cli_eval_dcg_at(const int *grades, size_t n, size_t k)
{
    size_t stop = n < k ? n : k;
    double dcg = 0.0;
    for (size_t i = 0; i < stop; i++)
        if (grades[i] > 0)
            dcg += (double)grades[i] / log2((double)(i + 2)); /* rank r = i + 1: log2(r + 1) */
    return dcg;
}

double cli_eval_ndcg_at(const int *grades, size_t n, const int *ideal, size_t n_ideal, size_t k)
{
    double best = cli_eval_dcg_at(ideal, n_ideal, k);
    if (best <= 0.0)
        return 0.0;
    return cli_eval_dcg_at(grades, n, k) / best;
}

/* ---- ordering -------------------------------------------------------------------------- */

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/*
 * Query ids in the order people expect ("2" before "10"): all-digit ids first, by value, then
 * every other id by strcmp. Splitting the two classes keeps it a total order, which qsort
 * needs; "07" and "7" are equal in value but different ids, so strcmp settles that tie.
 */
static int qid_cmp(const char *a, const char *b)
{
    int da = all_digits(a), db = all_digits(b);
    if (da != db)
        return da ? -1 : 1;
    if (da) {
        const char *x = a, *y = b;
        while (x[0] == '0' && x[1] != '\0')
            x++;
        while (y[0] == '0' && y[1] != '\0')
            y++;
        size_t lx = strlen(x), ly = strlen(y);
        if (lx != ly)
            return lx < ly ? -1 : 1;
        int c = strcmp(x, y);
        if (c != 0)
            return c;
    }
    return strcmp(a, b);
}

/* Pointer order breaks the last tie, so the sort is deterministic and, among equal keys, the
 * entry that came first in the input comes first. */
static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

static int judgment_cmp(const void *pa, const void *pb)
{
    const cli_eval_judgment *a = *(const cli_eval_judgment *const *)pa;
    const cli_eval_judgment *b = *(const cli_eval_judgment *const *)pb;
    int c = qid_cmp(a->qid, b->qid);
    if (c == 0)
        c = strcmp(a->docid, b->docid);
    return c != 0 ? c : by_address(a, b);
}

static int line_by_doc(const void *pa, const void *pb)
{
    const cli_eval_line *a = *(const cli_eval_line *const *)pa;
    const cli_eval_line *b = *(const cli_eval_line *const *)pb;
    int c = qid_cmp(a->qid, b->qid);
    if (c == 0)
        c = strcmp(a->docid, b->docid);
    return c != 0 ? c : by_address(a, b);
}

/* trec_eval's ranking: score descending, then docid descending. trec_eval keeps scores as
 * float, so scores equal in single precision tie here too. */
static int line_by_rank(const void *pa, const void *pb)
{
    const cli_eval_line *a = *(const cli_eval_line *const *)pa;
    const cli_eval_line *b = *(const cli_eval_line *const *)pb;
    int c = qid_cmp(a->qid, b->qid);
    if (c != 0)
        return c;
    float sa = (float)a->score, sb = (float)b->score;
    if (sa != sb)
        return sa > sb ? -1 : 1;
    c = strcmp(b->docid, a->docid);
    return c != 0 ? c : by_address(a, b);
}

static int grade_desc(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return a > b ? -1 : a < b;
}

/*
 * After sorting by (qid, docid, address), a repeat sits right after its first occurrence.
 * Returns the smallest input index among the repeats, or SIZE_MAX when there is none.
 */
static size_t first_repeat_judgment(const cli_eval_judgment **p, size_t n,
                                    const cli_eval_judgment *base)
{
    size_t bad = SIZE_MAX;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(p[i]->qid, p[i - 1]->qid) == 0 && strcmp(p[i]->docid, p[i - 1]->docid) == 0 &&
            (size_t)(p[i] - base) < bad)
            bad = (size_t)(p[i] - base);
    }
    return bad;
}

static size_t first_repeat_line(const cli_eval_line **p, size_t n, const cli_eval_line *base)
{
    size_t bad = SIZE_MAX;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(p[i]->qid, p[i - 1]->qid) == 0 && strcmp(p[i]->docid, p[i - 1]->docid) == 0 &&
            (size_t)(p[i] - base) < bad)
            bad = (size_t)(p[i] - base);
    }
    return bad;
}

/* ---- the join ---------------------------------------------------------------------------- */

/* A query's judgments, sorted by docid: the grade of docid, 0 when it is not judged. */
static int grade_of(const cli_eval_judgment **j, size_t n, const char *docid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(j[mid]->docid, docid);
        if (c == 0)
            return j[mid]->grade;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

typedef struct join_state {
    const cli_eval_judgment **jp; /* judgments by (qid, docid) */
    size_t n_qrels;
    const cli_eval_line **rp; /* run lines by (qid, rank) */
    size_t n_run;
    size_t r;   /* next unvisited run line */
    int *ideal; /* scratch: one query's grades, n_qrels long */
    int grades[CLI_EVAL_DEPTH];
} join_state;

/* Scores the query whose judgments are jp[from..to); it has n_relevant > 0. */
static void score_query(join_state *st, size_t from, size_t to, size_t n_relevant,
                        cli_eval_query *q, cli_eval_report *rep)
{
    const char *qid = st->jp[from]->qid;
    /* Run queries that sort before this one have no relevant judgment. */
    while (st->r < st->n_run && qid_cmp(st->rp[st->r]->qid, qid) < 0) {
        const char *skip = st->rp[st->r]->qid;
        rep->n_unjudged++;
        while (st->r < st->n_run && strcmp(st->rp[st->r]->qid, skip) == 0)
            st->r++;
    }
    size_t n = 0;
    while (st->r < st->n_run && strcmp(st->rp[st->r]->qid, qid) == 0) {
        if (n < CLI_EVAL_DEPTH)
            st->grades[n++] = grade_of(st->jp + from, to - from, st->rp[st->r]->docid);
        st->r++;
    }
    if (n == 0)
        rep->n_missing++;
    for (size_t i = from; i < to; i++)
        st->ideal[i - from] = st->jp[i]->grade;
    qsort(st->ideal, to - from, sizeof *st->ideal, grade_desc);

    q->qid = qid;
    q->n_relevant = n_relevant;
    q->n_retrieved = n;
    q->n_relevant_retrieved = relevant_in(st->grades, n, n);
    q->scores.ap = cli_eval_average_precision(st->grades, n, n_relevant);
    q->scores.ndcg10 = cli_eval_ndcg_at(st->grades, n, st->ideal, to - from, 10);
    q->scores.p10 = cli_eval_precision_at(st->grades, n, 10);
    q->scores.recall100 = cli_eval_recall_at(st->grades, n, n_relevant, 100);
    q->scores.recall1000 = cli_eval_recall_at(st->grades, n, n_relevant, 1000);
}

/* Walks the judged queries in order, scoring those with a relevant document. */
static void join(join_state *st, cli_eval_report *rep)
{
    size_t from = 0;
    while (from < st->n_qrels) {
        size_t to = from, n_relevant = 0;
        while (to < st->n_qrels && strcmp(st->jp[to]->qid, st->jp[from]->qid) == 0)
            n_relevant += st->jp[to++]->grade > 0;
        if (n_relevant > 0)
            score_query(st, from, to, n_relevant, &rep->queries[rep->n_queries++], rep);
        from = to;
    }
    while (st->r < st->n_run) {
        const char *skip = st->rp[st->r]->qid;
        rep->n_unjudged++;
        while (st->r < st->n_run && strcmp(st->rp[st->r]->qid, skip) == 0)
            st->r++;
    }
}

static void average(cli_eval_report *rep)
{
    cli_eval_scores m = {0.0, 0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < rep->n_queries; i++) {
        const cli_eval_scores *s = &rep->queries[i].scores;
        m.ap += s->ap;
        m.ndcg10 += s->ndcg10;
        m.p10 += s->p10;
        m.recall100 += s->recall100;
        m.recall1000 += s->recall1000;
    }
    if (rep->n_queries > 0) {
        double n = (double)rep->n_queries;
        m.ap /= n;
        m.ndcg10 /= n;
        m.p10 /= n;
        m.recall100 /= n;
        m.recall1000 /= n;
    }
    rep->mean = m;
}

static void *alloc_array(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / size)
        return NULL;
    return malloc(n * size);
}

int cli_eval_run(const cli_eval_judgment *qrels, size_t n_qrels, const cli_eval_line *run,
                 size_t n_run, cli_eval_report *out, size_t *bad_out)
{
    memset(out, 0, sizeof *out);
    int rc = CLI_EVAL_ENOMEM;
    size_t bad = SIZE_MAX;
    join_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return CLI_EVAL_ENOMEM;
    st->jp = alloc_array(n_qrels, sizeof *st->jp);
    st->rp = alloc_array(n_run, sizeof *st->rp);
    st->ideal = alloc_array(n_qrels, sizeof *st->ideal);
    /* At most one judged query per judgment. */
    out->queries = alloc_array(n_qrels, sizeof *out->queries);
    if (st->jp == NULL || st->rp == NULL || st->ideal == NULL || out->queries == NULL)
        goto fail;
    st->n_qrels = n_qrels;
    st->n_run = n_run;
    for (size_t i = 0; i < n_qrels; i++)
        st->jp[i] = &qrels[i];
    for (size_t i = 0; i < n_run; i++)
        st->rp[i] = &run[i];

    qsort(st->jp, n_qrels, sizeof *st->jp, judgment_cmp);
    if ((bad = first_repeat_judgment(st->jp, n_qrels, qrels)) != SIZE_MAX) {
        rc = CLI_EVAL_EDUP_JUDGMENT;
        goto fail;
    }
    qsort(st->rp, n_run, sizeof *st->rp, line_by_doc);
    if ((bad = first_repeat_line(st->rp, n_run, run)) != SIZE_MAX) {
        rc = CLI_EVAL_EDUP_LINE;
        goto fail;
    }
    qsort(st->rp, n_run, sizeof *st->rp, line_by_rank);

    join(st, out);
    average(out);
    rc = CLI_EVAL_OK;
fail:
    if (rc != CLI_EVAL_OK) {
        cli_eval_report_free(out);
        if (bad_out != NULL)
            *bad_out = bad;
    }
    free(st->jp);
    free(st->rp);
    free(st->ideal);
    free(st);
    return rc;
}

void cli_eval_report_free(cli_eval_report *r)
{
    if (r == NULL)
        return;
    free(r->queries);
    memset(r, 0, sizeof *r);
}
