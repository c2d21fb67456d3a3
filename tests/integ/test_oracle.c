/* SPDX-License-Identifier: MIT */
/*
 * test_oracle.c - the engine against the naive BM25 oracle (tests/oracle.c) on random corpora:
 * a Zipf-distributed vocabulary written in several segments and commits, then hundreds of random
 * queries (terms, OR, AND, NOT, +required, phrases, fields, parentheses, plain syntax, other k1/b,
 * paging) rendered as query text and as an oracle tree from the same random choice. Both must
 * give the same total, the same ids in the same order and scores within 1e-4.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "libsearch.h"
#include "oracle.h"
#include "testutil.h"

#define SCORE_EPS 1e-4
/* Oracle scores closer than this (relative) may come out in either order: equal in real
 * arithmetic (with b = 1, tf 1 at length L scores exactly as tf 2 at length 2L) they differ in
 * the last bits depending on how the formula is folded. Ties in the engine's own scores must
 * still be ordered by document (checked separately). */
#define NEAR_TIE 1e-9
#define QMAX 1024
#define WMAX 160
#define MAX_REPORTED 5

/* ---- corpus ---------------------------------------------------------------------------- */

typedef struct corpus_params {
    size_t n_docs;
    size_t n_bases;     /* generated stems */
    int all_forms;      /* each stem also as -s, -ing, -ed */
    size_t n_compounds; /* hyphenated pairs of vocabulary words */
    int with_stop;      /* a few frequent stop words */
    unsigned max_title, max_body;
    size_t commits;     /* the corpus is committed in this many parts */
    size_t ram_budget;
    uint64_t stream;
} corpus_params;

typedef struct corpus_doc {
    uint16_t *title, *body; /* vocabulary indices */
    uint32_t n_title, n_body;
} corpus_doc;

typedef struct corpus {
    char **vocab;     /* surface forms, lowercase; Zipf rank = index */
    ls_zipf zipf;     /* word ranks */
    size_t n_vocab;
    corpus_doc *docs;
    size_t n_docs;
    char *dir;
    ls_reader *reader;
    ls_oracle *oracle;
} corpus;

static corpus g_big, g_small;

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

static void build_vocab(corpus *c, const corpus_params *p, ls_rng *r)
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
        char stem[WMAX], w[WMAX];
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
        char w[2 * WMAX + 2];
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
    size_t cap = (size_t)n * (WMAX + 4) + 1, l = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        char word[WMAX + 4];
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
            ls_test_str_append(buf, cap, &l, sep < 4 ? ", " : sep < 7 ? ". " : sep < 8 ? " (" : " ");
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

static void add_doc(corpus *c, ls_writer *wr, ls_rng *r, size_t i, const corpus_params *p)
{
    corpus_doc *d = &c->docs[i];
    uint32_t dice = ls_rng_below(r, 100);
    d->n_title = dice < 3 ? 0 : ls_rng_below(r, p->max_title + 1);
    d->n_body = dice < 3 || (dice >= 97) ? 0 : ls_rng_below(r, p->max_body + 1);
    d->title = random_words(c, r, d->n_title);
    d->body = random_words(c, r, d->n_body);
    size_t tl, bl;
    char *title = render_text(c, r, d->title, d->n_title, &tl);
    char *body = render_text(c, r, d->body, d->n_body, &bl);
    char id[32];
    snprintf(id, sizeof id, "d%zu", i);
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = strlen(id);
    /* empty fields go in both as NULL and as "" */
    doc.title = tl == 0 && (i & 1) ? NULL : title;
    doc.title_len = tl;
    doc.body = bl == 0 && (i & 2) ? NULL : body;
    doc.body_len = bl;
    ls_error err;
    int rc = ls_writer_add(wr, &doc, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add(%s): %d %s", id, rc, err.message);
    uint32_t o = ls_oracle_add(c->oracle, title, tl, body, bl);
    ck_assert_uint_eq(o, i);
    free(title);
    free(body);
}

static void corpus_build(corpus *c, const corpus_params *p)
{
    ls_rng r;
    ls_error err;
    memset(c, 0, sizeof *c);
    ls_rng_init(&r, p->stream);
    c->oracle = ls_oracle_new("english");
    build_vocab(c, p, &r);
    c->dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = p->ram_budget;
    ls_writer *wr = NULL;
    int rc = ls_writer_open(c->dir, &wo, &wr, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    c->docs = calloc(p->n_docs, sizeof *c->docs);
    ck_assert_ptr_nonnull(c->docs);
    for (size_t i = 0; i < p->n_docs; i++) {
        add_doc(c, wr, &r, i, p);
        c->n_docs = i + 1;
        if ((i + 1) % ((p->n_docs + p->commits - 1) / p->commits) == 0 || i + 1 == p->n_docs) {
            rc = ls_writer_commit(wr, &err);
            ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
        }
    }
    ls_writer_close(wr);
    rc = ls_reader_open(c->dir, &c->reader, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
}

static void corpus_free(corpus *c)
{
    ls_reader_close(c->reader);
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

static void setup_big(void)
{
    corpus_params p = {.n_docs = ls_test_long() ? 12000 : 3000,
                       .n_bases = 100,
                       .all_forms = 1,
                       .n_compounds = 8,
                       .with_stop = 1,
                       .max_title = 8,
                       .max_body = 200,
                       .commits = 3,
                       .ram_budget = 256 * 1024,
                       .stream = 0x0AC1E};
    corpus_build(&g_big, &p);
}

static void teardown_big(void) { corpus_free(&g_big); }

/* Few words, few short documents, a commit every 10: ties everywhere, df near N. */
static void setup_small(void)
{
    corpus_params p = {.n_docs = 90,
                       .n_bases = 5,
                       .all_forms = 0,
                       .n_compounds = 1,
                       .with_stop = 0,
                       .max_title = 3,
                       .max_body = 6,
                       .commits = 9,
                       .ram_budget = 0, /* default: one segment per commit */
                       .stream = 0x5A11};
    corpus_build(&g_small, &p);
}

static void teardown_small(void) { corpus_free(&g_small); }

/* ---- query generation ------------------------------------------------------------------ */

/* One random query: its text and the oracle tree meaning the same. */
typedef struct qcase {
    char text[QMAX];
    size_t len;
    oracle_q *tree;
    int syntax, default_and;
} qcase;

static void qc_put(qcase *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->text + q->len, QMAX - q->len, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && q->len + (size_t)n < QMAX, "query text too long");
    q->len += (size_t)n;
}

static void qc_init(qcase *q, int default_and)
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
    snprintf(buf, WMAX, "%s", c->vocab[i]);
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
    qc_put(q, "%s%s%s%s", qc_sep(q), op, field_prefix(q, field), w);
    oracle_q_add(parent, ls_oracle_word(c->oracle, field, w), occur);
}

static void put_phrase(const corpus *c, qcase *q, oracle_q *parent, const char *op, int occur,
                       int field, const char *words)
{
    qc_put(q, "%s%s%s\"%s\"", qc_sep(q), op, field_prefix(q, field), words);
    oracle_q_add(parent, ls_oracle_phrase(c->oracle, field, words), occur);
}

/* n consecutive words of a random document's title or body (per field), joined by spaces. */
static int doc_phrase(const corpus *c, ls_rng *r, int field, uint32_t n, char *out, size_t cap)
{
    for (int tries = 0; tries < 100; tries++) {
        const corpus_doc *d = &c->docs[ls_rng_below(r, (uint32_t)c->n_docs)];
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
    if (!doc_phrase(c, r, field, 1, buf, WMAX))
        return pick_word(c, r, PICK_ANY, buf);
    return buf;
}

static void gen_term(const corpus *c, ls_rng *r, qcase *q)
{
    char w[WMAX];
    qc_init(q, (int)ls_rng_below(r, 2));
    put_word(c, q, q->tree, "", q->default_and ? ORACLE_MUST : ORACLE_SHOULD, ORACLE_FIELD_ALL,
             pick_word(c, r, PICK_ANY, w));
}

static void gen_or(const corpus *c, ls_rng *r, qcase *q)
{
    int explicit_or = (int)ls_rng_below(r, 2);
    uint32_t n = 2 + ls_rng_below(r, 4);
    char w[WMAX];
    qc_init(q, explicit_or ? (int)ls_rng_below(r, 2) : 0);
    for (uint32_t i = 0; i < n; i++)
        put_word(c, q, q->tree, i > 0 && explicit_or ? "OR " : "", ORACLE_SHOULD,
                 ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
}

static void gen_and(const corpus *c, ls_rng *r, qcase *q)
{
    int explicit_and = (int)ls_rng_below(r, 2);
    uint32_t n = 2 + ls_rng_below(r, 3);
    char w[WMAX];
    qc_init(q, explicit_and ? (int)ls_rng_below(r, 2) : 1);
    for (uint32_t i = 0; i < n; i++) {
        int how = ls_rng_below(r, 5) == 0 ? PICK_UNIFORM : PICK_ZIPF;
        put_word(c, q, q->tree, i > 0 && explicit_and ? "AND " : "", ORACLE_MUST,
                 ORACLE_FIELD_ALL, pick_word(c, r, how, w));
    }
}

/* Positive words, then one or two excluded ones ("-w" or "NOT w"); or a purely negative query. */
static void gen_not(const corpus *c, ls_rng *r, qcase *q)
{
    char w[WMAX];
    uint32_t form = ls_rng_below(r, 5), np = 1 + ls_rng_below(r, 3), nn = 1 + ls_rng_below(r, 2);
    if (form == 0 || form == 2) { /* "p1 p2 -n1 NOT n2" with default OR, or default AND */
        qc_init(q, form == 2);
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
        qc_init(q, (int)ls_rng_below(r, 2));
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        put_word(c, q, q->tree, "AND NOT ", ORACLE_NOT, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
    } else if (form == 3) { /* purely negative: every document without the words, score 0 */
        qc_init(q, (int)ls_rng_below(r, 2));
        for (uint32_t i = 0; i < nn; i++)
            put_word(c, q, q->tree, nn == 1 && ls_rng_below(r, 2) ? "NOT " : "-", ORACLE_NOT,
                     ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
    } else { /* "(p1 OR p2) -n1" */
        qc_init(q, 0);
        oracle_q *sub = oracle_q_bool();
        qc_put(q, "(");
        for (uint32_t i = 0; i < np + 1; i++)
            put_word(c, q, sub, i > 0 ? "OR " : "", ORACLE_SHOULD, ORACLE_FIELD_ALL,
                     pick_word(c, r, PICK_ANY, w));
        qc_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_SHOULD);
        char p[3 * WMAX + 8];
        int f = (int)ls_rng_below(r, 3); /* ORACLE_FIELD_* */
        if (ls_rng_below(r, 2) && doc_phrase(c, r, f, 2, p, sizeof p))
            put_phrase(c, q, q->tree, "-", ORACLE_NOT, f, p); /* -"a b", -title:"a b" */
        else
            put_word(c, q, q->tree, "-", ORACLE_NOT, f, pick_word(c, r, PICK_ZIPF, w));
    }
}

/* "+r1 s1 +r2 s2 [-n]" with default OR: required words, optional ones adding to the score. */
static void gen_required(const corpus *c, ls_rng *r, qcase *q)
{
    char w[WMAX];
    uint32_t nr = 1 + ls_rng_below(r, 2), ns = 1 + ls_rng_below(r, 3);
    qc_init(q, 0);
    while (nr + ns > 0) {
        char p[3 * WMAX + 8];
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
        if (d->n_title == 0 || d->n_body == 0)
            continue;
        snprintf(out, cap, "%s %s", c->vocab[d->title[d->n_title - 1]], c->vocab[d->body[0]]);
        return 1;
    }
    return 0;
}

static void gen_phrase(const corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * WMAX + 8], w[WMAX];
    uint32_t form = ls_rng_below(r, 10), n = 2 + ls_rng_below(r, 2);
    qc_init(q, (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    if (form <= 5 && doc_phrase(c, r, ORACLE_FIELD_ALL, n, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
    } else if (form == 6 && doc_phrase(c, r, ORACLE_FIELD_ALL, n, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
    } else if (form == 7 && boundary_phrase(c, r, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
    } else if (form == 8) { /* random words: mostly no match */
        char a[WMAX], b[WMAX];
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

static void gen_field(const corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * WMAX + 8], w[WMAX], w2[WMAX];
    uint32_t form = ls_rng_below(r, 7);
    int f = ls_rng_below(r, 2) ? ORACLE_FIELD_TITLE : ORACLE_FIELD_BODY;
    qc_init(q, (int)ls_rng_below(r, 2));
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
    char w[WMAX];
    oracle_q *sub = oracle_q_bool();
    uint32_t n = 2 + ls_rng_below(r, 2);
    int implicit = !and_inside && !q->default_and && ls_rng_below(r, 2);
    qc_put(q, "%s%s(", qc_sep(q), op);
    for (uint32_t i = 0; i < n; i++) {
        const char *join = i == 0 || implicit ? "" : and_inside ? "AND " : "OR ";
        put_word(c, q, sub, join, and_inside ? ORACLE_MUST : ORACLE_SHOULD, ORACLE_FIELD_ALL,
                 pick_word(c, r, and_inside ? PICK_ZIPF : PICK_ANY, w));
    }
    qc_put(q, ")");
    oracle_q_add(parent, sub, occur);
}

static void gen_mixed(const corpus *c, ls_rng *r, qcase *q)
{
    char w[WMAX], p[3 * WMAX + 8];
    uint32_t form = ls_rng_below(r, 7);
    qc_init(q, form == 5);
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
        qc_put(q, " OR");
        put_group(c, r, q, q->tree, "", ORACLE_SHOULD, 1);
    } else if (form == 3) { /* "title:a AND (b OR "c d")" */
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_TITLE,
                 doc_word(c, r, ORACLE_FIELD_TITLE, w));
        qc_put(q, " AND (");
        put_word(c, q, sub, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ANY, w));
        if (doc_phrase(c, r, ORACLE_FIELD_BODY, 2, p, sizeof p))
            put_phrase(c, q, sub, "OR ", ORACLE_SHOULD, ORACLE_FIELD_BODY, p);
        qc_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_MUST);
    } else if (form == 4) { /* "+(a b) -(c d)" */
        put_group(c, r, q, q->tree, "+", ORACLE_MUST, 0);
        put_group(c, r, q, q->tree, "-", ORACLE_NOT, 0);
    } else if (form == 6) { /* "a AND (-b -c)": a group of only NOT kids, required */
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ANY, w));
        qc_put(q, " AND (");
        put_word(c, q, sub, "-", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
        put_word(c, q, sub, "-", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, PICK_ZIPF, w));
        qc_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_MUST);
    } else { /* default AND: "a (b OR c)" */
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL,
                 pick_word(c, r, PICK_ZIPF, w));
        put_group(c, r, q, q->tree, "", ORACLE_MUST, 0);
    }
}

/* LS_SYNTAX_PLAIN: words among syntax-looking characters, which must mean nothing; stop words
 * are dropped unless every word is one (an eighth of the queries are only stop words). */
static void gen_plain(const corpus *c, ls_rng *r, qcase *q)
{
    static const char *const seps[] = {" ", " ", ", ", " -", " +", " \"", " (", ") ", ":", "* "};
    char w[WMAX];
    uint32_t n = 1 + ls_rng_below(r, 6);
    int only_stop = ls_rng_below(r, 8) == 0;
    qc_init(q, (int)ls_rng_below(r, 2));
    q->syntax = LS_SYNTAX_PLAIN;
    for (uint32_t i = 0; i < n; i++) {
        const char *word = pick_word(c, r, PICK_ANY, w);
        if (only_stop)
            word = ls_rng_below(r, 2) ? "The" : "of";
        qc_put(q, "%s%s", i ? seps[ls_rng_below(r, sizeof seps / sizeof seps[0])] : "", word);
    }
    oracle_q_free(q->tree);
    q->tree = ls_oracle_plain(c->oracle, q->text, q->default_and);
}

typedef void (*gen_fn)(const corpus *c, ls_rng *r, qcase *q);

static void gen_any(const corpus *c, ls_rng *r, qcase *q)
{
    static const gen_fn all[] = {gen_term,  gen_or,    gen_and,   gen_not,  gen_required,
                                 gen_phrase, gen_field, gen_mixed, gen_plain};
    all[ls_rng_below(r, sizeof all / sizeof all[0])](c, r, q);
}

/* ---- comparison ------------------------------------------------------------------------ */

static char *msgf(const char *fmt, ...)
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
static char *describe(const qcase *q, const ls_search_options *so)
{
    char tree[QMAX];
    oracle_q_format(q->tree, tree, sizeof tree);
    return msgf("query '%s' (syntax %d, default_and %d, k1 %g, b %g, limit %zu, offset %zu, "
                "seed %lu) oracle tree %s",
                q->text, so->syntax, q->default_and, so->k1, so->b, so->limit, so->offset,
                ls_test_seed(), tree);
}

static long hit_doc(const corpus *c, const ls_hit *h)
{
    char *end;
    if (h == NULL || h->id == NULL || h->id[0] != 'd')
        return -1;
    unsigned long d = strtoul(h->id + 1, &end, 10);
    return *end == '\0' && d < c->n_docs ? (long)d : -1;
}

/* Checks one rank: the engine's doc e with score s against the oracle's hit at that rank. */
static char *check_rank(const double *by_doc, size_t rank, const oracle_hit *o, long e, double s)
{
    if (e < 0)
        return msgf("rank %zu: engine returned an unknown id", rank);
    double se = by_doc[e];
    if (isnan(se))
        return msgf("rank %zu: engine doc d%ld (score %.17g) does not match; expected d%u "
                    "(%.17g)",
                    rank, e, s, o->doc, o->score);
    if ((uint32_t)e != o->doc && fabs(se - o->score) > NEAR_TIE * fmax(1.0, fabs(o->score)))
        return msgf("rank %zu: expected d%u (score %.17g), got d%ld (score %.17g, oracle %.17g)",
                    rank, o->doc, o->score, e, s, se);
    if (!(fabs(s - se) <= SCORE_EPS))
        return msgf("rank %zu: d%ld score %.17g, oracle %.17g", rank, e, s, se);
    return NULL;
}

/* The engine's own order: scores never rise, and equal scores come in document order. */
static char *check_engine_order(size_t rank, long prev, double prev_s, long e, double s)
{
    if (s > prev_s)
        return msgf("rank %zu: d%ld score %.17g above the previous hit d%ld (%.17g)", rank, e, s,
                    prev, prev_s);
    if (s == prev_s && e < prev)
        return msgf("rank %zu: d%ld after d%ld with the same score %.17g: ties must come in "
                    "document order",
                    rank, e, prev, s);
    return NULL;
}

/* Compares one engine page with the oracle's full ranking; NULL when they agree. */
static char *compare_page(const corpus *c, const ls_hits *h, const oracle_result *want,
                          const ls_search_options *so)
{
    uint64_t total = ls_hits_total(h);
    if (total != want->n)
        return msgf("total %llu, oracle %zu", (unsigned long long)total, want->n);
    size_t expect = want->n > so->offset ? want->n - so->offset : 0;
    if (expect > so->limit)
        expect = so->limit;
    if (ls_hits_count(h) != expect)
        return msgf("%zu hits returned, expected %zu", ls_hits_count(h), expect);
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
        m = check_rank(by_doc, so->offset + i, &want->hits[so->offset + i], e,
                       hit ? hit->score : NAN);
        if (m == NULL && seen[e]++)
            m = msgf("rank %zu: d%ld returned twice", so->offset + i, e);
        if (m == NULL && i > 0) {
            const ls_hit *prev = ls_hits_get(h, i - 1);
            m = check_engine_order(so->offset + i, hit_doc(c, prev), prev->score, e, hit->score);
        }
    }
    free(by_doc);
    free(seen);
    return m;
}

/* Runs q through ls_search with so; NULL when it agrees with `want`, else why not. */
static char *compare_query(const corpus *c, const qcase *q, const oracle_result *want,
                           const ls_search_options *so)
{
    ls_hits *h = NULL;
    ls_error err;
    memset(&err, 0, sizeof err);
    int rc = ls_search(c->reader, q->text, q->len, so, &h, &err);
    char *m = rc != LS_OK ? msgf("ls_search: %d %s (position %zu)", rc, err.message, err.position)
                          : compare_page(c, h, want, so);
    ls_hits_free(h);
    if (m == NULL)
        return NULL;
    char *d = describe(q, so);
    char *full = msgf("%s: %s", d, m);
    free(d);
    free(m);
    return full;
}

/* Tally of a test's queries: the first failure is kept for the assertion message. */
typedef struct tally {
    int queries, failures, with_hits;
    char *first;
} tally;

static void tally_add(tally *t, char *m, size_t total)
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

static void tally_assert(tally *t, const char *what)
{
    ck_assert_msg(t->failures == 0, "%s: %d of %d queries differ from the oracle (seed %lu); "
                  "first: %s",
                  what, t->failures, t->queries, ls_test_seed(), t->first ? t->first : "");
    /* every generator is built so that most queries match something: none would be vacuous */
    ck_assert_msg(t->with_hits * 3 >= t->queries, "%s: only %d of %d queries had hits", what,
                  t->with_hits, t->queries);
    free(t->first);
}

static void random_page(ls_rng *r, ls_search_options *so)
{
    uint32_t dice = ls_rng_below(r, 100);
    so->limit = dice < 70 ? 10 : dice < 90 ? 100 : dice < 95 ? 1 : dice < 98 ? 0 : 300;
    so->offset = ls_rng_below(r, 5) == 0 ? 1 + ls_rng_below(r, 30) : 0;
}

/* n random queries from gen, each compared at a random page; k1/b as given. */
static void run_queries(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1, double b,
                        const char *what)
{
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, stream);
    if (ls_test_long())
        n *= 5;
    for (int i = 0; i < n; i++) {
        qcase q;
        gen(c, &r, &q);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0; /* plain BM25: the oracle of this file */
        /* valid queries read the same under the lenient syntax */
        so.syntax = q.syntax == LS_SYNTAX_STRICT && ls_rng_below(&r, 4) == 0 ? LS_SYNTAX_LENIENT
                                                                            : q.syntax;
        so.default_and = q.default_and;
        so.k1 = k1;
        so.b = b;
        so.snippets = 0;
        random_page(&r, &so);
        oracle_result want;
        ls_oracle_search(c->oracle, q.tree, k1, b, &want);
        tally_add(&t, compare_query(c, &q, &want, &so), want.n);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    tally_assert(&t, what);
}

/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(oracle_corpus_is_indexed)
{
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ls_error err;
    ck_assert_int_eq(ls_reader_stats(g_big.reader, &st, &err), LS_OK);
    ck_assert_uint_eq(st.documents, g_big.n_docs);
    uint64_t tokens = 0;
    for (size_t d = 0; d < g_big.n_docs; d++)
        tokens += ls_oracle_doc_len(g_big.oracle, (uint32_t)d, ORACLE_FIELD_ALL);
    ck_assert_uint_eq(st.tokens, tokens);
    /* three commits under a 256 KiB budget: the corpus must not sit in one segment */
    ck_assert_msg(st.segments >= 2, "only %u segment(s)", st.segments);
}
END_TEST

START_TEST(oracle_single_terms)
{
    run_queries(&g_big, 101, 100, gen_term, 1.2, 0.75, "single terms");
}
END_TEST

START_TEST(oracle_or_terms)
{
    run_queries(&g_big, 102, 100, gen_or, 1.2, 0.75, "OR of terms");
}
END_TEST

START_TEST(oracle_and_terms)
{
    run_queries(&g_big, 103, 100, gen_and, 1.2, 0.75, "AND of terms");
}
END_TEST

START_TEST(oracle_not_terms)
{
    run_queries(&g_big, 104, 100, gen_not, 1.2, 0.75, "NOT / -term");
}
END_TEST

START_TEST(oracle_required_terms)
{
    run_queries(&g_big, 105, 80, gen_required, 1.2, 0.75, "+required terms");
}
END_TEST

START_TEST(oracle_phrases)
{
    run_queries(&g_big, 106, 100, gen_phrase, 1.2, 0.75, "phrases");
}
END_TEST

START_TEST(oracle_field_terms)
{
    run_queries(&g_big, 107, 100, gen_field, 1.2, 0.75, "title:/body: fields");
}
END_TEST

START_TEST(oracle_mixed_parentheses)
{
    run_queries(&g_big, 108, 80, gen_mixed, 1.2, 0.75, "parentheses");
}
END_TEST

START_TEST(oracle_plain_syntax)
{
    run_queries(&g_big, 109, 80, gen_plain, 1.2, 0.75, "LS_SYNTAX_PLAIN");
}
END_TEST

/* Other BM25 parameters, including k1 = 0 (idf only: ties everywhere) and b = 0 and 1. */
static const double k1b[][2] = {{0.9, 0.4}, {2.0, 1.0}, {0.0, 0.75}, {1.2, 0.0}, {0.5, 1.0}};

START_TEST(oracle_bm25_parameters)
{
    run_queries(&g_big, 110 + (uint64_t)_i, 60, gen_any, k1b[_i][0], k1b[_i][1], "k1/b");
}
END_TEST

/* Fixed edge cases: nothing to match (an empty query matches nothing, except under the strict
 * syntax where it is LS_EQUERY), an unknown word, a purely negative query matching every
 * document with score 0 (ties in document order), a word both required and excluded. */
#define ALL_DOCS (-1)
#define SOME_DOCS (-2)
typedef struct fixed_clause {
    int occur, field, phrase;
    const char *text;
} fixed_clause;

static const struct {
    const char *text;
    int syntax;
    int expect; /* matching documents, ALL_DOCS, or SOME_DOCS */
    size_t n;
    fixed_clause k[2];
} fixed[] = {
    {"", LS_SYNTAX_LENIENT, 0, 0, {{0}}},
    {"   ", LS_SYNTAX_LENIENT, 0, 0, {{0}}},
    {"", LS_SYNTAX_PLAIN, 0, 0, {{0}}},
    {"zzqxv", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"zzqxv", LS_SYNTAX_PLAIN, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"title:zzqxv", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_TITLE, 0, "zzqxv"}}},
    {"\"zzqxv the\"", LS_SYNTAX_STRICT, 0, 1, {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 1, "zzqxv the"}}},
    {"-zzqxv", LS_SYNTAX_STRICT, ALL_DOCS, 1, {{ORACLE_NOT, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"NOT zzqxv", LS_SYNTAX_STRICT, ALL_DOCS, 1, {{ORACLE_NOT, ORACLE_FIELD_ALL, 0, "zzqxv"}}},
    {"zzqxv the",
     LS_SYNTAX_STRICT,
     SOME_DOCS,
     2,
     {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "zzqxv"}, {ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "the"}}},
    {"+zzqxv the",
     LS_SYNTAX_STRICT,
     0,
     2,
     {{ORACLE_MUST, ORACLE_FIELD_ALL, 0, "zzqxv"}, {ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "the"}}},
    {"the -the",
     LS_SYNTAX_STRICT,
     0,
     2,
     {{ORACLE_SHOULD, ORACLE_FIELD_ALL, 0, "the"}, {ORACLE_NOT, ORACLE_FIELD_ALL, 0, "the"}}},
};

START_TEST(oracle_fixed_queries)
{
    tally t = {0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        qcase q;
        qc_init(&q, 0);
        qc_put(&q, "%s", fixed[i].text);
        q.syntax = fixed[i].syntax;
        for (size_t k = 0; k < fixed[i].n; k++) {
            const fixed_clause *fc = &fixed[i].k[k];
            oracle_q_add(q.tree,
                         fc->phrase ? ls_oracle_phrase(g_big.oracle, fc->field, fc->text)
                                    : ls_oracle_word(g_big.oracle, fc->field, fc->text),
                         fc->occur);
        }
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = 0; /* plain BM25: the oracle of this file */
        so.syntax = q.syntax;
        so.snippets = 0;
        so.limit = 100;
        oracle_result want;
        ls_oracle_search(g_big.oracle, q.tree, so.k1, so.b, &want);
        int e = fixed[i].expect;
        size_t expect = e == ALL_DOCS ? g_big.n_docs : e == SOME_DOCS ? want.n : (size_t)e;
        ck_assert_msg(want.n == expect && (e != SOME_DOCS || want.n > 0),
                      "oracle: '%s' matches %zu", q.text, want.n);
        tally_add(&t, compare_query(&g_big, &q, &want, &so), 1);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    tally_assert(&t, "fixed queries");

    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.feedback_docs = 0; /* plain BM25: the oracle of this file */

    ls_hits *h = NULL;
    ls_error err;
    ck_assert_int_eq(ls_search(g_big.reader, " ", 1, &so, &h, &err), LS_EQUERY);
    ck_assert_int_eq(err.code, LS_EQUERY);
    ck_assert_ptr_null(h);
}
END_TEST

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
        m = msgf("ls_search: %d %s", rc, err.message);
    for (size_t i = 0; m == NULL && i < ls_hits_count(h); i++) {
        const ls_hit *a = ls_hits_get(h, i), *b = ls_hits_get(full, so->offset + i);
        if (b == NULL || hit_doc(c, a) != hit_doc(c, b) || a->score != b->score)
            m = msgf("rank %zu: page has d%ld (%.17g), the first %zu hits have d%ld (%.17g)",
                     so->offset + i, hit_doc(c, a), a->score, ls_hits_count(full),
                     b ? hit_doc(c, b) : -1L, b ? b->score : NAN);
    }
    ls_hits_free(h);
    if (m == NULL)
        return NULL;
    char *d = describe(q, so);
    char *full_msg = msgf("%s: %s", d, m);
    free(d);
    free(m);
    return full_msg;
}

/* Pages of random sizes over the first 120 hits of nq queries: each page is compared with the
 * oracle and with the engine's own top 160; a page past the end is empty with the right total. */
static void run_paging(const corpus *c, uint64_t stream, int nq, gen_fn gen, double k1, double b,
                       const char *what)
{
    static const size_t sizes[] = {1, 3, 10, 25};
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, stream);
    for (int i = 0; i < (ls_test_long() ? 5 * nq : nq); i++) {
        qcase q;
        gen(c, &r, &q);
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
            tally_add(&t, compare_query(c, &q, &want, &so), want.n);
            tally_add(&t, compare_slice(c, &q, &so, full), want.n);
        }
        so.offset = want.n + 5;
        tally_add(&t, compare_query(c, &q, &want, &so), want.n);
        ls_hits_free(full);
        oracle_result_free(&want);
        oracle_q_free(q.tree);
    }
    tally_assert(&t, what);
}

START_TEST(oracle_paging_tiles_ranking)
{
    run_paging(&g_big, 120, 20, gen_or, 1.2, 0.75, "paging");
    run_paging(&g_big, 121, 10, gen_any, 0.0, 0.75, "paging, k1 = 0");
}
END_TEST

/* A tiny vocabulary in many small segments: equal scores everywhere, so tie-breaking by
 * document order and global (not per-segment) statistics decide the ranking. */
START_TEST(oracle_small_corpus_ties)
{
    static const double params[][2] = {{1.2, 0.75}, {0.0, 0.75}, {1.2, 0.0}};
    for (size_t i = 0; i < 3; i++) {
        run_queries(&g_small, 130 + i, 80, gen_any, params[i][0], params[i][1], "small corpus");
        run_paging(&g_small, 140 + i, 10, gen_any, params[i][0], params[i][1], "small paging");
    }
}
END_TEST

/* ---- the oracle itself, against scores computed by hand from the definitions ------------ */

static double hand_bm25(double idf, double tf, double len, double avglen, double k1, double b)
{
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen));
}

static double hand_idf(double n, double df) { return log(1 + (n - df + 0.5) / (df + 0.5)); }

/* Evaluates a one-leaf (or given) tree and checks the expected docs and scores in order. */
static void expect_hits(ls_oracle *o, oracle_q *q, double k1, const uint32_t *docs,
                        const double *scores, size_t n)
{
    oracle_result res;
    char t[256];
    oracle_q_format(q, t, sizeof t);
    ls_oracle_search(o, q, k1, 0.75, &res);
    ck_assert_msg(res.n == n, "%s: %zu hits, expected %zu", t, res.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(res.hits[i].doc == docs[i], "%s rank %zu: d%u, expected d%u", t, i,
                      res.hits[i].doc, docs[i]);
        ck_assert_msg(fabs(res.hits[i].score - scores[i]) < 1e-12, "%s rank %zu: %.12f vs %.12f",
                      t, i, res.hits[i].score, scores[i]);
    }
    oracle_result_free(&res);
    oracle_q_free(q);
}

static oracle_q *one(oracle_q *leaf, int occur)
{
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, leaf, occur);
    return q;
}

/*
 * d0 title "cat dog" body "fish cat"; d1 body "dog dog"; d2 empty; d3 body "dog dog dog dog".
 * N = 4; avglen all 10/4, title 2/4, body 8/4; body positions start after a one-position gap.
 */
START_TEST(oracle_scores_by_hand)
{
    ls_oracle *o = ls_oracle_new("english");
    ls_oracle_add(o, "cat dog", 7, "fish cat", 8);
    ls_oracle_add(o, NULL, 0, "dog dog", 7);
    ls_oracle_add(o, NULL, 0, NULL, 0);
    ls_oracle_add(o, "", 0, "dog dog dog dog", 15);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 0, ORACLE_FIELD_ALL), 4);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 0, ORACLE_FIELD_TITLE), 2);
    ck_assert_uint_eq(ls_oracle_doc_len(o, 3, ORACLE_FIELD_BODY), 4);
    double cat = hand_bm25(hand_idf(4, 1), 2, 4, 2.5, 1.2, 0.75);
    double dog_all = hand_idf(4, 3);
    uint32_t d[3];
    double s[3];

    d[0] = 0, s[0] = cat;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cats"), ORACLE_SHOULD), 1.2, d, s, 1);
    /* "dog fish" spans the title/body gap: no match; "cat dog" is in the title */
    expect_hits(o, one(ls_oracle_phrase(o, ORACLE_FIELD_ALL, "dog fish"), ORACLE_SHOULD), 1.2, d,
                s, 0);
    s[0] = hand_bm25(hand_idf(4, 1) + dog_all, 1, 4, 2.5, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat-dog"), ORACLE_MUST), 1.2, d, s,
                1);
    /* body:"dog dog dog": two start positions in d3, none in d1 */
    d[0] = 3, s[0] = hand_bm25(3 * hand_idf(4, 2), 2, 4, 2, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_phrase(o, ORACLE_FIELD_BODY, "dog dog dog"), ORACLE_SHOULD),
                1.2, d, s, 1);
    d[0] = 0, s[0] = hand_bm25(hand_idf(4, 1), 1, 2, 0.5, 1.2, 0.75);
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_TITLE, "Dog"), ORACLE_SHOULD), 1.2, d, s,
                1);
    /* purely negative: every other document, score 0, in document order */
    d[0] = 1, d[1] = 2, d[2] = 3, s[0] = s[1] = s[2] = 0;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_NOT), 1.2, d, s, 3);
    expect_hits(o, oracle_q_bool(), 1.2, d, s, 0);
    /* k1 = 0: every match scores idf, ties in document order */
    d[0] = 0, d[1] = 1, d[2] = 3, s[0] = s[1] = s[2] = dog_all;
    expect_hits(o, one(ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD), 0.0, d, s, 3);
    /* SHOULD dog, SHOULD cat: d0 (both), d3 (tf 4), d1 (tf 2, short) */
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_SHOULD);
    double d0 = cat + hand_bm25(dog_all, 1, 4, 2.5, 1.2, 0.75);
    double d1 = hand_bm25(dog_all, 2, 2, 2.5, 1.2, 0.75);
    double d3 = hand_bm25(dog_all, 4, 4, 2.5, 1.2, 0.75);
    ck_assert(d0 > d3 && d3 > d1);
    d[0] = 0, d[1] = 3, d[2] = 1, s[0] = d0, s[1] = d3, s[2] = d1;
    expect_hits(o, q, 1.2, d, s, 3);
    /* MUST cat, SHOULD dog: only d0, both scores */
    q = one(ls_oracle_word(o, ORACLE_FIELD_ALL, "cat"), ORACLE_MUST);
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "dog"), ORACLE_SHOULD);
    d[0] = 0, s[0] = d0;
    expect_hits(o, q, 1.2, d, s, 1);
    expect_hits(o, ls_oracle_plain(o, "Cat, dog!", 1), 1.2, d, s, 1);
    ls_oracle_free(o);
}
END_TEST

/* declared for -Wmissing-prototypes; the runner's table comes from the definition below */
extern Suite *ls_suite_oracle(void);

Suite *ls_suite_oracle(void)
{
    Suite *s = suite_create("oracle");
    int timeout = ls_test_long() ? 900 : 60;

    TCase *self = tcase_create("oracle_itself");
    tcase_add_test(self, oracle_scores_by_hand);
    suite_add_tcase(s, self);

    TCase *tc = tcase_create("random_corpus");
    tcase_add_unchecked_fixture(tc, setup_big, teardown_big);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, oracle_corpus_is_indexed);
    tcase_add_test(tc, oracle_fixed_queries);
    tcase_add_test(tc, oracle_single_terms);
    tcase_add_test(tc, oracle_or_terms);
    tcase_add_test(tc, oracle_and_terms);
    tcase_add_test(tc, oracle_not_terms);
    tcase_add_test(tc, oracle_required_terms);
    tcase_add_test(tc, oracle_phrases);
    tcase_add_test(tc, oracle_field_terms);
    tcase_add_test(tc, oracle_mixed_parentheses);
    tcase_add_test(tc, oracle_plain_syntax);
    tcase_add_loop_test(tc, oracle_bm25_parameters, 0, (int)(sizeof k1b / sizeof k1b[0]));
    tcase_add_test(tc, oracle_paging_tiles_ranking);
    suite_add_tcase(s, tc);

    tc = tcase_create("small_corpus");
    tcase_add_unchecked_fixture(tc, setup_small, teardown_small);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, oracle_small_corpus_ties);
    suite_add_tcase(s, tc);
    return s;
}
