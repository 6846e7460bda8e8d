"""Registrable domains (eTLD+1) from the Public Suffix List, vectorised over millions of hosts.

The list is the snapshot shipped inside the ``publicsuffixlist`` wheel (its ``VERSION`` line
dates it); nothing is downloaded at run time. Mapping is done column-wise with Arrow compute
kernels on *distinct* hosts: each host is reversed and split into labels once, then for every
suffix length k the reversed k-label suffix is looked up in hash sets of (reversed) rules. That
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
    """The rules of one PSL snapshot, reversed label-wise for suffix lookups."""

    snapshot: str
    package: str
    private: bool
    normal: pa.Array
    wildcard_parents: pa.Array
    exceptions: pa.Array
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
            if form.startswith("!"):
                exc.add(form[1:][::-1])
            elif form.startswith("*."):
                wild.add(form[2:][::-1])
            else:
                normal.add(form[::-1])
    return SuffixRules(
        snapshot=snapshot, package=f"publicsuffixlist {version('publicsuffixlist')}",
        private=private, normal=pa.array(sorted(normal)), wildcard_parents=pa.array(sorted(wild)),
        exceptions=pa.array(sorted(exc)), depth=depth,
        counts={"normal": len(normal), "wildcard": len(wild), "exception": len(exc)})


REGISTRABLE, SUFFIX_ONLY, IP_ADDRESS = 0, 1, 2


def registrable_domains(hosts: pa.Array, rules: SuffixRules) -> tuple[pa.Array, np.ndarray]:
    """Map normalised hosts (lower case, no trailing dot, no nulls) to registrable domains.

    Returns the domains and, per host, what kind of mapping applied: ``REGISTRABLE``,
    ``SUFFIX_ONLY`` (the host is itself a public suffix) or ``IP_ADDRESS``. The last two map
    to the host itself, so no content goes missing from the ranking.
    """
    if len(hosts) == 0:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int8)
    rev = pc.utf8_reverse(hosts)
    labels = pc.split_pattern(rev, ".")
    n = pc.list_value_length(labels).fill_null(0).to_numpy(zero_copy_only=False)
    suffixes = [pc.binary_join(pc.list_slice(labels, 0, k), ".")
                for k in range(1, rules.depth + 2)]
    ps_len = np.ones(len(hosts), dtype=np.int64)
    exception_len = np.zeros(len(hosts), dtype=np.int64)
    for k in range(1, rules.depth + 1):
        present = n >= k
        hit = pc.is_in(suffixes[k - 1], value_set=rules.normal).to_numpy(zero_copy_only=False)
        if k >= 2:
            hit |= pc.is_in(suffixes[k - 2],
                            value_set=rules.wildcard_parents).to_numpy(zero_copy_only=False)
        ps_len = np.where(present & hit, k, ps_len)
        exc = pc.is_in(suffixes[k - 1], value_set=rules.exceptions).to_numpy(
            zero_copy_only=False)
        exception_len = np.where(present & exc, k - 1, exception_len)
    ps_len = np.where(exception_len > 0, exception_len, ps_len)
    take = np.minimum(ps_len + 1, n)  # a host that is itself a public suffix maps to itself
    chosen = pc.choose(pa.array(np.maximum(take, 1) - 1, pa.int8()), *suffixes)
    domains = pc.utf8_reverse(chosen)
    is_ip = pc.or_(pc.match_substring_regex(hosts, _IPV4), pc.starts_with(hosts, "["))
    kind = np.where(n <= ps_len, SUFFIX_ONLY, REGISTRABLE).astype(np.int8)
    kind[is_ip.to_numpy(zero_copy_only=False)] = IP_ADDRESS
    return pc.if_else(is_ip, hosts, domains), kind
