r"""Widgets of the vanishing-gradient chapter: the gradient-bound explorer and the decay table.

For the vanilla RNN :math:`h_t = f(W_{xh} x_t + W_{hh} h_{t-1} + b_h)` with
:math:`|f'| \le \gamma`, the theorem of the chapter says

.. math:: \Bigl\lVert \frac{\partial h_T}{\partial h_t} \Bigr\rVert_2
          \le \bigl(\gamma\, \sigma_{\max}(W_{hh})\bigr)^{T-t}.

The module is split so that every piece can be tested without a browser:

* pure functions compute what one slider position shows
  (:func:`bound_explorer_data`, :func:`decay_table`), in :math:`\log_{10}` units so that
  nothing over- or underflows;
* :func:`draw_bound_explorer` draws that data on given axes and
  :func:`update_bound_explorer` moves the existing artists to new data;
* :func:`gradient_bound_explorer` and :func:`decay_table_widget` build the ipywidgets.
  The live explorer draws with :func:`bound_explorer_svg` (an inline SVG in an
  ``ipywidgets.HTML``, built in about a millisecond; a matplotlib PNG would cost tens of
  milliseconds per slider move), so it works in Jupyter, Binder and Colab without a
  matplotlib widget backend. :func:`draw_bound_explorer` draws the same curves with
  matplotlib for the book's static figure.

Every slider position is seeded: the same position always shows the same picture.
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .._checks import check_choice, check_positive_int
from ..activations import get_activation
from ..bounds import jacobian_norms, log10_bound, rescale_spectral_norm
from ..plots import COLORS, STYLE
from .svg import Band, HLine, Line, Span, svg_plot

__all__ = [
    "ACTIVATION_CHOICES",
    "DECAY_KS",
    "HIDDEN_RANGE",
    "LOG10_EPS32",
    "LOG10_EPS64",
    "LOG10_FLOAT64_MAX",
    "LOG10_FLOAT64_TINY",
    "NORM_RANGE",
    "T_RANGE",
    "W_H_RANGE",
    "bound_explorer_data",
    "bound_explorer_svg",
    "decay_table",
    "decay_table_html",
    "decay_table_widget",
    "draw_bound_explorer",
    "format_log10",
    "gradient_bound_explorer",
    "plot_bound_explorer",
    "readout_html",
    "regime",
    "update_bound_explorer",
]

#: Slider ranges (inclusive). Values outside raise ``ValueError``.
NORM_RANGE: tuple[float, float] = (0.1, 8.0)
T_RANGE: tuple[int, int] = (2, 200)
HIDDEN_RANGE: tuple[int, int] = (1, 64)
W_H_RANGE: tuple[float, float] = (-4.0, 4.0)
ACTIVATION_CHOICES: tuple[str, ...] = ("tanh", "sigmoid", "relu")

#: Steps back :math:`k = T - 1` of the sources' scalar decay table (T = 2, 5, 10, 20, 50).
DECAY_KS: tuple[int, ...] = (1, 4, 9, 19, 49)

#: :math:`\log_{10}` of the machine epsilons and of the float64 range.
LOG10_EPS32: float = float(np.log10(np.finfo(np.float32).eps))
LOG10_EPS64: float = float(np.log10(np.finfo(np.float64).eps))
LOG10_FLOAT64_TINY: float = float(np.log10(np.finfo(np.float64).tiny))
LOG10_FLOAT64_MAX: float = float(np.log10(np.finfo(np.float64).max))

_INPUT_DIM = 4
_WIDGET_IDS = itertools.count()
_QUANTILES = (0.1, 0.9)


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
def _check_float_range(value: object, name: str, bounds: tuple[float, float]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    lo, hi = bounds
    if not (np.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {value}")
    return value


def _check_int_range(value: object, name: str, bounds: tuple[int, int]) -> int:
    value = check_positive_int(value, name, minimum=bounds[0])
    if value > bounds[1]:
        raise ValueError(f"{name} must lie in [{bounds[0]}, {bounds[1]}], got {value}")
    return value


# ---------------------------------------------------------------------------
# pure computations
# ---------------------------------------------------------------------------
def format_log10(log10_value: float, digits: int = 2) -> str:
    r"""Format :math:`10^{x}` given :math:`x`, without ever forming the (possibly overflowing) number.

    ``format_log10(-31.7) == "2.0e-32"``; ``-inf`` gives ``"0 (exactly)"``.
    """
    x = float(log10_value)
    if np.isnan(x):
        raise ValueError("log10_value must not be NaN")
    if x == -np.inf:
        return "0 (exactly)"
    if x == np.inf:
        raise ValueError("log10_value must be finite or -inf")
    if -3.0 <= x < 4.0:
        return f"{10.0 ** x:.{digits}g}"
    exponent = int(np.floor(x))
    mantissa = round(10.0 ** (x - exponent), digits - 1)
    if mantissa >= 10.0:
        mantissa, exponent = mantissa / 10.0, exponent + 1
    return f"{mantissa:.{digits - 1}f}e{exponent:+d}"


def regime(gamma: float, sigma_max: float) -> str:
    r"""What the theorem says for :math:`\gamma\,\sigma_{\max}(W_{hh})`.

    * :math:`\gamma\sigma_{\max} < 1`: ``"guaranteed to vanish"`` (sufficient condition);
    * :math:`= 1`: the bound stays 1, so the gradient cannot explode, but nothing forces it to vanish;
    * :math:`> 1`: ``"may explode (necessary condition met)"`` (not sufficient).
    """
    if not (np.isfinite(gamma) and gamma > 0 and np.isfinite(sigma_max) and sigma_max >= 0):
        raise ValueError(f"gamma must be > 0 and sigma_max >= 0 (finite), got {gamma}, {sigma_max}")
    g = gamma * sigma_max
    if np.isclose(g, 1.0, rtol=1e-12, atol=0.0):
        return "cannot explode, need not vanish (bound constant at 1)"
    if g < 1.0:
        return "guaranteed to vanish"
    return "may explode (necessary condition met)"


def decay_table(w_h: float, activation: str = "sigmoid",
                ks: Sequence[int] = DECAY_KS) -> dict[str, np.ndarray]:
    r"""The sources' scalar decay table: the bound :math:`(\gamma |w_h|)^k` for several :math:`k`.

    For the scalar RNN :math:`h_t = f(w_h h_{t-1} + w_x x_t)`,
    :math:`|\partial h_T/\partial h_{T-k}| = \prod |w_h f'(z)| \le (\gamma |w_h|)^k`.

    Parameters
    ----------
    w_h : float in ``W_H_RANGE``
    activation : {"tanh", "sigmoid", "relu"}
    ks : sequence of int >= 0
        Steps back :math:`k = T - t`.

    Returns
    -------
    dict with ``k`` (K,), ``T`` (K,) (:math:`T = k + 1`, the sources' convention with
    :math:`t = 1`), ``factor`` (float, :math:`\gamma |w_h|`), ``gamma``, ``log10_bound`` (K,)
    and ``bound`` (K,) (0.0 or inf where :math:`10^{x}` is beyond float64; use ``log10_bound``).
    """
    w_h = _check_float_range(w_h, "w_h", W_H_RANGE)
    check_choice(activation, "activation", ACTIVATION_CHOICES)
    k = np.asarray(ks)
    if k.ndim != 1 or k.size == 0 or not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
        raise ValueError("ks must be a non-empty 1-d sequence of integers >= 0")
    gamma = get_activation(activation).gamma
    logb = np.asarray(log10_bound(gamma, abs(w_h), k), dtype=float)
    bound = np.zeros_like(logb)
    ok = (logb > LOG10_FLOAT64_TINY) & (logb < LOG10_FLOAT64_MAX)
    bound[ok] = 10.0 ** logb[ok]
    bound[logb >= LOG10_FLOAT64_MAX] = np.inf
    return {"k": k.astype(int), "T": k.astype(int) + 1, "factor": gamma * abs(w_h),
            "gamma": gamma, "log10_bound": logb, "bound": bound}


def decay_table_html(table: dict[str, np.ndarray], activation: str, w_h: float) -> str:
    """An HTML table of :func:`decay_table`'s result, with where each entry falls against the epsilons."""
    rows = []
    for T, k, lb in zip(table["T"], table["k"], table["log10_bound"], strict=True):
        if lb < LOG10_EPS64:
            note = "below float64 eps"
        elif lb < LOG10_EPS32:
            note = "below float32 eps"
        elif lb > 0:
            note = "above 1 (growing bound)"
        else:
            note = ""
        lb_text = "-inf" if lb == -np.inf else f"{lb:.2f}"
        rows.append(f"<tr><td>{T}</td><td>{k}</td><td>{format_log10(lb, 3)}</td>"
                    f"<td>{lb_text}</td><td>{note}</td></tr>")
    head = (f"<p>{html.escape(activation)}, &gamma; = {table['gamma']:g}, "
            f"|w<sub>h</sub>| = {abs(w_h):g}: factor per step &gamma;|w<sub>h</sub>| = "
            f"{table['factor']:.4g}</p>")
    return (head + "<table><thead><tr><th>T</th><th>steps back k</th>"
            "<th>bound (&gamma;|w<sub>h</sub>|)<sup>k</sup></th><th>log<sub>10</sub></th>"
            "<th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _explorer_params(norm: float, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, n])
    G = rng.normal(size=(n, n))
    W_xh = rng.normal(size=(n, _INPUT_DIM)) / np.sqrt(_INPUT_DIM)
    return {"W_xh": W_xh, "W_hh": rescale_spectral_norm(G, norm), "b_h": np.zeros(n)}


def _evaluation_steps(T: int, max_points: int) -> np.ndarray:
    if T <= max_points:
        return np.arange(1, T + 1)
    return np.unique(np.round(np.linspace(1, T, max_points)).astype(int))


def bound_explorer_data(norm: float, T: int, n: int, activation: str = "tanh",
                        seed: int = 0, samples: int = 5, max_points: int = 14
                        ) -> dict[str, Any]:
    r"""Everything the gradient-bound explorer shows for one slider position.

    :math:`W_{hh}` is a seeded Gaussian :math:`(n, n)` matrix rescaled to
    :math:`\sigma_{\max}(W_{hh}) = ` ``norm``; ``W_xh`` ``(n, 4)`` is seeded Gaussian
    :math:`/2`, ``b_h = 0``, :math:`h_0 = 0`, and ``samples`` input sequences
    :math:`x_t \sim N(0, I_4)` are drawn from the same seed. All values are in
    :math:`\log_{10}` units.

    Parameters
    ----------
    norm : float in ``NORM_RANGE``
    T : int in ``T_RANGE``
    n : int in ``HIDDEN_RANGE``
    activation : one of ``ACTIVATION_CHOICES``
    seed : int >= 0
    samples : int in [2, 64]
    max_points : int >= 2
        The measured norm is computed exactly at ``k = 0`` and at most ``max_points``
        steps :math:`k = T - t \in [1, T]` (all of them when ``T <= max_points``).

    Returns
    -------
    dict with
        ``k_bound`` (T+1,) and ``log10_bound`` (T+1,): the bound at every :math:`k = 0..T`;
        ``k`` (K,) and ``log10_measured`` (samples, K) (``-inf`` = exactly zero);
        ``median``, ``lo``, ``hi`` (K,): median and 10%/90% quantiles, exact zeros
        replaced by ``floor``; ``zero_fraction`` (K,); ``floor`` (float);
        ``gamma``, ``sigma_max``, ``gamma_sigma``, ``regime``, ``activation``, ``T``, ``n``,
        ``readout`` (dict of values at :math:`k = T`).
    """
    norm = _check_float_range(norm, "norm (spectral norm of W_hh)", NORM_RANGE)
    T = _check_int_range(T, "T", T_RANGE)
    n = _check_int_range(n, "n (hidden size)", HIDDEN_RANGE)
    check_choice(activation, "activation", ACTIVATION_CHOICES)
    seed = check_positive_int(seed, "seed", minimum=0)
    samples = _check_int_range(samples, "samples", (2, 64))
    max_points = check_positive_int(max_points, "max_points", minimum=2)

    gamma = get_activation(activation).gamma
    params = _explorer_params(norm, n, seed)
    X = np.random.default_rng([seed, n, T, samples]).normal(size=(T, samples, _INPUT_DIM))
    ks = _evaluation_steps(T, max_points)
    measured = jacobian_norms(X, params, activation, ks=ks)
    k = np.concatenate([[0], ks])
    measured = np.concatenate([np.zeros((samples, 1)), measured], axis=1)  # ||I|| = 1

    k_bound = np.arange(T + 1)
    logb = np.asarray(log10_bound(gamma, norm, k_bound), dtype=float)

    finite = measured[np.isfinite(measured)]
    lowest = min(float(finite.min()), float(logb.min()), LOG10_EPS64)
    floor = float(np.floor(lowest - 10.0))
    filled = np.where(np.isfinite(measured), measured, floor)
    lo, median, hi = np.quantile(filled, [_QUANTILES[0], 0.5, _QUANTILES[1]], axis=0)
    zero_fraction = np.mean(~np.isfinite(measured), axis=0)

    readout = {
        "k": T,
        "log10_bound": float(logb[-1]),
        "log10_median": float(median[-1]) if zero_fraction[-1] < 0.5 else -np.inf,
        "log10_lo": float(lo[-1]) if zero_fraction[-1] <= _QUANTILES[0] else -np.inf,
        "log10_hi": float(hi[-1]) if zero_fraction[-1] < _QUANTILES[1] else -np.inf,
        "zero_fraction": float(zero_fraction[-1]),
    }
    return {
        "k_bound": k_bound, "log10_bound": logb, "k": k, "log10_measured": measured,
        "median": median, "lo": lo, "hi": hi, "zero_fraction": zero_fraction, "floor": floor,
        "gamma": gamma, "sigma_max": norm, "gamma_sigma": gamma * norm,
        "regime": regime(gamma, norm), "activation": activation, "T": T, "n": n,
        "samples": samples, "readout": readout,
    }


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------
def _ylim(data: dict[str, Any]) -> tuple[float, float]:
    values = np.concatenate([data["log10_bound"], data["lo"], data["hi"],
                             [LOG10_EPS64, LOG10_EPS32, 0.0]])
    lo, hi = float(values.min()), float(values.max())
    pad = max(2.0, 0.06 * (hi - lo))
    return lo - pad, hi + pad


def _title(data: dict[str, Any]) -> str:
    # plain text, no mathtext: it changes on every slider move and mathtext parsing is slow
    return (f"{data['activation']}, n = {data['n']}, \u03c3max(W_hh) = {data['sigma_max']:.3g}, "
            f"\u03b3\u00b7\u03c3max = {data['gamma_sigma']:.3g}: {data['regime']}")


def _band(ax: Axes, data: dict[str, Any]):
    return ax.fill_between(data["k"], data["lo"], data["hi"], color=COLORS["measured"],
                           alpha=0.25, linewidth=0, label="measured, 10–90% of inputs")


def _range_note(data: dict[str, Any], ylim: tuple[float, float]) -> str:
    notes = []
    if np.any(data["zero_fraction"] > 0):
        notes.append(f"exact zeros (dead ReLU units) drawn at the floor 10^{data['floor']:.0f}")
    if ylim[0] < LOG10_FLOAT64_TINY:
        notes.append("shaded: below the smallest normal float64 (naive products underflow)")
    if ylim[1] > LOG10_FLOAT64_MAX:
        notes.append("shaded: beyond the float64 range (naive products overflow)")
    return "\n".join(notes)


def draw_bound_explorer(ax: Axes, data: dict[str, Any], legend: bool = True,
                        title: bool = True) -> dict[str, Any]:
    r"""Draw one slider position of the explorer on ``ax``; return the artists for updating.

    This is the matplotlib version, for the book's static figure; the live widget draws the
    same elements as an SVG string (:func:`bound_explorer_svg`), because rendering a figure to
    a PNG after every slider move costs tens of milliseconds. No mathtext is used.
    y is :math:`\log_{10}` of the norm (so over- and underflow are plain numbers), x is
    :math:`T - t`. Dotted lines mark the float32 and float64 machine epsilons; regions
    beyond the float64 range are shaded and labelled.
    """
    art: dict[str, Any] = {"ax": ax}
    art["bound"], = ax.plot(data["k_bound"], data["log10_bound"], color=COLORS["bound"],
                            linestyle="--", label="bound (\u03b3\u00b7\u03c3max)^(T\u2212t)")
    art["band"] = _band(ax, data)
    art["median"], = ax.plot(data["k"], data["median"], color=COLORS["measured"],
                             label="measured \u2016\u2202h_T/\u2202h_t\u2016\u2082, median")
    art["eps32"] = ax.axhline(LOG10_EPS32, color=COLORS["accent"], linestyle=":", linewidth=1.2,
                              label="float32 eps")
    art["eps64"] = ax.axhline(LOG10_EPS64, color=COLORS["highlight"], linestyle=":",
                              linewidth=1.2, label="float64 eps")
    art["under"] = ax.axhspan(-1e4, LOG10_FLOAT64_TINY, color=COLORS["muted"], alpha=0.2,
                              linewidth=0)
    art["over"] = ax.axhspan(LOG10_FLOAT64_MAX, 1e4, color=COLORS["muted"], alpha=0.2,
                             linewidth=0)
    art["note"] = ax.text(0.01, 0.02, "", transform=ax.transAxes, fontsize=8, va="bottom",
                          color="#222222")
    ax.set_xlabel("T \u2212 t (steps back)")
    ax.set_ylabel("log\u2081\u2080 of the norm")
    if legend:
        ax.legend(loc="upper left", fontsize=8, ncol=2)
    art["title"] = ax.set_title("", fontsize=9) if title else None
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(6))
    update_bound_explorer(art, data)
    return art


def update_bound_explorer(art: dict[str, Any], data: dict[str, Any]) -> None:
    """Move the artists made by :func:`draw_bound_explorer` to new data (no new figure)."""
    ax = art["ax"]
    art["bound"].set_data(data["k_bound"], data["log10_bound"])
    art["median"].set_data(data["k"], data["median"])
    art["band"].remove()
    art["band"] = _band(ax, data)
    ylim = _ylim(data)
    ax.set_xlim(0, data["T"])
    ax.set_ylim(*ylim)
    note = _range_note(data, ylim)
    art["note"].set_text(note)
    art["note"].set_visible(bool(note))
    if art["title"] is not None:
        art["title"].set_text(_title(data))


def plot_bound_explorer(norm: float = 1.5, T: int = 100, n: int = 32, activation: str = "tanh",
                        seed: int = 0, ax: Axes | None = None) -> Figure:
    """A static figure of one slider position (what the live widget shows first)."""
    data = bound_explorer_data(norm, T, n, activation, seed)
    with mpl.rc_context(STYLE):
        if ax is None:
            fig = Figure(figsize=STYLE["figure.figsize"], layout="constrained")
            ax = fig.add_subplot()
        draw_bound_explorer(ax, data)
    return ax.figure


def bound_explorer_svg(data: dict[str, Any], uid: str = "rnnbook-bounds") -> str:
    """What the live explorer shows for one slider position: the plot as an inline SVG string.

    The same curves, epsilon lines, shaded float64 limits and note as
    :func:`draw_bound_explorer`; the legend is HTML next to it (``_LEGEND_HTML``).
    """
    ylim = _ylim(data)
    return svg_plot(
        spans=[Span(-1e4, LOG10_FLOAT64_TINY, COLORS["muted"]),
               Span(LOG10_FLOAT64_MAX, 1e4, COLORS["muted"])],
        bands=[Band(data["k"], data["lo"], data["hi"], COLORS["measured"])],
        hlines=[HLine(LOG10_EPS32, COLORS["accent"]), HLine(LOG10_EPS64, COLORS["highlight"])],
        lines=[Line(data["k_bound"], data["log10_bound"], COLORS["bound"], "--"),
               Line(data["k"], data["median"], COLORS["measured"])],
        xlim=(0, data["T"]), ylim=ylim, xlabel="T − t (steps back)",
        ylabel="log₁₀ of the norm", note=_range_note(data, ylim), uid=uid)


def _swatch(colour: str, style: str) -> str:
    return (f'<span style="display:inline-block;width:2.2em;border-top:3px {style} {colour};'
            f'vertical-align:middle;margin:0 0.3em 0 1em"></span>')


_LEGEND_HTML = (
    f"{_swatch(COLORS['bound'], 'dashed')}bound (γσ<sub>max</sub>)<sup>T−t</sup>"
    f"{_swatch(COLORS['measured'], 'solid')}measured ‖∂h<sub>T</sub>/∂h<sub>t</sub>‖<sub>2</sub>: "
    "median, band 10–90% of inputs"
    f"{_swatch(COLORS['accent'], 'dotted')}float32 eps"
    f"{_swatch(COLORS['highlight'], 'dotted')}float64 eps"
)


def _range_tag(log10_value: float) -> str:
    if LOG10_FLOAT64_TINY > log10_value > -np.inf:
        return " (below the smallest normal float64)"
    if log10_value > LOG10_FLOAT64_MAX:
        return " (beyond the float64 range)"
    return ""


def readout_html(data: dict[str, Any]) -> str:
    """The explorer's readout: bound and measured norm at :math:`T - t = T`, and the regime."""
    r = data["readout"]
    zero = (f"; {100 * r['zero_fraction']:.0f}% of the inputs give exactly 0"
            if r["zero_fraction"] > 0 else "")
    return (f"{html.escape(data['activation'])}, n = {data['n']}, "
            f"σ<sub>max</sub>(W<sub>hh</sub>) = {data['sigma_max']:.3g}. "
            f"<b>At T − t = T = {r['k']}:</b> bound (γσ<sub>max</sub>)<sup>T</sup> = "
            f"{format_log10(r['log10_bound'])}{_range_tag(r['log10_bound'])}; "
            f"measured ‖∂h<sub>T</sub>/∂h<sub>0</sub>‖ median {format_log10(r['log10_median'])}"
            f"{_range_tag(r['log10_median'])} "
            f"(10–90%: {format_log10(r['log10_lo'])} … {format_log10(r['log10_hi'])}){zero}.<br>"
            f"<b>γσ<sub>max</sub> = {data['gamma_sigma']:.3g}: {html.escape(data['regime'])}.</b>")


# ---------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------

def gradient_bound_explorer(norm: float = 1.5, T: int = 100, n: int = 32,
                            activation: str = "tanh", seed: int = 0, samples: int = 5):
    r"""The gradient-bound explorer: sliders for :math:`\sigma_{\max}(W_{hh})`, T, n, activation.

    Returns
    -------
    ipywidgets.VBox
        With extra attributes ``controls`` (dict of the four control widgets), ``plot`` (the
        ``HTML`` holding the SVG of :func:`bound_explorer_svg`), ``readout`` (an ``HTML``),
        ``refresh()`` (recompute and redraw from the current control values) and
        ``compute(norm, T, n, activation)`` (the cached :func:`bound_explorer_data`).
    """
    import ipywidgets as widgets

    data = bound_explorer_data(norm, T, n, activation, seed, samples)
    controls = {
        "norm": widgets.FloatSlider(value=norm, min=NORM_RANGE[0], max=NORM_RANGE[1], step=0.05,
                                    description="‖W_hh‖₂", continuous_update=False),
        "T": widgets.IntSlider(value=T, min=T_RANGE[0], max=T_RANGE[1], step=1,
                               description="T", continuous_update=False),
        "n": widgets.IntSlider(value=n, min=HIDDEN_RANGE[0], max=HIDDEN_RANGE[1], step=1,
                               description="hidden n", continuous_update=False),
        "activation": widgets.Dropdown(options=list(ACTIVATION_CHOICES), value=activation,
                                       description="activation"),
    }
    uid = f"rnnbook-bounds-{next(_WIDGET_IDS)}"
    legend = widgets.HTML(value=_LEGEND_HTML)
    plot = widgets.HTML(value=bound_explorer_svg(data, uid),
                        layout=widgets.Layout(width="100%", max_width="760px"))
    readout = widgets.HTML(value=readout_html(data))

    @functools.lru_cache(maxsize=256)       # going back to a position costs only the redraw
    def compute(norm: float, T: int, n: int, activation: str) -> dict[str, Any]:
        return bound_explorer_data(norm, T, n, activation, seed, samples)

    def refresh(change: object = None) -> None:
        new = compute(controls["norm"].value, controls["T"].value, controls["n"].value,
                      controls["activation"].value)
        plot.value = bound_explorer_svg(new, uid)
        readout.value = readout_html(new)

    for control in controls.values():
        control.observe(refresh, names="value")
    box = widgets.VBox([widgets.HBox([controls["norm"], controls["T"]]),
                        widgets.HBox([controls["n"], controls["activation"]]), legend, plot,
                        readout])
    box.controls, box.plot, box.readout, box.refresh, box.compute = (
        controls, plot, readout, refresh, compute)
    return box


def decay_table_widget(w_h: float = 0.9, activation: str = "sigmoid",
                       ks: Sequence[int] = DECAY_KS):
    r"""A ``w_h`` slider and an activation selector that regenerate the scalar decay table.

    Returns
    -------
    ipywidgets.VBox
        With extra attributes ``controls`` (dict) and ``table`` (the ``HTML`` widget).
    """
    import ipywidgets as widgets

    table = widgets.HTML(value=decay_table_html(decay_table(w_h, activation, ks), activation, w_h))
    controls = {
        "w_h": widgets.FloatSlider(value=w_h, min=W_H_RANGE[0], max=W_H_RANGE[1], step=0.05,
                                   description="w_h", continuous_update=True),
        "activation": widgets.Dropdown(options=list(ACTIVATION_CHOICES), value=activation,
                                       description="activation"),
    }

    def refresh(change: object = None) -> None:
        w, a = controls["w_h"].value, controls["activation"].value
        table.value = decay_table_html(decay_table(w, a, ks), a, w)

    for control in controls.values():
        control.observe(refresh, names="value")
    box = widgets.VBox([widgets.HBox(list(controls.values())), table])
    box.controls, box.table, box.refresh = controls, table, refresh
    return box
