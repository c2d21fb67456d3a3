/* SPDX-License-Identifier: MIT */
/*
 * oracle_rm3.c - the naive RM3 oracle (see oracle_rm3.h). Each document's title and body are
 * analyzed once more, every token kept with its stop flag; an expansion is a first pass through
 * the BM25 oracle, term counts by scanning the feedback documents' tokens, document frequencies
 * by scanning every document, and a sort. Terms are interned to integers only so that comparing
 * tokens is cheap, and document frequencies are counted once for all terms.
 */
#include "oracle_rm3.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"

#define NO_ID UINT32_MAX

typedef struct rm3_doc {
    uint32_t *term; /* dictionary id per token, title then body */
    uint8_t *stop;  /* the token's word is an English stop word */
    uint32_t n;
    int deleted;    /* counts in no document frequency */
} rm3_doc;

struct ls_rm3_oracle {
    ls_oracle *bm25;
    ls_analyzer *an;
    rm3_doc *docs;
    size_t n_docs, cap_docs;
    char **terms; /* id -> analyzed term */
    size_t n_terms, cap_terms;
    uint32_t *slots; /* open addressing: NO_ID or id */
    size_t n_slots;
    size_t n_live;   /* documents not deleted: N */
    size_t *df;      /* by id, counted over the live documents; NULL when stale */
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "oracle_rm3: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "oracle_rm3: out of memory\n");
        abort();
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = xcalloc(n + 1, 1);
    memcpy(p, s, n);
    return p;
}

/* ---- term dictionary ------------------------------------------------------------------ */

static size_t find_slot(const ls_rm3_oracle *rm, const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *c = s; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    size_t i = (size_t)(h & (rm->n_slots - 1));
    while (rm->slots[i] != NO_ID && strcmp(rm->terms[rm->slots[i]], s) != 0)
        i = (i + 1) & (rm->n_slots - 1);
    return i;
}

static uint32_t intern(ls_rm3_oracle *rm, const char *s)
{
    size_t i = find_slot(rm, s);
    if (rm->slots[i] != NO_ID)
        return rm->slots[i];
    if (rm->n_terms == rm->cap_terms) {
        rm->cap_terms = rm->cap_terms ? 2 * rm->cap_terms : 1024;
        rm->terms = xrealloc(rm->terms, rm->cap_terms * sizeof *rm->terms);
    }
    uint32_t id = (uint32_t)rm->n_terms++;
    rm->terms[id] = xstrdup(s);
    rm->slots[i] = id;
    if (2 * rm->n_terms > rm->n_slots) {
        free(rm->slots);
        rm->n_slots *= 2;
        rm->slots = xcalloc(rm->n_slots, sizeof *rm->slots);
        for (size_t k = 0; k < rm->n_slots; k++)
            rm->slots[k] = NO_ID;
        for (uint32_t t = 0; t < rm->n_terms; t++)
            rm->slots[find_slot(rm, rm->terms[t])] = t;
    }
    return id;
}

/* ---- documents ------------------------------------------------------------------------ */

ls_rm3_oracle *ls_rm3_oracle_new(void)
{
    ls_rm3_oracle *rm = xcalloc(1, sizeof *rm);
    ls_error err;
    if (ls_analyzer_new("english", &rm->an, &err) != 0) {
        fprintf(stderr, "oracle_rm3: ls_analyzer_new: %s\n", err.message);
        abort();
    }
    rm->bm25 = ls_oracle_new("english");
    rm->n_slots = 2048;
    rm->slots = xcalloc(rm->n_slots, sizeof *rm->slots);
    for (size_t i = 0; i < rm->n_slots; i++)
        rm->slots[i] = NO_ID;
    return rm;
}

void ls_rm3_oracle_free(ls_rm3_oracle *rm)
{
    if (rm == NULL)
        return;
    for (size_t d = 0; d < rm->n_docs; d++) {
        free(rm->docs[d].term);
        free(rm->docs[d].stop);
    }
    free(rm->docs);
    for (size_t i = 0; i < rm->n_terms; i++)
        free(rm->terms[i]);
    free(rm->terms);
    free(rm->slots);
    free(rm->df);
    ls_analyzer_free(rm->an);
    ls_oracle_free(rm->bm25);
    free(rm);
}

ls_oracle *ls_rm3_oracle_bm25(ls_rm3_oracle *rm) { return rm->bm25; }

typedef struct add_ctx {
    ls_rm3_oracle *rm;
    rm3_doc *d;
} add_ctx;

static int add_token(const ls_token *tok, void *payload)
{
    add_ctx *c = payload;
    char text[LS_MAX_TERM_BYTES + 1];
    memcpy(text, tok->text, tok->len);
    text[tok->len] = '\0';
    c->d->term = xrealloc(c->d->term, (c->d->n + 1) * sizeof *c->d->term);
    c->d->stop = xrealloc(c->d->stop, (c->d->n + 1) * sizeof *c->d->stop);
    c->d->term[c->d->n] = intern(c->rm, text);
    c->d->stop[c->d->n] = tok->stop != 0;
    c->d->n++;
    return 0;
}

static void add_text(add_ctx *c, const char *s, size_t len)
{
    if (s != NULL && ls_analyze(c->rm->an, s, len, 0, 0, add_token, c, NULL) != 0) {
        fprintf(stderr, "oracle_rm3: ls_analyze failed\n");
        abort();
    }
}

uint32_t ls_rm3_oracle_add(ls_rm3_oracle *rm, const char *title, size_t title_len,
                           const char *body, size_t body_len)
{
    if (rm->n_docs == rm->cap_docs) {
        rm->cap_docs = rm->cap_docs ? 2 * rm->cap_docs : 256;
        rm->docs = xrealloc(rm->docs, rm->cap_docs * sizeof *rm->docs);
    }
    rm3_doc *d = &rm->docs[rm->n_docs];
    memset(d, 0, sizeof *d);
    add_ctx c = {rm, d};
    add_text(&c, title, title_len);
    add_text(&c, body, body_len);
    uint32_t id = ls_oracle_add(rm->bm25, title, title_len, body, body_len);
    if (id != rm->n_docs) {
        fprintf(stderr, "oracle_rm3: the two oracles disagree on document numbers\n");
        abort();
    }
    free(rm->df);
    rm->df = NULL;
    rm->n_live++;
    return (uint32_t)rm->n_docs++;
}

void ls_rm3_oracle_delete(ls_rm3_oracle *rm, uint32_t doc)
{
    ls_oracle_delete(rm->bm25, doc); /* aborts unless doc is live */
    rm->docs[doc].deleted = 1;
    rm->n_live--;
    free(rm->df);
    rm->df = NULL;
}

/* Counts every term's document frequency (any token, stop word or not) over the live
 * documents. */
static void count_df(ls_rm3_oracle *rm)
{
    if (rm->df != NULL)
        return;
    rm->df = xcalloc(rm->n_terms, sizeof *rm->df);
    for (size_t d = 0; d < rm->n_docs; d++) {
        const rm3_doc *doc = &rm->docs[d];
        for (uint32_t i = 0; doc->deleted == 0 && i < doc->n; i++) {
            uint32_t seen = 0;
            for (uint32_t j = 0; j < i && !seen; j++)
                seen = doc->term[j] == doc->term[i];
            rm->df[doc->term[i]] += !seen;
        }
    }
}

size_t ls_rm3_oracle_df(ls_rm3_oracle *rm, const char *term)
{
    count_df(rm);
    uint32_t id = rm->slots[find_slot(rm, term)];
    return id == NO_ID ? 0 : rm->df[id];
}

/* ---- query trees ---------------------------------------------------------------------- */

oracle_q *oracle_q_clone(const oracle_q *q)
{
    oracle_q *c;
    if (q->kind == ORACLE_BOOL) {
        c = oracle_q_bool();
        for (size_t i = 0; i < q->n_kids; i++)
            oracle_q_add(c, oracle_q_clone(q->kids[i]), q->occur[i]);
        return c;
    }
    c = q->kind == ORACLE_SYNONYM
            ? oracle_q_synonym(q->field, (const char *const *)q->terms, q->n_terms)
            : oracle_q_leaf(q->field, (const char *const *)q->terms, q->n_terms);
    c->weight = q->weight;
    return c;
}

/* Sum of the weights of the scoring leaves: those not under a NOT. */
static double scoring_weight(const oracle_q *q)
{
    if (q->kind != ORACLE_BOOL)
        return q->weight;
    double w = 0;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->occur[i] != ORACLE_NOT)
            w += scoring_weight(q->kids[i]);
    return w;
}

static void scale(oracle_q *q, double f)
{
    q->weight *= f;
    for (size_t i = 0; i < q->n_kids; i++)
        scale(q->kids[i], f);
}

static int is_all_term(const oracle_q *q)
{
    return q->kind == ORACLE_TERM && q->field == ORACLE_FIELD_ALL;
}

/* A bag of terms over title and body: a single term (whatever its occur: alone, "+a" means
 * "a"), or only SHOULD terms. */
static int is_bag(const oracle_q *q)
{
    if (q->kind != ORACLE_BOOL)
        return is_all_term(q);
    if (q->n_kids == 1)
        return q->occur[0] != ORACLE_NOT && is_all_term(q->kids[0]);
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->occur[i] != ORACLE_SHOULD || !is_all_term(q->kids[i]))
            return 0;
    return q->n_kids > 0;
}

/* Adds weight w to term t in bag, as a new SHOULD kid when it is not there yet. */
static void bag_add(oracle_q *bag, const char *t, double w)
{
    for (size_t i = 0; i < bag->n_kids; i++) {
        if (strcmp(bag->kids[i]->terms[0], t) == 0) {
            bag->kids[i]->weight += w;
            return;
        }
    }
    const char *one[1] = {t};
    oracle_q *leaf = oracle_q_leaf(ORACLE_FIELD_ALL, one, 1);
    leaf->weight = w;
    oracle_q_add(bag, leaf, ORACLE_SHOULD);
}

static oracle_q *expand_bag(const oracle_q *q, const rm3_expansion *e, double alpha)
{
    const oracle_q *const *kids = q->kind == ORACLE_BOOL ? (const oracle_q *const *)q->kids : &q;
    size_t n = q->kind == ORACLE_BOOL ? q->n_kids : 1;
    double total = scoring_weight(q);
    oracle_q *bag = oracle_q_bool();
    for (size_t i = 0; i < n; i++)
        bag_add(bag, kids[i]->terms[0], alpha * kids[i]->weight / total);
    for (size_t i = 0; i < e->n_terms; i++)
        bag_add(bag, e->terms[i].term, (1 - alpha) * e->terms[i].p);
    return bag;
}

static oracle_q *expand_structured(const oracle_q *q, const rm3_expansion *e, double alpha)
{
    oracle_q *root = oracle_q_bool();
    oracle_q *orig = oracle_q_clone(q);
    double w = scoring_weight(orig);
    scale(orig, w > 0 ? alpha / w : alpha);
    oracle_q_add(root, orig, ORACLE_MUST);
    for (size_t i = 0; i < e->n_terms; i++) {
        const char *one[1] = {e->terms[i].term};
        oracle_q *leaf = oracle_q_leaf(ORACLE_FIELD_ALL, one, 1);
        leaf->weight = (1 - alpha) * e->terms[i].p;
        oracle_q_add(root, leaf, ORACLE_SHOULD);
    }
    return root;
}

/* ---- the relevance model --------------------------------------------------------------- */

/* Is token i of d evidence: not a stop word, at least 2 bytes, in few enough documents? */
static int counts(const ls_rm3_oracle *rm, const rm3_doc *d, uint32_t i, double df_limit)
{
    uint32_t t = d->term[i];
    return !d->stop[i] && strlen(rm->terms[t]) >= 2 && (double)rm->df[t] <= df_limit;
}

/* tf of term t in d over the counting tokens. */
static uint32_t tf_of(const ls_rm3_oracle *rm, const rm3_doc *d, uint32_t t, double df_limit)
{
    uint32_t tf = 0;
    for (uint32_t i = 0; i < d->n; i++)
        tf += d->term[i] == t && counts(rm, d, i, df_limit);
    return tf;
}

typedef struct cand {
    uint32_t id;
    double p;
    const char *text;
} cand;

static int cmp_cand(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p > b->p ? -1 : 1;
    size_t la = strlen(a->text), lb = strlen(b->text);
    int c = memcmp(a->text, b->text, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Two terms with the same counts in every feedback document get bitwise equal probabilities
 * from the same operations in any implementation: their tie is exact everywhere. */
static int same_profile(const ls_rm3_oracle *rm, const rm3_expansion *e, uint32_t a, uint32_t b,
                        double df_limit)
{
    for (size_t i = 0; i < e->n_fb_docs; i++) {
        const rm3_doc *d = &rm->docs[e->fb_docs[i]];
        if (tf_of(rm, d, a, df_limit) != tf_of(rm, d, b, df_limit))
            return 0;
    }
    return 1;
}

/* p(t) over the counting terms of the feedback documents; fills e->terms (kept, normalized). */
static void relevance_model(ls_rm3_oracle *rm, const rm3_params *p, double total,
                            rm3_expansion *e)
{
    double df_limit = RM3_MAX_DF_SHARE * (double)rm->n_live;
    double *pt = xcalloc(rm->n_terms, sizeof *pt);
    for (size_t k = 0; k < e->n_fb_docs; k++) {
        const rm3_doc *d = &rm->docs[e->fb_docs[k]];
        double len = 0;
        for (uint32_t i = 0; i < d->n; i++)
            len += counts(rm, d, i, df_limit);
        if (len == 0)
            continue;
        double w = (e->fb_scores[k] > 0 ? e->fb_scores[k] : 0) / total;
        for (uint32_t i = 0; i < d->n; i++) {
            uint32_t first = 1;
            for (uint32_t j = 0; j < i && first; j++)
                first = d->term[j] != d->term[i] || !counts(rm, d, j, df_limit);
            if (first && counts(rm, d, i, df_limit))
                pt[d->term[i]] += w * tf_of(rm, d, d->term[i], df_limit) / len;
        }
    }
    cand *v = xcalloc(rm->n_terms, sizeof *v);
    size_t n = 0;
    for (uint32_t t = 0; t < rm->n_terms; t++)
        if (pt[t] > 0)
            v[n++] = (cand){t, pt[t], rm->terms[t]};
    free(pt);
    qsort(v, n, sizeof *v, cmp_cand);
    if (n > p->terms) {
        double a = v[p->terms - 1].p, b = v[p->terms].p;
        if (a - b <= RM3_NEAR_TIE * a &&
            !(a == b && same_profile(rm, e, v[p->terms - 1].id, v[p->terms].id, df_limit))) {
            e->ambiguous = 1;
            snprintf(e->why, sizeof e->why, "expansion terms %u '%s' (%.17g) and %u '%s' (%.17g)",
                     p->terms, v[p->terms - 1].text, a, p->terms + 1, v[p->terms].text, b);
        }
        n = p->terms;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i].p;
    e->terms = xcalloc(n, sizeof *e->terms);
    e->n_terms = n;
    for (size_t i = 0; i < n; i++)
        e->terms[i] = (rm3_term){xstrdup(v[i].text), v[i].p / sum};
    free(v);
}

/* The leaves of q, in tree order, appended to v. */
static void collect_leaves(const oracle_q *q, const oracle_q ***v, size_t *n)
{
    if (q->kind != ORACLE_BOOL) {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        (*v)[(*n)++] = q;
        return;
    }
    for (size_t i = 0; i < q->n_kids; i++)
        collect_leaves(q->kids[i], v, n);
}

/* The inputs of every leaf's score in every document: tf (or pf) and field length, row l
 * of leaf l, rm->n_docs columns (length 0 where the leaf does not match). */
typedef struct leaf_table {
    uint32_t *freq, *len;
    size_t n_leaves;
} leaf_table;

static void leaf_table_build(ls_rm3_oracle *rm, const oracle_q *q, leaf_table *t)
{
    const oracle_q **leaves = NULL;
    t->n_leaves = 0;
    collect_leaves(q, &leaves, &t->n_leaves);
    t->freq = xcalloc(t->n_leaves * rm->n_docs, sizeof *t->freq);
    t->len = xcalloc(t->n_leaves * rm->n_docs, sizeof *t->len);
    for (size_t l = 0; l < t->n_leaves; l++) {
        oracle_q *leaf = oracle_q_clone(leaves[l]);
        uint32_t *freq = t->freq + l * rm->n_docs, *len = t->len + l * rm->n_docs;
        ls_oracle_leaf_freqs(rm->bm25, leaf, freq);
        for (size_t d = 0; d < rm->n_docs; d++)
            len[d] = freq[d] ? ls_oracle_doc_len(rm->bm25, (uint32_t)d, leaf->field) : 0;
        oracle_q_free(leaf);
    }
    free(leaves);
}

/* Do documents d1 and d2 give every leaf the same tf and field length (or match it in
 * neither)? Then their scores are the same sums of the same numbers in any implementation. */
static int same_leaf_inputs(const ls_rm3_oracle *rm, const leaf_table *t, uint32_t d1,
                            uint32_t d2)
{
    for (size_t l = 0; l < t->n_leaves; l++) {
        size_t a = l * rm->n_docs + d1, b = l * rm->n_docs + d2;
        if (t->freq[a] != t->freq[b] || t->len[a] != t->len[b])
            return 0;
    }
    return 1;
}

/* Which documents are the first n of the first pass hangs on a near tie (a zero score
 * carries no weight anyway) when one of them and one after them score within a near tie of
 * the n-th: another implementation may order those two either way. Unless they tie exactly
 * with the same tf and length in every clause: then document order breaks the tie everywhere.
 * Equal scores from other inputs need not be equal elsewhere (with b = 0.75 and an average
 * length of 3, tf 1 at length 1 and tf 2 at length 3 score alike only in real arithmetic). */
static void boundary_tie(ls_rm3_oracle *rm, const oracle_q *q, const oracle_result *first,
                         size_t n, rm3_expansion *out)
{
    double a = first->hits[n - 1].score, eps = RM3_NEAR_TIE * a;
    leaf_table t = {NULL, NULL, 0};
    if (a <= 0 || a - first->hits[n].score > eps)
        return;
    leaf_table_build(rm, q, &t);
    for (size_t i = n; i-- > 0 && first->hits[i].score - a <= eps && !out->ambiguous;) {
        for (size_t j = n; j < first->n && a - first->hits[j].score <= eps; j++) {
            const oracle_hit *x = &first->hits[i], *y = &first->hits[j];
            if (x->score == y->score && same_leaf_inputs(rm, &t, x->doc, y->doc))
                continue;
            out->ambiguous = 1;
            snprintf(out->why, sizeof out->why, "first-pass hits %zu d%u (%.17g) and %zu d%u "
                     "(%.17g)", i + 1, x->doc, x->score, j + 1, y->doc, y->score);
            break;
        }
    }
    free(t.freq);
    free(t.len);
}

void ls_rm3_expand(ls_rm3_oracle *rm, const oracle_q *q, double k1, double b,
                   const rm3_params *p, rm3_expansion *out)
{
    memset(out, 0, sizeof *out);
    oracle_q *first_q = oracle_q_clone(q);
    oracle_result first;
    ls_oracle_search_titled(rm->bm25, first_q, k1, b, p->title_weight, &first);
    oracle_q_free(first_q);
    size_t n = first.n < p->docs ? first.n : p->docs;
    out->n_matches = first.n;
    out->fb_docs = xcalloc(n, sizeof *out->fb_docs);
    out->fb_scores = xcalloc(n, sizeof *out->fb_scores);
    out->n_fb_docs = n;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        out->fb_docs[i] = first.hits[i].doc;
        out->fb_scores[i] = first.hits[i].score;
        total += first.hits[i].score > 0 ? first.hits[i].score : 0;
    }
    if (n > 0 && n < first.n)
        boundary_tie(rm, q, &first, n, out);
    oracle_result_free(&first);
    if (total > 0) {
        count_df(rm);
        relevance_model(rm, p, total, out);
    }
    if (out->n_terms == 0) {
        out->query = oracle_q_clone(q);
        return;
    }
    out->expanded = 1;
    out->widened = p->widen && is_bag(q);
    out->query = out->widened ? expand_bag(q, out, p->weight)
                              : expand_structured(q, out, p->weight);
}

void ls_rm3_search(ls_rm3_oracle *rm, const oracle_q *q, double k1, double b,
                   const rm3_params *p, rm3_expansion *exp_out, oracle_result *res)
{
    ls_rm3_expand(rm, q, k1, b, p, exp_out);
    ls_oracle_search_titled(rm->bm25, exp_out->query, k1, b, p->title_weight, res);
}

void rm3_expansion_free(rm3_expansion *e)
{
    if (e == NULL)
        return;
    oracle_q_free(e->query);
    free(e->fb_docs);
    free(e->fb_scores);
    for (size_t i = 0; i < e->n_terms; i++)
        free(e->terms[i].term);
    free(e->terms);
    memset(e, 0, sizeof *e);
}
