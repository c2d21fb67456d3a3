/* SPDX-License-Identifier: MIT */
/*
 * test_cli_sync.c - the `cli_sync` suite: the index as a living store through cisearch:
 * `index` on an existing index syncs (unchanged files left alone, changed ones replaced,
 * vanished ones deleted; a second run commits nothing), ids never collide across roots,
 * `delete`, `optimize`, `check` (an intact index, a damaged segment file, a damaged manifest
 * and --recover), and the writer lock naming its holder.
 */
#include <check.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cli/cli_fixture.h"
#include "libsearch.h"
#include "testutil.h"

/* Commit generation of the index in dir. */
static uint64_t generation(const char *dir)
{
    ls_reader *r;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(dir, &r, &err), LS_OK);
    ls_index_stats s;
    memset(&s, 0, sizeof s);
    s.version = LS_INDEX_STATS_VERSION;
    ck_assert_int_eq(ls_reader_stats(r, &s, &err), LS_OK);
    ls_reader_close(r);
    return s.generation;
}

/* Runs cisearch, expects exit status want; returns its stderr (stdout into *out if asked). */
static char *expect(int want, const char *const *argv, char **out)
{
    char *o, *e;
    int rc = ls_cli_run(argv, NULL, &o, &e);
    ck_assert_msg(rc == want, "%s %s: exit %d, want %d; stderr: %s", argv[0], argv[1], rc, want,
                  e);
    if (out != NULL)
        *out = o;
    else
        free(o);
    return e;
}

static void set_mtime_ahead(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    t[1].tv_sec += 10;
    ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

START_TEST(sync_second_run_changes_nothing_then_follows_edits)
{
    char *docs = ls_cli_path(ls_cli_tmp, "docs"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    ck_assert_int_eq(mkdir(docs, 0700), 0);
    char *a = ls_cli_path(docs, "a.txt"), *b = ls_cli_path(docs, "b.txt"),
         *c = ls_cli_path(docs, "c.txt"), *d = ls_cli_path(docs, "d.txt");
    ls_cli_write(a, "Alpha\nthe aardvark digs\n");
    ls_cli_write(b, "Beta\nthe badger sleeps\n");
    ls_cli_write(c, "Gamma\nthe capybara swims\n");
    const char *ix[] = {"index", "--index", idx, docs, NULL};
    char *err = expect(0, ix, NULL);
    ck_assert_msg(strstr(err, "3 added, 0 updated, 0 deleted, 0 unchanged"), "%s", err);
    free(err);
    uint64_t gen = generation(idx);
    err = expect(0, ix, NULL);
    ck_assert_msg(strstr(err, "index is up to date: 3 unchanged"), "%s", err);
    free(err);
    ck_assert_uint_eq(generation(idx), gen); /* nothing was committed */

    ls_cli_write(a, "Alpha\nthe anteater licks\n"); /* changed contents */
    set_mtime_ahead(a);
    set_mtime_ahead(b);                             /* touched, same contents */
    ck_assert_int_eq(unlink(c), 0);                 /* vanished */
    ls_cli_write(d, "Delta\nthe dugong grazes\n");  /* new */
    err = expect(0, ix, NULL);
    ck_assert_msg(strstr(err, "1 added, 1 updated, 1 deleted, 1 unchanged"), "%s", err);
    free(err);
    const char *q_old[] = {"search", "--index", idx, "aardvark OR capybara", NULL};
    const char *q_new[] = {"search", "--index", idx, "-f", "ids", "anteater OR dugong OR badger",
                           NULL};
    free(expect(1, q_old, NULL));
    char *out;
    free(expect(0, q_new, &out));
    char **lines;
    ck_assert_uint_eq(ls_cli_lines(out, &lines), 3);
    free(lines);
    free(out);
    err = expect(0, ix, NULL);
    ck_assert_msg(strstr(err, "index is up to date: 3 unchanged"), "%s", err);
    free(err);
    free(docs), free(idx), free(a), free(b), free(c), free(d);
}
END_TEST

START_TEST(sync_ids_never_collide_across_roots)
{
    char *r1 = ls_cli_path(ls_cli_tmp, "pkg1"), *r2 = ls_cli_path(ls_cli_tmp, "pkg2");
    char *idx = ls_cli_path(ls_cli_tmp, "idx");
    ck_assert_int_eq(mkdir(r1, 0700), 0);
    ck_assert_int_eq(mkdir(r2, 0700), 0);
    char *f1 = ls_cli_path(r1, "copyright"), *f2 = ls_cli_path(r2, "copyright");
    ls_cli_write(f1, "Copyright\nlicense one\n");
    ls_cli_write(f2, "Copyright\nlicense two\n");
    const char *ix[] = {"index", "--index", idx, r1, r2, NULL};
    char *err = expect(0, ix, NULL);
    ck_assert_msg(strstr(err, "2 added"), "%s", err);
    free(err);
    const char *q[] = {"search", "--index", idx, "-f", "ids", "license", NULL};
    char *out, **lines;
    free(expect(0, q, &out));
    ck_assert_uint_eq(ls_cli_lines(out, &lines), 2);
    ck_assert_str_ne(lines[0], lines[1]);
    free(lines);
    free(out);
    /* Syncing one root leaves the other's documents alone. */
    ck_assert_int_eq(unlink(f1), 0);
    const char *ix1[] = {"index", "--index", idx, r1, NULL};
    err = expect(0, ix1, NULL);
    ck_assert_msg(strstr(err, "0 added, 0 updated, 1 deleted"), "%s", err);
    free(err);
    free(expect(0, q, &out));
    ck_assert_uint_eq(ls_cli_lines(out, &lines), 1);
    char *real2 = realpath(f2, NULL);
    ck_assert_str_eq(lines[0], real2);
    free(real2);
    free(lines);
    free(out);
    free(r1), free(r2), free(idx), free(f1), free(f2);
}
END_TEST

static char *jsonl_index(int n)
{
    char *idx = ls_cli_path(ls_cli_tmp, "idx");
    for (int i = 0; i < n; i++) {
        char *in = ls_cli_fmt("{\"id\": \"doc-%d\", \"title\": \"T%d\", \"body\": \"walrus %s\"}\n",
                              i, i, i % 2 ? "odd" : "even");
        const char *ix[] = {"index", "--index", idx, "--jsonl", "-", NULL};
        char *o, *e;
        ck_assert_int_eq(ls_cli_run(ix, in, &o, &e), 0);
        free(o);
        free(e);
        free(in);
    }
    return idx;
}

START_TEST(delete_by_id_and_prefix)
{
    char *idx = jsonl_index(4);
    const char *del[] = {"delete", "--index", idx, "doc-1", NULL};
    char *err = expect(0, del, NULL);
    ck_assert_msg(strstr(err, "deleted 1 document"), "%s", err);
    free(err);
    const char *again[] = {"delete", "--index", idx, "doc-1", NULL};
    err = expect(1, again, NULL);
    ck_assert_msg(strstr(err, "no document 'doc-1'"), "%s", err);
    free(err);
    const char *q[] = {"search", "--index", idx, "-f", "ids", "walrus", NULL};
    char *out, **lines;
    free(expect(0, q, &out));
    ck_assert_uint_eq(ls_cli_lines(out, &lines), 3);
    free(lines);
    free(out);
    const char *pre[] = {"delete", "--index", idx, "--prefix", "doc-", NULL};
    err = expect(0, pre, NULL);
    ck_assert_msg(strstr(err, "deleted 3 documents"), "%s", err);
    free(err);
    free(expect(1, q, NULL));
    const char *noidx[] = {"delete", "doc-0", NULL};
    free(expect(2, noidx, NULL));
    free(idx);
}
END_TEST

START_TEST(optimize_merges_to_one_segment)
{
    char *idx = jsonl_index(5); /* five commits */
    const char *opt[] = {"optimize", "--index", idx, NULL};
    char *err = expect(0, opt, NULL);
    ck_assert_msg(strstr(err, "segments -> 1"), "%s", err);
    free(err);
    const char *stats[] = {"stats", "--index", idx, NULL};
    char *out;
    free(expect(0, stats, &out));
    ck_assert_msg(strstr(out, "segments     1\n") != NULL, "%s", out);
    free(out);
    const char *q[] = {"search", "--index", idx, "-f", "ids", "walrus AND odd", NULL};
    char **lines;
    free(expect(0, q, &out));
    ck_assert_uint_eq(ls_cli_lines(out, &lines), 2);
    free(lines);
    free(out);
    free(idx);
}
END_TEST

/* The name of a file of the index whose name starts with `prefix` and ends with `suffix`. */
static char *find_file(const char *idx, const char *prefix, const char *suffix)
{
    char *found = NULL;
    for (int gen = 99; gen >= 0 && found == NULL; gen--) {
        char *p = ls_cli_fmt("%s/%s%020d%s", idx, prefix, gen, suffix);
        struct stat st;
        if (stat(p, &st) == 0)
            found = p;
        else
            free(p);
    }
    return found;
}

static void flip_byte(const char *path, size_t at)
{
    size_t len;
    char *data = ls_test_read_file(path, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_lt(at, len);
    data[at] ^= 0x5a;
    ck_assert_int_eq(ls_test_write_file(path, data, len), 0);
    free(data);
}

START_TEST(check_names_damage_and_recovers_from_a_damaged_manifest)
{
    char *idx = jsonl_index(3);
    const char *check[] = {"check", "--index", idx, NULL};
    char *out;
    free(expect(0, check, &out));
    ck_assert_msg(strstr(out, ": ok (generation"), "%s", out);
    free(out);

    /* A damaged byte in the newest manifest: reported, never a silent rollback. */
    char *man = find_file(idx, "manifest-", "");
    ck_assert_ptr_nonnull(man);
    flip_byte(man, 12);
    const char *q[] = {"search", "--index", idx, "walrus", NULL};
    char *err = expect(2, q, NULL);
    ck_assert_msg(strstr(err, strrchr(man, '/') + 1), "%s", err);
    free(err);
    err = expect(2, check, NULL);
    free(err);
    const char *rcheck[] = {"check", "--index", idx, "--recover", NULL};
    err = expect(2, rcheck, &out); /* the older commit is intact, but a damaged one is there */
    ck_assert_msg(strstr(err, "is damaged"), "%s", err);
    free(err);
    free(out);
    /* A recovering writer commits on top; its segments stay while the damaged file exists. */
    char *in = ls_cli_fmt("{\"id\": \"new\", \"body\": \"walrus fresh\"}\n");
    const char *ix[] = {"index", "--index", idx, "--jsonl", "-", NULL};
    const char *rix[] = {"index", "--index", idx, "--recover", "--jsonl", "-", NULL};
    char *o, *e;
    ck_assert_int_eq(ls_cli_run(ix, in, &o, &e), 2);
    ck_assert_msg(strstr(e, "damaged") || strstr(e, "checksum"), "%s", e);
    free(o);
    free(e);
    ck_assert_int_eq(ls_cli_run(rix, in, &o, &e), 0);
    free(o);
    free(e);
    free(in);
    free(expect(0, q, NULL)); /* the newest manifest is now intact */
    err = expect(2, check, NULL); /* but the damaged one is still there: check says so */
    ck_assert_msg(strstr(err, strrchr(man, '/') + 1) && strstr(err, "damaged"), "%s", err);
    free(err);
    ck_assert_int_eq(unlink(man), 0); /* the user gives up on that commit */
    free(expect(0, check, NULL));
    free(man);

    /* A damaged segment file: check names it. */
    char *tid = ls_cli_fmt("%s/seg-0000000000.tid", idx);
    flip_byte(tid, 20);
    err = expect(2, check, NULL);
    ck_assert_msg(strstr(err, "seg-0000000000.tid"), "%s", err);
    free(err);
    free(tid);
    free(idx);
}
END_TEST

/* The ids a search for word returns, one per line (malloc'd). */
static char *ids_for(const char *idx, const char *word)
{
    const char *q[] = {"--index", idx, "-f", "ids", "-n", "100", word, NULL};
    char *o, *e;
    ck_assert_int_le(ls_cli_run(q, NULL, &o, &e), 1);
    free(e);
    return o;
}

/* --exclude, --max-size and symbolic links (skipped, or with --follow followed, loops told as
 * loops); a sync with a new pattern deletes what it now leaves out. */
START_TEST(walk_excludes_sizes_and_links)
{
    char *t = ls_cli_path(ls_cli_tmp, "t"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    char *cmd = ls_cli_fmt("mkdir -p '%s/a/sub' '%s/build' '%s/logs' && cd '%s' && "
                           "printf 'Alpha\\nnarwhal\\n' > a/one.txt && "
                           "printf 'Beta\\nnarwhal\\n' > build/out.txt && "
                           "printf 'Log\\nnarwhal\\n' > logs/x.log && "
                           "ln -s ../.. a/sub/up && ln -s ../a/one.txt logs/link.txt && "
                           "head -c 3000 /dev/zero | tr '\\0' n > a/big.txt",
                           t, t, t, t);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    /* default: links skipped (and told), everything else in */
    const char *all[] = {"index", "--index", idx, t, NULL};
    char *e = expect(0, all, NULL);
    ck_assert_msg(strstr(e, "up (symbolic link, not followed (--follow))") != NULL, "%s", e);
    ck_assert_msg(strstr(e, "indexed: 4 added") != NULL, "%s", e);
    free(e);
    char *o = ids_for(idx, "narwhal");
    ck_assert_msg(strstr(o, "/build/out.txt") && strstr(o, "/logs/x.log") &&
                      !strstr(o, "link.txt"),
                  "%s", o);
    free(o);
    /* a sync with patterns and a size cap: what they leave out is deleted */
    const char *some[] = {"index", "--index", idx, t, "--exclude", "build", "--exclude", "*.log",
                          "--max-size", "2K", NULL};
    e = expect(0, some, NULL);
    ck_assert_msg(strstr(e, "3 deleted") != NULL && strstr(e, "2 excluded") != NULL, "%s", e);
    ck_assert_msg(strstr(e, "big.txt (over --max-size)") != NULL, "%s", e);
    free(e);
    o = ids_for(idx, "narwhal");
    ck_assert_msg(strstr(o, "/a/one.txt") && !strstr(o, "build") && !strstr(o, ".log"), "%s",
                  o);
    free(o);
    /* --follow: the file link is indexed, the link back to the root is a loop */
    char *idx2 = ls_cli_path(ls_cli_tmp, "idx2");
    const char *follow[] = {"index", "--index", idx2, t, "--follow", NULL};
    e = expect(0, follow, NULL);
    ck_assert_msg(strstr(e, "up (symbolic link loop)") != NULL, "%s", e);
    ck_assert_msg(strstr(e, "indexed: 5 added") != NULL, "%s", e);
    free(e);
    o = ids_for(idx2, "narwhal");
    ck_assert_msg(strstr(o, "/logs/link.txt") != NULL, "%s", o);
    free(o);
    const char *bad[] = {"index", "--index", idx2, t, "--max-size", "lots", NULL};
    e = expect(2, bad, NULL);
    ck_assert_msg(strstr(e, "--max-size wants a size") != NULL, "%s", e);
    free(e);
    free(idx2);
    free(idx);
    free(t);
}
END_TEST

/* The text of a search for word as "id<TAB>title" lines (the JSON output, flattened). */
static char *titles_for(const char *idx, const char *word)
{
    const char *q[] = {"--index", idx, "-f", "json", "-n", "50", word, NULL};
    char *o, *e;
    ck_assert_int_le(ls_cli_run(q, NULL, &o, &e), 1);
    free(e);
    json_error_t je;
    json_t *j = json_loads(o, 0, &je);
    ck_assert_msg(j != NULL, "%s", o);
    free(o);
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    ck_assert_ptr_nonnull(out);
    json_t *hits = json_object_get(j, "hits");
    for (size_t i = 0; i < json_array_size(hits); i++) {
        json_t *h = json_array_get(hits, i);
        const char *id = json_string_value(json_object_get(h, "id"));
        len += (size_t)snprintf(out + len, cap - len, "%s\t%s\n", strrchr(id, '/') + 1,
                                json_string_value(json_object_get(h, "title")));
    }
    json_decref(j);
    return out;
}

/* HTML without its tags and scripts (title from <title>), Markdown titled by its heading,
 * gzip read through zlib (a .html.gz as HTML), long titles cut. */
START_TEST(folders_index_html_markdown_and_gzip)
{
    char *t = ls_cli_path(ls_cli_tmp, "docs"), *idx = ls_cli_path(ls_cli_tmp, "idx");
    ck_assert_int_eq(mkdir(t, 0755), 0);
    char *p = ls_cli_path(t, "page.html");
    ls_cli_write(p, "<!DOCTYPE html><html><head><title>Narwhal &amp; Walrus</title>"
                    "<script>var hidden = 'zebrafish';</script><style>p{color:red}</style>"
                    "</head><body><h1>Tusks</h1><p>The <b>narwhal</b> tusk&hellip;</p>"
                    "<!-- a comment about zebrafish --></body></html>");
    free(p);
    p = ls_cli_path(t, "notes.md");
    ls_cli_write(p, "Some preface line\n\n# Narwhal notes\n\nA narwhal pod was seen.\n");
    free(p);
    p = ls_cli_path(t, "long.txt");
    char longtitle[400];
    memset(longtitle, 'n', sizeof longtitle - 1);
    longtitle[sizeof longtitle - 1] = '\0';
    char *text = ls_cli_fmt("%s\nnarwhal body\n", longtitle);
    ls_cli_write(p, text);
    free(text);
    free(p);
    /* gzip files, made with zlib: a text one and an HTML one */
    static const struct {
        const char *name, *content;
    } gz[] = {{"log.txt.gz", "Compressed log\nnarwhal sighting at dawn\n"},
              {"old.html.gz", "<html><head><title>Old narwhal page</title></head>"
                              "<body><p>narwhal</p></body></html>"}};
    for (int i = 0; i < 2; i++) {
        p = ls_cli_path(t, gz[i].name);
        gzFile f = gzopen(p, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzputs(f, gz[i].content), (int)strlen(gz[i].content));
        ck_assert_int_eq(gzclose(f), Z_OK);
        free(p);
    }
    const char *ix[] = {"index", "--index", idx, t, NULL};
    char *e = expect(0, ix, NULL);
    ck_assert_msg(strstr(e, "indexed: 5 added") != NULL, "%s", e);
    free(e);
    char *got = titles_for(idx, "narwhal");
    ck_assert_msg(strstr(got, "page.html\tNarwhal & Walrus\n") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "notes.md\tNarwhal notes\n") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "log.txt.gz\tCompressed log\n") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "old.html.gz\tOld narwhal page\n") != NULL, "%s", got);
    char *cut = strstr(got, "long.txt\t");
    ck_assert_msg(cut != NULL, "%s", got);
    ck_assert_int_eq((int)(strchr(cut, '\n') - cut - strlen("long.txt\t")), 200);
    free(got);
    /* script, style, comments and tags are not text */
    got = titles_for(idx, "zebrafish");
    ck_assert_str_eq(got, "");
    free(got);
    got = titles_for(idx, "color");
    ck_assert_str_eq(got, "");
    free(got);
    free(idx);
    free(t);
}
END_TEST

START_TEST(lock_names_the_holding_process)
{
    char *idx = jsonl_index(1);
    ls_writer *w;
    ls_error e;
    ck_assert_int_eq(ls_writer_open(idx, NULL, &w, &e), LS_OK);
    char *in = ls_cli_fmt("{\"id\": \"x\", \"body\": \"walrus\"}\n");
    const char *ix[] = {"index", "--index", idx, "--jsonl", "-", NULL};
    char *o, *err;
    ck_assert_int_eq(ls_cli_run(ix, in, &o, &err), 2);
    char *want = ls_cli_fmt("locked by pid %ld", (long)getpid());
    ck_assert_msg(strstr(err, want), "%s", err);
    free(want);
    free(o);
    free(err);
    ls_writer_close(w);
    ck_assert_int_eq(ls_cli_run(ix, in, &o, &err), 0);
    free(o);
    free(err);
    free(in);
    free(idx);
}
END_TEST

Suite *ls_suite_cli_sync(void)
{
    Suite *s = suite_create("cli_sync");
    TCase *t = tcase_create("lifecycle");
    tcase_set_timeout(t, 60);
    tcase_add_checked_fixture(t, cli_setup, cli_teardown);
    tcase_add_test(t, sync_second_run_changes_nothing_then_follows_edits);
    tcase_add_test(t, sync_ids_never_collide_across_roots);
    tcase_add_test(t, delete_by_id_and_prefix);
    tcase_add_test(t, optimize_merges_to_one_segment);
    tcase_add_test(t, check_names_damage_and_recovers_from_a_damaged_manifest);
    tcase_add_test(t, lock_names_the_holding_process);
    tcase_add_test(t, walk_excludes_sizes_and_links);
    tcase_add_test(t, folders_index_html_markdown_and_gzip);
    suite_add_tcase(s, t);
    return s;
}
