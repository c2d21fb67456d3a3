/* SPDX-License-Identifier: MIT */
/*
 * test_format.c - writer -> reader round trips of every on-disk structure (FORMAT.md): the term
 * dictionary, postings with skip tables and positions, stored fields, manifests, each through
 * its internal writer and reader on random and edge data, and a whole multi-segment index
 * through the public API (open, check, stats, one search per document).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec/crc.h"
#include "format/fileheader.h"
#include "format/manifest.h"
#include "format/postings.h"
#include "format/stored.h"
#include "format/termdict.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/fileio.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void fill_random(ls_rng *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)ls_rng_next(r);
}

/* Opens path for writing and writes the file header of magic. */
static void fw_open(ls_fwriter *w, const char *path, uint32_t magic)
{
    ls_error err;
    ck_assert_int_eq(ls_fwriter_open(w, path, &err), LS_OK);
    ck_assert_int_eq(ls_header_write(w, magic, &err), LS_OK);
}

static void fw_finish(ls_fwriter *w)
{
    ls_error err;
    int rc = ls_footer_finish(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_footer_finish: %d %s", rc, err.message);
}

static void if_open(ls_ifile *f, const char *path, uint32_t magic)
{
    ls_error err;
    int rc = ls_ifile_open(f, path, magic, &err);
    ck_assert_msg(rc == LS_OK, "ls_ifile_open(%s): %d %s", path, rc, err.message);
    rc = ls_ifile_verify(f, &err);
    ck_assert_msg(rc == LS_OK, "ls_ifile_verify(%s): %d %s", path, rc, err.message);
}

/* ---- term dictionary -------------------------------------------------------------------- */

typedef struct tkey {
    uint8_t b[LS_MAX_KEY_BYTES];
    size_t len;
} tkey;

static int tkey_cmp(const void *pa, const void *pb)
{
    const tkey *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static const uint8_t *const key_prefixes[] = {
    (const uint8_t *)"a", (const uint8_t *)"ainter", (const uint8_t *)"aintern",
    (const uint8_t *)"tquick", (const uint8_t *)"\xff\xff", (const uint8_t *)"\x00"};
static const size_t key_prefix_lens[] = {1, 6, 7, 6, 2, 1};

/* A random key: often a shared prefix, then a random tail; lengths 1..LS_MAX_KEY_BYTES with
 * extra weight on the edges. */
static void random_key(ls_rng *r, tkey *k)
{
    size_t len;
    switch (ls_rng_below(r, 8)) {
    case 0: len = 1; break;
    case 1: len = LS_MAX_KEY_BYTES; break;
    case 2: len = LS_MAX_KEY_BYTES - ls_rng_below(r, 4); break;
    default: len = 1 + ls_rng_below(r, 24); break;
    }
    size_t at = 0;
    if (ls_rng_below(r, 3) != 0) {
        size_t pi = ls_rng_below(r, 6);
        size_t pl = key_prefix_lens[pi] < len ? key_prefix_lens[pi] : len;
        memcpy(k->b, key_prefixes[pi], pl);
        at = pl;
    }
    for (; at < len; at++) {
        /* small alphabet so that keys share prefixes; now and then any byte */
        k->b[at] = ls_rng_below(r, 10) ? (uint8_t)('a' + ls_rng_below(r, 4))
                                       : (uint8_t)ls_rng_next(r);
    }
    k->len = len;
}

/* N distinct sorted keys, always including some edge keys when N allows. */
static tkey *make_keys(ls_rng *r, size_t n)
{
    size_t cap = n * 2 + 16, m = 0;
    tkey *k = xmalloc(cap * sizeof *k);
    while (m < n) {
        while (m < cap) {
            if (m == 0) { /* the longest key */
                memset(k[m].b, 'a', LS_MAX_KEY_BYTES);
                k[m].len = LS_MAX_KEY_BYTES;
            } else if (m == 1) { /* a 255-byte prefix of it followed by a different byte */
                memset(k[m].b, 'a', LS_MAX_KEY_BYTES);
                k[m].b[LS_MAX_KEY_BYTES - 1] = 'b';
                k[m].len = LS_MAX_KEY_BYTES;
            } else if (m == 2) {
                k[m].b[0] = 'a';
                k[m].len = 1;
            } else {
                random_key(r, &k[m]);
            }
            m++;
        }
        qsort(k, m, sizeof *k, tkey_cmp);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (u == 0 || tkey_cmp(&k[u - 1], &k[i]) != 0)
                k[u++] = k[i];
        m = u;
    }
    /* Keep n of them, spread over the whole sorted range (random drop). */
    while (m > n) {
        size_t drop = ls_rng_below(r, (uint32_t)m);
        memmove(&k[drop], &k[drop + 1], (m - drop - 1) * sizeof *k);
        m--;
    }
    return k;
}

static void random_metas(ls_rng *r, ls_term_meta *m, size_t n)
{
    uint64_t doff = ls_rng_below(r, 3) == 0 ? 0 : ls_rng_next(r) >> 40;
    uint64_t poff = ls_rng_next(r) >> 44;
    for (size_t i = 0; i < n; i++) {
        uint32_t kind = ls_rng_below(r, 4);
        m[i].df = kind == 0 ? 1 : kind == 1 ? UINT32_MAX - ls_rng_below(r, 3)
                                            : 1 + ls_rng_below(r, 100000);
        m[i].cf = m[i].df + (kind == 1 ? (ls_rng_next(r) >> 20) : ls_rng_below(r, 1000));
        m[i].doc_off = doff;
        m[i].doc_bytes = kind == 1 ? (ls_rng_next(r) >> 24) : 1 + ls_rng_below(r, 5000);
        doff += m[i].doc_bytes;
        m[i].pos_off = poff;
        m[i].pos_bytes = ls_rng_below(r, 5) == 0 ? 0 : ls_rng_below(r, 1u << 20);
        poff += m[i].pos_bytes;
        m[i].max_tf = kind == 1 ? UINT32_MAX : 1 + ls_rng_below(r, 50);
        m[i].min_len = ls_rng_below(r, 4) == 0 ? UINT32_MAX : ls_rng_below(r, 3000);
    }
}

static void assert_meta_eq(const ls_term_meta *a, const ls_term_meta *b, size_t i)
{
    ck_assert_msg(a->df == b->df && a->cf == b->cf && a->doc_off == b->doc_off &&
                      a->doc_bytes == b->doc_bytes && a->pos_off == b->pos_off &&
                      a->pos_bytes == b->pos_bytes && a->max_tf == b->max_tf &&
                      a->min_len == b->min_len,
                  "meta of key %zu differs: df %u/%u cf %llu/%llu doc_off %llu/%llu", i, a->df,
                  b->df, (unsigned long long)a->cf, (unsigned long long)b->cf,
                  (unsigned long long)a->doc_off, (unsigned long long)b->doc_off);
}

static int key_present(const tkey *keys, size_t n, const tkey *k)
{
    return bsearch(k, keys, n, sizeof *keys, tkey_cmp) != NULL;
}

/* Index of the first key >= k (n when none). */
static size_t lower_bound(const tkey *keys, size_t n, const tkey *k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tkey_cmp(&keys[mid], k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Seeks k and walks to the end, checking every entry against keys[expect..]. */
static void check_seek_walk(const ls_termdict *d, const tkey *keys, const ls_term_meta *metas,
                            size_t n, const tkey *k, size_t max_steps)
{
    size_t expect = lower_bound(keys, n, k);
    ls_termdict_iter it;
    int rc = ls_termdict_seek(d, k->b, k->len, &it);
    if (expect == n) {
        ck_assert_int_eq(rc, 0);
        return;
    }
    ck_assert_int_eq(rc, 1);
    for (size_t i = expect, steps = 0; i < n && steps < max_steps; i++, steps++) {
        ck_assert_msg(it.key_len == keys[i].len && memcmp(it.key, keys[i].b, it.key_len) == 0,
                      "iteration from seek: entry %zu has the wrong key (len %zu, want %zu)", i,
                      it.key_len, keys[i].len);
        assert_meta_eq(&it.meta, &metas[i], i);
        rc = ls_termdict_next(&it);
        if (i + 1 < n)
            ck_assert_msg(rc == 1, "ls_termdict_next after entry %zu of %zu gave %d", i, n, rc);
        else
            ck_assert_int_eq(rc, 0);
    }
}

static void termdict_roundtrip(size_t n, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    char *dir = ls_test_tmpdir();
    char *path = join(dir, "t.tid");
    tkey *keys = make_keys(&r, n);
    ls_term_meta *metas = xmalloc((n ? n : 1) * sizeof *metas);
    random_metas(&r, metas, n);

    ls_fwriter w;
    ls_termdict_writer tw;
    ls_error err;
    fw_open(&w, path, LS_MAGIC_DICT);
    ls_termdict_writer_init(&tw, &w);
    for (size_t i = 0; i < n; i++) {
        int rc = ls_termdict_add(&tw, keys[i].b, keys[i].len, &metas[i], &err);
        ck_assert_msg(rc == LS_OK, "ls_termdict_add key %zu: %d %s", i, rc, err.message);
    }
    ck_assert_int_eq(ls_termdict_finish(&tw, &err), LS_OK);
    fw_finish(&w);

    ls_ifile f;
    if_open(&f, path, LS_MAGIC_DICT);
    ls_termdict d;
    ck_assert_int_eq(ls_termdict_open(&d, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(d.nterms, n);
    ck_assert_uint_eq(d.nblocks, (n + LS_DICT_BLOCK_TERMS - 1) / LS_DICT_BLOCK_TERMS);

    /* every key is found with its meta */
    for (size_t i = 0; i < n; i++) {
        ls_term_meta got;
        memset(&got, 0xab, sizeof got);
        int rc = ls_termdict_find(&d, keys[i].b, keys[i].len, &got);
        ck_assert_msg(rc == 1, "n=%zu: key %zu (len %zu) not found: %d", n, i, keys[i].len, rc);
        assert_meta_eq(&got, &metas[i], i);
    }

    /* absent keys: empty, before the first, between neighbours, after the last */
    tkey probe;
    ls_term_meta junk;
    probe.len = 0;
    ck_assert_int_eq(ls_termdict_find(&d, probe.b, 0, &junk), 0);
    check_seek_walk(&d, keys, metas, n, &probe, 40);
    for (size_t i = 0; i <= n; i++) {
        /* keys[i-1] + one byte (sorts between keys[i-1] and its successors), and
         * keys[i] with its last byte lowered (sorts before keys[i]) */
        for (int variant = 0; variant < 2; variant++) {
            if (variant == 0) {
                if (i == 0 || keys[i - 1].len == LS_MAX_KEY_BYTES)
                    continue;
                probe = keys[i - 1];
                probe.b[probe.len++] = (uint8_t)ls_rng_next(&r);
            } else {
                if (i == n || keys[i].b[keys[i].len - 1] == 0)
                    continue;
                probe = keys[i];
                probe.b[probe.len - 1]--;
            }
            if (key_present(keys, n, &probe))
                continue;
            ck_assert_msg(ls_termdict_find(&d, probe.b, probe.len, &junk) == 0,
                          "n=%zu: absent key near %zu reported found", n, i);
            if (ls_rng_below(&r, 8) == 0 || n < 40)
                check_seek_walk(&d, keys, metas, n, &probe, 40);
        }
    }
    memset(probe.b, 0xff, LS_MAX_KEY_BYTES);
    probe.len = LS_MAX_KEY_BYTES;
    if (!key_present(keys, n, &probe)) {
        ck_assert_int_eq(ls_termdict_find(&d, probe.b, probe.len, &junk), 0);
        check_seek_walk(&d, keys, metas, n, &probe, 1);
    }

    /* seek to existing keys from random points and walk (whole walk from the first one) */
    if (n > 0) {
        check_seek_walk(&d, keys, metas, n, &keys[0], n);
        for (int t = 0; t < 50; t++)
            check_seek_walk(&d, keys, metas, n, &keys[ls_rng_below(&r, (uint32_t)n)], 70);
        check_seek_walk(&d, keys, metas, n, &keys[n - 1], 2);
    }

    ls_ifile_close(&f);
    free(metas);
    free(keys);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}

START_TEST(termdict_roundtrip_sizes)
{
    static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        termdict_roundtrip(sizes[i], 100 + i);
    if (ls_test_long())
        for (uint64_t t = 0; t < 20; t++)
            termdict_roundtrip(1 + t * 173, 200 + t);
}
END_TEST

START_TEST(termdict_rejects_bad_keys)
{
    char *dir = ls_test_tmpdir();
    char *path = join(dir, "bad.tid");
    ls_fwriter w;
    ls_termdict_writer tw;
    ls_error err;
    ls_term_meta m = {1, 1, 0, 10, 0, 0, 1, 1};
    uint8_t key[LS_MAX_KEY_BYTES + 1];
    memset(key, 'k', sizeof key);
    fw_open(&w, path, LS_MAGIC_DICT);
    ls_termdict_writer_init(&tw, &w);
    ck_assert_int_eq(ls_termdict_add(&tw, key, 0, &m, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_termdict_add(&tw, key, LS_MAX_KEY_BYTES + 1, &m, &err), LS_ELIMIT);
    ck_assert_int_eq(err.code, LS_ELIMIT);
    ck_assert_int_eq(ls_termdict_add(&tw, key, LS_MAX_KEY_BYTES, &m, &err), LS_OK);
    ck_assert_int_eq(ls_termdict_finish(&tw, &err), LS_OK);
    fw_finish(&w);
    ls_ifile f;
    if_open(&f, path, LS_MAGIC_DICT);
    ls_termdict d;
    ck_assert_int_eq(ls_termdict_open(&d, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(d.nterms, 1);
    ls_term_meta got;
    ck_assert_int_eq(ls_termdict_find(&d, key, LS_MAX_KEY_BYTES, &got), 1);
    assert_meta_eq(&got, &m, 0);
    /* a body too short for its trailer, and a trailer whose counts disagree */
    ck_assert_int_eq(ls_termdict_open(&d, f.body, 19), LS_ECORRUPT);
    uint8_t *copy = xmalloc(f.body_len);
    memcpy(copy, f.body, f.body_len);
    ls_put_u32le(copy + f.body_len - 4, 2); /* K = 2 but the block index holds one offset */
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_ECORRUPT);
    free(copy);
    ls_ifile_close(&f);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- postings --------------------------------------------------------------------------- */

typedef struct plist {
    uint32_t n;
    uint32_t *docs, *tfs, *lens;
    uint64_t *pos_end;
    ls_buf pos;
    ls_term_meta meta;
} plist;

enum { GAPS_ZERO, GAPS_SMALL, GAPS_HUGE, GAPS_MIXED, GAPS_TOP, GAPS_KINDS };
enum { TFS_ONE, TFS_SMALL, TFS_LARGE, TFS_KINDS };

static uint32_t pick_tf(ls_rng *r, int kind)
{
    switch (kind) {
    case TFS_ONE: return 1;
    case TFS_SMALL: return 1 + ls_rng_below(r, ls_rng_below(r, 4) ? 3 : 40);
    default: {
        uint32_t x = ls_rng_below(r, 6);
        return x == 0 ? UINT32_MAX : x == 1 ? 1u << 31 : x == 2 ? 1 : 1 + ls_rng_below(r, 1u << 20);
    }
    }
}

static void make_plist(ls_rng *r, plist *p, uint32_t n, int gaps, int tfkind)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->docs = xmalloc(n * sizeof *p->docs);
    p->tfs = xmalloc(n * sizeof *p->tfs);
    p->lens = xmalloc(n * sizeof *p->lens);
    p->pos_end = xmalloc(n * sizeof *p->pos_end);
    /* doc ids strictly increasing and < LS_DOC_END */
    uint64_t limit = gaps == GAPS_TOP ? (uint64_t)UINT32_MAX - 1 : (1ull << 31) - 1;
    uint64_t d;
    switch (gaps) {
    case GAPS_ZERO: d = ls_rng_below(r, 3) ? 0 : ls_rng_below(r, 1000); break;
    case GAPS_TOP: d = limit - n + 1 - ls_rng_below(r, 3); break;
    default: d = ls_rng_below(r, 5); break;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            uint64_t room = limit - d - (n - 1 - i); /* keep room for the rest */
            uint64_t gap;
            switch (gaps) {
            case GAPS_ZERO: case GAPS_TOP: gap = 0; break;
            case GAPS_SMALL: gap = ls_rng_below(r, 20); break;
            case GAPS_HUGE: gap = i == 1 ? room - 1 - (n - 2) * 3 : ls_rng_below(r, 3); break;
            default: gap = ls_rng_below(r, 10) == 0 ? ls_rng_next(r) % (room / 2 + 1)
                                                    : ls_rng_below(r, 3);
            }
            if (gap >= room)
                gap = room - 1;
            d += gap + 1;
        }
        ck_assert(d < LS_DOC_END);
        p->docs[i] = (uint32_t)d;
        p->tfs[i] = pick_tf(r, tfkind);
        p->lens[i] = ls_rng_below(r, 5) == 0 ? ls_rng_next(r) >> 32 : 1 + ls_rng_below(r, 500);
        /* positions: VByte deltas, at most 40 per document (large tfs keep a sample) */
        uint32_t np = p->tfs[i] < 40 ? p->tfs[i] : 40;
        for (uint32_t k = 0; k < np; k++) {
            uint32_t delta = k == 0 ? ls_rng_below(r, 10) : 1 + (ls_rng_below(r, 8) == 0
                                                                     ? ls_rng_next(r) >> 36
                                                                     : ls_rng_below(r, 30));
            ck_assert_int_eq(ls_buf_put_vbyte(&p->pos, delta), LS_OK);
        }
        p->pos_end[i] = p->pos.len;
    }
}

static void free_plist(plist *p)
{
    free(p->docs);
    free(p->tfs);
    free(p->lens);
    free(p->pos_end);
    ls_buf_free(&p->pos);
}

static void check_plist(const plist *p, const ls_ifile *docf, const ls_ifile *posf, size_t li)
{
    const ls_term_meta *m = &p->meta;
    uint64_t cf = 0;
    uint32_t max_tf = 0, min_len = UINT32_MAX;
    for (uint32_t i = 0; i < p->n; i++) {
        cf += p->tfs[i];
        max_tf = p->tfs[i] > max_tf ? p->tfs[i] : max_tf;
        min_len = p->lens[i] < min_len ? p->lens[i] : min_len;
    }
    ck_assert_uint_eq(m->df, p->n);
    ck_assert_uint_eq(m->cf, cf);
    ck_assert_uint_eq(m->max_tf, max_tf);
    ck_assert_uint_eq(m->min_len, min_len);
    ck_assert_uint_eq(m->pos_bytes, p->pos.len);

    ls_postings_view v;
    int rc = ls_postings_view_init(&v, m, docf->body, docf->body_len, posf->body, posf->body_len);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(v.df, p->n);
    ck_assert_uint_eq(v.nblocks, p->n / LS_BLOCK);
    ck_assert_uint_eq((size_t)(v.end - v.skip), m->doc_bytes);
    ck_assert_uint_eq((size_t)(v.pos_end - v.pos), p->pos.len);
    ck_assert(p->pos.len == 0 || memcmp(v.pos, p->pos.data, p->pos.len) == 0);

    uint32_t docs[LS_BLOCK], tfs[LS_BLOCK];
    uint32_t prev = UINT32_MAX, prev_block_end = 0;
    for (uint32_t b = 0; b < v.nblocks; b++) {
        memset(docs, 0, sizeof docs);
        rc = ls_postings_decode_block(&v, b, prev, docs, tfs);
        ck_assert_msg(rc == LS_OK, "list %zu block %u: %d", li, b, rc);
        uint32_t bmax = 0, bmin = UINT32_MAX;
        for (uint32_t j = 0; j < LS_BLOCK; j++) {
            uint32_t i = b * LS_BLOCK + j;
            ck_assert_msg(docs[j] == p->docs[i] && tfs[j] == p->tfs[i],
                          "list %zu posting %u: doc %u tf %u, want %u %u", li, i, docs[j], tfs[j],
                          p->docs[i], p->tfs[i]);
            bmax = p->tfs[i] > bmax ? p->tfs[i] : bmax;
            bmin = p->lens[i] < bmin ? p->lens[i] : bmin;
        }
        uint32_t last = (b + 1) * LS_BLOCK - 1;
        ck_assert_uint_eq(ls_skip_last_doc(&v, b), p->docs[last]);
        ck_assert_uint_eq(ls_skip_max_tf(&v, b), bmax);
        ck_assert_uint_eq(ls_skip_min_len(&v, b), bmin);
        ck_assert_uint_eq(ls_skip_pos_end(&v, b), p->pos_end[last]);
        ck_assert_uint_gt(ls_skip_block_end(&v, b), prev_block_end);
        prev_block_end = ls_skip_block_end(&v, b);
        prev = p->docs[last];
    }
    uint32_t tail = p->n % LS_BLOCK;
    rc = ls_postings_decode_tail(&v, prev, docs, tfs);
    ck_assert_int_eq(rc, (int)tail);
    for (uint32_t j = 0; j < tail; j++) {
        uint32_t i = v.nblocks * LS_BLOCK + j;
        ck_assert_msg(docs[j] == p->docs[i] && tfs[j] == p->tfs[i],
                      "list %zu tail posting %u: doc %u tf %u, want %u %u", li, i, docs[j],
                      tfs[j], p->docs[i], p->tfs[i]);
    }
    /* a block decoded with the wrong previous doc disagrees with its skip entry */
    if (v.nblocks > 0)
        ck_assert_int_eq(ls_postings_decode_block(&v, 0, 5, docs, tfs), LS_ECORRUPT);
}

START_TEST(postings_roundtrip_edges)
{
    static const uint32_t dfs[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000};
    ls_rng r;
    ls_rng_init(&r, 300);
    int rounds = ls_test_long() ? 4 : 1;
    size_t nl = 0, cap = sizeof dfs / sizeof dfs[0] * GAPS_KINDS * TFS_KINDS * (size_t)rounds;
    plist *lists = xmalloc(cap * sizeof *lists);
    for (int round = 0; round < rounds; round++)
        for (size_t i = 0; i < sizeof dfs / sizeof dfs[0]; i++)
            for (int g = 0; g < GAPS_KINDS; g++)
                for (int t = 0; t < TFS_KINDS; t++)
                    make_plist(&r, &lists[nl++], dfs[i] + (round ? ls_rng_below(&r, 300) : 0),
                               g, t);
    ck_assert_uint_eq(nl, cap);

    char *dir = ls_test_tmpdir();
    char *dpath = join(dir, "p.doc"), *ppath = join(dir, "p.pos");
    ls_fwriter dw, pw;
    ls_error err;
    ls_buf scratch = LS_BUF_INIT;
    fw_open(&dw, dpath, LS_MAGIC_POSTINGS);
    fw_open(&pw, ppath, LS_MAGIC_POSITIONS);
    for (size_t i = 0; i < nl; i++) {
        ls_term_input in = {lists[i].docs, lists[i].tfs, lists[i].lens, lists[i].pos.data,
                            lists[i].pos_end, lists[i].n};
        uint64_t doff = dw.offset - LS_HEADER_SIZE, poff = pw.offset - LS_HEADER_SIZE;
        int rc = ls_postings_write(&dw, &pw, &in, &scratch, &lists[i].meta, &err);
        ck_assert_msg(rc == LS_OK, "ls_postings_write list %zu: %d %s", i, rc, err.message);
        ck_assert_uint_eq(lists[i].meta.doc_off, doff);
        ck_assert_uint_eq(lists[i].meta.pos_off, poff);
        ck_assert_uint_eq(lists[i].meta.doc_bytes, dw.offset - LS_HEADER_SIZE - doff);
    }
    ls_buf_free(&scratch);
    fw_finish(&dw);
    fw_finish(&pw);

    ls_ifile df, pf;
    if_open(&df, dpath, LS_MAGIC_POSTINGS);
    if_open(&pf, ppath, LS_MAGIC_POSITIONS);
    for (size_t i = 0; i < nl; i++)
        check_plist(&lists[i], &df, &pf, i);

    /* metas pointing outside the files are refused */
    ls_postings_view v;
    ls_term_meta bad = lists[0].meta;
    bad.doc_off = df.body_len;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, df.body, df.body_len, pf.body, pf.body_len),
                     LS_ECORRUPT);
    bad = lists[0].meta;
    bad.pos_bytes = pf.body_len + 1;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, df.body, df.body_len, pf.body, pf.body_len),
                     LS_ECORRUPT);
    bad = lists[0].meta;
    bad.df = 0;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, df.body, df.body_len, pf.body, pf.body_len),
                     LS_ECORRUPT);

    ls_ifile_close(&df);
    ls_ifile_close(&pf);
    for (size_t i = 0; i < nl; i++)
        free_plist(&lists[i]);
    free(lists);
    free(dpath);
    free(ppath);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- stored fields ---------------------------------------------------------------------- */

typedef struct sdoc {
    char *f[4];
    size_t len[4];
} sdoc;

START_TEST(stored_roundtrip_chunks)
{
    ls_rng r;
    ls_rng_init(&r, 400);
    size_t n = ls_test_long() ? 20000 : 3000;
    size_t big = n / 2; /* a 1 MiB body in the middle */
    sdoc *docs = xmalloc(n * sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++) {
            size_t len;
            uint32_t x = ls_rng_below(&r, 6);
            len = x == 0 ? 0 : x == 1 ? ls_rng_below(&r, 4) : ls_rng_below(&r, k == 2 ? 400 : 40);
            if (i == big && k == 2)
                len = 1u << 20;
            if (i % 97 == 5) /* every field empty */
                len = 0;
            docs[i].f[k] = xmalloc(len);
            docs[i].len[k] = len;
            if (i == big && k == 2) {
                /* compressible text with random bytes sprinkled in */
                for (size_t j = 0; j < len; j++)
                    docs[i].f[k][j] = ls_rng_below(&r, 50) ? (char)('a' + j % 26)
                                                           : (char)ls_rng_next(&r);
            } else {
                fill_random(&r, (uint8_t *)docs[i].f[k], len);
            }
        }
    }
    char *dir = ls_test_tmpdir();
    char *path = join(dir, "s.fdt");
    ls_fwriter w;
    ls_stored_writer sw;
    ls_error err;
    fw_open(&w, path, LS_MAGIC_STORED);
    ls_stored_writer_init(&sw, &w);
    for (size_t i = 0; i < n; i++) {
        const char *f[4] = {docs[i].f[0], docs[i].f[1], docs[i].f[2], docs[i].f[3]};
        int rc = ls_stored_add(&sw, f, docs[i].len, &err);
        ck_assert_msg(rc == LS_OK, "ls_stored_add %zu: %d %s", i, rc, err.message);
    }
    ck_assert_int_eq(ls_stored_finish(&sw, &err), LS_OK);
    fw_finish(&w);

    ls_ifile f;
    if_open(&f, path, LS_MAGIC_STORED);
    ls_stored s;
    ck_assert_int_eq(ls_stored_open(&s, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(s.ndocs, n);
    ck_assert_uint_gt(s.nchunks, 3);

    uint32_t *order = xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = ls_rng_below(&r, (uint32_t)(i + 1));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    /* pass 0: one cache shared by all lookups in random order; pass 1: a fresh cache per
     * lookup; pass 2: one cache, in document order */
    for (int pass = 0; pass < 3; pass++) {
        ls_stored_cache cache = LS_STORED_CACHE_INIT;
        for (size_t t = 0; t < n; t++) {
            uint32_t d = pass == 2 ? (uint32_t)t : order[t];
            const char *got[4];
            size_t glen[4];
            if (pass == 1) {
                ls_stored_cache_free(&cache);
                ck_assert_uint_eq(cache.chunk, UINT32_MAX);
            }
            int rc = ls_stored_get(&s, d, &cache, got, glen);
            ck_assert_msg(rc == LS_OK, "ls_stored_get(%u) pass %d: %d", d, pass, rc);
            for (int k = 0; k < 4; k++) {
                ck_assert_msg(glen[k] == docs[d].len[k], "doc %u field %d: len %zu, want %zu",
                              d, k, glen[k], docs[d].len[k]);
                ck_assert_msg(glen[k] == 0 || memcmp(got[k], docs[d].f[k], glen[k]) == 0,
                              "doc %u field %d: bytes differ", d, k);
            }
        }
        const char *got[4];
        size_t glen[4];
        ck_assert_int_eq(ls_stored_get(&s, (uint32_t)n, &cache, got, glen), LS_EINVAL);
        ck_assert_int_eq(ls_stored_get(&s, UINT32_MAX, &cache, got, glen), LS_EINVAL);
        ls_stored_cache_free(&cache);
    }
    ls_ifile_close(&f);

    /* an empty stored file: no chunks, no documents */
    fw_open(&w, path, LS_MAGIC_STORED);
    ls_stored_writer_init(&sw, &w);
    ck_assert_int_eq(ls_stored_finish(&sw, &err), LS_OK);
    fw_finish(&w);
    if_open(&f, path, LS_MAGIC_STORED);
    ck_assert_int_eq(ls_stored_open(&s, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(s.ndocs, 0);
    ck_assert_uint_eq(s.nchunks, 0);
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    const char *got[4];
    size_t glen[4];
    ck_assert_int_eq(ls_stored_get(&s, 0, &cache, got, glen), LS_EINVAL);
    ls_ifile_close(&f);

    free(order);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            free(docs[i].f[k]);
    free(docs);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- manifest --------------------------------------------------------------------------- */

static void make_manifest(ls_rng *r, ls_manifest *m, uint64_t gen, uint32_t nsegs,
                          const char *lang)
{
    memset(m, 0, sizeof *m);
    m->gen = gen;
    snprintf(m->language, sizeof m->language, "%s", lang);
    m->nsegs = nsegs;
    m->segs = xmalloc((nsegs ? nsegs : 1) * sizeof *m->segs);
    uint32_t id = ls_rng_below(r, 5);
    for (uint32_t i = 0; i < nsegs; i++) {
        ls_seg_info *s = &m->segs[i];
        s->id = id;
        id += 1 + ls_rng_below(r, 3);
        s->ndocs = i == 0 ? UINT32_MAX : ls_rng_below(r, 100000);
        s->tokens_all = ls_rng_next(r) >> 8;
        s->tokens_title = s->tokens_all >> ls_rng_below(r, 10);
        s->del_gen = i % 2 ? 0 : ls_rng_next(r);
    }
    m->next_seg = id + ls_rng_below(r, 3);
}

static void assert_manifest_eq(const ls_manifest *a, const ls_manifest *b)
{
    ck_assert_uint_eq(a->gen, b->gen);
    ck_assert_str_eq(a->language, b->language);
    ck_assert_uint_eq(a->next_seg, b->next_seg);
    ck_assert_uint_eq(a->nsegs, b->nsegs);
    for (uint32_t i = 0; i < a->nsegs; i++) {
        ck_assert_uint_eq(a->segs[i].id, b->segs[i].id);
        ck_assert_uint_eq(a->segs[i].ndocs, b->segs[i].ndocs);
        ck_assert_uint_eq(a->segs[i].tokens_all, b->segs[i].tokens_all);
        ck_assert_uint_eq(a->segs[i].tokens_title, b->segs[i].tokens_title);
        ck_assert_uint_eq(a->segs[i].del_gen, b->segs[i].del_gen);
    }
}

static void free_test_manifest(ls_manifest *m)
{
    free(m->segs);
    m->segs = NULL;
}

static size_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (size_t)st.st_size;
}

static char *manifest_path(const char *dir, uint64_t gen)
{
    char name[64];
    ls_manifest_name(gen, name);
    return join(dir, name);
}

START_TEST(manifest_roundtrip_and_fallback)
{
    ls_rng r;
    ls_rng_init(&r, 500);
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_manifest got;

    /* none -> LS_ENOTFOUND (an unrelated file and a malformed name do not count) */
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_ENOTFOUND);
    ck_assert(strlen(err.message) > 0);
    char *junk = join(dir, "manifest-12");
    ck_assert_int_eq(ls_test_write_file(junk, "x", 1), 0);
    char *other = join(dir, "notes.txt");
    ck_assert_int_eq(ls_test_write_file(other, "hello", 5), 0);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_ENOTFOUND);

    /* zero segments, 31-byte language */
    ls_manifest m0, m1, m2;
    make_manifest(&r, &m0, 1, 0, "abcdefghijklmnopqrstuvwxyz01234");
    ck_assert_int_eq(ls_manifest_write(dir, &m0, &err), LS_OK);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_OK);
    assert_manifest_eq(&got, &m0);
    char *p1 = manifest_path(dir, 1);
    ck_assert_uint_eq(got.file_bytes, file_size(p1));
    ls_manifest_free(&got);

    make_manifest(&r, &m1, 7, 3, "english");
    ck_assert_int_eq(ls_manifest_write(dir, &m1, &err), LS_OK);
    make_manifest(&r, &m2, 8, 200, "french");
    ck_assert_int_eq(ls_manifest_write(dir, &m2, &err), LS_OK);

    /* the newest generation wins */
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_OK);
    assert_manifest_eq(&got, &m2);
    ls_manifest_free(&got);

    /* a damaged newest falls back to the previous valid one, whatever byte is hit */
    char *p8 = manifest_path(dir, 8);
    size_t len8;
    char *orig8 = ls_test_read_file(p8, &len8);
    ck_assert_ptr_nonnull(orig8);
    for (int t = 0; t < 40; t++) {
        if (t >= 4 && t < 8)
            continue; /* the version field: see manifest_damaged_version_falls_back */
        char *bad = xmalloc(len8);
        memcpy(bad, orig8, len8);
        size_t at = t < 8 ? (size_t)t : t < 24 ? len8 - 1 - (size_t)(t - 8)
                                               : ls_rng_below(&r, (uint32_t)len8);
        bad[at] ^= (char)(1 + ls_rng_below(&r, 255));
        ck_assert_int_eq(ls_test_write_file(p8, bad, len8), 0);
        int rc = ls_manifest_load(dir, &got, &err);
        ck_assert_msg(rc == LS_OK, "flip at %zu of %zu: %d %s", at, len8, rc, err.message);
        assert_manifest_eq(&got, &m1);
        ls_manifest_free(&got);
        free(bad);
    }
    static const size_t cuts[] = {0, 1, 8, 24, 100, 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t cut = i == sizeof cuts / sizeof cuts[0] - 1 ? len8 - 1 : cuts[i];
        ck_assert_int_eq(ls_test_write_file(p8, orig8, cut < len8 ? cut : len8 / 2), 0);
        ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_OK);
        assert_manifest_eq(&got, &m1);
        ls_manifest_free(&got);
    }
    ck_assert_int_eq(ls_test_write_file(p8, orig8, len8), 0);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_OK);
    assert_manifest_eq(&got, &m2);
    ls_manifest_free(&got);

    /* every manifest damaged -> LS_ECORRUPT naming the newest */
    ck_assert_int_eq(ls_test_write_file(p8, orig8, len8 / 2), 0);
    char *p7 = manifest_path(dir, 7);
    ck_assert_int_eq(ls_test_write_file(p7, "garbage-garbage-garbage-garbage-garbage", 40), 0);
    ck_assert_int_eq(ls_test_write_file(p1, "", 0), 0);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_ECORRUPT);
    ck_assert_int_eq(err.code, LS_ECORRUPT);
    ck_assert_msg(strstr(err.message, "manifest-00000000000000000008") != NULL, "message: %s",
                  err.message);

    /* a manifest whose name and contents disagree on the generation is not trusted */
    ls_manifest m9;
    make_manifest(&r, &m9, 9, 1, "english");
    ck_assert_int_eq(ls_manifest_write(dir, &m9, &err), LS_OK);
    char *p9 = manifest_path(dir, 9), *p10 = manifest_path(dir, 10);
    ck_assert_int_eq(rename(p9, p10), 0);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_ECORRUPT);

    /* pruning keeps keep_from and newer */
    ck_assert_int_eq(ls_test_write_file(p8, orig8, len8), 0);
    ls_manifest_prune(dir, 8);
    struct stat st;
    ck_assert_int_ne(stat(p7, &st), 0);
    ck_assert_int_ne(stat(p1, &st), 0);
    ck_assert_int_eq(stat(p8, &st), 0);
    ck_assert_int_eq(stat(p10, &st), 0);

    free(orig8);
    free_test_manifest(&m0);
    free_test_manifest(&m1);
    free_test_manifest(&m2);
    free_test_manifest(&m9);
    free(p1);
    free(p7);
    free(p8);
    free(p9);
    free(p10);
    free(junk);
    free(other);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A damaged version field is damage, not a newer format: the checksum says so, and the older
 * valid manifest must be used (as for any other damaged byte). */
START_TEST(manifest_damaged_version_falls_back)
{
    ls_rng r;
    ls_rng_init(&r, 510);
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_manifest m1, m2, got;
    make_manifest(&r, &m1, 1, 2, "english");
    make_manifest(&r, &m2, 2, 3, "english");
    ck_assert_int_eq(ls_manifest_write(dir, &m1, &err), LS_OK);
    ck_assert_int_eq(ls_manifest_write(dir, &m2, &err), LS_OK);
    char *p2 = manifest_path(dir, 2);
    size_t len;
    char *orig = ls_test_read_file(p2, &len);
    ck_assert_ptr_nonnull(orig);
    orig[4] ^= 0x02; /* version 1 -> 3, checksum now wrong */
    ck_assert_int_eq(ls_test_write_file(p2, orig, len), 0);
    int rc = ls_manifest_load(dir, &got, &err);
    ck_assert_msg(rc == LS_OK, "damaged version byte: got %d (%s), want LS_OK from manifest 1",
                  rc, err.message);
    assert_manifest_eq(&got, &m1);
    ls_manifest_free(&got);
    free(orig);
    free(p2);
    free_test_manifest(&m1);
    free_test_manifest(&m2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A valid manifest (good checksum) of a newer format version is LS_EFORMAT, not a fallback. */
START_TEST(manifest_newer_version_is_eformat)
{
    ls_rng r;
    ls_rng_init(&r, 520);
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_manifest m1, m2, got;
    make_manifest(&r, &m1, 1, 1, "english");
    make_manifest(&r, &m2, 2, 1, "english");
    ck_assert_int_eq(ls_manifest_write(dir, &m1, &err), LS_OK);
    ck_assert_int_eq(ls_manifest_write(dir, &m2, &err), LS_OK);
    char *p2 = manifest_path(dir, 2);
    size_t len;
    char *d = ls_test_read_file(p2, &len);
    ck_assert_ptr_nonnull(d);
    ls_put_u32le((uint8_t *)d + 4, LS_FORMAT_VERSION + 1);
    ls_put_u32le((uint8_t *)d + len - 4, ls_crc32(0, d, len - 4));
    ck_assert_int_eq(ls_test_write_file(p2, d, len), 0);
    ck_assert_int_eq(ls_manifest_load(dir, &got, &err), LS_EFORMAT);
    ck_assert_msg(strstr(err.message, "manifest-00000000000000000002") != NULL, "message: %s",
                  err.message);
    free(d);
    free(p2);
    free_test_manifest(&m1);
    free_test_manifest(&m2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- the whole index through the public API --------------------------------------------- */

/* A word no stemmer changes and no other document shares: consonants only. */
static void unique_word(size_t i, char *out)
{
    static const char cons[] = "bcdfghjkmnpqrtvwxz"; /* 18 */
    out[0] = 'q';
    out[1] = 'z';
    for (int k = 0; k < 5; k++) {
        out[2 + k] = cons[i % 18];
        i /= 18;
    }
    out[7] = '\0';
}

static const char *const common_words[] = {"index", "search", "engine", "postings", "block",
                                           "query", "stored", "field", "segment", "merge",
                                           "writer", "reader", "snippet", "token", "analyzer"};

START_TEST(index_roundtrip_public_api)
{
    ls_rng r;
    ls_rng_init(&r, 600);
    size_t n = ls_test_long() ? 3000 : 700;
    size_t commits = 3;
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024; /* about 100 documents a segment */
    ls_writer *w;
    char body[2048], title[64], id[32], path[64], uw[8];
    for (size_t c = 0; c < commits; c++) {
        int rc = ls_writer_open(dir, &wo, &w, &err);
        ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
        for (size_t i = c * n / commits; i < (c + 1) * n / commits; i++) {
            unique_word(i, uw);
            size_t bl = 0;
            size_t nw = 5 + ls_rng_below(&r, 60), at = ls_rng_below(&r, (uint32_t)nw);
            for (size_t k = 0; k < nw; k++) {
                const char *word = k == at ? uw : common_words[ls_rng_below(&r, 15)];
                bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", k ? " " : "", word);
            }
            snprintf(title, sizeof title, "Title of document %zu", i);
            snprintf(id, sizeof id, "doc-%zu", i);
            snprintf(path, sizeof path, "/data/dir%zu/file-%zu.txt", i % 7, i);
            ls_document d = LS_DOCUMENT_INIT;
            d.id = id;
            d.id_len = strlen(id);
            d.title = title;
            d.title_len = strlen(title);
            d.body = body;
            d.body_len = bl;
            d.path = path;
            d.path_len = strlen(path);
            rc = ls_writer_add(w, &d, &err);
            ck_assert_msg(rc == LS_OK, "ls_writer_add %zu: %d %s", i, rc, err.message);
        }
        rc = ls_writer_commit(w, &err);
        ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
        ls_writer_close(w);
    }

    ls_reader *rd;
    int rc = ls_reader_open(dir, &rd, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open: %d %s", rc, err.message);
    rc = ls_reader_check(rd, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_check: %d %s", rc, err.message);
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    ck_assert_int_eq(ls_reader_stats(rd, &st, &err), LS_OK);
    ck_assert_uint_eq(st.documents, n);
    ck_assert_uint_gt(st.segments, commits);
    ck_assert_uint_eq(st.generation, commits);
    ck_assert_uint_gt(st.terms, n);  /* at least every unique word */
    ck_assert_uint_ge(st.postings, st.terms);
    ck_assert_uint_gt(st.tokens, n * 5);
    ck_assert_uint_gt(st.bytes_dictionary, 0);
    ck_assert_uint_gt(st.bytes_postings, 0);
    ck_assert_uint_gt(st.bytes_positions, 0);
    ck_assert_uint_eq(st.bytes_doclens,
                      (uint64_t)st.segments * (LS_HEADER_SIZE + LS_FOOTER_SIZE) + n * 12);
    ck_assert_uint_gt(st.bytes_stored, 0);
    ck_assert_uint_gt(st.bytes_manifest, 0);
    ck_assert_str_eq(st.language, "english");
    ls_index_stats bad = st;
    bad.version = 0;
    ck_assert_int_eq(ls_reader_stats(rd, &bad, &err), LS_EINVAL);

    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.snippets = 1;
    for (size_t i = 0; i < n; i++) {
        unique_word(i, uw);
        ls_hits *h;
        rc = ls_search(rd, uw, strlen(uw), &so, &h, &err);
        ck_assert_msg(rc == LS_OK, "search %s: %d %s", uw, rc, err.message);
        ck_assert_msg(ls_hits_total(h) == 1 && ls_hits_count(h) == 1,
                      "search %s (doc %zu): total %llu", uw, i,
                      (unsigned long long)ls_hits_total(h));
        const ls_hit *hit = ls_hits_get(h, 0);
        snprintf(title, sizeof title, "Title of document %zu", i);
        snprintf(id, sizeof id, "doc-%zu", i);
        snprintf(path, sizeof path, "/data/dir%zu/file-%zu.txt", i % 7, i);
        ck_assert_str_eq(hit->id, id);
        ck_assert_uint_eq(hit->id_len, strlen(id));
        ck_assert_str_eq(hit->title, title);
        ck_assert_uint_eq(hit->title_len, strlen(title));
        ck_assert_str_eq(hit->path, path);
        ck_assert_uint_eq(hit->path_len, strlen(path));
        ck_assert_uint_eq(hit->doc, i); /* documents are numbered in the order they were added */
        ck_assert_ptr_nonnull(hit->snippet);
        ck_assert_msg(hit->snippet->n_matches >= 1 && strstr(hit->snippet->text, uw) != NULL,
                      "snippet of doc %zu lacks %s: '%s'", i, uw, hit->snippet->text);
        ck_assert_ptr_null(ls_hits_get(h, 1));
        ls_hits_free(h);
    }
    /* a common word counts every document that has it, across all segments */
    ls_hits *h;
    so.limit = 5;
    static const char all_q[] = "index OR search OR engine OR postings OR block OR query OR "
                                "stored OR field OR segment OR merge OR writer OR reader OR "
                                "snippet OR token OR analyzer";
    rc = ls_search(rd, all_q, strlen(all_q), &so, &h, &err);
    ck_assert_int_eq(rc, LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), n);
    ck_assert_uint_eq(ls_hits_count(h), 5);
    ls_hits_free(h);
    ls_reader_close(rd);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_format(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("structures");
    tcase_set_timeout(tc, ls_test_long() ? 600 : 60);
    tcase_add_test(tc, termdict_roundtrip_sizes);
    tcase_add_test(tc, termdict_rejects_bad_keys);
    tcase_add_test(tc, postings_roundtrip_edges);
    tcase_add_test(tc, stored_roundtrip_chunks);
    tcase_add_test(tc, manifest_roundtrip_and_fallback);
    tcase_add_test(tc, manifest_damaged_version_falls_back);
    tcase_add_test(tc, manifest_newer_version_is_eformat);
    suite_add_tcase(s, tc);
    TCase *ix = tcase_create("index");
    tcase_set_timeout(ix, ls_test_long() ? 600 : 60);
    tcase_add_test(ix, index_roundtrip_public_api);
    suite_add_tcase(s, ix);
    return s;
}
