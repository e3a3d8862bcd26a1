"""Atomic, deterministic writes: a temporary file beside the target, then os.replace."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from convenant_gen.errors import WriteFailed

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that readers see the old file or the whole new one."""
    write_all_atomic([(Path(target), data)])


def write_all_atomic(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that either all are replaced or none: every temporary file is
    written and synced first, then they are renamed into place."""
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    try:
        for current, data in files:
            target = current
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
    except BaseException as e:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(e, OSError):
            raise WriteFailed(f"kan {current} niet schrijven: {e.strerror}") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of `entries` in their order, with fixed timestamps and attributes (deterministic)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            z.writestr(info, data, compresslevel=6)
    return out.getvalue()


def zip_entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(item.filename, z.read(item.filename)) for item in z.infolist()]


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a .docx/.xlsx zip with fixed timestamps and attributes, in the same order."""
    return zip_bytes(zip_entries(data))
