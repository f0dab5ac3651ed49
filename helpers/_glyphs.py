"""Many short labels as one artist of glyph outlines (private: helpers.plotting calls `glyph_labels`).

An explorer redraws figures with hundreds of short labels (cell values, row
and column numbers) on every slider move.  As Text artists, matplotlib lays
out and rasterises each one separately, about 1 ms apiece.  Here a label is
the outlines of its characters placed side by side: each character's outline
and advance are read from the font once, so a label never seen before (a new
cell value) costs a few array operations, and all the labels of a group are
filled as one PathCollection.  Characters are placed by their advances,
without kerning (the digits, signs and short names written here have none
that shows).
"""

from functools import cache, lru_cache

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.path import Path
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D, Bbox

__all__ = ["glyph_labels"]

try:  # matplotlib >= 3.10
    from matplotlib.ft2font import LoadFlags

    NO_HINTING = LoadFlags.NO_HINTING
except ImportError:  # matplotlib 3.8 and 3.9: a module constant (deprecated from 3.10)
    from matplotlib.ft2font import LOAD_NO_HINTING as NO_HINTING

FONT_SCALE = TextToPath.FONT_SCALE  # points: outlines are read at this size, then scaled
_TEXT_TO_PATH = TextToPath()


@cache
def _glyph(char):
    """(vertices (n, 2), codes (n,), extent (x0, y0, x1, y1), advance) of one character at FONT_SCALE points.

    The origin is the start of the character on the baseline; points are 1/72 inch.
    """
    prop = FontProperties()
    vertices, codes = _TEXT_TO_PATH.get_text_path(prop, char)
    vertices, codes = np.asarray(vertices, dtype=float).reshape(-1, 2), np.asarray(codes, dtype=np.uint8)
    font = get_font(findfont(prop))
    font.set_size(FONT_SCALE, 72)
    advance = font.load_char(ord(char), flags=NO_HINTING).linearHoriAdvance / 65536
    extent = tuple(Path(vertices, codes).get_extents().extents) if len(codes) else (0.0, 0.0, 0.0, 0.0)
    return vertices, codes, extent, advance


@lru_cache(maxsize=4096)
def _outline(text):
    """(vertices (n, 2), codes (n,), extent (x0, y0, x1, y1)) of `text` at FONT_SCALE points on one baseline."""
    vertices, codes, extents, x = [], [], [], 0.0
    for char in text:
        v, c, (x0, y0, x1, y1), advance = _glyph(char)
        if len(c):
            vertices.append(v + (x, 0.0))
            codes.append(c)
            extents.append((x + x0, y0, x + x1, y1))
        x += advance
    if not codes:
        return np.empty((0, 2)), np.empty(0, dtype=np.uint8), (0.0, 0.0, 0.0, 0.0)
    lows, highs = np.min(extents, axis=0)[:2], np.max(extents, axis=0)[2:]
    return np.concatenate(vertices), np.concatenate(codes), (*lows, *highs)


_SHIFT = {"center": lambda lo, hi: -(lo + hi) / 2, "left": lambda lo, hi: -lo, "right": lambda lo, hi: -hi,
          "bottom": lambda lo, hi: -lo, "top": lambda lo, hi: -hi}


@lru_cache(maxsize=8192)
def _label(text, size, ha, va, rotation):
    """(Path in points, corners (2, 2) of its extent): `text` at `size` points, turned by rotation, aligned."""
    vertices, codes, (x0, y0, x1, y1) = _outline(text)
    turn = Affine2D().scale(size / FONT_SCALE).rotate_deg(rotation)
    vertices = turn.transform(vertices) if len(codes) else vertices
    corners = turn.transform([(x0, y0), (x0, y1), (x1, y0), (x1, y1)])
    lows, highs = corners.min(axis=0), corners.max(axis=0)
    shift = np.array([_SHIFT[ha](lows[0], highs[0]), _SHIFT[va](lows[1], highs[1])])
    return Path(vertices + shift, codes), np.array([lows + shift, highs + shift])


class GlyphLabels(PathCollection):
    """Labels drawn as glyph outlines at offsets; reports its true extent.

    A plain PathCollection reports an empty extent here, so tight bounding
    boxes and constrained layout would ignore (and clip) the labels.
    ``font_size``: points;  ``sizes_pt``: (n, 2) width and height of each label, in points.
    """

    def __init__(self, paths, corners, font_size, **kwargs):
        super().__init__(paths, **kwargs)
        self.font_size = font_size
        self.corners_pt = corners  # (n, 2, 2): each label's lowest and highest corner, in points
        self.sizes_pt = corners[:, 1] - corners[:, 0]

    def get_window_extent(self, renderer=None):
        if not len(self.corners_pt):
            return Bbox.null()
        offsets = self.get_offset_transform().transform(self.get_offsets())  # (n, 2) pixels
        corners = self.get_transform().transform(self.corners_pt.reshape(-1, 2)).reshape(-1, 2, 2)
        return Bbox([(offsets + corners[:, 0]).min(axis=0), (offsets + corners[:, 1]).max(axis=0)])


def glyph_labels(ax, xy, texts, *, size, colors="black", transform=None, ha="center", va="center",
                 rotation=0, clip=True):
    """Write texts[k] at xy[k] (data coordinates unless `transform`) as one artist, added to ax.

    xy: (n, 2);  texts: n strings;  size: points;  colors: one colour or n;
    ha: "left", "center" or "right";  va: "bottom", "center" or "top";
    rotation: degrees.  Returns the GlyphLabels artist.
    """
    labels = [_label(str(text), float(size), ha, va, float(rotation)) for text in texts]
    corners = np.array([c for _, c in labels]).reshape(-1, 2, 2)
    artist = GlyphLabels([p for p, _ in labels], corners, float(size),
                         offsets=np.asarray(xy, dtype=float).reshape(-1, 2), offset_transform=transform or ax.transData,
                         transform=Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans,  # points -> pixels
                         facecolors=colors, edgecolors="none", linewidths=0)
    artist.set_clip_on(clip)
    ax.add_collection(artist, autolim=False)
    return artist
