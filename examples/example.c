/* SPDX-License-Identifier: MIT */
/* Indexes two strings and searches them: the README's example program. */
#include <libsearch.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    ls_error err;
    ls_writer *w;
    if (ls_writer_open("example-index", NULL, &w, &err) != LS_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    const char *texts[2][2] = {
        {"doc-1", "China and Iran signed a 25-year cooperation agreement."},
        {"doc-2", "The weather in Tehran was mild on Tuesday."},
    };
    for (int i = 0; i < 2; i++) {
        ls_document d = LS_DOCUMENT_INIT;
        d.id = texts[i][0];
        d.id_len = strlen(d.id);
        d.body = texts[i][1];
        d.body_len = strlen(d.body);
        if (ls_writer_add(w, &d, &err) != LS_OK) {
            fprintf(stderr, "add: %s\n", err.message);
            return 1;
        }
    }
    if (ls_writer_commit(w, &err) != LS_OK) {
        fprintf(stderr, "commit: %s\n", err.message);
        return 1;
    }
    ls_writer_close(w);

    ls_reader *r;
    ls_hits *hits;
    if (ls_reader_open("example-index", &r, &err) != LS_OK) {
        fprintf(stderr, "reader: %s\n", err.message);
        return 1;
    }
    const char *q = "25-year agreement";
    if (ls_search(r, q, strlen(q), NULL, &hits, &err) != LS_OK) {
        fprintf(stderr, "search: %s\n", err.message);
        return 1;
    }
    for (size_t i = 0; i < ls_hits_count(hits); i++) {
        const ls_hit *h = ls_hits_get(hits, i);
        printf("%s %.4f %s\n", h->id, h->score, h->snippet->text);
    }
    ls_hits_free(hits);
    ls_reader_close(r);
    return 0;
}
