/* SPDX-License-Identifier: MIT */
/*
 * error.h - filling the caller-owned ls_error and the LS_TRY/LS_CHECK_ALLOC helpers.
 * Owns message formatting only; the codes themselves are public (libsearch.h).
 */
#ifndef LS_UTIL_ERROR_H
#define LS_UTIL_ERROR_H

#include "libsearch.h"

#if defined(__GNUC__)
#define LS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LS_PRINTF(a, b)
#endif

/** Sets err (when not NULL) to code and a formatted message. @return code. */
int ls_error_set(ls_error *err, int code, const char *fmt, ...) LS_PRINTF(3, 4);
/** Like ls_error_set with a query byte position. */
int ls_error_set_at(ls_error *err, int code, size_t position, const char *fmt, ...)
    LS_PRINTF(4, 5);
/** Sets LS_EIO with the message "<what> '<path>': strerror(errno_value)". */
int ls_error_io(ls_error *err, int errno_value, const char *what, const char *path);
/** Gives err (when not NULL) the code `code` and appends `suffix` to its message (which may
 *  be the one a callee just set). @return code. */
int ls_error_append(ls_error *err, int code, const char *suffix);
/** Clears err to LS_OK (when not NULL). */
void ls_error_clear(ls_error *err);

#define LS_TRY(expr)                                                                           \
    do {                                                                                       \
        rc = (expr);                                                                           \
        if (rc != LS_OK)                                                                       \
            goto fail;                                                                         \
    } while (0)

#define LS_CHECK_ALLOC(ptr, err)                                                               \
    do {                                                                                       \
        if ((ptr) == NULL) {                                                                   \
            rc = ls_error_set((err), LS_ENOMEM, "out of memory");                              \
            goto fail;                                                                         \
        }                                                                                      \
    } while (0)

#endif
