"""The kinds of document convenant makes: one frozen declaration each, read by the build, the
manifest, `templates check`, the CLI's choices and docs/sjablonen.md.

Adding a kind is one entry in KINDS and one template in templates/. Cheap to import (the CLI
reads it for --help): no pydantic, no docx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from convenant_gen.region.model import Region

# (slug of the item, the item) for each document of a kind that fans out.
PerItem = Callable[["Region"], Iterable[tuple[str, object]]]


@dataclass(frozen=True)
class DocumentKind:
    key: str  # the name in --doc and in the region's `sjablonen`
    label: str  # Dutch, as in "Welk document: het convenant, …"
    title: str  # document property Title: "<title> arbeidsmarktregio <naam>"
    subject: str  # document property Subject
    template: str  # file name in the templates folder
    output: str  # documents are <out>/<regio>/<output>-<regio>[-<item>].docx
    per_item: PerItem | None = None  # None: one document per region
    item_name: str = "item"  # the name of the item in the template's context
    extra_input: type | None = None  # a model of input beyond the region file; none so far
    signed: bool = False  # signed by the signatories: its definitief PDF gets a signature field each

    def properties(self, region: Region, definitief: bool) -> dict[str, str]:
        """The Word document properties of this kind's document for `region`."""
        return {
            "title": f"{self.title} arbeidsmarktregio {region.regio.naam}",
            "subject": self.subject,
            "keywords": f"{region.regio.naam}; {'definitief' if definitief else 'concept'}",
            "category": region.regio.naam,
        }

    def file_name(self, slug: str, item: str | None = None) -> str:
        return f"{self.output}-{slug}-{item}.docx" if item is not None else f"{self.output}-{slug}.docx"


KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind(
            key="convenant",
            label="het convenant",
            title="Regionaal convenant ‘Sterk door werk’",
            subject="Naar duurzaam werk voor mensen met een psychische kwetsbaarheid",
            template="convenant.docx",
            output="convenant",
            signed=True,
        ),
        DocumentKind(
            key="plan",
            label="het plan van aanpak",
            title="Plan van aanpak Hoofdzaak Werk",
            subject="Plan van aanpak Hoofdzaak Werk",
            template="plan-van-aanpak.docx",
            output="plan-van-aanpak",
        ),
    )
}
ALL = "alle"  # --doc alle: every kind


def all_kinds() -> list[DocumentKind]:
    return list(KINDS.values())


def get(key: str) -> DocumentKind:
    """The kind named `key`; KeyError for a name that is not a kind."""
    return KINDS[key]


def select(choice: str) -> tuple[str, ...]:
    """The keys of the kinds meant by --doc: one kind, or all of them for 'alle'."""
    return tuple(KINDS) if choice == ALL else (get(choice).key,)
