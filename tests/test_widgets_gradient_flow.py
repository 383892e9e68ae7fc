"""The gradient-flow widget of the LSTM chapter: every slider corner, the figure, bad input."""

from __future__ import annotations

import html
import itertools
import re
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnbook.gradient_flow import FlowCurves
from rnnbook.widgets import gradient_flow as gfw

CURVES = ("rnn", "lstm_h", "lstm_c", "lstm_forget", "gru")
CORNERS = list(itertools.product((gfw.T_RANGE[0], gfw.T_RANGE[1]),
                                 (gfw.BIAS_RANGE[0], gfw.BIAS_RANGE[1])))


@pytest.mark.parametrize("T,forget_bias", CORNERS + [(int(gfw.DEFAULTS["T"]),
                                                       gfw.DEFAULTS["forget_bias"])])
def test_every_slider_corner_is_finite_and_silent(T, forget_bias):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = gfw.gradient_flow_data(T, forget_bias)
        fig = Figure()
        art = gfw.draw_gradient_flow(fig.add_subplot(), curves)
        fig.canvas.draw()
    assert curves.k.shape == (T,)
    for name in CURVES:
        values = getattr(curves, name)
        assert values.shape == (T,)
        assert np.all(np.isfinite(values)) and np.all(values >= gfw.FLOOR)
        x, y = art[name].get_data()
        np.testing.assert_array_equal(y, values)
    lo, hi = art["ax"].get_ylim()
    assert lo <= min(np.min(getattr(curves, c)) for c in CURVES)
    assert hi >= max(np.max(getattr(curves, c)) for c in CURVES) and hi >= 0


def test_widget_drives_every_corner_and_redraws():
    box = gfw.gradient_flow_widget()
    T_slider, b_slider = box.controls["T"], box.controls["forget_bias"]
    assert (T_slider.min, T_slider.max, T_slider.step) == gfw.T_RANGE
    assert (b_slider.min, b_slider.max, b_slider.step) == gfw.BIAS_RANGE
    assert (T_slider.value, b_slider.value) == (gfw.DEFAULTS["T"], gfw.DEFAULTS["forget_bias"])
    first = box.plot.value
    assert first.startswith("<svg") and first.endswith("</svg>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for T, b in CORNERS:
            T_slider.value, b_slider.value = T, b
            svg = box.plot.value
            # one polyline per curve, T points each, all finite numbers
            polylines = re.findall(r'<polyline points="([^"]*)"', svg)
            assert len(polylines) == len(gfw.LINES)
            for points in polylines:
                xy = np.array([p.split(",") for p in points.split()], dtype=float)
                assert xy.shape == (T, 2) and np.all(np.isfinite(xy))
            assert "nan" not in svg.lower() and "inf" not in svg.lower()
            assert f"T = {T}," in svg
    assert box.plot.value != first
    # a position shown before is not recomputed, and shows the same picture
    shown = box.plot.value
    count = len(box.computed)
    T_slider.value = gfw.T_RANGE[0] + gfw.T_RANGE[2]
    T_slider.value = CORNERS[-1][0]
    assert len(box.computed) == count + 1 and box.plot.value == shown


def test_svg_matches_the_curves():
    curves = gfw.gradient_flow_data(30, 0.5)
    svg = gfw.gradient_flow_svg(curves)
    for *_, label in gfw.LINES:
        assert html.escape(label) in svg
    with pytest.raises(TypeError):
        gfw.gradient_flow_svg({"k": 1})


def test_static_figure_has_the_five_curves():
    fig = gfw.plot_gradient_flow()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == len(gfw.LINES) == 5
    assert "T = 100" in ax.get_title()


def test_gated_cells_keep_more_gradient_than_the_rnn_at_the_default():
    curves = gfw.gradient_flow_data()
    assert curves.lstm_c[-1] > curves.gru[-1] > curves.rnn[-1]
    assert curves.lstm_c[-1] > curves.lstm_forget[-1]


def test_floor_clips_minus_inf():
    curves = gfw.gradient_flow_data(gfw.T_RANGE[1], gfw.BIAS_RANGE[0], floor=-5.0)
    assert min(np.min(getattr(curves, c)) for c in CURVES) == -5.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="T must lie"):
        gfw.validate_settings(gfw.T_RANGE[1] + 1, 1.0)
    with pytest.raises(ValueError, match="T must be >="):
        gfw.validate_settings(0, 1.0)
    with pytest.raises(TypeError, match="T must be an integer"):
        gfw.validate_settings(10.5, 1.0)
    with pytest.raises(ValueError, match="forget_bias must lie"):
        gfw.validate_settings(100, gfw.BIAS_RANGE[1] + 0.5)
    with pytest.raises(ValueError, match="forget_bias must lie"):
        gfw.validate_settings(100, float("nan"))
    with pytest.raises(TypeError, match="forget_bias"):
        gfw.validate_settings(100, True)
    with pytest.raises(ValueError, match="floor"):
        gfw.gradient_flow_data(floor=-np.inf)
    with pytest.raises(TypeError, match="FlowCurves"):
        gfw.draw_gradient_flow(Figure().add_subplot(), {"rnn": []})
    with pytest.raises(TypeError, match="FlowCurves"):
        gfw.update_gradient_flow({}, None)
    with pytest.raises(ValueError, match="T must lie"):
        gfw.gradient_flow_widget(T=5)
    assert FlowCurves  # the data class the widget draws
