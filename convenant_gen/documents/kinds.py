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
    item_label: str = "<item>"  # how the docs show the item's part of the file name
    extra_input: type | None = None  # a model of input beyond the region file; none so far
    signed: bool = False  # signed by the signatories: its definitief PDF gets a signature field each
    template_of: str | None = None  # another kind whose template (and the region's choice of it) this one uses

    def properties(self, region: Region, definitief: bool) -> dict[str, str]:
        """The Word document properties of this kind's document for `region`."""
        return {
            "title": f"{self.title} arbeidsmarktregio {region.regio.naam}",
            "subject": self.subject,
            "keywords": f"{region.regio.naam}; {'definitief' if definitief else 'concept'}",
            "category": region.regio.naam,
        }

    @property
    def template_key(self) -> str:
        """The kind whose template this kind renders: its own, or the one it shares."""
        return self.template_of or self.key

    @property
    def output_pattern(self) -> str:
        """The file name as the docs show it: 'convenant-<regio>.docx', 'wijzigingsbesluit-<regio>-<nummer>.docx'."""
        return self.file_name("<regio>", None if self.per_item is None else self.item_label)

    def file_name(self, slug: str, item: str | None = None) -> str:
        return f"{self.output}-{slug}-{item}.docx" if item is not None else f"{self.output}-{slug}.docx"


def _decisions(name: str) -> PerItem:
    """A fan-out of documents/decisions.py, imported only when a region is built."""

    def items(region: Region) -> Iterable[tuple[str, object]]:
        from convenant_gen.documents import decisions

        return getattr(decisions, name)(region)  # type: ignore[no-any-return]

    return items


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
        DocumentKind(
            key="toetreding",
            label="de toetredingsverklaring",
            title="Toetredingsverklaring bij het regionaal convenant ‘Sterk door werk’",
            subject="Toetreding van een nieuwe partij tot het convenant",
            template="toetredingsverklaring.docx",
            output="toetredingsverklaring",
            per_item=_decisions("accessions"),
            item_name="besluit",
            item_label="<partij>",
            signed=True,
        ),
        DocumentKind(
            key="wijziging",
            label="het wijzigingsbesluit",
            title="Wijzigingsbesluit bij het regionaal convenant ‘Sterk door werk’",
            subject="Wijziging van het convenant",
            template="wijzigingsbesluit.docx",
            output="wijzigingsbesluit",
            per_item=_decisions("amendments"),
            item_name="besluit",
            item_label="<nummer>",
            signed=True,
        ),
        DocumentKind(
            key="geconsolideerd",
            label="de geconsolideerde tekst",
            title="Regionaal convenant ‘Sterk door werk’ (geconsolideerde tekst)",
            subject="Het convenant zoals het luidt na de besluiten van de partijen",
            template="convenant.docx",
            output="convenant",
            per_item=_decisions("consolidated"),
            item_name="geconsolideerd",
            item_label="geconsolideerd",
            template_of="convenant",
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
