"""Choosing a party (a person, group or organisation) by name, for the forms that hand work to someone:
the accountable owner and the responsible, consulted and informed parties of an action."""

from __future__ import annotations

from ..accountability import display_name
from ..errors import NotFound
from ..vocabulary import EXAMPLE_PROPERTY
from .formatting import label_of, phrase

__all__ = ["OWNER_TYPES", "SEARCH_MAX_CHARACTERS", "chosen_party", "party_choices", "party_summary"]

OWNER_TYPES = ("Person", "Group", "Organisation")
OWNER_SEARCH_LIMIT = 20
SEARCH_MAX_CHARACTERS = 200


def party_choices(service, text: str, chosen: str) -> tuple[list[dict], str | None]:
    """The parties matching ``text`` as radio choices (with ``chosen`` kept first when a save was refused),
    and the search's own error, if any."""
    query = text.strip()
    candidates: list[dict] = []
    if len(query) > SEARCH_MAX_CHARACTERS:
        return candidates, f"Search for {SEARCH_MAX_CHARACTERS} characters or fewer."
    if query:
        found, _ = service.search(query, list(OWNER_TYPES), OWNER_SEARCH_LIMIT, 0)
        candidates = [{"id": node.id, "label": label_of(service.vocabulary, node.type, node.properties, node.id),
                       "type": phrase(node.type), "example": node.properties.get(EXAMPLE_PROPERTY) is True}
                      for node, _ in found]
    if chosen and chosen not in {c["id"] for c in candidates}:
        kept = chosen_party(service, chosen)  # None when the id is not a party: nothing to keep then
        if kept:
            candidates.insert(0, kept)  # keep what was chosen when the save was refused
    return candidates, None


def chosen_party(service, node_id: str) -> dict | None:
    """The chosen record as a choice, or None when it is not a party (its save says why)."""
    try:
        node = service.get_node(node_id)
    except NotFound:
        return None
    if node.type not in OWNER_TYPES:
        return None
    return {"id": node.id, "label": display_name(service, node), "type": phrase(node.type),
            "example": node.properties.get(EXAMPLE_PROPERTY) is True}


def party_summary(service, node) -> dict | None:
    """A party as the pages show it."""
    if node is None:
        return None
    return {"id": node.id, "name": display_name(service, node), "type": phrase(node.type),
            "example": node.properties.get(EXAMPLE_PROPERTY) is True}
