/* SPDX-License-Identifier: MIT */
/*
 * fmt_testutil.c - helpers of the on-disk format suites (see fmt_testutil.h).
 */
#include "fmt_testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"

char *ls_fmt_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void *ls_fmt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    return p;
}

uint8_t *ls_fmt_dup(const void *p, size_t n)
{
    uint8_t *c = ls_fmt_xmalloc(n);
    if (n > 0)
        memcpy(c, p, n);
    return c;
}

void ls_fmt_fill_random(ls_rng *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)ls_rng_next(r);
}

void ls_fmt_fw_open(ls_fwriter *w, const char *path, uint32_t magic)
{
    ls_error err;
    int rc = ls_fwriter_open(w, path, &err);
    ck_assert_msg(rc == LS_OK, "ls_fwriter_open(%s): %d %s", path, rc, err.message);
    rc = ls_header_write(w, magic, &err);
    ck_assert_msg(rc == LS_OK, "ls_header_write(%s): %d %s", path, rc, err.message);
}

void ls_fmt_fw_finish(ls_fwriter *w)
{
    ls_error err;
    int rc = ls_footer_finish(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_footer_finish: %d %s", rc, err.message);
}

void ls_fmt_if_open(ls_ifile *f, const char *path, uint32_t magic)
{
    ls_error err;
    int rc = ls_ifile_open(f, path, magic, &err);
    ck_assert_msg(rc == LS_OK, "ls_ifile_open(%s): %d %s", path, rc, err.message);
    rc = ls_ifile_verify(f, &err);
    ck_assert_msg(rc == LS_OK, "ls_ifile_verify(%s): %d %s", path, rc, err.message);
}

int ls_fmt_key_cmp(const void *pa, const void *pb)
{
    const ls_fmt_key *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static const char *const key_prefixes[] = {"a", "ainter", "aintern", "tquick", "\xff\xff", ""};
static const size_t key_prefix_lens[] = {1, 6, 7, 6, 2, 1}; /* the last one is "\0" */

/* A random key: often a shared prefix, then a random tail; lengths 1..max_len with extra
 * weight on the edges. */
static void random_key(ls_rng *r, ls_fmt_key *k, size_t max_len)
{
    size_t len;
    switch (ls_rng_below(r, 8)) {
    case 0: len = 1; break;
    case 1: len = max_len; break;
    case 2: len = max_len - ls_rng_below(r, max_len < 4 ? (uint32_t)max_len : 4); break;
    default: len = 1 + ls_rng_below(r, 24); break;
    }
    if (len > max_len)
        len = max_len;
    size_t at = 0;
    if (ls_rng_below(r, 3) != 0) {
        size_t pi = ls_rng_below(r, 6);
        size_t pl = key_prefix_lens[pi] < len ? key_prefix_lens[pi] : len;
        memcpy(k->b, key_prefixes[pi], pl);
        at = pl;
    }
    for (; at < len; at++) /* a small alphabet so that keys share prefixes; now and then any byte */
        k->b[at] =
            ls_rng_below(r, 10) ? (uint8_t)('a' + ls_rng_below(r, 4)) : (uint8_t)ls_rng_next(r);
    k->len = len;
}

size_t ls_fmt_sort_unique(ls_fmt_key *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, ls_fmt_key_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || ls_fmt_key_cmp(&keys[u - 1], &keys[i]) != 0)
            keys[u++] = keys[i];
    return u;
}

ls_fmt_key *ls_fmt_make_keys(ls_rng *r, size_t n, size_t max_len)
{
    ck_assert(max_len >= 2 && max_len <= LS_KEYBLOCK_MAX_KEY);
    size_t cap = n * 2 + 16, m = 0;
    ls_fmt_key *k = ls_fmt_xmalloc(cap * sizeof *k);
    while (m < n) {
        while (m < cap) {
            if (m == 0) { /* the longest key */
                memset(k[m].b, 'a', max_len);
                k[m].len = max_len;
            } else if (m == 1) { /* its prefix of max_len - 1 bytes, then another byte */
                memset(k[m].b, 'a', max_len);
                k[m].b[max_len - 1] = 'b';
                k[m].len = max_len;
            } else if (m == 2) {
                k[m].b[0] = 'a';
                k[m].len = 1;
            } else {
                random_key(r, &k[m], max_len);
            }
            m++;
        }
        m = ls_fmt_sort_unique(k, m);
    }
    while (m > n) { /* keep n of them, spread over the whole sorted range */
        size_t drop = ls_rng_below(r, (uint32_t)m);
        memmove(&k[drop], &k[drop + 1], (m - drop - 1) * sizeof *k);
        m--;
    }
    return k;
}

size_t ls_fmt_lower_bound(const ls_fmt_key *keys, size_t n, const ls_fmt_key *k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ls_fmt_key_cmp(&keys[mid], k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ls_fmt_key_present(const ls_fmt_key *keys, size_t n, const ls_fmt_key *k)
{
    size_t i = ls_fmt_lower_bound(keys, n, k);
    return i < n && ls_fmt_key_cmp(&keys[i], k) == 0;
}

ls_fmt_key *ls_fmt_absent_keys(ls_rng *r, const ls_fmt_key *keys, size_t n, size_t max_len,
                               size_t *count_out)
{
    ls_fmt_key *out = ls_fmt_xmalloc((2 * n + 2) * sizeof *out);
    size_t m = 0;
    out[m++].len = 0;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len < max_len) { /* sorts right after keys[i] */
            out[m] = keys[i];
            out[m].b[out[m].len++] = (uint8_t)ls_rng_next(r);
            if (!ls_fmt_key_present(keys, n, &out[m]))
                m++;
        }
        if (keys[i].b[keys[i].len - 1] != 0) { /* sorts before keys[i] */
            out[m] = keys[i];
            out[m].b[out[m].len - 1]--;
            if (!ls_fmt_key_present(keys, n, &out[m]))
                m++;
        }
    }
    memset(out[m].b, 0xff, max_len);
    out[m].len = max_len;
    if (!ls_fmt_key_present(keys, n, &out[m]))
        m++;
    *count_out = m;
    return out;
}

size_t ls_fmt_flip_offsets(ls_rng *r, size_t n, size_t every, size_t *out)
{
    if (n <= every) {
        for (size_t i = 0; i < n; i++)
            out[i] = i;
        return n;
    }
    size_t m = 0, edge = every / 8;
    for (size_t i = 0; i < edge; i++) {
        out[m++] = i;
        out[m++] = n - 1 - i;
    }
    while (m < every)
        out[m++] = edge + ls_rng_below(r, (uint32_t)(n - 2 * edge));
    return m;
}
