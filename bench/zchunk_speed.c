/* SPDX-License-Identifier: MIT */
/*
 * zchunk_speed.c - why stored chunks are written by libdeflate at level 1: compresses a file
 * (a JSON-lines corpus, say) in 16 KiB chunks as the stored-fields writer does, with zlib at
 * level 3 (a stream per chunk, the writer before) and with libdeflate at levels 1..6 (one
 * compressor kept), and inflates each result with zlib as readers do. Prints a Markdown table.
 * Build and run: make bench-zchunk [ZCHUNK_INPUT=FILE] (default: the kernel corpus of
 * make bench, else the seeds).
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define CHUNK 16384

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Inflates every chunk of z (lengths in zl) with zlib, or libdeflate when d is not NULL, and
 * checks it against in; @return seconds. */
static double inflate_all(const unsigned char *in, size_t n, unsigned char **z, const size_t *zl,
                          unsigned char *out, struct libdeflate_decompressor *d)
{
    double t = now();
    for (size_t o = 0, c = 0; o < n; o += CHUNK, c++) {
        size_t want = n - o < CHUNK ? n - o : CHUNK, got = 0;
        int ok;
        if (d != NULL) {
            ok = libdeflate_zlib_decompress(d, z[c], zl[c], out, want, &got) ==
                 LIBDEFLATE_SUCCESS;
        } else {
            uLongf len = CHUNK;
            ok = uncompress(out, &len, z[c], zl[c]) == Z_OK;
            got = len;
        }
        if (!ok || got != want || memcmp(out, in + o, want) != 0) {
            fprintf(stderr, "zchunk_speed: chunk %zu does not round-trip\n", c);
            exit(1);
        }
    }
    return now() - t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: zchunk_speed FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    size_t cap = (size_t)300 << 20, n;
    unsigned char *in = malloc(cap), *out = malloc(CHUNK);
    n = in ? fread(in, 1, cap, f) : 0;
    fclose(f);
    size_t chunks = (n + CHUNK - 1) / CHUNK, bound = compressBound(CHUNK) + 64;
    unsigned char **z = calloc(chunks ? chunks : 1, sizeof *z);
    size_t *zl = calloc(chunks ? chunks : 1, sizeof *zl);
    if (in == NULL || out == NULL || z == NULL || zl == NULL)
        return 1;
    for (size_t c = 0; c < chunks; c++)
        if ((z[c] = malloc(bound)) == NULL)
            return 1;
    printf("%.1f MB in %zu chunks of %d bytes\n\n", n / 1e6, chunks, CHUNK);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL)
        return 1;
    printf("| writer | compress s | MB/s | compressed MB | zlib inflate s | libdeflate "
           "inflate s |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int lv = 0; lv <= 6; lv++) { /* 0: zlib level 3 */
        struct libdeflate_compressor *c = lv ? libdeflate_alloc_compressor(lv) : NULL;
        if (lv && c == NULL)
            return 1;
        double t = now();
        size_t total = 0;
        for (size_t o = 0, k = 0; o < n; o += CHUNK, k++) {
            size_t len = n - o < CHUNK ? n - o : CHUNK;
            if (lv) {
                zl[k] = libdeflate_zlib_compress(c, in + o, len, z[k], bound);
            } else {
                uLongf zlen = bound;
                compress2(z[k], &zlen, in + o, len, 3);
                zl[k] = zlen;
            }
            total += zl[k];
        }
        double secs = now() - t;
        libdeflate_free_compressor(c);
        double inf = inflate_all(in, n, z, zl, out, NULL);
        double inf2 = inflate_all(in, n, z, zl, out, d);
        char name[32];
        snprintf(name, sizeof name, lv ? "libdeflate %d" : "zlib 3", lv);
        printf("| %s | %.2f | %.0f | %.1f | %.2f | %.2f |\n", name, secs, n / 1e6 / secs,
               total / 1e6, inf, inf2);
    }
    libdeflate_free_decompressor(d);
    for (size_t c = 0; c < chunks; c++)
        free(z[c]);
    free(z);
    free(zl);
    free(in);
    free(out);
    return 0;
}
