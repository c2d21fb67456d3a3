/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query.c - fuzz target for query text: ls_search over a tiny index built once (in a
 * mkdtemp directory, removed at exit unless LS_FUZZ_KEEP_INDEX is set), and the lexer and
 * parser (query/lexer.h, parser.h) on the same text. Byte 0 picks the syntax (bits 0-1),
 * default AND (2), RM3 feedback (3) and widening (4), the limit (5-6) and an offset (7); the
 * rest is the query. Checks error codes, hits, snippets and explanations, the token stream and
 * tree, hit counts against a naive matcher over the documents' analyzed terms, and that
 * lenient syntax reads every valid strict query as strict does; the parse once more with an
 * allocation failing.
 */
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"

static void teardown(void);
/* A failed check still removes the index directory (unless LS_FUZZ_KEEP_INDEX). */
#define LS_FUZZ_ON_FAILURE() teardown()
#include "fuzz_target.h"
#include "libsearch.h"
#include "query/ast.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "util/alloc.h"

#define FUZZ_MAX_INPUT 4096
/* Longest phrase ls_search accepts (cur_phrase.c, planner.c). */
#ifdef LS_MAX_PHRASE_WORDS
#define PHRASE_LIMIT LS_MAX_PHRASE_WORDS
#else
#define PHRASE_LIMIT 64
#endif

/* A handful of words repeated across documents, so that terms, phrases (including stemmed
 * ones: "agreements" / "agreement") and prefixes ("run*", "agree*") match several documents. */
static const struct {
    const char *title, *body;
} docs[] = {
    {"Iran oil agreement", "Iran and China signed a 25-year agreement on oil and trade."},
    {"China trade talks", "Trade talks between China and the United States resumed in May."},
    {"Oil prices", "Oil prices rose after the agreement; traders expect more trade."},
    {"Running shoes", "A runner runs; running shoes for runners who run every year."},
    {"Sanctions", "New sanctions on Iran's oil exports were announced this year."},
    {"Agreements", "Agreements, agreed terms and agreeable partners: the trade agreement."},
    {"Café culture", "The café in Paris serves naïve coffee; cafe and CAFÉ fold alike."},
    {"東京 news", "東京 and Москва: trade between Japan and Russia, oil and gas."},
    {"Year in review", "The year 2024 in review: oil, trade, China, Iran, agreements."},
    {"Empty-ish", "of the and a"},
    {"Long words", "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishment"},
    {"Talks fail", "Talks on the oil agreement failed; Iran blamed the sanctions."},
    {"Trade war", "A trade war between China and the United States hurt oil trade."},
    {"Runner's world", "The runner's world: running, runners and the 25-year record."},
    {"Gas and oil", "Gas exports and oil exports from Russia to China grew this year."},
    {"Zoo", "zebra quokka zebra"},
    {"Agreement signed", "The agreement was signed in Beijing; China and Iran agreed."},
    {"Prefix test", "prefix prefixes prefixed prefecture preface"},
    {"Numbers", "25 year 25-year 2024 1999 3.14 v2"},
    {"Misc", "don't stop believing; it's the runner's shoe, O'Neil's café"},
};
#define N_DOCS (sizeof docs / sizeof docs[0])

static const size_t limits[] = {10, 0, 3, 25};

static char index_dir[4096];
static ls_reader *reader;
static ls_analyzer *analyzer;

/* The oracle's view of the index: each document's analyzed terms per field (title, body). */
typedef struct termlist {
    char **v;
    size_t n, cap;
} termlist;
static termlist doc_terms[N_DOCS][2];

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    for (size_t d = 0; d < N_DOCS; d++) {
        for (int f = 0; f < 2; f++) {
            for (size_t i = 0; i < doc_terms[d][f].n; i++)
                free(doc_terms[d][f].v[i]);
            free(doc_terms[d][f].v);
            doc_terms[d][f] = (termlist){NULL, 0, 0};
        }
    }
    ls_reader_close(reader);
    reader = NULL;
    ls_analyzer_free(analyzer);
    analyzer = NULL;
    if (index_dir[0] != '\0' && getenv("LS_FUZZ_KEEP_INDEX") != NULL)
        fprintf(stderr, "fuzz_query: index kept in %s\n", index_dir);
    else if (index_dir[0] != '\0')
        nftw(index_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    index_dir[0] = '\0';
}

static void fail_setup(const char *what, const ls_error *err)
{
    fprintf(stderr, "fuzz_query: %s failed: %s\n", what, err->message);
    teardown();
    abort();
}

static int add_term(const ls_token *tok, void *payload)
{
    termlist *l = payload;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        LS_FUZZ_CHECK(v != NULL);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = strndup(tok->text, tok->len);
    LS_FUZZ_CHECK(l->v[l->n] != NULL);
    l->n++;
    return 0;
}

/* Builds the index and opens the reader and parser analyzer, once per process. */
static void setup(void)
{
    ls_error err;
    ls_writer *w = NULL;
    const char *tmp = getenv("TMPDIR");
    snprintf(index_dir, sizeof index_dir, "%s/ls-fuzz-query-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(index_dir) == NULL) {
        perror("fuzz_query: mkdtemp");
        abort();
    }
    atexit(teardown);
    if (ls_writer_open(index_dir, NULL, &w, &err) != LS_OK)
        fail_setup("ls_writer_open", &err);
    for (size_t i = 0; i < N_DOCS; i++) {
        char id[16];
        int n = snprintf(id, sizeof id, "d%02zu", i);
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = (size_t)n;
        d.title = docs[i].title;
        d.title_len = strlen(docs[i].title);
        d.body = docs[i].body;
        d.body_len = strlen(docs[i].body);
        if (ls_writer_add(w, &d, &err) != LS_OK)
            fail_setup("ls_writer_add", &err);
    }
    if (ls_writer_commit(w, &err) != LS_OK)
        fail_setup("ls_writer_commit", &err);
    ls_writer_close(w);
    if (ls_reader_open(index_dir, &reader, &err) != LS_OK)
        fail_setup("ls_reader_open", &err);
    if (ls_analyzer_new("english", &analyzer, &err) != LS_OK)
        fail_setup("ls_analyzer_new", &err);
    for (size_t i = 0; i < N_DOCS; i++) {
        const char *f[2] = {docs[i].title, docs[i].body};
        for (int k = 0; k < 2; k++)
            LS_FUZZ_CHECK(ls_analyze(analyzer, f[k], strlen(f[k]), 0, 0, add_term,
                                     &doc_terms[i][k], NULL) == LS_OK);
    }
}

/* The document an id names ("dNN"), or -1. */
static int doc_of_id(const char *id, size_t len)
{
    if (len != 3 || id[0] != 'd' || id[1] < '0' || id[1] > '9' || id[2] < '0' || id[2] > '9')
        return -1;
    int i = (id[1] - '0') * 10 + (id[2] - '0');
    return (size_t)i < N_DOCS ? i : -1;
}

static int finite_nonneg(double x) { return isfinite(x) && x >= 0; }

static void check_error(int rc, const ls_error *err, size_t qlen)
{
    LS_FUZZ_CHECK(rc <= LS_ENOMEM && rc >= LS_ELIMIT);
    LS_FUZZ_CHECK(err->code == rc);
    LS_FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    LS_FUZZ_CHECK(err->message[0] != '\0');
    if (rc == LS_EQUERY)
        LS_FUZZ_CHECK(err->position <= qlen);
}

static void check_snippet(const ls_snippet *s, int d)
{
    const char *body = docs[d].body;
    size_t body_len = strlen(body);
    LS_FUZZ_CHECK(s->field == LS_FIELD_BODY);
    LS_FUZZ_CHECK(s->text != NULL && s->text[s->len] == '\0');
    LS_FUZZ_CHECK(s->field_offset <= body_len && s->len <= body_len - s->field_offset);
    LS_FUZZ_CHECK(memcmp(body + s->field_offset, s->text, s->len) == 0);
    /* The window is whole words: it may start after leading or end before trailing
     * punctuation and still hold the field's first or last word. */
    LS_FUZZ_CHECK(s->starts_field || s->field_offset > 0);
    LS_FUZZ_CHECK(s->ends_field || s->field_offset + s->len < body_len);
    size_t at = 0;
    for (size_t i = 0; i < s->n_matches; i++) {
        const ls_span *m = &s->matches[i];
        LS_FUZZ_CHECK(m->offset >= at && m->length > 0 && m->length <= s->len - m->offset);
        at = m->offset + m->length;
    }
    at = 0;
    for (size_t i = 0; i < s->n_fragments; i++) {
        const ls_fragment *f = &s->fragments[i];
        LS_FUZZ_CHECK(f->text == s->text + at && f->len <= s->len - at);
        at += f->len;
    }
    LS_FUZZ_CHECK(at == s->len);
}

static void check_explain(const ls_explain *e)
{
    LS_FUZZ_CHECK(e->n_docs == (double)N_DOCS);
    LS_FUZZ_CHECK(e->n_terms == 0 || e->terms != NULL);
    for (size_t i = 0; i < e->n_terms; i++) {
        const ls_term_explain *t = &e->terms[i];
        LS_FUZZ_CHECK(t->term != NULL && t->field != NULL);
        LS_FUZZ_CHECK(strcmp(t->field, "all") == 0 || strcmp(t->field, "title") == 0 ||
                      strcmp(t->field, "body") == 0);
        /* search.c sets a phrase's df to -1 ("not computed"); libsearch.h does not say so. */
        LS_FUZZ_CHECK(finite_nonneg(t->tf) && t->df <= e->n_docs);
        LS_FUZZ_CHECK(finite_nonneg(t->df) || (t->df == -1 && strchr(t->term, ' ') != NULL));
        LS_FUZZ_CHECK(finite_nonneg(t->idf) && finite_nonneg(t->doc_len));
        LS_FUZZ_CHECK(finite_nonneg(t->avg_len) && isfinite(t->weight));
        LS_FUZZ_CHECK(finite_nonneg(t->score));
    }
}

static void check_hits(const ls_hits *h, const ls_search_options *o)
{
    uint64_t total = ls_hits_total(h);
    size_t count = ls_hits_count(h);
    LS_FUZZ_CHECK(total <= N_DOCS);
    LS_FUZZ_CHECK(count <= total && count <= o->limit);
    uint64_t after = total > o->offset ? total - o->offset : 0;
    LS_FUZZ_CHECK(count == (after < o->limit ? after : o->limit));
    LS_FUZZ_CHECK(ls_hits_get(h, count) == NULL);
    double prev = INFINITY;
    for (size_t i = 0; i < count; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        LS_FUZZ_CHECK(hit != NULL && hit->id != NULL && hit->title != NULL && hit->path != NULL);
        LS_FUZZ_CHECK(strlen(hit->id) == hit->id_len && strlen(hit->path) == hit->path_len);
        int d = doc_of_id(hit->id, hit->id_len);
        LS_FUZZ_CHECK(d >= 0);
        LS_FUZZ_CHECK(hit->title_len == strlen(docs[d].title));
        LS_FUZZ_CHECK(strcmp(hit->title, docs[d].title) == 0);
        LS_FUZZ_CHECK(finite_nonneg(hit->score));
        LS_FUZZ_CHECK(hit->score <= prev);
        prev = hit->score;
        LS_FUZZ_CHECK(hit->snippet != NULL && hit->explain != NULL);
        check_snippet(hit->snippet, d);
        check_explain(hit->explain);
    }
}

/* ---- a naive matcher: which documents a tree matches (ast.h semantics) ---- */

static int field_has(size_t d, int k, const ls_qnode *n)
{
    const termlist *l = &doc_terms[d][k];
    for (size_t i = 0; i < l->n; i++) {
        size_t len = strlen(l->v[i]);
        if (n->kind == LS_Q_TERM ? len == n->len && memcmp(l->v[i], n->text, len) == 0
                                 : len >= n->len && memcmp(l->v[i], n->text, n->len) == 0)
            return 1;
    }
    return 0;
}

/* 1 or 0; -1 when the tree holds a phrase (positions are not modelled). */
static int naive_match(const ls_qnode *n, size_t d)
{
    switch (n->kind) {
    case LS_Q_TERM:
    case LS_Q_PREFIX:
        if (n->field == LS_FIELD_ALL)
            return field_has(d, 0, n) || field_has(d, 1, n);
        return field_has(d, n->field == LS_FIELD_TITLE ? 0 : 1, n);
    case LS_Q_ALL: return 1;
    case LS_Q_BOOL: break;
    default: return -1;
    }
    int any_must = 0, should = 0, only_not = n->n_kids > 0, unknown = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        int m = naive_match(n->kids[i], d);
        if (m < 0) {
            unknown = 1;
            continue;
        }
        if (n->occur[i] == LS_OCCUR_NOT) {
            if (m)
                return unknown ? -1 : 0;
            continue;
        }
        only_not = 0;
        if (n->occur[i] == LS_OCCUR_MUST) {
            any_must = 1;
            if (!m)
                return unknown ? -1 : 0;
        } else {
            should |= m;
        }
    }
    if (unknown)
        return -1;
    return only_not || (any_must ? 1 : should);
}

/* The lexer's tokens are in order, inside the text, and end. */
static void check_lexer(const char *q, size_t qlen)
{
    ls_qlexer lx;
    ls_qtoken t;
    size_t prev_end = 0;
    ls_qtok_kind prev = LS_QTOK_END;
    ls_qlexer_init(&lx, q, qlen);
    for (size_t i = 0;; i++) {
        LS_FUZZ_CHECK(i <= 2 * qlen + 1);
        ls_qlexer_next(&lx, &t);
        LS_FUZZ_CHECK(t.start >= prev_end && t.start <= qlen && t.text >= t.start);
        LS_FUZZ_CHECK(t.text <= qlen && t.len <= qlen - t.text);
        if (t.kind == LS_QTOK_STAR)
            LS_FUZZ_CHECK(prev == LS_QTOK_WORD && q[t.start] == '*' && t.start == prev_end);
        if (t.kind == LS_QTOK_END)
            break;
        LS_FUZZ_CHECK(t.kind == LS_QTOK_PHRASE || t.len > 0);
        prev_end = t.kind == LS_QTOK_PHRASE ? t.text + t.len + !t.unterminated
                 : t.kind == LS_QTOK_FIELD  ? t.text + t.len + 1
                                            : t.text + t.len;
        prev = t.kind;
    }
    ls_qlexer_next(&lx, &t);
    LS_FUZZ_CHECK(t.kind == LS_QTOK_END);
}

/* Words in the longest phrase of a tree. */
static size_t longest_phrase(const ls_qnode *n)
{
    if (n->kind == LS_Q_PHRASE)
        return n->n_kids;
    size_t most = 0;
    for (size_t i = 0; n->kind == LS_Q_BOOL && i < n->n_kids; i++) {
        size_t k = longest_phrase(n->kids[i]);
        most = k > most ? k : most;
    }
    return most;
}

/* The tree shape the parser documents (ast.h, parser.h). */
static void check_node(const ls_qnode *n, size_t qlen, int depth)
{
    LS_FUZZ_CHECK(n != NULL && depth < 1000);
    LS_FUZZ_CHECK(n->source_offset <= qlen);
    switch (n->kind) {
    case LS_Q_TERM:
    case LS_Q_PREFIX:
        LS_FUZZ_CHECK(n->text != NULL && n->len >= 1 && n->len <= LS_MAX_TERM_BYTES);
        LS_FUZZ_CHECK(strlen(n->text) == n->len && n->n_kids == 0);
        LS_FUZZ_CHECK(n->field >= LS_FIELD_ALL && n->field <= LS_FIELD_BODY);
        break;
    case LS_Q_PHRASE:
        LS_FUZZ_CHECK(n->n_kids >= 2);
        for (size_t i = 0; i < n->n_kids; i++) {
            LS_FUZZ_CHECK(n->kids[i] != NULL && n->kids[i]->kind == LS_Q_TERM);
            LS_FUZZ_CHECK(n->kids[i]->field == n->field);
            check_node(n->kids[i], qlen, depth + 1);
        }
        break;
    case LS_Q_BOOL:
        for (size_t i = 0; i < n->n_kids; i++) {
            LS_FUZZ_CHECK(n->occur[i] >= LS_OCCUR_SHOULD && n->occur[i] <= LS_OCCUR_NOT);
            check_node(n->kids[i], qlen, depth + 1);
        }
        break;
    case LS_Q_ALL: break;
    default: LS_FUZZ_CHECK(!"unknown node kind");
    }
    LS_FUZZ_CHECK(isfinite(n->boost));
}

/* The tree's text form, malloc'd; checks ls_qnode_format's snprintf contract on the way. */
static char *format_tree(const ls_qnode *t)
{
    size_t want = ls_qnode_format(t, NULL, 0);
    char small[8];
    LS_FUZZ_CHECK(ls_qnode_format(t, small, sizeof small) == want);
    LS_FUZZ_CHECK(strlen(small) == (want < sizeof small ? want : sizeof small - 1));
    char *buf = malloc(want + 1);
    LS_FUZZ_CHECK(buf != NULL);
    LS_FUZZ_CHECK(ls_qnode_format(t, buf, want + 1) == want);
    LS_FUZZ_CHECK(strlen(buf) == want && strncmp(buf, small, strlen(small)) == 0);
    return buf;
}

static int count_token(const ls_token *tok, void *payload)
{
    size_t *counts = payload;
    counts[0]++;
    counts[1] += tok->stop != 0;
    return 0;
}

/* Plain syntax: one TERM clause per analyzed token, stop words dropped unless all are. */
static void check_plain(const ls_qnode *tree, const char *q, size_t qlen, int default_and)
{
    size_t counts[2] = {0, 0}; /* tokens, stop-word tokens */
    LS_FUZZ_CHECK(ls_analyze(analyzer, q, qlen, 0, 0, count_token, counts, NULL) == LS_OK);
    size_t want = counts[1] < counts[0] ? counts[0] - counts[1] : counts[0];
    LS_FUZZ_CHECK(tree->n_kids == want);
    for (size_t i = 0; i < tree->n_kids; i++) {
        LS_FUZZ_CHECK(tree->kids[i]->kind == LS_Q_TERM);
        LS_FUZZ_CHECK(tree->occur[i] == (default_and ? LS_OCCUR_MUST : LS_OCCUR_SHOULD));
    }
}

/* Parses q with the internal parser; returns the code and (on success) the tree's text, its
 * longest phrase and how many documents it matches by naive_match (-1: unknown). */
static int parse(const char *q, size_t qlen, int syntax, int default_and, char **text_out,
                 size_t *phrase_out, long *matches_out)
{
    ls_parse_options po = {syntax, default_and, 1}; /* as ls_search parses */
    ls_qnode *tree = (ls_qnode *)&po; /* must be overwritten */
    ls_error err;
    int rc = ls_query_parse(q, qlen, &po, analyzer, &tree, &err);
    *text_out = NULL;
    if (rc != LS_OK) {
        LS_FUZZ_CHECK(tree == NULL);
        check_error(rc, &err, qlen);
        /* Only strict syntax reports errors; the input is far below the 64 KiB limit. */
        LS_FUZZ_CHECK(rc == LS_EQUERY ? syntax == LS_SYNTAX_STRICT
                                      : rc == LS_ELIMIT || rc == LS_ENOMEM);
        return rc;
    }
    LS_FUZZ_CHECK(tree != NULL && tree->kind == LS_Q_BOOL);
    check_node(tree, qlen, 0);
    if (syntax == LS_SYNTAX_PLAIN)
        check_plain(tree, q, qlen, default_and);
    *text_out = format_tree(tree);
    *phrase_out = longest_phrase(tree);
    *matches_out = 0;
    for (size_t d = 0; d < N_DOCS && *matches_out >= 0; d++) {
        int m = naive_match(tree, d);
        *matches_out = m < 0 ? -1 : *matches_out + m;
    }
    ls_qnode_free(tree);
    return rc;
}

/* FNV-1a: picks which allocation check_parse_oom makes fail. */
static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The parse that gave tree text `want`, again with allocation number k (from 0) failing: it
 * either fails cleanly with LS_ENOMEM (no tree; LeakSanitizer checks nothing is left) or, when
 * k is past its last allocation, gives the same tree. */
static void check_parse_oom(const char *q, size_t qlen, int syntax, int default_and,
                            const char *want, long k)
{
    ls_parse_options po = {syntax, default_and, 1}; /* as ls_search parses */
    ls_qnode *tree = (ls_qnode *)&po;
    ls_error err;
    ls_alloc_fail_after(k);
    int rc = ls_query_parse(q, qlen, &po, analyzer, &tree, &err);
    ls_alloc_fail_after(-1);
    if (rc != LS_OK) {
        LS_FUZZ_CHECK(rc == LS_ENOMEM && tree == NULL);
        check_error(rc, &err, qlen);
        return;
    }
    char *got = format_tree(tree);
    LS_FUZZ_CHECK(strcmp(got, want) == 0);
    free(got);
    ls_qnode_free(tree);
}

int LS_FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    if (reader == NULL)
        setup();
    uint8_t ctl = data[0];
    const char *q = (const char *)data + 1;
    size_t qlen = size - 1;

    ls_search_options o = LS_SEARCH_OPTIONS_INIT;
    o.syntax = (ctl & 3) % 3; /* 3 reads as strict */
    o.default_and = (ctl >> 2) & 1;
    o.feedback_docs = (ctl & 8) ? LS_DEFAULT_FEEDBACK_DOCS : 0;
    o.feedback_widen = (ctl >> 4) & 1;
    o.limit = limits[(ctl >> 5) & 3];
    o.offset = (ctl & 128) ? 2 : 0;
    o.snippets = 1;
    o.explain = 1;

    check_lexer(q, qlen);

    ls_hits *hits = NULL;
    ls_error err;
    int rc = ls_search(reader, q, qlen, &o, &hits, &err);
    uint64_t total = 0;
    if (rc == LS_OK) {
        LS_FUZZ_CHECK(hits != NULL);
        check_hits(hits, &o);
        total = ls_hits_total(hits);
    } else {
        check_error(rc, &err, qlen);
        LS_FUZZ_CHECK(rc != LS_EQUERY || o.syntax == LS_SYNTAX_STRICT);
    }
    ls_hits_free(hits);

    char *tree = NULL;
    size_t phrase = 0, unused_phrase;
    long matches = -1, unused_matches;
    int prc = parse(q, qlen, o.syntax, o.default_and, &tree, &phrase, &matches);
    if (getenv("LS_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "fuzz_query: rc %d, %llu hits, naive %ld, parse %d: %s\n", rc,
                (unsigned long long)total, matches, prc, tree != NULL ? tree : "");
    /* Feedback keeps the matches unless it widens a bag of words. */
    if (rc == LS_OK && matches >= 0 && !(o.feedback_docs > 0 && o.feedback_widen)) {
        if (total != (uint64_t)matches) {
            fprintf(stderr, "query %s: %llu hits, the naive matcher finds %ld\n", tree,
                    (unsigned long long)total, matches);
            LS_FUZZ_CHECK(!"hit count differs from the naive matcher");
        }
    }
    /* ls_search parses with the same analyzer language (english): the same verdict. Past the
     * parser, only a phrase over PHRASE_LIMIT words is a limit. */
    if (prc != LS_OK)
        LS_FUZZ_CHECK(rc == prc);
    else
        LS_FUZZ_CHECK(rc != LS_EQUERY && (rc != LS_ELIMIT || phrase > PHRASE_LIMIT));
    if (prc == LS_OK)
        check_parse_oom(q, qlen, o.syntax, o.default_and, tree,
                        (long)(hash(data, size) % (16 + qlen)));
    if (prc == LS_OK && o.syntax == LS_SYNTAX_STRICT) {
        /* Lenient differs from strict only in reading mistakes: a valid query means the same. */
        char *lenient = NULL;
        LS_FUZZ_CHECK(parse(q, qlen, LS_SYNTAX_LENIENT, o.default_and, &lenient, &unused_phrase,
                            &unused_matches) == LS_OK);
        if (strcmp(tree, lenient) != 0) {
            fprintf(stderr, "strict:  %s\nlenient: %s\n", tree, lenient);
            LS_FUZZ_CHECK(!"lenient reads a valid strict query differently");
        }
        free(lenient);
    }
    free(tree);
    return 0;
}
