/* SPDX-License-Identifier: MIT */
/*
 * test_format_v2.c - round trips of the on-disk structures new in format version 2
 * (FORMAT.md): block checks, KeyBlocks (under the term dictionary, the id dictionary and the
 * deletion corrections), the id dictionary, deletions files, paged data with its writer and
 * its shared page bitmap, the table of file names. Each on edge and random data, its FORMAT.md
 * worked example byte for byte where there is one, and every byte damaged: every read gives
 * LS_ECORRUPT or the right answer, never a wrong one. Manifests and whole indexes are in
 * test_format_index.c.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "codec/blockcheck.h"
#include "codec/vbyte.h"
#include "fmt_testutil.h"
#include "format/deletes.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/ids.h"
#include "format/keyblocks.h"
#include "format/pages.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/fileio.h"

/* ---- block checks ------------------------------------------------------------------------- */

START_TEST(blockcheck_is_xxh3_low_bits)
{
    static const size_t lens[] = {0, 1, 3, 4, 8, 16, 17, 128, 129, 240, 241, 4095, 4096, 10000};
    ls_rng r;
    ls_rng_init(&r, 700);
    uint8_t *buf = ls_fmt_xmalloc(10000);
    ls_fmt_fill_random(&r, buf, 10000);
    ck_assert_uint_eq(ls_blockcheck(NULL, 0), 0x38D394C2u); /* XXH3-64("") = 2D06800538D394C2 */
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint32_t want = (uint32_t)XXH3_64bits(buf, lens[i]);
        ck_assert_uint_eq(ls_blockcheck(buf, lens[i]), want);
        ck_assert_uint_eq(ls_blockcheck(buf, lens[i]), want); /* no hidden state */
    }
    /* every single-bit change of a 150-byte block (the dictionary's typical size) shows */
    uint32_t base = ls_blockcheck(buf, 150);
    size_t same = 0;
    for (size_t bit = 0; bit < 150 * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
        same += ls_blockcheck(buf, 150) == base;
        buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    ck_assert_uint_eq(same, 0);
    free(buf);
}
END_TEST

/* ---- KeyBlocks ---------------------------------------------------------------------------- */

/* The test's own payload: VByte(len), bytes. The reader's state records what it decoded. */
typedef struct kpay {
    const uint8_t *p;
    uint32_t len;
    int first;
} kpay;

static int kpay_decode(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    kpay *k = state;
    if (ls_vbyte_get(p, end, &k->len) != 0 || k->len > (size_t)(end - *p))
        return LS_ECORRUPT;
    k->p = *p;
    *p += k->len;
    k->first = first;
    return LS_OK;
}

typedef struct kset {
    size_t n;
    ls_fmt_key *keys;
    uint8_t (*pay)[24];
    uint32_t *plen;
} kset;

/* A set over keys[0..n) (sorted, distinct; the set takes them) with random payloads. */
static void kset_of_keys(kset *s, ls_rng *r, ls_fmt_key *keys, size_t n)
{
    s->n = n;
    s->keys = keys;
    s->pay = ls_fmt_xmalloc(n * sizeof *s->pay);
    s->plen = ls_fmt_xmalloc(n * sizeof *s->plen);
    for (size_t i = 0; i < n; i++) {
        s->plen[i] = ls_rng_below(r, 4) == 0 ? 0 : ls_rng_below(r, 25);
        ls_fmt_fill_random(r, s->pay[i], sizeof s->pay[i]);
    }
}

static void kset_make(kset *s, ls_rng *r, size_t n, size_t max_len)
{
    kset_of_keys(s, r, ls_fmt_make_keys(r, n, max_len), n);
}

static void kset_free(kset *s)
{
    free(s->keys);
    free(s->pay);
    free(s->plen);
}

/* Writes pre bytes, the structure, post bytes: offsets are relative to the structure. */
static void kset_write(const kset *s, const char *path, size_t pre, size_t post)
{
    ls_fwriter w;
    ls_keyblock_writer kw;
    ls_error err;
    static const uint8_t junk[64] = {0x5a};
    ls_fmt_fw_open(&w, path, LS_MAGIC_DICT);
    ck_assert_int_eq(ls_fwriter_write(&w, junk, pre, &err), LS_OK);
    ck_assert_int_eq(ls_keyblock_writer_init(&kw, &w), LS_OK);
    for (size_t i = 0; i < s->n; i++) {
        ck_assert_int_eq(ls_keyblock_starts_run(&kw), i % LS_KEYBLOCK_RUN == 0);
        uint8_t e[LS_VBYTE_MAX32 + 24];
        size_t k = ls_vbyte_put(e, s->plen[i]);
        memcpy(e + k, s->pay[i], s->plen[i]);
        int rc = ls_keyblock_add(&kw, s->keys[i].b, s->keys[i].len, e, k + s->plen[i], &err);
        ck_assert_msg(rc == LS_OK, "ls_keyblock_add %zu: %d %s", i, rc, err.message);
    }
    ck_assert_int_eq(ls_keyblock_finish(&kw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_write(&w, junk, post, &err), LS_OK);
    ls_fmt_fw_finish(&w);
}

static int kentry_is(const ls_keyblocks_iter *it, const kpay *k, const kset *s, size_t i)
{
    return it->key_len == s->keys[i].len && memcmp(it->key, s->keys[i].b, it->key_len) == 0 &&
           k->len == s->plen[i] && memcmp(k->p, s->pay[i], k->len) == 0 &&
           k->first == (i % LS_KEYBLOCK_RUN == 0);
}

/* Every key found, absent ones not, walks from every probe. @return 1 when a read reported
 * damage (allowed only when `damaged`); fails the test on a wrong answer. */
static int kset_reads(const ls_keyblocks *kb, const kset *s, const ls_fmt_key *absent, size_t na,
                      int damaged, size_t at)
{
    ls_keyblocks_iter it;
    kpay k;
    int seen = 0, rc;
    ls_keyblocks_iter_init(&it, kb, kpay_decode, &k);
    for (size_t i = 0; i < s->n; i++) {
        rc = ls_keyblocks_find(&it, s->keys[i].b, s->keys[i].len);
        LS_FMT_CHECK(rc == 1 || (damaged && rc == LS_ECORRUPT), "at %zu: key %zu gave %d", at, i,
                     rc);
        LS_FMT_CHECK(rc != 1 || kentry_is(&it, &k, s, i), "at %zu: key %zu: wrong entry", at, i);
        seen |= rc < 0;
    }
    for (size_t a = 0; a < na; a++) {
        rc = ls_keyblocks_find(&it, absent[a].b, absent[a].len);
        LS_FMT_CHECK(rc == 0 || (damaged && rc == LS_ECORRUPT), "at %zu: absent %zu gave %d", at, a,
                     rc);
        seen |= rc < 0;
        if (!damaged && a % 7 != 0)
            continue;
        /* a seek lands on the first key >= the probe; walk a few steps from there */
        size_t i = ls_fmt_lower_bound(s->keys, s->n, &absent[a]);
        rc = ls_keyblocks_seek(&it, absent[a].b, absent[a].len);
        for (size_t steps = 0; rc == 1 && steps < 40; steps++, i++) {
            LS_FMT_CHECK(i < s->n && kentry_is(&it, &k, s, i), "at %zu: seek %zu step %zu wrong",
                         at, a, steps);
            rc = ls_keyblocks_next(&it);
        }
        LS_FMT_CHECK(rc >= 0 || damaged, "at %zu: seek %zu gave %d", at, a, rc);
        LS_FMT_CHECK(rc != 0 || i == s->n, "at %zu: seek %zu ended early at %zu", at, a, i);
        seen |= rc < 0;
    }
    size_t i = 0; /* the whole walk from a fresh iterator */
    ls_keyblocks_iter_init(&it, kb, kpay_decode, &k);
    while ((rc = ls_keyblocks_next(&it)) == 1) {
        LS_FMT_CHECK(i < s->n && kentry_is(&it, &k, s, i), "at %zu: walk entry %zu wrong", at, i);
        i++;
    }
    LS_FMT_CHECK(rc == 0 ? i == s->n : damaged && rc == LS_ECORRUPT,
                 "at %zu: walk ended with %d after %zu of %zu", at, rc, i, s->n);
    seen |= rc < 0;
    if (!seen)
        LS_FMT_CHECK(kb->count == s->n, "at %zu: count %llu", at, (unsigned long long)kb->count);
    return seen;
}

static void keyblocks_roundtrip(size_t n, size_t max_len, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    kset s;
    kset_make(&s, &r, n, max_len);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "k.tid");
    size_t pre = ls_rng_below(&r, 30), post = ls_rng_below(&r, 30);
    kset_write(&s, path, pre, post);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body + pre, f.body_len - pre - post), LS_OK);
    ck_assert_uint_eq(kb.count, n);
    ck_assert_uint_eq(kb.nblocks, (n + LS_KEYBLOCK_ENTRIES - 1) / LS_KEYBLOCK_ENTRIES);
    ck_assert_uint_eq(kb.blocks_len + kb.nblocks * (12u + 8u) + LS_KEYBLOCK_TRAILER,
                      f.body_len - pre - post);
    if (n > 0)
        ck_assert_uint_eq(ls_get_u64le(kb.index), 0); /* relative to the structure */
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, n, max_len, &na);
    ck_assert_int_eq(kset_reads(&kb, &s, absent, na, 0, SIZE_MAX), 0);
    ls_ifile_close(&f);
    free(absent);
    kset_free(&s);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}

START_TEST(keyblocks_roundtrip_sizes)
{
    static const size_t sizes[] = {0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 33, 40, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        keyblocks_roundtrip(sizes[i], LS_KEYBLOCK_MAX_KEY, 710 + i); /* keys of 4097 bytes */
        keyblocks_roundtrip(sizes[i], 3, 730 + i); /* tiny keys: many share all but a byte */
    }
}
END_TEST

static int no_payload(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    (void)state, (void)p, (void)end, (void)first;
    return LS_OK;
}

START_TEST(keyblocks_rejects_bad_keys)
{
    static uint8_t key[LS_KEYBLOCK_MAX_KEY + 1];
    memset(key, 'k', sizeof key);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "bad.kb");
    ls_fwriter w;
    ls_keyblock_writer kw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_IDS);
    ck_assert_int_eq(ls_keyblock_writer_init(&kw, &w), LS_OK);
    ck_assert_int_eq(ls_keyblock_add(&kw, key, 0, NULL, 0, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_keyblock_add(&kw, key, LS_KEYBLOCK_MAX_KEY + 1, NULL, 0, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_keyblock_add(&kw, key, LS_KEYBLOCK_MAX_KEY, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_keyblock_add(&kw, key, LS_KEYBLOCK_MAX_KEY, NULL, 0, &err), LS_EINVAL);
    ck_assert_int_eq(ls_keyblock_add(&kw, key, 1, NULL, 0, &err), LS_EINVAL);
    ck_assert_int_eq(ls_keyblock_starts_run(&kw), 0);
    key[0] = 'l';
    ck_assert_int_eq(ls_keyblock_add(&kw, key, 1, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_keyblock_finish(&kw, &err), LS_OK);
    ls_fmt_fw_finish(&w);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_IDS);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(kb.count, 2);
    ls_keyblocks_iter it;
    ls_keyblocks_iter_init(&it, &kb, no_payload, NULL);
    ck_assert_int_eq(ls_keyblocks_find(&it, key, 1), 1);
    key[0] = 'k';
    ck_assert_int_eq(ls_keyblocks_find(&it, key, LS_KEYBLOCK_MAX_KEY), 1);
    ck_assert_int_eq(ls_keyblocks_find(&it, key, LS_KEYBLOCK_MAX_KEY - 1), 0);
    ck_assert_int_eq(ls_keyblocks_next(&it), 1);
    ck_assert_uint_eq(it.key_len, 1);
    ck_assert_int_eq(ls_keyblocks_next(&it), 0);
    ls_ifile_close(&f);
    free(path);
    ls_test_rmtree(dir);
    free(dir);

    /* ls_key_cmp: bytewise, unsigned, shorter first on a common prefix */
    static const struct {
        const char *a, *b;
        size_t al, bl;
        int sign;
    } cmp[] = {{"", "", 0, 0, 0},        {"a", "", 1, 0, 1},        {"a", "b", 1, 1, -1},
               {"ab", "a", 2, 1, 1},     {"\xff", "\x01", 1, 1, 1}, {"a\0", "a", 2, 1, 1},
               {"abc", "abd", 3, 3, -1}, {"abc", "abc", 3, 3, 0}};
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
        int c =
            ls_key_cmp((const uint8_t *)cmp[i].a, cmp[i].al, (const uint8_t *)cmp[i].b, cmp[i].bl);
        ck_assert_msg((c > 0) - (c < 0) == cmp[i].sign, "ls_key_cmp case %zu gave %d", i, c);
    }
    uint8_t x[LS_KEYBLOCK_MAX_KEY], y[LS_KEYBLOCK_MAX_KEY];
    memset(x, 7, sizeof x);
    memset(y, 7, sizeof y);
    ck_assert_int_eq(ls_key_cmp(x, sizeof x, y, sizeof y), 0);
    y[LS_KEYBLOCK_MAX_KEY - 1] = 8;
    ck_assert_int_lt(ls_key_cmp(x, sizeof x, y, sizeof y), 0);
}
END_TEST

/* FORMAT.md "KeyBlocks": keys `aagre` then `aagreement`, empty payloads. */
START_TEST(keyblocks_format_example)
{
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "x.kb");
    ls_fwriter w;
    ls_keyblock_writer kw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_IDS);
    ck_assert_int_eq(ls_keyblock_writer_init(&kw, &w), LS_OK);
    ck_assert_int_eq(ls_keyblock_add(&kw, (const uint8_t *)"aagre", 5, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_keyblock_add(&kw, (const uint8_t *)"aagreement", 10, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_keyblock_finish(&kw, &err), LS_OK);
    ls_fmt_fw_finish(&w);
    static const uint8_t block[] = {0x00, 0x05, 0x61, 0x61, 0x67, 0x72, 0x65,
                                    0x05, 0x05, 0x65, 0x6D, 0x65, 0x6E, 0x74};
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
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_IDS);
    ck_assert_uint_eq(f.body_len, sizeof want);
    ck_assert_mem_eq(f.body, want, sizeof want);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body, f.body_len), LS_OK);
    ls_keyblocks_iter it;
    ls_keyblocks_iter_init(&it, &kb, no_payload, NULL);
    ck_assert_int_eq(ls_keyblocks_find(&it, (const uint8_t *)"aagreement", 10), 1);
    ck_assert_int_eq(ls_keyblocks_find(&it, (const uint8_t *)"aagree", 6), 0);
    ck_assert_int_eq(ls_keyblocks_seek(&it, (const uint8_t *)"aagree", 6), 1);
    ck_assert_uint_eq(it.key_len, 10);
    ls_ifile_close(&f);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(keyblocks_flipped_bytes)
{
    static const struct {
        size_t n, max_len;
    } cases[] = {{0, 8}, {1, 8}, {1, LS_KEYBLOCK_MAX_KEY}, {32, 12}, {33, 12}, {70, 40}};
    ls_rng r;
    ls_rng_init(&r, 750);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "f.kb");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        kset s;
        kset_make(&s, &r, cases[c].n, cases[c].max_len);
        kset_write(&s, path, 0, 0);
        size_t na;
        ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.n, cases[c].max_len, &na);
        ls_ifile f;
        ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
        uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
        size_t missed = 0;
        for (size_t at = 0; at < f.body_len; at++) { /* every byte */
            copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
            ls_keyblocks kb;
            int rc = ls_keyblocks_open(&kb, copy, f.body_len);
            LS_FMT_CHECK(rc == LS_OK || rc == LS_ECORRUPT, "open gave %d", rc);
            if (rc == LS_OK && !kset_reads(&kb, &s, absent, na, 1, at))
                missed++;
            copy[at] = f.body[at];
        }
        /* every byte is under a check some read verifies (an empty structure has nothing to
         * read: its IndexCheck is never needed) */
        ck_assert_msg(s.n == 0 || missed == 0, "case %zu: %zu of %zu flips unnoticed", c, missed,
                      f.body_len);
        free(copy);
        ls_ifile_close(&f);
        free(absent);
        kset_free(&s);
    }
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Restarts that lie with every check made to agree (a writer's bug, or damage a check missed):
 * each restart of each block in turn is pointed elsewhere, the block's check and the index
 * check recomputed. Every read must be right or LS_ECORRUPT, and the walk must notice. */
START_TEST(keyblocks_lying_restarts)
{
    ls_rng r;
    ls_rng_init(&r, 760);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "l.kb");
    kset s;
    kset_make(&s, &r, 70, 12); /* blocks of 32, 32 and 6 entries: 3, 3 and 0 restarts */
    kset_write(&s, path, 0, 0);
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.n, 12, &na);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(kb.nblocks, 3);
    size_t index_off = kb.blocks_len, tried = 0;
    for (uint32_t b = 0; b < 2; b++) {
        uint64_t off = ls_get_u64le(f.body + index_off + 12 * b);
        uint64_t end = ls_get_u64le(f.body + index_off + 12 * (b + 1));
        for (uint32_t j = 0; j < 3; j++) {
            uint8_t *at = copy + end - 4 * (3 - j);
            uint32_t was = ls_get_u32le(at), entries = (uint32_t)(end - off - 12);
            const uint32_t lies[] = {was - 1, was + 1, 0, ls_get_u32le(copy + end - 12 + 4 * ((j + 1) % 3)),
                                     entries, entries + 100, UINT32_MAX};
            for (size_t l = 0; l < sizeof lies / sizeof lies[0]; l++) {
                if (lies[l] == was)
                    continue;
                ls_put_u32le(at, lies[l]);
                ls_put_u32le(copy + index_off + 12 * b + 8,
                             ls_blockcheck(copy + off, (size_t)(end - off)));
                size_t ilen = (12 + 8) * (size_t)kb.nblocks + 20; /* index, prefixes */
                ls_put_u32le(copy + index_off + ilen, ls_blockcheck(copy + index_off, ilen));
                ls_keyblocks lied;
                ck_assert_int_eq(ls_keyblocks_open(&lied, copy, f.body_len), LS_OK);
                ck_assert_msg(kset_reads(&lied, &s, absent, na, 1, off),
                              "block %u restart %u = %u unnoticed", b, j, lies[l]);
                tried++;
            }
            memcpy(copy, f.body, f.body_len);
        }
    }
    ck_assert_uint_ge(tried, 36);
    free(copy);
    ls_ifile_close(&f);
    free(absent);
    kset_free(&s);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Block prefixes tie where keys share their first 8 bytes: 340 keys of one 8-byte prefix (with
 * suffixes of 1 to 4 bytes, zero bytes among them, so ties span many blocks), keys holding zero bytes (`ab` and
 * `ab\0` pad to one prefix), keys shorter than 8 bytes. Every key is found, every absent one is
 * not, seeks land on the next key. */
START_TEST(keyblocks_prefix_ties)
{
    ls_rng r;
    ls_rng_init(&r, 770);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "t.kb");
    size_t cap = 600, n = 0;
    ls_fmt_key *keys = ls_fmt_xmalloc(cap * sizeof *keys);
    static const uint8_t sym[4] = {0x00, 'a', 'z', 0xff};
    for (size_t len = 1; len <= 4; len++) /* "config_x" + every 1..4 bytes of sym: 340 keys */
        for (size_t c = 0; c < (size_t)1 << (2 * len); c++) {
            ls_fmt_key *k = &keys[n++];
            memcpy(k->b, "config_x", 8);
            k->len = 8 + len;
            for (size_t j = 0; j < len; j++)
                k->b[8 + j] = sym[c >> (2 * j) & 3];
        }
    static const char *const shorts[] = {"ab", "config_", "config_w", "config_y", "c", "zz"};
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++, n++) {
        keys[n].len = strlen(shorts[i]);
        memcpy(keys[n].b, shorts[i], keys[n].len);
    }
    for (size_t z = 1; z <= 9; z++) { /* "ab" followed by z zero bytes */
        memset(keys[n].b, 0, sizeof keys[n].b);
        memcpy(keys[n].b, "ab", 2);
        keys[n++].len = 2 + z;
    }
    keys[n].len = 8; /* "config_x" itself */
    memcpy(keys[n++].b, "config_x", 8);
    kset s;
    kset_of_keys(&s, &r, keys, ls_fmt_sort_unique(keys, n));
    kset_write(&s, path, 0, 0);
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.n, 16, &na);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body, f.body_len), LS_OK);
    ck_assert_uint_ge(kb.nblocks, 9);
    size_t tied = 0; /* blocks whose prefix equals the next one's */
    for (uint32_t b = 0; b + 1 < kb.nblocks; b++)
        tied += memcmp(kb.prefixes + 8 * b, kb.prefixes + 8 * (b + 1), 8) == 0;
    ck_assert_uint_ge(tied, 7);
    ck_assert_int_eq(kset_reads(&kb, &s, absent, na, 0, SIZE_MAX), 0);
    ls_ifile_close(&f);
    free(absent);
    kset_free(&s);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Prefixes that lie with the index check made to agree: each block's prefix in turn raised or
 * lowered. Every read must be right or LS_ECORRUPT, and the reads must notice (a walk decodes
 * every block's first key and compares it with its prefix). */
START_TEST(keyblocks_lying_prefixes)
{
    ls_rng r;
    ls_rng_init(&r, 780);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "p.kb");
    kset s;
    kset_make(&s, &r, 100, 12);
    kset_write(&s, path, 0, 0);
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.n, 12, &na);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_DICT);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    ls_keyblocks kb;
    ck_assert_int_eq(ls_keyblocks_open(&kb, f.body, f.body_len), LS_OK);
    ck_assert_uint_eq(kb.nblocks, 4);
    size_t index_off = kb.blocks_len, ilen = (12 + 8) * (size_t)kb.nblocks + 20, tried = 0;
    for (uint32_t b = 0; b < kb.nblocks; b++) {
        for (int lie = 0; lie < 4; lie++) {
            uint8_t *pre = copy + index_off + 12 * (size_t)kb.nblocks + 8 * b;
            uint8_t was[8];
            memcpy(was, pre, 8);
            if (lie == 0)
                pre[7] ^= 1; /* a byte changed */
            else if (lie == 1)
                memset(pre, 0, 8); /* below every key */
            else if (lie == 2)
                memset(pre, 0xff, 8); /* above every key */
            else if (b + 1 < kb.nblocks)
                memcpy(pre, pre + 8, 8); /* the next block's */
            if (memcmp(pre, was, 8) == 0) { /* no lie (the last block has no next one) */
                memcpy(copy, f.body, f.body_len);
                continue;
            }
            ls_put_u32le(copy + index_off + ilen, ls_blockcheck(copy + index_off, ilen));
            ls_keyblocks lied;
            ck_assert_int_eq(ls_keyblocks_open(&lied, copy, f.body_len), LS_OK);
            ck_assert_msg(kset_reads(&lied, &s, absent, na, 1, b),
                          "block %u prefix lie %d unnoticed", b, lie);
            tried++;
            memcpy(copy, f.body, f.body_len);
        }
    }
    ck_assert_uint_ge(tried, 12);
    free(copy);
    ls_ifile_close(&f);
    free(absent);
    kset_free(&s);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- id dictionary ------------------------------------------------------------------------ */

typedef struct idset {
    size_t n;
    ls_fmt_key *ids;
    uint32_t *docs;
    uint8_t (*stamp)[LS_MAX_STAMP_BYTES];
    size_t *slen;
} idset;

static void idset_make(idset *s, ls_rng *r, size_t n, size_t max_len)
{
    static const size_t stamp_lens[] = {0, LS_MAX_STAMP_BYTES, 24, 1};
    s->n = n;
    s->ids = ls_fmt_make_keys(r, n, max_len);
    s->docs = ls_fmt_xmalloc(n * sizeof *s->docs);
    s->stamp = ls_fmt_xmalloc(n * sizeof *s->stamp);
    s->slen = ls_fmt_xmalloc(n * sizeof *s->slen);
    for (size_t i = 0; i < n; i++) {
        /* document numbers in any order (ids sort otherwise), 0 and UINT32_MAX included */
        s->docs[i] = i == 0   ? UINT32_MAX
                     : i == 1 ? 0
                              : (uint32_t)ls_rng_next(r) >> ls_rng_below(r, 32);
        s->slen[i] = i < 4 ? stamp_lens[i] : ls_rng_below(r, LS_MAX_STAMP_BYTES + 1);
        ls_fmt_fill_random(r, s->stamp[i], s->slen[i]);
    }
}

static void idset_free(idset *s)
{
    free(s->ids);
    free(s->docs);
    free(s->stamp);
    free(s->slen);
}

static void idset_write(const idset *s, const char *path)
{
    ls_fwriter w;
    ls_ids_writer iw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_IDS);
    ck_assert_int_eq(ls_ids_writer_init(&iw, &w), LS_OK);
    for (size_t i = 0; i < s->n; i++) {
        int rc =
            ls_ids_add(&iw, s->ids[i].b, s->ids[i].len, s->docs[i], s->stamp[i], s->slen[i], &err);
        ck_assert_msg(rc == LS_OK, "ls_ids_add %zu: %d %s", i, rc, err.message);
    }
    ck_assert_int_eq(ls_ids_finish(&iw, &err), LS_OK);
    ls_fmt_fw_finish(&w);
}

static int ids_entry_is(const ls_ids_iter *it, const idset *s, size_t i)
{
    return it->kb.key_len == s->ids[i].len &&
           memcmp(it->kb.key, s->ids[i].b, it->kb.key_len) == 0 && it->doc == s->docs[i] &&
           it->stamp_len == s->slen[i] &&
           (s->slen[i] == 0 || memcmp(it->stamp, s->stamp[i], s->slen[i]) == 0);
}

/* @return 1 when a read reported damage (allowed only when `damaged`). */
static int ids_reads(const uint8_t *body, size_t len, const idset *s, const ls_fmt_key *absent,
                     size_t na, int damaged, size_t at)
{
    ls_ids ids;
    int rc = ls_ids_open(&ids, body, len);
    if (rc != LS_OK) {
        LS_FMT_CHECK(damaged && rc == LS_ECORRUPT, "at %zu: open gave %d", at, rc);
        return 1;
    }
    int seen = 0;
    ls_ids_iter it;
    for (size_t i = 0; i < s->n; i++) {
        rc = ls_ids_find(&ids, s->ids[i].b, s->ids[i].len, &it);
        LS_FMT_CHECK(rc == 1 || (damaged && rc == LS_ECORRUPT), "at %zu: id %zu gave %d", at, i,
                     rc);
        LS_FMT_CHECK(rc != 1 || ids_entry_is(&it, s, i), "at %zu: id %zu: wrong doc or stamp", at,
                     i);
        seen |= rc < 0;
    }
    for (size_t a = 0; a < na; a++) {
        rc = ls_ids_find(&ids, absent[a].b, absent[a].len, &it);
        LS_FMT_CHECK(rc == 0 || (damaged && rc == LS_ECORRUPT), "at %zu: absent %zu gave %d", at, a,
                     rc);
        seen |= rc < 0;
        size_t i = ls_fmt_lower_bound(s->ids, s->n, &absent[a]);
        rc = ls_ids_seek(&ids, absent[a].b, absent[a].len, &it);
        LS_FMT_CHECK(rc == (i < s->n) || (damaged && rc == LS_ECORRUPT), "at %zu: seek %zu: %d", at,
                     a, rc);
        LS_FMT_CHECK(rc != 1 || ids_entry_is(&it, s, i), "at %zu: seek %zu: wrong entry", at, a);
        seen |= rc < 0;
    }
    size_t i = 0;
    for (rc = ls_ids_seek(&ids, (const uint8_t *)"", 0, &it); rc == 1; rc = ls_ids_next(&it)) {
        LS_FMT_CHECK(i < s->n && ids_entry_is(&it, s, i), "at %zu: walk entry %zu wrong", at, i);
        i++;
    }
    LS_FMT_CHECK(rc == 0 ? i == s->n : damaged && rc == LS_ECORRUPT,
                 "at %zu: walk ended with %d after %zu of %zu", at, rc, i, s->n);
    return seen | (rc < 0);
}

START_TEST(ids_roundtrip_sizes)
{
    static const size_t sizes[] = {0, 1, 31, 32, 33, 65, 1000};
    ls_rng r;
    ls_rng_init(&r, 800);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "seg.ids");
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        idset s;
        idset_make(&s, &r, sizes[c], LS_MAX_ID_BYTES); /* ids of 1..4096 bytes */
        idset_write(&s, path);
        size_t na;
        ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.ids, s.n, LS_MAX_ID_BYTES, &na);
        ls_ifile f;
        ls_fmt_if_open(&f, path, LS_MAGIC_IDS);
        ck_assert_int_eq(ids_reads(f.body, f.body_len, &s, absent, na, 0, SIZE_MAX), 0);
        ls_ids ids;
        ck_assert_int_eq(ls_ids_open(&ids, f.body, f.body_len), LS_OK);
        ck_assert_uint_eq(ids.kb.count, s.n);
        ls_ifile_close(&f);
        free(absent);
        idset_free(&s);
    }
    /* a stamp longer than its 32-bit length field is refused before it is read */
    ls_fwriter w;
    ls_ids_writer iw;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_IDS);
    ck_assert_int_eq(ls_ids_writer_init(&iw, &w), LS_OK);
    ck_assert_int_eq(
        ls_ids_add(&iw, (const uint8_t *)"x", 1, 0, NULL, (size_t)UINT32_MAX + 1, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_ids_add(&iw, (const uint8_t *)"", 0, 0, NULL, 0, &err), LS_ELIMIT);
    ck_assert_int_eq(ls_ids_add(&iw, (const uint8_t *)"x", 1, 7, NULL, 0, &err), LS_OK);
    ck_assert_int_eq(ls_ids_add(&iw, (const uint8_t *)"x", 1, 8, NULL, 0, &err), LS_EINVAL);
    ls_ids_writer_free(&iw);
    ls_fwriter_abort(&w);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(ids_flipped_bytes)
{
    ls_rng r;
    ls_rng_init(&r, 810);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "f.ids");
    static const size_t sizes[] = {1, 40};
    for (size_t c = 0; c < 2; c++) {
        idset s;
        idset_make(&s, &r, sizes[c], 30);
        for (size_t i = 0; i < s.n; i++) /* short stamps keep the file small */
            s.slen[i] = s.slen[i] % 9;
        s.slen[0] = 0;
        idset_write(&s, path);
        size_t na;
        ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.ids, s.n, 30, &na);
        ls_ifile f;
        ls_fmt_if_open(&f, path, LS_MAGIC_IDS);
        uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
        size_t missed = 0;
        for (size_t at = 0; at < f.body_len; at++) {
            copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
            missed += !ids_reads(copy, f.body_len, &s, absent, na, 1, at);
            copy[at] = f.body[at];
        }
        ck_assert_msg(missed == 0, "%zu ids: %zu of %zu flips unnoticed", s.n, missed, f.body_len);
        free(copy);
        ls_ifile_close(&f);
        free(absent);
        idset_free(&s);
    }
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- deletions ---------------------------------------------------------------------------- */

typedef struct delset {
    uint32_t ndocs, count;
    uint8_t *bitmap;
    size_t ncorr;
    ls_fmt_key *keys;
    uint32_t *n;
} delset;

enum { DEL_NONE, DEL_FIRST, DEL_LAST, DEL_ALL, DEL_RANDOM, DEL_KINDS };

static void delset_make(delset *s, ls_rng *r, uint32_t ndocs, int kind, size_t ncorr)
{
    memset(s, 0, sizeof *s);
    s->ndocs = ndocs;
    size_t bm = ls_bitmap_bytes(ndocs);
    s->bitmap = ls_fmt_xmalloc(bm);
    memset(s->bitmap, 0, bm);
    for (uint32_t d = 0; d < ndocs; d++) {
        int del = kind == DEL_FIRST    ? d == 0
                  : kind == DEL_LAST   ? d == ndocs - 1
                  : kind == DEL_ALL    ? 1
                  : kind == DEL_RANDOM ? ls_rng_below(r, 3) == 0
                                       : 0;
        if (del) {
            ls_bitmap_set(s->bitmap, d);
            s->count++;
        }
    }
    s->ncorr = s->count ? ncorr : 0; /* no deleted documents, no corrections */
    s->keys = ls_fmt_make_keys(r, s->ncorr, 64);
    s->n = ls_fmt_xmalloc(s->ncorr * sizeof *s->n);
    for (size_t i = 0; i < s->ncorr; i++)
        s->n[i] = i == 0 ? s->count : 1 + ls_rng_below(r, s->count);
}

static void delset_free(delset *s)
{
    free(s->bitmap);
    free(s->keys);
    free(s->n);
}

static void delset_write(const delset *s, const char *dir, uint32_t seg, uint64_t gen)
{
    ls_deletes_writer dw;
    ls_error err;
    int rc = ls_deletes_writer_open(&dw, dir, seg, gen, 0x5eed, s->bitmap, s->ndocs, s->count, &err);
    ck_assert_msg(rc == LS_OK, "ls_deletes_writer_open: %d %s", rc, err.message);
    for (size_t i = 0; i < s->ncorr; i++)
        ck_assert_int_eq(ls_deletes_writer_add(&dw, s->keys[i].b, s->keys[i].len, s->n[i], &err),
                         LS_OK);
    rc = ls_deletes_writer_finish(&dw, &err);
    ck_assert_msg(rc == LS_OK, "ls_deletes_writer_finish: %d %s", rc, err.message);
}

/* The count and the bitmap are verified at open: they are right whenever it succeeds. The
 * corrections are verified as read. @return 1 when a read reported damage. */
static int delset_reads(const ls_deletes *d, const delset *s, const ls_fmt_key *absent, size_t na,
                        int damaged, size_t at)
{
    LS_FMT_CHECK(d->count == s->count, "at %zu: count %u, want %u", at, d->count, s->count);
    LS_FMT_CHECK(ls_bitmap_bytes(s->ndocs) == 0 ||
                     memcmp(d->bitmap, s->bitmap, ls_bitmap_bytes(s->ndocs)) == 0,
                 "at %zu: wrong bitmap", at);
    int seen = 0, rc;
    ls_error err;
    for (size_t i = 0; i < s->ncorr; i++) {
        uint32_t n = 12345;
        rc = ls_deletes_correction(d, s->keys[i].b, s->keys[i].len, &n, &err);
        LS_FMT_CHECK(rc == LS_OK ? n == s->n[i] : damaged && rc == LS_ECORRUPT,
                     "at %zu: correction %zu gave %d, n %u (want %u)", at, i, rc, n, s->n[i]);
        LS_FMT_CHECK(rc == LS_OK || strstr(err.message, ".del") != NULL, "message: %s",
                     err.message);
        seen |= rc < 0;
    }
    for (size_t a = 0; a < na; a++) {
        uint32_t n = 12345;
        rc = ls_deletes_correction(d, absent[a].b, absent[a].len, &n, &err);
        LS_FMT_CHECK(rc == LS_OK ? n == 0 : damaged && rc == LS_ECORRUPT,
                     "at %zu: absent correction %zu gave %d, n %u", at, a, rc, n);
        seen |= rc < 0;
    }
    ls_corr_iter it;
    size_t i = 0;
    ls_corr_iter_init(&it, d);
    while ((rc = ls_corr_iter_next(&it)) == 1) {
        LS_FMT_CHECK(i < s->ncorr && it.kb.key_len == s->keys[i].len &&
                         memcmp(it.kb.key, s->keys[i].b, it.kb.key_len) == 0 && it.n == s->n[i],
                     "at %zu: correction entry %zu is wrong", at, i);
        i++;
    }
    LS_FMT_CHECK(rc == 0 ? i == s->ncorr : damaged && rc == LS_ECORRUPT,
                 "at %zu: corrections walk ended with %d after %zu of %zu", at, rc, i, s->ncorr);
    return seen | (rc < 0);
}

START_TEST(deletes_roundtrip_table)
{
    static const uint32_t ndocs[] = {0, 1, 7, 8, 9, 33, 4096 * 8 + 1};
    static const size_t ncorr[] = {0, 1, 32, 33, 100};
    static const uint32_t segs[] = {0, 7, UINT32_MAX};
    static const uint64_t gens[] = {1, 12345, UINT64_MAX};
    ls_rng r;
    ls_rng_init(&r, 900);
    char *dir = ls_test_tmpdir();
    size_t cases = 0;
    for (size_t i = 0; i < sizeof ndocs / sizeof ndocs[0]; i++) {
        for (int kind = 0; kind < DEL_KINDS; kind++, cases++) {
            delset s;
            delset_make(&s, &r, ndocs[i], kind, ncorr[cases % 5]);
            uint32_t seg = segs[cases % 3];
            uint64_t gen = gens[cases % 3];
            delset_write(&s, dir, seg, gen);
            char name[LS_FILENAME_MAX];
            ls_delfile_name(name, seg, gen);
            char *p = ls_fmt_join(dir, name);
            struct stat st;
            ck_assert_int_eq(stat(p, &st), 0);
            ls_deletes d;
            ls_error err;
            int rc = ls_deletes_open(&d, dir, seg, gen, s.ndocs, 0x5eed, &err);
            ck_assert_msg(rc == LS_OK, "open %s: %d %s", name, rc, err.message);
            for (uint32_t doc = 0; doc < s.ndocs; doc++)
                ck_assert_int_eq(ls_bitmap_get(d.bitmap, doc), ls_bitmap_get(s.bitmap, doc));
            size_t na;
            ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.ncorr, 64, &na);
            ck_assert_int_eq(delset_reads(&d, &s, absent, na, 0, SIZE_MAX), 0);
            ls_deletes_close(&d);
            /* another generation of the same segment is another file */
            ck_assert_int_eq(ls_deletes_open(&d, dir, seg, gen - 1, s.ndocs, 0x5eed, &err), LS_ENOTFOUND);
            ck_assert_int_eq(unlink(p), 0);
            free(p);
            free(absent);
            delset_free(&s);
        }
    }
    ck_assert_uint_eq(ls_bitmap_bytes(0), 0);
    ck_assert_uint_eq(ls_bitmap_bytes(1), 1);
    ck_assert_uint_eq(ls_bitmap_bytes(8), 1);
    ck_assert_uint_eq(ls_bitmap_bytes(9), 2);
    ck_assert_uint_eq(ls_bitmap_bytes(UINT32_MAX), 536870912u);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(deletes_rejects_inconsistent)
{
    char *dir = ls_test_tmpdir();
    ls_deletes_writer dw;
    ls_deletes d;
    ls_error err;
    uint8_t bm[2] = {0x05, 0x01}; /* documents 0, 2 and 8 of 9 */
    /* a count that is not the number of bits set */
    ck_assert_int_eq(ls_deletes_writer_open(&dw, dir, 1, 1, 0x5eed, bm, 9, 2, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_finish(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 1, 9, 0x5eed, &err), LS_ECORRUPT);
    ck_assert_msg(strstr(err.message, "seg-0000000001_00000000000000000001.del") != NULL,
                  "message: %s", err.message);
    /* a bit past the last document */
    bm[1] = 0x03;
    ck_assert_int_eq(ls_deletes_writer_open(&dw, dir, 1, 2, 0x5eed, bm, 9, 4, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_finish(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 2, 9, 0x5eed, &err), LS_ECORRUPT);
    /* a consistent file read for a segment of another size */
    bm[1] = 0x01;
    ck_assert_int_eq(ls_deletes_writer_open(&dw, dir, 1, 3, 0x5eed, bm, 9, 3, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_add(&dw, (const uint8_t *)"aword", 5, 2, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_finish(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 3, 9, 0x5eed, &err), LS_OK);
    ls_deletes_close(&d);
    /* (16 documents have a bitmap of the same size as 9: the file records no DocCount, and
     * the bits 9..15 are clear, so it reads as a valid deletions file of 16 documents) */
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 3, 17, 0x5eed, &err), LS_ECORRUPT);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 3, 8, 0x5eed, &err), LS_ECORRUPT);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 1, 3, 1000, 0x5eed, &err), LS_ECORRUPT);
    /* keys out of order are refused; an abandoned file is removed */
    ck_assert_int_eq(ls_deletes_writer_open(&dw, dir, 2, 1, 0x5eed, bm, 9, 3, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_add(&dw, (const uint8_t *)"b", 1, 1, &err), LS_OK);
    ck_assert_int_eq(ls_deletes_writer_add(&dw, (const uint8_t *)"a", 1, 1, &err), LS_EINVAL);
    ls_deletes_writer_abort(&dw);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 2, 1, 9, 0x5eed, &err), LS_ENOTFOUND);
    /* another file kind under a deletions name */
    char name[LS_FILENAME_MAX];
    ls_delfile_name(name, 3, 1);
    char *p = ls_fmt_join(dir, name);
    ls_fwriter w;
    ls_fmt_fw_open(&w, p, LS_MAGIC_IDS);
    ck_assert_int_eq(ls_fwriter_write(&w, bm, 2, &err), LS_OK);
    ls_fmt_fw_finish(&w);
    ck_assert_int_eq(ls_deletes_open(&d, dir, 3, 1, 9, 0x5eed, &err), LS_ECORRUPT);
    free(p);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Every byte of a whole deletions file, frame included. */
START_TEST(deletes_flipped_bytes)
{
    ls_rng r;
    ls_rng_init(&r, 910);
    char *dir = ls_test_tmpdir();
    delset s;
    delset_make(&s, &r, 100, DEL_RANDOM, 40);
    delset_write(&s, dir, 4, 9);
    char name[LS_FILENAME_MAX];
    ls_delfile_name(name, 4, 9);
    char *p = ls_fmt_join(dir, name);
    size_t len;
    char *orig = ls_test_read_file(p, &len);
    ck_assert_ptr_nonnull(orig);
    size_t na;
    ls_fmt_key *absent = ls_fmt_absent_keys(&r, s.keys, s.ncorr, 64, &na);
    uint8_t *copy = ls_fmt_dup(orig, len);
    for (size_t at = 0; at < len; at++) {
        copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
        ck_assert_int_eq(ls_test_write_file(p, copy, len), 0);
        ls_deletes d;
        ls_error err;
        int rc = ls_deletes_open(&d, dir, 4, 9, s.ndocs, 0x5eed, &err);
        /* the format version is read before (without) the crc: a damaged one reads as
         * another version (test_format_index.c: index_damaged_version_byte_is_corrupt) */
        LS_FMT_CHECK(rc == LS_OK || rc == LS_ECORRUPT || (rc == LS_EFORMAT && at >= 4 && at < 8),
                     "flip at %zu: open gave %d", at, rc);
        if (rc == LS_OK) {
            int seen = delset_reads(&d, &s, absent, na, 1, at);
            /* what no read looks at, the file's crc sees (`cisearch check`) */
            LS_FMT_CHECK(seen || ls_ifile_verify(&d.file, NULL) == LS_ECORRUPT,
                         "flip at %zu of %zu went unnoticed", at, len);
            ls_deletes_close(&d);
        }
        copy[at] = (uint8_t)orig[at];
    }
    free(copy);
    free(orig);
    free(absent);
    free(p);
    delset_free(&s);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- paged data --------------------------------------------------------------------------- */

/* Writes data as paged data of a postings file, in pieces of awkward sizes. */
static void write_paged(const char *path, const uint8_t *data, size_t len, ls_rng *r)
{
    static const size_t pieces[] = {1, 4095, 4096, 4097, 70000, 3};
    ls_fwriter w;
    ls_error err;
    ls_fmt_fw_open(&w, path, LS_MAGIC_POSTINGS);
    ck_assert_int_eq(ls_fwriter_begin_pages(&w, &err), LS_OK);
    for (size_t at = 0, k = 0; at < len; k++) {
        size_t n = k % 2 ? pieces[ls_rng_below(r, 6)] : ls_rng_below(r, 9000);
        n = n < len - at ? n : len - at;
        ck_assert_int_eq(ls_fwriter_write(&w, data + at, n, &err), LS_OK);
        at += n;
    }
    ck_assert_int_eq(ls_fwriter_end_pages(&w, &err), LS_OK);
    ls_fmt_fw_finish(&w);
}

static size_t page_bytes(size_t len, size_t i)
{
    return len - i * LS_PAGE_SIZE < LS_PAGE_SIZE ? len - i * LS_PAGE_SIZE : LS_PAGE_SIZE;
}

static int page_verified(const ls_pages *pg, size_t i)
{
    return (int)(atomic_load(&pg->ok[i / 64]) >> (i % 64) & 1);
}

START_TEST(pages_roundtrip_lengths)
{
    static const size_t lens[] = {0,    1,    4095,      4096,          4097,
                                  8192, 8193, 64 * 4096, 64 * 4096 + 1, 65 * 4096 + 1};
    ls_rng r;
    ls_rng_init(&r, 1000);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "p.doc");
    uint8_t *data = ls_fmt_xmalloc(lens[9]);
    ls_fmt_fill_random(&r, data, lens[9]);
    for (size_t c = 0; c < sizeof lens / sizeof lens[0]; c++) {
        size_t len = lens[c], np = (len + LS_PAGE_SIZE - 1) / LS_PAGE_SIZE;
        write_paged(path, data, len, &r);
        ls_ifile f;
        ls_fmt_if_open(&f, path, LS_MAGIC_POSTINGS);
        /* FORMAT.md "Paged data": Data, PageCheck u32^P, DataLength u64 */
        ck_assert_uint_eq(f.body_len, len + 4 * np + 8);
        ck_assert(len == 0 || memcmp(f.body, data, len) == 0);
        for (size_t i = 0; i < np; i++)
            ck_assert_uint_eq(ls_get_u32le(f.body + len + 4 * i),
                              ls_blockcheck(data + i * LS_PAGE_SIZE, page_bytes(len, i)));
        ck_assert_uint_eq(ls_get_u64le(f.body + len + 4 * np), len);
        ls_pages pg;
        ck_assert_int_eq(ls_pages_open(&pg, f.body, f.body_len), LS_OK);
        ck_assert_uint_eq(pg.len, len);
        ck_assert_uint_eq(pg.npages, np);
        ck_assert_int_eq(ls_pages_ok(&pg, pg.data, 0), LS_OK);
        ck_assert_int_eq(ls_pages_ok(&pg, pg.data + len, 0), LS_OK);
        ck_assert_int_eq(ls_pages_ok(&pg, pg.data + len, 1), LS_ECORRUPT);
        ck_assert_int_eq(ls_pages_ok(&pg, f.body - 1, 1), LS_ECORRUPT); /* the header */
        ck_assert_int_eq(ls_pages_verify(&pg, len, 1), LS_ECORRUPT);
        if (len > 0)
            ck_assert_int_eq(ls_pages_ok(&pg, pg.data + len - 1, 2), LS_ECORRUPT);
        for (size_t i = 0; i < np; i++) { /* one byte of each page verifies it, once */
            ck_assert_int_eq(page_verified(&pg, i), 0);
            size_t at = i * LS_PAGE_SIZE + ls_rng_below(&r, (uint32_t)page_bytes(len, i));
            ck_assert_int_eq(ls_pages_ok(&pg, pg.data + at, 1), LS_OK);
            ck_assert_int_eq(page_verified(&pg, i), 1);
            if (i > 0) /* a range across the boundary before it */
                ck_assert_int_eq(ls_pages_ok(&pg, pg.data + i * LS_PAGE_SIZE - 1, 2), LS_OK);
        }
        ck_assert_int_eq(ls_pages_ok(&pg, pg.data, len), LS_OK);
        ls_pages_close(&pg);
        /* a body whose length field does not fit it */
        ck_assert_int_eq(ls_pages_open(&pg, f.body, f.body_len - 1), LS_ECORRUPT);
        ck_assert_int_eq(ls_pages_open(&pg, f.body, 7), LS_ECORRUPT);
        ls_ifile_close(&f);
    }
    free(data);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Every byte of three pages and their table: exactly the damaged page fails. */
START_TEST(pages_flipped_bytes)
{
    ls_rng r;
    ls_rng_init(&r, 1010);
    size_t len = 2 * LS_PAGE_SIZE + 100, np = 3;
    uint8_t *data = ls_fmt_xmalloc(len);
    ls_fmt_fill_random(&r, data, len);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "f.doc");
    write_paged(path, data, len, &r);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_POSTINGS);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    for (size_t at = 0; at < f.body_len; at++) {
        copy[at] ^= (uint8_t)(1 + ls_rng_below(&r, 255));
        ls_pages pg;
        int rc = ls_pages_open(&pg, copy, f.body_len);
        if (at >= len + 4 * np) {
            LS_FMT_CHECK(rc == LS_ECORRUPT, "flip at %zu of DataLength: %d", at, rc);
        } else {
            size_t bad = at < len ? at / LS_PAGE_SIZE : (at - len) / 4;
            LS_FMT_CHECK(rc == LS_OK, "flip at %zu: open gave %d", at, rc);
            for (size_t i = 0; i < np; i++) {
                rc = ls_pages_verify(&pg, i * LS_PAGE_SIZE, 1);
                LS_FMT_CHECK(rc == (i == bad ? LS_ECORRUPT : LS_OK),
                             "flip at %zu: page %zu gave %d", at, i, rc);
            }
            LS_FMT_CHECK(ls_pages_ok(&pg, pg.data, len) == LS_ECORRUPT, "flip at %zu", at);
            LS_FMT_CHECK(!page_verified(&pg, bad), "flip at %zu: page %zu remembered", at, bad);
            ls_pages_close(&pg);
        }
        copy[at] = f.body[at];
    }
    /* a verified page is remembered for the process: later damage to the mapped bytes is not
     * seen again by this ls_pages (the cost of one hash per page), but by a fresh one */
    ls_pages pg, fresh;
    ck_assert_int_eq(ls_pages_open(&pg, copy, f.body_len), LS_OK);
    ck_assert_int_eq(ls_pages_ok(&pg, pg.data, len), LS_OK);
    copy[LS_PAGE_SIZE + 5] ^= 0x40;
    ck_assert_int_eq(ls_pages_ok(&pg, pg.data + LS_PAGE_SIZE, 10), LS_OK);
    ck_assert_int_eq(ls_pages_open(&fresh, copy, f.body_len), LS_OK);
    ck_assert_int_eq(ls_pages_ok(&fresh, fresh.data + LS_PAGE_SIZE, 10), LS_ECORRUPT);
    ls_pages_close(&pg);
    ls_pages_close(&fresh);
    free(copy);
    ls_ifile_close(&f);
    free(data);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

typedef struct verify_job {
    const ls_pages *pg;
    uint64_t stream;
    int result[70];
} verify_job;

static void *verify_pages(void *arg)
{
    verify_job *j = arg;
    ls_rng r;
    ls_rng_init(&r, j->stream);
    for (size_t k = 0; k < 4 * j->pg->npages; k++) {
        size_t i = ls_rng_below(&r, (uint32_t)j->pg->npages);
        int rc = ls_pages_ok(j->pg, j->pg->data + i * LS_PAGE_SIZE + ls_rng_below(&r, 4000), 96);
        if (j->result[i] == 0 || rc != LS_OK)
            j->result[i] = rc == LS_OK ? 1 : rc;
    }
    return NULL;
}

/* The page bitmap is shared by every thread: all of them see the same damage. */
START_TEST(pages_concurrent_verify)
{
    ls_rng r;
    ls_rng_init(&r, 1020);
    size_t len = 66 * LS_PAGE_SIZE;
    uint8_t *data = ls_fmt_xmalloc(len);
    ls_fmt_fill_random(&r, data, len);
    char *dir = ls_test_tmpdir();
    char *path = ls_fmt_join(dir, "t.doc");
    write_paged(path, data, len, &r);
    ls_ifile f;
    ls_fmt_if_open(&f, path, LS_MAGIC_POSTINGS);
    uint8_t *copy = ls_fmt_dup(f.body, f.body_len);
    copy[10 * LS_PAGE_SIZE + 2000] ^= 0x01; /* page 10 */
    copy[len + 4 * 65] ^= 0x80;             /* the check of page 65, in the bitmap's 2nd word */
    ls_pages pg;
    ck_assert_int_eq(ls_pages_open(&pg, copy, f.body_len), LS_OK);
    enum { THREADS = 4 };
    pthread_t th[THREADS];
    static verify_job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&jobs[t], 0, sizeof jobs[t]);
        jobs[t].pg = &pg;
        jobs[t].stream = 1021 + (uint64_t)t;
        ck_assert_int_eq(pthread_create(&th[t], NULL, verify_pages, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < THREADS; t++)
        for (size_t i = 0; i < pg.npages; i++)
            ck_assert_msg(jobs[t].result[i] == 0 ||
                              jobs[t].result[i] == (i == 10 || i == 65 ? LS_ECORRUPT : 1),
                          "thread %d page %zu: %d", t, i, jobs[t].result[i]);
    for (size_t i = 0; i < pg.npages; i++) {
        ck_assert_int_eq(ls_pages_ok(&pg, pg.data + i * LS_PAGE_SIZE, 1),
                         i == 10 || i == 65 ? LS_ECORRUPT : LS_OK);
        ck_assert_int_eq(page_verified(&pg, i), i != 10 && i != 65);
    }
    ls_pages_close(&pg);
    free(copy);
    ls_ifile_close(&f);
    free(data);
    free(path);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- file names --------------------------------------------------------------------------- */

START_TEST(filenames_classify_table)
{
    static const struct {
        const char *name;
        ls_file_class cls;
        uint32_t id;
        int kind;
        uint64_t gen;
    } cases[] = {
        {"LOCK", LS_FILE_LOCK, 0, -1, 0},
        {"LOCK.tmp", LS_FILE_OTHER, 0, -1, 0}, /* only our manifest-<gen>.tmp are temporaries */
        {"notes.tmp", LS_FILE_OTHER, 0, -1, 0},
        {"lock", LS_FILE_OTHER, 0, -1, 0},
        {"manifest-00000000000000000001", LS_FILE_MANIFEST, 0, -1, 1},
        {"manifest-00000000000000000000", LS_FILE_MANIFEST, 0, -1, 0},
        {"manifest-18446744073709551615", LS_FILE_MANIFEST, 0, -1, UINT64_MAX},
        {"manifest-00000000000000000001.tmp", LS_FILE_TEMP, 0, -1, 0},
        {"manifest-12", LS_FILE_OTHER, 0, -1, 0},
        {"manifest-0000000000000000000a", LS_FILE_OTHER, 0, -1, 0},
        {"manifest-000000000000000000001", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000000.tid", LS_FILE_SEGMENT, 0, LS_SEGFILE_TID, 0},
        {"seg-0000000001.doc", LS_FILE_SEGMENT, 1, LS_SEGFILE_DOC, 0},
        {"seg-0000000002.pos", LS_FILE_SEGMENT, 2, LS_SEGFILE_POS, 0},
        {"seg-0000000003.len", LS_FILE_SEGMENT, 3, LS_SEGFILE_LEN, 0},
        {"seg-0000000004.fdt", LS_FILE_SEGMENT, 4, LS_SEGFILE_FDT, 0},
        {"seg-4294967295.ids", LS_FILE_SEGMENT, UINT32_MAX, LS_SEGFILE_IDS, 0},
        {"seg-4294967296.ids", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001.xyz", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001.tidx", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001.", LS_FILE_OTHER, 0, -1, 0},
        {"seg-000000001.tid", LS_FILE_OTHER, 0, -1, 0},
        {"seg-00000000001.tid", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001.tid.tmp", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001_00000000000000000002.del", LS_FILE_DELETES, 1, -1, 2},
        {"seg-4294967295_18446744073709551615.del", LS_FILE_DELETES, UINT32_MAX, -1, UINT64_MAX},
        {"seg-4294967296_00000000000000000002.del", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001_0000000000000000002.del", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001_0000000000000000000x.del", LS_FILE_OTHER, 0, -1, 0},
        {"seg-000000000x_00000000000000000002.del", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001-00000000000000000002.del", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001_00000000000000000002.dex", LS_FILE_OTHER, 0, -1, 0},
        {"seg-0000000001_00000000000000000002.del.tmp", LS_FILE_OTHER, 0, -1, 0},
        {"notes.txt", LS_FILE_OTHER, 0, -1, 0},
        {".tmp", LS_FILE_OTHER, 0, -1, 0},
        {"", LS_FILE_OTHER, 0, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t id = 77;
        ls_segfile kind = LS_SEGFILE_COUNT;
        uint64_t gen = 77;
        ls_file_class c = ls_file_classify(cases[i].name, &id, &kind, &gen);
        ck_assert_msg(c == cases[i].cls, "'%s': class %d, want %d", cases[i].name, c, cases[i].cls);
        if (c == LS_FILE_SEGMENT || c == LS_FILE_DELETES)
            ck_assert_uint_eq(id, cases[i].id);
        if (c == LS_FILE_SEGMENT)
            ck_assert_int_eq(kind, cases[i].kind);
        if (c == LS_FILE_MANIFEST || c == LS_FILE_DELETES)
            ck_assert_uint_eq(gen, cases[i].gen);
        ck_assert_int_eq(ls_file_classify(cases[i].name, NULL, NULL, NULL), c);
    }
    /* names made here are recognized as what they are */
    static const uint32_t ids[] = {0, 1, 999999999, UINT32_MAX};
    static const uint64_t gens[] = {0, 1, 10000000000000000000u, UINT64_MAX};
    for (size_t i = 0; i < 4; i++) {
        char name[LS_FILENAME_MAX];
        uint32_t id;
        uint64_t gen;
        ls_segfile kind;
        for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
            ls_segfile_name(name, ids[i], (ls_segfile)k);
            ck_assert_int_eq(ls_file_classify(name, &id, &kind, &gen), LS_FILE_SEGMENT);
            ck_assert_uint_eq(id, ids[i]);
            ck_assert_int_eq(kind, k);
        }
        ls_delfile_name(name, ids[i], gens[i]);
        ck_assert_uint_lt(strlen(name), LS_FILENAME_MAX);
        ck_assert_int_eq(ls_file_classify(name, &id, &kind, &gen), LS_FILE_DELETES);
        ck_assert(id == ids[i] && gen == gens[i]);
        ls_manifest_name(gens[i], name);
        ck_assert_int_eq(ls_file_classify(name, &id, &kind, &gen), LS_FILE_MANIFEST);
        ck_assert(gen == gens[i]);
    }
}
END_TEST

START_TEST(filenames_kinds_and_removal)
{
    static const uint32_t magics[LS_SEGFILE_COUNT] = {
        [LS_SEGFILE_TID] = LS_MAGIC_DICT,      [LS_SEGFILE_DOC] = LS_MAGIC_POSTINGS,
        [LS_SEGFILE_POS] = LS_MAGIC_POSITIONS, [LS_SEGFILE_LEN] = LS_MAGIC_DOCLENS,
        [LS_SEGFILE_FDT] = LS_MAGIC_STORED,    [LS_SEGFILE_IDS] = LS_MAGIC_IDS};
    for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
        const ls_segfile_kind *sk = &ls_segfile_kinds[k];
        ck_assert_uint_eq(sk->magic, magics[k]);
        ck_assert_ptr_nonnull(sk->what);
        ck_assert_int_eq(sk->paged, k == LS_SEGFILE_DOC || k == LS_SEGFILE_POS);
        for (int j = 0; j < k; j++)
            ck_assert_str_ne(sk->ext, ls_segfile_kinds[j].ext);
    }
    ck_assert_str_eq(ls_segfile_kinds[LS_SEGFILE_IDS].ext, "ids");
    char *dir = ls_test_tmpdir();
    char name[LS_FILENAME_MAX];
    for (uint32_t id = 5; id <= 6; id++)
        for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
            char *p = ls_segfile_path(dir, id, (ls_segfile)k);
            ls_segfile_name(name, id, (ls_segfile)k);
            ck_assert_ptr_nonnull(strstr(p, name));
            ck_assert_int_eq(ls_test_write_file(p, "x", 1), 0);
            free(p);
        }
    char *notes = ls_fmt_join(dir, "notes.txt");
    ck_assert_int_eq(ls_test_write_file(notes, "x", 1), 0);
    ls_segfiles_remove(dir, 5);
    ls_segfiles_remove(dir, 9); /* nothing there: no harm */
    struct stat st;
    for (uint32_t id = 5; id <= 6; id++)
        for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
            char *p = ls_segfile_path(dir, id, (ls_segfile)k);
            ck_assert_int_eq(stat(p, &st) == 0, id == 6);
            free(p);
        }
    ck_assert_int_eq(stat(notes, &st), 0);
    free(notes);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_format_v2(void)
{
    Suite *s = suite_create("format_v2");
    TCase *tc = tcase_create("structures");
    tcase_set_timeout(tc, ls_test_long() ? 900 : 120);
    tcase_add_test(tc, blockcheck_is_xxh3_low_bits);
    tcase_add_test(tc, keyblocks_roundtrip_sizes);
    tcase_add_test(tc, keyblocks_rejects_bad_keys);
    tcase_add_test(tc, keyblocks_format_example);
    tcase_add_test(tc, keyblocks_flipped_bytes);
    tcase_add_test(tc, keyblocks_lying_restarts);
    tcase_add_test(tc, keyblocks_prefix_ties);
    tcase_add_test(tc, keyblocks_lying_prefixes);
    tcase_add_test(tc, ids_roundtrip_sizes);
    tcase_add_test(tc, ids_flipped_bytes);
    tcase_add_test(tc, deletes_roundtrip_table);
    tcase_add_test(tc, deletes_rejects_inconsistent);
    tcase_add_test(tc, deletes_flipped_bytes);
    tcase_add_test(tc, pages_roundtrip_lengths);
    tcase_add_test(tc, pages_flipped_bytes);
    tcase_add_test(tc, pages_concurrent_verify);
    tcase_add_test(tc, filenames_classify_table);
    tcase_add_test(tc, filenames_kinds_and_removal);
    suite_add_tcase(s, tc);
    return s;
}
