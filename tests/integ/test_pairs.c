/* SPDX-License-Identifier: MIT */
/*
 * test_pairs.c - word pairs (format/pairs.h, FORMAT.md "Word pairs"): the key layout and its
 * reading back; and, against a naive count over the documents, that every segment pairs
 * exactly the words of at least ls_pairs_min_df of its documents and that each pair of them
 * has its list, with every document's tf, and no positions: in new segments, after a merge
 * (which finds the pairs again) and after deletions and a merge.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/fields.h"
#include "format/pairs.h"
#include "format/postings.h"
#include "format/segment.h"
#include "format/termdict.h"
#include "libsearch.h"
#include "reader/snapshot.h"
#include "testutil.h"

START_TEST(pairs_key_layout)
{
    uint8_t key[LS_MAX_KEY_BYTES], a[LS_PAIR_WORD_MAX + 1], b[LS_PAIR_WORD_MAX + 1];
    size_t la, lb;
    size_t n = ls_pair_key(key, (const uint8_t *)"static", 6, (const uint8_t *)"int", 3);
    ck_assert_uint_eq(n, 11);
    ck_assert_mem_eq(key, "wstatic int", 11);
    ck_assert_int_eq(ls_pair_key_split(key, n, a, &la, b, &lb), 0);
    ck_assert_uint_eq(la, 7);
    ck_assert_mem_eq(a, "astatic", 7);
    ck_assert_uint_eq(lb, 4);
    ck_assert_mem_eq(b, "aint", 4);
    /* the longest words that may pair fill a key exactly */
    uint8_t w[LS_PAIR_WORD_MAX + 1];
    memset(w, 'x', sizeof w);
    n = ls_pair_key(key, w, LS_PAIR_WORD_MAX, w, LS_PAIR_WORD_MAX);
    ck_assert_uint_eq(n, LS_MAX_KEY_BYTES);
    ck_assert_int_eq(ls_pair_key_split(key, n, a, &la, b, &lb), 0);
    ck_assert(ls_pairs_eligible(a, la));
    a[0] = LS_KEY_ALL;
    memcpy(a + 1, w, LS_PAIR_WORD_MAX);
    ck_assert(ls_pairs_eligible(a, LS_PAIR_WORD_MAX + 1));
    ck_assert(!ls_pairs_eligible(a, LS_PAIR_WORD_MAX + 2));
    ck_assert(!ls_pairs_eligible((const uint8_t *)"tword", 5)); /* title keys never pair */
    static const char *const bad[] = {"wab",  "w ab",  "wab ", "a b c", "wa b c",
                                      "wa  b", "xa b", "w",    "w "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ls_pair_key_split((const uint8_t *)bad[i], strlen(bad[i]), a, &la, b,
                                        &lb) != 0,
                      "'%s' read as a pair key", bad[i]);
    memset(key, 'x', sizeof key); /* a word of LS_PAIR_WORD_MAX + 1 bytes: refused */
    key[0] = LS_KEY_PAIR;
    key[LS_PAIR_WORD_MAX + 2] = LS_PAIR_SEP;
    ck_assert_int_ne(ls_pair_key_split(key, LS_PAIR_WORD_MAX + 4, a, &la, b, &lb), 0);
}
END_TEST

/* ---- lists against a naive count ---------------------------------------------------------- */

#define VOCAB 12
#define MAX_WORDS 40

static const char *const vocab[VOCAB] = {"the", "of", "int", "static", "struct", "name",
                                         "dma", "error", "base", "clock", "rare", "odd"};

typedef struct pdoc {
    uint8_t w[MAX_WORDS];
    size_t n;
} pdoc;

/* Skewed draws: the first words are common, the last two rare. */
static void draw(ls_rng *r, pdoc *d)
{
    d->n = 1 + ls_rng_below(r, MAX_WORDS);
    for (size_t i = 0; i < d->n; i++) {
        uint32_t x = ls_rng_below(r, 100);
        d->w[i] = (uint8_t)(x < 96 ? x % (VOCAB - 2) : VOCAB - 2 + x % 2);
    }
}

static void add(ls_writer *w, const pdoc *d, size_t i)
{
    char body[MAX_WORDS * 8] = "", id[32];
    size_t bl = 0;
    for (size_t k = 0; k < d->n; k++)
        bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", k ? " " : "", vocab[d->w[k]]);
    snprintf(id, sizeof id, "d%zu", i);
    ls_document x = LS_DOCUMENT_INIT;
    x.id = id;
    x.id_len = strlen(id);
    x.body = body;
    x.body_len = bl;
    ls_error err;
    ck_assert_msg(ls_writer_add(w, &x, &err) == LS_OK, "add: %s", err.message);
}

static uint32_t word_df(const pdoc *const *docs, uint32_t n, uint32_t a)
{
    uint32_t df = 0;
    for (uint32_t d = 0; d < n; d++) {
        int has = 0;
        for (size_t i = 0; i < docs[d]->n; i++)
            has |= docs[d]->w[i] == a;
        df += (uint32_t)has;
    }
    return df;
}

static uint32_t pair_tf(const pdoc *d, uint32_t a, uint32_t b)
{
    uint32_t tf = 0;
    for (size_t i = 0; i + 1 < d->n; i++)
        tf += d->w[i] == a && d->w[i + 1] == b;
    return tf;
}

/* Segment s holds docs[0..n) as its documents 0..n-1: its flags and pair lists against the
 * naive counts; adds the pair lists' df to *postings. @return the pair lists checked. */
static uint32_t check_segment(const ls_segment *s, const pdoc *const *docs, uint32_t n,
                              uint64_t *postings)
{
    ck_assert_uint_eq(s->ndocs, n);
    int paired[VOCAB];
    uint8_t key[LS_MAX_KEY_BYTES];
    for (uint32_t a = 0; a < VOCAB; a++) {
        ls_term_meta m;
        key[0] = LS_KEY_ALL;
        size_t len = strlen(vocab[a]);
        memcpy(key + 1, vocab[a], len);
        uint32_t df = word_df(docs, n, a);
        int found = ls_termdict_find(&s->dict, key, len + 1, &m);
        ck_assert_int_eq(found, df > 0);
        paired[a] = found == 1 && m.paired;
        ck_assert_msg(paired[a] == (df >= ls_pairs_min_df(n)), "'%s' in %u of %u: paired %d",
                      vocab[a], df, n, paired[a]);
    }
    uint32_t lists = 0;
    for (uint32_t a = 0; a < VOCAB; a++)
        for (uint32_t b = 0; b < VOCAB; b++) {
            size_t klen = ls_pair_key(key, (const uint8_t *)vocab[a], strlen(vocab[a]),
                                      (const uint8_t *)vocab[b], strlen(vocab[b]));
            ls_term_meta m;
            int found = ls_termdict_find(&s->dict, key, klen, &m);
            uint32_t df = 0;
            uint64_t cf = 0;
            for (uint32_t d = 0; d < n; d++) {
                uint32_t tf = pair_tf(docs[d], a, b);
                df += tf > 0;
                cf += tf;
            }
            if (!paired[a] || !paired[b] || df == 0) {
                ck_assert_msg(found == 0, "pair '%s %s' listed", vocab[a], vocab[b]);
                continue;
            }
            ck_assert_msg(found == 1, "pair '%s %s' (in %u documents) missing", vocab[a],
                          vocab[b], df);
            ck_assert_uint_eq(m.df, df);
            ck_assert_uint_eq(m.cf, cf);
            ck_assert_uint_eq(m.pos_bytes, 0);
            ck_assert(!m.paired);
            ls_postings_view v;
            ls_postings_iter it;
            ls_error err;
            ck_assert_int_eq(ls_segment_view(s, &m, &v, &err), LS_OK);
            ck_assert_int_eq(ls_postings_iter_init(&it, &v, 0), LS_OK);
            uint32_t d, tf, seen = 0;
            while (ls_postings_iter_next(&it, &d, &tf, NULL, NULL) == 1) {
                ck_assert_uint_lt(d, n);
                if (tf != pair_tf(docs[d], a, b))
                        ck_abort_msg("pair '%s %s', document %u: tf %u, counted %u", vocab[a],
                                 vocab[b], d, tf, pair_tf(docs[d], a, b));
                seen++;
            }
            ck_assert_uint_eq(seen, df);
            *postings += df;
            lists++;
        }
    return lists;
}

static ls_reader *open_checked(const char *dir)
{
    ls_reader *r;
    ls_error err;
    ck_assert_msg(ls_reader_open(dir, &r, &err) == LS_OK, "open: %s", err.message);
    ck_assert_msg(ls_reader_check(r, &err) == LS_OK, "check: %s", err.message);
    return r;
}

START_TEST(pairs_lists_exact)
{
    enum { N = 600 };
    ls_rng r;
    ls_rng_init(&r, 41);
    pdoc *docs = calloc(N, sizeof *docs);
    const pdoc **live = calloc(N, sizeof *live);
    ck_assert(docs != NULL && live != NULL);
    char *dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = "none";
    wo.ram_budget = 128 * 1024; /* several segments */
    wo.no_auto_merge = 1;
    ls_writer *w;
    ls_error err;
    ck_assert_msg(ls_writer_open(dir, &wo, &w, &err) == LS_OK, "%s", err.message);
    for (size_t i = 0; i < N; i++) {
        draw(&r, &docs[i]);
        add(w, &docs[i], i);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);

    /* new segments */
    ls_reader *rd = open_checked(dir);
    ck_assert_msg(rd->nsegs > 2 && rd->nsegs < 30, "%u segments", rd->nsegs);
    uint32_t lists = 0;
    uint64_t postings = 0;
    for (uint32_t i = 0; i < rd->nsegs; i++) {
        for (uint32_t d = 0; d < rd->segs[i].seg->ndocs; d++)
            live[d] = &docs[rd->segs[i].base + d];
        lists += check_segment(rd->segs[i].seg, live, rd->segs[i].seg->ndocs, &postings);
    }
    ck_assert_uint_gt(lists, 20);
    /* the reader's figures count pairs apart from words */
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ck_assert_int_eq(ls_reader_stats(rd, &st, &err), LS_OK);
    ck_assert_uint_eq(st.word_pairs, lists);
    ck_assert_uint_eq(st.pair_postings, postings);
    ls_index_stats v2 = {.version = 2, .word_pairs = 77}; /* an older caller's struct */
    ck_assert_int_eq(ls_reader_stats(rd, &v2, &err), LS_OK);
    ck_assert_uint_eq(v2.terms, st.terms);
    ck_assert_uint_eq(v2.word_pairs, 77);
    ls_reader_close(rd);

    /* one merged segment: its pairs found again from the merged positions */
    ck_assert_int_eq(ls_writer_optimize(w, 1, &err), LS_OK);
    rd = open_checked(dir);
    ck_assert_uint_eq(rd->nsegs, 1);
    for (uint32_t d = 0; d < N; d++)
        live[d] = &docs[d];
    postings = 0;
    ck_assert_uint_gt(check_segment(rd->segs[0].seg, live, N, &postings), 20);
    ls_reader_close(rd);

    /* deletions (their pairs' counts corrected: the check), then a merge without them */
    for (size_t i = 0; i < N; i += 3) {
        char id[32];
        snprintf(id, sizeof id, "d%zu", i);
        ck_assert_int_eq(ls_writer_delete(w, id, strlen(id), &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_reader_close(open_checked(dir));
    ck_assert_int_eq(ls_writer_optimize(w, 1, &err), LS_OK);
    rd = open_checked(dir);
    uint32_t n = 0;
    for (size_t i = 0; i < N; i++)
        if (i % 3 != 0)
            live[n++] = &docs[i];
    postings = 0;
    ck_assert_uint_gt(check_segment(rd->segs[0].seg, live, n, &postings), 20);
    ls_reader_close(rd);
    ls_writer_close(w);
    ls_test_rmtree(dir);
    free(dir);
    free(docs);
    free(live);
}
END_TEST

extern Suite *ls_suite_pairs(void);

Suite *ls_suite_pairs(void)
{
    Suite *s = suite_create("pairs");
    TCase *tc = tcase_create("pairs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pairs_key_layout);
    tcase_add_test(tc, pairs_lists_exact);
    suite_add_tcase(s, tc);
    return s;
}
