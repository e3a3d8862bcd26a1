"""What reaches a terminal: text from region files, file names and templates is data, never
terminal control. Every control, escape and direction-changing character in such text is
shown as a visible escape (\\x1b, \\u202e) before it is printed; newlines and tabs remain.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and Unicode's invisible direction and
# format controls (a right-to-left override makes "exe.txt" look like "txt.exe").
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """`text` with every unsafe character shown as an escape."""
    return _UNSAFE.sub(_escape, text)


def clean_json(text: str) -> str:
    """JSON text with the characters json.dumps leaves raw (C1, direction controls) escaped;
    still valid JSON with the same value."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def markup_safe(text: str) -> str:
    """`text` cleaned and with rich markup ([bold], [link=…]) escaped, for rich tables."""
    from rich.markup import escape

    return escape(clean(text))
