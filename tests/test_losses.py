"""Losses and their gradients, with masks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook.gradcheck import numerical_gradient, relative_error
from rnnbook.losses import mse_loss, softmax_cross_entropy


@given(T=st.integers(1, 4), B=st.integers(1, 3), K=st.integers(2, 5), seed=st.integers(0, 999),
       reduction=st.sampled_from(["mean", "sum"]))
def test_gradients_match_finite_differences(T, B, K, seed, reduction):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(T, B, K))
    y = rng.integers(0, K, size=(T, B))
    t = rng.normal(size=(T, B, K))
    mask = (rng.uniform(size=(T, B)) < 0.7).astype(float)
    mask[0, 0] = 1.0
    _, g = softmax_cross_entropy(a, y, mask, reduction)
    num = numerical_gradient(lambda: softmax_cross_entropy(a, y, mask, reduction)[0], a)
    assert relative_error(g, num) < 1e-7
    _, g = mse_loss(a, t, mask, reduction)
    num = numerical_gradient(lambda: mse_loss(a, t, mask, reduction)[0], a)
    assert relative_error(g, num) < 1e-7


def test_known_values():
    K = 4
    loss, _ = softmax_cross_entropy(np.zeros((3, K)), np.array([0, 1, 2]))
    assert loss == pytest.approx(np.log(K))  # uniform prediction: log K nats
    loss, _ = mse_loss(np.array([[1.0, 2.0], [0.0, 0.0]]), np.zeros((2, 2)))
    assert loss == pytest.approx((1 + 4 + 0) / 2)  # mean over the 2 positions
    loss, _ = mse_loss(np.array([[1.0], [3.0]]), np.zeros((2, 1)), mask=np.array([1.0, 0.0]))
    assert loss == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(TypeError, match="integer class indices"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 3\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="targets must have shape"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="Y must have shape"):
        mse_loss(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="mask must hold only 0 and 1"):
        mse_loss(np.zeros((2, 1)), np.zeros((2, 1)), mask=np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        mse_loss(np.zeros((2, 1)), np.zeros((2, 1)), reduction="max")
