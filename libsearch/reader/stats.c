/* SPDX-License-Identifier: MIT */
/*
 * stats.c - global N, average lengths and document frequencies over live documents (see
 * stats.h). A segment with deletions subtracts its corrections (format/deletes.h) from the
 * dictionary's df; the body field, counted by a scan, skips deleted documents as it goes.
 */
#include "reader/stats.h"

#include <string.h>

#include "format/doclens.h"
#include "format/fields.h"
#include "format/positions.h"
#include "libsearch.h"
#include "util/error.h"

double ls_stats_ndocs(const ls_reader *r) { return (double)r->ndocs; }

double ls_stats_avglen(const ls_reader *r, int field)
{
    if (r->ndocs == 0)
        return 0;
    double tokens = field == LS_FIELD_TITLE  ? (double)r->tokens_title
                    : field == LS_FIELD_BODY ? (double)(r->tokens_all - r->tokens_title)
                                             : (double)r->tokens_all;
    return tokens / (double)r->ndocs;
}

/* Live documents of meta's list in segment i with a position at or after their body start:
 * positions ascend, so the last one decides. */
static int body_df(const ls_reader *r, uint32_t i, const ls_term_meta *meta, double *df,
                   ls_error *err)
{
    const ls_segment *s = r->segs[i].seg;
    ls_postings_view v;
    ls_postings_iter it;
    int rc = ls_segment_view(s, meta, &v, err);
    if (rc != LS_OK)
        return rc;
    if (ls_postings_iter_init(&it, &v, 1) != LS_OK)
        goto corrupt;
    for (;;) {
        uint32_t doc, tf, last;
        const uint8_t *p;
        size_t plen;
        int more = ls_postings_iter_next(&it, &doc, &tf, &p, &plen);
        if (more == 0)
            return LS_OK;
        if (more < 0 || doc >= s->ndocs || ls_positions_last(p, p + plen, tf, &last) != LS_OK)
            goto corrupt;
        if (!ls_reader_deleted(r, i, doc) && last >= ls_doclen_body_start(s->len.body, doc))
            *df += 1;
    }
corrupt:
    return ls_error_set(err, LS_ECORRUPT, "'%s' or '%s': damaged postings", s->doc.path,
                        s->pos.path);
}

int ls_stats_term(const ls_reader *r, int field, const uint8_t *key, size_t len,
                  ls_term_meta *seg_meta, double *df, ls_error *err)
{
    *df = 0;
    for (uint32_t i = 0; i < r->nsegs; i++) {
        const ls_snapseg *ss = &r->segs[i];
        ls_term_meta meta;
        int rc = ls_segment_lookup(ss->seg, key, len, &meta, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            memset(&meta, 0, sizeof meta);
        if (seg_meta != NULL)
            seg_meta[i] = meta;
        if (rc == 0)
            continue;
        if (ls_field_filtered(field)) {
            rc = body_df(r, i, &meta, df, err);
            if (rc != LS_OK)
                return rc;
            continue;
        }
        uint32_t gone = 0;
        if (ss->del.bitmap != NULL) {
            rc = ls_deletes_correction(&ss->del, key, len, &gone, err);
            if (rc != LS_OK)
                return rc;
            if (gone > meta.df)
                return ls_error_set(err, LS_ECORRUPT, "'%s': a correction exceeds its df",
                                    ss->del.file.path);
        }
        *df += meta.df - gone;
    }
    return LS_OK;
}

int ls_stats_term_df(const ls_reader *r, int field, const void *term, size_t len, double *df,
                     ls_error *err)
{
    uint8_t key[LS_MAX_KEY_BYTES];
    if (len + 1 > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "term too long");
    key[0] = ls_field_key(field);
    memcpy(key + 1, term, len);
    return ls_stats_term(r, field, key, len + 1, NULL, df, err);
}
