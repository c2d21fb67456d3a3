/* SPDX-License-Identifier: MIT */
/*
 * snippet.c - window selection in two passes over the text: the first streams tokens through
 * a ring of `window` entries and remembers the best window; the second collects the chosen,
 * re-centred window's tokens. Memory is O(window + terms), whatever the text's size.
 */
#include "highlight/snippet.h"

#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

typedef struct pass1 {
    const ls_strtab *terms;
    unsigned window;
    int32_t *ring_term; /* term id or -1, by token index mod window */
    uint64_t *ring_idx;
    uint32_t *counts;   /* per term id, inside the window */
    uint32_t distinct, matches;
    uint64_t ntok;
    uint32_t best_distinct, best_matches;
    uint64_t best_first_match, best_last;
    int found;
} pass1;

static int on_token1(const ls_token *tok, void *payload)
{
    pass1 *p = payload;
    uint64_t i = p->ntok++;
    size_t slot = (size_t)(i % p->window);
    if (i >= p->window && p->ring_term[slot] >= 0) { /* evict the token leaving the window */
        uint32_t t = (uint32_t)p->ring_term[slot];
        p->matches--;
        if (--p->counts[t] == 0)
            p->distinct--;
    }
    int64_t id = ls_strtab_find(p->terms, tok->text, tok->len);
    p->ring_term[slot] = (int32_t)id;
    p->ring_idx[slot] = i;
    if (id >= 0) {
        p->matches++;
        if (p->counts[id]++ == 0)
            p->distinct++;
        if (p->distinct > p->best_distinct ||
            (p->distinct == p->best_distinct && p->matches > p->best_matches)) {
            p->best_distinct = p->distinct;
            p->best_matches = p->matches;
            p->best_last = i;
            /* the first match inside the window */
            uint64_t from = i + 1 >= p->window ? i + 1 - p->window : 0;
            for (uint64_t k = from; k <= i; k++)
                if (p->ring_term[k % p->window] >= 0) {
                    p->best_first_match = k;
                    break;
                }
            p->found = 1;
        }
    }
    return 0;
}

typedef struct pass2 {
    const ls_strtab *terms;
    uint64_t from, to; /* token indexes [from, to) */
    uint64_t ntok;
    size_t *starts, *ends;
    int *is_match;
    size_t n;
} pass2;

static int on_token2(const ls_token *tok, void *payload)
{
    pass2 *p = payload;
    uint64_t i = p->ntok++;
    if (i < p->from || i >= p->to)
        return 0;
    p->starts[p->n] = tok->start;
    p->ends[p->n] = tok->end;
    p->is_match[p->n] = ls_strtab_find(p->terms, tok->text, tok->len) >= 0;
    p->n++;
    return 0;
}

static int fill(const char *text, size_t len, const pass2 *p2, uint64_t ntok, int field,
                ls_arena *arena, ls_snippet *out)
{
    memset(out, 0, sizeof *out);
    out->field = field;
    if (p2->n == 0) {
        out->text = ls_arena_strndup(arena, "", 0);
        out->starts_field = out->ends_field = 1;
        return out->text ? LS_OK : LS_ENOMEM;
    }
    size_t s = p2->starts[0], e = p2->ends[p2->n - 1];
    out->text = ls_arena_strndup(arena, text + s, e - s);
    out->len = e - s;
    out->field_offset = s;
    out->starts_field = p2->from == 0;
    out->ends_field = p2->from + p2->n >= ntok;
    (void)len;
    size_t nm = 0;
    for (size_t i = 0; i < p2->n; i++)
        nm += (size_t)p2->is_match[i];
    ls_span *m = ls_arena_alloc(arena, (nm ? nm : 1) * sizeof *m);
    ls_fragment *f = ls_arena_alloc(arena, (2 * nm + 1) * sizeof *f);
    if (out->text == NULL || m == NULL || f == NULL)
        return LS_ENOMEM;
    size_t k = 0, nf = 0, cur = 0;
    for (size_t i = 0; i < p2->n; i++) {
        if (!p2->is_match[i])
            continue;
        size_t ms = p2->starts[i] - s, ml = p2->ends[i] - p2->starts[i];
        m[k++] = (ls_span){ms, ml};
        if (ms > cur)
            f[nf++] = (ls_fragment){out->text + cur, ms - cur, 0};
        f[nf++] = (ls_fragment){out->text + ms, ml, 1};
        cur = ms + ml;
    }
    if (cur < out->len)
        f[nf++] = (ls_fragment){out->text + cur, out->len - cur, 0};
    out->n_matches = nm;
    out->matches = m;
    out->n_fragments = nf;
    out->fragments = f;
    return LS_OK;
}

int ls_snippet_build(ls_analyzer *an, const char *text, size_t len, const ls_strtab *terms,
                     unsigned window, int field, ls_arena *arena, ls_snippet *out,
                     ls_error *err)
{
    if (window == 0)
        window = 25;
    pass1 p1;
    memset(&p1, 0, sizeof p1);
    p1.terms = terms;
    p1.window = window;
    p1.ring_term = ls_calloc(window, sizeof *p1.ring_term);
    p1.ring_idx = ls_calloc(window, sizeof *p1.ring_idx);
    p1.counts = ls_calloc(terms->count ? terms->count : 1, sizeof *p1.counts);
    pass2 p2;
    memset(&p2, 0, sizeof p2);
    p2.terms = terms;
    p2.starts = ls_calloc(window, sizeof *p2.starts);
    p2.ends = ls_calloc(window, sizeof *p2.ends);
    p2.is_match = ls_calloc(window, sizeof *p2.is_match);
    int rc = LS_ENOMEM;
    if (!p1.ring_term || !p1.ring_idx || !p1.counts || !p2.starts || !p2.ends || !p2.is_match)
        goto done;
    rc = ls_analyze(an, text, len, 0, 0, on_token1, &p1, NULL);
    if (rc != LS_OK)
        goto done;
    if (p1.found) { /* centre the matches: split the spare tokens before and after */
        uint64_t span = p1.best_last - p1.best_first_match + 1;
        uint64_t spare = window > span ? window - span : 0;
        uint64_t before = spare / 2;
        p2.from = p1.best_first_match > before ? p1.best_first_match - before : 0;
        if (p2.from + window > p1.ntok)
            p2.from = p1.ntok > window ? p1.ntok - window : 0;
    }
    p2.to = p2.from + window;
    rc = ls_analyze(an, text, len, 0, 0, on_token2, &p2, NULL);
    if (rc == LS_OK)
        rc = fill(text, len, &p2, p1.ntok, field, arena, out);
done:
    ls_free(p1.ring_term);
    ls_free(p1.ring_idx);
    ls_free(p1.counts);
    ls_free(p2.starts);
    ls_free(p2.ends);
    ls_free(p2.is_match);
    if (rc != LS_OK)
        return ls_error_set(err, rc, "cannot build a snippet");
    return LS_OK;
}
