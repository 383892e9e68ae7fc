"""Laws of the LSTM and GRU cells that hold for all shapes and weights (hypothesis).

Each law is one the LSTM and GRU chapters state: a saturated forget gate carries the cell state,
zero peepholes are no peepholes, the two GRU update conventions are one model up to negating the
update gate, the two reset conventions coincide when the reset gate is open (or W_hn is
diagonal), the GRU state stays in (-1, 1), and the LSTM cell state grows by less than 1 per step.
"""

from __future__ import annotations

import numpy as np
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import cells, sequence

dims = st.integers(1, 4)
seeds = st.integers(0, 2**16)
lengths = st.integers(1, 8)
SATURATE = 40.0  # sigmoid(40) == 1.0 and sigmoid(-40) ~ 4e-18 in float64


def _gru(d, n, rng, reset):
    return perturb(cells.init_gru_params(d, n, rng, reset=reset), rng)


def _negate_update_gate(params, n):
    out = {k: v.copy() for k, v in params.items()}
    for key in ("W_xh", "W_hh", "b_h"):
        out[key][n:2 * n] *= -1
    return out


@given(T=lengths, B=dims, d=dims, n=dims, seed=seeds)
def test_lstm_with_forget_one_and_input_zero_carries_the_cell_state(T, B, d, n, seed):
    rng = np.random.default_rng(seed)
    params = perturb(cells.init_lstm_params(d, n, rng), rng)
    for key in ("W_xh", "W_hh"):
        params[key][:2 * n] = 0.0                          # i and f blocks read nothing
    params["b_h"][:n] = -SATURATE                          # i = 0
    params["b_h"][n:2 * n] = SATURATE                      # f = 1
    X, c0 = rng.normal(size=(T, B, d)), 3 * rng.normal(size=(B, n))
    traj = sequence.forward("lstm", X, params, c0=c0)
    np.testing.assert_allclose(traj.C, np.broadcast_to(c0, traj.C.shape), rtol=0, atol=1e-15)
    dc_T = rng.normal(size=(B, n))
    _, _, dc0, _ = sequence.backward(traj, np.zeros_like(traj.H), dc_T=dc_T)
    np.testing.assert_allclose(dc0, dc_T, rtol=0, atol=1e-12)   # the constant error carousel


@given(T=lengths, B=dims, d=dims, n=dims, seed=seeds)
def test_zero_peepholes_equal_no_peepholes(T, B, d, n, seed):
    rng = np.random.default_rng(seed)
    plain = perturb(cells.init_lstm_params(d, n, rng), rng)
    peep = {**plain, "p_i": np.zeros(n), "p_f": np.zeros(n), "p_o": np.zeros(n)}
    X, dH = rng.normal(size=(T, B, d)), rng.normal(size=(T, B, n))
    a, b = sequence.forward("lstm", X, plain), sequence.forward("lstm", X, peep)
    np.testing.assert_array_equal(a.H, b.H)
    np.testing.assert_array_equal(a.C, b.C)
    ga, gb = sequence.backward(a, dH)[3], sequence.backward(b, dH)[3]
    for key in plain:
        np.testing.assert_allclose(ga[key], gb[key], rtol=0, atol=1e-13)
    # ... while non-zero peepholes change the states
    peep["p_f"] = np.ones(n)
    c = sequence.forward("lstm", X, peep, c0=np.ones((B, n)))
    d_ = sequence.forward("lstm", X, plain, c0=np.ones((B, n)))
    assert np.max(np.abs(c.C - d_.C)) > 1e-6


@given(T=lengths, B=dims, d=dims, n=dims, seed=seeds,
       reset=st.sampled_from(["before", "after"]))
def test_gru_update_conventions_are_one_model(T, B, d, n, seed, reset):
    rng = np.random.default_rng(seed)
    theta = _gru(d, n, rng, reset)
    mirrored = _negate_update_gate(theta, n)
    X, h0, dH = rng.normal(size=(T, B, d)), rng.normal(size=(B, n)), rng.normal(size=(T, B, n))
    old = sequence.forward("gru", X, theta, h0, reset=reset, update="old")
    new = sequence.forward("gru", X, mirrored, h0, reset=reset, update="new")
    np.testing.assert_allclose(old.H, new.H, rtol=0, atol=1e-13)
    _, dh0_old, _, g_old = sequence.backward(old, dH)
    _, dh0_new, _, g_new = sequence.backward(new, dH)
    np.testing.assert_allclose(dh0_old, dh0_new, rtol=0, atol=1e-12)
    g_new = _negate_update_gate(g_new, n)                   # the update-gate gradients flip sign
    for key in theta:
        np.testing.assert_allclose(g_old[key], g_new[key], rtol=0, atol=1e-12)
    # the unmapped weights give a different model
    other = sequence.forward("gru", X, theta, h0, reset=reset, update="new")
    assert np.max(np.abs(other.H - old.H)) > 1e-6


@given(T=lengths, B=dims, d=dims, n=dims, seed=seeds, update=st.sampled_from(["old", "new"]))
def test_reset_after_equals_reset_before_when_the_reset_gate_is_open(T, B, d, n, seed, update):
    rng = np.random.default_rng(seed)
    theta = _gru(d, n, rng, "after")
    theta["b_hn"] = np.zeros(n)
    theta["W_xh"][:n] = 0.0
    theta["W_hh"][:n] = 0.0
    theta["b_h"][:n] = SATURATE                            # r = 1 exactly
    X = rng.normal(size=(T, B, d))
    before = sequence.forward("gru", X, theta, reset="before", update=update)
    after = sequence.forward("gru", X, theta, reset="after", update=update)
    np.testing.assert_allclose(before.H, after.H, rtol=0, atol=1e-14)


@given(T=lengths, B=dims, d=dims, n=dims, seed=seeds)
def test_reset_conventions_agree_for_diagonal_W_hn_and_differ_otherwise(T, B, d, n, seed):
    rng = np.random.default_rng(seed)
    theta = _gru(d, n, rng, "after")
    theta["b_hn"] = np.zeros(n)
    theta["W_hh"][2 * n:] = np.diag(rng.normal(size=n))
    X, h0 = rng.normal(size=(T, B, d)), rng.normal(size=(B, n))
    before = sequence.forward("gru", X, theta, h0, reset="before")
    after = sequence.forward("gru", X, theta, h0, reset="after")
    np.testing.assert_allclose(before.H, after.H, rtol=0, atol=1e-13)
    if n >= 2:  # a full W_hn: diag(r) W != W diag(r) in general
        theta["W_hh"][2 * n:] = rng.normal(size=(n, n)) + 2 * np.eye(n)
        theta["W_hh"][2 * n, 1] = 3.0
        before = sequence.forward("gru", X, theta, h0, reset="before")
        after = sequence.forward("gru", X, theta, h0, reset="after")
        assert np.max(np.abs(before.H - after.H)) > 1e-8


@given(T=st.integers(1, 30), B=dims, d=dims, n=dims, seed=seeds,
       reset=st.sampled_from(["before", "after"]), update=st.sampled_from(["old", "new"]),
       scale=st.floats(0.1, 10.0))
def test_gru_state_stays_in_the_open_unit_interval(T, B, d, n, seed, reset, update, scale):
    rng = np.random.default_rng(seed)
    theta = _gru(d, n, rng, reset)
    X = scale * rng.normal(size=(T, B, d))
    h0 = np.tanh(rng.normal(size=(B, n)))
    H = sequence.forward("gru", X, theta, h0, reset=reset, update=update).H
    assert np.all(np.abs(H) <= 1.0)


@given(T=st.integers(1, 30), B=dims, d=dims, n=dims, seed=seeds, scale=st.floats(0.1, 10.0))
def test_lstm_cell_state_grows_by_less_than_one_per_step(T, B, d, n, seed, scale):
    rng = np.random.default_rng(seed)
    params = perturb(cells.init_lstm_params(d, n, rng), rng, scale=scale)
    X = scale * rng.normal(size=(T, B, d))
    c0 = rng.normal(size=(B, n))
    C = sequence.forward("lstm", X, params, c0=c0).C
    previous = np.concatenate([c0[None], C[:-1]])
    assert np.all(np.abs(C) <= np.abs(previous) + 1.0)
