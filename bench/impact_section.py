"""Impact reads on a national-scale graph: the impact summary, recommendations' traces, a framework's
coverage and the gap report with the indicator and framework rules busy.

The synthetic graph has indicators but neither measurement series nor frameworks, so this section adds
them to a copy: four quarterly values before each indicator's latest value, one framework of 60 items
(6 parents of 9 parts each), and EVIDENCES links from a fifth of the initiatives and a tenth of the
indicators to random parts. The copy is dropped afterwards; the store is never touched.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import networkx as nx

__all__ = ["IMPACT_KEYS", "impact_metrics"]

IMPACT_KEYS = ("impact_measurements", "impact_summary_ms", "trace_p50_ms", "trace_p95_ms",
               "framework_coverage_ms", "gap_report_with_impact_ms")
FRAMEWORK = "framework-bench"


def impact_metrics(graph: nx.MultiDiGraph, rng: random.Random, as_of: dt.date, metrics: dict,
                   timed: Callable, quantile: Callable, ms: Callable, traces: int = 50) -> None:
    from graphsvc.analysis.gaps import GapSettings, find_gaps
    from graphsvc.queries.frameworks import coverage
    from graphsvc.queries.impact import impact_summary, trace

    work = nx.MultiDiGraph(graph)
    metrics["impact_measurements"] = _add_series(work, rng)
    parts = _add_framework(work)
    _add_evidence(work, rng, parts)
    seconds, flags = timed(lambda: find_gaps(work, GapSettings(as_of=as_of)))
    metrics["gap_report_with_impact_ms"] = ms(seconds)
    metrics["impact_summary_ms"] = ms(timed(lambda: impact_summary(work, as_of))[0])
    # A trace reads the day's flags, which the service keeps per seq (queries/gaps.py): reuse them here too.
    recommendations = sorted(n for n, t in work.nodes(data="type") if t == "Recommendation")
    times = [timed(lambda: trace(work, rng.choice(recommendations), as_of, flags))[0] for _ in range(traces)]
    metrics.update(trace_p50_ms=ms(quantile(times, 0.5)), trace_p95_ms=ms(quantile(times, 0.95)))
    metrics["framework_coverage_ms"] = ms(timed(lambda: coverage(work, FRAMEWORK, as_of))[0])


def _add_series(graph: nx.MultiDiGraph, rng: random.Random) -> int:
    added = 0
    for indicator, data in list(graph.nodes(data=True)):
        if data.get("type") != "Indicator" or data.get("latest_value") is None:
            continue
        latest = dt.date.fromisoformat(data["latest_date"])
        for quarter in range(4, 0, -1):
            node = f"{indicator}-m{quarter}"
            day = latest - dt.timedelta(days=91 * quarter)
            graph.add_node(node, type="Measurement", period=f"Q{quarter}", date=day.isoformat(),
                           value=round(data["latest_value"] * rng.uniform(0.8, 1.1), 1))
            graph.add_edge(node, indicator, key=f"rel-{node}", type="MEASUREMENT_OF")
            added += 1
    return added


def _add_framework(graph: nx.MultiDiGraph) -> list[str]:
    graph.add_node(FRAMEWORK, type="Framework", name="Benchmark framework")
    parts = []
    for parent in range(1, 7):
        top = f"{FRAMEWORK}-{parent}"
        graph.add_node(top, type="FrameworkItem", title=f"Domain {parent}", code=str(parent), number=parent * 10)
        graph.add_edge(top, FRAMEWORK, key=f"rel-{top}", type="ITEM_OF")
        for part in range(1, 10):
            item = f"{top}-{part}"
            graph.add_node(item, type="FrameworkItem", title=f"Outcome {parent}.{part}", code=f"{parent}.{part}",
                           number=parent * 10 + part)
            graph.add_edge(item, FRAMEWORK, key=f"rel-{item}", type="ITEM_OF")
            graph.add_edge(item, top, key=f"rel-{item}-part", type="PART_OF")
            parts.append(item)
    return parts


def _add_evidence(graph: nx.MultiDiGraph, rng: random.Random, parts: list[str]) -> None:
    for node, kind in list(graph.nodes(data="type")):
        share = {"Initiative": 0.2, "Indicator": 0.1}.get(kind, 0)
        if share and rng.random() < share:
            graph.add_edge(node, rng.choice(parts[:-3]), key=f"rel-{node}-evidences", type="EVIDENCES")
