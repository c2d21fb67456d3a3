/* SPDX-License-Identifier: MIT */
/*
 * test_analysis.c - the analysis suite: word segmentation, normalization, possessives, stemming,
 * stop flags, positions and offsets, bad UTF-8, very long input, errors and the callback contract.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libstemmer.h>
#include <utf8proc.h>

#include "analysis/analyzer.h"
#include "testutil.h"
#include "util/alloc.h"

#define MAX_TOKS 64

/* What the callback saw; the first MAX_TOKS tokens are kept, all are counted and checked. */
typedef struct toks {
    size_t n;
    char text[MAX_TOKS][LS_MAX_TERM_BYTES + 1];
    size_t len[MAX_TOKS];
    uint32_t pos[MAX_TOKS];
    size_t start[MAX_TOKS], end[MAX_TOKS];
    int stop[MAX_TOKS];
    size_t input_len;  /* for the offset checks */
    size_t stop_after; /* nonzero: return 7 once this many tokens were seen */
    uint32_t last_pos; /* position of the previous token, to check they increase */
    size_t last_end;
    const char *bad; /* the first token invariant that failed, or NULL */
} toks;

static int valid_utf8(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* Records a token and checks what every token must satisfy. Violations are noted and failed
 * on by run(): a ck_assert costs a system call, too many for the random loops. */
#define TOK_CHECK(cond)                                                                        \
    do {                                                                                       \
        if (!(cond) && t->bad == NULL)                                                         \
            t->bad = #cond;                                                                    \
    } while (0)

static int collect(const ls_token *tok, void *payload)
{
    toks *t = payload;
    TOK_CHECK(tok->len >= 1 && tok->len <= LS_MAX_TERM_BYTES);
    TOK_CHECK(strlen(tok->text) == tok->len);
    TOK_CHECK(valid_utf8(tok->text, tok->len));
    TOK_CHECK(tok->start < tok->end && tok->end <= t->input_len);
    TOK_CHECK(t->n == 0 || tok->pos > t->last_pos);
    TOK_CHECK(t->n == 0 || tok->start >= t->last_end);
    t->last_pos = tok->pos;
    t->last_end = tok->end;
    if (t->n < MAX_TOKS && tok->len <= LS_MAX_TERM_BYTES) {
        memcpy(t->text[t->n], tok->text, tok->len + 1);
        t->len[t->n] = tok->len;
        t->pos[t->n] = tok->pos;
        t->start[t->n] = tok->start;
        t->end[t->n] = tok->end;
        t->stop[t->n] = tok->stop;
    }
    t->n++;
    return t->stop_after && t->n == t->stop_after ? 7 : 0;
}

static ls_analyzer *make(const char *language)
{
    ls_analyzer *a = NULL;
    ls_error err;
    int rc = ls_analyzer_new(language, &a, &err);
    ck_assert_msg(rc == LS_OK, "ls_analyzer_new(%s): %s", language ? language : "NULL",
                  err.message);
    ck_assert_ptr_nonnull(a);
    return a;
}

/* Analyzes text at position first_pos, failing the test if a token broke an invariant.
 * @return ls_analyze's result. */
static int run(ls_analyzer *a, const char *text, size_t len, uint32_t first_pos, unsigned flags,
               toks *t, uint32_t *next_pos)
{
    t->n = 0;
    t->input_len = len;
    t->bad = NULL;
    int rc = ls_analyze(a, text, len, first_pos, flags, collect, t, next_pos);
    if (t->bad != NULL)
        ck_abort_msg("token invariant failed: %s", t->bad);
    return rc;
}

/* The terms of text, space-separated, for compact assertions. Static buffer. */
static const char *terms(const char *language, unsigned flags, const char *text)
{
    static char out[4096];
    static toks t;
    ls_analyzer *a = make(language);
    ck_assert_int_eq(run(a, text, strlen(text), 0, flags, &t, NULL), LS_OK);
    ls_analyzer_free(a);
    out[0] = '\0';
    for (size_t i = 0; i < t.n && i < MAX_TOKS; i++) {
        if (i > 0)
            strcat(out, " ");
        strcat(out, t.text[i]);
    }
    return out;
}

START_TEST(possessive_removed_for_straight_and_curly_apostrophe)
{
    ck_assert_str_eq(terms("english", 0, "Iran's"), "iran");
    ck_assert_str_eq(terms("english", 0, "Iran\xE2\x80\x99s"), "iran");
    ck_assert_str_eq(terms("none", 0, "IRAN'S James's it's"), "iran james it");

    toks t = {0};
    ls_analyzer *a = make("english");
    const char *s = "at Iran\xE2\x80\x99s border";
    ck_assert_int_eq(run(a, s, strlen(s), 0, 0, &t, NULL), LS_OK);
    ck_assert_uint_eq(t.n, 3);
    ck_assert_str_eq(t.text[1], "iran");
    ck_assert_uint_eq(t.start[1], 3);
    ck_assert_uint_eq(t.end[1], 3 + 4 + 3 + 1); /* "Iran" + U+2019 + "s": the 's is covered */
    ls_analyzer_free(a);
}
END_TEST

START_TEST(apostrophes_inside_words_dropped_outside_separate)
{
    ck_assert_str_eq(terms("none", 0, "don't O'Neil"), "dont oneil");
    ck_assert_str_eq(terms("none", 0, "don\xE2\x80\x99t"), "dont");
    ck_assert_str_eq(terms("none", 0, "'quoted' rock 'n' roll"), "quoted rock n roll");
    ck_assert_str_eq(terms("none", 0, "a''b x' 'y"), "a b x y");
    ck_assert_str_eq(terms("none", 0, "70's 1990's"), "70 1990");
    ck_assert_str_eq(terms("none", 0, "x'-y"), "x y");
}
END_TEST

START_TEST(accents_stripped_and_case_folded)
{
    ck_assert_str_eq(terms("none", 0, "Ra\xC3\xAFsi"), "raisi");          /* Raïsi */
    ck_assert_str_eq(terms("none", 0, "\xC3\x89" "COLE"), "ecole");       /* ÉCOLE */
    ck_assert_str_eq(terms("none", 0, "E\xCC\x81" "cole"), "ecole");      /* E + U+0301 */
    ck_assert_str_eq(terms("none", 0, "Stra\xC3\x9F" "e"), "strasse");    /* Straße */
    ck_assert_str_eq(terms("none", 0, "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x8A\xCE\x91"),
                     "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1"); /* ΣΟΦΊΑ -> σοφια */
    ck_assert_str_eq(terms("english", 0, "caf\xC3\xA9s"), "cafe");         /* cafés */
}
END_TEST

START_TEST(nfkc_folds_ligatures_and_fullwidth)
{
    ck_assert_str_eq(terms("none", 0, "\xEF\xAC\x81"), "fi");                 /* U+FB01 */
    ck_assert_str_eq(terms("none", 0, "\xEF\xAC\x81nance"), "finance");
    ck_assert_str_eq(terms("none", 0, "\xEF\xBC\xA9\xEF\xBD\x92\xEF\xBD\x81\xEF\xBD\x8E"),
                     "iran"); /* Ｉｒａｎ */
    ck_assert_str_eq(terms("none", 0, "x\xC2\xB2"), "x2");                    /* x² */
    /* Hangul survives decomposition into jamo and recomposition. */
    ck_assert_str_eq(terms("none", 0, "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"),
                     "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4");
}
END_TEST

START_TEST(compatibility_forms_keep_only_letters_and_digits)
{
    /* U+FDFA (an Arabic letter) decomposes to 18 code points including spaces; U+2474 "⑴"
     * decomposes to "(1)". Terms never contain separators. */
    const char *fdfa = terms("none", 0, "\xEF\xB7\xBA");
    ck_assert_ptr_null(strchr(fdfa, ' '));
    ck_assert_uint_gt(strlen(fdfa), 10);
    ck_assert_str_eq(terms("none", 0, "\xE2\x91\xB4"), "1");
}
END_TEST

START_TEST(hyphen_splits_into_adjacent_positions)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    ck_assert_int_eq(run(a, "a 25-year term", 14, 100, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 4);
    ck_assert_str_eq(t.text[1], "25");
    ck_assert_uint_eq(t.pos[1], 101);
    ck_assert_str_eq(t.text[2], "year");
    ck_assert_uint_eq(t.pos[2], 102);
    ck_assert_uint_eq(next, 104);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(numbers_are_words_and_dots_separate)
{
    ck_assert_str_eq(terms("english", 0, "in 2023"), "in 2023");
    ck_assert_str_eq(terms("english", 0, "3.5"), "3 5");
    ck_assert_str_eq(terms("none", 0, "abc123 x86_64"), "abc123 x86 64");
    ck_assert_str_eq(terms("none", 0, "\xD9\xA3\xD9\xA4"), "\xD9\xA3\xD9\xA4"); /* ٣٤ */
}
END_TEST

START_TEST(punctuation_symbols_and_emoji_separate)
{
    ck_assert_str_eq(terms("none", 0, "a/b.c_d\xF0\x9F\x98\x80" "e\xE2\x82\xAC" "f+g\th\ni"),
                     "a b c d e f g h i");
    ck_assert_str_eq(terms("none", 0, "x\xE2\x80\x94y\xC2\xA0z"), "x y z"); /* em dash, NBSP */
    ck_assert_str_eq(terms("none", 0, " \t.,;!?-- "), "");
}
END_TEST

START_TEST(english_stemming_applies_after_normalization)
{
    ck_assert_str_eq(terms("english", 0, "agreements running"), "agreement run");
    ck_assert_str_eq(terms(NULL, 0, "Agreements RUNNING"), "agreement run");
    ck_assert_str_eq(terms("english", LS_ANALYZE_NOSTEM, "agreements running"),
                     "agreements running");
}
END_TEST

START_TEST(language_none_does_not_stem)
{
    ls_analyzer *a = make("none");
    ck_assert_str_eq(ls_analyzer_language(a), "none");
    ls_analyzer_free(a);
    ck_assert_str_eq(terms("none", 0, "agreements running"), "agreements running");
}
END_TEST

START_TEST(null_language_means_english_and_others_stem)
{
    ls_analyzer *a = make(NULL);
    ck_assert_str_eq(ls_analyzer_language(a), "english");
    ls_analyzer_free(a);
    a = make("french");
    ck_assert_str_eq(ls_analyzer_language(a), "french");
    ls_analyzer_free(a);
    ck_assert_str_eq(terms("french", 0, "Chevaux"), "cheval");
}
END_TEST

START_TEST(unknown_language_is_einval_listing_stemmers)
{
    ls_analyzer *a = (ls_analyzer *)&a; /* must be reset to NULL */
    ls_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(ls_analyzer_new("klingon", &a, &err), LS_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(err.code, LS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "klingon"));
    ck_assert_ptr_nonnull(strstr(err.message, "none"));
    ck_assert_ptr_nonnull(strstr(err.message, "english"));
    ck_assert_ptr_nonnull(strstr(err.message, "french"));
    ck_assert_uint_lt(strlen(err.message), LS_ERROR_MESSAGE_SIZE);

    ck_assert_int_eq(ls_analyzer_new("", &a, &err), LS_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(ls_analyzer_new("English", &a, &err), LS_EINVAL); /* names are exact */
    char longname[64];
    memset(longname, 'e', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(ls_analyzer_new(longname, &a, &err), LS_EINVAL);
    ck_assert_int_eq(ls_analyzer_new("klingon", &a, NULL), LS_EINVAL); /* err may be NULL */
}
END_TEST

/* The analyzer caches stems: over a skewed stream of many distinct words (hits, misses and
 * evictions), every stem must equal libstemmer's own. */
START_TEST(cached_stems_equal_libstemmer)
{
    static const char *const suffixes[] = {"", "s", "ing", "ed", "ation", "ly", "ness",
                                           "ies", "ement", "izations"};
    ls_rng r;
    ls_rng_init(&r, 0x57E3);
    ls_analyzer *a = make("english");
    struct sb_stemmer *sb = sb_stemmer_new("english", "UTF_8");
    ck_assert_ptr_nonnull(sb);
    toks t = {0};
    char word[32];
    int iters = ls_test_long() ? 2000000 : 200000;
    for (int i = 0; i < iters; i++) {
        /* word number v, skewed toward small v: base v / 10 (so words share long prefixes)
         * and suffix v % 10 */
        uint32_t v = ls_rng_below(&r, ls_rng_below(&r, 40000) + 1);
        uint64_t x = (v / 10) * 0x9E3779B97F4A7C15u;
        size_t n = 1 + (v / 10) % 12;
        for (size_t k = 0; k < n; k++, x >>= 5)
            word[k] = (char)('a' + x % 26);
        const char *suf = suffixes[v % (sizeof suffixes / sizeof suffixes[0])];
        memcpy(word + n, suf, strlen(suf) + 1);
        n += strlen(suf);
        int rc = run(a, word, n, 0, 0, &t, NULL);
        const char *want = (const char *)sb_stemmer_stem(sb, (const sb_symbol *)word, (int)n);
        if (rc != LS_OK || t.n != 1 || want == NULL || strcmp(t.text[0], want) != 0)
            ck_abort_msg("%s: rc %d, %zu tokens, got %s, want %s", word, rc, t.n,
                         t.n ? t.text[0] : "-", want ? want : "(null)");
    }
    sb_stemmer_delete(sb);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(positions_and_offsets_follow_words)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    const char *s = "  The cat's hat, 3.5 times!";
    ck_assert_int_eq(run(a, s, strlen(s), 10, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 6);
    static const char *const want[] = {"the", "cat", "hat", "3", "5", "time"};
    static const size_t start[] = {2, 6, 12, 17, 19, 21};
    static const size_t end[] = {5, 11, 15, 18, 20, 26};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(t.text[i], want[i]);
        ck_assert_uint_eq(t.pos[i], 10 + i);
        ck_assert_uint_eq(t.start[i], start[i]);
        ck_assert_uint_eq(t.end[i], end[i]);
    }
    ck_assert_uint_eq(next, 16);

    /* Offsets are bytes, not code points. */
    s = "\xC3\x89t\xC3\xA9 x";
    ck_assert_int_eq(run(a, s, strlen(s), 0, LS_ANALYZE_NOSTEM, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_str_eq(t.text[0], "ete");
    ck_assert_uint_eq(t.end[0], 5);
    ck_assert_uint_eq(t.start[1], 6);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(empty_input_gives_no_tokens)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    ck_assert_int_eq(run(a, NULL, 0, 5, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(next, 5);
    ck_assert_int_eq(run(a, "--- ...", 7, 5, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(next, 5);
    ck_assert_int_eq(run(a, "x", 1, 5, 0, &t, NULL), LS_OK); /* next_pos_out may be NULL */
    ck_assert_uint_eq(t.n, 1);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(marks_only_word_emits_nothing_but_takes_position)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    const char *s = "a \xCC\x81\xCC\x82 b"; /* U+0301 U+0302 alone */
    ck_assert_int_eq(run(a, s, strlen(s), 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_uint_eq(t.pos[0], 0);
    ck_assert_str_eq(t.text[1], "b");
    ck_assert_uint_eq(t.pos[1], 2);
    ck_assert_uint_eq(next, 3);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(stop_flag_set_on_unstemmed_normalized_word)
{
    toks t = {0};
    ls_analyzer *a = make("english");
    const char *s = "The cats WAS there; it's Their thesis, not theirs";
    ck_assert_int_eq(run(a, s, strlen(s), 0, 0, &t, NULL), LS_OK);
    ck_assert_uint_eq(t.n, 9);
    static const int want[] = {1, 0, 1, 1, 1, 1, 0, 1, 0};
    for (size_t i = 0; i < 9; i++)
        ck_assert_msg(t.stop[i] == want[i], "token %zu '%s' stop=%d", i, t.text[i], t.stop[i]);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(stopword_list_is_lucene_english)
{
    static const char *const words[] = {
        "a",    "an",   "and",  "are",  "as",   "at",   "be",    "but",  "by",
        "for",  "if",   "in",   "into", "is",   "it",   "no",    "not",  "of",
        "on",   "or",   "such", "that", "the",  "their", "then", "there", "these",
        "they", "this", "to",   "was",  "will", "with",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        ck_assert_msg(ls_stopword_is(words[i], strlen(words[i])), "%s", words[i]);
    static const char *const others[] = {"", "b", "ann", "THE", "thes", "theirs", "i", "we",
                                         "zz", "withs", "wi"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        ck_assert_msg(!ls_stopword_is(others[i], strlen(others[i])), "%s", others[i]);
    ck_assert(ls_stopword_is("then you", 4)); /* length-bounded, no NUL needed */
}
END_TEST

START_TEST(callback_nonzero_stops_and_is_returned)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    t.stop_after = 2;
    ck_assert_int_eq(run(a, "one two three four", 18, 50, 0, &t, &next), 7);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_uint_eq(next, 52);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(invalid_utf8_bytes_separate_words)
{
    ck_assert_str_eq(terms("none", 0, "ab\xFF" "cd"), "ab cd");
    ck_assert_str_eq(terms("none", 0, "a\xC0\xAF" "b"), "a b");            /* overlong '/' */
    ck_assert_str_eq(terms("none", 0, "a\xE0\x80\xC1" "b"), "a b");        /* overlong */
    ck_assert_str_eq(terms("none", 0, "a\xED\xA0\x80" "b"), "a b");        /* surrogate */
    ck_assert_str_eq(terms("none", 0, "a\xF4\x90\x80\x80" "b"), "a b");    /* > U+10FFFF */
    ck_assert_str_eq(terms("none", 0, "a\x80\xBF" "b"), "a b");            /* continuations */
    ck_assert_str_eq(terms("none", 0, "abc\xE2\x80"), "abc");              /* truncated */
    ck_assert_str_eq(terms("none", 0, "abc\xC3"), "abc");
    ck_assert_str_eq(terms("none", 0, "x'\xFF" "s"), "x s");               /* ' then junk */
    ck_assert_str_eq(terms("none", 0, "caf\xC3\xA9\xC3"), "cafe");
}
END_TEST

/* Random bytes, biased toward pieces that stress the decoder and the apostrophe rule. */
static size_t random_text(ls_rng *r, char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "'", "\xE2\x80\x99", "s", "S", "a", "Z", "7", " ", "-", "\xCC\x81", "\xC3\xA9",
        "\xEF\xAC\x81", "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xC0\xAF", "\xE2\x80",
        "\xEF\xB7\xBA", "\xED\x95\x9C", "\xE1\x84\x80", "\xE1\x85\xA1", "\xC2\xB2",
    };
    size_t n = 0, want = ls_rng_below(r, (uint32_t)cap);
    while (n < want) {
        if (ls_rng_below(r, 2)) {
            buf[n++] = (char)ls_rng_below(r, 256);
            continue;
        }
        const char *p = pieces[ls_rng_below(r, sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);
        if (n + k > want)
            break;
        memcpy(buf + n, p, k);
        n += k;
    }
    return n;
}

START_TEST(random_bytes_never_crash_and_tokens_stay_valid)
{
    ls_rng r;
    ls_rng_init(&r, 0xA11A);
    ls_analyzer *a = make("english");
    toks t = {0};
    char buf[512];
    int iters = ls_test_long() ? 200000 : 20000;
    for (int i = 0; i < iters; i++) {
        size_t n = random_text(&r, buf, sizeof buf);
        uint32_t next = 0;
        unsigned flags = (i & 1) ? LS_ANALYZE_NOSTEM : 0;
        /* collect() checks every token: valid UTF-8, 1..128 bytes, offsets inside the
         * input, positions and offsets increasing. */
        int rc = run(a, buf, n, 3, flags, &t, &next);
        int ok = rc == LS_OK && next >= 3 + t.n && next <= 3 + n;
        for (size_t k = 0; k < t.n && k < MAX_TOKS; k++)
            ok = ok && t.pos[k] < next;
        if (!ok)
            ck_abort_msg("iteration %d: rc %d, %zu tokens, next %u", i, rc, t.n, next);
    }
    ls_analyzer_free(a);
}
END_TEST

START_TEST(words_longer_than_limit_dropped_but_keep_position)
{
    char buf[1024];
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("none");

    /* 128 bytes kept, 129 dropped: "x <128 a> <129 b> y" */
    size_t n = 0;
    buf[n++] = 'x';
    buf[n++] = ' ';
    memset(buf + n, 'a', 128);
    n += 128;
    buf[n++] = ' ';
    memset(buf + n, 'b', 129);
    n += 129;
    buf[n++] = ' ';
    buf[n++] = 'y';
    ck_assert_int_eq(run(a, buf, n, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 3);
    ck_assert_uint_eq(t.len[1], 128);
    ck_assert_str_eq(t.text[2], "y");
    ck_assert_uint_eq(t.pos[2], 3);
    ck_assert_uint_eq(next, 4);

    /* Apostrophes do not count: 128 letters with one inside is kept. */
    memset(buf, 'c', 129);
    buf[60] = '\'';
    ck_assert_int_eq(run(a, buf, 129, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.len[0], 128);

    /* The limit is on normalized bytes: 100 x "é" (200 bytes in) folds to 100 bytes. */
    n = 0;
    for (int i = 0; i < 100; i++) {
        buf[n++] = '\xC3';
        buf[n++] = '\xA9';
    }
    ck_assert_int_eq(run(a, buf, n, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.len[0], 100);
    for (int i = 0; i < 29; i++) {
        buf[n++] = '\xC3';
        buf[n++] = '\xA9';
    }
    ck_assert_int_eq(run(a, buf, n, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(next, 1);

    /* 43 Hangul syllables: 129 bytes (3 jamo each while folding) is dropped, 42 kept. */
    n = 0;
    for (int i = 0; i < 43; i++) {
        memcpy(buf + n, "\xED\x95\x9C", 3);
        n += 3;
    }
    ck_assert_int_eq(run(a, buf, n, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_int_eq(run(a, buf, n - 3, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.len[0], 126);
    ls_analyzer_free(a);
}
END_TEST

/* A 10 MB word of 'a', then of "é", each followed by a short word. */
START_TEST(ten_megabyte_word_dropped_in_linear_time)
{
    size_t big = 10u << 20;
    char *buf = malloc(big + 8);
    ck_assert_ptr_nonnull(buf);
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");

    memset(buf, 'a', big);
    memcpy(buf + big, " tail", 5);
    ck_assert_int_eq(run(a, buf, big + 5, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_str_eq(t.text[0], "tail");
    ck_assert_uint_eq(t.pos[0], 1);
    ck_assert_uint_eq(t.start[0], big + 1);

    for (size_t i = 0; i < big; i += 2) {
        buf[i] = '\xC3';
        buf[i + 1] = '\xA9';
    }
    ck_assert_int_eq(run(a, buf, big + 5, 0, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_str_eq(t.text[0], "tail");
    ck_assert_uint_eq(next, 2);
    ls_analyzer_free(a);
    free(buf);
}
END_TEST

static int count_only(const ls_token *tok, void *payload)
{
    (void)tok;
    (*(size_t *)payload)++;
    return 0;
}

/* 16 MB of text (100 MB with LS_TEST_LONG=1): every word is seen, none is lost. */
START_TEST(large_text_analyzed_completely)
{
    static const char sentence[] = "Iran's 25-year agreements were running, and the \xC3\x89"
                                   "COLE's data (3.5%) didn't stop. ";
    size_t slen = sizeof sentence - 1;
    size_t total = ls_test_long() ? (100u << 20) : (16u << 20);
    size_t reps = total / slen;
    char *buf = malloc(reps * slen);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < reps; i++)
        memcpy(buf + i * slen, sentence, slen);

    ls_analyzer *a = make("english");
    toks t = {0};
    ck_assert_int_eq(run(a, sentence, slen, 0, 0, &t, NULL), LS_OK);
    size_t words_per = t.n; /* iran 25 year agreement were run and the ecol data 3 5 didnt stop */
    ck_assert_uint_eq(words_per, 14);
    size_t seen = 0;
    uint32_t next = 0;
    ck_assert_int_eq(ls_analyze(a, buf, reps * slen, 0, 0, count_only, &seen, &next), LS_OK);
    ck_assert_uint_eq(seen, reps * words_per);
    ck_assert_uint_eq(next, reps * words_per);
    ls_analyzer_free(a);
    free(buf);
}
END_TEST

START_TEST(analyze_allocates_nothing)
{
    ls_analyzer *a = make("english");
    toks t = {0};
    const char *s = "Allocation-free: Ra\xC3\xAFsi's \xEF\xAC\x81nances, running agreements.";
    ls_alloc_fail_after(0);
    int rc = run(a, s, strlen(s), 0, 0, &t, NULL);
    ls_alloc_fail_after(-1);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(t.n, 6);
    ls_analyzer_free(a);
}
END_TEST

START_TEST(allocation_failure_is_enomem)
{
    for (long k = 0; k < 3; k++) { /* analyzer, stemmer, stem cache */
        ls_analyzer *a = (ls_analyzer *)&a;
        ls_error err;
        ls_alloc_fail_after(k);
        int rc = ls_analyzer_new("english", &a, &err);
        ls_alloc_fail_after(-1);
        ck_assert_int_eq(rc, LS_ENOMEM);
        ck_assert_int_eq(err.code, LS_ENOMEM);
        ck_assert_ptr_null(a);
    }
    ls_analyzer *a = NULL;
    ls_alloc_fail_after(3);
    int rc = ls_analyzer_new("english", &a, NULL);
    ls_alloc_fail_after(-1);
    ck_assert_int_eq(rc, LS_OK);
    ls_analyzer_free(a);
    ls_analyzer_free(NULL);
}
END_TEST

START_TEST(positions_saturate_at_uint32_max)
{
    toks t = {0};
    uint32_t next = 0;
    ls_analyzer *a = make("english");
    ck_assert_int_eq(run(a, "x", 1, UINT32_MAX - 1, 0, &t, &next), LS_OK);
    ck_assert_uint_eq(next, UINT32_MAX);
    size_t seen = 0; /* not collect(): it insists on increasing positions */
    ck_assert_int_eq(ls_analyze(a, "x y z", 5, UINT32_MAX - 1, 0, count_only, &seen, &next),
                     LS_OK);
    ck_assert_uint_eq(seen, 3);
    ck_assert_uint_eq(next, UINT32_MAX);
    ls_analyzer_free(a);
}
END_TEST

/* Declared for -Wmissing-prototypes; "extern" keeps this line out of the runner's grep. */
extern Suite *ls_suite_analysis(void);

Suite *ls_suite_analysis(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("words");
    tcase_add_test(tc, possessive_removed_for_straight_and_curly_apostrophe);
    tcase_add_test(tc, apostrophes_inside_words_dropped_outside_separate);
    tcase_add_test(tc, accents_stripped_and_case_folded);
    tcase_add_test(tc, nfkc_folds_ligatures_and_fullwidth);
    tcase_add_test(tc, compatibility_forms_keep_only_letters_and_digits);
    tcase_add_test(tc, hyphen_splits_into_adjacent_positions);
    tcase_add_test(tc, numbers_are_words_and_dots_separate);
    tcase_add_test(tc, punctuation_symbols_and_emoji_separate);
    tcase_add_test(tc, invalid_utf8_bytes_separate_words);
    tcase_add_test(tc, marks_only_word_emits_nothing_but_takes_position);
    tcase_add_test(tc, empty_input_gives_no_tokens);
    suite_add_tcase(s, tc);

    tc = tcase_create("pipeline");
    tcase_add_test(tc, english_stemming_applies_after_normalization);
    tcase_add_test(tc, language_none_does_not_stem);
    tcase_add_test(tc, null_language_means_english_and_others_stem);
    tcase_add_test(tc, unknown_language_is_einval_listing_stemmers);
    tcase_add_test(tc, positions_and_offsets_follow_words);
    tcase_add_test(tc, stop_flag_set_on_unstemmed_normalized_word);
    tcase_add_test(tc, stopword_list_is_lucene_english);
    tcase_add_test(tc, callback_nonzero_stops_and_is_returned);
    tcase_add_test(tc, analyze_allocates_nothing);
    tcase_add_test(tc, allocation_failure_is_enomem);
    tcase_add_test(tc, positions_saturate_at_uint32_max);
    suite_add_tcase(s, tc);

    tc = tcase_create("stress");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, random_bytes_never_crash_and_tokens_stay_valid);
    tcase_add_test(tc, cached_stems_equal_libstemmer);
    tcase_add_test(tc, words_longer_than_limit_dropped_but_keep_position);
    tcase_add_test(tc, ten_megabyte_word_dropped_in_linear_time);
    tcase_add_test(tc, large_text_analyzed_completely);
    suite_add_tcase(s, tc);
    return s;
}
