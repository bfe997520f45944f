"""The impact gap rules: an indicator off its trajectory, and one without recent data. Each fires where
it should and stays quiet where it must not. Every name and figure here is fictional."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.gaps import GapSettings, find_gaps
from tests.helpers import GraphBuilder

TODAY = dt.date(2026, 12, 1)
SETTINGS = GapSettings(as_of=TODAY, recent_data_days=400)
OFF, RECENT = "indicator-off-track", "indicator-without-recent-data"
LINE = {"baseline": 50, "baseline_date": "2026-01-01", "target": 70, "target_date": "2027-01-01"}


class G(GraphBuilder):
    def indicator(self, node_id, *values, direction="increase", **props):
        """An indicator with whole-population values given as (date, value)."""
        self.node(node_id, "Indicator", name=f"Indicator {node_id}", direction=direction, **props)
        for number, (date, value) in enumerate(values):
            self.value(node_id, f"{node_id}-m{number}", date, value)
        return self

    def value(self, indicator, node_id, date, value, breakdown=None, **props):
        self.node(node_id, "Measurement", period=date[:7], value=value, date=date, **props)
        self.rel(node_id, "MEASUREMENT_OF", indicator)
        if breakdown:
            self.rel(node_id, "BROKEN_DOWN_BY", breakdown)
        return self

    def gaps(self, rule, settings=SETTINGS):
        return {gap.subject["id"]: gap for gap in find_gaps(self.graph, settings, rules=[rule])}


# -- indicator-off-track --------------------------------------------------------------------------

def test_an_increase_below_its_line_is_off_track_and_one_on_or_above_it_is_not():
    # The line runs 50 -> 70 over 2026: on 2026-07-02 (day 182 of 365) it expects 59.97.
    g = G().indicator("behind", ("2026-03-31", 52), ("2026-07-02", 55), unit="%", **LINE)
    g.indicator("ahead", ("2026-07-02", 61), **LINE)
    g.indicator("was-behind", ("2026-03-31", 40), ("2026-07-02", 60), **LINE)  # only the latest value counts
    gaps = g.gaps(OFF)
    assert set(gaps) == {"behind"}
    gap = gaps["behind"]
    assert gap.severity == "medium" and gap.subject["type"] == "Indicator"
    assert gap.message == ("'Indicator behind' was 55% on 2026-07-02; its trajectory expected 59.97% by then, "
                           "on the way to 70% by 2027-01-01.")


def test_a_decrease_above_its_line_is_off_track():
    line = {"baseline": 1.6, "baseline_date": "2025-01-01", "target": 1.0, "target_date": "2027-01-01"}
    g = G().indicator("ratio-high", ("2026-01-01", 1.45), direction="decrease", unit="ratio", **line)
    g.indicator("ratio-low", ("2026-01-01", 1.25), direction="decrease", **line)
    gaps = g.gaps(OFF)
    assert set(gaps) == {"ratio-high"} and "1.45 (ratio)" in gaps["ratio-high"].message
    assert "expected 1.3 (ratio)" in gaps["ratio-high"].message


def test_maintain_is_off_track_only_beyond_five_percent_of_its_target():
    g = G().indicator("drifted", ("2026-10-01", 89), direction="maintain", target=95, target_date="2027-03-31")
    g.indicator("steady", ("2026-10-01", 91), direction="maintain", target=95)  # within 4.75 of 95
    g.indicator("above", ("2026-10-01", 100.5), direction="maintain", target=95)
    gaps = g.gaps(OFF)
    assert set(gaps) == {"drifted", "above"}
    assert "should stay within 5% of its target of 95 (to 2027-03-31)" in gaps["drifted"].message


def test_no_trajectory_or_no_value_means_nothing_to_judge():
    g = G().indicator("no-target", ("2026-10-01", 1), baseline=50, baseline_date="2026-01-01")
    g.indicator("no-values", **LINE)
    g.indicator("no-target-date", ("2026-10-01", 1), baseline=50, target=70)
    assert g.gaps(OFF) == {}


def test_only_breakdown_values_are_not_judged_but_a_whole_population_value_is():
    g = G().node("pop", "Population", name="Kestrel families").indicator("parts-only", **LINE)
    g.value("parts-only", "parts-only-m", "2026-10-01", 20, breakdown="pop", people=40)
    g.indicator("mixed", ("2026-10-01", 69), **LINE)
    g.value("mixed", "mixed-part", "2026-11-01", 20, breakdown="pop", people=40)  # low, but for one population
    assert g.gaps(OFF) == {}


def test_values_after_the_day_judged_are_not_yet_known():
    g = G().indicator("later", ("2026-06-01", 50), ("2026-12-20", 90), **LINE)
    assert set(g.gaps(OFF)) == {"later"}  # judged on 50 (behind), not on the later 90
    recovered = g.gaps(OFF, GapSettings(as_of=dt.date(2026, 12, 31)))
    assert recovered == {}


def test_the_latest_value_alone_is_judged_without_measurements():
    g = G().indicator("legacy", latest_value=51, latest_date="2026-09-01", **LINE)
    assert set(g.gaps(OFF)) == {"legacy"}


def test_the_fix_asks_the_outcomes_owner_or_to_link_an_outcome():
    g = G().indicator("owned", ("2026-09-01", 51), **LINE).indicator("unlinked", ("2026-09-01", 51), **LINE)
    g.node("outcome", "Outcome", title="Earlier booking").node("owner", "Person", name="Rowan Quill")
    g.node("work", "Action", title="Outreach", status="in_progress")
    g.rel("owned", "MEASURES", "outcome").rel("owner", "ACCOUNTABLE_FOR", "outcome")
    g.rel("work", "CONTRIBUTES_TO", "outcome")
    gaps = g.gaps(OFF)
    assert gaps["owned"].fix.startswith("Ask the accountable owner of the outcome it measures, 'Earlier booking'")
    assert gaps["owned"].related == ["outcome", "work"]
    assert gaps["unlinked"].fix.startswith("Link it to the outcome it measures (MEASURES)")
    assert gaps["unlinked"].related == []


# -- indicator-without-recent-data ----------------------------------------------------------------

def test_no_data_at_all_and_only_old_data_are_worded_differently():
    g = G().indicator("empty", **LINE).indicator("old", ("2024-03-31", 1), ("2025-03-31", 2))
    g.indicator("fresh", ("2026-09-30", 3))
    gaps = g.gaps(RECENT)
    assert set(gaps) == {"empty", "old"}
    assert gaps["empty"].message == "'Indicator empty' has no values recorded, so progress against it cannot be shown."
    assert gaps["old"].message == ("The latest value of 'Indicator old' is dated 2025-03-31, 610 days before "
                                   "2026-12-01 (the limit is 400 days).")


@pytest.mark.parametrize("age, fires", [(400, False), (401, True)])
def test_the_limit_is_recent_data_days_inclusive(age, fires):
    dated = (TODAY - dt.timedelta(days=age)).isoformat()
    g = G().indicator("edge", (dated, 5))
    assert ("edge" in g.gaps(RECENT)) is fires
    assert ("edge" in g.gaps(RECENT, GapSettings(as_of=TODAY, recent_data_days=age))) is False


def test_a_single_day_is_counted_in_the_singular():
    g = G().indicator("daily", ("2026-11-29", 5))
    assert "2 days before" in g.gaps(RECENT, GapSettings(as_of=TODAY, recent_data_days=1))["daily"].message
    assert "(the limit is 1 day)" in g.gaps(RECENT, GapSettings(as_of=TODAY, recent_data_days=1))["daily"].message


def test_only_breakdown_values_do_not_count_as_recent_data():
    g = G().node("pop", "Population", name="Kestrel families").indicator("parts", **LINE)
    g.value("parts", "parts-m", "2026-11-01", 20, breakdown="pop", people=40)
    message = g.gaps(RECENT)["parts"].message
    assert "has values only for populations or places, none for everyone it covers" in message


def test_values_after_the_day_judged_do_not_count_as_recent():
    g = G().indicator("future", ("2024-01-01", 5), ("2026-12-15", 6))
    assert "dated 2024-01-01" in g.gaps(RECENT)["future"].message
    only_later = G().indicator("later", ("2026-12-15", 6))
    assert "has no values recorded" in only_later.gaps(RECENT)["later"].message


def test_a_legacy_latest_value_counts_and_one_without_a_date_cannot_be_shown_recent():
    g = G().indicator("legacy", latest_value=5, latest_date="2026-10-01")
    g.indicator("undated", latest_value=5)
    gaps = g.gaps(RECENT)
    assert set(gaps) == {"undated"} and "has no date" in gaps["undated"].message


def test_example_indicators_are_marked_as_example_flags():
    g = G().indicator("fictional", example=True)
    assert g.gaps(RECENT)["fictional"].example is True
