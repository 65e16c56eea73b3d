"""Work spread over processes, merged in input order.

:func:`map_chunks` cuts ``range(n)`` into chunks and runs ``fn(state, start,
stop)`` on each, in worker processes when ``jobs > 1``, and returns the
results concatenated in input order: whatever the number of workers or the
order in which they finish, the merge is the same (deterministic output).

On Linux the workers are forked after ``state`` is set, so they share the
parent's documents and view-models copy-on-write instead of receiving them
pickled; only chunk bounds go to a worker and only results come back. Where
``fork`` is not available the work runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: what the forked workers read (set by the parent just before the pool starts)
_STATE: Any = None

#: below this many units a pool costs more than it saves
MIN_PARALLEL = 32


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run(fn: Callable[[Any, int, int], list[T]], start: int, stop: int) -> list[T]:
    return fn(_STATE, start, stop)


def map_chunks(
    fn: Callable[[Any, int, int], list[T]],
    n: int,
    state: Any,
    jobs: int,
    *,
    chunk: int | None = None,
    tick: Callable[[int], None] | None = None,
) -> list[T]:
    """``fn(state, start, stop)`` over chunks of ``range(n)``; results in input order.

    ``fn`` must be a module-level function (it is sent to workers by name) and
    return one result per index of its chunk. ``tick(k)`` is called in this
    process as chunks of ``k`` units complete.
    """
    global _STATE
    if n == 0:
        return []
    if jobs <= 1 or n < MIN_PARALLEL or not fork_available():
        size = chunk or max(1, min(n, 256))
        out: list[T] = []
        for start in range(0, n, size):
            stop = min(start + size, n)
            out.extend(fn(state, start, stop))
            if tick:
                tick(stop - start)
        return out
    size = chunk or max(8, -(-n // (jobs * 8)))
    _STATE = state
    gc.freeze()  # the collector leaves the shared objects' pages alone in the workers
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_run, fn, start, min(start + size, n)) for start in range(0, n, size)]
            results: list[T] = []
            for future in futures:
                part = future.result()
                results.extend(part)
                if tick:
                    tick(len(part))
        return results
    finally:
        _STATE = None
        gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (and in workers forked inside it).

    A build allocates millions of objects that live until its end (parsed
    documents, view-models); the collector would walk them again and again
    (unpickling the view-models took 7 times longer with it on). The few
    cycles a build makes wait for the collector's next run after the block.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def chunks_of(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def cpu_count() -> int:
    return os.cpu_count() or 1


def trim_heap() -> None:
    """Give freed memory back to the system (glibc keeps it otherwise), so forked workers do not
    start from a larger process than needed. Does nothing where that is not available."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere there is no such symbol
    except (OSError, AttributeError, TypeError):
        pass
