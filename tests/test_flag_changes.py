"""Flags over time (`GET /api/v1/gaps/changes`, graphsvc.queries.flag_changes).

A scripted history on a fake clock: the setup on 1 August 2026 (a governance group with meetings held on
15 September and 17 November and one planned for 19 January 2027), an action added on 1 October, an owner
given on 20 November and an action already overdue added on 25 November; every window ends on
7 December 2026. Every name is fictional.
"""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.queries.flag_changes import MAX_SAMPLES, flags_between, select_flags

CLOCKED = ("graphsvc.store.logged", "graphsvc.store.sqlite", "graphsvc.store.sqlite_tokens",
           "graphsvc.importing.nodes", "graphsvc.importing.engine", "graphsvc.store.model")
UNTIL = "2026-12-07"


class Clock:
    """utc_now for the store: a set moment, one microsecond later at each call."""

    def __init__(self):
        self.moment = dt.datetime(2026, 8, 1, 9, 0)

    def set(self, text: str) -> None:
        self.moment = dt.datetime.fromisoformat(text)

    def __call__(self) -> str:
        self.moment += dt.timedelta(microseconds=1)
        return self.moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def install_clock(monkeypatch) -> Clock:
    clock = Clock()
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utc_now", clock)
    return clock


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


def _writer(service):
    def node(kind, body, actor="setup"):
        return service.create_node(kind, body, actor).id

    def link(kind, a, b, actor="setup"):
        return service.create_relationship(kind, a, b, {}, actor)
    return node, link


@pytest.fixture
def script(service, clock, tokens) -> dict:
    return write_history(service, clock)


def write_history(service, clock: Clock) -> dict:
    """The scripted history (tokens first, so the log's stamps only move forward); the ids and seqs asked about."""
    node, link = _writer(service)
    ids = {}
    clock.set("2026-08-01T09:00:00")
    ids["group"] = node("Group", {"name": "Fictional Oversight Group", "kind": "governance_group"})
    for name, title, date, status in (("sep", "September oversight meeting", "2026-09-15", "held"),
                                      ("nov", "November oversight meeting", "2026-11-17", "held"),
                                      ("jan", "January oversight meeting", "2027-01-19", "planned")):
        ids[name] = node("Meeting", {"title": title, "date": date, "status": status})
        link("MEETING_OF", ids[name], ids["group"])
    ids["owner"] = node("Person", {"name": "Pell Fictive"})
    ids["long"] = node("Action", {"title": "Long-standing fictional action", "due_date": "2027-06-30"})
    ids["wait"] = node("Action", {"title": "Fictional action awaiting an owner", "due_date": "2027-06-30"})
    ids["example"] = node("Action", {"title": "Example fictional action", "due_date": "2027-06-30", "example": True})
    ids["theme"] = node("Theme", {"name": "Fictional lapsing theme"})
    ids["event"] = node("Event", {"title": "Fictional summer session", "date": "2027-05-30"})
    link("ADDRESSES", ids["event"], ids["theme"])
    clock.set("2026-10-01T10:00:00")
    ids["mid"] = node("Action", {"title": "Fictional action added in October", "due_date": "2027-06-30"})
    ids["october"] = service.store.last_seq()
    clock.set("2026-11-20T10:00:00")
    link("ACCOUNTABLE_FOR", ids["owner"], ids["wait"], "gov-1")
    clock.set("2026-11-25T10:00:00")
    ids["new"] = node("Action", {"title": "Fictional action already overdue", "due_date": "2026-11-24"}, "coord-1")
    link("ACCOUNTABLE_FOR", ids["owner"], ids["new"], "coord-1")
    return ids


def flags(client, **args) -> dict:
    answer = client.get("/api/v1/gaps/changes", query_string={"until": UNTIL, **args})
    assert answer.status_code == 200, answer.json
    return answer.json


def refused(client, **args) -> dict:
    answer = client.get("/api/v1/gaps/changes", query_string=args)
    assert answer.status_code == 422, answer.json
    return answer.json["errors"]


def keyed(answer: dict, name: str) -> dict[tuple[str, str], dict]:
    return {(flag["rule"], flag["subject"]["id"]): flag for flag in answer[name]}


# -- since the last meeting --------------------------------------------------------------------------

def test_since_the_last_meeting_sorts_flags_into_opened_closed_and_still_open(script, client_as):
    answer = flags(client_as("viewer"), since="last-meeting")
    assert answer["since"]["meeting"]["id"] == script["nov"]
    assert (answer["since"]["seq"], answer["since"]["judged_on"]) == (script["october"], "2026-11-17")
    assert answer["until"]["judged_on"] == UNTIL
    opened, closed, still = keyed(answer, "opened"), keyed(answer, "closed"), keyed(answer, "still_open")
    assert answer["counts"] == {"opened": len(opened), "closed": len(closed), "still_open": len(still)}

    # Open before and still open: at both held meetings, so since the September one (83 days to 7 December).
    assert still[("action-without-owner", script["long"])]["open_since"] == {
        "date": "2026-09-15", "days": 83,
        "meeting": {"id": script["sep"], "title": "September oversight meeting", "date": "2026-09-15",
                    "example": False}}
    # Added in October: open at the November meeting only.
    mid = still[("action-without-owner", script["mid"])]["open_since"]
    assert (mid["date"], mid["meeting"]["id"], mid["days"]) == ("2026-11-17", script["nov"], 20)

    # Closed by a change: the owner added on 20 November, by whom and when; it had been open 63 days by then.
    waited = closed[("action-without-owner", script["wait"])]
    assert waited["closed_by"]["actor"] == "gov-1" and waited["closed_by"]["at"].startswith("2026-11-20T10:00")
    assert waited["closed_by"]["operation"] == "create_relationship"
    assert (waited["open_since"]["date"], waited["open_since"]["days"]) == ("2026-09-15", 63)
    # Closed by a date lapsing: the summer session came within six months; nothing about the theme changed.
    lapsed = closed[("theme-not-scheduled", script["theme"])]
    assert lapsed["closed_by"] is None and lapsed["message"].startswith("No event on 'Fictional lapsing theme'")

    # Opened: the overdue action added on 25 November; an opened flag has no "open since".
    overdue = opened[("action-overdue", script["new"])]
    assert overdue["open_since"] is None and "closed_by" not in overdue
    assert overdue["severity"] == "high" and overdue["subject"]["name"] == "Fictional action already overdue"
    assert ("action-without-owner", script["new"]) not in opened  # it was given an owner straight away

    # The planned meeting is never a moment compared.
    meetings = {flag["open_since"]["meeting"]["id"] for flag in answer["still_open"] + answer["closed"]
                if flag["open_since"]["meeting"]}
    assert meetings == {script["sep"], script["nov"]}


def test_since_as_the_meeting_day_or_its_seq_gives_the_same_flags(script, client_as):
    viewer = client_as("viewer")
    by_meeting = flags(viewer, since="last-meeting")
    by_day = flags(viewer, since="2026-11-17")
    assert by_day["since"]["meeting"] is None and by_day["since"]["seq"] == by_meeting["since"]["seq"]
    for name in ("opened", "closed", "still_open"):
        assert keyed(by_day, name).keys() == keyed(by_meeting, name).keys(), name
    # Given as a day, the start is still recognised as the November meeting's.
    mid = keyed(by_day, "still_open")[("action-without-owner", script["mid"])]["open_since"]
    assert mid["meeting"]["id"] == script["nov"]


def test_since_a_seq_is_judged_on_that_changes_day_and_counts_meetings_before_it(script, client_as):
    answer = flags(client_as("viewer"), since=str(script["october"]))
    assert (answer["since"]["given"], answer["since"]["judged_on"]) == (str(script["october"]), "2026-10-01")
    still = keyed(answer, "still_open")
    # Open at the seq that created it (1 October, no meeting), not at the September meeting.
    assert still[("action-without-owner", script["mid"])]["open_since"] == {"date": "2026-10-01", "meeting": None,
                                                                             "days": 67}
    assert still[("action-without-owner", script["long"])]["open_since"]["date"] == "2026-09-15"


def test_open_since_reads_at_most_twelve_moments(service, clock):
    node, link = _writer(service)
    clock.set("2025-01-01T09:00:00")
    group = node("Group", {"name": "Fictional Monthly Group", "kind": "governance_group"})
    for n in range(14):  # monthly, October 2025 to November 2026
        day = dt.date(2025 + (9 + n) // 12, (9 + n) % 12 + 1, 15)
        link("MEETING_OF", node("Meeting", {"title": f"Meeting of {day:%B %Y}", "date": day.isoformat(),
                                            "status": "held"}), group)
    action = node("Action", {"title": "Fictional action open all along", "due_date": "2030-01-01"})
    answer = select_flags(flags_between(service, "2026-11-15", UNTIL), {"action-without-owner"})
    assert MAX_SAMPLES == 12
    # The since moment and the eleven meetings before it: back to December 2025, not October.
    assert answer["still_open"][0]["subject"]["id"] == action
    assert answer["still_open"][0]["open_since"]["date"] == "2025-12-15"


# -- filters, examples, the cache ----------------------------------------------------------------------

def test_rule_and_subject_type_narrow_every_list_and_its_count(script, client_as):
    viewer = client_as("viewer")
    overdue = flags(viewer, since="last-meeting", rule="action-overdue")
    assert [flag["subject"]["id"] for flag in overdue["opened"]] == [script["new"]]
    assert overdue["counts"] == {"opened": 1, "closed": 0, "still_open": 0}
    themes = flags(viewer, since="last-meeting", subject_type="Theme")
    every = [flag for name in ("opened", "closed", "still_open") for flag in themes[name]]
    assert every and {flag["subject"]["type"] for flag in every} == {"Theme"}
    assert ("theme-not-scheduled", script["theme"]) in keyed(themes, "closed")
    both = flags(viewer, since="last-meeting", rule="action-without-owner,theme-not-scheduled")
    assert {flag["rule"] for name in ("closed", "still_open") for flag in both[name]} == {
        "action-without-owner", "theme-not-scheduled"}


def test_example_records_are_marked_and_can_be_left_out(script, client_as):
    viewer = client_as("viewer")
    key = ("action-without-owner", script["example"])
    assert keyed(flags(viewer, since="last-meeting"), "still_open")[key]["example"] is True
    assert "example" not in keyed(flags(viewer, since="last-meeting"), "still_open")[("action-without-owner",
                                                                                       script["long"])]
    assert key not in keyed(flags(viewer, since="last-meeting", examples="false"), "still_open")


def test_answers_are_kept_until_the_next_write(script, service, clock):
    first = flags_between(service, "last-meeting", UNTIL)
    again = flags_between(service, "last-meeting", UNTIL)
    assert again["still_open"] is first["still_open"]  # served from the read layer's cache
    clock.set("2026-12-01T09:00:00")
    service.update_node(script["long"], {"status": "done"}, "gov-1")
    after = flags_between(service, "last-meeting", UNTIL)
    assert ("action-without-owner", script["long"]) in keyed(after, "closed")
    assert keyed(after, "closed")[("action-without-owner", script["long"])]["closed_by"]["operation"] == "update_node"


# -- refusals -------------------------------------------------------------------------------------------

def test_bad_input_is_refused_with_field_messages(script, client_as):
    viewer = client_as("viewer")
    assert "is none of these" in refused(viewer, since="yesterday")["since"][0]
    assert refused(viewer, since="2026-11-17", until="2026-11-01")["until"] == ["Must not be before since."]
    assert "There is no change" in refused(viewer, until="99999999")["until"][0]
    assert "Must be among" in refused(viewer, rule="action-without-a-rule")["rule"][0]
    assert "Must be one of" in refused(viewer, subject_type="Spaceship")["subject_type"][0]
    assert refused(viewer, group="no-such-group")["group"] == ["No group has id 'no-such-group'."]
    assert "since" in refused(viewer, since="x" * 65)
    assert "colour" in refused(viewer, colour="red")


def test_viewers_and_up_may_read_it_and_strangers_may_not(script, client_as, anonymous):
    assert client_as("viewer").get("/api/v1/gaps/changes").status_code == 200
    assert anonymous.get("/api/v1/gaps/changes").status_code == 401
