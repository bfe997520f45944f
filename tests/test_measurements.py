"""An indicator's measurements: recording a value through the indicator (the service and the API),
the rules it is checked by, and reading the series back. Every name and figure here is fictional."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.errors import Invalid, NotFound, PreconditionFailed
from graphsvc.measurements import measurement_entries, record_measurement
from graphsvc.service import node_etag

TODAY = dt.datetime.now(dt.UTC).date()
INDICATOR = "indicator-kestrel-booking"
EXAMPLE_INDICATOR = "indicator-example-kestrel"
SMALL_NUMBERS = "A value describing fewer than 10 people is refused"  # the vocabulary's below_minimum message


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def url(indicator_id: str = INDICATOR) -> str:
    return f"/api/v1/indicators/{indicator_id}/measurements"


@pytest.fixture
def indicators(service):
    """A real indicator on a trajectory, an example one, a population, a place and an outcome."""
    service.create_node("Indicator", {"id": INDICATOR, "name": "Kestrel Ward bookings by 10 weeks", "unit": "%",
                                      "baseline": 50, "baseline_date": day(400), "target": 70,
                                      "target_date": day(-400), "direction": "increase"}, "test")
    service.create_node("Indicator", {"id": EXAMPLE_INDICATOR, "name": "Example bookings", "example": True}, "test")
    service.create_node("Population", {"id": "population-kestrel", "name": "Kestrel families"}, "test")
    service.create_node("Place", {"id": "place-kestrel", "name": "Kestrel Ward"}, "test")
    service.create_node("Outcome", {"id": "outcome-kestrel", "title": "Earlier booking in Kestrel"}, "test")
    return service


def value(period: str = "Q1", number: float = 55, date: str | None = None, **extra) -> dict:
    return {"period": period, "value": number, "date": date or day(30), **extra}


def indicator(service, indicator_id: str = INDICATOR) -> dict:
    return service.get_node(indicator_id).properties


def field_errors(call) -> dict:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.errors


# -- the service -------------------------------------------------------------------------------

def test_a_value_is_one_record_linked_to_its_indicator_which_is_kept_in_step(indicators):
    saved = record_measurement(indicators, INDICATOR, value(source="Kestrel return (fictional)", people=120),
                               "tester")
    assert saved.measurement.type == "Measurement"
    assert saved.measurement.properties == {"period": "Q1", "value": 55, "date": day(30),
                                            "source": "Kestrel return (fictional)", "people": 120}
    links = indicators.store.relationships_of(saved.measurement.id)
    assert [(r.type, r.target) for r in links] == [("MEASUREMENT_OF", INDICATOR)]
    assert indicator(indicators)["latest_value"] == 55 and indicator(indicators)["latest_date"] == day(30)
    assert saved.indicator.properties["latest_value"] == 55


def test_a_back_dated_value_never_moves_the_indicator_back(indicators):
    record_measurement(indicators, INDICATOR, value("Q2", 58, day(10)), "tester")
    record_measurement(indicators, INDICATOR, value("Q1", 40, day(100)), "tester")
    assert (indicator(indicators)["latest_value"], indicator(indicators)["latest_date"]) == (58, day(10))
    record_measurement(indicators, INDICATOR, value("Q3", 61, day(1)), "tester")
    assert (indicator(indicators)["latest_value"], indicator(indicators)["latest_date"]) == (61, day(1))


def test_a_broken_down_value_is_linked_to_its_population_and_place_and_leaves_the_indicator_alone(indicators):
    record_measurement(indicators, INDICATOR, value("Q1", 50, day(20)), "tester")
    saved = record_measurement(indicators, INDICATOR,
                               value("Q2", 44, day(5), people=36, breakdown=["population-kestrel", "place-kestrel"]),
                               "tester")
    targets = {r.target for r in indicators.store.relationships_of(saved.measurement.id) if r.type == "BROKEN_DOWN_BY"}
    assert targets == {"population-kestrel", "place-kestrel"}
    assert [part["id"] for part in saved.breakdown] == ["place-kestrel", "population-kestrel"]
    assert (indicator(indicators)["latest_value"], indicator(indicators)["latest_date"]) == (50, day(20))


def test_fewer_than_ten_people_is_refused_with_the_vocabularys_message(indicators):
    errors = field_errors(lambda: record_measurement(
        indicators, INDICATOR, value(people=9, breakdown=["population-kestrel"]), "tester"))
    assert list(errors) == ["people"] and errors["people"][0].startswith(SMALL_NUMBERS)
    assert indicators.list_nodes("Measurement")[1] == 0


def test_a_breakdown_without_people_is_refused_at_people(indicators):
    errors = field_errors(lambda: record_measurement(indicators, INDICATOR, value(breakdown=["place-kestrel"]),
                                                     "tester"))
    assert list(errors) == ["people"] and "how many people it describes" in errors["people"][0]
    assert indicators.list_nodes("Measurement")[1] == 0


@pytest.mark.parametrize("breakdown, expected", [
    (["outcome-kestrel"], "Outcome 'outcome-kestrel' cannot be a breakdown"),
    (["population-missing"], "No record has id 'population-missing'"),
    (["population-kestrel", "place-kestrel", "population-kestrel"], "at most 2 ids"),
    (["population-kestrel", "population-kestrel"], "named once"),
    ("population-kestrel", "at most 2 ids"),
])
def test_a_breakdown_must_be_one_or_two_populations_or_places(indicators, breakdown, expected):
    errors = field_errors(lambda: record_measurement(
        indicators, INDICATOR, value(people=40, breakdown=breakdown), "tester"))
    assert list(errors) == ["breakdown"] and expected in errors["breakdown"][0]


def test_a_date_after_today_utc_is_refused_and_today_is_not(indicators):
    errors = field_errors(lambda: record_measurement(indicators, INDICATOR, value(date=day(-1)), "tester"))
    assert "cannot be after today" in errors["date"][0]
    assert record_measurement(indicators, INDICATOR, value(date=day(0)), "tester").measurement.properties["date"] \
        == day(0)


def test_the_vocabulary_checks_every_field_at_once(indicators):
    errors = field_errors(lambda: record_measurement(
        indicators, INDICATOR, {"value": "lots", "date": "2026-02-31", "colour": "red"}, "tester"))
    assert {"period", "value", "date", "colour"} <= set(errors)
    assert "example data exactly when its indicator is" in errors["colour"][0]
    assert field_errors(lambda: record_measurement(indicators, INDICATOR, ["not", "an", "object"], "tester"))


def test_the_example_mark_follows_the_indicator(indicators):
    assert record_measurement(indicators, EXAMPLE_INDICATOR, value(), "tester").measurement.properties["example"]
    assert "example" not in record_measurement(indicators, INDICATOR, value(), "tester").measurement.properties
    errors = field_errors(lambda: record_measurement(indicators, INDICATOR, value(example=True), "tester"))
    assert "example" in errors


def test_unknown_indicators_and_other_records_are_not_found(indicators):
    for target in ("indicator-missing", "outcome-kestrel"):
        with pytest.raises(NotFound):
            record_measurement(indicators, target, value(), "tester")


def test_if_match_must_name_the_indicators_current_etag(indicators):
    before = node_etag(indicators.get_node(INDICATOR))
    record_measurement(indicators, INDICATOR, value(), "tester", if_match=before)
    with pytest.raises(PreconditionFailed):
        record_measurement(indicators, INDICATOR, value("Q2"), "tester", if_match=before)  # it moved on
    assert indicators.list_nodes("Measurement")[1] == 1


def test_entries_are_newest_first_paged_and_judged(indicators):
    for period, number, days_ago in (("Q1", 52, 300), ("Q2", 55, 200), ("Q3", 53, 100)):
        record_measurement(indicators, INDICATOR, value(period, number, day(days_ago)), "tester")
    record_measurement(indicators, INDICATOR, value("Q3", 41, day(100), people=30, breakdown=["population-kestrel"]),
                       "tester")
    page = measurement_entries(indicators, INDICATOR, limit=2, offset=0)
    assert page["total"] == 4 and [item["date"] for item in page["items"]] == [day(100), day(100)]
    rest = measurement_entries(indicators, INDICATOR, limit=2, offset=2)
    assert [item["period"] for item in rest["items"]] == ["Q2", "Q1"]
    judged = page["judgement"]
    assert judged["latest"]["value"] == 53 and judged["trend"] == "worsening" and judged["points"] == 3
    assert judged["on_track"] is False  # 53 is well below the line from 50 to 70
    earlier = measurement_entries(indicators, INDICATOR, judged_on=TODAY - dt.timedelta(days=150))
    assert earlier["judgement"]["latest"]["value"] == 55  # values after the day judged are not yet known


# -- the API -----------------------------------------------------------------------------------

def test_a_coordinator_records_a_value_and_gets_its_location_and_the_indicators_etag(indicators, client_as):
    coordinator = client_as("coordinator")
    answer = coordinator.post(url(), json=value(people=80, breakdown=["population-kestrel"]))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert answer.headers["Location"].endswith(f"/api/v1/measurements/{body['measurement']['id']}")
    assert answer.headers["ETag"] == node_etag(indicators.get_node(INDICATOR))
    assert body["measurement"]["breakdown"] == [{"id": "population-kestrel", "type": "Population",
                                                 "name": "Kestrel families"}]
    assert body["measurement"]["example"] is False and body["indicator"]["id"] == INDICATOR
    assert coordinator.get(answer.headers["Location"]).status_code == 200


def test_the_api_answers_422_with_field_messages_412_and_404(indicators, client_as):
    coordinator = client_as("coordinator")
    small = coordinator.post(url(), json=value(people=4, breakdown=["population-kestrel"]))
    assert small.status_code == 422 and small.get_json()["errors"]["people"][0].startswith(SMALL_NUMBERS)
    assert coordinator.post(url(), json=value(breakdown=["place-kestrel"])).get_json()["errors"].keys() == {"people"}
    stale = coordinator.post(url(), json=value(), headers={"If-Match": '"not-the-etag"'})
    assert stale.status_code == 412
    assert coordinator.post(url("indicator-missing"), json=value()).status_code == 404
    assert coordinator.get(url("outcome-kestrel")).status_code == 404
    assert coordinator.post(url(), data="period=Q1", content_type="text/plain").status_code == 415


@pytest.mark.parametrize("role, status", [("viewer", 403), ("coordinator", 201), ("admin", 201)])
def test_recording_needs_a_coordinator(indicators, client_as, role, status):
    assert client_as(role).post(url(), json=value()).status_code == status


def test_viewers_read_the_series_with_its_judgement_and_example_marks(indicators, client_as, anonymous):
    record_measurement(indicators, INDICATOR, value("Q1", 52, day(300)), "tester")
    record_measurement(indicators, INDICATOR, value("Q2", 66, day(60)), "tester")
    record_measurement(indicators, EXAMPLE_INDICATOR, value(), "tester")
    viewer = client_as("viewer")
    answer = viewer.get(url() + "?limit=1")
    body = answer.get_json()
    assert answer.status_code == 200 and answer.headers["ETag"] == node_etag(indicators.get_node(INDICATOR))
    assert body["total"] == 2 and [item["period"] for item in body["items"]] == ["Q2"]
    assert body["items"][0]["breakdown"] == [] and body["items"][0]["example"] is False
    assert body["indicator"]["target"] == 70 and body["indicator"]["target_date"] == day(-400)
    assert body["judgement"]["on_track"] is True and body["judgement"]["trend"] == "improving"
    past = viewer.get(url() + f"?judged_on={day(200)}").get_json()["judgement"]
    assert past["latest"]["value"] == 52 and past["points"] == 1
    example = viewer.get(url(EXAMPLE_INDICATOR)).get_json()
    assert example["indicator"]["example"] is True and example["items"][0]["example"] is True
    assert viewer.get(url() + "?limit=0").status_code == 422
    assert viewer.get(url() + "?judged_on=2026-02-31").status_code == 422
    assert anonymous.get(url()).status_code == 401
