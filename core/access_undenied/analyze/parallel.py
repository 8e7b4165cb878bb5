"""Analyze the files of a run in several processes, results in the input's order.

Each worker process holds its own `Analyzer` over the same snapshot, inherited by
forking, and explains whole files; the parent writes each file's results as soon as
it and every file before it are done, so the output is the one a single process
writes. Where processes cannot fork, or the input is a stream, one process does it
all. A worker that dies (killed, out of memory) does not lose results: the parent
explains the files still pending itself.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from access_undenied.analyze.analyzer import Analyzer
from access_undenied.analyze.result import LazyResult
from access_undenied.cloudtrail.models import ReadStats
from access_undenied.cloudtrail.reader import iter_denials, walk_files

logger = logging.getLogger(__name__)

# (result line, reason code) of every item of one file, and the file's counters.
FileResults = tuple[list[tuple[str, str]], dict[str, int]]

# Files a worker may explain ahead of the first one not yet written: enough to keep
# it busy, few enough that finished results do not pile up behind a slow file.
QUEUED_PER_WORKER = 2

# The analyzer a worker uses, set before the pool forks.
_worker_analyzer: list[Analyzer] = []


def worker_count(requested: str) -> int:
    """`--workers`: a number from 1, or `auto` for one per CPU this process may use."""
    if requested == "auto":
        return usable_cpus()
    count = int(requested)
    if count < 1:
        raise ValueError(f"{requested} is below 1")
    return count


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS tells)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return os.cpu_count() or 1


def input_files(sources: Sequence[str]) -> list[str] | None:
    """Every file the sources name, in reading order; None if one is a stream."""
    files: list[str] = []
    for source in sources:
        if source == "-":
            return None
        files.extend(walk_files(source) if os.path.isdir(source) else (source,))
    return files


def can_fork() -> bool:
    """True where worker processes can inherit the parent's snapshot."""
    return "fork" in multiprocessing.get_all_start_methods()


def explain_in_parallel(
    analyzer: Analyzer, files: Sequence[str], workers: int, stats: ReadStats
) -> Iterator[tuple[LazyResult, str]]:
    """(result, line) of every item of `files`, in order, explained by `workers`."""
    _worker_analyzer[:] = [analyzer]
    pool = WorkerPool(workers)
    try:
        for path, done in pool.in_order(files):
            if done is None:  # its worker died: explain the file here
                yield from explain_here(analyzer, (path,), stats)
                continue
            lines, counts = done
            add_counts(stats, counts)
            yield from as_results(lines)
    finally:
        pool.close()
        _worker_analyzer.clear()


class WorkerPool:
    """Forked processes that each explain one file at a time, sent over a pipe.

    Files go to whichever worker is free; results come back in the files' order,
    with None for a file whose worker died. At most `QUEUED_PER_WORKER` files a
    worker are explained ahead of the first one not yet written.
    """

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.workers: list[tuple[Any, Connection]] = []
        for _ in range(count):
            here, there = context.Pipe()
            parent_ends = [*(end for _, end in self.workers), here]
            process = context.Process(
                target=serve, args=(there, parent_ends), daemon=True
            )
            process.start()
            there.close()
            self.workers.append((process, here))

    def in_order(
        self, files: Sequence[str]
    ) -> Iterator[tuple[str, FileResults | None]]:
        """(path, results or None) for every file, in order."""
        done: dict[int, FileResults | None] = {}
        busy: dict[Connection, tuple[int, Any]] = {}
        idle = list(self.workers)
        ahead = len(self.workers) * (1 + QUEUED_PER_WORKER)
        following = written = 0
        while written < len(files):
            while idle and following < len(files) and following < written + ahead:
                process, connection = idle.pop()
                try:
                    connection.send(files[following])
                except OSError:  # the worker has died since its last answer
                    continue
                busy[connection] = (following, process)
                following += 1
            if written in done:
                yield files[written], done.pop(written)
            elif not busy:  # every worker has died
                yield files[written], None
                following = max(following, written + 1)
            else:
                self._collect(busy, idle, done)
                continue
            written += 1

    def _collect(
        self,
        busy: dict[Connection, tuple[int, Any]],
        idle: list[tuple[Any, Connection]],
        done: dict[int, FileResults | None],
    ) -> None:
        """Wait for a worker to answer or die; a dead worker's file gets None."""
        sentinels = {process.sentinel: c for c, (_, process) in busy.items()}
        for ready in wait([*busy, *sentinels]):
            connection = ready if isinstance(ready, Connection) else sentinels[ready]
            if connection not in busy:
                continue
            index, process = busy.pop(connection)
            try:
                done[index] = connection.recv()
            except (EOFError, OSError):
                logger.warning("a worker process ended; its file is explained here")
                done[index] = None
                continue
            idle.append((process, connection))

    def close(self) -> None:
        """End the workers: politely if idle, at once if still explaining."""
        for _, connection in self.workers:
            with contextlib.suppress(OSError):  # a dead worker's pipe is broken
                connection.send(None)
            connection.close()
        for process, _ in self.workers:
            process.join(timeout=0.5)
            if process.is_alive():
                process.terminate()
                process.join()


def serve(connection: Connection, parent_ends: list[Connection]) -> None:
    """A worker's loop: explain each file the parent sends, until None.

    The parent's ends of the pipes, inherited by forking, are closed first, so
    that the worker reads the end of its pipe once the parent is gone, even killed.
    """
    for end in parent_ends:
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the run
    while True:
        try:
            path = connection.recv()
        except EOFError:
            return
        if path is None:
            return
        try:
            connection.send(explain_file(path))
        except OSError:  # the parent stopped the run and closed the pipe
            return


def explain_here(
    analyzer: Analyzer, files: Iterable[str], stats: ReadStats
) -> Iterator[tuple[LazyResult, str]]:
    """Explain files in this process."""
    for path in files:
        for item in iter_denials(path, stats):
            yield analyzer.explain_item(item)


def explain_file(path: str) -> FileResults:
    """In a worker: every result line of one file, with the file's counters."""
    analyzer = _worker_analyzer[0]
    stats = ReadStats()
    lines = []
    for item in iter_denials(path, stats):
        result, line = analyzer.explain_item(item)
        lines.append((line, result.reason_code))
    return lines, stats.to_dict()


def as_results(lines: list[tuple[str, str]]) -> Iterator[tuple[LazyResult, str]]:
    """The (result, line) pairs of a worker's lines."""
    for line, code in lines:
        yield LazyResult(line, code), line


def add_counts(stats: ReadStats, counts: dict[str, int]) -> None:
    """Add a worker's counters of one file to the run's."""
    for name, value in counts.items():
        setattr(stats, name, getattr(stats, name) + value)
