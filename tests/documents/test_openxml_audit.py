"""Strict readers (issue 13, item 8): the templates, every document a build writes and the
overview workbook pass openxml-audit (the Open XML SDK's rules, in Python) without errors.

LibreOffice forgives what Word "repairs" (a child out of schema order, a stale
stylesWithEffects.xml), so the tests read each file as the SDK does. Everything is built once
per module; one validator reads all files.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from openxml_audit import OpenXmlValidator, ValidationError, ValidationSeverity

from convenant_gen.pipeline.batch import OVERVIEW, BatchReport, build_all
from tests.conftest import EXAMPLES, ROOT, signable_holland_rijnland

TEMPLATES = ROOT / "templates"
DAY = dt.date(2026, 11, 23)
KINDS = ("concept", "definitief")

# ECMA-376 Part 1, 18.8.22: the children of a font (CT_Font) are an unbounded xsd:choice, so
# any order is valid. The Open XML SDK models them as a sequence and openpyxl writes name,
# family, color, sz, scheme, so the SDK reports "Unexpected element". Excel opens such files
# without repair. This finding, and only this one, is allowed: the font must hold nothing but
# CT_Font's children, each at most once.
FONT_CHILDREN = {
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
}
FONT_PATH = re.compile(r"/styleSheet\[1\]/fonts\[1\]/font\[(\d+)\]")
UNEXPECTED = re.compile(r"Unexpected element '(\w+)' found")


@pytest.fixture(scope="module")
def validator() -> OpenXmlValidator:
    return OpenXmlValidator(max_errors=0)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, BatchReport]]:
    """The example regions built as concept, and as definitief from copies in which every party's
    representative has a name and a function (the examples leave some open, and a definitief
    build refuses that; the names only fill the signature blocks). A region still refused as
    definitief is skipped there, with the reason. Each folder build also writes the overview."""
    root = tmp_path_factory.mktemp("audit")
    result = {}
    for kind in KINDS:
        regions = root / f"regions-{kind}"
        regions.mkdir()
        for example in EXAMPLES:
            shutil.copy(example, regions / example.name)
            if kind == "definitief":
                if example.stem == "holland-rijnland":  # the example that can be signed
                    (regions / example.name).write_text(signable_holland_rijnland(), encoding="utf-8")
                _name_every_signatory(regions / example.name)
        out = root / kind
        report = build_all(
            sorted(regions.glob("*.yaml")),
            out,
            templates=TEMPLATES,
            definitief=kind == "definitief",
            datum=DAY,
            jobs=1,
            overview=True,
        )
        result[kind] = (out, report)
    return result


def _name_every_signatory(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for party in data.get("partijen") or []:
        party["vertegenwoordiger"] = {
            "naam": "J. de Vries",
            "functie": "bestuurder",
            **(party.get("vertegenwoordiger") or {}),
        }
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _errors(validator: OpenXmlValidator, path: Path) -> list[ValidationError]:
    """The findings of severity error. Warnings are advice, not errors: the overview has one per
    sheet because openpyxl 3.1 writes inline strings, which Excel moves to a shared-strings
    table when it next saves the file (valid ECMA-376, opened without repair)."""
    return [e for e in validator.validate(path).errors if e.severity == ValidationSeverity.ERROR]


def _shown(path: Path, errors: list[ValidationError]) -> str:
    lines = [f"{path.name}: {len(errors)} fout(en) volgens openxml-audit"]
    lines += [f"  {e.part_uri} {e.path or '-'} ({e.node}): {e.description}" for e in errors]
    return "\n".join(lines)


def _font_order_only(error: ValidationError, workbook: Path) -> bool:
    """The SDK's font child order finding (see FONT_CHILDREN), checked against the font itself."""
    place, found = FONT_PATH.fullmatch(error.path), UNEXPECTED.fullmatch(error.description)
    if not (error.part_uri == "/xl/styles.xml" and place and found and found.group(1) == error.node):
        return False
    with zipfile.ZipFile(workbook) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    ns = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    fonts = styles.findall("s:fonts/s:font", ns)
    index = int(place.group(1))
    if index > len(fonts):
        return False
    children = [etree.QName(child).localname for child in fonts[index - 1]]
    return error.node in children and set(children) <= FONT_CHILDREN and len(children) == len(set(children))


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.name)
def test_template_passes_openxml_audit(validator, template):
    errors = _errors(validator, template)
    assert not errors, _shown(template, errors)


@pytest.mark.parametrize("region", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", KINDS)
def test_documents_pass_openxml_audit(validator, built, kind, region):
    out, report = built[kind]
    (outcome,) = [r for r in report.results if r.source.name == region.name]
    if kind == "definitief" and outcome.status == "mislukt" and region.stem != "holland-rijnland":
        pytest.skip(f"{region.name} is niet compleet voor definitief:\n{outcome.error}")
    assert outcome.status == "gemaakt", outcome.error
    documents = sorted((out / region.stem).glob("*.docx"))
    assert len(documents) == len(outcome.written) >= 2, documents
    failures = [_shown(doc, errors) for doc in documents if (errors := _errors(validator, doc))]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("kind", KINDS)
def test_overview_passes_openxml_audit(validator, built, kind):
    out, report = built[kind]
    workbook = out / OVERVIEW
    assert report.overview == workbook and workbook.is_file()
    errors = [e for e in _errors(validator, workbook) if not _font_order_only(e, workbook)]
    assert not errors, _shown(workbook, errors)
