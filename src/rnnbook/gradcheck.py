r"""Finite-difference gradient checking.

The central difference :math:`\frac{f(\theta + \epsilon e_i) - f(\theta - \epsilon e_i)}{2\epsilon}`
has error :math:`O(\epsilon^2)`; with float64 and :math:`\epsilon = 10^{-6}` an exact
analytic gradient agrees with it to a relative error near :math:`10^{-9}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._checks import as_array

__all__ = ["check_gradients", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    r"""Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``f`` takes no argument and reads ``x`` (for example a parameter inside a dict);
    each entry of ``x`` is nudged in place by :math:`\pm\epsilon` and restored.

    Parameters
    ----------
    f : callable returning a float
    x : numpy.ndarray of float64, any shape (modified temporarily, restored exactly)
    eps : float > 0

    Returns
    -------
    numpy.ndarray, same shape as ``x``
    """
    if not callable(f):
        raise TypeError("f must be a callable taking no argument and returning a float")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (it is perturbed in place)")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be finite and > 0, got {eps}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f())
        flat[i] = old - eps
        f_minus = float(f())
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r""":math:`\max_i |a_i - b_i| / \max(\max_i |a_i| + \max_i |b_i|,\ 10^{-12})`.

    Scaled by the largest entries rather than entrywise, so that entries that are
    zero in both arrays do not produce 0/0.
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    denom = max(float(np.max(np.abs(a)) + np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b)) / denom)


def check_gradients(f: Callable[[], float], arrays: Mapping[str, np.ndarray],
                    analytic: Mapping[str, np.ndarray], eps: float = 1e-6) -> dict[str, float]:
    """Relative error between ``analytic[name]`` and the numerical gradient of each array.

    Parameters
    ----------
    f : callable taking no argument
        The loss, reading the arrays of ``arrays`` (perturbed in place).
    arrays : dict of float64 arrays
    analytic : dict of arrays with the same keys and shapes
    eps : float

    Returns
    -------
    dict
        ``{name: relative_error}`` for every key of ``arrays``.
    """
    missing = set(arrays) - set(analytic)
    if missing:
        raise KeyError(f"analytic gradients are missing {sorted(missing)}")
    return {name: relative_error(analytic[name], numerical_gradient(f, x, eps))
            for name, x in arrays.items()}
