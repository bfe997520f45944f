"""Bulk import of native JSON documents, CSV tables and Excel workbooks (see docs/import.md).

>>> from graphsvc.importing import ImportOptions
>>> ImportOptions().mode
'merge'
"""

from __future__ import annotations

from typing import Any

from .engine import run_import
from .readers import FORMATS, InputFile, detect_format, read_rows, rows_of_document
from .result import MODES, ImportOptions, ImportResult
from .rows import FileProblem, Row
from .tabular import TableLayout

__all__ = ["FORMATS", "MODES", "FileProblem", "ImportOptions", "ImportResult", "InputFile", "Row", "TableLayout",
           "detect_format", "import_document", "import_files", "read_rows", "rows_of_document", "run_import"]


def import_files(service, files: list[InputFile], actor: str, options: ImportOptions | None = None,
                 on_rows=None) -> ImportResult:
    """Import the files together, in one transaction (node tables before relationship tables)."""
    layout = TableLayout(service.vocabulary)
    ordered = sorted(files, key=lambda f: f.section == "relationships")
    return run_import(service, [read_rows(f, layout) for f in ordered], actor, options or ImportOptions(), on_rows)


def import_document(service, document: dict[str, Any], actor: str, source: str = "document",
                    options: ImportOptions | None = None) -> ImportResult:
    """Import a native document already in memory."""
    return run_import(service, [rows_of_document(document, source)], actor, options or ImportOptions())
