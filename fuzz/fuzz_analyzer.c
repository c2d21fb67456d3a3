/* SPDX-License-Identifier: MIT */
/*
 * fuzz_analyzer.c - fuzz target for the analysis pipeline (analysis/analyzer.h). Input: byte 0
 * picks the language (bits 0-2), the first position (bits 3-4) and an early stop (bits 5-7);
 * the rest is the text. Checks the ls_token contract with and without stemming, that both runs
 * see the same words, the callback's stop code, that a normalized term analyzes to itself,
 * that words do not depend on the text around them, and the ASCII folding fast path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analysis/analyzer.h"
#include "analysis/fold.h"
#include "fuzz_target.h"

#define FUZZ_MAX_INPUT 4096
#define STOP_CODE 7 /* what the callback returns to stop analysis early */

static const char *const languages[] = {"english", "french", "german", "russian", "none"};
#define N_LANGUAGES (sizeof languages / sizeof languages[0])

static const uint32_t first_positions[] = {0, 1, 1000, UINT32_MAX - 2};

static ls_analyzer *analyzers[N_LANGUAGES];

/* A token as the callback saw it, copied (tok->text is only valid during the callback). */
typedef struct seen {
    char text[LS_MAX_TERM_BYTES + 1];
    size_t len;
    uint32_t pos;
    size_t start, end;
    int stop;
} seen;

typedef struct run {
    const char *input;
    size_t input_len;
    uint32_t first_pos;
    unsigned flags;
    size_t stop_after; /* 0 = never stop */
    seen *v;
    size_t n, cap;
} run;

static void free_analyzers(void)
{
    for (size_t i = 0; i < N_LANGUAGES; i++) {
        ls_analyzer_free(analyzers[i]);
        analyzers[i] = NULL;
    }
}

static ls_analyzer *analyzer_for(size_t i)
{
    static int registered;
    if (analyzers[i] == NULL) {
        ls_error err;
        LS_FUZZ_CHECK(ls_analyzer_new(languages[i], &analyzers[i], &err) == LS_OK);
        if (!registered && atexit(free_analyzers) == 0)
            registered = 1;
    }
    return analyzers[i];
}

/* Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): what
 * utf8proc_iterate accepts. */
static int valid_utf8(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* Every code point a letter or a number: what the analyzer promises of unstemmed terms. */
static int letters_and_digits(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        utf8proc_category_t c = utf8proc_category(cp);
        if (!((c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
              (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO)))
            return 0;
        i += (size_t)n;
    }
    return 1;
}

static int on_token(const ls_token *tok, void *payload)
{
    run *r = payload;
    LS_FUZZ_CHECK(tok->text != NULL);
    LS_FUZZ_CHECK(tok->len >= 1 && tok->len <= LS_MAX_TERM_BYTES);
    LS_FUZZ_CHECK(tok->text[tok->len] == '\0');
    LS_FUZZ_CHECK(memchr(tok->text, '\0', tok->len) == NULL);
    LS_FUZZ_CHECK(valid_utf8(tok->text, tok->len));
    if (r->flags & LS_ANALYZE_NOSTEM)
        LS_FUZZ_CHECK(letters_and_digits(tok->text, tok->len));
    LS_FUZZ_CHECK(tok->start < tok->end && tok->end <= r->input_len);
    LS_FUZZ_CHECK(tok->pos >= r->first_pos);
    if (r->n > 0) {
        const seen *prev = &r->v[r->n - 1];
        /* One token per word and one position per word; positions saturate at UINT32_MAX. */
        LS_FUZZ_CHECK(tok->pos > prev->pos || (tok->pos == UINT32_MAX && prev->pos == UINT32_MAX));
        LS_FUZZ_CHECK(tok->start >= prev->end);
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        seen *v = realloc(r->v, cap * sizeof *v);
        LS_FUZZ_CHECK(v != NULL);
        r->v = v;
        r->cap = cap;
    }
    seen *s = &r->v[r->n++];
    memcpy(s->text, tok->text, tok->len + 1);
    s->len = tok->len;
    s->pos = tok->pos;
    s->start = tok->start;
    s->end = tok->end;
    s->stop = tok->stop;
    return r->stop_after != 0 && r->n == r->stop_after ? STOP_CODE : 0;
}

/* Runs the analyzer over the input into r; checks the return code and next position, which
 * it returns. */
static uint32_t analyze(ls_analyzer *a, run *r)
{
    uint32_t next = 0;
    int rc = ls_analyze(a, r->input, r->input_len, r->first_pos, r->flags, on_token, r, &next);
    int stopped = r->stop_after != 0 && r->n == r->stop_after;
    LS_FUZZ_CHECK(rc == (stopped ? STOP_CODE : LS_OK));
    LS_FUZZ_CHECK(next >= r->first_pos);
    /* Every word takes a position; a token's word counts before its callback runs. */
    LS_FUZZ_CHECK((uint64_t)(next - r->first_pos) <= r->input_len);
    LS_FUZZ_CHECK(r->n <= (size_t)(next - r->first_pos) || next == UINT32_MAX);
    if (r->n > 0) {
        uint32_t last = r->v[r->n - 1].pos;
        LS_FUZZ_CHECK(last < next || (last == UINT32_MAX && next == UINT32_MAX));
        if (stopped)
            LS_FUZZ_CHECK(next == last + 1 || next == UINT32_MAX);
    }
    return next;
}

/* An unstemmed term is a word of letters and digits in normal form: analyzed again it must
 * come back as one token equal to itself (else queries and documents could disagree). */
static void check_fixpoint(ls_analyzer *a, const seen *s)
{
    run again = {.input = s->text, .input_len = s->len, .flags = LS_ANALYZE_NOSTEM};
    analyze(a, &again);
    LS_FUZZ_CHECK(again.n == 1);
    LS_FUZZ_CHECK(again.v[0].len == s->len && memcmp(again.v[0].text, s->text, s->len) == 0);
    free(again.v);
}

/* Words do not depend on their surroundings: a token's word analyzed alone gives the same
 * token, and the text between two tokens holds exactly the words dropped there (one position
 * each). next is the position after the whole text. */
static void check_context(ls_analyzer *a, const run *whole, uint32_t next)
{
    size_t gap_start = 0;
    uint32_t gap_pos = whole->first_pos;
    for (size_t i = 0; i <= whole->n; i++) {
        const seen *t = i < whole->n ? &whole->v[i] : NULL;
        size_t gap_end = t != NULL ? t->start : whole->input_len;
        uint32_t gap_next = t != NULL ? t->pos : next;
        run gap = {whole->input + gap_start, gap_end - gap_start, 0, whole->flags, 0, NULL, 0, 0};
        uint32_t words = analyze(a, &gap);
        LS_FUZZ_CHECK(gap.n == 0);
        if (gap_next != UINT32_MAX) /* else saturated: the counts are not comparable */
            LS_FUZZ_CHECK(words == gap_next - gap_pos);
        free(gap.v);
        if (t == NULL)
            break;
        run one = {whole->input + t->start, t->end - t->start, t->pos, whole->flags, 0,
                   NULL, 0, 0};
        uint32_t one_next = analyze(a, &one);
        LS_FUZZ_CHECK(one.n == 1 && one.v[0].pos == t->pos);
        LS_FUZZ_CHECK(one_next == t->pos + 1 || t->pos == UINT32_MAX);
        LS_FUZZ_CHECK(one.v[0].start == 0 && one.v[0].end == t->end - t->start);
        LS_FUZZ_CHECK(one.v[0].len == t->len && memcmp(one.v[0].text, t->text, t->len) == 0);
        LS_FUZZ_CHECK(one.v[0].stop == t->stop);
        free(one.v);
        gap_start = t->end;
        gap_pos = t->pos == UINT32_MAX ? t->pos : t->pos + 1;
    }
}

/* For a word of ASCII and U+2019 only, the ASCII fast path folds as the general path does. */
static void check_ascii_fold(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 0x80) {
            if (len - i < 3 || memcmp(w + i, "\xe2\x80\x99", 3) != 0)
                return;
            i += 2;
        }
    }
    char fast[LS_MAX_TERM_BYTES + 1], slow[LS_MAX_TERM_BYTES + 1];
    static int32_t scratch[LS_FOLD_SCRATCH_LEN];
    size_t nf = ls_fold_ascii(w, len, fast);
    size_t ns = ls_fold_utf8(scratch, w, len, slow);
    LS_FUZZ_CHECK(nf == ns);
    if (nf != LS_FOLD_TOO_LONG)
        LS_FUZZ_CHECK(memcmp(fast, slow, nf + 1) == 0);
}

int LS_FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    uint8_t ctl = data[0];
    ls_analyzer *a = analyzer_for((size_t)(ctl & 7u) % N_LANGUAGES);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    uint32_t first_pos = first_positions[(ctl >> 3) & 3u];
    size_t stop_after = ctl >> 5; /* 0 (never), 1..7 */

    run stemmed = {text, len, first_pos, 0, 0, NULL, 0, 0};
    run plain = {text, len, first_pos, LS_ANALYZE_NOSTEM, 0, NULL, 0, 0};
    uint32_t next = analyze(a, &stemmed);
    LS_FUZZ_CHECK(analyze(a, &plain) == next);
    check_context(a, &stemmed, next);
    check_context(a, &plain, next);

    /* Stemming changes a token's text only: the same words, positions, offsets and stop flags. */
    LS_FUZZ_CHECK(stemmed.n == plain.n);
    for (size_t i = 0; i < plain.n; i++) {
        const seen *s = &stemmed.v[i], *p = &plain.v[i];
        LS_FUZZ_CHECK(s->pos == p->pos && s->start == p->start && s->end == p->end);
        LS_FUZZ_CHECK(s->stop == p->stop);
        if (strcmp(ls_analyzer_language(a), "none") == 0)
            LS_FUZZ_CHECK(s->len == p->len && memcmp(s->text, p->text, p->len) == 0);
        check_fixpoint(a, p);
        check_ascii_fold(text + p->start, p->end - p->start);
    }

    if (stop_after != 0) {
        run early = {text, len, first_pos, (ctl & 8u) ? LS_ANALYZE_NOSTEM : 0, stop_after,
                     NULL, 0, 0};
        analyze(a, &early);
        LS_FUZZ_CHECK(early.n == (plain.n < stop_after ? plain.n : stop_after));
        for (size_t i = 0; i < early.n; i++)
            LS_FUZZ_CHECK(early.v[i].pos == plain.v[i].pos);
        free(early.v);
    }
    free(stemmed.v);
    free(plain.v);
    return 0;
}
