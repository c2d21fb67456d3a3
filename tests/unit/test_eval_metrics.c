/* SPDX-License-Identifier: MIT */
/*
 * test_eval_metrics.c - the eval_metrics suite: the relevance metrics of `cisearch eval`
 * (cli/eval_metrics.c) against hand-computed values: AP, graded nDCG@10, P@10 short of ten
 * results, recall at cutoffs, and the run-level rules of trec_eval (queries without relevant
 * judgments skipped, judged queries without lines scoring 0, ties by docid descending in
 * single precision, depth 1000, duplicates refused).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/eval_metrics.h"

#define EPS 1e-9

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- metrics of one ranking -------------------------------------------------------------- */

START_TEST(ap_small_ranking)
{
    /* Relevant at ranks 1, 3 and 6; a fourth relevant document is never retrieved.
     * AP = (P@1 + P@3 + P@6) / 4 = (1/1 + 2/3 + 3/6) / 4 = (6/6 + 4/6 + 3/6) / 4
     *    = (13/6) / 4 = 13/24 = 0.541666... */
    const int g[] = {1, 0, 1, 0, 0, 1};
    ck_assert_double_eq_tol(cli_eval_average_precision(g, N_OF(g), 4), 13.0 / 24.0, EPS);
    ck_assert_double_eq_tol(cli_eval_average_precision(g, N_OF(g), 4), 0.5416666666666667, EPS);
    /* Grades above 1 count as relevant once, like 1. */
    const int graded[] = {3, 0, 2, 0, 0, 1};
    ck_assert_double_eq_tol(cli_eval_average_precision(graded, N_OF(graded), 4), 13.0 / 24.0, EPS);
    /* Everything relevant, all retrieved first: AP = 1. */
    const int perfect[] = {1, 1, 0};
    ck_assert_double_eq_tol(cli_eval_average_precision(perfect, N_OF(perfect), 2), 1.0, EPS);
    /* Nothing retrieved, or nothing relevant: 0, never a division by zero. */
    ck_assert_double_eq_tol(cli_eval_average_precision(NULL, 0, 3), 0.0, EPS);
    ck_assert_double_eq_tol(cli_eval_average_precision(g, N_OF(g), 0), 0.0, EPS);
}
END_TEST

START_TEST(ndcg10_graded)
{
    /* Ranking grades 3, 2, 0, 1; the qrels hold grades 3, 2, 1 and a judged 0.
     * DCG  = 3/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5)
     *      = 3 + 1.2618595071 + 0 + 0.4306765581 = 4.6925360652
     * IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.2618595071 + 0.5 = 4.7618595071
     * nDCG = 4.6925360652 / 4.7618595071 = 0.9854419388 */
    const int g[] = {3, 2, 0, 1};
    const int ideal[] = {3, 2, 1, 0};
    ck_assert_double_eq_tol(cli_eval_dcg_at(g, N_OF(g), 10), 4.692536065216308, EPS);
    ck_assert_double_eq_tol(cli_eval_dcg_at(ideal, N_OF(ideal), 10), 4.7618595071429155, EPS);
    ck_assert_double_eq_tol(cli_eval_ndcg_at(g, N_OF(g), ideal, N_OF(ideal), 10),
                            0.9854419388428785, EPS);
    /* The grade-3 document missed: ranking 0, 2, 1 against the same ideal.
     * DCG = 2/log2(3) + 1/log2(4) = 1.2618595071 + 0.5 = 1.7618595071
     * nDCG = 1.7618595071 / 4.7618595071 = 0.3699940127 */
    const int missed[] = {0, 2, 1};
    ck_assert_double_eq_tol(cli_eval_ndcg_at(missed, N_OF(missed), ideal, N_OF(ideal), 10),
                            0.36999401273810767, EPS);
    /* No relevant judgment: 0 rather than 0/0. */
    const int none[] = {0, 0};
    ck_assert_double_eq_tol(cli_eval_ndcg_at(g, N_OF(g), none, N_OF(none), 10), 0.0, EPS);
}
END_TEST

START_TEST(ndcg10_stops_at_rank_10)
{
    /* One relevant document (grade 1) at rank 11: outside the cut, nDCG@10 = 0; at rank 10 it
     * is worth 1/log2(11) = 0.2890648263 against an ideal of 1. */
    int g[11] = {0};
    const int ideal[] = {1};
    g[10] = 1;
    ck_assert_double_eq_tol(cli_eval_ndcg_at(g, 11, ideal, 1, 10), 0.0, EPS);
    g[10] = 0;
    g[9] = 1;
    ck_assert_double_eq_tol(cli_eval_ndcg_at(g, 11, ideal, 1, 10), 0.2890648263178879, EPS);
    /* Ideal longer than 10: only its first 10 grades count.
     * IDCG@10 of twelve 1s = sum over r = 1..10 of 1/log2(r + 1) = 4.5435593381 */
    const int twelve[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_double_eq_tol(cli_eval_dcg_at(twelve, 12, 10), 4.543559338088346, EPS);
    ck_assert_double_eq_tol(cli_eval_ndcg_at(twelve, 12, twelve, 12, 10), 1.0, EPS);
}
END_TEST

START_TEST(negative_grades_are_not_relevant)
{
    const int g[] = {-1, 1, -2};
    const int ideal[] = {1, -1, -2};
    /* AP = P@2 / 1 = 1/2; nDCG = (1/log2(3)) / 1 = 0.6309297536; P@10 = 1/10. */
    ck_assert_double_eq_tol(cli_eval_average_precision(g, N_OF(g), 1), 0.5, EPS);
    ck_assert_double_eq_tol(cli_eval_ndcg_at(g, N_OF(g), ideal, N_OF(ideal), 10),
                            0.6309297535714575, EPS);
    ck_assert_double_eq_tol(cli_eval_precision_at(g, N_OF(g), 10), 0.1, EPS);
}
END_TEST

START_TEST(p10_fewer_than_ten_results)
{
    /* Three results, two relevant: P@10 = 2/10 (divides by 10, not by 3). */
    const int g[] = {1, 0, 1};
    ck_assert_double_eq_tol(cli_eval_precision_at(g, N_OF(g), 10), 0.2, EPS);
    /* Twelve results, relevant at ranks 1 and 12: only rank 1 is in the first ten. */
    const int g12[12] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    ck_assert_double_eq_tol(cli_eval_precision_at(g12, 12, 10), 0.1, EPS);
    ck_assert_double_eq_tol(cli_eval_precision_at(NULL, 0, 10), 0.0, EPS);
    ck_assert_double_eq_tol(cli_eval_precision_at(g, N_OF(g), 0), 0.0, EPS);
}
END_TEST

START_TEST(recall_at_cutoffs)
{
    /* 150 results with relevant ones at ranks 1, 50 and 120; 4 relevant in the qrels.
     * R@100 = 2/4 = 0.5; R@1000 = 3/4 = 0.75; R@10 = 1/4. */
    int g[150] = {0};
    g[0] = g[49] = g[119] = 1;
    ck_assert_double_eq_tol(cli_eval_recall_at(g, 150, 4, 100), 0.5, EPS);
    ck_assert_double_eq_tol(cli_eval_recall_at(g, 150, 4, 1000), 0.75, EPS);
    ck_assert_double_eq_tol(cli_eval_recall_at(g, 150, 4, 10), 0.25, EPS);
    ck_assert_double_eq_tol(cli_eval_recall_at(g, 150, 0, 100), 0.0, EPS);
}
END_TEST

/* ---- a run against qrels ----------------------------------------------------------------- */

START_TEST(run_skips_queries_without_relevant_docs)
{
    /* Query 2 is judged but has no relevant document, and query 3 is not judged at all:
     * neither enters the mean, which is query 1's alone (a relevant at rank 1: AP = 1). */
    const cli_eval_judgment qrels[] = {{"1", "a", 1}, {"1", "b", 0}, {"2", "c", 0}};
    const cli_eval_line run[] = {
        {"1", "a", 3.0}, {"1", "b", 2.0}, {"2", "c", 5.0}, {"3", "d", 1.0}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, N_OF(qrels), run, N_OF(run), &rep, NULL), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.n_queries, 1);
    ck_assert_str_eq(rep.queries[0].qid, "1");
    ck_assert_uint_eq(rep.n_unjudged, 2);
    ck_assert_uint_eq(rep.n_missing, 0);
    ck_assert_double_eq_tol(rep.mean.ap, 1.0, EPS);
    ck_assert_double_eq_tol(rep.mean.ndcg10, 1.0, EPS);
    ck_assert_double_eq_tol(rep.mean.p10, 0.1, EPS);
    ck_assert_double_eq_tol(rep.mean.recall100, 1.0, EPS);
    ck_assert_double_eq_tol(rep.mean.recall1000, 1.0, EPS);
    cli_eval_report_free(&rep);
}
END_TEST

START_TEST(run_judged_query_without_lines_scores_zero)
{
    /* Query 1: relevant a, b; run a at rank 1, x at 2, b at 3:
     *   AP = (1/1 + 2/3) / 2 = 5/6; P@10 = 2/10; recall = 1;
     *   nDCG = (1 + 1/log2(4)) / (1 + 1/log2(3)) = 1.5 / 1.6309297536 = 0.9197207891.
     * Query 2: relevant c, no run line: every metric 0.
     * Means: MAP = 5/12, nDCG = 0.4598603946, P@10 = 0.1, recall = 0.5. */
    const cli_eval_judgment qrels[] = {{"2", "c", 1}, {"1", "b", 1}, {"1", "a", 1}};
    const cli_eval_line run[] = {{"1", "b", 1.0}, {"1", "x", 2.0}, {"1", "a", 3.0}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, N_OF(qrels), run, N_OF(run), &rep, NULL), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.n_queries, 2);
    ck_assert_uint_eq(rep.n_missing, 1);
    ck_assert_str_eq(rep.queries[0].qid, "1");
    ck_assert_str_eq(rep.queries[1].qid, "2");
    ck_assert_double_eq_tol(rep.queries[0].scores.ap, 5.0 / 6.0, EPS);
    ck_assert_uint_eq(rep.queries[1].n_retrieved, 0);
    ck_assert_uint_eq(rep.queries[1].n_relevant, 1);
    ck_assert_double_eq_tol(rep.queries[1].scores.ap, 0.0, EPS);
    ck_assert_double_eq_tol(rep.queries[1].scores.ndcg10, 0.0, EPS);
    ck_assert_double_eq_tol(rep.mean.ap, 5.0 / 12.0, EPS);
    ck_assert_double_eq_tol(rep.mean.ndcg10, 0.4598603945740938, EPS);
    ck_assert_double_eq_tol(rep.mean.p10, 0.1, EPS);
    ck_assert_double_eq_tol(rep.mean.recall100, 0.5, EPS);
    ck_assert_double_eq_tol(rep.mean.recall1000, 0.5, EPS);
    cli_eval_report_free(&rep);
}
END_TEST

START_TEST(run_ties_broken_by_docid_descending)
{
    /* Equal scores rank by docid descending (strcmp, as trec_eval): c, b, a, whatever the
     * order of the lines. The relevant b lands at rank 2: AP = 1/2. */
    const cli_eval_judgment qrels[] = {{"1", "b", 1}};
    const cli_eval_line run[] = {{"1", "a", 1.0}, {"1", "b", 1.0}, {"1", "c", 1.0}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, 1, run, N_OF(run), &rep, NULL), CLI_EVAL_OK);
    ck_assert_double_eq_tol(rep.mean.ap, 0.5, EPS);
    cli_eval_report_free(&rep);

    /* Not numeric order: "10" > "9" as numbers but "9" > "10" as strings, so 9 ranks first
     * and the relevant 10 lands at rank 2. */
    const cli_eval_judgment q10[] = {{"1", "10", 1}};
    const cli_eval_line r10[] = {{"1", "10", 4.0}, {"1", "9", 4.0}};
    ck_assert_int_eq(cli_eval_run(q10, 1, r10, 2, &rep, NULL), CLI_EVAL_OK);
    ck_assert_double_eq_tol(rep.mean.ap, 0.5, EPS);
    cli_eval_report_free(&rep);

    /* Scores equal in single precision tie too (trec_eval keeps them as float): a's score is
     * larger as a double, yet b ranks first; a, relevant, is at rank 2. */
    const cli_eval_judgment qa[] = {{"1", "a", 1}};
    const cli_eval_line ra[] = {{"1", "a", 2.000000001}, {"1", "b", 2.0}};
    ck_assert_int_eq(cli_eval_run(qa, 1, ra, 2, &rep, NULL), CLI_EVAL_OK);
    ck_assert_double_eq_tol(rep.mean.ap, 0.5, EPS);
    cli_eval_report_free(&rep);

    /* A real score difference wins over the docid. */
    const cli_eval_line rb[] = {{"1", "a", 2.5}, {"1", "b", 2.0}};
    ck_assert_int_eq(cli_eval_run(qa, 1, rb, 2, &rep, NULL), CLI_EVAL_OK);
    ck_assert_double_eq_tol(rep.mean.ap, 1.0, EPS);
    cli_eval_report_free(&rep);
}
END_TEST

START_TEST(run_graded_ndcg)
{
    /* The run ranks documents of grades 3, 2, 0, 1 (d, c, x, b); the qrels also judge a = 0:
     * nDCG@10 = 0.9854419388 as in ndcg10_graded. MAP = (1 + 2/2 + 3/4) / 3 = 11/12. */
    const cli_eval_judgment qrels[] = {{"7", "a", 0}, {"7", "b", 1}, {"7", "c", 2}, {"7", "d", 3}};
    const cli_eval_line run[] = {
        {"7", "x", 2.0}, {"7", "b", 1.0}, {"7", "d", 4.0}, {"7", "c", 3.0}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, N_OF(qrels), run, N_OF(run), &rep, NULL), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.n_queries, 1);
    ck_assert_uint_eq(rep.queries[0].n_relevant, 3);
    ck_assert_uint_eq(rep.queries[0].n_retrieved, 4);
    ck_assert_uint_eq(rep.queries[0].n_relevant_retrieved, 3);
    ck_assert_double_eq_tol(rep.mean.ndcg10, 0.9854419388428785, EPS);
    ck_assert_double_eq_tol(rep.mean.ap, 11.0 / 12.0, EPS);
    ck_assert_double_eq_tol(rep.mean.p10, 0.3, EPS);
    cli_eval_report_free(&rep);
}
END_TEST

START_TEST(run_keeps_the_first_1000)
{
    /* 1001 lines; the only relevant document has the lowest score, rank 1001: beyond the
     * depth, so it is not retrieved: AP = 0, R@1000 = 0, 1000 lines used. */
    enum { N = CLI_EVAL_DEPTH + 1 };
    cli_eval_line *run = calloc(N, sizeof *run);
    char(*ids)[8] = calloc(N, sizeof *ids);
    ck_assert_ptr_nonnull(run);
    ck_assert_ptr_nonnull(ids);
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "d%zu", i);
        run[i].qid = "1";
        run[i].docid = ids[i];
        run[i].score = (double)(N - i);
    }
    const cli_eval_judgment qrels[] = {{"1", "d1000", 1}, {"1", "d999", 1}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, 2, run, N, &rep, NULL), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.queries[0].n_retrieved, CLI_EVAL_DEPTH);
    /* d999 at rank 1000 counts: AP = (1/1000) / 2; R@1000 = 1/2; R@100 = 0. */
    ck_assert_double_eq_tol(rep.mean.ap, 0.0005, EPS);
    ck_assert_double_eq_tol(rep.mean.recall1000, 0.5, EPS);
    ck_assert_double_eq_tol(rep.mean.recall100, 0.0, EPS);
    cli_eval_report_free(&rep);
    free(run);
    free(ids);
}
END_TEST

START_TEST(run_refuses_duplicates)
{
    const cli_eval_judgment qrels[] = {{"1", "a", 1}, {"1", "b", 0}, {"2", "a", 1}, {"1", "a", 2}};
    const cli_eval_line run[] = {{"1", "a", 1.0}};
    cli_eval_report rep;
    size_t bad = 0;
    ck_assert_int_eq(cli_eval_run(qrels, N_OF(qrels), run, 1, &rep, &bad), CLI_EVAL_EDUP_JUDGMENT);
    ck_assert_uint_eq(bad, 3); /* the second "1 a", not the first */
    ck_assert_ptr_null(rep.queries);

    /* The same document twice for one query, even with different scores; the same docid for
     * two queries is fine. */
    const cli_eval_line dup[] = {
        {"1", "a", 1.0}, {"2", "a", 1.0}, {"1", "b", 3.0}, {"1", "a", 2.0}, {"1", "b", 0.5}};
    ck_assert_int_eq(cli_eval_run(qrels, 3, dup, N_OF(dup), &rep, &bad), CLI_EVAL_EDUP_LINE);
    ck_assert_uint_eq(bad, 3);
    ck_assert_int_eq(cli_eval_run(qrels, 3, dup, 3, &rep, &bad), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.n_queries, 2);
    /* Query 1: b (3.0, non-relevant) then a: AP = 1/2. Query 2: a at rank 1: AP = 1. */
    ck_assert_double_eq_tol(rep.mean.ap, 0.75, EPS);
    cli_eval_report_free(&rep);
    cli_eval_report_free(NULL);
}
END_TEST

START_TEST(run_orders_numeric_qids_by_value)
{
    const cli_eval_judgment qrels[] = {
        {"10", "a", 1}, {"x", "a", 1}, {"2", "a", 1}, {"1", "a", 1}, {"01", "a", 1}};
    cli_eval_report rep;
    ck_assert_int_eq(cli_eval_run(qrels, N_OF(qrels), NULL, 0, &rep, NULL), CLI_EVAL_OK);
    ck_assert_uint_eq(rep.n_queries, 5);
    const char *want[] = {"01", "1", "2", "10", "x"};
    for (size_t i = 0; i < N_OF(want); i++)
        ck_assert_str_eq(rep.queries[i].qid, want[i]);
    ck_assert_uint_eq(rep.n_missing, 5);
    ck_assert_double_eq_tol(rep.mean.ap, 0.0, EPS);
    cli_eval_report_free(&rep);
}
END_TEST

Suite *ls_suite_eval_metrics(void)
{
    Suite *s = suite_create("eval_metrics");
    TCase *tc = tcase_create("ranking");
    tcase_add_test(tc, ap_small_ranking);
    tcase_add_test(tc, ndcg10_graded);
    tcase_add_test(tc, ndcg10_stops_at_rank_10);
    tcase_add_test(tc, negative_grades_are_not_relevant);
    tcase_add_test(tc, p10_fewer_than_ten_results);
    tcase_add_test(tc, recall_at_cutoffs);
    suite_add_tcase(s, tc);
    tc = tcase_create("run");
    tcase_add_test(tc, run_skips_queries_without_relevant_docs);
    tcase_add_test(tc, run_judged_query_without_lines_scores_zero);
    tcase_add_test(tc, run_ties_broken_by_docid_descending);
    tcase_add_test(tc, run_graded_ndcg);
    tcase_add_test(tc, run_keeps_the_first_1000);
    tcase_add_test(tc, run_refuses_duplicates);
    tcase_add_test(tc, run_orders_numeric_qids_by_value);
    suite_add_tcase(s, tc);
    return s;
}
