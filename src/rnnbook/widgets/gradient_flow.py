r"""Widget: how the gradient norm decays with distance in a vanilla RNN, an LSTM and a GRU.

Two sliders, the sequence length :math:`T` and the forget-gate bias :math:`b_f` (also used as
the GRU's update-gate bias :math:`b_z`, see :func:`rnnbook.gradient_flow.compare_cells`),
drive one plot of :math:`\log_{10}\lVert\partial h_T/\partial h_{T-k}\rVert_2` against
:math:`k` for the three cells, with :math:`\log_{10}\lVert\partial c_T/\partial c_{T-k}\rVert_2`
and the direct forget-gate path :math:`\max_j \prod f` of the LSTM.

The logic is split into plain functions, so that tests and the book's static figure use
exactly what the widget shows:

* :func:`validate_settings` checks a slider position;
* :func:`gradient_flow_data` computes the curves (finite: values below ``floor`` are clipped);
* :func:`draw_gradient_flow` draws them and :func:`update_gradient_flow` moves the lines;
* :func:`plot_gradient_flow` is the static figure of one position (the book shows the default);
* :func:`gradient_flow_svg` is what the live widget shows: the same curves as an inline SVG
  string (built in about a millisecond, where a matplotlib PNG costs tens of milliseconds);
* :func:`gradient_flow_widget` assembles the sliders and the plot.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import check_positive_int
from ..gradient_flow import FlowCurves, compare_cells
from ..plots import COLORS, STYLE
from .svg import Line, svg_plot

__all__ = [
    "BIAS_RANGE",
    "DEFAULTS",
    "FLOOR",
    "LINES",
    "SIZES",
    "T_RANGE",
    "draw_gradient_flow",
    "gradient_flow_data",
    "gradient_flow_svg",
    "gradient_flow_widget",
    "plot_gradient_flow",
    "update_gradient_flow",
    "validate_settings",
]

#: Sequence-length slider: (min, max, step).
T_RANGE: tuple[int, int, int] = (10, 300, 10)
#: Forget-gate-bias slider: (min, max, step).
BIAS_RANGE: tuple[float, float, float] = (-2.0, 4.0, 0.5)
#: The default view (also the book's static figure).
DEFAULTS: dict[str, float] = {"T": 100, "forget_bias": 1.0}
#: Model sizes of the widget: hidden size, input size, sequences in the median, seed.
SIZES: dict[str, int] = {"n": 16, "d": 4, "n_sequences": 3, "seed": 0}
#: Lowest log10 norm drawn; smaller values (and an exact zero, -inf) are clipped to it.
FLOOR: float = -80.0

_WIDGET_IDS = itertools.count()


def validate_settings(T: int, forget_bias: float) -> tuple[int, float]:
    """Check a slider position: ``T`` an integer in ``T_RANGE``, ``forget_bias`` in ``BIAS_RANGE``.

    Returns
    -------
    (int, float)
        The validated ``(T, forget_bias)``.
    """
    T = check_positive_int(T, "T")
    lo, hi, _ = T_RANGE
    if not lo <= T <= hi:
        raise ValueError(f"T must lie in [{lo}, {hi}], got {T}")
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"forget_bias must be a real number, got {type(forget_bias).__name__}")
    blo, bhi, _ = BIAS_RANGE
    if not (np.isfinite(forget_bias) and blo <= forget_bias <= bhi):
        raise ValueError(f"forget_bias must lie in [{blo}, {bhi}], got {forget_bias}")
    return T, float(forget_bias)


def gradient_flow_data(T: int = 100, forget_bias: float = 1.0, n: int = SIZES["n"],
                       d: int = SIZES["d"], n_sequences: int = SIZES["n_sequences"],
                       seed: int = SIZES["seed"], floor: float = FLOOR,
                       rnn_cache: dict | None = None) -> FlowCurves:
    r"""The curves of one slider position, every value finite and ``>= floor``.

    Calls :func:`rnnbook.gradient_flow.compare_cells` and clips each median
    :math:`\log_{10}` norm from below at ``floor`` (an exactly zero Jacobian, :math:`-\infty`,
    becomes ``floor``).

    Parameters
    ----------
    T : int in ``T_RANGE``
    forget_bias : float in ``BIAS_RANGE``
    n, d, n_sequences : int >= 1
    seed : int
    floor : float, finite
    rnn_cache : dict, optional
        Passed to :func:`~rnnbook.gradient_flow.compare_cells`: a widget keeps one, so that a
        forget-bias move does not recompute the RNN's curves.

    Returns
    -------
    FlowCurves
    """
    T, forget_bias = validate_settings(T, forget_bias)
    if not np.isfinite(floor):
        raise ValueError(f"floor must be finite, got {floor}")
    curves = compare_cells(T=T, n=n, d=d, forget_bias=forget_bias, n_sequences=n_sequences,
                           rng=seed, rnn_cache=rnn_cache)
    clip = lambda a: np.maximum(a, floor)  # noqa: E731  (np.maximum maps -inf to floor)
    return replace(curves, rnn=clip(curves.rnn), lstm_h=clip(curves.lstm_h),
                   lstm_c=clip(curves.lstm_c), lstm_forget=clip(curves.lstm_forget),
                   gru=clip(curves.gru))


#: The curves drawn, in legend order: (FlowCurves field, colour key, line style, label).
LINES: tuple[tuple[str, str, str, str], ...] = (
    # (FlowCurves field, colour name in COLORS, dash, label). Plain Unicode labels, not
    # mathtext: a redraw after a slider move lays them out again, and mathtext costs more.
    ("rnn", "rnn", "-", "RNN \u2016\u2202h_T/\u2202h_t\u2016"),
    ("lstm_h", "lstm", "-", "LSTM \u2016\u2202h_T/\u2202h_t\u2016"),
    ("lstm_c", "lstm", "--", "LSTM \u2016\u2202c_T/\u2202c_t\u2016"),
    ("lstm_forget", "muted", ":", "LSTM direct path max_j \u220f f"),
    ("gru", "gru", "-", "GRU \u2016\u2202h_T/\u2202h_t\u2016"),
)


def _ylim(curves: FlowCurves) -> tuple[float, float]:
    low = min(float(np.min(getattr(curves, name))) for name, *_ in LINES)
    high = max(float(np.max(getattr(curves, name))) for name, *_ in LINES)
    return min(low, -1.0) - 0.5, max(high, 0.0) + 0.5


def _title(curves: FlowCurves) -> str:
    s = curves.settings
    return (f"T = {s['T']}, forget bias b_f = {s['forget_bias']:g}; n = {s['n']}, "
            f"median of {s['n_sequences']} sequences")


def draw_gradient_flow(ax: Axes, curves: FlowCurves) -> dict[str, Any]:
    r"""Draw the curves on ``ax``; return the artists for :func:`update_gradient_flow`.

    Parameters
    ----------
    ax : matplotlib Axes
    curves : FlowCurves
        From :func:`gradient_flow_data`.

    Returns
    -------
    dict
        ``"ax"``, ``"title"`` and one ``Line2D`` per name of :data:`LINES`.
    """
    if not isinstance(curves, FlowCurves):
        raise TypeError(f"curves must be a FlowCurves, got {type(curves).__name__}")
    art: dict[str, Any] = {"ax": ax}
    for name, colour, style, label in LINES:
        (art[name],) = ax.plot(curves.k, getattr(curves, name), color=COLORS[colour],
                               linestyle=style, label=label)
    ax.set_xlabel("distance k = T \u2212 t (steps back)")
    ax.set_ylabel("log\u2081\u2080 of the spectral norm")
    ax.legend(loc="lower left", fontsize=8)
    art["title"] = ax.set_title("", fontsize=9)
    update_gradient_flow(art, curves)
    return art


def update_gradient_flow(art: dict[str, Any], curves: FlowCurves) -> None:
    """Move the artists made by :func:`draw_gradient_flow` to new curves (no new figure)."""
    if not isinstance(curves, FlowCurves):
        raise TypeError(f"curves must be a FlowCurves, got {type(curves).__name__}")
    for name, *_ in LINES:
        art[name].set_data(curves.k, getattr(curves, name))
    art["ax"].set_xlim(0, int(curves.k[-1]))
    art["ax"].set_ylim(*_ylim(curves))
    art["title"].set_text(_title(curves))


def plot_gradient_flow(T: int = int(DEFAULTS["T"]), forget_bias: float = DEFAULTS["forget_bias"],
                       ax: Axes | None = None) -> Figure:
    """A static figure of one slider position (the live widget starts at the defaults).

    Returns
    -------
    matplotlib.figure.Figure
    """
    curves = gradient_flow_data(T, forget_bias)
    if ax is None:
        fig = Figure(figsize=STYLE["figure.figsize"], layout="constrained")
        ax = fig.add_subplot()
    draw_gradient_flow(ax, curves)
    return ax.figure


def gradient_flow_svg(curves: FlowCurves, uid: str = "rnnbook-flow") -> str:
    """The curves of one slider position as an inline SVG string (what the live widget shows)."""
    if not isinstance(curves, FlowCurves):
        raise TypeError(f"curves must be a FlowCurves, got {type(curves).__name__}")
    return svg_plot(
        lines=[Line(curves.k, getattr(curves, name), COLORS[colour], style, label)
               for name, colour, style, label in LINES],
        xlim=(0, int(curves.k[-1])), ylim=_ylim(curves),
        xlabel="distance k = T − t (steps back)",
        ylabel="log₁₀ of the spectral norm", title=_title(curves), legend="lower left",
        uid=uid)


def gradient_flow_widget(T: int = int(DEFAULTS["T"]),
                         forget_bias: float = DEFAULTS["forget_bias"]):
    """The interactive widget: sliders for ``T`` and the forget-gate bias above the plot.

    Each slider position is computed once and kept (in this widget only), so returning to a
    position only redraws.

    Returns
    -------
    ipywidgets.VBox
        With extra attributes ``controls`` (dict of the two sliders), ``plot`` (the ``HTML``
        holding the SVG of :func:`gradient_flow_svg`), ``computed`` (the positions computed
        so far, by ``(T, forget_bias)``) and ``refresh()`` (recompute and redraw from the
        sliders).
    """
    import ipywidgets as widgets

    key = validate_settings(T, forget_bias)
    rnn_cache: dict = {}                      # RNN curves by T: the bias slider reuses them
    computed: dict[tuple[int, float], FlowCurves] = {
        key: gradient_flow_data(*key, rnn_cache=rnn_cache)}
    controls = {
        "T": widgets.IntSlider(value=key[0], min=T_RANGE[0], max=T_RANGE[1], step=T_RANGE[2],
                               description="T", continuous_update=False),
        "forget_bias": widgets.FloatSlider(value=key[1], min=BIAS_RANGE[0], max=BIAS_RANGE[1],
                                           step=BIAS_RANGE[2], description="forget bias",
                                           continuous_update=False,
                                           style={"description_width": "initial"}),
    }
    uid = f"rnnbook-flow-{next(_WIDGET_IDS)}"
    plot = widgets.HTML(value=gradient_flow_svg(computed[key], uid),
                        layout=widgets.Layout(width="100%", max_width="760px"))

    def refresh(change: object = None) -> None:
        new_key = validate_settings(controls["T"].value, controls["forget_bias"].value)
        if new_key not in computed:
            computed[new_key] = gradient_flow_data(*new_key, rnn_cache=rnn_cache)
        plot.value = gradient_flow_svg(computed[new_key], uid)

    for control in controls.values():
        control.observe(refresh, names="value")
    box = widgets.VBox([widgets.HBox(list(controls.values())), plot])
    box.controls, box.plot, box.refresh, box.computed = controls, plot, refresh, computed
    return box
