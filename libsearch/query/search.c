/* SPDX-License-Identifier: MIT */
/*
 * search.c - ls_search: parse, plan, run the exhaustive document-at-a-time executor over every
 * segment into a top-k heap with an exact hit count, then fetch stored fields, snippets and
 * explanations for the returned hits. The results live in one arena freed by ls_hits_free.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "highlight/snippet.h"
#include "libsearch.h"
#include "query/bulk_or.h"
#include "query/collector.h"
#include "query/feedback.h"
#include "query/parser.h"
#include "query/options.h"
#include "query/planner.h"
#include "query/proximity.h"
#include "query/term_run.h"
#include "query/topk.h"
#include "reader/anpool.h"
#include "reader/snapshot.h"
#include "reader/stats.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

struct ls_hits {
    ls_arena arena;
    uint64_t total;
    int total_exact;
    size_t n;
    ls_hit *hits;
};

/* The count of matches a search reports. */
typedef struct match_count {
    uint64_t total;
    int exact; /* nonzero: total is every match; else a lower bound */
} match_count;

/* Runs the plan over every segment into top: a single term (with its title term or not) and
 * the shapes of bulk_or.h by their executors, which skip what cannot enter once count_limit
 * matches are counted, and so does a phrase alone where it is one word pair (its pair's
 * postings, as a term's); everything else document at a time, every match collected (a
 * phrase alone passing over documents whose best possible score cannot enter, before
 * reading their positions, or reading them best bound first: cur_phrase.c). */
static int execute(const ls_reader *r, const ls_plan *plan, ls_topk *top, uint64_t count_limit,
                   match_count *count, ls_error *err)
{
    int bulk = ls_bulk_or_applies(&plan->root), term = ls_term_run_applies(&plan->root);
    int phrase = ls_plan_unwrap(&plan->root)->kind == LS_Q_PHRASE;
    ls_collector col;
    ls_collector_init(&col, top, count_limit);
    for (uint32_t i = 0; i < r->nsegs; i++) {
        const ls_segment *s = r->segs[i].seg;
        ls_collector_segment(&col, r, i);
        if (bulk || term) {
            int rc = term ? ls_term_run(plan, &plan->root, i, &col, err)
                          : ls_bulk_or_run(plan, &plan->root, i, &col, err);
            if (rc != LS_OK)
                return rc;
            continue;
        }
        ls_cursor *c;
        int rc = ls_plan_cursor(plan, &plan->root, i, &c, err);
        if (rc != LS_OK)
            return rc;
        if (c == NULL)
            continue;
        ls_term_cursor *pair = phrase ? ls_phrase_cursor_pair(c) : NULL;
        if (pair != NULL) { /* a phrase that is one word pair: that pair's postings, by block */
            rc = ls_term_run_blocks(pair, &col);
            ls_cursor_free(c);
            if (rc != LS_OK)
                return ls_error_set(err, rc, "'%s': damaged postings while searching",
                                    s->doc.path);
            continue;
        }
        if (phrase)
            ls_phrase_cursor_prune(c, &col);
        while (c->doc != LS_DOC_END) {
            ls_collector_collect(&col, c->doc,
                                 ls_collector_counts_only(&col) ? 0 : ls_cursor_score(c));
            rc = ls_cursor_next(c);
            if (rc != LS_OK) {
                ls_cursor_free(c);
                return rc == LS_ENOMEM
                           ? ls_error_set(err, rc, "out of memory while searching")
                           : ls_error_set(err, rc, "'%s' or '%s': damaged postings while searching",
                                          s->doc.path, s->pos.path);
            }
        }
        ls_cursor_free(c);
    }
    count->total = col.total;
    count->exact = col.exact;
    return LS_OK;
}

/* A count-only search (no feedback, which could widen the matches) of one prefix: its merged
 * postings are its live matches, whose number the planner already has. (One term is counted
 * before any planning: count_one_term.) */
static int count_from_df(const ls_plan *p, size_t want, unsigned feedback_docs,
                         match_count *count)
{
    if (want > 0 || feedback_docs > 0)
        return 0;
    const ls_plan_node *n = ls_plan_unwrap(&p->root); /* the parser's root: BOOL(t), BOOL(+t) */
    if (n->kind != LS_Q_PREFIX)
        return 0;
    count->total = (uint64_t)n->local_df;
    count->exact = 1;
    return 1;
}

/* Terms to mark in snippets: every term under a positive clause, of the all/body fields. */
static int collect_terms(const ls_plan *p, const ls_plan_node *n, ls_strtab *terms)
{
    if (n->kind == LS_Q_BOOL) {
        for (size_t i = 0; i < n->n_kids; i++)
            if (n->occur[i] != LS_OCCUR_NOT && collect_terms(p, &n->kids[i], terms) != LS_OK)
                return LS_ENOMEM;
        return LS_OK;
    }
    for (size_t i = 0; i < n->n_leaves; i++) {
        const ls_plan_leaf *l = &p->leaves[n->leaves[i]];
        uint32_t id;
        if (l->field != LS_FIELD_TITLE &&
            ls_strtab_intern(terms, l->key + 1, l->key_len - 1, &id, NULL) != LS_OK)
            return LS_ENOMEM;
    }
    return LS_OK;
}

typedef struct explain_acc {
    ls_term_explain *v;
    size_t n, cap;
    ls_arena *arena;
} explain_acc;

static ls_term_explain *explain_push(explain_acc *a)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 8;
        ls_term_explain *nv = ls_arena_alloc(a->arena, ncap * sizeof *nv);
        if (nv == NULL)
            return NULL;
        if (a->n)
            memcpy(nv, a->v, a->n * sizeof *nv);
        a->v = nv;
        a->cap = ncap;
    }
    return &a->v[a->n++];
}

/* Cursor moves return bare codes (cursor.h): say what failed and where. */
static int cursor_error(const ls_segment *s, int rc, ls_error *err)
{
    if (rc == LS_ENOMEM)
        return ls_error_set(err, rc, "out of memory");
    return ls_error_set(err, rc, "'%s' or '%s': damaged postings while explaining a hit",
                        s->doc.path, s->pos.path);
}

/* One entry: what a scorer with constants sc gave the document. */
static void fill_entry(ls_term_explain *e, const char *term, int field, double tf, double df,
                       double doc_len, const ls_bm25_term *sc, double score)
{
    e->term = term;
    e->field = ls_field_name(field);
    e->tf = tf;
    e->df = df;
    e->idf = sc->idf;
    e->doc_len = doc_len;
    e->avg_len = sc->avglen;
    e->k1 = sc->k1;
    e->b = sc->b;
    e->weight = sc->weight;
    e->score = score;
}

static int explain_leaf(const ls_plan *p, size_t leaf, uint32_t si, uint32_t doc,
                        explain_acc *a, ls_error *err)
{
    const ls_plan_leaf *l = &p->leaves[leaf];
    const ls_segment *s = p->r->segs[si].seg;
    const ls_term_meta *meta = ls_plan_leaf_meta(p, leaf, si);
    if (meta == NULL)
        return LS_OK;
    ls_term_cursor *t;
    int rc = ls_term_cursor_new(s, meta, l->field, &l->sc, 0, &t, err);
    if (rc != LS_OK)
        return rc;
    ls_cursor *c = ls_term_cursor_base(t);
    rc = ls_cursor_advance(c, doc);
    if (rc != LS_OK)
        rc = cursor_error(s, rc, err);
    if (rc == LS_OK && c->doc == doc) {
        ls_term_explain *e = explain_push(a);
        const char *term =
            e ? ls_arena_strndup(a->arena, (const char *)l->key + 1, l->key_len - 1) : NULL;
        if (term == NULL) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        } else {
            fill_entry(e, term, l->field, ls_term_cursor_tf(t), l->df, ls_term_cursor_doclen(t),
                       &l->sc, ls_cursor_score(c));
        }
    }
    ls_cursor_free(c);
    return rc;
}

static int explain_phrase(const ls_plan *p, const ls_plan_node *n, ls_cursor *c,
                          explain_acc *a, ls_error *err)
{
    ls_term_explain *e = explain_push(a);
    if (e == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t len = 0;
    for (size_t i = 0; i < n->n_leaves; i++)
        len += p->leaves[n->leaves[i]].key_len;
    char *s = ls_arena_alloc(a->arena, len + 1);
    if (s == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < n->n_leaves; i++) {
        const ls_plan_leaf *l = &p->leaves[n->leaves[i]];
        if (i)
            s[at++] = ' ';
        memcpy(s + at, l->key + 1, l->key_len - 1);
        at += l->key_len - 1;
    }
    s[at] = '\0';
    /* df -1: not computed for phrases */
    fill_entry(e, s, n->field, ls_phrase_cursor_freq(c), -1, ls_phrase_cursor_doclen(c), &n->sc,
               ls_cursor_score(c));
    return LS_OK;
}

/* A prefix's one entry: its expansions' summed frequency, the union's df. */
static int explain_prefix(const ls_plan_node *n, ls_cursor *c, explain_acc *a, ls_error *err)
{
    ls_term_explain *e = explain_push(a);
    const char *term = e ? ls_arena_strndup(a->arena, n->prefix, strlen(n->prefix)) : NULL;
    if (term == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    fill_entry(e, term, n->field, ls_list_cursor_freq(c), n->df, ls_list_cursor_doclen(c),
               &n->sc, ls_cursor_score(c));
    return LS_OK;
}

/* Adds the contributions of node n to document doc of s, descending only into clauses that
 * match it, so the entries add up to the hit's score. */
static int explain_node(const ls_plan *p, const ls_plan_node *n, uint32_t si, uint32_t doc,
                        explain_acc *a, ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    if (n->kind == LS_Q_TERM)
        return explain_leaf(p, n->leaves[0], si, doc, a, err);
    if (n->kind == LS_Q_ALL)
        return LS_OK;
    ls_cursor *c;
    int rc = ls_plan_cursor(p, n, si, &c, err);
    if (rc != LS_OK || c == NULL)
        return rc;
    rc = ls_cursor_advance(c, doc);
    if (rc != LS_OK)
        rc = cursor_error(s, rc, err);
    if (rc == LS_OK && c->doc == doc) {
        if (n->kind == LS_Q_PHRASE)
            rc = explain_phrase(p, n, c, a, err);
        if (n->kind == LS_Q_PREFIX)
            rc = explain_prefix(n, c, a, err);
        for (size_t i = 0; rc == LS_OK && n->kind == LS_Q_BOOL && i < n->n_kids; i++)
            if (n->occur[i] != LS_OCCUR_NOT)
                rc = explain_node(p, &n->kids[i], si, doc, a, err);
    }
    ls_cursor_free(c);
    return rc;
}

typedef struct fetch_ctx {
    const ls_reader *r;
    const ls_search_options *o;
    const ls_plan *plan;      /* the query run: explanations */
    const ls_plan *mark_plan; /* the query as asked: terms marked in snippets */
    ls_analyzer *an;
    ls_proximity *prox;       /* the proximity bonus of re-ranked hits, or NULL */
    double prox_weight;       /* its weight (scaled like the query when feedback expanded it) */
    size_t prox_rank;         /* hits ranked before this were re-ranked */
    ls_strtab terms;
    ls_doc_fetcher docs;
} fetch_ctx;

/* One explanation entry per query term sharing in the hit's proximity bonus. */
static int explain_proximity(fetch_ctx *f, uint64_t doc, explain_acc *a, ls_error *err)
{
    ls_proximity_term parts[LS_PROXIMITY_MAX_TERMS];
    size_t n;
    double bonus;
    int rc = ls_proximity_doc(f->prox, doc, &bonus, parts, &n, err);
    for (size_t i = 0; rc == LS_OK && i < n; i++) {
        const ls_plan_leaf *l = &f->mark_plan->leaves[parts[i].leaf];
        ls_term_explain *e = explain_push(a);
        const char *term =
            e ? ls_arena_strndup(a->arena, (const char *)l->key + 1, l->key_len - 1) : NULL;
        if (term == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        e->term = term;
        e->field = "proximity";
        e->tf = parts[i].acc;
        e->df = l->df;
        e->idf = l->sc.idf < 1 ? l->sc.idf : 1;
        e->doc_len = parts[i].doc_len;
        e->avg_len = l->sc.avglen;
        e->k1 = l->sc.k1;
        e->b = l->sc.b;
        e->weight = f->prox_weight * parts[i].w;
        e->score = parts[i].score;
    }
    return rc;
}

static int fill_hit(fetch_ctx *f, ls_hits *h, ls_hit *hit, const ls_scored *sc, int reranked,
                    ls_error *err)
{
    const char *fields[4];
    size_t lens[4];
    /* A hit list without snippets needs no body: the meta column spares the inflating. */
    int rc = f->o->snippets ? ls_reader_fetch(f->r, &f->docs, sc->doc, fields, lens, err)
                            : ls_reader_fetch_meta(f->r, sc->doc, fields, lens, err);
    if (rc != LS_OK)
        return rc;
    uint32_t si = ls_reader_segment_of(f->r, sc->doc);
    uint32_t local = (uint32_t)(sc->doc - f->r->segs[si].base);
    hit->score = sc->score;
    hit->doc = sc->doc;
    hit->index = f->r->segs[si].part;
    hit->id = ls_arena_strndup(&h->arena, fields[0], lens[0]);
    hit->id_len = lens[0];
    hit->title = ls_arena_strndup(&h->arena, fields[1], lens[1]);
    hit->title_len = lens[1];
    hit->path = ls_arena_strndup(&h->arena, fields[3], lens[3]);
    hit->path_len = lens[3];
    if (!hit->id || !hit->title || !hit->path)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    if (f->o->snippets) {
        ls_snippet *sn = ls_arena_alloc(&h->arena, sizeof *sn);
        if (sn == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        int body = lens[2] > 0;
        rc = ls_snippet_build(f->an, body ? fields[2] : fields[1], body ? lens[2] : lens[1],
                              &f->terms, f->o->snippet_words, body ? LS_FIELD_BODY : LS_FIELD_TITLE,
                              &h->arena, sn, err);
        if (rc != LS_OK)
            return rc;
        hit->snippet = sn;
    }
    if (f->o->explain) {
        explain_acc a = {NULL, 0, 0, &h->arena};
        rc = explain_node(f->plan, &f->plan->root, si, local, &a, err);
        if (rc == LS_OK && reranked && f->prox != NULL)
            rc = explain_proximity(f, sc->doc, &a, err);
        ls_explain *ex = ls_arena_alloc(&h->arena, sizeof *ex);
        if (rc == LS_OK && ex == NULL)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        if (rc != LS_OK)
            return rc;
        ex->n_docs = f->plan->n_docs;
        ex->n_terms = a.n;
        ex->terms = a.v;
        hit->explain = ex;
    }
    return LS_OK;
}

static int cmp_by_doc(const void *a, const void *b, void *payload)
{
    const ls_scored *heap = payload;
    uint64_t x = heap[*(const size_t *)a].doc, y = heap[*(const size_t *)b].doc;
    return x < y ? -1 : x > y;
}

static int make_hits(fetch_ctx *f, const ls_topk *top, ls_hits *h, ls_error *err)
{
    size_t from = f->o->offset < top->n ? f->o->offset : top->n;
    h->n = top->n - from;
    h->hits = ls_arena_alloc(&h->arena, (h->n ? h->n : 1) * sizeof *h->hits);
    if (h->hits == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    if (f->o->snippets && collect_terms(f->mark_plan, &f->mark_plan->root, &f->terms) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    /* Fetch in document order, so each stored chunk is inflated once, not once per hit. */
    size_t few[64], *order = h->n <= 64 ? few : ls_calloc(h->n, sizeof *order);
    if (order == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (size_t i = 0; i < h->n; i++)
        order[i] = from + i;
    if (order != few) {
        qsort_r(order, h->n, sizeof *order, cmp_by_doc, (void *)top->heap);
    } else { /* a page of hits: insertion, without calls through a comparator */
        for (size_t i = 1; i < h->n; i++) {
            size_t v = order[i], j = i;
            for (; j > 0 && top->heap[order[j - 1]].doc > top->heap[v].doc; j--)
                order[j] = order[j - 1];
            order[j] = v;
        }
    }
    int rc = LS_OK;
    for (size_t i = 0; i < h->n && rc == LS_OK; i++)
        rc = fill_hit(f, h, &h->hits[order[i] - from], &top->heap[order[i]],
                      order[i] < f->prox_rank, err);
    if (order != few)
        ls_free(order);
    return rc;
}

/* RM3, after the first pass left its results sorted in *top: expands *q from them and, when
 * the expansion added anything, plans it into *expanded and runs it into a fresh *top of k
 * results (else the first pass stands). */
static int feedback_pass(const ls_reader *r, const ls_search_options *o, ls_analyzer *an,
                         ls_qnode **q, size_t k, ls_topk *top, match_count *count,
                         ls_plan *expanded, const ls_plan **run, ls_error *err)
{
    ls_feedback_params fp = {o->feedback_docs, o->feedback_terms, o->feedback_weight,
                             o->feedback_widen};
    const ls_qnode *asked = *q;
    int rc;
    if (o->n_expansion > 0) { /* the collection's, made over shards */
        rc = ls_feedback_apply(q, o->expansion, o->n_expansion, &fp);
        if (rc != LS_OK)
            return ls_error_set(err, rc, "out of memory");
    } else {
        rc = ls_feedback_expand(r, an, top, &fp, q, err);
    }
    if (rc != LS_OK || *q == asked)
        return rc;
    rc = ls_plan_build(expanded, r, *q, o, err);
    if (rc != LS_OK)
        return rc;
    *run = expanded;
    ls_topk_free(top);
    if (ls_topk_init(top, k) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    rc = execute(r, expanded, top, o->count_limit, count, err);
    ls_topk_sort(top);
    return rc;
}

/* What a search and a fetch both hold: the options read, the parsed query and its plan (and
 * the expanded one when feedback ran), the results and how their hits are made. */
typedef struct search_state {
    ls_search_options opt;
    ls_analyzer *an;
    ls_qnode *q;
    ls_plan plan, expanded;
    const ls_plan *run; /* the plan that scored: plan, or expanded */
    ls_topk top;
    fetch_ctx f;
    ls_hits *h;
} search_state;

/* A count only (nothing returned, no feedback) of one term: its matches are the live
 * documents holding it, whose number the dictionaries give (deletions subtracted, a body term
 * counted by its filtered scan: reader/stats.h) without planning anything.
 * @return 1 with *total set, 0 when the query is not one, or an error. */
static int count_one_term(const ls_reader *r, const ls_search_options *o, const ls_qnode *q,
                          uint64_t *total, ls_error *err)
{
    if (o->limit > 0 || o->feedback_docs > 0)
        return 0;
    if (q->kind == LS_Q_BOOL && q->n_kids == 1 && q->occur[0] != LS_OCCUR_NOT)
        q = q->kids[0];
    if (q->kind != LS_Q_TERM || q->len + 1 > LS_MAX_KEY_BYTES)
        return 0; /* planning tells a term too long */
    double df = 0;
    int rc = ls_stats_term_df(r, q->field, q->text, q->len, &df, err);
    if (rc != LS_OK)
        return rc;
    *total = (uint64_t)df;
    return 1;
}

/* Reads the options, parses and plans the query (a count of one term is answered here:
 * *counted). Whatever it returns, state_end frees st. */
static int state_begin(search_state *st, const ls_reader *r, const char *query,
                       size_t query_len, const ls_search_options *opts, int *counted,
                       ls_error *err)
{
    memset(st, 0, sizeof *st);
    st->run = &st->plan;
    st->f.docs = (ls_doc_fetcher)LS_DOC_FETCHER_INIT;
    int rc = ls_search_read_options(opts, &st->opt, err);
    if (rc != LS_OK)
        return rc;
    const ls_search_options *o = &st->opt;
    if ((st->h = ls_calloc(1, sizeof *st->h)) == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    rc = ls_anpool_take(r->analyzers, &st->an, err);
    ls_parse_options po = {o->syntax, o->default_and, 1};
    if (rc == LS_OK)
        rc = ls_query_parse(query ? query : "", query_len, &po, st->an, &st->q, err);
    if (rc == LS_OK && counted != NULL) {
        rc = count_one_term(r, o, st->q, &st->h->total, err);
        *counted = rc == 1;
        st->h->total_exact = 1;
        if (rc == 1)
            return LS_OK;
    }
    if (rc == LS_OK)
        rc = ls_plan_build(&st->plan, r, st->q, o, err);
    return rc;
}

/* Makes the hits of st->top (best first) into st->h, then hands them to *out. */
static int state_hits(search_state *st, const ls_reader *r, ls_hits **out, ls_error *err)
{
    st->f.r = r;
    st->f.o = &st->opt;
    st->f.plan = st->run;
    st->f.mark_plan = &st->plan; /* snippets mark the query as asked */
    st->f.an = st->an;
    int rc = make_hits(&st->f, &st->top, st->h, err);
    if (rc == LS_OK) {
        *out = st->h;
        st->h = NULL;
    }
    return rc;
}

static int state_end(search_state *st, const ls_reader *r, int rc, const char *what,
                     ls_error *err)
{
    ls_proximity_free(st->f.prox);
    ls_doc_fetcher_free(&st->f.docs);
    ls_strtab_free(&st->f.terms);
    ls_topk_free(&st->top);
    ls_plan_free(&st->expanded);
    ls_plan_free(&st->plan);
    ls_qnode_free(st->q);
    ls_anpool_give(r->analyzers, st->an);
    ls_hits_free(st->h);
    if (rc != LS_OK && err != NULL && err->code == LS_OK) /* contract: a failure always says so */
        ls_error_set(err, rc, "%s failed: %s", what, ls_strerror(rc));
    return rc;
}

LS_API int ls_search(const ls_reader *r, const char *query, size_t query_len,
                     const ls_search_options *opts, ls_hits **out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || (query == NULL && query_len > 0))
        return ls_error_set(err, LS_EINVAL, "ls_search: NULL reader, query or out");
    *out = NULL;
    search_state st;
    const ls_search_options *o = &st.opt;
    fetch_ctx *f = &st.f;
    int counted = 0;
    int rc = state_begin(&st, r, query, query_len, opts, &counted, err);
    if (rc != LS_OK)
        goto fail;
    if (counted) { /* no hits: the count is the answer */
        *out = st.h;
        st.h = NULL;
        goto fail;
    }
    /* The first pass keeps enough results for the page, for feedback and for re-ranking. */
    size_t want = o->limit + o->offset;
    f->prox_weight = o->proximity;
    if (o->proximity > 0 && want > 0)
        LS_TRY(ls_proximity_new(&st.plan, o->proximity, &f->prox, err));
    size_t depth = f->prox == NULL ? 0
                   : o->proximity_depth ? o->proximity_depth
                                        : LS_DEFAULT_PROXIMITY_DEPTH;
    size_t keep = want > depth ? want : depth;
    /* Feedback scales the original query's scores; the bonus goes with them. */
    double prox_scale = f->prox != NULL && o->feedback_docs > 0
                            ? ls_feedback_query_scale(st.q, o->feedback_weight)
                            : 1.0;
    /* An expansion given (shards) replaces the first pass, which gave it elsewhere. */
    int first_pass = o->n_expansion == 0;
    size_t first = o->feedback_docs > keep && first_pass ? o->feedback_docs : keep;
    if (ls_topk_init(&st.top, first) != LS_OK) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        goto fail;
    }
    match_count count = {0, 1};
    if (first_pass && !count_from_df(&st.plan, want, o->feedback_docs, &count))
        LS_TRY(execute(r, &st.plan, &st.top, o->count_limit, &count, err));
    ls_topk_sort(&st.top);
    if (o->feedback_docs > 0)
        LS_TRY(feedback_pass(r, o, st.an, &st.q, keep, &st.top, &count, &st.expanded, &st.run,
                             err));
    st.h->total = count.total;
    st.h->total_exact = count.exact;
    if (f->prox != NULL) {
        if (st.run == &st.expanded) {
            f->prox_weight = o->proximity * prox_scale;
            ls_proximity_set_weight(f->prox, f->prox_weight);
        }
        LS_TRY(ls_proximity_rerank(f->prox, &st.top, depth, err));
        f->prox_rank = depth;
    }
    if (st.top.n > want)
        st.top.n = want; /* sorted best first: the page's results lead */
    rc = state_hits(&st, r, out, err);
fail:
    return state_end(&st, r, rc, "search", err);
}

LS_API int ls_search_fetch(const ls_reader *r, const char *query, size_t query_len,
                           const ls_search_options *opts, const uint64_t *docs,
                           const double *scores, size_t n, ls_hits **out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || (query == NULL && query_len > 0) ||
        (n > 0 && (docs == NULL || scores == NULL)))
        return ls_error_set(err, LS_EINVAL, "ls_search_fetch: NULL reader, query, documents "
                            "or out");
    *out = NULL;
    if (n > LS_MAX_LIMIT)
        return ls_error_set(err, LS_ELIMIT, "ls_search_fetch: at most %u documents",
                            LS_MAX_LIMIT);
    for (size_t i = 0; i < n; i++)
        if (!ls_reader_live(r, docs[i]))
            return ls_error_set(err, LS_ENOTFOUND, "no live document %llu in this reader",
                                (unsigned long long)docs[i]);
    search_state st;
    const ls_search_options *o = &st.opt;
    int rc = state_begin(&st, r, query, query_len, opts, NULL, err);
    if (rc != LS_OK)
        goto fail;
    st.opt.offset = 0; /* the hits asked for are the page */
    if (o->n_expansion > 0) { /* explanations follow the expanded query, as the search ran */
        ls_feedback_params fp = {o->feedback_docs, o->feedback_terms, o->feedback_weight,
                                 o->feedback_widen};
        if (ls_feedback_apply(&st.q, o->expansion, o->n_expansion, &fp) != LS_OK) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
            goto fail;
        }
        LS_TRY(ls_plan_build(&st.expanded, r, st.q, o, err));
        st.run = &st.expanded;
    }
    if (ls_topk_init(&st.top, n) != LS_OK) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        st.top.heap[i] = (ls_scored){scores[i], docs[i]};
    st.top.n = n;
    st.h->total = n;
    st.h->total_exact = 1;
    rc = state_hits(&st, r, out, err);
fail:
    return state_end(&st, r, rc, "fetch", err);
}

LS_API uint64_t ls_hits_total(const ls_hits *h) { return h ? h->total : 0; }
LS_API int ls_hits_total_exact(const ls_hits *h) { return h ? h->total_exact : 1; }
LS_API size_t ls_hits_count(const ls_hits *h) { return h ? h->n : 0; }
LS_API const ls_hit *ls_hits_get(const ls_hits *h, size_t i)
{
    return h && i < h->n ? &h->hits[i] : NULL;
}

LS_API void ls_hits_free(ls_hits *h)
{
    if (h == NULL)
        return;
    ls_arena_free(&h->arena);
    ls_free(h);
}
