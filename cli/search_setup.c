/* SPDX-License-Identifier: MIT */
/*
 * search_setup.c - what every front end of a search shares (`cisearch search` and
 * cisearch-mpi): the options and their help, the query from the words, standard input or a
 * batch of "qid<TAB>query" lines, the display of query syntax errors (message, the query, a
 * caret under the byte), and the run over one query or a batch through a searcher.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbuf.h"
#include "cli.h"
#include "out.h"
#include "search_setup.h"

typedef struct batch_query {
    char *qid;
    char *text;
    size_t len;
} batch_query;

enum {
    OPT_INDEX = 1,
    OPT_LIMIT,
    OPT_OFFSET,
    OPT_AND,
    OPT_STRICT,
    OPT_PLAIN,
    OPT_EXPLAIN,
    OPT_FORMAT,
    OPT_QUERIES,
    OPT_K1,
    OPT_B,
    OPT_RM3,
    OPT_NO_RM3,
    OPT_RM3_DOCS,
    OPT_RM3_TERMS,
    OPT_RM3_WEIGHT,
    OPT_RM3_WIDEN,
    OPT_PROXIMITY,
    OPT_NO_PROXIMITY,
    OPT_PROXIMITY_DEPTH,
    OPT_COUNT_ALL,
    OPT_COLOR,
    OPT_SNIPPET_WORDS,
    OPT_TITLE_WEIGHT,
};

static const cli_option search_opts[] = {
    {"index", 'i', 1, OPT_INDEX},   {"limit", 'n', 1, OPT_LIMIT},  {"offset", 0, 1, OPT_OFFSET},
    {"and", 0, 0, OPT_AND},         {"strict", 0, 0, OPT_STRICT}, {"plain", 0, 0, OPT_PLAIN},
    {"explain", 0, 0, OPT_EXPLAIN}, {"format", 'f', 1, OPT_FORMAT}, {"queries", 0, 1, OPT_QUERIES},
    {"k1", 0, 1, OPT_K1},           {"b", 0, 1, OPT_B},           {"rm3", 0, 0, OPT_RM3},
    {"no-rm3", 0, 0, OPT_NO_RM3},   {"rm3-docs", 0, 1, OPT_RM3_DOCS},
    {"rm3-terms", 0, 1, OPT_RM3_TERMS}, {"rm3-weight", 0, 1, OPT_RM3_WEIGHT},
    {"rm3-widen", 0, 0, OPT_RM3_WIDEN}, {"proximity", 0, 1, OPT_PROXIMITY},
    {"no-proximity", 0, 0, OPT_NO_PROXIMITY}, {"proximity-depth", 0, 1, OPT_PROXIMITY_DEPTH},
    {"count-all", 0, 0, OPT_COUNT_ALL}, {"color", 0, 1, OPT_COLOR},
    {"snippet-words", 0, 1, OPT_SNIPPET_WORDS}, {"title-weight", 0, 1, OPT_TITLE_WEIGHT},
    {NULL, 0, 0, 0},
};

#define STR_(x) #x
#define STR(x) STR_(x) /* a default's value in the help text */

/* Feedback documents of --rm3. */
#define RM3_DOCS LS_FEEDBACK_DOCS_ON

void cli_help_search(FILE *f)
{
    fputs("Usage: cisearch [search] [OPTIONS] QUERY\n"
          "       cisearch search [OPTIONS] --queries FILE\n"
          "       ... | cisearch [search] [OPTIONS] [-]\n"
          "\n"
          "The query is the words given, or standard input when it is - or when no words\n"
          "are given and standard input is not a terminal.\n"
          "\n"
          "Ranks documents by BM25 over title and body. Query syntax: words, \"a phrase\",\n"
          "AND / OR / NOT, -word, +word, prefix*, (groups).\n"
          "  -i, --index DIR    index to search (default: $CISEARCH_INDEX, else the seeds);\n"
          "                     repeated, or $CISEARCH_INDEX as DIR:DIR..., several\n"
          "                     indexes are searched as one (hits say which one)\n"
          "  -n, --limit N      hits to show (default 10)\n"
          "      --offset K     skip the first K hits\n"
          "      --and          all words must match (default: any, ranked)\n"
          "      --strict       report query syntax errors instead of reading them as words\n"
          "      --plain        no query syntax: the text is a bag of words\n"
          "      --explain      show how each hit's score adds up\n"
          "  -f, --format FMT   text (default), json, trec or ids\n"
          "      --color WHEN   auto (default: on a terminal, unless NO_COLOR is set or\n"
          "                     TERM=dumb), always or never: titles and matched words\n"
          "      --snippet-words N  words per snippet window (default 25, 1..1000)\n"
          "      --queries FILE run a batch of \"qid<TAB>query\" lines (- = stdin)\n"
          "      --k1 X, --b X  BM25 parameters (default " STR(LS_DEFAULT_K1) " and "
          STR(LS_DEFAULT_B) ")\n"
          "      --title-weight X  extra weight of a query word found in a title, 0..100\n"
          "                     (default " STR(LS_DEFAULT_TITLE_WEIGHT)
          "; 0: titles count as body text)\n"
          "      --rm3, --no-rm3  RM3 pseudo-relevance feedback on or off (default): terms\n"
          "                     of the best first-pass hits rerank the query's matches;\n"
          "                     any --rm3-* setting below also turns it on (but\n"
          "                     --rm3-docs 0), --no-rm3 anywhere turns it off\n"
          "      --rm3-docs N   feedback documents (--rm3: " STR(LS_FEEDBACK_DOCS_ON) "; 0 = off)\n"
          "      --rm3-terms N  expansion terms (default " STR(LS_DEFAULT_FEEDBACK_TERMS) ")\n"
          "      --rm3-weight X weight of the original query, 0..1 (default "
          STR(LS_DEFAULT_FEEDBACK_WEIGHT) ")\n"
          "      --rm3-widen    a bag of words also matches documents with expansion terms\n"
          "      --proximity X  weight of the term-proximity bonus that re-ranks the best\n"
          "                     hits (query words near each other), 0..1000 (default 0: off)\n"
          "      --no-proximity no proximity re-ranking (wherever it stands)\n"
          "      --proximity-depth N  hits re-ranked by proximity, with --proximity (default "
          STR(LS_DEFAULT_PROXIMITY_DEPTH) ")\n"
          "      --count-all    count every match (default: past " STR(LS_DEFAULT_COUNT_LIMIT)
          " matches, those\n"
          "                     that cannot reach the shown hits may be passed over, and\n"
          "                     the count reads \"at least N\")\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 hits found (batch: no error), 1 no hits, 2 error.\n",
          f);
}

static int set_format(search_cfg *cfg, const char *v)
{
    static const struct {
        const char *name;
        formatter fn;
    } formats[] = {
        {"text", cli_out_text}, {"json", cli_out_json}, {"trec", cli_out_trec}, {"ids", cli_out_ids}};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(v, formats[i].name) == 0) {
            cfg->out = formats[i].fn;
            return 0;
        }
    }
    cli_usage_error("search", "unknown format '%s' (use text, json, trec or ids)", v);
    return -1;
}

/* Options that carry a value; returns 0 or -1 after a usage message. */
static int apply_value(search_cfg *cfg, int id, const char *v)
{
    switch (id) {
    case OPT_INDEX:
        cfg->indexes[cfg->n_indexes++] = v; /* capacity argc */
        return 0;
    case OPT_LIMIT:
        return cli_parse_count("search", "-n", v, &cfg->opts.limit);
    case OPT_OFFSET:
        return cli_parse_count("search", "--offset", v, &cfg->opts.offset);
    case OPT_FORMAT:
        return set_format(cfg, v);
    case OPT_QUERIES:
        cfg->queries = v;
        return 0;
    case OPT_K1:
        return cli_parse_real("search", "--k1", v, 0.0, 1000.0, &cfg->opts.k1);
    case OPT_B:
        return cli_parse_real("search", "--b", v, 0.0, 1.0, &cfg->opts.b);
    case OPT_TITLE_WEIGHT:
        return cli_parse_real("search", "--title-weight", v, 0.0, LS_MAX_TITLE_WEIGHT,
                              &cfg->opts.title_weight);
    case OPT_RM3_DOCS:
    case OPT_RM3_TERMS: {
        int docs = id == OPT_RM3_DOCS;
        const char *opt = docs ? "--rm3-docs" : "--rm3-terms";
        size_t n;
        if (cli_parse_count("search", opt, v, &n) != 0)
            return -1;
        if (n < (docs ? 0u : 1u) || n > 1000) {
            cli_usage_error("search", "%s wants a number from %u to 1000, not '%s'", opt,
                            docs ? 0u : 1u, v);
            return -1;
        }
        *(docs ? &cfg->opts.feedback_docs : &cfg->opts.feedback_terms) = (unsigned)n;
        return 0;
    }
    case OPT_COLOR:
        if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never")) {
            cli_usage_error("search", "--color wants auto, always or never, not '%s'", v);
            return -1;
        }
        cfg->color = v[0] == 'a' && v[1] == 'l' ? 1 : v[0] == 'n' ? 0 : -1;
        return 0;
    case OPT_SNIPPET_WORDS: {
        size_t n;
        if (cli_parse_count("search", "--snippet-words", v, &n) != 0)
            return -1;
        if (n < 1 || n > 1000) {
            cli_usage_error("search", "--snippet-words wants a number from 1 to 1000, not '%s'",
                            v);
            return -1;
        }
        cfg->opts.snippet_words = (unsigned)n;
        return 0;
    }
    case OPT_RM3_WEIGHT:
        return cli_parse_real("search", "--rm3-weight", v, 0.0, 1.0,
                              &cfg->opts.feedback_weight);
    case OPT_PROXIMITY:
        return cli_parse_real("search", "--proximity", v, 0.0, LS_MAX_PROXIMITY_WEIGHT,
                              &cfg->opts.proximity);
    case OPT_PROXIMITY_DEPTH: {
        size_t n;
        if (cli_parse_count("search", "--proximity-depth", v, &n) != 0)
            return -1;
        if (n < 1 || n > LS_MAX_PROXIMITY_DEPTH) {
            cli_usage_error("search", "--proximity-depth wants a number from 1 to %u, not '%s'",
                            LS_MAX_PROXIMITY_DEPTH, v);
            return -1;
        }
        cfg->opts.proximity_depth = (unsigned)n;
        cfg->depth_given = 1;
        return 0;
    }
    default:
        return -1;
    }
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, search_cfg *cfg)
{
    cli_args a;
    const char *v;
    int id, strict = 0, plain = 0, no_rm3 = 0, rm3_docs = 0, rm3_setting = 0, no_prox = 0;
    cli_args_init(&a, argc, argv, search_opts, "search");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_ARG_ERROR)
            return -1;
        if (id == CLI_OPT_HELP) {
            cli_help_search(stdout);
            return 1;
        }
        if (id == CLI_ARG_POSITIONAL) {
            if (cfg->n_words++ > 0)
                cli_buf_putc(&cfg->query, ' ');
            cli_buf_put(&cfg->query, v, strlen(v));
        } else if (id == OPT_AND) {
            cfg->opts.default_and = 1;
        } else if (id == OPT_STRICT || id == OPT_PLAIN) {
            strict |= id == OPT_STRICT;
            plain |= id == OPT_PLAIN;
        } else if (id == OPT_EXPLAIN) {
            cfg->out_opts.explain = 1;
        } else if (id == OPT_RM3 || id == OPT_NO_RM3) {
            no_rm3 |= id == OPT_NO_RM3;
            rm3_setting |= id == OPT_RM3;
        } else if (id == OPT_RM3_WIDEN) {
            cfg->opts.feedback_widen = 1;
            rm3_setting = 1;
        } else if (id == OPT_NO_PROXIMITY) {
            no_prox = 1;
        } else if (id == OPT_COUNT_ALL) {
            cfg->opts.count_limit = LS_COUNT_ALL;
        } else if (apply_value(cfg, id, v) != 0) {
            return -1;
        } else {
            rm3_docs |= id == OPT_RM3_DOCS;
            rm3_setting |= id == OPT_RM3_TERMS || id == OPT_RM3_WEIGHT;
        }
    }
    /* --no-proximity anywhere turns proximity off (as --no-rm3 does feedback); a depth without
     * a weight would silently do nothing, so it is a usage error. */
    if (no_prox)
        cfg->opts.proximity = 0;
    else if (cfg->depth_given && !(cfg->opts.proximity > 0)) {
        cli_usage_error("search", "--proximity-depth needs a proximity weight (--proximity X)");
        return -1;
    }
    /* Feedback is off by default; --rm3 or any feedback setting turns it on (with
     * --rm3-docs's count, if given: 0 keeps it off), --no-rm3 anywhere turns it off. */
    if (no_rm3)
        cfg->opts.feedback_docs = 0;
    else if (rm3_setting && !rm3_docs)
        cfg->opts.feedback_docs = RM3_DOCS;
    if (strict && plain) {
        cli_usage_error("search", "--strict and --plain exclude each other");
        return -1;
    }
    cfg->opts.syntax = strict ? LS_SYNTAX_STRICT : plain ? LS_SYNTAX_PLAIN : LS_SYNTAX_LENIENT;
    return 0;
}

int cli_is_blank_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != '\v')
            return 0;
    return 1;
}

/* "cisearch: <message>", then the query and a caret under the offending byte. */
void cli_report_query_error(const char *qid, const char *q, size_t len, int rc,
                               const ls_error *err)
{
    const char *msg = err->message[0] ? err->message : ls_strerror(rc);
    const char *prefix = qid ? "query " : "", *sep = qid ? ": " : "";
    if (rc != LS_EQUERY || err->position == (size_t)-1) {
        cli_error("%s%s%s%s", prefix, qid ? qid : "", sep, msg);
        return;
    }
    size_t pos = err->position < len ? err->position : len;
    if (strstr(msg, "byte") != NULL)
        cli_error("%s%s%s%s", prefix, qid ? qid : "", sep, msg);
    else
        cli_error("%s%s%s%s (at byte %zu)", prefix, qid ? qid : "", sep, msg, err->position);
    /* Control characters would move the caret: show them as spaces. Columns count UTF-8
     * lead bytes, so the caret lines up under non-ASCII text too. */
    fputs("  ", stderr);
    for (size_t i = 0; i < len; i++)
        fputc((unsigned char)q[i] < 0x20 || q[i] == 0x7F ? ' ' : q[i], stderr);
    fputs("\n  ", stderr);
    for (size_t i = 0; i < pos; i++)
        if (((unsigned char)q[i] & 0xC0) != 0x80)
            fputc(' ', stderr);
    fputs("^\n", stderr);
}

static void free_batch(batch_query *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(qs[i].qid);
        free(qs[i].text);
    }
    free(qs);
}

/* Parses one "qid<TAB>query" line (newline already cut) into q. @return 0 or -1. */
static int parse_batch_line(char *line, size_t len, const char *name, size_t lineno,
                            batch_query *q)
{
    char *tab = memchr(line, '\t', len);
    if (tab == NULL) {
        cli_error("%s:%zu: no tab between the query id and the query", name, lineno);
        return -1;
    }
    size_t qid_len = (size_t)(tab - line), text_len = len - qid_len - 1;
    if (qid_len == 0 || cli_is_blank_text(line, qid_len)) {
        cli_error("%s:%zu: empty query id", name, lineno);
        return -1;
    }
    if (cli_is_blank_text(tab + 1, text_len)) {
        cli_error("%s:%zu: empty query", name, lineno);
        return -1;
    }
    q->qid = strndup(line, qid_len);
    q->text = malloc(text_len + 1);
    if (q->qid == NULL || q->text == NULL) {
        cli_error("out of memory");
        return -1;
    }
    memcpy(q->text, tab + 1, text_len);
    q->text[text_len] = '\0';
    q->len = text_len;
    return 0;
}

/* Reads every query first, so a malformed file fails before anything is printed. */
static int read_batch(FILE *f, const char *name, batch_query **out, size_t *n_out)
{
    batch_query *qs = NULL;
    size_t n = 0, cap = 0, lineno = 0, bufcap = 0;
    char *line = NULL;
    ssize_t got;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &bufcap, f)) >= 0) {
        size_t len = (size_t)got;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (cli_is_blank_text(line, len))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            batch_query *nq = realloc(qs, cap * sizeof *qs);
            if (nq == NULL) {
                cli_error("out of memory");
                rc = -1;
                break;
            }
            qs = nq;
        }
        memset(&qs[n], 0, sizeof qs[n]);
        rc = parse_batch_line(line, len, name, lineno, &qs[n]);
        n++;
    }
    if (rc == 0 && ferror(f)) {
        cli_error("cannot read %s: %s", name, strerror(errno));
        rc = -1;
    }
    free(line);
    if (rc != 0) {
        free_batch(qs, n);
        return -1;
    }
    *out = qs;
    *n_out = n;
    return 0;
}

static int load_batch(const char *file, batch_query **out, size_t *n_out)
{
    if (strcmp(file, "-") == 0)
        return read_batch(stdin, "stdin", out, n_out);
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        cli_error("cannot open %s: %s", file, strerror(errno));
        return -1;
    }
    int rc = read_batch(f, file, out, n_out);
    fclose(f);
    return rc;
}

/* The query from standard input (`-`, or no words and a pipe or file): every line, joined by
 * spaces. @return 0, or -1 after an error message. */
static int read_stdin_query(search_cfg *cfg, int dash)
{
    cli_buf_free(&cfg->query);
    cfg->query = (cli_buf)CLI_BUF_INIT;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        for (size_t i = 0; i < got; i++)
            if (chunk[i] == '\n' || chunk[i] == '\r')
                chunk[i] = ' ';
        cli_buf_put(&cfg->query, chunk, got);
        if (cfg->query.len > LS_MAX_QUERY_BYTES * 4) {
            cli_error("the query on standard input is over %u bytes", LS_MAX_QUERY_BYTES * 4);
            return -1;
        }
    }
    if (ferror(stdin)) {
        cli_error("cannot read the query from standard input: %s", strerror(errno));
        return -1;
    }
    if (cfg->query.oom) {
        cli_error("out of memory");
        return -1;
    }
    cfg->n_words = dash || cfg->query.len > 0; /* nothing piped in: no query */
    return 0;
}

static int use_color(int when)
{
    if (when >= 0)
        return when;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no != NULL && *no)
        return 0;
    if (term != NULL && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(STDOUT_FILENO);
}

/* A batch keeps going after a failed query and reports the failure in the exit status. */
static int run_batch(const search_cfg *cfg, const cli_searcher *s)
{
    batch_query *qs = NULL;
    size_t n = 0;
    if (load_batch(cfg->queries, &qs, &n) != 0)
        return CLI_EXIT_ERROR;
    if (s->open(s->ctx, cfg) != 0) {
        free_batch(qs, n);
        return CLI_EXIT_ERROR;
    }
    int status = CLI_EXIT_HITS;
    for (size_t i = 0; i < n; i++) {
        uint64_t total = 0;
        if (s->run(s->ctx, cfg, qs[i].qid, qs[i].text, qs[i].len, &total) != 0)
            status = CLI_EXIT_ERROR;
    }
    s->close(s->ctx);
    free_batch(qs, n);
    return status;
}

static int run_single(const search_cfg *cfg, const cli_searcher *s)
{
    const char *q = cfg->query.p ? cfg->query.p : "";
    size_t len = cfg->query.len;
    if (cli_is_blank_text(q, len)) {
        cli_error("empty query");
        return CLI_EXIT_ERROR;
    }
    if (s->open(s->ctx, cfg) != 0)
        return CLI_EXIT_ERROR;
    uint64_t total = 0;
    int rc = s->run(s->ctx, cfg, NULL, q, len, &total);
    s->close(s->ctx);
    if (rc != 0)
        return CLI_EXIT_ERROR;
    return total > 0 ? CLI_EXIT_HITS : CLI_EXIT_NOHITS;
}

int cli_search_setup(int argc, char **argv, search_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->opts = (ls_search_options)LS_SEARCH_OPTIONS_INIT;
    cfg->out = cli_out_text;
    cfg->color = -1;
    cfg->indexes = calloc((size_t)argc + 1, sizeof *cfg->indexes);
    if (cfg->indexes == NULL) {
        cli_error("out of memory");
        return -1;
    }
    int p = parse(argc, argv, cfg);
    if (p != 0)
        return p;
    if (cfg->query.oom) {
        cli_error("out of memory");
        return -1;
    }
    int dash = cfg->n_words == 1 && cfg->query.len == 1 && cfg->query.p[0] == '-';
    if (cfg->queries == NULL && (dash || (cfg->n_words == 0 && !isatty(STDIN_FILENO))) &&
        read_stdin_query(cfg, dash) != 0)
        return -1;
    cfg->out_opts.batch = cfg->queries != NULL;
    /* Without --index, $CISEARCH_INDEX's list is the one opened and named in the hits. */
    size_t n_env = 0;
    char **env = cfg->n_indexes == 0 ? cli_env_indexes(&n_env) : NULL;
    if (env != NULL) { /* one block: freed as cfg->indexes */
        free(cfg->indexes);
        cfg->indexes = (const char **)env;
        cfg->n_indexes = n_env;
    }
    if (cfg->n_indexes > 1) { /* hits name their index */
        cfg->out_opts.indexes = cfg->indexes;
        cfg->out_opts.n_indexes = cfg->n_indexes;
    }
    cfg->out_opts.color = cfg->out == cli_out_text && use_color(cfg->color);
    /* Snippets cost stored-field reads: only the formats that show them ask. */
    cfg->opts.snippets = cfg->out == cli_out_text || cfg->out == cli_out_json;
    cfg->opts.explain = cfg->out_opts.explain && cfg->opts.snippets;
    return 0;
}

int cli_search_execute(const search_cfg *cfg, const cli_searcher *s)
{
    if (cfg->queries != NULL && cfg->n_words > 0)
        return cli_usage_error("search", "give either a QUERY or --queries FILE, not both");
    if (cfg->queries != NULL)
        return run_batch(cfg, s);
    if (cfg->n_words == 0)
        return cli_usage_error("search", "missing query");
    return run_single(cfg, s);
}

void cli_search_cfg_free(search_cfg *cfg)
{
    cli_buf_free(&cfg->query);
    free(cfg->indexes);
    cfg->indexes = NULL;
}
