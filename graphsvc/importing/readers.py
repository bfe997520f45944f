"""Readers: turn an input file into Rows, streaming, whatever its format.

- native JSON document ``{"nodes": [...], "relationships": [...]}``: parsed incrementally with
  ijson, one pass per section, so a large file is never held in memory;
- a CSV file (a ``nodes`` or a ``relationships`` table: told by its name, else by its header);
- an Excel workbook with sheets ``nodes`` and/or ``relationships`` (other sheets are ignored);
- a ZIP of CSV files, as ``GET /api/v1/export?format=csv`` writes it.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import ijson

from ..spreadsheet_safety import unguard_cell
from .rows import SECTIONS, FileProblem, Row
from .tabular import TableLayout

__all__ = ["FORMATS", "InputFile", "detect_format", "read_rows", "rows_of_document"]

FORMATS = ("json", "csv", "xlsx", "zip")
# What reading a damaged archive raises (a bad checksum, an encrypted part, an unknown method); a workbook
# adds defusedxml's refusals (ValueErrors) and broken XML (a SyntaxError). None may escape as a server error.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class InputFile:
    """A named, seekable binary stream of one input file. ``section`` pins a CSV file's table."""

    name: str
    stream: IO[bytes]
    format: str
    section: str | None = None


def detect_format(name: str, head: bytes) -> str | None:
    """The format of a file from its name's extension, else from its first bytes."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix in ("yaml", "yml"):
        return None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "json"
    if head.startswith(_XLSX_MAGIC):
        return "xlsx" if b"[Content_Types].xml" in head or b"xl/" in head else "zip"
    return "csv" if b"," in head.split(b"\n", 1)[0] else None


def read_rows(source: InputFile, layout: TableLayout) -> Iterator[Row]:
    """Every row of the file; FileProblem when the file as a whole cannot be read."""
    if source.format == "json":
        yield from _json_rows(source)
    elif source.format == "csv":
        yield from _csv_rows(source.stream, source.name, source.section, layout)
    elif source.format == "xlsx":
        yield from _xlsx_rows(source, layout)
    elif source.format == "zip":
        yield from _zip_rows(source, layout)
    else:
        raise FileProblem(source.name, "Unrecognised file: send a .json document, .csv tables, an .xlsx workbook "
                                       "or a .zip of CSV tables.")


def _json_rows(source: InputFile) -> Iterator[Row]:
    for section in SECTIONS:
        source.stream.seek(0)
        number = 0
        try:
            for number, item in enumerate(ijson.items(source.stream, f"{section}.item", use_float=True), 1):
                yield Row(section, item, source.name, section, number)
        except ijson.JSONError as exc:
            raise FileProblem(source.name, f"Not a valid JSON document (after {section} item {number}): {exc}",
                              section, number + 1) from None
        except UnicodeDecodeError:
            raise FileProblem(source.name, "The file is not UTF-8 text.") from None


def _csv_rows(stream: IO[bytes], name: str, section: str | None, layout: TableLayout) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = [str(cell).strip() for cell in next(reader, [])]
        if not any(header):
            raise FileProblem(name, "The CSV file is empty; its first row must name the columns.", None, 1)
        section = section or _section_of(name, header)
        # Exports guard formula-like cells with an apostrophe (graphsvc.spreadsheet_safety): undo it.
        cells = ([unguard_cell(cell) for cell in row] for row in reader)
        yield from _table_rows(layout, section, header, cells, name, section)
    except UnicodeDecodeError:
        raise FileProblem(name, "The CSV file is not UTF-8 text; in Excel, save it as 'CSV UTF-8'.") from None
    except csv.Error as exc:
        raise FileProblem(name, f"Not a readable CSV file: {exc}") from None
    finally:
        text.detach()  # leave the caller's stream open


def _xlsx_rows(source: InputFile, layout: TableLayout) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source.stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(source.name, f"Not a readable Excel workbook (.xlsx): {exc}") from None
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        if not any(section in sheets for section in SECTIONS):
            raise FileProblem(source.name, "The workbook needs a sheet named 'nodes' and/or one named "
                                           "'relationships' (see the template).")
        for section in SECTIONS:
            if section not in sheets:
                continue
            # Not the sheet's declared size: openpyxl would pad every row out to it (inspection caps it).
            sheets[section].reset_dimensions()
            cells = sheets[section].iter_rows(values_only=True)
            header = [str(cell).strip() if cell is not None else "" for cell in next(cells, ())]
            yield from _table_rows(layout, section, header, cells, source.name, sheets[section].title)
    except (*_DAMAGED, ValueError, SyntaxError) as exc:  # inspection has read every part: rare
        raise FileProblem(source.name, f"Not a readable Excel workbook (.xlsx): {exc}") from None
    finally:
        workbook.close()


def _zip_rows(source: InputFile, layout: TableLayout) -> Iterator[Row]:
    try:
        archive = zipfile.ZipFile(source.stream)
    except zipfile.BadZipFile:
        raise FileProblem(source.name, "Not a readable ZIP file.") from None
    with archive:
        tables = {PurePath(info.filename).stem.lower(): info for info in archive.infolist()
                  if info.filename.lower().endswith(".csv") and not info.is_dir()}
        if not any(section in tables for section in SECTIONS):
            raise FileProblem(source.name, "The ZIP file needs nodes.csv and/or relationships.csv.")
        for section in SECTIONS:
            if section in tables:
                name = f"{source.name}/{tables[section].filename}"
                try:
                    with archive.open(tables[section]) as member:
                        yield from _csv_rows(member, name, section, layout)
                except _DAMAGED as exc:
                    raise FileProblem(name, f"This part of the ZIP file cannot be read ({exc}).") from None


def _table_rows(layout: TableLayout, section: str, header: list[str], records, file: str,
                sheet: str) -> Iterator[Row]:
    head = Row(section, None, file, sheet, 1)
    head.problems = layout.header_problems(section, header)
    if head.problems:
        yield head  # the importer reports these against the header row
    for number, cells in enumerate(records, 2):
        given = {column: cell for column, cell in zip(header, cells, strict=False) if not _blank(cell)}
        if len(cells) > len(header) and not all(_blank(cell) for cell in cells[len(header):]):
            row = Row(section, None, file, sheet, number)
            row.problems["_row"] = f"This row has {len(cells)} cells but the header names {len(header)} columns."
            yield row
        elif given:  # blank rows are allowed anywhere
            yield layout.row(section, given, file, sheet, number)


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (isinstance(cell, str) and not cell.strip())


def _section_of(name: str, header: list[str]) -> str:
    stem = PurePath(name).stem.lower()
    for section in SECTIONS:
        if section in stem:
            return section
    return "relationships" if {"from", "to"} <= set(header) else "nodes"


def rows_of_document(document: dict[str, Any], file: str) -> Iterator[Row]:
    """Rows of a native document already in memory (the shipped seed files)."""
    for section in SECTIONS:
        for number, item in enumerate(document.get(section) or [], 1):
            yield Row(section, item, file, section, number)
