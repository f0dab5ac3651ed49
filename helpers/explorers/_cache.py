"""The states an explorer has drawn, kept so that moving back is instant: the `size` most recent.

The main thread and the background thread (helpers/explorers/_prefetch.py)
share it under its lock; ``busy`` is the state the background thread is
drawing, which the main thread waits for rather than draws twice.
"""

import threading
from collections import OrderedDict

__all__ = ["StateCache"]


class StateCache(OrderedDict):
    """{state key: Drawn}, oldest first, at most `size` of them (size 0 keeps none).

    A key is a state as a tuple of (control name, value) pairs.  lock: a
    Condition guarding the cache, ``busy`` and the background thread's plan.
    """

    def __init__(self, size):
        super().__init__()
        self.size, self.lock, self.busy = size, threading.Condition(), None

    def lookup(self, key):
        """The Drawn kept for key, else None; waits while the background thread draws that very state."""
        with self.lock:
            while self.busy == key:
                self.lock.wait()
            drawn = self.get(key)
            if drawn is not None:
                self.move_to_end(key)
            return drawn

    def keep(self, key, drawn):
        """Keep a drawn state, forgetting the oldest beyond `size` (the caller holds the lock)."""
        if self.size:
            self[key] = drawn
            self.move_to_end(key)
            if len(self) > self.size:
                self.popitem(last=False)
