/* SPDX-License-Identifier: MIT */
/*
 * http.c - the HTTP side of `cisearch serve`, on libmicrohttpd: the listening socket (bound
 * here so errors are plain and port 0 reports the real port), the daemon (an internal thread
 * pool, a connection limit, an idle timeout, a per-connection memory cap that bounds the
 * request line and headers), and the routing: GET or HEAD only (405 otherwise), no request
 * bodies (400), the API's JSON replies with their headers, the search page with a fresh CSP
 * nonce, and {"error": ...} for everything that goes wrong.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "serve.h"

struct serve_http {
    struct MHD_Daemon *daemon;
    unsigned port;
};

/* ---- replies ---- */

void serve_reply_error(serve_reply *rep, unsigned status, size_t pos, const char *fmt, ...)
{
    char msg[LS_ERROR_MESSAGE_SIZE + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_object();
    json_t *m = json_string(msg);
    if (m == NULL) /* not UTF-8 (a library message quoting query bytes): keep it ASCII */
        m = json_string("invalid request");
    json_object_set_new(j, "error", m);
    if (pos != (size_t)-1)
        json_object_set_new(j, "position", json_integer((json_int_t)pos));
    free(rep->body);
    rep->status = status;
    rep->body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    rep->len = rep->body ? strlen(rep->body) : 0;
    json_decref(j);
}

static const char API_CSP[] = "default-src 'none'; frame-ancestors 'none'";

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                             const char *type)
{
    if (r == NULL)
        return MHD_NO; /* out of memory: MHD closes the connection */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, serve_reply *rep)
{
    if (rep->body == NULL) {
        rep->status = 500;
        rep->body = strdup("{\"error\":\"out of memory\"}");
        rep->len = rep->body ? strlen(rep->body) : 0;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(rep->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, API_CSP);
    if (rep->status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return queue(c, rep->status, r, "application/json; charset=utf-8");
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    serve_reply rep = {0, NULL, 0};
    serve_reply_error(&rep, status, (size_t)-1, "%s", msg);
    return send_reply(c, &rep);
}

/* ---- the page ---- */

#define NONCE_MARK "__CSP_NONCE__"

/* 128 random bits as 32 hex digits (valid base64 characters, as CSP wants). */
static int make_nonce(char out[33])
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* The page with every NONCE_MARK replaced by nonce (malloc'd). */
static char *page_with_nonce(const char *nonce, size_t *len_out)
{
    const char *p = (const char *)serve_page_html, *end = p + serve_page_html_len;
    size_t mark = strlen(NONCE_MARK), n = strlen(nonce), count = 0;
    for (const char *s = p; (s = memmem(s, (size_t)(end - s), NONCE_MARK, mark)) != NULL; s += mark)
        count++;
    char *out = malloc(serve_page_html_len + count * n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *s = p, *hit; s < end; s = hit + mark) {
        hit = memmem(s, (size_t)(end - s), NONCE_MARK, mark);
        size_t plain = hit ? (size_t)(hit - s) : (size_t)(end - s);
        memcpy(o, s, plain);
        o += plain;
        if (hit == NULL)
            break;
        memcpy(o, nonce, n);
        o += n;
    }
    *len_out = (size_t)(o - out);
    return out;
}

static enum MHD_Result send_page(struct MHD_Connection *c)
{
    char nonce[33], csp[256];
    size_t len = 0;
    char *page = make_nonce(nonce) == 0 ? page_with_nonce(nonce, &len) : NULL;
    if (page == NULL)
        return send_error(c, 500, "cannot build the page");
    snprintf(csp, sizeof csp,
             "default-src 'none'; script-src 'nonce-%s'; style-src 'nonce-%s'; connect-src 'self'; "
             "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
             nonce, nonce);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(page);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, csp);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return queue(c, MHD_HTTP_OK, r, "text/html; charset=utf-8");
}

/* ---- routing ---- */

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    serve_params *p = cls;
    if (p->n == SERVE_MAX_PARAMS) {
        p->too_many = 1;
        return MHD_NO;
    }
    /* A name with a NUL byte in it would pass for a shorter one: refuse it as unknown. */
    p->items[p->n].key = strlen(key) == key_size ? key : "\x01";
    p->items[p->n].value = value ? value : "";
    p->items[p->n].value_len = value ? value_size : 0;
    p->n++;
    return MHD_YES;
}

/* Whether the server listens on a loopback address only (set once, before serving). */
static int loopback_only;

/* A loopback server answers only requests that name it by a loopback name: a page of
 * another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) names its own
 * host, and is refused. Requests without a Host header (HTTP/1.0) are let through. */
static int host_allowed(struct MHD_Connection *c)
{
    if (!loopback_only)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (h == NULL)
        return 1;
    static const char *const names[] = {"localhost", "127.0.0.1", "[::1]"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(h, names[i], n) == 0 && (h[n] == '\0' || h[n] == ':'))
            return 1;
    }
    return strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.:") == strlen(h);
}

/* A request that announces a body (any Content-Length but 0, or chunked). */
static int has_body(struct MHD_Connection *c)
{
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return te != NULL || (cl != NULL && strcmp(cl, "0") != 0);
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url)
{
    serve_params params;
    memset(&params, 0, sizeof params);
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_param, &params);
    serve_reply rep = {0, NULL, 0};
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        return send_page(c);
    if (strcmp(url, "/search") == 0)
        serve_api_search(&params, &rep);
    else if (strncmp(url, "/doc/", 5) == 0)
        serve_api_doc(url + 5, strlen(url + 5), &params, &rep);
    else if (strcmp(url, "/stats") == 0)
        serve_api_stats(&params, &rep);
    else if (strcmp(url, "/health") == 0)
        serve_api_health(&params, &rep);
    else
        serve_reply_error(&rep, 404, (size_t)-1,
                          "no such resource (try /, /search?q=, /doc/ID, /stats, /health)");
    return send_reply(c, &rep);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **state)
{
    static int headers_seen;
    (void)cls, (void)version, (void)upload_data;
    /* First call, on the headers alone: refuse at once what is refused whatever the body (MHD
     * then closes the connection, as the body is never read). A reply queued on the second
     * call, once the request is complete, keeps the connection alive. */
    if (*state == NULL) {
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return send_error(c, 405, "only GET and HEAD are served");
        if (has_body(c))
            return send_error(c, 400, "request bodies are not accepted");
        if (!host_allowed(c))
            return send_error(c, 403, "this server answers only to localhost (Host header)");
        *state = &headers_seen;
        return MHD_YES;
    }
    if (*upload_data_size != 0)
        return send_error(c, 400, "request bodies are not accepted");
    if (url == NULL || url[0] != '/')
        return send_error(c, 400, "bad request target");
    return route(c, url);
}

/* ---- the listening socket ---- */

/* Splits "HOST:PORT" or "[V6]:PORT" in place. @return 0 or -1. */
static int split_listen(char *spec, char **host, char **port)
{
    char *colon = strrchr(spec, ':');
    if (colon == NULL || colon[1] == '\0')
        return -1;
    *colon = '\0';
    *port = colon + 1;
    *host = spec;
    if (spec[0] == '[') {
        size_t n = strlen(spec);
        if (n < 3 || spec[n - 1] != ']')
            return -1;
        spec[n - 1] = '\0';
        *host = spec + 1;
    }
    return **host ? 0 : -1;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    return sa->sa_family == AF_INET6 &&
           IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

static int bind_first(const struct addrinfo *ai, const char *spec)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol),
        one = 1;
    if (fd < 0) {
        fprintf(stderr, "cisearch: serve: socket: %s\n", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        fprintf(stderr, "cisearch: serve: cannot listen on %s: %s\n", spec, strerror(errno));
        close(fd);
        return -1;
    }
    loopback_only = is_loopback(ai->ai_addr);
    if (!loopback_only)
        fprintf(stderr,
                "cisearch: serve: warning: %s is not a loopback address: the index is "
                "served to the network, without authentication\n",
                spec);
    return fd;
}

/* @return a listening socket on cfg->listen, or -1 after an error message. */
static int open_listener(const char *listen_spec)
{
    char *spec = strdup(listen_spec), *host, *port;
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    int fd = -1, rc;
    if (spec == NULL || split_listen(spec, &host, &port) != 0)
        fprintf(stderr, "cisearch: serve: --listen wants HOST:PORT or [V6]:PORT, not '%s'\n",
                listen_spec);
    else if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
        fprintf(stderr, "cisearch: serve: cannot resolve '%s': %s\n", listen_spec,
                gai_strerror(rc));
    else
        fd = bind_first(ai, listen_spec);
    if (ai != NULL)
        freeaddrinfo(ai);
    free(spec);
    return fd;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- the daemon ---- */

serve_http *serve_http_start(const serve_config *cfg)
{
    int fd = open_listener(cfg->listen);
    if (fd < 0)
        return NULL;
    serve_http *h = calloc(1, sizeof *h);
    if (h == NULL) {
        close(fd);
        return NULL;
    }
    h->port = bound_port(fd);
    h->daemon = MHD_start_daemon(
        MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_CONN_MEMORY, MHD_OPTION_END);
    if (h->daemon == NULL) {
        fprintf(stderr, "cisearch: serve: cannot start the HTTP server on %s\n", cfg->listen);
        close(fd);
        free(h);
        return NULL;
    }
    return h;
}

unsigned serve_http_port(const serve_http *h)
{
    return h->port;
}

void serve_http_stop(serve_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->daemon); /* waits for the pool's threads; closes the socket */
    free(h);
}
