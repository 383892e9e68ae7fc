"""One-step cells: analytic gradients of every parameter, the state(s) and the input
match central finite differences, on random shapes drawn by hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import cells
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error

TOL = 1e-6
dims = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def _upstream(rng, *shapes):
    return [rng.normal(size=s) for s in shapes]


@given(B=dims, d=dims, n=dims, seed=seeds, activation=st.sampled_from(["tanh", "sigmoid", "relu"]))
def test_rnn_step_gradients(B, d, n, seed, activation):
    rng = np.random.default_rng(seed)
    params = perturb(cells.init_rnn_params(d, n, rng), rng)
    x, h_prev = rng.normal(size=(B, d)), rng.normal(size=(B, n))
    (dh,) = _upstream(rng, (B, n))

    def loss():
        h, _ = cells.rnn_step_forward(x, h_prev, params, activation)
        return float(np.sum(h * dh))

    _, cache = cells.rnn_step_forward(x, h_prev, params, activation)
    dx, dh_prev, grads = cells.rnn_step_backward(dh, cache)
    if activation == "relu":
        z = cache["z"]
        if np.min(np.abs(z)) < 1e-4:  # finite differences straddle the kink
            return
    errors = check_gradients(loss, params, grads)
    errors["x"] = relative_error(dx, numerical_gradient(loss, x))
    errors["h_prev"] = relative_error(dh_prev, numerical_gradient(loss, h_prev))
    assert max(errors.values()) < TOL, errors


@given(B=dims, d=dims, n=dims, seed=seeds, peephole=st.booleans())
def test_lstm_step_gradients(B, d, n, seed, peephole):
    rng = np.random.default_rng(seed)
    params = perturb(cells.init_lstm_params(d, n, rng, peephole=peephole), rng)
    x, h_prev, c_prev = (rng.normal(size=s) for s in ((B, d), (B, n), (B, n)))
    dh, dc = _upstream(rng, (B, n), (B, n))

    def loss():
        h, c, _ = cells.lstm_step_forward(x, h_prev, c_prev, params)
        return float(np.sum(h * dh) + np.sum(c * dc))

    _, _, cache = cells.lstm_step_forward(x, h_prev, c_prev, params)
    dx, dh_prev, dc_prev, grads = cells.lstm_step_backward(dh, dc, cache)
    assert set(grads) == set(params)
    errors = check_gradients(loss, params, grads)
    errors["x"] = relative_error(dx, numerical_gradient(loss, x))
    errors["h_prev"] = relative_error(dh_prev, numerical_gradient(loss, h_prev))
    errors["c_prev"] = relative_error(dc_prev, numerical_gradient(loss, c_prev))
    assert max(errors.values()) < TOL, errors


@given(B=dims, d=dims, n=dims, seed=seeds, reset=st.sampled_from(["before", "after"]),
       update=st.sampled_from(["old", "new"]))
def test_gru_step_gradients(B, d, n, seed, reset, update):
    rng = np.random.default_rng(seed)
    params = perturb(cells.init_gru_params(d, n, rng, reset=reset), rng)
    x, h_prev = rng.normal(size=(B, d)), rng.normal(size=(B, n))
    (dh,) = _upstream(rng, (B, n))

    def loss():
        h, _ = cells.gru_step_forward(x, h_prev, params, reset, update)
        return float(np.sum(h * dh))

    _, cache = cells.gru_step_forward(x, h_prev, params, reset, update)
    dx, dh_prev, grads = cells.gru_step_backward(dh, cache)
    assert set(grads) == set(params)
    errors = check_gradients(loss, params, grads)
    errors["x"] = relative_error(dx, numerical_gradient(loss, x))
    errors["h_prev"] = relative_error(dh_prev, numerical_gradient(loss, h_prev))
    assert max(errors.values()) < TOL, errors


def test_rnn_step_matches_equation():
    """h = tanh(W_xh x + W_hh h_prev + b_h) for one hand-written example."""
    params = {"W_xh": np.array([[0.5]]), "W_hh": np.array([[0.2]]), "b_h": np.array([0.1])}
    h, _ = cells.rnn_step_forward(np.array([[1.0]]), np.array([[2.0]]), params)
    assert h[0, 0] == pytest.approx(np.tanh(0.5 + 0.4 + 0.1))


def test_lstm_forget_one_input_zero_carries_cell_state():
    """With f = 1 and i = 0 (saturated gates) the cell state passes through unchanged."""
    n, d = 3, 2
    params = {"W_xh": np.zeros((4 * n, d)), "W_hh": np.zeros((4 * n, n)), "b_h": np.zeros(4 * n)}
    params["b_h"][:n] = -50.0       # input gate closed
    params["b_h"][n:2 * n] = 50.0   # forget gate open
    c_prev = np.array([[0.3, -1.2, 2.0]])
    _, c, _ = cells.lstm_step_forward(np.ones((1, d)), np.zeros((1, n)), c_prev, params)
    np.testing.assert_allclose(c, c_prev, atol=1e-12)


def test_gru_update_conventions_are_mirror_images():
    """update='new' with z-gate parameters negated equals update='old' (z <-> 1 - z)."""
    rng = np.random.default_rng(3)
    d, n, B = 3, 4, 2
    p_old = perturb(cells.init_gru_params(d, n, rng), rng)
    p_new = {k: v.copy() for k, v in p_old.items()}
    for key in ("W_xh", "W_hh", "b_h"):
        p_new[key][n:2 * n] *= -1.0
    x, h_prev = rng.normal(size=(B, d)), rng.normal(size=(B, n))
    h_old, _ = cells.gru_step_forward(x, h_prev, p_old, update="old")
    h_new, _ = cells.gru_step_forward(x, h_prev, p_new, update="new")
    np.testing.assert_allclose(h_old, h_new, atol=1e-12)
    h_wrong, _ = cells.gru_step_forward(x, h_prev, p_old, update="new")
    assert not np.allclose(h_old, h_wrong)


def test_gru_reset_conventions_differ_but_agree_when_reset_is_open():
    rng = np.random.default_rng(4)
    d, n, B = 2, 3, 2
    before = perturb(cells.init_gru_params(d, n, rng), rng)
    after = dict(before, b_hn=np.zeros(n))
    x, h_prev = rng.normal(size=(B, d)), rng.normal(size=(B, n))
    h_b, _ = cells.gru_step_forward(x, h_prev, before, reset="before")
    h_a, _ = cells.gru_step_forward(x, h_prev, after, reset="after")
    assert not np.allclose(h_a, h_b)
    for p in (before, after):
        p["b_h"][:n] = 60.0  # r = 1: both read W_hn h_prev in full
    h_b, _ = cells.gru_step_forward(x, h_prev, before, reset="before")
    h_a, _ = cells.gru_step_forward(x, h_prev, after, reset="after")
    np.testing.assert_allclose(h_a, h_b, atol=1e-12)


def test_split_gates_order():
    n, d = 2, 3
    W = np.arange(4 * n * d, dtype=float).reshape(4 * n, d)
    parts = cells.split_gates(W, "lstm")
    assert list(parts) == ["i", "f", "g", "o"]
    np.testing.assert_array_equal(parts["f"], W[n:2 * n])
    a = np.arange(2 * 3 * n, dtype=float).reshape(2, 3 * n)
    np.testing.assert_array_equal(cells.split_gates(a, "gru", axis=-1)["z"], a[:, n:2 * n])


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
def _rnn(d=2, n=3):
    return cells.init_rnn_params(d, n, 0)


def test_rnn_step_forward_rejects_wrong_shapes():
    p = _rnn()
    with pytest.raises(ValueError, match=r"x must have shape \(B, d\) with d = 2"):
        cells.rnn_step_forward(np.zeros((1, 5)), np.zeros((1, 3)), p)
    with pytest.raises(ValueError, match="h_prev must have shape"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((2, 3)), p)
    with pytest.raises(ValueError, match="2 dimensions"):
        cells.rnn_step_forward(np.zeros(2), np.zeros((1, 3)), p)


def test_rnn_step_forward_rejects_non_finite_and_unknown_activation():
    p = _rnn()
    with pytest.raises(ValueError, match="NaN or infinite"):
        cells.rnn_step_forward(np.array([[np.nan, 0.0]]), np.zeros((1, 3)), p)
    with pytest.raises(ValueError, match="activation must be one of"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), p, activation="softsign")
    bad = dict(p, W_hh=np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match=r"params\['W_hh'\] contains NaN"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), bad)


def test_params_errors_name_missing_keys_and_shapes():
    with pytest.raises(KeyError, match="missing"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), {"W_xh": np.zeros((3, 2))})
    with pytest.raises(TypeError, match="dict of arrays"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), [1, 2])
    p = dict(_rnn(), W_hh=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"rnn W_hh must have shape \(1n, n\)"):
        cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), p)
    with pytest.raises(ValueError, match=r"lstm W_xh must have shape \(4n, d\)"):
        cells.lstm_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 3)), _rnn())


def test_backward_rejects_wrong_upstream_shape():
    p = _rnn()
    _, cache = cells.rnn_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), p)
    with pytest.raises(ValueError, match="dh must have shape"):
        cells.rnn_step_backward(np.zeros((1, 4)), cache)
    lp = cells.init_lstm_params(2, 3, 0)
    _, _, lcache = cells.lstm_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 3)), lp)
    with pytest.raises(ValueError, match="dc must have shape"):
        cells.lstm_step_backward(np.zeros((1, 3)), np.zeros((2, 3)), lcache)
    gp = cells.init_gru_params(2, 3, 0)
    _, gcache = cells.gru_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), gp)
    with pytest.raises(ValueError, match="dh must have shape"):
        cells.gru_step_backward(np.zeros((3, 1)), gcache)


def test_lstm_and_gru_option_errors():
    with pytest.raises(ValueError, match="c_prev must have shape"):
        cells.lstm_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 2)),
                                cells.init_lstm_params(2, 3, 0))
    gp = cells.init_gru_params(2, 3, 0)
    with pytest.raises(ValueError, match="reset must be one of"):
        cells.gru_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), gp, reset="middle")
    with pytest.raises(ValueError, match="update must be one of"):
        cells.gru_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), gp, update="both")
    with pytest.raises(KeyError, match="b_hn"):
        cells.gru_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), gp, reset="after")


def test_init_functions_validate():
    with pytest.raises(ValueError, match="n must be >= 1"):
        cells.init_rnn_params(2, 0, 0)
    with pytest.raises(TypeError, match="d must be an integer"):
        cells.init_lstm_params(2.5, 3, 0)
    with pytest.raises(TypeError, match="rng must be"):
        cells.init_gru_params(2, 3, "seed")
    with pytest.raises(ValueError, match="W_hh_init must be one of"):
        cells.init_rnn_params(2, 3, 0, W_hh_init="random")
    with pytest.raises(ValueError, match="axis 0 of a lstm array"):
        cells.split_gates(np.zeros((5, 2)), "lstm")


def test_init_is_seeded_and_shapes_follow_the_convention():
    a, b = cells.init_lstm_params(3, 5, 7), cells.init_lstm_params(3, 5, 7)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert a["W_xh"].shape == (20, 3) and a["W_hh"].shape == (20, 5) and a["b_h"].shape == (20,)
    np.testing.assert_array_equal(a["b_h"][5:10], 1.0)  # forget-gate bias
    g = cells.init_gru_params(3, 5, 0, reset="after")
    assert g["b_hn"].shape == (5,)
