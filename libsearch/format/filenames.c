/* SPDX-License-Identifier: MIT */
/*
 * filenames.c - naming and recognizing the index directory's files (see filenames.h).
 */
#include "format/filenames.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/fileheader.h"
#include "util/fileio.h"

const ls_segfile_kind ls_segfile_kinds[LS_SEGFILE_COUNT] = {
    [LS_SEGFILE_TID] = {"tid", LS_MAGIC_DICT, "term dictionary", 0},
    [LS_SEGFILE_DOC] = {"doc", LS_MAGIC_POSTINGS, "postings", 1},
    [LS_SEGFILE_POS] = {"pos", LS_MAGIC_POSITIONS, "positions", 1},
    [LS_SEGFILE_LEN] = {"len", LS_MAGIC_DOCLENS, "document lengths", 0},
    [LS_SEGFILE_FDT] = {"fdt", LS_MAGIC_STORED, "stored fields", 0},
    [LS_SEGFILE_IDS] = {"ids", LS_MAGIC_IDS, "id dictionary", 0},
};

void ls_segfile_name(char *buf, uint32_t id, ls_segfile kind)
{
    snprintf(buf, LS_FILENAME_MAX, "seg-%010" PRIu32 ".%s", id, ls_segfile_kinds[kind].ext);
}

char *ls_segfile_path(const char *dir, uint32_t id, ls_segfile kind)
{
    char name[LS_FILENAME_MAX];
    ls_segfile_name(name, id, kind);
    return ls_path_join(dir, name);
}

void ls_manifest_name(uint64_t gen, char *buf)
{
    snprintf(buf, LS_FILENAME_MAX, "manifest-%020" PRIu64, gen);
}

void ls_delfile_name(char *buf, uint32_t id, uint64_t gen)
{
    snprintf(buf, LS_FILENAME_MAX, "seg-%010" PRIu32 "_%020" PRIu64 ".del", id, gen);
}

static int digits(const char *s, size_t n)
{
    return strspn(s, "0123456789") >= n;
}

/* The decimal number s[0..n) into *out. @return 0 when it does not fit 64 bits. */
static int number(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

ls_file_class ls_file_classify(const char *name, uint32_t *id, ls_segfile *kind, uint64_t *gen)
{
    size_t n = strlen(name);
    /* Only the temporaries this library writes (manifest-<gen>.tmp): never another's. */
    if (n == 29 + 4 && strncmp(name, "manifest-", 9) == 0 && digits(name + 9, 20) &&
        strcmp(name + 29, ".tmp") == 0)
        return LS_FILE_TEMP;
    if (strcmp(name, LS_LOCK_NAME) == 0)
        return LS_FILE_LOCK;
    uint64_t v, g;
    if (n == 29 && strncmp(name, "manifest-", 9) == 0 && digits(name + 9, 20) &&
        number(name + 9, 20, &g)) {
        if (gen)
            *gen = g;
        return LS_FILE_MANIFEST;
    }
    /* seg-<10 digits>_<20 digits>.del */
    if (n == 4 + 10 + 1 + 20 + 4 && strncmp(name, "seg-", 4) == 0 && digits(name + 4, 10) &&
        name[14] == '_' && digits(name + 15, 20) && strcmp(name + 35, ".del") == 0) {
        if (!number(name + 4, 10, &v) || v > UINT32_MAX || !number(name + 15, 20, &g))
            return LS_FILE_OTHER;
        if (id)
            *id = (uint32_t)v;
        if (gen)
            *gen = g;
        return LS_FILE_DELETES;
    }
    if (n > 15 && strncmp(name, "seg-", 4) == 0 && digits(name + 4, 10) && name[14] == '.' &&
        number(name + 4, 10, &v)) {
        for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
            if (v > UINT32_MAX || strcmp(name + 15, ls_segfile_kinds[k].ext) != 0)
                continue;
            if (id)
                *id = (uint32_t)v;
            if (kind)
                *kind = (ls_segfile)k;
            return LS_FILE_SEGMENT;
        }
    }
    return LS_FILE_OTHER;
}

void ls_segfiles_remove(const char *dir, uint32_t id)
{
    for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
        char name[LS_FILENAME_MAX], p[4096];
        ls_segfile_name(name, id, (ls_segfile)k);
        int n = snprintf(p, sizeof p, "%s/%s", dir, name);
        if (n > 0 && (size_t)n < sizeof p)
            unlink(p);
    }
}
