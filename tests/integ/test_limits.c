/* SPDX-License-Identifier: MIT */
/*
 * test_limits.c - every limit of libsearch.h at its boundary: the largest value accepted, the
 * next one refused with LS_ELIMIT (or, in the lenient and plain syntaxes, read around), and
 * never an overflow. Limits the tests cannot reach in memory or time (documents per segment
 * and per index) are checked where the code counts them; see docs/LIMITS.md.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libsearch.h"
#include "testutil.h"

static ls_writer *open_writer(const char *dir, int no_merge)
{
    ls_writer *w;
    ls_error err;
    ls_writer_options o = LS_WRITER_OPTIONS_INIT;
    o.no_auto_merge = no_merge;
    ck_assert_int_eq(ls_writer_open(dir, &o, &w, &err), LS_OK);
    return w;
}

static int add(ls_writer *w, const char *id, size_t id_len, const char *body, size_t body_len,
               const void *stamp, size_t stamp_len, ls_error *err)
{
    ls_document d = LS_DOCUMENT_INIT;
    d.id = id;
    d.id_len = id_len;
    d.body = body;
    d.body_len = body_len;
    d.stamp = stamp;
    d.stamp_len = stamp_len;
    return ls_writer_add(w, &d, err);
}

static uint64_t hits_for(const char *dir, const char *q, size_t qlen, int syntax, int *rc_out)
{
    ls_reader *r;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ls_search_options o = LS_SEARCH_OPTIONS_INIT;
    o.syntax = syntax;
    o.feedback_docs = 0;
    ls_hits *h = NULL;
    *rc_out = ls_search(r, q, qlen, &o, &h, &err);
    uint64_t n = ls_hits_total(h);
    ls_hits_free(h);
    ls_reader_close(r);
    return n;
}

START_TEST(limits_id_and_stamp)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 0);
    ls_error err;
    char *id = malloc(LS_MAX_ID_BYTES + 1);
    uint8_t stamp[LS_MAX_STAMP_BYTES + 1];
    memset(id, 'x', LS_MAX_ID_BYTES + 1);
    memset(stamp, 0xA5, sizeof stamp);
    ck_assert_int_eq(add(w, id, 0, "body", 4, NULL, 0, &err), LS_EINVAL);
    ck_assert_int_eq(add(w, id, LS_MAX_ID_BYTES + 1, "body", 4, NULL, 0, &err), LS_ELIMIT);
    ck_assert_int_eq(add(w, id, LS_MAX_ID_BYTES, "longest id", 10, stamp, LS_MAX_STAMP_BYTES,
                         &err),
                     LS_OK);
    ck_assert_int_eq(add(w, "s", 1, "b", 1, stamp, LS_MAX_STAMP_BYTES + 1, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    ls_reader *r;
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ck_assert_int_eq(ls_reader_get(r, id, LS_MAX_ID_BYTES, &info, &err), LS_OK);
    ck_assert_uint_eq(info.stamp_len, LS_MAX_STAMP_BYTES);
    ck_assert_int_eq(memcmp(info.stamp, stamp, LS_MAX_STAMP_BYTES), 0);
    ck_assert_int_eq(ls_reader_get(r, id, LS_MAX_ID_BYTES + 1, &info, &err), LS_ENOTFOUND);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ls_reader_close(r);
    free(id);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* LS_MAX_WRITER_THREADS index threads work (a document each, committed and found); one more
 * is refused before anything is opened. */
START_TEST(limits_writer_threads)
{
    char *dir = ls_test_tmpdir();
    ls_writer_options o = LS_WRITER_OPTIONS_INIT;
    ls_writer *w = (ls_writer *)1;
    ls_error err;
    o.threads = LS_MAX_WRITER_THREADS + 1;
    ck_assert_int_eq(ls_writer_open(dir, &o, &w, &err), LS_EINVAL);
    ck_assert_ptr_null(w);
    ck_assert_msg(strstr(err.message, "threads") != NULL, "%s", err.message);
    o.threads = LS_MAX_WRITER_THREADS;
    o.ram_budget = 1; /* the smallest batches (512 bytes): a document each, every thread two */
    ck_assert_int_eq(ls_writer_open(dir, &o, &w, &err), LS_OK);
    char id[16], body[640];
    for (unsigned i = 0; i < 2 * LS_MAX_WRITER_THREADS; i++) {
        int il = snprintf(id, sizeof id, "d%u", i);
        int bl = snprintf(body, sizeof body, "word%u common", i);
        while (bl < 600)
            bl += snprintf(body + bl, sizeof body - (size_t)bl, " pad");
        ck_assert_int_eq(add(w, id, (size_t)il, body, (size_t)bl, NULL, 0, &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    int rc;
    ck_assert_uint_eq(hits_for(dir, "common", 6, LS_SYNTAX_PLAIN, &rc),
                      2 * LS_MAX_WRITER_THREADS);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(hits_for(dir, "word77", 6, LS_SYNTAX_PLAIN, &rc), 1);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A document over LS_MAX_DOCUMENT_BYTES is refused from its lengths alone: the writer never
 * reads the (here unmapped) bytes. At the limit itself it would index 2 GiB, which is
 * test-long's. */
START_TEST(limits_document_bytes)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 0);
    ls_error err;
    static const char small[] = "tiny";
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "big";
    d.id_len = 3;
    d.body = small;
    d.body_len = (size_t)LS_MAX_DOCUMENT_BYTES + 1;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "2 GiB"));
    d.body_len = (size_t)LS_MAX_DOCUMENT_BYTES - 2; /* + id 3 bytes: one over */
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_ELIMIT);
    d.title = small;
    d.title_len = SIZE_MAX; /* the sum must not wrap */
    d.body_len = 4;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_ELIMIT);
    /* The writer is still usable after a refused document. */
    ck_assert_int_eq(add(w, "ok", 2, "fine words", 10, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    if (ls_test_long()) {
        /* Exactly at the limit: an anonymous zero map reads as separators, no words. */
        size_t body = (size_t)LS_MAX_DOCUMENT_BYTES - 3;
        char *big = mmap(NULL, body, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ck_assert_ptr_ne(big, MAP_FAILED);
        w = open_writer(dir, 0);
        ck_assert_int_eq(add(w, "max", 3, big, body, NULL, 0, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
        munmap(big, body);
    }
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A word of LS_MAX_TERM_BYTES is a term; one byte more is dropped, its position kept. */
START_TEST(limits_term_bytes)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 0);
    ls_error err;
    char body[3 * LS_MAX_TERM_BYTES];
    char fit[LS_MAX_TERM_BYTES + 1], over[LS_MAX_TERM_BYTES + 2];
    memset(fit, 'q', LS_MAX_TERM_BYTES);
    fit[LS_MAX_TERM_BYTES] = '\0';
    memset(over, 'z', LS_MAX_TERM_BYTES + 1);
    over[LS_MAX_TERM_BYTES + 1] = '\0';
    int n = snprintf(body, sizeof body, "%s alpha %s beta", fit, over);
    ck_assert_int_eq(add(w, "t", 1, body, (size_t)n, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    int rc;
    ck_assert_uint_eq(hits_for(dir, fit, strlen(fit), LS_SYNTAX_STRICT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(hits_for(dir, over, strlen(over), LS_SYNTAX_LENIENT, &rc), 0);
    ck_assert_int_eq(rc, LS_OK);
    /* alpha and beta are two positions apart: the dropped word kept its place. */
    ck_assert_uint_eq(hits_for(dir, "\"alpha beta\"", 12, LS_SYNTAX_STRICT, &rc), 0);
    ck_assert_uint_eq(hits_for(dir, "alpha AND beta", 14, LS_SYNTAX_STRICT, &rc), 1);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

static char *repeat(const char *unit, size_t times, const char *head, const char *tail,
                    size_t *len)
{
    size_t ul = strlen(unit), hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * times, tail, tl + 1);
    *len = hl + ul * times + tl;
    return s;
}

static char *index_of_words(void)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 0);
    ls_error err;
    size_t n;
    char *body = repeat("iran ", 3000, "", "", &n);
    ck_assert_int_eq(add(w, "a", 1, body, n, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(add(w, "b", 1, "china", 5, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    free(body);
    return dir;
}

START_TEST(limits_query_bytes)
{
    char *dir = index_of_words();
    int rc;
    size_t n;
    /* exactly LS_MAX_QUERY_BYTES: "iran " repeated, padded to the limit */
    char *q = malloc(LS_MAX_QUERY_BYTES + 1);
    ck_assert_ptr_nonnull(q);
    for (n = 0; n + 5 <= LS_MAX_QUERY_BYTES; n += 5)
        memcpy(q + n, "iran ", 5);
    while (n < LS_MAX_QUERY_BYTES)
        q[n++] = ' ';
    q[n] = '\0';
    ck_assert_uint_eq(hits_for(dir, q, n, LS_SYNTAX_STRICT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    char *q2 = malloc(n + 8);
    memcpy(q2, q, n);
    memcpy(q2 + n, "china", 5);
    ck_assert_uint_eq(hits_for(dir, q2, n + 5, LS_SYNTAX_STRICT, &rc), 0);
    ck_assert_int_eq(rc, LS_ELIMIT);
    /* lenient and plain ignore what is past the limit ("china" there is not read) */
    ck_assert_uint_eq(hits_for(dir, q2, n + 5, LS_SYNTAX_LENIENT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(hits_for(dir, q2, n + 5, LS_SYNTAX_PLAIN, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    free(q);
    free(q2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(limits_query_depth)
{
    char *dir = index_of_words();
    int rc;
    size_t n;
    /* LS_MAX_QUERY_DEPTH parentheses are fine, one more is too deep in strict syntax */
    char *head = repeat("(", LS_MAX_QUERY_DEPTH, "", "", &n);
    char *tail = repeat(")", LS_MAX_QUERY_DEPTH, "", "", &n);
    size_t ql;
    char *ok = repeat("iran", 1, head, tail, &ql);
    ck_assert_uint_eq(hits_for(dir, ok, ql, LS_SYNTAX_STRICT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    char *deep = malloc(ql + 3);
    n = (size_t)snprintf(deep, ql + 3, "(%s)", ok);
    ck_assert_uint_eq(hits_for(dir, deep, n, LS_SYNTAX_STRICT, &rc), 0);
    ck_assert_int_eq(rc, LS_ELIMIT);
    free(deep);
    free(ok);
    free(head);
    free(tail);
    /* 30,000 parentheses and operators: lenient flattens them, never fails */
    char *h2 = repeat("(-+NOT ", 30000, "", "", &n);
    char *t2 = repeat(")", 30000, "", "", &n);
    char *big = malloc(strlen(h2) + strlen(t2) + 16);
    n = (size_t)sprintf(big, "%schina%s", h2, t2);
    (void)hits_for(dir, big, n > LS_MAX_QUERY_BYTES ? LS_MAX_QUERY_BYTES : n, LS_SYNTAX_LENIENT,
                   &rc);
    ck_assert_int_eq(rc, LS_OK);
    free(h2);
    free(t2);
    free(big);
    h2 = repeat("(", 30000, "", "", &n);
    t2 = repeat(")", 30000, "", "", &n);
    big = malloc(2 * 30000 + 16);
    n = (size_t)sprintf(big, "%siran%s", h2, t2);
    ck_assert_uint_eq(hits_for(dir, big, n, LS_SYNTAX_LENIENT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    free(h2);
    free(t2);
    free(big);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(limits_phrase_words)
{
    char *dir = index_of_words();
    int rc;
    size_t n;
    char *fit = repeat("iran ", LS_MAX_PHRASE_WORDS, "\"", "\"", &n);
    ck_assert_uint_eq(hits_for(dir, fit, n, LS_SYNTAX_STRICT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    free(fit);
    char *over = repeat("iran ", LS_MAX_PHRASE_WORDS + 1, "\"", "\"", &n);
    ck_assert_uint_eq(hits_for(dir, over, n, LS_SYNTAX_STRICT, &rc), 0);
    ck_assert_int_eq(rc, LS_ELIMIT);
    /* lenient: split into required phrases, still matching document a (3,000 words) */
    ck_assert_uint_eq(hits_for(dir, over, n, LS_SYNTAX_LENIENT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    free(over);
    char *longer = repeat("iran ", 2600, "\"", "\"", &n);
    ck_assert_uint_eq(hits_for(dir, longer, n, LS_SYNTAX_LENIENT, &rc), 1);
    ck_assert_int_eq(rc, LS_OK);
    free(longer);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* LS_MAX_PREFIX_TERMS: a prefix of exactly that many dictionary terms scores as one term; one
 * more term in its range is LS_ELIMIT naming the prefix, whatever the syntax. */
START_TEST(limits_prefix_terms)
{
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 0);
    ls_error err;
    /* words zq0000 .. zq1023 (the range of zq*) and zr0000 .. zr1024 (one more for zr*),
     * across two segments */
    for (unsigned k = 0; k < 2; k++) {
        size_t cap = 16 * (LS_MAX_PREFIX_TERMS + 1) + 1, len = 0;
        char *body = malloc(cap), id[8];
        ck_assert_ptr_nonnull(body);
        for (unsigned i = 0; i < LS_MAX_PREFIX_TERMS + k; i++)
            len += (size_t)snprintf(body + len, cap - len, "z%c%04u ", k ? 'r' : 'q', i);
        snprintf(id, sizeof id, "d%u", k);
        ck_assert_int_eq(add(w, id, strlen(id), body, len, NULL, 0, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        free(body);
    }
    ls_writer_close(w);
    int rc;
    static const int syntaxes[] = {LS_SYNTAX_STRICT, LS_SYNTAX_LENIENT};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_uint_eq(hits_for(dir, "zq*", 3, syntaxes[i], &rc), 1);
        ck_assert_int_eq(rc, LS_OK);
        ck_assert_uint_eq(hits_for(dir, "zr*", 3, syntaxes[i], &rc), 0);
        ck_assert_int_eq(rc, LS_ELIMIT);
    }
    ls_reader *r;
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ls_hits *h = NULL;
    ck_assert_int_eq(ls_search(r, "zr*", 3, NULL, &h, &err), LS_ELIMIT);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(err.message, "'zr*'") != NULL && strstr(err.message, "1024") != NULL,
                  "%s", err.message);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* LS_MAX_SEGMENTS with merging off: the commit that would exceed it is refused and leaves the
 * last commit intact; optimize then works. 4,097 commits take a while: test-long only. */
START_TEST(limits_segments)
{
    if (!ls_test_long())
        return;
    char *dir = ls_test_tmpdir();
    ls_writer *w = open_writer(dir, 1);
    ls_error err;
    char id[32];
    for (unsigned i = 0; i < LS_MAX_SEGMENTS; i++) {
        int n = snprintf(id, sizeof id, "d%u", i);
        ck_assert_int_eq(add(w, id, (size_t)n, "word", 4, NULL, 0, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    }
    ck_assert_int_eq(add(w, "one-more", 8, "word", 4, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_ELIMIT);
    ls_writer_close(w);
    int rc;
    ck_assert_uint_eq(hits_for(dir, "word", 4, LS_SYNTAX_STRICT, &rc), LS_MAX_SEGMENTS);
    w = open_writer(dir, 0);
    ck_assert_int_eq(ls_writer_optimize(w, 1, &err), LS_OK);
    ls_writer_close(w);
    ck_assert_uint_eq(hits_for(dir, "word", 4, LS_SYNTAX_STRICT, &rc), LS_MAX_SEGMENTS);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_limits(void)
{
    Suite *s = suite_create("limits");
    TCase *t = tcase_create("limits");
    tcase_set_timeout(t, ls_test_long() ? 3600 : 120);
    tcase_add_test(t, limits_id_and_stamp);
    tcase_add_test(t, limits_writer_threads);
    tcase_add_test(t, limits_document_bytes);
    tcase_add_test(t, limits_term_bytes);
    tcase_add_test(t, limits_query_bytes);
    tcase_add_test(t, limits_query_depth);
    tcase_add_test(t, limits_phrase_words);
    tcase_add_test(t, limits_prefix_terms);
    tcase_add_test(t, limits_segments);
    suite_add_tcase(s, t);
    return s;
}
