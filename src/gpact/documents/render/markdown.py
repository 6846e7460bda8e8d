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
        empty = "None." if public and entry.status == "optional_empty" else "*(not given)*"
        lines.append(format_value(entry.value) or empty)
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


AUDIENCE_COLUMNS = ("aio", "nca", "dp")


def audience_mark(entry: Entry, audience: str) -> str:
    """✓ when the audience receives the field (* when that mark is unconfirmed), else —."""
    if audience not in entry.spec.audiences:
        return "—"
    return "✓*" if audience in entry.spec.unverified_audiences else "✓"


def _form_answer(entry: Entry) -> str:
    if isinstance(entry.value, Table):
        text = "; ".join(", ".join(c for c in row if c) for row in entry.value.rows)
    else:
        text = format_value(entry.value) or "*(not given)*"
    if entry.status in STATUS_MARK:
        text += f" {STATUS_MARK[entry.status]}: {'; '.join(entry.problems)}"
    if entry.notes:
        text += " <sub>" + " ".join(entry.notes) + "</sub>"
    return _cell(text)


def _form(doc: Document) -> list[str]:
    """The Model Documentation Form as the Code lays it out: one table per section."""
    lines: list[str] = []
    for section in doc.sections:
        lines += [f"## {section.heading}", ""]
        if section.note:
            lines += [f"*{section.note}*", ""]
        lines += ["| Field | Answer | AIO | NCA | DP |", "|---|---|:-:|:-:|:-:|"]
        lines += [f"| {_cell(e.spec.label)} | {_form_answer(e)} | "
                  + " | ".join(audience_mark(e, a) for a in AUDIENCE_COLUMNS) + " |"
                  for e in section.entries]
        lines.append("")
    lines += ["## Approval", ""]
    lines += [f"- **{a.label}:** {a.value or '____________________'}" for a in doc.approval]
    lines += ["- **Signature:** ____________________", ""]
    if doc.review_note and not doc.public:
        lines += ["## Review note", ""] + [f"- {n}" for n in doc.review_note] + [""]
    return lines


def _sections(doc: Document) -> list[Section]:
    """The sections shown; the header fields move to the document-control block."""
    return [s for s in doc.sections if not (doc.control and s.number == "0")]


def _public(doc: Document) -> str:
    """The document as published: answers and one methodology line where a rule was applied."""
    m = doc.meta
    lines = [f"# {doc.title} for {doc.model}", "", f"**Provider:** {doc.provider}", ""]
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
    lines = [f"# {doc.title} — {doc.model}", ""] + (
        [f"**{doc.marking}**", ""] if doc.marking else []) + [
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
    if doc.form:
        lines += _form(doc)
    for section in [] if doc.form else _sections(doc):
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
