"""An indicator's page: how it stands, its series as a chart and as tables, and the form that records a value.

How the series is read and judged is graphsvc.analysis.indicators' alone (series, breakdowns, judge, as
of today); this module only puts it into words. The whole-population table is the chart's source: the
chart script (static/indicator_chart.js) reads its rows, so the two cannot disagree, and without
JavaScript the table is the page. Recording goes through graphsvc.measurements.record_measurement, the
API's rules and transaction; its field messages (the small-numbers rule at ``people``) come back beside
the fields, and the page's ETag (hidden in the form) stops a value being recorded over a change unseen.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request

from ..analysis.indicators import MAINTAIN_TOLERANCE, breakdowns, judge, series
from ..app import get_service
from ..errors import Invalid, PreconditionFailed
from ..measurements import INDICATOR, MEASUREMENT, RECORD_ROLE, record_measurement
from ..service import node_etag
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .as_json import render_page
from .edit_forms import body_from_form, form_fields, summary_errors
from .formatting import label_of, readable_date
from .progress import DATE_PARSE_MESSAGES

__all__ = ["indicator_section"]

SHOWN_ROWS = 500  # values per table: an indicator gets a few a year, so this is years of monthly returns
CHOICES_AT_MOST = 500  # populations or places offered in the form's selects
BREAKDOWN_KINDS = (("population", "Population"), ("place", "Place"))  # form field, node type
DIRECTION_WORDS = {"increase": "Higher is better", "decrease": "Lower is better",
                   "maintain": f"Staying within {MAINTAIN_TOLERANCE:.0%} of the target is on track"}
NO_DIRECTION = "Not set, so higher is taken as better"
TREND_WORDS = {"improving": "Improving", "worsening": "Worsening", "unchanged": "Unchanged"}
STALE = ("Someone recorded a value or changed this indicator since you opened its page. Check its values "
         "on its page, then save again if yours is still needed.")
BREAKDOWN_HINTS = {"population": "Leave both blank for a value for the whole population.",
                   "place": "A population in a place: choose both."}


# -- the section on the record page ----------------------------------------------------------------

def indicator_section(service, node, identity) -> dict | None:
    """The series part of an indicator's page: the summary, the chart's data, the tables and the form."""
    graph = service.graph()
    today = dt.datetime.now(dt.UTC).date()
    data = node.properties
    unit = data.get("unit")
    points, judged = series(graph, node.id), judge(graph, node.id, today)
    rows = [_row(point, unit) for point in points[-SHOWN_ROWS:]]
    groups = sorted(breakdowns(graph, node.id).values(), key=lambda group: _for_whom(group[0]))
    broken = [{**_row(point, unit), "for": point["breakdown"]} for group in groups for point in group]
    section = {"summary": _summary(judged, data, today), "rows": rows,
               "total": len(points), "breakdown_rows": broken[:SHOWN_ROWS], "breakdown_total": len(broken),
               "chart": _chart(rows, data, judged["trajectory"]), "can_record": identity.can(RECORD_ROLE)}
    if section["can_record"]:
        section["form"] = form_context(service, node, identity, {}, {})
    return section


def _summary(judged: dict, data: dict, today: dt.date) -> dict:
    """How the indicator stands today, in words: every judgement is judge()'s."""
    unit, latest, previous = data.get("unit"), judged["latest"], judged["previous"]
    on_track = judged["on_track"]
    if latest is None:
        standing = "No values yet"
    elif on_track is None:
        standing = "No trajectory to judge it by: it needs a baseline, a target and their dates"
    else:
        standing = (f"{'On track' if on_track else 'Off track'}: {_amount(latest['value'], unit)} against "
                    f"{_amount(judged['expected'], unit)} on the trajectory for its date")
    moved = judged["trend"]
    trend = TREND_WORDS.get(moved, "Not enough values to tell")
    if moved and previous is not None:
        trend += f" since {_amount(previous['value'], unit)}" + (f" ({_month(previous['date'])})"
                                                                if previous.get("date") else "")
    return {"as_of": readable_date(today.isoformat()), "latest": _latest(latest, unit), "trend": trend,
            "trend_key": moved, "on_track": on_track, "standing": standing,
            "trajectory": _trajectory_words(judged["trajectory"], data),
            "direction": DIRECTION_WORDS.get(data.get("direction"), NO_DIRECTION)}


def _latest(point: dict | None, unit: str | None) -> str:
    if point is None:
        return "None recorded"
    words = _amount(point["value"], unit)
    if point.get("date"):
        words += f" on {readable_date(str(point['date']))}"
    return words + (f" ({point['period']})" if point.get("period") else "")


def _trajectory_words(trajectory: dict | None, data: dict) -> str:
    unit = data.get("unit")
    if trajectory is not None:
        return (f"From {_amount(trajectory['baseline'], unit)} on {readable_date(trajectory['start'])} "
                f"to {_amount(trajectory['target'], unit)} by {readable_date(trajectory['end'])}")
    if data.get("target") is None:
        return "Not set"
    by = f" by {readable_date(str(data['target_date']))}" if data.get("target_date") else ""
    return f"Target {_amount(data['target'], unit)}{by}; no baseline and dates to draw a line from"


def _row(point: dict, unit: str | None) -> dict:
    date = point.get("date")
    return {"id": point.get("id"), "period": point.get("period") or "Not given",
            "date": str(date) if date else None, "date_text": readable_date(str(date)) if date else "Not given",
            "value": point.get("value"), "value_text": _amount(point.get("value"), unit),
            "source": point.get("source") or ("The indicator's latest value" if point.get("id") is None else ""),
            "people": f"{point['people']:,}" if point.get("people") is not None else "",
            "note": point.get("note"), "example": point.get(EXAMPLE_PROPERTY) is True}


def _chart(rows: list[dict], data: dict, trajectory: dict | None) -> dict | None:
    """What the chart's container says: a summary for its aria-label and judge()'s trajectory (the
    values themselves are the table's). None when there is no dated value to draw."""
    dated = [row for row in rows if row["date"] and isinstance(row["value"], int | float)]
    if not dated:
        return None
    unit, first, last = data.get("unit"), dated[0], dated[-1]
    count = f"{len(dated)} value" + ("" if len(dated) == 1 else "s")
    label = (f"Series of {count}: {last['value_text']} ({_month(last['date'])})" if len(dated) == 1 else
             f"Series of {count} from {first['value_text']} ({_month(first['date'])}) "
             f"to {last['value_text']} ({_month(last['date'])})")
    if data.get("target") is not None:
        label += f"; target {_amount(data['target'], unit)}"
        label += f" by {_month(str(data['target_date']))}" if data.get("target_date") else ""
    return {"label": label, "unit": unit or "", "trajectory": trajectory or {}}


def _for_whom(point: dict) -> str:
    return " in ".join(part["name"] for part in point["breakdown"])


# -- recording a value -----------------------------------------------------------------------------

@web.route("/indicators/<indicator_id>/measurements", methods=["POST"])
def record_indicator_value(indicator_id: str):
    if not g.user.can(RECORD_ROLE):
        abort(403)
    service = get_service()
    indicator = service.get_node(indicator_id, INDICATOR)  # NotFound (not an indicator) becomes the 404 page
    body, values = body_from_form(service.node_type(MEASUREMENT), g.user, request.form, editing=False)
    body.pop(EXAMPLE_PROPERTY, None)  # follows the indicator; the service refuses nothing it was not sent
    chosen = {field: request.form.get(field, "").strip() for field, _ in BREAKDOWN_KINDS}
    values.update(chosen)
    breakdown = [chosen[field] for field, _ in BREAKDOWN_KINDS if chosen[field]]
    if breakdown:
        body["breakdown"] = breakdown
    try:
        recorded = record_measurement(service, indicator_id, body, g.user.name,
                                      if_match=request.form.get("etag") or None)
    except PreconditionFailed as error:
        errors, status = {"_record": [STALE]}, error.status
        indicator = service.get_node(indicator_id, INDICATOR)  # the form carries its new ETag from here
    except Invalid as error:
        errors, status = error.errors or {"_record": [error.message]}, error.status
    else:
        flash(_saved_message(service, recorded), "success")
        return redirect(f"/records/{indicator_id}#indicator-values")
    form = form_context(service, indicator, g.user, values, _located(errors, chosen))
    return render_page("web/indicator_form.html", {"page_title": form["page_title"], "form": form}, status)


def form_context(service, indicator, identity, values: dict, errors: dict) -> dict:
    """The form: Measurement's fields from the vocabulary, then who the value is for (a population, a
    place or both), and the indicator's ETag so that a change made meanwhile is not recorded over."""
    node_type = service.node_type(MEASUREMENT)
    fields = [_service_words(field, errors) for field in form_fields(node_type, identity, values, errors)
              if field["name"] != EXAMPLE_PROPERTY]
    fields += [_choice(service, field, kind, values.get(field), errors.get(field)) for field, kind in BREAKDOWN_KINDS]
    error_list = summary_errors(fields, errors)
    label = label_of(service.vocabulary, indicator.type, indicator.properties, indicator.id)
    title = "Record a value"
    return {"page_title": ("Error: " if error_list else "") + f"{title} – {label}", "heading": title,
            "indicator": {"id": indicator.id, "label": label, "unit": indicator.properties.get("unit"),
                          "example": indicator.properties.get(EXAMPLE_PROPERTY) is True},
            "fields": fields, "error_list": error_list, "etag": node_etag(indicator),
            "form_action": f"/indicators/{indicator.id}/measurements", "cancel": f"/records/{indicator.id}"}


def _choice(service, field: str, kind: str, value: str | None, messages) -> dict:
    nodes, _ = service.list_nodes(kind, limit=CHOICES_AT_MOST)
    items = [{"value": "", "text": "Not for one " + kind.lower(), "selected": not value}]
    for node in sorted(nodes, key=lambda item: str(item.properties.get("name") or item.id).lower()):
        name = str(node.properties.get("name") or node.id)
        marked = " (example data)" if node.properties.get(EXAMPLE_PROPERTY) is True else ""
        items.append({"value": node.id, "text": name + marked, "selected": value == node.id})
    label = f"{kind} the value is for"
    return {"name": field, "label": f"{label} (optional)", "plain_label": label, "hint": BREAKDOWN_HINTS[field],
            "control": "select", "items": items, "value": value, "disabled": False, "focus_id": field,
            "error": str(messages[0]) if messages else None}


def _service_words(field: dict, errors: dict) -> dict:
    """A date's error in the service's words (a date after today) unless the date could not be read."""
    messages = errors.get(field["name"])
    if field["control"] == "date" and messages and str(messages[0]) not in DATE_PARSE_MESSAGES:
        return {**field, "error": str(messages[0])}
    return field


def _located(errors: dict, chosen: dict) -> dict:
    """The service locates a problem with the breakdown at ``breakdown``; the form shows it beside the
    select that was used (the population's, when both were)."""
    errors = dict(errors)
    messages = errors.pop("breakdown", None)
    if messages:
        field = next((field for field, _ in BREAKDOWN_KINDS if chosen[field]), BREAKDOWN_KINDS[0][0])
        errors[field] = messages if isinstance(messages, list) else [messages]
    return errors


def _saved_message(service, recorded) -> str:
    indicator = recorded.indicator
    label = label_of(service.vocabulary, indicator.type, indicator.properties, indicator.id)
    value = _amount(recorded.measurement.properties.get("value"), indicator.properties.get("unit"))
    whom = " for " + " in ".join(part["name"] for part in recorded.breakdown) if recorded.breakdown else ""
    return f"The value {value}{whom} for {recorded.measurement.properties.get('period')} has been recorded on {label}."


# -- words -----------------------------------------------------------------------------------------

def _amount(value, unit: str | None) -> str:
    """57 and "%" -> "57%"; 1.48 and "ratio" -> "1.48 ratio"; 1234.5 -> "1,234.5"."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "Not given" if value is None else str(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _month(date: str) -> str:
    """`2026-09-30` -> "September 2026"."""
    return readable_date(str(date)[:7])
