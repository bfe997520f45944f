"""RAG transitions in a window of the change log: how progress updates moved an action's RAG.

A new progress update is compared with the action's previous update, ordered by the update's ``date``
and then by when it was recorded (so an update entered late for an earlier day does not count as the
newest); a first update is compared with none. An update whose ``rag`` was edited counts too. An
unchanged RAG (amber after amber) is no transition. Updates recorded in the window count with the RAG
they were recorded with; earlier ones with the RAG they hold now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store.model import Change
from .change_digest import RAG, REPORTS_ON, erased, stamp

if TYPE_CHECKING:
    from .change_digest import Digest

__all__ = ["RagTransitions"]


class RagTransitions:
    """RAG changes: a new progress update's RAG against the action's previous update (ordered by the update's
    date, then when it was recorded), and an update whose RAG was changed. An unchanged RAG is no transition."""

    def __init__(self, digest: Digest):
        self.digest, self.store = digest, digest.store
        self.updates: dict[str, dict[str, tuple]] = {}  # action -> {update: (date, created_at, id, rag)}

    def items(self) -> list[dict]:
        found = []
        for change in self.digest.new_updates:
            action, rag = self._action_of(change.subject), (change.after or {}).get(RAG)
            previous = self._previous(action, change.after or {}) if action else None
            if rag != previous and not erased(change.subject):
                found.append(self._item(action, change, previous, rag, "new_update"))
        for change in self.digest.rag_changed:
            found.append(self._item(self._action_of(change.subject), change, (change.before or {}).get(RAG),
                                    (change.after or {}).get(RAG), "changed_update"))
        return sorted(found, key=lambda item: item["seq"])

    def _item(self, action, change: Change, before, after, kind: str) -> dict:
        self.digest.look_up({action, change.subject})
        return {"record": self.digest.ref(action), "update": self.digest.ref(change.subject), "before": before,
                "after": after, "kind": kind, **stamp(change)}

    def _action_of(self, update: str) -> str | None:
        if update not in self.digest.reports:
            links = self.store.find_relationships(rel_type=REPORTS_ON, source=update, limit=1)[0]
            self.digest.reports[update] = links[0].target if links else None
        return self.digest.reports[update]

    def _previous(self, action: str, update: dict) -> str | None:
        mine = _order(update)
        earlier = [key for key in self._updates_of(action).values() if key[:3] < mine[:3]]
        return max(earlier)[3] if earlier else None

    def _updates_of(self, action: str) -> dict[str, tuple]:
        if action not in self.updates:
            links = self.store.find_relationships(rel_type=REPORTS_ON, target=action, limit=100_000)[0]
            stored = self.store.get_nodes([link.source for link in links])
            known = {node_id: _order(node.as_record()) for node_id, node in stored.items()}
            # Updates recorded in the window count with the RAG they were recorded with.
            known.update({c.subject: _order(c.after or {}) for c in self.digest.new_updates
                          if self.digest.reports.get(c.subject) == action})
            self.updates[action] = known
        return self.updates[action]


def _order(update: dict) -> tuple:
    """(date, recorded at, id, rag): the order of an action's updates, and the RAG last."""
    return (str(update.get("date") or ""), str(update.get("created_at") or ""), str(update.get("id") or ""),
            update.get(RAG))
