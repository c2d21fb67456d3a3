/* SPDX-License-Identifier: MIT */
/*
 * commit.c - ls_writer_commit and ls_writer_optimize: the atomic commit (segment and deletion
 * files fsynced, then a new manifest renamed into place), the merges that follow it (each one
 * its own atomic commit), and the removal of files that no commit needs any more.
 *
 * Which files may go: those named by no intact manifest in the directory (the last commit and
 * the one kept before it as a fallback) and by no segment of this writer, and open in no
 * reader of this process (format/segment.h). Readers of other processes keep their mapped
 * files after unlink. While any manifest is damaged, no segment file is removed at all: the
 * damaged manifest may name segments that nothing else does.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/filenames.h"
#include "index/deleter.h"
#include "index/merger.h"
#include "index/mergepolicy.h"
#include "index/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- removing files no commit needs ---- */

typedef struct keep_set {
    ls_manifest *ms;
    size_t n;
    const ls_writer *w;
} keep_set;

static int keeps_segment(const keep_set *k, uint32_t id)
{
    for (size_t i = 0; i < k->n; i++)
        for (uint32_t j = 0; j < k->ms[i].nsegs; j++)
            if (k->ms[i].segs[j].id == id)
                return 1;
    for (uint32_t i = 0; i < k->w->nsegs; i++)
        if (k->w->segs[i].info.id == id)
            return 1;
    return k->w->ram.open && k->w->ram.id == id;
}

static int keeps_deletes(const keep_set *k, uint32_t id, uint64_t gen)
{
    for (size_t i = 0; i < k->n; i++)
        for (uint32_t j = 0; j < k->ms[i].nsegs; j++)
            if (k->ms[i].segs[j].id == id && k->ms[i].segs[j].del_gen == gen)
                return 1;
    for (uint32_t i = 0; i < k->w->nsegs; i++)
        if (k->w->segs[i].info.id == id && k->w->segs[i].info.del_gen == gen)
            return 1;
    return 0;
}

static void unlink_in(const char *dir, const char *name)
{
    char *p = ls_path_join(dir, name);
    if (p != NULL)
        unlink(p);
    ls_free(p);
}

void ls_writer_cleanup(ls_writer *w, int at_open)
{
    ls_manifest_survey sv;
    if (ls_manifest_survey_dir(w->dir, &sv, NULL) != LS_OK)
        return;
    w->keep_files = sv.damaged > 0;
    keep_set k = {NULL, 0, w};
    if (ls_manifest_load_all(w->dir, &k.ms, &k.n, NULL) != LS_OK)
        return;
    DIR *d = opendir(w->dir);
    struct dirent *e;
    uint32_t last_removed = UINT32_MAX;
    while (d != NULL && (e = readdir(d)) != NULL) {
        uint32_t id;
        uint64_t gen;
        switch (ls_file_classify(e->d_name, &id, NULL, &gen)) {
        case LS_FILE_TEMP:
            if (at_open) /* only this writer writes: a .tmp is a crashed one's */
                unlink_in(w->dir, e->d_name);
            break;
        case LS_FILE_SEGMENT:
            if (!w->keep_files && id != last_removed && !keeps_segment(&k, id) &&
                ls_segment_remove_unused(w->dir, id))
                last_removed = id;
            break;
        case LS_FILE_DELETES:
            if (!w->keep_files && !keeps_deletes(&k, id, gen))
                unlink_in(w->dir, e->d_name);
            break;
        default:
            break;
        }
    }
    if (d != NULL)
        closedir(d);
    ls_manifest_free_all(k.ms, k.n);
}

/* ---- committing ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void remove_deletes(const ls_writer *w, uint32_t id, uint64_t gen)
{
    char name[LS_FILENAME_MAX];
    ls_delfile_name(name, id, gen);
    unlink_in(w->dir, name);
}

/* After a failed manifest write: whether the new manifest was renamed into place anyway
 * (only the directory's fsync failed). Readers then see that commit, and it may or may not
 * survive a crash, so nothing it names may be removed. */
static int manifest_in_place(const ls_writer *w, uint64_t gen)
{
    char name[LS_FILENAME_MAX];
    ls_manifest_name(gen, name);
    char *p = ls_path_join(w->dir, name);
    struct stat st;
    int there = p != NULL && stat(p, &st) == 0;
    ls_free(p);
    return there;
}

/* Writes the manifest of generation gen over infos[0..n) (skipping segments whose documents
 * are all deleted). On failure *visible says whether it is in place nonetheless (then *out is
 * filled too, and the caller adopts it before failing). */
static int write_manifest(ls_writer *w, uint64_t gen, const ls_seg_info *infos, uint32_t n,
                          ls_manifest *out, int *visible, ls_error *err)
{
    *visible = 0;
    ls_manifest nm = w->m;
    nm.gen = gen;
    nm.next_seg = w->next_seg;
    nm.nsegs = 0;
    nm.segs = ls_calloc(n ? n : 1, sizeof *nm.segs);
    if (nm.segs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (infos[i].del_count < infos[i].ndocs)
            nm.segs[nm.nsegs++] = infos[i];
    if (nm.nsegs > LS_MAX_SEGMENTS) {
        ls_free(nm.segs);
        return ls_error_set(err, LS_ELIMIT,
                            "a commit of %u segments would exceed %u: optimize, or let commits "
                            "merge (no_auto_merge off)",
                            nm.nsegs, LS_MAX_SEGMENTS);
    }
    int rc = ls_manifest_write(w->dir, &nm, err);
    if (rc != LS_OK && manifest_in_place(w, gen)) {
        *visible = 1;
        *out = nm;
        return ls_error_append(err, rc, " (the commit is in place but may not survive a crash; "
                                        "its files are kept)");
    }
    if (rc != LS_OK) {
        ls_free(nm.segs);
        return rc;
    }
    *out = nm;
    return LS_OK;
}

/* After a commit of nm: the writer's segments become its records; segments left out (all
 * documents deleted) are released; old manifests are pruned and unneeded files removed. */
static void adopt(ls_writer *w, ls_manifest *nm, const ls_seg_info *infos)
{
    uint32_t kept = 0;
    int dropped = 0;
    for (uint32_t i = 0; i < w->nsegs; i++) {
        ls_wseg *s = &w->segs[i];
        if (infos[i].del_gen != s->info.del_gen)
            ls_deletes_close(&s->del); /* reopened when next needed */
        s->info = infos[i];
        s->pending = 0;
        s->n_fresh = 0;
        if (s->info.del_count == s->info.ndocs) {
            w->doc_space -= s->info.ndocs;
            ls_wseg_free(s);
            dropped = 1;
            continue;
        }
        w->segs[kept++] = *s;
    }
    w->nsegs = kept;
    ls_manifest_free(&w->m);
    w->m = *nm;
    w->next_gen = nm->gen + 1;
    /* Keep the previous commit as a fallback, unless this one dropped segments: then their
     * files may go at once rather than linger for a commit. */
    ls_manifest_prune(w->dir, dropped ? nm->gen : nm->gen - 1);
    ls_writer_cleanup(w, 0);
}

/* Writes the fresh deletions of segment i as of gen into *info. */
static int write_deletions(ls_writer *w, uint32_t i, uint64_t gen, ls_seg_info *info,
                           ls_error *err)
{
    ls_wseg *s = &w->segs[i];
    if (s->info.del_gen > 0 && s->del.bitmap == NULL) {
        int rc = ls_deletes_open(&s->del, w->dir, s->info.id, s->info.del_gen, s->info.ndocs,
                                 s->info.tag,
                                 err);
        if (rc != LS_OK)
            return rc;
    }
    qsort(s->fresh, s->n_fresh, sizeof *s->fresh, cmp_u32);
    return ls_deleter_write(w->dir, s->seg, s->info.del_gen > 0 ? &s->del : NULL, s->bitmap,
                            s->fresh, s->n_fresh, w->an, gen, info, err);
}

/* Commits what changed since the last commit; nothing when nothing did (an index's first
 * commit always writes one, so that an empty index exists). */
static int commit_changes(ls_writer *w, ls_error *err)
{
    int rc = ls_writer_flush(w, err);
    if (rc != LS_OK)
        return rc;
    int changed = w->m.gen == 0;
    for (uint32_t i = 0; i < w->nsegs; i++)
        changed |= w->segs[i].pending || w->segs[i].n_fresh > 0;
    if (!changed)
        return LS_OK;
    uint64_t gen = w->next_gen;
    ls_seg_info *infos = ls_calloc(w->nsegs ? w->nsegs : 1, sizeof *infos);
    if (infos == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    uint32_t done = 0;
    for (; done < w->nsegs && rc == LS_OK; done++) {
        infos[done] = w->segs[done].info;
        if (w->segs[done].n_fresh > 0)
            rc = write_deletions(w, done, gen, &infos[done], err);
    }
    ls_manifest nm;
    int visible = 0;
    if (rc == LS_OK)
        rc = write_manifest(w, gen, infos, w->nsegs, &nm, &visible, err);
    if (rc != LS_OK && !visible) {
        for (uint32_t i = 0; i < done; i++)
            if (w->segs[i].n_fresh > 0)
                remove_deletes(w, w->segs[i].info.id, gen);
        ls_free(infos);
        return rc;
    }
    adopt(w, &nm, infos);
    ls_free(infos);
    return rc;
}

/* After the merge of [start, start + count) into merged was committed as nm. */
static void adopt_merge(ls_writer *w, uint32_t start, uint32_t count, ls_wseg *merged,
                        ls_manifest *nm)
{
    uint64_t before = 0;
    for (uint32_t k = start; k < start + count; k++) {
        before += w->segs[k].info.ndocs;
        ls_wseg_free(&w->segs[k]);
    }
    w->doc_space = w->doc_space - before + merged->info.ndocs;
    uint32_t keep = merged->info.ndocs > 0;
    if (keep)
        w->segs[start] = *merged;
    memmove(&w->segs[start + keep], &w->segs[start + count],
            (w->nsegs - start - count) * sizeof *w->segs);
    w->nsegs = w->nsegs - count + keep;
    ls_manifest_free(&w->m);
    w->m = *nm;
    w->next_gen = nm->gen + 1;
    ls_manifest_prune(w->dir, nm->gen); /* the sources may go at once */
    ls_writer_cleanup(w, 0);
}

/* Merges segments [start, start + count) of the last commit into one, as a commit. */
static int merge_run(ls_writer *w, uint32_t start, uint32_t count, ls_error *err)
{
    if (w->next_seg == UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "segment numbers exhausted");
    uint32_t out_id = w->next_seg++;
    ls_merge_source *src = ls_calloc(count, sizeof *src);
    ls_seg_info *infos = ls_calloc(w->nsegs, sizeof *infos);
    int rc = src && infos ? LS_OK : ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t k = 0; rc == LS_OK && k < count; k++)
        src[k] = (ls_merge_source){w->segs[start + k].seg, w->segs[start + k].bitmap};
    ls_wseg merged;
    memset(&merged, 0, sizeof merged);
    if (rc == LS_OK)
        rc = ls_merge_segments(w->dir, src, count, out_id, w->threads, &merged.info, err);
    if (rc == LS_OK && merged.info.ndocs > 0)
        rc = ls_segment_acquire(w->dir, out_id, merged.info.ndocs, merged.info.tag, &merged.seg,
                                err);
    /* The new commit: the run replaced by the merged segment (or by nothing). */
    uint32_t n = 0;
    for (uint32_t i = 0; rc == LS_OK && i < w->nsegs; i++) {
        if (i == start && merged.info.ndocs > 0)
            infos[n++] = merged.info;
        if (i < start || i >= start + count)
            infos[n++] = w->segs[i].info;
    }
    ls_manifest nm;
    int visible = 0;
    if (rc == LS_OK)
        rc = write_manifest(w, w->next_gen, infos, n, &nm, &visible, err);
    ls_free(src);
    ls_free(infos);
    if (rc != LS_OK && !visible) {
        ls_segment_release(merged.seg);
        ls_segfiles_remove(w->dir, out_id);
        return rc;
    }
    adopt_merge(w, start, count, &merged, &nm);
    return rc;
}

static ls_merge_seg *policy_view(const ls_writer *w)
{
    ls_merge_seg *v = ls_calloc(w->nsegs ? w->nsegs : 1, sizeof *v);
    for (uint32_t i = 0; v != NULL && i < w->nsegs; i++)
        v[i] = (ls_merge_seg){w->segs[i].info.ndocs, w->segs[i].info.del_count};
    return v;
}

/* The merges a commit makes after committing. They only make later searches cheaper: one that
 * fails (disk full, out of memory) is abandoned, its files removed, and tried again at a later
 * commit; the commit before it stands and the writer stays usable. */
static void auto_merge(ls_writer *w)
{
    for (;;) {
        ls_merge_seg *v = policy_view(w);
        if (v == NULL)
            return;
        ls_merge_run run;
        int more = ls_merge_policy_next(v, w->nsegs, w->merge_factor, &run);
        ls_free(v);
        if (!more || merge_run(w, run.start, run.count, NULL) != LS_OK)
            return;
    }
}

LS_API int ls_writer_commit(ls_writer *w, ls_error *err)
{
    ls_error_clear(err);
    if (w == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_writer_commit: NULL writer");
    if (w->failed)
        return ls_error_set(err, LS_EINVAL, "the writer failed earlier; close it and reopen");
    int rc = commit_changes(w, err);
    if (rc != LS_OK) {
        w->failed = 1;
        return rc;
    }
    if (w->auto_merge)
        auto_merge(w);
    return LS_OK;
}

LS_API int ls_writer_optimize(ls_writer *w, unsigned max_segments, ls_error *err)
{
    ls_error_clear(err);
    if (w == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_writer_optimize: NULL writer");
    if (w->failed)
        return ls_error_set(err, LS_EINVAL, "the writer failed earlier; close it and reopen");
    int rc = commit_changes(w, err);
    ls_merge_seg *v = rc == LS_OK ? policy_view(w) : NULL;
    ls_merge_run *runs = v ? ls_calloc(w->nsegs ? w->nsegs : 1, sizeof *runs) : NULL;
    if (rc == LS_OK && runs == NULL)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    if (rc == LS_OK) {
        uint32_t n = ls_merge_policy_optimize(v, w->nsegs, max_segments ? max_segments : 1, runs);
        /* Last run first: merging it does not move the runs before it. */
        while (rc == LS_OK && n-- > 0)
            rc = merge_run(w, runs[n].start, runs[n].count, err);
    }
    ls_free(v);
    ls_free(runs);
    if (rc != LS_OK)
        w->failed = 1;
    return rc;
}
