"""The kept answers' building off the event loop (``gpact.api.read_cache``)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from gpact.api.read_cache import ReadCache


def test_requests_for_an_answer_being_built_wait_for_that_build() -> None:
    cache = ReadCache()
    builds: list[str] = []
    release = threading.Event()

    def build() -> bytes:
        builds.append(threading.current_thread().name)
        release.wait(5)
        return b"page"

    async def main() -> list[bytes]:
        waiting = [asyncio.create_task(cache.get_off_loop(1, ("models",), build))
                   for _ in range(10)]
        await asyncio.sleep(0.05)  # all ten are in flight before the build ends
        release.set()
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(main()) == [b"page"] * 10
    assert len(builds) == 1 and builds[0] != threading.current_thread().name  # in a thread
    assert cache.find(1, ("models",)) == b"page" and cache.find(2, ("models",)) is None


def test_a_failed_build_is_not_kept_and_its_waiters_build_again() -> None:
    cache = ReadCache()
    calls: list[int] = []

    def build() -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database gone")
        return b"page"

    async def main() -> list[object]:
        return list(await asyncio.gather(
            *[cache.get_off_loop(1, ("models",), build) for _ in range(3)],
            return_exceptions=True))

    results = asyncio.run(main())
    assert isinstance(results[0], RuntimeError) and results[1:] == [b"page", b"page"]
    assert len(calls) == 2  # the first waiter built it again; the second found it kept
    calls.clear()
    with pytest.raises(RuntimeError):  # alone: the error reaches the request, nothing kept
        asyncio.run(cache.get_off_loop(9, ("x",), build))
    assert cache.find(9, ("x",)) is None
