"""Optimisers and clipping."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnnbook.optim import SGD, Adam, clip_by_global_norm, clip_by_value, global_norm

vec = arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3))


@given(a=vec, b=vec, max_norm=st.floats(1e-3, 1e3))
def test_clip_by_global_norm_caps_the_norm_and_keeps_direction(a, b, max_norm):
    grads = {"a": a, "b": b}
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(np.sqrt(np.sum(a**2) + np.sum(b**2)))
    assert global_norm(clipped) <= max_norm * (1 + 1e-12)
    if norm <= max_norm:
        np.testing.assert_array_equal(clipped["a"], a)
    else:
        factor = max_norm / norm
        np.testing.assert_allclose(clipped["a"], a * factor)
        np.testing.assert_allclose(clipped["b"], b * factor)


@given(a=vec, c=st.floats(1e-3, 10))
def test_clip_by_value_bounds_every_entry(a, c):
    out = clip_by_value({"a": a}, c)["a"]
    assert np.all(np.abs(out) <= c)
    inside = np.abs(a) <= c
    np.testing.assert_array_equal(out[inside], a[inside])


def test_sgd_and_adam_minimise_a_quadratic():
    target = np.array([1.0, -2.0, 3.0])
    for opt, steps in ((SGD(0.1), 200), (Adam(0.1), 500)):
        p = {"w": np.zeros(3)}
        for _ in range(steps):
            opt.step(p, {"w": 2 * (p["w"] - target)})
        np.testing.assert_allclose(p["w"], target, atol=1e-3)


def test_adam_first_step_is_lr_times_sign():
    p = {"w": np.array([0.0, 0.0])}
    Adam(lr=0.01).step(p, {"w": np.array([3.0, -0.002])})
    np.testing.assert_allclose(p["w"], [-0.01, 0.01], rtol=1e-4)


def test_bad_input():
    with pytest.raises(ValueError, match="learning rate"):
        SGD(-1.0)
    with pytest.raises(ValueError, match="beta1 must lie"):
        Adam(beta1=1.0)
    with pytest.raises(KeyError, match="same keys"):
        SGD().step({"w": np.zeros(2)}, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape"):
        Adam().step({"w": np.zeros(2)}, {"w": np.zeros(3)})
    with pytest.raises(ValueError, match="NaN or infinite"):
        SGD().step({"w": np.zeros(2)}, {"w": np.array([np.nan, 0.0])})
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm({"w": np.zeros(2)}, 0.0)
    with pytest.raises(ValueError, match="cannot fix them"):
        clip_by_global_norm({"w": np.array([np.inf])}, 1.0)
    with pytest.raises(ValueError, match="clip must be"):
        clip_by_value({"w": np.zeros(2)}, -1.0)
