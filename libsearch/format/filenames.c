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
    [LS_SEGFILE_TID] = {"tid", LS_MAGIC_DICT, "term dictionary"},
    [LS_SEGFILE_DOC] = {"doc", LS_MAGIC_POSTINGS, "postings"},
    [LS_SEGFILE_POS] = {"pos", LS_MAGIC_POSITIONS, "positions"},
    [LS_SEGFILE_LEN] = {"len", LS_MAGIC_DOCLENS, "document lengths"},
    [LS_SEGFILE_FDT] = {"fdt", LS_MAGIC_STORED, "stored fields"},
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

static int digits(const char *s, size_t n)
{
    return strspn(s, "0123456789") >= n;
}

static uint64_t number(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

ls_file_class ls_file_classify(const char *name, uint32_t *id, ls_segfile *kind, uint64_t *gen)
{
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".tmp") == 0)
        return LS_FILE_TEMP;
    if (strcmp(name, LS_LOCK_NAME) == 0)
        return LS_FILE_LOCK;
    if (n == 29 && strncmp(name, "manifest-", 9) == 0 && digits(name + 9, 20)) {
        if (gen)
            *gen = number(name + 9, 20);
        return LS_FILE_MANIFEST;
    }
    if (n > 15 && strncmp(name, "seg-", 4) == 0 && digits(name + 4, 10) && name[14] == '.') {
        uint64_t v = number(name + 4, 10);
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
