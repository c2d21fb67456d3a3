/* SPDX-License-Identifier: MIT */
/*
 * cli_fixture.c - the scratch directory, environment and helpers of the CLI suites (see
 * cli_fixture.h).
 */
#include "cli/cli_fixture.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Per-test scratch directory and environment, made by the checked fixture. */
char *ls_cli_tmp;
char *ls_cli_env[5];

char *ls_cli_fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    char *p = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(p);
    va_start(ap, f);
    vsnprintf(p, (size_t)n + 1, f, ap);
    va_end(ap);
    return p;
}

void cli_setup(void)
{
    ls_cli_tmp = ls_test_tmpdir();
    ls_cli_env[0] = ls_cli_fmt("XDG_CACHE_HOME=%s/cache", ls_cli_tmp);
    ls_cli_env[1] = ls_cli_fmt("CISEARCH_SEEDS=%s", LS_TEST_SEEDS_DIR);
    ls_cli_env[2] = ls_cli_fmt("CISEARCH_INDEX=");
    ls_cli_env[3] = ls_cli_fmt("NO_COLOR=");
    ls_cli_env[4] = NULL;
}

void cli_teardown(void)
{
    ls_test_rmtree(ls_cli_tmp);
    free(ls_cli_tmp);
    for (int i = 0; i < 4; i++)
        free(ls_cli_env[i]);
}

/* Runs cisearch with the suite's environment. */
int ls_cli_run(const char *const *argv, const char *in, char **out, char **err)
{
    int rc = ls_test_run_cli(argv, (const char *const *)ls_cli_env, in, out, err);
    ck_assert_int_ge(rc, 0);
    ck_assert_ptr_nonnull(*out);
    ck_assert_ptr_nonnull(*err);
    return rc;
}

/* Splits s in place at newlines; returns the number of (non-final-empty) lines. */
size_t ls_cli_lines(char *s, char ***lines)
{
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    ck_assert_ptr_nonnull(v);
    while (*s) {
        char *nl = strchr(s, '\n');
        if (n == cap) {
            cap *= 2;
            char **nv = realloc(v, cap * sizeof *v);
            ck_assert_ptr_nonnull(nv);
            v = nv;
        }
        v[n++] = s;
        if (nl == NULL)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    *lines = v;
    return n;
}

char *ls_cli_path(const char *dir, const char *name)
{
    return ls_cli_fmt("%s/%s", dir, name);
}

void ls_cli_write(const char *path, const char *text)
{
    ck_assert_int_eq(ls_test_write_file(path, text, strlen(text)), 0);
}

