/* SPDX-License-Identifier: MIT */
/*
 * test_concurrent_search.c - one reader searched by several threads at once: every search
 * takes an analyzer from the reader's pool (reader/anpool.h) and gives it back, so threads
 * must get the same answers as one thread alone, with more threads than the pool keeps.
 * `make tsan` runs this suite under ThreadSanitizer.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "testutil.h"

#define N_QUERIES 24
#define N_THREADS 12 /* over LS_ANPOOL_KEEP (8): some searches make their own analyzer */
#define ROUNDS 60

static const char *const words[] = {"running", "runner", "Ran", "searching", "searched",
                                    "indexes", "indexing", "quickly", "quick", "brown",
                                    "foxes", "jumped", "lazy", "dogs", "the", "of"};
#define N_WORDS (sizeof words / sizeof words[0])

typedef struct answer {
    size_t n;
    uint64_t total;
    char ids[10][16];
    double scores[10];
} answer;

typedef struct shared {
    const ls_reader *r;
    char queries[N_QUERIES][64];
    answer want[N_QUERIES];
    int mismatches, failures;
    pthread_mutex_t lock;
} shared;

static int ask(const ls_reader *r, const char *q, int snippets, answer *a)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.snippets = snippets;
    so.syntax = LS_SYNTAX_LENIENT;
    ls_hits *h;
    ls_error err;
    if (ls_search(r, q, strlen(q), &so, &h, &err) != LS_OK)
        return -1;
    memset(a, 0, sizeof *a);
    a->n = ls_hits_count(h);
    a->total = ls_hits_total(h);
    for (size_t i = 0; i < a->n && i < 10; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        snprintf(a->ids[i], sizeof a->ids[i], "%s", hit->id);
        a->scores[i] = hit->score;
    }
    ls_hits_free(h);
    return 0;
}

static void *worker(void *arg)
{
    shared *s = arg;
    ls_rng r;
    ls_rng_init(&r, (uint64_t)(uintptr_t)pthread_self());
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t q = ls_rng_below(&r, N_QUERIES);
        answer got;
        int rc = ask(s->r, s->queries[q], (int)ls_rng_below(&r, 2), &got);
        pthread_mutex_lock(&s->lock);
        if (rc != 0)
            s->failures++;
        else if (memcmp(&got, &s->want[q], sizeof got) != 0)
            s->mismatches++;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

START_TEST(threads_share_one_reader)
{
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0xc0c0);
    char *dir = ls_test_tmpdir();
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK); /* English: stemming */
    for (int i = 0; i < 600; i++) {
        char id[16], body[512] = "";
        snprintf(id, sizeof id, "d%d", i);
        for (uint32_t k = 0, n = 3 + ls_rng_below(&r, 30); k < n; k++) {
            strcat(body, words[ls_rng_below(&r, N_WORDS)]);
            strcat(body, " ");
        }
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = strlen(id);
        d.body = body;
        d.body_len = strlen(body);
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
        if (i % 200 == 199)
            ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    }
    ls_writer_close(w);
    static shared s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(pthread_mutex_init(&s.lock, NULL), 0);
    ls_reader *rd;
    ck_assert_int_eq(ls_reader_open(dir, &rd, &err), LS_OK);
    s.r = rd;
    size_t with_hits = 0;
    for (int q = 0; q < N_QUERIES; q++) {
        snprintf(s.queries[q], sizeof s.queries[q], "%s %s%s", words[ls_rng_below(&r, N_WORDS)],
                 words[ls_rng_below(&r, N_WORDS)], q % 3 == 0 ? " runn*" : "");
        ck_assert_int_eq(ask(rd, s.queries[q], 0, &s.want[q]), 0);
        with_hits += s.want[q].n > 0;
    }
    ck_assert_uint_gt(with_hits, N_QUERIES / 2);
    pthread_t t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &s), 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(s.failures, 0);
    ck_assert_msg(s.mismatches == 0, "%d of %d concurrent searches differ from one thread's",
                  s.mismatches, N_THREADS * ROUNDS);
    ls_reader_close(rd);
    pthread_mutex_destroy(&s.lock);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_concurrent(void)
{
    Suite *s = suite_create("concurrent");
    TCase *tc = tcase_create("one_reader");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, threads_share_one_reader);
    suite_add_tcase(s, tc);
    return s;
}
