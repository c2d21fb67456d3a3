/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c - `cisearch serve`: options, then the lifecycle: open the index (cli_open_index:
 * --index, $CISEARCH_INDEX or the seeds), share its reader (snapshot.c), start the HTTP server
 * (http.c), print "listening on http://HOST:PORT/" to stderr, wait for SIGINT or SIGTERM, stop
 * the server (in-flight requests finish) and close the reader.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "serve.h"

int cli_cmd_serve(int argc, char **argv);
void cli_help_serve(FILE *f);

enum { OPT_INDEX = 1, OPT_LISTEN, OPT_THREADS, OPT_MAX_CONN, OPT_TIMEOUT, OPT_REOPEN };

static const cli_option serve_opts[] = {
    {"index", 'i', 1, OPT_INDEX},
    {"listen", 'l', 1, OPT_LISTEN},
    {"threads", 't', 1, OPT_THREADS},
    {"max-connections", 0, 1, OPT_MAX_CONN},
    {"timeout", 0, 1, OPT_TIMEOUT},
    {"reopen-ms", 0, 1, OPT_REOPEN},
    {NULL, 0, 0, 0},
};

#define STR_(x) #x
#define STR(x) STR_(x)
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_MAX_CONN 256
#define DEFAULT_TIMEOUT 15
#define DEFAULT_REOPEN_MS 1000

void cli_help_serve(FILE *f)
{
    fputs(
        "Usage: cisearch serve [--index DIR] [--listen HOST:PORT] [OPTIONS]\n"
        "\n"
        "Serves the index over HTTP: a search page at /, and a JSON API:\n"
        "  GET /search?q=QUERY[&n=N][&offset=K][&syntax=lenient|strict|plain][&and=1]\n"
        "             the object of `cisearch search --format json`, plus per-hit\n"
        "             snippet \"fragments\" and \"took_us\" (q <= 4096 bytes,\n"
        "             n <= 100, offset <= 10000)\n"
        "  GET /doc/ID    one stored document: id, number, stamp, title, path, body\n"
        "  GET /stats     the index's statistics (as `cisearch stats`)\n"
        "  GET /health    {\"status\": \"ok\", ...}\n"
        "Errors are {\"error\": \"...\"} with status 400, 404, 405 or 500. A new commit of\n"
        "the index is picked up without a restart.\n"
        "  -i, --index DIR      the index (default: $CISEARCH_INDEX, else the seeds)\n"
        "  -l, --listen ADDR    HOST:PORT or [V6]:PORT (default " DEFAULT_LISTEN ");\n"
        "                       port 0 picks a free one. Anything but loopback serves\n"
        "                       the index to the network, without authentication\n"
        "  -t, --threads N      worker threads (default: the number of cores, 1..256)\n"
        "      --max-connections N  open connections at once (default " STR(
            DEFAULT_MAX_CONN) ")\n"
                              "      --timeout S      idle connections close after S seconds "
                              "(default " STR(
                                  DEFAULT_TIMEOUT) ")\n"
                                                   "      --reopen-ms MS   check for a new commit "
                                                   "at most every MS ms (default " STR(
                                                       DEFAULT_REOPEN_MS) ")\n"
                                                                          "  -h, --help           "
                                                                          "show this help\n"
                                                                          "\n"
                                                                          "Prints \"listening on "
                                                                          "http://HOST:PORT/\" to "
                                                                          "stderr once ready; "
                                                                          "SIGINT or\n"
                                                                          "SIGTERM stops it. Exit "
                                                                          "status: 0 after a clean "
                                                                          "stop, 2 on an error.\n",
        f);
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

static int parse_bounded(const char *opt, const char *v, size_t lo, size_t hi, unsigned *out)
{
    size_t n;
    if (cli_parse_count("serve", opt, v, &n) != 0)
        return -1;
    if (n < lo || n > hi) {
        cli_usage_error("serve", "%s wants a number from %zu to %zu, not '%s'", opt, lo, hi, v);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static int apply(serve_config *cfg, int id, const char *v)
{
    switch (id) {
    case OPT_INDEX:
        if (cfg->n_index_dirs == CLI_MAX_INDEX_OPTIONS) {
            cli_usage_error("serve", "more than %d --index options", CLI_MAX_INDEX_OPTIONS);
            return -1;
        }
        cfg->index_dirs[cfg->n_index_dirs++] = v;
        return 0;
    case OPT_LISTEN:
        cfg->listen = v;
        return 0;
    case OPT_THREADS:
        return parse_bounded("--threads", v, 1, 256, &cfg->threads);
    case OPT_MAX_CONN:
        return parse_bounded("--max-connections", v, 1, 65536, &cfg->max_connections);
    case OPT_TIMEOUT:
        return parse_bounded("--timeout", v, 1, 86400, &cfg->timeout_s);
    case OPT_REOPEN:
        return parse_bounded("--reopen-ms", v, 0, 86400000, &cfg->reopen_ms);
    default:
        return -1;
    }
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, serve_config *cfg)
{
    cli_args a;
    const char *v;
    int id;
    cli_args_init(&a, argc, argv, serve_opts, "serve");
    while ((id = cli_args_next(&a, &v)) != CLI_ARG_END) {
        if (id == CLI_ARG_ERROR)
            return -1;
        if (id == CLI_OPT_HELP) {
            cli_help_serve(stdout);
            return 1;
        }
        if (id == CLI_ARG_POSITIONAL) {
            cli_usage_error("serve", "unexpected argument '%s'", v);
            return -1;
        }
        if (apply(cfg, id, v) != 0)
            return -1;
    }
    /* MHD shares the connection limit among the pool's threads: each needs at least one (with
     * fewer, libmicrohttpd 0.9.75 starts fewer workers and MHD_stop_daemon never returns). */
    if (cfg->threads > cfg->max_connections)
        cfg->threads = cfg->max_connections;
    return 0;
}

/* The listening address as a URL host: brackets around IPv6. */
static void print_ready(const char *listen, unsigned port)
{
    const char *colon = strrchr(listen, ':');
    int host_len = colon ? (int)(colon - listen) : 0;
    int v6 = memchr(listen, ':', (size_t)host_len) != NULL && listen[0] != '[';
    fprintf(stderr, "listening on http://%s%.*s%s:%u/\n", v6 ? "[" : "", host_len, listen,
            v6 ? "]" : "", port);
    fflush(stderr);
}

/* Blocks SIGINT and SIGTERM (the server's threads inherit the mask) and waits for one. */
static void wait_for_stop(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
}

int cli_cmd_serve(int argc, char **argv)
{
    serve_config cfg = {.listen = DEFAULT_LISTEN,
                        .threads = default_threads(),
                        .max_connections = DEFAULT_MAX_CONN,
                        .timeout_s = DEFAULT_TIMEOUT,
                        .reopen_ms = DEFAULT_REOPEN_MS};
    int p = parse(argc, argv, &cfg);
    if (p != 0)
        return p > 0 ? CLI_EXIT_HITS : CLI_EXIT_ERROR;
    signal(SIGPIPE, SIG_IGN);
    ls_reader *r = NULL;
    char *dir = NULL;
    /* Ctrl-C still stops this */
    if (cli_open_indexes(cfg.index_dirs, cfg.n_index_dirs, &r, &dir) != 0)
        return CLI_EXIT_ERROR;
    /* Blocked before the worker threads start, so that they inherit the mask and the main
     * thread alone waits for the signals. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    int status = CLI_EXIT_ERROR;
    serve_http *h = NULL;
    if (serve_reader_init(r, dir, cfg.reopen_ms) != 0) {
        ls_reader_close(r);
        cli_error("out of memory");
    } else if ((h = serve_http_start(&cfg)) != NULL) {
        print_ready(cfg.listen, serve_http_port(h));
        wait_for_stop(&stop);
        serve_http_stop(h);
        status = CLI_EXIT_HITS;
    }
    serve_reader_shutdown();
    free(dir);
    return status;
}
