/* SPDX-License-Identifier: MIT */
/*
 * source.c - turns inputs into ls_documents for an ls_writer: text files (title = first
 * non-blank line, body = the rest), directory trees walked in sorted order, and JSON lines read
 * with jansson. Skips what is not text with a warning; it never opens or commits the writer.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "extract.h"
#include "filestamp.h"
#include "jsonl_fast.h"

/* A file is binary when its first 8 KiB hold a NUL byte (as git and grep decide). */

int cli_read_file(const char *path, char **buf_out, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap + 1);
    int rc = buf ? 0 : ENOMEM;
    while (rc == 0) {
        if (len == cap) {
            char *nb = cap > SIZE_MAX / 2 - 1 ? NULL : realloc(buf, cap * 2 + 1);
            if (nb == NULL) {
                rc = ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = errno;
        else if (got == 0)
            break;
        else
            len += (size_t)got;
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *buf_out = buf;
    *len_out = len;
    return 0;
}

/* Tells a warning; `what` is the reason (a static string) warnings are counted by. */
static void tell(cli_source *s, const char *what, const char *path, const char *why)
{
    if (s->quiet)
        return;
    if (s->warnings != NULL) {
        cli_warnings_add(s->warnings, s->progress, what, path, why);
        return;
    }
    cli_progress_clear(s->progress);
    if (why != NULL)
        cli_warn("skipped %s (%s): %s", path, what, why);
    else
        cli_warn("skipped %s (%s)", path, what);
}

/* An input passed over. */
static void warn(cli_source *s, const char *what, const char *path, const char *why)
{
    s->skipped++;
    tell(s, what, path, why);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether the index's last commit holds id, and its file stamp when it has one. */
static int had_before(const cli_source *s, const char *id, size_t len, cli_stamp *stamp,
                      int *has_stamp)
{
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    *has_stamp = 0;
    if (s->old == NULL || ls_reader_get(s->old, id, len, &info, NULL) != LS_OK)
        return 0;
    *has_stamp = cli_stamp_decode(info.stamp, info.stamp_len, stamp) == 0;
    return 1;
}

/* Adds a document; a document the library refuses is skipped, anything else is fatal. */
static int add_doc(cli_source *s, const ls_document *doc, const char *where)
{
    ls_error err = {0};
    cli_stamp old;
    int has_stamp, had = had_before(s, doc->id, doc->id_len, &old, &has_stamp);
    int rc = ls_writer_add(s->w, doc, &err);
    if (rc == LS_OK) {
        s->progress->docs++;
        if (had)
            s->updated++;
        else
            s->added++;
        return 0;
    }
    if ((rc == LS_EINVAL || rc == LS_ELIMIT) && !s->strict) {
        warn(s, "refused document", where, err.message[0] ? err.message : ls_strerror(rc));
        return 0;
    }
    cli_progress_clear(s->progress);
    cli_error_ls(rc, &err);
    return -1;
}

/* The ids seen under one directory root (sync: what the index keeps). */
typedef struct seen_ids {
    char **v;
    size_t n, cap;
} seen_ids;

static int seen_add(seen_ids *seen, const char *id)
{
    if (seen == NULL)
        return 0;
    if (seen->n == seen->cap) {
        size_t ncap = seen->cap ? seen->cap * 2 : 256;
        char **nv = realloc(seen->v, ncap * sizeof *nv);
        if (nv == NULL)
            return -1;
        seen->v = nv;
        seen->cap = ncap;
    }
    if ((seen->v[seen->n] = strdup(id)) == NULL)
        return -1;
    seen->n++;
    return 0;
}

static void seen_free(seen_ids *seen)
{
    for (size_t i = 0; i < seen->n; i++)
        free(seen->v[i]);
    free(seen->v);
}

/* A file whose size and time, or else contents, are as the index's stamp says is left as it
 * is: kept, not read or indexed again. */
static int add_text_file(cli_source *s, const char *path, const char *id, seen_ids *seen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        warn(s, "unreadable", path, strerror(errno));
        return 0;
    }
    s->progress->done += (uint64_t)st.st_size;
    if (s->max_size > 0 && (uint64_t)st.st_size > s->max_size) {
        warn(s, "over --max-size", path, NULL); /* not seen: an old document of it goes */
        return 0;
    }
    cli_stamp now = cli_stamp_of(&st), old;
    int has_stamp, had = s->sync && had_before(s, id, strlen(id), &old, &has_stamp);
    if (seen_add(seen, id) != 0) { /* seen even when unreadable: a passing failure */
        cli_error("out of memory");
        return -1;
    }
    if (had && has_stamp && old.size == now.size && old.mtime_ns == now.mtime_ns) {
        s->unchanged++;
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    int e = cli_read_file(path, &buf, &len);
    if (e != 0) {
        warn(s, "unreadable", path, strerror(e));
        return 0;
    }
    s->progress->files++;
    s->progress->bytes += len;
    now.hash = cli_stamp_hash(buf, len);
    if (had && has_stamp && old.size == now.size && old.hash == now.hash) {
        s->unchanged++; /* touched, not changed */
        free(buf);
        return 0;
    }
    /* The title and text by kind (extract.h): HTML without its tags, Markdown's heading,
     * gzip read through zlib. */
    cli_extracted ex;
    const char *why = NULL;
    int xrc = cli_extract(path, buf, len, (size_t)s->max_size, &ex, &why);
    if (xrc == CLI_EXTRACT_NOMEM) {
        free(buf);
        cli_progress_clear(s->progress);
        cli_error("out of memory reading %s", path);
        return -1;
    }
    if (xrc != CLI_EXTRACT_OK) {
        warn(s, xrc == CLI_EXTRACT_BINARY      ? "binary file"
                : xrc == CLI_EXTRACT_TOO_LARGE ? "over --max-size once decompressed"
                                               : "damaged gzip file",
             path, why);
        if (seen != NULL) /* not indexable any more: its old document goes */
            free(seen->v[--seen->n]);
        free(buf);
        return 0;
    }
    uint8_t stamp[CLI_STAMP_BYTES];
    cli_stamp_encode(&now, stamp);
    ls_document doc = LS_DOCUMENT_INIT;
    doc.title = ex.title;
    doc.title_len = ex.title_len;
    doc.body = ex.body;
    doc.body_len = ex.body_len;
    doc.id = id;
    doc.id_len = strlen(id);
    doc.path = path;
    doc.path_len = strlen(path);
    doc.stamp = stamp;
    doc.stamp_len = sizeof stamp;
    int rc = add_doc(s, &doc, path);
    cli_extracted_free(&ex);
    free(buf);
    cli_progress_update(s->progress);
    return rc;
}

/* ---- directory walk ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the visible names of a directory, sorted. @return the count, or -1 (errno set). */
static long list_dir(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int fail = 0;
    while (!fail && (errno = 0, de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *names);
            fail = nn == NULL;
            names = nn ? nn : names;
        }
        if (!fail && (names[n] = strdup(de->d_name)) != NULL)
            n++;
        else
            fail = 1;
    }
    int saved = fail ? ENOMEM : errno;
    closedir(d);
    if (fail || saved != 0) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        errno = saved ? saved : ENOMEM;
        return -1;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    return (long)n;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *p = malloc(dl + (size_t)slash + nl + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + (size_t)slash, name, nl + 1);
    return p;
}

/* A directory on the way down from the root (loops: a link back to one of them). */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct walk {
    cli_walk_fn fn;
    cli_skip_fn skip;
    void *payload;
    size_t root_len; /* bytes of the root prefix (with its slash) in every path */
    cli_walk_opts o;
    dir_id *stack;   /* the directories being walked, root first */
    size_t depth, cap;
} walk;

static int excluded(const walk *wk, const char *path)
{
    const char *rel = path + wk->root_len, *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    for (size_t i = 0; i < wk->o.n_exclude; i++)
        if (fnmatch(wk->o.exclude[i], name, 0) == 0 || fnmatch(wk->o.exclude[i], rel, 0) == 0) {
            if (wk->o.excluded != NULL)
                (*wk->o.excluded)++;
            return 1;
        }
    return 0;
}

static void skip_entry(walk *wk, const char *path, const char *why)
{
    if (wk->skip != NULL)
        wk->skip(path, why, wk->payload);
}

static int walk_dir(walk *wk, const char *dir, const struct stat *st);

/* One directory entry: recurse, report a file, or skip it. */
static int walk_entry(walk *wk, const char *path)
{
    struct stat st;
    if (excluded(wk, path))
        return 0;
    if (lstat(path, &st) != 0) {
        skip_entry(wk, path, strerror(errno));
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        if (!wk->o.follow) {
            skip_entry(wk, path, "symbolic link, not followed (--follow)");
            return 0;
        }
        if (stat(path, &st) != 0) {
            skip_entry(wk, path, "broken symbolic link");
            return 0;
        }
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(wk, path, &st);
    if (!S_ISREG(st.st_mode)) {
        skip_entry(wk, path, "not a regular file");
        return 0;
    }
    return wk->fn(path, path + wk->root_len, wk->payload);
}

static int walk_dir(walk *wk, const char *dir, const struct stat *st)
{
    for (size_t i = 0; i < wk->depth; i++)
        if (wk->stack[i].dev == st->st_dev && wk->stack[i].ino == st->st_ino) {
            skip_entry(wk, dir, "symbolic link loop");
            return 0;
        }
    if (wk->depth == wk->cap) {
        size_t ncap = wk->cap ? wk->cap * 2 : 16;
        dir_id *ns = realloc(wk->stack, ncap * sizeof *ns);
        if (ns == NULL) {
            cli_error("out of memory");
            return -1;
        }
        wk->stack = ns;
        wk->cap = ncap;
    }
    wk->stack[wk->depth++] = (dir_id){st->st_dev, st->st_ino};
    char **names = NULL;
    long n = list_dir(dir, &names);
    if (n < 0) {
        if (errno == ENOMEM) {
            cli_error("out of memory listing %s", dir);
            return -1;
        }
        skip_entry(wk, dir, strerror(errno));
        wk->depth--;
        return 0;
    }
    int rc = 0;
    for (long i = 0; i < n; i++) {
        char *path = rc == 0 ? join_path(dir, names[i]) : NULL;
        if (rc == 0 && path == NULL) {
            cli_error("out of memory");
            rc = -1;
        }
        if (rc == 0)
            rc = walk_entry(wk, path);
        free(path);
        free(names[i]);
    }
    free(names);
    wk->depth--;
    return rc;
}

int cli_walk(const char *root, const cli_walk_opts *o, cli_walk_fn fn, cli_skip_fn skip,
             void *payload)
{
    struct stat st;
    DIR *d = opendir(root);
    if (d == NULL || stat(root, &st) != 0) {
        cli_error("cannot read directory %s: %s", root, strerror(errno));
        if (d != NULL)
            closedir(d);
        return -1;
    }
    closedir(d);
    size_t len = strlen(root);
    walk wk = {fn, skip, payload, len + (len > 0 && root[len - 1] != '/'), {0}, NULL, 0, 0};
    if (o != NULL)
        wk.o = *o;
    int rc = walk_dir(&wk, root, &st);
    free(wk.stack);
    return rc;
}

typedef struct walk_ctx {
    cli_source *s;
    const char *root; /* the id prefix (sync: the root's real path) */
    seen_ids *seen;
} walk_ctx;

static void skip_walked(const char *path, const char *why, void *payload)
{
    walk_ctx *c = payload;
    warn(c->s, why, path, NULL);
}

static int add_walked(const char *path, const char *rel, void *payload)
{
    walk_ctx *c = payload;
    if (!c->s->sync)
        return add_text_file(c->s, path, rel, NULL);
    char *id = join_path(c->root, rel);
    if (id == NULL) {
        cli_error("out of memory");
        return -1;
    }
    int rc = add_text_file(c->s, path, id, c->seen);
    free(id);
    return rc;
}

static int cmp_strs(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct prune_ctx {
    cli_source *s;
    const seen_ids *seen;
    int failed;
} prune_ctx;

/* Deletes a document of the old commit under the root when its file was not seen. */
static int prune_one(const char *id, size_t len, const void *stamp, size_t slen, void *payload)
{
    prune_ctx *c = payload;
    (void)stamp;
    (void)slen;
    char *key = strndup(id, len);
    if (key == NULL) {
        c->failed = 1;
        return 1;
    }
    int known = c->seen->n > 0 &&
                bsearch(&key, c->seen->v, c->seen->n, sizeof *c->seen->v, cmp_strs) != NULL;
    if (!known) {
        ls_error err = {0};
        int rc = ls_writer_delete(c->s->w, id, len, &err);
        if (rc == LS_OK)
            c->s->deleted++;
        else if (rc != LS_ENOTFOUND) {
            cli_error_ls(rc, &err);
            c->failed = 1;
        }
    }
    free(key);
    return c->failed;
}

/* Sync of a directory root: walk, then delete what the old commit has under it that the
 * walk did not see. */
static int sync_dir(cli_source *s, const char *path)
{
    char *root = realpath(path, NULL);
    if (root == NULL) {
        cli_error("cannot resolve %s: %s", path, strerror(errno));
        return -1;
    }
    seen_ids seen = {NULL, 0, 0};
    walk_ctx c = {s, root, &seen};
    int rc = cli_walk(path, s->walk, add_walked, skip_walked, &c);
    if (rc == 0 && s->old != NULL) {
        if (seen.n > 1)
            qsort(seen.v, seen.n, sizeof *seen.v, cmp_strs);
        char *prefix = join_path(root, "");
        prune_ctx pc = {s, &seen, 0};
        ls_error err = {0};
        int lrc = prefix ? ls_reader_ids(s->old, prefix, strlen(prefix), prune_one, &pc, &err)
                         : LS_ENOMEM;
        if (lrc != LS_OK) {
            cli_error_ls(lrc, &err);
            rc = -1;
        } else if (pc.failed) {
            rc = -1;
        }
        free(prefix);
    }
    seen_free(&seen);
    free(root);
    return rc;
}

int cli_source_add_path(cli_source *s, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        warn(s, "unreadable", path, strerror(errno));
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        if (s->sync)
            return sync_dir(s, path);
        walk_ctx c = {s, path, NULL};
        return cli_walk(path, s->walk, add_walked, skip_walked, &c);
    }
    if (!s->sync)
        return add_text_file(s, path, path, NULL);
    char *id = realpath(path, NULL);
    if (id == NULL) {
        warn(s, "unreadable", path, strerror(errno));
        return 0;
    }
    int rc = add_text_file(s, path, id, NULL);
    free(id);
    return rc;
}

/* ---- JSON lines ---- */

/* Reads an optional string member; a non-string is an error. */
static int get_str(json_t *obj, const char *key, const char **p, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    *p = NULL;
    *len = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *p = json_string_value(v);
    *len = json_string_length(v);
    return 0;
}

/* The id: a string, or a number written in decimal into `num`. */
static const char *get_id(json_t *obj, char *num, size_t num_size, size_t *len)
{
    json_t *v = json_object_get(obj, "id");
    if (json_is_string(v)) {
        *len = json_string_length(v);
        return json_string_value(v);
    }
    int n;
    if (json_is_integer(v))
        n = snprintf(num, num_size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        n = snprintf(num, num_size, "%.17g", json_real_value(v));
    else
        return NULL;
    if (n < 0 || (size_t)n >= num_size)
        return NULL;
    *len = (size_t)n;
    return num;
}

/* A malformed line: told and counted, then skipped (strict: an error that stops the run). */
static int line_error(cli_source *s, const char *name, size_t line, const char *what)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%zu", name, line);
    if (s->strict) {
        cli_progress_clear(s->progress);
        cli_error("%s: %s", where, what);
        return -1;
    }
    s->bad_lines++; /* told as the first few warnings are (warnings.h); the caller counts */
    const cli_warnings *w = s->warnings;
    if (!s->quiet && (w == NULL || (!w->quiet && (w->verbose || s->bad_lines <= CLI_WARNINGS_SHOWN)))) {
        cli_progress_clear(s->progress);
        cli_warn("skipped %s (malformed line): %s", where, what);
    }
    return 0;
}

/* Adds a document read from a line (unless the caller's keep() passes over its id). */
static int jsonl_add(cli_source *s, const ls_document *doc, const char *name, size_t line)
{
    if (s->keep != NULL && !s->keep(doc->id, doc->id_len, s->keep_payload)) {
        s->passed++;
        return 0;
    }
    size_t wlen = strlen(name) + 32;
    char *where = malloc(wlen);
    if (where == NULL)
        return line_error(s, name, line, "out of memory");
    snprintf(where, wlen, "%s:%zu", name, line);
    int rc = add_doc(s, doc, where);
    free(where);
    return rc;
}

static int jsonl_doc(cli_source *s, json_t *obj, const char *name, size_t line)
{
    char num[64];
    ls_document doc = LS_DOCUMENT_INIT;
    if (!json_is_object(obj))
        return line_error(s, name, line, "not a JSON object");
    doc.id = get_id(obj, num, sizeof num, &doc.id_len);
    if (doc.id == NULL)
        return line_error(s, name, line, "\"id\" is missing or not a string or number");
    if (get_str(obj, "title", &doc.title, &doc.title_len) != 0 ||
        get_str(obj, "body", &doc.body, &doc.body_len) != 0 ||
        get_str(obj, "path", &doc.path, &doc.path_len) != 0)
        return line_error(s, name, line, "\"title\", \"body\" and \"path\" must be strings");
    return jsonl_add(s, &doc, name, line);
}

/* A line of the simple shape (jsonl_fast.h), read without jansson. */
static int jsonl_fast_doc(cli_source *s, const jf_line *jl, const char *name, size_t line)
{
    ls_document doc = LS_DOCUMENT_INIT;
    doc.id = jl->v[JF_ID];
    doc.id_len = jl->len[JF_ID];
    doc.title = jl->v[JF_TITLE];
    doc.title_len = jl->len[JF_TITLE];
    doc.body = jl->v[JF_BODY];
    doc.body_len = jl->len[JF_BODY];
    doc.path = jl->v[JF_PATH];
    doc.path_len = jl->len[JF_PATH];
    return jsonl_add(s, &doc, name, line);
}

static int blank_line(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_blank(p[i]) && p[i] != '\n')
            return 0;
    return 1;
}

static int jsonl_stream(cli_source *s, FILE *f, const char *name)
{
    char *line = NULL, *scratch = NULL;
    size_t cap = 0, scratch_cap = 0, lineno = 0;
    ssize_t got;
    int rc = 0;
    s->progress->files++;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        s->progress->bytes += (uint64_t)got;
        s->progress->done += (uint64_t)got;
        if (blank_line(line, (size_t)got))
            continue;
        if (scratch_cap < cap) {
            char *ns = realloc(scratch, cap);
            if (ns != NULL) {
                scratch = ns;
                scratch_cap = cap;
            }
        }
        jf_line jl;
        if (scratch_cap >= (size_t)got && jf_parse(line, (size_t)got, scratch, &jl)) {
            rc = jsonl_fast_doc(s, &jl, name, lineno);
            cli_progress_update(s->progress);
            continue;
        }
        json_error_t jerr;
        json_t *obj = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &jerr);
        if (obj == NULL) {
            char why[sizeof jerr.text + 16];
            snprintf(why, sizeof why, "invalid JSON: %s", jerr.text);
            rc = line_error(s, name, lineno, why);
            continue;
        }
        rc = jsonl_doc(s, obj, name, lineno);
        json_decref(obj);
        cli_progress_update(s->progress);
    }
    if (rc == 0 && ferror(f)) {
        cli_error("cannot read %s: %s", name, strerror(errno));
        rc = -1;
    }
    free(line);
    free(scratch);
    return rc;
}

int cli_source_add_jsonl(cli_source *s, const char *file)
{
    if (strcmp(file, "-") == 0)
        return jsonl_stream(s, stdin, "stdin");
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        cli_error("cannot open %s: %s", file, strerror(errno));
        return -1;
    }
    int rc = jsonl_stream(s, f, file);
    fclose(f);
    return rc;
}
