/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c - the `cli` suite: runs the built cisearch binary (LS_TEST_CISEARCH) as a user
 * would and checks exit statuses, output formats, batch queries, indexing of files and JSON
 * lines, stats, help, and the seeds cache rebuild. Every run gets its own XDG_CACHE_HOME so the
 * real cache is never touched. Ranking order itself is the oracle tests' business.
 */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_fixture.h"
#include "testutil.h"

static const char *const SEED_IDS[] = {
    "000_c4292d6d25e1e4fc.txt", "001_52251914fc1c893e.txt", "002_51ebb83a3a83411b.txt",
    "003_7d839a67d7f86eaf.txt", "004_d391944dcf367113.txt",
};
#define N_SEEDS 5

static int is_seed(const char *id)
{
    for (int i = 0; i < N_SEEDS; i++)
        if (strcmp(id, SEED_IDS[i]) == 0)
            return 1;
    return 0;
}

/* ---- search over the seeds ---- */

START_TEST(seeds_query_finds_all_five_in_text_format)
{
    const char *argv[] = {"25-year agreement", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    ck_assert_ptr_null(strchr(out, '\033')); /* not a terminal: no bold markers */
    size_t n = ls_cli_lines(out, &lines), hits = 0;
    int seen[N_SEEDS] = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned rank;
        double score;
        char id[128];
        if (lines[i][0] == ' ')
            continue; /* snippet line */
        if (sscanf(lines[i], "%u. %lf  %127s", &rank, &score, id) == 3) {
            ck_assert_uint_eq(rank, hits + 1);
            /* the score has exactly four decimals */
            const char *dot = strchr(strchr(lines[i], ' ') + 1, '.');
            ck_assert_msg(dot != NULL && strspn(dot + 1, "0123456789") == 4 && dot[5] == ' ',
                          "%s", lines[i]);
            ck_assert(score > 0.0);
            for (int k = 0; k < N_SEEDS; k++)
                seen[k] += strcmp(id, SEED_IDS[k]) == 0;
            /* the snippet line follows, indented */
            ck_assert_uint_lt(i + 1, n);
            ck_assert_msg(strncmp(lines[i + 1], "    ", 4) == 0, "no snippet: %s", lines[i + 1]);
            hits++;
        }
    }
    ck_assert_uint_eq(hits, 5);
    for (int k = 0; k < N_SEEDS; k++)
        ck_assert_int_eq(seen[k], 1);
    ck_assert_str_eq(lines[n - 1], "5 of 5 hits");
    free(lines);
    free(out);
    free(err);
}
END_TEST

START_TEST(phrase_wei_fenghe_matches_exactly_two)
{
    const char *argv[] = {"search", "--format", "ids", "\"Wei Fenghe\"", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_eq(n, 2);
    int a = strcmp(lines[0], SEED_IDS[3]) == 0 || strcmp(lines[1], SEED_IDS[3]) == 0;
    int b = strcmp(lines[0], SEED_IDS[4]) == 0 || strcmp(lines[1], SEED_IDS[4]) == 0;
    ck_assert(a && b);
    free(lines);
    free(out);
    free(err);
}
END_TEST

START_TEST(json_format_parses_with_all_members)
{
    const char *argv[] = {"search", "--format=json", "25-year agreement", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    ck_assert_msg(doc != NULL, "bad JSON: %s\n%s", jerr.text, out);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "query")), "25-year agreement");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "total_hits")), 5);
    json_t *hits = json_object_get(doc, "hits");
    ck_assert(json_is_array(hits));
    ck_assert_uint_eq(json_array_size(hits), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *h = json_array_get(hits, i);
        ck_assert_int_eq(json_integer_value(json_object_get(h, "rank")), (json_int_t)i + 1);
        ck_assert(is_seed(json_string_value(json_object_get(h, "id"))));
        ck_assert(json_is_string(json_object_get(h, "title")));
        ck_assert(json_is_number(json_object_get(h, "score")));
        json_t *snip = json_object_get(h, "snippet"), *m = json_object_get(h, "matches");
        ck_assert(json_is_string(snip));
        ck_assert(json_is_array(m));
        size_t slen = json_string_length(snip);
        for (size_t k = 0; k < json_array_size(m); k++) {
            json_int_t start = json_integer_value(json_array_get(json_array_get(m, k), 0));
            json_int_t len = json_integer_value(json_array_get(json_array_get(m, k), 1));
            ck_assert(start >= 0 && len > 0 && (size_t)(start + len) <= slen);
        }
        ck_assert_ptr_null(json_object_get(h, "explain"));
    }
    json_decref(doc);
    free(out);
    free(err);
}
END_TEST

START_TEST(json_explain_lists_term_figures)
{
    const char *argv[] = {"--explain", "--format", "json", "agreement", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    json_t *doc = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *h = json_array_get(json_object_get(doc, "hits"), 0);
    json_t *ex = json_object_get(h, "explain");
    ck_assert(json_is_array(ex));
    ck_assert_uint_ge(json_array_size(ex), 1);
    static const char *const keys[] = {"tf", "df", "idf", "doc_len", "avg_len", "k1", "b",
                                       "weight", "score"};
    json_t *t = json_array_get(ex, 0);
    ck_assert(json_is_string(json_object_get(t, "term")));
    ck_assert(json_is_string(json_object_get(t, "field")));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        ck_assert_msg(json_is_number(json_object_get(t, keys[k])), "no %s", keys[k]);
    json_decref(doc);
    free(out);
    free(err);
}
END_TEST

START_TEST(text_explain_prints_a_line_per_term)
{
    const char *argv[] = {"search", "--explain", "-n", "1", "agreement", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "explain:"));
    ck_assert_ptr_nonnull(strstr(out, "idf="));
    ck_assert_ptr_nonnull(strstr(out, "1 of 5 hits"));
    free(out);
    free(err);
}
END_TEST

START_TEST(trec_format_has_six_fields)
{
    const char *argv[] = {"--format", "trec", "25-year agreement", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        char f[6][128], extra[8];
        int k = sscanf(lines[i], "%127s %127s %127s %127s %127s %127s %7s", f[0], f[1], f[2], f[3],
                       f[4], f[5], extra);
        ck_assert_msg(k == 6, "not 6 fields: %s", lines[i]);
        ck_assert_str_eq(f[0], "1");
        ck_assert_str_eq(f[1], "Q0");
        ck_assert(is_seed(f[2]));
        ck_assert_int_eq(atoi(f[3]), (int)i + 1);
        ck_assert(atof(f[4]) > 0.0);
        ck_assert_str_eq(f[5], "cisearch");
    }
    free(lines);
    free(out);
    free(err);
}
END_TEST

START_TEST(ids_format_and_paging)
{
    const char *all[] = {"-f", "ids", "25-year agreement", NULL};
    const char *page[] = {"-f", "ids", "-n", "2", "--offset=1", "25-year agreement", NULL};
    char *out, *err, *out2, *err2, **l1, **l2;
    ck_assert_int_eq(ls_cli_run(all, NULL, &out, &err), 0);
    ck_assert_int_eq(ls_cli_run(page, NULL, &out2, &err2), 0);
    ck_assert_uint_eq(ls_cli_lines(out, &l1), 5);
    ck_assert_uint_eq(ls_cli_lines(out2, &l2), 2);
    for (int i = 0; i < 5; i++)
        ck_assert(is_seed(l1[i]));
    ck_assert_str_eq(l2[0], l1[1]);
    ck_assert_str_eq(l2[1], l1[2]);
    free(l1);
    free(l2);
    free(out);
    free(err);
    free(out2);
    free(err2);
}
END_TEST

/* ---- batch ---- */

START_TEST(batch_json_one_object_per_line)
{
    const char *q = "q1\t25-year agreement\n\nq2\t\"Wei Fenghe\"\r\nq3\tzzqxyplugh\n";
    const char *argv[] = {"search", "--queries", "-", "--format", "json", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, q, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_eq(n, 3);
    static const char *const qids[] = {"q1", "q2", "q3"};
    static const json_int_t totals[] = {5, 2, 0};
    for (size_t i = 0; i < n; i++) {
        json_t *doc = json_loads(lines[i], 0, NULL);
        ck_assert_msg(doc != NULL, "line %zu: %s", i, lines[i]);
        ck_assert_str_eq(json_string_value(json_object_get(doc, "qid")), qids[i]);
        ck_assert_int_eq(json_integer_value(json_object_get(doc, "total_hits")), totals[i]);
        ck_assert_uint_eq(json_array_size(json_object_get(doc, "hits")), (size_t)totals[i]);
        json_decref(doc);
    }
    free(lines);
    free(out);
    free(err);
}
END_TEST

START_TEST(batch_from_file_trec_uses_qids)
{
    char *file = ls_cli_path(ls_cli_tmp, "queries.tsv");
    ls_cli_write(file, "701\tagreement\n702\t\"Wei Fenghe\"\n");
    const char *argv[] = {"search", "--queries", file, "-f", "trec", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_eq(n, 7);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(strtok(lines[i], " "), i < 5 ? "701" : "702");
    free(lines);
    free(out);
    free(err);
    free(file);
}
END_TEST

START_TEST(batch_line_without_tab_names_the_line)
{
    const char *argv[] = {"search", "--queries", "-", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, "q1\tiran\nq2 no tab here\n", &out, &err), 2);
    ck_assert_msg(strstr(err, ":2:") != NULL, "%s", err);
    ck_assert_str_eq(out, ""); /* nothing runs before the file is known good */
    free(out);
    free(err);
}
END_TEST

/* ---- statuses and errors ---- */

START_TEST(no_hits_exits_one)
{
    const char *argv[] = {"zzqxyplugh", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(out, "0 of 0 hits"));
    free(out);
    free(err);
}
END_TEST

START_TEST(strict_unbalanced_quote_names_the_byte)
{
    const char *strict[] = {"search", "--strict", "\"unbalanced", NULL};
    const char *lenient[] = {"search", "\"unbalanced", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(strict, NULL, &out, &err), 2);
    ck_assert_msg(strncmp(err, "cisearch: ", 10) == 0, "%s", err);
    ck_assert_msg(strstr(err, "byte") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "\"unbalanced\n") != NULL && strchr(err, '^') != NULL, "%s", err);
    free(out);
    free(err);
    int rc = ls_cli_run(lenient, NULL, &out, &err);
    ck_assert_msg(rc == 0 || rc == 1, "lenient gave %d: %s", rc, err);
    free(out);
    free(err);
}
END_TEST

START_TEST(empty_and_missing_query_exit_two)
{
    const char *empty[] = {"  ", NULL};
    const char *none[] = {"search", "-n", "3", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(empty, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "empty query"));
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(none, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "missing query"));
    free(out);
    free(err);
}
END_TEST

START_TEST(usage_mistakes_exit_two)
{
    const char *bad_opt[] = {"search", "--frobnicate", "iran", NULL};
    const char *bad_n[] = {"-n", "-3", "iran", NULL};
    const char *bad_fmt[] = {"--format", "xml", "iran", NULL};
    const char *no_val[] = {"iran", "--index", NULL};
    const char *const *cases[] = {bad_opt, bad_n, bad_fmt, no_val};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, *err;
        ck_assert_int_eq(ls_cli_run(cases[i], NULL, &out, &err), 2);
        ck_assert_msg(strncmp(err, "cisearch: ", 10) == 0, "case %zu: %s", i, err);
        free(out);
        free(err);
    }
}
END_TEST

START_TEST(missing_index_dir_is_reported_plainly)
{
    char *dir = ls_cli_path(ls_cli_tmp, "nowhere");
    const char *argv[] = {"search", "--index", dir, "iran", NULL};
    const char *stats[] = {"stats", "--index", dir, NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "no index at") != NULL && strstr(err, dir) != NULL, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "cisearch index --index"));
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(stats, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "no index at"));
    free(out);
    free(err);
    free(dir);
}
END_TEST

/* ---- indexing ---- */

START_TEST(index_directory_then_search)
{
    char *docs = ls_cli_path(ls_cli_tmp, "docs"), *sub = ls_cli_path(ls_cli_tmp, "docs/sub"),
         *idx = ls_cli_path(ls_cli_tmp, "idx");
    ck_assert_int_eq(mkdir(docs, 0700), 0);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    char *a = ls_cli_path(docs, "alpha.txt"), *b = ls_cli_path(sub, "beta.txt"),
         *e = ls_cli_path(docs, "empty.txt"), *bin = ls_cli_path(docs, "blob.dat"),
         *hid = ls_cli_path(docs, ".hidden.txt");
    ls_cli_write(a, "\n  Alpha Title  \nThe zebra grazes near the river.\n");
    ls_cli_write(b, "Beta notes\nA quagga is an extinct zebra.\n");
    ls_cli_write(e, "");
    ck_assert_int_eq(ls_test_write_file(bin, "okapi\0\1\2okapi", 13), 0);
    ls_cli_write(hid, "Hidden\nokapi okapi\n");
    const char *ix[] = {"index", "--index", idx, docs, NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(ix, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "blob.dat") != NULL, "binary not reported: %s", err);
    ck_assert_msg(strstr(err, "3 added, 0 updated, 0 deleted, 0 unchanged") != NULL, "%s", err);
    free(out);
    free(err);

    /* ids are absolute paths: the real path of the root, then the path below it */
    char *real = realpath(docs, NULL);
    ck_assert_ptr_nonnull(real);
    char *ida = ls_cli_fmt("%s/alpha.txt", real), *idb = ls_cli_fmt("%s/sub/beta.txt", real);
    const char *zebra[] = {"search", "--index", idx, "-f", "ids", "zebra", NULL};
    ck_assert_int_eq(ls_cli_run(zebra, NULL, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_eq(n, 2);
    ck_assert_msg((strcmp(lines[0], ida) == 0 && strcmp(lines[1], idb) == 0) ||
                      (strcmp(lines[1], ida) == 0 && strcmp(lines[0], idb) == 0),
                  "ids %s, %s", lines[0], lines[1]);
    free(lines);
    free(real);
    free(ida);
    free(idb);
    free(out);
    free(err);

    const char *okapi[] = {"search", "--index", idx, "okapi", NULL};
    ck_assert_int_eq(ls_cli_run(okapi, NULL, &out, &err), 1); /* hidden and binary were skipped */
    free(out);
    free(err);

    const char *title[] = {"search", "--index", idx, "-f", "json", "grazes", NULL};
    ck_assert_int_eq(ls_cli_run(title, NULL, &out, &err), 0);
    json_t *doc = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *h = json_array_get(json_object_get(doc, "hits"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(h, "title")), "Alpha Title");
    ck_assert_str_eq(json_string_value(json_object_get(h, "path")), a);
    json_decref(doc);
    free(out);
    free(err);
    free(docs), free(sub), free(idx), free(a), free(b), free(e), free(bin), free(hid);
}
END_TEST

START_TEST(index_file_argument_uses_absolute_path_as_id)
{
    char *f = ls_cli_path(ls_cli_tmp, "note.txt"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    ls_cli_write(f, "Note\nthe platypus lays eggs\n");
    const char *ix[] = {"index", "--index", idx, f, NULL};
    const char *q[] = {"search", "--index", idx, "--format", "ids", "platypus", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(ix, NULL, &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(q, NULL, &out, &err), 0);
    char *real = realpath(f, NULL);
    ck_assert_ptr_nonnull(real);
    char *want = ls_cli_fmt("%s\n", real);
    ck_assert_str_eq(out, want);
    free(want);
    free(real);
    free(out);
    free(err);
    free(f);
    free(idx);
}
END_TEST

START_TEST(index_jsonl_reports_malformed_line)
{
    char *f = ls_cli_path(ls_cli_tmp, "docs.jsonl"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    ls_cli_write(f, "{\"id\": \"a\", \"title\": \"One\", \"body\": \"narwhal tusk\"}\n"
                  "{\"id\": 7, \"body\": \"narwhal pod\"}\n"
                  "{\"id\": \"c\", \"body\": \"broken\"\n"
                  "[1, 2]\n"
                  "{\"id\": \"e\", \"body\": 5}\n"
                  "{\"id\": \"f\", \"body\": \"narwhal calf\"}\n");
    char *out, *err;
    /* --strict: the first malformed line stops the run; nothing is committed */
    const char *strict[] = {"index", "--index", idx, "--strict", "--jsonl", f, NULL};
    ck_assert_int_eq(ls_cli_run(strict, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "docs.jsonl:3: invalid JSON") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "nothing was committed") != NULL, "%s", err);
    free(out);
    free(err);
    const char *s0[] = {"--index", idx, "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(s0, NULL, &out, &err), 2); /* no index yet */
    free(out);
    free(err);
    /* default: each bad line told with file:line, skipped; the good ones committed; exit 2 */
    const char *ix[] = {"index", "--index", idx, "--jsonl", f, NULL};
    ck_assert_int_eq(ls_cli_run(ix, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "docs.jsonl:3 (malformed line): invalid JSON") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "docs.jsonl:4 (malformed line): not a JSON object") != NULL, "%s",
                  err);
    ck_assert_msg(strstr(err, "docs.jsonl:5 (malformed line)") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "skipped 3 malformed lines (the rest is committed)") != NULL, "%s",
                  err);
    ck_assert_msg(strstr(err, "indexed: 3 added") != NULL, "%s", err);
    free(out);
    free(err);
    const char *s1[] = {"--index", idx, "-f", "ids", "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(s1, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "a\n") && strstr(out, "7\n") && strstr(out, "f\n"), "%s", out);
    free(out);
    free(err);
    /* a missing input among good ones: told, the rest indexed, exit 2; all missing: nothing */
    char *idx2 = ls_cli_path(ls_cli_tmp, "idx2"), *nope = ls_cli_path(ls_cli_tmp, "nope");
    const char *miss[] = {"index", "--index", idx2, nope, "--jsonl", f, NULL};
    ck_assert_int_eq(ls_cli_run(miss, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "cannot read") != NULL && strstr(err, "nope") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "left out 1 input that could not be read") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "indexed: 3 added") != NULL, "%s", err);
    free(out);
    free(err);
    char *idx3 = ls_cli_path(ls_cli_tmp, "idx3");
    const char *none[] = {"index", "--index", idx3, nope, NULL};
    ck_assert_int_eq(ls_cli_run(none, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "nothing was committed") != NULL, "%s", err);
    free(out);
    free(err);
    const char *s3[] = {"--index", idx3, "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(s3, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "no index at") != NULL, "%s", err);
    free(out);
    free(err);
    free(idx2);
    free(idx3);
    free(nope);
    free(f);
    free(idx);
}
END_TEST

/* Files passed over are told: the first CLI_WARNINGS_SHOWN (3) of each reason, then a count
 * by reason; --verbose tells every one, --quiet none. */
START_TEST(index_warnings_are_summarized)
{
    char *tree = ls_cli_path(ls_cli_tmp, "tree"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    ck_assert_int_eq(mkdir(tree, 0755), 0);
    for (int i = 0; i < 7; i++) {
        char name[24];
        snprintf(name, sizeof name, "b%d.bin", i);
        char *p = ls_cli_path(tree, name);
        FILE *fp = fopen(p, "wb");
        ck_assert_ptr_nonnull(fp);
        fwrite("\0\1\2binary", 1, 9, fp);
        fclose(fp);
        free(p);
    }
    char *t = ls_cli_path(tree, "note.txt");
    ls_cli_write(t, "A note\nabout narwhals\n");
    free(t);
    static const char *const modes[] = {NULL, "--verbose", "--quiet"};
    static const int shown[] = {3, 7, 0};
    for (int m = 0; m < 3; m++) {
        char *dir = ls_cli_fmt("%s%d", idx, m), *out, *err;
        const char *ix[] = {"index", "--index", dir, tree, modes[m], NULL};
        ck_assert_int_eq(ls_cli_run(ix, NULL, &out, &err), 0);
        int told = 0;
        for (const char *p = err; (p = strstr(p, "(binary file)")) != NULL; p++)
            told++;
        ck_assert_msg(told == shown[m], "%s: %d told: %s", modes[m] ? modes[m] : "default", told,
                      err);
        ck_assert_msg(strstr(err, "skipped by reason: binary file 7") != NULL, "%s", err);
        ck_assert_msg(strstr(err, "indexed: 1 added") != NULL, "%s", err);
        free(dir);
        free(out);
        free(err);
    }
    free(tree);
    free(idx);
}
END_TEST

START_TEST(index_jsonl_from_stdin_then_search)
{
    char *idx = ls_cli_path(ls_cli_tmp, "idx");
    const char *in = "{\"id\": 42, \"title\": \"Whales\", \"body\": \"the narwhal tusk\", "
                     "\"extra\": [1, 2]}\n\n"
                     "{\"id\": \"b\", \"title\": \"Fish\", \"body\": \"cod\", \"path\": \"/x\"}\n";
    const char *ix[] = {"index", "--jsonl=-", "--index", idx, NULL};
    const char *q[] = {"--index", idx, "--format", "ids", "narwhal", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(ix, in, &out, &err), 0);
    ck_assert_msg(strstr(err, "2 added, 0 updated") != NULL, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(q, NULL, &out, &err), 0);
    ck_assert_str_eq(out, "42\n");
    free(out);
    free(err);
    free(idx);
}
END_TEST

static void expect_usage_errors(const char *const *const *cases, size_t n, const char *needle);

/* --threads: 1 and 3 index threads build indexes that find the same documents; 0, 65 and a
 * word are usage errors. */
START_TEST(index_threads_option)
{
    char *all = ls_cli_fmt("%s", "");
    for (int i = 0; i < 300; i++) {
        char *next = ls_cli_fmt("%s{\"id\": \"d%d\", \"title\": \"t%d\", \"body\": \"%s %s w%d\"}\n",
                                all, i % 250, i, i % 3 ? "amber" : "basalt",
                                i % 5 ? "cobalt" : "dune", i % 7);
        free(all);
        all = next;
    }
    char *outs[2];
    const char *threads[] = {"1", "3"};
    for (int t = 0; t < 2; t++) {
        char *idx = ls_cli_path(ls_cli_tmp, t ? "idx3" : "idx1");
        const char *ix[] = {"index", "--jsonl=-", "--index", idx, "--threads", threads[t], NULL};
        char *out, *err;
        ck_assert_int_eq(ls_cli_run(ix, all, &out, &err), 0);
        ck_assert_msg(strstr(err, "300 added, 0 updated") != NULL, "%s", err);
        free(out);
        free(err);
        const char *q[] = {"--index", idx, "--format", "ids", "-n", "1000", "basalt OR dune",
                           NULL};
        ck_assert_int_eq(ls_cli_run(q, NULL, &outs[t], &err), 0);
        free(err);
        free(idx);
    }
    /* the same ids (equal scores may come in another order: compare as sets) */
    size_t n[2] = {0, 0};
    for (int t = 0; t < 2; t++)
        for (const char *c = outs[t]; *c; c++)
            n[t] += *c == '\n';
    ck_assert_uint_eq(n[0], n[1]);
    ck_assert_uint_gt(n[0], 100);
    for (char *line = outs[0], *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        *nl = '\0';
        char *want = ls_cli_fmt("\n%s\n", line), *hay = ls_cli_fmt("\n%s", outs[1]);
        ck_assert_msg(strstr(hay, want) != NULL, "%s found with 1 thread, not with 3", line);
        free(want);
        free(hay);
    }
    free(outs[0]);
    free(outs[1]);
    free(all);
    char *idx = ls_cli_path(ls_cli_tmp, "idxbad");
    const char *b1[] = {"index", "--index", idx, "--threads", "0", "x.txt", NULL};
    const char *b2[] = {"index", "--index", idx, "--threads", "65", "x.txt", NULL};
    const char *b3[] = {"index", "--index", idx, "-j", "two", "x.txt", NULL};
    const char *const *bad[] = {b1, b2, b3};
    expect_usage_errors(bad, 3, "--threads wants 1..64");
    free(idx);
}
END_TEST

/* optimize --threads: one thread and two (the stored fields merged apart) give the same
 * index: the same hits in the same order with the same scores and stored text, checked; 0,
 * 65 and a word are usage errors. */
START_TEST(optimize_threads_option)
{
    char *outs[2];
    const char *threads[] = {"1", "2"};
    for (int t = 0; t < 2; t++) {
        char *idx = ls_cli_path(ls_cli_tmp, t ? "opt2" : "opt1");
        for (int part = 0; part < 3; part++) { /* three commits: three segments */
            char *all = ls_cli_fmt("%s", "");
            for (int i = 0; i < 120; i++) {
                char *next = ls_cli_fmt(
                    "%s{\"id\": \"p%d-%d\", \"title\": \"t%d\", \"body\": \"%s gravel w%d\"}\n",
                    all, part, i, i, i % 4 ? "amber" : "basalt", (i * 7 + part) % 11);
                free(all);
                all = next;
            }
            const char *ix[] = {"index", "--jsonl=-", "--index", idx, "--threads", "1", NULL};
            char *out, *err;
            ck_assert_int_eq(ls_cli_run(ix, all, &out, &err), 0);
            free(out);
            free(err);
            free(all);
        }
        const char *del[] = {"delete", "--index", idx, "p0-3", "p1-8", "p2-100", NULL};
        char *out, *err;
        ck_assert_int_eq(ls_cli_run(del, NULL, &out, &err), 0);
        free(out);
        free(err);
        const char *opt[] = {"optimize", "--index", idx, "--threads", threads[t], NULL};
        ck_assert_int_eq(ls_cli_run(opt, NULL, &out, &err), 0);
        ck_assert_msg(strstr(err, "-> 1, 3 deleted documents dropped, 357 documents") != NULL,
                      "%s", err);
        free(out);
        free(err);
        const char *chk[] = {"check", "--index", idx, NULL};
        ck_assert_int_eq(ls_cli_run(chk, NULL, &out, &err), 0);
        free(out);
        free(err);
        const char *q[] = {"--index", idx, "--format", "json", "-n", "400", "basalt OR w3", NULL};
        ck_assert_int_eq(ls_cli_run(q, NULL, &outs[t], &err), 0);
        free(err);
        free(idx);
    }
    ck_assert_str_eq(outs[0], outs[1]);
    ck_assert_ptr_nonnull(strstr(outs[0], "gravel"));
    free(outs[0]);
    free(outs[1]);
    char *idx = ls_cli_path(ls_cli_tmp, "opt1");
    const char *b1[] = {"optimize", "--index", idx, "--threads", "0", NULL};
    const char *b2[] = {"optimize", "--index", idx, "--threads", "65", NULL};
    const char *b3[] = {"optimize", "--index", idx, "-j", "two", NULL};
    const char *const *bad[] = {b1, b2, b3};
    expect_usage_errors(bad, 3, "--threads wants 1..64");
    free(idx);
}
END_TEST

/* 40 documents as JSON lines: "narwhal" in 3 (beside "tusk"), "tusk" alone in 1, filler. */
static char *feedback_corpus(void)
{
    char *all = ls_cli_fmt("%s", "");
    for (int i = 0; i < 40; i++) {
        const char *body = i < 3    ? "the narwhal has a long spiral tusk"
                           : i == 3 ? "an old walrus tusk was found on the beach"
                                    : "filler text about weather";
        char *next = ls_cli_fmt("%s{\"id\": \"d%02d\", \"title\": \"doc\", \"body\": \"%s w%d\"}\n",
                         all, i, body, i);
        free(all);
        all = next;
    }
    return all;
}

/* The feedback corpus indexed into a fresh "idx" of the test's directory (malloc'd path). */
static char *index_feedback_corpus(void)
{
    char *idx = ls_cli_path(ls_cli_tmp, "idx"), *docs = feedback_corpus();
    const char *ix[] = {"index", "--jsonl=-", "--index", idx, NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(ix, docs, &out, &err), 0);
    free(out);
    free(err);
    free(docs);
    return idx;
}

/* Each argument vector is a usage error (exit 2) whose message holds needle. */
static void expect_usage_errors(const char *const *const *cases, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++) {
        char *out, *err;
        ck_assert_int_eq(ls_cli_run(cases[i], NULL, &out, &err), 2);
        ck_assert_msg(strstr(err, needle) != NULL, "case %zu: %s", i, err);
        free(out);
        free(err);
    }
}

START_TEST(rm3_switches_rerank_widen_and_explain)
{
    char *idx = index_feedback_corpus();
    char *out, *err;
    /* --rm3 and the default (feedback off) match the same three documents. */
    const char *on[] = {"--index", idx, "--format", "ids", "--rm3", "narwhal", NULL};
    const char *off[] = {"--index", idx, "--format", "ids", "--no-rm3", "narwhal", NULL};
    const char *widen[] = {"--index", idx, "--format", "ids", "--rm3", "--rm3-widen", "narwhal",
                           NULL};
    const char *const *cases[] = {on, off};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(ls_cli_run(cases[i], NULL, &out, &err), 0);
        ck_assert_msg(strcmp(out, "d00\nd01\nd02\n") == 0, "case %zu: %s", i, out);
        free(out);
        free(err);
    }
    /* Widened, the walrus document (tusk, no narwhal) matches after the narwhal ones. */
    ck_assert_int_eq(ls_cli_run(widen, NULL, &out, &err), 0);
    ck_assert_msg(strcmp(out, "d00\nd01\nd02\nd03\n") == 0, "%s", out);
    free(out);
    free(err);
    /* --explain shows the expansion term; without feedback it is absent. */
    const char *ex_on[] = {"--index", idx, "--explain", "-n", "1", "--rm3", "narwhal", NULL};
    const char *ex_off[] = {"--index", idx, "--explain", "-n", "1", "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(ex_on, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"tusk\" in all") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "\"the\" in all") == NULL, "stop word added: %s", out);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(ex_off, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"tusk\"") == NULL && strstr(out, "\"narwhal\"") != NULL,
                  "%s", out);
    free(out);
    free(err);
    /* A feedback setting turns feedback on; --no-rm3 anywhere turns it off. */
    const char *implied[] = {"--index", idx, "--explain", "-n", "1", "--rm3-weight", "0.7",
                             "narwhal", NULL};
    const char *vetoed[] = {"--index", idx, "--no-rm3", "--explain", "-n", "1", "--rm3-weight",
                            "0.7", "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(implied, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"tusk\" in all") != NULL, "%s", out);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(vetoed, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"tusk\"") == NULL, "%s", out);
    free(out);
    free(err);
    /* Bad settings are usage errors. */
    const char *bad_terms[] = {"--index", idx, "--rm3-terms", "0", "narwhal", NULL};
    const char *bad_weight[] = {"--index", idx, "--rm3-weight", "1.5", "narwhal", NULL};
    const char *bad_docs[] = {"--index", idx, "--rm3-docs", "2.5", "narwhal", NULL};
    const char *const *bad[] = {bad_terms, bad_weight, bad_docs};
    expect_usage_errors(bad, 3, "--rm3-");
    free(idx);
}
END_TEST

START_TEST(proximity_switches_and_explain)
{
    char *idx = index_feedback_corpus();
    char *out, *err;
    /* "narwhal ... tusk": the explanation shows both terms' proximity shares */
    const char *on[] = {"--index", idx, "--explain", "-n", "1", "--no-rm3", "--proximity", "2",
                        "narwhal tusk", NULL};
    const char *off[] = {"--index", idx, "--explain", "-n", "1", "--no-rm3", "--proximity", "2",
                         "--no-proximity", "narwhal tusk", NULL};
    ck_assert_int_eq(ls_cli_run(on, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"narwhal\" in proximity") != NULL &&
                      strstr(out, "\"tusk\" in proximity") != NULL,
                  "%s", out);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(off, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "in proximity") == NULL, "%s", out);
    free(out);
    free(err);
    const char *bad_weight[] = {"--index", idx, "--proximity", "-1", "narwhal", NULL};
    const char *bad_depth[] = {"--index", idx, "--proximity", "1", "--proximity-depth", "0",
                               "narwhal", NULL};
    const char *lone_depth[] = {"--index", idx, "--proximity-depth", "5", "narwhal", NULL};
    const char *const *bad[] = {bad_weight, bad_depth, lone_depth};
    expect_usage_errors(bad, 3, "--proximity");
    free(idx);
}
END_TEST

/* `cisearch bench`: one line per query, latency_us<TAB>hits<TAB>query, hits equal to what
 * search counts, -k 0 counting the same; a query that does not parse names its line. */
START_TEST(bench_times_queries_and_counts_hits)
{
    char *idx = index_feedback_corpus(), *qf = ls_cli_path(ls_cli_tmp, "queries.txt");
    char *out, *err;
    static const char *const qs[] = {"narwhal", "tusk", "+narwhal +tusk", "\"spiral tusk\"",
                                     "filler OR tusk", "walr*", "nothingmatches"};
    static const unsigned long want[] = {3, 4, 3, 3, 40, 1, 0};
    FILE *f = fopen(qf, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        fprintf(f, "%s\n%s", qs[i], i == 2 ? "\n  \n" : ""); /* blank lines are skipped */
    fclose(f);
    const char *ks[] = {"10", "0"};
    for (size_t kk = 0; kk < 2; kk++) {
        const char *b[] = {"bench", "--index", idx, "--queries", qf, "-k", ks[kk], "--repeat",
                           "3", NULL};
        ck_assert_int_eq(ls_cli_run(b, NULL, &out, &err), 0);
        ck_assert_msg(strstr(err, "bench: 7 queries, 3 timed runs each") != NULL, "%s", err);
        char *line = out, *next;
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++, line = next) {
            ck_assert_msg(line != NULL && *line, "line %zu missing: %s", i, out);
            next = strchr(line, '\n');
            ck_assert_ptr_nonnull(next);
            *next++ = '\0';
            char *end;
            double us = strtod(line, &end);
            ck_assert_msg(end != line && *end == '\t' && us >= 0, "bad latency: %s", line);
            unsigned long hits = strtoul(end + 1, &end, 10);
            ck_assert_msg(*end == '\t', "bad hits: %s", line);
            ck_assert_msg(hits == want[i], "'%s': %lu hits, want %lu", qs[i], hits, want[i]);
            ck_assert_str_eq(end + 1, qs[i]);
        }
        ck_assert_str_eq(line, "");
        free(out);
        free(err);
    }
    /* a line that does not parse (strict syntax) */
    f = fopen(qf, "w");
    ck_assert_ptr_nonnull(f);
    fputs("narwhal\n\"unclosed\n", f);
    fclose(f);
    const char *bad[] = {"bench", "--index", idx, "--queries", qf, NULL};
    ck_assert_int_eq(ls_cli_run(bad, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "line 2") != NULL, "%s", err);
    free(out);
    free(err);
    const char *noq[] = {"bench", "--index", idx, NULL};
    const char *badr[] = {"bench", "--index", idx, "--queries", qf, "--repeat", "0", NULL};
    const char *const *usage[] = {noq, badr};
    expect_usage_errors(usage, 2, "Try 'cisearch bench --help'");
    free(qf);
    free(idx);
}
END_TEST

/* 3000 documents holding "common" (one in seven also "rare"): the first 50 short and dense in
 * it, the rest long with one, so that once the best are found whole blocks cannot enter. */
static char *index_pruning_corpus(void)
{
    char *idx = ls_cli_path(ls_cli_tmp, "pidx"), *docs;
    size_t len;
    FILE *f = open_memstream(&docs, &len);
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 3000; i++) {
        fprintf(f, "{\"id\": \"p%d\", \"title\": \"t%d\", \"body\": \"", i, i);
        for (int w = 0; w < (i < 50 ? 3 : 30); w++)
            fputs(i < 50 ? "common " : "filler ", f);
        fputs(i % 7 == 0 ? "rare common\"}\n" : "common\"}\n", f);
    }
    ck_assert_int_eq(fclose(f), 0);
    const char *ix[] = {"index", "--jsonl=-", "--index", idx, NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(ix, docs, &out, &err), 0);
    free(out);
    free(err);
    free(docs);
    return idx;
}

START_TEST(count_all_and_lower_bound_counts)
{
    char *idx = index_pruning_corpus();
    char *fast, *all, *err;
    /* by default the count may stop short past 1000 matches; --count-all counts every one;
     * the hits are the same either way */
    const char *d[] = {"--index", idx, "-n", "5", "common", NULL};
    const char *c[] = {"--index", idx, "-n", "5", "--count-all", "common", NULL};
    ck_assert_int_eq(ls_cli_run(d, NULL, &fast, &err), 0);
    free(err);
    ck_assert_int_eq(ls_cli_run(c, NULL, &all, &err), 0);
    free(err);
    ck_assert_msg(strstr(all, "5 of 3000 hits\n") != NULL, "%s", all);
    char *tail = strstr(fast, "5 of at least ");
    ck_assert_msg(tail != NULL, "%s", fast);
    unsigned long n = strtoul(tail + strlen("5 of at least "), NULL, 10);
    ck_assert_msg(n >= 1000 && n < 3000, "%s", tail);
    ck_assert_int_eq((int)(tail - fast), (int)(strstr(all, "5 of 3000") - all));
    ck_assert(strncmp(fast, all, (size_t)(tail - fast)) == 0);
    free(fast);
    free(all);
    /* JSON says which */
    const char *j[] = {"--index", idx, "-n", "5", "-f", "json", "common", NULL};
    const char *jc[] = {"--index", idx, "-n", "5", "-f", "json", "--count-all", "common", NULL};
    ck_assert_int_eq(ls_cli_run(j, NULL, &fast, &err), 0);
    free(err);
    ck_assert_int_eq(ls_cli_run(jc, NULL, &all, &err), 0);
    free(err);
    ck_assert_msg(strstr(fast, "\"total_exact\": false") != NULL, "%s", fast);
    ck_assert_msg(strstr(all, "\"total_exact\": true") != NULL, "%s", all);
    ck_assert_msg(strstr(all, "\"total_hits\": 3000") != NULL, "%s", all);
    free(fast);
    free(all);
    /* few matches, or a count only: exact without asking */
    const char *r[] = {"--index", idx, "-n", "5", "rare", NULL};
    ck_assert_int_eq(ls_cli_run(r, NULL, &fast, &err), 0);
    ck_assert_msg(strstr(fast, "5 of 429 hits\n") != NULL, "%s", fast);
    free(fast);
    free(err);
    free(idx);
}
END_TEST

START_TEST(index_needs_a_directory_and_inputs)
{
    char *idx = ls_cli_path(ls_cli_tmp, "idx"), *gone = ls_cli_path(ls_cli_tmp, "gone.txt");
    const char *no_dir[] = {"index", LS_TEST_SEEDS_DIR, NULL};
    const char *no_input[] = {"index", "--index", idx, NULL};
    const char *missing[] = {"index", "--index", idx, gone, NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(no_dir, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "--index"));
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(no_input, NULL, &out, &err), 2);
    free(out);
    free(err);
    ck_assert_int_eq(ls_cli_run(missing, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "gone.txt"));
    free(out);
    free(err);
    free(idx);
    free(gone);
}
END_TEST

/* ---- stats, help, version ---- */

START_TEST(stats_of_seeds_counts_five_documents)
{
    const char *argv[] = {"stats", NULL};
    char *out, *err, **lines;
    ck_assert_int_eq(ls_cli_run(argv, NULL, &out, &err), 0);
    size_t n = ls_cli_lines(out, &lines);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long long v;
        char word[32];
        if (sscanf(lines[i], "%31s %llu", word, &v) == 2 && strcmp(word, "documents") == 0) {
            ck_assert_uint_eq(v, 5);
            found = 1;
        }
    }
    ck_assert_msg(found, "%s", out);
    free(lines);
    free(out);
    free(err);
}
END_TEST

/* --color, --snippet-words, a query on standard input, the hint for a mistyped command and
 * stats --format json: the conventions of issue 10. */
START_TEST(cli_conventions)
{
    char *out, *err;
    /* --color always marks titles and matched words; never (and the default off a terminal)
     * writes no escape at all */
    const char *always[] = {"--color", "always", "-n", "1", "25-year agreement", NULL};
    ck_assert_int_eq(ls_cli_run(always, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\033[1;35mChina Beefs Up") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "\033[1;31m25\033[0m") != NULL, "%s", out);
    free(out);
    free(err);
    const char *never[] = {"--color=never", "-n", "1", "25-year agreement", NULL};
    const char *dflt[] = {"-n", "1", "25-year agreement", NULL};
    const char *const *plain[] = {never, dflt};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(ls_cli_run(plain[i], NULL, &out, &err), 0);
        ck_assert_msg(strchr(out, '\033') == NULL, "%s", out);
        free(out);
        free(err);
    }
    const char *bad[] = {"--color", "sometimes", "x", NULL};
    ck_assert_int_eq(ls_cli_run(bad, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "auto, always or never") != NULL, "%s", err);
    free(out);
    free(err);
    /* --snippet-words: a window of about N words */
    const char *sw[] = {"--snippet-words", "4", "-n", "1", "iran", NULL};
    ck_assert_int_eq(ls_cli_run(sw, NULL, &out, &err), 0);
    char **lines;
    size_t n = ls_cli_lines(out, &lines);
    ck_assert_uint_ge(n, 2);
    size_t words = 0;
    for (const char *p = lines[1]; *p; p++)
        words += *p == ' ' && p[1] != ' ' && p[1] != '\0';
    ck_assert_msg(words <= 6, "%zu words: %s", words, lines[1]);
    free(lines);
    free(out);
    free(err);
    /* a query on standard input: "-", or no words with stdin not a terminal */
    const char *dash[] = {"-f", "ids", "-", NULL};
    const char *none[] = {"-f", "ids", NULL};
    const char *const *piped[] = {dash, none};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(ls_cli_run(piped[i], "wei\nfenghe\n", &out, &err), 0);
        ck_assert_msg(strcmp(out, "003_7d839a67d7f86eaf.txt\n004_d391944dcf367113.txt\n") == 0 ||
                          strcmp(out, "004_d391944dcf367113.txt\n003_7d839a67d7f86eaf.txt\n") == 0,
                      "%s", out);
        free(out);
        free(err);
    }
    const char *empty[] = {"-", NULL};
    ck_assert_int_eq(ls_cli_run(empty, "  \n", &out, &err), 2);
    ck_assert_msg(strstr(err, "empty query") != NULL, "%s", err);
    free(out);
    free(err);
    /* a bare word one edit from a command is searched, with a hint */
    static const char *const typos[][2] = {{"stat", "stats"}, {"indx", "index"},
                                           {"chekc", "check"}, {"optimise", "optimize"}};
    for (int i = 0; i < 4; i++) {
        const char *t[] = {typos[i][0], NULL};
        ck_assert_int_le(ls_cli_run(t, NULL, &out, &err), 1);
        char *want = ls_cli_fmt("type 'cisearch %s'", typos[i][1]);
        ck_assert_msg(strstr(err, want) != NULL, "%s: %s", typos[i][0], err);
        free(want);
        free(out);
        free(err);
    }
    const char *word[] = {"iran", NULL};
    ck_assert_int_eq(ls_cli_run(word, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "for the command") == NULL, "%s", err);
    free(out);
    free(err);
    /* stats --format json */
    const char *sj[] = {"stats", "--format", "json", "--check", NULL};
    ck_assert_int_eq(ls_cli_run(sj, NULL, &out, &err), 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "%s: %s", je.text, out);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "documents")), 5);
    ck_assert_str_eq(json_string_value(json_object_get(j, "language")), "english");
    ck_assert_str_eq(json_string_value(json_object_get(j, "check")), "ok");
    json_t *b = json_object_get(j, "bytes");
    ck_assert_int_gt(json_integer_value(json_object_get(b, "total")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "total")),
                     json_integer_value(json_object_get(b, "dictionary")) +
                         json_integer_value(json_object_get(b, "postings")) +
                         json_integer_value(json_object_get(b, "positions")) +
                         json_integer_value(json_object_get(b, "doc_lengths")) +
                         json_integer_value(json_object_get(b, "stored")) +
                         json_integer_value(json_object_get(b, "ids")) +
                         json_integer_value(json_object_get(b, "deletions")) +
                         json_integer_value(json_object_get(b, "manifest")));
    json_decref(j);
    free(out);
    free(err);
}
END_TEST

/* Indexes a few JSON lines into a fresh index dir of the test's directory (malloc'd path). */
static char *index_lines(const char *name, const char *lines)
{
    char *idx = ls_cli_path(ls_cli_tmp, name), *out, *err;
    const char *ix[] = {"index", "--jsonl=-", "--index", idx, NULL};
    ck_assert_int_eq(ls_cli_run(ix, lines, &out, &err), 0);
    free(out);
    free(err);
    return idx;
}

/* --index repeated, or $CISEARCH_INDEX as a list: several indexes searched as one, each hit
 * naming its index, with the scores of one index holding them all; stats shows each and the
 * total; writing commands refuse a list. */
START_TEST(several_indexes_as_one)
{
    static const char a[] = "{\"id\": \"a1\", \"title\": \"Alpha\", \"body\": \"narwhal tusk\"}\n"
                            "{\"id\": \"a2\", \"title\": \"A2\", \"body\": \"walrus tusk\"}\n";
    static const char b[] = "{\"id\": \"b1\", \"title\": \"Beta\", \"body\": \"narwhal pod "
                            "narwhal\"}\n";
    char *A = index_lines("A", a), *B = index_lines("B", b);
    char *both = ls_cli_fmt("%s%s", a, b), *U = index_lines("U", both);
    free(both);
    char *out, *err, *uout;
    const char *many[] = {"-i", A, "-i", B, "-f", "trec", "tusk narwhal", NULL};
    const char *one[] = {"-i", U, "-f", "trec", "tusk narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(many, NULL, &out, &err), 0);
    free(err);
    ck_assert_int_eq(ls_cli_run(one, NULL, &uout, &err), 0);
    free(err);
    ck_assert_str_eq(out, uout); /* same ids, order and scores as the union */
    free(out);
    free(uout);
    const char *text[] = {"-i", A, "-i", B, "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(text, NULL, &out, &err), 0);
    char *inb = ls_cli_fmt("b1  Beta  (in %s)", B);
    ck_assert_msg(strstr(out, inb) != NULL, "%s", out);
    free(inb);
    free(out);
    free(err);
    /* $CISEARCH_INDEX=A:B, JSON naming the index */
    char *envs = ls_cli_fmt("CISEARCH_INDEX=%s:%s", A, B);
    const char *const env[] = {ls_cli_env[0], ls_cli_env[1], envs, ls_cli_env[3], NULL};
    const char *js[] = {"-f", "json", "narwhal", NULL};
    ck_assert_int_eq(ls_test_run_cli(js, env, NULL, &out, &err), 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "%s", out);
    json_t *h0 = json_array_get(json_object_get(j, "hits"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(h0, "id")), "b1");
    ck_assert_int_eq(json_integer_value(json_object_get(h0, "index")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(h0, "index_dir")), B);
    json_decref(j);
    free(out);
    free(err);
    const char *st[] = {"stats", "-f", "json", NULL};
    ck_assert_int_eq(ls_test_run_cli(st, env, NULL, &out, &err), 0);
    j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "%s", out);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "indexes")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "total"), "documents")),
                     3);
    json_decref(j);
    free(out);
    free(err);
    const char *wr[] = {"index", "--jsonl=-", NULL};
    ck_assert_int_eq(ls_test_run_cli(wr, env, "", &out, &err), 2);
    ck_assert_msg(strstr(err, "names several indexes") != NULL, "%s", err);
    free(out);
    free(err);
    /* bench reads several --index too: the matches of both */
    char *qf = ls_cli_path(ls_cli_tmp, "nq.txt");
    ls_cli_write(qf, "narwhal\n");
    const char *bn[] = {"bench", "-i", A, "-i", B, "--queries", qf, "--repeat", "1", NULL};
    ck_assert_int_eq(ls_cli_run(bn, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "\t2\tnarwhal\n") != NULL, "%s", out);
    free(out);
    free(err);
    free(qf);
    /* one index of another language cannot join */
    char *N = ls_cli_path(ls_cli_tmp, "N");
    const char *ixn[] = {"index", "--jsonl=-", "--language", "none", "--index", N, NULL};
    ck_assert_int_eq(ls_cli_run(ixn, b, &out, &err), 0);
    free(out);
    free(err);
    const char *mixed[] = {"-i", A, "-i", N, "narwhal", NULL};
    ck_assert_int_eq(ls_cli_run(mixed, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "one language") != NULL, "%s", err);
    free(out);
    free(err);
    free(envs);
    free(N);
    free(A);
    free(B);
    free(U);
}
END_TEST

/* An installed cisearch (bin/ beside share/cisearch/seeds, as make install lays them out)
 * searches its own seeds, not the build tree's. */
START_TEST(installed_binary_finds_its_seeds)
{
    char *root = ls_cli_path(ls_cli_tmp, "prefix");
    char *cmd = ls_cli_fmt("mkdir -p '%s/bin' '%s/share/cisearch/seeds' && cp '%s' '%s/bin/' && "
                           "printf 'Installed note\\nzanzibarian marmalade\\n' > "
                           "'%s/share/cisearch/seeds/only-here.txt'",
                           root, root, LS_TEST_CISEARCH, root, root);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    cmd = ls_cli_fmt("env -u CISEARCH_SEEDS -u CISEARCH_INDEX XDG_CACHE_HOME='%s/cache' "
                     "'%s/bin/cisearch' -f ids zanzibarian > '%s/out.txt' 2>&1",
                     ls_cli_tmp, root, ls_cli_tmp);
    int rc = system(cmd);
    free(cmd);
    char *outp = ls_cli_path(ls_cli_tmp, "out.txt");
    size_t len;
    char *text = ls_test_read_file(outp, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(rc == 0 && strstr(text, "only-here.txt") != NULL, "rc %d: %s", rc, text);
    free(text);
    free(outp);
    free(root);
}
END_TEST

START_TEST(help_and_version_exit_zero)
{
    const char *const cases[][3] = {
        {"--help", NULL, NULL}, {"-h", NULL, NULL},           {"search", "--help", NULL},
        {"help", "search", NULL}, {"index", "-h", NULL},      {"stats", "--help", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, *err;
        ck_assert_int_eq(ls_cli_run(cases[i], NULL, &out, &err), 0);
        ck_assert_msg(strstr(out, "Usage") != NULL, "case %zu: %s", i, out);
        free(out);
        free(err);
    }
    const char *ver[] = {"--version", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(ver, NULL, &out, &err), 0);
    ck_assert_msg(strncmp(out, "cisearch ", 9) == 0 && strstr(out, "(libsearch ") != NULL, "%s",
                  out);
    free(out);
    free(err);
}
END_TEST

/* ---- the seeds cache ---- */

/* Copies the seed files into dir. */
static void copy_seeds(const char *dir)
{
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    for (int i = 0; i < N_SEEDS; i++) {
        char *src = ls_cli_path(LS_TEST_SEEDS_DIR, SEED_IDS[i]), *dst = ls_cli_path(dir, SEED_IDS[i]);
        size_t len = 0;
        char *data = ls_test_read_file(src, &len);
        ck_assert_ptr_nonnull(data);
        ck_assert_int_eq(ls_test_write_file(dst, data, len), 0);
        free(data);
        free(src);
        free(dst);
    }
}

START_TEST(seeds_cache_rebuilds_when_seeds_change)
{
    char *seeds = ls_cli_path(ls_cli_tmp, "seeds");
    copy_seeds(seeds);
    free(ls_cli_env[1]);
    ls_cli_env[1] = ls_cli_fmt("CISEARCH_SEEDS=%s", seeds);
    const char *quokka[] = {"-f", "ids", "quokka", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_cli_run(quokka, NULL, &out, &err), 1);
    free(out);
    free(err);
    char *cached = ls_cli_fmt("%s/cache/cisearch/seeds-index", ls_cli_tmp);
    struct stat st;
    ck_assert_int_eq(stat(cached, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));

    /* a new file */
    char *added = ls_cli_path(seeds, "005_new.txt");
    ls_cli_write(added, "Quokka sighting\nA quokka smiled at tourists on Rottnest Island.\n");
    ck_assert_int_eq(ls_cli_run(quokka, NULL, &out, &err), 0);
    ck_assert_str_eq(out, "005_new.txt\n");
    free(out);
    free(err);

    /* a changed file */
    char *changed = ls_cli_path(seeds, SEED_IDS[2]);
    ls_cli_write(changed, "Rewritten\nNow this seed talks about a wombat.\n");
    const char *wombat[] = {"-f", "ids", "wombat", NULL};
    ck_assert_int_eq(ls_cli_run(wombat, NULL, &out, &err), 0);
    ck_assert_str_eq(out, "002_51ebb83a3a83411b.txt\n");
    free(out);
    free(err);
    const char *stats[] = {"stats", NULL};
    ck_assert_int_eq(ls_cli_run(stats, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "documents    6") != NULL, "%s", out);
    free(out);
    free(err);
    char *leftover = ls_cli_fmt("%s/cache/cisearch/seeds-index.tmp", ls_cli_tmp);
    ck_assert_int_ne(stat(leftover, &st), 0);
    free(leftover);
    free(cached);
    free(added);
    free(changed);
    free(seeds);
}
END_TEST

/* Declared for -Wmissing-prototypes; `extern` keeps it out of the runner's grep. */
extern Suite *ls_suite_cli(void);

Suite *ls_suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *search = tcase_create("search");
    tcase_add_checked_fixture(search, cli_setup, cli_teardown);
    tcase_set_timeout(search, 30);
    tcase_add_test(search, seeds_query_finds_all_five_in_text_format);
    tcase_add_test(search, phrase_wei_fenghe_matches_exactly_two);
    tcase_add_test(search, json_format_parses_with_all_members);
    tcase_add_test(search, json_explain_lists_term_figures);
    tcase_add_test(search, text_explain_prints_a_line_per_term);
    tcase_add_test(search, trec_format_has_six_fields);
    tcase_add_test(search, ids_format_and_paging);
    tcase_add_test(search, batch_json_one_object_per_line);
    tcase_add_test(search, batch_from_file_trec_uses_qids);
    tcase_add_test(search, batch_line_without_tab_names_the_line);
    tcase_add_test(search, no_hits_exits_one);
    tcase_add_test(search, strict_unbalanced_quote_names_the_byte);
    tcase_add_test(search, empty_and_missing_query_exit_two);
    tcase_add_test(search, usage_mistakes_exit_two);
    tcase_add_test(search, missing_index_dir_is_reported_plainly);
    suite_add_tcase(s, search);

    TCase *index = tcase_create("index");
    tcase_add_checked_fixture(index, cli_setup, cli_teardown);
    tcase_set_timeout(index, 30);
    tcase_add_test(index, index_directory_then_search);
    tcase_add_test(index, index_file_argument_uses_absolute_path_as_id);
    tcase_add_test(index, index_jsonl_reports_malformed_line);
    tcase_add_test(index, index_warnings_are_summarized);
    tcase_add_test(index, index_jsonl_from_stdin_then_search);
    tcase_add_test(index, index_threads_option);
    tcase_add_test(index, optimize_threads_option);
    tcase_add_test(index, rm3_switches_rerank_widen_and_explain);
    tcase_add_test(index, proximity_switches_and_explain);
    tcase_add_test(index, bench_times_queries_and_counts_hits);
    tcase_add_test(index, count_all_and_lower_bound_counts);
    tcase_add_test(index, cli_conventions);
    tcase_add_test(index, installed_binary_finds_its_seeds);
    tcase_add_test(index, several_indexes_as_one);
    tcase_add_test(index, index_needs_a_directory_and_inputs);
    suite_add_tcase(s, index);

    TCase *misc = tcase_create("misc");
    tcase_add_checked_fixture(misc, cli_setup, cli_teardown);
    tcase_set_timeout(misc, 30);
    tcase_add_test(misc, stats_of_seeds_counts_five_documents);
    tcase_add_test(misc, help_and_version_exit_zero);
    tcase_add_test(misc, seeds_cache_rebuilds_when_seeds_change);
    suite_add_tcase(s, misc);
    return s;
}
