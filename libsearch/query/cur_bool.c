/* SPDX-License-Identifier: MIT */
/*
 * cur_bool.c - boolean combination: conjunction of MUST cursors (leapfrog: each advances to
 * the largest current document), else disjunction of SHOULD cursors (smallest current
 * document), else every document; NOT cursors exclude by advancing to the candidate.
 * Score = sum of the matching MUST and SHOULD scores, summed when first asked for (a count
 * asks for none). See ast.h for the semantics.
 */
#include <string.h>

#include "libsearch.h"
#include "query/cursor.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct bool_cursor {
    ls_cursor base;
    ls_cursor **kids; /* must, then should, then not */
    size_t n_must, n_should, n_not;
    uint32_t ndocs;
    double score; /* of the current document, once scored */
    int scored;
} bool_cursor;

int ls_cursor_intersect(ls_cursor *const *cs, size_t n, uint32_t target, uint32_t *out)
{
    uint32_t d = target;
    size_t k = 0, agreed = 0;
    while (agreed < n) {
        ls_cursor *c = cs[k];
        if (c->doc < d) { /* a cursor at or past d stays: no call */
            int rc = ls_cursor_advance(c, d);
            if (rc != LS_OK)
                return rc;
        }
        if (c->doc == LS_DOC_END) {
            *out = LS_DOC_END;
            return LS_OK;
        }
        if (c->doc > d) {
            d = c->doc;
            agreed = 1;
        } else {
            agreed++;
        }
        k = k + 1 == n ? 0 : k + 1;
    }
    *out = d;
    return LS_OK;
}

static int disj_candidate(bool_cursor *b, uint32_t target, uint32_t *out)
{
    uint32_t d = LS_DOC_END;
    for (size_t k = b->n_must; k < b->n_must + b->n_should; k++) {
        ls_cursor *c = b->kids[k];
        int rc = ls_cursor_advance(c, target);
        if (rc != LS_OK)
            return rc;
        if (c->doc < d)
            d = c->doc;
    }
    *out = d;
    return LS_OK;
}

static int excluded(bool_cursor *b, uint32_t d, int *out)
{
    *out = 0;
    size_t from = b->n_must + b->n_should;
    for (size_t k = from; k < from + b->n_not; k++) {
        int rc = ls_cursor_advance(b->kids[k], d);
        if (rc != LS_OK)
            return rc;
        if (b->kids[k]->doc == d) {
            *out = 1;
            return LS_OK;
        }
    }
    return LS_OK;
}

/* Moves the SHOULD cursors to d, where the score finds them (a search that only counts
 * asks for none). */
static int settle_should(bool_cursor *b, uint32_t d)
{
    for (size_t k = b->n_must; k < b->n_must + b->n_should; k++) {
        int rc = ls_cursor_advance(b->kids[k], d);
        if (rc != LS_OK)
            return rc;
    }
    b->scored = 0;
    return LS_OK;
}

static int find(bool_cursor *b, uint32_t target)
{
    int rc = LS_OK;
    for (;;) {
        uint32_t d;
        if (b->n_must)
            rc = ls_cursor_intersect(b->kids, b->n_must, target, &d);
        else if (b->n_should)
            rc = disj_candidate(b, target, &d);
        else
            d = target < b->ndocs ? target : LS_DOC_END;
        if (rc != LS_OK)
            break;
        if (d == LS_DOC_END) {
            b->base.doc = LS_DOC_END;
            return LS_OK;
        }
        int ex;
        rc = excluded(b, d, &ex);
        if (rc != LS_OK)
            break;
        if (!ex) {
            rc = settle_should(b, d);
            if (rc != LS_OK)
                break;
            b->base.doc = d;
            return LS_OK;
        }
        target = d + 1;
    }
    b->base.doc = LS_DOC_END;
    return rc;
}

static int bool_next(ls_cursor *c)
{
    if (c->doc == LS_DOC_END)
        return LS_OK;
    return find((bool_cursor *)c, c->doc + 1);
}

static int bool_advance(ls_cursor *c, uint32_t target)
{
    if (c->doc >= target)
        return LS_OK;
    return find((bool_cursor *)c, target);
}

static double bool_score(ls_cursor *c)
{
    bool_cursor *b = (bool_cursor *)c;
    if (!b->scored) {
        double s = 0;
        for (size_t k = 0; k < b->n_must + b->n_should; k++)
            if (b->kids[k]->doc == c->doc) /* every MUST cursor, the SHOULD ones there */
                s += ls_cursor_score(b->kids[k]);
        b->score = s;
        b->scored = 1;
    }
    return b->score;
}

static void bool_free(ls_cursor *c)
{
    bool_cursor *b = (bool_cursor *)c;
    for (size_t k = 0; k < b->n_must + b->n_should + b->n_not; k++)
        ls_cursor_free(b->kids[k]);
    ls_free(b->kids);
    ls_free(b);
}

static const ls_cursor_ops bool_ops = {bool_next, bool_advance, bool_score, bool_free};

int ls_bool_cursor_new(ls_cursor **must, size_t n_must, ls_cursor **should, size_t n_should,
                       ls_cursor **nots, size_t n_not, uint32_t ndocs, ls_cursor **out,
                       ls_error *err)
{
    *out = NULL;
    size_t n = n_must + n_should + n_not;
    bool_cursor *b = ls_calloc(1, sizeof *b);
    ls_cursor **kids = ls_calloc(n ? n : 1, sizeof *kids);
    if (b == NULL || kids == NULL) {
        for (size_t k = 0; k < n_must; k++)
            ls_cursor_free(must[k]);
        for (size_t k = 0; k < n_should; k++)
            ls_cursor_free(should[k]);
        for (size_t k = 0; k < n_not; k++)
            ls_cursor_free(nots[k]);
        ls_free(b);
        ls_free(kids);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    if (n_must)
        memcpy(kids, must, n_must * sizeof *kids);
    if (n_should)
        memcpy(kids + n_must, should, n_should * sizeof *kids);
    if (n_not)
        memcpy(kids + n_must + n_should, nots, n_not * sizeof *kids);
    b->base.ops = &bool_ops;
    b->kids = kids;
    b->n_must = n_must;
    b->n_should = n_should;
    b->n_not = n_not;
    b->ndocs = ndocs;
    int rc = find(b, 0);
    if (rc != LS_OK) {
        bool_free(&b->base);
        return rc == LS_ENOMEM ? ls_error_set(err, rc, "out of memory")
                               : ls_error_set(err, rc, "damaged postings while matching");
    }
    *out = &b->base;
    return LS_OK;
}
