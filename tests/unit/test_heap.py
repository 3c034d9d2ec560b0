"""Start-up's long-lived objects are frozen out of the collector's sight; garbage is not."""

from __future__ import annotations

import gc
import weakref

from bot import heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector can free it


def test_settle_collects_garbage_then_freezes_what_is_alive() -> None:
    kept = Node()
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage
    thresholds = gc.get_threshold()
    try:
        heap.settle()
        assert gone() is None  # collected first, never frozen
        assert gc.get_freeze_count() > 0
        assert all(obj is not kept for obj in gc.get_objects())  # frozen: out of every generation
        assert gc.get_threshold() == (*thresholds[:2], heap.FULL_COLLECTION_EVERY)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
