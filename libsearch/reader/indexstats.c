/* SPDX-License-Identifier: MIT */
/*
 * indexstats.c - ls_reader_stats: sizes and counts of a reader's commit.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "format/pairs.h"
#include "libsearch.h"
#include "reader/snapshot.h"
#include "util/error.h"

LS_API int ls_reader_stats(const ls_reader *r, ls_index_stats *out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || out->version == 0 ||
        out->version > LS_INDEX_STATS_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_reader_stats: NULL argument or bad version");
    ls_index_stats s;
    memset(&s, 0, sizeof s);
    s.version = out->version;
    s.generation = r->m.gen;
    s.segments = r->nsegs;
    s.documents = r->ndocs;
    s.deleted_documents = r->doc_space - r->ndocs;
    s.tokens = r->tokens_all;
    s.bytes_manifest = r->m.file_bytes;
    s.skipped_generation = r->skipped_gen;
    snprintf(s.language, sizeof s.language, "%s", r->m.language);
    for (uint32_t i = 0; i < r->nsegs; i++) {
        const ls_segment *g = r->segs[i].seg;
        s.bytes_dictionary += g->tid.map.size;
        s.bytes_postings += g->doc.map.size;
        s.bytes_positions += g->pos.map.size;
        s.bytes_doclens += g->len.map.size;
        s.bytes_stored += g->fdt.map.size;
        s.bytes_ids += g->ids.map.size;
        s.bytes_deletions += r->segs[i].del.file.map.size;
        /* postings = sum of df: walk the dictionary (cheap: no postings are read) */
        ls_termdict_iter it;
        int rc = ls_termdict_seek(&g->dict, (const uint8_t *)"", 0, &it);
        while (rc == 1) {
            int pair = it.kb.key_len > 0 && it.kb.key[0] == LS_KEY_PAIR;
            *(pair ? &s.word_pairs : &s.terms) += 1;
            *(pair ? &s.pair_postings : &s.postings) += it.meta.df;
            rc = ls_termdict_next(&it);
        }
        if (rc < 0)
            return ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary", g->tid.path);
    }
    static const size_t size[] = {0, offsetof(ls_index_stats, deleted_documents),
                                  offsetof(ls_index_stats, word_pairs), sizeof s};
    memcpy(out, &s, size[out->version]);
    return LS_OK;
}
