/* SPDX-License-Identifier: MIT */
/*
 * ids.c - the id dictionary's payload (FORMAT.md "IdDictionary") over keyblocks.c.
 */
#include "format/ids.h"

#include <string.h>

#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/error.h"

int ls_ids_writer_init(ls_ids_writer *iw, ls_fwriter *w)
{
    iw->scratch = (ls_buf)LS_BUF_INIT;
    return ls_keyblock_writer_init(&iw->kw, w);
}

int ls_ids_add(ls_ids_writer *iw, const uint8_t *id, size_t len, uint32_t doc,
               const uint8_t *stamp, size_t stamp_len, ls_error *err)
{
    if (stamp_len > UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "stamp too long");
    iw->scratch.len = 0;
    if (ls_buf_put_vbyte(&iw->scratch, doc) != LS_OK ||
        ls_buf_put_vbyte(&iw->scratch, (uint32_t)stamp_len) != LS_OK ||
        ls_buf_append(&iw->scratch, stamp, stamp_len) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    return ls_keyblock_add(&iw->kw, id, len, iw->scratch.data, iw->scratch.len, err);
}

int ls_ids_finish(ls_ids_writer *iw, ls_error *err)
{
    ls_buf_free(&iw->scratch);
    return ls_keyblock_finish(&iw->kw, err);
}

void ls_ids_writer_free(ls_ids_writer *iw)
{
    ls_buf_free(&iw->scratch);
    ls_keyblock_writer_free(&iw->kw);
}

int ls_ids_open(ls_ids *ids, const uint8_t *body, size_t len)
{
    return ls_keyblocks_open(&ids->kb, body, len);
}

static int decode_info(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    ls_ids_iter *it = state;
    uint32_t doc, slen;
    (void)first;
    if (ls_vbyte_get(p, end, &doc) || ls_vbyte_get(p, end, &slen) || slen > (size_t)(end - *p))
        return LS_ECORRUPT;
    it->doc = doc;
    it->stamp = *p;
    it->stamp_len = slen;
    *p += slen;
    return LS_OK;
}

static void iter_init(const ls_ids *ids, ls_ids_iter *it)
{
    it->doc = 0;
    it->stamp = NULL;
    it->stamp_len = 0;
    ls_keyblocks_iter_init(&it->kb, &ids->kb, decode_info, it);
}

int ls_ids_seek(const ls_ids *ids, const uint8_t *id, size_t len, ls_ids_iter *it)
{
    iter_init(ids, it);
    return ls_keyblocks_seek(&it->kb, id, len);
}

int ls_ids_next(ls_ids_iter *it) { return ls_keyblocks_next(&it->kb); }

int ls_ids_find(const ls_ids *ids, const uint8_t *id, size_t len, ls_ids_iter *it)
{
    iter_init(ids, it);
    return ls_keyblocks_find(&it->kb, id, len);
}
