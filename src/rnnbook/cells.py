r"""One time step, forward and backward, of the vanilla RNN, the LSTM and the GRU.

Shapes (batch-major inside a step, as in BOOK.md):

* ``x``: ``(B, d)``, input at time :math:`t`;
* ``h_prev``, ``h``: ``(B, n)``, hidden state; ``c_prev``, ``c``: ``(B, n)``, LSTM cell state;
* ``W_xh``: ``(G n, d)``, ``W_hh``: ``(G n, n)``, ``b_h``: ``(G n,)``, where :math:`G` is the
  number of stacked blocks: 1 for the RNN, 4 for the LSTM (gates ``i, f, g, o`` in that order)
  and 3 for the GRU (``r, z, n``). Weights act as in the equations, :math:`W x`, so a batch
  computes ``x @ W_xh.T``.

Each ``*_step_forward`` returns the new state and a ``cache`` (a dict); the matching
``*_step_backward`` takes the gradient of the loss with respect to the new state and
returns the gradients with respect to the input, the previous state(s) and every parameter
(a dict with the same keys as ``params``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from . import init as _init
from ._checks import (
    as_array,
    check_choice,
    check_params,
    check_positive_int,
    check_rng,
    check_shape,
)
from .activations import Activation, get_activation, sigmoid_inplace

__all__ = [
    "GATES",
    "gru_step_backward",
    "gru_step_forward",
    "init_gru_params",
    "init_lstm_params",
    "init_rnn_params",
    "lstm_step_backward",
    "lstm_step_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "split_gates",
]

Params = dict[str, np.ndarray]
Cache = dict[str, object]

#: Order of the stacked blocks in ``W_xh``, ``W_hh`` and ``b_h`` for each cell.
GATES: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
}

ResetConvention = Literal["before", "after"]
UpdateConvention = Literal["old", "new"]


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------
def _check_step(cell: str, x: object, h_prev: object, params: Params,
                extra: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Validate ``x (B, d)``, ``h_prev (B, n)`` and the stacked weights of ``cell``."""
    n_blocks = len(GATES[cell])
    check_params(params, ("W_xh", "W_hh", "b_h", *extra), cell)
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    if W_xh.ndim != 2 or W_xh.shape[0] % n_blocks:
        raise ValueError(f"{cell} W_xh must have shape ({n_blocks}n, d), got {W_xh.shape}")
    n, d = W_xh.shape[0] // n_blocks, W_xh.shape[1]
    check_shape(W_hh, (n_blocks * n, n), f"{cell} W_hh", f"({n_blocks}n, n)")
    check_shape(b_h, (n_blocks * n,), f"{cell} b_h", f"({n_blocks}n,)")
    x = as_array(x, "x", ndim=2)
    h_prev = as_array(h_prev, "h_prev", ndim=2)
    check_shape(x, (None, d), "x", f"(B, d) with d = {d}")
    check_shape(h_prev, (x.shape[0], n), "h_prev", f"(B, n) with B = {x.shape[0]}, n = {n}")
    return x, h_prev, n, d


def split_gates(a: np.ndarray, cell: str, axis: int = 0) -> dict[str, np.ndarray]:
    """Split a stacked array into one view per gate.

    Parameters
    ----------
    a : numpy.ndarray
        ``W_xh`` ``(G n, d)``, ``W_hh`` ``(G n, n)`` or ``b_h`` ``(G n,)`` (split along
        ``axis=0``), or a batch of pre-activations ``(B, G n)`` (split along ``axis=-1``).
    cell : {"rnn", "lstm", "gru"}
    axis : int
        The stacked axis.

    Returns
    -------
    dict
        One view per block, keyed by the gate names of :data:`GATES`, in order.
    """
    check_choice(cell, "cell", list(GATES))
    names = GATES[cell]
    a = np.asarray(a)
    if a.ndim == 0 or a.shape[axis] % len(names):
        raise ValueError(f"axis {axis} of a {cell} array must have length {len(names)}n, "
                         f"got shape {a.shape}")
    return dict(zip(names, np.split(a, len(names), axis=axis), strict=True))


# ---------------------------------------------------------------------------
# vanilla RNN
# ---------------------------------------------------------------------------
def init_rnn_params(d: int, n: int, rng: np.random.Generator | int,
                    W_hh_init: Literal["orthogonal", "xavier", "identity"] = "orthogonal",
                    gain: float = 1.0) -> Params:
    r"""Initial parameters of a vanilla RNN cell.

    ``W_xh`` ``(n, d)`` is Xavier uniform; ``W_hh`` ``(n, n)`` is orthogonal times
    ``gain`` (every singular value equals ``gain``), Xavier uniform, or ``gain`` times
    the identity; ``b_h`` ``(n,)`` is zero.
    """
    d, n = check_positive_int(d, "d"), check_positive_int(n, "n")
    check_choice(W_hh_init, "W_hh_init", ["orthogonal", "xavier", "identity"])
    rng = check_rng(rng)
    W_xh = _init.xavier_uniform((n, d), rng)
    if W_hh_init == "orthogonal":
        W_hh = _init.orthogonal(n, rng, gain)
    elif W_hh_init == "xavier":
        W_hh = _init.xavier_uniform((n, n), rng, gain)
    else:
        W_hh = _init.identity(n, gain)
    return {"W_xh": W_xh, "W_hh": W_hh, "b_h": np.zeros(n)}


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, params: Params,
                     activation: str | Activation = "tanh") -> tuple[np.ndarray, Cache]:
    r"""One step of the vanilla RNN.

    .. math::
        z_t = W_{xh} x_t + W_{hh} h_{t-1} + b_h, \qquad h_t = f(z_t)

    Parameters
    ----------
    x : (B, d)
    h_prev : (B, n)
    params : dict with ``W_xh`` (n, d), ``W_hh`` (n, n), ``b_h`` (n,)
    activation : {"tanh", "sigmoid", "relu", "linear"}

    Returns
    -------
    h : (B, n)
    cache : dict needed by :func:`rnn_step_backward`
    """
    x, h_prev, _, _ = _check_step("rnn", x, h_prev, params)
    return _rnn_forward(x, h_prev, params, get_activation(activation))


def _rnn_forward(x: np.ndarray, h_prev: np.ndarray, params: Params,
                 act: Activation, xw: np.ndarray | None = None,
                 out: np.ndarray | None = None) -> tuple[np.ndarray, Cache]:
    """:func:`rnn_step_forward` without the input checks (for loops that checked once).

    ``xw`` is ``x @ W_xh.T + b_h`` when the caller computed it for a whole sequence at once;
    ``out`` is a ``(B, n)`` buffer for ``z`` (the sequence loop passes a slice of its stacked
    array, so the caches need no copying).
    """
    z = np.matmul(h_prev, params["W_hh"].T, out=out)
    z += x @ params["W_xh"].T + params["b_h"] if xw is None else xw
    return act.f(z), {"x": x, "h_prev": h_prev, "z": z, "params": params, "act": act}


def rnn_step_backward(dh: np.ndarray, cache: Cache) -> tuple[np.ndarray, np.ndarray, Params]:
    r"""Backward pass of one vanilla RNN step.

    With :math:`\delta_t = \partial L/\partial z_t = f'(z_t) \odot \partial L/\partial h_t`:
    :math:`\partial L/\partial W_{xh} = \delta_t^\top x_t`,
    :math:`\partial L/\partial W_{hh} = \delta_t^\top h_{t-1}`,
    :math:`\partial L/\partial b_h = \sum_B \delta_t`,
    :math:`\partial L/\partial x_t = \delta_t W_{xh}`,
    :math:`\partial L/\partial h_{t-1} = \delta_t W_{hh}`.

    Parameters
    ----------
    dh : (B, n), gradient of the loss with respect to ``h``
    cache : from :func:`rnn_step_forward`

    Returns
    -------
    dx : (B, d)
    dh_prev : (B, n)
    grads : dict with ``W_xh``, ``W_hh``, ``b_h`` of the parameters' shapes
    """
    dh = as_array(dh, "dh", ndim=2)
    check_shape(dh, cache["z"].shape, "dh", "(B, n)")
    return _rnn_backward(dh, cache)


def _rnn_backward(dh: np.ndarray, cache: Cache) -> tuple[np.ndarray, np.ndarray, Params]:
    """:func:`rnn_step_backward` without the input checks."""
    z, p = cache["z"], cache["params"]
    dz = dh * cache["act"].df(z)
    grads = {"W_xh": dz.T @ cache["x"], "W_hh": dz.T @ cache["h_prev"], "b_h": dz.sum(axis=0)}
    return dz @ p["W_xh"], dz @ p["W_hh"], grads


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------
def init_lstm_params(d: int, n: int, rng: np.random.Generator | int,
                     forget_bias: float = 1.0, peephole: bool = False) -> Params:
    r"""Initial parameters of an LSTM cell, gates stacked in the order ``i, f, g, o``.

    ``W_xh`` ``(4n, d)`` Xavier uniform per gate; ``W_hh`` ``(4n, n)`` one orthogonal
    block per gate; ``b_h`` ``(4n,)`` zero except the forget-gate block, set to
    ``forget_bias`` (Gers et al., 2000; Jozefowicz et al., 2015). With ``peephole=True``
    the diagonal peephole weights ``p_i``, ``p_f``, ``p_o`` ``(n,)`` start at zero.
    """
    d, n = check_positive_int(d, "d"), check_positive_int(n, "n")
    rng = check_rng(rng)
    W_xh = np.vstack([_init.xavier_uniform((n, d), rng) for _ in range(4)])
    W_hh = np.vstack([_init.orthogonal(n, rng) for _ in range(4)])
    b_h = np.zeros(4 * n)
    b_h[n:2 * n] = forget_bias
    params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
    if peephole:
        params.update(p_i=np.zeros(n), p_f=np.zeros(n), p_o=np.zeros(n))
    return params


def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                      params: Params) -> tuple[np.ndarray, np.ndarray, Cache]:
    r"""One LSTM step (Hochreiter & Schmidhuber, 1997, with the forget gate of Gers et al.).

    .. math::
        a_t &= W_{xh} x_t + W_{hh} h_{t-1} + b_h = [a^i; a^f; a^g; a^o] \\
        i_t &= \sigma(a^i_t + p_i \odot c_{t-1}), \quad f_t = \sigma(a^f_t + p_f \odot c_{t-1}),
        \quad g_t = \tanh(a^g_t) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        o_t &= \sigma(a^o_t + p_o \odot c_t), \quad h_t = o_t \odot \tanh(c_t)

    The peephole terms are present only when ``params`` holds ``p_i``, ``p_f``, ``p_o``.

    Parameters
    ----------
    x : (B, d)
    h_prev, c_prev : (B, n)
    params : dict with ``W_xh`` (4n, d), ``W_hh`` (4n, n), ``b_h`` (4n,) and optionally
        ``p_i``, ``p_f``, ``p_o`` (n,)

    Returns
    -------
    h, c : (B, n)
    cache : dict for :func:`lstm_step_backward` (holds the gates ``i, f, g, o``)
    """
    peephole = "p_i" in params
    extra = ("p_i", "p_f", "p_o") if peephole else ()
    x, h_prev, n, _ = _check_step("lstm", x, h_prev, params, extra)
    c_prev = as_array(c_prev, "c_prev", ndim=2)
    check_shape(c_prev, h_prev.shape, "c_prev", "(B, n)")
    for key in extra:
        check_shape(params[key], (n,), f"lstm {key}", "(n,)")
    return _lstm_forward(x, h_prev, c_prev, params)


def _lstm_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                  params: Params, xw: np.ndarray | None = None,
                  out: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, Cache]:
    """:func:`lstm_step_forward` without the input checks.

    ``xw`` is ``x @ W_xh.T + b_h`` when the caller computed it for a whole sequence at once;
    ``out`` holds buffers ``(gates (B, 4n), c (B, n), tanh_c (B, n))`` for the cache (the
    sequence loop passes slices of its stacked arrays, so the caches need no copying).
    """
    gates_out, c_out, tanh_c_out = (None, None, None) if out is None else out
    peephole = "p_i" in params
    a = np.matmul(h_prev, params["W_hh"].T, out=gates_out)
    a += x @ params["W_xh"].T + params["b_h"] if xw is None else xw
    n = h_prev.shape[1]
    if peephole:
        a[:, :n] += params["p_i"] * c_prev
        a[:, n:2 * n] += params["p_f"] * c_prev
    # all four blocks in one pass, with tanh(u) = 2 sigmoid(2u) - 1 for the g block (the
    # doubling is exact): one sigmoid of the whole (B, 4n) array; i, f, g, o are views of it
    a_o = a[:, 3 * n:].copy() if peephole else None
    a[:, 2 * n:3 * n] *= 2.0
    s = sigmoid_inplace(a)
    i, f, g, o = s[:, :n], s[:, n:2 * n], s[:, 2 * n:3 * n], s[:, 3 * n:]
    g *= 2.0
    g -= 1.0
    c = np.multiply(f, c_prev, out=c_out)
    c += i * g
    if a_o is not None:                     # the output gate's peephole reads the new c
        a_o += params["p_o"] * c
        o[...] = sigmoid_inplace(a_o)
    tanh_c = np.tanh(c, out=tanh_c_out)
    h = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o,
             "c": c, "tanh_c": tanh_c, "params": params, "peephole": peephole}
    return h, c, cache


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray,
                       cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    r"""Backward pass of one LSTM step.

    ``dc`` is the gradient arriving at :math:`c_t` from step :math:`t+1` (zero at the last
    step); the gradient through :math:`h_t = o_t \odot \tanh c_t` is added here. On the
    direct path :math:`\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)`.

    Parameters
    ----------
    dh, dc : (B, n)
    cache : from :func:`lstm_step_forward`

    Returns
    -------
    dx : (B, d)
    dh_prev, dc_prev : (B, n)
    grads : dict with the keys of ``params``
    """
    dh = as_array(dh, "dh", ndim=2)
    dc = as_array(dc, "dc", ndim=2)
    check_shape(dh, cache["c"].shape, "dh", "(B, n)")
    check_shape(dc, cache["c"].shape, "dc", "(B, n)")
    return _lstm_backward(dh, dc, cache)


def _lstm_backward(dh: np.ndarray, dc: np.ndarray,
                   cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """:func:`lstm_step_backward` without the input checks."""
    i, f, g, o, c = cache["i"], cache["f"], cache["g"], cache["o"], cache["c"]
    p, c_prev, tanh_c = cache["params"], cache["c_prev"], cache["tanh_c"]
    da_o = dh * tanh_c * o * (1.0 - o)
    dc_total = dc + dh * o * (1.0 - tanh_c**2)
    if cache["peephole"]:
        dc_total = dc_total + da_o * p["p_o"]
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * c_prev * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g**2)
    dc_prev = dc_total * f
    if cache["peephole"]:
        dc_prev = dc_prev + da_i * p["p_i"] + da_f * p["p_f"]
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    grads = {"W_xh": da.T @ cache["x"], "W_hh": da.T @ cache["h_prev"], "b_h": da.sum(axis=0)}
    if cache["peephole"]:
        grads["p_i"] = (da_i * c_prev).sum(axis=0)
        grads["p_f"] = (da_f * c_prev).sum(axis=0)
        grads["p_o"] = (da_o * c).sum(axis=0)
    return da @ p["W_xh"], da @ p["W_hh"], dc_prev, grads


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------
def init_gru_params(d: int, n: int, rng: np.random.Generator | int,
                    reset: ResetConvention = "before") -> Params:
    r"""Initial parameters of a GRU cell, blocks stacked in the order ``r, z, n``.

    ``W_xh`` ``(3n, d)`` Xavier uniform per block; ``W_hh`` ``(3n, n)`` one orthogonal
    block per gate; ``b_h`` ``(3n,)`` zero. With ``reset="after"`` (cuDNN/PyTorch) the
    candidate has a second bias ``b_hn`` ``(n,)`` inside the reset product.
    """
    d, n = check_positive_int(d, "d"), check_positive_int(n, "n")
    check_choice(reset, "reset", ["before", "after"])
    rng = check_rng(rng)
    params = {
        "W_xh": np.vstack([_init.xavier_uniform((n, d), rng) for _ in range(3)]),
        "W_hh": np.vstack([_init.orthogonal(n, rng) for _ in range(3)]),
        "b_h": np.zeros(3 * n),
    }
    if reset == "after":
        params["b_hn"] = np.zeros(n)
    return params


def gru_step_forward(x: np.ndarray, h_prev: np.ndarray, params: Params,
                     reset: ResetConvention = "before",
                     update: UpdateConvention = "old") -> tuple[np.ndarray, Cache]:
    r"""One GRU step, in either reset-gate and either update-gate convention.

    .. math::
        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r), \quad
        z_t = \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) \\
        \tilde h_t &= \tanh\bigl(W_{xn} x_t + W_{hn}(r_t \odot h_{t-1}) + b_n\bigr)
            && \text{reset="before" (Cho et al., 2014)} \\
        \tilde h_t &= \tanh\bigl(W_{xn} x_t + b_n + r_t \odot (W_{hn} h_{t-1} + b_{hn})\bigr)
            && \text{reset="after" (cuDNN, PyTorch)} \\
        h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
            && \text{update="old" (Cho et al.; PyTorch)} \\
        h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t
            && \text{update="new" (Chung et al., 2014; many tutorials)}

    Parameters
    ----------
    x : (B, d)
    h_prev : (B, n)
    params : dict with ``W_xh`` (3n, d), ``W_hh`` (3n, n), ``b_h`` (3n,); with
        ``reset="after"`` also ``b_hn`` (n,)
    reset : {"before", "after"}
    update : {"old", "new"}
        Which of :math:`h_{t-1}` or :math:`\tilde h_t` the update gate :math:`z_t` multiplies.

    Returns
    -------
    h : (B, n)
    cache : dict for :func:`gru_step_backward`
    """
    check_choice(reset, "reset", ["before", "after"])
    check_choice(update, "update", ["old", "new"])
    extra = ("b_hn",) if reset == "after" else ()
    x, h_prev, n, _ = _check_step("gru", x, h_prev, params, extra)
    if reset == "after":
        check_shape(params["b_hn"], (n,), "gru b_hn", "(n,)")
    return _gru_forward(x, h_prev, params, reset, update)


def _gru_forward(x: np.ndarray, h_prev: np.ndarray, params: Params, reset: str,
                 update: str, xw: np.ndarray | None = None,
                 out: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, Cache]:
    """:func:`gru_step_forward` without the input checks.

    ``xw`` is ``x @ W_xh.T + b_h`` when the caller computed it for a whole sequence at once;
    ``out`` holds buffers ``(gates r, z (B, 2n), m (B, n), h_tilde (B, n))`` for the cache
    (the sequence loop passes slices of its stacked arrays, so the caches need no copying).
    """
    rz_out, m_out, h_tilde_out = (None, None, None) if out is None else out
    n = h_prev.shape[1]
    W_hh = params["W_hh"]
    W_hn = W_hh[2 * n:]
    a = x @ params["W_xh"].T + params["b_h"] if xw is None else xw
    a_n = a[:, 2 * n:]
    # r and z in one product and one sigmoid; they are views of the (B, 2n) result
    rz = np.matmul(h_prev, W_hh[:2 * n].T, out=rz_out)
    rz += a[:, :2 * n]
    sigmoid_inplace(rz)
    r, z = rz[:, :n], rz[:, n:]
    if reset == "before":
        m = np.matmul(r * h_prev, W_hn.T, out=m_out)
        h_tilde = np.add(a_n, m, out=h_tilde_out)
    else:
        m = np.matmul(h_prev, W_hn.T, out=m_out)
        m += params["b_hn"]
        h_tilde = np.multiply(r, m, out=h_tilde_out)
        h_tilde += a_n
    np.tanh(h_tilde, out=h_tilde)
    if update == "old":
        h = z * h_prev + (1.0 - z) * h_tilde
    else:
        h = (1.0 - z) * h_prev + z * h_tilde
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "m": m, "h_tilde": h_tilde,
             "params": params, "reset": reset, "update": update}
    return h, cache


def gru_step_backward(dh: np.ndarray, cache: Cache) -> tuple[np.ndarray, np.ndarray, Params]:
    r"""Backward pass of one GRU step, for the conventions used in the forward pass.

    Parameters
    ----------
    dh : (B, n)
    cache : from :func:`gru_step_forward`

    Returns
    -------
    dx : (B, d)
    dh_prev : (B, n)
    grads : dict with the keys of ``params``
    """
    dh = as_array(dh, "dh", ndim=2)
    check_shape(dh, cache["z"].shape, "dh", "(B, n)")
    return _gru_backward(dh, cache)


def _gru_backward(dh: np.ndarray, cache: Cache) -> tuple[np.ndarray, np.ndarray, Params]:
    """:func:`gru_step_backward` without the input checks."""
    r, z, m, h_tilde, h_prev = (cache[k] for k in ("r", "z", "m", "h_tilde", "h_prev"))
    p = cache["params"]
    W_hr, W_hz, W_hn = np.split(p["W_hh"], 3, axis=0)
    if cache["update"] == "old":
        dz, dh_tilde, dh_prev = dh * (h_prev - h_tilde), dh * (1.0 - z), dh * z
    else:
        dz, dh_tilde, dh_prev = dh * (h_tilde - h_prev), dh * z, dh * (1.0 - z)
    da_n = dh_tilde * (1.0 - h_tilde**2)
    grads: Params = {}
    if cache["reset"] == "before":
        dW_hn = da_n.T @ (r * h_prev)
        du = da_n @ W_hn
        dr = du * h_prev
        dh_prev = dh_prev + du * r
    else:
        dr = da_n * m
        dm = da_n * r
        dW_hn = dm.T @ h_prev
        grads["b_hn"] = dm.sum(axis=0)
        dh_prev = dh_prev + dm @ W_hn
    da_r = dr * r * (1.0 - r)
    da_z = dz * z * (1.0 - z)
    dh_prev = dh_prev + da_r @ W_hr + da_z @ W_hz
    da = np.concatenate([da_r, da_z, da_n], axis=1)
    grads["W_xh"] = da.T @ cache["x"]
    grads["W_hh"] = np.vstack([da_r.T @ h_prev, da_z.T @ h_prev, dW_hn])
    grads["b_h"] = da.sum(axis=0)
    return da @ p["W_xh"], dh_prev, grads
