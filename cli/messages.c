/* SPDX-License-Identifier: MIT */
/*
 * messages.c - how the command-line programs (cisearch, cisearch-mpi) tell errors and
 * warnings: "PROGRAM: message" on standard error, usage errors with a pointer to --help.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

const char *cli_program = "cisearch";

/* "PROGRAM: <kind><message>" and a newline on standard error. */
static void say(const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void say(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: %s", cli_program, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("warning: ", fmt, ap);
    va_end(ap);
}

void cli_error_ls(int rc, const ls_error *err)
{
    if (err != NULL && err->message[0] != '\0')
        cli_error("%s", err->message);
    else
        cli_error("%s", ls_strerror(rc));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
    if (cmd != NULL)
        fprintf(stderr, "Try '%s %s --help'.\n", cli_program, cmd);
    else
        fprintf(stderr, "Try '%s --help'.\n", cli_program);
    return CLI_EXIT_ERROR;
}
