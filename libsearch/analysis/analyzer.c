/* SPDX-License-Identifier: MIT */
/*
 * analyzer.c - the analysis pipeline (words -> fold -> possessive -> stem) and the analyzer's
 * settings (its language). Owns positions, offsets and the token callback loop; segmentation,
 * folding, stemming and stop words live in words.c, fold.c, stem.c and stopwords.c.
 */
#include "analysis/analyzer.h"

#include <assert.h>
#include <string.h>

#include "analysis/fold.h"
#include "analysis/stem.h"
#include "analysis/words.h"
#include "util/alloc.h"
#include "util/error.h"

struct ls_analyzer {
    char language[LS_LANGUAGE_MAX + 1];
    ls_stemmer *stemmer;                  /* NULL for "none" */
    char term[LS_MAX_TERM_BYTES + 1];     /* the normalized word of the current token */
    char stemmed[LS_MAX_TERM_BYTES + 1];  /* its stem, NUL-terminated */
    int32_t scratch[LS_FOLD_SCRATCH_LEN]; /* fold.c's code points; bounded, reused */
};

int ls_analyzer_new(const char *language, ls_analyzer **out, ls_error *err)
{
    int rc;
    ls_analyzer *a = NULL;
    *out = NULL;
    if (language == NULL)
        language = "english";
    size_t n = strlen(language);
    if (n == 0 || n > LS_LANGUAGE_MAX)
        return ls_error_set(err, LS_EINVAL, "language name '%.31s%s' must be 1 to %d bytes",
                            language, n > LS_LANGUAGE_MAX ? "..." : "", LS_LANGUAGE_MAX);
    a = ls_calloc(1, sizeof *a);
    LS_CHECK_ALLOC(a, err);
    memcpy(a->language, language, n + 1);
    LS_TRY(ls_stemmer_new(language, &a->stemmer, err));
    *out = a;
    return LS_OK;
fail:
    ls_analyzer_free(a);
    return rc;
}

void ls_analyzer_free(ls_analyzer *a)
{
    if (a == NULL)
        return;
    ls_stemmer_free(a->stemmer);
    ls_free(a);
}

const char *ls_analyzer_language(const ls_analyzer *a) { return a->language; }

/* Normalizes word w of s into a->term. @return its length, 0, or LS_FOLD_TOO_LONG. */
static size_t normalize(ls_analyzer *a, const char *s, const ls_word *w)
{
    const char *p = s + w->start;
    size_t n = w->core_end - w->start;
    return w->ascii ? ls_fold_ascii(p, n, a->term) : ls_fold_utf8(a->scratch, p, n, a->term);
}

/* Sets tok->text/len to the stem of tok's normalized word. A stem outside 1..LS_MAX_TERM_BYTES
 * (no English stem does that) keeps the normalized word, so the token contract holds.
 * @return LS_OK or LS_ENOMEM. */
static int stem(ls_analyzer *a, ls_token *tok)
{
    size_t n;
    const char *r = ls_stemmer_stem(a->stemmer, tok->text, tok->len, &n);
    if (r == NULL)
        return LS_ENOMEM;
    if (r == tok->text || n == 0 || n > LS_MAX_TERM_BYTES)
        return LS_OK;
    memcpy(a->stemmed, r, n);
    a->stemmed[n] = '\0';
    tok->text = a->stemmed;
    tok->len = n;
    return LS_OK;
}

int ls_analyze(ls_analyzer *a, const char *s, size_t len, uint32_t first_pos, unsigned flags,
               ls_token_fn fn, void *payload, uint32_t *next_pos_out)
{
    assert(a != NULL && fn != NULL && (s != NULL || len == 0));
    int rc = LS_OK;
    uint32_t pos = first_pos;
    size_t at = 0;
    ls_word w;
    while (ls_words_next(s, len, &at, &w)) {
        uint32_t word_pos = pos;
        /* Positions saturate rather than wrap: 4 billion words is beyond any field. */
        if (pos != UINT32_MAX)
            pos++;
        size_t n = normalize(a, s, &w);
        if (n == 0 || n == LS_FOLD_TOO_LONG)
            continue;
        ls_token tok = {.text = a->term, .len = n, .pos = word_pos, .start = w.start, .end = w.end};
        tok.stop = flags & LS_ANALYZE_NOSTOP ? 0 : ls_stopword_is(a->term, n);
        if (!(flags & LS_ANALYZE_NOSTEM) && (rc = stem(a, &tok)) != LS_OK)
            break;
        if ((rc = fn(&tok, payload)) != 0)
            break;
    }
    if (next_pos_out != NULL)
        *next_pos_out = pos;
    return rc;
}
