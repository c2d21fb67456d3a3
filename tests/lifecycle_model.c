/* SPDX-License-Identifier: MIT */
/*
 * lifecycle_model.c - the lifecycle suite's model of an index (see lifecycle_model.h): every
 * change goes to the writer and to the oracles alike, and every check compares a reader of the
 * last commit with the model. Oracle documents are numbered in the order added, so an update
 * (delete + add) moves a key's document to the end, as in the engine.
 */
#include "lifecycle_model.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/filenames.h"
#include "oracle.h"
#include "oracle_rm3.h"

#define BM25_REL 1e-9     /* engine against the BM25 oracle, relative */
#define FEEDBACK_REL 1e-6 /* engine against the RM3 oracle (as test_feedback.c) */

/* ---- the model: keys, their live versions, the writer ---------------------------------- */

/* Ids of key k: a group prefix and k. The groups nest ("b" holds "b12" but not "b/12"), and
 * one starts with a byte above 0x7f, so bytewise order and prefixes are exercised. */
static const char *const groups[] = {"a/", "ab/", "b", "b/", "\xc3\xa9/", "z~"};
#define N_GROUPS (sizeof groups / sizeof groups[0])

size_t ls_lc_id(size_t k, char *buf)
{
    return (size_t)snprintf(buf, LC_ID_MAX, "%s%zu", groups[k % N_GROUPS], k);
}

/* The key whose id is id[0..len), or -1. */
static long key_of(const char *id, size_t len)
{
    size_t i = len;
    char buf[LC_ID_MAX];
    while (i > 0 && id[i - 1] >= '0' && id[i - 1] <= '9')
        i--;
    if (i == len || len - i > 9)
        return -1;
    long k = strtol(id + i, NULL, 10);
    return ls_lc_id((size_t)k, buf) == len && memcmp(buf, id, len) == 0 ? k : -1;
}

/* Hits map to oracle documents through their id, and only the live version counts: the
 * stored path names the oracle document it was added as. */
static long lc_hit_doc(const corpus *c, const ls_hit *h)
{
    const lc_model *m = c->payload;
    long k = key_of(h->id, h->id_len);
    if (k < 0 || (size_t)k >= m->n_keys || m->keys[k].doc < 0)
        return -1;
    char path[LC_ID_MAX];
    snprintf(path, sizeof path, "/doc/%ld", m->keys[k].doc);
    return strcmp(h->path, path) == 0 ? m->keys[k].doc : -1;
}

void ls_lc_writer_open(lc_model *m)
{
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = m->cfg.ram_budget;
    wo.merge_factor = m->cfg.merge_factor;
    wo.no_auto_merge = m->cfg.no_auto_merge;
    wo.threads = m->cfg.threads;
    m->c.ties_any_order = m->cfg.threads > 1;
    ls_error err;
    int rc = ls_writer_open(m->c.dir, &wo, &m->w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
}

/* A model over a fresh index: the corpus of p, both oracles, the writer of cfg. */
void ls_lc_init(lc_model *m, const lc_config *cfg, const corpus_params *p)
{
    memset(m, 0, sizeof *m);
    m->p = *p;
    m->cfg = *cfg;
    ls_rng_init(&m->r, p->stream);
    m->c.rm3 = ls_rm3_oracle_new();
    m->c.oracle = ls_rm3_oracle_bm25(m->c.rm3);
    m->c.hit_doc = lc_hit_doc;
    m->c.payload = m;
    m->c.score_rel = BM25_REL;
    ls_corpus_vocab(&m->c, p, &m->r);
    m->c.dir = ls_test_tmpdir();
    ls_lc_writer_open(m);
}

void ls_lc_free(lc_model *m)
{
    ls_writer_close(m->w);
    ls_corpus_free(&m->c);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

corpus_params ls_lc_corpus(uint64_t stream)
{
    corpus_params p = {.n_bases = 60,
                       .all_forms = 1,
                       .n_compounds = 6,
                       .with_stop = 1,
                       .max_title = 6,
                       .max_body = 50,
                       .stream = stream};
    return p;
}

/* Adds (or replaces) key k with a freshly drawn document; a new key when k == n_keys. */
void ls_lc_add(lc_model *m, size_t k)
{
    if (k == m->n_keys) {
        if (m->n_keys == m->cap_keys) {
            m->cap_keys = m->cap_keys ? 2 * m->cap_keys : 256;
            m->keys = realloc(m->keys, m->cap_keys * sizeof *m->keys);
            ck_assert_ptr_nonnull(m->keys);
        }
        m->keys[m->n_keys++].doc = -1;
    }
    lc_key *key = &m->keys[k];
    corpus_text t;
    uint32_t d = ls_corpus_draw(&m->c, &m->r, &m->p, &t);
    char id[LC_ID_MAX], path[LC_ID_MAX];
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = ls_lc_id(k, id);
    doc.title = t.title_len == 0 && (d & 1) ? NULL : t.title; /* empty: NULL or "" */
    doc.title_len = t.title_len;
    doc.body = t.body_len == 0 && (d & 2) ? NULL : t.body;
    doc.body_len = t.body_len;
    doc.path = path;
    doc.path_len = (size_t)snprintf(path, sizeof path, "/doc/%u", d);
    uint8_t stamp[LS_MAX_STAMP_BYTES];
    uint32_t dice = ls_rng_below(&m->r, 10);
    size_t sl = dice == 0 ? 0 : dice == 1 ? LS_MAX_STAMP_BYTES : 1 + ls_rng_below(&m->r, 24);
    for (size_t i = 0; i < sl; i++)
        stamp[i] = (uint8_t)ls_rng_below(&m->r, 256);
    doc.stamp = sl ? stamp : NULL;
    doc.stamp_len = sl;
    if (dice == 2) { /* version 1 has no stamp: whatever the fields hold is not read */
        doc.version = 1;
        doc.stamp = "ignored";
        doc.stamp_len = 7;
        sl = 0;
    }
    ls_error err;
    int rc = ls_writer_add(m->w, &doc, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add(%s): %d %s", id, rc, err.message);
    if (key->doc >= 0)
        ls_corpus_oracle_delete(&m->c, (uint32_t)key->doc);
    else
        m->live++;
    ls_corpus_oracle_add(&m->c, d, &t);
    ls_corpus_text_free(&t);
    key->doc = d;
    memcpy(key->stamp, stamp, sl);
    key->stamp_len = sl;
    m->changed = 1;
}

static void lc_forget(lc_model *m, size_t k)
{
    ls_corpus_oracle_delete(&m->c, (uint32_t)m->keys[k].doc);
    m->keys[k].doc = -1;
    m->live--;
    m->changed = 1;
}

/* Deletes key k by id: LS_OK when it is live, else LS_ENOTFOUND with the writer usable. */
void ls_lc_delete(lc_model *m, size_t k)
{
    char id[LC_ID_MAX];
    size_t len = ls_lc_id(k, id);
    ls_error err;
    int rc = ls_writer_delete(m->w, id, len, &err);
    if (m->keys[k].doc < 0) {
        ck_assert_msg(rc == LS_ENOTFOUND && err.code == LS_ENOTFOUND,
                      "ls_writer_delete(%s) of no live document: %d", id, rc);
        return;
    }
    ck_assert_msg(rc == LS_OK, "ls_writer_delete(%s): %d %s", id, rc, err.message);
    lc_forget(m, k);
}

int ls_has_prefix(const char *id, size_t len, const char *pre, size_t pl)
{
    return len >= pl && memcmp(id, pre, pl) == 0;
}

void ls_lc_delete_prefix(lc_model *m, const char *pre, size_t pl)
{
    uint64_t want = 0, got = UINT64_MAX;
    for (size_t k = 0; k < m->n_keys; k++) {
        char id[LC_ID_MAX];
        size_t len = ls_lc_id(k, id);
        want += m->keys[k].doc >= 0 && ls_has_prefix(id, len, pre, pl);
    }
    ls_error err;
    int rc = ls_writer_delete_prefix(m->w, pre, pl, &got, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_delete_prefix(%.*s): %d %s", (int)pl, pre, rc,
                  err.message);
    ck_assert_msg(got == want, "ls_writer_delete_prefix('%.*s') deleted %llu, expected %llu",
                  (int)pl, pre, (unsigned long long)got, (unsigned long long)want);
    for (size_t k = 0; k < m->n_keys; k++) {
        char id[LC_ID_MAX];
        size_t len = ls_lc_id(k, id);
        if (m->keys[k].doc >= 0 && ls_has_prefix(id, len, pre, pl))
            lc_forget(m, k);
    }
}

/* A random id prefix: a group, or a group and one or two digits. */
size_t ls_lc_random_prefix(ls_rng *r, char *buf)
{
    uint32_t dice = ls_rng_below(r, 10);
    const char *g = groups[ls_rng_below(r, N_GROUPS)];
    if (dice == 0)
        return (size_t)snprintf(buf, LC_ID_MAX, "%s", g);
    if (dice < 6)
        return (size_t)snprintf(buf, LC_ID_MAX, "%s%u", g, 1 + ls_rng_below(r, 9));
    return (size_t)snprintf(buf, LC_ID_MAX, "%s%u", g, 10 + ls_rng_below(r, 90));
}

/* One random change: mostly new keys and updates (of live keys, or of deleted ones: a
 * re-add), then deletions by id (of live or of gone keys) and, rarely, by prefix. Below 40
 * live documents only adds: a tiny corpus would leave most random queries without hits. */
void ls_lc_random_op(lc_model *m)
{
    uint32_t dice = m->live < 40 ? 0 : ls_rng_below(&m->r, 100);
    size_t k = m->n_keys ? ls_rng_below(&m->r, (uint32_t)m->n_keys) : 0;
    if (m->n_keys == 0 || dice < 45) {
        ls_lc_add(m, m->n_keys);
    } else if (dice < 72) {
        ls_lc_add(m, k);
    } else if (dice < 98 || m->n_keys < 150) {
        ls_lc_delete(m, k);
    } else {
        char pre[LC_ID_MAX];
        size_t pl = ls_lc_random_prefix(&m->r, pre);
        ls_lc_delete_prefix(m, pre, pl);
    }
}

ls_index_stats ls_lc_stats(const ls_reader *r)
{
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ls_error err;
    int rc = ls_reader_stats(r, &st, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_stats: %d %s", rc, err.message);
    return st;
}

/* Picks up the last commit: a new reader when expect_new is 1, none when 0, either when -1. */
void ls_lc_refresh(lc_model *m, int expect_new)
{
    ls_error err;
    int rc;
    if (m->c.reader == NULL) {
        rc = ls_reader_open(m->c.dir, &m->c.reader, &err);
        ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
    } else {
        ls_reader *nr = NULL;
        rc = ls_reader_reopen(m->c.reader, &nr, &err);
        ck_assert_msg(rc == LS_OK, "ls_reader_reopen: %d %s", rc, err.message);
        ck_assert_msg(expect_new < 0 || (nr != NULL) == expect_new,
                      "ls_reader_reopen gave %s reader", nr ? "a new" : "no");
        if (nr == NULL)
            return;
        ls_reader_close(m->c.reader);
        m->c.reader = nr;
    }
    ls_index_stats st = ls_lc_stats(m->c.reader);
    ck_assert_msg(st.generation > m->gen, "generation %llu after %llu",
                  (unsigned long long)st.generation, (unsigned long long)m->gen);
    m->gen = st.generation;
}

void ls_lc_commit(lc_model *m)
{
    ls_error err;
    int rc = ls_writer_commit(m->w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
    if (m->cfg.reopen_writer) {
        ls_writer_close(m->w);
        ls_lc_writer_open(m);
    }
    int changed = m->changed;
    m->changed = 0;
    ls_lc_refresh(m, m->c.reader == NULL || changed ? 1 : -1);
}

/* n random changes, then a commit and a new reader. */
void ls_lc_round(lc_model *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ls_lc_random_op(m);
    ls_lc_commit(m);
}

/* ---- checks of one commit against the model --------------------------------------------- */

void ls_lc_check_stats(const lc_model *m)
{
    ls_index_stats st = ls_lc_stats(m->c.reader);
    uint64_t tokens = 0;
    for (size_t k = 0; k < m->n_keys; k++)
        if (m->keys[k].doc >= 0)
            tokens += ls_oracle_doc_len(m->c.oracle, (uint32_t)m->keys[k].doc, ORACLE_FIELD_ALL);
    ck_assert_uint_eq(ls_oracle_live_docs(m->c.oracle), m->live);
    ck_assert_msg(st.documents == m->live, "%llu documents, %zu live",
                  (unsigned long long)st.documents, m->live);
    ck_assert_msg(st.tokens == tokens, "%llu tokens, %llu live", (unsigned long long)st.tokens,
                  (unsigned long long)tokens);
    ck_assert(m->live == 0 || st.segments > 0);
}

int ls_id_list_collect(const char *id, size_t len, const void *stamp, size_t stamp_len,
                       void *payload)
{
    id_list *l = payload;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->id = realloc(l->id, l->cap * sizeof *l->id);
        l->len = realloc(l->len, l->cap * sizeof *l->len);
        l->stamp = realloc(l->stamp, l->cap * sizeof *l->stamp);
        l->stamp_len = realloc(l->stamp_len, l->cap * sizeof *l->stamp_len);
        ck_assert(l->id && l->len && l->stamp && l->stamp_len);
    }
    ck_assert(stamp_len <= LS_MAX_STAMP_BYTES);
    memcpy(l->id[l->n], id, len < LC_ID_MAX ? len : LC_ID_MAX); /* longer ids: their start */
    l->len[l->n] = len;
    if (stamp_len)
        memcpy(l->stamp[l->n], stamp, stamp_len);
    l->stamp_len[l->n] = stamp_len;
    l->n++;
    return l->stop_after != 0 && l->n >= l->stop_after;
}

void ls_id_list_free(id_list *l)
{
    free(l->id);
    free(l->len);
    free(l->stamp);
    free(l->stamp_len);
}

int ls_bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

static int cmp_key_ids(const void *pa, const void *pb)
{
    char a[LC_ID_MAX], b[LC_ID_MAX];
    size_t al = ls_lc_id(*(const size_t *)pa, a), bl = ls_lc_id(*(const size_t *)pb, b);
    return ls_bytes_cmp(a, al, b, bl);
}

/* ls_reader_ids(prefix) must give exactly the live keys with the prefix, in bytewise order,
 * each once, with their stamps; stopping early must stop. */
static void check_ids_prefix(const lc_model *m, const char *pre, size_t pl)
{
    size_t *want = malloc((m->n_keys + 1) * sizeof *want), n = 0;
    ck_assert_ptr_nonnull(want);
    for (size_t k = 0; k < m->n_keys; k++) {
        char id[LC_ID_MAX];
        size_t len = ls_lc_id(k, id);
        if (m->keys[k].doc >= 0 && ls_has_prefix(id, len, pre, pl))
            want[n++] = k;
    }
    qsort(want, n, sizeof *want, cmp_key_ids);
    id_list l = {0};
    ls_error err;
    int rc = ls_reader_ids(m->c.reader, pre, pl, ls_id_list_collect, &l, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_ids: %d %s", rc, err.message);
    ck_assert_msg(l.n == n, "ls_reader_ids('%.*s'): %zu ids, %zu live", (int)pl, pre, l.n, n);
    for (size_t i = 0; i < n; i++) {
        char id[LC_ID_MAX];
        size_t len = ls_lc_id(want[i], id);
        const lc_key *key = &m->keys[want[i]];
        ck_assert_msg(ls_bytes_cmp(l.id[i], l.len[i], id, len) == 0,
                      "ls_reader_ids('%.*s') #%zu: '%.*s', expected '%s'", (int)pl, pre, i,
                      (int)l.len[i], l.id[i], id);
        ck_assert_msg(l.stamp_len[i] == key->stamp_len &&
                          memcmp(l.stamp[i], key->stamp, key->stamp_len) == 0,
                      "ls_reader_ids: stamp of '%s' (%zu bytes, expected %zu)", id, l.stamp_len[i],
                      key->stamp_len);
    }
    ls_id_list_free(&l);
    memset(&l, 0, sizeof l);
    l.stop_after = 3;
    rc = ls_reader_ids(m->c.reader, pre, pl, ls_id_list_collect, &l, &err);
    ck_assert_msg(rc == LS_OK && l.n == (n < 3 ? n : 3), "stopping ls_reader_ids: %d, %zu calls",
                  rc, l.n);
    ls_id_list_free(&l);
    free(want);
}

typedef struct doc_pair {
    uint64_t oracle, engine;
} doc_pair;

static int cmp_pair(const void *pa, const void *pb)
{
    const doc_pair *a = pa, *b = pb;
    return a->oracle < b->oracle ? -1 : a->oracle > b->oracle;
}

static int cmp_engine(const void *pa, const void *pb)
{
    const doc_pair *a = pa, *b = pb;
    return a->engine < b->engine ? -1 : a->engine > b->engine;
}

/* ls_reader_get finds every live key with its stamp and no other; internal document numbers
 * are distinct and (one index thread) in the order documents were added (the order ties are
 * broken by). */
static void check_get(const lc_model *m)
{
    doc_pair *pairs = malloc((m->live + 1) * sizeof *pairs);
    size_t n = 0;
    ck_assert_ptr_nonnull(pairs);
    for (size_t k = 0; k < m->n_keys; k++) {
        char id[LC_ID_MAX];
        size_t len = ls_lc_id(k, id);
        ls_doc_info info = {.version = LS_DOC_INFO_VERSION};
        ls_error err;
        int rc = ls_reader_get(m->c.reader, id, len, &info, &err);
        const lc_key *key = &m->keys[k];
        if (key->doc < 0) {
            ck_assert_msg(rc == LS_ENOTFOUND, "ls_reader_get(%s) of a deleted key: %d", id, rc);
            continue;
        }
        ck_assert_msg(rc == LS_OK, "ls_reader_get(%s): %d %s", id, rc, err.message);
        ck_assert_msg(
            info.stamp_len == key->stamp_len &&
                (key->stamp_len == 0 || memcmp(info.stamp, key->stamp, key->stamp_len) == 0),
            "ls_reader_get(%s): stamp of %zu bytes, expected %zu", id, info.stamp_len,
            key->stamp_len);
        pairs[n++] = (doc_pair){(uint64_t)key->doc, info.doc};
    }
    qsort(pairs, n, sizeof *pairs, m->cfg.threads > 1 ? cmp_engine : cmp_pair);
    for (size_t i = 1; i < n && m->cfg.threads > 1; i++) /* in batch order: distinct */
        ck_assert_msg(pairs[i].engine > pairs[i - 1].engine,
                      "oracle documents %llu and %llu are both engine document %llu",
                      (unsigned long long)pairs[i - 1].oracle, (unsigned long long)pairs[i].oracle,
                      (unsigned long long)pairs[i].engine);
    for (size_t i = 1; i < n && m->cfg.threads <= 1; i++)
        ck_assert_msg(pairs[i].engine > pairs[i - 1].engine,
                      "oracle documents %llu and %llu are engine documents %llu and %llu",
                      (unsigned long long)pairs[i - 1].oracle, (unsigned long long)pairs[i].oracle,
                      (unsigned long long)pairs[i - 1].engine, (unsigned long long)pairs[i].engine);
    free(pairs);
}

void ls_lc_check_ids(lc_model *m)
{
    check_get(m);
    check_ids_prefix(m, "", 0);
    for (int i = 0; i < 3; i++) {
        char pre[LC_ID_MAX];
        size_t pl = ls_lc_random_prefix(&m->r, pre);
        check_ids_prefix(m, pre, pl);
    }
    check_ids_prefix(m, "b", 1);
    check_ids_prefix(m, "zz", 2);
}

void ls_lc_check_structure(const lc_model *m)
{
    ls_error err;
    int rc = ls_reader_check(m->c.reader, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_check: %d %s", rc, err.message);
}

/* ---- queries --------------------------------------------------------------------------- */

/* The oracle suite's mix, and prefixes. */
void ls_gen_lifecycle(const corpus *c, ls_rng *r, qcase *q)
{
    if (ls_rng_below(r, 5) == 0)
        ls_gen_prefix(c, r, q);
    else
        ls_gen_any(c, r, q);
}

/* Queries feedback takes as the feedback suite does: no prefixes (their weight in the
 * expansion is the prefix node's, which the oracle tree of expansions does not model). */
static void gen_feedback(const corpus *c, ls_rng *r, qcase *q)
{
    static const gen_fn kinds[] = {ls_gen_term,  ls_gen_or,     ls_gen_or,    ls_gen_and,
                                   ls_gen_plain, ls_gen_phrase, ls_gen_field, ls_gen_not};
    kinds[ls_rng_below(r, sizeof kinds / sizeof kinds[0])](c, r, q);
}

static const double k1b[][2] = {
    {LS_DEFAULT_K1, LS_DEFAULT_B}, {1.8, 0.85}, {0.9, 0.4}, {2.0, 1.0}, {0.0, 0.75}, {1.2, 0.0}};
#define N_K1B (sizeof k1b / sizeof k1b[0])

/* n queries with RM3 feedback on (random settings) against the RM3 oracle; cases that hang
 * on a floating-point near tie are skipped, as in the feedback suite. */
static void run_feedback(lc_model *m, uint64_t stream, int n, const char *what)
{
    static const unsigned docs[] = {1, 2, 5, 10, 20};
    static const unsigned terms[] = {1, 3, 10, 20};
    ls_rng r;
    tally t = {0};
    int skipped = 0, expanded = 0;
    ls_rng_init(&r, stream);
    m->c.score_rel = FEEDBACK_REL;
    for (int i = 0; i < (ls_test_long() ? 4 * n : n); i++) {
        qcase q;
        gen_feedback(&m->c, &r, &q);
        ls_qcase_finish(&q);
        rm3_params p = {docs[ls_rng_below(&r, 5)], terms[ls_rng_below(&r, 4)],
                        ls_rng_below(&r, 3) ? 0.5 : ls_rng_unit(&r), (int)ls_rng_below(&r, 2),
                        LS_DEFAULT_TITLE_WEIGHT};
        const double *kb = k1b[ls_rng_below(&r, 3)];
        rm3_expansion x;
        oracle_result want;
        ls_rm3_search(m->c.rm3, q.tree, kb[0], kb[1], &p, &x, &want);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.syntax = q.syntax;
        so.default_and = q.default_and;
        so.k1 = kb[0];
        so.b = kb[1];
        so.snippets = 0;
        so.limit = ls_rng_below(&r, 4) ? 20 : 60;
        so.offset = ls_rng_below(&r, 5) == 0 ? 1 + ls_rng_below(&r, 10) : 0;
        so.feedback_docs = p.docs;
        so.feedback_terms = p.terms;
        so.feedback_weight = p.weight;
        so.feedback_widen = p.widen;
        if (x.ambiguous) {
            skipped++;
        } else {
            expanded += x.expanded;
            ls_tally_add(&t, ls_corpus_compare_query(&m->c, &q, &want, &so), want.n);
        }
        rm3_expansion_free(&x);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    m->c.score_rel = BM25_REL;
    m->fb_compared += t.queries;
    m->fb_expanded += expanded;
    m->fb_skipped += skipped;
    /* how many expanded or had hits is the caller's to judge, over all its commits */
    ck_assert_msg(t.failures == 0,
                  "%s: %d of %d feedback cases differ from the RM3 oracle "
                  "(seed %lu); first: %s",
                  what, t.failures, t.queries, ls_test_seed(), t.first ? t.first : "");
    free(t.first);
}

/* Everything about one commit: statistics, ids, BM25 queries (with paging, other k1/b),
 * feedback queries. */
void ls_lc_check_commit(lc_model *m, uint64_t stream, int n_queries)
{
    char what[96];
    ls_lc_check_stats(m);
    ls_lc_check_ids(m);
    const double *kb = k1b[stream % N_K1B];
    snprintf(what, sizeof what, "%s, generation %llu", m->cfg.name, (unsigned long long)m->gen);
    ls_corpus_run_queries(&m->c, stream, n_queries, ls_gen_lifecycle, kb[0], kb[1], what);
    ls_corpus_run_paging(&m->c, stream + 1, 4, ls_gen_or, kb[0], kb[1], what);
    run_feedback(m, stream + 2, n_queries / 4, what);
}

/* ---- saved answers: the same queries on other readers ---------------------------------- */

/* n random queries, most with feedback off, a quarter with the default feedback (on). */
saved_query *ls_saved_queries(lc_model *m, uint64_t stream, size_t n)
{
    saved_query *qs = calloc(n, sizeof *qs);
    ls_rng r;
    ck_assert_ptr_nonnull(qs);
    ls_rng_init(&r, stream);
    for (size_t i = 0; i < n; i++) {
        qcase q;
        ls_gen_lifecycle(&m->c, &r, &q);
        memcpy(qs[i].text, q.text, q.len + 1);
        qs[i].len = q.len;
        oracle_q_free(q.tree);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.syntax = q.syntax;
        so.default_and = q.default_and;
        so.snippets = 0;
        so.limit = m->live + 100;
        const double *kb = k1b[ls_rng_below(&r, N_K1B)];
        so.k1 = kb[0];
        so.b = kb[1];
        if (ls_rng_below(&r, 4) != 0)
            so.feedback_docs = 0;
        else
            so.feedback_widen = (int)ls_rng_below(&r, 2);
        qs[i].so = so;
    }
    return qs;
}

static void ask(const ls_reader *r, const saved_query *q, answer *out)
{
    ls_hits *h = NULL;
    ls_error err;
    int rc = ls_search(r, q->text, q->len, &q->so, &h, &err);
    ck_assert_msg(rc == LS_OK, "ls_search('%s'): %d %s", q->text, rc, err.message);
    out->total = ls_hits_total(h);
    out->n = ls_hits_count(h);
    out->id = malloc((out->n + 1) * sizeof *out->id);
    out->id_len = malloc((out->n + 1) * sizeof *out->id_len);
    out->score = malloc((out->n + 1) * sizeof *out->score);
    ck_assert(out->id && out->id_len && out->score);
    for (size_t i = 0; i < out->n; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        ck_assert(hit->id_len <= LC_ID_MAX);
        memcpy(out->id[i], hit->id, hit->id_len);
        out->id_len[i] = hit->id_len;
        out->score[i] = hit->score;
    }
    ls_hits_free(h);
}

static void answer_free(answer *a)
{
    free(a->id);
    free(a->id_len);
    free(a->score);
}

answer *ls_answers_ask(const ls_reader *r, const saved_query *qs, size_t n)
{
    answer *a = calloc(n, sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < n; i++)
        ask(r, &qs[i], &a[i]);
    return a;
}

void ls_answers_free(answer *a, size_t n)
{
    for (size_t i = 0; a != NULL && i < n; i++)
        answer_free(&a[i]);
    free(a);
}

static int close_to(double x, double y, double rel)
{
    return x == y || fabs(x - y) <= rel * fmax(fabs(x), fabs(y));
}

/* NULL when b is a's answer again: the same total and number of hits, every id's score within
 * rel of its score in a, and the same id at every rank unless the two scores there are within
 * rel (a near tie, which another summation order may flip). rel 0: identical bits. Counts the
 * hits whose scores are bit-identical in *same_bits. */
static char *same_answer(const saved_query *q, const answer *a, const answer *b, double rel,
                         size_t *same_bits)
{
    if (a->total != b->total || a->n != b->n)
        return ls_corpus_msgf("'%s': %llu matches (%zu hits), then %llu (%zu)", q->text,
                              (unsigned long long)a->total, a->n, (unsigned long long)b->total,
                              b->n);
    for (size_t i = 0; i < a->n; i++) {
        int same_id = ls_bytes_cmp(a->id[i], a->id_len[i], b->id[i], b->id_len[i]) == 0;
        if (!same_id && !close_to(a->score[i], b->score[i], rel))
            return ls_corpus_msgf("'%s' rank %zu: '%.*s' (%.17g), then '%.*s' (%.17g)", q->text, i,
                                  (int)a->id_len[i], a->id[i], a->score[i], (int)b->id_len[i],
                                  b->id[i], b->score[i]);
    }
    for (size_t i = 0; i < a->n; i++) {
        size_t j = 0;
        for (; j < b->n; j++) {
            if (ls_bytes_cmp(a->id[i], a->id_len[i], b->id[j], b->id_len[j]) != 0)
                continue;
            if (!close_to(a->score[i], b->score[j], rel))
                return ls_corpus_msgf("'%s': '%.*s' scored %.17g, then %.17g", q->text,
                                      (int)a->id_len[i], a->id[i], a->score[i], b->score[j]);
            *same_bits += a->score[i] == b->score[j];
            break;
        }
        if (j == b->n)
            return ls_corpus_msgf("'%s': '%.*s' is gone", q->text, (int)a->id_len[i], a->id[i]);
    }
    return NULL;
}

/* Asks every query on r and compares with `was`; fails the test on the first difference. */
void ls_answers_expect(const ls_reader *r, const saved_query *qs, const answer *was, size_t n,
                       double rel, const char *what)
{
    size_t hits = 0, same_bits = 0;
    for (size_t i = 0; i < n; i++) {
        answer now;
        ask(r, &qs[i], &now);
        char *why = same_answer(&qs[i], &was[i], &now, rel, &same_bits);
        hits += now.n;
        answer_free(&now);
        ck_assert_msg(why == NULL, "%s (seed %lu): %s", what, ls_test_seed(), why);
    }
    if (getenv("LS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "%s: %zu queries, %zu of %zu hits with bit-identical scores\n", what, n,
                same_bits, hits);
}

/* The merge policy's level of a segment of `docs` live documents: floor(log_factor(docs)). */
unsigned ls_merge_level(uint64_t docs, unsigned factor)
{
    unsigned l = 0;
    while (docs >= factor) {
        docs /= factor;
        l++;
    }
    return l;
}

/* Distinct segments, deletion files and manifests in dir, by file name. */

dir_census ls_dir_census(const char *dir)
{
    dir_census c = {0, 0, 0};
    uint32_t seen[512];
    size_t n_seen = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        uint32_t id;
        switch (ls_file_classify(e->d_name, &id, NULL, NULL)) {
        case LS_FILE_SEGMENT: {
            size_t i = 0;
            while (i < n_seen && seen[i] != id)
                i++;
            if (i == n_seen && n_seen < sizeof seen / sizeof seen[0])
                seen[n_seen++] = id;
            break;
        }
        case LS_FILE_DELETES:
            c.deletions++;
            break;
        case LS_FILE_MANIFEST:
            c.manifests++;
            break;
        default:
            break;
        }
    }
    closedir(d);
    c.segments = n_seen;
    return c;
}
