/* SPDX-License-Identifier: MIT */
/*
 * stats.c - global N, average lengths and document frequencies (see stats.h).
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

/* Documents of meta's list in s with a position at or after their body start: positions
 * ascend, so the last one decides. */
static int body_df(const ls_segment *s, const ls_term_meta *meta, double *df, ls_error *err)
{
    ls_postings_view v;
    ls_postings_iter it;
    int rc = ls_segment_view(s, meta, &v, err);
    if (rc != LS_OK)
        return rc;
    if (ls_postings_iter_init(&it, &v) != LS_OK)
        goto corrupt;
    for (;;) {
        uint32_t doc, tf, last;
        const uint8_t *p;
        size_t plen;
        int more = ls_postings_iter_next(&it, &doc, &tf, &p, &plen);
        if (more == 0)
            return LS_OK;
        if (more < 0 || doc >= s->info.ndocs || ls_positions_last(p, p + plen, tf, &last) != LS_OK)
            goto corrupt;
        if (last >= ls_doclen_body_start(s->len.body, doc))
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
        const ls_segment *s = &r->segs[i];
        ls_term_meta meta;
        int rc = ls_segment_lookup(s, key, len, &meta, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            memset(&meta, 0, sizeof meta);
        if (seg_meta != NULL)
            seg_meta[i] = meta;
        if (rc == 0)
            continue;
        if (ls_field_filtered(field)) {
            rc = body_df(s, &meta, df, err);
            if (rc != LS_OK)
                return rc;
        } else {
            *df += meta.df;
        }
    }
    return LS_OK;
}
