"""The gap rules of DESIGN.md §4, each a generator of explained gaps with a suggested fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .common import parse_date
from .gaps import (
    CLOSED_ACTION,
    ENGAGEMENT_GROUPS,
    LIVE_INITIATIVE,
    SENIOR,
    Gap,
    GapContext,
    gap_rule,
)

__all__: list[str] = []  # rules register themselves in gaps.RULES

ASSIGN = "Agree one accountable owner and record them as ACCOUNTABLE_FOR the action."


@gap_rule("action-without-owner", "high", "Action", "Open action with no accountable owner")
def action_without_owner(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        if not ctx.sources(action, "ACCOUNTABLE_FOR"):
            yield ctx.gap("action-without-owner", action,
                          f"Nobody is accountable for the open action '{ctx.name(action)}', so nobody has to "
                          "answer for whether it happens.", ASSIGN,
                          ctx.targets(action, "IMPLEMENTS"))


@gap_rule("action-multiple-owners", "high", "Action", "Action with more than one accountable owner")
def action_multiple_owners(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        owners = ctx.sources(action, "ACCOUNTABLE_FOR")
        if len(owners) > 1:
            names = ", ".join(sorted(ctx.name(o) for o in owners))
            yield ctx.gap("action-multiple-owners", action,
                          f"'{ctx.name(action)}' has {len(owners)} accountable owners ({names}); when everyone "
                          "is accountable, no one is.",
                          "Keep one accountable owner and record the others as responsible or consulted.", owners)


@gap_rule("action-overdue", "high", "Action", "Open action past its due date")
def action_overdue(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        due = parse_date(ctx.data(action).get("due_date"))
        if due and due < ctx.as_of:
            days = (ctx.as_of - due).days
            yield ctx.gap("action-overdue", action,
                          f"'{ctx.name(action)}' was due on {due.isoformat()} and is {days} day(s) overdue "
                          f"(status: {ctx.data(action).get('status', 'not recorded')}).",
                          "Ask the accountable owner for an update: complete it, or agree a new due date "
                          "and record why it moved.", ctx.sources(action, "ACCOUNTABLE_FOR"))


@gap_rule("action-without-due-date", "medium", "Action", "Open action with no due date")
def action_without_due_date(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        if not ctx.data(action).get("due_date"):
            yield ctx.gap("action-without-due-date", action,
                          f"'{ctx.name(action)}' has no due date, so it can never be seen to slip.",
                          "Agree a realistic due date with the accountable owner.",
                          ctx.sources(action, "ACCOUNTABLE_FOR"))


@gap_rule("action-stale", "medium", "Action", "Open action unchanged for too long")
def action_stale(ctx: GapContext) -> Iterator[Gap]:
    limit = ctx.settings.stale_days
    for action in ctx.open_actions:
        data = ctx.data(action)
        changed = parse_date(data.get("last_update") or data.get("updated_at"))
        if changed and (ctx.as_of - changed).days > limit:
            what = "no progress has been reported" if data.get("last_update") else "its record has not changed"
            yield ctx.gap("action-stale", action,
                          f"'{ctx.name(action)}' is open and {what} since {changed.isoformat()} "
                          f"({(ctx.as_of - changed).days} days; the limit is {limit}).",
                          "Ask the owner for a progress update and record the current status.",
                          ctx.sources(action, "ACCOUNTABLE_FOR"))


@gap_rule("owner-left", "high", "Person", "Accountable person who has left every organisation and group")
def owner_left(ctx: GapContext) -> Iterator[Gap]:
    affiliations = frozenset({"WORKS_FOR", "MEMBER_OF"})
    for person in ctx.nodes("Person"):
        owned = [t for t in ctx.targets(person, "ACCOUNTABLE_FOR") if _is_live_work(ctx, t)]
        if not owned:
            continue
        links = [d for _, d in ctx.out_links(person) if d["type"] in affiliations]
        if links and not any(ctx.is_current(d) for d in links):
            yield ctx.gap("owner-left", person,
                          f"{ctx.name(person)} is still accountable for {len(owned)} open item(s) but every "
                          "recorded role and membership has ended.",
                          "Hand each item to a current owner (the governance group can reassign them).", owned)


@gap_rule("owner-overloaded", "medium", "Owner", "Owner accountable for too many open actions")
def owner_overloaded(ctx: GapContext) -> Iterator[Gap]:
    limit = ctx.settings.overload_actions
    load: dict[str, list[str]] = {}
    for action in ctx.open_actions:
        for owner in ctx.sources(action, "ACCOUNTABLE_FOR"):
            load.setdefault(owner, []).append(action)
    for owner, actions in load.items():
        if len(actions) > limit:
            yield ctx.gap("owner-overloaded", owner,
                          f"{ctx.name(owner)} is accountable for {len(actions)} open actions (more than {limit}).",
                          "Share the load: move some actions to other owners or re-plan their due dates.", actions)


@gap_rule("recommendation-without-action", "high", "Recommendation", "Recommendation nobody acts on")
def recommendation_without_action(ctx: GapContext) -> Iterator[Gap]:
    for rec in ctx.nodes("Recommendation"):
        acting = [a for a in ctx.sources(rec, "IMPLEMENTS", "Action")
                  if ctx.data(a).get("status") != "cancelled"]
        if not acting:
            yield ctx.gap("recommendation-without-action", rec,
                          f"No action implements the recommendation '{ctx.name(rec)}'.",
                          "Agree an action that answers it, with an accountable owner and a due date, or "
                          "record why it will not be taken forward.", ctx.targets(rec, "FROM_SOURCE"))


@gap_rule("initiative-without-lead", "medium", "Initiative", "Live initiative with no lead")
def initiative_without_lead(ctx: GapContext) -> Iterator[Gap]:
    for initiative in _live_initiatives(ctx):
        if not ctx.sources(initiative, "LEADS"):
            yield ctx.gap("initiative-without-lead", initiative,
                          f"Nobody is recorded as leading '{ctx.name(initiative)}'.",
                          "Record the organisation, person or group that leads it.",
                          ctx.sources(initiative, "PARTNERS_IN"))


@gap_rule("initiative-without-senior-sponsor", "medium", "Initiative", "Live initiative with no senior sponsor")
def initiative_without_senior_sponsor(ctx: GapContext) -> Iterator[Gap]:
    for initiative in _live_initiatives(ctx):
        sponsors = ctx.sources(initiative, "SPONSORS", "Person")
        if not any(ctx.data(p).get("seniority") in SENIOR for p in sponsors):
            detail = "no sponsor at all" if not sponsors else "sponsors, but none at board or executive level"
            yield ctx.gap("initiative-without-senior-sponsor", initiative,
                          f"'{ctx.name(initiative)}' has {detail}; the evaluation found senior-leader engagement "
                          "limited.", "Ask a board member or executive to sponsor it.", sponsors)


@gap_rule("outcome-without-indicator", "medium", "Outcome", "Outcome nobody measures")
def outcome_without_indicator(ctx: GapContext) -> Iterator[Gap]:
    for outcome in ctx.nodes("Outcome"):
        if not ctx.sources(outcome, "MEASURES", "Indicator"):
            yield ctx.gap("outcome-without-indicator", outcome,
                          f"No indicator measures the outcome '{ctx.name(outcome)}', so progress cannot be shown.",
                          "Add an indicator with a baseline and a target (the impact framework).",
                          ctx.sources(outcome, "CONTRIBUTES_TO"))


@gap_rule("action-without-outcome", "low", "Action", "Open action not linked to any outcome")
def action_without_outcome(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        if not ctx.targets(action, "CONTRIBUTES_TO", "Outcome"):
            yield ctx.gap("action-without-outcome", action,
                          f"'{ctx.name(action)}' does not say which outcome it contributes to, so its impact "
                          "cannot be traced.", "Link it to the outcome it serves (CONTRIBUTES_TO).",
                          ctx.targets(action, "IMPLEMENTS"))


@gap_rule("theme-uncovered", "medium", "Theme", "Theme no active initiative addresses")
def theme_uncovered(ctx: GapContext) -> Iterator[Gap]:
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        if not any(i in ctx.active_initiatives for t in family for i in ctx.sources(t, "ADDRESSES", "Initiative")):
            yield ctx.gap("theme-uncovered", theme,
                          f"No active initiative addresses '{ctx.name(theme)}'.",
                          "Check whether work exists but is not mapped; if not, raise it with the governance "
                          "group as a gap in the system's offer.", family - {theme})


@gap_rule("population-unserved", "medium", "Population", "Population no active initiative serves")
def population_unserved(ctx: GapContext) -> Iterator[Gap]:
    for population in ctx.nodes("Population"):
        family = ctx.with_descendants(population)
        if not any(i in ctx.active_initiatives for p in family for i in ctx.sources(p, "SERVES", "Initiative")):
            yield ctx.gap("population-unserved", population,
                          f"No active initiative serves {ctx.name(population)}.",
                          "Check with community partners whose work reaches them, map it, or plan for it.",
                          family - {population})


@gap_rule("organisation-without-senior-engagement", "medium", "Organisation",
          "Organisation active in initiatives whose senior leaders are in neither the CoP nor governance")
def organisation_without_senior_engagement(ctx: GapContext) -> Iterator[Gap]:
    for org in ctx.nodes("Organisation"):
        work = [i for i, d in ctx.out_links(org)
                if d["type"] in ("LEADS", "PARTNERS_IN") and ctx.data(i).get("status", "active") in LIVE_INITIATIVE]
        if not work:
            continue
        seniors = [p for p, data in _current_staff(ctx, org) if ctx.data(p).get("seniority") in SENIOR]
        engaged = [p for p in seniors if any(ctx.data(g).get("kind") in ENGAGEMENT_GROUPS
                                             for g, _ in ctx.current_links(p, frozenset({"MEMBER_OF"})))]
        if not engaged:
            who = "has no board or executive member recorded" if not seniors else \
                "has board or executive members, but none is in the Community of Practice or the governance group"
            yield ctx.gap("organisation-without-senior-engagement", org,
                          f"{ctx.name(org)} leads or partners in {len(work)} initiative(s) but {who}.",
                          "Invite one of its executives or board members to the governance group or the CoP.",
                          seniors or work)


@gap_rule("theme-without-resource", "low", "Theme", "Theme with no learning resource")
def theme_without_resource(ctx: GapContext) -> Iterator[Gap]:
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        if not any(ctx.sources(t, "ADDRESSES", "Resource") for t in family):
            yield ctx.gap("theme-without-resource", theme,
                          f"The resource hub has nothing on '{ctx.name(theme)}'.",
                          "Add a recording, toolkit or summary so members can learn without relying on "
                          "global majority colleagues to explain.", family - {theme})


@gap_rule("theme-not-scheduled", "low", "Theme", "Theme with no event in the coming months")
def theme_not_scheduled(ctx: GapContext) -> Iterator[Gap]:
    horizon = ctx.as_of + dt.timedelta(days=ctx.settings.schedule_days)
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        events = [e for t in family for e in ctx.sources(t, "ADDRESSES", "Event")]
        if not any(ctx.as_of <= (parse_date(ctx.data(e).get("date")) or dt.date.min) <= horizon
                   for e in events):
            yield ctx.gap("theme-not-scheduled", theme,
                          f"No event on '{ctx.name(theme)}' is planned between {ctx.as_of.isoformat()} and "
                          f"{horizon.isoformat()}.",
                          "Put a session on it in the published six-month programme.", events)


def _live_initiatives(ctx: GapContext) -> Iterator[str]:
    for initiative in ctx.nodes("Initiative"):
        if ctx.data(initiative).get("status", "active") in LIVE_INITIATIVE:
            yield initiative


def _is_live_work(ctx: GapContext, node: str) -> bool:
    data = ctx.data(node)
    if data.get("type") == "Action":
        return data.get("status") not in CLOSED_ACTION
    if data.get("type") == "Initiative":
        return data.get("status", "active") in LIVE_INITIATIVE
    return data.get("type") == "Outcome"


def _current_staff(ctx: GapContext, org: str) -> Iterator[tuple[str, dict]]:
    for person, data in ctx.in_links(org):
        if data["type"] == "WORKS_FOR" and ctx.is_current(data):
            yield person, data
