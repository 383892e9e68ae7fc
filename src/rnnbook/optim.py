r"""Optimisers and gradient clipping.

Optimisers update a dict of parameter arrays in place from a dict of gradients
with the same keys. Their state (Adam's moments) lives in the optimiser object,
never in a module-level variable.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["SGD", "Adam", "clip_by_global_norm", "clip_by_value", "global_norm"]

Arrays = Mapping[str, np.ndarray]


def _check_pair(params: Arrays, grads: Arrays) -> None:
    if set(params) != set(grads):
        raise KeyError(f"params and grads must have the same keys; params has "
                       f"{sorted(params)}, grads has {sorted(grads)}")
    for key in params:
        if np.shape(params[key]) != np.shape(grads[key]):
            raise ValueError(f"grads[{key!r}] has shape {np.shape(grads[key])}, "
                             f"expected {np.shape(params[key])}")
        if not np.all(np.isfinite(grads[key])):
            raise ValueError(f"grads[{key!r}] contains NaN or infinite values; clip the "
                             "gradients or lower the learning rate")


def _check_lr(lr: float) -> float:
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be finite and > 0, got {lr}")
    return float(lr)


def global_norm(grads: Arrays) -> float:
    r""":math:`\lVert g \rVert = \sqrt{\sum_{\text{arrays}} \sum_i g_i^2}`, all arrays as one vector."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def clip_by_global_norm(grads: Arrays, max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``.

    .. math:: g \leftarrow g \cdot \min\bigl(1, \tau / \lVert g \rVert\bigr)

    The direction of the update is kept (Pascanu et al., 2013).

    Returns
    -------
    clipped : dict of new arrays
    norm : float
        The global norm *before* clipping.
    """
    if not (np.isfinite(max_norm) and max_norm > 0):
        raise ValueError(f"max_norm must be finite and > 0, got {max_norm}")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError("gradients contain NaN or infinite values: clipping cannot fix them")
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * factor for k, g in grads.items()}, norm


def clip_by_value(grads: Arrays, clip: float) -> dict[str, np.ndarray]:
    r"""Clip every gradient entry to :math:`[-c, c]`; unlike norm clipping it can change the direction."""
    if not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be finite and > 0, got {clip}")
    return {k: np.clip(g, -clip, clip) for k, g in grads.items()}


class SGD:
    r"""Plain gradient descent :math:`\theta \leftarrow \theta - \eta\, g`."""

    def __init__(self, lr: float = 0.1) -> None:
        self.lr = _check_lr(lr)

    def step(self, params: dict[str, np.ndarray], grads: Arrays) -> None:
        """Update ``params`` in place."""
        _check_pair(params, grads)
        for key in params:
            params[key] -= self.lr * grads[key]


class Adam:
    r"""Adam (Kingma & Ba, 2015) with bias correction.

    .. math::
        m &\leftarrow \beta_1 m + (1-\beta_1) g, \quad v \leftarrow \beta_2 v + (1-\beta_2) g^2 \\
        \theta &\leftarrow \theta - \eta\, \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr = _check_lr(lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must lie in [0, 1), got {beta}")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: Arrays) -> None:
        """Update ``params`` in place."""
        _check_pair(params, grads)
        self.t += 1
        c1, c2 = 1.0 - self.beta1**self.t, 1.0 - self.beta2**self.t
        for key, g in grads.items():
            m = self.m.setdefault(key, np.zeros_like(g))
            v = self.v.setdefault(key, np.zeros_like(g))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            params[key] -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
