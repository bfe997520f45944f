"""``graphsvc import FILE...``: bulk import with a progress bar, streaming large files."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

import click
from flask import Flask, current_app

from ..app import get_service
from ..importing import MODES, ImportLimits, ImportOptions, InputFile, detect_format, import_files

__all__ = ["register"]

SHOWN_PROBLEMS = 50


class _Counted:
    """A binary file that reports how many bytes have been read (for the progress bar)."""

    def __init__(self, handle, advance):
        self.handle, self.advance = handle, advance

    def read(self, size=-1):
        data = self.handle.read(size)
        self.advance(len(data))
        return data

    def read1(self, size=-1):
        data = self.handle.read1(size)
        self.advance(len(data))
        return data

    def readinto(self, buffer):
        count = self.handle.readinto(buffer)
        self.advance(count or 0)
        return count

    def __getattr__(self, name):
        return getattr(self.handle, name)


def register(app: Flask) -> None:
    @app.cli.command("import")
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--mode", type=click.Choice(MODES), default="merge", show_default=True,
                  help="merge: update records whose id exists; create_only: refuse rows whose record exists.")
    @click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
    @click.option("--accept-duplicates", is_flag=True,
                  help="Create rows without an id even when they look like an existing record.")
    @click.option("--actor", default="import", show_default=True, help="Name recorded in the change log.")
    def import_command(files, mode, dry_run, accept_duplicates, actor):
        """Import FILES (.json, .csv, .xlsx, .zip of CSV tables) in one transaction: all or nothing.

        CSV tables are told apart by name (nodes*.csv, relationships*.csv) or by their header."""
        service = get_service()
        options = ImportOptions(mode=mode, dry_run=dry_run, accept_duplicates=accept_duplicates,
                                limits=ImportLimits.from_config(current_app.config))
        sizes = {path: os.path.getsize(path) for path in files}
        # every file is read once to inspect it, then imported; a JSON document twice (nodes, relationships)
        total = sum(size * (3 if _format(path) == "json" else 2) for path, size in sizes.items())
        with ExitStack() as stack:
            bar = stack.enter_context(click.progressbar(length=max(total, 1), label="Importing",
                                                        file=sys.stderr))
            inputs = []
            for path in files:
                handle = _Counted(stack.enter_context(open(path, "rb")), bar.update)
                fmt = _format(path)
                if fmt is None:
                    raise click.BadParameter(f"cannot tell the format of {path}; use .json, .csv, .xlsx or .zip",
                                             param_hint="FILES")
                inputs.append(InputFile(os.path.basename(path), handle, fmt))
            result = import_files(service, inputs, actor, options)
        for entry in result.errors[:SHOWN_PROBLEMS]:
            click.echo(f"  {_where(entry)}: {entry['message']}", err=True)
        if result.error_count > SHOWN_PROBLEMS:
            click.echo(f"  ... and {result.error_count - SHOWN_PROBLEMS} more.", err=True)
        for entry in result.possible_duplicates[:SHOWN_PROBLEMS]:
            click.echo(f"  possible duplicate, {_where(entry)}: {entry['message']}", err=True)
        if result.error_count:
            raise click.ClickException(result.message)
        click.echo(result.message)


def _format(path: str) -> str | None:
    with open(path, "rb") as handle:
        return detect_format(path, handle.read(512))


def _where(entry: dict) -> str:
    parts = [entry.get("file"), entry.get("sheet"), f"row {entry['row']}" if entry.get("row") else None,
             f"column {entry['column']}" if entry.get("column") else None]
    return ", ".join(part for part in parts if part)
