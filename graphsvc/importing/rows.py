"""What readers hand the importer: rows with their place in the input, and problems with theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SECTIONS", "FileProblem", "Row", "problem"]

SECTIONS = ("nodes", "relationships")


@dataclass
class Row:
    """One node or relationship record as read, before any checking.

    ``sheet`` is the Excel sheet, or the section (``nodes``/``relationships``) of a JSON document or
    of a CSV file; ``number`` is the 1-based item of a JSON array or the spreadsheet row number
    (the header being row 1). ``links`` holds the convenience columns' names (column → names) and
    ``problems`` the cells a reader could not turn into values (column → message).
    """

    section: str
    data: Any
    file: str
    sheet: str
    number: int
    links: dict[str, list[str]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


class FileProblem(Exception):
    """A whole file cannot be read (not JSON, not a workbook, no header...): HTTP 422."""

    status = 422

    def __init__(self, file: str, message: str, sheet: str | None = None, number: int | None = None):
        super().__init__(message)
        self.file, self.message, self.sheet, self.number = file, message, sheet, number

    def as_problem(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.number, "column": None, "message": self.message}


def problem(row: Row, column: str | None, message: str) -> dict[str, Any]:
    """An import error as reported: where (file, sheet, row, column) and what."""
    return {"file": row.file, "sheet": row.sheet, "row": row.number, "column": column, "message": message}
