"""What every printable pack shares (the board pack, a framework's evidence pack): the templates that
render its A4 page, the workbook it downloads as, and whether it holds example records.

>>> contains_examples({"items": [{"id": "a"}, {"id": "b", "example": True}]}), contains_examples([{"id": "a"}])
(True, False)
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from jinja2 import Environment, PackageLoader, select_autoescape

from ..spreadsheet_safety import guard_cell, xml_safe_text

__all__ = ["EXAMPLE_WORDS", "contains_examples", "render", "workbook"]

EXAMPLE_WORDS = "example (fictional)"

_ENVIRONMENT: list[Environment] = []


def render(template: str, **context) -> str:
    """A standalone print-ready document from graphsvc/templates/ (autoescaped; no scripts, no external files)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.append(Environment(loader=PackageLoader("graphsvc", "templates"),
                                        autoescape=select_autoescape(default=True)))
    return _ENVIRONMENT[0].get_template(template).render(**context)


def workbook(sheets: Iterable[tuple[str, list, Iterable[list]]]) -> bytes:
    """A workbook of ``(title, header, rows)`` sheets: header row frozen, every cell formula-safe (a name
    typed as ``=HYPERLINK(...)`` stays text) and free of characters XML cannot hold."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def contains_examples(value) -> bool:
    """Whether any record in a pack (nested dicts and lists) is marked as example data."""
    if isinstance(value, dict):
        return value.get("example") is True or any(contains_examples(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_examples(item) for item in value)
    return False


def _cell(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return guard_cell(xml_safe_text(str(value)))
