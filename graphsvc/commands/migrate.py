"""``graphsvc migrate --to neo4j|sqlite``: copy the whole graph, its change log and tokens to another store."""

from __future__ import annotations

import os
from itertools import islice

import click
from flask import Flask, current_app

from ..app import get_service
from ..errors import DomainError
from ..store import open_store

__all__ = ["migrate", "register"]

BATCH = 5_000


def register(app: Flask) -> None:
    @app.cli.command("migrate")
    @click.option("--to", "target_kind", type=click.Choice(["neo4j", "sqlite"]), required=True,
                  help="The store to copy into (configured by NEO4J_* or --database).")
    @click.option("--database", help="For --to sqlite: the target file (default: the configured database).")
    def migrate_command(target_kind: str, database: str | None):
        """Copy everything from the configured store into an empty store of the other kind, then verify."""
        source = get_service().store
        config = dict(current_app.config, STORE=target_kind)
        if database:
            config["DATABASE"] = database
        for key in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
            config.setdefault(key, os.environ.get(key))
        try:
            target = open_store(config, get_service().vocabulary)
            if target_kind == source.name and config.get("DATABASE") == current_app.config.get("DATABASE"):
                raise click.ClickException("The target is the store you are migrating from.")
            counts = migrate(source, target, click.echo)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"Migrated and verified: {counts['nodes']} nodes, {counts['relationships']} relationships, "
                   f"{counts['changes']} change-log entries, {counts['tokens']} tokens.")


def migrate(source, target, say=print) -> dict:
    """Copy in batches with progress; refuse a non-empty target; verify counts at the end."""
    target.initialise()
    if target.count() != (0, 0) or target.last_seq() or target.list_tokens():
        raise DomainError("The target store is not empty; migrate only into an empty store.")
    with source.snapshot() as (_, nodes, relationships):
        nodes, relationships = list(nodes), list(relationships)
    changes = _all_changes(source)
    tokens = source.list_tokens()
    total = len(nodes) + len(relationships) + len(changes)
    with click.progressbar(length=total, label="Copying", file=None) as bar:
        for chunk in _chunks(nodes):
            target.copy_in(chunk, [], [], [])
            bar.update(len(chunk))
        for chunk in _chunks(relationships):
            target.copy_in([], chunk, [], [])
            bar.update(len(chunk))
        for chunk in _chunks(changes):
            target.copy_in([], [], chunk, [])
            bar.update(len(chunk))
    target.copy_in([], [], [], tokens)
    expected = (len(nodes), len(relationships))
    if target.count() != expected or target.last_seq() != source.last_seq() or \
            len(target.list_tokens()) != len(tokens):
        raise DomainError(f"Verification failed: expected {expected} nodes/relationships and seq "
                          f"{source.last_seq()}, found {target.count()} and seq {target.last_seq()}.")
    say("Counts verified.")
    return {"nodes": len(nodes), "relationships": len(relationships), "changes": len(changes), "tokens": len(tokens)}


def _all_changes(store) -> list:
    changes, seq = [], 0
    while True:
        batch = store.changes_since(seq, BATCH)
        changes.extend(batch)
        if len(batch) < BATCH:
            return changes
        seq = batch[-1].seq


def _chunks(items: list):
    iterator = iter(items)
    while chunk := list(islice(iterator, BATCH)):
        yield chunk
