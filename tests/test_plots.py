"""The book style."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: notebooks keep the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from rnnbook.plots import COLORS, STYLE, new_figure, use_book_style  # noqa: E402


def _luminance(color: str) -> float:
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_style_applies_and_figure_helper_works():
    use_book_style()
    assert matplotlib.rcParams["axes.spines.top"] is False
    fig, axes = new_figure(ncols=2)
    assert len(axes) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="ncols and nrows"):
        new_figure(ncols=0)


def test_text_colour_contrast_on_white_is_at_least_7_to_1():
    ratio = (1.05) / (_luminance(STYLE["text.color"]) + 0.05)
    assert ratio >= 7.0


def test_line_colours_are_distinguishable_from_white():
    """Every data colour except the grey reference line has contrast >= 2:1 against white."""
    for name, color in COLORS.items():
        if name == "muted":
            continue
        assert 1.05 / (_luminance(color) + 0.05) >= 2.0, name
