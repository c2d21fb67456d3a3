/* SPDX-License-Identifier: MIT */
/*
 * fileio.c - mmap, buffered crc-tracking writes, fsync, flock and atomic rename (POSIX).
 */
#include "util/fileio.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/blockcheck.h"
#include "codec/crc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/countdown.h"
#include "util/error.h"

#define FWRITER_BUF (1u << 16)

uint64_t ls_new_tag(void)
{
    uint64_t t = 0;
    if (getrandom(&t, sizeof t, GRND_NONBLOCK) != (ssize_t)sizeof t) {
        static _Atomic uint64_t counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        t = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32 ^
            ++counter;
        t ^= t >> 33; /* splitmix64's finalizer */
        t *= 0xff51afd7ed558ccdull;
        t ^= t >> 33;
        t *= 0xc4ceb9fe1a85ec53ull;
        t ^= t >> 33;
    }
    return t ? t : 1;
}

/* Test hook: calls left before failures start (atomic: index threads write files too). */
static atomic_long fail_countdown = -1;
static atomic_int fail_errno;
static atomic_int fail_once; /* only the one call at 0 fails */

static void fail_arm(long n, int errno_value, int once)
{
    atomic_store(&fail_errno, errno_value);
    atomic_store(&fail_once, once);
    atomic_store(&fail_countdown, n);
}

void ls_fileio_fail_after(long n, int errno_value) { fail_arm(n, errno_value, 0); }

void ls_fileio_fail_once(long n, int errno_value) { fail_arm(n, errno_value, 1); }

/* @return nonzero (errno set) when the test hook says this call fails. */
static int injected_failure(void)
{
    if (!ls_countdown_hit(&fail_countdown))
        return 0;
    long zero = 0; /* once: the call that turns the hook off is the one that fails */
    if (atomic_load(&fail_once) && !atomic_compare_exchange_strong(&fail_countdown, &zero, -1))
        return 0;
    errno = atomic_load(&fail_errno);
    return 1;
}

static int do_write(int fd, const void *p, size_t n, ssize_t *out)
{
    if (injected_failure())
        return -1;
    *out = write(fd, p, n);
    return *out < 0 ? -1 : 0;
}

static int do_fsync(int fd)
{
    return injected_failure() ? -1 : fsync(fd);
}

static int do_rename(const char *a, const char *b)
{
    return injected_failure() ? -1 : rename(a, b);
}

char *ls_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = ls_malloc(a + b + 2);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

int ls_map_file(const char *path, ls_map *out, ls_error *err)
{
    out->data = NULL;
    out->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ls_error_io(err, errno, "cannot open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return ls_error_io(err, e, "cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ls_error_set(err, LS_ECORRUPT, "'%s' is not a regular file", path);
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return ls_error_io(err, e, "cannot map", path);
        }
        (void)madvise(p, (size_t)st.st_size, MADV_RANDOM); /* advice only: may be ignored */
        out->data = p;
        out->size = (size_t)st.st_size;
    }
    close(fd);
    return LS_OK;
}

void ls_map_sequential(const ls_map *m)
{
    if (m->data != NULL)
        (void)madvise((void *)m->data, m->size, MADV_SEQUENTIAL);
}

void ls_map_close(ls_map *m)
{
    if (m->data != NULL)
        munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

int ls_fwriter_open(ls_fwriter *w, const char *path, ls_error *err)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->path = ls_strndup(path, strlen(path));
    w->buf = ls_malloc(FWRITER_BUF);
    if (w->path == NULL || w->buf == NULL) {
        ls_fwriter_abort(w);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int rc = ls_error_io(err, errno, "cannot create", path);
        ls_fwriter_abort(w);
        return rc;
    }
    return LS_OK;
}

static int write_all(int fd, const uint8_t *p, size_t n, const char *path, ls_error *err)
{
    while (n > 0) {
        ssize_t k = 0;
        if (do_write(fd, p, n, &k) != 0) {
            if (errno == EINTR)
                continue;
            return ls_error_io(err, errno, "cannot write", path);
        }
        p += k;
        n -= (size_t)k;
    }
    return LS_OK;
}

static int flush(ls_fwriter *w, ls_error *err)
{
    int rc = write_all(w->fd, w->buf, w->len, w->path, err);
    w->len = 0;
    return rc;
}

/* Feeds paged data: a check per full page. */
static int feed_pages(ls_fwriter *w, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = LS_PAGE_SIZE - w->page_fill;
        if (k > n)
            k = n;
        memcpy(w->page + w->page_fill, p, k);
        w->page_fill += k;
        p += k;
        n -= k;
        if (w->page_fill == LS_PAGE_SIZE) {
            if (ls_buf_put_u32(&w->checks, ls_blockcheck(w->page, LS_PAGE_SIZE)) != LS_OK)
                return LS_ENOMEM;
            w->page_fill = 0;
        }
    }
    return LS_OK;
}

int ls_fwriter_begin_pages(ls_fwriter *w, ls_error *err)
{
    w->page = ls_malloc(LS_PAGE_SIZE);
    if (w->page == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    w->paged = 1;
    w->paged_from = w->offset;
    w->page_fill = 0;
    w->checks = (ls_buf)LS_BUF_INIT;
    return LS_OK;
}

int ls_fwriter_end_pages(ls_fwriter *w, ls_error *err)
{
    int rc = LS_OK;
    uint64_t data_len = w->offset - w->paged_from;
    if (w->page_fill > 0 &&
        ls_buf_put_u32(&w->checks, ls_blockcheck(w->page, w->page_fill)) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    w->paged = 0;
    if (rc == LS_OK)
        rc = ls_fwriter_write(w, w->checks.data, w->checks.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u64(w, data_len, err);
    ls_free(w->page);
    w->page = NULL;
    ls_buf_free(&w->checks);
    return rc;
}

int ls_fwriter_write(ls_fwriter *w, const void *p, size_t n, ls_error *err)
{
    if (n == 0) /* p may be NULL (an empty ls_buf): memcpy(dst, NULL, 0) is undefined */
        return LS_OK;
    if (w->paged && feed_pages(w, p, n) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    w->crc = ls_crc32(w->crc, p, n);
    w->offset += n;
    if (n >= FWRITER_BUF) {
        int rc = flush(w, err);
        if (rc != LS_OK)
            return rc;
        return write_all(w->fd, p, n, w->path, err);
    }
    if (w->len + n > FWRITER_BUF) {
        int rc = flush(w, err);
        if (rc != LS_OK)
            return rc;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return LS_OK;
}

int ls_fwriter_put_u32(ls_fwriter *w, uint32_t v, ls_error *err)
{
    uint8_t t[4];
    ls_put_u32le(t, v);
    return ls_fwriter_write(w, t, 4, err);
}

int ls_fwriter_put_u64(ls_fwriter *w, uint64_t v, ls_error *err)
{
    uint8_t t[8];
    ls_put_u64le(t, v);
    return ls_fwriter_write(w, t, 8, err);
}

int ls_fwriter_finish(ls_fwriter *w, ls_error *err)
{
    int rc = flush(w, err);
    if (rc == LS_OK && do_fsync(w->fd) != 0)
        rc = ls_error_io(err, errno, "cannot fsync", w->path);
    if (close(w->fd) != 0 && rc == LS_OK)
        rc = ls_error_io(err, errno, "cannot close", w->path);
    w->fd = -1;
    if (rc != LS_OK)
        unlink(w->path);
    ls_free(w->path);
    ls_free(w->buf);
    ls_free(w->page);
    ls_buf_free(&w->checks);
    w->path = NULL;
    w->buf = NULL;
    w->page = NULL;
    w->paged = 0;
    return rc;
}

void ls_fwriter_abort(ls_fwriter *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        if (w->path != NULL)
            unlink(w->path);
    }
    w->fd = -1;
    ls_free(w->path);
    ls_free(w->buf);
    ls_free(w->page);
    ls_buf_free(&w->checks);
    w->path = NULL;
    w->buf = NULL;
    w->page = NULL;
    w->paged = 0;
}

int ls_fsync_dir(const char *dir, ls_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ls_error_io(err, errno, "cannot open directory", dir);
    int rc = LS_OK;
    if (do_fsync(fd) != 0 && errno != EINVAL)
        rc = ls_error_io(err, errno, "cannot fsync directory", dir);
    close(fd);
    return rc;
}

int ls_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                    ls_error *err)
{
    int rc;
    char tmpname[256];
    snprintf(tmpname, sizeof tmpname, "%s.tmp", name);
    char *tmp = ls_path_join(dir, tmpname), *dst = ls_path_join(dir, name);
    ls_fwriter w;
    w.fd = -1;
    if (tmp == NULL || dst == NULL) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        goto fail;
    }
    LS_TRY(ls_fwriter_open(&w, tmp, err));
    rc = ls_fwriter_write(&w, data, len, err);
    if (rc != LS_OK) {
        ls_fwriter_abort(&w);
        goto fail;
    }
    LS_TRY(ls_fwriter_finish(&w, err));
    if (do_rename(tmp, dst) != 0) {
        rc = ls_error_io(err, errno, "cannot rename to", dst);
        unlink(tmp);
        goto fail;
    }
    rc = ls_fsync_dir(dir, err);
fail:
    ls_free(tmp);
    ls_free(dst);
    return rc;
}

int ls_mkdir(const char *dir, ls_error *err)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return LS_OK;
        return ls_error_set(err, LS_EINVAL, "'%s' exists and is not a directory", dir);
    }
    return ls_error_io(err, errno, "cannot create directory", dir);
}

int ls_lock_dir(const char *dir, int *fd_out, ls_error *err)
{
    char *p = ls_path_join(dir, "LOCK");
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = ls_error_io(err, errno, "cannot open lock file", p);
        ls_free(p);
        return rc;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        /* The holder wrote its process id into the file: name it. */
        char buf[32];
        ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
        long pid = 0;
        if (got > 0) {
            buf[got] = '\0';
            pid = strtol(buf, NULL, 10);
        }
        close(fd);
        int rc;
        if (e == EWOULDBLOCK && pid > 0)
            rc = ls_error_set(err, LS_ELOCKED, "index '%s' is locked by pid %ld (another writer)",
                              dir, pid);
        else if (e == EWOULDBLOCK)
            rc = ls_error_set(err, LS_ELOCKED, "index '%s' is locked by another writer", dir);
        else
            rc = ls_error_io(err, e, "cannot lock", p);
        ls_free(p);
        return rc;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        int rc = ls_error_io(err, errno, "cannot write the lock file", p);
        flock(fd, LOCK_UN);
        close(fd);
        ls_free(p);
        return rc;
    }
    ls_free(p);
    *fd_out = fd;
    return LS_OK;
}

void ls_unlock_dir(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
