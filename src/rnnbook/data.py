r"""Small datasets generated on the spot (nothing is downloaded).

Every generator takes ``rng`` (a ``numpy.random.Generator`` or an integer seed)
and returns time-major arrays: inputs ``(T, B, d)``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_positive_int, check_rng

__all__ = [
    "adding_problem",
    "copy_task",
    "make_windows",
    "one_hot",
    "random_walk",
    "sine_wave",
    "trend_seasonal",
]


def one_hot(indices: np.ndarray, K: int) -> np.ndarray:
    r"""One-hot vectors: ``out[..., j] = 1`` if ``indices[...] == j``.

    Parameters
    ----------
    indices : int array, any shape, values in ``[0, K)``
    K : int, vocabulary size

    Returns
    -------
    float64 array of shape ``indices.shape + (K,)``
    """
    K = check_positive_int(K, "K")
    idx = np.asarray(indices)
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= K):
        raise ValueError(f"indices must lie in [0, {K}), got values in [{idx.min()}, {idx.max()}]")
    return np.eye(K)[idx]


def sine_wave(length: int, rng: np.random.Generator | int, period: float = 25.0,
              noise: float = 0.1) -> np.ndarray:
    r""":math:`x_t = \sin(2\pi t / P) + \varepsilon_t`, :math:`\varepsilon_t \sim \mathcal N(0, s^2)`.

    Returns
    -------
    (length,) float64 array
    """
    length = check_positive_int(length, "length")
    if not (np.isfinite(period) and period > 0):
        raise ValueError(f"period must be finite and > 0, got {period}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be finite and >= 0, got {noise}")
    rng = check_rng(rng)
    t = np.arange(length)
    return np.sin(2 * np.pi * t / period) + noise * rng.normal(size=length)


def random_walk(length: int, rng: np.random.Generator | int, start: float = 100.0,
                step: float = 1.0) -> np.ndarray:
    r"""A Gaussian random walk.

    :math:`x_0 = \text{start}`, :math:`x_t = x_{t-1} + \varepsilon_t`,
    :math:`\varepsilon_t \sim \mathcal N(0, s^2)`.
    """
    length = check_positive_int(length, "length")
    rng = check_rng(rng)
    steps = step * rng.normal(size=length - 1)
    return start + np.concatenate([[0.0], np.cumsum(steps)])


def trend_seasonal(length: int, rng: np.random.Generator | int, level: float = 100.0,
                   slope: float = 0.05, amplitude: float = 5.0, period: float = 50.0,
                   noise: float = 1.0) -> np.ndarray:
    r""":math:`x_t = \text{level} + \text{slope}\,t + A \sin(2\pi t/P) + \varepsilon_t`."""
    length = check_positive_int(length, "length")
    if not (np.isfinite(period) and period > 0):
        raise ValueError(f"period must be finite and > 0, got {period}")
    rng = check_rng(rng)
    t = np.arange(length)
    return (level + slope * t + amplitude * np.sin(2 * np.pi * t / period)
            + noise * rng.normal(size=length))


def make_windows(series: np.ndarray, window: int,
                 horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""Cut a 1-D series into supervised pairs: ``window`` past values -> the value ``horizon`` ahead.

    Sample :math:`i` uses :math:`x_i, \dots, x_{i+w-1}` to predict :math:`x_{i+w+h-1}`.

    Parameters
    ----------
    series : (L,)
    window, horizon : int >= 1

    Returns
    -------
    X : (window, N, 1), time-major inputs
    y : (N, 1), targets; :math:`N = L - w - h + 1`
    """
    x = as_array(series, "series", ndim=1)
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    N = x.size - window - horizon + 1
    if N < 1:
        raise ValueError(f"series of length {x.size} is too short for window={window} "
                         f"and horizon={horizon}")
    idx = np.arange(window)[:, None] + np.arange(N)[None, :]
    X = x[idx][..., None]
    y = x[window + horizon - 1: window + horizon - 1 + N][:, None]
    return X, y


def adding_problem(T: int, B: int, rng: np.random.Generator | int
                   ) -> tuple[np.ndarray, np.ndarray]:
    r"""The adding problem, in the variant of later benchmarks (Le et al., 2015; Arjovsky et al., 2016).

    Each step carries two channels: a value :math:`u_t \sim U(0, 1)` and a marker that is
    1 at exactly two steps, one in the first half and one in the second half, and 0
    elsewhere. The target is the sum of the two marked values. Predicting the mean,
    1, gives a mean squared error of 1/6 (the variance of a sum of two uniforms).
    (The original task of Hochreiter & Schmidhuber, 1997, drew the values from [-1, 1],
    put the first marker among the first ten steps and asked for 0.5 + (u_a + u_b)/4.)

    Returns
    -------
    X : (T, B, 2)
    y : (B, 1)
    """
    T = check_positive_int(T, "T", minimum=2)
    B = check_positive_int(B, "B")
    rng = check_rng(rng)
    values = rng.uniform(0.0, 1.0, size=(T, B))
    half = T // 2
    first = rng.integers(0, half, size=B)
    second = rng.integers(half, T, size=B)
    marks = np.zeros((T, B))
    cols = np.arange(B)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    X = np.stack([values, marks], axis=-1)
    y = (values[first, cols] + values[second, cols])[:, None]
    return X, y


def copy_task(length: int, delay: int, B: int, n_symbols: int,
              rng: np.random.Generator | int) -> tuple[np.ndarray, np.ndarray]:
    r"""The copy task: read ``length`` symbols, wait ``delay`` blanks, then reproduce them.

    Symbols are ``1..n_symbols``; 0 is the blank and ``n_symbols + 1`` the "go" marker
    shown on the last blank. Total length :math:`T = 2\,\text{length} + \text{delay}`.

    Returns
    -------
    X : (T, B, n_symbols + 2), one-hot inputs
    Y : (T, B), integer targets: blank (0) until the go marker, then the symbols
    """
    length = check_positive_int(length, "length")
    delay = check_positive_int(delay, "delay")
    B = check_positive_int(B, "B")
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    rng = check_rng(rng)
    K = n_symbols + 2
    T = 2 * length + delay
    seq = rng.integers(1, n_symbols + 1, size=(length, B))
    inputs = np.zeros((T, B), dtype=np.int64)
    inputs[:length] = seq
    inputs[length + delay - 1] = n_symbols + 1
    Y = np.zeros((T, B), dtype=np.int64)
    Y[length + delay:] = seq
    return one_hot(inputs, K), Y
