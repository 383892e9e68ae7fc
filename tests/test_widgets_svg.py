"""Tests of rnnbook.widgets.svg: the inline-SVG plot of the live widgets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from rnnbook.widgets.svg import Band, HLine, Line, Span, svg_plot


def _plot(**kwargs):
    x = np.arange(11.0)
    args = dict(lines=[Line(x, -x, "#0072B2", "--", "a <line>")],
                bands=[Band(x, -x - 1, -x + 1, "#0072B2")],
                spans=[Span(-1e4, -8, "#999999")], hlines=[HLine(-3.0, "#E69F00")],
                xlim=(0, 10), ylim=(-12, 1), xlabel="k", ylabel="log10", title="t & u",
                note="one\ntwo", legend="lower left")
    return svg_plot(**(args | kwargs))


def test_svg_is_well_formed_and_maps_the_data():
    svg = _plot()
    root = ET.fromstring(svg)            # well-formed XML, labels escaped
    assert root.tag.endswith("svg")
    pts = re.search(r'<polyline points="([^"]*)"', svg).group(1).split()
    xy = np.array([p.split(",") for p in pts], dtype=float)
    # x = 0 .. 10 maps linearly onto the plot's width, y = -x decreases downwards
    assert np.allclose(np.diff(xy[:, 0]), xy[1, 0] - xy[0, 0])
    assert np.all(np.diff(xy[:, 1]) > 0)
    assert "a &lt;line&gt;" in svg and "t &amp; u" in svg and ">two</text>" in svg
    assert 'stroke-dasharray="6 4"' in svg


def test_svg_is_deterministic_and_uses_the_uid():
    assert _plot() == _plot()
    assert 'id="w7-clip"' in _plot(uid="w7")


@pytest.mark.parametrize("xlim, ylim", [((0, 0), (0, 1)), ((0, 1), (1, 0)),
                                        ((0, np.inf), (0, 1)), ((0, 1), (np.nan, 1))])
def test_svg_rejects_bad_limits(xlim, ylim):
    with pytest.raises(ValueError, match="lo < hi"):
        _plot(xlim=xlim, ylim=ylim)


def test_svg_rejects_bad_legend():
    with pytest.raises(ValueError, match="legend"):
        _plot(legend="middle")


def test_far_out_values_stay_finite():
    x = np.arange(3.0)
    svg = svg_plot(lines=[Line(x, np.array([0.0, 1e300, -1e300]), "#000000")],
                   xlim=(0, 2), ylim=(0, 1))
    assert "inf" not in svg and "nan" not in svg.lower()
