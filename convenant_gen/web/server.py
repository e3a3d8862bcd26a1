"""The local web form (`convenant formulier`): Starlette on uvicorn, on 127.0.0.1 only.

What the browser may do, and nothing more:
- read and write region files in ONE folder (the opened file's, or regions/), named by their
  file name as the server lists them; no path from the browser reaches the file system;
- validate data with the very code of `convenant validate` (validate_data), build the region's
  documents into this session's own temporary folder and download them.
Every state-changing request carries the session's token in a header (`X-Convenant-Token`):
another web site cannot send that header without the browser asking this server first, and the
server never says yes. Requests naming another host (DNS rebinding) are refused; request bodies
are limited; nothing from a form field is ever executed (the region is data; templates come from
the templates folder, never from the browser).
"""

from __future__ import annotations

import functools
import json
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from convenant_gen.errors import ConvenantError, Finding

HERE = Path(__file__).resolve().parent
MAX_BODY = 2_000_000  # bytes: a region file is at most 1 MB
TOKEN_HEADER = "x-convenant-token"
HOSTS = ["127.0.0.1", "localhost"]


@dataclass
class Session:
    folder: Path  # the folder whose region files the form may read and write
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="convenant-formulier-")))
    opened: str | None = None  # the file named on the command line
    built: dict[str, Path] = field(default_factory=dict)  # download name -> file in `work`
    pages: list[Path] = field(default_factory=list)  # preview PNGs
    lock: threading.Lock = field(default_factory=threading.Lock)

    def files(self) -> list[str]:
        """The region files the form offers: *.yaml and *.yml in the folder, by name."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    def file(self, name: Any) -> Path:
        """The region file called `name`, if the folder lists it; never any other path."""
        if not isinstance(name, str) or name not in self.files():
            raise Refused(404, "dit regiobestand staat niet in de map van het formulier")
        return self.folder / name

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def app(session: Session) -> Starlette:
    """The form's web application for `session`."""

    def page(name: str, **values: Any) -> HTMLResponse:
        html = _html().get_template(name).render(token=session.token, **values)
        return HTMLResponse(html, headers=_headers())

    async def start(request: Request) -> Response:
        if session.opened:
            return RedirectResponse(f"/bewerk?bestand={session.opened}", status_code=303)
        bestanden = [{"naam": n, "url": f"/bewerk?bestand={n}"} for n in session.files()]
        return page("start.html", title="Regiobestanden", bestanden=bestanden, map=session.folder.name)

    async def edit(request: Request) -> Response:
        from convenant_gen.web import yamlfile
        from convenant_gen.web.form import form

        try:
            path = session.file(request.query_params.get("bestand"))
        except Refused as e:
            return HTMLResponse(f"<p role='alert'>{e.message}</p>", status_code=e.status, headers=_headers())
        try:
            opened = yamlfile.read(path)
        except yamlfile.Unreadable as e:
            lines = [f"regel {f.line}, kolom {f.column}: {f.message}" if f.line else f.message for f in e.findings]
            return page("onleesbaar.html", title=f"Regiobestand {path.name}", bestand=path.name, fouten=lines)
        nodes = [n.as_json() for n in form()]
        return page(
            "form.html",
            title=f"Regiobestand {path.name}",
            bestand=path.name,
            versie=opened.version,
            nodes=nodes,
            gegevens_json=_script_json(opened.data),
            form_json=_script_json(nodes),
            preview=shutil.which("soffice") is not None,
        )

    async def check(request: Request) -> Response:
        body = await _body(request, session)
        path = session.file(body.get("bestand"))
        started = time.perf_counter()
        result = validation(path, _data(body), session.work)
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return _json(result)

    async def save(request: Request) -> Response:
        from convenant_gen.web import yamlfile

        body = await _body(request, session)
        path = session.file(body.get("bestand"))
        version = body.get("versie")
        if not isinstance(version, str):
            raise Refused(400, "de versie van het bestand ontbreekt; laad de pagina opnieuw")
        with session.lock:
            try:
                new = yamlfile.save(path, _data(body), version)
            except yamlfile.Conflict as e:
                return _json({"melding": str(e)}, 409)
            except yamlfile.Unreadable as e:
                return _json({"melding": str(e)}, 409)
        return _json({"versie": new, "melding": "Opgeslagen"})

    async def as_file(request: Request) -> Response:
        """The form's data as a region file of its own (the file on disk with the form's values
        merged in), to keep one's work when the file changed on disk meanwhile."""
        from convenant_gen.web import yamlfile

        body = await _body(request, session)
        path = session.file(body.get("bestand"))
        raw = path.read_bytes()
        try:
            yamlfile.read(path)
        except yamlfile.Unreadable:
            raw = b""
        text = yamlfile.render(raw, _data(body)) or raw
        name = f"{path.stem}.formulier{path.suffix}"
        return _json({"naam": name, "tekst": text.decode("utf-8")})

    async def build(request: Request) -> Response:
        body = await _body(request, session)
        path = session.file(body.get("bestand"))
        definitief = body.get("definitief") is True
        with session.lock:
            result = make(session, path, _data(body), definitief)
        return _json(result)

    async def new(request: Request) -> Response:
        body = await _body(request, session)
        return _json(create(session, body.get("naam")))

    async def download(request: Request) -> Response:
        name = request.path_params["naam"]
        target = session.built.get(name)
        if target is None or not target.is_file():
            return _json({"melding": "dit document is niet (meer) gemaakt in dit formulier"}, 404)
        return FileResponse(target, filename=name, headers=_headers())

    async def preview(request: Request) -> Response:
        number = request.path_params["nummer"]
        if not 1 <= number <= len(session.pages):
            return _json({"melding": "deze pagina is er niet"}, 404)
        return FileResponse(session.pages[number - 1], media_type="image/png", headers=_headers())

    def guarded(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            try:
                response: Response = await handler(request)
                return response
            except Refused as e:
                return _json({"melding": e.message}, e.status)

        return run

    routes = [
        Route("/", start),
        Route("/bewerk", edit),
        Route("/api/controleer", guarded(check), methods=["POST"]),
        Route("/api/opslaan", guarded(save), methods=["POST"]),
        Route("/api/maken", guarded(build), methods=["POST"]),
        Route("/api/als-bestand", guarded(as_file), methods=["POST"]),
        Route("/api/nieuw", guarded(new), methods=["POST"]),
        Route("/documenten/{naam:str}", download),
        Route("/voorbeeld/{nummer:int}.png", preview),
        Mount("/static", StaticFiles(directory=HERE / "static", check_dir=False), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=HOSTS)])


# --- what the routes do ----------------------------------------------------------------------


def validation(path: Path, data: dict[str, Any], work: Path | None = None) -> dict[str, Any]:
    """The findings of `convenant validate` for `data` as the file `path`, per input name, and
    what a definitief version still needs: everything `build --definitief` would refuse, the
    definitief rules and every open place the documents would print (rendered in memory, from a
    copy of the data in `work`, ~25 ms)."""
    from convenant_gen.errors import RegionInvalid
    from convenant_gen.region.validate import validate_data

    try:
        loaded = validate_data(data, path=path)
    except RegionInvalid as e:
        errors = [f for f in e.findings if f.severity == "fout"]
        warnings = [f for f in e.findings if f.severity != "fout"]
        return {
            "geldig": False,
            "fouten": _messages(errors),
            "waarschuwingen": _messages(warnings),
            "ondertekening": [],
        }
    missing = [f for f in _for_signing(path, data, work) if f.severity == "fout"]
    return {
        "geldig": True,
        "fouten": [],
        "waarschuwingen": _messages(loaded.warnings),
        "ondertekening": _messages(missing),
    }


def _for_signing(path: Path, data: dict[str, Any], work: Path | None) -> list[Finding]:
    """What keeps `data` from a definitief build, as `validate --definitief` says it."""
    import yaml

    from convenant_gen.errors import RegionInvalid
    from convenant_gen.pipeline.build import definitief_findings
    from convenant_gen.region.validate import validate_data

    if work is None:
        try:
            validate_data(data, path=path, definitief=True)
        except RegionInvalid as e:
            return list(e.findings)
        return []
    folder = work / "controle"
    folder.mkdir(exist_ok=True)
    copy = folder / path.name
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return definitief_findings(copy)


def make(session: Session, path: Path, data: dict[str, Any], definitief: bool) -> dict[str, Any]:
    """Build the region from the form's data (not from the file: what you see is what you get)
    into the session's folder; offer its documents and, with LibreOffice, the covenant's pages."""
    import yaml

    from convenant_gen.pipeline.build import build_region

    run = Path(tempfile.mkdtemp(prefix="maken-", dir=session.work))
    source = run / path.name
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    outcome = build_region(source, run / "uit", definitief=definitief)
    if outcome.status != "gemaakt":
        return {"documenten": [], "voorbeeld": [], "fouten": _messages(outcome.errors)}
    session.built = {doc.name: doc for doc in outcome.documents}
    session.pages = _pages(outcome.documents, run)
    return {
        "documenten": [{"naam": doc.name, "url": f"/documenten/{doc.name}"} for doc in outcome.documents],
        "voorbeeld": [f"/voorbeeld/{n}.png" for n in range(1, len(session.pages) + 1)],
        "fouten": [],
    }


def _pages(documents: list[Path], folder: Path) -> list[Path]:
    """The covenant's pages as PNG (LibreOffice, then PDFium); none without LibreOffice."""
    covenant = next((d for d in documents if d.name.startswith("convenant-") and "-geconsolideerd" not in d.name), None)
    if covenant is None or shutil.which("soffice") is None:
        return []
    import pypdfium2 as pdfium

    from convenant_gen.output.pdf import PdfFailed, convert
    from convenant_gen.output.signatures import PDFIUM

    try:
        (pdf,) = convert([covenant], folder / "pdf")
    except PdfFailed:
        return []
    pages = []
    with PDFIUM:  # one PDFium call at a time in the whole process (requests run in threads)
        document = pdfium.PdfDocument(pdf)
        try:
            for number in range(len(document)):
                image = document[number].render(scale=1.25).to_pil()
                target = folder / f"pagina-{number + 1}.png"
                image.save(target)
                pages.append(target)
        finally:
            document.close()
    return pages


def create(session: Session, name: Any) -> dict[str, Any]:
    """A new region file in the folder, as `convenant init` makes it."""
    from convenant_gen.output.write import write_atomic
    from convenant_gen.region import reference, scaffold

    if not isinstance(name, str) or not name.strip():
        raise Refused(400, "geef de naam van de regio")
    ref = reference.find(name)
    centrum = ref.centrumgemeente if ref else None
    slug = ref.slug if ref else reference.slugify(name)
    if not slug:
        raise Refused(400, f"'{name}' is geen bruikbare regionaam")
    target = session.folder / f"{slug}.yaml"
    if target.exists():
        raise Refused(409, f"{target.name} bestaat al; open het uit de lijst")
    try:
        text = scaffold.starter_yaml(ref.naam if ref else name, centrum, ref)
    except ConvenantError as e:
        raise Refused(400, str(e)) from None
    session.folder.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text.encode("utf-8"))
    return {"url": f"/bewerk?bestand={target.name}"}


# --- plumbing --------------------------------------------------------------------------------


@functools.cache
def _html() -> Any:
    """The form's own HTML templates (autoescaped; not the documents' sandbox)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())


def _messages(findings: list[Finding]) -> list[dict[str, str]]:
    unique = list(dict.fromkeys((f.field, f.message, f.severity) for f in findings))  # each once
    return [
        {"veld": input_name(name), "melding": message, "tekst": _text(Finding("", 0, 0, name, message, severity))}
        for name, message, severity in unique
    ]


def _text(f: Finding) -> str:
    """The message as `convenant validate` prints it, after 'file:line:column: '."""
    prefix = "waarschuwing: " if f.severity == "waarschuwing" else ""
    return f"{prefix}{f.field}: {f.message}" if f.field else f"{prefix}{f.message}"


def input_name(field_path: str) -> str:
    """'partijen[3].naam' (as messages count, from 1) -> 'partijen.2.naam' (the input's name)."""
    if not field_path:
        return ""
    from convenant_gen.region.history import parse_path

    try:
        return ".".join(str(p) for p in parse_path(field_path))
    except ValueError:
        return field_path


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("gegevens")
    if not isinstance(data, dict):
        raise Refused(400, "geen gegevens ontvangen")
    return data


async def _body(request: Request, session: Session) -> dict[str, Any]:
    """The JSON body of a state-changing request: only with this session's token, at most
    MAX_BODY bytes, a JSON object."""
    if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), session.token):
        raise Refused(403, "verzoek zonder geldig formuliertoken geweigerd; open het formulier opnieuw")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413, "het verzoek is te groot")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY:
            raise Refused(413, "het verzoek is te groot")
    try:
        body = json.loads(received.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(400, "het verzoek is geen geldige JSON") from None
    if not isinstance(body, dict):
        raise Refused(400, "het verzoek is geen JSON-object")
    return body


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(value, status_code=status, headers=_headers())


def _headers() -> dict[str, str]:
    """No framing by other sites, no sniffing, nothing loaded from elsewhere."""
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '</script>' can close it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def session_for(path: Path | None, folder: Path | None = None) -> Session:
    """The session for `convenant formulier [REGIO.yaml]`: the file's folder, or regions/."""
    if path is not None:
        return Session(path.parent.resolve(), opened=path.name)
    return Session((folder or Path("regions")).resolve())


def listen(session: Session, port: int) -> tuple[Any, Any, str]:
    """A uvicorn server for `session`, its socket bound to 127.0.0.1:`port` (0: any free port),
    and its address. Raises OSError when the port is taken."""
    import socket

    import uvicorn

    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    address = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    return uvicorn.Server(uvicorn.Config(app(session), log_level="warning", lifespan="off")), sock, address


def serve_in_thread(
    path: Path | None = None, folder: Path | None = None, port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Run the form on 127.0.0.1 in a background thread (for tests): (its address, stop)."""
    session = session_for(path, folder)
    server, sock, address = listen(session, port)
    address = address.rstrip("/")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        session.close()

    return address, stop
