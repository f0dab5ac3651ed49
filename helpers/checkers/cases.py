"""What the checkers' problems and mistakes share: the seeded generator, small integers, and the mistakes of dL/dx.

Every checker draws its problems from :func:`seeded_rng` (the same problems on every run) and adds one in
:func:`integers`, a worked example's kind of input.  The checkers of dL/dx share the gather view's
mistakes: a kernel in the wrong orientation (:func:`rotation_mistakes`, worded for both views by
:class:`Views`), a wrong amount of zero-padding (:func:`padding_mistakes`, widths made by
:func:`both_sides`), both computed by :func:`full_correlate`.
"""

from dataclasses import dataclass

import numpy as np

from .. import correlate2d, full_convolve2d
from .result import count

__all__ = ["seeded_rng", "integers", "Views", "rotation_mistakes", "both_sides", "padding_mistakes", "full_correlate"]


def seeded_rng():
    """The checkers' random generator, seeded: the same problems on every run."""
    return np.random.default_rng(20261125)


def integers(rng, shape, low=-3, high=4):
    """Small random integers (a worked example's kind of input)."""
    return rng.integers(low, high, size=shape)


@dataclass(frozen=True)
class Views:
    """The two views of dL/dx as code in an exercise's setting, for the messages about the kernel and the stride.

    A checker sees only the learner's array, not their code, and the two views need the kernel in opposite
    orientations: a kernel the gather view correlates with is the kernel the scatter loop adds, rotated.
    So every message about the orientation names what was used in each view and what each one needs.

    kernel: w with slots for its two spatial axes ("w[{}, {}, :]");  transpose: the method swapping them
    (".transpose(1, 0, 2)");  scatter: the scatter loop's line;  dh: what the gather view correlates.
    """

    kernel: str
    transpose: str
    scatter: str
    dh: str = "the zero-padded dL/dh"

    def k(self, rows, cols):
        """The kernel with these slices on its two spatial axes, as code."""
        return self.kernel.format(rows, cols)

    @property
    def rot(self):
        return self.k("::-1", "::-1")

    @property
    def fix(self):
        return (f"the gather view correlates {self.dh} with the rotated kernel {self.rot}; the scatter loop adds "
                f"the kernel unrotated, `{self.scatter}`")


def rotation_mistakes(views):
    """(key, wrong(w) -> the kernel the gather view used instead of rot180(w), message) in views' setting.

    wrong acts on the first two axes of w (KH, KW, ...).  The scatter loop that adds rot180(wrong(w))
    gives the same answer, so each message names the kernel of both views.
    """
    v = views

    def two_views(what, gather, scatter):
        return f"the kernel is {what}: {gather} in the gather view, or {scatter} in the scatter loop; {v.fix}"

    rot90 = f"the kernel is rotated by 90 degrees (np.rot90); {v.fix}"
    return [
        ("rotated-twice", lambda w: w, f"the kernel is rotated twice, or not at all (both give this dL/dx); {v.fix}"),
        ("rows-only", lambda w: w[::-1, :], two_views("flipped on one axis only", v.k("::-1", ":"), v.k(":", "::-1"))),
        ("columns-only", lambda w: w[:, ::-1], two_views("flipped on one axis only", v.k(":", "::-1"),
                                                         v.k("::-1", ":"))),
        ("transposed", lambda w: w.swapaxes(0, 1), two_views("transposed", "w" + v.transpose, v.rot + v.transpose)),
        ("rotated-90", lambda w: np.rot90(w, 1, axes=(0, 1)), rot90),
        ("rotated-90", lambda w: np.rot90(w, -1, axes=(0, 1)), rot90),
        ("rotated-transposed", lambda w: w[::-1, ::-1].swapaxes(0, 1),
         two_views("transposed", v.rot + v.transpose, "w" + v.transpose)),
    ]


def both_sides(rows, cols):
    """np.pad's widths ((top, bottom), (left, right)) for rows and cols on each side."""
    return (rows, rows), (cols, cols)


def padding_mistakes(KH, KW, fix, dh="dh"):
    """(key, np.pad widths ((top, bottom), (left, right)) of dL/dh, message): the common wrong zero-paddings.

    None (a valid correlation); the same amount on both axes; 1; K or K - 2 (one too many or too few);
    np.pad(dh, (KH - 1, KW - 1)), one pair for both axes.  fix: the right np.pad, as code; dh: the name
    of the padded array.  The messages say which amounts were used.
    """
    def wrong(rows, cols):
        why = {(KH, KW): " (KH and KW, one too many)", (KH - 2, KW - 2): " (KH - 2 and KW - 2, one too few)"}
        return (f"dL/dh is zero-padded by {count(rows, 'row')} and {count(cols, 'column')} on each side"
                f"{why.get((rows, cols), '')}; it needs KH - 1 = {count(KH - 1, 'row')} and KW - 1 = "
                f"{count(KW - 1, 'column')}: {fix}")
    amounts = [(KH - 1, KH - 1), (KW - 1, KW - 1), (1, 1), (KH, KW)] + [(KH - 2, KW - 2)] * (min(KH, KW) >= 2)
    return [  # one pair first: after a crop, it can give what padding by KH - 1 on both axes gives
        ("valid", both_sides(0, 0), "this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by "
                                    f"KH - 1 rows and KW - 1 columns on each side first: {fix}"),
        ("pad-one-pair", ((KH - 1, KW - 1), (KH - 1, KW - 1)),
         f"np.pad({dh}, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after; give one pair per "
         f"axis: {fix}"),
        *(("pad-amount", both_sides(rows, cols), wrong(rows, cols)) for rows, cols in amounts),
    ]


def full_correlate(dh, k, pad=None):
    """Correlate dh, zero-padded by np.pad's widths pad (default: k's size - 1 on each side), with k.

    With k = rot180(w) and the default padding this is dL/dx; anything else is what
    a learner gets who uses k where rot180(w) belongs or pads by the wrong amount.
    """
    if pad is None:
        return full_convolve2d(dh, k[::-1, ::-1])
    return correlate2d(np.pad(dh, pad), k)
