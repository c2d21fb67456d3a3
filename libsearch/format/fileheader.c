/* SPDX-License-Identifier: MIT */
/*
 * fileheader.c - file frame (header, footer, crc32) writing and checking. FORMAT.md "File".
 */
#include "format/fileheader.h"

#include <string.h>

#include "codec/crc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

int ls_header_write(ls_fwriter *w, uint32_t magic, ls_error *err)
{
    uint8_t h[LS_HEADER_SIZE];
    ls_put_u32le(h, magic);
    ls_put_u32le(h + 4, LS_FORMAT_VERSION);
    return ls_fwriter_write(w, h, sizeof h, err);
}

int ls_footer_finish(ls_fwriter *w, ls_error *err)
{
    uint8_t f[20];
    ls_put_u64le(f, w->tag);
    ls_put_u64le(f + 8, w->offset - LS_HEADER_SIZE);
    ls_put_u32le(f + 16, LS_FOOTER_MAGIC);
    int rc = ls_fwriter_write(w, f, sizeof f, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(w, w->crc, err);
    if (rc != LS_OK) {
        ls_fwriter_abort(w);
        return rc;
    }
    return ls_fwriter_finish(w, err);
}

static int check_frame(const uint8_t *data, size_t size, uint32_t magic, const char *path,
                       const uint8_t **body, size_t *body_len, uint64_t *tag, ls_error *err)
{
    if (size < LS_HEADER_SIZE + LS_FOOTER_SIZE)
        return ls_error_set(err, LS_ECORRUPT, "'%s' is truncated (%zu bytes)", path, size);
    if (ls_get_u32le(data) != magic)
        return ls_error_set(err, LS_ECORRUPT, "'%s' has a wrong magic number", path);
    uint32_t version = ls_get_u32le(data + 4);
    if (version > LS_FORMAT_VERSION)
        return ls_error_set(err, LS_EFORMAT,
                            "'%s' has format version %u; this libsearch reads version %u",
                            path, version, LS_FORMAT_VERSION);
    if (version == 0)
        return ls_error_set(err, LS_ECORRUPT, "'%s' has format version 0", path);
    if (version < LS_FORMAT_VERSION)
        return ls_error_set(err, LS_EFORMAT,
                            "'%s' has the older format version %u; this libsearch reads version "
                            "%u: re-index the documents into a new index",
                            path, version, LS_FORMAT_VERSION);
    const uint8_t *foot = data + size - LS_FOOTER_SIZE;
    uint64_t blen = ls_get_u64le(foot + 8);
    if (ls_get_u32le(foot + 16) != LS_FOOTER_MAGIC ||
        blen != size - LS_HEADER_SIZE - LS_FOOTER_SIZE)
        return ls_error_set(err, LS_ECORRUPT, "'%s' has a damaged footer (truncated file?)",
                            path);
    *body = data + LS_HEADER_SIZE;
    *body_len = (size_t)blen;
    *tag = ls_get_u64le(foot);
    return LS_OK;
}

static int verify_crc(const uint8_t *data, size_t size, const char *path, ls_error *err)
{
    uint32_t want = ls_get_u32le(data + size - 4);
    if (ls_crc32(0, data, size - 4) != want)
        return ls_error_set(err, LS_ECORRUPT, "'%s' fails its checksum", path);
    return LS_OK;
}

int ls_frame_check(const uint8_t *data, size_t size, uint32_t magic, const char *path,
                   const uint8_t **body, size_t *body_len, ls_error *err)
{
    /* The checksum first: a damaged byte is corruption, even in the version field; only an
     * intact file of a newer version is LS_EFORMAT. */
    if (size >= LS_HEADER_SIZE + LS_FOOTER_SIZE) {
        int rc = verify_crc(data, size, path, err);
        if (rc != LS_OK)
            return rc;
    }
    uint64_t tag;
    return check_frame(data, size, magic, path, body, body_len, &tag, err);
}

int ls_ifile_open(ls_ifile *f, const char *path, uint32_t magic, ls_error *err)
{
    memset(f, 0, sizeof f[0]);
    f->path = ls_strndup(path, strlen(path));
    if (f->path == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_map_file(path, &f->map, err);
    /* The whole file's checksum is read only when the version is not ours, so that a damaged
     * version byte is corruption, not another format (the cheap path stays cheap). */
    if (rc == LS_OK && f->map.size >= LS_HEADER_SIZE + LS_FOOTER_SIZE &&
        ls_get_u32le(f->map.data + 4) != LS_FORMAT_VERSION)
        rc = verify_crc(f->map.data, f->map.size, path, err);
    if (rc == LS_OK)
        rc = check_frame(f->map.data, f->map.size, magic, path, &f->body, &f->body_len, &f->tag,
                         err);
    if (rc != LS_OK)
        ls_ifile_close(f);
    return rc;
}

int ls_ifile_verify(const ls_ifile *f, ls_error *err)
{
    return verify_crc(f->map.data, f->map.size, f->path, err);
}

void ls_ifile_close(ls_ifile *f)
{
    ls_map_close(&f->map);
    ls_free(f->path);
    f->path = NULL;
    f->body = NULL;
    f->body_len = 0;
}
