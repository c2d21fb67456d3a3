/* SPDX-License-Identifier: MIT */
/*
 * inverter.h - the in-memory inverted index of the segment being built (DESIGN.md §4).
 * Keys (field byte + term) are interned to ids; each id owns one growable byte buffer of
 * VByte (doc gap, tf, position deltas...) so there is no allocation per posting. Document
 * lengths are kept alongside. segwriter.c turns it into segment files.
 */
#ifndef LS_INDEX_INVERTER_H
#define LS_INDEX_INVERTER_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "format/fields.h"
#include "util/buf.h"
#include "util/hashmap.h"


typedef struct ls_plist {
    ls_buf buf;
    uint32_t last_doc;
    uint32_t df;
    uint32_t in_doc; /* emit scratch: occurrences in the document being inverted */
    uint32_t at;     /* emit scratch: where its positions go in the grouped array */
} ls_plist;

typedef struct ls_inverter {
    ls_strtab keys;
    ls_plist *lists;
    size_t lists_cap;
    ls_buf lens;      /* LS_DOCLEN_ENTRY bytes per document (format/doclens.h) */
    uint32_t ndocs;
    uint64_t tokens_all, tokens_title;
    uint64_t *pairs;  /* per-document scratch: id << 32 | position, in position order */
    size_t npairs, pairs_cap;
    uint32_t *group;  /* per-document scratch, 2 * pairs_cap: ids seen, then positions by id */
    size_t postings_bytes;
    int counts_only; /* lists hold documents and tfs, no positions (word pairs) */
    struct ls_recent_key *recent; /* LS_RECENT_KEYS keys interned lately (inverter.c) */
} ls_inverter;

/** Told each key a document indexes, once per occurrence, in position order within each
 *  field pass (title words under both LS_KEY_ALL and LS_KEY_TITLE). Nonzero stops. */
typedef int (*ls_doc_key_fn)(const uint8_t *key, size_t len, uint32_t pos, void *payload);

/** Token counts of one document, as its lengths entry records them (format/doclens.h). */
typedef struct ls_doc_counts {
    uint32_t tokens_all, tokens_title, body_start;
} ls_doc_counts;

/**
 * Analyzes a document (title from position 0, body from title words + 1) and reports every
 * key it indexes: the one definition shared by the inverter and by the deletion corrections,
 * which re-analyze deleted documents' stored text and must find exactly the keys indexed.
 * @return LS_OK, LS_ENOMEM, LS_ELIMIT (over 2^32 positions), or fn's nonzero return.
 */
int ls_doc_keys(ls_analyzer *an, const char *title, size_t title_len, const char *body,
                size_t body_len, ls_doc_key_fn fn, void *payload, ls_doc_counts *out);

void ls_inverter_init(ls_inverter *inv);
/** An inverter whose lists keep no positions (ls_inverter_iter_next gives none). */
void ls_inverter_init_counts(ls_inverter *inv);
void ls_inverter_free(ls_inverter *inv);
/** Inverts one document (title then body). @return LS_OK, LS_ENOMEM, LS_ELIMIT. */
int ls_inverter_add(ls_inverter *inv, ls_analyzer *an, const char *title, size_t title_len,
                    const char *body, size_t body_len, ls_error *err);
/** The id of key (added when new), for a document given as keys (the word pairs of
 *  index/pairer.h). @return LS_OK or LS_ENOMEM. */
int ls_inverter_intern(ls_inverter *inv, const uint8_t *key, size_t len, uint32_t *id);
/** Adds an occurrence of key id at pos to that document; each key's positions ascend.
 *  @return LS_OK or LS_ENOMEM. */
int ls_inverter_occur(ls_inverter *inv, uint32_t id, uint32_t pos);
/** Appends the occurrences added since the last call to the keys' lists as document doc
 *  (above every document before; no lengths are kept). @return LS_OK or LS_ENOMEM. */
int ls_inverter_end_doc(ls_inverter *inv, uint32_t doc);
/** @return approximate bytes of memory held. */
size_t ls_inverter_memory(const ls_inverter *inv);

/** Reads one key's postings back from RAM in document order (the buffers are the inverter's
 *  own format: VByte(doc gap), VByte(tf), positions as format/positions.h writes them). */
typedef struct ls_inverter_iter {
    const uint8_t *p, *end;
    uint32_t left; /* postings not yet read */
    uint32_t doc;  /* the last document read */
    int started;
    int positions; /* the lists hold positions */
} ls_inverter_iter;

void ls_inverter_iter_init(const ls_inverter *inv, uint32_t key_id, ls_inverter_iter *it);
/** @return 1 with the next posting's document, tf and position bytes [*pos, *pos + *pos_len),
 *  or 0 after the last one. The buffers were written by this inverter, so nothing is checked
 *  beyond the buffer bounds. */
int ls_inverter_iter_next(ls_inverter_iter *it, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                          size_t *pos_len);

#endif
