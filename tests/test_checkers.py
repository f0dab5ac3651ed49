"""Every checker accepts every correct answer at the precision it was computed in, and names what is wrong.

For every checker in CHECKERS (tests/checker_answers.py): correct answers in float64, float32 and from
integer inputs; float16, complex and truncated answers; garbage answers and exceptions; tensors; inputs
changed in place; every generic diagnosis; and its catalogue covered by one learner mistake per diagnosis
in its own file, tests/test_checkers_<name>.py.
"""

import importlib

import numpy as np
import pytest
from checker_answers import CHECKERS, DTYPE_CHECKERS, TUPLE_CHECKERS, gather

import helpers as H
from helpers.checkers import TOLERANCE, check_single_channel_dx, diagnose
from helpers.checkers.result import GENERIC_DIAGNOSES
from helpers.checkers.running import _judge


def on_answer(fn, transform, part=0):
    """fn with its answer (or, for (dx, dw, db), that part of it) transformed."""
    def wrapped(*args):
        answer = fn(*args)
        if isinstance(answer, tuple):
            parts = list(answer)
            parts[part] = transform(parts[part])
            return tuple(parts)
        return transform(answer)
    return wrapped


def on_inputs(fn, transform):
    """fn computing on transformed array arguments (ints, such as stride, and tuples unchanged)."""
    return lambda *args: fn(*(transform(a) if isinstance(a, np.ndarray) else a for a in args))


def parts_of(answer):
    return answer if isinstance(answer, tuple) else (answer,)


# ---- every checker: dtypes ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKERS)
def test_accepts_a_correct_float64_answer(name):
    check, correct = CHECKERS[name]
    result = check(correct)
    assert result and result.diagnosis == "", result
    assert repr(result).startswith("✓ correct on ") and "problems of different shapes" in repr(result)


@pytest.mark.parametrize("name", DTYPE_CHECKERS)
def test_accepts_a_correct_answer_computed_in_float32(name):
    check, correct = CHECKERS[name]
    dtypes = []

    def in_float32(*args):
        answer = on_inputs(correct, lambda a: a.astype(np.float32))(*args)
        answer = tuple(np.asarray(a, dtype=np.float32) for a in parts_of(answer))  # float32 throughout
        dtypes.extend(a.dtype for a in answer)
        return answer if len(answer) > 1 else answer[0]

    result = check(in_float32)
    assert result, result
    assert set(dtypes) == {np.dtype(np.float32)}
    # the same float32 numbers handed back as float64: float32-level error, still right
    assert check(on_answer(in_float32, lambda a: a.astype(np.float64))), "float32 error in a float64 answer"


@pytest.mark.parametrize("name", DTYPE_CHECKERS)
def test_accepts_integer_answers_on_integer_inputs(name):
    """Each checker has a problem in small integers; an answer kept in the inputs' integer dtype is exact there."""
    check, correct = CHECKERS[name]
    answered = []

    def keeping_the_dtype(*args):
        answer = correct(*args)
        dtype = np.result_type(*(a for a in args if isinstance(a, np.ndarray)))
        answered.append(dtype.kind)
        return answer if dtype.kind == "f" else (
            tuple(np.asarray(a).astype(dtype) for a in answer) if isinstance(answer, tuple)
            else np.asarray(answer).astype(dtype))

    result = check(keeping_the_dtype)
    assert result, result
    assert answered.count("i") == 1 and answered[-1] == "i", answered  # one integer problem, the last


@pytest.mark.parametrize("name", CHECKERS)
def test_refuses_float16_complex_and_truncated_answers(name):
    check, correct = CHECKERS[name]
    result = check(on_answer(correct, lambda a: np.asarray(a).astype(np.float16)))
    assert not result and result.diagnosis == "float16", result
    assert "float16, too coarse to check (about 3 significant digits): compute in float32 or float64" in \
        result.message
    result = check(on_answer(correct, lambda a: np.asarray(a) + 0j))
    assert not result and result.diagnosis == "complex-round-off", result
    assert "is complex (complex128), but its imaginary parts are round-off (at most 0.0e+00) and its real part is " \
        "right: take the real part, `.real`" in result.message
    result = check(on_answer(correct, lambda a: np.asarray(a) * (1 + 1e-3j)))
    assert not result and result.diagnosis == "complex" and "is complex (complex128" in result.message, result
    result = check(on_answer(correct, lambda a: np.asarray(a).astype(int)))
    assert not result and result.diagnosis == "integer", result
    assert "integer array, so its values were truncated to whole numbers: create float arrays" in result.message


# ---- every checker: garbage answers and exceptions ------------------------------------------------------

GARBAGE = {  # diagnosis, answer made from the right one, words of the message
    "string": ("not-numbers", lambda a: "dx", "is a string ('dx'), not an array of numbers"),
    "generator": ("generator", lambda a: (row for row in a), "is a generator, which can be read only once"),
    "map": ("generator", lambda a: map(float, np.ravel(a)), "is a map, which can be read only once"),
    "dict": ("not-numbers", lambda a: {"dx": a}, "is a dict, not an array of numbers"),
    "ragged": ("ragged", lambda a: [[1.0, 2.0], [3.0]], "is a ragged list (its rows have different lengths)"),
    "objects": ("not-numbers", lambda a: np.array([None, 1.0], dtype=object), "array of Python objects"),
    "booleans": ("not-numbers", lambda a: np.asarray(a) > 0, "holds booleans"),
    "nan": ("not-finite", lambda a: np.where(np.arange(np.size(a)).reshape(np.shape(a)) == 1, np.nan, a),
            "contains NaN or inf (1 of"),
    "inf": ("not-finite", lambda a: np.where(np.arange(np.size(a)).reshape(np.shape(a)) == 0, np.inf, a),
            "contains NaN or inf (1 of"),
    "shape": ("shape", lambda a: np.zeros((2, 2)), "has shape (2, 2), expected shape"),
    "number": ("shape", lambda a: 3.0, "has a single number, expected shape"),
    "values": ("values", lambda a: np.asarray(a) + 0.01, "has the right shape"),
    "part None": ("none", lambda a: None, "is None: did you forget to compute it or to `return` it?"),
}


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize("name", CHECKERS)
def test_names_garbage_answers(name, garbage):
    check, correct = CHECKERS[name]
    diagnosis, make, words = GARBAGE[garbage]
    if garbage == "part None" and name not in TUPLE_CHECKERS:
        diagnosis, words = "none", "returned None: did you forget `return`?"
    result = check(on_answer(correct, make))
    assert not result and result.diagnosis == diagnosis, result
    assert words in result.message, result.message


@pytest.mark.parametrize("name", sorted(TUPLE_CHECKERS))
def test_names_answers_that_are_not_a_tuple_of_three(name):
    check, correct = CHECKERS[name]
    for answer, words in [
        (lambda *a: correct(*a)[:2], "returned 2 values, expected 3: `return dx, dw, db`"),
        (lambda *a: correct(*a) + (0,), "returned 4 values, expected 3"),
        (lambda *a: correct(*a)[0], "return the 3 gradients as a tuple (dx, dw, db), not one ndarray"),
        (lambda *a: dict(zip("xyz", correct(*a))), "not one dict"),
        (lambda *a: iter(correct(*a)), "not a tuple_iterator"),
        (lambda *a: correct(*a)[:1], "returned 1 value, expected 3"),
    ]:
        result = check(answer)
        assert not result and result.diagnosis in ("tuple", "generator") and words in result.message, result
    assert check(lambda *a: list(correct(*a))), "a list of three is fine"


def some_error(kind):
    def raising(*args):
        if kind == "recursion":
            return raising(*args)
        raise {"value": ValueError("boom"), "zero": ZeroDivisionError("division by zero"),
               "exit": SystemExit(3), "base": type("Custom", (BaseException,), {})("odd")}[kind]
    return raising


@pytest.mark.parametrize("name", CHECKERS)
def test_no_traceback_whatever_the_function_raises(name):
    check, correct = CHECKERS[name]
    for kind, words in [("value", "`raising` raised ValueError: boom (in raising, line"),
                        ("zero", "raised ZeroDivisionError: division by zero"),
                        ("recursion", "raised RecursionError: maximum recursion depth"),
                        ("exit", "raised SystemExit: 3"), ("base", "raised Custom: odd")]:
        result = check(some_error(kind))
        assert not result and result.diagnosis == "raised" and words in result.message, result

    def my_stub(*args):
        """The exercise cell's stub."""
        raise NotImplementedError

    result = check(my_stub)
    assert result.diagnosis == "not-written", result
    assert result.message == "`my_stub` is not written yet: replace `raise NotImplementedError` with your code"

    def calls_an_unwritten_helper(*args):
        return my_stub()

    result = check(calls_an_unwritten_helper)
    assert result.diagnosis == "raised" and "NotImplementedError (in my_stub, line" in result.message, result
    result = check(lambda only_one: only_one)
    assert result.diagnosis == "signature" and "cannot be called as fn(" in result.message, result
    result = check(correct(*check.cases()[0]))  # the answer passed instead of the function
    assert result.diagnosis == "not-callable" and "pass the function itself" in result.message, result
    result = check(lambda *args: None)
    assert result.diagnosis == "none" and result.message == "your function returned None: did you forget `return`?"


@pytest.mark.parametrize("name", CHECKERS)
def test_keyboard_interrupt_still_stops_the_checker(name):
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        CHECKERS[name][0](interrupted)


def test_the_line_of_the_learners_code_is_shown():
    def my_dx(dh, w):
        dx = np.zeros((3, 3))
        dx[5, 5] = 1.0
        return dx

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised"
    assert result.message.startswith("`my_dx` raised IndexError: index 5 is out of bounds for axis 0 with size 3 "
                                     "(in my_dx, line ")
    assert result.message.endswith(": `dx[5, 5] = 1.0`)")


@pytest.mark.parametrize("name", CHECKERS)
def test_torch_tensors_are_judged(name):
    torch = pytest.importorskip("torch")
    check, correct = CHECKERS[name]

    def tensor(a):
        return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)

    assert check(on_answer(correct, tensor)), "a tensor that requires grad is detached and judged"
    assert check(on_answer(correct, lambda a: tensor(a).float())), "a float32 tensor"
    result = check(on_answer(correct, lambda a: tensor(a).half()))
    assert result.diagnosis == "float16", result
    result = check(on_answer(correct, lambda a: tensor(a).bfloat16()))
    assert result.diagnosis == "float16", result
    assert "is torch.bfloat16, too coarse to check (about 2 significant digits)" in result.message, result
    result = check(on_answer(correct, lambda a: list(tensor(a).bfloat16())))
    assert result.diagnosis == "float16", "a list of bfloat16 rows too"
    result = check(on_answer(correct, lambda a: tensor(a).detach() * (1 + 0j)))
    assert result.diagnosis == "complex-round-off", result
    result = check(on_answer(correct, lambda a: tensor(a).detach() * (1 + 1j)))
    assert result.diagnosis == "complex", result
    result = check(on_answer(correct, lambda a: tensor(a) + 1))
    assert result.diagnosis in ("values", "integer") or not result, result


def test_a_torch_learner_using_autograd_passes():
    torch = pytest.importorskip("torch")

    def torch_dx(dh, w):
        OH, OW = dh.shape
        x = torch.zeros(1, 1, OH + w.shape[0] - 1, OW + w.shape[1] - 1, dtype=torch.float64, requires_grad=True)
        h = torch.nn.functional.conv2d(x, torch.tensor(np.asarray(w, float))[None, None])
        (h * torch.tensor(np.asarray(dh, float))).sum().backward()
        return x.grad[0, 0]

    assert check_single_channel_dx(torch_dx)


# ---- every checker: inputs changed in place --------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKERS)
def test_inputs_changed_in_place_are_named(name):
    check, correct = CHECKERS[name]
    arrays = [k for k, a in enumerate(check.cases()[0]) if isinstance(a, np.ndarray)]
    assert arrays
    for k in arrays:
        def after(*args, k=k):  # right answer, then the argument spoiled
            answer = correct(*args)
            args[k][...] = 0
            return answer

        def before(*args, k=k):  # the argument spoiled first: the answer comes out wrong
            args[k][...] = 1
            return correct(*args)

        for fn, verdict in [(after, "apart from that, the answer is correct"), (before, "besides, ")]:
            result = check(fn)
            assert not result and result.diagnosis == "in-place", result
            assert f"changed its argument `{check.names[k]}` in place" in result.message, result.message
            assert verdict in result.message, result.message


def test_the_issues_in_place_examples():
    def zero_dh(dh, w):  # zeroes dh in place and returns zeros: the expected answer still comes from dh
        dh[...] = 0
        return gather(dh, w[::-1, ::-1])

    result = check_single_channel_dx(zero_dh)
    assert result.diagnosis == "in-place" and "`dh` in place" in result.message
    assert "besides, dL/dx has the right shape" in result.message and "your answer is all zeros" in result.message

    def rotate_w(dh, kernel):  # a correct function that rotates the kernel in place
        kernel[...] = kernel[::-1, ::-1].copy()
        return gather(dh, kernel)

    result = check_single_channel_dx(rotate_w)
    assert result.message == ("`rotate_w` changed its argument `kernel` in place, which changes the caller's array "
                              "too: work on a copy (`kernel = kernel.copy()`) or write into a new array; apart from "
                              "that, the answer is correct")

    def reshape_w(dh, w):  # a shape change is a change too
        answer = gather(dh, w[::-1, ::-1])
        w.shape = (-1,)
        return answer

    assert check_single_channel_dx(reshape_w).diagnosis == "in-place"


# ---- every checker: numbers, the catalogue ----------------------------------------------------------------

def test_messages_show_the_digits_that_differ():
    expected = np.array([[-2.62221, 1.0]])
    msg = diagnose("a", expected + [[1e-4, 0]], expected).message
    assert "got -2.6221, expected -2.6222" in msg, msg
    msg = diagnose("a", np.arange(6.0).reshape(2, 3) + np.eye(2, 3) * [[0, 0, 0], [0, 5, 0]],
                   np.arange(6.0).reshape(2, 3)).message
    assert "largest difference is at index (1, 1): got 9, expected 4" in msg
    assert "close, but only to a few digits" in diagnose("a", expected * (1 + 1e-3), expected).message


def test_float32_level_errors_pass_and_larger_ones_fail():
    rng = np.random.default_rng(1)
    expected = rng.normal(size=(5, 6))
    assert diagnose("a", expected.astype(np.float32), expected)  # about 1e-8: float32 rounding
    assert diagnose("a", expected * (1 + TOLERANCE / 2), expected)
    assert not diagnose("a", expected * (1 + 4 * TOLERANCE), expected)


def test_a_checker_bug_is_reported_not_raised():
    result = _judge(lambda answer: 1 / 0, np.zeros(2), ())
    assert result.diagnosis == "checker-error" and "ZeroDivisionError" in result.message


GENERIC_EXAMPLES = {  # diagnosis: a function that gets it from check_single_channel_dx
    "not-callable": np.zeros(3),
    "signature": lambda dh: dh,
    "not-written": "stub",
    "raised": lambda dh, w: dh[99],
    "in-place": lambda dh, w: dh.sort(),
    "none": lambda dh, w: None,
    "tuple": None,  # only where the answer is (dx, dw, db): see test_names_answers_that_are_not_a_tuple_of_three
    "order": None,  # the same: see test_checkers_robust.py
    "time-limit": None,  # see test_checkers_robust.py, with a lower limit
    "one-tuple": lambda dh, w: (H.full_convolve2d(dh, w),),
    "sparse": None,  # needs SciPy: see test_checkers_robust.py
    "size-1-axis": lambda dh, w: H.full_convolve2d(dh, w)[None],
    "generator": lambda dh, w: iter(dh),
    "not-numbers": lambda dh, w: "dx",
    "ragged": lambda dh, w: [[1], [2, 3]],
    "complex": lambda dh, w: H.full_convolve2d(dh, w) * (1 + 1j),
    "complex-round-off": lambda dh, w: np.fft.ifft(np.fft.fft(H.full_convolve2d(dh, w))),
    "float16": lambda dh, w: H.full_convolve2d(dh, w).astype(np.float16),
    "integer": lambda dh, w: H.full_convolve2d(dh, w).astype(int),
    "not-finite": lambda dh, w: H.full_convolve2d(dh, w) * np.nan,
    "shape": lambda dh, w: dh,
    "values": lambda dh, w: H.full_convolve2d(dh, w) * 2,
    "checker-error": None,  # see test_a_checker_bug_is_reported_not_raised
}


def stub(dh, w):
    """The exercise's stub."""
    raise NotImplementedError


@pytest.mark.parametrize("diagnosis", GENERIC_EXAMPLES)
def test_every_generic_diagnosis(diagnosis):
    assert set(GENERIC_EXAMPLES) == set(GENERIC_DIAGNOSES)
    fn = stub if diagnosis == "not-written" else GENERIC_EXAMPLES[diagnosis]
    if fn is not None:
        result = check_single_channel_dx(fn)
        assert not result and result.diagnosis == diagnosis, result


# ---- the catalogue, covered --------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKERS)
def test_every_catalogued_mistake_is_tested(name):
    """One learner mistake per catalogued diagnosis, in the checker's own file; no test of a diagnosis it lacks."""
    check = CHECKERS[name][0]
    module = importlib.import_module(f"test_checkers_{name}")
    assert {d for d, _, _ in module.MISTAKES} == set(check.catalogue()), name
