"""The form's server without a browser (Starlette's test client): every route, and the
security rules: token, host, body size, no path from the browser, nothing executed."""

from __future__ import annotations

import copy
import re
import shutil
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from convenant_gen.cli import cli
from convenant_gen.web import yamlfile
from convenant_gen.web.server import Session, app
from tests.conftest import ROOT
from tests.docs import all_text

REGION = ROOT / "regions" / "groot-amsterdam.yaml"


@pytest.fixture
def session(tmp_path):
    folder = tmp_path / "regions"
    folder.mkdir()
    shutil.copy(REGION, folder / REGION.name)
    (tmp_path / "geheim.yaml").write_text("regio: {naam: Geheim}\n", encoding="utf-8")
    s = Session(folder, opened=REGION.name)
    yield s
    s.close()


@pytest.fixture
def client(session):
    return TestClient(app(session), base_url="http://127.0.0.1")


def post(client, session, route, body, token=True, **kwargs):
    headers = {"X-Convenant-Token": session.token} if token else {}
    return client.post(route, json=body, headers=headers, **kwargs)


def data_of(session) -> dict:
    return copy.deepcopy(yamlfile.read(session.folder / REGION.name).data)


def cli_messages(path: Path) -> list[str]:
    """What `convenant validate` prints per finding, after 'file:line:column: '."""
    out = CliRunner().invoke(cli, ["validate", str(path)]).output
    return [m.group(1) for m in re.finditer(rf"{re.escape(str(path))}:\d+:\d+: (.*)", out)]


def test_a_state_changing_request_needs_the_sessions_token(client, session):
    body = {"bestand": REGION.name, "gegevens": data_of(session)}
    for headers in ({}, {"X-Convenant-Token": "raden"}, {"X-Convenant-Token": session.token[:-1]}):
        response = client.post("/api/controleer", json=body, headers=headers)
        assert response.status_code == 403
        assert "formuliertoken" in response.json()["melding"]
    for route in ("/api/opslaan", "/api/maken", "/api/nieuw", "/api/als-bestand"):
        assert post(client, session, route, body, token=False).status_code == 403
    assert post(client, session, "/api/controleer", body).status_code == 200


def test_another_host_name_is_refused(session):
    """DNS rebinding: a page of another site whose name points at 127.0.0.1 is not served."""
    evil = TestClient(app(session), base_url="http://aanvaller.example")
    assert evil.get("/").status_code == 400
    assert evil.post("/api/controleer", json={}, headers={"X-Convenant-Token": session.token}).status_code == 400


@pytest.mark.parametrize("name", ["../geheim.yaml", "/etc/passwd", "regions/groot-amsterdam.yaml", "", None, 7])
def test_no_path_from_the_browser_reaches_the_file_system(client, session, name):
    body = {"bestand": name, "gegevens": {"regio": {"naam": "X"}}, "versie": "0" * 64}
    for route in ("/api/controleer", "/api/opslaan", "/api/maken", "/api/als-bestand"):
        response = post(client, session, route, body)
        assert response.status_code == 404, (route, response.text)
    assert client.get("/bewerk", params={"bestand": name or ""}).status_code == 404
    assert (session.folder.parent / "geheim.yaml").read_text(encoding="utf-8") == "regio: {naam: Geheim}\n"


def test_a_body_too_large_or_not_json_is_refused(client, session):
    huge = {"bestand": REGION.name, "gegevens": {"regio": {"naam": "x" * 3_000_000}}}
    assert post(client, session, "/api/controleer", huge).status_code == 413
    for raw in (b"{", b"[1, 2]", b"\xff\xfe"):
        response = client.post(
            "/api/controleer",
            content=raw,
            headers={"X-Convenant-Token": session.token, "Content-Type": "application/json"},
        )
        assert response.status_code == 400
    assert post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": [1]}).status_code == 400


def test_validation_says_what_convenant_validate_says(client, session, tmp_path):
    data = data_of(session)
    data["looptijd"]["einddatum"] = "2021-06-30"  # before the start
    result = post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": data}).json()
    assert result["geldig"] is False
    by_field = {m["veld"]: m for m in result["fouten"]}
    assert "looptijd.einddatum" in by_field
    saved = tmp_path / "zo.yaml"
    text = REGION.read_text(encoding="utf-8").replace("einddatum: 2023-12-31", "einddatum: 2021-06-30")
    saved.write_text(text, encoding="utf-8")
    assert by_field["looptijd.einddatum"]["tekst"] in cli_messages(saved)
    assert {m["tekst"] for m in result["fouten"]} <= set(cli_messages(saved))


def test_a_list_position_is_the_inputs_name(client, session):
    data = data_of(session)
    data["partijen"][2]["soort"] = "gemeentehuis"
    result = post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": data}).json()
    assert [m["veld"] for m in result["fouten"]] == ["partijen.2.soort"]
    assert result["fouten"][0]["tekst"].startswith("partijen[3].soort: ")


def test_the_checklist_for_signing_lists_what_is_still_open(client, session):
    result = post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": data_of(session)}).json()
    assert result["geldig"] is True and result["fouten"] == []
    assert "partijen.0.vertegenwoordiger.naam" in {m["veld"] for m in result["ondertekening"]}


def test_saving_keeps_comments_and_validates_as_the_form_said(client, session):
    path = session.folder / REGION.name
    before = path.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    opened = yamlfile.read(path)
    data = copy.deepcopy(opened.data)
    data["looptijd"]["einddatum"] = "2024-06-30"
    data["partijen"].append({"naam": "Stichting Nieuw", "soort": "overig", "ondertekent": False})
    said = post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": data}).json()
    response = post(
        client, session, "/api/opslaan", {"bestand": REGION.name, "gegevens": data, "versie": opened.version}
    )
    assert response.status_code == 200 and response.json()["melding"] == "Opgeslagen"
    after = path.read_text(encoding="utf-8")
    assert "einddatum: 2024-06-30" in after and "Stichting Nieuw" in after
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == comments
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == [
        "  einddatum: 2024-06-30",
        "  - naam: Stichting Nieuw",
        "    soort: overig",
        "    ondertekent: false",
    ]
    assert {m["tekst"] for m in said["waarschuwingen"]} == set(cli_messages(path))
    assert response.json()["versie"] == yamlfile.version_of(after.encode("utf-8"))


def test_a_file_changed_on_disk_is_not_overwritten(client, session):
    path = session.folder / REGION.name
    opened = yamlfile.read(path)
    path.write_text(path.read_text(encoding="utf-8") + "# met de hand\n", encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    body = {"bestand": REGION.name, "gegevens": opened.data, "versie": opened.version}
    response = post(client, session, "/api/opslaan", body)
    assert response.status_code == 409
    assert "buiten het formulier gewijzigd" in response.json()["melding"]
    assert path.read_text(encoding="utf-8") == edited


def test_building_offers_the_documents_with_the_new_party(client, session):
    data = data_of(session)
    data["partijen"].append({"naam": "Stichting Nieuw", "soort": "overig"})
    result = post(client, session, "/api/maken", {"bestand": REGION.name, "gegevens": data, "definitief": False})
    body = result.json()
    assert body["fouten"] == []
    names = [d["naam"] for d in body["documenten"]]
    assert "convenant-groot-amsterdam.docx" in names
    download = client.get(f"/documenten/{names[0]}")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    saved = session.work / "download.docx"
    saved.write_bytes(client.get("/documenten/convenant-groot-amsterdam.docx").content)
    assert "Stichting Nieuw" in all_text(saved).split("Ondertekening")[-1]  # on the signature page
    assert client.get("/documenten/..%2F..%2Fgeheim.yaml").status_code == 404
    assert client.get("/documenten/niet-gemaakt.docx").status_code == 404


def test_a_field_value_is_never_executed(client, session):
    data = data_of(session)
    data["regio"]["naam"] = "{{ 7 * 7 }} {% for x in range(3) %}x{% endfor %}"
    body = post(client, session, "/api/maken", {"bestand": REGION.name, "gegevens": data, "definitief": False}).json()
    saved = session.work / "x.docx"
    saved.write_bytes(client.get(body["documenten"][0]["url"]).content)
    text = all_text(saved)
    assert "{{ 7 * 7 }}" in text and "49" not in text


def test_a_new_region_is_made_as_init_makes_it(client, session):
    response = post(client, session, "/api/nieuw", {"naam": "Twente"})
    assert response.status_code == 200 and response.json()["url"] == "/bewerk?bestand=twente.yaml"
    assert (session.folder / "twente.yaml").read_text(encoding="utf-8").startswith("#")
    assert post(client, session, "/api/nieuw", {"naam": "Twente"}).status_code == 409
    assert post(client, session, "/api/nieuw", {"naam": "  "}).status_code == 400


def test_validation_round_trip_is_fast_for_the_largest_example(client, session):
    largest = max((ROOT / "regions").glob("*.yaml"), key=lambda p: len(p.read_text(encoding="utf-8")))
    shutil.copy(largest, session.folder / largest.name)
    data = yamlfile.read(session.folder / largest.name).data
    times = []
    for _ in range(7):
        result = post(client, session, "/api/controleer", {"bestand": largest.name, "gegevens": data}).json()
        times.append(result["ms"])
    assert statistics.median(times) <= 100, times


def test_saving_what_the_file_already_says_changes_no_byte(client, session):
    """A flow list over two lines stays as the user wrote it when nothing changed."""
    source = ROOT / "tests" / "data" / "besluiten" / "groot-amsterdam.yaml"
    path = session.folder / "met-besluiten.yaml"
    shutil.copy(source, path)
    opened = yamlfile.read(path)
    body = {"bestand": path.name, "gegevens": opened.data, "versie": opened.version}
    assert post(client, session, "/api/opslaan", body).json()["versie"] == opened.version
    assert path.read_bytes() == source.read_bytes()


def test_a_number_typed_as_text_is_written_as_a_number(client, session):
    path = session.folder / REGION.name
    opened = yamlfile.read(path)
    data = copy.deepcopy(opened.data)
    data["doelstellingen"]["trajecten_cmd"] = "60"
    body = {"bestand": REGION.name, "gegevens": data, "versie": opened.version}
    assert post(client, session, "/api/opslaan", body).status_code == 200
    assert "  trajecten_cmd: 60\n" in path.read_text(encoding="utf-8")


def test_the_command_serves_on_localhost_and_stops_on_ctrl_c(tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    shutil.copy(REGION, tmp_path / REGION.name)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "convenant_gen", "formulier", str(tmp_path / REGION.name), "--geen-browser"]
    proc = subprocess.Popen(
        [*command, "--poort", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/bewerk?bestand={REGION.name}") as page:
                    assert page.status == 200 and b'name="convenant-token"' in page.read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the form did not start"
                time.sleep(0.1)
        busy = subprocess.run(
            [sys.executable, "-m", "convenant_gen", "formulier", "--geen-browser", "--poort", str(port)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert busy.returncode == 2 and f"poort {port} is al in gebruik" in busy.stderr + busy.stdout
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert f"Formulier: http://127.0.0.1:{port}/" in out and "Formulier gestopt." in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regio:\n  naam: X\n\tlooptijd: {}\n", "regel 3, kolom 1: geen geldige YAML"),
        ("- a\n- b\n", "verwacht velden als 'regio:' en 'looptijd:' bovenaan"),
    ],
    ids=["tab", "list"],
)
def test_a_file_the_form_cannot_show_is_explained_and_never_overwritten(client, session, text, message):
    path = session.folder / "kapot.yaml"
    path.write_text(text, encoding="utf-8")
    page = client.get("/bewerk", params={"bestand": "kapot.yaml"})
    import html

    assert page.status_code == 200 and message in html.unescape(page.text) and 'role="alert"' in page.text
    body = {
        "bestand": "kapot.yaml",
        "gegevens": {"regio": {"naam": "Test"}},
        "versie": yamlfile.version_of(text.encode()),
    }
    assert post(client, session, "/api/opslaan", body).status_code == 409
    assert path.read_text(encoding="utf-8") == text


def test_saving_a_starter_file_keeps_its_empty_fields_and_their_comments(client, session):
    """A file as `convenant init` writes it: filling in one field changes that one line."""
    assert post(client, session, "/api/nieuw", {"naam": "Twente"}).status_code == 200
    path = session.folder / "twente.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    opened = yamlfile.read(path)
    data = copy.deepcopy(opened.data)
    data["looptijd"] = {**data.get("looptijd", {}), "einddatum": "2025-12-31"}
    data = {k: v for k, v in data.items() if v not in (None, "", [], {})}  # as the form sends it
    assert (
        post(
            client, session, "/api/opslaan", {"bestand": "twente.yaml", "gegevens": data, "versie": opened.version}
        ).status_code
        == 200
    )
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    (changed,) = [line for line in after if line not in before]
    assert changed.startswith("  einddatum: 2025-12-31 #")  # its example comment kept


def test_the_checklist_lists_what_build_definitief_refuses(client, session, tmp_path):
    """Also the open places only the documents know (an approver's name in the plan)."""
    data = data_of(session)
    result = post(client, session, "/api/controleer", {"bestand": REGION.name, "gegevens": data}).json()
    saved = tmp_path / REGION.name
    shutil.copy(REGION, saved)
    out = CliRunner().invoke(cli, ["validate", "--definitief", str(saved)]).output
    cli_errors = {m.group(1) for m in re.finditer(rf"{re.escape(str(saved))}:\d+:\d+: (.*)", out)}
    cli_errors = {e for e in cli_errors if not e.startswith("waarschuwing")}
    assert {m["tekst"] for m in result["ondertekening"]} == cli_errors
