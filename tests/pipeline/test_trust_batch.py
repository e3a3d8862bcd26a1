"""Trust in the batch: whatever the region files, the manifest, the output folder or a template
hold, a build either writes exactly what its inputs say or fails that region in Dutch; the other
regions are built, the manifest and summary are written, nothing of the user's is lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"
DATE = ("--datum", "2026-11-23")


def cli(*args, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convenant_gen", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture
def regions(tmp_path: Path) -> Path:
    folder = tmp_path / "regions"
    shutil.copytree(ROOT / "regions", folder)
    return folder


def template_with(tmp_path: Path, body_xml_tail: str, name: str = "convenant.docx") -> Path:
    """A copy of templates/ whose convenant.docx has an extra paragraph with `body_xml_tail`."""
    folder = tmp_path / "tpl"
    if not folder.exists():
        shutil.copytree(TEMPLATES, folder)
    source = TEMPLATES / name
    with zipfile.ZipFile(source) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", f"<w:body><w:p><w:r><w:t>{body_xml_tail}</w:t></w:r></w:p>".encode())
            z.writestr(info, data)
    return folder


# --- region files with one name --------------------------------------------------------


def test_two_region_files_with_one_name_are_refused_before_anything_is_written(regions, tmp_path):
    shutil.copy(regions / "achterhoek.yaml", regions / "achterhoek.yml")
    out = tmp_path / "out"
    result = cli("build", regions, "--out", out, "--templates", TEMPLATES, *DATE, cwd=tmp_path)
    assert result.returncode == 1
    assert "twee regiobestanden met dezelfde naam" in result.stderr
    assert "achterhoek.yaml" in result.stderr and "achterhoek.yml" in result.stderr
    assert not list(out.rglob("*.docx")) and not (out / "manifest.json").exists()

    other = tmp_path / "elders"
    other.mkdir()
    shutil.copy(regions / "groot-amsterdam.yaml", other / "groot-amsterdam.yaml")
    (regions / "achterhoek.yml").unlink()
    result = cli(
        "build", regions / "groot-amsterdam.yaml", other, "--out", out, "--templates", TEMPLATES, *DATE, cwd=tmp_path
    )
    assert result.returncode == 1 and "dezelfde naam" in result.stderr
    assert str(other / "groot-amsterdam.yaml") in result.stderr
    result = cli("overzicht", regions, other, "--out", tmp_path / "o.xlsx", cwd=tmp_path)
    assert result.returncode == 1 and "dezelfde naam" in result.stderr
    assert not (tmp_path / "o.xlsx").exists()

    # the same file named twice is one region, not a clash
    result = cli(
        "build",
        regions / "achterhoek.yaml",
        regions / "achterhoek.yaml",
        "--out",
        out,
        "--templates",
        TEMPLATES,
        *DATE,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "1 gemaakt, 0 ongewijzigd, 0 mislukt van 1 regio('s)" in result.stdout


# --- the manifest is a hint ------------------------------------------------------------


def _build(regions: Path, out: Path, tmp_path: Path, *extra) -> subprocess.CompletedProcess:
    return cli("build", regions, "--out", out, "--templates", TEMPLATES, *DATE, *extra, cwd=tmp_path)


def test_a_manifest_entry_pointing_outside_the_output_folder_means_rebuild(regions, tmp_path):
    out = tmp_path / "out"
    assert _build(regions, out, tmp_path).returncode == 0
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = manifest["regio's"]["achterhoek"]
    # documents gone, but copies of them elsewhere, and the manifest pointing there
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    docs = {}
    for name, digest in entry["documenten"].items():
        copy = elsewhere / Path(name).name
        shutil.move(out / name, copy)
        docs[f"../elders/{copy.name}"] = digest
    entry["documenten"] = docs
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = _build(regions, out, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 gemaakt, 2 ongewijzigd" in result.stdout
    assert (out / "achterhoek" / "convenant-achterhoek.docx").is_file()

    # an absolute path, and a symlink inside the folder pointing outside: rebuild too
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    target = out / "achterhoek" / "convenant-achterhoek.docx"
    manifest["regio's"]["achterhoek"]["documenten"] = {
        str(elsewhere / "convenant-achterhoek.docx"): manifest["regio's"]["achterhoek"]["documenten"][
            "achterhoek/convenant-achterhoek.docx"
        ]
    }
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert "1 gemaakt, 2 ongewijzigd" in _build(regions, out, tmp_path).stdout
    target.unlink()
    target.symlink_to(elsewhere / "convenant-achterhoek.docx")
    result = _build(regions, out, tmp_path)
    assert "1 gemaakt, 2 ongewijzigd" in result.stdout
    assert not target.is_symlink()


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"regio\'s": []}',
        '{"regio\'s": {"achterhoek": 5}}',
        '{"regio\'s": {"achterhoek": {"documenten": 1}}}',
        '{"regio\'s": {"achterhoek": {"bron": 1, "bron_sha256": [], "sjablonen": 3, "versie": {}, "opties": 2,'
        ' "documenten": {"achterhoek/x.docx": null}}}, "overzicht": 7}',
        "nul",
        "[" * 100_000,
    ],
    ids=["lijst", "regios-lijst", "getal", "half", "verkeerde-typen", "geen-json", "diep"],
)
def test_a_manifest_of_the_wrong_shape_means_rebuild_never_a_crash(regions, tmp_path, content):
    out = tmp_path / "out"
    assert _build(regions, out, tmp_path).returncode == 0
    (out / "manifest.json").write_text(content, encoding="utf-8")
    result = _build(regions, out, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 gemaakt, 0 ongewijzigd, 0 mislukt" in result.stdout
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))  # written anew, valid


def test_the_manifest_keys_regions_by_file_not_by_how_the_folder_was_named(regions, tmp_path):
    out = tmp_path / "out"
    assert cli("build", "regions", "--out", out, "--templates", TEMPLATES, *DATE, cwd=tmp_path).returncode == 0
    again = cli("build", regions.resolve(), "--out", out, "--templates", TEMPLATES, *DATE, cwd=tmp_path)
    assert "0 gemaakt, 3 ongewijzigd" in again.stdout


# --- one bad input fails that region only -----------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_output_path_that_is_a_folder_fails_that_region_only(regions, tmp_path, jobs):
    out = tmp_path / "out"
    (out / "achterhoek" / "convenant-achterhoek.docx").mkdir(parents=True)
    result = _build(regions, out, tmp_path, "--jobs", jobs)
    assert result.returncode == 1
    assert "2 gemaakt, 0 ongewijzigd, 1 mislukt van 3 regio('s)" in result.stdout
    assert "convenant-achterhoek.docx niet schrijven: er staat een map met die naam" in result.stderr
    assert "Interne fout" not in result.stderr
    assert not (out / "achterhoek" / "plan-van-aanpak-achterhoek.docx").exists()  # both or neither
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["regio's"]) == {"groot-amsterdam", "holland-rijnland"}
    assert (out / "overzicht.xlsx").is_file()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_regions_own_template_that_is_not_a_docx_fails_that_region_only(regions, tmp_path, jobs):
    templates = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, templates)
    (templates / "eigen.docx").write_text("dit is geen Word-document", encoding="utf-8")
    path = regions / "achterhoek.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "sjablonen:\n  convenant: eigen.docx\n", encoding="utf-8")
    result = cli(
        "build", regions, "--out", tmp_path / "out", "--templates", templates, *DATE, "--jobs", jobs, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "2 gemaakt, 0 ongewijzigd, 1 mislukt van 3 regio('s)" in result.stdout
    assert "eigen.docx" in result.stderr
    assert "Interne fout" not in result.stderr and "Traceback" not in result.stderr


# --- limits ------------------------------------------------------------------------------


def test_a_template_that_never_ends_stops_at_the_time_limit_and_the_others_are_built(regions, tmp_path):
    templates = template_with(
        tmp_path,
        "{% if regio.naam == 'Achterhoek' %}{% for i in range(100000) %}{% for j in range(100000) %}"
        "{% endfor %}{% endfor %}{% endif %}",
    )
    start = time.monotonic()
    result = cli(
        "build", regions, "--out", tmp_path / "out", "--templates", templates, *DATE, "--tijdslimiet", "2", cwd=tmp_path
    )
    assert time.monotonic() - start < 30
    assert result.returncode == 1
    assert "2 gemaakt, 0 ongewijzigd, 1 mislukt" in result.stdout
    assert "sjabloon convenant.docx: het invullen duurde langer dan 2 s en is gestopt" in result.stderr


def test_a_template_that_eats_memory_stops_at_the_memory_limit(regions, tmp_path):
    templates = template_with(
        tmp_path,
        "{% if regio.naam == 'Achterhoek' %}{% for i in range(100000) %}{{ 'x'.ljust(1000000) }}{% endfor %}"
        "{% endif %}",
    )
    result = cli(
        "build",
        regions,
        "--out",
        tmp_path / "out",
        "--templates",
        templates,
        *DATE,
        "--geheugenlimiet",
        "300",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "2 gemaakt, 0 ongewijzigd, 1 mislukt" in result.stdout
    assert "achterhoek" in result.stderr
    assert "geheugen" in result.stderr
    assert "Interne fout" not in result.stderr


def _double(x: int) -> int:
    if x == 2:  # a C call no timer interrupts: the parent must kill this worker
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    if x == 3:
        os._exit(9)  # a worker that dies
    return 2 * x


def test_workers_overrunning_or_dying_fail_their_task_only():
    from convenant_gen.pipeline.limits import Limits
    from convenant_gen.pipeline.workers import Failed, run_tasks

    start = time.monotonic()
    results = dict(run_tasks(_double, list(range(8)), workers=2, limits=Limits(seconds=1), hard_seconds=2))
    assert time.monotonic() - start < 15
    assert {i: r for i, r in results.items() if not isinstance(r, Failed)} == {
        i: 2 * i for i in range(8) if i not in (2, 3)
    }
    assert "langer dan 1 s" in results[2].reason
    assert "onverwacht gestopt" in results[3].reason


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_die_with_the_cli_on_kill_9(regions, tmp_path):
    templates = template_with(
        tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "convenant_gen",
            "build",
            str(regions),
            "--out",
            str(tmp_path / "out"),
            "--templates",
            str(templates),
            "--tijdslimiet",
            "600",
            "-q",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the build should have started workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 10
    while time.monotonic() < end and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    # nobody holds the caller's pipes any more
    assert proc.stdout.read() == b"" and proc.stderr.read() is not None


# --- files of the user are never lost ------------------------------------------------------


def test_only_our_own_temporaries_are_removed(regions, tmp_path):
    out = tmp_path / "werk"
    (out / "achterhoek").mkdir(parents=True)
    theirs = [out / "notities.tmp", out / ".prive.tmp", out / "achterhoek" / ".concept.docx.ab12.tmp"]
    for path in theirs:
        path.write_text("van de gebruiker", encoding="utf-8")
    ours = [out / ".convenant-manifest.json.x1y2.tmp", out / "achterhoek" / ".convenant-convenant-a.docx.k3.tmp"]
    for path in ours:
        path.write_text("half", encoding="utf-8")
    result = cli("build", regions, "--out", out, "--templates", TEMPLATES, *DATE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all(p.read_text(encoding="utf-8") == "van de gebruiker" for p in theirs)
    assert not any(p.exists() for p in ours)


def test_two_builds_at_once_on_one_folder_wait_for_each_other(regions, tmp_path):
    """Without a lock both read the manifest at their start and the last to finish drops the
    other's regions from it (and removes its temporaries)."""
    text = (regions / "holland-rijnland.yaml").read_text(encoding="utf-8")
    sets = [tmp_path / "noord", tmp_path / "zuid"]
    for folder in sets:
        folder.mkdir()
        for i in range(8):
            name = f"{folder.name}-{i}"
            (folder / f"{name}.yaml").write_text(text.replace("naam: Holland Rijnland", f"naam: {name}"))
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "convenant_gen",
                "build",
                str(folder),
                "--out",
                str(out),
                "--templates",
                str(TEMPLATES),
                *DATE,
                "-q",
                "--jobs",
                "1",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in sets
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["regio's"]) == 16
    assert len(list(out.rglob("*.docx"))) == 32
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_build_stops_in_dutch_when_another_keeps_the_folder(regions, tmp_path):
    from convenant_gen.output.write import output_lock

    out = tmp_path / "out"
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with output_lock(out):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        result = cli(
            "build",
            regions,
            "--out",
            out,
            "--templates",
            TEMPLATES,
            *DATE,
            cwd=tmp_path,
            env={"CONVENANT_WACHTTIJD": "0.5"},
        )
    finally:
        release.set()
        thread.join()
    assert result.returncode == 1
    assert f"de map {out} wordt al gebruikt door een andere convenant build (proces {os.getpid()})" in result.stderr
    assert not list(out.rglob("*.docx"))


def test_overzicht_of_a_folder_that_does_not_exist_is_a_usage_error_and_writes_nothing(regions, tmp_path):
    good = cli("overzicht", regions, "--out", tmp_path / "overzicht.xlsx", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    before = (tmp_path / "overzicht.xlsx").read_bytes()
    result = cli("overzicht", tmp_path / "regoins", "--out", tmp_path / "overzicht.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert "regoins bestaat niet" in result.stderr
    assert (tmp_path / "overzicht.xlsx").read_bytes() == before
    for command in ("build", "validate"):
        result = cli(command, tmp_path / "regoins", cwd=tmp_path)
        assert result.returncode == 2 and "regoins bestaat niet" in result.stderr


# --- the terminal -------------------------------------------------------------------------


def test_control_characters_from_a_region_file_never_reach_the_terminal_raw(tmp_path):
    folder = tmp_path / "regions"
    folder.mkdir()
    (folder / "regio.yaml").write_text(
        'regio:\n  naam: "\\e]0;gekaapt\\a\\e[31mRood"\n  "kas\\eier\\u202e": 1\n  centrumgemeente: "\\x9b31m"\n'
        "partijen: [{naam: Gemeente X, soort: gemeente}]\n",
        encoding="utf-8",
    )
    for args in (
        ["validate", folder],
        ["validate", folder, "--json"],
        ["build", folder, "--out", tmp_path / "o"],
        ["overzicht", folder, "--out", tmp_path / "o.xlsx"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "convenant_gen", *map(str, args)], capture_output=True, cwd=tmp_path
        )
        output = result.stdout + result.stderr
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw.encode() not in output, (args, output)
        if args[0] != "overzicht":  # the overview names the file, whose name is plain here
            assert b"\\x1b" in output or b"\\u001b" in output, (args, output)
        assert result.returncode in (0, 1), (args, output)


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999", "gisteren", "1e9"])
def test_a_source_date_epoch_out_of_range_is_a_usage_error(regions, tmp_path, value):
    result = cli("build", regions, "--out", tmp_path / "out", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": value})
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH moet een aantal seconden sinds 1 januari 1970 zijn" in result.stderr
    assert "Interne fout" not in result.stderr


def test_text_that_looks_like_a_formula_stays_text_in_the_overview(regions, tmp_path):
    from openpyxl import load_workbook

    path = regions / "achterhoek.yaml"
    formula = '=HYPERLINK("http://example.invalid","klik")'
    path.write_text(path.read_text(encoding="utf-8").replace("naam: Achterhoek", f"naam: '{formula}'", 1))
    result = cli("overzicht", regions, "--out", tmp_path / "o.xlsx", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    sheet = load_workbook(tmp_path / "o.xlsx")["Regio's"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == formula]
    assert cells and all(c.data_type == "s" for c in cells)


def test_templates_check_runs_under_the_same_limits(regions, tmp_path):
    templates = template_with(
        tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    start = time.monotonic()
    result = cli("templates", "check", templates, "--regios", regions, "--tijdslimiet", "1", cwd=tmp_path)
    assert time.monotonic() - start < 60
    assert result.returncode == 1
    assert "convenant.docx: bij regio" in result.stderr
    assert "het invullen duurde langer dan 1 s en is gestopt" in result.stderr
    assert "✓ plan-van-aanpak.docx" in result.stdout


def test_a_pipe_or_device_as_region_file_fails_that_region_without_hanging(regions, tmp_path):
    fifo = tmp_path / "pijp.yaml"
    os.mkfifo(fifo)
    result = cli(
        "build",
        fifo,
        "/dev/zero",
        regions / "achterhoek.yaml",
        "--out",
        tmp_path / "out",
        "--templates",
        TEMPLATES,
        *DATE,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert "1 gemaakt, 0 ongewijzigd, 2 mislukt van 3 regio('s)" in result.stdout
    assert "geen gewoon bestand" in result.stderr


# --- found by a review as an attacker and a clumsy user --------------------------------


def test_numbers_mean_what_the_user_typed(regions, tmp_path):
    """YAML 1.1 reads 0100 as octal 64 and yes as 1: the document said 64 with exit 0."""
    path = regions / "achterhoek.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("instroom_2024: 100", "instroom_2024: 0100"), encoding="utf-8")
    result = cli("build", path, "--out", tmp_path / "out", "--templates", TEMPLATES, *DATE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import docx

    document = docx.Document(str(tmp_path / "out" / "achterhoek" / "convenant-achterhoek.docx"))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "tot 100 in 2024" in body and "tot 64 in 2024" not in body
    for value, shown in (("0x10", '"0x10"'), ("yes", '"yes"'), ("!foo 3", "'!foo'")):
        path.write_text(text.replace("instroom_2024: 100", f"instroom_2024: {value}"), encoding="utf-8")
        result = cli("validate", path, cwd=tmp_path)
        assert result.returncode == 1, (value, result.stdout)
        assert "instroom_2024" in result.stderr and shown in result.stderr, (value, result.stderr)


def test_a_template_that_prints_a_template_object_fails(regions, tmp_path):
    templates = template_with(tmp_path, "{{ self }}")
    result = cli(
        "build", regions / "achterhoek.yaml", "--out", tmp_path / "out", "--templates", templates, *DATE, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "het sjabloon toont ‘TemplateReference’, en dat is geen gegeven" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--datum", "0001-01-01"], {}, "ligt buiten 2000 tot en met 2100"),
        ([], {"SOURCE_DATE_EPOCH": "0"}, "ligt buiten 2000 tot en met 2100"),
        ([], {"CONVENANT_TIJDSLIMIET": "nan"}, "geef een gewoon aantal seconden"),
    ],
)
def test_dates_and_limits_out_of_range_are_usage_errors(regions, tmp_path, args, env, message):
    result = cli("build", regions, "--out", tmp_path / "out", *args, cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_name_with_a_newline_is_refused_before_anything_is_written(regions, tmp_path):
    shutil.copy(regions / "achterhoek.yaml", regions / "nieuwe\nregel.yaml")
    for command in ("validate", "build"):
        result = (
            cli(command, regions, "--out", tmp_path / "out", cwd=tmp_path)
            if command == "build"
            else cli(command, regions, cwd=tmp_path)
        )
        assert result.returncode == 2
        assert "nieuwe\\nregel.yaml" in result.stderr and "onzichtbaar teken" in result.stderr
        assert "nieuwe\nregel" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("tag", "dutch"),
    [
        ("{{ range(10**6)|list|length }}", "range() met meer dan 100.000 stappen mag niet"),
        ("{% macro m(n) %}{{ m(n+1) }}{% endmacro %}{{ m(0) }}", "een macro roept zichzelf eindeloos aan"),
        ("{{ 1 / 0 }}", "een deling door nul"),
    ],
)
def test_template_failures_are_explained_in_dutch(regions, tmp_path, tag, dutch):
    templates = template_with(tmp_path, tag)
    result = cli(
        "build", regions / "achterhoek.yaml", "--out", tmp_path / "out", "--templates", templates, *DATE, cwd=tmp_path
    )
    assert result.returncode == 1
    assert dutch in result.stderr
    assert "Error" not in result.stderr
