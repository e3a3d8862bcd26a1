"""Thin docxtpl wrapper: template + context -> document bytes (deterministic).

Templates render in an immutable sandbox with StrictUndefined and autoescape, so user text is
data ("Zorg & Welzijn", "{{ x }}", "<b>"), a misspelt field is an error that names the template
and the field, and a template can neither change the data nor reach Python's internals.

A template file is untrusted input: its zip is bounded before it is read, no XML part may hold
a DOCTYPE, and every rendered part must be well-formed as rendered (nothing is repaired by
dropping content). The on-disk cache is a hint: keyed by everything that shapes its content,
verified when read, ignored when unusable, and only read at all from a folder that is ours alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import update_wrapper
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, Undefined, UndefinedError
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from lxml import etree
from markupsafe import Markup

from convenant_gen.documents.placeholders import Missing, none_test, shown_open
from convenant_gen.errors import TemplateProblem
from convenant_gen.output.write import deflated, zip_bytes
from convenant_gen.pipeline.limits import TimeLimitExceeded

# What a template file may be (it is untrusted input) and what rendering may produce.
MAX_TEMPLATE_BYTES = 50 * 2**20  # the .docx file itself
MAX_MEMBERS = 2000  # parts in its zip
MAX_UNPACKED_BYTES = 100 * 2**20  # all parts together, unpacked
MAX_PART_CHARS = 50 * 2**20  # one rendered part: the body, a header, a footer
MAX_REPEAT = 10**6  # a text or list made with *, a width or padding
MAX_INT_BITS = 10_000  # an integer made with * or ** (about 3,000 digits)
MAX_CACHE_BYTES = 64 * 2**20  # one cache file

_PASS_THROUGH = (MemoryError, TimeLimitExceeded)  # the caller's limits, not the template's fault


# --- the sandbox --------------------------------------------------------------------------


class _Refused(SecurityError):
    """A computation too big for a document, refused before it runs."""


def _nl(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _refuse(what: str) -> NoReturn:
    raise _Refused(
        f"{what} is geweigerd: zo'n grote waarde hoort niet in een document (grens: {_nl(MAX_REPEAT)} "
        f"tekens of onderdelen; getallen tot {_nl(MAX_INT_BITS)} bits)"
    )


def _forbidden(what: str, kind: str) -> str:
    return (
        f"het sjabloon gebruikt ‘{what[:40]}’ ({kind}); dat mag niet: een sjabloon toont gegevens "
        "en mag ze niet wijzigen of Python-onderdelen gebruiken"
    )


def _int_bits(value: int | Fraction) -> int:
    if isinstance(value, Fraction):
        return max(abs(value.numerator).bit_length(), value.denominator.bit_length())
    return abs(value).bit_length()


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int | Fraction) and isinstance(exponent, int):
        bits = _int_bits(base)
        if bits > 1 and abs(exponent) * bits > MAX_INT_BITS:
            _refuse("een macht (**) met een te groot resultaat")


def _check_product(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            if len(seq) * times > MAX_REPEAT:
                _refuse("een herhaling (*) met een te groot resultaat")
            return
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        _refuse("een vermenigvuldiging (*) met een te groot resultaat")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_sizes(values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_REPEAT:
            _refuse(f"een breedte of aantal van meer dan {_nl(MAX_REPEAT)}")


def _check_printf(fmt: str, args: Any) -> None:
    """A %-format whose width or precision would make a huge text."""
    for match in _PRINTF.finditer(fmt):
        for size in match.groups():
            if size == "*":
                _check_sizes(args if isinstance(args, tuple) else (args,))
            elif size:
                _check_sizes([int(size)])


def _check_spec(spec: str) -> None:
    _check_sizes(int(n) for n in re.findall(r"\d+", spec))


class _BoundedFormatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec)
        return super().format_field(value, format_spec)


class _BoundedEscapeFormatter(SandboxedEscapeFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec)
        return super().format_field(value, format_spec)


_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no list.append, dict.update, ...), with Dutch refusals and
    bounds on what an expression may compute: powers, repetitions, widths and padding."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        return self.undefined(_forbidden(attribute, type(obj).__name__), name=attribute, obj=obj, exc=SecurityError)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format and format_map, sandboxed as Jinja does, with bounded widths."""
        if super().wrap_str_format(value) is None:
            return None
        text = value.__self__
        is_map = value.__name__ == "format_map"
        formatter: SandboxedFormatter
        if isinstance(text, Markup):
            formatter = _BoundedEscapeFormatter(self, escape=text.escape)
        else:
            formatter = _BoundedFormatter(self)

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                mapping = args[0]
                args, kwargs = (), mapping
            result: str = type(text)(formatter.vformat(text, args, kwargs))
            return result

        return update_wrapper(wrapper, value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not __self.is_safe_callable(__obj):
            raise SecurityError(_forbidden(getattr(__obj, "__name__", "?"), "aanroep"))
        if isinstance(getattr(__obj, "__self__", None), str) and getattr(__obj, "__name__", "") in _PADDING:
            _check_sizes([*args, *kwargs.values()])
        return __context.call(__obj, *args, **kwargs)


def _bounded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A Jinja filter whose size arguments (width, count) are bounded; the value is not."""
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_sizes([*args[skip:], *kwargs.values()])
        return fn(*args, **kwargs)

    return wrapper


def _bounded_format(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            _check_printf(value, tuple(kwargs.values()) or args)
        return fn(value, *args, **kwargs)

    return wrapper


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    from jinja2.utils import generate_lorem_ipsum

    if n > 100 or max > 1000:
        _refuse("lipsum met zo veel tekst")
    return generate_lorem_ipsum(n, html, min, max)


_DATA = (str, int, float, Decimal, Fraction, dt.date, list, tuple, dict)


def _shown_data(value: Any) -> Any:
    """What a {{ tag }} prints must be data: never a template object, function or loop."""
    if isinstance(value, (*_DATA, Undefined, Missing)):  # Undefined: StrictUndefined says what is missing
        return value
    raise _Refused(
        f"het sjabloon toont ‘{type(value).__name__}’, en dat is geen gegeven uit het regiobestand; "
        "toon een veld, zoals {{ regio.naam }}"
    )


@functools.cache
def jinja_env() -> Sandbox:
    from convenant_gen.documents.formatting import FILTERS

    env = Sandbox(
        undefined=StrictUndefined,
        finalize=lambda value: shown_open(value) if value is None else _shown_data(value),
        autoescape=True,
        trim_blocks=False,
    )
    for name in ("center", "indent", "slice", "batch", "tojson"):
        env.filters[name] = _bounded(env.filters[name])
    env.filters["format"] = _bounded_format(env.filters["format"])
    env.filters.update(FILTERS)
    env.tests["none"] = none_test  # an empty field is none, as it was before it knew its path
    env.globals["lipsum"] = _lipsum
    return env


# --- the template file: untrusted input ---------------------------------------------------


def _safe_parser() -> etree.XMLParser:
    """No entities resolved, no DTD loaded, no network; libxml2's size limits kept."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def _doctype_message(member: str) -> str:
    return (
        f"{member} bevat een DOCTYPE; die hoort niet in een Word-document en kan bestanden van deze computer "
        "laten inlezen. Maak het sjabloon opnieuw vanuit Word"
    )


def _has_doctype(tree: Any) -> bool:
    info = tree.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None


def _looks_like_xml(name: str, data: bytes) -> bool:
    head = data[:4]
    return (
        name.lower().endswith((".xml", ".rels", ".vml"))
        or data.lstrip()[:1] == b"<"
        or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<"))
    )


def _harmless_svg_doctype(element: Any) -> bool:
    """An SVG image's reference to the W3C's DTD by its public address, declaring nothing (as
    drawing programs write it): no entity, nothing from this computer."""
    info = element.getroottree().docinfo
    dtd = info.internalDTD
    declares = dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements()))
    return (info.system_url or "").startswith(("http://www.w3.org/", "https://www.w3.org/")) and not declares


_PROLOG = re.compile(rb"(<\?xml[^>]*\?>)?\s*<[A-Za-z_]")  # an XML declaration (if any), then the root element


def _plain_prolog(data: bytes) -> bool:
    """A UTF-8 part whose root element follows its XML declaration directly (as Word writes
    them): it has no DOCTYPE. Anything else is left to the parser."""
    match = _PROLOG.match(data)
    if match is None:
        return False
    encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", match.group(1) or b"")
    return encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8")


def _refuse_doctype(template: str, member: str, data: bytes) -> None:
    """Parse the prolog of an XML part (up to its root element) and refuse a DOCTYPE."""
    if _plain_prolog(data):
        return
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, load_dtd=False, no_network=True)
    try:
        start, size = 0, 4096
        while start < len(data):
            parser.feed(data[start : start + size])
            start, size = start + size, 65536
            for _, element in parser.read_events():
                if _has_doctype(element) and not (member.lower().endswith(".svg") and _harmless_svg_doctype(element)):
                    raise TemplateProblem(template, _doctype_message(member))
                return
        parser.close()
    except etree.XMLSyntaxError:
        pass
    raise TemplateProblem(template, f"{member} is geen geldige XML; maak het sjabloon opnieuw vanuit Word")


def _read_template(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise TemplateProblem(path.name, f"kan niet gelezen worden ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise TemplateProblem(path.name, "is geen gewoon bestand")
        try:
            data = f.read(MAX_TEMPLATE_BYTES + 1)
        except OSError as e:
            raise TemplateProblem(path.name, f"kan niet gelezen worden ({e.strerror or e})") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(path.name, f"is groter dan {MAX_TEMPLATE_BYTES // 2**20} MB; dat is geen gewoon sjabloon")
    return data


_NOT_DOCX = "is geen Word-document (.docx)"
_TOO_MANY = f"bevat meer dan {MAX_MEMBERS} onderdelen; dat is geen gewoon Word-document"


def read_package(template: str, source: bytes) -> list[tuple[str, bytes]]:
    """The parts of a .docx as (name, bytes), in zip order: bounded by the zip directory before
    anything is unpacked, each part read with a bound, no XML part with a DOCTYPE."""
    end = getattr(zipfile, "_EndRecData", None)  # the zip directory's own count, before it is read
    try:
        record = end(io.BytesIO(source)) if end else None
        if record and record[getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)] > MAX_MEMBERS:
            raise TemplateProblem(template, _TOO_MANY)
        archive = zipfile.ZipFile(io.BytesIO(source))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, IndexError):
        raise TemplateProblem(
            template, f"{_NOT_DOCX}: het is geen zip-archief. Sla het in Word op als Word-document (.docx)"
        ) from None
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if len(infos) > MAX_MEMBERS:
            raise TemplateProblem(template, _TOO_MANY)
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise TemplateProblem(
                template, f"is uitgepakt groter dan {MAX_UNPACKED_BYTES // 2**20} MB; dat is geen gewoon Word-document"
            )
        if len(set(names)) != len(names):
            raise TemplateProblem(template, f"{_NOT_DOCX}: onderdelen met dezelfde naam")
        if "word/document.xml" not in names:
            raise TemplateProblem(template, f"{_NOT_DOCX}: word/document.xml ontbreekt")
        entries = []
        for info in infos:
            try:
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)
            except _PASS_THROUGH:
                raise
            except Exception:  # damaged, encrypted, an unknown compression: zipfile raises many kinds
                data = None
            if data is None or len(data) != info.file_size:
                raise TemplateProblem(template, f"{_NOT_DOCX}: {info.filename} is beschadigd")
            if _looks_like_xml(info.filename, data):
                _refuse_doctype(template, info.filename, data)
            entries.append((info.filename, data))
    return entries


# --- the template cache: a hint -------------------------------------------------------------


def cache_dir() -> Path:
    """CONVENANT_CACHE, else $XDG_CACHE_HOME/convenant, else ~/.cache/convenant."""
    if os.environ.get("CONVENANT_CACHE"):
        return Path(os.environ["CONVENANT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "convenant"


def _ours_alone(st: os.stat_result) -> bool:
    """Owned by us and writable by nobody else: then nobody else can have put it there."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _open_cache(create: bool) -> int | None:
    """A descriptor of the cache folder if it is ours alone, else None (no cache)."""
    try:
        folder = cache_dir()
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (OSError, ValueError, RuntimeError):  # no home folder, a NUL in the name, ...
        return None
    try:
        if _ours_alone(os.fstat(fd)):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _read_cached(name: str) -> bytes | None:
    """A cache file's bytes, if the folder and the file are ours alone; never raises."""
    folder = _open_cache(create=False)
    if folder is None:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not (stat.S_ISREG(st.st_mode) and _ours_alone(st)) or st.st_size > MAX_CACHE_BYTES:
                return None
            return f.read(MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(folder)


def _write_cached(name: str, data: bytes) -> None:
    """Write a cache file atomically, readable by us alone; any failure is ignored."""
    folder = _open_cache(create=True)
    if folder is None:
        return
    temporary = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder
        )
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
    finally:
        os.close(folder)


_PREPARED = b"convenant-prepared-2"
_BYTECODE = b"convenant-bytecode-2"


@functools.cache
def _code_key() -> bytes:
    """Everything besides the template that shapes prepared parts and compiled code: our own
    preparation and environment code, the filters (Jinja folds constants when it compiles),
    docxtpl's and python-docx's code, and the versions of Python, Jinja and libxml2."""
    import importlib.util
    import sys

    digest = hashlib.sha256(_PREPARED + _BYTECODE)
    files = [Path(__file__), Path(__file__).with_name("formatting.py")]
    for package, names in (("docxtpl", ("__init__.py", "template.py")), ("docx", ("__init__.py",))):
        spec = importlib.util.find_spec(package)
        origin = Path(spec.origin) if spec and spec.origin else None
        files += [origin.with_name(n) for n in names] if origin else []
    for file in files:
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(os.urandom(16))  # unknown code: a key nobody shares
    digest.update(f"{sys.version}|{jinja2.__version__}|{etree.LXML_VERSION}|{etree.LIBXML_VERSION}".encode())
    return digest.hexdigest().encode()


def _encode_prepared(key: str, prepared: dict[str, Any]) -> bytes:
    import json

    body = json.dumps(prepared, separators=(",", ":")).encode("ascii")
    return b" ".join((_PREPARED, key.encode(), hashlib.sha256(body).hexdigest().encode())) + b"\n" + body


def _read_prepared(key: str, members: set[str]) -> dict[str, Any] | None:
    """The prepared parts for `key` if the entry is whole (digest), of our shape and about
    this template's parts; anything else is ignored."""
    import json

    data = _read_cached(f"{key}.prepared")
    if not data:
        return None
    header, _, body = data.partition(b"\n")
    if header != b" ".join((_PREPARED, key.encode(), hashlib.sha256(body).hexdigest().encode())):
        return None
    try:
        prepared = json.loads(body)
    except ValueError:
        return None
    ok = (
        isinstance(prepared, dict)
        and set(prepared) == {"parts", "prefix", "suffix"}
        and isinstance(prepared["prefix"], str)
        and isinstance(prepared["suffix"], str)
        and isinstance(prepared["parts"], dict)
        and "word/document.xml" in prepared["parts"]
        and all(name in members and isinstance(xml, str) for name, xml in prepared["parts"].items())
    )
    return prepared if ok else None


class _BytecodeCache(BytecodeCache):
    """Jinja's compiled code in our cache folder, in our own format (never pickle), with a digest
    so truncated or garbage files are ignored; read only from a folder and files that are ours
    alone, since the code runs."""

    def _header(self, bucket: Bucket, code: bytes) -> bytes:
        return b" ".join(
            (_BYTECODE, bucket.key.encode(), bucket.checksum.encode(), hashlib.sha256(code).hexdigest().encode())
        )

    def load_bytecode(self, bucket: Bucket) -> None:
        import marshal
        import types

        data = _read_cached(f"{bucket.key}.jinja")
        if not data:
            return
        header, _, code = data.partition(b"\n")
        if header != self._header(bucket, code):
            return
        try:
            loaded = marshal.loads(code)
        except Exception:
            return
        if isinstance(loaded, types.CodeType):
            bucket.code = loaded

    def dump_bytecode(self, bucket: Bucket) -> None:
        import marshal

        try:
            code = marshal.dumps(bucket.code)
        except ValueError:
            return
        _write_cached(f"{bucket.key}.jinja", self._header(bucket, code) + b"\n" + code)


class _PartLoader(BaseLoader):
    def __init__(self) -> None:
        self.sources: dict[str, dict[str, str]] = {}  # template key -> part name -> Jinja source

    def get_source(self, environment: Any, template: str) -> tuple[str, None, Callable[[], bool]]:
        key, _, part = template.partition("/")
        try:
            return self.sources[key][part], None, lambda: True
        except KeyError:
            raise TemplateNotFound(template) from None


@functools.cache
def template_env() -> Sandbox:
    """The sandbox with a loader over the prepared parts and the bytecode cache."""
    env = jinja_env().overlay(bytecode_cache=_BytecodeCache())
    env.loader = _PartLoader()
    return env


# --- prepare once, render many times ------------------------------------------------------

_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_SENTINEL = "convenant-body-sentinel"


def part_label(part: str) -> str:
    """What a reader calls a part of a Word document."""
    if part == "word/document.xml":
        return "hoofdtekst"
    if "header" in part:
        return "koptekst"
    if "footer" in part:
        return "voettekst"
    return f"deel {part}"


class CompiledTemplate:
    """A .docx template parsed, patched and compiled once; rendered many times.

    This is docxtpl's own pipeline (patch_xml, render_xml_part, fix_tables, docPr ids) split in
    a prepare stage and a render stage, writing the rendered parts straight into the template's
    zip instead of round-tripping the whole document through python-docx for every region.
    The prepared parts and Jinja's bytecode are cached on disk (see `_code_key`), so a new
    process needs neither docxtpl's loader nor the compiler for a known template.
    """

    def __init__(self, path: Path):
        self.name = path.name
        self.source = _read_template(path)
        self.digest = hashlib.sha256(self.source).hexdigest()  # recorded in the manifest
        self.entries = read_package(self.name, self.source)
        self.key = hashlib.sha256(self.source + _code_key()).hexdigest()
        prepared = _read_prepared(self.key, {name for name, _ in self.entries})
        if prepared is None:
            prepared = _prepare_checked(self.name, self.source)
            _write_cached(f"{self.key}.prepared", _encode_prepared(self.key, prepared))
        self.sources: dict[str, str] = prepared["parts"]
        self.prefix, self.suffix = prepared["prefix"], prepared["suffix"]
        self.core = dict(self.entries).get("docProps/core.xml")
        loader = template_env().loader
        assert isinstance(loader, _PartLoader)
        loader.sources[self.key] = self.sources
        self.needs_table_fix = any("{%tc" in xml or "{% tc" in xml for xml in self.sources.values())
        self.parts = {name: self._compile(name) for name in self.sources}

    def _compile(self, name: str) -> Any:
        try:
            return template_env().get_template(f"{self.key}/{name}")
        except TemplateError as e:
            raise TemplateProblem(self.name, _template_error(e, self.sources[name])) from None
        except _PASS_THROUGH:
            raise
        except Exception as e:  # e.g. RecursionError on absurdly nested expressions
            raise TemplateProblem(self.name, _failure(e)) from None

    def _fill(self, name: str, template: Any, context: dict[str, Any]) -> str:
        """The part's Jinja output, at most MAX_PART_CHARS long."""
        chunks: list[str] = []
        size = 0
        try:
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_PART_CHARS:
                    raise TemplateProblem(
                        self.name,
                        f"na invullen zou de {part_label(name)} groter worden dan {MAX_PART_CHARS // 2**20} MB; "
                        "het invullen is gestopt om het geheugen te sparen (een lus die te vaak herhaalt?)",
                    )
                chunks.append(chunk)
        except (TemplateProblem, *_PASS_THROUGH):
            raise
        except SecurityError as e:
            raise TemplateProblem(self.name, str(e.message or e)) from None
        except UndefinedError as e:
            raise TemplateProblem(self.name, _undefined_message(str(e.message))) from None
        except TemplateError as e:
            raise TemplateProblem(self.name, _template_error(e, self.sources[name])) from None
        except Exception as e:
            raise TemplateProblem(self.name, _failure(e)) from None
        return "".join(chunks)

    def _parse(self, name: str, xml: str) -> Any:
        """The rendered part parsed strictly: a part that is not well-formed is the template's error."""
        try:
            tree = etree.fromstring(xml, _safe_parser())
        except (etree.XMLSyntaxError, ValueError) as e:
            raise TemplateProblem(self.name, _malformed(name, xml, e, self.sources[name])) from None
        if _has_doctype(tree):
            raise TemplateProblem(self.name, _doctype_message(part_label(name)))
        return tree

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> bytes:
        rendered: dict[str, bytes] = {}
        for name, template in self.parts.items():
            xml = self._fill(name, template, context)
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            if any(c in xml for c in "\n\t\a\f"):  # line, tab, paragraph and page breaks in values
                from docxtpl import DocxTemplate

                xml = DocxTemplate.resolve_listing(None, xml)
            tree = self._parse(name, xml)
            if name == "word/document.xml":
                if self.needs_table_fix:  # docxtpl's column fix, on a body that parsed strictly above
                    from docxtpl import DocxTemplate

                    tree = DocxTemplate.fix_tables(None, xml)
                for n, elt in enumerate(tree.xpath("//wp:docPr", namespaces=_NSMAP), start=1001):
                    elt.attrib["id"] = str(n)
                xml = self.prefix + etree.tostring(tree, encoding="unicode") + self.suffix
            rendered[name] = _DECLARATION + xml.encode("utf-8")
        if self.core is not None:
            rendered["docProps/core.xml"] = _core_properties(self.core, properties, self.name)
        return zip_bytes(((name, rendered.get(name, data)) for name, data in self.entries), self.unchanged)

    @functools.cached_property
    def unchanged(self) -> dict[str, tuple[bytes, bytes]]:
        """The template parts no render changes, with their deflated bytes: deflated once per
        template, not once per document (~90 % of a document's bytes)."""
        changed = {*self.parts, "docProps/core.xml"}
        return {name: (data, deflated(data)) for name, data in self.entries if name not in changed}


def _prepare(source: bytes) -> dict[str, Any]:
    """docxtpl's preparation: the body and every header and footer, with Word's split tags
    repaired (patch_xml), plus the document.xml around the body."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(source))
    tpl.render_init()
    parts = {str(tpl.docx.part.partname).lstrip("/"): tpl.patch_xml(tpl.get_xml())}
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts[str(part.partname).lstrip("/")] = tpl.patch_xml(tpl.get_part_xml(part))
    parts = {name: re.sub(r"<w:p([ >])", r"\n<w:p\1", xml) for name, xml in parts.items()}
    root = tpl.docx._element
    body = root.body
    marker = etree.Element(_SENTINEL)
    root.replace(body, marker)
    prefix, suffix = etree.tostring(root, encoding="unicode").split(f"<{_SENTINEL}/>")
    root.replace(marker, body)
    return {"parts": parts, "prefix": prefix, "suffix": suffix}


def _prepare_checked(template: str, source: bytes) -> dict[str, Any]:
    try:
        prepared = _prepare(source)
    except _PASS_THROUGH:
        raise
    except Exception as e:  # python-docx and docxtpl raise many kinds on a broken package
        raise TemplateProblem(template, f"{_NOT_DOCX}: Word kan het niet lezen ({type(e).__name__})") from None
    if "word/document.xml" not in prepared["parts"]:  # the main part has another name: not what Word writes
        raise TemplateProblem(template, f"{_NOT_DOCX}: het hoofddeel heet niet word/document.xml")
    return prepared


_NSMAP = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
_CORE = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "subject": "{http://purl.org/dc/elements/1.1/}subject",
    "author": "{http://purl.org/dc/elements/1.1/}creator",
    "keywords": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords",
    "category": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category",
    "last_modified_by": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
    "comments": "{http://purl.org/dc/elements/1.1/}description",
}


def _core_properties(core: bytes, properties: dict[str, str], template: str = "sjabloon") -> bytes:
    """The template's core.xml (its dates, so output stays deterministic) with our properties."""
    try:
        root = etree.fromstring(core, _safe_parser())
    except etree.XMLSyntaxError:
        if b"<!DOCTYPE" in core:
            raise TemplateProblem(template, _doctype_message("docProps/core.xml")) from None
        raise TemplateProblem(template, "docProps/core.xml is geen geldige XML") from None
    if _has_doctype(root):
        raise TemplateProblem(template, _doctype_message("docProps/core.xml"))
    for key, tag in _CORE.items():
        el = root.find(tag)
        if el is None:
            el = etree.SubElement(root, tag)
        el.text = properties.get(key, "")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


@functools.cache
def _compiled(path: str, mtime_ns: int, size: int) -> CompiledTemplate:
    return CompiledTemplate(Path(path))


def compiled_template(template: Path) -> CompiledTemplate:
    """Parse and compile each template once per process (a changed file is compiled anew)."""
    try:
        st = template.stat()
    except OSError:
        raise TemplateProblem(template.name, "sjabloon niet gevonden") from None
    if not stat.S_ISREG(st.st_mode):
        raise TemplateProblem(template.name, "is geen gewoon bestand")
    return _compiled(str(template.resolve()), st.st_mtime_ns, st.st_size)


def render_document(template: Path, context: dict[str, Any], properties: dict[str, str]) -> bytes:
    """Render one .docx template; raises TemplateProblem naming the template and the field."""
    return compiled_template(template).render(context, properties)


# --- messages -----------------------------------------------------------------------------


def _template_error(e: Any, source: str) -> str:
    near = ""
    if getattr(e, "lineno", None):
        lines = source.splitlines()[max(e.lineno - 2, 0) : e.lineno + 1]
        text = " ".join(re.sub(r"<[^>]+>", "", line) for line in lines).strip()
        near = f" (bij: {text[:160]})" if text else ""
    return f"Jinja-fout: {e.message}{near}"


def _undefined_message(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    name = m.group(1) if m else message
    return f"het sjabloon gebruikt het veld '{name}', maar dat bestaat niet (zie convenant schema)"


_KNOWN_FAILURES: tuple[tuple[type[BaseException], str, str], ...] = (
    (RecursionError, "", "een macro roept zichzelf eindeloos aan; geef de herhaling een einde"),
    (OverflowError, "Range too big", "range() met meer dan 100.000 stappen mag niet in een sjabloon"),
    (ZeroDivisionError, "", "een deling door nul"),
    (TypeError, "not iterable", "een lus of filter krijgt een enkele waarde waar een lijst hoort"),
)


def _failure(e: BaseException) -> str:
    """A runtime failure inside a template, in Dutch where we know the cause."""
    for kind, marker, dutch in _KNOWN_FAILURES:
        if isinstance(e, kind) and marker in str(e):
            return f"een berekening of filter in het sjabloon mislukt: {dutch}"
    detail = str(e)
    detail = detail if len(detail) <= 120 else detail[:117] + "…"
    return f"een berekening of filter in het sjabloon mislukt ({type(e).__name__}: {detail})"


_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)")
_HEADING = re.compile(r'<w:pStyle w:val="(?:Heading\d|Title|Kop\d)"')


def _place(xml: str, offset: int) -> tuple[str, str]:
    """The text of the last paragraph with text before `offset`, and the heading above it."""
    import html

    paragraphs = re.split(r"<w:p[ >]", xml[:offset])
    near = heading = ""
    for chunk in reversed(paragraphs):
        text = html.unescape("".join(_TEXT.findall(chunk))).strip()
        if text and not near:
            near = text
        if text and _HEADING.search(chunk):
            heading = text
            break
    return near, heading


def _malformed(name: str, xml: str, error: Exception, source: str) -> str:
    offset = len(xml)
    position = getattr(error, "position", None)
    if position and position[0] > 0:
        line, column = position
        lines = xml.split("\n")
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(column - 1, 0)
    near, heading = _place(xml, offset)
    short = near if len(near) <= 80 else near[:77] + "…"
    where = f" bij “{short}”" if short else ""
    if heading and heading != near:
        where += f" (onder de kop “{heading[:80]}”)"
    message = str(getattr(error, "msg", "") or error)
    if "invalid Char" in message or "PCDATA invalid" in message:
        hint = "er staat een teken in dat in Word niet kan (een stuurteken); controleer de gegevens van de regio"
    elif re.search(r"\|\s*safe\b", source):
        hint = (
            "een waarde met |safe bevat waarschijnlijk een teken als & of <, of opmaak die geen Word-XML is; "
            "laat |safe weg"
        )
    else:
        hint = "een {% if %}/{% for %} opent en sluit waarschijnlijk in een andere alinea of tabel"
    return f"na invullen is de {part_label(name)} geen geldige Word-XML{where}: {hint}"
