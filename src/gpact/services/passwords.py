"""Password rules: long enough, not absurdly long, and not on a list of common passwords.

NIST SP 800-63B asks for a minimum length and a check against known common or breached
passwords instead of composition rules. The list (19,640 entries, see
``data/common-passwords.NOTICE`` for its origin and licence) ships with the package; nothing is
looked up on the network.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing stays cheap; longer is a paste accident or an attack


@cache
def common_passwords() -> frozenset[str]:
    raw = files("gpact.services").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(raw).decode("utf-8").split())


def problems(password: str, email: str = "") -> list[str]:
    """Why ``password`` may not be used (empty if it may)."""
    if len(password) < MIN_LENGTH:
        return [f"password: must be at least {MIN_LENGTH} characters"]
    if len(password) > MAX_LENGTH:
        return [f"password: must be at most {MAX_LENGTH} characters"]
    folded = password.strip().lower()
    if folded in common_passwords():
        return ["password: is one of the most common passwords; choose another"]
    if email and folded in (email.strip().lower(), email.strip().lower().split("@")[0]):
        return ["password: must not be your e-mail address"]
    if len(set(folded)) < 4:
        return ["password: uses too few different characters"]
    return []
