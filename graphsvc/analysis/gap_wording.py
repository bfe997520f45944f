"""Wording shared by the gap rules: counts that say what they count, clauses that hold for the subject.

Each helper returns a phrase that is true of the subject it is given, or nothing: a flag is read
aloud at a board and by the people it names (DESIGN.md §9).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from .common import counted

if TYPE_CHECKING:  # gaps imports the rules, which import this: no import cycle at run time
    from .gaps import GapContext

__all__ = ["joined", "owner_to_ask", "nearest_event", "only_others", "org_work", "owned_work", "senior_staff"]

OWNED_KINDS = {"Action": "open action", "Initiative": "live initiative", "Outcome": "outcome"}


def joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'.

    >>> joined(["2 open actions"]), joined(["a", "b", "c"])
    ('2 open actions', 'a, b and c')
    """
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def owner_to_ask(ctx: GapContext, action: str) -> str:
    """Who a fix about an open action should go to: an action may have no owner, or (legacy) two."""
    owners = len(ctx.owners[action])
    if not owners:
        return "whoever is doing it (and record them as its accountable owner)"
    return "the accountable owner" if owners == 1 else "the accountable owners"


def owned_work(ctx: GapContext, owned: list[str]) -> str:
    """'2 open actions and 1 outcome': what is owned, by kind, so the count says what it counts."""
    kinds: dict[str, int] = defaultdict(int)
    for item in owned:
        kinds[ctx.data(item).get("type")] += 1
    parts = [counted(n, OWNED_KINDS.get(kind, "open item")) for kind, n in sorted(kinds.items(), key=str)]
    return joined(parts)


def only_others(ctx: GapContext, initiatives: list[str]) -> str:
    """' Only 1 proposed initiative does.' / ' Only completed (2) and paused (1) initiatives do.' / ''."""
    if not initiatives:
        return ""
    statuses: dict[str, int] = defaultdict(int)
    for initiative in initiatives:
        statuses[str(ctx.data(initiative).get("status") or "unrecorded")] += 1
    if len(initiatives) == 1:
        return f" Only 1 {next(iter(statuses))} initiative does."
    parts = [f"{status} ({n})" for status, n in sorted(statuses.items())]
    return f" Only {joined(parts)} initiatives do."


def org_work(work: dict[str, set[str]]) -> str:
    """'leads 1 live initiative' / 'partners in 2 live initiatives' / 'leads 2 live initiatives and partners in 1'."""
    leads, partners = len(work.get("LEADS", ())), len(work.get("PARTNERS_IN", ()))
    if leads and partners:
        return f"leads {counted(leads, 'live initiative')} and partners in {partners}"
    return f"leads {counted(leads, 'live initiative')}" if leads else \
        f"partners in {counted(partners, 'live initiative')}"


def senior_staff(seniors: list[str]) -> str:
    if not seniors:
        return "no current board or executive person is recorded as working for it"
    if len(seniors) == 1:
        return "its one current board or executive person is not a current member of a community of practice " \
               "or governance group"
    return f"none of its {len(seniors)} current board or executive people is a current member of a community of " \
           "practice or governance group"


def nearest_event(ctx: GapContext, events: list[tuple[dt.date | None, str]]) -> str:
    """'; the next is on D' (after the horizon) or '; the last was on D', when such an event exists."""
    later = [when for when, _ in events if when and when > ctx.as_of]
    earlier = [when for when, _ in events if when and when < ctx.as_of]
    if later:
        return f"; the next is on {min(later).isoformat()}"
    return f"; the last was on {max(earlier).isoformat()}" if earlier else ""
