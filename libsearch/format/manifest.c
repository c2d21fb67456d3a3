/* SPDX-License-Identifier: MIT */
/*
 * manifest.c - manifest writing, newest-valid loading and pruning (FORMAT.md "Manifest").
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

#define SEG_RECORD 32u

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
             ls_buf_put_u64(&b, s->tokens_all) == LS_OK &&
             ls_buf_put_u64(&b, s->tokens_title) == LS_OK &&
             ls_buf_put_u64(&b, s->del_gen) == LS_OK;
    }
    uint64_t body_len = b.len - LS_HEADER_SIZE;
    ok = ok && ls_buf_put_u64(&b, body_len) == LS_OK && ls_buf_put_u32(&b, LS_FOOTER_MAGIC) == LS_OK;
    if (ok) {
        uint32_t crc = 0;
        crc = ls_crc32(0, b.data, b.len);
        ok = ls_buf_put_u32(&b, crc) == LS_OK;
    }
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
    m->segs = ls_calloc(m->nsegs, sizeof *m->segs);
    if (m->segs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < m->nsegs; i++, p += SEG_RECORD) {
        ls_seg_info *s = &m->segs[i];
        s->id = ls_get_u32le(p);
        s->ndocs = ls_get_u32le(p + 4);
        s->tokens_all = ls_get_u64le(p + 8);
        s->tokens_title = ls_get_u64le(p + 16);
        s->del_gen = ls_get_u64le(p + 24);
        if (s->id >= m->next_seg || s->tokens_title > s->tokens_all)
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

int ls_manifest_load(const char *dir, ls_manifest *m, ls_error *err)
{
    uint64_t *gens;
    size_t n;
    memset(m, 0, sizeof *m);
    int rc = list_gens(dir, &gens, &n, err);
    if (rc != LS_OK)
        return rc;
    if (n == 0) {
        ls_free(gens);
        return ls_error_set(err, LS_ENOTFOUND, "no index in '%s' (no manifest file)", dir);
    }
    ls_error first_err;
    int first_rc = LS_OK;
    for (size_t i = 0; i < n; i++) {
        ls_error e;
        rc = load_one(dir, gens[i], m, &e);
        if (rc == LS_OK || rc == LS_ENOMEM || rc == LS_EFORMAT) {
            if (rc != LS_OK && err)
                *err = e;
            ls_free(gens);
            return rc;
        }
        if (i == 0) {
            first_err = e;
            first_rc = rc;
        }
    }
    ls_free(gens);
    if (err)
        *err = first_err;
    return first_rc;
}

void ls_manifest_prune(const char *dir, uint64_t keep_from)
{
    uint64_t *gens;
    size_t n;
    if (list_gens(dir, &gens, &n, NULL) != LS_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        if (gens[i] >= keep_from)
            continue;
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
