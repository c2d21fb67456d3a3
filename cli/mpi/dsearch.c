/* SPDX-License-Identifier: MIT */
/*
 * dsearch.c - the distributed search (dsearch.h). Rank 0 reads the queries and drives; for
 * each query every rank takes part in the same steps, in the same order:
 *   1. rank 0 broadcasts the query;
 *   2. every rank lists the query's figures on its shards (ls_query_stats) and one
 *      all-reduce sums them (a custom operation also checks that every rank listed the same
 *      names); a prefix whose summed expansion count passes the cap has its lists gathered
 *      and the union counted;
 *   3. with RM3, a first pass: the best hits gathered at the leader, their stored text
 *      fetched from the ranks that hold them, the candidates' figures summed in a second
 *      all-reduce, the expansion broadcast;
 *   4. every rank searches with the summed figures (limit + offset hits) and rank 0 gathers
 *      the hits, merges them (score, then shard number, then rank within the shard: the
 *      order of one index holding the shards one after another) and prints the page.
 * A rank whose shards cannot be opened fails the job (every failure told by rank and
 * directory), unless --allow-partial, which leaves those shards out and flags the results.
 */
#include "dsearch.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../cli.h"
#include "../out.h"
#include "../search_setup.h"
#include "wire.h"

/* Bytes of a feedback document's title and body read at most (as the library's feedback
 * reads them): only those are sent. */
#define FEEDBACK_DOC_BYTES (256u * 1024)

typedef struct dsearch {
    const comm *c;
    const shards *sh;
    ls_reader *r;       /* this rank's open shards as one reader; NULL when none opened */
    unsigned *parts;    /* shard number of each part of r */
    size_t n_parts;
    int leader;         /* the lowest rank with a reader: it computes feedback */
    int all_active;     /* every rank has a reader */
    char *partial;      /* rank 0: the shards left out, told with the results (or NULL) */
    int timing;
    MPI_Op op_stats;    /* stats_op: checks by maximum, figures summed */
    double t_search, t_comm; /* seconds in ls_* calls and in collectives (timing) */
    double t_stats;          /* of t_search, in ls_query_stats */
    uint64_t bytes_stats, bytes_hits, queries;
} dsearch;

/* ---- a per-query pool of blocks (the decoded hits live until they are printed) ---- */

typedef struct pool {
    void **v;
    size_t n, cap;
} pool;

static void *pool_alloc(pool *p, size_t size)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        void **v = realloc(p->v, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    void *b = calloc(1, size ? size : 1);
    if (b != NULL)
        p->v[p->n++] = b;
    return b;
}

/* Takes ownership of a malloc'd block. @return 0, or -1 (the block freed). */
static int pool_adopt(pool *p, void *b)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        void **v = realloc(p->v, cap * sizeof *v);
        if (v == NULL) {
            free(b);
            return -1;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = b;
    return 0;
}

static void pool_free(pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* ---- opening the shards ---- */

/* A shard left out under --allow-partial: warned, and added to what the results will say. */
static void tell_left_out(int rank, const char *msg, int len, void *ctx)
{
    cli_buf *left = ctx;
    cli_warn("rank %d: %.*s (left out: --allow-partial)", rank, len, msg);
    cli_buf_printf(left, "%s%.*s", left->len ? "; " : "", len, msg);
}

/* Opens this rank's shards; every failure is told by rank 0 with its rank and directory.
 * @return 0 when the job can go on (all opened, or some with allow_partial). */
static int open_shards(dsearch *d, int allow_partial)
{
    const shards *sh = d->sh;
    const char **dirs = calloc(sh->n_owned ? sh->n_owned : 1, sizeof *dirs);
    d->parts = calloc(sh->n_owned ? sh->n_owned : 1, sizeof *d->parts);
    cli_buf why = CLI_BUF_INIT;
    int ok = dirs != NULL && d->parts != NULL;
    for (size_t i = 0; ok && i < sh->n_owned; i++) {
        const char *dir = sh->dirs[sh->owned[i]];
        ls_reader *one = NULL;
        ls_error err = {0};
        int rc = ls_reader_open(dir, &one, &err);
        if (rc == LS_OK) {
            d->parts[d->n_parts] = sh->owned[i];
            dirs[d->n_parts++] = dir;
        } else {
            cli_buf_printf(&why, "%scannot open shard %u (%s): %s", why.len ? "; " : "",
                           sh->owned[i], dir, err.message[0] ? err.message : ls_strerror(rc));
        }
        ls_reader_close(one);
    }
    ls_error err = {0};
    if (ok && d->n_parts > 0) {
        int rc = ls_reader_open_many(dirs, d->n_parts, NULL, &d->r, &err);
        if (rc != LS_OK) {
            cli_buf_printf(&why, "%s%s", why.len ? "; " : "",
                           err.message[0] ? err.message : ls_strerror(rc));
            d->r = NULL;
            d->n_parts = 0;
        }
    }
    free(dirs);
    int mine_ok = ok && why.len == 0;
    /* Every rank's language, checked at rank 0: shards must analyze alike. */
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    char lang[sizeof st.language] = "";
    if (d->r != NULL && ls_reader_stats(d->r, &st, &err) == LS_OK)
        memcpy(lang, st.language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    char *langs = d->c->rank == 0 ? calloc((size_t)d->c->size, sizeof lang) : NULL;
    MPI_Gather(lang, sizeof lang, MPI_CHAR, langs, sizeof lang, MPI_CHAR, 0, MPI_COMM_WORLD);
    int agree = 1;
    for (int r = 1; d->c->rank == 0 && langs != NULL && r < d->c->size; r++) {
        const char *first = NULL;
        for (int k = 0; k < d->c->size && first == NULL; k++)
            if (langs[k * sizeof lang])
                first = langs + k * sizeof lang;
        const char *this = langs + r * sizeof lang;
        if (first && this[0] && strcmp(first, this) != 0) {
            cli_error("rank %d's shards are in %s, others in %s: shards must share an "
                      "analyzer language", r, this, first);
            agree = 0;
        }
    }
    free(langs);
    MPI_Bcast(&agree, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int active = d->r != NULL, n_active = 0;
    MPI_Allreduce(&active, &n_active, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int cand = active ? d->c->rank : d->c->size;
    MPI_Allreduce(&cand, &d->leader, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    d->all_active = n_active == d->c->size;
    int all_ok;
    if (!allow_partial) {
        all_ok = comm_agree(d->c, mine_ok, why.p);
    } else {
        /* told as warnings; the results say what they lack */
        cli_buf left = CLI_BUF_INIT;
        comm_each_message(d->c, why.p ? why.p : "", why.len, tell_left_out, &left);
        if (d->c->rank == 0 && left.len > 0)
            d->partial = strdup(cli_buf_cstr(&left));
        cli_buf_free(&left);
        all_ok = 1;
        if (n_active == 0) {
            if (d->c->rank == 0)
                cli_error("no shard could be opened");
            all_ok = 0;
        }
    }
    cli_buf_free(&why);
    return all_ok && agree ? 0 : -1;
}

/* ---- step 2: the collection's figures ---- */

/* The first all-reduce of a step carries this many doubles whatever the query (a rank that
 * failed, or has no shards, knows no figures): a status, the names check, then the first
 * figures; a query with more figures sends the rest in a second. */
#define SUM_HEAD 64
#define SUM_SLOTS 5 /* failed, hash, -hash, count, -count: by maximum */

/* The all-reduce's operation: the first SUM_SLOTS by maximum, the rest summed. */
static void stats_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const double *a = in;
    double *b = inout;
    for (int i = 0; i < *len; i++)
        b[i] = i < SUM_SLOTS ? (a[i] > b[i] ? a[i] : b[i]) : a[i] + b[i];
}

static double names_hash(const ls_stats *st, size_t from)
{
    uLong h = crc32(0L, Z_NULL, 0);
    for (size_t i = from; i < ls_stats_count(st); i++) {
        size_t len;
        const char *n = ls_stats_name(st, i, &len);
        h = crc32_z(h, (const Bytef *)n, len);
        h = crc32_z(h, (const Bytef *)"", 1);
    }
    return (double)h;
}

/* Sums figures from..count of st over all ranks. `failed`: this rank could not compute them
 * (st unusable); ranks without shards pass st NULL and add nothing. One all-reduce for up to
 * SUM_HEAD - SUM_SLOTS figures. @return 0; 1 when a rank failed (every rank returns it);
 * -1 when the ranks listed different names (told by rank 0). */
static int sum_figures(dsearch *d, ls_stats *st, size_t from, int failed)
{
    double head[SUM_HEAD], sum[SUM_HEAD];
    size_t n = !failed && st && ls_stats_count(st) > from ? ls_stats_count(st) - from : 0;
    memset(head, 0, sizeof head);
    head[0] = failed;
    if (!failed && st != NULL) {
        double h = names_hash(st, from);
        head[1] = h;
        head[2] = -h;
        head[3] = (double)n;
        head[4] = -(double)n;
        memcpy(head + SUM_SLOTS, ls_stats_values(st) + from,
               (n < SUM_HEAD - SUM_SLOTS ? n : SUM_HEAD - SUM_SLOTS) * sizeof *head);
    } else {
        head[1] = head[2] = head[3] = head[4] = -HUGE_VAL;
    }
    MPI_Allreduce(head, sum, SUM_HEAD, MPI_DOUBLE, d->op_stats, MPI_COMM_WORLD);
    d->bytes_stats += sizeof head;
    if (sum[0] > 0)
        return 1;
    if (!(sum[1] == -sum[2] && sum[3] == -sum[4])) {
        if (d->c->rank == 0)
            cli_error("the ranks listed different statistics for the query (shards of "
                      "different versions?)");
        return -1;
    }
    size_t total = (size_t)sum[3], first = total < SUM_HEAD - SUM_SLOTS ? total
                                                                         : SUM_HEAD - SUM_SLOTS;
    double *rest = NULL, *rest_sum = NULL;
    if (total > first) { /* the others: a second all-reduce */
        rest = calloc(total - first, sizeof *rest);
        rest_sum = calloc(total - first, sizeof *rest_sum);
        if (rest == NULL || rest_sum == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2);
        if (st != NULL)
            memcpy(rest, ls_stats_values(st) + from + first, (total - first) * sizeof *rest);
        MPI_Allreduce(rest, rest_sum, (int)(total - first), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        d->bytes_stats += (total - first) * sizeof *rest;
    }
    if (st != NULL) {
        memcpy(ls_stats_values(st) + from, sum + SUM_SLOTS, first * sizeof *sum);
        if (total > first)
            memcpy(ls_stats_values(st) + from + first, rest_sum,
                   (total - first) * sizeof *rest_sum);
    }
    free(rest);
    free(rest_sum);
    return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An "expansions" figure whose sum passes the cap: the union of the lists, counted. */
static int union_expansions(dsearch *d, ls_stats *st, size_t i)
{
    cli_buf mine = CLI_BUF_INIT;
    size_t len = 0;
    const char *keys = st ? ls_stats_expansions(st, i, &len) : NULL;
    cli_buf_put(&mine, keys, len);
    char *all = NULL;
    size_t *lens = NULL;
    int rc = comm_gather(d->c, &mine, d->leader, &all, &lens);
    cli_buf_free(&mine);
    double distinct = 0;
    if (rc == 0 && d->c->rank == d->leader) {
        size_t total = 0, n = 0;
        for (int r = 0; r < d->c->size; r++)
            total += (size_t)COMM_LEN(lens[r]);
        char **v = malloc((total + 1) * sizeof *v);
        if (v == NULL)
            MPI_Abort(MPI_COMM_WORLD, 2);
        for (size_t at = 0; at < total; at += strlen(all + at) + 1)
            v[n++] = all + at; /* every key ends with a NUL */
        qsort(v, n, sizeof *v, cmp_cstr);
        for (size_t j = 0; j < n; j++)
            distinct += j == 0 || strcmp(v[j], v[j - 1]) != 0;
        free(v);
    }
    free(all);
    free(lens);
    MPI_Bcast(&distinct, 1, MPI_DOUBLE, d->leader, MPI_COMM_WORLD);
    if (st != NULL)
        ls_stats_values(st)[i] = distinct;
    return rc;
}

/* ---- a query's failure, agreed ---- */

/* Every rank's error for a step all know failed (any rank may have succeeded): rank 0 tells
 * its own with the query's caret, another rank's when it differs. */
/* Another rank's failure, told unless it says what rank 0's own error said. */
typedef struct failure_ctx {
    const char *own; /* rank 0's message, or NULL */
    const char *qid;
} failure_ctx;

static void tell_other_failure(int rank, const char *msg, int len, void *ctx)
{
    const failure_ctx *f = ctx;
    if (f->own != NULL && strlen(f->own) == (size_t)len && memcmp(f->own, msg, (size_t)len) == 0)
        return;
    cli_error("rank %d: %s%s%.*s", rank, f->qid ? f->qid : "", f->qid ? ": " : "", len, msg);
}

static void report_failure(dsearch *d, int rc, const ls_error *err, const char *qid,
                           const char *q, size_t len)
{
    const char *mine = rc == LS_OK ? "" : err->message[0] ? err->message : ls_strerror(rc);
    if (d->c->rank == 0 && rc != LS_OK)
        cli_report_query_error(qid, q, len, rc, err);
    failure_ctx f = {rc != LS_OK ? mine : NULL, qid};
    comm_each_message(d->c, mine, strlen(mine), tell_other_failure, &f);
}

/* Every rank's status for a step: @return nonzero when all succeeded (else reported). */
static int query_ok(dsearch *d, int rc, const ls_error *err, const char *qid, const char *q,
                    size_t len)
{
    int bad = rc != LS_OK, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any)
        report_failure(d, rc, err, qid, q, len);
    return !any;
}

/* ---- hits on the wire ---- */

static void put_str(cli_buf *b, const char *s, size_t len)
{
    cli_buf tmp = CLI_BUF_INIT; /* with its NUL, so the decoded text is a C string */
    cli_buf_put(&tmp, s, len);
    cli_buf_putc(&tmp, '\0');
    wire_bytes(b, tmp.p, tmp.len);
    cli_buf_free(&tmp);
}

static void put_hits(dsearch *d, cli_buf *b, const ls_hits *h)
{
    size_t n = ls_hits_count(h);
    wire_u64(b, ls_hits_total(h));
    wire_u64(b, (uint64_t)ls_hits_total_exact(h));
    wire_u64(b, n);
    for (size_t i = 0; i < n; i++) {
        const ls_hit *x = ls_hits_get(h, i);
        wire_f64(b, x->score);
        wire_u64(b, x->index < d->n_parts ? d->parts[x->index] : 0);
        wire_u64(b, x->doc);
        put_str(b, x->id, x->id_len);
        put_str(b, x->title, x->title_len);
        put_str(b, x->path, x->path_len);
        const ls_snippet *s = x->snippet;
        wire_u64(b, s != NULL);
        if (s != NULL) {
            wire_u64(b, (uint64_t)s->field);
            put_str(b, s->text, s->len);
            wire_u64(b, s->field_offset);
            wire_u64(b, (uint64_t)s->starts_field);
            wire_u64(b, (uint64_t)s->ends_field);
            wire_u64(b, s->n_matches);
            for (size_t m = 0; m < s->n_matches; m++) {
                wire_u64(b, s->matches[m].offset);
                wire_u64(b, s->matches[m].length);
            }
        }
        const ls_explain *e = x->explain;
        wire_u64(b, e != NULL);
        if (e != NULL) {
            wire_f64(b, e->n_docs);
            wire_u64(b, e->n_terms);
            for (size_t t = 0; t < e->n_terms; t++) {
                const ls_term_explain *te = &e->terms[t];
                put_str(b, te->term, strlen(te->term));
                put_str(b, te->field, strlen(te->field));
                const double f[] = {te->tf,  te->df, te->idf,    te->doc_len, te->avg_len,
                                    te->k1,  te->b,  te->weight, te->score};
                for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
                    wire_f64(b, f[k]);
            }
        }
    }
}

/* The fewest bytes a hit takes on the wire (score, shard, doc, three strings, two flags). */
#define HIT_MIN_BYTES 64

typedef struct merged_hit {
    ls_hit hit;
    unsigned shard;
    size_t pos; /* rank within its shard's list */
} merged_hit;

static int get_hit(wire_reader *w, pool *p, merged_hit *m, size_t pos)
{
    ls_hit *h = &m->hit;
    h->score = wire_get_f64(w);
    m->shard = (unsigned)wire_get_u64(w);
    m->pos = pos;
    h->index = m->shard;
    h->doc = wire_get_u64(w);
    size_t len;
    h->id = wire_get_bytes(w, &len);
    h->id_len = len ? len - 1 : 0;
    h->title = wire_get_bytes(w, &len);
    h->title_len = len ? len - 1 : 0;
    h->path = wire_get_bytes(w, &len);
    h->path_len = len ? len - 1 : 0;
    if (wire_get_u64(w)) {
        ls_snippet *s = pool_alloc(p, sizeof *s);
        if (s == NULL)
            return -1;
        s->field = (int)wire_get_u64(w);
        s->text = wire_get_bytes(w, &len);
        s->len = len ? len - 1 : 0;
        s->field_offset = wire_get_u64(w);
        s->starts_field = (int)wire_get_u64(w);
        s->ends_field = (int)wire_get_u64(w);
        uint64_t nm = wire_get_u64(w);
        if (nm > (uint64_t)(w->end - w->p) / 16)
            return -1;
        ls_span *spans = pool_alloc(p, (size_t)nm * sizeof *spans);
        if (spans == NULL)
            return -1;
        for (uint64_t k = 0; k < nm; k++) {
            spans[k].offset = wire_get_u64(w);
            spans[k].length = wire_get_u64(w);
        }
        s->n_matches = (size_t)nm;
        s->matches = spans; /* the formatters read text and matches, not fragments */
        h->snippet = s;
    }
    if (wire_get_u64(w)) {
        ls_explain *e = pool_alloc(p, sizeof *e);
        if (e == NULL)
            return -1;
        e->n_docs = wire_get_f64(w);
        uint64_t nt = wire_get_u64(w);
        if (nt > (uint64_t)(w->end - w->p) / 88)
            return -1;
        ls_term_explain *t = pool_alloc(p, (size_t)nt * sizeof *t);
        if (t == NULL)
            return -1;
        for (uint64_t k = 0; k < nt; k++) {
            t[k].term = wire_get_bytes(w, &len);
            t[k].field = wire_get_bytes(w, &len);
            double *f[] = {&t[k].tf, &t[k].df, &t[k].idf,    &t[k].doc_len, &t[k].avg_len,
                           &t[k].k1, &t[k].b,  &t[k].weight, &t[k].score};
            for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
                *f[j] = wire_get_f64(w);
        }
        e->n_terms = (size_t)nt;
        e->terms = t;
        h->explain = e;
    }
    return w->bad || h->id == NULL || h->title == NULL || h->path == NULL ? -1 : 0;
}

static int cmp_merged(const void *a, const void *b)
{
    const merged_hit *x = a, *y = b;
    if (x->hit.score != y->hit.score)
        return x->hit.score > y->hit.score ? -1 : 1;
    if (x->shard != y->shard)
        return x->shard < y->shard ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Gathered hit lists (one per rank) decoded and merged best first. */
typedef struct merged {
    merged_hit *v;
    size_t n;
    uint64_t total;
    int exact;
} merged;

/* Decodes every rank's message (status, then hits or an error) and merges the hits. A rank
 * that failed adds "rank R: why" to *fails (rank `self` too: the caller tells its own).
 * @return 0, or -1 when a message is damaged (a bug, told in *fails). */
static int merge_lists(const char *all, const size_t *lens, int size, unsigned n_shards,
                       pool *p, merged *out, cli_buf *fails)
{
    memset(out, 0, sizeof *out);
    out->exact = 1;
    size_t cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t at = 0;
        for (int r = 0; r < size; at += (size_t)COMM_LEN(lens[r]), r++) {
            if (lens[r] == COMM_TOO_BIG) {
                if (pass == 0)
                    cli_buf_printf(fails, "rank %d: its results are too large to gather\n", r);
                continue;
            }
            if (lens[r] == 0)
                continue; /* a rank without shards */
            wire_reader w;
            wire_reader_init(&w, all + at, lens[r]);
            if (wire_get_u64(&w) != 0) {
                size_t ml;
                (void)wire_get_u64(&w);
                const char *m = wire_get_bytes(&w, &ml);
                if (pass == 0)
                    cli_buf_printf(fails, "rank %d: %.*s\n", r, m ? (int)ml : 0, m ? m : "");
                continue;
            }
            uint64_t total = wire_get_u64(&w), exact = wire_get_u64(&w), n = wire_get_u64(&w);
            if (w.bad || n > lens[r] / HIT_MIN_BYTES || cap + n > SIZE_MAX / sizeof *out->v) {
                cli_buf_printf(fails, "rank %d: damaged results\n", r);
                return -1;
            }
            if (pass == 0) {
                cap += (size_t)n;
                out->total += total;
                out->exact &= exact != 0;
                continue;
            }
            for (uint64_t i = 0; i < n; i++)
                if (get_hit(&w, p, &out->v[out->n], (size_t)i) != 0 ||
                    out->v[out->n++].shard >= n_shards) {
                    cli_buf_printf(fails, "rank %d: damaged results\n", r);
                    return -1;
                }
        }
        if (pass == 0 && (out->v = pool_alloc(p, (cap ? cap : 1) * sizeof *out->v)) == NULL) {
            cli_buf_printf(fails, "out of memory merging the results\n");
            return -1;
        }
    }
    qsort(out->v, out->n, sizeof *out->v, cmp_merged);
    return 0;
}

/* Prints (rank 0) the failures of a step: its own error with the query's caret, then the
 * other ranks' lines whose message differs from it. */
static void tell_failures(const char *fails, size_t flen, int own_rc, const ls_error *own,
                          const char *qid, const char *q, size_t len)
{
    const char *own_msg = own_rc != LS_OK && own->message[0] ? own->message
                          : own_rc != LS_OK                  ? ls_strerror(own_rc)
                                                             : NULL;
    if (own_rc != LS_OK)
        cli_report_query_error(qid, q, len, own_rc, own);
    for (const char *line = fails; line < fails + flen;) {
        const char *end = memchr(line, '\n', (size_t)(fails + flen - line));
        size_t n = end ? (size_t)(end - line) : (size_t)(fails + flen - line);
        const char *colon = memchr(line, ':', n);
        const char *msg = colon && colon + 2 <= line + n ? colon + 2 : line;
        size_t ml = (size_t)(line + n - msg);
        if (!(own_msg && strlen(own_msg) == ml && memcmp(own_msg, msg, ml) == 0))
            cli_error("%s%s%.*s", qid ? qid : "", qid ? ": " : "", (int)n, line);
        line += n + 1;
    }
}

/* Every rank's results gathered at root and merged there: a rank that `took_part` sends its
 * hits, or its error (rc, err) in their place; the others send nothing. The decoded hits
 * point into the gathered bytes, which the pool keeps. @return at root: 0, or -1 with the
 * failures in *fails; elsewhere 0. */
static int gather_results(dsearch *d, int took_part, int rc, const ls_hits *h,
                          const ls_error *err, int root, pool *p, merged *out, cli_buf *fails)
{
    cli_buf b = CLI_BUF_INIT;
    if (took_part && rc == LS_OK) {
        wire_u64(&b, 0);
        put_hits(d, &b, h);
    } else if (took_part) {
        const char *m = err->message[0] ? err->message : ls_strerror(rc);
        wire_u64(&b, 1);
        wire_u64(&b, (uint64_t)rc);
        wire_bytes(&b, m, strlen(m));
    }
    char *all = NULL;
    size_t *lens = NULL;
    comm_gather(d->c, &b, root, &all, &lens); /* too big: root learns it from lens */
    d->bytes_hits += b.len;
    cli_buf_free(&b);
    int status = 0;
    if (d->c->rank == root) {
        if (pool_adopt(p, all) != 0 ||
            merge_lists(all, lens, d->c->size, d->sh->total, p, out, fails) != 0 ||
            fails->len > 0)
            status = -1;
    } else {
        free(all);
    }
    free(lens);
    return status;
}

/* @return nonzero when this rank holds shard number `shard`. */
static int holds(const dsearch *d, unsigned shard)
{
    for (size_t k = 0; k < d->n_parts; k++)
        if (d->parts[k] == shard)
            return 1;
    return 0;
}

/* Every rank searches with o; root gathers the hits (or each rank's error: no other
 * collective) and merges them. @return at root: 0, or -1 after `fails` got the failures
 * (*own_rc / *own: root's own); elsewhere 0. */
static int search_all(dsearch *d, const ls_search_options *o, const char *q, size_t len,
                      int root, pool *p, merged *out, cli_buf *fails, int *own_rc,
                      ls_error *own)
{
    ls_hits *h = NULL;
    int rc = LS_OK;
    double t0 = MPI_Wtime();
    memset(own, 0, sizeof *own);
    if (d->r != NULL)
        rc = ls_search(d->r, q, len, o, &h, own);
    *own_rc = rc;
    double t1 = MPI_Wtime();
    d->t_search += t1 - t0;
    int status = gather_results(d, d->r != NULL, rc, h, own, root, p, out, fails);
    ls_hits_free(h);
    d->t_comm += MPI_Wtime() - t1;
    return status;
}

/* ---- step 3: RM3 over the ranks ---- */

/* Sends this rank's feedback documents among the chosen (shard, doc, score) list (best
 * first, every rank has it) to the leader, which gets them in list order. */
static int fetch_docs(dsearch *d, const char *list_p, size_t list_len, pool *p,
                      ls_feedback_doc *docs, const char *qid, const char *q, size_t len)
{
    uint64_t n = list_len / 24;
    cli_buf mine = CLI_BUF_INIT;
    wire_reader w;
    wire_reader_init(&w, list_p, list_len);
    int rc = LS_OK;
    ls_error err = {0};
    for (uint64_t i = 0; i < n && rc == LS_OK; i++) {
        unsigned shard = (unsigned)wire_get_u64(&w);
        uint64_t doc = wire_get_u64(&w);
        (void)wire_get_f64(&w);
        if (!holds(d, shard))
            continue; /* another rank's */
        ls_stored_document *sd = NULL;
        rc = ls_reader_document(d->r, doc, &sd, &err);
        if (rc != LS_OK)
            break;
        size_t tl = sd->title_len < FEEDBACK_DOC_BYTES ? sd->title_len : FEEDBACK_DOC_BYTES;
        size_t bl = sd->body_len < FEEDBACK_DOC_BYTES - tl ? sd->body_len
                                                          : FEEDBACK_DOC_BYTES - tl;
        wire_u64(&mine, i);
        wire_bytes(&mine, sd->title, tl);
        wire_bytes(&mine, sd->body, bl);
        ls_stored_document_free(sd);
    }
    if (!query_ok(d, rc, &err, qid, q, len)) {
        cli_buf_free(&mine);
        return -1;
    }
    char *all = NULL;
    size_t *lens = NULL;
    int ok = comm_gather(d->c, &mine, d->leader, &all, &lens) == 0;
    cli_buf_free(&mine);
    if (ok && d->c->rank == d->leader) {
        ok = pool_adopt(p, all) == 0;
        wire_reader lw;
        wire_reader_init(&lw, list_p, list_len);
        for (uint64_t i = 0; i < n; i++) {
            (void)wire_get_u64(&lw);
            (void)wire_get_u64(&lw);
            docs[i].score = wire_get_f64(&lw);
        }
        size_t total = 0;
        for (int r = 0; r < d->c->size; r++)
            total += (size_t)COMM_LEN(lens[r]);
        wire_reader g;
        wire_reader_init(&g, all, total);
        size_t got = 0;
        while (ok && g.p < g.end) {
            uint64_t i = wire_get_u64(&g);
            size_t tl, bl;
            const char *t = wire_get_bytes(&g, &tl), *b = wire_get_bytes(&g, &bl);
            ok = !g.bad && i < n;
            if (ok) {
                docs[i].title = t;
                docs[i].title_len = tl;
                docs[i].body = b;
                docs[i].body_len = bl;
                got++;
            }
        }
        ok = ok && got == n;
    } else if (d->c->rank != d->leader) {
        free(all);
    }
    free(lens);
    MPI_Bcast(&ok, 1, MPI_INT, d->leader, MPI_COMM_WORLD);
    if (!ok && d->c->rank == 0)
        cli_error("feedback documents went missing between the ranks (too large to gather?)");
    return ok ? 0 : -1;
}

/* RM3: the first pass, the documents, the candidates' figures, the expansion into *o (or
 * feedback off when there is none). The expansion's strings live in *exp_bytes. */
static int feedback(dsearch *d, ls_stats *st, ls_search_options *o, const char *qid,
                    const char *q, size_t len, pool *p, cli_buf *exp_bytes,
                    ls_expansion_term **exp, size_t *n_exp)
{
    ls_search_options first = *o;
    first.feedback_docs = 0;
    first.limit = o->feedback_docs;
    first.offset = 0;
    first.snippets = 0;
    first.explain = 0;
    merged fm;
    memset(&fm, 0, sizeof fm);
    cli_buf fails = CLI_BUF_INIT, list = CLI_BUF_INIT;
    int own_rc;
    ls_error own;
    int frc = search_all(d, &first, q, len, d->leader, p, &fm, &fails, &own_rc, &own);
    /* the leader names the feedback documents, or says why there are none */
    if (d->c->rank == d->leader) {
        wire_u64(&list, frc != 0);
        if (frc != 0) {
            if (own_rc != LS_OK)
                cli_buf_printf(&fails, "rank %d: %s\n", d->c->rank,
                               own.message[0] ? own.message : ls_strerror(own_rc));
            wire_bytes(&list, fails.p, fails.len);
        }
        size_t nd = fm.n < o->feedback_docs ? fm.n : o->feedback_docs;
        for (size_t i = 0; frc == 0 && i < nd; i++) {
            wire_u64(&list, fm.v[i].shard);
            wire_u64(&list, fm.v[i].hit.doc);
            wire_f64(&list, fm.v[i].hit.score);
        }
    }
    cli_buf_free(&fails);
    if (comm_bcast(d->c, &list, d->leader) != 0)
        MPI_Abort(MPI_COMM_WORLD, 2);
    wire_reader lr;
    wire_reader_init(&lr, list.p, list.len);
    if (wire_get_u64(&lr) != 0) {
        size_t fl;
        const char *f = wire_get_bytes(&lr, &fl);
        if (d->c->rank == 0)
            tell_failures(f ? f : "", f ? fl : 0, LS_OK, &own, qid, q, len);
        cli_buf_free(&list);
        return -1;
    }
    size_t nd = (size_t)(lr.end - lr.p) / 24;
    ls_feedback_doc *docs = pool_alloc(p, (nd ? nd : 1) * sizeof *docs);
    int rc = docs ? fetch_docs(d, (const char *)lr.p, (size_t)(lr.end - lr.p), p, docs, qid, q,
                               len)
                  : -1;
    cli_buf_free(&list);
    if (rc != 0)
        return -1;
    /* the leader lists the candidates; the others add them, in order; one more sum */
    ls_error err = {0};
    int lrc = LS_OK;
    size_t from = st ? ls_stats_count(st) : 0;
    cli_buf names = CLI_BUF_INIT;
    if (d->c->rank == d->leader) {
        lrc = ls_feedback_candidates(d->r, docs, nd, st, &err);
        for (size_t i = from; lrc == LS_OK && i < ls_stats_count(st); i++) {
            size_t nl;
            const char *nm = ls_stats_name(st, i, &nl);
            cli_buf_put(&names, nm, nl);
            cli_buf_putc(&names, '\0');
        }
    }
    if (!query_ok(d, lrc, &err, qid, q, len) || comm_bcast(d->c, &names, d->leader) != 0) {
        cli_buf_free(&names);
        return -1;
    }
    if (d->c->rank != d->leader && d->r != NULL)
        lrc = ls_stats_add(d->r, st, names.p, names.len, &err);
    cli_buf_free(&names);
    if (!query_ok(d, lrc, &err, qid, q, len))
        return -1;
    if (sum_figures(d, st, from, 0) != 0)
        return -1;
    /* the leader's expansion, broadcast: (term, weight) pairs */
    ls_expansion_term *mine = NULL;
    size_t n_mine = 0;
    if (d->c->rank == d->leader) {
        lrc = ls_feedback_terms(d->r, docs, nd, st, o, &mine, &n_mine, &err);
        for (size_t i = 0; lrc == LS_OK && i < n_mine; i++) {
            wire_bytes(exp_bytes, mine[i].term, mine[i].len);
            wire_f64(exp_bytes, mine[i].weight);
        }
        ls_expansion_free(mine, n_mine);
    }
    if (!query_ok(d, lrc, &err, qid, q, len) || comm_bcast(d->c, exp_bytes, d->leader) != 0)
        return -1;
    wire_reader w;
    wire_reader_init(&w, exp_bytes->p, exp_bytes->len);
    size_t cap = exp_bytes->len / 16;
    *exp = pool_alloc(p, (cap ? cap : 1) * sizeof **exp);
    *n_exp = 0;
    while (*exp != NULL && w.p < w.end && !w.bad) {
        ls_expansion_term *t = &(*exp)[(*n_exp)++];
        t->term = wire_get_bytes(&w, &t->len);
        t->weight = wire_get_f64(&w);
    }
    if (*exp == NULL || w.bad)
        MPI_Abort(MPI_COMM_WORLD, 2);
    if (*n_exp == 0) {
        o->feedback_docs = 0; /* nothing learned: the first pass stands, as in one index */
    } else {
        o->expansion = *exp;
        o->n_expansion = *n_exp;
    }
    return 0;
}

/* ---- the fetch step: snippets and explanations for the page's hits ---- */

/* Rank 0 names the page's hits (or says the query failed); each rank makes the hits of the
 * page it holds (ls_search_fetch) and rank 0 puts them in the page, in place of the light
 * ones. @return 0 (page filled at rank 0), or -1 on every rank when the query failed. */
static int fetch_page(dsearch *d, const ls_search_options *o, const char *q, size_t len,
                      pool *p, int failed, const merged *m, size_t from, size_t n, ls_hit *page,
                      const char *qid)
{
    cli_buf list = CLI_BUF_INIT;
    if (d->c->rank == 0) {
        wire_u64(&list, failed != 0);
        for (size_t i = 0; !failed && i < n; i++) {
            wire_u64(&list, m->v[from + i].shard);
            wire_u64(&list, m->v[from + i].hit.doc);
            wire_f64(&list, m->v[from + i].hit.score);
        }
    }
    if (comm_bcast(d->c, &list, 0) != 0)
        MPI_Abort(MPI_COMM_WORLD, 2);
    wire_reader lr;
    wire_reader_init(&lr, list.p, list.len);
    if (wire_get_u64(&lr) != 0) {
        cli_buf_free(&list);
        return -1;
    }
    size_t total = (size_t)(lr.end - lr.p) / 24, mine = 0;
    uint64_t *docs = pool_alloc(p, (total ? total : 1) * sizeof *docs);
    double *scores = pool_alloc(p, (total ? total : 1) * sizeof *scores);
    if (docs == NULL || scores == NULL)
        MPI_Abort(MPI_COMM_WORLD, 2);
    for (size_t i = 0; i < total; i++) {
        unsigned shard = (unsigned)wire_get_u64(&lr);
        uint64_t doc = wire_get_u64(&lr);
        double score = wire_get_f64(&lr);
        if (holds(d, shard)) {
            docs[mine] = doc;
            scores[mine++] = score;
        }
    }
    cli_buf_free(&list);
    if (total == 0)
        return 0; /* an empty page: nothing to make */
    ls_hits *h = NULL;
    ls_error err = {0};
    double t0 = MPI_Wtime();
    int rc = mine > 0 ? ls_search_fetch(d->r, q, len, o, docs, scores, mine, &h, &err) : LS_OK;
    d->t_search += MPI_Wtime() - t0;
    double t1 = MPI_Wtime();
    merged full = {NULL, 0, 0, 0};
    cli_buf fails = CLI_BUF_INIT;
    int status = gather_results(d, mine > 0 || rc != LS_OK, rc, h, &err, 0, p, &full, &fails);
    ls_hits_free(h);
    if (d->c->rank == 0) {
        if ((status != 0 || full.n != n) && fails.len == 0)
            cli_buf_printf(&fails, "the page's hits came back incomplete\n");
        if (fails.len > 0) {
            tell_failures(fails.p, fails.len, LS_OK, &err, qid, q, len);
            status = -1;
        }
        /* the same order as the light hits: by score, shard, then place within the shard */
        for (size_t i = 0; status == 0 && i < n; i++)
            page[i] = full.v[i].hit;
    }
    cli_buf_free(&fails);
    d->t_comm += MPI_Wtime() - t1;
    return status;
}

/* ---- one query, on every rank ---- */

static int one_query(dsearch *d, const search_cfg *cfg, const char *qid, const char *q,
                     size_t len, uint64_t *total)
{
    double t0 = MPI_Wtime();
    ls_search_options o = cfg->opts;
    ls_stats *st = NULL;
    ls_error err = {0};
    int rc = d->r ? ls_query_stats(d->r, q, len, &o, &st, &err) : LS_OK;
    double t1 = MPI_Wtime();
    d->t_search += t1 - t0;
    d->t_stats += t1 - t0;
    pool p = {0};
    cli_buf exp_bytes = CLI_BUF_INIT, fails = CLI_BUF_INIT;
    int status = -1;
    /* one all-reduce: every rank's figures summed, and whether any rank failed */
    int sum = sum_figures(d, st, 0, rc != LS_OK);
    if (sum == 1)
        report_failure(d, rc, &err, qid, q, len);
    if (sum != 0)
        goto done;
    /* a prefix past the cap by its sum: the union of the expansions decides (every rank with
     * shards finds the same figures; ranks without learn them from the leader) */
    cli_buf unions = CLI_BUF_INIT;
    for (size_t i = 0; i < (st ? ls_stats_count(st) : 0); i++) {
        size_t nl;
        const char *nm = ls_stats_name(st, i, &nl);
        if (nl > 11 && memcmp(nm, "expansions ", 11) == 0 &&
            ls_stats_values(st)[i] > LS_MAX_PREFIX_TERMS)
            wire_u64(&unions, i);
    }
    if (!d->all_active && comm_bcast(d->c, &unions, d->leader) != 0)
        MPI_Abort(MPI_COMM_WORLD, 2);
    wire_reader uw;
    wire_reader_init(&uw, unions.p, unions.len);
    while (uw.p < uw.end)
        union_expansions(d, st, (size_t)wire_get_u64(&uw));
    cli_buf_free(&unions);
    d->t_comm += MPI_Wtime() - t1;
    o.stats = st;
    ls_expansion_term *exp = NULL;
    size_t n_exp = 0;
    if (o.feedback_docs > 0 &&
        feedback(d, st, &o, qid, q, len, &p, &exp_bytes, &exp, &n_exp) != 0)
        goto done;
    /* every shard gives the page's hits and those before it; rank 0 cuts the page (a count
     * only stays one: limit 0 counts every match). Snippets and explanations are made in a
     * second step by the page's shards for the page's hits only (query, then fetch). */
    o.limit = cfg->opts.limit ? cfg->opts.limit + cfg->opts.offset : 0;
    o.offset = 0;
    int fetch = (o.snippets || o.explain) && d->c->size > 1; /* one rank: one step */
    ls_search_options light = o;
    if (fetch)
        light.snippets = light.explain = 0;
    merged m;
    memset(&m, 0, sizeof m);
    int own_rc;
    ls_error own;
    int frc = search_all(d, &light, q, len, 0, &p, &m, &fails, &own_rc, &own);
    if (frc != 0)
        tell_failures(fails.p, fails.len, own_rc, &own, qid, q, len); /* rank 0 only */
    size_t from = cfg->opts.offset < m.n ? cfg->opts.offset : m.n;
    size_t n = m.n - from < cfg->opts.limit ? m.n - from : cfg->opts.limit;
    ls_hit *page = NULL;
    if (d->c->rank == 0 && frc == 0) {
        page = pool_alloc(&p, (n ? n : 1) * sizeof *page);
        for (size_t i = 0; page != NULL && i < n; i++)
            page[i] = m.v[from + i].hit;
        if (page == NULL) {
            cli_error("out of memory merging the results");
            frc = -1;
        }
    }
    if (fetch && fetch_page(d, &o, q, len, &p, frc, &m, from, n, page, qid) != 0)
        frc = -1;
    if (frc != 0)
        goto done;
    status = 0;
    if (d->c->rank == 0) {
        cli_result res = {.qid = qid, .query = q, .query_len = len, .offset = cfg->opts.offset,
                          .list = page, .n_list = n, .list_total = m.total,
                          .list_exact = m.exact, .partial = d->partial};
        *total = m.total;
        if (cfg->out(stdout, &res, &cfg->out_opts) != 0) {
            cli_error("out of memory formatting the results");
            status = -1;
        }
        if (d->partial != NULL && cfg->out != cli_out_text && cfg->out != cli_out_json)
            cli_warn("%s%s%spartial results: %s", qid ? "query " : "", qid ? qid : "",
                     qid ? ": " : "", d->partial);
    }
    d->queries++;
done:
    cli_buf_free(&fails);
    cli_buf_free(&exp_bytes);
    pool_free(&p);
    ls_stats_free(st);
    return status;
}

/* ---- the job ---- */

enum { OP_STOP = 0, OP_QUERY = 1 };

/* Rank 0 tells the others what comes next: a query (with its id) or the end. */
static int send_op(dsearch *d, int op, const char *qid, const char *q, size_t len,
                   cli_buf *b)
{
    b->len = 0;
    wire_u64(b, (uint64_t)op);
    wire_u64(b, qid != NULL);
    wire_bytes(b, qid ? qid : "", qid ? strlen(qid) : 0);
    wire_bytes(b, q ? q : "", len);
    return comm_bcast(d->c, b, 0);
}

typedef struct driver {
    dsearch *d;
    cli_buf msg;
} driver;

static int drive_open(void *ctx, const search_cfg *cfg)
{
    (void)ctx;
    (void)cfg;
    return 0; /* opened already, by every rank */
}

static int drive_run(void *ctx, const search_cfg *cfg, const char *qid, const char *q,
                     size_t len, uint64_t *total)
{
    driver *dr = ctx;
    if (send_op(dr->d, OP_QUERY, qid, q, len, &dr->msg) != 0)
        MPI_Abort(MPI_COMM_WORLD, 2);
    return one_query(dr->d, cfg, qid, q, len, total);
}

static void drive_close(void *ctx) { (void)ctx; }

/* Ranks other than 0: every query rank 0 sends, until the end. */
static void serve(dsearch *d, const search_cfg *cfg)
{
    cli_buf b = CLI_BUF_INIT;
    for (;;) {
        if (comm_bcast(d->c, &b, 0) != 0)
            MPI_Abort(MPI_COMM_WORLD, 2);
        wire_reader w;
        wire_reader_init(&w, b.p, b.len);
        uint64_t op = wire_get_u64(&w), has_qid = wire_get_u64(&w);
        size_t ql, len;
        const char *qid = wire_get_bytes(&w, &ql), *q = wire_get_bytes(&w, &len);
        if (w.bad)
            MPI_Abort(MPI_COMM_WORLD, 2);
        if (op == OP_STOP)
            break;
        /* copies of every byte: a query may hold a NUL (the library reads len bytes) */
        char *id = has_qid ? malloc(ql + 1) : NULL, *text = malloc(len + 1);
        uint64_t total;
        if (text == NULL || (has_qid && id == NULL))
            MPI_Abort(MPI_COMM_WORLD, 2);
        if (id != NULL) {
            memcpy(id, qid, ql);
            id[ql] = '\0';
        }
        memcpy(text, q, len);
        text[len] = '\0';
        one_query(d, cfg, id, text, len, &total);
        free(id);
        free(text);
    }
    cli_buf_free(&b);
}

static void report_timing(dsearch *d, double wall)
{
    double s[3] = {d->t_search, d->t_comm, d->t_stats}, mx[3] = {0}, sum[3] = {0};
    MPI_Reduce(s, mx, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(s, sum, 3, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    uint64_t bytes[2] = {d->bytes_stats, d->bytes_hits}, tb[2] = {0, 0};
    MPI_Reduce(bytes, tb, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (d->c->rank != 0 || d->queries == 0)
        return;
    double n = (double)d->queries;
    fprintf(stderr,
            "cisearch-mpi: %llu queries on %d ranks, %u shards: %.3f s, %.1f queries/s\n"
            "cisearch-mpi: per query: %.1f us wall; searching %.1f us (slowest rank), "
            "%.1f us (mean), of which statistics %.1f us (mean); collectives %.1f us (mean)\n"
            "cisearch-mpi: per query: statistics %.0f bytes per rank, hits %.0f bytes "
            "per rank\n",
            (unsigned long long)d->queries, d->c->size, d->sh->total, wall, n / wall,
            1e6 * wall / n, 1e6 * mx[0] / n, 1e6 * sum[0] / n / d->c->size,
            1e6 * sum[2] / n / d->c->size, 1e6 * sum[1] / n / d->c->size, (double)tb[0] / n / d->c->size,
            (double)tb[1] / n / d->c->size);
}

int dsearch_main(const comm *c, const shards *sh, int allow_partial, int timing, int argc,
                 char **argv)
{
    search_cfg cfg; /* every rank reads the same command line (only rank 0 speaks) */
    unsetenv("CISEARCH_INDEX"); /* shards are named by --shard (and it may differ by host) */
    int p = cli_search_setup(argc, argv, &cfg);
    if (p == 0 && cfg.n_indexes > 0) {
        cli_usage_error("search", "cisearch-mpi names its shards with --shard, not --index");
        p = -1;
    }
    if (p == 0 && cfg.opts.limit > 0 && cfg.opts.offset > LS_MAX_LIMIT - cfg.opts.limit) {
        /* every shard returns offset + limit hits: one search's cap */
        cli_usage_error("search", "over shards, --offset plus -n is capped at %u",
                        LS_MAX_LIMIT);
        p = -1;
    }
    /* rank 0 alone may fail here (its standard input, its environment): all agree first */
    int mine[2] = {p, -p}, agreed[2];
    MPI_Allreduce(mine, agreed, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    p = -agreed[1] < 0 ? -1 : agreed[0]; /* an error anywhere, else help, else run */
    int status = p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    if (p != 0) {
        cli_search_cfg_free(&cfg);
        return status;
    }
    if (sh->total > 1) { /* hits name their shard */
        cfg.out_opts.indexes = (const char *const *)sh->dirs;
        cfg.out_opts.n_indexes = sh->total;
    }
    dsearch d = {.c = c, .sh = sh, .timing = timing};
    MPI_Op_create(stats_op, 1, &d.op_stats);
    if (open_shards(&d, allow_partial) != 0) {
        status = CLI_EXIT_ERROR;
    } else if (c->rank == 0) {
        driver dr = {&d, CLI_BUF_INIT};
        cli_searcher s = {drive_open, drive_run, drive_close, &dr};
        double t0 = MPI_Wtime();
        status = cli_search_execute(&cfg, &s);
        double wall = MPI_Wtime() - t0;
        send_op(&d, OP_STOP, NULL, NULL, 0, &dr.msg);
        cli_buf_free(&dr.msg);
        if (timing)
            report_timing(&d, wall);
    } else {
        serve(&d, &cfg);
        status = CLI_EXIT_HITS;
        if (timing)
            report_timing(&d, 0);
    }
    MPI_Op_free(&d.op_stats);
    ls_reader_close(d.r);
    free(d.parts);
    free(d.partial);
    cli_search_cfg_free(&cfg);
    return status;
}
