/* SPDX-License-Identifier: MIT */
/*
 * testutil.c - seeded randomness, temp dirs, file helpers and the cisearch runner for tests.
 */
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int ls_test_add_body(ls_writer *w, const char *id, size_t id_len, const char *body,
                     size_t body_len, ls_error *err)
{
    ls_document d = LS_DOCUMENT_INIT;
    d.id = id;
    d.id_len = id_len;
    d.body = body;
    d.body_len = body_len;
    return ls_writer_add(w, &d, err);
}

unsigned long ls_test_seed(void)
{
    const char *s = getenv("LS_TEST_SEED");
    if (s != NULL && *s)
        return strtoul(s, NULL, 0);
    return 20261122UL;
}

int ls_test_long(void)
{
    const char *s = getenv("LS_TEST_LONG");
    return s != NULL && *s && strcmp(s, "0") != 0;
}

void ls_rng_init(ls_rng *r, uint64_t stream)
{
    r->s = (uint64_t)ls_test_seed() * 0x9E3779B97F4A7C15ULL ^ (stream + 0x632BE59BD9B4E019ULL);
    if (r->s == 0)
        r->s = 1;
    for (int i = 0; i < 4; i++)
        ls_rng_next(r);
}

uint64_t ls_rng_next(ls_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

uint32_t ls_rng_below(ls_rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    return (uint32_t)((ls_rng_next(r) >> 32) % n);
}

double ls_rng_unit(ls_rng *r) { return (double)(ls_rng_next(r) >> 11) / 9007199254740992.0; }

char *ls_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || !*base)
        base = "/tmp";
    size_t n = strlen(base) + 32;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/lstest.XXXXXX", base);
    ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp: %s", strerror(errno));
    return p;
}

void ls_zipf_init(ls_zipf *z, size_t n)
{
    z->cum = malloc(n * sizeof *z->cum);
    ck_assert_ptr_nonnull(z->cum);
    z->n = n;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        total += 1.0 / (double)(i + 1);
        z->cum[i] = total;
    }
}

size_t ls_zipf_pick(const ls_zipf *z, ls_rng *r)
{
    double u = ls_rng_unit(r) * z->cum[z->n - 1];
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void ls_zipf_free(ls_zipf *z)
{
    free(z->cum);
    z->cum = NULL;
}

void ls_test_str_append(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    ck_assert_msg(*len + n < cap, "test buffer too small");
    memcpy(buf + *len, s, n + 1);
    *len += n;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void ls_test_rmtree(const char *path)
{
    if (path != NULL)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *ls_test_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf == NULL)
        return NULL;
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

int ls_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t got;
    while (buf != NULL && (got = read(fd, buf + len, cap - len)) > 0) {
        len += (size_t)got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

int ls_test_run_cli(const char *const *argv, const char *const *env, const char *stdin_text,
                    char **out_stdout, char **out_stderr)
{
    char outname[] = "/tmp/lscli.out.XXXXXX", errname[] = "/tmp/lscli.err.XXXXXX";
    char inname[] = "/tmp/lscli.in.XXXXXX";
    int ofd = mkstemp(outname), efd = mkstemp(errname), ifd = mkstemp(inname);
    if (ofd < 0 || efd < 0 || ifd < 0)
        return -1;
    if (stdin_text != NULL && write(ifd, stdin_text, strlen(stdin_text)) < 0)
        return -1;
    lseek(ifd, 0, SEEK_SET);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(ifd, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        for (size_t i = 0; env != NULL && env[i] != NULL; i++)
            putenv((char *)env[i]);
        size_t n = 0;
        while (argv[n] != NULL)
            n++;
        char **args = calloc(n + 2, sizeof *args);
        args[0] = (char *)LS_TEST_CISEARCH;
        for (size_t i = 0; i < n; i++)
            args[i + 1] = (char *)argv[i];
        execv(LS_TEST_CISEARCH, args);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    char *o = slurp_fd(ofd), *e = slurp_fd(efd);
    close(ofd);
    close(efd);
    close(ifd);
    unlink(outname);
    unlink(errname);
    unlink(inname);
    if (out_stdout)
        *out_stdout = o;
    else
        free(o);
    if (out_stderr)
        *out_stderr = e;
    else
        free(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ls_test_child_exit(int code)
{
    const char *vg = getenv("LS_TEST_VALGRIND");
    if (vg != NULL && *vg && strcmp(vg, "0") != 0) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "exit %d", code & 0xff);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    }
    _exit(code);
}
