/* SPDX-License-Identifier: MIT */
/*
 * cur_phrase.c - exact phrases: intersect the terms' documents first (leapfrog over their
 * skip tables), check positions last. Phrase frequency pf counts the start positions p with
 * term i at p + i for every i; the score is BM25 of pf with the summed idf of the terms.
 * Given a collector (ls_phrase_cursor_prune), a document whose score cannot enter even if
 * pf were its smallest tf is passed over before its positions are decoded.
 */
#include <math.h>

#include "libsearch.h"
#include "query/cursor.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct phrase_cursor {
    ls_cursor base;
    ls_term_cursor **terms;
    ls_cursor **bases; /* the terms' base cursors, for ls_cursor_intersect */
    size_t n;
    ls_bm25_term sc;
    uint32_t pf;
    /* count_freq scratch, n entries each: per term, its positions and a forward index */
    uint32_t *idx, *lens;
    const uint32_t **lists;
    ls_collector *col; /* NULL: every document holding the phrase is returned */
} phrase_cursor;

/* With a collector that may skip: nonzero when the document all terms stand on cannot enter
 * (pf <= each term's tf, and BM25 rises with pf). */
static int cannot_enter(const phrase_cursor *p)
{
    if (p->col == NULL || ls_collector_floor(p->col) == -INFINITY)
        return 0;
    uint32_t tf = ls_term_cursor_tf(p->terms[0]);
    for (size_t k = 1; k < p->n; k++) {
        uint32_t t = ls_term_cursor_tf(p->terms[k]);
        tf = t < tf ? t : tf;
    }
    double bound = ls_bm25_score(&p->sc, tf, ls_term_cursor_doclen(p->terms[0]));
    if (!ls_collector_cannot_enter(p->col, bound))
        return 0;
    ls_collector_skipped(p->col);
    return 1;
}

/* Counts phrase occurrences in the current document (all terms are on it): the term with the
 * fewest positions proposes the starts, the others are merged forward against them. */
static int count_freq(phrase_cursor *p, uint32_t *pf_out)
{
    uint32_t *idx = p->idx, *lens = p->lens;
    const uint32_t **lists = p->lists;
    size_t drv = 0;
    for (size_t k = 0; k < p->n; k++) {
        idx[k] = 0;
        int rc = ls_term_cursor_positions(p->terms[k], &lists[k], &lens[k]);
        if (rc != LS_OK)
            return rc;
        if (lens[k] < lens[drv])
            drv = k;
    }
    uint32_t pf = 0;
    for (uint32_t a = 0; a < lens[drv]; a++) {
        if (lists[drv][a] < drv)
            continue; /* would start before position 0 */
        uint32_t start = lists[drv][a] - (uint32_t)drv;
        int ok = 1;
        for (size_t k = 0; k < p->n && ok; k++) {
            if (k == drv)
                continue;
            uint32_t want = start + (uint32_t)k;
            const uint32_t *l = lists[k];
            uint32_t i = idx[k], len = lens[k];
            while (i < len && l[i] < want)
                i++;
            idx[k] = i;
            if (i == len)
                goto done;
            ok = l[i] == want;
        }
        pf += (uint32_t)ok;
    }
done:
    *pf_out = pf;
    return LS_OK;
}

/* Moves to the first document >= target holding the whole phrase. */
static int find(phrase_cursor *p, uint32_t target)
{
    for (;;) {
        uint32_t d, pf = 0;
        int rc = ls_cursor_intersect(p->bases, p->n, target, &d);
        if (rc == LS_OK && d != LS_DOC_END && !cannot_enter(p))
            rc = count_freq(p, &pf);
        if (rc != LS_OK || d == LS_DOC_END) {
            p->base.doc = LS_DOC_END;
            return rc;
        }
        if (pf > 0) {
            p->base.doc = d;
            p->pf = pf;
            return LS_OK;
        }
        if (d == LS_DOC_END - 1) {
            p->base.doc = LS_DOC_END;
            return LS_OK;
        }
        target = d + 1;
    }
}

static int phrase_next(ls_cursor *c)
{
    if (c->doc == LS_DOC_END)
        return LS_OK;
    return find((phrase_cursor *)c, c->doc + 1);
}

static int phrase_advance(ls_cursor *c, uint32_t target)
{
    if (c->doc >= target)
        return LS_OK;
    return find((phrase_cursor *)c, target);
}

uint32_t ls_phrase_cursor_doclen(const ls_cursor *c)
{
    const phrase_cursor *p = (const phrase_cursor *)c;
    return ls_term_cursor_doclen(p->terms[0]);
}

uint32_t ls_phrase_cursor_freq(const ls_cursor *c) { return ((const phrase_cursor *)c)->pf; }

void ls_phrase_cursor_prune(ls_cursor *c, ls_collector *col) { ((phrase_cursor *)c)->col = col; }

static double phrase_score(ls_cursor *c)
{
    phrase_cursor *p = (phrase_cursor *)c;
    return ls_bm25_score(&p->sc, p->pf, ls_phrase_cursor_doclen(c));
}

static void phrase_free(ls_cursor *c)
{
    phrase_cursor *p = (phrase_cursor *)c;
    for (size_t k = 0; k < p->n; k++)
        ls_cursor_free(ls_term_cursor_base(p->terms[k]));
    ls_free(p->terms);
    ls_free(p->bases);
    ls_free(p->idx);
    ls_free(p->lens);
    ls_free(p->lists);
    ls_free(p);
}

static const ls_cursor_ops phrase_ops = {phrase_next, phrase_advance, phrase_score, phrase_free};

int ls_phrase_cursor_new(ls_term_cursor **terms, size_t n, const ls_bm25_term *sc,
                         ls_cursor **out, ls_error *err)
{
    *out = NULL;
    phrase_cursor *p = ls_calloc(1, sizeof *p);
    ls_term_cursor **copy = ls_calloc(n ? n : 1, sizeof *copy);
    ls_cursor **bases = ls_calloc(n ? n : 1, sizeof *bases);
    uint32_t *idx = ls_calloc(n ? n : 1, sizeof *idx), *lens = ls_calloc(n ? n : 1, sizeof *lens);
    const uint32_t **lists = ls_calloc(n ? n : 1, sizeof *lists);
    if (p == NULL || copy == NULL || bases == NULL || idx == NULL || lens == NULL ||
        lists == NULL || n == 0 || n > LS_MAX_PHRASE_WORDS) {
        for (size_t k = 0; k < n; k++)
            ls_cursor_free(ls_term_cursor_base(terms[k]));
        ls_free(p);
        ls_free(copy);
        ls_free(bases);
        ls_free(idx);
        ls_free(lens);
        ls_free(lists);
        if (n > LS_MAX_PHRASE_WORDS)
            return ls_error_set(err, LS_ELIMIT, "phrase of %zu words (at most %u)", n,
                                LS_MAX_PHRASE_WORDS);
        return ls_error_set(err, n ? LS_ENOMEM : LS_EINVAL, "cannot make a phrase cursor");
    }
    for (size_t k = 0; k < n; k++) {
        copy[k] = terms[k];
        bases[k] = ls_term_cursor_base(terms[k]);
    }
    p->base.ops = &phrase_ops;
    p->terms = copy;
    p->bases = bases;
    p->idx = idx;
    p->lens = lens;
    p->lists = lists;
    p->n = n;
    p->sc = *sc;
    p->base.doc = 0;
    int rc = find(p, 0);
    if (rc != LS_OK) {
        phrase_free(&p->base);
        return rc == LS_ENOMEM ? ls_error_set(err, rc, "out of memory")
                               : ls_error_set(err, rc, "damaged positions while matching a phrase");
    }
    *out = &p->base;
    return LS_OK;
}
