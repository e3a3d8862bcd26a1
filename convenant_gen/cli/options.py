"""The --tijdslimiet and --geheugenlimiet options, shared by build and templates check."""

from __future__ import annotations

import math

import click

from convenant_gen.pipeline.limits import DEFAULT_MEMORY_MB, DEFAULT_SECONDS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}  # every command


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"geef een gewoon aantal seconden, zoals 30 (gekregen {value})")
    return value


LIMIT_SECONDS = click.option(
    "--tijdslimiet",
    callback=_finite,
    type=click.FloatRange(0.1, 3600),
    default=DEFAULT_SECONDS,
    show_default=True,
    envvar="CONVENANT_TIJDSLIMIET",
    help="Hoogstens zoveel seconden voor het invullen van één document; daarna stopt die regio met een fout.",
)
LIMIT_MEMORY = click.option(
    "--geheugenlimiet",
    type=click.IntRange(64, 65536),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    envvar="CONVENANT_GEHEUGENLIMIET",
    help="Hoogstens zoveel MB extra geheugen per werkproces; daarna stopt die regio met een fout.",
)
