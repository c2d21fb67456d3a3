/* SPDX-License-Identifier: MIT */
/*
 * test_codec.c - the codec suite: vbyte (edges, truncated and over-long input), bitpack (every
 * width, exact output size, a bit-by-bit reference decoder), delta, crc32 (check value,
 * incremental, > 4 GiB) and zchunk (round trips, corruption, size mismatch, allocation failure).
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "codec/bitpack.h"
#include "codec/crc.h"
#include "codec/vbyte.h"
#include "codec/zchunk.h"
#include "format/positions.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/alloc.h"

#define GUARD 0xA5

/* ---- vbyte ---------------------------------------------------------------------------- */

static const struct {
    uint32_t v;
    size_t len;
} vb32_edges[] = {
    {0, 1},           {1, 1},           {127, 1},         {128, 2},
    {129, 2},         {300, 2},         {16383, 2},       {16384, 3},
    {2097151, 3},     {2097152, 4},     {268435455, 4},   {268435456, 5},
    {UINT32_MAX - 1, 5}, {UINT32_MAX, 5},
};

static const struct {
    uint64_t v;
    size_t len;
} vb64_edges[] = {
    {0, 1},
    {1, 1},
    {127, 1},
    {128, 2},
    {129, 2},
    {16383, 2},
    {16384, 3},
    {UINT32_MAX, 5},
    {(uint64_t)UINT32_MAX + 1, 5},
    {UINT64_C(34359738367), 5}, /* 2^35 - 1 */
    {UINT64_C(34359738368), 6},
    {UINT64_C(1) << 62, 9},
    {(UINT64_C(1) << 63) - 1, 9},
    {UINT64_C(1) << 63, 10},
    {UINT64_MAX, 10},
};

START_TEST(vbyte_roundtrip_edges)
{
    for (size_t t = 0; t < sizeof vb32_edges / sizeof vb32_edges[0]; t++) {
        uint8_t buf[LS_VBYTE_MAX32 + 1];
        memset(buf, GUARD, sizeof buf);
        size_t n = ls_vbyte_put(buf, vb32_edges[t].v);
        ck_assert_uint_eq(n, vb32_edges[t].len);
        ck_assert_uint_eq(ls_vbyte_len(vb32_edges[t].v), n);
        ck_assert_uint_eq(buf[n], GUARD);
        for (size_t i = 0; i + 1 < n; i++)
            ck_assert_uint_ge(buf[i], 0x80);
        ck_assert_uint_lt(buf[n - 1], 0x80);

        const uint8_t *pos = buf;
        uint32_t v = 12345;
        ck_assert_int_eq(ls_vbyte_get(&pos, buf + n, &v), 0);
        ck_assert_uint_eq(v, vb32_edges[t].v);
        ck_assert_ptr_eq(pos, buf + n);
    }
}
END_TEST

START_TEST(vbyte64_roundtrip_edges)
{
    for (size_t t = 0; t < sizeof vb64_edges / sizeof vb64_edges[0]; t++) {
        uint8_t buf[LS_VBYTE_MAX64 + 1];
        memset(buf, GUARD, sizeof buf);
        size_t n = ls_vbyte_put64(buf, vb64_edges[t].v);
        ck_assert_uint_eq(n, vb64_edges[t].len);
        ck_assert_uint_eq(buf[n], GUARD);

        const uint8_t *pos = buf;
        uint64_t v = 12345;
        ck_assert_int_eq(ls_vbyte_get64(&pos, buf + n, &v), 0);
        ck_assert(v == vb64_edges[t].v);
        ck_assert_ptr_eq(pos, buf + n);

        /* Values that fit 32 bits encode the same way in both widths. */
        if (vb64_edges[t].v <= UINT32_MAX) {
            uint8_t b32[LS_VBYTE_MAX32];
            size_t n32 = ls_vbyte_put(b32, (uint32_t)vb64_edges[t].v);
            ck_assert_uint_eq(n32, n);
            ck_assert_mem_eq(b32, buf, n);
        }
    }
}
END_TEST

/* The FORMAT.md worked example: 300 = 0b10_0101100 -> AC 02. */
START_TEST(vbyte_known_bytes)
{
    uint8_t buf[LS_VBYTE_MAX64];
    ck_assert_uint_eq(ls_vbyte_put(buf, 300), 2);
    ck_assert_uint_eq(buf[0], 0xAC);
    ck_assert_uint_eq(buf[1], 0x02);
    ck_assert_uint_eq(ls_vbyte_put(buf, UINT32_MAX), 5);
    const uint8_t max32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    ck_assert_mem_eq(buf, max32, 5);
    ck_assert_uint_eq(ls_vbyte_put64(buf, UINT64_MAX), 10);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(buf[i], 0xFF);
    ck_assert_uint_eq(buf[9], 0x01);
}
END_TEST

START_TEST(vbyte_truncated_input_fails)
{
    for (size_t t = 0; t < sizeof vb32_edges / sizeof vb32_edges[0]; t++) {
        uint8_t buf[LS_VBYTE_MAX32];
        size_t n = ls_vbyte_put(buf, vb32_edges[t].v);
        for (size_t cut = 0; cut < n; cut++) {
            const uint8_t *pos = buf;
            uint32_t v = 777;
            ck_assert_int_eq(ls_vbyte_get(&pos, buf + cut, &v), -1);
            ck_assert_ptr_eq(pos, buf);
            ck_assert_uint_eq(v, 777);
        }
    }
    for (size_t t = 0; t < sizeof vb64_edges / sizeof vb64_edges[0]; t++) {
        uint8_t buf[LS_VBYTE_MAX64];
        size_t n = ls_vbyte_put64(buf, vb64_edges[t].v);
        for (size_t cut = 0; cut < n; cut++) {
            const uint8_t *pos = buf;
            uint64_t v = 777;
            ck_assert_int_eq(ls_vbyte_get64(&pos, buf + cut, &v), -1);
            ck_assert_ptr_eq(pos, buf);
            ck_assert(v == 777);
        }
    }
}
END_TEST

START_TEST(vbyte_overlong_input_fails)
{
    /* Six bytes for a 32-bit value (the 5th still continues). */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    /* Five bytes whose last one sets bit 32 or more. */
    const uint8_t wide[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x10};
    const uint8_t wide2[] = {0x80, 0x80, 0x80, 0x80, 0x7F};
    const uint8_t *bad32[] = {six, wide, wide2};
    const size_t bad32_len[] = {sizeof six, sizeof wide, sizeof wide2};
    for (size_t t = 0; t < 3; t++) {
        const uint8_t *pos = bad32[t];
        uint32_t v = 777;
        ck_assert_int_eq(ls_vbyte_get(&pos, bad32[t] + bad32_len[t], &v), -1);
        ck_assert_ptr_eq(pos, bad32[t]);
        ck_assert_uint_eq(v, 777);
    }

    uint8_t eleven[11];
    memset(eleven, 0x80, 10);
    eleven[10] = 0x00;
    uint8_t wide64[10];
    memset(wide64, 0xFF, 9);
    wide64[9] = 0x02; /* bit 64 */
    const uint8_t *bad64[] = {eleven, wide64};
    const size_t bad64_len[] = {sizeof eleven, sizeof wide64};
    for (size_t t = 0; t < 2; t++) {
        const uint8_t *pos = bad64[t];
        uint64_t v = 777;
        ck_assert_int_eq(ls_vbyte_get64(&pos, bad64[t] + bad64_len[t], &v), -1);
        ck_assert_ptr_eq(pos, bad64[t]);
        ck_assert(v == 777);
    }
}
END_TEST

/* Non-minimal encodings that fit are accepted: 0 as 80 00, 1 as 81 80 80 80 00. */
START_TEST(vbyte_nonminimal_input_decodes)
{
    const uint8_t zero2[] = {0x80, 0x00};
    const uint8_t one5[] = {0x81, 0x80, 0x80, 0x80, 0x00};
    const uint8_t *pos = zero2;
    uint32_t v = 777;
    ck_assert_int_eq(ls_vbyte_get(&pos, zero2 + 2, &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_ptr_eq(pos, zero2 + 2);
    pos = one5;
    ck_assert_int_eq(ls_vbyte_get(&pos, one5 + 5, &v), 0);
    ck_assert_uint_eq(v, 1);
    ck_assert_ptr_eq(pos, one5 + 5);
}
END_TEST

/* A stream of values of every magnitude decodes back in order and ends exactly at end. */
START_TEST(vbyte_random_stream_roundtrip)
{
    enum { N = 20000 };
    ls_rng r;
    ls_rng_init(&r, 1);
    uint64_t *vals = malloc(N * sizeof *vals);
    uint8_t *buf = malloc(N * LS_VBYTE_MAX64);
    ck_assert_ptr_nonnull(vals);
    ck_assert_ptr_nonnull(buf);
    size_t len = 0;
    for (size_t i = 0; i < N; i++) {
        unsigned bits = ls_rng_below(&r, 65);
        vals[i] = bits == 0 ? 0 : ls_rng_next(&r) >> (64 - bits);
        if (i % 2 == 0)
            len += ls_vbyte_put(buf + len, (uint32_t)vals[i]);
        else
            len += ls_vbyte_put64(buf + len, vals[i]);
    }
    const uint8_t *pos = buf, *end = buf + len;
    for (size_t i = 0; i < N; i++) {
        if (i % 2 == 0) {
            uint32_t v;
            ck_assert_int_eq(ls_vbyte_get(&pos, end, &v), 0);
            ck_assert_uint_eq(v, (uint32_t)vals[i]);
        } else {
            uint64_t v;
            ck_assert_int_eq(ls_vbyte_get64(&pos, end, &v), 0);
            ck_assert(v == vals[i]);
        }
    }
    ck_assert_ptr_eq(pos, end);
    free(vals);
    free(buf);
}
END_TEST

/* ---- bitpack -------------------------------------------------------------------------- */

static uint32_t max_of_width(unsigned w) { return w == 0 ? 0 : UINT32_MAX >> (32 - w); }

/* Reference decoder: one bit at a time straight from the format's definition. */
static void ref_unpack(const uint8_t *in, unsigned w, uint32_t *out)
{
    for (unsigned i = 0; i < LS_BLOCK; i++) {
        uint32_t v = 0;
        for (unsigned b = 0; b < w; b++) {
            size_t bit = (size_t)i * w + b;
            v |= (((unsigned)in[bit >> 3] >> (bit & 7)) & 1u) << b;
        }
        out[i] = v;
    }
}

/*
 * Packs in (width w) into a guarded buffer, checks exactly 16*w bytes were written, then
 * unpacks from an exact-size heap copy (so ASan flags any read past 16*w) and compares.
 */
static void check_block(const uint32_t *in, unsigned w)
{
    size_t size = ls_bp128_size(w);
    ck_assert_uint_eq(size, 16 * (size_t)w);
    uint8_t packed[16 * 32 + 16];
    memset(packed, GUARD, sizeof packed);
    ls_bp128_pack(in, w, packed);
    for (size_t i = size; i < sizeof packed; i++)
        ck_assert_msg(packed[i] == GUARD, "width %u: pack wrote byte %zu", w, i);

    uint8_t *exact = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, packed, size);
    uint32_t out[LS_BLOCK + 1];
    out[LS_BLOCK] = 0xDEADBEEF;
    ls_bp128_unpack(exact, w, out);
    ck_assert_uint_eq(out[LS_BLOCK], 0xDEADBEEF);
    for (unsigned i = 0; i < LS_BLOCK; i++)
        ck_assert_msg(out[i] == in[i], "width %u value %u: %u != %u", w, i, out[i], in[i]);

    uint32_t ref[LS_BLOCK];
    ref_unpack(exact, w, ref);
    ck_assert_mem_eq(ref, in, sizeof ref);
    free(exact);
}

START_TEST(bp128_roundtrip_all_widths)
{
    ls_rng r;
    ls_rng_init(&r, 2);
    int rounds = ls_test_long() ? 200 : 20;
    for (unsigned w = 0; w <= 32; w++) {
        for (int round = 0; round < rounds; round++) {
            uint32_t in[LS_BLOCK];
            for (unsigned i = 0; i < LS_BLOCK; i++)
                in[i] = (uint32_t)ls_rng_next(&r) & max_of_width(w);
            ck_assert_uint_le(ls_bp128_width(in), w);
            check_block(in, w);
        }
    }
}
END_TEST

START_TEST(bp128_roundtrip_all_max)
{
    for (unsigned w = 0; w <= 32; w++) {
        uint32_t in[LS_BLOCK];
        for (unsigned i = 0; i < LS_BLOCK; i++)
            in[i] = max_of_width(w);
        ck_assert_uint_eq(ls_bp128_width(in), w);
        check_block(in, w);
        /* All ones in, all bytes 0xFF out. */
        uint8_t packed[16 * 32];
        ls_bp128_pack(in, w, packed);
        for (size_t i = 0; i < ls_bp128_size(w); i++)
            ck_assert_uint_eq(packed[i], 0xFF);
    }
}
END_TEST

/* A block packed at a width wider than needed still round-trips (writers may round up). */
START_TEST(bp128_roundtrip_wider_than_needed)
{
    ls_rng r;
    ls_rng_init(&r, 3);
    for (unsigned need = 0; need <= 32; need++) {
        uint32_t in[LS_BLOCK];
        for (unsigned i = 0; i < LS_BLOCK; i++)
            in[i] = (uint32_t)ls_rng_next(&r) & max_of_width(need);
        in[LS_BLOCK - 1] = max_of_width(need); /* make the width exact */
        ck_assert_uint_eq(ls_bp128_width(in), need);
        for (unsigned w = need; w <= 32; w++)
            check_block(in, w);
    }
}
END_TEST

START_TEST(bp128_width_is_smallest_fit)
{
    uint32_t in[LS_BLOCK];
    memset(in, 0, sizeof in);
    ck_assert_uint_eq(ls_bp128_width(in), 0);
    for (unsigned b = 0; b < 32; b++) {
        for (unsigned pos = 0; pos < LS_BLOCK; pos += 127) {
            memset(in, 0, sizeof in);
            in[pos] = UINT32_C(1) << b;
            ck_assert_uint_eq(ls_bp128_width(in), b + 1);
        }
    }
    in[5] = UINT32_MAX;
    ck_assert_uint_eq(ls_bp128_width(in), 32);
}
END_TEST

/* The FORMAT.md examples: little-endian bit order within and across bytes. */
START_TEST(bp128_known_layout)
{
    uint32_t in[LS_BLOCK];
    uint8_t packed[16 * 32];

    for (unsigned i = 0; i < LS_BLOCK; i++)
        in[i] = i & 15;
    ls_bp128_pack(in, 4, packed);
    for (unsigned k = 0; k < 64; k++)
        ck_assert_uint_eq(packed[k], (in[2 * k + 1] << 4) | in[2 * k]);

    for (unsigned i = 0; i < LS_BLOCK; i++)
        in[i] = i % 3 == 0;
    ls_bp128_pack(in, 1, packed);
    ck_assert_uint_eq(packed[0], 0x49); /* values 0..7 = 1,0,0,1,0,0,1,0 -> 0b01001001 */

    for (unsigned i = 0; i < LS_BLOCK; i++)
        in[i] = 0x01020304u + i;
    ls_bp128_pack(in, 32, packed);
    ck_assert_uint_eq(packed[0], 0x04);
    ck_assert_uint_eq(packed[3], 0x01);
    ck_assert_uint_eq(packed[4], 0x05);

    /* Width 3: value 0 = 5 (101), value 1 = 6 (110), value 2 = 7 -> bits 101 011 111 ... */
    memset(in, 0, sizeof in);
    in[0] = 5;
    in[1] = 6;
    in[2] = 7;
    ls_bp128_pack(in, 3, packed);
    ck_assert_uint_eq(packed[0], 0xF5); /* 11 110 101 */
    ck_assert_uint_eq(packed[1], 0x01);
    ck_assert_uint_eq(packed[2], 0x00);
}
END_TEST

/* Any byte string is a valid block: unpack must agree with the bit-by-bit reference. */
START_TEST(bp128_unpack_matches_reference_on_random_bytes)
{
    ls_rng r;
    ls_rng_init(&r, 4);
    int rounds = ls_test_long() ? 100 : 10;
    for (unsigned w = 1; w <= 32; w++) {
        for (int round = 0; round < rounds; round++) {
            size_t size = ls_bp128_size(w);
            uint8_t *in = malloc(size);
            ck_assert_ptr_nonnull(in);
            for (size_t i = 0; i < size; i++)
                in[i] = (uint8_t)ls_rng_next(&r);
            uint32_t out[LS_BLOCK], ref[LS_BLOCK];
            ls_bp128_unpack(in, w, out);
            ref_unpack(in, w, ref);
            ck_assert_mem_eq(out, ref, sizeof out);
            /* Re-packing gives the same bytes back. */
            uint8_t again[16 * 32];
            ls_bp128_pack(out, w, again);
            ck_assert_mem_eq(again, in, size);
            free(in);
        }
    }
}
END_TEST

/* Width 0 reads nothing and zeroes the block. */
START_TEST(bp128_width0_zeroes_output)
{
    uint32_t out[LS_BLOCK];
    memset(out, 0xFF, sizeof out);
    uint8_t dummy = GUARD;
    ls_bp128_unpack(&dummy, 0, out);
    for (unsigned i = 0; i < LS_BLOCK; i++)
        ck_assert_uint_eq(out[i], 0);
    uint32_t in[LS_BLOCK];
    memset(in, 0, sizeof in);
    ls_bp128_pack(in, 0, &dummy);
    ck_assert_uint_eq(dummy, GUARD);
}
END_TEST

/* ---- delta ---------------------------------------------------------------------------- */

START_TEST(delta_roundtrip)
{
    ls_rng r;
    ls_rng_init(&r, 5);
    const uint32_t bases[] = {0, 1, 1000, UINT32_MAX - 5000000};
    for (size_t t = 0; t < sizeof bases / sizeof bases[0]; t++) {
        const size_t lens[] = {1, 2, 127, 128, 129, 1000};
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            size_t n = lens[l];
            uint32_t *orig = malloc(n * sizeof *orig), *v = malloc(n * sizeof *v);
            ck_assert_ptr_nonnull(orig);
            ck_assert_ptr_nonnull(v);
            uint32_t cur = bases[t];
            for (size_t i = 0; i < n; i++) {
                cur += ls_rng_below(&r, 4) == 0 ? 0 : ls_rng_below(&r, 4000); /* with repeats */
                orig[i] = cur;
            }
            memcpy(v, orig, n * sizeof *v);
            ls_delta_encode(v, n, bases[t]);
            ck_assert_uint_eq(v[0], orig[0] - bases[t]);
            for (size_t i = 1; i < n; i++)
                ck_assert_uint_eq(v[i], orig[i] - orig[i - 1]);
            ls_delta_decode(v, n, bases[t]);
            ck_assert_mem_eq(v, orig, n * sizeof *v);
            free(orig);
            free(v);
        }
    }
}
END_TEST

START_TEST(delta_edges)
{
    /* n = 0 touches nothing (a NULL array is fine). */
    ls_delta_encode(NULL, 0, 7);
    ls_delta_decode(NULL, 0, 7);
    uint32_t one = 42;
    ls_delta_encode(&one, 0, 7);
    ck_assert_uint_eq(one, 42);

    /* Values equal to the base give zero deltas; the extremes of u32 survive. */
    uint32_t v[] = {10, 10, 10, UINT32_MAX};
    ls_delta_encode(v, 4, 10);
    ck_assert_uint_eq(v[0], 0);
    ck_assert_uint_eq(v[1], 0);
    ck_assert_uint_eq(v[2], 0);
    ck_assert_uint_eq(v[3], UINT32_MAX - 10);
    ls_delta_decode(v, 4, 10);
    ck_assert_uint_eq(v[0], 10);
    ck_assert_uint_eq(v[3], UINT32_MAX);

    uint32_t w[] = {0, UINT32_MAX};
    ls_delta_encode(w, 2, 0);
    ck_assert_uint_eq(w[0], 0);
    ck_assert_uint_eq(w[1], UINT32_MAX);
    ls_delta_decode(w, 2, 0);
    ck_assert_uint_eq(w[1], UINT32_MAX);
}
END_TEST

/* ---- crc32 ---------------------------------------------------------------------------- */

START_TEST(crc32_check_value)
{
    ck_assert_uint_eq(ls_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(ls_crc32(0, "", 0), 0);
    /* Zero bytes continue the crc unchanged, even with a NULL pointer. */
    ck_assert_uint_eq(ls_crc32(0xCBF43926u, NULL, 0), 0xCBF43926u);
    ck_assert_uint_eq(ls_crc32(0, "a", 1), 0xE8B7BE43u);
}
END_TEST

START_TEST(crc32_incremental_equals_oneshot)
{
    enum { N = 10000 };
    ls_rng r;
    ls_rng_init(&r, 6);
    uint8_t *buf = malloc(N);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < N; i++)
        buf[i] = (uint8_t)ls_rng_next(&r);
    uint32_t whole = ls_crc32(0, buf, N);
    for (size_t cut = 0; cut <= N; cut += 1 + ls_rng_below(&r, 97)) {
        uint32_t c = ls_crc32(0, buf, cut);
        ck_assert_uint_eq(ls_crc32(c, buf + cut, N - cut), whole);
    }
    /* Many small random pieces. */
    uint32_t c = 0;
    for (size_t at = 0; at < N;) {
        size_t k = ls_rng_below(&r, 50);
        if (k > N - at)
            k = N - at;
        c = ls_crc32(c, buf + at, k);
        at += k;
    }
    ck_assert_uint_eq(c, whole);
    free(buf);
}
END_TEST

/* crc32 of n zero bytes continuing crc, by doubling with crc32_combine: no data touched. */
static uint32_t crc_of_zeros(uint32_t crc, uint64_t n)
{
    uLong zeros = 0; /* crc of `len` zero bytes */
    uint64_t len = 0;
    uint8_t zero = 0;
    for (int bit = 63; bit >= 0; bit--) {
        if (len) {
            zeros = crc32_combine(zeros, zeros, (z_off_t)len);
            len *= 2;
        }
        if ((n >> bit) & 1) {
            zeros = crc32_combine(zeros, crc32(0, &zero, 1), 1);
            len++;
        }
    }
    return (uint32_t)crc32_combine(crc, zeros, (z_off_t)n);
}

/*
 * Over UINT_MAX bytes in one call (zlib takes a uInt length). The buffer is the zero pages
 * of a reserved mapping (no memory spent) with a mark at each end; the oracle is computed
 * from crc32_combine without reading it, so the 4 GiB are read once (about 1 s).
 */
START_TEST(crc32_beyond_4gib_matches_oracle)
{
    if (SIZE_MAX <= UINT_MAX)
        return; /* a 32-bit size_t cannot express the case */
    size_t n = (size_t)UINT_MAX + 1 + 4099;
    uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
    ck_assert_msg(p != MAP_FAILED, "cannot map %zu bytes", n);
    for (size_t k = 0; k < 5000; k += 1 + k * 3) /* the oracle itself, on small sizes */
        ck_assert_uint_eq(crc_of_zeros(0x1234567u, k), ls_crc32(0x1234567u, p + 1, k));
    (void)madvise(p, n, MADV_HUGEPAGE); /* fewer page faults where the huge zero page exists */
    p[0] = 1;
    p[n - 1] = 0x80;

    uint32_t want = ls_crc32(0, p, 1);
    want = crc_of_zeros(want, n - 2);
    want = ls_crc32(want, p + n - 1, 1);
    ck_assert_uint_eq(ls_crc32(0, p, n), want);
    munmap(p, n);
}
END_TEST

/* ---- zchunk --------------------------------------------------------------------------- */

/* Compresses, checks the size against the bound, decompresses into an exact-size buffer. */
static size_t check_zroundtrip(const uint8_t *in, size_t n)
{
    size_t cap = ls_zchunk_bound(n);
    ck_assert_uint_ge(cap, n);
    uint8_t *z = malloc(cap + 1);
    ck_assert_ptr_nonnull(z);
    z[cap] = GUARD;
    size_t zlen = (size_t)-1;
    ls_zchunk_writer *zw = ls_zchunk_writer_new();
    ck_assert_ptr_nonnull(zw);
    ck_assert_int_eq(ls_zchunk_compress(zw, in, n, z, &zlen), LS_OK);
    ls_zchunk_writer_free(zw);
    ck_assert_uint_le(zlen, cap);
    ck_assert_uint_gt(zlen, 0);
    ck_assert_uint_eq(z[cap], GUARD);

    uint8_t *out = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(ls_zchunk_decompress(z, zlen, out, n), LS_OK);
    if (n)
        ck_assert_mem_eq(out, in, n);
    free(out);
    free(z);
    return zlen;
}

static uint8_t *random_bytes(size_t n, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)ls_rng_next(&r);
    return p;
}

/* Text-like bytes: words from a small vocabulary, so deflate has something to find. */
static uint8_t *texty_bytes(size_t n, uint64_t stream)
{
    static const char *words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                                  "lazy ", "dog ", "search ", "index ", "posting "};
    ls_rng r;
    ls_rng_init(&r, stream);
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n;) {
        const char *w = words[ls_rng_below(&r, sizeof words / sizeof words[0])];
        for (; *w && i < n; w++)
            p[i++] = (uint8_t)*w;
    }
    return p;
}

START_TEST(zchunk_roundtrip_empty_and_one_byte)
{
    check_zroundtrip(NULL, 0);
    const uint8_t one[] = {'x'};
    check_zroundtrip(one, 1);
    const uint8_t zero[] = {0};
    check_zroundtrip(zero, 1);
}
END_TEST

START_TEST(zchunk_roundtrip_random_100k)
{
    size_t n = 100 * 1024;
    uint8_t *in = random_bytes(n, 7);
    size_t zlen = check_zroundtrip(in, n);
    ck_assert_uint_ge(zlen, n); /* incompressible: deflate falls back to stored blocks */
    free(in);
}
END_TEST

START_TEST(zchunk_roundtrip_compressible_1m)
{
    size_t n = 1024 * 1024;
    uint8_t *in = malloc(n);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (uint8_t)("abcabcabd"[i % 9]);
    size_t zlen = check_zroundtrip(in, n);
    ck_assert_uint_lt(zlen, n / 100);
    free(in);

    in = texty_bytes(n, 8);
    zlen = check_zroundtrip(in, n);
    ck_assert_uint_lt(zlen, n / 2);
    free(in);
}
END_TEST

/* Compresses `in` into a fresh malloc'd buffer of exactly the compressed size. */
static uint8_t *zcompress(const uint8_t *in, size_t n, size_t *zlen)
{
    uint8_t *z = malloc(ls_zchunk_bound(n));
    ck_assert_ptr_nonnull(z);
    ls_zchunk_writer *zw = ls_zchunk_writer_new();
    ck_assert_ptr_nonnull(zw);
    ck_assert_int_eq(ls_zchunk_compress(zw, in, n, z, zlen), LS_OK);
    ls_zchunk_writer_free(zw);
    uint8_t *exact = malloc(*zlen);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, z, *zlen);
    free(z);
    return exact;
}

START_TEST(zchunk_truncated_stream_is_corrupt)
{
    size_t n = 3000, zlen;
    uint8_t *in = texty_bytes(n, 9);
    uint8_t *z = zcompress(in, n, &zlen);
    uint8_t *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    for (size_t cut = 0; cut < zlen; cut++) {
        uint8_t *part = malloc(cut ? cut : 1); /* exact size: ASan sees any over-read */
        ck_assert_ptr_nonnull(part);
        memcpy(part, z, cut);
        ck_assert_msg(ls_zchunk_decompress(part, cut, out, n) == LS_ECORRUPT,
                      "prefix of %zu of %zu bytes accepted", cut, zlen);
        free(part);
    }
    free(out);
    free(z);
    free(in);
}
END_TEST

START_TEST(zchunk_corrupted_stream_is_corrupt)
{
    size_t n = 3000, zlen;
    uint8_t *in = texty_bytes(n, 10);
    uint8_t *z = zcompress(in, n, &zlen);
    uint8_t *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    /*
     * Every flipped bit either yields LS_ECORRUPT or decodes to exactly the original bytes:
     * a few bits carry no information (the padding after the final block, equivalent
     * encodings of a Huffman table), and the Adler-32 catches the rest. Never wrong data.
     */
    size_t flips = 0, caught = 0;
    for (size_t at = 0; at < zlen; at++) {
        for (unsigned b = 0; b < 8; b++) {
            z[at] ^= (uint8_t)(1u << b);
            memset(out, 0, n);
            int rc = ls_zchunk_decompress(z, zlen, out, n);
            ck_assert_msg(rc == LS_ECORRUPT || (rc == LS_OK && memcmp(out, in, n) == 0),
                          "bit %u of byte %zu of %zu: rc %d, data differ", b, at, zlen, rc);
            flips++;
            caught += rc == LS_ECORRUPT;
            z[at] ^= (uint8_t)(1u << b);
        }
    }
    ck_assert_uint_ge(caught * 100, flips * 99);
    /* The zlib header and the Adler-32 trailer hold no slack at all. */
    for (size_t at = 0; at < zlen; at = at == 1 ? zlen - 4 : at + 1) {
        z[at] ^= 0x10;
        ck_assert_int_eq(ls_zchunk_decompress(z, zlen, out, n), LS_ECORRUPT);
        z[at] ^= 0x10;
    }
    /* Bytes after the end of the stream are corruption as well. */
    uint8_t *longer = malloc(zlen + 1);
    ck_assert_ptr_nonnull(longer);
    memcpy(longer, z, zlen);
    longer[zlen] = 0;
    ck_assert_int_eq(ls_zchunk_decompress(longer, zlen + 1, out, n), LS_ECORRUPT);
    ck_assert_int_eq(ls_zchunk_decompress(z, zlen, out, n), LS_OK);
    ck_assert_mem_eq(out, in, n);
    free(longer);
    free(out);
    free(z);
    free(in);
}
END_TEST

START_TEST(zchunk_expect_len_mismatch_is_corrupt)
{
    size_t n = 5000, zlen;
    uint8_t *in = texty_bytes(n, 11);
    uint8_t *z = zcompress(in, n, &zlen);
    const size_t expects[] = {0, 1, n - 1, n + 1, 2 * n};
    for (size_t t = 0; t < sizeof expects / sizeof expects[0]; t++) {
        size_t e = expects[t];
        uint8_t *out = malloc(e + 1); /* one guard byte past expect_len */
        ck_assert_ptr_nonnull(out);
        out[e] = GUARD;
        ck_assert_int_eq(ls_zchunk_decompress(z, zlen, out, e), LS_ECORRUPT);
        ck_assert_uint_eq(out[e], GUARD);
        free(out);
    }
    /* An empty chunk expected to hold bytes, and a 1-byte chunk expected empty. */
    uint8_t *ez = zcompress(NULL, 0, &zlen);
    uint8_t small[2] = {GUARD, GUARD};
    ck_assert_int_eq(ls_zchunk_decompress(ez, zlen, small, 1), LS_ECORRUPT);
    ck_assert_int_eq(ls_zchunk_decompress(ez, zlen, small, 0), LS_OK);
    free(ez);
    const uint8_t one = 'q';
    uint8_t *oz = zcompress(&one, 1, &zlen);
    ck_assert_int_eq(ls_zchunk_decompress(oz, zlen, small, 0), LS_ECORRUPT);
    ck_assert_uint_eq(small[0], GUARD);
    free(oz);
    free(z);
    free(in);
}
END_TEST

START_TEST(zchunk_alloc_failure_is_enomem)
{
    size_t n = 4000, zlen;
    uint8_t *in = texty_bytes(n, 12);
    uint8_t *z = zcompress(in, n, &zlen);
    uint8_t *buf = malloc(ls_zchunk_bound(n));
    ck_assert_ptr_nonnull(buf);
    size_t len = 0;
    /* Fail each allocation in turn: making a compressor (ours, before libdeflate's own),
     * inflating (one or two). */
    for (long k = 0; k < 8; k++) {
        ls_alloc_fail_after(k);
        ls_zchunk_writer *zw = ls_zchunk_writer_new();
        ls_alloc_fail_after(-1);
        if (k == 0)
            ck_assert_ptr_null(zw);
        if (zw != NULL) {
            ck_assert_int_eq(ls_zchunk_compress(zw, in, n, buf, &len), LS_OK);
            ck_assert_uint_gt(len, 0);
            ls_zchunk_writer_free(zw);
        }
        int rc;
        ls_alloc_fail_after(k);
        rc = ls_zchunk_decompress(z, zlen, buf, n);
        ls_alloc_fail_after(-1);
        ck_assert(rc == LS_ENOMEM || rc == LS_OK);
        if (k == 0)
            ck_assert_int_eq(rc, LS_ENOMEM);
        if (rc == LS_OK)
            ck_assert_mem_eq(buf, in, n);
    }
    free(buf);
    free(z);
    free(in);
}
END_TEST

START_TEST(zchunk_bound_saturates)
{
    ck_assert_uint_ge(ls_zchunk_bound(0), 13); /* zlib's compressBound(0) */
    ck_assert_uint_eq(ls_zchunk_bound(SIZE_MAX), SIZE_MAX);
    ck_assert_uint_ge(ls_zchunk_bound(1u << 20), 1u << 20);
    size_t len = 0;
    uint8_t out[16];
    ls_zchunk_writer *zw = ls_zchunk_writer_new();
    ck_assert_ptr_nonnull(zw);
    ck_assert_int_eq(ls_zchunk_compress(zw, out, SIZE_MAX, out, &len), LS_ELIMIT);
    ls_zchunk_writer_free(zw);
}
END_TEST

/* The skip as the format defines it, a byte at a time: the reference that the sixteen-byte
 * path must agree with. */
static int skip_bytewise(const uint8_t **p, const uint8_t *end, size_t n)
{
    const uint8_t *q = *p;
    unsigned run = 0;
    if (n > (size_t)(end - q))
        return LS_ECORRUPT;
    while (n > 0) {
        if (q >= end || ++run > 5)
            return LS_ECORRUPT;
        if (*q++ < 0x80) {
            n--;
            run = 0;
        }
    }
    *p = q;
    return LS_OK;
}

/* Random bytes (continuation bytes from rare to most), random counts and starting offsets:
 * the skip gives the reference's result and pointer, also across chunk edges and for runs of
 * continuation bytes that are too long. Then the sum over documents in a row: one skip of all
 * their positions ends where the decoder of each in turn ends. */
START_TEST(positions_skip_agrees_with_bytewise)
{
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0x5c1b);
    uint8_t buf[400];
    for (int round = 0; round < 20000; round++) {
        uint32_t cont_pct = 5 + ls_rng_below(&r, 80), len = ls_rng_below(&r, sizeof buf);
        for (uint32_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(ls_rng_below(&r, 100) < cont_pct ? 0x80 | ls_rng_below(&r, 128)
                                                                 : ls_rng_below(&r, 128));
        uint32_t off = len ? ls_rng_below(&r, len) : 0;
        size_t n = ls_rng_below(&r, len - off + 3);
        const uint8_t *b = buf + off;
        int rb = skip_bytewise(&b, buf + len, n);
        for (int how = LS_SKIP_SSE2; how <= LS_SKIP_BYTES; how++) {
            const uint8_t *a = buf + off;
            ck_assert_int_eq(ls_positions_skip_with(&a, buf + len, n, how), rb);
            ck_assert_ptr_eq(a, b);
        }
        const uint8_t *a = buf + off;
        ck_assert_int_eq(ls_positions_skip(&a, buf + len, n), rb);
        ck_assert_ptr_eq(a, b);
    }
    for (int round = 0; round < 200; round++) {
        ls_buf b = LS_BUF_INIT;
        uint32_t pos[300], tfs[8], ndocs = 1 + ls_rng_below(&r, 8);
        size_t total = 0;
        for (uint32_t d = 0; d < ndocs; d++) {
            tfs[d] = 1 + ls_rng_below(&r, 300);
            for (uint32_t k = 0, cur = 0; k < tfs[d]; k++)
                pos[k] = cur += (k > 0) + ls_rng_below(&r, round % 2 ? 300 : 100000);
            ck_assert_int_eq(ls_positions_put(&b, pos, tfs[d]), LS_OK);
            total += tfs[d];
        }
        const uint8_t *p = b.data, *q = b.data, *end = b.data + b.len;
        for (uint32_t d = 0; d < ndocs; d++)
            ck_assert_int_eq(ls_positions_decode(&p, end, tfs[d], pos), LS_OK);
        ck_assert_int_eq(ls_positions_skip(&q, end, total), LS_OK);
        ck_assert_ptr_eq(q, p);
        ck_assert_ptr_eq(q, end);
        ls_buf_free(&b);
    }
}
END_TEST

/* Declared not at the start of a line: the Makefile turns each such line into a runner entry. */
extern Suite *ls_suite_codec(void);

/* ---- positions (format/positions.h: vbyte gaps, decoded with one- and two-byte gaps inline)
 */

/* Documents of random positions whose gaps take 1..5 bytes, one after another; decoding and
 * skipping must agree with the encoder and with each other, and every cut must be caught. */
START_TEST(positions_roundtrip_every_gap_length)
{
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0x9051);
    static const uint32_t limit[] = {1u << 7, 1u << 14, 1u << 21, 1u << 28, UINT32_MAX};
    for (int round = 0; round < 200; round++) {
        uint32_t tf = 1 + ls_rng_below(&r, 40), pos[40], cur = 0;
        for (uint32_t k = 0; k < tf; k++) {
            uint32_t lim = limit[ls_rng_below(&r, round % 5 + 1)];
            uint32_t gap = (k > 0) + ls_rng_below(&r, lim - 1);
            if (gap > UINT32_MAX - cur)
                gap = k > 0;
            cur += gap;
            pos[k] = cur;
        }
        ls_buf b = LS_BUF_INIT;
        ck_assert_int_eq(ls_positions_put(&b, pos, tf), LS_OK);
        ck_assert_int_eq(ls_positions_put(&b, pos, tf), LS_OK); /* a second document */
        const uint8_t *p = b.data, *end = b.data + b.len;
        uint32_t out[40];
        ck_assert_int_eq(ls_positions_decode(&p, end, tf, out), LS_OK);
        ck_assert_mem_eq(out, pos, tf * sizeof *pos);
        const uint8_t *half = p, *q = b.data;
        ck_assert_int_eq(ls_positions_skip(&q, end, tf), LS_OK);
        ck_assert_ptr_eq(q, half);
        uint32_t last;
        ck_assert_int_eq(ls_positions_last(half, end, tf, &last), LS_OK);
        ck_assert_uint_eq(last, pos[tf - 1]);
        ck_assert_int_eq(ls_positions_decode(&p, end, tf, out), LS_OK);
        ck_assert_ptr_eq(p, end);
        for (size_t cut = 0; cut < (size_t)(half - b.data); cut++) {
            const uint8_t *c1 = b.data, *c2 = b.data;
            const uint8_t *stop = b.data + cut;
            ck_assert_int_eq(ls_positions_decode(&c1, stop, tf, out), LS_ECORRUPT);
            ck_assert_int_eq(ls_positions_skip(&c2, stop, tf), LS_ECORRUPT);
            ck_assert_ptr_eq(c1, b.data);
            ck_assert_ptr_eq(c2, b.data);
        }
        ls_buf_free(&b);
    }
}
END_TEST

START_TEST(positions_damage_is_corrupt)
{
    uint32_t out[4];
    /* a zero gap after the first position */
    const uint8_t zero_gap[] = {5, 0};
    const uint8_t *p = zero_gap;
    ck_assert_int_eq(ls_positions_decode(&p, zero_gap + 2, 2, out), LS_ECORRUPT);
    /* a value of six bytes: too long for 32 bits, for decode and skip alike */
    const uint8_t six[] = {0x81, 0x81, 0x81, 0x81, 0x81, 0x01};
    p = six;
    ck_assert_int_eq(ls_positions_decode(&p, six + 6, 1, out), LS_ECORRUPT);
    p = six;
    ck_assert_int_eq(ls_positions_skip(&p, six + 6, 1), LS_ECORRUPT);
    /* the sum wraps past 2^32 - 1 */
    const uint8_t wrap[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
    p = wrap;
    ck_assert_int_eq(ls_positions_decode(&p, wrap + 6, 2, out), LS_ECORRUPT);
    /* two-byte gaps, inline: 0x81 0x01 = 129, then 1 */
    const uint8_t two[] = {0x81, 0x01, 0x01};
    p = two;
    ck_assert_int_eq(ls_positions_decode(&p, two + 3, 2, out), LS_OK);
    ck_assert_uint_eq(out[0], 129);
    ck_assert_uint_eq(out[1], 130);
    /* more positions than bytes */
    p = two;
    ck_assert_int_eq(ls_positions_decode(&p, two + 3, 4, out), LS_ECORRUPT);
    ck_assert_int_eq(ls_positions_skip(&p, two + 3, 4), LS_ECORRUPT);
}
END_TEST

Suite *ls_suite_codec(void)
{
    Suite *s = suite_create("codec");

    TCase *tc = tcase_create("vbyte");
    tcase_add_test(tc, vbyte_roundtrip_edges);
    tcase_add_test(tc, vbyte64_roundtrip_edges);
    tcase_add_test(tc, vbyte_known_bytes);
    tcase_add_test(tc, vbyte_truncated_input_fails);
    tcase_add_test(tc, vbyte_overlong_input_fails);
    tcase_add_test(tc, vbyte_nonminimal_input_decodes);
    tcase_add_test(tc, vbyte_random_stream_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("bitpack");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, bp128_roundtrip_all_widths);
    tcase_add_test(tc, bp128_roundtrip_all_max);
    tcase_add_test(tc, bp128_roundtrip_wider_than_needed);
    tcase_add_test(tc, bp128_width_is_smallest_fit);
    tcase_add_test(tc, bp128_known_layout);
    tcase_add_test(tc, bp128_unpack_matches_reference_on_random_bytes);
    tcase_add_test(tc, bp128_width0_zeroes_output);
    suite_add_tcase(s, tc);

    tc = tcase_create("positions");
    tcase_add_test(tc, positions_roundtrip_every_gap_length);
    tcase_add_test(tc, positions_damage_is_corrupt);
    tcase_add_test(tc, positions_skip_agrees_with_bytewise);
    suite_add_tcase(s, tc);

    tc = tcase_create("delta");
    tcase_add_test(tc, delta_roundtrip);
    tcase_add_test(tc, delta_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("crc");
    tcase_add_test(tc, crc32_check_value);
    tcase_add_test(tc, crc32_incremental_equals_oneshot);
    suite_add_tcase(s, tc);

    tc = tcase_create("crc_large");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, crc32_beyond_4gib_matches_oracle);
    suite_add_tcase(s, tc);

    tc = tcase_create("zchunk");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, zchunk_roundtrip_empty_and_one_byte);
    tcase_add_test(tc, zchunk_roundtrip_random_100k);
    tcase_add_test(tc, zchunk_roundtrip_compressible_1m);
    tcase_add_test(tc, zchunk_truncated_stream_is_corrupt);
    tcase_add_test(tc, zchunk_corrupted_stream_is_corrupt);
    tcase_add_test(tc, zchunk_expect_len_mismatch_is_corrupt);
    tcase_add_test(tc, zchunk_alloc_failure_is_enomem);
    tcase_add_test(tc, zchunk_bound_saturates);
    suite_add_tcase(s, tc);

    return s;
}
