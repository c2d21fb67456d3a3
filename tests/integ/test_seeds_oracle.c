/* SPDX-License-Identifier: MIT */
/*
 * test_seeds_oracle.c - the bundled seeds (LS_TEST_SEEDS_DIR) against the naive BM25 oracle:
 * indexed as the CLI indexes files (title = first non-blank line, trimmed; body = the rest;
 * id = file name), "25-year agreement" must return every seed ranked as the oracle ranks them,
 * and "Wei Fenghe" exactly the two seeds naming him; then the same ranking through cisearch.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libsearch.h"
#include "oracle.h"
#include "testutil.h"

#define N_SEEDS 5
#define SCORE_EPS 1e-4

typedef struct seed {
    char name[256];
    char *text; /* whole file */
    const char *title, *body;
    size_t title_len, body_len;
} seed;

typedef struct seed_set {
    seed s[N_SEEDS];
    size_t n;
    ls_oracle *oracle;
} seed_set;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const seed *)a)->name, ((const seed *)b)->name);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

/* Title: the first line holding a non-blank character, trimmed; body: everything after it. */
static void split_title(seed *s, size_t len)
{
    const char *p = s->text, *end = s->text + len;
    for (;;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *a = p, *b = line_end;
        while (a < b && is_space(*a))
            a++;
        while (b > a && is_space(b[-1]))
            b--;
        if (a < b || eol == NULL) {
            s->title = a;
            s->title_len = (size_t)(b - a);
            s->body = eol ? eol + 1 : end;
            s->body_len = (size_t)(end - s->body);
            return;
        }
        p = eol + 1;
    }
}

/* Reads the seed files in name order and adds them to a fresh oracle in that order. */
static void seeds_load(seed_set *set)
{
    memset(set, 0, sizeof *set);
    DIR *dir = opendir(LS_TEST_SEEDS_DIR);
    ck_assert_msg(dir != NULL, "cannot open %s", LS_TEST_SEEDS_DIR);
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", LS_TEST_SEEDS_DIR, de->d_name);
        if (de->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        ck_assert_msg(set->n < N_SEEDS, "more than %d files in %s", N_SEEDS, LS_TEST_SEEDS_DIR);
        snprintf(set->s[set->n].name, sizeof set->s[set->n].name, "%s", de->d_name);
        set->n++;
    }
    closedir(dir);
    ck_assert_uint_eq(set->n, N_SEEDS);
    qsort(set->s, set->n, sizeof set->s[0], cmp_name);
    set->oracle = ls_oracle_new("english");
    for (size_t i = 0; i < set->n; i++) {
        char path[1024];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", LS_TEST_SEEDS_DIR, set->s[i].name);
        set->s[i].text = ls_test_read_file(path, &len);
        ck_assert_msg(set->s[i].text != NULL, "cannot read %s", path);
        split_title(&set->s[i], len);
        ck_assert_uint_eq(ls_oracle_add(set->oracle, set->s[i].title, set->s[i].title_len,
                                        set->s[i].body, set->s[i].body_len),
                          i);
    }
}

static void seeds_free(seed_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->s[i].text);
    ls_oracle_free(set->oracle);
}

/* Writes the seeds with ls_writer into a fresh directory and opens a reader on it. */
static ls_reader *seeds_index(const seed_set *set, char **dir_out)
{
    ls_error err;
    ls_writer *w = NULL;
    char *dir = ls_test_tmpdir();
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = 0; i < set->n; i++) {
        ls_document d = LS_DOCUMENT_INIT;
        d.id = set->s[i].name;
        d.id_len = strlen(set->s[i].name);
        d.title = set->s[i].title;
        d.title_len = set->s[i].title_len;
        d.body = set->s[i].body;
        d.body_len = set->s[i].body_len;
        rc = ls_writer_add(w, &d, &err);
        ck_assert_msg(rc == LS_OK, "ls_writer_add(%s): %d %s", d.id, rc, err.message);
    }
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
    ls_writer_close(w);
    ls_reader *r = NULL;
    rc = ls_reader_open(dir, &r, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
    *dir_out = dir;
    return r;
}

/* "25-year agreement" as the parser reads it: the phrase "25 year" OR the term "agreement". */
static oracle_q *query_25_year(ls_oracle *o)
{
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "25-year"), ORACLE_SHOULD);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "agreement"), ORACLE_SHOULD);
    return q;
}

/* Runs `query` with `syntax` and checks it returns exactly the oracle's ranking. */
static void expect_oracle_ranking(const ls_reader *r, const seed_set *set, const char *query,
                                  int syntax, oracle_q *tree, size_t expect_total)
{
    oracle_result want;
    ls_oracle_search(set->oracle, tree, LS_DEFAULT_K1, LS_DEFAULT_B, &want);
    ck_assert_msg(want.n == expect_total, "oracle: '%s' matches %zu seeds, expected %zu", query,
                  want.n, expect_total);
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.feedback_docs = 0; /* plain BM25: the oracle of this file */
    so.syntax = syntax;
    so.snippets = 0;
    ls_hits *h = NULL;
    ls_error err;
    int rc = ls_search(r, query, strlen(query), &so, &h, &err);
    ck_assert_msg(rc == LS_OK, "ls_search('%s'): %d %s", query, rc, err.message);
    ck_assert_msg(ls_hits_total(h) == want.n, "'%s': total %llu, oracle %zu", query,
                  (unsigned long long)ls_hits_total(h), want.n);
    ck_assert_uint_eq(ls_hits_count(h), want.n);
    for (size_t i = 0; i < want.n; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        const char *expect = set->s[want.hits[i].doc].name;
        ck_assert_ptr_nonnull(hit);
        ck_assert_msg(strcmp(hit->id, expect) == 0, "'%s' rank %zu: got %s (%.6f), oracle %s (%.6f)",
                      query, i, hit->id, hit->score, expect, want.hits[i].score);
        ck_assert_msg(fabs(hit->score - want.hits[i].score) <= SCORE_EPS,
                      "'%s' rank %zu (%s): score %.9f, oracle %.9f", query, i, hit->id,
                      hit->score, want.hits[i].score);
    }
    ls_hits_free(h);
    oracle_result_free(&want);
}

START_TEST(seeds_25_year_agreement_ranked_as_oracle)
{
    seed_set set;
    char *dir = NULL;
    seeds_load(&set);
    ls_reader *r = seeds_index(&set, &dir);
    oracle_q *q = query_25_year(set.oracle);
    expect_oracle_ranking(r, &set, "25-year agreement", LS_SYNTAX_LENIENT, q, N_SEEDS);
    oracle_q_free(q);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
    seeds_free(&set);
}
END_TEST

START_TEST(seeds_wei_fenghe_phrase)
{
    seed_set set;
    char *dir = NULL;
    seeds_load(&set);
    ls_reader *r = seeds_index(&set, &dir);
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_phrase(set.oracle, ORACLE_FIELD_ALL, "Wei Fenghe"), ORACLE_SHOULD);
    expect_oracle_ranking(r, &set, "\"Wei Fenghe\"", LS_SYNTAX_STRICT, q, 2);
    expect_oracle_ranking(r, &set, "\"Wei Fenghe\"", LS_SYNTAX_LENIENT, q, 2);

    /* and they are exactly the two seeds that name him */
    oracle_result want;
    ls_oracle_search(set.oracle, q, LS_DEFAULT_K1, LS_DEFAULT_B, &want);
    ck_assert_uint_eq(want.n, 2);
    int seen003 = 0, seen004 = 0;
    for (size_t i = 0; i < want.n; i++) {
        const char *name = set.s[want.hits[i].doc].name;
        seen003 |= strcmp(name, "003_7d839a67d7f86eaf.txt") == 0;
        seen004 |= strcmp(name, "004_d391944dcf367113.txt") == 0;
    }
    ck_assert(seen003 && seen004);
    oracle_result_free(&want);
    oracle_q_free(q);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
    seeds_free(&set);
}
END_TEST

/* cisearch index + cisearch search --format ids: the oracle's order, one id per line. */
START_TEST(seeds_cli_ranked_as_oracle)
{
    seed_set set;
    seeds_load(&set);
    char *dir = ls_test_tmpdir();
    char *out = NULL, *errs = NULL;
    const char *index_argv[] = {"index", "--index", dir, LS_TEST_SEEDS_DIR, NULL};
    int rc = ls_test_run_cli(index_argv, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "cisearch index exited %d: %s", rc, errs ? errs : "");
    free(out);
    free(errs);

    const char *search_argv[] = {"search", "--index", dir, "--format", "ids",
                                 "25-year agreement", NULL};
    rc = ls_test_run_cli(search_argv, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "cisearch search exited %d: %s", rc, errs ? errs : "");
    ck_assert_ptr_nonnull(out);

    oracle_q *q = query_25_year(set.oracle);
    oracle_result want;
    ls_oracle_search(set.oracle, q, LS_DEFAULT_K1, LS_DEFAULT_B, &want);
    ck_assert_uint_eq(want.n, N_SEEDS);
    char *real = realpath(LS_TEST_SEEDS_DIR, NULL); /* indexed files' ids: absolute paths */
    ck_assert_ptr_nonnull(real);
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    for (size_t i = 0; i < want.n; i++, line = strtok_r(NULL, "\n", &save)) {
        char expect[4096];
        snprintf(expect, sizeof expect, "%s/%s", real, set.s[want.hits[i].doc].name);
        ck_assert_msg(line != NULL, "cisearch printed %zu ids, expected %zu", i, want.n);
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        ck_assert_msg(strcmp(line, expect) == 0, "cisearch rank %zu: '%s', oracle '%s'", i, line,
                      expect);
    }
    ck_assert_msg(line == NULL, "cisearch printed more ids than the %zu matches: '%s'", want.n,
                  line);
    free(real);
    oracle_result_free(&want);
    oracle_q_free(q);
    free(out);
    free(errs);
    ls_test_rmtree(dir);
    free(dir);
    seeds_free(&set);
}
END_TEST

/* declared for -Wmissing-prototypes; the runner's table comes from the definition below */
extern Suite *ls_suite_seeds_oracle(void);

Suite *ls_suite_seeds_oracle(void)
{
    Suite *s = suite_create("seeds_oracle");
    TCase *tc = tcase_create("library");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seeds_25_year_agreement_ranked_as_oracle);
    tcase_add_test(tc, seeds_wei_fenghe_phrase);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seeds_cli_ranked_as_oracle);
    suite_add_tcase(s, tc);
    return s;
}
