"""The state one generation run shares between its steps: the random source, the writer, weighted pools of
ids, and the names and hierarchies drawn so far; with the small helpers every step uses."""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from .pool import WeightedPool
from .proportions import DUPLICATE_RECORDS, plan
from .words import theme_words
from .writer import GraphWriter

__all__ = ["GeneratorState"]


class GeneratorState:
    """Shared by the step mixins (places, organisations and people, groups, evidence, initiatives, ...)."""

    def __init__(self, rng: random.Random, writer: GraphWriter, taxonomy: dict[str, Any], nodes: int):
        self.rng, self.w, self.taxonomy = rng, writer, taxonomy
        fixed = [row for row in taxonomy.get("nodes") or [] if row.get("type") in ("Theme", "Population")]
        self.counts = plan(nodes, len(fixed))
        self.duplicates = max(2, int(nodes * DUPLICATE_RECORDS))
        self.pools: dict[str, WeightedPool] = {}
        self.theme_ids: list[str] = []
        self.population_names: dict[str, str] = {}
        self.place_names: dict[str, str] = {}
        self.boroughs: list[str] = []
        self.children: dict[str, list[str]] = {}
        self.org_names: list[tuple[str, str, str, str]] = []  # (id, name, kind, home place)
        self.org_name: dict[str, str] = {}
        self.leaders_of: dict[str, list[str]] = {}  # organisation id -> its board and executive people
        self.recent: deque = deque(maxlen=256)  # recent initiatives, for near-duplicates and alignment

    def pool(self, name: str) -> WeightedPool:
        return self.pools.setdefault(name, WeightedPool())

    def _local_place(self) -> str:
        """A borough, or more often one of its wards, drawn by the boroughs' weights."""
        borough = self.pool("borough").pick(self.rng)
        children = self.children.get(borough)
        return self.rng.choice(children) if children and self.rng.random() < 0.6 else borough

    def _tag(self, source: str, rel_type: str, targets, reverse: bool = False) -> None:
        for target in targets:
            if reverse:
                self.w.rel(rel_type, target, source)
            else:
                self.w.rel(rel_type, source, target)

    def _topic(self, theme: str) -> str:
        return self.rng.choice(theme_words(theme)[0])

    def _problem(self, theme: str) -> str:
        return self.rng.choice(theme_words(theme)[1])
