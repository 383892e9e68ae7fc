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

import numpy as np

from ._checks import as_array, check_shape
from .activations import get_activation
from .sequence import Trajectory, forward

__all__ = [
    "jacobian_norms",
    "jacobian_product",
    "log10_bound",
    "rescale_spectral_norm",
    "rnn_jacobians",
    "spectral_norm",
    "spectral_radius",
]


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
                   h0: np.ndarray | None = None) -> np.ndarray:
    r""":math:`\log_{10} \lVert \partial h_T / \partial h_{T-k} \rVert_2` for :math:`k = 1, \dots, T`.

    The product is accumulated from the end, :math:`P_k = P_{k-1} J_{T-k+1}`, and
    renormalised after each step, so its norm is exact even when it is far below
    the smallest or above the largest float64.

    Parameters
    ----------
    X : (T, B, d)
    params : dict with ``W_xh`` (n, d), ``W_hh`` (n, n), ``b_h`` (n,)
    activation : {"tanh", "sigmoid", "relu", "linear"}
    h0 : (B, n), optional

    Returns
    -------
    log10_norms : (B, T)
        Column ``k - 1`` holds :math:`\log_{10}\lVert\partial h_T/\partial h_{T-k}\rVert_2`;
        ``-inf`` where the product is exactly zero.
    """
    get_activation(activation)
    traj = forward("rnn", X, params, h0, activation=activation)
    J = rnn_jacobians(traj)
    T, B, n, _ = J.shape
    out = np.empty((B, T))
    P = np.broadcast_to(np.eye(n), (B, n, n)).copy()
    log_scale = np.zeros(B)
    for k in range(1, T + 1):
        P = P @ J[T - k]
        s = np.linalg.norm(P, 2, axis=(1, 2))
        with np.errstate(divide="ignore"):
            out[:, k - 1] = log_scale + np.log10(s)
        alive = s > 0
        P[alive] /= s[alive, None, None]
        log_scale[alive] += np.log10(s[alive])
        log_scale[~alive] = -np.inf
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
