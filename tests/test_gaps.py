"""Every gap rule fires where it should and stays quiet where it must not."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.gaps import RULES, GapSettings, count_by_rule, find_gaps
from tests.helpers import GraphBuilder

TODAY = dt.date(2026, 12, 1)
SETTINGS = GapSettings(as_of=TODAY, stale_days=60, overload_actions=2, schedule_days=183)


class G(GraphBuilder):
    """A tiny graph builder; nodes look recently changed unless a test says otherwise."""

    node_defaults = {"updated_at": "2026-11-20T10:00:00.000000Z"}

    def ids(self, rule):
        return sorted(g.subject["id"] for g in find_gaps(self.graph, SETTINGS, rules=[rule]))


def action(g, node_id, **props):
    props.setdefault("status", "in_progress")
    props.setdefault("due_date", "2027-03-01")
    g.node(node_id, "Action", title=f"Action {node_id}", **props)
    g.node(f"{node_id}-owner", "Person", name=f"Owner of {node_id}")
    g.rel(f"{node_id}-owner", "ACCOUNTABLE_FOR", node_id)
    return g


def test_every_designed_rule_exists():
    assert set(RULES) == {
        "action-without-owner", "action-multiple-owners", "action-overdue", "action-without-due-date",
        "action-stale", "owner-left", "owner-overloaded", "recommendation-without-action",
        "initiative-without-lead", "initiative-without-senior-sponsor", "outcome-without-indicator",
        "action-without-outcome", "theme-uncovered", "population-unserved",
        "organisation-without-senior-engagement", "theme-without-resource", "theme-not-scheduled",
        "indicator-off-track", "indicator-without-recent-data", "framework-item-without-evidence"}


def test_action_without_owner():
    g = action(G(), "owned").node("orphan", "Action", title="Orphan", status="not_started")
    g.node("done-orphan", "Action", title="Finished", status="done")
    assert g.ids("action-without-owner") == ["orphan"]


def test_action_multiple_owners():
    g = action(G(), "one").node("two", "Action", title="Two owners", status="blocked")
    g.node("p1", "Person", name="P1").node("grp", "Group", name="Board", kind="board")
    g.rel("p1", "ACCOUNTABLE_FOR", "two").rel("grp", "ACCOUNTABLE_FOR", "two")
    gaps = find_gaps(g.graph, SETTINGS, rules=["action-multiple-owners"])
    assert [x.subject["id"] for x in gaps] == ["two"] and gaps[0].related == ["grp", "p1"]
    assert "P1" in gaps[0].message and "Board" in gaps[0].message


def test_action_overdue_only_when_open_and_past_due():
    g = action(G(), "late", due_date="2026-11-01")
    action(g, "due-today", due_date="2026-12-01")
    action(g, "late-but-done", due_date="2026-01-01", status="done")
    action(g, "late-but-cancelled", due_date="2026-01-01", status="cancelled")
    gaps = find_gaps(g.graph, SETTINGS, rules=["action-overdue"])
    assert [x.subject["id"] for x in gaps] == ["late"]
    assert "30 days overdue" in gaps[0].message and gaps[0].related == ["late-owner"]


def test_action_without_due_date():
    g = action(G(), "dated")
    action(g, "undated", due_date=None)
    g.graph.nodes["undated"].pop("due_date")
    action(g, "undated-done", status="done")
    g.graph.nodes["undated-done"].pop("due_date")
    assert g.ids("action-without-due-date") == ["undated"]


def test_action_stale_by_reported_progress_or_last_change():
    g = action(G(), "fresh")
    action(g, "old-record", updated_at="2026-08-01T00:00:00Z")
    action(g, "old-progress", last_update="2026-09-01")
    action(g, "recent-progress", updated_at="2026-01-01T00:00:00Z", last_update="2026-11-15")
    action(g, "old-but-done", updated_at="2026-01-01T00:00:00Z", status="done")
    assert g.ids("action-stale") == ["old-progress", "old-record"]


def test_owner_left_needs_every_affiliation_ended():
    g = action(G(), "a1")
    g.node("org", "Organisation", name="Trust").node("cop", "Group", name="CoP", kind="community_of_practice")
    g.rel("a1-owner", "WORKS_FOR", "org", until="2026-06-30").rel("a1-owner", "MEMBER_OF", "cop", until="2026-07-01")
    action(g, "a2").rel("a2-owner", "WORKS_FOR", "org", until="2026-06-30").rel("a2-owner", "MEMBER_OF", "cop")
    action(g, "a3")  # no affiliations recorded at all: not evidence of leaving
    action(g, "a4", status="done").rel("a4-owner", "WORKS_FOR", "org", until="2025-01-01")
    gaps = find_gaps(g.graph, SETTINGS, rules=["owner-left"])
    assert [x.subject["id"] for x in gaps] == ["a1-owner"] and gaps[0].related == ["a1"]


def test_owner_left_counts_live_initiatives_and_outcomes_as_open_work():
    g = G().node("org", "Organisation", name="Trust")
    g.node("live", "Initiative", name="Live", status="paused")
    g.node("closed", "Initiative", name="Closed", status="closed")
    g.node("outcome", "Outcome", title="Fewer delays").node("done", "Action", title="Done", status="done")
    g.node("gone", "Person", name="Gone").rel("gone", "WORKS_FOR", "org", until="2026-01-31")
    g.rel("gone", "ACCOUNTABLE_FOR", "live").rel("gone", "ACCOUNTABLE_FOR", "outcome")
    g.rel("gone", "ACCOUNTABLE_FOR", "closed").rel("gone", "ACCOUNTABLE_FOR", "done")
    g.node("idle", "Person", name="Idle").rel("idle", "WORKS_FOR", "org", until="2026-01-31")
    g.rel("idle", "ACCOUNTABLE_FOR", "closed")
    g.node("team", "Group", name="Team", kind="network").rel("team", "ACCOUNTABLE_FOR", "live")
    gaps = find_gaps(g.graph, SETTINGS, rules=["owner-left"])
    assert [x.subject["id"] for x in gaps] == ["gone"] and gaps[0].related == ["live", "outcome"]
    assert gaps[0].message.startswith("1 live initiative and 1 outcome still rest with Gone")


def test_owner_overloaded_above_threshold_counts_open_actions_only():
    g = G().node("busy", "Person", name="Busy").node("ok", "Person", name="Fine")
    for index in range(3):
        g.node(f"b{index}", "Action", title=f"b{index}", status="in_progress")
        g.rel("busy", "ACCOUNTABLE_FOR", f"b{index}")
    for index in range(4):
        status = "done" if index else "in_progress"
        g.node(f"o{index}", "Action", title=f"o{index}", status=status).rel("ok", "ACCOUNTABLE_FOR", f"o{index}")
    gaps = find_gaps(g.graph, SETTINGS, rules=["owner-overloaded"])
    assert [x.subject["id"] for x in gaps] == ["busy"] and len(gaps[0].related) == 3


def test_recommendation_without_action_ignores_cancelled_actions():
    g = G().node("r1", "Recommendation", title="Engage senior leaders").node("r2", "Recommendation", title="Hub")
    g.node("r3", "Recommendation", title="Roadmap")
    g.node("a1", "Action", title="x", status="in_progress").rel("a1", "IMPLEMENTS", "r1")
    g.node("a2", "Action", title="y", status="cancelled").rel("a2", "IMPLEMENTS", "r2")
    assert g.ids("recommendation-without-action") == ["r2", "r3"]


def test_initiative_without_lead_ignores_finished_work():
    g = G().node("led", "Initiative", name="Led", status="active").node("org", "Organisation", name="Trust")
    g.rel("org", "LEADS", "led")
    g.node("unled", "Initiative", name="Unled", status="proposed")
    g.node("closed", "Initiative", name="Closed", status="closed")
    assert g.ids("initiative-without-lead") == ["unled"]


def test_initiative_without_senior_sponsor():
    g = G().node("exec", "Person", name="Exec", seniority="executive")
    g.node("mgr", "Person", name="Manager", seniority="manager")
    g.node("i1", "Initiative", name="Sponsored", status="active").rel("exec", "SPONSORS", "i1")
    g.node("i2", "Initiative", name="Junior sponsor", status="active").rel("mgr", "SPONSORS", "i2")
    g.node("i3", "Initiative", name="No sponsor", status="paused")
    g.node("i4", "Initiative", name="Finished", status="completed")
    gaps = {x.subject["id"]: x for x in find_gaps(g.graph, SETTINGS, rules=["initiative-without-senior-sponsor"])}
    assert set(gaps) == {"i2", "i3"}
    assert "1 sponsor, who is not at board or executive level" in gaps["i2"].message
    assert "no sponsor," in gaps["i3"].message


def test_outcome_without_indicator_and_action_without_outcome():
    g = G().node("o1", "Outcome", title="Measured").node("o2", "Outcome", title="Unmeasured")
    g.node("ind", "Indicator", name="Survey score").rel("ind", "MEASURES", "o1")
    assert g.ids("outcome-without-indicator") == ["o2"]
    action(g, "linked").rel("linked", "CONTRIBUTES_TO", "o1")
    action(g, "unlinked")
    action(g, "unlinked-done", status="done")
    assert g.ids("action-without-outcome") == ["unlinked"]


def test_theme_uncovered_counts_active_work_on_the_theme_or_its_sub_themes():
    g = G().node("t-covered", "Theme", name="Maternity").node("t-parent", "Theme", name="Workforce")
    g.node("t-child", "Theme", name="Recruitment").rel("t-child", "PART_OF", "t-parent")
    g.node("t-proposed", "Theme", name="Cancer").node("t-none", "Theme", name="Procurement")
    g.node("i1", "Initiative", name="A", status="active").rel("i1", "ADDRESSES", "t-covered")
    g.node("i2", "Initiative", name="B", status="active").rel("i2", "ADDRESSES", "t-child")
    g.node("i3", "Initiative", name="C", status="proposed").rel("i3", "ADDRESSES", "t-proposed")
    assert g.ids("theme-uncovered") == ["t-none", "t-proposed"]


def test_coverage_counts_sub_themes_at_any_depth_and_ignores_other_kinds_of_work():
    g = G().node("top", "Theme", name="Workforce").node("mid", "Theme", name="Recruitment")
    g.node("leaf", "Theme", name="Shortlisting").rel("mid", "PART_OF", "top").rel("leaf", "PART_OF", "mid")
    g.node("other", "Theme", name="Maternity")
    g.node("i1", "Initiative", name="A", status="active").rel("i1", "ADDRESSES", "leaf")
    g.node("a1", "Action", title="x", status="in_progress").rel("a1", "ADDRESSES", "other")
    g.node("res", "Resource", title="Toolkit").rel("res", "ADDRESSES", "leaf")
    g.node("soon", "Event", title="Session", date="2027-01-15").rel("soon", "ADDRESSES", "leaf")
    assert g.ids("theme-uncovered") == ["other"]
    assert g.ids("theme-without-resource") == ["other"]
    assert g.ids("theme-not-scheduled") == ["other"]
    top = [x for x in find_gaps(g.graph, SETTINGS, rules=["theme-uncovered"]) if x.subject["id"] == "top"]
    assert top == []


def test_organisation_counts_each_live_initiative_it_leads_or_partners_in():
    g = G().node("org", "Organisation", name="Trust").node("cop", "Group", name="CoP", kind="community_of_practice")
    for index, status in enumerate(("active", "proposed", "closed", "completed")):
        g.node(f"i{index}", "Initiative", name=f"I{index}", status=status)
    g.rel("org", "LEADS", "i0").rel("org", "PARTNERS_IN", "i1").rel("org", "PARTNERS_IN", "i2")
    g.rel("org", "FUNDS", "i3")
    g.node("ceo", "Person", name="CEO", seniority="executive").rel("ceo", "WORKS_FOR", "org", since="2027-01-01")
    g.rel("ceo", "MEMBER_OF", "cop")
    gaps = find_gaps(g.graph, SETTINGS, rules=["organisation-without-senior-engagement"])
    assert [x.subject["id"] for x in gaps] == ["org"] and gaps[0].related == ["i0", "i1"]
    assert gaps[0].message == ("Trust leads 1 live initiative and partners in 1; no current board or executive "
                               "person is recorded as working for it.")


def test_population_unserved():
    g = G().node("p1", "Population", name="Core20").node("p2", "Population", name="Travellers")
    g.node("i1", "Initiative", name="A", status="active").rel("i1", "SERVES", "p1")
    g.node("i2", "Initiative", name="B", status="completed").rel("i2", "SERVES", "p2")
    assert g.ids("population-unserved") == ["p2"]


def test_organisation_without_senior_engagement():
    g = G().node("cop", "Group", name="CoP", kind="community_of_practice")
    g.node("net", "Group", name="Network", kind="network").node("init", "Initiative", name="I", status="active")
    for org in ("engaged", "junior-only", "wrong-group", "former", "bystander"):
        g.node(org, "Organisation", name=org.title())
    g.rel("engaged", "LEADS", "init").rel("junior-only", "PARTNERS_IN", "init").rel("wrong-group", "LEADS", "init")
    g.rel("former", "PARTNERS_IN", "init")
    g.node("ceo", "Person", name="CEO", seniority="executive").rel("ceo", "WORKS_FOR", "engaged")
    g.rel("ceo", "MEMBER_OF", "cop")
    g.node("jr", "Person", name="Junior", seniority="practitioner").rel("jr", "WORKS_FOR", "junior-only")
    g.rel("jr", "MEMBER_OF", "cop")
    g.node("dir", "Person", name="Director", seniority="board").rel("dir", "WORKS_FOR", "wrong-group")
    g.rel("dir", "MEMBER_OF", "net")
    g.node("ex", "Person", name="Ex", seniority="executive").rel("ex", "WORKS_FOR", "former", until="2026-01-01")
    g.rel("ex", "MEMBER_OF", "cop")
    assert g.ids("organisation-without-senior-engagement") == ["former", "junior-only", "wrong-group"]


def test_theme_without_resource_and_not_scheduled():
    g = G().node("t1", "Theme", name="Covered").node("t2", "Theme", name="Bare").node("t3", "Theme", name="Past")
    g.node("res", "Resource", title="Toolkit").rel("res", "ADDRESSES", "t1")
    g.node("soon", "Event", title="Session", date="2027-02-01").rel("soon", "ADDRESSES", "t1")
    g.node("later", "Event", title="Far", date="2027-09-01").rel("later", "ADDRESSES", "t2")
    g.node("gone", "Event", title="Gone", date="2026-10-01").rel("gone", "ADDRESSES", "t3")
    assert g.ids("theme-without-resource") == ["t2", "t3"]
    assert g.ids("theme-not-scheduled") == ["t2", "t3"]


def test_filters_ordering_and_counts():
    g = G().node("orphan", "Action", title="Orphan", status="not_started")
    g.node("t", "Theme", name="Lonely theme")
    everything = find_gaps(g.graph, SETTINGS)
    assert [x.severity for x in everything] == sorted((x.severity for x in everything),
                                                      key=["high", "medium", "low"].index)
    assert {x.subject["type"] for x in find_gaps(g.graph, SETTINGS, subject_type="Theme")} == {"Theme"}
    assert all(x.severity == "low" for x in find_gaps(g.graph, SETTINGS, severity="low"))
    counts = count_by_rule(everything)
    assert counts["action-without-owner"] == 1 and counts["theme-uncovered"] == 1
    with pytest.raises(KeyError):
        find_gaps(g.graph, SETTINGS, rules=["no-such-rule"])


def test_the_demo_makes_every_rule_fire(runner, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    report = client.get("/api/v1/gaps?judged_on=2026-12-01").get_json()
    assert set(report["counts"]) == set(RULES)
    for gap in report["gaps"]:
        assert gap["message"] and gap["fix"] and gap["subject"]["name"]
    planted = {(g["rule"], g["subject"]["id"]) for g in report["gaps"]}
    assert {("action-without-owner", "action-a18"), ("action-multiple-owners", "action-a20"),
            ("owner-left", "person-gareth-pimm"), ("owner-overloaded", "person-nadia-farrow"),
            ("population-unserved", "population-gypsy-roma-traveller")} <= planted


def test_gaps_endpoint_filters_and_validation(runner, client):
    runner.invoke(args=["seed"])
    only = client.get("/api/v1/gaps?judged_on=2026-12-01&rule=action-overdue,owner-left").get_json()
    assert set(only["counts"]) == {"action-overdue", "owner-left"}
    assert only["settings"]["as_of"] == "2026-12-01"
    themes = client.get("/api/v1/gaps?judged_on=2026-12-01&type=Theme&severity=low").get_json()
    assert themes["gaps"] and all(g["subject"]["type"] == "Theme" and g["severity"] == "low" for g in themes["gaps"])
    later = client.get("/api/v1/gaps?judged_on=2027-06-01&rule=action-stale&stale_days=400").get_json()
    assert later["counts"] == {}
    for query in ("rule=nope", "severity=urgent", "type=Nope", "as_of=2026-02-31", "stale_days=0", "x=1"):
        answer = client.get(f"/api/v1/gaps?{query}")
        assert answer.status_code == 422, query
    assert len(client.get("/api/v1/gaps/rules").get_json()) == len(RULES)


def test_gaps_command_prints_a_table(runner):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["gaps", "--judged-on", "2026-12-01", "--severity", "high"])
    assert result.exit_code == 0
    assert "Gap report judged on 2026-12-01" in result.output and "action-without-owner" in result.output
    assert "Fix:" in result.output and "theme-not-scheduled" not in result.output


def test_gap_report_follows_every_write(client):
    client.post("/api/v1/actions", json={"id": "a-1", "title": "Publish the roadmap", "due_date": "2027-01-01"})
    client.post("/api/v1/people", json={"id": "p-1", "name": "Sam Reed"})
    url = "/api/v1/gaps?judged_on=2026-12-01&rule=action-without-owner"
    assert client.get(url).get_json()["counts"] == {"action-without-owner": 1}
    assert client.get(url).get_json()["counts"] == {"action-without-owner": 1}  # asked again: same answer
    client.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": "p-1", "to": "a-1"})
    assert client.get(url).get_json()["counts"] == {}
