"""Words of the domain: names of people and places, topics, problems and methods per theme, job titles, and
the phrases that descriptions are built from."""

from __future__ import annotations

import functools

__all__ = ["ACTION_VERBS", "AIMS", "AUDIENCES", "BRANDS", "CLOSINGS", "FIRST", "FREQUENCIES", "GENERIC_METHODS",
           "KIND_NOUNS", "LANGUAGES", "LAST", "PLACE_ENDS", "PLACE_PREFIXES", "PLACE_STEMS", "REGIONS", "SECTIONS",
           "THEME_WORDS", "TITLES", "VENUES", "VOLUNTARY_NAMES", "theme_words"]

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
KIND_NOUNS = {"programme": ("Programme",), "project": ("Project", "Pilot"), "service": ("Service", "Hub"),
              "network": ("Network", "Alliance"), "campaign": ("Campaign",), "training": ("Training", "Academy"),
              "policy": ("Policy", "Charter"), "research": ("Study", "Research"), "other": ("Initiative",)}
VOLUNTARY_NAMES = ("Community Association", "Carers Centre", "Women's Health Forum", "Refugee Welcome", "Faith Forum",
                   "Community Voices", "Health Champions", "Youth Trust", "Mental Wellbeing Network", "Advice Centre",
                   "African Caribbean Community Association", "Asian Women's Project", "Roma Support Group",
                   "Chinese Community Centre", "Migrant Help", "Black Men's Health Collective",
                   "Lived Experience Panel")
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
SECTIONS = ("Purpose and governance", "Membership and engagement", "Safe space and psychological safety",
            "Learning to action", "Data and evidence", "Access and experience", "Workforce")
ACTION_VERBS = ("Agree", "Introduce", "Publish", "Review", "Pilot", "Fund", "Roll out", "Evaluate", "Commission",
                "Train staff in")


@functools.cache
def theme_words(theme: str) -> tuple[tuple[str, ...], ...]:
    """(topics, problems, methods) for a theme id; words from the id itself for a theme not in THEME_WORDS."""
    text = THEME_WORDS.get(theme.removeprefix("theme-"))
    if text is None:
        words = theme.removeprefix("theme-").replace("-", " ")
        return (words.title(),), (f"gaps in {words}",), GENERIC_METHODS[:3]
    return tuple(tuple(part.strip() for part in field.split("|")) for field in text.split(";"))
