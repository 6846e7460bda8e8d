"""Markdown: readable in a repository or a model card, every gap marked inline."""

from __future__ import annotations

from gpact.documents.document import Document, Entry, Section, Table, format_value

STATUS_MARK = {"missing": "⚠ **MISSING**", "weak": "⚠ **WEAK**"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return lines


def _entry(entry: Entry, public: bool = False) -> list[str]:
    number = f"{entry.spec.number} " if entry.spec.number else ""
    lines = [f"### {number}{entry.spec.label}", ""]
    if isinstance(entry.value, Table):
        lines += _table(entry.value)
    elif isinstance(entry.value, list) and entry.value:
        lines += [f"- {item}" for item in entry.value]
    else:
        lines.append(format_value(entry.value) or "*(not given)*")
    lines.append("")
    if entry.status in STATUS_MARK:
        lines += [f"{STATUS_MARK[entry.status]} — {'; '.join(entry.problems)}", ""]
    if public:
        return lines + ([f"*{entry.method}*", ""] if entry.method else [])
    meta = [f"Source: {entry.spec.source}"]
    if entry.spec.confidence == "unverified" or entry.spec.unverified_audiences:
        meta.append("field or audience unverified")
    lines += [f"<sub>{' · '.join(meta)}</sub>", ""]
    lines += [f"> {note}" for note in entry.notes]
    if entry.notes:
        lines.append("")
    return lines


def _control(doc: Document) -> list[str]:
    if not doc.control:
        return []
    lines = ["## Document control", ""]
    for c in doc.control:
        if isinstance(c.value, str):
            lines.append(f"- **{c.label}:** {c.value}")
        else:
            lines.append(f"- **{c.label}:**")
            lines += [f"  - {v}" for v in c.value]
    lines += [f"- **Content hash (SHA-256):** `{doc.content_hash()}`", ""]
    return lines


def _sections(doc: Document) -> list[Section]:
    """The sections shown; the header fields move to the document-control block."""
    return [s for s in doc.sections if not (doc.control and s.number == "0")]


def _public(doc: Document) -> str:
    """The document as published: answers and one methodology line where a rule was applied."""
    m = doc.meta
    lines = [f"# {doc.title} — {doc.model}", "", f"**Provider:** {doc.provider}", ""]
    lines += [f"> {note}" for note in doc.public_notes]
    if doc.public_notes:
        lines.append("")
    lines += _control(doc)
    for section in _sections(doc):
        lines += [f"## {section.heading}", ""]
        if section.note:
            lines += [f"*{section.note}*", ""]
        for entry in section.entries:
            lines += _entry(entry, public=True)
    lines += ["---", "", f"<sub>Prepared with gpact {m['gpact_version']} (rulebook "
              f"{m['rulebook_version']}, {m['rulebook_date']}) on {m['build_date']}. "
              f"{m['notice']}</sub>", ""]
    return "\n".join(lines)


def render_markdown(doc: Document) -> str:
    if doc.public:
        return _public(doc)
    m = doc.meta
    lines = [
        f"# {doc.title} — {doc.model}", "",
        f"**Provider:** {doc.provider}  ",
        f"**Audience:** {doc.audience_label()}  ",
        f"**gpact** {m['gpact_version']} · **rulebook** {m['rulebook_version']} "
        f"({m['rulebook_date']}) · **as of** {m['as_of']} · **built** {m['build_date']}", "",
        f"> {m['notice']}", "",
    ]
    gaps = doc.gaps()
    if gaps:
        lines += [f"**Completeness:** {sum(e.status == 'missing' for e in gaps)} missing, "
                  f"{sum(e.status == 'weak' for e in gaps)} weak field(s), marked ⚠ below.", ""]
    lines += [f"> {note}" for note in doc.notes]
    if doc.notes:
        lines.append("")
    lines += _control(doc)
    for section in _sections(doc):
        lines += [f"## {section.heading}", ""]
        if section.note:
            lines += [f"*{section.note}*", ""]
        for entry in section.entries:
            lines += _entry(entry)
    if doc.unverified_rules:
        lines += ["## Unverified rules used", ""]
        lines += [f"- `{r['key']}` = {r['value']} — {r['source']}" for r in doc.unverified_rules]
        lines.append("")
    return "\n".join(lines)
