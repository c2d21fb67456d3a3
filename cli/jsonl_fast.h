/* SPDX-License-Identifier: MIT */
/*
 * jsonl_fast.h - the common JSON line read without jansson: one flat object whose members
 * are ASCII strings (with the simple escapes and \uXXXX outside the surrogates), integers
 * or null, each key at most once. A line of that shape is decoded here; anything else
 * (non-ASCII bytes, nesting, reals, true/false, surrogate pairs, a repeated key, any syntax
 * error) is left to jansson, so what is accepted, refused and told stays jansson's. Parsing
 * with jansson was a third of one-thread indexing (perf, kernel tree); the differential test
 * (tests/unit/test_jsonl_fast.c) holds this reader to jansson on random and edge lines.
 */
#ifndef CLI_JSONL_FAST_H
#define CLI_JSONL_FAST_H

#include <stddef.h>

/** The members source.c reads: id, title, body, path. */
enum { JF_ID, JF_TITLE, JF_BODY, JF_PATH, JF_FIELDS };

typedef struct jf_line {
    const char *v[JF_FIELDS]; /* NULL: absent or null */
    size_t len[JF_FIELDS];    /* an integer id: its decimal digits, as jansson prints it */
} jf_line;

/**
 * Reads line[0..n) (it may end in "\n" or "\r\n"), decoding the strings into scratch (room
 * for n bytes).
 * @return 1 when the line has the simple shape (out filled, pointing into scratch), 0 when it
 *         must go to jansson.
 */
int jf_parse(const char *line, size_t n, char *scratch, jf_line *out);

#endif
