"""Process pools for the rights engine: robots.txt checks over many hosts and the audit's
matching stage, on every usable core.

The matcher is pure Python (the regex engine holds the GIL), so threads cannot use a second
core; processes can. Workers are forked by a *forkserver* that imported the rights modules
once: a fork of the parent itself could inherit DuckDB's threads mid-lock, and a spawned
worker would import everything again (about a second each on a cold byte-code cache). Workers
ignore SIGINT (the parent stops them); an error in a task is raised in the parent with the
worker's traceback, a dying worker is noticed within a second, and leaving the context
terminates what is still running, so nothing hangs.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any, TypeVar

from gpact.errors import InputError

MAX_JOBS = 256
T = TypeVar("T")

# Imported once by the fork server, so that workers start as a fork of a warm interpreter
# (the main module too: otherwise each worker would import it again, as spawn does). Not
# pandas: the workers' Arrow steps avoid the conversions that make pyarrow import it
# (gpact.rights.audit._numpy), which keeps 40 MB or so out of each worker.
_PRELOAD = ["__main__", "gpact.rights.audit"]


def usable_cores() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity masks
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs: int | str | None, option: str = "--jobs") -> int:
    """The number of worker processes: ``None`` means every usable core; else 1..256."""
    if jobs is None:
        return usable_cores()
    try:
        count = int(jobs)
    except (TypeError, ValueError):
        raise InputError(None, option, f"not a whole number: {jobs!r}") from None
    if not 1 <= count <= MAX_JOBS:
        raise InputError(None, option, f"must be between 1 and {MAX_JOBS}, got {count}")
    return count


class WorkerError(RuntimeError):
    """A worker process failed (the message carries its traceback) or died."""


def _serve(tasks: Any, results: Any, index: int, initializer: Callable[..., object] | None,
           initargs: tuple[Any, ...]) -> None:
    """A worker's loop: ``(seq, fn, args)`` from its own queue, ``(index, seq, ok, value)`` to
    the shared result queue, until ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    try:
        if initializer is not None:
            initializer(*initargs)
    except BaseException:  # reported to the parent, which raises it
        results.put((index, -1, False, traceback.format_exc()))
        return
    while (task := tasks.get()) is not None:
        seq, fn, args = task
        try:
            results.put((index, seq, True, fn(*args)))
        except BaseException:  # reported to the parent, which raises it
            results.put((index, seq, False, traceback.format_exc()))


def peak_rss_mib() -> float:
    """This process's peak resident memory (workers report theirs with their results)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Workers:
    """``jobs`` worker processes, each with its own task queue, used as a context manager.

    Tasks can be sent to a chosen worker (so that a worker sees the same snapshots again and
    its caches stay its own) and results are collected by (worker, sequence number). Queues,
    not pipes: a send never waits for the worker to read, so parent and worker cannot block
    each other. Leaving the context stops the workers (terminated if they do not exit)."""

    def __init__(self, jobs: int, initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        self.jobs = jobs
        self._results: Any = context.Queue()
        self._tasks: list[Any] = []
        self._processes: list[Any] = []
        self._done: dict[tuple[int, int], Any] = {}
        self._seq = 0
        try:
            for index in range(jobs):
                tasks = context.Queue()
                process = context.Process(target=_serve, daemon=True, args=(
                    tasks, self._results, index, initializer, initargs))
                process.start()
                self._tasks.append(tasks)
                self._processes.append(process)
        except BaseException:
            self.close(kill=True)
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close(kill=error is not None)

    def send(self, worker: int, fn: Callable[..., Any], *args: Any) -> int:
        """Queue ``fn(*args)`` on one worker; returns the ticket for :meth:`result`."""
        self._seq += 1
        self._tasks[worker].put((self._seq, fn, args))
        return self._seq

    def _receive(self) -> tuple[int, int]:
        """Wait for the next finished task of any worker and keep its result; its key."""
        while True:
            try:
                index, seq, ok, value = self._results.get(timeout=1.0)
            except queue.Empty:
                for k, process in enumerate(self._processes):
                    if not process.is_alive():
                        raise WorkerError(f"worker process {k} died (exit code "
                                          f"{process.exitcode})") from None
                continue
            if not ok:
                raise WorkerError(f"worker process {index} failed:\n{value}")
            self._done[index, seq] = value
            return index, seq

    def result(self, worker: int, ticket: int) -> Any:
        """The result of a task (raises :class:`WorkerError` if it failed or its worker died)."""
        key = (worker, ticket)
        while key not in self._done:
            self._receive()
        return self._done.pop(key)

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]]) -> list[T]:
        """``fn(*task)`` for every task, spread round-robin; results in task order."""
        tickets = [(k % self.jobs, self.send(k % self.jobs, fn, *task))
                   for k, task in enumerate(tasks)]
        return [self.result(worker, ticket) for worker, ticket in tickets]

    def imap(self, fn: Callable[..., T], tasks: Iterable[tuple[Any, ...]],
             ahead: int = 2) -> Iterator[T]:
        """``fn(*task)`` for every task, results in task order as they come. Tasks are built
        and sent as workers free up (at most ``ahead`` queued on each), each to the worker
        with the fewest unfinished tasks: a worker slowed by other load gets fewer, and the
        caller works on early results while the workers compute later ones."""
        pending: deque[tuple[int, int]] = deque()  # (worker, ticket) in task order
        queued = [0] * self.jobs
        owner: dict[int, int] = {}
        todo = iter(tasks)
        more = True
        while True:
            while more and min(queued) < ahead:
                task = next(todo, None)
                if task is None:
                    more = False
                    break
                worker = queued.index(min(queued))
                ticket = self.send(worker, fn, *task)
                pending.append((worker, ticket))
                owner[ticket] = worker
                queued[worker] += 1
            while pending and pending[0] in self._done:
                yield self._done.pop(pending.popleft())
            if not pending:
                return
            _, seq = self._receive()
            if seq in owner:  # (not a task of another caller's)
                queued[owner.pop(seq)] -= 1

    def close(self, kill: bool = False) -> None:
        for tasks, process in zip(self._tasks, self._processes, strict=True):
            if kill:
                process.terminate()
            elif process.is_alive():
                tasks.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():  # pragma: no cover - a worker stuck in a task
                process.terminate()
                process.join()
        for q in (*self._tasks, self._results):
            q.close()
            q.cancel_join_thread()
        self._processes.clear()
        self._tasks.clear()


def chunks(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous (start, end) ranges covering ``range(count)``, none empty."""
    parts = max(1, min(parts, count))
    bounds = [count * k // parts for k in range(parts + 1)]
    return [(a, b) for a, b in pairwise(bounds) if b > a]
