"""The documentation record as a web form, grouped like the record (and so the documents).

The fields come from the record's own schema (``gpact.documents.record``): one input per
plain field (text, number, yes/no, date, choice), one line per item for lists of words;
lists of objects and maps stay in the YAML/JSON view. Saving merges the form into the
current record text and validates it like any other save, so nothing the form does not
show is lost.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from types import UnionType
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from gpact.documents.record import DocumentationRecord
from gpact.services.server_errors import Invalid

Kind = Literal["text", "long", "int", "float", "bool", "date", "choice", "lines"]
LONG_HINTS = ("description", "summary", "measures", "policy", "process", "method", "notes",
              "explanation", "procedure")


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    kind: Kind
    value: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    fields: list[Field]


def _plain(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if typing.get_origin(annotation) in (typing.Union, UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _kind(annotation: Any, name: str) -> tuple[Kind, tuple[str, ...]] | None:
    a = _plain(annotation)
    origin = typing.get_origin(a)
    if origin is Literal:
        return "choice", tuple(str(x) for x in typing.get_args(a))
    if origin is list:
        (item,) = typing.get_args(a) or (str,)
        if item is str or typing.get_origin(item) is Literal:
            return "lines", ()
        return None
    if a is bool:
        return "bool", ()
    if a is int:
        return "int", ()
    if a is float:
        return "float", ()
    if a is dt.date:
        return "date", ()
    if a is str:
        return ("long" if any(h in name for h in LONG_HINTS) else "text"), ()
    return None


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _get(data: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _show(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def _walk(model: type[BaseModel], data: Any, prefix: list[str]) -> list[Field]:
    out = []
    for name, info in model.model_fields.items():
        a = _plain(info.annotation)
        if isinstance(a, type) and issubclass(a, BaseModel):
            out += _walk(a, data, [*prefix, name])
            continue
        found = _kind(info.annotation, name)
        if found is None:
            continue
        kind, options = found
        path = [*prefix, name]
        label = " · ".join(_label(p) for p in path[1:]) or _label(name)
        out.append(Field(".".join(path), label, kind, _show(_get(data, path), kind), options))
    return out


def groups(text: str) -> list[Group]:
    data = yaml.safe_load(text or "") or {}
    out = []
    for name, info in DocumentationRecord.model_fields.items():
        a = _plain(info.annotation)
        if isinstance(a, type) and issubclass(a, BaseModel) and name != "references":
            fields = _walk(a, data, [name])
            if fields:
                out.append(Group(name, _label(name), fields))
    return out


def _parse(field: Field, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    try:
        if field.kind == "int":
            return int(raw)
        if field.kind == "float":
            return float(raw)
        if field.kind == "date":
            return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise Invalid([f"{field.path}: not a valid {field.kind}: {raw!r}"]) from None
    if field.kind == "bool":
        if raw not in ("yes", "no"):
            raise Invalid([f"{field.path}: choose yes or no"])
        return raw == "yes"
    if field.kind == "choice" and raw not in field.options:
        raise Invalid([f"{field.path}: choose one of {', '.join(field.options)}"])
    if field.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return raw


def apply(text: str, form: dict[str, str]) -> str:
    """The record text with the form's values set (empty values remove the field)."""
    data = yaml.safe_load(text or "") or {}
    if not isinstance(data, dict):
        raise Invalid(["record: the current record is not a mapping; use the YAML view"])
    data.setdefault("gpact_record", 1)
    for group in groups(text):
        for field in group.fields:
            sent = form.get(field.path)
            if sent is None or sent.replace("\r\n", "\n") == field.value:
                continue  # unchanged: keep the record's own text (block scalars, spacing)
            value = _parse(field, sent)
            *parents, leaf = field.path.split(".")
            node: Any = data
            for part in parents:
                if not isinstance(node.get(part), dict):
                    if value is None:
                        node = None  # nothing to remove; create no empty section
                        break
                    node[part] = {}
                node = node[part]
            if node is None:
                continue
            if value is None:
                node.pop(leaf, None)
            else:
                node[leaf] = value
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
