/* SPDX-License-Identifier: MIT */
/*
 * cli_fixture.h - what the suites that run the cisearch binary share: a per-test scratch
 * directory with its own XDG_CACHE_HOME (the real seeds cache is never touched), running the
 * binary with that environment, and small string and file helpers.
 */
#ifndef LS_TESTS_CLI_FIXTURE_H
#define LS_TESTS_CLI_FIXTURE_H

#include <stddef.h>

/** The current test's scratch directory (set by cli_setup). */
extern char *ls_cli_tmp;
/** The environment cisearch runs with: XDG_CACHE_HOME, CISEARCH_SEEDS, CISEARCH_INDEX,
 *  NO_COLOR, then NULL (entries are malloc'd: a test may replace one). */
extern char *ls_cli_env[5];

/** Check fixture: a fresh scratch directory and environment. */
void cli_setup(void);
void cli_teardown(void);
/** A malloc'd printf. */
char *ls_cli_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/** Runs cisearch with the fixture's environment; out and err are malloc'd. @return the exit
 *  status. */
int ls_cli_run(const char *const *argv, const char *in, char **out, char **err);
/** Splits s in place at newlines into a malloc'd array. @return the number of lines. */
size_t ls_cli_lines(char *s, char ***lines);
char *ls_cli_path(const char *dir, const char *name);
void ls_cli_write(const char *path, const char *text);

#endif
