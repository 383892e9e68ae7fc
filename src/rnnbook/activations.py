r"""Activation functions, their derivatives, and the bound :math:`\gamma` of each derivative.

The vanishing-gradient theorem needs a number :math:`\gamma` with
:math:`|f'(z)| \le \gamma` for all :math:`z`:

========  ========================================  ==============
name      :math:`f(z)`                              :math:`\gamma`
========  ========================================  ==============
tanh      :math:`\tanh z`                           1
sigmoid   :math:`\sigma(z) = 1/(1+e^{-z})`          1/4
relu      :math:`\max(0, z)`                        1
linear    :math:`z`                                 1
========  ========================================  ==============

All functions act elementwise on arrays of any shape and never emit an
overflow warning, even for :math:`z = \pm 1000`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import as_array, check_choice

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "dsigmoid",
    "drelu",
    "dtanh",
    "get_activation",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(z) = 1/(1+e^{-z})`, without overflow.

    Uses :math:`\sigma(z) = e^{z}/(1+e^{z})` for negative :math:`z` so that
    :math:`e^{-z}` is never evaluated at a large positive argument.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, entries in [0, 1].
    """
    z = as_array(z, "z", finite=False)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_inplace(a: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(a) = 1/(1+e^{-a})` computed *in place* in ``a``, which it returns.

    For the gates of the cells' inner loops: one exponential per entry and no temporary
    array (``a`` must be a float array the caller owns; it is not checked). The argument is
    clipped at -700 first, so :math:`e^{-a}` never overflows (the result there is below
    1e-304 either way). :func:`sigmoid` is the checked version for any input.
    """
    np.maximum(a, -700.0, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def dsigmoid(z: np.ndarray) -> np.ndarray:
    r""":math:`\sigma'(z) = \sigma(z)(1-\sigma(z))`, at most 1/4 (at :math:`z = 0`)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent :math:`\tanh z`, entries in [-1, 1]."""
    return np.tanh(as_array(z, "z", finite=False))


def dtanh(z: np.ndarray) -> np.ndarray:
    r""":math:`\tanh'(z) = 1 - \tanh^2 z`, at most 1 (at :math:`z = 0`)."""
    t = np.tanh(as_array(z, "z", finite=False))
    return 1.0 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit :math:`\max(0, z)`."""
    return np.maximum(as_array(z, "z", finite=False), 0.0)


def drelu(z: np.ndarray) -> np.ndarray:
    r"""Derivative of ReLU: 1 where :math:`z > 0`, else 0 (the value 0 is used at :math:`z=0`)."""
    return (as_array(z, "z", finite=False) > 0).astype(np.float64)


def _identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=np.float64).copy()


def _didentity(z: np.ndarray) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=np.float64))


@dataclass(frozen=True)
class Activation:
    r"""An activation :math:`f`, its derivative :math:`f'` and :math:`\gamma = \sup_z |f'(z)|`."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    gamma: float


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", tanh, dtanh, 1.0),
    "sigmoid": Activation("sigmoid", sigmoid, dsigmoid, 0.25),
    "relu": Activation("relu", relu, drelu, 1.0),
    "linear": Activation("linear", _identity, _didentity, 1.0),
}


def get_activation(name: str | Activation) -> Activation:
    """Look up an activation by name (``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"linear"``)."""
    if isinstance(name, Activation):
        return name
    check_choice(name, "activation", list(ACTIVATIONS))
    return ACTIVATIONS[name]


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax :math:`p_i = e^{a_i} / \sum_j e^{a_j}` along ``axis``, shifted for stability.

    Parameters
    ----------
    logits : array_like, any shape, finite
    axis : int
        The axis that holds the classes.
    """
    a = as_array(logits, "logits")
    shifted = a - a.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
