"""Measurement tables: an indicator's series as a CSV or Excel table, exported and imported back.

One row per value, columns ``indicator`` (id, or an indicator's exact name on import), ``period``,
``date``, ``value``, ``source``, ``people``, ``population`` and ``place`` (id or exact name; both
blank for the whole population) and ``note``. The export writes ids, so it imports back unchanged.
A program may send the rows as JSON instead, ``{"rows": [{column: value}, ...]}``.

An import is all or nothing. The file is inspected first by the main importer's checks (size, lines,
archive bombs, DTDs: graphsvc.importing.inspection), read in full within a row limit, then every row
is checked inside one transaction by :func:`graphsvc.measurements.check_measurement` (the rules of a
recorded value: the vocabulary's types, the small-numbers minimum, ``small-cells``, no future date),
and only when every row passes is each written by :func:`graphsvc.measurements.write_measurement`.
A row the indicator already holds exactly (same period, date, breakdown and values) is counted as
unchanged, so importing an export twice adds nothing; one that differs only in its values is refused,
so a series never holds two values for one period. Formula cells in a workbook are refused, and
formula-like text is guarded on export (graphsvc.spreadsheet_safety).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from .errors import DomainError, Invalid
from .importing import ImportLimits, ImportResult, InputFile, TooLarge, inspect_file
from .importing.rows import FileProblem
from .importing.tabular import cell_value
from .measurements import INDICATOR, MEASUREMENT, check_measurement, write_measurement
from .rules import is_example
from .service import GraphService
from .spreadsheet_safety import guard_cell, unguard_cell, xml_safe_text
from .vocabulary import EXAMPLE_PROPERTY

__all__ = ["COLUMNS", "MAX_ROWS", "TABLE_FORMATS", "export_table", "import_table", "table_rows"]

COLUMNS = ("indicator", "period", "date", "value", "source", "people", "population", "place", "note")
REQUIRED = ("indicator", "period", "date", "value")
VALUE_COLUMNS = ("period", "date", "value", "source", "people", "note")  # the Measurement's own properties
PARTS = {"population": "Population", "place": "Place"}
TABLE_FORMATS = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SHEET = "measurements"
MAX_ROWS = 20_000  # far beyond any system's returns; bounds the checks made while the store is locked
MAX_ERRORS = 1_000


# -- export -------------------------------------------------------------------------------------

def table_rows(service: GraphService, indicator: str | None = None, examples: bool = True) -> list[dict[str, Any]]:
    """The table's rows: every measurement (of one indicator, if given), by indicator then date."""
    from .analysis.indicators import measurements

    graph = service.graph(examples=examples)
    wanted = [indicator] if indicator else sorted(n for n, d in graph.nodes(data=True) if d.get("type") == INDICATOR)
    rows = []
    for node in wanted:
        if node not in graph:
            continue  # an example indicator asked for with examples=false
        for point in measurements(graph, node):
            parts = {part["type"]: part["id"] for part in point["breakdown"]}
            rows.append({"indicator": node, **{name: point.get(name) for name in VALUE_COLUMNS},
                         "population": parts.get("Population"), "place": parts.get("Place")})
    return rows


def export_table(service: GraphService, fmt: str, indicator: str | None = None,
                 examples: bool = True) -> tuple[bytes, str]:
    """The table as a file (``csv`` or ``xlsx``) and its name."""
    rows = table_rows(service, indicator, examples)
    cells = [[_safe(row[name]) for name in COLUMNS] for row in rows]
    name = f"measurements-{indicator or 'all'}-{dt.datetime.now(dt.UTC).date().isoformat()}.{fmt}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(SHEET)
        sheet.append(list(COLUMNS))
        for row in cells:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), name
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(["" if cell is None else cell for cell in row] for row in cells)
    return text.getvalue().encode("utf-8"), name


def _safe(value: Any) -> Any:
    # Text comes from users: a spreadsheet must not run it as a formula, and XML cannot hold every character.
    return guard_cell(xml_safe_text(value)) if isinstance(value, str) else value


# -- import -------------------------------------------------------------------------------------

def import_table(service: GraphService, source: InputFile, actor: str, dry_run: bool = False,
                 limits: ImportLimits | None = None, today: dt.date | None = None) -> ImportResult:
    """Check every row, then (unless ``dry_run`` or any row fails) write them all in one transaction."""
    result = ImportResult(dry_run=dry_run)
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        inspect_file(source, limits or ImportLimits())
        rows = _read(source)
    except FileProblem as exc:
        return _refused(result, exc.as_problem(), exc.status == 413)
    if isinstance(rows, dict):
        return _refused(result, rows)
    result.rows = len(rows)
    names = _names(service)
    try:
        with service.store.transaction(actor) as tx:
            checked = _check_all(service, tx, rows, names, today, source.name, result)
            if result.error_count or dry_run:
                return result
            for indicator_id, clean, breakdown in checked:
                write_measurement(service, tx, tx.get_node(indicator_id), clean, breakdown)
            result.applied = True
    except DomainError as exc:  # a rule only the write could see: nothing was committed
        failed = ImportResult(dry_run=dry_run, rows=len(rows))
        return _refused(failed, {**_where(source.name, None), "message": exc.message})
    return result


def _check_all(service, tx, rows, names, today, file, result) -> list[tuple[str, dict, list]]:
    """Each row checked as a recorded value is; the ones to write, with every problem in ``result``."""
    checked, seen, held = [], {}, {}
    for number, cells in rows:
        body, unreadable = _values(service, cells)
        for column, message in unreadable.items():
            _add(result, file, number, column, message)
        try:
            indicator = _resolve(tx, names, "indicator", cells.get("indicator"), INDICATOR)
            parts = [_resolve(tx, names, column, cells[column], kind).id
                     for column, kind in PARTS.items() if cells.get(column) is not None]
            clean, breakdown = check_measurement(service, tx, indicator, {**body, "breakdown": parts}, today)
        except _Located as exc:
            _add(result, file, number, exc.column, exc.message)
            continue
        except Invalid as exc:
            for field, messages in exc.errors.items():
                column = _column(field, cells)
                if column in unreadable:
                    continue  # already said why: the cell could not be read
                for message in messages if isinstance(messages, list) else [messages]:
                    _add(result, file, number, column, str(message))
            continue
        if unreadable:
            continue
        key = (indicator.id, clean["period"], clean["date"], tuple(sorted(part.id for part in breakdown)))
        if key in seen:
            _add(result, file, number, "period", f"Row {seen[key]} already gives this indicator's value for this "
                                                 "period, date and breakdown: keep one of the two rows.")
            continue
        seen[key] = number
        if indicator.id not in held:
            held[indicator.id] = _stored(service, indicator.id)
        stored = held[indicator.id].get(key[1:])
        wanted = {**clean, EXAMPLE_PROPERTY: True} if is_example(indicator) else clean
        if stored is None:
            checked.append((indicator.id, clean, breakdown))
            result.created += 1
        elif {k: v for k, v in stored.items() if k in COLUMNS or k == EXAMPLE_PROPERTY} == wanted:
            result.unchanged += 1
        else:
            _add(result, file, number, "value", f"'{indicator.properties.get('name')}' already has a different value "
                                                f"for this period and breakdown ({stored['id']}): correct that "
                                                "record instead of importing a second one.")
    return checked


def _stored(service: GraphService, indicator_id: str) -> dict[tuple, dict]:
    """The measurements the indicator holds, by (period, date, breakdown ids)."""
    from .analysis.indicators import measurements

    return {(point.get("period"), point.get("date"), tuple(part["id"] for part in point["breakdown"])):
            {k: v for k, v in point.items() if k not in ("type", "breakdown", "updated_at")}
            for point in measurements(service.graph(), indicator_id)}


def _values(service: GraphService, cells: dict) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's Measurement properties as the main importer reads cells ('64' and 64.0 are 64, a
    number in a text column its text), and the cells it cannot read."""
    properties = service.node_type(MEASUREMENT).properties
    body, unreadable = {}, {}
    for name in VALUE_COLUMNS:
        if cells.get(name) is not None:
            try:
                body[name] = cell_value(properties[name], cells[name])
            except ValueError as exc:
                unreadable[name] = str(exc)
    return body, unreadable


class _Located(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _names(service: GraphService) -> dict[str, dict[str, list[str]]]:
    """Indicators, populations and places by exact name: the ids each name is given to."""
    found: dict[str, dict[str, list[str]]] = {INDICATOR: {}, "Population": {}, "Place": {}}
    for node, data in service.graph().nodes(data=True):
        if data.get("type") in found and isinstance(data.get("name"), str):
            found[data["type"]].setdefault(data["name"].strip(), []).append(node)
    return found


def _resolve(reader, names, column: str, given: Any, kind: str):
    """The record a cell names, by id or exact name; a located problem otherwise."""
    text = str(given or "").strip()
    if not text:
        raise _Located(column, f"Give the {column}'s id or exact name.")
    node = reader.get_node(text)
    if node is None or node.type != kind:
        ids = names[kind].get(text, [])
        if len(ids) > 1:
            raise _Located(column, f"{len(ids)} records of type {kind} are named '{text}': give the id "
                                   f"({', '.join(sorted(ids))}).")
        node = reader.get_node(ids[0]) if ids else None
    if node is None or node.type != kind:
        raise _Located(column, f"No {kind} has the id or name '{text}'.")
    return node


def _column(field: str, cells: dict) -> str | None:
    if field == "breakdown":
        return "population" if cells.get("population") is not None else "place"
    return field if field in COLUMNS else None


def _read(source: InputFile) -> list[tuple[int, dict[str, Any]]] | dict:
    """(row number, {column: cell}) for each non-blank row, the header being row 1; or the problem
    with the file as a whole (a dict, located)."""
    if source.format == "csv":
        text = io.TextIOWrapper(source.stream, encoding="utf-8-sig", newline="")
        try:
            records = [[unguard_cell(cell) for cell in row] for row in _bounded(csv.reader(text), source.name)]
        except UnicodeDecodeError:
            raise FileProblem(source.name, "The CSV file is not UTF-8 text; in Excel, save it as 'CSV UTF-8'.") \
                from None
        except csv.Error as exc:
            raise FileProblem(source.name, f"Not a readable CSV file: {exc}") from None
        finally:
            text.detach()
    elif source.format == "xlsx":
        records = _sheet(source)
    elif source.format == "json":
        records = _json_records(source)
    else:
        raise FileProblem(source.name, "Send the measurement table as a .csv file or an .xlsx workbook.")
    if not records:
        raise FileProblem(source.name, "The table is empty; its first row must name the columns.", None, 1)
    header = [str(cell or "").strip().lower() for cell in records[0]]
    problem = _header_problem(header)
    if problem:
        return {**_where(source.name, 1), "column": problem[0], "message": problem[1]}
    rows = []
    first = 1 if source.format == "json" else 2  # a JSON row is numbered as its item, a sheet's under its header
    for number, record in enumerate(records[1:], first):
        cells = {name: _cell(value) for name, value in zip(header, record, strict=False) if name}
        if len(record) > len(header) and any(_cell(value) is not None for value in record[len(header):]):
            return {**_where(source.name, number), "message": f"This row has more cells than the header's "
                                                              f"{len(header)} columns."}
        if any(value is not None for value in cells.values()):
            rows.append((number, {k: v for k, v in cells.items() if v is not None}))
    return rows


def _sheet(source: InputFile) -> list[list[Any]]:
    """The workbook's ``measurements`` sheet (or its only sheet); a formula cell is refused, not run."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(source.stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file: each is the sender's problem
        raise FileProblem(source.name, f"Not a readable Excel workbook (.xlsx): {type(exc).__name__}.") from None
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
        sheet = sheets.get(SHEET) or (book.worksheets[0] if len(book.worksheets) == 1 else None)
        if sheet is None:
            raise FileProblem(source.name, f"The workbook needs a sheet named '{SHEET}'.")
        sheet.reset_dimensions()
        records = []
        for number, row in enumerate(_bounded(sheet.iter_rows(), source.name), 1):
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileProblem(source.name, f"Cell {cell.coordinate} holds a formula; formulas are not "
                                                   "imported: type the value itself.", sheet.title, number)
            records.append([unguard_cell(cell.value) for cell in row])
        return records
    finally:
        book.close()


def _json_records(source: InputFile) -> list[list[Any]]:
    """``{"rows": [{column: value}, ...]}``, as a program sends a table: read as a header and its rows."""
    try:
        document = json.load(io.TextIOWrapper(source.stream, encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileProblem(source.name, f"Not a valid JSON document: {exc}") from None
    items = document.get("rows") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FileProblem(source.name, 'Send the rows as {"rows": [{"indicator": ..., "period": ..., ...}]}.')
    header = list(dict.fromkeys([*COLUMNS, *(str(key) for item in items for key in item)]))
    return [header, *([item.get(name) for name in header] for item in _bounded(items, source.name))]


def _bounded(records, name: str):
    for count, record in enumerate(records):
        if count > MAX_ROWS:
            raise TooLarge(name, f"The table has more than {MAX_ROWS:,} rows; split it into smaller files.")
        yield record


def _header_problem(header: list[str]) -> tuple[str | None, str] | None:
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        return unknown[0], f"Unknown column '{unknown[0]}'. The columns are: {', '.join(COLUMNS)}."
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return missing[0], f"The header must name the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}."
    twice = sorted({name for name in header if name and header.count(name) > 1})
    return (twice[0], f"The column '{twice[0]}' is named twice.") if twice else None


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _where(file: str, row: int | None) -> dict[str, Any]:
    return {"file": file, "sheet": None, "row": row, "column": None}


def _add(result: ImportResult, file: str, row: int, column: str | None, message: str) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_ERRORS:
        result.errors.append({**_where(file, row), "column": column, "message": message})


def _refused(result: ImportResult, problem: dict, too_large: bool = False) -> ImportResult:
    result.errors.append({**_where(None, None), **problem})
    result.error_count += 1
    result.too_large = too_large
    return result
