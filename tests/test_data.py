"""Generated datasets: shapes, seeding and the facts their docstrings state."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import data


def test_one_hot():
    out = data.one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out[0, 1], [0, 0, 1])
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 3\)"):
        data.one_hot(np.array([3]), 3)
    with pytest.raises(TypeError, match="integers"):
        data.one_hot(np.array([0.5]), 3)


def test_series_are_seeded():
    for make in (data.sine_wave, data.random_walk, data.trend_seasonal):
        np.testing.assert_array_equal(make(50, 3), make(50, 3))
        assert make(50, 3).shape == (50,)
    assert data.random_walk(10, 0, start=5.0)[0] == 5.0
    np.testing.assert_allclose(data.sine_wave(4, 0, period=4, noise=0.0), [0, 1, 0, -1], atol=1e-12)


def test_make_windows_pairs_past_with_future():
    x = np.arange(10.0)
    X, y = data.make_windows(x, window=3, horizon=2)
    assert X.shape == (3, 6, 1) and y.shape == (6, 1)
    np.testing.assert_array_equal(X[:, 0, 0], [0, 1, 2])
    assert y[0, 0] == 4.0  # two steps after the window's last value
    assert np.all(y[:, 0] > X[-1, :, 0])  # targets lie strictly in the future
    with pytest.raises(ValueError, match="too short"):
        data.make_windows(x, window=10)


def test_adding_problem():
    X, y = data.adding_problem(20, 500, 0)
    assert X.shape == (20, 500, 2) and y.shape == (500, 1)
    np.testing.assert_array_equal(X[:, :, 1].sum(axis=0), 2.0)
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * X[:, :, 1]).sum(axis=0))
    assert np.all(X[:10, :, 1].sum(axis=0) == 1)  # one marker in each half
    # predicting 1 gives MSE near the variance of a sum of two uniforms, 1/6
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.03)


def test_copy_task():
    X, Y = data.copy_task(length=3, delay=4, B=2, n_symbols=5, rng=1)
    assert X.shape == (10, 2, 7) and Y.shape == (10, 2)
    symbols = X[:3].argmax(axis=-1)
    np.testing.assert_array_equal(Y[7:], symbols)
    assert np.all(X[6, :, 6] == 1)  # go marker on the last blank
    np.testing.assert_array_equal(Y[:7], 0)


def test_bad_input():
    with pytest.raises(ValueError, match="length must be >= 1"):
        data.sine_wave(0, 0)
    with pytest.raises(ValueError, match="noise must be"):
        data.sine_wave(5, 0, noise=-1.0)
    with pytest.raises(ValueError, match="T must be >= 2"):
        data.adding_problem(1, 2, 0)
    with pytest.raises(TypeError, match="rng must be"):
        data.random_walk(5, None)
    with pytest.raises(ValueError, match="1 dimensions"):
        data.make_windows(np.zeros((3, 3)), 2)
    with pytest.raises(ValueError, match="period must be"):
        data.trend_seasonal(5, 0, period=0.0)
