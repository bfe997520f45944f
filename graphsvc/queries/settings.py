"""Settings for the reads: the app's configured defaults, overridden per request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..analysis.gaps import GapSettings

__all__ = ["gap_settings", "today"]

# Which config key gives the default of each threshold a request may override.
GAP_DEFAULTS = {"stale_days": "GAP_STALE_DAYS", "overload_actions": "GAP_OVERLOAD_ACTIONS",
                "schedule_days": "GAP_SCHEDULE_DAYS", "recent_data_days": "GAP_RECENT_DATA_DAYS"}


def today() -> dt.date:
    """Today in UTC: the day every report is judged on unless another is asked for."""
    return dt.datetime.now(dt.UTC).date()


def gap_settings(config: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> GapSettings:
    """The gap thresholds: each override given (and truthy) over the configured default.

    ``config`` is the app's config (any mapping with the GAP_* keys); ``overrides`` may hold ``as_of``
    (an ISO date or a date; default today, UTC), ``stale_days``, ``overload_actions``, ``schedule_days``,
    ``recent_data_days``.

    >>> gap_settings({"GAP_STALE_DAYS": 60, "GAP_OVERLOAD_ACTIONS": 5, "GAP_SCHEDULE_DAYS": 183,
    ...               "GAP_RECENT_DATA_DAYS": 400}, {"as_of": "2026-01-31", "stale_days": 30}).stale_days
    30
    """
    overrides = overrides or {}
    as_of = overrides.get("as_of")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    thresholds = {name: overrides.get(name) or config[key] for name, key in GAP_DEFAULTS.items()}
    return GapSettings(as_of=as_of or today(), **thresholds)
