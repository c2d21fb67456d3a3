/* SPDX-License-Identifier: MIT */
/*
 * test_crash.c - crash safety of the writer (DESIGN.md §4: a commit is atomic, a crash leaves
 * the previous commit or the new one, never a mix):
 *   - a kill campaign: a child process adds, replaces and deletes documents, commits and
 *     optimizes in a loop, reporting each commit's content digest; the parent SIGKILLs it at
 *     random instants (also inside commits and optimizes) and checks that the index opens,
 *     passes ls_reader_check and holds exactly the last reported commit or the one in flight;
 *     the next child's writer must open on it and leave nothing behind (every other child
 *     writes with two index threads);
 *   - failing writes, fsyncs and renames (util/fileio.h ls_fileio_fail_after) at every
 *     possible call of a commit, a merging commit, an optimize and a flushing add, with ENOSPC
 *     and EIO, and a real file-size limit (RLIMIT_FSIZE: EFBIG): the call says LS_EIO naming
 *     the file, the writer refuses more work, readers see the previous commit intact, and the
 *     next writer commits.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultutil.h"
#include "libsearch.h"
#include "testutil.h"
#include "util/fileio.h"

#define NIDS 400u /* model ids m0000..m0399; the live set hovers around half */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A fresh index of the model's first documents, a few of them large. */
static char *build_model_index(ls_ft_model *m, uint32_t nids, uint32_t ndocs, uint64_t stream)
{
    char *dir = ls_test_tmpdir();
    ls_ft_model_init(m, nids);
    ls_rng r;
    ls_rng_init(&r, stream);
    ls_error err;
    ls_writer *w;
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    for (uint32_t k = 0; k < ndocs; k++) {
        size_t bytes = k % 37 == 5 ? 96u << 10 : 40 + ls_rng_below(&r, 300);
        rc = ls_ft_model_put(w, m, k, bytes, &err);
        ck_assert_msg(rc == LS_OK, "put m%04u: %d %s", k, rc, err.message);
        if (k % 50 == 49) { /* several segments */
            rc = ls_writer_commit(w, &err);
            ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
        }
    }
    rc = ls_writer_commit(w, &err);
    ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
    ls_writer_close(w);
    return dir;
}

/* ---- the kill campaign -------------------------------------------------------------------- */

/* What the child says, one line per event:
 *   S <live> <digest>                  its writer is open and the model read from the index
 *   P <seq> <c|o> <live> <digest> <us> about to commit (c) or optimize (o) this content,
 *                                      made in <us> microseconds since the last commit
 *   C <seq> <microseconds>             that commit or optimize returned LS_OK
 *   E <text>                           something failed: the test fails with the text */
static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(fd, line, (size_t)n) != n) /* pipe writes under PIPE_BUF are atomic */
        ls_test_child_exit(9);
}

static void child_fail(int fd, const char *what, int rc, const ls_error *err)
{
    report(fd, "E %s: %d %s", what, rc, err->message);
    ls_test_child_exit(2);
}

static void campaign_child(const char *dir, int fd, uint64_t seed)
{
    ls_rng r;
    ls_rng_init(&r, seed);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.ram_budget = 256u << 10; /* adds write segments too */
    wo.merge_factor = 4;        /* commits merge often */
    wo.threads = seed % 2 ? 2 : 0; /* every other child: killed while index threads write */
    ls_writer *w;
    ls_error err;
    int rc = ls_writer_open(dir, &wo, &w, &err);
    if (rc != LS_OK)
        child_fail(fd, "ls_writer_open after the kill", rc, &err);
    char what[160];
    int orphan = ls_ft_find_orphan(dir, what, sizeof what);
    if (orphan != 0) {
        report(fd, "E the writer opened after the kill left %s",
               orphan < 0 ? "unreadable manifests" : what);
        ls_test_child_exit(3);
    }
    ls_reader *rd;
    rc = ls_reader_open(dir, &rd, &err);
    if (rc != LS_OK)
        child_fail(fd, "ls_reader_open in the child", rc, &err);
    ls_ft_model m;
    m.nids = NIDS;
    m.ver = calloc(NIDS, sizeof *m.ver);
    if (m.ver == NULL)
        ls_test_child_exit(4);
    rc = ls_ft_model_load(rd, &m, &err);
    ls_reader_close(rd);
    if (rc != LS_OK)
        child_fail(fd, "reading the model", rc, &err);
    report(fd, "S %llu %llu", (unsigned long long)m.live,
           (unsigned long long)ls_ft_model_digest(&m));
    for (uint64_t seq = 1;; seq++) {
        uint64_t t_add = now_us();
        /* one batch in four is long (and writes segments as the RAM budget fills), so kills
         * land among the changes too */
        uint32_t nchanges =
            ls_rng_below(&r, 4) ? 1 + ls_rng_below(&r, 30) : 100 + ls_rng_below(&r, 200);
        rc = ls_ft_model_batch(w, &m, &r, nchanges, &err);
        if (rc != LS_OK)
            child_fail(fd, "a change", rc, &err);
        int optimize = ls_rng_below(&r, 4) == 0;
        report(fd, "P %llu %c %llu %llu %llu", (unsigned long long)seq, optimize ? 'o' : 'c',
               (unsigned long long)m.live, (unsigned long long)ls_ft_model_digest(&m),
               (unsigned long long)(now_us() - t_add));
        uint64_t t0 = now_us();
        rc = optimize ? ls_writer_optimize(w, 1 + ls_rng_below(&r, 3), &err)
                      : ls_writer_commit(w, &err);
        if (rc != LS_OK)
            child_fail(fd, optimize ? "ls_writer_optimize" : "ls_writer_commit", rc, &err);
        report(fd, "C %llu %llu", (unsigned long long)seq, (unsigned long long)(now_us() - t0));
    }
}

typedef struct content {
    uint64_t seq, live, digest;
    char kind; /* 'c' commit, 'o' optimize, 's' the start */
} content;

/* The parent's reading of one child's reports. */
typedef struct reports {
    char buf[4096];
    size_t len;
    int started, eof;
    content start, last_p, committed; /* committed: the P whose C came last */
    uint64_t n_p[2];                  /* P lines seen: commits, optimizes */
    uint64_t n_c;                     /* C lines seen */
    uint64_t dur_sum[3], dur_n[3];    /* durations of commits, optimizes, changes */
    char error[512];
} reports;

static void parse_line(reports *rp, char *line)
{
    unsigned long long a, b, c, d;
    char k;
    if (line[0] == 'S' && sscanf(line, "S %llu %llu", &a, &b) == 2) {
        rp->started = 1;
        rp->start = (content){0, a, b, 's'};
        rp->committed = rp->start;
        rp->last_p = rp->start;
    } else if (line[0] == 'P' &&
               sscanf(line, "P %llu %c %llu %llu %llu", &a, &k, &b, &c, &d) == 5) {
        rp->last_p = (content){a, b, c, k};
        rp->n_p[k == 'o']++;
        rp->dur_sum[2] += d;
        rp->dur_n[2]++;
    } else if (line[0] == 'C' && sscanf(line, "C %llu %llu", &a, &b) == 2) {
        ck_assert_msg(a == rp->last_p.seq, "report C %llu after P %llu", a,
                      (unsigned long long)rp->last_p.seq);
        rp->committed = rp->last_p;
        rp->n_c++;
        rp->dur_sum[rp->last_p.kind == 'o'] += b;
        rp->dur_n[rp->last_p.kind == 'o']++;
    } else if (line[0] == 'E') {
        snprintf(rp->error, sizeof rp->error, "%s", line + 2);
    } else {
        ck_abort_msg("unreadable report '%s'", line);
    }
}

/* Reads what is there (waiting at most timeout_ms); parses whole lines. */
static void pump(reports *rp, int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (rp->eof || poll(&p, 1, timeout_ms) <= 0)
        return;
    ssize_t k = read(fd, rp->buf + rp->len, sizeof rp->buf - 1 - rp->len);
    if (k <= 0) {
        rp->eof = 1;
        return;
    }
    rp->len += (size_t)k;
    rp->buf[rp->len] = '\0';
    char *start = rp->buf, *nl;
    while ((nl = strchr(start, '\n')) != NULL) {
        *nl = '\0';
        parse_line(rp, start);
        start = nl + 1;
    }
    rp->len -= (size_t)(start - rp->buf);
    memmove(rp->buf, start, rp->len);
}

typedef enum phase { PH_OPEN, PH_ADD, PH_COMMIT, PH_OPTIMIZE, PH_COUNT } phase;
static const char *const phase_names[PH_COUNT] = {"open", "add", "commit", "optimize"};

typedef struct campaign {
    uint64_t kills[PH_COUNT], landed[PH_COUNT];
    uint64_t dur_sum[3], dur_n[3]; /* commit, optimize, changes durations (reported) */
} campaign;

/* Waits until the child has announced `want` commits (kind 0) or optimizes (kind 1), or has
 * finished `want` of either (kind 2), then sleeps up to `sleep_max` microseconds. */
static void wait_then_sleep(reports *rp, int fd, int kind, uint64_t want, uint64_t sleep_max,
                            ls_rng *r)
{
    uint64_t until = now_us() + 20u * 1000000u;
    while ((kind == 2 ? rp->n_c : rp->n_p[kind]) < want && !rp->eof && now_us() < until)
        pump(rp, fd, 50);
    sleep_us(ls_rng_below(r, (uint32_t)sleep_max + 1));
}

/* One kill: fork, let it run, kill it somewhere, check the index. *last_gen and *last_digest:
 * the generation and content the previous kill left, which the child starts from. */
static void kill_once(const char *dir, int t, ls_rng *r, campaign *cp, uint64_t *last_gen,
                      uint64_t *last_digest)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        campaign_child(dir, fds[1], 5000u + (uint64_t)t);
    }
    close(fds[1]);
    reports rp;
    memset(&rp, 0, sizeof rp);
    uint64_t typical[3];
    static const uint64_t guess[3] = {20000, 40000, 2000};
    for (int k = 0; k < 3; k++)
        typical[k] = cp->dur_n[k] ? cp->dur_sum[k] / cp->dur_n[k] : guess[k];
    switch (ls_rng_below(r, 5)) {
    case 0: /* anywhere in the first ~150 ms: opening, adding, committing */
        sleep_us(ls_rng_below(r, 150000));
        break;
    case 1: /* among the changes after the 1st or 2nd commit */
        wait_then_sleep(&rp, fds[0], 2, 1 + ls_rng_below(r, 2), typical[2], r);
        break;
    case 2:
    case 3: /* inside the 1st..3rd commit */
        wait_then_sleep(&rp, fds[0], 0, 1 + ls_rng_below(r, 3), typical[0] * 5 / 4, r);
        break;
    default: /* inside the first optimize */
        wait_then_sleep(&rp, fds[0], 1, 1, typical[1] * 5 / 4, r);
        break;
    }
    kill(pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    while (!rp.eof)
        pump(&rp, fds[0], 1000);
    close(fds[0]);
    ck_assert_msg(rp.error[0] == '\0', "iteration %d: the child said: %s", t, rp.error);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "iteration %d: the child ended by itself (status %d)", t, status);

    phase ph = !rp.started ? PH_OPEN
               : rp.last_p.seq > rp.committed.seq
                   ? (rp.last_p.kind == 'o' ? PH_OPTIMIZE : PH_COMMIT)
                   : PH_ADD;
    cp->kills[ph]++;
    for (int k = 0; k < 3; k++) {
        cp->dur_sum[k] += rp.dur_sum[k];
        cp->dur_n[k] += rp.dur_n[k];
    }

    ls_error err;
    ls_reader *rd;
    int rc = ls_reader_open(dir, &rd, &err);
    ck_assert_msg(rc == LS_OK, "iteration %d (killed in %s): ls_reader_open: %d %s", t,
                  phase_names[ph], rc, err.message);
    rc = ls_reader_check(rd, &err);
    ck_assert_msg(rc == LS_OK, "iteration %d (killed in %s): ls_reader_check: %d %s", t,
                  phase_names[ph], rc, err.message);
    ls_ft_model got;
    ls_ft_model_init(&got, NIDS);
    rc = ls_ft_model_load(rd, &got, &err);
    ck_assert_msg(rc == LS_OK, "iteration %d: reading the ids: %d %s", t, rc, err.message);
    uint64_t digest = ls_ft_model_digest(&got);
    /* the child read what the previous kill left; killed before that, nothing changed */
    ck_assert_msg(rp.started ? rp.start.digest == *last_digest : digest == *last_digest,
                  "iteration %d (killed in %s): the child started from content %016llx, the "
                  "index held %016llx after the previous kill",
                  t, phase_names[ph], (unsigned long long)(rp.started ? rp.start.digest : digest),
                  (unsigned long long)*last_digest);
    *last_digest = digest;
    if (rp.started) {
        int in_flight = rp.last_p.seq > rp.committed.seq && digest == rp.last_p.digest;
        ck_assert_msg(digest == rp.committed.digest || in_flight,
                      "iteration %d (killed in %s): the index holds %llu documents (digest "
                      "%016llx): neither the last commit reported (seq %llu, %llu documents, "
                      "%016llx) nor the one in flight (seq %llu, %llu documents, %016llx)",
                      t, phase_names[ph], (unsigned long long)got.live, (unsigned long long)digest,
                      (unsigned long long)rp.committed.seq, (unsigned long long)rp.committed.live,
                      (unsigned long long)rp.committed.digest, (unsigned long long)rp.last_p.seq,
                      (unsigned long long)rp.last_p.live, (unsigned long long)rp.last_p.digest);
        if (in_flight && digest != rp.committed.digest)
            cp->landed[ph]++;
    }
    /* counts, the common word, a few documents by their version's word */
    ls_ft_assert_model(rd, &got, r, 3, "after the kill");
    uint64_t gen;
    (void)ls_ft_doc_count(rd, &gen);
    ck_assert_uint_ge(gen, *last_gen);
    *last_gen = gen;
    ls_ft_model_free(&got);
    ls_reader_close(rd);
}

START_TEST(crash_kill_campaign)
{
    ls_rng r;
    ls_rng_init(&r, 5000);
    ls_ft_model m0;
    char *dir = build_model_index(&m0, NIDS, 150, 5001);
    ls_reader *rd = ls_ft_open_ok(dir);
    ls_ft_assert_model(rd, &m0, &r, 10, "the first index");
    ls_reader_close(rd);
    uint64_t last_digest = ls_ft_model_digest(&m0);
    ls_ft_model_free(&m0);

    campaign cp;
    memset(&cp, 0, sizeof cp);
    uint64_t t0 = now_us(), last_gen = 0;
    int iters = ls_test_long() ? 1000 : 36;
    for (int t = 0; t < iters; t++)
        kill_once(dir, t, &r, &cp, &last_gen, &last_digest);

    /* a last writer opens, leaves nothing behind, and the index checks clean */
    ls_error err;
    ls_writer *w;
    int rc = ls_writer_open(dir, NULL, &w, &err);
    ck_assert_msg(rc == LS_OK, "final ls_writer_open: %d %s", rc, err.message);
    ls_writer_close(w);
    ls_ft_assert_no_orphans(dir);
    rd = ls_ft_open_ok(dir);
    ck_assert_int_eq(ls_reader_check(rd, &err), LS_OK);
    ls_reader_close(rd);

    printf("crash_kill_campaign: %d kills in %.1f s (seed %lu): open %llu, add %llu, commit %llu "
           "(%llu landed), optimize %llu (%llu landed); typical commit %llu us, optimize %llu "
           "us; generation %llu\n",
           iters, (double)(now_us() - t0) / 1e6, ls_test_seed(),
           (unsigned long long)cp.kills[PH_OPEN], (unsigned long long)cp.kills[PH_ADD],
           (unsigned long long)cp.kills[PH_COMMIT], (unsigned long long)cp.landed[PH_COMMIT],
           (unsigned long long)cp.kills[PH_OPTIMIZE], (unsigned long long)cp.landed[PH_OPTIMIZE],
           (unsigned long long)(cp.dur_n[0] ? cp.dur_sum[0] / cp.dur_n[0] : 0),
           (unsigned long long)(cp.dur_n[1] ? cp.dur_sum[1] / cp.dur_n[1] : 0),
           (unsigned long long)last_gen);
    fflush(stdout);
    /* the campaign reached every phase */
    ck_assert_uint_gt(cp.kills[PH_ADD], 0);
    ck_assert_uint_gt(cp.kills[PH_COMMIT], 0);
    ck_assert_uint_gt(cp.kills[PH_OPTIMIZE], 0);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- failing writes, fsyncs and renames ----------------------------------------------------- */

typedef enum sweep_op { OP_COMMIT, OP_COMMIT_MERGING, OP_OPTIMIZE, OP_FLUSH } sweep_op;
static const char *const op_names[] = {"ls_writer_commit", "ls_writer_commit (merging)",
                                       "ls_writer_optimize", "ls_writer_add (flushing)"};
static const int sweep_errnos[] = {ENOSPC, EIO};

#define IO_CAP 5000

static void assert_eio(int rc, const ls_error *err, const char *dir, int e, const char *what,
                       long n)
{
    ck_assert_msg(rc == LS_EIO, "%s with I/O call %ld failing (%s): %d '%s'", what, n, strerror(e),
                  rc, err->message);
    ck_assert_int_eq(err->code, LS_EIO);
    /* "cannot write '<dir>/seg-...': No space left on device", "cannot fsync directory
     * '<dir>': ...", "cannot rename to '<dir>/manifest-...': ..." */
    ck_assert_msg(strstr(err->message, dir) != NULL && strstr(err->message, strerror(e)) != NULL,
                  "%s with I/O call %ld failing: message '%s' names neither the file nor the "
                  "error",
                  what, n, err->message);
}

static ls_writer *open_writer_ok(const char *dir, const ls_writer_options *wo)
{
    ls_error err;
    ls_writer *w;
    int rc = ls_writer_open(dir, wo, &w, &err);
    ck_assert_msg(rc == LS_OK, "ls_writer_open: %d %s", rc, err.message);
    return w;
}

/* The index holds m, passes the deep check; returns its generation. */
static uint64_t assert_holds(const char *dir, const ls_ft_model *m, ls_rng *r, const char *what)
{
    ls_error err;
    ls_reader *rd;
    int rc = ls_reader_open(dir, &rd, &err);
    ck_assert_msg(rc == LS_OK, "%s: ls_reader_open: %d %s", what, rc, err.message);
    rc = ls_reader_check(rd, &err);
    ck_assert_msg(rc == LS_OK, "%s: ls_reader_check: %d %s", what, rc, err.message);
    ls_ft_assert_model(rd, m, r, 2, what);
    uint64_t gen;
    (void)ls_ft_doc_count(rd, &gen);
    ls_reader_close(rd);
    return gen;
}

static uint64_t generation_of(const char *dir)
{
    ls_reader *rd = ls_ft_open_ok(dir);
    uint64_t gen;
    (void)ls_ft_doc_count(rd, &gen);
    ls_reader_close(rd);
    return gen;
}

/* Runs op with I/O call n (and every later one) failing with e. next: the model as of a
 * success. @return the call's code. */
static int run_failing(sweep_op op, ls_writer *w, ls_ft_model *next, long n, int e, ls_error *err)
{
    int rc = LS_OK;
    ls_fileio_fail_after(n, e);
    switch (op) {
    case OP_FLUSH:
        for (uint32_t k = 0; k < 3 && rc == LS_OK; k++) /* each add writes a segment */
            rc = ls_ft_model_put(w, next, (uint32_t)(n * 7 + k * 61) % next->nids, 300, err);
        break;
    case OP_OPTIMIZE: rc = ls_writer_optimize(w, 1, err); break;
    default: rc = ls_writer_commit(w, err); break;
    }
    ls_fileio_fail_after(-1, 0);
    return rc;
}

/* Copies every file of src into the empty directory dst. */
static void copy_dir(const char *src, const char *dst)
{
    ls_ft_files fs = ls_ft_list_dir(src);
    for (size_t i = 0; i < fs.n; i++) {
        char *a = ls_ft_join(src, fs.names[i]), *b = ls_ft_join(dst, fs.names[i]);
        size_t len;
        char *data = ls_test_read_file(a, &len);
        ck_assert_ptr_nonnull(data);
        ck_assert_int_eq(ls_test_write_file(b, data, len), 0);
        free(data);
        free(a);
        free(b);
    }
    ls_ft_files_free(&fs);
}

/* Sweeps the failing call over every I/O call of op, from the first until op succeeds. Each
 * try starts from a copy of the same index and makes the same changes, so it makes the same
 * calls: the failing one moves one call further each time. Each failure: LS_EIO naming the
 * file, a writer refusing more work, the index as of the last commit that landed (the previous
 * one; for an optimize, any of its merges: the same documents), intact; then a new writer
 * opens, cleans up and commits. */
static void eio_sweep(sweep_op op, int e, uint64_t stream)
{
    ls_ft_model m0;
    char *tmpl = build_model_index(&m0, 200, 120, stream + 1);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.no_auto_merge = op != OP_COMMIT_MERGING;
    wo.merge_factor = op == OP_COMMIT_MERGING ? 2 : 0; /* the commit merges */
    wo.ram_budget = op == OP_FLUSH ? 1 : 0;
    if (op == OP_OPTIMIZE) { /* deletions in every segment for the optimize to drop */
        ls_rng r;
        ls_rng_init(&r, stream + 2);
        ls_writer *w = open_writer_ok(tmpl, &wo);
        ls_error err;
        for (uint32_t k = 0; k < 120; k += 7)
            ck_assert_int_eq(ls_ft_model_delete(w, &m0, k, &err), LS_OK);
        ck_assert_int_eq(ls_ft_model_batch(w, &m0, &r, 12, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
    }
    int saw[3] = {0, 0, 0}; /* write, fsync, rename failures seen */
    char landed[LS_ERROR_MESSAGE_SIZE + 128] = "", broken[2048] = "";
    size_t bl = 0;
    long n, nbroken = 0;
    ls_error err;
    uint64_t t0 = now_us();
    for (n = 0; n < IO_CAP; n++) {
        char *dir = ls_test_tmpdir();
        copy_dir(tmpl, dir);
        ls_rng r;
        ls_rng_init(&r, stream);
        ls_ft_model m, next;
        ls_ft_model_copy(&m, &m0);
        uint64_t g0 = generation_of(dir);
        ls_writer *w = open_writer_ok(dir, &wo);
        ls_ft_model_copy(&next, &m);
        if (op != OP_FLUSH) {
            int rc = ls_ft_model_batch(w, &next, &r, 12, &err);
            ck_assert_msg(rc == LS_OK, "batch: %d %s", rc, err.message);
        }
        if (op == OP_OPTIMIZE) { /* commit first: the optimize only merges */
            int rc = ls_writer_commit(w, &err);
            ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
            ls_ft_model_free(&m);
            ls_ft_model_copy(&m, &next);
            g0 = generation_of(dir);
        }
        int rc = run_failing(op, w, &next, n, e, &err);
        if (rc == LS_OK) {
            if (op == OP_FLUSH) {
                rc = ls_writer_commit(w, &err);
                ck_assert_msg(rc == LS_OK, "commit: %d %s", rc, err.message);
            }
            ls_writer_close(w);
            assert_holds(dir, &next, &r, "after the call succeeded");
            ls_ft_model_free(&m);
            ls_ft_model_free(&next);
            ls_test_rmtree(dir);
            free(dir);
            break;
        }
        assert_eio(rc, &err, dir, e, op_names[op], n);
        saw[0] |= strstr(err.message, "cannot write") != NULL;
        saw[1] |= strstr(err.message, "cannot fsync") != NULL;
        saw[2] |= strstr(err.message, "cannot rename") != NULL;
        char msg[LS_ERROR_MESSAGE_SIZE];
        snprintf(msg, sizeof msg, "%s", err.message);
        ls_ft_assert_refuses(w);
        ls_writer_close(w);

        /* what a fresh reader sees: it must open and check clean; when not, the index
         * was damaged: noted, and the sweep goes on from a fresh copy */
        ls_reader *rd;
        rc = ls_reader_open(dir, &rd, &err);
        if (rc == LS_OK && (rc = ls_reader_check(rd, &err)) != LS_OK)
            ls_reader_close(rd);
        if (rc != LS_OK) {
            nbroken++;
            if (bl < sizeof broken - 300)
                bl += (size_t)snprintf(broken + bl, sizeof broken - bl,
                                       "\n  I/O call %ld failing ('%s'): then %d '%s'", n, msg, rc,
                                       err.message);
            ls_ft_model_free(&next);
            ls_ft_model_free(&m);
            ls_test_rmtree(dir);
            free(dir);
            continue;
        }
        uint64_t g1;
        (void)ls_ft_doc_count(rd, &g1);
        ls_reader_close(rd);
        char what[LS_ERROR_MESSAGE_SIZE + 96];
        snprintf(what, sizeof what, "%s failed with I/O call %ld failing ('%s')", op_names[op], n,
                 msg);
        if (g1 != g0) {
            /* the call failed, yet a commit landed (it reached its rename): for an optimize
             * a merge (the same documents), else the failed call's own commit */
            ls_ft_model *now = op == OP_OPTIMIZE ? &m : &next;
            assert_holds(dir, now, &r, what);
            if (op != OP_OPTIMIZE) {
                ls_ft_model_free(&m);
                ls_ft_model_copy(&m, &next);
            }
            /* Documented: when only the directory's fsync after the rename failed, the call
             * says the commit is in place (it may not survive a crash) and keeps its files. */
            if (landed[0] == '\0' && op != OP_OPTIMIZE && strstr(msg, "is in place") == NULL)
                snprintf(landed, sizeof landed,
                         "with I/O call %ld failing: '%s', generation %llu -> %llu", n, msg,
                         (unsigned long long)g0, (unsigned long long)g1);
        } else {
            assert_holds(dir, &m, &r, what);
        }
        ls_ft_model_free(&next);
        if (op == OP_COMMIT || op == OP_FLUSH)
            ck_assert_msg(landed[0] == '\0', "%s returned LS_EIO, yet its commit happened (%s)",
                          op_names[op], landed);

        /* a new writer opens, cleans up after the failed one, and commits */
        w = open_writer_ok(dir, NULL);
        ls_ft_assert_no_orphans(dir);
        rc = ls_ft_model_put(w, &m, ls_rng_below(&r, m.nids), 200, &err);
        ck_assert_msg(rc == LS_OK, "put after the failure: %d %s", rc, err.message);
        rc = ls_writer_commit(w, &err);
        ck_assert_msg(rc == LS_OK, "commit after the failure: %d %s", rc, err.message);
        ls_writer_close(w);
        assert_holds(dir, &m, &r, "the commit after the failure");
        ls_ft_model_free(&m);
        ls_test_rmtree(dir);
        free(dir);
    }
    ck_assert_msg(n > 0 && n < IO_CAP, "%s never succeeded (n %ld)", op_names[op], n);
    /* the sweep went through writes and fsyncs (and the manifest's rename) */
    ck_assert(saw[0] && saw[1] && (op == OP_FLUSH || saw[2]));
    printf("%s, %s: %ld failing I/O calls in %.1f s, each LS_EIO; the index damaged after %ld "
           "of them\n",
           op_names[op], strerror(e), n, (double)(now_us() - t0) / 1e6, nbroken);
    fflush(stdout);
    ls_ft_model_free(&m0);
    ls_test_rmtree(tmpl);
    free(tmpl);
    ck_assert_msg(nbroken == 0 && landed[0] == '\0',
                  "after %ld of the %ld failures of %s (%s) the index "
                  "no longer opens or checks:%s%s%s",
                  nbroken, n, op_names[op], strerror(e), broken,
                  landed[0] ? "\n  and LS_EIO was returned for a commit that happened, "
                              "because the merge after it failed, first "
                            : "",
                  landed);
}

/* Every I/O call of a commit failing in turn: LS_EIO, and the previous commit intact, except
 * when the failing call is the fsync of the directory after the manifest's rename: the new
 * manifest is then in place, the call says so ("is in place ... may not survive a crash") and
 * keeps the commit's files (a regression test: they used to be removed, leaving a manifest that
 * named missing files). */
START_TEST(crash_eio_commit)
{
    eio_sweep(OP_COMMIT, sweep_errnos[_i], 5100 + (uint64_t)_i);
}
END_TEST

/* As crash_eio_commit with a merge after the commit: a failing merge is abandoned (its files
 * removed, the commit standing, LS_OK), and a merge whose manifest was renamed before the
 * directory's fsync failed keeps the merged segment (regression tests for both). */
START_TEST(crash_eio_commit_merging)
{
    eio_sweep(OP_COMMIT_MERGING, sweep_errnos[_i], 5110 + (uint64_t)_i);
}
END_TEST

/* Every I/O call of an optimize failing in turn: LS_EIO, and the index holds the same
 * documents (the previous commit, or the merged one when the failure came after its rename). */
START_TEST(crash_eio_optimize)
{
    eio_sweep(OP_OPTIMIZE, sweep_errnos[_i], 5120 + (uint64_t)_i);
}
END_TEST

START_TEST(crash_eio_flushing_add)
{
    eio_sweep(OP_FLUSH, sweep_errnos[_i], 5130 + (uint64_t)_i);
}
END_TEST

/* ---- a real file-size limit ----------------------------------------------------------------- */

/* In a child limited to `limit` bytes per file (SIGXFSZ ignored, so write() fails with EFBIG):
 * documents, then a commit. `repetitive`: documents of one word repeated, whose stored text
 * compresses to almost nothing while their positions do not, so the limit is met by the
 * commit's positions file rather than by the stored fields written while adding. Reports
 * "F <call> <rc> <refused rc> <message>" for the first failure, or "O" when nothing failed. */
static void fsize_child(const char *dir, int fd, rlim_t limit, int repetitive, ls_ft_model *m)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {limit, limit};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        ls_test_child_exit(7);
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.no_auto_merge = 1;
    ls_writer *w;
    ls_error err;
    int rc = ls_writer_open(dir, &wo, &w, &err);
    const char *call = "ls_writer_open";
    size_t blen = 600000;
    char *body = repetitive ? malloc(blen) : NULL;
    for (size_t i = 0; body != NULL && i < blen; i++)
        body[i] = "alpha "[i % 6];
    for (uint32_t k = 0; rc == LS_OK && k < (repetitive ? 10u : 40u); k++) {
        call = "ls_writer_add";
        if (repetitive) {
            char id[16];
            ls_document d = LS_DOCUMENT_INIT;
            d.id = id;
            d.id_len = (size_t)snprintf(id, sizeof id, "rep-%u", k);
            d.body = body;
            d.body_len = blen;
            rc = ls_writer_add(w, &d, &err);
        } else {
            rc = ls_ft_model_put(w, m, 100 + k, 48u << 10, &err);
        }
    }
    free(body);
    if (rc == LS_OK) {
        call = "ls_writer_commit";
        rc = ls_writer_commit(w, &err);
    }
    if (rc == LS_OK) {
        report(fd, "O");
    } else {
        ls_error e2;
        int refused = w ? ls_writer_commit(w, &e2) : LS_OK;
        report(fd, "F %s %d %d %s", call, rc, refused, err.message);
    }
    ls_writer_close(w);
    ls_test_child_exit(0);
}

START_TEST(crash_file_size_limit)
{
    ls_rng r;
    ls_rng_init(&r, 5300);
    ls_ft_model m;
    char *dir = build_model_index(&m, 200, 60, 5301);
    static const rlim_t limits[] = {16u << 10, 200u << 10, 64u << 10};
    static const char *const want_call[] = {"ls_writer_add", "ls_writer_add", "ls_writer_commit"};
    for (size_t t = 0; t < sizeof limits / sizeof limits[0]; t++) {
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            fsize_child(dir, fds[1], limits[t], t == 2, &m);
        }
        close(fds[1]);
        char line[1024] = "";
        ssize_t got = 0, k;
        while ((k = read(fds[0], line + got, sizeof line - 1 - (size_t)got)) > 0)
            got += k;
        close(fds[0]);
        line[got > 0 ? got - 1 : 0] = '\0';
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
        char call[32];
        int rc, refused, off = 0;
        ck_assert_msg(sscanf(line, "F %31s %d %d %n", call, &rc, &refused, &off) == 3 && off > 0,
                      "limit %llu bytes: no failure reported ('%s')", (unsigned long long)limits[t],
                      line);
        const char *msg = line + off;
        ck_assert_msg(
            rc == LS_EIO && strstr(msg, dir) != NULL && strstr(msg, strerror(EFBIG)) != NULL,
            "limit %llu bytes: %s gave %d '%s'", (unsigned long long)limits[t], call, rc, msg);
        ck_assert_msg(strcmp(call, want_call[t]) == 0, "limit %llu bytes: %s failed, not %s: %s",
                      (unsigned long long)limits[t], call, want_call[t], msg);
        ck_assert_int_eq(refused, LS_EINVAL);
        printf("file size limit %llu bytes: %s said '%s'\n", (unsigned long long)limits[t], call,
               msg);
        fflush(stdout);
        assert_holds(dir, &m, &r, "after the file-size limit");
        /* without the limit, a writer cleans up and commits */
        ls_writer *w = open_writer_ok(dir, NULL);
        ls_ft_assert_no_orphans(dir);
        ls_error err;
        ck_assert_int_eq(ls_ft_model_put(w, &m, 150 + (uint32_t)t, 100, &err), LS_OK);
        ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
        ls_writer_close(w);
        assert_holds(dir, &m, &r, "the commit after the file-size limit");
    }
    ls_ft_model_free(&m);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_crash(void)
{
    Suite *s = suite_create("crash");
    int lng = ls_test_long();
    TCase *kill = tcase_create("kill");
    tcase_set_timeout(kill, lng ? 3600 : 120);
    tcase_add_test(kill, crash_kill_campaign);
    suite_add_tcase(s, kill);

    TCase *io = tcase_create("io");
    tcase_set_timeout(io, lng ? 900 : 120);
    int ne = (int)(sizeof sweep_errnos / sizeof sweep_errnos[0]);
    tcase_add_loop_test(io, crash_eio_commit, 0, ne);
    tcase_add_loop_test(io, crash_eio_commit_merging, 0, ne);
    tcase_add_loop_test(io, crash_eio_optimize, 0, ne);
    tcase_add_loop_test(io, crash_eio_flushing_add, 0, ne);
    tcase_add_test(io, crash_file_size_limit);
    suite_add_tcase(s, io);
    return s;
}
