"""An indicator's page: how it stands in words, the chart's container, its values as tables, and the
"Record a value" form (coordinators and above) with the small-numbers rule beside `people`.

The indicators here are scripted by each test, dated around today so that none is in the future; the
populations are the taxonomy's (real, shared categories, never individuals).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from graphsvc.analysis.indicators import measurements
from graphsvc.measurements import record_measurement
from graphsvc.web.formatting import readable_date
from tests.web.conftest import csrf_token

TODAY = dt.datetime.now(dt.UTC).date()
POPULATION = "population-black-african"
SMALL_CELL = "A value describing fewer than 10 people is refused"


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def page_text(answer) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text)))


def section(answer) -> str:
    """The words of the indicator's "Values and trajectory" section, up to the next section."""
    text = page_text(answer)
    return text[text.index("Values and trajectory"):text.index("Open flags")]


@pytest.fixture
def indicator(service):
    """A rising indicator on a two-year trajectory, 50% to 70%, with three quarterly values (the last
    on track) and one for a population."""
    node = service.create_node("Indicator", {
        "name": "Booked for antenatal care by 10 weeks", "unit": "%", "direction": "increase",
        "baseline": 50, "baseline_date": day(-365), "target": 70, "target_date": day(365)}, "test")
    quarters = (("Second quarter", 55, -180), ("First quarter", 52, -270), ("Third quarter", 58, -90))
    for period, value, offset in quarters:  # recorded out of order: the page orders them by date
        record_measurement(service, node.id, {"period": period, "value": value, "date": day(offset),
                                              "source": "Maternity services return", "people": 400}, "test")
    record_measurement(service, node.id, {"period": "Third quarter", "value": 49, "date": day(-90), "people": 60,
                                          "breakdown": [POPULATION]}, "test")
    return node.id


def test_a_viewer_sees_how_it_stands_the_chart_and_the_values_in_date_order(seeded, indicator, person_as):
    viewer = person_as("viewer")
    answer = viewer.get(f"/records/{indicator}")
    assert answer.status_code == 200
    shown = section(answer)
    for words in (f"Latest value 58% on {readable_date(day(-90))} (Third quarter)",
                  f"Trend Improving since 55% ({readable_date(day(-180)[:7])})",
                  "Against the trajectory On track: 58% against 57.53% on the trajectory for its date",
                  f"Trajectory From 50% on {readable_date(day(-365))} to 70% by {readable_date(day(365))}",
                  "Direction Higher is better"):
        assert words in shown, words
    # The whole-population table, oldest first, is what the chart draws (its rows' data-).
    series = shown[shown.index("Values for the whole population"):shown.index("Values for a population")]
    assert series.index("First quarter") < series.index("Second quarter") < series.index("Third quarter")
    assert "Maternity services return" in series and "400" in series
    rows = re.findall(r'<tr class="nhsuk-table__row" data-date="([\d-]+)" data-value="([\d.]+)"', answer.text)
    assert rows == [(day(-270), "52"), (day(-180), "55"), (day(-90), "58")]
    chart = re.search(r'<div class="app-indicator-chart"[^>]*>', answer.text).group(0)
    assert 'role="img"' in chart and " hidden" in chart and 'data-table="indicator-series"' in chart
    label = (f"Series of 3 values from 52% ({readable_date(day(-270)[:7])}) to 58% ({readable_date(day(-90)[:7])}); "
             f"target 70% by {readable_date(day(365)[:7])}")
    assert f'aria-label="{label}"' in chart
    assert (f'data-start="{day(-365)}" data-baseline="50" data-end="{day(365)}" data-target="70"'
            in re.sub(r"\s+", " ", chart))
    # The breakdown has a table of its own, linked to the population; it is not in the chart.
    broken = shown[shown.index("Values for a population"):]
    assert "Black African" in broken and "49%" in broken and "60" in broken
    assert f'href="/records/{POPULATION}"' in answer.text
    # Viewers may read, not record.
    assert "Record a value" not in shown and "/measurements" not in answer.text
    refused = viewer.post(f"/indicators/{indicator}/measurements",
                          data={"csrf_token": csrf_token(viewer, "/"), "period": "Q4", "value": "60"})
    assert refused.status_code == 403


def test_an_indicator_with_only_a_latest_value_shows_it_and_says_there_is_no_trajectory(seeded, service, person_as):
    node = service.create_node("Indicator", {"name": "Partners with a named sponsor", "unit": "organisations",
                                             "target": 10, "latest_value": 7, "latest_date": day(-30)}, "test")
    shown = section(person_as("viewer").get(f"/records/{node.id}"))
    assert "Trend Not enough values to tell" in shown
    assert "Against the trajectory No trajectory to judge it by" in shown
    assert "Trajectory Target 10 organisations; no baseline and dates" in shown
    assert "Direction Not set, so higher is taken as better" in shown
    assert f"Not given {readable_date(day(-30))} 7 organisations The indicator's latest value" in shown
    example = section(person_as("viewer").get("/records/indicator-early-antenatal-booking"))
    assert "Example data" in example  # a fictional indicator's values are tagged as such
    empty = person_as("viewer").get("/records/indicator-member-confidence")  # the demo's one without values
    assert "Latest value None recorded" in section(empty) and "Against the trajectory No values yet" in section(empty)
    assert "No values have been recorded for this indicator yet." in section(empty)
    assert 'id="indicator-chart"' not in empty.text  # nothing to draw, so no empty chart


def test_coordinators_get_the_form_drawn_from_the_vocabulary(seeded, indicator, person_as, service):
    answer = person_as("coordinator").get(f"/records/{indicator}")
    form = answer.text[answer.text.index('class="app-indicator-form"'):]
    form = form[:form.index("</form>")]
    version = service.get_node(indicator).version
    assert f'name="etag" value="&#34;v{version}&#34;"' in form
    for name in ("period", "value", "source", "people", "note", "population", "place"):
        assert f'name="{name}"' in form, name
    assert 'name="date-day"' in form and 'name="example"' not in form
    assert re.search(rf'<option value="{POPULATION}"\s*>Black African</option>', form)
    # The demo's places are fictional, and the choices say so.
    assert re.search(r'<option value="place-[^"]+"\s*>[^<]+\(example data\)</option>', form)


def post_value(browser, indicator: str, etag: str | None = None, **values):
    data = {"csrf_token": csrf_token(browser, f"/records/{indicator}"), "period": "Fourth quarter",
            "value": "60", "source": "Maternity services return", "date-day": str(TODAY.day),
            "date-month": str(TODAY.month), "date-year": str(TODAY.year), **values}
    if etag is not None:
        data["etag"] = etag
    return browser.post(f"/indicators/{indicator}/measurements", data=data)


def test_a_small_cell_is_refused_beside_people_and_nothing_is_recorded(seeded, indicator, person_as, service):
    coordinator = person_as("coordinator")
    before = len(measurements(service.graph(), indicator))
    answer = post_value(coordinator, indicator, population=POPULATION, people="6")
    assert answer.status_code == 422
    text = page_text(answer)
    assert "<title>Error: Record a value – Booked for antenatal care by 10 weeks" in answer.text
    assert f"People: {SMALL_CELL}" in text  # in the error summary, linking to the field
    assert 'href="#people"' in answer.text
    beside = answer.text[answer.text.index('id="people-error"'):answer.text.index('name="people"')]
    assert SMALL_CELL in html.unescape(beside)
    assert re.search(r'name="people"[^>]*value="6"', answer.text)  # what was typed stays
    assert re.search(rf'<option value="{POPULATION}" selected\s*>', answer.text)
    # A population's value that does not say how many people it describes is refused at `people` too.
    unsaid = post_value(coordinator, indicator, population=POPULATION)
    assert unsaid.status_code == 422 and 'id="people-error"' in unsaid.text
    assert len(measurements(service.graph(), indicator)) == before


def test_a_good_value_is_recorded_and_shown_with_a_banner(seeded, indicator, person_as, service):
    coordinator = person_as("coordinator")
    etag = f'"v{service.get_node(indicator).version}"'
    answer = post_value(coordinator, indicator, etag=etag, people="420", note="Includes late bookings.")
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].endswith(f"/records/{indicator}#indicator-values")
    page = coordinator.get(f"/records/{indicator}")
    assert "The value 60% for Fourth quarter has been recorded on Booked for antenatal care" in page_text(page)
    shown = section(page)
    assert f"Latest value 60% on {readable_date(TODAY.isoformat())} (Fourth quarter)" in shown
    assert "Includes late bookings." in shown
    assert re.findall(r'data-date="([\d-]+)"', page.text)[-1] == TODAY.isoformat()
    # The page's ETag is now old: a value sent with it is refused, not recorded over the change.
    stale = post_value(coordinator, indicator, etag=etag, period="Again")
    assert stale.status_code == 412
    assert "Someone recorded a value or changed this indicator" in page_text(stale)
    assert [m["period"] for m in measurements(service.graph(), indicator)].count("Again") == 0
