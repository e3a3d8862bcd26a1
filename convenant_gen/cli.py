"""Command line: parse arguments, call one function, map errors to exit codes.

Exit codes: 0 success, 1 invalid input or failed build, 2 usage error. No traceback reaches
the user unless --debug is given. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from convenant_gen import __version__, clinl  # noqa: F401  (Dutch click texts)
from convenant_gen.errors import ConvenantError, Finding, InputError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def region_files(paths: tuple[str, ...]) -> list[Path]:
    """Files and folders (their *.yaml) -> region files, in a stable order."""
    files: list[Path] = []
    for raw in paths or ("regions",):
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            files.append(path)
    return files


class ConvenantGroup(click.Group):
    """Maps our errors to exit codes for every command, however it is invoked."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConvenantError as e:
            click.echo(str(e), err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as e:  # our bug, never the user's: one Dutch line, no traceback
            if (ctx.obj or {}).get("debug"):
                raise
            click.echo(
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
    from convenant_gen.validate import load_region

    files = region_files(paths)
    if not files:
        raise click.UsageError("geen regiobestanden gevonden (*.yaml)")
    results = []
    for path in files:
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
        click.echo(
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
    else:
        for path, errs, warns in results:
            _report(path, errs, warns)
        bad = sum(1 for _, errs, _ in results if errs)
        mode = " voor ondertekening (definitief)" if definitief else ""
        summary = f"{len(results) - bad} van {len(results)} bestand(en) geldig{mode}" + (
            f", {bad} met fouten" if bad else ""
        )
        click.echo(click.style(summary, fg="red" if bad else "green", bold=True))
    if any(errs for _, errs, _ in results):
        sys.exit(1)


def _report(path: Path, errors: list[Finding], warnings: list[Finding]) -> None:
    if errors:
        click.echo(click.style(f"✗ {path}: {len(errors)} fout(en)", fg="red", bold=True), err=True)
    else:
        click.echo(click.style(f"✓ {path}: geldig", fg="green"))
    for f in sorted(errors + warnings, key=lambda f: (f.line, f.column)):
        click.echo(f"  {f}", err=bool(errors))


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
    help="Map met eigen sjablonen (standaard templates/).",
)
@click.option(
    "--datum", type=click.DateTime(["%Y-%m-%d"]), help="Datum op een concept (standaard vandaag, of SOURCE_DATE_EPOCH)."
)
@click.option(
    "--doc",
    "doc",
    type=click.Choice(["convenant", "plan", "alle"]),
    default="alle",
    show_default=True,
    help="Welk document: het convenant, het plan van aanpak of alle.",
)
@click.option("--pdf", "pdf", is_flag=True, help="Maak ook een PDF naast elk document (LibreOffice).")
@click.option("--pdfa", is_flag=True, help="Maak PDF/A-2 voor archivering (impliceert --pdf).")
def build(
    paths: tuple[str, ...], out: str, definitief: bool, templates: str | None, datum, doc: str, pdf: bool, pdfa: bool
) -> None:
    """Maak de Word-documenten van regiobestanden (standaard alle *.yaml in regions/).

    Een regio met fouten houdt de andere niet tegen; de exitcode is dan 1.
    """
    from convenant_gen.build import build_region, templates_dir

    files = region_files(paths)
    if not files:
        raise click.UsageError("geen regiobestanden gevonden (*.yaml)")
    folder = templates_dir(Path(templates) if templates else None)
    failed = 0
    written: list[Path] = []
    for path in files:
        outcome = build_region(
            path,
            Path(out),
            templates=folder,
            definitief=definitief,
            datum=datum.date() if datum else None,
            documents=("convenant", "plan") if doc == "alle" else (doc,),
        )
        if outcome.error:
            failed += 1
            click.echo(click.style(f"✗ {path}: niet gemaakt", fg="red", bold=True), err=True)
            for line in outcome.error.splitlines():
                click.echo(f"  {line}", err=True)
        else:
            written += outcome.written
            click.echo(click.style(f"✓ {path}", fg="green") + " → " + ", ".join(map(str, outcome.written)))
        for w in outcome.warnings:
            click.echo(f"  {w}", err=True)
    if (pdf or pdfa) and written:
        from convenant_gen.pdf import convert

        made = convert(written, pdfa=pdfa)
        click.echo(f"{len(made)} PDF('s) gemaakt" + (" (PDF/A-2)" if pdfa else ""))
    summary = f"{len(files) - failed} van {len(files)} regio('s) gemaakt" + (f", {failed} mislukt" if failed else "")
    click.echo(click.style(summary, fg="red" if failed else "green", bold=True))
    if failed:
        sys.exit(1)


@cli.command(context_settings=CONTEXT)
@click.argument("naam")
@click.option("--centrumgemeente", help="Centrumgemeente, als de regio niet in de landelijke lijst staat.")
@click.option(
    "--map",
    "folder",
    default="regions",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Map waarin het regiobestand komt.",
)
def init(naam: str, centrumgemeente: str | None, folder: str) -> None:
    """Maak een nieuw regiobestand NAAM met alle velden en de uitleg van de format.

    Voor een van de 35 arbeidsmarktregio's worden de centrumgemeente en de gemeenten als
    partijen alvast ingevuld. Een bestaand bestand wordt nooit overschreven.
    """
    from convenant_gen import reference, scaffold
    from convenant_gen.write import write_atomic

    ref = reference.find(naam)
    slug = ref.slug if ref else reference.slugify(naam)
    if not slug:
        raise click.UsageError(f"'{naam}' is geen bruikbare regionaam")
    target = Path(folder) / f"{slug}.yaml"
    if target.exists():
        raise ConvenantError(
            f"{target} bestaat al; het wordt niet overschreven. "
            "Verwijder of hernoem het bestand als u opnieuw wilt beginnen."
        )
    centrum = centrumgemeente or (ref.centrumgemeente if ref else None)
    if centrum is None:
        raise click.UsageError(
            f"'{naam}' staat niet in de lijst van 35 arbeidsmarktregio's; geef de "
            "centrumgemeente op met --centrumgemeente"
        )
    write_atomic(
        target, scaffold.starter_yaml(ref.naam if ref and not centrumgemeente else naam, centrum, ref).encode()
    )
    write_atomic(Path(folder) / scaffold.SCHEMA_FILE, scaffold.schema_json().encode())
    click.echo(f"{target} aangemaakt. Vul het in en controleer het met: convenant validate {target}")


@cli.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(dir_okay=False), help="Schrijf naar dit bestand in plaats van het scherm.")
def schema(out: str | None) -> None:
    """JSON Schema van een regiobestand, voor controle en aanvulling in de editor."""
    from convenant_gen.scaffold import schema_json

    text = schema_json()
    if out:
        from convenant_gen.write import write_atomic

        write_atomic(Path(out), text.encode())
    else:
        click.echo(text, nl=False)


def main() -> None:
    cli.main(prog_name="convenant")
