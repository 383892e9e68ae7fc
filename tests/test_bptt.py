"""Whole-sequence BPTT (rnnbook.sequence and rnnbook.bptt) against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bptt, sequence
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error

CELL_CASES = [
    ("rnn", {"activation": "tanh"}, {}),
    ("rnn", {"activation": "sigmoid"}, {}),
    ("lstm", {}, {}),
    ("lstm", {}, {"peephole": True}),
    ("gru", {"reset": "before", "update": "old"}, {}),
    ("gru", {"reset": "after", "update": "new"}, {"reset": "after"}),
]


@pytest.mark.parametrize(("cell", "options", "init"), CELL_CASES)
@given(T=st.integers(1, 5), B=st.integers(1, 3), d=st.integers(1, 3), n=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_sequence_backward_matches_finite_differences(cell, options, init, T, B, d, n, seed):
    """Gradients w.r.t. parameters, inputs and the initial state(s), for an arbitrary upstream dH."""
    rng = np.random.default_rng(seed)
    params = perturb(bptt.init_model(cell, d, n, 1, rng, **init), rng)
    X = rng.normal(size=(T, B, d))
    h0 = rng.normal(size=(B, n))
    c0 = rng.normal(size=(B, n)) if cell == "lstm" else None
    G = rng.normal(size=(T, B, n))

    def loss():
        traj = sequence.forward(cell, X, params, h0, c0, **options)
        return float(np.sum(traj.H * G))

    traj = sequence.forward(cell, X, params, h0, c0, **options)
    dX, dh0, dc0, grads = sequence.backward(traj, G)
    cell_params = {k: v for k, v in params.items() if k in grads}
    errors = check_gradients(loss, cell_params, grads)
    errors["X"] = relative_error(dX, numerical_gradient(loss, X))
    errors["h0"] = relative_error(dh0, numerical_gradient(loss, h0))
    if cell == "lstm":
        errors["c0"] = relative_error(dc0, numerical_gradient(loss, c0))
    else:
        assert dc0 is None
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize(("cell", "options", "init"), CELL_CASES)
@pytest.mark.parametrize(("task", "loss_name"), [("many_to_many", "mse"), ("many_to_many", "xent"),
                                                 ("many_to_one", "mse"), ("many_to_one", "xent")])
def test_model_loss_and_grads(cell, options, init, task, loss_name):
    rng = np.random.default_rng(11)
    T, B, d, n, k = 4, 3, 2, 3, 3
    params = perturb(bptt.init_model(cell, d, n, k, rng, **init), rng)
    X = rng.normal(size=(T, B, d))
    lead = (T, B) if task == "many_to_many" else (B,)
    Y = rng.normal(size=(*lead, k)) if loss_name == "mse" else rng.integers(0, k, size=lead)
    mask = None
    if task == "many_to_many":
        mask = np.ones((T, B))
        mask[-1, 0] = 0.0  # a padded position

    def f():
        return bptt.model_loss(params, X, Y, cell, task, loss_name, mask, **options)

    value, grads = bptt.loss_and_grads(params, X, Y, cell, task, loss_name, mask, **options)
    assert value == pytest.approx(f(), rel=1e-12)
    assert set(grads) == set(params)
    errors = check_gradients(f, params, grads)
    assert max(errors.values()) < 1e-6, errors


def test_masked_position_does_not_change_loss_or_gradients():
    rng = np.random.default_rng(2)
    T, B, d, n, k = 3, 2, 2, 3, 1
    params = bptt.init_model("rnn", d, n, k, rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, k))
    mask = np.ones((T, B))
    mask[2, 1] = 0.0
    Y2 = Y.copy()
    Y2[2, 1] = 1e3  # garbage at a padded position
    a = bptt.loss_and_grads(params, X, Y, mask=mask)
    b = bptt.loss_and_grads(params, X, Y2, mask=mask)
    assert a[0] == b[0]
    for key in params:
        np.testing.assert_array_equal(a[1][key], b[1][key])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_truncated_with_window_at_least_T_is_full_bptt(cell):
    rng = np.random.default_rng(5)
    T, B, d, n, k = 6, 2, 2, 3, 2
    params = perturb(bptt.init_model(cell, d, n, k, rng), rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, k))
    full = bptt.loss_and_grads(params, X, Y, cell)
    for window in (T, T + 3):
        trunc = bptt.truncated_bptt(params, X, Y, window, cell)
        assert trunc[0] == full[0]
        for key in params:
            np.testing.assert_allclose(trunc[1][key], full[1][key], rtol=0, atol=1e-14)


def test_truncated_window_one_equals_hand_derivation():
    r"""Scalar linear RNN h_t = w h_{t-1} + u x_t, y_t = h_t, L = mean_t (h_t - y_t)^2, T = 2.

    With k = 1 each chunk sees only its own step, with h_{t-1} a constant:
    dL/dw = (2/2) [ (h_1 - y_1) h_0 + (h_2 - y_2) h_1 ],
    dL/du = (2/2) [ (h_1 - y_1) x_1 + (h_2 - y_2) x_2 ].
    Full BPTT adds the path h_2 -> h_1: (h_2 - y_2) w h_0 to dL/dw and (h_2 - y_2) w x_1 to dL/du.
    """
    w, u, h0, x1, x2, y1, y2 = 0.5, 2.0, 1.0, 0.3, -0.7, 0.1, 0.4
    params = {"W_xh": np.array([[u]]), "W_hh": np.array([[w]]), "b_h": np.zeros(1),
              "W_hy": np.array([[1.0]]), "b_y": np.zeros(1)}
    X = np.array([x1, x2]).reshape(2, 1, 1)
    Y = np.array([y1, y2]).reshape(2, 1, 1)
    h1 = w * h0 + u * x1
    h2 = w * h1 + u * x2
    e1, e2 = h1 - y1, h2 - y2
    loss, g = bptt.truncated_bptt(params, X, Y, 1, "rnn", h0=np.array([[h0]]),
                                  activation="linear")
    assert loss == pytest.approx((e1**2 + e2**2) / 2)
    assert g["W_hh"][0, 0] == pytest.approx(e1 * h0 + e2 * h1)
    assert g["W_xh"][0, 0] == pytest.approx(e1 * x1 + e2 * x2)
    _, full = bptt.loss_and_grads(params, X, Y, "rnn", h0=np.array([[h0]]), activation="linear")
    assert full["W_hh"][0, 0] == pytest.approx(e1 * h0 + e2 * h1 + e2 * w * h0)
    assert full["W_xh"][0, 0] == pytest.approx(e1 * x1 + e2 * x2 + e2 * w * x1)


def test_forward_backward_bad_input():
    params = bptt.init_model("rnn", 2, 3, 1, 0)
    with pytest.raises(ValueError, match="3 dimensions"):
        sequence.forward("rnn", np.zeros((4, 2)), params)
    with pytest.raises(ValueError, match="cell must be one of"):
        sequence.forward("transformer", np.zeros((4, 1, 2)), params)
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, n\) = \(1, 3\)"):
        sequence.forward("rnn", np.zeros((4, 1, 2)), params, h0=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="c0 is only used by the LSTM"):
        sequence.forward("rnn", np.zeros((4, 1, 2)), params, c0=np.zeros((1, 3)))
    with pytest.raises(TypeError, match="takes options"):
        sequence.forward("rnn", np.zeros((4, 1, 2)), params, reset="after")
    with pytest.raises(ValueError, match="at least one time step"):
        sequence.forward("rnn", np.zeros((0, 1, 2)), params)
    traj = sequence.forward("rnn", np.zeros((4, 1, 2)), params)
    with pytest.raises(ValueError, match=r"dH must have shape \(T, B, n\)"):
        sequence.backward(traj, np.zeros((4, 1, 2)))
    with pytest.raises(TypeError, match="Trajectory"):
        sequence.backward({"H": 1}, np.zeros((4, 1, 3)))
    with pytest.raises(ValueError, match="dc_T is only used by the LSTM"):
        sequence.backward(traj, np.zeros((4, 1, 3)), dc_T=np.zeros((1, 3)))


def test_model_bad_input():
    params = bptt.init_model("rnn", 2, 3, 2, 0)
    X = np.zeros((4, 1, 2))
    with pytest.raises(ValueError, match=r"Y must have shape \(T, B, k\)"):
        bptt.loss_and_grads(params, X, np.zeros((4, 1, 3)))
    with pytest.raises(ValueError, match=r"Y must have shape \(B,\) class indices"):
        bptt.loss_and_grads(params, X, np.zeros((4, 1), dtype=int), task="many_to_one", loss="xent")
    with pytest.raises(ValueError, match="task must be one of"):
        bptt.loss_and_grads(params, X, np.zeros((4, 1, 2)), task="one_to_many")
    with pytest.raises(ValueError, match="mask keeps no position"):
        bptt.loss_and_grads(params, X, np.zeros((4, 1, 2)), mask=np.zeros((4, 1)))
    with pytest.raises(ValueError, match="mask is only supported"):
        bptt.truncated_bptt(params, X, np.zeros((1, 2)), 2, task="many_to_one", mask=np.ones((4, 1)))
    with pytest.raises(KeyError, match="W_hy"):
        bptt.loss_and_grads({k: v for k, v in params.items() if k != "W_hy"}, X, np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="k must be >= 1"):
        bptt.truncated_bptt(params, X, np.zeros((4, 1, 2)), 0)
    with pytest.raises(ValueError, match="k must be >= 1"):
        bptt.init_model("rnn", 2, 3, 0, 0)
