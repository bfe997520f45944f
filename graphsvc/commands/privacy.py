"""``graphsvc forget`` (erase a person) and ``graphsvc data-inventory`` (the personal data held)."""

from __future__ import annotations

import click
from flask import Flask

from ..app import get_service
from ..data_inventory import BEGIN_MARKER, END_MARKER, data_inventory
from ..erasure import erase_person
from ..errors import DomainError

__all__ = ["register"]

CLI_ACTOR = "cli"


def register(app: Flask) -> None:
    @app.cli.command("forget")
    @click.argument("node_id", metavar="PERSON_ID")
    @click.option("--reason", help="Kept in the history: a case reference, never the person's name, email or id.")
    def forget_command(node_id: str, reason: str | None):
        """Erase a person: the record, its relationships and its personal values in the history."""
        try:
            done = erase_person(get_service(), node_id, CLI_ACTOR, reason)
        except DomainError as exc:
            details = "; ".join(f"{key}: {' '.join(map(str, value))}" for key, value in exc.errors.items())
            raise click.ClickException(f"{exc.message} {details}".strip()) from exc
        click.echo(f"Erased a {done['type']}: {done['relationships']} relationships deleted, "
                   f"{done['redacted_entries']} history entries rewritten; the history now calls it "
                   f"{done['pseudonym']} (change {done['seq']}).")
        if not done["files_purged"]:
            click.echo("The database files could not be compacted yet (busy readers); run the command's "
                       "next erasure or restart the service to finish.", err=True)

    @app.cli.command("data-inventory")
    @click.option("--update", "document", type=click.Path(exists=True, dir_okay=False),
                  help="Rewrite the generated section of this Markdown file (e.g. docs/data-protection.md) instead.")
    def data_inventory_command(document: str | None):
        """Print (Markdown) the personal data the service holds, who can see it and where it can go."""
        inventory = data_inventory(get_service().vocabulary)
        if document is None:
            click.echo(inventory, nl=False)
            return
        with open(document, encoding="utf-8") as handle:
            text = handle.read()
        if text.count(BEGIN_MARKER) != 1 or text.count(END_MARKER) != 1:
            raise click.ClickException(f"{document} needs exactly one pair of data-inventory markers.")
        head, rest = text.split(BEGIN_MARKER)
        tail = rest.split(END_MARKER)[1]
        with open(document, "w", encoding="utf-8") as handle:
            handle.write(f"{head}{BEGIN_MARKER}\n{inventory.strip()}\n{END_MARKER}{tail}")
        click.echo(f"Updated the data inventory in {document}.")
