/* SPDX-License-Identifier: MIT */
/*
 * out_trec.c - the machine formats of `cisearch search`: TREC run lines
 * ("qid Q0 docid rank score cisearch", six blank-separated fields for trec_eval) and bare ids
 * (one per line; "qid<TAB>id" in batch mode).
 */
#include <string.h>

#include "out.h"

/* Writes s with every byte that would split a field or line replaced by `sub`; an empty
 * string becomes "-" so the field count never changes. */
static void put_field(FILE *f, const char *s, size_t len, int blanks_too, char sub)
{
    if (len == 0) {
        fputc('-', f);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int bad = c < 0x20 || c == 0x7F || (blanks_too && c == ' ');
        fputc(bad ? sub : (char)c, f);
    }
}

int cli_out_trec(FILE *f, const cli_result *r, const cli_out_opts *o)
{
    (void)o;
    size_t n = cli_result_count(r);
    const char *qid = r->qid ? r->qid : "1";
    for (size_t i = 0; i < n; i++) {
        const ls_hit *h = cli_result_hit(r, i);
        if (h == NULL)
            continue;
        put_field(f, qid, strlen(qid), 1, '_');
        fputs(" Q0 ", f);
        put_field(f, h->id, h->id_len, 1, '_');
        fprintf(f, " %zu %.6f cisearch\n", r->offset + i + 1, h->score);
    }
    return 0;
}

int cli_out_ids(FILE *f, const cli_result *r, const cli_out_opts *o)
{
    size_t n = cli_result_count(r);
    for (size_t i = 0; i < n; i++) {
        const ls_hit *h = cli_result_hit(r, i);
        if (h == NULL)
            continue;
        if (o->batch) {
            put_field(f, r->qid, strlen(r->qid), 0, '?');
            fputc('\t', f);
        }
        put_field(f, h->id, h->id_len, 0, '?');
        fputc('\n', f);
    }
    return 0;
}
