"""Flags over time: which flags opened, closed and stayed open between two moments, in words.

A GET form, so the dates live in the address (bookmarkable, shareable), with a "Since the last meeting"
shortcut. The view asks the read layer (``graphsvc.queries.flag_changes``, the answer of
`GET /api/v1/gaps/changes`) and turns each flag into a row a person reads; `?format=json` gives those rows.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import current_app, request

from ..analysis.gaps import RULES
from ..app import get_service
from ..errors import Invalid
from ..queries.changes import LAST_MEETING, last_meeting
from ..queries.flag_changes import flags_between
from ..queries.settings import gap_settings
from . import web
from .as_json import render_page
from .formatting import phrase, readable_date, readable_time

__all__ = ["flag_changes_context"]

PAGE_ROWS = 100  # flags per section on the page; the counts are always whole, the API gives every flag
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# (list in the answer, heading, anchor, what an empty one says)
SECTIONS = (("opened", "Opened", "opened", "No flag opened in this period."),
            ("closed", "Closed", "closed", "No flag closed in this period."),
            ("still_open", "Still open", "still-open", "No flag that was open at the start is still open."))
OPERATION_WORDS = {"create_node": "created", "update_node": "changed", "delete_node": "deleted",
                   "create_relationship": "linked", "delete_relationship": "unlinked",
                   "replace_relationships": "owner handed over"}


@web.route("/gaps/changes")
def flag_changes():
    context = flag_changes_context(get_service(), request.args)
    return render_page("web/flag_changes.html", context, 400 if context["errors"] else 200)


def flag_changes_context(service, args) -> dict:
    since, until, group = (args.get(name, "").strip() or None for name in ("since", "until", "group"))
    errors, answer = {}, None
    try:
        answer = flags_between(service, since, until, group, settings=gap_settings(current_app.config))
    except Invalid as problem:
        errors = {field: " ".join(map(str, messages)) for field, messages in (problem.errors or {}).items()}
    meeting = last_meeting(service, None if "group" in errors else group)
    context = {
        "page_title": ("Error: " if errors else "") + "Flags over time",
        "errors": errors,
        "error_list": [{"text": message, "href": "#until" if field == "until" else "#since"}
                       for field, message in errors.items()],
        "since_value": since if since and _DATE.fullmatch(since) else (answer["since"]["at"] or "")[:10]
        if answer else "",
        "until_value": until if until and _DATE.fullmatch(until) else "",
        "group": group,
        "meeting": _meeting(meeting, group),
        "json_href": "/gaps/changes?" + urlencode([*_query(since, until, group), ("format", "json")]),
    }
    if answer is not None:
        graph = service.graph()
        context["window"] = _window_words(answer)
        context["counts"] = [{"text": heading, "count": answer["counts"][name], "href": f"#{anchor}"}
                             for name, heading, anchor, _ in SECTIONS]
        context["sections"] = [_section(answer[name], name, heading, anchor, empty, graph)
                               for name, heading, anchor, empty in SECTIONS]
    return context


def _section(flags: list[dict], name: str, heading: str, anchor: str, empty: str, graph) -> dict:
    rows = [_row(flag, name, graph) for flag in flags[:PAGE_ROWS]]
    return {"name": name, "heading": heading, "anchor": anchor, "empty": empty, "rows": rows,
            "count": len(flags), "more": len(flags) - len(rows)}


def _row(flag: dict, section: str, graph) -> dict:
    subject = flag["subject"]
    rule = RULES.get(flag["rule"])
    return {"flag": rule.summary if rule else phrase(flag["rule"]), "message": flag["message"],
            "severity": flag["severity"], "example": flag.get("example", False),
            # A closed flag's subject may have been deleted: then it is named, not linked.
            "subject": {"id": subject["id"] if subject["id"] in graph else None, "name": subject["name"],
                        "type": phrase(subject["type"] or "record")},
            "open_since": _open_since_words(flag["open_since"], section),
            "closed_by": _closed_by_words(flag.get("closed_by")) if section == "closed" else None}


def _open_since_words(since: dict | None, section: str) -> str:
    """"At every meeting since 15 September 2026 (…): at least 83 days", as the samples found it."""
    if since is None:
        return "Opened in this period"
    days = f"{since['days']} day{'' if since['days'] == 1 else 's'}"
    if since["meeting"]:
        words = f"at every meeting since {readable_date(since['date'])} ({since['meeting']['title']})"
    else:
        words = f"since {readable_date(since['date'])} or earlier"
    if section == "closed":
        return f"It had been open {words}: at least {days} when the period began"
    return f"{words[:1].upper()}{words[1:]}: at least {days}"


def _closed_by_words(change: dict | None) -> str:
    if change is None:
        return "Nothing about it changed: a date passed (for example a due date or an event came into range)"
    what = OPERATION_WORDS.get(change["operation"], phrase(change["operation"]).lower())
    return f"{phrase(what)} by {change['actor']}, {readable_time(change['at'])}"


def _window_words(answer: dict) -> dict:
    since, until = answer["since"], answer["until"]
    if since["meeting"]:
        start = f"the start of {readable_date(since['meeting']['date'])}, the day of {since['meeting']['title']}"
    elif since["given"].isdigit():
        start = f"change {since['seq']}" + (f" ({readable_time(since['at'])})" if since["at"] else "")
    else:
        start = readable_time(since["at"]) if since["at"] else "the beginning"
    end = "now" if until["given"] == "now" else readable_time(until["at"]) or f"change {until['seq']}"
    return {"since": start, "until": end, "since_day": readable_date(since["judged_on"]),
            "until_day": readable_date(until["judged_on"])}


def _meeting(meeting: dict | None, group: str | None) -> dict | None:
    if meeting is None:
        return None
    return {"title": meeting["title"], "date": readable_date(meeting["date"]), "example": meeting["example"],
            "href": "/gaps/changes?" + urlencode(_query(LAST_MEETING, None, group))}


def _query(since: str | None, until: str | None, group: str | None) -> list[tuple[str, str]]:
    return [(key, value) for key, value in (("since", since), ("until", until), ("group", group)) if value]
