r"""Time and memory of full and truncated BPTT, measured on the machine at hand.

Full BPTT over :math:`T` steps keeps every step's cache until the backward pass, so
its memory grows as :math:`O(T)`; truncated BPTT with window :math:`k` (chunks of
:math:`k` steps, :func:`rnnbook.bptt.truncated_bptt`) keeps one chunk at a time,
:math:`O(k)`. Both do one forward and one backward step per time step, so both take
:math:`O(T)` time. This module measures the three quantities:

* :func:`trajectory_nbytes`: the bytes of the arrays a forward pass holds for the
  backward pass (states and caches, not the inputs or the parameters): exact and
  machine-independent;
* :func:`measure_bptt`: wall-clock seconds (best of several runs, ``time.perf_counter``)
  and the peak of the memory allocated during one call (``tracemalloc``);
* :func:`scaling_table` and :func:`format_table`: a table over sequence lengths.

Timings depend on the machine and its load; they are printed, never asserted.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import check_choice, check_positive_int, check_rng
from .bptt import init_model, truncated_bptt
from .sequence import CELLS, Trajectory, forward

__all__ = ["BPTTCost", "format_table", "measure_bptt", "scaling_table", "trajectory_nbytes"]


def trajectory_nbytes(traj: Trajectory) -> int:
    """Bytes of the arrays a :class:`~rnnbook.sequence.Trajectory` keeps for the backward pass.

    Counts the states ``H`` (and ``C``) and every array in the per-step caches, each
    underlying buffer once; leaves out the inputs (the caches' ``"x"``, views of ``X``)
    and the parameters, which exist whether or not a backward pass follows.

    Parameters
    ----------
    traj : Trajectory
        From :func:`rnnbook.sequence.forward`.

    Returns
    -------
    int
        For the vanilla RNN this is exactly ``3 * T * B * n * 8`` (``H``, and per step
        the pre-activation ``z`` and the previous state ``h_prev``).
    """
    if not isinstance(traj, Trajectory):
        raise TypeError(f"traj must be a Trajectory from rnnbook.sequence.forward, "
                        f"got {type(traj).__name__}")
    seen: dict[int, int] = {}

    def add(arr: np.ndarray) -> None:
        owner = arr
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        seen[id(owner)] = owner.nbytes

    add(traj.H)
    if traj.C is not None:
        add(traj.C)
    for cache in traj.caches:
        for key, value in cache.items():
            if key != "x" and isinstance(value, np.ndarray):
                add(value)
    return int(sum(seen.values()))


@dataclass(frozen=True)
class BPTTCost:
    """One measurement of :func:`measure_bptt`.

    Attributes
    ----------
    cell : str
    T : int
        Sequence length.
    k : int or None
        Truncation window (``None``: full BPTT).
    B, d, n : int
        Batch size, input size, hidden size.
    seconds : float
        Best wall-clock time of one loss-and-gradient call.
    peak_bytes : int
        Peak memory allocated during one call (tracemalloc), above what was allocated before.
    cache_bytes : int
        :func:`trajectory_nbytes` of the longest trajectory held at once
        (``T`` steps for full BPTT, ``min(k, T)`` for truncated).
    """

    cell: str
    T: int
    k: int | None
    B: int
    d: int
    n: int
    seconds: float
    peak_bytes: int
    cache_bytes: int


def measure_bptt(cell: str = "rnn", T: int = 100, k: int | None = None, B: int = 32,
                 d: int = 16, n: int = 64, rng: np.random.Generator | int = 0,
                 repeats: int = 3, **options: str) -> BPTTCost:
    r"""Time and memory of one call of :func:`rnnbook.bptt.truncated_bptt`.

    A model :func:`rnnbook.bptt.init_model` ``(cell, d, n, 1)`` reads a standard normal
    sequence ``X`` ``(T, B, d)`` with targets ``Y`` ``(T, B, 1)`` (many-to-many squared
    error). The time is the minimum over ``repeats`` calls (``time.perf_counter``); the
    peak memory comes from one further call under ``tracemalloc`` (which slows it, so it
    is not timed).

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    T : int >= 1
    k : int >= 1 or None
        Truncation window; ``None`` is full BPTT.
    B, d, n : int >= 1
    rng : numpy.random.Generator or int
    repeats : int >= 1
    **options
        Cell options (``activation`` for the RNN, ``reset``/``update`` for the GRU).

    Returns
    -------
    BPTTCost
    """
    check_choice(cell, "cell", CELLS)
    T = check_positive_int(T, "T")
    if k is not None:
        k = check_positive_int(k, "k")
    B, d, n = (check_positive_int(v, name) for v, name in ((B, "B"), (d, "d"), (n, "n")))
    repeats = check_positive_int(repeats, "repeats")
    rng = check_rng(rng)
    params = init_model(cell, d, n, 1, rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, 1))

    def call() -> None:
        truncated_bptt(params, X, Y, k, cell, "many_to_many", "mse", **options)

    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)

    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started_here:
            tracemalloc.stop()
    window = T if k is None else min(k, T)
    cache_bytes = trajectory_nbytes(forward(cell, X[:window], params, **options))
    return BPTTCost(cell, T, k, B, d, n, float(best), int(max(peak - before, 0)), cache_bytes)


def scaling_table(lengths: Iterable[int], windows: Sequence[int | None] = (None, 25),
                  cell: str = "rnn", B: int = 32, d: int = 16, n: int = 64,
                  rng: np.random.Generator | int = 0, repeats: int = 3,
                  **options: str) -> list[BPTTCost]:
    """:func:`measure_bptt` for every sequence length and every window (``None`` = full).

    Returns
    -------
    list of BPTTCost
        Ordered by length, then by window as given.
    """
    lengths = [check_positive_int(T, "T") for T in lengths]
    if not lengths:
        raise ValueError("lengths must hold at least one sequence length")
    if len(windows) == 0:
        raise ValueError("windows must hold at least one window (None = full BPTT)")
    rng = check_rng(rng)
    return [measure_bptt(cell, T, k, B, d, n, rng, repeats, **options)
            for T in lengths for k in windows]


def format_table(costs: Sequence[BPTTCost]) -> str:
    """A plain-text table of measurements: cell, T, k, milliseconds, peak MiB, cache MiB."""
    if not all(isinstance(c, BPTTCost) for c in costs):
        raise TypeError("costs must be a sequence of BPTTCost")
    lines = [f"{'cell':>5} {'T':>5} {'k':>5} {'time [ms]':>10} {'peak [MiB]':>11} "
             f"{'cache [MiB]':>12}"]
    for c in costs:
        k = "full" if c.k is None else str(c.k)
        lines.append(f"{c.cell:>5} {c.T:>5} {k:>5} {1e3 * c.seconds:>10.2f} "
                     f"{c.peak_bytes / 2**20:>11.3f} {c.cache_bytes / 2**20:>12.3f}")
    return "\n".join(lines)
