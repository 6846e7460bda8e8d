"""TDMRep (headers, meta, tdmrep.json) and the noai / noimageai robots values."""

from __future__ import annotations

import pytest

from gpact.rights.normalize import split_url
from gpact.rights.tdmrep import TdmRepFile, combine, from_headers, from_html, header_map


@pytest.mark.parametrize(("headers", "label", "source"), [
    ({"TDM-Reservation": "1"}, "reserved", "tdm-reservation header"),
    ({"tdm-reservation": "0"}, "not_reserved", "tdm-reservation header"),
    ({"tdm-reservation": "yes"}, "unknown", None),
    ({}, "unknown", None),
    (None, "unknown", None),
    ('{"tdm-reservation": 1, "tdm-policy": "https://x/p.json"}', "reserved",
     "tdm-reservation header"),
    ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ntdm-reservation: 1\r\n", "reserved",
     "tdm-reservation header"),
    ({"X-Robots-Tag": "noai"}, "reserved", "X-Robots-Tag header"),
    ({"X-Robots-Tag": "noindex, noimageai"}, "reserved", "X-Robots-Tag header"),
    ({"X-Robots-Tag": "noindex, nofollow"}, "unknown", None),
    ({"X-Robots-Tag": "noairline"}, "unknown", None),
    ({"tdm-reservation": "0", "X-Robots-Tag": "noai"}, "reserved", "X-Robots-Tag header"),
])
def test_headers(headers: object, label: str, source: str | None) -> None:
    verdict = from_headers(headers)  # type: ignore[arg-type]
    assert (verdict.label, verdict.source) == (label, source)


def test_policy_only_with_reservation() -> None:
    assert from_headers({"tdm-reservation": "1", "tdm-policy": "https://p"}).policy == "https://p"
    assert from_headers({"tdm-reservation": "0", "tdm-policy": "https://p"}).policy is None


def test_repeated_raw_headers_are_joined() -> None:
    assert header_map("X-Robots-Tag: noindex\nX-Robots-Tag: noai\nLink: <a>\nLink: <b>\n") == {
        "x-robots-tag": "noindex\nnoai", "link": "<a>, <b>"}


@pytest.mark.parametrize(("html", "label"), [
    ('<html><head><meta name="tdm-reservation" content="1"></head></html>', "reserved"),
    ('<meta name="TDM-Reservation" content="0">', "not_reserved"),
    ('<meta name="robots" content="noai, noimageai">', "reserved"),
    ('<meta name="robots" content="index, follow">', "unknown"),
    ("<p>no meta at all</p>", "unknown"),
    ("<meta name=tdm-reservation content=1", "unknown"),  # unterminated tag
])
def test_html(html: str, label: str) -> None:
    assert from_html(html).label == label


def test_tdmrep_json_first_matching_rule() -> None:
    body = """[
      {"location": "/free/*", "tdm-reservation": 0},
      {"location": "/*.pdf$", "tdm-reservation": 1, "tdm-policy": "https://x.example/p"},
      {"location": "/", "tdm-reservation": 1}
    ]"""
    rules = TdmRepFile(body)

    def label(url: str) -> str:
        split = split_url(url)
        assert split is not None
        return rules.lookup(split.path).label

    assert label("https://x.example/free/a.pdf") == "not_reserved"
    assert label("https://x.example/docs/a.pdf") == "reserved"
    assert rules.lookup("/docs/a.pdf").policy == "https://x.example/p"
    assert label("https://x.example/index.html") == "reserved"
    assert TdmRepFile('[{"location": "/a"}]').lookup("/b").label == "unknown"


@pytest.mark.parametrize(("body", "problem"), [
    ("not json", "not JSON"),
    ('{"location": "/"}', "JSON array"),
    ('[{"tdm-reservation": 1}]', "rule 0"),
])
def test_tdmrep_json_errors(body: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        TdmRepFile(body)


def test_combine_prefers_reservation() -> None:
    reserved = from_headers({"tdm-reservation": "1"})
    free = from_headers({"tdm-reservation": "0"})
    assert combine(free, reserved) is reserved
    assert combine(free).label == "not_reserved"
    assert combine().label == "unknown"
