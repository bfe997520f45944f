"""The fixed "today" of every synthetic graph, and random dates around it."""

from __future__ import annotations

import datetime as dt
import random

__all__ = ["REFERENCE_DATE", "random_date"]

# "Today" for statuses, due dates and event dates; fixed so that the output depends only on the seed.
REFERENCE_DATE = dt.date(2026, 12, 1)


def random_date(rng: random.Random, low: int, high: int) -> str:
    """A date between ``low`` and ``high`` days from the reference date, as ISO text."""
    return (REFERENCE_DATE + dt.timedelta(days=rng.randint(low, high))).isoformat()
