"""Registrable domains (eTLD+1) from the Public Suffix List, vectorised over millions of hosts.

The list is the snapshot shipped inside the ``publicsuffixlist`` wheel (its ``VERSION`` line
dates it); nothing is downloaded at run time. Mapping is done column-wise on *distinct* hosts:
for every suffix length k the k-label suffix of all hosts is cut out of the UTF-8 buffer in one
vectorised gather and looked up in hash sets of rules. That
applies the PSL algorithm exactly (longest rule wins, ``*`` wildcards, ``!`` exceptions win,
default rule ``*``) at a few million hosts per second, where a per-host Python loop manages a
few hundred thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.metadata import version

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_VERSION_LINE = re.compile(r"^// VERSION: (\S+)")
_IPV4 = r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$"


@dataclass(frozen=True)
class SuffixRules:
    """The rules of one PSL snapshot as hash sets: plain rules, the parents of ``*.`` rules
    and the ``!`` exceptions without their ``!``."""

    snapshot: str
    package: str
    private: bool
    normal: pa.Array
    wildcard_parents: pa.Array
    exceptions: pa.Array
    nodes: pa.Array
    depth: int
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> dict[str, object]:
        return {"snapshot": self.snapshot, "package": self.package,
                "sections": ["icann", "private"] if self.private else ["icann"],
                "rules": sum(self.counts.values())}


def _punycode(rule: str) -> str:
    labels = []
    for label in rule.split("."):
        if label.isascii():
            labels.append(label)
        else:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
    return ".".join(labels)


@cache
def load_rules(private: bool = False) -> SuffixRules:
    """Parse the bundled PSL snapshot; ``private`` adds the PRIVATE section (github.io, …)."""
    text = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat").read_text(
        encoding="utf-8")
    snapshot = "unknown"
    normal: set[str] = set()
    wild: set[str] = set()
    exc: set[str] = set()
    nodes: set[str] = set()  # proper suffixes of rules: only hosts ending in one can go deeper
    depth = 1
    for raw in text.splitlines():
        line = raw.strip()
        if m := _VERSION_LINE.match(line):
            snapshot = m.group(1)
        if line.startswith("// ===BEGIN PRIVATE DOMAINS===") and not private:
            break
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        for form in {rule, _punycode(rule)}:
            depth = max(depth, form.count(".") + 1)
            labels = form.lstrip("!").split(".")
            nodes.update(".".join(labels[i:]) for i in range(1, len(labels)))
            if form.startswith("!"):
                exc.add(form[1:])
            elif form.startswith("*."):
                wild.add(form[2:])
            else:
                normal.add(form)
    return SuffixRules(
        snapshot=snapshot, package=f"publicsuffixlist {version('publicsuffixlist')}",
        private=private, normal=pa.array(sorted(normal)), wildcard_parents=pa.array(sorted(wild)),
        exceptions=pa.array(sorted(exc)), nodes=pa.array(sorted(nodes - {"*"})), depth=depth,
        counts={"normal": len(normal), "wildcard": len(wild), "exception": len(exc)})


REGISTRABLE, SUFFIX_ONLY, IP_ADDRESS = 0, 1, 2
CHUNK = 1 << 18  # hosts per slice when mapping in parallel


def _slices(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The byte ranges ``data[starts[i]:ends[i]]`` as one string array (one gather)."""
    lengths = ends - starts
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    step = np.ones(int(offsets[-1]), dtype=np.int64)  # +1 within a range, a jump between
    nonempty = lengths > 0
    firsts, heads = offsets[:-1][nonempty], starts[nonempty]
    if len(firsts):
        step[firsts[0]] = heads[0]
        step[firsts[1:]] = heads[1:] - (starts[nonempty][:-1] + lengths[nonempty][:-1]) + 1
    index = np.cumsum(step)
    return pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets),
                                            pa.py_buffer(data[index]))


def registrable_domains(hosts: pa.Array, rules: SuffixRules) -> tuple[pa.Array, np.ndarray]:
    """Map normalised hosts (lower case, no trailing dot, no nulls) to registrable domains.

    Works on the UTF-8 bytes: the k-label suffix of every host starts after its k-th dot from
    the right (a dot byte never occurs inside a multi-byte character), so each suffix length
    is one vectorised gather and one hash-set lookup for all hosts.

    Returns the domains and, per host, what kind of mapping applied: ``REGISTRABLE``,
    ``SUFFIX_ONLY`` (the host is itself a public suffix) or ``IP_ADDRESS``. The last two map
    to the host itself, so no content goes missing from the ranking.
    """
    arr = hosts.cast(pa.large_string())
    if len(arr) == 0:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int8)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else \
        np.zeros(0, dtype=np.uint8)
    begin, end = offsets[:-1], offsets[1:]
    dots = np.flatnonzero(data[offsets[0]: offsets[-1]] == ord(".")) + offsets[0]
    last_dot = np.searchsorted(dots, end) - 1  # index in ``dots`` of each host's last dot
    n_dots = last_dot + 1 - np.searchsorted(dots, begin)
    n = n_dots + 1  # labels

    def start(k: np.ndarray | int) -> np.ndarray:
        """Byte offset where the last ``k`` labels begin (the host's start if it has fewer)."""
        k = np.minimum(k, n)
        inner = k <= n_dots
        at = dots[np.clip(last_dot - (k - 1), 0, max(len(dots) - 1, 0))] + 1 if len(dots) \
            else begin
        return np.where(inner, at, begin)

    def member(values: pa.Array, rule_set: pa.Array) -> np.ndarray:
        found: np.ndarray = pc.is_in(values, value_set=rule_set.cast(pa.large_string())) \
            .to_numpy(zero_copy_only=False)
        return found

    ps_len = np.ones(len(arr), dtype=np.int64)
    exception_len = np.zeros(len(arr), dtype=np.int64)
    rows = np.arange(len(arr))  # hosts whose (k-1)-label suffix is a node of the rule tree
    previous = None
    for k in range(1, rules.depth + 1):
        long_enough = n[rows] >= k
        rows = rows[long_enough]
        if not len(rows):
            break
        if previous is not None:  # keep it aligned with ``rows`` (a bare suffix drops out)
            previous = previous.filter(pa.array(long_enough))
        suffix = _slices(data, start(k)[rows], end[rows])
        hit = member(suffix, rules.normal)
        if previous is not None:
            hit |= member(previous, rules.wildcard_parents)
        ps_len[rows[hit]] = k
        exception_len[rows[member(suffix, rules.exceptions)]] = k - 1
        deeper = member(suffix, rules.nodes)
        rows, previous = rows[deeper], suffix.filter(pa.array(deeper))
    ps_len = np.where(exception_len > 0, exception_len, ps_len)
    domains = _slices(data, start(ps_len + 1), end)  # a public suffix host maps to itself
    kind = np.where(n <= ps_len, SUFFIX_ONLY, REGISTRABLE).astype(np.int8)
    digit_end = (data[end - 1] >= ord("0")) & (data[end - 1] <= ord("9"))
    is_ip = digit_end & pc.match_substring_regex(arr, _IPV4).to_numpy(zero_copy_only=False)
    is_ip |= data[begin] == ord("[")
    kind[is_ip] = IP_ADDRESS
    return pc.if_else(pa.array(is_ip), arr, domains).cast(pa.string()), kind
