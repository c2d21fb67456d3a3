#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""evict.py - drop files from the page cache, for cold-open timings (bench/bench.sh).

    bench/evict.py PATH...

Every regular file under each PATH (a directory is walked; a file is taken as it is) is
opened read-only, flushed with fdatasync (dirty pages cannot be dropped) and evicted with
os.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED).  Needs no privileges (unlike
/proc/sys/vm/drop_caches) and touches nothing but the named files.  Prints
"<files> files, <MB> MB evicted" on stderr.  Exit status 0, or 1 when a PATH is missing or a
file cannot be opened.
"""
import os
import sys


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            os.fdatasync(fd)
        except OSError:
            pass  # e.g. a file system without fdatasync: dropping clean pages still works
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    files = size = 0
    status = 0
    for top in argv[1:]:
        if os.path.isfile(top):
            paths = [top]
        elif os.path.isdir(top):
            paths = [os.path.join(d, f) for d, _, fs in os.walk(top) for f in sorted(fs)]
        else:
            print(f"evict.py: no such file or directory: {top}", file=sys.stderr)
            status = 1
            continue
        for p in paths:
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            try:
                size += evict(p)
                files += 1
            except OSError as e:
                print(f"evict.py: {p}: {e}", file=sys.stderr)
                status = 1
    print(f"evict.py: {files} files, {size / 1e6:.1f} MB evicted", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
