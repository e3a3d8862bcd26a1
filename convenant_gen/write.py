"""Atomic, deterministic writes: a temporary file beside the target, then os.replace."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from convenant_gen.errors import WriteFailed

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that readers see the old file or the whole new one."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise WriteFailed(f"kan niet schrijven in {target.parent}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise WriteFailed(f"kan {target} niet schrijven: {e.strerror}") from None
        raise


def write_all_atomic(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that either all are replaced or none: every temporary file is
    written and synced first, then they are renamed into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files:
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
            raise WriteFailed(f"kan {files[len(staged) - 1][0]} niet schrijven: {e.strerror}") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a .docx/.xlsx zip with fixed timestamps and attributes, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, src.read(item.filename), compresslevel=6)
    return out.getvalue()
