/* SPDX-License-Identifier: MIT */
/*
 * pool.c - index threads: batches of copied documents handed in turn to N lanes, each
 * building segments of its own from its batches, in order (index/pool.h). N workers invert
 * them: a worker takes the next batch of its own lane, or of any lane no other worker holds,
 * so a worker writing a lane's full segment apart does not hold the lane up (the next worker
 * carries on with a fresh segment). One segment is written apart at a time; another that
 * fills meanwhile, and a sync's, is written by the worker holding its lane. Which documents
 * share a segment depends only on the calls, never on timing. One mutex guards the queues,
 * the free batches, the lanes' flags and the list of written segments; the rest of the pool
 * belongs to the caller's thread (ids, deleted sequence numbers, adopted segments) or to the
 * worker holding a lane (its segment).
 */
#include "index/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "index/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

#define QUEUE_MAX 2        /* batches waiting per lane */
#define BATCH_DOCS 4096    /* documents per batch, at most */
#define BATCH_MIN 512u
#define BATCH_MAX (4u << 20)
#define DEAD UINT64_MAX    /* an id's sequence number once deleted */

typedef struct pool_doc {
    uint64_t seq;
    size_t off[5], len[5]; /* id, title, body, path, stamp: in the batch's bytes */
} pool_doc;

typedef struct pool_batch {
    ls_buf bytes;
    pool_doc *docs;
    size_t n, cap;
    int flush; /* after its documents, the thread writes its segment (a sync) */
    struct pool_batch *next;
} pool_batch;

/** A segment a thread wrote: its documents' sequence numbers, ascending. */
typedef struct pool_seg {
    ls_wseg s;
    uint64_t *seq;
    uint32_t n;
} pool_seg;

/** Every n-th batch, and the segment they build. */
typedef struct pool_lane {
    ls_ramseg ram;           /* the worker holding the lane's */
    pool_batch *head, *tail; /* under the lock */
    unsigned queued;         /* under the lock: waiting or being inverted */
    int busy;                /* under the lock: a worker holds the lane */
} pool_lane;

typedef struct pool_worker {
    struct ls_pool *pool;
    pthread_t thread;
    int started;
    unsigned me;  /* its own lane */
    ls_analyzer *an;
    ls_error err;
} pool_worker;

typedef struct ls_pool {
    ls_writer *w;
    unsigned n;              /* lanes, and workers */
    pool_lane *lanes;
    pool_worker *workers;
    pthread_mutex_t lock;
    pthread_cond_t work, idle;
    int stop, discard;       /* under the lock */
    int apart;               /* under the lock: a full segment is being written apart */
    int fail_rc;             /* under the lock: the first failure of a worker, or LS_OK */
    ls_error fail_err;
    atomic_int failed;
    size_t budget_each, batch_bytes;
    pool_batch *free_batches; /* under the lock */
    pool_seg *written;        /* under the lock: not adopted yet */
    size_t n_written, written_cap;
    atomic_size_t any_written; /* n_written, for the caller to peek at without the lock */
    /* the caller's thread: */
    pool_batch *cur;
    uint64_t batches;         /* handed out so far: the next goes to lane batches % n */
    ls_strtab ids;            /* ids added since the last sync */
    uint64_t *id_seq;         /* by id entry: its live version's sequence number, or DEAD */
    size_t id_seq_cap;
    uint64_t seq_base, seq_next;
    uint8_t *dead;            /* bit seq - seq_base: deleted before its segment was adopted */
    size_t dead_bytes;
    pool_seg *adopted;        /* since the last sync: where a sequence number now lives */
    size_t n_adopted, adopted_cap;
} ls_pool;

/* ---- a worker ---- */

/* Records a worker's failure (the first one is the pool's; the lock held): the writer has
 * failed. Recorded before the worker lets its lane go, so a sync that finds every queue empty
 * also finds the failure, and no other worker carries on with the lane's broken segment. */
static void worker_fail_locked(ls_pool *p, int rc, const ls_error *err)
{
    if (p->fail_rc == LS_OK) {
        p->fail_rc = rc;
        p->fail_err = *err;
    }
    atomic_store(&p->failed, 1);
}

/* Writes segment ram into the written list. */
static int write_segment(ls_pool *p, ls_ramseg *ram, ls_error *err)
{
    pool_seg ps = {.seq = ram->seq, .n = ram->inv.ndocs};
    ram->seq = NULL; /* taken over */
    ram->seq_cap = 0;
    int rc = ls_ramseg_write(p->w, ram, &ps.s, err);
    if (rc != LS_OK) {
        ls_free(ps.seq);
        ls_ramseg_drop(p->w, ram);
        return rc;
    }
    ps.s.first_seq = ps.seq[0];
    pthread_mutex_lock(&p->lock);
    if (ls_grow(&p->written, &p->written_cap, p->n_written + 1, sizeof *p->written) == LS_OK) {
        p->written[p->n_written++] = ps;
        atomic_store(&p->any_written, p->n_written);
        ps.seq = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (ps.seq == NULL)
        return LS_OK;
    ls_wseg_abandon(p->w->dir, &ps.s);
    ls_free(ps.seq);
    return ls_error_set(err, LS_ENOMEM, "out of memory");
}

/* The lane's segment is full. When no segment is being written apart, it moves to *apart, to
 * be written once the lane is let go (the lane starts afresh); else it is written here,
 * holding the lane. So at most n + 1 segments are in memory. */
static int segment_full(ls_pool *p, pool_lane *l, ls_ramseg *apart, int *has_apart,
                        ls_error *err)
{
    pthread_mutex_lock(&p->lock);
    int move = !p->apart;
    p->apart = 1;
    pthread_mutex_unlock(&p->lock);
    if (!move)
        return write_segment(p, &l->ram, err);
    *apart = l->ram;
    apart->sw.w = &apart->fdt; /* the stored-fields writer writes through its own file */
    *has_apart = 1;
    memset(&l->ram, 0, sizeof l->ram);
    l->ram.fdt.fd = -1;
    return LS_OK;
}

static int run_batch(ls_pool *p, pool_lane *l, pool_worker *wk, const pool_batch *b,
                     ls_ramseg *apart, int *has_apart)
{
    int rc = LS_OK;
    for (size_t i = 0; i < b->n && rc == LS_OK; i++) {
        const pool_doc *d = &b->docs[i];
        const char *f[4];
        size_t len[4];
        for (int k = 0; k < 4; k++) {
            f[k] = (const char *)b->bytes.data + d->off[k];
            len[k] = d->len[k];
        }
        if (!l->ram.open && (rc = ls_ramseg_start(p->w, &l->ram, &wk->err)) != LS_OK)
            break;
        uint32_t local = l->ram.inv.ndocs;
        if (ls_grow(&l->ram.seq, &l->ram.seq_cap, (size_t)local + 1, sizeof *l->ram.seq))
            rc = ls_error_set(&wk->err, LS_ENOMEM, "out of memory");
        if (rc == LS_OK)
            rc = ls_ramseg_add(&l->ram, wk->an, f, len, b->bytes.data + d->off[4], d->len[4],
                               &wk->err);
        if (rc == LS_OK)
            l->ram.seq[local] = d->seq;
        if (rc == LS_OK && ls_ramseg_full(&l->ram, p->budget_each))
            rc = segment_full(p, l, apart, has_apart, &wk->err);
    }
    if (rc == LS_OK && b->flush && l->ram.open)
        rc = write_segment(p, &l->ram, &wk->err);
    return rc;
}

static void recycle(ls_pool *p, pool_batch *b)
{
    b->n = 0;
    b->bytes.len = 0;
    b->flush = 0;
    if (b->bytes.cap > 4 * p->batch_bytes) /* one huge document: do not keep its room */
        ls_buf_free(&b->bytes);
    if (b->cap > 2 * BATCH_DOCS) {
        ls_free(b->docs);
        b->docs = NULL;
        b->cap = 0;
    }
    b->next = p->free_batches;
    p->free_batches = b;
}

/* A lane with a batch waiting that no worker holds (the lock held): worker `me`'s own lane
 * first, whose segment is in its core's caches, then the others from the next one on. */
static pool_lane *free_lane(ls_pool *p, unsigned me)
{
    for (unsigned k = 0; k < p->n; k++) {
        pool_lane *l = &p->lanes[(me + k) % p->n];
        if (l->head != NULL && !l->busy)
            return l;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    pool_worker *wk = arg;
    ls_pool *p = wk->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        pool_lane *l;
        while ((l = free_lane(p, wk->me)) == NULL && !p->stop)
            pthread_cond_wait(&p->work, &p->lock);
        if (l == NULL)
            break;
        pool_batch *b = l->head;
        l->head = b->next;
        if (l->head == NULL)
            l->tail = NULL;
        l->busy = 1;
        int skip = p->discard || p->fail_rc != LS_OK;
        pthread_mutex_unlock(&p->lock);
        ls_ramseg apart;
        int has_apart = 0;
        int rc = skip ? LS_OK : run_batch(p, l, wk, b, &apart, &has_apart);
        pthread_mutex_lock(&p->lock);
        if (rc != LS_OK)
            worker_fail_locked(p, rc, &wk->err);
        recycle(p, b);
        l->queued--;
        l->busy = 0;
        /* nothing to write apart once the writer has failed or is closing */
        int drop = has_apart && (p->fail_rc != LS_OK || p->discard);
        pthread_cond_broadcast(&p->work); /* the lane's next batch is free for any worker */
        pthread_cond_broadcast(&p->idle);
        pthread_mutex_unlock(&p->lock);
        if (has_apart) {
            rc = LS_OK;
            if (drop) {
                ls_ramseg_drop(p->w, &apart);
                ls_free(apart.seq);
            } else {
                rc = write_segment(p, &apart, &wk->err);
            }
            pthread_mutex_lock(&p->lock);
            if (rc != LS_OK)
                worker_fail_locked(p, rc, &wk->err);
            p->apart = 0;
            pthread_cond_broadcast(&p->idle);
            pthread_mutex_unlock(&p->lock);
        }
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the caller's side ---- */

static void free_batch(pool_batch *b)
{
    ls_buf_free(&b->bytes);
    ls_free(b->docs);
    ls_free(b);
}

/* The failure a worker met, as the caller's error; the writer has failed. */
static int thread_error(ls_pool *p, ls_error *err)
{
    pthread_mutex_lock(&p->lock);
    int rc = p->fail_rc;
    if (rc != LS_OK && err != NULL)
        *err = p->fail_err;
    pthread_mutex_unlock(&p->lock);
    return rc == LS_OK ? LS_OK : ls_error_append(err, rc, " (in an index thread)");
}

/* Gives batch b to lane i, waiting while its queue is full. */
static void hand_to(ls_pool *p, unsigned i, pool_batch *b)
{
    pool_lane *t = &p->lanes[i];
    b->next = NULL;
    pthread_mutex_lock(&p->lock);
    while (t->queued >= QUEUE_MAX && p->fail_rc == LS_OK)
        pthread_cond_wait(&p->idle, &p->lock);
    if (t->tail != NULL)
        t->tail->next = b;
    else
        t->head = b;
    t->tail = b;
    t->queued++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
}

/* Gives the batch being filled to the next lane in turn. */
static void hand_out_current(ls_pool *p)
{
    hand_to(p, (unsigned)(p->batches++ % p->n), p->cur);
    p->cur = NULL;
}

static pool_batch *take_batch(ls_pool *p)
{
    pthread_mutex_lock(&p->lock);
    pool_batch *b = p->free_batches;
    if (b != NULL)
        p->free_batches = b->next;
    pthread_mutex_unlock(&p->lock);
    return b != NULL ? b : ls_calloc(1, sizeof *b);
}

static int is_dead(const ls_pool *p, uint64_t seq)
{
    uint64_t bit = seq - p->seq_base;
    return bit / 8 < p->dead_bytes && (p->dead[bit / 8] >> (bit % 8) & 1);
}

/* The segment of w->segs with this number (adopted, so present). */
static ls_wseg *wseg_of(ls_writer *w, uint32_t id)
{
    for (uint32_t i = w->nsegs; i-- > 0;)
        if (w->segs[i].info.id == id)
            return &w->segs[i];
    return NULL;
}

/* Marks the document of sequence number seq deleted: in its segment if adopted, else for its
 * adoption. */
static int mark_dead(ls_writer *w, uint64_t seq, ls_error *err)
{
    ls_pool *p = w->pool;
    for (size_t i = 0; i < p->n_adopted; i++) {
        const pool_seg *a = &p->adopted[i];
        if (seq < a->seq[0] || seq > a->seq[a->n - 1])
            continue;
        size_t lo = 0, hi = a->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (a->seq[mid] < seq)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < a->n && a->seq[lo] == seq) {
            ls_wseg *s = wseg_of(w, a->s.info.id);
            if (s == NULL || ls_wseg_delete(s, (uint32_t)lo) != LS_OK)
                return ls_error_set(err, s ? LS_ENOMEM : LS_ECORRUPT,
                                    s ? "out of memory" : "an index thread's segment is lost");
            return LS_OK;
        }
    }
    uint64_t bit = seq - p->seq_base;
    size_t need = (size_t)(bit / 8) + 1;
    if (need > p->dead_bytes) {
        size_t cap = p->dead_bytes;
        if (ls_grow(&p->dead, &cap, need, 1) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        memset(p->dead + p->dead_bytes, 0, cap - p->dead_bytes);
        p->dead_bytes = cap;
    }
    p->dead[bit / 8] |= (uint8_t)(1u << (bit % 8));
    return LS_OK;
}

/* Moves the segments the threads wrote into w->segs, their deleted documents marked. */
static int adopt_written(ls_writer *w, ls_error *err)
{
    ls_pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    pool_seg *v = p->written;
    size_t n = p->n_written;
    p->written = NULL;
    p->n_written = p->written_cap = 0;
    atomic_store(&p->any_written, 0);
    pthread_mutex_unlock(&p->lock);
    int rc = LS_OK;
    for (size_t i = 0; i < n; i++) {
        pool_seg *ps = &v[i];
        for (uint32_t d = 0; rc == LS_OK && d < ps->n; d++)
            if (is_dead(p, ps->seq[d]) && ls_wseg_delete(&ps->s, d) != LS_OK)
                rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        if (rc == LS_OK &&
            ls_grow(&p->adopted, &p->adopted_cap, p->n_adopted + 1, sizeof *p->adopted) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        if (rc == LS_OK && ls_writer_push_seg(w, &ps->s) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        if (rc != LS_OK) { /* the writer fails: what is left is removed */
            ls_wseg_abandon(w->dir, &ps->s);
            ls_free(ps->seq);
            continue;
        }
        p->adopted[p->n_adopted] = *ps;
        p->adopted[p->n_adopted++].s.seg = NULL; /* w->segs holds it; only id and seq used */
    }
    ls_free(v);
    return rc;
}

int ls_pool_check(ls_writer *w, ls_error *err)
{
    return atomic_load(&w->pool->failed) ? thread_error(w->pool, err) : LS_OK;
}

/* Bytes the pool keeps per document since the last sync, for the budget. The adopted
 * segments' sequence numbers and the deleted bits are charged for every document given, not
 * as they are made: when a segment is adopted depends on timing, and so would the add that
 * calls for a sync, and with it where every lane's segment is cut. */
static size_t tracking_memory(const ls_pool *p)
{
    size_t docs = (size_t)(p->seq_next - p->seq_base);
    return ls_strtab_memory(&p->ids) + p->id_seq_cap * sizeof *p->id_seq +
           docs * (sizeof(uint64_t) + 1);
}

int ls_pool_add(ls_writer *w, const char *const f[4], const size_t l[4], const void *stamp,
                size_t stamp_len, ls_error *err)
{
    ls_pool *p = w->pool;
    int found;
    int rc = ls_writer_delete_id(w, f[0], l[0], &found, err);
    if (rc != LS_OK)
        return rc;
    uint32_t e;
    if (ls_strtab_intern(&p->ids, f[0], l[0], &e, NULL) != LS_OK ||
        ls_grow(&p->id_seq, &p->id_seq_cap, (size_t)e + 1, sizeof *p->id_seq) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    if (p->cur == NULL && (p->cur = take_batch(p)) == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    pool_batch *b = p->cur;
    if (ls_grow(&b->docs, &b->cap, b->n + 1, sizeof *b->docs) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    pool_doc *d = &b->docs[b->n];
    const void *src[5] = {f[0], f[1], f[2], f[3], stamp};
    const size_t len[5] = {l[0], l[1], l[2], l[3], stamp_len};
    for (int k = 0; k < 5; k++) {
        d->off[k] = b->bytes.len;
        d->len[k] = len[k];
        if (len[k] > 0 && ls_buf_append(&b->bytes, src[k], len[k]) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    d->seq = p->seq_next++;
    b->n++;
    p->id_seq[e] = d->seq;
    w->doc_space++;
    if (b->bytes.len >= p->batch_bytes || b->n >= BATCH_DOCS)
        hand_out_current(p);
    if (atomic_load_explicit(&p->any_written, memory_order_relaxed) > 0)
        rc = adopt_written(w, err);
    if (rc == LS_OK && tracking_memory(p) >= w->ram_budget / 8)
        rc = ls_pool_sync(w, err);
    return rc;
}

int ls_pool_delete(ls_writer *w, const char *id, size_t len, int *found, int *known,
                   ls_error *err)
{
    ls_pool *p = w->pool;
    *found = *known = 0;
    int64_t e = ls_strtab_find(&p->ids, id, len);
    if (e < 0)
        return LS_OK;
    *known = 1;
    if (p->id_seq[e] == DEAD)
        return LS_OK;
    int rc = mark_dead(w, p->id_seq[e], err);
    p->id_seq[e] = DEAD;
    *found = rc == LS_OK;
    return rc;
}

int ls_pool_delete_prefix(ls_writer *w, const char *prefix, size_t len, uint64_t *count,
                          ls_error *err)
{
    ls_pool *p = w->pool;
    int rc = LS_OK;
    for (uint32_t e = 0; rc == LS_OK && e < p->ids.count; e++) {
        size_t kl;
        const uint8_t *k = ls_strtab_key(&p->ids, e, &kl);
        if (p->id_seq[e] == DEAD || kl < len || memcmp(k, prefix, len) != 0)
            continue;
        rc = mark_dead(w, p->id_seq[e], err);
        p->id_seq[e] = DEAD;
        (*count)++;
    }
    return rc;
}

static int by_first_seq(const void *a, const void *b)
{
    uint64_t x = ((const ls_wseg *)a)->first_seq, y = ((const ls_wseg *)b)->first_seq;
    return (x > y) - (x < y);
}

int ls_pool_sync(ls_writer *w, ls_error *err)
{
    ls_pool *p = w->pool;
    if (p->cur != NULL)
        hand_out_current(p);
    for (unsigned i = 0; i < p->n; i++) {
        pool_batch *b = take_batch(p);
        if (b == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        b->flush = 1;
        hand_to(p, i, b);
    }
    pthread_mutex_lock(&p->lock);
    for (unsigned i = 0; i < p->n; i++)
        while (p->lanes[i].queued > 0)
            pthread_cond_wait(&p->idle, &p->lock);
    while (p->apart) /* the segment written apart */
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
    int rc = ls_pool_check(w, err);
    if (rc == LS_OK)
        rc = adopt_written(w, err);
    if (rc != LS_OK)
        return rc;
    uint32_t first = w->nsegs;
    while (first > 0 && w->segs[first - 1].pending)
        first--;
    qsort(w->segs + first, w->nsegs - first, sizeof *w->segs, by_first_seq);
    /* Every document given so far is in w->segs now, with its deletions: ids are found
     * through the segments' id dictionaries from here on. */
    ls_strtab_free(&p->ids);
    p->seq_base = p->seq_next;
    if (p->dead_bytes > 0)
        memset(p->dead, 0, p->dead_bytes);
    for (size_t i = 0; i < p->n_adopted; i++)
        ls_free(p->adopted[i].seq);
    p->n_adopted = 0;
    return LS_OK;
}

/* ---- starting and stopping ---- */

static void stop_threads(ls_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    p->discard = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n; i++)
        if (p->workers[i].started)
            pthread_join(p->workers[i].thread, NULL);
}

void ls_pool_free(ls_writer *w)
{
    ls_pool *p = w->pool;
    if (p == NULL)
        return;
    stop_threads(p);
    for (unsigned i = 0; i < p->n; i++) {
        pool_lane *t = &p->lanes[i];
        ls_ramseg_drop(w, &t->ram);
        ls_free(t->ram.seq);
        ls_analyzer_free(p->workers[i].an);
        for (pool_batch *b = t->head, *next; b != NULL; b = next) {
            next = b->next;
            free_batch(b);
        }
    }
    for (size_t i = 0; i < p->n_written; i++) { /* written, never adopted: never committed */
        ls_wseg_abandon(w->dir, &p->written[i].s);
        ls_free(p->written[i].seq);
    }
    ls_free(p->written);
    for (pool_batch *b = p->free_batches, *next; b != NULL; b = next) {
        next = b->next;
        free_batch(b);
    }
    if (p->cur != NULL)
        free_batch(p->cur);
    for (size_t i = 0; i < p->n_adopted; i++)
        ls_free(p->adopted[i].seq);
    ls_free(p->adopted);
    ls_strtab_free(&p->ids);
    ls_free(p->id_seq);
    ls_free(p->dead);
    ls_free(p->lanes);
    ls_free(p->workers);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    ls_free(p);
    w->pool = NULL;
}

int ls_pool_new(ls_writer *w, unsigned n, ls_error *err)
{
    ls_pool *p = ls_calloc(1, sizeof *p);
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    p->w = w;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    w->pool = p;
    p->lanes = ls_calloc(n, sizeof *p->lanes);
    p->workers = ls_calloc(n, sizeof *p->workers);
    if (p->lanes == NULL || p->workers == NULL) {
        ls_pool_free(w);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    p->n = n;
    /* One budget: 7/8 of it shared by the lanes' segments and the one written apart,
     * batches in flight (at most QUEUE_MAX + 1 per lane) within the rest. */
    size_t batch = w->ram_budget / 8 / ((size_t)n * (QUEUE_MAX + 1));
    p->batch_bytes = batch < BATCH_MIN ? BATCH_MIN : batch > BATCH_MAX ? BATCH_MAX : batch;
    p->budget_each = w->ram_budget / 8 * 7 / ((size_t)n + 1);
    for (unsigned i = 0; i < n; i++)
        p->lanes[i].ram.fdt.fd = -1;
    int rc = LS_OK;
    for (unsigned i = 0; i < n && rc == LS_OK; i++) {
        pool_worker *t = &p->workers[i];
        t->pool = p;
        t->me = i;
        rc = ls_analyzer_new(w->m.language, &t->an, err);
        if (rc == LS_OK && pthread_create(&t->thread, NULL, worker_main, t) != 0)
            rc = ls_error_set(err, LS_ENOMEM, "cannot start index thread %u of %u", i + 1, n);
        t->started = rc == LS_OK;
    }
    if (rc != LS_OK)
        ls_pool_free(w);
    return rc;
}
