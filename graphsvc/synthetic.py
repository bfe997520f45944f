"""Synthetic graphs with a realistic shape, for benchmarks and tests (pure: no Flask, no store).

``generate(out, nodes=100_000, seed=0)`` streams a native graph document
(``{"nodes": [...], "relationships": [...]}``) to a text stream: a national-scale map of
organisations across sectors, people at a seniority mix, groups, initiatives, the findings and
recommendations of many reviews, the actions that answer them with at most one accountable owner,
outcomes, indicators, resources and events, tagged with the real themes and populations of
``seeds/taxonomy.yaml`` drawn from skewed (Zipf-like) distributions. It plants what the analyses
must find: near-duplicate initiatives (~1%) and organisations and people entered twice.

The output is deterministic for a seed. It is written one record per line, so readers may stream it;
relationships are spooled to a temporary file while nodes are written, so memory stays small (the
generator keeps ids, a few names and weights, never the records: ~60 MB at 100k nodes). Relationships
carry ids (``rel-s0000001``) unless ``relationship_ids`` is false.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import random
import shutil
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, TextIO

import yaml

__all__ = ["DEFAULT_TAXONOMY", "NODE_MIX", "REFERENCE_DATE", "generate", "plan"]

DEFAULT_TAXONOMY = Path(__file__).resolve().parent.parent / "seeds" / "taxonomy.yaml"
# "Today" for statuses, due dates and event dates; fixed so that the output depends only on the seed.
REFERENCE_DATE = dt.date(2026, 12, 1)

# Share of the nodes (after the taxonomy's themes and populations) given to each type.
NODE_MIX = {"Place": 0.035, "Organisation": 0.08, "Person": 0.30, "Group": 0.02, "Source": 0.004,
            "Finding": 0.016, "Recommendation": 0.02, "Outcome": 0.04, "Indicator": 0.05,
            "Initiative": 0.20, "Action": 0.145, "Resource": 0.045, "Event": 0.045}
DUPLICATE_INITIATIVES = 0.01  # share of initiatives that copy a recent one with small edits
DUPLICATE_RECORDS = 0.0025  # organisations and people entered twice, as a share of all nodes

# -- words of the domain -------------------------------------------------------------------------

FIRST = ("Aaliyah Abdul Ada Adam Adebola Aisha Alan Alice Amara Amir Ana Andrew Angela Anil Anna Arjun Asha Ayo "
         "Barbara Ben Bilal Bola Bridget Carla Catherine Chen Chidi Chloe Chris Claire Comfort Daniel David Deepa "
         "Delroy Diane Dimitri Ebony Efua Elena Elif Emeka Emma Fatima Femi Fiona Funmi Gareth Grace Hannah Hassan "
         "Helen Hui Ibrahim Imran Ines Isaac Jade James Jamila Jasmine Jason Jia Joanna John Joseph Judith Kamal "
         "Karen Kemi Kofi Kwame Lakshmi Laura Leon Li Lucy Mandeep Marcus Maria Marlon Martin Mary Maya Mei Michael "
         "Mohamed Nadia Naomi Neil Nikhil Nkechi Olu Omar Owen Paul Priya Rachel Rajesh Rashid Rebecca Rosa Ruth "
         "Sadia Samuel Sana Sarah Simon Sipho Sofia Sunil Tanya Tariq Thomas Tunde Usha Victor Wei Yasmin Yusuf "
         "Zainab Zara").split()
LAST = ("Abbott Adeyemi Ahmed Akhtar Ali Allen Amadi Anderson Asante Bailey Baker Banerjee Begum Bennett Bhatt "
        "Boateng Brennan Brown Campbell Carter Chauhan Chen Clarke Cole Collins Cooper Da-Silva Davies Desai Dixon "
        "Edwards Ellis Evans Farah Farrow Fernandes Fletcher Foster Francis Gill Grant Green Gupta Hall Haque "
        "Harris Hassan Hughes Hussain Ibrahim Iqbal Jackson James Johnson Jones Joseph Kaur Kelly Khan Kumar Lee "
        "Lewis Liddell Lin Lloyd Malik Marshall Martin Mensah Miah Mitchell Mohamed Moore Morgan Murphy Nassar "
        "Nguyen Nwosu Obi Okafor Okonkwo Oliver Osei Owusu Parker Patel Pearce Phillips Price Rahman Reid Richards "
        "Roberts Robinson Rossi Saleem Scott Shah Sharma Simpson Singh Smith Stewart Taylor Thomas Thompson Turner "
        "Walker Wang Ward Watson White Williams Wilson Wood Wright Yeung Young Zhang").split()
PLACE_STEMS = ("Ash Bar Black Bram Brook Burn Castle Chester Clay Cold Dun Elm Fair Fen Glen Green Hart Hay Holm Kings "
               "Lang Lee Mark Mill Moor New Oak Pen Queens Red Rother Sand Shire Stan Stone Thorn Wal Water Wester "
               "Whit Wick Willow Wind Wood Yar").split()
PLACE_ENDS = "ford ton bury field ham ley wick worth bridge by stead mouth gate dale combe hurst well side mere".split()
PLACE_PREFIXES = ("", "", "", "", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Great ", "Little ")
REGIONS = ("North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands", "East of England",
           "London", "South East", "South West")

# theme id (without "theme-") -> "topics for names; the problems it tackles; methods", alternatives split by "|".
# Themes missing here (a taxonomy may grow) fall back to words from their id.
THEME_WORDS = {
    "workforce-race-equality": "Workforce Race Equality|Race Equality at Work|Inclusive Workforce; unequal experience "
    "of global majority staff|persistent gaps in the WRES indicators|racism experienced by staff at work; staff "
    "network support|WRES action planning|inclusive leadership training|cultural ambassadors|listening events",
    "wres-recruitment": "Inclusive Recruitment|Fair Shortlisting|Diverse Panels; lower appointment rates from "
    "shortlisting|recruitment that screens out global majority applicants; diverse interview panels|de-biased "
    "shortlisting|values-based recruitment|anonymised applications|recruitment inclusion guardians",
    "wres-progression": "Career Progression|Leadership Pathways|Talent Development; barriers to promotion into senior "
    "roles|global majority staff held in lower pay bands; sponsorship and coaching|talent pipelines|reverse "
    "mentoring|secondment opportunities|positive action development programmes",
    "wres-disciplinary": "Fair Employment Relations|Just Culture|Fair Investigations; over-representation of global "
    "majority staff in formal disciplinary processes|inconsistent use of formal investigations; pre-formal-process "
    "checks|independent case review|just culture training for managers|decision panels with lay members",
    "wres-board-representation": "Board Diversity|Representative Boards|Board Pathways; under-representation on "
    "boards|boards that do not reflect their communities; board apprenticeships|open recruitment to board "
    "roles|shadow board placements|non-executive development",
    "access-to-care": "Equitable Access|Access to Care|Open Doors; barriers to registering with and using "
    "services|late presentation to primary care|unequal waiting times; community navigators|outreach "
    "clinics|GP registration support|extended opening hours|walk-in sessions|help with transport",
    "maternity-neonatal": "Maternity Equity|Safer Births|Birth Equity; disparities in maternity and neonatal "
    "outcomes|higher rates of maternal death and stillbirth; continuity of carer|culturally safe antenatal "
    "education|peer doulas|early booking support|maternity advocates|postnatal check-ins",
    "mental-health": "Mental Health Equity|Race Equality in Mental Health|PCREF in Practice; racial disparities in "
    "mental health care|mistrust of mental health services; PCREF implementation|culturally adapted "
    "therapies|community advocacy|patient and carer panels|race equality training for clinicians",
    "mental-health-detention": "Reducing Detention Disparities|Least Restrictive Care; disproportionate use of "
    "Mental Health Act detention|higher use of restraint and seclusion; crisis alternatives|advance choice "
    "documents|independent advocacy|restrictive practice reviews|police and health liaison",
    "mental-health-community": "Community Mental Wellbeing|Early Support; late access to community mental health "
    "support|stigma about mental health; faith and community partnerships|peer support groups|wellbeing "
    "cafes|talking therapies in community languages|mental health first aid",
    "long-term-conditions": "Hypertension Case-Finding|Diabetes Prevention|Healthy Hearts; undiagnosed hypertension "
    "and diabetes|poorer control of long-term conditions; blood pressure checks in community venues|proactive "
    "case-finding|structured education|pharmacy health checks|barbershop health checks",
    "early-cancer-diagnosis": "Early Cancer Diagnosis|Screening Uptake|Cancer Awareness; lower uptake of cancer "
    "screening|late cancer diagnosis; community screening conversations|health champions|targeted "
    "invitations|text message reminders|symptom awareness events",
    "ethnicity-data": "Ethnicity Data Quality|Better Data|Equity Intelligence; incomplete ethnicity recording|data "
    "that hide disparities; self-reported ethnicity recording|data quality audits|equity dashboards|scripts "
    "for asking about ethnicity|linked datasets",
    "leadership-governance": "Anti-Racist Leadership|Accountable Leadership|Leading for Equity; weak "
    "accountability for anti-racist change|little senior ownership of race equality; executive sponsorship|an "
    "action log with named owners|board development sessions|equity objectives for directors|assurance reports",
    "community-engagement": "Community Co-Production|Community Voices|Seldom Heard Voices; communities left out of "
    "decisions about services|consultation fatigue and broken trust; co-production panels|community "
    "research|lived experience partners|paid community researchers|citizens' panels",
    "learning-reflective-practice": "Reflective Practice|Anti-Racism Learning|Learning into Action; learning that "
    "does not turn into action|one-off training with little follow-up; reflective practice groups|action "
    "learning sets|anti-racism workshops|case study discussions|learning sets for managers",
    "patient-experience": "Patient Experience|Fair Complaints|Listening to Patients; poor experience and unresolved "
    "complaints|complaints processes people do not trust; complaints review|experience-based "
    "co-design|feedback in community languages|independent complaints advocates|mystery shopping",
    "procurement-anchor": "Anchor Institution|Social Value Procurement|Local Wealth; spending that bypasses local "
    "communities|few contracts with minority-led businesses; social value criteria|local supplier "
    "development|fair employment charters|supplier diversity targets|local recruitment pledges",
    "digital-inclusion": "Digital Inclusion|Digital Health Hubs|Connected Communities; exclusion from online "
    "services|low confidence with the NHS App; digital champions|device lending|NHS App support sessions|free "
    "data SIM cards|library digital drop-ins",
    "interpreting-communication": "Interpreting Services|Accessible Communication|Language Access; language "
    "barriers in care|reliance on family members to interpret; professional interpreting|translated "
    "information|British Sign Language access|easy read materials|bilingual health advocates",
    "cop-purpose-programme": "Community of Practice|CoP Programme|Practice Network; an unclear purpose and "
    "irregular engagement|members dropping out after a few sessions; a published programme|induction for new "
    "members|peer-led sessions|an online resource hub|termly member surveys",
    "psychological-safety": "Safe Spaces|Psychological Safety|Brave Spaces; fear of speaking about "
    "racism|conversations that feel unsafe for global majority staff; agreed ground rules|trauma-informed "
    "facilitation|caucus sessions|restorative conversations|confidential listening sessions",
    "cross-sector-collaboration": "Cross-Sector Alignment|System Collaboration|Joined-Up Working; duplicated and "
    "disconnected initiatives|organisations working in silos; mapping of initiatives|joint "
    "commissioning|shared action planning|a system-wide equity forum|pooled budgets",
}
VENUES = ("libraries", "mosques, churches and gurdwaras", "children's centres", "community halls", "barbershops and "
          "salons", "GP surgeries", "pharmacies", "food banks", "schools", "leisure centres", "job centres", "markets",
          "outpatient clinics", "family hubs", "community cafes", "housing offices", "football clubs")
AUDIENCES = ("frontline staff", "managers", "volunteers", "community leaders", "carers", "young people", "older "
             "residents", "new parents", "students", "clinicians", "faith leaders", "link workers", "peer supporters")
LANGUAGES = ("Arabic", "Bengali", "Cantonese", "Gujarati", "Polish", "Portuguese", "Punjabi", "Romanian", "Somali",
             "Tigrinya", "Turkish", "Urdu", "Yoruba", "Tamil", "Farsi", "Pashto", "Twi", "Romani")
AIMS = ("build trust", "shorten waiting times", "improve experience", "close the gap in outcomes", "increase uptake",
        "strengthen accountability", "share what works", "grow local capacity", "reach people earlier")
FREQUENCIES = ("weekly", "fortnightly", "monthly", "every term", "quarterly", "twice a year")
BRANDS = ("Sankofa", "Ubuntu", "Harambee", "Bridges", "Compass", "Beacon", "Thrive", "Kinship", "Rise", "Roots",
          "Unity", "Horizon", "Pathways", "Open Door", "Lighthouse", "Common Ground", "Seedling", "Keystone")
GENERIC_METHODS = ("community outreach", "training for frontline staff", "partnership working", "regular evaluation",
                   "lived experience panels", "targeted communications", "data-led planning")
CLOSINGS = ("Learning is shared through the Community of Practice.", "It reports quarterly to the governance group.",
            "Its impact is evaluated with the community.", "It began as a pilot and is now being scaled up.",
            "Funding is confirmed for two years.", "Results feed into the system action log.",
            "An independent evaluation is planned.", "Progress is published on the partnership website.")
INITIATIVE_KINDS = {"programme": 18, "project": 30, "service": 14, "network": 6, "campaign": 8, "training": 12,
                    "policy": 5, "research": 5, "other": 2}
KIND_NOUNS = {"programme": ("Programme",), "project": ("Project", "Pilot"), "service": ("Service", "Hub"),
              "network": ("Network", "Alliance"), "campaign": ("Campaign",), "training": ("Training", "Academy"),
              "policy": ("Policy", "Charter"), "research": ("Study", "Research"), "other": ("Initiative",)}
# kind: (share, sector, size weight for staff and leadership)
ORG_KINDS = {"nhs_trust": (0.03, "nhs", 60), "integrated_care_board": (0.006, "nhs", 25),
             "local_authority": (0.04, "local_government", 35), "primary_care_network": (0.12, "primary_care", 3),
             "gp_practice": (0.30, "primary_care", 1.2), "voluntary_community": (0.40, "voluntary_community", 1.5),
             "healthwatch": (0.03, "voluntary_community", 2), "university": (0.012, "academic", 10),
             "social_enterprise": (0.05, "independent", 2), "other": (0.012, "other", 2)}
FUNDER_KINDS = {"integrated_care_board": 8, "local_authority": 5, "nhs_trust": 2, "university": 1, "other": 1}
VOLUNTARY_NAMES = ("Community Association", "Carers Centre", "Women's Health Forum", "Refugee Welcome", "Faith Forum",
                   "Community Voices", "Health Champions", "Youth Trust", "Mental Wellbeing Network", "Advice Centre",
                   "African Caribbean Community Association", "Asian Women's Project", "Roma Support Group",
                   "Chinese Community Centre", "Migrant Help", "Black Men's Health Collective",
                   "Lived Experience Panel")
SENIORITY = {"board": 3, "executive": 5, "senior": 12, "manager": 22, "practitioner": 46, "community_member": 12}
TITLES = {"board": ("Chair", "Non-Executive Director", "Trustee", "Cabinet Member for Health"),
          "executive": ("Chief Executive", "Chief Nursing Officer", "Chief People Officer", "Director of Public Health",
                        "Medical Director", "Director of Health Equity", "Clinical Director"),
          "senior": ("Head of Equality, Diversity and Inclusion", "Head of Population Health", "Consultant in Public "
                     "Health", "Director of Midwifery", "Head of Organisational Development"),
          "manager": ("Programme Manager", "EDI Lead", "Service Manager", "Community Engagement Manager",
                      "Practice Manager", "Workforce Lead"),
          "practitioner": ("Staff Nurse", "Midwife", "Health Visitor", "Social Prescribing Link Worker", "GP",
                           "Community Development Officer", "Pharmacist", "Social Worker", "Psychologist"),
          "community_member": ("Community Champion", "Volunteer", "Lived Experience Partner", "Peer Supporter")}
GROUP_KINDS = {"community_of_practice": 20, "governance_group": 15, "network": 22, "board": 10, "working_group": 28}
OUTCOME_LEVELS = {"individual": 2, "team": 2, "organisational": 3, "system": 3}
SECTIONS = ("Purpose and governance", "Membership and engagement", "Safe space and psychological safety",
            "Learning to action", "Data and evidence", "Access and experience", "Workforce")
ACTION_VERBS = ("Agree", "Introduce", "Publish", "Review", "Pilot", "Fund", "Roll out", "Evaluate", "Commission",
                "Train staff in")


def plan(nodes: int, fixed: int = 0) -> dict[str, int]:
    """How many nodes of each type a graph of ``nodes`` nodes gets, ``fixed`` of them being taxonomy nodes.

    >>> plan(100_000, 37)["Initiative"]
    19992
    """
    rest = max(nodes - fixed, len(NODE_MIX))
    counts = {name: max(1, int(rest * share)) for name, share in NODE_MIX.items()}
    counts["Person"] += rest - sum(counts.values())
    return counts


def generate(out: TextIO, nodes: int = 100_000, seed: int = 0, taxonomy: dict[str, Any] | None = None,
             relationship_ids: bool = True) -> dict[str, Any]:
    """Write a synthetic graph of about ``nodes`` nodes to ``out``; return counts and the planted duplicates.

    >>> import io; summary = generate(io.StringIO(), nodes=500, seed=1); summary["nodes"]
    500
    """
    if taxonomy is None:
        taxonomy = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        writer = _Writer(out, spool, relationship_ids)
        _Generator(random.Random(seed), writer, taxonomy, nodes).run()
        writer.finish()
    return writer.summary()


class _Writer:
    """Streams nodes to ``out`` and relationships to a spool, one JSON record per line."""

    def __init__(self, out: TextIO, spool: TextIO, relationship_ids: bool):
        self.out, self.spool, self.relationship_ids = out, spool, relationship_ids
        self.relationships = 0
        self.node_counts: dict[str, int] = {}
        self.rel_counts: dict[str, int] = {}
        self.planted: list[dict[str, str]] = []
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        out.write('{"nodes": [\n')

    def node(self, node_type: str, node_id: str, **properties: Any) -> str:
        self.out.write((",\n" if self.node_counts else "") + self._encode({"id": node_id, "type": node_type,
                                                                           **properties}))
        self.node_counts[node_type] = self.node_counts.get(node_type, 0) + 1
        return node_id

    def rel(self, rel_type: str, source: str, target: str, **properties: Any) -> None:
        head = {"id": f"rel-s{self.relationships + 1:07d}"} if self.relationship_ids else {}
        self.spool.write((",\n" if self.relationships else "") + self._encode({**head, "type": rel_type, "from": source,
                                                                                "to": target, **properties}))
        self.relationships += 1
        self.rel_counts[rel_type] = self.rel_counts.get(rel_type, 0) + 1

    def finish(self) -> None:
        self.out.write('\n],\n"relationships": [\n')
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, self.out)
        self.out.write("\n]}\n")
        self.out.flush()

    def summary(self) -> dict[str, Any]:
        return {"nodes": sum(self.node_counts.values()), "relationships": sum(self.rel_counts.values()),
                "node_types": dict(self.node_counts), "relationship_types": dict(self.rel_counts),
                "planted": list(self.planted)}


class _Pool:
    """Ids with weights; a draw is a binary search over cumulative weights."""

    def __init__(self):
        self.ids: list[str] = []
        self.cumulative: list[float] = []

    def add(self, node_id: str, weight: float = 1.0) -> None:
        if weight > 0:
            self.ids.append(node_id)
            self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + weight)

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: random.Random) -> str:
        return self.ids[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]

    def sample(self, rng: random.Random, k: int, exclude: tuple = ()) -> list[str]:
        """Up to ``k`` distinct ids, none in ``exclude`` (fewer when the pool is small)."""
        chosen: list[str] = []
        for _ in range(4 * k + 4):
            if len(chosen) >= k or not self.ids:
                break
            node_id = self.pick(rng)
            if node_id not in chosen and node_id not in exclude:
                chosen.append(node_id)
        return chosen


class _Generator:
    def __init__(self, rng: random.Random, writer: _Writer, taxonomy: dict[str, Any], nodes: int):
        self.rng, self.w, self.taxonomy = rng, writer, taxonomy
        fixed = [row for row in taxonomy.get("nodes") or [] if row.get("type") in ("Theme", "Population")]
        self.counts = plan(nodes, len(fixed))
        self.duplicates = max(2, int(nodes * DUPLICATE_RECORDS))
        self.pools: dict[str, _Pool] = {}
        self.theme_ids: list[str] = []
        self.population_names: dict[str, str] = {}
        self.place_names: dict[str, str] = {}
        self.boroughs: list[str] = []
        self.children: dict[str, list[str]] = {}
        self.org_names: list[tuple[str, str, str, str]] = []  # (id, name, kind, home place)
        self.org_name: dict[str, str] = {}
        self.leaders_of: dict[str, list[str]] = {}  # organisation id -> its board and executive people
        self.recent: deque = deque(maxlen=256)  # recent initiatives, for near-duplicates and alignment

    def pool(self, name: str) -> _Pool:
        return self.pools.setdefault(name, _Pool())

    def run(self) -> None:
        for step in (self._taxonomy, self._places, self._organisations, self._people, self._groups, self._sources,
                     self._outcomes, self._indicators, self._initiatives, self._actions, self._resources,
                     self._events):
            step()

    # -- reference data and places -------------------------------------------------------------

    def _taxonomy(self) -> None:
        rows = [row for row in self.taxonomy.get("nodes") or [] if row.get("type") in ("Theme", "Population")]
        for row in rows:
            self.w.node(row["type"], row["id"], **{k: v for k, v in row.items() if k not in ("id", "type")})
        ids = {row["id"] for row in rows}
        for rel in self.taxonomy.get("relationships") or []:
            if rel["from"] in ids and rel["to"] in ids:
                self.w.rel(rel["type"], rel["from"], rel["to"])
        themes = [row["id"] for row in rows if row["type"] == "Theme"]
        populations = [row for row in rows if row["type"] == "Population"]
        self.rng.shuffle(themes)
        self.rng.shuffle(populations)
        self.theme_ids = themes
        for rank, theme in enumerate(themes):
            self.pool("theme").add(theme, 1 / (rank + 1) ** 0.8)  # Zipf-like: a few themes dominate
        for rank, row in enumerate(populations):
            self.pool("population").add(row["id"], 1 / (rank + 1) ** 0.9)
            self.population_names[row["id"]] = row["name"]

    def _places(self) -> None:
        total, rng, used = self.counts["Place"], self.rng, set()
        levels = [("region", min(len(REGIONS), max(1, total // 400))), ("icb_area", max(1, total * 12 // 1000)),
                  ("borough", max(1, total * 9 // 100))]
        levels.append(("ward", max(0, total - sum(n for _, n in levels))))
        parents: list[str] = []
        index = 0
        for kind, number in levels:
            current = []
            for i in range(number):
                index += 1
                place_id = f"place-{index:05d}"
                if kind == "region":
                    name = REGIONS[i]
                else:
                    name = self._place_name(used if kind != "ward" else None)
                    if kind == "icb_area":
                        name += " ICB area"
                detail = kind if kind != "ward" else rng.choices(("ward", "neighbourhood", "pcn_area"), (5, 3, 2))[0]
                self.w.node("Place", place_id, name=name, kind=detail, code=f"{detail[:3].upper()}{index:06d}")
                self.place_names[place_id] = name
                if parents:
                    parent = rng.choice(parents)
                    self.w.rel("PART_OF", place_id, parent)
                    if kind == "ward":
                        self.children.setdefault(parent, []).append(place_id)
                current.append(place_id)
            parents = current or parents
            if kind == "borough":
                self.boroughs = current
        for rank, borough in enumerate(self.boroughs):
            self.pool("borough").add(borough, 1 / (rank + 1) ** 0.7)

    def _place_name(self, used: set | None) -> str:
        for _ in range(20):
            name = (self.rng.choice(PLACE_PREFIXES) + self.rng.choice(PLACE_STEMS) + self.rng.choice(PLACE_ENDS))
            if used is None or name not in used:
                break
        if used is not None:
            used.add(name)
        return name

    def _local_place(self) -> str:
        borough = self.pool("borough").pick(self.rng)
        children = self.children.get(borough)
        return self.rng.choice(children) if children and self.rng.random() < 0.6 else borough

    # -- organisations and people --------------------------------------------------------------

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
            since = _date(rng, -12 * 365, -60)
            extra = {"until": _date(rng, -700, -1)} if ended else {}
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

    # -- groups, evidence, outcomes -------------------------------------------------------------

    def _groups(self) -> None:
        rng, total, index = self.rng, self.counts["Group"], 0
        kinds, weights = list(GROUP_KINDS), list(GROUP_KINDS.values())
        while index < total:
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, weights)[0]
            index += 1
            group_id, name = self._group(f"group-{index:05d}", kind)
            if kind == "community_of_practice" and index + 2 <= total and rng.random() < 0.3:
                for label in ("global majority members", "non-global majority members"):
                    index += 1
                    caucus = self.w.node("Group", f"group-{index:05d}", kind="caucus",
                                         name=f"{name}: racial identity caucus, {label}",
                                         description="Self-selected and confidential; recorded as a group only, "
                                         "no person is linked to it.")
                    self.w.rel("PART_OF", caucus, group_id)
        for org in self.pool("partner_org").ids:  # organisations join networks and governance groups
            for group in self.pool("org_group").sample(rng, rng.choices((0, 1, 2), (65, 25, 10))[0]):
                self.w.rel("MEMBER_OF", org, group, role="partner", since=_date(rng, -2000, -30))
        for person in self.pool("person").ids:  # people join groups, never a caucus (not in this pool)
            for group in self.pool("member_group").sample(rng, rng.choices((0, 1, 2, 3, 4), (12, 30, 28, 18, 12))[0]):
                ended = {"until": _date(rng, -9, 0)} if rng.random() < 0.03 else {}
                self.w.rel("MEMBER_OF", person, group, since=_date(rng, -2000, -10), **ended,
                           role=rng.choices(("member", "chair", "coordinator"), (40, 1, 1))[0])

    def _group(self, group_id: str, kind: str) -> tuple[str, str]:
        rng = self.rng
        place, topic = self.place_names[self.pool("borough").pick(rng)], self._topic(self.pool("theme").pick(rng))
        name = {"community_of_practice": f"{place} Anti-Racism Community of Practice",
                "governance_group": f"{place} Health Equity Governance Group",
                "network": f"{place} {topic} Network", "board": f"{place} Health and Wellbeing Board",
                "working_group": f"{topic} Working Group ({place})"}[kind]
        self.w.node("Group", group_id, name=name, kind=kind,
                    description=f"A {kind.replace('_', ' ')} for {topic.lower()} work in {place}.")
        size = rng.paretovariate(1.3) * (3 if kind in ("community_of_practice", "network") else 1)
        self.pool("member_group").add(group_id, size)  # caucuses are never added here
        if kind in ("network", "governance_group", "board"):
            self.pool("org_group").add(group_id, size)
        if kind in ("governance_group", "board"):
            if kind == "governance_group" and len(self.pool("cop")) and rng.random() < 0.5:
                self.w.rel("OVERSEES", group_id, self.pool("cop").pick(rng))
            self.pool("overseer").add(group_id, size)
        if kind == "working_group" and len(self.pool("overseer")) and rng.random() < 0.7:
            self.w.rel("PART_OF", group_id, self.pool("overseer").pick(rng))
        if kind in ("community_of_practice", "network"):
            self.pool("host").add(group_id, size)
            self.pool("cop").add(group_id)
        if kind != "board" and rng.random() < 0.4:
            self.w.rel("SPONSORS", self.pool("sponsor").pick(rng), group_id)
        return group_id, name

    def _sources(self) -> None:
        rng = self.rng
        sources, findings, recs = self.counts["Source"], self.counts["Finding"], self.counts["Recommendation"]
        for index in range(1, sources + 1):
            theme = self.pool("theme").pick(rng)
            place = self.place_names[self.pool("borough").pick(rng)]
            year = rng.randint(2019, 2026)
            source = self.w.node("Source", f"source-{index:04d}", title=f"{place} {self._topic(theme)} review {year}",
                                 publisher=rng.choice(self.org_names)[1], url=f"https://example.org/reports/{index}",
                                 published=f"{year}-{rng.randint(1, 12):02d}-01")
            mine = []
            for n in range(_share(findings, sources, index)):
                theme_n = theme if n == 0 else self.pool("theme").pick(rng)
                finding = self.w.node("Finding", f"finding-{index:04d}-{n + 1:02d}", area=rng.choice(SECTIONS),
                                      statement=f"{rng.choice(('Staff', 'Residents', 'Members', 'Partners'))} in "
                                      f"{place} described {self._problem(theme_n)}.")
                self.w.rel("FROM_SOURCE", finding, source)
                self._tag(finding, "ADDRESSES", [theme_n])
                mine.append(finding)
            for n in range(_share(recs, sources, index)):
                theme_r = theme if n == 0 else self.pool("theme").pick(rng)
                method = rng.choice(_words(theme_r)[2])
                rec = self.w.node("Recommendation", f"rec-{index:04d}-{n + 1:02d}", area=rng.choice(SECTIONS),
                                  title=f"{rng.choice(ACTION_VERBS)} {method}",
                                  description=f"Partners should {rng.choice(ACTION_VERBS).lower()} {method} to "
                                  f"tackle {self._problem(theme_r)} in {place}.")
                self.w.rel("FROM_SOURCE", rec, source)
                for finding in rng.sample(mine, min(len(mine), rng.randint(0, 2))):
                    self.w.rel("RESPONDS_TO", rec, finding)
                self._tag(rec, "ADDRESSES", [theme_r] + self.pool("theme").sample(rng, int(rng.random() < 0.4),
                                                                                   (theme_r,)))
                self.pool("recommendation").add(rec, 0 if rng.random() < 0.1 else rng.paretovariate(1.5))

    def _outcomes(self) -> None:
        rng, levels = self.rng, list(OUTCOME_LEVELS)
        for index in range(1, self.counts["Outcome"] + 1):
            level = rng.choices(levels, list(OUTCOME_LEVELS.values()))[0]
            topic, place = self._topic(self.pool("theme").pick(rng)).lower(), self.place_names[self._local_place()]
            title = {"individual": f"Staff apply anti-racist practice in {topic} work",
                     "team": f"Teams in {place} change their practice on {topic}",
                     "organisational": f"Partner organisations in {place} own their {topic} actions",
                     "system": f"Narrower disparities in {topic} across {place}"}[level]
            outcome = self.w.node("Outcome", f"outcome-{index:05d}", title=title, level=level)
            if level == "system":
                self.pool("system_outcome").add(outcome)
            elif len(self.pool("system_outcome")) and rng.random() < 0.3:
                self.w.rel("PART_OF", outcome, self.pool("system_outcome").pick(rng))
            if rng.random() < 0.4:
                self.w.rel("ACCOUNTABLE_FOR", self.pool("owner").pick(rng), outcome)
            self.pool("outcome").add(outcome, rng.paretovariate(2))

    def _indicators(self) -> None:
        rng = self.rng
        for index in range(1, self.counts["Indicator"] + 1):
            direction = rng.choices(("increase", "decrease", "maintain"), (6, 3, 1))[0]
            baseline = round(rng.uniform(5, 80), 1)
            target = round(baseline * {"increase": 1.4, "decrease": 0.6, "maintain": 1.0}[direction], 1)
            props: dict[str, Any] = {"unit": rng.choice(("%", "ratio", "people", "per 1,000", "days")),
                                     "baseline": baseline, "target": target, "direction": direction}
            if rng.random() < 0.6:
                props.update(latest_value=round(rng.uniform(min(baseline, target), max(baseline, target)), 1),
                             latest_date=_date(rng, -365, -1))
            topic = self._topic(self.pool("theme").pick(rng)).lower()
            indicator = self.w.node("Indicator", f"indicator-{index:05d}",
                                    name=f"{rng.choice(('Share of', 'Number of', 'Rate of'))} people reached by "
                                    f"{topic} work ({index})", **props)
            self.w.rel("MEASURES", indicator, self.pool("outcome").pick(rng))

    # -- initiatives and actions -----------------------------------------------------------------

    def _initiatives(self) -> None:
        rng, total = self.rng, self.counts["Initiative"]
        kinds, weights = list(INITIATIVE_KINDS), list(INITIATIVE_KINDS.values())
        for index in range(1, total + 1):
            init_id = f"init-{index:06d}"
            if len(self.recent) > 20 and rng.random() < DUPLICATE_INITIATIVES:
                original = rng.choice(self.recent)
                self._initiative(init_id, *_near_copy(rng, original), *self._backers())
                self.w.planted.append({"kind": "duplicate-initiative", "a": original[0], "b": init_id})
                continue
            kind = rng.choices(kinds, weights)[0]
            themes = self.pool("theme").sample(rng, rng.choices((1, 2, 3, 4), (25, 35, 25, 15))[0])
            populations = self.pool("population").sample(rng, rng.choices((0, 1, 2, 3), (25, 45, 22, 8))[0])
            home = self.pool("borough").pick(rng)
            children = self.children.get(home, [])
            places = [home] + rng.sample(children, min(len(children), rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]))
            lead, partners = self._backers()
            name, description = self._describe(kind, themes, populations, places, lead, partners)
            self._initiative(init_id, name, description, kind, themes, populations, places, lead, partners)

    def _backers(self) -> tuple[str | None, list[str]]:
        """A lead (mostly an organisation, else a person or a group, sometimes none) and partner organisations."""
        rng, roll = self.rng, self.rng.random()
        lead = self.pool("lead_org" if roll < 0.70 else "owner" if roll < 0.88 else "member_group").pick(rng) \
            if roll < 0.94 else None
        count = rng.choices((0, 1, 2, 3, 4, 5), (12, 22, 26, 20, 12, 8))[0]
        return lead, self.pool("partner_org").sample(rng, count, exclude=(lead,))

    def _describe(self, kind: str, themes: list[str], populations: list[str], places: list[str], lead: str | None,
                  partners: list[str]) -> tuple[str, str]:
        rng = self.rng
        topic, place, noun = self._topic(themes[0]), self.place_names[places[0]], rng.choice(KIND_NOUNS[kind])
        name = rng.choice((f"{place} {topic} {noun}", f"{topic} {noun}: {place}", f"{rng.choice(BRANDS)}: {topic} "
                           f"in {place}", f"{rng.choice(('Better', 'Fairer', 'Together for'))} {topic} ({place})"))
        methods = rng.sample([m for theme in themes for m in _words(theme)[2]] + list(GENERIC_METHODS), 3)
        who = _people([self.population_names[p] for p in populations]) or rng.choice(AUDIENCES)
        where, problem = _join([self.place_names[p] for p in places]), rng.choice(_words(themes[0])[1])
        verb = rng.choice(("reduce", "tackle", "respond to", "close the gap caused by", "address"))
        opening = rng.choice((f"A {noun.lower()} to {verb} {problem} for {who} in {where}, through {methods[0]}, "
                              f"{methods[1]} and {methods[2]}.",
                              f"Partners in {where} {verb} {problem} among {who}: {methods[0]}, {methods[1]} and "
                              f"{methods[2]}.",
                              f"This {noun.lower()} was set up to {verb} {problem}. It offers {who} in {where} "
                              f"{methods[0]} and {methods[1]}, backed by {methods[2]}.",
                              f"{who[0].upper()}{who[1:]} in {where} face {problem}; we {verb} it with {methods[0]} "
                              f"and {methods[1]}."))
        names = [self.org_name[o] for o in ([lead] if lead in self.org_name else []) + partners[:2]]
        details = [f"Sessions run {rng.choice(FREQUENCIES)} in {rng.choice(VENUES)} and {rng.choice(VENUES)}, "
                   f"delivered by trained {rng.choice(AUDIENCES)}.",
                   f"It was co-designed with {rng.choice(AUDIENCES)} after feedback gathered in "
                   f"{rng.randint(2019, 2026)}.",
                   f"Information is offered in {_join(rng.sample(LANGUAGES, rng.randint(2, 4)))}.",
                   f"The aim is to {rng.choice(AIMS)} and {rng.choice(AIMS)} by {rng.randint(2026, 2030)}.",
                   f"So far {rng.randint(3, 90) * 10} people have taken part.",
                   f"Delivered by {_join(names)}." if names else f"A steering group of {rng.choice(AUDIENCES)} meets "
                   f"{rng.choice(FREQUENCIES)}."]
        extra = rng.sample(details, rng.randint(1, 3))
        closing = [rng.choice(CLOSINGS)] if rng.random() < 0.5 else []
        return name, " ".join([opening, *extra, *closing])

    def _initiative(self, init_id, name, description, kind, themes, populations, places, lead, partners) -> None:
        rng = self.rng
        status = rng.choices(("proposed", "active", "paused", "completed", "closed"), (10, 55, 5, 22, 8))[0]
        self.w.node("Initiative", init_id, name=name, description=description, kind=kind, status=status,
                    **_initiative_dates(rng, status))
        self._tag(init_id, "ADDRESSES", themes)
        self._tag(init_id, "SERVES", populations)
        self._tag(init_id, "OPERATES_IN", places)
        if lead:
            self.w.rel("LEADS", lead, init_id)
        self._tag(init_id, "PARTNERS_IN", partners, reverse=True)
        for funder in self.pool("funder").sample(rng, rng.choices((0, 1, 2), (55, 35, 10))[0]):
            self.w.rel("FUNDS", funder, init_id, amount=rng.randrange(5, 500) * 1000, since=_date(rng, -2000, 0))
        local, sponsors = self.leaders_of.get(lead or "", []), []
        for _ in range(rng.choices((0, 1, 2), (30, 55, 15))[0]):  # mostly the lead's own board or executives
            sponsor = rng.choice(local) if local and rng.random() < 0.7 else (
                self.pool("sponsor" if rng.random() < 0.75 else "owner").pick(rng))
            if sponsor not in sponsors:
                sponsors.append(sponsor)
        self._tag(init_id, "SPONSORS", sponsors, reverse=True)
        if rng.random() < 0.55:
            self.w.rel("ACCOUNTABLE_FOR", self.pool("owner").pick(rng), init_id)
        if len(self.pool("overseer")) and rng.random() < 0.3:
            self.w.rel("OVERSEES", self.pool("overseer").pick(rng), init_id)
        self._tag(init_id, "CONTRIBUTES_TO",
                  self.pool("outcome").sample(rng, rng.choices((0, 1, 2), (30, 50, 20))[0]))
        if self.recent and rng.random() < 0.04:
            self.w.rel("ALIGNED_WITH", init_id, rng.choice(self.recent)[0], note="Agreed to complement each other.")
        programmes = [row[0] for row in self.recent if row[3] == "programme"]
        if programmes and rng.random() < 0.05:
            self.w.rel("PART_OF", init_id, rng.choice(programmes))
        self.recent.append((init_id, name, description, kind, themes, populations, places))

    def _actions(self) -> None:
        rng = self.rng
        for index in range(1, self.counts["Action"] + 1):
            theme = self.pool("theme").pick(rng)
            method = rng.choice(_words(theme)[2])
            status = rng.choices(("not_started", "in_progress", "blocked", "done", "cancelled"), (25, 40, 7, 23, 5))[0]
            props: dict[str, Any] = {"title": f"{rng.choice(ACTION_VERBS)} {method}", "reference": f"A-{index:05d}",
                                     "description": f"To tackle {self._problem(theme)}: {method}, with named owners "
                                     f"and a date for review.", "status": status,
                                     "priority": rng.choices(("high", "medium", "low"), (3, 5, 2))[0]}
            if rng.random() < 0.92:
                props["due_date"] = _date(rng, -700, 60) if status in ("done", "cancelled") else _date(rng, -200, 500)
            action = self.w.node("Action", f"action-{index:06d}", **props)
            for rec in self.pool("recommendation").sample(rng, rng.choices((0, 1, 2), (4, 86, 10))[0]):
                self.w.rel("IMPLEMENTS", action, rec)
            if rng.random() < 0.88:  # at most one accountable owner (the vocabulary allows only one)
                roll = rng.random()
                owner = self.pool("owner" if roll < 0.8 else "member_group" if roll < 0.92 else "partner_org").pick(rng)
                self.w.rel("ACCOUNTABLE_FOR", owner, action)
            for rel_type, weights in (("RESPONSIBLE_FOR", (15, 40, 30, 15)), ("CONSULTED_ON", (40, 35, 18, 7)),
                                      ("INFORMED_OF", (40, 35, 18, 7))):
                self._tag(action, rel_type, self.pool("person").sample(rng, rng.choices((0, 1, 2, 3), weights)[0]),
                          reverse=True)
            self._tag(action, "ADDRESSES", [theme] + self.pool("theme").sample(rng, int(rng.random() < 0.3), (theme,)))
            outcomes = self.pool("outcome").sample(rng, rng.choices((0, 1, 2), (25, 60, 15))[0])
            self._tag(action, "CONTRIBUTES_TO", outcomes)
            if rng.random() < 0.4:
                self.w.rel("OVERSEES", self.pool("overseer").pick(rng), action)

    # -- resources and events ------------------------------------------------------------------

    def _resources(self) -> None:
        rng = self.rng
        kinds = ("recording", "toolkit", "summary", "guide", "case_study", "report", "introduction_pack", "other")
        for index in range(1, self.counts["Resource"] + 1):
            kind = rng.choices(kinds, (25, 15, 15, 15, 12, 10, 3, 5))[0]
            themes = self.pool("theme").sample(rng, rng.choices((1, 2, 3), (60, 30, 10))[0])
            topic = self._topic(themes[0]).lower()
            resource = self.w.node("Resource", f"resource-{index:05d}", kind=kind,
                                   title=f"{kind.replace('_', ' ').capitalize()}: {topic} "
                                   f"({self.place_names[self._local_place()]})",
                                   url=f"https://example.org/resources/{index}")
            self._tag(resource, "ADDRESSES", themes)

    def _events(self) -> None:
        rng = self.rng
        kinds = ("learning_session", "action_planning", "caucus_session", "case_study", "induction", "meeting", "other")
        for index in range(1, self.counts["Event"] + 1):
            kind = rng.choices(kinds, (35, 15, 8, 10, 7, 20, 5))[0]
            themes = self.pool("theme").sample(rng, rng.choices((0, 1, 2), (10, 60, 30))[0])
            topic = self._topic(themes[0]) if themes else "Anti-racism"
            title = {"caucus_session": "Caucus sessions (self-selected, confidential)", "induction": "Induction for "
                     "new members", "meeting": f"Quarterly meeting: {topic.lower()}"}.get(kind, f"{topic}: "
                                                                                        f"{kind.replace('_', ' ')}")
            event = self.w.node("Event", f"event-{index:05d}", title=title, date=_date(rng, -730, 365),
                                format=rng.choices(("in_person", "online", "hybrid"), (4, 4, 2))[0], kind=kind)
            if rng.random() < 0.9:
                self.w.rel("HOSTED_BY", event, self.pool("host").pick(rng))
            self._tag(event, "ADDRESSES", themes)

    # -- helpers ---------------------------------------------------------------------------------

    def _tag(self, source: str, rel_type: str, targets, reverse: bool = False) -> None:
        for target in targets:
            if reverse:
                self.w.rel(rel_type, target, source)
            else:
                self.w.rel(rel_type, source, target)

    def _topic(self, theme: str) -> str:
        return self.rng.choice(_words(theme)[0])

    def _problem(self, theme: str) -> str:
        return self.rng.choice(_words(theme)[1])


@functools.cache
def _words(theme: str) -> tuple[tuple[str, ...], ...]:
    """(topics, problems, methods) for a theme id; words from the id itself for a theme not in THEME_WORDS."""
    text = THEME_WORDS.get(theme.removeprefix("theme-"))
    if text is None:
        words = theme.removeprefix("theme-").replace("-", " ")
        return (words.title(),), (f"gaps in {words}",), GENERIC_METHODS[:3]
    return tuple(tuple(part.strip() for part in field.split("|")) for field in text.split(";"))


def _near_copy(rng: random.Random, original: tuple) -> tuple:
    """Another initiative's record with small edits: same kind and tags, a reworded name and description."""
    _, name, description, kind, themes, populations, places = original
    edits = {" to reduce ": " to cut ", " through ": " by means of ", "partners": "local partners", " and ": " & ",
             "tackle": "address", "offers": "provides", "community": "local"}
    words = list(edits.items())
    rng.shuffle(words)
    for old, new in words[:rng.randint(1, 3)]:
        description = description.replace(old, new, 1)
    if rng.random() < 0.4:
        description += " " + rng.choice(CLOSINGS)
    nouns = [n for nouns in KIND_NOUNS.values() for n in nouns]
    for noun in nouns:
        if noun in name:
            name = name.replace(noun, rng.choice(nouns), 1)
            break
    return name, description, kind, list(themes), list(populations), list(places)


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


def _initiative_dates(rng: random.Random, status: str) -> dict[str, str]:
    if status == "proposed":
        return {"start_date": _date(rng, 30, 400)} if rng.random() < 0.7 else {}
    if status in ("completed", "closed"):
        start = rng.randint(-7 * 365, -365)
        return {"start_date": _date(rng, start, start), "end_date": _date(rng, start + 90, -1)}
    start = rng.randint(-6 * 365, -30)
    dates = {"start_date": _date(rng, start, start)}
    if rng.random() < 0.6:
        dates["end_date"] = _date(rng, 30, 3 * 365)
    return dates


def _date(rng: random.Random, low: int, high: int) -> str:
    """A date between ``low`` and ``high`` days from the reference date, as ISO text."""
    return (REFERENCE_DATE + dt.timedelta(days=rng.randint(low, high))).isoformat()


def _share(total: int, parts: int, index: int) -> int:
    """Part ``index`` (1-based) of ``total`` split as evenly as possible into ``parts``."""
    return total * index // parts - total * (index - 1) // parts


def _org_code(kind: str, index: int) -> str:
    prefix = {"nhs_trust": "R", "integrated_care_board": "Q", "primary_care_network": "U", "gp_practice": "P",
              "local_authority": "E"}.get(kind, "CH")
    return f"{prefix}{index:06d}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _people(names: list[str]) -> str:
    """Population names as a phrase, e.g. "Black African and Pakistani communities and global majority staff"."""
    groups = [n[0].lower() + n[1:] for n in names if n.split(" ", 1)[0] in ("Refugees", "Migrants", "People",
                                                                           "Global", "Internationally", "Most")]
    labels = [n for n in names if n[0].lower() + n[1:] not in groups]
    return _join(([f"{_join(labels)} communities"] if labels and not labels[-1].endswith("communities") else labels)
                 + groups)
