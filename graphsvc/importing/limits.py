"""How big and how deep an import file may be: checked before any of the work, so a hostile file
(a ZIP or spreadsheet bomb, a deeply nested document) is refused at once and never holds the store.

Each cap has a default here; a deployment may override any of them with the config key named in
``CONFIG_KEYS`` (read only if present).

>>> ImportLimits().max_json_depth
5
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .rows import FileProblem

__all__ = ["CONFIG_KEYS", "ImportLimits", "TooLarge"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    # A document is {"nodes": [row, ...], "relationships": [...]} and a row an object of plain
    # values: three levels, one more for a list value, one spare.
    max_json_depth: int = 5
    max_archive_members: int = 100  # an .xlsx has a dozen or two parts; a ZIP of CSV tables two
    max_member_bytes: int = 256 * MIB  # one part of a ZIP or workbook, unpacked
    max_unpacked_bytes: int = 512 * MIB  # all parts together, unpacked
    # Exported CSV tables and sheets pack 5-40 times; a bomb packs thousands of times. Parts under
    # RATIO_FLOOR bytes are too small to matter whatever their ratio.
    max_compression_ratio: int = 200
    max_columns: int = 1_000  # cells in one row (the nodes template has well under 100 columns)
    max_line_bytes: int = 1 * MIB  # one line of a CSV file
    max_sheet_rows: int = 500_000  # rows of one sheet, declared or used (Excel allows 1,048,576)
    max_shared_strings: int = 500_000  # distinct texts in a workbook (openpyxl holds them all in memory)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> ImportLimits:
        """The defaults, with any override the app's config gives (``IMPORT_MAX_JSON_DEPTH``...)."""
        given = {name: int(config[key]) for name, key in CONFIG_KEYS.items() if config and config.get(key) is not None}
        return dataclasses.replace(cls(), **given)


RATIO_FLOOR = 1 * MIB
CONFIG_KEYS = {field.name: "IMPORT_" + field.name.upper() for field in dataclasses.fields(ImportLimits)}


class TooLarge(FileProblem):
    """The file is bigger than a limit allows (HTTP 413); other file problems are malformed input (422)."""

    status = 413
