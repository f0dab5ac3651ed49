"""check_conv_matrix (notebook 05): helpers.conv_matrix passes, and one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

from checker_answers import assert_named, build_C, mistakes

import helpers as H
from helpers.checkers import check_conv_matrix


def test_conv_matrix_accepts_correct_answers():
    assert check_conv_matrix(lambda size, w: H.conv_matrix((*size, 1), w[None, :, :, None]))


def C_with(row=None, col=None):
    def fn(size, w):
        (Hx, Wx), (KH, KW) = size, w.shape
        OH, OW = Hx - KH + 1, Wx - KW + 1
        return build_C(size, w, row=row and (lambda u, v: row(u, v, OH, OW)),
                       col=col and (lambda y, z: col(y, z, Hx, Wx)))
    return fn


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("transposed", lambda size, w: build_C(size, w).T, "you built the transpose"),
    ("rotated", lambda size, w: build_C(size, w[::-1, ::-1]), "the kernel is rotated"),
    ("column-major", C_with(row=lambda u, v, OH, OW: v * OH + u, col=lambda y, z, Hx, Wx: z * Hx + y),
     "rows and columns are in column-major order"),
    ("column-major-columns", C_with(col=lambda y, z, Hx, Wx: z * Hx + y), "the columns are in column-major order"),
    ("column-major-rows", C_with(row=lambda u, v, OH, OW: v * OH + u), "the rows are in column-major order"),
    ("pixel-index-H", C_with(col=lambda y, z, Hx, Wx: y * Hx + z), "not y * H + z"),
    ("output-index-OH", C_with(row=lambda u, v, OH, OW: u * OH + v), "not u * OH + v"),
]


@mistakes(MISTAKES)
def test_conv_matrix_names_the_mistake(diagnosis, fn, words):
    assert_named(check_conv_matrix, diagnosis, fn, words)
