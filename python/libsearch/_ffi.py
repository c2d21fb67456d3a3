# SPDX-License-Identifier: MIT
"""ctypes declarations of libsearch.h: constants, structs, prototypes and the library loader.

Everything here mirrors libsearch/include/libsearch.h exactly; tests/test_abi.py compares the
constants and the *_INIT defaults with the header text and the struct layouts with what a C
compiler says (offsetof/sizeof), so a change to the header that is not made here fails a test.
"""

import ctypes
import ctypes.util
import os
import threading

# ----------------------------------------------------------------------------------------------
# Constants (values from libsearch.h; checked against the header by the tests)
# ----------------------------------------------------------------------------------------------

LS_VERSION_MAJOR = 0
LS_VERSION_MINOR = 1
LS_VERSION_PATCH = 0
LS_VERSION_STRING = "0.1.0"  # the header this binding was written against
LS_VERSION_NUMBER = LS_VERSION_MAJOR * 10000 + LS_VERSION_MINOR * 100 + LS_VERSION_PATCH

LS_OK = 0
LS_ENOMEM = -1
LS_EINVAL = -2
LS_EIO = -3
LS_ENOTFOUND = -4
LS_ELOCKED = -5
LS_ECORRUPT = -6
LS_EFORMAT = -7
LS_EQUERY = -8
LS_ELIMIT = -9

LS_ERROR_MESSAGE_SIZE = 256

LS_MAX_ID_BYTES = 4096
LS_MAX_STAMP_BYTES = 255
LS_MAX_DOCUMENT_BYTES = 2147483648
LS_MAX_TERM_BYTES = 128
LS_MAX_SEGMENT_DOCS = 2147483647
LS_MAX_INDEX_DOCS = 1 << 48
LS_MAX_SEGMENTS = 4096
LS_MAX_WRITER_THREADS = 64
LS_MAX_QUERY_BYTES = 65536
LS_MAX_QUERY_DEPTH = 100
LS_MAX_PHRASE_WORDS = 1024
LS_MAX_PREFIX_TERMS = 1024
LS_MAX_LIMIT = 1 << 24

LS_WRITER_OPTIONS_VERSION = 3
LS_DOCUMENT_VERSION = 2
LS_OPEN_OPTIONS_VERSION = 1
LS_DOC_INFO_VERSION = 1
LS_INDEX_STATS_VERSION = 3
LS_SEARCH_OPTIONS_VERSION = 6

LS_SYNTAX_STRICT = 0
LS_SYNTAX_LENIENT = 1
LS_SYNTAX_PLAIN = 2

LS_DEFAULT_K1 = 1.2
LS_DEFAULT_B = 0.75
LS_DEFAULT_FEEDBACK_DOCS = 0
LS_FEEDBACK_DOCS_ON = 10
LS_DEFAULT_FEEDBACK_TERMS = 5
LS_DEFAULT_FEEDBACK_WEIGHT = 0.85
LS_MAX_PROXIMITY_WEIGHT = 1000.0
LS_MAX_PROXIMITY_DEPTH = 100000
LS_DEFAULT_PROXIMITY = 0.0
LS_DEFAULT_PROXIMITY_DEPTH = 100
LS_DEFAULT_TITLE_WEIGHT = 0.4
LS_MAX_TITLE_WEIGHT = 100.0
LS_DEFAULT_COUNT_LIMIT = 1000
LS_COUNT_ALL = (1 << 64) - 1  # UINT64_MAX

LS_FIELD_ALL = 0
LS_FIELD_TITLE = 1
LS_FIELD_BODY = 2

# ----------------------------------------------------------------------------------------------
# Structs
# ----------------------------------------------------------------------------------------------

c_size_t = ctypes.c_size_t
c_uint64 = ctypes.c_uint64
c_double = ctypes.c_double
c_int = ctypes.c_int
c_uint = ctypes.c_uint
c_void_p = ctypes.c_void_p
c_char_p = ctypes.c_char_p


class ls_error(ctypes.Structure):
    _fields_ = [
        ("code", c_int),
        ("position", c_size_t),
        ("message", ctypes.c_char * LS_ERROR_MESSAGE_SIZE),
    ]


class ls_writer_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("language", c_char_p),
        ("ram_budget", c_size_t),
        ("merge_factor", c_uint),
        ("no_auto_merge", c_int),
        ("recover", c_int),
        ("threads", c_uint),
    ]


class ls_document(ctypes.Structure):
    # Pointer fields are c_char_p so that bytes objects (which may hold NULs: lengths are
    # explicit) can be assigned; ctypes keeps them alive with the struct.
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("id_len", c_size_t),
        ("title", c_char_p),
        ("title_len", c_size_t),
        ("body", c_char_p),
        ("body_len", c_size_t),
        ("path", c_char_p),
        ("path_len", c_size_t),
        ("stamp", c_char_p),  # const void * in C
        ("stamp_len", c_size_t),
    ]


class ls_open_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("recover", c_int)]


class ls_doc_info(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("doc", c_uint64),
        ("stamp", c_void_p),
        ("stamp_len", c_size_t),
    ]


class ls_stored_document(ctypes.Structure):
    _fields_ = [
        ("id", c_void_p), ("title", c_void_p), ("body", c_void_p), ("path", c_void_p),
        ("id_len", c_size_t), ("title_len", c_size_t), ("body_len", c_size_t),
        ("path_len", c_size_t),
    ]


class ls_index_stats(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("generation", c_uint64),
        ("segments", ctypes.c_uint32),
        ("documents", c_uint64),
        ("terms", c_uint64),
        ("postings", c_uint64),
        ("tokens", c_uint64),
        ("bytes_dictionary", c_uint64),
        ("bytes_postings", c_uint64),
        ("bytes_positions", c_uint64),
        ("bytes_doclens", c_uint64),
        ("bytes_stored", c_uint64),
        ("bytes_manifest", c_uint64),
        ("language", ctypes.c_char * 32),
        # version 2:
        ("deleted_documents", c_uint64),
        ("bytes_ids", c_uint64),
        ("bytes_deletions", c_uint64),
        ("skipped_generation", c_uint64),
        # version 3:
        ("word_pairs", c_uint64),
        ("pair_postings", c_uint64),
    ]


class ls_search_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("limit", c_size_t),
        ("offset", c_size_t),
        ("syntax", c_int),
        ("default_and", c_int),
        ("k1", c_double),
        ("b", c_double),
        ("snippets", c_int),
        ("snippet_words", c_uint),
        ("explain", c_int),
        # version 2:
        ("feedback_docs", c_uint),
        ("feedback_terms", c_uint),
        ("feedback_weight", c_double),
        ("feedback_widen", c_int),
        # version 3:
        ("proximity", c_double),
        ("proximity_depth", c_uint),
        # version 4:
        ("count_limit", c_uint64),
        # version 5 (shards searched apart; c_void_p so that the defaults read back as None):
        ("stats", c_void_p),  # const ls_stats *
        ("expansion", c_void_p),  # const ls_expansion_term *
        ("n_expansion", c_size_t),
        # version 6:
        ("title_weight", c_double),
    ]


class ls_feedback_doc(ctypes.Structure):
    # c_char_p, as in ls_document: bytes objects are assigned (lengths are explicit).
    _fields_ = [
        ("title", c_char_p),
        ("title_len", c_size_t),
        ("body", c_char_p),
        ("body_len", c_size_t),
        ("score", c_double),
    ]


class ls_expansion_term(ctypes.Structure):
    _fields_ = [("term", c_void_p), ("len", c_size_t), ("weight", c_double)]


class ls_span(ctypes.Structure):
    _fields_ = [("offset", c_size_t), ("length", c_size_t)]


class ls_fragment(ctypes.Structure):
    _fields_ = [("text", c_void_p), ("len", c_size_t), ("is_match", c_int)]


class ls_snippet(ctypes.Structure):
    _fields_ = [
        ("field", c_int),
        ("text", c_void_p),
        ("len", c_size_t),
        ("field_offset", c_size_t),
        ("starts_field", c_int),
        ("ends_field", c_int),
        ("n_matches", c_size_t),
        ("matches", ctypes.POINTER(ls_span)),
        ("n_fragments", c_size_t),
        ("fragments", ctypes.POINTER(ls_fragment)),
    ]


class ls_term_explain(ctypes.Structure):
    _fields_ = [
        ("term", c_char_p),
        ("field", c_char_p),
        ("tf", c_double),
        ("df", c_double),
        ("idf", c_double),
        ("doc_len", c_double),
        ("avg_len", c_double),
        ("k1", c_double),
        ("b", c_double),
        ("weight", c_double),
        ("score", c_double),
    ]


class ls_explain(ctypes.Structure):
    _fields_ = [
        ("n_docs", c_double),
        ("n_terms", c_size_t),
        ("terms", ctypes.POINTER(ls_term_explain)),
    ]


class ls_hit(ctypes.Structure):
    _fields_ = [
        ("id", c_void_p),
        ("id_len", c_size_t),
        ("title", c_void_p),
        ("title_len", c_size_t),
        ("path", c_void_p),
        ("path_len", c_size_t),
        ("score", c_double),
        ("doc", c_uint64),
        ("snippet", ctypes.POINTER(ls_snippet)),
        ("explain", ctypes.POINTER(ls_explain)),
        ("index", c_uint),  # which index of ls_reader_open_many the hit comes from
    ]


# The *_INIT macros, field by field in declaration order (checked against the header).
LS_WRITER_OPTIONS_INIT = (LS_WRITER_OPTIONS_VERSION, None, 0, 0, 0, 0, 0)
LS_DOCUMENT_INIT = (LS_DOCUMENT_VERSION, None, 0, None, 0, None, 0, None, 0, None, 0)
LS_OPEN_OPTIONS_INIT = (LS_OPEN_OPTIONS_VERSION, 0)
LS_SEARCH_OPTIONS_INIT = (
    LS_SEARCH_OPTIONS_VERSION, 10, 0, LS_SYNTAX_STRICT, 0, LS_DEFAULT_K1, LS_DEFAULT_B, 1, 25, 0,
    LS_DEFAULT_FEEDBACK_DOCS, LS_DEFAULT_FEEDBACK_TERMS, LS_DEFAULT_FEEDBACK_WEIGHT, 0,
    LS_DEFAULT_PROXIMITY, LS_DEFAULT_PROXIMITY_DEPTH, LS_DEFAULT_COUNT_LIMIT, None, None, 0,
    LS_DEFAULT_TITLE_WEIGHT,
)


def _init(struct_type, values):
    return struct_type(*values)


def writer_options_init():
    return _init(ls_writer_options, LS_WRITER_OPTIONS_INIT)


def document_init():
    return _init(ls_document, LS_DOCUMENT_INIT)


def open_options_init():
    return _init(ls_open_options, LS_OPEN_OPTIONS_INIT)


def search_options_init():
    return _init(ls_search_options, LS_SEARCH_OPTIONS_INIT)


# LS_SEARCH_OPTIONS_INIT by field name (the defaults of Searcher.search's keyword arguments).
SEARCH_DEFAULTS = {name: value for (name, _), value in
                   zip(ls_search_options._fields_, LS_SEARCH_OPTIONS_INIT)}

ls_id_fn = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p, c_size_t, c_void_p)

# ----------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------

_P = ctypes.POINTER
_PROTOTYPES = {
    "ls_version_number": (c_uint, []),
    "ls_version_string": (c_char_p, []),
    "ls_strerror": (c_char_p, [c_int]),
    "ls_writer_open": (c_int, [c_char_p, _P(ls_writer_options), _P(c_void_p), _P(ls_error)]),
    "ls_writer_add": (c_int, [c_void_p, _P(ls_document), _P(ls_error)]),
    "ls_writer_delete": (c_int, [c_void_p, c_char_p, c_size_t, _P(ls_error)]),
    "ls_writer_delete_prefix": (c_int, [c_void_p, c_char_p, c_size_t, _P(c_uint64),
                                        _P(ls_error)]),
    "ls_writer_commit": (c_int, [c_void_p, _P(ls_error)]),
    "ls_writer_optimize": (c_int, [c_void_p, c_uint, _P(ls_error)]),
    "ls_writer_close": (None, [c_void_p]),
    "ls_reader_open": (c_int, [c_char_p, _P(c_void_p), _P(ls_error)]),
    "ls_reader_open_opts": (c_int, [c_char_p, _P(ls_open_options), _P(c_void_p),
                                    _P(ls_error)]),
    "ls_reader_open_many": (c_int, [_P(c_char_p), c_size_t, _P(ls_open_options), _P(c_void_p),
                                    _P(ls_error)]),
    "ls_reader_reopen": (c_int, [c_void_p, _P(c_void_p), _P(ls_error)]),
    "ls_reader_close": (None, [c_void_p]),
    "ls_reader_check": (c_int, [c_void_p, _P(ls_error)]),
    "ls_reader_get": (c_int, [c_void_p, c_char_p, c_size_t, _P(ls_doc_info), _P(ls_error)]),
    "ls_reader_document": (c_int, [c_void_p, c_uint64, _P(_P(ls_stored_document)),
                                   _P(ls_error)]),
    "ls_stored_document_free": (None, [_P(ls_stored_document)]),
    "ls_reader_ids": (c_int, [c_void_p, c_char_p, c_size_t, ls_id_fn, c_void_p,
                              _P(ls_error)]),
    "ls_reader_stats": (c_int, [c_void_p, _P(ls_index_stats), _P(ls_error)]),
    "ls_search": (c_int, [c_void_p, c_char_p, c_size_t, _P(ls_search_options), _P(c_void_p),
                          _P(ls_error)]),
    "ls_hits_total": (c_uint64, [c_void_p]),
    "ls_hits_total_exact": (c_int, [c_void_p]),
    "ls_hits_count": (c_size_t, [c_void_p]),
    "ls_hits_get": (_P(ls_hit), [c_void_p, c_size_t]),
    "ls_hits_free": (None, [c_void_p]),
    # Shards searched apart (ls_stats is opaque: a c_void_p).
    "ls_query_stats": (c_int, [c_void_p, c_char_p, c_size_t, _P(ls_search_options),
                               _P(c_void_p), _P(ls_error)]),
    "ls_stats_count": (c_size_t, [c_void_p]),
    "ls_stats_name": (c_void_p, [c_void_p, c_size_t, _P(c_size_t)]),  # not NUL-terminated
    "ls_stats_values": (_P(c_double), [c_void_p]),
    "ls_stats_expansions": (c_void_p, [c_void_p, c_size_t, _P(c_size_t)]),
    "ls_stats_add": (c_int, [c_void_p, c_void_p, c_char_p, c_size_t, _P(ls_error)]),
    "ls_stats_free": (None, [c_void_p]),
    "ls_feedback_candidates": (c_int, [c_void_p, _P(ls_feedback_doc), c_size_t, c_void_p,
                                       _P(ls_error)]),
    "ls_feedback_terms": (c_int, [c_void_p, _P(ls_feedback_doc), c_size_t, c_void_p,
                                  _P(ls_search_options), _P(_P(ls_expansion_term)),
                                  _P(c_size_t), _P(ls_error)]),
    "ls_expansion_free": (None, [_P(ls_expansion_term), c_size_t]),
    "ls_search_fetch": (c_int, [c_void_p, c_char_p, c_size_t, _P(ls_search_options),
                                _P(c_uint64), _P(c_double), c_size_t, _P(c_void_p),
                                _P(ls_error)]),
}

ENV_VAR = "LIBSEARCH_LIBRARY"
SONAME = "libsearch.so.0"


class LibraryNotFoundError(ImportError):
    """No libsearch shared library could be loaded; the message lists every place tried."""


def _in_tree_candidates():
    here = os.path.dirname(os.path.abspath(__file__))
    # python/libsearch/_ffi.py -> <tree>/build/release/libsearch.so.0
    yield os.path.join(here, os.pardir, os.pardir, "build", "release", SONAME)
    try:  # recorded by setup.py when the package was installed from a source tree
        from . import _build_hint  # type: ignore[attr-defined]
    except ImportError:
        return
    if getattr(_build_hint, "IN_TREE_LIBRARY", None):
        yield _build_hint.IN_TREE_LIBRARY


def candidates():
    """The (source, path-or-name) pairs tried, in order, to find the shared library."""
    env = os.environ.get(ENV_VAR)
    if env:
        # An explicit choice is the only one tried: falling back silently would hide a typo.
        return [("$" + ENV_VAR, env)]
    out = [("in-tree build", os.path.normpath(p)) for p in _in_tree_candidates()]
    found = ctypes.util.find_library("search")
    if found:
        out.append(("ctypes.util.find_library('search')", found))
    out.append(("default search path", SONAME))
    return out


_lib = None
_lib_lock = threading.Lock()


# Newer than the first release of the library: a library without them still loads, and
# what needs them says so when called (lib.has(name)). ls_reader_open_many came with
# ls_hit.index: without it, hits are read as coming from index 0. The statistics of shards
# searched apart came with ls_search_options version 5 (libsearch.Shards needs them).
SHARD_FUNCTIONS = frozenset({
    "ls_query_stats", "ls_stats_count", "ls_stats_name", "ls_stats_values",
    "ls_stats_expansions", "ls_stats_add", "ls_stats_free", "ls_feedback_candidates",
    "ls_feedback_terms", "ls_expansion_free", "ls_search_fetch"})
OPTIONAL = {"ls_reader_open_many", "ls_reader_document", "ls_stored_document_free"} | \
    SHARD_FUNCTIONS


class _Library(ctypes.CDLL):
    def has(self, name):
        return name in self._present


def _declare(lib):
    present = set()
    for name, (restype, argtypes) in _PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            if name in OPTIONAL:
                continue
            raise
        fn.restype = restype
        fn.argtypes = argtypes
        present.add(name)
    lib._present = frozenset(present)
    return lib


def load(path=None):
    """Loads (once) and returns the shared library.

    path: a file to load instead of the lookup order ($LIBSEARCH_LIBRARY, the in-tree build
    build/release/libsearch.so.0 beside this package, ctypes.util.find_library("search"),
    libsearch.so.0 on the default search path). Raises LibraryNotFoundError naming every
    place tried. A failed lookup is not remembered: the next call tries again.
    """
    global _lib
    with _lib_lock:
        if _lib is not None and path is None:
            return _lib
        tried = []
        for source, cand in ([("argument", os.fspath(path))] if path is not None
                             else candidates()):
            is_file = os.sep in cand
            if is_file and not os.path.exists(cand):
                tried.append("%s: %s (no such file)" % (source, cand))
                continue
            try:
                lib = _Library(cand)
                _declare(lib)
            except (OSError, AttributeError) as e:
                tried.append("%s: %s (%s)" % (source, cand, e))
                continue
            _lib = lib
            return lib
        raise LibraryNotFoundError(
            "libsearch: could not load the shared library; tried:\n  " + "\n  ".join(tried)
            + "\nBuild it with `make all`, install it (`make install`), or set "
            + ENV_VAR + " to the path of libsearch.so.0.")


def lib():
    """The loaded library (loading it on first use)."""
    return _lib if _lib is not None else load()
