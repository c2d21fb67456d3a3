/* SPDX-License-Identifier: MIT */
/*
 * test_http.h - what the `serve` and `serve_page` suites share: a small blocking HTTP/1.1
 * client (keep-alive, Content-Length bodies), starting `cisearch serve` on an ephemeral
 * loopback port and stopping it, and a test index of known documents.
 */
#ifndef LS_TEST_SERVE_HTTP_H
#define LS_TEST_SERVE_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

typedef struct th_resp {
    int status;    /* 0 when no reply could be read */
    char *headers; /* the header block, NUL-terminated, malloc'd */
    char *body;    /* NUL-terminated, malloc'd */
    size_t len;
} th_resp;

void th_resp_free(th_resp *r);
/** The value of header `name` in r (case-insensitive), copied into out; 0 when found. */
int th_header(const th_resp *r, const char *name, char *out, size_t cap);

/** A loopback TCP connection to port (10 s send and receive timeouts). @return fd or -1. */
int th_connect(unsigned port);
/**
 * Sends one request on *fd (connecting first when *fd < 0) and reads the reply. The connection
 * stays open for the next request unless the server closes it (then *fd becomes -1).
 * `body` may be NULL. @return 0 with a reply in out, -1 on a transport error (*fd closed).
 */
int th_request(int *fd, unsigned port, const char *method, const char *target,
               const char *extra_headers, const char *body, size_t body_len, th_resp *out);
/** GET on a fresh connection. */
int th_get(unsigned port, const char *target, th_resp *out);
/** GET expecting `status` and a JSON body; returns the parsed body (caller decrefs). */
json_t *th_get_json(unsigned port, const char *target, int status);
/** %-escapes s for a query string or path segment. malloc'd. */
char *th_escape(const char *s);

typedef struct th_server {
    pid_t pid;
    unsigned port;
    char errlog[256]; /* the server's stderr */
} th_server;

/** Starts `cisearch serve --index dir --listen 127.0.0.1:0 [extra...]` and waits (10 s) for
 *  its "listening on" line. Fails the test when it does not come. */
void th_server_start(th_server *s, const char *dir, const char *const *extra);
/** SIGTERM, then waits (10 s) for a clean exit. @return the exit status, or -1. */
int th_server_stop(th_server *s);

/** Number of synthetic documents in th_make_index. */
#define TH_DOCS 60
/** A word found only in document i ("doc-NNN"), for i < TH_DOCS. */
void th_unique_word(unsigned i, char out[16]);
/** Builds an index of TH_DOCS documents in dir: "doc-NNN", title "Report NNN on WORD",
 *  body with the common words "zebra" (every third document) and "lorem" (all). */
void th_make_index(const char *dir);

/** Milliseconds since an arbitrary start (CLOCK_MONOTONIC). */
double th_now_ms(void);

#endif
