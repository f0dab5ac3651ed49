"""Explorers: driven like a learner would (set a control, the figure and readout change),
and swept over every control combination (none raises; impossible ones give a message).

Every explorer in the registry (helpers.explorers.EXPLORERS) is driven on its example data;
the tests after those use data of their own where the check needs it.
"""

import hashlib
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import explorers as E

EXAMPLES = {name: entry.example() for name, entry in E.EXPLORERS.items()}
X2, W2, DH2 = (EXAMPLES["single_channel"][k] for k in ("x", "w", "dh"))  # (5, 6), (3, 3), (3, 4)
X3, W3, DH3 = (EXAMPLES["multi_channel"][k] for k in ("x", "w", "dh"))  # (5, 5, 3), (3, 3, 3), (3, 3)
rng = np.random.default_rng(0)
W4, DH4 = rng.normal(size=(4, 2, 3, 2)), rng.normal(size=(3, 4, 4))  # 4 filters, nothing square: x (4, 6, 2)
EVERY_COMBINATION = 60  # up to this many states, a sweep sets every combination; beyond, each value of each control


def fingerprint(png):
    """A hash of the PNG the explorer shows (it keeps no figure)."""
    assert png.startswith(b"\x89PNG"), "the explorer shows no figure"
    return hashlib.sha1(png).hexdigest()


def values(control):
    """Every value a control can take."""
    return control.values()


def combinations(explorer):
    """Every combination of control values, or, when there are more than EVERY_COMBINATION, each value of
    each control with the others at their first values (notebook 04's 2400 states have a test of their own)."""
    controls = list(explorer.controls.values())
    if np.prod([len(values(c)) for c in controls]) <= EVERY_COMBINATION:
        return list(itertools.product(*(values(c) for c in controls)))
    first = [values(c)[0] for c in controls]
    return [(*first[:k], v, *first[k + 1:]) for k, c in enumerate(controls) for v in values(c)]


def sweep(explorer):
    """Set every combination of control values (see combinations); return the readouts seen."""
    controls = list(explorer.controls.values())
    seen = set()
    for combo in combinations(explorer):
        with explorer.hold():
            for control, value in zip(controls, combo):
                control.value = min(value, control.max) if hasattr(control, "max") else value
        assert "Traceback" not in explorer.text
        seen.add(explorer.text)
    return seen


def example_explorer(name):
    return E.EXPLORERS[name].explorer(**EXAMPLES[name])


@pytest.mark.parametrize("name", E.EXPLORERS)
def test_moving_a_control_changes_figure_and_readout(name):
    explorer = example_explorer(name)
    before = (fingerprint(explorer.png), explorer.text)
    control = list(explorer.controls.values())[-1]
    control.value = next(v for v in values(control) if v != control.value)
    assert explorer.png
    after = (fingerprint(explorer.png), explorer.text)
    assert after[0] != before[0], "the figure did not change"
    assert after[1] != before[1], "the readout did not change"


@pytest.mark.parametrize("name", E.EXPLORERS)
def test_every_combination_draws_without_error(name):
    explorer = example_explorer(name)
    seen = sweep(explorer)
    assert len(seen) > 1


@pytest.mark.parametrize("name", E.EXPLORERS)
def test_the_figure_function_draws_the_example_at_its_default_state(name):
    """The figure function alone, as a static figure before the explorer calls it: a figure and a readout."""
    entry = E.EXPLORERS[name]
    fig, text = entry.figure(**EXAMPLES[name])
    assert fig.axes and isinstance(text, str) and text
    plt.close(fig)


def test_the_registry_names_each_explorer_once_in_the_notebooks_order():
    notebooks = [entry.notebook for entry in E.EXPLORERS.values()]
    assert notebooks == sorted(notebooks) and len(set(E.EXPLORERS)) == len(notebooks)
    for name, entry in E.EXPLORERS.items():
        assert entry.figure.__name__.endswith("_figure") and entry.explorer.__name__.endswith("_explorer"), name


def test_single_channel_view_switch_resizes_sliders():
    explorer = E.single_channel_explorer(X2, W2, DH2)
    view, row, col = (explorer.controls[k] for k in ("view", "row", "col"))
    assert (row.max, col.max) == (2, 3)  # output grid (3, 4)
    view.value = "input"
    assert (row.max, col.max) == (4, 5)  # input grid (5, 6)
    row.value, col.value = 4, 5
    view.value = "output"  # the sliders shrink back; the value is clamped, no error
    assert (row.value, col.value) == (2, 3)
    assert "Not possible" not in explorer.text


def test_gather_readout_is_the_sum_of_its_terms():
    """The input view writes dL/dx[p, q] as a sum of dh * w terms; its value is the true gradient."""
    dx = np.zeros((5, 6))
    for r in range(3):
        for c in range(4):
            dx[r:r + 3, c:c + 3] += DH2[r, c] * W2
    for p, q in itertools.product(range(5), range(6)):
        fig, text = E.single_channel_figure(X2, W2, DH2, view="input", row=p, col=q)
        plt.close(fig)
        assert f"<b>{dx[p, q]:.3f}</b>" in text
    # the corner pixel is read by one output through one tap: the flip in one line
    for (p, q), term in (((0, 0), "= dh[0, 0]·w[0, 0] ="), ((4, 5), "= dh[2, 3]·w[2, 2] =")):
        fig, text = E.single_channel_figure(X2, W2, DH2, view="input", row=p, col=q)
        plt.close(fig)
        assert term in text


def test_impossible_state_is_a_message_not_a_traceback():
    explorer = E.multi_filter_explorer(DH4, W4)
    explorer.figure_fn = lambda **state: E.multi_filter_figure(DH4, W4, f=99)
    explorer.drawn.clear()  # forget the state already drawn with the old function
    explorer.redraw()
    assert explorer.png == b""
    assert explorer.text.startswith("<b>Not possible:</b> f must be a filter index in 0..3, got 99")


def test_running_sum_ends_at_dx():
    import helpers as H

    fig, text = E.multi_filter_figure(DH4, W4, f=3)
    plt.close(fig)
    assert "max |dL/dx - running sum| = 0.000 (done" in text
    shares = E.filter_shares(DH4, W4)
    x_shape = (4, 6, 2)
    dx, _, _ = H.conv2d_backward_loops(DH4, np.zeros(x_shape), W4)
    assert H.rel_error(shares.sum(axis=0), dx) < 1e-12


# ---- notebook 04: every slider combination of the stride/padding explorer ---------------------

SP_RANGES = dict(size=range(3, 13), kernel=range(1, 6), stride=range(1, 5), padding=range(0, 4),
                 dilation=range(1, 4))


def test_stride_padding_every_combination_is_a_state_or_a_message():
    """All 2400 slider combinations: a consistent state, or the one ValueError the explorer shows."""
    import helpers as H

    impossible = 0
    for size, kernel, stride, padding, dilation in itertools.product(*SP_RANGES.values()):
        try:
            s = E.stride_padding_state(size, kernel, stride, padding, dilation)
        except ValueError as err:
            assert "no window fits" in str(err)
            assert (kernel - 1) * dilation + 1 > size + 2 * padding
            impossible += 1
            continue
        assert s["dx"].shape == (size, size)
        dx_ref, _, _ = H.conv2d_backward_loops(s["dh"][:, :, None], np.zeros((size, size, 1)),
                                               s["w"][None, :, :, None], stride=stride, padding=padding,
                                               dilation=dilation)
        assert H.rel_error(s["dx"], dx_ref[:, :, 0]) < 1e-12
        for r in s["never_read"]:
            assert np.all(s["dx"][r] == 0) and np.all(s["dx"][:, r] == 0)
    assert 0 < impossible < 2400


def test_stride_padding_figure_draws_every_value_of_every_slider():
    defaults = dict(size=7, kernel=3, stride=2, padding=1, dilation=1)
    for name, values in SP_RANGES.items():
        for value in values:
            state = {**defaults, name: value}
            try:
                fig, text = E.stride_padding_figure(**state)
            except ValueError:
                continue
            plt.close(fig)
            assert "output size" in text


def test_stride_padding_explorer_reports_impossible_combination():
    explorer = E.stride_padding_explorer()
    before = fingerprint(explorer.png)
    explorer.controls["stride"].value = 3
    assert fingerprint(explorer.png) != before
    with explorer.hold():
        explorer.controls["size"].value = 3
        explorer.controls["padding"].value = 0
        explorer.controls["kernel"].value = 5
    assert explorer.png == b""
    assert explorer.text.startswith("<b>Not possible:</b> the dilated kernel spans 5 pixels")
    explorer.controls["kernel"].value = 3
    assert explorer.png and "Not possible" not in explorer.text


def test_floor_dropped_rows_are_named():
    s = E.stride_padding_state(size=8, kernel=3, stride=2, padding=0, dilation=1)
    assert s["never_read"] == [7]


# ---- notebook 05: the matrix explorer ----------------------------------------------------------

def test_conv_matrix_explorer_every_pick_and_index():
    explorer = E.conv_matrix_explorer()
    pick, index = explorer.controls["pick"], explorer.controls["index"]
    texts = set()
    for option, count in (("weight", 9), ("input pixel", 16), ("output pixel", 4)):
        pick.value = option
        assert index.max == count - 1
        for k in range(count):
            index.value = k
            assert explorer.png, explorer.text
            texts.add(explorer.text)
    assert len(texts) == 9 + 16 + 4


def test_conv_matrix_readouts_match_the_matrix():
    fig, text = E.conv_matrix_figure("weight", 4)  # k22 sits once in each of the 4 rows
    plt.close(fig)
    assert "Weight k22 sits at 4 places in C, once in each row: (0, 5), (1, 6), (2, 9), (3, 10)" in text
    fig, text = E.conv_matrix_figure("input pixel", 0)  # the corner: one output, one tap
    plt.close(fig)
    assert "read by 1 output, through the tap k11" in text
    fig, text = E.conv_matrix_figure("input pixel", 5)  # the flip: taps in reverse order
    plt.close(fig)
    assert "through the taps k22, k21, k12, k11" in text
    with pytest.raises(ValueError, match="the output pixel index must be in 0..3, got 4"):
        E.conv_matrix_figure("output pixel", 4)


# ---- notebooks 06 and 07 ---------------------------------------------------------------------------

def fake_time_phases(size=16, channels=16, **_):
    """Timings that depend on the controls, without timing anything."""
    times = {phase: size * channels * (k + 1) / 1000 for k, phase in enumerate(E.PHASES)}
    return times, {"x": 8 * size * size * channels * 4, "cols": 9 * 8 * size * size * channels * 4}


def test_time_phases_explorer(monkeypatch):
    """Every control value redraws the figure and the readout (the timer is stubbed: see below)."""
    from helpers.explorers import speed

    calls = []
    monkeypatch.setattr(speed, "time_phases", lambda *a, **k: calls.append(a) or fake_time_phases(*a, **k))
    explorer = E.time_phases_explorer()
    seen = {(fingerprint(explorer.png), explorer.text)}
    size = explorer.controls["size"]
    for name, options in (("size", range(size.min, size.max + 1, size.step)), ("channels", [3, 16, 32])):
        for value in [v for v in options if v != explorer.controls[name].value]:  # each new state once
            explorer.controls[name].value = value
            assert explorer.png
            seen.add((fingerprint(explorer.png), explorer.text))
    assert len(seen) == len(calls) == 1 + 5 + 2  # every new state measured, every figure and text new
    texts = [text for _, text in seen]
    times, _ = fake_time_phases(size=48, channels=32)  # the last state set: the products' share of its total
    share = 100 * sum(times[phase] for phase in E.PHASES[1:4]) / sum(times.values())
    assert f"the three matrix products take {share:.0f}%" in explorer.text
    # the learner reads no maintainer's jargon: the memory layouts are helpers.views.fast's business
    assert not any(word in text for text in texts for word in ("planes", "rows", "layout"))


def test_time_phases_measures_every_phase():
    times, memory = E.time_phases(size=8, channels=3, batch=2, filters=4, repeat=1)
    assert list(times) == list(E.PHASES) and all(t > 0 for t in times.values())
    assert memory["cols"] == 9 * memory["x"]  # padding 1, stride 1: one window per pixel


@pytest.mark.parametrize("channels, dx_laps", [(3, 1), (16, 9)])  # planes: one product; rows: one per tap
def test_phase_times_times_each_step_of_the_path_conv2d_takes(monkeypatch, channels, dx_laps):
    """A clock that ticks once per reading: each phase gets one tick per step of the fast path."""
    import itertools

    import helpers as H
    from helpers.explorers import speed

    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 5, 6, channels)), rng.normal(size=(4, 3, 3, channels)), rng.normal(size=4)
    dh = rng.normal(size=H.conv2d(x, w).shape)
    monkeypatch.setattr(speed.time, "perf_counter", itertools.count().__next__)
    ticks = speed.phase_times(x, w, b, dh)
    im2col, forward, dw, dcols, col2im = speed.PHASES
    assert ticks == {im2col: 2, forward: 1, dw: 1, dcols: dx_laps, col2im: dx_laps}


def test_prediction_explorer_and_saliency():
    model, images, labels = (EXAMPLES["prediction"][k] for k in ("model", "images", "labels"))
    probs, dx = E.input_gradient(model, images[2], 2)
    assert np.isclose(probs.sum(), 1) and dx.shape == (8, 8, 1)
    import helpers as H

    def loss(image):
        logits = model.forward(image[None])[0]
        return -(logits[2] - np.log(np.exp(logits).sum()))

    assert H.rel_error(dx, H.numerical_gradient(loss, images[2], np.array(1.0))) < 1e-6
    score = E.score_gradient(model, images[2], 2)  # d logits[2] / dx: the class score, before the softmax
    assert H.rel_error(score, H.numerical_gradient(lambda image: model.forward(image[None])[0, 2], images[2],
                                                   np.array(1.0))) < 1e-6
    explorer = E.prediction_explorer(model, images, labels)
    seen = sweep(explorer)
    assert len(seen) == len(images) == 10 and all("true digit" in t for t in seen)


def test_show_displays_the_readout_and_a_png_with_its_text_alternative(monkeypatch):
    """The static copy before each explorer: the readout, then the figure as HTML and PNG with an alt made from
    its data, whether or not an inline backend is active."""
    import base64
    import html

    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    fig, text = E.multi_channel_figure(X3, W3, DH3, channel=1)
    E.show(fig, text)
    assert type(shown[0][0]).__name__ == "HTML" and shown[0][0].data == text
    (bundle, options) = shown[1]
    alt = bundle["text/plain"]
    assert options == {"metadata": {"image/png": {"alt": alt, **{k: options["metadata"]["image/png"][k]
                                                                 for k in ("width", "height")}}}, "raw": True}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert f'alt="{html.escape(alt)}"' in bundle["text/html"] and bundle["image/png"] in bundle["text/html"]
    assert alt.startswith('Channel 1 of the backward pass of one filter. 5 panels. Panel 1, "x[:, :, 1]": a 5 × 5 '
                          'grid, values from')


# ---- the page: one accessible widget ------------------------------------------------------------------

class PageStub:
    """Stands in for the page's end of a widget's comm: records each message the kernel sends."""

    kernel = True
    comm_id = "page-stub"

    def __init__(self):
        self.sent = []

    def on_msg(self, callback):
        pass

    def close(self):
        pass

    def send(self, data, buffers=None):
        self.sent.append(data)

    def updates(self):
        """The sets of traits sent to the page, message by message (echoes of the page's own values apart)."""
        return [set(m["state"]) | {path[0] for path in m["buffer_paths"]} for m in self.sent
                if m.get("method") == "update"]


def from_page(panel, **state):
    """A message from the page, handled as ipywidgets handles one (set_state)."""
    panel.set_state(state)


def test_the_page_gets_named_controls_values_figure_alt_and_readout_together():
    explorer = E.single_channel_explorer(X2, W2, DH2)
    panel = explorer.panel
    assert panel.label.startswith("Explorer: ")
    assert [(c["name"], c["kind"], c["label"]) for c in panel.controls] == [
        ("view", "choice", "cell of"), ("row", "slider", "row"), ("col", "slider", "col")]
    assert panel.values == {"view": "output", "row": 0, "col": 0}
    assert (panel.png, panel.alt, panel.status) == (explorer.png, explorer.alt, explorer.text)
    panel.comm = page = PageStub()
    from_page(panel, values={"view": "input", "row": 0, "col": 0})  # the learner picks "input" in the page
    assert explorer.state == {"view": "input", "row": 0, "col": 0}
    assert [c["max"] for c in panel.controls[1:]] == [4, 5]  # the sliders now span the input grid
    assert "dL/dx[0, 0]" in panel.status and 'Panel 1, "x[0, 0]"' in panel.alt
    # one message: the new limits, the figure, its text alternative and the readout together
    assert page.updates() == [{"controls", "png", "alt", "status"}]


def test_a_value_the_page_sent_is_not_sent_back_but_a_clamped_one_is():
    explorer = E.single_channel_explorer(X2, W2, DH2)
    panel = explorer.panel
    panel.comm = page = PageStub()
    from_page(panel, values={"view": "input", "row": 4, "col": 5})
    assert not any("values" in keys for keys in page.updates())  # no echo to undo a newer move in the page
    page.sent.clear()
    from_page(panel, values={"view": "output", "row": 4, "col": 5})  # the sliders shrink: row and col clamped
    assert explorer.state == {"view": "output", "row": 2, "col": 3}
    assert panel.values == explorer.state and any("values" in keys for keys in page.updates())


def test_the_repr_outside_a_widget_says_what_the_figure_shows():
    explorer = E.multi_channel_explorer(X3, W3, DH3)
    data, _ = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith("Explorer: one channel's share of the backward pass (its controls need "
                                         "a running kernel). Channel 0:")
    assert "Figure: Channel 0 of the backward pass of one filter. 5 panels." in data["text/plain"]
    assert "<" not in data["text/plain"]


def test_controls_check_their_values():
    slider = E.Slider("stride", 1, 4, 2)
    slider.value = 9
    assert slider.value == 4  # clamped, as a range input does
    slider.max = 3
    assert slider.value == 3
    with pytest.raises(ValueError, match="step must be a whole number >= 1, got 0"):
        E.Slider("stride", 1, 4, step=0)
    with pytest.raises(ValueError, match="max must be >= min, got min=4, max=1"):
        E.Slider("stride", 4, 1)
    choice = E.Choice("channels", [3, 16, 32], 16)
    import traitlets

    with pytest.raises(traitlets.TraitError, match=r"channels must be one of \[3, 16, 32\], got 5"):
        choice.value = 5
    assert E.Choice("pick", [("first", 1), ("second", 2)]).spec()["options"] == [
        {"label": "first", "value": 1}, {"label": "second", "value": 2}]
