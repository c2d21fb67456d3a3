/* SPDX-License-Identifier: MIT */
/*
 * oracle.c - the naive BM25 oracle: documents kept as per-field token arrays with positions,
 * every query answered by loops over every document and every token (see oracle.h).
 * Terms are interned to integers only so that comparing tokens is cheap; nothing else is
 * optimized. Scoring is Robertson's BM25 exactly as the engine defines it (DESIGN.md 5).
 */
#include "oracle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"

#define NFIELDS 3
#define NO_TERM UINT32_MAX

typedef struct field_tokens {
    uint32_t n;     /* tokens = the field's length */
    uint32_t *term; /* dictionary id per token */
    uint32_t *pos;  /* position per token */
} field_tokens;

typedef struct oracle_doc {
    field_tokens f[NFIELDS]; /* indexed by ORACLE_FIELD_* */
    int deleted;             /* out of matching and of every statistic */
} oracle_doc;

struct ls_oracle {
    ls_analyzer *an;
    oracle_doc *docs;
    size_t n_docs, cap_docs;
    size_t n_live; /* documents not deleted: N */
    /* term dictionary: open addressing over strings */
    char **terms;      /* id -> term */
    size_t n_terms, cap_terms;
    uint32_t *slots;   /* NO_TERM or id */
    size_t n_slots;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "oracle: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "oracle: out of memory\n");
        abort();
    }
    return q;
}

static char *xstrndup(const char *s, size_t len)
{
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- term dictionary ------------------------------------------------------------------ */

static uint64_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static size_t find_slot(const ls_oracle *o, const char *s, size_t len)
{
    size_t i = (size_t)(hash_str(s, len) & (o->n_slots - 1));
    while (o->slots[i] != NO_TERM) {
        const char *t = o->terms[o->slots[i]];
        if (strlen(t) == len && memcmp(t, s, len) == 0)
            break;
        i = (i + 1) & (o->n_slots - 1);
    }
    return i;
}

/* The id of term s, or NO_TERM when no document holds it. */
static uint32_t term_lookup(const ls_oracle *o, const char *s, size_t len)
{
    return o->slots[find_slot(o, s, len)];
}

static void grow_slots(ls_oracle *o)
{
    free(o->slots);
    o->n_slots *= 2;
    o->slots = xmalloc(o->n_slots * sizeof *o->slots);
    for (size_t i = 0; i < o->n_slots; i++)
        o->slots[i] = NO_TERM;
    for (size_t id = 0; id < o->n_terms; id++) {
        const char *t = o->terms[id];
        o->slots[find_slot(o, t, strlen(t))] = (uint32_t)id;
    }
}

static uint32_t term_intern(ls_oracle *o, const char *s, size_t len)
{
    size_t i = find_slot(o, s, len);
    if (o->slots[i] != NO_TERM)
        return o->slots[i];
    if (o->n_terms == o->cap_terms) {
        o->cap_terms = o->cap_terms ? 2 * o->cap_terms : 1024;
        o->terms = xrealloc(o->terms, o->cap_terms * sizeof *o->terms);
    }
    uint32_t id = (uint32_t)o->n_terms++;
    o->terms[id] = xstrndup(s, len);
    o->slots[i] = id;
    if (2 * o->n_terms > o->n_slots)
        grow_slots(o);
    return id;
}

/* ---- analysis ------------------------------------------------------------------------- */

/* Tokens collected from one ls_analyze call. */
typedef struct tok_list {
    char **text;
    uint32_t *pos;
    int *stop; /* the word is an English stop word */
    size_t n, cap;
} tok_list;

static int collect(const ls_token *tok, void *payload)
{
    tok_list *l = payload;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->text = xrealloc(l->text, l->cap * sizeof *l->text);
        l->pos = xrealloc(l->pos, l->cap * sizeof *l->pos);
        l->stop = xrealloc(l->stop, l->cap * sizeof *l->stop);
    }
    l->text[l->n] = xstrndup(tok->text, tok->len);
    l->pos[l->n] = tok->pos;
    l->stop[l->n] = tok->stop != 0;
    l->n++;
    return 0;
}

static uint32_t analyze(ls_analyzer *an, const char *s, size_t len, uint32_t first_pos,
                        unsigned flags, tok_list *out)
{
    uint32_t next = first_pos;
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return first_pos;
    int rc = ls_analyze(an, s, len, first_pos, flags, collect, out, &next);
    if (rc != 0) {
        fprintf(stderr, "oracle: ls_analyze failed (%d)\n", rc);
        abort();
    }
    return next;
}

static void tok_list_free(tok_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->text[i]);
    free(l->text);
    free(l->pos);
    free(l->stop);
}

/* ---- documents ------------------------------------------------------------------------ */

ls_oracle *ls_oracle_new(const char *language)
{
    ls_oracle *o = xmalloc(sizeof *o);
    memset(o, 0, sizeof *o);
    ls_error err;
    if (ls_analyzer_new(language, &o->an, &err) != 0) {
        fprintf(stderr, "oracle: ls_analyzer_new: %s\n", err.message);
        abort();
    }
    o->n_slots = 2048;
    o->slots = xmalloc(o->n_slots * sizeof *o->slots);
    for (size_t i = 0; i < o->n_slots; i++)
        o->slots[i] = NO_TERM;
    return o;
}

void ls_oracle_free(ls_oracle *o)
{
    if (o == NULL)
        return;
    for (size_t d = 0; d < o->n_docs; d++) {
        for (int f = 0; f < NFIELDS; f++) {
            free(o->docs[d].f[f].term);
            free(o->docs[d].f[f].pos);
        }
    }
    free(o->docs);
    for (size_t i = 0; i < o->n_terms; i++)
        free(o->terms[i]);
    free(o->terms);
    free(o->slots);
    ls_analyzer_free(o->an);
    free(o);
}

static void field_append(ls_oracle *o, field_tokens *f, const tok_list *l)
{
    f->term = xrealloc(f->term, (f->n + l->n) * sizeof *f->term);
    f->pos = xrealloc(f->pos, (f->n + l->n) * sizeof *f->pos);
    for (size_t i = 0; i < l->n; i++) {
        f->term[f->n] = term_intern(o, l->text[i], strlen(l->text[i]));
        f->pos[f->n] = l->pos[i];
        f->n++;
    }
}

uint32_t ls_oracle_add(ls_oracle *o, const char *title, size_t title_len, const char *body,
                       size_t body_len)
{
    if (o->n_docs == o->cap_docs) {
        o->cap_docs = o->cap_docs ? 2 * o->cap_docs : 256;
        o->docs = xrealloc(o->docs, o->cap_docs * sizeof *o->docs);
    }
    oracle_doc *d = &o->docs[o->n_docs];
    memset(d, 0, sizeof *d);

    tok_list tl, bl;
    uint32_t tw = analyze(o->an, title, title_len, 0, 0, &tl);
    analyze(o->an, body, body_len, tw + 1, 0, &bl);
    field_append(o, &d->f[ORACLE_FIELD_TITLE], &tl);
    field_append(o, &d->f[ORACLE_FIELD_BODY], &bl);
    field_append(o, &d->f[ORACLE_FIELD_ALL], &tl);
    field_append(o, &d->f[ORACLE_FIELD_ALL], &bl);
    tok_list_free(&tl);
    tok_list_free(&bl);
    o->n_live++;
    return (uint32_t)o->n_docs++;
}

void ls_oracle_delete(ls_oracle *o, uint32_t doc)
{
    if (doc >= o->n_docs || o->docs[doc].deleted) {
        fprintf(stderr, "oracle: deleting d%u, which is %s\n", doc,
                doc >= o->n_docs ? "not a document" : "deleted already");
        abort();
    }
    o->docs[doc].deleted = 1;
    o->n_live--;
}

int ls_oracle_is_live(const ls_oracle *o, uint32_t doc)
{
    return doc < o->n_docs && !o->docs[doc].deleted;
}

size_t ls_oracle_docs(const ls_oracle *o) { return o->n_docs; }

size_t ls_oracle_live_docs(const ls_oracle *o) { return o->n_live; }

uint32_t ls_oracle_doc_len(const ls_oracle *o, uint32_t doc, int field)
{
    return o->docs[doc].f[field].n;
}

/* ---- query trees ---------------------------------------------------------------------- */

static oracle_q *q_new(oracle_kind kind)
{
    oracle_q *q = xmalloc(sizeof *q);
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->weight = 1.0;
    return q;
}

oracle_q *oracle_q_bool(void) { return q_new(ORACLE_BOOL); }

oracle_q *oracle_q_leaf(int field, const char *const *terms, size_t n)
{
    if (n == 0)
        return NULL;
    oracle_q *q = q_new(n == 1 ? ORACLE_TERM : ORACLE_PHRASE);
    q->field = field;
    q->n_terms = n;
    q->terms = xmalloc(n * sizeof *q->terms);
    for (size_t i = 0; i < n; i++)
        q->terms[i] = xstrndup(terms[i], strlen(terms[i]));
    return q;
}

oracle_q *oracle_q_synonym(int field, const char *const *terms, size_t n)
{
    oracle_q *q = q_new(ORACLE_SYNONYM);
    q->field = field;
    q->n_terms = n;
    q->terms = xmalloc((n ? n : 1) * sizeof *q->terms);
    for (size_t i = 0; i < n; i++)
        q->terms[i] = xstrndup(terms[i], strlen(terms[i]));
    return q;
}

void oracle_q_add(oracle_q *parent, oracle_q *kid, int occur)
{
    if (kid == NULL)
        return;
    parent->kids = xrealloc(parent->kids, (parent->n_kids + 1) * sizeof *parent->kids);
    parent->occur = xrealloc(parent->occur, (parent->n_kids + 1) * sizeof *parent->occur);
    parent->kids[parent->n_kids] = kid;
    parent->occur[parent->n_kids] = occur;
    parent->n_kids++;
}

oracle_q *ls_oracle_bare_word(oracle_q *leaf, const char *op, int field, const char *w)
{
    char low[64];
    size_t n = 0;
    for (; w[n] != '\0' && n + 1 < sizeof low; n++)
        low[n] = (char)(w[n] >= 'A' && w[n] <= 'Z' ? w[n] + 32 : w[n]);
    int bare = op[0] == '\0' || strcmp(op, "AND ") == 0 || strcmp(op, "OR ") == 0;
    leaf->stop = bare && field == ORACLE_FIELD_ALL && ls_stopword_is(low, n);
    return leaf;
}

void ls_oracle_drop_stop(oracle_q *q)
{
    if (q->kind != ORACLE_BOOL)
        return;
    size_t positive = 0;
    for (size_t i = 0; i < q->n_kids; i++) {
        ls_oracle_drop_stop(q->kids[i]);
        positive += q->occur[i] != ORACLE_NOT && !q->kids[i]->stop;
    }
    if (positive == 0)
        return;
    size_t k = 0;
    for (size_t i = 0; i < q->n_kids; i++) {
        if (q->kids[i]->stop) { /* never an excluded kid: ls_oracle_bare_word marks none */
            oracle_q_free(q->kids[i]);
            continue;
        }
        q->kids[k] = q->kids[i];
        q->occur[k++] = q->occur[i];
    }
    q->n_kids = k;
}

void oracle_q_free(oracle_q *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->n_terms; i++)
        free(q->terms[i]);
    free(q->terms);
    for (size_t i = 0; i < q->n_kids; i++)
        oracle_q_free(q->kids[i]);
    free(q->kids);
    free(q->occur);
    free(q->ids);
    free(q);
}

/* snprintf-style appending: *len counts what would have been written. */
static void put(char *out, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len < cap) {
        size_t room = cap - *len - 1;
        memcpy(out + *len, s, n < room ? n : room);
        out[*len + (n < room ? n : room)] = '\0';
    }
    *len += n;
}

static void format_rec(const oracle_q *q, char *out, size_t cap, size_t *len)
{
    static const char *const fields[] = {"all:", "title:", "body:"};
    if (q->kind == ORACLE_BOOL) {
        put(out, cap, len, "(");
        for (size_t i = 0; i < q->n_kids; i++) {
            if (i > 0)
                put(out, cap, len, " ");
            if (q->occur[i] == ORACLE_MUST)
                put(out, cap, len, "+");
            else if (q->occur[i] == ORACLE_NOT)
                put(out, cap, len, "-");
            format_rec(q->kids[i], out, cap, len);
        }
        put(out, cap, len, ")");
        return;
    }
    put(out, cap, len, fields[q->field]);
    if (q->kind == ORACLE_PHRASE)
        put(out, cap, len, "\"");
    if (q->kind == ORACLE_SYNONYM)
        put(out, cap, len, "syn(");
    for (size_t i = 0; i < q->n_terms; i++) {
        if (i > 0)
            put(out, cap, len, " ");
        put(out, cap, len, q->terms[i]);
    }
    if (q->kind == ORACLE_PHRASE)
        put(out, cap, len, "\"");
    if (q->kind == ORACLE_SYNONYM)
        put(out, cap, len, ")");
    if (q->weight != 1.0) {
        char w[32];
        snprintf(w, sizeof w, "^%g", q->weight);
        put(out, cap, len, w);
    }
}

size_t oracle_q_format(const oracle_q *q, char *out, size_t cap)
{
    size_t len = 0;
    if (cap > 0)
        out[0] = '\0';
    format_rec(q, out, cap, &len);
    return len;
}

static oracle_q *leaf_from(const tok_list *l, int field)
{
    return oracle_q_leaf(field, (const char *const *)l->text, l->n);
}

oracle_q *ls_oracle_word(ls_oracle *o, int field, const char *word)
{
    tok_list l;
    analyze(o->an, word, strlen(word), 0, 0, &l);
    oracle_q *q = leaf_from(&l, field);
    tok_list_free(&l);
    return q;
}

oracle_q *ls_oracle_phrase(ls_oracle *o, int field, const char *text)
{
    /* A quoted phrase and a multi-token word are the same thing: all tokens in a row. */
    return ls_oracle_word(o, field, text);
}

oracle_q *ls_oracle_prefix(ls_oracle *o, int field, const char *text)
{
    tok_list raw;
    analyze(o->an, text, strlen(text), 0, LS_ANALYZE_NOSTEM, &raw);
    if (raw.n == 0) {
        tok_list_free(&raw);
        return NULL;
    }
    /* Every dictionary term starting with the last token, scored as one term; terms only
     * deleted documents held stay in the dictionary, but they match nothing, as in the
     * engine. */
    const char *pre = raw.text[raw.n - 1];
    size_t pl = strlen(pre), n = 0;
    const char **exp_terms = xmalloc((o->n_terms ? o->n_terms : 1) * sizeof *exp_terms);
    for (size_t id = 0; id < o->n_terms; id++)
        if (strncmp(o->terms[id], pre, pl) == 0)
            exp_terms[n++] = o->terms[id];
    oracle_q *exp = oracle_q_synonym(field, exp_terms, n);
    free(exp_terms);
    if (raw.n == 1) {
        tok_list_free(&raw);
        return exp;
    }
    /* "25-ye*": the earlier words as required stemmed terms, in any order */
    tok_list st;
    analyze(o->an, text, strlen(text), 0, 0, &st);
    oracle_q *root = oracle_q_bool();
    for (size_t i = 0; i < st.n; i++) {
        const char *one[1] = {st.text[i]};
        if (st.pos[i] < raw.pos[raw.n - 1])
            oracle_q_add(root, oracle_q_leaf(field, one, 1), ORACLE_MUST);
    }
    oracle_q_add(root, exp, ORACLE_MUST);
    tok_list_free(&st);
    tok_list_free(&raw);
    return root;
}

oracle_q *ls_oracle_plain(ls_oracle *o, const char *text, int default_and)
{
    tok_list l;
    analyze(o->an, text, strlen(text), 0, 0, &l);
    oracle_q *root = oracle_q_bool();
    size_t n_stop = 0;
    for (size_t i = 0; i < l.n; i++)
        n_stop += (size_t)l.stop[i];
    for (size_t i = 0; i < l.n; i++) {
        if (l.stop[i] && n_stop < l.n)
            continue;
        const char *one[1] = {l.text[i]};
        oracle_q_add(root, oracle_q_leaf(ORACLE_FIELD_ALL, one, 1),
                     default_and ? ORACLE_MUST : ORACLE_SHOULD);
    }
    tok_list_free(&l);
    return root;
}

/* ---- evaluation ----------------------------------------------------------------------- */

typedef struct eval_ctx {
    const ls_oracle *o;
    double k1, b;
    double title_weight;
    double avglen[NFIELDS];
} eval_ctx;

static int field_has(const field_tokens *f, uint32_t term)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (f->term[i] == term)
            return 1;
    return 0;
}

/* df of a term in a field: documents holding it, by looking at every document. */
static uint64_t doc_freq(const ls_oracle *o, int field, uint32_t term)
{
    uint64_t df = 0;
    if (term == NO_TERM)
        return 0;
    for (size_t d = 0; d < o->n_docs; d++)
        df += (uint64_t)(!o->docs[d].deleted && field_has(&o->docs[d].f[field], term));
    return df;
}

static double idf_of(double n_docs, double df)
{
    return log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
}

/* Resolves the leaves' terms and their idf (a phrase's idf is the sum of its terms'). */
static void prepare(const ls_oracle *o, oracle_q *q)
{
    if (q->kind == ORACLE_BOOL) {
        for (size_t i = 0; i < q->n_kids; i++)
            prepare(o, q->kids[i]);
        return;
    }
    free(q->ids);
    q->ids = xmalloc((q->n_terms ? q->n_terms : 1) * sizeof *q->ids);
    q->idf = 0;
    for (size_t i = 0; i < q->n_terms; i++) {
        q->ids[i] = term_lookup(o, q->terms[i], strlen(q->terms[i]));
        if (q->kind != ORACLE_SYNONYM)
            q->idf += idf_of((double)o->n_live, (double)doc_freq(o, q->field, q->ids[i]));
    }
    if (q->kind == ORACLE_SYNONYM) { /* df: live documents holding any of the terms */
        uint64_t df = 0;
        for (size_t d = 0; d < o->n_docs; d++) {
            int any = 0;
            for (size_t i = 0; i < q->n_terms && !any && !o->docs[d].deleted; i++)
                any = q->ids[i] != NO_TERM && field_has(&o->docs[d].f[q->field], q->ids[i]);
            df += (uint64_t)any;
        }
        q->idf = idf_of((double)o->n_live, (double)df);
    }
}

/* Is there a token of `term` at position `pos` in f? */
static int has_at(const field_tokens *f, uint32_t term, uint64_t pos)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (f->term[i] == term && f->pos[i] == pos)
            return 1;
    return 0;
}

/* tf of a term, or pf of a phrase: start positions p with terms[i] at p + i for every i. */
static uint32_t leaf_freq(const oracle_q *q, const field_tokens *f)
{
    uint32_t freq = 0;
    if (q->kind == ORACLE_SYNONYM) { /* every token of any of the terms */
        for (uint32_t i = 0; i < f->n; i++)
            for (size_t j = 0; j < q->n_terms; j++)
                if (q->ids[j] != NO_TERM && f->term[i] == q->ids[j]) {
                    freq++;
                    break;
                }
        return freq;
    }
    for (uint32_t i = 0; i < f->n; i++) {
        if (f->term[i] != q->ids[0] || q->ids[0] == NO_TERM)
            continue;
        int all = 1;
        for (size_t j = 1; j < q->n_terms && all; j++)
            all = q->ids[j] != NO_TERM && has_at(f, q->ids[j], (uint64_t)f->pos[i] + j);
        freq += (uint32_t)all;
    }
    return freq;
}

void ls_oracle_leaf_freqs(const ls_oracle *o, oracle_q *leaf, uint32_t *out)
{
    prepare(o, leaf);
    for (size_t d = 0; d < o->n_docs; d++)
        out[d] = o->docs[d].deleted ? 0 : leaf_freq(leaf, &o->docs[d].f[leaf->field]);
}

static double bm25(const eval_ctx *c, double idf, double freq, double len, double avglen)
{
    double ratio = avglen > 0 ? len / avglen : 1.0;
    return idf * freq * (c->k1 + 1) / (freq + c->k1 * (1 - c->b + c->b * ratio));
}

/* Does document d match q? When it does, *score is its score. */
static int eval(const eval_ctx *c, const oracle_q *q, uint32_t d, double *score)
{
    *score = 0;
    if (q->kind != ORACLE_BOOL) {
        const field_tokens *f = &c->o->docs[d].f[q->field];
        uint32_t freq = leaf_freq(q, f);
        if (freq == 0)
            return 0;
        *score = q->weight * bm25(c, q->idf, freq, f->n, c->avglen[q->field]);
        if (q->kind == ORACLE_TERM && q->field == ORACLE_FIELD_ALL && c->title_weight > 0) {
            /* title weighting: the word's title BM25 with its all-field idf (under a NOT the
             * score is dropped, as every score there is) */
            const field_tokens *t = &c->o->docs[d].f[ORACLE_FIELD_TITLE];
            uint32_t tf = leaf_freq(q, t);
            if (tf > 0)
                *score += q->weight * c->title_weight *
                          bm25(c, q->idf, tf, t->n, c->avglen[ORACLE_FIELD_TITLE]);
        }
        return 1;
    }
    int has_must = 0, has_should = 0, any_should = 0;
    double sum = 0;
    for (size_t i = 0; i < q->n_kids; i++) {
        double s;
        int m = eval(c, q->kids[i], d, &s);
        switch (q->occur[i]) {
        case ORACLE_MUST:
            has_must = 1;
            if (!m)
                return 0;
            sum += s;
            break;
        case ORACLE_NOT:
            if (m)
                return 0;
            break;
        default:
            has_should = 1;
            if (m) {
                any_should = 1;
                sum += s;
            }
            break;
        }
    }
    if (q->n_kids == 0)
        return 0;
    if (!has_must && has_should && !any_should)
        return 0;
    *score = sum;
    return 1;
}

static int cmp_hit(const void *pa, const void *pb)
{
    const oracle_hit *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

void ls_oracle_search(const ls_oracle *o, oracle_q *q, double k1, double b, oracle_result *out)
{
    ls_oracle_search_titled(o, q, k1, b, LS_DEFAULT_TITLE_WEIGHT, out);
}

void ls_oracle_search_titled(const ls_oracle *o, oracle_q *q, double k1, double b,
                             double title_weight, oracle_result *out)
{
    eval_ctx c = {.o = o, .k1 = k1, .b = b, .title_weight = title_weight};
    for (int f = 0; f < NFIELDS; f++) {
        double total = 0;
        for (size_t d = 0; d < o->n_docs; d++)
            total += o->docs[d].deleted ? 0 : o->docs[d].f[f].n;
        c.avglen[f] = o->n_live ? total / (double)o->n_live : 0;
    }
    prepare(o, q);
    out->hits = xmalloc(o->n_docs * sizeof *out->hits);
    out->n = 0;
    for (size_t d = 0; d < o->n_docs; d++) {
        double s;
        if (!o->docs[d].deleted && eval(&c, q, (uint32_t)d, &s)) {
            out->hits[out->n].doc = (uint32_t)d;
            out->hits[out->n].score = s;
            out->n++;
        }
    }
    qsort(out->hits, out->n, sizeof *out->hits, cmp_hit);
}

void oracle_result_free(oracle_result *r)
{
    if (r == NULL)
        return;
    free(r->hits);
    r->hits = NULL;
    r->n = 0;
}

/* ---- proximity --------------------------------------------------------------------------- */

typedef struct prox_term {
    const oracle_q *leaf; /* the first leaf of the term */
    double w;             /* summed weights of its leaves */
} prox_term;

static void prox_collect(const oracle_q *q, prox_term *t, size_t *n)
{
    if (q->kind == ORACLE_BOOL) {
        for (size_t i = 0; i < q->n_kids; i++)
            if (q->occur[i] != ORACLE_NOT)
                prox_collect(q->kids[i], t, n);
        return;
    }
    if (q->kind != ORACLE_TERM || q->field != ORACLE_FIELD_ALL)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(t[i].leaf->terms[0], q->terms[0]) == 0) {
            t[i].w += q->weight;
            return;
        }
    }
    t[(*n)++] = (prox_term){q, q->weight};
}

static size_t prox_leaves(const oracle_q *q)
{
    size_t n = q->kind != ORACLE_BOOL;
    for (size_t i = 0; q->kind == ORACLE_BOOL && i < q->n_kids; i++)
        n += prox_leaves(q->kids[i]);
    return n;
}

/* The bonus of document d: every token of the all field, in position order, is looked at. */
static double prox_bonus(const ls_oracle *o, const prox_term *t, size_t n, uint32_t d,
                         double k1, double b, double avglen, double weight)
{
    const field_tokens *f = &o->docs[d].f[ORACLE_FIELD_ALL];
    double *acc = calloc(n ? n : 1, sizeof *acc);
    if (acc == NULL)
        abort();
    long prev = -1;            /* query term of the previous query-term token */
    uint64_t prev_pos = 0;
    for (uint32_t i = 0; i < f->n; i++) { /* tokens are stored in position order */
        long j = -1;
        for (size_t k = 0; k < n && j < 0; k++)
            if (f->term[i] == t[k].leaf->ids[0] && t[k].leaf->ids[0] != NO_TERM)
                j = (long)k;
        if (j < 0)
            continue;
        if (prev >= 0 && prev != j) {
            double dist = (double)f->pos[i] - (double)prev_pos;
            acc[prev] += t[j].leaf->idf / (dist * dist);
            acc[j] += t[prev].leaf->idf / (dist * dist);
        }
        prev = j;
        prev_pos = f->pos[i];
    }
    double ratio = avglen > 0 ? f->n / avglen : 1.0;
    double bonus = 0;
    for (size_t k = 0; k < n; k++) {
        double idf = t[k].leaf->idf < 1 ? t[k].leaf->idf : 1;
        if (acc[k] > 0)
            bonus += weight * t[k].w * idf * acc[k] * (k1 + 1) /
                     (acc[k] + k1 * (1 - b + b * ratio));
    }
    free(acc);
    return bonus;
}

void ls_oracle_proximity(const ls_oracle *o, oracle_q *q, double k1, double b, double weight,
                         size_t depth, oracle_result *res)
{
    prepare(o, q);
    prox_term *t = xmalloc((prox_leaves(q) + 1) * sizeof *t);
    size_t n = 0;
    prox_collect(q, t, &n);
    double total = 0;
    for (size_t d = 0; d < o->n_docs; d++)
        total += o->docs[d].deleted ? 0 : o->docs[d].f[ORACLE_FIELD_ALL].n;
    double avglen = o->n_live ? total / (double)o->n_live : 0;
    size_t m = res->n < depth ? res->n : depth;
    if (n >= 2 && weight > 0) {
        for (size_t i = 0; i < m; i++)
            res->hits[i].score += prox_bonus(o, t, n, res->hits[i].doc, k1, b, avglen, weight);
        qsort(res->hits, m, sizeof *res->hits, cmp_hit);
    }
    free(t);
}
