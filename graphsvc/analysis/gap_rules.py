"""The gap rules of DESIGN.md §4, each a generator of explained gaps with a suggested fix.

Flags are read by boards and by the people they name (DESIGN.md §9): each message describes the
work, never the worth of a person, and carries no clause that does not hold for its subject —
numbers agree with their nouns, and nothing is attributed to the evaluation report unless the
report says it about that subject.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from itertools import chain

from ..progress import latest_update_date
from .common import counted, parse_date
from .gap_wording import nearest_event, only_others, org_work, owned_work, owner_to_ask, senior_staff
from .gaps import Gap, GapContext, gap_rule

__all__: list[str] = []  # rules register themselves in gaps.RULES

AFFILIATIONS = frozenset({"WORKS_FOR", "MEMBER_OF"})
WORK = frozenset({"LEADS", "PARTNERS_IN"})
SENIOR_BACKING = ("SPONSORS", "LEADS")  # a board or executive person behind an initiative, either way
ASSIGN = "Agree one accountable owner and record them as ACCOUNTABLE_FOR the action."


@gap_rule("action-without-owner", "high", "Action", "Open action with no accountable owner")
def action_without_owner(ctx: GapContext) -> Iterator[Gap]:
    for action, owners in ctx.owners.items():
        if not owners:
            yield ctx.gap("action-without-owner", action,
                          f"Nobody is accountable for the open action '{ctx.name(action)}', so nobody has to "
                          "answer for whether it happens.", ASSIGN,
                          ctx.targets(action, "IMPLEMENTS"))


@gap_rule("action-multiple-owners", "high", "Action", "Action with more than one accountable owner")
def action_multiple_owners(ctx: GapContext) -> Iterator[Gap]:
    for action, owners in ctx.owners.items():
        if len(owners) > 1:
            names = ", ".join(sorted(ctx.name(o) for o in owners))
            yield ctx.gap("action-multiple-owners", action,
                          f"'{ctx.name(action)}' has {len(owners)} accountable owners ({names}), so it is not "
                          "clear who answers for it.",
                          "Keep one accountable owner and record the others as responsible or consulted.", owners)


@gap_rule("action-overdue", "high", "Action", "Open action past its due date")
def action_overdue(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        due = parse_date(ctx.data(action).get("due_date"))
        if due and due < ctx.as_of:
            status = str(ctx.data(action).get("status") or "not recorded").replace("_", " ")
            yield ctx.gap("action-overdue", action,
                          f"'{ctx.name(action)}' was due on {due.isoformat()} and is "
                          f"{counted((ctx.as_of - due).days, 'day')} overdue (status: {status}).",
                          f"Ask {owner_to_ask(ctx, action)} for an update: complete it, or agree a new due "
                          "date and record why it moved.", ctx.owners[action])


@gap_rule("action-without-due-date", "medium", "Action", "Open action with no due date")
def action_without_due_date(ctx: GapContext) -> Iterator[Gap]:
    for action in ctx.open_actions:
        if not ctx.data(action).get("due_date"):
            yield ctx.gap("action-without-due-date", action,
                          f"'{ctx.name(action)}' has no due date, so it can never be seen to slip.",
                          f"Agree a realistic due date with {owner_to_ask(ctx, action)}.",
                          ctx.owners[action])


@gap_rule("action-stale", "medium", "Action", "Open action with no recent progress update")
def action_stale(ctx: GapContext) -> Iterator[Gap]:
    limit = ctx.settings.stale_days
    for action in ctx.open_actions:
        data = ctx.data(action)
        reported = parse_date(data.get("last_update"))
        if reported and (ctx.as_of - reported).days <= limit:
            continue  # reported recently: its updates need not be read
        # Updates written without the action's endpoint leave last_update alone: read them too.
        reported = max(filter(None, (reported, parse_date(latest_update_date(ctx.graph, action)))), default=None)
        since = reported or parse_date(data.get("updated_at"))
        if since and (ctx.as_of - since).days > limit:
            what = "has had no progress update" if reported else "its record has not changed"
            yield ctx.gap("action-stale", action,
                          f"'{ctx.name(action)}' is open and {what} since {since.isoformat()} "
                          f"({(ctx.as_of - since).days} days; the limit is {limit}).",
                          f"Ask {owner_to_ask(ctx, action)} for a progress update and record it on the action.",
                          ctx.owners[action])


@gap_rule("owner-left", "high", "Person", "Accountable person who has left every organisation and group")
def owner_left(ctx: GapContext) -> Iterator[Gap]:
    # Found from the open work's side: reading every person's relationships would cost more.
    owned_by = chain(ctx.owners.items(),
                     ctx.initiative_sources("ACCOUNTABLE_FOR").items(),
                     ((o, ctx.sources(o, "ACCOUNTABLE_FOR", "Person")) for o in ctx.nodes("Outcome")))
    people = ctx.ids("Person")
    live_work: dict[str, list[str]] = defaultdict(list)  # one entry per ACCOUNTABLE_FOR, as the message counts
    for work, owners in owned_by:
        for person in owners:
            if person in people:
                live_work[person].append(work)
    for person, owned in live_work.items():
        if _has_left(ctx, person):
            rest = "rests" if len(owned) == 1 else "rest"
            yield ctx.gap("owner-left", person,
                          f"{owned_work(ctx, owned)} still {rest} with {ctx.name(person)} as accountable owner, "
                          "and every role and membership recorded for them has ended.",
                          "Hand it to a current owner (the governance group can reassign it)." if len(owned) == 1
                          else "Hand each to a current owner (the governance group can reassign them).", owned)


@gap_rule("owner-overloaded", "medium", "Owner", "More open actions rest with one owner than the threshold")
def owner_overloaded(ctx: GapContext) -> Iterator[Gap]:
    limit = ctx.settings.overload_actions
    load: dict[str, list[str]] = defaultdict(list)
    for action, owners in ctx.owners.items():
        for owner in owners:
            load[owner].append(action)
    for owner, actions in load.items():
        if len(actions) > limit:
            yield ctx.gap("owner-overloaded", owner,
                          f"{len(actions)} open actions rest with one owner, {ctx.name(owner)} "
                          f"(the threshold is {limit}).",
                          "Spread them: agree with the owner which actions others can take on, or re-plan "
                          "their due dates.", actions)


@gap_rule("recommendation-without-action", "high", "Recommendation", "Recommendation nobody acts on")
def recommendation_without_action(ctx: GapContext) -> Iterator[Gap]:
    for rec in ctx.nodes("Recommendation"):
        if not ctx.has_source(rec, "IMPLEMENTS", among=ctx.uncancelled_actions):
            cancelled = ctx.sources(rec, "IMPLEMENTS", "Action")  # only cancelled ones are left
            what = "Only cancelled actions implement" if cancelled else "No action implements"
            yield ctx.gap("recommendation-without-action", rec,
                          f"{what} the recommendation '{ctx.name(rec)}'.",
                          "Agree an action that answers it, with an accountable owner and a due date, or "
                          "record why it will not be taken forward.", ctx.targets(rec, "FROM_SOURCE"))


@gap_rule("initiative-without-lead", "medium", "Initiative", "Live initiative with no lead")
def initiative_without_lead(ctx: GapContext) -> Iterator[Gap]:
    leads, partners = ctx.initiative_sources("LEADS"), ctx.initiative_sources("PARTNERS_IN")
    for initiative in ctx.live_initiatives:
        if initiative not in leads:
            yield ctx.gap("initiative-without-lead", initiative,
                          f"Nobody is recorded as leading '{ctx.name(initiative)}'.",
                          "Record the organisation, person or group that leads it.", partners.get(initiative, ()))


@gap_rule("initiative-without-senior-sponsor", "medium", "Initiative",
          "Live initiative no board or executive person sponsors or leads")
def initiative_without_senior_sponsor(ctx: GapContext) -> Iterator[Gap]:
    people, seniors = ctx.ids("Person"), ctx.senior_people
    backing = [ctx.initiative_sources(rel_type) for rel_type in SENIOR_BACKING]
    for initiative in ctx.live_initiatives:
        if all(seniors.isdisjoint(found.get(initiative, ())) for found in backing):  # senior people are people
            sponsors = sorted({p for p in backing[0].get(initiative, ()) if p in people})
            detail = ("no sponsor" if not sponsors else "1 sponsor, who is not at board or executive level"
                      if len(sponsors) == 1 else f"{len(sponsors)} sponsors, none at board or executive level")
            yield ctx.gap("initiative-without-senior-sponsor", initiative,
                          f"'{ctx.name(initiative)}' has {detail}, and no board or executive person leads it.",
                          "Ask a board member or executive to sponsor it.", sponsors)


@gap_rule("outcome-without-indicator", "medium", "Outcome", "Outcome nobody measures")
def outcome_without_indicator(ctx: GapContext) -> Iterator[Gap]:
    indicators = ctx.ids("Indicator")
    for outcome in ctx.nodes("Outcome"):
        if not ctx.has_source(outcome, "MEASURES", among=indicators):
            yield ctx.gap("outcome-without-indicator", outcome,
                          f"No indicator measures the outcome '{ctx.name(outcome)}', so progress cannot be shown.",
                          "Add an indicator with a baseline and a target (the impact framework).",
                          ctx.sources(outcome, "CONTRIBUTES_TO"))


@gap_rule("action-without-outcome", "low", "Action", "Open action not linked to any outcome")
def action_without_outcome(ctx: GapContext) -> Iterator[Gap]:
    outcomes = ctx.ids("Outcome")
    for action in ctx.open_actions:
        if not ctx.has_target(action, "CONTRIBUTES_TO", among=outcomes):
            yield ctx.gap("action-without-outcome", action,
                          f"'{ctx.name(action)}' does not say which outcome it contributes to, so its impact "
                          "cannot be traced.", "Link it to the outcome it serves (CONTRIBUTES_TO).",
                          ctx.targets(action, "IMPLEMENTS"))


@gap_rule("theme-uncovered", "medium", "Theme", "Theme no active initiative addresses")
def theme_uncovered(ctx: GapContext) -> Iterator[Gap]:
    active = ctx.active_initiatives
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        if not any(ctx.has_source(t, "ADDRESSES", among=active) for t in family):
            others = _other_initiatives(ctx, family, "ADDRESSES")
            yield ctx.gap("theme-uncovered", theme,
                          f"No active initiative addresses '{ctx.name(theme)}'.{only_others(ctx, others)}",
                          "Check whether work on it exists but is not mapped; if not, raise it with the "
                          "governance group as a gap in the system's offer.", (family - {theme}) | set(others))


@gap_rule("population-unserved", "medium", "Population", "Population no active initiative serves")
def population_unserved(ctx: GapContext) -> Iterator[Gap]:
    active = ctx.active_initiatives
    for population in ctx.nodes("Population"):
        family = ctx.with_descendants(population)
        if not any(ctx.has_source(p, "SERVES", among=active) for p in family):
            others = _other_initiatives(ctx, family, "SERVES")
            yield ctx.gap("population-unserved", population,
                          f"No active initiative serves {ctx.name(population)}.{only_others(ctx, others)}",
                          "Check with community partners whose work reaches them, map it, or plan for it.",
                          (family - {population}) | set(others))


@gap_rule("organisation-without-senior-engagement", "medium", "Organisation",
          "Organisation active in initiatives whose senior leaders are in neither the CoP nor governance")
def organisation_without_senior_engagement(ctx: GapContext) -> Iterator[Gap]:
    # Read from the other ends, as the vocabulary's endpoints allow (only initiatives are led or
    # partnered in, only people work for organisations or have a seniority, only groups have
    # members): reading every organisation's relationships would cost more than all of this rule.
    work_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # org -> LEADS... -> initiatives
    for rel_type in WORK:
        for initiative, sources in ctx.initiative_sources(rel_type).items():
            for org in sources:
                work_of[org][rel_type].add(initiative)
    staff: dict[str, list[str]] = defaultdict(list)  # organisation -> its current board and executive people
    engaged: set[str] = set()  # ... who are current members of the CoP or a governance group
    orgs, groups = ctx.ids("Organisation"), ctx.engagement_groups
    either = orgs | groups
    for person in ctx.senior_people:
        for target, data in ctx.current_links(person, AFFILIATIONS, among=either):
            if data["type"] == "WORKS_FOR" and target in orgs:
                staff[target].append(person)
            elif data["type"] == "MEMBER_OF" and target in groups:
                engaged.add(person)
    for org in ctx.nodes("Organisation"):
        work = work_of.get(org)
        if not work:
            continue
        seniors = sorted(set(staff.get(org, [])))
        if engaged.isdisjoint(seniors):
            yield ctx.gap("organisation-without-senior-engagement", org,
                          f"{ctx.name(org)} {org_work(work)}; {senior_staff(seniors)}.",
                          "Invite one of its board members or executives to a community of practice or "
                          "governance group." if seniors else "Record its board and executive people, and invite "
                          "one of them to a community of practice or governance group.",
                          seniors or set().union(*work.values()))


@gap_rule("theme-without-resource", "low", "Theme", "Theme with no learning resource")
def theme_without_resource(ctx: GapContext) -> Iterator[Gap]:
    # From the resources' side: a few thousand of them, against themes addressed by thousands of others.
    covered = {t for r in ctx.nodes("Resource") for t in ctx.targets(r, "ADDRESSES")}
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        if covered.isdisjoint(family):
            yield ctx.gap("theme-without-resource", theme,
                          f"No learning resource addresses '{ctx.name(theme)}'.",
                          "Add a recording, toolkit or summary on it to the resource hub, so people can "
                          "learn about it at their own pace.", family - {theme})


@gap_rule("theme-not-scheduled", "low", "Theme", "Theme with no event in the coming months")
def theme_not_scheduled(ctx: GapContext) -> Iterator[Gap]:
    horizon = ctx.as_of + dt.timedelta(days=ctx.settings.schedule_days)
    # From the events' side: a few thousand of them, against themes addressed by thousands of others.
    events_on: dict[str, list[tuple[dt.date | None, str]]] = defaultdict(list)
    planned: set[str] = set()
    for event in ctx.nodes("Event"):
        when = parse_date(ctx.data(event).get("date"))
        for theme in ctx.targets(event, "ADDRESSES"):
            events_on[theme].append((when, event))
            if when and ctx.as_of <= when <= horizon:
                planned.add(theme)
    for theme in ctx.nodes("Theme"):
        family = ctx.with_descendants(theme)
        if planned.isdisjoint(family):
            events = [found for t in family for found in events_on.get(t, ())]
            yield ctx.gap("theme-not-scheduled", theme,
                          f"No event on '{ctx.name(theme)}' is planned between {ctx.as_of.isoformat()} and "
                          f"{horizon.isoformat()}{nearest_event(ctx, events)}.",
                          "Put a session on it in the published programme.", [event for _, event in events])


def _other_initiatives(ctx: GapContext, family: set[str], rel_type: str) -> list[str]:
    """Initiatives that are not active but do link (``rel_type``) to the theme or population's family."""
    active = ctx.active_initiatives
    return sorted({i for node in family for i in ctx.sources(node, rel_type, "Initiative") if i not in active})


def _has_left(ctx: GapContext, person: str) -> bool:
    """At least one WORKS_FOR or MEMBER_OF is recorded and none is current."""
    ended = False
    for _, data in ctx.out_links(person):
        if data["type"] in AFFILIATIONS:
            if ctx.is_current(data):
                return False
            ended = True
    return ended


