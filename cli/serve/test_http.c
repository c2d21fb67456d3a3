/* SPDX-License-Identifier: MIT */
/*
 * test_http.c - the HTTP client, server process and test index of the serve suites (see
 * test_http.h). The client is deliberately small and strict: status line, headers, then
 * exactly Content-Length bytes (or up to EOF when there is none).
 */
#include "test_http.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libsearch.h"
#include "testutil.h"

double th_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void th_resp_free(th_resp *r)
{
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

int th_header(const th_resp *r, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;
         line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1, *end = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            size_t len = end ? (size_t)(end - v) : strlen(v);
            if (len >= cap)
                len = cap - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
    }
    return -1;
}

int th_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Growable receive buffer. */
typedef struct rbuf {
    char *p;
    size_t len, cap;
} rbuf;

static int rbuf_read(int fd, rbuf *b)
{
    if (b->cap - b->len < 4096) {
        size_t cap = b->cap ? b->cap * 2 : 8192;
        char *p = realloc(b->p, cap + 1);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    ssize_t n = recv(fd, b->p + b->len, b->cap - b->len, 0);
    if (n > 0)
        b->len += (size_t)n;
    return (int)n; /* 0: EOF, -1: error or timeout */
}

static long content_length(const th_resp *r)
{
    char v[32];
    return th_header(r, "Content-Length", v, sizeof v) == 0 ? strtol(v, NULL, 10) : -1;
}

/* Reads one reply into out; returns 0, or -1 when none could be read. *closes set when the
 * server will close the connection. */
static int read_reply(int fd, int head, th_resp *out, int *closes)
{
    rbuf b = {NULL, 0, 0};
    size_t hlen = 0;
    while (hlen == 0) {
        if (rbuf_read(fd, &b) <= 0)
            goto fail;
        b.p[b.len] = '\0';
        const char *end = strstr(b.p, "\r\n\r\n");
        hlen = end ? (size_t)(end - b.p) + 4 : 0;
    }
    out->headers = strndup(b.p, hlen);
    if (out->headers == NULL || sscanf(b.p, "HTTP/1.%*d %d", &out->status) != 1)
        goto fail;
    char conn[32] = "";
    *closes =
        th_header(out, "Connection", conn, sizeof conn) == 0 && strcasecmp(conn, "close") == 0;
    long cl = head ? 0 : content_length(out);
    *closes |= cl < 0;
    if (cl < 0) {
        while (rbuf_read(fd, &b) > 0)
            ;
    } else {
        while (b.len - hlen < (size_t)cl)
            if (rbuf_read(fd, &b) <= 0)
                goto fail;
    }
    size_t blen = cl < 0 ? b.len - hlen : (size_t)cl;
    out->body = malloc(blen + 1);
    if (out->body == NULL)
        goto fail;
    memcpy(out->body, b.p + hlen, blen);
    out->body[blen] = '\0';
    out->len = blen;
    free(b.p);
    return 0;
fail:
    free(b.p);
    th_resp_free(out);
    return -1;
}

int th_request(int *fd, unsigned port, const char *method, const char *target,
               const char *extra_headers, const char *body, size_t body_len, th_resp *out)
{
    memset(out, 0, sizeof *out);
    if (*fd < 0 && (*fd = th_connect(port)) < 0)
        return -1;
    size_t cap =
        strlen(method) + strlen(target) + (extra_headers ? strlen(extra_headers) : 0) + 128;
    char *req = malloc(cap);
    if (req == NULL)
        return -1;
    /* extra_headers starting with a Host header replace the default one */
    int own_host = extra_headers != NULL && strncasecmp(extra_headers, "Host:", 5) == 0;
    char host[64] = "";
    if (!own_host)
        snprintf(host, sizeof host, "Host: 127.0.0.1:%u\r\n", port);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\n%s%s\r\n", method, target, host,
                     extra_headers ? extra_headers : "");
    int closes = 0;
    int rc =
        send_all(*fd, req, (size_t)n) == 0 && (body == NULL || send_all(*fd, body, body_len) == 0)
            ? read_reply(*fd, strcmp(method, "HEAD") == 0, out, &closes)
            : -1;
    free(req);
    if (rc != 0 || closes) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

int th_get(unsigned port, const char *target, th_resp *out)
{
    int fd = -1;
    int rc = th_request(&fd, port, "GET", target, "Connection: close\r\n", NULL, 0, out);
    if (fd >= 0)
        close(fd);
    return rc;
}

json_t *th_get_json(unsigned port, const char *target, int status)
{
    th_resp r;
    ck_assert_msg(th_get(port, target, &r) == 0, "no reply to GET %s", target);
    ck_assert_msg(r.status == status, "GET %.200s: status %d, wanted %d: %.300s", target, r.status,
                  status, r.body);
    char type[128];
    ck_assert_int_eq(th_header(&r, "Content-Type", type, sizeof type), 0);
    ck_assert_str_eq(type, "application/json; charset=utf-8");
    json_error_t e;
    json_t *j = json_loadb(r.body, r.len, JSON_ALLOW_NUL, &e);
    ck_assert_msg(j != NULL, "GET %s: not JSON (%s): %.300s", target, e.text, r.body);
    if (status >= 400)
        ck_assert_msg(json_is_string(json_object_get(j, "error")), "no error member: %s", r.body);
    th_resp_free(&r);
    return j;
}

char *th_escape(const char *s)
{
    static const char hexd[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p) != NULL) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hexd[*p >> 4];
            *o++ = hexd[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* ---- the server process ---- */

static unsigned find_port(const char *log)
{
    const char *p = strstr(log, "listening on http://127.0.0.1:");
    return p ? (unsigned)strtoul(p + strlen("listening on http://127.0.0.1:"), NULL, 10) : 0;
}

void th_server_start(th_server *s, const char *dir, const char *const *extra)
{
    char *tmp = ls_test_tmpdir();
    snprintf(s->errlog, sizeof s->errlog, "%s/serve.err", tmp);
    free(tmp);
    const char *argv[32] = {LS_TEST_CISEARCH, "serve", "--index", dir, "--listen", "127.0.0.1:0"};
    size_t n = 6;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    s->pid = fork();
    ck_assert_int_ge(s->pid, 0);
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed test never leaves a server behind */
        int fd = open(s->errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(fd, 2);
        execv(LS_TEST_CISEARCH, (char *const *)argv);
        _exit(127);
    }
    s->port = 0;
    for (double t0 = th_now_ms(); s->port == 0 && th_now_ms() - t0 < 10000;) {
        char *log = ls_test_read_file(s->errlog, NULL);
        s->port = log ? find_port(log) : 0;
        free(log);
        int status;
        ck_assert_msg(s->port != 0 || waitpid(s->pid, &status, WNOHANG) == 0,
                      "cisearch serve exited before listening");
        if (s->port == 0)
            usleep(10000);
    }
    ck_assert_msg(s->port != 0, "cisearch serve did not print its port within 10 s");
}

int th_server_stop(th_server *s)
{
    int status = 0;
    kill(s->pid, SIGTERM);
    for (double t0 = th_now_ms(); th_now_ms() - t0 < 10000; usleep(10000)) {
        pid_t w = waitpid(s->pid, &status, WNOHANG);
        if (w == s->pid) {
            char *dir = strdup(s->errlog);
            *strrchr(dir, '/') = '\0';
            ls_test_rmtree(dir);
            free(dir);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    return -1;
}

/* ---- the test index ---- */

void th_unique_word(unsigned i, char out[16])
{
    /* letters only, so the analyzer keeps one word: "qx" + i in base 20 over consonants */
    static const char digits[] = "bcdfghjklmnpqrtvwxyz";
    snprintf(out, 16, "qx%c%c%c", digits[(i / 400) % 20], digits[(i / 20) % 20], digits[i % 20]);
}

void th_make_index(const char *dir)
{
    ls_writer *w = NULL;
    ls_error err = {0};
    ck_assert_msg(ls_writer_open(dir, NULL, &w, &err) == LS_OK, "%s", err.message);
    for (unsigned i = 0; i < TH_DOCS; i++) {
        char id[32], title[96], body[512], word[16];
        th_unique_word(i, word);
        snprintf(id, sizeof id, "doc-%03u", i);
        snprintf(title, sizeof title, "Report %03u on %s", i, word);
        snprintf(body, sizeof body,
                 "Lorem ipsum dolor sit amet, the %s paragraph of report %u. %s Consectetur "
                 "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna.",
                 word, i, i % 3 == 0 ? "A zebra crossed the road here." : "Nothing striped here.");
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id, d.id_len = strlen(id), d.title = title, d.title_len = strlen(title);
        d.body = body, d.body_len = strlen(body);
        ck_assert_msg(ls_writer_add(w, &d, &err) == LS_OK, "%s", err.message);
    }
    ck_assert_msg(ls_writer_commit(w, &err) == LS_OK, "%s", err.message);
    ls_writer_close(w);
}
