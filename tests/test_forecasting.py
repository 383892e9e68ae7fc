"""rnnbook.forecasting: metrics by hand, persistence, scaler, walk-forward folds, AR(1) sessions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import data
from rnnbook import forecasting as fc


def test_metrics_by_hand():
    y = np.array([100.0, 102.0, 101.0, 105.0])
    p = np.array([101.0, 101.0, 101.0, 103.0])
    assert fc.mae(y, p) == pytest.approx((1 + 1 + 0 + 2) / 4)
    assert fc.rmse(y, p) == pytest.approx(np.sqrt((1 + 1 + 0 + 4) / 4))
    assert fc.mape(y, p) == pytest.approx(100 * (1 / 100 + 1 / 102 + 0 + 2 / 105) / 4)
    last = np.array([99.0, 101.0, 102.0, 104.0])
    # moves: up, up, down, up; forecast moves from last: up, 0, down, down
    assert fc.directional_accuracy(y, p, last) == pytest.approx(2 / 4)
    m = fc.forecast_metrics(y, p, last)
    assert set(m) == {"MAE", "RMSE", "MAPE", "DA"}
    assert m["RMSE"] >= m["MAE"]


def test_persistence_forecast_and_its_direction():
    x = np.arange(10.0)
    X, y = data.make_windows(x, 3)
    pred = fc.persistence_forecast(X)
    np.testing.assert_array_equal(pred[:, 0], x[2:-1])
    assert fc.mae(y, pred) == pytest.approx(1.0)
    assert fc.directional_accuracy(y, pred, X[-1]) == 0.0     # it never calls a direction
    with pytest.raises(ValueError, match=r"\(window, N, 1\)"):
        fc.persistence_forecast(np.zeros((3, 4, 2)))


def test_metric_bad_inputs():
    with pytest.raises(ValueError, match="as many"):
        fc.mae([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="empty"):
        fc.rmse([], [])
    with pytest.raises(ValueError, match="undefined"):
        fc.mape([0.0, 1.0], [0.5, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        fc.mae([np.nan], [1.0])
    with pytest.raises(ValueError, match="y_last"):
        fc.directional_accuracy([1.0, 2.0], [1.0, 2.0], [1.0])


def test_scaler_fit_on_train_only():
    train, test = np.array([10.0, 20.0, 15.0]), np.array([25.0, 30.0])
    s = fc.MinMaxScaler.fit(train)
    assert (s.lo, s.hi) == (10.0, 20.0)
    np.testing.assert_allclose(s.transform(test), [1.5, 2.0])   # outside [0, 1], as deployed
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test)
    with pytest.raises(ValueError, match="constant"):
        fc.MinMaxScaler.fit(np.ones(4))
    with pytest.raises(ValueError, match="no values"):
        fc.MinMaxScaler.fit(np.array([]))


@given(n=st.integers(10, 200), folds=st.integers(1, 5), m=st.integers(1, 20))
def test_walk_forward_folds_never_include_future_indices(n, folds, m):
    if n - folds * m < m:
        with pytest.raises(ValueError, match="cannot hold"):
            fc.walk_forward_splits(n, folds, m)
        return
    splits = fc.walk_forward_splits(n, folds, m)
    assert len(splits) == folds
    for j, (tr, te) in enumerate(splits):
        assert tr.max() < te.min()                      # the past only
        np.testing.assert_array_equal(tr, np.arange(tr.size))
        assert te.size == m
        if j:
            assert tr.size == splits[j - 1][0].size + m  # expanding window
    assert splits[-1][1][-1] == n - 1


def test_walk_forward_splits_bad_inputs():
    with pytest.raises(TypeError):
        fc.walk_forward_splits(10.0, 2, 2)
    with pytest.raises(ValueError):
        fc.walk_forward_splits(10, 0, 2)


def test_walk_forward_scaler_sees_only_the_past():
    """The spy model records the scaled training data: with the fold scaler every training
    value lies in [0, 1] and the maximum is reached; test inputs may exceed 1. With the leaky
    scaler the test inputs are squeezed into [0, 1]."""
    x = np.arange(60.0)                                  # a pure trend
    seen = []

    def spy(X_train, y_train, X_test, fold):
        seen.append((X_train.min(), max(X_train.max(), y_train.max()), X_test.max()))
        return X_test[-1]                                # persistence, scaled
    res = fc.walk_forward(x, 5, spy, n_folds=3, test_size=5)
    for lo, hi, test_hi in seen:
        assert lo == pytest.approx(0.0) and hi == pytest.approx(1.0)
        assert test_hi > 1.0
    seen.clear()
    fc.walk_forward(x, 5, spy, n_folds=3, test_size=5, leak_scaler=True)
    assert all(hi < 1.0 and test_hi <= 1.0 for _, hi, test_hi in seen)
    # persistence through the scaler comes back in the series' units
    np.testing.assert_allclose(res.y_pred, res.y_last)
    np.testing.assert_allclose(res.y_true - res.y_last, 1.0)
    np.testing.assert_array_equal(res.target_index, np.arange(45, 60))
    np.testing.assert_allclose(res.y_true, x[res.target_index])
    assert res.metrics()["MAE"] == pytest.approx(1.0)
    assert res.persistence_metrics()["DA"] == 0.0


def test_walk_forward_bad_inputs():
    x = np.arange(40.0)
    with pytest.raises(TypeError, match="fit_predict"):
        fc.walk_forward(x, 5, None, 2, 5)
    with pytest.raises(ValueError, match=r"\(N_test, 1\)"):
        fc.walk_forward(x, 5, lambda a, b, c, j: np.zeros(3), 2, 5)
    with pytest.raises(ValueError, match="1 dimensions"):
        fc.walk_forward(x[:, None], 5, lambda a, b, c, j: c[-1], 2, 5)


def test_ar1_sessions():
    X, labels = fc.ar1_sessions(200, 50, 0)
    assert X.shape == (50, 200, 1) and labels.shape == (200,)
    assert labels.sum() == 100
    x = X[:, :, 0]
    r1 = np.sum(x[1:] * x[:-1], axis=0) / np.sum(x * x, axis=0)
    assert r1[labels == 1].mean() > 0.5 > 0 > r1[labels == 0].mean()
    X2, labels2 = fc.ar1_sessions(200, 50, 0)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="even"):
        fc.ar1_sessions(5, 10, 0)
    with pytest.raises(ValueError, match="inside"):
        fc.ar1_sessions(4, 10, 0, phi_trending=(0.5, 1.2))
    with pytest.raises(ValueError, match="noise"):
        fc.ar1_sessions(4, 10, 0, noise=0.0)
