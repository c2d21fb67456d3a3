/* SPDX-License-Identifier: MIT */
/*
 * cur_list.c - the list cursor: walks a sorted array of (document, frequency) pairs that the
 * planner merged from several terms' postings (a prefix scored as one term), galloping on
 * advance.
 */
#include "format/doclens.h"
#include "libsearch.h"
#include "query/cursor.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct list_cursor {
    ls_cursor base;
    const ls_segment *seg;
    int field;
    const uint32_t *docs, *freqs;
    uint32_t n, i;
    ls_bm25_term sc;
} list_cursor;

static void settle(list_cursor *l)
{
    l->base.doc = l->i < l->n ? l->docs[l->i] : LS_DOC_END;
}

static int list_next(ls_cursor *c)
{
    list_cursor *l = (list_cursor *)c;
    if (l->i < l->n)
        l->i++;
    settle(l);
    return LS_OK;
}

static int list_advance(ls_cursor *c, uint32_t target)
{
    list_cursor *l = (list_cursor *)c;
    if (c->doc >= target)
        return LS_OK;
    /* gallop: find a step past target, then bisect the last step */
    uint32_t lo = l->i, step = 1, hi = lo + 1;
    while (hi < l->n && l->docs[hi] < target) {
        lo = hi;
        step *= 2;
        hi = l->n - lo > step ? lo + step : l->n;
    }
    if (hi > l->n)
        hi = l->n;
    while (lo < hi) { /* first index in [lo, hi) with docs >= target, else hi */
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->docs[mid] < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    l->i = lo;
    settle(l);
    return LS_OK;
}

uint32_t ls_list_cursor_freq(const ls_cursor *c)
{
    const list_cursor *l = (const list_cursor *)c;
    return l->freqs[l->i];
}

uint32_t ls_list_cursor_doclen(const ls_cursor *c)
{
    const list_cursor *l = (const list_cursor *)c;
    return ls_doclen_field(l->seg->len.body, l->field, l->base.doc);
}

static double list_score(ls_cursor *c)
{
    list_cursor *l = (list_cursor *)c;
    return ls_bm25_score(&l->sc, l->freqs[l->i], ls_list_cursor_doclen(c));
}

static void list_free(ls_cursor *c) { ls_free(c); }

static const ls_cursor_ops list_ops = {list_next, list_advance, list_score, list_free};

int ls_list_cursor_new(const ls_segment *seg, int field, const uint32_t *docs,
                       const uint32_t *freqs, uint32_t n, const ls_bm25_term *sc,
                       ls_cursor **out, ls_error *err)
{
    list_cursor *l = ls_calloc(1, sizeof *l);
    *out = NULL;
    if (l == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    l->base.ops = &list_ops;
    l->seg = seg;
    l->field = field;
    l->docs = docs;
    l->freqs = freqs;
    l->n = n;
    l->sc = *sc;
    settle(l);
    *out = &l->base;
    return LS_OK;
}
