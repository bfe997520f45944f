"""Names that could record a person's racial identity, or a proxy for it.

The service never records an individual's ethnicity, racial identity, caucus membership or a proxy
for them (nationality, religion, country of birth, first language...), so the vocabulary may not even
declare a property whose name could hold one. Names are compared word by word, whatever the case
or separator (``countryOfBirth``, ``country-of-birth`` and ``countryofbirth`` are one name), while
names about the *work* (``race_equality_plan``, ``anti_racism_lead``) stay allowed.
"""

from __future__ import annotations

import re

__all__ = ["identity_term"]

# Words that on their own name identity or a proxy for it.
_IDENTITY_WORDS = frozenset({
    "ethnic", "ethnicity", "ethnicities", "ethnically", "race", "races", "racial", "racially",
    "racialised", "racialized", "heritage", "ancestry", "ancestral", "descent", "nationality",
    "nationalities", "citizenship", "religion", "religions", "religious", "faith", "caste", "tribe",
    "tribal", "skin", "complexion", "bame", "bme", "poc", "caucus", "caucuses", "immigration",
    "black", "white", "asian", "african", "caribbean", "arab",
})
# Word sequences that name identity or a proxy where each word alone does not.
_IDENTITY_PHRASES = (
    ("country", "of", "birth"), ("birth", "country"), ("place", "of", "birth"), ("birthplace",),
    ("country", "of", "origin"), ("origin", "country"), ("national", "origin"), ("ethnic", "origin"),
    ("first", "language"), ("native", "language"), ("preferred", "language"), ("main", "language"),
    ("home", "language"),
    ("mother", "tongue"), ("spoken", "language"), ("language", "spoken"), ("languages", "spoken"),
    ("global", "majority"), ("minority", "ethnic"), ("people", "of", "colour"), ("people", "of", "color"),
    ("religion", "or", "belief"), ("migration", "status"), ("immigration", "status"), ("visa", "status"),
    ("colour", "of", "skin"), ("color", "of", "skin"), ("skin", "colour"), ("skin", "color"), ("skin", "tone"),
)
# Identity words distinctive enough to find run together inside a longer word ("ethnicgroup"),
# unlike short ones that hide in harmless words ("whitelist", "faithful").
_RUN_TOGETHER = ("ethnic", "racial", "nationality", "religion", "religious", "heritage", "ancestry",
                 "citizenship", "caucus", "complexion", "immigration")
# An identity word followed by one of these names a topic of the work, not a person's identity.
_TOPIC_WORDS = frozenset({
    "equality", "equity", "inequality", "inequalities", "disparity", "disparities", "gap", "gaps",
    "justice", "relations",
})
# "anti" before an identity word also names the work (anti_race_policy).
_NEGATING_PREFIX = "anti"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def identity_term(name: str) -> str | None:
    """The identity term ``name`` contains, or None when the name is harmless.

    >>> identity_term("country_of_birth")
    'country of birth'
    >>> identity_term("race_equality_plan") is None
    True
    """
    words = [w for w in _SEPARATORS.split(_CAMEL.sub(" ", name).lower()) if w]
    joined = "".join(words)
    for phrase in _IDENTITY_PHRASES:
        if _contains_run(words, phrase) or "".join(phrase) in joined:
            return " ".join(phrase)
    for index, word in enumerate(words):
        if word in _IDENTITY_WORDS and not _names_the_work(words, index):
            return word
    # Run together ("ethnicgroup", "skincolour"): an identity word inside one long word.
    for word in words:
        if word not in _IDENTITY_WORDS:
            hit = next((term for term in _RUN_TOGETHER if term in word), None)
            if hit and not any(topic in word for topic in _TOPIC_WORDS) and not word.startswith(_NEGATING_PREFIX):
                return hit
    return None


def _names_the_work(words: list[str], index: int) -> bool:
    after = words[index + 1] if index + 1 < len(words) else ""
    before = words[index - 1] if index else ""
    return after in _TOPIC_WORDS or before == _NEGATING_PREFIX


def _contains_run(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i:i + size]) == phrase for i in range(len(words) - size + 1))
