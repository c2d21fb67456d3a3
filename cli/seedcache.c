/* SPDX-License-Identifier: MIT */
/*
 * seedcache.c - picks the index a reading command opens: --index, $CISEARCH_INDEX, else an
 * index of the bundled seeds kept in ${XDG_CACHE_HOME:-$HOME/.cache}/cisearch/seeds-index.
 * That cache is rebuilt when its fingerprint (seeds path, sorted names, sizes, zlib crc32 of
 * contents, library version) changes: built in a temporary sibling under a lock, then renamed
 * into place, so a crash never leaves a half-built cache behind a matching fingerprint.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cbuf.h"
#include "cli.h"
#include "progress.h"
#include "source.h"

#ifndef CISEARCH_SEEDS_DIR
#define CISEARCH_SEEDS_DIR ""
#endif

#define FINGERPRINT_VERSION 1

/* Opens an index directory; `quiet` suppresses messages (the seeds cache retries). */
static int open_dir(const char *dir, int quiet, ls_reader **out)
{
    struct stat st;
    ls_error err = {0};
    int rc = LS_ENOTFOUND;
    if (stat(dir, &st) == 0)
        rc = ls_reader_open(dir, out, &err);
    if (rc == LS_OK)
        return 0;
    if (quiet)
        return -1;
    if (rc == LS_ENOTFOUND)
        cli_error("no index at %s (create one with: cisearch index --index %s PATH...)", dir,
                  dir);
    else
        cli_error_ls(rc, &err);
    return -1;
}

static char *concat(const char *a, const char *b)
{
    cli_buf buf = CLI_BUF_INIT;
    cli_buf_printf(&buf, "%s%s", a, b);
    if (cli_buf_cstr(&buf) == NULL) {
        cli_buf_free(&buf);
        return NULL;
    }
    return buf.p;
}

/* mkdir -p with mode 0700 for what it creates (XDG asks that of cache directories). */
static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The cache directory, created. In a shared temp directory it must be ours alone. */
static char *cache_root(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *root;
    int shared = 0;
    if (xdg != NULL && *xdg)
        root = concat(xdg, "/cisearch");
    else if (home != NULL && *home)
        root = concat(home, "/.cache/cisearch");
    else {
        const char *tmp = getenv("TMPDIR");
        char uid[32];
        snprintf(uid, sizeof uid, "/cisearch-%lu", (unsigned long)getuid());
        root = concat(tmp != NULL && *tmp ? tmp : "/tmp", uid);
        shared = 1;
    }
    if (root == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    struct stat st;
    if (mkdir_p(root) != 0 || lstat(root, &st) != 0) {
        cli_error("cannot create the cache directory %s: %s", root, strerror(errno));
        free(root);
        return NULL;
    }
    if (!S_ISDIR(st.st_mode) || (shared && st.st_uid != getuid())) {
        cli_error("%s is not a directory of this user: pass --index DIR", root);
        free(root);
        return NULL;
    }
    return root;
}

/* ---- fingerprint ---- */

static int fp_file(const char *path, const char *rel, void *payload)
{
    cli_buf *b = payload;
    char *data = NULL;
    size_t len = 0;
    int e = cli_read_file(path, &data, &len);
    if (e != 0) {
        cli_buf_printf(b, "%s\terror %d\n", rel, e);
        return 0;
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < len;) {
        uInt n = len - off > UINT_MAX ? UINT_MAX : (uInt)(len - off);
        crc = crc32(crc, (const Bytef *)data + off, n);
        off += n;
    }
    free(data);
    cli_buf_printf(b, "%s\t%zu\t%08lx\n", rel, len, (unsigned long)crc);
    return 0;
}

/* A text fingerprint, compared whole: one line per seed file in sorted order. */
static char *fingerprint(const char *seeds)
{
    cli_buf b = CLI_BUF_INIT;
    cli_buf_printf(&b, "cisearch seeds fingerprint %d\nlibsearch %s\nseeds %s\n",
                   FINGERPRINT_VERSION, ls_version_string(), seeds);
    if (cli_walk(seeds, NULL, fp_file, NULL, &b) != 0 || cli_buf_cstr(&b) == NULL) {
        if (b.oom)
            cli_error("out of memory");
        cli_buf_free(&b);
        return NULL;
    }
    return b.p;
}

static int fingerprint_matches(const char *fp_path, const char *fp)
{
    char *stored = NULL;
    size_t len = 0;
    if (cli_read_file(fp_path, &stored, &len) != 0)
        return 0;
    int same = len == strlen(fp) && memcmp(stored, fp, len) == 0;
    free(stored);
    return same;
}

static int write_fingerprint(const char *fp_path, const char *fp)
{
    char *tmp = concat(fp_path, ".tmp");
    if (tmp == NULL)
        return -1;
    FILE *f = fopen(tmp, "w");
    int rc = f == NULL ? -1 : 0;
    if (f != NULL) {
        size_t n = strlen(fp);
        if (fwrite(fp, 1, n, f) != n)
            rc = -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    if (rc == 0 && rename(tmp, fp_path) != 0)
        rc = -1;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* ---- building ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Under the lock, leftovers of a crashed build are garbage: remove them. */
static void remove_leftovers(const char *root)
{
    DIR *d = opendir(root);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "seeds-index.tmp", 15) != 0 &&
            strncmp(de->d_name, "seeds-index.old", 15) != 0)
            continue;
        char *p = concat(root, "/");
        char *full = p ? concat(p, de->d_name) : NULL;
        if (full != NULL)
            rmtree(full);
        free(full);
        free(p);
    }
    closedir(d);
}

static int build_index(const char *seeds, const char *dir)
{
    ls_writer *w = NULL;
    ls_error err = {0};
    if (mkdir(dir, 0700) != 0) {
        cli_error("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = ls_writer_open(dir, NULL, &w, &err);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        return -1;
    }
    cli_progress progress;
    cli_progress_init(&progress);
    progress.enabled = 0;
    cli_source src = {.w = w, .progress = &progress, .quiet = 1};
    if (cli_source_add_path(&src, seeds) != 0) {
        ls_writer_close(w);
        return -1;
    }
    rc = ls_writer_commit(w, &err);
    ls_writer_close(w);
    if (rc != LS_OK) {
        cli_error_ls(rc, &err);
        return -1;
    }
    return 0;
}

/* Puts the finished `tmp` where `index` is: an atomic exchange where the system has one,
 * else move the old one aside first (a crash in between leaves no index, rebuilt next time). */
static int swap_into_place(const char *tmp, const char *index, const char *old)
{
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, index, RENAME_EXCHANGE) == 0) {
        rmtree(tmp);
        return 0;
    }
#endif
    if (rename(index, old) != 0 && errno != ENOENT)
        return -1;
    if (rename(tmp, index) != 0)
        return -1;
    rmtree(old);
    return 0;
}

typedef struct cache {
    char *seeds; /* real path of the seeds directory */
    char *root;  /* the cache directory */
    char *index; /* root/seeds-index */
    char *fp_path;
    char *fp;
} cache;

/* Rebuilds unless another process did while we waited for the lock (or `force`). */
static int rebuild(const cache *c, int force)
{
    char *lock_path = concat(c->index, ".lock"), *tmp = concat(c->index, ".tmp"),
         *old = concat(c->index, ".old");
    int rc = -1, fd = lock_path ? open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (fd < 0 || flock(fd, LOCK_EX) != 0 || tmp == NULL || old == NULL) {
        cli_error("cannot lock the seeds cache %s: %s", c->root, strerror(errno));
        goto done;
    }
    if (!force && fingerprint_matches(c->fp_path, c->fp)) {
        rc = 0;
        goto done;
    }
    remove_leftovers(c->root);
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "cisearch: indexing the seeds in %s ...\n", c->seeds);
    if (build_index(c->seeds, tmp) != 0)
        goto done;
    /* No fingerprint may vouch for an index that is not yet the new one. */
    if ((unlink(c->fp_path) != 0 && errno != ENOENT) || swap_into_place(tmp, c->index, old) != 0 ||
        write_fingerprint(c->fp_path, c->fp) != 0) {
        cli_error("cannot update the seeds cache %s: %s", c->root, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(lock_path);
    free(tmp);
    free(old);
    return rc;
}

/* The seeds an installed cisearch ships: <prefix>/share/cisearch/seeds beside <prefix>/bin
 * (make install), found from the executable's own path; NULL when there are none. */
static char *installed_seeds(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0';
    char *dir = concat(exe, "/../share/cisearch/seeds");
    struct stat st;
    if (dir != NULL && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        free(dir);
        dir = NULL;
    }
    return dir;
}

static int cache_init(cache *c)
{
    const char *seeds = getenv("CISEARCH_SEEDS");
    char *installed = NULL;
    if (seeds == NULL || *seeds == '\0')
        seeds = (installed = installed_seeds()) != NULL ? installed : CISEARCH_SEEDS_DIR;
    if (*seeds == '\0' || (c->seeds = realpath(seeds, NULL)) == NULL) {
        cli_error("no seeds directory at '%s': pass --index DIR or set CISEARCH_INDEX", seeds);
        free(installed);
        return -1;
    }
    free(installed);
    if ((c->root = cache_root()) == NULL || (c->fp = fingerprint(c->seeds)) == NULL)
        return -1;
    c->index = concat(c->root, "/seeds-index");
    c->fp_path = concat(c->root, "/seeds-index.fingerprint");
    if (c->index == NULL || c->fp_path == NULL) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

static int open_seeds(ls_reader **out, char **dir_out)
{
    cache c = {NULL, NULL, NULL, NULL, NULL};
    int rc = cache_init(&c);
    if (rc == 0 && !fingerprint_matches(c.fp_path, c.fp))
        rc = rebuild(&c, 0);
    /* A cache that fails to open (damaged, or from an older library) is rebuilt once. */
    if (rc == 0 && open_dir(c.index, 1, out) != 0)
        rc = rebuild(&c, 1) == 0 ? open_dir(c.index, 0, out) : -1;
    if (rc == 0 && dir_out != NULL)
        *dir_out = c.index;
    else
        free(c.index);
    free(c.seeds);
    free(c.root);
    free(c.fp_path);
    free(c.fp);
    return rc;
}

char **cli_env_indexes(size_t *n_out)
{
    const char *env = getenv("CISEARCH_INDEX");
    *n_out = 0;
    if (env == NULL || *env == '\0')
        return NULL;
    size_t len = strlen(env), parts = 1;
    for (size_t i = 0; i < len; i++)
        parts += env[i] == ':';
    char **v = malloc((parts + 1) * sizeof *v + len + 1);
    if (v == NULL)
        return NULL;
    char *copy = (char *)(v + parts + 1);
    memcpy(copy, env, len + 1);
    size_t n = 0;
    for (char *tok = copy, *next; tok != NULL; tok = next) {
        next = strchr(tok, ':');
        if (next != NULL)
            *next++ = '\0';
        if (*tok != '\0') /* "a::b" and a trailing ':' name nothing */
            v[n++] = tok;
    }
    v[n] = NULL;
    *n_out = n;
    if (n == 0) {
        free(v);
        return NULL;
    }
    return v;
}

const char *cli_env_one_index(const char *cmd, int *failed)
{
    const char *env = getenv("CISEARCH_INDEX");
    *failed = 0;
    if (env == NULL || *env == '\0')
        return NULL;
    if (strchr(env, ':') != NULL) {
        cli_usage_error(cmd, "$CISEARCH_INDEX names several indexes ('%s'): pass --index DIR "
                             "to say which one",
                        env);
        *failed = 1;
        return NULL;
    }
    return env;
}

int cli_open_indexes(const char *const *dirs, size_t n, ls_reader **out, char **dir_out)
{
    char **env = NULL;
    if (n == 0 && (env = cli_env_indexes(&n)) != NULL)
        dirs = (const char *const *)env;
    if (n <= 1) {
        int rc = n == 1 ? cli_open_index(dirs[0], out, dir_out) : open_seeds(out, dir_out);
        free(env);
        return rc;
    }
    ls_error err = {0};
    int rc = ls_reader_open_many(dirs, n, NULL, out, &err);
    if (rc == LS_OK && dir_out != NULL && (*dir_out = strdup(dirs[0])) == NULL) {
        ls_reader_close(*out);
        rc = LS_ENOMEM;
        err.message[0] = '\0';
    }
    if (rc != LS_OK) {
        *out = NULL;
        cli_error_ls(rc, &err);
    }
    free(env);
    return rc == LS_OK ? 0 : -1;
}

int cli_open_index(const char *opt_index, ls_reader **out, char **dir_out)
{
    const char *dir = opt_index;
    if (dir == NULL || *dir == '\0') {
        size_t n;
        char **env = cli_env_indexes(&n);
        if (n > 0) { /* one directory, or a list: several indexes as one */
            int rc = cli_open_indexes((const char *const *)env, n, out, dir_out);
            free(env);
            return rc;
        }
    }
    if (dir == NULL || *dir == '\0')
        return open_seeds(out, dir_out);
    if (open_dir(dir, 0, out) != 0)
        return -1;
    if (dir_out != NULL && (*dir_out = strdup(dir)) == NULL) {
        ls_reader_close(*out);
        *out = NULL;
        cli_error("out of memory");
        return -1;
    }
    return 0;
}
