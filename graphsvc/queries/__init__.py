"""The read layer: what the JSON API and the web pages both ask of the graph.

Functions take the service (``graphsvc.app.get_service()`` at the edges) and plain arguments, and return
plain data. Whole reports and prepared analyses are cached here, per service, for the newest change-log
seq only, so no edge keeps a cache of its own and no answer outlives a write. Nothing here knows about
HTTP: errors are the domain's (``graphsvc.errors``), plus :class:`StillComputing` for whole-graph analyses
that are being worked out in the background.

- ``settings``: gap thresholds from the app's config with per-request overrides.
- ``gaps``: the gap report.
- ``action_log``: the board action log.
- ``connections``: paths, neighbourhoods, brokers, communities, coverage, contacts.
- ``overlaps``: overlapping initiatives and actions, one record's overlaps, likely duplicate records.
- ``changes`` (with ``change_digest``, ``change_imports``, ``change_rag``): what changed between two moments.
- ``moments``, ``reconstruct``, ``as_of``: the graph and its answers as they stood at a past moment.
"""

from __future__ import annotations

from .memo import StillComputing

__all__ = ["StillComputing"]
