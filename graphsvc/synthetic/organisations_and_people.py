"""Generation steps: organisations across sectors and the people who work or volunteer for them, some of
both entered twice."""

from __future__ import annotations

import random
from collections import deque

from .dates import random_date
from .proportions import FUNDER_KINDS, ORG_KINDS, SENIORITY
from .state import GeneratorState
from .words import FIRST, LAST, TITLES, VOLUNTARY_NAMES

__all__ = ["OrganisationsAndPeople"]


class OrganisationsAndPeople(GeneratorState):
    """Organisation and Person nodes, with WORKS_FOR, OPERATES_IN and PCN membership."""

    def _organisations(self) -> None:
        rng, total = self.rng, self.counts["Organisation"]
        doubles = min(self.duplicates // 2, total // 10)
        kinds, shares = list(ORG_KINDS), [share for share, _, _ in ORG_KINDS.values()]
        used: set[str] = set()
        for index in range(1, total - doubles + 1):
            kind = kinds[index - 1] if index <= len(kinds) else rng.choices(kinds, shares)[0]
            place = self._local_place() if kind not in ("integrated_care_board", "local_authority") else \
                self.pool("borough").pick(rng)
            name = self._org_name(kind, self.place_names[place])
            if name in used:
                name = f"{name} ({self.place_names[self._local_place()]})"
            used.add(name)
            org_id = self._organisation(f"org-{index:05d}", name, kind, place, identifier=_org_code(kind, index))
            self.org_names.append((org_id, name, kind, place))
        for index in range(total - doubles + 1, total + 1):  # the same body entered again, name slightly off
            original, name, kind, place = rng.choice(self.org_names)
            extra = {"identifier": _org_code(kind, int(original[4:]))} if rng.random() < 0.4 else {}
            copy = self._organisation(f"org-{index:05d}", _misspell(rng, name), kind, place, weight=0.3, **extra)
            self.w.planted.append({"kind": "duplicate-organisation", "a": original, "b": copy})

    def _organisation(self, org_id: str, name: str, kind: str, place: str, weight: float = 1.0, **extra) -> str:
        rng, (_, sector, size) = self.rng, ORG_KINDS[kind]
        self.w.node("Organisation", org_id, name=name, kind=kind, sector=sector, **extra)
        self.org_name[org_id] = name
        self.w.rel("OPERATES_IN", org_id, place)
        if rng.random() < 0.45:
            other = self._local_place()
            if other != place:
                self.w.rel("OPERATES_IN", org_id, other)
        size *= weight * rng.lognormvariate(0, 0.8)
        self.pool("org").add(org_id, size)
        self.pool("lead_org").add(org_id, size ** 0.6 if kind != "gp_practice" else 0.2)
        self.pool("partner_org").add(org_id, size ** 0.5)
        self.pool("funder").add(org_id, FUNDER_KINDS.get(kind, 0) * size ** 0.5)
        if kind == "primary_care_network":
            self.pool("pcn").add(org_id)
        elif kind == "gp_practice" and len(self.pool("pcn")) and rng.random() < 0.85:
            self.w.rel("PART_OF", org_id, self.pool("pcn").pick(rng))
        if kind in ("voluntary_community", "healthwatch", "social_enterprise"):
            self.pool("voluntary").add(org_id, size)
        return org_id

    def _org_name(self, kind: str, place: str) -> str:
        rng = self.rng
        if kind == "nhs_trust":
            return place + rng.choice((" Hospitals NHS Trust", " and District NHS Foundation Trust",
                                       " Community Health NHS Trust", " Mental Health NHS Foundation Trust",
                                       " University Hospitals NHS Foundation Trust"))
        if kind == "integrated_care_board":
            return f"NHS {place.removesuffix(' ICB area')} Integrated Care Board"
        if kind == "local_authority":
            return place + rng.choice((" Borough Council", " City Council", " County Council", " Council"))
        if kind == "primary_care_network":
            return f"{place} {rng.choice(('Central', 'North', 'South', 'East', 'West', ''))} Primary Care Network" \
                .replace("  ", " ")
        if kind == "gp_practice":
            return f"{rng.choice(LAST)} {rng.choice(('Road', 'Lane', 'Street', 'Park'))} " \
                   f"{rng.choice(('Surgery', 'Medical Centre', 'Health Centre', 'Practice'))}, {place}"
        if kind == "healthwatch":
            return f"Healthwatch {place}"
        if kind == "university":
            return f"University of {place}"
        if kind == "social_enterprise":
            return f"{place} {rng.choice(('Health', 'Wellbeing', 'Care', 'Community'))} CIC"
        return f"{place} {rng.choice(VOLUNTARY_NAMES)}"

    def _people(self) -> None:
        rng, total = self.rng, self.counts["Person"]
        doubles = min(self.duplicates - self.duplicates // 2, total // 10)
        levels, weights = list(SENIORITY), list(SENIORITY.values())
        originals: deque = deque(maxlen=512)
        for index in range(1, total - doubles + 1):
            seniority = levels[index - 1] if index <= len(levels) else rng.choices(levels, weights)[0]
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if rng.random() < 0.08:
                last = f"{last}-{rng.choice(LAST)}"
            person = self._person(f"person-{index:06d}", f"{first} {last}", seniority,
                                  f"{first}.{last}.{index}@example.org".lower())
            originals.append(person)
        for index in range(total - doubles + 1, total + 1):  # the same person entered again, name misspelt
            original_id, name, seniority, email, title, org = rng.choice(originals)
            copy = f"person-{index:06d}"
            props = {"name": _misspell(rng, name), "job_title": title, "seniority": seniority}
            if rng.random() < 0.5:
                props["email"] = email
            self.w.node("Person", copy, **props)
            if org:
                self.w.rel("WORKS_FOR", copy, org, role="employee")
            self.pool("person").add(copy, 0.2)
            self.w.planted.append({"kind": "duplicate-person", "a": original_id, "b": copy})

    def _person(self, person_id: str, name: str, seniority: str, email: str) -> tuple:
        rng = self.rng
        title = rng.choice(TITLES[seniority])
        self.w.node("Person", person_id, name=name, job_title=title, seniority=seniority, email=email)
        volunteer = seniority == "community_member"
        org = None
        if not volunteer or rng.random() < 0.5:
            org = self.pool("voluntary" if volunteer else "org").pick(rng)
            ended = rng.random() < 0.06
            since = random_date(rng, -12 * 365, -60)
            extra = {"until": random_date(rng, -700, -1)} if ended else {}
            if ended and extra["until"] <= since:
                extra = {}
            self.w.rel("WORKS_FOR", person_id, org, role="volunteer" if volunteer else "employee", since=since,
                       **extra)
            if seniority in ("board", "executive"):
                self.leaders_of.setdefault(org, []).append(person_id)
        weight = rng.paretovariate(1.6)
        self.pool("person").add(person_id, weight)
        if seniority in ("board", "executive"):
            self.pool("sponsor").add(person_id, weight)
        if seniority in ("executive", "senior", "manager"):
            self.pool("owner").add(person_id, weight ** 1.5)
        return person_id, name, seniority, email, title, org


def _misspell(rng: random.Random, name: str) -> str:
    """The same name entered again: an abbreviation where one fits, else a typo."""
    for long, short in ((" Council", " Cncl"), ("NHS Foundation Trust", "NHS FT"), ("Primary Care Network", "PCN"),
                        ("Integrated Care Board", "ICB"), (" and ", " & "), ("Centre", "Center"),
                        ("Association", "Assoc."), ("University of ", "Univ. of ")):
        if long in name and rng.random() < 0.7:
            return name.replace(long, short, 1)
    letters = [i for i, c in enumerate(name) if c.isalpha() and 0 < i < len(name) - 1]
    i = rng.choice(letters)
    edit = rng.randrange(3)
    if edit == 0:
        return name[:i] + name[i] + name[i:]  # doubled letter
    if edit == 1:
        return name[:i] + name[i + 1:]  # dropped letter
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # swapped letters


def _org_code(kind: str, index: int) -> str:
    prefix = {"nhs_trust": "R", "integrated_care_board": "Q", "primary_care_network": "U", "gp_practice": "P",
              "local_authority": "E"}.get(kind, "CH")
    return f"{prefix}{index:06d}"
