/* SPDX-License-Identifier: MIT */
/*
 * test_lifecycle_stress.c - one writer thread (adds, updates, deletions by id and prefix,
 * commits, now and then an optimize) and reader threads that reopen as they go, for a bounded
 * time. Before each commit the writer publishes what any reader of it must see (hit counts of
 * fixed queries, the live ids, a sample of versions); a reader checks every answer against the
 * entry of the generation its snapshot has, so an answer mixing two commits fails. Part of the
 * lifecycle suite (ls_lifecycle_stress_tcase).
 */
#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libsearch.h"
#include "lifecycle_model.h"
#include "testutil.h"

/* Documents hold a subset of four words, named by a mask in their title ("k12 v3 m5"); the
 * fixed queries' hit counts follow from the masks of the live documents. */
#define ST_KEYS 300
#define ST_SAMPLE 8
#define ST_READERS 4
static const char *const st_words[4] = {"alpha", "beta", "gamma", "delta"};
static const char *const st_queries[] = {"alpha",       "beta",   "alpha AND gamma",
                                         "delta -beta", "-zzqxv", "title:k1*"};
#define ST_NQ (sizeof st_queries / sizeof st_queries[0])

static int st_matches(size_t q, unsigned key, unsigned mask)
{
    switch (q) {
    case 0:
        return mask & 1;
    case 1:
        return (mask >> 1) & 1;
    case 2:
        return (mask & 1) && (mask & 4);
    case 3:
        return (mask & 8) && !(mask & 2);
    case 4:
        return 1;
    default: /* "k1", "k10".."k19", "k100".. */
        for (; key >= 10; key /= 10)
            ;
        return key == 1;
    }
}

/* What every reader of a commit must see; it holds from generation first_gen until the next
 * entry's. The writer appends an entry before it commits, so no reader can see a generation
 * without its entry; merges after a commit make more generations of the same documents. */
typedef struct st_entry {
    uint64_t first_gen;
    uint64_t hits[ST_NQ];
    uint64_t live, ids_hash;
    uint32_t sample[ST_SAMPLE];    /* keys */
    int64_t sample_ver[ST_SAMPLE]; /* their live version, -1 when deleted */
} st_entry;

typedef struct st_shared {
    const char *dir;
    pthread_mutex_t mu;
    st_entry *entries; /* append-only, under mu */
    size_t n_entries, cap_entries;
    atomic_int stop, failures;
    atomic_ulong checks, commits, generations_seen;
    char failure[512]; /* the first, under mu */
    double seconds;
} st_shared;

static void st_fail(st_shared *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void st_fail(st_shared *s, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&s->mu);
    if (atomic_fetch_add(&s->failures, 1) == 0) {
        va_start(ap, fmt);
        vsnprintf(s->failure, sizeof s->failure, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&s->mu);
}

static uint64_t st_hash(const char *id, size_t len, const void *stamp, size_t stamp_len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (size_t i = 0; i < stamp_len; i++)
        h = (h ^ ((const unsigned char *)stamp)[i]) * 1099511628211ULL;
    return h;
}

static size_t st_id(unsigned key, char *buf)
{
    return (size_t)snprintf(buf, LC_ID_MAX, "g%u/%u", key % 5, key);
}

/* The writer's model. */
typedef struct st_model {
    int64_t ver[ST_KEYS]; /* live version, -1 */
    unsigned mask[ST_KEYS];
    uint32_t next_ver;
} st_model;

static int st_add(ls_writer *w, st_model *md, ls_rng *r, unsigned key, ls_error *err)
{
    char id[LC_ID_MAX], title[64], body[256];
    size_t bl = 0;
    unsigned mask = ls_rng_below(r, 16);
    uint32_t ver = ++md->next_ver;
    snprintf(title, sizeof title, "k%u v%u m%u", key, ver, mask);
    for (int b = 0; b < 4; b++)
        for (uint32_t n = (mask >> b & 1) ? 1 + ls_rng_below(r, 3) : 0; n > 0; n--)
            bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s ", st_words[b]);
    for (uint32_t n = ls_rng_below(r, 6); n > 0; n--)
        bl += (size_t)snprintf(body + bl, sizeof body - bl, "lorem ");
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = st_id(key, id);
    doc.title = title;
    doc.title_len = strlen(title);
    doc.body = body;
    doc.body_len = bl;
    doc.stamp = &ver;
    doc.stamp_len = sizeof ver;
    int rc = ls_writer_add(w, &doc, err);
    if (rc == LS_OK) {
        md->ver[key] = ver;
        md->mask[key] = mask;
    }
    return rc;
}

/* Appends the entry of the model as it will be committed, from generation first_gen. */
static void st_publish(st_shared *s, const st_model *md, ls_rng *r, uint64_t first_gen)
{
    st_entry e;
    memset(&e, 0, sizeof e);
    e.first_gen = first_gen;
    for (unsigned k = 0; k < ST_KEYS; k++) {
        if (md->ver[k] < 0)
            continue;
        char id[LC_ID_MAX];
        uint32_t v = (uint32_t)md->ver[k];
        size_t len = st_id(k, id);
        e.live++;
        e.ids_hash += st_hash(id, len, &v, sizeof v);
        for (size_t q = 0; q < ST_NQ; q++)
            e.hits[q] += (uint64_t)st_matches(q, k, md->mask[k]);
    }
    for (int i = 0; i < ST_SAMPLE; i++) {
        e.sample[i] = ls_rng_below(r, ST_KEYS);
        e.sample_ver[i] = md->ver[e.sample[i]];
    }
    pthread_mutex_lock(&s->mu);
    if (s->n_entries == s->cap_entries) {
        s->cap_entries = s->cap_entries ? 2 * s->cap_entries : 64;
        s->entries = realloc(s->entries, s->cap_entries * sizeof *s->entries);
    }
    if (s->entries != NULL)
        s->entries[s->n_entries++] = e;
    pthread_mutex_unlock(&s->mu);
}

/* The entry for generation gen; 0 when there is none. */
static int st_lookup(st_shared *s, uint64_t gen, st_entry *out)
{
    int found = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = s->n_entries; i-- > 0 && !found;) {
        if (s->entries[i].first_gen <= gen) {
            *out = s->entries[i];
            found = 1;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

static uint64_t st_generation(const char *dir, ls_error *err)
{
    ls_reader *r = NULL;
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    if (ls_reader_open(dir, &r, err) != LS_OK || ls_reader_stats(r, &st, err) != LS_OK)
        st.generation = 0;
    ls_reader_close(r);
    return st.generation;
}

/* One random change, mirrored in the model: an add or update, a deletion by id, rarely a
 * deletion by prefix. @return LS_OK, an ls_writer_* code, or LS_ECORRUPT when the writer's
 * answer contradicts the model (err says how). */
static int st_change(ls_writer *w, st_model *md, ls_rng *r, ls_error *err)
{
    unsigned k = ls_rng_below(r, ST_KEYS);
    uint32_t dice = ls_rng_below(r, 100);
    char id[LC_ID_MAX], pre[8];
    if (dice < 70)
        return st_add(w, md, r, k, err);
    if (dice < 98) {
        int rc = ls_writer_delete(w, id, st_id(k, id), err);
        int was_live = md->ver[k] >= 0;
        md->ver[k] = -1;
        if (rc == (was_live ? LS_OK : LS_ENOTFOUND))
            return LS_OK;
        snprintf(err->message, sizeof err->message, "ls_writer_delete(%s): %d, the key was %s", id,
                 rc, was_live ? "live" : "deleted");
        return rc != LS_OK ? rc : LS_ECORRUPT;
    }
    uint64_t count = 0, want = 0;
    snprintf(pre, sizeof pre, "g%u/1", k % 5);
    int rc = ls_writer_delete_prefix(w, pre, strlen(pre), &count, err);
    for (unsigned j = k % 5; j < ST_KEYS; j += 5) {
        if (ls_has_prefix(id, st_id(j, id), pre, strlen(pre)) && md->ver[j] >= 0) {
            md->ver[j] = -1;
            want++;
        }
    }
    if (rc == LS_OK && count != want) {
        snprintf(err->message, sizeof err->message,
                 "ls_writer_delete_prefix(%s) deleted %llu, %llu live", pre,
                 (unsigned long long)count, (unsigned long long)want);
        rc = LS_ECORRUPT;
    }
    return rc;
}

static void *st_writer(void *arg)
{
    st_shared *s = arg;
    st_model *md = calloc(1, sizeof *md);
    ls_rng r;
    ls_error err;
    ls_writer *w = NULL;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 136 << 10;
    wo.merge_factor = 3;
    ls_rng_init(&r, 0x57E55);
    int rc = md == NULL ? LS_ENOMEM : ls_writer_open(s->dir, &wo, &w, &err);
    for (unsigned k = 0; md != NULL && k < ST_KEYS; k++)
        md->ver[k] = -1;
    uint64_t gen = 0;
    while (rc == LS_OK && (!atomic_load(&s->stop) || gen == 0)) {
        for (uint32_t n = gen == 0 ? 150 : 1 + ls_rng_below(&r, 30); rc == LS_OK && n > 0; n--)
            rc = st_change(w, md, &r, &err);
        if (rc != LS_OK)
            break;
        st_publish(s, md, &r, gen + 1);
        if (ls_rng_below(&r, 12) == 0)
            rc = ls_writer_optimize(w, 1 + ls_rng_below(&r, 3), &err);
        else
            rc = ls_writer_commit(w, &err);
        uint64_t now = rc == LS_OK ? st_generation(s->dir, &err) : 0;
        if (rc == LS_OK && now < (gen ? gen : 1)) { /* an empty batch makes no generation */
            snprintf(err.message, sizeof err.message, "generation %llu after %llu",
                     (unsigned long long)now, (unsigned long long)gen);
            rc = LS_ECORRUPT;
        }
        gen = now;
        atomic_fetch_add(&s->commits, 1);
    }
    if (rc != LS_OK) {
        st_fail(s, "writer: %d %s", rc, md ? err.message : "out of memory");
        atomic_store(&s->stop, 1);
    }
    ls_writer_close(w);
    free(md);
    return NULL;
}

static int st_collect(const char *id, size_t len, const void *stamp, size_t stamp_len,
                      void *payload)
{
    uint64_t *acc = payload; /* count, hash */
    acc[0]++;
    acc[1] += st_hash(id, len, stamp, stamp_len);
    return 0;
}

/* The fixed queries' hit counts are the entry's, and each hit holds what its query asks. */
static void st_check_queries(st_shared *s, const ls_reader *r, const st_entry *e, uint64_t gen,
                             const char *who)
{
    ls_error err;
    for (size_t q = 0; q < ST_NQ; q++) {
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = q == 0 ? LS_FEEDBACK_DOCS_ON : 0;
        so.limit = 8;
        so.snippets = q == 1;
        ls_hits *h = NULL;
        if (ls_search(r, st_queries[q], strlen(st_queries[q]), &so, &h, &err) != LS_OK) {
            st_fail(s, "%s: '%s': %s", who, st_queries[q], err.message);
            return;
        }
        if (ls_hits_total(h) != e->hits[q])
            st_fail(s, "%s: generation %llu, '%s': %llu hits, %llu expected", who,
                    (unsigned long long)gen, st_queries[q], (unsigned long long)ls_hits_total(h),
                    (unsigned long long)e->hits[q]);
        for (size_t i = 0; i < ls_hits_count(h); i++) {
            const ls_hit *hit = ls_hits_get(h, i);
            unsigned key, ver, mask;
            char id[LC_ID_MAX];
            if (sscanf(hit->title, "k%u v%u m%u", &key, &ver, &mask) != 3 || key >= ST_KEYS ||
                st_id(key, id) != hit->id_len || memcmp(id, hit->id, hit->id_len) != 0 ||
                !st_matches(q, key, mask))
                st_fail(s, "%s: '%s' found '%s' titled '%s'", who, st_queries[q], hit->id,
                        hit->title);
        }
        ls_hits_free(h);
    }
}

/* Checks every answer of reader r against the entry of its generation. */
static void st_check(st_shared *s, const ls_reader *r, const char *who)
{
    ls_error err;
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    st_entry e;
    if (ls_reader_stats(r, &st, &err) != LS_OK) {
        st_fail(s, "%s: ls_reader_stats: %s", who, err.message);
        return;
    }
    if (!st_lookup(s, st.generation, &e)) {
        st_fail(s, "%s: generation %llu has no entry", who, (unsigned long long)st.generation);
        return;
    }
    if (st.documents != e.live)
        st_fail(s, "%s: generation %llu: %llu documents, %llu expected", who,
                (unsigned long long)st.generation, (unsigned long long)st.documents,
                (unsigned long long)e.live);
    st_check_queries(s, r, &e, st.generation, who);
    uint64_t acc[2] = {0, 0};
    if (ls_reader_ids(r, "", 0, st_collect, acc, &err) != LS_OK)
        st_fail(s, "%s: ls_reader_ids: %s", who, err.message);
    else if (acc[0] != e.live || acc[1] != e.ids_hash)
        st_fail(s, "%s: generation %llu: ls_reader_ids gives %llu ids (%llu expected)%s", who,
                (unsigned long long)st.generation, (unsigned long long)acc[0],
                (unsigned long long)e.live, acc[0] == e.live ? " of other versions" : "");
    for (int i = 0; i < ST_SAMPLE; i++) {
        char id[LC_ID_MAX];
        ls_doc_info info = {.version = LS_DOC_INFO_VERSION};
        int rc = ls_reader_get(r, id, st_id(e.sample[i], id), &info, &err);
        uint32_t v = 0;
        if (rc == LS_OK && info.stamp_len == sizeof v)
            memcpy(&v, info.stamp, sizeof v);
        if (e.sample_ver[i] < 0 ? rc != LS_ENOTFOUND : rc != LS_OK || v != e.sample_ver[i])
            st_fail(s, "%s: generation %llu: ls_reader_get(%s): %d, version %u (expected %lld)",
                    who, (unsigned long long)st.generation, id, rc, v, (long long)e.sample_ver[i]);
    }
    atomic_fetch_add(&s->checks, 1);
}

typedef struct st_reader_arg {
    st_shared *s;
    const ls_reader *shared; /* one reader all threads search */
    uint64_t stream;
} st_reader_arg;

static void *st_reader(void *arg)
{
    st_reader_arg *a = arg;
    st_shared *s = a->s;
    ls_rng r;
    ls_error err;
    ls_reader *mine = NULL;
    uint64_t last_gen = 0;
    ls_rng_init(&r, a->stream);
    while (!atomic_load(&s->stop) && atomic_load(&s->failures) == 0) {
        uint32_t dice = ls_rng_below(&r, 10);
        ls_reader *nr = NULL;
        int rc = mine == NULL || dice == 0 ? ls_reader_open(s->dir, &nr, &err)
                                           : ls_reader_reopen(mine, &nr, &err);
        if (rc != LS_OK) {
            st_fail(s, "reader: %s: %d %s", mine ? "reopen" : "open", rc, err.message);
            break;
        }
        if (nr != NULL) {
            ls_reader_close(mine); /* from this thread; others may still use theirs */
            mine = nr;
        }
        ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
        if (ls_reader_stats(mine, &st, &err) == LS_OK && st.generation != last_gen) {
            last_gen = st.generation;
            atomic_fetch_add(&s->generations_seen, 1);
        }
        st_check(s, mine, "reader");
        if (dice == 1)
            st_check(s, a->shared, "shared reader");
        if (dice == 2 && ls_rng_below(&r, 8) == 0 && ls_reader_check(mine, &err) != LS_OK)
            st_fail(s, "reader: ls_reader_check: %s", err.message);
    }
    ls_reader_close(mine);
    return NULL;
}

/*
 * Regression: readers opening while the writer merges once got LS_ECORRUPT "cannot open
 * '.../seg-N_G.del' (the commit needs it)": a file of the commit they loaded had been removed
 * because newer commits superseded it, and the survey meant to tell that from damage found no
 * intact manifest when the writer had pruned every one it listed. reader/snapshot.c now opens
 * again whenever a manifest newer than the loaded one exists by name.
 */
START_TEST(lifecycle_concurrent_readers)
{
    st_shared s;
    memset(&s, 0, sizeof s);
    char *dir = ls_test_tmpdir();
    s.dir = dir;
    pthread_mutex_init(&s.mu, NULL);
    pthread_t wt, rt[ST_READERS];
    ck_assert_int_eq(pthread_create(&wt, NULL, st_writer, &s), 0);
    ls_reader *shared = NULL;
    ls_error err;
    /* the shared reader: the first commit */
    for (int tries = 0; shared == NULL && tries < 20000 && !atomic_load(&s.failures); tries++)
        if (atomic_load(&s.commits) == 0 || ls_reader_open(dir, &shared, &err) != LS_OK)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    ck_assert_msg(shared != NULL, "no first commit: %s", s.failure);
    st_reader_arg args[ST_READERS];
    for (int i = 0; i < ST_READERS; i++) {
        args[i] = (st_reader_arg){&s, shared, 0x57E00 + (uint64_t)i};
        ck_assert_int_eq(pthread_create(&rt[i], NULL, st_reader, &args[i]), 0);
    }
    /* Under valgrind everything runs some 50 times slower: give it the time to do as much. */
    const char *vg = getenv("LS_TEST_VALGRIND");
    double seconds = ls_test_long() ? 20.0 : vg != NULL && *vg ? 40.0 : 2.0;
    nanosleep(&(struct timespec){(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)}, NULL);
    atomic_store(&s.stop, 1);
    pthread_join(wt, NULL);
    for (int i = 0; i < ST_READERS; i++)
        pthread_join(rt[i], NULL);
    st_check(&s, shared, "shared reader, at the end");
    ls_reader_close(shared);
    if (getenv("LS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "concurrent readers: %lu commits, %lu checks, %lu generations seen\n",
                atomic_load(&s.commits), atomic_load(&s.checks), atomic_load(&s.generations_seen));
    ck_assert_msg(atomic_load(&s.failures) == 0, "%d failures (seed %lu); first: %s",
                  atomic_load(&s.failures), ls_test_seed(), s.failure);
    ck_assert_msg(atomic_load(&s.commits) >= 5 && atomic_load(&s.checks) >= 20 &&
                      atomic_load(&s.generations_seen) >= 2 * ST_READERS,
                  "too little happened: %lu commits, %lu checks, %lu generations seen",
                  atomic_load(&s.commits), atomic_load(&s.checks),
                  atomic_load(&s.generations_seen));
    free(s.entries);
    pthread_mutex_destroy(&s.mu);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

TCase *ls_lifecycle_stress_tcase(void)
{
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, ls_test_long() ? 300 : 60);
    tcase_add_test(tc, lifecycle_concurrent_readers);
    return tc;
}
