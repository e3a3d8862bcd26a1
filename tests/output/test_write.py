"""Writing: atomic, deterministic, and reusing deflated template parts gives the same bytes."""

from __future__ import annotations

import zipfile

from convenant_gen.output.write import deflated, zip_bytes, zip_entries
from tests.conftest import ROOT


def test_reused_deflated_parts_give_the_same_bytes_as_deflating_again():
    entries = zip_entries((ROOT / "templates" / "convenant.docx").read_bytes())
    reuse = {name: (data, deflated(data)) for name, data in entries if name != "word/document.xml"}
    changed = [(name, b"<x/>" if name == "word/document.xml" else data) for name, data in entries]
    plain = zip_bytes(changed)
    assert zip_bytes(changed, reuse) == plain
    with zipfile.ZipFile(__import__("io").BytesIO(plain)) as z:
        assert z.testzip() is None
        assert z.read("word/document.xml") == b"<x/>"
    # only the very same data object is reused: equal-looking other data is deflated anew
    wrong = {name: (data, b"rommel") for name, (data, _) in reuse.items()}
    copies = [(name, bytes(bytearray(data))) for name, data in changed]
    assert zip_bytes(copies, wrong) == plain
