"""The changes view: what changed between two moments, in words ("Status: In progress → Blocked").

A GET form, so the dates and types live in the address (bookmarkable, shareable). The view asks the read
layer (``graphsvc.queries.changes``, the same summary as `GET /api/v1/changes`) with what the signed-in
person may see, and turns the summary into rows a person reads; `?format=json` gives those rows as data.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import g, request

from ..api.changes import audience_of
from ..app import get_service
from ..errors import Invalid
from ..queries.changes import LAST_MEETING, last_meeting, summarise_changes
from . import web
from .as_json import render_page
from .formatting import phrase, readable_date, readable_time, readable_value

__all__ = ["changes_context"]

PAGE_ITEMS = 50  # rows per list on the page; the API gives up to 500, and the counts are always whole
LONG_VALUE = 120  # characters of a changed text shown before "…"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ERASED_WORDS = "An erased record"


@web.route("/changes")
def changes():
    context = changes_context(get_service(), request.args, g.user)
    return render_page("web/changes.html", context, 400 if context["errors"] else 200)


def changes_context(service, args, user) -> dict:
    since, until, group = (args.get(name, "").strip() or None for name in ("since", "until", "group"))
    chosen = [name.strip() for value in args.getlist("types") for name in value.split(",") if name.strip()]
    errors, summary, audience = {}, None, audience_of(user)
    try:
        summary = summarise_changes(service, since, until, chosen or None, audience, group)
    except Invalid as problem:
        errors = {field: " ".join(map(str, messages)) for field, messages in (problem.errors or {}).items()}
    meeting = last_meeting(service, None if "group" in errors else group)
    state = {"types": chosen, "group": group}
    ticked = set(summary["types_selected"] or ()) if summary else set(chosen)
    context = {
        "page_title": ("Error: " if errors else "") + "Changes",
        "errors": errors,
        "error_list": [{"text": message, "href": "#types" if field == "types" else "#until" if field == "until"
                        else "#since"} for field, message in errors.items()],
        "since_value": _date_part(since, summary and summary["since"]["at"]),
        "until_value": until if until and _DATE.fullmatch(until) else "",
        "group": group,
        "type_items": [{"value": name, "text": phrase(node_type.plural), "checked": name in ticked}
                       for name, node_type in sorted(service.vocabulary.node_types.items())],
        "meeting": _meeting(meeting, state),
        "json_href": "/changes?" + urlencode([*_query({**state, "since": since, "until": until}), ("format", "json")]),
    }
    if summary is not None:
        context.update(_summary_view(service.vocabulary, summary, audience.tokens))
    return context


def _summary_view(vocabulary, summary: dict, sees_tokens: bool) -> dict:
    totals = summary["totals"]
    rag, status = summary["transitions"]["rag"], summary["transitions"]["status"]
    links = summary["relationships"]
    view = {
        "window": _window_words(summary),
        "nothing": not any(count for name, count in totals.items() if name != "entries"),
        "counts": [{"text": text, "count": totals[key], "href": href} for key, text, href in COUNTS
                   if key != "tokens" or sees_tokens],
        "types": [_type_view(vocabulary, name, lists) for name, lists in summary["types"].items()],
        "handovers": _rows(summary["handovers"], _handover_row),
        "status": _rows(status, lambda item: {**_record(item["record"]), **_stamp(item),
                                               **_transition(vocabulary, item)}),
        "rag": _rows(rag, _rag_row),
        "decisions": _rows(summary["overlap_decisions"], _decision_row),
        "imports": _rows(summary["imports"], lambda item: _import_row(vocabulary, item)),
        "relationships": [{"type": phrase(name), "created": count["created"], "deleted": count["deleted"]}
                          for name, count in links.items()],
        "erasures": _rows(summary["erasures"], lambda item: {"type": phrase(item["type"] or "record"),
                                                             **_stamp(item)}),
        "tokens": _rows(summary["tokens"], lambda item: {"name": item["name"], "role": phrase(item["role"] or ""),
                                                         "event": phrase(item["event"]), **_stamp(item)})
        if sees_tokens else None,
    }
    return view


# (totals key, words, section) for the counts at the top of the page
COUNTS = (("created", "Records created", "#records"), ("changed", "Records changed", "#records"),
          ("deleted", "Records deleted", "#records"), ("handovers", "Owner hand-overs", "#handovers"),
          ("status_transitions", "Status changes", "#status"), ("rag_transitions", "RAG changes", "#rag"),
          ("overlap_decisions", "Overlap decisions", "#decisions"), ("imports", "Imports", "#imports"),
          ("relationships_created", "Links added", "#relationships"),
          ("relationships_deleted", "Links removed", "#relationships"), ("erasures", "Erasures", "#erasures"),
          ("tokens", "Access token events", "#tokens"))


def _type_view(vocabulary, name: str, lists: dict) -> dict:
    node_type = vocabulary.node_type(name)
    plural = phrase(node_type.plural if node_type else name)
    view = {"type": name, "heading": plural, "anchor": f"type-{name}"}
    for kind in ("created", "changed", "deleted"):
        rows = [{**_record(item), **_stamps(item),
                 "fields": [_field_words(node_type, field) for field in item.get("fields", ())]}
                for item in lists[kind]["items"][:PAGE_ITEMS]]
        view[kind] = {"rows": rows, "count": lists[kind]["count"], "more": lists[kind]["count"] - len(rows),
                      "caption": f"{plural} {kind} ({lists[kind]['count']})"}
    return view


def _rows(listing: dict, shape) -> dict:
    rows = [shape(item) for item in listing["items"][:PAGE_ITEMS]]
    return {"rows": rows, "count": listing["count"], "more": listing["count"] - len(rows)}


def _handover_row(item: dict) -> dict:
    return {**_record(item["record"]), **_stamp(item), "from": [_record(ref) for ref in item["from"]],
            "to": [_record(ref) for ref in item["to"]]}


def _rag_row(item: dict) -> dict:
    before = phrase(item["before"]) if item["before"] else None
    after = phrase(item["after"]) if item["after"] else "No RAG"
    kind = "New update" if item["kind"] == "new_update" else "Update changed"
    return {**_record(item["record"]), **_stamp(item), "before": before or "No earlier update", "after": after,
            "how": kind}


def _decision_row(item: dict) -> dict:
    decision = phrase(item["decision"] or "none")
    words = {"recorded": f"Recorded: {decision}", "removed": f"Removed: {decision}",
             "changed": f"Changed: {phrase(item['before'] or 'none')} → {decision}"}[item["change"]]
    note = item.get("note") if item["has_note"] else None
    return {"a": _record(item["a"]), "b": _record(item["b"]), **_stamp(item), "decision": words,
            "note": _short(note) if note else ("Yes (not shown for people)" if item["has_note"] else "No")}


def _import_row(vocabulary, item: dict) -> dict:
    def words(counts: dict, verb: str) -> list[str]:
        return [f"{count} {_plural(vocabulary, name, count)} {verb}" for name, count in counts.items()]

    links = item["relationships"]
    parts = words(item["created"], "created") + words(item["changed"], "changed")
    parts += [f"{links['created']} links added"] if links["created"] else []
    parts += [f"{links['deleted']} links removed"] if links["deleted"] else []
    return {"by": item["actor"], "when": readable_time(item["first"]["at"]), "entries": item["entries"],
            "what": "; ".join(parts) or "Links only"}


def _transition(vocabulary, item: dict) -> dict:
    node_type = vocabulary.node_type(item["record"]["type"] or "")
    return _field_words(node_type, {"name": item["property"], "before": item["before"], "after": item["after"]})


def _field_words(node_type, field: dict) -> dict:
    spec = node_type.properties.get(field["name"]) if node_type else None
    return {"name": phrase(field["name"]), "before": _value(field["before"], spec),
            "after": _value(field["after"], spec)}


def _value(value, spec) -> str:
    return "(none)" if value is None or value == "" else _short(readable_value(value, spec))


def _short(text: str) -> str:
    return text if len(text) <= LONG_VALUE else text[:LONG_VALUE - 1].rstrip() + "…"


def _record(ref: dict) -> dict:
    if ref.get("erased"):
        return {"id": None, "label": ERASED_WORDS, "type": phrase(ref.get("type") or "record"), "example": False}
    return {"id": ref["id"], "label": ref["label"] or ref["id"], "type": phrase(ref["type"] or "record"),
            "example": ref.get("example", False)}


def _stamp(item: dict) -> dict:
    return {"by": item["actor"], "when": readable_time(item["at"])}


def _stamps(item: dict) -> dict:
    first, last = item["first"], item["last"]
    by = first["actor"] if first["actor"] == last["actor"] else f"{first['actor']}, then {last['actor']}"
    when = readable_time(last["at"]) if first["seq"] == last["seq"] else \
        f"{readable_time(first['at'])} to {readable_time(last['at'])}"
    return {"by": by, "when": when}


def _plural(vocabulary, name: str, count: int) -> str:
    node_type = vocabulary.node_type(name or "")
    if node_type is None:
        return "records"
    return (name if count == 1 else node_type.plural).replace("_", " ").lower()


def _window_words(summary: dict) -> dict:
    since, until = summary["since"], summary["until"]
    if since["meeting"]:
        meeting = since["meeting"]
        start = f"the start of {readable_date(meeting['date'])}, the day of {meeting['title']}"
    elif since["given"].isdigit():
        start = f"change {since['seq']}" + (f" ({readable_time(since['at'])})" if since["at"] else "")
    else:
        start = readable_time(since["at"]) if since["at"] else "the beginning"
    end = f"now ({readable_time(until['at'])})" if until["given"] == "now" else readable_time(until["at"]) or \
        f"change {until['seq']}"
    return {"since": start, "until": end, "entries": summary["totals"]["entries"],
            "types": ", ".join(summary["types_selected"] or ())}


def _meeting(meeting: dict | None, state: dict) -> dict | None:
    if meeting is None:
        return None
    return {"title": meeting["title"], "date": readable_date(meeting["date"]), "example": meeting["example"],
            "group": meeting["group"]["name"], "href": "/changes?" + urlencode(_query({**state,
                                                                                       "since": LAST_MEETING}))}


def _query(state: dict) -> list[tuple[str, str]]:
    pairs = [("since", state.get("since")), ("until", state.get("until")), ("group", state.get("group"))]
    pairs += [("types", name) for name in state.get("types") or ()]
    return [(key, value) for key, value in pairs if value]


def _date_part(since: str | None, resolved_at: str | None) -> str:
    """What the "from" date box shows: the date asked for, else the day the window starts on."""
    if since and _DATE.fullmatch(since):
        return since
    return (resolved_at or "")[:10]
