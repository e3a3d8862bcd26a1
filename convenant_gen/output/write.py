"""Atomic, deterministic writes: a temporary file beside the target, then os.replace.

Our temporaries are named `.convenant-<target name>.<random>.tmp`, so that cleaning up after a
killed run removes only our own files, never a user's. An output folder is locked while a
build writes into it (`output_lock`), so two builds never touch each other's temporaries.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from convenant_gen.errors import ConvenantError, WriteFailed

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEMP_PREFIX = ".convenant-"
TEMP_SUFFIX = ".tmp"
LOCK_FILE = ".convenant.lock"


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that readers see the old file or the whole new one."""
    write_all_atomic([(Path(target), data)])


def write_all_atomic(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that either all are replaced or none: every target is checked
    and every temporary file written and synced first, then they are renamed into place."""
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    try:
        for current, _ in files:
            if current.is_dir():
                raise WriteFailed(
                    f"kan {current} niet schrijven: er staat een map met die naam; verwijder of hernoem die map"
                )
        for current, data in files:
            target = current
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise WriteFailed(
                    f"kan {target} niet schrijven: {target.parent} is een bestand, geen map; "
                    "verwijder of hernoem dat bestand"
                ) from None
            fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
        for index, (tmp, target) in enumerate(staged):
            current = target
            os.replace(tmp, target)
            staged[index] = ("", target)
    except BaseException as e:
        for tmp, _ in staged:
            if tmp:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        if isinstance(e, OSError):
            raise WriteFailed(f"kan {current} niet schrijven: {e.strerror or e}") from None
        raise


def remove_our_temporaries(folder: Path, depth: int = 2) -> None:
    """Temporary files a killed run of ours left in `folder` and the folders below it, down to
    `depth` levels (where we write). Other files, also other *.tmp files, are never touched.
    Call it only while holding `output_lock(folder)`."""
    levels = [folder]
    for _ in range(depth):
        below = []
        for level in levels:
            try:
                entries = list(os.scandir(level))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                    if entry.is_file(follow_symlinks=False):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                    elif entry.is_dir(follow_symlinks=False):  # a PDF run's folder
                        shutil.rmtree(entry.path, ignore_errors=True)
                elif entry.is_dir(follow_symlinks=False):
                    below.append(Path(entry.path))
        levels = below


class OutputBusy(ConvenantError):
    """Another build holds the output folder."""


@contextlib.contextmanager
def output_lock(folder: Path, wait: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on an output folder; wait up to `wait` seconds for another build
    that holds it, then stop with a Dutch message. The lock ends with the process, even on
    kill -9 (flock), so a killed build never blocks the next one."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise WriteFailed(f"kan de map {folder} niet gebruiken: {e.strerror or e}") from None
    try:
        end = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= end:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    who = f" (proces {holder})" if holder.isdigit() else ""
                    raise OutputBusy(
                        f"de map {folder} wordt al gebruikt door een andere convenant build{who}; "
                        f"na {wait:g} s wachten is deze gestopt. Wacht tot die klaar is, "
                        "of kies een andere map met --out"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def zip_bytes(entries: Iterable[tuple[str, bytes]], reuse: Mapping[str, tuple[bytes, bytes]] | None = None) -> bytes:
    """A zip of `entries` in their order, with fixed timestamps and attributes (deterministic).

    `reuse` maps a member name to (data, deflated data) made earlier by `deflated`: when an
    entry is that very data object (a template part no document changes), its deflated bytes
    are copied instead of compressed again. The bytes written are the same either way."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            info._compresslevel = ZIP_LEVEL  # type: ignore[attr-defined]  # what writestr(compresslevel=) sets
            info.file_size = len(data)
            known = reuse.get(name) if reuse else None
            with z.open(info, "w") as dest:
                if known is not None and known[0] is data and hasattr(dest, "_compressor"):
                    dest._compressor = _Deflated(known[1])
                dest.write(data)
    return out.getvalue()


ZIP_LEVEL = 6


def deflated(data: bytes) -> bytes:
    """`data` deflated exactly as zip_bytes deflates a member (raw deflate, level ZIP_LEVEL)."""
    import zlib

    compressor = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Deflated:
    """Stands in for zipfile's compressor of one member: hands out bytes deflated earlier."""

    def __init__(self, data: bytes):
        self.data = data

    def compress(self, chunk: bytes) -> bytes:
        data, self.data = self.data, b""
        return data

    def flush(self) -> bytes:
        return b""


def zip_entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(item.filename, z.read(item.filename)) for item in z.infolist()]


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a .docx/.xlsx zip with fixed timestamps and attributes, in the same order."""
    return zip_bytes(zip_entries(data))
