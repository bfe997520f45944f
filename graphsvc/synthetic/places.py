"""Generation steps: the taxonomy's themes and populations, then a hierarchy of places."""

from __future__ import annotations

from .state import GeneratorState
from .words import PLACE_ENDS, PLACE_PREFIXES, PLACE_STEMS, REGIONS

__all__ = ["TaxonomyAndPlaces"]


class TaxonomyAndPlaces(GeneratorState):
    """Theme and Population nodes copied from the taxonomy; regions, ICB areas, boroughs and wards."""

    def _taxonomy(self) -> None:
        rows = [row for row in self.taxonomy.get("nodes") or [] if row.get("type") in ("Theme", "Population")]
        for row in rows:
            self.w.node(row["type"], row["id"], example=False,
                        **{k: v for k, v in row.items() if k not in ("id", "type")})
        ids = {row["id"] for row in rows}
        for rel in self.taxonomy.get("relationships") or []:
            if rel["from"] in ids and rel["to"] in ids:
                self.w.rel(rel["type"], rel["from"], rel["to"])
        themes = [row["id"] for row in rows if row["type"] == "Theme"]
        populations = [row for row in rows if row["type"] == "Population"]
        self.rng.shuffle(themes)
        self.rng.shuffle(populations)
        self.theme_ids = themes
        for rank, theme in enumerate(themes):
            self.pool("theme").add(theme, 1 / (rank + 1) ** 0.8)  # Zipf-like: a few themes dominate
        for rank, row in enumerate(populations):
            self.pool("population").add(row["id"], 1 / (rank + 1) ** 0.9)
            self.population_names[row["id"]] = row["name"]

    def _places(self) -> None:
        total, rng, used = self.counts["Place"], self.rng, set()
        levels = [("region", min(len(REGIONS), max(1, total // 400))), ("icb_area", max(1, total * 12 // 1000)),
                  ("borough", max(1, total * 9 // 100))]
        levels.append(("ward", max(0, total - sum(n for _, n in levels))))
        parents: list[str] = []
        index = 0
        for kind, number in levels:
            current = []
            for i in range(number):
                index += 1
                place_id = f"place-{index:05d}"
                if kind == "region":
                    name = REGIONS[i]
                else:
                    name = self._place_name(used if kind != "ward" else None)
                    if kind == "icb_area":
                        name += " ICB area"
                detail = kind if kind != "ward" else rng.choices(("ward", "neighbourhood", "pcn_area"), (5, 3, 2))[0]
                self.w.node("Place", place_id, name=name, kind=detail, code=f"{detail[:3].upper()}{index:06d}")
                self.place_names[place_id] = name
                if parents:
                    parent = rng.choice(parents)
                    self.w.rel("PART_OF", place_id, parent)
                    if kind == "ward":
                        self.children.setdefault(parent, []).append(place_id)
                current.append(place_id)
            parents = current or parents
            if kind == "borough":
                self.boroughs = current
        for rank, borough in enumerate(self.boroughs):
            self.pool("borough").add(borough, 1 / (rank + 1) ** 0.7)

    def _place_name(self, used: set | None) -> str:
        for _ in range(20):
            name = (self.rng.choice(PLACE_PREFIXES) + self.rng.choice(PLACE_STEMS) + self.rng.choice(PLACE_ENDS))
            if used is None or name not in used:
                break
        if used is not None:
            used.add(name)
        return name
