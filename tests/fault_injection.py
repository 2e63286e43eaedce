"""Run a partmm tool with a fault injected: SIGKILL while a chosen file is being written.

Usage::

    python tests/fault_injection.py NAME N TOOL [TOOL ARGS...]

The process kills itself with SIGKILL during the N-th (1-based) write of a file whose name
contains NAME (temporary names such as ``.epoch_2.pth.x1y2.tmp`` included), after the bytes
are written and before the file is complete on disk: the moment at which an in-place writer
leaves a truncated file. The kill happens at the ``fsync`` of that write, and the file is cut
to half its size first. Writes that never fsync (plain ``open(path, 'w')``) are not seen.
"""
import os
import runpy
import signal
import sys


def install(name: str, occurrence: int) -> None:
    """Wrap ``os.fsync`` to truncate and SIGKILL at the ``occurrence``-th write of ``name``."""
    original = os.fsync
    seen = 0

    def fsync(fd: int) -> None:
        nonlocal seen
        try:
            path = os.readlink(f'/proc/self/fd/{fd}')
        except OSError:
            path = ''
        if name in os.path.basename(path):
            seen += 1
            if seen == occurrence:
                os.ftruncate(fd, os.fstat(fd).st_size // 2)
                os.kill(os.getpid(), signal.SIGKILL)
        original(fd)

    os.fsync = fsync


def main() -> None:
    name, occurrence, tool = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    install(name, occurrence)
    sys.argv = [tool] + sys.argv[4:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
    runpy.run_path(tool, run_name='__main__')


if __name__ == '__main__':
    main()
