/* SPDX-License-Identifier: MIT */
/*
 * test_relevance_guard.c - ranking regression guard: MED (../shared/eval/med) is indexed,
 * searched and scored end to end through cisearch (index --jsonl, search --plain --queries,
 * eval); MAP and nDCG@10 must stay at or above floors set a little under today's figures
 * (MAP 0.5323, nDCG@10 0.6983 with k1 1.8, b 0.85). Skipped, not failed, without shared/eval.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define MED_DIR LS_TEST_SRCDIR "/../shared/eval/med"
#define FLOOR_MAP 0.525
#define FLOOR_NDCG10 0.690

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
    char *out = NULL, *errs = NULL;
    int rc = ls_test_run_cli(a1, NULL, NULL, NULL, &errs);
    ck_assert_msg(rc == 0, "index failed: %s", errs);
    free(errs);
    const char *a2[] = {"search", "--index", idx, "--queries", MED_DIR "/queries.tsv", "--plain",
                        "-n", "1000", "--format", "trec", NULL};
    rc = ls_test_run_cli(a2, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "search failed: %s", errs);
    ck_assert_int_eq(ls_test_write_file(run, out, strlen(out)), 0);
    free(out);
    free(errs);
    const char *a3[] = {"eval", "--qrels", MED_DIR "/qrels.txt", "--format", "json", run, NULL};
    rc = ls_test_run_cli(a3, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "eval failed: %s", errs);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "eval output is not JSON: %s", je.text);
    double map = json_real_value(json_object_get(j, "map"));
    double ndcg = json_real_value(json_object_get(j, "ndcg_cut_10"));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "queries")), 30);
    printf("relevance guard: MED MAP %.4f (floor %.3f), nDCG@10 %.4f (floor %.3f)\n", map,
           FLOOR_MAP, ndcg, FLOOR_NDCG10);
    ck_assert_msg(map >= FLOOR_MAP, "MED MAP %.4f fell under %.3f", map, FLOOR_MAP);
    ck_assert_msg(ndcg >= FLOOR_NDCG10, "MED nDCG@10 %.4f fell under %.3f", ndcg, FLOOR_NDCG10);
    json_decref(j);
    free(out);
    free(errs);
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
