r"""How far back a gradient reaches: state Jacobians of the RNN, the LSTM and the GRU.

For a recurrent cell with state :math:`s_t` (:math:`s_t = h_t` for the vanilla RNN and the
GRU, :math:`s_t = (h_t, c_t)` for the LSTM) the gradient that reaches step :math:`t` from a
loss at step :math:`T` passes through

.. math::
    \frac{\partial s_T}{\partial s_t} = \frac{\partial s_T}{\partial s_{T-1}}
        \frac{\partial s_{T-1}}{\partial s_{T-2}} \cdots \frac{\partial s_{t+1}}{\partial s_t}.

This module measures the spectral norms of the blocks

* ``"h"``: :math:`\partial h_T / \partial h_t` (for the LSTM: with :math:`c_t` held fixed),
* ``"c"``: :math:`\partial c_T / \partial c_t` (LSTM only, with :math:`h_t` held fixed),
* ``"state"``: the whole :math:`\partial s_T / \partial s_t` (:math:`2n \times 2n` for the LSTM),

without forming any product of Jacobians. It backpropagates the unit vectors
:math:`e_1, \dots, e_n` from step :math:`T`: the gradient that reaches :math:`s_t` from the seed
:math:`e_j` is row :math:`j` of :math:`\partial s_T / \partial s_t`. One forward pass runs over
the sequences themselves; the one-step Jacobians are assembled from its caches in closed form
(the backward formulas of :mod:`rnnbook.cells` with the upstream gradient factored out, checked
against them by the tests), and all seeds of a sequence travel back together, one batched
product per step, so one backward sweep yields every row at every distance.

Backpropagation is linear in the upstream gradient, so the rows of each sequence can be divided
by a common scale after every step and the scale kept as a logarithm: the returned
:math:`\log_{10}` norms are exact and finite even where the norm itself is far below the smallest
or above the largest float64 (``-inf`` only where the Jacobian is exactly zero).

For the LSTM the *direct path* along the cell state contributes
:math:`\prod_{s=t+1}^{T} \mathrm{diag}(f_s)`; :func:`forget_path_log10_norms` returns its norm,
:math:`\max_j \prod_s f_{s,j}`, for comparison with the full ``"c"`` block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_array, check_choice, check_positive_int, check_rng, check_shape
from .bounds import largest_singular_values
from .cells import (
    _gru_backward,
    _lstm_backward,
    _rnn_backward,
    init_gru_params,
    init_lstm_params,
    init_rnn_params,
)
from .sequence import CELLS, Trajectory, forward, hidden_size

__all__ = [
    "BLOCKS",
    "FlowCurves",
    "compare_cells",
    "forget_path_log10_norms",
    "jacobian_log10_norms",
    "state_jacobians",
    "step_jacobian",
]

#: The Jacobian blocks each cell offers.
BLOCKS: dict[str, tuple[str, ...]] = {
    "rnn": ("h", "state"),
    "gru": ("h", "state"),
    "lstm": ("h", "c", "state"),
}


def _seeds(cell: str, block: str, n: int) -> tuple[np.ndarray, np.ndarray | None, slice]:
    """Unit-vector seeds for ``block``: rows ``(S, n)`` for ``dh`` and ``dc``, and the columns kept.

    The backward sweep produces, per seed, the pair ``(dh, dc)`` concatenated to ``(2n,)``
    for the LSTM (``(n,)`` otherwise); the returned slice selects the columns of the block.
    """
    eye, zero = np.eye(n), np.zeros((n, n))
    if cell != "lstm":
        return eye, None, slice(0, n)
    if block == "h":
        return eye, zero, slice(0, n)
    if block == "c":
        return zero, eye, slice(n, 2 * n)
    return np.vstack([eye, zero]), np.vstack([zero, eye]), slice(0, 2 * n)


def _check_block(cell: str, block: str) -> None:
    check_choice(cell, "cell", CELLS)
    if block not in BLOCKS[cell]:
        raise ValueError(f"block must be one of {list(BLOCKS[cell])} for cell={cell!r}, "
                         f"got {block!r}")


def _step_backward(traj: Trajectory, t: int, dh: np.ndarray,
                   dc: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Gradient with respect to the state before step ``t`` (only the state part).

    Uses the cells' unchecked backward cores: the trajectory was validated by ``forward``
    and the seeds are built here, so per-step checks would only cost time.
    """
    cache = traj.caches[t]
    if traj.cell == "lstm":
        _, dh_prev, dc_prev, _ = _lstm_backward(dh, dc, cache)
        return dh_prev, dc_prev
    if traj.cell == "rnn":
        _, dh_prev, _ = _rnn_backward(dh, cache)
    else:
        _, dh_prev, _ = _gru_backward(dh, cache)
    return dh_prev, None


def _step_jacobians(traj: Trajectory) -> np.ndarray:
    r"""Every one-step state Jacobian :math:`\partial s_t/\partial s_{t-1}` of a trajectory, at once.

    Assembled in closed form from the forward caches, vectorised over steps and sequences:
    one pass over the sequences themselves, no backward sweep per seed. The formulas are
    those of the cells' backward functions (:mod:`rnnbook.cells`) with the upstream gradient
    factored out; the tests compare them with :func:`state_jacobians`, which backpropagates
    unit vectors through those functions. A gradient row ``g`` (``dL/ds_t``) goes back one
    step as ``g @ J[t]``.

    Returns
    -------
    (T, B, S, S) array, :math:`S = n` (RNN, GRU) or :math:`2n` (LSTM, state :math:`(h, c)`).
    """
    caches = traj.caches
    p = caches[0]["params"]
    W_hh = p["W_hh"]

    def st(key: str) -> np.ndarray:
        return np.stack([c[key] for c in caches])              # (T, B, n)

    def dW(a: np.ndarray, W: np.ndarray) -> np.ndarray:       # diag(a) W, batched
        return a[..., :, None] * W

    if traj.cell == "rnn":
        return dW(np.stack([c["act"].df(c["z"]) for c in caches]), W_hh)
    if traj.cell == "lstm":
        i, f, g, o, tanh_c, c_prev = (st(k) for k in ("i", "f", "g", "o", "tanh_c", "c_prev"))
        n = i.shape[-1]
        W_i, W_f, W_g, W_o = (W_hh[j * n:(j + 1) * n] for j in range(4))
        A_o = tanh_c * o * (1.0 - o)                     # da_o = dh * A_o
        A_c = o * (1.0 - tanh_c ** 2)                    # dc_total = dc + dh * A_c
        A_i, A_f, A_g = g * i * (1.0 - i), c_prev * f * (1.0 - f), i * (1.0 - g ** 2)
        f_eff = f
        if caches[0]["peephole"]:
            A_c = A_c + A_o * p["p_o"]
            f_eff = f + A_i * p["p_i"] + A_f * p["p_f"]
        M_c = dW(A_i, W_i) + dW(A_f, W_f) + dW(A_g, W_g)  # dc_total -> dh_prev
        J = np.zeros(i.shape[:2] + (2 * n, 2 * n))
        J[..., :n, :n] = dW(A_o, W_o) + A_c[..., :, None] * M_c
        J[..., n:, :n] = M_c
        idx = np.arange(n)
        J[..., idx, n + idx] = A_c * f_eff
        J[..., n + idx, n + idx] = f_eff
        return J
    r, z, h_tilde, h_prev, m = (st(k) for k in ("r", "z", "h_tilde", "h_prev", "m"))
    n = r.shape[-1]
    W_hr, W_hz, W_hn = W_hh[:n], W_hh[n:2 * n], W_hh[2 * n:]
    if caches[0]["update"] == "old":
        U_z, U_t, U_p = h_prev - h_tilde, 1.0 - z, z
    else:
        U_z, U_t, U_p = h_tilde - h_prev, z, 1.0 - z
    A_n = U_t * (1.0 - h_tilde ** 2)                     # da_n = dh * A_n
    gate_r = r * (1.0 - r)
    J = dW(U_z * z * (1.0 - z), W_hz)
    if caches[0]["reset"] == "before":
        # du = dh diag(A_n) W_hn; dh_prev gets du * r and (du * h_prev * r(1-r)) @ W_hr
        J += dW(A_n, W_hn) @ (r[..., :, None] * np.eye(n) + dW(h_prev * gate_r, W_hr))
    else:
        J += dW(A_n * r, W_hn) + dW(A_n * m * gate_r, W_hr)
    idx = np.arange(n)
    J[..., idx, idx] += U_p
    return J


def jacobian_log10_norms(cell: str, X: np.ndarray, params: dict[str, np.ndarray],
                         h0: np.ndarray | None = None, c0: np.ndarray | None = None,
                         blocks: tuple[str, ...] | str = "h",
                         **options: str) -> dict[str, np.ndarray]:
    r""":math:`\log_{10}\lVert \partial s_T / \partial s_{T-k} \rVert_2` for :math:`k = 1, \dots, T`.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    X : (T, B, d)
        Time-major input sequences.
    params : dict
        The cell's parameters (see :mod:`rnnbook.cells`).
    h0, c0 : (B, n), optional
        Initial states (zeros if omitted; ``c0`` for the LSTM only).
    blocks : str or tuple of str
        Any of ``"h"`` (:math:`\partial h_T/\partial h_t`), ``"c"`` (LSTM:
        :math:`\partial c_T/\partial c_t`) and ``"state"`` (the whole state Jacobian). For the
        LSTM, ``"h"`` holds :math:`c_t` fixed and ``"c"`` holds :math:`h_t` fixed: they are the
        diagonal blocks of the :math:`2n \times 2n` state Jacobian.
    **options
        ``activation=`` for the RNN; ``reset=``, ``update=`` for the GRU.

    Returns
    -------
    dict
        ``{block: (B, T) array}``; column ``k - 1`` holds
        :math:`\log_{10}\lVert\partial s_T/\partial s_{T-k}\rVert_2` for the block, so the last
        column is the distance to the initial state. ``-inf`` only where the block is exactly 0.
        For the RNN, block ``"h"`` equals :func:`rnnbook.bounds.jacobian_norms`.
    """
    out, _ = _jacobian_log10_norms(cell, X, params, h0, c0, blocks, **options)
    return out


def _jacobian_log10_norms(cell: str, X: np.ndarray, params: dict[str, np.ndarray],
                          h0: np.ndarray | None, c0: np.ndarray | None,
                          blocks: tuple[str, ...] | str,
                          **options: str) -> tuple[dict[str, np.ndarray], Trajectory]:
    """:func:`jacobian_log10_norms` and the forward trajectory it ran (batch ``B``)."""
    check_choice(cell, "cell", CELLS)
    if isinstance(blocks, str):
        blocks = (blocks,)
    if not isinstance(blocks, tuple) or not blocks:
        raise TypeError(f"blocks must be a non-empty str or tuple of str, got {blocks!r}")
    for block in blocks:
        _check_block(cell, block)
    X = as_array(X, "X", ndim=3)
    T, B, d = X.shape
    if T == 0 or B == 0:
        raise ValueError(f"X must hold at least one step and one sequence, got shape {X.shape}")
    n = hidden_size(params, cell)

    # Seeds of every block, stacked: R rows per sequence, block b occupying rows[b].
    seeds_h, seeds_c, rows, cols = [], [], [], []
    start = 0
    for block in blocks:
        sh, sc, col = _seeds(cell, block, n)
        seeds_h.append(sh)
        if sc is not None:
            seeds_c.append(sc)
        rows.append(slice(start, start + sh.shape[0]))
        cols.append(col)
        start += sh.shape[0]
    R = start
    S_h = np.vstack(seeds_h)                                  # (R, n)
    S_c = np.vstack(seeds_c) if seeds_c else None             # (R, n) or None

    # One forward pass over the B sequences; the R seeds of each travel together backwards.
    if h0 is not None:
        check_shape(as_array(h0, "h0", ndim=2), (B, n), "h0", f"(B, n) = ({B}, {n})")
    traj = forward(cell, X, params, h0, c0, **options)
    J = _step_jacobians(traj)                                     # (T, B, S, S)
    seeds = S_h if S_c is None else np.concatenate([S_h, S_c], axis=1)   # (R, S)
    grad = np.broadcast_to(seeds, (B,) + seeds.shape).copy()     # (B, R, S)
    G = len(blocks)
    # Rows recorded for every distance, normalised; the divisors of each step kept apart.
    width = 2 * n if cell == "lstm" else n
    recorded = np.empty((T, B, R, width))
    divisors = np.empty((T, B, G))
    starts = np.array([rs.start for rs in rows])
    sizes = np.array([rs.stop - rs.start for rs in rows])
    for k in range(1, T + 1):
        grad = grad @ J[T - k]                                    # one step back, every seed
        row_max = np.abs(grad).max(axis=2)                        # (B, R)
        if G == 1:
            s = row_max.max(axis=1, keepdims=True)                # (B, 1)
            safe = np.where(s > 0, s, 1.0)[:, :, None]
        else:
            s = np.maximum.reduceat(row_max, starts, axis=1)      # (B, G): per block
            safe = np.repeat(np.where(s > 0, s, 1.0), sizes, axis=1)[:, :, None]
        grad /= safe                                              # exact: backprop is linear
        recorded[k - 1] = grad
        divisors[k - 1] = s
    with np.errstate(divide="ignore"):
        scales = np.cumsum(np.log10(divisors), axis=0)            # -inf once a block is all 0
    out: dict[str, np.ndarray] = {}
    for g, (block, rs, col) in enumerate(zip(blocks, rows, cols, strict=True)):
        M = recorded[:, :, rs, col]                            # (T, B, rows, cols)
        sigma = largest_singular_values(M)                       # (T, B)
        with np.errstate(divide="ignore"):
            out[block] = (np.log10(sigma) + scales[:, :, g]).T.copy()
    return out, traj


def forget_path_log10_norms(traj: Trajectory) -> np.ndarray:
    r""":math:`\log_{10}\lVert \prod_{s=T-k+1}^{T} \mathrm{diag}(f_s) \rVert_2` for :math:`k = 1, \dots, T`.

    The norm of a product of diagonal matrices is its largest entry,
    :math:`\max_j \prod_s f_{s,j}`: the direct path along the LSTM cell state alone.

    Parameters
    ----------
    traj : Trajectory
        From ``rnnbook.sequence.forward("lstm", ...)``.

    Returns
    -------
    (B, T) array
        Column ``k - 1`` for distance :math:`k` (``-inf`` only if a forget gate is exactly 0).
    """
    if not isinstance(traj, Trajectory) or traj.cell != "lstm":
        raise TypeError("forget_path_log10_norms needs a Trajectory of cell 'lstm'")
    F = np.stack([c["f"] for c in traj.caches])               # (T, B, n)
    with np.errstate(divide="ignore"):
        log_f = np.log10(F)
    cumulative = np.cumsum(log_f[::-1], axis=0)               # row k-1: sum of the last k steps
    return cumulative.max(axis=2).T.copy()


def step_jacobian(cell: str, x: np.ndarray, h_prev: np.ndarray, params: dict[str, np.ndarray],
                  c_prev: np.ndarray | None = None, **options: str) -> np.ndarray:
    r"""The one-step state Jacobian :math:`\partial s_t / \partial s_{t-1}`, exactly.

    Computed by backpropagating the unit vectors through one step, so row :math:`j` is the
    gradient of the :math:`j`-th state entry. For the LSTM the state is
    :math:`s = (h, c)` in that order, and the Jacobian has the blocks

    .. math::
        \begin{pmatrix} \partial h_t/\partial h_{t-1} & \partial h_t/\partial c_{t-1} \\
                        \partial c_t/\partial h_{t-1} & \partial c_t/\partial c_{t-1}
        \end{pmatrix},
        \qquad \frac{\partial c_t}{\partial c_{t-1}} = \mathrm{diag}(f_t)
        \ \text{(no peepholes)}.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x : (B, d)
    h_prev : (B, n)
    params : dict
    c_prev : (B, n)
        LSTM only (zeros if omitted).
    **options
        As for :func:`rnnbook.sequence.forward`.

    Returns
    -------
    (B, S, S) array with :math:`S = n` (RNN, GRU) or :math:`2n` (LSTM).
    """
    check_choice(cell, "cell", CELLS)
    x = as_array(x, "x", ndim=2)
    h_prev = as_array(h_prev, "h_prev", ndim=2)
    X = x[None]
    return state_jacobians(cell, X, params, h_prev, c_prev, **options)[0]


def state_jacobians(cell: str, X: np.ndarray, params: dict[str, np.ndarray],
                    h0: np.ndarray | None = None, c0: np.ndarray | None = None,
                    **options: str) -> np.ndarray:
    r"""Every one-step state Jacobian :math:`\partial s_t / \partial s_{t-1}` along a sequence.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    X : (T, B, d)
    params : dict
    h0, c0 : (B, n), optional
    **options
        As for :func:`rnnbook.sequence.forward`.

    Returns
    -------
    (T, B, S, S) array
        ``J[t]`` is the Jacobian of the step that reads ``X[t]``; :math:`S = n` or :math:`2n`
        (LSTM, state ordered :math:`(h, c)`).
    """
    check_choice(cell, "cell", CELLS)
    X = as_array(X, "X", ndim=3)
    T, B, _ = X.shape
    if T == 0 or B == 0:
        raise ValueError(f"X must hold at least one step and one sequence, got shape {X.shape}")
    n = hidden_size(params, cell)
    if cell != "lstm" and c0 is not None:
        raise ValueError(f"c0 is only used by the LSTM, not by cell={cell!r}")
    S = 2 * n if cell == "lstm" else n
    seeds_h, seeds_c, _ = _seeds(cell, "state", n)
    X_rep = np.repeat(X, S, axis=1)
    h0_rep = None if h0 is None else np.repeat(as_array(h0, "h0", ndim=2), S, axis=0)
    c0_rep = None if c0 is None else np.repeat(as_array(c0, "c0", ndim=2), S, axis=0)
    if h0 is not None:
        check_shape(h0_rep, (B * S, n), "h0 (repeated)", f"(B, n) = ({B}, {n})")
    if c0 is not None:
        check_shape(c0_rep, (B * S, n), "c0 (repeated)", f"(B, n) = ({B}, {n})")
    traj = forward(cell, X_rep, params, h0_rep, c0_rep, **options)
    J = np.empty((T, B, S, S))
    for t in range(T):
        dh = np.tile(seeds_h, (B, 1))
        dc = None if seeds_c is None else np.tile(seeds_c, (B, 1))
        dh, dc = _step_backward(traj, t, dh, dc)
        grad = dh if dc is None else np.concatenate([dh, dc], axis=1)
        J[t] = grad.reshape(B, S, S)
    return J


@dataclass(frozen=True)
class FlowCurves:
    r"""Median :math:`\log_{10}` Jacobian norms against the distance :math:`k = T - t`.

    Attributes
    ----------
    k : (T,) int array
        Distances :math:`1, \dots, T`.
    rnn, gru, lstm_h : (T,) arrays
        :math:`\log_{10}\lVert\partial h_T/\partial h_{T-k}\rVert_2` (median over sequences).
    lstm_c : (T,) array
        :math:`\log_{10}\lVert\partial c_T/\partial c_{T-k}\rVert_2` (median over sequences).
    lstm_forget : (T,) array
        :math:`\log_{10}\max_j\prod f` along the direct cell-state path (median).
    settings : dict
        The arguments that produced the curves.
    """

    k: np.ndarray
    rnn: np.ndarray
    lstm_h: np.ndarray
    lstm_c: np.ndarray
    lstm_forget: np.ndarray
    gru: np.ndarray
    settings: dict


def compare_cells(T: int = 100, n: int = 32, d: int = 8, forget_bias: float = 1.0,
                  n_sequences: int = 4, rng: np.random.Generator | int = 0,
                  input_scale: float = 1.0, rnn_cache: dict | None = None) -> FlowCurves:
    r"""Gradient norm against distance for a vanilla RNN, an LSTM and a GRU of the same size.

    All three cells get hidden size ``n`` and the package's default initialisation
    (orthogonal recurrent blocks, Xavier input weights, tanh RNN). ``forget_bias`` sets the
    LSTM forget-gate bias :math:`b_f` and the GRU update-gate bias :math:`b_z`; in the GRU's
    ``update="old"`` convention, :math:`h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t`,
    :math:`z_t` is the gate that keeps :math:`h_{t-1}`, the GRU's forget gate. The RNN has no
    gate and does not depend on ``forget_bias``.

    The parameters are drawn first and the inputs :math:`x_t \sim \mathcal N(0,
    \text{input\_scale}^2)` last, from one generator, so the same ``rng`` seed gives the same
    weights for every ``T`` and the inputs of a shorter run are the first steps of a longer one.

    Parameters
    ----------
    T : int >= 1
        Sequence length.
    n, d : int >= 1
        Hidden and input sizes.
    forget_bias : float
        Finite.
    n_sequences : int >= 1
        Input sequences; the curves are medians over them.
    rng : numpy.random.Generator or int
    input_scale : float >= 0
    rnn_cache : dict, optional
        The caller's memo of RNN curves. The RNN does not depend on ``forget_bias``: with an
        integer ``rng`` seed its per-sequence curves are stored here under
        ``(seed, T, n, d, n_sequences, input_scale)`` and reused, so a widget's forget-bias
        slider only recomputes the gated cells.

    Returns
    -------
    FlowCurves
    """
    T = check_positive_int(T, "T")
    n, d = check_positive_int(n, "n"), check_positive_int(d, "d")
    B = check_positive_int(n_sequences, "n_sequences")
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float, np.floating,
                                                                     np.integer)):
        raise TypeError(f"forget_bias must be a real number, got {type(forget_bias).__name__}")
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias}")
    if not (np.isfinite(input_scale) and input_scale >= 0):
        raise ValueError(f"input_scale must be finite and >= 0, got {input_scale}")
    seed = rng
    rng = check_rng(rng)
    p_rnn = init_rnn_params(d, n, rng)
    p_lstm = init_lstm_params(d, n, rng, forget_bias=float(forget_bias))
    p_gru = init_gru_params(d, n, rng)
    p_gru["b_h"][n:2 * n] = float(forget_bias)
    X = input_scale * rng.normal(size=(T, B, d))

    key = ((int(seed), T, n, d, B, float(input_scale))
           if rnn_cache is not None and isinstance(seed, (int, np.integer)) else None)
    rnn = rnn_cache.get(key) if key is not None else None
    if rnn is None:
        rnn = jacobian_log10_norms("rnn", X, p_rnn)["h"]
        if key is not None:
            rnn_cache[key] = rnn
    lstm, traj = _jacobian_log10_norms("lstm", X, p_lstm, None, None, ("h", "c"))
    gru = jacobian_log10_norms("gru", X, p_gru)["h"]
    forget = forget_path_log10_norms(traj)
    med = lambda a: np.median(a, axis=0)  # noqa: E731
    return FlowCurves(k=np.arange(1, T + 1), rnn=med(rnn), lstm_h=med(lstm["h"]),
                      lstm_c=med(lstm["c"]), lstm_forget=med(forget), gru=med(gru),
                      settings={"T": T, "n": n, "d": d, "forget_bias": float(forget_bias),
                                "n_sequences": B, "input_scale": float(input_scale)})
