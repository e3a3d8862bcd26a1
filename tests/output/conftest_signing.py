"""A covenant PDF with signature fields, signed in turn by a throw-away test PKI.

Shared by the signing tests: each module makes it once with `build_signing` in a module-scoped
fixture. Holland Rijnland is built
definitief and converted by LibreOffice once per test module; the fields are the build's own
(`signatures.add_fields`); every signature is a pyHanko incremental update, as a signer's own
PDF reader makes it. Nothing is written into the repository: keys live in memory and tmp_path.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import signable_holland_rijnland

BUILD_DATE = dt.date(2026, 11, 23)


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class Pki:
    """A root CA in memory that issues one signing certificate per signatory."""

    def __init__(self, organisation: str = "Proef-CA convenant"):
        now = dt.datetime.now(dt.UTC)
        self.valid = (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name("Proef-basiscertificaat", organisation)
        self.root = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.valid[0])
            .not_valid_after(self.valid[1])
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def signer(self, person: str, organisation: str):
        """A pyHanko signer with its own key and a certificate issued by this root."""
        from pyhanko.keys.internal import (
            translate_pyca_cryptography_cert_to_asn1,
            translate_pyca_cryptography_key_to_asn1,
        )
        from pyhanko.sign.signers import SimpleSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(person, organisation))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.valid[0])
            .not_valid_after(self.valid[1])
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return SimpleSigner(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=SimpleCertificateStore.from_certs([translate_pyca_cryptography_cert_to_asn1(self.root)]),
        )


def sign(pdf: bytes, field_name: str, signer) -> bytes:
    """`pdf` with the field `field_name` signed by `signer`, as one incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field_name)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


def person(number: int) -> str:
    return f"Wethouder Proef {number}"


@dataclass
class Signing:
    """The covenant before and after each signature."""

    names: list[str]  # signatories in signature-page order
    fields: list[str]  # their field names, same order
    plain: bytes  # LibreOffice's PDF, without fields
    unsigned: bytes  # with the empty fields
    steps: list[bytes] = field(default_factory=list)  # steps[k]: the first k+1 fields signed
    pki: Pki = field(default_factory=Pki)
    plan: bytes = b""  # the plan van aanpak PDF of the same build (not signed by parties)

    @property
    def signed(self) -> bytes:
        return self.steps[-1]


def build_signing(folder: Path) -> Signing:
    from convenant_gen.figures import Figures
    from convenant_gen.output.pdf import convert
    from convenant_gen.output.signatures import add_fields, signers
    from convenant_gen.pipeline.build import build_region
    from convenant_gen.region.validate import load_region

    source = folder / "holland-rijnland.yaml"
    source.write_text(signable_holland_rijnland(), encoding="utf-8")
    outcome = build_region(source, folder / "docx", definitief=True, datum=BUILD_DATE)
    assert outcome.error is None, outcome.error
    by_stem = {p.stem: p for p in convert(outcome.written, folder / "pdf")}
    plain = by_stem["convenant-holland-rijnland"].read_bytes()
    region = load_region(source, True).region
    names = [p.naam for group in Figures(region).handtekeninggroepen.values() for p in group]
    wanted = signers(names)
    unsigned = add_fields(plain, wanted)
    signing = Signing(
        names,
        [s.field for s in wanted],
        plain,
        unsigned,
        plan=by_stem["plan-van-aanpak-holland-rijnland"].read_bytes(),
    )
    current = unsigned
    for number, (name, field_name) in enumerate(zip(names, signing.fields, strict=True)):
        current = sign(current, field_name, signing.pki.signer(person(number), name))
        signing.steps.append(current)
    return signing


# --- ways to spoil a signed PDF -------------------------------------------------------------


def byte_ranges(pdf: bytes) -> list[tuple[int, int, int, int]]:
    """Each signature's /ByteRange, in file order (the first signature first)."""
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [tuple(int(n) for n in match) for match in found]  # type: ignore[misc]


def tamper_signed_bytes(pdf: bytes) -> bytes:
    """One character changed in the original document's producer (inside every signature's
    signed range): the kind of change a digest must catch, while the file still parses."""
    match = re.search(rb"/Producer\s*<FEFF([0-9A-Fa-f]{4})", pdf)
    assert match, "no /Producer in LibreOffice's PDF to change"
    at = match.start(1) + 3  # last hex digit of the first character: 'L' -> 'M'
    first = byte_ranges(pdf)[0]
    assert at < first[1], "the changed byte must lie inside the first signature's signed range"
    digit = pdf[at : at + 1]
    other = b"D" if digit.upper() != b"D" else b"E"
    return pdf[:at] + other + pdf[at + 1 :]


def add_page_content(pdf: bytes, page: int = 0) -> bytes:
    """An extra incremental update after signing that draws a box on `page`: a content change."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 100 200 50 re f Q")
    writer.add_stream_to_page(page, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def spoil_signature_value(pdf: bytes) -> bytes:
    """One hex digit of the last signature's own value changed (inside /Contents, near the end
    of the DER data): the bytes it signed are intact, the signature no longer fits them."""
    _, length, resume, _ = byte_ranges(pdf)[-1]
    contents = pdf[length + 1 : resume - 1]  # the hex between < and >, zero-padded
    used = len(contents.rstrip(b"0"))
    at = length + 1 + used - 12  # inside the ECDSA value, the last thing in the SignerInfo
    digit = pdf[at : at + 1]
    other = b"1" if digit != b"1" else b"2"
    return pdf[:at] + other + pdf[at + 1 :]
