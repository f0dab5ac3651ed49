"""Checkers accept every correct answer at the precision it was computed in, and name each mistake.

Sections:
- every checker: correct answers in float64, float32 and from integer inputs; float16, complex and
  truncated answers; garbage answers and exceptions; inputs changed in place; the catalogue covered;
- one section per checker: correct answers written in several ways, and one learner mistake per
  catalogued diagnosis, written here independently of the checker, asserting that exact diagnosis.
"""

import numpy as np
import pytest

import helpers as H
from helpers.checkers import (
    TOLERANCE,
    check_col2im,
    check_conv_matrix,
    check_layer_backward,
    check_maxpool_backward,
    check_multi_channel_dx,
    check_numerical_gradient,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
    check_strided_dx,
    diagnose,
)
from helpers.checkers.result import GENERIC_DIAGNOSES
from helpers.checkers.running import _judge
from helpers.layers import MaxPool2D

# ---- correct answers, written here ------------------------------------------------------------------


def gather(dh, k, pad=None):
    """Correlate dh, zero-padded by pad (default: k's size - 1), with k: dL/dx when k = rot180(w)."""
    KH, KW = k.shape
    pr, pc = (KH - 1, KW - 1) if pad is None else pad
    dh_pad = np.pad(dh, ((pr, pr), (pc, pc)))
    OH, OW = dh_pad.shape[0] - KH + 1, dh_pad.shape[1] - KW + 1
    return np.array([[np.sum(dh_pad[y:y + KH, z:z + KW] * k) for z in range(OW)] for y in range(OH)])


def scatter(dh, w, op="+="):
    (OH, OW), (KH, KW) = dh.shape, w.shape
    dx = np.zeros((OH + KH - 1, OW + KW - 1))
    for u in range(OH):
        for v in range(OW):
            if op == "+=":
                dx[u:u + KH, v:v + KW] += dh[u, v] * w
            else:
                dx[u:u + KH, v:v + KW] = dh[u, v] * w
    return dx


def dw_loop(x, dh):
    OH, OW = dh.shape
    KH, KW = x.shape[0] - OH + 1, x.shape[1] - OW + 1
    return np.array([[np.sum(x[i:i + OH, j:j + OW] * dh) for j in range(KW)] for i in range(KH)])


def gather_multi(dh, k, pad=None):
    return np.stack([gather(dh, k[:, :, c], pad) for c in range(k.shape[-1])], axis=-1)


def question_loops(dh, x, w, k=None, *, combine="+=", pad=None):
    """(dx, dw, db) by loops, with the kernel k (default rot180(w)) correlated with the padded dL/dh."""
    F, KH, KW, C = w.shape
    k = w[:, ::-1, ::-1, :] if k is None else k
    dx, dw = None, np.zeros(w.shape)
    for f in range(F):
        share = np.stack([gather(dh[:, :, f], k[f, :, :, c], pad) for c in range(C)], axis=-1)
        dx = share if dx is None or combine == "=" else dx + share
        for c in range(C):
            dw[f, :, :, c] = dw_loop(x[:, :, c], dh[:, :, f])
    return dx, dw, dh.sum(axis=(0, 1))


def strided_pipeline(dh, w, s, p, size, *, zeros=True, pad=None, k=None, extend=True, crop="ok"):
    """A learner's strided dL/dx: insert zeros, pad, correlate with k (rot180(w)), append dropped rows, crop."""
    (KH, KW), (Hx, Wx) = w.shape, size
    if zeros:
        up = np.zeros(((dh.shape[0] - 1) * s + 1, (dh.shape[1] - 1) * s + 1))
        up[::s, ::s] = dh
    else:
        up = dh.astype(float)
    k = w[::-1, ::-1] if k is None else k
    full = gather(up, k, (KH - 1, KW - 1) if pad is None else pad)
    if extend:
        full = np.pad(full, ((0, max(Hx + 2 * p - full.shape[0], 0)), (0, max(Wx + 2 * p - full.shape[1], 0))))
    return {"ok": full[p:p + Hx, p:p + Wx], "minus": full[p:-p, p:-p], "start": full[:Hx, :Wx], "none": full}[crop]


def build_C(size, w, *, row=None, col=None):
    (Hx, Wx), (KH, KW) = size, w.shape
    OH, OW = Hx - KH + 1, Wx - KW + 1
    row = row or (lambda u, v: u * OW + v)
    col = col or (lambda y, z: y * Wx + z)
    C = np.zeros((OH * OW, Hx * Wx))
    for u in range(OH):
        for v in range(OW):
            for i in range(KH):
                for j in range(KW):
                    C[row(u, v), col(u + i, v + j)] = w[i, j]
    return C


def col2im_loop(dcols, size, kernel, s, *, assign=False, windows="row", taps="row", step=None, crop=False):
    (Hx, Wx), (KH, KW) = size, kernel
    OH, OW = (Hx - KH) // s + 1, (Wx - KW) // s + 1
    step = s if step is None else step
    dx = np.zeros(size)
    for m in range(len(dcols)):
        u, v = (m // OW, m % OW) if windows == "row" else (m % OH, m // OH)
        patch = dcols[m].reshape(KH, KW) if taps == "row" else dcols[m].reshape(KW, KH).T
        if assign:
            dx[u * step:u * step + KH, v * step:v * step + KW] = patch
        else:
            dx[u * step:u * step + KH, v * step:v * step + KW] += patch
    return dx[:(OH - 1) * s + KH, :(OW - 1) * s + KW] if crop else dx


def maxpool_layer(dh, x):
    pool = MaxPool2D()
    pool.forward(x)
    return pool.backward(dh)


def layer_loops(dh, x, w, s, p, *, step=None, dx_op="+=", k=None, crop="ok", dw_op="+=", dw_step=None):
    """The capstone by the scatter loop; each keyword turns one step into a learner's mistake."""
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    OH, OW = dh.shape[1:3]
    step = s if step is None else step
    dw_step = s if dw_step is None else dw_step
    k = w if k is None else k
    x_pad = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dx_pad, dw = np.zeros(x_pad.shape), np.zeros(w.shape)
    for n in range(N):
        for u in range(OH):
            for v in range(OW):
                for f in range(F):
                    window = (n, slice(u * step, u * step + KH), slice(v * step, v * step + KW))
                    if dx_op == "+=":
                        dx_pad[window] += dh[n, u, v, f] * k[f]
                    else:
                        dx_pad[window] = dh[n, u, v, f] * k[f]
                    patch = x_pad[n, u * dw_step:u * dw_step + KH, v * dw_step:v * dw_step + KW]
                    if dw_op == "+=":
                        dw[f] += dh[n, u, v, f] * patch
                    else:
                        dw[f] = dh[n, u, v, f] * patch
    dx = {"ok": dx_pad[:, p:p + Hx, p:p + Wx], "minus": dx_pad[:, p:-p, p:-p], "none": dx_pad,
          "start": dx_pad[:, :Hx, :Wx]}[crop]
    return dx, dw, dh.sum(axis=(0, 1, 2))


def central_differences(f, x, eps=1e-6):
    """CS231n's way: perturb x in place, one entry at a time, and put it back."""
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
        it.iternext()
    return grad


def layer_im2col(dh, x, w, s, p, *, w2=None, dh2=None, dw_product="dh2.T @ cols"):
    """The capstone by im2col; w2, dh2 and dw_product can be the learner's wrong reshapes."""
    F, KH, KW, _ = w.shape
    cols = H.im2col(x, (KH, KW), stride=s, padding=p)
    dh2 = dh.reshape(-1, F) if dh2 is None else dh2
    w2 = w.reshape(F, -1) if w2 is None else w2
    dx = H.col2im(dh2 @ w2, x.shape, (KH, KW), stride=s, padding=p)
    dw = (dh2.T @ cols if dw_product == "dh2.T @ cols" else cols.T @ dh2).reshape(w.shape)
    return dx, dw, dh2.sum(axis=0)


CHECKERS = {  # name: (checker, a correct learner's function written here)
    "single_channel_dx": (check_single_channel_dx, lambda dh, w: gather(dh, w[::-1, ::-1])),
    "single_channel_dw": (check_single_channel_dw, dw_loop),
    "multi_channel_dx": (check_multi_channel_dx, lambda dh, w: gather_multi(dh, w[::-1, ::-1, :])),
    "question_backward": (check_question_backward, question_loops),
    "strided_dx": (check_strided_dx, strided_pipeline),
    "layer_backward": (check_layer_backward, layer_loops),
    "conv_matrix": (check_conv_matrix, build_C),
    "col2im": (check_col2im, col2im_loop),
    "maxpool_backward": (check_maxpool_backward, maxpool_layer),
    "numerical_gradient": (check_numerical_gradient, central_differences),
}
TUPLE_CHECKERS = {"question_backward", "layer_backward"}
# central differences in float32 (or on integers) with eps = 1e-6 are round-off: no dtype tests for those
DTYPE_CHECKERS = [name for name in CHECKERS if name != "numerical_gradient"]


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


MISTAKES = {}  # checker name -> [(diagnosis, the learner's function, words of the message)], filled per section


def mistakes(name, cases):
    MISTAKES[name] = cases
    return pytest.mark.parametrize("diagnosis, fn, words", cases, ids=[c[0] for c in cases])


def assert_named(check, diagnosis, fn, words):
    assert check(CHECKERS[check.__name__.removeprefix("check_")][1]), "the correct answer passes"
    result = check(fn)
    assert not result and result.diagnosis == diagnosis, result
    assert words in result.message, result.message


# ---- check_single_channel_dx (notebook 01) ---------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda dh, w: scatter(dh, w),
    lambda dh, w: H.full_convolve2d(dh, w),
    lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None, :, :, None])[:, :, 0],
    lambda dh, w: H.conv2d_backward(dh[:, :, None], np.zeros((dh.shape[0] + w.shape[0] - 1,
                                                             dh.shape[1] + w.shape[1] - 1, 1)),
                                    w[None, :, :, None])[0][:, :, 0].tolist(),  # a list is fine
], ids=["scatter", "full_convolve2d", "conv2d_transpose", "conv2d_backward as list"])
def test_single_channel_dx_accepts_correct_answers(fn):
    assert check_single_channel_dx(fn)


GATHER_FIX = ("the gather view correlates the zero-padded dL/dh with the rotated kernel w[::-1, ::-1]; the scatter "
              "loop adds the kernel unrotated, `dx[u:u + KH, v:v + KW] += dh[u, v] * w`")


@mistakes("single_channel_dx", [
    ("rotated-twice", lambda dh, w: gather(dh, w),  # the gather view, unrotated
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " + GATHER_FIX),
    ("rotated-twice", lambda dh, w: scatter(dh, w[::-1, ::-1]), "the kernel is rotated twice, or not at all"),
    ("rotated-twice", lambda dh, w: H.full_convolve2d(dh, np.rot90(w, 2)), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w: gather(dh, w[::-1, :]),
     "the kernel is flipped on one axis only: w[::-1, :] in the gather view, or w[:, ::-1] in the scatter loop; "
     + GATHER_FIX),
    ("rows-only", lambda dh, w: scatter(dh, w[:, ::-1]), "flipped on one axis only: w[::-1, :] in the gather view"),
    ("columns-only", lambda dh, w: gather(dh, w[:, ::-1]), "flipped on one axis only: w[:, ::-1] in the gather view, "
                                                           "or w[::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, w: scatter(dh, w[::-1]), "flipped on one axis only: w[:, ::-1] in the gather view"),
    ("transposed", lambda dh, w: gather(dh, w.T), "the kernel is transposed: w.T in the gather view, or "
                                                  "w[::-1, ::-1].T in the scatter loop"),
    ("transposed", lambda dh, w: scatter(dh, np.rot90(w, 2).T), "the kernel is transposed: w.T in the gather view"),
    ("rotated-90", lambda dh, w: gather(dh, np.rot90(w)), "rotated by 90 degrees (np.rot90); " + GATHER_FIX),
    ("rotated-90", lambda dh, w: scatter(dh, np.rot90(w, -1)), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w: gather(dh, w[::-1, ::-1].T), "the kernel is transposed: w[::-1, ::-1].T in "
                                                                      "the gather view, or w.T in the scatter loop"),
    ("rotated-transposed", lambda dh, w: scatter(dh, w.T), "w[::-1, ::-1].T in the gather view, or w.T in the "
                                                           "scatter loop"),
    ("valid", lambda dh, w: H.correlate2d(dh, w[::-1, ::-1]),
     "this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by KH - 1 rows and KW - 1 columns"),
    ("pad-amount", lambda dh, w: H.correlate2d(np.pad(dh, w.shape[0] - 1), w[::-1, ::-1]),
     "dL/dh is zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = 2 rows and KW - 1 = 1 column"),
    ("pad-amount", lambda dh, w: H.correlate2d(np.pad(dh, 1), w[::-1, ::-1]), "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather(dh, w[::-1, ::-1], pad=w.shape),
     "dL/dh is zero-padded by 3 rows and 2 columns on each side (KH and KW, one too many); it needs KH - 1 = 2 rows"),
    ("pad-amount", lambda dh, w: gather(dh, w[::-1, ::-1], pad=(w.shape[0] - 2, w.shape[1] - 2)),
     "zero-padded by 1 row and 0 columns on each side (KH - 2 and KW - 2, one too few)"),
    ("pad-one-pair", lambda dh, w: H.correlate2d(np.pad(dh, (w.shape[0] - 1, w.shape[1] - 1)), w[::-1, ::-1]),
     "dL/dx: np.pad(dh, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after; give one pair per axis: "
     "np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1)))"),
    ("overwrite", lambda dh, w: scatter(dh, w, "="), "contributions are overwritten: use += (not =)"),
    ("swapped", lambda dh, w: H.full_convolve2d(dh, w).T, "rows and columns are swapped"),
])
def test_single_channel_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_single_channel_dx, diagnosis, fn, words)


# ---- check_single_channel_dw (notebook 01) ---------------------------------------------------------------

def dw_overwriting(x, dh):
    OH, OW = dh.shape
    KH, KW = x.shape[0] - OH + 1, x.shape[1] - OW + 1
    dw = np.zeros((KH, KW))
    for u in range(OH):
        for v in range(OW):
            dw = dh[u, v] * x[u:u + KH, v:v + KW]  # '=' instead of '+='
    return dw


def test_single_channel_dw_accepts_correct_answers():
    assert check_single_channel_dw(lambda x, dh: H.correlate2d(x, dh))
    assert check_single_channel_dw(
        lambda x, dh: H.conv2d_backward(dh[:, :, None], x[:, :, None],
                                        np.zeros((1, x.shape[0] - dh.shape[0] + 1,
                                                  x.shape[1] - dh.shape[1] + 1, 1)))[1][0, :, :, 0])


@mistakes("single_channel_dw", [
    ("dh-rotated", lambda x, dh: dw_loop(x, dh[::-1, ::-1]), "dL/dh is rotated"),
    ("result-rotated", lambda x, dh: dw_loop(x, dh)[::-1, ::-1], "the result is rotated by 180 degrees"),
    ("overwrite", dw_overwriting, "contributions are overwritten"),
    ("mean", lambda x, dh: dw_loop(x, dh) / dh.size, "dL/dw is a mean over the outputs; it is their sum"),
    ("padded", lambda x, dh: H.correlate2d(np.pad(x, ((dh.shape[0] - 1,) * 2, (dh.shape[1] - 1,) * 2)), dh),
     "x was zero-padded: dL/dw is the valid correlation of x with dL/dh"),
    ("swapped", lambda x, dh: dw_loop(x, dh).T, "rows and columns are swapped"),
])
def test_single_channel_dw_names_the_mistake(diagnosis, fn, words):
    assert_named(check_single_channel_dw, diagnosis, fn, words)


# ---- check_multi_channel_dx (notebook 02) ----------------------------------------------------------------

def test_multi_channel_dx_accepts_correct_answers():
    assert check_multi_channel_dx(lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None]))
    assert check_multi_channel_dx(lambda dh, w: np.stack([H.full_convolve2d(dh, w[:, :, c])
                                                          for c in range(w.shape[-1])], axis=-1))


def multi_scatter(dh, k):
    return np.stack([scatter(dh, k[:, :, c]) for c in range(k.shape[-1])], axis=-1)


def multi_scatter_overwriting(dh, w):
    return np.stack([scatter(dh, w[:, :, c], "=") for c in range(w.shape[-1])], axis=-1)


@mistakes("multi_channel_dx", [
    ("rotated-twice", lambda dh, w: gather_multi(dh, w),
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dL/dh with the rotated kernel w[::-1, ::-1, :]; the scatter loop adds the kernel unrotated, "
     "`dx[u:u + KH, v:v + KW, :] += dh[u, v] * w`"),
    ("rotated-twice", lambda dh, w: multi_scatter(dh, w[::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w: gather_multi(dh, w[::-1]), "flipped on one axis only: w[::-1, :, :] in the gather "
                                                           "view, or w[:, ::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, w: gather_multi(dh, w[:, ::-1]), "flipped on one axis only: w[:, ::-1, :] in the "
                                                                 "gather view"),
    ("columns-only", lambda dh, w: multi_scatter(dh, w[::-1]), "w[:, ::-1, :] in the gather view, or "
                                                               "w[::-1, :, :] in the scatter loop"),
    ("transposed", lambda dh, w: gather_multi(dh, w.transpose(1, 0, 2)), "the kernel is transposed: "
                                                                         "w.transpose(1, 0, 2) in the gather view"),
    ("rotated-90", lambda dh, w: gather_multi(dh, np.rot90(w, -1)), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w: gather_multi(dh, w[::-1, ::-1].transpose(1, 0, 2)),
     "the kernel is transposed: w[::-1, ::-1, :].transpose(1, 0, 2) in the gather view, or w.transpose(1, 0, 2) "
     "in the scatter loop"),
    ("rotated-transposed", lambda dh, w: multi_scatter(dh, w.transpose(1, 0, 2)), "the kernel is transposed"),
    ("valid", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(0, 0)), "this is a valid correlation"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(w.shape[1] - 1,) * 2),
     "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(1, 1)), "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=w.shape[:2]), "one too many"),
    ("pad-one-pair", lambda dh, w: np.stack([H.correlate2d(np.pad(dh, (w.shape[0] - 1, w.shape[1] - 1)),
                                                           w[::-1, ::-1, c]) for c in range(w.shape[2])], axis=-1),
     "np.pad(dh, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after"),
    ("overwrite", multi_scatter_overwriting, "contributions are overwritten"),
    ("channels-mixed", lambda dh, w: gather_multi(dh, w[::-1, ::-1]).sum(-1, keepdims=True).repeat(w.shape[-1], -1),
     "the channels are mixed"),
    ("flips-channels", lambda dh, w: gather_multi(dh, np.flip(w)), "the channel axis is reversed too"),
    ("layout", lambda dh, w: gather_multi(dh, w[::-1, ::-1]).transpose(2, 0, 1), "you returned (C, H, W)"),
])
def test_multi_channel_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_multi_channel_dx, diagnosis, fn, words)


def test_the_padding_amounts_are_named():
    """The message says what the learner padded by and what is needed, row and column."""
    result = check_multi_channel_dx(lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(w.shape[0] - 1,) * 2))
    assert result.message == ("dL/dx: dL/dh is zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = "
                              "2 rows and KW - 1 = 1 column: np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1)))")


# ---- check_question_backward (notebook 03) ---------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda dh, x, w: H.conv2d_backward(dh, x, w),
    lambda dh, x, w: H.conv2d_backward_loops(dh, x, w),
    lambda dh, x, w: list(H.conv2d_backward_formula(dh, x, w)),
], ids=["vectorised", "reference", "formula as list"])
def test_question_accepts_correct_answers(fn):
    assert check_question_backward(fn)


def replace(i, transform):
    """A correct answer with part i transformed."""
    def fn(dh, x, w):
        parts = list(question_loops(dh, x, w))
        parts[i] = transform(parts[i], dh, x, w)
        return tuple(parts)
    return fn


def question_scatter_overwriting(dh, x, w):
    F, KH, KW, C = w.shape
    dx = np.zeros(x.shape)
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(F):
                dx[u:u + KH, v:v + KW, :] = dh[u, v, f] * w[f]  # '=' instead of '+='
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_scatter(dh, x, w, k):
    """(dx, dw, db) with dx by the scatter loop adding dh[u, v, f] * k[f]."""
    KH, KW = k.shape[1:3]
    dx = np.zeros((dh.shape[0] + KH - 1, dh.shape[1] + KW - 1, x.shape[-1]))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(w.shape[0]):
                dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * k[f]
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_one_pair(dh, x, w):
    """np.pad(dh[:, :, f], (KH - 1, KW - 1)): KH - 1 before and KW - 1 after, on both axes."""
    F, KH, KW, C = w.shape
    dx = 0
    for f in range(F):
        padded = np.pad(dh[:, :, f], (KH - 1, KW - 1))
        dx = dx + np.stack([gather(padded, w[f, ::-1, ::-1, c], pad=(0, 0)) for c in range(C)], axis=-1)
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_dw_overwriting(dw, dh, x, w):
    KH, KW = w.shape[1:3]
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(w.shape[0]):
                dw[f] = dh[u, v, f] * x[u:u + KH, v:v + KW, :]
    return dw


@mistakes("question_backward", [
    ("rotated-twice", lambda dh, x, w: question_loops(dh, x, w, w),
     "dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dL/dh with the rotated kernel w[:, ::-1, ::-1, :]; the scatter loop adds the kernel unrotated, "
     "`dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * w[f]`"),
    ("rotated-twice", lambda dh, x, w: question_scatter(dh, x, w, w[:, ::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, x, w: question_loops(dh, x, w, w[:, ::-1]), "flipped on one axis only: "
                                                                         "w[:, ::-1, :, :] in the gather view"),
    ("rows-only", lambda dh, x, w: question_scatter(dh, x, w, w[:, :, ::-1]), "w[:, :, ::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, x, w: question_loops(dh, x, w, w[:, :, ::-1]), "flipped on one axis only"),
    ("transposed", lambda dh, x, w: question_loops(dh, x, w, w.swapaxes(1, 2)),
     "the kernel is transposed: w.transpose(0, 2, 1, 3) in the gather view, or "
     "w[:, ::-1, ::-1, :].transpose(0, 2, 1, 3) in the scatter loop"),
    ("rotated-90", lambda dh, x, w: question_loops(dh, x, w, np.rot90(w, axes=(1, 2))), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, x, w: question_loops(dh, x, w, w[:, ::-1, ::-1].swapaxes(1, 2)),
     "the kernel is transposed"),
    ("rotated-transposed", lambda dh, x, w: question_scatter(dh, x, w, w.swapaxes(1, 2)), "the kernel is transposed"),
    ("valid", lambda dh, x, w: question_loops(dh, x, w, pad=(0, 0)),
     "dx: this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by KH - 1 rows and KW - 1 columns "
     "on each side first: np.pad(dh[:, :, f], ((KH - 1, KH - 1), (KW - 1, KW - 1)))"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(w.shape[1] - 1,) * 2),
     "zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = 2 rows and KW - 1 = 1 column"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(1, 1)),
     "dx: dL/dh is zero-padded by 1 row and 1 column on each side (KH - 2 and KW - 2, one too few); it needs "
     "KH - 1 = 2"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(w.shape[1] - 2, w.shape[2] - 2)), "one too few"),
    ("pad-one-pair", question_one_pair, "np.pad(dh[:, :, f], (KH - 1, KW - 1)) pads every axis"),
    ("only-last-filter", lambda dh, x, w: question_loops(dh, x, w, combine="="), "only the last filter survives"),
    ("only-filter-0", replace(0, lambda dx, dh, x, w: question_loops(dh[:, :, :1], x, w[:1])[0]),
     "only filter 0 is used"),
    ("overwrite", question_scatter_overwriting, "dx: contributions are overwritten"),
    ("flips-filters", lambda dh, x, w: question_loops(dh, x, w, w[::-1, ::-1]), "w[::-1, ::-1] on the 4-D filters"),
    ("flips-every-axis", lambda dh, x, w: question_loops(dh, x, w, np.flip(w)), "np.flip(w) flips every axis"),
    ("channels-mixed", replace(0, lambda dx, dh, x, w: dx.sum(-1, keepdims=True).repeat(x.shape[-1], -1)),
     "the channels are mixed"),
    ("layout", replace(0, lambda dx, dh, x, w: dx.transpose(2, 0, 1)), "dx: wrong layout: (C, H, W) is channels-first"),
    ("dw-layout", replace(1, lambda dw, dh, x, w: dw.transpose(0, 3, 1, 2)), "dw: wrong layout: (F, C, KH, KW)"),
    ("dw-rotated", replace(1, lambda dw, dh, x, w: dw[:, ::-1, ::-1, :]), "dw is rotated"),
    ("dw-same-for-all-filters", replace(1, lambda dw, dh, x, w: dw.sum(0, keepdims=True).repeat(len(dw), 0)),
     "every filter got the same"),
    ("dw-overwrite", replace(1, lambda dw, dh, x, w: question_dw_overwriting(dw, dh, x, w)),
     "dw keeps only the last window"),
    ("dw-mean", replace(1, lambda dw, dh, x, w: dw / (dh.shape[0] * dh.shape[1])), "dw is a mean over the positions"),
    ("db-mean", replace(2, lambda db, dh, x, w: db / (dh.shape[0] * dh.shape[1])),
     "db is the sum of dL/dh over positions, not the mean"),
    ("db-all-filters", replace(2, lambda db, dh, x, w: np.full(len(db), db.sum())), "db[f] sums dL/dh[:, :, f] only"),
])
def test_question_names_the_mistake(diagnosis, fn, words):
    assert_named(check_question_backward, diagnosis, fn, words)


def test_question_is_checked_on_the_questions_shapes_and_non_square_ones():
    shapes = [(dh.shape, x.shape, w.shape) for dh, x, w in check_question_backward.cases()]
    assert ((3, 3, 16), (5, 5, 3), (16, 3, 3, 3)) in shapes
    assert any(x[0] != x[1] and w[1] != w[2] and dh[0] != dh[1] for dh, x, w in shapes)


# ---- check_strided_dx (notebook 04) -------------------------------------------------------------------

def test_strided_dx_accepts_correct_answers():
    assert check_strided_dx(lambda dh, w, s, p, size: H.conv2d_transpose(dh[:, :, None], w[None, :, :, None],
                                                                         stride=s, padding=p,
                                                                         input_size=size)[:, :, 0])
    assert check_strided_dx(  # the loop reference, written differently
        lambda dh, w, s, p, size: H.conv2d_backward_loops(dh[:, :, None], np.zeros((*size, 1)),
                                                          w[None, :, :, None], stride=s, padding=p)[0][:, :, 0])


def strided(**mistake):
    return lambda *args: strided_pipeline(*args, **mistake)


def strided_scatter(dh, w, s, p, size, *, k=None, step=None):
    """The scatter loop: output (u, v) adds dh[u, v] * k (right: w) to the window at (u * step, v * step)."""
    Hx, Wx = size
    k, step = (w if k is None else k), (s if step is None else step)
    dx_pad = np.zeros((Hx + 2 * p, Wx + 2 * p))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            dx_pad[u * step:u * step + k.shape[0], v * step:v * step + k.shape[1]] += dh[u, v] * k
    return dx_pad[p:p + Hx, p:p + Wx]


def strided_with_stride_zeros(dh, w, s, p, size):
    """`stride` zeros between the entries of dL/dh instead of stride - 1."""
    up = np.zeros(((dh.shape[0] - 1) * (s + 1) + 1, (dh.shape[1] - 1) * (s + 1) + 1))
    up[::s + 1, ::s + 1] = dh
    return strided_pipeline(up, w, 1, p, size)


def strided_one_pair(dh, w, s, p, size):
    """np.pad(dh_up, (KH - 1, KW - 1)): KH - 1 before and KW - 1 after, on both axes."""
    (KH, KW), (Hx, Wx) = w.shape, size
    up = np.zeros(((dh.shape[0] - 1) * s + 1, (dh.shape[1] - 1) * s + 1))
    up[::s, ::s] = dh
    full = gather(np.pad(up, (KH - 1, KW - 1)), w[::-1, ::-1], pad=(0, 0))
    full = np.pad(full, ((0, max(Hx + 2 * p - full.shape[0], 0)), (0, max(Wx + 2 * p - full.shape[1], 0))))
    return full[p:p + Hx, p:p + Wx]


STRIDED_FIX = ("the gather view correlates the zero-padded dh_up (dL/dh with stride - 1 zeros inserted) with the "
               "rotated kernel w[::-1, ::-1]; the scatter loop adds the kernel unrotated, "
               "`dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w`")


@mistakes("strided_dx", [
    ("not-dilated", strided(zeros=False),
     "dL/dx: the windows are placed as if the stride were 1: the gather view inserts stride - 1 zeros (here 1) "
     "between the entries of dL/dh, dh_up = helpers.dilate(dh, stride), before zero-padding it; the scatter loop "
     "adds dh[u, v] * w to the window starting at (u*s, v*s), `dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w`"),
    ("not-dilated", lambda *args: strided_scatter(*args, step=1), "the windows are placed as if the stride were 1"),
    ("zeros-stride", strided_with_stride_zeros, "dL/dx: dL/dh has stride zeros (here 2) between its entries; it "
                                                "needs stride - 1 (here 1), which helpers.dilate(dh, stride) inserts"),
    ("dropped-rows", strided(extend=False), "off by the rows the floor dropped"),
    ("crop-minus-p", strided(crop="minus"), "wrong crop: [p:-p] is empty when p = 0"),
    ("not-cropped", strided(crop="none"), "the padding was not cropped"),
    ("crop-top-left", strided(crop="start"), "the padding is on both sides"),
    ("rotated-twice", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w),
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " + STRIDED_FIX),
    ("rotated-twice", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w[::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[::-1]), "flipped on one axis only: w[::-1, :] in "
                                                                            "the gather view"),
    ("columns-only", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[:, ::-1]), "flipped on one axis only"),
    ("columns-only", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w[::-1]), "or w[::-1, :] in the scatter loop"),
    ("transposed", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w.T), "the kernel is transposed: w.T in the "
                                                                         "gather view"),
    ("rotated-90", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=np.rot90(w), pad=(w.shape[1] - 1,
                                                                                     w.shape[0] - 1)),
     "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[::-1, ::-1].T),
     "the kernel is transposed: w[::-1, ::-1].T in the gather view, or w.T in the scatter loop"),
    ("rotated-transposed", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w.T), "the kernel is transposed"),
    ("valid", strided(pad=(0, 0)), "this is a valid correlation"),
    ("pad-amount", lambda dh, w, *a: strided_pipeline(dh, w, *a, pad=(w.shape[0] - 1,) * 2),
     "zero-padded by 2 rows and 2 columns"),
    ("pad-amount", strided(pad=(1, 1)), "zero-padded by 1 row and 1 column on each side; it needs KH - 1 = 2 rows"),
    ("pad-amount", lambda dh, w, *a: strided_pipeline(dh, w, *a, pad=w.shape), "(KH and KW, one too many)"),
    ("pad-one-pair", strided_one_pair, "np.pad(dh_up, (KH - 1, KW - 1)) pads every axis by KH - 1 before"),
    ("pad-by-p", lambda dh, w, s, p, size: strided_pipeline(dh, w, s, p, size, pad=(p, p)) if p else
     strided_pipeline(dh, w, s, p, size), "zero-padded by the forward padding p = 1"),
])
def test_strided_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_strided_dx, diagnosis, fn, words)


def test_strided_dx_cases_are_non_square_with_odd_strides_and_dropped_rows():
    cases = check_strided_dx.cases()
    assert all(isinstance(s, int) and isinstance(p, int) for _, _, s, p, _ in cases)
    assert {s for _, _, s, _, _ in cases} >= {1, 2, 3} and {p for *_, p, _ in cases} >= {0, 1}
    dropped = [(size[0] + 2 * p - w.shape[0]) % s for dh, w, s, p, size in cases]
    assert any(dropped) and any(w.shape[0] != w.shape[1] for _, w, *_ in cases)


# ---- check_layer_backward (notebook 04's capstone) ----------------------------------------------------

def layer(**mistake):
    return lambda *args: layer_loops(*args, **mistake)


def layer_replace(i, transform):
    def fn(dh, x, w, s, p):
        parts = list(layer_loops(dh, x, w, s, p))
        parts[i] = transform(parts[i], dh, x, w, s, p)
        return tuple(parts)
    return fn


def layer_per_filter(dh, x, w, s, p, filters):
    """dx from the filters listed only, each one's scatter assigned with '=' in turn."""
    dx = None
    for f in filters:
        dx = layer_loops(dh[..., f:f + 1], x, w[f:f + 1], s, p)[0]
    return dx


def layer_gather(dh, x, w, s, p, *, zeros=None, pad=None, k=None):
    """(dx, dw, db) with dx by the gather view, plane by plane; each keyword turns one step into a mistake.

    zeros: the zeros put between the entries of dL/dh (right: s - 1);  pad: plane -> the zero-padded
    plane (right: KH - 1 and KW - 1 on each side);  k: the kernels correlated (right: w rotated).
    """
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    OH, OW = dh.shape[1:3]
    gap = s if zeros is None else zeros + 1
    k = w[:, ::-1, ::-1, :] if k is None else k
    pad = pad or (lambda plane: np.pad(plane, ((KH - 1, KH - 1), (KW - 1, KW - 1))))
    dh_up = np.zeros((N, (OH - 1) * gap + 1, (OW - 1) * gap + 1, F))
    dh_up[:, ::gap, ::gap, :] = dh
    dx_pad = np.zeros((N, Hx + 2 * p, Wx + 2 * p, C))
    for n in range(N):
        for c in range(C):
            full = sum(gather(pad(dh_up[n, :, :, f]), k[f, :, :, c], pad=(0, 0)) for f in range(F))
            rows, cols = min(full.shape[0], Hx + 2 * p), min(full.shape[1], Wx + 2 * p)
            dx_pad[n, :rows, :cols, c] = full[:rows, :cols]
    return dx_pad[:, p:p + Hx, p:p + Wx], layer_loops(dh, x, w, s, p)[1], dh.sum(axis=(0, 1, 2))


def layer_gather_with(**mistake):
    return lambda *args: layer_gather(*args, **mistake)


def layer_dw_unpadded_x(dh, x, w, s, p):
    """dw from the windows of x placed at the top left of x_pad (the padding in front forgotten)."""
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    x_pad = np.zeros((N, Hx + 2 * p, Wx + 2 * p, C))
    x_pad[:, :Hx, :Wx] = x
    dw = np.zeros(w.shape)
    for n in range(N):
        for u in range(dh.shape[1]):
            for v in range(dh.shape[2]):
                for f in range(F):
                    dw[f] += dh[n, u, v, f] * x_pad[n, u * s:u * s + KH, v * s:v * s + KW]
    return layer_loops(dh, x, w, s, p)[0], dw, dh.sum(axis=(0, 1, 2))


def layer_dw_last_image(dw, dh, x, w, s, p):
    for n in range(len(x)):  # '=' over the images
        dw = layer_loops(dh[n:n + 1], x[n:n + 1], w, s, p)[1]
    return dw


@pytest.mark.parametrize("fn", [
    lambda dh, x, w, s, p: H.conv2d_backward(dh, x, w, stride=s, padding=p),
    lambda dh, x, w, s, p: H.conv2d_backward_formula(dh, x, w, stride=s, padding=p),
    layer_im2col,
    layer_gather,
], ids=["vectorised", "formula", "im2col", "gather by loops"])
def test_layer_backward_accepts_correct_answers(fn):
    assert check_layer_backward(fn)


@mistakes("layer_backward", [
    ("not-dilated", layer(step=1), "dx: the windows are placed as if the stride were 1"),
    ("crop-minus-p", layer(crop="minus"), "dx: wrong crop: [p:-p] is empty when p = 0"),
    ("not-cropped", layer(crop="none"), "the padding was not cropped"),
    ("crop-top-left", layer(crop="start"), "the padding is on both sides"),
    ("dropped-rows", layer_replace(0, lambda dx, dh, x, w, s, p: H.conv2d_transpose(dh, w, stride=s)[
        :, p:p + x.shape[1], p:p + x.shape[2]]), "off by the rows the floor dropped"),
    ("overwrite", layer(dx_op="="), "contributions are overwritten: use += (not =) in `dx_pad[n, u*s:u*s + KH"),
    ("only-last-filter", layer_replace(0, lambda dx, dh, x, w, s, p: layer_per_filter(dh, x, w, s, p,
                                                                                      range(w.shape[0]))),
     "only the last filter survives"),
    ("only-filter-0", layer_replace(0, lambda dx, dh, x, w, s, p: layer_per_filter(dh, x, w, s, p, [0])),
     "only filter 0 is used"),
    ("rotated-twice", lambda dh, x, w, s, p: layer_loops(dh, x, w, s, p, k=w[:, ::-1, ::-1]),
     "dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dh_up (dL/dh with stride - 1 zeros inserted) with the rotated kernel w[:, ::-1, ::-1, :]; the "
     "scatter loop adds the kernel unrotated, `dx_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] += dh[n, u, v, f] * w[f]`"),
    ("rotated-twice", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w), "the kernel is rotated twice"),
    ("rows-only", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, ::-1]),
     "flipped on one axis only: w[:, ::-1, :, :] in the gather view, or w[:, :, ::-1, :] in the scatter loop"),
    ("rows-only", lambda dh, x, w, s, p: layer_loops(dh, x, w, s, p, k=w[:, :, ::-1]), "flipped on one axis only"),
    ("columns-only", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, :, ::-1]), "flipped on one axis"),
    ("transposed", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w.transpose(0, 2, 1, 3)),
     "the kernel is transposed: w.transpose(0, 2, 1, 3) in the gather view"),
    ("rotated-90", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=np.rot90(w, axes=(1, 2))),
     "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, ::-1, ::-1].swapaxes(1, 2)),
     "or w.transpose(0, 2, 1, 3) in the scatter loop"),
    ("zeros-stride", layer_gather_with(zeros=2), "dL/dh has stride zeros (here 2) between its entries; it needs "
                                                 "stride - 1 (here 1)"),
    ("pad-by-p", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, pad=lambda plane: np.pad(plane, p)),
     "dL/dh is zero-padded by the forward padding p = 1"),
    ("valid", layer_gather_with(pad=lambda plane: plane), "this is a valid correlation"),
    ("pad-amount", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, pad=lambda plane: np.pad(
        plane, ((w.shape[1] - 2, w.shape[1] - 2), (w.shape[2] - 2, w.shape[2] - 2)))),
     "zero-padded by 1 row and 0 columns on each side (KH - 2 and KW - 2, one too few)"),
    ("pad-one-pair", lambda dh, x, w, s, p: layer_gather(
        dh, x, w, s, p, pad=lambda plane: np.pad(plane, (w.shape[1] - 1, w.shape[2] - 1))),
     "np.pad(dh_up[n, :, :, f], (KH - 1, KW - 1)) pads every axis"),
    ("channels-mixed", layer_replace(0, lambda dx, *a: dx.sum(-1, keepdims=True).repeat(dx.shape[-1], -1)),
     "the channels are mixed"),
    ("w2-reshape", lambda dh, x, w, s, p: layer_im2col(dh, x, w, s, p, w2=w.reshape(-1, w.shape[0]).T),
     "w.reshape(-1, F) mixes the filters' entries"),
    ("dh2-reshape", lambda dh, x, w, s, p: layer_im2col(dh, x, w, s, p, dh2=dh.reshape(w.shape[0], -1).T),
     "dh.reshape(F, -1) mixes positions and filters"),
    ("layout", layer_replace(0, lambda dx, *a: dx.transpose(0, 3, 1, 2)), "dx: wrong layout: (N, C, H, W)"),
    ("dw-overwrite", layer(dw_op="="), "dw keeps only the last window"),
    ("dw-last-image", layer_replace(1, layer_dw_last_image), "dw is the last image's alone"),
    ("dw-mean-batch", layer_replace(1, lambda dw, dh, *a: dw / len(dh)), "dw is divided by the batch size N"),
    ("dw-mean", layer_replace(1, lambda dw, dh, *a: dw / np.prod(dh.shape[:3])), "dw is a mean over the windows"),
    ("dw-mean", layer_replace(1, lambda dw, dh, *a: dw / np.prod(dh.shape[1:3])), "dw is a mean over the windows"),
    ("dw-unpadded-x", layer_dw_unpadded_x, "dw reads the windows of x without its padding in front"),
    ("dw-no-stride", layer(dw_step=1), "the windows of x are read at stride 1"),
    ("dw-rotated", layer_replace(1, lambda dw, *a: dw[:, ::-1, ::-1]), "dw is rotated"),
    ("dw-same-for-all-filters", layer_replace(1, lambda dw, *a: dw.sum(0, keepdims=True).repeat(len(dw), 0)),
     "every filter got the same gradient"),
    ("dw-im2col-reshape", lambda *args: layer_im2col(*args, dw_product="cols.T @ dh2"),
     "cols.T @ dh2 is (KH*KW*C, F)"),
    ("dw-layout", layer_replace(1, lambda dw, *a: dw.transpose(0, 3, 1, 2)), "dw: wrong layout: (F, C, KH, KW)"),
    ("db-mean", layer_replace(2, lambda db, dh, *a: dh.mean(axis=(0, 1, 2))), "not the mean"),
    ("db-mean-batch", layer_replace(2, lambda db, dh, *a: db / len(dh)), "db is averaged over the batch"),
    ("db-per-image", layer_replace(2, lambda db, dh, *a: dh.sum(axis=(1, 2))), "db has one row per image"),
    ("db-last-image", layer_replace(2, lambda db, dh, *a: dh[-1].sum(axis=(0, 1))), "db is the last image's alone"),
    ("db-all-filters", layer_replace(2, lambda db, dh, *a: np.full(len(db), dh.sum())), "db[f] sums dh[..., f]"),
])
def test_layer_backward_names_the_mistake(diagnosis, fn, words):
    assert_named(check_layer_backward, diagnosis, fn, words)


def test_layer_backward_cases_cover_the_capstone():
    cases = check_layer_backward.cases()
    assert ((2, 3, 3, 16), (2, 5, 5, 3), (16, 3, 3, 3), 1, 0) in [(dh.shape, x.shape, w.shape, s, p)
                                                                 for dh, x, w, s, p in cases]
    assert all(len(x) >= 2 and x.shape[-1] >= 2 and len(w) >= 3 for _, x, w, _, _ in cases)
    assert {p for *_, p in cases} >= {0, 1} and 3 in {s for *_, s, _ in cases}
    assert any(x.shape[1] != x.shape[2] and w.shape[1] != w.shape[2] and dh.shape[1] != dh.shape[2]
               for dh, x, w, _, _ in cases)


# ---- check_conv_matrix (notebook 05) -----------------------------------------------------------------

def test_conv_matrix_accepts_correct_answers():
    assert check_conv_matrix(lambda size, w: H.conv_matrix((*size, 1), w[None, :, :, None]))


def C_with(row=None, col=None):
    def fn(size, w):
        (Hx, Wx), (KH, KW) = size, w.shape
        OH, OW = Hx - KH + 1, Wx - KW + 1
        return build_C(size, w, row=row and (lambda u, v: row(u, v, OH, OW)),
                       col=col and (lambda y, z: col(y, z, Hx, Wx)))
    return fn


@mistakes("conv_matrix", [
    ("transposed", lambda size, w: build_C(size, w).T, "you built the transpose"),
    ("rotated", lambda size, w: build_C(size, w[::-1, ::-1]), "the kernel is rotated"),
    ("column-major", C_with(row=lambda u, v, OH, OW: v * OH + u, col=lambda y, z, Hx, Wx: z * Hx + y),
     "rows and columns are in column-major order"),
    ("column-major-columns", C_with(col=lambda y, z, Hx, Wx: z * Hx + y), "the columns are in column-major order"),
    ("column-major-rows", C_with(row=lambda u, v, OH, OW: v * OH + u), "the rows are in column-major order"),
    ("pixel-index-H", C_with(col=lambda y, z, Hx, Wx: y * Hx + z), "not y * H + z"),
    ("output-index-OH", C_with(row=lambda u, v, OH, OW: u * OH + v), "not u * OH + v"),
])
def test_conv_matrix_names_the_mistake(diagnosis, fn, words):
    assert_named(check_conv_matrix, diagnosis, fn, words)


# ---- check_col2im (notebook 06) ----------------------------------------------------------------------

def test_col2im_accepts_correct_answers():
    assert check_col2im(lambda d, size, k, s: H.col2im(d, (*size, 1), k, stride=s)[:, :, 0])


def col2im_with(**mistake):
    return lambda *args: col2im_loop(*args, **mistake)


@mistakes("col2im", [
    ("overwrite", col2im_with(assign=True), "windows overwrite each other"),
    ("window-order", col2im_with(windows="col"), "wrong window order"),
    ("tap-order", col2im_with(taps="col"), "wrong order inside a window"),
    ("no-stride", col2im_with(step=1), "the windows are placed one pixel apart"),
    ("dropped-rows", col2im_with(crop=True), "dx must have x's shape (H, W)"),
])
def test_col2im_names_the_mistake(diagnosis, fn, words):
    assert_named(check_col2im, diagnosis, fn, words)


# ---- check_maxpool_backward (notebook 07) ------------------------------------------------------------

def spread(dh, x, scale):
    dx = np.zeros(x.shape)
    dx[:, :dh.shape[1] * 2, :dh.shape[2] * 2] = np.repeat(np.repeat(dh, 2, 1), 2, 2) * scale
    return dx


def to_top_left(dh, x):
    dx = np.zeros(x.shape)
    dx[:, :dh.shape[1] * 2:2, :dh.shape[2] * 2:2] = dh
    return dx


def mask_only(dh, x):
    """1 where each block's maximum is, and 0 elsewhere: dL/dh never multiplied in."""
    dx = np.zeros(x.shape)
    for u in range(x.shape[1] // 2):
        for v in range(x.shape[2] // 2):
            block = x[:, 2 * u:2 * u + 2, 2 * v:2 * v + 2, :]
            dx[:, 2 * u:2 * u + 2, 2 * v:2 * v + 2, :] = block == block.max(axis=(1, 2), keepdims=True)
    return dx


@mistakes("maxpool_backward", [
    ("average", lambda dh, x: spread(dh, x, 0.25), "spread evenly"),
    ("copy", lambda dh, x: spread(dh, x, 1.0), "copied to all four inputs"),
    ("argmin", lambda dh, x: -maxpool_layer(-dh, -x), "goes to the smallest input"),
    ("top-left", to_top_left, "goes to the top-left input of each block"),
    ("mask-only", mask_only, "dx is the mask alone (1 at each block's maximum, 0 elsewhere): multiply it by dL/dh"),
    ("cropped", lambda dh, x: maxpool_layer(dh, x)[:, :dh.shape[1] * 2, :dh.shape[2] * 2], "dx must have x's shape"),
])
def test_maxpool_names_the_mistake(diagnosis, fn, words):
    assert_named(check_maxpool_backward, diagnosis, fn, words)


# ---- check_numerical_gradient (notebook 01) ----------------------------------------------------------

def numerical(step="central", *, indices=None, restore=True, eps_used=None, shape="x"):
    """A learner's numerical_gradient, perturbing x in place; each keyword turns one step into a mistake.

    step: "central", "forward", "over-eps" (central over eps) or "backwards" (f(x - eps) - f(x + eps));
    indices: x -> the indices visited (right: every entry); restore: put each entry back;
    eps_used: a step of the learner's own instead of eps;  shape: "flat" returns grad.ravel().
    """
    def numerical_gradient(f, x, eps=1e-6):
        h = eps if eps_used is None else eps_used
        grad = np.zeros(x.shape)
        for i in (np.ndindex(x.shape) if indices is None else indices(x)):
            old = x[i].copy()
            x[i] = old + h
            plus = f(x)
            x[i] = old - h
            minus = f(x)
            if restore:
                x[i] = old
            if step == "forward":
                x[i] = old
                grad[i] = (plus - f(x)) / h
            elif step == "over-eps":
                grad[i] = (plus - minus) / h
            elif step == "backwards":
                grad[i] = (minus - plus) / (2 * h)
            else:
                grad[i] = (plus - minus) / (2 * h)
        return grad.ravel() if shape == "flat" else grad
    return numerical_gradient


def all_at_once(f, x, eps=1e-6):
    """x + eps moves every entry: one directional derivative, copied everywhere."""
    return np.ones(x.shape) * (f(x + eps) - f(x - eps)) / (2 * eps)


def first_entries(f, x, eps=1e-6):
    """range(len(x)) with x.flat: only the first len(x) entries are visited."""
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += eps
        minus.flat[i] -= eps
        grad.flat[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def two_indices(x):
    return ((i, j) for i in range(x.shape[0]) for j in range(x.shape[1]))


@pytest.mark.parametrize("fn", [
    numerical(),
    lambda f, x, eps=1e-6: np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps)
                                     for e in np.eye(x.size).reshape(x.size, *x.shape)]).reshape(x.shape),
    lambda f, x, eps=1e-6: numerical()(f, x.copy(), eps).tolist(),
], ids=["in place, restored", "one unit vector at a time", "on a copy, as a list"])
def test_numerical_gradient_accepts_correct_answers(fn):
    assert check_numerical_gradient(fn)


RESTORE = "save each entry and put it back after its two evaluations, `old = x[i]` ... `x[i] = old`"


@mistakes("numerical_gradient", [
    ("forward", numerical("forward"), "the gradient: this is the forward difference (f(x + eps e_i) - f(x)) / eps, "
                                      "off by about eps * f'' / 2 (here eps = 0.001)"),
    ("half-step", numerical("over-eps"), "twice the gradient: the two evaluations are 2 * eps apart"),
    ("sign", numerical("backwards"), "the sign is flipped"),
    ("all-at-once", all_at_once, "every entry holds the same number, the derivative along all entries at once"),
    ("all-at-once", lambda f, x, eps=1e-6: (f(x + eps) - f(x - eps)) / (2 * eps), "one number, the derivative along "
                                                                                  "all entries at once"),
    ("whole-rows", numerical(indices=lambda x: range(len(x))), "x[i] uses 1 of x's 2 indices, so it perturbs a "
                                                               "whole row at once"),
    ("whole-rows", numerical(indices=two_indices), "x[i, j] uses 2 of x's 3 indices, so it perturbs a whole row"),
    ("first-entries", first_entries, "only the first 3 entries, len(x) of them, are filled: visit all x.size = 15"),
    ("flattened", numerical(shape="flat"), "the right values, flattened: return them shaped like x, (3, 5)"),
    ("eps-ignored", numerical(eps_used=1e-5), "this is the true gradient, not the central difference at the eps "
                                              "given (eps = 0.1 here"),
])
def test_numerical_gradient_names_the_mistake(diagnosis, fn, words):
    assert_named(check_numerical_gradient, diagnosis, fn, words)


def test_numerical_gradient_that_does_not_restore_x_is_told_how():
    result = check_numerical_gradient(numerical(restore=False))
    assert result.diagnosis == "in-place" and RESTORE in result.message, result
    # x drifts by eps = 1e-6 per entry on the first problem: the gradient is still right to 1e-5
    assert result.message.endswith("apart from that, the answer is correct")

    def adds_eps_back(f, x, eps=1e-6):  # restores by arithmetic: x keeps round-off
        grad = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += eps
            plus = f(x)
            x[i] -= 2 * eps
            minus = f(x)
            x[i] += eps
            grad[i] = (plus - minus) / (2 * eps)
        return grad

    result = check_numerical_gradient(adds_eps_back)
    assert result.diagnosis == "in-place" and "(adding eps back leaves round-off)" in result.message, result
    assert result.message.endswith("apart from that, the answer is correct")


def test_numerical_gradient_without_a_default_eps_is_told_so():
    result = check_numerical_gradient(lambda f, x, eps: numerical()(f, x, eps))
    assert result.diagnosis == "signature", result
    assert result.message.startswith("your function cannot be called as fn(f, x): TypeError: ")
    assert "missing 1 required positional argument: 'eps'" in result.message


def test_numerical_gradient_cases():
    cases = check_numerical_gradient.cases()
    assert len(cases[0]) == 2, "the first case uses the learner's default eps"
    assert {c[2] for c in cases[1:]} == {1e-3, 0.1}
    assert any(x.ndim == 3 for _, x, *_ in cases) and all(x.shape[0] != x.shape[1] for _, x, *_ in cases)
    f, x = cases[0]
    assert isinstance(f(x), float)


# ---- the catalogue, covered --------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKERS)
def test_every_catalogued_mistake_is_tested(name):
    """One learner mistake above per diagnosis in the checker's catalogue, and no test of a diagnosis it lacks."""
    check = CHECKERS[name][0]
    assert {d for d, _, _ in MISTAKES[name]} == set(check.catalogue()), name


def test_catalogue_lists_the_messages():
    catalogue = check_single_channel_dx.catalogue()
    assert catalogue["rotated-twice"] == "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " \
        + GATHER_FIX
