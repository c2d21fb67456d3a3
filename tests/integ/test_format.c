/* SPDX-License-Identifier: MIT */
/*
 * test_format.c - writer -> reader round trips of the on-disk structures of format version 2
 * (FORMAT.md) that existed in version 1: the term dictionary (now KeyBlocks), postings with
 * skip tables and positions (now in paged files), stored fields (checked chunks, copied
 * chunks), manifests (deletions, recovery), and a whole multi-segment index through the public
 * API. Each structure on random and edge data, its FORMAT.md worked example byte for byte, and
 * damaged bytes: every read gives LS_ECORRUPT or the right answer, never a wrong one. The
 * structures new in version 2 are in test_format_v2.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec/blockcheck.h"
#include "fmt_testutil.h"
#include "format/fileheader.h"
#include "format/pages.h"
#include "format/postings.h"
#include "format/stored.h"
#include "format/termdict.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/fileio.h"

/* ---- term dictionary -------------------------------------------------------------------- */

static void random_metas(ls_rng *r, ls_term_meta *m, size_t n)
{
    uint64_t doff = ls_rng_below(r, 3) == 0 ? 0 : ls_rng_next(r) >> 40;
    uint64_t poff = ls_rng_next(r) >> 44;
    for (size_t i = 0; i < n; i++) {
        uint32_t kind = ls_rng_below(r, 4);
        m[i].df = kind == 0   ? 1
                  : kind == 1 ? UINT32_MAX - ls_rng_below(r, 3)
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
        m[i].paired = (int)ls_rng_below(r, 2);
    }
}

static int meta_eq(const ls_term_meta *a, const ls_term_meta *b)
{
    return a->df == b->df && a->cf == b->cf && a->doc_off == b->doc_off &&
           a->doc_bytes == b->doc_bytes && a->pos_off == b->pos_off &&
           a->pos_bytes == b->pos_bytes && a->max_tf == b->max_tf && a->min_len == b->min_len &&
           a->paired == b->paired;
}

static void assert_meta_eq(const ls_term_meta *a, const ls_term_meta *b, size_t i)
{
    ck_assert_msg(meta_eq(a, b), "meta of key %zu differs: df %u/%u cf %llu/%llu doc_off %llu/%llu",
                  i, a->df, b->df, (unsigned long long)a->cf, (unsigned long long)b->cf,
                  (unsigned long long)a->doc_off, (unsigned long long)b->doc_off);
}

static int iter_key_is(const ls_termdict_iter *it, const ls_fmt_key *k)
{
    return it->kb.key_len == k->len && memcmp(it->kb.key, k->b, k->len) == 0;
}

/* Seeks k and walks up to max_steps entries, checking each against keys[expect..]. */
static void check_seek_walk(const ls_termdict *d, const ls_fmt_key *keys, const ls_term_meta *metas,
                            size_t n, const ls_fmt_key *k, size_t max_steps)
{
    size_t expect = ls_fmt_lower_bound(keys, n, k);
    ls_termdict_iter it;
    int rc = ls_termdict_seek(d, k->b, k->len, &it);
    if (expect == n) {
        ck_assert_int_eq(rc, 0);
        return;
    }
    ck_assert_int_eq(rc, 1);
    for (size_t i = expect, steps = 0; i < n && steps < max_steps; i++, steps++) {
        ck_assert_msg(iter_key_is(&it, &keys[i]),
                      "iteration from seek: entry %zu has the wrong key (len %zu, want %zu)", i,
                      it.kb.key_len, keys[i].len);
        assert_meta_eq(&it.meta, &metas[i], i);
        rc = ls_termdict_next(&it);
        if (i + 1 < n)
            ck_assert_msg(rc == 1, "ls_termdict_next after entry %zu of %zu gave %d", i, n, rc);
        else
            ck_assert_int_eq(rc, 0);
    }
}

static void write_termdict(const char *path, const ls_fmt_key *keys, const ls_term_meta *metas,
                           size_t n)
{
    ls_fwriter w;
    ls_termdict_writer tw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_DICT);
    ck_assert_int_eq(ls_termdict_writer_init(&tw, &w), LS_OK);
    for (size_t i = 0; i < n; i++) {
        int rc = ls_termdict_add(&tw, keys[i].b, keys[i].len, &metas[i], &err);
        ck_assert_msg(rc == LS_OK, "ls_termdict_add key %zu: %d %s", i, rc, err.message);
    }
    ck_assert_int_eq(ls_termdict_finish(&tw, &err), LS_OK);
    ls_fmt_fw_finish(&w);
}

static void termdict_roundtrip(size_t n, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "t.tid");
    ls_fmt_key *keys = ls_fmt_make_keys(&r, n, LS_MAX_KEY_BYTES);
    ls_term_meta *metas = ls_fmt_xmalloc(n * sizeof *metas);
    random_metas(&r, metas, n);
    write_termdict(path, keys, metas, n);

    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    ls_termdict d;
    ck_assert_int_eq(ls_termdict_open(&d, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(ls_termdict_count(&d), n);
    ck_assert_uint_eq(d.kb.nblocks, (n + LS_KEYBLOCK_ENTRIES - 1) / LS_KEYBLOCK_ENTRIES);

    for (size_t i = 0; i < n; i++) { /* every key is found with its meta */
        ls_term_meta got;
        memset(&got, 0xab, sizeof got);
        int rc = ls_termdict_find(&d, keys[i].b, keys[i].len, &got);
        ck_assert_msg(rc == 1, "n=%zu: key %zu (len %zu) not found: %d", n, i, keys[i].len, rc);
        assert_meta_eq(&got, &metas[i], i);
    }
    /* absent keys (empty, before the first, between neighbours, after the last): not found,
     * and a seek lands on the next key */
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, keys, n, LS_MAX_KEY_BYTES, &na);
    for (size_t i = 0; i < na; i++) {
        ls_term_meta junk;
        ck_assert_msg(ls_termdict_find(&d, absent[i].b, absent[i].len, &junk) == 0,
                      "n=%zu: absent key %zu (len %zu) reported found", n, i, absent[i].len);
        if (ls_rng_below(&r, 8) == 0 || n < 40)
            check_seek_walk(&d, keys, metas, n, &absent[i], 40);
    }
    check_seek_walk(&d, keys, metas, n, &absent[0], n); /* the empty key: the whole walk */
    if (n > 0) { /* seeks to existing keys from random points */
        for (int t = 0; t < 50; t++)
            check_seek_walk(&d, keys, metas, n, &keys[ls_rng_below(&r, (uint32_t)n)], 70);
        check_seek_walk(&d, keys, metas, n, &keys[n - 1], 2);
    }
    ls_ifile_close(&f);
    free(absent);
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
    char *path = ls_fmt_join(dir, "bad.tid");
    ls_fwriter w;
    ls_termdict_writer tw;
    ls_error err;
    ls_term_meta m = {1, 1, 0, 10, 0, 0, 1, 1, 0};
    uint8_t key[LS_MAX_KEY_BYTES + 1];
    memset(key, 'k', sizeof key);
    ls_fmt_fw_open(&w, path, LS_MAGIC_DICT);
    ck_assert_int_eq(ls_termdict_writer_init(&tw, &w), LS_OK);
    ck_assert_int_eq(ls_termdict_add(&tw, key, 0, &m, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_termdict_add(&tw, key, LS_MAX_KEY_BYTES + 1, &m, &err), LS_ELIMIT);
    ck_assert_int_eq(err.code, LS_ELIMIT);
    ck_assert_int_eq(ls_termdict_add(&tw, key, LS_MAX_KEY_BYTES, &m, &err), LS_OK);
    /* the same key again, and a smaller one: refused, and the writer goes on */
    ck_assert_int_eq(ls_termdict_add(&tw, key, LS_MAX_KEY_BYTES, &m, &err), LS_EINVAL);
    ck_assert_int_eq(ls_termdict_add(&tw, key, 3, &m, &err), LS_EINVAL);
    /* lists that do not start where the previous term's end: refused */
    ls_term_meta gap = {2, 5, 11, 7, 0, 9, 3, 2, 0}, back = {2, 5, 10, 7, 1, 9, 3, 2, 0};
    ck_assert_int_eq(ls_termdict_add(&tw, (const uint8_t *)"l", 1, &gap, &err), LS_EINVAL);
    ck_assert_int_eq(ls_termdict_add(&tw, (const uint8_t *)"l", 1, &back, &err), LS_EINVAL);
    ls_term_meta m2 = {2, 5, 10, 7, 0, 9, 3, 2, 0};
    ck_assert_int_eq(ls_termdict_add(&tw, (const uint8_t *)"l", 1, &m2, &err), LS_OK);
    ck_assert_int_eq(ls_termdict_finish(&tw, &err), LS_OK);
    ls_fmt_fw_finish(&w);

    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    ls_termdict d;
    ck_assert_int_eq(ls_termdict_open(&d, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(ls_termdict_count(&d), 2);
    ls_term_meta got;
    ck_assert_int_eq(ls_termdict_find(&d, key, LS_MAX_KEY_BYTES, &got), 1);
    assert_meta_eq(&got, &m, 0);
    ck_assert_int_eq(ls_termdict_find(&d, (const uint8_t *)"l", 1, &got), 1);
    assert_meta_eq(&got, &m2, 1);
    /* a body too short for its trailer, and trailers whose fields disagree */
    ck_assert_int_eq(ls_termdict_open(&d, f.body, LS_KEYBLOCK_TRAILER - 1), LS_ECORRUPT);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    uint8_t *t = copy + f.body_len - LS_KEYBLOCK_TRAILER;
    ls_put_u32le(t + 16, 2); /* K = 2 but the block index holds one entry */
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_ECORRUPT);
    ls_put_u32le(t + 16, 1);
    ls_put_u64le(t + 8, LS_KEYBLOCK_ENTRIES + 1); /* more keys than one block holds */
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_ECORRUPT);
    ls_put_u64le(t + 8, 0);
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_ECORRUPT);
    ls_put_u64le(t + 8, 2);
    ls_put_u64le(t, ls_get_u64le(t) + 1); /* the index one byte later */
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_ECORRUPT);
    memcpy(copy, f.body, f.body_len);
    t[20] ^= 1; /* IndexCheck: the trailer reads, the first lookup does not */
    ck_assert_int_eq(ls_termdict_open(&d, copy, f.body_len), LS_OK);
    ck_assert_int_eq(ls_termdict_find(&d, (const uint8_t *)"l", 1, &got), LS_ECORRUPT);
    ls_termdict_iter it;
    ck_assert_int_eq(ls_termdict_seek(&d, (const uint8_t *)"", 0, &it), LS_ECORRUPT);
    free(copy);
    ls_ifile_close(&f);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* FORMAT.md "KeyBlocks" and "Term dictionary": keys `aagre` then `aagreement`. */
START_TEST(termdict_format_example)
{
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "x.tid");
    ls_fmt_key keys[2] = {{"aagre", 5}, {"aagreement", 10}};
    ls_term_meta metas[2] = {{1, 1, 0, 3, 0, 2, 1, 7, 0}, {4, 9, 3, 200, 2, 300, 5, 1, 1}};
    write_termdict(path, keys, metas, 2);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    /* df 1 unpaired: 02; df 4 paired: 09. Entry 2 continues the run: no DocOff or PosOff (its
     * lists start where entry 1's end, 0 + 3 and 0 + 2); 200 = C8 01, 300 = AC 02 */
    /* clang-format off */
    static const uint8_t block[] = {0x00, 0x05, 'a', 'a', 'g', 'r', 'e',
                                    0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x07,
                                    0x05, 0x05, 'e', 'm', 'e', 'n', 't',
                                    0x09, 0x05, 0xC8, 0x01, 0xAC, 0x02, 0x05, 0x01};
    /* clang-format on */
    uint8_t want[sizeof block + 12 + 8 + LS_KEYBLOCK_TRAILER];
    memcpy(want, block, sizeof block);
    uint8_t *ix = want + sizeof block, *t = ix + 12 + 8;
    ls_put_u64le(ix, 0);
    ls_put_u32le(ix + 8, ls_blockcheck(block, sizeof block));
    memcpy(ix + 12, "aagre\0\0\0", 8); /* BlockPrefix: the first key's first 8 bytes */
    ls_put_u64le(t, sizeof block);
    ls_put_u64le(t + 8, 2);
    ls_put_u32le(t + 16, 1);
    ls_put_u32le(t + 20, ls_blockcheck(ix, 12 + 8 + 20));
    ck_assert_uint_eq(f.body_len, sizeof want);
    ck_assert_mem_eq(f.body, want, sizeof want);
    ls_ifile_close(&f);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Reads a damaged dictionary body every way there is. @return 1 when a read reported the
 * damage, 0 when every read gave the right answer; fails the test on a wrong answer. */
static int termdict_damaged_reads(const uint8_t *body, size_t len, const ls_fmt_key *keys,
                                  const ls_term_meta *metas, size_t n, const ls_fmt_key *absent,
                                  size_t na, size_t at)
{
    ls_termdict d;
    int rc = ls_termdict_open(&d, body, len);
    if (rc != LS_OK) {
        LS_FMT_CHECK(rc == LS_ECORRUPT, "flip at %zu: open gave %d", at, rc);
        return 1;
    }
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        ls_term_meta got;
        rc = ls_termdict_find(&d, keys[i].b, keys[i].len, &got);
        LS_FMT_CHECK(rc == 1 || rc == LS_ECORRUPT, "flip at %zu: key %zu gave %d", at, i, rc);
        if (rc == 1)
            LS_FMT_CHECK(meta_eq(&got, &metas[i]), "flip at %zu: key %zu: wrong meta", at, i);
        seen |= rc < 0;
    }
    for (size_t i = 0; i < na; i++) {
        ls_term_meta got;
        rc = ls_termdict_find(&d, absent[i].b, absent[i].len, &got);
        LS_FMT_CHECK(rc == 0 || rc == LS_ECORRUPT, "flip at %zu: absent %zu gave %d", at, i, rc);
        seen |= rc < 0;
    }
    ls_termdict_iter it;
    size_t i = 0;
    for (rc = ls_termdict_seek(&d, (const uint8_t *)"", 0, &it); rc == 1;
         rc = ls_termdict_next(&it), i++) {
        LS_FMT_CHECK(i < n && iter_key_is(&it, &keys[i]) && meta_eq(&it.meta, &metas[i]),
                     "flip at %zu: walk entry %zu is wrong", at, i);
    }
    LS_FMT_CHECK(rc == LS_ECORRUPT || (rc == 0 && i == n), "flip at %zu: walk ended %d at %zu", at,
                 rc, i);
    seen |= rc < 0;
    if (!seen) /* the index check covers the count: verified by the lookups above */
        LS_FMT_CHECK(ls_termdict_count(&d) == n, "flip at %zu: count %llu of %zu", at,
                     (unsigned long long)ls_termdict_count(&d), n);
    return seen;
}

START_TEST(termdict_flipped_bytes)
{
    static const size_t sizes[] = {0, 1, 33, 70};
    ls_rng r;
    ls_rng_init(&r, 150);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "f.tid");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        ls_fmt_key *keys = ls_fmt_make_keys(&r, n, LS_MAX_KEY_BYTES);
        ls_term_meta *metas = ls_fmt_xmalloc(n * sizeof *metas);
        random_metas(&r, metas, n);
        write_termdict(path, keys, metas, n);
        size_t na;
        ls_fmt_key *absent = ls_fmt_absent_keys(&r, keys, n, LS_MAX_KEY_BYTES, &na);
        ls_ifile f;
        ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
        ck_assert_int_eq(
            termdict_damaged_reads(f.body, f.body_len, keys, metas, n, absent, na, SIZE_MAX), 0);
        uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
        size_t missed = 0;
        for (size_t at = 0; at < f.body_len; at++) { /* every byte, each with its own flip */
            copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
            if (!termdict_damaged_reads(copy, f.body_len, keys, metas, n, absent, na, at))
                missed++;
            copy[at] = f.body[at];
        }
        /* Every byte of a non-empty dictionary is under a check that some read verifies. An
         * empty one has nothing to read: its IndexCheck is never needed. */
        if (n > 0)
            ck_assert_msg(missed == 0, "n=%zu: %zu of %zu flips went unnoticed", n, missed,
                          f.body_len);
        free(copy);
        ls_ifile_close(&f);
        free(absent);
        free(metas);
        free(keys);
    }
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- postings and positions --------------------------------------------------------------- */

typedef struct plist {
    uint32_t n;
    uint32_t *docs, *tfs, *lens;
    uint64_t *pos_end;
    ls_buf pos;
    int pos_complete; /* every document has tf positions (else a sample of 40) */
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

static uint64_t first_doc(ls_rng *r, int gaps, uint32_t n, uint64_t limit)
{
    switch (gaps) {
    case GAPS_ZERO: return ls_rng_below(r, 3) ? 0 : ls_rng_below(r, 1000);
    case GAPS_TOP: return limit - n + 1 - ls_rng_below(r, 3);
    default: return ls_rng_below(r, 5);
    }
}

static uint64_t pick_gap(ls_rng *r, int gaps, uint32_t i, uint32_t n, uint64_t room)
{
    switch (gaps) {
    case GAPS_ZERO:
    case GAPS_TOP: return 0;
    case GAPS_SMALL: return ls_rng_below(r, 20);
    case GAPS_HUGE: return i == 1 ? room - 1 - (uint64_t)(n - 2) * 3 : ls_rng_below(r, 3);
    default: return ls_rng_below(r, 10) == 0 ? ls_rng_next(r) % (room / 2 + 1) : ls_rng_below(r, 3);
    }
}

static void make_plist(ls_rng *r, plist *p, uint32_t n, int gaps, int tfkind)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->docs = ls_fmt_xmalloc(n * sizeof *p->docs);
    p->tfs = ls_fmt_xmalloc(n * sizeof *p->tfs);
    p->lens = ls_fmt_xmalloc(n * sizeof *p->lens);
    p->pos_end = ls_fmt_xmalloc(n * sizeof *p->pos_end);
    p->pos_complete = 1;
    /* doc ids strictly increasing and < LS_DOC_END */
    uint64_t limit = gaps == GAPS_TOP ? (uint64_t)UINT32_MAX - 1 : (1ull << 31) - 1;
    uint64_t d = first_doc(r, gaps, n, limit);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            uint64_t room = limit - d - (n - 1 - i); /* keep room for the rest */
            uint64_t gap = pick_gap(r, gaps, i, n, room);
            d += (gap >= room ? room - 1 : gap) + 1;
        }
        ck_assert(d < LS_DOC_END);
        p->docs[i] = (uint32_t)d;
        p->tfs[i] = pick_tf(r, tfkind);
        p->lens[i] = ls_rng_below(r, 5) == 0 ? ls_rng_next(r) >> 32 : 1 + ls_rng_below(r, 500);
        /* positions: VByte deltas, at most 40 per document (large tfs keep a sample) */
        uint32_t np = p->tfs[i] < 40 ? p->tfs[i] : 40;
        p->pos_complete &= np == p->tfs[i];
        for (uint32_t k = 0; k < np; k++) {
            uint32_t delta =
                k == 0 ? ls_rng_below(r, 10)
                       : 1 + (ls_rng_below(r, 8) == 0 ? ls_rng_next(r) >> 36 : ls_rng_below(r, 30));
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

/* Writes the lists into paged postings and positions files, with pad_doc[i] / pad_pos[i]
 * filler bytes before list i (NULL: none), and checks the offsets in their metas. */
static void plists_write(const char *dpath, const char *ppath, plist *lists, size_t nl,
                         const size_t *pad_doc, const size_t *pad_pos)
{
    ls_fwriter dw, pw;
    ls_error err;
    ls_buf scratch = LS_BUF_INIT;
    static const uint8_t filler[LS_PAGE_SIZE] = {0};
    ls_fmt_fw_open(&dw, dpath, LS_MAGIC_POSTINGS);
    ls_fmt_fw_open(&pw, ppath, LS_MAGIC_POSITIONS);
    ck_assert_int_eq(ls_fwriter_begin_pages(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_begin_pages(&pw, &err), LS_OK);
    uint64_t doff = 0, poff = 0;
    for (size_t i = 0; i < nl; i++) {
        for (size_t k = pad_doc ? pad_doc[i] : 0; k > 0; k -= k < sizeof filler ? k : sizeof filler)
            ck_assert_int_eq(
                ls_fwriter_write(&dw, filler, k < sizeof filler ? k : sizeof filler, &err), LS_OK);
        for (size_t k = pad_pos ? pad_pos[i] : 0; k > 0; k -= k < sizeof filler ? k : sizeof filler)
            ck_assert_int_eq(
                ls_fwriter_write(&pw, filler, k < sizeof filler ? k : sizeof filler, &err), LS_OK);
        doff += pad_doc ? pad_doc[i] : 0;
        poff += pad_pos ? pad_pos[i] : 0;
        ls_term_input in = {lists[i].docs,     lists[i].tfs,     lists[i].lens,
                            lists[i].pos.data, lists[i].pos_end, lists[i].n};
        int rc = ls_postings_write(&dw, &pw, &in, &scratch, &lists[i].meta, &err);
        ck_assert_msg(rc == LS_OK, "ls_postings_write list %zu: %d %s", i, rc, err.message);
        /* offsets are into the paged data, and lists follow each other */
        ck_assert_uint_eq(lists[i].meta.doc_off, doff);
        ck_assert_uint_eq(lists[i].meta.pos_off, poff);
        doff += lists[i].meta.doc_bytes;
        poff += lists[i].meta.pos_bytes;
        ck_assert_uint_eq(dw.offset - LS_HEADER_SIZE, doff);
    }
    ls_buf_free(&scratch);
    ck_assert_int_eq(ls_fwriter_end_pages(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_end_pages(&pw, &err), LS_OK);
    ls_fmt_fw_finish(&dw);
    ls_fmt_fw_finish(&pw);
}

typedef struct pfiles {
    ls_ifile df, pf;
    ls_pages dp, pp;
} pfiles;

static void pfiles_open(pfiles *f, const char *dpath, const char *ppath)
{
    ls_fmt_if_open(&f->df, dpath, LS_MAGIC_POSTINGS);
    ls_fmt_if_open(&f->pf, ppath, LS_MAGIC_POSITIONS);
    ck_assert_int_eq(ls_pages_open(&f->dp, f->df.body, f->df.body_len), LS_OK);
    ck_assert_int_eq(ls_pages_open(&f->pp, f->pf.body, f->pf.body_len), LS_OK);
}

static void pfiles_close(pfiles *f)
{
    ls_pages_close(&f->dp);
    ls_pages_close(&f->pp);
    ls_ifile_close(&f->df);
    ls_ifile_close(&f->pf);
}

/* Reads the whole list with ls_postings_iter. @return 0 when every posting (and its
 * positions, when asked) was right, LS_ECORRUPT when the iterator reported damage first;
 * fails the test on a wrong posting. */
static int iter_list(const plist *p, const ls_pages *dp, const ls_pages *pp, int positions,
                     size_t li)
{
    ls_postings_view v;
    ls_postings_iter it;
    int rc = ls_postings_view_init(&v, &p->meta, dp, pp);
    if (rc != LS_OK)
        return rc;
    rc = ls_postings_iter_init(&it, &v, positions);
    if (rc != LS_OK)
        return rc;
    uint32_t i = 0, doc, tf;
    const uint8_t *pos;
    size_t plen;
    while ((rc = ls_postings_iter_next(&it, &doc, &tf, &pos, &plen)) == 1) {
        LS_FMT_CHECK(i < p->n && doc == p->docs[i] && tf == p->tfs[i],
                     "list %zu posting %u: doc %u tf %u is wrong", li, i, doc, tf);
        if (positions) {
            uint64_t from = i ? p->pos_end[i - 1] : 0;
            LS_FMT_CHECK(plen == p->pos_end[i] - from && memcmp(pos, p->pos.data + from, plen) == 0,
                         "list %zu posting %u: wrong positions", li, i);
        } else {
            LS_FMT_CHECK(plen == 0, "list %zu posting %u: positions not asked for", li, i);
        }
        i++;
    }
    if (rc == 0) {
        LS_FMT_CHECK(i == p->n, "list %zu: %u postings of %u", li, i, p->n);
        LS_FMT_CHECK(ls_postings_iter_next(&it, &doc, &tf, NULL, NULL) == 0,
                     "list %zu: the iterator does not stay at its end", li);
    }
    LS_FMT_CHECK(rc == 0 || rc == LS_ECORRUPT, "list %zu: iterator gave %d", li, rc);
    return rc;
}

static void check_blocks(const plist *p, const ls_postings_view *v, size_t li)
{
    uint32_t docs[LS_BLOCK], tfs[LS_BLOCK];
    uint32_t prev_block_end = 0;
    for (uint32_t b = 0; b < v->nblocks; b++) {
        memset(docs, 0, sizeof docs);
        int rc = ls_postings_decode_block(v, b, docs, tfs);
        ck_assert_msg(rc == LS_OK, "list %zu block %u: %d", li, b, rc);
        uint32_t bmax = 0;
        ck_assert(ls_skip_entry_ok(v, b));
        ls_impact im[LS_IMPACTS];
        uint32_t nim = ls_skip_impacts(v, b, im);
        ck_assert_uint_ge(nim, 1);
        for (uint32_t j = 0; j < LS_BLOCK; j++) {
            uint32_t i = b * LS_BLOCK + j;
            ck_assert_msg(docs[j] == p->docs[i] && tfs[j] == p->tfs[i],
                          "list %zu posting %u: doc %u tf %u, want %u %u", li, i, docs[j], tfs[j],
                          p->docs[i], p->tfs[i]);
            bmax = p->tfs[i] > bmax ? p->tfs[i] : bmax;
            ck_assert_msg(ls_impacts_cover(im, nim, p->tfs[i], p->lens[i]),
                          "list %zu posting %u: not covered by its block's impacts", li, i);
        }
        uint32_t last = (b + 1) * LS_BLOCK - 1;
        ck_assert_uint_eq(ls_skip_last_doc(v, b), p->docs[last]);
        ck_assert_uint_eq(ls_skip_max_tf(v, b), bmax);
        ck_assert_uint_eq(ls_skip_pos_end(v, b), p->pos_end[last]);
        ck_assert_uint_gt(ls_skip_block_end(v, b), prev_block_end);
        prev_block_end = ls_skip_block_end(v, b);
    }
    uint32_t tail = p->n % LS_BLOCK;
    ck_assert_int_eq(ls_postings_decode_tail(v, docs, tfs), (int)tail);
    for (uint32_t j = 0; j < tail; j++) {
        uint32_t i = v->nblocks * LS_BLOCK + j;
        ck_assert_msg(docs[j] == p->docs[i] && tfs[j] == p->tfs[i],
                      "list %zu tail posting %u: doc %u tf %u, want %u %u", li, i, docs[j], tfs[j],
                      p->docs[i], p->tfs[i]);
    }
    /* the positions of each block (the tail is block nblocks, absent when df % 128 == 0) */
    for (uint32_t b = 0; b <= v->nblocks; b++) {
        const uint8_t *ps, *pe;
        int rc = ls_postings_block_positions(v, b, &ps, &pe);
        if (b == v->nblocks && tail == 0) {
            ck_assert_int_eq(rc, LS_ECORRUPT);
            continue;
        }
        ck_assert_int_eq(rc, LS_OK);
        uint64_t from = b ? p->pos_end[b * LS_BLOCK - 1] : 0;
        uint64_t to = p->pos_end[b < v->nblocks ? (b + 1) * LS_BLOCK - 1 : p->n - 1];
        ck_assert_uint_eq((size_t)(pe - ps), to - from);
        ck_assert(to == from || memcmp(ps, p->pos.data + from, (size_t)(to - from)) == 0);
    }
}

static void check_plist(const plist *p, const pfiles *f, size_t li)
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
    ck_assert_int_eq(ls_postings_view_init(&v, m, &f->dp, &f->pp), LS_OK);
    ck_assert_uint_eq(v.df, p->n);
    ck_assert_uint_eq(v.nblocks, p->n / LS_BLOCK);
    ck_assert_uint_eq((size_t)(v.end - v.skip), m->doc_bytes);
    ck_assert_uint_eq(LS_SKIP_ENTRY_SIZE, 32);
    ck_assert_uint_eq((size_t)(v.blocks - v.skip), (size_t)v.nblocks * LS_SKIP_ENTRY_SIZE);
    if (v.nblocks > 0 && p->n % LS_BLOCK == 0) /* the last block ends the list */
        ck_assert_uint_eq(ls_skip_block_end(&v, v.nblocks - 1), (size_t)(v.end - v.blocks));
    ck_assert_uint_eq((size_t)(v.pos_end - v.pos), p->pos.len);
    ck_assert(p->pos.len == 0 || memcmp(v.pos, p->pos.data, p->pos.len) == 0);
    check_blocks(p, &v, li);
    ck_assert_int_eq(iter_list(p, &f->dp, &f->pp, 0, li), 0);
    /* with positions: right when every document has its tf positions; else the positions do
     * not add up to the frequencies, which is damage, never a wrong answer */
    ck_assert_int_eq(iter_list(p, &f->dp, &f->pp, 1, li), p->pos_complete ? 0 : LS_ECORRUPT);
}

START_TEST(postings_roundtrip_edges)
{
    static const uint32_t dfs[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000};
    ls_rng r;
    ls_rng_init(&r, 300);
    int rounds = ls_test_long() ? 4 : 1;
    size_t nl = 0, cap = sizeof dfs / sizeof dfs[0] * GAPS_KINDS * TFS_KINDS * (size_t)rounds;
    plist *lists = ls_fmt_xmalloc(cap * sizeof *lists);
    for (int round = 0; round < rounds; round++)
        for (size_t i = 0; i < sizeof dfs / sizeof dfs[0]; i++)
            for (int g = 0; g < GAPS_KINDS; g++)
                for (int t = 0; t < TFS_KINDS; t++)
                    make_plist(&r, &lists[nl++], dfs[i] + (round ? ls_rng_below(&r, 300) : 0), g,
                               t);
    ck_assert_uint_eq(nl, cap);
    char *dir = ls_test_tmpdir();
    char *dpath = ls_fmt_join(dir, "p.doc"), *ppath = ls_fmt_join(dir, "p.pos");
    plists_write(dpath, ppath, lists, nl, NULL, NULL);
    pfiles f;
    pfiles_open(&f, dpath, ppath);
    ck_assert_uint_gt(f.dp.npages, 2);
    for (size_t i = 0; i < nl; i++)
        check_plist(&lists[i], &f, i);

    /* metas pointing outside the files or inconsistent with them are refused */
    ls_postings_view v;
    ls_term_meta bad = lists[0].meta;
    bad.doc_off = f.dp.len;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, &f.dp, &f.pp), LS_ECORRUPT);
    bad = lists[0].meta;
    bad.doc_bytes = f.dp.len - bad.doc_off + 1;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, &f.dp, &f.pp), LS_ECORRUPT);
    bad = lists[0].meta;
    bad.pos_bytes = f.pp.len + 1;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, &f.dp, &f.pp), LS_ECORRUPT);
    bad = lists[0].meta;
    bad.df = 0;
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, &f.dp, &f.pp), LS_ECORRUPT);
    bad = lists[0].meta; /* a skip table longer than the list */
    bad.df = (uint32_t)(LS_BLOCK * (bad.doc_bytes / LS_SKIP_ENTRY_SIZE + 1));
    ck_assert_int_eq(ls_postings_view_init(&v, &bad, &f.dp, &f.pp), LS_ECORRUPT);

    pfiles_close(&f);
    for (size_t i = 0; i < nl; i++)
        free_plist(&lists[i]);
    free(lists);
    free(dpath);
    free(ppath);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* FORMAT.md "Postings": docs 0, 5, 6 with tf 1, 3, 1 (a tail only) is `01 | 08 03 | 01`, in
 * one page of paged data: Data, PageCheck, DataLength. */
START_TEST(postings_format_example)
{
    char *dir = ls_test_tmpdir();
    char *dpath = ls_fmt_join(dir, "x.doc"), *ppath = ls_fmt_join(dir, "x.pos");
    plist p;
    memset(&p, 0, sizeof p);
    uint32_t docs[] = {0, 5, 6}, tfs[] = {1, 3, 1}, lens[] = {4, 9, 2};
    uint64_t pos_end[] = {1, 4, 5};
    static const uint8_t pos[] = {0x02, 0x01, 0x03, 0x05, 0x00}; /* 2 | 1 4 9 | 0 */
    p.n = 3;
    p.docs = docs;
    p.tfs = tfs;
    p.lens = lens;
    p.pos_end = pos_end;
    p.pos_complete = 1;
    ck_assert_int_eq(ls_buf_append(&p.pos, pos, sizeof pos), LS_OK);
    plists_write(dpath, ppath, &p, 1, NULL, NULL);
    pfiles f;
    pfiles_open(&f, dpath, ppath);
    static const uint8_t data[] = {0x01, 0x08, 0x03, 0x01};
    uint8_t want[sizeof data + 4 + 8];
    memcpy(want, data, sizeof data);
    ls_put_u32le(want + sizeof data, ls_blockcheck(data, sizeof data));
    ls_put_u64le(want + sizeof data + 4, sizeof data);
    ck_assert_uint_eq(f.df.body_len, sizeof want);
    ck_assert_mem_eq(f.df.body, want, sizeof want);
    ck_assert_uint_eq(f.pp.len, sizeof pos);
    ck_assert_mem_eq(f.pp.data, pos, sizeof pos);
    ck_assert_uint_eq(p.meta.doc_bytes, sizeof data);
    ck_assert_uint_eq(p.meta.cf, 5);
    ck_assert_uint_eq(p.meta.max_tf, 3);
    ck_assert_uint_eq(p.meta.min_len, 2);
    check_plist(&p, &f, 0);
    pfiles_close(&f);
    /* one position byte too many in the block (two for document 0 of tf 1): read without
     * positions the list is fine; with them, the block's positions do not add up */
    static const uint8_t pos2[] = {0x02, 0x07, 0x01, 0x03, 0x05, 0x00};
    uint64_t pos_end2[] = {2, 5, 6};
    p.pos.len = 0;
    p.pos_end = pos_end2;
    ck_assert_int_eq(ls_buf_append(&p.pos, pos2, sizeof pos2), LS_OK);
    plists_write(dpath, ppath, &p, 1, NULL, NULL);
    pfiles_open(&f, dpath, ppath);
    ck_assert_int_eq(iter_list(&p, &f.dp, &f.pp, 0, 0), 0);
    ls_postings_view v;
    ls_postings_iter it;
    ck_assert_int_eq(ls_postings_view_init(&v, &p.meta, &f.dp, &f.pp), LS_OK);
    ck_assert_int_eq(ls_postings_iter_init(&it, &v, 1), LS_OK);
    uint32_t doc, tf, got = 0;
    int rc;
    while ((rc = ls_postings_iter_next(&it, &doc, &tf, NULL, NULL)) == 1)
        ck_assert_uint_eq(doc, docs[got++]);
    ck_assert_int_eq(rc, LS_ECORRUPT);
    pfiles_close(&f);
    ls_buf_free(&p.pos);
    free(dpath);
    free(ppath);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Whether list p's bytes in the postings (doc != 0) or positions file touch page pg. */
static int list_touches(const plist *p, int doc, size_t pg)
{
    uint64_t off = doc ? p->meta.doc_off : p->meta.pos_off;
    uint64_t len = doc ? p->meta.doc_bytes : p->meta.pos_bytes;
    return len > 0 && off / LS_PAGE_SIZE <= pg && (off + len - 1) / LS_PAGE_SIZE >= pg;
}

/* Damages byte `at` of a copy of the postings (doc != 0) or positions body and reads every
 * list: a list whose bytes lie in the damaged page is LS_ECORRUPT, every other one is read
 * right. @return the number of lists that reported damage. */
static size_t postings_damaged_reads(const plist *lists, size_t nl, const pfiles *f, int doc,
                                     size_t at, ls_rng *r)
{
    const ls_ifile *src = doc ? &f->df : &f->pf;
    uint8_t *copy = ls_fmt_dup(src->body, src->body_len);
    copy[at] ^= (uint8_t)(1 + ls_rng_below(r, 255));
    ls_pages damaged;
    int rc = ls_pages_open(&damaged, copy, src->body_len);
    size_t len = doc ? f->dp.len : f->pp.len, hit = 0;
    if (at >= src->body_len - 8) { /* DataLength: no other length fits the body */
        LS_FMT_CHECK(rc == LS_ECORRUPT, "flip at %zu of DataLength: open gave %d", at, rc);
        free(copy);
        return nl;
    }
    LS_FMT_CHECK(rc == LS_OK, "flip at %zu: page table open gave %d", at, rc);
    size_t pg = at < len ? at / LS_PAGE_SIZE : (at - len) / 4; /* a data byte or a PageCheck */
    for (size_t i = 0; i < nl; i++) {
        rc = iter_list(&lists[i], doc ? &damaged : &f->dp, doc ? &f->pp : &damaged, 1, i);
        int touches = list_touches(&lists[i], doc, pg);
        LS_FMT_CHECK(rc == (touches ? LS_ECORRUPT : 0),
                     "%s flip at %zu (page %zu): list %zu gave %d", doc ? "postings" : "positions",
                     at, pg, i, rc);
        hit += rc != 0;
    }
    ls_pages_close(&damaged);
    free(copy);
    return hit;
}

/* Lists placed so that one starts exactly at a page boundary (4096) and one ends exactly at
 * one (8192), in both files; then every byte of both files is damaged in turn. */
START_TEST(postings_pages_and_flipped_bytes)
{
    static const uint32_t dfs[] = {1, 5, 129, 40, 128, 2, 300, 1, 127, 3};
    enum { NL = sizeof dfs / sizeof dfs[0] };
    ls_rng r;
    ls_rng_init(&r, 320);
    plist lists[NL];
    for (size_t i = 0; i < NL; i++)
        make_plist(&r, &lists[i], dfs[i], (int)(i % GAPS_KINDS), TFS_SMALL);
    char *dir = ls_test_tmpdir();
    char *dpath = ls_fmt_join(dir, "b.doc"), *ppath = ls_fmt_join(dir, "b.pos");
    /* a first pass learns the sizes; the pads then put list 2 at 4096 and end list 4 at 8192 */
    plists_write(dpath, ppath, lists, NL, NULL, NULL);
    size_t pad_doc[NL] = {0}, pad_pos[NL] = {0};
    uint64_t d2 = lists[2].meta.doc_off, p2 = lists[2].meta.pos_off;
    ck_assert(d2 < LS_PAGE_SIZE && p2 < LS_PAGE_SIZE);
    pad_doc[2] = LS_PAGE_SIZE - d2;
    pad_pos[2] = LS_PAGE_SIZE - p2;
    uint64_t d4 = LS_PAGE_SIZE + lists[4].meta.doc_off - d2 + lists[4].meta.doc_bytes;
    uint64_t p4 = LS_PAGE_SIZE + lists[4].meta.pos_off - p2 + lists[4].meta.pos_bytes;
    ck_assert(d4 <= 2 * LS_PAGE_SIZE && p4 <= 2 * LS_PAGE_SIZE);
    pad_doc[4] = 2 * LS_PAGE_SIZE - d4;
    pad_pos[4] = 2 * LS_PAGE_SIZE - p4;
    plists_write(dpath, ppath, lists, NL, pad_doc, pad_pos);
    ck_assert_uint_eq(lists[2].meta.doc_off, LS_PAGE_SIZE);
    ck_assert_uint_eq(lists[2].meta.pos_off, LS_PAGE_SIZE);
    ck_assert_uint_eq(lists[4].meta.doc_off + lists[4].meta.doc_bytes, 2 * LS_PAGE_SIZE);
    ck_assert_uint_eq(lists[4].meta.pos_off + lists[4].meta.pos_bytes, 2 * LS_PAGE_SIZE);
    pfiles f;
    pfiles_open(&f, dpath, ppath);
    ck_assert_uint_eq(f.dp.npages, 3);
    ck_assert_uint_eq(f.pp.npages, 3);
    for (size_t i = 0; i < NL; i++)
        check_plist(&lists[i], &f, i);

    /* every byte of both bodies (data, page checks, length); each page holds lists, so every
     * flip is noticed by the lists of its page, and by them only */
    for (int doc = 1; doc >= 0; doc--) {
        const ls_ifile *src = doc ? &f.df : &f.pf;
        for (size_t at = 0; at < src->body_len; at++)
            ck_assert_msg(postings_damaged_reads(lists, NL, &f, doc, at, &r) > 0,
                          "%s flip at %zu went unnoticed", doc ? "postings" : "positions", at);
    }
    pfiles_close(&f);
    for (size_t i = 0; i < NL; i++)
        free_plist(&lists[i]);
    free(dpath);
    free(ppath);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- stored fields ------------------------------------------------------------------------ */

typedef struct sdoc {
    char *f[4];
    size_t len[4];
} sdoc;

static sdoc *make_sdocs(ls_rng *r, size_t n, size_t big, int text)
{
    sdoc *docs = ls_fmt_xmalloc(n * sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++) {
            uint32_t x = ls_rng_below(r, 6);
            size_t len = x == 0   ? 0
                         : x == 1 ? ls_rng_below(r, 4)
                                  : ls_rng_below(r, k == 2 ? 400 : 40);
            if (text && k == 2)
                len = 700 + ls_rng_below(r, 600);
            if (i == big && k == 2)
                len = 1u << 20;
            if (i % 97 == 5) /* every field empty */
                len = 0;
            docs[i].f[k] = ls_fmt_xmalloc(len);
            docs[i].len[k] = len;
            if (text || (i == big && k == 2)) { /* compressible, with random bytes sprinkled */
                for (size_t j = 0; j < len; j++)
                    docs[i].f[k][j] =
                        ls_rng_below(r, 50) ? (char)('a' + (j + i) % 26) : (char)ls_rng_next(r);
            } else {
                ls_fmt_fill_random(r, (uint8_t *)docs[i].f[k], len);
            }
        }
    }
    return docs;
}

static void free_sdocs(sdoc *docs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            free(docs[i].f[k]);
    free(docs);
}

static void stored_add_doc(ls_stored_writer *sw, const sdoc *d)
{
    ls_error err;
    const char *f[4] = {d->f[0], d->f[1], d->f[2], d->f[3]};
    int rc = ls_stored_add(sw, f, d->len, &err);
    ck_assert_msg(rc == LS_OK, "ls_stored_add: %d %s", rc, err.message);
}

static void write_stored(const char *path, const sdoc *docs, size_t n)
{
    ls_fwriter w;
    ls_stored_writer sw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_STORED);
    ls_stored_writer_init(&sw, &w);
    for (size_t i = 0; i < n; i++)
        stored_add_doc(&sw, &docs[i]);
    ck_assert_int_eq(ls_stored_finish(&sw, &err), LS_OK);
    ls_fmt_fw_finish(&w);
}

static int sdoc_matches(const sdoc *d, const char *const got[4], const size_t glen[4])
{
    for (int k = 0; k < 4; k++)
        if (glen[k] != d->len[k] || (glen[k] > 0 && memcmp(got[k], d->f[k], glen[k]) != 0))
            return 0;
    return 1;
}

/* The meta of a document (id, title, path) against its fields 0, 1 and 3. */
static int sdoc_meta_matches(const sdoc *d, const char *const got[3], const size_t glen[3])
{
    static const int field[3] = {0, 1, 3};
    for (int k = 0; k < 3; k++)
        if (glen[k] != d->len[field[k]] ||
            (glen[k] > 0 && memcmp(got[k], d->f[field[k]], glen[k]) != 0))
            return 0;
    return 1;
}

/* The chunks, as ls_stored_chunk lists them, cover documents 0..ndocs in order; each chunk
 * is the FORMAT.md layout: its header, zlib of the DocRecords, RawCheck of the raw bytes. */
static void check_stored_layout(const ls_stored *s, const sdoc *const *order)
{
    uint32_t next = 0;
    ls_buf raw = LS_BUF_INIT, want = LS_BUF_INIT;
    for (uint32_t c = 0; c < s->nchunks; c++) {
        const uint8_t *ch;
        size_t len;
        uint32_t first, nd;
        ck_assert_int_eq(ls_stored_chunk(s, c, &ch, &len, &first, &nd), LS_OK);
        ck_assert_uint_eq(first, next);
        ck_assert_uint_ge(nd, 1);
        next += nd;
        uint32_t raw_len = ls_get_u32le(ch + 4), comp_len = ls_get_u32le(ch + 8);
        ck_assert_uint_eq(len, LS_STORED_CHUNK_HEADER + comp_len);
        raw.len = want.len = 0;
        ck_assert_int_eq(ls_buf_reserve(&raw, raw_len + 1), LS_OK);
        uLongf got = raw_len + 1;
        ck_assert_int_eq(uncompress(raw.data, &got, ch + LS_STORED_CHUNK_HEADER, comp_len), Z_OK);
        ck_assert_uint_eq(got, raw_len);
        ck_assert_uint_eq(ls_get_u32le(ch + 12), ls_blockcheck(raw.data, raw_len));
        ck_assert_uint_eq(ls_get_u32le(ch), ls_blockcheck2(ch + 4, 12, ch + 16, comp_len));
        for (uint32_t d = first; d < first + nd; d++)
            for (int k = 0; k < 4; k++) {
                ck_assert_int_eq(ls_buf_put_vbyte(&want, (uint32_t)order[d]->len[k]), LS_OK);
                ck_assert_int_eq(ls_buf_append(&want, order[d]->f[k], order[d]->len[k]), LS_OK);
            }
        ck_assert_uint_eq(want.len, raw_len);
        ck_assert_mem_eq(want.data, raw.data, raw_len);
    }
    ck_assert_uint_eq(next, s->ndocs);
    const uint8_t *ch;
    size_t len;
    uint32_t first, nd;
    ck_assert_int_eq(ls_stored_chunk(s, s->nchunks, &ch, &len, &first, &nd), LS_ECORRUPT);
    ls_buf_free(&raw);
    ls_buf_free(&want);
}

/* Every document of a stored file, in three orders of lookups with three cache uses. */
static void check_stored_docs(const ls_stored *s, const sdoc *const *order, size_t n, ls_rng *r)
{
    uint32_t *perm = ls_fmt_xmalloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = ls_rng_below(r, (uint32_t)i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    /* pass 0: one cache shared by all lookups in random order; pass 1: a fresh cache per
     * lookup; pass 2: one cache, in document order */
    for (int pass = 0; pass < 3; pass++) {
        ls_stored_cache cache = LS_STORED_CACHE_INIT;
        for (size_t t = 0; t < n; t++) {
            uint32_t d = pass == 2 ? (uint32_t)t : perm[t];
            const char *got[4];
            size_t glen[4];
            if (pass == 1) {
                ls_stored_cache_free(&cache);
                ck_assert_uint_eq(cache.chunk, UINT32_MAX);
            }
            int rc = ls_stored_get(s, d, &cache, got, glen);
            ck_assert_msg(rc == LS_OK, "ls_stored_get(%u) pass %d: %d", d, pass, rc);
            ck_assert_msg(sdoc_matches(order[d], got, glen), "doc %u pass %d: fields differ", d,
                          pass);
            const char *meta[3];
            size_t mlen[3];
            rc = ls_stored_meta(s, d, meta, mlen);
            ck_assert_msg(rc == LS_OK, "ls_stored_meta(%u): %d", d, rc);
            ck_assert_msg(sdoc_meta_matches(order[d], meta, mlen), "doc %u: meta differs", d);
        }
        const char *meta[3];
        size_t mlen[3];
        ck_assert_int_eq(ls_stored_meta(s, (uint32_t)n, meta, mlen), LS_EINVAL);
        const char *got[4];
        size_t glen[4];
        ck_assert_int_eq(ls_stored_get(s, (uint32_t)n, &cache, got, glen), LS_EINVAL);
        ck_assert_int_eq(ls_stored_get(s, UINT32_MAX, &cache, got, glen), LS_EINVAL);
        ls_stored_cache_free(&cache);
    }
    free(perm);
}

START_TEST(stored_roundtrip_chunks)
{
    ls_rng r;
    ls_rng_init(&r, 400);
    size_t n = ls_test_long() ? 20000 : 3000;
    sdoc *docs = make_sdocs(&r, n, n / 2, 0); /* a 1 MiB body in the middle */
    const sdoc **order = ls_fmt_xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &docs[i];
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "s.fdt");
    write_stored(path, docs, n);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_STORED);
    ls_stored s;
    ck_assert_int_eq(ls_stored_open(&s, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(s.ndocs, n);
    ck_assert_uint_gt(s.nchunks, 3);
    /* the trailer and the index check (FORMAT.md "Stored fields"); Meta between the chunks
     * and the chunk index: n + 1 offsets, then the records, as paged data */
    const uint8_t *t = f.body + f.body_len - 28;
    ck_assert_uint_eq(ls_get_u64le(t) + (uint64_t)s.nchunks * 12 + 28, f.body_len);
    ck_assert_uint_eq(ls_get_u32le(t + 24), ls_blockcheck(s.index, (size_t)s.nchunks * 12 + 24));
    ck_assert_uint_eq(ls_get_u64le(t + 16), s.body_len);
    ck_assert_uint_eq(ls_get_u64le(s.meta.data), ((uint64_t)n + 1) * 8);
    ck_assert_uint_eq(ls_get_u64le(s.meta.data + 8 * n), s.meta.len);
    check_stored_layout(&s, order);
    check_stored_docs(&s, order, n, &r);
    ls_stored_close(&s);
    /* the IndexCheck is verified when first needed, not at open */
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    copy[f.body_len - 1] ^= 0x10;
    ls_stored damaged;
    ls_stored_cache dc = LS_STORED_CACHE_INIT;
    const char *dgot[4];
    size_t dlen[4], clen;
    const uint8_t *ch;
    uint32_t first, nd;
    ck_assert_int_eq(ls_stored_open(&damaged, copy, f.body_len), LS_OK);
    ck_assert_int_eq(ls_stored_get(&damaged, 0, &dc, dgot, dlen), LS_ECORRUPT);
    ck_assert_int_eq(ls_stored_chunk(&damaged, 0, &ch, &clen, &first, &nd), LS_ECORRUPT);
    ck_assert_int_eq(ls_stored_meta(&damaged, 0, dgot, dlen), LS_ECORRUPT);
    ls_stored_close(&damaged);
    ls_stored_cache_free(&dc);
    free(copy);
    ls_ifile_close(&f);

    /* an empty stored file: no chunks, no documents */
    write_stored(path, docs, 0);
    ls_fmt_if_open(&f, path, LS_MAGIC_STORED);
    ck_assert_int_eq(ls_stored_open(&s, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(s.ndocs, 0);
    ck_assert_uint_eq(s.nchunks, 0);
    ck_assert_uint_eq(f.body_len, 28 + 8 + 4 + 8); /* trailer; meta: one offset, check, length */
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    const char *got[4];
    size_t glen[4];
    ck_assert_int_eq(ls_stored_get(&s, 0, &cache, got, glen), LS_EINVAL);
    ck_assert_int_eq(ls_stored_meta(&s, 0, got, glen), LS_EINVAL);
    ls_stored_close(&s);
    ck_assert_int_eq(ls_stored_open(&s, f.body, 27), LS_ECORRUPT);
    ls_stored_close(&s);
    ls_ifile_close(&f);

    free(order);
    free_sdocs(docs, n);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A merge copies whole compressed chunks (ls_stored_chunk -> ls_stored_add_chunk) between
 * documents it adds one by one: first, consecutive and last in the new file. */
START_TEST(stored_copies_chunks)
{
    ls_rng r;
    ls_rng_init(&r, 410);
    size_t n = 600;
    sdoc *docs = make_sdocs(&r, n, SIZE_MAX, 1);
    char *dir = ls_test_tmpdir();
    char *src = ls_fmt_join(dir, "a.fdt"), *dst = ls_fmt_join(dir, "b.fdt");
    write_stored(src, docs, n);
    ls_ifile fa;
    ls_fmt_if_open(&fa, src, LS_MAGIC_STORED);
    ls_stored a;
    ck_assert_int_eq(ls_stored_open(&a, fa.body, fa.body_len), LS_OK);
    ck_assert_uint_ge(a.nchunks, 5);

    /* plan: chunk 0 | docs 3, 4 | chunks 1, 2 | doc 7 | the last chunk */
    const sdoc **order = ls_fmt_xmalloc((n + 3) * sizeof *order);
    size_t m = 0;
    ls_fwriter w;
    ls_stored_writer sw;
    ls_error err;
    ls_fmt_fw_open(&w, dst, LS_MAGIC_STORED);
    ls_stored_writer_init(&sw, &w);
    static const int plan[] = {-1, 3, 4, -2, -3, 7, -4};
    for (size_t p = 0; p < sizeof plan / sizeof plan[0]; p++) {
        if (plan[p] >= 0) {
            stored_add_doc(&sw, &docs[plan[p]]);
            order[m++] = &docs[plan[p]];
            continue;
        }
        uint32_t c = plan[p] == -4 ? a.nchunks - 1 : (uint32_t)(-plan[p] - 1);
        const uint8_t *ch;
        size_t len;
        uint32_t first, nd;
        ck_assert_int_eq(ls_stored_chunk(&a, c, &ch, &len, &first, &nd), LS_OK);
        int rc = ls_stored_add_chunk(&sw, ch, len, nd, &err);
        ck_assert_msg(rc == LS_OK, "ls_stored_add_chunk: %d %s", rc, err.message);
        for (uint32_t d = first; d < first + nd; d++) {
            const char *mf[3];
            size_t ml[3];
            ck_assert_int_eq(ls_stored_meta(&a, d, mf, ml), LS_OK);
            ck_assert_int_eq(ls_stored_add_meta(&sw, mf, ml, &err), LS_OK);
            order[m++] = &docs[d];
        }
    }
    ck_assert_int_eq(ls_stored_finish(&sw, &err), LS_OK);
    ls_fmt_fw_finish(&w);

    ls_ifile fb;
    ls_fmt_if_open(&fb, dst, LS_MAGIC_STORED);
    ls_stored b;
    ck_assert_int_eq(ls_stored_open(&b, fb.body, fb.body_len), LS_OK);
    ck_assert_uint_eq(b.ndocs, m);
    ck_assert_uint_eq(b.nchunks, 6); /* four copied, two of added documents */
    check_stored_layout(&b, order);
    check_stored_docs(&b, order, m, &r);
    ls_stored_close(&a);
    ls_stored_close(&b);
    ls_ifile_close(&fa);
    ls_ifile_close(&fb);
    free(order);
    free_sdocs(docs, n);
    free(src);
    free(dst);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Reads every document and chunk of a damaged stored body. @return 1 when a read reported
 * the damage; fails the test on a wrong answer. */
static int stored_damaged_reads(const uint8_t *body, size_t len, const sdoc *docs, size_t n,
                                const uint32_t *chunk_first, uint32_t nchunks, size_t at)
{
    ls_stored s;
    int rc = ls_stored_open(&s, body, len);
    if (rc != LS_OK) {
        ls_stored_close(&s);
        LS_FMT_CHECK(rc == LS_ECORRUPT, "flip at %zu: open gave %d", at, rc);
        return 1;
    }
    int seen = 0;
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    for (uint32_t d = 0; d < n; d++) {
        const char *got[4];
        size_t glen[4];
        rc = ls_stored_get(&s, d, &cache, got, glen);
        LS_FMT_CHECK(rc == LS_OK || rc == LS_ECORRUPT, "flip at %zu: doc %u gave %d", at, d, rc);
        if (rc == LS_OK)
            LS_FMT_CHECK(sdoc_matches(&docs[d], got, glen), "flip at %zu: doc %u is wrong", at, d);
        seen |= rc != LS_OK;
        rc = ls_stored_meta(&s, d, got, glen);
        LS_FMT_CHECK(rc == LS_OK || rc == LS_ECORRUPT, "flip at %zu: meta %u gave %d", at, d, rc);
        if (rc == LS_OK)
            LS_FMT_CHECK(sdoc_meta_matches(&docs[d], got, glen), "flip at %zu: meta %u is wrong",
                         at, d);
        seen |= rc != LS_OK;
    }
    ls_stored_cache_free(&cache);
    for (uint32_t c = 0; c < nchunks; c++) {
        const uint8_t *ch;
        size_t clen;
        uint32_t first, nd;
        rc = ls_stored_chunk(&s, c, &ch, &clen, &first, &nd);
        LS_FMT_CHECK(rc == LS_OK || rc == LS_ECORRUPT, "flip at %zu: chunk %u gave %d", at, c, rc);
        if (rc == LS_OK) /* its bytes are checked when read (RawCheck), not when copied */
            LS_FMT_CHECK(first == chunk_first[c] && nd == chunk_first[c + 1] - first,
                         "flip at %zu: chunk %u holds the wrong documents", at, c);
        seen |= rc != LS_OK;
    }
    ls_stored_close(&s);
    return seen;
}

START_TEST(stored_flipped_bytes)
{
    ls_rng r;
    ls_rng_init(&r, 420);
    size_t n = 50;
    sdoc *docs = make_sdocs(&r, n, SIZE_MAX, 1);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "f.fdt");
    write_stored(path, docs, n);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_STORED);
    ls_stored s;
    ck_assert_int_eq(ls_stored_open(&s, f.body, f.body_len), LS_OK);
    ck_assert_uint_ge(s.nchunks, 3);
    uint32_t *cf = ls_fmt_xmalloc((s.nchunks + 1) * sizeof *cf);
    for (uint32_t c = 0; c < s.nchunks; c++)
        cf[c] = ls_get_u32le(s.index + (size_t)c * 12);
    cf[s.nchunks] = (uint32_t)n;
    uint32_t nchunks = s.nchunks;
    ck_assert_int_eq(stored_damaged_reads(f.body, f.body_len, docs, n, cf, nchunks, SIZE_MAX), 0);
    /* A flip inside zlib data may inflate to the very same bytes (in periodic text a back
     * reference of distance 26 and one of 52 copy the same letters): then nothing is wrong
     * and nothing can tell. Everywhere else, and for most zlib bytes, the damage shows. */
    uint8_t *zlib_byte = ls_fmt_xmalloc(f.body_len);
    memset(zlib_byte, 0, f.body_len);
    for (uint32_t c = 0; c < s.nchunks; c++) {
        uint64_t off = ls_get_u64le(s.index + (size_t)c * 12 + 4);
        memset(zlib_byte + off + LS_STORED_CHUNK_HEADER, 1, ls_get_u32le(f.body + off + 8));
    }
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    size_t *offs = ls_fmt_xmalloc(f.body_len * sizeof *offs);
    size_t nf = ls_fmt_flip_offsets(&r, f.body_len, ls_test_long() ? SIZE_MAX : 6000, offs);
    size_t zlib_flips = 0, zlib_unseen = 0;
    for (size_t k = 0; k < nf; k++) {
        size_t at = offs[k];
        copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
        int seen = stored_damaged_reads(copy, f.body_len, docs, n, cf, nchunks, at);
        zlib_flips += zlib_byte[at];
        zlib_unseen += zlib_byte[at] && !seen;
        ck_assert_msg(seen || zlib_byte[at], "flip at %zu of %zu went unnoticed", at, f.body_len);
        copy[at] = f.body[at];
    }
    ck_assert_msg(zlib_unseen * 20 < zlib_flips, "%zu of %zu flips of zlib data unnoticed",
                  zlib_unseen, zlib_flips);
    ls_stored_close(&s);
    free(zlib_byte);
    free(offs);
    free(copy);
    free(cf);
    ls_ifile_close(&f);
    free_sdocs(docs, n);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/*
 * A damaged stored DocCount that shrank is LS_ECORRUPT, not LS_EINVAL "out of range" for an
 * existing document: ls_stored_get verifies the IndexCheck covering DocCount before it tests
 * the document against it (regression).
 */
START_TEST(stored_damaged_doc_count_is_corrupt)
{
    ls_rng r;
    ls_rng_init(&r, 430);
    size_t n = 40;
    sdoc *docs = make_sdocs(&r, n, SIZE_MAX, 1);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "c.fdt");
    write_stored(path, docs, n);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_STORED);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    ls_put_u32le(copy + f.body_len - 16, (uint32_t)n - 1); /* DocCount n -> n - 1 */
    ls_stored s;
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    const char *got[4];
    size_t glen[4];
    int rc = ls_stored_open(&s, copy, f.body_len);
    if (rc == LS_OK)
        rc = ls_stored_get(&s, (uint32_t)n - 1, &cache, got, glen);
    ls_stored_close(&s);
    ls_stored_cache_free(&cache);
    free(copy);
    ls_ifile_close(&f);
    free_sdocs(docs, n);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
    ck_assert_msg(rc == LS_ECORRUPT,
                  "a damaged stored DocCount gave %d (%s) for an existing document, "
                  "not LS_ECORRUPT",
                  rc, rc == LS_EINVAL ? "LS_EINVAL" : "?");
}
END_TEST

Suite *ls_suite_format(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("structures");
    tcase_set_timeout(tc, ls_test_long() ? 900 : 120);
    tcase_add_test(tc, termdict_roundtrip_sizes);
    tcase_add_test(tc, termdict_rejects_bad_keys);
    tcase_add_test(tc, termdict_format_example);
    tcase_add_test(tc, termdict_flipped_bytes);
    tcase_add_test(tc, postings_roundtrip_edges);
    tcase_add_test(tc, postings_format_example);
    tcase_add_test(tc, postings_pages_and_flipped_bytes);
    tcase_add_test(tc, stored_roundtrip_chunks);
    tcase_add_test(tc, stored_copies_chunks);
    tcase_add_test(tc, stored_flipped_bytes);
    suite_add_tcase(s, tc);
    /* Tests of library bugs found and not fixed yet: they fail until the fix lands. */
    TCase *kb = tcase_create("known_bugs");
    tcase_add_test(kb, stored_damaged_doc_count_is_corrupt);
    suite_add_tcase(s, kb);
    return s;
}
