// SPDX-License-Identifier: MIT
//
// fts5_peer.c - an SQLite FTS5 peer for the benchmarks, doing what `cisearch index` and
// `cisearch bench` do so that the engines can be compared side by side.
//
//   fts5_peer index INDEX_DIR JSONL_FILE
//       Reads JSON lines {"id": ..., "title": ..., "body": ...} into INDEX_DIR/fts.db (the
//       directory is created; an existing fts.db is replaced): the virtual table
//       `t USING fts5(x, tokenize='unicode61')` (unicode61 case folding, no stemming, no stop
//       words) holding title + " " + body with rowid = the 1-based document number, and the
//       plain table `ids(rowid INTEGER PRIMARY KEY, id TEXT)`. One transaction, prepared
//       statements, then `INSERT INTO t(t) VALUES('optimize')` (merges FTS5's segments).
//       A repeated id is NOT replaced (each line is a document). Prints
//       `docs<TAB>wall_seconds` (the wall time covers parsing, inserting, commit, optimize).
//
//   fts5_peer search INDEX_DIR QUERY_FILE K REPEAT
//       Like `cisearch bench --index INDEX_DIR --queries QUERY_FILE -k K --repeat REPEAT`:
//       one query per line (blank lines skipped, trailing CR/LF stripped) in the plain syntax
//       `+a +b` (AND), `a b` (OR), `"a b"` (phrase), `abc*` (prefix), `-a` (NOT), translated
//       to an FTS5 MATCH expression: every term or phrase double-quoted, characters that are
//       neither ASCII letters/digits nor non-ASCII bytes replaced by spaces (the tokenizer
//       then splits there, as unicode61 does in documents); `+` items joined by AND, and
//       when there are none the items joined by OR; optional items next to `+` items are
//       dropped (they only affect ranking); `-` items appended as NOT. Top K:
//       `SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT ?2` (FTS5's bm25() has
//       k1=1.2, b=0.75 built in, the same as cisearch), then each hit's id read from `ids`;
//       K = 0: `SELECT count(*) FROM t WHERE t MATCH ?1`. Statements are prepared once and
//       bound per run. Every query runs once to warm up, then each query REPEAT times in
//       turn, each run timed with CLOCK_MONOTONIC around translation + search + id reads.
//       Prints `latency_us<TAB>hits<TAB>query` per query: the median of the REPEAT runs (the
//       mean of the two middle runs when REPEAT is even), and the exact number of matches
//       from the count(*) query, outside the timed runs. A summary goes to stderr:
//       `fts5: N queries, R timed runs each; median latency: mean X us, sum Y ms; open Z us`.
//       The database is opened read-only with mmap_size = 1 GiB; Z is the time to open it,
//       set that pragma and prepare the three statements (the first prepare reads the schema,
//       as SQLite opens lazily).
//
// Exit status: 0 on success, 2 on an error (as cisearch).
//
// Build: bench/peers/build_fts5.sh (from the repository root), output build/peers/fts5_peer.

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_ERR 2

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

// --- a growable string ---
typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            fputs("fts5_peer: out of memory\n", stderr);
            exit(EXIT_ERR);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s) { buf_add(b, s, strlen(s)); }

// The string value of a JSON member: strings as they are, integers printed, null/absent "".
static void json_text(buf_t *b, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    char tmp[64];
    if (v == NULL || json_is_null(v))
        return;
    if (json_is_string(v)) {
        buf_add(b, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        buf_str(b, tmp);
    } else if (json_is_real(v)) {
        snprintf(tmp, sizeof tmp, "%.17g", json_real_value(v));
        buf_str(b, tmp);
    }
}

static int db_fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "fts5_peer: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    return EXIT_ERR;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "fts5_peer: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return EXIT_ERR;
    }
    return 0;
}

static char *db_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/fts.db";
    char *p = malloc(n);
    if (p == NULL)
        exit(EXIT_ERR);
    snprintf(p, n, "%s/fts.db", dir);
    return p;
}

static int cmd_index(const char *dir, const char *jsonl)
{
    double t0 = now_us();
    FILE *in = fopen(jsonl, "rb");
    if (in == NULL) {
        fprintf(stderr, "fts5_peer: cannot open '%s': %s\n", jsonl, strerror(errno));
        return EXIT_ERR;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fts5_peer: cannot create '%s': %s\n", dir, strerror(errno));
        fclose(in);
        return EXIT_ERR;
    }
    char *path = db_path(dir);
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "fts5_peer: cannot remove '%s': %s\n", path, strerror(errno));
        free(path);
        fclose(in);
        return EXIT_ERR;
    }

    sqlite3 *db = NULL;
    sqlite3_stmt *ins_t = NULL, *ins_id = NULL;
    int rc = EXIT_ERR;
    unsigned long docs = 0, line_no = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    buf_t text = {0}, id = {0};

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        db_fail(db, path);
        goto out;
    }
    if (exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61')") ||
        exec(db, "CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT)") || exec(db, "BEGIN"))
        goto out;
    if (sqlite3_prepare_v2(db, "INSERT INTO t(rowid, x) VALUES(?1, ?2)", -1, &ins_t, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO ids(rowid, id) VALUES(?1, ?2)", -1, &ins_id, NULL) != SQLITE_OK) {
        db_fail(db, "prepare");
        goto out;
    }
    while ((n = getline(&line, &line_cap, in)) >= 0) {
        line_no++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        json_error_t jerr;
        json_t *obj = json_loadb(line, (size_t)n, 0, &jerr);
        if (obj == NULL || !json_is_object(obj)) {
            fprintf(stderr, "fts5_peer: %s:%lu: bad JSON: %s\n", jsonl, line_no,
                    obj ? "not an object" : jerr.text);
            json_decref(obj);
            goto out;
        }
        text.len = id.len = 0;
        buf_add(&text, "", 0);
        buf_add(&id, "", 0);
        json_text(&id, obj, "id");
        json_text(&text, obj, "title");
        buf_add(&text, " ", 1);
        json_text(&text, obj, "body");
        json_decref(obj);

        docs++;
        sqlite3_bind_int64(ins_t, 1, (sqlite3_int64)docs);
        sqlite3_bind_text(ins_t, 2, text.p, (int)text.len, SQLITE_STATIC);
        sqlite3_bind_int64(ins_id, 1, (sqlite3_int64)docs);
        sqlite3_bind_text(ins_id, 2, id.p, (int)id.len, SQLITE_STATIC);
        if (sqlite3_step(ins_t) != SQLITE_DONE || sqlite3_step(ins_id) != SQLITE_DONE) {
            db_fail(db, "insert");
            goto out;
        }
        sqlite3_reset(ins_t);
        sqlite3_reset(ins_id);
    }
    if (ferror(in)) {
        fprintf(stderr, "fts5_peer: cannot read '%s'\n", jsonl);
        goto out;
    }
    if (exec(db, "COMMIT") || exec(db, "INSERT INTO t(t) VALUES('optimize')"))
        goto out;
    rc = 0;
out:
    sqlite3_finalize(ins_t);
    sqlite3_finalize(ins_id);
    if (db != NULL && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = db_fail(db, "close");
    free(line);
    free(text.p);
    free(id.p);
    free(path);
    fclose(in);
    if (rc == 0)
        printf("%lu\t%.3f\n", docs, (now_us() - t0) / 1e6);
    return rc;
}

// --- query translation ---
static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// Appends `"cleaned"` (and `*` when prefix); returns 0 when the term has no word characters.
static int add_quoted(buf_t *b, const char *s, size_t n, int prefix)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= word_byte((unsigned char)s[i]);
    if (!any)
        return 0;
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++)
        buf_add(b, word_byte((unsigned char)s[i]) ? &s[i] : " ", 1);
    buf_add(b, prefix ? "\"*" : "\"", prefix ? 2 : 1);
    return 1;
}

// Translates one plain-syntax query into `out` (an FTS5 MATCH expression, maybe empty).
static void translate(const char *q, buf_t *out, buf_t *must, buf_t *should, buf_t *not)
{
    out->len = must->len = should->len = not->len = 0;
    buf_add(out, "", 0);
    buf_add(must, "", 0);
    buf_add(should, "", 0);
    buf_add(not, "", 0);
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char op = 0;
        if (*p == '+' || *p == '-')
            op = *p++;
        const char *s;
        size_t n;
        int prefix = 0;
        if (*p == '"') {
            s = ++p;
            while (*p && *p != '"')
                p++;
            n = (size_t)(p - s);
            if (*p == '"')
                p++;
            while (*p && *p != ' ' && *p != '\t')  // junk after the closing quote
                p++;
        } else {
            s = p;
            while (*p && *p != ' ' && *p != '\t')
                p++;
            n = (size_t)(p - s);
            if (n > 0 && s[n - 1] == '*') {
                prefix = 1;
                n--;
            }
        }
        buf_t *dst = op == '+' ? must : op == '-' ? not : should;
        size_t before = dst->len;
        const char *sep = dst == should ? " OR " : dst == must ? " AND " : " NOT ";
        if (dst->len > 0 || dst == not)
            buf_str(dst, sep);
        if (!add_quoted(dst, s, n, prefix)) {
            dst->len = before;
            dst->p[before] = '\0';
        }
    }
    buf_t *pos = must->len > 0 ? must : should;
    if (pos->len == 0)
        return;  // nothing positive: matches nothing (out stays empty)
    if (not->len > 0) {
        buf_str(out, "(");
        buf_add(out, pos->p, pos->len);
        buf_str(out, ")");
        buf_add(out, not->p, not->len);
    } else {
        buf_add(out, pos->p, pos->len);
    }
}

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *top, *count, *id;
    buf_t expr, must, should, not;
    size_t sink;
} searcher_t;

// Exact match count of an FTS5 expression, or -1 on an error.
static long long count_matches(searcher_t *s, const buf_t *expr)
{
    if (expr->len == 0)
        return 0;
    long long c = -1;
    sqlite3_bind_text(s->count, 1, expr->p, (int)expr->len, SQLITE_STATIC);
    if (sqlite3_step(s->count) == SQLITE_ROW)
        c = sqlite3_column_int64(s->count, 0);
    if (sqlite3_reset(s->count) != SQLITE_OK)
        c = -1;
    return c;
}

// One timed run: translate + search + read every hit's id. Returns microseconds, < 0 on error.
static double run_once(searcher_t *s, const char *q, long long k)
{
    double t0 = now_us();
    translate(q, &s->expr, &s->must, &s->should, &s->not);
    if (s->expr.len == 0)
        return now_us() - t0;
    if (k == 0) {
        long long c = count_matches(s, &s->expr);
        if (c < 0)
            return -1;
        s->sink += (size_t)c;
        return now_us() - t0;
    }
    sqlite3_bind_text(s->top, 1, s->expr.p, (int)s->expr.len, SQLITE_STATIC);
    sqlite3_bind_int64(s->top, 2, k);
    int rc;
    while ((rc = sqlite3_step(s->top)) == SQLITE_ROW) {
        sqlite3_bind_int64(s->id, 1, sqlite3_column_int64(s->top, 0));
        if (sqlite3_step(s->id) == SQLITE_ROW)
            s->sink += (size_t)sqlite3_column_bytes(s->id, 0);  // the id, as a user would read it
        sqlite3_reset(s->id);
    }
    if (sqlite3_reset(s->top) != SQLITE_OK || rc != SQLITE_DONE)
        return -1;
    return now_us() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmd_search(const char *dir, const char *qfile, long long k, unsigned long repeat)
{
    FILE *in = fopen(qfile, "rb");
    if (in == NULL) {
        fprintf(stderr, "fts5_peer: cannot open '%s': %s\n", qfile, strerror(errno));
        return EXIT_ERR;
    }
    char **qs = NULL;
    size_t nq = 0, qcap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    while ((n = getline(&line, &line_cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
            line[--n] = '\0';
        if (strspn(line, " \t") == (size_t)n)
            continue;
        if (nq == qcap) {
            qcap = qcap ? qcap * 2 : 64;
            char **p = realloc(qs, qcap * sizeof *qs);
            if (p == NULL)
                exit(EXIT_ERR);
            qs = p;
        }
        qs[nq] = strdup(line);
        if (qs[nq++] == NULL)
            exit(EXIT_ERR);
    }
    free(line);
    int bad_read = ferror(in);
    fclose(in);
    if (bad_read) {
        fprintf(stderr, "fts5_peer: cannot read '%s'\n", qfile);
        return EXIT_ERR;
    }

    int rc = EXIT_ERR;
    searcher_t s = {0};
    double *runs = malloc(repeat * sizeof *runs);
    char *path = db_path(dir);
    if (runs == NULL)
        exit(EXIT_ERR);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "fts5_peer: no index at '%s': %s\n", path, strerror(errno));
        goto out;
    }
    double open_t0 = now_us();  // the open time: open, pragma, the three statements prepared
    if (sqlite3_open_v2(path, &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        db_fail(s.db, path);
        goto out;
    }
    if (exec(s.db, "PRAGMA mmap_size = 1073741824"))
        goto out;
    if (sqlite3_prepare_v2(s.db, "SELECT t.rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT ?2",
                           -1, &s.top, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s.db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &s.count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s.db, "SELECT id FROM ids WHERE rowid = ?1", -1, &s.id, NULL) != SQLITE_OK) {
        db_fail(s.db, "prepare");
        goto out;
    }
    double open_us = now_us() - open_t0;

    for (size_t i = 0; i < nq; i++) {  // warm-up
        if (run_once(&s, qs[i], k) < 0) {
            fprintf(stderr, "fts5_peer: query '%s' (MATCH '%s'): %s\n", qs[i], s.expr.p,
                    sqlite3_errmsg(s.db));
            goto out;
        }
    }
    double total = 0;
    for (size_t i = 0; i < nq; i++) {
        for (unsigned long j = 0; j < repeat; j++)
            if ((runs[j] = run_once(&s, qs[i], k)) < 0) {
                db_fail(s.db, qs[i]);
                goto out;
            }
        qsort(runs, repeat, sizeof *runs, cmp_double);
        double med = repeat % 2 ? runs[repeat / 2] : (runs[repeat / 2 - 1] + runs[repeat / 2]) / 2;
        total += med;
        // Exact match count, outside the timed runs.
        translate(qs[i], &s.expr, &s.must, &s.should, &s.not);
        long long hits = count_matches(&s, &s.expr);
        if (hits < 0) {
            db_fail(s.db, qs[i]);
            goto out;
        }
        printf("%.2f\t%lld\t%s\n", med, hits, qs[i]);
    }
    fprintf(stderr,
            "fts5: %zu queries, %lu timed runs each; median latency: mean %.1f us, sum %.1f ms; "
            "open %.1f us\n",
            nq, repeat, nq ? total / (double)nq : 0.0, total / 1e3, open_us);
    if (s.sink == (size_t)-1)  // keep the id reads from being optimised away
        fputc('\0', stderr);
    if (fflush(stdout) != 0) {
        perror("fts5_peer: writing results");
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(s.top);
    sqlite3_finalize(s.count);
    sqlite3_finalize(s.id);
    sqlite3_close(s.db);
    free(s.expr.p);
    free(s.must.p);
    free(s.should.p);
    free(s.not.p);
    free(runs);
    free(path);
    for (size_t i = 0; i < nq; i++)
        free(qs[i]);
    free(qs);
    return rc;
}

static int parse_count(const char *s, unsigned long *out)
{
    char *end = NULL;
    if (*s == '\0' || *s == '-')
        return 0;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return *end == '\0' && errno == 0;
}

static int usage(void)
{
    fputs("usage: fts5_peer index INDEX_DIR JSONL_FILE\n"
          "       fts5_peer search INDEX_DIR QUERY_FILE K REPEAT\n",
          stderr);
    return EXIT_ERR;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "index") == 0)
        return cmd_index(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "search") == 0) {
        unsigned long k, repeat;
        if (!parse_count(argv[4], &k) || k > 1000000000UL || !parse_count(argv[5], &repeat) ||
            repeat < 1 || repeat > 100000) {
            fputs("fts5_peer: K must be a count and REPEAT 1 to 100000\n", stderr);
            return EXIT_ERR;
        }
        return cmd_search(argv[2], argv[3], (long long)k, repeat);
    }
    return usage();
}
