/* SPDX-License-Identifier: MIT */
/*
 * wire.h - the bytes cisearch-mpi's ranks send each other: fixed-width little-endian numbers,
 * doubles bit for bit, and length-prefixed byte strings packed into a cli_buf, read back
 * with every length checked (a short or damaged message is an error, never a wild read).
 */
#ifndef CISEARCH_MPI_WIRE_H
#define CISEARCH_MPI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../cbuf.h"

void wire_u64(cli_buf *b, uint64_t v);
void wire_f64(cli_buf *b, double v);
/** A byte string: its length, then its bytes. */
void wire_bytes(cli_buf *b, const void *p, size_t len);

typedef struct wire_reader {
    const unsigned char *p, *end;
    int bad; /* a read ran past the end: every later read gives 0 / NULL */
} wire_reader;

void wire_reader_init(wire_reader *r, const void *p, size_t len);
uint64_t wire_get_u64(wire_reader *r);
double wire_get_f64(wire_reader *r);
/** A byte string (borrowed from the message; *len bytes, followed by no NUL). */
const char *wire_get_bytes(wire_reader *r, size_t *len);

#endif
