/* SPDX-License-Identifier: MIT */
/*
 * planner.c - resolves query terms to global statistics, expands prefixes, and builds one
 * cursor tree per segment. The body field has no postings of its own: it reads the "all"
 * postings with a position filter, so its df is counted exactly by a filtered scan.
 */
#include "query/planner.h"

#include <stdlib.h>
#include <string.h>

#include "format/pairs.h"
#include "libsearch.h"
#include "reader/globalstats.h"
#include "reader/stats.h"
#include "util/alloc.h"
#include "util/error.h"

static void prepare_leaf(const ls_plan *p, ls_plan_leaf *l)
{
    ls_bm25_prepare(&l->sc, ls_bm25_idf(p->n_docs, l->df), l->boost, p->k1, p->b,
                    p->avglen[l->field]);
}

/* Marks a leaf as scored by the query itself; with statistics given, its df becomes theirs
 * (a prefix's expansions need none: the prefix scores as one term). */
static int score_leaf(const ls_plan *p, ls_plan_leaf *l, ls_error *err)
{
    if (l->scored)
        return LS_OK;
    l->scored = 1;
    if (p->global == NULL)
        return LS_OK;
    int rc = ls_stats_need(p->global, "df", l->df_field, l->key + 1, l->key_len - 1, &l->df,
                           err);
    if (rc == LS_OK)
        prepare_leaf(p, l);
    return rc;
}

/* leaf_for's df_leaf when a leaf scores with its own df. */
#define OWN_DF SIZE_MAX

/* Finds or adds the leaf for (field, key, boost, whether it scores with its own df);
 * computes its global df the first time: its own, or (df_leaf, not OWN_DF) that of leaf
 * df_leaf, whose field it then counts in. The boost is part of the leaf's identity (it is the
 * leaf's BM25 query weight), written at a fixed offset before the key so identities cannot
 * collide. */
static int leaf_for(ls_plan *p, int field, size_t df_leaf, const uint8_t *key, size_t key_len,
                    double boost, int scored, size_t *out, ls_error *err)
{
    uint8_t tk[1 + sizeof boost + LS_MAX_KEY_BYTES];
    if (key_len > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "query term too long");
    tk[0] = (uint8_t)('0' + field + LS_FIELD_COUNT * (df_leaf != OWN_DF));
    memcpy(tk + 1, &boost, sizeof boost);
    memcpy(tk + 1 + sizeof boost, key, key_len);
    uint32_t id;
    int is_new;
    if (ls_strtab_intern(&p->leaf_ids, tk, 1 + sizeof boost + key_len, &id, &is_new) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    *out = id;
    if (!is_new)
        return scored ? score_leaf(p, &p->leaves[id], err) : LS_OK;
    if (p->n_leaves == p->leaves_cap) {
        /* a few leaves fit an allocation of the small, cached sizes */
        size_t ncap = p->leaves_cap ? p->leaves_cap * 2 : 6;
        ls_plan_leaf *nl = ls_reallocarray(p->leaves, ncap, sizeof *nl);
        if (nl == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        p->leaves = nl;
        p->leaves_cap = ncap;
    }
    ls_plan_leaf *l = &p->leaves[p->n_leaves++];
    memset(l, 0, sizeof *l);
    l->field = field;
    l->key = ls_malloc(key_len ? key_len : 1);
    if (l->key == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    memcpy(l->key, key, key_len);
    l->key_len = key_len;
    l->seg_meta = ls_calloc(p->r->nsegs ? p->r->nsegs : 1, sizeof *l->seg_meta);
    if (l->seg_meta == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_stats_term(p->r, field, key, key_len, l->seg_meta, &l->local_df, err);
    if (rc != LS_OK)
        return rc;
    l->df_field = field;
    if (df_leaf != OWN_DF) { /* read by index: the array may have moved */
        l->df_field = p->leaves[df_leaf].field;
        l->local_df = p->leaves[df_leaf].local_df;
    }
    l->df = l->local_df;
    l->boost = boost;
    prepare_leaf(p, l);
    return scored ? score_leaf(p, l, err) : LS_OK;
}

static int add_leaf(ls_plan_node *n, size_t leaf)
{
    size_t *nl = ls_reallocarray(n->leaves, n->n_leaves + 1, sizeof *nl);
    if (nl == NULL)
        return LS_ENOMEM;
    n->leaves = nl;
    n->leaves[n->n_leaves++] = leaf;
    return LS_OK;
}

static int term_leaf(ls_plan *p, ls_plan_node *n, int field, size_t df_leaf, const char *text,
                     size_t len, double boost, ls_error *err)
{
    uint8_t key[LS_MAX_KEY_BYTES];
    if (len + 1 > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "query term too long");
    key[0] = ls_field_key(field);
    memcpy(key + 1, text, len);
    size_t leaf;
    int rc = leaf_for(p, field, df_leaf, key, len + 1, boost, 1, &leaf, err);
    if (rc != LS_OK)
        return rc;
    if (add_leaf(n, leaf) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    return LS_OK;
}

/* Room for the cap documents a segment's merge may keep. @return LS_OK or LS_ENOMEM. */
static int merged_alloc(ls_plan_merged *m, uint64_t cap)
{
    m->docs = ls_malloc((size_t)(cap ? cap : 1) * sizeof *m->docs);
    m->freqs = ls_malloc((size_t)(cap ? cap : 1) * sizeof *m->freqs);
    return m->docs != NULL && m->freqs != NULL ? LS_OK : LS_ENOMEM;
}

/* A cursor of a sparse merge: ordered by its current document. */
static void heap_down(ls_term_cursor **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && ls_term_cursor_base(h[l])->doc < ls_term_cursor_base(h[m])->doc)
            m = l;
        if (r < n && ls_term_cursor_base(h[r])->doc < ls_term_cursor_base(h[m])->doc)
            m = r;
        if (m == i)
            return;
        ls_term_cursor *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* merge_segment for expansions with few postings against the segment's documents: their
 * cursors merged through a heap into m (room for cap; the dense accumulator would cost the
 * whole segment). */
static int merge_sparse(ls_plan *p, ls_plan_node *n, uint32_t si, ls_plan_merged *m,
                        uint64_t cap, ls_error *err)
{
    const ls_snapseg *ss = &p->r->segs[si];
    ls_term_cursor **h = ls_calloc(n->n_leaves ? n->n_leaves : 1, sizeof *h);
    if (h == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t nh = 0;
    int rc = LS_OK;
    for (size_t i = 0; rc == LS_OK && i < n->n_leaves; i++) {
        ls_term_cursor *t;
        rc = ls_plan_leaf_term_cursor(p, n->leaves[i], si, &t, err);
        if (rc == LS_OK && t != NULL && ls_term_cursor_base(t)->doc != LS_DOC_END)
            h[nh++] = t;
        else if (rc == LS_OK && t != NULL)
            ls_cursor_free(ls_term_cursor_base(t));
    }
    for (size_t i = nh / 2; i-- > 0;)
        heap_down(h, nh, i);
    const uint8_t *deleted = ss->del.bitmap;
    int walk = LS_OK; /* a cursor's failure while merging (opening ones report their own) */
    while (rc == LS_OK && walk == LS_OK && nh > 0) {
        uint32_t d = ls_term_cursor_base(h[0])->doc, f = 0;
        while (walk == LS_OK && nh > 0 && ls_term_cursor_base(h[0])->doc == d) {
            f += ls_term_cursor_tf(h[0]); /* tf sums stay under a document's length */
            walk = ls_cursor_next(ls_term_cursor_base(h[0]));
            if (walk == LS_OK && ls_term_cursor_base(h[0])->doc == LS_DOC_END) {
                ls_cursor_free(ls_term_cursor_base(h[0]));
                h[0] = h[--nh];
            }
            heap_down(h, nh, 0);
        }
        if (walk == LS_OK && m->n < cap && (deleted == NULL || !ls_bitmap_get(deleted, d))) {
            m->docs[m->n] = d;
            m->freqs[m->n++] = f;
        }
    }
    for (size_t i = 0; i < nh; i++)
        ls_cursor_free(ls_term_cursor_base(h[i]));
    ls_free(h);
    if (walk != LS_OK)
        rc = walk == LS_ENOMEM ? ls_error_set(err, walk, "out of memory")
                               : ls_error_set(err, walk, "'%s': damaged postings",
                                              ss->seg->doc.path);
    return rc;
}

/* Merges the expansions' postings of segment si into n->merged[si]: summed frequencies of
 * the live documents (a body prefix sums the body-filtered frequencies). Expansions whose
 * postings are few against the segment's documents are merged through a heap, others
 * summed in the accumulator *acc of `most` counts (made on first use, left all zero). */
static int merge_segment(ls_plan *p, ls_plan_node *n, uint32_t si, uint32_t **accp,
                         uint32_t most, ls_error *err)
{
    const ls_snapseg *ss = &p->r->segs[si];
    uint32_t nd = ss->seg->ndocs, lo = nd, hi = 0;
    uint64_t cap = 0; /* the union holds at most the expansions' summed df */
    for (size_t i = 0; i < n->n_leaves; i++) {
        const ls_term_meta *meta = ls_plan_leaf_meta(p, n->leaves[i], si);
        cap += meta ? meta->df : 0;
    }
    int sparse = cap * 16 < nd;
    cap = cap < nd ? cap : nd;
    ls_plan_merged *m = &n->merged[si];
    if (sparse) {
        if (merged_alloc(m, cap) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        int rc = merge_sparse(p, n, si, m, cap, err);
        n->local_df += m->n;
        return rc;
    }
    if (*accp == NULL && (*accp = ls_calloc(most, sizeof **accp)) == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    uint32_t *acc = *accp;
    int rc = LS_OK;
    for (size_t i = 0; rc == LS_OK && i < n->n_leaves; i++) {
        ls_term_cursor *t;
        rc = ls_plan_leaf_term_cursor(p, n->leaves[i], si, &t, err);
        if (rc != LS_OK || t == NULL)
            continue;
        ls_cursor *c = ls_term_cursor_base(t);
        uint32_t d = c->doc;
        lo = d < lo ? d : lo;
        /* tf sums stay under a document's length: no overflow */
        int whole = ls_term_cursor_add_counts(t, acc, &d);
        rc = whole < 0 ? whole : LS_OK;
        while (whole == 0 && rc == LS_OK && c->doc != LS_DOC_END) { /* a filtered field */
            d = c->doc;
            acc[d] += ls_term_cursor_tf(t);
            rc = ls_cursor_next(c);
        }
        hi = d + 1 > hi ? d + 1 : hi;
        ls_cursor_free(c);
        if (rc != LS_OK)
            rc = rc == LS_ENOMEM ? ls_error_set(err, rc, "out of memory")
                                 : ls_error_set(err, rc, "'%s': damaged postings",
                                                ss->seg->doc.path);
    }
    /* allocated after the sums: before them, kernel prefixes ran about 5% slower */
    if (merged_alloc(m, cap) != LS_OK && rc == LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    const uint8_t *deleted = ss->del.bitmap;
    for (uint32_t d = lo; d < hi; d++) {
        uint32_t f = acc[d];
        if (f == 0)
            continue;
        acc[d] = 0; /* clean for the next segment */
        if (rc == LS_OK && m->n < cap && (deleted == NULL || !ls_bitmap_get(deleted, d))) {
            m->docs[m->n] = d;
            m->freqs[m->n++] = f;
        }
    }
    n->local_df += m->n;
    return rc;
}

/* Merges the expansions of every segment and prepares the prefix's BM25 as one term's. */
static int merge_prefix(ls_plan *p, ls_plan_node *n, const ls_qnode *q, ls_error *err)
{
    uint32_t most = 1;
    for (uint32_t i = 0; i < p->r->nsegs; i++)
        most = p->r->segs[i].seg->ndocs > most ? p->r->segs[i].seg->ndocs : most;
    n->merged = ls_calloc(p->r->nsegs ? p->r->nsegs : 1, sizeof *n->merged);
    n->n_merged = n->merged ? p->r->nsegs : 0;
    n->prefix = ls_malloc(q->len + 2);
    if (n->prefix != NULL) {
        memcpy(n->prefix, q->text, q->len);
        memcpy(n->prefix + q->len, "*", 2);
    }
    uint32_t *acc = NULL; /* made by the first dense merge */
    if (n->merged == NULL || n->prefix == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = LS_OK;
    for (uint32_t i = 0; rc == LS_OK && n->n_leaves && i < p->r->nsegs; i++)
        rc = merge_segment(p, n, i, &acc, most, err);
    ls_free(acc);
    n->df = n->local_df;
    if (rc == LS_OK && p->global != NULL)
        rc = ls_stats_need(p->global, "prefix", q->field, q->text, q->len, &n->df, err);
    ls_bm25_prepare(&n->sc, ls_bm25_idf(p->n_docs, n->df), q->boost, p->k1, p->b,
                    p->avglen[q->field]);
    return rc;
}

/* Collects every dictionary key starting with the prefix over all segments (more than
 * LS_MAX_PREFIX_EXPANSIONS is LS_ELIMIT), then merges their postings: a prefix scores as one
 * term (Xapian's OP_SYNONYM), so that a rare word of the range weighs no more than the rest. */
static int expand_prefix(ls_plan *p, ls_plan_node *n, const ls_qnode *q, ls_error *err)
{
    uint8_t kp[LS_MAX_KEY_BYTES];
    if (q->len + 1 > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "prefix too long");
    kp[0] = ls_field_key(q->field);
    memcpy(kp + 1, q->text, q->len);
    size_t kl = q->len + 1;
    ls_strtab seen = LS_STRTAB_INIT;
    int rc = LS_OK;
    for (uint32_t i = 0; i < p->r->nsegs && rc == LS_OK; i++) {
        ls_termdict_iter it;
        int more = ls_termdict_seek(&p->r->segs[i].seg->dict, kp, kl, &it);
        while (more == 1 && it.kb.key_len >= kl && memcmp(it.kb.key, kp, kl) == 0 &&
               seen.count <= LS_MAX_PREFIX_EXPANSIONS) {
            uint32_t id;
            int is_new;
            if (ls_strtab_intern(&seen, it.kb.key, it.kb.key_len, &id, &is_new) != LS_OK) {
                rc = ls_error_set(err, LS_ENOMEM, "out of memory expanding a prefix");
                break;
            }
            more = ls_termdict_next(&it);
        }
        if (more < 0)
            rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary",
                              p->r->segs[i].seg->tid.path);
    }
    double terms = (double)seen.count; /* with statistics given: the shards' union */
    if (rc == LS_OK && p->global != NULL && seen.count <= LS_MAX_PREFIX_EXPANSIONS)
        rc = ls_stats_need(p->global, "expansions", q->field, q->text, q->len, &terms, err);
    if (rc == LS_OK && terms > LS_MAX_PREFIX_EXPANSIONS)
        rc = ls_error_set(err, LS_ELIMIT,
                          "prefix '%.*s*' matches over %u terms: make it longer",
                          (int)q->len, q->text, LS_MAX_PREFIX_EXPANSIONS);
    for (uint32_t id = 0; rc == LS_OK && id < seen.count; id++) {
        size_t klen, leaf;
        const uint8_t *key = ls_strtab_key(&seen, id, &klen);
        rc = leaf_for(p, q->field, OWN_DF, key, klen, q->boost, 0, &leaf, err);
        if (rc == LS_OK && add_leaf(n, leaf) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    ls_strtab_free(&seen);
    return rc == LS_OK ? merge_prefix(p, n, q, err) : rc;
}

static int plan_node(ls_plan *p, ls_plan_node *n, const ls_qnode *q, int depth, int scores,
                     ls_error *err);

/* Title weighting takes a word of the default field whose score counts (not under a NOT). */
static int titled(const ls_plan *p, const ls_qnode *q, int scores)
{
    return p->title_weight > 0 && scores && q->kind == LS_Q_TERM && q->field == LS_FIELD_ALL;
}

/* A word of the default field as a TERM node. */
static int word_leaf(ls_plan *p, ls_plan_node *n, const ls_qnode *q, ls_error *err)
{
    memset(n, 0, sizeof *n);
    n->kind = LS_Q_TERM;
    n->field = LS_FIELD_ALL;
    return term_leaf(p, n, LS_FIELD_ALL, OWN_DF, q->text, q->len, q->boost, err);
}

/* The title leaf of the word whose leaf is `word`: title postings and lengths, scored with
 * the word's df. *added 0 (n left empty): no title of the snapshot has the word, so it would
 * add nothing. */
static int title_leaf(ls_plan *p, ls_plan_node *n, const ls_qnode *q, size_t word, int *added,
                      ls_error *err)
{
    memset(n, 0, sizeof *n);
    n->kind = LS_Q_TERM;
    n->field = LS_FIELD_TITLE;
    int rc = term_leaf(p, n, LS_FIELD_TITLE, word, q->text, q->len,
                       q->boost * p->title_weight, err);
    *added = 0;
    if (rc != LS_OK)
        return rc;
    const ls_plan_leaf *l = &p->leaves[n->leaves[0]];
    for (uint32_t si = 0; si < p->r->nsegs && !*added; si++)
        *added = l->seg_meta[si].df > 0;
    if (!*added) {
        ls_free(n->leaves);
        memset(n, 0, sizeof *n);
    }
    return LS_OK;
}

/* A titled word standing alone or required: n is the OR of it and its title leaf, which
 * matches what the word matches (a title's words are in the all field); the word alone when
 * no title has it. */
static int plan_titled(ls_plan *p, ls_plan_node *n, const ls_qnode *q, ls_error *err)
{
    ls_plan_node word, title;
    int added = 0;
    int rc = word_leaf(p, &word, q, err);
    if (rc == LS_OK)
        rc = title_leaf(p, &title, q, word.leaves[0], &added, err);
    if (rc != LS_OK || !added) {
        *n = word; /* freed with the plan */
        return rc;
    }
    memset(n, 0, sizeof *n);
    n->kind = LS_Q_BOOL;
    n->kids = ls_calloc(2, sizeof *n->kids);
    n->occur = ls_calloc(2, sizeof *n->occur);
    if (n->kids == NULL || n->occur == NULL) {
        ls_free(word.leaves);
        ls_free(title.leaves);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    n->kids[0] = word;
    n->kids[1] = title;
    n->n_kids = 2;
    n->titled = 1;
    return LS_OK;
}

/* An optional titled word gets its title leaf as an optional sibling (the group's shape stays
 * an OR of terms); a required one becomes the OR of both (plan_titled). */
static int plan_bool(ls_plan *p, ls_plan_node *n, const ls_qnode *q, int depth, int scores,
                     ls_error *err)
{
    size_t cap = q->n_kids;
    for (size_t i = 0; i < q->n_kids; i++)
        cap += q->occur[i] == LS_OCCUR_SHOULD && titled(p, q->kids[i], scores);
    n->kids = ls_calloc(cap ? cap : 1, sizeof *n->kids);
    n->occur = ls_calloc(cap ? cap : 1, sizeof *n->occur);
    if (n->kids == NULL || n->occur == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int positive = 0;
    for (size_t i = 0; i < q->n_kids; i++) {
        int occur = q->occur[i], kid_scores = scores && occur != LS_OCCUR_NOT;
        int title = titled(p, q->kids[i], kid_scores);
        positive |= occur != LS_OCCUR_NOT;
        ls_plan_node *k = &n->kids[n->n_kids];
        n->occur[n->n_kids++] = occur;
        int rc = title && occur == LS_OCCUR_MUST
                     ? plan_titled(p, k, q->kids[i], err)
                     : plan_node(p, k, q->kids[i], depth + 1, kid_scores && !title, err);
        if (rc == LS_OK && title && occur == LS_OCCUR_SHOULD) {
            int added;
            n->occur[n->n_kids] = LS_OCCUR_SHOULD;
            rc = title_leaf(p, &n->kids[n->n_kids], q->kids[i], k->leaves[0], &added, err);
            n->n_kids += (size_t)added;
        }
        if (rc != LS_OK)
            return rc;
    }
    n->all_mode = q->n_kids > 0 && !positive;
    n->titled = q->n_kids == 1 && n->n_kids == 2; /* (word) became (word, its title term) */
    return LS_OK;
}

static int plan_node(ls_plan *p, ls_plan_node *n, const ls_qnode *q, int depth, int scores,
                     ls_error *err)
{
    memset(n, 0, sizeof *n);
    n->kind = q->kind;
    n->field = q->field;
    if (depth > 200)
        return ls_error_set(err, LS_ELIMIT, "query nested too deeply");
    switch (q->kind) {
    case LS_Q_TERM:
        if (titled(p, q, scores)) /* a word alone (plan_bool takes those in groups) */
            return plan_titled(p, n, q, err);
        return term_leaf(p, n, q->field, OWN_DF, q->text, q->len, q->boost, err);
    case LS_Q_PHRASE: {
        double idf = 0;
        for (size_t i = 0; i < q->n_kids; i++) {
            int rc = term_leaf(p, n, q->field, OWN_DF, q->kids[i]->text, q->kids[i]->len, 1.0,
                               err);
            if (rc != LS_OK)
                return rc;
            idf += p->leaves[n->leaves[i]].sc.idf;
        }
        ls_bm25_prepare(&n->sc, idf, q->boost, p->k1, p->b, p->avglen[q->field]);
        return LS_OK;
    }
    case LS_Q_PREFIX:
        return expand_prefix(p, n, q, err);
    case LS_Q_BOOL:
        return plan_bool(p, n, q, depth, scores, err);
    case LS_Q_ALL:
        n->all_mode = 1;
        return LS_OK;
    }
    return ls_error_set(err, LS_EINVAL, "unknown query node");
}

int ls_plan_build(ls_plan *p, const ls_reader *r, const ls_qnode *q,
                  const ls_search_options *o, ls_error *err)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->k1 = o->k1;
    p->b = o->b;
    p->title_weight = o->title_weight;
    p->global = o->stats;
    if (p->global != NULL) {
        int rc = ls_stats_collection(p->global, &p->n_docs, p->avglen, err);
        if (rc != LS_OK)
            return rc;
    } else {
        p->n_docs = ls_stats_ndocs(r);
        for (int f = 0; f < LS_FIELD_COUNT; f++)
            p->avglen[f] = ls_stats_avglen(r, f);
    }
    return plan_node(p, &p->root, q, 0, 1, err);
}

static void free_node(ls_plan_node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        free_node(&n->kids[i]);
    for (uint32_t i = 0; n->merged != NULL && i < n->n_merged; i++) {
        ls_free(n->merged[i].docs);
        ls_free(n->merged[i].freqs);
    }
    ls_free(n->merged);
    ls_free(n->prefix);
    ls_free(n->kids);
    ls_free(n->occur);
    ls_free(n->leaves);
}

void ls_plan_free(ls_plan *p)
{
    free_node(&p->root);
    for (size_t i = 0; i < p->n_leaves; i++) {
        ls_free(p->leaves[i].key);
        ls_free(p->leaves[i].seg_meta);
    }
    ls_free(p->leaves);
    ls_strtab_free(&p->leaf_ids);
}

/* ---- per-segment cursor trees ---- */

const ls_plan_node *ls_plan_unwrap(const ls_plan_node *n)
{
    while (n->kind == LS_Q_BOOL && n->n_kids == 1 && !n->all_mode &&
           n->occur[0] != LS_OCCUR_NOT)
        n = &n->kids[0];
    return n;
}

const ls_term_meta *ls_plan_leaf_meta(const ls_plan *p, size_t leaf, uint32_t si)
{
    const ls_term_meta *m = &p->leaves[leaf].seg_meta[si];
    return m->df > 0 ? m : NULL;
}

static int leaf_cursor(const ls_plan *p, size_t leaf, uint32_t si, int positions,
                       ls_term_cursor **out, ls_error *err)
{
    const ls_plan_leaf *l = &p->leaves[leaf];
    const ls_segment *s = p->r->segs[si].seg;
    const ls_term_meta *meta = ls_plan_leaf_meta(p, leaf, si);
    *out = NULL;
    if (meta == NULL)
        return LS_OK;
    int rc = ls_term_cursor_new(s, meta, l->field, &l->sc, positions, out, err);
    if (rc == LS_OK && ls_term_cursor_base(*out)->doc == LS_DOC_END) {
        ls_cursor_free(ls_term_cursor_base(*out));
        *out = NULL;
    }
    return rc;
}

int ls_plan_leaf_term_cursor(const ls_plan *p, size_t leaf, uint32_t si, ls_term_cursor **out,
                             ls_error *err)
{
    return leaf_cursor(p, leaf, si, 0, out, err);
}

int ls_plan_leaf_cursor(const ls_plan *p, size_t leaf, uint32_t si, ls_cursor **out,
                        ls_error *err)
{
    ls_term_cursor *t;
    int rc = leaf_cursor(p, leaf, si, 0, &t, err);
    *out = rc == LS_OK && t != NULL ? ls_term_cursor_base(t) : NULL;
    return rc;
}

/* The phrase's word i and i + 1 as one word pair in segment si (format/pairs.h): nonzero
 * when both words are paired there, so the pair's list holds every such occurrence. */
static int pair_ready(const ls_plan *p, const ls_plan_node *n, size_t i, uint32_t si)
{
    const ls_term_meta *a = ls_plan_leaf_meta(p, n->leaves[i], si);
    const ls_term_meta *b = ls_plan_leaf_meta(p, n->leaves[i + 1], si);
    return a != NULL && b != NULL && a->paired && b->paired &&
           p->leaves[n->leaves[i]].field == LS_FIELD_ALL &&
           p->leaves[n->leaves[i + 1]].field == LS_FIELD_ALL;
}

/* Words i and i + 1's pair list in segment si, without positions (NULL: the segment has no
 * such pair, so no match). */
static int pair_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si, size_t i,
                       ls_term_cursor **out, ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    const ls_plan_leaf *a = &p->leaves[n->leaves[i]], *b = &p->leaves[n->leaves[i + 1]];
    uint8_t key[LS_MAX_KEY_BYTES];
    size_t klen = ls_pair_key(key, a->key + 1, a->key_len - 1, b->key + 1, b->key_len - 1);
    ls_term_meta meta;
    *out = NULL;
    int found = ls_termdict_find(&s->dict, key, klen, &meta);
    if (found < 0)
        return ls_error_set(err, LS_ECORRUPT, "'%s': damaged term dictionary", s->tid.path);
    if (found == 0)
        return LS_OK;
    int rc = ls_term_cursor_new(s, &meta, LS_FIELD_ALL, &n->sc, 0, out, err);
    if (rc == LS_OK && ls_term_cursor_base(*out)->doc == LS_DOC_END) {
        ls_cursor_free(ls_term_cursor_base(*out));
        *out = NULL;
    }
    return rc;
}

/* Nonzero when pairs i and j of the phrase are the same two words. */
static int same_pair(const ls_plan_node *n, size_t i, size_t j)
{
    return n->leaves[i] == n->leaves[j] && n->leaves[i + 1] == n->leaves[j + 1];
}

/* The phrase's cursors in segment si: its word pairs whose two words are paired there
 * (format/pairs.h) as filters, read first, and its words for their positions; a phrase of
 * two paired words is its pair alone (its tf is the phrase's). *covered: every word is in
 * one of the filters. NULL entries: no match. */
static int phrase_parts(const ls_plan *p, const ls_plan_node *n, uint32_t si,
                        ls_term_cursor **ts, size_t *nt, ls_term_cursor **fs, size_t *nf,
                        int *covered, ls_error *err)
{
    size_t nw = n->n_leaves;
    *nt = *nf = 0;
    *covered = 1;
    for (size_t i = 0; i < nw; i++)
        if (!(i > 0 && pair_ready(p, n, i - 1, si)) && !(i + 1 < nw && pair_ready(p, n, i, si)))
            *covered = 0;
    for (size_t i = 0; i + 1 < nw; i++) {
        size_t j = 0;
        while (j < i && !(pair_ready(p, n, j, si) && same_pair(n, i, j)))
            j++;
        if (j < i || !pair_ready(p, n, i, si))
            continue;
        int rc = pair_cursor(p, n, si, i, &fs[*nf], err);
        if (rc != LS_OK || fs[(*nf)++] == NULL)
            return rc;
    }
    if (nw == 2 && *nf == 1) {
        ts[(*nt)++] = fs[0];
        *nf = 0;
        return LS_OK;
    }
    for (size_t i = 0; i < nw; i++) {
        size_t j = 0; /* a word said before shares its cursor ("btl btl btl": one list read) */
        while (j < i && n->leaves[j] != n->leaves[i])
            j++;
        if (j < i) {
            ts[(*nt)++] = ts[j];
            continue;
        }
        int rc = leaf_cursor(p, n->leaves[i], si, 1, &ts[*nt], err);
        if (rc != LS_OK || ts[(*nt)++] == NULL)
            return rc;
    }
    return LS_OK;
}

static int phrase_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si,
                         ls_cursor **out, ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    if (n->n_leaves == 0)
        return LS_OK;
    if (n->n_leaves > LS_MAX_PHRASE_WORDS)
        return ls_error_set(err, LS_ELIMIT, "phrase of %zu words (at most %u)", n->n_leaves,
                            LS_MAX_PHRASE_WORDS);
    ls_term_cursor **ts = ls_calloc(2 * n->n_leaves, sizeof *ts), **fs = ts + n->n_leaves;
    if (ts == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t nt, nf;
    int covered;
    int rc = phrase_parts(p, n, si, ts, &nt, fs, &nf, &covered, err);
    if (rc != LS_OK || (nt > 0 && ts[nt - 1] == NULL) || (nf > 0 && fs[nf - 1] == NULL)) {
        ls_phrase_terms_free(ts, nt);
        ls_phrase_terms_free(fs, nf);
        ls_free(ts);
        return rc;
    }
    rc = ls_phrase_cursor_new(ts, nt, fs, nf, covered, &n->sc, out, err);
    ls_free(ts);
    if (rc == LS_ECORRUPT)
        rc = ls_error_set(err, rc, "'%s': damaged positions while matching a phrase",
                          s->pos.path);
    if (rc == LS_OK && (*out)->doc == LS_DOC_END) {
        ls_cursor_free(*out);
        *out = NULL;
    }
    return rc;
}

typedef struct cursor_list {
    ls_cursor **v;
    size_t n;
} cursor_list;

/* Frees the cursors of the lists and their array (one allocation, or `few` on the stack). */
static void free_lists(cursor_list *l, int count, ls_cursor **few)
{
    for (int k = 0; k < count; k++)
        for (size_t i = 0; i < l[k].n; i++)
            ls_cursor_free(l[k].v[i]);
    if (l[0].v != few)
        ls_free(l[0].v);
}

/* A prefix's merged postings in segment si. */
static int prefix_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_cursor **out,
                         ls_error *err)
{
    const ls_plan_merged *m = &n->merged[si];
    if (m->n == 0)
        return LS_OK;
    return ls_list_cursor_new(p->r->segs[si].seg, n->field, m->docs, m->freqs, m->n, &n->sc,
                              out, err);
}

/* Builds the kids of a BOOL into three lists. */
static int bool_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_cursor **out,
                       ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    size_t cap = n->n_kids;
    cursor_list l[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}}; /* by LS_OCCUR_* */
    /* the three lists in one array: on the stack for a few clauses */
    ls_cursor *few[3 * 16], **all = cap <= 16 ? few : ls_calloc(3 * cap, sizeof *all);
    int rc = LS_OK;
    if (all == NULL)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    for (int k = 0; k < 3; k++)
        l[k].v = all ? all + (size_t)k * (cap ? cap : 1) : NULL;
    for (size_t i = 0; rc == LS_OK && i < cap; i++) {
        ls_cursor *c = NULL;
        int occur = n->occur[i];
        rc = ls_plan_cursor(p, &n->kids[i], si, &c, err);
        if (rc == LS_OK && c == NULL && occur == LS_OCCUR_MUST) {
            free_lists(l, 3, few);
            return LS_OK; /* a required clause matches nothing here */
        }
        if (c != NULL)
            l[occur].v[l[occur].n++] = c;
    }
    if (rc != LS_OK) {
        free_lists(l, 3, few);
        return rc;
    }
    size_t nm = l[LS_OCCUR_MUST].n, ns = l[LS_OCCUR_SHOULD].n, nn = l[LS_OCCUR_NOT].n;
    if (nm + ns == 0 && !n->all_mode) {
        free_lists(l, 3, few);
        return LS_OK;
    }
    if (nm + ns == 1 && nn == 0) { /* one clause: its cursor scores the same alone */
        *out = nm ? l[LS_OCCUR_MUST].v[0] : l[LS_OCCUR_SHOULD].v[0];
        if (all != few)
            ls_free(all);
        return LS_OK;
    }
    rc = ls_bool_cursor_new(l[1].v, nm, l[0].v, ns, l[2].v, nn, s->ndocs, out, err);
    if (rc == LS_ECORRUPT)
        rc = ls_error_set(err, rc, "'%s' or '%s': damaged postings while matching",
                          s->doc.path, s->pos.path);
    if (all != few)
        ls_free(all);
    if (rc == LS_OK && (*out)->doc == LS_DOC_END) {
        ls_cursor_free(*out);
        *out = NULL;
    }
    return rc;
}

int ls_plan_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_cursor **out,
                   ls_error *err)
{
    *out = NULL;
    switch (n->kind) {
    case LS_Q_TERM:
        return ls_plan_leaf_cursor(p, n->leaves[0], si, out, err);
    case LS_Q_PHRASE:
        return phrase_cursor(p, n, si, out, err);
    case LS_Q_PREFIX:
        return prefix_cursor(p, n, si, out, err);
    case LS_Q_BOOL:
    case LS_Q_ALL:
        return bool_cursor(p, n, si, out, err);
    }
    return LS_OK;
}
