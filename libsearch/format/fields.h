/* SPDX-License-Identifier: MIT */
/*
 * fields.h - the one vocabulary for fields (DESIGN.md §8), used by the parser, the planner,
 * the cursors, the inverter, the stored fields and the public header alike.
 *
 * A document has a title and a body. Three fields can be searched (their numbers are the
 * public LS_FIELD_* of libsearch.h): "all" (title and body as one text, the default),
 * "title" and "body". Two of them have postings of their own, under a key byte that starts
 * every dictionary key (FORMAT.md "Fields and keys"): 'a' for all, 't' for title. The body
 * field reads the 'a' postings through a position filter (positions >= the body start).
 * A third key byte, 'w', holds pairs of adjacent all-field words (format/pairs.h).
 */
#ifndef LS_FORMAT_FIELDS_H
#define LS_FORMAT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"

#define LS_FIELD_COUNT 3 /* LS_FIELD_ALL, LS_FIELD_TITLE, LS_FIELD_BODY */

/* Key bytes of the fields that have postings. */
#define LS_KEY_ALL ((uint8_t)'a')
#define LS_KEY_TITLE ((uint8_t)'t')

/** @return the key byte whose postings serve `field` (LS_FIELD_*). */
static inline uint8_t ls_field_key(int field)
{
    return field == LS_FIELD_TITLE ? LS_KEY_TITLE : LS_KEY_ALL;
}

/** @return nonzero when `field` reads its key's postings through the body-position filter. */
static inline int ls_field_filtered(int field) { return field == LS_FIELD_BODY; }

/** @return "all", "title" or "body" (static storage). */
static inline const char *ls_field_name(int field)
{
    static const char *const names[LS_FIELD_COUNT] = {"all", "title", "body"};
    return field >= 0 && field < LS_FIELD_COUNT ? names[field] : "all";
}

/** @return the field named s[0..len) (ASCII case-insensitive: "title", "body", "all"), or -1. */
int ls_field_from_name(const char *s, size_t len);

#endif
