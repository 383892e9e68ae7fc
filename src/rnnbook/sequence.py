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
    _lstm_forward,
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
    arrays : dict
        The per-step cache arrays stacked over time, ``(T, B, ...)``, of which the caches
        hold views (filled by :func:`forward`; :func:`backward` reads them instead of
        stacking the caches again).
    """

    cell: str
    H: np.ndarray
    C: np.ndarray | None
    caches: list = field(repr=False)
    options: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict, repr=False)

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
    C = None
    # The first step goes through the public, checked step function, which validates the
    # shapes and values of the parameters and options (its result is recomputed below).
    # After that the input products X_t @ W_xh.T + b_h of all steps are formed before the
    # loop, and the loop over time runs the cells' unchecked step functions, which write
    # each step's cache into arrays stacked over time (the caches hold views of them).
    if cell == "lstm":
        c = np.zeros((B, n)) if c0 is None else as_array(c0, "c0", ndim=2)
        check_shape(c, (B, n), "c0", f"(B, n) = ({B}, {n})")
        lstm_step_forward(X[0], h, c, params)
        C = np.empty((T, B, n))
        XW, ids = _input_products(X, params)
        caches, arrays = _lstm_steps(X, XW, h, c, params, H, C)
        arrays["ids"] = ids
    elif cell == "rnn":
        act = get_activation(options.get("activation", "tanh"))
        rnn_step_forward(X[0], h, params, act)
        XW, ids = _input_products(X, params)
        caches, arrays = _rnn_steps(X, XW, h, params, act, H)
        arrays["ids"] = ids
    else:
        reset, update = options.get("reset", "before"), options.get("update", "old")
        gru_step_forward(X[0], h, params, reset, update)
        XW, ids = _input_products(X, params)
        caches, arrays = _gru_steps(X, XW, h, params, reset, update, H)
        arrays["ids"] = ids
    return Trajectory(cell, H, C, caches, dict(options), arrays)


def _one_hot_ids(X: np.ndarray) -> np.ndarray | None:
    """``X.argmax(axis=2)`` if every ``X[t, b]`` is a one-hot vector, else None."""
    T, B, d = X.shape
    if d < 2 or np.count_nonzero(X) != T * B:
        return None
    ids = X.argmax(axis=2)
    if not np.all(np.take_along_axis(X, ids[..., None], axis=2) == 1.0):
        return None
    return ids


def _input_products(X: np.ndarray, params: dict[str, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """``X @ W_xh.T + b_h`` for every step at once, ``(T, B, G n)``, and the one-hot ids.

    When every input is a one-hot vector (characters, tokens) the product is a lookup of
    columns of ``W_xh``, exactly equal to the matrix product and much cheaper; the ids
    ``(T, B)`` are returned for the backward pass, else None.
    """
    T, B, d = X.shape
    W_xh = params["W_xh"]
    ids = _one_hot_ids(X)
    if ids is not None:
        return np.ascontiguousarray(W_xh.T)[ids] + params["b_h"], ids
    # one product per step, not one for the whole (T B, d) array: a single large product
    # may round differently from the per-step products of the cells' step functions, and
    # the two must agree bit for bit
    XW = np.empty((T, B, W_xh.shape[0]))
    W_xhT = W_xh.T
    for t in range(T):
        np.matmul(X[t], W_xhT, out=XW[t])
    XW += params["b_h"]
    return XW, None


def _rnn_steps(X: np.ndarray, XW: np.ndarray, h: np.ndarray, params: dict[str, np.ndarray],
               act: object, H: np.ndarray) -> tuple[list, dict[str, np.ndarray]]:
    T, B, n = H.shape
    Z, H_prev = np.empty((T, B, n)), np.empty((T, B, n))
    caches = []
    for t in range(T):
        H_prev[t] = h
        h, cache = _rnn_forward(X[t], H_prev[t], params, act, XW[t], out=Z[t])
        H[t] = h
        caches.append(cache)
    return caches, {"x": X, "h_prev": H_prev, "z": Z}


def _lstm_steps(X: np.ndarray, XW: np.ndarray, h: np.ndarray, c: np.ndarray,
                params: dict[str, np.ndarray], H: np.ndarray, C: np.ndarray
                ) -> tuple[list, dict[str, np.ndarray]]:
    T, B, n = H.shape
    S = np.empty((T, B, 4 * n))                       # the gates i, f, g, o of every step
    H_prev, C_new, tanh_C = np.empty((T, B, n)), np.empty((T, B, n)), np.empty((T, B, n))
    caches = []
    for t in range(T):
        H_prev[t] = h
        h, c, cache = _lstm_forward(X[t], H_prev[t], c, params, XW[t],
                                    out=(S[t], C_new[t], tanh_C[t]))
        H[t], C[t] = h, c
        caches.append(cache)
    return caches, {"x": X, "h_prev": H_prev, "gates": S, "c": C_new, "tanh_c": tanh_C}


def _gru_steps(X: np.ndarray, XW: np.ndarray, h: np.ndarray, params: dict[str, np.ndarray],
               reset: str, update: str, H: np.ndarray) -> tuple[list, dict[str, np.ndarray]]:
    T, B, n = H.shape
    RZ = np.empty((T, B, 2 * n))                      # the gates r, z of every step
    M, H_tilde, H_prev = np.empty((T, B, n)), np.empty((T, B, n)), np.empty((T, B, n))
    caches = []
    for t in range(T):
        H_prev[t] = h
        h, cache = _gru_forward(X[t], H_prev[t], params, reset, update, XW[t],
                                out=(RZ[t], M[t], H_tilde[t]))
        H[t] = h
        caches.append(cache)
    return caches, {"x": X, "h_prev": H_prev, "gates": RZ, "m": M, "h_tilde": H_tilde}


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
    return _backward(traj, dH, dh_T, dc_T, need_dX=True)


def _backward(traj: Trajectory, dH: np.ndarray, dh_T: np.ndarray | None,
              dc_T: np.ndarray | None, need_dX: bool
              ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None, dict[str, np.ndarray]]:
    """:func:`backward`; with ``need_dX=False`` the input gradient is skipped (None)."""
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

    first = traj.caches[0]
    if traj.cell == "rnn":
        return _rnn_bptt(traj, dH, dh_next, need_dX)
    if traj.cell == "lstm":
        return _lstm_bptt(traj, dH, dh_next, dc_next, need_dX)
    if traj.cell == "gru" and first["reset"] == "before":
        return _gru_bptt(traj, dH, dh_next, need_dX)

    # the general loop, one step's backward function at a time (the GRU with the reset
    # gate applied after the product)
    d = first["x"].shape[1]
    dX = np.empty((T, B, d))
    grads: dict[str, np.ndarray] | None = None
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        dX[t], dh_next, g = _gru_backward(dh, traj.caches[t])
        if grads is None:
            grads = g
        else:
            for key, value in g.items():
                grads[key] += value
    assert grads is not None
    return dX, dh_next, dc_next, grads


# ---------------------------------------------------------------------------
# BPTT with the per-step work reduced to what depends on the incoming gradient
# ---------------------------------------------------------------------------
# The loops below compute the same derivatives as the cells' step backward functions,
# arranged for speed: inside the loop each step only forms its pre-activation gradient
# (stored in one (T, B, G n) array) and the recurrent product (for the RNN and the GRU the
# factors that do not depend on the incoming gradient are computed for all steps at once
# before the loop); the parameter gradients and dX are then a few matrix products over
# all steps together (the sum over t of delta_t^T x_t is one product of the stacked arrays).
def _stack(traj: Trajectory, key: str) -> np.ndarray:
    """The cache entry ``key`` of every step, ``(T, B, ...)``."""
    if key in traj.arrays:
        return traj.arrays[key]
    if key in ("i", "f", "g", "o", "r", "z") and "gates" in traj.arrays:
        names = "ifgo" if traj.cell == "lstm" else "rz"
        G = traj.arrays["gates"]
        n = G.shape[2] // len(names)
        j = names.index(key)
        return G[:, :, j * n:(j + 1) * n]
    return np.stack([cache[key] for cache in traj.caches])


def _input_grads(DA: np.ndarray, traj: Trajectory, W_xh: np.ndarray, need_dX: bool
                 ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dX, and the gradients of W_xh and b_h, from the stacked pre-activation gradients."""
    T, B, G = DA.shape
    flat = DA.reshape(T * B, G)
    X = _stack(traj, "x")
    dW_xh = flat.T @ X.reshape(T * B, X.shape[2])
    dX = (flat @ W_xh).reshape(T, B, W_xh.shape[1]) if need_dX else None
    return dX, dW_xh, flat.sum(axis=0)


def _param_grads(DA: np.ndarray, traj: Trajectory, W_xh: np.ndarray, need_dX: bool
                 ) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """dX and the gradients of W_xh, W_hh, b_h from the stacked pre-activation gradients."""
    dX, dW_xh, db = _input_grads(DA, traj, W_xh, need_dX)
    H_prev = _stack(traj, "h_prev")
    G, n = DA.shape[2], H_prev.shape[2]
    return dX, {"W_xh": dW_xh, "W_hh": DA.reshape(-1, G).T @ H_prev.reshape(-1, n), "b_h": db}


def _rnn_bptt(traj: Trajectory, dH: np.ndarray, dh_next: np.ndarray, need_dX: bool
              ) -> tuple[np.ndarray | None, np.ndarray, None, dict[str, np.ndarray]]:
    first = traj.caches[0]
    p, act = first["params"], first["act"]
    T, B, n = traj.H.shape
    if act.name == "tanh":
        D = 1.0 - traj.H * traj.H            # tanh'(z_t) = 1 - h_t^2
    else:
        D = act.df(_stack(traj, "z"))
    W_hh = p["W_hh"]
    DZ = np.empty((T, B, n))
    for t in reversed(range(T)):
        dz = np.multiply(dH[t] + dh_next, D[t], out=DZ[t])
        dh_next = dz @ W_hh
    dX, grads = _param_grads(DZ, traj, p["W_xh"], need_dX)
    return dX, dh_next, None, grads


def _lstm_bptt(traj: Trajectory, dH: np.ndarray, dh_next: np.ndarray, dc_next: np.ndarray,
               need_dX: bool
               ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    p = traj.caches[0]["params"]
    T, B, n = traj.H.shape
    W_hh = p["W_hh"]
    peephole = traj.caches[0]["peephole"]
    i, f, g, o = (_stack(traj, key) for key in "ifgo")
    tanh_c = _stack(traj, "tanh_c")
    c_prev = np.stack([cache["c_prev"] for cache in traj.caches])
    # factors that do not depend on the incoming gradient, for all steps at once:
    #   da_o = dh K_o,  dc = dh K_c + dc_next (+ da_o p_o),  (da_i, da_f, da_g) = dc K_ifg
    K_o = tanh_c * o * (1.0 - o)
    K_c = o * (1.0 - tanh_c * tanh_c)
    K_ifg = np.empty((T, B, 3, n))
    np.multiply(g, i * (1.0 - i), out=K_ifg[:, :, 0])
    np.multiply(c_prev, f * (1.0 - f), out=K_ifg[:, :, 1])
    np.multiply(i, 1.0 - g * g, out=K_ifg[:, :, 2])
    DA = np.empty((T, B, 4 * n))
    DA_ifg = DA[:, :, :3 * n].reshape(T, B, 3, n)     # a view: the i, f, g blocks of DA
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        da_o = np.multiply(dh, K_o[t], out=DA[t, :, 3 * n:])
        dc = dh * K_c[t]
        dc += dc_next
        if peephole:
            dc += da_o * p["p_o"]
        np.multiply(dc[:, None, :], K_ifg[t], out=DA_ifg[t])
        dc_next = dc * f[t]
        if peephole:
            dc_next += DA_ifg[t, :, 0] * p["p_i"] + DA_ifg[t, :, 1] * p["p_f"]
        dh_next = DA[t] @ W_hh
    dX, grads = _param_grads(DA, traj, p["W_xh"], need_dX)
    if peephole:
        grads["p_i"] = (DA_ifg[:, :, 0] * c_prev).sum(axis=(0, 1))
        grads["p_f"] = (DA_ifg[:, :, 1] * c_prev).sum(axis=(0, 1))
        grads["p_o"] = (DA[:, :, 3 * n:] * _stack(traj, "c")).sum(axis=(0, 1))
    return dX, dh_next, dc_next, grads


def _gru_bptt(traj: Trajectory, dH: np.ndarray, dh_next: np.ndarray, need_dX: bool
              ) -> tuple[np.ndarray | None, np.ndarray, None, dict[str, np.ndarray]]:
    first = traj.caches[0]
    p = first["params"]
    T, B, n = traj.H.shape
    r, z, h_tilde, h_prev = (_stack(traj, key) for key in ("r", "z", "h_tilde", "h_prev"))
    if first["update"] == "old":             # h = z h_prev + (1 - z) h_tilde
        k_z, k_n, k_h = (h_prev - h_tilde) * z * (1.0 - z), 1.0 - z, z
    else:                                    # h = (1 - z) h_prev + z h_tilde
        k_z, k_n, k_h = (h_tilde - h_prev) * z * (1.0 - z), z, 1.0 - z
    k_n = k_n * (1.0 - h_tilde * h_tilde)    # da_n = dh * k_n
    k_r = h_prev * r * (1.0 - r)             # da_r = (da_n W_hn) * k_r
    W_hh = p["W_hh"]
    W_rz, W_hn = W_hh[:2 * n], W_hh[2 * n:]
    DA = np.empty((T, B, 3 * n))
    for t in reversed(range(T)):
        dh = dH[t] + dh_next
        da = DA[t].reshape(B, 3, n)
        da_n = np.multiply(dh, k_n[t], out=da[:, 2])
        du = da_n @ W_hn                     # gradient of r * h_prev
        np.multiply(du, k_r[t], out=da[:, 0])
        np.multiply(dh, k_z[t], out=da[:, 1])
        dh_next = dh * k_h[t]
        dh_next += du * r[t]
        dh_next += DA[t, :, :2 * n] @ W_rz
    dX, dW_xh, db = _input_grads(DA, traj, p["W_xh"], need_dX)
    flat = DA.reshape(-1, 3 * n)
    hp = h_prev.reshape(-1, n)
    grads = {"W_xh": dW_xh,
             "W_hh": np.vstack([flat[:, :2 * n].T @ hp,
                                flat[:, 2 * n:].T @ (r * h_prev).reshape(-1, n)]),
             "b_h": db}
    return dX, dh_next, None, grads
