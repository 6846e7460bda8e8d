"""Reading what users give gpact: bounded in size, depth and breadth, one clear line on error.

Every YAML/JSON input (profiles, ledgers, documentation records, risk files, model configs)
goes through here so that a malformed or hostile file is refused quickly with one line naming
the file, the position and the problem, instead of a traceback, a hang or a silent guess:

- reads stop at a size limit per kind of file (``Limits.max_bytes``) while reading;
- YAML is composed with limits on nesting depth, keys per mapping, items per list and the
  total node count after expanding aliases (so an alias "billion laughs" stops early);
- duplicate mapping keys are errors (PyYAML silently keeps the last one);
- impossible dates (2025-02-30, 0000-01-01), oversized integers and dates outside
  ``DATE_RANGE`` are errors at their line, where PyYAML raises a bare ``ValueError``.

The limits are documented in docs/limits.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal, Protocol

import yaml
from pydantic import BeforeValidator
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import MarkedYAMLError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from gpact import yamlio
from gpact.errors import InputError

KiB = 1024
MiB = 1024 * KiB

# Dates a fact can plausibly carry; outside this range date arithmetic (deadlines years
# ahead) would overflow, so such a date is a typo, not a fact.
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
# At most this many problems are listed for one file (and get a "did you mean"): the rest
# are counted. Keeps error output and suggestion work linear in what is shown.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Limits:
    """How much of one kind of input gpact reads before refusing it (docs/limits.md)."""

    what: str
    max_bytes: int
    max_depth: int = 32
    max_keys: int = 1_000  # per mapping
    max_items: int = 20_000  # per list
    max_nodes: int = 200_000  # scalars and collections, aliases expanded


PROFILE = Limits("model profile", 1 * MiB, max_items=1_000, max_nodes=20_000)
RECORD = Limits("documentation record", 4 * MiB)
LEDGER = Limits("compute ledger", 4 * MiB)
RISK = Limits("risk record", 16 * MiB, max_items=50_000, max_nodes=2_000_000)
MODEL_CONFIG = Limits("model config", 4 * MiB)
SETTINGS = Limits("settings file", 4 * MiB)  # crawler page, data sources
STORED_DOCUMENT = Limits("stored document", 16 * MiB, max_nodes=1_000_000)


@dataclass(frozen=True)
class Parsed:
    """The data, and for YAML the node tree (line numbers for later validation errors)."""

    data: Any
    node: Node | None


# --- reading ---------------------------------------------------------------------------------

def read_bytes(path: Path, max_bytes: int, what: str) -> bytes:
    """At most ``max_bytes`` of a file; a longer file (or /dev/zero) is refused while reading."""
    file = str(path)
    try:
        with path.open("rb") as fh:
            data = _read_at_most(fh, max_bytes + 1)
    except FileNotFoundError:
        raise InputError(file, None, f"no such file (expected a {what})") from None
    except IsADirectoryError:
        raise InputError(file, None, f"is a folder, expected a {what} file") from None
    except OSError as exc:
        raise InputError(file, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(file, None, f"larger than the {_size(max_bytes)} limit for a {what} "
                         "(see docs/limits.md)")
    return data


def _read_at_most(fh: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes in 256 KiB steps: ``read(limit)`` would allocate the whole limit
    up front for every small file."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = fh.read(min(256 * KiB, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_text(path: Path, limits: Limits) -> str:
    """A bounded UTF-8 text file (a leading byte-order mark is allowed)."""
    data = read_bytes(path, limits.max_bytes, limits.what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"byte {exc.start}", "not UTF-8 text") from None


def load(path: Path, limits: Limits, *, yaml12_numbers: bool = True) -> Parsed:
    """Read and parse one file: JSON if it ends in .json, else YAML."""
    text = read_text(path, limits)
    if path.suffix.lower() == ".json":
        return Parsed(parse_json(text, str(path), limits), None)
    return parse_yaml(text, str(path), limits, yaml12_numbers=yaml12_numbers)


# --- YAML ------------------------------------------------------------------------------------

class _LimitError(MarkedYAMLError):
    """A limit was hit at a position in the file."""


class _Events(Protocol):
    """A YAML event stream: libyaml's parser when PyYAML has it, else PyYAML's own."""

    def check_event(self, *choices: Any) -> bool: ...
    def peek_event(self) -> Any: ...
    def get_event(self) -> Any: ...
    def dispose(self) -> None: ...


def _events(text: str) -> _Events:
    try:
        from yaml._yaml import CParser  # several times faster than the Python scanner
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return yaml.SafeLoader(text)
    return CParser(text)


class _Yaml12Resolver(Resolver):
    """gpact's own number rules (``1e25`` is a float), as in gpact.yamlio."""


_Yaml12Resolver.yaml_implicit_resolvers = dict(yamlio.Loader.yaml_implicit_resolvers)


class _BoundedLoader(Composer, SafeConstructor):
    """PyYAML's composer and safe constructor over an event stream, with gpact's limits.

    Composing counts depth, keys, items and nodes (aliases count as the size of what they
    point at); constructing refuses duplicate keys and turns the ValueError PyYAML raises for
    impossible dates or oversized integers into an error at the value's line.
    """

    def __init__(self, text: str, limits: Limits, resolver: Resolver) -> None:
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        self._stream = _events(text)
        self._resolver = resolver
        # Typed handle: PyYAML's stubs leave Resolver.resolve untyped.
        self._resolve: Callable[[Any, Any, Any], Any] = resolver.resolve
        self.limits = limits
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[str, int] = {}

    # The composer asks these of the parser and the resolver it is normally mixed with.
    def check_event(self, *choices: Any) -> bool:
        return self._stream.check_event(*choices)

    def peek_event(self) -> Any:
        return self._stream.peek_event()

    def get_event(self) -> Any:
        return self._stream.get_event()

    def dispose(self) -> None:
        self._stream.dispose()

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self._resolver.descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        self._resolver.ascend_resolver()

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        return self._resolve(kind, value, implicit)

    def _refuse(self, problem: str, mark: Any) -> None:
        raise _LimitError(None, None, f"{problem} (limit for a {self.limits.what}, see "
                          "docs/limits.md)", mark)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        lim = self.limits
        event = self.peek_event()
        if isinstance(parent, SequenceNode) and isinstance(index, int) and index >= lim.max_items:
            self._refuse(f"list longer than {lim.max_items} items", event.start_mark)
        if isinstance(parent, MappingNode) and index is None and len(parent.value) >= lim.max_keys:
            self._refuse(f"more than {lim.max_keys} keys in one mapping", event.start_mark)
        if isinstance(event, AliasEvent):
            self._add(self._sizes.get(str(event.anchor), 1), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > lim.max_depth:
            self._refuse(f"nested deeper than {lim.max_depth} levels", event.start_mark)
        before = self._nodes
        self._add(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._sizes[str(event.anchor)] = self._nodes - before
        return node

    def _add(self, count: int, mark: Any) -> None:
        self._nodes += count
        if self._nodes > self.limits.max_nodes:
            self._refuse(f"more than {self.limits.max_nodes} values in total", mark)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # int('9' * 5000), date(2025, 2, 30)
            problem = _value_problem(exc)
            if node.tag.endswith(":timestamp"):
                problem = f"not a valid date: {node.value!r} ({problem})"
            else:
                problem = f"invalid value {_short(node)}: {problem}"
            raise ConstructorError(None, None, problem, node.start_mark) from None
        if isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
                raise ConstructorError(None, None, f"date {node.value!r} is outside "
                                       f"{DATE_RANGE[0]}..{DATE_RANGE[1]}", node.start_mark)
        return value

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                key = self.construct_object(key_node)
                try:
                    if key in seen:
                        raise ConstructorError(None, None, f"duplicate key {key!r} (first on "
                                               f"line {seen[key]})", key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
                except TypeError:
                    continue  # unhashable: the base class reports it
        return dict(super().construct_mapping(node, deep))


def parse_yaml(text: str, name: str, limits: Limits, *, yaml12_numbers: bool = True) -> Parsed:
    """Parse one YAML document within ``limits``; every problem is one InputError line."""
    if len(text) > limits.max_bytes:  # text from the web or API, not a file
        raise InputError(name, None, f"larger than the {_size(limits.max_bytes)} limit for a "
                         f"{limits.what} (see docs/limits.md)")
    loader = _BoundedLoader(text, limits, _Yaml12Resolver() if yaml12_numbers else Resolver())
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except ReaderError as exc:
        raise InputError(name, f"character {exc.position + 1}",
                         f"invalid YAML: unacceptable character #x{exc.character:04x}"
                         if isinstance(exc.character, int) else "invalid YAML: not UTF-8"
                         ) from None
    except MarkedYAMLError as exc:
        raise _yaml_error(name, exc) from None
    except yaml.YAMLError as exc:
        raise InputError(name, None, f"invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise InputError(name, None, f"invalid YAML: nested too deeply (limit "
                         f"{limits.max_depth} levels)") from None
    finally:
        loader.dispose()
    return Parsed(data, node)


def _yaml_error(name: str, exc: MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}" if mark is not None else None
    problem = exc.problem or exc.context or "malformed"
    prefix = "" if isinstance(exc, _LimitError | ConstructorError) else "invalid YAML: "
    return InputError(name, where, prefix + _one_line(problem))


# --- JSON ------------------------------------------------------------------------------------

class _JsonRefusal(Exception):
    pass


def parse_json(text: str, name: str, limits: Limits) -> Any:
    """Parse JSON within ``limits``: no duplicate keys, NaN/Infinity or out-of-range dates."""
    if len(text) > limits.max_bytes:
        raise InputError(name, None, f"larger than the {_size(limits.max_bytes)} limit for a "
                         f"{limits.what} (see docs/limits.md)")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(items) > limits.max_keys:
            raise _JsonRefusal(f"more than {limits.max_keys} keys in one object (limit for a "
                               f"{limits.what}, see docs/limits.md)")
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _JsonRefusal(f"duplicate key {key!r}")
            out[key] = value
        return out

    def constant(word: str) -> Any:
        raise _JsonRefusal(f"{word} is not a number")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except _JsonRefusal as exc:
        raise InputError(name, None, str(exc)) from None
    except RecursionError:
        raise InputError(name, None, f"nested deeper than {limits.max_depth} levels (limit for "
                         f"a {limits.what}, see docs/limits.md)") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InputError(name, None, f"invalid JSON: {_value_problem(exc)}") from None
    _check_tree(data, name, limits)
    return data


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


def _check_tree(data: Any, name: str, limits: Limits) -> None:
    """Depth, list length, node count and date strings of parsed JSON, without recursion."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(data, 1, ())]
    nodes = 0
    while stack:
        value, depth, loc = stack.pop()
        nodes += 1
        where = dotted(loc)
        if depth > limits.max_depth:
            raise InputError(name, None, f"nested deeper than {limits.max_depth} levels "
                             f"(limit for a {limits.what}, see docs/limits.md)")
        if nodes > limits.max_nodes:
            raise InputError(name, None, f"more than {limits.max_nodes} values in total "
                             f"(limit for a {limits.what}, see docs/limits.md)")
        if isinstance(value, dict):
            stack.extend((v, depth + 1, (*loc, k)) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > limits.max_items:
                raise InputError(name, where, f"list longer than {limits.max_items} items "
                                 f"(limit for a {limits.what}, see docs/limits.md)")
            stack.extend((v, depth + 1, (*loc, i)) for i, v in enumerate(value))
        elif isinstance(value, str) and _ISO_DATE.match(value):
            check_date_text(value[:10], name, where)


def check_date_text(text: str, file: str | None, field: str | None) -> dt.date:
    """A YYYY-MM-DD text that is a real date inside ``DATE_RANGE``, else one InputError."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(file, field, f"not a valid date: {text!r}") from None
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise InputError(file, field, f"date {text} is outside {DATE_RANGE[0]}..{DATE_RANGE[1]}")
    return day


# --- pydantic field types: what YAML gives must already be the right kind -------------------

def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):  # pydantic's lax mode reads true as 1
        raise ValueError("a yes/no value is not a number")
    return value


def _exact_int(value: Any) -> Any:
    if type(value) is not int:  # `gpact: 1.0` or `gpact: true` is not schema version 1
        raise ValueError(f"must be the integer 1, got {shown(value)}")
    return value


# A float or int field that refuses booleans (numbers given as text still convert).
Number = Annotated[float, BeforeValidator(_not_bool)]
Count = Annotated[int, BeforeValidator(_not_bool)]
# A schema marker (`gpact: 1`): exactly the integer 1.
Version = Annotated[Literal[1], BeforeValidator(_exact_int)]


# --- reporting -------------------------------------------------------------------------------

def dotted(loc: Iterable[str | int]) -> str:
    """``model.release[0].status`` from a pydantic/JSON location."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def line_of(node: Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based YAML line of the field at ``loc`` (or of the nearest enclosing one)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if key.value == part:
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def did_you_mean(word: str, allowed: Sequence[str]) -> str | None:
    """The nearest allowed name, for at most MAX_PROBLEMS words per file (callers cap)."""
    close = difflib.get_close_matches(word[:100], allowed, n=1)
    return close[0] if close else None


def capped(problems: list[str], total: int | None = None) -> list[str]:
    """The first MAX_PROBLEMS problems and a count of the rest."""
    total = len(problems) if total is None else total
    shown = problems[:MAX_PROBLEMS]
    if total > len(shown):
        shown.append(f"... and {total - len(shown)} more problems")
    return shown


def shown(value: Any) -> str:
    """A value quoted in an error, cut to 60 characters (the rest of the line stays readable)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_problem(exc: Exception) -> str:
    text = str(exc)
    if "integer string conversion" in text:
        return "a number with more than 4300 digits"
    return _one_line(text) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(node: Node) -> str:
    value = node.value if isinstance(node, ScalarNode) else node.tag
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _size(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n // KiB} KiB"
