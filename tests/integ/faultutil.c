/* SPDX-License-Identifier: MIT */
/*
 * faultutil.c - indexes of known content, directory listings and exact content checks for
 * the fault and crash suites (see faultutil.h).
 */
#include "faultutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/crc.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/manifest.h"
#include "util/buf.h"

const char *const ls_ft_vocab[] = {"alpha",   "bravo", "charlie", "delta",    "echo",
                                   "foxtrot", "golf",  "hotel",   "india",    "juliet",
                                   "kilo",    "lima",  "mike",    "november", "oscar"};

char *ls_ft_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static const char consonants[] = "bcdfghjkmnpqrtvwxz"; /* 18 */

void ls_ft_unique_word(size_t i, char out[8])
{
    out[0] = 'q';
    out[1] = 'z';
    for (int k = 0; k < 5; k++) {
        out[2 + k] = consonants[i % 18];
        i /= 18;
    }
    out[7] = '\0';
}

void ls_ft_add_doc(ls_writer *w, ls_rng *r, size_t i, int replaced)
{
    char body[1024], title[160], id[32], path[64], uw[8];
    ls_ft_unique_word(i, uw);
    size_t bl = 0, tl = 0;
    size_t nw = 3 + ls_rng_below(r, 40), at = ls_rng_below(r, (uint32_t)nw);
    for (size_t k = 0; k < nw; k++)
        bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", k ? " " : "",
                               k == at ? uw : ls_ft_vocab[ls_rng_below(r, LS_FT_NVOCAB)]);
    if (replaced)
        tl = (size_t)snprintf(title, sizeof title, "replaced");
    for (size_t k = 0, nt = 1 + ls_rng_below(r, 4); k < nt; k++)
        tl += (size_t)snprintf(title + tl, sizeof title - tl, "%s%s", tl ? " " : "",
                               ls_ft_vocab[ls_rng_below(r, LS_FT_NVOCAB)]);
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
    d.stamp = replaced ? "v2" : "v1";
    d.stamp_len = 2;
    ls_error err;
    int rc = ls_writer_add(w, &d, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_add %zu: %d %s", i, rc, err.message);
}

void ls_ft_add_and_commit(const char *dir, ls_rng *r, size_t from, size_t to, size_t budget)
{
    ls_error err;
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = budget;
    ls_writer *w;
    int rc = ls_writer_open(dir, &wo, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (size_t i = from; i < to; i++)
        ls_ft_add_doc(w, r, i, 0);
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
    ls_writer_close(w);
}

char *ls_ft_build_index(size_t n, size_t commits, uint64_t stream)
{
    ls_rng r;
    ls_rng_init(&r, stream);
    char *dir = ls_test_tmpdir();
    /* a budget large enough that each session writes one segment */
    for (size_t c = 0; c < commits; c++)
        ls_ft_add_and_commit(dir, &r, c * n / commits, (c + 1) * n / commits, 64u << 20);
    return dir;
}

char *ls_ft_build_index_del(size_t n, size_t commits, uint64_t stream, uint64_t *live_out)
{
    char *dir = ls_ft_build_index(n, commits, stream);
    ls_rng r;
    ls_rng_init(&r, stream + 1);
    ls_error err;
    ls_writer *w;
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    uint64_t live = n;
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "doc-%zu", i);
        if (i % 10 == 3) {
            rc = ls_writer_delete(w, id, strlen(id), &err);
            ck_assert_msg(rc == LS_OK, "ls_writer_delete %s: %d %s", id, rc, err.message);
            live--;
        } else if (i % 10 == 6) {
            ls_ft_add_doc(w, &r, i, 1);
        }
    }
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_commit: %d %s", rc, err.message);
    ls_writer_close(w);
    *live_out = live;
    return dir;
}

size_t ls_ft_probe_doc(uint64_t ndocs)
{
    return (size_t)(ndocs / 2) / 10 * 10;
}

ls_reader *ls_ft_open_ok(const char *dir)
{
    ls_error err;
    ls_reader *r;
    int rc = ls_reader_open(dir, &r, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_open(%s): %d %s", dir, rc, err.message);
    return r;
}

uint64_t ls_ft_doc_count(const ls_reader *r, uint64_t *gen_out)
{
    ls_index_stats st;
    memset(&st, 0, sizeof st);
    st.version = LS_INDEX_STATS_VERSION;
    ls_error err;
    int rc = ls_reader_stats(r, &st, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_stats: %d %s", rc, err.message);
    if (gen_out)
        *gen_out = st.generation;
    return st.documents;
}

static int count_id(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    (void)id;
    (void)len;
    (void)stamp;
    (void)slen;
    (*(uint64_t *)payload)++;
    return 0;
}

uint64_t ls_ft_id_count(const ls_reader *r)
{
    uint64_t n = 0;
    ls_error err;
    int rc = ls_reader_ids(r, "", 0, count_id, &n, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_ids: %d %s", rc, err.message);
    return n;
}

void ls_ft_assert_refuses(ls_writer *w)
{
    ls_error err;
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "refused";
    d.id_len = 7;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete(w, "doc-1", 5, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_delete_prefix(w, "doc", 3, NULL, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_EINVAL);
    ck_assert_int_eq(ls_writer_optimize(w, 1, &err), LS_EINVAL);
}

void ls_ft_assert_index_fine(const char *dir, uint64_t ndocs, uint64_t gen)
{
    ls_reader *r = ls_ft_open_ok(dir);
    ls_error err;
    int rc = ls_reader_check(r, &err);
    ck_assert_msg(rc == LS_OK, "ls_reader_check: %d %s", rc, err.message);
    uint64_t g;
    ck_assert_uint_eq(ls_ft_doc_count(r, &g), ndocs);
    ck_assert_uint_eq(ls_ft_id_count(r), ndocs);
    if (gen)
        ck_assert_uint_eq(g, gen);
    if (ndocs > 0) {
        char uw[8];
        ls_ft_unique_word(ls_ft_probe_doc(ndocs), uw);
        ls_hits *h;
        rc = ls_search(r, uw, strlen(uw), NULL, &h, &err);
        ck_assert_msg(rc == LS_OK, "search %s: %d %s", uw, rc, err.message);
        ck_assert_uint_eq(ls_hits_total(h), 1);
        ls_hits_free(h);
    }
    ls_reader_close(r);
}

/* ---- directory listings ---------------------------------------------------------------- */

static void files_push(ls_ft_files *f, const char *name)
{
    f->names = realloc(f->names, (f->n + 1) * sizeof *f->names);
    ck_assert_ptr_nonnull(f->names);
    f->names[f->n] = strdup(name);
    ck_assert_ptr_nonnull(f->names[f->n]);
    f->n++;
}

ls_ft_files ls_ft_list_dir(const char *dir)
{
    ls_ft_files f = {NULL, 0};
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "opendir %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            files_push(&f, e->d_name);
    closedir(d);
    return f;
}

void ls_ft_files_free(ls_ft_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    f->names = NULL;
    f->n = 0;
}

int ls_ft_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_name_desc(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ls_ft_files ls_ft_files_of_kind(const char *dir, const char *kind)
{
    ls_ft_files all = ls_ft_list_dir(dir), out = {NULL, 0};
    int manifest = strcmp(kind, "manifest") == 0;
    for (size_t i = 0; i < all.n; i++) {
        const char *nm = all.names[i];
        int match = manifest ? strncmp(nm, "manifest-", 9) == 0 && !ls_ft_ends_with(nm, ".tmp")
                             : strncmp(nm, "seg-", 4) == 0 && ls_ft_ends_with(nm, kind);
        if (match)
            files_push(&out, nm);
    }
    ls_ft_files_free(&all);
    if (out.n > 1) /* names sort by generation / segment number */
        qsort(out.names, out.n, sizeof *out.names, manifest ? cmp_name_desc : cmp_name);
    return out;
}

size_t ls_ft_count_seg_files(const char *dir)
{
    ls_ft_files all = ls_ft_list_dir(dir);
    size_t n = 0;
    for (size_t i = 0; i < all.n; i++)
        n += strncmp(all.names[i], "seg-", 4) == 0;
    ls_ft_files_free(&all);
    return n;
}

static int named_by(const ls_manifest *ms, size_t n, uint32_t id, int is_del, uint64_t gen)
{
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < ms[i].nsegs; k++)
            if (ms[i].segs[k].id == id && (!is_del || ms[i].segs[k].del_gen == gen))
                return 1;
    return 0;
}

int ls_ft_find_orphan(const char *dir, char *buf, size_t cap)
{
    ls_manifest *ms;
    size_t nm;
    if (ls_manifest_load_all(dir, &ms, &nm, NULL) != LS_OK)
        return -1;
    DIR *d = opendir(dir);
    if (d == NULL) {
        ls_manifest_free_all(ms, nm);
        return -1;
    }
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        uint32_t id;
        uint64_t gen;
        switch (ls_file_classify(e->d_name, &id, NULL, &gen)) {
        case LS_FILE_TEMP:
            snprintf(buf, cap, "temporary file %s", e->d_name);
            found = 1;
            break;
        case LS_FILE_SEGMENT:
        case LS_FILE_DELETES:
            if (!named_by(ms, nm, id,
                          ls_file_classify(e->d_name, NULL, NULL, NULL) == LS_FILE_DELETES, gen)) {
                snprintf(buf, cap, "file %s named by no intact manifest", e->d_name);
                found = 1;
            }
            break;
        default: break;
        }
    }
    closedir(d);
    ls_manifest_free_all(ms, nm);
    return found;
}

void ls_ft_assert_no_orphans(const char *dir)
{
    char what[128];
    int rc = ls_ft_find_orphan(dir, what, sizeof what);
    ck_assert_msg(rc >= 0, "cannot read the manifests of %s", dir);
    ck_assert_msg(rc == 0, "left behind in %s: %s", dir, what);
}

/* ---- queries over a possibly damaged index ----------------------------------------------- */

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
    "title:replaced",
};
#define NQUERIES (sizeof fault_queries / sizeof fault_queries[0])

static void assert_failure_names_segment(int rc, const ls_error *err, const char *what)
{
    ck_assert_msg(rc == LS_ECORRUPT, "%s: rc %d (%s)", what, rc, err->message);
    ck_assert_int_eq(err->code, rc);
    ck_assert_msg(strstr(err->message, "seg-") != NULL, "%s: message '%s'", what, err->message);
}

static size_t touch_hit(const ls_hit *hit)
{
    size_t sum = 0;
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
    return sum;
}

typedef struct id_walk {
    size_t bytes;
    uint64_t n;
} id_walk;

static int walk_id(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    id_walk *w = payload;
    for (size_t i = 0; i < len; i++)
        w->bytes += (unsigned char)id[i];
    for (size_t i = 0; i < slen; i++)
        w->bytes += ((const unsigned char *)stamp)[i];
    w->n++;
    return 0;
}

int ls_ft_run_queries(const ls_reader *r)
{
    int failed = 0;
    volatile size_t sum = 0;
    for (size_t q = 0; q < NQUERIES; q++) {
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.limit = 20;
        so.snippets = 1;
        so.explain = (q % 2) == 0;
        so.feedback_docs = (q % 3) == 0 ? LS_FEEDBACK_DOCS_ON : 0;
        ls_hits *h = NULL;
        ls_error err;
        int rc = ls_search(r, fault_queries[q], strlen(fault_queries[q]), &so, &h, &err);
        if (rc != LS_OK) {
            assert_failure_names_segment(rc, &err, fault_queries[q]);
            ck_assert_ptr_null(h);
            failed++;
            continue;
        }
        ck_assert_uint_le(ls_hits_count(h), 20);
        ck_assert_uint_ge(ls_hits_total(h), ls_hits_count(h));
        for (size_t i = 0; i < ls_hits_count(h); i++) {
            const ls_hit *hit = ls_hits_get(h, i);
            ck_assert_ptr_nonnull(hit);
            sum += touch_hit(hit);
        }
        ls_hits_free(h);
    }
    /* every id, and a few looked up */
    id_walk iw = {0, 0};
    ls_error err;
    int rc = ls_reader_ids(r, "", 0, walk_id, &iw, &err);
    if (rc != LS_OK) {
        assert_failure_names_segment(rc, &err, "ls_reader_ids");
        failed++;
    }
    sum += iw.bytes;
    static const char *const gets[] = {"doc-0", "doc-3", "doc-6", "doc-100", "doc-255", "m0001"};
    for (size_t i = 0; i < sizeof gets / sizeof gets[0]; i++) {
        ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
        rc = ls_reader_get(r, gets[i], strlen(gets[i]), &info, &err);
        if (rc == LS_OK) {
            for (size_t k = 0; k < info.stamp_len; k++)
                sum += ((const unsigned char *)info.stamp)[k];
        } else if (rc != LS_ENOTFOUND) {
            assert_failure_names_segment(rc, &err, gets[i]);
            failed++;
        }
    }
    (void)sum;
    return failed;
}

void ls_ft_set_version(const char *path, uint32_t version)
{
    size_t len;
    char *data = ls_test_read_file(path, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_gt(len, LS_HEADER_SIZE + LS_FOOTER_SIZE);
    ls_put_u32le((uint8_t *)data + 4, version);
    ls_put_u32le((uint8_t *)data + len - 4, ls_crc32(0, data, len - 4));
    ck_assert_int_eq(ls_test_write_file(path, data, len), 0);
    free(data);
}

/* ---- the document model ------------------------------------------------------------------ */

void ls_ft_model_init(ls_ft_model *m, uint32_t nids)
{
    m->nids = nids;
    m->ver = calloc(nids, sizeof *m->ver);
    m->live = 0;
    ck_assert_ptr_nonnull(m->ver);
}

void ls_ft_model_copy(ls_ft_model *dst, const ls_ft_model *src)
{
    ls_ft_model_init(dst, src->nids);
    memcpy(dst->ver, src->ver, src->nids * sizeof *src->ver);
    dst->live = src->live;
}

void ls_ft_model_free(ls_ft_model *m)
{
    free(m->ver);
    m->ver = NULL;
    m->nids = 0;
    m->live = 0;
}

size_t ls_ft_model_id(uint32_t k, char out[16])
{
    return (size_t)snprintf(out, 16, "m%04u", k);
}

void ls_ft_model_word(uint32_t k, uint32_t v, char out[16])
{
    /* "zv", 4 letters of k, 6 letters of v: consonants only, so no stemmer changes it */
    out[0] = 'z';
    out[1] = 'v';
    for (int i = 0; i < 4; i++, k /= 18)
        out[2 + i] = consonants[k % 18];
    for (int i = 0; i < 6; i++, v /= 18)
        out[6 + i] = consonants[v % 18];
    out[12] = '\0';
}

int ls_ft_model_put(ls_writer *w, ls_ft_model *m, uint32_t k, size_t bytes, ls_error *err)
{
    uint32_t v = m->ver[k] + 1;
    char id[16], word[16], title[64], stamp[16];
    size_t idl = ls_ft_model_id(k, id);
    ls_ft_model_word(k, v, word);
    int tl = snprintf(title, sizeof title, "%s version %u", id, v);
    int sl = snprintf(stamp, sizeof stamp, "v%u", v);
    size_t cap = bytes + 64;
    char *body = malloc(cap);
    if (body == NULL)
        return LS_ENOMEM;
    ls_rng r;
    r.s = ((uint64_t)k << 32 | v) * 0x9E3779B97F4A7C15ULL | 1;
    size_t len = (size_t)snprintf(body, cap, "%s %s", LS_FT_COMMON, word);
    while (len + 12 < bytes) {
        const char *wd = ls_ft_vocab[ls_rng_below(&r, LS_FT_NVOCAB)];
        len += (size_t)snprintf(body + len, cap - len, " %s", wd);
    }
    ls_document d = LS_DOCUMENT_INIT;
    d.id = id;
    d.id_len = idl;
    d.title = title;
    d.title_len = (size_t)tl;
    d.body = body;
    d.body_len = len;
    d.stamp = stamp;
    d.stamp_len = (size_t)sl;
    int rc = ls_writer_add(w, &d, err);
    free(body);
    if (rc == LS_OK) {
        m->live += m->ver[k] == 0;
        m->ver[k] = v;
    }
    return rc;
}

int ls_ft_model_delete(ls_writer *w, ls_ft_model *m, uint32_t k, ls_error *err)
{
    char id[16];
    size_t idl = ls_ft_model_id(k, id);
    int rc = ls_writer_delete(w, id, idl, err);
    if (rc == LS_OK && m->ver[k] != 0) {
        m->ver[k] = 0;
        m->live--;
    }
    return rc;
}

int ls_ft_model_delete_prefix(ls_writer *w, ls_ft_model *m, uint32_t p, ls_error *err)
{
    char prefix[16];
    int pl = snprintf(prefix, sizeof prefix, "m%03u", p);
    uint64_t count = 0, want = 0;
    int rc = ls_writer_delete_prefix(w, prefix, (size_t)pl, &count, err);
    if (rc != LS_OK)
        return rc;
    for (uint32_t k = p * 10; k < p * 10 + 10 && k < m->nids; k++) {
        want += m->ver[k] != 0;
        m->live -= m->ver[k] != 0;
        m->ver[k] = 0;
    }
    if (count != want) {
        if (err != NULL) {
            err->code = LS_ECORRUPT;
            snprintf(err->message, sizeof err->message,
                     "ls_writer_delete_prefix '%s' deleted %llu documents, the model %llu", prefix,
                     (unsigned long long)count, (unsigned long long)want);
        }
        return LS_ECORRUPT;
    }
    return LS_OK;
}

/* A random live document (the model must have one). */
static uint32_t pick_live(const ls_ft_model *m, ls_rng *r)
{
    for (;;) {
        uint32_t k = ls_rng_below(r, m->nids);
        if (m->ver[k] != 0)
            return k;
    }
}

int ls_ft_model_batch(ls_writer *w, ls_ft_model *m, ls_rng *r, uint32_t n, ls_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t roll = ls_rng_below(r, 100);
        /* the live set hovers around half the ids */
        int deletes = m->live > m->nids / 2 ? 45 : 20;
        int rc;
        if (m->live > 0 && roll < (uint32_t)deletes) {
            rc = ls_ft_model_delete(w, m, pick_live(m, r), err);
        } else if (roll == 99) {
            rc = ls_ft_model_delete_prefix(w, m, ls_rng_below(r, (m->nids + 9) / 10), err);
        } else {
            /* one document in 40 is large (64..320 KiB), so commits and merges take time */
            size_t bytes = ls_rng_below(r, 40) == 0 ? (64u << 10) + ls_rng_below(r, 256u << 10)
                                                    : 40 + ls_rng_below(r, 400);
            rc = ls_ft_model_put(w, m, ls_rng_below(r, m->nids), bytes, err);
        }
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
}

uint64_t ls_ft_model_digest(const ls_ft_model *m)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over (id, version) of live documents */
    for (uint32_t k = 0; k < m->nids; k++) {
        if (m->ver[k] == 0)
            continue;
        uint64_t x = (uint64_t)k << 32 | m->ver[k];
        for (int b = 0; b < 8; b++) {
            h ^= (x >> (8 * b)) & 0xff;
            h *= 0x100000001b3ULL;
        }
    }
    return h ^ m->live;
}

typedef struct load_state {
    ls_ft_model *m;
    int bad;
    char what[96];
} load_state;

/* Parses "m<digits>" and "v<digits>". @return the number, or -1. */
static long parse_num(const char *s, size_t len, char lead)
{
    if (len < 2 || len > 11 || s[0] != lead)
        return -1;
    long v = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int load_id(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    load_state *st = payload;
    long k = parse_num(id, len, 'm'), v = parse_num(stamp, slen, 'v');
    if (k < 0 || (uint64_t)k >= st->m->nids || v <= 0 || v > UINT32_MAX || st->m->ver[k] != 0) {
        snprintf(st->what, sizeof st->what, "unexpected id '%.*s' (stamp '%.*s')",
                 (int)(len > 32 ? 32 : len), id, (int)(slen > 16 ? 16 : slen), (const char *)stamp);
        st->bad = 1;
        return 1;
    }
    st->m->ver[k] = (uint32_t)v;
    st->m->live++;
    return 0;
}

int ls_ft_model_load(const ls_reader *r, ls_ft_model *m, ls_error *err)
{
    memset(m->ver, 0, m->nids * sizeof *m->ver);
    m->live = 0;
    load_state st = {m, 0, ""};
    int rc = ls_reader_ids(r, "", 0, load_id, &st, err);
    if (rc == LS_OK && st.bad) {
        if (err != NULL) {
            err->code = LS_ECORRUPT;
            snprintf(err->message, sizeof err->message, "%s", st.what);
        }
        return LS_ECORRUPT;
    }
    return rc;
}

static uint64_t hits_of(const ls_reader *r, const char *q, const char **first_id)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = first_id ? 1 : 0;
    so.snippets = 0;
    so.feedback_docs = 0;
    ls_hits *h;
    ls_error err;
    int rc = ls_search(r, q, strlen(q), &so, &h, &err);
    ck_assert_msg(rc == LS_OK, "search '%s': %d %s", q, rc, err.message);
    uint64_t n = ls_hits_total(h);
    if (first_id != NULL) {
        static char id[64];
        const ls_hit *hit = ls_hits_get(h, 0);
        snprintf(id, sizeof id, "%s", hit ? hit->id : "");
        *first_id = id;
    }
    ls_hits_free(h);
    return n;
}

void ls_ft_assert_model(const ls_reader *r, const ls_ft_model *m, ls_rng *rng, int probes,
                        const char *what)
{
    ls_ft_model got;
    ls_ft_model_init(&got, m->nids);
    ls_error err;
    int rc = ls_ft_model_load(r, &got, &err);
    ck_assert_msg(rc == LS_OK, "%s: reading the ids: %d %s", what, rc, err.message);
    for (uint32_t k = 0; k < m->nids; k++)
        ck_assert_msg(got.ver[k] == m->ver[k], "%s: m%04u has version %u, want %u (0: absent)",
                      what, k, got.ver[k], m->ver[k]);
    ck_assert_uint_eq(got.live, m->live);
    ls_ft_model_free(&got);
    uint64_t docs = ls_ft_doc_count(r, NULL);
    ck_assert_msg(docs == m->live, "%s: stats say %llu documents, want %llu", what,
                  (unsigned long long)docs, (unsigned long long)m->live);
    uint64_t common = hits_of(r, LS_FT_COMMON, NULL);
    ck_assert_msg(common == m->live, "%s: '%s' matches %llu documents, want %llu", what,
                  LS_FT_COMMON, (unsigned long long)common, (unsigned long long)m->live);
    for (int p = 0; p < probes && m->live > 0; p++) {
        uint32_t k = pick_live(m, rng);
        char word[16], id[16];
        const char *hit_id;
        ls_ft_model_word(k, m->ver[k], word);
        ls_ft_model_id(k, id);
        uint64_t n = hits_of(r, word, &hit_id);
        ck_assert_msg(n == 1 && strcmp(hit_id, id) == 0,
                      "%s: %s version %u: its word matches %llu documents (first '%s')", what, id,
                      m->ver[k], (unsigned long long)n, hit_id);
        if (m->ver[k] > 1) {
            ls_ft_model_word(k, m->ver[k] - 1, word);
            n = hits_of(r, word, NULL);
            ck_assert_msg(n == 0, "%s: %s's old version %u still matches", what, id, m->ver[k] - 1);
        }
    }
}
