/* SPDX-License-Identifier: MIT */
/*
 * test_relevance_guard.c - ranking regression guard over every shared judged collection
 * (../shared/eval: CF, CISI, MED, SciFact): each is indexed, searched and scored end to end
 * through cisearch (index --jsonl, search --queries -n 1000 --format trec, eval), with the
 * defaults in both query readings (--plain, and the CLI's lenient reading of typed text);
 * MED also with RM3 feedback and with proximity re-ranking turned on, so the options stay
 * guarded too. MAP and nDCG@10 must stay at or above floors set about 0.005 under the figures
 * of docs/RELEVANCE.md. A collection that is absent is skipped (said so), not failed.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define EVAL_DIR LS_TEST_SRCDIR "/../shared/eval/"

typedef struct guard_case {
    const char *label;
    const char *extra[3]; /* extra search arguments, NULL-terminated */
    double floor_map, floor_ndcg10;
} guard_case;

typedef struct guard_collection {
    const char *name; /* folder under EVAL_DIR */
    int queries;      /* judged queries cisearch eval must report */
    guard_case cases[4];
} guard_collection;

/* Figures of the defaults (BM25 k1 1.2, b 0.75, title weight 0.4, no feedback, no proximity),
 * plain / lenient: CF 0.2800/0.4846 and 0.2789/0.4779; CISI 0.2159/0.3784 and 0.2152/0.3802;
 * MED (no titles) 0.5284/0.6976 and 0.5320/0.7075; SciFact 0.6608/0.7004 and 0.6530/0.6946.
 * MED with --rm3 (plain; 10 documents, 5 terms, weight 0.85): 0.5747/0.7148; with
 * --proximity 0.5 (plain): 0.5329/0.7029. */
static const guard_collection colls[] = {
    {"cf", 100,
     {{"defaults, plain", {"--plain", NULL}, 0.275, 0.479},
      {"defaults, lenient", {NULL}, 0.273, 0.472}}},
    {"cisi", 76,
     {{"defaults, plain", {"--plain", NULL}, 0.210, 0.373},
      {"defaults, lenient", {NULL}, 0.210, 0.375}}},
    {"med", 30,
     {{"defaults, plain", {"--plain", NULL}, 0.523, 0.692},
      {"defaults, lenient", {NULL}, 0.527, 0.702},
      {"RM3, plain", {"--plain", "--rm3", NULL}, 0.570, 0.710},
      {"proximity 0.5, plain", {"--plain", "--proximity", "0.5"}, 0.528, 0.696}}},
    {"scifact", 300,
     {{"defaults, plain", {"--plain", NULL}, 0.655, 0.695},
      {"defaults, lenient", {NULL}, 0.648, 0.689}}},
};

static void search_and_score(const char *coll, int queries, const char *idx, const char *run,
                             const guard_case *c)
{
    char qfile[4096], qrels[4096];
    snprintf(qfile, sizeof qfile, "%s%s/queries.tsv", EVAL_DIR, coll);
    snprintf(qrels, sizeof qrels, "%s%s/qrels.txt", EVAL_DIR, coll);
    const char *a2[] = {"search", "--index", idx, "--queries", qfile, "-n", "1000", "--format",
                        "trec", c->extra[0], c->extra[1], c->extra[2], NULL};
    char *out = NULL, *errs = NULL;
    int rc = ls_test_run_cli(a2, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s, %s: search failed: %s", coll, c->label, errs);
    ck_assert_int_eq(ls_test_write_file(run, out, strlen(out)), 0);
    free(out);
    free(errs);
    const char *a3[] = {"eval", "--qrels", qrels, "--format", "json", run, NULL};
    rc = ls_test_run_cli(a3, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s, %s: eval failed: %s", coll, c->label, errs);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "eval output is not JSON: %s", je.text);
    double map = json_real_value(json_object_get(j, "map"));
    double ndcg = json_real_value(json_object_get(j, "ndcg_cut_10"));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "queries")), queries);
    printf("relevance guard, %s, %s: MAP %.4f (floor %.3f), nDCG@10 %.4f (floor %.3f)\n", coll,
           c->label, map, c->floor_map, ndcg, c->floor_ndcg10);
    ck_assert_msg(map >= c->floor_map, "%s, %s: MAP %.4f fell under %.3f", coll, c->label, map,
                  c->floor_map);
    ck_assert_msg(ndcg >= c->floor_ndcg10, "%s, %s: nDCG@10 %.4f fell under %.3f", coll,
                  c->label, ndcg, c->floor_ndcg10);
    json_decref(j);
    free(out);
    free(errs);
}

START_TEST(relevance_stays_above_floors)
{
    const guard_collection *g = &colls[_i];
    char docs[4096];
    snprintf(docs, sizeof docs, "%s%s/docs.jsonl", EVAL_DIR, g->name);
    if (access(docs, R_OK) != 0) {
        printf("relevance guard: %s not found: skipped\n", docs);
        return;
    }
    char *dir = ls_test_tmpdir(), idx[4096], run[4096];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    snprintf(run, sizeof run, "%s/run.txt", dir);
    const char *a1[] = {"index", "--index", idx, "--jsonl", docs, NULL};
    char *errs = NULL;
    int rc = ls_test_run_cli(a1, NULL, NULL, NULL, &errs);
    ck_assert_msg(rc == 0, "%s: index failed: %s", g->name, errs);
    free(errs);
    for (size_t i = 0; i < sizeof g->cases / sizeof g->cases[0] && g->cases[i].label; i++)
        search_and_score(g->name, g->queries, idx, run, &g->cases[i]);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_relevance_guard(void)
{
    Suite *s = suite_create("relevance_guard");
    TCase *tc = tcase_create("shared_collections");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, relevance_stays_above_floors, 0,
                        (int)(sizeof colls / sizeof colls[0]));
    suite_add_tcase(s, tc);
    return s;
}
