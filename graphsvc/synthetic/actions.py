"""Generation step: the actions that implement recommendations, with at most one accountable owner."""

from __future__ import annotations

from typing import Any

from .dates import random_date
from .state import GeneratorState
from .words import ACTION_VERBS, theme_words

__all__ = ["Actions"]


class Actions(GeneratorState):
    """Action nodes with IMPLEMENTS, ACCOUNTABLE_FOR and the RACI relationships to people."""

    def _actions(self) -> None:
        rng = self.rng
        for index in range(1, self.counts["Action"] + 1):
            theme = self.pool("theme").pick(rng)
            method = rng.choice(theme_words(theme)[2])
            status = rng.choices(("not_started", "in_progress", "blocked", "done", "cancelled"), (25, 40, 7, 23, 5))[0]
            props: dict[str, Any] = {"title": f"{rng.choice(ACTION_VERBS)} {method}", "reference": f"A-{index:05d}",
                                     "description": f"To tackle {self._problem(theme)}: {method}, with named owners "
                                     f"and a date for review.", "status": status,
                                     "priority": rng.choices(("high", "medium", "low"), (3, 5, 2))[0]}
            if rng.random() < 0.92:
                props["due_date"] = (random_date(rng, -700, 60) if status in ("done", "cancelled")
                                     else random_date(rng, -200, 500))
            action = self.w.node("Action", f"action-{index:06d}", **props)
            for rec in self.pool("recommendation").sample(rng, rng.choices((0, 1, 2), (4, 86, 10))[0]):
                self.w.rel("IMPLEMENTS", action, rec)
            if rng.random() < 0.88:  # at most one accountable owner (the vocabulary allows only one)
                roll = rng.random()
                owner = self.pool("owner" if roll < 0.8 else "member_group" if roll < 0.92 else "partner_org").pick(rng)
                self.w.rel("ACCOUNTABLE_FOR", owner, action)
            for rel_type, weights in (("RESPONSIBLE_FOR", (15, 40, 30, 15)), ("CONSULTED_ON", (40, 35, 18, 7)),
                                      ("INFORMED_OF", (40, 35, 18, 7))):
                self._tag(action, rel_type, self.pool("person").sample(rng, rng.choices((0, 1, 2, 3), weights)[0]),
                          reverse=True)
            self._tag(action, "ADDRESSES", [theme] + self.pool("theme").sample(rng, int(rng.random() < 0.3), (theme,)))
            outcomes = self.pool("outcome").sample(rng, rng.choices((0, 1, 2), (25, 60, 15))[0])
            self._tag(action, "CONTRIBUTES_TO", outcomes)
            if rng.random() < 0.4:
                self.w.rel("OVERSEES", self.pool("overseer").pick(rng), action)
