/* SPDX-License-Identifier: MIT */
/*
 * checksum_speed.c - why block checks use XXH3 and file footers zlib's crc32: time both on
 * block sizes the format uses (a skip entry, a postings block, a dictionary block, a stored
 * chunk). Build and run: make bench-checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <xxhash.h>
#include <zlib.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    static const size_t sizes[] = {32, 150, 1000, 16384};
    unsigned char *buf = malloc((1u << 20) + 16384);
    if (buf == NULL)
        return 1;
    for (size_t i = 0; i < (1u << 20) + 16384; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13);
    printf("| bytes | zlib crc32 ns | XXH3 ns | ratio |\n|---:|---:|---:|---:|\n");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        long iters = (long)(2e8 / (double)n);
        uint64_t acc = 0;
        double t = now();
        for (long i = 0; i < iters; i++)
            acc += crc32(0, buf + (i & 1023), (uInt)n);
        double a = now() - t;
        t = now();
        for (long i = 0; i < iters; i++)
            acc += XXH3_64bits(buf + (i & 1023), n);
        double b = now() - t;
        printf("| %zu | %.1f | %.1f | %.1fx |\n", n, a / (double)iters * 1e9,
               b / (double)iters * 1e9, a / b);
        if (acc == 42)
            puts("");
    }
    free(buf);
    return 0;
}
