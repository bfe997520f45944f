"""Gap rules on impact: indicators off their trajectory or without recent data (docs/impact.md).

Both read an indicator's series through :func:`graphsvc.analysis.indicators.judge` alone, as the
indicator's page and the impact summary do, so a flag and the page never disagree about where an
indicator stands. Values dated after the day judged are not yet known and count for neither rule.
The wording follows graphsvc/analysis/gap_rules.py: numbers agree with their nouns, and each
clause holds for its subject (an indicator with no outcome is not told to ask the outcome's owner).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from .common import counted, parse_date
from .gap_wording import joined
from .gaps import Gap, GapContext, gap_rule
from .indicators import BREAKDOWN, MEASUREMENT, judge

__all__: list[str] = []  # rules register themselves in gaps.RULES

_JUDGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # GapContext -> {indicator: judgement}


@gap_rule("indicator-off-track", "medium", "Indicator", "Indicator whose latest value is behind its trajectory")
def indicator_off_track(ctx: GapContext) -> Iterator[Gap]:
    for indicator, judged in _judgements(ctx).items():
        if judged["on_track"] is not False:
            continue  # on track, or nothing to judge it by (no value, no trajectory)
        data, latest = ctx.data(indicator), judged["latest"]
        when = f" on {latest['date']}" if latest.get("date") else ""
        outcomes = ctx.targets(indicator, "MEASURES", "Outcome")
        yield ctx.gap("indicator-off-track", indicator,
                      f"'{ctx.name(indicator)}' was {_amount(latest['value'], data)}{when}; "
                      f"{_expectation(judged, data)}.",
                      _review(ctx, outcomes), [*outcomes, *_contributors(ctx, outcomes)])


@gap_rule("indicator-without-recent-data", "medium", "Indicator", "Indicator with no recent value")
def indicator_without_recent_data(ctx: GapContext) -> Iterator[Gap]:
    limit = ctx.settings.recent_data_days
    for indicator, judged in _judgements(ctx).items():
        latest = judged["latest"]
        day = parse_date(latest.get("date")) if latest else None
        if day is not None and (ctx.as_of - day).days <= limit:
            continue
        name, outcomes = ctx.name(indicator), ctx.targets(indicator, "MEASURES", "Outcome")
        if latest is None:
            only_parts = _has_breakdowns(ctx, indicator)
            what = ("has values only for populations or places, none for everyone it covers" if only_parts
                    else "has no values recorded")
            yield ctx.gap("indicator-without-recent-data", indicator,
                          f"'{name}' {what}, so progress against it cannot be shown.",
                          "Record its values (or import a measurement table) from the return or survey that "
                          "measures it, with the date each period ends.", outcomes)
        elif day is None:
            yield ctx.gap("indicator-without-recent-data", indicator,
                          f"The latest value of '{name}' has no date, so it cannot be shown to be recent.",
                          "Record its values with the date each period ends.", outcomes)
        else:
            age = (ctx.as_of - day).days
            yield ctx.gap("indicator-without-recent-data", indicator,
                          f"The latest value of '{name}' is dated {day.isoformat()}, {counted(age, 'day')} before "
                          f"{ctx.as_of.isoformat()} (the limit is {counted(limit, 'day')}).",
                          "Record the newer values from its source, or say in the indicator's description "
                          "how often it is published.", outcomes)


# -- helpers ------------------------------------------------------------------------------------

def _judgements(ctx: GapContext) -> dict[str, dict]:
    """Each indicator's judgement on the day judged, worked out once per report for both rules."""
    found = _JUDGED.get(ctx)
    if found is None:
        found = _JUDGED[ctx] = {indicator: judge(ctx.graph, indicator, ctx.as_of)
                                for indicator in ctx.nodes("Indicator")}
    return found


def _expectation(judged: dict, data: dict) -> str:
    """What the trajectory asked for by the latest value's date, and where it is heading."""
    expected, target = _amount(judged["expected"], data), _amount(data.get("target"), data)
    if data.get("direction") == "maintain":
        by = f" (to {data['target_date']})" if data.get("target_date") else ""
        return f"it should stay within 5% of its target of {target}{by}"
    trajectory = judged["trajectory"] or {}
    end = trajectory.get("end") or data.get("target_date")
    return f"its trajectory expected {expected} by then, on the way to {target} by {end}"


def _review(ctx: GapContext, outcomes: list[str]) -> str:
    """Who to ask and what to review: the owner of the outcome it measures, if it says which."""
    if not outcomes:
        return ("Link it to the outcome it measures (MEASURES), then ask that outcome's owner what is holding "
                "it back and review the work contributing to it.")
    names = joined([f"'{ctx.name(outcome)}'" for outcome in sorted(outcomes, key=ctx.name)])
    owned = any(ctx.sources(outcome, "ACCOUNTABLE_FOR") for outcome in outcomes)
    who = "the accountable owner of" if owned else "whoever leads the work on (and record an owner for)"
    noun = "outcome" if len(outcomes) == 1 else "outcomes"
    return (f"Ask {who} the {noun} it measures, {names}, what is holding it back, and review the actions and "
            "initiatives contributing to it.")


def _contributors(ctx: GapContext, outcomes: list[str]) -> list[str]:
    return [work for outcome in outcomes for work in ctx.sources(outcome, "CONTRIBUTES_TO")]


def _has_breakdowns(ctx: GapContext, indicator: str) -> bool:
    """Whether any measurement of the indicator is for a population or place (dated on or before the
    day judged: a later one is not yet known)."""
    for source, _ in ctx.in_links(indicator):
        data = ctx.data(source)
        day = parse_date(data.get("date"))
        if data.get("type") == MEASUREMENT and (day is None or day <= ctx.as_of) and ctx.has_target(source, BREAKDOWN):
            return True
    return False


def _amount(value, data: dict) -> str:
    """A value with its unit: '57%', '1.4 (ratio)', '7 organisations'."""
    if value is None:
        return "not recorded"
    shown = f"{round(float(value), 2):g}"
    unit = str(data.get("unit") or "").strip()
    if not unit:
        return shown
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {unit}" if unit.endswith("s") or " " in unit else f"{shown} ({unit})"
