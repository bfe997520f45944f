"""How many nodes of each type a synthetic graph gets, and the weighted mix of kinds within a type."""

from __future__ import annotations

__all__ = ["DUPLICATE_INITIATIVES", "DUPLICATE_RECORDS", "FUNDER_KINDS", "GROUP_KINDS", "INITIATIVE_KINDS",
           "NODE_MIX", "ORG_KINDS", "OUTCOME_LEVELS", "SENIORITY", "plan"]

# Share of the nodes (after the taxonomy's themes and populations) given to each type.
NODE_MIX = {"Place": 0.035, "Organisation": 0.08, "Person": 0.30, "Group": 0.02, "Source": 0.004,
            "Finding": 0.016, "Recommendation": 0.02, "Outcome": 0.04, "Indicator": 0.05,
            "Initiative": 0.20, "Action": 0.145, "Resource": 0.045, "Event": 0.045}
DUPLICATE_INITIATIVES = 0.01  # share of initiatives that copy a recent one with small edits
DUPLICATE_RECORDS = 0.0025  # organisations and people entered twice, as a share of all nodes

# The mix of kinds within a type (weights for random.choices).
INITIATIVE_KINDS = {"programme": 18, "project": 30, "service": 14, "network": 6, "campaign": 8, "training": 12,
                    "policy": 5, "research": 5, "other": 2}
# kind: (share, sector, size weight for staff and leadership)
ORG_KINDS = {"nhs_trust": (0.03, "nhs", 60), "integrated_care_board": (0.006, "nhs", 25),
             "local_authority": (0.04, "local_government", 35), "primary_care_network": (0.12, "primary_care", 3),
             "gp_practice": (0.30, "primary_care", 1.2), "voluntary_community": (0.40, "voluntary_community", 1.5),
             "healthwatch": (0.03, "voluntary_community", 2), "university": (0.012, "academic", 10),
             "social_enterprise": (0.05, "independent", 2), "other": (0.012, "other", 2)}
FUNDER_KINDS = {"integrated_care_board": 8, "local_authority": 5, "nhs_trust": 2, "university": 1, "other": 1}
SENIORITY = {"board": 3, "executive": 5, "senior": 12, "manager": 22, "practitioner": 46, "community_member": 12}
GROUP_KINDS = {"community_of_practice": 20, "governance_group": 15, "network": 22, "board": 10, "working_group": 28}
OUTCOME_LEVELS = {"individual": 2, "team": 2, "organisational": 3, "system": 3}


def plan(nodes: int, fixed: int = 0) -> dict[str, int]:
    """How many nodes of each type a graph of ``nodes`` nodes gets, ``fixed`` of them being taxonomy nodes.

    >>> plan(100_000, 37)["Initiative"]
    19992
    """
    rest = max(nodes - fixed, len(NODE_MIX))
    counts = {name: max(1, int(rest * share)) for name, share in NODE_MIX.items()}
    counts["Person"] += rest - sum(counts.values())
    return counts
