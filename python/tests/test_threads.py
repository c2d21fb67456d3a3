# SPDX-License-Identifier: MIT
"""One Searcher shared by threads while another thread commits and reopens it."""

import threading

import libsearch

from conftest import build, CATS


def test_concurrent_searches_with_reopen_and_close(tmp_path):
    path = build(tmp_path / "ix", CATS)
    s = libsearch.Searcher(path)
    expected = {h.id: h.score for h in s.search("whiskers", limit=100)}
    errors, stop = [], threading.Event()

    def searching():
        try:
            while not stop.is_set():
                res = s.search("whiskers", limit=100)
                # the original documents never change: their ids are always found
                assert set(expected) <= set(res.ids)
        except ValueError:  # closed at the end
            pass
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    with libsearch.Index(path) as ix:
        for i in range(30):
            ix.add("new-%d" % i, body="whiskers %d" % i)
            ix.commit()
            assert s.reopen() is True
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    assert s.count("whiskers") == len(CATS) + 30
    s.close()
