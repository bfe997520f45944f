"""Import templates: an Excel workbook and CSV header rows with every column the vocabulary allows.

The workbook's ``nodes`` and ``relationships`` sheets are empty tables ready to fill (the ``type``
columns offer the vocabulary's types in a drop-down); its ``guide`` sheet lists, per type, each
column, whether it is required, and the values or format it takes.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from ..vocabulary import Vocabulary
from .tabular import LINK_SEPARATOR, TableLayout

__all__ = ["guide_rows", "template_csv", "template_xlsx"]

_FORMATS = {"date": "date: YYYY-MM-DD or an Excel date",
            "partial_date": "date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD",
            "number": "number", "integer": "whole number",
            "boolean": "true or false", "email": "e-mail address", "url": "web address (http or https)",
            "string": "text", "text": "text (may be long)"}
GUIDE_HEADER = ("table", "type", "column", "required", "takes", "description")


def template_csv(vocabulary: Vocabulary, table: str) -> str:
    """The header row of the ``nodes`` or ``relationships`` CSV table (UTF-8 with a byte-order mark,
    so that Excel opens it as UTF-8)."""
    text = io.StringIO(newline="")
    csv.writer(text).writerow(TableLayout(vocabulary).columns(table))
    return "\ufeff" + text.getvalue()


def guide_rows(vocabulary: Vocabulary) -> list[tuple[str, str, str, str, str, str]]:
    """One row per (table, type, column): what the column takes."""
    rows = []
    for node_type in vocabulary.node_types.values():
        rows.append(("nodes", node_type.name, "id", "no", "lower-case id; blank: made from the name",
                     "Rows with an existing id update that record."))
        for name, spec in node_type.properties.items():
            rows.append(("nodes", node_type.name, name, "yes" if spec.required else "no", _takes(spec),
                         spec.description))
        for name, column in vocabulary.link_columns.items():
            rel_type = vocabulary.relationship_types[column.relationship]
            if rel_type.allows(*column.ends(node_type.name)):
                rows.append(("nodes", node_type.name, name, "no",
                             f"{column.node_type} names separated by '{LINK_SEPARATOR}'", column.description))
    for rel_type in vocabulary.relationship_types.values():
        rows.append(("relationships", rel_type.name, "from, to", "yes", "node ids",
                     f"Allowed: {rel_type.describe_endpoints()}. {rel_type.description}".strip()))
        for name, spec in rel_type.properties.items():
            rows.append(("relationships", rel_type.name, name, "yes" if spec.required else "no", _takes(spec),
                         spec.description))
    return rows


def template_xlsx(vocabulary: Vocabulary, stream: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    layout = TableLayout(vocabulary)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, types in (("nodes", vocabulary.node_types), ("relationships", vocabulary.relationship_types)):
        sheet = workbook.create_sheet(table)
        columns = layout.columns(table)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        choice = DataValidation(type="list", formula1='"' + ",".join(types) + '"', allow_blank=True,
                                showErrorMessage=True, error=f"Pick one of the {table} types.")
        letter = sheet.cell(row=1, column=columns.index("type") + 1).column_letter
        choice.add(f"{letter}2:{letter}10000")
        sheet.add_data_validation(choice)
    guide = workbook.create_sheet("guide")
    guide.append(GUIDE_HEADER)
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide_rows(vocabulary):
        guide.append(row)
    guide.freeze_panes = "A2"
    workbook.save(stream)


def _takes(spec) -> str:
    if spec.type == "enum":
        return "one of: " + ", ".join(spec.values)
    limit = f", at most {spec.max_length} characters" if spec.max_length else ""
    return _FORMATS.get(spec.type, spec.type) + limit
