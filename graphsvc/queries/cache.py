"""The read layer's caches: one set per service, keyed by the projection's seq, bounded and thread-safe.

Every write appends to the change log and so makes a new seq; an answer cached under one seq is never
served under another. ``snapshot`` hands out a graph together with the seq it reflects, so a cache key
cannot claim a newer seq than the data behind it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any

from .memo import Memo

__all__ = ["SeqCache", "caches_for", "snapshot"]

SNAPSHOT_TRIES = 3  # after this many writes landing mid-read, answer without caching rather than wait


def snapshot(service, examples: bool = True) -> tuple[int | None, Any]:
    """``(seq, graph)`` that agree: no change was applied between reading the seq and getting the graph.

    ``seq`` is None when writes kept landing while the graph was fetched; such an answer must not be cached.
    (The copy without example records is built per seq, and a change applied while it was being built
    would otherwise put the older copy's answer under the newer seq.)
    """
    graph = None
    for _ in range(SNAPSHOT_TRIES):
        before = service.projection.seq
        graph = service.graph(examples=examples)
        if service.projection.seq == before:
            return before, graph
    return None, graph


class SeqCache:
    """Values for the newest seq only, at most ``size`` of them, each computed once.

    A value is computed outside the lock; concurrent callers asking for the same key wait for that one
    computation instead of repeating it. Reaching a newer seq drops everything older, since no reader
    asks for an older seq again (the projection only moves forward).
    """

    def __init__(self, size: int):
        self._size, self._lock = size, threading.Lock()
        self._seq: int | None = None
        self._items: dict[Hashable, Future] = {}

    def get(self, seq: int | None, key: Hashable, compute: Callable[[], Any]) -> Any:
        if seq is None:
            return compute()
        with self._lock:
            if self._seq is None or seq > self._seq:
                self._seq, self._items = seq, {}
            current = seq == self._seq
            pending = self._items.get(key) if current else None
            owner = pending is None
            if owner:
                pending = Future()
                if current:  # an answer for a seq already passed is still right for its caller, not for others
                    self._remember(key, pending)
        if owner:
            self._fill(key, pending, compute)
        return pending.result()

    def _remember(self, key: Hashable, pending: Future) -> None:
        if len(self._items) >= self._size:
            self._items.pop(next(iter(self._items)))  # the oldest: dicts keep insertion order
        self._items[key] = pending

    def _fill(self, key: Hashable, pending: Future, compute: Callable[[], Any]) -> None:
        try:
            pending.set_result(compute())
        except BaseException as exc:
            with self._lock:  # a failure is not remembered: the next caller tries again
                if self._items.get(key) is pending:
                    del self._items[key]
            pending.set_exception(exc)


class ReadCaches:
    """The caches of one service."""

    def __init__(self):
        self.gaps = SeqCache(8)  # full gap reports, by (examples, settings)
        self.action_log = SeqCache(4)  # the log's rows, by (examples, settings)
        self.overlap_items = SeqCache(4)  # prepared item vectors, by (examples, kind)
        self.overlap_pairs = SeqCache(8)  # the full list of pairs, by (examples, kind, options)
        self.answers = SeqCache(32)  # described communities, by their query
        self.memo = Memo()  # brokers and communities, possibly computed in the background


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def caches_for(service) -> ReadCaches:
    """The caches of ``service``, made on first use; they go when the service goes."""
    with _CACHES_LOCK:
        caches = _CACHES.get(service)
        if caches is None:
            caches = _CACHES[service] = ReadCaches()
        return caches
