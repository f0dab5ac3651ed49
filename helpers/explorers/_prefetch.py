"""While the learner reads a figure, a background thread draws the states one step away.

So the next key press usually ships a PNG already made.  The thread draws
only after a quiet moment (QUIET seconds without a change: a hand still
moving changes the plan), only between cells and one figure at a time in the
process (helpers/explorers/_gate.py), into the explorer's StateCache.
"""

import threading
import time

from ._gate import GATE

__all__ = ["QUIET", "neighbours", "Prefetcher"]

QUIET = 0.05  # seconds without a change before the background thread starts drawing


def neighbours(controls, moved=None, direction=1):
    """The likely next states, most likely first, as state keys (tuples of (name, value) pairs).

    controls: {name: Slider or Choice};  moved: the name of the control moved last, or
    None.  After a move: that control's next two steps in `direction` (+1 or
    -1), then its step back (a hand on a slider goes on, or comes back).
    Before any move: one step of every control, each way.
    """
    state = {name: control.value for name, control in controls.items()}
    if moved is None:
        names, steps = list(controls), (1, -1)
    else:
        names, steps = [moved], (direction, 2 * direction, -direction)
    keys = []
    for name in names:
        values = controls[name].values()
        if controls[name].value not in values:  # a float slider between its steps
            continue
        k = values.index(controls[name].value)
        keys.extend(tuple({**state, name: values[k + d]}.items()) for d in steps if 0 <= k + d < len(values))
    return keys


class Prefetcher:
    """Draws planned states into `cache` with draw(key) -> Drawn, in a background thread started on the first plan."""

    def __init__(self, cache, draw):
        self.cache, self.draw = cache, draw
        self.todo, self.changed_at, self.thread = [], 0.0, None
        GATE.hook()

    def forget(self):
        """Drop the plan: the neighbours of the state shown before are no longer next."""
        with self.cache.lock:
            self.todo = []

    def plan(self, keys):
        """Draw these states (those not kept yet, at most half the cache), after a quiet moment."""
        with self.cache.lock:
            todo = [key for key in keys if key not in self.cache]
            self.todo, self.changed_at = todo[:self.cache.size // 2], time.monotonic()
            self.cache.lock.notify_all()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="explorer-prefetch", daemon=True)
            self.thread.start()

    def _next(self):
        """The next key to draw, or None if a cell started or a control moved meanwhile (the caller holds the gate)."""
        with self.cache.lock:
            if GATE.cell_running or not self.todo or self.changed_at + QUIET > time.monotonic():
                return None
            key = self.todo.pop(0)
            if key in self.cache:
                return None
            self.cache.busy = key
            return key

    def _run(self):
        """The thread: wait for a plan and a quiet moment, then draw its states one at a time."""
        lock = self.cache.lock
        while True:
            with lock:
                while not self.todo:
                    lock.wait()
                quiet = self.changed_at + QUIET - time.monotonic()
                if quiet > 0:  # a hand still moving: wait, the plan may change
                    lock.wait(quiet)
                    continue
            GATE.wait_for_no_cell()
            with GATE.drawing:
                key = self._next()
                if key is None:
                    continue
                try:
                    drawn = self.draw(key)._replace(timings={})
                except Exception:  # noqa: BLE001  the main thread draws it again and shows the error
                    drawn = None
                with lock:
                    if drawn is not None:
                        self.cache.keep(key, drawn)
                    self.cache.busy = None
                    lock.notify_all()
