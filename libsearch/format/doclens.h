/* SPDX-License-Identifier: MIT */
/*
 * doclens.h - per-document lengths of a segment (FORMAT.md "DocLengths"):
 *   DocLensBody --> (AllLen u32, TitleLen u32, BodyStart u32)^ndocs
 * AllLen = tokens of title and body, TitleLen = tokens of the title, BodyStart = position of the
 * first body word (title words + 1), which separates title from body positions in the "all"
 * field. Read in place from the map.
 */
#ifndef LS_FORMAT_DOCLENS_H
#define LS_FORMAT_DOCLENS_H

#include <stdint.h>

#include "format/fields.h"
#include "util/buf.h"

#define LS_DOCLEN_ENTRY 12u

static inline uint32_t ls_doclen_all(const uint8_t *body, uint32_t doc)
{
    return ls_get_u32le(body + (size_t)doc * LS_DOCLEN_ENTRY);
}
static inline uint32_t ls_doclen_title(const uint8_t *body, uint32_t doc)
{
    return ls_get_u32le(body + (size_t)doc * LS_DOCLEN_ENTRY + 4);
}
static inline uint32_t ls_doclen_body_start(const uint8_t *body, uint32_t doc)
{
    return ls_get_u32le(body + (size_t)doc * LS_DOCLEN_ENTRY + 8);
}
/** The length of document doc in field (LS_FIELD_*), the one BM25 normalizes by. */
static inline uint32_t ls_doclen_field(const uint8_t *body, int field, uint32_t doc)
{
    switch (field) {
    case LS_FIELD_TITLE: return ls_doclen_title(body, doc);
    case LS_FIELD_BODY: return ls_doclen_all(body, doc) - ls_doclen_title(body, doc);
    default: return ls_doclen_all(body, doc);
    }
}

#endif
