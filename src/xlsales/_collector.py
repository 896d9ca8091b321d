"""Python's cyclic garbage collector, paused while millions of small objects are made.

Reading a 700k-row log or writing its workbooks allocates millions of small objects that
live on (cells, events); every allocation burst starts a collection, and the older
collections walk every object alive, so their cost grows faster than the rows.  Nothing
made here forms reference cycles that need the collector (reference counting frees it).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector; everything alive on entry is frozen out of collections, so a
    ``gc.collect()`` inside (a build collects between workbooks) walks only what is new."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
