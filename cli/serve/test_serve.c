/* SPDX-License-Identifier: MIT */
/*
 * test_serve.c - the `serve` suite: starts the built `cisearch serve` on an ephemeral loopback
 * port over a fresh test index and uses it over real HTTP: the endpoints and their JSON (the
 * search object equal to `cisearch search --format json`), hostile and malformed requests
 * (400/404/405, never a crash), a bounded concurrent load with every reply checked, a new
 * commit picked up while serving, idle (slowloris) connections timed out, and the command's
 * usage errors.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libsearch.h"
#include "serve.h"
#include "test_http.h"
#include "testutil.h"

static char *tmp, *index_dir;
static th_server server;

static void setup_with(const char *const *extra)
{
    tmp = ls_test_tmpdir();
    size_t n = strlen(tmp) + 8;
    index_dir = malloc(n);
    ck_assert_ptr_nonnull(index_dir);
    snprintf(index_dir, n, "%s/idx", tmp);
    th_make_index(index_dir);
    th_server_start(&server, index_dir, extra);
}

static void setup(void)
{
    static const char *const extra[] = {"--threads", "4", "--reopen-ms", "50", NULL};
    setup_with(extra);
}

static void teardown(void)
{
    ck_assert_int_eq(th_server_stop(&server), 0); /* SIGTERM is a clean stop */
    ls_test_rmtree(tmp);
    free(index_dir);
    free(tmp);
}

static json_t *search(const char *query_string, int status)
{
    char target[1024];
    snprintf(target, sizeof target, "/search?%s", query_string);
    return th_get_json(server.port, target, status);
}

/* ---- endpoints ---- */

START_TEST(search_finds_the_unique_word_with_fragments)
{
    char word[16], qs[64];
    th_unique_word(7, word);
    snprintf(qs, sizeof qs, "q=%s", word);
    json_t *j = search(qs, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total_hits")), 1);
    ck_assert(json_is_true(json_object_get(j, "total_exact")));
    ck_assert(json_is_integer(json_object_get(j, "took_us")));
    json_t *hit = json_array_get(json_object_get(j, "hits"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(hit, "id")), "doc-007");
    ck_assert_int_eq(json_integer_value(json_object_get(hit, "rank")), 1);
    /* the fragments put together are the snippet, and the match is the word */
    json_t *frags = json_object_get(hit, "fragments");
    size_t matches = 0;
    char joined[1024] = "";
    for (size_t i = 0; i < json_array_size(frags); i++) {
        const json_t *f = json_array_get(frags, i);
        strncat(joined, json_string_value(json_object_get(f, "text")),
                sizeof joined - strlen(joined) - 1);
        if (json_is_true(json_object_get(f, "match"))) {
            ck_assert_str_eq(json_string_value(json_object_get(f, "text")), word);
            matches++;
        }
    }
    ck_assert_uint_eq(matches, 1);
    ck_assert_str_eq(joined, json_string_value(json_object_get(hit, "snippet")));
    json_decref(j);
}
END_TEST

/* Drops what only the server adds, so the rest can be compared with the CLI's JSON. */
static void strip_server_members(json_t *j)
{
    const json_t *hits = json_object_get(j, "hits");
    json_object_del(j, "offset");
    json_object_del(j, "limit");
    json_object_del(j, "took_us");
    for (size_t i = 0; i < json_array_size(hits); i++)
        json_object_del(json_array_get(hits, i), "fragments");
}

START_TEST(search_json_equals_the_cli_format_json)
{
    json_t *served = search("q=zebra%20lorem&n=5&offset=3", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(served, "offset")), 3);
    ck_assert_int_eq(json_array_size(json_object_get(served, "hits")), 5);
    strip_server_members(served);
    const char *argv[] = {"search", "--index",  index_dir, "--format",    "json", "-n",
                          "5",      "--offset", "3",       "zebra lorem", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_test_run_cli(argv, NULL, NULL, &out, &err), 0);
    json_t *cli = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(cli);
    char *a = json_dumps(served, JSON_SORT_KEYS), *b = json_dumps(cli, JSON_SORT_KEYS);
    ck_assert_msg(json_equal(served, cli), "served %s\ncli    %s", a, b);
    free(a), free(b), free(out), free(err);
    json_decref(served);
    json_decref(cli);
}
END_TEST

START_TEST(paging_and_and_and_syntax)
{
    json_t *all = search("q=zebra&n=100", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(all, "total_hits")), TH_DOCS / 3);
    json_t *page = search("q=zebra&n=5&offset=5", 200);
    for (size_t i = 0; i < 5; i++)
        ck_assert(
            json_equal(json_object_get(json_array_get(json_object_get(all, "hits"), 5 + i), "id"),
                       json_object_get(json_array_get(json_object_get(page, "hits"), i), "id")));
    json_decref(all);
    json_decref(page);
    char word[16], qs[96];
    th_unique_word(4, word);
    snprintf(qs, sizeof qs, "q=zebra+%s&and=1", word); /* doc 4 has no zebra */
    json_t *j = search(qs, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total_hits")), 0);
    json_decref(j);
    snprintf(qs, sizeof qs, "q=zebra+%s&and=0", word);
    j = search(qs, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total_hits")), TH_DOCS / 3 + 1);
    json_decref(j);
    j = search("q=%22zebra&syntax=strict", 400);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "position")), 0);
    json_decref(j);
    j = search("q=%22zebra&syntax=plain", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total_hits")), TH_DOCS / 3);
    json_decref(j);
}
END_TEST

START_TEST(doc_stats_health_and_the_page)
{
    json_t *j = th_get_json(server.port, "/doc/doc-012", 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "doc-012");
    ck_assert(json_is_integer(json_object_get(j, "doc")));
    /* the stored fields, as added (th_make_index) */
    const char *title = json_string_value(json_object_get(j, "title"));
    const char *body = json_string_value(json_object_get(j, "body"));
    ck_assert_msg(title != NULL && strncmp(title, "Report 012 on ", 14) == 0, "%s", title);
    ck_assert_msg(body != NULL && strstr(body, "paragraph of report 12. A zebra crossed") != NULL,
                  "%s", body);
    ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "");
    json_decref(j);
    json_decref(th_get_json(server.port, "/doc/doc-999", 404));
    json_decref(th_get_json(server.port, "/doc/", 400));
    j = th_get_json(server.port, "/stats", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "documents")), TH_DOCS);
    ck_assert_str_eq(json_string_value(json_object_get(j, "language")), "english");
    ck_assert(json_is_object(json_object_get(j, "bytes")));
    json_decref(j);
    j = th_get_json(server.port, "/health", 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    th_resp r;
    char v[512];
    ck_assert_int_eq(th_get(server.port, "/", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(th_header(&r, "Content-Type", v, sizeof v), 0);
    ck_assert_str_eq(v, "text/html; charset=utf-8");
    ck_assert_int_eq(th_header(&r, "Content-Security-Policy", v, sizeof v), 0);
    ck_assert_ptr_nonnull(strstr(v, "default-src 'none'"));
    const char *nonce = strstr(v, "'nonce-");
    ck_assert_ptr_nonnull(nonce);
    char tag[64];
    snprintf(tag, sizeof tag, "<script nonce=\"%.32s\">", nonce + 7);
    ck_assert_msg(strstr(r.body, tag) != NULL, "the page's script lacks the CSP nonce");
    ck_assert_ptr_null(strstr(r.body, "__CSP_NONCE__"));
    ck_assert_ptr_null(strstr(r.body, "http://")); /* no external requests */
    ck_assert_ptr_null(strstr(r.body, "https://"));
    th_resp_free(&r);
    ck_assert_int_eq(th_get(server.port, "/search?q=zebra", &r), 0);
    ck_assert_int_eq(th_header(&r, "Cache-Control", v, sizeof v), 0);
    ck_assert_str_eq(v, "no-store");
    th_resp_free(&r);
}
END_TEST

/* ---- hostile requests ---- */

START_TEST(bad_parameters_get_400_with_a_json_error)
{
    static const struct {
        const char *target;
        int status;
    } cases[] = {
        {"/search", 400},
        {"/search?q=", 400},
        {"/search?q=a&n=-1", 400},
        {"/search?q=a&n=99999999", 400},
        {"/search?q=a&n=101", 400},
        {"/search?q=a&n=1e3", 400},
        {"/search?q=a&offset=18446744073709551616", 400},
        {"/search?q=a&offset=10001", 400},
        {"/search?q=a&offset=%2B1", 400},
        {"/search?q=a&bogus=1", 400},
        {"/search?q=a&q=b", 400},
        {"/search?q=a&syntax=regex", 400},
        {"/search?q=a&and=maybe", 400},
        {"/search?q&n", 400},
        {"/search?%00=1&q=a", 400},
        {"/search?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&o=14&p=15&r=16&s=17",
         400},
        {"/search?q=%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%"
         "28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%"
         "28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%"
         "28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28a&syntax=strict",
         400},
        {"/search?q=%ff%fe%80%c0%af", 200},
        {"/search?q=%zz%4", 200},
        {"/search?q=a%00zebra", 200},
        {"/search?q=%ff&syntax=strict", 400},
        {"/search?q=NOT", 200},
        {"/search?q=*", 200},
        {"/search?q=%22%22", 200},
        {"/search?q=a&n=0", 200},
        {"/search?q=zebra&offset=10000", 200},
        {"/doc/%ff%fe", 404},
        {"/doc/x?y=1", 400},
        {"/stats?x", 400},
        {"/nope", 404},
        {"/..%2f..%2fetc%2fpasswd", 404},
        {"//search?q=a", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        json_decref(th_get_json(server.port, cases[i].target, cases[i].status));
}
END_TEST

/* q of exactly SERVE_MAX_Q_BYTES is searched, one byte more is refused; a request line past
 * the per-connection buffer is refused by MHD itself; the server stays up. */
START_TEST(huge_queries_and_request_lines)
{
    size_t n = LS_MAX_QUERY_BYTES + 1;
    char *target = malloc(n * 3 + 64);
    ck_assert_ptr_nonnull(target);
    for (int over = 0; over <= 1; over++) {
        strcpy(target, "/search?q=");
        size_t len = strlen(target), want = SERVE_MAX_Q_BYTES + (size_t)over;
        for (size_t i = 0; i < want; i++)
            target[len++] = i % 2 ? '+' : 'a'; /* "a a a ...", '+' is a space */
        target[len] = '\0';
        json_decref(th_get_json(server.port, target, over ? 400 : 200));
    }
    /* every byte %-escaped: the cap is on the decoded query */
    strcpy(target, "/search?q=");
    for (size_t i = 0; i < SERVE_MAX_Q_BYTES; i++)
        strcat(target + 10 + 3 * i, "%61");
    json_decref(th_get_json(server.port, target, 200));
    strcat(target, "%61");
    json_decref(th_get_json(server.port, target, 400));
    free(target);
    /* a request line of 1 MiB: MHD answers 414 (or closes), never crashes */
    size_t big = 1 << 20;
    target = malloc(big + 32);
    ck_assert_ptr_nonnull(target);
    strcpy(target, "/search?q=");
    memset(target + 10, 'a', big);
    target[10 + big] = '\0';
    th_resp r;
    if (th_get(server.port, target, &r) == 0) {
        ck_assert_int_ge(r.status, 400);
        ck_assert_int_lt(r.status, 500);
        th_resp_free(&r);
    }
    free(target);
    json_decref(th_get_json(server.port, "/health", 200));
}
END_TEST

/* A loopback server refuses requests naming another host (DNS rebinding), and serves its
 * loopback names. */
START_TEST(host_header_is_checked)
{
    static const struct {
        const char *host;
        int status;
    } cases[] = {{"attacker.example", 403}, {"attacker.example:8080", 403},
                 {"localhost", 200},        {"LOCALHOST:1234", 200},
                 {"127.0.0.1", 200},        {"[::1]:80", 200},
                 {"127.0.0.1.evil.com", 403}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hdr[128];
        snprintf(hdr, sizeof hdr, "Host: %s\r\n", cases[i].host);
        int fd = -1;
        th_resp r;
        ck_assert_int_eq(th_request(&fd, server.port, "GET", "/health", hdr, NULL, 0, &r), 0);
        ck_assert_msg(r.status == cases[i].status, "Host %s: %d", cases[i].host, r.status);
        th_resp_free(&r);
        if (fd >= 0)
            close(fd);
    }
}
END_TEST

START_TEST(methods_bodies_and_head)
{
    int fd = -1;
    th_resp r;
    ck_assert_int_eq(
        th_request(&fd, server.port, "POST", "/search?q=a", "Content-Length: 3\r\n", "x=1", 3, &r),
        0);
    ck_assert_int_eq(r.status, 405);
    char v[64];
    ck_assert_int_eq(th_header(&r, "Allow", v, sizeof v), 0);
    ck_assert_str_eq(v, "GET, HEAD");
    th_resp_free(&r);
    ck_assert_int_eq(th_request(&fd, server.port, "DELETE", "/doc/doc-001", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 405);
    th_resp_free(&r);
    ck_assert_int_eq(
        th_request(&fd, server.port, "GET", "/health", "Content-Length: 5\r\n", "hello", 5, &r), 0);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "\"error\""));
    th_resp_free(&r);
    ck_assert_int_eq(th_request(&fd, server.port, "GET", "/health",
                                "Transfer-Encoding: chunked\r\n", "0\r\n\r\n", 5, &r),
                     0);
    ck_assert_int_eq(r.status, 400);
    th_resp_free(&r);
    /* HEAD: the headers of a GET, no body; then the same connection serves a GET */
    ck_assert_int_eq(th_request(&fd, server.port, "HEAD", "/search?q=zebra", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    th_resp_free(&r);
    ck_assert_int_eq(th_request(&fd, server.port, "GET", "/health", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    th_resp_free(&r);
    /* garbage instead of HTTP */
    if (fd >= 0)
        close(fd);
    fd = th_connect(server.port);
    ck_assert_int_ge(fd, 0);
    const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n";
    ck_assert_int_eq(send(fd, junk, sizeof junk - 1, MSG_NOSIGNAL), (ssize_t)(sizeof junk - 1));
    char buf[512];
    (void)!recv(fd, buf, sizeof buf, 0);
    close(fd);
    json_decref(th_get_json(server.port, "/health", 200));
}
END_TEST

/* ---- load ---- */

#define LOAD_THREADS 16
#define LOAD_MS 2500
#define LOAD_MAX_REQUESTS 1500

typedef struct load_stats {
    unsigned thread;
    unsigned requests, failures, reconnects;
    char first_failure[256];
} load_stats;

static void fail_once(load_stats *st, const char *what, const char *target, const th_resp *r)
{
    if (st->failures++ == 0)
        snprintf(st->first_failure, sizeof st->first_failure, "%s on %s: %d %.120s", what, target,
                 r ? r->status : 0, r && r->body ? r->body : "");
}

/* One request of the mix, with what its reply must be. */
static void load_one(load_stats *st, int *fd, unsigned k)
{
    char target[128], word[16];
    unsigned doc = (st->thread * 7919u + k * 31u) % TH_DOCS, kind = k % 10;
    th_unique_word(doc, word);
    if (kind == 7)
        snprintf(target, sizeof target, "/search?q=%s&n=%u", word, 1000 + k);
    else if (kind == 8)
        snprintf(target, sizeof target, "/health");
    else if (kind == 9)
        snprintf(target, sizeof target, "/search?q=zebra+lorem&n=20&offset=%u", k % 30);
    else
        snprintf(target, sizeof target, "/search?q=%s+lorem&n=3", word);
    int was_open = *fd >= 0;
    th_resp r;
    if (th_request(fd, server.port, "GET", target, NULL, NULL, 0, &r) != 0) {
        fail_once(st, "no reply", target, NULL);
        return;
    }
    st->requests++;
    st->reconnects += !was_open;
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    int want = kind == 7 ? 400 : 200;
    if (r.status != want || j == NULL)
        fail_once(st, "bad status or JSON", target, &r);
    else if (kind < 7) {
        json_t *top = json_array_get(json_object_get(j, "hits"), 0);
        char id[16];
        snprintf(id, sizeof id, "doc-%03u", doc);
        if (json_integer_value(json_object_get(j, "total_hits")) != TH_DOCS ||
            strcmp(json_string_value(json_object_get(top, "id"))
                       ? json_string_value(json_object_get(top, "id"))
                       : "",
                   id) != 0)
            fail_once(st, "wrong top hit", target, &r);
    } else if (kind == 9 && json_array_size(json_object_get(j, "hits")) != 20)
        fail_once(st, "wrong page", target, &r);
    else if (kind == 7 && !json_is_string(json_object_get(j, "error")))
        fail_once(st, "no error member", target, &r);
    json_decref(j);
    th_resp_free(&r);
}

static void *load_thread(void *arg)
{
    load_stats *st = arg;
    int fd = -1;
    double t0 = th_now_ms();
    for (unsigned k = 0; k < LOAD_MAX_REQUESTS && th_now_ms() - t0 < LOAD_MS; k++) {
        load_one(st, &fd, k);
        if (k % 50 == 49 && fd >= 0) { /* new connections too, not only keep-alive */
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

START_TEST(concurrent_load_every_reply_checked)
{
    pthread_t t[LOAD_THREADS];
    load_stats st[LOAD_THREADS];
    memset(st, 0, sizeof st);
    double t0 = th_now_ms();
    for (unsigned i = 0; i < LOAD_THREADS; i++) {
        st[i].thread = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, load_thread, &st[i]), 0);
    }
    unsigned total = 0, failures = 0;
    for (unsigned i = 0; i < LOAD_THREADS; i++) {
        pthread_join(t[i], NULL);
        total += st[i].requests;
        failures += st[i].failures;
        ck_assert_msg(st[i].failures == 0, "thread %u: %u failures, first: %s", i, st[i].failures,
                      st[i].first_failure);
    }
    double secs = (th_now_ms() - t0) / 1e3;
    fprintf(stderr, "serve load: %u requests from %d threads in %.2f s (%.0f/s), %u failures\n",
            total, LOAD_THREADS, secs, total / secs, failures);
    ck_assert_uint_ge(total, LOAD_THREADS * 20);
    json_decref(th_get_json(server.port, "/health", 200));
}
END_TEST

/* ---- a new commit while serving ---- */

START_TEST(new_commit_is_picked_up)
{
    json_t *h = th_get_json(server.port, "/health", 200);
    json_int_t gen = json_integer_value(json_object_get(h, "generation"));
    json_decref(h);
    ls_writer *w = NULL;
    ls_error err = {0};
    ck_assert_int_eq(ls_writer_open(index_dir, NULL, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "fresh", d.id_len = 5, d.title = "Fresh arrival", d.title_len = 13;
    d.body = "okapi in the index", d.body_len = 18;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    ck_assert_int_eq(ls_writer_delete(w, "doc-000", 7, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    json_int_t hits = 0;
    for (double t0 = th_now_ms(); hits == 0 && th_now_ms() - t0 < 5000; usleep(20000)) {
        json_t *j = search("q=okapi", 200);
        hits = json_integer_value(json_object_get(j, "total_hits"));
        json_decref(j);
    }
    ck_assert_int_eq(hits, 1);
    h = th_get_json(server.port, "/health", 200);
    ck_assert_int_gt(json_integer_value(json_object_get(h, "generation")), gen);
    ck_assert_int_eq(json_integer_value(json_object_get(h, "documents")), TH_DOCS);
    json_decref(h);
    json_decref(th_get_json(server.port, "/doc/doc-000", 404));
    json_decref(th_get_json(server.port, "/doc/fresh", 200));
}
END_TEST

/* ---- idle connections ---- */

#define IDLE_CONNS 40

START_TEST(idle_connections_time_out_and_do_not_block)
{
    int fds[IDLE_CONNS];
    for (int i = 0; i < IDLE_CONNS; i++) {
        fds[i] = th_connect(server.port);
        ck_assert_int_ge(fds[i], 0);
        const char part[] = "GET /search?q=zeb"; /* never finished */
        if (i % 2)
            ck_assert_int_gt(send(fds[i], part, sizeof part - 1, MSG_NOSIGNAL), 0);
    }
    /* the server keeps answering others */
    for (int i = 0; i < 5; i++)
        json_decref(th_get_json(server.port, "/health", 200));
    /* --timeout 1: every idle one is closed within a few seconds */
    double t0 = th_now_ms();
    for (int i = 0; i < IDLE_CONNS; i++) {
        char buf[256];
        ssize_t n;
        while ((n = recv(fds[i], buf, sizeof buf, 0)) > 0)
            ; /* a 408 or nothing, then EOF */
        ck_assert_msg(n == 0 || errno == ECONNRESET, "connection %d not closed by the server", i);
        close(fds[i]);
    }
    ck_assert_msg(th_now_ms() - t0 < 8000, "idle connections lived %.0f ms", th_now_ms() - t0);
    json_decref(th_get_json(server.port, "/health", 200));
}
END_TEST

static void setup_short_timeout(void)
{
    static const char *const extra[] = {"--threads",         "2",   "--timeout", "1",
                                        "--max-connections", "100", NULL};
    setup_with(extra);
}

/* ---- the command line ---- */

START_TEST(usage_errors_exit_two)
{
    static const char *const bad[][6] = {
        {"serve", "--threads", "0", NULL},
        {"serve", "--listen", "nonsense", NULL},
        {"serve", "--listen", "999.1.1.1:80", NULL},
        {"serve", "--timeout", "x", NULL},
        {"serve", "extra-arg", NULL},
        {"serve", "--index", "/nonexistent/serve-idx", NULL},
    };
    const char *env[] = {"CISEARCH_INDEX=", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out, *err;
        int rc = ls_test_run_cli((const char *const *)bad[i], env, NULL, &out, &err);
        ck_assert_msg(rc == 2, "%s %s: exit %d: %s", bad[i][1], bad[i][2] ? bad[i][2] : "", rc,
                      err);
        ck_assert_ptr_nonnull(strstr(err, "cisearch: "));
        free(out), free(err);
    }
    const char *help[] = {"serve", "--help", NULL};
    char *out, *err;
    ck_assert_int_eq(ls_test_run_cli(help, NULL, NULL, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "Usage: cisearch serve"));
    free(out), free(err);
}
END_TEST

/* More threads than connections once hung the stop (libmicrohttpd started fewer workers). */
START_TEST(stops_cleanly_with_more_threads_than_connections)
{
    static const char *const extra[] = {"--threads", "8", "--max-connections", "4", NULL};
    char *dir = ls_test_tmpdir();
    th_make_index(dir);
    th_server srv = {0};
    th_server_start(&srv, dir, extra);
    json_decref(th_get_json(srv.port, "/health", 200));
    ck_assert_int_eq(th_server_stop(&srv), 0);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_serve(void)
{
    Suite *s = suite_create("serve");
    TCase *api = tcase_create("api");
    tcase_add_checked_fixture(api, setup, teardown);
    tcase_set_timeout(api, 60);
    tcase_add_test(api, search_finds_the_unique_word_with_fragments);
    tcase_add_test(api, search_json_equals_the_cli_format_json);
    tcase_add_test(api, paging_and_and_and_syntax);
    tcase_add_test(api, doc_stats_health_and_the_page);
    tcase_add_test(api, host_header_is_checked);
    tcase_add_test(api, bad_parameters_get_400_with_a_json_error);
    tcase_add_test(api, huge_queries_and_request_lines);
    tcase_add_test(api, methods_bodies_and_head);
    tcase_add_test(api, concurrent_load_every_reply_checked);
    tcase_add_test(api, new_commit_is_picked_up);
    suite_add_tcase(s, api);
    TCase *idle = tcase_create("idle");
    tcase_add_checked_fixture(idle, setup_short_timeout, teardown);
    tcase_set_timeout(idle, 60);
    tcase_add_test(idle, idle_connections_time_out_and_do_not_block);
    suite_add_tcase(s, idle);
    TCase *cmd = tcase_create("command");
    tcase_set_timeout(cmd, 60);
    tcase_add_test(cmd, usage_errors_exit_two);
    tcase_add_test(cmd, stops_cleanly_with_more_threads_than_connections);
    suite_add_tcase(s, cmd);
    return s;
}
