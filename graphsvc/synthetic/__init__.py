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

from .dates import REFERENCE_DATE
from .generator import DEFAULT_TAXONOMY, generate
from .proportions import NODE_MIX, plan

__all__ = ["DEFAULT_TAXONOMY", "NODE_MIX", "REFERENCE_DATE", "generate", "plan"]
