"""The board action log: RAG derivation, the pure builder, and the endpoint in its three formats."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import io
from html.parser import HTMLParser
from types import SimpleNamespace

import networkx as nx
import pytest

from graphsvc.analysis.gaps import GapSettings, find_gaps
from graphsvc.reports import action_log
from graphsvc.reports.action_log import (
    CSV_COLUMNS,
    RAGS,
    build_action_log,
    count_by_rag,
    derive_rag,
    natural_key,
    select_rows,
    to_csv,
)

TODAY = dt.date(2026, 12, 1)
URL = "/api/v1/reports/action-log"
DEMO_ACTIONS = 21


def rag(status="in_progress", due=dt.date(2027, 6, 1), owners=1, flags=()):
    return derive_rag(status, due, owners, flags, as_of=TODAY)[0]


# -- RAG -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, expected", [("done", "complete"), ("cancelled", "cancelled")])
def test_closed_actions_are_complete_or_cancelled_whatever_else_is_wrong(status, expected):
    assert rag(status, due=dt.date(2026, 1, 1), owners=0, flags=["action-stale"]) == expected


def test_open_owned_due_later_and_fresh_is_green():
    assert derive_rag("in_progress", dt.date(2027, 6, 1), 1, as_of=TODAY) == ("green", ["on track: due in 182 days"])
    assert rag(status=None) == "green"  # no status counts as open
    assert rag("not_started", due=TODAY + dt.timedelta(days=31)) == "green"


@pytest.mark.parametrize("kwargs, reason", [
    ({"due": dt.date(2026, 11, 30)}, "overdue: due 2026-11-30, 1 day ago"),
    ({"status": "blocked"}, "blocked"),
    ({"owners": 0}, "no accountable owner"),
    ({"owners": 2}, "2 accountable owners"),
    ({"flags": ["owner-left"]}, "accountable owner has left"),
])
def test_red(kwargs, reason):
    args = {"status": "in_progress", "due": dt.date(2027, 6, 1), "owners": 1, "flags": (), **kwargs}
    assert derive_rag(args["status"], args["due"], args["owners"], args["flags"], as_of=TODAY) == ("red", [reason])


@pytest.mark.parametrize("kwargs, reason", [
    ({"due": TODAY}, "due today"),
    ({"due": TODAY + dt.timedelta(days=1)}, "due in 1 day"),
    ({"due": TODAY + dt.timedelta(days=30)}, "due in 30 days"),
    ({"due": None}, "no due date"),
    ({"flags": ["action-stale"]}, "stale: no recent progress reported"),
])
def test_amber(kwargs, reason):
    args = {"due": dt.date(2027, 6, 1), "flags": (), **kwargs}
    assert derive_rag("in_progress", args["due"], 1, args["flags"], as_of=TODAY) == ("amber", [reason])


def test_red_wins_over_amber_and_lists_every_reason():
    colour, reasons = derive_rag("blocked", dt.date(2026, 8, 31), 0, ["action-stale"], as_of=TODAY)
    assert colour == "red"
    assert reasons == ["overdue: due 2026-08-31, 92 days ago", "blocked", "no accountable owner"]


def test_due_soon_window_is_a_setting():
    assert derive_rag("in_progress", TODAY + dt.timedelta(days=40), 1, as_of=TODAY, soon_days=45)[0] == "amber"


def test_module_examples():
    assert doctest.testmod(action_log).failed == 0


# -- the pure builder ------------------------------------------------------------------------

def small_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    stamp = "2026-11-20T10:00:00.000000Z"
    actions = [("A-10", "Tenth", {"due_date": "2027-06-01"}), ("A-2", "Second", {"due_date": "2026-10-01"}),
               ("", "No reference", {"due_date": "2027-06-01"}), ("A-2", "Also second", {})]
    for ref, title, extra in actions:
        node = f"act-{title.lower().replace(' ', '-')}"
        g.add_node(node, type="Action", reference=ref, title=title, status="in_progress", updated_at=stamp, **extra)
    g.add_node("rec", type="Recommendation", title="Do the thing", updated_at=stamp)
    g.add_node("p1", type="Person", name="Zoe Owner", updated_at=stamp)
    g.add_node("p2", type="Person", name="Adam Owner", updated_at=stamp)
    g.add_node("grp", type="Group", name="Working group", updated_at=stamp)
    g.add_edge("act-tenth", "rec", key="r1", type="IMPLEMENTS")
    g.add_edge("p1", "act-tenth", key="r2", type="ACCOUNTABLE_FOR")
    g.add_edge("p1", "act-second", key="r3", type="ACCOUNTABLE_FOR")
    g.add_edge("p2", "act-second", key="r4", type="ACCOUNTABLE_FOR")
    g.add_edge("grp", "act-tenth", key="r5", type="RESPONSIBLE_FOR")
    g.add_edge("p2", "act-tenth", key="r6", type="RESPONSIBLE_FOR")
    return g


def test_builder_orders_by_natural_reference_then_title_with_unreferenced_last():
    rows = build_action_log(small_graph(), [], lambda _: None, TODAY)
    assert [(r["reference"], r["title"]) for r in rows] == [
        ("A-2", "Also second"), ("A-2", "Second"), ("A-10", "Tenth"), ("", "No reference")]
    assert natural_key("A-2") < natural_key("A-10") < natural_key("B-1")


def test_builder_fills_each_column():
    g = small_graph()
    rows = {r["id"]: r for r in build_action_log(g, find_gaps(g, GapSettings(as_of=TODAY)), lambda _: None, TODAY)}
    tenth, second = rows["act-tenth"], rows["act-second"]
    assert tenth["recommendations"] == [{"id": "rec", "title": "Do the thing"}]
    assert [p["name"] for p in tenth["accountable"]] == ["Zoe Owner"]
    assert [p["name"] for p in tenth["responsible"]] == ["Adam Owner", "Working group"]
    assert tenth["rag"] == "green" and not tenth["multiple_owners"]
    assert [p["name"] for p in second["accountable"]] == ["Adam Owner", "Zoe Owner"]
    assert second["multiple_owners"] and second["rag"] == "red"
    assert {"action-multiple-owners", "action-overdue"} <= set(second["flags"])
    assert rows["act-also-second"]["accountable"] == [] and "action-without-owner" in rows["act-also-second"]["flags"]


def test_last_changed_is_the_later_of_the_record_and_the_change_log():
    g = small_graph()
    newer = SimpleNamespace(at="2026-11-25T09:00:00.000000Z", actor="governance-token")
    older = SimpleNamespace(at="2026-11-01T09:00:00.000000Z", actor="seed")
    changes = {"act-tenth": newer, "act-second": older}
    rows = {r["id"]: r for r in build_action_log(g, [], changes.get, TODAY)}
    assert (rows["act-tenth"]["last_changed"], rows["act-tenth"]["last_changed_by"]) == (newer.at, "governance-token")
    assert (rows["act-second"]["last_changed"], rows["act-second"]["last_changed_by"]) == (
        "2026-11-20T10:00:00.000000Z", None)
    assert rows["act-no-reference"]["last_changed"] == "2026-11-20T10:00:00.000000Z"


def test_select_and_count():
    rows = build_action_log(small_graph(), [], lambda _: None, TODAY)
    assert count_by_rag(rows) == {"red": 3, "amber": 0, "green": 1, "complete": 0, "cancelled": 0}
    assert [r["id"] for r in select_rows(rows, rags=["green"])] == ["act-tenth"]
    assert select_rows(rows, statuses=["done"]) == []


def test_csv_cells_cannot_become_spreadsheet_formulas():
    g = nx.MultiDiGraph()
    g.add_node("a", type="Action", reference="A-1", title='=HYPERLINK("http://x")', status="done")
    text = to_csv(build_action_log(g, [], lambda _: None, TODAY))
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert row[1] == "'=HYPERLINK(\"http://x\")"


# -- the endpoint on the demo borough ----------------------------------------------------------

@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output


def get(client, fmt, **params):
    query = "&".join(f"{k}={v}" for k, v in {"format": fmt, "judged_on": "2026-12-01", **params}.items())
    return client.get(f"{URL}?{query}")


def test_json_has_one_row_per_action(client, demo, service):
    response = get(client, "json")
    assert response.status_code == 200
    body = response.get_json()
    actions = [n for n, t in service.graph().nodes(data="type") if t == "Action"]
    assert len(body["rows"]) == len(actions) == DEMO_ACTIONS
    assert body["as_of"] == "2026-12-01" and body["generated_at"].endswith("Z")
    assert sum(body["counts"].values()) == DEMO_ACTIONS and set(body["counts"]) == set(RAGS)
    rows = {r["reference"]: r for r in body["rows"]}
    assert [r["reference"] for r in body["rows"]] == [f"A-{n:02d}" for n in range(1, 22)]
    for ref in ("A-02", "A-06", "A-08", "A-10"):
        assert rows[ref]["rag"] == "red" and "action-overdue" in rows[ref]["flags"]
    assert rows["A-18"]["rag"] == "red" and rows["A-18"]["accountable"] == []
    assert rows["A-20"]["multiple_owners"] and "action-multiple-owners" in rows["A-20"]["flags"]
    assert [p["name"] for p in rows["A-20"]["accountable"]] == ["Nadia Farrow", "Victor Ambrose"]
    assert rows["A-11"]["rag"] == "red" and rows["A-11"]["owner_flags"] == ["owner-left"]
    assert rows["A-14"]["rag"] == "amber" and rows["A-14"]["due_date"] is None
    assert rows["A-07"]["rag"] == "amber" and "action-stale" in rows["A-07"]["flags"]
    assert (rows["A-01"]["rag"], rows["A-21"]["rag"]) == ("complete", "cancelled")
    assert rows["A-09"]["recommendations"][0]["id"] == "rec-resource-hub"
    assert rows["A-01"]["last_changed"] and rows["A-01"]["last_changed_by"] == "seed"


def test_last_changed_follows_the_change_log(client, demo):
    before = {r["id"]: r["last_changed"] for r in get(client, "json").get_json()["rows"]}
    assert client.patch("/api/v1/actions/action-a03", json={"priority": "low"}).status_code == 200
    after = {r["id"]: r for r in get(client, "json").get_json()["rows"]}
    assert after["action-a03"]["last_changed"] > before["action-a03"]
    assert after["action-a03"]["last_changed_by"] == "admin-token"
    assert after["action-a04"]["last_changed"] == before["action-a04"]


def test_filters(client, demo):
    body = get(client, "json", rag="red,amber").get_json()
    assert body["rows"] and {r["rag"] for r in body["rows"]} == {"red", "amber"}
    assert sum(body["counts"].values()) == len(body["rows"]) and body["counts"]["green"] == 0
    assert [r["reference"] for r in get(client, "json", status="blocked").get_json()["rows"]] == ["A-10"]


def test_csv_is_utf8_with_bom_and_one_row_per_action(client, demo):
    response = get(client, "csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="action-log-2026-12-01.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + DEMO_ACTIONS
    by_ref = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert by_ref["A-20"]["Accountable owner"] == "Nadia Farrow; Victor Ambrose"
    assert by_ref["A-18"]["Accountable owner"] == ""
    assert by_ref["A-02"]["RAG"] == "red" and by_ref["A-14"]["Due date"] == ""


class TableRows(HTMLParser):
    """Collects each <tbody> row's attributes and text."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_body, self.current = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.current = {"attrs": dict(attrs), "text": ""}
            self.rows.append(self.current)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "tr":
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def test_html_is_a_printable_page_with_one_row_per_action(client, demo):
    response = get(client, "html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<title>Board action log" in page and "2026-12-01" in page
    assert "@media print" in page and "@page" in page and "table-header-group" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    parser = TableRows()
    parser.feed(page)
    assert len(parser.rows) == DEMO_ACTIONS
    by_id = {row["attrs"]["data-id"]: row for row in parser.rows}
    for n in range(1, 22):
        assert f"A-{n:02d}" in by_id[f"action-a{n:02d}"]["text"]
    for overdue in ("action-a02", "action-a06", "action-a10"):
        assert by_id[overdue]["attrs"]["data-rag"] == "red" and "Red" in by_id[overdue]["text"]
    assert "2 accountable owners" in by_id["action-a20"]["text"]
    assert "Victor Ambrose" in by_id["action-a20"]["text"]
    assert "How RAG is derived" in page


def test_html_escapes_names(client, demo):
    client.patch("/api/v1/actions/action-a03", json={"title": "<script>alert(1)</script>"})
    page = get(client, "html").get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("query", ["format=xml", "as_of=2026-13-01", "rag=purple", "status=open", "colour=red"])
def test_bad_parameters_are_422(client, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_viewer_can_read_and_anonymous_cannot(client_as, anonymous, demo):
    assert client_as("viewer").get(f"{URL}?format=csv").status_code == 200
    assert anonymous.get(URL).status_code == 401


def test_openapi_describes_every_format(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    content = spec["paths"][URL]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv", "text/html"}
    assert "rows" in spec["components"]["schemas"]["ActionLog"]["properties"]
