"""Framework coverage grids and evidence packs (docs/frameworks.md).

`/frameworks` lists the frameworks with their counts; `/frameworks/<id>` is one framework's coverage grid,
from the same read layer as `GET /api/v1/frameworks/<id>/coverage`; `?format=json` gives the page's context
as data. The printable evidence pack and its workbook are served here too, since a person's cookie never
opens `/api/`. Any signed-in role may read them.
"""

from __future__ import annotations

from flask import Response

from ..app import get_service
from ..queries.frameworks import evidence_pack, framework_coverage, framework_list
from ..reports.evidence_pack import to_html, to_xlsx, track_words, trend_words
from . import web
from .as_json import render_page
from .formatting import phrase, readable_date

__all__ = ["coverage_context", "frameworks_context"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The printable document carries its own styles inline and no script: only that is allowed (as the board pack).
PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
EVIDENCE_WORDS = ("Evidence recorded", "No evidence yet")


@web.route("/frameworks")
def frameworks_page():
    return render_page("web/frameworks.html", frameworks_context(get_service()))


@web.route("/frameworks/<framework_id>")
def framework_page(framework_id: str):
    return render_page("web/frameworks_coverage.html", coverage_context(get_service(), framework_id))


@web.route("/frameworks/<framework_id>/evidence-pack")
def framework_pack_print(framework_id: str):
    response = Response(to_html(evidence_pack(get_service(), framework_id)), content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PRINT_CSP
    return response


@web.route("/frameworks/<framework_id>/evidence-pack.xlsx")
def framework_pack_xlsx(framework_id: str):
    pack = evidence_pack(get_service(), framework_id)
    response = Response(to_xlsx(pack), content_type=XLSX)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in framework_id)[:80]
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-pack-{safe}-{pack["judged_on"]}.xlsx"'
    return response


def frameworks_context(service) -> dict:
    found = framework_list(service)
    return {"page_title": "Frameworks", "frameworks": [
        {**framework, "called": framework["short_name"] or framework["name"], "href": f"/frameworks/{framework['id']}",
         "published_text": _published(framework)} for framework in found]}


def coverage_context(service, framework_id: str) -> dict:
    """The grid: one row per item in published order, its evidence in words (NotFound: the 404 page)."""
    found = framework_coverage(service, framework_id)
    framework = found["framework"]
    called = framework["short_name"] or framework["name"]
    return {"page_title": f"{called}: coverage", "called": called, "framework": framework,
            "published_text": _published(framework), "judged_on": readable_date(found["judged_on"]),
            "in_use": found["in_use"], "in_use_note": found["in_use_note"], "summary": found["summary"],
            "contains_examples": found["contains_examples"], "rows": [_row(item) for item in found["items"]],
            "print_href": f"/frameworks/{framework_id}/evidence-pack",
            "xlsx_href": f"/frameworks/{framework_id}/evidence-pack.xlsx",
            "json_href": f"/frameworks/{framework_id}?format=json"}


def _row(item: dict) -> dict:
    words = EVIDENCE_WORDS[0] if item["evidence"] else EVIDENCE_WORDS[1]
    how = None
    if item["evidence"] and not item["direct_evidence"]:
        how = "through its parts"
    return {**item, "name": f"{item['code']} {item['title']}" if item["code"] else item["title"],
            "indent": {0: "", 1: "nhsuk-u-padding-left-5"}.get(item["depth"], "nhsuk-u-padding-left-7"),
            "kind_text": phrase(item["kind"]) if item["kind"] else None,
            "evidence_words": words, "evidence_how": how, "evidence_colour": "green" if item["evidence"] else "grey",
            "work": [{**w, "status_text": phrase(w["status"]) if w["status"] else "Status not recorded",
                      "owner_text": ", ".join(o["name"] for o in w["owners"]) or "No accountable owner"}
                     for w in item["work"]],
            "outcomes": [{**o, "owner_text": ", ".join(p["name"] for p in o["owners"]) or "No accountable owner"}
                         for o in item["outcomes"]],
            "indicators": [{**i, "track_text": track_words(i), "trend_text": trend_words(i),
                            "latest_text": _latest(i)} for i in item["indicators"]]}


def _latest(indicator: dict) -> str:
    latest = indicator["latest"]
    if not latest:
        return "No value yet"
    unit = f" {indicator['unit']}" if indicator["unit"] else ""
    when = f" ({readable_date(latest['date'])})" if latest.get("date") else ""
    return f"{latest['value']}{unit}{when}"


def _published(framework: dict) -> str | None:
    parts = [framework.get("publication"), framework.get("publisher"), framework.get("published")]
    return ", ".join(str(part) for part in parts if part) or None

