/* SPDX-License-Identifier: MIT */
/*
 * merger.c - k-way merge of adjacent segments (see merger.h). The sources are few (a merge
 * takes about merge_factor of them), so the next key is found by a linear scan over the
 * sources' dictionary iterators rather than a heap.
 */
#include "index/merger.h"

#include <pthread.h>
#include <string.h>
#include <zlib.h>

#include "format/deletes.h"
#include "format/doclens.h"
#include "format/fields.h"
#include "format/ids.h"
#include "format/pairs.h"
#include "index/mergepairs.h"
#include "index/segwriter.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct merge {
    const ls_merge_source *src;
    uint32_t n;
    ls_merge_doc **map; /* per source, by old local doc */
    uint32_t ndocs;  /* of the new segment */
    ls_seg_out out;
    ls_buf lens;     /* the new lengths file's body */
} merge;

static int live(const ls_merge_source *s, uint32_t d)
{
    return s->deleted == NULL || !ls_bitmap_get(s->deleted, d);
}

int ls_merge_damaged(const ls_ifile *f, ls_error *err)
{
    return ls_error_set(err, LS_ECORRUPT, "'%s': damaged while merging", f->path);
}

/* Document maps and the new lengths file. */
static int map_docs(merge *m, ls_seg_info *info, ls_error *err)
{
    m->map = ls_calloc(m->n, sizeof *m->map);
    if (m->map == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    uint64_t next = 0;
    for (uint32_t k = 0; k < m->n; k++) {
        const ls_segment *s = m->src[k].seg;
        for (int f = 0; f < LS_SEGFILE_COUNT; f++) /* read in order from here on */
            ls_map_sequential(&s->files[f].map);
        int rc = ls_segment_lens_ok(s, err);
        if (rc != LS_OK)
            return rc;
        m->map[k] = ls_calloc(s->ndocs ? s->ndocs : 1, sizeof **m->map);
        if (m->map[k] == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        for (uint32_t d = 0; d < s->ndocs; d++) {
            if (!live(&m->src[k], d)) {
                m->map[k][d].nd = UINT32_MAX;
                continue;
            }
            if (next >= LS_MAX_SEGMENT_DOCS)
                return ls_error_set(err, LS_ELIMIT, "a merged segment would exceed %u documents",
                                    LS_MAX_SEGMENT_DOCS);
            const uint8_t *e = s->len.body + (size_t)d * LS_DOCLEN_ENTRY;
            m->map[k][d] = (ls_merge_doc){(uint32_t)next++, {ls_get_u32le(e), ls_get_u32le(e + 4)}};
            if (ls_buf_append(&m->lens, e, LS_DOCLEN_ENTRY) != LS_OK)
                return ls_error_set(err, LS_ENOMEM, "out of memory");
            info->tokens_all += ls_doclen_all(s->len.body, d);
            info->tokens_title += ls_doclen_title(s->len.body, d);
        }
    }
    m->ndocs = (uint32_t)next;
    return LS_OK;
}

/* Stored fields: whole chunks when every document in them survives, else document by
 * document. */
static int merge_stored(merge *m, ls_error *err)
{
    ls_stored_writer sw;
    ls_stored_writer_init(&sw, &m->out.f[LS_SEGFILE_FDT]);
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    int rc = LS_OK;
    for (uint32_t k = 0; k < m->n && rc == LS_OK; k++) {
        const ls_merge_source *src = &m->src[k];
        const ls_stored *st = &src->seg->stored;
        cache.chunk = UINT32_MAX;
        for (uint32_t c = 0; c < st->nchunks && rc == LS_OK; c++) {
            const uint8_t *chunk;
            size_t len;
            uint32_t first, nd, alive = 0;
            if (ls_stored_chunk(st, c, &chunk, &len, &first, &nd) != LS_OK) {
                rc = ls_merge_damaged(&src->seg->fdt, err);
                break;
            }
            for (uint32_t d = first; d < first + nd; d++)
                alive += (uint32_t)live(src, d);
            if (alive == nd) {
                rc = ls_stored_add_chunk(&sw, chunk, len, nd, err);
                for (uint32_t d = first; d < first + nd && rc == LS_OK; d++) {
                    const char *f[3];
                    size_t l[3];
                    if (ls_stored_meta(st, d, f, l) != LS_OK)
                        rc = ls_merge_damaged(&src->seg->fdt, err);
                    else
                        rc = ls_stored_add_meta(&sw, f, l, err);
                }
                continue;
            }
            for (uint32_t d = first; d < first + nd && rc == LS_OK; d++) {
                const char *f[4];
                size_t l[4];
                if (!live(src, d))
                    continue;
                int got = ls_stored_get(st, d, &cache, f, l);
                if (got == LS_ENOMEM)
                    rc = ls_error_set(err, LS_ENOMEM, "out of memory");
                else if (got != LS_OK)
                    rc = ls_merge_damaged(&src->seg->fdt, err);
                else
                    rc = ls_stored_add(&sw, f, l, err);
            }
        }
    }
    ls_stored_cache_free(&cache);
    if (rc == LS_OK)
        return ls_stored_finish(&sw, err);
    ls_stored_writer_free(&sw);
    return rc;
}

/* The sources' id dictionaries, merged in id order, live entries only. */
static int merge_ids(merge *m, ls_error *err)
{
    ls_ids_iter *its = ls_calloc(m->n, sizeof *its);
    const ls_keyblocks_iter **kbs = ls_calloc(m->n, sizeof *kbs);
    int *on = ls_calloc(m->n, sizeof *on);
    ls_ids_writer iw;
    int rc = its && kbs && on ? ls_ids_writer_init(&iw, &m->out.f[LS_SEGFILE_IDS]) : LS_ENOMEM;
    if (rc != LS_OK) {
        ls_free(its);
        ls_free(kbs);
        ls_free(on);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < m->n && rc == LS_OK; k++) {
        on[k] = ls_ids_seek(&m->src[k].seg->iddict, (const uint8_t *)"", 0, &its[k]);
        kbs[k] = &its[k].kb;
        if (on[k] < 0)
            rc = ls_merge_damaged(&m->src[k].seg->ids, err);
    }
    while (rc == LS_OK) {
        int best = ls_keyblocks_least(kbs, on, m->n);
        if (best < 0)
            break;
        ls_ids_iter *it = &its[best];
        const ls_segment *s = m->src[best].seg;
        if (it->doc >= s->ndocs) {
            rc = ls_merge_damaged(&s->ids, err);
            break;
        }
        uint32_t nd = m->map[best][it->doc].nd;
        if (nd != UINT32_MAX)
            rc = ls_ids_add(&iw, it->kb.key, it->kb.key_len, nd, it->stamp, it->stamp_len, err);
        if (rc == LS_EINVAL) /* the same id live twice */
            rc = ls_error_set(err, LS_ECORRUPT, "'%s': an id is live in two segments",
                              s->ids.path);
        on[best] = ls_ids_next(it);
        if (on[best] < 0)
            rc = ls_merge_damaged(&s->ids, err);
    }
    ls_free(its);
    ls_free(kbs);
    ls_free(on);
    if (rc == LS_OK)
        return ls_ids_finish(&iw, err);
    ls_ids_writer_free(&iw);
    return rc;
}

/* Appends source k's postings of the current key to l, remapped. */
static int gather(merge *m, uint32_t k, const ls_term_meta *meta, uint8_t key_byte,
                  ls_term_list *l, ls_error *err)
{
    const ls_segment *s = m->src[k].seg;
    ls_postings_view v;
    ls_postings_iter it;
    int rc = ls_segment_view(s, meta, &v, err);
    if (rc != LS_OK)
        return rc;
    if (ls_postings_iter_init(&it, &v, key_byte != LS_KEY_PAIR) != LS_OK) /* pairs: none */
        return ls_merge_damaged(&s->doc, err);
    for (;;) {
        uint32_t doc, tf;
        const uint8_t *p;
        size_t plen;
        int more = ls_postings_iter_next(&it, &doc, &tf, &p, &plen);
        if (more == 0)
            return LS_OK;
        if (more < 0 || doc >= s->ndocs)
            return ls_error_set(err, LS_ECORRUPT, "'%s' or '%s': damaged while merging",
                                s->doc.path, s->pos.path);
        const ls_merge_doc *md = &m->map[k][doc];
        if (md->nd == UINT32_MAX)
            continue;
        if (ls_term_list_push(l, md->nd, tf, md->len[key_byte == LS_KEY_TITLE], p, plen) !=
            LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
}

/* The stored fields' merge and the word pairs' search (index/mergepairs.h), the side job:
 * in a thread of its own when the merge has two, else run where its results are needed. */
typedef struct side_job {
    merge *m;
    int apart, stored_done, pairs_done;
    pthread_t th;
    int rc;
    ls_error err;
    ls_merge_pairs pairs;
} side_job;

static int find_pairs(side_job *j)
{
    j->pairs_done = 1;
    return ls_merge_pairs_find(j->m->src, (const ls_merge_doc *const *)j->m->map, j->m->n,
                               j->m->ndocs, j->m->lens.data, &j->pairs, &j->err);
}

static void *side_thread(void *arg)
{
    side_job *j = arg;
    ls_error_clear(&j->err);
    j->stored_done = 1;
    j->rc = merge_stored(j->m, &j->err);
    if (j->rc == LS_OK)
        j->rc = find_pairs(j);
    return NULL;
}

/* Waits for the side job, or (when run) does here what it has not done. @return its
 * status, its error in err. */
static int side_finish(side_job *j, int run, ls_error *err)
{
    if (j->apart) {
        pthread_join(j->th, NULL);
        j->apart = 0;
    }
    if (!run)
        return j->rc;
    if (j->rc == LS_OK && !j->stored_done) {
        j->stored_done = 1;
        j->rc = merge_stored(j->m, &j->err);
    }
    if (j->rc == LS_OK && !j->pairs_done)
        j->rc = find_pairs(j);
    if (j->rc != LS_OK)
        *err = j->err;
    return j->rc;
}

static int merge_terms(merge *m, side_job *side, ls_error *err)
{
    ls_termdict_iter *its = ls_calloc(m->n, sizeof *its);
    const ls_keyblocks_iter **kbs = ls_calloc(m->n, sizeof *kbs);
    int *on = ls_calloc(m->n, sizeof *on);
    ls_term_list l;
    memset(&l, 0, sizeof l);
    ls_termdict_writer tw;
    int rc = its && kbs && on ? ls_termdict_writer_init(&tw, &m->out.f[LS_SEGFILE_TID])
                              : LS_ENOMEM;
    if (rc != LS_OK) {
        ls_free(its);
        ls_free(kbs);
        ls_free(on);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < m->n && rc == LS_OK; k++) {
        on[k] = ls_termdict_seek(&m->src[k].seg->dict, (const uint8_t *)"", 0, &its[k]);
        kbs[k] = &its[k].kb;
        if (on[k] < 0)
            rc = ls_merge_damaged(&m->src[k].seg->tid, err);
    }
    uint8_t key[LS_MAX_KEY_BYTES];
    uint8_t *on_key = ls_calloc(m->n, 1);
    uint64_t npaired = 0; /* the words this merge pairs, by their merged lists */
    uint32_t paired_crc = (uint32_t)crc32(0, NULL, 0);
    uint32_t min_df = ls_pairs_min_df(m->ndocs);
    if (on_key == NULL)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    while (rc == LS_OK) {
        int best = ls_keyblocks_least(kbs, on, m->n);
        if (best < 0)
            break;
        size_t klen = its[best].kb.key_len;
        if (klen > LS_MAX_KEY_BYTES) {
            rc = ls_merge_damaged(&m->src[best].seg->tid, err);
            break;
        }
        memcpy(key, its[best].kb.key, klen);
        ls_term_list_reset(&l);
        int pair = key[0] == LS_KEY_PAIR; /* the sources' pairs: found again below */
        for (uint32_t k = 0; k < m->n && rc == LS_OK; k++) { /* in source order: docs ascend */
            on_key[k] = on[k] == 1 && its[k].kb.key_len == klen &&
                        memcmp(its[k].kb.key, key, klen) == 0;
            if (!on_key[k])
                continue;
            if (!pair)
                rc = gather(m, k, &its[k].meta, key[0], &l, err);
        }
        l.paired = !pair && ls_pairs_eligible(key, klen) && l.n >= min_df;
        if (l.paired) {
            npaired++;
            paired_crc = ls_merge_pairs_crc(paired_crc, key, klen);
        }
        if (rc == LS_OK && l.n > 0) /* a key only deleted documents held disappears */
            rc = ls_term_list_write(&l, &m->out, &tw, key, klen, err);
        for (uint32_t k = 0; k < m->n && rc == LS_OK; k++) {
            if (!on_key[k])
                continue;
            on[k] = ls_termdict_next(&its[k]);
            if (on[k] < 0)
                rc = ls_merge_damaged(&m->src[k].seg->tid, err);
        }
    }
    if (rc == LS_OK)
        rc = side_finish(side, 1, err);
    if (rc == LS_OK && (side->pairs.nwords != npaired || side->pairs.words_crc != paired_crc))
        rc = ls_error_set(err, LS_ECORRUPT,
                          "damaged while merging: the sources' dictionaries and postings "
                          "disagree on which words are common");
    if (rc == LS_OK) /* after every word's key */
        rc = ls_pairs_write(&side->pairs.inv, m->lens.data, &m->out, &tw, &l, err);
    ls_free(on_key);
    ls_free(its);
    ls_free(kbs);
    ls_free(on);
    ls_term_list_free(&l);
    if (rc == LS_OK)
        return ls_termdict_finish(&tw, err);
    ls_termdict_writer_free(&tw);
    return rc;
}

/* merge_ids and merge_terms here, the side job (stored fields, word pairs) in a second
 * thread when threads >= 2 (the files they write are apart; the sources are read-only); the
 * first failure reported. */
static int merge_files(merge *m, unsigned threads, ls_error *err)
{
    side_job side;
    memset(&side, 0, sizeof side);
    side.m = m;
    ls_inverter_init_counts(&side.pairs.inv);
    side.apart = threads >= 2 && pthread_create(&side.th, NULL, side_thread, &side) == 0;
    int rc = merge_ids(m, err);
    if (rc == LS_OK)
        rc = merge_terms(m, &side, err);
    ls_error e;
    int side_rc = side_finish(&side, rc == LS_OK, &e); /* joined on every path */
    if (rc == LS_OK && side_rc != LS_OK) {
        *err = e;
        rc = side_rc;
    }
    ls_merge_pairs_free(&side.pairs);
    return rc;
}

int ls_merge_segments(const char *dir, const ls_merge_source *src, uint32_t n, uint32_t out_id,
                      unsigned threads, ls_seg_info *info, ls_error *err)
{
    merge m;
    memset(&m, 0, sizeof m);
    m.src = src;
    m.n = n;
    memset(info, 0, sizeof *info);
    int rc = map_docs(&m, info, err);
    if (rc == LS_OK)
        rc = ls_seg_out_open(&m.out, dir, out_id, ls_new_tag(), (1u << LS_SEGFILE_COUNT) - 1,
                             err);
    if (rc == LS_OK) {
        rc = ls_fwriter_write(&m.out.f[LS_SEGFILE_LEN], m.lens.data, m.lens.len, err);
        if (rc == LS_OK)
            rc = merge_files(&m, threads, err);
        if (rc == LS_OK)
            rc = ls_seg_out_finish(&m.out, err);
        else
            ls_seg_out_abort(&m.out);
    }
    for (uint32_t k = 0; m.map != NULL && k < n; k++)
        ls_free(m.map[k]);
    ls_free(m.map);
    ls_buf_free(&m.lens);
    if (rc != LS_OK)
        return rc;
    info->id = out_id;
    info->tag = m.out.tag;
    info->ndocs = m.ndocs;
    return LS_OK;
}
