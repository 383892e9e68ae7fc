r"""Run a cell over a whole sequence, forward and backward.

Sequences are time-major: ``X`` has shape ``(T, B, d)`` and the hidden states
``H`` have shape ``(T, B, n)``, with ``H[t]`` the state after reading ``X[t]``
(the book's :math:`h_{t+1}` when time is counted from 1).

:func:`forward` returns a :class:`Trajectory` that keeps every step's cache;
:func:`backward` walks it backwards, adding each step's parameter gradients.
This is backpropagation through time for a given upstream gradient ``dH``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import as_array, check_choice, check_shape
from .activations import get_activation
from .cells import (
    GATES,
    _gru_backward,
    _gru_forward,
    _lstm_backward,
    _lstm_forward,
    _rnn_backward,
    _rnn_forward,
    gru_step_forward,
    lstm_step_forward,
    rnn_step_forward,
)

__all__ = ["Trajectory", "backward", "forward", "hidden_size"]

CELLS = tuple(GATES)


def hidden_size(params: dict[str, np.ndarray], cell: str) -> int:
    """The hidden size :math:`n` of a cell's parameters (``W_hh`` is ``(G n, n)``)."""
    check_choice(cell, "cell", CELLS)
    if "W_hh" not in params:
        raise KeyError(f"{cell} params are missing 'W_hh'")
    return int(np.shape(params["W_hh"])[1])


@dataclass
class Trajectory:
    """Everything a forward pass over a sequence produced.

    Attributes
    ----------
    cell : str
        ``"rnn"``, ``"lstm"`` or ``"gru"``.
    H : (T, B, n)
        Hidden state after each step.
    C : (T, B, n) or None
        LSTM cell state after each step (``None`` for other cells).
    caches : list
        One cache per step, as returned by the cell's step function.
    options : dict
        Cell options (``activation`` for the RNN; ``reset``, ``update`` for the GRU).
    """

    cell: str
    H: np.ndarray
    C: np.ndarray | None
    caches: list = field(repr=False)
    options: dict = field(default_factory=dict)

    @property
    def h_T(self) -> np.ndarray:
        """Final hidden state ``(B, n)``."""
        return self.H[-1]

    @property
    def c_T(self) -> np.ndarray | None:
        """Final LSTM cell state ``(B, n)``, or ``None``."""
        return None if self.C is None else self.C[-1]


def forward(cell: str, X: np.ndarray, params: dict[str, np.ndarray],
            h0: np.ndarray | None = None, c0: np.ndarray | None = None,
            **options: str) -> Trajectory:
    r"""Run ``cell`` over the sequence ``X``, keeping every step's cache.

    .. math:: h_t = \mathrm{cell}(x_t, h_{t-1}; \theta), \qquad t = 1, \dots, T

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    X : (T, B, d)
        Time-major input sequence.
    params : dict
        The cell's parameters (see :mod:`rnnbook.cells`).
    h0 : (B, n), optional
        Initial hidden state; zeros if omitted.
    c0 : (B, n), optional
        Initial LSTM cell state; zeros if omitted. Only for ``cell="lstm"``.
    **options
        ``activation=`` for the RNN, ``reset=``/``update=`` for the GRU.

    Returns
    -------
    Trajectory
    """
    check_choice(cell, "cell", CELLS)
    X = as_array(X, "X", ndim=3)
    T, B, _ = X.shape
    if T == 0:
        raise ValueError("X must hold at least one time step, got T = 0")
    n = hidden_size(params, cell)
    h = np.zeros((B, n)) if h0 is None else as_array(h0, "h0", ndim=2)
    check_shape(h, (B, n), "h0", f"(B, n) = ({B}, {n})")
    if cell != "lstm" and c0 is not None:
        raise ValueError(f"c0 is only used by the LSTM, not by cell={cell!r}")
    allowed = {"rnn": {"activation"}, "lstm": set(), "gru": {"reset", "update"}}[cell]
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"cell={cell!r} takes options {sorted(allowed)}, got {sorted(unknown)}")

    H = np.empty((T, B, n))
    caches = []
    C = None
    # The first step goes through the public, checked step function; once it has
    # validated the shapes and values of the parameters and options, the loop runs
    # the unchecked core (the checks would otherwise cost as much as the products).
    if cell == "lstm":
        c = np.zeros((B, n)) if c0 is None else as_array(c0, "c0", ndim=2)
        check_shape(c, (B, n), "c0", f"(B, n) = ({B}, {n})")
        C = np.empty((T, B, n))
        for t in range(T):
            step = lstm_step_forward if t == 0 else _lstm_forward
            h, c, cache = step(X[t], h, c, params)
            H[t], C[t] = h, c
            caches.append(cache)
    elif cell == "rnn":
        act = get_activation(options.get("activation", "tanh"))
        for t in range(T):
            if t == 0:
                h, cache = rnn_step_forward(X[t], h, params, act)
            else:
                h, cache = _rnn_forward(X[t], h, params, act)
            H[t] = h
            caches.append(cache)
    else:
        for t in range(T):
            if t == 0:
                h, cache = gru_step_forward(X[t], h, params, **options)
                reset, update = cache["reset"], cache["update"]
            else:
                h, cache = _gru_forward(X[t], h, params, reset, update)
            H[t] = h
            caches.append(cache)
    return Trajectory(cell, H, C, caches, dict(options))


def backward(traj: Trajectory, dH: np.ndarray, dh_T: np.ndarray | None = None,
             dc_T: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, np.ndarray]]:
    r"""Backpropagation through time along a :class:`Trajectory`.

    The total derivative reaching :math:`h_t` is the direct term from the loss at step
    :math:`t` plus the term carried back from step :math:`t+1`:

    .. math::
        \frac{dL}{dh_t} = \frac{\partial L}{\partial h_t}
            + \left(\frac{\partial h_{t+1}}{\partial h_t}\right)^{\!\top} \frac{dL}{dh_{t+1}}

    and each step's parameter gradients are summed, because the parameters are shared.

    Parameters
    ----------
    traj : Trajectory
        From :func:`forward`.
    dH : (T, B, n)
        :math:`\partial L / \partial h_t` for every step (zeros where the loss does not
        read the state).
    dh_T, dc_T : (B, n), optional
        Extra gradient on the final states (e.g. from a later chunk or a decoder).

    Returns
    -------
    dX : (T, B, d)
    dh0 : (B, n)
    dc0 : (B, n) or None
        ``None`` unless the cell is an LSTM.
    grads : dict
        Gradients of the cell's parameters, same keys and shapes as ``params``.
    """
    if not isinstance(traj, Trajectory):
        raise TypeError(f"traj must be a Trajectory from rnnbook.sequence.forward, "
                        f"got {type(traj).__name__}")
    T, B, n = traj.H.shape
    dH = as_array(dH, "dH", ndim=3)
    check_shape(dH, (T, B, n), "dH", f"(T, B, n) = ({T}, {B}, {n})")
    dh_next = np.zeros((B, n)) if dh_T is None else as_array(dh_T, "dh_T", ndim=2)
    check_shape(dh_next, (B, n), "dh_T", "(B, n)")
    dc_next = None
    if traj.cell == "lstm":
        dc_next = np.zeros((B, n)) if dc_T is None else as_array(dc_T, "dc_T", ndim=2)
        check_shape(dc_next, (B, n), "dc_T", "(B, n)")
    elif dc_T is not None:
        raise ValueError(f"dc_T is only used by the LSTM, not by cell={traj.cell!r}")

    d = traj.caches[0]["x"].shape[1]
    dX = np.empty((T, B, d))
    grads: dict[str, np.ndarray] | None = None
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        if traj.cell == "lstm":
            dX[t], dh_next, dc_next, g = _lstm_backward(dh, dc_next, traj.caches[t])
        elif traj.cell == "rnn":
            dX[t], dh_next, g = _rnn_backward(dh, traj.caches[t])
        else:
            dX[t], dh_next, g = _gru_backward(dh, traj.caches[t])
        if grads is None:
            grads = g
        else:
            for key, value in g.items():
                grads[key] += value
    assert grads is not None
    return dX, dh_next, dc_next, grads
