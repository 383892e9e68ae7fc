r"""Jacobians of the vanilla RNN, their products and norms, and the theoretical bound.

For :math:`h_t = f(W_{xh} x_t + W_{hh} h_{t-1} + b_h)` the one-step Jacobian is

.. math:: J_t = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(f'(z_t))\, W_{hh},

so :math:`\partial h_T / \partial h_t = J_T J_{T-1} \cdots J_{t+1}` and, when
:math:`|f'| \le \gamma`,

.. math:: \Bigl\lVert \frac{\partial h_T}{\partial h_t} \Bigr\rVert_2
          \le \bigl(\gamma\, \sigma_{\max}(W_{hh})\bigr)^{T-t}.

Norms of long products under- or overflow, so :func:`jacobian_norms` carries
the product renormalised and returns :math:`\log_{10}` of the norm, which is
exact and finite (``-inf`` only where the product is exactly zero, as with
dead ReLU units).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import as_array, check_shape
from .activations import get_activation
from .sequence import Trajectory, forward

__all__ = [
    "jacobian_norms",
    "jacobian_product",
    "largest_singular_values",
    "log10_bound",
    "rescale_spectral_norm",
    "rnn_jacobians",
    "spectral_norm",
    "spectral_radius",
]


def largest_singular_values(M: np.ndarray) -> np.ndarray:
    r""":math:`\sigma_{\max}` of each matrix of a stack ``(..., p, q)``.

    Via the largest eigenvalue of the smaller Gram matrix (:math:`M M^\top` or
    :math:`M^\top M`), which a symmetric eigensolver finds faster than an SVD. The largest
    eigenvalue is well conditioned, so :math:`\sigma_{\max}` comes out to about
    :math:`10^{-15}` relative. The Gram matrix squares the entries: the callers
    (:func:`jacobian_norms`, :mod:`rnnbook.gradient_flow`) renormalise their products to
    entries of order 1 first, so it can neither over- nor underflow.

    Parameters
    ----------
    M : (..., p, q) array

    Returns
    -------
    (...) array of :math:`\sigma_{\max}` values.
    """
    gram = M @ np.swapaxes(M, -1, -2) if M.shape[-2] <= M.shape[-1] else np.swapaxes(M, -1, -2) @ M
    top = np.linalg.eigvalsh(gram)[..., -1]
    return np.sqrt(np.maximum(top, 0.0))


def spectral_norm(W: np.ndarray) -> float:
    r"""Largest singular value :math:`\sigma_{\max}(W) = \lVert W \rVert_2` of a matrix."""
    W = as_array(W, "W", ndim=2)
    return float(np.linalg.norm(W, 2))


def spectral_radius(W: np.ndarray) -> float:
    r"""Largest absolute eigenvalue :math:`\rho(W)` of a square matrix (:math:`\rho \le \sigma_{\max}`)."""
    W = as_array(W, "W", ndim=2)
    check_shape(W, (W.shape[0], W.shape[0]), "W", "(n, n)")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def rescale_spectral_norm(W: np.ndarray, target: float) -> np.ndarray:
    r"""Return :math:`W \cdot \text{target}/\sigma_{\max}(W)`, whose spectral norm is ``target``."""
    W = as_array(W, "W", ndim=2)
    if not np.isfinite(target) or target < 0:
        raise ValueError(f"target spectral norm must be finite and >= 0, got {target}")
    s = spectral_norm(W)
    if s == 0:
        raise ValueError("W is the zero matrix: it cannot be rescaled to a spectral norm")
    return W * (target / s)


def rnn_jacobians(traj: Trajectory) -> np.ndarray:
    r"""One-step Jacobians :math:`J_t = \mathrm{diag}(f'(z_t)) W_{hh}` of a vanilla-RNN trajectory.

    Parameters
    ----------
    traj : Trajectory
        From ``rnnbook.sequence.forward("rnn", ...)``.

    Returns
    -------
    J : (T, B, n, n)
        ``J[t]`` is :math:`\partial h_t / \partial h_{t-1}` for step ``t`` of ``traj``.
    """
    if not isinstance(traj, Trajectory) or traj.cell != "rnn":
        raise TypeError("rnn_jacobians needs a Trajectory of cell 'rnn'")
    W_hh = traj.caches[0]["params"]["W_hh"]
    d = np.stack([c["act"].df(c["z"]) for c in traj.caches])  # (T, B, n)
    return d[..., :, None] * W_hh[None, None, :, :]


def jacobian_product(J: np.ndarray, t: int) -> np.ndarray:
    r"""The product :math:`\partial h_T/\partial h_t = J_T \cdots J_{t+1}`.

    Parameters
    ----------
    J : (T, B, n, n)
        One-step Jacobians, ``J[s-1]`` being :math:`J_s` for :math:`s = 1, \dots, T`.
    t : int
        :math:`0 \le t \le T`; ``t = T`` gives the identity.

    Returns
    -------
    (B, n, n)
    """
    J = as_array(J, "J", ndim=4)
    T, B, n, _ = J.shape
    if not 0 <= t <= T:
        raise ValueError(f"t must lie in [0, T] = [0, {T}], got {t}")
    P = np.broadcast_to(np.eye(n), (B, n, n)).copy()
    for s in range(T - 1, t - 1, -1):
        P = P @ J[s]
    return P


def jacobian_norms(X: np.ndarray, params: dict[str, np.ndarray], activation: str = "tanh",
                   h0: np.ndarray | None = None, ks: Sequence[int] | None = None) -> np.ndarray:
    r""":math:`\log_{10} \lVert \partial h_T / \partial h_{T-k} \rVert_2` for :math:`k = 1, \dots, T`.

    The product is accumulated from the end,
    :math:`P_k = P_{k-1}\,\mathrm{diag}(f'(z_{T-k+1}))\,W_{hh}`, and divided by its
    Frobenius norm after each step, whose :math:`\log_{10}` is carried separately; the
    spectral norm is then exact even when it lies far below the smallest or above the
    largest float64. The (costly) largest singular value is computed only at the ``ks``
    asked for.

    Parameters
    ----------
    X : (T, B, d)
    params : dict with ``W_xh`` (n, d), ``W_hh`` (n, n), ``b_h`` (n,)
    activation : {"tanh", "sigmoid", "relu", "linear"}
    h0 : (B, n), optional
    ks : strictly increasing integers in ``[1, T]``, optional
        The distances :math:`k` to report; all of ``1, ..., T`` if omitted.

    Returns
    -------
    log10_norms : (B, len(ks))
        Column ``j`` holds :math:`\log_{10}\lVert\partial h_T/\partial h_{T-k_j}\rVert_2`
        (so with ``ks`` omitted, column ``k - 1`` is distance ``k``); ``-inf`` where the
        product is exactly zero (dead ReLU units).
    """
    act = get_activation(activation)
    traj = forward("rnn", X, params, h0, activation=act.name)
    T, B, n = traj.H.shape
    if ks is None:
        ks = np.arange(1, T + 1)
    ks = np.asarray(ks)
    if (ks.ndim != 1 or ks.size == 0 or not np.issubdtype(ks.dtype, np.integer)
            or ks[0] < 1 or ks[-1] > T or np.any(np.diff(ks) <= 0)):
        raise ValueError(f"ks must be strictly increasing integers in [1, T] = [1, {T}]")
    column = {int(k): j for j, k in enumerate(ks)}
    D = act.df(np.stack([cache["z"] for cache in traj.caches]))      # (T, B, n): f'(z_t)
    W_hh = params["W_hh"]
    P = np.broadcast_to(np.eye(n), (B, n, n)).copy()
    spare = np.empty_like(P)
    log_scale = np.zeros(B)
    out = np.empty((B, ks.size))
    for k in range(1, int(ks[-1]) + 1):
        np.multiply(P, D[T - k][:, None, :], out=P)                   # P diag(f'(z))
        np.matmul(P.reshape(B * n, n), W_hh, out=spare.reshape(B * n, n))  # ... W_hh: one GEMM
        P, spare = spare, P
        fro = np.sqrt(np.einsum("bij,bij->b", P, P))
        alive = fro > 0                                               # else exactly zero
        safe = np.where(alive, fro, 1.0)
        P /= safe[:, None, None]
        log_scale += np.where(alive, np.log10(safe), -np.inf)
        if k in column:
            # sigma_max of the renormalised P (Frobenius norm 1, so sigma_max >= 1/sqrt(n))
            s = largest_singular_values(P)
            positive = alive & (s > 0)
            out[:, column[k]] = np.where(positive,
                                         log_scale + np.log10(np.where(positive, s, 1.0)),
                                         -np.inf)
    return out


def log10_bound(gamma: float, sigma_max: float, k: np.ndarray | int) -> np.ndarray:
    r""":math:`\log_{10}` of the bound :math:`(\gamma\,\sigma_{\max})^k`, finite for any ``k``.

    Parameters
    ----------
    gamma : float
        Bound on :math:`|f'|` (see :mod:`rnnbook.activations`), > 0.
    sigma_max : float
        :math:`\lVert W_{hh}\rVert_2`, >= 0.
    k : int or array of int
        Number of steps :math:`T - t`, >= 0.

    Returns
    -------
    numpy.ndarray of float (``-inf`` only when ``sigma_max`` is 0 and ``k > 0``)
    """
    if not (np.isfinite(gamma) and gamma > 0):
        raise ValueError(f"gamma must be finite and > 0, got {gamma}")
    if not (np.isfinite(sigma_max) and sigma_max >= 0):
        raise ValueError(f"sigma_max must be finite and >= 0, got {sigma_max}")
    k = np.asarray(k)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
        raise ValueError("k must be a non-negative integer or array of them")
    if sigma_max == 0:
        return np.where(k == 0, 0.0, -np.inf)
    return k * np.log10(gamma * sigma_max)
