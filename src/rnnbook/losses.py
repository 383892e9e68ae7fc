r"""Losses with their gradients, with optional masks for padded positions.

Each function returns ``(loss, grad)`` where ``grad`` is the derivative of the
loss with respect to the predictions. ``reduction="mean"`` averages over the
positions the mask keeps; ``"sum"`` adds them.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_choice, check_shape

__all__ = ["mse_loss", "softmax_cross_entropy"]


def _mask(mask: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if mask is None:
        return np.ones(shape)
    m = as_array(mask, "mask")
    check_shape(m, shape, "mask", "(leading axes of the predictions)")
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("mask must hold only 0 and 1 (1 = a real position, 0 = padding)")
    if m.sum() == 0:
        raise ValueError("mask keeps no position: the loss would be an average over nothing")
    return m


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray, mask: np.ndarray | None = None,
             reduction: str = "mean") -> tuple[float, np.ndarray]:
    r"""Squared error :math:`L = \frac{1}{N}\sum_{\text{kept } p} \lVert \hat y_p - y_p \rVert^2`.

    Parameters
    ----------
    Y_hat, Y : (..., k)
        Predictions and targets of the same shape; the last axis holds the outputs.
    mask : (...), optional
        1 for a real position, 0 for padding; shape of ``Y`` without its last axis.
    reduction : {"mean", "sum"}
        ``"mean"`` divides by :math:`N`, the number of kept positions.

    Returns
    -------
    loss : float
    dY_hat : same shape as ``Y_hat``
    """
    check_choice(reduction, "reduction", ["mean", "sum"])
    Y_hat = as_array(Y_hat, "Y_hat")
    Y = as_array(Y, "Y")
    check_shape(Y, Y_hat.shape, "Y", "(same as Y_hat)")
    if Y_hat.ndim < 1:
        raise ValueError("Y_hat must have at least one axis (the outputs)")
    m = _mask(mask, Y_hat.shape[:-1])
    diff = (Y_hat - Y) * m[..., None]
    scale = 1.0 / m.sum() if reduction == "mean" else 1.0
    return float(scale * np.sum(diff**2)), 2.0 * scale * diff


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray,
                          mask: np.ndarray | None = None,
                          reduction: str = "mean") -> tuple[float, np.ndarray]:
    r"""Cross-entropy of softmax predictions, :math:`L = -\frac{1}{N}\sum_p \log p_{p, y_p}`.

    Natural logarithm (nats). The gradient is :math:`(\mathrm{softmax}(a_p) - e_{y_p})/N`.

    Parameters
    ----------
    logits : (..., K)
        Unnormalised scores; the last axis holds the :math:`K` classes.
    targets : (...)
        Integer class indices in ``[0, K)``.
    mask : (...), optional
        1 for a real position, 0 for padding.
    reduction : {"mean", "sum"}

    Returns
    -------
    loss : float
    dlogits : same shape as ``logits``
    """
    check_choice(reduction, "reduction", ["mean", "sum"])
    a = as_array(logits, "logits")
    if a.ndim < 1:
        raise ValueError("logits must have at least one axis (the classes)")
    y = np.asarray(targets)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"targets must be integer class indices, got dtype {y.dtype}")
    check_shape(y, a.shape[:-1], "targets", "(logits' shape without the class axis)")
    K = a.shape[-1]
    if y.size and (y.min() < 0 or y.max() >= K):
        raise ValueError(f"targets must lie in [0, {K}), got values in [{y.min()}, {y.max()}]")
    m = None if mask is None else _mask(mask, y.shape)
    shifted = a - a.max(axis=-1, keepdims=True)
    grad = np.exp(shifted)                      # one exponential serves the loss and the gradient
    z = grad.sum(axis=-1, keepdims=True)
    log_p = np.take_along_axis(shifted, y[..., None], axis=-1)[..., 0] - np.log(z[..., 0])
    count = float(log_p.size) if m is None else float(m.sum())
    scale = 1.0 / count if reduction == "mean" else 1.0
    loss = -scale * float(np.sum(log_p if m is None else log_p * m))
    grad /= z                                   # softmax(a)
    np.put_along_axis(grad, y[..., None],
                      np.take_along_axis(grad, y[..., None], axis=-1) - 1.0, axis=-1)
    if m is None:
        grad *= scale
        return loss, grad
    return loss, grad * (scale * m)[..., None]
