/* SPDX-License-Identifier: MIT */
/*
 * cmd_index.c - `cisearch index`: opens a writer on --index DIR (or $CISEARCH_INDEX; never the
 * seeds cache), brings the index in line with the given paths (new and changed files added,
 * documents of vanished files deleted, unchanged files left alone) and JSON-lines files (each
 * line added or replacing its id), commits once when anything changed, and reports what it
 * did. Reading the inputs is source.c's job.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "source.h"
#include "threads.h"

enum {
    OPT_INDEX = 1,
    OPT_JSONL,
    OPT_LANGUAGE,
    OPT_RECOVER,
    OPT_STRICT,
    OPT_VERBOSE,
    OPT_QUIET,
    OPT_EXCLUDE,
    OPT_MAX_SIZE,
    OPT_FOLLOW,
    OPT_THREADS,
};

static const cli_option index_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"jsonl", 0, 1, OPT_JSONL},
    {"language", 0, 1, OPT_LANGUAGE},
    {"recover", 0, 0, OPT_RECOVER},
    {"strict", 0, 0, OPT_STRICT},
    {"verbose", 'v', 0, OPT_VERBOSE},
    {"quiet", 'q', 0, OPT_QUIET},
    {"exclude", 0, 1, OPT_EXCLUDE},
    {"max-size", 0, 1, OPT_MAX_SIZE},
    {"follow", 'L', 0, OPT_FOLLOW},
    {"threads", 'j', 1, OPT_THREADS},
    {NULL, 0, 0, 0},
};

void cli_help_index(FILE *f)
{
    fputs("Usage: cisearch index [--index DIR] [--jsonl FILE] [--language LANG] [PATH...]\n"
          "\n"
          "Brings the index in DIR (created when missing) in line with the inputs and\n"
          "commits once, when anything changed.\n"
          "  PATH             a text file, or a directory searched recursively (hidden\n"
          "                   entries and binary files are skipped). A file's id is its\n"
          "                   absolute path. New and changed files are indexed (size and\n"
          "                   time, then a content hash, tell), documents of files no\n"
          "                   longer under a directory given are deleted. Title = first\n"
          "                   non-blank line, body = the rest.\n"
          "  --jsonl FILE     one JSON object per line: {\"id\", \"title\", \"body\", \"path\"};\n"
          "                   an existing id is replaced; FILE may be - for stdin (repeatable)\n"
          "  -i, --index DIR  the index directory (default: $CISEARCH_INDEX)\n"
          "  --language LANG  stemmer of a new index: english (default), french, ..., none\n"
          "  --recover        open an index whose last commit is damaged at its newest\n"
          "                   intact commit (see cisearch check)\n"
          "  --strict         a malformed JSON line, a refused document or a missing\n"
          "                   PATH stops the run before anything is committed\n"
          "  --exclude GLOB   leave out entries whose name or path below the PATH matches\n"
          "                   (fnmatch; repeatable; a directory with all it holds)\n"
          "  --max-size SIZE  skip files larger than SIZE bytes (suffix K, M or G)\n"
          "  -L, --follow     follow symbolic links (default: skip them); a link back into\n"
          "                   a directory being walked is skipped as a loop\n"
          "  -j, --threads N  index threads, 1..64 (default: one per core); with more\n"
          "                   than one, documents are analyzed and inverted beside the\n"
          "                   reading of the inputs, in N lanes of segments of their own\n"
          "  -v, --verbose    tell every file passed over (default: the first few of\n"
          "                   each reason, then a count)\n"
          "  -q, --quiet      tell nothing but errors and the counts\n"
          "  -h, --help       show this help\n"
          "\n"
          "Without --strict, malformed JSON lines (file:line: why) and missing PATHs are\n"
          "told and skipped, the rest is committed, and the exit status is 2.\n",
          f);
}

typedef struct input {
    int jsonl;
    const char *name;
} input;

typedef struct index_cfg {
    const char *dir;
    const char *language;
    int recover, strict, verbose, quiet, follow;
    const char **exclude;
    size_t n_exclude;
    uint64_t max_size;
    unsigned threads; /* 0: one per core */
    input *inputs;
    size_t n_inputs;
    size_t missing; /* inputs that could not be read (left out unless strict) */
} index_cfg;

/* "123", "500K", "20M", "1G" (powers of 1024). @return 0, or -1 when it is not one. */
static int parse_size(const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || errno != 0 || v[0] == '-' || n == 0)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: return -1;
    }
    if (*end != '\0' && end[1] != '\0' && strcmp(end + 1, "B") != 0 &&
        strcmp(end + 1, "iB") != 0)
        return -1;
    if (n > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

static int parse(int argc, char **argv, index_cfg *cfg)
{
    cli_args a;
    const char *v;
    int id;
    cli_args_init(&a, argc, argv, index_opts, "index");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR:
            return -1;
        case CLI_OPT_HELP:
            cli_help_index(stdout);
            return 1;
        case OPT_INDEX:
            cfg->dir = v;
            break;
        case OPT_LANGUAGE:
            cfg->language = v;
            break;
        case OPT_RECOVER:
            cfg->recover = 1;
            break;
        case OPT_STRICT:
            cfg->strict = 1;
            break;
        case OPT_VERBOSE:
        case OPT_QUIET:
            *(id == OPT_VERBOSE ? &cfg->verbose : &cfg->quiet) = 1;
            break;
        case OPT_FOLLOW:
            cfg->follow = 1;
            break;
        case OPT_EXCLUDE:
            cfg->exclude[cfg->n_exclude++] = v; /* capacity argc, like the inputs */
            break;
        case OPT_MAX_SIZE:
            if (parse_size(v, &cfg->max_size) != 0)
                return cli_usage_error("index", "--max-size wants a size such as 500K, 20M or "
                                                "1G, not '%s'",
                                       v),
                       -1;
            break;
        case OPT_THREADS:
            if (cli_parse_threads("index", v, &cfg->threads) != 0)
                return -1;
            break;
        case OPT_JSONL:
        case CLI_ARG_POSITIONAL:
            /* n_inputs < argc, the capacity allocated by the caller. */
            cfg->inputs[cfg->n_inputs].jsonl = id == OPT_JSONL;
            cfg->inputs[cfg->n_inputs++].name = v;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* Catches a mistyped path before anything is written: a missing input is an error that
 * stops the run with --strict; otherwise it is told, left out, and the rest is indexed (the
 * run then exits 2). Unreadable files found inside directories are warnings. */
static int check_inputs(index_cfg *cfg)
{
    size_t kept = 0;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        struct stat st;
        const char *name = cfg->inputs[i].name;
        if (!(cfg->inputs[i].jsonl && strcmp(name, "-") == 0) && stat(name, &st) != 0) {
            cli_error("cannot read %s: %s", name, strerror(errno));
            if (cfg->strict)
                return -1;
            cfg->missing++;
            continue;
        }
        cfg->inputs[kept++] = cfg->inputs[i];
    }
    cfg->n_inputs = kept;
    return 0;
}

static int add_inputs(const index_cfg *cfg, cli_source *src)
{
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        int rc = cfg->inputs[i].jsonl ? cli_source_add_jsonl(src, cfg->inputs[i].name)
                                      : cli_source_add_path(src, cfg->inputs[i].name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The last commit, to sync against (NULL for a new index). */
static int open_old(const index_cfg *cfg, ls_reader **out)
{
    ls_open_options oo = LS_OPEN_OPTIONS_INIT;
    oo.recover = cfg->recover;
    ls_error err = {0};
    *out = NULL;
    int rc = ls_reader_open_opts(cfg->dir, &oo, out, &err);
    if (rc == LS_OK || rc == LS_ENOTFOUND)
        return 0;
    cli_error_ls(rc, &err);
    return -1;
}

static void summary(const cli_source *src, const cli_progress *progress, double secs,
                    int committed)
{
    if (committed)
        fprintf(stderr, "indexed: %llu added, %llu updated, %llu deleted, %llu unchanged",
                (unsigned long long)src->added, (unsigned long long)src->updated,
                (unsigned long long)src->deleted, (unsigned long long)src->unchanged);
    else
        fprintf(stderr, "index is up to date: %llu unchanged, nothing added, updated or deleted",
                (unsigned long long)src->unchanged);
    fprintf(stderr, " (%.1f MB read in %.2f s)", (double)progress->bytes / 1e6, secs);
    if (src->skipped > 0)
        fprintf(stderr, "; skipped %llu input%s (below, by reason)",
                (unsigned long long)src->skipped, src->skipped == 1 ? "" : "s");
    if (src->excluded > 0)
        fprintf(stderr, "; %llu excluded", (unsigned long long)src->excluded);
    fputc('\n', stderr);
}

static int add_size(const char *path, const char *rel, void *payload)
{
    struct stat st;
    (void)rel;
    if (stat(path, &st) == 0)
        *(uint64_t *)payload += (uint64_t)st.st_size;
    return 0;
}

/* The bytes the inputs hold, for the progress line's share done and ETA: files, JSON-lines
 * files, and directories walked once beforehand (names and sizes only, as the indexing walk
 * will see them). 0 when stdin makes it unknown, or when no progress line is drawn. */
static uint64_t known_size(const index_cfg *cfg, const cli_walk_opts *wo, int drawn)
{
    uint64_t total = 0;
    for (size_t i = 0; drawn && i < cfg->n_inputs; i++) {
        struct stat st;
        if (stat(cfg->inputs[i].name, &st) != 0)
            return 0; /* stdin ("-"), or gone */
        if (S_ISDIR(st.st_mode) && !cfg->inputs[i].jsonl)
            cli_walk(cfg->inputs[i].name, wo, add_size, NULL, &total);
        else
            total += (uint64_t)st.st_size;
    }
    return total;
}

static int run(const index_cfg *cfg)
{
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = cfg->language;
    wo.recover = cfg->recover;
    wo.threads = cfg->threads ? cfg->threads : cli_default_threads();
    ls_writer *w = NULL;
    ls_reader *old = NULL;
    ls_error err = {0};
    double t0 = cli_now();
    /* The library creates the index files; make the directory itself so a new path works. */
    if (mkdir(cfg->dir, 0777) != 0 && errno != EEXIST) {
        cli_error("cannot create index directory %s: %s", cfg->dir, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    int rc = ls_writer_open(cfg->dir, &wo, &w, &err);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        return CLI_EXIT_ERROR;
    }
    if (open_old(cfg, &old) != 0) {
        ls_writer_close(w);
        return CLI_EXIT_ERROR;
    }
    cli_progress progress;
    cli_progress_init(&progress);
    cli_warnings warnings = {.verbose = cfg->verbose, .quiet = cfg->quiet};
    cli_source src = {.w = w, .progress = &progress, .sync = 1, .old = old,
                      .warnings = &warnings, .strict = cfg->strict, .max_size = cfg->max_size};
    cli_walk_opts wo_walk = {cfg->follow, cfg->exclude, cfg->n_exclude, &src.excluded};
    src.walk = &wo_walk;
    cli_walk_opts count_walk = {cfg->follow, cfg->exclude, cfg->n_exclude, NULL};
    progress.total = known_size(cfg, &count_walk, progress.enabled);
    int failed = add_inputs(cfg, &src) != 0;
    cli_progress_clear(&progress);
    int changed = src.added + src.updated + src.deleted > 0 || old == NULL;
    if (!failed && changed && (rc = ls_writer_commit(w, &err)) != LS_OK) {
        cli_error_ls(rc, &err);
        failed = 1;
    }
    ls_writer_close(w);
    ls_reader_close(old);
    if (failed) {
        cli_error("nothing was committed to %s", cfg->dir);
        return CLI_EXIT_ERROR;
    }
    summary(&src, &progress, cli_now() - t0, changed);
    cli_warnings_summary(&warnings, stderr);
    if (src.bad_lines > 0 || cfg->missing > 0) {
        if (src.bad_lines > 0)
            cli_error("skipped %llu malformed line%s (the rest is committed)%s",
                      (unsigned long long)src.bad_lines, src.bad_lines == 1 ? "" : "s",
                      (cfg->quiet || !cfg->verbose) && src.bad_lines > CLI_WARNINGS_SHOWN
                          ? "; --verbose lists every one"
                          : "");
        if (cfg->missing > 0)
            cli_error("left out %zu input%s that could not be read (the rest is committed)",
                      cfg->missing, cfg->missing == 1 ? "" : "s");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_HITS;
}

int cli_cmd_index(int argc, char **argv)
{
    index_cfg cfg = {0};
    cfg.inputs = calloc((size_t)argc, sizeof *cfg.inputs);
    cfg.exclude = calloc((size_t)argc, sizeof *cfg.exclude);
    if (cfg.inputs == NULL || cfg.exclude == NULL) {
        free(cfg.inputs);
        free(cfg.exclude);
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int status = CLI_EXIT_ERROR;
    int p = parse(argc, argv, &cfg);
    if (p != 0) {
        status = p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
        goto done;
    }
    int several = 0;
    if (cfg.dir == NULL || cfg.dir[0] == '\0')
        cfg.dir = cli_env_one_index("index", &several);
    if (several)
        goto done;
    if (cfg.dir == NULL || cfg.dir[0] == '\0') {
        cli_usage_error("index", "no index directory: pass --index DIR (or set CISEARCH_INDEX)");
        goto done;
    }
    if (cfg.n_inputs == 0) {
        cli_usage_error("index", "nothing to index: give PATHs or --jsonl FILE");
        goto done;
    }
    if (check_inputs(&cfg) != 0)
        goto done;
    if (cfg.n_inputs == 0)
        cli_error("nothing to index: no input could be read; nothing was committed");
    else
        status = run(&cfg);
done:
    free(cfg.inputs);
    free(cfg.exclude);
    return status;
}
