"""The gradient checker itself: it must catch a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_restores_input():
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(g, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_check_gradients_flags_a_wrong_gradient():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])

    def f():
        return float(np.sum(w**2))

    good = check_gradients(f, {"w": w}, {"w": 2 * w})
    bad = check_gradients(f, {"w": w}, {"w": 2 * w.T})  # a transposed gradient
    assert good["w"] < 1e-9
    assert bad["w"] > 1e-2


def test_relative_error_is_zero_for_two_zero_arrays():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_bad_input():
    with pytest.raises(TypeError, match="float64 numpy array"):
        numerical_gradient(lambda: 0.0, np.array([1, 2]))
    with pytest.raises(TypeError, match="callable"):
        numerical_gradient(3.0, np.zeros(2))
    with pytest.raises(ValueError, match="eps must be"):
        numerical_gradient(lambda: 0.0, np.zeros(2), eps=0.0)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(KeyError, match="missing"):
        check_gradients(lambda: 0.0, {"w": np.zeros(2)}, {})
