"""The trace from a recommendation or initiative to its effect, and the impact summary (docs/trace.md):
a scripted chain with each kind of break, its counts and judgements; the initiative trace; the summary
per area; the API (200/404/422, example marks, examples=false) beside the generic record routes; the demo."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.gaps import GapSettings, find_gaps
from graphsvc.errors import NotFound
from graphsvc.queries.impact import impact_summary, trace
from tests.helpers import GraphBuilder
from tests.helpers import api_post as post

DAY = dt.date(2026, 12, 1)
REPORT_AREAS = ["Purpose of the CoP", "Safe Space and Psychological Safety", "Membership, Sharing, and Collaboration",
                "Sustaining Engagement", "Reflection and Impact: Moving from Learning to Action"]


def scripted() -> GraphBuilder:
    """rec-main: A-1 (open, on time) and A-3 (done) reach o-book; A-1 also o-plain (no indicator); A-2 (open,
    overdue, no owner) has no outcome; A-4 (cancelled) is not followed. o-book's indicators: i-up (improving,
    on track), i-down (worsening, off track), i-empty (no data). Two recommendations have no work."""
    b = GraphBuilder()
    b.node("rec-main", "Recommendation", title="Make booking fair", number=1, area="Safety")
    b.node("rec-partial", "Recommendation", title="Plan the work", number=5, area="Safety")
    b.node("rec-none", "Recommendation", title="Say what the CoP is for", number=2, area="Purpose")
    b.node("rec-cancel", "Recommendation", title="Publish the goals", number=3, area="Purpose")
    b.node("rec-other", "Recommendation", title="Something else")
    b.node("p-1", "Person", name="Robin Example").node("org-1", "Organisation", name="Example Trust")
    b.node("a-1", "Action", reference="A-1", title="Open booking early", status="in_progress", due_date="2027-03-01")
    b.node("a-2", "Action", reference="A-2", title="Write the plan", status="not_started", due_date="2026-10-01")
    b.node("a-3", "Action", reference="A-3", title="Train the midwives", status="done", due_date="2026-06-01")
    b.node("a-4", "Action", reference="A-4", title="Buy a bus", status="cancelled")
    b.node("a-5", "Action", reference="A-5", title="Agree the plan", status="in_progress", due_date="2027-03-01")
    b.node("a-6", "Action", reference="A-6", title="Ask around", status="in_progress", due_date="2027-03-01")
    b.node("o-book", "Outcome", title="Booking is fair").node("o-plain", "Outcome", title="Plans are kept")
    b.node("o-bus", "Outcome", title="Transport is there")
    trajectory = {"baseline": 50, "baseline_date": "2026-01-01", "target": 70, "target_date": "2027-01-01",
                  "direction": "increase", "unit": "%"}
    b.node("i-up", "Indicator", name="Booked by 10 weeks", **trajectory)
    b.node("i-down", "Indicator", name="Booked by 12 weeks", **trajectory)
    b.node("i-empty", "Indicator", name="Asked about interpreting", unit="%", target=90, direction="increase")
    for node, indicator, value, date in [("m-1", "i-up", 52, "2026-03-31"), ("m-2", "i-up", 60, "2026-06-30"),
                                         ("m-3", "i-down", 56, "2026-03-31"), ("m-4", "i-down", 55, "2026-06-30")]:
        b.node(node, "Measurement", period=date[:7], value=value, date=date).rel(node, "MEASUREMENT_OF", indicator)
    b.node("u-1", "ProgressUpdate", summary="Going well", date="2026-11-20", rag="amber")
    b.rel("u-1", "REPORTS_ON", "a-1")
    for action in ("a-1", "a-2", "a-3", "a-4"):
        b.rel(action, "IMPLEMENTS", "rec-main")
    b.rel("a-4", "IMPLEMENTS", "rec-cancel").rel("a-5", "IMPLEMENTS", "rec-partial")
    b.rel("a-6", "IMPLEMENTS", "rec-other")
    for owner, action in [("p-1", "a-1"), ("p-1", "a-3"), ("org-1", "a-5"), ("org-1", "a-6")]:
        b.rel(owner, "ACCOUNTABLE_FOR", action)
    for action, outcome in [("a-1", "o-book"), ("a-1", "o-plain"), ("a-3", "o-book"), ("a-4", "o-bus"),
                            ("a-5", "o-plain")]:
        b.rel(action, "CONTRIBUTES_TO", outcome)
    for indicator in ("i-up", "i-down", "i-empty"):
        b.rel(indicator, "MEASURES", "o-book")
    b.node("init-1", "Initiative", name="Fair booking programme", status="active")
    b.rel("org-1", "LEADS", "init-1").rel("p-1", "ACCOUNTABLE_FOR", "init-1").rel("init-1", "CONTRIBUTES_TO", "o-book")
    return b


def flagged(graph, rule: str, subject: str):
    return next(g for g in find_gaps(graph, GapSettings(as_of=DAY), rules=[rule]) if g.subject["id"] == subject)


def test_the_recommendation_trace_lists_each_break_once_in_the_rules_words():
    graph = scripted().graph
    found = trace(graph, "rec-main", DAY)
    assert [(b["kind"], b["subject"]["id"]) for b in found["breaks"]] == [
        ("indicator-without-data", "i-empty"), ("indicator-off-track", "i-down"),
        ("outcome-without-indicator", "o-plain"), ("action-without-outcome", "a-2")]
    words = {b["subject"]["id"]: (b["message"], b["fix"]) for b in found["breaks"]}
    assert words["a-2"] == ("'Write the plan' does not say which outcome it contributes to, so its impact cannot "
                            "be traced.", "Link it to the outcome it serves (CONTRIBUTES_TO).")
    assert words["o-plain"][0] == ("No indicator measures the outcome 'Plans are kept', so progress cannot be shown.")
    # The indicator breaks carry the gap flags' words for the same subjects: one wording, in the rules.
    off = flagged(graph, "indicator-off-track", "i-down")
    assert words["i-down"] == (off.message, off.fix)
    empty = flagged(graph, "indicator-without-recent-data", "i-empty")
    assert words["i-empty"] == (empty.message, empty.fix)
    assert found["subject"] == {"id": "rec-main", "type": "Recommendation", "name": "Make booking fair",
                                "number": 1, "area": "Safety", "breaks": []}


def test_the_counts_take_each_outcome_and_indicator_once_and_leave_cancelled_work_out():
    found = trace(scripted().graph, "rec-main", DAY)
    assert found["counts"] == {"actions": {"open": 2, "done": 1}, "outcomes": 2, "indicators": 3, "with_data": 2,
                               "improving": 1, "off_track": 1}
    actions = {a["id"]: a for a in found["actions"]}
    assert [a["reference"] for a in found["actions"]] == ["A-1", "A-2", "A-3", "A-4"]
    cancelled = actions["a-4"]
    assert cancelled["counted"] is False and cancelled["outcomes"] == [] and cancelled["rag"] == "cancelled"
    # o-book is reached from A-1 and from A-3: shown under both, with its breaks beside each.
    under_a3 = actions["a-3"]["outcomes"][0]
    assert under_a3["id"] == "o-book" and [i["id"] for i in under_a3["indicators"]] == ["i-empty", "i-up", "i-down"]
    assert [b["kind"] for b in under_a3["indicators"][2]["breaks"]] == ["indicator-off-track"]


def test_actions_carry_owners_the_derived_and_the_reported_rag():
    actions = {a["id"]: a for a in trace(scripted().graph, "rec-main", DAY)["actions"]}
    one = actions["a-1"]
    assert one["owners"] == [{"id": "p-1", "type": "Person", "name": "Robin Example"}]
    assert (one["rag"], one["rag_reasons"], one["reported"]) == ("green", ["on track: due in 90 days"],
                                                                 {"rag": "amber", "date": "2026-11-20"})
    two = actions["a-2"]
    assert two["rag"] == "red" and "no accountable owner" in two["rag_reasons"] and two["reported"] is None
    assert [b["kind"] for b in two["breaks"]] == ["action-without-outcome"] and two["outcomes"] == []
    assert actions["a-3"]["rag"] == "complete" and actions["a-3"]["breaks"] == []


def test_indicators_are_judged_by_judge():
    book = trace(scripted().graph, "rec-main", DAY)["actions"][0]["outcomes"][0]
    up, down, empty = ({i["id"]: i for i in book["indicators"]}[key] for key in ("i-up", "i-down", "i-empty"))
    assert (up["latest"], up["trend"], up["on_track"], up["points"], up["expected"]) == (
        {"value": 60, "date": "2026-06-30", "period": "2026-06"}, "improving", True, 2, 59.863014)
    assert (down["trend"], down["on_track"], down["unit"]) == ("worsening", False, "%")
    assert (empty["latest"], empty["points"], empty["on_track"], empty["trend"]) == (None, 0, None, None)


def test_a_recommendation_with_no_uncancelled_action_breaks_at_the_top():
    graph = scripted().graph
    for rec, words in [("rec-none", "No action implements"), ("rec-cancel", "Only cancelled actions implement")]:
        found = trace(graph, rec, DAY)
        assert [b["kind"] for b in found["breaks"]] == ["recommendation-without-action"]
        assert found["subject"]["breaks"][0]["message"].startswith(words)
        assert found["counts"]["actions"] == {"open": 0, "done": 0}
    assert [a["counted"] for a in trace(graph, "rec-cancel", DAY)["actions"]] == [False]


def test_the_initiative_trace_runs_from_its_outcomes():
    found = trace(scripted().graph, "init-1", DAY)
    subject = found["subject"]
    assert (subject["status"], subject["leads"], subject["accountable"]) == (
        "active", [{"id": "org-1", "type": "Organisation", "name": "Example Trust"}],
        [{"id": "p-1", "type": "Person", "name": "Robin Example"}])
    assert [o["id"] for o in found["outcomes"]] == ["o-book"] and "actions" not in found
    assert [b["subject"]["id"] for b in found["breaks"]] == ["i-empty", "i-down"]
    assert found["counts"] == {"actions": {"open": 0, "done": 0}, "outcomes": 1, "indicators": 3, "with_data": 2,
                               "improving": 1, "off_track": 1}


def test_only_recommendations_and_initiatives_have_a_trace():
    with pytest.raises(NotFound):
        trace(scripted().graph, "a-1", DAY)
    with pytest.raises(NotFound):
        trace(scripted().graph, "nobody", DAY)


def test_the_summary_counts_recommendations_per_area_in_the_reports_order():
    summary = impact_summary(scripted().graph, DAY)
    assert [a["area"] for a in summary["areas"]] == ["Safety", "Purpose", "Other"]
    safety, purpose, other = summary["areas"]
    counts = ("count", "with_work", "with_outcomes", "with_data", "moving", "off_track")
    assert [safety[k] for k in counts] == [2, 2, 2, 1, 1, 1]
    assert [purpose[k] for k in counts] == [2, 0, 0, 0, 0, 0]
    assert [other[k] for k in counts] == [1, 1, 0, 0, 0, 0]
    assert summary["totals"] == {"count": 5, "with_work": 3, "with_outcomes": 2, "with_data": 1, "moving": 1,
                                 "off_track": 1}
    assert safety["recommendations"] == [
        {"id": "rec-main", "number": 1, "title": "Make booking fair", "example": False, "work": True, "outcomes": True,
         "data": True, "moving": True, "off_track": True},
        {"id": "rec-partial", "number": 5, "title": "Plan the work", "example": False, "work": True,
         "outcomes": True, "data": False, "moving": False, "off_track": False}]
    assert [r["id"] for r in purpose["recommendations"]] == ["rec-none", "rec-cancel"]


def test_values_after_the_judging_day_are_not_yet_known():
    summary = impact_summary(scripted().graph, dt.date(2026, 4, 1))  # only the first values are known
    assert (summary["totals"]["with_data"], summary["totals"]["moving"]) == (1, 0)
    found = trace(scripted().graph, "rec-main", dt.date(2026, 1, 15))
    assert found["counts"]["with_data"] == 0
    assert {(b["kind"], b["subject"]["id"]) for b in found["breaks"]} == {
        ("indicator-without-data", "i-empty"), ("indicator-without-data", "i-up"),
        ("indicator-without-data", "i-down"), ("outcome-without-indicator", "o-plain"),
        ("action-without-outcome", "a-2")}


# -- through the API ------------------------------------------------------------------------------------


@pytest.fixture
def chain(client):
    """A real recommendation answered by example work: an example action, outcome and indicator with a value."""
    example = {"example": True}
    for path, body in [
        ("recommendations", {"id": "rec-1", "title": "Clarify the purpose", "number": 1, "area": "Purpose"}),
        ("recommendations", {"id": "rec-2", "title": "Keep ground rules", "number": 2, "area": "Safety"}),
        ("people", {"id": "p-1", "name": "Kit Example", **example}),
        ("actions", {"id": "a-1", "reference": "A-1", "title": "Publish the programme", "status": "in_progress",
                     "due_date": "2027-02-01", **example}),
        ("outcomes", {"id": "o-1", "title": "Members know the purpose", **example}),
        ("indicators", {"id": "i-1", "name": "Members who can say the purpose", "unit": "%", "baseline": 20,
                        "baseline_date": "2026-01-01", "target": 60, "target_date": "2027-01-01",
                        "direction": "increase", **example}),
        ("measurements", {"id": "m-1", "period": "Q1 2026", "value": 25, "date": "2026-03-31", **example}),
        ("measurements", {"id": "m-2", "period": "Q3 2026", "value": 30, "date": "2026-09-30", **example}),
    ]:
        post(client, path, body)
    for rel_type, source, target in [("IMPLEMENTS", "a-1", "rec-1"), ("ACCOUNTABLE_FOR", "p-1", "a-1"),
                                     ("CONTRIBUTES_TO", "a-1", "o-1"), ("MEASURES", "i-1", "o-1"),
                                     ("MEASUREMENT_OF", "m-1", "i-1"), ("MEASUREMENT_OF", "m-2", "i-1")]:
        post(client, "relationships", {"type": rel_type, "from": source, "to": target})


def test_the_trace_endpoint_marks_example_records(client_as, chain):
    answer = client_as("viewer").get("/api/v1/recommendations/rec-1/trace?judged_on=2026-12-01")
    assert answer.status_code == 200
    found = answer.get_json()
    action = found["actions"][0]
    indicator = action["outcomes"][0]["indicators"][0]
    assert "example" not in found["subject"] and action["example"] is True and found["contains_examples"] is True
    assert action["owners"] == [{"id": "p-1", "type": "Person", "name": "Kit Example", "example": True}]
    # 30 on 30 September against 20 -> 60 over 2026: 49.6 expected, so off track, and improving.
    assert (indicator["latest"]["value"], indicator["trend"], indicator["on_track"]) == (30, "improving", False)
    assert [b["kind"] for b in found["breaks"]] == ["indicator-off-track"]
    assert found["breaks"][0]["subject"]["example"] is True
    assert found["judged_on"] == "2026-12-01" and found["graph_as_of"]["seq"] > 0


def test_without_examples_the_real_recommendation_has_no_work(client, chain):
    found = client.get("/api/v1/recommendations/rec-1/trace?examples=false&judged_on=2026-12-01").get_json()
    assert found["actions"] == [] and [b["kind"] for b in found["breaks"]] == ["recommendation-without-action"]
    assert found["contains_examples"] is False
    hidden = client.get("/api/v1/recommendations/a-1/trace?examples=false")
    assert hidden.status_code == 404 and "example record" in hidden.get_json()["message"]


def test_a_wrong_id_is_a_404_that_says_what_it_is(client, chain):
    wrong = client.get("/api/v1/initiatives/rec-1/trace")
    assert wrong.status_code == 404
    assert wrong.get_json()["message"].startswith(
        "'rec-1' is a Recommendation ('Clarify the purpose'), not an Initiative")
    assert client.get("/api/v1/recommendations/a-1/trace").get_json()["message"].startswith("'a-1' is an Action")
    assert client.get("/api/v1/recommendations/nothing-here/trace").status_code == 404


def test_bad_queries_are_422_with_field_messages(client, chain):
    for query in ("judged_on=yesterday", "examples=perhaps", "colour=red"):
        for path in ("/api/v1/impact", "/api/v1/recommendations/rec-1/trace"):
            answer = client.get(f"{path}?{query}")
            assert answer.status_code == 422, (path, query)
            assert answer.get_json()["errors"]


def test_the_impact_endpoint_counts_per_area(client_as, chain):
    viewer = client_as("viewer")
    summary = viewer.get("/api/v1/impact?judged_on=2026-12-01").get_json()
    assert [a["area"] for a in summary["areas"]] == ["Purpose", "Safety"]
    purpose = summary["areas"][0]
    assert {k: purpose[k] for k in ("count", "with_work", "with_outcomes", "with_data", "moving", "off_track")} == {
        "count": 1, "with_work": 1, "with_outcomes": 1, "with_data": 1, "moving": 1, "off_track": 1}
    assert summary["totals"]["count"] == 2 and summary["totals"]["with_work"] == 1
    real = viewer.get("/api/v1/impact?judged_on=2026-12-01&examples=false").get_json()
    assert real["totals"] == {"count": 2, "with_work": 0, "with_outcomes": 0, "with_data": 0, "moving": 0,
                              "off_track": 0}


def test_the_generic_record_routes_still_answer_beside_the_trace(client, anonymous, chain):
    assert client.get("/api/v1/recommendations/rec-1").get_json()["title"] == "Clarify the purpose"
    assert client.get("/api/v1/recommendations").status_code == 200
    assert anonymous.get("/api/v1/recommendations/rec-1/trace").status_code == 401
    assert anonymous.get("/api/v1/impact").status_code == 401


def test_the_demo_summary_follows_the_reports_areas(seeded, client):
    summary = client.get("/api/v1/impact?judged_on=2026-12-01").get_json()
    assert [a["area"] for a in summary["areas"]] == REPORT_AREAS
    assert summary["totals"]["count"] == 17 and summary["contains_examples"] is False  # the report is real
    unanswered = {r["id"] for a in summary["areas"] for r in a["recommendations"] if not r["work"]}
    assert unanswered == {"rec-communicate-goals", "rec-acknowledge-safety-definitions", "rec-self-directed-learning"}
    found = client.get("/api/v1/recommendations/rec-formalise-joining/trace?judged_on=2026-12-01").get_json()
    assert ("action-without-outcome", "action-a03") in {(b["kind"], b["subject"]["id"]) for b in found["breaks"]}
    initiative = client.get("/api/v1/initiatives/init-cop-programme-2026-27/trace?judged_on=2026-12-01").get_json()
    assert initiative["subject"]["example"] is True and initiative["counts"]["outcomes"] == 2


def test_breaks_follow_the_flags_given_and_word_unflagged_indicators_themselves():
    found = trace(scripted().graph, "rec-main", DAY, gaps=[])  # no flags: the rules' own findings are absent
    assert [(b["kind"], b["subject"]["id"], b["message"]) for b in found["breaks"]] == [
        ("indicator-without-data", "i-empty", "No value of 'Asked about interpreting' is recorded, so whether the "
                                              "work moves it cannot be shown."),
        ("indicator-off-track", "i-down", "'Booked by 12 weeks' was 55% on 2026-06-30, worse than the 59.863% its "
                                          "trajectory expects by then.")]
