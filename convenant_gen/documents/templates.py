"""Which template a region's document is rendered from: decided here only, for the build, the
manifest and `templates check`.

In order: the region's own choice (`sjablonen.<kind>` in its file, a name in the folder), else
a fork for the region (`<folder>/<regio>/<template of the kind>`, where <regio> is the name of
the region file without .yaml, as in the output folder), else the kind's template
(`<folder>/<template of the kind>`). The folder is the one given, else the templates that come
with convenant; never the working directory.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from convenant_gen.errors import TemplateProblem

if TYPE_CHECKING:
    from convenant_gen.documents.kinds import DocumentKind
    from convenant_gen.region.model import Region

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "templates"


def folder_or_default(folder: Path | None) -> Path:
    return DEFAULT_FOLDER if folder is None else folder


def own_choice(kind: DocumentKind, region: Region) -> str | None:
    """The template the region file chose for `kind` (or for the kind whose template it shares), if any."""
    choice = getattr(region.sjablonen, kind.template_key, None)
    return choice if isinstance(choice, str) and choice else None


def fork_path(kind: DocumentKind, folder: Path, slug: str) -> Path:
    """Where a fork of `kind`'s template for the region `slug` would be."""
    return folder / slug / kind.template


def resolve(kind: DocumentKind, region: Region, folder: Path | None = None, *, slug: str) -> Path:
    """The template for `kind` of the region `slug` (its file name without .yaml)."""
    folder = folder_or_default(folder)
    own = own_choice(kind, region)
    if own is not None:
        chosen = folder / own
        if not chosen.is_file():
            raise TemplateProblem(own, f"niet gevonden in {folder} (gekozen bij sjablonen.{kind.template_key})")
        return chosen
    fork = fork_path(kind, folder, slug)
    if fork.is_file():
        return fork
    default = folder / kind.template
    if not default.is_file():
        raise TemplateProblem(kind.template, f"niet gevonden in {folder}")
    return default


def relative_name(template: Path, folder: Path) -> str:
    """How the manifest names a template: 'convenant.docx', or 'achterhoek/convenant.docx' for a fork."""
    return PurePosixPath(template.relative_to(folder)).as_posix()


def forks(folder: Path) -> list[tuple[str, Path]]:
    """Every fork in `folder`: (the region it belongs to, its path), in a stable order."""
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found += [(sub.name, p) for p in sorted(sub.glob("*.docx")) if not p.name.startswith("~$")]
    return found
