"""The board action log for readers: one row per action with owner, due date, RAG and open flags.

``moment`` (None: now) asks for the actions as they stood at a past change (queries/as_of.py); the day
RAG and the flags are judged on is ``settings.as_of`` either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..analysis.gaps import RULES, GapSettings, find_gaps
from ..reports.action_log import SOON_DAYS, build_action_log, count_by_rag, select_rows
from .as_of import answer_at, newest_change_at
from .moments import Moment

__all__ = ["LOG_RULES", "action_log", "action_log_rows"]

# The log shows flags about an action and about its accountable owners; other rules need not run.
LOG_RULES = tuple(rule.id for rule in RULES.values() if rule.subject_type in ("Action", "Person", "Owner"))


def action_log(service, settings: GapSettings, examples: bool = True, statuses: Sequence[str] | None = None,
               rags: Sequence[str] | None = None, moment: Moment | None = None) -> dict:
    """The log judged on ``settings.as_of``: ``{as_of, judged_on, graph_as_of, rows, counts, generated_at,
    settings}``, only the rows whose status and RAG are among ``statuses`` and ``rags`` (None or empty: any).
    ``as_of`` is the judging day, as it always was (pages and file names use it); ``judged_on`` says the same
    under the clearer name and ``graph_as_of`` ({seq, at}) names the moment of the graph."""
    all_rows, answered = _rows_at(service, settings, examples, moment)
    rows = select_rows(all_rows, statuses, rags)
    return {"as_of": settings.as_of.isoformat(), "judged_on": settings.as_of.isoformat(),
            "graph_as_of": answered.as_dict(), "rows": rows, "counts": count_by_rag(rows),
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "settings": {"due_soon_days": SOON_DAYS, "stale_days": settings.stale_days}}


def action_log_rows(service, settings: GapSettings, examples: bool = True, moment: Moment | None = None) -> list[dict]:
    """Every row of the log, kept per (seq, examples, settings); shared between callers: do not change them."""
    return _rows_at(service, settings, examples, moment)[0]


def _rows_at(service, settings: GapSettings, examples: bool, moment: Moment | None):
    return answer_at(service, moment, examples, "action_log", (examples, settings),
                     lambda graph, answered: _rows(service, graph, settings, answered.seq))


def _rows(service, graph, settings: GapSettings, seq: int) -> list[dict]:
    flags = find_gaps(graph, settings, rules=LOG_RULES)  # the same graph as the rows: they never disagree
    # The newest entry about the action made by the graph's moment: a later one would not match the row.
    return build_action_log(graph, flags, lambda action_id: newest_change_at(service.store, action_id, seq),
                            settings.as_of)
