"""Keep a CPU training step's large buffers in the process between steps (glibc malloc)."""
import ctypes
import ctypes.util
import platform

# mallopt() parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc's largest mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).
MAX_MMAP_THRESHOLD = 32 * 1024 * 1024


def keep_freed_cpu_buffers() -> bool:
    """Stop glibc from handing a training step's freed buffers back to the OS.

    glibc serves allocations above its mmap threshold with fresh memory maps and gives memory
    back to the OS when a free leaves more than its trim threshold at the top of the heap. A CPU
    training step frees its activations, gradients and logits (up to tens of MB each) and
    allocates them again in the next step, so each step page-faults them in afresh: ~45 ms of
    a ~600 ms step of the synthetic default (batch 32, one thread), and a different share for
    each way of ordering the same frees (the runner's step paid 2 % more of it than a plain
    loop's). With the mmap threshold fixed at glibc's maximum (32 MB) and trimming off, as the
    ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` variables would set them, freed
    buffers stay in the heap for the next step; the process keeps its peak heap size. Values
    are unchanged: only where the memory comes from.

    Returns:
        bool: Whether the settings were applied (False where the C library is not glibc).
    """
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return False
    libc = ctypes.CDLL(ctypes.util.find_library('c'))
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MAX_MMAP_THRESHOLD)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, -1))
