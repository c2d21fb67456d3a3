/* SPDX-License-Identifier: MIT */
/*
 * args.c - the option parser every subcommand uses: long options ("--index DIR",
 * "--index=DIR"), short ones ("-n 5", "-n5", clusters of flags), "--" and positionals in any
 * order. It prints usage mistakes itself; the commands own what the options mean.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_args_init(cli_args *a, int argc, char **argv, const cli_option *opts, const char *cmd)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->cmd = cmd;
    a->opts = opts;
    a->only_positional = 0;
    a->short_rest = NULL;
}

static const cli_option *find_long(const cli_option *opts, const char *name, size_t len)
{
    for (; opts->id != 0; opts++)
        if (strlen(opts->long_name) == len && memcmp(opts->long_name, name, len) == 0)
            return opts;
    return NULL;
}

static const cli_option *find_short(const cli_option *opts, char c)
{
    for (; opts->id != 0; opts++)
        if (opts->short_name != 0 && opts->short_name == c)
            return opts;
    return NULL;
}

/* "--name", "--name=value", "--name value". */
static int next_long(cli_args *a, const char *arg, const char **value)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && memcmp(name, "help", 4) == 0 && eq == NULL)
        return CLI_OPT_HELP;
    const cli_option *o = find_long(a->opts, name, len);
    if (o == NULL)
        return cli_usage_error(a->cmd, "unknown option '--%.*s'", (int)len, name), CLI_ARG_ERROR;
    if (!o->takes_value) {
        if (eq != NULL)
            return cli_usage_error(a->cmd, "option '--%s' takes no value", o->long_name),
                   CLI_ARG_ERROR;
        return o->id;
    }
    if (eq != NULL) {
        *value = eq + 1;
        return o->id;
    }
    if (a->i >= a->argc)
        return cli_usage_error(a->cmd, "option '--%s' needs a value", o->long_name), CLI_ARG_ERROR;
    *value = a->argv[a->i++];
    return o->id;
}

/* One letter of "-abc" / "-n5" / "-n 5"; `s` points at the letter. */
static int next_short(cli_args *a, const char *s, const char **value)
{
    a->short_rest = NULL;
    if (*s == 'h')
        return CLI_OPT_HELP;
    const cli_option *o = find_short(a->opts, *s);
    if (o == NULL)
        return cli_usage_error(a->cmd, "unknown option '-%c'", *s), CLI_ARG_ERROR;
    if (!o->takes_value) {
        if (s[1] != '\0')
            a->short_rest = s + 1;
        return o->id;
    }
    if (s[1] != '\0') {
        *value = s + 1;
        return o->id;
    }
    if (a->i >= a->argc)
        return cli_usage_error(a->cmd, "option '-%c' needs a value", *s), CLI_ARG_ERROR;
    *value = a->argv[a->i++];
    return o->id;
}

int cli_args_next(cli_args *a, const char **value)
{
    *value = NULL;
    if (a->short_rest != NULL)
        return next_short(a, a->short_rest, value);
    if (a->i >= a->argc)
        return CLI_ARG_END;
    const char *arg = a->argv[a->i++];
    /* "-" alone (stdin) and anything after "--" are positionals. */
    if (a->only_positional || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_ARG_POSITIONAL;
    }
    if (arg[1] == '-') {
        if (arg[2] == '\0') {
            a->only_positional = 1;
            return cli_args_next(a, value);
        }
        return next_long(a, arg, value);
    }
    return next_short(a, arg + 1, value);
}

int cli_parse_count(const char *cmd, const char *opt, const char *s, size_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        cli_usage_error(cmd, "%s wants a non-negative number, not '%s'", opt, s ? s : "");
        return -1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v > (unsigned long long)SIZE_MAX) {
        cli_usage_error(cmd, "%s wants a non-negative number, not '%s'", opt, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

int cli_parse_real(const char *cmd, const char *opt, const char *s, double lo, double hi,
                   double *out)
{
    char *end = NULL;
    errno = 0;
    double d = s != NULL ? strtod(s, &end) : 0;
    if (s == NULL || errno != 0 || end == s || *end != '\0' || !(d >= lo && d <= hi)) {
        cli_usage_error(cmd, "%s wants a number from %g to %g, not '%s'", opt, lo, hi,
                        s ? s : "");
        return -1;
    }
    *out = d;
    return 0;
}
