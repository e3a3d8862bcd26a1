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
