"""Interactive explorers: pure "state -> (figure, text)" functions wrapped by widgets, in one registry.

Each ``*_figure`` function is pure: it takes the data and the widget state and
returns a matplotlib figure and a readout text (HTML).  Tests and static
figures call it directly; the ``*_explorer`` functions wrap it in
:class:`Explorer`, which redraws in place on every change and turns an
impossible combination (a ``ValueError``) into a message, never a traceback.

:data:`EXPLORERS` names every explorer with its notebook, figure function,
explorer and example data; the explorer tests (tests/test_explorers.py),
the figure tests (tests/test_figures.py) and the benchmark
(benchmarks/bench_conv.py) iterate it, so adding an explorer is one new
module here and its line in the registry.
"""

from collections.abc import Callable
from typing import NamedTuple

from . import channels, geometry, matrix, speed, training
from .channels import (
    filter_shares,
    filter_shares_figure,
    multi_channel_explorer,
    multi_channel_figure,
    multi_filter_explorer,
    multi_filter_figure,
    single_channel_explorer,
    single_channel_figure,
)
from .controls import Choice, Slider
from .core import Explorer, show
from .geometry import stride_padding_explorer, stride_padding_figure, stride_padding_state
from .matrix import conv_matrix_explorer, conv_matrix_figure, draw_pattern, weight_names
from .speed import PHASES, time_phases, time_phases_explorer, time_phases_figure
from .training import input_gradient, prediction_explorer, prediction_figure, score_gradient

__all__ = [
    "Explorer", "Slider", "Choice", "show", "EXPLORERS", "Entry",
    "single_channel_figure", "single_channel_explorer",
    "multi_channel_figure", "multi_channel_explorer",
    "filter_shares", "filter_shares_figure", "multi_filter_figure", "multi_filter_explorer",
    "stride_padding_state", "stride_padding_figure", "stride_padding_explorer",
    "weight_names", "draw_pattern", "conv_matrix_figure", "conv_matrix_explorer",
    "PHASES", "time_phases", "time_phases_figure", "time_phases_explorer",
    "input_gradient", "score_gradient", "prediction_figure", "prediction_explorer",
]


class Entry(NamedTuple):
    """One explorer: figure(**example(), **state) -> (fig, html text) and explorer(**example()) -> Explorer."""

    notebook: str  # the notebook that shows it, "01" to "07"
    figure: Callable
    explorer: Callable
    example: Callable  # () -> {name: data}: the example the tests and the benchmark draw, at the default state


EXPLORERS = {  # in the notebooks' order
    "single_channel": Entry("01", single_channel_figure, single_channel_explorer, channels.single_channel_example),
    "multi_channel": Entry("02", multi_channel_figure, multi_channel_explorer, channels.multi_channel_example),
    "multi_filter": Entry("03", multi_filter_figure, multi_filter_explorer, channels.multi_filter_example),
    "stride_padding": Entry("04", stride_padding_figure, stride_padding_explorer, geometry.stride_padding_example),
    "conv_matrix": Entry("05", conv_matrix_figure, conv_matrix_explorer, matrix.conv_matrix_example),
    "time_phases": Entry("06", time_phases_figure, time_phases_explorer, speed.time_phases_example),
    "prediction": Entry("07", prediction_figure, prediction_explorer, training.prediction_example),
}
