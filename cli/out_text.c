/* SPDX-License-Identifier: MIT */
/*
 * out_text.c - the human format of `cisearch search`: "RANK. SCORE  ID  TITLE", an indented
 * snippet with "…" where it cuts its field and matches in bold (only on a terminal), optional
 * explain lines, and a closing "N of TOTAL hits". Everything printed is flattened first.
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"

#define MATCH "\033[1;31m" /* matched words: bold red, as grep and ripgrep */
#define TITLE "\033[1;35m" /* titles: bold magenta, as ripgrep's file names */
#define PLAIN "\033[0m"
#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 */

/* Prints s[0..len) flattened; no spans. */
static int put_flat(FILE *f, const char *s, size_t len)
{
    cli_flat fl = {CLI_BUF_INIT, NULL, 0};
    int rc = cli_flatten(s, len, NULL, 0, &fl);
    if (rc == 0 && fl.text.len > 0)
        fwrite(fl.text.p, 1, fl.text.len, f);
    cli_flat_free(&fl);
    return rc;
}

static int put_snippet(FILE *f, const ls_snippet *sn, int color)
{
    cli_flat fl = {CLI_BUF_INIT, NULL, 0};
    if (cli_flatten(sn->text, sn->len, sn->matches, sn->n_matches, &fl) != 0) {
        cli_flat_free(&fl);
        return -1;
    }
    if (fl.text.len > 0) {
        const char *t = fl.text.p;
        size_t pos = 0;
        fputs("    ", f);
        if (!sn->starts_field)
            fputs(ELLIPSIS, f);
        for (size_t i = 0; i < fl.n_spans; i++) {
            const ls_span *sp = &fl.spans[i];
            fwrite(t + pos, 1, sp->offset - pos, f);
            if (color)
                fputs(MATCH, f);
            fwrite(t + sp->offset, 1, sp->length, f);
            if (color)
                fputs(PLAIN, f);
            pos = sp->offset + sp->length;
        }
        fwrite(t + pos, 1, fl.text.len - pos, f);
        if (!sn->ends_field)
            fputs(ELLIPSIS, f);
        fputc('\n', f);
    }
    cli_flat_free(&fl);
    return 0;
}

static int put_explain(FILE *f, const ls_explain *ex)
{
    for (size_t i = 0; i < ex->n_terms; i++) {
        const ls_term_explain *t = &ex->terms[i];
        const char *term = t->term ? t->term : "", *field = t->field ? t->field : "";
        fputs("    explain: \"", f);
        if (put_flat(f, term, strlen(term)) != 0)
            return -1;
        fputs("\" in ", f);
        if (put_flat(f, field, strlen(field)) != 0)
            return -1;
        fprintf(f,
                ": tf=%g df=%g idf=%.4f doc_len=%g avg_len=%.2f k1=%g b=%g weight=%g "
                "score=%.4f (N=%g)\n",
                t->tf, t->df, t->idf, t->doc_len, t->avg_len, t->k1, t->b, t->weight, t->score,
                ex->n_docs);
    }
    return 0;
}

static int put_hit(FILE *f, const ls_hit *h, size_t rank, const cli_out_opts *o)
{
    fprintf(f, "%zu. %.4f  ", rank, h->score);
    if (put_flat(f, h->id, h->id_len) != 0)
        return -1;
    fputs("  ", f);
    if (o->color)
        fputs(TITLE, f);
    if (put_flat(f, h->title, h->title_len) != 0)
        return -1;
    if (o->color)
        fputs(PLAIN, f);
    if (o->indexes != NULL && h->index < o->n_indexes) {
        fputs("  (in ", f);
        if (put_flat(f, o->indexes[h->index], strlen(o->indexes[h->index])) != 0)
            return -1;
        fputc(')', f);
    }
    fputc('\n', f);
    if (h->snippet != NULL && put_snippet(f, h->snippet, o->color) != 0)
        return -1;
    if (o->explain && h->explain != NULL && put_explain(f, h->explain) != 0)
        return -1;
    return 0;
}

int cli_out_text(FILE *f, const cli_result *r, const cli_out_opts *o)
{
    size_t n = cli_result_count(r);
    if (o->batch) {
        fputs("query ", f);
        if (put_flat(f, r->qid, strlen(r->qid)) != 0)
            return -1;
        fputs(": ", f);
        if (put_flat(f, r->query, r->query_len) != 0)
            return -1;
        fputc('\n', f);
    }
    for (size_t i = 0; i < n; i++) {
        const ls_hit *h = cli_result_hit(r, i);
        if (h != NULL && put_hit(f, h, r->offset + i + 1, o) != 0)
            return -1;
    }
    fprintf(f, "%zu of %s%llu hits\n", n, cli_result_exact(r) ? "" : "at least ",
            (unsigned long long)cli_result_total(r));
    if (r->partial != NULL)
        fprintf(f, "partial results: %s\n", r->partial);
    if (o->batch)
        fputc('\n', f);
    return 0;
}
