"""Helpers to read built documents back, as a reader sees them."""

from __future__ import annotations

from pathlib import Path

import docx


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def all_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    for section in d.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def headings(path: Path, level: int = 1) -> list[str]:
    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs if p.style.name == f"Heading {level}"]


def reading_text(path: Path) -> str:
    """The document as a reviewer reads it, in document order: headings marked '#' by level,
    list items '-', tables as '| cell | cell |' rows, then the header and footer texts. Used by
    the golden texts: every change of wording shows in review as a line in a diff."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(str(path))
    lines: list[str] = []

    def paragraph_line(p: Paragraph) -> str | None:
        text = p.text.replace("\xa0", " ").rstrip()
        if not text:
            return None
        style = p.style.name if p.style is not None else ""
        if style.startswith("Heading "):
            level = style.removeprefix("Heading ")
            return "#" * (int(level) if level.isdigit() else 1) + " " + text
        if style == "Title":
            return "TITEL " + text
        if (p._p.pPr is not None and p._p.pPr.numPr is not None) or style.startswith("List"):
            return "- " + text
        return text

    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            line = paragraph_line(Paragraph(child, d))
            if line:
                lines.append(line)
        elif tag == "tbl":
            for row in Table(child, d).rows:
                cells = [" / ".join(filter(None, (c.text.strip() for c in cell.paragraphs))) for cell in row.cells]
                lines.append("| " + " | ".join(cells) + " |")
    for section in d.sections[:1]:
        for name, part in (("KOPTEKST", section.header), ("VOETTEKST", section.footer)):
            text = " / ".join(p.text.strip() for p in part.paragraphs if p.text.strip())
            if text:
                lines.append(f"{name}: {text}")
    return "\n".join(lines) + "\n"
