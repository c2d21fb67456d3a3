/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c - bad input never crashes, never damages the index, always gives a clear error:
 * truncated and flipped bytes in every file kind (the six segment files, deletions files,
 * manifests), newer and older format versions, missing and foreign directories, deleted
 * segment files, the writer lock, uncommitted writers, SIGKILL during commits (fork),
 * impossible values behind valid checksums. Hostile documents, queries and options:
 * test_faults_input.c; allocation failures: test_faults_alloc.c; the kill campaign and
 * injected write failures: test_crash.c. The asan build (make asan) turns
 * "never crashes" into "never reads out of bounds and never leaks".
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultutil.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/postings.h"
#include "format/termdict.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/buf.h"

/* ---- damaged files ---------------------------------------------------------------------- */

static const char *const file_kinds[] = {"manifest", ".tid", ".doc", ".pos",
                                         ".len",     ".fdt", ".ids", ".del"};
#define NKINDS (sizeof file_kinds / sizeof file_kinds[0])

typedef struct damage_stats {
    int open_failed, check_failed, search_failed, recovered;
} damage_stats;

/* The index whose newest manifest `name` (generation gen) is damaged: opening says so, naming
 * it; a recovering open reads the commit before, whole (prev_ndocs documents), and says which
 * generation it skipped; the check reports the damaged manifest. */
static void probe_damaged_manifest(const char *dir, const char *name, uint64_t gen,
                                   uint64_t prev_ndocs, damage_stats *ds)
{
    ls_error err;
    ls_reader *r = (ls_reader *)1;
    int rc = ls_reader_open(dir, &r, &err);
    ck_assert_msg(rc == LS_ECORRUPT, "%s damaged: ls_reader_open gave %d (%s)", name, rc,
                  err.message);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.code, LS_ECORRUPT);
    ck_assert_msg(strstr(err.message, name) != NULL, "open error '%s' does not name %s",
                  err.message, name);
    ls_open_options oo = LS_OPEN_OPTIONS_INIT;
    oo.recover = 1;
    rc = ls_reader_open_opts(dir, &oo, &r, &err);
    ck_assert_msg(rc == LS_OK, "%s damaged: recovering open gave %d (%s)", name, rc, err.message);
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_OK);
    ck_assert_msg(st.generation == gen - 1 && st.documents == prev_ndocs &&
                      st.skipped_generation == gen,
                  "%s damaged, recovered: generation %llu, %llu documents, skipped %llu", name,
                  (unsigned long long)st.generation, (unsigned long long)st.documents,
                  (unsigned long long)st.skipped_generation);
    ck_assert_uint_eq(ls_ft_id_count(r), prev_ndocs);
    rc = ls_reader_check(r, &err);
    ck_assert_msg(rc == LS_ECORRUPT && strstr(err.message, name) != NULL,
                  "check with %s damaged: %d '%s'", name, rc, err.message);
    ck_assert_int_eq(ls_ft_run_queries(r), 0);
    ls_reader_close(r);
    ds->recovered++;
}

/* After one damaging change to `name` (a segment or deletions file of kind `kind`): what the
 * reader must do. */
static void probe_damaged(const char *dir, const char *kind, const char *name, int flipped,
                          size_t flip_at, uint64_t ndocs, uint64_t gen, damage_stats *ds)
{
    ls_error err;
    ls_reader *r = NULL;
    int rc = ls_reader_open(dir, &r, &err);
    int version_field = flipped && flip_at >= 4 && flip_at < 8;
    if (rc == LS_EFORMAT && version_field) {
        /* a segment file's crc is not read at open: a damaged version field is read as
         * another format. The message must still name the file. */
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
    } else {
        /* the counts come from the manifest, which is intact */
        ck_assert_uint_eq(st.documents, ndocs);
        ck_assert_uint_eq(st.generation, gen);
    }
    rc = ls_reader_check(r, &err);
    if (flipped) {
        ck_assert_msg(rc == LS_ECORRUPT, "%s flipped at %zu: ls_reader_check gave %d", name,
                      flip_at, rc);
        ck_assert_msg(strstr(err.message, name) != NULL, "check error '%s' does not name %s",
                      err.message, name);
        ds->check_failed++;
    }
    ds->search_failed += ls_ft_run_queries(r);
    ls_reader_close(r);
}

/* Damages path (a copy of orig, len bytes) in trial t: t < 4 truncates (empty, header only,
 * half, all but the last byte), then flips a random byte, half of them near the ends
 * (frames, trailers, skip tables). *at: where. @return nonzero when flipped. */
static int damage_file(const char *path, const char *orig, size_t len, int t, ls_rng *r, size_t *at)
{
    if (t < 4) {
        size_t cut = t == 0 ? 0 : t == 1 ? LS_HEADER_SIZE : t == 2 ? len / 2 : len - 1;
        ck_assert_int_eq(ls_test_write_file(path, orig, cut), 0);
        *at = cut;
        return 0;
    }
    char *bad = malloc(len);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, orig, len);
    uint32_t where = ls_rng_below(r, 4), near = (uint32_t)(len < 64 ? len : 64);
    *at = where == 0   ? ls_rng_below(r, near)
          : where == 1 ? len - 1 - ls_rng_below(r, near)
                       : ls_rng_below(r, (uint32_t)len);
    bad[*at] ^= (char)(1 + ls_rng_below(r, 255));
    ck_assert_int_eq(ls_test_write_file(path, bad, len), 0);
    free(bad);
    return 1;
}

START_TEST(faults_damaged_files_every_kind)
{
    ls_rng r;
    ls_rng_init(&r, 1000);
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(400, 3, 1001, &ndocs);
    uint64_t gen = 4;
    ls_ft_assert_index_fine(dir, ndocs, gen);
    int flips = ls_test_long() ? 60 : 8;
    damage_stats total = {0, 0, 0, 0};
    for (size_t k = 0; k < NKINDS; k++) {
        ls_ft_files fs = ls_ft_files_of_kind(dir, file_kinds[k]);
        /* two manifests (the last commit and the one kept before it); four segments; the
         * deletion commit wrote a deletions file for each of the first three */
        ck_assert_msg(fs.n >= (k == 0 ? 2u : 3u), "%zu files of kind %s", fs.n, file_kinds[k]);
        damage_stats ds = {0, 0, 0, 0};
        for (int t = 0; t < 4 + flips; t++) {
            /* the newest manifest; any segment's file */
            const char *name = k == 0 ? fs.names[0] : fs.names[ls_rng_below(&r, (uint32_t)fs.n)];
            char *path = ls_ft_join(dir, name);
            size_t len, at;
            char *orig = ls_test_read_file(path, &len);
            ck_assert_ptr_nonnull(orig);
            ck_assert_uint_gt(len, LS_HEADER_SIZE + LS_FOOTER_SIZE);
            int flipped = damage_file(path, orig, len, t, &r, &at);
            if (k == 0)
                probe_damaged_manifest(dir, name, gen, 400, &ds);
            else
                probe_damaged(dir, file_kinds[k], name, flipped, at, ndocs, gen, &ds);
            ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
            ls_ft_assert_index_fine(dir, ndocs, gen);
            free(orig);
            free(path);
        }
        /* every truncation of a segment file is found at open; every damaged manifest is
         * reported and recovered from */
        if (k > 0)
            ck_assert_int_ge(ds.open_failed, 4);
        else
            ck_assert_int_eq(ds.recovered, 4 + flips);
        total.open_failed += ds.open_failed;
        total.check_failed += ds.check_failed;
        total.search_failed += ds.search_failed;
        ls_ft_files_free(&fs);
    }
    /* some flips survive open and are caught by check, and some by searches */
    ck_assert_int_gt(total.check_failed, 0);
    ck_assert_int_gt(total.search_failed, 0);
    ls_ft_assert_no_orphans(dir);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Flips in the bodies of every segment file kind, many per file, so that decoders see garbage
 * widths, gaps, tfs, offsets and ids: page and block checks must turn each into LS_ECORRUPT. */
START_TEST(faults_garbage_bodies_searches_survive)
{
    ls_rng r;
    ls_rng_init(&r, 1100);
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(300, 2, 1101, &ndocs);
    int trials = ls_test_long() ? 280 : 35;
    static const char *const kinds[] = {".tid", ".doc", ".pos", ".len", ".fdt", ".ids", ".del"};
    int searched = 0, failed = 0;
    for (int t = 0; t < trials; t++) {
        const char *kind = kinds[t % 7];
        ls_ft_files fs = ls_ft_files_of_kind(dir, kind);
        ck_assert_uint_gt(fs.n, 0);
        const char *name = fs.names[ls_rng_below(&r, (uint32_t)fs.n)];
        char *path = ls_ft_join(dir, name);
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
            failed += ls_ft_run_queries(rd);
            searched++;
            ls_reader_close(rd);
        }
        ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
        free(bad);
        free(orig);
        free(path);
        ls_ft_files_free(&fs);
    }
    ck_assert_int_gt(searched, 0);
    ck_assert_int_gt(failed, 0);
    ls_ft_assert_index_fine(dir, ndocs, 3);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* Rewrites segment 0's dictionary, postings and positions so that the one term `term` has a
 * single posting (doc 0) with frequency tf but only npos position bytes. Checksums (file,
 * page and block checks) stay valid: only the values are impossible. */
static void write_impossible_segment(const char *dir, const char *term, uint32_t tf, uint32_t npos,
                                     uint32_t doc_len)
{
    char *tid = ls_segfile_path(dir, 0, LS_SEGFILE_TID),
         *doc = ls_segfile_path(dir, 0, LS_SEGFILE_DOC),
         *pos = ls_segfile_path(dir, 0, LS_SEGFILE_POS);
    ck_assert(tid != NULL && doc != NULL && pos != NULL);
    ls_error err;
    /* The new files keep the segment's tag (format/fileheader.h), read off the old one. */
    ls_ifile old;
    ck_assert_int_eq(ls_ifile_open(&old, tid, LS_MAGIC_DICT, &err), LS_OK);
    uint64_t tag = old.tag;
    ls_ifile_close(&old);
    ls_fwriter dw, pw, tw;
    ck_assert_int_eq(ls_fwriter_open(&dw, doc, &err), LS_OK);
    dw.tag = tag;
    ck_assert_int_eq(ls_header_write(&dw, LS_MAGIC_POSTINGS, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_begin_pages(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_open(&pw, pos, &err), LS_OK);
    pw.tag = tag;
    ck_assert_int_eq(ls_header_write(&pw, LS_MAGIC_POSITIONS, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_begin_pages(&pw, &err), LS_OK);
    uint32_t docs[1] = {0}, tfs[1] = {tf}, lens[1] = {doc_len};
    uint8_t pbytes[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    uint64_t pos_end[1] = {npos};
    ls_term_input in = {docs, tfs, lens, pbytes, pos_end, 1};
    ls_buf scratch = LS_BUF_INIT;
    ls_term_meta meta;
    ck_assert_int_eq(ls_postings_write(&dw, &pw, &in, &scratch, &meta, &err), LS_OK);
    ls_buf_free(&scratch);
    ck_assert_int_eq(ls_fwriter_end_pages(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_end_pages(&pw, &err), LS_OK);
    ck_assert_int_eq(ls_footer_finish(&dw, &err), LS_OK);
    ck_assert_int_eq(ls_footer_finish(&pw, &err), LS_OK);
    ck_assert_int_eq(ls_fwriter_open(&tw, tid, &err), LS_OK);
    tw.tag = tag;
    ck_assert_int_eq(ls_header_write(&tw, LS_MAGIC_DICT, &err), LS_OK);
    ls_termdict_writer dict;
    ck_assert_int_eq(ls_termdict_writer_init(&dict, &tw), LS_OK);
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
 * the searches that read positions, and the deep check, must say LS_ECORRUPT, without first
 * trying to allocate 16 GiB for the positions. They run in a child under an 8 GiB
 * address-space limit (not under ASan, whose shadow memory needs more), so such an
 * allocation fails visibly. */
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
    write_impossible_segment(dir, "zzrepeat", UINT32_MAX, 2, 2);

    ls_reader *r = ls_ft_open_ok(dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
        struct rlimit rl = {(rlim_t)8 << 30, (rlim_t)8 << 30};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            ls_test_child_exit(90);
#endif
        static const char *const qs[] = {"body:zzrepeat", "\"zzrepeat zzrepeat\""};
        for (int i = 0; i < 3; i++) {
            ls_hits *h = NULL;
            ls_error e;
            int rc =
                i < 2 ? ls_search(r, qs[i], strlen(qs[i]), NULL, &h, &e) : ls_reader_check(r, &e);
            ls_hits_free(h);
            if (rc != LS_ECORRUPT)
                ls_test_child_exit(10 * (i + 1) + (rc == LS_ENOMEM ? 1 : rc == LS_OK ? 2 : 3));
            if (strstr(e.message, "seg-") == NULL)
                ls_test_child_exit(50 + i);
        }
        ls_test_child_exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "search child died (signal %d)",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    int code = WEXITSTATUS(status);
    static const char *const what[] = {"", "body:zzrepeat", "the phrase", "ls_reader_check"};
    ck_assert_msg(code == 0,
                  "tf 4294967295 with 2 position bytes: %s gave %s (want LS_ECORRUPT naming "
                  "the file; child code %d)",
                  code / 10 <= 3 ? what[code / 10] : "?",
                  code % 10 == 1   ? "LS_ENOMEM"
                  : code % 10 == 2 ? "LS_OK"
                                   : "other",
                  code);
    ls_reader_close(r);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* One file of every kind in a well-formed version other than ours (newer, or the old format
 * 1): LS_EFORMAT naming the file, never garbage, for readers (recovering too) and writers;
 * the old version's message says to re-index. */
START_TEST(faults_other_format_version)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(120, 2, 1200, &ndocs);
    ls_error err;
    static const uint32_t versions[] = {LS_FORMAT_VERSION + 1, 1};
    for (size_t k = 0; k < NKINDS; k++) {
        ls_ft_files fs = ls_ft_files_of_kind(dir, file_kinds[k]);
        ck_assert_uint_gt(fs.n, 0);
        const char *name = fs.names[0];
        char *path = ls_ft_join(dir, name);
        size_t len;
        char *orig = ls_test_read_file(path, &len);
        ck_assert_ptr_nonnull(orig);
        for (size_t v = 0; v < 2; v++) {
            ls_ft_set_version(path, versions[v]);
            for (int recover = 0; recover < 2; recover++) {
                ls_open_options oo = LS_OPEN_OPTIONS_INIT;
                oo.recover = recover;
                ls_reader *r = (ls_reader *)1;
                int rc = ls_reader_open_opts(dir, &oo, &r, &err);
                ck_assert_msg(rc == LS_EFORMAT, "%s of version %u (recover %d): open gave %d (%s)",
                              name, versions[v], recover, rc, err.message);
                ck_assert_ptr_null(r);
                ck_assert_int_eq(err.code, LS_EFORMAT);
                ck_assert_msg(strstr(err.message, name) != NULL, "message '%s'", err.message);
                if (versions[v] == 1)
                    ck_assert_msg(strstr(err.message, "re-index") != NULL,
                                  "version 1: message '%s' does not say to re-index", err.message);
            }
            /* a writer must not write over an index it cannot read */
            ls_writer *w = (ls_writer *)1;
            int rc = ls_writer_open(dir, NULL, &w, &err);
            ck_assert_msg(rc == LS_EFORMAT, "%s of version %u: ls_writer_open gave %d (%s)", name,
                          versions[v], rc, err.message);
            ck_assert_ptr_null(w);
            ck_assert_msg(strstr(err.message, name) != NULL, "message '%s'", err.message);
        }
        ck_assert_int_eq(ls_test_write_file(path, orig, len), 0);
        ls_ft_assert_index_fine(dir, ndocs, 3);
        free(orig);
        free(path);
        ls_ft_files_free(&fs);
    }
    ls_ft_assert_no_orphans(dir);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* A whole index of format version 1: nothing opens it, every message says to re-index, and
 * the writer that refused it changed nothing. */
START_TEST(faults_version1_index_says_reindex)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(80, 2, 1250, &ndocs);
    ls_ft_files all = ls_ft_list_dir(dir);
    size_t nfiles = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (strcmp(all.names[i], "LOCK") == 0)
            continue;
        char *path = ls_ft_join(dir, all.names[i]);
        ls_ft_set_version(path, 1);
        free(path);
        nfiles++;
    }
    ck_assert_uint_ge(nfiles, 12);
    ls_error err;
    ls_reader *r = (ls_reader *)1;
    int rc = ls_reader_open(dir, &r, &err);
    ck_assert_msg(rc == LS_EFORMAT && strstr(err.message, "re-index") != NULL,
                  "version 1 index: ls_reader_open gave %d '%s'", rc, err.message);
    ck_assert_ptr_null(r);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    for (int recover = 0; recover < 2; recover++) {
        ls_writer *w = (ls_writer *)1;
        wo.recover = recover;
        rc = ls_writer_open(dir, &wo, &w, &err);
        ck_assert_msg(rc == LS_EFORMAT && strstr(err.message, "re-index") != NULL,
                      "version 1 index (recover %d): ls_writer_open gave %d '%s'", recover, rc,
                      err.message);
        ck_assert_ptr_null(w);
    }
    ls_ft_files now = ls_ft_list_dir(dir);
    ck_assert_uint_eq(now.n, all.n);
    ls_ft_files_free(&now);
    ls_ft_files_free(&all);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_missing_and_foreign_directories)
{
    ls_error err;
    ls_reader *r = (ls_reader *)1;
    char *base = ls_test_tmpdir();
    char *missing = ls_ft_join(base, "no-such-index");
    int rc = ls_reader_open(missing, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.code, LS_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "no-such-index") != NULL, "message '%s'", err.message);
    ls_open_options oo = LS_OPEN_OPTIONS_INIT;
    oo.recover = 1;
    ck_assert_int_eq(ls_reader_open_opts(missing, &oo, &r, &err), LS_ENOTFOUND);

    /* an empty directory */
    r = (ls_reader *)1;
    rc = ls_reader_open(base, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert(strlen(err.message) > 0);

    /* a directory holding something else */
    char *other = ls_ft_join(base, "notes.txt");
    ck_assert_int_eq(ls_test_write_file(other, "not an index\n", 13), 0);
    char *sub = ls_ft_join(base, "manifest-dir");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    rc = ls_reader_open(base, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert(strlen(err.message) > 0);

    /* a regular file where the directory should be, for readers and writers */
    rc = ls_reader_open(other, &r, &err);
    ck_assert_int_eq(rc, LS_ENOTFOUND);
    ck_assert(strlen(err.message) > 0);
    ls_writer *w = (ls_writer *)1;
    rc = ls_writer_open(other, NULL, &w, &err);
    ck_assert_msg(rc == LS_EINVAL && strstr(err.message, "notes.txt") != NULL,
                  "writer on a file: %d '%s'", rc, err.message);
    ck_assert_ptr_null(w);
    /* a writer whose parent directory is missing */
    char *deep = ls_ft_join(missing, "sub");
    rc = ls_writer_open(deep, NULL, &w, &err);
    ck_assert_msg((rc == LS_ENOTFOUND || rc == LS_EIO) && strstr(err.message, "no-such-index"),
                  "writer under a missing directory: %d '%s'", rc, err.message);
    ck_assert_ptr_null(w);

    /* bad arguments */
    ck_assert_int_eq(ls_reader_open("", &r, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_open(NULL, &r, &err), LS_EINVAL);
    oo.version = LS_OPEN_OPTIONS_VERSION + 1;
    ck_assert_int_eq(ls_reader_open_opts(base, &oo, &r, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_check(NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_reader_reopen(NULL, &r, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_open("", NULL, &w, &err), LS_EINVAL);
    ls_reader_close(NULL);
    ls_writer_close(NULL);
    ls_hits_free(NULL);

    /* the library never created anything there */
    struct stat st;
    ck_assert_int_ne(stat(missing, &st), 0);
    free(deep);
    free(missing);
    free(other);
    free(sub);
    ls_test_rmtree(base);
    free(base);
}
END_TEST

/* A file the last commit needs is gone: readers and writers say LS_ECORRUPT naming it (not
 * LS_ENOTFOUND, which would read as "no index"), and nothing is written meanwhile.
 * Regression: the message was built from the error buffer it was written into and came out as
 * " (the commit needs it)", naming no file. The codes are checked for every kind first; the
 * messages at the end. */
START_TEST(faults_segment_file_deleted)
{
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(200, 2, 1300, &ndocs);
    static const char *const exts[] = {".tid", ".doc", ".pos", ".len", ".fdt", ".ids", ".del"};
    char unnamed[1024] = "";
    size_t ul = 0;
    for (size_t k = 0; k < sizeof exts / sizeof exts[0]; k++) {
        ls_ft_files fs = ls_ft_files_of_kind(dir, exts[k]);
        ck_assert_uint_gt(fs.n, 0);
        const char *name = fs.names[fs.n - 1];
        char *path = ls_ft_join(dir, name);
        char *aside = ls_ft_join(dir, "aside.bak");
        ck_assert_int_eq(rename(path, aside), 0);
        ls_error err;
        ls_reader *r = (ls_reader *)1;
        int rc = ls_reader_open(dir, &r, &err);
        ck_assert_msg(rc == LS_ECORRUPT, "%s deleted: %d %s", name, rc, err.message);
        ck_assert_ptr_null(r);
        if (strstr(err.message, name) == NULL && ul < sizeof unnamed - 200)
            ul += (size_t)snprintf(unnamed + ul, sizeof unnamed - ul, "\n  reader, %s: '%s'", name,
                                   err.message);
        ls_writer *w = (ls_writer *)1;
        rc = ls_writer_open(dir, NULL, &w, &err);
        ck_assert_msg(rc == LS_ECORRUPT, "%s deleted: ls_writer_open gave %d '%s'", name, rc,
                      err.message);
        ck_assert_ptr_null(w);
        if (strstr(err.message, name) == NULL && ul < sizeof unnamed - 200)
            ul += (size_t)snprintf(unnamed + ul, sizeof unnamed - ul, "\n  writer, %s: '%s'", name,
                                   err.message);
        ck_assert_int_eq(rename(aside, path), 0);
        ls_ft_assert_index_fine(dir, ndocs, 3);
        free(aside);
        free(path);
        ls_ft_files_free(&fs);
    }
    ck_assert_msg(ul == 0, "messages that do not name the missing file:%s",
                  unnamed);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- damaged manifests and writers -------------------------------------------------------- */

/* While the last commit's manifest is damaged: writers refuse the index unless told to
 * recover; a recovering writer removes no segment file and its commit supersedes the damaged
 * one; readers opened before keep working and cannot reopen onto the damage; once the damaged
 * manifest is gone the next writer removes what only it named. */
START_TEST(faults_damaged_manifest_writer)
{
    ls_rng rng;
    ls_rng_init(&rng, 1350);
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(200, 2, 1351, &ndocs); /* generation 3 */
    ls_reader *before = ls_ft_open_ok(dir);
    ls_ft_files ms = ls_ft_files_of_kind(dir, "manifest");
    ck_assert_uint_ge(ms.n, 2);
    char *mpath = ls_ft_join(dir, ms.names[0]);
    size_t mlen;
    char *morig = ls_test_read_file(mpath, &mlen);
    ck_assert_ptr_nonnull(morig);
    morig[mlen / 2] ^= 0x20;
    ck_assert_int_eq(ls_test_write_file(mpath, morig, mlen), 0);
    size_t nseg = ls_ft_count_seg_files(dir);

    ls_error err;
    ls_writer *w = (ls_writer *)1;
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_ECORRUPT && strstr(err.message, ms.names[0]) != NULL,
                  "damaged manifest: ls_writer_open gave %d '%s'", rc, err.message);
    ck_assert_ptr_null(w);
    ls_reader *again = (ls_reader *)1;
    rc = ls_reader_reopen(before, &again, &err);
    ck_assert_msg(rc == LS_OK || rc == LS_ECORRUPT, "reopen: %d %s", rc, err.message);
    if (rc == LS_OK) /* nothing newer that loads: the same snapshot */
        ck_assert_ptr_null(again);
    ck_assert_uint_eq(ls_ft_doc_count(before, NULL), ndocs); /* still searchable */
    ck_assert_int_eq(ls_ft_run_queries(before), 0);
    ls_reader_close(before);

    /* a recovering writer: nothing removed at open, nor at close */
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.recover = 1;
    rc = ls_writer_open(dir, &wo, &w, &err);
    ck_assert_msg(rc == LS_OK, "recovering ls_writer_open: %d %s", rc, err.message);
    ls_writer_close(w);
    ck_assert_uint_eq(ls_ft_count_seg_files(dir), nseg);
    /* it commits on top of generation 2 (200 documents): generation 4 */
    rc = ls_writer_open(dir, &wo, &w, &err);
    ck_assert_int_eq(rc, LS_OK);
    ls_ft_add_doc(w, &rng, 200, 0);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "commit over a damaged manifest: %d %s", rc, err.message);
    ls_writer_close(w);
    ck_assert_uint_ge(ls_ft_count_seg_files(dir), nseg);
    ls_reader *r = ls_ft_open_ok(dir);
    uint64_t gen;
    ck_assert_uint_eq(ls_ft_doc_count(r, &gen), 201);
    ck_assert_uint_eq(gen, 4);
    rc = ls_reader_check(r, &err); /* the damaged manifest is still there: said so */
    ck_assert_msg(rc == LS_ECORRUPT && strstr(err.message, ms.names[0]) != NULL, "check: %d '%s'",
                  rc, err.message);
    ck_assert_int_eq(ls_ft_run_queries(r), 0);
    ls_reader_close(r);

    /* the damaged manifest goes: the index checks clean, and the next writer cleans up */
    ck_assert_int_eq(unlink(mpath), 0);
    ls_ft_assert_index_fine(dir, 201, 4);
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_writer_close(w);
    ls_ft_assert_no_orphans(dir);
    ls_ft_assert_index_fine(dir, 201, 4);
    free(morig);
    free(mpath);
    ls_ft_files_free(&ms);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- the writer lock and uncommitted writers -------------------------------------------- */

static void assert_locked_by(int rc, const ls_error *err, const char *dir, long pid)
{
    char want[4200];
    snprintf(want, sizeof want, "index '%s' is locked by pid %ld (another writer)", dir, pid);
    ck_assert_int_eq(rc, LS_ELOCKED);
    ck_assert_int_eq(err->code, LS_ELOCKED);
    ck_assert_msg(strcmp(err->message, want) == 0, "lock message '%s', want '%s'", err->message,
                  want);
}

START_TEST(faults_writer_lock)
{
    char *dir = ls_test_tmpdir();
    ls_error err;
    ls_writer *w1, *w2 = (ls_writer *)1;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w1, &err), LS_OK);
    int rc = ls_writer_open(dir, NULL, &w2, &err);
    assert_locked_by(rc, &err, dir, (long)getpid());
    ck_assert_ptr_null(w2);

    /* another process is refused too, and told our pid; and the other way round */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ls_writer *w;
        ls_error e;
        int crc = ls_writer_open(dir, NULL, &w, &e);
        char msg[LS_ERROR_MESSAGE_SIZE + 16];
        int n = snprintf(msg, sizeof msg, "%d %s", crc, e.message);
        ls_test_child_exit(write(fds[1], msg, (size_t)n) == n ? 0 : 1);
    }
    close(fds[1]);
    char got[LS_ERROR_MESSAGE_SIZE + 16] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0 && n > 0);
    got[n] = '\0';
    ls_error child = {0, 0, ""};
    char *sp = strchr(got, ' ');
    ck_assert_ptr_nonnull(sp);
    child.code = atoi(got);
    snprintf(child.message, sizeof child.message, "%s", sp + 1);
    assert_locked_by(child.code, &child, dir, (long)getpid());

    /* readers are not blocked by the writer */
    ls_rng r;
    ls_rng_init(&r, 1400);
    for (size_t i = 0; i < 5; i++)
        ls_ft_add_doc(w1, &r, i, 0);
    ck_assert_int_eq(ls_writer_commit(w1, &err), LS_OK);
    ls_ft_assert_index_fine(dir, 5, 1);

    ls_writer_close(w1);
    rc = ls_writer_open(dir, NULL, &w2, &err);
    ck_assert_msg(rc == LS_OK, "after close: %d %s", rc, err.message);
    ls_writer_close(w2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(faults_close_without_commit)
{
    ls_rng r;
    ls_rng_init(&r, 1500);
    uint64_t ndocs;
    char *dir = ls_ft_build_index_del(100, 1, 1501, &ndocs); /* generation 2 */
    size_t before = ls_ft_count_seg_files(dir);
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024; /* segments get written before the close */
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    for (size_t i = 100; i < 400; i++)
        ls_ft_add_doc(w, &r, i, 0);
    /* replacements and deletions of committed documents are discarded too */
    for (size_t i = 0; i < 100; i += 10) {
        char id[32];
        snprintf(id, sizeof id, "doc-%zu", i + 1);
        ck_assert_int_eq(ls_writer_delete(w, id, strlen(id), &err), LS_OK);
        ls_ft_add_doc(w, &r, i, 1);
    }
    uint64_t count = 0;
    ck_assert_int_eq(ls_writer_delete_prefix(w, "doc-2", 5, &count, &err), LS_OK);
    ck_assert_uint_gt(count, 10);
    ck_assert_uint_gt(ls_ft_count_seg_files(dir), before);
    ls_writer_close(w);
    ck_assert_uint_eq(ls_ft_count_seg_files(dir), before);
    ls_ft_assert_index_fine(dir, ndocs, 2);
    ls_reader *rd = ls_ft_open_ok(dir);
    char uw[8];
    ls_ft_unique_word(250, uw);
    ls_hits *h;
    ck_assert_int_eq(ls_search(rd, uw, strlen(uw), NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 0);
    ls_hits_free(h);
    ls_ft_unique_word(20, uw); /* replaced, uncommitted: the old version */
    ck_assert_int_eq(ls_search(rd, uw, strlen(uw), NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 1);
    ck_assert_ptr_null(strstr(ls_hits_get(h, 0)->title, "replaced"));
    ls_hits_free(h);
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ck_assert_int_eq(ls_reader_get(rd, "doc-21", 6, &info, &err), LS_OK);
    ls_reader_close(rd);
    ls_ft_assert_no_orphans(dir);

    /* a writer process that dies without commit or close leaves files behind; the next
     * writer removes them */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ls_writer *cw;
        if (ls_writer_open(dir, &wo, &cw, NULL) != LS_OK)
            ls_test_child_exit(1);
        for (size_t i = 100; i < 400; i++) {
            char body[64], id[32];
            int bl = snprintf(body, sizeof body, "crashed document %zu alpha", i);
            snprintf(id, sizeof id, "crashed-%zu", i);
            ls_document d = LS_DOCUMENT_INIT;
            d.id = id;
            d.id_len = strlen(id);
            d.body = body;
            d.body_len = (size_t)bl;
            if (ls_writer_add(cw, &d, NULL) != LS_OK)
                ls_test_child_exit(2);
        }
        if (ls_writer_delete(cw, "doc-0", 5, NULL) != LS_OK)
            ls_test_child_exit(3);
        ls_test_child_exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_uint_gt(ls_ft_count_seg_files(dir), before);
    ls_ft_assert_index_fine(dir, ndocs, 2);
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    ls_writer_close(w);
    ck_assert_uint_eq(ls_ft_count_seg_files(dir), before);
    ls_ft_assert_no_orphans(dir);
    ls_ft_assert_index_fine(dir, ndocs, 2);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- SIGKILL during commits ------------------------------------------------------------- */

/* The child: batches of new documents (ids "k-<n>"), each committed. Before a commit it writes
 * "A count\n" (about to commit) and after it "D count\n" (done). test_crash.c kills writers
 * that also replace, delete and merge. */
static void commit_loop_child(const char *dir, int fd, uint64_t start, uint64_t seed)
{
    ls_rng r;
    ls_rng_init(&r, seed);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 128 * 1024;
    ls_writer *w;
    if (ls_writer_open(dir, &wo, &w, NULL) != LS_OK)
        ls_test_child_exit(3);
    uint64_t count = start;
    char line[64];
    for (;;) {
        size_t batch = 1 + ls_rng_below(&r, 60);
        for (size_t i = 0; i < batch; i++) {
            char body[256], uw[8], id[32];
            ls_ft_unique_word((size_t)(count + i), uw);
            int bl = snprintf(body, sizeof body, "%s %s %s batch", uw,
                              ls_ft_vocab[i % LS_FT_NVOCAB], ls_ft_vocab[(i * 7) % LS_FT_NVOCAB]);
            int il = snprintf(id, sizeof id, "k-%llu", (unsigned long long)(count + i));
            ls_document d = LS_DOCUMENT_INIT;
            d.id = id;
            d.id_len = (size_t)il;
            d.body = body;
            d.body_len = (size_t)bl;
            if (ls_writer_add(w, &d, NULL) != LS_OK)
                ls_test_child_exit(4);
        }
        count += batch;
        int n = snprintf(line, sizeof line, "A %llu\n", (unsigned long long)count);
        if (write(fd, line, (size_t)n) != n)
            ls_test_child_exit(5);
        if (ls_writer_commit(w, NULL) != LS_OK)
            ls_test_child_exit(6);
        n = snprintf(line, sizeof line, "D %llu\n", (unsigned long long)count);
        if (write(fd, line, (size_t)n) != n)
            ls_test_child_exit(5);
    }
}

/* Reads what a killed child reported: the last count done and the last one announced. */
static void read_reports(int fd, uint64_t *done, uint64_t *announced, int *pending)
{
    char buf[1 << 16];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof buf - 1 && (k = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)k;
    buf[got] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long v;
        char c;
        if (sscanf(line, "%c %llu", &c, &v) != 2)
            continue; /* a torn last line cannot happen (short pipe writes are atomic) */
        if (c == 'A') {
            *announced = v;
            *pending = 1;
        } else if (c == 'D') {
            *done = v;
            *pending = 0;
        }
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
        uint64_t done = committed, announced = committed;
        int pending = 0;
        read_reports(fds[0], &done, &announced, &pending);
        close(fds[0]);
        ls_error err;
        ls_reader *rd = NULL;
        int rc = ls_reader_open(dir, &rd, &err);
        if (done == 0 && rc == LS_ENOTFOUND) {
            /* killed before the first commit ever landed */
            ck_assert_ptr_null(rd);
        } else {
            ck_assert_msg(rc == LS_OK, "trial %d: open after kill: %d %s", t, rc, err.message);
            uint64_t n = ls_ft_doc_count(rd, NULL);
            ck_assert_msg(n == done || (pending && n == announced),
                          "trial %d: %llu documents; last commit done %llu, in flight %llu", t,
                          (unsigned long long)n, (unsigned long long)done,
                          pending ? (unsigned long long)announced : 0ull);
            ck_assert_uint_eq(ls_ft_id_count(rd), n);
            rc = ls_reader_check(rd, &err);
            ck_assert_msg(rc == LS_OK, "trial %d: check after kill: %d %s", t, rc, err.message);
            if (n > 0) {
                char uw[8];
                ls_ft_unique_word((size_t)(n - 1), uw);
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
        char body[64], uw[8], id[32];
        ls_ft_unique_word((size_t)committed, uw);
        int bl = snprintf(body, sizeof body, "%s after the crash", uw);
        int il = snprintf(id, sizeof id, "k-%llu", (unsigned long long)committed);
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = (size_t)il;
        d.body = body;
        d.body_len = (size_t)bl;
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
        committed++;
        ls_ft_assert_no_orphans(dir);
        ls_reader *rd2 = ls_ft_open_ok(dir);
        ck_assert_uint_eq(ls_ft_doc_count(rd2, NULL), committed);
        ck_assert_int_eq(ls_reader_check(rd2, &err), LS_OK);
        ls_reader_close(rd2);
    }
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
    tcase_add_test(files, faults_other_format_version);
    tcase_add_test(files, faults_version1_index_says_reindex);
    tcase_add_test(files, faults_missing_and_foreign_directories);
    tcase_add_test(files, faults_segment_file_deleted);
    suite_add_tcase(s, files);

    TCase *writer = tcase_create("writer");
    tcase_set_timeout(writer, lng ? 900 : 120);
    tcase_add_test(writer, faults_damaged_manifest_writer);
    tcase_add_test(writer, faults_writer_lock);
    tcase_add_test(writer, faults_close_without_commit);
    tcase_add_test(writer, faults_sigkill_during_commits);
    suite_add_tcase(s, writer);

    suite_add_tcase(s, ls_ft_alloc_tcase());

    suite_add_tcase(s, ls_ft_input_tcase());
    suite_add_tcase(s, ls_ft_huge_tcase());
    return s;
}
