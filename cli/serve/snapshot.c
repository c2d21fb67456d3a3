/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - the one reader every request of `cisearch serve` shares. A snapshot wraps a
 * reader with a reference count: each request holds a reference while it searches, the holder
 * holds one for the newest snapshot. At most every reopen_ms, the request that acquires checks
 * for a new commit (ls_reader_reopen, outside the lock, one thread at a time); a new reader
 * replaces the newest snapshot, and the old reader closes when its last request releases it,
 * so an in-flight search never sees a closed reader. A failing reopen keeps the old snapshot
 * (reported once per distinct message).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

struct serve_snap {
    ls_reader *reader;
    atomic_uint refs;
    pthread_mutex_t stats_mu;
    int stats_rc; /* 1 = not computed yet */
    ls_index_stats stats;
    ls_error stats_err;
};

static struct {
    pthread_mutex_t mu;
    serve_snap *cur;
    const char *dir;
    unsigned reopen_ms;
    uint64_t last_check_ms;
    int checking; /* a thread is running ls_reader_reopen */
    char last_error[LS_ERROR_MESSAGE_SIZE];
} holder = {.mu = PTHREAD_MUTEX_INITIALIZER};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static serve_snap *snap_new(ls_reader *r)
{
    serve_snap *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->reader = r;
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->stats_mu, NULL);
    s->stats_rc = 1;
    return s;
}

void serve_snap_release(serve_snap *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    ls_reader_close(s->reader);
    pthread_mutex_destroy(&s->stats_mu);
    free(s);
}

int serve_reader_init(ls_reader *r, const char *dir, unsigned reopen_ms)
{
    serve_snap *s = snap_new(r);
    if (s == NULL)
        return -1;
    pthread_mutex_lock(&holder.mu);
    holder.cur = s;
    holder.dir = dir;
    holder.reopen_ms = reopen_ms;
    holder.last_check_ms = now_ms();
    holder.checking = 0;
    holder.last_error[0] = '\0';
    pthread_mutex_unlock(&holder.mu);
    return 0;
}

const char *serve_reader_dir(void) { return holder.dir; /* set once, before serving */ }

void serve_reader_shutdown(void)
{
    pthread_mutex_lock(&holder.mu);
    serve_snap *s = holder.cur;
    holder.cur = NULL;
    pthread_mutex_unlock(&holder.mu);
    serve_snap_release(s);
}

/* Prints a reopen failure unless it is the one printed last (called under the lock). */
static void report_reopen_error(int rc, const ls_error *err)
{
    const char *msg = err->message[0] ? err->message : ls_strerror(rc);
    if (strcmp(msg, holder.last_error) == 0)
        return;
    snprintf(holder.last_error, sizeof holder.last_error, "%s", msg);
    fprintf(stderr, "cisearch: serve: keeping the current commit: %s\n", msg);
}

/* Runs one reopen check; `base` is a reference the caller holds. Called without the lock. */
static void check_for_commit(serve_snap *base)
{
    ls_reader *next = NULL;
    ls_error err = {0};
    int rc = ls_reader_reopen(base->reader, &next, &err);
    serve_snap *fresh = rc == LS_OK && next != NULL ? snap_new(next) : NULL;
    if (fresh == NULL)
        ls_reader_close(next);
    pthread_mutex_lock(&holder.mu);
    serve_snap *old = NULL;
    if (rc != LS_OK)
        report_reopen_error(rc, &err);
    else
        holder.last_error[0] = '\0';
    if (fresh != NULL && holder.cur == base) {
        old = holder.cur;
        holder.cur = fresh;
        fresh = NULL;
    }
    holder.checking = 0;
    holder.last_check_ms = now_ms();
    pthread_mutex_unlock(&holder.mu);
    serve_snap_release(old);   /* the holder's reference to the replaced snapshot */
    serve_snap_release(fresh); /* lost a race with shutdown */
}

serve_snap *serve_snap_acquire(void)
{
    pthread_mutex_lock(&holder.mu);
    serve_snap *s = holder.cur;
    if (s != NULL)
        atomic_fetch_add(&s->refs, 1);
    int check =
        s != NULL && !holder.checking && now_ms() - holder.last_check_ms >= holder.reopen_ms;
    if (check)
        holder.checking = 1;
    pthread_mutex_unlock(&holder.mu);
    if (!check)
        return s;
    check_for_commit(s); /* under our reference to s */
    /* Serve the newest snapshot, which the check may just have installed. */
    pthread_mutex_lock(&holder.mu);
    serve_snap *newest = holder.cur;
    if (newest != NULL)
        atomic_fetch_add(&newest->refs, 1);
    pthread_mutex_unlock(&holder.mu);
    serve_snap_release(s);
    return newest;
}

const ls_reader *serve_snap_reader(const serve_snap *s)
{
    return s->reader;
}

int serve_snap_stats(serve_snap *s, const ls_index_stats **out, ls_error *err)
{
    pthread_mutex_lock(&s->stats_mu);
    if (s->stats_rc == 1) {
        memset(&s->stats, 0, sizeof s->stats);
        s->stats.version = LS_INDEX_STATS_VERSION;
        s->stats_rc = ls_reader_stats(s->reader, &s->stats, &s->stats_err);
    }
    int rc = s->stats_rc;
    if (rc != LS_OK && err != NULL)
        *err = s->stats_err;
    if (rc == LS_ENOMEM)
        s->stats_rc = 1; /* worth another try */
    pthread_mutex_unlock(&s->stats_mu);
    *out = rc == LS_OK ? &s->stats : NULL;
    return rc;
}
