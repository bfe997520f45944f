"""Generation steps: reviews with their findings and recommendations, outcomes, and indicators."""

from __future__ import annotations

from typing import Any

from .dates import random_date
from .proportions import OUTCOME_LEVELS
from .state import GeneratorState
from .words import ACTION_VERBS, SECTIONS, theme_words

__all__ = ["EvidenceAndOutcomes"]


class EvidenceAndOutcomes(GeneratorState):
    """Source, Finding, Recommendation, Outcome and Indicator nodes."""

    def _sources(self) -> None:
        rng = self.rng
        sources, findings, recs = self.counts["Source"], self.counts["Finding"], self.counts["Recommendation"]
        for index in range(1, sources + 1):
            theme = self.pool("theme").pick(rng)
            place = self.place_names[self.pool("borough").pick(rng)]
            year = rng.randint(2019, 2026)
            source = self.w.node("Source", f"source-{index:04d}", title=f"{place} {self._topic(theme)} review {year}",
                                 publisher=rng.choice(self.org_names)[1], url=f"https://example.org/reports/{index}",
                                 published=f"{year}-{rng.randint(1, 12):02d}-01")
            mine = []
            for n in range(_share(findings, sources, index)):
                theme_n = theme if n == 0 else self.pool("theme").pick(rng)
                finding = self.w.node("Finding", f"finding-{index:04d}-{n + 1:02d}", area=rng.choice(SECTIONS),
                                      statement=f"{rng.choice(('Staff', 'Residents', 'Members', 'Partners'))} in "
                                      f"{place} described {self._problem(theme_n)}.")
                self.w.rel("FROM_SOURCE", finding, source)
                self._tag(finding, "ADDRESSES", [theme_n])
                mine.append(finding)
            for n in range(_share(recs, sources, index)):
                theme_r = theme if n == 0 else self.pool("theme").pick(rng)
                method = rng.choice(theme_words(theme_r)[2])
                rec = self.w.node("Recommendation", f"rec-{index:04d}-{n + 1:02d}", area=rng.choice(SECTIONS),
                                  title=f"{rng.choice(ACTION_VERBS)} {method}",
                                  description=f"Partners should {rng.choice(ACTION_VERBS).lower()} {method} to "
                                  f"tackle {self._problem(theme_r)} in {place}.")
                self.w.rel("FROM_SOURCE", rec, source)
                for finding in rng.sample(mine, min(len(mine), rng.randint(0, 2))):
                    self.w.rel("RESPONDS_TO", rec, finding)
                self._tag(rec, "ADDRESSES", [theme_r] + self.pool("theme").sample(rng, int(rng.random() < 0.4),
                                                                                   (theme_r,)))
                self.pool("recommendation").add(rec, 0 if rng.random() < 0.1 else rng.paretovariate(1.5))

    def _outcomes(self) -> None:
        rng, levels = self.rng, list(OUTCOME_LEVELS)
        for index in range(1, self.counts["Outcome"] + 1):
            level = rng.choices(levels, list(OUTCOME_LEVELS.values()))[0]
            topic, place = self._topic(self.pool("theme").pick(rng)).lower(), self.place_names[self._local_place()]
            title = {"individual": f"Staff apply anti-racist practice in {topic} work",
                     "team": f"Teams in {place} change their practice on {topic}",
                     "organisational": f"Partner organisations in {place} own their {topic} actions",
                     "system": f"Narrower disparities in {topic} across {place}"}[level]
            outcome = self.w.node("Outcome", f"outcome-{index:05d}", title=title, level=level)
            if level == "system":
                self.pool("system_outcome").add(outcome)
            elif len(self.pool("system_outcome")) and rng.random() < 0.3:
                self.w.rel("PART_OF", outcome, self.pool("system_outcome").pick(rng))
            if rng.random() < 0.4:
                self.w.rel("ACCOUNTABLE_FOR", self.pool("owner").pick(rng), outcome)
            self.pool("outcome").add(outcome, rng.paretovariate(2))

    def _indicators(self) -> None:
        rng = self.rng
        for index in range(1, self.counts["Indicator"] + 1):
            direction = rng.choices(("increase", "decrease", "maintain"), (6, 3, 1))[0]
            baseline = round(rng.uniform(5, 80), 1)
            target = round(baseline * {"increase": 1.4, "decrease": 0.6, "maintain": 1.0}[direction], 1)
            props: dict[str, Any] = {"unit": rng.choice(("%", "ratio", "people", "per 1,000", "days")),
                                     "baseline": baseline, "target": target, "direction": direction}
            if rng.random() < 0.6:
                props.update(latest_value=round(rng.uniform(min(baseline, target), max(baseline, target)), 1),
                             latest_date=random_date(rng, -365, -1))
            topic = self._topic(self.pool("theme").pick(rng)).lower()
            indicator = self.w.node("Indicator", f"indicator-{index:05d}",
                                    name=f"{rng.choice(('Share of', 'Number of', 'Rate of'))} people reached by "
                                    f"{topic} work ({index})", **props)
            self.w.rel("MEASURES", indicator, self.pool("outcome").pick(rng))


def _share(total: int, parts: int, index: int) -> int:
    """Part ``index`` (1-based) of ``total`` split as evenly as possible into ``parts``."""
    return total * index // parts - total * (index - 1) // parts
