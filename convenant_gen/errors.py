"""Error tree and findings. Every message a user reads is Dutch and names file, line and field."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["fout", "waarschuwing"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one region file, located as precisely as we can."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = "fout"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        prefix = "waarschuwing: " if self.severity == "waarschuwing" else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {prefix}{field}{self.message}" if where else f"{prefix}{field}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def in_file_order(findings: list[Finding]) -> list[Finding]:
    """Findings as a reader meets them: by file, then line and column (stable for one place)."""
    return sorted(findings, key=lambda f: (f.file, f.line, f.column))


def errors_in(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "fout"]


def warnings_in(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "waarschuwing"]


class ConvenantError(Exception):
    """Root of every error we expect; str() is the Dutch message for the user."""

    def as_findings(self) -> list[Finding]:
        """This error as findings, for counting and reporting with every other problem."""
        return [Finding("", 0, 0, "", str(self))]


class InputError(ConvenantError):
    """A problem in one input file, with all its findings."""

    def __init__(self, path: Path | str, findings: list[Finding]):
        self.path = str(path)
        self.findings = sorted(findings, key=lambda f: (f.line, f.column, f.field))
        super().__init__("\n".join(str(f) for f in self.findings))

    def as_findings(self) -> list[Finding]:
        return list(self.findings)


class YamlSyntaxError(InputError):
    """The file is not readable YAML (or not UTF-8, too big, not a mapping)."""


class RegionInvalid(InputError):
    """The YAML is readable but its content breaks the model or the domain rules."""


class TemplateProblem(ConvenantError):
    """A template cannot be rendered: names the template and, where known, the field."""

    def __init__(self, template: str, message: str):
        self.template, self.message = template, message
        super().__init__(f"sjabloon {template}: {message}")

    def as_findings(self) -> list[Finding]:
        return [Finding(f"sjabloon {self.template}", 0, 0, "", self.message)]


class WriteFailed(ConvenantError):
    """Writing an output file failed; nothing half-written is left behind."""


class UsageProblem(ConvenantError):
    """The command was called wrongly (a path that does not exist, a bad environment variable):
    the CLI's exit code 2."""
