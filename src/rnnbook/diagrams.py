r"""Box-and-arrow drawings of RNN task patterns and of an RNN unrolled in time.

Each drawing is computed in two steps so that it can be tested without looking at it:

* a *layout* (:func:`task_pattern_layout`), a plain description of which time steps carry
  an input box, which carry an output box, and which hidden cells are linked;
* a *drawing* (:func:`draw_task_pattern`, :func:`draw_unrolled_rnn`) that places
  ``matplotlib`` patches on an ``Axes`` in the book's colours and returns them.

Boxes are coloured by role: inputs sky blue, hidden cells blue (an encoder's) or green
(a decoder's), outputs orange. Rows from bottom to top: input, hidden state, output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._checks import check_choice, check_positive_int
from .plots import COLORS

__all__ = [
    "PATTERNS",
    "TaskLayout",
    "draw_task_pattern",
    "draw_unrolled_rnn",
    "task_pattern_layout",
]

#: The five input/output patterns of sequence tasks, in the order the book presents them.
PATTERNS: tuple[str, ...] = ("one_to_one", "one_to_many", "many_to_one", "many_to_many",
                             "encoder_decoder")

_TITLES = {
    "one_to_one": "one-to-one",
    "one_to_many": "one-to-many",
    "many_to_one": "many-to-one",
    "many_to_many": "many-to-many (synced)",
    "encoder_decoder": "many-to-many (encoder-decoder)",
}

_DX, _Y_IN, _Y_H, _Y_OUT = 1.25, 0.0, 1.1, 2.2   # column spacing and row heights
_W, _H = 0.8, 0.52                               # box size


@dataclass(frozen=True)
class TaskLayout:
    """Where the boxes of a task pattern go.

    Attributes
    ----------
    pattern : str
        One of :data:`PATTERNS`.
    n_steps : int
        Number of hidden cells (columns).
    inputs : tuple of int
        Columns that read an input :math:`x`.
    outputs : tuple of int
        Columns that emit an output :math:`y`.
    links : tuple of (int, int)
        Hidden-to-hidden arrows, ``(from_column, to_column)``.
    n_encoder : int
        Columns ``0 .. n_encoder-1`` belong to the encoder (all columns except in the
        encoder-decoder pattern, where the rest are the decoder).
    title : str
    """

    pattern: str
    n_steps: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    links: tuple[tuple[int, int], ...]
    n_encoder: int
    title: str


def task_pattern_layout(pattern: str, n_in: int | None = None,
                        n_out: int | None = None) -> TaskLayout:
    """The layout of one task pattern.

    Parameters
    ----------
    pattern : one of :data:`PATTERNS`
    n_in : int, optional
        Length of the input sequence (default 3; forced to 1 for one-to-one and one-to-many).
    n_out : int, optional
        Length of the output sequence (default 3 for one-to-many, 4 for encoder-decoder,
        ``n_in`` for synced many-to-many, 1 for the others).

    Returns
    -------
    TaskLayout

    Raises
    ------
    ValueError
        For an unknown pattern, a length below 1, or lengths the pattern does not allow
        (synced many-to-many needs ``n_out == n_in``).
    """
    check_choice(pattern, "pattern", PATTERNS)
    if n_in is not None:
        n_in = check_positive_int(n_in, "n_in")
    if n_out is not None:
        n_out = check_positive_int(n_out, "n_out")
    if pattern == "one_to_one":
        if (n_in or 1) != 1 or (n_out or 1) != 1:
            raise ValueError("one_to_one has exactly one input and one output")
        steps, inputs, outputs, n_enc = 1, (0,), (0,), 1
    elif pattern == "one_to_many":
        if (n_in or 1) != 1:
            raise ValueError("one_to_many has exactly one input (n_in=1)")
        steps = n_out or 3
        inputs, outputs, n_enc = (0,), tuple(range(steps)), steps
    elif pattern == "many_to_one":
        if (n_out or 1) != 1:
            raise ValueError("many_to_one has exactly one output (n_out=1)")
        steps = n_in or 3
        inputs, outputs, n_enc = tuple(range(steps)), (steps - 1,), steps
    elif pattern == "many_to_many":
        steps = n_in or n_out or 3
        if n_out is not None and n_out != steps:
            raise ValueError(f"synced many_to_many needs n_out == n_in, got {n_in} and {n_out}")
        inputs = outputs = tuple(range(steps))
        n_enc = steps
    else:  # encoder_decoder
        a, b = n_in or 3, n_out or 4
        steps, n_enc = a + b, a
        inputs, outputs = tuple(range(a)), tuple(range(a, a + b))
    links = tuple((i, i + 1) for i in range(steps - 1))
    return TaskLayout(pattern, steps, inputs, outputs, links, n_enc, _TITLES[pattern])


def _box(ax: Axes, x: float, y: float, text: str, color: str,
         fontsize: float = 10.0) -> FancyBboxPatch:
    patch = FancyBboxPatch((x - _W / 2, y - _H / 2), _W, _H,
                           boxstyle="round,pad=0.02,rounding_size=0.08",
                           facecolor=color, edgecolor="#222222", linewidth=1.0, alpha=0.9)
    ax.add_patch(patch)
    if len(text) > 6 and not text.startswith("$"):   # long words: smaller type to fit the box
        fontsize = min(fontsize, 7.5)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color="#111111")
    return patch


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float],
           color: str = "#222222", style: str = "-|>", **kwargs: object) -> FancyArrowPatch:
    arrow = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=11, color=color,
                            linewidth=1.3, shrinkA=0, shrinkB=0, **kwargs)
    ax.add_patch(arrow)
    return arrow


def _labels(given: Sequence[str] | None, count: int, default: list[str], name: str) -> list[str]:
    if given is None:
        return default
    given = [str(s) for s in given]
    if len(given) != count:
        raise ValueError(f"{name} must have {count} entries for this pattern, got {len(given)}")
    return given


def draw_task_pattern(ax: Axes, pattern: str, n_in: int | None = None,
                      n_out: int | None = None, input_labels: Sequence[str] | None = None,
                      output_labels: Sequence[str] | None = None,
                      title: bool = True) -> dict[str, list]:
    r"""Draw one task pattern: input boxes (bottom), hidden cells, output boxes (top).

    Parameters
    ----------
    ax : matplotlib Axes
        Drawn on in place; its axis lines are switched off.
    pattern : one of :data:`PATTERNS`
    n_in, n_out : int, optional
        Sequence lengths, as in :func:`task_pattern_layout`.
    input_labels, output_labels : list of str, optional
        Text of the input and output boxes (one per box), e.g. tokens of an example;
        default :math:`x_t` and :math:`y_t`.
    title : bool
        Put the pattern's name above the drawing.

    Returns
    -------
    dict
        ``"inputs"``, ``"hidden"``, ``"outputs"``: lists of box patches; ``"arrows"``: list of
        arrow patches (input-to-hidden, hidden-to-hidden, hidden-to-output), and ``"layout"``.
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    lay = task_pattern_layout(pattern, n_in, n_out)
    enc_dec = lay.pattern == "encoder_decoder"
    in_text = _labels(input_labels, len(lay.inputs),
                      [f"$x_{{{i + 1}}}$" for i in range(len(lay.inputs))], "input_labels")
    out_text = _labels(output_labels, len(lay.outputs),
                       [f"$y_{{{j + 1}}}$" for j in range(len(lay.outputs))], "output_labels")
    drawn: dict[str, list] = {"inputs": [], "hidden": [], "outputs": [], "arrows": [],
                              "layout": [lay]}
    for col in range(lay.n_steps):
        x = col * _DX
        in_encoder = col < lay.n_encoder
        name = (f"$h_{{{col + 1}}}$" if in_encoder or not enc_dec
                else f"$s_{{{col - lay.n_encoder + 1}}}$")
        color = COLORS["rnn"] if in_encoder else COLORS["gru"]
        drawn["hidden"].append(_box(ax, x, _Y_H, name, color))
    for text, col in zip(in_text, lay.inputs, strict=True):
        x = col * _DX
        drawn["inputs"].append(_box(ax, x, _Y_IN, text, COLORS["sky"], fontsize=9))
        drawn["arrows"].append(_arrow(ax, (x, _Y_IN + _H / 2), (x, _Y_H - _H / 2)))
    for text, col in zip(out_text, lay.outputs, strict=True):
        x = col * _DX
        drawn["outputs"].append(_box(ax, x, _Y_OUT, text, COLORS["accent"], fontsize=9))
        drawn["arrows"].append(_arrow(ax, (x, _Y_H + _H / 2), (x, _Y_OUT - _H / 2)))
    for a, b in lay.links:
        context = enc_dec and a == lay.n_encoder - 1
        color = COLORS["highlight"] if context else "#222222"
        drawn["arrows"].append(_arrow(ax, (a * _DX + _W / 2, _Y_H), (b * _DX - _W / 2, _Y_H),
                                      color=color))
        if context:
            ax.text((a + 0.5) * _DX + 0.12, _Y_H + 0.12, "$c$", ha="center", va="bottom",
                    color=COLORS["highlight"], fontsize=10)
    if enc_dec:
        mid = (lay.n_encoder - 0.5) * _DX
        ax.plot([mid, mid], [_Y_IN - 0.35, _Y_OUT + 0.35], color=COLORS["muted"],
                linestyle=":", linewidth=1.0)
        ax.text((lay.n_encoder - 1) * _DX / 2, _Y_IN - 0.45, "encoder", ha="center",
                va="top", fontsize=9, color=COLORS["rnn"])
        ax.text((lay.n_encoder + (lay.n_steps - 1)) * _DX / 2, _Y_IN - 0.45, "decoder",
                ha="center", va="top", fontsize=9, color=COLORS["gru"])
    _frame(ax, lay.n_steps, title=lay.title if title else None)
    return drawn


def _frame(ax: Axes, n_cols: int, title: str | None, left: float = 0.0) -> None:
    ax.set_xlim(left - _W / 2 - 0.3, (n_cols - 1) * _DX + _W / 2 + 0.3)
    ax.set_ylim(_Y_IN - _H / 2 - 0.45, _Y_OUT + _H / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)


def draw_unrolled_rnn(ax: Axes, T: int = 4, folded: bool = True) -> dict[str, list]:
    r"""Draw an RNN folded (one cell with a loop) and unrolled over ``T`` steps.

    Every input arrow is labelled :math:`W_{xh}`, every recurrent arrow :math:`W_{hh}` and
    every output arrow :math:`W_{hy}`: the same three matrices at every step (parameter
    sharing). The unrolled chain starts from the initial state :math:`h_0`.

    Parameters
    ----------
    ax : matplotlib Axes
    T : int >= 1
        Number of unrolled steps.
    folded : bool
        Also draw the folded cell and an equals sign on the left.

    Returns
    -------
    dict
        ``"cells"`` (``T`` hidden boxes, plus the folded one first if drawn), ``"inputs"``,
        ``"outputs"``, ``"arrows"`` (patch lists) and ``"weight_labels"`` (text objects).
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    T = check_positive_int(T, "T")
    drawn: dict[str, list] = {"cells": [], "inputs": [], "outputs": [], "arrows": [],
                              "weight_labels": []}

    def label(x: float, y: float, text: str, color: str, ha: str = "left") -> None:
        drawn["weight_labels"].append(ax.text(x, y, text, fontsize=8, color=color,
                                              ha=ha, va="center"))

    offset = 0.0
    if folded:
        drawn["cells"].append(_box(ax, 0.0, _Y_H, "$h_t$", COLORS["rnn"]))
        drawn["inputs"].append(_box(ax, 0.0, _Y_IN, "$x_t$", COLORS["sky"]))
        drawn["outputs"].append(_box(ax, 0.0, _Y_OUT, "$y_t$", COLORS["accent"]))
        drawn["arrows"].append(_arrow(ax, (0, _Y_IN + _H / 2), (0, _Y_H - _H / 2)))
        drawn["arrows"].append(_arrow(ax, (0, _Y_H + _H / 2), (0, _Y_OUT - _H / 2)))
        drawn["arrows"].append(_arrow(ax, (_W / 2, _Y_H + 0.12), (_W / 2, _Y_H - 0.12),
                                      color=COLORS["highlight"],
                                      connectionstyle="arc,angleA=0,angleB=0,armA=22,"
                                                      "armB=22,rad=6"))
        label(_W / 2 + 0.5, _Y_H, "$W_{hh}$", COLORS["highlight"])
        ax.text(1.75, _Y_H, "=", fontsize=18, ha="center", va="center")
        offset = 2.5
    x0 = offset
    drawn["cells"].append(_box(ax, x0, _Y_H, "$h_0$", "#dddddd"))
    for t in range(1, T + 1):
        x = x0 + t * _DX * 1.25
        drawn["cells"].append(_box(ax, x, _Y_H, f"$h_{{{t}}}$", COLORS["rnn"]))
        drawn["inputs"].append(_box(ax, x, _Y_IN, f"$x_{{{t}}}$", COLORS["sky"]))
        drawn["outputs"].append(_box(ax, x, _Y_OUT, f"$y_{{{t}}}$", COLORS["accent"]))
        drawn["arrows"].append(_arrow(ax, (x, _Y_IN + _H / 2), (x, _Y_H - _H / 2)))
        label(x + 0.05, (_Y_IN + _Y_H) / 2, "$W_{xh}$", "#444444")
        drawn["arrows"].append(_arrow(ax, (x, _Y_H + _H / 2), (x, _Y_OUT - _H / 2)))
        label(x + 0.05, (_Y_H + _Y_OUT) / 2, "$W_{hy}$", "#444444")
        prev = x - _DX * 1.25
        drawn["arrows"].append(_arrow(ax, (prev + _W / 2, _Y_H), (x - _W / 2, _Y_H),
                                      color=COLORS["highlight"]))
        label((prev + x) / 2, _Y_H + 0.2, "$W_{hh}$", COLORS["highlight"], ha="center")
    right = x0 + T * _DX * 1.25
    ax.set_xlim(-_W / 2 - 0.3, right + _W / 2 + 0.3)
    ax.set_ylim(_Y_IN - _H / 2 - 0.2, _Y_OUT + _H / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return drawn
