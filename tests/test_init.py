"""Initialisers: the statistics they promise."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import init


def test_orthogonal_has_all_singular_values_equal_to_gain():
    W = init.orthogonal(16, 0, gain=1.7)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.7)
    np.testing.assert_allclose(W @ W.T, 1.7**2 * np.eye(16), atol=1e-12)


def test_xavier_variance():
    W = init.xavier_uniform((200, 300), 0)
    assert W.var() == pytest.approx(2 / 500, rel=0.05)
    assert np.abs(W).max() <= np.sqrt(6 / 500)
    assert init.xavier_normal((200, 300), 0).var() == pytest.approx(2 / 500, rel=0.05)


def test_identity_and_seeding():
    np.testing.assert_array_equal(init.identity(3, 0.5), 0.5 * np.eye(3))
    np.testing.assert_array_equal(init.orthogonal(4, 9), init.orthogonal(4, np.random.default_rng(9)))


def test_bad_input():
    with pytest.raises(ValueError, match="shape must be a pair"):
        init.xavier_uniform((3,), 0)
    with pytest.raises(ValueError, match="n must be >= 1"):
        init.orthogonal(0, 0)
    with pytest.raises(TypeError, match="rng must be"):
        init.xavier_normal((2, 2), 1.5)
    with pytest.raises(TypeError, match="n must be an integer"):
        init.identity(2.0)
