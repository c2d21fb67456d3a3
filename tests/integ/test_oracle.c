/* SPDX-License-Identifier: MIT */
/*
 * test_oracle.c - the engine against the naive BM25 oracle (tests/oracle.c) on random corpora:
 * a Zipf-distributed vocabulary written in several segments and commits, then hundreds of random
 * queries (terms, OR, AND, NOT, +required, phrases, fields, parentheses, plain syntax, other k1/b,
 * paging) rendered as query text and as an oracle tree from the same random choice. Both must
 * give the same total, the same ids in the same order and scores within 1e-4. The corpus and
 * the query generators are tests/oracle_corpus.c's.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "oracle.h"
#include "oracle_corpus.h"
#include "testutil.h"

/* ---- corpus ---------------------------------------------------------------------------- */

static corpus g_big, g_small;

static void add_doc(corpus *c, ls_writer *wr, ls_rng *r, const corpus_params *p)
{
    corpus_text t;
    uint32_t i = ls_corpus_draw(c, r, p, &t);
    char id[32];
    snprintf(id, sizeof id, "d%u", i);
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = strlen(id);
    /* empty fields go in both as NULL and as "" */
    doc.title = t.title_len == 0 && (i & 1) ? NULL : t.title;
    doc.title_len = t.title_len;
    doc.body = t.body_len == 0 && (i & 2) ? NULL : t.body;
    doc.body_len = t.body_len;
    ls_error err;
    int rc = ls_writer_add(wr, &doc, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add(%s): %d %s", id, rc, err.message);
    ls_corpus_oracle_add(c, i, &t);
    ls_corpus_text_free(&t);
}

static void corpus_build(corpus *c, const corpus_params *p)
{
    ls_rng r;
    ls_error err;
    memset(c, 0, sizeof *c);
    ls_rng_init(&r, p->stream);
    c->oracle = ls_oracle_new("english");
    ls_corpus_vocab(c, p, &r);
    c->dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = p->ram_budget;
    ls_writer *wr = NULL;
    int rc = ls_writer_open(c->dir, &wo, &wr, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = 0; i < p->n_docs; i++) {
        add_doc(c, wr, &r, p);
        if ((i + 1) % ((p->n_docs + p->commits - 1) / p->commits) == 0 || i + 1 == p->n_docs) {
            rc = ls_writer_commit(wr, &err);
            ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
        }
    }
    ls_writer_close(wr);
    rc = ls_reader_open(c->dir, &c->reader, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
}

static void setup_big(void)
{
    corpus_params p = {.n_docs = ls_test_long() ? 12000 : 3000,
                       .n_bases = 100,
                       .all_forms = 1,
                       .n_compounds = 8,
                       .with_stop = 1,
                       .max_title = 8,
                       .max_body = 200,
                       .commits = 3,
                       .ram_budget = 256 * 1024,
                       .stream = 0x0AC1E};
    corpus_build(&g_big, &p);
}

static void teardown_big(void) { ls_corpus_free(&g_big); }

/* Few words, few short documents, a commit every 10: ties everywhere, df near N. */
static void setup_small(void)
{
    corpus_params p = {.n_docs = 90,
                       .n_bases = 5,
                       .all_forms = 0,
                       .n_compounds = 1,
                       .with_stop = 0,
                       .max_title = 3,
                       .max_body = 6,
                       .commits = 9,
                       .ram_budget = 0, /* default: one segment per commit */
                       .stream = 0x5A11};
    corpus_build(&g_small, &p);
}

static void teardown_small(void) { ls_corpus_free(&g_small); }


/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(oracle_corpus_is_indexed)
{
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ls_error err;
    ck_assert_int_eq(ls_reader_stats(g_big.reader, &st, &err), LS_OK);
    ck_assert_uint_eq(st.documents, g_big.n_docs);
    uint64_t tokens = 0;
    for (size_t d = 0; d < g_big.n_docs; d++)
        tokens += ls_oracle_doc_len(g_big.oracle, (uint32_t)d, ORACLE_FIELD_ALL);
    ck_assert_uint_eq(st.tokens, tokens);
    /* three commits under a 256 KiB budget: the corpus must not sit in one segment */
    ck_assert_msg(st.segments >= 2, "only %u segment(s)", st.segments);
}
END_TEST

START_TEST(oracle_single_terms)
{
    unsigned long pruned = ls_corpus_pruned;
    ls_corpus_run_queries(&g_big, 101, 100, ls_gen_term, 1.2, 0.75, "single terms");
    /* block-max pruning took part: the same results with a lower-bound count */
    ck_assert_uint_gt(ls_corpus_pruned, pruned);
}
END_TEST

START_TEST(oracle_or_terms)
{
    unsigned long pruned = ls_corpus_pruned;
    ls_corpus_run_queries(&g_big, 102, 100, ls_gen_or, 1.2, 0.75, "OR of terms");
    /* block-max pruning took part: the same results with a lower-bound count */
    ck_assert_uint_gt(ls_corpus_pruned, pruned);
}
END_TEST

START_TEST(oracle_and_terms)
{
    ls_corpus_run_queries(&g_big, 103, 100, ls_gen_and, 1.2, 0.75, "AND of terms");
}
END_TEST

START_TEST(oracle_not_terms)
{
    ls_corpus_run_queries(&g_big, 104, 100, ls_gen_not, 1.2, 0.75, "NOT / -term");
}
END_TEST

START_TEST(oracle_required_terms)
{
    ls_corpus_run_queries(&g_big, 105, 80, ls_gen_required, 1.2, 0.75, "+required terms");
}
END_TEST

START_TEST(oracle_phrases_repeated)
{
    /* a word said twice or more in a phrase is one cursor; same results as the oracle */
    ls_corpus_run_queries(&g_big, 108, 100, ls_gen_phrase_repeat, 1.2, 0.75, "repeated phrases");
}
END_TEST

START_TEST(oracle_prefixes)
{
    /* a prefix is one term: its expansions' summed tf, the df of the documents holding any */
    ls_corpus_run_queries(&g_big, 107, 100, ls_gen_prefix, 1.2, 0.75, "prefixes");
}
END_TEST

START_TEST(oracle_phrases)
{
    unsigned long pruned = ls_corpus_pruned;
    ls_corpus_run_queries(&g_big, 106, 100, ls_gen_phrase, 1.2, 0.75, "phrases");
    /* block-max pruning took part: the same results with a lower-bound count */
    ck_assert_uint_gt(ls_corpus_pruned, pruned);
}
END_TEST

START_TEST(oracle_field_terms)
{
    ls_corpus_run_queries(&g_big, 107, 100, ls_gen_field, 1.2, 0.75, "title:/body: fields");
}
END_TEST

START_TEST(oracle_mixed_parentheses)
{
    ls_corpus_run_queries(&g_big, 108, 80, ls_gen_mixed, 1.2, 0.75, "parentheses");
}
END_TEST

START_TEST(oracle_plain_syntax)
{
    ls_corpus_run_queries(&g_big, 109, 80, ls_gen_plain, 1.2, 0.75, "LS_SYNTAX_PLAIN");
}
END_TEST

/* Count-only searches (limit 0) of single terms take the df shortcut of search.c: the total
 * must still be the oracle's number of matches, in every syntax and field. */
START_TEST(oracle_count_only_terms)
{
    ls_rng r;
    ls_rng_init(&r, 125);
    int checked = 0, nonzero = 0;
    for (int i = 0; i < 300; i++) {
        qcase q;
        if (i % 3 == 2)
            ls_gen_field(&g_big, &r, &q);
        else
            ls_gen_term(&g_big, &r, &q);
        ls_qcase_finish(&q);
        oracle_result want;
        ls_oracle_search(g_big.oracle, q.tree, 1.2, 0.75, &want);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.syntax = q.syntax;
        so.default_and = q.default_and;
        so.limit = 0;
        so.snippets = 0;
        ls_hits *h = NULL;
        ls_error err;
        ck_assert_msg(ls_search(g_big.reader, q.text, q.len, &so, &h, &err) == LS_OK, "%s: %s",
                      q.text, err.message);
        ck_assert_msg(ls_hits_total(h) == want.n, "'%s': total %llu, oracle %zu", q.text,
                      (unsigned long long)ls_hits_total(h), want.n);
        ck_assert_uint_eq(ls_hits_count(h), 0);
        checked++;
        nonzero += want.n > 0;
        ls_hits_free(h);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    ck_assert_int_gt(nonzero, checked / 3);
}
END_TEST

/* Proximity re-ranking (query/proximity.h) against the oracle's naive BM25TP, over queries of
 * several kinds (phrases, fields, NOT and nesting decide which clauses' terms take part) at
 * random weights and depths, under two BM25 settings. */
START_TEST(oracle_proximity_or_terms)
{
    ls_corpus_run_proximity(&g_big, 121, 100, ls_gen_or, 1.2, 0.75, "proximity, OR of terms");
}
END_TEST

START_TEST(oracle_proximity_plain)
{
    ls_corpus_run_proximity(&g_big, 122, 80, ls_gen_plain, 1.8, 0.85, "proximity, plain");
}
END_TEST

START_TEST(oracle_proximity_any)
{
    ls_corpus_run_proximity(&g_big, 123, 150, ls_gen_any, 1.2, 0.75, "proximity, any query");
}
END_TEST

START_TEST(oracle_proximity_small_corpus)
{
    ls_corpus_run_proximity(&g_small, 124, 150, ls_gen_any, 0.9, 0.4, "proximity, small corpus");
}
END_TEST

/* Other BM25 parameters, including k1 = 0 (idf only: ties everywhere) and b = 0 and 1. */
static const double k1b[][2] = {{0.9, 0.4}, {2.0, 1.0}, {0.0, 0.75}, {1.2, 0.0}, {0.5, 1.0}};

START_TEST(oracle_bm25_parameters)
{
    ls_corpus_run_queries(&g_big, 110 + (uint64_t)_i, 60, ls_gen_any, k1b[_i][0], k1b[_i][1],
                          "k1/b");
}
END_TEST

/* Fixed edge cases: nothing to match (an empty query matches nothing, except under the strict
 * syntax where it is LS_EQUERY), an unknown word, a purely negative query matching every
 * document with score 0 (ties in document order), a word both required and excluded. */
#define ALL_DOCS (-1)
#define SOME_DOCS (-2)
typedef struct fixed_clause {
    int occur, field, phrase;
    const char *text;
} fixed_clause;

static const struct {
    const char *text;
    int syntax;
    int expect; /* matching documents, ALL_DOCS, or SOME_DOCS */
    size_t n;
    fixed_clause k[2];
} fixed[] = {
    {"", LS_SYNTAX_LENIENT, 0, 0, {{0}}},
    {"   ", LS_SYNTAX_LENIENT, 0, 0, {{0}}},
    {"", LS_SYNTAX_PLAIN, 0, 0, {{0}}},
    {"zzqxv", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"zzqxv", LS_SYNTAX_PLAIN, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"title:zzqxv", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_TITLE, 0, "zzqxv"}}},
    {"\"zzqxv the\"", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 1, "zzqxv the"}}},
    {"-zzqxv", LS_SYNTAX_STRICT, ALL_DOCS, 1, {{ORACLE_NOT, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"NOT zzqxv", LS_SYNTAX_STRICT, ALL_DOCS, 1, {{ORACLE_NOT, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    /* a bare stop word leaves a group that has another positive clause; +the was asked for */
    {"zzqxv the", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"zzqxv the", LS_SYNTAX_LENIENT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"zzqxv +the",
     LS_SYNTAX_STRICT,
     SOME_DOCS,
     2,
     {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}, {ORACLE_MUST, ORACLE_FIELD_ALL, 0, "the"}}},
    {"+zzqxv the", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_MUST, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"the -the",
     LS_SYNTAX_STRICT,
     0,
     2,
     {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "the"}, {ORACLE_NOT, ORACLE_FIELD_ALL, 0, "the"}}},
};

START_TEST(oracle_fixed_queries)
{
    tally t = {0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        qcase q;
        ls_qcase_init(&q, 0);
        ls_qcase_put(&q, "%s", fixed[i].text);
        q.syntax = fixed[i].syntax;
        for (size_t k = 0; k < fixed[i].n; k++) {
            const fixed_clause *fc = &fixed[i].k[k];
            oracle_q_add(q.tree,
                         fc->phrase ? ls_oracle_phrase(g_big.oracle, fc->field, fc->text)
                                    : ls_oracle_word(g_big.oracle, fc->field, fc->text),
                         fc->occur);
        }
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0; /* plain BM25: the oracle of this file */
        so.syntax = q.syntax;
        so.snippets = 0;
        so.limit = 100;
        oracle_result want;
        ls_oracle_search(g_big.oracle, q.tree, so.k1, so.b, &want);
        int e = fixed[i].expect;
        size_t expect = e == ALL_DOCS ? g_big.n_docs : e == SOME_DOCS ? want.n : (size_t)e;
        ck_assert_msg(want.n == expect && (e != SOME_DOCS || want.n > 0),
                      "oracle: '%s' matches %zu", q.text, want.n);
        ls_tally_add(&t, ls_corpus_compare_query(&g_big, &q, &want, &so), 1);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    ls_tally_assert(&t, "fixed queries");

    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.feedback_docs = 0; /* plain BM25: the oracle of this file */

    ls_hits *h = NULL;
    ls_error err;
    ck_assert_int_eq(ls_search(g_big.reader, " ", 1, &so, &h, &err), LS_EQUERY);
    ck_assert_int_eq(err.code, LS_EQUERY);
    ck_assert_ptr_null(h);
}
END_TEST


START_TEST(oracle_paging_tiles_ranking)
{
    ls_corpus_run_paging(&g_big, 120, 20, ls_gen_or, 1.2, 0.75, "paging");
    ls_corpus_run_paging(&g_big, 121, 10, ls_gen_any, 0.0, 0.75, "paging, k1 = 0");
}
END_TEST

/* A tiny vocabulary in many small segments: equal scores everywhere, so tie-breaking by
 * document order and global (not per-segment) statistics decide the ranking. */
START_TEST(oracle_small_corpus_ties)
{
    static const double params[][2] = {{1.2, 0.75}, {0.0, 0.75}, {1.2, 0.0}};
    for (size_t i = 0; i < 3; i++) {
        ls_corpus_run_queries(&g_small, 130 + i, 80, ls_gen_any, params[i][0], params[i][1],
                              "small corpus");
        ls_corpus_run_paging(&g_small, 140 + i, 10, ls_gen_any, params[i][0], params[i][1],
                             "small paging");
    }
}
END_TEST

/* ---- the oracle itself, against scores computed by hand from the definitions ------------ */

static double hand_bm25(double idf, double tf, double len, double avglen, double k1, double b)
{
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen));
}

static double hand_idf(double n, double df) { return log(1 + (n - df + 0.5) / (df + 0.5)); }

/* Evaluates a one-leaf (or given) tree with title weighting tw and checks the expected docs
 * and scores in order. */
static void expect_titled(ls_oracle *o, oracle_q *q, double k1, double tw, const uint32_t *docs,
                          const double *scores, size_t n)
{
    oracle_result res;
    char t[256];
    oracle_q_format(q, t, sizeof t);
    ls_oracle_search_titled(o, q, k1, 0.75, tw, &res);
    ck_assert_msg(res.n == n, "%s: %zu hits, expected %zu", t, res.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(res.hits[i].doc == docs[i], "%s rank %zu: d%u, expected d%u", t, i,
                      res.hits[i].doc, docs[i]);
        ck_assert_msg(fabs(res.hits[i].score - scores[i]) < 1e-12, "%s rank %zu: %.12f vs %.12f",
                      t, i, res.hits[i].score, scores[i]);
    }
    oracle_result_free(&res);
    oracle_q_free(q);
}

/* The same without title weighting: BM25 alone. */
static void expect_hits(ls_oracle *o, oracle_q *q, double k1, const uint32_t *docs,
                        const double *scores, size_t n)
{
    expect_titled(o, q, k1, 0, docs, scores, n);
}

static oracle_q *one(oracle_q *leaf, int occur)
{
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, leaf, occur);
    return q;
}

/*
 * d0 title "cat dog" body "fish cat"; d1 body "dog dog"; d2 empty; d3 body "dog dog dog dog".
 * N = 4; avglen all 10/4, title 2/4, body 8/4; body positions start after a one-position gap.
 */
START_TEST(oracle_scores_by_hand)
{
    ls_oracle *o = ls_oracle_new("english");
    ls_oracle_add(o, "cat dog", 7, "fish cat", 8);
    ls_oracle_add(o, NULL, 0, "dog dog", 7);
    ls_oracle_add(o, NULL, 0, NULL, 0);
    ls_oracle_add(o, "", 0, "dog dog dog dog", 15);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 0, ORACLE_FIELD_ALL), 4);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 0, ORACLE_FIELD_TITLE), 2);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 3, ORACLE_FIELD_BODY), 4);
    double cat = hand_bm25(hand_idf(4, 1), 2, 4, 2.5, 1.2, 0.75);
    double dog_all = hand_idf(4, 3);
    uint32_t d[3];
    double s[3];

    d[0] = 0, s[0] = cat;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cats"), ORACLE_SHOULD), 1.2, d, s, 1);
    /* "dog fish" spans the title/body gap: no match; "cat dog" is in the title */
    expect_hits(o, one(ls_oracle_phrase(o, ORACLE_FIELD_ALL, "dog fish"), ORACLE_SHOULD), 1.2, d,
                s, 0);
    s[0] = hand_bm25(hand_idf(4, 1) + dog_all, 1, 4, 2.5, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat-dog"), ORACLE_MUST), 1.2, d, s,
                1);
    /* body:"dog dog dog": two start positions in d3, none in d1 */
    d[0] = 3, s[0] = hand_bm25(3 * hand_idf(4, 2), 2, 4, 2, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_phrase(o, ORACLE_FIELD_BODY, "dog dog dog"), ORACLE_SHOULD),
                1.2, d, s, 1);
    d[0] = 0, s[0] = hand_bm25(hand_idf(4, 1), 1, 2, 0.5, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_TITLE, "Dog"), ORACLE_SHOULD), 1.2, d, s,
                1);
    /* purely negative: every other document, score 0, in document order */
    d[0] = 1, d[1] = 2, d[2] = 3, s[0] = s[1] = s[2] = 0;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_NOT), 1.2, d, s, 3);
    expect_hits(o, oracle_q_bool(), 1.2, d, s, 0);
    /* k1 = 0: every match scores idf, ties in document order */
    d[0] = 0, d[1] = 1, d[2] = 3, s[0] = s[1] = s[2] = dog_all;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD), 0.0, d, s, 3);
    /* SHOULD dog, SHOULD cat: d0 (both), d3 (tf 4), d1 (tf 2, short) */
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_SHOULD);
    double d0 = cat + hand_bm25(dog_all, 1, 4, 2.5, 1.2, 0.75);
    double d1 = hand_bm25(dog_all, 2, 2, 2.5, 1.2, 0.75);
    double d3 = hand_bm25(dog_all, 4, 4, 2.5, 1.2, 0.75);
    ck_assert(d0 > d3 && d3 > d1);
    d[0] = 0, d[1] = 3, d[2] = 1, s[0] = d0, s[1] = d3, s[2] = d1;
    expect_hits(o, q, 1.2, d, s, 3);
    /* MUST cat, SHOULD dog: only d0, both scores */
    q = one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_MUST);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD);
    d[0] = 0, s[0] = d0;
    expect_hits(o, q, 1.2, d, s, 1);
    expect_hits(o, ls_oracle_plain(o, "Cat, dog!", 1), 1.2, d, s, 1);
    /* title weighting 0.4: d0's title "cat dog" adds 0.4 x each word's title BM25 (title
     * length 2, average 0.5) with its all-field idf; d1 and d3 have no title; a title: word,
     * a phrase and a NOT clause take none */
    double cat_title = 0.4 * hand_bm25(hand_idf(4, 1), 1, 2, 0.5, 1.2, 0.75);
    double dog_title = 0.4 * hand_bm25(dog_all, 1, 2, 0.5, 1.2, 0.75);
    d[0] = 0, s[0] = cat + cat_title;
    expect_titled(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_SHOULD), 1.2, 0.4, d,
                  s, 1);
    q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_SHOULD);
    d[0] = 0, d[1] = 3, d[2] = 1, s[0] = d0 + cat_title + dog_title, s[1] = d3, s[2] = d1;
    expect_titled(o, q, 1.2, 0.4, d, s, 3);
    d[0] = 0, s[0] = hand_bm25(hand_idf(4, 1), 1, 2, 0.5, 1.2, 0.75);
    expect_titled(o, one(ls_oracle_word(o, ORACLE_FIELD_TITLE, "Dog"), ORACLE_SHOULD), 1.2, 0.4,
                  d, s, 1);
    d[0] = 0, s[0] = hand_bm25(hand_idf(4, 1) + dog_all, 1, 4, 2.5, 1.2, 0.75);
    expect_titled(o, one(ls_oracle_phrase(o, ORACLE_FIELD_ALL, "cat dog"), ORACLE_SHOULD), 1.2,
                  0.4, d, s, 1);
    d[0] = 1, d[1] = 2, d[2] = 3, s[0] = s[1] = s[2] = 0;
    expect_titled(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_NOT), 1.2, 0.4, d, s,
                  3);
    ls_oracle_free(o);
}
END_TEST

/* declared for -Wmissing-prototypes; the runner's table comes from the definition below */
extern Suite *ls_suite_oracle(void);

Suite *ls_suite_oracle(void)
{
    Suite *s = suite_create("oracle");
    int timeout = ls_test_long() ? 900 : 60;

    TCase *self = tcase_create("oracle_itself");
    tcase_add_test(self, oracle_scores_by_hand);
    suite_add_tcase(s, self);

    TCase *tc = tcase_create("random_corpus");
    tcase_add_unchecked_fixture(tc, setup_big, teardown_big);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, oracle_corpus_is_indexed);
    tcase_add_test(tc, oracle_fixed_queries);
    tcase_add_test(tc, oracle_single_terms);
    tcase_add_test(tc, oracle_or_terms);
    tcase_add_test(tc, oracle_and_terms);
    tcase_add_test(tc, oracle_not_terms);
    tcase_add_test(tc, oracle_required_terms);
    tcase_add_test(tc, oracle_prefixes);
    tcase_add_test(tc, oracle_phrases);
    tcase_add_test(tc, oracle_phrases_repeated);
    tcase_add_test(tc, oracle_field_terms);
    tcase_add_test(tc, oracle_mixed_parentheses);
    tcase_add_test(tc, oracle_plain_syntax);
    tcase_add_test(tc, oracle_count_only_terms);
    tcase_add_test(tc, oracle_proximity_or_terms);
    tcase_add_test(tc, oracle_proximity_plain);
    tcase_add_test(tc, oracle_proximity_any);
    tcase_add_loop_test(tc, oracle_bm25_parameters, 0, (int)(sizeof k1b / sizeof k1b[0]));
    tcase_add_test(tc, oracle_paging_tiles_ranking);
    suite_add_tcase(s, tc);

    tc = tcase_create("small_corpus");
    tcase_add_unchecked_fixture(tc, setup_small, teardown_small);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, oracle_small_corpus_ties);
    tcase_add_test(tc, oracle_proximity_small_corpus);
    suite_add_tcase(s, tc);
    return s;
}
