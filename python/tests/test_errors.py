# SPDX-License-Identifier: MIT
"""Errors: each failure raises the LS_E* code's exception class with the library's message."""

import os
import pickle
import shutil
import subprocess
import sys

import pytest

import libsearch

from conftest import PYTHON_DIR, build


@pytest.mark.parametrize("query,position,words", [
    ('"unclosed', 0, "never closed"),
    ("cat AND", 4, "nothing after it"),
    ("cat AND (dog", 8, "never closed"),
    ("title:", 0, "not followed by"),
    ("cat )", 4, "parenthesis"),
])
def test_strict_syntax_errors_carry_message_and_position(searcher, query, position, words):
    with pytest.raises(libsearch.QueryError) as ei:
        searcher.search(query)  # strict is the library's default
    e = ei.value
    assert e.code == libsearch.LS_EQUERY == libsearch.QueryError.code
    assert e.position == position and "byte %d" % position in e.message
    assert words in e.message and str(e) == e.message
    assert isinstance(e, libsearch.LibsearchError) and isinstance(e, ValueError)
    # lenient never fails on the same text
    searcher.search(query, syntax="lenient")


def test_second_writer_is_locked_out(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(path):
        with pytest.raises(libsearch.LockedError) as ei:
            libsearch.Index(path)
        e = ei.value
        assert e.code == libsearch.LS_ELOCKED
        assert "is locked by pid %d (another writer)" % os.getpid() in e.message
        assert str(path) in e.message
    libsearch.Index(path).close()  # free again


def test_writer_in_another_process_locks_out(tmp_path):
    path = tmp_path / "ix"
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import libsearch;"
         "ix = libsearch.Index(sys.argv[2]); print('ready', flush=True); sys.stdin.read()",
         PYTHON_DIR, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(libsearch.LockedError, match="locked by pid %d" % child.pid):
            libsearch.Index(path)
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()
    libsearch.Index(path).close()  # the lock died with the writer


def test_missing_index(tmp_path):
    with pytest.raises(libsearch.NotFoundError) as ei:
        libsearch.Searcher(tmp_path / "nope")
    assert ei.value.code == libsearch.LS_ENOTFOUND
    assert "no index at '%s'" % (tmp_path / "nope") in ei.value.message
    (tmp_path / "empty").mkdir()
    with pytest.raises(libsearch.NotFoundError, match="no manifest"):
        libsearch.Searcher(tmp_path / "empty")
    with pytest.raises(libsearch.NotFoundError, match="cannot create directory"):
        libsearch.Index(tmp_path / "no" / "parent")


def test_document_limits(tmp_path):
    with libsearch.Index(tmp_path / "ix") as ix:
        ix.add("i" * libsearch.LS_MAX_ID_BYTES, body="ok")
        with pytest.raises(libsearch.LimitError, match="document id of 4097 bytes"):
            ix.add("i" * (libsearch.LS_MAX_ID_BYTES + 1), body="x")
        ix.add("s", stamp=b"s" * libsearch.LS_MAX_STAMP_BYTES)
        with pytest.raises(libsearch.LimitError, match="stamp of 256 bytes"):
            ix.add("s2", stamp=b"s" * (libsearch.LS_MAX_STAMP_BYTES + 1))
        with pytest.raises(libsearch.InvalidArgumentError, match="non-empty id"):
            ix.add("", body="x")
        ix.add("after", body="the writer stays usable after EINVAL and ELIMIT")
    with libsearch.Searcher(tmp_path / "ix") as s:
        assert "after" in s and "s" in s and "s2" not in s


def test_query_limits(tmp_path, searcher):
    with pytest.raises(libsearch.LimitError, match="the limit is 65536"):
        searcher.search("cat " * 20000)
    searcher.search("cat " * 20000, syntax="lenient")  # read around
    with pytest.raises(libsearch.LimitError, match="deeper than 100 levels"):
        searcher.search("(" * 101 + "cat" + ")" * 101)
    with pytest.raises(libsearch.LimitError, match="phrase of 1025 words"):
        searcher.search('"' + " ".join(["w"] * 1025) + '"')
    with pytest.raises(libsearch.LimitError, match="capped at"):
        searcher.search("cat", limit=1 << 30)
    path = build(tmp_path / "prefix", {str(i): ("", "abc%04d" % i) for i in range(1100)})
    with libsearch.Searcher(path) as s:
        for syntax in ("strict", "lenient"):
            with pytest.raises(libsearch.LimitError) as ei:
                s.search("abc*", syntax=syntax)
            assert ei.value.message == "prefix 'abc*' matches over 1024 terms: make it longer"


@pytest.mark.parametrize("kw,words", [
    ({"k1": -1.0}, "k1 >= 0"), ({"b": 1.5}, "0 <= b <= 1"),
    ({"proximity": 5000.0}, "proximity needs"), ({"proximity": 1.0, "proximity_depth": 10**6},
                                                  "proximity needs"),
    ({"rm3": True, "feedback_terms": 0}, "feedback needs"),
    ({"feedback_docs": 1001}, "feedback needs"),
    ({"rm3": True, "feedback_weight": 1.5}, "feedback needs"),
])
def test_invalid_options_raise_the_librarys_message(searcher, kw, words):
    with pytest.raises(libsearch.InvalidArgumentError) as ei:
        searcher.search("cat", **kw)
    assert ei.value.code == libsearch.LS_EINVAL and words in ei.value.message
    assert isinstance(ei.value, ValueError)


def test_exception_classes():
    classes = {
        libsearch.LS_ENOMEM: libsearch.OutOfMemoryError,
        libsearch.LS_EINVAL: libsearch.InvalidArgumentError,
        libsearch.LS_EIO: libsearch.IndexIOError,
        libsearch.LS_ENOTFOUND: libsearch.NotFoundError,
        libsearch.LS_ELOCKED: libsearch.LockedError,
        libsearch.LS_ECORRUPT: libsearch.CorruptError,
        libsearch.LS_EFORMAT: libsearch.FormatError,
        libsearch.LS_EQUERY: libsearch.QueryError,
        libsearch.LS_ELIMIT: libsearch.LimitError,
    }
    for code, cls in classes.items():
        assert cls.code == code and issubclass(cls, libsearch.LibsearchError)
        e = cls(code, "message %d" % code)
        e2 = pickle.loads(pickle.dumps(e))
        assert type(e2) is cls and (e2.code, e2.message) == (code, "message %d" % code)
        assert repr(e) == "%s(code=%d, message='message %d')" % (cls.__name__, code, code)
        assert libsearch.strerror(code)
    assert issubclass(libsearch.OutOfMemoryError, MemoryError)
    assert issubclass(libsearch.NotFoundError, LookupError)
    assert libsearch.strerror(libsearch.LS_ELOCKED) != libsearch.strerror(libsearch.LS_EIO)


def run_python(code, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "LIBSEARCH_LIBRARY"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_library_not_found_names_what_was_tried(tmp_path):
    code = ("import sys; sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else %r)\n"
            "import libsearch\n"
            "try:\n"
            "    libsearch.Index('x')\n"
            "except ImportError as e:\n"
            "    print(type(e).__name__); print(e)\n" % PYTHON_DIR)
    r = run_python(code, {"LIBSEARCH_LIBRARY": str(tmp_path / "missing.so")})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("LibraryNotFoundError\n")
    assert "$LIBSEARCH_LIBRARY: %s (no such file)" % (tmp_path / "missing.so") in r.stdout
    # A file that is not a library: the loader's own error is quoted.
    (tmp_path / "junk.so").write_text("not a library")
    r = run_python(code, {"LIBSEARCH_LIBRARY": str(tmp_path / "junk.so")})
    assert "LibraryNotFoundError" in r.stdout and "junk.so" in r.stdout
    # A copy of the package away from the tree: every step of the lookup is named.
    shutil.copytree(os.path.join(PYTHON_DIR, "libsearch"), tmp_path / "pkg" / "libsearch",
                    ignore=shutil.ignore_patterns("__pycache__", "_build_hint.py"))
    code2 = code.replace("%r)" % PYTHON_DIR, "%r)" % str(tmp_path / "pkg"))
    r = run_python(code2, {"LD_LIBRARY_PATH": ""})
    assert r.returncode == 0, r.stderr
    if not r.stdout:
        pytest.skip("a libsearch is installed on the default search path")
    assert "in-tree build:" in r.stdout and "default search path: libsearch.so.0" in r.stdout
    # ...and $LIBSEARCH_LIBRARY makes that copy work.
    r = run_python(code2.replace("libsearch.Index('x')", "print(libsearch.library_version())"),
                   {"LIBSEARCH_LIBRARY": libsearch.load_library()._name})
    assert r.stdout.strip() == libsearch.library_version()
