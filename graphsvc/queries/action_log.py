"""The board action log for readers: one row per action with owner, due date, RAG and open flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..analysis.gaps import RULES, GapSettings, find_gaps
from ..reports.action_log import SOON_DAYS, build_action_log, count_by_rag, select_rows
from .cache import caches_for, snapshot

__all__ = ["LOG_RULES", "action_log", "action_log_rows"]

# The log shows flags about an action and about its accountable owners; other rules need not run.
LOG_RULES = tuple(rule.id for rule in RULES.values() if rule.subject_type in ("Action", "Person", "Owner"))


def action_log(service, settings: GapSettings, examples: bool = True, statuses: Sequence[str] | None = None,
               rags: Sequence[str] | None = None) -> dict:
    """The log as of ``settings.as_of``: ``{as_of, rows, counts, generated_at, settings}``, only the rows
    whose status and RAG are among ``statuses`` and ``rags`` (None or empty: any)."""
    rows = select_rows(action_log_rows(service, settings, examples), statuses, rags)
    return {"as_of": settings.as_of.isoformat(), "rows": rows, "counts": count_by_rag(rows),
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "settings": {"due_soon_days": SOON_DAYS, "stale_days": settings.stale_days}}


def action_log_rows(service, settings: GapSettings, examples: bool = True) -> list[dict]:
    """Every row of the log, kept per (seq, examples, settings); shared between callers: do not change them."""
    seq, graph = snapshot(service, examples)
    return caches_for(service).action_log.get(seq, (examples, settings), lambda: _rows(service, graph, settings))


def _rows(service, graph, settings: GapSettings) -> list[dict]:
    flags = find_gaps(graph, settings, rules=LOG_RULES)  # the same graph as the rows: they never disagree
    return build_action_log(graph, flags, lambda action_id: _newest_change(service, action_id), settings.as_of)


def _newest_change(service, action_id: str):
    newest = service.store.history(subject=action_id, limit=1)
    return newest[0] if newest else None
