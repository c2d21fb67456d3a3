/* SPDX-License-Identifier: MIT */
/*
 * test_faults_input.c - the fault suite's hostile input: documents with bad UTF-8, empty
 * fields, no id or ids and stamps over the limits, a 100 MB document (added, found, replaced),
 * malformed queries in every syntax, random query soup, and out-of-range options and
 * arguments. Each is refused with a clear code (LS_EINVAL, LS_ELIMIT, LS_EQUERY with its
 * position) or indexed and found, never a crash.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultutil.h"
#include "libsearch.h"
#include "testutil.h"

/* ---- hostile documents ------------------------------------------------------------------ */

START_TEST(faults_bad_utf8_and_empty_documents)
{
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    /* invalid bytes: stray continuation, truncated sequences, overlong, surrogate, > U+10FFFF,
     * a NUL, and a sequence cut by the end of the field */
    static const char bad[] = "\x80\xbf zzvalidone \xc3 caf\xc3\xa9 \xe2\x82 \xc0\xaf \xed\xa0\x80 "
                              "\xf4\x90\x80\x80 mid\xffword \x00 zzvalidtwo \xf0\x9f\x98";
    static const char bad_title[] = "\xfe\xff title\xc3";
    struct {
        const char *id, *title, *body;
        size_t title_len, body_len;
    } docs[] = {
        {"bad-utf8", bad_title, bad, sizeof bad_title - 1, sizeof bad - 1},
        {"all-null", NULL, NULL, 0, 0},
        {"all-empty", "", "", 0, 0},
        {"only-invalid", "\xff\xfe", "\x80\x81\x82\xc3", 2, 4},
        {"only-punct", "...", " ,;:!? \t\n ", 3, 11},
        {"title-only", "zzemptyid", NULL, 9, 0},
        {"\xff\xfe id", "zzbadid", NULL, 7, 0}, /* ids are bytes: any bytes */
    };
    size_t nd = sizeof docs / sizeof docs[0];
    for (size_t i = 0; i < nd; i++) {
        ls_document d = LS_DOCUMENT_INIT;
        d.id = docs[i].id;
        d.id_len = strlen(docs[i].id);
        d.title = docs[i].title;
        d.title_len = docs[i].title_len;
        d.body = docs[i].body;
        d.body_len = docs[i].body_len;
        int rc = ls_writer_add(w, &d, &err);
        ck_assert_msg(rc == LS_OK, "add %s: %d %s", docs[i].id, rc, err.message);
    }
    /* every document needs an id: NULL, empty; over the limits: id, stamp; a bad version. The
     * writer stays usable after each refusal. */
    ls_document d = LS_DOCUMENT_INIT;
    d.body = "zznoid";
    d.body_len = 6;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    ck_assert(strlen(err.message) > 0);
    d.id = "";
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    d.id = "x";
    d.id_len = 0;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    char *longid = malloc(LS_MAX_ID_BYTES + 1);
    ck_assert_ptr_nonnull(longid);
    memset(longid, 'i', LS_MAX_ID_BYTES + 1);
    d.id = longid;
    d.id_len = LS_MAX_ID_BYTES + 1;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_ELIMIT);
    d.body = "zzaccepted";
    d.body_len = 10;
    d.id_len = LS_MAX_ID_BYTES; /* the longest id is fine */
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    char stamp[LS_MAX_STAMP_BYTES + 1];
    memset(stamp, 's', sizeof stamp);
    d.id = "stamped";
    d.id_len = 7;
    d.stamp = stamp;
    d.stamp_len = sizeof stamp;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_ELIMIT);
    d.stamp_len = LS_MAX_STAMP_BYTES;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    d.version = 0;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    d.version = LS_DOCUMENT_VERSION + 1;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_add(w, NULL, &err), LS_EINVAL);
    /* deletions by bad ids */
    ck_assert_int_eq(ls_writer_delete(w, "", 0, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete(w, NULL, 3, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete(w, "no-such-doc", 11, &err), LS_ENOTFOUND);
    ck_assert_int_eq(ls_writer_delete_prefix(w, NULL, 2, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    nd += 2; /* the long id, the stamped one */

    ls_reader *r = ls_ft_open_ok(dir);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ck_assert_uint_eq(ls_ft_doc_count(r, NULL), nd);
    ck_assert_uint_eq(ls_ft_id_count(r), nd);
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ck_assert_int_eq(ls_reader_get(r, longid, LS_MAX_ID_BYTES, &info, &err), LS_OK);
    ck_assert_int_eq(ls_reader_get(r, "stamped", 7, &info, &err), LS_OK);
    ck_assert_uint_eq(info.stamp_len, LS_MAX_STAMP_BYTES);
    ck_assert(memcmp(info.stamp, stamp, LS_MAX_STAMP_BYTES) == 0);
    ck_assert_int_eq(ls_reader_get(r, longid, LS_MAX_ID_BYTES + 1, &info, &err), LS_ENOTFOUND);
    free(longid);
    static const char *const finds[] = {"zzvalidone", "zzvalidtwo", "café", "mid", "word"};
    for (size_t i = 0; i < sizeof finds / sizeof finds[0]; i++) {
        ls_hits *h;
        int rc = ls_search(r, finds[i], strlen(finds[i]), NULL, &h, &err);
        ck_assert_msg(rc == LS_OK, "%s: %d %s", finds[i], rc, err.message);
        ck_assert_msg(ls_hits_total(h) == 1, "%s: %llu hits", finds[i],
                      (unsigned long long)ls_hits_total(h));
        const ls_hit *hit = ls_hits_get(h, 0);
        ck_assert_str_eq(hit->id, "bad-utf8");
        ck_assert_uint_eq(hit->title_len, sizeof bad_title - 1);
        ck_assert(memcmp(hit->title, bad_title, hit->title_len) == 0);
        const ls_snippet *s = hit->snippet;
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_le(s->field_offset + s->len, sizeof bad - 1);
        ck_assert(memcmp(s->text, bad + s->field_offset, s->len) == 0);
        ck_assert_uint_ge(s->n_matches, 1);
        for (size_t k = 0; k < s->n_matches; k++)
            ck_assert_uint_le(s->matches[k].offset + s->matches[k].length, s->len);
        ls_hits_free(h);
    }
    /* the title-only document; the refused documents left nothing */
    ls_hits *h;
    ck_assert_int_eq(ls_search(r, "zzemptyid", 9, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "title-only");
    ck_assert_ptr_nonnull(ls_hits_get(h, 0)->snippet);
    ck_assert_int_eq(ls_hits_get(h, 0)->snippet->field, LS_FIELD_TITLE);
    ls_hits_free(h);
    ck_assert_int_eq(ls_search(r, "zznoid", 6, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 0);
    ls_hits_free(h);
    ck_assert_int_eq(ls_search(r, "zzaccepted", 10, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 2);
    ls_hits_free(h);
    /* every document, empty ones included, through a pure negation */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = 100;
    ck_assert_int_eq(ls_search(r, "-qqqqqq", 7, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), nd);
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        ck_assert_ptr_nonnull(hit->id);
        ck_assert_uint_gt(hit->id_len, 0);
        ck_assert_ptr_nonnull(hit->title);
        ck_assert_ptr_nonnull(hit->path);
        ck_assert_uint_eq(hit->path_len, 0);
        ck_assert_ptr_nonnull(hit->snippet);
        ck_assert_uint_le(hit->snippet->len, sizeof bad);
    }
    ls_hits_free(h);
    /* queries with invalid bytes are words separated by garbage, not errors */
    static const char badq[] = "\xff zzvalidone \xc3";
    ck_assert_int_eq(ls_search(r, badq, sizeof badq - 1, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ls_hits_free(h);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_huge_document)
{
    const size_t target = (size_t)100 << 20;
    static const char marker[] = "zzmiddlemarker";
    char *body = malloc(target + 64);
    ck_assert_ptr_nonnull(body);
    ls_rng r;
    ls_rng_init(&r, 1900);
    size_t len = 0, mid_at = 0;
    int placed = 0;
    while (len < target) {
        const char *wd;
        if (!placed && len >= target / 2) {
            wd = marker;
            mid_at = len;
            placed = 1;
        } else {
            wd = ls_ft_vocab[ls_rng_below(&r, LS_FT_NVOCAB)];
        }
        size_t wl = strlen(wd);
        memcpy(body + len, wd, wl);
        len += wl;
        body[len++] = ls_rng_below(&r, 16) ? ' ' : '\n';
    }
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "huge";
    d.id_len = 4;
    d.title = "A very large document";
    d.title_len = strlen(d.title);
    d.body = body;
    d.body_len = len;
    int rc = ls_writer_add(w, &d, &err);
    ck_assert_msg(rc == LS_OK, "add 100 MB: %d %s", rc, err.message);
    ls_document small = LS_DOCUMENT_INIT;
    small.id = "small";
    small.id_len = 5;
    small.body = "alpha and a zzsmallmarker";
    small.body_len = strlen(small.body);
    ck_assert_int_eq(ls_writer_add(w, &small, &err), LS_OK);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
    ls_writer_close(w);

    ls_reader *rd = ls_ft_open_ok(dir);
    ck_assert_uint_eq(ls_ft_doc_count(rd, NULL), 2);
    ls_hits *h;
    rc = ls_search(rd, marker, strlen(marker), NULL, &h, &err);
    ck_assert_msg(rc == LS_OK, "search: %d %s", rc, err.message);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    const ls_hit *hit = ls_hits_get(h, 0);
    ck_assert_str_eq(hit->id, "huge");
    const ls_snippet *s = hit->snippet;
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->field, LS_FIELD_BODY);
    ck_assert_uint_gt(s->len, strlen(marker));
    ck_assert_uint_le(s->len, 512);
    ck_assert_uint_eq(strlen(s->text), s->len);
    ck_assert_uint_le(s->field_offset + s->len, len);
    ck_assert(memcmp(s->text, body + s->field_offset, s->len) == 0);
    ck_assert_uint_le(s->field_offset, mid_at);
    ck_assert_uint_ge(s->field_offset + s->len, mid_at + strlen(marker));
    ck_assert_uint_ge(s->n_matches, 1);
    ck_assert(!s->starts_field && !s->ends_field);
    ls_hits_free(h);
    /* both documents, without snippets (each would re-read the 100 MB) nor feedback */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.snippets = 0;
    so.feedback_docs = 0;
    ck_assert_int_eq(ls_search(rd, "zzsmallmarker OR alpha", 22, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 2);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "small"); /* it has both words */
    ls_hits_free(h);
    ck_assert_int_eq(ls_reader_check(rd, &err), LS_OK);
    ls_reader_close(rd);

    /* replacing and deleting the huge document (its corrections re-read its 100 MB) */
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    d.title = "the huge document, replaced";
    d.title_len = strlen(d.title);
    d.body = "zzreplacedbody";
    d.body_len = strlen(d.body);
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "commit of the replacement: %d %s", rc, err.message);
    ls_writer_close(w);
    rd = ls_ft_open_ok(dir);
    ck_assert_uint_eq(ls_ft_doc_count(rd, NULL), 2);
    ck_assert_int_eq(ls_search(rd, marker, strlen(marker), &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 0);
    ls_hits_free(h);
    ck_assert_int_eq(ls_search(rd, "alpha", 5, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ls_hits_free(h);
    ck_assert_int_eq(ls_reader_check(rd, &err), LS_OK);
    ls_reader_close(rd);
    free(body);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- hostile queries and options -------------------------------------------------------- */

typedef struct bad_query {
    const char *q;
    size_t position; /* SIZE_MAX: anywhere inside the query */
} bad_query;

START_TEST(faults_bad_queries)
{
    char *dir = ls_ft_build_index(50, 1, 2000);
    ls_reader *r = ls_ft_open_ok(dir);
    static const bad_query bad[] = {
        {"", 0},
        {"   ", SIZE_MAX},
        {"\"alpha bravo", 0},
        {"alpha \"bravo", 6},
        {"(alpha", 0},
        {"alpha)", 5},
        {"((alpha OR bravo)", SIZE_MAX},
        {"nosuchfield:alpha", 0},
        {"alpha AND", SIZE_MAX},
        {"AND alpha", 0},
        {"OR", 0},
        {"NOT", 0},
        {"alpha OR OR bravo", SIZE_MAX},
        {"()", 0},
        {"title:", 0},
        {"+", SIZE_MAX},
        {"-", SIZE_MAX},
        {"\"\"", SIZE_MAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *q = bad[i].q;
        size_t ql = strlen(q);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        ls_hits *h = (ls_hits *)1;
        ls_error err;
        int rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_EQUERY, "strict '%s': %d", q, rc);
        ck_assert_ptr_null(h);
        ck_assert_int_eq(err.code, LS_EQUERY);
        ck_assert_msg(strlen(err.message) > 0, "strict '%s': empty message", q);
        ck_assert_msg(err.position != (size_t)-1 && err.position <= ql, "strict '%s': position %zu",
                      q, err.position);
        if (bad[i].position != SIZE_MAX)
            ck_assert_msg(err.position == bad[i].position, "strict '%s': position %zu, want %zu", q,
                          err.position, bad[i].position);
        so.syntax = LS_SYNTAX_LENIENT;
        rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK, "lenient '%s': %d %s", q, rc, err.message);
        ls_hits_free(h);
        so.syntax = LS_SYNTAX_PLAIN;
        rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK, "plain '%s': %d %s", q, rc, err.message);
        ls_hits_free(h);
    }
    /* lenient still finds what the words say */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.syntax = LS_SYNTAX_LENIENT;
    ls_hits *h, *h2;
    ls_error err;
    ck_assert_int_eq(ls_search(r, "(alpha", 6, &so, &h, &err), LS_OK);
    ck_assert_int_eq(ls_search(r, "alpha", 5, NULL, &h2, &err), LS_OK);
    ck_assert_uint_gt(ls_hits_total(h), 0);
    ck_assert_uint_eq(ls_hits_total(h), ls_hits_total(h2));
    ls_hits_free(h);
    ls_hits_free(h2);

    /* random byte soup in every syntax: never a crash, only LS_OK / LS_EQUERY */
    ls_rng rng;
    ls_rng_init(&rng, 2001);
    static const char alphabet[] = "ab \"()*:+-ANDORTtitlebody\\\xff\xc3";
    int iters = ls_test_long() ? 20000 : 2000;
    so.feedback_docs = 0; /* feedback is tested by the feedback suite; this is about parsing */
    for (int t = 0; t < iters; t++) {
        char q[48];
        size_t ql = ls_rng_below(&rng, sizeof q);
        for (size_t k = 0; k < ql; k++)
            q[k] = alphabet[ls_rng_below(&rng, sizeof alphabet - 1)];
        so.syntax = (int)ls_rng_below(&rng, 3);
        int rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK || (rc == LS_EQUERY && so.syntax == LS_SYNTAX_STRICT),
                      "syntax %d query '%.*s': %d %s", so.syntax, (int)ql, q, rc, err.message);
        if (rc == LS_EQUERY)
            ck_assert(err.position <= ql);
        ls_hits_free(h);
    }
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

static int never_called(const char *id, size_t len, const void *stamp, size_t slen, void *p)
{
    (void)id;
    (void)len;
    (void)stamp;
    (void)slen;
    (void)p;
    ck_abort_msg("id callback called");
    return 1;
}

START_TEST(faults_bad_search_options)
{
    char *dir = ls_ft_build_index(20, 1, 2100);
    ls_reader *r = ls_ft_open_ok(dir);
    ls_error err;
    ls_hits *h;
    for (int t = 0; t < 14; t++) {
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.feedback_docs = LS_FEEDBACK_DOCS_ON; /* feedback settings are checked when on */
        switch (t) {
        case 0: so.version = 0; break;
        case 1: so.version = LS_SEARCH_OPTIONS_VERSION + 1; break;
        case 2: so.b = 2; break;
        case 3: so.b = -0.25; break;
        case 4: so.k1 = -1; break;
        case 5: so.k1 = NAN; break;
        case 6: so.syntax = 7; break;
        case 7: so.syntax = -1; break;
        case 8: so.feedback_weight = 1.5; break;
        case 9: so.feedback_weight = NAN; break;
        case 10: so.feedback_terms = 0; break;
        case 11: so.feedback_terms = 1001; break;
        case 12: so.proximity = -0.5; break;
        default: so.proximity_depth = 100001; break;
        }
        h = (ls_hits *)1;
        int rc = ls_search(r, "alpha", 5, &so, &h, &err);
        ck_assert_msg(rc == LS_EINVAL, "options case %d: %d", t, rc);
        ck_assert_ptr_null(h);
        ck_assert_int_eq(err.code, LS_EINVAL);
        ck_assert(strlen(err.message) > 0);
    }
    /* the edges of the valid ranges are fine */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.k1 = 0;
    so.b = 0;
    ck_assert_int_eq(ls_search(r, "alpha", 5, &so, &h, &err), LS_OK);
    ls_hits_free(h);
    so.b = 1;
    ck_assert_int_eq(ls_search(r, "alpha", 5, &so, &h, &err), LS_OK);
    ls_hits_free(h);
    /* NULL arguments */
    ck_assert_int_eq(ls_search(NULL, "alpha", 5, NULL, &h, &err), LS_EINVAL);
    ck_assert_int_eq(ls_search(r, NULL, 5, NULL, &h, &err), LS_EINVAL);
    ck_assert_int_eq(ls_search(r, "alpha", 5, NULL, NULL, &err), LS_EINVAL);
    /* lookups by id */
    ls_doc_info info = {LS_DOC_INFO_VERSION + 1, 0, NULL, 0};
    ck_assert_int_eq(ls_reader_get(r, "doc-1", 5, &info, &err), LS_EINVAL);
    info.version = LS_DOC_INFO_VERSION;
    ck_assert_int_eq(ls_reader_get(r, "doc-1", 5, &info, &err), LS_OK);
    ck_assert_int_eq(ls_reader_get(r, NULL, 5, &info, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_get(NULL, "doc-1", 5, &info, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_get(r, "doc-1", 5, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_get(r, "doc-1", 4, &info, &err), LS_ENOTFOUND);
    ck_assert_int_eq(ls_reader_ids(r, "", 0, NULL, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_ids(r, NULL, 3, never_called, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_ids(r, "zzz", 3, never_called, NULL, &err), LS_OK);
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION + 1;
    ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_EINVAL);
    /* writer options */
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    ls_writer *w = (ls_writer *)1;
    for (int t = 0; t < 5; t++) {
        wo = (ls_writer_options)LS_WRITER_OPTIONS_INIT;
        switch (t) {
        case 0: wo.version = 0; break;
        case 1: wo.version = LS_WRITER_OPTIONS_VERSION + 1; break;
        case 2: wo.merge_factor = 1; break;
        case 3: wo.merge_factor = 101; break;
        default: wo.language = "klingon-of-a-very-long-name"; break;
        }
        int rc = ls_writer_open(dir, &wo, &w, &err);
        ck_assert_msg(rc == LS_EINVAL, "writer options case %d: %d %s", t, rc, err.message);
        ck_assert_ptr_null(w);
    }
    /* the writer that refused its options left the lock free */
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ck_assert_int_eq(ls_writer_optimize(NULL, 1, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_commit(NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete(NULL, "a", 1, &err), LS_EINVAL);
    ls_writer_close(w);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

TCase *ls_ft_input_tcase(void)
{
    TCase *tc = tcase_create("input");
    tcase_set_timeout(tc, ls_test_long() ? 900 : 120);
    tcase_add_test(tc, faults_bad_utf8_and_empty_documents);
    tcase_add_test(tc, faults_bad_queries);
    tcase_add_test(tc, faults_bad_search_options);
    return tc;
}

TCase *ls_ft_huge_tcase(void)
{
    TCase *tc = tcase_create("huge");
    tcase_set_timeout(tc, 120 * (ls_test_long() ? 3 : 1));
    tcase_add_test(tc, faults_huge_document);
    return tc;
}
