/* SPDX-License-Identifier: MIT */
/*
 * check.c - ls_reader_check: every byte of a commit, checked. File checksums first; then, per
 * segment, the structures against each other: lengths against the manifest's token counts,
 * every dictionary entry against its postings (df, cf, maxima, skip-table block maxima, document
 * numbers, positions, contiguous offsets), deletion corrections against a count of deleted
 * documents in each list, stored documents and the id dictionary against each other; across
 * segments, live ids unique. The first problem found is reported, naming its file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/doclens.h"
#include "format/fields.h"
#include "format/pairs.h"
#include "format/positions.h"
#include "libsearch.h"
#include "reader/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct checker {
    const ls_reader *r;
    uint32_t si;
    const ls_segment *s;
    const uint8_t *deleted;
    uint32_t *pos;   /* positions scratch */
    size_t pos_cap;
    ls_error *err;
} checker;

static int bad(checker *c, const ls_ifile *f, const char *fmt, ...) LS_PRINTF(3, 4);
static int bad(checker *c, const ls_ifile *f, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ls_error_set(c->err, LS_ECORRUPT, "'%s': %s", f->path, what);
}

static int is_deleted(const checker *c, uint32_t d)
{
    return c->deleted != NULL && ls_bitmap_get(c->deleted, d);
}

static int check_lens(checker *c)
{
    const ls_segment *s = c->s;
    const ls_seg_info *info = &c->r->segs[c->si].info;
    uint64_t all = 0, title = 0;
    for (uint32_t d = 0; d < s->ndocs; d++) {
        uint32_t a = ls_doclen_all(s->len.body, d), t = ls_doclen_title(s->len.body, d);
        uint32_t bs = ls_doclen_body_start(s->len.body, d);
        if (t > a || bs < 1 || bs - 1 < t)
            return bad(c, &s->len, "document %u has impossible lengths", d);
        if (!is_deleted(c, d)) {
            all += a;
            title += t;
        }
    }
    if (all != info->tokens_all || title != info->tokens_title)
        return bad(c, &s->len, "live token counts %llu/%llu differ from the manifest's %llu/%llu",
                   (unsigned long long)all, (unsigned long long)title,
                   (unsigned long long)info->tokens_all, (unsigned long long)info->tokens_title);
    return LS_OK;
}

/* Skip-table maxima against the blocks they summarize. */
static int check_blocks(checker *c, const ls_postings_view *v, uint8_t key_byte, const char *key)
{
    const ls_segment *s = c->s;
    uint32_t docs[LS_BLOCK], tfs[LS_BLOCK];
    for (uint32_t b = 0; b < v->nblocks; b++) {
        if (ls_postings_decode_block(v, b, docs, tfs) != LS_OK)
            return bad(c, &s->doc, "term '%s': block %u is damaged", key, b);
        ls_impact im[LS_IMPACTS];
        uint32_t max_tf = 0, nim = ls_skip_impacts(v, b, im);
        for (uint32_t j = 0; j < LS_BLOCK; j++) {
            if (docs[j] >= s->ndocs)
                return bad(c, &s->doc, "term '%s': document %u out of range", key, docs[j]);
            uint32_t len = key_byte == LS_KEY_TITLE ? ls_doclen_title(s->len.body, docs[j])
                                                    : ls_doclen_all(s->len.body, docs[j]);
            max_tf = tfs[j] > max_tf ? tfs[j] : max_tf;
            if (!ls_impacts_cover(im, nim, tfs[j], len))
                return bad(c, &s->doc,
                           "term '%s': skip entry %u's impacts do not cover posting %u", key, b,
                           j);
        }
        if (max_tf != ls_skip_max_tf(v, b))
            return bad(c, &s->doc, "term '%s': skip entry %u's maximum differs from its block",
                       key, b);
    }
    return LS_OK;
}

static int grow_pos(checker *c, uint32_t tf)
{
    if (tf <= c->pos_cap)
        return LS_OK;
    uint32_t *np = ls_reallocarray(c->pos, tf, sizeof *np);
    if (np == NULL)
        return ls_error_set(c->err, LS_ENOMEM, "out of memory");
    c->pos = np;
    c->pos_cap = tf;
    return LS_OK;
}

/* Nonzero when k is a word pair's key whose two words the segment pairs (format/pairs.h). */
static int pair_of_paired(const ls_segment *s, const uint8_t *k, size_t klen)
{
    uint8_t a[LS_PAIR_WORD_MAX + 1], b[LS_PAIR_WORD_MAX + 1];
    size_t la, lb;
    ls_term_meta ma, mb;
    return ls_pair_key_split(k, klen, a, &la, b, &lb) == 0 &&
           ls_termdict_find(&s->dict, a, la, &ma) == 1 && ma.paired &&
           ls_termdict_find(&s->dict, b, lb, &mb) == 1 && mb.paired;
}

/* One term's list against its dictionary entry; *gone = its deleted documents. */
static int check_list(checker *c, const uint8_t *k, size_t klen, const ls_term_meta *m,
                      uint32_t *gone)
{
    const ls_segment *s = c->s;
    char key[LS_MAX_KEY_BYTES + 1];
    snprintf(key, sizeof key, "%.*s", (int)klen, (const char *)k);
    if (k[0] == LS_KEY_PAIR ? !pair_of_paired(s, k, klen)
                            : klen < 2 || (k[0] != LS_KEY_ALL && k[0] != LS_KEY_TITLE) ||
                                  klen > LS_MAX_TERM_BYTES + 1)
        return bad(c, &s->tid, "impossible key '%s'", key);
    if (m->paired && !ls_pairs_eligible(k, klen))
        return bad(c, &s->tid, "key '%s' cannot be paired but says it is", key);
    ls_postings_view v;
    if (ls_postings_view_init(&v, m, &s->doc_pages, &s->pos_pages) != LS_OK)
        return bad(c, &s->tid, "term '%s' points outside its files", key);
    int rc = check_blocks(c, &v, k[0], key);
    if (rc != LS_OK)
        return rc;
    int pair = k[0] == LS_KEY_PAIR; /* a word pair's list has no positions */
    if (pair && m->pos_bytes != 0)
        return bad(c, &s->tid, "word pair '%s' has positions", key);
    ls_postings_iter it;
    if (ls_postings_iter_init(&it, &v, !pair) != LS_OK)
        return bad(c, &s->doc, "term '%s': damaged postings", key);
    uint64_t n = 0, cf = 0;
    uint32_t max_tf = 0, min_len = UINT32_MAX, prev = 0;
    *gone = 0;
    for (;;) {
        uint32_t d, tf;
        const uint8_t *p;
        size_t plen;
        int more = ls_postings_iter_next(&it, &d, &tf, &p, &plen);
        if (more == 0)
            break;
        if (more < 0)
            return bad(c, &s->doc, "term '%s': damaged postings or positions", key);
        if (d >= s->ndocs || (n > 0 && d <= prev) || tf == 0)
            return bad(c, &s->doc, "term '%s': impossible posting (document %u, tf %u)", key, d,
                       tf);
        if ((rc = grow_pos(c, tf)) != LS_OK)
            return rc;
        const uint8_t *q = p;
        if (!pair && (ls_positions_decode(&q, p + plen, tf, c->pos) != LS_OK || q != p + plen))
            return bad(c, &s->pos, "term '%s': damaged positions of document %u", key, d);
        uint32_t bs = ls_doclen_body_start(s->len.body, d);
        if (k[0] == LS_KEY_TITLE && c->pos[tf - 1] >= bs)
            return bad(c, &s->pos, "term '%s': a title position past the title", key);
        uint32_t len = k[0] == LS_KEY_TITLE ? ls_doclen_title(s->len.body, d)
                                            : ls_doclen_all(s->len.body, d);
        max_tf = tf > max_tf ? tf : max_tf;
        min_len = len < min_len ? len : min_len;
        cf += tf;
        *gone += (uint32_t)is_deleted(c, d);
        prev = d;
        n++;
    }
    if (n != m->df || cf != m->cf || max_tf != m->max_tf || min_len != m->min_len)
        return bad(c, &s->tid, "term '%s': df/cf/maxima differ from its postings", key);
    return LS_OK;
}

static int check_terms(checker *c)
{
    const ls_segment *s = c->s;
    const ls_snapseg *ss = &c->r->segs[c->si];
    ls_termdict_iter it;
    ls_corr_iter ci;
    int more = ls_termdict_seek(&s->dict, (const uint8_t *)"", 0, &it), cmore = 0;
    if (ss->del.bitmap != NULL) {
        ls_corr_iter_init(&ci, &ss->del);
        cmore = ls_corr_iter_next(&ci);
    }
    uint64_t doc_at = 0, pos_at = 0, count = 0;
    uint8_t prev[LS_MAX_KEY_BYTES];
    size_t prev_len = 0;
    for (; more == 1; more = ls_termdict_next(&it)) {
        const ls_term_meta *m = &it.meta;
        if (count > 0 && ls_key_cmp(prev, prev_len, it.kb.key, it.kb.key_len) >= 0)
            return bad(c, &s->tid, "keys out of order");
        if (it.kb.key_len > LS_MAX_KEY_BYTES)
            return bad(c, &s->tid, "key too long");
        memcpy(prev, it.kb.key, it.kb.key_len);
        prev_len = it.kb.key_len;
        if (m->doc_off != doc_at || m->pos_off != pos_at)
            return bad(c, &s->tid, "term %llu's lists are not where the previous ones end",
                       (unsigned long long)count);
        doc_at += m->doc_bytes;
        pos_at += m->pos_bytes;
        uint32_t gone = 0;
        int rc = check_list(c, it.kb.key, it.kb.key_len, m, &gone);
        if (rc != LS_OK)
            return rc;
        /* Corrections: exactly the keys with deleted documents, with their counts. */
        if (cmore == 1 && ls_key_cmp(ci.kb.key, ci.kb.key_len, it.kb.key, it.kb.key_len) < 0)
            return bad(c, &ss->del.file, "a correction names a key the dictionary lacks");
        uint32_t said = 0;
        if (cmore == 1 && ci.kb.key_len == it.kb.key_len &&
            memcmp(ci.kb.key, it.kb.key, it.kb.key_len) == 0) {
            said = ci.n;
            cmore = ls_corr_iter_next(&ci);
        }
        if (said != gone)
            return bad(c, ss->del.bitmap ? &ss->del.file : &s->tid,
                       "a key held by %u deleted documents has a correction of %u", gone, said);
        count++;
    }
    if (more < 0)
        return bad(c, &s->tid, "damaged dictionary block");
    if (cmore != 0)
        return bad(c, &ss->del.file, cmore < 0 ? "damaged corrections" : "corrections left over");
    if (count != ls_termdict_count(&s->dict))
        return bad(c, &s->tid, "holds %llu keys, its trailer says %llu",
                   (unsigned long long)count, (unsigned long long)ls_termdict_count(&s->dict));
    if (doc_at != s->doc_pages.len || pos_at != s->pos_pages.len)
        return bad(c, doc_at != s->doc.body_len ? &s->doc : &s->pos,
                   "the dictionary's lists do not fill the file");
    return LS_OK;
}

/* Stored documents readable, their meta (id, title, path) equal to the chunk's fields; the
 * id dictionary against them: every live document has one entry, with the stored id. */
static int check_ids(checker *c)
{
    const ls_segment *s = c->s;
    uint8_t *seen = ls_calloc(s->ndocs ? s->ndocs : 1, 1);
    if (seen == NULL)
        return ls_error_set(c->err, LS_ENOMEM, "out of memory");
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    ls_ids_iter it;
    int rc = LS_OK, more = ls_ids_seek(&s->iddict, (const uint8_t *)"", 0, &it);
    uint64_t count = 0;
    for (; more == 1 && rc == LS_OK; more = ls_ids_next(&it), count++) {
        const char *f[4];
        size_t l[4];
        int got = it.doc < s->ndocs ? ls_stored_get(&s->stored, it.doc, &cache, f, l) : LS_OK;
        if (it.doc >= s->ndocs || seen[it.doc])
            rc = bad(c, &s->ids, "entry for document %u out of range or repeated", it.doc);
        else if (got == LS_ENOMEM)
            rc = ls_error_set(c->err, LS_ENOMEM, "out of memory");
        else if (got != LS_OK)
            rc = bad(c, &s->fdt, "cannot read stored document %u", it.doc);
        else if (l[0] != it.kb.key_len || memcmp(f[0], it.kb.key, l[0]) != 0)
            rc = bad(c, &s->ids, "document %u's id differs from its stored id", it.doc);
        else if (it.stamp_len > LS_MAX_STAMP_BYTES)
            rc = bad(c, &s->ids, "stamp too long");
        else
            seen[it.doc] = 1;
    }
    if (rc == LS_OK && more < 0)
        rc = bad(c, &s->ids, "damaged id dictionary block");
    if (rc == LS_OK && count != s->iddict.kb.count)
        rc = bad(c, &s->ids, "holds %llu ids, its trailer says %llu", (unsigned long long)count,
                 (unsigned long long)s->iddict.kb.count);
    for (uint32_t d = 0; d < s->ndocs && rc == LS_OK; d++) {
        const char *f[4];
        size_t l[4];
        int got = ls_stored_get(&s->stored, d, &cache, f, l);
        if (got == LS_ENOMEM)
            rc = ls_error_set(c->err, LS_ENOMEM, "out of memory");
        else if (got != LS_OK)
            rc = bad(c, &s->fdt, "cannot read stored document %u", d);
        else if (!seen[d] && !is_deleted(c, d))
            rc = bad(c, &s->ids, "live document %u has no id entry", d);
        const char *m[3];
        size_t ml[3];
        static const int field_of[3] = LS_STORED_META_FIELDS;
        int same = rc == LS_OK && ls_stored_meta(&s->stored, d, m, ml) == LS_OK;
        for (int i = 0; same && i < 3; i++)
            same = ml[i] == l[field_of[i]] && memcmp(m[i], f[field_of[i]], ml[i]) == 0;
        if (rc == LS_OK && !same)
            rc = bad(c, &s->fdt, "document %u's meta (id, title, path) is damaged or differs "
                                 "from its stored fields", d);
    }
    ls_stored_cache_free(&cache);
    ls_free(seen);
    return rc;
}

/* Live ids are unique across segments: their sorted union has no repeats. */
typedef struct uniq {
    uint8_t prev[LS_MAX_ID_BYTES];
    size_t prev_len;
    int any, dup;
} uniq;

static int see_id(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    uniq *u = payload;
    (void)stamp;
    (void)slen;
    if (u->any && ls_key_cmp(u->prev, u->prev_len, (const uint8_t *)id, len) >= 0) {
        u->dup = 1;
        return 1;
    }
    memcpy(u->prev, id, len);
    u->prev_len = len;
    u->any = 1;
    return 0;
}

static int check_segment(checker *c)
{
    const ls_snapseg *ss = &c->r->segs[c->si];
    for (int f = 0; f < LS_SEGFILE_COUNT; f++) /* every byte is read, in order */
        ls_map_sequential(&ss->seg->files[f].map);
    int rc = ls_segment_check(ss->seg, c->err);
    if (rc == LS_OK && ss->del.bitmap != NULL)
        rc = ls_ifile_verify(&ss->del.file, c->err);
    if (rc == LS_OK)
        rc = check_lens(c);
    if (rc == LS_OK)
        rc = check_terms(c);
    if (rc == LS_OK)
        rc = check_ids(c);
    return rc;
}

LS_API int ls_reader_check(const ls_reader *r, ls_error *err)
{
    if (r != NULL && r->parts != NULL) { /* several indexes: each is checked on its own */
        ls_error_clear(err);
        for (uint32_t i = 0; i < r->n_parts; i++) {
            int rc = ls_reader_check(r->parts[i], err);
            if (rc != LS_OK)
                return rc;
        }
        return LS_OK;
    }
    ls_error_clear(err);
    if (r == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_reader_check: NULL reader");
    ls_manifest_survey sv;
    int rc = ls_manifest_survey_dir(r->dir, &sv, err);
    if (rc != LS_OK)
        return rc;
    if (sv.damaged > 0) {
        char name[LS_FILENAME_MAX];
        ls_manifest_name(sv.newest_damaged, name);
        return ls_error_set(err, LS_ECORRUPT,
                            "'%s/%s' is damaged (%llu damaged manifest%s); no writer removes "
                            "segment files while it is there",
                            r->dir, name, (unsigned long long)sv.damaged,
                            sv.damaged == 1 ? "" : "s");
    }
    checker c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.err = err;
    for (uint32_t i = 0; i < r->nsegs && rc == LS_OK; i++) {
        c.si = i;
        c.s = r->segs[i].seg;
        c.deleted = r->segs[i].del.bitmap;
        rc = check_segment(&c);
    }
    ls_free(c.pos);
    if (rc != LS_OK)
        return rc;
    uniq *u = ls_calloc(1, sizeof *u);
    if (u == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    rc = ls_reader_ids(r, "", 0, see_id, u, err);
    if (rc == LS_OK && u->dup)
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': an id is live in two segments", r->dir);
    ls_free(u);
    return rc;
}
