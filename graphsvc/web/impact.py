"""The impact summary (/impact) and the trace from a recommendation or initiative to its effect.

Thin views over the read layer (graphsvc/queries/impact.py, the same answers as /api/v1/impact and the
trace endpoints): they read an optional ``judged_on`` from the address, ask, and put words beside every
state (RAG, track, trend) so nothing is told by colour alone. `?format=json` gives each page's context.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import count

from flask import current_app, request

from ..app import get_service
from ..queries.impact import impact, trace_of
from ..queries.settings import gap_settings, today
from . import web
from .actions import RAG_COLOURS
from .as_json import render_page
from .formatting import phrase, readable_date

__all__: list[str] = []

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BAD_DATE = "Enter the date as YYYY-MM-DD, for example 2026-12-01."
BREAK_LABELS = {"recommendation-without-action": "No action", "action-without-outcome": "No outcome",
                "outcome-without-indicator": "No indicator", "indicator-without-data": "No data",
                "indicator-off-track": "Off track"}
TRENDS = {"improving": "Improving", "worsening": "Worsening", "unchanged": "Unchanged"}
COLUMNS = (("work", "Work"), ("outcomes", "Outcomes"), ("data", "Indicator with data"), ("moving", "Moving"),
           ("off_track", "Off track"))
MEANINGS = (("Work", "an action that is not cancelled implements the recommendation."),
            ("Outcomes", "at least one of those actions says which outcome it contributes to."),
            ("Indicator with data", "an indicator measuring one of those outcomes has at least one value."),
            ("Moving", "one of those indicators is improving: its latest value is better than the one before."),
            ("Off track", "one of those indicators is worse than its trajectory (baseline to target) expects."))


@web.route("/impact")
def impact_page():
    judged_on, errors = _judged_on(request.args)
    context = _frame("Impact", errors) | {"meanings": MEANINGS, "columns": COLUMNS}
    if not errors:
        summary = impact(get_service(), judged_on)
        context |= {"summary": {**summary, "areas": [_area(a, i) for i, a in enumerate(summary["areas"], 1)],
                                "totals_text": _counts_text(summary["totals"])},
                    "judged_on_text": readable_date(summary["judged_on"])}
    return render_page("web/impact.html", context, 400 if errors else 200)


@web.route("/recommendations/<node_id>/trace")
def recommendation_trace_page(node_id: str):
    return _trace_page(node_id, "Recommendation")


@web.route("/initiatives/<node_id>/trace")
def initiative_trace_page(node_id: str):
    return _trace_page(node_id, "Initiative")


def _trace_page(node_id: str, node_type: str):
    judged_on, errors = _judged_on(request.args)
    settings = gap_settings(current_app.config, {"as_of": judged_on or today()})
    found = trace_of(get_service(), node_id, node_type, settings)  # NotFound becomes the 404 page
    context = _frame(f"Trace: {found['subject']['name']}", errors) | {
        "trace": _shaped(found), "judged_on_text": readable_date(found["judged_on"]),
        "counts_text": _trace_counts(found["counts"], node_type)}
    return render_page("web/trace.html", context, 400 if errors else 200)


def _judged_on(args) -> tuple[dt.date | None, dict]:
    text = args.get("judged_on", "").strip()[:40]
    if not text:
        return None, {}
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text), {}
    except ValueError:
        return None, {"judged_on": BAD_DATE}


def _frame(title: str, errors: dict) -> dict:
    return {"page_title": ("Error: " if errors else "") + title, "errors": errors,
            "error_list": [{"text": message, "href": f"#{field}"} for field, message in errors.items()],
            "judged_on_value": request.args.get("judged_on", "")[:40]}


# -- the summary --------------------------------------------------------------------------------------

def _area(area: dict, index: int) -> dict:
    return {**area, "anchor": f"area-{index}", "text": _counts_text(area)}


def _counts_text(counts: dict) -> str:
    total = counts["count"]
    return (f"{_recommendations(total)}: {counts['with_work']} with work, {counts['with_outcomes']} with outcomes, "
            f"{counts['with_data']} with an indicator that has data, {counts['moving']} with a moving indicator, "
            f"{counts['off_track']} with an indicator off track.")


def _recommendations(total: int) -> str:
    return f"{total} recommendation" + ("" if total == 1 else "s")


# -- the trace ----------------------------------------------------------------------------------------

def _shaped(found: dict) -> dict:
    """The trace with words for each state, and an anchor beside each break so the list at the top links
    down to where the chain first breaks there."""
    numbers, first = count(1), {}

    def breaks(items: list[dict]) -> list[dict]:
        shaped = []
        for item in items:
            anchor = f"break-{next(numbers)}"
            first.setdefault((item["kind"], item["subject"]["id"]), anchor)
            shaped.append({**item, "anchor": anchor, "label": BREAK_LABELS[item["kind"]]})
        return shaped

    def indicator(item: dict) -> dict:
        return {**item, "breaks": breaks(item["breaks"]), **_indicator_words(item)}

    def outcome(item: dict) -> dict:
        return {**item, "breaks": breaks(item["breaks"]), "indicators": [indicator(i) for i in item["indicators"]]}

    def action(item: dict) -> dict:
        reported = item["reported"]
        return {**item, "breaks": breaks(item["breaks"]), "rag_label": phrase(item["rag"]),
                "rag_colour": RAG_COLOURS[item["rag"]], "status_label": phrase(item["status"] or "not recorded"),
                "due": readable_date(item["due_date"]) if item["due_date"] else "No due date",
                "reported_text": (f"{phrase(reported['rag'] or 'no RAG')}, on {readable_date(reported['date'] or '')}"
                                  if reported else "No progress reported"),
                "outcomes": [outcome(o) for o in item["outcomes"]]}

    subject = {**found["subject"], "breaks": breaks(found["subject"]["breaks"])}
    shaped = {**found, "subject": subject, "actions": [action(a) for a in found.get("actions", ())],
              "outcomes": [outcome(o) for o in found.get("outcomes", ())]}
    shaped["breaks"] = [{**b, "href": "#" + first[(b["kind"], b["subject"]["id"])], "label": BREAK_LABELS[b["kind"]]}
                        for b in found["breaks"]]
    return shaped


def _indicator_words(item: dict) -> dict:
    unit = item.get("unit") or ""
    latest = item["latest"]
    if item["on_track"] is True:
        track = ("On track", "green")
    elif item["on_track"] is False:
        track = ("Off track", "red")
    else:
        track = ("Not judged: no values yet" if not item["points"] else "Not judged: no trajectory", "grey")
    return {"latest_text": (f"{_amount(latest['value'], unit)} on {readable_date(latest['date'] or '')}"
                            + (f" ({latest['period']})" if latest.get("period") else "")) if latest else "No value yet",
            "expected_text": _amount(item["expected"], unit) if item["expected"] is not None else None,
            "track_label": track[0], "track_colour": track[1],
            "trend_text": TRENDS.get(item["trend"], "Not enough values to show a trend")}


def _amount(value, unit: str) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


def _trace_counts(counts: dict, node_type: str) -> str:
    actions = counts["actions"]
    work = (f"{actions['open']} open and {actions['done']} done action{'s' if actions['done'] != 1 else ''}, "
            if node_type == "Recommendation" else "")
    return (f"{work}{counts['outcomes']} outcome{'s' if counts['outcomes'] != 1 else ''}, "
            f"{counts['indicators']} indicator{'s' if counts['indicators'] != 1 else ''}: "
            f"{counts['with_data']} with data, {counts['improving']} improving, {counts['off_track']} off track.")
