# SPDX-License-Identifier: MIT
"""Metadata is in pyproject.toml. This only adds one step to the build: when the package is
built inside the libsearch source tree and the tree's shared library is built
(build/release/libsearch.so.0), its absolute path is recorded in libsearch/_build_hint.py, so
that `pip install ./python` finds the in-tree library after installing (after
$LIBSEARCH_LIBRARY and before the system's search path)."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
IN_TREE_LIBRARY = os.path.join(os.path.dirname(HERE), "build", "release", "libsearch.so.0")


class build_py_with_hint(build_py):
    def run(self):
        super().run()
        if os.path.exists(IN_TREE_LIBRARY) and os.path.exists(
                os.path.join(os.path.dirname(HERE), "libsearch", "include", "libsearch.h")):
            target = os.path.join(self.build_lib, "libsearch", "_build_hint.py")
            with open(target, "w", encoding="utf-8") as f:
                f.write("# Written by setup.py: the source tree's library when this was built.\n"
                        "IN_TREE_LIBRARY = %r\n" % IN_TREE_LIBRARY)


setup(cmdclass={"build_py": build_py_with_hint})
