/* SPDX-License-Identifier: MIT */
/*
 * update_workload.c - an update-heavy workload through the public API: N documents indexed,
 * then every one of them replaced in batches with a commit after each batch, then the index
 * optimized. Prints times, segment counts and sizes as a Markdown table, and checks that the
 * index holds exactly the newest version of every document.
 *
 *   update_workload DIR [N [BATCH]]        (make bench-update: N 10000, BATCH 100)
 *
 * Documents are deterministic synthetic text: ~150 words from a Zipf-distributed vocabulary
 * of 20,000 words, plus a word naming the document's version.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libsearch.h"

#define VOCAB 20000
#define WORDS 150

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static double cum[VOCAB];

static void zipf_init(void)
{
    double s = 0;
    for (int i = 0; i < VOCAB; i++)
        cum[i] = s += 1.0 / (i + 1);
}

static int zipf(void)
{
    double u = (double)(next() >> 11) / 9007199254740992.0 * cum[VOCAB - 1];
    int lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void word(char *out, int i)
{
    static const char *syl[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu"};
    int n = 0;
    do {
        n += sprintf(out + n, "%s", syl[i % 10]);
        i /= 10;
    } while (i > 0);
}

static void die(int rc, const ls_error *e, const char *what)
{
    if (rc != LS_OK) {
        fprintf(stderr, "update_workload: %s: %s\n", what, e->message);
        exit(1);
    }
}

static void add(ls_writer *w, unsigned doc, unsigned version, char *buf)
{
    char id[32], title[64];
    snprintf(id, sizeof id, "doc-%06u", doc);
    int n = sprintf(buf, "version%u ", version);
    for (int k = 0; k < WORDS; k++) {
        word(buf + n, zipf());
        n += (int)strlen(buf + n);
        buf[n++] = ' ';
    }
    buf[n] = '\0';
    snprintf(title, sizeof title, "document %u version %u", doc, version);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = id;
    d.id_len = strlen(id);
    d.title = title;
    d.title_len = strlen(title);
    d.body = buf;
    d.body_len = (size_t)n;
    ls_error e;
    die(ls_writer_add(w, &d, &e), &e, "add");
}

static void stats(const char *dir, ls_index_stats *s)
{
    ls_reader *r;
    ls_error e;
    die(ls_reader_open(dir, &r, &e), &e, "open");
    memset(s, 0, sizeof *s);
    s->version = LS_INDEX_STATS_VERSION;
    die(ls_reader_stats(r, s, &e), &e, "stats");
    ls_reader_close(r);
}

static uint64_t size_of(const ls_index_stats *s)
{
    return s->bytes_dictionary + s->bytes_postings + s->bytes_positions + s->bytes_doclens +
           s->bytes_stored + s->bytes_ids + s->bytes_deletions + s->bytes_manifest;
}

static uint64_t count(const char *dir, const char *q)
{
    ls_reader *r;
    ls_error e;
    ls_hits *h;
    ls_search_options o = LS_SEARCH_OPTIONS_INIT;
    o.feedback_docs = 0;
    o.limit = 0;
    die(ls_reader_open(dir, &r, &e), &e, "open");
    die(ls_search(r, q, strlen(q), &o, &h, &e), &e, "search");
    uint64_t n = ls_hits_total(h);
    ls_hits_free(h);
    ls_reader_close(r);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: update_workload DIR [N [BATCH]]\n");
        return 2;
    }
    const char *dir = argv[1];
    unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
    unsigned batch = argc > 3 ? (unsigned)atoi(argv[3]) : 100;
    zipf_init();
    char *buf = malloc(WORDS * 32 + 64);
    ls_writer *w;
    ls_error e;
    die(ls_writer_open(dir, NULL, &w, &e), &e, "writer");
    double t0 = now();
    for (unsigned i = 0; i < n; i++) {
        add(w, i, 1, buf);
        if ((i + 1) % 1000 == 0 || i + 1 == n)
            die(ls_writer_commit(w, &e), &e, "commit");
    }
    double t_index = now() - t0;
    ls_index_stats s0, s1, s2;
    stats(dir, &s0);
    double worst = 0;
    t0 = now();
    for (unsigned i = 0; i < n; i += batch) {
        double b0 = now();
        for (unsigned k = i; k < i + batch && k < n; k++)
            add(w, k, 2, buf);
        die(ls_writer_commit(w, &e), &e, "commit");
        double dt = now() - b0;
        worst = dt > worst ? dt : worst;
    }
    double t_update = now() - t0;
    stats(dir, &s1);
    t0 = now();
    die(ls_writer_optimize(w, 1, &e), &e, "optimize");
    double t_opt = now() - t0;
    ls_writer_close(w);
    stats(dir, &s2);
    uint64_t v1 = count(dir, "version1"), v2 = count(dir, "version2");
    unsigned batches = (n + batch - 1) / batch;
    printf("| step | time | segments | documents | deleted | index bytes |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    printf("| index %u documents (commit per 1,000) | %.2f s | %u | %llu | %llu | %llu |\n", n,
           t_index, s0.segments, (unsigned long long)s0.documents,
           (unsigned long long)s0.deleted_documents, (unsigned long long)size_of(&s0));
    printf("| replace all in %u batches of %u, commit each | %.2f s (%.1f ms a batch, worst "
           "%.1f ms) | %u | %llu | %llu | %llu |\n",
           batches, batch, t_update, 1000 * t_update / batches, 1000 * worst, s1.segments,
           (unsigned long long)s1.documents, (unsigned long long)s1.deleted_documents,
           (unsigned long long)size_of(&s1));
    printf("| optimize | %.2f s | %u | %llu | %llu | %llu |\n", t_opt, s2.segments,
           (unsigned long long)s2.documents, (unsigned long long)s2.deleted_documents,
           (unsigned long long)size_of(&s2));
    printf("\ncheck: version1 matches %llu documents (want 0), version2 %llu (want %u)\n",
           (unsigned long long)v1, (unsigned long long)v2, n);
    free(buf);
    return v1 == 0 && v2 == n && s2.documents == n ? 0 : 1;
}
