/* SPDX-License-Identifier: MIT */
/*
 * cur_term.c - the term cursor: decodes one 128-posting block at a time (FORMAT.md
 * "Postings"), skips whole blocks through the skip table on advance, decodes positions lazily
 * (FORMAT.md "Positions"), and, for the body field, keeps only positions at or after the
 * document's body start.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "format/doclens.h"
#include "format/positions.h"
#include "libsearch.h"
#include "query/collector.h"
#include "query/cursor.h"
#include "util/alloc.h"
#include "util/error.h"

/* LS_DOC_END entries after a block's documents (term_advance) */
#define PAD 8

struct ls_term_cursor {
    ls_cursor base;
    const ls_segment *seg;
    ls_postings_view v;
    int field; /* LS_FIELD_* */
    int scoring;
    ls_bm25_term sc;
    int need_positions;
    /* the current block's documents: LS_BLOCK + PAD entries, docs[n..n + PAD) LS_DOC_END so
     * that advance scans without bounds checks; apart from the cursor, so that both stay
     * within the allocator's small, cached sizes (the frequencies: tfs, the last member) */
    uint32_t *docs;
    uint32_t n, i, block;
    /* positions: pos_p is the first byte of docs[pos_i]'s positions (NULL until the block's
     * positions are first read and verified), pos_stop the end of the block's positions */
    const uint8_t *pos_p, *pos_stop;
    uint32_t pos_i;
    uint32_t *pos;
    uint32_t npos;
    size_t pos_cap;
    uint32_t pos_doc_loaded; /* doc whose positions are in pos, or LS_DOC_END */
    uint32_t ftf;            /* filtered tf (body) */
    uint32_t list_max_tf, list_min_len; /* over the whole list (the tail's bound) */
    uint32_t tfs[LS_BLOCK]; /* last: not cleared on creation, a block load writes them */
};

static int load_block(ls_term_cursor *t, uint32_t b)
{
    const ls_postings_view *v = &t->v;
    t->block = b;
    t->i = 0;
    t->pos_i = 0;
    t->pos_p = t->pos_stop = NULL;
    t->pos_doc_loaded = LS_DOC_END;
    int n = LS_BLOCK;
    if (b < v->nblocks) {
        if (ls_postings_decode_block(v, b, t->docs, t->tfs) != LS_OK)
            return LS_ECORRUPT;
    } else if ((n = ls_postings_decode_tail(v, t->docs, t->tfs)) < 0) {
        return LS_ECORRUPT;
    }
    t->n = (uint32_t)n;
    for (uint32_t k = t->n; k < t->n + PAD; k++)
        t->docs[k] = LS_DOC_END;
    return LS_OK;
}

static int fail(ls_term_cursor *t, int rc)
{
    t->base.doc = LS_DOC_END;
    return rc;
}

/* Moves the block's positions reader to docs[i]'s positions (verifying the block's positions
 * on their first read), passing over those of the documents since the last read in one skip. */
static int reach_positions(ls_term_cursor *t)
{
    if (t->pos_p == NULL &&
        ls_postings_block_positions(&t->v, t->block, &t->pos_p, &t->pos_stop) != LS_OK)
        return LS_ECORRUPT;
    const uint8_t *p = t->pos_p, *end = t->pos_stop;
    uint64_t pass = 0;
    for (uint32_t k = t->pos_i; k < t->i; k++)
        pass += t->tfs[k];
    if (pass > (uint64_t)(end - p) || ls_positions_skip(&p, end, (size_t)pass) != LS_OK)
        return LS_ECORRUPT;
    t->pos_p = p;
    t->pos_i = t->i;
    return LS_OK;
}

/* Decodes positions of docs[i] into t->pos (unfiltered). */
static int decode_positions(ls_term_cursor *t)
{
    if (reach_positions(t) != LS_OK)
        return LS_ECORRUPT;
    const uint8_t *p = t->pos_p, *end = t->pos_stop;
    uint32_t tf = t->tfs[t->i];
    if (tf > (size_t)(end - p)) /* each position takes at least one byte: tf is impossible */
        return LS_ECORRUPT;
    if (ls_grow(&t->pos, &t->pos_cap, tf, sizeof *t->pos) != LS_OK)
        return LS_ENOMEM;
    if (ls_positions_decode(&p, end, tf, t->pos) != LS_OK)
        return LS_ECORRUPT;
    t->npos = tf;
    t->pos_p = p;
    t->pos_i = t->i + 1;
    t->pos_doc_loaded = t->docs[t->i];
    return LS_OK;
}

/* Body field: keeps positions at or after the body start; ftf = how many. */
static int filter_body(ls_term_cursor *t)
{
    int rc = decode_positions(t);
    if (rc != LS_OK)
        return rc;
    uint32_t doc = t->docs[t->i];
    if (doc >= t->seg->ndocs)
        return LS_ECORRUPT;
    uint32_t start = ls_doclen_body_start(t->seg->len.body, doc), k = 0;
    while (k < t->npos && t->pos[k] < start)
        k++;
    if (k > 0)
        memmove(t->pos, t->pos + k, (t->npos - k) * sizeof *t->pos);
    t->npos -= k;
    t->ftf = t->npos;
    return LS_OK;
}

/* Settles on docs[i] or later: moves across blocks and applies the body filter. */
static int settle(ls_term_cursor *t)
{
    for (;;) {
        if (t->i >= t->n) {
            uint32_t nb = t->block + 1;
            if (t->block >= t->v.nblocks || (nb == t->v.nblocks && t->v.df % LS_BLOCK == 0)) {
                t->base.doc = LS_DOC_END;
                return LS_OK;
            }
            int rc = load_block(t, nb);
            if (rc != LS_OK)
                return fail(t, rc);
            continue;
        }
        if (ls_field_filtered(t->field)) {
            int rc = filter_body(t);
            if (rc != LS_OK)
                return fail(t, rc);
            if (t->ftf == 0) {
                t->i++;
                continue;
            }
        }
        t->base.doc = t->docs[t->i];
        if (t->base.doc >= t->seg->ndocs)
            return fail(t, LS_ECORRUPT);
        return LS_OK;
    }
}

static int term_next(ls_cursor *c)
{
    ls_term_cursor *t = (ls_term_cursor *)c;
    if (c->doc == LS_DOC_END)
        return LS_OK;
    t->i++;
    return settle(t);
}

/* *out = the first full block from `from` on whose last document is >= target (nblocks when
 * none is): galloping, then bisecting, over the skip table, each entry read verified. */
static int first_block_reaching(const ls_postings_view *v, uint32_t from, uint32_t target,
                                uint32_t *out)
{
    uint32_t nb = v->nblocks, lo, hi = nb;
    *out = nb;
    if (from >= nb)
        return LS_OK;
    if (!ls_skip_entry_ok(v, from))
        return LS_ECORRUPT;
    if (ls_skip_last_doc(v, from) >= target) {
        *out = from;
        return LS_OK;
    }
    lo = from; /* below target */
    for (uint32_t step = 1;; step *= 2) {
        if (step > nb - lo - 1) /* lo + step would reach nb */
            break;
        uint32_t probe = lo + step;
        if (!ls_skip_entry_ok(v, probe))
            return LS_ECORRUPT;
        if (ls_skip_last_doc(v, probe) >= target) {
            hi = probe;
            break;
        }
        lo = probe;
    }
    while (hi - lo > 1) { /* lo below target, hi reaching it (or nb) */
        uint32_t mid = lo + (hi - lo) / 2;
        if (!ls_skip_entry_ok(v, mid))
            return LS_ECORRUPT;
        if (ls_skip_last_doc(v, mid) >= target)
            hi = mid;
        else
            lo = mid;
    }
    *out = hi;
    return LS_OK;
}

static int term_advance(ls_cursor *c, uint32_t target)
{
    ls_term_cursor *t = (ls_term_cursor *)c;
    if (c->doc >= target)
        return LS_OK;
    if (t->docs[t->n - 1] < target) {
        /* Skip whole blocks: find the first full block whose last doc reaches target. */
        uint32_t b;
        if (first_block_reaching(&t->v, t->block + 1, target, &b) != LS_OK)
            return fail(t, LS_ECORRUPT);
        if (b == t->v.nblocks && t->v.df % LS_BLOCK == 0) {
            /* Past every block: trust that only after verifying the last entry. */
            if (!ls_skip_entry_ok(&t->v, b - 1))
                return fail(t, LS_ECORRUPT);
            c->doc = LS_DOC_END;
            return LS_OK;
        }
        if (b > t->v.nblocks) {
            c->doc = LS_DOC_END;
            return LS_OK;
        }
        int rc = load_block(t, b);
        if (rc != LS_OK)
            return fail(t, rc);
    }
    /* Eight postings a step while the eighth is short of target, then the last seven
     * counted without a branch (sorted: those below target lead). The padding is at or
     * above any target, so neither reads past docs[n + PAD). */
    uint32_t i = t->i;
    const uint32_t *docs = t->docs;
    if (docs[i] < target && docs[i + 1] >= target) { /* the next one, as next would */
        t->i = i + 1;
        return settle(t);
    }
    while (docs[i + 7] < target)
        i += 8;
    uint32_t below = 0;
    for (uint32_t k = 0; k < 7; k++)
        below += docs[i + k] < target;
    t->i = i + below;
    return settle(t);
}

static uint32_t doclen(const ls_term_cursor *t)
{
    return ls_doclen_field(t->seg->len.body, t->field, t->base.doc);
}

uint32_t ls_term_cursor_doclen(const ls_term_cursor *t) { return doclen(t); }

uint32_t ls_term_cursor_tf(const ls_term_cursor *t)
{
    return ls_field_filtered(t->field) ? t->ftf : t->tfs[t->i];
}

static double term_score(ls_cursor *c)
{
    ls_term_cursor *t = (ls_term_cursor *)c;
    return ls_bm25_score(&t->sc, ls_term_cursor_tf(t), doclen(t));
}

int ls_term_cursor_positions(ls_term_cursor *t, const uint32_t **pos_out, uint32_t *n_out)
{
    if (t->pos_doc_loaded != t->base.doc) {
        int rc = decode_positions(t);
        if (rc != LS_OK)
            return rc;
    }
    *pos_out = t->pos;
    *n_out = t->npos;
    return LS_OK;
}

int ls_term_cursor_position_bytes(ls_term_cursor *t, const uint8_t **p, const uint8_t **end,
                                  uint32_t *n)
{
    if (ls_field_filtered(t->field) || t->pos_doc_loaded == t->base.doc)
        return 0;
    if (reach_positions(t) != LS_OK)
        return LS_ECORRUPT;
    *p = t->pos_p;
    *end = t->pos_stop;
    *n = t->tfs[t->i];
    return 1;
}

int ls_term_cursor_add_window(ls_term_cursor *t, uint32_t from, uint32_t to, double *score,
                              uint8_t *flags, uint64_t *used, uint8_t flag, uint64_t *passed)
{
    if (ls_field_filtered(t->field))
        return 0;
    const uint8_t *lens = t->seg->len.body;
    while (t->base.doc < to) {
        /* the rest of the block below `to`, straight from its arrays */
        uint32_t i = t->i, n = t->n;
        const uint32_t *docs = t->docs, *tfs = t->tfs;
        for (; i < n && docs[i] < to; i++) {
            uint32_t d = docs[i], w = d - from;
            if (passed != NULL && flags[w] == 0) {
                ++*passed;
                continue;
            }
            double sc = ls_bm25_score(&t->sc, tfs[i], ls_doclen_field(lens, t->field, d));
            score[w] = flags[w] == 0 ? sc : score[w] + sc;
            flags[w] |= flag;
            ls_window_touch(used, w);
        }
        t->i = i;
        if (i < n) {
            t->base.doc = docs[i];
            break;
        }
        int rc = settle(t); /* the next block */
        if (rc != LS_OK)
            return rc;
    }
    return 1;
}

/* The most a posting with tf <= max_tf in a document of length >= min_len can score. Body
 * postings are the all field's: their lengths bound the body's from above, so a body term
 * bounds with length 0. */
static double bound_as(const ls_term_cursor *t, const ls_bm25_term *sc, uint32_t max_tf,
                       uint32_t min_len)
{
    return ls_bm25_score(sc, max_tf, t->field == LS_FIELD_BODY ? 0 : min_len);
}

static double bound(const ls_term_cursor *t, uint32_t max_tf, uint32_t min_len)
{
    return bound_as(t, &t->sc, max_tf, min_len);
}

/* The bound of block b's postings and, in *last, its last document: the most one of its
 * impacts (format/impacts.h) scores; the tail has no skip entry and takes the list's bound; a
 * skip entry whose page fails its check, or that has no impact, gives +inf (no skipping:
 * decoding reports the damage). Both end the list (LS_DOC_END). */
static double block_max_as(const ls_term_cursor *t, const ls_bm25_term *sc, uint32_t b,
                           uint32_t *last)
{
    const ls_postings_view *v = &t->v;
    *last = LS_DOC_END;
    if (b >= v->nblocks)
        return bound_as(t, sc, t->list_max_tf, t->list_min_len);
    if (!ls_skip_entry_ok(v, b))
        return INFINITY;
    *last = ls_skip_last_doc(v, b);
    if (t->field == LS_FIELD_BODY) /* bounds with length 0: the largest tf alone counts */
        return bound_as(t, sc, ls_skip_max_tf(v, b), 0);
    ls_impact im[LS_IMPACTS];
    uint32_t n = ls_skip_impacts(v, b, im);
    double best = n ? 0 : INFINITY;
    for (uint32_t j = 0; j < n; j++) {
        double s = bound_as(t, sc, im[j].tf, im[j].len);
        best = s > best ? s : best;
    }
    return best;
}

static double block_max(const ls_term_cursor *t, uint32_t b, uint32_t *last)
{
    return block_max_as(t, &t->sc, b, last);
}

int ls_term_cursor_field(const ls_term_cursor *t) { return t->field; }

int ls_term_cursor_collect_block(ls_term_cursor *t, ls_collector *col)
{
    if (ls_field_filtered(t->field))
        return LS_EINVAL;
    const uint8_t *lens = t->seg->len.body;
    const uint32_t *docs = t->docs, *tfs = t->tfs;
    uint32_t ndocs = t->seg->ndocs;
    for (uint32_t i = t->i; i < t->n; i++) {
        uint32_t d = docs[i];
        if (d >= ndocs)
            return fail(t, LS_ECORRUPT);
        ls_collector_collect(col, d,
                             ls_bm25_score(&t->sc, tfs[i], ls_doclen_field(lens, t->field, d)));
    }
    t->i = t->n;
    return settle(t);
}

int ls_term_cursor_add_counts(ls_term_cursor *t, uint32_t *acc, uint32_t *last)
{
    if (ls_field_filtered(t->field))
        return 0;
    uint32_t ndocs = t->seg->ndocs;
    while (t->base.doc != LS_DOC_END) {
        const uint32_t *docs = t->docs, *tfs = t->tfs;
        uint32_t n = t->n;
        if (docs[n - 1] >= ndocs) /* ascending: the block's last bounds them all */
            return fail(t, LS_ECORRUPT);
        for (uint32_t i = t->i; i < n; i++)
            acc[docs[i]] += tfs[i];
        *last = docs[n - 1];
        t->i = n;
        int rc = settle(t);
        if (rc != LS_OK)
            return rc;
    }
    return 1;
}

double ls_term_cursor_list_bound(const ls_term_cursor *t)
{
    return bound(t, t->list_max_tf, t->list_min_len);
}

double ls_term_cursor_max_score(const ls_term_cursor *t, uint32_t to)
{
    if (t->base.doc >= to)
        return 0;
    double m = 0;
    for (uint32_t b = t->block;; b++) {
        uint32_t last;
        double s = block_max(t, b, &last);
        m = s > m ? s : m;
        if (last >= to - 1 || (b + 1 == t->v.nblocks && t->v.df % LS_BLOCK == 0))
            return m; /* the window's last block, or the last block and no tail */
    }
}

uint32_t ls_term_cursor_block_bound(const ls_term_cursor *t, double *max_score)
{
    uint32_t last;
    *max_score = block_max(t, t->block, &last);
    return last;
}

uint32_t ls_term_cursor_block_bound_as(const ls_term_cursor *t, const ls_bm25_term *sc,
                                       double *max_score)
{
    uint32_t last;
    *max_score = block_max_as(t, sc, t->block, &last);
    return last;
}

int ls_term_cursor_rewind(ls_term_cursor *t)
{
    int rc = load_block(t, 0);
    return rc != LS_OK ? fail(t, rc) : settle(t);
}

static void term_free(ls_cursor *c)
{
    ls_term_cursor *t = (ls_term_cursor *)c;
    ls_free(t->pos);
    ls_free(t->docs);
    ls_free(t);
}

static const ls_cursor_ops term_ops = {term_next, term_advance, term_score, term_free};

ls_cursor *ls_term_cursor_base(ls_term_cursor *t) { return &t->base; }

int ls_term_cursor_new(const ls_segment *seg, const ls_term_meta *meta, int field,
                       const ls_bm25_term *sc, int need_positions, ls_term_cursor **out,
                       ls_error *err)
{
    *out = NULL;
    ls_term_cursor *t = ls_malloc(sizeof *t);
    if (t != NULL) /* all but tfs */
        memset(t, 0, offsetof(ls_term_cursor, tfs));
    uint32_t *docs = ls_malloc((LS_BLOCK + PAD) * sizeof *docs);
    if (t == NULL || docs == NULL) {
        ls_free(t);
        ls_free(docs);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    t->docs = docs;
    t->base.ops = &term_ops;
    t->seg = seg;
    t->field = field;
    t->need_positions = need_positions;
    if (sc != NULL)
        t->sc = *sc;
    t->list_max_tf = meta->max_tf;
    t->list_min_len = meta->min_len;
    int rc = ls_segment_view(seg, meta, &t->v, err);
    if (rc == LS_OK) {
        rc = load_block(t, 0);
        if (rc == LS_OK)
            rc = settle(t);
        if (rc != LS_OK)
            rc = rc == LS_ENOMEM ? ls_error_set(err, rc, "out of memory")
                                 : ls_error_set(err, rc, "'%s': damaged postings", seg->doc.path);
    }
    if (rc != LS_OK) {
        term_free(&t->base);
        return rc;
    }
    *out = t;
    return LS_OK;
}
