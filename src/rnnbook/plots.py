"""One figure style for the whole book.

Call :func:`use_book_style` once (the notebooks' import cell does) and take
colours from :data:`COLORS`, named by what they show, so that an LSTM is the
same colour in every chapter. The palette is Okabe and Ito's, which stays
distinguishable for the common forms of colour blindness; text and axes are
near-black for contrast.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["COLORS", "STYLE", "new_figure", "use_book_style"]

#: Colours by meaning (Okabe-Ito palette).
COLORS: dict[str, str] = {
    "rnn": "#0072B2",       # blue
    "lstm": "#D55E00",      # vermillion
    "gru": "#009E73",       # bluish green
    "bound": "#000000",     # black: theoretical bounds
    "measured": "#0072B2",  # blue: measured quantities
    "accent": "#E69F00",    # orange
    "muted": "#999999",     # grey: references, baselines
    "highlight": "#CC79A7",  # reddish purple
    "sky": "#56B4E9",       # sky blue
}

#: Matplotlib rcParams of the book style.
STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.edgecolor": "#222222",
    "axes.labelcolor": "#222222",
    "text.color": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": mpl.cycler(color=[COLORS[k] for k in
                                         ("rnn", "lstm", "gru", "accent", "highlight", "sky",
                                          "muted", "bound")]),
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to every later figure."""
    mpl.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None,
               height: float | None = None, **kwargs: object):
    """``plt.subplots`` in the book style; width and height in inches default to the style's.

    Returns
    -------
    (Figure, Axes or array of Axes)
    """
    if not (isinstance(ncols, int) and isinstance(nrows, int) and ncols >= 1 and nrows >= 1):
        raise ValueError(f"ncols and nrows must be integers >= 1, got {ncols}, {nrows}")
    w0, h0 = STYLE["figure.figsize"]  # type: ignore[misc]
    size = (width or w0 * min(ncols, 2) * (0.75 if ncols > 1 else 1.0),
            height or h0 * nrows)
    with mpl.rc_context(STYLE):
        return plt.subplots(nrows, ncols, figsize=size, **kwargs)
