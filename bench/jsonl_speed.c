/* SPDX-License-Identifier: MIT */
/*
 * jsonl_speed.c - why `cisearch index` reads the simple JSON line itself: reads a JSON-lines
 * file (the kernel corpus of make bench, say) once with jansson's json_loadb, as source.c did
 * for every line, and once with cli/jsonl_fast.c (jansson for the lines it leaves), and prints
 * the seconds, MB/s and the lines each path took. Build and run: make bench-jsonl
 * [JSONL_INPUT=FILE].
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "../cli/jsonl_fast.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One pass over the file; fast: jf_parse first. @return seconds; *taken: lines jf_parse took. */
static double pass(const char *path, int fast, size_t *lines, size_t *taken, size_t *bytes)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    char *line = NULL, *scratch = NULL;
    size_t cap = 0, sum = 0;
    ssize_t got;
    *lines = *taken = *bytes = 0;
    double t = now();
    while ((got = getline(&line, &cap, f)) >= 0) {
        (*lines)++;
        *bytes += (size_t)got;
        jf_line jl;
        if (fast) {
            scratch = realloc(scratch, cap);
            if (scratch == NULL)
                exit(1);
            if (jf_parse(line, (size_t)got, scratch, &jl)) {
                (*taken)++;
                sum += jl.len[JF_BODY];
                continue;
            }
        }
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &err);
        if (o != NULL)
            sum += json_string_length(json_object_get(o, "body"));
        json_decref(o);
    }
    t = now() - t;
    fclose(f);
    free(line);
    free(scratch);
    if (sum == 0)
        fprintf(stderr, "jsonl_speed: no bodies read\n");
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: jsonl_speed FILE.jsonl\n");
        return 2;
    }
    size_t lines, taken, bytes;
    printf("| reader | seconds | MB/s | lines | read by jsonl_fast |\n|---|---:|---:|---:|---:|\n");
    for (int fast = 0; fast <= 1; fast++) {
        double s = pass(argv[1], fast, &lines, &taken, &bytes);
        printf("| %s | %.2f | %.0f | %zu | %zu |\n", fast ? "jsonl_fast, then jansson" : "jansson",
               s, bytes / 1e6 / s, lines, taken);
    }
    return 0;
}
