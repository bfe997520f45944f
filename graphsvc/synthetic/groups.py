"""Generation step: communities of practice, networks, boards and working groups, and who belongs to them."""

from __future__ import annotations

from .dates import random_date
from .proportions import GROUP_KINDS
from .state import GeneratorState

__all__ = ["Groups"]


class Groups(GeneratorState):
    """Group nodes (with caucuses under some communities of practice) and MEMBER_OF relationships."""

    def _groups(self) -> None:
        rng, total, index = self.rng, self.counts["Group"], 0
        kinds, weights = list(GROUP_KINDS), list(GROUP_KINDS.values())
        while index < total:
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, weights)[0]
            index += 1
            group_id, name = self._group(f"group-{index:05d}", kind)
            if kind == "community_of_practice" and index + 2 <= total and rng.random() < 0.3:
                for label in ("global majority members", "non-global majority members"):
                    index += 1
                    caucus = self.w.node("Group", f"group-{index:05d}", kind="caucus",
                                         name=f"{name}: racial identity caucus, {label}",
                                         description="Self-selected and confidential; recorded as a group only, "
                                         "no person is linked to it.")
                    self.w.rel("PART_OF", caucus, group_id)
        for org in self.pool("partner_org").ids:  # organisations join networks and governance groups
            for group in self.pool("org_group").sample(rng, rng.choices((0, 1, 2), (65, 25, 10))[0]):
                self.w.rel("MEMBER_OF", org, group, role="partner", since=random_date(rng, -2000, -30))
        for person in self.pool("person").ids:  # people join groups, never a caucus (not in this pool)
            for group in self.pool("member_group").sample(rng, rng.choices((0, 1, 2, 3, 4), (12, 30, 28, 18, 12))[0]):
                ended = {"until": random_date(rng, -9, 0)} if rng.random() < 0.03 else {}
                self.w.rel("MEMBER_OF", person, group, since=random_date(rng, -2000, -10), **ended,
                           role=rng.choices(("member", "chair", "coordinator"), (40, 1, 1))[0])

    def _group(self, group_id: str, kind: str) -> tuple[str, str]:
        rng = self.rng
        place, topic = self.place_names[self.pool("borough").pick(rng)], self._topic(self.pool("theme").pick(rng))
        name = {"community_of_practice": f"{place} Anti-Racism Community of Practice",
                "governance_group": f"{place} Health Equity Governance Group",
                "network": f"{place} {topic} Network", "board": f"{place} Health and Wellbeing Board",
                "working_group": f"{topic} Working Group ({place})"}[kind]
        self.w.node("Group", group_id, name=name, kind=kind,
                    description=f"A {kind.replace('_', ' ')} for {topic.lower()} work in {place}.")
        size = rng.paretovariate(1.3) * (3 if kind in ("community_of_practice", "network") else 1)
        self.pool("member_group").add(group_id, size)  # caucuses are never added here
        if kind in ("network", "governance_group", "board"):
            self.pool("org_group").add(group_id, size)
        if kind in ("governance_group", "board"):
            if kind == "governance_group" and len(self.pool("cop")) and rng.random() < 0.5:
                self.w.rel("OVERSEES", group_id, self.pool("cop").pick(rng))
            self.pool("overseer").add(group_id, size)
        if kind == "working_group" and len(self.pool("overseer")) and rng.random() < 0.7:
            self.w.rel("PART_OF", group_id, self.pool("overseer").pick(rng))
        if kind in ("community_of_practice", "network"):
            self.pool("host").add(group_id, size)
            self.pool("cop").add(group_id)
        if kind != "board" and rng.random() < 0.4:
            self.w.rel("SPONSORS", self.pool("sponsor").pick(rng), group_id)
        return group_id, name
