"""Command line: parse arguments, call one function, map errors to exit codes.

Exit codes: 0 success, 1 invalid input or failed build, 2 usage error. No traceback reaches
the user unless --debug is given. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from convenant_gen import __version__
from convenant_gen.cli import clinl  # noqa: F401  (Dutch click texts)
from convenant_gen.cli.options import LIMIT_MEMORY, LIMIT_SECONDS
from convenant_gen.documents.kinds import ALL, all_kinds
from convenant_gen.errors import (
    ConvenantError,
    Finding,
    InputError,
    UsageProblem,
    errors_in,
    in_file_order,
    warnings_in,
)

if TYPE_CHECKING:
    from convenant_gen.output.overview import Overview
    from convenant_gen.pipeline.build import Outcome, Status
    from convenant_gen.region.reference import ReferenceRegion

from convenant_gen.cli.options import CONTEXT


def region_files(paths: tuple[str, ...]) -> list[Path]:
    from convenant_gen.pipeline.batch import region_files as find

    return find(paths)


def echo(text: str = "", *, err: bool = False, nl: bool = True, fg: str | None = None, bold: bool = False) -> None:
    """click.echo for text that may hold data from region files: control characters escaped."""
    from convenant_gen.text import clean

    text = clean(text)
    click.echo(click.style(text, fg=fg, bold=bold) if fg or bold else text, err=err, nl=nl)


class ConvenantGroup(click.Group):
    """Maps our errors to exit codes for every command, however it is invoked."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UsageProblem as e:
            echo(f"Fout: {e}", err=True)
            ctx.exit(2)
        except ConvenantError as e:
            echo(str(e), err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as e:  # our bug, never the user's: one Dutch line, no traceback
            if (ctx.obj or {}).get("debug"):
                raise
            echo(
                f"Interne fout in convenant ({type(e).__name__}: {e}). Meld dit aan het "
                "landelijke team; met --debug ziet u de details.",
                err=True,
            )
            ctx.exit(3)


@click.group(cls=ConvenantGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--versie", "--version", message="convenant %(version)s")
@click.option("--debug", is_flag=True, help="Toon bij een interne fout de volledige traceback.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Maak het regionaal convenant 'Sterk door werk' en het plan van aanpak Hoofdzaak Werk
    uit één YAML-bestand per arbeidsmarktregio.

    \b
    Begin met:   convenant init "Naam van de regio"
    Controleer:  convenant validate regions/
    """
    ctx.obj = {"debug": debug}


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1)
@click.option("--definitief", is_flag=True, help="Controleer ook of alles voor ondertekening is ingevuld.")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON, voor scripts.")
def validate(paths: tuple[str, ...], definitief: bool, as_json: bool) -> None:
    """Controleer regiobestanden (standaard alle *.yaml in regions/).

    Toont alle fouten en waarschuwingen per bestand, met regel en veld. Exitcode 0 als alles
    geldig is, 1 als een bestand fouten heeft.
    """
    from convenant_gen.region.validate import load_region

    files = region_files(paths)
    if not files:
        raise click.UsageError("geen regiobestanden gevonden (*.yaml)")
    results: list[tuple[Path, list[Finding], list[Finding]]] = []
    for path in files:
        if definitief:  # as the build would refuse it: the rules and every open place in the documents
            from convenant_gen.pipeline.build import definitief_findings

            found = in_file_order(definitief_findings(path))
            results.append((path, errors_in(found), warnings_in(found)))
            continue
        try:
            loaded = load_region(path, definitief)
            results.append((path, [], loaded.warnings))
        except InputError as e:
            results.append(
                (
                    path,
                    [f for f in e.findings if f.severity == "fout"],
                    [f for f in e.findings if f.severity == "waarschuwing"],
                )
            )
    if as_json:
        from convenant_gen.text import clean_json

        click.echo(
            clean_json(
                json.dumps(
                    [
                        {
                            "bestand": str(p),
                            "geldig": not errs,
                            "fouten": [f.as_dict() for f in errs],
                            "waarschuwingen": [w.as_dict() for w in warns],
                        }
                        for p, errs, warns in results
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        )
    else:
        for path, errs, warns in results:
            _report(path, errs, warns)
        bad = sum(1 for _, errs, _ in results if errs)
        mode = " voor ondertekening (definitief)" if definitief else ""
        summary = f"{len(results) - bad} van {len(results)} bestand(en) geldig{mode}" + (
            f", {bad} met fouten" if bad else ""
        )
        echo(summary, fg="red" if bad else "green", bold=True)
    if any(errs for _, errs, _ in results):
        sys.exit(1)


def _report(path: Path, errors: list[Finding], warnings: list[Finding]) -> None:
    if errors:
        echo(f"✗ {path}: {len(errors)} fout(en)", fg="red", bold=True, err=True)
    else:
        echo(f"✓ {path}: geldig", fg="green")
    for f in sorted(errors + warnings, key=lambda f: (f.line, f.column)):
        echo(f"  {f}", err=bool(errors))


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1)
@click.option(
    "--out",
    "out",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Map voor de documenten: <out>/<regio>/convenant-<regio>.docx.",
)
@click.option(
    "--definitief",
    is_flag=True,
    help="Versie ter ondertekening: zonder conceptmarkering; weigert als er nog iets ontbreekt.",
)
@click.option(
    "--templates",
    "templates",
    type=click.Path(file_okay=False, exists=True),
    help="Map met eigen sjablonen (standaard de sjablonen van convenant zelf); een eigen sjabloon voor één "
    "regio staat in MAP/<regio>/.",
)
@click.option(
    "--datum", type=click.DateTime(["%Y-%m-%d"]), help="Datum op een concept (standaard vandaag, of SOURCE_DATE_EPOCH)."
)
@click.option(
    "--doc",
    "doc",
    type=click.Choice([*(kind.key for kind in all_kinds()), ALL]),
    default=ALL,
    show_default=True,
    help="Welk document: " + ", ".join(f"{kind.label} ({kind.key})" for kind in all_kinds()) + f" of {ALL}.",
)
@click.option(
    "--per",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Datum van de geconsolideerde tekst: de besluiten tot en met die dag (standaard alle vastgelegde besluiten).",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Aantal parallelle processen (standaard: alle kernen).")
@click.option("--force", is_flag=True, help="Maak alles opnieuw, ook regio's die niet zijn veranderd.")
@click.option("--quiet", "-q", is_flag=True, help="Geen voortgang en overzicht; alleen fouten.")
@click.option(
    "--pdf",
    "pdf",
    is_flag=True,
    help="Maak ook een PDF naast elk document (LibreOffice); met --definitief krijgt het convenant een "
    "leeg handtekeningveld per ondertekenaar.",
)
@click.option("--pdfa", is_flag=True, help="Maak PDF/A-2 voor archivering (impliceert --pdf).")
@LIMIT_SECONDS
@LIMIT_MEMORY
def build(
    paths: tuple[str, ...],
    out: str,
    definitief: bool,
    templates: str | None,
    datum: dt.datetime | None,
    doc: str,
    per: dt.datetime | None,
    jobs: int | None,
    force: bool,
    quiet: bool,
    pdf: bool,
    pdfa: bool,
    tijdslimiet: float,
    geheugenlimiet: int,
) -> None:
    """Maak de Word-documenten van regiobestanden (standaard alle *.yaml in regions/).

    Een regio met fouten houdt de andere niet tegen; de exitcode is dan 1.
    """
    from convenant_gen.documents.kinds import select
    from convenant_gen.pipeline.batch import build_all, wants_overview
    from convenant_gen.pipeline.build import check_date
    from convenant_gen.pipeline.limits import Limits

    files = region_files(paths)
    if not files:
        raise click.UsageError("geen regiobestanden gevonden (*.yaml)")
    with _Reporter(len(files), quiet) as report:
        outcome = build_all(
            files,
            Path(out),
            templates=Path(templates) if templates else None,
            definitief=definitief,
            datum=datum.date() if datum else None,
            documents=select(doc),
            jobs=jobs,
            force=force,
            limits=Limits(tijdslimiet, geheugenlimiet),
            overview=wants_overview(paths),
            pdf=pdf,
            pdfa=pdfa,
            on_result=report.result,
            meanwhile=None if quiet else _prepare_summary,
            per=check_date(per.date(), "--per") if per else None,
        )
    pdfs = outcome.pdfs
    if pdfs is not None:  # a PDF that failed: its region is 'mislukt' now, say why
        for r in outcome.results:
            for finding in r.errors:
                if finding.message.startswith("PDF: "):
                    echo(f"✗ {r.source}: {finding.message}", err=True, fg="red")
    if not quiet:
        _summary(outcome.results, outcome.counts())
    if pdfs is not None and not quiet and (pdf or pdfa or pdfs.removed):
        parts = [f"{len(pdfs.made)} PDF('s) gemaakt" + (" (PDF/A-2)" if pdfa and pdfs.made else "")]
        if pdfs.unchanged:
            parts.append(f"{len(pdfs.unchanged)} ongewijzigd")
        if pdfs.removed:
            parts.append(f"{len(pdfs.removed)} verouderde PDF('s) verwijderd")
        echo(", ".join(parts))
    if outcome.failed:
        sys.exit(1)


class _Reporter:
    """A progress bar on a terminal, plain lines otherwise, nothing with --quiet; errors always."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.done = total, quiet, 0
        self.progress: Any = None

    def __enter__(self) -> _Reporter:
        if not self.quiet and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("regio's"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self.progress.start()
            self.task = self.progress.add_task("", total=self.total)
        return self

    def result(self, r: Outcome) -> None:
        self.done += 1
        if r.status == "mislukt":
            lines = [line for finding in r.findings for line in str(finding).splitlines()]
            message = f"✗ {r.source}: niet gemaakt\n" + "\n".join(f"  {line}" for line in lines)
            if self.progress:
                from convenant_gen.text import clean

                self.progress.console.print(clean(message), markup=False, highlight=False)
            else:
                echo(message, fg="red", err=True)
        elif not self.quiet and not self.progress:
            echo(f"[{self.done}/{self.total}] {r.source}: {r.status}")
        if self.progress:
            self.progress.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.progress:
            self.progress.stop()


def _prepare_summary() -> None:
    """Import what _summary needs while the workers build (build_all's `meanwhile`)."""
    import rich.console
    import rich.table  # noqa: F401


def _summary(results: list[Outcome], counts: dict[Status, int]) -> None:
    from rich.console import Console
    from rich.table import Table

    from convenant_gen.text import markup_safe

    table = Table(title="Resultaat", title_justify="left")
    for column in ("regio", "status", "documenten", "waarschuwingen", "fouten"):
        table.add_column(column, justify="right" if column in ("documenten", "waarschuwingen", "fouten") else "left")
    colours = {"gemaakt": "green", "ongewijzigd": "cyan", "mislukt": "red"}
    for r in results:
        table.add_row(
            markup_safe(r.source.stem),
            f"[{colours[r.status]}]{r.status}[/]",
            str(len(r.documents)),
            str(len(r.warnings)),
            str(len(r.errors)),
        )
    console = Console(highlight=False, soft_wrap=True)
    console.print(table)
    console.print(
        f"{counts['gemaakt']} gemaakt, {counts['ongewijzigd']} ongewijzigd, {counts['mislukt']} mislukt "
        f"van {len(results)} regio('s)"
    )


@cli.command(context_settings=CONTEXT)
@click.argument("naam", required=False)
@click.option("--alle", is_flag=True, help="Maak een startbestand voor elke arbeidsmarktregio die er nog geen heeft.")
@click.option("--centrumgemeente", help="Centrumgemeente, als de regio niet in de landelijke lijst staat.")
@click.option(
    "--map",
    "folder",
    default="regions",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Map waarin het regiobestand komt.",
)
def init(naam: str | None, alle: bool, centrumgemeente: str | None, folder: str) -> None:
    """Maak een nieuw regiobestand NAAM met alle velden en de uitleg van de format.

    Voor een van de 35 arbeidsmarktregio's worden de centrumgemeente en de gemeenten als
    partijen alvast ingevuld. Een bestaand bestand wordt nooit overschreven. Met --alle komt er
    een concept voor elke arbeidsmarktregio zonder bestand (bron: CBS, indeling 2023).
    """
    from convenant_gen.output.write import write_atomic
    from convenant_gen.region import reference, scaffold

    if alle == bool(naam):
        raise click.UsageError("geef de naam van één regio, of --alle")
    targets: list[tuple[str, ReferenceRegion | None, str]] = []
    if alle:
        existing = {reference.slugify(p.stem) for p in Path(folder).glob("*.yaml")}
        targets = [
            (r.naam, r, r.centrumgemeente)
            for r in reference.regions()
            if r.slug not in existing and reference.slugify(r.naam) not in existing
        ]
    elif naam:
        ref = reference.find(naam)
        centrum = centrumgemeente or (ref.centrumgemeente if ref else None)
        if centrum is None:
            raise click.UsageError(
                f"'{naam}' staat niet in de lijst van 35 arbeidsmarktregio's; geef de "
                "centrumgemeente op met --centrumgemeente"
            )
        targets = [(ref.naam if ref and not centrumgemeente else naam, ref, centrum)]
    for name, ref, centrum in targets:
        slug = ref.slug if ref else reference.slugify(name)
        if not slug:
            raise click.UsageError(f"'{name}' is geen bruikbare regionaam")
        target = Path(folder) / f"{slug}.yaml"
        if target.exists():
            raise ConvenantError(
                f"{target} bestaat al; het wordt niet overschreven. "
                "Verwijder of hernoem het bestand als u opnieuw wilt beginnen."
            )
        write_atomic(target, scaffold.starter_yaml(name, centrum, ref).encode())
        echo(f"{target} aangemaakt")
    write_atomic(Path(folder) / scaffold.SCHEMA_FILE, scaffold.schema_json().encode())
    if alle:
        click.echo(f"{len(targets)} startbestand(en) gemaakt; {reference.SOURCE}")
    else:
        ref = targets[0][1]
        slug = ref.slug if ref else reference.slugify(targets[0][0])
        click.echo(f"Vul het in en controleer het met: convenant validate {Path(folder) / slug}.yaml")


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1)
@click.option(
    "--out",
    "out",
    default="output/overzicht.xlsx",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Het Excel-bestand met de bladen Regio's, Landelijk en Bevindingen.",
)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON, voor scripts (geen Excel-bestand).")
def overzicht(paths: tuple[str, ...], out: str, as_json: bool) -> None:
    """Overzicht van wat alle regio's afspreken, tegen de landelijke doelen.

    Leest de regiobestanden (standaard regions/) met dezelfde regels als build; een ongeldige
    regio staat erin met haar bevindingen in plaats van het overzicht te stoppen.
    """
    from convenant_gen.output.overview import collect, signing, workbook_bytes
    from convenant_gen.output.write import write_atomic
    from convenant_gen.pipeline.batch import refuse_same_names
    from convenant_gen.text import clean_json

    files = region_files(paths)
    if not files:
        raise click.UsageError("geen regiobestanden gevonden (*.yaml)")
    refuse_same_names(files)
    overview = collect(files)
    # The covenant PDFs beside the workbook (where build puts them): how far each is signed.
    overview.ondertekening = signing(Path(out).parent, overview.rows)
    if as_json:
        click.echo(clean_json(json.dumps(overview.as_json(), ensure_ascii=False, indent=2)))
        return
    write_atomic(Path(out), workbook_bytes(overview))
    _print_overview(overview)
    echo(f"{out} geschreven")


def _print_overview(overview: Overview) -> None:
    from rich.console import Console
    from rich.table import Table

    from convenant_gen.documents.formatting import getal, procent
    from convenant_gen.text import markup_safe

    table = Table(title="Regio's", title_justify="left")
    for column in (
        "regio",
        "status",
        "trajecten",
        "plaatsingen",
        "aandeel",
        "per jaar",
        "ondertekenaars",
        "zonder vertegenw.",
        *(["ondertekend (PDF)"] if overview.ondertekening else []),
    ):
        table.add_column(column, justify="left" if column in ("regio", "status") else "right")
    for r in overview.rows:
        signers = sum(r.ondertekenaars_per_soort.values())
        signed = overview.ondertekening.get(r.bestand)
        table.add_row(
            markup_safe(r.regio),
            r.status,
            *(getal(v) if v is not None else "–" for v in (r.trajecten, r.duurzame_plaatsingen)),
            procent(r.aandeel_plaatsingen) if r.aandeel_plaatsingen is not None else "–",
            getal(r.trajecten_per_jaar) if r.trajecten_per_jaar is not None else "–",
            str(signers),
            str(len(r.zonder_vertegenwoordiger)),
            *([markup_safe(signed.shown) if signed else "–"] if overview.ondertekening else []),
        )
    console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)
    console.print(table)
    national = Table(title="Landelijk", title_justify="left")
    for column in ("maat", "regio's samen", "landelijk doel", "nog nodig"):
        national.add_column(column, justify="left" if column == "maat" else "right")
    for line in overview.national():
        show = procent if line["maat"].startswith("Aandeel") else getal
        national.add_row(
            line["maat"],
            *(show(line[k]) if line[k] is not None else "–" for k in ("regio's", "landelijk doel", "nog nodig")),
        )
    console.print(national)


@cli.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(dir_okay=False), help="Schrijf naar dit bestand in plaats van het scherm.")
def schema(out: str | None) -> None:
    """JSON Schema van een regiobestand, voor controle en aanvulling in de editor."""
    from convenant_gen.region.scaffold import schema_json

    text = schema_json()
    if out:
        from convenant_gen.output.write import write_atomic

        write_atomic(Path(out), text.encode())
    else:
        click.echo(text, nl=False)


def _add_templates_group() -> None:
    from convenant_gen.cli.templates import templates

    cli.add_command(templates)


_add_templates_group()


def _add_signing_command() -> None:
    from convenant_gen.cli.signing import ondertekening
    from convenant_gen.cli.web import formulier

    cli.add_command(ondertekening)
    cli.add_command(formulier)


_add_signing_command()


def main() -> None:
    """The console script. Click's own messages (usage errors) quote what the user typed:
    they too go out with control characters escaped."""
    from convenant_gen.text import clean

    try:
        code = cli.main(prog_name="convenant", standalone_mode=False)
    except click.ClickException as e:
        setattr(e, "message", clean(e.message))  # noqa: B010  (Final in click's type hints since 8.5)
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        echo("Afgebroken.", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
