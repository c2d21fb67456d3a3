/* SPDX-License-Identifier: MIT */
/*
 * feedback.c - RM3 expansion (see feedback.h). The feedback documents' stored title and body
 * are analyzed again (the index keeps no term vectors); each document's terms become a
 * distribution tf / |d| over the terms that pass the filters, and the relevance model is the
 * mixture of those distributions weighted by the documents' normalized first-pass scores.
 */
#include "query/feedback.h"

#include <stdlib.h>
#include <string.h>

#include "format/fields.h"
#include "reader/globalstats.h"
#include "reader/stats.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"

typedef struct fb_posting {
    uint32_t term;
    uint32_t tf;
} fb_posting;

/* Term counts of the feedback documents, one document after another. */
typedef struct fb_docs {
    ls_strtab terms;   /* analyzed term -> id */
    uint32_t *tf;      /* by term id: count in the document being read */
    size_t tf_cap;
    uint32_t *touched; /* ids counted in the document being read */
    size_t n_touched, touched_cap;
    fb_posting *post;  /* (term, tf) of every document, in document order */
    size_t n_post, post_cap;
    size_t budget;     /* bytes of the current document still to read */
} fb_docs;

static int count_token(const ls_token *tok, void *payload)
{
    fb_docs *d = payload;
    if (tok->stop || tok->len < 2)
        return LS_OK;
    uint32_t id;
    if (ls_strtab_intern(&d->terms, tok->text, tok->len, &id, NULL) != LS_OK)
        return LS_ENOMEM;
    if (id >= d->tf_cap) {
        size_t old = d->tf_cap;
        if (ls_grow(&d->tf, &d->tf_cap, (size_t)id + 1, sizeof *d->tf) != LS_OK)
            return LS_ENOMEM;
        memset(d->tf + old, 0, (d->tf_cap - old) * sizeof *d->tf);
    }
    if (d->tf[id]++ == 0) {
        if (ls_grow(&d->touched, &d->touched_cap, d->n_touched + 1, sizeof *d->touched))
            return LS_ENOMEM;
        d->touched[d->n_touched++] = id;
    }
    return LS_OK;
}

static int read_field(fb_docs *d, ls_analyzer *an, const char *text, size_t len)
{
    if (len > d->budget)
        len = d->budget;
    d->budget -= len;
    return ls_analyze(an, text, len, 0, 0, count_token, d, NULL);
}

/* Appends the current document's counts to d->post and clears them. */
static int close_doc(fb_docs *d)
{
    if (ls_grow(&d->post, &d->post_cap, d->n_post + d->n_touched, sizeof *d->post))
        return LS_ENOMEM;
    for (size_t i = 0; i < d->n_touched; i++) {
        uint32_t id = d->touched[i];
        d->post[d->n_post++] = (fb_posting){id, d->tf[id]};
        d->tf[id] = 0;
    }
    d->n_touched = 0;
    return LS_OK;
}

static void fb_docs_free(fb_docs *d)
{
    ls_strtab_free(&d->terms);
    ls_free(d->tf);
    ls_free(d->touched);
    ls_free(d->post);
}

/* Counts one feedback document: its title, then its body, LS_FEEDBACK_MAX_DOC_BYTES at most. */
static int read_doc(fb_docs *d, ls_analyzer *an, const char *title, size_t title_len,
                    const char *body, size_t body_len)
{
    d->budget = LS_FEEDBACK_MAX_DOC_BYTES;
    int rc = read_field(d, an, title, title_len);
    if (rc == LS_OK)
        rc = read_field(d, an, body, body_len);
    if (rc == LS_OK)
        rc = close_doc(d);
    return rc;
}

/* Reads the first n results' title and body; doc_end[i] = end of document i in d->post. */
static int read_docs(const ls_reader *r, ls_analyzer *an, const ls_topk *first, size_t n,
                     fb_docs *d, size_t *doc_end, ls_error *err)
{
    ls_doc_fetcher docs = LS_DOC_FETCHER_INIT;
    int rc = LS_OK;
    for (size_t i = 0; i < n && rc == LS_OK; i++) {
        const char *fields[4];
        size_t lens[4];
        rc = ls_reader_fetch(r, &docs, first->heap[i].doc, fields, lens, err);
        if (rc != LS_OK)
            break;
        if (read_doc(d, an, fields[1], lens[1], fields[2], lens[2]) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        doc_end[i] = d->n_post;
    }
    ls_doc_fetcher_free(&docs);
    return rc;
}

/* Reads documents given by the caller (their texts); doc_end as read_docs. */
static int read_given(ls_analyzer *an, const ls_feedback_doc *docs, size_t n, fb_docs *d,
                      size_t *doc_end, ls_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (read_doc(d, an, docs[i].title, docs[i].title_len, docs[i].body, docs[i].body_len))
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        doc_end[i] = d->n_post;
    }
    return LS_OK;
}

/* Marks the terms found in at most LS_FEEDBACK_MAX_DF_SHARE of the documents: the reader's
 * figures, or those given (global, which must hold every term's df). */
static int mark_kept(const ls_reader *r, const ls_stats *global, const fb_docs *d,
                     uint8_t *keep, ls_error *err)
{
    double n_docs = ls_stats_ndocs(r), avglen[3];
    if (global != NULL) {
        int rc = ls_stats_collection(global, &n_docs, avglen, err);
        if (rc != LS_OK)
            return rc;
    }
    double limit = LS_FEEDBACK_MAX_DF_SHARE * n_docs;
    for (uint32_t id = 0; id < d->terms.count; id++) {
        size_t len;
        const uint8_t *t = ls_strtab_key(&d->terms, id, &len);
        double df = 0;
        int rc = global ? ls_stats_need(global, "df", LS_FIELD_ALL, t, len, &df, err)
                        : ls_stats_term_df(r, LS_FIELD_ALL, t, len, &df, err);
        if (rc != LS_OK)
            return rc;
        keep[id] = df <= limit;
    }
    return LS_OK;
}

typedef struct fb_term {
    uint32_t id;
    double p;
} fb_term;

static int cmp_term(const void *a, const void *b, void *terms)
{
    const fb_term *x = a, *y = b;
    const ls_strtab *sort_terms = terms;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    size_t lx, ly;
    const uint8_t *kx = ls_strtab_key(sort_terms, x->id, &lx);
    const uint8_t *ky = ls_strtab_key(sort_terms, y->id, &ly);
    int c = memcmp(kx, ky, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* The relevance model over the kept terms, strongest first; *n_out terms, summing to 1, their
 * text borrowed from d. */
static int relevance_model(const fb_docs *d, const size_t *doc_end, const double *score,
                           size_t n_docs, const uint8_t *keep, size_t max_terms,
                           ls_expansion_term **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    double total_score = 0;
    for (size_t i = 0; i < n_docs; i++)
        total_score += score[i] > 0 ? score[i] : 0;
    if (!(total_score > 0))
        return LS_OK;
    double *p = ls_calloc(d->terms.count ? d->terms.count : 1, sizeof *p);
    if (p == NULL)
        return LS_ENOMEM;
    for (size_t i = 0, from = 0; i < n_docs; from = doc_end[i], i++) {
        double len = 0;
        for (size_t k = from; k < doc_end[i]; k++)
            if (keep[d->post[k].term])
                len += d->post[k].tf;
        double w = score[i] > 0 ? score[i] / total_score : 0;
        for (size_t k = from; len > 0 && k < doc_end[i]; k++)
            if (keep[d->post[k].term])
                p[d->post[k].term] += w * d->post[k].tf / len;
    }
    size_t n = 0;
    fb_term *v = ls_calloc(d->terms.count ? d->terms.count : 1, sizeof *v);
    if (v == NULL) {
        ls_free(p);
        return LS_ENOMEM;
    }
    for (uint32_t id = 0; id < d->terms.count; id++)
        if (p[id] > 0)
            v[n++] = (fb_term){id, p[id]};
    ls_free(p);
    qsort_r(v, n, sizeof *v, cmp_term, (void *)&d->terms);
    if (n > max_terms)
        n = max_terms;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i].p;
    ls_expansion_term *e = ls_calloc(n ? n : 1, sizeof *e);
    if (e == NULL) {
        ls_free(v);
        return LS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        e[i].term = (const char *)ls_strtab_key(&d->terms, v[i].id, &e[i].len);
        e[i].weight = v[i].p / sum;
    }
    ls_free(v);
    *out = e;
    *n_out = n;
    return LS_OK;
}

/* A bag of terms over title and body: a TERM, a BOOL of SHOULD TERMs, or a BOOL holding one
 * MUST TERM (a lone word under default AND, which means the same as the word alone). */
static int is_bag(const ls_qnode *q)
{
    if (q->kind == LS_Q_TERM)
        return q->field == LS_FIELD_ALL;
    if (q->kind != LS_Q_BOOL || q->n_kids == 0)
        return 0;
    if (q->n_kids == 1 && q->occur[0] == LS_OCCUR_MUST)
        return is_bag(q->kids[0]) && q->kids[0]->kind == LS_Q_TERM;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->occur[i] != LS_OCCUR_SHOULD || q->kids[i]->kind != LS_Q_TERM ||
            q->kids[i]->field != LS_FIELD_ALL)
            return 0;
    return 1;
}

/* Adds a TERM of weight w to bag, or w to the weight of the one already there. */
static int bag_add(ls_qnode *bag, ls_strtab *ids, const void *text, size_t len, double w)
{
    uint32_t id;
    int is_new;
    if (ls_strtab_intern(ids, text, len, &id, &is_new) != LS_OK)
        return LS_ENOMEM;
    if (!is_new) {
        bag->kids[id]->boost += w;
        return LS_OK;
    }
    ls_qnode *t = ls_qnode_term(LS_FIELD_ALL, text, len);
    if (t != NULL)
        t->boost = w;
    return ls_qnode_add(bag, t, LS_OCCUR_SHOULD);
}

static ls_qnode *expand_bag(const ls_qnode *q, const ls_expansion_term *rm, size_t n,
                            double alpha)
{
    ls_qnode *bag = ls_qnode_new(LS_Q_BOOL);
    ls_strtab ids = LS_STRTAB_INIT;
    const ls_qnode *const *kids = q->kind == LS_Q_TERM ? &q : (const ls_qnode *const *)q->kids;
    size_t n_kids = q->kind == LS_Q_TERM ? 1 : q->n_kids;
    double total = 0;
    for (size_t i = 0; i < n_kids; i++)
        total += kids[i]->boost;
    int rc = bag ? LS_OK : LS_ENOMEM;
    for (size_t i = 0; rc == LS_OK && i < n_kids; i++)
        rc = bag_add(bag, &ids, kids[i]->text, kids[i]->len, alpha * kids[i]->boost / total);
    for (size_t i = 0; rc == LS_OK && i < n; i++)
        rc = bag_add(bag, &ids, rm[i].term, rm[i].len, (1 - alpha) * rm[i].weight);
    ls_strtab_free(&ids);
    if (rc != LS_OK) {
        ls_qnode_free(bag);
        return NULL;
    }
    return bag;
}

/* Sum of the boosts of the scoring clauses (terms, phrases, prefixes not under a NOT). */
static double scoring_weight(const ls_qnode *q)
{
    if (q->kind == LS_Q_ALL)
        return 0;
    if (q->kind != LS_Q_BOOL)
        return q->boost;
    double w = 0;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->occur[i] != LS_OCCUR_NOT)
            w += scoring_weight(q->kids[i]);
    return w;
}

double ls_feedback_query_scale(const ls_qnode *q, double query_weight)
{
    double w = scoring_weight(q);
    return w > 0 ? query_weight / w : query_weight;
}

static void scale(ls_qnode *q, double f)
{
    if (q->kind == LS_Q_BOOL) {
        for (size_t i = 0; i < q->n_kids; i++)
            scale(q->kids[i], f);
    } else {
        q->boost *= f;
    }
}

/* Takes q: (+q' e1 e2 ...) with q' = q scaled; on failure q is freed and NULL returned. */
static ls_qnode *expand_structured(ls_qnode *q, const ls_expansion_term *rm, size_t n,
                                   double alpha)
{
    scale(q, ls_feedback_query_scale(q, alpha));
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    if (root == NULL) {
        ls_qnode_free(q);
        return NULL;
    }
    int rc = ls_qnode_add(root, q, LS_OCCUR_MUST);
    for (size_t i = 0; rc == LS_OK && i < n; i++) {
        ls_qnode *e = ls_qnode_term(LS_FIELD_ALL, rm[i].term, rm[i].len);
        if (e != NULL)
            e->boost = (1 - alpha) * rm[i].weight;
        rc = ls_qnode_add(root, e, LS_OCCUR_SHOULD);
    }
    if (rc != LS_OK) {
        ls_qnode_free(root);
        return NULL;
    }
    return root;
}

int ls_feedback_apply(ls_qnode **q, const ls_expansion_term *terms, size_t n,
                      const ls_feedback_params *fp)
{
    if (n == 0)
        return LS_OK;
    ls_qnode *e;
    if (fp->widen && is_bag(*q)) {
        e = expand_bag(*q, terms, n, fp->query_weight);
        if (e != NULL)
            ls_qnode_free(*q);
    } else {
        e = expand_structured(*q, terms, n, fp->query_weight); /* takes *q */
    }
    *q = e;
    return e ? LS_OK : LS_ENOMEM;
}

/* The relevance model of documents already read into d: RM3's expansion terms. */
static int model(const ls_reader *r, const ls_stats *global, const fb_docs *d,
                 const size_t *doc_end, const double *score, size_t n_docs, size_t max_terms,
                 ls_expansion_term **rm, size_t *n_rm, ls_error *err)
{
    uint8_t *keep = ls_calloc(d->terms.count ? d->terms.count : 1, 1);
    int rc = keep ? mark_kept(r, global, d, keep, err)
                  : ls_error_set(err, LS_ENOMEM, "out of memory");
    if (rc == LS_OK &&
        relevance_model(d, doc_end, score, n_docs, keep, max_terms, rm, n_rm) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    ls_free(keep);
    return rc;
}

int ls_feedback_expand(const ls_reader *r, ls_analyzer *an, const ls_topk *first,
                       const ls_feedback_params *fp, ls_qnode **q, ls_error *err)
{
    size_t n_docs = first->n < fp->docs ? first->n : fp->docs;
    if (n_docs == 0)
        return LS_OK;
    fb_docs d;
    memset(&d, 0, sizeof d);
    size_t *doc_end = ls_calloc(n_docs, sizeof *doc_end);
    double *score = ls_calloc(n_docs, sizeof *score);
    ls_expansion_term *rm = NULL;
    size_t n_rm = 0;
    int rc = doc_end && score ? LS_OK : ls_error_set(err, LS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == LS_OK && i < n_docs; i++)
        score[i] = first->heap[i].score;
    if (rc == LS_OK)
        rc = read_docs(r, an, first, n_docs, &d, doc_end, err);
    if (rc == LS_OK)
        rc = model(r, NULL, &d, doc_end, score, n_docs, fp->terms, &rm, &n_rm, err);
    if (rc == LS_OK && ls_feedback_apply(q, rm, n_rm, fp) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    ls_free(rm);
    ls_free(score);
    ls_free(doc_end);
    fb_docs_free(&d);
    return rc;
}

int ls_feedback_given(const ls_reader *r, ls_analyzer *an, const ls_feedback_doc *docs,
                      size_t n, const ls_stats *global, ls_stats *candidates,
                      unsigned max_terms, ls_expansion_term **out, size_t *n_out,
                      ls_error *err)
{
    fb_docs d;
    memset(&d, 0, sizeof d);
    size_t *doc_end = ls_calloc(n ? n : 1, sizeof *doc_end);
    double *score = ls_calloc(n ? n : 1, sizeof *score);
    int rc = doc_end && score ? LS_OK : ls_error_set(err, LS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == LS_OK && i < n; i++)
        score[i] = docs[i].score;
    if (rc == LS_OK)
        rc = read_given(an, docs, n, &d, doc_end, err);
    for (uint32_t id = 0; rc == LS_OK && candidates != NULL && id < d.terms.count; id++) {
        size_t len;
        const uint8_t *t = ls_strtab_key(&d.terms, id, &len);
        char name[LS_STATS_MAX_NAME];
        size_t nl = ls_stats_name_of(name, "df", LS_FIELD_ALL, t, len);
        double df;
        if (ls_stats_get(candidates, name, nl, &df))
            continue;
        rc = ls_stats_term_df(r, LS_FIELD_ALL, t, len, &df, err);
        if (rc == LS_OK && ls_stats_put(candidates, name, nl, df, NULL) < 0)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    ls_expansion_term *rm = NULL;
    size_t n_rm = 0;
    if (rc == LS_OK && out != NULL)
        rc = model(r, global, &d, doc_end, score, n, max_terms, &rm, &n_rm, err);
    /* The model borrows d's terms: give the caller copies. */
    for (size_t i = 0; rc == LS_OK && i < n_rm; i++) {
        char *t = ls_malloc(rm[i].len + 1);
        if (t == NULL) {
            n_rm = i;
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
            break;
        }
        memcpy(t, rm[i].term, rm[i].len);
        t[rm[i].len] = '\0';
        rm[i].term = t;
    }
    if (out != NULL) {
        *out = rm;
        *n_out = n_rm;
        if (rc != LS_OK) {
            ls_expansion_free(rm, n_rm);
            *out = NULL;
            *n_out = 0;
        }
    }
    ls_free(score);
    ls_free(doc_end);
    fb_docs_free(&d);
    return rc;
}

LS_API void ls_expansion_free(ls_expansion_term *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++)
        ls_free((char *)t[i].term);
    ls_free(t);
}
