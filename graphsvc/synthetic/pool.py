"""Weighted pools of node ids, from which the generator draws sources and targets of relationships."""

from __future__ import annotations

import bisect
import random

__all__ = ["WeightedPool"]


class WeightedPool:
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
