"""The vanishing-gradient theorem, checked numerically, and the Jacobian tools."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bounds, sequence
from rnnbook.activations import get_activation
from rnnbook.cells import init_rnn_params
from rnnbook.gradcheck import numerical_gradient, relative_error


@given(T=st.integers(1, 30), B=st.integers(1, 3), d=st.integers(1, 4), n=st.integers(1, 8),
       sigma=st.floats(0.05, 6.0), seed=st.integers(0, 2**16),
       activation=st.sampled_from(["tanh", "sigmoid", "relu", "linear"]))
def test_measured_norm_never_exceeds_the_bound(T, B, d, n, sigma, seed, activation):
    r"""Theorem: ||dh_T/dh_t||_2 <= (gamma sigma_max(W_hh))^(T-t) for every t."""
    rng = np.random.default_rng(seed)
    params = init_rnn_params(d, n, rng, W_hh_init="xavier")
    params["W_hh"] = bounds.rescale_spectral_norm(rng.normal(size=(n, n)), sigma)
    params["b_h"] = rng.normal(size=n)
    X = 2.0 * rng.normal(size=(T, B, d))
    log_norms = bounds.jacobian_norms(X, params, activation)
    gamma = get_activation(activation).gamma
    log_bound = bounds.log10_bound(gamma, bounds.spectral_norm(params["W_hh"]), np.arange(1, T + 1))
    assert np.all(log_norms <= log_bound + 1e-9)


def test_bound_is_attained_by_a_linear_rnn_with_orthogonal_weights():
    """For f = identity and W_hh = s Q (Q orthogonal), ||dh_T/dh_t|| = s^(T-t) exactly."""
    rng = np.random.default_rng(0)
    n, T = 5, 12
    params = init_rnn_params(2, n, rng, W_hh_init="orthogonal", gain=1.3)
    log_norms = bounds.jacobian_norms(rng.normal(size=(T, 1, 2)), params, "linear")
    np.testing.assert_allclose(log_norms[0], np.arange(1, T + 1) * np.log10(1.3), atol=1e-12)


def test_jacobian_norms_match_explicit_products_and_finite_differences():
    rng = np.random.default_rng(1)
    T, B, d, n = 6, 2, 3, 4
    params = init_rnn_params(d, n, rng)
    params["W_hh"] *= 1.5
    X = rng.normal(size=(T, B, d))
    traj = sequence.forward("rnn", X, params)
    J = bounds.rnn_jacobians(traj)
    log_norms = bounds.jacobian_norms(X, params)
    for k in range(1, T + 1):
        P = bounds.jacobian_product(J, T - k)
        np.testing.assert_allclose(log_norms[:, k - 1], np.log10(np.linalg.norm(P, 2, axis=(1, 2))),
                                   atol=1e-12)
    # J_t really is dh_t/dh_{t-1}: finite differences on one step
    x, h_prev = X[2, :1], traj.H[1, :1].copy()
    for j in range(n):
        def f(j=j):
            return float(sequence.forward("rnn", x[None], params, h0=h_prev).H[0, 0, j])
        assert relative_error(J[2, 0, j], numerical_gradient(f, h_prev)[0]) < 1e-7


@given(n=st.integers(1, 12), T=st.integers(1, 30), seed=st.integers(0, 10_000),
       norm=st.floats(0.1, 6.0), act=st.sampled_from(["tanh", "sigmoid", "relu", "linear"]))
def test_jacobian_norms_at_selected_distances_equal_the_full_sweep(n, T, seed, norm, act):
    rng = np.random.default_rng(seed)
    params = init_rnn_params(4, n, rng)
    params["W_hh"] = bounds.rescale_spectral_norm(rng.normal(size=(n, n)), norm)
    X = rng.normal(size=(T, 3, 4))
    full = bounds.jacobian_norms(X, params, act)
    ks = np.unique(rng.integers(1, T + 1, size=4))
    some = bounds.jacobian_norms(X, params, act, ks=ks)
    np.testing.assert_array_equal(some, full[:, ks - 1])


@pytest.mark.parametrize("ks", [[0, 1], [2, 1], [1, 99], [], [1.5]])
def test_jacobian_norms_rejects_bad_distances(ks):
    with pytest.raises(ValueError, match=r"ks must be strictly increasing integers in \[1, T\]"):
        bounds.jacobian_norms(np.zeros((5, 1, 2)), init_rnn_params(2, 3, 0), "tanh", ks=ks)


def test_jacobian_norms_stay_exact_far_below_float64():
    """Renormalisation keeps log10 norms exact where the plain product underflows to 0."""
    n, T = 3, 800
    params = {"W_xh": np.zeros((n, 1)), "W_hh": 0.1 * np.eye(n), "b_h": np.zeros(n)}
    log_norms = bounds.jacobian_norms(np.zeros((T, 1, 1)), params, "linear")
    assert np.all(np.isfinite(log_norms))
    assert log_norms[0, -1] == pytest.approx(-T)  # 1e-800 is below the smallest float64


def test_dead_relu_gives_minus_infinity_not_nan():
    n = 3
    params = {"W_xh": np.zeros((n, 1)), "W_hh": np.eye(n), "b_h": -np.ones(n)}
    log_norms = bounds.jacobian_norms(np.zeros((5, 2, 1)), params, "relu")
    assert not np.any(np.isnan(log_norms))
    assert np.all(log_norms == -np.inf)


def test_spectral_norm_radius_and_non_normal_example():
    W = np.array([[0.5, 4.0], [0.0, 0.5]])  # eigenvalues 0.5, but stretches by > 4
    assert bounds.spectral_radius(W) == pytest.approx(0.5)
    assert bounds.spectral_norm(W) > 4.0
    assert bounds.spectral_norm(bounds.rescale_spectral_norm(W, 0.9)) == pytest.approx(0.9)


def test_log10_bound_values_and_errors():
    np.testing.assert_allclose(bounds.log10_bound(0.25, 2.0, np.array([0, 1, 3])),
                               [0.0, np.log10(0.5), 3 * np.log10(0.5)])
    assert bounds.log10_bound(1.0, 3.0, 1000) == pytest.approx(1000 * np.log10(3.0))
    assert bounds.log10_bound(1.0, 0.0, 2) == -np.inf
    with pytest.raises(ValueError, match="gamma must be"):
        bounds.log10_bound(0.0, 1.0, 2)
    with pytest.raises(ValueError, match="sigma_max must be"):
        bounds.log10_bound(1.0, np.nan, 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        bounds.log10_bound(1.0, 1.0, 1.5)


def test_bounds_bad_input():
    with pytest.raises(ValueError, match="2 dimensions"):
        bounds.spectral_norm(np.zeros(3))
    with pytest.raises(ValueError, match=r"W must have shape \(n, n\)"):
        bounds.spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="zero matrix"):
        bounds.rescale_spectral_norm(np.zeros((2, 2)), 1.0)
    with pytest.raises(ValueError, match="target spectral norm"):
        bounds.rescale_spectral_norm(np.eye(2), -1.0)
    with pytest.raises(TypeError, match="Trajectory of cell 'rnn'"):
        bounds.rnn_jacobians(sequence.forward("gru", np.zeros((2, 1, 1)),
                                              {"W_xh": np.zeros((3, 1)), "W_hh": np.zeros((3, 1)),
                                               "b_h": np.zeros(3)}))
    with pytest.raises(ValueError, match=r"t must lie in \[0, T\]"):
        bounds.jacobian_product(np.zeros((3, 1, 2, 2)), 4)
    with pytest.raises(ValueError, match="activation must be one of"):
        bounds.jacobian_norms(np.zeros((2, 1, 1)), init_rnn_params(1, 2, 0), "gelu")


def test_largest_singular_values_match_the_svd():
    rng = np.random.default_rng(3)
    for shape in [(5, 4, 4), (3, 2, 6, 3), (7, 1, 5)]:
        M = rng.normal(size=shape)
        expected = np.linalg.svd(M, compute_uv=False)[..., 0]
        np.testing.assert_allclose(bounds.largest_singular_values(M), expected, rtol=1e-12)
    assert bounds.largest_singular_values(np.zeros((2, 3, 3))).tolist() == [0.0, 0.0]
