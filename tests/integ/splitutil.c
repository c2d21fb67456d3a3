/* SPDX-License-Identifier: MIT */
/*
 * splitutil.c - see splitutil.h.
 */
#include "splitutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void add_to(ls_writer *w, uint32_t i, const corpus_text *t)
{
    char id[32];
    snprintf(id, sizeof id, "d%u", i);
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = id;
    doc.id_len = strlen(id);
    doc.title = t->title;
    doc.title_len = t->title_len;
    doc.body = t->body;
    doc.body_len = t->body_len;
    ls_error err;
    ck_assert_int_eq(ls_writer_add(w, &doc, &err), LS_OK);
}

static ls_writer *writer_at(const char *dir)
{
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024; /* several segments per index */
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    return w;
}

void split_build(split *s, uint64_t stream, size_t n_docs, size_t n_parts)
{
    corpus_params p = {.n_docs = n_docs,
                       .n_bases = 60,
                       .all_forms = 1,
                       .n_compounds = 6,
                       .with_stop = 1,
                       .max_title = 6,
                       .max_body = 120,
                       .commits = 3,
                       .ram_budget = 128 * 1024,
                       .stream = stream};
    ls_rng r;
    ls_error err;
    memset(s, 0, sizeof *s);
    ls_rng_init(&r, stream);
    s->c.oracle = ls_oracle_new("english");
    ls_corpus_vocab(&s->c, &p, &r);
    s->c.dir = ls_test_tmpdir();
    s->n_parts = n_parts;
    s->first[0] = 0;
    for (size_t k = 1; k < n_parts; k++) /* cuts ascending, parts of 0 documents allowed */
        s->first[k] = s->first[k - 1] + ls_rng_below(&r, (uint32_t)(2 * n_docs / n_parts));
    s->first[n_parts] = n_docs;
    for (size_t k = 1; k < n_parts; k++)
        if (s->first[k] > n_docs)
            s->first[k] = n_docs;
    ls_writer *u = writer_at(s->c.dir);
    for (size_t k = 0; k < n_parts; k++) {
        s->dirs[k] = ls_test_tmpdir();
        ls_writer *w = writer_at(s->dirs[k]);
        for (size_t i = s->first[k]; i < s->first[k + 1]; i++) {
            corpus_text t;
            uint32_t d = ls_corpus_draw(&s->c, &r, &p, &t);
            ck_assert_uint_eq(d, i);
            add_to(u, d, &t);
            add_to(w, d, &t);
            ls_corpus_oracle_add(&s->c, d, &t);
            ls_corpus_text_free(&t);
            if (ls_rng_below(&r, 400) == 0) {
                ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
                ck_assert_int_eq(ls_writer_commit(u, &err), LS_OK);
            }
        }
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
    }
    ck_assert_int_eq(ls_writer_commit(u, &err), LS_OK);
    ls_writer_close(u);
    ck_assert_int_eq(ls_reader_open(s->c.dir, &s->c.reader, &err), LS_OK);
    ck_assert_int_eq(ls_reader_open_many((const char *const *)s->dirs, n_parts, NULL, &s->many,
                                         &err),
                     LS_OK);
}

void split_free(split *s)
{
    ls_reader_close(s->many);
    for (size_t k = 0; k < s->n_parts; k++) {
        ls_test_rmtree(s->dirs[k]);
        free(s->dirs[k]);
    }
    ls_corpus_free(&s->c);
}

size_t part_of(const split *s, const char *id)
{
    size_t d = strtoul(id + 1, NULL, 10), k = 0;
    while (k + 1 < s->n_parts && d >= s->first[k + 1])
        k++;
    return k;
}
