/* SPDX-License-Identifier: MIT */
/*
 * warnings.c - counted, summarized warnings (see warnings.h).
 */
#include "warnings.h"

#include <string.h>

#include "cli.h"

void cli_warnings_add(cli_warnings *w, cli_progress *progress, const char *reason,
                      const char *what, const char *detail)
{
    size_t i = 0;
    while (i < w->n && strcmp(w->by[i].reason, reason) != 0)
        i++;
    if (i == w->n && w->n < CLI_WARNINGS_REASONS) {
        w->by[w->n++].reason = reason;
    } else if (i == w->n) { /* every slot taken: the last one counts the rest */
        i = CLI_WARNINGS_REASONS;
        w->by[i].reason = "other";
    }
    w->total++;
    uint64_t seen = ++w->by[i].count;
    if (w->quiet || (!w->verbose && seen > CLI_WARNINGS_SHOWN))
        return;
    if (progress != NULL)
        cli_progress_clear(progress);
    if (detail != NULL)
        cli_warn("skipped %s (%s): %s", what, reason, detail);
    else
        cli_warn("skipped %s (%s)", what, reason);
}

void cli_warnings_summary(const cli_warnings *w, FILE *f)
{
    if (w->total == 0)
        return;
    int hidden = 0;
    fputs("cisearch: skipped by reason:", f);
    for (size_t i = 0, k = 0; i <= CLI_WARNINGS_REASONS; i++) {
        if (w->by[i].count == 0)
            continue;
        fprintf(f, "%s %s %llu", k++ ? "," : "", w->by[i].reason,
                (unsigned long long)w->by[i].count);
        hidden |= w->quiet || (!w->verbose && w->by[i].count > CLI_WARNINGS_SHOWN);
    }
    fputs(hidden ? " (--verbose lists every one)\n" : "\n", f);
}
