"""Bulk import of native JSON documents, CSV tables and Excel workbooks (see docs/import.md).

>>> from graphsvc.importing import ImportOptions
>>> ImportOptions().mode
'merge'
"""

from __future__ import annotations

from typing import Any

from .engine import run_import
from .inspection import inspect_file
from .limits import ImportLimits, TooLarge
from .readers import FORMATS, InputFile, detect_format, read_rows, rows_of_document
from .result import MODES, ImportOptions, ImportResult
from .rows import FileProblem, Row
from .tabular import TableLayout

__all__ = ["FORMATS", "MODES", "FileProblem", "ImportLimits", "ImportOptions", "ImportResult", "InputFile", "Row",
           "TableLayout", "TooLarge", "detect_format", "import_document", "import_files", "inspect_file", "read_rows",
           "rows_of_document", "run_import"]


def import_files(service, files: list[InputFile], actor: str, options: ImportOptions | None = None,
                 on_rows=None) -> ImportResult:
    """Import the files together, in one transaction (node tables before relationship tables), once
    every file has passed inspection: a file refused there never reaches the store."""
    options = options or ImportOptions()
    refused = _refused(files, options)
    if refused.error_count:
        return refused
    layout = TableLayout(service.vocabulary)
    ordered = sorted(files, key=lambda f: f.section == "relationships")
    return run_import(service, [read_rows(f, layout) for f in ordered], actor, options, on_rows)


def import_document(service, document: dict[str, Any], actor: str, source: str = "document",
                    options: ImportOptions | None = None) -> ImportResult:
    """Import a native document already in memory."""
    return run_import(service, [rows_of_document(document, source)], actor, options or ImportOptions())


def _refused(files: list[InputFile], options: ImportOptions) -> ImportResult:
    """The problems inspection finds with the files (none: an empty result)."""
    result = ImportResult(dry_run=options.dry_run)
    for source in files:
        try:
            inspect_file(source, options.limits)
        except FileProblem as exc:
            result.errors.append(exc.as_problem())
            result.error_count += 1
            result.too_large |= exc.status == 413
    return result
