/* SPDX-License-Identifier: MIT */
/*
 * oracle_corpus.c - random corpora, random queries and their comparison with the naive BM25
 * oracle (see oracle_corpus.h). Every generator renders query text and builds the oracle tree
 * from the same random choices, so the two cannot drift apart.
 */
#include "oracle_corpus.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"

#define MAX_REPORTED 5

/* ---- corpus ---------------------------------------------------------------------------- */

static char *dupstr(const char *s)
{
    char *p = strdup(s);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void vocab_add(corpus *c, const char *w)
{
    c->vocab = realloc(c->vocab, (c->n_vocab + 1) * sizeof *c->vocab);
    ck_assert_ptr_nonnull(c->vocab);
    c->vocab[c->n_vocab++] = dupstr(w);
}

static int vocab_has(const corpus *c, const char *w)
{
    for (size_t i = 0; i < c->n_vocab; i++)
        if (strcmp(c->vocab[i], w) == 0)
            return 1;
    return 0;
}

/* A pronounceable stem: 1-3 consonant-vowel syllables and a final consonant. */
static void make_stem(ls_rng *r, char *out)
{
    static const char cons[] = "bdfgklmnprstvz", vow[] = "aeiou";
    size_t n = 0, syl = 1 + ls_rng_below(r, 3);
    for (size_t i = 0; i < syl; i++) {
        out[n++] = cons[ls_rng_below(r, sizeof cons - 1)];
        out[n++] = vow[ls_rng_below(r, sizeof vow - 1)];
    }
    out[n++] = cons[ls_rng_below(r, sizeof cons - 1)];
    out[n] = '\0';
}

static void shuffle_vocab(corpus *c, ls_rng *r, size_t from)
{
    for (size_t i = c->n_vocab; i > from + 1; i--) {
        size_t j = from + ls_rng_below(r, (uint32_t)(i - from));
        char *t = c->vocab[i - 1];
        c->vocab[i - 1] = c->vocab[j];
        c->vocab[j] = t;
    }
}

void ls_corpus_vocab(corpus *c, const corpus_params *p, ls_rng *r)
{
    static const char *const stops[] = {"the", "of", "in", "to", "with"};
    static const char *const suffixes[] = {"s", "ing", "ed"};
    size_t first = 0;
    if (p->with_stop) {
        for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
            vocab_add(c, stops[i]);
        first = c->n_vocab; /* stop words stay the most frequent */
    }
    for (size_t made = 0; made < p->n_bases;) {
        char stem[CORPUS_WMAX], w[CORPUS_WMAX];
        make_stem(r, stem);
        if (strlen(stem) < 3 || vocab_has(c, stem) || ls_stopword_is(stem, strlen(stem)))
            continue;
        vocab_add(c, stem);
        made++;
        for (size_t s = 0; p->all_forms && s < 3; s++) {
            snprintf(w, sizeof w, "%s%s", stem, suffixes[s]);
            if (!vocab_has(c, w) && !ls_stopword_is(w, strlen(w)))
                vocab_add(c, w);
        }
    }
    if (p->all_forms) {
        vocab_add(c, "2023");
        vocab_add(c, "25");
    }
    size_t n_words = c->n_vocab;
    for (size_t i = 0; i < p->n_compounds; i++) {
        char w[2 * CORPUS_WMAX + 2];
        if (i == 0 && p->all_forms) {
            vocab_add(c, "25-year");
            continue;
        }
        size_t a = first + ls_rng_below(r, (uint32_t)(n_words - first));
        size_t b = first + ls_rng_below(r, (uint32_t)(n_words - first));
        snprintf(w, sizeof w, "%s-%s", c->vocab[a], c->vocab[b]);
        if (!vocab_has(c, w))
            vocab_add(c, w);
    }
    shuffle_vocab(c, r, first);
    ls_zipf_init(&c->zipf, c->n_vocab);
}

/* Renders words as document text with capitalised variants, possessives and punctuation. */
static char *render_text(const corpus *c, ls_rng *r, const uint16_t *w, uint32_t n, size_t *len)
{
    size_t cap = (size_t)n * (CORPUS_WMAX + 4) + 1, l = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        char word[CORPUS_WMAX + 4];
        uint32_t dice = ls_rng_below(r, 100);
        snprintf(word, sizeof word, "%s", c->vocab[w[i]]);
        if (dice < 8)
            word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 32 : word[0]);
        else if (dice < 10)
            for (char *q = word; *q; q++)
                *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
        if (dice >= 10 && dice < 12 && strchr(word, '-') == NULL)
            strcat(word, "'s");
        if (i > 0) {
            uint32_t sep = ls_rng_below(r, 100);
            ls_test_str_append(buf, cap, &l,
                               sep < 4   ? ", "
                               : sep < 7 ? ". "
                               : sep < 8 ? " ("
                                         : " ");
        }
        ls_test_str_append(buf, cap, &l, word);
    }
    *len = l;
    return buf;
}

static uint16_t *random_words(const corpus *c, ls_rng *r, uint32_t n)
{
    uint16_t *w = malloc((n ? n : 1) * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (uint32_t i = 0; i < n; i++)
        w[i] = (uint16_t)ls_zipf_pick(&c->zipf, r);
    return w;
}

/* The next document's slot; numbers are never reused (an update is a new document). */
static corpus_doc *new_doc(corpus *c)
{
    if (c->n_docs == c->cap_docs) {
        c->cap_docs = c->cap_docs ? 2 * c->cap_docs : 256;
        c->docs = realloc(c->docs, c->cap_docs * sizeof *c->docs);
        ck_assert_ptr_nonnull(c->docs);
    }
    corpus_doc *d = &c->docs[c->n_docs++];
    memset(d, 0, sizeof *d);
    return d;
}

uint32_t ls_corpus_draw(corpus *c, ls_rng *r, const corpus_params *p, corpus_text *out)
{
    corpus_doc *d = new_doc(c);
    uint32_t dice = ls_rng_below(r, 100);
    d->n_title = dice < 3 ? 0 : ls_rng_below(r, p->max_title + 1);
    d->n_body = dice < 3 || (dice >= 97) ? 0 : ls_rng_below(r, p->max_body + 1);
    d->title = random_words(c, r, d->n_title);
    d->body = random_words(c, r, d->n_body);
    out->title = render_text(c, r, d->title, d->n_title, &out->title_len);
    out->body = render_text(c, r, d->body, d->n_body, &out->body_len);
    return (uint32_t)(c->n_docs - 1);
}

void ls_corpus_text_free(corpus_text *t)
{
    free(t->title);
    free(t->body);
    memset(t, 0, sizeof *t);
}

void ls_corpus_oracle_add(corpus *c, uint32_t doc, const corpus_text *t)
{
    uint32_t o = c->rm3 != NULL
                     ? ls_rm3_oracle_add(c->rm3, t->title, t->title_len, t->body, t->body_len)
                     : ls_oracle_add(c->oracle, t->title, t->title_len, t->body, t->body_len);
    ck_assert_uint_eq(o, doc);
}

void ls_corpus_oracle_delete(corpus *c, uint32_t doc)
{
    ck_assert(doc < c->n_docs && !c->docs[doc].deleted);
    c->docs[doc].deleted = 1;
    if (c->rm3 != NULL)
        ls_rm3_oracle_delete(c->rm3, doc);
    else
        ls_oracle_delete(c->oracle, doc);
}

void ls_corpus_free(corpus *c)
{
    ls_reader_close(c->reader);
    if (c->rm3 != NULL)
        ls_rm3_oracle_free(c->rm3);
    else
        ls_oracle_free(c->oracle);
    for (size_t i = 0; i < c->n_docs; i++) {
        free(c->docs[i].title);
        free(c->docs[i].body);
    }
    free(c->docs);
    for (size_t i = 0; i < c->n_vocab; i++)
        free(c->vocab[i]);
    free(c->vocab);
    ls_zipf_free(&c->zipf);
    if (c->dir != NULL) {
        ls_test_rmtree(c->dir);
        free(c->dir);
    }
    memset(c, 0, sizeof *c);
}

/* ---- query generation ------------------------------------------------------------------ */

void ls_qcase_put(qcase *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->text + q->len, CORPUS_QMAX - q->len, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && q->len + (size_t)n < CORPUS_QMAX, "query text too long");
    q->len += (size_t)n;
}

void ls_qcase_finish(qcase *q)
{
    if (q->syntax != LS_SYNTAX_PLAIN)
        ls_oracle_drop_stop(q->tree);
}

void ls_qcase_init(qcase *q, int default_and)
{
    memset(q, 0, sizeof *q);
    q->tree = oracle_q_bool();
    q->syntax = LS_SYNTAX_STRICT;
    q->default_and = default_and;
}

#define PICK_ANY 0
#define PICK_ZIPF 1
#define PICK_UNIFORM 2

/* A query word: from the Zipf head or uniformly over the vocabulary, sometimes Capitalised. */
static const char *pick_word(const corpus *c, ls_rng *r, int how, char *buf)
{
    int zipf = how == PICK_ZIPF || (how == PICK_ANY && ls_rng_below(r, 2));
    size_t i = zipf ? ls_zipf_pick(&c->zipf, r) : ls_rng_below(r, (uint32_t)c->n_vocab);
    snprintf(buf, CORPUS_WMAX, "%s", c->vocab[i]);
    if (ls_rng_below(r, 8) == 0 && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 32);
    return buf;
}

/* "title:" or "body:", in one of the spellings the parser accepts (any ASCII case, spaces
 * after the colon), chosen by the query's length so far. */
static const char *field_prefix(const qcase *q, int field)
{
    static const char *const title[] = {"title:", "title:", "Title:", "TITLE: "};
    static const char *const body[] = {"body:", "body:", "Body: ", "BODY:"};
    if (field == ORACLE_FIELD_ALL)
        return "";
    return (field == ORACLE_FIELD_TITLE ? title : body)[q->len % 4];
}

/* The separator before the next clause: none at the start or just after "(". */
static const char *qc_sep(const qcase *q)
{
    return q->len == 0 || q->text[q->len - 1] == '(' ? "" : " ";
}

/* Appends `op` + field + word to the text and the word's leaf to parent with occur. */
static void put_word(const corpus *c, qcase *q, oracle_q *parent, const char *op, int occur,
                     int field, const char *w)
{
    ls_qcase_put(q, "%s%s%s%s", qc_sep(q), op, field_prefix(q, field), w);
    oracle_q_add(parent, ls_oracle_bare_word(ls_oracle_word(c->oracle, field, w), op, field, w),
                 occur);
}

static void put_phrase(const corpus *c, qcase *q, oracle_q *parent, const char *op, int occur,
                       int field, const char *words)
{
    ls_qcase_put(q, "%s%s%s\"%s\"", qc_sep(q), op, field_prefix(q, field), words);
    oracle_q_add(parent, ls_oracle_phrase(c->oracle, field, words), occur);
}

/* n consecutive words of a random document's title or body (per field), joined by spaces. */
static int doc_phrase(const corpus *c, ls_rng *r, int field, uint32_t n, char *out, size_t cap)
{
    for (int tries = 0; tries < 100; tries++) {
        const corpus_doc *d = &c->docs[ls_rng_below(r, (uint32_t)c->n_docs)];
        if (d->deleted)
            continue;
        int title = field == ORACLE_FIELD_TITLE ||
                    (field == ORACLE_FIELD_ALL && ls_rng_below(r, 4) == 0);
        const uint16_t *w = title ? d->title : d->body;
        uint32_t len = title ? d->n_title : d->n_body;
        if (len < n)
            continue;
        uint32_t at = ls_rng_below(r, len - n + 1);
        size_t l = 0;
        out[0] = '\0';
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0)
                ls_test_str_append(out, cap, &l, " ");
            ls_test_str_append(out, cap, &l, c->vocab[w[at + i]]);
        }
        return 1;
    }
    return 0;
}

/* Picks a word from some document's title or body, so that field queries match. */
static const char *doc_word(const corpus *c, ls_rng *r, int field, char *buf)
{
    if (!doc_phrase(c, r, field, 1, buf, CORPUS_WMAX))
        return pick_word(c, r, PICK_ANY, buf);
    return buf;
}

void ls_gen_term(const corpus *c, ls_rng *r, qcase *q)
{
    char w[CORPUS_WMAX];
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    put_word(c, q, q->tree, "", q->default_and ? ORACLE_MUST : ORACLE_SHOULD, ORACLE_FIELD_ALL,
             pick_word(c, r, PICK_ANY, w));
}

void ls_gen_or(const corpus *c, ls_rng *r, qcase *q)
{
    int explicit_or = (int)ls_rng_below(r, 2);
    uint32_t n = 2 + ls_rng_below(r, 4);
    char w[CORPUS_WMAX];
    ls_qcase_init(q, explicit_or ? (int)ls_rng_below(r, 2) : 0);
    for (uint32_t i = 0; i < n; i++)
        put_word(c, q, q->tree, i > 0 && explicit_or ? "OR " : "", ORACLE_SHOULD,
                 ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
}

void ls_gen_and(const corpus *c, ls_rng *r, qcase *q)
{
    int explicit_and = (int)ls_rng_below(r, 2);
    uint32_t n = 2 + ls_rng_below(r, 3);
    char w[CORPUS_WMAX];
    ls_qcase_init(q, explicit_and ? (int)ls_rng_below(r, 2) : 1);
    for (uint32_t i = 0; i < n; i++) {
        int how = ls_rng_below(r, 5) == 0 ? PICK_UNIFORM : PICK_ZIPF;
        put_word(c, q, q->tree, i > 0 && explicit_and ? "AND " : "", ORACLE_MUST,
                 ORACLE_FIELD_ALL, pick_word(c, r, how, w));
    }
}

/* Positive words, then one or two excluded ones ("-w" or "NOT w"); or a purely negative query. */
void ls_gen_not(const corpus *c, ls_rng *r, qcase *q)
{
    char w[CORPUS_WMAX];
    uint32_t form = ls_rng_below(r, 5), np = 1 + ls_rng_below(r, 3), nn = 1 + ls_rng_below(r, 2);
    if (form == 0 || form == 2) { /* "p1 p2 -n1 NOT n2" with default OR, or default AND */
        ls_qcase_init(q, form == 2);
        int pos_occur = form == 2 ? ORACLE_MUST : ORACLE_SHOULD;
        int neg_first = ls_rng_below(r, 3) == 0;
        for (uint32_t i = 0; neg_first && i < nn; i++)
            put_word(c, q, q->tree, "-", ORACLE_NOT, ORACLE_FIELD_ALL,
                     pick_word(c, r, PICK_ZIPF, w));
        for (uint32_t i = 0; i < np; i++)
            put_word(c, q, q->tree, "", pos_occur, ORACLE_FIELD_ALL,
                     pick_word(c, r, PICK_ANY, w));
        for (uint32_t i = 0; !neg_first && i < nn; i++)
            put_word(c, q, q->tree, ls_rng_below(r, 2) ? "-" : "NOT ", ORACLE_NOT,
                     ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
    } else if (form == 1) { /* "p1 AND NOT n1" */
        ls_qcase_init(q, (int)ls_rng_below(r, 2));
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        put_word(c, q, q->tree, "AND NOT ", ORACLE_NOT, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
    } else if (form == 3) { /* purely negative: every document without the words, score 0 */
        ls_qcase_init(q, (int)ls_rng_below(r, 2));
        for (uint32_t i = 0; i < nn; i++)
            put_word(c, q, q->tree, nn == 1 && ls_rng_below(r, 2) ? "NOT " : "-", ORACLE_NOT,
                     ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
    } else { /* "(p1 OR p2) -n1" */
        ls_qcase_init(q, 0);
        oracle_q *sub = oracle_q_bool();
        ls_qcase_put(q, "(");
        for (uint32_t i = 0; i < np + 1; i++)
            put_word(c, q, sub, i > 0 ? "OR " : "", ORACLE_SHOULD, ORACLE_FIELD_ALL,
                     pick_word(c, r, PICK_ANY, w));
        ls_qcase_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_SHOULD);
        char p[3 * CORPUS_WMAX + 8];
        int f = (int)ls_rng_below(r, 3); /* ORACLE_FIELD_* */
        if (ls_rng_below(r, 2) && doc_phrase(c, r, f, 2, p, sizeof p))
            put_phrase(c, q, q->tree, "-", ORACLE_NOT, f, p); /* -"a b", -title:"a b" */
        else
            put_word(c, q, q->tree, "-", ORACLE_NOT, f, pick_word(c, r, PICK_ZIPF, w));
    }
}

/* "+r1 s1 +r2 s2 [-n]" with default OR: required words, optional ones adding to the score. */
void ls_gen_required(const corpus *c, ls_rng *r, qcase *q)
{
    char w[CORPUS_WMAX];
    uint32_t nr = 1 + ls_rng_below(r, 2), ns = 1 + ls_rng_below(r, 3);
    ls_qcase_init(q, 0);
    while (nr + ns > 0) {
        char p[3 * CORPUS_WMAX + 8];
        if (nr > 0 && (ns == 0 || ls_rng_below(r, 2))) {
            if (ls_rng_below(r, 4) == 0 && doc_phrase(c, r, ORACLE_FIELD_ALL, 2, p, sizeof p))
                put_phrase(c, q, q->tree, "+", ORACLE_MUST, ORACLE_FIELD_ALL, p);
            else
                put_word(c, q, q->tree, "+", ORACLE_MUST, ORACLE_FIELD_ALL,
                         pick_word(c, r, PICK_ZIPF, w));
            nr--;
        } else {
            put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL,
                     pick_word(c, r, PICK_ANY, w));
            ns--;
        }
    }
    if (ls_rng_below(r, 3) == 0)
        put_word(c, q, q->tree, "-", ORACLE_NOT, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
}

/* A phrase across the end of a title and the start of a body: "all" keeps a gap there. */
static int boundary_phrase(const corpus *c, ls_rng *r, char *out, size_t cap)
{
    for (int tries = 0; tries < 100; tries++) {
        const corpus_doc *d = &c->docs[ls_rng_below(r, (uint32_t)c->n_docs)];
        if (d->deleted || d->n_title == 0 || d->n_body == 0)
            continue;
        snprintf(out, cap, "%s %s", c->vocab[d->title[d->n_title - 1]], c->vocab[d->body[0]]);
        return 1;
    }
    return 0;
}

/* Phrases holding a word more than once ("w w", "w w w", "a b a", "a b a b"), which share
 * one cursor per word: common words, so that many documents hold them side by side. */
void ls_gen_phrase_repeat(const corpus *c, ls_rng *r, qcase *q)
{
    char p[4 * CORPUS_WMAX + 8], a[CORPUS_WMAX], b[CORPUS_WMAX];
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    int field = ls_rng_below(r, 4) == 0 ? ORACLE_FIELD_BODY : ORACLE_FIELD_ALL;
    pick_word(c, r, PICK_ZIPF, a);
    pick_word(c, r, PICK_ZIPF, b);
    switch (ls_rng_below(r, 4)) {
    case 0: snprintf(p, sizeof p, "%s %s", a, a); break;
    case 1: snprintf(p, sizeof p, "%s %s %s", a, a, a); break;
    case 2: snprintf(p, sizeof p, "%s %s %s", a, b, a); break;
    default: snprintf(p, sizeof p, "%s %s %s %s", a, b, a, b); break;
    }
    put_phrase(c, q, q->tree, "", occur, field, p);
    if (ls_rng_below(r, 3) == 0) /* with another clause: the phrase is not alone */
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, b));
}

void ls_gen_phrase(const corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * CORPUS_WMAX + 8], w[CORPUS_WMAX];
    uint32_t form = ls_rng_below(r, 10), n = 2 + ls_rng_below(r, 2);
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    if (form <= 5 && doc_phrase(c, r, ORACLE_FIELD_ALL, n, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
    } else if (form == 6 && doc_phrase(c, r, ORACLE_FIELD_ALL, n, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
    } else if (form == 7 && boundary_phrase(c, r, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
    } else if (form == 8) { /* random words: mostly no match */
        char a[CORPUS_WMAX], b[CORPUS_WMAX];
        snprintf(p, sizeof p, "%s %s", pick_word(c, r, PICK_ZIPF, a),
                 pick_word(c, r, PICK_ZIPF, b));
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
    } else { /* a hyphenated compound word is a phrase */
        size_t i;
        do
            i = ls_rng_below(r, (uint32_t)c->n_vocab);
        while (strchr(c->vocab[i], '-') == NULL);
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, c->vocab[i]);
    }
}

void ls_gen_field(const corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * CORPUS_WMAX + 8], w[CORPUS_WMAX], w2[CORPUS_WMAX];
    uint32_t form = ls_rng_below(r, 7);
    int f = ls_rng_below(r, 2) ? ORACLE_FIELD_TITLE : ORACLE_FIELD_BODY;
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    if (form <= 1) {
        put_word(c, q, q->tree, "", occur, f, doc_word(c, r, f, w));
    } else if (form == 2 && doc_phrase(c, r, f, 2 + ls_rng_below(r, 2), p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, f, p);
    } else if (form == 3) { /* "title:a body:b" */
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_TITLE,
                 doc_word(c, r, ORACLE_FIELD_TITLE, w));
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_BODY,
                 doc_word(c, r, ORACLE_FIELD_BODY, w2));
    } else if (form == 4) { /* "title:a AND b" */
        put_word(c, q, q->tree, "", ORACLE_MUST, f, doc_word(c, r, f, w));
        put_word(c, q, q->tree, "AND ", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w2));
    } else if (form == 5) { /* "a -title:b" */
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
        put_word(c, q, q->tree, "-", ORACLE_NOT, f, doc_word(c, r, f, w2));
    } else { /* a field-qualified compound: a phrase in that field */
        size_t i;
        do
            i = ls_rng_below(r, (uint32_t)c->n_vocab);
        while (strchr(c->vocab[i], '-') == NULL);
        put_word(c, q, q->tree, "", occur, f, c->vocab[i]);
    }
}

/* A parenthesised sub-query of 2-3 words joined by AND, or by OR (explicit, or implicit when
 * the default operator is OR), as a kid of parent. */
static void put_group(const corpus *c, ls_rng *r, qcase *q, oracle_q *parent, const char *op,
                      int occur, int and_inside)
{
    char w[CORPUS_WMAX];
    oracle_q *sub = oracle_q_bool();
    uint32_t n = 2 + ls_rng_below(r, 2);
    int implicit = !and_inside && !q->default_and && ls_rng_below(r, 2);
    ls_qcase_put(q, "%s%s(", qc_sep(q), op);
    for (uint32_t i = 0; i < n; i++) {
        const char *join = i == 0 || implicit ? "" : and_inside ? "AND " : "OR ";
        put_word(c, q, sub, join, and_inside ? ORACLE_MUST : ORACLE_SHOULD, ORACLE_FIELD_ALL,
                 pick_word(c, r, and_inside ? PICK_ZIPF : PICK_ANY, w));
    }
    ls_qcase_put(q, ")");
    oracle_q_add(parent, sub, occur);
}

void ls_gen_mixed(const corpus *c, ls_rng *r, qcase *q)
{
    char w[CORPUS_WMAX], p[3 * CORPUS_WMAX + 8];
    uint32_t form = ls_rng_below(r, 7);
    ls_qcase_init(q, form == 5);
    if (form == 0) { /* "(a OR b) AND c" */
        put_group(c, r, q, q->tree, "", ORACLE_MUST, 0);
        put_word(c, q, q->tree, "AND ", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
    } else if (form == 1) { /* "a AND b OR c": AND binds tighter */
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, sub, "", ORACLE_MUST, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
        put_word(c, q, sub, "AND ", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        oracle_q_add(q->tree, sub, ORACLE_SHOULD);
        put_word(c, q, q->tree, "OR ", ORACLE_SHOULD, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ANY, w));
    } else if (form == 2) { /* "(a AND b) OR (c AND d)" */
        put_group(c, r, q, q->tree, "", ORACLE_SHOULD, 1);
        ls_qcase_put(q, " OR");
        put_group(c, r, q, q->tree, "", ORACLE_SHOULD, 1);
    } else if (form == 3) { /* "title:a AND (b OR "c d")" */
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_TITLE,
                 doc_word(c, r, ORACLE_FIELD_TITLE, w));
        ls_qcase_put(q, " AND (");
        put_word(c, q, sub, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
        if (doc_phrase(c, r, ORACLE_FIELD_BODY, 2, p, sizeof p))
            put_phrase(c, q, sub, "OR ", ORACLE_SHOULD, ORACLE_FIELD_BODY, p);
        ls_qcase_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_MUST);
    } else if (form == 4) { /* "+(a b) -(c d)" */
        put_group(c, r, q, q->tree, "+", ORACLE_MUST, 0);
        put_group(c, r, q, q->tree, "-", ORACLE_NOT, 0);
    } else if (form == 6) { /* "a AND (-b -c)": a group of only NOT kids, required */
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ANY, w));
        ls_qcase_put(q, " AND (");
        put_word(c, q, sub, "-", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
        put_word(c, q, sub, "-", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
        ls_qcase_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_MUST);
    } else { /* default AND: "a (b OR c)" */
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        put_group(c, r, q, q->tree, "", ORACLE_MUST, 0);
    }
}

/* LS_SYNTAX_PLAIN: words among syntax-looking characters, which must mean nothing; stop words
 * are dropped unless every word is one (an eighth of the queries are only stop words). */
void ls_gen_plain(const corpus *c, ls_rng *r, qcase *q)
{
    static const char *const seps[] = {" ", " ", ", ", " -", " +", " \"", " (", ") ", ":", "* "};
    char w[CORPUS_WMAX];
    uint32_t n = 1 + ls_rng_below(r, 6);
    int only_stop = ls_rng_below(r, 8) == 0;
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    q->syntax = LS_SYNTAX_PLAIN;
    for (uint32_t i = 0; i < n; i++) {
        const char *word = pick_word(c, r, PICK_ANY, w);
        if (only_stop)
            word = ls_rng_below(r, 2) ? "The" : "of";
        ls_qcase_put(q, "%s%s", i ? seps[ls_rng_below(r, sizeof seps / sizeof seps[0])] : "", word);
    }
    oracle_q_free(q->tree);
    q->tree = ls_oracle_plain(c->oracle, q->text, q->default_and);
}

/* The first 1..len-1 bytes of a word from some document (no compound: "25-ye*" is a BOOL of
 * its own), sometimes Capitalised; whole when it is one byte long. */
static const char *prefix_of(const corpus *c, ls_rng *r, int field, char *buf)
{
    for (int tries = 0; tries < 20; tries++) {
        doc_word(c, r, field, buf);
        if (strchr(buf, '-') == NULL && strchr(buf, '\'') == NULL)
            break;
    }
    size_t n = strlen(buf);
    if (n > 1)
        buf[1 + ls_rng_below(r, (uint32_t)(n - 1))] = '\0';
    if (ls_rng_below(r, 6) == 0 && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 32);
    return buf;
}

static void put_prefix(const corpus *c, qcase *q, oracle_q *parent, const char *op, int occur,
                       int field, const char *pre)
{
    ls_qcase_put(q, "%s%s%s%s*", qc_sep(q), op, field_prefix(q, field), pre);
    oracle_q_add(parent, ls_oracle_prefix(c->oracle, field, pre), occur);
}

void ls_gen_prefix(const corpus *c, ls_rng *r, qcase *q)
{
    char p[CORPUS_WMAX], w[CORPUS_WMAX];
    uint32_t form = ls_rng_below(r, 6);
    int f = (int)ls_rng_below(r, 3); /* ORACLE_FIELD_* */
    ls_qcase_init(q, (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    if (form <= 1) { /* "pre*", "title:pre*" */
        put_prefix(c, q, q->tree, "", occur, f, prefix_of(c, r, f, p));
    } else if (form == 2) { /* "pre* word" */
        put_prefix(c, q, q->tree, "", occur, f, prefix_of(c, r, f, p));
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
    } else if (form == 3) { /* "+word pre*" */
        put_word(c, q, q->tree, "+", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        put_prefix(c, q, q->tree, "", occur, f, prefix_of(c, r, f, p));
    } else if (form == 4) { /* "word -pre*" */
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
        put_prefix(c, q, q->tree, "-", ORACLE_NOT, f, prefix_of(c, r, f, p));
    } else { /* "pre* OR pre2*" */
        put_prefix(c, q, q->tree, "", ORACLE_SHOULD, f, prefix_of(c, r, f, p));
        put_prefix(c, q, q->tree, "OR ", ORACLE_SHOULD, ORACLE_FIELD_ALL,
                   prefix_of(c, r, ORACLE_FIELD_ALL, w));
    }
}

void ls_gen_any(const corpus *c, ls_rng *r, qcase *q)
{
    static const gen_fn all[] = {ls_gen_term,  ls_gen_or,       ls_gen_and,
                                 ls_gen_not,   ls_gen_required, ls_gen_phrase,
                                 ls_gen_field, ls_gen_mixed,    ls_gen_plain};
    all[ls_rng_below(r, sizeof all / sizeof all[0])](c, r, q);
}

/* ---- comparison ------------------------------------------------------------------------ */

char *ls_corpus_msgf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    ck_assert(n >= 0);
    return s;
}

/* Everything needed to repeat a failing query, for messages. */
char *ls_qcase_describe(const qcase *q, const ls_search_options *so)
{
    char tree[CORPUS_QMAX];
    oracle_q_format(q->tree, tree, sizeof tree);
    return ls_corpus_msgf(
        "query '%s' (syntax %d, default_and %d, k1 %g, b %g, title weight %g, limit %zu, "
        "offset %zu, proximity %.17g depth %u, seed %lu) oracle tree %s",
        q->text, so->syntax, q->default_and, so->k1, so->b, so->title_weight, so->limit,
        so->offset, so->proximity, so->proximity_depth, ls_test_seed(), tree);
}

static long hit_doc(const corpus *c, const ls_hit *h)
{
    char *end;
    if (h == NULL || h->id == NULL)
        return -1;
    if (c->hit_doc != NULL)
        return c->hit_doc(c, h);
    if (h->id[0] != 'd')
        return -1;
    unsigned long d = strtoul(h->id + 1, &end, 10);
    return *end == '\0' && d < c->n_docs ? (long)d : -1;
}

/* Checks one rank: the engine's doc e with score s against the oracle's hit at that rank. */
static int score_agrees(const corpus *c, double s, double want)
{
    if (c->score_rel > 0)
        return fabs(s - want) <= c->score_rel * fmax(fabs(s), fabs(want));
    return fabs(s - want) <= CORPUS_SCORE_EPS;
}

/* Checks one rank: the engine's doc e with score s against the oracle's hit at that rank. */
static char *check_rank(const corpus *c, const double *by_doc, size_t rank, const oracle_hit *o,
                        long e, double s)
{
    if (e < 0)
        return ls_corpus_msgf("rank %zu: engine returned an unknown id (or a stale version)",
                              rank);
    double se = by_doc[e];
    if (isnan(se))
        return ls_corpus_msgf("rank %zu: engine doc d%ld (score %.17g) does not match; "
                              "expected d%u (%.17g)",
                              rank, e, s, o->doc, o->score);
    if ((uint32_t)e != o->doc &&
        fabs(se - o->score) > CORPUS_NEAR_TIE * fmax(1.0, fabs(o->score)))
        return ls_corpus_msgf("rank %zu: expected d%u (score %.17g), got d%ld (score %.17g, "
                              "oracle %.17g)",
                              rank, o->doc, o->score, e, s, se);
    if (!score_agrees(c, s, se))
        return ls_corpus_msgf("rank %zu: d%ld score %.17g, oracle %.17g", rank, e, s, se);
    return NULL;
}

/* The engine's own order: scores never rise, and equal scores come in document order. */
static char *check_engine_order(const corpus *c, size_t rank, long prev, double prev_s, long e,
                                double s)
{
    if (s > prev_s)
        return ls_corpus_msgf("rank %zu: d%ld score %.17g above the previous hit d%ld (%.17g)",
                              rank, e, s, prev, prev_s);
    if (s == prev_s && e < prev && !c->ties_any_order)
        return ls_corpus_msgf(
            "rank %zu: d%ld after d%ld with the same score %.17g: ties must come in "
            "document order",
            rank, e, prev, s);
    return NULL;
}

/* Compares one engine page with the oracle's full ranking; NULL when they agree. */
char *ls_corpus_compare_page(const corpus *c, const ls_hits *h, const oracle_result *want,
                          const ls_search_options *so)
{
    uint64_t total = ls_hits_total(h);
    if (ls_hits_total_exact(h) && total != want->n)
        return ls_corpus_msgf("total %llu, oracle %zu", (unsigned long long)total, want->n);
    /* Pruned: the count is a lower bound, never under count_limit (counted before any skip). */
    if (!ls_hits_total_exact(h)) {
        ls_corpus_pruned++;
        if (total > want->n || total < so->count_limit || so->limit == 0)
            return ls_corpus_msgf("total %llu marked a lower bound: oracle %zu, count limit "
                                  "%llu, limit %zu",
                                  (unsigned long long)total, want->n,
                                  (unsigned long long)so->count_limit, so->limit);
    }
    size_t expect = want->n > so->offset ? want->n - so->offset : 0;
    if (expect > so->limit)
        expect = so->limit;
    if (ls_hits_count(h) != expect)
        return ls_corpus_msgf("%zu hits returned, expected %zu", ls_hits_count(h), expect);
    double *by_doc = malloc((c->n_docs ? c->n_docs : 1) * sizeof *by_doc);
    unsigned char *seen = calloc(c->n_docs ? c->n_docs : 1, 1);
    ck_assert(by_doc != NULL && seen != NULL);
    for (size_t i = 0; i < c->n_docs; i++)
        by_doc[i] = NAN;
    for (size_t i = 0; i < want->n; i++)
        by_doc[want->hits[i].doc] = want->hits[i].score;
    char *m = NULL;
    for (size_t i = 0; i < expect && m == NULL; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        long e = hit_doc(c, hit);
        m = check_rank(c, by_doc, so->offset + i, &want->hits[so->offset + i], e,
                       hit ? hit->score : NAN);
        if (m == NULL && seen[e]++)
            m = ls_corpus_msgf("rank %zu: d%ld returned twice", so->offset + i, e);
        if (m == NULL && i > 0) {
            const ls_hit *prev = ls_hits_get(h, i - 1);
            m = check_engine_order(c, so->offset + i, hit_doc(c, prev), prev->score, e, hit->score);
        }
    }
    free(by_doc);
    free(seen);
    return m;
}

/* Runs q through ls_search with so; NULL when it agrees with `want`, else why not. */
char *ls_corpus_compare_query(const corpus *c, const qcase *q, const oracle_result *want,
                           const ls_search_options *so)
{
    ls_hits *h = NULL;
    ls_error err;
    memset(&err, 0, sizeof err);
    int rc = ls_search(c->reader, q->text, q->len, so, &h, &err);
    char *m = rc != LS_OK
                  ? ls_corpus_msgf("ls_search: %d %s (position %zu)", rc, err.message, err.position)
                  : ls_corpus_compare_page(c, h, want, so);
    ls_hits_free(h);
    if (m == NULL)
        return NULL;
    char *d = ls_qcase_describe(q, so);
    char *full = ls_corpus_msgf("%s: %s", d, m);
    free(d);
    free(m);
    return full;
}

void ls_tally_add(tally *t, char *m, size_t total)
{
    t->queries++;
    t->with_hits += total > 0;
    if (m == NULL)
        return;
    if (t->failures++ < MAX_REPORTED)
        fprintf(stderr, "oracle mismatch: %s\n", m);
    if (t->first == NULL)
        t->first = m;
    else
        free(m);
}

void ls_tally_assert(tally *t, const char *what)
{
    ck_assert_msg(t->failures == 0, "%s: %d of %d queries differ from the oracle (seed %lu); "
                  "first: %s",
                  what, t->failures, t->queries, ls_test_seed(), t->first ? t->first : "");
    /* every generator is built so that most queries match something: none would be vacuous */
    ck_assert_msg(t->with_hits * 3 >= t->queries, "%s: only %d of %d queries had hits", what,
                  t->with_hits, t->queries);
    free(t->first);
}

unsigned long ls_corpus_pruned;

static void random_page(ls_rng *r, ls_search_options *so)
{
    uint32_t dice = ls_rng_below(r, 100);
    so->limit = dice < 70 ? 10 : dice < 90 ? 100 : dice < 95 ? 1 : dice < 98 ? 0 : 300;
    so->offset = ls_rng_below(r, 5) == 0 ? 1 + ls_rng_below(r, 30) : 0;
    /* pruning from the first full top-k, after a few matches, by default, or never */
    static const uint64_t limits[] = {0, 1, 37, LS_DEFAULT_COUNT_LIMIT, LS_COUNT_ALL};
    so->count_limit = limits[ls_rng_below(r, 5)];
}

/* n random queries from gen, each compared at a random page; k1/b as given, title weighting
 * off, at its default or strong; with proximity, each query also gets a random proximity
 * weight and depth. */
static void run_queries(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1,
                        double b, int proximity, const char *what)
{
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, stream);
    if (ls_test_long())
        n *= 5;
    for (int i = 0; i < n; i++) {
        qcase q;
        gen(c, &r, &q);
        ls_qcase_finish(&q);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0; /* plain BM25: the oracle of this file */
        so.proximity = 0;
        /* valid queries read the same under the lenient syntax */
        so.syntax = q.syntax == LS_SYNTAX_STRICT && ls_rng_below(&r, 4) == 0 ? LS_SYNTAX_LENIENT
                                                                            : q.syntax;
        so.default_and = q.default_and;
        so.k1 = k1;
        so.b = b;
        so.snippets = 0;
        static const double title_weights[] = {0, LS_DEFAULT_TITLE_WEIGHT, 1.5};
        so.title_weight = title_weights[ls_rng_below(&r, 3)];
        if (proximity) {
            static const double weights[] = {0.25, 1.0, 4.0};
            static const unsigned depths[] = {0, 1, 7, 40, 1000};
            uint32_t w = ls_rng_below(&r, 4);
            so.proximity = w < 3 ? weights[w] : 0.01 + ls_rng_below(&r, 1000) / 100.0;
            so.proximity_depth = depths[ls_rng_below(&r, 5)];
        }
        random_page(&r, &so);
        oracle_result want;
        ls_oracle_search_titled(c->oracle, q.tree, k1, b, so.title_weight, &want);
        if (proximity)
            ls_oracle_proximity(c->oracle, q.tree, k1, b, so.proximity,
                                so.proximity_depth ? so.proximity_depth
                                                   : LS_DEFAULT_PROXIMITY_DEPTH,
                                &want);
        ls_tally_add(&t, ls_corpus_compare_query(c, &q, &want, &so), want.n);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    ls_tally_assert(&t, what);
}

void ls_corpus_run_queries(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1, double b,
                           const char *what)
{
    run_queries(c, stream, n, gen, k1, b, 0, what);
}

void ls_corpus_run_proximity(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1,
                             double b, const char *what)
{
    run_queries(c, stream, n, gen, k1, b, 1, what);
}


/* Runs one page and checks it is exactly the slice [offset, offset + limit) of the engine's own
 * longer ranking `full` (same ids, same scores): pages must tile one ranking even where scores
 * tie across a page boundary, which comparing with the oracle alone lets pass. */
static char *compare_slice(const corpus *c, const qcase *q, const ls_search_options *so,
                           const ls_hits *full)
{
    ls_hits *h = NULL;
    ls_error err;
    char *m = NULL;
    int rc = ls_search(c->reader, q->text, q->len, so, &h, &err);
    if (rc != LS_OK)
        m = ls_corpus_msgf("ls_search: %d %s", rc, err.message);
    for (size_t i = 0; m == NULL && i < ls_hits_count(h); i++) {
        const ls_hit *a = ls_hits_get(h, i), *b = ls_hits_get(full, so->offset + i);
        if (b == NULL || hit_doc(c, a) != hit_doc(c, b) || a->score != b->score)
            m = ls_corpus_msgf(
                "rank %zu: page has d%ld (%.17g), the first %zu hits have d%ld (%.17g)",
                so->offset + i, hit_doc(c, a), a->score, ls_hits_count(full),
                b ? hit_doc(c, b) : -1L, b ? b->score : NAN);
    }
    ls_hits_free(h);
    if (m == NULL)
        return NULL;
    char *d = ls_qcase_describe(q, so);
    char *full_msg = ls_corpus_msgf("%s: %s", d, m);
    free(d);
    free(m);
    return full_msg;
}

/* Pages of random sizes over the first 120 hits of nq queries: each page is compared with the
 * oracle and with the engine's own top 160; a page past the end is empty with the right total. */
void ls_corpus_run_paging(const corpus *c, uint64_t stream, int nq, gen_fn gen, double k1, double b,
                       const char *what)
{
    static const size_t sizes[] = {1, 3, 10, 25};
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, stream);
    for (int i = 0; i < (ls_test_long() ? 5 * nq : nq); i++) {
        qcase q;
        gen(c, &r, &q);
        ls_qcase_finish(&q);
        oracle_result want;
        ls_oracle_search(c->oracle, q.tree, k1, b, &want);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0; /* plain BM25: the oracle of this file */
        so.syntax = q.syntax;
        so.default_and = q.default_and;
        so.k1 = k1;
        so.b = b;
        so.snippets = 0;
        so.limit = 160;
        ls_hits *full = NULL;
        ls_error err;
        ck_assert_int_eq(ls_search(c->reader, q.text, q.len, &so, &full, &err), LS_OK);
        so.limit = sizes[ls_rng_below(&r, 4)];
        size_t end = want.n < 120 ? want.n : 120;
        for (so.offset = 0; so.offset <= end; so.offset += so.limit) {
            ls_tally_add(&t, ls_corpus_compare_query(c, &q, &want, &so), want.n);
            ls_tally_add(&t, compare_slice(c, &q, &so, full), want.n);
        }
        so.offset = want.n + 5;
        ls_tally_add(&t, ls_corpus_compare_query(c, &q, &want, &so), want.n);
        ls_hits_free(full);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    ls_tally_assert(&t, what);
}