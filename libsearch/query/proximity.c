/* SPDX-License-Identifier: MIT */
/*
 * proximity.c - BM25TP re-ranking (see proximity.h). Per segment, one positional term cursor
 * per query term walks forward through the candidates in document order; a candidate's
 * occurrences are merged by position into one reused buffer, so scoring allocates nothing per
 * posting.
 */
#include "query/proximity.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

typedef struct occ {
    uint32_t pos;
    uint32_t term;
} occ;

struct ls_proximity {
    const ls_plan *p;
    double weight;
    size_t leaf[LS_PROXIMITY_MAX_TERMS];
    double w[LS_PROXIMITY_MAX_TERMS]; /* summed weights of the term's clauses */
    size_t n;
    /* cursors of segment seg (UINT32_MAX: none yet); last = the last document scored */
    uint32_t seg;
    uint32_t last;
    ls_term_cursor *cur[LS_PROXIMITY_MAX_TERMS];
    double acc[LS_PROXIMITY_MAX_TERMS];
    occ *occ;
    size_t occ_cap;
};

typedef struct prox_term {
    size_t leaf; /* the first clause's leaf */
    double w;    /* summed weights of the term's clauses */
} prox_term;

/* Collects the distinct terms of the all-field TERM clauses under positive clauses, in query
 * order, summing the weights of a term's clauses. */
static void collect(const ls_plan *p, const ls_plan_node *n, prox_term *terms, size_t *count)
{
    if (n->kind == LS_Q_BOOL) {
        for (size_t i = 0; i < n->n_kids; i++)
            if (n->occur[i] != LS_OCCUR_NOT)
                collect(p, &n->kids[i], terms, count);
        return;
    }
    if (n->kind != LS_Q_TERM || n->field != LS_FIELD_ALL)
        return;
    const ls_plan_leaf *l = &p->leaves[n->leaves[0]];
    if (!(l->df > 0)) /* in no document: it can neighbour nothing (and must not take a place) */
        return;
    for (size_t i = 0; i < *count; i++) {
        const ls_plan_leaf *o = &p->leaves[terms[i].leaf];
        if (o->key_len == l->key_len && memcmp(o->key, l->key, l->key_len) == 0) {
            terms[i].w += l->sc.weight;
            return;
        }
    }
    terms[(*count)++] = (prox_term){n->leaves[0], l->sc.weight};
}

/* Clauses in a plan node tree: a bound on the terms collect can find. */
static size_t count_clauses(const ls_plan_node *n)
{
    size_t c = n->kind == LS_Q_TERM;
    for (size_t i = 0; n->kind == LS_Q_BOOL && i < n->n_kids; i++)
        c += count_clauses(&n->kids[i]);
    return c;
}

static int cmp_strength(const void *a, const void *b, void *plan)
{
    const prox_term *x = a, *y = b;
    const ls_plan *p = plan;
    double sx = p->leaves[x->leaf].sc.idf * x->w, sy = p->leaves[y->leaf].sc.idf * y->w;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

int ls_proximity_new(const ls_plan *p, double weight, ls_proximity **out, ls_error *err)
{
    *out = NULL;
    size_t cap = count_clauses(&p->root);
    prox_term *terms = ls_calloc(cap ? cap : 1, sizeof *terms);
    if (terms == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t n = 0;
    collect(p, &p->root, terms, &n);
    if (n > LS_PROXIMITY_MAX_TERMS)
        qsort_r(terms, n, sizeof *terms, cmp_strength, (void *)p);
    if (n < 2 || !(weight > 0)) {
        ls_free(terms);
        return LS_OK;
    }
    ls_proximity *x = ls_calloc(1, sizeof *x);
    if (x == NULL) {
        ls_free(terms);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    x->p = p;
    x->weight = weight;
    x->n = n < LS_PROXIMITY_MAX_TERMS ? n : LS_PROXIMITY_MAX_TERMS;
    for (size_t j = 0; j < x->n; j++) {
        x->leaf[j] = terms[j].leaf;
        x->w[j] = terms[j].w;
    }
    x->seg = UINT32_MAX;
    ls_free(terms);
    *out = x;
    return LS_OK;
}

static void drop_cursors(ls_proximity *x)
{
    for (size_t j = 0; j < x->n; j++) {
        if (x->cur[j] != NULL)
            ls_cursor_free(ls_term_cursor_base(x->cur[j]));
        x->cur[j] = NULL;
    }
    x->seg = UINT32_MAX;
}

void ls_proximity_set_weight(ls_proximity *x, double weight) { x->weight = weight; }

void ls_proximity_free(ls_proximity *x)
{
    if (x == NULL)
        return;
    drop_cursors(x);
    ls_free(x->occ);
    ls_free(x);
}

/* Positions the cursors on segment si, able to reach local document doc. */
static int open_segment(ls_proximity *x, uint32_t si, uint32_t doc, ls_error *err)
{
    if (x->seg == si && doc >= x->last)
        return LS_OK;
    drop_cursors(x);
    const ls_segment *s = x->p->r->segs[si].seg;
    for (size_t j = 0; j < x->n; j++) {
        const ls_term_meta *meta = ls_plan_leaf_meta(x->p, x->leaf[j], si);
        if (meta == NULL)
            continue;
        int rc = ls_term_cursor_new(s, meta, LS_FIELD_ALL, NULL, 1, &x->cur[j], err);
        if (rc != LS_OK) {
            drop_cursors(x);
            return rc;
        }
    }
    x->seg = si;
    x->last = 0;
    return LS_OK;
}

static int cmp_occ(const void *a, const void *b)
{
    const occ *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int damaged(const ls_segment *s, int rc, ls_error *err)
{
    if (rc == LS_ENOMEM)
        return ls_error_set(err, rc, "out of memory");
    return ls_error_set(err, rc, "'%s' or '%s': damaged postings while scoring proximity",
                        s->doc.path, s->pos.path);
}

/* Gathers doc's query-term occurrences into x->occ; *len = its all-field length. */
static int gather(ls_proximity *x, uint32_t si, uint32_t doc, size_t *n_occ, size_t *present,
                  uint32_t *len, ls_error *err)
{
    const ls_segment *s = x->p->r->segs[si].seg;
    *n_occ = *present = 0;
    *len = 0;
    for (size_t j = 0; j < x->n; j++) {
        if (x->cur[j] == NULL)
            continue;
        ls_cursor *c = ls_term_cursor_base(x->cur[j]);
        int rc = ls_cursor_advance(c, doc);
        if (rc != LS_OK)
            return damaged(s, rc, err);
        if (c->doc != doc)
            continue;
        const uint32_t *pos;
        uint32_t np;
        rc = ls_term_cursor_positions(x->cur[j], &pos, &np);
        if (rc != LS_OK)
            return damaged(s, rc, err);
        if (ls_grow(&x->occ, &x->occ_cap, *n_occ + np, sizeof *x->occ) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < np; i++)
            x->occ[(*n_occ)++] = (occ){pos[i], (uint32_t)j};
        *len = ls_term_cursor_doclen(x->cur[j]);
        (*present)++;
    }
    x->last = doc;
    return LS_OK;
}

int ls_proximity_doc(ls_proximity *x, uint64_t doc, double *bonus, ls_proximity_term *terms,
                     size_t *n_terms, ls_error *err)
{
    const ls_reader *r = x->p->r;
    uint32_t si = ls_reader_segment_of(r, doc);
    uint32_t local = (uint32_t)(doc - r->segs[si].base);
    *bonus = 0;
    if (n_terms != NULL)
        *n_terms = 0;
    int rc = open_segment(x, si, local, err);
    size_t n_occ, present;
    uint32_t len;
    if (rc == LS_OK)
        rc = gather(x, si, local, &n_occ, &present, &len, err);
    if (rc != LS_OK || present < 2)
        return rc;
    qsort(x->occ, n_occ, sizeof *x->occ, cmp_occ);
    memset(x->acc, 0, x->n * sizeof *x->acc);
    for (size_t i = 1; i < n_occ; i++) {
        uint32_t a = x->occ[i - 1].term, b = x->occ[i].term;
        if (a == b)
            continue;
        double d = (double)x->occ[i].pos - (double)x->occ[i - 1].pos;
        x->acc[a] += x->p->leaves[x->leaf[b]].sc.idf / (d * d);
        x->acc[b] += x->p->leaves[x->leaf[a]].sc.idf / (d * d);
    }
    for (size_t j = 0; j < x->n; j++) {
        if (!(x->acc[j] > 0))
            continue;
        const ls_bm25_term *sc = &x->p->leaves[x->leaf[j]].sc;
        double k = sc->k1a + sc->k1b * len;
        double idf = sc->idf < 1 ? sc->idf : 1;
        double part = x->weight * x->w[j] * idf * x->acc[j] * (sc->k1 + 1) / (x->acc[j] + k);
        *bonus += part;
        if (terms != NULL)
            terms[(*n_terms)++] = (ls_proximity_term){x->leaf[j], x->w[j], x->acc[j], part, len};
    }
    return LS_OK;
}

static int cmp_doc(const void *a, const void *b)
{
    const ls_scored *x = a, *y = b;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

int ls_proximity_rerank(ls_proximity *x, ls_topk *top, size_t depth, ls_error *err)
{
    size_t n = top->n < depth ? top->n : depth;
    qsort(top->heap, n, sizeof *top->heap, cmp_doc); /* cursors only move forward */
    for (size_t i = 0; i < n; i++) {
        double bonus;
        int rc = ls_proximity_doc(x, top->heap[i].doc, &bonus, NULL, NULL, err);
        if (rc != LS_OK) {
            qsort(top->heap, n, sizeof *top->heap, ls_scored_cmp_best_first);
            return rc;
        }
        top->heap[i].score += bonus;
    }
    qsort(top->heap, n, sizeof *top->heap, ls_scored_cmp_best_first);
    return LS_OK;
}
