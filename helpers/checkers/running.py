"""Running the learner's function on every problem: the :func:`checker` decorator that makes a judge a checker.

A checker is a judge, ``check_x(answer, *case) -> CheckResult`` calling :func:`.diagnosis.diagnose`,
made by :func:`checker` into ``check_x(fn)``: it calls the learner's function (through
:func:`.calling.call`: time limit, exceptions) on a deep copy of each case, so the expected answer
comes from untouched inputs and a change made in place is caught and named; an answer that must be a
tuple is unpacked first, and its parts in the wrong order are named.  ``check_x.catalogue()`` lists
the mistakes the judge can name.  Whatever the function does, the result is one line, never a traceback.
"""

import copy
import inspect
import itertools

import numpy as np

from .calling import call, who
from .diagnosis import recording_mistakes
from .reading import shape_of, unpack
from .result import CheckResult, fail, type_name

__all__ = ["checker"]


def _reordered(judge, parts, case, names, shapes):
    """A failure naming the order, when the parts are right in another order; else None.

    shapes: the expected shape of each part; only orders that give every part its shape are judged.
    """
    for order in itertools.permutations(range(len(parts))):
        if order == tuple(sorted(order)) or any(shape_of(parts[i]) != shape for i, shape in zip(order, shapes)):
            continue
        if judge([parts[i] for i in order], *case):
            returned = [""] * len(parts)
            for name, i in zip(names, order):
                returned[i] = name
            return fail("order", f"the parts are in the wrong order: you returned ({', '.join(returned)}); "
                                 f"`return {', '.join(names)}`")
    return None


def _same(before, after):
    """Is the argument after the call what it was before (values, shape and dtype)?"""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=True))
    return before == after


def _parameter_name(fn, position, default):
    """The learner's name for the argument at position, or the checker's."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return default
    if position < len(params) and params[position].kind in (params[position].POSITIONAL_ONLY,
                                                              params[position].POSITIONAL_OR_KEYWORD):
        return params[position].name
    return default


def _changed_in_place(fn, originals, copies, names, result, fixes):
    """A failed CheckResult naming the first argument fn changed in place, or None.

    fixes: {argument name: the fix as words}, instead of working on a copy.
    """
    for position, (name, before, after) in enumerate(zip(names, originals, copies)):
        if not _same(before, after):
            arg = _parameter_name(fn, position, name)
            fix = fixes.get(name, f"work on a copy (`{arg} = {arg}.copy()`) or write into a new array")
            verdict = "apart from that, the answer is correct" if result else f"besides, {result.message}"
            return fail("in-place", f"{who(fn)} changed its argument `{arg}` in place, which changes the "
                                    f"caller's array too: {fix}; {verdict}")
    return None


def _judge(judge, answer, case):
    try:
        return judge(answer, *case)
    except Exception as err:  # a checker bug must not show the learner a traceback either
        return fail("checker-error", f"the checker could not judge this answer ({type(err).__name__}: {err}); "
                                     "please report it")


def _check_cases(fn, cases, judge, names, fixes):
    """Run fn on a copy of every case; judge(answer, *case) -> CheckResult; the first failure wins.

    names: the checker's names of fn's arguments, for the messages;  fixes: see _changed_in_place.
    """
    if not callable(fn):
        return fail("not-callable", f"pass the function itself (for example `my_dx`, not `my_dx(...)`), got "
                                    f"{type_name(fn)}")
    for case in cases:
        copies = copy.deepcopy(case)
        answer, failure = call(fn, copies, names)
        if failure is not None:
            return fail(*failure)
        if answer is None:
            result = fail("none", f"{who(fn)} returned None: did you forget `return`?")
        else:
            result = _judge(judge, answer, case)
        changed = _changed_in_place(fn, case, copies, names, result, fixes)
        if changed is not None:
            return changed
        if not result:
            return result
    return CheckResult(True, f"correct on {len(cases)} problems of different shapes")


def checker(*, cases, names, returns=None, shapes=None, in_place_fixes=None):
    """Make judge(answer, *case) -> CheckResult into check(fn) -> CheckResult.

    cases: () -> [case, ...], each case a tuple of fn's arguments (the last ones
    may be left out, to use fn's defaults);  names: the arguments' names;
    returns: the names of the parts when fn returns a tuple, such as
    ("dx", "dw", "db") (the judge then gets the list of parts);  shapes:
    (*case) -> the expected shape of each part, to name parts in the wrong order;
    in_place_fixes: {argument name: how to avoid changing it}, when "work on a
    copy" is not the natural fix.
    check(fn) runs fn on a copy of every case; check.catalogue() lists the
    mistakes it can name; check.cases() gives its problems.
    """
    def wrap(judge):
        def judge_answer(answer, *case):
            if returns is None:
                return judge(answer, *case)
            parts, failure = unpack(answer, returns)
            if failure is not None:
                return failure
            result = judge(parts, *case)
            reordered = None if result or shapes is None else _reordered(judge, parts, case, returns, shapes(*case))
            return result if reordered is None else reordered

        def check(fn):
            return _check_cases(fn, cases(), judge_answer, names, in_place_fixes or {})

        def catalogue():
            """{diagnosis key: its message on the first problem where it can happen}, for every catalogued mistake."""
            with recording_mistakes() as found:
                for case in cases():
                    judge(None if returns is None else [None] * len(returns), *case)
            return found

        check.__name__, check.__qualname__ = judge.__name__, judge.__qualname__
        check.__doc__, check.__module__ = judge.__doc__, judge.__module__
        check.__signature__ = inspect.Signature([inspect.Parameter("fn", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
        check.catalogue, check.cases, check.names = catalogue, cases, names
        return check
    return wrap
