"""Inspecting an input file before the import starts: is it well formed, and within the limits?

The importer holds the store's write lock for the whole import, so nothing slow or unbounded may
happen inside it. Every file is read here first, cheaply and in bounded memory: a JSON document is
parsed (no values built) to measure its depth; a CSV file's lines are measured; a ZIP or workbook's
directory is checked (members, sizes, compression ratio, encryption, method), every part is read
through once so a bad checksum shows now, and the workbook's XML is parsed (no DTD, so no entities)
for the sheets' declared and used size and the number of shared strings.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO
from xml.parsers import expat

import ijson

from .limits import RATIO_FLOOR, ImportLimits, TooLarge
from .readers import InputFile
from .rows import FileProblem

__all__ = ["inspect_file"]

_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")  # a cell reference: XFD1048576
_CHUNK = 1024 * 1024
_MAX_XML_DEPTH = 64  # a sheet's XML is about eight levels deep


class _Dtd(Exception):
    """A DTD in a workbook part. openpyxl parses through defusedxml, which refuses entities; inspection
    refuses any DTD at all, since no spreadsheet needs one."""


def inspect_file(source: InputFile, limits: ImportLimits) -> None:
    """Raise FileProblem (malformed, 422) or TooLarge (413) if the file must not be imported; leave the
    stream at its start either way."""
    try:
        if source.format == "json":
            _inspect_json(source.stream, source.name, limits)
        elif source.format == "csv":
            _inspect_csv(source.stream, source.name, limits)
        elif source.format in ("zip", "xlsx"):
            _inspect_archive(source, limits)
    finally:
        source.stream.seek(0)


# -- JSON ------------------------------------------------------------------------------------------

def _inspect_json(stream: IO[bytes], name: str, limits: ImportLimits) -> None:
    _refuse_lone_surrogates(stream, name)
    stream.seek(0)
    depth, section, item = 0, None, 0
    try:
        for event, value in ijson.basic_parse(stream):
            if event == "map_key" and depth == 1:
                section, item = value, 0
            elif event in ("start_map", "start_array"):
                depth += 1
                item += depth == 3
                if depth > limits.max_json_depth:
                    raise FileProblem(name, f"The JSON document is nested more than {limits.max_json_depth} levels "
                                            "deep; a node or relationship is an object of plain values (text, "
                                            "numbers, dates), not of further objects or lists.",
                                      section, item or None)
            elif event in ("end_map", "end_array"):
                depth -= 1
    except ijson.JSONError as exc:
        raise FileProblem(name, f"Not a valid JSON document: {exc}", section, item or None) from None
    except UnicodeDecodeError:
        raise FileProblem(name, "The file is not UTF-8 text.") from None


# A \uD800-\uDFFF escape is half of a pair: high (D800-DBFF) then low (DC00-DFFF). Either half
# alone is not text and no store can hold it as UTF-8; the JSON parser would quietly turn it into
# "?", so it is refused before parsing. Such escapes are rare (emoji in ASCII-only JSON), so the
# scan looks for any of them at C speed and judges each one found in Python.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_CONTEXT = 64  # bytes carried from one chunk to the next: a pair split across them is judged whole


def _refuse_lone_surrogates(stream: IO[bytes], name: str) -> None:
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        window = carry + chunk
        # Near the end of a chunk the escape's partner may not be read yet: judge it next time.
        last = len(window) if not chunk else len(window) - 12
        for match in _SURROGATE_ESCAPE.finditer(window):
            if match.start() < last and _is_lone(window, match.start()):
                raise FileProblem(name, "The document holds a lone surrogate (a \\uD800-\\uDFFF escape without "
                                        "its pair): that is not text, and cannot be stored.")
        if not chunk:
            return
        carry = window[-_CONTEXT:]


def _is_lone(window: bytes, at: int) -> bool:
    backslashes = len(window[:at]) - len(window[:at].rstrip(b"\\"))
    if backslashes % 2:
        return False  # "\\ud800": an escaped backslash, then plain text
    high = window[at + 3] in b"89abAB"
    if high:
        return _LOW_ESCAPE.match(window, at + 6) is None
    before = window[max(at - 6, 0):at]
    return not (_SURROGATE_ESCAPE.fullmatch(before) and before[3] in b"89abAB")


# -- CSV -------------------------------------------------------------------------------------------

def _inspect_csv(stream: IO[bytes], name: str, limits: ImportLimits) -> None:
    """Every line within the line limit, and a header within the column limit."""
    number = 0
    while line := stream.readline(limits.max_line_bytes + 1):
        number += 1
        if len(line) > limits.max_line_bytes:
            raise TooLarge(name, f"Line {number} is longer than {_size(limits.max_line_bytes)}, the most one "
                                 "row of a CSV table may hold.", None, number)
        if number == 1 and line.count(b",") + 1 > limits.max_columns:
            raise TooLarge(name, f"The header names more than {limits.max_columns:,} columns, the most a table "
                                 "may have.", None, 1)


# -- ZIP and Excel workbooks -------------------------------------------------------------------------

def _inspect_archive(source: InputFile, limits: ImportLimits) -> None:
    kind = "Excel workbook (.xlsx)" if source.format == "xlsx" else "ZIP file"
    try:
        archive = zipfile.ZipFile(source.stream)
    except _BROKEN:
        raise FileProblem(source.name, f"Not a readable {kind}.") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        _check_directory(source.name, kind, members, limits)
        for info in members:
            where = f"{source.name}/{info.filename}"
            with _reading(where, kind), archive.open(info) as member:
                if source.format == "zip" and info.filename.lower().endswith(".csv"):
                    _inspect_csv(member, where, limits)
                elif source.format == "xlsx" and _looks_like_xml(member):
                    _inspect_xml(member, where, limits)
                _drain(member)  # the checksum is verified when a part has been read to its end


def _check_directory(name: str, kind: str, members: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    """What the archive's directory declares, checked before anything is unpacked (zipfile never
    unpacks more than the declared size: a part that lies about it fails its checksum)."""
    if len(members) > limits.max_archive_members:
        raise TooLarge(name, f"The {kind} holds {len(members):,} files; the limit is {limits.max_archive_members:,}.")
    total = 0
    for info in members:
        where = f"{name}/{info.filename}"
        if info.flag_bits & 0x1:
            raise FileProblem(where, f"The {kind} is encrypted (password-protected); save it without a password.")
        if info.compress_type not in _METHODS:
            raise FileProblem(where, f"The {kind} uses a compression method ({info.compress_type}) that cannot be "
                                     "read; save it again with ordinary (deflate) compression.")
        if info.file_size > limits.max_member_bytes:
            raise TooLarge(where, f"This part unpacks to {_size(info.file_size)}; the limit for one part is "
                                  f"{_size(limits.max_member_bytes)}.")
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise TooLarge(where, f"This part unpacks to {ratio:,} times its packed size; ordinary files pack at "
                                  f"most {limits.max_compression_ratio} times, so it is refused as a ZIP bomb.")
        total += info.file_size
    if total > limits.max_unpacked_bytes:
        raise TooLarge(name, f"The {kind} unpacks to {_size(total)}; the limit is {_size(limits.max_unpacked_bytes)}.")


@contextmanager
def _reading(where: str, kind: str) -> Iterator[None]:
    try:
        yield
    except FileProblem:
        raise
    except _Dtd:
        raise FileProblem(where, "This part of the workbook declares a DTD or XML entities, which a spreadsheet "
                                 "never needs and which can attack the server; save the workbook again from "
                                 "Excel.") from None
    except expat.ExpatError as exc:
        raise FileProblem(where, f"This part of the workbook is not well-formed XML: {exc}") from None
    except _BROKEN as exc:
        raise FileProblem(where, f"This part of the {kind} is damaged and cannot be read ({exc}).") from None


def _looks_like_xml(member: IO[bytes]) -> bool:
    head = member.peek(64)[:64] if hasattr(member, "peek") else b""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _inspect_xml(member: IO[bytes], where: str, limits: ImportLimits) -> None:
    """Parse one XML part: refuse any DTD (so no entity can be declared); for a sheet check its declared
    and used size, for the shared strings their number. Plain expat with a handler per element,
    building nothing: several times quicker than an ElementTree parse, and memory stays flat."""
    depth = row = cells = strings = 0
    columns: dict[str, int] = {}  # column letters seen → column number (a sheet uses few)

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, row, cells, strings
        depth += 1
        tag = name.rpartition(":")[2]
        if tag == "c":  # by far the commonest, with its value elements
            cells += 1
            if cells > limits.max_columns:
                raise TooLarge(where, f"Row {row:,} of this sheet has more than {limits.max_columns:,} cells; "
                                      "that is the limit.")
            letters = attributes.get("r", "").rstrip("0123456789")
            if letters not in columns:
                columns[letters] = _column(letters)
                _check_extent(where, 0, columns[letters], limits, "uses")
        elif depth > _MAX_XML_DEPTH:
            raise FileProblem(where, f"This part of the workbook is nested more than {_MAX_XML_DEPTH} levels deep; "
                                     "a spreadsheet never is.")
        elif tag == "row":
            ref = attributes.get("r", "")
            row, cells = int(ref) if ref.isdigit() else row + 1, 0
            _check_extent(where, row, 0, limits, "uses")
        elif tag == "si":
            strings += 1
            _check_strings(where, strings, limits)
        elif tag == "dimension":
            corner = _CELL.match(attributes.get("ref", "").rpartition(":")[2])
            if corner:
                _check_extent(where, int(corner.group(2)), _column(corner.group(1)), limits, "declares")
        elif tag == "sst":
            declared = attributes.get("uniqueCount", "")
            _check_strings(where, int(declared) if declared.isdigit() else 0, limits)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def refuse(*_args) -> None:
        raise _Dtd

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = parser.ExternalEntityRefHandler = refuse
    while chunk := member.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _column(letters: str) -> int:
    """The number of a column: A is 1, Z 26, AA 27, XFD 16,384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _check_extent(where: str, rows: int, columns: int, limits: ImportLimits, verb: str) -> None:
    if rows > limits.max_sheet_rows:
        raise TooLarge(where, f"This sheet {verb} {rows:,} rows; the limit is {limits.max_sheet_rows:,}.")
    if columns > limits.max_columns:
        raise TooLarge(where, f"This sheet {verb} {columns:,} columns; the limit is {limits.max_columns:,}.")


def _check_strings(where: str, count: int, limits: ImportLimits) -> None:
    if count > limits.max_shared_strings:
        raise TooLarge(where, f"The workbook holds {count:,} distinct texts (shared strings); the limit is "
                              f"{limits.max_shared_strings:,}.")


def _drain(member: IO[bytes]) -> None:
    while member.read(_CHUNK):
        pass


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):,.0f} MiB" if count >= 1024 * 1024 else f"{count:,} bytes"

