r"""A recurrent model with a linear read-out, its loss, and (truncated) BPTT.

The model is a cell (``"rnn"``, ``"lstm"`` or ``"gru"``) followed by

.. math:: \hat y_t = W_{hy} h_t + b_y,

read at every step (``task="many_to_many"``) or only at the last one
(``task="many_to_one"``). The loss is the squared error (``loss="mse"``,
targets ``(…, k)``) or the softmax cross-entropy (``loss="xent"``, integer
targets). ``params`` is one dict holding the cell's arrays plus ``W_hy``
``(k, n)`` and ``b_y`` ``(k,)``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_choice, check_positive_int, check_rng, check_shape
from .cells import init_gru_params, init_lstm_params, init_rnn_params
from .init import xavier_uniform
from .losses import mse_loss, softmax_cross_entropy
from .sequence import CELLS, Trajectory, _backward, forward

__all__ = ["init_model", "loss_and_grads", "model_loss", "predict", "truncated_bptt"]

TASKS = ("many_to_many", "many_to_one")
LOSSES = ("mse", "xent")


def init_model(cell: str, d: int, n: int, k: int, rng: np.random.Generator | int,
               **cell_init: object) -> dict[str, np.ndarray]:
    """Parameters of a cell with ``d`` inputs and ``n`` hidden units plus a ``k``-output read-out.

    ``cell_init`` is passed to :func:`~rnnbook.cells.init_rnn_params`,
    :func:`~rnnbook.cells.init_lstm_params` or :func:`~rnnbook.cells.init_gru_params`.
    ``W_hy`` ``(k, n)`` is Xavier uniform and ``b_y`` ``(k,)`` zero.
    """
    check_choice(cell, "cell", CELLS)
    k = check_positive_int(k, "k")
    rng = check_rng(rng)
    make = {"rnn": init_rnn_params, "lstm": init_lstm_params, "gru": init_gru_params}[cell]
    params = make(d, n, rng, **cell_init)
    params["W_hy"] = xavier_uniform((k, n), rng)
    params["b_y"] = np.zeros(k)
    return params


def _check_model(params: dict, X: np.ndarray, cell: str, task: str, loss: str) -> np.ndarray:
    check_choice(cell, "cell", CELLS)
    check_choice(task, "task", TASKS)
    check_choice(loss, "loss", LOSSES)
    for key in ("W_hy", "b_y"):
        if key not in params:
            raise KeyError(f"model params are missing {key!r} (use init_model)")
    return as_array(X, "X", ndim=3)


def _readout(H: np.ndarray, params: dict) -> np.ndarray:
    return H @ params["W_hy"].T + params["b_y"]


def _check_targets(Y: np.ndarray, X: np.ndarray, task: str, loss: str, k: int) -> np.ndarray:
    T, B, _ = X.shape
    lead = (T, B) if task == "many_to_many" else (B,)
    if loss == "mse":
        Y = as_array(Y, "Y")
        check_shape(Y, (*lead, k), "Y", "(T, B, k)" if task == "many_to_many" else "(B, k)")
    else:
        Y = np.asarray(Y)
        check_shape(Y, lead, "Y", "(T, B) class indices" if task == "many_to_many"
                    else "(B,) class indices")
    return Y


def predict(params: dict[str, np.ndarray], X: np.ndarray, cell: str = "rnn",
            task: str = "many_to_many", h0: np.ndarray | None = None,
            c0: np.ndarray | None = None, **options: str) -> tuple[np.ndarray, Trajectory]:
    """Outputs ``(T, B, k)`` (many-to-many) or ``(B, k)`` (many-to-one), and the trajectory."""
    X = _check_model(params, X, cell, task, "mse")
    traj = forward(cell, X, params, h0, c0, **options)
    out = _readout(traj.H if task == "many_to_many" else traj.h_T, params)
    return out, traj


def _chunk_loss(params: dict, traj: Trajectory, Y: np.ndarray, mask: np.ndarray | None,
                task: str, loss: str, scale: float, last: bool
                ) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """Loss of one chunk (scaled sum) and its gradient w.r.t. H and the read-out weights."""
    H = traj.H
    dH = np.zeros_like(H)
    k = params["W_hy"].shape[0]
    grads = {"W_hy": np.zeros_like(params["W_hy"]), "b_y": np.zeros(k)}
    if task == "many_to_one" and not last:
        return 0.0, dH, grads
    read = H if task == "many_to_many" else H[-1]
    out = _readout(read, params)
    fn = mse_loss if loss == "mse" else softmax_cross_entropy
    value, dout = fn(out, Y, mask, reduction="sum")
    dout = dout * scale
    flat_d, flat_h = dout.reshape(-1, k), read.reshape(-1, read.shape[-1])
    grads["W_hy"] = flat_d.T @ flat_h
    grads["b_y"] = flat_d.sum(axis=0)
    d_read = dout @ params["W_hy"]
    if task == "many_to_many":
        dH = d_read
    else:
        dH[-1] = d_read
    return value * scale, dH, grads


def _normaliser(Y: np.ndarray, mask: np.ndarray | None, task: str) -> float:
    if mask is not None:
        m = as_array(mask, "mask")
        if m.sum() == 0:
            raise ValueError("mask keeps no position: the loss would be an average over nothing")
        return 1.0 / float(m.sum())
    lead = Y.shape[:2] if task == "many_to_many" else Y.shape[:1]
    return 1.0 / float(np.prod(lead))


def truncated_bptt(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                   k: int | None = None, cell: str = "rnn", task: str = "many_to_many",
                   loss: str = "mse", mask: np.ndarray | None = None,
                   h0: np.ndarray | None = None, c0: np.ndarray | None = None,
                   **options: str) -> tuple[float, dict[str, np.ndarray]]:
    r"""Loss and gradients by BPTT truncated to windows of ``k`` steps.

    The sequence is cut into chunks ``X[0:k], X[k:2k], …``. The forward pass carries
    the hidden state across chunk boundaries, but the backward pass stops at each
    boundary: the gradient of the loss in a chunk reaches only the steps of that chunk.
    The gradients of all chunks are added, so with ``k >= T`` (or ``k=None``) this is
    full BPTT. The loss is the same as the full model's: truncation changes only
    the gradient.

    Parameters
    ----------
    params : dict
        From :func:`init_model`.
    X : (T, B, d)
    Y : targets; many-to-many: ``(T, B, k)`` for ``"mse"`` or ``(T, B)`` ints for
        ``"xent"``; many-to-one: ``(B, k)`` or ``(B,)``.
    k : int or None
        Window length; ``None`` means no truncation.
    cell : {"rnn", "lstm", "gru"}
    task : {"many_to_many", "many_to_one"}
    loss : {"mse", "xent"}
    mask : (T, B), optional
        Many-to-many only: 1 for real positions, 0 for padding; the loss averages
        over the real positions.
    h0, c0 : (B, n), optional
        Initial states (zeros if omitted).
    **options
        Cell options: ``activation`` (RNN), ``reset``/``update`` (GRU).

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    X = _check_model(params, X, cell, task, loss)
    T = X.shape[0]
    k = T if k is None else check_positive_int(k, "k")
    Y = _check_targets(Y, X, task, loss, params["W_hy"].shape[0])
    if mask is not None and task != "many_to_many":
        raise ValueError("mask is only supported for task='many_to_many'")
    scale = _normaliser(Y, mask, task)
    h, c = h0, c0
    total = 0.0
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for start in range(0, T, k):
        stop = min(start + k, T)
        traj = forward(cell, X[start:stop], params, h, c, **options)
        Y_chunk = Y[start:stop] if task == "many_to_many" else Y
        m_chunk = None if mask is None else np.asarray(mask)[start:stop]
        value, dH, g_out = _chunk_loss(params, traj, Y_chunk, m_chunk, task, loss, scale,
                                       last=stop == T)
        total += value
        _, _, _, g_cell = _backward(traj, dH, None, None, need_dX=False)
        for key, value_g in (*g_cell.items(), *g_out.items()):
            grads[key] += value_g
        h, c = traj.h_T, traj.c_T
    return total, grads


def loss_and_grads(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                   cell: str = "rnn", task: str = "many_to_many", loss: str = "mse",
                   mask: np.ndarray | None = None, h0: np.ndarray | None = None,
                   c0: np.ndarray | None = None, **options: str
                   ) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of every parameter by full backpropagation through time.

    Same arguments as :func:`truncated_bptt` without ``k``.
    """
    return truncated_bptt(params, X, Y, None, cell, task, loss, mask, h0, c0, **options)


def model_loss(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
               cell: str = "rnn", task: str = "many_to_many", loss: str = "mse",
               mask: np.ndarray | None = None, h0: np.ndarray | None = None,
               c0: np.ndarray | None = None, **options: str) -> float:
    """The loss alone (a forward pass), e.g. for finite-difference checks."""
    X = _check_model(params, X, cell, task, loss)
    Y = _check_targets(Y, X, task, loss, params["W_hy"].shape[0])
    out, _ = predict(params, X, cell, task, h0, c0, **options)
    fn = mse_loss if loss == "mse" else softmax_cross_entropy
    value, _ = fn(out, Y, mask if task == "many_to_many" else None)
    return value
