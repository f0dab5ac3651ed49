"""Checkers answer whatever the learner's function does: endless loops, exact numbers, library errors, odd returns.

Sections: the time limit (and Ctrl-C still stopping a checker); exact numbers judged by value;
the learner's line blamed for a library's exception, and wrapped functions; returns that are
nearly right (a tuple in the wrong order, a 1-tuple, an axis of size 1, complex round-off, a SciPy
sparse matrix, one-shot iterators); more correct answers written in other ways (einsum, FFT,
scipy.signal).  Every learner function here is written as a learner would write it.
"""

import functools
import os
import signal
import threading
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import helpers as H
from helpers.checkers import (
    calling,
    check_col2im,
    check_conv_matrix,
    check_layer_backward,
    check_maxpool_backward,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
)

# ---- the time limit ----------------------------------------------------------------------------------------


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(calling, "TIME_LIMIT", 0.5)
    return 0.5


def my_dx_endless(dh, w):
    """The scatter loop with a while, whose counter never moves on."""
    KH, KW = w.shape
    dx = np.zeros((dh.shape[0] + KH - 1, dh.shape[1] + KW - 1))
    u = 0
    while u < dh.shape[0]:
        for v in range(dh.shape[1]):
            dx[u:u + KH, v:v + KW] += dh[u, v] * w
    return dx


def test_an_endless_loop_is_stopped_in_time_with_one_sentence(short_limit):
    start = time.monotonic()
    result = check_single_channel_dx(my_dx_endless)
    elapsed = time.monotonic() - start
    assert not result and result.diagnosis == "time-limit", result
    assert short_limit <= elapsed < short_limit + 2, elapsed
    assert result.message.startswith("`my_dx_endless` did not finish in 0.5 s (stopped in my_dx_endless, line "), \
        result.message
    assert result.message.endswith(": is there a loop whose counter never changes, like `while i < n:` without "
                                   "`i += 1`?"), result.message


def test_the_default_limit_is_30_seconds():
    assert calling.TIME_LIMIT == 30.0


def test_a_learners_except_exception_does_not_swallow_the_time_limit(short_limit):
    def careful(dh, w):
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # the learner's own error handling
                pass

    result = check_single_channel_dx(careful)
    assert result.diagnosis == "time-limit", result


def test_the_timer_and_handler_are_restored(short_limit):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        assert check_single_channel_dx(my_dx_endless).diagnosis == "time-limit"
        assert check_single_channel_dx(lambda dh, w: H.full_convolve2d(dh, w))
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100, "someone else's timer keeps running, less the time spent"
        assert signal.getsignal(signal.SIGALRM) is not previous and not fired
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(0.2)
        assert fired == [signal.SIGALRM], "someone else's handler is back"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_no_timer_is_left_after_a_check():
    assert check_single_channel_dx(lambda dh, w: H.full_convolve2d(dh, w))
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)


def test_interrupting_the_kernel_still_stops_a_checker(short_limit):
    """The kernel's interrupt is SIGINT, which Python turns into KeyboardInterrupt inside the learner's loop."""
    def interrupted(dh, w):
        os.kill(os.getpid(), signal.SIGINT)
        while True:
            pass

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        check_single_channel_dx(interrupted)
    assert time.monotonic() - start < short_limit
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)


def test_a_keyboard_interrupt_raised_by_the_learners_function_propagates(short_limit):
    def gives_up(dh, x, w):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_question_backward(gives_up)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_a_checker_runs_without_a_limit():
    results = []
    thread = threading.Thread(target=lambda: results.append(check_single_channel_dx(
        lambda dh, w: H.full_convolve2d(dh, w))))
    thread.start()
    thread.join(60)
    assert results and results[0], results


# ---- exact numbers, judged by value ---------------------------------------------------------------------------

def right_dx(dh, w):
    return H.full_convolve2d(dh, w)


def as_objects(convert):
    """The right dL/dx as an object array of the numbers convert makes from each float."""
    return lambda dh, w: np.array([[convert(v) for v in row] for row in right_dx(dh, w)], dtype=object)


@pytest.mark.parametrize("convert", [Fraction, Decimal, float, lambda v: Fraction(v).limit_denominator(10 ** 12)],
                         ids=["Fraction", "Decimal", "float objects", "nearby Fraction"])
def test_exact_numbers_with_the_right_values_are_accepted(convert):
    result = check_single_channel_dx(as_objects(convert))
    assert result, result


def test_a_learner_computing_in_fractions_passes():
    def my_dx(dh, w):  # exact arithmetic throughout: every product and sum is a Fraction
        KH, KW = w.shape
        dx = [[Fraction(0)] * (dh.shape[1] + KW - 1) for _ in range(dh.shape[0] + KH - 1)]
        for u in range(dh.shape[0]):
            for v in range(dh.shape[1]):
                for i in range(KH):
                    for j in range(KW):
                        dx[u + i][v + j] += Fraction(dh[u, v]) * Fraction(w[i, j])
        return dx

    assert check_single_channel_dx(my_dx)


def test_python_integers_are_judged_as_integers():
    """On the integer problem, Python ints (an object array) are exact; elsewhere they are truncations."""
    def ints(dh, w):
        return np.array([[int(round(v)) for v in row] for row in right_dx(dh, w)], dtype=object)

    result = check_single_channel_dx(ints)
    assert result.diagnosis == "integer", result  # the first problem's right values are not whole numbers

    def ints_on_integers(dh, w):
        answer = right_dx(dh, w)
        return ints(dh, w) if np.issubdtype(dh.dtype, np.integer) else answer

    assert check_single_channel_dx(ints_on_integers)


def test_integers_beyond_int64_are_read():
    def huge(dh, w):
        answer = as_objects(Fraction)(dh, w)
        answer[0, 0] = 2 ** 70
        return answer

    result = check_single_channel_dx(huge)
    assert result.diagnosis == "values" and "got 1.181e+21" in result.message, result

    def enormous(dh, w):
        answer = as_objects(float)(dh, w)
        answer[1, 1] = 10 ** 400
        return answer

    result = check_single_channel_dx(enormous)
    assert result.diagnosis == "not-finite", result
    assert result.message == ("dL/dx holds an integer of 401 digits, too large for a float: look for a product or a "
                              "power that grows without bound")


def test_a_signalling_nan_is_refused_in_one_sentence():
    def snan(dh, w):
        answer = as_objects(Decimal)(dh, w)
        answer[0, 0] = Decimal("sNaN")
        return answer

    result = check_single_channel_dx(snan)
    assert result.diagnosis == "not-numbers" and "cannot be read as floats (ValueError:" in result.message, result


def test_exact_numbers_in_a_tuple_of_gradients():
    def exact(dh, x, w):
        dx, dw, db = H.conv2d_backward(dh, x, w)
        return (np.vectorize(Fraction, otypes=[object])(dx), np.vectorize(Decimal, otypes=[object])(dw),
                [Fraction(v) for v in db])

    assert check_question_backward(exact)


@pytest.fixture
def sympy():
    return pytest.importorskip("sympy")


def test_sympy_numbers_are_judged_by_value(sympy):
    assert check_single_channel_dx(as_objects(sympy.Float))
    assert check_single_channel_dx(as_objects(lambda v: sympy.Rational(Fraction(v))))
    assert check_single_channel_dx(lambda dh, w: sympy.Matrix(right_dx(dh, w)))


def test_sympy_symbols_are_refused_in_one_sentence(sympy):
    a = sympy.Symbol("a")

    def symbolic(dh, w):
        answer = as_objects(sympy.Float)(dh, w)
        answer[0, 0] = a + 1
        return answer

    result = check_single_channel_dx(symbolic)
    assert result.diagnosis == "not-numbers", result
    assert result.message == ("dL/dx holds sympy expressions (Add), not numbers: give the symbols values "
                              "(expr.subs(...)) or compute with numbers")


# ---- the learner's line, even when a library raises ------------------------------------------------------------

def test_a_library_error_names_the_learners_call():
    signal_module = pytest.importorskip("scipy.signal")

    def my_backward(dh, x, w):
        dx = signal_module.convolve2d(dh, w[0], mode="full")  # 3-D arrays: SciPy refuses them
        return dx, None, None

    result = check_question_backward(my_backward)
    assert result.diagnosis == "raised", result
    assert result.message.startswith("`my_backward` raised ValueError: ")
    assert result.message.endswith("(in my_backward, line "
                                   f"{my_backward.__code__.co_firstlineno + 1}: "
                                   "`dx = signal_module.convolve2d(dh, w[0], mode=\"full\")  # 3-D arrays: SciPy "
                                   "refuses them`)"), result.message


def test_numpys_errors_name_the_learners_call_too():
    def my_dx(dh, w):
        padded = np.pad(dh, ((1, 1), (1, 1), (1, 1)))  # three pairs for a 2-D array
        return H.correlate2d(padded, w[::-1, ::-1])

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised" and "(in my_dx, line " in result.message, result
    assert result.message.endswith(": `padded = np.pad(dh, ((1, 1), (1, 1), (1, 1)))  # three pairs for a 2-D "
                                   "array`)")


def test_the_innermost_line_of_the_learners_own_code_is_named():
    def pad_it(dh):
        return np.pad(dh, "nonsense")

    def my_dx(dh, w):
        return H.correlate2d(pad_it(dh), w)

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised" and "(in pad_it, line " in result.message, result


def test_a_cached_function_is_told_about_its_cache_not_its_signature():
    @functools.lru_cache
    def my_dx(dh, w):
        return right_dx(dh, w)

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised", result
    assert "cannot be called as" not in result.message
    assert result.message == ("`my_dx` raised TypeError: unhashable type: 'numpy.ndarray'; functools.lru_cache (and "
                              "functools.cache) need hashable arguments and NumPy arrays are not: remove the "
                              "decorator")


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def test_a_wrapped_function_is_called_through_its_wrapper():
    assert check_single_channel_dx(logged(right_dx))

    @logged
    def my_dx(dh, w):
        return dh[10]  # an error inside: raised, not a signature

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised" and "(in my_dx, line " in result.message, result


def test_a_wrapped_stub_is_not_written_yet():
    @logged
    def my_dx(dh, w):
        raise NotImplementedError

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "not-written", result


def test_a_wrong_signature_is_told_through_a_wrapper_and_without_one():
    @logged
    def my_dx(dh):
        return dh

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "signature", result
    assert result.message.startswith("`my_dx` cannot be called as my_dx(dh, w): TypeError:")

    def my_dw(x, dh, w):
        return x

    result = check_single_channel_dw(my_dw)
    assert result.diagnosis == "signature" and "cannot be called as my_dw(x, dh)" in result.message, result


def test_a_type_error_inside_the_function_is_not_a_signature():
    def my_dx(dh, w):
        return len(5)

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "raised" and "TypeError: object of type 'int' has no len()" in result.message, result


# ---- nearly right returns ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, correct", [
    (check_question_backward, lambda dh, x, w: H.conv2d_backward(dh, x, w)),
    (check_layer_backward, lambda dh, x, w, s, p: H.conv2d_backward(dh, x, w, stride=s, padding=p)),
], ids=["question", "layer"])
def test_parts_in_the_wrong_order_are_named(check, correct):
    def dw_first(*args):
        dx, dw, db = correct(*args)
        return dw, dx, db

    result = check(dw_first)
    assert result.diagnosis == "order", result
    assert result.message == "the parts are in the wrong order: you returned (dw, dx, db); `return dx, dw, db`"

    def rotated(*args):
        dx, dw, db = correct(*args)
        return db, dx, dw

    assert check(rotated).message.startswith("the parts are in the wrong order: you returned (db, dx, dw)")


def test_a_one_tuple_is_named():
    def my_dx(dh, w):
        dx = right_dx(dh, w)
        return dx,

    result = check_single_channel_dx(my_dx)
    assert result.diagnosis == "one-tuple", result
    assert result.message == ("dL/dx is a tuple of one array: return the array itself (the comma in `return dx,` "
                              "makes a tuple)")


def test_an_extra_or_a_missing_axis_of_size_1_is_named():
    result = check_single_channel_dx(lambda dh, w: right_dx(dh, w)[:, None, :])
    assert result.diagnosis == "size-1-axis", result
    assert result.message == ("dL/dx has shape (6, 1, 7), expected (6, 7): the right values with an extra axis of "
                              "size 1; drop it, e.g. with np.squeeze(..., axis) or by indexing [0]")

    def drops_a_batch_of_one(dh, x):  # np.squeeze takes the batch axis away when N = 1
        pool = H.layers.MaxPool2D()
        pool.forward(x)
        return np.squeeze(pool.backward(dh))

    result = check_maxpool_backward(drops_a_batch_of_one)
    assert result.diagnosis == "size-1-axis" and "a missing axis of size 1; add it" in result.message, result


def test_an_axis_of_size_1_with_wrong_values_is_a_wrong_shape():
    result = check_single_channel_dx(lambda dh, w: 2 * right_dx(dh, w)[None])
    assert result.diagnosis == "shape", result


def fft_dx(dh, w, real=False):
    """The full convolution of dL/dh with w by the FFT: a product of spectra, zero-padded to the full size."""
    shape = (dh.shape[0] + w.shape[0] - 1, dh.shape[1] + w.shape[1] - 1)
    if real:
        return np.fft.irfft2(np.fft.rfft2(dh, shape) * np.fft.rfft2(w, shape), shape)
    return np.fft.ifft2(np.fft.fft2(dh, shape) * np.fft.fft2(w, shape))


def test_a_complex_answer_with_round_off_imaginary_parts_is_told_to_take_the_real_part():
    result = check_single_channel_dx(fft_dx)
    assert result.diagnosis == "complex-round-off", result
    assert "but its imaginary parts are round-off (at most " in result.message
    assert result.message.endswith("and its real part is right: take the real part, `.real`")
    assert check_single_channel_dx(lambda dh, w: fft_dx(dh, w).real)

    result = check_single_channel_dx(lambda dh, w: fft_dx(dh, w[::-1, ::-1]))  # wrong, and complex
    assert result.diagnosis == "rotated-twice", result
    assert result.message.endswith("; besides, it is complex: take the real part, `.real`")

    result = check_single_channel_dx(lambda dh, w: fft_dx(dh, w) * np.exp(0.1j))  # a real imaginary part
    assert result.diagnosis == "complex" and "largest imaginary part" in result.message, result


def test_a_sparse_matrix_gets_the_toarray_hint():
    sparse = pytest.importorskip("scipy.sparse")

    def my_conv_matrix(x_size, w):
        C = H.conv_matrix((*x_size, 1), w[None, :, :, None])
        return sparse.csr_matrix(C)

    result = check_conv_matrix(my_conv_matrix)
    assert result.diagnosis == "sparse", result
    assert result.message == "C is a SciPy sparse matrix (csr_matrix): make it an array with `.toarray()`"
    assert check_conv_matrix(lambda x_size, w: my_conv_matrix(x_size, w).toarray())
    result = check_conv_matrix(lambda x_size, w: sparse.lil_array(my_conv_matrix(x_size, w)))
    assert result.diagnosis == "sparse" and "(lil_array)" in result.message, result


def test_a_masked_array_with_masked_entries_is_refused():
    result = check_single_channel_dx(lambda dh, w: np.ma.masked_less(right_dx(dh, w), 0))
    assert result.diagnosis == "not-numbers", result
    assert "dL/dx is a masked array with " in result.message and "masked entries: every entry of a gradient has a " \
        "value; return a plain array" in result.message
    assert check_single_channel_dx(lambda dh, w: np.ma.masked_array(right_dx(dh, w))), "nothing masked: an array"


def test_one_shot_iterators_are_named_with_the_right_article():
    result = check_single_channel_dx(lambda dh, w: enumerate(right_dx(dh, w)))
    assert result.diagnosis == "generator" and "dL/dx is an enumerate, which can be read only once" in \
        result.message, result
    result = check_single_channel_dx(lambda dh, w: iter(right_dx(dh, w)))
    assert "dL/dx is an iterator, which can be read only once" in result.message, result
    result = check_question_backward(lambda dh, x, w: enumerate(H.conv2d_backward(dh, x, w)))
    assert result.message == "return the 3 gradients as a tuple (dx, dw, db), not an enumerate", result


# ---- correct answers written in other ways ---------------------------------------------------------------------

def test_an_fft_answer_in_real_arithmetic_passes():
    assert check_single_channel_dx(lambda dh, w: fft_dx(dh, w, real=True))


def test_scipy_signal_answers_pass():
    signal_module = pytest.importorskip("scipy.signal")
    assert check_single_channel_dx(lambda dh, w: signal_module.convolve2d(dh, w, mode="full"))
    assert check_single_channel_dx(lambda dh, w: signal_module.correlate2d(dh, w[::-1, ::-1], mode="full"))
    assert check_single_channel_dw(lambda x, dh: signal_module.correlate2d(x, dh, mode="valid"))
    result = check_single_channel_dx(lambda dh, w: signal_module.convolve2d(dh, w[::-1, ::-1], mode="full"))
    assert result.diagnosis == "rotated-twice", result  # a convolution of the rotated kernel: twice


def einsum_backward(dh, x, w):
    """The question's (dx, dw, db) with einsum over the windows (sliding_window_view)."""
    F, KH, KW, C = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (KH, KW), axis=(0, 1))  # (OH, OW, C, KH, KW)
    dw = np.einsum("uvf,uvcij->fijc", dh, windows)
    dh_pad = np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1), (0, 0)))
    dh_windows = np.lib.stride_tricks.sliding_window_view(dh_pad, (KH, KW), axis=(0, 1))  # (H, W, F, KH, KW)
    dx = np.einsum("yzfij,fijc->yzc", dh_windows, w[:, ::-1, ::-1, :])
    return dx, dw, dh.sum(axis=(0, 1))


def test_an_einsum_answer_passes():
    assert check_question_backward(einsum_backward)


def test_col2im_with_np_add_at_passes():
    def my_col2im(dcols, x_size, kernel, stride):
        (KH, KW), OW = kernel, (x_size[1] - kernel[1]) // stride + 1
        m = np.arange(len(dcols))
        rows = (m // OW * stride)[:, None] + np.repeat(np.arange(KH), KW)[None, :]
        cols = (m % OW * stride)[:, None] + np.tile(np.arange(KW), KH)[None, :]
        dx = np.zeros(x_size)
        np.add.at(dx, (rows, cols), dcols)
        return dx

    assert check_col2im(my_col2im)
