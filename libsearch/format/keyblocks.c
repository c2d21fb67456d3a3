/* SPDX-License-Identifier: MIT */
/*
 * keyblocks.c - front-coded sorted keys in checked blocks (FORMAT.md "KeyBlocks").
 *
 * Lookups binary-search the blocks by their first keys (read in place, unverified), then
 * verify the block they land on. That block being intact, its first key must not exceed the
 * key sought (else a probe read damaged bytes: an error); a second binary search over the
 * block's restarts picks the run, and scanning forward from its first entry, block after
 * verified block, finds the answer: the entries before hold only smaller keys. Walks check
 * every run starts where the block's restarts say and every block holds its count.
 */
#include "format/keyblocks.h"

#include <string.h>

#include "codec/blockcheck.h"
#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

#define INDEX_ENTRY 12u
#define PREFIX_ENTRY 8u /* BlockPrefix: the block's first key's first 8 bytes, zero-padded */

/* A key's first 8 bytes, zero-padded, as a number that orders like the bytes (a big-endian
 * read): keys in order have prefixes in order (ties possible), so a bisection compares
 * numbers and reads a key only on a tie. Of a stored BlockPrefix (8 bytes), its value. */
static uint64_t key_prefix(const uint8_t *key, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < len ? key[i] : 0);
    return v;
}

int ls_key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = al && bl ? memcmp(a, b, al < bl ? al : bl) : 0;
    if (c != 0)
        return c;
    return al < bl ? -1 : al > bl;
}

int ls_keyblock_writer_init(ls_keyblock_writer *kw, ls_fwriter *w)
{
    memset(kw, 0, sizeof *kw);
    kw->w = w;
    kw->body_start = w->offset;
    kw->prev = ls_malloc(LS_KEYBLOCK_MAX_KEY);
    return kw->prev ? LS_OK : LS_ENOMEM;
}

int ls_keyblock_starts_run(const ls_keyblock_writer *kw)
{
    return kw->in_block % LS_KEYBLOCK_RUN == 0;
}

static int flush_block(ls_keyblock_writer *kw, ls_error *err)
{
    if (kw->in_block == 0)
        return LS_OK;
    for (uint32_t j = 0; j < kw->nrestarts; j++)
        if (ls_buf_put_u32(&kw->block, kw->restart[j]) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
    kw->nrestarts = 0;
    uint8_t e[INDEX_ENTRY];
    ls_put_u64le(e, kw->w->offset - kw->body_start);
    ls_put_u32le(e + 8, ls_blockcheck(kw->block.data, kw->block.len));
    if (ls_buf_append(&kw->index, e, sizeof e) != LS_OK ||
        ls_buf_append(&kw->prefixes, kw->first, PREFIX_ENTRY) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_fwriter_write(kw->w, kw->block.data, kw->block.len, err);
    kw->block.len = 0;
    kw->in_block = 0;
    return rc;
}

int ls_keyblock_add(ls_keyblock_writer *kw, const uint8_t *key, size_t len,
                    const uint8_t *payload, size_t plen, ls_error *err)
{
    if (len == 0 || len > LS_KEYBLOCK_MAX_KEY)
        return ls_error_set(err, LS_ELIMIT, "key of %zu bytes", len);
    if (kw->count > 0 && ls_key_cmp(kw->prev, kw->prev_len, key, len) >= 0)
        return ls_error_set(err, LS_EINVAL, "keys out of order");
    size_t shared = 0;
    if (kw->in_block > 0 && ls_keyblock_starts_run(kw)) {
        if (kw->block.len > UINT32_MAX)
            return ls_error_set(err, LS_ELIMIT, "key block of %zu bytes", kw->block.len);
        kw->restart[kw->nrestarts++] = (uint32_t)kw->block.len;
    } else if (kw->in_block > 0) {
        size_t n = len < kw->prev_len ? len : kw->prev_len;
        while (shared < n && kw->prev[shared] == key[shared])
            shared++;
    }
    if (kw->in_block == 0) { /* the block's first key: its BlockPrefix */
        memset(kw->first, 0, sizeof kw->first);
        memcpy(kw->first, key, len < sizeof kw->first ? len : sizeof kw->first);
    }
    ls_buf *b = &kw->block;
    if (ls_buf_put_vbyte(b, (uint32_t)shared) != LS_OK ||
        ls_buf_put_vbyte(b, (uint32_t)(len - shared)) != LS_OK ||
        ls_buf_append(b, key + shared, len - shared) != LS_OK ||
        ls_buf_append(b, payload, plen) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    memcpy(kw->prev, key, len);
    kw->prev_len = len;
    kw->count++;
    if (++kw->in_block == LS_KEYBLOCK_ENTRIES)
        return flush_block(kw, err);
    return LS_OK;
}

int ls_keyblock_finish(ls_keyblock_writer *kw, ls_error *err)
{
    int rc = flush_block(kw, err);
    uint8_t t[LS_KEYBLOCK_TRAILER];
    ls_put_u64le(t, kw->w->offset - kw->body_start);
    ls_put_u64le(t + 8, kw->count);
    ls_put_u32le(t + 16, (uint32_t)(kw->index.len / INDEX_ENTRY));
    if (rc == LS_OK && kw->index.len / INDEX_ENTRY > UINT32_MAX)
        rc = ls_error_set(err, LS_ELIMIT, "too many key blocks");
    if (rc == LS_OK) {
        /* IndexCheck covers the block index, the prefixes and the trailer bytes before it. */
        ls_buf all = kw->index;
        if (ls_buf_append(&all, kw->prefixes.data, kw->prefixes.len) != LS_OK ||
            ls_buf_append(&all, t, 20) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        kw->index = all;
        if (rc == LS_OK) {
            ls_put_u32le(t + 20, ls_blockcheck(all.data, all.len));
            rc = ls_fwriter_write(kw->w, all.data, all.len - 20, err);
        }
    }
    if (rc == LS_OK)
        rc = ls_fwriter_write(kw->w, t, sizeof t, err);
    ls_keyblock_writer_free(kw);
    return rc;
}

void ls_keyblock_writer_free(ls_keyblock_writer *kw)
{
    ls_buf_free(&kw->block);
    ls_buf_free(&kw->index);
    ls_buf_free(&kw->prefixes);
    ls_free(kw->prev);
    kw->prev = NULL;
}

/* ---- reading ---- */

int ls_keyblocks_open(ls_keyblocks *kb, const uint8_t *body, size_t len)
{
    memset(kb, 0, sizeof *kb);
    atomic_init(&kb->index_state, 0);
    for (size_t i = 0; i < LS_KEYBLOCKS_VERIFIED; i++)
        atomic_init(&kb->verified[i], 0);
    if (len < LS_KEYBLOCK_TRAILER)
        return LS_ECORRUPT;
    const uint8_t *t = body + len - LS_KEYBLOCK_TRAILER;
    uint64_t index_off = ls_get_u64le(t);
    kb->count = ls_get_u64le(t + 8);
    kb->nblocks = ls_get_u32le(t + 16);
    if (index_off > len - LS_KEYBLOCK_TRAILER ||
        (uint64_t)kb->nblocks * (INDEX_ENTRY + PREFIX_ENTRY) !=
            len - LS_KEYBLOCK_TRAILER - index_off)
        return LS_ECORRUPT;
    if (kb->count > (uint64_t)kb->nblocks * LS_KEYBLOCK_ENTRIES ||
        kb->count + LS_KEYBLOCK_ENTRIES <= (uint64_t)kb->nblocks * LS_KEYBLOCK_ENTRIES)
        return LS_ECORRUPT;
    kb->blocks = body;
    kb->blocks_len = (size_t)index_off;
    kb->index = body + index_off;
    kb->prefixes = kb->index + (size_t)kb->nblocks * INDEX_ENTRY;
    return LS_OK;
}

/* The index (and trailer) check, computed once per structure and remembered. */
static int verify_index(const ls_keyblocks *kb)
{
    ls_keyblocks *m = (ls_keyblocks *)kb; /* the state is a cache, safe to share: atomic */
    size_t n = (size_t)kb->nblocks * (INDEX_ENTRY + PREFIX_ENTRY) + 20;
    return ls_blockcheck_once(&m->index_state, kb->index, n, ls_get_u32le(kb->index + n))
               ? LS_OK
               : LS_ECORRUPT;
}

/* Block b's BlockPrefix, as key_prefix gives it of a key. */
static uint64_t block_prefix(const ls_keyblocks *kb, uint32_t b)
{
    return key_prefix(kb->prefixes + (size_t)b * PREFIX_ENTRY, PREFIX_ENTRY);
}

static int block_range(const ls_keyblocks *kb, uint32_t b, uint64_t *off, uint64_t *end)
{
    *off = ls_get_u64le(kb->index + (size_t)b * INDEX_ENTRY);
    *end = b + 1 < kb->nblocks ? ls_get_u64le(kb->index + (size_t)(b + 1) * INDEX_ENTRY)
                               : kb->blocks_len;
    return *off < *end && *end <= kb->blocks_len ? LS_OK : LS_ECORRUPT;
}

/* Entries in block b: LS_KEYBLOCK_ENTRIES but in the last (ls_keyblocks_open checked that
 * the count leaves it 1 to LS_KEYBLOCK_ENTRIES). */
static uint32_t block_entries(const ls_keyblocks *kb, uint32_t b)
{
    if (b + 1 < kb->nblocks)
        return LS_KEYBLOCK_ENTRIES;
    return (uint32_t)(kb->count - (uint64_t)(kb->nblocks - 1) * LS_KEYBLOCK_ENTRIES);
}

/* Restarts of a block of n entries: one per run after the first. */
static uint32_t block_restarts(uint32_t n) { return (n - 1) / LS_KEYBLOCK_RUN; }

/* Offset of run r's first entry in the block it stands on (run 0 at 0). */
static uint64_t run_start(const ls_keyblocks_iter *it, uint32_t r)
{
    return r == 0 ? 0 : ls_get_u32le(it->end + 4 * (size_t)(r - 1));
}

/* Positions it at the start of block b, verified. */
static int load_block(ls_keyblocks_iter *it, uint32_t b)
{
    const ls_keyblocks *kb = it->kb;
    uint64_t off, end;
    if (block_range(kb, b, &off, &end) != LS_OK)
        return LS_ECORRUPT;
    uint32_t n = block_entries(kb, b);
    uint64_t tail = 4 * (uint64_t)block_restarts(n);
    if (end - off <= tail)
        return LS_ECORRUPT;
    ls_keyblocks *m = (ls_keyblocks *)kb; /* the cache is atomic, safe to share */
    atomic_uint *slot = &m->verified[b % LS_KEYBLOCKS_VERIFIED];
    if (atomic_load_explicit(slot, memory_order_relaxed) != b + 1) {
        uint32_t want = ls_get_u32le(kb->index + (size_t)b * INDEX_ENTRY + 8);
        if (ls_blockcheck(kb->blocks + off, (size_t)(end - off)) != want)
            return LS_ECORRUPT;
        atomic_store_explicit(slot, b + 1, memory_order_relaxed);
    }
    it->block = b;
    it->in_block = 0;
    it->entries = n;
    it->start = it->pos = kb->blocks + off;
    it->end = kb->blocks + end - tail;
    it->key_len = 0;
    return LS_OK;
}

/* Nonzero when the entry at it->pos starts a run. */
static int at_run(const ls_keyblocks_iter *it) { return it->in_block % LS_KEYBLOCK_RUN == 0; }

/* Decodes the key of the entry at it->pos (the payload follows at it->pos); *shared_out
 * (may be NULL) gets the bytes it shares with the previous key of the block. */
static int decode_key_shared(ls_keyblocks_iter *it, uint32_t *shared_out)
{
    uint32_t shared, slen;
    const uint8_t **p = &it->pos, *end = it->end;
    if (it->in_block >= it->entries ||
        (at_run(it) && (uint64_t)(*p - it->start) != run_start(it, it->in_block / LS_KEYBLOCK_RUN)))
        return LS_ECORRUPT; /* more entries than the block holds, or a run not where it says */
    if (ls_vbyte_get(p, end, &shared) || ls_vbyte_get(p, end, &slen) || shared > it->key_len ||
        slen > LS_KEYBLOCK_MAX_KEY - shared || slen > (size_t)(end - *p) ||
        (at_run(it) && shared != 0) || shared + slen == 0)
        return LS_ECORRUPT;
    memcpy(it->key + shared, *p, slen);
    *p += slen;
    it->key_len = shared + slen;
    if (it->in_block == 0 && key_prefix(it->key, it->key_len) != block_prefix(it->kb, it->block))
        return LS_ECORRUPT; /* the block's first key is not the one its prefix says */
    if (shared_out != NULL)
        *shared_out = shared;
    return LS_OK;
}

static int decode_key(ls_keyblocks_iter *it) { return decode_key_shared(it, NULL); }

/* ls_key_cmp of a and b, which agree on their first `from` bytes; *lcp gets the length of
 * their common prefix. */
static int cmp_from(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t from,
                    size_t *lcp)
{
    size_t n = al < bl ? al : bl, i = from;
    while (i < n && a[i] == b[i])
        i++;
    *lcp = i;
    if (i < n)
        return a[i] < b[i] ? -1 : 1;
    return al < bl ? -1 : al > bl;
}

static int decode_entry(ls_keyblocks_iter *it)
{
    if (decode_key(it) != LS_OK)
        return LS_ECORRUPT;
    if (it->payload(it->state, &it->pos, it->end, at_run(it)) != LS_OK)
        return LS_ECORRUPT;
    it->in_block++;
    return 1;
}

void ls_keyblocks_iter_init(ls_keyblocks_iter *it, const ls_keyblocks *kb, ls_payload_fn fn,
                            void *state)
{
    it->kb = kb;
    it->payload = fn;
    it->skip = NULL;
    it->state = state;
    it->block = 0;
    it->in_block = 0;
    it->entries = 0;
    it->pos = it->end = it->start = NULL;
    it->key_len = 0;
}

void ls_keyblocks_iter_skip(ls_keyblocks_iter *it, ls_payload_fn skip) { it->skip = skip; }

/* At a block's end, loads the next one. @return 1 on an entry to decode, 0 at the end. */
static int next_block(ls_keyblocks_iter *it)
{
    if (it->pos < it->end)
        return 1;
    if (it->pos != NULL && it->in_block != it->entries)
        return LS_ECORRUPT; /* the block ended short of its count */
    uint32_t nb = it->pos == NULL ? 0 : it->block + 1;
    if (nb >= it->kb->nblocks)
        return 0;
    if (verify_index(it->kb) != LS_OK || load_block(it, nb) != LS_OK)
        return LS_ECORRUPT;
    return 1;
}

int ls_keyblocks_next(ls_keyblocks_iter *it)
{
    int rc = next_block(it);
    return rc <= 0 ? rc : decode_entry(it);
}

/* Compares the key of the run-starting entry at p (bytes up to stop) with key, read in place
 * without a copy. @return LS_OK with *c as ls_key_cmp, or LS_ECORRUPT. */
static int run_key_cmp(const uint8_t *p, const uint8_t *stop, const uint8_t *key, size_t len,
                       int *c)
{
    uint32_t shared, slen;
    if (ls_vbyte_get(&p, stop, &shared) || ls_vbyte_get(&p, stop, &slen) || shared != 0 ||
        slen == 0 || slen > LS_KEYBLOCK_MAX_KEY || slen > (size_t)(stop - p))
        return LS_ECORRUPT;
    *c = ls_key_cmp(p, slen, key, len);
    return LS_OK;
}

/* Compares the first key of block b with key, read in place without verification
 * (binary-search probes). @return LS_OK with *c as ls_key_cmp, or LS_ECORRUPT. */
static int probe_cmp(const ls_keyblocks *kb, uint32_t b, const uint8_t *key, size_t len,
                     int *c)
{
    uint64_t off, end;
    if (block_range(kb, b, &off, &end) != LS_OK)
        return LS_ECORRUPT;
    return run_key_cmp(kb->blocks + off, kb->blocks + end, key, len, c);
}

/* In the verified block it stands at the start of, moves it to the first entry of the last
 * run whose first key is <= key (run 0 when none is). @return LS_OK or LS_ECORRUPT. */
static int seek_run(ls_keyblocks_iter *it, const uint8_t *key, size_t len)
{
    uint32_t lo = 0, hi = block_restarts(it->entries) + 1;
    size_t entries_len = (size_t)(it->end - it->start);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t off = run_start(it, mid);
        int c;
        if (off >= entries_len || run_key_cmp(it->start + off, it->end, key, len, &c) != LS_OK)
            return LS_ECORRUPT;
        if (c <= 0)
            lo = mid;
        else
            hi = mid;
    }
    it->pos = it->start + run_start(it, lo);
    it->in_block = lo * LS_KEYBLOCK_RUN;
    return LS_OK;
}

int ls_keyblocks_seek(ls_keyblocks_iter *it, const uint8_t *key, size_t len)
{
    const ls_keyblocks *kb = it->kb;
    it->pos = it->end = NULL;
    if (kb->nblocks == 0)
        return 0;
    if (verify_index(kb) != LS_OK)
        return LS_ECORRUPT;
    uint32_t lo = 0, hi = kb->nblocks; /* the last block whose first key <= key */
    uint64_t want = key_prefix(key, len);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t have = block_prefix(kb, mid);
        int c = have < want ? -1 : have > want;
        if (c == 0 && probe_cmp(kb, mid, key, len, &c) != LS_OK) /* a tie: read the key */
            return LS_ECORRUPT;
        if (c <= 0)
            lo = mid;
        else
            hi = mid;
    }
    if (load_block(it, lo) != LS_OK || seek_run(it, key, len) != LS_OK)
        return LS_ECORRUPT;
    int probed = lo > 0 || it->in_block > 0; /* the entry scanned first was found <= key */
    /* Front coding tells most comparisons: while the keys read are below key, m is what the
     * last one shares with key. A next key sharing fewer bytes than m with the last one is
     * above key (it rises where the last one agreed with key); one sharing more is below key
     * and shares m too (it keeps the byte where the last one fell short of key); only one
     * sharing exactly m is compared, from byte m on. A run's first entry shares nothing by
     * its coding and is compared whole. */
    size_t m = 0;
    for (int first = 1;; first = 0) {
        int rc = next_block(it);
        if (rc <= 0)
            return rc;
        uint32_t shared;
        if (decode_key_shared(it, &shared) != LS_OK)
            return LS_ECORRUPT;
        int c;
        int run = at_run(it);
        if (run || shared == m)
            c = cmp_from(it->key, it->key_len, key, len, run ? 0 : m, &m);
        else
            c = shared < m ? 1 : -1;
        if (first && probed && c > 0)
            return LS_ECORRUPT; /* a probe misread: the verified block starts past the key */
        /* a key passed over needs only what the next entry's payload builds on */
        ls_payload_fn fn = c < 0 && it->skip != NULL ? it->skip : it->payload;
        if (fn(it->state, &it->pos, it->end, run) != LS_OK)
            return LS_ECORRUPT;
        it->in_block++;
        if (c >= 0)
            return 1;
    }
}

int ls_keyblocks_find(ls_keyblocks_iter *it, const uint8_t *key, size_t len)
{
    int rc = ls_keyblocks_seek(it, key, len);
    if (rc <= 0)
        return rc;
    return it->key_len == len && memcmp(it->key, key, len) == 0;
}

int ls_keyblocks_least(const ls_keyblocks_iter *const *its, const int *on, size_t n)
{
    int best = -1;
    for (size_t k = 0; k < n; k++)
        if (on[k] == 1 && (best < 0 || ls_key_cmp(its[k]->key, its[k]->key_len, its[best]->key,
                                                  its[best]->key_len) < 0))
            best = (int)k;
    return best;
}
