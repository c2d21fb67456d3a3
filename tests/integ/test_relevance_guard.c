/* SPDX-License-Identifier: MIT */
/*
 * test_relevance_guard.c - ranking regression guard: MED (../shared/eval/med) is indexed,
 * searched and scored end to end through cisearch (index --jsonl, search --plain --queries,
 * eval), once with the defaults (RM3 feedback on) and once as plain BM25 (--no-rm3); MAP and
 * nDCG@10 must stay at or above floors set a little under today's figures (defaults: MAP 0.6070,
 * nDCG@10 0.7416; plain BM25 with k1 1.8, b 0.85: MAP 0.5323, nDCG@10 0.6983). Skipped, not
 * failed, without shared/eval.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define MED_DIR LS_TEST_SRCDIR "/../shared/eval/med"

typedef struct guard_case {
    const char *label;
    const char *extra; /* one extra search argument, or NULL */
    double floor_map, floor_ndcg10;
} guard_case;

static const guard_case cases[] = {
    {"defaults (RM3)", NULL, 0.600, 0.735},
    {"plain BM25", "--no-rm3", 0.525, 0.690},
};

static void search_and_score(const char *idx, const char *run, const guard_case *c)
{
    const char *a2[] = {"search", "--index", idx, "--queries", MED_DIR "/queries.tsv", "--plain",
                        "-n", "1000", "--format", "trec", c->extra, NULL};
    char *out = NULL, *errs = NULL;
    int rc = ls_test_run_cli(a2, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s: search failed: %s", c->label, errs);
    ck_assert_int_eq(ls_test_write_file(run, out, strlen(out)), 0);
    free(out);
    free(errs);
    const char *a3[] = {"eval", "--qrels", MED_DIR "/qrels.txt", "--format", "json", run, NULL};
    rc = ls_test_run_cli(a3, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s: eval failed: %s", c->label, errs);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "eval output is not JSON: %s", je.text);
    double map = json_real_value(json_object_get(j, "map"));
    double ndcg = json_real_value(json_object_get(j, "ndcg_cut_10"));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "queries")), 30);
    printf("relevance guard, %s: MED MAP %.4f (floor %.3f), nDCG@10 %.4f (floor %.3f)\n",
           c->label, map, c->floor_map, ndcg, c->floor_ndcg10);
    ck_assert_msg(map >= c->floor_map, "%s: MED MAP %.4f fell under %.3f", c->label, map,
                  c->floor_map);
    ck_assert_msg(ndcg >= c->floor_ndcg10, "%s: MED nDCG@10 %.4f fell under %.3f", c->label,
                  ndcg, c->floor_ndcg10);
    json_decref(j);
    free(out);
    free(errs);
}

START_TEST(relevance_med_stays_above_floor)
{
    if (access(MED_DIR "/docs.jsonl", R_OK) != 0) {
        printf("relevance guard: %s not found: skipped\n", MED_DIR);
        return;
    }
    char *dir = ls_test_tmpdir(), idx[4096], run[4096];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    snprintf(run, sizeof run, "%s/run.txt", dir);
    const char *a1[] = {"index", "--index", idx, "--jsonl", MED_DIR "/docs.jsonl", NULL};
    char *errs = NULL;
    int rc = ls_test_run_cli(a1, NULL, NULL, NULL, &errs);
    ck_assert_msg(rc == 0, "index failed: %s", errs);
    free(errs);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        search_and_score(idx, run, &cases[i]);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_relevance_guard(void)
{
    Suite *s = suite_create("relevance_guard");
    TCase *tc = tcase_create("med");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, relevance_med_stays_above_floor);
    suite_add_tcase(s, tc);
    return s;
}
