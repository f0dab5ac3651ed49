"""Interactive explorers: pure "state -> (figure, text)" functions wrapped by widgets.

Each ``*_figure`` function is pure: it takes the data and the widget state and
returns a matplotlib figure and a readout text (HTML).  Tests and static
figures call it directly; the ``*_explorer`` functions wrap it in
:class:`Explorer`, which redraws in place on every change and turns an
impossible combination (a ``ValueError``) into a message, never a traceback.
"""

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
    "Explorer", "Slider", "Choice", "show",
    "single_channel_figure", "single_channel_explorer",
    "multi_channel_figure", "multi_channel_explorer",
    "filter_shares", "filter_shares_figure", "multi_filter_figure", "multi_filter_explorer",
    "stride_padding_state", "stride_padding_figure", "stride_padding_explorer",
    "weight_names", "draw_pattern", "conv_matrix_figure", "conv_matrix_explorer",
    "PHASES", "time_phases", "time_phases_figure", "time_phases_explorer",
    "input_gradient", "score_gradient", "prediction_figure", "prediction_explorer",
]
