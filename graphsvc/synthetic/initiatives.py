"""Generation step: initiatives with their leads, partners, funders and sponsors, ~1% of them near-copies."""

from __future__ import annotations

import random

from .dates import random_date
from .proportions import DUPLICATE_INITIATIVES, INITIATIVE_KINDS
from .state import GeneratorState
from .words import (
    AIMS,
    AUDIENCES,
    BRANDS,
    CLOSINGS,
    FREQUENCIES,
    GENERIC_METHODS,
    KIND_NOUNS,
    LANGUAGES,
    VENUES,
    theme_words,
)

__all__ = ["Initiatives"]


class Initiatives(GeneratorState):
    """Initiative nodes, described in words drawn from their themes, populations and places."""

    def _initiatives(self) -> None:
        rng, total = self.rng, self.counts["Initiative"]
        kinds, weights = list(INITIATIVE_KINDS), list(INITIATIVE_KINDS.values())
        for index in range(1, total + 1):
            init_id = f"init-{index:06d}"
            if len(self.recent) > 20 and rng.random() < DUPLICATE_INITIATIVES:
                original = rng.choice(self.recent)
                self._initiative(init_id, *_near_copy(rng, original), *self._backers())
                self.w.planted.append({"kind": "duplicate-initiative", "a": original[0], "b": init_id})
                continue
            kind = rng.choices(kinds, weights)[0]
            themes = self.pool("theme").sample(rng, rng.choices((1, 2, 3, 4), (25, 35, 25, 15))[0])
            populations = self.pool("population").sample(rng, rng.choices((0, 1, 2, 3), (25, 45, 22, 8))[0])
            home = self.pool("borough").pick(rng)
            children = self.children.get(home, [])
            places = [home] + rng.sample(children, min(len(children), rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]))
            lead, partners = self._backers()
            name, description = self._describe(kind, themes, populations, places, lead, partners)
            self._initiative(init_id, name, description, kind, themes, populations, places, lead, partners)

    def _backers(self) -> tuple[str | None, list[str]]:
        """A lead (mostly an organisation, else a person or a group, sometimes none) and partner organisations."""
        rng, roll = self.rng, self.rng.random()
        lead = self.pool("lead_org" if roll < 0.70 else "owner" if roll < 0.88 else "member_group").pick(rng) \
            if roll < 0.94 else None
        count = rng.choices((0, 1, 2, 3, 4, 5), (12, 22, 26, 20, 12, 8))[0]
        return lead, self.pool("partner_org").sample(rng, count, exclude=(lead,))

    def _describe(self, kind: str, themes: list[str], populations: list[str], places: list[str], lead: str | None,
                  partners: list[str]) -> tuple[str, str]:
        rng = self.rng
        topic, place, noun = self._topic(themes[0]), self.place_names[places[0]], rng.choice(KIND_NOUNS[kind])
        name = rng.choice((f"{place} {topic} {noun}", f"{topic} {noun}: {place}", f"{rng.choice(BRANDS)}: {topic} "
                           f"in {place}", f"{rng.choice(('Better', 'Fairer', 'Together for'))} {topic} ({place})"))
        methods = rng.sample([m for theme in themes for m in theme_words(theme)[2]] + list(GENERIC_METHODS), 3)
        who = _people_phrase([self.population_names[p] for p in populations]) or rng.choice(AUDIENCES)
        where, problem = _join([self.place_names[p] for p in places]), rng.choice(theme_words(themes[0])[1])
        verb = rng.choice(("reduce", "tackle", "respond to", "close the gap caused by", "address"))
        opening = rng.choice((f"A {noun.lower()} to {verb} {problem} for {who} in {where}, through {methods[0]}, "
                              f"{methods[1]} and {methods[2]}.",
                              f"Partners in {where} {verb} {problem} among {who}: {methods[0]}, {methods[1]} and "
                              f"{methods[2]}.",
                              f"This {noun.lower()} was set up to {verb} {problem}. It offers {who} in {where} "
                              f"{methods[0]} and {methods[1]}, backed by {methods[2]}.",
                              f"{who[0].upper()}{who[1:]} in {where} face {problem}; we {verb} it with {methods[0]} "
                              f"and {methods[1]}."))
        names = [self.org_name[o] for o in ([lead] if lead in self.org_name else []) + partners[:2]]
        details = [f"Sessions run {rng.choice(FREQUENCIES)} in {rng.choice(VENUES)} and {rng.choice(VENUES)}, "
                   f"delivered by trained {rng.choice(AUDIENCES)}.",
                   f"It was co-designed with {rng.choice(AUDIENCES)} after feedback gathered in "
                   f"{rng.randint(2019, 2026)}.",
                   f"Information is offered in {_join(rng.sample(LANGUAGES, rng.randint(2, 4)))}.",
                   f"The aim is to {rng.choice(AIMS)} and {rng.choice(AIMS)} by {rng.randint(2026, 2030)}.",
                   f"So far {rng.randint(3, 90) * 10} people have taken part.",
                   f"Delivered by {_join(names)}." if names else f"A steering group of {rng.choice(AUDIENCES)} meets "
                   f"{rng.choice(FREQUENCIES)}."]
        extra = rng.sample(details, rng.randint(1, 3))
        closing = [rng.choice(CLOSINGS)] if rng.random() < 0.5 else []
        return name, " ".join([opening, *extra, *closing])

    def _initiative(self, init_id, name, description, kind, themes, populations, places, lead, partners) -> None:
        rng = self.rng
        status = rng.choices(("proposed", "active", "paused", "completed", "closed"), (10, 55, 5, 22, 8))[0]
        self.w.node("Initiative", init_id, name=name, description=description, kind=kind, status=status,
                    **_initiative_dates(rng, status))
        self._tag(init_id, "ADDRESSES", themes)
        self._tag(init_id, "SERVES", populations)
        self._tag(init_id, "OPERATES_IN", places)
        if lead:
            self.w.rel("LEADS", lead, init_id)
        self._tag(init_id, "PARTNERS_IN", partners, reverse=True)
        for funder in self.pool("funder").sample(rng, rng.choices((0, 1, 2), (55, 35, 10))[0]):
            self.w.rel("FUNDS", funder, init_id, amount=rng.randrange(5, 500) * 1000, since=random_date(rng, -2000, 0))
        local, sponsors = self.leaders_of.get(lead or "", []), []
        for _ in range(rng.choices((0, 1, 2), (30, 55, 15))[0]):  # mostly the lead's own board or executives
            sponsor = rng.choice(local) if local and rng.random() < 0.7 else (
                self.pool("sponsor" if rng.random() < 0.75 else "owner").pick(rng))
            if sponsor not in sponsors:
                sponsors.append(sponsor)
        self._tag(init_id, "SPONSORS", sponsors, reverse=True)
        if rng.random() < 0.55:
            self.w.rel("ACCOUNTABLE_FOR", self.pool("owner").pick(rng), init_id)
        if len(self.pool("overseer")) and rng.random() < 0.3:
            self.w.rel("OVERSEES", self.pool("overseer").pick(rng), init_id)
        self._tag(init_id, "CONTRIBUTES_TO",
                  self.pool("outcome").sample(rng, rng.choices((0, 1, 2), (30, 50, 20))[0]))
        if self.recent and rng.random() < 0.04:
            self.w.rel("ALIGNED_WITH", init_id, rng.choice(self.recent)[0], note="Agreed to complement each other.")
        programmes = [row[0] for row in self.recent if row[3] == "programme"]
        if programmes and rng.random() < 0.05:
            self.w.rel("PART_OF", init_id, rng.choice(programmes))
        self.recent.append((init_id, name, description, kind, themes, populations, places))


def _near_copy(rng: random.Random, original: tuple) -> tuple:
    """Another initiative's record with small edits: same kind and tags, a reworded name and description."""
    _, name, description, kind, themes, populations, places = original
    edits = {" to reduce ": " to cut ", " through ": " by means of ", "partners": "local partners", " and ": " & ",
             "tackle": "address", "offers": "provides", "community": "local"}
    words = list(edits.items())
    rng.shuffle(words)
    for old, new in words[:rng.randint(1, 3)]:
        description = description.replace(old, new, 1)
    if rng.random() < 0.4:
        description += " " + rng.choice(CLOSINGS)
    nouns = [n for nouns in KIND_NOUNS.values() for n in nouns]
    for noun in nouns:
        if noun in name:
            name = name.replace(noun, rng.choice(nouns), 1)
            break
    return name, description, kind, list(themes), list(populations), list(places)


def _initiative_dates(rng: random.Random, status: str) -> dict[str, str]:
    if status == "proposed":
        return {"start_date": random_date(rng, 30, 400)} if rng.random() < 0.7 else {}
    if status in ("completed", "closed"):
        start = rng.randint(-7 * 365, -365)
        return {"start_date": random_date(rng, start, start), "end_date": random_date(rng, start + 90, -1)}
    start = rng.randint(-6 * 365, -30)
    dates = {"start_date": random_date(rng, start, start)}
    if rng.random() < 0.6:
        dates["end_date"] = random_date(rng, 30, 3 * 365)
    return dates


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _people_phrase(names: list[str]) -> str:
    """Population names as a phrase, e.g. "Black African and Pakistani communities and global majority staff"."""
    groups = [n[0].lower() + n[1:] for n in names if n.split(" ", 1)[0] in ("Refugees", "Migrants", "People",
                                                                           "Global", "Internationally", "Most")]
    labels = [n for n in names if n[0].lower() + n[1:] not in groups]
    return _join(([f"{_join(labels)} communities"] if labels and not labels[-1].endswith("communities") else labels)
                 + groups)
