"""``graphsvc export``: write the graph, or a selected part of it, to a file (or stdout) in one of several formats."""

from __future__ import annotations

import io

import click
from flask import Flask

from ..app import get_service
from ..exporting import FORMATS, UnknownNode, select_subgraph

__all__ = ["register"]


def _list(value: str | None) -> list[str] | None:
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    return names or None


def register(app: Flask) -> None:
    @app.cli.command("export")
    @click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)), help="The file format.")
    @click.option("--types", help="Only nodes of these types (comma-separated), e.g. Person,Organisation.")
    @click.option("--ids", help="Only these node ids (comma-separated).")
    @click.option("--around", help="Only nodes within --depth hops of this node id (either direction).")
    @click.option("--depth", type=click.IntRange(0, 6), default=1, show_default=True, help="Hops from --around.")
    @click.option("--examples/--no-examples", default=True, show_default=True,
                  help="Include fictional example records (each marked example: true).")
    @click.argument("out", type=click.Path(dir_okay=False, allow_dash=True))
    def export_command(fmt, types, ids, around, depth, examples, out):
        """Export the graph to OUT ('-' for standard output). Sensitive properties are included:
        this runs with direct access to the store."""
        service = get_service()
        types = _list(types)
        unknown = [name for name in types or () if service.vocabulary.node_type(name) is None]
        if unknown:
            raise click.BadParameter(f"unknown node type(s): {', '.join(unknown)}", param_hint="--types")
        try:
            graph = select_subgraph(service.graph(examples=examples), types=types, ids=_list(ids), around=around,
                                    depth=depth)
        except UnknownNode:
            raise click.BadParameter(f"no node has the id {around!r}", param_hint="--around") from None
        buffer = io.BytesIO()
        FORMATS[fmt].write(graph, buffer, service.vocabulary)
        if out == "-":
            click.echo(buffer.getvalue(), nl=False)
        else:
            with open(out, "wb") as handle:
                handle.write(buffer.getvalue())
            click.echo(f"Wrote {graph.number_of_nodes()} nodes and {graph.number_of_edges()} relationships "
                       f"to {out} ({fmt}).", err=True)
