r"""Honest evaluation of one-step forecasts: walk-forward folds, a scaler fit on the past only,
the usual error metrics, the persistence baseline, and AR(1) sessions for classification.

A forecast made at time :math:`t` may use :math:`x_1, \dots, x_t` and nothing later. Walk-forward
validation respects this: fold :math:`j` trains on everything before a cut :math:`s_j` and tests
on the next block; the scaler that normalises the inputs is part of the model, so it too is fit
on the training block of each fold (fitting it on the whole series hands the model the future
range of the data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import as_array, check_positive_int, check_rng, check_shape
from .data import make_windows

__all__ = [
    "MinMaxScaler",
    "WalkForwardResult",
    "ar1_sessions",
    "directional_accuracy",
    "forecast_metrics",
    "mae",
    "mape",
    "persistence_forecast",
    "rmse",
    "walk_forward",
    "walk_forward_splits",
]


# ---------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------
def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    a = as_array(y_true, "y_true").reshape(-1)
    b = as_array(y_pred, "y_pred")
    if b.size != a.size:
        raise ValueError(f"y_pred must have as many entries as y_true ({a.size}), got {b.size}")
    if a.size == 0:
        raise ValueError("y_true is empty: a metric over no forecasts is undefined")
    return a, b.reshape(-1)


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Mean absolute error :math:`\frac1N\sum_i |y_i - \hat y_i|` (any shapes with equal size)."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Root mean squared error :math:`\sqrt{\frac1N\sum_i (y_i - \hat y_i)^2}`."""
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Mean absolute percentage error :math:`\frac{100}{N}\sum_i |y_i - \hat y_i| / |y_i|`, in %.

    Undefined when some :math:`y_i = 0` (raises ``ValueError``); it is only meaningful for a
    series that stays well away from zero.
    """
    a, b = _pair(y_true, y_pred)
    if np.any(a == 0):
        raise ValueError("MAPE is undefined when a true value is 0")
    return float(100.0 * np.mean(np.abs((a - b) / a)))


def directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray, y_last: np.ndarray) -> float:
    r"""Fraction of forecasts that call the direction of the next move right.

    .. math:: \mathrm{DA} = \frac1N \sum_i
        \mathbb 1\bigl[\operatorname{sign}(\hat y_i - x_i) = \operatorname{sign}(y_i - x_i)\bigr]

    where :math:`x_i` (``y_last``) is the last value known when the forecast was made. The
    direction is measured from that value, not from the previous *forecast*. A forecast of
    "no change" has sign 0, which matches no real move: the persistence forecast scores 0.

    Parameters
    ----------
    y_true, y_pred, y_last : arrays with the same number of entries
    """
    a, b = _pair(y_true, y_pred)
    c = as_array(y_last, "y_last").reshape(-1)
    if c.size != a.size:
        raise ValueError(f"y_last must have as many entries as y_true ({a.size}), got {c.size}")
    return float(np.mean(np.sign(b - c) == np.sign(a - c)))


def forecast_metrics(y_true: np.ndarray, y_pred: np.ndarray,
                     y_last: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, MAPE (%) and directional accuracy in one dict."""
    return {"MAE": mae(y_true, y_pred), "RMSE": rmse(y_true, y_pred),
            "MAPE": mape(y_true, y_pred),
            "DA": directional_accuracy(y_true, y_pred, y_last)}


def persistence_forecast(X: np.ndarray) -> np.ndarray:
    r"""The naive forecast :math:`\hat x_{t+1} = x_t`: the last value of each window.

    Parameters
    ----------
    X : (window, N, 1), from :func:`rnnbook.data.make_windows`

    Returns
    -------
    (N, 1)
    """
    X = as_array(X, "X", ndim=3)
    check_shape(X, (None, None, 1), "X", "(window, N, 1)")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one time step")
    return X[-1].copy()


# ---------------------------------------------------------------------------
# scaling and walk-forward folds
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MinMaxScaler:
    r"""Affine map :math:`u = (x - \min)/(\max - \min)` fit on the values it is given.

    Fit it on a training block only: values outside that block's range then map outside
    :math:`[0, 1]`, as they would in deployment.
    """

    lo: float
    hi: float

    @classmethod
    def fit(cls, x: np.ndarray) -> MinMaxScaler:
        """The scaler of ``x`` (any shape, finite, not constant)."""
        a = as_array(x, "x")
        if a.size == 0:
            raise ValueError("cannot fit a scaler on no values")
        lo, hi = float(a.min()), float(a.max())
        if hi == lo:
            raise ValueError("cannot fit a min-max scaler on a constant series (max = min)")
        return cls(lo, hi)

    def transform(self, x: np.ndarray) -> np.ndarray:
        """:math:`(x - \\min) / (\\max - \\min)`, same shape as ``x``."""
        return (as_array(x, "x") - self.lo) / (self.hi - self.lo)

    def inverse_transform(self, u: np.ndarray) -> np.ndarray:
        """:math:`\\min + u (\\max - \\min)`, same shape as ``u``."""
        return self.lo + as_array(u, "u") * (self.hi - self.lo)


def walk_forward_splits(n: int, n_folds: int, test_size: int,
                        min_train: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Expanding-window folds over ``n`` time-ordered samples.

    Fold :math:`j = 0, \dots, F-1` tests on the block
    :math:`[s_j, s_j + m)` with :math:`s_j = n - (F - j)\,m` and trains on
    :math:`[0, s_j)`: every training index precedes every test index, and the test blocks
    tile the last :math:`F m` samples.

    Parameters
    ----------
    n : number of samples
    n_folds : F >= 1
    test_size : m >= 1
    min_train : smallest allowed training block (default ``m``)

    Returns
    -------
    list of ``(train_idx, test_idx)`` int arrays
    """
    n = check_positive_int(n, "n")
    n_folds = check_positive_int(n_folds, "n_folds")
    test_size = check_positive_int(test_size, "test_size")
    min_train = test_size if min_train is None else check_positive_int(min_train, "min_train")
    first = n - n_folds * test_size
    if first < min_train:
        raise ValueError(f"{n} samples cannot hold {n_folds} test blocks of {test_size} after "
                         f"a training block of at least {min_train}")
    folds = []
    for j in range(n_folds):
        s = first + j * test_size
        folds.append((np.arange(s), np.arange(s, s + test_size)))
    return folds


@dataclass
class WalkForwardResult:
    """Predictions of every fold, in the units of the series.

    Attributes
    ----------
    y_true, y_pred, y_last : (N_test,) concatenated over folds, in time order
    fold : (N_test,) fold number of each forecast
    target_index : (N_test,) index in the series of each forecast's target
    """

    y_true: np.ndarray
    y_pred: np.ndarray
    y_last: np.ndarray
    fold: np.ndarray
    target_index: np.ndarray

    def metrics(self) -> dict[str, float]:
        """:func:`forecast_metrics` over all folds."""
        return forecast_metrics(self.y_true, self.y_pred, self.y_last)

    def persistence_metrics(self) -> dict[str, float]:
        """The same metrics for the persistence forecast of the same targets."""
        return forecast_metrics(self.y_true, self.y_last, self.y_last)


FitPredict = Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]


def walk_forward(series: np.ndarray, window: int, fit_predict: FitPredict, n_folds: int,
                 test_size: int, leak_scaler: bool = False) -> WalkForwardResult:
    r"""Walk-forward evaluation of a one-step forecaster on scaled windows.

    The series is cut into windows with :func:`rnnbook.data.make_windows` (sample :math:`i`
    reads :math:`x_i..x_{i+w-1}` and targets :math:`x_{i+w}`), the samples are split by
    :func:`walk_forward_splits`, and for each fold:

    1. a :class:`MinMaxScaler` is fit on the series values the training samples contain
       (``leak_scaler=False``), or on the whole series (``leak_scaler=True``, the leaking
       recipe, kept only to measure what the leak does);
    2. ``fit_predict(X_train, y_train, X_test, fold)`` trains a model on the scaled training
       windows ``(w, N_tr, 1)``, ``(N_tr, 1)`` and returns scaled forecasts ``(N_te, 1)``;
    3. the forecasts are mapped back to the units of the series.

    Parameters
    ----------
    series : (L,)
    window : w >= 1
    fit_predict : callable as above
    n_folds, test_size : see :func:`walk_forward_splits`
    leak_scaler : bool

    Returns
    -------
    WalkForwardResult
    """
    x = as_array(series, "series", ndim=1)
    window = check_positive_int(window, "window")
    if not callable(fit_predict):
        raise TypeError("fit_predict must be callable: (X_train, y_train, X_test, fold) -> y")
    X, y = make_windows(x, window)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("true", "pred", "last", "fold", "idx")}
    for j, (tr, te) in enumerate(walk_forward_splits(y.shape[0], n_folds, test_size,
                                                     min_train=window)):
        known = x[: tr[-1] + window + 1]                  # every value a training sample touches
        scaler = MinMaxScaler.fit(x if leak_scaler else known)
        pred = fit_predict(scaler.transform(X[:, tr]), scaler.transform(y[tr]),
                           scaler.transform(X[:, te]), j)
        pred = as_array(pred, "fit_predict output")
        check_shape(pred, (te.size, 1), "fit_predict output", "(N_test, 1)")
        parts["true"].append(y[te, 0])
        parts["pred"].append(scaler.inverse_transform(pred)[:, 0])
        parts["last"].append(X[-1, te, 0])
        parts["fold"].append(np.full(te.size, j))
        parts["idx"].append(te + window)
    return WalkForwardResult(*(np.concatenate(parts[k]) for k in
                               ("true", "pred", "last", "fold", "idx")))


# ---------------------------------------------------------------------------
# sessions for sequence classification
# ---------------------------------------------------------------------------
def ar1_sessions(B: int, T: int, rng: np.random.Generator | int,
                 phi_trending: tuple[float, float] = (0.85, 0.99),
                 phi_reverting: tuple[float, float] = (-0.6, -0.1),
                 noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Labelled AR(1) sessions :math:`x_t = \phi x_{t-1} + \varepsilon_t`, :math:`x_0 = 0`.

    Half the sessions (label 1, "trending") draw :math:`\phi` uniformly from
    ``phi_trending`` (near 1: long excursions away from the mean), the other half (label 0,
    "mean-reverting") from ``phi_reverting`` (negative: each move tends to undo the last).
    The order of the sessions is shuffled.

    Parameters
    ----------
    B : number of sessions (even)
    T : session length
    rng : Generator or int seed
    phi_trending, phi_reverting : (low, high) ranges inside (-1, 1)
    noise : standard deviation of :math:`\varepsilon_t`

    Returns
    -------
    X : (T, B, 1)
    labels : (B,) int64, 1 = trending, 0 = mean-reverting
    """
    B = check_positive_int(B, "B", minimum=2)
    if B % 2:
        raise ValueError(f"B must be even (half trending, half mean-reverting), got {B}")
    T = check_positive_int(T, "T")
    rng = check_rng(rng)
    for name, (lo, hi) in (("phi_trending", phi_trending), ("phi_reverting", phi_reverting)):
        if not (-1 < lo <= hi < 1):
            raise ValueError(f"{name} must be a range (low, high) inside (-1, 1), got {(lo, hi)}")
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be finite and > 0, got {noise}")
    labels = np.repeat(np.array([1, 0], dtype=np.int64), B // 2)
    rng.shuffle(labels)
    phi = np.where(labels == 1, rng.uniform(*phi_trending, size=B),
                   rng.uniform(*phi_reverting, size=B))
    eps = noise * rng.normal(size=(T, B))
    X = np.empty((T, B))
    prev = np.zeros(B)
    for t in range(T):
        prev = phi * prev + eps[t]
        X[t] = prev
    return X[..., None], labels
