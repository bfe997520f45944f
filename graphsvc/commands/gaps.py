"""``graphsvc gaps``: the gap report as a readable table (or JSON)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap

import click
from flask import Flask, current_app

from ..analysis.gaps import AS_OF_BOUNDS, RULES, SEVERITIES, Gap, GapSettings, count_by_rule, find_gaps
from ..app import get_service

__all__ = ["format_table", "register"]


def register(app: Flask) -> None:
    @app.cli.command("gaps")
    # --as-of is the name this option had before the API's as_of came to mean "the graph as it stood"; kept.
    @click.option("--judged-on", "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="Judge the current graph as if today were this date (default today).")
    @click.option("--rule", "rules", multiple=True, type=click.Choice(list(RULES)), help="Only this rule (repeatable).")
    @click.option("--severity", type=click.Choice(SEVERITIES))
    @click.option("--type", "subject_type", help="Only gaps whose subject is of this node type, e.g. Action.")
    @click.option("--examples/--no-examples", default=True, show_default=True,
                  help="Include example (fictional demo) records, or judge the real records only.")
    @click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /api/v1/gaps.")
    def gaps_command(as_of, rules, severity, subject_type, examples, as_json):
        """Print the gap report: what nobody owns, covers, measures or schedules."""
        config = current_app.config
        if as_of and not AS_OF_BOUNDS[0] <= as_of.date() <= AS_OF_BOUNDS[1]:
            raise click.BadParameter(f"use a date from {AS_OF_BOUNDS[0]} to {AS_OF_BOUNDS[1]}",
                                     param_hint="--judged-on")
        settings = GapSettings(as_of=as_of.date() if as_of else dt.datetime.now(dt.UTC).date(),
                               stale_days=config["GAP_STALE_DAYS"], overload_actions=config["GAP_OVERLOAD_ACTIONS"],
                               schedule_days=config["GAP_SCHEDULE_DAYS"],
                               recent_data_days=config["GAP_RECENT_DATA_DAYS"])
        gaps = find_gaps(get_service().graph(examples=examples), settings, rules or None, severity, subject_type)
        if as_json:
            click.echo(json.dumps({"gaps": [g.as_dict() for g in gaps], "counts": count_by_rule(gaps)}, indent=2))
            return
        click.echo(format_table(gaps, settings, shutil.get_terminal_size((120, 40)).columns))


def format_table(gaps: list[Gap], settings: GapSettings, width: int = 120) -> str:
    """A fixed-width table: severity, rule, subject, then the message and fix wrapped beneath."""
    width = max(width, 80)
    lines = [f"Gap report judged on {settings.as_of.isoformat()} — {len(gaps)} gap(s)", ""]
    header = f"{'SEVERITY':<8}  {'RULE':<38}  SUBJECT"
    lines += [header, "-" * min(width, 120)]
    wrap = textwrap.TextWrapper(width=min(width, 120) - 10, initial_indent=" " * 10, subsequent_indent=" " * 10)
    for gap in gaps:
        subject = f"{gap.subject['name']} [{gap.subject['id']}]" + (" [example]" if gap.example else "")
        lines.append(f"{gap.severity:<8}  {gap.rule:<38}  {subject}")
        lines.extend(wrap.wrap(gap.message))
        lines.extend(wrap.wrap("Fix: " + gap.fix))
    lines += ["", "Counts:"]
    lines += [f"  {rule:<40} {count:>5}" for rule, count in sorted(count_by_rule(gaps).items())]
    return "\n".join(lines)
