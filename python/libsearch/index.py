# SPDX-License-Identifier: MIT
"""Index: the writing side (ls_writer)."""

import ctypes
import threading

from . import _ffi
from ._convert import count, to_bytes, to_path
from .errors import check


class Index:
    """An index directory opened for writing (an ls_writer), created when needed.

    At most one writer per directory exists at once, across processes: a second Index on the
    same directory raises LockedError (its message names the holder's pid). Readers
    (Searcher) may be opened while a writer works; they see only committed data.

    Changes (add, delete, delete_prefix) become visible to searchers opened (or reopened)
    after the next commit(); close() without commit() discards them. Used as a context
    manager, the index commits when the block ends normally and closes either way (on an
    exception: without committing)::

        with libsearch.Index("my-index") as ix:
            ix.add("doc-1", title="Hello", body="Hello, world")

    Thread safety: the library lets one thread at a time use a writer; this class serializes
    its calls with a lock, so an Index may be shared between threads. After an I/O or
    corruption error (anything but InvalidArgumentError/LimitError) the library refuses
    further work on the writer: close it; nothing uncommitted reaches the index.

    Arguments:
        path: the index directory (its parent must exist).
        language: Snowball stemmer of a new index ("english", "french", ..., or "none").
            None (the default) means "english" for a new index and whatever an existing
            index recorded; naming a language other than the recorded one is
            InvalidArgumentError.
        ram_budget: bytes of postings buffered before a segment is written (0: 256 MiB).
        merge_factor: segments of a similar size merged into one by a commit (2..100;
            0: 10).
        auto_merge: False: commits never merge (optimize() still does).
        recover: open an index whose last commit's manifest is damaged at the newest
            intact commit; the next commit supersedes the damaged one.
        threads: index threads (0 or 1: add() analyzes in the calling thread; N >= 2: add()
            queues a copy and N threads build segments of their own within ram_budget; an
            error they meet is raised by a later add(), delete() or commit()).
    """

    def __init__(self, path, language=None, *, ram_budget=0, merge_factor=0, auto_merge=True,
                 recover=False, threads=0):
        self._lib = _ffi.lib()
        self._lock = threading.Lock()
        self._w = None
        self.path = path
        opts = _ffi.writer_options_init()
        if language is not None:
            opts.language = to_bytes(language, "language")
        opts.ram_budget = count(ram_budget, "ram_budget")
        opts.merge_factor = count(merge_factor, "merge_factor", 32)
        opts.no_auto_merge = 0 if auto_merge else 1
        opts.recover = 1 if recover else 0
        opts.threads = count(threads, "threads", 32)  # over LS_MAX_WRITER_THREADS: the library says so
        out = ctypes.c_void_p()
        err = _ffi.ls_error()
        check(self._lib.ls_writer_open(to_path(path), ctypes.byref(opts), ctypes.byref(out),
                                       ctypes.byref(err)), err)
        self._w = out

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def closed(self):
        return self._w is None

    def _writer(self):
        if self._w is None:
            raise ValueError("operation on a closed Index")
        return self._w

    def close(self):
        """Releases the lock and the writer; changes since the last commit are discarded.
        Closing twice is harmless."""
        with self._lock:
            w, self._w = self._w, None
            if w is not None:
                self._lib.ls_writer_close(w)

    def __enter__(self):
        self._writer()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and self._w is not None:
                self.commit()
        finally:
            self.close()
        return False

    def __del__(self):
        w = getattr(self, "_w", None)
        if w is not None:
            self._lib.ls_writer_close(w)
            self._w = None

    def __repr__(self):
        return "<libsearch.Index %r%s>" % (self.path, " closed" if self.closed else "")

    # -- changes -----------------------------------------------------------------------------

    def add(self, id, title=None, body=None, *, path=None, stamp=None):
        """Adds a document, or replaces the one with the same id (ids are keys: an id is never
        found twice). str values are encoded as UTF-8; bytes are passed as they are.

        id: non-empty, at most LS_MAX_ID_BYTES bytes; returned with hits.
        title: searchable and returned with hits. body: searchable; snippets come from it.
        path: stored only (returned with hits). stamp: opaque bytes (at most
        LS_MAX_STAMP_BYTES) kept with the id, read back with Searcher.get().
        Raises InvalidArgumentError (e.g. empty id), LimitError (over a limit), ...
        """
        doc = _ffi.document_init()
        idb = to_bytes(id, "id")
        doc.id, doc.id_len = idb, len(idb)
        for field, value in (("title", title), ("body", body), ("path", path)):
            b = to_bytes(value, field, allow_none=True)
            if b is not None:
                setattr(doc, field, b)
                setattr(doc, field + "_len", len(b))
        s = to_bytes(stamp, "stamp", allow_none=True)
        if s is not None:
            doc.stamp, doc.stamp_len = s, len(s)
        err = _ffi.ls_error()
        with self._lock:
            check(self._lib.ls_writer_add(self._writer(), ctypes.byref(doc), ctypes.byref(err)),
                  err)

    def update(self, id, title=None, body=None, *, path=None, stamp=None):
        """The same as add(): adding a document whose id exists replaces it."""
        self.add(id, title, body, path=path, stamp=stamp)

    def delete(self, id, *, missing_ok=False):
        """Deletes the document with this id (committed or added since), as of the next
        commit. Raises NotFoundError when there is none (the index is unchanged), unless
        missing_ok. Returns True when a document was deleted."""
        idb = to_bytes(id, "id")
        err = _ffi.ls_error()
        with self._lock:
            rc = self._lib.ls_writer_delete(self._writer(), idb, len(idb), ctypes.byref(err))
        if rc == _ffi.LS_ENOTFOUND and missing_ok:
            return False
        check(rc, err)
        return True

    def delete_prefix(self, prefix):
        """Deletes every document whose id starts with prefix, as of the next commit; returns
        how many. Note: the empty prefix matches (and deletes) every document."""
        p = to_bytes(prefix, "prefix")
        n = ctypes.c_uint64()
        err = _ffi.ls_error()
        with self._lock:
            check(self._lib.ls_writer_delete_prefix(self._writer(), p, len(p), ctypes.byref(n),
                                                    ctypes.byref(err)), err)
        return n.value

    def delete_all(self):
        """Deletes every document, as of the next commit; returns how many."""
        return self.delete_prefix(b"")

    def commit(self):
        """Makes every change so far durable and visible, atomically (then merges segments of
        a similar size unless auto_merge=False). After an error the writer refuses further
        work: close it (the previous commit stays intact)."""
        err = _ffi.ls_error()
        with self._lock:
            check(self._lib.ls_writer_commit(self._writer(), ctypes.byref(err)), err)

    def optimize(self, max_segments=1):
        """Commits, then merges segments until at most max_segments remain (0 or 1: one),
        dropping deleted documents. Results and scores stay the same."""
        err = _ffi.ls_error()
        with self._lock:
            check(self._lib.ls_writer_optimize(self._writer(), count(max_segments,
                                                                     "max_segments", 32),
                                               ctypes.byref(err)), err)
