r"""Weight initialisers: Xavier/Glorot, orthogonal and (scaled) identity.

Every initialiser takes a ``rng`` (a ``numpy.random.Generator`` or an integer
seed) so that two runs with the same seed produce the same weights.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_positive_int, check_rng

__all__ = ["identity", "orthogonal", "xavier_normal", "xavier_uniform"]


def _shape(shape: tuple[int, int]) -> tuple[int, int]:
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (fan_out, fan_in), got {shape!r}")
    return (check_positive_int(shape[0], "shape[0]"), check_positive_int(shape[1], "shape[1]"))


def xavier_uniform(shape: tuple[int, int], rng: np.random.Generator | int,
                   gain: float = 1.0) -> np.ndarray:
    r"""Glorot uniform initialisation (Glorot & Bengio, 2010).

    :math:`W_{ij} \sim U(-a, a)` with
    :math:`a = g\sqrt{6/(\text{fan}_\text{in}+\text{fan}_\text{out})}`.

    Parameters
    ----------
    shape : (fan_out, fan_in)
        Shape of the weight matrix, e.g. ``(n, d)`` for ``W_xh``.
    rng : Generator or int
    gain : float
        Multiplies the limit :math:`a`.

    Returns
    -------
    numpy.ndarray of shape ``shape``, with variance
    :math:`2g^2/(\text{fan}_\text{in}+\text{fan}_\text{out})`.
    """
    fan_out, fan_in = _shape(shape)
    rng = check_rng(rng)
    limit = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def xavier_normal(shape: tuple[int, int], rng: np.random.Generator | int,
                  gain: float = 1.0) -> np.ndarray:
    r"""Glorot normal initialisation.

    :math:`W_{ij} \sim \mathcal N(0, 2g^2/(\text{fan}_\text{in}+\text{fan}_\text{out}))`.
    """
    fan_out, fan_in = _shape(shape)
    rng = check_rng(rng)
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_out, fan_in))


def orthogonal(n: int, rng: np.random.Generator | int, gain: float = 1.0) -> np.ndarray:
    r"""A random orthogonal ``(n, n)`` matrix times ``gain`` (Saxe et al., 2014).

    The QR factorisation of a Gaussian matrix, with the signs of :math:`R`'s
    diagonal folded into :math:`Q` so that :math:`Q` is Haar distributed. Every
    singular value of the result equals ``gain``, so :math:`\|W_{hh}\|_2 = g`.
    """
    n = check_positive_int(n, "n")
    rng = check_rng(rng)
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    q = q * np.sign(np.diag(r))
    return gain * q


def identity(n: int, scale: float = 1.0) -> np.ndarray:
    r"""The scaled identity :math:`sI_n` used for ReLU RNNs by Le, Jaitly and Hinton (2015)."""
    n = check_positive_int(n, "n")
    return scale * np.eye(n)
