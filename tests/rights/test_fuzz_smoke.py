"""The fuzz target's invariants on a few hand-picked inputs (the fuzzer itself runs apart)."""

from __future__ import annotations

import pytest

from tests.rights.fuzz_robots import _random_loop, check_one


@pytest.mark.parametrize("data", [
    b"", b"\x00\x00", b"User-agent: *\nDisallow: /\x00\x00robots.txt",
    b"User-agent: FuzzBot\nDisallow: /a*$\x00\x00a",
    b"\xef\xbb\xbfUSER-AGENT:*\rAllow:/%2A\rDisallow:/\x00\x00*",
    b"User-agent: *\nDisallow: *\xff\x00\x00\xff",
])
def test_invariants(data: bytes) -> None:
    check_one(data)


def test_random_loop_smoke() -> None:
    _random_loop(300)
