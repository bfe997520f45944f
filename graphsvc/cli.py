"""The ``graphsvc`` command: init, seed, serve (commands are registered on the app, flaskr style)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

from .app import get_service
from .errors import DomainError, Invalid, StoreUnavailable
from .importing import ImportOptions, run_import
from .importing.readers import rows_of_document
from .vocabulary import EXAMPLE_PROPERTY, yaml_load

__all__ = ["DATASETS", "FRAMEWORKS", "main", "register_commands"]

# The national frameworks as published (seeds/frameworks/README.md names each one's source). Real
# reference data, not examples: every dataset loads them, and removing the demo leaves them.
FRAMEWORKS = [
    "frameworks/eds-2022",
    "frameworks/wres",
    "frameworks/pcref",
    "frameworks/core20plus5-adults",
    "frameworks/core20plus5-cyp",
    "frameworks/nhs-edi-improvement-plan",
]
# Each dataset lists the seed files it loads, in order (later files refer to earlier ones): the demo
# may cite framework items, so the frameworks come before the report and the demo.
DATASETS = {
    "report": ["taxonomy", *FRAMEWORKS, "report"],
    "demo": ["taxonomy", *FRAMEWORKS, "report", "demo"],
    "all": ["taxonomy", *FRAMEWORKS, "report", "demo"],
}
# The demo borough deliberately holds one legacy action with two accountable owners, as imported
# spreadsheets often do, so the gap report has an `action-multiple-owners` case to show. The API
# refuses to create such a state; only this shipped seed may bring it in.
DEMO_TOLERATES = frozenset({"one-accountable-owner"})


def seeds_directory() -> Path:
    return Path(os.environ.get("GRAPHSVC_SEEDS") or Path(__file__).resolve().parent.parent / "seeds")


def seed_dataset(app: Flask, dataset: str, actor: str = "seed") -> dict:
    """Load a shipped dataset in one transaction, through the importer; running it twice changes
    nothing. Invalid (with every problem) if a seed file is wrong."""
    sources = []
    for name in DATASETS[dataset]:
        path = seeds_directory() / f"{name}.yaml"
        with open(path, encoding="utf-8") as handle:
            sources.append(rows_of_document(_marked(yaml_load(handle) or {}), f"{name}.yaml"))
    tolerate = DEMO_TOLERATES if "demo" in DATASETS[dataset] else frozenset()
    # one transaction over the files in order (later files refer to earlier ones)
    result = run_import(get_service(app), sources, actor, ImportOptions(tolerate=tolerate))
    if result.error_count:
        raise Invalid(result.message, {"rows": result.errors})
    return result.as_dict()


def _ids_in(dataset: str) -> set[str]:
    """The node ids a shipped seed file holds: a store seeded before example records were marked
    holds the demo unmarked, and removing it must still take all of it."""
    with open(seeds_directory() / f"{dataset}.yaml", encoding="utf-8") as handle:
        return {node["id"] for node in (yaml_load(handle) or {}).get("nodes") or [] if node.get("id")}


def _marked(document: dict) -> dict:
    """A seed file saying ``example: true`` at the top is fictional: every node of it is marked as an
    example record, so the mark travels with it (API, exports, reports) and it can be removed at once."""
    if document.get(EXAMPLE_PROPERTY) is True:
        for node in document.get("nodes") or []:
            node[EXAMPLE_PROPERTY] = True
    return document


def register_commands(app: Flask) -> None:
    @app.cli.command("init")
    def init_command():
        """Create the store's tables, constraints and indexes (harmless to repeat)."""
        from .commands.tokens import ensure_first_admin

        service = get_service()
        try:
            service.store.initialise()
            nodes, relationships = service.store.count()
            click.echo(f"{service.store.name} store ready: {nodes} nodes, {relationships} relationships.")
            token = ensure_first_admin(service.store)
        except StoreUnavailable as exc:
            raise click.ClickException(exc.message) from exc
        if token:
            click.echo("\nNo access tokens existed, so an admin token was created. It is shown this once:\n\n"
                       f"    {token}\n\nUse it as 'Authorization: Bearer <token>'. Make tokens for others with\n"
                       "    graphsvc token create --name NAME --role viewer|coordinator|governance|admin\n")

    @app.cli.command("seed")
    @click.option("--dataset", type=click.Choice(sorted(DATASETS)), default="all", show_default=True)
    @click.option("--if-empty", is_flag=True, help="Only seed a store that holds no nodes yet.")
    @click.option("--remove", type=click.Choice(["demo"]), default=None,
                  help="Instead of seeding, delete every example record (the demo) and its relationships.")
    def seed_command(dataset: str, if_empty: bool, remove: str | None):
        """Load shipped seed data (the evaluation report, the fictional demo borough, or all), or remove the demo."""
        service = get_service()
        if remove:
            removed = service.remove_examples("seed", also=_ids_in(remove))
            click.echo(f"Removed the example data: {removed['nodes']} records and {removed['relationships']} "
                       "relationships. Real records and their history are unchanged.")
            return
        try:
            if if_empty and service.store.count()[0] > 0:
                click.echo("Store already holds data; not seeding.")
                return
            result = seed_dataset(current_app, dataset)
        except StoreUnavailable as exc:
            raise click.ClickException(exc.message) from exc
        except DomainError as exc:
            for row in exc.errors.get("rows", []):
                click.echo(f"  {row['file']} {row['sheet']} {row['row']} {row['column'] or ''}: {row['message']}",
                           err=True)
            raise click.ClickException(exc.message) from exc
        click.echo(f"Seeded '{dataset}': {result['created']} created, {result['updated']} updated, "
                   f"{result['unchanged']} unchanged.")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
    @click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
    @click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600),
                  help="Seconds before a stuck worker is restarted.")
    def serve_command(host: str, port: int, workers: int, timeout: int):
        """Serve the API with gunicorn (several worker processes sharing one store)."""
        from .server import serve

        try:
            get_service().store.count()  # fail now, in one line, rather than in every worker's first request
        except StoreUnavailable as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"Serving graphsvc on http://{host}:{port}/api/v1/ (docs at /api/v1/docs) "
                   f"with {workers} workers.")
        serve(host, port, workers, timeout)

    from .commands import register_all

    register_all(app)


class _AppCommands(click.Group):
    """The app's own CLI commands (those registered on ``app.cli``), without Flask's --app options."""

    def list_commands(self, ctx):
        return sorted(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))

    def get_command(self, ctx, name):
        return ctx.ensure_object(ScriptInfo).load_app().cli.get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StoreUnavailable as exc:  # any command: one line naming the setting to check, no traceback
            raise click.ClickException(exc.message) from exc


def main() -> None:
    from . import create_app

    cli = _AppCommands(help="graphsvc: the knowledge graph of anti-racism and health-equity work.")
    sys.exit(cli.main(prog_name="graphsvc", obj=ScriptInfo(create_app=create_app, set_debug_flag=False,
                                                           load_dotenv_defaults=False)))
