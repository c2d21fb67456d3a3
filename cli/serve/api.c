/* SPDX-License-Identifier: MIT */
/*
 * api.c - the JSON endpoints of `cisearch serve`:
 *   GET /search?q=&n=&offset=&syntax=&and=  the object of `cisearch search --format json`
 *       (cli_out_json, so both stay the same), plus "offset", "limit", "took_us" (the search's
 *       time in microseconds) and, per hit with a snippet, "fragments": [{"text", "match"}] cutting
 * the snippet string at its "matches" (a page renders them as text nodes and marks, never as HTML);
 *   GET /doc/ID   one stored document: {"id", "doc", "stamp" (hex), "title", "path", "body"};
 *   GET /stats    ls_index_stats as an object;
 *   GET /health   {"status": "ok", "documents", "generation"}.
 * Every request works on one reference-counted snapshot of the shared reader (snapshot.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli.h"
#include "../out.h"
#include "serve.h"

static const char *const SEARCH_PARAMS[] = {"q", "n", "offset", "syntax", "and", NULL};
static const char *const NO_PARAMS[] = {NULL};

/* Replies with `j` (taken) as compact JSON, or a 500 when it is NULL or cannot be dumped. */
static void reply_json(serve_reply *rep, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (text == NULL) {
        serve_reply_error(rep, 500, (size_t)-1, "cannot build the reply (out of memory)");
        return;
    }
    rep->status = 200;
    rep->body = text;
    rep->len = strlen(text);
}

/* 400 for a caller's mistake in the library's eyes, 500 for the index's or the machine's. */
static void reply_ls_error(serve_reply *rep, int rc, const ls_error *err)
{
    const char *msg = err->message[0] ? err->message : ls_strerror(rc);
    int ours = rc == LS_EQUERY || rc == LS_ELIMIT || rc == LS_EINVAL;
    serve_reply_error(rep, ours ? 400 : 500, rc == LS_EQUERY ? err->position : (size_t)-1, "%s",
                      msg);
}

static int check_params(const serve_params *p, const char *const *allowed, serve_reply *rep)
{
    char msg[160];
    const char *bad = serve_params_check(p, allowed, msg, sizeof msg);
    if (bad != NULL)
        serve_reply_error(rep, 400, (size_t)-1, "%s", bad);
    return bad == NULL ? 0 : -1;
}

/* ---- /search ---- */

static int parse_syntax(const serve_param *p, int *out)
{
    static const struct {
        const char *name;
        int syntax;
    } names[] = {
        {"lenient", LS_SYNTAX_LENIENT}, {"strict", LS_SYNTAX_STRICT}, {"plain", LS_SYNTAX_PLAIN}};
    if (p == NULL) {
        *out = LS_SYNTAX_LENIENT;
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (p->value_len == strlen(names[i].name) &&
            memcmp(p->value, names[i].name, p->value_len) == 0) {
            *out = names[i].syntax;
            return 0;
        }
    }
    return -1;
}

/* Fills opts from the parameters; @return 0, or -1 with a 400 in rep. */
static int search_options(const serve_params *p, ls_search_options *opts, serve_reply *rep)
{
    unsigned long n, offset;
    int and_;
    if (serve_param_uint(serve_param_get(p, "n"), 10, SERVE_MAX_N, &n) != 0) {
        serve_reply_error(rep, 400, (size_t)-1, "n must be a number from 0 to %u", SERVE_MAX_N);
        return -1;
    }
    if (serve_param_uint(serve_param_get(p, "offset"), 0, SERVE_MAX_OFFSET, &offset) != 0) {
        serve_reply_error(rep, 400, (size_t)-1, "offset must be a number from 0 to %u",
                          SERVE_MAX_OFFSET);
        return -1;
    }
    if (parse_syntax(serve_param_get(p, "syntax"), &opts->syntax) != 0) {
        serve_reply_error(rep, 400, (size_t)-1, "syntax must be lenient, strict or plain");
        return -1;
    }
    if (serve_param_bool(serve_param_get(p, "and"), 0, &and_) != 0) {
        serve_reply_error(rep, 400, (size_t)-1, "and must be 1 or 0 (true or false)");
        return -1;
    }
    opts->limit = n;
    opts->offset = offset;
    opts->default_and = and_;
    opts->snippets = 1;
    return 0;
}

/* The `--format json` object of the hits, exactly as the CLI prints it. */
static json_t *cli_json(const char *q, size_t len, const ls_hits *hits, size_t offset)
{
    cli_result r = {.query = q, .query_len = len, .hits = hits, .offset = offset};
    cli_out_opts o = {0, 0, 1, NULL, 0};
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    int rc = cli_out_json(f, &r, &o);
    if (fclose(f) != 0)
        rc = -1;
    json_t *j = rc == 0 ? json_loadb(buf, size, JSON_ALLOW_NUL, NULL) : NULL;
    free(buf);
    return j;
}

static int add_fragment(json_t *arr, const char *s, size_t len, int match)
{
    if (len == 0)
        return 0;
    json_t *t = json_stringn(s, len);
    return t == NULL
               ? -1
               : json_array_append_new(arr, json_pack("{s:o,s:b}", "text", t, "match", match));
}

/* hit.fragments from hit.snippet (valid UTF-8, flattened) and hit.matches [[start, len]...]. */
static int add_fragments(json_t *hit)
{
    json_t *sn = json_object_get(hit, "snippet"), *m = json_object_get(hit, "matches");
    if (!json_is_string(sn) || !json_is_array(m))
        return 0;
    const char *s = json_string_value(sn);
    size_t len = json_string_length(sn), at = 0;
    json_t *frags = json_array();
    int rc = frags == NULL ? -1 : 0;
    for (size_t i = 0; i < json_array_size(m); i++) {
        const json_t *pair = json_array_get(m, i);
        json_int_t off = json_integer_value(json_array_get(pair, 0));
        json_int_t n = json_integer_value(json_array_get(pair, 1));
        if (rc != 0 || off < (json_int_t)at || n <= 0 || (size_t)off > len ||
            (size_t)n > len - (size_t)off)
            continue; /* out of order or out of range: leave it as text */
        rc = add_fragment(frags, s + at, (size_t)off - at, 0);
        if (rc == 0)
            rc = add_fragment(frags, s + off, (size_t)n, 1);
        at = (size_t)(off + n);
    }
    if (rc == 0)
        rc = add_fragment(frags, s + at, len - at, 0);
    return rc == 0 ? json_object_set_new(hit, "fragments", frags) : (json_decref(frags), -1);
}

static json_t *search_json(const char *q, size_t len, const ls_hits *hits,
                           const ls_search_options *opts, json_int_t took_us)
{
    json_t *j = cli_json(q, len, hits, opts->offset);
    if (j == NULL)
        return NULL;
    const json_t *arr = json_object_get(j, "hits");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (add_fragments(json_array_get(arr, i)) != 0) {
            json_decref(j);
            return NULL;
        }
    }
    if (json_object_set_new(j, "offset", json_integer((json_int_t)opts->offset)) != 0 ||
        json_object_set_new(j, "limit", json_integer((json_int_t)opts->limit)) != 0 ||
        json_object_set_new(j, "took_us", json_integer(took_us)) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_int_t elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (json_int_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

void serve_api_search(const serve_params *p, serve_reply *rep)
{
    ls_search_options opts = LS_SEARCH_OPTIONS_INIT;
    const serve_param *q = serve_param_get(p, "q");
    if (check_params(p, SEARCH_PARAMS, rep) != 0 || search_options(p, &opts, rep) != 0)
        return;
    if (q == NULL || q->value_len == 0) {
        serve_reply_error(rep, 400, (size_t)-1, "missing query: /search?q=WORDS");
        return;
    }
    if (q->value_len > SERVE_MAX_Q_BYTES) {
        serve_reply_error(rep, 400, (size_t)-1, "query longer than %u bytes", SERVE_MAX_Q_BYTES);
        return;
    }
    serve_snap *s = serve_snap_acquire();
    ls_hits *hits = NULL;
    ls_error err = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ls_search(serve_snap_reader(s), q->value, q->value_len, &opts, &hits, &err);
    json_int_t took = elapsed_us(&t0);
    if (rc != LS_OK)
        reply_ls_error(rep, rc, &err);
    else
        reply_json(rep, search_json(q->value, q->value_len, hits, &opts, took));
    ls_hits_free(hits);
    serve_snap_release(s);
}

/* ---- /doc/ID ---- */

static json_t *hex(const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *h = malloc(2 * len + 1);
    if (h == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        h[2 * i] = digits[((const unsigned char *)data)[i] >> 4];
        h[2 * i + 1] = digits[((const unsigned char *)data)[i] & 15];
    }
    json_t *j = json_stringn(h, 2 * len);
    free(h);
    return j;
}

static json_t *text_json(const char *id, size_t len)
{
    json_t *j = json_stringn(id, len);
    if (j != NULL)
        return j;
    cli_buf fixed = CLI_BUF_INIT; /* invalid UTF-8 shown as U+FFFD */
    if (cli_utf8_fix(id, len, &fixed) == 0)
        j = json_stringn(fixed.p ? fixed.p : "", fixed.len);
    cli_buf_free(&fixed);
    return j;
}

void serve_api_doc(const char *id, size_t id_len, const serve_params *p, serve_reply *rep)
{
    if (check_params(p, NO_PARAMS, rep) != 0)
        return;
    if (id_len == 0 || id_len > LS_MAX_ID_BYTES) {
        serve_reply_error(rep, 400, (size_t)-1, "a document id has 1 to %u bytes: /doc/ID",
                          LS_MAX_ID_BYTES);
        return;
    }
    serve_snap *s = serve_snap_acquire();
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ls_error err = {0};
    int rc = ls_reader_get(serve_snap_reader(s), id, id_len, &info, &err);
    if (rc == LS_ENOTFOUND)
        serve_reply_error(rep, 404, (size_t)-1, "no document with that id");
    else if (rc != LS_OK)
        reply_ls_error(rep, rc, &err);
    ls_stored_document *d = NULL;
    if (rc == LS_OK && (rc = ls_reader_document(serve_snap_reader(s), info.doc, &d, &err)) != LS_OK)
        reply_ls_error(rep, rc, &err);
    else if (rc == LS_OK)
        reply_json(rep, json_pack("{s:o?,s:I,s:o?,s:o?,s:o?,s:o?}", "id", text_json(id, id_len),
                                  "doc", (json_int_t)info.doc, "stamp",
                                  hex(info.stamp, info.stamp_len), "title",
                                  text_json(d->title, d->title_len), "path",
                                  text_json(d->path, d->path_len), "body",
                                  text_json(d->body, d->body_len)));
    ls_stored_document_free(d);
    serve_snap_release(s);
}

/* ---- /stats and /health ---- */

/* The object of `cisearch stats --format json`. */
static json_t *stats_json(const ls_index_stats *st)
{
    return cli_stats_json(serve_reader_dir(), st);
}

/* Calls fn with the current snapshot's statistics, or replies with the error. */
static void with_stats(const serve_params *p, serve_reply *rep,
                       json_t *(*fn)(const ls_index_stats *))
{
    if (check_params(p, NO_PARAMS, rep) != 0)
        return;
    serve_snap *s = serve_snap_acquire();
    const ls_index_stats *st = NULL;
    ls_error err = {0};
    int rc = serve_snap_stats(s, &st, &err);
    if (rc != LS_OK)
        reply_ls_error(rep, rc, &err);
    else
        reply_json(rep, fn(st));
    serve_snap_release(s);
}

static json_t *health_json(const ls_index_stats *st)
{
    return json_pack("{s:s,s:I,s:I}", "status", "ok", "documents", (json_int_t)st->documents,
                     "generation", (json_int_t)st->generation);
}

void serve_api_stats(const serve_params *p, serve_reply *rep)
{
    with_stats(p, rep, stats_json);
}

void serve_api_health(const serve_params *p, serve_reply *rep)
{
    with_stats(p, rep, health_json);
}
