/* SPDX-License-Identifier: MIT */
/*
 * out_json.c - the JSON format of `cisearch search`, built with jansson: one indented document
 * per query, or one compact line per query (with "qid") in batch mode. Snippets are plain
 * flattened strings with "matches": [[start, length], ...] byte offsets into them.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

/* A JSON string; invalid UTF-8 (allowed in documents) is replaced rather than refused. */
static json_t *jstr(const char *s, size_t len)
{
    json_t *j = json_stringn(s ? s : "", s ? len : 0);
    if (j != NULL || s == NULL)
        return j;
    cli_buf fixed = CLI_BUF_INIT;
    if (cli_utf8_fix(s, len, &fixed) == 0)
        j = json_stringn(fixed.p ? fixed.p : "", fixed.len);
    cli_buf_free(&fixed);
    return j;
}

static json_t *jreal(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Sets obj[key] = v, taking v; fails when v is NULL (allocation failed). */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

static int add_snippet(json_t *hit, const ls_snippet *sn)
{
    cli_flat fl = {CLI_BUF_INIT, NULL, 0};
    json_t *spans = json_array();
    int rc = spans == NULL ? -1 : cli_flatten(sn->text, sn->len, sn->matches, sn->n_matches, &fl);
    for (size_t i = 0; rc == 0 && i < fl.n_spans; i++) {
        json_t *pair = json_pack("[II]", (json_int_t)fl.spans[i].offset,
                                 (json_int_t)fl.spans[i].length);
        rc = pair == NULL ? -1 : json_array_append_new(spans, pair);
    }
    if (rc == 0)
        rc = put(hit, "snippet", jstr(fl.text.p, fl.text.len));
    if (rc == 0) {
        rc = json_object_set_new(hit, "matches", spans);
        spans = NULL;
    }
    json_decref(spans);
    cli_flat_free(&fl);
    return rc;
}

static json_t *explain_term(const ls_term_explain *t)
{
    json_t *o = json_object();
    const char *term = t->term ? t->term : "", *field = t->field ? t->field : "";
    if (o == NULL || put(o, "term", jstr(term, strlen(term))) != 0 ||
        put(o, "field", jstr(field, strlen(field))) != 0 || put(o, "tf", jreal(t->tf)) != 0 ||
        put(o, "df", jreal(t->df)) != 0 || put(o, "idf", jreal(t->idf)) != 0 ||
        put(o, "doc_len", jreal(t->doc_len)) != 0 || put(o, "avg_len", jreal(t->avg_len)) != 0 ||
        put(o, "k1", jreal(t->k1)) != 0 || put(o, "b", jreal(t->b)) != 0 ||
        put(o, "weight", jreal(t->weight)) != 0 || put(o, "score", jreal(t->score)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int add_explain(json_t *hit, const ls_explain *ex)
{
    json_t *arr = json_array();
    if (arr == NULL)
        return -1;
    for (size_t i = 0; i < ex->n_terms; i++) {
        json_t *t = explain_term(&ex->terms[i]);
        if (t == NULL || json_array_append_new(arr, t) != 0) {
            json_decref(arr);
            return -1;
        }
    }
    return json_object_set_new(hit, "explain", arr);
}

static json_t *hit_json(const ls_hit *h, size_t rank, const cli_out_opts *o)
{
    json_t *j = json_object();
    if (j == NULL || put(j, "rank", json_integer((json_int_t)rank)) != 0 ||
        put(j, "id", jstr(h->id, h->id_len)) != 0 ||
        put(j, "title", jstr(h->title, h->title_len)) != 0 ||
        put(j, "score", jreal(h->score)) != 0)
        goto fail;
    if (h->path != NULL && h->path_len > 0 && put(j, "path", jstr(h->path, h->path_len)) != 0)
        goto fail;
    if (o->indexes != NULL && h->index < o->n_indexes &&
        (put(j, "index", json_integer((json_int_t)h->index)) != 0 ||
         put(j, "index_dir", json_string(o->indexes[h->index])) != 0))
        goto fail;
    if (h->snippet != NULL && add_snippet(j, h->snippet) != 0)
        goto fail;
    if (o->explain && h->explain != NULL && add_explain(j, h->explain) != 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

static json_t *result_json(const cli_result *r, const cli_out_opts *o)
{
    json_t *j = json_object(), *hits = json_array();
    size_t n = cli_result_count(r);
    if (j == NULL || hits == NULL)
        goto fail;
    if (r->qid != NULL && put(j, "qid", jstr(r->qid, strlen(r->qid))) != 0)
        goto fail;
    if (put(j, "query", jstr(r->query, r->query_len)) != 0 ||
        put(j, "total_hits", json_integer((json_int_t)cli_result_total(r))) != 0 ||
        put(j, "total_exact", json_boolean(cli_result_exact(r))) != 0)
        goto fail;
    if (r->partial != NULL && put(j, "partial", jstr(r->partial, strlen(r->partial))) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const ls_hit *h = cli_result_hit(r, i);
        json_t *hj = h ? hit_json(h, r->offset + i + 1, o) : NULL;
        if (hj == NULL || json_array_append_new(hits, hj) != 0)
            goto fail;
    }
    if (json_object_set_new(j, "hits", hits) != 0) {
        hits = NULL; /* set_new consumed it even on failure */
        goto fail;
    }
    return j;
fail:
    json_decref(hits);
    json_decref(j);
    return NULL;
}

int cli_out_json(FILE *f, const cli_result *r, const cli_out_opts *o)
{
    json_t *j = result_json(r, o);
    char *text = j ? json_dumps(j, o->batch ? JSON_COMPACT : JSON_INDENT(2)) : NULL;
    json_decref(j);
    if (text == NULL)
        return -1;
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return 0;
}
