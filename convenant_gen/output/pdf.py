"""Word -> PDF through LibreOffice headless: one run for many documents, its own profile,
every PDF checked (LibreOffice exits 0 on failures), and no LibreOffice process that can hang
us or outlive us.

LibreOffice is not one process: `soffice` is a script that execs `oosplash`, which starts
`soffice.bin`, and a helper may detach itself (double fork, setsid) while holding our stderr.
So each run goes through a small supervisor (`_SUPERVISOR`, a fresh `python -I -S`, ~15 ms):
- it is a child subreaper, so every descendant that is orphaned, whatever session or group it
  moved to, is re-parented to it and can be found and killed;
- it asks Linux for SIGTERM when we die (PR_SET_PDEATHSIG, also after kill -9), and on SIGTERM
  kills every descendant before it exits; when soffice ends it kills whatever soffice left;
- its stderr is a temporary file, never a pipe, so no descendant can make us wait for an EOF.
On a time-out we SIGTERM the supervisor, give it a bounded moment, then SIGKILL what is left of
its process group and session (found in /proc); every wait is bounded.

PDEATHSIG belongs to the *thread* that forked: the signal fires when that thread ends, not the
process. The thread that starts a supervisor is the one that waits for it (also in the thread
pool used for workers > 1), so it cannot end while the supervisor runs; pool threads end at
pool shutdown, after their runs. Callers must not start conversions from a thread that is
meant to exit before them (none can: `convert` blocks until its runs have ended)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from convenant_gen.errors import ConvenantError
from convenant_gen.output.write import TEMP_PREFIX, TEMP_SUFFIX, write_atomic

INSTALL_HINT = (
    "LibreOffice is niet gevonden. Installeer het met: sudo apt-get install --no-install-recommends "
    "libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea"
)
PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


GRACE = 3.0  # seconds the supervisor gets to clean up, and each later bounded wait
ERR_TAIL = 8192  # bytes of LibreOffice's stderr we read back for the message

# Runs as `python -I -S -c _SUPERVISOR <our pid> <soffice command...>`: the standard library
# only, so it starts in ~15 ms (importing this package would triple that).
_SUPERVISOR = r"""
import os, signal, sys, time

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Stop(Exception):
    pass


def stop(signum, frame):
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    raise Stop


def descendants():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [os.getpid()]
    while todo:
        for pid in children.get(todo.pop(), ()):
            found.append(pid)
            todo.append(pid)
    return found


def kill_descendants():
    # As subreaper, every descendant whose parent dies becomes our child: kill all, reap
    # until we have no child left (then there is no descendant left either).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for pid in descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not reaped:
            time.sleep(0.01)


for s in SIGNALS:
    signal.signal(s, stop)
code = 128 + signal.SIGTERM
try:
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):
        pass  # not Linux: the caller's time-out still kills our session
    if os.getppid() == int(sys.argv[1]):  # else our parent died before PDEATHSIG was set
        child = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
        while True:
            pid, status = os.waitpid(-1, 0)
            if pid == child:
                code = os.waitstatus_to_exitcode(status) % 256
                break
except Stop:
    pass
finally:
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    kill_descendants()
sys.exit(code)
"""


class PdfFailed(ConvenantError):
    pass


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise PdfFailed(INSTALL_HINT)
    return found


Finish = Callable[[Path, bytes], bytes]  # (document, its PDF) -> the PDF to write; raises ConvenantError


def convert(
    documents: list[Path],
    out_dir: Path | None = None,
    *,
    pdfa: bool = False,
    timeout: float | None = None,
    workers: int = 1,
    finish: Finish | None = None,
) -> list[Path]:
    """Convert documents with one LibreOffice run per worker; returns the PDFs in input order,
    or raises naming every document that failed (the others are made)."""
    results = convert_each(documents, out_dir, pdfa=pdfa, timeout=timeout, workers=workers, finish=finish)
    failed = [problem for problem in results.values() if isinstance(problem, str)]
    if failed:
        raise PdfFailed("; ".join(failed))
    return [result for result in results.values() if isinstance(result, Path)]


def convert_each(
    documents: list[Path],
    out_dir: Path | None = None,
    *,
    pdfa: bool = False,
    timeout: float | None = None,
    workers: int = 1,
    finish: Finish | None = None,
) -> dict[Path, Path | str]:
    """Convert documents with one LibreOffice run per worker, each with its own profile, in
    parallel. Per document, in input order: its PDF beside it (or in `out_dir`), or a Dutch
    message saying why there is none. Each PDF is opened (pypdf) before it counts, passed
    through `finish` (e.g. to add signature fields) and written atomically; a document that
    failed has no PDF at all afterwards, so none of older input remains beside it."""
    if not documents:
        return {}
    workers = max(1, min(workers, len(documents)))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        chunks = [documents[i::workers] for i in range(workers)]
        with ThreadPoolExecutor(workers) as pool:
            done = list(
                pool.map(lambda chunk: convert_each(chunk, out_dir, pdfa=pdfa, timeout=timeout, finish=finish), chunks)
            )
        merged = {doc: result for chunk in done for doc, result in chunk.items()}
        return {doc: merged[doc] for doc in documents}
    results: dict[Path, Path | str] = {}
    targets = {d: (out_dir or d.parent) / f"{d.stem}.pdf" for d in documents}
    for d in documents:
        if not _is_word(d):  # LibreOffice would 'convert' it as plain text and exit 0
            results[d] = f"geen PDF gemaakt van {d.name} (geen Word-document)"
    todo = [d for d in documents if d not in results]
    if todo:
        exe = soffice()
        timeout = timeout or 60 + 5 * len(todo)
        deadline = time.monotonic() + timeout  # for the whole call, however many runs it takes
        # LibreOffice's own profile, fresh for this run, among our temporaries in the output
        # (so a run killed with -9 leaves nothing in /tmp: the next build removes it).
        first = targets[todo[0]].parent
        first.mkdir(parents=True, exist_ok=True)
        profile = os.path.abspath(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}lo-profiel.", suffix=TEMP_SUFFIX, dir=first))
        try:
            for docs in _runs(todo):
                results.update(_convert_run(exe, profile, docs, targets, pdfa, timeout, deadline, finish))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    for d in documents:
        if isinstance(results[d], str):
            with contextlib.suppress(OSError):
                targets[d].unlink()
    return {d: results[d] for d in documents}


def _convert_run(
    exe: str,
    profile: str,
    docs: list[Path],
    targets: dict[Path, Path],
    pdfa: bool,
    timeout: float,
    deadline: float,
    finish: Finish | None,
) -> dict[Path, Path | str]:
    """One LibreOffice start for all these documents: it writes into one folder beside the
    first target (our temporary, removed afterwards), then each PDF is checked, finished and
    written beside its document. Stems are unique within a run, so no PDF overwrites another."""
    results: dict[Path, Path | str] = {}
    first = targets[docs[0]].parent
    first.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}pdf.", suffix=TEMP_SUFFIX, dir=first)).absolute()
    try:
        cmd = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",  # absolute, spaces and all percent-encoded
            "--headless",
            "--norestore",
            "--convert-to",
            PDFA if pdfa else "pdf",
            "--outdir",
            str(work),
            *(str(d.absolute()) for d in docs),
        ]
        try:
            err = _run(cmd, deadline - time.monotonic())
        except subprocess.TimeoutExpired:
            names = ", ".join(d.name for d in docs)
            message = f"LibreOffice reageerde na {timeout:.0f} s niet meer en is gestopt (bij {names})"
            return dict.fromkeys(docs, message)
        detail = err.decode(errors="replace").strip().splitlines()[-1:] if err else []
        for d in docs:
            made = work / f"{d.stem}.pdf"
            if not made.exists() or page_count(made) < 1:
                results[d] = f"geen PDF gemaakt van {d.name}" + (f" ({detail[0]})" if detail else "")
                continue
            try:
                data = made.read_bytes()
                if finish is not None:
                    data = finish(d, data)
                targets[d].parent.mkdir(parents=True, exist_ok=True)
                write_atomic(targets[d], data)
            except ConvenantError as e:
                results[d] = f"geen PDF gemaakt van {d.name}: {e}"
            except OSError as e:
                results[d] = f"kan de PDF van {d.name} niet schrijven ({e.strerror or e})"
            else:
                results[d] = targets[d]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def _runs(documents: list[Path]) -> list[list[Path]]:
    """As few LibreOffice runs as possible: one, unless two documents share a file stem."""
    runs: list[tuple[set[str], list[Path]]] = []
    for doc in documents:
        for stems, docs in runs:
            if doc.stem not in stems:
                stems.add(doc.stem)
                docs.append(doc)
                break
        else:
            runs.append(({doc.stem}, [doc]))
    return [docs for _, docs in runs]


def _run(cmd: list[str], timeout: float) -> bytes:
    """Run one LibreOffice command under the supervisor; returns the tail of its stderr, or
    raises TimeoutExpired once nothing of it is left running."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable or "python3", "-I", "-S", "-c", _SUPERVISOR, str(os.getpid()), *cmd],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=max(timeout, 0.001))
        except BaseException:  # the time-out, but also Ctrl-C: nothing may outlive this call
            _stop(proc)
            raise
        size = err.seek(0, os.SEEK_END)
        err.seek(max(0, size - ERR_TAIL))
        return err.read()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the supervisor and everything below it: SIGTERM first (it kills its adopted
    descendants), then SIGKILL to every process left in its group or session; each wait bounded.
    The supervisor is reaped last, so its pid cannot be reused as a group or session id meanwhile."""
    try:
        os.kill(proc.pid, signal.SIGTERM)  # not proc.send_signal: that may reap it first
    except OSError:
        pass
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline and not _exited(proc.pid):
        time.sleep(0.02)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for _ in range(10):
        left = _session(proc.pid)
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
    try:
        proc.kill()
        proc.wait(timeout=GRACE)
    except (OSError, subprocess.TimeoutExpired):
        pass  # unkillable (uninterruptible I/O): we have done what we can


def _exited(pid: int) -> bool:
    """Whether our child has ended, without reaping it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None
    except ChildProcessError:
        return True


def _session(leader: int) -> list[int]:
    """Living processes in the process group or session `leader` created, or below it."""
    parents: dict[int, int] = {}
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (not Linux): the process group is all we could reach
        entries = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                state, ppid, pgrp, session = f.read().rsplit(b")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue
        pid = int(entry)
        if state in (b"Z", b"X"):
            continue
        parents[pid] = int(ppid)
        if leader in (int(pgrp), int(session)):
            found.add(pid)
    members = found | {leader}
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor and ancestor not in members:
            ancestor = parents.get(ancestor)
        if ancestor:
            found.add(pid)
    found.discard(os.getpid())
    return sorted(found)


def _is_word(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def page_count(pdf: Path) -> int:
    """Pages of a PDF as a PDF reader finds them (pypdf); 0 for a file that is no readable PDF,
    whatever its bytes look like ("/Type /Pages /Count 3" in a text file is not a PDF)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(pdf, strict=True).pages)
    except Exception:  # pypdf raises many kinds of error on a damaged file: all mean "not a PDF"
        return 0
