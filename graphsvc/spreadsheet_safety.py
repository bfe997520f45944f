"""Text that is safe to hand to a spreadsheet or an XML file.

Spreadsheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: names and titles come from users, so a CSV export could carry a
formula that runs when a colleague opens it ("CSV injection"). :func:`guard_cell` prefixes such a
cell with an apostrophe, which spreadsheets show as text; :func:`unguard_cell` undoes it on import,
so an export imports back unchanged. The guard is reversible for every value: a value that
already begins with apostrophes before a formula character gets one more.

XML 1.0 (GraphML, GEXF, the parts of an .xlsx file) cannot hold most control characters, lone
surrogates or U+FFFE/U+FFFF at all. :func:`xml_safe_text` replaces them with U+FFFD, so data stored
before the API refused them still exports as a well-formed file.

>>> guard_cell("=1+2"), unguard_cell(guard_cell("=1+2")), guard_cell("Plain")
("'=1+2", '=1+2', 'Plain')
>>> xml_safe_text("a\\x00b") == "a\\ufffdb"
True
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["INVALID_XML_CHARACTER", "REPLACEMENT", "first_invalid_character", "guard_cell", "is_formula_like",
           "unguard_cell", "xml_safe", "xml_safe_text"]

FORMULA_START = "=+-@\t\r"
REPLACEMENT = "\ufffd"
# Everything outside XML 1.0's Char production: C0 controls but tab, newline and carriage return,
# lone surrogates, and the non-characters U+FFFE and U+FFFF.
INVALID_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_GUARDED = re.compile(r"'+[" + re.escape(FORMULA_START) + "]")


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would run as a formula."""
    return isinstance(value, str) and value[:1] in tuple(FORMULA_START)


def guard_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text (or a guarded-looking one) gets a leading apostrophe."""
    if is_formula_like(value) or (isinstance(value, str) and _GUARDED.match(value)):
        return "'" + value
    return value


def unguard_cell(value: Any) -> Any:
    """The inverse of :func:`guard_cell`, for cells read back from a CSV file."""
    if isinstance(value, str) and _GUARDED.match(value):
        return value[1:]
    return value


def first_invalid_character(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character XML 1.0 text cannot hold, or None."""
    found = INVALID_XML_CHARACTER.search(text)
    return (found.start(), found.group()) if found else None


def xml_safe_text(text: str) -> str:
    """The text with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return INVALID_XML_CHARACTER.sub(REPLACEMENT, text)


def xml_safe(value: Any) -> Any:
    """:func:`xml_safe_text` applied to every string inside a JSON-like value (keys too)."""
    if isinstance(value, str):
        return xml_safe_text(value)
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    if isinstance(value, dict):
        return {xml_safe(key): xml_safe(item) for key, item in value.items()}
    return value
