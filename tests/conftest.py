from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant_gen.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ROOT / "regions"
EXAMPLES = sorted(REGIONS.glob("*.yaml"))

MINIMAL = """\
regio:
  naam: Proefregio
  centrumgemeente: Proefstad
partijen:
  - naam: Gemeente Proefstad
    soort: gemeente
"""


@pytest.fixture
def write(tmp_path: Path):
    """Write a region file from dedented text; returns its path."""

    def _write(text: str, name: str = "regio.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def run():
    """Invoke the CLI as a user would; returns click's Result."""

    def _run(*args: str, catch: bool = True):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=catch)

    return _run


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of regions/ to work in."""
    target = tmp_path / "regions"
    shutil.copytree(REGIONS, target)
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--golden-bijwerken",
        action="store_true",
        help="write the golden texts in tests/golden/ anew from the rendered documents (then review the diff)",
    )


def signable_holland_rijnland() -> str:
    """Holland Rijnland's file completed with the two names the seeds leave open (the aldermen
    of Alphen aan den Rijn and Noordwijk), so a definitief build can succeed."""
    text = (ROOT / "regions" / "holland-rijnland.yaml").read_text(encoding="utf-8")
    text = text.replace("      functie: wethouder\n", "      naam: A. Jansen\n      functie: wethouder\n")
    alphen = '- {functie: "wethouder, gemeente Alphen'
    return text.replace(alphen, alphen.replace("{", "{naam: A. Jansen, "))
