"""Activations: values, derivatives against finite differences, the bound gamma, no warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnnbook import activations as A


def test_sigmoid_does_not_overflow_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.sigmoid(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
        ds = A.dsigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(s[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert 0 < s[1] < 1e-17 and s[3] == pytest.approx(1.0)
    np.testing.assert_array_equal(ds, [0.0, 0.0])


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-30, 30)))
def test_derivatives_match_finite_differences(z):
    eps = 1e-6
    for name in ("tanh", "sigmoid", "linear"):
        act = A.get_activation(name)
        numeric = (act.f(z + eps) - act.f(z - eps)) / (2 * eps)
        np.testing.assert_allclose(act.df(z), numeric, atol=1e-8)
    away = z[np.abs(z) > 1e-3]
    numeric = (A.relu(away + 1e-6) - A.relu(away - 1e-6)) / 2e-6
    np.testing.assert_allclose(A.drelu(away), numeric, atol=1e-8)


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e3, 1e3)))
def test_gamma_bounds_every_derivative(z):
    for act in A.ACTIVATIONS.values():
        assert np.all(np.abs(act.df(z)) <= act.gamma + 1e-15)


def test_gamma_is_attained():
    assert A.dsigmoid(0.0) == 0.25 and A.dtanh(0.0) == 1.0
    assert A.get_activation("sigmoid").gamma == 0.25
    assert A.get_activation("relu").gamma == 1.0


@given(arrays(np.float64, (3, 4), elements=st.floats(-500, 500)))
def test_softmax_rows_are_distributions(a):
    p = A.softmax(a)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(A.softmax(a + 123.0), p, atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        A.get_activation("swish")
    with pytest.raises(ValueError, match="NaN or infinite"):
        A.softmax(np.array([1.0, np.inf]))
    with pytest.raises(TypeError, match="numeric array"):
        A.softmax("abc")
