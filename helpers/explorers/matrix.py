"""Explorer of notebook 05: where each weight, input pixel and output sits in the matrix C."""

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from ..geometry import output_size
from ..plotting import SMALLEST_FONT, cell_borders, draw_grid, figure, index_labels, mark_cells, write_in_cells
from ..views.matrix import conv_matrix_pattern
from .controls import Choice, Slider
from .core import Explorer

__all__ = ["conv_matrix_example", "weight_names", "draw_pattern", "conv_matrix_figure", "conv_matrix_explorer"]


def conv_matrix_example():
    """No data: the figure function's defaults are the example."""
    return {}

PICKS = ("weight", "input pixel", "output pixel")
WHITE = ListedColormap(["white"])  # cells that are only numbered, not shaded


def weight_names(kernel):
    """'k11' .. 'kKK': the 1-based names of a single-channel kernel's weights, flat order."""
    return [f"k{i + 1}{j + 1}" for i in range(kernel) for j in range(kernel)]


def draw_pattern(ax, pattern, names, highlight=(), title=""):
    """Draw C symbolically: each nonzero entry is written with its weight's name.

    pattern: (rows, cols) of flat weight indices, -1 for zeros (from
    conv_matrix_pattern);  highlight: [(row, col), ...] cells to emphasise.
    """
    rows, cols = pattern.shape
    shade = np.where(pattern >= 0, 0.25, 0.0)
    for r, c in highlight:
        shade[r, c] = 0.5  # a stronger orange, light enough for black names
    image = ax.imshow(shade, cmap="Oranges", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    image.description = (f"each of the {int((pattern >= 0).sum())} nonzero entries named by its weight"
                         + (f", {len(highlight)} highlighted" if len(highlight) else ""))
    if rows * cols <= 400:
        write_in_cells(ax, np.where(pattern >= 0, np.asarray(names)[pattern], ""), size=SMALLEST_FONT)
    cell_borders(ax, rows, cols)
    for r, c in highlight:
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="tab:red", linewidth=2))
    index_labels(ax, rows, cols, "column = input pixel (y, z), row-major", "row = output (u, v)")
    ax.set_title(title, fontsize=10, y=1, pad=4)


def _counts(size, kernel):
    """How many of each pick there are: {pick: count} for a size x size image and a kernel x kernel kernel."""
    out = output_size(size, kernel)
    return {"weight": kernel * kernel, "input pixel": size * size, "output pixel": out * out}


def conv_matrix_figure(pick="weight", index=0, size=4, kernel=3):
    """Pick a kernel weight, an input pixel (a column of C) or an output (a row of C).

    size: the square image's side;  kernel: the square kernel's side (stride 1,
    no padding, one channel, one filter).  Returns (fig, html text).
    """
    pattern = conv_matrix_pattern((size, size, 1), (1, kernel, kernel, 1))
    out, limits = output_size(size, kernel), _counts(size, kernel)
    if pick not in limits:
        raise ValueError(f"pick must be one of {PICKS}, got {pick!r}")
    if not 0 <= index < limits[pick]:
        raise ValueError(f"the {pick} index must be in 0..{limits[pick] - 1}, got {index}")
    names = weight_names(kernel)
    fig = figure(8.4, 5.4)
    grid = fig.add_gridspec(2, 3, height_ratios=[1.1, 1], left=0.07, right=0.98, top=0.95, bottom=0.08,
                            hspace=0.45, wspace=0.3)
    ax_c = fig.add_subplot(grid[0, :])
    ax_x, ax_h, ax_w = (fig.add_subplot(grid[1, k]) for k in range(3))
    # white grids, each cell numbered with its column (x) or row (h) of C, in black (vmax: no white numbers)
    numbered_x = draw_grid(ax_x, np.arange(size * size).reshape(size, size), "x: pixel → column of C",
                           cmap=WHITE, centred=False, vmax=2 * size * size)
    numbered_x.description = f"each pixel numbered by its column of C, 0 to {size * size - 1}"
    numbered_h = draw_grid(ax_h, np.arange(out * out).reshape(out, out), "h: output → row of C", cmap=WHITE,
                           centred=False, vmax=2 * out * out)
    numbered_h.description = f"each output numbered by its row of C, 0 to {out * out - 1}"
    ax_w.imshow(np.zeros((kernel, kernel)), cmap="Greys", vmin=0, vmax=1).description = "the weights' names"
    write_in_cells(ax_w, np.reshape(names, (kernel, kernel)), size=9)
    ax_w.set_title("w: the kernel's weights", fontsize=10, y=1, pad=4)
    ax_w.set_xticks([])
    ax_w.set_yticks([])

    if pick == "weight":
        cells = [tuple(rc) for rc in np.argwhere(pattern == index)]
        mark_cells(ax_w, [divmod(index, kernel)], color="tab:red")
        text = (f"Weight {names[index]} sits at {len(cells)} places in C, once in each row: "
                f"{', '.join(f'({r}, {c})' for r, c in cells)}. Weight sharing: one number, "
                f"{len(cells)} entries; its gradient is the sum of dL/dC over those entries.")
    elif pick == "input pixel":
        cells = [(r, index) for r in range(out * out) if pattern[r, index] >= 0]
        mark_cells(ax_x, [divmod(index, size)], color="tab:red")
        mark_cells(ax_h, [divmod(r, out) for r, _ in cells], color="tab:red")
        mark_cells(ax_w, [divmod(pattern[r, index], kernel) for r, _ in cells], color="tab:red")  # the taps used
        taps = [names[pattern[r, index]] for r, _ in cells]
        text = (f"Column {index} of C is pixel x{list(divmod(index, size))}. It is read by "
                f"{len(cells)} output{'' if len(cells) == 1 else 's'}, through the "
                f"tap{'' if len(taps) == 1 else 's'} {', '.join(taps) or 'none'}: "
                f"dL/dx{list(divmod(index, size))} = (column {index} of C) · dL/dh = row {index} of Cᵀ · dL/dh.")
    else:
        cells = [(index, c) for c in range(size * size) if pattern[index, c] >= 0]
        mark_cells(ax_h, [divmod(index, out)], color="tab:red")
        mark_cells(ax_x, [divmod(c, size) for _, c in cells], color="tab:red")
        mark_cells(ax_w, [divmod(k, kernel) for k in range(kernel * kernel)], color="tab:red")  # every tap
        text = (f"Row {index} of C is output h{list(divmod(index, out))}: its {len(cells)} nonzeros are the "
                f"kernel laid over its window; every other entry of the row is 0.")
    draw_pattern(ax_c, pattern, names, cells, f"C: {out * out} × {size * size}, "
                 f"{kernel * kernel} distinct weights")
    named = {"weight": lambda: f"weight {names[index]} = w{list(divmod(index, kernel))}",
             "input pixel": lambda: f"pixel x{list(divmod(index, size))}, column {index} of C",
             "output pixel": lambda: f"output h{list(divmod(index, out))}, row {index} of C"}[pick]()
    fig.description = f"Where {named} sits in C, in x, in h and in the kernel"
    return fig, text


def conv_matrix_explorer(size=4, kernel=3):
    """Pick what to locate in C, then which one."""
    limits = _counts(size, kernel)
    pick = Choice("pick", PICKS)
    index = Slider("index", 0, limits["weight"] - 1)

    def resize(controls, change):
        if change["owner"] is pick:
            index.max = limits[change["new"]] - 1

    return Explorer(lambda **s: conv_matrix_figure(size=size, kernel=kernel, **s),
                    {"pick": pick, "index": index}, adjust=resize,
                    label="Explorer: where a weight, an input pixel or an output sits in C")
