/* SPDX-License-Identifier: MIT */
/*
 * stored.h - stored fields of a segment (FORMAT.md "StoredFields"):
 *   StoredBody --> Chunk^C, Meta, ChunkIndex, Trailer
 *   Chunk      --> HeadCheck u32, RawLen u32, CompLen u32, RawCheck u32, zlib(DocRecord^m)
 *   DocRecord  --> (VByte(len), bytes) for id, title, body, path
 *   Meta       --> PagedBody of (MetaOffset u64^(ndocs + 1), MetaRecord^ndocs)
 *   MetaRecord --> (VByte(len), bytes) for id, title, path
 *   ChunkIndex --> (FirstDoc u32, Offset u64)^C
 *   Trailer    --> IndexOffset u64, C u32, ndocs u32, MetaStart u64, IndexCheck u32
 * Meta repeats each document's short fields uncompressed, in checked 4 KiB pages (format/
 * pages.h), so a hit list (id, title, path) reads a few bytes instead of inflating the chunk
 * that holds the document's body: kernel source files average 16 KB, and inflating their
 * chunks was 95% of a rare-term query. The chunks keep all four fields, so a snippet or
 * feedback fetch inflates one chunk and a merge still copies chunks whole.
 * Documents are packed until a chunk holds about 16 KiB, then it is compressed with zlib
 * (16 KiB rather than 32: fetching a random document inflates half as much; queries with
 * feedback ran 1.45x faster for 2.9% more index, bench-quick corpus). RawCheck is the block
 * check (codec/blockcheck.h) of the uncompressed bytes: zlib's Adler-32 alone was seen to
 * miss a corruption. HeadCheck covers the three lengths and checks after it and the compressed
 * bytes: verified before any allocation is sized from RawLen, and before the merger copies a
 * whole compressed chunk (of documents that all survive), so it never copies damage.
 * IndexCheck covers the chunk index and the 16 trailer bytes before it (the document count
 * included).
 */
#ifndef LS_FORMAT_STORED_H
#define LS_FORMAT_STORED_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "format/pages.h"
#include "util/buf.h"
#include "util/fileio.h"

#define LS_STORED_CHUNK (16u * 1024u)
/** The DocRecord fields (0 id, 1 title, 2 body, 3 path) that Meta repeats, in its order. */
#define LS_STORED_META_FIELDS {0, 1, 3}
#define LS_STORED_CHUNK_HEADER 16u

typedef struct ls_stored_writer {
    ls_fwriter *w;
    ls_buf raw;      /* current chunk, uncompressed */
    ls_buf comp;     /* compression scratch */
    ls_buf index;    /* (first doc u32, offset u64) per chunk */
    ls_buf meta;     /* MetaRecords */
    ls_buf meta_off; /* MetaOffset of each document so far (relative to the records) */
    uint32_t ndocs;
    uint32_t nmeta;  /* documents whose MetaRecord is in meta */
    uint32_t chunk_first;
    struct ls_zchunk_writer *zw; /* made at the first chunk */
} ls_stored_writer;

void ls_stored_writer_init(ls_stored_writer *sw, ls_fwriter *w);
/** Appends a document's four fields. */
int ls_stored_add(ls_stored_writer *sw, const char *const fields[4], const size_t lens[4],
                  ls_error *err);
/** Appends a whole chunk of `ndocs` documents as it was read from another segment
 *  (ls_stored_chunk): the chunk being filled is written first. The caller then gives the
 *  documents' short fields with ls_stored_add_meta, in order. */
int ls_stored_add_chunk(ls_stored_writer *sw, const uint8_t *chunk, size_t len, uint32_t ndocs,
                        ls_error *err);
/** The id, title and path of the next document of a copied chunk. */
int ls_stored_add_meta(ls_stored_writer *sw, const char *const fields[3], const size_t lens[3],
                       ls_error *err);
/** Flushes the last chunk, writes meta, index and trailer (not the footer), frees buffers.
 *  Every document must have its short fields (LS_EINVAL otherwise). */
int ls_stored_finish(ls_stored_writer *sw, ls_error *err);
void ls_stored_writer_free(ls_stored_writer *sw);

typedef struct ls_stored {
    const uint8_t *body;
    size_t body_len;        /* the chunks' bytes: [0, MetaStart) */
    const uint8_t *index;
    uint32_t nchunks;
    uint32_t ndocs;
    atomic_int index_state; /* 0 not verified yet, 1 verified, -1 damaged */
    ls_pages meta;          /* MetaOffsets, then MetaRecords */
} ls_stored;

/** Reads the trailer and the meta page table. @return LS_OK, LS_ECORRUPT or LS_ENOMEM;
 *  release with ls_stored_close (also after a failure). */
int ls_stored_open(ls_stored *s, const uint8_t *body, size_t body_len);
void ls_stored_close(ls_stored *s);

/** A decompressed chunk kept by the caller between lookups (one per thread). */
typedef struct ls_stored_cache {
    uint32_t chunk; /* UINT32_MAX = none */
    ls_buf raw;
} ls_stored_cache;
#define LS_STORED_CACHE_INIT {UINT32_MAX, LS_BUF_INIT}
void ls_stored_cache_free(ls_stored_cache *c);

/** Finds doc's fields; ptrs point into cache->raw (valid until the next lookup).
 *  @return LS_OK, LS_ECORRUPT, LS_ENOMEM, LS_EINVAL (doc out of range). */
int ls_stored_get(const ls_stored *s, uint32_t doc, ls_stored_cache *cache,
                  const char *fields_out[4], size_t lens_out[4]);

/** doc's id, title and path (fields_out[0..2]), pointing into the mapped file; no
 *  decompression. @return LS_OK, LS_ECORRUPT, LS_EINVAL (doc out of range). */
int ls_stored_meta(const ls_stored *s, uint32_t doc, const char *fields_out[3],
                   size_t lens_out[3]);

/** Chunk c as stored (header included) and the documents [*first, *first + *ndocs) it holds.
 *  @return LS_OK or LS_ECORRUPT. */
int ls_stored_chunk(const ls_stored *s, uint32_t c, const uint8_t **chunk, size_t *len,
                    uint32_t *first, uint32_t *ndocs);

#endif
