"""Issue 13, items 4 and 6: a concept says what is still open ("[meetbaar doel]"); a definitief
build refuses any document that would print an open place, table cells and a policy adviser's
own template included, with file, line and field of each; nothing is written then."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs import reading_text
from tests.documents.test_trust_templates import DATE, cli, docx_files, edited, final_region


def _without_line(path: Path, line: str) -> int:
    """Remove `line` (once) from the region file; the 1-based number of the line before it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if text.strip() == line)
    del lines[at]
    path.write_text("".join(lines), encoding="utf-8")
    return at


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.fixture
def open_cell(tmp_path: Path) -> Path:
    """A signable region whose first activity lacks its measurable goal (a table cell)."""
    region = final_region(tmp_path / "regions")
    _without_line(region, "meetbaar_doel: casuïstiekoverleg in alle drie subregio's")
    return region


def test_a_concept_prints_a_short_label_where_a_field_is_open(open_cell, tmp_path):
    out = tmp_path / "out"
    proc = cli("build", open_cell, "--out", out, "--doc", "convenant", *DATE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = reading_text(out / "holland-rijnland" / "convenant-holland-rijnland.docx")
    row = next(line for line in text.splitlines() if "casuïstiekoverleg in Alphen aan den Rijn" in line)
    assert "[meetbaar doel]" in row
    assert "………" not in text


def test_definitief_refuses_an_open_table_cell_with_file_line_and_field(open_cell, tmp_path):
    out = tmp_path / "out"
    proc = cli("build", open_cell, "--out", out, "--definitief", *DATE)
    assert proc.returncode != 0
    line = _line_of(open_cell, "wat: casuïstiekoverleg in Alphen aan den Rijn")
    where = f"{open_cell}:{line}:5: activiteiten[1].meetbaar_doel"
    expected = f"{where}: ontbreekt: het convenant zou hier nog '[meetbaar doel]' tonen"
    assert expected in proc.stderr, proc.stderr
    assert docx_files(out) == []


def test_definitief_refuses_what_an_own_template_prints_open(tmp_path):
    """The check does not depend on a list of required fields: a template that prints a field
    no rule requires (a party's subregion) is refused too, and names that field."""
    region = final_region(tmp_path / "regions")
    templates = edited(
        tmp_path,
        "word/document.xml",
        "<w:t>Aanleiding</w:t></w:r></w:p>",
        "<w:t>Aanleiding</w:t></w:r></w:p><w:p><w:r><w:t>Subregio: {{ partijen[0].subregio }}</w:t></w:r></w:p>",
    )
    out = tmp_path / "out"
    proc = cli("build", region, "--out", out, "--templates", templates, "--definitief", *DATE)
    assert proc.returncode != 0
    assert "partijen[1].subregio: ontbreekt: het convenant zou hier nog '[subregio]' tonen" in proc.stderr
    assert docx_files(out) == []
    concept = cli("build", region, "--out", out, "--templates", templates, "--doc", "convenant", *DATE)
    assert concept.returncode == 0
    assert "Subregio: [subregio]" in reading_text(out / "holland-rijnland" / "convenant-holland-rijnland.docx")


def test_definitief_names_the_rules_and_the_open_places_at_once(open_cell, tmp_path):
    """A region the definitief rules refuse (a missing signatory's name) also hears, in the same
    run, which fields its documents would still print open."""
    text = open_cell.read_text(encoding="utf-8").replace("      naam: Bart Smith\n", "", 1)
    open_cell.write_text(text, encoding="utf-8")
    proc = cli("build", open_cell, "--out", tmp_path / "out", "--definitief", *DATE)
    assert proc.returncode != 0
    assert "Stichting Lumen Holland Rijnland ondertekent, maar de naam van de vertegenwoordiger" in proc.stderr
    assert "activiteiten[1].meetbaar_doel: ontbreekt" in proc.stderr
    # reported once, by the rule, not again as an open place
    assert proc.stderr.count("vertegenwoordiger.naam") == 1, proc.stderr


def test_validate_definitief_says_what_the_build_would_refuse(open_cell, tmp_path):
    """A project leader asks `validate --definitief` whether the region is ready: it names the
    same open places the build would refuse, and writes nothing."""
    proc = cli("validate", open_cell, "--definitief")
    assert proc.returncode == 1
    assert "activiteiten[1].meetbaar_doel: ontbreekt: het convenant zou hier nog '[meetbaar doel]' tonen" in (
        proc.stdout + proc.stderr
    )
    assert docx_files(open_cell.parent) == []
