"""Options and result of an import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .limits import ImportLimits

__all__ = ["MODES", "ImportOptions", "ImportResult"]

MODES = ("merge", "create_only")


@dataclass(frozen=True)
class ImportOptions:
    """``merge`` updates records whose id exists (given properties replace stored ones, others stay);
    ``create_only`` refuses any row whose record already exists. ``dry_run`` checks and counts, then
    writes nothing. ``accept_duplicates`` creates rows that only look like existing records.
    ``tolerate`` names cardinality rules legacy data may breach (the shipped demo only). ``role`` is
    the caller's role over HTTP: changes the vocabulary reserves for a higher role (``write_role``)
    are refused row by row; None (the CLI, seeding) means direct access to the store. ``limits`` caps
    the size and shape of the files (checked before the import starts)."""

    mode: str = "merge"
    dry_run: bool = False
    accept_duplicates: bool = False
    tolerate: frozenset[str] = frozenset()
    role: str | None = None
    chunk_size: int = 5_000
    max_errors: int = 1_000  # listed in full up to this many; counted beyond
    limits: ImportLimits = field(default_factory=ImportLimits)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    tolerated: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    applied: bool = False
    dry_run: bool = False
    too_large: bool = False  # a file was refused for its size before any row was read

    @property
    def status(self) -> int:
        """The HTTP status of this answer: 413 for a file over a size limit, 422 for any other problem."""
        return 413 if self.too_large else 422 if self.error_count else 200

    @property
    def message(self) -> str:
        if self.error_count:
            return f"{self.error_count} problem(s) found; nothing was imported."
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        skipped = f"; {len(self.possible_duplicates)} possible duplicate(s) not created" \
            if self.possible_duplicates else ""
        return f"{'Dry run: would import' if self.dry_run else 'Imported'} {self.rows} row(s): {counts}{skipped}."

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "applied": self.applied, "dry_run": self.dry_run, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.errors, "error_count": self.error_count,
                "possible_duplicates": self.possible_duplicates, "tolerated": self.tolerated}
