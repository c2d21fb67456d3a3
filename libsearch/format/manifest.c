/* SPDX-License-Identifier: MIT */
/*
 * manifest.c - manifest writing, loading, surveying and pruning (FORMAT.md "Manifest").
 */
#include "format/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/crc.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"

#define SEG_RECORD 44u
#define LOAD_RETRIES 16 /* a concurrent writer may prune the manifest we listed */

int ls_manifest_write(const char *dir, const ls_manifest *m, ls_error *err)
{
    ls_buf b = LS_BUF_INIT;
    size_t lang = strlen(m->language);
    int ok = ls_buf_put_u32(&b, LS_MAGIC_MANIFEST) == LS_OK &&
             ls_buf_put_u32(&b, LS_FORMAT_VERSION) == LS_OK &&
             ls_buf_put_u64(&b, m->gen) == LS_OK && ls_buf_put_u8(&b, (uint8_t)lang) == LS_OK &&
             ls_buf_append(&b, m->language, lang) == LS_OK &&
             ls_buf_put_u32(&b, m->next_seg) == LS_OK && ls_buf_put_u32(&b, m->nsegs) == LS_OK;
    for (uint32_t i = 0; ok && i < m->nsegs; i++) {
        const ls_seg_info *s = &m->segs[i];
        ok = ls_buf_put_u32(&b, s->id) == LS_OK && ls_buf_put_u32(&b, s->ndocs) == LS_OK &&
             ls_buf_put_u32(&b, s->del_count) == LS_OK &&
             ls_buf_put_u64(&b, s->del_gen) == LS_OK &&
             ls_buf_put_u64(&b, s->tokens_all) == LS_OK &&
             ls_buf_put_u64(&b, s->tokens_title) == LS_OK && ls_buf_put_u64(&b, s->tag) == LS_OK;
    }
    uint64_t body_len = b.len - LS_HEADER_SIZE;
    ok = ok && ls_buf_put_u64(&b, 0) == LS_OK /* Tag: a manifest belongs to no segment */ &&
         ls_buf_put_u64(&b, body_len) == LS_OK && ls_buf_put_u32(&b, LS_FOOTER_MAGIC) == LS_OK;
    if (ok)
        ok = ls_buf_put_u32(&b, ls_crc32(0, b.data, b.len)) == LS_OK;
    if (!ok) {
        ls_buf_free(&b);
        return ls_error_set(err, LS_ENOMEM, "out of memory writing the manifest");
    }
    char name[LS_FILENAME_MAX];
    ls_manifest_name(m->gen, name);
    int rc = ls_write_atomic(dir, name, b.data, b.len, err);
    ls_buf_free(&b);
    return rc;
}

static int parse(const uint8_t *p, size_t n, const char *path, ls_manifest *m, ls_error *err)
{
    memset(m, 0, sizeof *m);
    if (n < 8 + 1 + 8)
        goto corrupt;
    m->gen = ls_get_u64le(p);
    size_t lang = p[8];
    if (lang >= sizeof m->language || n < 9 + lang + 8)
        goto corrupt;
    memcpy(m->language, p + 9, lang);
    m->language[lang] = '\0';
    p += 9 + lang;
    n -= 9 + lang;
    m->next_seg = ls_get_u32le(p);
    m->nsegs = ls_get_u32le(p + 4);
    p += 8;
    n -= 8;
    if ((uint64_t)m->nsegs * SEG_RECORD != n)
        goto corrupt;
    m->segs = ls_calloc(m->nsegs ? m->nsegs : 1, sizeof *m->segs);
    if (m->segs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < m->nsegs; i++, p += SEG_RECORD) {
        ls_seg_info *s = &m->segs[i];
        s->id = ls_get_u32le(p);
        s->ndocs = ls_get_u32le(p + 4);
        s->del_count = ls_get_u32le(p + 8);
        s->del_gen = ls_get_u64le(p + 12);
        s->tokens_all = ls_get_u64le(p + 20);
        s->tokens_title = ls_get_u64le(p + 28);
        s->tag = ls_get_u64le(p + 36);
        if (s->id >= m->next_seg || s->tokens_title > s->tokens_all ||
            s->del_count > s->ndocs || (s->del_count > 0) != (s->del_gen > 0) ||
            s->del_gen > m->gen)
            goto corrupt;
        for (uint32_t k = 0; k < i; k++)
            if (m->segs[k].id == s->id)
                goto corrupt;
    }
    return LS_OK;
corrupt:
    ls_manifest_free(m);
    return ls_error_set(err, LS_ECORRUPT, "'%s' holds impossible values", path);
}

static int load_one(const char *dir, uint64_t gen, ls_manifest *m, ls_error *err)
{
    char name[LS_FILENAME_MAX];
    ls_manifest_name(gen, name);
    char *path = ls_path_join(dir, name);
    if (path == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    ls_map map;
    int rc = ls_map_file(path, &map, err);
    if (rc == LS_OK) {
        const uint8_t *body;
        size_t blen;
        rc = ls_frame_check(map.data, map.size, LS_MAGIC_MANIFEST, path, &body, &blen, err);
        if (rc == LS_OK)
            rc = parse(body, blen, path, m, err);
        if (rc == LS_OK && m->gen != gen) {
            rc = ls_error_set(err, LS_ECORRUPT, "'%s' names generation %" PRIu64, path, m->gen);
            ls_manifest_free(m);
        }
        if (rc == LS_OK)
            m->file_bytes = map.size;
        ls_map_close(&map);
    }
    ls_free(path);
    return rc;
}

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Lists manifest generations in dir, newest first. */
static int list_gens(const char *dir, uint64_t **gens_out, size_t *n_out, ls_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return ls_error_io(err, errno, "cannot open index directory", dir);
    uint64_t *gens = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint64_t gen;
        if (ls_file_classify(e->d_name, NULL, NULL, &gen) != LS_FILE_MANIFEST)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            uint64_t *ng = ls_reallocarray(gens, cap, sizeof *ng);
            if (ng == NULL) {
                ls_free(gens);
                closedir(d);
                return ls_error_set(err, LS_ENOMEM, "out of memory");
            }
            gens = ng;
        }
        gens[n++] = gen;
    }
    closedir(d);
    if (n > 1)
        qsort(gens, n, sizeof *gens, cmp_desc);
    *gens_out = gens;
    *n_out = n;
    return LS_OK;
}

/* One pass over the listed generations. *vanished: a listed file disappeared (pruned by a
 * writer meanwhile): the caller lists again. */
static int load_pass(const char *dir, const uint64_t *gens, size_t n, int recover,
                     ls_manifest *m, uint64_t *skipped, int *vanished, ls_error *err)
{
    ls_error first_err;
    for (size_t i = 0; i < n; i++) {
        ls_error e;
        int rc = load_one(dir, gens[i], m, &e);
        if (rc == LS_ENOTFOUND) { /* listed, then pruned by a writer */
            *vanished = 1;
            if (err)
                *err = e;
            return rc;
        }
        if (rc == LS_OK)
            return LS_OK;
        if (rc != LS_ECORRUPT) {
            if (err)
                *err = e;
            return rc;
        }
        if (i == 0)
            first_err = e;
        if (!recover) {
            char name[LS_FILENAME_MAX];
            ls_manifest_name(gens[0], name);
            return ls_error_set(err, LS_ECORRUPT,
                                "%s; the index's last commit '%s' is damaged: run `cisearch "
                                "check`, or open it with recovery to fall back to an older "
                                "commit",
                                first_err.message, name);
        }
        if (skipped != NULL && *skipped == 0)
            *skipped = gens[i];
    }
    if (err)
        *err = first_err;
    return LS_ECORRUPT;
}

int ls_manifest_load(const char *dir, int recover, ls_manifest *m, uint64_t *skipped_gen,
                     ls_error *err)
{
    memset(m, 0, sizeof *m);
    for (int attempt = 0;; attempt++) {
        uint64_t *gens;
        size_t n;
        if (skipped_gen != NULL)
            *skipped_gen = 0;
        int rc = list_gens(dir, &gens, &n, err);
        if (rc != LS_OK)
            return rc;
        if (n == 0) {
            ls_free(gens);
            return ls_error_set(err, LS_ENOTFOUND, "no index in '%s' (no manifest file)", dir);
        }
        int vanished = 0;
        rc = load_pass(dir, gens, n, recover, m, skipped_gen, &vanished, err);
        ls_free(gens);
        if (!vanished || attempt >= LOAD_RETRIES)
            return rc;
    }
}

int ls_manifest_survey_dir(const char *dir, ls_manifest_survey *out, ls_error *err)
{
    uint64_t *gens;
    size_t n;
    memset(out, 0, sizeof *out);
    int rc = list_gens(dir, &gens, &n, err);
    if (rc != LS_OK)
        return rc;
    if (n > 0)
        out->newest = gens[0];
    for (size_t i = 0; i < n; i++) {
        ls_manifest m;
        ls_error e;
        rc = load_one(dir, gens[i], &m, &e);
        if (rc == LS_ENOMEM) {
            ls_free(gens);
            return ls_error_set(err, rc, "out of memory");
        }
        if (rc == LS_OK) {
            if (out->newest_valid == 0)
                out->newest_valid = gens[i];
            ls_manifest_free(&m);
        } else if (rc != LS_ENOTFOUND && rc != LS_EIO) { /* not found: pruned meanwhile */
            out->damaged++;
            if (out->newest_damaged == 0)
                out->newest_damaged = gens[i];
        }
    }
    ls_free(gens);
    return LS_OK;
}

void ls_manifest_prune(const char *dir, uint64_t keep_from)
{
    uint64_t *gens;
    size_t n;
    if (list_gens(dir, &gens, &n, NULL) != LS_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        ls_manifest m;
        if (gens[i] >= keep_from || load_one(dir, gens[i], &m, NULL) != LS_OK)
            continue; /* damaged manifests stay: they may name segments still needed */
        ls_manifest_free(&m);
        char name[LS_FILENAME_MAX];
        ls_manifest_name(gens[i], name);
        char *p = ls_path_join(dir, name);
        if (p != NULL)
            unlink(p);
        ls_free(p);
    }
    ls_free(gens);
}

void ls_manifest_free(ls_manifest *m)
{
    ls_free(m->segs);
    m->segs = NULL;
    m->nsegs = 0;
}

int ls_manifest_load_all(const char *dir, ls_manifest **out, size_t *n_out, ls_error *err)
{
    uint64_t *gens;
    size_t n, k = 0;
    *out = NULL;
    *n_out = 0;
    int rc = list_gens(dir, &gens, &n, err);
    if (rc != LS_OK)
        return rc;
    ls_manifest *v = ls_calloc(n ? n : 1, sizeof *v);
    if (v == NULL) {
        ls_free(gens);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        rc = load_one(dir, gens[i], &v[k], NULL);
        if (rc == LS_ENOMEM) {
            ls_free(gens);
            ls_manifest_free_all(v, k);
            return ls_error_set(err, rc, "out of memory");
        }
        if (rc == LS_OK)
            k++;
    }
    ls_free(gens);
    *out = v;
    *n_out = k;
    return LS_OK;
}

void ls_manifest_free_all(ls_manifest *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ls_manifest_free(&v[i]);
    ls_free(v);
}
