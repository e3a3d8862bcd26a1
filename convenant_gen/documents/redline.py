"""The consolidated covenant as Word tracked changes against the covenant as signed: every
deletion and insertion marked (w:del, w:ins), so a reader sees what the decisions changed.

Made with rdocx (MIT/Apache-2.0; Rust, in process), chosen after trying the alternatives on
our own covenants: accepting all changes in LibreOffice gives exactly the consolidated text and
rejecting all gives exactly the signed one, openxml-audit expects Word to open it cleanly, and
rdocx checks that round trip itself and raises rather than return a wrong redline. Same input,
same bytes: the revision date is the consolidation's, not the clock's.
"""

from __future__ import annotations

import datetime as dt

from convenant_gen.errors import ConvenantError

AUTHOR = "convenant"


class RedlineFailed(ConvenantError):
    pass


def redline(signed: bytes, consolidated: bytes, *, when: dt.date) -> bytes:
    """`signed` with tracked changes that turn it into `consolidated`."""
    try:
        import rdocx

        document = rdocx.Document.from_bytes(signed)
        document.compare(
            rdocx.Document.from_bytes(consolidated),
            AUTHOR,
            f"{when.isoformat()}T00:00:00Z",
            granularity="word",
        )
        data: bytes = document.to_bytes()
    except ImportError as e:
        raise RedlineFailed(f"rdocx ontbreekt ({e}); installeer convenant opnieuw") from None
    except Exception as e:  # rdocx refuses what it cannot mark exactly: say so, never a wrong redline
        raise RedlineFailed(f"de wijzigingen konden niet exact worden gemarkeerd ({type(e).__name__}: {e})") from None
    from convenant_gen.output.write import normalize_zip

    return normalize_zip(data)
