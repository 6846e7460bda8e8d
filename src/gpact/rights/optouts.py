"""Opt-out signals beyond robots.txt access rules: agent-scoped ``noai``, IETF aipref
``Content-Usage`` (draft, behind ``--aipref DRAFT``), Cloudflare ``Content-Signal`` and ai.txt.

Which of these count, and their standing, is rulebook data (``rights.opt_out_protocols``);
the aipref labels per draft version are ``rights.aipref_vocabulary``. This module only reads
the signals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gpact.errors import InputError
from gpact.rights.matcher import CompiledRules
from gpact.rights.robots import Rule, UsageLine
from gpact.rulebook import Rulebook, default_rulebook

NOAI_VALUES = frozenset({"noai", "noimageai"})
# X-Robots-Tag directives that carry a value after ':' (so 'name:' is not an agent scope)
_VALUED = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                     "max-video-preview"})
_SCOPE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*:\s*(.*)", re.DOTALL)
_MEMBER = re.compile(r"\s*([a-z*][a-z0-9_\-.*]*)\s*(?:=\s*([^;,]*))?\s*(?:;[^,]*)?")


def noai_values(values: Iterable[str], agent: str | None) -> str | None:
    """``noai``/``noimageai`` that apply to ``agent`` in X-Robots-Tag values (one per header
    line) or robots meta contents: unscoped, or scoped ``name: noai`` with the agent's token.

    ``googlebot: noai`` applies to that crawler only; a scope runs to the end of the value or
    to the next ``name:`` (Google's X-Robots-Tag syntax)."""
    wanted = agent.lower() if agent else None
    found: set[str] = set()
    for value in values:
        scope: str | None = None
        for part in value.split(","):
            m = _SCOPE.fullmatch(part)
            if m and m.group(1).lower() not in _VALUED:
                scope, part = m.group(1).lower(), m.group(2)
            if scope is not None and scope != wanted:
                continue
            found |= {w.lower() for w in part.split()} & NOAI_VALUES
    return ", ".join(sorted(found)) if found else None


def preferences(value: str) -> dict[str, bool]:
    """An aipref / Content-Signal preference list (``train-ai=n, search=y``) as label -> allowed.

    RFC 9651 dictionary syntax: parameters after ``;`` are ignored; values other than ``y``/``n``
    (and ``yes``/``no`` as Content-Signal writes them) are ignored."""
    out: dict[str, bool] = {}
    for member in value.split(","):
        m = _MEMBER.fullmatch(member.lower())
        if m is None or m.group(2) is None:
            continue
        answer = {"y": True, "yes": True, "n": False, "no": False}.get(m.group(2).strip(' "'))
        if answer is not None:
            out[m.group(1)] = answer
    return out


@dataclass(frozen=True)
class Vocabulary:
    """One aipref draft version's labels (rulebook ``rights.aipref_vocabulary``)."""

    draft: str
    parents: Mapping[str, str]
    training_usage: str

    def allows_training(self, prefs: Iterable[dict[str, bool]]) -> bool | None:
        """``False`` when a preference says ``n`` for the training category or, where it says
        nothing, for its nearest stated parent; several preferences: ``n`` wins."""
        verdict: bool | None = None
        for pref in prefs:
            label: str | None = self.training_usage
            while label is not None and label not in pref:
                label = self.parents.get(label)
            if label is not None:
                verdict = pref[label] if verdict is None else (verdict and pref[label])
        return verdict


def vocabulary(draft: str, as_of: dt.date | None = None,
               rulebook: Rulebook | None = None) -> Vocabulary:
    """The vocabulary for ``--aipref DRAFT``; unknown drafts are one clear error line."""
    book = rulebook or default_rulebook()
    known: dict[str, Any] = book.at(as_of or dt.date.today()).value("rights.aipref_vocabulary")
    if draft not in known:
        raise InputError(None, "--aipref", f"unknown aipref draft {draft!r}; known: "
                         f"{', '.join(sorted(known))}")
    entry = known[draft]
    return Vocabulary(draft, dict(entry["parents"]), str(entry["training_usage"]))


CONTENT_SIGNAL_TRAINING = "ai-train"


class UsageRules:
    """The Content-Usage / Content-Signal lines of a robots.txt group, by path: the line with
    the longest matching path applies (as for allow/disallow rules)."""

    def __init__(self, lines: Iterable[UsageLine]) -> None:
        self.lines = {key: [u for u in lines if u.key == key]
                      for key in ("content-usage", "content-signal")}
        self._compiled = {key: CompiledRules([Rule(False, u.pattern, i, u.value)
                                              for i, u in enumerate(found)])
                          for key, found in self.lines.items() if found}

    def __bool__(self) -> bool:
        return bool(self._compiled)

    def line_for(self, key: str, path: str) -> UsageLine | None:
        compiled = self._compiled.get(key)
        if compiled is None:
            return None
        rule = compiled.outcome(compiled.decide_paths([path])[0]).rule
        return self.lines[key][rule.line] if rule is not None else None

    def training_signals(self, path: str, aipref: Vocabulary | None,
                         ) -> list[tuple[bool, str]]:
        """(reserved?, which line) for each line that speaks about AI training at ``path``
        (canonical); Content-Usage only with a draft vocabulary."""
        said: list[tuple[bool, str]] = []
        signal = self.line_for("content-signal", path)
        if signal is not None:
            allowed = preferences(signal.value).get(CONTENT_SIGNAL_TRAINING)
            if allowed is not None:
                said.append((not allowed, f"robots.txt line {signal.line}: Content-Signal: "
                                          f"{signal.value}"))
        usage = self.line_for("content-usage", path) if aipref is not None else None
        if usage is not None and aipref is not None:
            allowed = aipref.allows_training([preferences(usage.value)])
            if allowed is not None:
                said.append((not allowed, f"robots.txt line {usage.line}: Content-Usage: "
                                          f"{usage.value} ({aipref.draft})"))
        return said


class AiTxt:
    """A site's ai.txt (Spawning): robots.txt syntax whose Disallow lines (paths or file types
    such as ``*.jpg``) say which content may not be used for AI training. Parsed with the
    RFC 9309 engine; a disallowed URL is reported as reserved."""

    def __init__(self, body: bytes | str, limit: int) -> None:
        from gpact.rights.policy import RobotsPolicy

        self.policy = RobotsPolicy(200, body, limit)

    def reserved(self, urls: list[str], token: str) -> list[tuple[bool | None, str | None]]:
        """Per URL: (reserved?, the deciding ai.txt line)."""
        out: list[tuple[bool | None, str | None]] = []
        for verdict in self.policy.check(urls, token):
            if verdict.rule is None:
                out.append((None, None))
            else:
                out.append((not verdict.allowed, f"ai.txt line {verdict.line}: {verdict.rule}"))
        return out
