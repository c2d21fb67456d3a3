/* SPDX-License-Identifier: MIT */
/*
 * error.c - ls_error filling and ls_strerror. Nothing here prints.
 */
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vset(ls_error *err, int code, size_t position, const char *fmt, va_list ap)
    LS_PRINTF(4, 0);
static int vset(ls_error *err, int code, size_t position, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->position = position;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

int ls_error_set(ls_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, (size_t)-1, fmt, ap);
    va_end(ap);
    return code;
}

int ls_error_set_at(ls_error *err, int code, size_t position, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, position, fmt, ap);
    va_end(ap);
    return code;
}

int ls_error_io(ls_error *err, int errno_value, const char *what, const char *path)
{
    int code = errno_value == ENOENT ? LS_ENOTFOUND : LS_EIO;
    if (errno_value == ENOMEM)
        code = LS_ENOMEM;
    return ls_error_set(err, code, "%s '%s': %s", what, path, strerror(errno_value));
}

int ls_error_append(ls_error *err, int code, const char *suffix)
{
    if (err == NULL)
        return code;
    char msg[LS_ERROR_MESSAGE_SIZE];
    snprintf(msg, sizeof msg, "%s", err->message); /* never format a buffer into itself */
    ls_error_set(err, code, "%s%s", msg, suffix);
    return code;
}

void ls_error_clear(ls_error *err)
{
    if (err == NULL)
        return;
    err->code = LS_OK;
    err->position = (size_t)-1;
    err->message[0] = '\0';
}

LS_API const char *ls_strerror(int code)
{
    switch (code) {
    case LS_OK: return "success";
    case LS_ENOMEM: return "out of memory";
    case LS_EINVAL: return "invalid argument";
    case LS_EIO: return "input/output error";
    case LS_ENOTFOUND: return "not found";
    case LS_ELOCKED: return "index locked by another writer";
    case LS_ECORRUPT: return "index corrupt";
    case LS_EFORMAT: return "unsupported index format version";
    case LS_EQUERY: return "query syntax error";
    case LS_ELIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}

LS_API unsigned ls_version_number(void) { return LS_VERSION_NUMBER; }
LS_API const char *ls_version_string(void) { return LS_VERSION_STRING; }
