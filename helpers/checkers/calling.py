"""Calling the learner's function: a time limit, its exceptions told by the learner's own line, a wrong signature.

:func:`call` runs ``fn(*args)`` and returns ``(answer, None)``, or ``(None, (diagnosis, message))``
when fn raises, cannot be called with those arguments or does not finish within :data:`TIME_LIMIT`
seconds.  KeyboardInterrupt always propagates, so interrupting the kernel stops a checker as it stops
any cell.

The time limit uses SIGALRM (a POSIX interval timer), which only the main thread may handle; a
checker called from another thread, or on a system without SIGALRM (Windows), runs with no limit.
Like Ctrl-C, the timer stops Python code between two bytecodes: a single long call into compiled
code (one huge NumPy operation) finishes first, and code that catches every exception (a bare
``except:``) inside an endless loop cannot be stopped.
"""

import inspect
import os
import signal
import site
import sysconfig
import threading
import time
import traceback
from pathlib import Path

import numpy as np

__all__ = ["TIME_LIMIT", "call", "who"]

TIME_LIMIT = 30.0
"""Seconds one call of the learner's function may take; tests lower it."""

_LIBRARY_DIRS = tuple(sorted({
    os.path.join(str(Path(folder).resolve()), "")  # with a final separator: helpers/, not helpers_mine.py
    for folder in (Path(__file__).parent.parent, Path(np.__file__).parent, *site.getsitepackages(),
                   *(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")))
}))
_NOTEBOOK_FILES = ("<ipython-input-", "<stdin>", "<string>")


class _TimeUp(BaseException):
    """Raised inside the learner's function when the time limit is reached (not an Exception, so that a
    learner's `except Exception` does not swallow it)."""


def who(fn):
    """`name` for a function with a name, or 'your function' (a lambda, a partial, a callable object)."""
    name = getattr(fn, "__name__", "")
    return f"`{name}`" if name.isidentifier() else "your function"


def _is_learners(filename):
    """Is this file the learner's code: a notebook cell, a script, a test, anything but a library?"""
    if filename.startswith("<"):
        return filename.startswith(_NOTEBOOK_FILES)
    path = str(Path(filename).resolve())
    parts = Path(path).parts
    return not (path.startswith(_LIBRARY_DIRS) or "site-packages" in parts or "dist-packages" in parts)


def _learner_frame(err):
    """' (in f, line n: `code`)' for the innermost frame of the learner's own code, or ''."""
    own = [f for f in traceback.extract_tb(err.__traceback__) if _is_learners(f.filename)]
    if not own:
        return ""
    frame = own[-1]
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{code})"


def _unwrapped(fn):
    """The function inside functools.wraps wrappers (fn itself when there is none)."""
    try:
        return inspect.unwrap(fn)
    except ValueError:  # a cycle of __wrapped__
        return fn


def _binds(fn, args):
    """True if fn's signature (seen through functools.wraps) takes args, False if not, None if unknown."""
    try:
        signature = inspect.signature(fn, follow_wrapped=True)
    except (TypeError, ValueError):  # some builtins and C callables have none
        return None
    try:
        signature.bind(*args)
    except TypeError:
        return False
    return True


def _limited(fn, args, limit):
    """fn(*args), raising _TimeUp inside fn after limit seconds.

    Restores the previous SIGALRM handler and timer (less the time spent) afterwards, whatever happens,
    even when the alarm comes as fn returns.
    """
    running = [True]

    def on_alarm(signum, frame):
        if running[0]:
            raise _TimeUp

    start = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        try:
            return fn(*args)
        finally:
            running[0] = False
    finally:  # also when the alarm came just before the line above
        running[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler if previous_handler is not None else signal.SIG_DFL)
        if previous_delay > 0:  # someone else's timer (pytest-timeout, say) keeps running
            left = max(previous_delay - (time.monotonic() - start), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _can_limit():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _failure(fn, args, names, err):
    """(diagnosis, message) for an exception (not KeyboardInterrupt) raised by fn(*args)."""
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    at_the_call = tb.tb_frame.f_code.co_filename == __file__  # raised by the call itself, not inside fn
    if isinstance(err, NotImplementedError) and tb.tb_frame.f_code is getattr(_unwrapped(fn), "__code__", None):
        return "not-written", f"{who(fn)} is not written yet: replace `raise NotImplementedError` with your code"
    text = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    if len(text) > 300:
        text = text[:300] + " ..."
    binds = _binds(fn, args)
    if isinstance(err, TypeError) and (binds is False or (binds is None and at_the_call)):
        call_text = f"{getattr(fn, '__name__', 'fn')}({', '.join(names[:len(args)])})".replace("<lambda>", "fn")
        return "signature", f"{who(fn)} cannot be called as {call_text}: {text}"
    hint = ""
    if isinstance(err, TypeError) and "unhashable" in str(err) and hasattr(fn, "cache_info"):
        hint = ("; functools.lru_cache (and functools.cache) need hashable arguments and NumPy arrays are not: "
                "remove the decorator")
    return "raised", f"{who(fn)} raised {text}{_learner_frame(err)}{hint}"


def call(fn, args, names):
    """(fn(*args), None), or (None, (diagnosis, message)) when fn fails or runs out of time.

    names: the checker's names of the arguments, for the messages.
    """
    try:
        if _can_limit():
            return _limited(fn, args, TIME_LIMIT), None
        return fn(*args), None
    except KeyboardInterrupt:
        raise
    except _TimeUp as err:
        where = _learner_frame(err).replace(" (in", " (stopped in", 1)
        return None, ("time-limit", f"{who(fn)} did not finish in {TIME_LIMIT:g} s{where}: is there a loop whose "
                                    "counter never changes, like `while i < n:` without `i += 1`?")
    except BaseException as err:  # the learner's code may fail in any way, even sys.exit()
        return None, _failure(fn, args, names, err)
