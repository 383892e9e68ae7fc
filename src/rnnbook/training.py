r"""A small, seeded training loop and a fused (fast) BPTT for whole sequences.

:func:`train` is generic: it repeats *draw a batch, compute loss and gradients, clip,
step* for any model given as a dict of arrays and any ``loss_fn(params, X, Y) ->
(loss, grads)``; it records the loss, the gradient norm before clipping and,
optionally, a validation value every few steps.

:func:`fused_loss_and_grads` computes exactly what
:func:`rnnbook.bptt.loss_and_grads` computes (same model, same loss, same
gradients to rounding error) for the default cell conventions, but faster: the
inputs are checked once per call instead of once per step, the input projections
:math:`W_{xh} x_t + b` of all steps are one matrix product, and the weight
gradients are summed over time in one matrix product each

.. math::
    \frac{\partial L}{\partial W_{xh}} = \sum_t \delta_t^\top x_t
        = \Delta^\top X, \qquad
    \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t^\top h_{t-1},

where :math:`\Delta` stacks the pre-activation gradients :math:`\delta_t` of every step.
Only the recurrence itself remains a Python loop over time. The applications chapter
uses it to train for long enough that the comparisons it makes are convincing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_array, check_choice, check_params, check_positive_int, check_shape
from .losses import mse_loss, softmax_cross_entropy
from .optim import clip_by_global_norm

__all__ = ["History", "fused_forward", "fused_loss_and_grads", "fused_predict", "train"]

CELLS = ("rnn", "lstm", "gru")


def sigmoid(z: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(z) = \tfrac12\bigl(1 + \tanh(z/2)\bigr)`: one ufunc, never overflows."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)
BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}

Batch = tuple[np.ndarray, np.ndarray]
LossFn = Callable[[dict[str, np.ndarray], np.ndarray, np.ndarray],
                  tuple[float, dict[str, np.ndarray]]]


# ---------------------------------------------------------------------------
# fused forward and backward
# ---------------------------------------------------------------------------
#: Largest M*N*K of a matrix product computed in one call inside the time loop. OpenBLAS
#: hands larger products to several threads; for the small products of a recurrence the
#: thread start-up costs more than the arithmetic (ten times more on a busy 2-core machine).
_SMALL_PRODUCT = 1 << 18


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for ``a`` (M, p), ``b`` (p, q), as single-threaded blocks when it is large.

    The largest of the three dimensions is cut into blocks so that each block's product
    stays at or below :data:`_SMALL_PRODUCT` multiply-adds.
    """
    M, p = a.shape
    q = b.shape[1]
    if M * p * q <= _SMALL_PRODUCT:
        return a @ b
    if M >= max(p, q):                           # split the rows
        step = max(1, _SMALL_PRODUCT // (p * q))
        return np.concatenate([a[j:j + step] @ b for j in range(0, M, step)], axis=0)
    if q >= p:                                   # split the output columns
        step = max(1, _SMALL_PRODUCT // (M * p))
        return np.concatenate([a @ b[:, j:j + step] for j in range(0, q, step)], axis=1)
    step = max(1, _SMALL_PRODUCT // (M * q))     # split the inner dimension and add
    out = a[:, :step] @ b[:step]
    for j in range(step, p, step):
        out += a[:, j:j + step] @ b[j:j + step]
    return out


def _check_fused(params: Mapping[str, np.ndarray], X: object, cell: str
                 ) -> tuple[np.ndarray, int]:
    check_choice(cell, "cell", CELLS)
    keys = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
    check_params(params, keys, cell)
    extra = set(params) - set(keys)
    if extra:
        raise ValueError(f"fused BPTT supports the default cells only (no peepholes, GRU "
                         f"reset='before'); params has extra keys {sorted(extra)}: use "
                         "rnnbook.bptt.loss_and_grads for these variants")
    X = as_array(X, "X", ndim=3)
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one time step, got T = 0")
    G = BLOCKS[cell]
    W_xh, W_hh = params["W_xh"], params["W_hh"]
    if W_hh.ndim != 2 or W_hh.shape[0] != G * W_hh.shape[1]:
        raise ValueError(f"{cell} W_hh must have shape ({G}n, n), got {W_hh.shape}")
    n = W_hh.shape[1]
    check_shape(W_xh, (G * n, X.shape[2]), f"{cell} W_xh", f"({G}n, d) with d = {X.shape[2]}")
    check_shape(params["b_h"], (G * n,), f"{cell} b_h", f"({G}n,)")
    W_hy = params["W_hy"]
    if W_hy.ndim != 2 or W_hy.shape[1] != n:
        raise ValueError(f"W_hy must have shape (k, n) with n = {n}, got {W_hy.shape}")
    check_shape(params["b_y"], (W_hy.shape[0],), "b_y", "(k,)")
    return X, n


def _initial(state: object, name: str, B: int, n: int) -> np.ndarray:
    if state is None:
        return np.zeros((B, n))
    s = as_array(state, name, ndim=2)
    check_shape(s, (B, n), name, f"(B, n) = ({B}, {n})")
    return s


def _run(params: Mapping[str, np.ndarray], X: np.ndarray, cell: str, n: int,
         h0: np.ndarray, c0: np.ndarray) -> dict[str, np.ndarray]:
    """The recurrence; returns every array the backward pass needs."""
    T, B, _ = X.shape
    A = (_mm(X.reshape(T * B, -1), params["W_xh"].T)  # (T, B, G n): input projections
         + params["b_h"]).reshape(T, B, -1)
    W_hh = params["W_hh"]
    W_hh_T = np.ascontiguousarray(W_hh.T)
    H = np.empty((T, B, n))
    store: dict[str, np.ndarray] = {"A": A, "H": H}
    h = h0
    if cell == "rnn":
        for t in range(T):
            h = np.tanh(A[t] + _mm(h, W_hh_T))
            H[t] = h
    elif cell == "lstm":
        gates = np.empty((T, B, 4 * n))                # i, f, g, o after their nonlinearity
        C = np.empty((T, B, n))
        c = c0
        for t in range(T):
            a = A[t] + _mm(h, W_hh_T)
            s = gates[t]
            s[:, :2 * n] = sigmoid(a[:, :2 * n])
            s[:, 2 * n:3 * n] = np.tanh(a[:, 2 * n:3 * n])
            s[:, 3 * n:] = sigmoid(a[:, 3 * n:])
            c = s[:, n:2 * n] * c + s[:, :n] * s[:, 2 * n:3 * n]
            C[t] = c
            h = s[:, 3 * n:] * np.tanh(c)
            H[t] = h
        store.update(gates=gates, C=C)
    else:
        W_rz_T, W_hn_T = W_hh_T[:, :2 * n], W_hh_T[:, 2 * n:]
        RZ = np.empty((T, B, 2 * n))
        Ht = np.empty((T, B, n))
        for t in range(T):
            rz = sigmoid(A[t, :, :2 * n] + _mm(h, W_rz_T))
            r, z = rz[:, :n], rz[:, n:]
            h_tilde = np.tanh(A[t, :, 2 * n:] + _mm(r * h, W_hn_T))
            h = z * h + (1.0 - z) * h_tilde
            RZ[t], Ht[t], H[t] = rz, h_tilde, h
        store.update(RZ=RZ, Ht=Ht)
    return store


def fused_forward(params: Mapping[str, np.ndarray], X: np.ndarray, cell: str = "rnn",
                  h0: np.ndarray | None = None, c0: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    r"""Hidden states of a default cell over a sequence, without caches.

    Same recurrences as :func:`rnnbook.sequence.forward` with the defaults: tanh RNN,
    LSTM without peepholes, GRU with ``reset="before"``, ``update="old"``.

    Parameters
    ----------
    params : dict from :func:`rnnbook.bptt.init_model`
    X : (T, B, d)
    cell : {"rnn", "lstm", "gru"}
    h0, c0 : (B, n), optional; zeros if omitted (``c0`` only for the LSTM)

    Returns
    -------
    H : (T, B, n)
    C : (T, B, n) for the LSTM, else None
    """
    X, n = _check_fused(params, X, cell)
    B = X.shape[1]
    if cell != "lstm" and c0 is not None:
        raise ValueError(f"c0 is only used by the LSTM, not by cell={cell!r}")
    store = _run(params, X, cell, n, _initial(h0, "h0", B, n), _initial(c0, "c0", B, n))
    return store["H"], store.get("C")


def fused_predict(params: Mapping[str, np.ndarray], X: np.ndarray, cell: str = "rnn",
                  task: str = "many_to_many") -> np.ndarray:
    r"""Read-out :math:`\hat y_t = W_{hy} h_t + b_y`: ``(T, B, k)`` or, many-to-one, ``(B, k)``."""
    check_choice(task, "task", ("many_to_many", "many_to_one"))
    H, _ = fused_forward(params, X, cell)
    read = H if task == "many_to_many" else H[-1]
    flat = read.reshape(-1, read.shape[-1])
    return (_mm(flat, params["W_hy"].T) + params["b_y"]).reshape(*read.shape[:-1], -1)


def fused_loss_and_grads(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                         cell: str = "rnn", task: str = "many_to_many", loss: str = "mse",
                         h0: np.ndarray | None = None, c0: np.ndarray | None = None
                         ) -> tuple[float, dict[str, np.ndarray]]:
    r"""Loss and gradients by full BPTT, fused over time (see the module docstring).

    Computes the same quantities as :func:`rnnbook.bptt.loss_and_grads` (without masks)
    for the default cells: tanh RNN, LSTM without peepholes, GRU with
    ``reset="before"`` and ``update="old"``. The loss is averaged over the positions
    read: :math:`L = \frac1N \sum_p \ell(\hat y_p, y_p)`, with :math:`\ell` the squared
    error summed over the ``k`` outputs (``"mse"``) or the natural-log cross-entropy
    (``"xent"``).

    Parameters
    ----------
    params : dict with the cell's ``W_xh`` (G n, d), ``W_hh`` (G n, n), ``b_h`` (G n,)
        and the read-out ``W_hy`` (k, n), ``b_y`` (k,); :math:`G` = 1, 4, 3 for RNN,
        LSTM, GRU
    X : (T, B, d)
    Y : many-to-many: ``(T, B, k)`` floats (mse) or ``(T, B)`` ints (xent);
        many-to-one: ``(B, k)`` or ``(B,)``
    cell : {"rnn", "lstm", "gru"}
    task : {"many_to_many", "many_to_one"}
    loss : {"mse", "xent"}
    h0, c0 : (B, n), optional

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    check_choice(task, "task", ("many_to_many", "many_to_one"))
    check_choice(loss, "loss", ("mse", "xent"))
    X, n = _check_fused(params, X, cell)
    T, B, d = X.shape
    if cell != "lstm" and c0 is not None:
        raise ValueError(f"c0 is only used by the LSTM, not by cell={cell!r}")
    h0 = _initial(h0, "h0", B, n)
    c0 = _initial(c0, "c0", B, n) if cell == "lstm" else np.zeros((B, n))
    store = _run(params, X, cell, n, h0, c0)
    H = store["H"]

    # read-out and loss
    W_hy = params["W_hy"]
    read = H if task == "many_to_many" else H[-1]
    out = (_mm(read.reshape(-1, n), W_hy.T) + params["b_y"]).reshape(*read.shape[:-1], -1)
    if loss == "mse":
        value, dout = mse_loss(out, Y)
    else:
        value, dout = softmax_cross_entropy(out, Y)
    k = W_hy.shape[0]
    grads: dict[str, np.ndarray] = {
        "W_hy": _mm(dout.reshape(-1, k).T, read.reshape(-1, n)),
        "b_y": dout.reshape(-1, k).sum(axis=0),
    }
    if task == "many_to_many":
        dH = _mm(dout.reshape(-1, k), W_hy).reshape(T, B, n)
    else:
        dH = np.zeros((T, B, n))
        dH[-1] = _mm(dout, W_hy)

    # backward through time: D[t] holds the pre-activation gradient of step t
    W_hh = params["W_hh"]
    H_prev = np.concatenate([h0[None], H[:-1]], axis=0)   # h_{t-1} for every step
    G = BLOCKS[cell]
    D = np.empty((T, B, G * n))
    dh_next = np.zeros((B, n))
    if cell == "rnn":
        for t in reversed(range(T)):
            D[t] = (dH[t] + dh_next) * (1.0 - H[t] ** 2)
            dh_next = _mm(D[t], W_hh)
        dW_hh = _mm(D.reshape(-1, n).T, H_prev.reshape(-1, n))
    elif cell == "lstm":
        gates, C = store["gates"], store["C"]
        C_prev = np.concatenate([c0[None], C[:-1]], axis=0)
        dc_next = np.zeros((B, n))
        for t in reversed(range(T)):
            s = gates[t]
            i, f, g, o = s[:, :n], s[:, n:2 * n], s[:, 2 * n:3 * n], s[:, 3 * n:]
            dh = dH[t] + dh_next
            tanh_c = np.tanh(C[t])
            dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
            Dt = D[t]
            Dt[:, :n] = dc * g * i * (1.0 - i)
            Dt[:, n:2 * n] = dc * C_prev[t] * f * (1.0 - f)
            Dt[:, 2 * n:3 * n] = dc * i * (1.0 - g ** 2)
            Dt[:, 3 * n:] = dh * tanh_c * o * (1.0 - o)
            dc_next = dc * f
            dh_next = _mm(Dt, W_hh)
        dW_hh = _mm(D.reshape(-1, G * n).T, H_prev.reshape(-1, n))
    else:
        RZ, Ht = store["RZ"], store["Ht"]
        W_rz, W_hn = W_hh[:2 * n], W_hh[2 * n:]
        RH = np.empty((T, B, n))                              # r_t * h_{t-1}
        for t in reversed(range(T)):
            r, z = RZ[t, :, :n], RZ[t, :, n:]
            h_prev, h_tilde = H_prev[t], Ht[t]
            dh = dH[t] + dh_next
            da_n = dh * (1.0 - z) * (1.0 - h_tilde ** 2)
            du = _mm(da_n, W_hn)
            Dt = D[t]
            Dt[:, :n] = du * h_prev * r * (1.0 - r)
            Dt[:, n:2 * n] = dh * (h_prev - h_tilde) * z * (1.0 - z)
            Dt[:, 2 * n:] = da_n
            RH[t] = r * h_prev
            dh_next = dh * z + du * r + _mm(Dt[:, :2 * n], W_rz)
        dW_hh = np.vstack([
            _mm(D[:, :, :2 * n].reshape(-1, 2 * n).T, H_prev.reshape(-1, n)),
            _mm(D[:, :, 2 * n:].reshape(-1, n).T, RH.reshape(-1, n)),
        ])
    grads["W_xh"] = _mm(D.reshape(-1, G * n).T, X.reshape(-1, d))
    grads["W_hh"] = dW_hh
    grads["b_h"] = D.reshape(-1, G * n).sum(axis=0)
    return float(value), grads


# ---------------------------------------------------------------------------
# the training loop
# ---------------------------------------------------------------------------
@dataclass
class History:
    """What :func:`train` recorded.

    Attributes
    ----------
    loss : (steps,) training loss of each step's batch, before that step's update
    grad_norm : (steps,) global gradient norm before clipping
    eval_steps : (m,) steps after which ``eval_fn`` was called
    eval_values : (m,) its values
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    eval_values: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def final_eval(self) -> float:
        """The last value of ``eval_fn`` (NaN-free: raises if nothing was evaluated)."""
        if self.eval_values.size == 0:
            raise ValueError("no evaluation was recorded (pass eval_fn to train)")
        return float(self.eval_values[-1])


def train(params: dict[str, np.ndarray],
          batches: Iterable[Batch] | Callable[[int], Batch],
          loss_fn: LossFn, optimizer: object, clip: float | None = None,
          steps: int = 100, eval_fn: Callable[[dict[str, np.ndarray]], float] | None = None,
          eval_every: int = 0) -> History:
    r"""Train ``params`` in place for ``steps`` steps and return the loss history.

    At step :math:`s`: draw :math:`(X_s, Y_s)`; compute
    :math:`L_s, g_s = \text{loss\_fn}(\theta, X_s, Y_s)`; if ``clip`` is given rescale
    :math:`g_s \leftarrow g_s \min(1, \tau/\lVert g_s\rVert)` (global norm); then
    ``optimizer.step(params, g_s)``.

    The loop draws no random numbers itself: a run is reproducible when ``params`` and
    ``batches`` come from seeded generators.

    Parameters
    ----------
    params : dict of float arrays, updated in place
    batches : iterable of ``(X, Y)`` pairs, or a callable ``step -> (X, Y)``
    loss_fn : callable ``(params, X, Y) -> (loss, grads)``
    optimizer : object with ``step(params, grads)`` (e.g. :class:`rnnbook.optim.Adam`)
    clip : float, optional
        Maximum global gradient norm :math:`\tau`; ``None`` means no clipping.
    steps : int >= 1
    eval_fn : callable ``params -> float``, optional
        Called every ``eval_every`` steps and after the last step (e.g. a validation loss).
    eval_every : int >= 0
        0 evaluates only after the last step.

    Returns
    -------
    History
    """
    if not isinstance(params, dict) or not params:
        raise TypeError("params must be a non-empty dict of arrays")
    steps = check_positive_int(steps, "steps")
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable: (params, X, Y) -> (loss, grads)")
    if not hasattr(optimizer, "step"):
        raise TypeError("optimizer must have a step(params, grads) method (e.g. optim.Adam)")
    if clip is not None and not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be None or finite and > 0, got {clip}")
    if isinstance(eval_every, bool) or not isinstance(eval_every, (int, np.integer)) \
            or eval_every < 0:
        raise ValueError(f"eval_every must be an integer >= 0, got {eval_every!r}")
    if eval_fn is not None and not callable(eval_fn):
        raise TypeError("eval_fn must be callable: params -> float")
    if callable(batches):
        draw: Callable[[int], Batch] = batches
    else:
        iterator: Iterator[Batch] = iter(batches)

        def draw(step: int) -> Batch:
            try:
                return next(iterator)
            except StopIteration:
                raise ValueError(f"batches ran out after {step} of {steps} steps") from None

    losses = np.empty(steps)
    norms = np.empty(steps)
    eval_steps: list[int] = []
    eval_values: list[float] = []
    for step in range(steps):
        X, Y = draw(step)
        value, grads = loss_fn(params, X, Y)
        if not np.isfinite(value):
            raise ValueError(f"the loss became non-finite at step {step}; lower the learning "
                             "rate or clip the gradients")
        if clip is not None:
            grads, norm = clip_by_global_norm(grads, clip)
        else:
            norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
        optimizer.step(params, grads)
        losses[step], norms[step] = value, norm
        done = step + 1
        if eval_fn is not None and ((eval_every and done % eval_every == 0) or done == steps):
            eval_steps.append(done)
            eval_values.append(float(eval_fn(params)))
    return History(losses, norms, np.array(eval_steps, dtype=int), np.array(eval_values))
