# SPDX-License-Identifier: MIT
"""libsearch: Python binding (ctypes) of the libsearch full-text search library.

    import libsearch
    with libsearch.Index("my-index") as ix:          # commits on leaving the block
        ix.add("doc-1", title="Greeting", body="Hello, world")
    with libsearch.Searcher("my-index") as s:
        for hit in s.search("hello"):
            print(hit.id, hit.score, hit.snippet.highlight())

libsearch.Shards([searcher, ...]).search(query) searches several indexes apart (shards, as
machines holding them would) and scores them as one collection, with global statistics.

The shared library is looked up on first use: $LIBSEARCH_LIBRARY (a path), the in-tree build
(build/release/libsearch.so.0 beside python/), ctypes.util.find_library("search"), then
libsearch.so.0 on the default search path. libsearch.load_library(path) picks one itself.
"""

from . import _ffi
from ._ffi import (  # noqa: F401  (re-exported constants)
    LS_COUNT_ALL, LS_DEFAULT_B, LS_DEFAULT_COUNT_LIMIT, LS_DEFAULT_K1, LS_OK, LS_ECORRUPT, LS_EFORMAT, LS_EINVAL, LS_EIO, LS_ELIMIT, LS_ELOCKED,
    LS_ENOMEM, LS_ENOTFOUND, LS_EQUERY, LS_FEEDBACK_DOCS_ON, LS_MAX_DOCUMENT_BYTES,
    LS_MAX_ID_BYTES, LS_MAX_PHRASE_WORDS, LS_MAX_PREFIX_TERMS, LS_MAX_QUERY_BYTES,
    LS_MAX_LIMIT, LS_MAX_QUERY_DEPTH, LS_MAX_STAMP_BYTES, LibraryNotFoundError)
from .errors import (  # noqa: F401
    CorruptError, FormatError, IndexIOError, InvalidArgumentError, LibsearchError, LimitError,
    LockedError, NotFoundError, OutOfMemoryError, QueryError, strerror)
from .index import Index  # noqa: F401
from .search import (  # noqa: F401
    DocInfo, Document, Explain, Fragment, Hit, IndexStats, Results, Searcher, Snippet,
    TermExplain)
from .shards import GlobalStats, Shards  # noqa: F401

__version__ = "0.1.0"


def load_library(path=None):
    """Loads the shared library now (path: a file, else the lookup order above) and returns
    the ctypes.CDLL. Raises LibraryNotFoundError naming every place tried."""
    return _ffi.load(path)


def library_version():
    """LS_VERSION_STRING of the library actually loaded, e.g. "0.1.0"."""
    return _ffi.lib().ls_version_string().decode("ascii", "replace")


def library_version_number():
    """LS_VERSION_NUMBER (major * 10000 + minor * 100 + patch) of the library loaded."""
    return _ffi.lib().ls_version_number()


__all__ = [
    "Index", "Searcher", "Results", "Hit", "Snippet", "Fragment", "Explain", "TermExplain",
    "DocInfo", "Document", "IndexStats", "Shards", "GlobalStats", "LibsearchError",
    "OutOfMemoryError", "InvalidArgumentError",
    "IndexIOError", "NotFoundError", "LockedError", "CorruptError", "FormatError",
    "QueryError", "LimitError", "LibraryNotFoundError", "strerror", "load_library",
    "library_version", "library_version_number",
    "LS_OK", "LS_ENOMEM", "LS_EINVAL", "LS_EIO", "LS_ENOTFOUND", "LS_ELOCKED", "LS_ECORRUPT",
    "LS_EFORMAT", "LS_EQUERY", "LS_ELIMIT", "LS_COUNT_ALL", "LS_DEFAULT_B", "LS_DEFAULT_K1",
    "LS_DEFAULT_COUNT_LIMIT", "LS_FEEDBACK_DOCS_ON", "LS_MAX_DOCUMENT_BYTES", "LS_MAX_ID_BYTES",
    "LS_MAX_PHRASE_WORDS", "LS_MAX_PREFIX_TERMS", "LS_MAX_QUERY_BYTES", "LS_MAX_QUERY_DEPTH",
    "LS_MAX_STAMP_BYTES", "LS_MAX_LIMIT",
]
