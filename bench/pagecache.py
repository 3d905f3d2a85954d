"""Drop the interpreter's and the virtualenv's shared libraries from the page cache (``python -m bench.pagecache``).

Idle RSS counts the pages of shared libraries a process has mapped, and how many those are depends on how the files
came into the page cache more than on the code: a kernel that keeps files in large folios maps a whole folio on a
page fault, so grpc's cygrpc.so alone counts 9.5 MiB when read from disk on demand and 14.8 MiB right after pip wrote
it. Dropping the libraries first makes every run start from the same state, the one a container started from its
image is in: libraries read from disk. `make bench` runs this first, in a process of its own that has mapped none of
them (pages another process has mapped stay in the cache).

Imports nothing but the standard library, so running it maps no library it is about to drop.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def drop_shared_libraries_from_cache(roots: list[Path]) -> int:
    """Ask the kernel to drop the cached pages of every shared library (``*.so*``) under ``roots``
    (``posix_fadvise(DONTNEED)``); the number of files asked about."""
    dropped = 0
    for root in roots:
        for path in root.rglob("*.so*"):
            if not path.is_file():
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                dropped += 1
            finally:
                os.close(fd)
    return dropped


def drop_this_pythons_libraries() -> int:
    """The virtualenv's (sys.prefix) and the base interpreter's (sys.base_prefix) shared libraries; how many."""
    return drop_shared_libraries_from_cache(sorted({Path(sys.prefix), Path(sys.base_prefix)}))


if __name__ == "__main__":
    print(f"shared libraries dropped from the page cache: {drop_this_pythons_libraries()} files")
