"""Croissant (MLCommons, JSON-LD) dataset descriptions into the record's dataset entries.

Read as plain JSON-LD in the compacted form Croissant files use (``@vocab`` schema.org):
``name``, ``version``, ``url``, ``license``, ``inLanguage``, the ``contentSize`` of each
``cr:FileObject`` in ``distribution`` (summed) and the data types of the record sets
(modality). ``conformsTo`` must name a Croissant version gpact knows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gpact.errors import InputError
from gpact.interop.files import read_json
from gpact.interop.merge import Imported, significant

VERSIONS = ("1.0", "1.1")
UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15,
         "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "pib": 2**50,
         "bytes": 1, "byte": 1}
MODALITY_TYPES = {"imageobject": "image", "audioobject": "audio", "videoobject": "video"}
CC_URL = re.compile(r"creativecommons\.org/(?:licenses/([a-z-]+)/(\d\.\d)|publicdomain/zero/"
                    r"(1\.0))", re.IGNORECASE)
KNOWN_LICENCE_URLS = {"apache.org/licenses/license-2.0": "Apache-2.0",
                      "opensource.org/licenses/mit": "MIT",
                      "opendatacommons.org/licenses/by": "ODC-By-1.0",
                      "opendatacommons.org/licenses/odbl": "ODbL-1.0"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _type(node: dict[str, Any]) -> list[str]:
    return [str(t).split(":")[-1].split("/")[-1].lower() for t in _list(node.get("@type"))]


def spdx_licence(value: Any) -> str | None:
    """An SPDX id for a licence URL or name where one is known, else the text itself."""
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    if not value:
        return None
    text = str(value).strip()
    cc = CC_URL.search(text)
    if cc:
        if cc.group(3):
            return "CC0-1.0"
        return f"CC-{cc.group(1).upper()}-{cc.group(2)}"
    spdx = re.search(r"spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$", text)
    if spdx:
        return spdx.group(1)
    key = re.sub(r"^https?://(www\.)?", "", text.lower()).rstrip("/").removesuffix(".html")
    for url, spdx_id in KNOWN_LICENCE_URLS.items():
        if key.startswith(url):
            return spdx_id
    return text


def content_bytes(size: Any) -> float | None:
    """``contentSize`` such as ``"117743 B"``, ``"1.5 GB"``, ``"12MiB"`` or a bare number."""
    if isinstance(size, int | float) and not isinstance(size, bool):
        return float(size)
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*",
                     str(size or ""))
    if not m:
        return None
    factor = UNITS.get(m.group(2).lower() or "b")
    return float(m.group(1)) * factor if factor else None


def _datasets(data: Any, file: str) -> list[dict[str, Any]]:
    nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
    if not isinstance(nodes, list):
        raise InputError(file, None, "expected a Croissant JSON-LD object")
    found = [n for n in nodes if isinstance(n, dict) and "dataset" in _type(n)]
    if not found:
        raise InputError(file, "@type", "no sc:Dataset: not a Croissant description")
    return found


def read_croissant(path: Path) -> Imported:
    file = str(path)
    data = read_json(path)
    if not isinstance(data, dict | list):
        raise InputError(file, None, "expected a Croissant JSON-LD object")
    out = Imported({"gpact_record": 1}, [f"{path.name} (Croissant)"])
    entries = [_entry(node, file, out.skipped) for node in _datasets(data, file)]
    out.data["data"] = {"public_datasets": {"used": True, "datasets": entries}}
    out.skipped.append("recorded under public datasets (training summary 2.1): move an entry "
                       "to licensed or private data if it is not publicly available")
    return out


def _version(node: dict[str, Any], file: str, skipped: list[str]) -> None:
    conforms = [str(c.get("@id") if isinstance(c, dict) else c)
                for c in _list(node.get("conformsTo") or node.get("dct:conformsTo"))]
    croissant = [c for c in conforms if "mlcommons.org/croissant" in c]
    if not croissant:
        skipped.append(f"{node.get('name', 'dataset')}: no conformsTo; read as Croissant 1.0")
        return
    version = croissant[0].rstrip("/").rsplit("/", 1)[-1]
    if version not in VERSIONS:
        raise InputError(file, "conformsTo", f"unknown Croissant version {version!r} (gpact "
                         f"reads {', '.join(VERSIONS)})")


def _entry(node: dict[str, Any], file: str, skipped: list[str]) -> dict[str, Any]:
    name = node.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(file, "name", "missing: a Croissant dataset needs a name")
    _version(node, file, skipped)
    entry: dict[str, Any] = {"name": name.strip()}
    if node.get("url"):
        entry["url"] = str(_list(node["url"])[0])
    if node.get("version") is not None:
        entry["version"] = str(node["version"])
    licences = [lic for lic in (spdx_licence(v) for v in _list(node.get("license"))) if lic]
    if licences:
        entry["licence"] = " AND ".join(licences) if len(licences) > 1 else licences[0]
    languages = [str(v.get("name") if isinstance(v, dict) else v)
                 for v in _list(node.get("inLanguage"))]
    if languages:
        entry["languages"] = languages
    files = [d for d in _list(node.get("distribution")) if isinstance(d, dict)
             and "fileobject" in _type(d)]
    sizes = [content_bytes(d.get("contentSize")) for d in files]
    if files and all(s is not None for s in sizes):
        total = sum(s for s in sizes if s is not None)
        entry.update(size=significant(total / 1e9), unit="GB")
    elif files:
        unknown = sum(1 for s in sizes if s is None)
        skipped.append(f"{name}: size left out ({unknown} of {len(files)} files give no "
                       "readable contentSize)")
    entry["modality"] = _modality(node, name, skipped)
    return entry


def _modality(node: dict[str, Any], name: str, skipped: list[str]) -> str:
    kinds: set[str] = set()
    for record_set in _list(node.get("recordSet")):
        for field in _list(record_set.get("field") if isinstance(record_set, dict) else None):
            for dtype in _list(field.get("dataType") if isinstance(field, dict) else None):
                kinds.add(MODALITY_TYPES.get(str(dtype).split(":")[-1].lower(), "text"))
    for dist in _list(node.get("distribution")):
        fmt = str(dist.get("encodingFormat") or "") if isinstance(dist, dict) else ""
        if fmt.split("/")[0] in ("image", "audio", "video"):
            kinds.add(fmt.split("/")[0])
    if len(kinds) > 1:
        skipped.append(f"{name}: several modalities ({', '.join(sorted(kinds))}): recorded as "
                       "'other'; split the entry per modality for the training summary")
        return "other"
    return next(iter(kinds), "text")
