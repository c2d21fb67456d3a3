#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""corpus_kernel.py - the "kernel" benchmark corpus: every text file of Debian's
linux-source-6.1 as one JSON line {"id", "title", "body"}.

    bench/corpus_kernel.py OUT.jsonl [--tarball PATH] [--limit N]

The tarball (default /usr/src/linux-source-6.1.tar.xz, installed by the package
linux-source-6.1) is read as a stream; nothing is extracted.  A regular file is text when
its first 8 KiB hold no NUL byte and the whole file decodes as UTF-8 (a file that does not
is decoded as Latin-1, as the kernel's few old ISO-8859-1 sources are); the id is the path
inside the tree, the title its last component, the body the text.  Members are taken in the
tarball's order, so the output is deterministic.  --limit N keeps the first N text files.
Prints files, MB written and seconds on stderr.
"""
import argparse
import json
import sys
import tarfile
import time

DEFAULT_TARBALL = "/usr/src/linux-source-6.1.tar.xz"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--tarball", default=DEFAULT_TARBALL)
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    t0 = time.time()
    n = 0
    skipped = 0
    written = 0
    try:
        tar = tarfile.open(a.tarball, "r|*")
    except OSError as e:
        sys.exit(f"corpus_kernel.py: {a.tarball}: {e} (apt-get install linux-source-6.1)")
    with tar, open(a.out, "w", encoding="utf-8") as out:
        for m in tar:
            if not m.isreg():
                continue
            f = tar.extractfile(m)
            data = f.read() if f is not None else b""
            if not data or b"\0" in data[:8192]:
                skipped += 1
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            path = m.name.split("/", 1)[1] if "/" in m.name else m.name
            line = json.dumps({"id": path, "title": path.rsplit("/", 1)[-1], "body": text},
                              ensure_ascii=False)
            out.write(line)
            out.write("\n")
            written += len(line.encode("utf-8")) + 1
            n += 1
            if a.limit and n >= a.limit:
                break
    print(f"corpus_kernel.py: {n} text files ({skipped} binary or empty skipped), "
          f"{written / 1e6:.1f} MB, {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
