r"""A small, seeded training loop.

:func:`train` is generic: it repeats *draw a batch, compute loss and gradients, clip,
step* for any model given as a dict of arrays and any ``loss_fn(params, X, Y) ->
(loss, grads)`` (for the recurrent models of this book,
:func:`rnnbook.bptt.loss_and_grads`); it records the loss, the gradient norm before
clipping and, optionally, a validation value every few steps. A ``stop_when`` test ends a
run cleanly, e.g. when the gradient norm shows that training has diverged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_positive_int
from .optim import clip_by_global_norm, global_norm

__all__ = ["History", "train"]

Batch = tuple[np.ndarray, np.ndarray]
Grads = dict[str, np.ndarray]
LossFn = Callable[[dict[str, np.ndarray], np.ndarray, np.ndarray], tuple[float, Grads]]


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
    eval_steps : (m,) number of updates done when ``eval_fn`` was called
    eval_values : (m,) its values
    stopped_at : step at which ``stop_when`` ended the run (its loss and gradient norm are
        the last entries of ``loss`` and ``grad_norm``; no update was made at that step),
        or None if the run did every step
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    eval_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stopped_at: int | None = None

    @property
    def final_eval(self) -> float:
        """The last value of ``eval_fn`` (NaN-free: raises if nothing was evaluated)."""
        if self.eval_values.size == 0:
            raise ValueError("no evaluation was recorded (pass eval_fn to train)")
        return float(self.eval_values[-1])


def train(params: dict[str, np.ndarray],
          batches: Iterable[Batch] | Callable[[int], Batch],
          loss_fn: LossFn, optimizer: object,
          clip: float | Callable[[Grads], Grads] | None = None,
          steps: int = 100, eval_fn: Callable[[dict[str, np.ndarray]], float] | None = None,
          eval_every: int = 0,
          stop_when: Callable[[int, float, float], bool] | None = None) -> History:
    r"""Train ``params`` in place for ``steps`` steps and return the loss history.

    At step :math:`s`: draw :math:`(X_s, Y_s)`; compute
    :math:`L_s, g_s = \text{loss\_fn}(\theta, X_s, Y_s)` and the global norm
    :math:`\lVert g_s\rVert`; stop if ``stop_when(s, L_s, ||g_s||)`` is true; if ``clip``
    is a number :math:`\tau` rescale :math:`g_s \leftarrow g_s \min(1, \tau/\lVert g_s\rVert)`
    (global norm), if it is a callable replace :math:`g_s` by ``clip(g_s)``; then
    ``optimizer.step(params, g_s)``.

    The loop draws no random numbers itself: a run is reproducible when ``params`` and
    ``batches`` come from seeded generators.

    Parameters
    ----------
    params : dict of float arrays, updated in place
    batches : iterable of ``(X, Y)`` pairs, or a callable ``step -> (X, Y)``
    loss_fn : callable ``(params, X, Y) -> (loss, grads)``
    optimizer : object with ``step(params, grads)`` (e.g. :class:`rnnbook.optim.Adam`)
    clip : float or callable, optional
        Maximum global gradient norm :math:`\tau`, or a function ``grads -> grads`` (e.g.
        ``lambda g: optim.clip_by_value(g, 0.1)``); ``None`` means no clipping.
    steps : int >= 1
    eval_fn : callable ``params -> float``, optional
        Called every ``eval_every`` steps and after the last update (e.g. a validation loss).
    eval_every : int >= 0
        0 evaluates only after the last update.
    stop_when : callable ``(step, loss, grad_norm) -> bool``, optional
        Checked at every step before the update, with the gradient norm before clipping
        (possibly non-finite); when it returns True the run ends there and
        :attr:`History.stopped_at` is that step. A non-finite loss that does not stop the
        run raises ValueError.

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
    if clip is not None and not callable(clip) and not (
            isinstance(clip, (int, float, np.integer, np.floating)) and not isinstance(clip, bool)
            and np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be None, a callable grads -> grads, or a finite "
                         f"number > 0, got {clip!r}")
    if isinstance(eval_every, bool) or not isinstance(eval_every, (int, np.integer)) \
            or eval_every < 0:
        raise ValueError(f"eval_every must be an integer >= 0, got {eval_every!r}")
    if eval_fn is not None and not callable(eval_fn):
        raise TypeError("eval_fn must be callable: params -> float")
    if stop_when is not None and not callable(stop_when):
        raise TypeError("stop_when must be callable: (step, loss, grad_norm) -> bool")
    if callable(batches):
        draw: Callable[[int], Batch] = batches
    else:
        iterator: Iterator[Batch] = iter(batches)

        def draw(step: int) -> Batch:
            try:
                return next(iterator)
            except StopIteration:
                raise ValueError(f"batches ran out after {step} of {steps} steps") from None

    losses: list[float] = []
    norms: list[float] = []
    eval_steps: list[int] = []
    eval_values: list[float] = []
    stopped_at: int | None = None

    def evaluate(done: int) -> None:
        eval_steps.append(done)
        eval_values.append(float(eval_fn(params)))

    for step in range(steps):
        X, Y = draw(step)
        value, grads = loss_fn(params, X, Y)
        value = float(value)
        with np.errstate(over="ignore", invalid="ignore"):   # an overflow is reported as inf
            norm = global_norm(grads)
        losses.append(value)
        norms.append(norm)
        if stop_when is not None and stop_when(step, value, norm):
            stopped_at = step
            if eval_fn is not None and step > 0 and (not eval_steps or eval_steps[-1] != step):
                evaluate(step)
            break
        if not np.isfinite(value):
            raise ValueError(f"the loss became non-finite at step {step}; lower the learning "
                             "rate or clip the gradients")
        if callable(clip):
            grads = clip(grads)
        elif clip is not None:
            grads, _ = clip_by_global_norm(grads, clip)
        optimizer.step(params, grads)
        done = step + 1
        if eval_fn is not None and ((eval_every and done % eval_every == 0) or done == steps):
            evaluate(done)
    return History(np.array(losses), np.array(norms), np.array(eval_steps, dtype=int),
                   np.array(eval_values), stopped_at)
