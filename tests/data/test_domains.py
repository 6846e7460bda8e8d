"""Registrable domains and host parsing, against an independent PSL implementation."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from gpact.data.hosts import hosts_from_keys
from gpact.data.psl import IP_ADDRESS, REGISTRABLE, SUFFIX_ONLY, load_rules, registrable_domains
from gpact.data.summary import list_length

ICANN = PublicSuffixList(only_icann=True)
ALL = PublicSuffixList()


@pytest.mark.parametrize(("host", "domain", "kind"), [
    ("www.example.com", "example.com", REGISTRABLE),
    ("a.b.example.co.uk", "example.co.uk", REGISTRABLE),
    ("co.uk", "co.uk", SUFFIX_ONLY),
    ("a.b.x.ck", "b.x.ck", REGISTRABLE),          # wildcard *.ck
    ("www.ck", "www.ck", REGISTRABLE),            # exception !www.ck
    ("x.city.kawasaki.jp", "city.kawasaki.jp", REGISTRABLE),
    ("foo.github.io", "github.io", REGISTRABLE),  # private section off by default
    ("bücher.de", "bücher.de", REGISTRABLE),
    ("shop.xn--p1ai", "shop.xn--p1ai", REGISTRABLE),
    ("a.shop.xn--p1ai", "shop.xn--p1ai", REGISTRABLE),
    ("nom.br", "nom.br", REGISTRABLE),  # only *.nom.br is a rule (tldextract agrees)
    ("192.0.2.1", "192.0.2.1", IP_ADDRESS),
    ("[2001:db8::1]", "[2001:db8::1]", IP_ADDRESS),
    ("localhost", "localhost", SUFFIX_ONLY),
])
def test_registrable_domain_table(host: str, domain: str, kind: int) -> None:
    domains, kinds = registrable_domains(pa.array([host]), load_rules())
    assert (domains[0].as_py(), int(kinds[0])) == (domain, kind)


def test_private_section_is_optional() -> None:
    domains, _ = registrable_domains(pa.array(["foo.github.io"]), load_rules(private=True))
    assert domains.to_pylist() == ["foo.github.io"]


SUFFIXES = ["com", "co.uk", "ck", "kawasaki.jp", "city.kawasaki.jp", "github.io", "de",
            "com.au", "org", "blogspot.com", "uk", "jp", "xn--p1ai", "io", "nom.br",
            "s3.amazonaws.com", "compute.amazonaws.com", "appspot.com"]
WILDCARDS = {"*.ck", "*.kawasaki.jp", "*.nom.br", "*.compute.amazonaws.com"}
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(prefix=st.lists(LABEL, min_size=0, max_size=4), suffix=st.sampled_from(SUFFIXES),
       private=st.booleans())
def test_matches_publicsuffixlist(prefix: list[str], suffix: str, private: bool) -> None:
    host = ".".join([*prefix, suffix])
    if not prefix and f"*.{suffix}" in WILDCARDS:
        return  # publicsuffixlist treats the parent of a wildcard rule as a suffix; the PSL
        # algorithm (and tldextract) do not: covered by the nom.br row of the table above
    reference = (ALL if private else ICANN).privatesuffix(host)
    domains, kinds = registrable_domains(pa.array([host]), load_rules(private))
    if reference is None:
        assert int(kinds[0]) == SUFFIX_ONLY and domains[0].as_py() == host
    else:
        assert domains[0].as_py() == reference


def test_vectorised_batch_equals_one_by_one() -> None:
    hosts = [f"h{i}.s{i % 7}.{SUFFIXES[i % len(SUFFIXES)]}" for i in range(500)]
    batch, _ = registrable_domains(pa.array(hosts), load_rules())
    singles = [registrable_domains(pa.array([h]), load_rules())[0][0].as_py() for h in hosts]
    assert batch.to_pylist() == singles


@pytest.mark.parametrize(("key", "host"), [
    ("https://U@WWW.Example.com.:443", "www.example.com"),
    ("http://www.example.com", "www.example.com"),
    ("https://[::1]:80", "[::1]"),
    ("https://bücher.DE", "bücher.de"),
    ("", None), ("//a.com", None), ("https://", None), ("https://a..b", None),
    ("https://a b.com", None), ("https://a.com:8x", None), ("1http://a.com", None),
    ("User@Example.COM:8080", "example.com"),  # the authority of an http(s) URL
    ("a.com?q=1", "a.com"), ("a.com#top", "a.com"), ("ftp://files.a.org", "files.a.org"),
])
def test_hosts_from_keys(key: str, host: str | None) -> None:
    assert hosts_from_keys(pa.array([key])).to_pylist() == [host]


@pytest.mark.parametrize(("n", "share", "rounding", "cap", "expected"), [
    (20, 0.10, "ceil", None, 2),
    (21, 0.10, "ceil", None, 3),
    (21, 0.10, "floor", None, 2),
    (25, 0.10, "half_up", None, 3),
    (30, 0.10, "ceil", None, 3),        # 0.1 * 30 is 3.0000000000000004 in binary floats
    (1, 0.10, "ceil", None, 1),         # one crawled domain is listed
    (0, 0.10, "ceil", None, 0),
    (19_999, 0.05, "ceil", 1000, 1000),  # SME: 5 % would be 1 000 (999.95 rounded up)
    (100_000, 0.05, "ceil", 1000, 1000),  # SME: capped at 1 000
    (15_000, 0.05, "ceil", 1000, 750),   # SME: 5 % is lower than 1 000
])
def test_list_length(n: int, share: float, rounding: str, cap: int | None,
                     expected: int) -> None:
    assert list_length(n, share, rounding, cap) == expected


@settings(max_examples=100, deadline=None)
@given(sizes=st.dictionaries(LABEL, st.integers(0, 5), min_size=1, max_size=40),
       share=st.sampled_from([0.05, 0.1, 0.5, 1.0]))
def test_domain_figures_equal_a_full_sort(sizes: dict[str, int], share: float) -> None:
    """The list and the figures computed in SQL over the size histogram, against Python
    over every domain (ties at every size are likely with sizes 0..5)."""
    from gpact.data.engine import DOMAINS_VIEW, domain_figures
    from gpact.data.engine_duckdb import DuckDBBackend

    with DuckDBBackend() as backend:
        backend.con.register("t", pa.table({"domain": list(sizes), "bytes_sum": list(
            sizes.values()), "items_sum": [1] * len(sizes)}))
        backend.materialize(DOMAINS_VIEW, "SELECT * FROM t", "test")
        figures = domain_figures(backend, lambda n: list_length(n, share, "ceil", None))
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    k = list_length(len(sizes), share, "ceil", None)
    assert [(d["domain"], d["bytes"]) for d in figures.listed] == ranked[:k]
    total = sum(sizes.values())
    cum = [sum(b for _, b in ranked[:j]) for j in range(len(ranked) + 1)]
    assert figures.ties_at_cutoff == sum(1 for _, b in ranked[k:] if b == ranked[k - 1][1])
    assert all(figures.top_bytes[j] == cum[j] for j in figures.top_bytes)
    assert set(figures.top_bytes) >= {k, -(-len(sizes) // 100), -(-len(sizes) // 10)}
    assert figures.half == (min(j for j in range(len(cum)) if 2 * cum[j] >= total)
                            if total else None)
    assert (figures.count, figures.bytes) == (len(sizes), total)
    assert figures.sum_of_squares == sum(b * b for b in sizes.values())


@pytest.mark.parametrize(("key", "host"), [
    ("https://münchen.de", "münchen.de"),
    ("https://xn--mnchen-3ya.de", "münchen.de"),
    ("https://WWW.MÜNCHEN.DE:443", "www.münchen.de"),
    ("https://www.XN--MNCHEN-3YA.de", "www.münchen.de"),
    ("https://a。bücher.de", "a.bücher.de"),       # ideographic full stop (UTS 46)
    ("https://shop.xn--p1ai", "shop.рф"),
    ("https://xn--zz.com", None),                  # not a valid A-label
    ("https://xn--mnchen-3ya-.de", None),          # an A-label ending in a hyphen
    ("https://r4---sn-a.xn--p1ai", "r4---sn-a.рф"),  # plain ASCII labels stay as they are
    ("https://a_b.example.com", "a_b.example.com"),  # ASCII labels keep underscores
])
def test_internationalised_hosts_have_one_spelling(key: str, host: str | None) -> None:
    assert hosts_from_keys(pa.array([key])).to_pylist() == [host]


IDN_LABEL = st.text(alphabet="abcxyzäöüßéçøπрфд日本", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(labels=st.lists(IDN_LABEL, min_size=1, max_size=3),
       suffix=st.sampled_from(["de", "com", "co.uk", "рф", "xn--p1ai", "日本"]))
def test_idn_spellings_agree(labels: list[str], suffix: str) -> None:
    import idna

    unicode = ".".join([*labels, suffix])
    try:
        ascii_form = idna.encode(unicode, uts46=True).decode()
    except idna.IDNAError:
        return  # not a valid IDNA 2008 name: every spelling is rejected alike
    spellings = [unicode, ascii_form, ascii_form.upper()]
    if unicode.upper().lower() == unicode:  # "ß".upper() is "SS", a different name
        spellings.append(unicode.upper())
    hosts = hosts_from_keys(pa.array([f"https://{s}" for s in spellings]))
    assert len(set(hosts.to_pylist())) == 1 and hosts[0].as_py() is not None
    domains, _ = registrable_domains(hosts, load_rules())
    assert len(set(domains.to_pylist())) == 1


def test_bare_suffix_next_to_its_subdomains() -> None:
    hosts = ["uk", "a.example.co.uk", "co.uk", "x.ck", "ck", "b.x.ck", "jp", "a.kawasaki.jp"]
    domains, kinds = registrable_domains(pa.array(hosts), load_rules())
    assert domains.to_pylist() == ["uk", "example.co.uk", "co.uk", "x.ck", "ck", "b.x.ck",
                                   "jp", "a.kawasaki.jp"]
    assert [int(k) for k in kinds] == [SUFFIX_ONLY, REGISTRABLE, SUFFIX_ONLY, SUFFIX_ONLY,
                                       SUFFIX_ONLY, REGISTRABLE, SUFFIX_ONLY, SUFFIX_ONLY]


@settings(max_examples=200, deadline=None)
@given(hosts=st.lists(st.builds(lambda p, s: ".".join([*p, s]),
                                st.lists(LABEL, min_size=0, max_size=3),
                                st.sampled_from(SUFFIXES)), min_size=1, max_size=30))
def test_batch_of_mixed_depths_equals_one_by_one(hosts: list[str]) -> None:
    batch, _ = registrable_domains(pa.array(hosts), load_rules())
    singles = [registrable_domains(pa.array([h]), load_rules())[0][0].as_py() for h in hosts]
    assert batch.to_pylist() == singles
