"""Generation steps: shared resources (toolkits, recordings, reports) and events (learning sessions, meetings)."""

from __future__ import annotations

from .dates import random_date
from .state import GeneratorState

__all__ = ["ResourcesAndEvents"]


class ResourcesAndEvents(GeneratorState):
    """Resource and Event nodes, tagged with themes; events hosted by communities of practice and networks."""

    def _resources(self) -> None:
        rng = self.rng
        kinds = ("recording", "toolkit", "summary", "guide", "case_study", "report", "introduction_pack", "other")
        for index in range(1, self.counts["Resource"] + 1):
            kind = rng.choices(kinds, (25, 15, 15, 15, 12, 10, 3, 5))[0]
            themes = self.pool("theme").sample(rng, rng.choices((1, 2, 3), (60, 30, 10))[0])
            topic = self._topic(themes[0]).lower()
            resource = self.w.node("Resource", f"resource-{index:05d}", kind=kind,
                                   title=f"{kind.replace('_', ' ').capitalize()}: {topic} "
                                   f"({self.place_names[self._local_place()]})",
                                   url=f"https://example.org/resources/{index}")
            self._tag(resource, "ADDRESSES", themes)

    def _events(self) -> None:
        rng = self.rng
        kinds = ("learning_session", "action_planning", "caucus_session", "case_study", "induction", "meeting", "other")
        for index in range(1, self.counts["Event"] + 1):
            kind = rng.choices(kinds, (35, 15, 8, 10, 7, 20, 5))[0]
            themes = self.pool("theme").sample(rng, rng.choices((0, 1, 2), (10, 60, 30))[0])
            topic = self._topic(themes[0]) if themes else "Anti-racism"
            title = {"caucus_session": "Caucus sessions (self-selected, confidential)", "induction": "Induction for "
                     "new members", "meeting": f"Quarterly meeting: {topic.lower()}"}.get(kind, f"{topic}: "
                                                                                        f"{kind.replace('_', ' ')}")
            event = self.w.node("Event", f"event-{index:05d}", title=title, date=random_date(rng, -730, 365),
                                format=rng.choices(("in_person", "online", "hybrid"), (4, 4, 2))[0], kind=kind)
            if rng.random() < 0.9:
                self.w.rel("HOSTED_BY", event, self.pool("host").pick(rng))
            self._tag(event, "ADDRESSES", themes)
