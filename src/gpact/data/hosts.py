"""Turn distinct URL keys into normalised host names, column-wise.

A key is the authority of an http(s) URL (``User@Host:443``, possibly followed by ``?…`` or
``#…`` when the URL has no path) or, for other schemes, ``scheme://authority``.

A key is valid when it has a scheme and a host that is a bracketed IPv6 address or a sequence
of non-empty labels (ASCII letters, digits, ``-``, ``_`` or non-ASCII characters). User info
and port are dropped, the host is lower-cased and a trailing dot removed, so
``https://U@WWW.Example.com.:443`` and ``http://www.example.com`` are the same host.

Internationalised names are one host whatever their spelling: hosts with a non-ASCII or
``xn--`` label are mapped by UTS 46 (``idna`` package) and written in Unicode, so
``MÜNCHEN.de``, ``münchen.de`` and ``xn--mnchen-3ya.de`` are all ``münchen.de``. A label that
is not a valid IDNA 2008 label (``xn--zz``, ``ab--cd``) makes the key invalid.
"""

from __future__ import annotations

import idna
import pyarrow as pa
import pyarrow.compute as pc

_KEY = (r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?:[^@/?#]*@)?"
        r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^:@\[\]?#]*?)\.?(?::[0-9]*)?(?:[?#].*)?$")
_LABELS = r"^(?:[a-z0-9_\-]|[^\x00-\x7f])+(?:\.(?:[a-z0-9_\-]|[^\x00-\x7f])+)*$"


_SIMPLE = r"^[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*$"  # already a normalised host


def hosts_from_keys(keys: pa.Array) -> pa.Array:
    """Normalised host per key, or null where the key has no valid scheme://host.

    Most keys are already plain lower-case host names: a capture-free match (fast) lets them
    through; only the others go through the full parse.
    """
    keys = keys.cast(pa.string()).fill_null("")
    simple = pc.match_substring_regex(keys, _SIMPLE)
    hosts = keys
    if not pc.all(simple).as_py():
        rest = pc.invert(simple)
        hosts = pc.replace_with_mask(keys, rest, _parse(pc.filter(keys, rest)))
    idn = pc.fill_null(pc.or_(pc.invert(pc.string_is_ascii(hosts)),
                              pc.match_substring(hosts, "xn--")), False)
    if pc.any(idn).as_py():
        hosts = pc.replace_with_mask(hosts, idn, pa.array(
            [_idn(h) for h in pc.filter(hosts, idn).to_pylist()], pa.string()))
    return hosts


def _idn(host: str) -> str | None:
    """One spelling of an internationalised host name (UTS 46, Unicode labels), or None."""
    try:
        labels = idna.uts46_remap(host, std3_rules=False, transitional=False).split(".")
        if not all(labels):
            return None
        return ".".join(idna.ulabel(label) if not label.isascii() or label.startswith("xn--")
                        else label for label in labels)
    except (idna.IDNAError, UnicodeError):
        return None


def _parse(keys: pa.Array) -> pa.Array:
    bare = pc.and_(pc.invert(pc.match_substring(keys, "//")), pc.not_equal(keys, ""))
    keys = pc.if_else(bare, pc.binary_join_element_wise("http://", keys, ""), keys)
    parts = pc.extract_regex(keys, _KEY)
    host = pc.utf8_lower(pc.struct_field(parts, "host"))
    ok = pc.and_(pc.is_valid(host),
                 pc.or_(pc.starts_with(host, "["), pc.match_substring_regex(host, _LABELS)))
    return pc.if_else(pc.fill_null(ok, False), host, pa.nulls(len(keys), pa.string()))
