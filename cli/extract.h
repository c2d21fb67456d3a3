/* SPDX-License-Identifier: MIT */
/*
 * extract.h - what `cisearch index` indexes of a file: its title and body text, by kind.
 * Plain text: the first non-blank line and the rest. HTML: the <title> (else the first <h1>,
 * else the first line) and the visible text, tags, scripts, styles and comments removed and
 * entities decoded. Markdown: the front matter's title or the first heading, and the text
 * without the front matter. Gzip files (name.gz) are decompressed first, under a size cap, and
 * the name without .gz chooses the kind. One pass over the input; pure functions, no I/O.
 */
#ifndef CISEARCH_EXTRACT_H
#define CISEARCH_EXTRACT_H

#include <stddef.h>

typedef struct cli_extracted {
    char *title;       /* malloc'd, NUL-terminated; "" when the file has none */
    size_t title_len;  /* at most CLI_TITLE_MAX_BYTES */
    char *body;        /* malloc'd, NUL-terminated */
    size_t body_len;
    const char *kind;  /* "text", "html" or "markdown" (static) */
} cli_extracted;

/* Titles are cut at a UTF-8 character boundary at or under this, then trailing blanks
 * trimmed (bytes that are not UTF-8 are cut at the limit). */
#define CLI_TITLE_MAX_BYTES 200
/* The default cap on the size of a decompressed file. */
#define CLI_GZIP_MAX_BYTES (256u << 20)
/* A file is binary when the first this many bytes of its (decompressed) content hold a NUL,
 * as git and grep decide. */
#define CLI_EXTRACT_PROBE_BYTES 8192

enum {
    CLI_EXTRACT_OK = 0,
    CLI_EXTRACT_BINARY = 1,    /* a NUL in the first CLI_EXTRACT_PROBE_BYTES */
    CLI_EXTRACT_TOO_LARGE = 2, /* decompressed content over the cap */
    CLI_EXTRACT_BAD_GZIP = 3,  /* not gzip, damaged, truncated or followed by garbage */
    CLI_EXTRACT_NOMEM = 4
};

/**
 * Extracts the title and body of the file `name` (a name or path; NULL: plain text) holding
 * data[0..len) (need not be NUL-terminated).
 * Kind: the base name's suffix, case-insensitive: .html .htm .xhtml .shtml are HTML, .md
 * .markdown .mdown Markdown, anything else plain text; a .gz suffix means gzip and the name
 * without it chooses the kind (page.html.gz is HTML). Content that begins, after a byte order
 * mark, blanks, an <?xml ...?> declaration and comments, with "<!DOCTYPE html" or "<html"
 * (any case) is HTML whatever the name.
 * Gzip: concatenated members are read as one; zero bytes after the last member are ignored.
 * `max_bytes` caps the decompressed size (0: CLI_GZIP_MAX_BYTES); at most cap + 2 bytes are
 * ever allocated for it. Content that is not compressed is not capped (it is in memory).
 * Binary content is found within the first CLI_EXTRACT_PROBE_BYTES decompressed, so it is
 * told before the size cap is reached.
 * @return CLI_EXTRACT_OK with *out filled (free it with cli_extracted_free), or another
 *         CLI_EXTRACT_* code with *out zeroed. `why` (may be NULL) is set to a short static
 *         reason on failure ("truncated gzip data", ...) and to NULL on success.
 */
int cli_extract(const char *name, const char *data, size_t len, size_t max_bytes,
                cli_extracted *out, const char **why);

/** Frees what cli_extract filled and zeroes *e; NULL and a zeroed *e are fine. */
void cli_extracted_free(cli_extracted *e);

#endif
