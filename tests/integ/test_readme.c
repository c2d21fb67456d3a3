/* SPDX-License-Identifier: MIT */
/*
 * test_readme.c - the README's example program, built with the README's exact command and
 * run: the contract that a new user's first program works. The program and the command are
 * read from README.md (the blocks after the example-program and example-build markers).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* Returns the body of the first ``` fence after marker, malloc'd. */
static char *fenced_after(const char *text, const char *marker)
{
    const char *m = strstr(text, marker);
    if (m == NULL)
        return NULL;
    const char *open = strstr(m, "```");
    if (open == NULL)
        return NULL;
    const char *body = strchr(open, '\n');
    if (body == NULL)
        return NULL;
    body++;
    const char *close = strstr(body, "```");
    if (close == NULL)
        return NULL;
    size_t n = (size_t)(close - body);
    while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == ' '))
        n--; /* so a command can be followed by "&& ..." */
    return strndup(body, n);
}

START_TEST(readme_example_builds_and_finds)
{
    char *readme = ls_test_read_file(LS_TEST_SRCDIR "/README.md", NULL);
    ck_assert_ptr_nonnull(readme);
    char *code = fenced_after(readme, "<!-- example-program -->");
    char *cmd = fenced_after(readme, "<!-- example-build -->");
    ck_assert_msg(code != NULL && cmd != NULL, "README lacks the example program or command");
    ck_assert_ptr_nonnull(strstr(cmd, "-lsearch"));
    if (access(LS_TEST_SRCDIR "/build/release/libsearch.so", R_OK) != 0) {
        printf("readme test: build/release not built (sanitizer run?): skipped\n");
        goto out;
    }
    char *dir = ls_test_tmpdir();
    char path[4096], shell[8192];
    snprintf(path, sizeof path, "%s/example.c", dir);
    ck_assert_int_eq(ls_test_write_file(path, code, strlen(code)), 0);
    snprintf(shell, sizeof shell,
             "cd '%s' && ln -s '%s/libsearch' libsearch && ln -s '%s/build' build && %s"
             " && ./example > out.txt 2>&1",
             dir, LS_TEST_SRCDIR, LS_TEST_SRCDIR, cmd);
    int rc = system(shell);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    char *out = ls_test_read_file(path, NULL);
    ck_assert_msg(rc == 0, "README command or program failed (%d): %s", rc, out ? out : "");
    ck_assert_ptr_nonnull(out);
    ck_assert_msg(strncmp(out, "doc-1 ", 6) == 0, "unexpected output: %s", out);
    ck_assert_ptr_null(strstr(out, "doc-2"));
    free(out);
    ls_test_rmtree(dir);
    free(dir);
out:
    free(code);
    free(cmd);
    free(readme);
}
END_TEST

Suite *ls_suite_readme(void)
{
    Suite *s = suite_create("readme");
    TCase *tc = tcase_create("example");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, readme_example_builds_and_finds);
    suite_add_tcase(s, tc);
    return s;
}
