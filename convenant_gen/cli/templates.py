"""`convenant templates`: check, fields and dump, for policy advisers who edit the templates."""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from convenant_gen.cli.options import LIMIT_MEMORY, LIMIT_SECONDS
from convenant_gen.errors import ConvenantError

if TYPE_CHECKING:
    from convenant_gen.documents.shapes import Shape

from convenant_gen.cli.options import CONTEXT


@click.group(context_settings=CONTEXT)
def templates() -> None:
    """Sjablonen controleren, de velden opzoeken en een sjabloon als tekst tonen."""


@templates.command(context_settings=CONTEXT)
@click.argument("folder", required=False, type=click.Path(exists=True))
@click.option(
    "--regios",
    "regions",
    default="regions",
    show_default=True,
    type=click.Path(),
    help="Map met voorbeeldregio's waartegen elk sjabloon proef wordt gedraaid.",
)
@LIMIT_SECONDS
@LIMIT_MEMORY
def check(folder: str | None, regions: str, tijdslimiet: float, geheugenlimiet: int) -> None:
    """Controleer elk sjabloon (.docx) in MAP zonder een regio te bouwen (standaard de sjablonen
    van convenant zelf).

    Meldt Jinja-fouten en niet gesloten blokken, tags die Word heeft gesplitst of verminkt,
    velden en filters die niet bestaan (met een suggestie) en lussen over iets dat geen lijst
    is, met de kop en de tekst van de alinea waar het staat. Daarna wordt elk sjabloon proef
    gedraaid tegen elke voorbeeldregio; een eigen sjabloon van één regio (MAP/<regio>/) alleen
    tegen die regio. Exitcode 1 bij fouten.
    """
    from convenant_gen.documents.check import check_folder
    from convenant_gen.documents.templates import DEFAULT_FOLDER
    from convenant_gen.pipeline.limits import Limits
    from convenant_gen.text import clean

    base = Path(folder) if folder else DEFAULT_FOLDER
    report = check_folder(base, Path(regions), Limits(tijdslimiet, geheugenlimiet))
    if not report.templates:
        raise click.UsageError(f"geen sjablonen (*.docx) gevonden in {base}")
    for f in report.findings:
        click.echo(click.style("✗ ", fg="red") + clean(str(f)), err=True)
    for t in report.templates:
        if report.clean(t):
            tried = report.examples[t.label]
            click.echo(
                click.style(f"✓ {clean(t.label)}", fg="green")
                + (f": in orde, proef gedraaid tegen {tried} regio('s)" if tried else ": in orde")
            )
    if report.findings:
        click.echo(
            click.style(
                f"{len(report.findings)} fout(en) in {len({f.template for f in report.findings})} sjabloon/sjablonen",
                fg="red",
                bold=True,
            )
        )
        sys.exit(1)


@templates.command(context_settings=CONTEXT)
@click.option("--markdown", "markdown", type=click.Path(dir_okay=False), help="Schrijf de naslag als Markdown.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Schrijf de naslag als HTML-pagina.")
def fields(markdown: str | None, html_out: str | None) -> None:
    """Alle velden en filters die een sjabloon mag gebruiken, gemaakt uit het model zelf."""
    from convenant_gen.documents.formatting import FILTERS
    from convenant_gen.documents.shapes import context_shape, flatten
    from convenant_gen.output.write import write_atomic

    rows = [(path, shape.type, shape.description, _example(shape)) for path, shape in flatten(context_shape())]
    filters = [(name, (fn.__doc__ or "").strip().splitlines()[0]) for name, fn in sorted(FILTERS.items())]
    if markdown:
        write_atomic(Path(markdown), _markdown(rows, filters).encode())
    if html_out:
        write_atomic(Path(html_out), _html(rows, filters).encode())
    if markdown or html_out:
        click.echo(f"naslag geschreven: {', '.join(p for p in (markdown, html_out) if p)}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Velden ({{ veld }}; lijsten met {% for x in lijst %})", title_justify="left")
    for column in ("veld", "type", "beschrijving", "voorbeeld"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    ftable = Table(title="Filters ({{ veld|filter }})", title_justify="left")
    ftable.add_column("filter")
    ftable.add_column("wat het doet")
    for name, doc in filters:
        ftable.add_row(name, doc)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    console.print(table, markup=False)
    console.print(ftable, markup=False)


def _example(shape: Shape) -> str:
    value = shape.example
    if value is None or value == []:
        return ""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


INTRO = (
    "Velden schrijft u in het sjabloon als {{ regio.naam }}; een lijst doorloopt u met "
    "{% for partij in partijen %} … {% endfor %} (een hele alinea: {%p for … %}). "
    "Deze naslag is gemaakt uit het model van convenant zelf (convenant templates fields)."
)


def _markdown(rows: list[tuple[str, str, str, str]], filters: list[tuple[str, str]]) -> str:
    lines = [
        "# Velden en filters voor sjablonen",
        "",
        INTRO,
        "",
        "## Velden",
        "",
        "| veld | type | beschrijving | voorbeeld |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{p}` | {t} | {d} | {e} |".replace("\n", " ") for p, t, d, e in rows]
    lines += ["", "## Filters", "", "| filter | wat het doet |", "| --- | --- |"]
    lines += [f"| `{n}` | {d} |" for n, d in filters]
    return "\n".join(lines) + "\n"


def _html(rows: list[tuple[str, str, str, str]], filters: list[tuple[str, str]]) -> str:
    def table(head: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> str:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in body)
        return f"<table><thead><tr>{cells}</tr></thead><tbody>{trs}</tbody></table>"

    return (
        '<!doctype html><html lang="nl"><meta charset="utf-8"><title>Velden en filters voor sjablonen</title>'
        "<style>body{font-family:Calibri,Carlito,sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
        "vertical-align:top}th{background:#1f3a5f;color:#fff}</style>"
        f"<h1>Velden en filters voor sjablonen</h1><p>{html.escape(INTRO)}</p><h2>Velden</h2>"
        + table(("veld", "type", "beschrijving", "voorbeeld"), rows)
        + "<h2>Filters</h2>"
        + table(("filter", "wat het doet"), filters)
        + "</html>\n"
    )


@templates.command(context_settings=CONTEXT)
@click.argument("template", type=click.Path(exists=True, dir_okay=False))
def dump(template: str) -> None:
    """Toon SJABLOON als platte tekst met zijn tags, om wijzigingen als tekst te vergelijken.

    Voor git: zie 'Sjablonen vergelijken' in de README (textconv).
    """
    from convenant_gen.text import clean

    click.echo(clean(dump_text(Path(template))), nl=False)


def dump_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as e:
        raise ConvenantError(f"{path}: geen leesbaar Word-document ({type(e).__name__})") from None
    out: list[str] = []
    for section in document.sections[:1]:
        out += [f"[koptekst] {p.text}" for p in section.header.paragraphs if p.text.strip()]
        out += [f"[voettekst] {p.text}" for p in section.footer.paragraphs if p.text.strip()]
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, document)
            style = p.style.name if p.style is not None else ""
            prefix = f"[{style}] " if style and style != "Normal" else ""
            out.append(f"{prefix}{p.text}" if p.text.strip() else "")
        elif tag == "tbl":
            for row in Table(child, document).rows:
                out.append("| " + " | ".join(c.text.replace("\n", " / ") for c in row.cells) + " |")
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
