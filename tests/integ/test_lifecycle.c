/* SPDX-License-Identifier: MIT */
/*
 * test_lifecycle.c - the index over its life: ids as keys, updates (delete + add), deletions
 * by id and by id prefix, commits, automatic merges, ls_writer_optimize, reader snapshots and
 * ls_reader_reopen, lookups by id. The model (tests/lifecycle_model.c) keeps the live version
 * of every key in the naive oracles, with deletions; after each commit random queries must give
 * the oracles' totals, ids, order and scores. Merges must not change any answer; a reader must
 * keep answering as it did until closed; segment counts must stay logarithmic. The concurrent
 * case is test_lifecycle_stress.c's.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "lifecycle_model.h"
#include "oracle_corpus.h"
#include "testutil.h"

#define MERGE_REL 1e-12 /* the same query before and after a merge */

/* ---- 1. the oracle over updates and deletions ------------------------------------------ */

/* The inverter's tables take about 140 KiB before the first posting: budgets a little above
 * that cut a commit into several segments; 8 KiB writes a segment per document. */
static const lc_config configs[] = {
    {"defaults", 0, 0, 0, 0, 160, 1},
    {"140 KiB budget, merge factor 2", 140 << 10, 2, 0, 0, 160, 1},
    {"136 KiB budget, no auto merge, writer reopened", 136 << 10, 3, 1, 1, 160, 1},
    {"156 KiB budget, merge factor 5, writer reopened", 156 << 10, 5, 0, 1, 160, 1},
    {"8 KiB budget, merge factor 10", 8 << 10, 10, 0, 0, 24, 1},
    /* index threads: several batches per commit, each thread's segments written mid-way;
     * 8 KiB over 3 threads writes a segment per document, in batches of a few */
    {"2 threads, 600 KiB budget, merge factor 3", 600 << 10, 3, 0, 0, 160, 2},
    {"3 threads, 450 KiB budget, no auto merge, writer reopened", 450 << 10, 3, 1, 1, 160, 3},
    {"3 threads, 8 KiB budget, merge factor 10", 8 << 10, 10, 0, 0, 24, 3},
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

START_TEST(lifecycle_oracle_updates_deletes)
{
    lc_model m;
    const lc_config *cfg = &configs[_i];
    corpus_params p = ls_lc_corpus(0x11FE + (uint64_t)_i);
    ls_lc_init(&m, cfg, &p);
    int rounds = ls_test_long() ? 14 : 5;
    for (int round = 0; round < rounds; round++) {
        ls_lc_round(&m, round == 0 ? 2 * cfg->ops : cfg->ops / 2 + ls_rng_below(&m.r, cfg->ops));
        ls_lc_check_commit(&m, 0x1000 * (uint64_t)(_i + 1) + 16 * (uint64_t)round, 24);
    }
    /* feedback must have changed enough queries for its comparisons to prove something, and
     * near ties (skipped) must stay rare */
    if (getenv("LS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "%s: %d feedback cases compared (%d expanded), %d near ties skipped\n",
                cfg->name, m.fb_compared, m.fb_expanded, m.fb_skipped);
    ck_assert_msg(m.fb_expanded * 3 >= m.fb_compared && m.fb_skipped * 5 <= m.fb_compared,
                  "feedback: %d cases compared, %d expanded, %d skipped as near ties",
                  m.fb_compared, m.fb_expanded, m.fb_skipped);
    /* a commit with nothing to commit: the same documents (reopen may see merges) */
    ls_lc_commit(&m);
    ls_lc_check_stats(&m);
    ls_lc_check_structure(&m);
    ls_lc_free(&m);
}
END_TEST

/* Builds dir from n documents with two index threads and a small budget (many syncs called
 * by what the pool tracks, many segments) and returns the index's statistics. */
static ls_index_stats threads_index(const char *dir, int n)
{
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.threads = 2;
    wo.ram_budget = 2u << 20;
    wo.no_auto_merge = 1;
    ls_writer *w;
    ls_error err = {0};
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    uint32_t x = 12345;
    for (int i = 0; i < n; i++) {
        char id[32], body[256];
        size_t bl = 0;
        snprintf(id, sizeof id, "doc-%d", i);
        for (int k = 0; k < 12; k++) {
            x = x * 1103515245u + 12345u;
            bl += (size_t)snprintf(body + bl, sizeof body - bl, "w%u ", (x >> 8) % 50000);
        }
        ck_assert_int_eq(ls_test_add_body(w, id, strlen(id), body, bl, &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    ls_reader *r;
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ls_index_stats st = ls_lc_stats(r);
    ls_reader_close(r);
    return st;
}

/* Index threads: where a sync cuts the lanes' segments does not depend on timing either. The
 * pool once charged the adopted segments' sequence numbers to its budget as they were
 * adopted, so the add that called for a sync, and the segments, changed from run to run. */
START_TEST(lifecycle_threads_syncs_repeatable)
{
    char *a = ls_test_tmpdir(), *b = ls_test_tmpdir();
    ls_index_stats x = threads_index(a, 40000), y = threads_index(b, 40000);
    ck_assert_msg(x.segments >= 20, "%u segments: too few syncs to show", x.segments);
    ck_assert_uint_eq(y.segments, x.segments);
    ck_assert_uint_eq(y.documents, x.documents);
    ck_assert_uint_eq(y.terms, x.terms); /* a word in two segments counts twice */
    ls_test_rmtree(a);
    ls_test_rmtree(b);
    free(a);
    free(b);
}
END_TEST

/* Index threads: the same calls give the same index on every run (documents in batch order,
 * segments sorted by their first document), so equal scores come in the same order; and the
 * index answers as one built by the caller's thread does, to the same scores. */
START_TEST(lifecycle_threads_repeatable)
{
    lc_config cfg = {"3 threads, 8 KiB budget", 8 << 10, 4, 0, 0, 60, 3};
    lc_model a, b;
    corpus_params p = ls_lc_corpus(0x7E4D);
    ls_lc_init(&a, &cfg, &p);
    ls_lc_init(&b, &cfg, &p);
    for (int round = 0; round < 4; round++) {
        ls_lc_round(&a, 60 + 20 * (size_t)round);
        ls_lc_round(&b, 60 + 20 * (size_t)round);
    }
    ls_index_stats st = ls_lc_stats(a.c.reader);
    ck_assert_msg(st.segments >= 2, "%u segments: the threads wrote too little", st.segments);
    size_t nq = 120;
    saved_query *qs = ls_saved_queries(&a, 0x7E4E, nq);
    answer *want = ls_answers_ask(a.c.reader, qs, nq);
    answer *got = ls_answers_ask(b.c.reader, qs, nq);
    size_t ties = 0;
    for (size_t q = 0; q < nq; q++) {
        ck_assert_uint_eq(got[q].n, want[q].n);
        for (size_t i = 0; i < want[q].n; i++) {
            ck_assert_msg(got[q].id_len[i] == want[q].id_len[i] &&
                              memcmp(got[q].id[i], want[q].id[i], want[q].id_len[i]) == 0 &&
                              got[q].score[i] == want[q].score[i],
                          "query %zu rank %zu: %.*s, the first run %.*s", q, i,
                          (int)got[q].id_len[i], got[q].id[i], (int)want[q].id_len[i],
                          want[q].id[i]);
            ties += i > 0 && want[q].score[i] == want[q].score[i - 1];
        }
    }
    ck_assert_msg(ties >= 10, "%zu equal scores in a row: too few to show their order", ties);
    ls_answers_free(got, nq);
    ls_answers_free(want, nq);
    free(qs);
    ls_lc_check_commit(&b, 0x7E4F, 24);
    ls_lc_free(&a);
    ls_lc_free(&b);
}
END_TEST

/* ---- 2. merges change no answer --------------------------------------------------------- */

/* Several commits without merging: many segments, with deletions. */
static void build_unmerged(lc_model *m, uint64_t stream, unsigned merge_factor)
{
    lc_config cfg = {"unmerged", 136 << 10, merge_factor, 1, 0, 160, 1};
    corpus_params p = ls_lc_corpus(stream);
    ls_lc_init(m, &cfg, &p);
    for (int i = 0; i < 6; i++)
        ls_lc_round(m, i == 0 ? 320 : 120);
    ls_index_stats st = ls_lc_stats(m->c.reader);
    ck_assert_msg(st.segments >= 12 && st.deleted_documents > 0,
                  "%u segments, %llu deleted documents: too few to merge", st.segments,
                  (unsigned long long)st.deleted_documents);
}

START_TEST(lifecycle_optimize_keeps_answers)
{
    static const unsigned targets[] = {4, 3, 2, 1};
    lc_model m;
    build_unmerged(&m, 0x0971, 10);
    size_t nq = ls_test_long() ? 500 : 150;
    saved_query *qs = ls_saved_queries(&m, 0x0972, nq);
    answer *base = ls_answers_ask(m.c.reader, qs, nq);
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        ls_error err;
        int rc = ls_writer_optimize(m.w, targets[t], &err);
        ck_assert_msg(rc == LS_OK, "ls_writer_optimize(%u): %d %s", targets[t], rc, err.message);
        ls_lc_refresh(&m, t == 0 ? 1 : -1);
        ls_index_stats st = ls_lc_stats(m.c.reader);
        ck_assert_msg(st.segments >= 1 && st.segments <= targets[t],
                      "ls_writer_optimize(%u) left %u segments", targets[t], st.segments);
        ck_assert_msg(st.deleted_documents == 0, "ls_writer_optimize(%u) kept %llu deleted",
                      targets[t], (unsigned long long)st.deleted_documents);
        char what[64];
        snprintf(what, sizeof what, "after ls_writer_optimize(%u)", targets[t]);
        ls_answers_expect(m.c.reader, qs, base, nq, MERGE_REL, what);
    }
    ls_lc_check_stats(&m);
    ls_lc_check_ids(&m);
    ls_lc_check_structure(&m);
    ls_corpus_run_queries(&m.c, 0x0973, 20, ls_gen_lifecycle, 1.2, 0.75, "one segment");
    /* more changes, then optimize(0): one segment again, and the oracle's answers */
    for (int i = 0; i < 80; i++)
        ls_lc_random_op(&m);
    ls_error err;
    ck_assert_int_eq(ls_writer_optimize(m.w, 0, &err), LS_OK);
    m.changed = 0;
    ls_lc_refresh(&m, 1);
    ck_assert_uint_eq(ls_lc_stats(m.c.reader).segments, 1);
    ls_lc_check_commit(&m, 0x0974, 20);
    ls_answers_free(base, nq);
    free(qs);
    ls_lc_free(&m);
}
END_TEST

static const unsigned auto_factors[] = {2, 3, 5};

/* A commit with nothing new still merges what the policy asks for; answers stay. */
START_TEST(lifecycle_auto_merge_keeps_answers)
{
    unsigned f = auto_factors[_i];
    lc_model m;
    build_unmerged(&m, 0x0A70 + (uint64_t)_i, f);
    /* over the policy's bound, so that merging is certain (not only likely) */
    for (int i = 0;
         i < 20 && ls_lc_stats(m.c.reader).segments <= f * (ls_merge_level(m.live, f) + 2); i++)
        ls_lc_round(&m, 120);
    size_t nq = ls_test_long() ? 300 : 100;
    saved_query *qs = ls_saved_queries(&m, 0x0A80 + (uint64_t)_i, nq);
    answer *base = ls_answers_ask(m.c.reader, qs, nq);
    uint32_t before = ls_lc_stats(m.c.reader).segments;
    ls_writer_close(m.w);
    m.cfg.no_auto_merge = 0;
    ls_lc_writer_open(&m);
    ls_lc_commit(&m);
    ls_lc_refresh(&m, -1);
    ls_index_stats st = ls_lc_stats(m.c.reader);
    unsigned bound = f * (ls_merge_level(m.live, f) + 2);
    ck_assert_msg(st.segments < before && st.segments <= bound,
                  "merge factor %u: %u segments, then %u (at most %u expected)", f, before,
                  st.segments, bound);
    ls_answers_expect(m.c.reader, qs, base, nq, MERGE_REL, "after automatic merges");
    /* and on, with merges at every commit */
    for (int round = 0; round < 3; round++) {
        ls_lc_round(&m, 100);
        ls_lc_check_commit(&m, 0x0A90 + 16 * (uint64_t)round, 16);
    }
    ls_answers_free(base, nq);
    free(qs);
    ls_lc_free(&m);
}
END_TEST

/* ---- 3. snapshots ------------------------------------------------------------------------ */

/* A reader asked over and over from a thread: every answer must be `want`, exactly. */
typedef struct asker {
    const ls_reader *r;
    const saved_query *qs;
    const answer *want;
    size_t n, rounds;
    char *failure; /* the first difference, malloc'd */
} asker;

static void *ask_repeatedly(void *arg)
{
    asker *a = arg;
    for (size_t round = 0; round < a->rounds && a->failure == NULL; round++) {
        for (size_t i = 0; i < a->n && a->failure == NULL; i++) {
            ls_hits *h = NULL;
            ls_error err;
            const saved_query *q = &a->qs[(i + round) % a->n];
            const answer *w = &a->want[(i + round) % a->n];
            int rc = ls_search(a->r, q->text, q->len, &q->so, &h, &err);
            if (rc != LS_OK) {
                a->failure = ls_corpus_msgf("'%s': ls_search %d %s", q->text, rc, err.message);
            } else if (ls_hits_total(h) != w->total || ls_hits_count(h) != w->n) {
                a->failure = ls_corpus_msgf("'%s': %llu matches, expected %llu", q->text,
                                            (unsigned long long)ls_hits_total(h),
                                            (unsigned long long)w->total);
            }
            for (size_t k = 0; a->failure == NULL && k < w->n; k++) {
                const ls_hit *hit = ls_hits_get(h, k);
                if (ls_bytes_cmp(hit->id, hit->id_len, w->id[k], w->id_len[k]) != 0 ||
                    hit->score != w->score[k])
                    a->failure = ls_corpus_msgf("'%s' rank %zu: '%s' (%.17g), expected '%.*s' "
                                                "(%.17g)",
                                                q->text, k, hit->id, hit->score, (int)w->id_len[k],
                                                w->id[k], w->score[k]);
            }
            ls_hits_free(h);
        }
    }
    return NULL;
}

static void ids_of(const ls_reader *r, id_list *out)
{
    ls_error err;
    memset(out, 0, sizeof *out);
    int rc = ls_reader_ids(r, "", 0, ls_id_list_collect, out, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_ids: %d %s", rc, err.message);
}

static int same_ids(const id_list *a, const id_list *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (ls_bytes_cmp(a->id[i], a->len[i], b->id[i], b->len[i]) != 0 ||
            a->stamp_len[i] != b->stamp_len[i] ||
            memcmp(a->stamp[i], b->stamp[i], a->stamp_len[i]) != 0)
            return 0;
    return 1;
}

/* What a reader answered once: its queries' answers, ids and statistics. */
typedef struct snapshot {
    ls_reader *r;
    saved_query *qs;
    size_t nq;
    answer *was;
    id_list ids;
    ls_index_stats st;
} snapshot;

static void snapshot_take(snapshot *s, lc_model *m, uint64_t stream)
{
    ls_error err;
    ck_assert_int_eq(ls_reader_open(m->c.dir, &s->r, &err), LS_OK);
    s->nq = ls_test_long() ? 200 : 60;
    s->qs = ls_saved_queries(m, stream, s->nq);
    s->was = ls_answers_ask(s->r, s->qs, s->nq);
    ids_of(s->r, &s->ids);
    s->st = ls_lc_stats(s->r);
}

/* The snapshot's reader answers exactly (bit for bit) as it did. */
static void snapshot_expect(const snapshot *s, const char *what)
{
    ls_answers_expect(s->r, s->qs, s->was, s->nq, 0, what);
    ls_index_stats st = ls_lc_stats(s->r);
    ck_assert_msg(st.generation == s->st.generation && st.documents == s->st.documents &&
                      st.segments == s->st.segments && st.tokens == s->st.tokens,
                  "%s: the statistics changed", what);
    id_list ids;
    ids_of(s->r, &ids);
    ck_assert_msg(same_ids(&s->ids, &ids), "%s: the ids changed", what);
    ls_id_list_free(&ids);
}

static void snapshot_free(snapshot *s)
{
    ls_reader_close(s->r);
    ls_id_list_free(&s->ids);
    ls_answers_free(s->was, s->nq);
    free(s->qs);
}

/* A reader of the new commit from old; reopening it gives nothing, even after a commit with
 * nothing to commit or merge. */
static ls_reader *reopen_once(const snapshot *old, const lc_model *m)
{
    ls_reader *fresh = NULL, *none = NULL;
    ls_error err;
    ck_assert_int_eq(ls_reader_reopen(old->r, &fresh, &err), LS_OK);
    ck_assert_ptr_nonnull(fresh);
    ck_assert_uint_eq(ls_lc_stats(fresh).generation, m->gen);
    ck_assert_int_eq(ls_reader_reopen(fresh, &none, &err), LS_OK);
    ck_assert_ptr_null(none);
    ck_assert_int_eq(ls_writer_commit(m->w, &err), LS_OK);
    ck_assert_int_eq(ls_reader_reopen(fresh, &none, &err), LS_OK);
    ck_assert_ptr_null(none);
    return fresh;
}

/* Both readers searched from threads while the writer commits, merges and removes files. */
static void search_while_writing(lc_model *m, const snapshot *old, const ls_reader *fresh,
                                 const answer *now)
{
    size_t rounds = ls_test_long() ? 20 : 4;
    asker a[2] = {{old->r, old->qs, old->was, old->nq, rounds, NULL},
                  {fresh, old->qs, now, old->nq, rounds, NULL}};
    pthread_t th[2];
    ls_error err;
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, ask_repeatedly, &a[i]), 0);
    for (int i = 0; i < 3; i++) {
        ls_lc_round(m, 60);
        ck_assert_int_eq(ls_writer_optimize(m->w, 1 + (unsigned)i, &err), LS_OK);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(a[i].failure == NULL, "%s reader, from a thread: %s",
                      i ? "the reopened" : "the old", a[i].failure);
    }
}

/* With no reader of old commits left open, a merge leaves only its own files. */
static void expect_only_last_files(lc_model *m)
{
    ls_error err;
    ls_reader_close(m->c.reader);
    m->c.reader = NULL;
    m->gen = 0;
    ls_lc_round(m, 40);
    ls_reader_close(m->c.reader);
    m->c.reader = NULL;
    ck_assert_int_eq(ls_writer_optimize(m->w, 1, &err), LS_OK);
    dir_census c = ls_dir_census(m->c.dir);
    ck_assert_msg(c.segments == 1 && c.deletions == 0 && c.manifests == 1,
                  "after optimize with no reader open: %zu segments, %zu deletion files, %zu "
                  "manifests in the directory",
                  c.segments, c.deletions, c.manifests);
    ls_lc_refresh(m, 1);
}

/*
 * A reader opened before deletions, updates, merges and an optimize answers exactly as it did
 * until it is closed, also while another thread searches the new commit through a reopened
 * reader and the writer goes on merging and removing files; reopen gives NULL when nothing
 * changed; once the old reader is closed, the files only it used go.
 */
START_TEST(lifecycle_snapshot_survives)
{
    lc_config cfg = {"snapshots", 136 << 10, 2, 0, 0, 160, 1};
    corpus_params p = ls_lc_corpus(0x5A95);
    lc_model m;
    snapshot old;
    ls_error err;
    ls_lc_init(&m, &cfg, &p);
    for (int i = 0; i < 3; i++)
        ls_lc_round(&m, 150);
    snapshot_take(&old, &m, 0x5A96);
    size_t gone = 0; /* a live key, to be deleted */
    while (m.keys[gone].doc < 0)
        gone++;
    char gone_id[LC_ID_MAX];
    size_t gone_len = ls_lc_id(gone, gone_id);

    /* deletions by id and prefix, updates, merges at every commit, then one segment */
    ls_lc_delete(&m, gone);
    ls_lc_delete_prefix(&m, "ab/", 3);
    ls_lc_round(&m, 120);
    if (m.keys[gone].doc >= 0) /* added again by the round */
        ls_lc_delete(&m, gone);
    ck_assert_int_eq(ls_writer_optimize(m.w, 1, &err), LS_OK);
    ls_lc_refresh(&m, -1);
    ck_assert_uint_eq(ls_lc_stats(m.c.reader).segments, 1);
    snapshot_expect(&old, "the old reader after optimize");
    ls_doc_info info = {.version = LS_DOC_INFO_VERSION};
    ck_assert_int_eq(ls_reader_get(old.r, gone_id, gone_len, &info, &err), LS_OK);
    ck_assert_int_eq(ls_reader_get(m.c.reader, gone_id, gone_len, &info, &err), LS_ENOTFOUND);
    ls_lc_check_structure(&m);
    ck_assert_int_eq(ls_reader_check(old.r, &err), LS_OK);

    ls_reader *fresh = reopen_once(&old, &m);
    answer *now = ls_answers_ask(fresh, old.qs, old.nq);
    ls_lc_check_commit(&m, 0x5A97, 20); /* m's reader: the same commit as fresh */
    search_while_writing(&m, &old, fresh, now);
    ls_reader_close(fresh);
    snapshot_expect(&old, "the old reader, last");
    snapshot_free(&old);

    expect_only_last_files(&m);
    ls_lc_check_commit(&m, 0x5A98, 10);
    ls_answers_free(now, old.nq);
    ls_lc_free(&m);
}
END_TEST

/* ---- 4. segment counts stay logarithmic --------------------------------------------------- */

static const unsigned log_factors[] = {0, 3}; /* 0: the default, 10 */
static const int log_commits[] = {500, 200};

START_TEST(lifecycle_segments_logarithmic)
{
    unsigned f = log_factors[_i] ? log_factors[_i] : 10;
    lc_config cfg = {"small commits", 0, log_factors[_i], 0, 0, 0, 1};
    corpus_params p = ls_lc_corpus(0x106 + (uint64_t)_i);
    p.max_body = 12;
    lc_model m;
    ls_lc_init(&m, &cfg, &p);
    int commits = ls_test_long() ? 4 * log_commits[_i] : log_commits[_i];
    uint32_t most = 0;
    for (int i = 0; i < commits; i++) {
        uint32_t n = 1 + ls_rng_below(&m.r, 5);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t dice = ls_rng_below(&m.r, 10);
            if (dice < 7 || m.n_keys == 0)
                ls_lc_add(&m, m.n_keys);
            else if (dice < 9)
                ls_lc_add(&m, ls_rng_below(&m.r, (uint32_t)m.n_keys));
            else
                ls_lc_delete(&m, ls_rng_below(&m.r, (uint32_t)m.n_keys));
        }
        ls_lc_commit(&m);
        ls_index_stats st = ls_lc_stats(m.c.reader);
        unsigned bound = f * (ls_merge_level(m.live ? m.live : 1, f) + 2);
        ck_assert_msg(st.segments <= bound,
                      "commit %d: %u segments over %zu documents (merge factor %u: at most %u)", i,
                      st.segments, m.live, f, bound);
        most = st.segments > most ? st.segments : most;
        ck_assert_uint_eq(st.documents, m.live);
    }
    ck_assert_msg(most > f / 2, "never more than %u segments: merging was not exercised", most);
    ls_lc_check_stats(&m);
    ls_lc_check_ids(&m);
    ls_lc_check_structure(&m);
    ls_corpus_run_queries(&m.c, 0x107, 20, ls_gen_lifecycle, 1.2, 0.75, "after small commits");
    /* files of old commits do not pile up: the last commit's and its fallback's remain */
    ls_reader_close(m.c.reader);
    m.c.reader = NULL;
    ls_writer_close(m.w);
    ls_lc_writer_open(&m);
    dir_census c = ls_dir_census(m.c.dir);
    unsigned bound = f * (ls_merge_level(m.live, f) + 2);
    ck_assert_msg(c.segments <= 2 * bound && c.manifests <= 2,
                  "%zu segments and %zu manifests in the directory (at most %u and 2)", c.segments,
                  c.manifests, 2 * bound);
    ls_lc_free(&m);
}
END_TEST

/* ---- 5. ids of any bytes ------------------------------------------------------------------- */

/* Ids that test bytewise order and prefixes: NUL bytes inside, bytes above 0x7f, an id that
 * is a prefix of others, the longest id allowed. */
#define N_ODD 12
typedef struct odd_ids {
    char id[N_ODD][LS_MAX_ID_BYTES];
    size_t len[N_ODD];
    uint8_t stamp[N_ODD][LS_MAX_STAMP_BYTES];
    size_t stamp_len[N_ODD];
    int live[N_ODD];
    unsigned version[N_ODD];
} odd_ids;

static void odd_init(odd_ids *o)
{
    static const struct {
        const char *s;
        size_t len;
    } v[N_ODD - 1] = {{"a", 1},        {"a\0", 2},  {"a\0\0", 3}, {"a\0b", 3},
                      {"ab", 2},       {"\x7f", 1}, {"\x80", 1},  {"\xff", 1},
                      {"\xff\xff", 2}, {"\0", 1},   {"a\x01", 2}};
    memset(o, 0, sizeof *o);
    for (int i = 0; i < N_ODD - 1; i++) {
        memcpy(o->id[i], v[i].s, v[i].len);
        o->len[i] = v[i].len;
    }
    memset(o->id[N_ODD - 1], 'x', LS_MAX_ID_BYTES);
    o->len[N_ODD - 1] = LS_MAX_ID_BYTES;
}

/* Adds (or replaces) odd id i: its body holds a word only it has ("odd1ver5x" for i = 1,
 * version 5); the stamp is the version's. */
static void odd_add(ls_writer *w, odd_ids *o, int i)
{
    char body[64], title[32];
    unsigned v = ++o->version[i];
    snprintf(body, sizeof body, "common odd%dver%ux text", i, v);
    snprintf(title, sizeof title, "odd %d", i);
    size_t sl = i == 0 ? 0 : i == 1 ? LS_MAX_STAMP_BYTES : (size_t)(i + v);
    for (size_t k = 0; k < sl; k++)
        o->stamp[i][k] = (uint8_t)(k * 7 + v + (unsigned)i);
    o->stamp_len[i] = sl;
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = o->id[i];
    doc.id_len = o->len[i];
    doc.title = title;
    doc.title_len = strlen(title);
    doc.body = body;
    doc.body_len = strlen(body);
    doc.stamp = sl ? o->stamp[i] : NULL;
    doc.stamp_len = sl;
    ls_error err;
    ck_assert_int_eq(ls_writer_add(w, &doc, &err), LS_OK);
    o->live[i] = 1;
}

/* ls_reader_get of every odd id: found when live, with its stamp, as the document its
 * unique word finds. */
static void odd_check_get(const ls_reader *r, const odd_ids *o)
{
    for (int i = 0; i < N_ODD; i++) {
        ls_doc_info info = {.version = LS_DOC_INFO_VERSION};
        ls_error err;
        int rc = ls_reader_get(r, o->id[i], o->len[i], &info, &err);
        ck_assert_msg(rc == (o->live[i] ? LS_OK : LS_ENOTFOUND), "ls_reader_get(odd %d): %d", i,
                      rc);
        if (rc != LS_OK)
            continue;
        ck_assert_msg(info.stamp_len == o->stamp_len[i] &&
                          memcmp(info.stamp, o->stamp[i], o->stamp_len[i]) == 0,
                      "odd %d: stamp of %zu bytes, expected %zu", i, info.stamp_len,
                      o->stamp_len[i]);
        char q[32];
        snprintf(q, sizeof q, "odd%dver%ux", i, o->version[i]);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0;
        ls_hits *h = NULL;
        ck_assert_int_eq(ls_search(r, q, strlen(q), &so, &h, &err), LS_OK);
        ck_assert_msg(ls_hits_total(h) == 1, "'%s': %llu hits", q,
                      (unsigned long long)ls_hits_total(h));
        const ls_hit *hit = ls_hits_get(h, 0);
        ck_assert(hit->id_len == o->len[i] && memcmp(hit->id, o->id[i], o->len[i]) == 0 &&
                  hit->id[hit->id_len] == '\0');
        ck_assert_uint_eq(hit->doc, info.doc);
        ls_hits_free(h);
    }
}

/* ls_reader_ids with prefixes holding NUL and high bytes: the live odd ids with the prefix,
 * in bytewise order, with their stamps. */
static void odd_check_ids(const ls_reader *r, const odd_ids *o)
{
    static const struct {
        const char *s;
        size_t len;
    } prefixes[] = {{"", 0},     {"a", 1},  {"a\0", 2}, {"\xff", 1},
                    {"\x7f", 1}, {"\0", 1}, {"b", 1},   {"xxxx", 4}};
    int order[N_ODD], n = 0;
    for (int i = 0; i < N_ODD; i++)
        if (o->live[i])
            order[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort by bytes */
        for (int j = i; j > 0 && ls_bytes_cmp(o->id[order[j - 1]], o->len[order[j - 1]],
                                              o->id[order[j]], o->len[order[j]]) > 0;
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        id_list l = {0};
        ls_error err;
        const char *pre = prefixes[p].s;
        size_t pl = prefixes[p].len, k = 0;
        ck_assert_int_eq(ls_reader_ids(r, pre, pl, ls_id_list_collect, &l, &err), LS_OK);
        for (int i = 0; i < n; i++) {
            int j = order[i];
            if (!ls_has_prefix(o->id[j], o->len[j], pre, pl))
                continue;
            ck_assert_msg(k < l.n, "prefix %zu: too few ids (%zu)", p, l.n);
            size_t cmp = o->len[j] < LC_ID_MAX ? o->len[j] : LC_ID_MAX; /* l keeps the start */
            ck_assert_msg(l.len[k] == o->len[j] && memcmp(l.id[k], o->id[j], cmp) == 0 &&
                              l.stamp_len[k] == o->stamp_len[j] &&
                              memcmp(l.stamp[k], o->stamp[j], o->stamp_len[j]) == 0,
                          "prefix %zu, #%zu: not odd id %d", p, k, j);
            k++;
        }
        ck_assert_msg(k == l.n, "prefix %zu: %zu ids, expected %zu", p, l.n, k);
        ls_id_list_free(&l);
    }
}

static void odd_check(const ls_reader *r, const odd_ids *o)
{
    odd_check_get(r, o);
    odd_check_ids(r, o);
}
/* Commits, and checks the new commit through a reopened reader. */
static void odd_commit(ls_writer *w, ls_reader **r, const odd_ids *o)
{
    ls_error err;
    ls_reader *nr = NULL;
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ck_assert_int_eq(ls_reader_reopen(*r, &nr, &err), LS_OK);
    ck_assert_ptr_nonnull(nr);
    ls_reader_close(*r);
    *r = nr;
    odd_check(*r, o);
}

/* Refused: no id, an id or a stamp over its limit, deleting no id or an unknown one; the
 * writer stays usable. */
static void expect_refusals(ls_writer *w)
{
    static char big[LS_MAX_ID_BYTES + 1];
    ls_error err;
    memset(big, 'x', sizeof big);
    ls_document bad = LS_DOCUMENT_INIT;
    bad.body = "common";
    bad.body_len = 6;
    bad.id = "";
    ck_assert_int_eq(ls_writer_add(w, &bad, &err), LS_EINVAL);
    bad.id = NULL;
    bad.id_len = 3;
    ck_assert_int_eq(ls_writer_add(w, &bad, &err), LS_EINVAL);
    bad.id = big;
    bad.id_len = sizeof big;
    ck_assert_int_eq(ls_writer_add(w, &bad, &err), LS_ELIMIT);
    bad.id = "ok";
    bad.id_len = 2;
    bad.stamp = big;
    bad.stamp_len = LS_MAX_STAMP_BYTES + 1;
    ck_assert_int_eq(ls_writer_add(w, &bad, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_writer_delete(w, "", 0, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete(w, "nothing", 7, &err), LS_ENOTFOUND);
}

/* A word every document has finds each live id exactly once. */
static void expect_each_id_once(const ls_reader *r, const odd_ids *o)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.feedback_docs = 0;
    so.limit = 100;
    ls_hits *h = NULL;
    ls_error err;
    size_t live = 0;
    for (int i = 0; i < N_ODD; i++)
        live += (size_t)o->live[i];
    ck_assert_int_eq(ls_search(r, "common", 6, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), live);
    for (size_t i = 0; i < ls_hits_count(h); i++)
        for (size_t j = 0; j < i; j++)
            ck_assert(ls_bytes_cmp(ls_hits_get(h, i)->id, ls_hits_get(h, i)->id_len,
                                   ls_hits_get(h, j)->id, ls_hits_get(h, j)->id_len) != 0);
    ls_hits_free(h);
}

START_TEST(lifecycle_ids_any_bytes)
{
    char *dir = ls_test_tmpdir();
    odd_ids *o = malloc(sizeof *o);
    ck_assert_ptr_nonnull(o);
    odd_init(o);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.no_auto_merge = 1;
    ls_writer *w = NULL;
    ls_reader *r = NULL;
    ls_error err;
    uint64_t count = 0;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);

    expect_refusals(w);
    for (int i = 0; i < N_ODD; i++)
        odd_add(w, o, i);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    odd_check(r, o);
    /* updates: twice before one commit (both in RAM), and of a committed one */
    odd_add(w, o, 1);
    odd_add(w, o, 1);
    odd_add(w, o, 5);
    odd_add(w, o, N_ODD - 1);
    odd_commit(w, &r, o);
    /* deletions: by id, and by a prefix with a NUL byte ("a\0", "a\0\0", "a\0b"; not "a",
     * "ab", "a\x01"), one of them added again before the commit */
    ck_assert_int_eq(ls_writer_delete(w, o->id[9], o->len[9], &err), LS_OK);
    o->live[9] = 0;
    ck_assert_int_eq(ls_writer_delete_prefix(w, "a\0", 2, &count, &err), LS_OK);
    ck_assert_uint_eq(count, 3);
    o->live[1] = o->live[2] = o->live[3] = 0;
    odd_add(w, o, 2);
    ck_assert_int_eq(ls_writer_delete(w, o->id[9], o->len[9], &err), LS_ENOTFOUND);
    odd_commit(w, &r, o);
    ck_assert_int_eq(ls_writer_optimize(w, 1, &err), LS_OK);
    odd_commit(w, &r, o);
    expect_each_id_once(r, o);
    /* an empty prefix deletes everything */
    uint64_t live = 0;
    for (int i = 0; i < N_ODD; i++)
        live += (uint64_t)o->live[i];
    ck_assert_int_eq(ls_writer_delete_prefix(w, "", 0, &count, &err), LS_OK);
    ck_assert_uint_eq(count, live);
    memset(o->live, 0, sizeof o->live);
    odd_commit(w, &r, o);
    ck_assert_uint_eq(ls_lc_stats(r).documents, 0);
    odd_add(w, o, 0);
    odd_commit(w, &r, o);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ls_reader_close(r);
    ls_writer_close(w);
    ls_test_rmtree(dir);
    free(dir);
    free(o);
}
END_TEST

/*
 * The API allows a NULL prefix of length 0 ("every document") in ls_writer_delete_prefix and
 * ls_reader_ids. Both used to pass it on to memcmp (undefined behaviour, an abort under
 * `make asan`); this test found that, and guards the fix.
 */
START_TEST(lifecycle_null_prefix_is_every_id)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = NULL;
    ls_reader *r = NULL;
    ls_error err;
    uint64_t count = 0;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    for (int i = 0; i < 3; i++) {
        char id[8];
        ls_document doc = LS_DOCUMENT_INIT;
        doc.id = id;
        doc.id_len = (size_t)snprintf(id, sizeof id, "n%d", i);
        doc.body = "word";
        doc.body_len = 4;
        ck_assert_int_eq(ls_writer_add(w, &doc, &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    id_list l = {0};
    ck_assert_int_eq(ls_reader_ids(r, NULL, 0, ls_id_list_collect, &l, &err), LS_OK);
    ck_assert_uint_eq(l.n, 3);
    ls_id_list_free(&l);
    ck_assert_int_eq(ls_writer_delete_prefix(w, NULL, 0, &count, &err), LS_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_reader_close(r);
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ck_assert_uint_eq(ls_lc_stats(r).documents, 0);
    ls_reader_close(r);
    ls_writer_close(w);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* declared for -Wmissing-prototypes; the runner's table comes from the definition below */
extern Suite *ls_suite_lifecycle(void);

Suite *ls_suite_lifecycle(void)
{
    Suite *s = suite_create("lifecycle");
    int timeout = ls_test_long() ? 1200 : 120;

    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, timeout);
    tcase_add_loop_test(tc, lifecycle_oracle_updates_deletes, 0, (int)N_CONFIGS);
    tcase_add_test(tc, lifecycle_threads_repeatable);
    tcase_add_test(tc, lifecycle_threads_syncs_repeatable);
    suite_add_tcase(s, tc);

    tc = tcase_create("merges");
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, lifecycle_optimize_keeps_answers);
    tcase_add_loop_test(tc, lifecycle_auto_merge_keeps_answers, 0,
                        (int)(sizeof auto_factors / sizeof auto_factors[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("snapshots");
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, lifecycle_snapshot_survives);
    suite_add_tcase(s, tc);

    tc = tcase_create("segment_counts");
    tcase_set_timeout(tc, timeout);
    tcase_add_loop_test(tc, lifecycle_segments_logarithmic, 0,
                        (int)(sizeof log_factors / sizeof log_factors[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("ids");
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, lifecycle_ids_any_bytes);
    tcase_add_test(tc, lifecycle_null_prefix_is_every_id);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ls_lifecycle_stress_tcase());
    return s;
}
