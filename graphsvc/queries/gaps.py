"""The gap report for readers: every flag, kept per (seq, examples, settings), then filtered per request.

``moment`` (None: now) asks for the graph as it stood at a past change (queries/as_of.py); the day the
rules judge against is ``settings.as_of`` either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from ..analysis.gaps import Gap, GapSettings, count_by_rule, find_gaps
from .as_of import answer_at
from .moments import Moment

__all__ = ["gap_answer", "gap_report", "gap_report_at", "gaps"]


def gaps(service, settings: GapSettings, examples: bool = True, rules: Collection[str] | None = None,
         severity: str | None = None, subject_type: str | None = None, moment: Moment | None = None) -> list[Gap]:
    """The gaps (most severe first) of the given rules, severity and subject type; None means any
    (``rules`` empty means none)."""
    return _filtered(gap_report(service, settings, examples, moment), rules, severity, subject_type)


def gap_report(service, settings: GapSettings, examples: bool = True, moment: Moment | None = None) -> list[Gap]:
    """Every gap, most severe first, as of the newest change (or ``moment``).

    Kept for the newest seq: a dashboard asking again, or for another filter, before anything changed
    gets the answer at once. The list is shared between callers: do not change it.
    """
    return gap_report_at(service, settings, examples, moment)[0]


def gap_report_at(service, settings: GapSettings, examples: bool = True,
                  moment: Moment | None = None) -> tuple[list[Gap], Moment]:
    """``(every gap, the moment the graph judged reflects)``."""
    return answer_at(service, moment, examples, "gaps", (examples, settings),
                     lambda graph, _moment: find_gaps(graph, settings))


def gap_answer(service, settings: GapSettings, examples: bool = True, moment: Moment | None = None,
               **filters) -> dict:
    """The report as the API gives it: ``{gaps: [dict], counts: {rule: n}, settings, graph_as_of: {seq, at},
    judged_on}``; ``filters`` as ``gaps``."""
    report, answered = gap_report_at(service, settings, examples, moment)
    found = _filtered(report, filters.get("rules"), filters.get("severity"), filters.get("subject_type"))
    return {"gaps": [gap.as_dict() for gap in found], "counts": count_by_rule(found),
            "settings": dataclasses.asdict(settings), "graph_as_of": answered.as_dict(),
            "judged_on": settings.as_of.isoformat()}


def _filtered(report: list[Gap], rules, severity, subject_type) -> list[Gap]:
    return [gap for gap in report
            if (rules is None or gap.rule in rules) and (not severity or gap.severity == severity)
            and (not subject_type or gap.subject["type"] == subject_type)]
