/* SPDX-License-Identifier: MIT */
/*
 * document.c - ls_reader_document: one document's stored fields, copied out in one block.
 */
#include <string.h>

#include "libsearch.h"
#include "reader/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"

LS_API int ls_reader_document(const ls_reader *r, uint64_t doc, ls_stored_document **out,
                              ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_reader_document: NULL argument");
    *out = NULL;
    if (!ls_reader_live(r, doc))
        return ls_error_set(err, LS_ENOTFOUND, doc >= r->doc_space
                                                   ? "no document %llu in this reader"
                                                   : "document %llu is deleted",
                            (unsigned long long)doc);
    ls_doc_fetcher f = LS_DOC_FETCHER_INIT;
    const char *fields[4];
    size_t lens[4];
    int rc = ls_reader_fetch(r, &f, doc, fields, lens, err);
    if (rc == LS_OK) {
        size_t total = sizeof(ls_stored_document) + lens[0] + lens[1] + lens[2] + lens[3] + 4;
        ls_stored_document *d = ls_malloc(total);
        if (d == NULL) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        } else {
            char *p = (char *)(d + 1);
            const char **dst[4] = {&d->id, &d->title, &d->body, &d->path};
            size_t *dlen[4] = {&d->id_len, &d->title_len, &d->body_len, &d->path_len};
            for (int i = 0; i < 4; i++) { /* fields: id, title, body, path */
                memcpy(p, fields[i], lens[i]);
                p[lens[i]] = '\0';
                *dst[i] = p;
                *dlen[i] = lens[i];
                p += lens[i] + 1;
            }
            *out = d;
        }
    }
    ls_doc_fetcher_free(&f);
    return rc;
}

LS_API void ls_stored_document_free(ls_stored_document *d) { ls_free(d); }
