"""`convenant ondertekening`: the signing status of covenant PDFs, for the national team."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from convenant_gen.output.signing_status import DocumentStatus

from convenant_gen.cli.options import CONTEXT

DEFAULT_FOLDER = "output"  # build's --out


def _echo(text: str, *, err: bool = False, fg: str | None = None, bold: bool = False) -> None:
    """Text from PDFs and file names is data: control characters are shown escaped."""
    from convenant_gen.text import clean

    text = clean(text)
    click.echo(click.style(text, fg=fg, bold=bold) if fg or bold else text, err=err)


@click.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, metavar="[PDF|MAP]...", type=click.Path(exists=True))
@click.option(
    "--vertrouwd",
    "trusted",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Basiscertificaat (PEM of DER) waartoe een handtekening moet leiden om vertrouwd te zijn; "
    "mag vaker. Zonder deze optie wordt vertrouwen niet gecontroleerd.",
)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON, voor scripts en het webformulier.")
@click.option("--quiet", "-q", is_flag=True, help="Geen tabellen en overzicht; alleen problemen.")
def ondertekening(paths: tuple[str, ...], trusted: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Toon wie een convenant-PDF al heeft ondertekend (standaard alle PDF's onder output/).

    Per document: welke handtekeningvelden zijn ondertekend, door wie (het certificaat), wanneer
    (volgens de ondertekenaar zelf) en of elke handtekening intact is, en of daarna niets anders
    is veranderd dan latere handtekeningen. Een MAP betekent alle PDF's daaronder; een PDF zonder
    handtekeningvelden die geen convenant is (zoals het plan van aanpak) wordt daar overgeslagen.

    Exitcode 0 als alles gelezen is en in orde, 1 als een handtekening gebroken is, het document
    na ondertekening is veranderd, een bestand niet te lezen is of geen handtekeningvelden heeft
    (met --vertrouwd ook als een handtekening niet naar een vertrouwd certificaat leidt).
    """
    from convenant_gen.output.signing_status import load_trust_roots, meant_for_signing, pdf_files, read_status

    roots = load_trust_roots(Path(p) for p in trusted)
    wanted = [Path(p) for p in paths] if paths else [Path(DEFAULT_FOLDER)]
    if not paths and not wanted[0].is_dir():
        raise click.UsageError(f"geef een PDF of een map; de standaardmap {DEFAULT_FOLDER}/ bestaat niet")
    results: list[DocumentStatus] = []
    skipped = 0
    for path, explicit in pdf_files(wanted):
        status = read_status(path, trust_roots=roots)
        if explicit or meant_for_signing(path, status):
            results.append(status)
        else:
            skipped += 1
    if not results:
        where = ", ".join(str(p) for p in wanted)
        found = f" ({skipped} andere PDF('s) overgeslagen)" if skipped else ""
        raise click.UsageError(f"geen convenant-PDF's gevonden in {where}{found}")
    if as_json:
        from convenant_gen.text import clean_json

        click.echo(clean_json(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2)))
    else:
        for status in results:
            _report(status, quiet)
        if not quiet:
            _summary(results, skipped)
    if not all(r.ok for r in results):
        sys.exit(1)


def _report(status: DocumentStatus, quiet: bool) -> None:
    if not status.ok:
        _echo(f"✗ {status.path}: {status.summary}", fg="red", bold=True, err=True)
        for f in status.fields if quiet else []:  # without --quiet the table says it
            if f.faulty:
                _echo(f"  {f.party} ({f.name}): {f.state}", err=True)
    elif not quiet:
        _echo(f"✓ {status.path}: {status.summary}", fg="green" if status.complete else None, bold=status.complete)
    if quiet or not status.fields:
        return
    from rich.console import Console
    from rich.table import Table

    from convenant_gen.output.signing_status import shown_time
    from convenant_gen.text import markup_safe

    table = Table(show_edge=False, pad_edge=False)
    for column in ("partij", "status", "ondertekend door (certificaat)", "tijd (volgens ondertekenaar)", "pagina"):
        table.add_column(column, justify="right" if column == "pagina" else "left", overflow="fold")
    for f in status.fields:
        colour = "red" if f.faulty else "green" if f.signed else "yellow"
        party = f.party if f.ours else f"{f.party} (eigen veld van de ondertekenaar)"
        table.add_row(
            markup_safe(party),
            f"[{colour}]{markup_safe(f.state)}[/]",
            markup_safe(f.signer or ("onbekend" if f.signed else "")),
            shown_time(f.signed_at) if f.signed else "",
            str(f.page) if f.page else "",
        )
    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    console.print(table)


def _summary(results: list[DocumentStatus], skipped: int) -> None:
    complete = sum(1 for r in results if r.complete)
    faulty = sum(1 for r in results if not r.ok)
    partly = len(results) - complete - faulty
    text = f"{complete} van {len(results)} document(en) volledig ondertekend"
    if partly:
        text += f", {partly} nog niet volledig"
    if faulty:
        text += f", {faulty} met problemen"
    if skipped:
        text += f" ({skipped} andere PDF('s) overgeslagen)"
    _echo(text, fg="red" if faulty else "green" if complete == len(results) else None, bold=True)
