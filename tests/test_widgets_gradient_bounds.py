"""Tests of rnnbook.widgets.gradient_bounds: pure data functions, drawing, widgets, slider corners."""

from __future__ import annotations

import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnbook.bounds import jacobian_norms
from rnnbook.widgets import gradient_bounds as gb


# ---------------------------------------------------------------------------
# bound_explorer_data
# ---------------------------------------------------------------------------
def test_explorer_data_shapes_and_bound():
    d = gb.bound_explorer_data(1.5, 50, 8, "tanh", seed=3)
    assert d["k_bound"].shape == d["log10_bound"].shape == (51,)
    K = d["k"].size
    assert d["log10_measured"].shape == (5, K)
    assert d["k"][0] == 0 and d["k"][-1] == 50
    np.testing.assert_allclose(d["log10_bound"], d["k_bound"] * np.log10(1.5))
    # the theorem, at every plotted k and for every sample
    bound_at_k = d["log10_bound"][d["k"]]
    assert np.all(d["log10_measured"] <= bound_at_k + 1e-9)
    assert d["regime"] == "may explode (necessary condition met)"


def test_explorer_data_is_seeded():
    a = gb.bound_explorer_data(2.0, 40, 10, "relu", seed=1)
    b = gb.bound_explorer_data(2.0, 40, 10, "relu", seed=1)
    c = gb.bound_explorer_data(2.0, 40, 10, "relu", seed=2)
    np.testing.assert_array_equal(a["log10_measured"], b["log10_measured"])
    assert not np.array_equal(a["log10_measured"], c["log10_measured"])


def test_explorer_matches_reference_on_all_k():
    d = gb.bound_explorer_data(0.7, 20, 5, "sigmoid", seed=0, max_points=50)
    params = gb._explorer_params(0.7, 5, 0)
    X = np.random.default_rng([0, 5, 20, 5]).normal(size=(20, 5, 4))
    np.testing.assert_allclose(d["log10_measured"][:, 1:], jacobian_norms(X, params, "sigmoid"),
                               atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    (dict(norm=0.05), r"\[0.1, 8.0\]"), (dict(norm=8.5), r"\[0.1, 8.0\]"),
    (dict(norm=float("nan")), "norm"), (dict(T=1), "T must be >= 2"), (dict(T=201), r"\[2, 200\]"),
    (dict(n=0), "n \\(hidden size\\) must be >= 1"), (dict(n=65), r"\[1, 64\]"),
    (dict(activation="linear"), "activation must be one of"), (dict(samples=1), "samples"),
])
def test_explorer_rejects_out_of_range(kwargs, match):
    args = dict(norm=1.0, T=10, n=4, activation="tanh") | kwargs
    with pytest.raises(ValueError, match=match):
        gb.bound_explorer_data(**args)


def test_explorer_rejects_wrong_types():
    with pytest.raises(TypeError):
        gb.bound_explorer_data("1.0", 10, 4)
    with pytest.raises(TypeError):
        gb.bound_explorer_data(1.0, 10.0, 4)


def test_regime_texts():
    assert gb.regime(1.0, 0.99) == "guaranteed to vanish"
    assert gb.regime(0.25, 4.0).startswith("cannot explode")
    assert gb.regime(0.25, 4.01) == "may explode (necessary condition met)"
    with pytest.raises(ValueError):
        gb.regime(0.0, 1.0)


# ---------------------------------------------------------------------------
# decay table
# ---------------------------------------------------------------------------
def test_decay_table_sources_numbers():
    tab = gb.decay_table(0.9, "sigmoid")
    assert tab["factor"] == pytest.approx(0.225)
    np.testing.assert_array_equal(tab["T"], [2, 5, 10, 20, 50])
    np.testing.assert_allclose(tab["bound"], 0.225 ** np.array([1, 4, 9, 19, 49]), rtol=1e-12)


def test_decay_table_extremes_and_errors():
    tab = gb.decay_table(-4.0, "tanh", [0, 600])
    assert tab["bound"][0] == 1.0 and tab["bound"][1] == np.inf
    assert np.isfinite(tab["log10_bound"]).all()
    assert gb.decay_table(0.0, "relu", [0, 3])["log10_bound"][1] == -np.inf
    with pytest.raises(ValueError, match=r"\[-4.0, 4.0\]"):
        gb.decay_table(4.5, "tanh")
    with pytest.raises(ValueError, match="ks"):
        gb.decay_table(1.0, "tanh", [-1])
    with pytest.raises(ValueError, match="activation"):
        gb.decay_table(1.0, "softsign")


def test_decay_table_html_mentions_epsilons():
    text = gb.decay_table_html(gb.decay_table(0.9, "sigmoid"), "sigmoid", 0.9)
    assert "below float64 eps" in text and "below float32 eps" in text
    assert "1.81e-32" in text


def test_format_log10():
    assert gb.format_log10(np.log10(0.225 ** 49), 3) == "1.81e-32"
    assert gb.format_log10(-np.inf) == "0 (exactly)"
    assert gb.format_log10(400.0) == "1.0e+400"
    assert gb.format_log10(np.log10(38.443359375), 3) == "38.4"
    with pytest.raises(ValueError):
        gb.format_log10(float("nan"))


# ---------------------------------------------------------------------------
# every corner of every slider, warnings as errors
# ---------------------------------------------------------------------------
CORNERS = list(itertools.product(gb.NORM_RANGE, gb.T_RANGE, gb.HIDDEN_RANGE,
                                 gb.ACTIVATION_CHOICES))


@pytest.mark.parametrize("norm, T, n, activation", CORNERS)
def test_every_corner_is_finite_and_silent(norm, T, n, activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = gb.bound_explorer_data(norm, T, n, activation)
        for key in ("log10_bound", "median", "lo", "hi"):
            assert np.all(np.isfinite(d[key])), key
        assert not np.any(np.isnan(d["log10_measured"]))
        assert np.all(d["log10_measured"] <= d["log10_bound"][d["k"]] + 1e-9)
        fig = Figure()
        ax = fig.add_subplot()
        art = gb.draw_bound_explorer(ax, d)
        fig.canvas.draw()
        lo, hi = ax.get_ylim()
        assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
        # every plotted point is inside the axes
        assert lo <= d["lo"].min() and d["hi"].max() <= hi
        assert lo <= d["log10_bound"].min() and d["log10_bound"].max() <= hi
        html = gb.readout_html(d)
        assert "nan" not in html.lower() and "inf" not in html.replace("-inf", "")
        gb.update_bound_explorer(art, gb.bound_explorer_data(1.0, 10, 4, "tanh"))
        fig.canvas.draw()
        svg = gb.bound_explorer_svg(d)
        assert "nan" not in svg.lower() and "inf" not in svg.lower()
        assert svg.count("<polyline") == 2 and svg.count("<polygon") == 1


def test_underflow_corner_is_labelled():
    d = gb.bound_explorer_data(0.1, 200, 64, "sigmoid")
    assert d["readout"]["log10_median"] < gb.LOG10_FLOAT64_TINY   # below float64 range
    fig = Figure()
    art = gb.draw_bound_explorer(fig.add_subplot(), d)
    assert "below the smallest normal float64" in art["note"].get_text()
    text = gb.readout_html(d)
    assert "e-3" in text and "(below the smallest normal float64)" in text  # a number, not 0


@pytest.mark.parametrize("w_h", gb.W_H_RANGE + (0.0,))
@pytest.mark.parametrize("activation", gb.ACTIVATION_CHOICES)
def test_decay_table_corners(w_h, activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tab = gb.decay_table(w_h, activation)
        text = gb.decay_table_html(tab, activation, w_h)
    assert "nan" not in text.lower()


# ---------------------------------------------------------------------------
# the widgets, driven without a browser
# ---------------------------------------------------------------------------
def test_explorer_widget_responds_to_sliders():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box = gb.gradient_bound_explorer(norm=1.5, T=30, n=8)
        c = box.controls
        assert (c["norm"].min, c["norm"].max) == gb.NORM_RANGE
        assert (c["T"].min, c["T"].max) == gb.T_RANGE
        assert (c["n"].min, c["n"].max) == gb.HIDDEN_RANGE
        assert tuple(c["activation"].options) == gb.ACTIVATION_CHOICES
        svg0, text0 = box.plot.value, box.readout.value
        assert svg0.startswith("<svg") and svg0.endswith("</svg>")
        c["norm"].value = 0.5
        assert "guaranteed to vanish" in box.readout.value
        assert box.plot.value != svg0 and box.readout.value != text0
        c["activation"].value = "sigmoid"
        c["T"].value = 200
        c["n"].value = 64
        assert "T = 200" in box.readout.value
        # same position, same picture
        before = box.plot.value
        c["n"].value = 63
        c["n"].value = 64
        assert box.plot.value == before
        assert box.compute.cache_info().hits >= 1   # the return was not recomputed


def test_decay_widget_responds():
    box = gb.decay_table_widget(0.9, "sigmoid")
    assert "1.81e-32" in box.table.value
    box.controls["activation"].value = "tanh"
    assert "factor per step &gamma;|w<sub>h</sub>| = 0.9</p>" in box.table.value
    assert "<td>0.00573</td>" in box.table.value  # 0.9^49 = 5.73e-3
    box.controls["w_h"].value = -4.0
    assert "above 1" in box.table.value


def test_plot_bound_explorer_returns_figure():
    fig = gb.plot_bound_explorer(1.0, 20, 4, "relu")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
