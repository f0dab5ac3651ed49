"""Figures everyone can read: text alternatives made from the data, stored with every figure; colours that
work under colour-vision deficiencies; writing in cells that contrasts; the checks themselves can fail.

The browser tests (tests/browser/) check the same in JupyterLab and on the static site with axe-core.
"""

import html
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import colormaps

from helpers import plotting
from helpers.accessible import check_readable, contrast_ratio, describe, figure_bundle, text_colour

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLACEHOLDERS = ("No description has been provided for this image", "Image", "image", "figure", "Figure")


# ---- the text alternative says what the figure says, from its data ---------------------------------------

def test_a_grid_is_described_by_its_shape_extremes_and_outlines():
    fig, ax = plt.subplots()
    a = np.array([[0, 2, -1], [4, 0, 3]])
    plotting.draw_grid(ax, a, "dL/dx", origin=-1)  # numbered from -1, as a padded grid is
    plotting.mark_cells(ax, [(1, 2)])
    plotting.mark_block(ax, 0, 0, 2, 2)
    fig.description = "A test grid"
    assert describe(fig) == ('A test grid. "dL/dx": a 2 × 3 grid, values from -1 (row -1, col 1) to 4 (row 0, '
                             'col -1); outlined: block rows -1-0, cols -1-0; cell (0, 1).')
    plt.close(fig)


def test_lines_are_described_by_style_range_and_peak_and_bars_by_name():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    ax1.plot([1, 2, 4], [3.0, 9.5, 7.25], "o-", label="loops")
    ax1.plot([1, 2, 4], [1.0, 1.5, 2.0], "s--", label="vectorised")
    ax1.axhline(2, color="gray")  # a reference line is not a series
    ax1.set(xlabel="H", ylabel="ms", yscale="log", title="time")
    ax2.bar(["x", "cols"], [0.5, 4.5])
    ax2.set_title("memory")
    assert describe(fig) == (
        '2 panels. Panel 1, "time": "loops", solid line with circles, 3 points from (1, 3) to (4, 7.25), '
        'highest 9.5 at 2; "vectorised", dashed line with squares, 3 points from (1, 1) to (4, 2), highest 2 at 4; '
        'x: H, y: ms, y axis logarithmic. Panel 2, "memory": 2 bars: x 0.5, cols 4.5.')
    plt.close(fig)


def test_the_text_alternative_changes_with_the_data():
    def alt(values):
        fig, ax = plt.subplots()
        plotting.draw_grid(ax, values, "g")
        text = describe(fig)
        plt.close(fig)
        return text

    assert alt(np.array([[1, 2], [3, 4]])) != alt(np.array([[1, 2], [3, 5]]))


def test_the_bundle_carries_the_alt_in_html_png_metadata_and_plain_text():
    fig, ax = plt.subplots(figsize=(4, 3))
    plotting.draw_grid(ax, np.arange(6).reshape(2, 3), 'a "quoted" <title>')
    data, metadata = figure_bundle(fig, "What it shows")
    alt = data["text/plain"]
    assert alt.startswith("What it shows. ") and metadata["image/png"]["alt"] == alt
    assert f'alt="{html.escape(alt)}"' in data["text/html"]
    assert 'width="' in data["text/html"] and metadata["image/png"]["width"] <= 400
    plt.close(fig)


# ---- figures refused when they would be hard to read --------------------------------------------------------

def test_small_text_and_lines_told_by_colour_alone_are_refused():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("tiny", fontsize=6)
    fig.canvas.draw()
    with pytest.raises(ValueError, match=r"text 'tiny' is 8.3 CSS px as shown \(6 pt"):
        check_readable(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(12, 3))  # wider than the output area: shrunk to 848 px, 9 pt shown at 8.8 px
    ax.set_title("shrunk", fontsize=9)
    fig.canvas.draw()
    with pytest.raises(ValueError, match="text 'shrunk' is 8.8 CSS px"):
        check_readable(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [1, 2, 3], "o-", color="tab:orange")
    ax.plot([1, 2, 3], [3, 2, 1], "o-", color="tab:green")
    fig.canvas.draw()
    with pytest.raises(ValueError, match="2 line series differ only by colour"):
        check_readable(fig)
    ax.lines[1].set_linestyle("--")
    check_readable(fig)
    plt.close(fig)


# ---- colours ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmap", [plotting.GRADIENT_CMAP, "Blues", "Greys", "Oranges"])
def test_black_or_white_writing_reaches_4_5_to_1_on_every_colour_of_the_maps(cmap):
    colours = colormaps[cmap](np.linspace(0, 1, 1001))[:, :3]
    chosen = np.where(text_colour(colours)[:, None] == "black", 0.0, 1.0) * np.ones(3)
    assert contrast_ratio(chosen, colours).min() >= 4.5


# Machado, Oliveira & Fernandes (2009), severity 1.0: linear RGB -> linear RGB as seen with the deficiency
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def lab(rgb):
    """CIE L*a*b* (D65) of sRGB colours (..., 3) in 0..1."""
    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def simulate(rgb, deficiency):
    """sRGB colours (..., 3) as seen with a colour-vision deficiency."""
    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(linear @ np.array(CVD[deficiency]).T, 0, 1)
    return np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)


@pytest.mark.parametrize("deficiency", CVD)
def test_the_gradient_map_reads_under_colour_vision_deficiencies(deficiency):
    """The diverging map keeps its meaning: its negative and positive ends stay far apart (CIE76 ΔE > 30), and
    lightness still grows with |value| on each side, so a larger gradient always looks darker."""
    values = np.linspace(0, 1, 257)
    seen = lab(simulate(colormaps[plotting.GRADIENT_CMAP](values)[:, :3], deficiency))
    assert np.linalg.norm(seen[0] - seen[-1]) > 30
    lightness = seen[:, 0]
    assert np.all(np.diff(lightness[:129]) >= -0.5) and np.all(np.diff(lightness[128:]) <= 0.5)
    assert lightness[128] - max(lightness[0], lightness[-1]) > 60


def test_the_simulation_sees_what_a_deficiency_hides():
    """Red and green, told apart by anyone else, nearly merge under deuteranopia: the simulation is not a no-op."""
    red, green = (0.85, 0.25, 0.2), (0.35, 0.6, 0.15)
    assert np.linalg.norm(lab(red) - lab(green)) > 50
    assert np.linalg.norm(lab(simulate(red, "deuteranopia")) - lab(simulate(green, "deuteranopia"))) < 25


# ---- what the notebooks store ---------------------------------------------------------------------------------

def stored_figures(path):
    """(cell number, output) of every figure a notebook stores."""
    nb = json.loads(path.read_text())
    return [(k, o) for k, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            for o in c["outputs"] if "image/png" in o.get("data", {})]


def widget_states(path):
    """The saved state of every explorer a notebook displays."""
    nb = json.loads(path.read_text())
    states = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for c in nb["cells"]
             if c["cell_type"] == "code" for o in c["outputs"]
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    return [states.get(model_id, {}).get("state", {}) for model_id in views]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_stored_figure_has_a_text_alternative_made_from_its_data(path):
    for k, output in stored_figures(path):
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        where = f"{path.name} cell {k}"
        assert alt and alt not in PLACEHOLDERS and len(alt) > 60, (where, alt)
        assert re.search(r"\d", alt), (where, "no number from the data", alt)
        assert "".join(output["data"].get("text/plain", "")) == alt, where
        assert f'alt="{html.escape(alt)}"' in "".join(output["data"].get("text/html", "")), where
    for state in widget_states(path):
        assert state.get("alt") and len(state["alt"]) > 60 and re.search(r"\d", state["alt"]), (path.name, state)
        assert state.get("label", "").startswith("Explorer: ") and state.get("status"), path.name
        assert all(c.get("label") for c in state.get("controls", [])), path.name
