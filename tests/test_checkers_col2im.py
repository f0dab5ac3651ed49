"""check_col2im (notebook 06): a correct answer by helpers.col2im, and one learner mistake per catalogued diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

from checker_answers import assert_named, col2im_loop, mistakes

import helpers as H
from helpers.checkers import check_col2im


def test_col2im_accepts_correct_answers():
    assert check_col2im(lambda d, size, k, s: H.col2im(d, (*size, 1), k, stride=s)[:, :, 0])


def col2im_with(**mistake):
    return lambda *args: col2im_loop(*args, **mistake)


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("overwrite", col2im_with(assign=True), "windows overwrite each other"),
    ("window-order", col2im_with(windows="col"), "wrong window order"),
    ("tap-order", col2im_with(taps="col"), "wrong order inside a window"),
    ("no-stride", col2im_with(step=1), "the windows are placed one pixel apart"),
    ("dropped-rows", col2im_with(crop=True), "dx must have x's shape (H, W)"),
]


@mistakes(MISTAKES)
def test_col2im_names_the_mistake(diagnosis, fn, words):
    assert_named(check_col2im, diagnosis, fn, words)
