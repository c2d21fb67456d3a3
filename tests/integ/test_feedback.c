/* SPDX-License-Identifier: MIT */
/*
 * test_feedback.c - RM3 pseudo-relevance feedback (query/feedback.c) against the naive RM3
 * oracle (tests/oracle_rm3.c): random corpora in several segments, random queries of every kind
 * under default and random feedback settings, compared by total, ids, order and scores (1e-6
 * relative); a hand-made corpus whose expansion terms and weights are worked out by hand and
 * read back through explain; feedback off; option validation and version-1 option structs.
 * Cases whose outcome hangs on a floating-point near tie are skipped and counted (oracle_rm3.h).
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "libsearch.h"
#include "oracle_rm3.h"
#include "testutil.h"

#define SCORE_REL 1e-6
#define QMAX 512
#define WMAX 64
#define MAX_REPORTED 5

/* ---- random corpus -------------------------------------------------------------------- */

typedef struct fb_doc {
    uint16_t *title, *body; /* vocabulary indices */
    uint32_t n_title, n_body;
} fb_doc;

typedef struct fb_corpus {
    char **vocab; /* Zipf rank = index */
    ls_zipf zipf;     /* word ranks */
    size_t n_vocab;
    fb_doc *docs;
    size_t n_docs;
    char *dir;
    ls_reader *reader;
    ls_rm3_oracle *rm;
} fb_corpus;

static fb_corpus g_rand;

static void vocab_add(fb_corpus *c, const char *w)
{
    for (size_t i = 0; i < c->n_vocab; i++)
        if (strcmp(c->vocab[i], w) == 0)
            return;
    c->vocab = realloc(c->vocab, (c->n_vocab + 1) * sizeof *c->vocab);
    ck_assert_ptr_nonnull(c->vocab);
    c->vocab[c->n_vocab] = strdup(w);
    ck_assert_ptr_nonnull(c->vocab[c->n_vocab]);
    c->n_vocab++;
}

/* Words placed at chosen Zipf ranks: stop words frequent and rare (only the stop flag keeps the
 * rare ones out), "its" and "being" (not stop words, but stemmed to the stop words "it" and
 * "be"), one-byte words and a two-byte word. */
static const struct {
    size_t rank;
    const char *word;
} placed[] = {
    {0, "the"},   {1, "of"},       {2, "and"},   {25, "x"},     {40, "it"},
    {70, "7"},    {90, "such"},    {110, "its"}, {130, "ox"},   {160, "these"},
    {200, "q"},   {220, "being"},  {260, "be"},  {300, "with"},
};

/* A pronounceable word of 1-3 syllables, sometimes with an inflection the stemmer removes. */
static void make_word(ls_rng *r, char *out)
{
    static const char cons[] = "bdfgklmnprstvz", vow[] = "aeiou";
    static const char *const suffix[] = {"", "", "", "", "s", "ing", "ed"};
    size_t n = 0, syl = 1 + ls_rng_below(r, 3);
    for (size_t i = 0; i < syl; i++) {
        out[n++] = cons[ls_rng_below(r, sizeof cons - 1)];
        out[n++] = vow[ls_rng_below(r, sizeof vow - 1)];
    }
    out[n++] = cons[ls_rng_below(r, sizeof cons - 1)];
    out[n] = '\0';
    strcat(out, suffix[ls_rng_below(r, 7)]);
}

static void build_vocab(fb_corpus *c, ls_rng *r, size_t size)
{
    size_t next = 0;
    for (size_t rank = 0; rank < size; rank++) {
        char w[WMAX];
        if (next < sizeof placed / sizeof placed[0] && placed[next].rank == rank) {
            vocab_add(c, placed[next++].word);
            continue;
        }
        size_t before = c->n_vocab;
        while (c->n_vocab == before) {
            make_word(r, w);
            if (strlen(w) >= 3 && !ls_stopword_is(w, strlen(w)))
                vocab_add(c, w);
        }
    }
    for (int i = 0; i < 4; i++) { /* compounds of mid-frequency words, deep in the tail */
        char w[2 * WMAX + 2];
        snprintf(w, sizeof w, "%s-%s", c->vocab[30 + ls_rng_below(r, 200)],
                 c->vocab[30 + ls_rng_below(r, 200)]);
        vocab_add(c, w);
    }
    ls_zipf_init(&c->zipf, c->n_vocab);
}

/* Words as text: some Capitalised or possessive, separated by spaces and punctuation. */
static char *render(const fb_corpus *c, ls_rng *r, const uint16_t *w, uint32_t n, size_t *len)
{
    size_t cap = (size_t)n * (2 * WMAX + 8) + 1, l = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        char word[2 * WMAX + 8];
        uint32_t dice = ls_rng_below(r, 100);
        snprintf(word, sizeof word, "%s", c->vocab[w[i]]);
        if (dice < 10 && word[0] >= 'a' && word[0] <= 'z')
            word[0] = (char)(word[0] - 32);
        else if (dice < 12 && strchr(word, '-') == NULL)
            strcat(word, "'s");
        if (i > 0)
            ls_test_str_append(buf, cap, &l, dice % 9 == 0 ? ", " : dice % 13 == 0 ? ". " : " ");
        ls_test_str_append(buf, cap, &l, word);
    }
    *len = l;
    return buf;
}

static uint16_t *random_words(const fb_corpus *c, ls_rng *r, uint32_t n)
{
    uint16_t *w = malloc((n ? n : 1) * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (uint32_t i = 0; i < n; i++)
        w[i] = (uint16_t)ls_zipf_pick(&c->zipf, r);
    return w;
}

static void add_random_doc(fb_corpus *c, ls_writer *wr, ls_rng *r, size_t i)
{
    fb_doc *d = &c->docs[i];
    uint32_t dice = ls_rng_below(r, 100);
    d->n_title = dice < 3 ? 0 : ls_rng_below(r, 7);
    d->n_body = dice < 3 ? 0 : dice < 10 ? ls_rng_below(r, 6) : 5 + ls_rng_below(r, 56);
    d->title = random_words(c, r, d->n_title);
    d->body = random_words(c, r, d->n_body);
    size_t tl, bl;
    char *title = render(c, r, d->title, d->n_title, &tl);
    char *body = render(c, r, d->body, d->n_body, &bl);
    char id[32];
    snprintf(id, sizeof id, "d%zu", i);
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = strlen(id);
    doc.title = tl == 0 && (i & 1) ? NULL : title;
    doc.title_len = tl;
    doc.body = bl == 0 && (i & 2) ? NULL : body;
    doc.body_len = bl;
    ls_error err;
    int rc = ls_writer_add(wr, &doc, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add(%s): %d %s", id, rc, err.message);
    ck_assert_uint_eq(ls_rm3_oracle_add(c->rm, doc.title, tl, doc.body, bl), i);
    free(title);
    free(body);
}

static void open_reader(fb_corpus *c)
{
    ls_error err;
    int rc = ls_reader_open(c->dir, &c->reader, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
}

static void setup_random(void)
{
    fb_corpus *c = &g_rand;
    ls_rng r;
    ls_error err;
    memset(c, 0, sizeof *c);
    ls_rng_init(&r, 0xFEED);
    c->rm = ls_rm3_oracle_new();
    build_vocab(c, &r, 600);
    c->n_docs = ls_test_long() ? 1200 : 400;
    c->docs = calloc(c->n_docs, sizeof *c->docs);
    ck_assert_ptr_nonnull(c->docs);
    c->dir = ls_test_tmpdir();
    ls_writer *wr = NULL;
    int rc = ls_writer_open(c->dir, NULL, &wr, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = 0; i < c->n_docs; i++) {
        add_random_doc(c, wr, &r, i);
        if ((i + 1) % (c->n_docs / 4) == 0 || i + 1 == c->n_docs) {
            rc = ls_writer_commit(wr, &err);
            ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
        }
    }
    ls_writer_close(wr);
    open_reader(c);
}

static void corpus_free(fb_corpus *c)
{
    ls_reader_close(c->reader);
    ls_rm3_oracle_free(c->rm);
    for (size_t i = 0; c->docs != NULL && i < c->n_docs; i++) {
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

static void teardown_random(void) { corpus_free(&g_rand); }

/* ---- random queries ------------------------------------------------------------------- */

/* One query: its text, its syntax and the oracle tree meaning the same. */
typedef struct qcase {
    char text[QMAX];
    size_t len;
    oracle_q *tree;
    int syntax, default_and;
} qcase;

static void qc_init(qcase *q, int syntax, int default_and)
{
    memset(q, 0, sizeof *q);
    q->tree = oracle_q_bool();
    q->syntax = syntax;
    q->default_and = default_and;
}

static void qc_put(qcase *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->text + q->len, QMAX - q->len, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && q->len + (size_t)n < QMAX, "query text too long");
    q->len += (size_t)n;
}

/* The separator before the next clause: none at the start or just after "(". */
static const char *sep(const qcase *q)
{
    return q->len == 0 || q->text[q->len - 1] == '(' ? "" : " ";
}

/* A word from some document (so it matches), or by Zipf rank, or uniformly. */
static const char *pick_word(const fb_corpus *c, ls_rng *r, char *buf)
{
    uint32_t how = ls_rng_below(r, 4);
    size_t i;
    if (how < 2) {
        const fb_doc *d;
        do
            d = &c->docs[ls_rng_below(r, (uint32_t)c->n_docs)];
        while (d->n_title + d->n_body == 0);
        uint32_t k = ls_rng_below(r, d->n_title + d->n_body);
        i = k < d->n_title ? d->title[k] : d->body[k - d->n_title];
    } else {
        i = how == 2 ? ls_zipf_pick(&c->zipf, r) : ls_rng_below(r, (uint32_t)c->n_vocab);
    }
    snprintf(buf, WMAX * 2 + 2, "%s", c->vocab[i]);
    if (ls_rng_below(r, 8) == 0 && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 32);
    return buf;
}

/* n consecutive words of a random document's title (field TITLE) or body (else). */
static int doc_phrase(const fb_corpus *c, ls_rng *r, int field, uint32_t n, char *out,
                      size_t cap)
{
    for (int tries = 0; tries < 200; tries++) {
        const fb_doc *d = &c->docs[ls_rng_below(r, (uint32_t)c->n_docs)];
        int title = field == ORACLE_FIELD_TITLE;
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

static void put_word(const fb_corpus *c, qcase *q, oracle_q *parent, const char *op, int occur,
                     int field, const char *w)
{
    static const char *const prefix[] = {"", "title:", "body:"};
    qc_put(q, "%s%s%s%s", sep(q), op, prefix[field], w);
    oracle_q_add(parent,
                 ls_oracle_bare_word(ls_oracle_word(ls_rm3_oracle_bm25(c->rm), field, w), op,
                                    field, w),
                 occur);
}

static void put_phrase(const fb_corpus *c, qcase *q, oracle_q *parent, const char *op,
                       int occur, int field, const char *words)
{
    static const char *const prefix[] = {"", "title:", "body:"};
    qc_put(q, "%s%s%s\"%s\"", sep(q), op, prefix[field], words);
    oracle_q_add(parent, ls_oracle_phrase(ls_rm3_oracle_bm25(c->rm), field, words), occur);
}

static int random_syntax(ls_rng *r)
{
    return ls_rng_below(r, 3) == 0 ? LS_SYNTAX_LENIENT : LS_SYNTAX_STRICT;
}

/* One word, under default OR or AND (the engine parses the latter as BOOL(+a): still a bag). */
static void gen_term(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char w[2 * WMAX + 2];
    qc_init(q, random_syntax(r), (int)ls_rng_below(r, 2));
    put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
}

/* Two to four words ORed: implicitly, with OR, or under the lenient syntax with a dangling
 * OR (read as the word "or"). */
static void gen_or(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char w[2 * WMAX + 2];
    uint32_t form = ls_rng_below(r, 3), n = 2 + ls_rng_below(r, 3);
    qc_init(q, form == 2 ? LS_SYNTAX_LENIENT : random_syntax(r),
            form == 1 ? (int)ls_rng_below(r, 2) : 0);
    for (uint32_t i = 0; i < n; i++)
        put_word(c, q, q->tree, i > 0 && form == 1 ? "OR " : "", ORACLE_SHOULD,
                 ORACLE_FIELD_ALL, pick_word(c, r, w));
    if (form == 2)
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, "OR");
}

/* LS_SYNTAX_PLAIN: words among characters that mean nothing there; stop words dropped. */
static void gen_plain(const fb_corpus *c, ls_rng *r, qcase *q)
{
    static const char *const seps[] = {" ", " ", ", ", " -", " +", " (", ") ", ":"};
    char w[2 * WMAX + 2];
    uint32_t n = 1 + ls_rng_below(r, 4);
    qc_init(q, LS_SYNTAX_PLAIN, ls_rng_below(r, 4) == 0);
    for (uint32_t i = 0; i < n; i++) {
        const char *word = ls_rng_below(r, 6) == 0 ? "the" : pick_word(c, r, w);
        qc_put(q, "%s%s", i ? seps[ls_rng_below(r, sizeof seps / sizeof seps[0])] : "", word);
    }
    oracle_q_free(q->tree);
    q->tree = ls_oracle_plain(ls_rm3_oracle_bm25(c->rm), q->text, q->default_and);
}

/* "+a +b", "a AND b", or "a b" under default AND. */
static void gen_and(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char w[2 * WMAX + 2];
    uint32_t form = ls_rng_below(r, 3), n = 2 + ls_rng_below(r, 2);
    qc_init(q, random_syntax(r), form == 2);
    for (uint32_t i = 0; i < n; i++) {
        const char *op = form == 0 ? "+" : form == 1 && i > 0 ? "AND " : "";
        /* Zipf picks: two random document words rarely meet */
        size_t k = ls_zipf_pick(&c->zipf, r);
        snprintf(w, sizeof w, "%s", c->vocab[k < 3 ? 3 + k : k]);
        if (ls_rng_below(r, 3) == 0)
            pick_word(c, r, w);
        put_word(c, q, q->tree, op, ORACLE_MUST, ORACLE_FIELD_ALL, w);
    }
}

/* "a b -c", "a NOT c", "a AND NOT c", only "-c" (every other document, all scores 0), or
 * "a OR (-c)" (documents without a score 0: feedback documents of no weight). */
static void gen_not(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char w[2 * WMAX + 2];
    uint32_t form = ls_rng_below(r, 5);
    qc_init(q, random_syntax(r), form == 2 ? (int)ls_rng_below(r, 2) : 0);
    if (form == 0) {
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
        put_word(c, q, q->tree, "-", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else if (form == 1) {
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
        put_word(c, q, q->tree, "NOT ", ORACLE_NOT, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else if (form == 2) {
        put_word(c, q, q->tree, "", ORACLE_MUST, ORACLE_FIELD_ALL, pick_word(c, r, w));
        put_word(c, q, q->tree, "AND NOT ", ORACLE_NOT, ORACLE_FIELD_ALL,
                 c->vocab[ls_zipf_pick(&c->zipf, r)]);
    } else if (form == 3) {
        put_word(c, q, q->tree, "-", ORACLE_NOT, ORACLE_FIELD_ALL, c->vocab[ls_zipf_pick(&c->zipf, r)]);
    } else {
        oracle_q *sub = oracle_q_bool();
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
        qc_put(q, " OR (");
        put_word(c, q, sub, "-", ORACLE_NOT, ORACLE_FIELD_ALL, c->vocab[ls_zipf_pick(&c->zipf, r)]);
        qc_put(q, ")");
        oracle_q_add(q->tree, sub, ORACLE_SHOULD);
    }
}

/* A phrase from a document, a phrase and a word, a compound word, or +phrase with a word. */
static void gen_phrase(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * WMAX + 8], w[2 * WMAX + 2];
    uint32_t form = ls_rng_below(r, 4);
    qc_init(q, random_syntax(r), (int)ls_rng_below(r, 2));
    int occur = q->default_and ? ORACLE_MUST : ORACLE_SHOULD;
    if (form <= 1 && doc_phrase(c, r, ORACLE_FIELD_BODY, 2 + ls_rng_below(r, 2), p, sizeof p)) {
        put_phrase(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, p);
        if (form == 1)
            put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else if (form == 2) {
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL,
                 c->vocab[c->n_vocab - 1 - ls_rng_below(r, 4)]);
    } else if (doc_phrase(c, r, ORACLE_FIELD_BODY, 2, p, sizeof p)) {
        q->default_and = 0;
        put_phrase(c, q, q->tree, "+", ORACLE_MUST, ORACLE_FIELD_ALL, p);
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else {
        put_word(c, q, q->tree, "", occur, ORACLE_FIELD_ALL, pick_word(c, r, w));
    }
}

/* title:/body: words and phrases, alone or with other clauses. */
static void gen_field(const fb_corpus *c, ls_rng *r, qcase *q)
{
    char p[3 * WMAX + 8], w[2 * WMAX + 2];
    uint32_t form = ls_rng_below(r, 5);
    int f = ls_rng_below(r, 2) ? ORACLE_FIELD_TITLE : ORACLE_FIELD_BODY;
    qc_init(q, random_syntax(r), 0);
    if (form <= 1 && doc_phrase(c, r, f, 1, p, sizeof p)) {
        put_word(c, q, q->tree, "", ORACLE_SHOULD, f, p);
        if (form == 1)
            put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else if (form == 2 && doc_phrase(c, r, f, 2, p, sizeof p)) {
        put_phrase(c, q, q->tree, "", ORACLE_SHOULD, f, p);
    } else if (form == 3 && doc_phrase(c, r, f, 1, p, sizeof p)) {
        put_word(c, q, q->tree, "+", ORACLE_MUST, f, p);
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
    } else {
        put_word(c, q, q->tree, "", ORACLE_SHOULD, ORACLE_FIELD_ALL, pick_word(c, r, w));
        put_word(c, q, q->tree, "-", ORACLE_NOT, f, c->vocab[ls_zipf_pick(&c->zipf, r)]);
    }
}

typedef void (*gen_fn)(const fb_corpus *c, ls_rng *r, qcase *q);

/* ---- comparison ----------------------------------------------------------------------- */

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

typedef struct fb_setting {
    unsigned docs, terms;
    double weight;
    int widen;
} fb_setting;

static const fb_setting default_setting = {LS_FEEDBACK_DOCS_ON, LS_DEFAULT_FEEDBACK_TERMS,
                                           LS_DEFAULT_FEEDBACK_WEIGHT, 0};

/* Random settings, the edges (1 document, weights 0 and 1) often. */
static fb_setting random_setting(ls_rng *r)
{
    static const unsigned docs[] = {1, 1, 2, 3, 5, 10, 20, 60};
    static const unsigned terms[] = {1, 2, 3, 5, 10, 20, 40};
    static const double weights[] = {0.0, 1.0, 0.5, 0.2, 0.8};
    fb_setting s;
    s.docs = docs[ls_rng_below(r, sizeof docs / sizeof docs[0])];
    s.terms = terms[ls_rng_below(r, sizeof terms / sizeof terms[0])];
    uint32_t w = ls_rng_below(r, 7);
    s.weight = w < 5 ? weights[w] : ls_rng_unit(r);
    s.widen = (int)ls_rng_below(r, 2);
    return s;
}

/* Counts of a test's cases; the first mismatch is kept for the assertion message. */
typedef struct tally {
    int cases, compared, skipped, expanded, widened, grown, failures;
    char *first;
} tally;

static void tally_fail(tally *t, char *m)
{
    if (t->failures++ < MAX_REPORTED)
        fprintf(stderr, "feedback mismatch: %s\n", m);
    if (t->first == NULL)
        t->first = m;
    else
        free(m);
}

static void tally_assert(tally *t, const char *what, int need_expanded)
{
    if (getenv("LS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "feedback oracle, %s: %d cases, %d compared (%d expanded, %d widened, "
                "%d of them with more matches), %d skipped as near ties\n",
                what, t->cases, t->compared, t->expanded, t->widened, t->grown, t->skipped);
    ck_assert_msg(t->failures == 0, "%s: %d of %d cases differ from the oracle (seed %lu); "
                  "first: %s",
                  what, t->failures, t->cases, ls_test_seed(), t->first ? t->first : "");
    ck_assert_msg(t->compared * 10 >= t->cases * 9,
                  "%s: only %d of %d cases compared (%d near ties skipped)", what, t->compared,
                  t->cases, t->skipped);
    /* feedback must actually have changed most queries, or the comparison proves little */
    ck_assert_msg(!need_expanded || t->expanded * 2 >= t->compared,
                  "%s: only %d of %d compared cases were expanded", what, t->expanded,
                  t->compared);
    free(t->first);
}

static long hit_doc(const fb_corpus *c, const ls_hit *h)
{
    char *end;
    if (h == NULL || h->id == NULL || h->id[0] != 'd')
        return -1;
    unsigned long d = strtoul(h->id + 1, &end, 10);
    return *end == '\0' && d < c->n_docs ? (long)d : -1;
}

static int close_rel(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-300;
}

/* One engine page against the oracle's full ranking; NULL when they agree. */
static char *compare_page(const fb_corpus *c, const ls_hits *h, const oracle_result *want,
                          size_t limit, size_t offset)
{
    if (ls_hits_total(h) != want->n)
        return msgf("total %llu, oracle %zu", (unsigned long long)ls_hits_total(h), want->n);
    size_t expect = want->n > offset ? want->n - offset : 0;
    if (expect > limit)
        expect = limit;
    if (ls_hits_count(h) != expect)
        return msgf("%zu hits returned, expected %zu", ls_hits_count(h), expect);
    double *by_doc = malloc(c->n_docs * sizeof *by_doc);
    ck_assert_ptr_nonnull(by_doc);
    for (size_t i = 0; i < c->n_docs; i++)
        by_doc[i] = NAN;
    for (size_t i = 0; i < want->n; i++)
        by_doc[want->hits[i].doc] = want->hits[i].score;
    char *m = NULL;
    for (size_t i = 0; i < expect && m == NULL; i++) {
        const ls_hit *hit = ls_hits_get(h, i), *prev = i ? ls_hits_get(h, i - 1) : NULL;
        const oracle_hit *o = &want->hits[offset + i];
        long e = hit_doc(c, hit);
        double se = e >= 0 ? by_doc[e] : NAN;
        if (e < 0 || isnan(se))
            m = msgf("rank %zu: d%ld (%.17g) is not an oracle match; expected d%u (%.17g)",
                     offset + i, e, hit ? hit->score : NAN, o->doc, o->score);
        /* ranks may swap only between oracle scores equal to the last bits */
        else if ((uint32_t)e != o->doc && !close_rel(se, o->score, RM3_NEAR_TIE))
            m = msgf("rank %zu: expected d%u (%.17g), got d%ld (%.17g, oracle %.17g)",
                     offset + i, o->doc, o->score, e, hit->score, se);
        else if (!close_rel(hit->score, se, SCORE_REL))
            m = msgf("rank %zu: d%ld scores %.17g, oracle %.17g", offset + i, e, hit->score,
                     se);
        else if (prev != NULL && (hit->score > prev->score ||
                                  (hit->score == prev->score && e < hit_doc(c, prev))))
            m = msgf("rank %zu: d%ld (%.17g) out of order after d%ld (%.17g)", offset + i, e,
                     hit->score, hit_doc(c, prev), prev->score);
    }
    free(by_doc);
    return m;
}

static char *describe(const qcase *q, const fb_setting *s, const rm3_expansion *x)
{
    char tree[2 * QMAX];
    char terms[512];
    size_t l = 0;
    terms[0] = '\0';
    for (size_t i = 0; x != NULL && i < x->n_terms && l + 64 < sizeof terms; i++)
        l += (size_t)snprintf(terms + l, sizeof terms - l, " %s:%.6g", x->terms[i].term,
                              x->terms[i].p);
    oracle_q_format(x != NULL ? x->query : q->tree, tree, sizeof tree);
    return msgf("query '%s' (syntax %d, default_and %d) feedback docs %u terms %u weight %.17g "
                "widen %d (seed %lu): oracle %s, %zu feedback docs, terms [%s ], run as %s",
                q->text, q->syntax, q->default_and, s->docs, s->terms, s->weight, s->widen,
                ls_test_seed(), x == NULL ? "off" : x->expanded ? "expanded" : "unexpanded",
                x != NULL ? x->n_fb_docs : 0, terms, tree);
}

/* Runs one query with one setting through the engine and the oracle. */
static void run_case(const fb_corpus *c, ls_rng *r, const qcase *q, const fb_setting *s,
                     double k1, double b, tally *t)
{
    /* title weighting off or at its default, in both passes */
    double tw = ls_rng_below(r, 2) ? LS_DEFAULT_TITLE_WEIGHT : 0;
    rm3_params p = {s->docs, s->terms, s->weight, s->widen, tw};
    rm3_expansion x;
    oracle_result want;
    memset(&x, 0, sizeof x);
    if (s->docs == 0) {
        oracle_q *plain = oracle_q_clone(q->tree);
        ls_oracle_search_titled(ls_rm3_oracle_bm25(c->rm), plain, k1, b, tw, &want);
        oracle_q_free(plain);
    } else {
        ls_rm3_search(c->rm, q->tree, k1, b, &p, &x, &want);
    }
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.syntax = q->syntax;
    so.default_and = q->default_and;
    so.k1 = k1;
    so.b = b;
    so.title_weight = tw;
    so.snippets = 0;
    uint32_t dice = ls_rng_below(r, 20);
    so.limit = dice == 0 ? 0 : dice < 15 ? 20 : 60;
    so.offset = ls_rng_below(r, 5) == 0 ? 1 + ls_rng_below(r, 10) : 0;
    so.feedback_docs = s->docs;
    so.feedback_terms = s->terms;
    so.feedback_weight = s->weight;
    so.feedback_widen = s->widen;
    ls_hits *h = NULL;
    ls_error err;
    memset(&err, 0, sizeof err);
    int rc = ls_search(c->reader, q->text, q->len, &so, &h, &err);
    t->cases++;
    char *m = NULL;
    if (rc != LS_OK) {
        m = msgf("ls_search: %d %s", rc, err.message);
    } else if (x.ambiguous) {
        t->skipped++;
        if (getenv("LS_TEST_VERBOSE") != NULL)
            fprintf(stderr, "skipped '%s': %s\n", q->text, x.why);
    } else {
        t->compared++;
        t->expanded += x.expanded;
        t->widened += x.widened;
        t->grown += x.widened && want.n > x.n_matches;
        m = compare_page(c, h, &want, so.limit, so.offset);
    }
    if (m != NULL) {
        char *d = describe(q, s, s->docs ? &x : NULL);
        tally_fail(t, msgf("%s: %s", d, m));
        free(d);
        free(m);
    }
    ls_hits_free(h);
    oracle_result_free(&want);
    rm3_expansion_free(&x);
}

/* A query from gen, its oracle tree read as the engine reads it (bare stop words dropped in
 * strict and lenient syntax). */
static void gen_case(gen_fn gen, ls_rng *r, qcase *q)
{
    gen(&g_rand, r, q);
    if (q->syntax != LS_SYNTAX_PLAIN)
        ls_oracle_drop_stop(q->tree);
}

/* n queries from gen, each run with the default setting and two random ones (one of the n in
 * five also with feedback off, which must be plain BM25). */
static void run_queries(ls_rng *r, int n, gen_fn gen, double k1, double b, tally *t)
{
    for (int i = 0; i < (ls_test_long() ? 4 * n : n); i++) {
        qcase q;
        gen_case(gen, r, &q);
        run_case(&g_rand, r, &q, &default_setting, k1, b, t);
        for (int k = 0; k < 2; k++) {
            fb_setting s = random_setting(r);
            run_case(&g_rand, r, &q, &s, k1, b, t);
        }
        if (i % 5 == 0) {
            fb_setting off = {0, 0, 0.0, 0};
            run_case(&g_rand, r, &q, &off, k1, b, t);
        }
        oracle_q_free(q.tree);
    }
}

static void random_test(uint64_t stream, int n, gen_fn gen, const char *what, int need_expanded)
{
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, stream);
    run_queries(&r, n, gen, LS_DEFAULT_K1, LS_DEFAULT_B, &t);
    tally_assert(&t, what, need_expanded);
}

/* ---- random tests --------------------------------------------------------------------- */

START_TEST(feedback_random_corpus_shape)
{
    fb_corpus *c = &g_rand;
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ls_error err;
    ck_assert_int_eq(ls_reader_stats(c->reader, &st, &err), LS_OK);
    ck_assert_uint_eq(st.documents, c->n_docs);
    ck_assert_msg(st.segments >= 2, "only %u segment(s)", st.segments);
    /* many terms are evidence (df <= 10%), the head is not, and the rare stop words and the
     * one-byte words are kept out by their own rules, not by their df */
    size_t kept = 0, limit = c->n_docs / 10;
    for (size_t i = 0; i < c->n_vocab; i++)
        kept += ls_rm3_oracle_df(c->rm, c->vocab[i]) <= limit;
    ck_assert_msg(kept * 2 > c->n_vocab, "only %zu of %zu words have df <= 10%%", kept,
                  c->n_vocab);
    ck_assert_uint_gt(ls_rm3_oracle_df(c->rm, "the"), limit);
    ck_assert_uint_gt(ls_rm3_oracle_df(c->rm, "such"), 0);
    ck_assert_uint_le(ls_rm3_oracle_df(c->rm, "such"), limit);
    ck_assert_uint_gt(ls_rm3_oracle_df(c->rm, "q"), 0);
    ck_assert_uint_le(ls_rm3_oracle_df(c->rm, "q"), limit);
}
END_TEST

START_TEST(feedback_random_single_terms)
{
    random_test(201, 100, gen_term, "single terms", 1);
}
END_TEST

START_TEST(feedback_random_or_terms)
{
    random_test(202, 100, gen_or, "OR of terms", 1);
}
END_TEST

START_TEST(feedback_random_plain_syntax)
{
    random_test(203, 80, gen_plain, "plain syntax", 1);
}
END_TEST

START_TEST(feedback_random_and_terms)
{
    random_test(204, 80, gen_and, "AND of terms", 0);
}
END_TEST

START_TEST(feedback_random_not_terms)
{
    random_test(205, 80, gen_not, "NOT / -term", 0);
}
END_TEST

START_TEST(feedback_random_phrases)
{
    random_test(206, 80, gen_phrase, "phrases", 1);
}
END_TEST

START_TEST(feedback_random_fields)
{
    random_test(207, 80, gen_field, "title:/body: fields", 1);
}
END_TEST

/* Bags of words with widen on: expansion terms bring in documents the query does not match. */
START_TEST(feedback_random_widen_bags)
{
    static const gen_fn gens[] = {gen_term, gen_or, gen_plain};
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, 208);
    for (int i = 0; i < (ls_test_long() ? 320 : 80); i++) {
        qcase q;
        gen_case(gens[i % 3], &r, &q);
        fb_setting s = random_setting(&r);
        s.widen = 1;
        run_case(&g_rand, &r, &q, &s, LS_DEFAULT_K1, LS_DEFAULT_B, &t);
        s.weight = 0.5;
        run_case(&g_rand, &r, &q, &s, LS_DEFAULT_K1, LS_DEFAULT_B, &t);
        oracle_q_free(q.tree);
    }
    ck_assert_msg(t.widened * 2 >= t.compared, "only %d of %d cases were widened", t.widened,
                  t.compared);
    ck_assert_msg(t.grown * 4 >= t.widened, "only %d of %d widened cases matched more documents",
                  t.grown, t.widened);
    tally_assert(&t, "widened bags", 1);
}
END_TEST

/* Other BM25 parameters: the first pass and both halves of the expanded query use them. */
START_TEST(feedback_random_bm25_parameters)
{
    static const gen_fn gens[] = {gen_term, gen_or, gen_phrase, gen_field};
    ls_rng r;
    tally t = {0};
    ls_rng_init(&r, 209);
    for (int i = 0; i < 8; i++)
        run_queries(&r, 6, gens[i % 4], i & 1 ? 1.2 : 0.6, i & 2 ? 0.75 : 0.3, &t);
    tally_assert(&t, "k1/b", 1);
}
END_TEST

/* ---- a hand-made corpus --------------------------------------------------------------- */

/*
 * 30 documents, N = 30: a term is evidence when its df <= 3 (0.1 * 30). "apple" (appl) is in
 * d0-d4 (df 5), "report" in 10 documents, "press" in 4: never expansion terms. "orchard",
 * "cider" and "recipe" (recip) are in exactly 3. The stop words "the" (d0, d1), "and" (d0) and
 * "it" (d0, d10) and the one-byte "x" and "7" are rare: only their own rules keep them out.
 * "its" in d0 is no stop word but stems to "it": that token counts, the stop word "it" does not.
 */
static const char *const hand_docs[][2] = {
    {"Apple orchard", "Apple cider, apple pie: its orchard and the ox. x 7 it report"},
    {"Cider press", "The apple press makes cider in autumn. Report"},
    {"Apple harvest", "Harvest time at our orchard; report"},
    {"Apples", "A fruit basket report"},
    {"", "City market sells apple juice, fresh bread daily. Report"},
    {"Weather report", "Rain over city today, wind"},
    {"Printing press", "Old press machines report"},
    {"Press release", "City news report"},
    {"Press freedom", "News weather report"},
    {"River boats", "Fish swim near boats"},
    {"Rainy day", "It rains; city weather news"},
    {"Honey bees", "Bees produce honey in hives"},
    {"Bee hive", "Wax from hives"},
    {"City news", "Weather news today"},
    {"Fishing", "Fish market news"},
    {"Bread", "Fresh bread recipes"},
    {"Daily news", "City weather report"},
    {"Boat race", "River race today"},
    {"Market day", "Fresh fish, bread, honey"},
    {"Wind farm", "Wind power news"},
    {"Orchard tour", "Walk through orchard trails"},
    {"Cider recipes", "Cider with cinnamon"},
    {"Pear tree", "Pears grow slowly"},
    {"Plum jam", "Plum jam recipe"},
    {"Grape wine", "Wine cellar barrels"},
    {"Vineyard", "Grape vines grow"},
    {"Empty body", ""},
    {"", ""},
    {"Tea time", "Green tea"},
    {"Coffee", "Coffee beans roast"},
};

#define N_HAND (sizeof hand_docs / sizeof hand_docs[0])

static fb_corpus g_hand;

static void setup_hand(void)
{
    fb_corpus *c = &g_hand;
    ls_error err;
    memset(c, 0, sizeof *c);
    c->rm = ls_rm3_oracle_new();
    c->n_docs = N_HAND;
    c->dir = ls_test_tmpdir();
    ls_writer *wr = NULL;
    int rc = ls_writer_open(c->dir, NULL, &wr, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = 0; i < N_HAND; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%zu", i);
        ls_document doc = LS_DOCUMENT_INIT;
        doc.id = id;
        doc.id_len = strlen(id);
        doc.title = hand_docs[i][0];
        doc.title_len = strlen(hand_docs[i][0]);
        doc.body = hand_docs[i][1];
        doc.body_len = strlen(hand_docs[i][1]);
        ck_assert_int_eq(ls_writer_add(wr, &doc, &err), LS_OK);
        ls_rm3_oracle_add(c->rm, doc.title, doc.title_len, doc.body, doc.body_len);
        if (i % 10 == 9)
            ck_assert_int_eq(ls_writer_commit(wr, &err), LS_OK);
    }
    ls_writer_close(wr);
    open_reader(c);
}

static void teardown_hand(void) { corpus_free(&g_hand); }

static ls_search_options hand_options(const fb_setting *s)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = 100;
    so.snippets = 0;
    so.explain = 1;
    so.feedback_docs = s->docs;
    so.feedback_terms = s->terms;
    so.feedback_weight = s->weight;
    so.feedback_widen = s->widen;
    so.title_weight = 0; /* the hand figures are RM3's weights on BM25 alone */
    return so;
}

static ls_hits *hand_search(const char *q, const fb_setting *s)
{
    ls_search_options so = hand_options(s);
    ls_hits *h = NULL;
    ls_error err;
    int rc = ls_search(g_hand.reader, q, strlen(q), &so, &h, &err);
    ck_assert_msg(rc == LS_OK, "'%s': ls_search: %d %s", q, rc, err.message);
    return h;
}

static const ls_hit *hit_by_id(const ls_hits *h, const char *id)
{
    for (size_t i = 0; i < ls_hits_count(h); i++)
        if (strcmp(ls_hits_get(h, i)->id, id) == 0)
            return ls_hits_get(h, i);
    ck_abort_msg("%s is not a hit", id);
    return NULL;
}

typedef struct want_term {
    const char *term, *field;
    double weight;
} want_term;

static char *explain_text(const ls_explain *ex)
{
    char *s = msgf("%s", "");
    for (size_t i = 0; i < ex->n_terms; i++) {
        char *n = msgf("%s [%s:%s ^%.17g = %.6g]", s, ex->terms[i].field, ex->terms[i].term,
                       ex->terms[i].weight, ex->terms[i].score);
        free(s);
        s = n;
    }
    return s;
}

/* The hit's explanation lists exactly these terms, in this order, with these weights, and its
 * contributions add up to the hit's score. */
static void expect_explain(const ls_hit *hit, const want_term *w, size_t n, const char *what)
{
    const ls_explain *ex = hit->explain;
    ck_assert_ptr_nonnull(ex);
    char *got = explain_text(ex);
    int ok = ex->n_terms == n;
    double sum = 0;
    for (size_t i = 0; i < ex->n_terms; i++) {
        const ls_term_explain *e = &ex->terms[i];
        ok = ok && strcmp(e->term, w[i].term) == 0 && strcmp(e->field, w[i].field) == 0 &&
             fabs(e->weight - w[i].weight) <= 1e-12;
        sum += e->score;
    }
    ck_assert_msg(ok, "%s: %s explains%s", what, hit->id, got);
    ck_assert_msg(close_rel(sum, hit->score, 1e-9), "%s: %s scores %.17g, explained %.17g", what,
                  hit->id, hit->score, sum);
    free(got);
}

/* The oracle's expansion, against the same hand-computed terms and probabilities. */
static void expect_oracle_terms(const char *word, const fb_setting *s, const want_term *w,
                                size_t n, double alpha)
{
    ls_oracle *o = ls_rm3_oracle_bm25(g_hand.rm);
    oracle_q *q = oracle_q_bool();
    oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, word), ORACLE_SHOULD);
    rm3_params p = {s->docs, s->terms, s->weight, s->widen, 0}; /* as hand_options */
    rm3_expansion x;
    ls_rm3_expand(g_hand.rm, q, LS_DEFAULT_K1, LS_DEFAULT_B, &p, &x);
    ck_assert_msg(x.n_terms == n && !x.ambiguous, "oracle: %zu terms, expected %zu", x.n_terms,
                  n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(x.terms[i].term, w[i].term);
        ck_assert_msg(fabs((1 - alpha) * x.terms[i].p - w[i].weight) <= 1e-12,
                      "oracle: %s p %.17g", w[i].term, x.terms[i].p);
    }
    rm3_expansion_free(&x);
    oracle_q_free(q);
}

/* One feedback document: p(t) = tf(t, d0) / |d0| over d0's evidence terms, |d0| = 6 (orchard
 * 2; cider, it, ox, pie 1). Equal probabilities are ordered by the terms' bytes. */
START_TEST(feedback_hand_one_document)
{
    fb_setting off = {0, 0, 0, 0}, s = {1, 10, 0.5, 0};
    ls_hits *h = hand_search("apple", &off);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "d0"); /* tf 3: the first pass's best */
    ls_hits_free(h);

    h = hand_search("apple", &s);
    ck_assert_uint_eq(ls_hits_total(h), 5);
    static const want_term all[] = {{"appl", "all", 0.5},     {"orchard", "all", 0.5 / 3},
                                    {"cider", "all", 0.5 / 6}, {"it", "all", 0.5 / 6},
                                    {"ox", "all", 0.5 / 6},    {"pie", "all", 0.5 / 6}};
    expect_explain(hit_by_id(h, "d0"), all, 6, "1 doc, 10 terms");
    expect_oracle_terms("apple", &s, all + 1, 5, 0.5);
    ls_hits_free(h);

    /* three terms kept: orchard 2/6, then cider and it (1/6 each, before ox and pie),
     * renormalized to 1/2, 1/4, 1/4 */
    s.terms = 3;
    h = hand_search("apple", &s);
    static const want_term three[] = {{"appl", "all", 0.5},
                                      {"orchard", "all", 0.25},
                                      {"cider", "all", 0.125},
                                      {"it", "all", 0.125}};
    expect_explain(hit_by_id(h, "d0"), three, 4, "1 doc, 3 terms");
    expect_oracle_terms("apple", &s, three + 1, 3, 0.5);
    /* d2 holds orchard only of the expansion terms */
    static const want_term d2[] = {{"appl", "all", 0.5}, {"orchard", "all", 0.25}};
    expect_explain(hit_by_id(h, "d2"), d2, 2, "1 doc, 3 terms");
    ls_hits_free(h);
}
END_TEST

/* Two feedback documents for "cider": d21 (cider 2, recip 1, cinnamon 1: |d| = 4) and d1
 * (cider 2, make 1, autumn 1; press, appl, report too common: |d| = 4), weighted by their
 * first-pass scores. A term of both the query and the expansion is scored twice. */
START_TEST(feedback_hand_two_documents)
{
    fb_setting off = {0, 0, 0, 0}, s = {2, 10, 0.5, 0};
    ls_hits *h = hand_search("cider", &off);
    ck_assert_uint_eq(ls_hits_total(h), 3);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "d21");
    ck_assert_str_eq(ls_hits_get(h, 1)->id, "d1");
    double s21 = ls_hits_get(h, 0)->score, s1 = ls_hits_get(h, 1)->score;
    ck_assert(s21 > s1);
    ls_hits_free(h);
    double w21 = s21 / (s21 + s1), w1 = s1 / (s21 + s1);

    h = hand_search("cider", &s);
    ck_assert_uint_eq(ls_hits_total(h), 3);
    /* p: cider 1/2, cinnamon = recip = w21/4, autumn = make = w1/4 */
    const want_term d21[] = {{"cider", "all", 0.5},
                             {"cider", "all", 0.25},
                             {"cinnamon", "all", 0.5 * w21 / 4},
                             {"recip", "all", 0.5 * w21 / 4}};
    const want_term d1[] = {{"cider", "all", 0.5},
                            {"cider", "all", 0.25},
                            {"autumn", "all", 0.5 * w1 / 4},
                            {"make", "all", 0.5 * w1 / 4}};
    const want_term d0[] = {{"cider", "all", 0.5}, {"cider", "all", 0.25}};
    expect_explain(hit_by_id(h, "d21"), d21, 4, "2 docs");
    expect_explain(hit_by_id(h, "d1"), d1, 4, "2 docs");
    expect_explain(hit_by_id(h, "d0"), d0, 2, "2 docs");
    const want_term model[] = {{"cider", "all", 0.25},
                               {"cinnamon", "all", 0.5 * w21 / 4},
                               {"recip", "all", 0.5 * w21 / 4},
                               {"autumn", "all", 0.5 * w1 / 4},
                               {"make", "all", 0.5 * w1 / 4}};
    expect_oracle_terms("cider", &s, model, 5, 0.5);
    ls_hits_free(h);
}
END_TEST

/* Every term of every apple document that passes the filters, and nothing else: not the query
 * term (df 5), "report", "press", "city" (df > 3), the stop words, the one-byte words. The
 * weights of the expansion sum to 1 - alpha. */
START_TEST(feedback_hand_filters)
{
    static const char *const expect[] = {"autumn", "basket", "bread",  "cider",  "daili",
                                         "fresh",  "fruit",  "harvest", "it",    "juic",
                                         "make",   "market", "orchard", "our",   "ox",
                                         "pie",    "sell",   "time"};
    static const char *const never[] = {"the", "and", "a", "at", "in", "x", "7",
                                        "report", "press", "citi"};
    size_t n_expect = sizeof expect / sizeof expect[0];
    fb_setting s = {1000, 1000, 0.3, 0};
    ls_hits *h = hand_search("apple", &s);
    ck_assert_uint_eq(ls_hits_total(h), 5);
    double weight[sizeof expect / sizeof expect[0]];
    for (size_t k = 0; k < n_expect; k++)
        weight[k] = -1;
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_explain *ex = ls_hits_get(h, i)->explain;
        ck_assert_msg(ex->n_terms >= 1 && strcmp(ex->terms[0].term, "appl") == 0 &&
                          fabs(ex->terms[0].weight - 0.3) <= 1e-12,
                      "the query's own clause comes first");
        for (size_t j = 1; j < ex->n_terms; j++) {
            const ls_term_explain *e = &ex->terms[j];
            for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
                ck_assert_msg(strcmp(e->term, never[k]) != 0, "'%s' added", e->term);
            ck_assert_msg(strlen(e->term) >= 2 && e->df <= 3 && strcmp(e->field, "all") == 0,
                          "'%s' (df %g) added", e->term, e->df);
            ck_assert_msg((double)ls_rm3_oracle_df(g_hand.rm, e->term) == e->df,
                          "'%s': df %g, oracle %zu", e->term, e->df,
                          ls_rm3_oracle_df(g_hand.rm, e->term));
            size_t k = 0;
            while (k < n_expect && strcmp(expect[k], e->term) != 0)
                k++;
            ck_assert_msg(k < n_expect, "unexpected expansion term '%s'", e->term);
            ck_assert_msg(weight[k] < 0 || weight[k] == e->weight, "'%s' has two weights",
                          e->term);
            weight[k] = e->weight;
        }
    }
    double sum = 0;
    for (size_t k = 0; k < n_expect; k++) {
        ck_assert_msg(weight[k] > 0, "expansion term '%s' missing", expect[k]);
        sum += weight[k];
    }
    ck_assert_msg(fabs(sum - 0.7) <= 1e-12, "expansion weights sum to %.17g", sum);
    ls_hits_free(h);
}
END_TEST

/* widen = 0 never changes what matches; widen = 1 on a bag of words lets documents with only an
 * expansion term in (d10 by the stop word "it", which is still indexed; d20 orchard; d21
 * cider), and leaves structured queries alone. */
START_TEST(feedback_hand_widen)
{
    static const char *const queries[] = {"apple", "apple OR harvest", "apple -pie",
                                          "title:apple", "+apple +orchard", "\"apple cider\"",
                                          "apple AND NOT bread"};
    static const uint64_t plain_total[] = {5, 5, 4, 3, 2, 1, 4};
    fb_setting off = {0, 0, 0, 0}, on = {1, 10, 0.5, 0};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        for (int widen = 0; widen < 2; widen++) {
            ls_hits *h = hand_search(queries[i], &off);
            ck_assert_uint_eq(ls_hits_total(h), plain_total[i]);
            ls_hits_free(h);
            on.widen = widen;
            h = hand_search(queries[i], &on);
            if (widen && i < 2)
                ck_assert_msg(ls_hits_total(h) > plain_total[i], "'%s' not widened",
                              queries[i]);
            else
                ck_assert_msg(ls_hits_total(h) == plain_total[i], "'%s' (widen %d): %llu hits",
                              queries[i], widen, (unsigned long long)ls_hits_total(h));
            ls_hits_free(h);
        }
    }
    on.widen = 1;
    ls_hits *h = hand_search("apple", &on);
    ck_assert_uint_eq(ls_hits_total(h), 8);
    static const want_term d0[] = {{"appl", "all", 0.5},     {"orchard", "all", 0.5 / 3},
                                   {"cider", "all", 0.5 / 6}, {"it", "all", 0.5 / 6},
                                   {"ox", "all", 0.5 / 6},    {"pie", "all", 0.5 / 6}};
    static const want_term d10[] = {{"it", "all", 0.5 / 6}};
    static const want_term d20[] = {{"orchard", "all", 0.5 / 3}};
    static const want_term d21[] = {{"cider", "all", 0.5 / 6}};
    expect_explain(hit_by_id(h, "d0"), d0, 6, "widened");
    expect_explain(hit_by_id(h, "d10"), d10, 1, "widened");
    expect_explain(hit_by_id(h, "d20"), d20, 1, "widened");
    expect_explain(hit_by_id(h, "d21"), d21, 1, "widened");
    ls_hits_free(h);
    /* a query term that is also an expansion term is one clause of the bag, the weights added:
     * d20 (orchard 2; tour, walk, through, trail 1) gives p(orchard) = 1/3 */
    fb_setting both = {1, 10, 0.5, 1};
    h = hand_search("orchard", &both);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "d20");
    static const want_term d20_both[] = {{"orchard", "all", 0.5 + 0.5 / 3},
                                         {"through", "all", 0.5 / 6},
                                         {"tour", "all", 0.5 / 6},
                                         {"trail", "all", 0.5 / 6},
                                         {"walk", "all", 0.5 / 6}};
    expect_explain(ls_hits_get(h, 0), d20_both, 5, "query term in the bag");
    ls_hits_free(h);
    /* weight 1: expansion terms weigh nothing but still match */
    on.weight = 1;
    h = hand_search("apple", &on);
    ck_assert_uint_eq(ls_hits_total(h), 8);
    ck_assert(hit_by_id(h, "d20")->score == 0 && hit_by_id(h, "d10")->score == 0);
    ls_hits_free(h);
}
END_TEST

/* A lone word is a bag of one term whatever the default operator: "apple" under default AND
 * (parsed as BOOL(+appl)) must widen as it does under default OR. */
START_TEST(feedback_hand_widen_lone_word_and)
{
    fb_setting s = {1, 10, 0.5, 1};
    ls_search_options so = hand_options(&s);
    for (int default_and = 0; default_and < 2; default_and++) {
        for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_PLAIN; syntax++) {
            so.default_and = default_and;
            so.syntax = syntax;
            ls_hits *h = NULL;
            ls_error err;
            ck_assert_int_eq(ls_search(g_hand.reader, "apple", 5, &so, &h, &err), LS_OK);
            uint64_t total = ls_hits_total(h);
            ls_hits_free(h);
            ck_assert_msg(total == 8, "default_and %d, syntax %d: %llu hits, not 8", default_and,
                          syntax, (unsigned long long)total);
        }
    }
}
END_TEST

/* The query's scoring clauses share alpha: alpha / W each, W = 3 clauses here (the NOT clause
 * does not score); weights 0 and 1 at the ends. */
START_TEST(feedback_hand_query_weights)
{
    fb_setting s = {1, 2, 0.5, 0};
    ls_hits *h = hand_search("apple \"apple pie\" title:orchard -bread", &s);
    static const want_term d0[] = {{"appl", "all", 0.5 / 3},
                                   {"appl pie", "all", 0.5 / 3},
                                   {"orchard", "title", 0.5 / 3},
                                   {"orchard", "all", 0.5 * 2 / 3},
                                   {"cider", "all", 0.5 / 3}};
    expect_explain(hit_by_id(h, "d0"), d0, 5, "W = 3");
    ls_hits_free(h);

    fb_setting off = {0, 0, 0, 0}, one = {3, 10, 1.0, 0}, zero = {3, 10, 0.0, 0};
    ls_hits *plain = hand_search("apple", &off);
    h = hand_search("apple", &one);
    ck_assert_uint_eq(ls_hits_count(h), ls_hits_count(plain));
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        ck_assert_str_eq(ls_hits_get(h, i)->id, ls_hits_get(plain, i)->id);
        ck_assert(close_rel(ls_hits_get(h, i)->score, ls_hits_get(plain, i)->score, 1e-12));
    }
    ls_hits_free(h);
    h = hand_search("apple", &zero);
    ck_assert_uint_eq(ls_hits_total(h), 5);
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_explain *ex = ls_hits_get(h, i)->explain;
        ck_assert(strcmp(ex->terms[0].term, "appl") == 0 && ex->terms[0].weight == 0);
        ck_assert(ex->terms[0].score == 0);
    }
    ls_hits_free(h);
    ls_hits_free(plain);
}
END_TEST

/* feedback_docs = 0: plain BM25 exactly (the oracle without expansion; explanations list only
 * the query's terms); the defaults do expand. */
START_TEST(feedback_hand_off_is_plain)
{
    static const char *const queries[] = {"apple", "cider orchard", "title:apple", "-apple",
                                          "\"apple cider\" report"};
    ls_oracle *o = ls_rm3_oracle_bm25(g_hand.rm);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        oracle_q *q = oracle_q_bool();
        if (i == 0 || i == 1) {
            oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, i ? "cider" : "apple"),
                         ORACLE_SHOULD);
            if (i)
                oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "orchard"), ORACLE_SHOULD);
        } else if (i == 2) {
            oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_TITLE, "apple"), ORACLE_SHOULD);
        } else if (i == 3) {
            oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "apple"), ORACLE_NOT);
        } else {
            oracle_q_add(q, ls_oracle_phrase(o, ORACLE_FIELD_ALL, "apple cider"), ORACLE_SHOULD);
            oracle_q_add(q, ls_oracle_word(o, ORACLE_FIELD_ALL, "report"), ORACLE_SHOULD);
        }
        oracle_result want;
        ls_oracle_search_titled(o, q, LS_DEFAULT_K1, LS_DEFAULT_B, 0, &want);
        fb_setting off = {0, 7, 0.25, 1};
        ls_hits *h = hand_search(queries[i], &off);
        char *m = compare_page(&g_hand, h, &want, 100, 0);
        ck_assert_msg(m == NULL, "'%s': %s", queries[i], m);
        for (size_t k = 0; k < ls_hits_count(h); k++) {
            const ls_explain *ex = ls_hits_get(h, k)->explain;
            for (size_t j = 0; j < ex->n_terms; j++)
                ck_assert_msg(ex->terms[j].weight == 1.0, "'%s': %s has weight %g", queries[i],
                              ex->terms[j].term, ex->terms[j].weight);
        }
        ls_hits_free(h);
        oracle_result_free(&want);
        oracle_q_free(q);
    }
    ls_hits *plain = hand_search("apple", &(fb_setting){0, 0, 0, 0});
    ls_hits *on = hand_search("apple", &default_setting);
    ck_assert_msg(ls_hits_get(on, 0)->score != ls_hits_get(plain, 0)->score,
                  "the default settings did not expand");
    ls_hits_free(on);
    ls_hits_free(plain);
}
END_TEST

/* ---- options -------------------------------------------------------------------------- */

static int search_rc(const ls_search_options *so, ls_hits **h, ls_error *err)
{
    memset(err, 0, sizeof *err);
    *h = (ls_hits *)(uintptr_t)1; /* must be reset */
    return ls_search(g_hand.reader, "apple", 5, so, h, err);
}

START_TEST(feedback_options_invalid)
{
    static const fb_setting bad[] = {
        {1, 0, 0.5, 0},    {10, 0, 0.5, 1},   {1001, 10, 0.5, 0}, {UINT32_MAX, 10, 0.5, 0},
        {10, 1001, 0.5, 0}, {10, 10, 1.5, 0},  {10, 10, -0.01, 0}, {10, 10, NAN, 0},
        {10, 10, INFINITY, 0},
    };
    static const fb_setting good[] = {
        {1, 1, 0.0, 0}, {1000, 1000, 1.0, 0}, {10, 10, 0.5, 0}, {0, 10, 0.5, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ls_search_options so = hand_options(&bad[i]);
        ls_hits *h;
        ls_error err;
        int rc = search_rc(&so, &h, &err);
        ck_assert_msg(rc == LS_EINVAL && err.code == LS_EINVAL && h == NULL,
                      "docs %u terms %u weight %g: %d (%s)", bad[i].docs, bad[i].terms,
                      bad[i].weight, rc, err.message);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ls_search_options so = hand_options(&good[i]);
        ls_hits *h;
        ls_error err;
        int rc = search_rc(&so, &h, &err);
        ck_assert_msg(rc == LS_OK && ls_hits_total(h) == 5, "docs %u terms %u weight %g: %d %s",
                      good[i].docs, good[i].terms, good[i].weight, rc, err.message);
        ls_hits_free(h);
    }
    static const unsigned versions[] = {0, LS_SEARCH_OPTIONS_VERSION + 1};
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        so.version = versions[i];
        ls_hits *h;
        ls_error err;
        ck_assert_int_eq(search_rc(&so, &h, &err), LS_EINVAL);
        ck_assert_ptr_null(h);
    }
}
END_TEST

static void expect_same_hits(const ls_hits *a, const ls_hits *b, const char *what)
{
    ck_assert_msg(ls_hits_total(a) == ls_hits_total(b) && ls_hits_count(a) == ls_hits_count(b),
                  "%s: %zu/%llu hits against %zu/%llu", what, ls_hits_count(a),
                  (unsigned long long)ls_hits_total(a), ls_hits_count(b),
                  (unsigned long long)ls_hits_total(b));
    for (size_t i = 0; i < ls_hits_count(a); i++) {
        const ls_hit *x = ls_hits_get(a, i), *y = ls_hits_get(b, i);
        ck_assert_msg(strcmp(x->id, y->id) == 0 && x->score == y->score,
                      "%s: rank %zu: %s (%.17g) against %s (%.17g)", what, i, x->id, x->score,
                      y->id, y->score);
    }
}

/* A caller built against the version-1 header passes a struct that ends at `explain`: it is
 * read no further (ASan checks: it lives in a heap block of exactly that size) and the later
 * fields take their defaults (feedback off), as in an unchanged version-3 struct. */
START_TEST(feedback_options_version_1)
{
    static const char *const queries[] = {"apple", "cider OR orchard", "title:apple -pie"};
    size_t v1_size = offsetof(ls_search_options, feedback_docs);
    ls_search_options full = LS_SEARCH_OPTIONS_INIT;
    full.limit = 20;
    full.explain = 1;
    ls_search_options off = full;
    off.feedback_docs = 0;
    /* a full struct saying version 1: its later fields are garbage to be ignored */
    ls_search_options junk = full;
    junk.version = 1;
    junk.feedback_docs = 5000;
    junk.feedback_terms = 0;
    junk.feedback_weight = -3;
    junk.feedback_widen = 1;
    unsigned char *v1 = malloc(v1_size);
    ck_assert_ptr_nonnull(v1);
    memcpy(v1, &junk, v1_size);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *q = queries[i];
        ls_hits *h2 = NULL, *h1 = NULL, *hj = NULL, *hoff = NULL;
        ls_error err;
        ck_assert_int_eq(ls_search(g_hand.reader, q, strlen(q), &full, &h2, &err), LS_OK);
        ck_assert_int_eq(ls_search(g_hand.reader, q, strlen(q), (const ls_search_options *)v1,
                                   &h1, &err),
                         LS_OK);
        ck_assert_int_eq(ls_search(g_hand.reader, q, strlen(q), &junk, &hj, &err), LS_OK);
        ck_assert_int_eq(ls_search(g_hand.reader, q, strlen(q), &off, &hoff, &err), LS_OK);
        expect_same_hits(h1, h2, "version 1 (short struct)");
        expect_same_hits(hj, h2, "version 1 (later fields set)");
        /* the defaults leave feedback off: the junk feedback_docs was not read */
        expect_same_hits(h1, hoff, "version 1 (feedback off by default)");
        ls_hits_free(h2);
        ls_hits_free(h1);
        ls_hits_free(hj);
        ls_hits_free(hoff);
    }
    free(v1);
    /* NULL options are LS_SEARCH_OPTIONS_INIT */
    ls_search_options init = LS_SEARCH_OPTIONS_INIT;
    ls_hits *a = NULL, *b = NULL;
    ls_error err;
    ck_assert_int_eq(ls_search(g_hand.reader, "apple", 5, NULL, &a, &err), LS_OK);
    ck_assert_int_eq(ls_search(g_hand.reader, "apple", 5, &init, &b, &err), LS_OK);
    expect_same_hits(a, b, "NULL options");
    ls_hits_free(a);
    ls_hits_free(b);
}
END_TEST

/* declared for -Wmissing-prototypes; the runner's table comes from the definition below */
extern Suite *ls_suite_feedback(void);

Suite *ls_suite_feedback(void)
{
    Suite *s = suite_create("feedback");
    int timeout = ls_test_long() ? 900 : 60;

    TCase *tc = tcase_create("hand_corpus");
    tcase_add_unchecked_fixture(tc, setup_hand, teardown_hand);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, feedback_hand_one_document);
    tcase_add_test(tc, feedback_hand_two_documents);
    tcase_add_test(tc, feedback_hand_filters);
    tcase_add_test(tc, feedback_hand_widen);
    tcase_add_test(tc, feedback_hand_query_weights);
    tcase_add_test(tc, feedback_hand_widen_lone_word_and);
    tcase_add_test(tc, feedback_hand_off_is_plain);
    tcase_add_test(tc, feedback_options_invalid);
    tcase_add_test(tc, feedback_options_version_1);
    suite_add_tcase(s, tc);

    tc = tcase_create("random_corpus");
    tcase_add_unchecked_fixture(tc, setup_random, teardown_random);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, feedback_random_corpus_shape);
    tcase_add_test(tc, feedback_random_single_terms);
    tcase_add_test(tc, feedback_random_or_terms);
    tcase_add_test(tc, feedback_random_plain_syntax);
    tcase_add_test(tc, feedback_random_and_terms);
    tcase_add_test(tc, feedback_random_not_terms);
    tcase_add_test(tc, feedback_random_phrases);
    tcase_add_test(tc, feedback_random_fields);
    tcase_add_test(tc, feedback_random_widen_bags);
    tcase_add_test(tc, feedback_random_bm25_parameters);
    suite_add_tcase(s, tc);
    return s;
}
