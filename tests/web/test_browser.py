"""The web form in a real browser: Playwright driving Debian's Chromium (never a downloaded one),
against the real server (`serve_in_thread`) on a copy of an example region.

What a project leader does: open the form, get the validator's own Dutch message beside a wrong
field, correct it, add a party, save (comments kept), build and download the covenant. Plus the
keyboard alone, list renumbering, a file changed on disk, and the README's screenshot."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from convenant_gen.web import yamlfile
from tests.conftest import REGIONS, ROOT
from tests.docs import reading_text

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "img" / "formulier.png"
NEW_PARTY = "Stichting Proefwerk Amstelland"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = "Debian's Chromium is not installed (scripts/test.sh installs it: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the form in a browser, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # LANGUAGE=nl: date fields read dd-mm-jjjj, as a Dutch project leader sees them
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--lang=nl"], env={**os.environ, "LANGUAGE": "nl"}
        )
        yield launched
        launched.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "regions"
    target.mkdir()
    for name in ("groot-amsterdam.yaml", "holland-rijnland.yaml", "achterhoek.yaml"):
        shutil.copy(REGIONS / name, target / name)
    return target


@pytest.fixture
def serve():
    """Start the form for a file (or a folder); stops every server at the end of the test."""
    from convenant_gen.web.server import serve_in_thread

    stops = []

    def _serve(path: Path | None = None, folder: Path | None = None) -> str:
        url, stop = serve_in_thread(path, folder)
        stops.append(stop)
        return url

    yield _serve
    for stop in stops:
        stop()


@pytest.fixture
def page(browser, serve):  # after `serve`, so the page closes before its server stops
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="nl-NL", accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda e: problems.append(f"JavaScript-fout: {e}"))
    # a 409 is the server's answer to a file changed on disk, not a fault of the page
    opened.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "status of 409" not in m.text else None
    )
    yield opened
    context.close()
    assert problems == [], problems


def open_form(page, url: str) -> None:
    page.goto(url + "/")
    settled(page)


def settled(page) -> None:
    """Wait until the form has checked its latest change with the server."""
    # (selectors, not wait_for_function: the page's Content-Security-Policy forbids eval, rightly)
    page.locator("#velden[data-controle='klaar']").wait_for(state="attached", timeout=10_000)


def saved(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_have_text(re.compile(r"^Opgeslagen"), timeout=10_000)


def field(page, name: str):
    return page.locator(f'[name="{name}"]')


def cli_findings(path: Path) -> list[str]:
    """What `convenant validate` prints per finding, after 'file:line:column: '."""
    run = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "validate", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
    )
    return sorted(m.group(1) for m in re.finditer(rf"{re.escape(str(path))}:\d+:\d+: (.*)", run.stdout + run.stderr))


def form_findings(page) -> list[str]:
    """The list at the top of the form (errors first, then warnings), in the CLI's order."""
    return sorted(t.strip() for t in page.locator("#meldingen li").all_inner_texts())


def test_a_wrong_end_date_gets_the_validators_own_message_and_correcting_it_clears_it(page, serve, folder, tmp_path):
    region = folder / "groot-amsterdam.yaml"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(region.read_text(encoding="utf-8").replace("einddatum: 2023-12-31", "einddatum: 2021-12-31"))
    expected = [f for f in cli_findings(wrong) if f.startswith("looptijd.einddatum: ")]
    assert len(expected) == 1, expected

    open_form(page, serve(region))
    assert not page.locator('[role="alert"][data-veld="looptijd.einddatum"]').count()
    field(page, "looptijd.einddatum").fill("2021-12-31")
    settled(page)

    beside = page.locator('[role="alert"][data-veld="looptijd.einddatum"]')
    assert beside.inner_text().strip() == "Fout: " + expected[0].removeprefix("looptijd.einddatum: ")
    assert field(page, "looptijd.einddatum").get_attribute("aria-invalid") == "true"
    # the list at the top says everything `convenant validate` says about this version, in its words
    assert form_findings(page) == cli_findings(wrong)
    assert page.locator('#meldingen[role="alert"]').count() == 1

    field(page, "looptijd.einddatum").fill("2023-12-31")
    settled(page)
    assert page.locator('[role="alert"][data-veld="looptijd.einddatum"]').count() == 0
    assert field(page, "looptijd.einddatum").get_attribute("aria-invalid") is None
    assert form_findings(page) == cli_findings(region)


def test_add_a_party_save_and_build_the_covenant_with_it_on_the_signature_page(page, serve, folder, tmp_path):
    region = folder / "groot-amsterdam.yaml"
    before = yamlfile.read(region).data
    assert NEW_PARTY not in region.read_text(encoding="utf-8")
    open_form(page, serve(region))

    page.locator('[data-lijst="partijen"] > [data-actie="toevoegen"]').click()
    new = len(before["partijen"])
    assert page.evaluate("document.activeElement.name") == f"partijen.{new}.naam"  # focus on the new party
    field(page, f"partijen.{new}.naam").fill(NEW_PARTY)
    field(page, f"partijen.{new}.soort").select_option("overig")
    field(page, f"partijen.{new}.vertegenwoordiger.functie").fill("directeur")
    settled(page)
    assert page.locator(f'[role="alert"][data-veld^="partijen.{new}."]').count() == 0

    page.get_by_role("button", name="Opslaan", exact=True).click()
    saved(page)

    text = region.read_text(encoding="utf-8")
    assert "# Groot-Amsterdam: het getekende 'Convenant Hoofdzaak Werk'" in text  # comments kept
    assert "# Het projectteam vervult de rol" in text
    after = yamlfile.read(region).data
    assert after["partijen"][new] == {
        "naam": NEW_PARTY,
        "soort": "overig",
        "vertegenwoordiger": {"functie": "directeur"},
    }
    assert after["partijen"][:new] == before["partijen"]
    # the saved file validates with the CLI exactly as the form said
    assert cli_findings(region) == form_findings(page)

    page.get_by_role("button", name="Concept maken").click()
    covenant = page.locator("#downloads a", has_text=re.compile(r"^convenant-.*\.docx$"))
    covenant.wait_for(timeout=120_000)
    assert page.evaluate("document.activeElement.id") == "kop-documenten"
    with page.expect_download() as download:
        covenant.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = reading_text(target)
    signing = text[text.index("# Ondertekening") :]
    assert NEW_PARTY in signing
    if shutil.which("soffice"):
        from playwright.sync_api import expect

        first = page.get_by_role("img", name="Pagina 1", exact=True)
        first.scroll_into_view_if_needed()
        expect(first).to_have_js_property("complete", True)
        assert first.evaluate("img => img.naturalWidth") > 300  # a real page, not a broken image


def test_the_keyboard_alone_reaches_a_field_types_and_saves(page, serve, folder):
    region = folder / "groot-amsterdam.yaml"
    open_form(page, serve(region))

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Direct naar het formulier"
    page.keyboard.press("Enter")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "regio.naam"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "regio.code"
    page.keyboard.press("Control+A")
    page.keyboard.type("AM99")
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Opslaan":
            break
    else:
        pytest.fail("Shift+Tab never reached Opslaan")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    saved(page)
    assert yamlfile.read(region).data["regio"]["code"] == "AM99"


def test_moving_and_removing_items_by_keyboard_renumbers_every_name(page, serve, folder):
    region = folder / "groot-amsterdam.yaml"
    parties = [p["naam"] for p in yamlfile.read(region).data["partijen"]]
    open_form(page, serve(region))

    down = page.locator('[data-pad="partijen.0"] [data-actie="omlaag"]').first
    down.focus()
    page.keyboard.press("Enter")
    assert field(page, "partijen.0.naam").input_value() == parties[1]
    assert field(page, "partijen.1.naam").input_value() == parties[0]
    assert page.evaluate("document.activeElement.dataset.actie") == "omlaag"  # the focus moved along
    assert page.evaluate("document.activeElement.closest('li').dataset.pad") == "partijen.1"

    page.locator('[data-pad="partijen.0"] [data-actie="verwijderen"]').first.focus()
    page.keyboard.press("Enter")
    assert field(page, "partijen.0.naam").input_value() == parties[0]
    assert field(page, f"partijen.{len(parties) - 2}.naam").input_value() == parties[-1]
    assert field(page, f"partijen.{len(parties) - 1}.naam").count() == 0
    settled(page)

    page.get_by_role("button", name="Ongedaan maken").click()
    assert field(page, "partijen.0.naam").input_value() == parties[1]
    assert field(page, "partijen.1.naam").input_value() == parties[0]
    assert_every_input_is_named_and_labelled(page)


def assert_every_input_is_named_and_labelled(page) -> None:
    problems = page.evaluate(
        """() => {
        const out = [];
        const names = new Set();
        for (const input of document.querySelectorAll('#velden input, #velden select, #velden textarea')) {
          if (!input.name) out.push('zonder naam: ' + input.outerHTML.slice(0, 80));
          if (names.has(input.name)) out.push('dubbele naam: ' + input.name);
          names.add(input.name);
          const label = input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
          if (!label || !label.textContent.trim()) out.push('zonder label: ' + input.name);
          else if (!label.checkVisibility()) out.push('label niet zichtbaar: ' + input.name);
          const same = document.querySelectorAll(`[id="${CSS.escape(input.id)}"]`).length;
          if (same !== 1) out.push('dubbel id: ' + input.id);
        }
        return out;
      }"""
    )
    assert problems == []


BESLUITEN = ROOT / "tests" / "data" / "besluiten" / "groot-amsterdam.yaml"  # amendments, accessions, names


@pytest.mark.parametrize(
    "source", [*sorted(REGIONS.glob("*.yaml")), BESLUITEN], ids=lambda p: p.parent.name + "/" + p.stem
)
def test_saving_an_untouched_form_changes_nothing(page, serve, tmp_path, source):
    """Values the user did not touch go back as the file wrote them ('ja', 'januari 2022', a list
    of names, an amendment's changes), so the file stays byte for byte the same."""
    region = tmp_path / source.name
    shutil.copy(source, region)
    original, data = region.read_bytes(), yamlfile.read(region).data
    open_form(page, serve(region))
    assert_every_input_is_named_and_labelled(page)
    assert field(page, "regio.naam").input_value() == data["regio"]["naam"]
    assert page.locator("#niet-opgeslagen").is_hidden()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    saved(page)
    assert yamlfile.read(region).data == data
    if source != BESLUITEN:  # (its instemming list is written over two lines; ruamel joins them)
        assert region.read_bytes() == original


def test_a_key_the_model_does_not_know_is_shown_and_kept_until_removed(page, serve, folder):
    region = folder / "groot-amsterdam.yaml"
    region.write_text(
        region.read_text(encoding="utf-8").replace(
            "  einddatum: 2023-12-31\n", "  einddatum: 2023-12-31\n  eindatum: 2024-06-30\n"
        ),
        encoding="utf-8",
    )
    expected = [f for f in cli_findings(region) if f.startswith("looptijd.eindatum")]
    assert expected
    open_form(page, serve(region))
    unknown = field(page, "looptijd.eindatum")
    assert unknown.input_value() == "2024-06-30"
    assert page.locator('[role="alert"][data-veld="looptijd.eindatum"]').count() == 1
    assert expected[0] in form_findings(page)

    field(page, "regio.code").fill("AM19")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    saved(page)
    assert "  eindatum: 2024-06-30\n" in region.read_text(encoding="utf-8")

    page.locator('[data-pad="looptijd.eindatum"] [data-actie="verwijderen"]').click()
    settled(page)
    assert not [f for f in form_findings(page) if f.startswith("looptijd.eindatum")]
    page.get_by_role("button", name="Opslaan", exact=True).click()
    saved(page)
    assert "eindatum: 2024-06-30" not in region.read_text(encoding="utf-8")


def test_a_file_changed_on_disk_is_not_overwritten_and_the_form_says_so(page, serve, folder):
    region = folder / "groot-amsterdam.yaml"
    open_form(page, serve(region))
    changed = region.read_text(encoding="utf-8").replace("code: AM18", "code: AM18 # door een collega")
    region.write_text(changed, encoding="utf-8")

    field(page, "regio.code").fill("AM20")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    alert = page.locator("#meldingen .verzoek")
    alert.wait_for()
    assert "buiten het formulier gewijzigd" in alert.inner_text()
    assert region.read_text(encoding="utf-8") == changed
    assert page.locator("#status").inner_text().startswith("Niet opgeslagen")
    # No work is lost: the user's version as a file of its own, with the colleague's comment.
    with page.expect_download() as download:
        page.get_by_role("button", name="Mijn versie downloaden").click()
    assert download.value.suggested_filename == "groot-amsterdam.formulier.yaml"
    mine = Path(download.value.path()).read_text(encoding="utf-8")
    assert "code: AM20 # door een collega" in mine
    assert region.read_text(encoding="utf-8") == changed


def test_the_start_page_lists_the_folder_and_makes_a_new_region(page, serve, folder):
    url = serve(folder=folder)
    page.goto(url + "/")
    assert page.locator(".bestanden a").all_inner_texts() == sorted(p.name for p in folder.glob("*.yaml"))

    page.get_by_role("button", name="Nieuw regiobestand").click()
    assert "naam van de regio" in page.locator("#meldingen").inner_text()
    page.get_by_label("Naam van de arbeidsmarktregio").fill("Zuid-Limburg")
    page.get_by_role("button", name="Nieuw regiobestand").click()
    page.wait_for_url(re.compile(r"/bewerk\?bestand=zuid-limburg\.yaml$"))
    settled(page)
    assert field(page, "regio.naam").input_value() == "Zuid-Limburg"
    assert (folder / "zuid-limburg.yaml").exists()


LAST_CHECK_MS = """performance.getEntriesByType('resource')
    .filter(e => e.name.endsWith('/api/controleer')).at(-1).duration"""


def test_a_change_is_checked_within_100_ms_for_the_largest_region(page, serve, folder):
    largest = max(folder.glob("*.yaml"), key=lambda p: p.stat().st_size)
    open_form(page, serve(largest))
    rounds = []
    for value in ("7", "8", "9", "10", "11", "12", "13"):
        page.evaluate("performance.clearResourceTimings()")
        field(page, "vervolg.maanden_voor_einde").fill(value)
        settled(page)
        rounds.append(page.evaluate(LAST_CHECK_MS))
    assert statistics.median(rounds) <= 100, rounds


def test_screenshot_for_the_readme(page, serve, folder, tmp_path):
    """The top of the form with a message beside a field, as docs/img/formulier.png shows it;
    UPDATE_SCREENSHOT=1 writes it there."""
    from PIL import Image

    page.set_viewport_size({"width": 1200, "height": 1180})  # down to the Looptijd section
    open_form(page, serve(folder / "groot-amsterdam.yaml"))
    field(page, "looptijd.einddatum").fill("2021-12-31")
    settled(page)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")  # no focus ring in the picture
    beside = page.locator('[role="alert"][data-veld="looptijd.einddatum"]')
    assert beside.evaluate("e => e.getBoundingClientRect().bottom") < 1180  # in the picture
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "formulier.png"
    page.screenshot(path=str(target))
    with Image.open(SCREENSHOT) as shown:
        assert shown.size[0] >= 1000  # the README's picture exists and is a real screenshot


def test_a_date_field_says_its_date_in_dutch_words(page, serve, folder):
    """The date input follows the browser's language; the words beside it do not, so a date
    typed the Dutch way into an English browser cannot silently mean another day."""
    open_form(page, serve(folder / "groot-amsterdam.yaml"))
    end = page.locator('[data-pad="looptijd.einddatum"] .datum-in-woorden')
    assert end.inner_text() == "= 31 december 2023"
    field(page, "looptijd.einddatum").fill("2024-06-30")
    assert end.inner_text() == "= 30 juni 2024"
