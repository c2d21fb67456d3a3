/* SPDX-License-Identifier: MIT */
/*
 * serve.h - what the files of `cisearch serve` share: the configuration, the shared reader
 * (snapshot.c), the request limits, the HTTP layer (http.c), the JSON endpoints (api.c), the
 * query-string parameters (params.c) and the embedded search page (page asset, generated at
 * build time by embed.sh). Internal to cli/serve/; the library is seen only through
 * libsearch.h.
 */
#ifndef CISEARCH_SERVE_H
#define CISEARCH_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "../cli.h"
#include "libsearch.h"

/* Request limits (also in `cisearch serve --help`). */
#define SERVE_MAX_N 100u                              /* hits per page (n) */
#define SERVE_MAX_OFFSET 10000u                       /* first hit skipped (offset) */
#define SERVE_MAX_PARAMS 16u                          /* query-string parameters of one request */
#define SERVE_MAX_URL_BYTES (4u * LS_MAX_QUERY_BYTES) /* a q of LS_MAX_QUERY_BYTES, %-escaped */
/* The longest q served: a search box needs far less than the library's LS_MAX_QUERY_BYTES,
 * and a query of thousands of clauses can hold a worker thread for seconds. */
#define SERVE_MAX_Q_BYTES 4096u
#define SERVE_CONN_MEMORY (SERVE_MAX_URL_BYTES + 65536u) /* per-connection buffer (MHD) */

typedef struct serve_config {
    const char *index_dirs[CLI_MAX_INDEX_OPTIONS]; /* --index, repeatable: several as one */
    size_t n_index_dirs;
    const char *listen;       /* HOST:PORT, [V6]:PORT */
    unsigned threads;         /* MHD thread pool size */
    unsigned max_connections; /* open connections at once */
    unsigned timeout_s;       /* idle connection timeout */
    unsigned reopen_ms;       /* minimum interval between checks for a new commit */
} serve_config;

/* ---- the shared reader (snapshot.c) ---- */

/** One commit's reader, shared by the requests that hold a reference to it. */
typedef struct serve_snap serve_snap;

/** Takes ownership of `r` (opened on `dir`, which must outlive the holder). @return 0 or -1. */
int serve_reader_init(ls_reader *r, const char *dir, unsigned reopen_ms);
/** The directory given to serve_reader_init. */
const char *serve_reader_dir(void);
/** Drops the holder's reference; the reader closes when the last request releases it. */
void serve_reader_shutdown(void);
/** A reference to the newest snapshot, first checking for a new commit when reopen_ms have
 *  passed since the last check. Never NULL between init and shutdown. */
serve_snap *serve_snap_acquire(void);
void serve_snap_release(serve_snap *s);
const ls_reader *serve_snap_reader(const serve_snap *s);
/** The snapshot's statistics, computed once per snapshot. @return LS_OK or an LS_E* code. */
int serve_snap_stats(serve_snap *s, const ls_index_stats **out, ls_error *err);

/* ---- query-string parameters (params.c) ---- */

typedef struct serve_param {
    const char *key;
    const char *value; /* MHD-decoded; may hold NUL bytes */
    size_t value_len;
} serve_param;

typedef struct serve_params {
    serve_param items[SERVE_MAX_PARAMS];
    size_t n;
    int too_many; /* more than SERVE_MAX_PARAMS were sent */
} serve_params;

/** The value of `key`, or NULL. */
const serve_param *serve_param_get(const serve_params *p, const char *key);
/**
 * Checks that every parameter is one of `allowed` (NULL-terminated) and none repeats.
 * @return NULL, or a static-format message written into msg[0..cap).
 */
const char *serve_params_check(const serve_params *p, const char *const *allowed, char *msg,
                               size_t cap);
/** Parses an unsigned decimal of at most `max`; NULL param = `dflt`. @return 0 or -1. */
int serve_param_uint(const serve_param *p, unsigned long dflt, unsigned long max,
                     unsigned long *out);
/** 1/true/yes/on or 0/false/no/off; NULL param = `dflt`. @return 0 or -1. */
int serve_param_bool(const serve_param *p, int dflt, int *out);

/* ---- responses (http.c builds them, api.c fills them) ---- */

typedef struct serve_reply {
    unsigned status;
    char *body; /* malloc'd JSON text */
    size_t len;
} serve_reply;

/** Sets a JSON error reply {"error": msg} (plus "position" when pos != (size_t)-1). */
void serve_reply_error(serve_reply *rep, unsigned status, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the JSON endpoints (api.c) ---- */

void serve_api_search(const serve_params *p, serve_reply *rep);
void serve_api_doc(const char *id, size_t id_len, const serve_params *p, serve_reply *rep);
void serve_api_stats(const serve_params *p, serve_reply *rep);
void serve_api_health(const serve_params *p, serve_reply *rep);

/* ---- the HTTP server (http.c) ---- */

typedef struct serve_http serve_http;

/** Starts listening. @return the server, or NULL after printing why. */
serve_http *serve_http_start(const serve_config *cfg);
/** The port actually bound (the real one when 0 was asked for). */
unsigned serve_http_port(const serve_http *h);
void serve_http_stop(serve_http *h);

/* ---- the search page (generated from page.html by embed.sh) ---- */

extern const unsigned char serve_page_html[];
extern const size_t serve_page_html_len;

#endif
