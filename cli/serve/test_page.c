/* SPDX-License-Identifier: MIT */
/*
 * test_page.c - the `serve_page` suite: the search page in Debian's headless Chromium, driven
 * through chromedriver's WebDriver HTTP API on loopback. It types a query into the box, waits
 * for the rendered hits and checks their titles, the hit count line and the highlighted
 * matches; restores a search and a page from the URL and turns a page; checks that document
 * text is shown as text (a title full of HTML stays text) and that the page made no request
 * outside the server. A screenshot goes to $LS_SERVE_SCREENSHOT when set (docs/serve.png).
 * Without chromium or chromedriver the test says so and passes.
 */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libsearch.h"
#include "test_http.h"
#include "testutil.h"

#define ELEMENT_KEY "element-6066-11e4-a52e-4f735466cecf"
#define WAIT_MS 15000

static const char XSS_TITLE[] =
    "<img src=x onerror=\"document.title='pwned'\"> xssprobe <b>bold</b>";

typedef struct wd {
    pid_t pid;
    unsigned port;
    int fd;
    char session[128];
    char log[256];
} wd;

/* The first of names found as an executable in $PATH (copied into out), or NULL. */
static const char *find_exe(const char *const *names, char *out, size_t cap)
{
    const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
    for (; *names; names++) {
        for (const char *p = path; *p;) {
            size_t n = strcspn(p, ":");
            snprintf(out, cap, "%.*s/%s", (int)n, p, *names);
            if (access(out, X_OK) == 0)
                return out;
            p += n + (p[n] == ':');
        }
    }
    return NULL;
}

/* ---- WebDriver calls ---- */

/* method path [body]: the reply's "value" (taken from the reply; caller decrefs). */
static json_t *wd_call(wd *w, const char *method, const char *path, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, headers[128] = "";
    json_decref(body);
    if (text != NULL)
        snprintf(headers, sizeof headers,
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(text));
    th_resp r;
    int rc = th_request(&w->fd, w->port, method, path, headers, text, text ? strlen(text) : 0, &r);
    free(text);
    ck_assert_msg(rc == 0, "chromedriver: no reply to %s %s", method, path);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    ck_assert_msg(j != NULL && r.status == 200, "chromedriver %s %s: %d %.400s", method, path,
                  r.status, r.body);
    json_t *v = json_incref(json_object_get(j, "value"));
    json_decref(j);
    th_resp_free(&r);
    return v;
}

static json_t *wd_session_call(wd *w, const char *method, const char *sub, json_t *body)
{
    char path[512];
    snprintf(path, sizeof path, "/session/%s%s", w->session, sub);
    return wd_call(w, method, path, body);
}

static void wd_start(wd *w, const char *driver, const char *chromium, const char *profile)
{
    char *tmp = ls_test_tmpdir();
    snprintf(w->log, sizeof w->log, "%s/chromedriver.log", tmp);
    free(tmp);
    w->fd = -1;
    w->pid = fork();
    ck_assert_int_ge(w->pid, 0);
    if (w->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (freopen(w->log, "w", stdout) == NULL || freopen(w->log, "a", stderr) == NULL)
            _exit(127);
        execl(driver, driver, "--port=0", "--allowed-ips=127.0.0.1", (char *)NULL);
        _exit(127);
    }
    w->port = 0;
    for (double t0 = th_now_ms(); w->port == 0 && th_now_ms() - t0 < WAIT_MS; usleep(20000)) {
        char *log = ls_test_read_file(w->log, NULL);
        const char *p = log ? strstr(log, "started successfully on port ") : NULL;
        w->port = p ? (unsigned)strtoul(p + strlen("started successfully on port "), NULL, 10) : 0;
        free(log);
    }
    ck_assert_msg(w->port != 0, "chromedriver did not start");
    char dir_arg[600];
    snprintf(dir_arg, sizeof dir_arg, "--user-data-dir=%s", profile);
    json_t *caps = json_pack("{s:{s:{s:s,s:{s:s,s:[s,s,s,s,s,s,s,s,s]}}}}", "capabilities",
                             "alwaysMatch", "browserName", "chrome", "goog:chromeOptions", "binary",
                             chromium, "args", "--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                             "--window-size=1100,860", "--force-device-scale-factor=1", dir_arg);
    json_t *v = wd_call(w, "POST", "/session", caps);
    const char *id = json_string_value(json_object_get(v, "sessionId"));
    ck_assert_ptr_nonnull(id);
    snprintf(w->session, sizeof w->session, "%s", id);
    json_decref(v);
}

static void wd_stop(wd *w)
{
    json_decref(wd_session_call(w, "DELETE", "", NULL));
    if (w->fd >= 0)
        close(w->fd);
    kill(w->pid, SIGTERM);
    waitpid(w->pid, NULL, 0);
    char *dir = strdup(w->log);
    *strrchr(dir, '/') = '\0';
    ls_test_rmtree(dir);
    free(dir);
}

static void wd_goto(wd *w, const char *url)
{
    json_decref(wd_session_call(w, "POST", "/url", json_pack("{s:s}", "url", url)));
}

static char *wd_find(wd *w, const char *css)
{
    json_t *v = wd_session_call(w, "POST", "/element",
                                json_pack("{s:s,s:s}", "using", "css selector", "value", css));
    char *id = strdup(json_string_value(json_object_get(v, ELEMENT_KEY)));
    json_decref(v);
    return id;
}

static void wd_type(wd *w, const char *css, const char *text)
{
    char *id = wd_find(w, css), sub[256];
    snprintf(sub, sizeof sub, "/element/%s/value", id);
    json_decref(wd_session_call(w, "POST", sub, json_pack("{s:s}", "text", text)));
    free(id);
}

static void wd_click(wd *w, const char *css)
{
    char *id = wd_find(w, css), sub[256];
    snprintf(sub, sizeof sub, "/element/%s/click", id);
    json_decref(wd_session_call(w, "POST", sub, json_object()));
    free(id);
}

static json_t *wd_js(wd *w, const char *script)
{
    return wd_session_call(w, "POST", "/execute/sync",
                           json_pack("{s:s,s:[]}", "script", script, "args"));
}

/* What the page shows: {status, titles: [...], ranks: [...], marks: [...], hash, error}. */
static const char STATE_JS[] =
    "const q = (s) => Array.from(document.querySelectorAll(s)).map((e) => e.textContent);"
    "return {status: document.getElementById('status').textContent,"
    " titles: q('.hit-title'), ranks: q('.rank'), marks: q('.snippet mark'),"
    " hash: location.hash, error: document.getElementById('error').textContent,"
    " injected: document.querySelectorAll('.hit img, .hit b, .hit script').length,"
    " doctitle: document.title,"
    " foreign: performance.getEntriesByType('resource').map((e) => e.name)"
    "   .filter((n) => !n.startsWith(location.origin + '/'))};";

/* Polls the page until its status line starts with `prefix` and its first rank is `rank`. */
static json_t *wait_for(wd *w, const char *prefix, const char *rank)
{
    json_t *st = NULL;
    for (double t0 = th_now_ms(); th_now_ms() - t0 < WAIT_MS; usleep(50000)) {
        json_decref(st);
        st = wd_js(w, STATE_JS);
        const char *status = json_string_value(json_object_get(st, "status"));
        const char *first = json_string_value(json_array_get(json_object_get(st, "ranks"), 0));
        if (status && strncmp(status, prefix, strlen(prefix)) == 0 && first &&
            strcmp(first, rank) == 0)
            return st;
    }
    char *dump = json_dumps(st, 0);
    ck_abort_msg("the page never showed '%s' from rank %s: %s", prefix, rank, dump);
    return NULL;
}

static int has_string(const json_t *arr, const char *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

/* ---- the screenshot ---- */

static int b64(int c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(a, c) : NULL;
    return p ? (int)(p - a) : -1;
}

static unsigned char *b64_decode(const char *s, size_t *len)
{
    unsigned char *out = malloc(strlen(s) / 4 * 3 + 3);
    size_t n = 0;
    unsigned acc = 0, bits = 0;
    ck_assert_ptr_nonnull(out);
    for (; *s && *s != '='; s++) {
        int v = b64(*s);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    *len = n;
    return out;
}

static void screenshot(wd *w)
{
    json_t *v = wd_session_call(w, "GET", "/screenshot", NULL);
    size_t len = 0;
    unsigned char *png = b64_decode(json_string_value(v), &len);
    json_decref(v);
    ck_assert_uint_gt(len, 1000);
    ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    const char *dest = getenv("LS_SERVE_SCREENSHOT");
    if (dest != NULL && *dest)
        ck_assert_msg(ls_test_write_file(dest, png, len) == 0, "cannot write %s", dest);
    free(png);
}

/* ---- the test ---- */

static void make_page_index(const char *dir)
{
    const char *argv[] = {"index", "--index", dir, LS_TEST_SEEDS_DIR, NULL};
    char *out, *err;
    ck_assert_msg(ls_test_run_cli(argv, NULL, NULL, &out, &err) == 0, "%s", err);
    free(out), free(err);
    th_make_index(dir);
    ls_writer *wr = NULL;
    ls_error e = {0};
    ck_assert_int_eq(ls_writer_open(dir, NULL, &wr, &e), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "xss", d.id_len = 3, d.title = XSS_TITLE, d.title_len = strlen(XSS_TITLE);
    d.body = "the <script>alert(1)</script> xssprobe body", d.body_len = strlen(d.body);
    ck_assert_int_eq(ls_writer_add(wr, &d, &e), LS_OK);
    ck_assert_int_eq(ls_writer_commit(wr, &e), LS_OK);
    ls_writer_close(wr);
}

START_TEST(page_types_a_query_and_renders_the_hits)
{
    static const char *const browsers[] = {"chromium", "chromium-browser", "google-chrome", NULL};
    static const char *const drivers[] = {"chromedriver", NULL};
    char chromium[512], driver[512];
    if (!find_exe(browsers, chromium, sizeof chromium) ||
        !find_exe(drivers, driver, sizeof driver)) {
        fprintf(stderr, "serve_page: SKIPPED: chromium and chromedriver not found in $PATH "
                        "(Debian: apt-get install chromium chromium-driver)\n");
        return;
    }
    char *tmp = ls_test_tmpdir(), idx[512], profile[512], base[64];
    snprintf(idx, sizeof idx, "%s/idx", tmp);
    snprintf(profile, sizeof profile, "%s/profile", tmp);
    make_page_index(idx);
    th_server srv = {0};
    th_server_start(&srv, idx, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%u/", srv.port);
    wd w = {0};
    wd_start(&w, driver, chromium, profile);

    /* type a query and press Enter */
    wd_goto(&w, base);
    wd_type(&w, "#q", "25-year agreement\xee\x80\x87"); /* U+E007: Enter */
    json_t *st = wait_for(&w, "5 hits in ", "1.");
    json_t *titles = json_object_get(st, "titles");
    ck_assert_int_eq(json_array_size(titles), 5);
    ck_assert(has_string(titles, "China Beefs Up Alliance With Iran Amid Spy Concerns"));
    ck_assert(has_string(titles, "Iran Wants to Expand Military Cooperation With China"));
    ck_assert(has_string(json_object_get(st, "marks"), "agreement"));
    ck_assert_str_eq(json_string_value(json_object_get(st, "hash")), "#q=25-year+agreement");
    ck_assert_int_eq(json_array_size(json_object_get(st, "foreign")), 0);
    json_decref(st);
    screenshot(&w);

    /* a search and a page restored from the URL, then the next page */
    char url[256];
    snprintf(url, sizeof url, "%s#q=zebra&p=2", base);
    wd_goto(&w, url);
    st = wait_for(&w, "20 hits in ", "11.");
    ck_assert_int_eq(json_array_size(json_object_get(st, "titles")), 10);
    json_decref(st);
    wd_click(&w, "#prev");
    st = wait_for(&w, "20 hits in ", "1.");
    ck_assert_str_eq(json_string_value(json_object_get(st, "hash")), "#q=zebra");
    json_decref(st);
    wd_click(&w, "#next");
    st = wait_for(&w, "20 hits in ", "11.");
    ck_assert_str_eq(json_string_value(json_object_get(st, "hash")), "#q=zebra&p=2");
    json_decref(st);

    /* document text is text, never HTML */
    snprintf(url, sizeof url, "%s#q=xssprobe", base);
    wd_goto(&w, url);
    st = wait_for(&w, "1 hit in ", "1.");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(st, "titles"), 0)),
                     XSS_TITLE);
    ck_assert_int_eq(json_integer_value(json_object_get(st, "injected")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(st, "doctitle")), "cisearch");
    json_decref(st);

    /* a query with a syntax mistake is still searched (the page reads queries leniently) */
    wd_goto(&w, base);
    wd_type(&w, "#q", "zebra AND (\xee\x80\x87");
    st = NULL;
    for (double t0 = th_now_ms(); th_now_ms() - t0 < WAIT_MS; usleep(50000)) {
        json_decref(st);
        st = wd_js(&w, STATE_JS);
        if (json_array_size(json_object_get(st, "titles")) > 0)
            break;
    }
    ck_assert_uint_gt(json_array_size(json_object_get(st, "titles")), 0); /* lenient: searched */
    json_decref(st);

    wd_stop(&w);
    ck_assert_int_eq(th_server_stop(&srv), 0);
    ls_test_rmtree(tmp);
    free(tmp);
}
END_TEST

Suite *ls_suite_serve_page(void)
{
    Suite *s = suite_create("serve_page");
    TCase *tc = tcase_create("chromium");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, page_types_a_query_and_renders_the_hits);
    suite_add_tcase(s, tc);
    return s;
}
