/* SPDX-License-Identifier: MIT */
/*
 * run_tests.c - the one Check runner. Its suite table is generated from every
 * `Suite *ls_suite_NAME(void)` under tests/ (Makefile: gen/suites.h). CK_RUN_SUITE=NAME runs one.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define LS_SUITE(f) Suite *f(void);
#include "suites.h"
#undef LS_SUITE

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define LS_SUITE(f) srunner_add_suite(sr, f());
#include "suites.h"
#undef LS_SUITE
    printf("libsearch tests: seed %lu (set LS_TEST_SEED to repeat)%s\n", ls_test_seed(),
           ls_test_long() ? ", long mode" : "");
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    int run = srunner_ntests_run(sr);
    srunner_free(sr);
    printf("%d passed, %d failed\n", run - failed, failed);
    if (failed)
        printf("failing seed: LS_TEST_SEED=%lu\n", ls_test_seed());
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
