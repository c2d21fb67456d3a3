# SPDX-License-Identifier: MIT
"""`pip install ./python` works offline (no index, no build isolation: Debian's setuptools),
into a fresh virtual environment, and the installed package finds the tree's library."""

import os
import shutil
import subprocess
import sys

import pytest

import libsearch

from conftest import HEADER, PYTHON_DIR


def have(module):
    return subprocess.run([sys.executable, "-c", "import " + module],
                          capture_output=True).returncode == 0


@pytest.mark.skipif(not (have("pip") and have("venv") and have("setuptools")),
                    reason="needs Debian's python3-pip, python3-venv and python3-setuptools")
def test_pip_install_offline_into_a_venv(tmp_path):
    # A copy of the tree's layout (python/, the header, the built library), so that building
    # leaves no build/ or egg-info in the real python/.
    tree = tmp_path / "tree"
    shutil.copytree(PYTHON_DIR, tree / "python", ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info", ".pytest_cache", "_build_hint.py"))
    (tree / "libsearch" / "include").mkdir(parents=True)
    shutil.copy(HEADER, tree / "libsearch" / "include")
    (tree / "build" / "release").mkdir(parents=True)
    shutil.copy(libsearch.load_library()._name, tree / "build" / "release" / "libsearch.so.0")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True)
    py = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items()
           if k not in ("LIBSEARCH_LIBRARY", "PYTHONPATH", "PIP_INDEX_URL")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    r = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                        str(tree / "python")], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    code = ("import libsearch, tempfile, sys\n"
            "assert 'site-packages' in libsearch.__file__, libsearch.__file__\n"
            "d = tempfile.mkdtemp()\n"
            "with libsearch.Index(d) as ix: ix.add('a', body='installed and working')\n"
            "print(libsearch.Searcher(d).search('working').ids, libsearch.load_library()._name)")
    r = subprocess.run([py, "-c", code], env=dict(env, TMPDIR=str(tmp_path)), cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["['a']", str(tree / "build" / "release" / "libsearch.so.0")]
    # Away from any tree, $LIBSEARCH_LIBRARY picks the library.
    (tree / "build" / "release" / "libsearch.so.0").unlink()
    r = subprocess.run([py, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(env, TMPDIR=str(tmp_path),
                                LIBSEARCH_LIBRARY=libsearch.load_library()._name))
    assert r.returncode == 0, r.stderr
    r = subprocess.run([py, "-m", "pip", "uninstall", "-y", "libsearch"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not list((venv / "lib").glob("python*/site-packages/libsearch"))
