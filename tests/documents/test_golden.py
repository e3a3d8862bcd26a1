"""Golden texts: what each example region's covenant and plan say, kept as reviewed files in
tests/golden/. Any change of wording, in a template or in the code that fills it, fails this
test until the golden file is updated on purpose:

    python -m pytest tests/documents/test_golden.py --golden-bijwerken

and the diff of tests/golden/ is then read in review like any other change."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest

from convenant_gen.pipeline.batch import build_all
from tests.conftest import EXAMPLES, ROOT, signable_holland_rijnland
from tests.docs import reading_text

GOLDEN = ROOT / "tests" / "golden"
DATUM = dt.date(2026, 11, 23)
# Every example as a concept; Holland Rijnland also as signed (with the two aldermen's names the
# seeds leave open filled in: tests.conftest.signable_holland_rijnland).
CASES = [(region.stem, False) for region in EXAMPLES] + [("holland-rijnland", True)]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, bool], list[Path]]:
    """Every example region as concept, and Holland Rijnland as definitief."""
    work = tmp_path_factory.mktemp("golden")
    files = []
    for region in EXAMPLES:
        shutil.copy(region, work / region.name)
        files.append(work / region.name)
    signable = work / "ter-ondertekening" / "holland-rijnland.yaml"
    signable.parent.mkdir()
    signable.write_text(signable_holland_rijnland(), encoding="utf-8")
    documents: dict[tuple[str, bool], list[Path]] = {}
    for definitief, sources in ((False, files), (True, [signable])):
        report = build_all(
            sources, work / f"out-{definitief}", templates=ROOT / "templates", datum=DATUM, definitief=definitief
        )
        for r in report.results:
            assert r.error is None, r.error
            documents[(r.source.stem, definitief)] = sorted(r.documents)
    return documents


def golden_name(document: Path, definitief: bool) -> str:
    return document.stem + ("-definitief" if definitief else "") + ".txt"


@pytest.mark.parametrize(
    ("region", "definitief"), CASES, ids=[f"{r}-{'definitief' if d else 'concept'}" for r, d in CASES]
)
def test_rendered_text_is_the_reviewed_golden_text(built, region, definitief, request):
    documents = built[(region, definitief)]
    assert documents, f"no documents for {region}"
    update = request.config.getoption("--golden-bijwerken")
    for document in documents:
        golden = GOLDEN / golden_name(document, definitief)
        text = reading_text(document)
        if update:
            GOLDEN.mkdir(exist_ok=True)
            golden.write_text(text, encoding="utf-8")
            continue
        assert golden.exists(), f"{golden} ontbreekt: maak het met --golden-bijwerken en lees het na"
        expected = golden.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=str(golden.relative_to(ROOT)),
                    tofile=document.name,
                )
            )
            pytest.fail(f"the text of {document.name} changed (update with --golden-bijwerken):\n{diff}")


def test_no_golden_text_without_a_document(built):
    """A golden file of a document that is no longer built is stale."""
    expected = {golden_name(doc, definitief) for (_, definitief), docs in built.items() for doc in docs}
    present = {p.name for p in GOLDEN.glob("*.txt")}
    assert present <= expected, f"stale golden texts: {sorted(present - expected)}"
