"""One figure drawn at a time in this process, and none in the background while a cell runs.

A figure function may share state with the learner's code: notebook 07's
explorer runs the model's forward and backward passes, and each layer keeps
what its forward pass computed for its backward pass.  So explorers draw one
figure at a time (``GATE.drawing``), and a background thread draws only
between cells: IPython's pre_run_cell event waits for its figure to end.
"""

import threading

__all__ = ["GATE", "in_kernel"]


class Gate:
    """The lock on drawing, and whether a cell runs (followed through IPython's events once hooked)."""

    def __init__(self):
        self.drawing = threading.Lock()
        self.cells = threading.Condition()
        self.cell_running, self.hooked = False, False

    def hook(self):
        """Follow IPython's cells (once per process; nothing to follow outside IPython)."""
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is not None and not self.hooked:
            shell.events.register("pre_run_cell", self.before_cell)
            shell.events.register("post_run_cell", self.after_cell)
            self.hooked = True

    def before_cell(self, info=None):
        with self.cells:
            self.cell_running = True
        with self.drawing:  # a background figure in progress ends first
            pass

    def after_cell(self, result=None):
        with self.cells:
            self.cell_running = False
            self.cells.notify_all()

    def wait_for_no_cell(self):
        with self.cells:
            while self.cell_running:
                self.cells.wait()


GATE = Gate()


def in_kernel():
    """Whether this runs in a Jupyter kernel (where a background thread can draw while the learner reads)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None
