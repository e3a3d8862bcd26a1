"""The CLI process of a build only finds work and hands it out: validating and rendering happen
in the workers. A no-op build (the usual case for the national team) therefore imports none
of the heavy libraries, whatever the options."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REGIONS, ROOT

HEAVY = ("pydantic", "jinja2", "docxtpl", "docx", "openpyxl", "babel", "yaml", "lxml")

PROBE = """
import sys
from convenant_gen.cli import main
try:
    sys.argv[0] = "convenant"
    main()
except SystemExit as e:
    assert not e.code, e.code
print("IMPORTED:" + " ".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def imported_by_build(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "build", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.rpartition("IMPORTED:")[2].strip()


def test_a_no_op_build_imports_no_heavy_library(tmp_path: Path):
    shutil.copytree(REGIONS, tmp_path / "regions")
    options = ("regions", "--out", "out", "--templates", str(ROOT / "templates"), "--datum", "2026-11-23", "-q")
    imported_by_build(*options, cwd=tmp_path)  # the real build
    assert imported_by_build(*options, cwd=tmp_path) == ""
    assert imported_by_build(*options[:-1], cwd=tmp_path) == ""  # with the summary table
