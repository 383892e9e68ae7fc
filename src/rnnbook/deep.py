r"""Deep (stacked) and bidirectional recurrent networks, and three kinds of dropout for them.

Stacking
    Layer :math:`l` reads the state sequence of layer :math:`l-1` (layer 0 is the input):

    .. math:: h_t^{(l)} = \mathrm{cell}\bigl(h_t^{(l-1)} \odot m^{(l)},\; h_{t-1}^{(l)};\ \theta^{(l)}\bigr),
              \qquad h_t^{(0)} = x_t,

    where :math:`m^{(l)}` is an optional (inverted) dropout mask on the connection *between*
    layers. A layer may itself be bidirectional.

Bidirectional
    Two independent cells, one reading left to right and one right to left; the state at
    time :math:`t` is the concatenation
    :math:`[\overrightarrow{h}_t; \overleftarrow{h}_t]` of shape ``(B, n_fwd + n_bwd)``.

Recurrent dropout (variational, Gal and Ghahramani, 2016)
    One mask per sequence, reused at every step, on the copy of :math:`h_{t-1}` that enters
    :math:`W_{hh}` (and optionally one on :math:`x_t`); the state carried forward is not masked:

    .. math:: h_t = \mathrm{cell}(x_t \odot m_x,\; h_{t-1} \odot m_h), \qquad
              m_h \in \{0, 1/(1-p)\}^{B \times n} \text{ drawn once}.

Zoneout (Krueger et al., 2017)
    Each unit keeps its previous value with probability :math:`z`:

    .. math:: h_t = d_t \odot h_{t-1} + (1 - d_t) \odot \tilde h_t, \qquad
              d_t \sim \mathrm{Bernoulli}(z) \text{ at training time}, \quad d_t = z \text{ at test time}.

Every mask is an explicit argument, drawn by :func:`dropout_mask` or :func:`zoneout_mask` from an
``rng``, so each forward pass is a deterministic function of its masks and its backward pass can be
checked against finite differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_choice, check_positive_int, check_rng, check_shape
from .cells import (
    gru_step_backward,
    gru_step_forward,
    init_gru_params,
    init_lstm_params,
    init_rnn_params,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from .counting import count_params
from .sequence import CELLS, Trajectory, backward, forward, hidden_size

__all__ = [
    "BidirectionalGrads",
    "BidirectionalTrajectory",
    "StackedGrads",
    "StackedTrajectory",
    "VariationalTrajectory",
    "ZoneoutTrajectory",
    "bidirectional_backward",
    "bidirectional_forward",
    "causal_influence",
    "count_stacked_params",
    "depth_gradient_norms",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "init_stacked_params",
    "mask_noise_statistics",
    "stacked_backward",
    "stacked_forward",
    "variational_backward",
    "variational_forward",
    "zoneout_backward",
    "zoneout_forward",
    "zoneout_gradient_norms",
    "zoneout_mask",
]

Params = dict[str, np.ndarray]
Layer = Params | tuple[Params, Params]


def _check_probability(p: object, name: str, upper_open: bool = True) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(p).__name__}")
    p = float(p)
    ok = 0.0 <= p < 1.0 if upper_open else 0.0 <= p <= 1.0
    if not ok:
        rng_txt = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{name} must lie in {rng_txt}, got {p}")
    return p


def _check_shape_tuple(shape: object) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, tuple) or not shape:
        raise TypeError(f"shape must be a non-empty tuple of positive ints, got {shape!r}")
    return tuple(check_positive_int(s, "each entry of shape") for s in shape)


# ---------------------------------------------------------------------------
# masks and plain (inverted) dropout
# ---------------------------------------------------------------------------
def dropout_mask(shape: tuple[int, ...], p: float, rng: np.random.Generator | int | None = None,
                 train: bool = True) -> np.ndarray:
    r"""An inverted-dropout mask: each entry is 0 with probability ``p``, else :math:`1/(1-p)`.

    .. math:: m_j = \frac{b_j}{1-p}, \quad b_j \sim \mathrm{Bernoulli}(1-p), \qquad
              \mathbb{E}[m_j] = 1, \quad \mathrm{Var}[m_j] = \frac{p}{1-p}

    Parameters
    ----------
    shape : tuple of int
        ``(T, B, n)`` for a fresh mask at every step, ``(B, n)`` for one mask per sequence.
    p : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator or int
        Required when ``train`` is True.
    train : bool
        With ``False`` (evaluation mode) the mask is all ones: nothing is dropped and,
        because of the :math:`1/(1-p)` scaling at training time, nothing is rescaled.

    Returns
    -------
    numpy.ndarray of float64 with the given shape
    """
    shape = _check_shape_tuple(shape)
    p = _check_probability(p, "p")
    if not train:
        return np.ones(shape)
    if rng is None:
        raise TypeError("dropout_mask needs an rng in training mode")
    rng = check_rng(rng)
    keep = rng.random(shape) >= p
    return keep / (1.0 - p)


def dropout_forward(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    r"""Apply a dropout mask: :math:`Y = X \odot m` (``mask`` broadcast against ``X``).

    Parameters
    ----------
    X : (T, B, n) or (B, n)
    mask : array broadcastable to ``X``, e.g. ``(T, B, n)`` or ``(B, n)`` (same mask at
        every step)

    Returns
    -------
    Y : same shape as ``X``
    """
    X = as_array(X, "X")
    mask = _check_mask(mask, X.shape, "mask")
    return X * mask


def dropout_backward(dY: np.ndarray, mask: np.ndarray) -> np.ndarray:
    r"""Gradient of :func:`dropout_forward`: :math:`\partial L/\partial X = \partial L/\partial Y \odot m`,
    summed back to the shape of ``dY`` (which is the shape of ``X``)."""
    dY = as_array(dY, "dY")
    mask = _check_mask(mask, dY.shape, "mask")
    return dY * mask


def _check_mask(mask: object, target: tuple[int, ...], name: str) -> np.ndarray:
    mask = as_array(mask, name)
    try:
        out = np.broadcast_shapes(mask.shape, tuple(target))
    except ValueError:
        out = None
    if out != tuple(target):
        raise ValueError(f"{name} of shape {mask.shape} does not broadcast to {tuple(target)}")
    if np.any(mask < 0):
        raise ValueError(f"{name} must be non-negative")
    return mask


def zoneout_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator | int | None = None,
                 train: bool = True) -> np.ndarray:
    r"""Zoneout mask :math:`d`: at training time :math:`d_j \sim \mathrm{Bernoulli}(z)`
    (1 = keep the old value); at evaluation time its expectation, :math:`d_j = z`.

    Parameters
    ----------
    shape : tuple of int
        ``(T, B, n)``: a fresh draw at every step, every example and every unit.
    rate : float in [0, 1]
        The zoneout probability :math:`z`.
    rng : numpy.random.Generator or int
        Required when ``train`` is True.
    train : bool

    Returns
    -------
    numpy.ndarray of float64 with entries in {0, 1} (train) or all equal to ``rate`` (eval)
    """
    shape = _check_shape_tuple(shape)
    rate = _check_probability(rate, "rate", upper_open=False)
    if not train:
        return np.full(shape, rate)
    if rng is None:
        raise TypeError("zoneout_mask needs an rng in training mode")
    rng = check_rng(rng)
    return (rng.random(shape) < rate).astype(np.float64)


# ---------------------------------------------------------------------------
# bidirectional
# ---------------------------------------------------------------------------
@dataclass
class BidirectionalTrajectory:
    r"""Forward pass of a bidirectional layer.

    Attributes
    ----------
    fwd : Trajectory
        The left-to-right pass over ``X``.
    bwd : Trajectory
        The right-to-left pass, stored in the order it ran (over ``X[::-1]``).
    H : (T, B, n_fwd + n_bwd)
        :math:`[\overrightarrow{h}_t; \overleftarrow{h}_t]` for every ``t`` in input order.
    """

    fwd: Trajectory
    bwd: Trajectory
    H: np.ndarray = field(repr=False)

    @property
    def n_fwd(self) -> int:
        """Hidden size of the forward direction."""
        return int(self.fwd.H.shape[2])


class BidirectionalGrads(NamedTuple):
    """Gradients of a bidirectional layer (``dc0_*`` are ``None`` unless the cell is an LSTM)."""

    dX: np.ndarray
    dh0_fwd: np.ndarray
    dh0_bwd: np.ndarray
    dc0_fwd: np.ndarray | None
    dc0_bwd: np.ndarray | None
    grads_fwd: Params
    grads_bwd: Params


def bidirectional_forward(cell: str, X: np.ndarray, params_fwd: Params, params_bwd: Params,
                          h0_fwd: np.ndarray | None = None, h0_bwd: np.ndarray | None = None,
                          c0_fwd: np.ndarray | None = None, c0_bwd: np.ndarray | None = None,
                          **options: str) -> BidirectionalTrajectory:
    r"""Run a bidirectional layer (Schuster and Paliwal, 1997).

    .. math::
        \overrightarrow{h}_t = \mathrm{cell}(x_t, \overrightarrow{h}_{t-1}; \overrightarrow\theta),
        \qquad
        \overleftarrow{h}_t = \mathrm{cell}(x_t, \overleftarrow{h}_{t+1}; \overleftarrow\theta),
        \qquad
        h_t = [\overrightarrow{h}_t; \overleftarrow{h}_t]

    ``h0_bwd`` is the backward direction's state *after* the sequence,
    :math:`\overleftarrow{h}_{T+1}`. Every :math:`h_t` depends on the whole input
    :math:`x_1, \dots, x_T`, which is why the layer cannot stream.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    X : (T, B, d)
    params_fwd, params_bwd : dict
        Parameters of the two directions (hidden sizes may differ).
    h0_fwd, h0_bwd, c0_fwd, c0_bwd : (B, n), optional
        Initial states of each direction (zeros if omitted).
    **options
        Cell options, shared by both directions.

    Returns
    -------
    BidirectionalTrajectory with ``H`` of shape ``(T, B, n_fwd + n_bwd)``
    """
    check_choice(cell, "cell", CELLS)
    X = as_array(X, "X", ndim=3)
    fwd = forward(cell, X, params_fwd, h0_fwd, c0_fwd, **options)
    bwd = forward(cell, X[::-1], params_bwd, h0_bwd, c0_bwd, **options)
    H = np.concatenate([fwd.H, bwd.H[::-1]], axis=2)
    return BidirectionalTrajectory(fwd, bwd, H)


def bidirectional_backward(btraj: BidirectionalTrajectory, dH: np.ndarray
                           ) -> BidirectionalGrads:
    r"""Backpropagation through a bidirectional layer.

    The upstream gradient is split at ``n_fwd``: the first part runs BPTT backwards in time
    through the forward direction, the second part (time-reversed) through the backward
    direction; the two input gradients add, because both directions read every :math:`x_t`.

    Parameters
    ----------
    btraj : BidirectionalTrajectory
    dH : (T, B, n_fwd + n_bwd)

    Returns
    -------
    BidirectionalGrads
    """
    if not isinstance(btraj, BidirectionalTrajectory):
        raise TypeError("btraj must be a BidirectionalTrajectory from bidirectional_forward, "
                        f"got {type(btraj).__name__}")
    dH = as_array(dH, "dH", ndim=3)
    check_shape(dH, btraj.H.shape, "dH", "(T, B, n_fwd + n_bwd)")
    k = btraj.n_fwd
    dX_f, dh0_f, dc0_f, g_f = backward(btraj.fwd, dH[:, :, :k])
    dX_b_rev, dh0_b, dc0_b, g_b = backward(btraj.bwd, dH[:, :, k:][::-1])
    return BidirectionalGrads(dX_f + dX_b_rev[::-1], dh0_f, dh0_b, dc0_f, dc0_b, g_f, g_b)


# ---------------------------------------------------------------------------
# stacking
# ---------------------------------------------------------------------------
@dataclass
class StackedTrajectory:
    """Forward pass of a stack of layers.

    Attributes
    ----------
    cell : str
    layers : list
        One :class:`~rnnbook.sequence.Trajectory` (unidirectional layer) or
        :class:`BidirectionalTrajectory` per layer, bottom first.
    inputs : list of (T, B, ·) arrays
        What each layer read, after its dropout mask (``inputs[0]`` is the masked ``X``).
    masks : list
        The dropout mask on each layer's input, or ``None``.
    """

    cell: str
    layers: list = field(repr=False)
    inputs: list = field(repr=False)
    masks: list = field(repr=False)

    @property
    def H(self) -> np.ndarray:
        """The top layer's states ``(T, B, n_top)`` (``2n`` wide if it is bidirectional)."""
        return self.layers[-1].H

    @property
    def states(self) -> list[np.ndarray]:
        """Every layer's state sequence ``(T, B, n_l)``, bottom first."""
        return [lay.H for lay in self.layers]


class StackedGrads(NamedTuple):
    """Gradients of a stack.

    ``dh0[l]``/``dc0[l]`` are arrays for a unidirectional layer and ``(fwd, bwd)`` pairs for a
    bidirectional one (``dc0`` entries are ``None`` unless the cell is an LSTM); ``grads[l]``
    is a dict, or a ``(grads_fwd, grads_bwd)`` pair; ``dstates[l]`` is
    :math:`\\partial L/\\partial h^{(l)}_t` ``(T, B, n_l)`` (the total gradient reaching the states
    of layer ``l`` from above, before that layer's own BPTT).
    """

    dX: np.ndarray
    dh0: list
    dc0: list
    grads: list
    dstates: list


def _is_bidirectional(layer: object) -> bool:
    return isinstance(layer, tuple)


def _check_layers(layers: object) -> list:
    if not isinstance(layers, (list, tuple)) or len(layers) == 0:
        raise TypeError("layers must be a non-empty list of parameter dicts "
                        "(or (params_fwd, params_bwd) pairs for bidirectional layers)")
    if isinstance(layers, tuple) and len(layers) == 2 and all(isinstance(p, dict) for p in layers):
        raise TypeError("layers must be a list; wrap a single bidirectional layer as [(fwd, bwd)]")
    for i, layer in enumerate(layers):
        if isinstance(layer, tuple):
            if len(layer) != 2 or not all(isinstance(p, dict) for p in layer):
                raise TypeError(f"layers[{i}] must be a dict or a (params_fwd, params_bwd) pair")
        elif not isinstance(layer, dict):
            raise TypeError(f"layers[{i}] must be a dict of arrays, got {type(layer).__name__}")
    return list(layers)


def _per_layer(value: object, L: int, name: str) -> list:
    if value is None:
        return [None] * L
    if not isinstance(value, (list, tuple)) or len(value) != L:
        raise ValueError(f"{name} must be None or a list with one entry per layer ({L})")
    return list(value)


def stacked_forward(cell: str, X: np.ndarray, layers: Sequence[Layer],
                    h0: Sequence | None = None, c0: Sequence | None = None,
                    masks: Sequence[np.ndarray | None] | None = None,
                    **options: str) -> StackedTrajectory:
    r"""Run a stack of recurrent layers; layer :math:`l` reads the states of layer :math:`l-1`.

    .. math:: h_t^{(l)} = \mathrm{cell}\bigl(h_t^{(l-1)} \odot m^{(l)},\ h_{t-1}^{(l)};\ \theta^{(l)}\bigr),
              \qquad h_t^{(0)} = x_t

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        The cell of every layer.
    X : (T, B, d)
    layers : list
        Bottom first. A dict of cell parameters for a unidirectional layer, or a
        ``(params_fwd, params_bwd)`` pair for a bidirectional one. Layer ``l``'s ``W_xh``
        must have as many columns as layer ``l-1`` has outputs (``d`` for the first layer,
        ``n`` or ``n_fwd + n_bwd`` after that).
    h0, c0 : list, optional
        Per layer: ``None``, a ``(B, n)`` array, or for a bidirectional layer a
        ``(h0_fwd, h0_bwd)`` pair.
    masks : list, optional
        Per layer: ``None`` or a dropout mask (from :func:`dropout_mask`) multiplying that
        layer's *input*, broadcastable to ``(T, B, d_l)``: ``(T, B, d_l)`` for a fresh mask at
        every step, ``(B, d_l)`` for the same mask at every step. ``masks[0]`` acts on ``X``.
    **options
        Cell options shared by all layers.

    Returns
    -------
    StackedTrajectory
    """
    check_choice(cell, "cell", CELLS)
    X = as_array(X, "X", ndim=3)
    layers = _check_layers(layers)
    L = len(layers)
    h0s, c0s, mask_list = (_per_layer(v, L, nm) for v, nm in
                           ((h0, "h0"), (c0, "c0"), (masks, "masks")))
    inp = X
    trajs, inputs, used_masks = [], [], []
    for l, layer in enumerate(layers):
        mask = mask_list[l]
        if mask is not None:
            mask = _check_mask(mask, inp.shape, f"masks[{l}]")
            inp = inp * mask
        d_in = inp.shape[2]
        first = layer[0] if _is_bidirectional(layer) else layer
        if "W_xh" in first and np.shape(first["W_xh"])[-1] != d_in:
            raise ValueError(f"layer {l} W_xh must have {d_in} columns (the width of layer "
                             f"{l - 1}'s output), got shape {np.shape(first['W_xh'])}")
        if _is_bidirectional(layer):
            hf, hb = (None, None) if h0s[l] is None else h0s[l]
            cf, cb = (None, None) if c0s[l] is None else c0s[l]
            traj = bidirectional_forward(cell, inp, layer[0], layer[1], hf, hb, cf, cb, **options)
        else:
            traj = forward(cell, inp, layer, h0s[l], c0s[l], **options)
        trajs.append(traj)
        inputs.append(inp)
        used_masks.append(mask)
        inp = traj.H
    return StackedTrajectory(cell, trajs, inputs, used_masks)


def stacked_backward(straj: StackedTrajectory, dH: np.ndarray,
                     dH_layers: Sequence[np.ndarray | None] | None = None) -> StackedGrads:
    r"""Backpropagation through a stack, through time inside each layer and down through depth.

    The gradient reaching layer :math:`l`'s states is what the loss puts there directly plus
    what layer :math:`l+1` sends down through its input weights:

    .. math:: \frac{dL}{dh_t^{(l)}} = \frac{\partial L}{\partial h_t^{(l)}}
              + m_t^{(l+1)} \odot \Bigl(\frac{\partial L}{\partial x_t^{(l+1)}}\Bigr),

    and inside layer :math:`l` BPTT then carries it backwards in time (:func:`rnnbook.sequence.backward`).

    Parameters
    ----------
    straj : StackedTrajectory
    dH : (T, B, n_top)
        Gradient of the loss with respect to the top layer's states.
    dH_layers : list, optional
        Extra per-layer gradients ``(T, B, n_l)`` (``None`` where a layer has none), e.g. from
        a loss that also reads lower layers.

    Returns
    -------
    StackedGrads
    """
    if not isinstance(straj, StackedTrajectory):
        raise TypeError("straj must be a StackedTrajectory from stacked_forward, "
                        f"got {type(straj).__name__}")
    L = len(straj.layers)
    dH = as_array(dH, "dH", ndim=3)
    check_shape(dH, straj.H.shape, "dH", "(T, B, n_top)")
    extra = _per_layer(dH_layers, L, "dH_layers")
    dh0: list = [None] * L
    dc0: list = [None] * L
    grads: list = [None] * L
    dstates: list = [None] * L
    d_above = dH
    for l in reversed(range(L)):
        traj = straj.layers[l]
        dstate = d_above if l == L - 1 else d_above.copy()
        if extra[l] is not None:
            e = as_array(extra[l], f"dH_layers[{l}]", ndim=3)
            check_shape(e, traj.H.shape, f"dH_layers[{l}]", "(T, B, n_l)")
            dstate = dstate + e
        dstates[l] = dstate
        if isinstance(traj, BidirectionalTrajectory):
            g = bidirectional_backward(traj, dstate)
            dX = g.dX
            dh0[l], dc0[l] = (g.dh0_fwd, g.dh0_bwd), (g.dc0_fwd, g.dc0_bwd)
            grads[l] = (g.grads_fwd, g.grads_bwd)
        else:
            dX, dh0[l], dc0[l], grads[l] = backward(traj, dstate)
        if straj.masks[l] is not None:
            dX = dX * straj.masks[l]
        d_above = dX
    return StackedGrads(d_above, dh0, dc0, grads, dstates)


def init_stacked_params(cell: str, d: int, hidden_sizes: Sequence[int],
                        rng: np.random.Generator | int, bidirectional: bool = False,
                        **cell_init: object) -> list:
    """Parameters of a stack: layer 1 has ``d`` inputs, layer ``l > 1`` has the width of layer
    ``l - 1``'s output (``n_{l-1}``, or ``2 n_{l-1}`` when bidirectional).

    Returns
    -------
    list of dicts (or of ``(fwd, bwd)`` pairs when ``bidirectional``), bottom first
    """
    check_choice(cell, "cell", CELLS)
    d = check_positive_int(d, "d")
    if not isinstance(hidden_sizes, (list, tuple)) or not hidden_sizes:
        raise TypeError("hidden_sizes must be a non-empty list of positive ints")
    sizes = [check_positive_int(n, "each hidden size") for n in hidden_sizes]
    rng = check_rng(rng)
    make = {"rnn": init_rnn_params, "lstm": init_lstm_params, "gru": init_gru_params}[cell]
    layers: list = []
    d_in = d
    for n in sizes:
        if bidirectional:
            layers.append((make(d_in, n, rng, **cell_init), make(d_in, n, rng, **cell_init)))
            d_in = 2 * n
        else:
            layers.append(make(d_in, n, rng, **cell_init))
            d_in = n
    return layers


def count_stacked_params(cell: str, d: int, hidden_sizes: Sequence[int],
                         bidirectional: bool = False) -> list[int]:
    r"""Parameters of each layer of a stack, in closed form.

    .. math:: P^{(1)} = D\,G\,(n_1 d + n_1^2 + n_1), \qquad
              P^{(l)} = D\,G\,(n_l\, D n_{l-1} + n_l^2 + n_l) \quad (l > 1)

    with :math:`G` the cell's number of blocks (1, 4, 3) and :math:`D = 2` for bidirectional
    layers, 1 otherwise.

    Returns
    -------
    list of int, one count per layer (bottom first)
    """
    check_choice(cell, "cell", CELLS)
    d = check_positive_int(d, "d")
    if not isinstance(hidden_sizes, (list, tuple)) or not hidden_sizes:
        raise TypeError("hidden_sizes must be a non-empty list of positive ints")
    D = 2 if bidirectional else 1
    counts, d_in = [], d
    for n in hidden_sizes:
        n = check_positive_int(n, "each hidden size")
        counts.append(D * count_params(cell, d_in, n))
        d_in = D * n
    return counts


# ---------------------------------------------------------------------------
# variational (recurrent) dropout
# ---------------------------------------------------------------------------
@dataclass
class VariationalTrajectory:
    """Forward pass with variational dropout: states, caches and the two masks."""

    cell: str
    H: np.ndarray
    C: np.ndarray | None
    caches: list = field(repr=False)
    mask_h: np.ndarray = field(repr=False)
    mask_x: np.ndarray | None = field(repr=False)
    options: dict = field(default_factory=dict)


def variational_forward(cell: str, X: np.ndarray, params: Params, mask_h: np.ndarray,
                        mask_x: np.ndarray | None = None, h0: np.ndarray | None = None,
                        c0: np.ndarray | None = None, **options: str) -> VariationalTrajectory:
    r"""A vanilla RNN or LSTM with variational dropout (Gal and Ghahramani, 2016).

    .. math::
        \text{RNN:}\quad h_t &= f\bigl(W_{xh}(x_t \odot m_x) + W_{hh}(h_{t-1} \odot m_h) + b_h\bigr) \\
        \text{LSTM:}\quad a_t &= W_{xh}(x_t \odot m_x) + W_{hh}(h_{t-1} \odot m_h) + b_h,
        \ \text{then the usual gates; } c_t \text{ is not masked}

    The same masks ``m_x`` ``(B, d)`` and ``m_h`` ``(B, n)`` are used at every step: one
    mask per sequence. Only the copy of :math:`h_{t-1}` that enters the recurrent matrix is
    masked; the state that is returned and carried on is :math:`h_t` itself. With a fixed
    mask the layer is exactly a plain RNN whose :math:`W_{hh}` has its columns scaled by
    :math:`m_h` (one "thinned" network per sequence), which is Gal and Ghahramani's reading.

    Parameters
    ----------
    cell : {"rnn", "lstm"}
    X : (T, B, d)
    params : dict
    mask_h : (B, n), or (T, B, n)
        From ``dropout_mask((B, n), p, rng)``: one mask per sequence (variational); all ones
        for evaluation. A ``(T, B, n)`` mask draws a fresh mask at every step instead (the
        "naive" per-step recurrent dropout that Gal and Ghahramani compare against).
    mask_x : (B, d), optional
        Input mask, also fixed over time.
    h0, c0 : (B, n), optional
    **options
        ``activation=`` for the RNN.

    Returns
    -------
    VariationalTrajectory
    """
    check_choice(cell, "cell", ("rnn", "lstm"))
    X = as_array(X, "X", ndim=3)
    T, B, d = X.shape
    if T == 0:
        raise ValueError("X must hold at least one time step, got T = 0")
    n = hidden_size(params, cell)
    mask_h = as_array(mask_h, "mask_h", ndim=(2, 3))
    if mask_h.ndim == 2:
        check_shape(mask_h, (B, n), "mask_h", f"(B, n) = ({B}, {n}), one mask per sequence")
    else:
        check_shape(mask_h, (T, B, n), "mask_h", f"(T, B, n) = ({T}, {B}, {n}), a mask per step")
    if np.any(mask_h < 0):
        raise ValueError("mask_h must be non-negative")
    if mask_x is not None:
        mask_x = as_array(mask_x, "mask_x", ndim=2)
        check_shape(mask_x, (B, d), "mask_x", f"(B, d) = ({B}, {d}), one mask per sequence")
        if np.any(mask_x < 0):
            raise ValueError("mask_x must be non-negative")
    h = np.zeros((B, n)) if h0 is None else as_array(h0, "h0", ndim=2)
    check_shape(h, (B, n), "h0", f"(B, n) = ({B}, {n})")
    allowed = {"rnn": {"activation"}, "lstm": set()}[cell]
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"cell={cell!r} takes options {sorted(allowed)}, got {sorted(unknown)}")
    H = np.empty((T, B, n))
    caches = []
    C = None
    Xm = X if mask_x is None else X * mask_x

    def m_h(t: int) -> np.ndarray:
        return mask_h if mask_h.ndim == 2 else mask_h[t]

    if cell == "lstm":
        c = np.zeros((B, n)) if c0 is None else as_array(c0, "c0", ndim=2)
        check_shape(c, (B, n), "c0", f"(B, n) = ({B}, {n})")
        C = np.empty((T, B, n))
        for t in range(T):
            h, c, cache = lstm_step_forward(Xm[t], h * m_h(t), c, params)
            H[t], C[t] = h, c
            caches.append(cache)
    else:
        if c0 is not None:
            raise ValueError("c0 is only used by the LSTM")
        for t in range(T):
            h, cache = rnn_step_forward(Xm[t], h * m_h(t), params, **options)
            H[t] = h
            caches.append(cache)
    return VariationalTrajectory(cell, H, C, caches, mask_h, mask_x, dict(options))


def variational_backward(vtraj: VariationalTrajectory, dH: np.ndarray,
                         dh_T: np.ndarray | None = None, dc_T: np.ndarray | None = None
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Params]:
    r"""BPTT through :func:`variational_forward` with its masks fixed.

    The gradient leaving a step towards :math:`h_{t-1}` passes through the mask:
    :math:`\partial L/\partial h_{t-1} \mathrel{+}= m_h \odot (W_{hh}^\top \delta_t)`, and likewise
    :math:`\partial L/\partial x_t = m_x \odot (W_{xh}^\top \delta_t)`.

    Parameters
    ----------
    vtraj : VariationalTrajectory
    dH : (T, B, n)
    dh_T, dc_T : (B, n), optional

    Returns
    -------
    dX : (T, B, d)
    dh0 : (B, n)
    dc0 : (B, n) or None
    grads : dict with the keys of ``params``
    """
    if not isinstance(vtraj, VariationalTrajectory):
        raise TypeError("vtraj must be a VariationalTrajectory from variational_forward, "
                        f"got {type(vtraj).__name__}")
    T, B, n = vtraj.H.shape
    dH = as_array(dH, "dH", ndim=3)
    check_shape(dH, (T, B, n), "dH", f"(T, B, n) = ({T}, {B}, {n})")
    dh_next = np.zeros((B, n)) if dh_T is None else as_array(dh_T, "dh_T", ndim=2)
    check_shape(dh_next, (B, n), "dh_T", "(B, n)")
    dc_next = None
    if vtraj.cell == "lstm":
        dc_next = np.zeros((B, n)) if dc_T is None else as_array(dc_T, "dc_T", ndim=2)
        check_shape(dc_next, (B, n), "dc_T", "(B, n)")
    elif dc_T is not None:
        raise ValueError("dc_T is only used by the LSTM")
    d = vtraj.caches[0]["x"].shape[1]
    dX = np.empty((T, B, d))
    grads: Params | None = None
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        if vtraj.cell == "lstm":
            dX[t], dh_masked, dc_next, g = lstm_step_backward(dh, dc_next, vtraj.caches[t])
        else:
            dX[t], dh_masked, g = rnn_step_backward(dh, vtraj.caches[t])
        dh_next = dh_masked * (vtraj.mask_h if vtraj.mask_h.ndim == 2 else vtraj.mask_h[t])
        if grads is None:
            grads = g
        else:
            for key, value in g.items():
                grads[key] += value
    assert grads is not None
    if vtraj.mask_x is not None:
        dX = dX * vtraj.mask_x
    return dX, dh_next, dc_next, grads


# ---------------------------------------------------------------------------
# zoneout
# ---------------------------------------------------------------------------
@dataclass
class ZoneoutTrajectory:
    """Forward pass with zoneout: states, the candidates' caches and the masks ``D``."""

    cell: str
    H: np.ndarray
    H_tilde: np.ndarray = field(repr=False)
    H_prev: np.ndarray = field(repr=False)
    caches: list = field(repr=False)
    D: np.ndarray = field(repr=False)
    options: dict = field(default_factory=dict)


def zoneout_forward(cell: str, X: np.ndarray, params: Params, D: np.ndarray,
                    h0: np.ndarray | None = None, **options: str) -> ZoneoutTrajectory:
    r"""A vanilla RNN or GRU with zoneout on the hidden state (Krueger et al., 2017).

    .. math:: \tilde h_t = \mathrm{cell}(x_t, h_{t-1}), \qquad
              h_t = d_t \odot h_{t-1} + (1 - d_t) \odot \tilde h_t

    Parameters
    ----------
    cell : {"rnn", "gru"}
    X : (T, B, d)
    params : dict
    D : (T, B, n) with entries in [0, 1]
        Training: a Bernoulli(z) draw from :func:`zoneout_mask` (1 keeps the old value of
        that unit); evaluation: every entry equal to z (``zoneout_mask(..., train=False)``).
    h0 : (B, n), optional
    **options
        ``activation=`` (RNN), ``reset=``/``update=`` (GRU).

    Returns
    -------
    ZoneoutTrajectory
    """
    check_choice(cell, "cell", ("rnn", "gru"))
    X = as_array(X, "X", ndim=3)
    T, B, _ = X.shape
    if T == 0:
        raise ValueError("X must hold at least one time step, got T = 0")
    n = hidden_size(params, cell)
    D = as_array(D, "D", ndim=3)
    check_shape(D, (T, B, n), "D", f"(T, B, n) = ({T}, {B}, {n})")
    if np.any(D < 0) or np.any(D > 1):
        raise ValueError("D must have entries in [0, 1] (Bernoulli draws or the rate z)")
    h = np.zeros((B, n)) if h0 is None else as_array(h0, "h0", ndim=2)
    check_shape(h, (B, n), "h0", f"(B, n) = ({B}, {n})")
    allowed = {"rnn": {"activation"}, "gru": {"reset", "update"}}[cell]
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"cell={cell!r} takes options {sorted(allowed)}, got {sorted(unknown)}")
    step = rnn_step_forward if cell == "rnn" else gru_step_forward
    H, H_tilde, H_prev = np.empty((T, B, n)), np.empty((T, B, n)), np.empty((T, B, n))
    caches = []
    for t in range(T):
        h_tilde, cache = step(X[t], h, params, **options)
        H_prev[t], H_tilde[t] = h, h_tilde
        h = D[t] * h + (1.0 - D[t]) * h_tilde
        H[t] = h
        caches.append(cache)
    return ZoneoutTrajectory(cell, H, H_tilde, H_prev, caches, D, dict(options))


def zoneout_backward(ztraj: ZoneoutTrajectory, dH: np.ndarray,
                     dh_T: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, Params]:
    r"""BPTT through :func:`zoneout_forward` with the masks fixed.

    .. math:: \frac{\partial L}{\partial h_{t-1}} = d_t \odot \frac{dL}{dh_t}
              + \Bigl(\frac{\partial \tilde h_t}{\partial h_{t-1}}\Bigr)^{\!\top}
                \Bigl((1 - d_t) \odot \frac{dL}{dh_t}\Bigr)

    The first term is an identity path: a unit that zones out passes its gradient back
    unchanged, as a residual connection does.

    Parameters
    ----------
    ztraj : ZoneoutTrajectory
    dH : (T, B, n)
    dh_T : (B, n), optional

    Returns
    -------
    dX : (T, B, d)
    dh0 : (B, n)
    grads : dict with the keys of ``params``
    """
    if not isinstance(ztraj, ZoneoutTrajectory):
        raise TypeError("ztraj must be a ZoneoutTrajectory from zoneout_forward, "
                        f"got {type(ztraj).__name__}")
    T, B, n = ztraj.H.shape
    dH = as_array(dH, "dH", ndim=3)
    check_shape(dH, (T, B, n), "dH", f"(T, B, n) = ({T}, {B}, {n})")
    dh_next = np.zeros((B, n)) if dh_T is None else as_array(dh_T, "dh_T", ndim=2)
    check_shape(dh_next, (B, n), "dh_T", "(B, n)")
    step_back = rnn_step_backward if ztraj.cell == "rnn" else gru_step_backward
    d = ztraj.caches[0]["x"].shape[1]
    dX = np.empty((T, B, d))
    grads: Params | None = None
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        Dt = ztraj.D[t]
        dX[t], dh_prev, g = step_back((1.0 - Dt) * dh, ztraj.caches[t])
        dh_next = Dt * dh + dh_prev
        if grads is None:
            grads = g
        else:
            for key, value in g.items():
                grads[key] += value
    assert grads is not None
    return dX, dh_next, grads



# ---------------------------------------------------------------------------
# experiments used by the chapter (small, seeded, deterministic)
# ---------------------------------------------------------------------------
def causal_influence(cell: str, X: np.ndarray, t0: int, params_fwd: Params, params_bwd: Params,
                     delta: float = 1.0, **options: str) -> tuple[np.ndarray, np.ndarray]:
    r"""How much each output changes when the input at one time step changes.

    Adds ``delta`` to every entry of ``X[t0]`` and returns, for every step ``t``,
    :math:`\max |h'_t - h_t|` for a unidirectional layer (``params_fwd``) and for a
    bidirectional layer (``params_fwd``, ``params_bwd``). A causal layer gives exact zeros
    for ``t < t0``.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    X : (T, B, d)
    t0 : int in [0, T)
        The (0-based) step whose input is changed.
    params_fwd, params_bwd : dict
    delta : float

    Returns
    -------
    change_uni, change_bi : (T,) arrays
    """
    X = as_array(X, "X", ndim=3)
    if isinstance(t0, bool) or not isinstance(t0, (int, np.integer)) or not 0 <= t0 < X.shape[0]:
        raise ValueError(f"t0 must be an integer step in [0, {X.shape[0]}), got {t0!r}")
    X2 = X.copy()
    X2[t0] += float(delta)
    uni = [forward(cell, x, params_fwd, **options).H for x in (X, X2)]
    bi = [bidirectional_forward(cell, x, params_fwd, params_bwd, **options).H for x in (X, X2)]
    return (np.abs(uni[1] - uni[0]).max(axis=(1, 2)), np.abs(bi[1] - bi[0]).max(axis=(1, 2)))


def depth_gradient_norms(depths: Sequence[int], d: int, n: int, T: int, B: int, seeds: Sequence[int],
                         W_xh_norm: float | None = None) -> np.ndarray:
    r"""Norm of the gradient reaching the first layer of a stack of tanh RNNs, against depth.

    For each depth :math:`L` and seed: a stack of :math:`L` vanilla tanh layers of width ``n``
    (default initialisation: Xavier ``W_xh``, orthogonal ``W_hh``), optionally with every
    ``W_xh`` above the first rescaled to spectral norm ``W_xh_norm``; inputs
    :math:`\mathcal N(0, 1)`; loss :math:`u^\top h_T^{(L)}` with :math:`u \sim \mathcal N(0, I/n)`
    per example (read at the last step of the top layer only).

    Returns
    -------
    (len(depths), 3) array
        Mean over seeds of :math:`\|\partial L/\partial W_{xh}^{(1)}\|_F`,
        :math:`\|\partial L/\partial W_{hh}^{(1)}\|_F` and :math:`\|\partial L/\partial W_{hh}^{(L)}\|_F`.
    """
    from .bounds import rescale_spectral_norm

    d, n = check_positive_int(d, "d"), check_positive_int(n, "n")
    T, B = check_positive_int(T, "T"), check_positive_int(B, "B")
    if not seeds:
        raise ValueError("seeds must be a non-empty list of integers")
    out = np.zeros((len(depths), 3))
    for i, L in enumerate(depths):
        L = check_positive_int(L, "each depth")
        for seed in seeds:
            rng = np.random.default_rng(seed)
            layers = init_stacked_params("rnn", d, [n] * L, rng)
            if W_xh_norm is not None:
                for layer in layers[1:]:
                    layer["W_xh"] = rescale_spectral_norm(layer["W_xh"], W_xh_norm)
            X = rng.normal(size=(T, B, d))
            straj = stacked_forward("rnn", X, layers)
            dH = np.zeros_like(straj.H)
            dH[-1] = rng.normal(size=(B, n)) / np.sqrt(n)
            g = stacked_backward(straj, dH).grads
            out[i] += [np.linalg.norm(g[0]["W_xh"]), np.linalg.norm(g[0]["W_hh"]),
                       np.linalg.norm(g[-1]["W_hh"])]
    return out / len(seeds)


def mask_noise_statistics(X: np.ndarray, params: Params, p: float, n_masks: int,
                          rng: np.random.Generator | int) -> dict[str, dict[str, np.ndarray]]:
    r"""The noise each recurrent regulariser puts into the state of a tanh RNN.

    The single sequence ``X`` ``(T, 1, d)`` is run ``n_masks`` times with independent masks
    under three schemes at the same rate ``p``: per-step dropout on :math:`h_{t-1}` (fresh
    ``(T, B, n)`` masks), variational dropout (one ``(B, n)`` mask per sequence) and zoneout
    (rate :math:`z = p`). For each scheme and step :math:`t`:

    * ``std``: the standard deviation of :math:`h_t` over masks, averaged over units;
    * ``gap``: :math:`|\overline{h_t} - h_t^{\mathrm{eval}}|` averaged over units, the distance
      between the mean training-mode state and the evaluation-mode state;
    * ``autocorr`` (a scalar): the lag-1 correlation over time of the deviation
      :math:`h_t - \overline{h_t}`, pooled over masks and units, then averaged over units.

    Returns
    -------
    dict keyed by ``"per-step"``, ``"variational"``, ``"zoneout"``; each a dict with
    ``std`` (T,), ``gap`` (T,), ``autocorr`` (float) and ``mean`` (T, n).
    """
    X = as_array(X, "X", ndim=3)
    if X.shape[1] != 1:
        raise ValueError(f"X must hold a single sequence, shape (T, 1, d); got {X.shape}")
    p = _check_probability(p, "p")
    N = check_positive_int(n_masks, "n_masks", minimum=2)
    rng = check_rng(rng)
    T = X.shape[0]
    n = hidden_size(params, "rnn")
    XN = np.repeat(X, N, axis=1)
    H_eval = forward("rnn", X, params).H[:, 0]
    runs = {
        "per-step": (variational_forward("rnn", XN, params, dropout_mask((T, N, n), p, rng)).H,
                     H_eval),
        "variational": (variational_forward("rnn", XN, params, dropout_mask((N, n), p, rng)).H,
                        H_eval),
        "zoneout": (zoneout_forward("rnn", XN, params, zoneout_mask((T, N, n), p, rng)).H,
                    zoneout_forward("rnn", X, params, zoneout_mask((T, 1, n), p, train=False)).H[:, 0]),
    }
    stats = {}
    for name, (H, ev) in runs.items():
        mean = H.mean(axis=1)
        E = H - mean[:, None, :]
        num = (E[1:] * E[:-1]).sum(axis=(0, 1))
        den = np.sqrt((E[1:] ** 2).sum(axis=(0, 1)) * (E[:-1] ** 2).sum(axis=(0, 1)))
        auto = float(np.mean(num[den > 0] / den[den > 0])) if np.any(den > 0) else 0.0
        stats[name] = {"std": H.std(axis=1).mean(axis=1), "gap": np.abs(mean - ev).mean(axis=1),
                       "autocorr": auto, "mean": mean}
    return stats


def zoneout_gradient_norms(lengths: Sequence[int], rates: Sequence[float], params: Params,
                           n_masks: int, rng: np.random.Generator | int) -> np.ndarray:
    r"""Mean :math:`\log_{10} \|\partial (u^\top h_T) / \partial h_0\|` of a tanh RNN with zoneout.

    For each rate :math:`z` and length :math:`T`, ``n_masks`` sequences of
    :math:`\mathcal N(0, 1)` inputs (``d`` from ``params``) are run with independent zoneout masks;
    :math:`u` is a fixed random unit vector. Rate 0 is the plain RNN.

    Returns
    -------
    (len(rates), len(lengths)) array of mean log10 norms
    """
    N = check_positive_int(n_masks, "n_masks")
    rng = check_rng(rng)
    n = hidden_size(params, "rnn")
    d = int(params["W_xh"].shape[1])
    Tmax = max(check_positive_int(T, "each length") for T in lengths)
    X = rng.normal(size=(Tmax, N, d))
    u = rng.normal(size=n)
    u /= np.linalg.norm(u)
    out = np.zeros((len(rates), len(lengths)))
    for i, z in enumerate(rates):
        z = _check_probability(z, "rate", upper_open=False)
        for j, T in enumerate(lengths):
            D = zoneout_mask((T, N, n), z, rng)
            ztraj = zoneout_forward("rnn", X[:T], params, D)
            _, dh0, _ = zoneout_backward(ztraj, np.zeros((T, N, n)), dh_T=np.tile(u, (N, 1)))
            out[i, j] = np.mean(np.log10(np.linalg.norm(dh0, axis=1)))
    return out
