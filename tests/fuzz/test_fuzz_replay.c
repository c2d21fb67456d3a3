/* SPDX-License-Identifier: MIT */
/*
 * test_fuzz_replay.c - replays the saved fuzz inputs (seeds and regressions) in `make test`:
 * every file of fuzz/corpus/NAME/ goes through the target's entry (ls_fuzz_NAME, linked into
 * the runner by fuzz/fuzz.mk), which aborts on a violated invariant. The targets are the
 * oracles; this suite only feeds them and counts the files, so a wrong path cannot pass.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"
#include "testutil.h"

typedef int (*entry_fn)(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Passes every regular file of fuzz/corpus/<name>/ to fn, in name order; returns the count. */
static size_t replay_dir(const char *name, entry_fn fn)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", LS_TEST_SRCDIR, name);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    char **files = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            files = realloc(files, cap * sizeof *files);
            ck_assert_ptr_nonnull(files);
        }
        files[n] = strdup(e->d_name);
        ck_assert_ptr_nonnull(files[n]);
        n++;
    }
    closedir(d);
    qsort(files, n, sizeof *files, by_name);

    size_t replayed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096 + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t len = 0;
            char *data = ls_test_read_file(path, &len);
            ck_assert_msg(data != NULL, "cannot read %s", path);
            /* A violated invariant aborts inside fn: Check reports the signal for this test. */
            int rc = fn((const uint8_t *)data, len);
            ck_assert_msg(rc == 0, "%s: the target returned %d", path, rc);
            free(data);
            replayed++;
        }
        free(files[i]);
    }
    free(files);
    return replayed;
}

START_TEST(fuzz_replay_query_corpus)
{
    size_t n = replay_dir("query", ls_fuzz_query);
    ck_assert_uint_ge(n, 30);
}
END_TEST

START_TEST(fuzz_replay_segment_corpus)
{
    size_t n = replay_dir("segment", ls_fuzz_segment);
    ck_assert_uint_ge(n, 20); /* one intact file of each kind of a three-segment index */
}
END_TEST

START_TEST(fuzz_replay_analyzer_corpus)
{
    size_t n = replay_dir("analyzer", ls_fuzz_analyzer);
    ck_assert_uint_ge(n, 30);
}
END_TEST

/* Declared not at the start of a line: the Makefile turns each such line into a runner entry. */
extern Suite *ls_suite_fuzz_replay(void);

Suite *ls_suite_fuzz_replay(void)
{
    Suite *s = suite_create("fuzz_replay");
    TCase *tc = tcase_create("corpus");
    /* A few hundred small inputs, each one search over a 20-document index (under ASan and
     * valgrind too): seconds, not the 4 s default. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fuzz_replay_query_corpus);
    tcase_add_test(tc, fuzz_replay_analyzer_corpus);
    tcase_add_test(tc, fuzz_replay_segment_corpus);
    suite_add_tcase(s, tc);
    return s;
}
