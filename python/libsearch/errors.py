# SPDX-License-Identifier: MIT
"""Exceptions: one per LS_E* status code of libsearch.h, all under LibsearchError."""

from . import _ffi


class LibsearchError(Exception):
    """A libsearch call failed.

    Attributes:
        code: the LS_E* status code (a negative int, e.g. libsearch.LS_ELOCKED).
        message: the library's message (what failed, on which file or query byte, and why).
        position: for QueryError, the byte offset in the (UTF-8) query; else None.
    """

    code = None  # the class's LS_E* code (subclasses); instances carry their own

    def __init__(self, code, message, position=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position

    def __str__(self):
        return self.message

    def __repr__(self):
        return "%s(code=%d, message=%r)" % (type(self).__name__, self.code, self.message)

    def __reduce__(self):
        return (_from_parts, (self.code, self.message, self.position))


class OutOfMemoryError(LibsearchError, MemoryError):
    """LS_ENOMEM: out of memory."""
    code = _ffi.LS_ENOMEM


class InvalidArgumentError(LibsearchError, ValueError):
    """LS_EINVAL: an argument the library refused (e.g. k1 < 0, another index language)."""
    code = _ffi.LS_EINVAL


class IndexIOError(LibsearchError):
    """LS_EIO: an operating-system I/O error (open, read, write, fsync, rename)."""
    code = _ffi.LS_EIO


class NotFoundError(LibsearchError, LookupError):
    """LS_ENOTFOUND: no index (or file, or document) where one was expected."""
    code = _ffi.LS_ENOTFOUND


class LockedError(LibsearchError):
    """LS_ELOCKED: another writer holds the index lock (the message names its pid)."""
    code = _ffi.LS_ELOCKED


class CorruptError(LibsearchError):
    """LS_ECORRUPT: an index file fails its checksum or holds impossible values."""
    code = _ffi.LS_ECORRUPT


class FormatError(LibsearchError):
    """LS_EFORMAT: an index file of an unknown (newer) format version: re-index."""
    code = _ffi.LS_EFORMAT


class QueryError(LibsearchError, ValueError):
    """LS_EQUERY: a query syntax error (strict syntax); .position is its byte offset."""
    code = _ffi.LS_EQUERY


class LimitError(LibsearchError, ValueError):
    """LS_ELIMIT: a size limit was exceeded (document, id, term, query, prefix terms)."""
    code = _ffi.LS_ELIMIT


_SIZE_MAX = (1 << (8 * _ffi.ctypes.sizeof(_ffi.c_size_t))) - 1

_BY_CODE = {cls.code: cls for cls in (
    OutOfMemoryError, InvalidArgumentError, IndexIOError, NotFoundError, LockedError,
    CorruptError, FormatError, QueryError, LimitError)}


def _from_parts(code, message, position=None):
    return _BY_CODE.get(code, LibsearchError)(code, message, position)


def strerror(code):
    """The library's static description of a status code ("out of memory", ...)."""
    s = _ffi.lib().ls_strerror(code)
    return s.decode("utf-8", "replace") if s else ""


def from_error(rc, err):
    """The exception for status rc with the filled ls_error err."""
    code = err.code if err.code != _ffi.LS_OK else rc
    message = err.message.decode("utf-8", "replace")  # c_char array: up to its NUL
    if not message:
        message = strerror(code)
    position = None
    if code == _ffi.LS_EQUERY and err.position != _SIZE_MAX:
        position = err.position
    return _from_parts(code, message, position)


def check(rc, err):
    """Raises the exception for a failed call (rc < 0); returns rc otherwise."""
    if rc < 0:
        raise from_error(rc, err)
    return rc
