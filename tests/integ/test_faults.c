/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c - bad input never crashes, never damages the index, always gives a clear error:
 * truncated and flipped bytes in every file kind, newer format versions, missing and foreign
 * directories, the writer lock, uncommitted writers, SIGKILL during commits (fork), failure of
 * the Nth allocation (util/alloc.h), impossible values behind valid checksums, hostile
 * documents (bad UTF-8, empty, 100 MB) and hostile queries and options. The asan build
 * (make asan) turns "never crashes" into "never reads out of bounds and never leaks".
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "codec/crc.h"
#include "format/fileheader.h"
#include "format/manifest.h"
#include "format/postings.h"
#include "format/termdict.h"
#include "format/filenames.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/alloc.h"
#include "util/buf.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static const char *const vocab[] = {"alpha",  "bravo", "charlie", "delta",    "echo",
                                    "foxtrot", "golf", "hotel",   "india",    "juliet",
                                    "kilo",   "lima",  "mike",    "november", "oscar"};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

/* A word no stemmer changes and no other document shares: consonants only. */
static void unique_word(size_t i, char *out)
{
    static const char cons[] = "bcdfghjkmnpqrtvwxz"; /* 18 */
    out[0] = 'q';
    out[1] = 'z';
    for (int k = 0; k < 5; k++) {
        out[2 + k] = cons[i % 18];
        i /= 18;
    }
    out[7] = '\0';
}

static void add_doc(ls_writer *w, ls_rng *r, size_t i)
{
    char body[1024], title[128], id[32], path[64], uw[8];
    unique_word(i, uw);
    size_t bl = 0, tl = 0;
    size_t nw = 3 + ls_rng_below(r, 40), at = ls_rng_below(r, (uint32_t)nw);
    for (size_t k = 0; k < nw; k++)
        bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", k ? " " : "",
                               k == at ? uw : vocab[ls_rng_below(r, NVOCAB)]);
    for (size_t k = 0, nt = 1 + ls_rng_below(r, 4); k < nt; k++)
        tl += (size_t)snprintf(title + tl, sizeof title - tl, "%s%s", k ? " " : "",
                               vocab[ls_rng_below(r, NVOCAB)]);
    snprintf(id, sizeof id, "doc-%zu", i);
    snprintf(path, sizeof path, "/src/%zu.txt", i);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = id;
    d.id_len = strlen(id);
    d.title = title;
    d.title_len = tl;
    d.body = body;
    d.body_len = bl;
    d.path = path;
    d.path_len = strlen(path);
    ls_error err;
    int rc = ls_writer_add(w, &d, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add %zu: %d %s", i, rc, err.message);
}

/* Writes docs [from, to) in one writer session and commits. */
static void add_and_commit(const char *dir, ls_rng *r, size_t from, size_t to, size_t budget)
{
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = budget;
    ls_writer *w;
    int rc = ls_writer_open(dir, &wo, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = from; i < to; i++)
        add_doc(w, r, i);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
    ls_writer_close(w);
}

/* An index of n documents in `commits` commits and several segments. */
static char *build_index(size_t n, size_t commits, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    char *dir = ls_test_tmpdir();
    for (size_t c = 0; c < commits; c++)
        add_and_commit(dir, &r, c * n / commits, (c + 1) * n / commits, 128 * 1024);
    return dir;
}

static ls_reader *open_ok(const char *dir)
{
    ls_error err;
    ls_reader *r;
    int rc = ls_reader_open(dir, &r, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open(%s): %d %s", dir, rc, err.message);
    return r;
}

static uint64_t doc_count(const ls_reader *r, uint64_t *gen_out)
{
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    ls_error err;
    ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_OK);
    if (gen_out)
        *gen_out = st.generation;
    return st.documents;
}

/* Opens, checks and counts the index; searches one document's unique word. */
static void assert_index_fine(const char *dir, uint64_t ndocs, uint64_t gen)
{
    ls_reader *r = open_ok(dir);
    ls_error err;
    int rc = ls_reader_check(r, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_check: %d %s", rc, err.message);
    uint64_t g;
    ck_assert_uint_eq(doc_count(r, &g), ndocs);
    if (gen)
        ck_assert_uint_eq(g, gen);
    if (ndocs > 0) {
        char uw[8];
        unique_word((size_t)(ndocs / 2), uw);
        ls_hits *h;
        rc = ls_search(r, uw, strlen(uw), NULL, &h, &err);
        ck_assert_msg(rc == LS_OK, "search %s: %d %s", uw, rc, err.message);
        ck_assert_uint_eq(ls_hits_total(h), 1);
        ls_hits_free(h);
    }
    ls_reader_close(r);
}

typedef struct dir_files {
    char **names;
    size_t n;
} dir_files;

static dir_files list_dir(const char *dir)
{
    dir_files f = {NULL, 0};
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        f.names = realloc(f.names, (f.n + 1) * sizeof *f.names);
        ck_assert_ptr_nonnull(f.names);
        f.names[f.n] = strdup(e->d_name);
        ck_assert_ptr_nonnull(f.names[f.n]);
        f.n++;
    }
    closedir(d);
    return f;
}

static void free_dir_files(dir_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Files of one kind: "manifest" (newest first) or a segment extension (".tid", ...). */
static dir_files files_of_kind(const char *dir, const char *kind)
{
    dir_files all = list_dir(dir), out = {NULL, 0};
    for (size_t i = 0; i < all.n; i++) {
        const char *nm = all.names[i];
        int match = strcmp(kind, "manifest") == 0
                        ? strncmp(nm, "manifest-", 9) == 0 && !ends_with(nm, ".tmp")
                        : strncmp(nm, "seg-", 4) == 0 && ends_with(nm, kind);
        if (!match)
            continue;
        out.names = realloc(out.names, (out.n + 1) * sizeof *out.names);
        out.names[out.n++] = strdup(all.names[i]);
    }
    free_dir_files(&all);
    /* newest manifest first (names sort by generation) */
    for (size_t i = 0; i + 1 < out.n; i++)
        for (size_t j = i + 1; j < out.n; j++)
            if (strcmp(out.names[i], out.names[j]) < 0) {
                char *t = out.names[i];
                out.names[i] = out.names[j];
                out.names[j] = t;
            }
    return out;
}

/* Queries that touch every cursor kind and every stored field. */
static const char *const fault_queries[] = {
    "alpha",
    "bravo charlie",
    "\"alpha bravo\"",
    "\"charlie delta echo\"",
    "alp*",
    "ch* OR de*",
    "alpha AND bravo",
    "alpha OR oscar",
    "alpha NOT bravo",
    "alpha -bravo",
    "+alpha +delta",
    "title:golf",
    "body:hotel",
    "title:\"golf hotel\"",
    "body:\"india juliet\"",
    "(alpha OR bravo) AND NOT (charlie OR delta)",
    "-alpha",
    "qzbbbbb",
    "qzcbbbb OR qzdbbbb OR qzfbbbb",
};
#define NQUERIES (sizeof fault_queries / sizeof fault_queries[0])

/* Runs every query (with snippets and explanations) and touches every returned byte. Each
 * must give LS_OK or LS_ECORRUPT with a message naming a file. @return how many failed. */
static int run_queries(const ls_reader *r)
{
    int failed = 0;
    for (size_t q = 0; q < NQUERIES; q++) {
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.limit = 20;
        so.snippets = 1;
        so.explain = (q % 2) == 0;
        ls_hits *h = NULL;
        ls_error err;
        int rc = ls_search(r, fault_queries[q], strlen(fault_queries[q]), &so, &h, &err);
        ck_assert_msg(rc == LS_OK || rc == LS_ECORRUPT, "query '%s': rc %d (%s)",
                      fault_queries[q], rc, err.message);
        if (rc != LS_OK) {
            ck_assert_ptr_null(h);
            ck_assert_int_eq(err.code, rc);
            ck_assert_msg(strstr(err.message, "seg-") != NULL, "query '%s': message '%s'",
                          fault_queries[q], err.message);
            failed++;
            continue;
        }
        ck_assert_uint_le(ls_hits_count(h), 20);
        ck_assert_uint_ge(ls_hits_total(h), ls_hits_count(h));
        volatile size_t sum = 0;
        for (size_t i = 0; i < ls_hits_count(h); i++) {
            const ls_hit *hit = ls_hits_get(h, i);
            ck_assert_ptr_nonnull(hit);
            ck_assert_uint_eq(strlen(hit->id), hit->id_len);
            for (size_t k = 0; k < hit->title_len; k++)
                sum += (unsigned char)hit->title[k];
            for (size_t k = 0; k < hit->path_len; k++)
                sum += (unsigned char)hit->path[k];
            if (hit->snippet != NULL) {
                const ls_snippet *s = hit->snippet;
                for (size_t k = 0; k < s->len; k++)
                    sum += (unsigned char)s->text[k];
                for (size_t k = 0; k < s->n_matches; k++)
                    ck_assert_uint_le(s->matches[k].offset + s->matches[k].length, s->len);
                for (size_t k = 0; k < s->n_fragments; k++)
                    for (size_t j = 0; j < s->fragments[k].len; j++)
                        sum += (unsigned char)s->fragments[k].text[j];
            }
            if (hit->explain != NULL)
                for (size_t k = 0; k < hit->explain->n_terms; k++)
                    sum += strlen(hit->explain->terms[k].term);
        }
        (void)sum;
        ls_hits_free(h);
    }
    return failed;
}

/* ---- damaged files ---------------------------------------------------------------------- */

static const char *const file_kinds[] = {"manifest", ".tid", ".doc", ".pos", ".len", ".fdt"};
#define NKINDS (sizeof file_kinds / sizeof file_kinds[0])

typedef struct damage_stats {
    int open_failed, check_failed, search_failed, fell_back;
} damage_stats;

/* After one damaging change to `name` (a file of kind `kind`): what the reader must do. */
static void probe_damaged(const char *dir, const char *kind, const char *name, int flipped,
                          size_t flip_at, uint64_t ndocs, uint64_t gen, damage_stats *ds)
{
    ls_error err;
    ls_reader *r = NULL;
    int is_manifest = strcmp(kind, "manifest") == 0;
    int rc = ls_reader_open(dir, &r, &err);
    int version_field = flipped && flip_at >= 4 && flip_at < 8;
    if (rc == LS_EFORMAT && version_field && !is_manifest) {
        /* a segment file's crc is not read at open: a damaged version field is read as a
         * newer format. The message must still name the file. */
        ck_assert_msg(strstr(err.message, name) != NULL, "message '%s' lacks %s", err.message,
                      name);
        ds->open_failed++;
        return;
    }
    ck_assert_msg(rc == LS_OK || rc == LS_ECORRUPT, "%s %s at %zu: ls_reader_open gave %d (%s)",
                  name, flipped ? "flipped" : "truncated", flip_at, rc, err.message);
    if (rc != LS_OK) {
        ck_assert_ptr_null(r);
        ck_assert_int_eq(err.code, rc);
        ck_assert_msg(strstr(err.message, name) != NULL, "open error '%s' does not name %s",
                      err.message, name);
        ds->open_failed++;
        return;
    }
    /* ls_reader_stats walks the dictionaries (term and posting counts): a damaged .tid may
     * make it report LS_ECORRUPT, naming the file. */
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    rc = ls_reader_stats(r, &st, &err);
    if (rc != LS_OK) {
        ck_assert_msg(rc == LS_ECORRUPT && strcmp(kind, ".tid") == 0,
                      "%s damaged: ls_reader_stats gave %d (%s)", name, rc, err.message);
        ck_assert_msg(strstr(err.message, name) != NULL, "stats error '%s' does not name %s",
                      err.message, name);
    }
    /* on failure the counts are not promised: take the expected ones */
    uint64_t g = rc == LS_OK ? st.generation : gen;
    uint64_t n = rc == LS_OK ? st.documents : ndocs;
    if (is_manifest) {
        /* a damaged newest manifest is not a commit: the previous one is read, whole */
        ck_assert_msg(g == gen - 1 && n < ndocs, "%s damaged: generation %llu, %llu documents",
                      name, (unsigned long long)g, (unsigned long long)n);
        rc = ls_reader_check(r, &err);
        ck_assert_msg(rc == LS_OK, "check after manifest fallback: %d %s", rc, err.message);
        ds->fell_back++;
    } else {
        ck_assert_uint_eq(n, ndocs);
        ck_assert_uint_eq(g, gen);
        rc = ls_reader_check(r, &err);
        if (flipped) {
            ck_assert_msg(rc == LS_ECORRUPT, "%s flipped at %zu: ls_reader_check gave %d", name,
                          flip_at, rc);
            ck_assert_msg(strstr(err.message, name) != NULL, "check error '%s' does not name %s",
                          err.message, name);
            ds->check_failed++;
        }
    }
    ds->search_failed += run_queries(r);
    ls_reader_close(r);
}

START_TEST(faults_damaged_files_every_kind)
{
    ls_rng r;
    ls_rng_init(&r, 1000);
    size_t ndocs = 400;
    char *dir = build_index(ndocs, 3, 1001);
    uint64_t gen = 3;
    assert_index_fine(dir, ndocs, gen);
    int flips = ls_test_long() ? 60 : 8;
    damage_stats total = {0, 0, 0, 0};
    for (size_t k = 0; k < NKINDS; k++) {
        dir_files fs = files_of_kind(dir, file_kinds[k]);
        ck_assert_msg(fs.n >= (k == 0 ? 2u : 3u), "%zu files of kind %s", fs.n, file_kinds[k]);
        damage_stats ds = {0, 0, 0, 0};
        for (int t = 0; t < 4 + flips; t++) {
            /* the newest manifest; any segment's file */
            const char *name = k == 0 ? fs.names[0] : fs.names[ls_rng_below(&r, (uint32_t)fs.n)];
            char *path = join(dir, name);
            size_t len;
            char *orig = ls_test_read_file(path, &len);
            ck_assert_ptr_nonnull(orig);
            ck_assert_uint_gt(len, LS_HEADER_SIZE + LS_FOOTER_SIZE);
            size_t at = 0;
            if (t < 4) {
                /* empty, header only, half, all but the last byte */
                size_t cut = t == 0 ? 0 : t == 1 ? LS_HEADER_SIZE : t == 2 ? len / 2 : len - 1;
                ck_assert_int_eq(ls_test_write_file(path, orig, cut), 0);
                at = cut;
            } else {
                char *bad = malloc(len);
                ck_assert_ptr_nonnull(bad);
                memcpy(bad, orig, len);
                do {
                    /* half the flips near the ends (frames, trailers, skip tables) */
                    uint32_t where = ls_rng_below(&r, 4);
                    at = where == 0   ? ls_rng_below(&r, (uint32_t)(len < 64 ? len : 64))
                         : where == 1 ? len - 1 - ls_rng_below(&r, (uint32_t)(len < 64 ? len : 64))
                                      : ls_rng_below(&r, (uint32_t)len);
                    /* manifest version-field damage: manifest_damaged_version_falls_back */
                } while (k == 0 && at >= 4 && at < 8);
                bad[at] ^= (char)(1 + ls_rng_below(&r, 255));
                ck_assert_int_eq(ls_test_write_file(path, bad, len), 0);
                free(bad);
            }
            probe_damaged(dir, file_kinds[k], name, t >= 4, at, ndocs, gen, &ds);
            ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
            assert_index_fine(dir, ndocs, gen);
            free(orig);
            free(path);
        }
        /* every truncation of a segment file is found at open */
        if (k > 0)
            ck_assert_int_ge(ds.open_failed, 4);
        else
            ck_assert_int_eq(ds.fell_back, 4 + flips);
        total.open_failed += ds.open_failed;
        total.check_failed += ds.check_failed;
        total.search_failed += ds.search_failed;
        free_dir_files(&fs);
    }
    /* some flips survive open and are caught by check */
    ck_assert_int_gt(total.check_failed, 0);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Flips in the postings, positions and dictionary bodies, many per file, so that decoders
 * see garbage widths, gaps, tfs and offsets (searches only: the checksums would catch them). */
START_TEST(faults_garbage_bodies_searches_survive)
{
    ls_rng r;
    ls_rng_init(&r, 1100);
    size_t ndocs = 300;
    char *dir = build_index(ndocs, 2, 1101);
    int trials = ls_test_long() ? 200 : 25;
    static const char *const kinds[] = {".tid", ".doc", ".pos", ".len", ".fdt"};
    int searched = 0;
    for (int t = 0; t < trials; t++) {
        const char *kind = kinds[t % 5];
        dir_files fs = files_of_kind(dir, kind);
        const char *name = fs.names[ls_rng_below(&r, (uint32_t)fs.n)];
        char *path = join(dir, name);
        size_t len;
        char *orig = ls_test_read_file(path, &len);
        ck_assert_ptr_nonnull(orig);
        char *bad = malloc(len);
        ck_assert_ptr_nonnull(bad);
        memcpy(bad, orig, len);
        /* damage the body only (keep header and footer), 1..16 random bytes */
        size_t body = len - LS_HEADER_SIZE - LS_FOOTER_SIZE;
        for (uint32_t f = 0, nf = 1 + ls_rng_below(&r, 16); f < nf; f++) {
            size_t at = LS_HEADER_SIZE + ls_rng_below(&r, (uint32_t)body);
            bad[at] = (char)ls_rng_next(&r);
        }
        ck_assert_int_eq(ls_test_write_file(path, bad, len), 0);
        ls_error err;
        ls_reader *rd;
        int rc = ls_reader_open(dir, &rd, &err);
        ck_assert_msg(rc == LS_OK || rc == LS_ECORRUPT, "open: %d %s", rc, err.message);
        if (rc == LS_OK) {
            (void)run_queries(rd);
            searched++;
            ls_reader_close(rd);
        }
        ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
        free(bad);
        free(orig);
        free(path);
        free_dir_files(&fs);
    }
    ck_assert_int_gt(searched, 0);
    assert_index_fine(dir, ndocs, 2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Rewrites segment 0's dictionary, postings and positions so that the one term `term` has a
 * single posting (doc 0) with frequency tf but only npos position bytes. Checksums stay valid:
 * only the values are impossible. */
static void write_impossible_segment(const char *dir, const char *term, uint32_t tf,
                                     uint32_t npos)
{
    char *tid = ls_segfile_path(dir, 0, LS_SEGFILE_TID),
         *doc = ls_segfile_path(dir, 0, LS_SEGFILE_DOC), *pos = ls_segfile_path(dir, 0, LS_SEGFILE_POS);
    ck_assert(tid != NULL && doc != NULL && pos != NULL);
    ls_error err;
    ls_fwriter dw, pw, tw;
    ck_assert_int_eq(ls_fwriter_open(&dw, doc, &err), LS_OK);
    ck_assert_int_eq(ls_header_write(&dw, LS_MAGIC_POSTINGS, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_open(&pw, pos, &err), LS_OK);
    ck_assert_int_eq(ls_header_write(&pw, LS_MAGIC_POSITIONS, &err), LS_OK);
    uint32_t docs[1] = {0}, tfs[1] = {tf}, lens[1] = {3};
    uint8_t pbytes[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    uint64_t pos_end[1] = {npos};
    ls_term_input in = {docs, tfs, lens, pbytes, pos_end, 1};
    ls_buf scratch = LS_BUF_INIT;
    ls_term_meta meta;
    ck_assert_int_eq(ls_postings_write(&dw, &pw, &in, &scratch, &meta, &err), LS_OK);
    ls_buf_free(&scratch);
    ck_assert_int_eq(ls_footer_finish(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_footer_finish(&pw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_open(&tw, tid, &err), LS_OK);
    ck_assert_int_eq(ls_header_write(&tw, LS_MAGIC_DICT, &err), LS_OK);
    ls_termdict_writer dict;
    ls_termdict_writer_init(&dict, &tw);
    uint8_t key[64];
    key[0] = 'a';
    memcpy(key + 1, term, strlen(term));
    ck_assert_int_eq(ls_termdict_add(&dict, key, strlen(term) + 1, &meta, &err), LS_OK);
    ck_assert_int_eq(ls_termdict_finish(&dict, &err), LS_OK);
    ck_assert_int_eq(ls_footer_finish(&tw, &err), LS_OK);
    free(tid);
    free(doc);
    free(pos);
}

/* A frequency no positions list can back (4 billion positions in 2 bytes) is corruption:
 * the searches that read positions must say LS_ECORRUPT, without first trying to allocate
 * 16 GiB for the positions. The searches run in a child under an 8 GiB address-space limit
 * (not under ASan, whose shadow memory needs more), so such an allocation fails visibly. */
START_TEST(faults_impossible_frequency_is_corrupt)
{
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "x";
    d.id_len = 1;
    d.body = "zzrepeat zzrepeat";
    d.body_len = strlen(d.body);
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    write_impossible_segment(dir, "zzrepeat", UINT32_MAX, 2);

    ls_reader *r = open_ok(dir);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK); /* the checksums are right */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
        struct rlimit rl = {(rlim_t)8 << 30, (rlim_t)8 << 30};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(90);
#endif
        static const char *const qs[] = {"body:zzrepeat", "\"zzrepeat zzrepeat\""};
        for (int i = 0; i < 2; i++) {
            ls_hits *h = NULL;
            ls_error e;
            int rc = ls_search(r, qs[i], strlen(qs[i]), NULL, &h, &e);
            ls_hits_free(h);
            if (rc != LS_ECORRUPT)
                _exit(10 * (i + 1) + (rc == LS_ENOMEM ? 1 : rc == LS_OK ? 2 : 3));
            if (strstr(e.message, "seg-") == NULL)
                _exit(50 + i);
        }
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "search child died (signal %d)",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    int code = WEXITSTATUS(status);
    ck_assert_msg(code == 0,
                  "tf 4294967295 with 2 position bytes: query %d gave %s (want LS_ECORRUPT "
                  "naming the file; child code %d)",
                  code / 10, code % 10 == 1 ? "LS_ENOMEM" : code % 10 == 2 ? "LS_OK" : "other",
                  code);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_newer_format_version)
{
    char *dir = build_index(120, 2, 1200);
    ls_error err;
    ls_reader *r;
    for (size_t k = 0; k < NKINDS; k++) {
        dir_files fs = files_of_kind(dir, file_kinds[k]);
        char *path = join(dir, fs.names[0]);
        size_t len;
        char *orig = ls_test_read_file(path, &len);
        ck_assert_ptr_nonnull(orig);
        char *newer = malloc(len);
        ck_assert_ptr_nonnull(newer);
        memcpy(newer, orig, len);
        /* a well-formed file of the next format version: good checksum */
        ls_put_u32le((uint8_t *)newer + 4, LS_FORMAT_VERSION + 1);
        ls_put_u32le((uint8_t *)newer + len - 4, ls_crc32(0, newer, len - 4));
        ck_assert_int_eq(ls_test_write_file(path, newer, len), 0);
        r = NULL;
        int rc = ls_reader_open(dir, &r, &err);
        ck_assert_msg(rc == LS_EFORMAT, "%s of version %u: ls_reader_open gave %d (%s)",
                      fs.names[0], LS_FORMAT_VERSION + 1, rc, err.message);
        ck_assert_ptr_null(r);
        ck_assert_int_eq(err.code, LS_EFORMAT);
        ck_assert_msg(strstr(err.message, fs.names[0]) != NULL, "message '%s'", err.message);
        if (k == 0) {
            /* a writer must not write over an index it cannot read */
            ls_writer *w = NULL;
            rc = ls_writer_open(dir, NULL, &w, &err);
            ck_assert_int_eq(rc, LS_EFORMAT);
            ck_assert_ptr_null(w);
        }
        ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
        assert_index_fine(dir, 120, 2);
        free(newer);
        free(orig);
        free(path);
        free_dir_files(&fs);
    }
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_missing_and_foreign_directories)
{
    ls_error err;
    ls_reader *r = (ls_reader *)1;
    char *base = ls_test_tmpdir();
    char *missing = join(base, "no-such-index");
    int rc = ls_reader_open(missing, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.code, LS_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "no-such-index") != NULL, "message '%s'", err.message);

    /* an empty directory */
    r = (ls_reader *)1;
    rc = ls_reader_open(base, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert(strlen(err.message) > 0);

    /* a directory holding something else */
    char *other = join(base, "notes.txt");
    ck_assert_int_eq(ls_test_write_file(other, "not an index\n", 13), 0);
    char *sub = join(base, "manifest-dir");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    rc = ls_reader_open(base, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert(strlen(err.message) > 0);

    /* a regular file where the directory should be */
    rc = ls_reader_open(other, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert(strlen(err.message) > 0);

    /* bad arguments */
    ck_assert_int_eq(ls_reader_open("", &r, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_open(NULL, &r, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_check(NULL, &err), LS_EINVAL);
    ls_reader_close(NULL);
    ls_writer_close(NULL);
    ls_hits_free(NULL);

    /* the library never created anything there */
    struct stat st;
    ck_assert_int_ne(stat(missing, &st), 0);
    free(missing);
    free(other);
    free(sub);
    ls_test_rmtree(base);
    free(base);
}
END_TEST

START_TEST(faults_segment_file_deleted)
{
    char *dir = build_index(200, 2, 1300);
    static const char *const exts[] = {".tid", ".doc", ".pos", ".len", ".fdt"};
    for (size_t k = 0; k < 5; k++) {
        dir_files fs = files_of_kind(dir, exts[k]);
        const char *name = fs.names[fs.n - 1];
        char *path = join(dir, name);
        char *aside = join(dir, "aside.bak");
        ck_assert_int_eq(rename(path, aside), 0);
        ls_error err;
        ls_reader *r = (ls_reader *)1;
        int rc = ls_reader_open(dir, &r, &err);
        ck_assert_msg(rc == LS_ECORRUPT, "%s deleted: %d %s", name, rc, err.message);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(err.message, name) != NULL, "message '%s' does not name %s",
                      err.message, name);
        ck_assert_int_eq(rename(aside, path), 0);
        assert_index_fine(dir, 200, 2);
        free(aside);
        free(path);
        free_dir_files(&fs);
    }
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- the writer lock and uncommitted writers -------------------------------------------- */

START_TEST(faults_writer_lock)
{
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w1, *w2 = (ls_writer *)1;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w1, &err), LS_OK);
    int rc = ls_writer_open(dir, NULL, &w2, &err);
    ck_assert_int_eq(rc, LS_ELOCKED);
    ck_assert_ptr_null(w2);
    ck_assert_int_eq(err.code, LS_ELOCKED);
    ck_assert(strlen(err.message) > 0);

    /* another process is refused too */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ls_writer *w;
        int crc = ls_writer_open(dir, NULL, &w, NULL);
        _exit(crc == LS_ELOCKED ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* readers are not blocked by the writer */
    ls_rng r;
    ls_rng_init(&r, 1400);
    for (size_t i = 0; i < 5; i++)
        add_doc(w1, &r, i);
    ck_assert_int_eq(ls_writer_commit(w1, &err), LS_OK);
    assert_index_fine(dir, 5, 1);

    ls_writer_close(w1);
    rc = ls_writer_open(dir, NULL, &w2, &err);
    ck_assert_msg(rc == LS_OK, "after close: %d %s", rc, err.message);
    ls_writer_close(w2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Every seg-* file belongs to a segment the newest manifest names; no temporaries. */
static void assert_no_orphans(const char *dir)
{
    ls_manifest m;
    ls_error err;
    ck_assert_int_eq(ls_manifest_load(dir, &m, &err), LS_OK);
    dir_files all = list_dir(dir);
    for (size_t i = 0; i < all.n; i++) {
        const char *s = all.names[i];
        ck_assert_msg(!ends_with(s, ".tmp"), "temporary file %s left", s);
        unsigned id;
        if (sscanf(s, "seg-%10u.", &id) != 1)
            continue;
        int named = 0;
        for (uint32_t k = 0; k < m.nsegs; k++)
            named |= m.segs[k].id == id;
        ck_assert_msg(named, "orphan segment file %s", s);
    }
    free_dir_files(&all);
    ls_manifest_free(&m);
}

static size_t count_seg_files(const char *dir)
{
    dir_files all = list_dir(dir);
    size_t n = 0;
    for (size_t i = 0; i < all.n; i++)
        n += strncmp(all.names[i], "seg-", 4) == 0;
    free_dir_files(&all);
    return n;
}

START_TEST(faults_close_without_commit)
{
    ls_rng r;
    ls_rng_init(&r, 1500);
    char *dir = build_index(100, 1, 1501);
    size_t before = count_seg_files(dir);
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024; /* segments get written before the close */
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    for (size_t i = 100; i < 400; i++)
        add_doc(w, &r, i);
    ck_assert_uint_gt(count_seg_files(dir), before);
    ls_writer_close(w);
    ck_assert_uint_eq(count_seg_files(dir), before);
    assert_index_fine(dir, 100, 1);
    ls_reader *rd = open_ok(dir);
    char uw[8];
    unique_word(250, uw);
    ls_hits *h;
    ck_assert_int_eq(ls_search(rd, uw, strlen(uw), NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 0);
    ls_hits_free(h);
    ls_reader_close(rd);
    assert_no_orphans(dir);

    /* a writer process that dies without commit or close leaves files behind; the next
     * writer removes them */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ls_writer *cw;
        if (ls_writer_open(dir, &wo, &cw, NULL) != LS_OK)
            _exit(1);
        for (size_t i = 100; i < 400; i++) {
            char body[64];
            int bl = snprintf(body, sizeof body, "crashed document %zu alpha", i);
            ls_document d = LS_DOCUMENT_INIT;
            d.body = body;
            d.body_len = (size_t)bl;
            if (ls_writer_add(cw, &d, NULL) != LS_OK)
                _exit(2);
        }
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_uint_gt(count_seg_files(dir), before);
    assert_index_fine(dir, 100, 1);
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_writer_close(w);
    ck_assert_uint_eq(count_seg_files(dir), before);
    assert_no_orphans(dir);
    assert_index_fine(dir, 100, 1);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- SIGKILL during commits ------------------------------------------------------------- */

/* The child: batches of documents, each committed. Before a commit it writes "A count\n"
 * (about to commit) and after it "D count\n" (done). */
static void commit_loop_child(const char *dir, int fd, uint64_t start, uint64_t seed)
{
    ls_rng r;
    ls_rng_init(&r, seed);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024;
    ls_writer *w;
    if (ls_writer_open(dir, &wo, &w, NULL) != LS_OK)
        _exit(3);
    uint64_t count = start;
    char line[64];
    for (;;) {
        size_t batch = 1 + ls_rng_below(&r, 60);
        for (size_t i = 0; i < batch; i++) {
            char body[256], uw[8];
            unique_word((size_t)(count + i), uw);
            int bl = snprintf(body, sizeof body, "%s %s %s batch", uw, vocab[i % NVOCAB],
                              vocab[(i * 7) % NVOCAB]);
            ls_document d = LS_DOCUMENT_INIT;
            d.body = body;
            d.body_len = (size_t)bl;
            if (ls_writer_add(w, &d, NULL) != LS_OK)
                _exit(4);
        }
        count += batch;
        int n = snprintf(line, sizeof line, "A %llu\n", (unsigned long long)count);
        if (write(fd, line, (size_t)n) != n)
            _exit(5);
        if (ls_writer_commit(w, NULL) != LS_OK)
            _exit(6);
        n = snprintf(line, sizeof line, "D %llu\n", (unsigned long long)count);
        if (write(fd, line, (size_t)n) != n)
            _exit(5);
    }
}

START_TEST(faults_sigkill_during_commits)
{
    ls_rng r;
    ls_rng_init(&r, 1600);
    char *dir = ls_test_tmpdir();
    uint64_t committed = 0;
    int trials = ls_test_long() ? 30 : 8;
    for (int t = 0; t < trials; t++) {
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            commit_loop_child(dir, fds[1], committed, 1600 + (uint64_t)t);
        }
        close(fds[1]);
        /* 5..400 ms: several commits happen, the kill lands anywhere in one */
        struct timespec ts = {0, (long)(5 + ls_rng_below(&r, 395)) * 1000000L};
        nanosleep(&ts, NULL);
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status), "child exited by itself with %d",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        /* read what the child reported */
        char buf[1 << 16];
        size_t got = 0;
        ssize_t k;
        while (got < sizeof buf - 1 && (k = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
            got += (size_t)k;
        buf[got] = '\0';
        close(fds[0]);
        uint64_t done = committed, announced = committed;
        int pending = 0;
        for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            unsigned long long v;
            char c;
            if (sscanf(line, "%c %llu", &c, &v) != 2)
                continue; /* a torn last line cannot happen (short pipe writes are atomic) */
            if (c == 'A') {
                announced = v;
                pending = 1;
            } else if (c == 'D') {
                done = v;
                pending = 0;
            }
        }
        ls_error err;
        ls_reader *rd = NULL;
        int rc = ls_reader_open(dir, &rd, &err);
        if (done == 0 && rc == LS_ENOTFOUND) {
            /* killed before the first commit ever landed */
            ck_assert_ptr_null(rd);
        } else {
            ck_assert_msg(rc == LS_OK, "trial %d: open after kill: %d %s", t, rc, err.message);
            uint64_t n = doc_count(rd, NULL);
            ck_assert_msg(n == done || (pending && n == announced),
                          "trial %d: %llu documents; last commit done %llu, in flight %llu", t,
                          (unsigned long long)n, (unsigned long long)done,
                          pending ? (unsigned long long)announced : 0ull);
            rc = ls_reader_check(rd, &err);
            ck_assert_msg(rc == LS_OK, "trial %d: check after kill: %d %s", t, rc, err.message);
            if (n > 0) {
                char uw[8];
                unique_word((size_t)(n - 1), uw);
                ls_hits *h;
                ck_assert_int_eq(ls_search(rd, uw, strlen(uw), NULL, &h, &err), LS_OK);
                ck_assert_uint_eq(ls_hits_total(h), 1);
                ls_hits_free(h);
            }
            committed = n;
            ls_reader_close(rd);
        }
        /* a new writer opens, cleans up and commits */
        ls_writer *w;
        rc = ls_writer_open(dir, NULL, &w, &err);
        ck_assert_msg(rc == LS_OK, "trial %d: writer after kill: %d %s", t, rc, err.message);
        char body[64], uw[8];
        unique_word((size_t)committed, uw);
        int bl = snprintf(body, sizeof body, "%s after the crash", uw);
        ls_document d = LS_DOCUMENT_INIT;
        d.body = body;
        d.body_len = (size_t)bl;
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
        committed++;
        assert_no_orphans(dir);
        ls_reader *rd2 = open_ok(dir);
        ck_assert_uint_eq(doc_count(rd2, NULL), committed);
        ck_assert_int_eq(ls_reader_check(rd2, &err), LS_OK);
        ls_reader_close(rd2);
    }
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- allocation failures ---------------------------------------------------------------- */

#define ALLOC_CAP 3000

/* The next n to try: every n in long mode; otherwise every n up to 64, then sparser. */
static long next_n(long n, int cheap)
{
    if (cheap || ls_test_long())
        return n + 1;
    return n + 1 + n / 24;
}

static void assert_enomem(int rc, const ls_error *err, const char *what, long n)
{
    ck_assert_msg(rc == LS_ENOMEM, "%s with allocation %ld failing: %d (%s)", what, n, rc,
                  err->message);
    ck_assert_msg(err->code == LS_ENOMEM && strlen(err->message) > 0,
                  "%s with allocation %ld failing: LS_ENOMEM returned but the error says %d '%s'",
                  what, n, err->code, err->message);
}

START_TEST(faults_alloc_writer)
{
    ls_rng r;
    ls_rng_init(&r, 1700);
    char *dir = build_index(60, 1, 1701);
    uint64_t ndocs = 60, gen = 1;
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    ls_writer *w;
    int rc;

    /* ls_writer_open */
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        w = (ls_writer *)1;
        ls_alloc_fail_after(n);
        rc = ls_writer_open(dir, &wo, &w, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ls_writer_close(w);
            break;
        }
        assert_enomem(rc, &err, "ls_writer_open", n);
        ck_assert_ptr_null(w);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_open never succeeded (n %ld)", n);
    assert_index_fine(dir, ndocs, gen);

    /* ls_writer_add, with a budget small enough that some adds write a segment */
    wo.ram_budget = 96 * 1024;
    size_t nadd = 40;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
        int failed = 0;
        for (size_t i = 0; i < nadd && !failed; i++) {
            ls_alloc_fail_after(n);
            char body[128], uw[8];
            unique_word(1000 + i, uw);
            int bl = snprintf(body, sizeof body, "%s alpha bravo %s charlie %zu", uw,
                              vocab[i % NVOCAB], i);
            ls_document d = LS_DOCUMENT_INIT;
            d.id = uw;
            d.id_len = strlen(uw);
            d.body = body;
            d.body_len = (size_t)bl;
            rc = ls_writer_add(w, &d, &err);
            ls_alloc_fail_after(-1);
            if (rc != LS_OK) {
                assert_enomem(rc, &err, "ls_writer_add", n);
                failed = 1;
                /* the writer refuses more work */
                ck_assert_int_eq(ls_writer_commit(w, &err), LS_EINVAL);
            }
        }
        ls_writer_close(w); /* discards everything */
        assert_index_fine(dir, ndocs, gen);
        if (!failed)
            break;
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_add never succeeded (n %ld)", n);
    assert_no_orphans(dir);

    /* ls_writer_add that writes a segment (a 1-byte budget flushes on every add) */
    wo.ram_budget = 1;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
        ls_alloc_fail_after(n);
        ls_document d = LS_DOCUMENT_INIT;
        d.body = "flushed alpha bravo";
        d.body_len = strlen(d.body);
        rc = ls_writer_add(w, &d, &err);
        ls_alloc_fail_after(-1);
        ls_writer_close(w);
        assert_index_fine(dir, ndocs, gen);
        if (rc == LS_OK) {
            assert_no_orphans(dir);
            break;
        }
        assert_enomem(rc, &err, "ls_writer_add (flushing)", n);
        /* cleanup after the failure may itself have failed for want of memory: the next
         * writer removes what is left */
        ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
        ls_writer_close(w);
        assert_no_orphans(dir);
    }
    ck_assert_msg(n > 15 && n < ALLOC_CAP, "flushing ls_writer_add: n %ld", n);

    /* ls_writer_commit: a failed commit leaves the previous one */
    wo.ram_budget = 0;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 0)) {
        ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
        for (size_t i = 0; i < 5; i++)
            add_doc(w, &r, (size_t)ndocs + i);
        ls_alloc_fail_after(n);
        rc = ls_writer_commit(w, &err);
        ls_alloc_fail_after(-1);
        ls_writer_close(w);
        if (rc == LS_OK) {
            ndocs += 5;
            gen++;
            assert_index_fine(dir, ndocs, gen);
            break;
        }
        assert_enomem(rc, &err, "ls_writer_commit", n);
        assert_index_fine(dir, ndocs, gen);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_writer_commit never succeeded (n %ld)", n);
    assert_no_orphans(dir);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_alloc_reader_and_search)
{
    char *dir = build_index(300, 3, 1800);
    ls_error err;
    ls_reader *r;
    int rc;
    long n;
    for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
        r = (ls_reader *)1;
        ls_alloc_fail_after(n);
        rc = ls_reader_open(dir, &r, &err);
        ls_alloc_fail_after(-1);
        if (rc == LS_OK) {
            ls_reader_close(r);
            break;
        }
        assert_enomem(rc, &err, "ls_reader_open", n);
        ck_assert_ptr_null(r);
    }
    ck_assert_msg(n > 0 && n < ALLOC_CAP, "ls_reader_open never succeeded (n %ld)", n);

    r = open_ok(dir);
    /* a few of every kind, with snippets and explanations */
    static const size_t picks[] = {0, 2, 4, 5, 7, 8, 13, 15, 16, 18};
    for (size_t p = 0; p < sizeof picks / sizeof picks[0]; p++) {
        const char *q = fault_queries[picks[p]];
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.limit = 8;
        so.snippets = 1;
        so.explain = 1;
        ls_hits *h;
        ck_assert_int_eq(ls_search(r, q, strlen(q), &so, &h, &err), LS_OK);
        uint64_t want = ls_hits_total(h);
        ls_hits_free(h);
        for (n = 0; n < ALLOC_CAP; n = next_n(n, 1)) {
            h = (ls_hits *)1;
            ls_alloc_fail_after(n);
            rc = ls_search(r, q, strlen(q), &so, &h, &err);
            ls_alloc_fail_after(-1);
            if (rc == LS_OK) {
                ck_assert_uint_eq(ls_hits_total(h), want);
                ls_hits_free(h);
                break;
            }
            assert_enomem(rc, &err, q, n);
            ck_assert_ptr_null(h);
        }
        ck_assert_msg(n > 0 && n < ALLOC_CAP, "'%s' never succeeded (n %ld)", q, n);
    }
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- hostile documents ------------------------------------------------------------------ */

START_TEST(faults_bad_utf8_and_empty_documents)
{
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    /* invalid bytes: stray continuation, truncated sequences, overlong, surrogate, > U+10FFFF,
     * a NUL, and a sequence cut by the end of the field */
    static const char bad[] = "\x80\xbf zzvalidone \xc3 caf\xc3\xa9 \xe2\x82 \xc0\xaf \xed\xa0\x80 "
                              "\xf4\x90\x80\x80 mid\xffword \x00 zzvalidtwo \xf0\x9f\x98";
    static const char bad_title[] = "\xfe\xff title\xc3";
    struct {
        const char *id, *title, *body;
        size_t title_len, body_len;
    } docs[] = {
        {"bad-utf8", bad_title, bad, sizeof bad_title - 1, sizeof bad - 1},
        {"all-null", NULL, NULL, 0, 0},
        {"all-empty", "", "", 0, 0},
        {"only-invalid", "\xff\xfe", "\x80\x81\x82\xc3", 2, 4},
        {"only-punct", "...", " ,;:!? \t\n ", 3, 11},
        {"", "zzemptyid", NULL, 9, 0},
    };
    size_t nd = sizeof docs / sizeof docs[0];
    for (size_t i = 0; i < nd; i++) {
        ls_document d = LS_DOCUMENT_INIT;
        d.id = docs[i].id;
        d.id_len = strlen(docs[i].id);
        d.title = docs[i].title;
        d.title_len = docs[i].title_len;
        d.body = docs[i].body;
        d.body_len = docs[i].body_len;
        int rc = ls_writer_add(w, &d, &err);
        ck_assert_msg(rc == LS_OK, "add %s: %d %s", docs[i].id, rc, err.message);
    }
    /* a NULL id is an empty id; a bad version is refused */
    ls_document d = LS_DOCUMENT_INIT;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    d.version = 0;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_add(w, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);

    ls_reader *r = open_ok(dir);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ck_assert_uint_eq(doc_count(r, NULL), nd + 1);
    static const char *const finds[] = {"zzvalidone", "zzvalidtwo", "café", "mid", "word"};
    for (size_t i = 0; i < sizeof finds / sizeof finds[0]; i++) {
        ls_hits *h;
        int rc = ls_search(r, finds[i], strlen(finds[i]), NULL, &h, &err);
        ck_assert_msg(rc == LS_OK, "%s: %d %s", finds[i], rc, err.message);
        ck_assert_msg(ls_hits_total(h) == 1, "%s: %llu hits", finds[i],
                      (unsigned long long)ls_hits_total(h));
        const ls_hit *hit = ls_hits_get(h, 0);
        ck_assert_str_eq(hit->id, "bad-utf8");
        ck_assert_uint_eq(hit->title_len, sizeof bad_title - 1);
        ck_assert(memcmp(hit->title, bad_title, hit->title_len) == 0);
        const ls_snippet *s = hit->snippet;
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_le(s->field_offset + s->len, sizeof bad - 1);
        ck_assert(memcmp(s->text, bad + s->field_offset, s->len) == 0);
        ck_assert_uint_ge(s->n_matches, 1);
        for (size_t k = 0; k < s->n_matches; k++)
            ck_assert_uint_le(s->matches[k].offset + s->matches[k].length, s->len);
        ls_hits_free(h);
    }
    /* the title-only document */
    ls_hits *h;
    ck_assert_int_eq(ls_search(r, "zzemptyid", 9, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "");
    ck_assert_ptr_nonnull(ls_hits_get(h, 0)->snippet);
    ck_assert_int_eq(ls_hits_get(h, 0)->snippet->field, LS_FIELD_TITLE);
    ls_hits_free(h);
    /* every document, empty ones included, through a pure negation */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = 100;
    ck_assert_int_eq(ls_search(r, "-qqqqqq", 7, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), nd + 1);
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        ck_assert_ptr_nonnull(hit->id);
        ck_assert_ptr_nonnull(hit->title);
        ck_assert_ptr_nonnull(hit->path);
        ck_assert_uint_eq(hit->path_len, 0);
        ck_assert_ptr_nonnull(hit->snippet);
        ck_assert_uint_le(hit->snippet->len, sizeof bad);
    }
    ls_hits_free(h);
    /* queries with invalid bytes are words separated by garbage, not errors */
    static const char badq[] = "\xff zzvalidone \xc3";
    ck_assert_int_eq(ls_search(r, badq, sizeof badq - 1, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ls_hits_free(h);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_huge_document)
{
    const size_t target = (size_t)100 << 20;
    static const char marker[] = "zzmiddlemarker";
    char *body = malloc(target + 64);
    ck_assert_ptr_nonnull(body);
    ls_rng r;
    ls_rng_init(&r, 1900);
    size_t len = 0, mid_at = 0;
    int placed = 0;
    while (len < target) {
        const char *wd;
        if (!placed && len >= target / 2) {
            wd = marker;
            mid_at = len;
            placed = 1;
        } else {
            wd = vocab[ls_rng_below(&r, NVOCAB)];
        }
        size_t wl = strlen(wd);
        memcpy(body + len, wd, wl);
        len += wl;
        body[len++] = ls_rng_below(&r, 16) ? ' ' : '\n';
    }
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "huge";
    d.id_len = 4;
    d.title = "A very large document";
    d.title_len = strlen(d.title);
    d.body = body;
    d.body_len = len;
    int rc = ls_writer_add(w, &d, &err);
    ck_assert_msg(rc == LS_OK, "add 100 MB: %d %s", rc, err.message);
    ls_document small = LS_DOCUMENT_INIT;
    small.id = "small";
    small.id_len = 5;
    small.body = "alpha and a zzsmallmarker";
    small.body_len = strlen(small.body);
    ck_assert_int_eq(ls_writer_add(w, &small, &err), LS_OK);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
    ls_writer_close(w);

    ls_reader *rd = open_ok(dir);
    ck_assert_uint_eq(doc_count(rd, NULL), 2);
    ls_hits *h;
    rc = ls_search(rd, marker, strlen(marker), NULL, &h, &err);
    ck_assert_msg(rc == LS_OK, "search: %d %s", rc, err.message);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    const ls_hit *hit = ls_hits_get(h, 0);
    ck_assert_str_eq(hit->id, "huge");
    const ls_snippet *s = hit->snippet;
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->field, LS_FIELD_BODY);
    ck_assert_uint_gt(s->len, strlen(marker));
    ck_assert_uint_le(s->len, 512);
    ck_assert_uint_eq(strlen(s->text), s->len);
    ck_assert_uint_le(s->field_offset + s->len, len);
    ck_assert(memcmp(s->text, body + s->field_offset, s->len) == 0);
    ck_assert_uint_le(s->field_offset, mid_at);
    ck_assert_uint_ge(s->field_offset + s->len, mid_at + strlen(marker));
    ck_assert_uint_ge(s->n_matches, 1);
    ck_assert(!s->starts_field && !s->ends_field);
    ls_hits_free(h);
    /* both documents, without snippets (each would re-read the 100 MB) */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.snippets = 0;
    ck_assert_int_eq(ls_search(rd, "zzsmallmarker OR alpha", 22, &so, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 2);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "small"); /* it has both words */
    ls_hits_free(h);
    ck_assert_int_eq(ls_reader_check(rd, &err), LS_OK);
    ls_reader_close(rd);
    free(body);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- hostile queries and options -------------------------------------------------------- */

typedef struct bad_query {
    const char *q;
    size_t position; /* SIZE_MAX: anywhere inside the query */
} bad_query;

START_TEST(faults_bad_queries)
{
    char *dir = build_index(50, 1, 2000);
    ls_reader *r = open_ok(dir);
    static const bad_query bad[] = {
        {"", 0},
        {"   ", SIZE_MAX},
        {"\"alpha bravo", 0},
        {"alpha \"bravo", 6},
        {"(alpha", 0},
        {"alpha)", 5},
        {"((alpha OR bravo)", SIZE_MAX},
        {"nosuchfield:alpha", 0},
        {"alpha AND", SIZE_MAX},
        {"AND alpha", 0},
        {"OR", 0},
        {"NOT", 0},
        {"alpha OR OR bravo", SIZE_MAX},
        {"()", 0},
        {"title:", 0},
        {"+", SIZE_MAX},
        {"-", SIZE_MAX},
        {"\"\"", SIZE_MAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *q = bad[i].q;
        size_t ql = strlen(q);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        ls_hits *h = (ls_hits *)1;
        ls_error err;
        int rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_EQUERY, "strict '%s': %d", q, rc);
        ck_assert_ptr_null(h);
        ck_assert_int_eq(err.code, LS_EQUERY);
        ck_assert_msg(strlen(err.message) > 0, "strict '%s': empty message", q);
        ck_assert_msg(err.position != (size_t)-1 && err.position <= ql,
                      "strict '%s': position %zu", q, err.position);
        if (bad[i].position != SIZE_MAX)
            ck_assert_msg(err.position == bad[i].position, "strict '%s': position %zu, want %zu",
                          q, err.position, bad[i].position);
        so.syntax = LS_SYNTAX_LENIENT;
        rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK, "lenient '%s': %d %s", q, rc, err.message);
        ls_hits_free(h);
        so.syntax = LS_SYNTAX_PLAIN;
        rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK, "plain '%s': %d %s", q, rc, err.message);
        ls_hits_free(h);
    }
    /* lenient still finds what the words say */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.syntax = LS_SYNTAX_LENIENT;
    ls_hits *h, *h2;
    ls_error err;
    ck_assert_int_eq(ls_search(r, "(alpha", 6, &so, &h, &err), LS_OK);
    ck_assert_int_eq(ls_search(r, "alpha", 5, NULL, &h2, &err), LS_OK);
    ck_assert_uint_gt(ls_hits_total(h), 0);
    ck_assert_uint_eq(ls_hits_total(h), ls_hits_total(h2));
    ls_hits_free(h);
    ls_hits_free(h2);

    /* random byte soup in every syntax: never a crash, only LS_OK / LS_EQUERY */
    ls_rng rng;
    ls_rng_init(&rng, 2001);
    static const char alphabet[] = "ab \"()*:+-ANDORTtitlebody\\\xff\xc3";
    int iters = ls_test_long() ? 20000 : 2000;
    for (int t = 0; t < iters; t++) {
        char q[48];
        size_t ql = ls_rng_below(&rng, sizeof q);
        for (size_t k = 0; k < ql; k++)
            q[k] = alphabet[ls_rng_below(&rng, sizeof alphabet - 1)];
        so.syntax = (int)ls_rng_below(&rng, 3);
        int rc = ls_search(r, q, ql, &so, &h, &err);
        ck_assert_msg(rc == LS_OK || (rc == LS_EQUERY && so.syntax == LS_SYNTAX_STRICT),
                      "syntax %d query '%.*s': %d %s", so.syntax, (int)ql, q, rc, err.message);
        if (rc == LS_EQUERY)
            ck_assert(err.position <= ql);
        ls_hits_free(h);
    }
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_bad_search_options)
{
    char *dir = build_index(20, 1, 2100);
    ls_reader *r = open_ok(dir);
    ls_error err;
    ls_hits *h;
    for (int t = 0; t < 8; t++) {
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        switch (t) {
        case 0: so.version = 0; break;
        case 1: so.version = LS_SEARCH_OPTIONS_VERSION + 1; break;
        case 2: so.b = 2; break;
        case 3: so.b = -0.25; break;
        case 4: so.k1 = -1; break;
        case 5: so.k1 = NAN; break;
        case 6: so.syntax = 7; break;
        default: so.syntax = -1; break;
        }
        h = (ls_hits *)1;
        int rc = ls_search(r, "alpha", 5, &so, &h, &err);
        ck_assert_msg(rc == LS_EINVAL, "options case %d: %d", t, rc);
        ck_assert_ptr_null(h);
        ck_assert_int_eq(err.code, LS_EINVAL);
        ck_assert(strlen(err.message) > 0);
    }
    /* the edges of the valid ranges are fine */
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.k1 = 0;
    so.b = 0;
    ck_assert_int_eq(ls_search(r, "alpha", 5, &so, &h, &err), LS_OK);
    ls_hits_free(h);
    so.b = 1;
    ck_assert_int_eq(ls_search(r, "alpha", 5, &so, &h, &err), LS_OK);
    ls_hits_free(h);
    /* NULL arguments */
    ck_assert_int_eq(ls_search(NULL, "alpha", 5, NULL, &h, &err), LS_EINVAL);
    ck_assert_int_eq(ls_search(r, NULL, 5, NULL, &h, &err), LS_EINVAL);
    ck_assert_int_eq(ls_search(r, "alpha", 5, NULL, NULL, &err), LS_EINVAL);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.version = 0;
    ls_writer *w = (ls_writer *)1;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_EINVAL);
    ck_assert_ptr_null(w);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_faults(void)
{
    Suite *s = suite_create("faults");
    int lng = ls_test_long();
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, lng ? 900 : 120);
    tcase_add_test(files, faults_damaged_files_every_kind);
    tcase_add_test(files, faults_garbage_bodies_searches_survive);
    tcase_add_test(files, faults_impossible_frequency_is_corrupt);
    tcase_add_test(files, faults_newer_format_version);
    tcase_add_test(files, faults_missing_and_foreign_directories);
    tcase_add_test(files, faults_segment_file_deleted);
    suite_add_tcase(s, files);

    TCase *writer = tcase_create("writer");
    tcase_set_timeout(writer, lng ? 900 : 120);
    tcase_add_test(writer, faults_writer_lock);
    tcase_add_test(writer, faults_close_without_commit);
    tcase_add_test(writer, faults_sigkill_during_commits);
    suite_add_tcase(s, writer);

    TCase *alloc = tcase_create("alloc");
    tcase_set_timeout(alloc, lng ? 900 : 120);
    tcase_add_test(alloc, faults_alloc_writer);
    tcase_add_test(alloc, faults_alloc_reader_and_search);
    suite_add_tcase(s, alloc);

    TCase *input = tcase_create("input");
    tcase_set_timeout(input, lng ? 900 : 120);
    tcase_add_test(input, faults_bad_utf8_and_empty_documents);
    tcase_add_test(input, faults_bad_queries);
    tcase_add_test(input, faults_bad_search_options);
    suite_add_tcase(s, input);

    TCase *huge = tcase_create("huge");
    tcase_set_timeout(huge, 120 * (lng ? 3 : 1));
    tcase_add_test(huge, faults_huge_document);
    suite_add_tcase(s, huge);
    return s;
}
