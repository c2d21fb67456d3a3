/* SPDX-License-Identifier: MIT */
/*
 * cur_phrase.c - exact phrases: intersect the terms' documents first (leapfrog over their
 * skip tables), check positions last. Phrase frequency pf counts the start positions p with
 * term i at p + i for every i; the score is BM25 of pf with the summed idf of the terms.
 * Given a collector (ls_phrase_cursor_prune), a document whose score cannot enter even if
 * pf were its smallest tf is passed over before its positions are decoded, and the terms'
 * positions are decoded rarest first, only while a start is left. A collector that only
 * counts needs no pf: each word's positions are read up to the first occurrence.
 *
 * Ranked mode: under a collector that ranks, a phrase whose every word is in one of its word
 * pairs (the filters) finds its candidates from the pairs alone, a window of them at a time
 * in document order, each with the bound of its smallest pair tf. The pf of candidates is
 * then read best bound first, in batches that double (each batch in document order, the
 * words' cursors rewound when it starts behind them), until the window's k-th best score
 * found, or the collector's floor, shows that no candidate left can enter. Those left are
 * only checked for the phrase, up to the first occurrence and while the collector's count is
 * short of its count_limit, and counted without being offered; the rest are skipped. The
 * window's matches with a pf go to the collector in document order, so its results and
 * their ties are those of every match.
 */
#include <math.h>
#include <stdlib.h>

#include "format/positions.h"
#include "libsearch.h"
#include "query/cursor.h"
#include "query/topk.h"
#include "util/alloc.h"
#include "util/error.h"

/* Ranked mode: candidates a window holds at most, and the first batch's size. */
#define RANK_WINDOW 4096
#define RANK_FIRST_BATCH 16

typedef struct pos_reader pos_reader; /* first_match's */

typedef struct phrase_cand {
    uint32_t doc, len; /* document, its field length */
    uint32_t pf;       /* once read */
    uint32_t read;     /* nonzero once its pf is read */
    double bound;      /* the most it can score */
} phrase_cand;

typedef struct phrase_cursor {
    ls_cursor base;
    ls_term_cursor **terms; /* by place in the phrase; a word said twice has one cursor */
    ls_term_cursor **filters; /* word pairs: every match is among their documents */
    ls_cursor **bases; /* the filters' and the distinct terms' base cursors, for intersecting */
    size_t n, nfilters, nbases;
    ls_bm25_term sc;
    uint32_t pf;
    uint32_t *idx;    /* count_freq scratch: the terms in order of tf (n entries) */
    uint32_t *starts; /* count_freq scratch: the phrase starts still possible */
    pos_reader *readers; /* first_match scratch: one per place (n entries) */
    size_t starts_cap;
    uint32_t len;      /* field length of the current document */
    ls_collector *col; /* NULL: every document holding the phrase is returned */
    int match_only;    /* the collector only counts: pf is 1 for any match */
    int covered;       /* every word is in one of the filters: they alone find candidates */
    /* ranked mode (file comment) */
    int ranked, scan_done;
    uint32_t scan_from;  /* where the filters' next scan starts */
    phrase_cand *cand;   /* the window's candidates, by document; ready_i: the next to return */
    double *bounds;      /* rank_window's scratch */
    size_t ncand, ready_i, cand_cap, bounds_cap;
    ls_topk local;       /* the window's k best scores found */
    uint32_t blocks_from, blocks_to; /* blocks_cannot_enter: their blocks may enter here */
} phrase_cursor;

/* The smallest tf of cs[0..n) on their current document, at most `below`. */
static uint32_t min_tf(ls_term_cursor *const *cs, size_t n, uint32_t below)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t t = ls_term_cursor_tf(cs[k]);
        below = t < below ? t : below;
    }
    return below;
}

/* With a collector that may skip: nonzero when the document all terms stand on cannot enter
 * (pf <= each term's and each pair's tf, and BM25 rises with pf). */
static int cannot_enter(const phrase_cursor *p)
{
    if (p->col == NULL || ls_collector_floor(p->col) == -INFINITY)
        return 0;
    /* a pair occurs at each match, or more */
    uint32_t tf = min_tf(p->filters, p->nfilters, min_tf(p->terms, p->n, UINT32_MAX));
    double bound = ls_bm25_score(&p->sc, tf, ls_term_cursor_doclen(p->terms[0]));
    if (!ls_collector_cannot_enter(p->col, bound))
        return 0;
    ls_collector_skipped(p->col);
    return 1;
}

/* Folds the block bounds of cs[0..n) (each standing in the block to bound) into *bound (the
 * least) and *last (the first block end). */
static void fold_blocks(const phrase_cursor *p, ls_term_cursor *const *cs, size_t n,
                        double *bound, uint32_t *last)
{
    for (size_t k = 0; k < n; k++) {
        double b;
        uint32_t l = ls_term_cursor_block_bound_as(cs[k], &p->sc, &b);
        *bound = b < *bound ? b : *bound;
        *last = l < *last ? l : *last;
    }
}

/* With a collector that may skip, where the filters (and the words, with_words) all stand
 * on doc: nonzero when no document from doc to *last, the end of the first of their blocks to
 * end, can enter: a match there is in each list's block, with pf at most its tf there, so it
 * scores no more than the least of the lists' block bounds under the phrase's scoring.
 * Checked once per stretch of blocks found to be able to enter. */
static int blocks_cannot_enter(phrase_cursor *p, uint32_t doc, int with_words, uint32_t *last)
{
    if (p->col == NULL || ls_collector_floor(p->col) == -INFINITY ||
        (doc >= p->blocks_from && doc <= p->blocks_to))
        return 0;
    double bound = INFINITY;
    *last = LS_DOC_END;
    fold_blocks(p, p->filters, p->nfilters, &bound, last);
    if (with_words)
        fold_blocks(p, p->terms, p->n, &bound, last);
    if (!ls_collector_cannot_enter(p->col, bound)) {
        p->blocks_from = doc;
        p->blocks_to = *last;
        return 0;
    }
    ls_collector_skipped(p->col);
    return 1;
}

/* Keeps the starts s of st[0..*ns) with a position s + k among the n undecoded positions at
 * q, decoding them only as far as the last start needs; stops once `enough` are kept. */
static int keep_starts_bytes(uint32_t *st, uint32_t *ns, uint32_t k, const uint8_t *q,
                             const uint8_t *end, uint32_t n, uint32_t enough)
{
    uint32_t have, o = 0;
    if (n == 0 || ls_positions_next(&q, end, &have, 1) != LS_OK)
        return LS_ECORRUPT;
    n--;
    for (uint32_t i = 0; i < *ns; i++) {
        uint64_t want = (uint64_t)st[i] + k;
        while (have < want) {
            if (n == 0)
                goto done;
            if (ls_positions_next(&q, end, &have, 0) != LS_OK)
                return LS_ECORRUPT;
            n--;
        }
        st[o] = st[i];
        o += have == want;
        if (o == enough)
            break;
    }
done:
    *ns = o;
    return LS_OK;
}

/* keep_starts_bytes over n positions decoded already, at l. */
static void keep_starts_array(uint32_t *st, uint32_t *ns, uint32_t k, const uint32_t *l,
                              uint32_t n, uint32_t enough)
{
    uint32_t j = 0, o = 0;
    for (uint32_t i = 0; i < *ns; i++) {
        uint64_t want = (uint64_t)st[i] + k;
        while (j < n && l[j] < want)
            j++;
        if (j == n)
            break;
        st[o] = st[i];
        o += l[j] == want;
        if (o == enough)
            break;
    }
    *ns = o;
}

/* One word's positions in the current document, read forward: its undecoded bytes where the
 * cursor gives them (q != NULL), else its decoded array. */
struct pos_reader {
    const uint8_t *q, *end;
    const uint32_t *arr;
    uint32_t left; /* positions not read yet */
    uint32_t cur;  /* the last one read */
    int started;   /* nonzero once one is read */
};

static int reader_open(ls_term_cursor *t, pos_reader *r)
{
    r->started = 0;
    int rc = ls_term_cursor_position_bytes(t, &r->q, &r->end, &r->left);
    if (rc == 1)
        return LS_OK;
    r->q = NULL;
    return rc != 0 ? rc : ls_term_cursor_positions(t, &r->arr, &r->left);
}

/* Moves r to its first position >= want: 1 when there is one (r->cur), 0 when none is
 * left, LS_ECORRUPT. */
static int reader_reach(pos_reader *r, uint64_t want)
{
    while (!r->started || r->cur < want) {
        if (r->left == 0)
            return 0;
        r->left--;
        if (r->q == NULL)
            r->cur = *r->arr++;
        else if (ls_positions_next(&r->q, r->end, &r->cur, !r->started) != LS_OK)
            return LS_ECORRUPT;
        r->started = 1;
    }
    return 1;
}

/* Whether the phrase is in the current document (n >= 2 words, order: by tf): starts are
 * taken from the rarest word's positions one at a time, and every other word is read
 * forward to its place after the start; a word found past its place moves the next start
 * past it. Reads each word only up to the first occurrence. */
static int first_match(phrase_cursor *p, const uint32_t *order, uint32_t *there)
{
    pos_reader *rd = p->readers;
    uint32_t n = (uint32_t)p->n, lead = order[0];
    *there = 0;
    for (uint32_t r = 0; r < n; r++) {
        int rc = reader_open(p->terms[order[r]], &rd[r]);
        if (rc != LS_OK)
            return rc;
    }
    uint64_t want = lead; /* the lead word's next possible position */
    for (;;) {
        int got = reader_reach(&rd[0], want);
        if (got <= 0)
            return got;
        uint64_t start = rd[0].cur - lead;
        uint32_t r = 1;
        for (; r < n; r++) {
            if ((got = reader_reach(&rd[r], start + order[r])) <= 0)
                return got; /* a word with no position left: no start is left either */
            if (rd[r].cur != start + order[r])
                break;
        }
        if (r == n) {
            *there = 1;
            return LS_OK;
        }
        /* word r has none before rd[r].cur, which is past start + its place: the next start
         * is after this one */
        want = (uint64_t)rd[r].cur - order[r] + lead;
    }
}

/* Counts phrase occurrences in the current document (all terms are on it). The starts begin
 * as the positions of the term with the smallest tf (shifted back by its place in the
 * phrase); each other term, in order of tf, keeps the starts s with itself at s + its place
 * (its positions walked forward once). Terms after the starts run out are not decoded. A
 * phrase read as one word pair (planner.c) has no positions to compare: pf is the pair's tf.
 * enough = 1: only whether it is there (pf is 0 or 1); UINT32_MAX: pf. */
static int count_freq(phrase_cursor *p, uint32_t enough, uint32_t *pf_out)
{
    uint32_t *order = p->idx, n = (uint32_t)p->n;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t tf = ls_term_cursor_tf(p->terms[k]), j = k;
        for (; j > 0 && ls_term_cursor_tf(p->terms[order[j - 1]]) > tf; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
    const uint32_t *l;
    uint32_t nl, ns = 0;
    if (n == 1) { /* a word pair alone: each of its occurrences is one */
        *pf_out = enough == 1 ? 1 : ls_term_cursor_tf(p->terms[0]);
        return LS_OK;
    }
    if (enough == 1)
        return first_match(p, order, pf_out);
    uint32_t first = order[0];
    int rc = ls_term_cursor_positions(p->terms[first], &l, &nl);
    if (rc != LS_OK)
        return rc;
    if (ls_grow(&p->starts, &p->starts_cap, nl, sizeof *p->starts) != LS_OK)
        return LS_ENOMEM;
    uint32_t *st = p->starts;
    for (uint32_t a = 0; a < nl; a++) {
        st[ns] = l[a] - first;
        ns += l[a] >= first; /* a start before position 0 is none */
    }
    for (uint32_t r = 1; r < n && ns > 0; r++) {
        uint32_t k = order[r], stop = r + 1 < n ? UINT32_MAX : enough;
        const uint8_t *q, *end;
        rc = ls_term_cursor_position_bytes(p->terms[k], &q, &end, &nl);
        if (rc == 1)
            rc = keep_starts_bytes(st, &ns, k, q, end, nl, stop);
        else if (rc == 0 && (rc = ls_term_cursor_positions(p->terms[k], &l, &nl)) == LS_OK)
            keep_starts_array(st, &ns, k, l, nl, stop);
        if (rc != LS_OK)
            return rc;
    }
    *pf_out = ns;
    return LS_OK;
}

/* ---- ranked mode ---- */

/* Fills the window: the live documents from scan_from on that hold every pair, up to
 * RANK_WINDOW of those whose bound may enter (the others are skipped), in document order. */
static int scan_window(phrase_cursor *p)
{
    p->ncand = p->ready_i = 0;
    while (p->ncand < RANK_WINDOW && !p->scan_done) {
        uint32_t d;
        int rc = ls_cursor_intersect(p->bases, p->nfilters, p->scan_from, &d);
        if (rc != LS_OK)
            return rc;
        if (d == LS_DOC_END || d == LS_DOC_END - 1)
            p->scan_done = 1;
        if (d == LS_DOC_END)
            break;
        p->scan_from = d + 1;
        uint32_t last;
        if (blocks_cannot_enter(p, d, 0, &last)) {
            p->scan_done |= last >= LS_DOC_END - 1;
            p->scan_from = last + 1;
            continue;
        }
        if (!ls_collector_live(p->col, d))
            continue; /* never collected: neither counted nor a candidate */
        uint32_t len = ls_term_cursor_doclen(p->filters[0]);
        double bound = ls_bm25_score(&p->sc, min_tf(p->filters, p->nfilters, UINT32_MAX), len);
        if (ls_collector_cannot_enter(p->col, bound)) {
            ls_collector_skipped(p->col);
            continue;
        }
        if (ls_grow(&p->cand, &p->cand_cap, p->ncand + 1, sizeof *p->cand) != LS_OK)
            return LS_ENOMEM;
        p->cand[p->ncand++] = (phrase_cand){d, len, 0, 0, bound};
    }
    return LS_OK;
}

/* The k-th largest of v[0..n) (1 <= k <= n), v reordered: selection by partitioning. */
static double kth_largest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, want = k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) { /* larger values to the left */
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

/* Rewinds the words' cursors standing past doc. */
static int rewind_words(phrase_cursor *p, uint32_t doc)
{
    for (size_t j = 0; j < p->n; j++) /* a word said twice may be rewound twice: no harm */
        if (ls_term_cursor_base(p->terms[j])->doc > doc) {
            int rc = ls_term_cursor_rewind(p->terms[j]);
            if (rc != LS_OK)
                return rc;
        }
    return LS_OK;
}

/* The words' cursors moved to doc (rewound first where they stand past it): *pf its pf, or
 * with enough = 1 whether the phrase is there (count_freq). A word without doc, which one of
 * its pairs lists, is damage (its cursor would stand past the next candidates). */
static int freq_at(phrase_cursor *p, uint32_t doc, uint32_t enough, uint32_t *pf)
{
    uint32_t d;
    *pf = 0;
    int rc = rewind_words(p, doc);
    if (rc == LS_OK)
        rc = ls_cursor_intersect(p->bases + p->nfilters, p->nbases - p->nfilters, doc, &d);
    if (rc == LS_OK && d != doc)
        rc = LS_ECORRUPT;
    return rc != LS_OK ? rc : count_freq(p, enough, pf);
}

/* Nonzero when candidate c is unread and its bound may beat floor. */
static int may_enter(const phrase_cand *c, double floor)
{
    return !c->read && c->bound * (1 + LS_PRUNE_SLACK) > floor;
}

/* Reads the pf of the window's unread candidates that may beat floor and bound at least
 * cut, in document order: their scores go to local. */
static int read_batch(phrase_cursor *p, double floor, double cut)
{
    for (size_t i = 0; i < p->ncand; i++) {
        phrase_cand *c = &p->cand[i];
        if (!may_enter(c, floor) || c->bound < cut)
            continue;
        int rc = freq_at(p, c->doc, UINT32_MAX, &c->pf);
        if (rc != LS_OK)
            return rc;
        c->read = 1;
        if (c->pf > 0)
            ls_topk_push(&p->local, ls_bm25_score(&p->sc, c->pf, c->len), c->doc);
    }
    return LS_OK;
}

/* Counts the window's unread candidates (none of them able to enter) that hold the phrase,
 * in document order, without their pf, while the collector's count with the window's
 * matches is short of its count_limit; skips the others. */
static int count_rest(phrase_cursor *p)
{
    uint64_t have = p->col->total, limit = p->col->count_limit;
    for (size_t i = 0; i < p->ncand; i++)
        have += p->cand[i].read && p->cand[i].pf > 0;
    for (size_t i = 0; i < p->ncand; i++) {
        phrase_cand *c = &p->cand[i];
        if (c->read)
            continue;
        if (have >= limit) {
            ls_collector_skipped(p->col);
            break;
        }
        uint32_t there;
        int rc = freq_at(p, c->doc, 1, &there);
        if (rc != LS_OK)
            return rc;
        if (there) {
            ls_collector_count(p->col, c->doc);
            have++;
        }
    }
    return LS_OK;
}

/* Reads the window's candidates best bound first, in batches that double, until none left
 * can enter: its bound is at or below the floor or the window's k-th best score found,
 * which the collector is about to be offered. The rest are counted (count_rest). */
static int rank_window(phrase_cursor *p)
{
    if (ls_grow(&p->bounds, &p->bounds_cap, p->ncand, sizeof *p->bounds) != LS_OK)
        return LS_ENOMEM;
    p->local.n = 0;
    for (size_t batch = RANK_FIRST_BATCH;; batch *= 2) {
        double floor = ls_collector_floor(p->col), mine = ls_topk_threshold(&p->local);
        floor = mine > floor ? mine : floor;
        size_t m = 0;
        for (size_t i = 0; i < p->ncand; i++)
            if (may_enter(&p->cand[i], floor))
                p->bounds[m++] = p->cand[i].bound;
        if (m == 0)
            break;
        double cut = m <= batch ? -INFINITY : kth_largest(p->bounds, m, batch);
        int rc = read_batch(p, floor, cut);
        if (rc != LS_OK)
            return rc;
    }
    return count_rest(p);
}

/* find in ranked mode: the next match of a window, windows filled as they run out. */
static int find_ranked(phrase_cursor *p, uint32_t target)
{
    if (!p->ranked) {
        if (ls_topk_init(&p->local, p->col->top->k) != LS_OK)
            return LS_ENOMEM;
        p->ranked = 1;
        p->scan_from = target;
    }
    for (;;) {
        for (; p->ready_i < p->ncand; p->ready_i++) {
            const phrase_cand *m = &p->cand[p->ready_i];
            if (m->doc >= target && m->read && m->pf > 0) {
                p->base.doc = m->doc;
                p->pf = m->pf;
                p->len = m->len;
                return LS_OK;
            }
        }
        if (p->scan_done) {
            p->base.doc = LS_DOC_END;
            return LS_OK;
        }
        if (p->scan_from < target)
            p->scan_from = target;
        int rc = scan_window(p);
        if (rc == LS_OK)
            rc = rank_window(p);
        if (rc != LS_OK)
            return rc;
    }
}

/* Moves to the first document >= target holding the whole phrase. */
static int find(phrase_cursor *p, uint32_t target)
{
    if (p->ranked || (p->covered && p->col != NULL && !p->match_only && p->nfilters > 0)) {
        int rc = find_ranked(p, target);
        if (rc != LS_OK)
            p->base.doc = LS_DOC_END;
        return rc;
    }
    for (;;) {
        uint32_t d, pf = 0, last;
        int rc = ls_cursor_intersect(p->bases, p->nbases, target, &d);
        if (rc == LS_OK && d != LS_DOC_END && blocks_cannot_enter(p, d, 1, &last)) {
            if (last >= LS_DOC_END - 1) {
                p->base.doc = LS_DOC_END;
                return LS_OK;
            }
            target = last + 1;
            continue;
        }
        if (rc == LS_OK && d != LS_DOC_END && !cannot_enter(p))
            rc = count_freq(p, p->match_only ? 1 : UINT32_MAX, &pf);
        if (rc != LS_OK || d == LS_DOC_END) {
            p->base.doc = LS_DOC_END;
            return rc;
        }
        if (pf > 0) {
            p->base.doc = d;
            p->pf = pf;
            p->len = ls_term_cursor_doclen(p->terms[0]);
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
    return ((const phrase_cursor *)c)->len;
}

ls_term_cursor *ls_phrase_cursor_pair(ls_cursor *c)
{
    phrase_cursor *p = (phrase_cursor *)c;
    return p->n == 1 && !ls_field_filtered(ls_term_cursor_field(p->terms[0])) ? p->terms[0]
                                                                               : NULL;
}

uint32_t ls_phrase_cursor_freq(const ls_cursor *c) { return ((const phrase_cursor *)c)->pf; }

void ls_phrase_cursor_prune(ls_cursor *c, ls_collector *col)
{
    phrase_cursor *p = (phrase_cursor *)c;
    p->col = col;
    p->match_only = ls_collector_counts_only(col);
}

static double phrase_score(ls_cursor *c)
{
    phrase_cursor *p = (phrase_cursor *)c;
    return ls_bm25_score(&p->sc, p->pf, ls_phrase_cursor_doclen(c));
}

/* Nonzero when terms[k] is not among terms[0..k): a word's first place in the phrase. */
static int first_place(ls_term_cursor *const *terms, size_t k)
{
    size_t j = 0;
    while (j < k && terms[j] != terms[k])
        j++;
    return j == k;
}

void ls_phrase_terms_free(ls_term_cursor **terms, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (terms[k] != NULL && first_place(terms, k))
            ls_cursor_free(ls_term_cursor_base(terms[k]));
}

static void phrase_free(ls_cursor *c)
{
    phrase_cursor *p = (phrase_cursor *)c;
    ls_phrase_terms_free(p->terms, p->n);
    ls_phrase_terms_free(p->filters, p->nfilters);
    ls_free(p->terms);
    ls_free(p->filters);
    ls_free(p->bases);
    ls_free(p->idx);
    ls_free(p->readers);
    ls_free(p->starts);
    ls_free(p->cand);
    ls_free(p->bounds);
    if (p->ranked)
        ls_topk_free(&p->local);
    ls_free(p);
}

static const ls_cursor_ops phrase_ops = {phrase_next, phrase_advance, phrase_score, phrase_free};

int ls_phrase_cursor_new(ls_term_cursor **terms, size_t n,
                         ls_term_cursor **filters, size_t nfilters, int covered,
                         const ls_bm25_term *sc, ls_cursor **out, ls_error *err)
{
    *out = NULL;
    phrase_cursor *p = ls_calloc(1, sizeof *p);
    ls_term_cursor **copy = ls_calloc(n ? n : 1, sizeof *copy);
    ls_term_cursor **fcopy = ls_calloc(nfilters ? nfilters : 1, sizeof *fcopy);
    ls_cursor **bases = ls_calloc(n + nfilters ? n + nfilters : 1, sizeof *bases);
    uint32_t *idx = ls_calloc(n ? n : 1, sizeof *idx);
    pos_reader *readers = ls_calloc(n ? n : 1, sizeof *readers);
    if (p == NULL || copy == NULL || fcopy == NULL || bases == NULL || idx == NULL ||
        readers == NULL || n == 0 ||
        n > LS_MAX_PHRASE_WORDS) {
        ls_phrase_terms_free(terms, n);
        ls_phrase_terms_free(filters, nfilters);
        ls_free(p);
        ls_free(copy);
        ls_free(fcopy);
        ls_free(bases);
        ls_free(idx);
        ls_free(readers);
        if (n > LS_MAX_PHRASE_WORDS)
            return ls_error_set(err, LS_ELIMIT, "phrase of %zu words (at most %u)", n,
                                LS_MAX_PHRASE_WORDS);
        return ls_error_set(err, n ? LS_ENOMEM : LS_EINVAL, "cannot make a phrase cursor");
    }
    size_t nb = 0;
    for (size_t k = 0; k < nfilters; k++) { /* the rarer lists lead the intersection */
        fcopy[k] = filters[k];
        bases[nb++] = ls_term_cursor_base(filters[k]);
    }
    for (size_t k = 0; k < n; k++) {
        copy[k] = terms[k];
        if (first_place(terms, k))
            bases[nb++] = ls_term_cursor_base(terms[k]);
    }
    p->nbases = nb;
    p->base.ops = &phrase_ops;
    p->terms = copy;
    p->filters = fcopy;
    p->nfilters = nfilters;
    p->bases = bases;
    p->idx = idx;
    p->readers = readers;
    p->n = n;
    p->sc = *sc;
    p->covered = covered;
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
