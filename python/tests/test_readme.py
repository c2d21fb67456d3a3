# SPDX-License-Identifier: MIT
"""The README's Python example runs as shown.

The example is the first ```python block of the top-level README.md that has
`<!-- python-example -->` on the line before its fence, else the first ```python block of
python/README.md. When a ```text block follows it (after at most a line of prose), the
example's output must be that block."""

import os
import re
import subprocess
import sys

from conftest import PYTHON_DIR, TREE, read_text

MARK = "<!-- python-example -->"


def find_example():
    """(file, code, expected output or None)."""
    top = os.path.join(TREE, "README.md")
    if os.path.exists(top):
        text = read_text(top)
        m = re.search(r"^%s[ \t]*\n```python[ \t]*\n(.*?)^```[ \t]*\n" % re.escape(MARK),
                      text, flags=re.S | re.M)
        if m:
            return top, m.group(1), expected_after(text, m.end())
    path = os.path.join(PYTHON_DIR, "README.md")
    text = read_text(path)
    m = re.search(r"^```python[ \t]*\n(.*?)^```[ \t]*\n", text, flags=re.S | re.M)
    assert m, "no ```python block in %s" % path
    return path, m.group(1), expected_after(text, m.end())


def expected_after(text, pos):
    m = re.match(r"\s*(?:[^\n`]+\n)?\s*```text[ \t]*\n(.*?)^```", text[pos:], flags=re.S | re.M)
    return m.group(1) if m else None


def test_readme_example_runs(tmp_path):
    path, code, expected = find_example()
    assert 3 <= len(code.strip().splitlines()) <= 8, "the example should stay short"
    env = dict(os.environ, TMPDIR=str(tmp_path),
               PYTHONPATH=PYTHON_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "%s's example failed:\n%s" % (path, r.stderr)
    assert r.stdout.strip(), "the example prints nothing"
    if expected is not None:
        assert r.stdout == expected
