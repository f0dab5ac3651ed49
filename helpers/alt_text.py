"""A figure's text alternative, made from its own data: :func:`describe`.

It reads a matplotlib figure's artists, not its pixels: each panel's title,
every grid's shape, extremes and outlined cells, every line's style, range
and highest point, bars, images and axis labels.  So the text says what the
figure says, from the same numbers, and it changes whenever the figure does
(helpers.accessible shows a figure with it as the image's ``alt``).
"""

import numpy as np
from matplotlib.collections import QuadMesh
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

__all__ = ["describe", "panels", "COLOUR_BAR"]

COLOUR_BAR = "colour bar"  # the label of an Axes that only holds a colour bar (helpers.plotting.colour_bar)


def _num(value):
    """A number as a reader hears it: whole numbers plain, others to 3 significant digits."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def _cells(ax):
    """The grid drawn in ax as (values (rows, cols), first row/col number, its own words or ""), or None.

    An artist's ``cell_origin`` is the number of its first row and column
    (helpers.plotting.draw_grid sets it); its ``description``, when set, says
    what its colours mean instead of their values (a shading, a layout).
    """
    for artist in [*ax.collections, *ax.images]:
        if isinstance(artist, QuadMesh):
            rows, cols = np.subtract(artist.get_coordinates().shape[:2], 1)
        elif isinstance(artist, AxesImage) and np.ndim(artist.get_array()) == 2:
            rows, cols = np.shape(artist.get_array())
        else:
            continue
        values = np.ma.filled(np.ma.asarray(artist.get_array(), dtype=float), np.nan).reshape(rows, cols)
        return values, getattr(artist, "cell_origin", 0), getattr(artist, "description", "")
    return None


def _describe_grid(values, origin, said=""):
    rows, cols = values.shape
    text = f"{_a(rows)} {rows} × {cols} grid"
    if said:
        return f"{text}: {said}"
    if values.size == 0 or np.all(np.isnan(values)):
        return text
    low, high = np.nanmin(values), np.nanmax(values)
    if low == high:
        return f"{text}, every value {_num(low)}"

    def where(value):
        r, c = np.argwhere(values == value)[0]
        return f"row {r + origin}, col {c + origin}"

    return f"{text}, values from {_num(low)} ({where(low)}) to {_num(high)} ({where(high)})"


def _listed(numbers):
    """'0', '0 and 3', '0, 3 and 6'."""
    numbers = [str(n) for n in numbers]
    return ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]


def _cells_in_words(cells, shape, origin, most=12):
    """Outlined cells [(row, col), ...] in words: whole rows and columns named as such, then the rest."""
    rows, cols = shape
    numbers = lambda n: range(origin, origin + n)  # noqa: E731
    full_rows = [r for r in numbers(rows) if all((r, c) in cells for c in numbers(cols))]
    full_cols = [c for c in numbers(cols) if all((r, c) in cells for r in numbers(rows))]
    rest = [(r, c) for r, c in cells if r not in full_rows and c not in full_cols]
    words = []
    if full_rows or full_cols:
        lines = [f"row{'s' if len(full_rows) > 1 else ''} {_listed(full_rows)}" if full_rows else "",
                 f"column{'s' if len(full_cols) > 1 else ''} {_listed(full_cols)}" if full_cols else ""]
        words.append("every cell of " + " and of ".join(filter(None, lines)))
    if len(rest) == 1:
        words.append(f"cell {rest[0]}")
    elif len(rest) <= most and rest:
        words.append(f"{len(rest)} cells " + ", ".join(map(str, rest)))
    elif rest:
        words.append(f"{len(rest)} cells in rows {_listed(sorted({r for r, _ in rest}))}")
    return words


def _outlines(ax, origin, shape):
    """'outlined: ...' for the cells and blocks outlined by unfilled rectangles, in the grid's numbering; or ''."""
    cells, blocks = [], []
    for patch in ax.patches:
        if not isinstance(patch, Rectangle) or patch.get_fill() or not patch.get_visible():
            continue
        x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
        c0, c1 = round(x + 0.5) + origin, round(x + w - 0.5) + origin
        r0, r1 = round(y + 0.5) + origin, round(y + h - 0.5) + origin
        if (r0, c0) == (r1, c1):
            cells.append((r0, c0))
        else:
            blocks.append(f"rows {r0}-{r1}, cols {c0}-{c1}")
    cells, blocks = list(dict.fromkeys(cells)), list(dict.fromkeys(blocks))  # nested outlines: named once
    named = [f"block {b}" for b in blocks] + _cells_in_words(cells, shape, origin)
    return "outlined: " + "; ".join(named) if named else ""


def _a(n):
    """'a' or 'an' before the number n, as it is spoken."""
    return "an" if str(n).startswith("8") or n in (11, 18) or 11000 <= n < 12000 or 18000 <= n < 19000 else "a"


_STYLES = {"-": "solid", "--": "dashed", "-.": "dash-dot", ":": "dotted"}
_MARKERS = {"o": "circles", "s": "squares", "^": "triangles", "v": "down triangles", "D": "diamonds",
            "x": "crosses", "+": "plus signs", "*": "stars", ".": "dots"}


def _line_style(line):
    style = _STYLES.get(line.get_linestyle(), "")
    marker = _MARKERS.get(str(line.get_marker()), "")
    return " ".join(filter(None, [f"{style} line" if style else "", f"with {marker}" if marker else ""])) \
        or "points"


def _describe_line(line):
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    label = line.get_label()
    name = f'"{label}"' if label and not label.startswith("_") else "a series"
    if len(x) == 0:
        return ""
    if len(set(x)) == 1 and len(x) == 2 or len(set(y)) == 1 and len(y) == 2:
        return ""  # a reference line (axhline, axvline): named by its label in the legend, if any
    top = int(np.nanargmax(y))
    return (f"{name}, {_line_style(line)}, {len(x)} points from ({_num(x[0])}, {_num(y[0])}) "
            f"to ({_num(x[-1])}, {_num(y[-1])}), highest {_num(y[top])} at {_num(x[top])}")


def _describe_bars(ax, bars):
    """'n bars: name value, ...', each bar named by its tick label (or its position)."""
    if getattr(bars, "orientation", "vertical") == "horizontal":
        ticks, names = ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]
        places = [bar.get_y() + bar.get_height() / 2 for bar in bars]
        sizes = [bar.get_width() for bar in bars]
    else:
        ticks, names = ax.get_xticks(), [t.get_text() for t in ax.get_xticklabels()]
        places = [bar.get_x() + bar.get_width() / 2 for bar in bars]
        sizes = [bar.get_height() for bar in bars]
    by_place = dict(zip(np.round(ticks, 6), names))
    labels = [by_place.get(round(place, 6)) or _num(place) for place in places]
    return f"{len(bars)} bars: " + ", ".join(f"{label} {_num(size)}" for label, size in zip(labels, sizes))


def _describe_axes(ax):
    """One panel, in words."""
    title = " ".join(" ".join(ax.get_title(loc).split()) for loc in ("left", "center", "right") if ax.get_title(loc))
    parts = []
    grid = _cells(ax)
    if grid is not None:
        values, origin, said = grid
        parts += [_describe_grid(values, origin, said), _outlines(ax, origin, values.shape)]
    for container in ax.containers:
        if isinstance(container, BarContainer):
            parts.append(_describe_bars(ax, container))
    lines = [d for d in map(_describe_line, ax.lines) if d]
    if lines:
        parts.append("; ".join(lines))
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    if lines or any(isinstance(c, BarContainer) for c in ax.containers):
        axes = [f"x: {xlabel}" if xlabel else "", f"y: {ylabel}" if ylabel else ""]
        axes += [f"{name} axis logarithmic" for name, scale in (("x", ax.get_xscale()), ("y", ax.get_yscale()))
                 if scale == "log"]
        parts.append(", ".join(filter(None, axes)))
    if not parts and not getattr(ax.figure, "description", ""):  # a diagram: its words are its content
        words = [" ".join(t.get_text().split()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
        parts.append("; ".join(words))
    return title, "; ".join(p for p in parts if p)


def panels(fig):
    """The Axes of fig that are panels: visible, and not a colour bar."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != COLOUR_BAR
            and not hasattr(ax, "_colorbar")]


def describe(fig):
    """A text alternative for fig, made from its artists' data: what each panel shows and its values that matter.

    fig.description, when set, is the first sentence (what the figure is about).
    """
    described = [(title, body) for title, body in map(_describe_axes, panels(fig)) if title or body]
    lead = getattr(fig, "description", "").strip()
    if not described:
        text = ""
    elif len(described) == 1:
        title, body = described[0]
        text = f'"{title}": {body}' if title else body
    else:
        named = [(f'Panel {k}, "{title}"' if title else f"Panel {k}", body)
                 for k, (title, body) in enumerate(described, 1)]
        text = f"{len(described)} panels. " + " ".join(f"{name}: {body}." for name, body in named)
    return " ".join(part.rstrip(".") + "." for part in (lead, text) if part)
