/* SPDX-License-Identifier: MIT */
/*
 * fileheader.h - the header and footer every index file carries (FORMAT.md "File"):
 *   File   --> Header, Body, Footer
 *   Header --> Magic u32, FormatVersion u32
 *   Footer --> Tag u64, BodyLength u64, FooterMagic u32, Crc32 u32 (crc of every byte before)
 * Tag binds a file to its owner: a segment's files carry the segment's tag (recorded in the
 * manifest), a deletions file its segment's tag mixed with its generation, so a file copied
 * or renamed from another segment or index is refused (the manifest's tag is 0).
 * Writers go through ls_fwriter; readers map the file and check the frame before use.
 */
#ifndef LS_FORMAT_FILEHEADER_H
#define LS_FORMAT_FILEHEADER_H

#include <stddef.h>
#include <stdint.h>

#include "util/fileio.h"

#define LS_FORMAT_VERSION 7u
#define LS_HEADER_SIZE 8u
#define LS_FOOTER_SIZE 24u
#define LS_FOOTER_MAGIC 0x544f464cu /* "LFOT" */

#define LS_MAGIC_DICT 0x4454534cu     /* "LSTD" term dictionary */
#define LS_MAGIC_POSTINGS 0x4f50534cu /* "LSPO" doc ids + freqs */
#define LS_MAGIC_POSITIONS 0x5350534cu /* "LSPS" positions */
#define LS_MAGIC_DOCLENS 0x4c44534cu  /* "LSDL" document lengths */
#define LS_MAGIC_STORED 0x4653534cu   /* "LSSF" stored fields */
#define LS_MAGIC_MANIFEST 0x464d534cu /* "LSMF" manifest */
#define LS_MAGIC_IDS 0x4449534cu      /* "LSID" id dictionary */
#define LS_MAGIC_DELETES 0x5844534cu  /* "LSDX" deletions of a segment */

int ls_header_write(ls_fwriter *w, uint32_t magic, ls_error *err);
/** Writes the footer (w->tag, the body length = bytes since the header) and finishes the
 *  file (fsync). */
int ls_footer_finish(ls_fwriter *w, ls_error *err);

/** A mapped, frame-checked file: body points between header and footer. */
typedef struct ls_ifile {
    ls_map map;
    const uint8_t *body;
    size_t body_len;
    char *path;
    uint64_t tag; /* the footer's Tag */
} ls_ifile;

/**
 * Maps path and checks magic, format version, footer magic and body length (not the crc).
 * @return LS_OK, LS_ENOTFOUND, LS_EIO, LS_ECORRUPT (bad frame), LS_EFORMAT (another format
 *         version: a newer one, or an older one that must be re-indexed).
 */
int ls_ifile_open(ls_ifile *f, const char *path, uint32_t magic, ls_error *err);
/** Verifies the crc32 of the whole file. @return LS_OK or LS_ECORRUPT. */
int ls_ifile_verify(const ls_ifile *f, ls_error *err);
void ls_ifile_close(ls_ifile *f);
/** Frame checks on a buffer already in memory (the manifest), crc included. */
int ls_frame_check(const uint8_t *data, size_t size, uint32_t magic, const char *path,
                   const uint8_t **body, size_t *body_len, ls_error *err);

#endif
