"""The `graphsvc generate` command: write a synthetic graph (graphsvc.synthetic) for benchmarks and tests."""

from __future__ import annotations

import json

import click
import yaml
from flask import Flask

__all__ = ["register"]


def register(app: Flask) -> None:
    @app.cli.command("generate")
    @click.option("--nodes", default=100_000, show_default=True, type=click.IntRange(200, 10_000_000),
                  help="How many nodes to write (relationships are about five times as many).")
    @click.option("--seed", default=0, show_default=True, type=int, help="The same seed writes the same graph.")
    @click.option("--relationship-ids/--no-relationship-ids", default=True, show_default=True,
                  help="Give relationships ids, so an import upserts them by id.")
    @click.option("--truth", type=click.Path(dir_okay=False, writable=True),
                  help="Also write the planted duplicates (pairs of ids) to this JSON file.")
    @click.argument("out", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
    def generate_command(nodes: int, seed: int, relationship_ids: bool, truth: str | None, out: str):
        """Write a realistic synthetic graph as native JSON to OUT ("-" for standard output).

        Organisations across sectors, people, groups, initiatives, evidence, actions, outcomes,
        indicators, resources and events, tagged with the shipped taxonomy; about 1% of initiatives
        and a few hundred organisations and people are planted near-duplicates.
        """
        from ..cli import seeds_directory
        from ..synthetic import generate

        taxonomy = yaml.safe_load((seeds_directory() / "taxonomy.yaml").read_text(encoding="utf-8"))
        with click.open_file(out, "w", encoding="utf-8", atomic=out != "-") as stream:
            summary = generate(stream, nodes=nodes, seed=seed, taxonomy=taxonomy, relationship_ids=relationship_ids)
        if truth:
            with open(truth, "w", encoding="utf-8") as handle:
                json.dump(summary["planted"], handle, indent=1)
        planted = {}
        for pair in summary["planted"]:
            planted[pair["kind"]] = planted.get(pair["kind"], 0) + 1
        click.echo(f"Wrote {summary['nodes']} nodes and {summary['relationships']} relationships to {out} "
                   f"(planted: {', '.join(f'{n} {kind}' for kind, n in sorted(planted.items())) or 'none'}).",
                   err=True)
