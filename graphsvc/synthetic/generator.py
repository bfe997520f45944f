"""``generate``: one run of all the generation steps, in a fixed order, streamed through the writer."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any, TextIO

import yaml

from .actions import Actions
from .evidence import EvidenceAndOutcomes
from .groups import Groups
from .initiatives import Initiatives
from .organisations_and_people import OrganisationsAndPeople
from .places import TaxonomyAndPlaces
from .resources_and_events import ResourcesAndEvents
from .writer import GraphWriter

__all__ = ["DEFAULT_TAXONOMY", "generate"]

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[2] / "seeds" / "taxonomy.yaml"


def generate(out: TextIO, nodes: int = 100_000, seed: int = 0, taxonomy: dict[str, Any] | None = None,
             relationship_ids: bool = True) -> dict[str, Any]:
    """Write a synthetic graph of about ``nodes`` nodes to ``out``; return counts and the planted duplicates.

    >>> import io; summary = generate(io.StringIO(), nodes=500, seed=1); summary["nodes"]
    500
    """
    if taxonomy is None:
        taxonomy = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        writer = GraphWriter(out, spool, relationship_ids)
        SyntheticGraph(random.Random(seed), writer, taxonomy, nodes).run()
        writer.finish()
    return writer.summary()


class SyntheticGraph(TaxonomyAndPlaces, OrganisationsAndPeople, Groups, EvidenceAndOutcomes, Initiatives, Actions,
                     ResourcesAndEvents):
    """All the generation steps; ``run`` calls them in the order that fixes the output for a seed."""

    def run(self) -> None:
        for step in (self._taxonomy, self._places, self._organisations, self._people, self._groups, self._sources,
                     self._outcomes, self._indicators, self._initiatives, self._actions, self._resources,
                     self._events):
            step()
