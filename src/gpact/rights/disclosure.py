"""The public crawler-information page (Code of Practice, copyright Measure 1.3) and its feed.

Input: a small YAML/JSON file describing the provider's crawlers (names, user-agent tokens,
purposes, robots.txt and opt-out handling, collection periods). Output: the page as HTML and
JSON, plus an Atom feed that gains one entry each time the published content changes, so
rightsholders can follow updates automatically.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gpact import NOT_LEGAL_ADVICE, __version__, safeio
from gpact.errors import InputError
from gpact.rights.bounded import FEED_LIMIT

ATOM = "http://www.w3.org/2005/Atom"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
DEFAULT_ROBOTS = ("Reads and follows robots.txt as specified by IETF RFC 9309: the group for "
                  "its product token, else the '*' group; longest match wins, allow on ties; "
                  "a 4xx robots.txt allows crawling, a 5xx or unreachable robots.txt stops it; "
                  "robots.txt is cached for at most 24 hours.")


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(alias="from")
    to: str | None = None  # None: ongoing

    @field_validator("start", "to")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not _MONTH.fullmatch(str(value)):
            raise ValueError("use YYYY-MM")
        return value


class Crawler(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    token: str
    user_agent: str | None = None
    purposes: list[str] = Field(min_length=1)
    robots_txt: str = DEFAULT_ROBOTS
    other_opt_outs: list[str] = Field(default_factory=list)
    paywalls: str = "Does not circumvent paywalls, logins or other access restrictions."
    collection_periods: list[Period] = Field(default_factory=list)
    ip_ranges: str | None = None
    status: Literal["active", "retired"] = "active"

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not _TOKEN.fullmatch(value):
            raise ValueError("a robots.txt product token: letters, digits, '_' and '-' only")
        return value


class CrawlerPage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: str
    page_url: str
    contact: str | None = None
    opt_out_contact: str | None = None
    crawlers: list[Crawler] = Field(min_length=1)


def load_page(path: Path) -> CrawlerPage:
    """Read and validate a crawler description; problems name the file and the field."""
    data = safeio.load(path, safeio.SETTINGS).data  # bounded; one-line errors
    if not isinstance(data, dict):
        raise InputError(str(path), None, "expected a mapping with provider, page_url, crawlers")
    try:
        return CrawlerPage.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        where = ".".join(str(p) for p in err["loc"]) or None
        problem = str(err["msg"]).lower()
        if err["type"] == "extra_forbidden":
            names = set(CrawlerPage.model_fields) | set(Crawler.model_fields) | {"from", "to"}
            close = difflib.get_close_matches(str(err["loc"][-1]), sorted(names), n=1)
            problem = "unknown field" + (f"; did you mean {close[0]!r}?" if close else "")
        raise InputError(str(path), where, problem) from None


def page_json(page: CrawlerPage, rulebook_label: str) -> dict[str, Any]:
    """The page's content as JSON (stable key order; ``version`` hashes the content)."""
    content = page.model_dump(by_alias=True, mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    return {"schema": "gpact.rights.crawlers/v1", "version": digest, **content,
            "generator": {"gpact_version": __version__, "rulebook_version": rulebook_label,
                          "not_legal_advice": NOT_LEGAL_ADVICE}}


def _period_text(crawler: Crawler) -> str:
    if not crawler.collection_periods:
        return "not stated"
    return "; ".join(f"{p.start} – {p.to or 'ongoing'}" for p in crawler.collection_periods)


def page_html(data: dict[str, Any], updated: dt.datetime) -> str:
    """A self-contained HTML page; every value is escaped."""
    e = html.escape
    rows = []
    for c in data["crawlers"]:
        crawler = Crawler.model_validate(c)
        opt_outs = ", ".join(crawler.other_opt_outs) or "none stated"
        rows.append(f"""<section class="crawler" id="{e(crawler.token)}">
  <h2>{e(crawler.name)} <code>{e(crawler.token)}</code> <small>({e(crawler.status)})</small></h2>
  <dl>
    <dt>User-agent</dt><dd><code>{e(crawler.user_agent or crawler.token)}</code></dd>
    <dt>robots.txt product token</dt><dd><code>{e(crawler.token)}</code></dd>
    <dt>Purposes</dt><dd>{"<br>".join(e(p) for p in crawler.purposes)}</dd>
    <dt>robots.txt</dt><dd>{e(crawler.robots_txt)}</dd>
    <dt>Other opt-outs honoured</dt><dd>{e(opt_outs)}</dd>
    <dt>Paywalls and logins</dt><dd>{e(crawler.paywalls)}</dd>
    <dt>Collection periods</dt><dd>{e(_period_text(crawler))}</dd>
    {f'<dt>IP ranges</dt><dd>{e(crawler.ip_ranges)}</dd>' if crawler.ip_ranges else ''}
  </dl>
</section>""")
    contact = data.get("opt_out_contact") or data.get("contact")
    generator = data["generator"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(data["provider"])} — web crawlers</title>
<link rel="alternate" type="application/atom+xml" title="Changes" href="crawlers.atom">
<link rel="alternate" type="application/json" href="crawlers.json">
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}
dt{{font-weight:600}}dd{{margin:0 0 .6rem 0}}code{{background:#f3f3f3;padding:0 .2rem}}</style>
</head><body>
<h1>Web crawlers of {e(data["provider"])}</h1>
<p>Version <code>{e(data["version"])}</code>, updated {e(updated.date().isoformat())}.
Follow changes with the <a href="crawlers.atom">Atom feed</a>.
{f'Contact for rightsholders: {e(contact)}.' if contact else ''}</p>
{chr(10).join(rows)}
<footer><small>Generated by gpact {e(generator["gpact_version"])} (rulebook
{e(generator["rulebook_version"])}). {e(generator["not_legal_advice"])}</small></footer>
</body></html>
"""


def update_feed(feed: Path, data: dict[str, Any], updated: dt.datetime) -> bool:
    """Add an entry for this version unless the feed's newest entry already has it.

    Returns whether an entry was added. Older entries are kept, newest first.
    """
    ET.register_namespace("", ATOM)
    entries: list[ET.Element] = []
    if feed.exists():
        try:
            old = ET.fromstring(safeio.read_bytes(feed, FEED_LIMIT, "crawler feed"))
        except ET.ParseError as exc:
            raise InputError(str(feed), None, f"existing feed is not valid XML: {exc}") from None
        entries = old.findall(f"{{{ATOM}}}entry")
        newest = entries[0].find(f"{{{ATOM}}}id") if entries else None
        if newest is not None and (newest.text or "").endswith(f"#version-{data['version']}"):
            return False
    root = ET.Element(f"{{{ATOM}}}feed")
    stamp = updated.isoformat()
    for tag, text in (("title", f"{data['provider']} — web crawler information"),
                      ("id", data["page_url"]), ("updated", stamp)):
        ET.SubElement(root, f"{{{ATOM}}}{tag}").text = text
    ET.SubElement(root, f"{{{ATOM}}}link", href=data["page_url"])
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = data["provider"]
    ET.SubElement(root, f"{{{ATOM}}}generator", version=__version__).text = "gpact"
    entry = ET.Element(f"{{{ATOM}}}entry")
    tokens = ", ".join(c["token"] for c in data["crawlers"])
    for tag, text in (("title", f"Crawler information, version {data['version']}"),
                      ("id", f"{data['page_url']}#version-{data['version']}"),
                      ("updated", stamp),
                      ("summary", f"Crawlers: {tokens}. See the page for purposes, robots.txt "
                                  "and opt-out handling and collection periods.")):
        ET.SubElement(entry, f"{{{ATOM}}}{tag}").text = text
    ET.SubElement(entry, f"{{{ATOM}}}link", href=data["page_url"])
    root.append(entry)
    root.extend(entries)
    ET.indent(root)
    feed.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
    return True
