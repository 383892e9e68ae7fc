r"""Getting sequences ready for an RNN: padding with a mask, scaling, embedding lookups.

* :func:`pad_sequences` stacks sequences of different lengths :math:`T_i` into one
  time-major batch ``X`` ``(T, B, d)`` with :math:`T = \max_i T_i` and returns the mask
  ``(T, B)`` that marks the real positions (1) and the padding (0).
* :func:`standardize` fits :math:`\mu` and :math:`s` on the training data only and maps every
  array through :math:`z = (x - \mu)/s`, so that a ``tanh`` unit receives inputs of order one.
* :func:`embedding_lookup` returns the rows of an embedding matrix ``E`` ``(K, e)``: the same
  numbers as one-hot vectors times ``E``, without building the one-hot vectors.
  :func:`embedding_lookup_backward` scatters the upstream gradient back into ``E``'s shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import as_array, check_choice, check_positive_int

__all__ = [
    "Standardizer",
    "embedding_lookup",
    "embedding_lookup_backward",
    "fit_standardizer",
    "pad_sequences",
    "standardize",
]


def pad_sequences(sequences: Sequence[np.ndarray], value: float = 0.0,
                  padding: str = "post", maxlen: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    r"""Stack sequences of lengths :math:`T_i` into a padded batch and its mask.

    .. math:: X_{t,b} = x^{(b)}_t,\; M_{t,b} = 1 \text{ for a real step};\qquad
              X_{t,b} = v,\; M_{t,b} = 0 \text{ for padding}

    Parameters
    ----------
    sequences : list of (T_i, d) arrays
        ``B`` sequences with the same feature size ``d``; a 1-D array ``(T_i,)`` is read as
        ``(T_i, 1)``. Every ``T_i >= 1``.
    value : float
        The value written into padded positions.
    padding : {"post", "pre"}
        Pad after the sequence (``"post"``, the real steps start at ``t = 0``) or before it
        (``"pre"``, the real steps end at ``t = T - 1``).
    maxlen : int, optional
        Length ``T`` of the batch; defaults to the longest sequence and may not be shorter.

    Returns
    -------
    X : (T, B, d) float64
    mask : (T, B) float64, 1 for a real step and 0 for padding
    """
    check_choice(padding, "padding", ["post", "pre"])
    if isinstance(sequences, np.ndarray) or not isinstance(sequences, Sequence):
        raise TypeError("sequences must be a list of (T_i, d) arrays")
    if len(sequences) == 0:
        raise ValueError("sequences is empty: need at least one (T_i, d) array")
    if not np.isfinite(value):
        raise ValueError(f"value must be finite, got {value}")
    seqs = []
    for i, s in enumerate(sequences):
        a = as_array(s, f"sequences[{i}]", ndim=(1, 2))
        a = a[:, None] if a.ndim == 1 else a
        if a.shape[0] < 1:
            raise ValueError(f"sequences[{i}] is empty: every sequence needs T_i >= 1")
        seqs.append(a)
    d = seqs[0].shape[1]
    for i, a in enumerate(seqs):
        if a.shape[1] != d:
            raise ValueError(f"sequences[{i}] must have shape (T_i, d) with d = {d}, "
                             f"got {a.shape}")
    longest = max(a.shape[0] for a in seqs)
    T = longest if maxlen is None else check_positive_int(maxlen, "maxlen")
    if T < longest:
        raise ValueError(f"maxlen={T} is shorter than the longest sequence ({longest})")
    B = len(seqs)
    X = np.full((T, B, d), float(value))
    mask = np.zeros((T, B))
    for b, a in enumerate(seqs):
        start = 0 if padding == "post" else T - a.shape[0]
        X[start:start + a.shape[0], b] = a
        mask[start:start + a.shape[0], b] = 1.0
    return X, mask


@dataclass(frozen=True)
class Standardizer:
    r"""The affine map :math:`z = (x - \mu)/s` fitted on training data.

    Attributes
    ----------
    mean, std : (d,) arrays, or 0-d arrays for data without a feature axis
    """

    mean: np.ndarray
    std: np.ndarray

    def transform(self, x: np.ndarray) -> np.ndarray:
        r""":math:`z = (x - \mu)/s`; ``x`` has the training data's feature axis (last)."""
        x = as_array(x, "x")
        if self.mean.ndim and (x.ndim == 0 or x.shape[-1] != self.mean.shape[0]):
            raise ValueError(f"x must have shape (..., {self.mean.shape[0]}), got {x.shape}")
        return (x - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        r""":math:`x = \mu + s z`, back to the original units."""
        z = as_array(z, "z")
        if self.mean.ndim and (z.ndim == 0 or z.shape[-1] != self.mean.shape[0]):
            raise ValueError(f"z must have shape (..., {self.mean.shape[0]}), got {z.shape}")
        return self.mean + self.std * z


def fit_standardizer(train: np.ndarray) -> Standardizer:
    r"""Fit :math:`\mu` and :math:`s` (population standard deviation) on ``train``.

    Parameters
    ----------
    train : (L,) series, or (..., d) with the features on the last axis
        A 1-D array gets one scalar mean and standard deviation; otherwise each of the ``d``
        features gets its own, over all the other axes.

    Raises
    ------
    ValueError
        If a feature is constant on the training data (:math:`s = 0`).
    """
    x = as_array(train, "train")
    if x.ndim == 0 or x.size < 2:
        raise ValueError(f"train must hold at least two values, got shape {x.shape}")
    axes = None if x.ndim == 1 else tuple(range(x.ndim - 1))
    mean = np.asarray(x.mean(axis=axes))
    std = np.asarray(x.std(axis=axes))
    if np.any(std == 0):
        raise ValueError("a feature is constant on the training data (std = 0): "
                         "it cannot be standardised")
    return Standardizer(mean=mean, std=std)


def standardize(train: np.ndarray, *others: np.ndarray
                ) -> tuple[np.ndarray, ...]:
    r"""Standardise ``train`` and every other array with the statistics of ``train`` only.

    .. math:: z = (x - \mu_{\text{train}}) / s_{\text{train}}

    Fitting on the training part alone keeps the validation and test data out of the
    preprocessing (no leakage).

    Parameters
    ----------
    train : (L,) or (..., d)
    *others : arrays with the same feature axis as ``train``

    Returns
    -------
    tuple
        ``(train_z, *others_z, scaler)`` where ``scaler`` is the fitted :class:`Standardizer`
        (use ``scaler.inverse`` to turn predictions back into original units).
    """
    scaler = fit_standardizer(train)
    return (scaler.transform(train), *(scaler.transform(o) for o in others), scaler)


def _check_indices(indices: object, K: int) -> np.ndarray:
    idx = np.asarray(indices)
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= K):
        raise ValueError(f"indices must lie in [0, {K}), got values in "
                         f"[{idx.min()}, {idx.max()}]")
    return idx


def embedding_lookup(E: np.ndarray, indices: np.ndarray) -> np.ndarray:
    r"""Embedding vectors of token indices: ``out[...] = E[indices[...]]``.

    With :math:`o` the one-hot vector of a token, :math:`x = E^\top o`: the lookup returns
    the same numbers as ``one_hot(indices, K) @ E`` without building the ``K``-long vectors.

    Parameters
    ----------
    E : (K, e)
        One row of ``e`` numbers per token of a vocabulary of size ``K``.
    indices : int array, any shape (e.g. ``(T, B)``), values in ``[0, K)``

    Returns
    -------
    float64 array of shape ``indices.shape + (e,)``
    """
    E = as_array(E, "E", ndim=2)
    idx = _check_indices(indices, E.shape[0])
    return E[idx]


def embedding_lookup_backward(dX: np.ndarray, indices: np.ndarray, K: int) -> np.ndarray:
    r"""Gradient of a loss with respect to ``E`` given its gradient ``dX`` w.r.t. the lookup.

    .. math:: \frac{\partial L}{\partial E_k} = \sum_{p:\ \text{indices}_p = k}
              \frac{\partial L}{\partial x_p}

    Only the rows of tokens that occur receive a gradient (a scatter-add), exactly what
    :math:`O^\top\,\partial L/\partial X` gives for the one-hot matrix :math:`O`.

    Parameters
    ----------
    dX : indices.shape + (e,)
    indices : int array, values in ``[0, K)``
    K : int, vocabulary size

    Returns
    -------
    dE : (K, e)
    """
    K = check_positive_int(K, "K")
    idx = _check_indices(indices, K)
    dX = as_array(dX, "dX")
    if dX.shape[:-1] != idx.shape or dX.ndim != idx.ndim + 1:
        raise ValueError(f"dX must have shape indices.shape + (e,) = {idx.shape} + (e,), "
                         f"got {dX.shape}")
    dE = np.zeros((K, dX.shape[-1]))
    np.add.at(dE, idx.reshape(-1), dX.reshape(-1, dX.shape[-1]))
    return dE
