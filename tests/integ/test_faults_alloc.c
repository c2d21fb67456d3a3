/* SPDX-License-Identifier: MIT */
/*
 * test_faults_alloc.c - the fault suite's allocation failures (util/alloc.h): every call of
 * the writer (open, add, a flushing add, delete, delete by prefix, commit, optimize) and of
 * the reader (open, search, get, ids, check, reopen) with its Nth allocation failing says
 * LS_ENOMEM with a message, leaves no handle, and leaves the index as it was (a failed writer
 * refuses further work; its leftovers go with the next writer).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultutil.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/alloc.h"
#include "util/fileio.h"

#define ALLOC_CAP 20000

/* The next n to try: every n in long mode; otherwise every n up to 64, then sparser. */
static long next_n(long n, int cheap)
{
    if (cheap || ls_test_long())
        return n + 1;
    return n + 1 + n / 24;
}

/* A call made with allocation n failing. `bug`: "" or the note of a known library bug. */
static void assert_enomem_in(int rc, const ls_error *err, const char *what, long n, const char *bug)
{
    ck_assert_msg(rc == LS_ENOMEM, "%s%s with allocation %ld failing: %d (%s)", bug, what, n, rc,
                  err->message);
    ck_assert_msg(err->code == LS_ENOMEM && strlen(err->message) > 0,
                  "%s with allocation %ld failing: LS_ENOMEM returned but the error says %d '%s'",
                  what, n, err->code, err->message);
}

static void assert_enomem(int rc, const ls_error *err, const char *what, long n)
{
    assert_enomem_in(rc, err, what, n, "");
}

/* After a failure: the index as it was, and the next writer leaves nothing behind. */
static void assert_unchanged(const char *dir, uint64_t ndocs, uint64_t gen)
{
    ls_ft_assert_index_fine(dir, ndocs, gen);
    ls_error err;
    ls_writer *w;
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_OK, "writer after a failure: %d %s", rc, err.message);
    ls_writer_close(w);
    ls_ft_assert_no_orphans(dir);
}

static void open_writer(const char *dir, const ls_writer_options *wo, ls_writer **w)
{
    ls_error err;
    int rc = ls_writer_open(dir, wo, w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
}

START_TEST(faults_alloc_writer_open_add)
{
    ls_rng r;
    ls_rng_init(&r, 1700);
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(60, 1, 1701, &ndocs);
    uint64_t gen = 2;
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    ls_writer *w;
    int rc;

    /* ls_writer_open (of an index with deletions) */
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        w = (ls_writer *)1;
        ls_alloc_fail_after(n);
        rc = ls_writer_open(dir, &wo, &w, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ls_writer_close(w);
            break;
        }
        assert_enomem(rc, &err, "ls_writer_open", n);
        ck_assert_ptr_null(w);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_open never succeeded (n %ld)", n);
    ls_ft_assert_index_fine(dir, ndocs, gen);

    /* ls_writer_add, new documents and replacements, with a budget small enough that some
     * adds write a segment */
    wo.ram_budget = 96 * 1024;
    size_t nadd = 40;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        open_writer(dir, &wo, &w);
        int failed = 0;
        for (size_t i = 0; i < nadd && !failed; i++) {
            ls_alloc_fail_after(n);
            char body[128], uw[8], id[32];
            ls_ft_unique_word(1000 + i, uw);
            int bl = snprintf(body, sizeof body, "%s alpha bravo %s charlie %zu", uw,
                              ls_ft_vocab[i % LS_FT_NVOCAB], i);
            /* every fourth replaces a committed document */
            int il = i % 4 == 0 ? snprintf(id, sizeof id, "doc-%zu", i)
                                : snprintf(id, sizeof id, "new-%zu", i);
            rc = ls_test_add_body(w, id, (size_t)il, body, (size_t)bl, &err);
            ls_alloc_fail_after(-1);
            if (rc != LS_OK) {
                assert_enomem(rc, &err, "ls_writer_add", n);
                failed = 1;
                ls_ft_assert_refuses(w);
            }
        }
        ls_writer_close(w); /* discards everything */
        ls_ft_assert_index_fine(dir, ndocs, gen);
        if (!failed)
            break;
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_add never succeeded (n %ld)", n);
    assert_unchanged(dir, ndocs, gen);

    /* ls_writer_add that writes a segment (a 1-byte budget flushes on every add) */
    wo.ram_budget = 1;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        open_writer(dir, &wo, &w);
        ls_alloc_fail_after(n);
        ls_document d = LS_DOCUMENT_INIT;
        d.id = "doc-0"; /* a replacement: the flush also carries a deletion */
        d.id_len = 5;
        d.body = "flushed alpha bravo";
        d.body_len = strlen(d.body);
        rc = ls_writer_add(w, &d, &err);
        ls_alloc_fail_after(-1);
        if (rc != LS_OK) {
            assert_enomem(rc, &err, "ls_writer_add (flushing)", n);
            ls_ft_assert_refuses(w);
        }
        ls_writer_close(w);
        /* cleanup after the failure may itself have failed for want of memory: the next
         * writer removes what is left */
        assert_unchanged(dir, ndocs, gen);
        if (rc == LS_OK)
            break;
    }
    ck_assert_msg(n > 15 && n < ALLOC_CAP, "flushing ls_writer_add: n %ld", n);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Index threads meeting the failure (an allocation, or a write failing with ENOSPC, the Nth
 * of the process, in whichever thread it falls): the error comes back from a later add,
 * delete or the commit, the writer then refuses, and the index is as it was. Once nothing
 * fails, the commit holds every change. */
/* The k of add i's id new-k (adds with i % 4 == 0 replace doc-i instead). */
static size_t thread_key(size_t i) { return i % 7 == 0 ? i / 2 : i; }

START_TEST(faults_writer_threads)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(60, 1, 1790 + (uint64_t)_i, &ndocs);
    uint64_t gen = 2;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.threads = 2;
    wo.ram_budget = 2 * 96 * 1024; /* threads write segments mid-way */
    wo.no_auto_merge = 1;          /* the commit is the last generation */
    const size_t nadd = 60;
    long n;
    int rc = LS_OK, met = 0;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        ls_writer *w;
        open_writer(dir, &wo, &w);
        ls_error err = {0};
        const char *what = "ls_writer_add";
        if (_i == 0)
            ls_alloc_fail_after(n);
        else
            ls_fileio_fail_after(n, ENOSPC);
        rc = LS_OK;
        for (size_t i = 0; i < nadd && rc == LS_OK; i++) {
            char body[128], uw[8], id[32];
            ls_ft_unique_word(2000 + i, uw);
            int bl = snprintf(body, sizeof body, "%s alpha bravo %s delta %zu", uw,
                              ls_ft_vocab[i % LS_FT_NVOCAB], i);
            /* every fourth replaces a committed document, every seventh one added here */
            int il = i % 4 == 0 ? snprintf(id, sizeof id, "doc-%zu", i)
                                : snprintf(id, sizeof id, "new-%zu", thread_key(i));
            rc = ls_test_add_body(w, id, (size_t)il, body, (size_t)bl, &err);
        }
        if (rc == LS_OK) {
            what = "ls_writer_delete";
            rc = ls_writer_delete(w, "doc-1", 5, &err);
        }
        if (rc == LS_OK) {
            what = "ls_writer_commit";
            rc = ls_writer_commit(w, &err);
        }
        ls_alloc_fail_after(-1);
        ls_fileio_fail_after(-1, 0);
        if (rc != LS_OK) {
            met++;
            int want = _i == 0 ? LS_ENOMEM : LS_EIO;
            ck_assert_msg(rc == want && err.code == want && strlen(err.message) > 0,
                          "%s with failure %ld: %d (%s)", what, n, rc, err.message);
            if (strcmp(what, "ls_writer_commit") != 0)
                ls_ft_assert_refuses(w);
        }
        ls_writer_close(w);
        if (rc == LS_OK)
            break;
        ls_ft_assert_index_fine(dir, ndocs, gen);
    }
    ck_assert_msg(met > 10 && n < ALLOC_CAP, "%d failures met, n %ld", met, n);
    /* 60 adds: 15 replace committed documents (doc-0, doc-4, ...; doc-1 is deleted after),
     * the new-* ids of i % 7 == 0 and i % 4 != 0 replace ones added before or are new */
    size_t fresh = 0;
    for (size_t i = 0; i < nadd; i++) {
        if (i % 4 == 0)
            continue;
        int dup = 0; /* the same new-k id given earlier in the loop */
        for (size_t j = 0; j < i && !dup; j++)
            dup = j % 4 != 0 && thread_key(j) == thread_key(i);
        fresh += !dup;
    }
    ls_reader *r = ls_ft_open_ok(dir);
    ls_error err;
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    uint64_t g;
    ck_assert_uint_eq(ls_ft_doc_count(r, &g), ndocs + fresh - 1);
    ck_assert_uint_eq(ls_ft_id_count(r), ndocs + fresh - 1);
    ck_assert_uint_eq(g, gen + 1);
    for (size_t i = 0; i < nadd; i += 3) { /* each add's unique word finds it once */
        char uw[8];
        ls_ft_unique_word(2000 + i, uw);
        ls_hits *h;
        ck_assert_int_eq(ls_search(r, uw, strlen(uw), NULL, &h, &err), LS_OK);
        int replaced_later = 0;
        for (size_t j = i + 1; j < nadd && i % 4 != 0; j++)
            replaced_later |= j % 4 != 0 && thread_key(j) == thread_key(i);
        ck_assert_uint_eq(ls_hits_total(h), replaced_later ? 0 : 1);
        ls_hits_free(h);
    }
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Deletions (by id and by prefix) under allocation failure: refused, nothing changes. */
/* One write, fsync or rename alone fails (ENOSPC), the n-th of an index thread's or the
 * commit's, for n spread until commits hold: the commit then reports it, or holds every
 * document. Unlike ls_fileio_fail_after, the one failure does not stop what comes after it (a
 * dropped segment even frees the space). The race this guards against (a thread recording its
 * failure only after letting its lane go, so that a sync finding the queues empty committed
 * without the lane's documents) is narrow: this test did not catch it when it was put back;
 * a reviewer's driver, failing a sync's last segment write, did. */
START_TEST(faults_writer_threads_one_failure)
{
    const int ndocs = 200;
    int failed = 0, held = 0;
    for (long n = 0; n < 20000 && held < 2; n += 1 + n / 4) {
        char *dir = ls_test_tmpdir();
        ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
        wo.threads = 2;
        wo.ram_budget = 96 * 1024; /* threads write segments mid-way */
        wo.no_auto_merge = 1;
        ls_writer *w;
        open_writer(dir, &wo, &w);
        ls_error err = {0};
        ls_fileio_fail_once(n, ENOSPC);
        int rc = LS_OK;
        for (int i = 0; i < ndocs && rc == LS_OK; i++) {
            char id[32], body[96];
            int il = snprintf(id, sizeof id, "d%d", i);
            int bl = snprintf(body, sizeof body, "alpha bravo word%d w%d", i, i * 7919 % 1000);
            rc = ls_test_add_body(w, id, (size_t)il, body, (size_t)bl, &err);
        }
        if (rc == LS_OK)
            rc = ls_writer_commit(w, &err);
        ls_fileio_fail_after(-1, 0);
        ls_writer_close(w);
        if (rc != LS_OK) {
            ck_assert_msg(strstr(err.message, "o space") != NULL || rc == LS_EIO,
                          "n=%ld: %d %s", n, rc, err.message);
            failed++;
        } else {
            ls_reader *r;
            ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
            ls_index_stats st;
            memset(&st, 0, sizeof st);
            st.version = 1;
            ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_OK);
            ck_assert_msg(st.documents == (uint64_t)ndocs,
                          "n=%ld: the commit succeeded with %llu of %d documents", n,
                          (unsigned long long)st.documents, ndocs);
            ls_reader_close(r);
            held++;
        }
        ls_test_rmtree(dir);
        free(dir);
    }
    ck_assert_msg(failed >= 5 && held >= 1, "%d commits failed, %d held: the failures "
                  "missed the writes", failed, held);
}
END_TEST

START_TEST(faults_alloc_writer_delete)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(60, 2, 1711, &ndocs);
    uint64_t gen = 3;
    ls_error err;
    ls_writer *w;
    int rc;
    long n;
    for (int prefix = 0; prefix < 2; prefix++) {
        for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
            open_writer(dir, NULL, &w);
            uint64_t count = 0;
            ls_alloc_fail_after(n);
            rc = prefix ? ls_writer_delete_prefix(w, "doc-1", 5, &count, &err)
                        : ls_writer_delete(w, "doc-40", 6, &err);
            ls_alloc_fail_after(-1);
            if (rc == LS_OK) {
                ck_assert(!prefix || count > 0);
                ls_writer_close(w); /* uncommitted */
                break;
            }
            assert_enomem(rc, &err, prefix ? "ls_writer_delete_prefix" : "ls_writer_delete", n);
            ls_ft_assert_refuses(w);
            ls_writer_close(w);
            ls_ft_assert_index_fine(dir, ndocs, gen);
        }
        ck_assert_msg(n > 0 && n < ALLOC_CAP, "deletion never succeeded (n %ld)", n);
        assert_unchanged(dir, ndocs, gen);
    }
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ls_writer_commit of 5 new documents, 2 replacements and 2 deletions, the Nth allocation
 * failing: a commit that says it failed did not happen. *ndocs and *gen follow the index. */
static void commit_sweep(const char *dir, const ls_writer_options *wo, uint64_t *ndocs,
                         uint64_t *gen, uint64_t stream, const char *bug)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    ls_error err;
    ls_writer *w;
    int rc;
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        open_writer(dir, wo, &w);
        for (size_t i = 0; i < 5; i++)
            ls_ft_add_doc(w, &r, (size_t)(stream % 1000) * 10 + 1000 + i, 0);
        ls_ft_add_doc(w, &r, 10, 1);
        ls_ft_add_doc(w, &r, 20, 1);
        char id[32];
        for (int k = 0; k < 2; k++) {
            snprintf(id, sizeof id, "doc-%d", 41 + 10 * k + (int)(stream % 2) * 4);
            ck_assert_int_eq(ls_writer_delete(w, id, strlen(id), &err), LS_OK);
        }
        ls_alloc_fail_after(n);
        rc = ls_writer_commit(w, &err);
        ls_alloc_fail_after(-1);
        if (rc != LS_OK) {
            assert_enomem(rc, &err, "ls_writer_commit", n);
            ls_ft_assert_refuses(w);
        }
        ls_writer_close(w);
        ls_reader *rd = ls_ft_open_ok(dir);
        uint64_t g, docs = ls_ft_doc_count(rd, &g);
        ls_reader_close(rd);
        if (rc == LS_OK) {
            *ndocs += 5 - 2;
            *gen = g;
            ls_ft_assert_index_fine(dir, *ndocs, 0);
            break;
        }
        ck_assert_msg(g == *gen && docs == *ndocs,
                      "%sls_writer_commit with allocation %ld failing said LS_ENOMEM ('%s'), yet "
                      "the commit happened: generation %llu -> %llu, %llu -> %llu documents",
                      bug, n, err.message, (unsigned long long)*gen, (unsigned long long)g,
                      (unsigned long long)*ndocs, (unsigned long long)docs);
        ls_ft_assert_index_fine(dir, *ndocs, *gen);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_commit never succeeded (n %ld)", n);
    assert_unchanged(dir, *ndocs, *gen);
}

START_TEST(faults_alloc_writer_commit)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(60, 2, 1712, &ndocs);
    uint64_t gen = 3;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.no_auto_merge = 1; /* the commit alone: see faults_alloc_writer_commit_merging */
    commit_sweep(dir, &wo, &ndocs, &gen, 1713, "");
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* With automatic merging on, an allocation failing after the commit's manifest is in place (in
 * the merge step that follows) must not turn a durable commit into a reported failure: the
 * merge is abandoned and the commit returns LS_OK (regression: it returned LS_ENOMEM, and the
 * header promises that a failed commit leaves the previous one; test_crash.c
 * crash_eio_commit_merging covers LS_EIO). */
START_TEST(faults_alloc_writer_commit_merging)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(60, 2, 1714, &ndocs);
    uint64_t gen = 3;
    commit_sweep(dir, NULL, &ndocs, &gen, 1715, "merging commit: ");
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ls_writer_optimize of four segments with deletions: whatever fails, the documents stay, and
 * running out of memory is LS_ENOMEM (regression: index/merger.c reported an LS_ENOMEM while
 * inflating a stored chunk as LS_ECORRUPT "damaged while merging"). */
START_TEST(faults_alloc_writer_optimize)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(80, 3, 1720, &ndocs);
    ls_error err;
    ls_writer *w;
    int rc;
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        open_writer(dir, NULL, &w);
        ls_alloc_fail_after(n);
        rc = ls_writer_optimize(w, 1, &err);
        ls_alloc_fail_after(-1);
        if (rc != LS_OK) {
            assert_enomem_in(rc, &err, "ls_writer_optimize", n, "optimize: ");
            ls_ft_assert_refuses(w);
        }
        ls_writer_close(w);
        ls_ft_assert_index_fine(dir, ndocs, 0); /* a merge may have landed: any generation */
        ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
        ls_writer_close(w);
        ls_ft_assert_no_orphans(dir);
        if (rc == LS_OK)
            break;
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_optimize never succeeded (n %ld)", n);
    ls_reader *r = ls_ft_open_ok(dir);
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_OK);
    ck_assert_uint_eq(st.segments, 1);
    ck_assert_uint_eq(st.deleted_documents, 0);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

static int count_ids(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    (void)id;
    (void)len;
    (void)stamp;
    (void)slen;
    (*(uint64_t *)payload)++;
    return 0;
}

START_TEST(faults_alloc_reader_and_search)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(300, 3, 1800, &ndocs);
    ls_error err;
    ls_reader *r;
    int rc;
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        r = (ls_reader *)1;
        ls_alloc_fail_after(n);
        rc = ls_reader_open(dir, &r, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ls_reader_close(r);
            break;
        }
        assert_enomem(rc, &err, "ls_reader_open", n);
        ck_assert_ptr_null(r);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_reader_open never succeeded (n %ld)", n);

    r = ls_ft_open_ok(dir);
    /* a few of every kind, with snippets, explanations and feedback */
    static const char *const queries[] = {
        "alpha",           "\"alpha bravo\"", "alp*",           "ch* OR de*",
        "alpha AND bravo", "alpha NOT bravo", "title:replaced", "body:\"india juliet\"",
        "-alpha",          "qzbbbbb"};
    for (size_t p = 0; p < sizeof queries / sizeof queries[0]; p++) {
        const char *q = queries[p];
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.limit = 8;
        so.snippets = 1;
        so.explain = 1;
        so.feedback_docs = p % 2 ? LS_FEEDBACK_DOCS_ON : 0;
        ls_hits *h;
        ck_assert_int_eq(ls_search(r, q, strlen(q), &so, &h, &err), LS_OK);
        uint64_t want = ls_hits_total(h);
        ls_hits_free(h);
        for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
            h = (ls_hits *)1;
            ls_alloc_fail_after(n);
            rc = ls_search(r, q, strlen(q), &so, &h, &err);
            ls_alloc_fail_after(-1);
            if (rc == LS_OK) {
                ck_assert_uint_eq(ls_hits_total(h), want);
                ls_hits_free(h);
                break;
            }
            assert_enomem(rc, &err, q, n);
            ck_assert_ptr_null(h);
        }
        ck_assert_msg(n > 0 && n < ALLOC_CAP, "'%s' never succeeded (n %ld)", q, n);
    }
    /* ids, and a lookup (it allocates nothing: it must simply work) */
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        uint64_t count = 0;
        ls_alloc_fail_after(n);
        rc = ls_reader_ids(r, "doc-1", 5, count_ids, &count, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ck_assert_uint_gt(count, 0);
            break;
        }
        assert_enomem(rc, &err, "ls_reader_ids", n);
    }
    ck_assert_msg(n < ALLOC_CAP, "ls_reader_ids never succeeded");
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ls_alloc_fail_after(0);
    rc = ls_reader_get(r, "doc-16", 6, &info, &err);
    ls_alloc_fail_after(-1);
    ck_assert_msg(rc == LS_OK || rc == LS_ENOMEM, "ls_reader_get: %d %s", rc, err.message);
    /* ls_reader_reopen onto a newer commit */
    ls_rng rng;
    ls_rng_init(&rng, 1801);
    ls_ft_add_and_commit(dir, &rng, 300, 310, 0);
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        ls_reader *nr = (ls_reader *)1;
        ls_alloc_fail_after(n);
        rc = ls_reader_reopen(r, &nr, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ck_assert_ptr_nonnull(nr);
            ck_assert_uint_eq(ls_ft_doc_count(nr, NULL), ndocs + 10);
            ls_reader_close(nr);
            break;
        }
        assert_enomem(rc, &err, "ls_reader_reopen", n);
        ck_assert_ptr_null(nr);
        ck_assert_uint_eq(ls_ft_doc_count(r, NULL), ndocs); /* r is unchanged */
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_reader_reopen never succeeded (n %ld)", n);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* The deep check out of memory says LS_ENOMEM, never that an intact file is damaged
 * (regression: reader/check.c reported an LS_ENOMEM of ls_stored_get as LS_ECORRUPT). */
START_TEST(faults_alloc_reader_check)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(200, 2, 1810, &ndocs);
    ls_reader *r = ls_ft_open_ok(dir);
    ls_error err;
    int rc;
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        ls_alloc_fail_after(n);
        rc = ls_reader_check(r, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK)
            break;
        assert_enomem_in(rc, &err, "ls_reader_check", n, "check: ");
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_reader_check never succeeded (n %ld)", n);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

TCase *ls_ft_alloc_tcase(void)
{
    TCase *tc = tcase_create("alloc");
    tcase_set_timeout(tc, ls_test_long() ? 1800 : 120);
    tcase_add_test(tc, faults_alloc_writer_open_add);
    tcase_add_test(tc, faults_alloc_writer_delete);
    tcase_add_test(tc, faults_alloc_writer_commit);
    tcase_add_test(tc, faults_alloc_writer_commit_merging);
    tcase_add_test(tc, faults_alloc_writer_optimize);
    tcase_add_test(tc, faults_alloc_reader_and_search);
    tcase_add_test(tc, faults_alloc_reader_check);
    tcase_add_loop_test(tc, faults_writer_threads, 0, 2);
    tcase_add_test(tc, faults_writer_threads_one_failure);
    return tc;
}
