"""Signing status of a covenant PDF, read with pyHanko: per signature field whether it is
signed, by whom (the certificate's subject), when (as the signer claims), whether the signature
is intact, and whether anything but later signatures or form filling changed the document after
it. Optionally, whether the signer's certificate chains to a root the caller trusts.

Every problem (not a PDF, damaged, no fields of ours, a broken or altered signature) is a Dutch
statement in the result, never an exception: the national team reads dozens of PDFs at once.
Nothing is trusted by default: we have no trust list, so without roots no trust is claimed.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convenant_gen.errors import UsageProblem
from convenant_gen.output.signatures import FIELD_PREFIX, READABLE_PREFIX

if TYPE_CHECKING:
    from asn1crypto import x509

MAX_BYTES = 256 * 2**20  # a covenant is a few hundred kB; refuse to parse a file far beyond that
ZONE = "Europe/Amsterdam"
NO_FIELDS = "geen handtekeningvelden van convenant"


@dataclass(frozen=True)
class FieldStatus:
    """One signature field: ours (handtekening-*) or one a signer's reader added."""

    name: str  # handtekening-gemeente-leiden
    party: str  # Gemeente Leiden (from /TU), else the field name
    ours: bool
    page: int | None  # 1-based, where the field's widget is
    signed: bool = False
    signer: str | None = None  # the certificate's subject: "A. Jansen, Gemeente Leiden"
    signed_at: dt.datetime | None = None  # the signer's own claim (their clock), not a proven time
    intact: bool | None = None  # signed bytes unchanged and the signature fits the certificate
    unchanged: bool | None = None  # after it, only later signatures or form filling
    trusted: bool | None = None  # chains to a trusted root; None: not checked (no roots given)
    problem: str | None = None  # Dutch: what is wrong with this signature
    trust_note: str | None = None  # Dutch: why the chain is not trusted

    @property
    def faulty(self) -> bool:
        """Broken, altered or unreadable; an untrusted chain only when trust was checked."""
        return self.problem is not None or self.trusted is False

    @property
    def state(self) -> str:
        """Dutch, for a table: niet ondertekend, intact (en vertrouwd), or what is wrong."""
        if not self.signed:
            return "niet ondertekend"
        if self.problem:
            return self.problem
        if self.trusted is False:
            return f"intact, maar niet vertrouwd: {self.trust_note}"
        return "intact en vertrouwd" if self.trusted else "intact"

    def as_dict(self) -> dict[str, object]:
        return {
            "veld": self.name,
            "partij": self.party,
            "van_convenant": self.ours,
            "pagina": self.page,
            "ondertekend": self.signed,
            "ondertekenaar": self.signer,
            "tijd_volgens_ondertekenaar": self.signed_at.isoformat() if self.signed_at else None,
            "intact": self.intact,
            "daarna_alleen_handtekeningen": self.unchanged,
            "vertrouwd": self.trusted,
            "probleem": self.problem,
            "vertrouwen": self.trust_note,
        }


@dataclass(frozen=True)
class DocumentStatus:
    path: Path
    fields: list[FieldStatus] = field(default_factory=list)
    problem: str | None = None  # Dutch: why the document could not be read as a covenant to sign

    @property
    def signed(self) -> int:
        return sum(1 for f in self.fields if f.ours and f.signed)

    @property
    def total(self) -> int:
        return sum(1 for f in self.fields if f.ours)

    @property
    def ok(self) -> bool:
        """Read fine and no signature broken, altered or (when checked) untrusted."""
        return self.problem is None and not any(f.faulty for f in self.fields)

    @property
    def complete(self) -> bool:
        return self.ok and self.total > 0 and self.signed == self.total

    @property
    def summary(self) -> str:
        """'3 van 8 ondertekend', or the document's problem."""
        if self.problem:
            return self.problem
        text = f"{self.signed} van {self.total} ondertekend"
        extra = sum(1 for f in self.fields if f.signed and not f.ours)
        if extra:
            text += f", plus {extra} handtekening(en) buiten de velden van convenant"
        faulty = sum(1 for f in self.fields if f.faulty)
        if faulty:
            text += f"; {faulty} handtekening(en) niet in orde"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "bestand": str(self.path),
            "ondertekend": self.signed,
            "totaal": self.total,
            "in_orde": self.ok,
            "volledig": self.complete,
            "samenvatting": self.summary,
            "probleem": self.problem,
            "velden": [f.as_dict() for f in self.fields],
        }


def load_trust_roots(paths: Iterable[Path]) -> list[x509.Certificate]:
    """Certificates (PEM, one or more per file, or DER) to trust as roots; UsageProblem naming
    the file when one cannot be read."""
    from pyhanko.keys import load_certs_from_pemder_data

    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise UsageProblem(f"{path}: {_os_problem(e)}") from None
        try:
            found = list(load_certs_from_pemder_data(data))
            for cert in found:
                cert.native  # noqa: B018  (parses the whole certificate now, not during validation)
        except Exception:  # asn1crypto raises ValueError, TypeError and more for garbage
            found = []
        if not found:
            raise UsageProblem(f"{path}: geen certificaat (verwacht een PEM- of DER-bestand met een X.509-certificaat)")
        roots.extend(found)
    return roots


def read_status(path: Path, *, trust_roots: Sequence[x509.Certificate] = ()) -> DocumentStatus:
    """The signing status of the PDF at `path`; never raises for what is in or wrong with the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return DocumentStatus(path, problem=f"te groot voor een convenant ({size // 2**20} MB); niet gelezen")
        data = path.read_bytes()
    except OSError as e:
        return DocumentStatus(path, problem=_os_problem(e))
    return status_of(data, path, trust_roots=trust_roots)


def status_of(data: bytes, path: Path, *, trust_roots: Sequence[x509.Certificate] = ()) -> DocumentStatus:
    """The signing status of a PDF given as bytes (`path` only names it in the result).

    Read as strictly as pyHanko's own validator reads by default; a file that only a lenient
    reader can parse (quirks of some PDF writers) is read again leniently rather than refused."""
    from pyhanko.pdf_utils.misc import PdfStrictReadError

    if b"%PDF-" not in data[:1024]:
        return DocumentStatus(path, problem="geen PDF-bestand")
    with _quiet_pyhanko():
        try:
            return _status(data, path, trust_roots, strict=True)
        except PdfStrictReadError:
            return _status(data, path, trust_roots, strict=False)


def _status(data: bytes, path: Path, trust_roots: Sequence[x509.Certificate], *, strict: bool) -> DocumentStatus:
    """Raises PdfStrictReadError only when `strict`; says every other problem in the result."""
    from pyhanko.pdf_utils.misc import PdfStrictReadError

    try:
        reader, problem = _open(data, strict)
        if problem:
            return DocumentStatus(path, problem=problem)
        found = _fields(reader)
    except PdfStrictReadError:
        raise
    except Exception:  # whatever a damaged file makes the parser raise
        return DocumentStatus(path, problem="beschadigde PDF: de structuur is niet te lezen")
    if not any(name.startswith(FIELD_PREFIX) for name, *_ in found):
        return DocumentStatus(path, [], _no_fields(reader, found))
    context = _context(trust_roots)
    return DocumentStatus(path, [_field_status(reader, context, bool(trust_roots), *entry) for entry in found])


# --- reading ------------------------------------------------------------------------------


def _open(data: bytes, strict: bool) -> tuple[Any, str | None]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=strict)
    if reader.encrypted:
        try:
            reader.decrypt(b"")  # an owner password only restricts, the content is readable
        except Exception:
            return reader, "de PDF is met een wachtwoord beveiligd; niet te controleren"
    return reader, None


Found = tuple[str, Any, Any, int | None]  # name, /V or None, the field dictionary, page


def _fields(reader: Any) -> list[Found]:
    """Every signature field in document order with its value, dictionary and page."""
    from pyhanko.sign.fields import enumerate_sig_fields

    pages = _annotation_pages(reader)
    found: list[Found] = []
    for name, value, ref in enumerate_sig_fields(reader):
        field_dict = ref.get_object()
        page = None
        for widget in [ref, *(field_dict.get("/Kids") or [])]:
            key = getattr(widget, "reference", widget)
            if key in pages:
                page = pages[key]
                break
        found.append((str(name), value, field_dict, page))
    return found


def _annotation_pages(reader: Any) -> dict[Any, int]:
    """Each annotation's reference -> the 1-based page it is on."""
    pages: dict[Any, int] = {}
    seen: set[Any] = set()
    number = 0

    def walk(node_ref: Any, depth: int) -> None:
        nonlocal number
        key = getattr(node_ref, "reference", None)
        if depth > 64 or (key is not None and key in seen):  # a loop in a damaged page tree
            return
        seen.add(key)
        node = node_ref.get_object()
        if "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid, depth + 1)
            return
        number += 1
        for annot in node.get("/Annots") or []:
            ref = getattr(annot, "reference", None)
            if ref is not None:
                pages[ref] = number

    walk(reader.root.raw_get("/Pages"), 0)
    return pages


def _no_fields(reader: Any, found: list[Found]) -> str:
    """Why a PDF without our fields has none, as far as it says."""
    if found:
        return f"{NO_FIELDS} (wel {len(found)} ander(e) handtekeningveld(en): dit is geen PDF van convenant build)"
    try:
        info = reader.trailer_view.get("/Info")
        keywords = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    except Exception:
        keywords = ""
    if "concept" in keywords.replace(",", " ").replace(";", " ").split():
        return (
            f"{NO_FIELDS}: dit is een concept, niet ter ondertekening (maak het met convenant build --definitief --pdf)"
        )
    return f"{NO_FIELDS} (maak de PDF met convenant build --definitief --pdf)"


# --- one field ----------------------------------------------------------------------------


def _field_status(
    reader: Any, context: Any, check_trust: bool, name: str, value: Any, field_dict: Any, page: int | None
) -> FieldStatus:
    ours = name.startswith(FIELD_PREFIX)
    party = _party(field_dict, name)
    base = FieldStatus(name, party, ours, page)
    if value is None:
        return base
    from pyhanko.pdf_utils.misc import PdfStrictReadError
    from pyhanko.sign.validation import EmbeddedPdfSignature

    try:
        embedded = EmbeddedPdfSignature(reader, field_dict, name)
    except PdfStrictReadError:
        raise
    except Exception:
        return _replace(
            base, signed=True, intact=False, problem="handtekening onleesbaar: geen geldige ondertekening in het veld"
        )
    signer = _signer(embedded)
    claimed = _claimed_time(embedded)
    if embedded.sig_object_type != "/Sig":
        return _replace(
            base,
            signed=True,
            signer=signer,
            signed_at=claimed,
            problem="geen handtekening maar een tijdstempel of ander object in het veld",
        )
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        status = validate_pdf_signature(embedded, context)
    except PdfStrictReadError:
        raise
    except Exception:
        return _replace(
            base,
            signed=True,
            signer=signer,
            signed_at=claimed,
            intact=False,
            problem="handtekening kon niet worden gecontroleerd (onbekende of beschadigde opbouw)",
        )
    intact = bool(status.intact and status.valid)
    unchanged = _unchanged(status)
    problem = None
    if not status.intact:
        problem = "GEBROKEN: het ondertekende deel van het document is na ondertekening veranderd"
    elif not status.valid:
        problem = "GEBROKEN: de handtekening past niet bij het certificaat van de ondertekenaar"
    elif not unchanged:
        problem = "GEWIJZIGD: " + _change(status)
    trusted = trust_note = None
    if check_trust:
        trusted = bool(status.trusted)
        trust_note = None if trusted else _trust_problem(status)
    return FieldStatus(
        name,
        party,
        ours,
        page,
        signed=True,
        signer=signer or _subject(status.signing_cert),
        signed_at=status.signer_reported_dt or claimed,
        intact=intact,
        unchanged=unchanged,
        trusted=trusted,
        problem=problem,
        trust_note=trust_note,
    )


def _replace(base: FieldStatus, **changes: Any) -> FieldStatus:
    from dataclasses import replace

    return replace(base, **changes)


def _party(field_dict: Any, name: str) -> str:
    try:
        readable = str(field_dict.get("/TU") or "")
    except Exception:
        readable = ""
    if readable.startswith(READABLE_PREFIX) and readable[len(READABLE_PREFIX) :].strip():
        return readable[len(READABLE_PREFIX) :].strip()
    return name


def _unchanged(status: Any) -> bool:
    """Only later signatures, form filling or archival data came after this signature."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    level = status.modification_level
    return (
        status.coverage is not None
        and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )


def _change(status: Any) -> str:
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return "de handtekening dekt niet het hele document zoals het toen was"
    if (
        status.docmdp_ok is False
        and status.modification_level is not None
        and status.modification_level.name != "OTHER"
    ):
        return "na deze handtekening is het document veranderd op een manier die de ondertekenaar heeft uitgesloten"
    return (
        "na deze handtekening is de inhoud van het document veranderd "
        "(meer dan latere handtekeningen of ingevulde velden)"
    )


def _trust_problem(status: Any) -> str:
    indication = getattr(status.trust_problem_indic, "name", "") or ""
    if "REVOKED" in indication:
        return "het certificaat is ingetrokken"
    if "OUT_OF_BOUNDS" in indication or "EXPIRED" in indication or "NOT_YET" in indication:
        return "het certificaat was niet (meer) geldig"
    if "CHAIN" in indication:
        return "het certificaat leidt niet naar een vertrouwd basiscertificaat (--vertrouwd)"
    return "de certificaatketen is niet te vertrouwen"


def _signer(embedded: Any) -> str | None:
    try:
        return _subject(embedded.signer_cert)
    except Exception:
        return None


def _subject(cert: Any) -> str:
    """'A. Jansen, Gemeente Leiden': common name and organisation, else the whole subject."""
    names = cert.subject.native
    parts: list[str] = []
    for key in ("common_name", "organization_name"):
        value = names.get(key)
        values = value if isinstance(value, list) else [value] if value else []
        parts += [str(v) for v in values if str(v) not in parts]
    return ", ".join(parts) or cert.subject.human_friendly


def _claimed_time(embedded: Any) -> dt.datetime | None:
    try:
        when: dt.datetime | None = embedded.self_reported_timestamp
    except Exception:
        return None
    return when


def _context(trust_roots: Sequence[x509.Certificate]) -> Any:
    """No trust list unless given: pyHanko's fallback to the system's TLS roots would say nothing
    about Dutch signing certificates. Never fetches anything from the network."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail")


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs every untrusted chain with a traceback; the result says it in Dutch. Its
    modules' loggers have no level of their own, so the parents' level silences them."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


# --- time and files -------------------------------------------------------------------------


def shown_time(when: dt.datetime | None) -> str:
    """'23 november 2026 19:18' in Dutch time (the signer's claim is shown as it is claimed)."""
    if when is None:
        return "onbekend"
    from convenant_gen.documents.formatting import datum

    try:
        from zoneinfo import ZoneInfo

        local = when.astimezone(ZoneInfo(ZONE)) if when.tzinfo else when
        suffix = ""
    except Exception:  # no time zone data on this machine
        local, suffix = when, " UTC" if when.tzinfo else ""
    return f"{datum(local.date())} {local:%H:%M}{suffix}"


def _os_problem(e: OSError) -> str:
    return {
        errno.ENOENT: "bestaat niet",
        errno.EACCES: "geen leesrechten",
        errno.EPERM: "geen leesrechten",
        errno.EISDIR: "is een map",
    }.get(e.errno or 0, f"niet te lezen (systeemfout {e.errno})")


def signed_kind_names() -> tuple[str, ...]:
    """File name starts of the kinds that parties sign: ('convenant-',)."""
    from convenant_gen.documents.kinds import all_kinds

    return tuple(f"{kind.output}-" for kind in all_kinds() if kind.signed)


def pdf_files(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """The PDFs meant by `paths`: a file as given, a folder as every *.pdf below it (sorted),
    each with whether it was named explicitly. Half-written files of a running build are left out."""
    from convenant_gen.output.write import TEMP_PREFIX

    found: dict[Path, tuple[Path, bool]] = {}  # by resolved path: a file named twice is read once
    for path in paths:
        if path.is_dir():
            below = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() == ".pdf"
                and p.is_file()
                and not any(part.startswith(TEMP_PREFIX) for part in p.relative_to(path).parts)
            )
            for p in below:
                found.setdefault(p.resolve(), (p, False))
        else:
            key = path.resolve()
            found[key] = (found[key][0] if key in found else path, True)
    return list(found.values())


def meant_for_signing(path: Path, status: DocumentStatus) -> bool:
    """In a folder, whether a PDF is one parties sign: a signed kind by its name, or with
    signature fields. The plan van aanpak beside a covenant is not reported as lacking fields."""
    return status.total > 0 or bool(status.fields) or path.name.lower().startswith(signed_kind_names())
