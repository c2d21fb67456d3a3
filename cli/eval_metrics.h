/* SPDX-License-Identifier: MIT */
/*
 * eval_metrics.h - the relevance metrics of `cisearch eval`, computed as trec_eval does (see
 * docs/RELEVANCE.md): MAP, nDCG@10, P@10, Recall@100 and Recall@1000 per query, then the mean
 * over the queries with at least one relevant judgment. Pure code on arrays: no I/O, libc only,
 * so the unit tests call it directly. Reading qrels and runs is cmd_eval.c's job.
 */
#ifndef CISEARCH_EVAL_METRICS_H
#define CISEARCH_EVAL_METRICS_H

#include <stddef.h>

/** Run lines used per query: the first 1000 after sorting, as trec_eval's usual depth. */
#define CLI_EVAL_DEPTH 1000

/* ---- metrics of one ranking -------------------------------------------------------------- */
/*
 * `grades[i]` is the qrels grade of the document at rank i + 1 (0 when unjudged; a document is
 * relevant when its grade is > 0, and negative grades count as 0). The ranking is used as
 * given: the caller sorts and cuts it at CLI_EVAL_DEPTH. `n_relevant` is the number of
 * documents with grade > 0 in the qrels of the query, retrieved or not.
 */

/**
 * Average precision: the sum of P@r over the ranks r holding a relevant document, divided by
 * n_relevant. @return a value in [0, 1]; 0 when n_relevant is 0.
 */
double cli_eval_average_precision(const int *grades, size_t n, size_t n_relevant);

/** P@k: relevant documents in the first k, divided by k even when n < k. 0 when k is 0. */
double cli_eval_precision_at(const int *grades, size_t n, size_t k);

/** Recall@k: relevant documents in the first k, divided by n_relevant (0 when that is 0). */
double cli_eval_recall_at(const int *grades, size_t n, size_t n_relevant, size_t k);

/** DCG@k: the sum over the first k ranks r of grade / log2(r + 1). */
double cli_eval_dcg_at(const int *grades, size_t n, size_t k);

/**
 * nDCG@k: DCG@k of the ranking over DCG@k of the ideal ranking.
 * @param ideal the grades of every judged document of the query, sorted descending.
 * @return a value in [0, 1]; 0 when the ideal DCG is 0 (no relevant document).
 */
double cli_eval_ndcg_at(const int *grades, size_t n, const int *ideal, size_t n_ideal, size_t k);

/* ---- a whole run against qrels --------------------------------------------------------- */

/** One qrels line: `qid 0 docid grade`. Strings are borrowed. */
typedef struct cli_eval_judgment {
    const char *qid;
    const char *docid;
    int grade;
} cli_eval_judgment;

/** One run line: `qid Q0 docid rank score tag`; the rank column is ignored, as trec_eval
 *  does. Strings are borrowed; the score must be finite. */
typedef struct cli_eval_line {
    const char *qid;
    const char *docid;
    double score;
} cli_eval_line;

typedef struct cli_eval_scores {
    double ap; /* its mean is MAP */
    double ndcg10;
    double p10;
    double recall100;
    double recall1000;
} cli_eval_scores;

/** The figures of one judged query. */
typedef struct cli_eval_query {
    const char *qid;             /* borrowed from the judgments */
    size_t n_relevant;           /* grade > 0 in the qrels */
    size_t n_retrieved;          /* run lines used, at most CLI_EVAL_DEPTH */
    size_t n_relevant_retrieved; /* of those, relevant */
    cli_eval_scores scores;
} cli_eval_query;

typedef struct cli_eval_report {
    cli_eval_query *queries; /* the queries with a relevant judgment, in qid order (numeric
                                ids by value first, then the others by strcmp); malloc'd */
    size_t n_queries;
    cli_eval_scores mean; /* mean of each metric over queries; all 0 when n_queries is 0 */
    size_t n_unjudged;    /* run queries with no relevant judgment: ignored */
    size_t n_missing;     /* judged queries without a run line: scored 0 */
} cli_eval_report;

/* cli_eval_run's results. */
#define CLI_EVAL_OK 0
#define CLI_EVAL_ENOMEM (-1)
#define CLI_EVAL_EDUP_JUDGMENT (-2) /* a (qid, docid) judged twice */
#define CLI_EVAL_EDUP_LINE (-3)     /* a document retrieved twice for a query */

/**
 * Scores a run against qrels the way trec_eval does: per query, lines sorted by score
 * descending and equal scores by docid descending (strcmp), the first CLI_EVAL_DEPTH kept;
 * scores are compared in single precision, as trec_eval stores them;
 * run queries without judgments are ignored, judged queries without lines score 0.
 * Neither input array is modified.
 * @param[out] out the report, to free with cli_eval_report_free (zeroed on failure).
 * @param[out] bad_out on a CLI_EVAL_EDUP_* result, the index (into qrels or run) of the
 *             earliest entry that repeats an earlier one; may be NULL.
 * @return CLI_EVAL_OK, CLI_EVAL_ENOMEM, CLI_EVAL_EDUP_JUDGMENT or CLI_EVAL_EDUP_LINE.
 */
int cli_eval_run(const cli_eval_judgment *qrels, size_t n_qrels, const cli_eval_line *run,
                 size_t n_run, cli_eval_report *out, size_t *bad_out);

/** Frees what cli_eval_run allocated; accepts NULL and a zeroed report. */
void cli_eval_report_free(cli_eval_report *r);

#endif
