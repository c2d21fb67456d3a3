/* SPDX-License-Identifier: MIT */
/*
 * fuzz_segment.c - fuzz target for the reading side fed damaged index files: a small index
 * (three segments, an update, deletions) is built once; each input damages one of its files:
 * byte 0 picks which, the rest is an xor mask over the intact file, whose length becomes the
 * file's (so libFuzzer's byte flips, insertions and erasures become flipped bytes, growths
 * and cuts; the seeds are all-zero masks: the intact files). A mask rather than the files
 * themselves because every build of the index draws new segment tags.
 * The index is opened, searched (terms, phrases, prefixes, fields, boolean queries, snippets,
 * explanations, feedback), looked up by id and checked. The oracle: every answer is either an
 * error or exactly the intact index's answer (every byte a query reads is checked), and
 * ls_reader_check fails whenever the file differs from the intact one. Byte 0's bit 7 also
 * runs a writer over the damaged index (replace, delete, commit, optimize): errors are fine,
 * crashes are not.
 */
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void teardown(void);
#define LS_FUZZ_ON_FAILURE() teardown()
#include "fuzz_target.h"
#include "libsearch.h"

#define MAX_FILES 64
#define FUZZ_MAX_INPUT (1u << 20)

static const char *const queries[] = {
    "oil",        "oil OR trade",      "iran AND china", "\"trade talks\"", "agree*",
    "title:oil",  "body:agreement",    "oil -iran",      "+china trade",   "zebra",
    "runner run", "\"25-year agreement\"",
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

typedef struct file {
    char name[64];
    uint8_t *data;
    size_t len;
} file;

static file files[MAX_FILES];
static size_t n_files;
static char base[1024], scratch[1100];
static char *reference[N_QUERIES]; /* each query's answer on the intact index, as text */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

static void teardown(void)
{
    if (getenv("LS_FUZZ_KEEP_INDEX") != NULL)
        return;
    if (base[0])
        nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void add(ls_writer *w, const char *id, const char *title, const char *body)
{
    ls_document d = LS_DOCUMENT_INIT;
    ls_error e;
    d.id = id;
    d.id_len = strlen(id);
    d.title = title;
    d.title_len = strlen(title);
    d.body = body;
    d.body_len = strlen(body);
    d.stamp = "stamp";
    d.stamp_len = 5;
    LS_FUZZ_CHECK(ls_writer_add(w, &d, &e) == LS_OK);
}

static void build(const char *dir)
{
    ls_writer *w;
    ls_error e;
    ls_writer_options o = LS_WRITER_OPTIONS_INIT;
    o.no_auto_merge = 1;
    LS_FUZZ_CHECK(ls_writer_open(dir, &o, &w, &e) == LS_OK);
    char id[32], body[512];
    for (int i = 0; i < 150; i++) { /* a full 128-posting block for "oil" */
        snprintf(id, sizeof id, "d%03d", i);
        snprintf(body, sizeof body, "oil %s trade talks %s agreement runner %d run",
                 i % 3 ? "iran" : "china", i % 5 ? "agreed" : "25-year agreement", i);
        add(w, id, i % 7 ? "Oil news" : "Trade", body);
        if (i == 90)
            LS_FUZZ_CHECK(ls_writer_commit(w, &e) == LS_OK);
    }
    LS_FUZZ_CHECK(ls_writer_commit(w, &e) == LS_OK);
    add(w, "d010", "Zebra", "zebra replaced the oil document"); /* an update */
    LS_FUZZ_CHECK(ls_writer_delete(w, "d020", 4, &e) == LS_OK);
    LS_FUZZ_CHECK(ls_writer_commit(w, &e) == LS_OK);
    ls_writer_close(w);
}

/* One query's answer as text: the code, or the hits with ids, scores, snippets, explain. */
static char *answer(ls_reader *r, size_t qi, int feedback)
{
    ls_search_options o = LS_SEARCH_OPTIONS_INIT;
    o.limit = 20;
    o.explain = 1;
    o.feedback_docs = feedback ? 5 : 0;
    ls_hits *h = NULL;
    ls_error e;
    int rc = ls_search(r, queries[qi], strlen(queries[qi]), &o, &h, &e);
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    LS_FUZZ_CHECK(s != NULL);
    if (rc != LS_OK) {
        LS_FUZZ_CHECK(rc < 0 && e.message[0] != '\0');
        snprintf(s, cap, "error");
        return s;
    }
    n += (size_t)snprintf(s + n, cap - n, "total %llu\n", (unsigned long long)ls_hits_total(h));
    for (size_t i = 0; i < ls_hits_count(h) && n < cap - 512; i++) {
        const ls_hit *x = ls_hits_get(h, i);
        LS_FUZZ_CHECK(isfinite(x->score));
        n += (size_t)snprintf(s + n, cap - n, "%s %.17g %s|%zu\n", x->id, x->score, x->title,
                              x->snippet ? x->snippet->len : 0);
    }
    ls_hits_free(h);
    return s;
}

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const file *)a)->name, ((const file *)b)->name);
}

/* Reads the intact index's files, sorted by name, so that byte 0 of an input names the same
 * file on every run (readdir order is the file system's). */
static int read_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    LS_FUZZ_CHECK(d != NULL);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
            continue;
        LS_FUZZ_CHECK(n_files < MAX_FILES && strlen(e->d_name) < sizeof files[0].name);
        file *f = &files[n_files++];
        memcpy(f->name, e->d_name, strlen(e->d_name) + 1);
        char path[1300];
        int pn = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        LS_FUZZ_CHECK(pn > 0 && (size_t)pn < sizeof path);
        FILE *fp = fopen(path, "rb");
        LS_FUZZ_CHECK(fp != NULL);
        fseek(fp, 0, SEEK_END);
        f->len = (size_t)ftell(fp);
        fseek(fp, 0, SEEK_SET);
        f->data = malloc(f->len ? f->len : 1);
        LS_FUZZ_CHECK(f->data != NULL && fread(f->data, 1, f->len, fp) == f->len);
        fclose(fp);
    }
    closedir(d);
    qsort(files, n_files, sizeof files[0], cmp_files);
    return 0;
}

static void init(void)
{
    const char *tmp = getenv("TMPDIR");
    struct stat st;
    if (tmp == NULL || !*tmp)
        tmp = stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp";
    snprintf(base, sizeof base, "%s/ls-fuzz-segment-XXXXXX", tmp);
    LS_FUZZ_CHECK(mkdtemp(base) != NULL);
    atexit(teardown);
    char intact[1100];
    snprintf(intact, sizeof intact, "%s/intact", base);
    snprintf(scratch, sizeof scratch, "%s/scratch", base);
    build(intact);
    read_dir(intact);
    ls_reader *r;
    ls_error e;
    LS_FUZZ_CHECK(ls_reader_open(intact, &r, &e) == LS_OK);
    LS_FUZZ_CHECK(ls_reader_check(r, &e) == LS_OK);
    for (size_t q = 0; q < N_QUERIES; q++)
        reference[q] = answer(r, q, q % 2);
    ls_reader_close(r);
    if (getenv("LS_FUZZ_WRITE_SEEDS") != NULL) { /* fuzz/corpus/segment/: zero masks */
        for (size_t i = 0; i < n_files; i++) {
            char path[1300];
            int pn = snprintf(path, sizeof path, "%s/seed-%02zu-%s",
                              getenv("LS_FUZZ_WRITE_SEEDS"), i, files[i].name);
            LS_FUZZ_CHECK(pn > 0 && (size_t)pn < sizeof path);
            FILE *fp = fopen(path, "wb");
            LS_FUZZ_CHECK(fp != NULL);
            uint8_t sel = (uint8_t)i, zero = 0;
            fwrite(&sel, 1, 1, fp);
            for (size_t k = 0; k < files[i].len; k++)
                fwrite(&zero, 1, 1, fp);
            fclose(fp);
        }
    }
}

static void write_index(size_t which, const uint8_t *data, size_t len)
{
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    LS_FUZZ_CHECK(mkdir(scratch, 0700) == 0);
    for (size_t i = 0; i < n_files; i++) {
        char path[1300];
        int pn = snprintf(path, sizeof path, "%s/%s", scratch, files[i].name);
        LS_FUZZ_CHECK(pn > 0 && (size_t)pn < sizeof path);
        FILE *fp = fopen(path, "wb");
        LS_FUZZ_CHECK(fp != NULL);
        if (i == which) {
            for (size_t k = 0; k < len; k++) {
                uint8_t b = (uint8_t)((k < files[i].len ? files[i].data[k] : 0) ^ data[k]);
                LS_FUZZ_CHECK(fputc(b, fp) != EOF);
            }
        }
        else
            LS_FUZZ_CHECK(files[i].len == 0 || fwrite(files[i].data, 1, files[i].len, fp) ==
                                                   files[i].len);
        fclose(fp);
    }
}

static void search_all(int changed)
{
    ls_reader *r;
    ls_error e;
    int rc = ls_reader_open(scratch, &r, &e);
    if (rc != LS_OK) {
        LS_FUZZ_CHECK(rc < 0 && e.message[0] != '\0');
        return;
    }
    for (size_t q = 0; q < N_QUERIES; q++) {
        char *a = answer(r, q, q % 2);
        /* Either an error or the intact index's answer: never a different one. */
        if (strcmp(a, "error") != 0 && strcmp(a, reference[q]) != 0) {
            fprintf(stderr, "query %s:\n--- intact\n%s--- damaged\n%s", queries[q], reference[q],
                    a);
            LS_FUZZ_CHECK(!"a damaged index gave a different answer");
        }
        free(a);
    }
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    rc = ls_reader_get(r, "d005", 4, &info, &e);
    LS_FUZZ_CHECK(rc == LS_OK || rc == LS_ECORRUPT);
    if (rc == LS_OK)
        LS_FUZZ_CHECK(info.stamp_len == 5 && memcmp(info.stamp, "stamp", 5) == 0);
    rc = ls_reader_get(r, "d020", 4, &info, &e); /* deleted */
    LS_FUZZ_CHECK(rc == LS_ENOTFOUND || rc == LS_ECORRUPT);
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    (void)ls_reader_stats(r, &st, &e);
    rc = ls_reader_check(r, &e);
    LS_FUZZ_CHECK(rc == LS_OK || rc == LS_ECORRUPT || rc == LS_ENOMEM);
    if (changed)
        LS_FUZZ_CHECK(rc != LS_OK); /* every byte of a file is under its checksum */
    ls_reader_close(r);
}

static void write_some(void)
{
    ls_writer *w;
    ls_error e;
    if (ls_writer_open(scratch, NULL, &w, &e) != LS_OK)
        return;
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "d001";
    d.id_len = 4;
    d.body = "replaced again";
    d.body_len = 14;
    int rc = ls_writer_add(w, &d, &e);
    if (rc == LS_OK)
        rc = ls_writer_delete(w, "d002", 4, &e);
    if (rc == LS_OK || rc == LS_ENOTFOUND)
        rc = ls_writer_commit(w, &e);
    if (rc == LS_OK)
        (void)ls_writer_optimize(w, 1, &e);
    ls_writer_close(w);
}

int LS_FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    if (base[0] == '\0')
        init();
    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    size_t which = (data[0] & 0x7f) % n_files;
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    int changed = len != files[which].len;
    for (size_t k = 0; k < len && !changed; k++)
        changed = body[k] != 0;
    write_index(which, body, len);
    search_all(changed);
    if (data[0] & 0x80)
        write_some();
    return 0;
}
