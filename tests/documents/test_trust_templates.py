"""Trust in templates: whatever a template file or the template cache holds, a build writes exactly
what the region says, or fails that region with a Dutch message. Nothing is repaired by dropping
content, a template cannot change data or reach Python's internals, a template file is untrusted
input, and the cache is a hint that never changes a document and never fails a build."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, signable_holland_rijnland

TEMPLATES = ROOT / "templates"
REGIONS = ROOT / "regions"
DATE = ("--datum", "2026-11-23")
ONE = ("--doc", "convenant", "--jobs", "1")


# --- helpers -------------------------------------------------------------------------------


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of the zip `source` with every member passed through `change` (None drops it)."""
    with zipfile.ZipFile(source) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            new = change(info.filename, data)
            if new is not None:
                z.writestr(info, new)
    return target


def edited(tmp_path: Path, member: str, old: str, new: str, name: str = "convenant.docx") -> Path:
    """A copy of templates/ whose `name` has `old` replaced by `new` in `member`."""
    folder = tmp_path / "tpl"
    if not folder.exists():
        shutil.copytree(TEMPLATES, folder)

    def change(filename: str, data: bytes) -> bytes:
        if filename != member:
            return data
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode(), 1)

    rezip(folder / name, folder / name, change)
    return folder


def with_paragraph(tmp_path: Path, text: str) -> Path:
    """A copy of templates/ whose covenant has a paragraph with `text` right after 'Aanleiding'."""
    return edited(tmp_path, "word/document.xml", "<w:t>Aanleiding</w:t></w:r></w:p>",
                  f"<w:t>Aanleiding</w:t></w:r></w:p><w:p><w:r><w:t>{text}</w:t></w:r></w:p>")  # fmt: skip


def final_region(folder: Path, name: str = "holland-rijnland.yaml", naam: str | None = None) -> Path:
    """Holland Rijnland complete enough for --definitief; optionally with another region name."""
    text = signable_holland_rijnland()
    if naam:
        text = text.replace("naam: Holland Rijnland", f"naam: {naam}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convenant_gen", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def docx_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.docx")) if folder.exists() else []


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Never touch the user's template cache."""
    monkeypatch.setenv("CONVENANT_CACHE", str(tmp_path / "testcache"))


# --- 1. every rendered part well-formed as rendered -----------------------------------------


def if_before_table(tmp_path: Path) -> Path:
    """`{% if concept %}` in a paragraph before the activity table, `{% endif %}` in its first cell."""
    edited(tmp_path, "word/document.xml", "<w:t>Activiteit</w:t>", "<w:t>Activiteit{% endif %}</w:t>")
    opening = "<w:p><w:r><w:t>{% if concept %}</w:t></w:r></w:p><w:tbl>"
    return edited(tmp_path, "word/document.xml", "<w:tbl>", opening)


def test_a_block_opened_before_a_table_and_closed_inside_it_fails_never_truncates(tmp_path, run):
    templates = if_before_table(tmp_path)
    region = final_region(tmp_path / "regions")
    out = tmp_path / "out"
    result = run("build", region, "--out", out, "--templates", templates, "--definitief", *ONE)
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: na invullen is de hoofdtekst geen geldige Word-XML bij “" in result.output
    assert "Activiteitenplan" in result.output  # the place: the heading above
    assert "een {% if %}/{% for %} opent en sluit waarschijnlijk in een andere alinea of tabel" in result.output
    assert docx_files(out) == []
    assert run("build", region, "--out", out, "--templates", templates, *DATE, *ONE).exit_code == 0  # concept

    check = run("templates", "check", templates, "--regios", REGIONS)
    assert check.exit_code == 1, check.output
    assert "definitief" in check.output and "na invullen is de hoofdtekst geen geldige Word-XML" in check.output


def test_a_safe_value_that_breaks_the_header_fails_never_exit_0(tmp_path, run):
    templates = edited(tmp_path, "word/header1.xml", "{{ regio.naam }}", "{{ regio.naam|safe }}")
    region = final_region(tmp_path / "regions", naam="Rijn & Duin <Oost>")
    out = tmp_path / "out"
    result = run("build", region, "--out", out, "--templates", templates, *DATE, *ONE)
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: na invullen is de koptekst geen geldige Word-XML" in result.output
    assert "|safe" in result.output
    assert docx_files(out) == []

    check = run("templates", "check", templates, "--regios", region.parent)
    assert check.exit_code == 1, check.output
    header = "Regionaal convenant ‘Sterk door werk’ – arbeidsmarktregio {{ regio.naam|safe }}"
    assert f"convenant.docx › koptekst › “{header}”: filter 'safe' zet de bescherming uit" in check.output


# --- 2. templates cannot change data, nor compute without bounds, nor escape -----------------


def test_a_template_cannot_change_the_data(tmp_path, run):
    templates = with_paragraph(tmp_path, "{% set _ = (doelstellingen|attr('update'))({'trajecten': 20}) %}")
    out = tmp_path / "out"
    result = run("build", REGIONS / "holland-rijnland.yaml", "--out", out, "--templates", templates, *DATE, "-j", "1")
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: het sjabloon gebruikt ‘update’" in result.output
    assert "een sjabloon toont gegevens en mag ze niet wijzigen" in result.output
    assert docx_files(out) == []  # neither the covenant nor the plan
    check = run("templates", "check", templates, "--regios", REGIONS)
    assert check.exit_code == 1 and "‘update’" in check.output


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ '{0.__class__}'.format(regio) }}",
    "{{ '{x.__class__.__mro__}'.format_map({'x': regio}) }}",
    "{{ regio|attr('__class__') }}",
    "{{ (regio|attr('__class__')).__subclasses__() }}",
]


@pytest.mark.parametrize("tag", ESCAPES)
def test_sandbox_escapes_stay_blocked_with_a_dutch_message(tag, tmp_path, run):
    out = tmp_path / "out"
    result = run("build", REGIONS / "achterhoek.yaml", "--out", out, "--templates", with_paragraph(tmp_path, tag),
                 *DATE, *ONE)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: het sjabloon gebruikt ‘" in result.output
    assert "dat mag niet" in result.output
    for internal in ("<class", "<function", "<built-in", "__builtins__", "interne fout", "Traceback"):
        assert internal not in result.output
    assert docx_files(out) == []


BOMBS = [
    "{{ (3 ** 1000000000) % 7 }}",
    "{{ 'x' * 10**10 }}",
    "{{ [0] * 10**10 }}",
    "{{ 10**10 * 'x' }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ '{:>9999999999}'.format(1) }}",
    "{{ '{:>{w}}'.format(1, w=9999999999) }}",
    "{{ 'x'|center(9999999999) }}",
    "{{ 'x'.ljust(9999999999) }}",
    "{{ '%09999999999d'|format(1) }}",
]


@pytest.mark.parametrize("tag", BOMBS)
def test_huge_computations_are_refused_at_once(tag, tmp_path, run):
    out = tmp_path / "out"
    result = run("build", REGIONS / "achterhoek.yaml", "--out", out, "--templates", with_paragraph(tmp_path, tag),
                 *DATE, *ONE, "--tijdslimiet", "5")  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: " in result.output and "geweigerd" in result.output, result.output
    assert docx_files(out) == []


def test_a_rendered_part_has_a_size_limit(tmp_path, run):
    tag = "{% for i in range(100000) %}{{ 'x' * 600 }}{% endfor %}"  # 60 MB
    out = tmp_path / "out"
    result = run("build", REGIONS / "achterhoek.yaml", "--out", out, "--templates", with_paragraph(tmp_path, tag),
                 *DATE, *ONE)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: na invullen zou de hoofdtekst groter worden dan 50 MB" in result.output
    assert docx_files(out) == []


# --- 3. template files are untrusted -------------------------------------------------------


def _not_a_zip(folder: Path) -> None:
    (folder / "eigen.docx").write_text("dit is geen Word-document", encoding="utf-8")


def _no_document(folder: Path) -> None:
    rezip(TEMPLATES / "convenant.docx", folder / "eigen.docx", lambda n, d: None if n == "word/document.xml" else d)


def _many_members(folder: Path) -> None:
    shutil.copy(TEMPLATES / "convenant.docx", folder / "eigen.docx")
    with zipfile.ZipFile(folder / "eigen.docx", "a") as z:
        for i in range(2001):
            z.writestr(f"customXml/extra{i}.xml", "<a/>")


def _huge_member(folder: Path) -> None:
    shutil.copy(TEMPLATES / "convenant.docx", folder / "eigen.docx")
    with zipfile.ZipFile(folder / "eigen.docx", "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/media/bom.bin", "w", force_zip64=True) as f:
            block = b"\0" * 2**20
            for _ in range(101):
                f.write(block)


def _doctype_in_styles(folder: Path) -> None:
    laughs = b'<?xml version="1.0"?>\n<!DOCTYPE w:styles [<!ENTITY a "aaaaaaaaaa">]>\n'

    def change(name: str, data: bytes) -> bytes:
        return laughs + data.split(b"?>", 1)[1].lstrip() if name == "word/styles.xml" else data

    rezip(TEMPLATES / "convenant.docx", folder / "eigen.docx", change)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&e;</text></svg>'


def _utf16_doctype_in_settings(folder: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name != "word/settings.xml":
            return data
        body = data.decode("utf-8").split("?>", 1)[1].lstrip()
        text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w:settings [<!ENTITY a "b">]>' + body
        return text.encode("utf-16")

    rezip(TEMPLATES / "convenant.docx", folder / "eigen.docx", change)


def _svg_with_entity(folder: Path) -> None:
    shutil.copy(TEMPLATES / "convenant.docx", folder / "eigen.docx")
    with zipfile.ZipFile(folder / "eigen.docx", "a") as z:
        z.writestr("word/media/logo.svg", b'<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/hostname">]>' + SVG)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_not_a_zip, "sjabloon eigen.docx: is geen Word-document (.docx)"),
        (_no_document, "sjabloon eigen.docx: is geen Word-document (.docx): word/document.xml ontbreekt"),
        (_many_members, "sjabloon eigen.docx: bevat meer dan 2000 onderdelen"),
        (_huge_member, "sjabloon eigen.docx: is uitgepakt groter dan 100 MB"),
        (_doctype_in_styles, "sjabloon eigen.docx: word/styles.xml bevat een DOCTYPE"),
        (_utf16_doctype_in_settings, "sjabloon eigen.docx: word/settings.xml bevat een DOCTYPE"),
        (_svg_with_entity, "sjabloon eigen.docx: word/media/logo.svg bevat een DOCTYPE"),
    ],
)
def test_a_damaged_or_hostile_own_template_fails_that_region_only(damage, expected, tmp_path, run):
    templates = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, templates)
    damage(templates)
    regions = tmp_path / "regions"
    regions.mkdir()
    shutil.copy(REGIONS / "holland-rijnland.yaml", regions)
    own = regions / "achterhoek.yaml"
    own.write_text((REGIONS / "achterhoek.yaml").read_text(encoding="utf-8") + "sjablonen:\n  convenant: eigen.docx\n",
                   encoding="utf-8")  # fmt: skip
    out = tmp_path / "out"
    result = run("build", regions, "--out", out, "--templates", templates, *DATE, *ONE)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "1 gemaakt, 0 ongewijzigd, 1 mislukt van 2 regio('s)" in result.output
    assert "interne fout" not in result.output.lower()
    assert [p.name for p in docx_files(out)] == ["convenant-holland-rijnland.docx"]
    check = run("templates", "check", templates / "eigen.docx", "--regios", regions)
    assert check.exit_code == 1 and expected.split(": ", 1)[1] in check.output


def test_an_svg_logo_with_the_w3c_doctype_is_fine(tmp_path, run):
    """Drawing programs write SVG with a public DOCTYPE that declares nothing: not a reason to refuse."""
    templates = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, templates)
    public = b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    with zipfile.ZipFile(templates / "convenant.docx", "a") as z:
        z.writestr("word/media/logo.svg", public + SVG.replace(b"&e;", b"logo"))
    result = run("build", REGIONS / "achterhoek.yaml", "--out", tmp_path / "out", "--templates", templates, *DATE, *ONE)
    assert result.exit_code == 0, result.output


def test_an_external_entity_in_core_properties_is_refused_and_never_read(tmp_path, run):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-4711", encoding="utf-8")
    templates = edited(
        tmp_path,
        "docProps/core.xml",
        "<cp:coreProperties ",
        f'<!DOCTYPE cp:coreProperties [<!ENTITY geheim SYSTEM "file://{secret}">]><cp:coreProperties ',
    )
    templates = edited(tmp_path, "docProps/core.xml", "<cp:revision>1", "<cp:revision>&geheim;1")
    out = tmp_path / "out"
    result = run("build", REGIONS / "achterhoek.yaml", "--out", out, "--templates", templates, *DATE, *ONE)
    assert result.exit_code == 1, result.output
    assert "sjabloon convenant.docx: docProps/core.xml bevat een DOCTYPE" in result.output
    assert "GEHEIM" not in result.output
    for path in out.rglob("*") if out.exists() else []:
        assert b"GEHEIM" not in path.read_bytes()
    assert docx_files(out) == []


def test_core_properties_are_parsed_without_entities_dtd_or_network():
    from convenant_gen.documents.engine import _core_properties
    from convenant_gen.errors import TemplateProblem

    core = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]><x xmlns:dc="http://purl.org/dc/elements/1.1/">&e;</x>'
    with pytest.raises(TemplateProblem, match="DOCTYPE"):
        _core_properties(core, {"title": "t"})


# --- 4. the template cache is a hint -------------------------------------------------------

JINJA_MAGIC = b"j2" + pickle.dumps(5, 2) + pickle.dumps((sys.version_info[0] << 24) | sys.version_info[1], 2)


class _Marker:
    """Unpickling this creates a file: proof that the cache ran code."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, bytes]:
    """A warm cache and the covenant a cold build makes with it."""
    base = tmp_path_factory.mktemp("reference")
    cache = base / "cache"
    result = build_with(cache, base / "out")
    assert result.returncode == 0, result.stderr
    assert any(cache.iterdir())
    return cache, covenant_bytes(base / "out")


def build_with(cache: Path, out: Path, template_dir: Path = TEMPLATES) -> subprocess.CompletedProcess:
    return cli("build", REGIONS / "achterhoek.yaml", "--out", out, "--templates", template_dir, *DATE, *ONE, "-q",
               env={"CONVENANT_CACHE": str(cache)})  # fmt: skip


def covenant_bytes(out: Path) -> bytes:
    return (out / "achterhoek" / "convenant-achterhoek.docx").read_bytes()


def cache_copy(reference: tuple[Path, bytes], tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(reference[0], cache)
    return cache


def cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def prepared_entries(cache: Path) -> list[Path]:
    """The entries holding prepared template parts (whatever their format), not bytecode."""
    found = [p for p in cache_files(cache) if b'"suffix"' in p.read_bytes()]
    assert found
    return found


def assert_same_build(reference: tuple[Path, bytes], cache: Path, tmp_path: Path, name: str = "out") -> None:
    result = build_with(cache, tmp_path / name)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert covenant_bytes(tmp_path / name) == reference[1]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: b"{kapot" + data[:20], id="garbage"),
        pytest.param(
            lambda data: b'{"parts": {"word/document.xml": 5}, "prefix": 1, "suffix": []}',
            id="wrong-types",
        ),
        pytest.param(lambda data: data.replace(b"Aanleiding", b"Aanleiding GEWIJZIGD"), id="altered-content"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_an_unusable_prepared_entry_is_ignored_and_rebuilt(spoil, reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    for entry in prepared_entries(cache):
        entry.write_bytes(spoil(entry.read_bytes()))
    assert_same_build(reference, cache, tmp_path)
    assert_same_build(reference, cache, tmp_path, "again")  # and the rebuilt entry is good


def test_an_entry_another_build_wrote_for_the_same_version_does_not_change_the_output(reference, tmp_path):
    """Another build of this version (other preparation code) wrote an entry where the old key
    formula (template bytes + version numbers) would look: the key covers our code as well."""
    import hashlib
    import json

    import jinja2

    from convenant_gen import __version__

    cache = cache_copy(reference, tmp_path)
    source = (TEMPLATES / "convenant.docx").read_bytes()
    key = hashlib.sha256(source + f"{__version__}/{jinja2.__version__}".encode()).hexdigest()
    from convenant_gen.documents.engine import _prepare

    prepared = _prepare(source)
    prepared["parts"]["word/document.xml"] = prepared["parts"]["word/document.xml"].replace(
        "Aanleiding", "Aanleiding VAN EEN ANDERE BUILD"
    )
    (cache / f"{key}.json").write_text(json.dumps(prepared), encoding="utf-8")
    assert_same_build(reference, cache, tmp_path)


def test_truncated_bytecode_is_ignored(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    entries = set(prepared_entries(cache))
    bytecode = [p for p in cache_files(cache) if p not in entries]
    assert bytecode
    for path in bytecode:
        path.write_bytes(path.read_bytes()[: len(JINJA_MAGIC) + 5])
    assert_same_build(reference, cache, tmp_path)
    for path in bytecode:
        if path.exists():
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert_same_build(reference, cache, tmp_path, "again")


def plant_pickles(cache: Path, marker: Path) -> None:
    """Every cache file replaced by Jinja's magic and a pickle that would create `marker`."""
    for path in cache_files(cache):
        path.write_bytes(JINJA_MAGIC + pickle.dumps(_Marker(marker)) + b"\0" * 64)


def test_a_pickle_in_the_cache_never_runs(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    marker = tmp_path / "pwned"
    plant_pickles(cache, marker)
    assert_same_build(reference, cache, tmp_path)
    assert not marker.exists()


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` and everything below it read-only, for root as well (immutable flag)."""
    folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    for path in folders:
        path.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", *map(str, folders)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: cannot make a read-only folder")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, folders)], check=True)
        for path in folders:
            path.chmod(0o755)


def test_a_read_only_cache_never_fails_a_build(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    entries = set(prepared_entries(cache))
    for path in cache_files(cache):
        if path not in entries:
            path.unlink()  # bytecode missing: the build wants to write it
    with read_only(cache):
        assert_same_build(reference, cache, tmp_path)
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    with read_only(empty):
        assert_same_build(reference, empty, tmp_path, "cold")


def test_a_cache_folder_that_is_a_file_never_fails_a_build(reference, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    assert_same_build(reference, blocker / "cache", tmp_path)


def test_a_cache_others_can_write_to_is_not_used(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    marker = tmp_path / "pwned"
    plant_pickles(cache, marker)
    for entry in cache_files(cache):
        entry.chmod(0o644)
    cache.chmod(0o777)
    assert_same_build(reference, cache, tmp_path)
    assert not marker.exists()
    assert sorted(p.name for p in cache_files(cache)) == sorted(p.name for p in cache_files(reference[0]))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user")
def test_a_cache_owned_by_someone_else_is_not_used(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    marker = tmp_path / "pwned"
    plant_pickles(cache, marker)
    for path in [cache, *cache.rglob("*")]:
        os.chown(path, 65534, 65534)
    assert_same_build(reference, cache, tmp_path)
    assert not marker.exists()


def test_group_or_other_writable_cache_files_are_not_loaded(reference, tmp_path):
    cache = cache_copy(reference, tmp_path)
    cache.chmod(0o700)
    marker = tmp_path / "pwned"
    plant_pickles(cache, marker)
    for path in cache_files(cache):
        path.chmod(path.stat().st_mode | stat.S_IWGRP | stat.S_IWOTH)
    assert_same_build(reference, cache, tmp_path)
    assert not marker.exists()
