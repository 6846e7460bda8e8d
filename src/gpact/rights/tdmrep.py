"""Machine-readable TDM opt-outs besides robots.txt: TDMRep and the ``noai`` robots values.

* TDMRep (W3C Community Group report "TDM Reservation Protocol"): the ``tdm-reservation``
  (``1`` = rights reserved, ``0`` = not reserved) and ``tdm-policy`` (URL of licensing terms)
  HTTP headers, the same names as HTML ``<meta>`` elements, and the ``/.well-known/tdmrep.json``
  file: a list of ``{"location", "tdm-reservation", "tdm-policy"}`` rules whose ``location``
  uses robots.txt path patterns (``*``, final ``$``).
* ``noai`` / ``noimageai`` in ``X-Robots-Tag`` headers and ``<meta name="robots">``: a de-facto
  convention, not a standard; gpact reports it as a reservation.

Where several sources speak, gpact treats the content as reserved if any of them reserves it
(the conservative reading; TDMRep does not rank its channels for this purpose).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from gpact.rights.matcher import CompiledRules
from gpact.rights.normalize import normalize
from gpact.rights.optouts import Vocabulary, noai_values, preferences
from gpact.rights.robots import Rule

_HEADER_LINE = re.compile(r"^\s*([A-Za-z0-9\-_]+)\s*:\s*(.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class TdmVerdict:
    """``reserved``: True (opt-out), False (explicitly not reserved), None (nothing said)."""

    reserved: bool | None
    source: str | None = None
    policy: str | None = None
    detail: str | None = None

    @property
    def label(self) -> str:
        return {True: "reserved", False: "not_reserved", None: "unknown"}[self.reserved]


UNKNOWN = TdmVerdict(None)


def combine(*verdicts: TdmVerdict) -> TdmVerdict:
    """Reserved if any source reserves; else not reserved if any says so; else unknown."""
    for wanted in (True, False):
        for verdict in verdicts:
            if verdict.reserved is wanted:
                return verdict
    return UNKNOWN


def _reservation(value: str) -> bool | None:
    text = value.strip().strip('"').strip()
    return {"1": True, "0": False}.get(text)


def header_map(headers: Mapping[str, object] | str | None) -> dict[str, str]:
    """Header names (lower case) to values from a mapping, a JSON object or a raw header block.

    Repeated headers in a raw block are joined with ", " as HTTP allows; repeated
    X-Robots-Tag lines with a newline, because an agent scope (``googlebot: noai``) ends
    with its line.
    """
    if headers is None:
        return {}
    if isinstance(headers, str):
        text = headers.strip()
        if text.startswith("{"):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                return header_map(loaded)
        out: dict[str, str] = {}
        for name, value in _HEADER_LINE.findall(text):
            key = name.lower()
            sep = "\n" if key == "x-robots-tag" else ", "
            out[key] = f"{out[key]}{sep}{value}" if key in out else value
        return out
    return {str(k).lower(): ("\n" if str(k).lower() == "x-robots-tag" else ", ").join(
                map(str, v)) if isinstance(v, list) else str(v)
            for k, v in headers.items()}


def from_headers(headers: Mapping[str, object] | str | None, agent: str | None = None,
                 aipref: Vocabulary | None = None) -> TdmVerdict:
    """The opt-out stated by a response's HTTP headers, for the crawler ``agent`` (its product
    token: ``X-Robots-Tag: googlebot: noai`` applies to googlebot only). ``Content-Usage``
    (IETF aipref draft) is read only when a draft ``aipref`` vocabulary is given."""
    found = header_map(headers)
    verdicts = []
    if "tdm-reservation" in found:
        reserved = _reservation(found["tdm-reservation"])
        detail = None if reserved is not None else (
            f"tdm-reservation value {found['tdm-reservation']!r} is neither 0 nor 1; ignored")
        verdicts.append(TdmVerdict(reserved, "tdm-reservation header",
                                   found.get("tdm-policy") if reserved else None, detail))
    if "x-robots-tag" in found and (
            values := noai_values(found["x-robots-tag"].split("\n"), agent)):
        verdicts.append(TdmVerdict(True, "X-Robots-Tag header", None, values))
    if aipref is not None and "content-usage" in found:
        allowed = aipref.allows_training([preferences(found["content-usage"])])
        if allowed is not None:
            verdicts.append(TdmVerdict(not allowed, f"Content-Usage header ({aipref.draft})",
                                       None, found["content-usage"]))
    return combine(*verdicts)


class _MetaParser(HTMLParser):
    def __init__(self, agent: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.names = {"tdm-reservation", "tdm-policy", "robots"} | (
            {agent.lower()} if agent else set())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        name = values.get("name", "").lower()
        if name in self.names:
            previous = self.meta.get(name)
            content = values.get("content", "")
            self.meta[name] = f"{previous}, {content}" if previous else content


def from_html(html: str, agent: str | None = None) -> TdmVerdict:
    """The opt-out stated by ``<meta>`` elements of an HTML page: TDMRep's, and ``noai`` in
    ``<meta name="robots">`` or in a meta element named for the crawler (``name="googlebot"``
    speaks to googlebot only)."""
    parser = _MetaParser(agent)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        pass
    meta = parser.meta
    verdicts = []
    if "tdm-reservation" in meta:
        reserved = _reservation(meta["tdm-reservation"])
        verdicts.append(TdmVerdict(reserved, "tdm-reservation meta",
                                   meta.get("tdm-policy") if reserved else None))
    for name in sorted(parser.names - {"tdm-reservation", "tdm-policy"}):
        if name in meta and (values := noai_values([meta[name]], None)):
            verdicts.append(TdmVerdict(True, f"{name} meta", None, values))
    return combine(*verdicts)


class TdmRepFile:
    """A parsed ``/.well-known/tdmrep.json``. Raises ``ValueError`` naming the problem."""

    def __init__(self, body: bytes | str) -> None:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(data, list):
            raise ValueError("tdmrep.json must be a JSON array of rules")
        self.rules: list[tuple[str, bool | None, str | None]] = []
        for i, entry in enumerate(data):
            if not isinstance(entry, dict) or not isinstance(entry.get("location"), str):
                raise ValueError(f"rule {i}: needs a 'location' string")
            reservation = entry.get("tdm-reservation")
            reserved = _reservation(str(reservation)) if reservation is not None else None
            policy = entry.get("tdm-policy")
            self.rules.append((entry["location"], reserved,
                               str(policy) if isinstance(policy, str) else None))
        # The first rule whose location matches applies: compile each as its own rule set.
        self._compiled = [
            CompiledRules([Rule(False, normalize(loc, pattern=True), i, loc)])
            for i, (loc, _, _) in enumerate(self.rules)]

    def lookup(self, path: str) -> TdmVerdict:
        """The verdict for a canonical path (see :func:`gpact.rights.normalize.split_url`)."""
        for (location, reserved, policy), compiled in zip(self.rules, self._compiled,
                                                          strict=True):
            if compiled.outcome(compiled.decide_paths([path])[0]).rule is not None:
                return TdmVerdict(reserved, "tdmrep.json", policy if reserved else None,
                                  f"location {location!r}")
        return UNKNOWN
