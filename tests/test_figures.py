"""Figure layout: no label clipped by the figure's edge, none on top of another label or of a neighbouring panel.

The small grids write their numbers and axis names as glyph outlines (one
PathCollection per group, see helpers/_glyphs.py); their extents are computed
here from the glyph paths and offsets, independently of the artists' own
get_window_extent.  Each figure function is drawn at the states the
notebooks show, and checked both as the explorers render it (fixed margins)
and as the inline backend stores it (bbox_inches="tight").
"""

import itertools
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.transforms import Bbox

from helpers import conv_matrix_pattern, plotting
from helpers import explorers as E
from helpers.diagrams import question_layer_figure
from helpers.explorers import speed

EXAMPLES = {name: entry.example() for name, entry in E.EXPLORERS.items()}
X2, W2, DH2 = (EXAMPLES["single_channel"][k] for k in ("x", "w", "dh"))
W16, DH16 = (EXAMPLES["multi_filter"][k] for k in ("w", "dh"))
rng = np.random.default_rng(0)
GAP = 1.0  # points between two labels, at least


def example_figure(name, **state):
    """The registry's explorer `name` drawn on its example data, at `state` (default: the figure function's)."""
    return E.EXPLORERS[name].figure(**EXAMPLES[name], **state)[0]


EXPLORER_FIGURES = {  # every explorer of the registry at its default state, then states the notebooks show
    **{f"{entry.notebook} {name}": partial(example_figure, name) for name, entry in E.EXPLORERS.items()},
    "01 output view": partial(example_figure, "single_channel", view="output", row=1, col=2),
    "01 input view": partial(example_figure, "single_channel", view="input", row=2, col=3),
    "03 running sum": partial(example_figure, "multi_filter", f=15),
    "04 stride 2": partial(example_figure, "stride_padding", size=8, kernel=3, stride=2, padding=0, dilation=1),
    "04 padded, dilated": partial(example_figure, "stride_padding", size=8, kernel=2, stride=3, padding=1,
                                  dilation=2),
    "04 largest": partial(example_figure, "stride_padding", size=12, kernel=5, stride=1, padding=3, dilation=1),
    "05": partial(example_figure, "conv_matrix", pick="input pixel", index=5),
    "07": partial(example_figure, "prediction", index=1),
    "06 time phases": lambda: _phases_figure(),
}
FIGURES = {
    **EXPLORER_FIGURES,
    "03 shares": lambda: E.filter_shares_figure(DH16, W16, channel=0),
    "00 layer": question_layer_figure,
    "05 pattern, constrained": lambda: _pattern_figure(),
    "07 filters, constrained": lambda: _filters_figure(),
}


def _phases_figure():
    """Notebook 06's explorer figure at its widest labels, on made-up timings (the layout does not depend on them)."""
    times = dict(zip(E.PHASES, [0.9, 1.2, 0.8, 0.7, 0.6]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(speed, "time_phases", lambda size, channels: (times, {"x": 1e6, "cols": 9e6}))
        return E.time_phases_figure(size=48, channels=32)[0]


def _pattern_figure():
    """Notebook 05's first figure: C drawn symbolically in a constrained layout."""
    fig, ax = plt.subplots(figsize=(8.4, 2.6), layout="constrained")
    pattern = conv_matrix_pattern((4, 4, 1), (1, 3, 3, 1))
    E.draw_pattern(ax, pattern, E.weight_names(3), title="C for a 4 × 4 image and a 3 × 3 kernel")
    return fig


def _filters_figure():
    """Notebook 07's filters before and after training: 2 x 8 small grids in a constrained layout."""
    fig, axes = plt.subplots(2, 8, figsize=(8.4, 2.9), layout="constrained")
    for f, ax in enumerate(axes.flat):
        plotting.draw_grid(ax, rng.normal(size=(3, 3)), f"filter {f % 8}", annotate=False, axis_names=False)
    return fig


def label_boxes(fig):
    """(axes, unclipped, Bbox in pixels) of every glyph-label collection, from its paths and offsets."""
    boxes = []
    for ax in fig.axes:
        for artist in ax.collections:
            if not isinstance(artist, PathCollection):  # the glyph labels; grids and borders are other artists
                continue
            offsets = artist.get_offset_transform().transform(artist.get_offsets())
            scale = artist.get_transform()
            for path, offset in zip(artist.get_paths(), offsets):
                corners = scale.transform(path.get_extents().get_points()) + offset
                boxes.append((ax, not artist.get_clip_on(), Bbox(corners)))
    return boxes


def text_boxes(fig, renderer):
    """(axes, Bbox) of every visible title, Text artist, tick label and axis label."""
    boxes = []
    for ax in fig.axes:
        axes_texts = [*drawn_tick_labels(ax.xaxis), *drawn_tick_labels(ax.yaxis), ax.xaxis.label, ax.yaxis.label]
        for text in [ax.title, *ax.texts, *(axes_texts if ax.axison else [])]:
            if text.get_visible() and text.get_text():
                boxes.append((ax, text.get_window_extent(renderer)))
    return boxes


def drawn_tick_labels(axis):
    """The visible tick labels of an axis whose ticks lie within its view limits (the others are not drawn)."""
    low, high = sorted(axis.get_view_interval())
    ticks = [tick for tick in axis.get_major_ticks() if low - 1e-9 <= tick.get_loc() <= high + 1e-9]
    return [label for tick in ticks for label in (tick.label1, tick.label2) if label.get_visible()]


def within(outer, box):
    return outer.x0 <= box.x0 and box.x1 <= outer.x1 and outer.y0 <= box.y0 and box.y1 <= outer.y1


def overlap(a, b, gap=0.0):
    """Whether two pixel boxes intersect, or come closer than `gap` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def draw(name):
    fig = FIGURES[name]()
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


@pytest.mark.parametrize("name", FIGURES)
def test_no_label_is_clipped_by_the_figure(name):
    fig, renderer = draw(name)
    inside = fig.bbox.padded(0.5)
    for ax, unclipped, box in label_boxes(fig):
        assert not unclipped or within(inside, box), (ax.get_title(), box)
    for ax, box in text_boxes(fig, renderer):
        assert within(inside, box), (ax.get_title(), box)
    plt.close(fig)


@pytest.mark.parametrize("name", FIGURES)
def test_labels_do_not_touch_each_other_or_other_panels(name):
    """Row and column numbers, "row"/"col" names and titles: apart from each other and off other panels."""
    fig, renderer = draw(name)
    gap = GAP * fig.dpi / 72
    outside = [(ax, box) for ax, unclipped, box in label_boxes(fig) if unclipped] + text_boxes(fig, renderer)
    for (ax_a, a), (ax_b, b) in itertools.combinations(outside, 2):
        assert not overlap(a, b, gap), (ax_a.get_title(), a, ax_b.get_title(), b)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    for ax, box in outside:
        for other in panels:
            if other is not ax:
                assert not overlap(box, other.bbox), (ax.get_title(), box, other.get_title())
    plt.close(fig)


@pytest.mark.parametrize("name", ["01 output view", "05", "03 shares"])
def test_tight_bounding_box_keeps_the_labels(name):
    """The inline backend stores figures cropped to fig.get_tightbbox: the labels must be inside it."""
    fig, renderer = draw(name)
    tight = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans).padded(1)
    for ax, unclipped, box in label_boxes(fig):
        assert not unclipped or within(tight, box), (ax.get_title(), box)
    plt.close(fig)


def test_padded_grid_is_numbered_as_the_input(monkeypatch):
    """Notebook 04's left panel numbers the padded input as x is: padding p = 1 starts at row -1."""
    written = []
    original = plotting.glyph_labels

    def spy(ax, xy, texts, **kwargs):
        written.append((ax, list(texts)))
        return original(ax, xy, texts, **kwargs)

    monkeypatch.setattr(plotting, "glyph_labels", spy)
    fig, _ = E.stride_padding_figure(size=8, kernel=2, stride=3, padding=1, dilation=2)
    left = [texts for ax, texts in written if ax is fig.axes[0]]
    assert [str(k) for k in range(-1, 9)] in left  # the row (and column) numbers: -1 .. 8
    right = [texts for ax, texts in written if ax is fig.axes[2]]
    assert [str(k) for k in range(8)] in right
    plt.close(fig)


def test_running_sum_view_draws_each_share_on_its_own_scale():
    fig, text = E.multi_filter_figure(DH16, W16, f=3)
    share = E.filter_shares(DH16, W16)[3]
    total = E.filter_shares(DH16, W16).sum(axis=0)
    top, bottom = fig.axes[0].collections[0].get_clim(), fig.axes[3].collections[0].get_clim()  # the meshes
    assert np.allclose(top, (-np.abs(share).max(), np.abs(share).max()))
    assert np.allclose(bottom, (-np.abs(total).max(), np.abs(total).max()))
    assert f"±{np.abs(share).max():.2f}" in text
    plt.close(fig)


def test_sixteen_shares_have_two_colour_bars():
    fig = E.filter_shares_figure(DH16, W16)
    bars = [child for ax in fig.axes for child in ax.child_axes]  # the colour bars, inset in the spare panel
    assert len(bars) == 2
    shares = E.filter_shares(DH16, W16)[..., 0]
    limits = sorted(bar.get_ylim()[1] for bar in bars)
    assert np.allclose(limits, sorted([np.abs(shares).max(), np.abs(shares.sum(axis=0)).max()]))
    plt.close(fig)


@pytest.mark.parametrize("name", EXPLORER_FIGURES)
def test_explorer_text_is_at_least_10_css_pixels_and_the_figure_fits_the_output_area(name):
    """Shown at SCREEN_DPI CSS pixels per inch, no text is under 10 px and no figure wider than the output area
    of a 1280 x 800 window with JupyterLab's file browser open."""
    from matplotlib.text import Text

    from helpers._glyphs import GlyphLabels

    fig = FIGURES[name]()
    fig.canvas.draw()  # tick labels exist once drawn
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    sizes = [t.get_fontsize() for t in texts] + [g.font_size for g in fig.findobj(GlyphLabels)]
    assert texts and min(sizes) * plotting.SCREEN_DPI / 72 >= 10, min(sizes)
    assert fig.get_size_inches()[0] <= plotting.WIDEST


def test_grid_figures_are_copies_of_one_blank_layout():
    """grid_figure unpickles a kept blank figure: each call gets its own, drawn like a new one."""
    first, axes = plotting.grid_figure(3, nrows=2, size=1.5)
    plotting.draw_grid(axes[0, 0], np.eye(3), "drawn")
    second, fresh = plotting.grid_figure(3, nrows=2, size=1.5)
    assert second is not first and fresh.shape == (2, 3) and not fresh[0, 0].collections
    boxes = [[a.get_position(original=True).bounds for a in grid.flat] for grid in (axes, fresh)]
    assert boxes[0] == boxes[1]
    assert fresh[0, 0].figure is second and second.get_size_inches().tolist() == [4.5, 3.4]


def test_every_static_figure_is_stored_in_the_notebooks_as_a_png():
    """Each show(...) call before an explorer leaves a PNG in the stored outputs, for readers without a kernel."""
    import json
    import re
    from pathlib import Path

    for path in sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            calls = len(re.findall(r"^show\(", "".join(cell["source"]), flags=re.M))
            if cell["cell_type"] == "code" and calls:
                pngs = sum("image/png" in output.get("data", {}) for output in cell["outputs"])
                assert pngs == calls, (path.name, "".join(cell["source"])[:80])


def test_running_sum_view_has_a_colour_bar_per_row_and_writes_the_shares():
    """Notebook 03's explorer: each row's colour bar spans that row's scale; the shares' values are written."""
    from helpers._glyphs import GlyphLabels

    fig, _ = E.multi_filter_figure(DH16, W16, f=3)
    share_max = np.abs(E.filter_shares(DH16, W16)[3]).max()
    total_max = np.abs(E.filter_shares(DH16, W16).sum(axis=0)).max()
    panels, bars = fig.axes[:6], fig.axes[6:]
    assert len(bars) == 2
    for bar, limit in zip(bars, (share_max, total_max)):
        assert np.allclose(bar.get_ylim(), (-limit, limit))
        assert np.allclose(bar.collections[0].get_clim(), (-limit, limit))  # the bar's colours, on that scale
        assert bar.get_position().x0 > panels[2].get_position().x1  # right of the row
    top_left = panels[0]
    values = [g for g in top_left.collections if isinstance(g, GlyphLabels) and len(g.get_paths()) == 25]
    assert values, "the share's 25 values are not written in its cells"
    plt.close(fig)


def test_gather_view_numbers_each_output_and_its_tap_alike():
    """Notebook 01's input view: pair k is numbered k in dL/dh and in w, in the readout's order, in 9 colours."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    fig, text = E.single_channel_figure(X2, W2, DH2, view="input", row=2, col=3)
    ax_w, ax_dh = fig.axes[1], fig.axes[2]

    def numbered(ax):
        """{number: ((row, col), edge colour)} of the labelled outlines."""
        boxes = {t.get_text(): (round(t.get_position()[1] + 0.43), round(t.get_position()[0] + 0.43))
                 for t in ax.texts}
        edges = {(round(p.get_y() + p.get_height() / 2), round(p.get_x() + p.get_width() / 2)):
                 to_hex(p.get_edgecolor()) for p in ax.patches if isinstance(p, Rectangle)}
        return {k: (cell, edges[cell]) for k, cell in boxes.items()}

    in_w, in_dh = numbered(ax_w), numbered(ax_dh)
    assert sorted(in_w, key=int) == [str(k) for k in range(1, 10)] and in_w.keys() == in_dh.keys()
    terms = text.split(" = ")[1].split(" + ")  # 'dh[2, 3]·w[0, 0]', ...
    for k, term in enumerate(terms, start=1):
        (dh_cell, dh_colour), (w_cell, w_colour) = in_dh[str(k)], in_w[str(k)]
        assert term == f"dh[{dh_cell[0]}, {dh_cell[1]}]·w[{w_cell[0]}, {w_cell[1]}]"
        assert dh_colour == w_colour
    assert len({colour for _, colour in in_w.values()}) == 9 and to_hex("tab:gray") not in {c for _, c in in_w.values()}
    plt.close(fig)


def test_overlapping_windows_show_both_outlines():
    """Notebook 04: window 1's tap outlines nest inside window 0's, so a pixel both read shows both."""
    from matplotlib.colors import to_hex

    fig, _ = E.stride_padding_figure(size=8, kernel=3, stride=2, padding=0, dilation=1)
    outlines = {}
    for p in fig.axes[0].patches:
        cell = (round(p.get_y() + p.get_height() / 2), round(p.get_x() + p.get_width() / 2))
        outlines.setdefault(to_hex(p.get_edgecolor()), {})[cell] = p.get_width()
    window_0, window_1 = outlines[to_hex("tab:orange")], outlines[to_hex("tab:purple")]
    assert len(window_0) == len(window_1) == 9
    shared = window_0.keys() & window_1.keys()
    assert shared == {(r, 2) for r in range(3)}  # column 2 is read by both windows
    assert all(window_1[cell] < window_0[cell] - 0.2 for cell in shared)  # nested, both visible
    plt.close(fig)


@pytest.mark.parametrize("pick, index, taps", [("input pixel", 5, {(0, 0), (0, 1), (1, 0), (1, 1)}),
                                               ("input pixel", 0, {(0, 0)}),
                                               ("output pixel", 1, {(i, j) for i in range(3) for j in range(3)})])
def test_conv_matrix_figure_marks_the_taps_used_and_keeps_names_readable(pick, index, taps):
    """Notebook 05: the kernel panel outlines the taps used; x and h are white (their shading meant nothing);
    the highlighted entries of C keep black names on a light orange."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    fig, _ = E.conv_matrix_figure(pick=pick, index=index)
    ax_c, ax_x, ax_h, ax_w = fig.axes
    marked = {(round(p.get_y() + p.get_height() / 2), round(p.get_x() + p.get_width() / 2))
              for p in ax_w.patches if isinstance(p, Rectangle)}
    assert marked == taps
    for ax in (ax_x, ax_h):
        mesh = ax.collections[0]
        assert {tuple(c) for c in mesh.to_rgba(np.ravel(mesh.get_array()))[:, :3]} == {(1.0, 1.0, 1.0)}
    names = [g for g in ax_c.collections if hasattr(g, "font_size")][-1]
    assert {tuple(c[:3]) for c in names.get_facecolors()} == {to_rgb("black")}
    shade = ax_c.images[0]
    strongest = shade.cmap(shade.norm(shade.get_array().max()))
    assert 0.299 * strongest[0] + 0.587 * strongest[1] + 0.114 * strongest[2] > 0.5  # light: black reads on it
    plt.close(fig)


def test_prediction_readout_says_dx_is_small_only_when_sure_and_right():
    model, images, labels = (EXAMPLES["prediction"][k] for k in ("model", "images", "labels"))
    fig, text = E.prediction_figure(model, images, labels, index=1)
    probs, _ = E.input_gradient(model, images[1], labels[1])
    assert "sure <i>and right</i>" in text and f"(here {probs[1]:.2f})" in text
    plt.close(fig)


# ---- read by everyone: text size as shown, contrast of the numbers in cells, no series told by colour alone --------

@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_reads_at_the_size_it_is_shown(name):
    """No text under 10 CSS px as shown in JupyterLab's output area (a figure wider than the area is shrunk to
    fit), and no line series told apart by colour alone (helpers.accessible.check_readable)."""
    from helpers.accessible import CSS_PX_PER_INCH, check_readable

    fig, _ = draw(name)
    check_readable(fig, fig.get_figwidth() * CSS_PX_PER_INCH)
    plt.close(fig)


def written_in_cells(ax):
    """(text colours (n, 3), cell colours (n, 3)) of the values written in a grid's cells."""
    from matplotlib.collections import QuadMesh

    from helpers._glyphs import GlyphLabels

    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    labels = [c for c in ax.collections if isinstance(c, GlyphLabels) and c.get_clip_on()
              and c.get_offset_transform() == ax.transData]
    if not meshes or not labels:
        return np.empty((0, 3)), np.empty((0, 3))
    mesh = meshes[0]
    rows, cols = np.subtract(mesh.get_coordinates().shape[:2], 1)
    colours = mesh.to_rgba(np.ravel(mesh.get_array())).reshape(rows, cols, 4)[..., :3]
    text, cell = [], []
    for group in labels:
        faces = group.get_facecolors()[:, :3]
        for k, (c, r) in enumerate(np.round(group.get_offsets()).astype(int)):
            if 0 <= r < rows and 0 <= c < cols:
                text.append(faces[k % len(faces)])
                cell.append(colours[r, c])
    return np.array(text).reshape(-1, 3), np.array(cell).reshape(-1, 3)


@pytest.mark.parametrize("name", FIGURES)
def test_numbers_written_in_cells_contrast_at_least_4_5_to_1(name):
    from helpers.accessible import contrast_ratio

    fig, _ = draw(name)
    for ax in fig.axes:
        text, cell = written_in_cells(ax)
        if len(text):
            ratios = contrast_ratio(text, cell)
            assert ratios.min() >= 4.5, (ax.get_title(), float(ratios.min()))
    plt.close(fig)


def test_the_contrast_test_sees_a_number_that_does_not_stand_out():
    """The cell test reads what is drawn: white numbers on the map's light middle are caught."""
    from helpers.accessible import contrast_ratio

    fig, ax = plt.subplots()
    plotting.draw_grid(ax, np.array([[0.1, -0.2], [3.0, -3.0]]), vmax=3)
    group = [c for c in ax.collections if c.get_clip_on() and hasattr(c, "font_size")][0]
    text, cell = written_in_cells(ax)
    assert contrast_ratio(text, cell).min() >= 4.5
    group.set_facecolors(["white"])
    text, cell = written_in_cells(ax)
    assert contrast_ratio(text, cell).min() < 1.5
    plt.close(fig)
