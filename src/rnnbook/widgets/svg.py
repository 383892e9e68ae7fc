r"""A tiny inline-SVG line plot, for widgets that must redraw within a few milliseconds.

Rendering a matplotlib figure to a PNG after every slider move costs tens of milliseconds
(mostly laying out and rasterising text, then PNG encoding). The live widgets instead build an
SVG string (lines, bands, shaded spans, ticks, labels) and put it in an ``ipywidgets.HTML``:
the browser rasterises it, and building the string costs about a millisecond. The same
pure-Python string is what the tests inspect.

:func:`svg_plot` is the only entry point; :class:`Line`, :class:`Band`, :class:`Span` and
:class:`HLine` describe what it draws. Coordinates are data units; ``ylim``/``xlim`` set the
visible window (everything is clipped to it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = ["Band", "HLine", "Line", "Span", "svg_plot"]

_DASH = {"-": "", "--": "6 4", ":": "1.5 3", "-.": "6 3 1.5 3"}


@dataclass(frozen=True)
class Line:
    """A polyline through ``(x, y)`` (1-d arrays of equal length), with a legend ``label``."""

    x: Any
    y: Any
    color: str
    dash: str = "-"
    label: str = ""
    width: float = 1.8


@dataclass(frozen=True)
class Band:
    """The region between ``y_lo`` and ``y_hi`` over ``x``, filled with ``color``."""

    x: Any
    y_lo: Any
    y_hi: Any
    color: str
    opacity: float = 0.25


@dataclass(frozen=True)
class Span:
    """A horizontal strip ``y0 <= y <= y1`` across the whole plot."""

    y0: float
    y1: float
    color: str
    opacity: float = 0.2


@dataclass(frozen=True)
class HLine:
    """A horizontal line at ``y`` across the whole plot."""

    y: float
    color: str
    dash: str = ":"
    width: float = 1.2


def _ticks(lo: float, hi: float, nbins: int, integer: bool = False) -> np.ndarray:
    t = MaxNLocator(nbins, integer=integer).tick_values(lo, hi)
    return t[(t >= lo - 1e-9 * abs(hi - lo)) & (t <= hi + 1e-9 * abs(hi - lo))]


def _fmt(v: float) -> str:
    text = f"{v:.6g}"
    return "0" if text in ("-0", "0") else text.replace("-", "\u2212")


def svg_plot(*, lines: Sequence[Line] = (), bands: Sequence[Band] = (),
             spans: Sequence[Span] = (), hlines: Sequence[HLine] = (),
             xlim: tuple[float, float], ylim: tuple[float, float], xlabel: str = "",
             ylabel: str = "", title: str = "", note: str = "", legend: str | None = None,
             width: int = 640, height: int = 340, uid: str = "rnnbook-plot") -> str:
    r"""An SVG line plot as a string (``<svg ...>...</svg>``), scaled to the page width.

    Parameters
    ----------
    lines, bands, spans, hlines : sequences of :class:`Line`, :class:`Band`, :class:`Span`,
        :class:`HLine`
        Drawn in the order spans, grid, bands, hlines, lines.
    xlim, ylim : (float, float), finite, ``lo < hi``
    xlabel, ylabel, title, note : str
        Plain text (escaped). ``note`` may hold several lines (``"\n"``); it is written at the
        lower left of the plot area.
    legend : {"upper left", "lower left", "upper right", "lower right"} or None
        Where to list the labelled lines (None: no legend).
    width, height : int
        The SVG's coordinate size in pixels.
    uid : str
        Prefix of the ids inside the SVG (a page with several plots needs distinct ones).

    Returns
    -------
    str
    """
    (x0, x1), (y0, y1) = map(float, xlim), map(float, ylim)
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise ValueError(f"xlim and ylim must be finite with lo < hi, got {xlim}, {ylim}")
    esc = html.escape
    top = 24 if title else 10
    L, R, B = 52, 12, 40
    pw, ph = width - L - R, height - top - B

    def px(x: np.ndarray) -> np.ndarray:
        return L + (np.asarray(x, dtype=float) - x0) * (pw / (x1 - x0))

    def py(y: np.ndarray) -> np.ndarray:
        yy = np.clip(np.asarray(y, dtype=float), y0 - 1e3 * (y1 - y0), y1 + 1e3 * (y1 - y0))
        return top + (y1 - yy) * (ph / (y1 - y0))

    def points(x: np.ndarray, y: np.ndarray) -> str:
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px(x).tolist(), py(y).tolist(), strict=True))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="100%" style="max-width:{width + 120}px;font-family:sans-serif" '
           f'role="img" aria-label="{esc(title or ylabel)}">',
           f'<defs><clipPath id="{esc(uid)}-clip"><rect x="{L}" y="{top}" width="{pw}" '
           f'height="{ph}"/></clipPath></defs>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<g clip-path="url(#{esc(uid)}-clip)">']
    for s in spans:
        lo, hi = max(min(s.y0, s.y1), y0), min(max(s.y0, s.y1), y1)
        if lo < hi:
            yt, yb = py(hi), py(lo)
            out.append(f'<rect x="{L}" y="{yt:.1f}" width="{pw}" height="{yb - yt:.1f}" '
                       f'fill="{s.color}" fill-opacity="{s.opacity}"/>')
    xt, yt = _ticks(x0, x1, 6, integer=True), _ticks(y0, y1, 6)
    grid = [f'M{v:.1f} {top}V{top + ph}' for v in px(xt)] + \
           [f'M{L} {v:.1f}H{L + pw}' for v in py(yt)]
    out.append(f'<path d="{"".join(grid)}" stroke="#222222" stroke-opacity="0.15" '
               f'stroke-width="0.8" fill="none"/>')
    for b in bands:
        x = np.asarray(b.x, dtype=float)
        poly = points(np.concatenate([x, x[::-1]]),
                      np.concatenate([np.asarray(b.y_hi, float), np.asarray(b.y_lo, float)[::-1]]))
        out.append(f'<polygon points="{poly}" fill="{b.color}" fill-opacity="{b.opacity}"/>')
    for h in hlines:
        if y0 <= h.y <= y1:
            out.append(f'<path d="M{L} {py(h.y):.1f}H{L + pw}" stroke="{h.color}" '
                       f'stroke-width="{h.width}" stroke-dasharray="{_DASH[h.dash]}"/>')
    for line in lines:
        out.append(f'<polyline points="{points(line.x, line.y)}" fill="none" '
                   f'stroke="{line.color}" stroke-width="{line.width}" '
                   f'stroke-dasharray="{_DASH[line.dash]}" stroke-linejoin="round"/>')
    out.append("</g>")
    out.append(f'<path d="M{L} {top}V{top + ph}H{L + pw}" stroke="#222222" fill="none"/>')
    labels = [f'<text x="{v:.1f}" y="{top + ph + 15}" text-anchor="middle">{_fmt(t)}</text>'
              for v, t in zip(px(xt), xt, strict=True)]
    labels += [f'<text x="{L - 5}" y="{v + 4:.1f}" text-anchor="end">{_fmt(t)}</text>'
               for v, t in zip(py(yt), yt, strict=True)]
    out.append(f'<g font-size="11" fill="#222222">{"".join(labels)}</g>')
    out.append(f'<text x="{L + pw / 2}" y="{height - 6}" text-anchor="middle" font-size="12" '
               f'fill="#222222">{esc(xlabel)}</text>')
    out.append(f'<text transform="translate(13 {top + ph / 2}) rotate(-90)" '
               f'text-anchor="middle" font-size="12" fill="#222222">{esc(ylabel)}</text>')
    if title:
        out.append(f'<text x="{L + pw / 2}" y="15" text-anchor="middle" font-size="12" '
                   f'fill="#222222">{esc(title)}</text>')
    if note:
        rows = note.split("\n")
        out.append('<g font-size="10.5" fill="#222222">' + "".join(
            f'<text x="{L + 6}" y="{top + ph - 6 - 13 * (len(rows) - 1 - j)}">{esc(r)}</text>'
            for j, r in enumerate(rows)) + "</g>")
    labelled = [line for line in lines if line.label]
    if legend is not None and labelled:
        if legend not in ("upper left", "lower left", "upper right", "lower right"):
            raise ValueError(f"legend must be a corner such as 'lower left', got {legend!r}")
        lx = L + 8 if legend.endswith("left") else L + pw - 230
        ly = top + 8 if legend.startswith("upper") else top + ph - 8 - 15 * len(labelled)
        rows = []
        for j, line in enumerate(labelled):
            yy = ly + 15 * j + 7
            rows.append(f'<path d="M{lx} {yy}h24" stroke="{line.color}" '
                        f'stroke-width="{line.width}" stroke-dasharray="{_DASH[line.dash]}"/>'
                        f'<text x="{lx + 30}" y="{yy + 4}">{esc(line.label)}</text>')
        out.append(f'<rect x="{lx - 4}" y="{ly - 3}" width="234" height="{15 * len(labelled) + 4}" '
                   f'fill="#ffffff" fill-opacity="0.8"/>'
                   f'<g font-size="10.5" fill="#222222">{"".join(rows)}</g>')
    out.append("</svg>")
    return "".join(out)
