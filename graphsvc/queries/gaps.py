"""The gap report for readers: every flag, kept per (seq, examples, settings), then filtered per request."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from ..analysis.gaps import Gap, GapSettings, count_by_rule, find_gaps
from .cache import caches_for, snapshot

__all__ = ["gap_answer", "gap_report", "gaps"]


def gaps(service, settings: GapSettings, examples: bool = True, rules: Collection[str] | None = None,
         severity: str | None = None, subject_type: str | None = None) -> list[Gap]:
    """The gaps (most severe first) of the given rules, severity and subject type; None means any
    (``rules`` empty means none)."""
    return [gap for gap in gap_report(service, settings, examples)
            if (rules is None or gap.rule in rules) and (not severity or gap.severity == severity)
            and (not subject_type or gap.subject["type"] == subject_type)]


def gap_report(service, settings: GapSettings, examples: bool = True) -> list[Gap]:
    """Every gap, most severe first, as of the newest change.

    Kept for the newest seq: a dashboard asking again, or for another filter, before anything changed
    gets the answer at once. The list is shared between callers: do not change it.
    """
    seq, graph = snapshot(service, examples)
    return caches_for(service).gaps.get(seq, (examples, settings), lambda: find_gaps(graph, settings))


def gap_answer(service, settings: GapSettings, examples: bool = True, **filters) -> dict:
    """The report as the API gives it: ``{gaps: [dict], counts: {rule: n}, settings}``; ``filters`` as ``gaps``."""
    found = gaps(service, settings, examples, **filters)
    return {"gaps": [gap.as_dict() for gap in found], "counts": count_by_rule(found),
            "settings": dataclasses.asdict(settings)}
