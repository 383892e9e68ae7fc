"""rnnbook.bptt.truncated_bptt: equal to full BPTT when k >= T, and to hand-derived
references when k < T (scalar linear RNN, T = 3), plus a chunk-by-chunk reference."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bptt

CELLS = [("rnn", {"activation": "tanh"}), ("lstm", {}), ("gru", {"reset": "after"})]


def _init(cell, d, n, k, rng):
    init = {"reset": "after"} if cell == "gru" else {}
    return perturb(bptt.init_model(cell, d, n, k, rng, **init), rng)


@pytest.mark.parametrize(("cell", "options"), CELLS)
@pytest.mark.parametrize("task", ["many_to_many", "many_to_one"])
@given(T=st.integers(1, 6), extra=st.integers(0, 4), seed=st.integers(0, 2**16))
def test_window_at_least_T_equals_full_bptt(cell, options, task, T, extra, seed):
    rng = np.random.default_rng(seed)
    B, d, n, k = 2, 2, 3, 2
    params = _init(cell, d, n, k, rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, k) if task == "many_to_many" else (B, k))
    full_loss, full = bptt.loss_and_grads(params, X, Y, cell, task, **options)
    loss, trunc = bptt.truncated_bptt(params, X, Y, T + extra, cell, task, **options)
    assert loss == full_loss
    for key in params:
        np.testing.assert_allclose(trunc[key], full[key], rtol=0, atol=1e-13)


def _scalar_linear(w, u, b, v, c):
    return {"W_xh": np.array([[u]]), "W_hh": np.array([[w]]), "b_h": np.array([b]),
            "W_hy": np.array([[v]]), "b_y": np.array([c])}


# A scalar linear RNN h_t = w h_{t-1} + u x_t + b, yhat_t = v h_t + c, T = 3.
W, U, BIAS, V, C = 0.8, -1.3, 0.2, 1.5, -0.1
H0, XS, YS = 0.6, (0.5, -1.0, 2.0), (0.3, 0.1, -0.4)


def _states():
    h = [H0]
    for x in XS:
        h.append(W * h[-1] + U * x + BIAS)
    return h  # h[0] = h_0, ..., h[3] = h_3


def test_window_two_many_to_many_equals_hand_derivation():
    r"""L = (1/3) sum_t (yhat_t - y_t)^2; chunks {1, 2} and {3}.

    With e_t = 2 (yhat_t - y_t) / 3 and g_t = v e_t = dL/dh_t (immediate):
    chunk 1: dL/dh_2 = g_2, dL/dh_1 = g_1 + w g_2;  chunk 2: dL/dh_3 = g_3 (stops at h_2).
    dL/dw = (g_1 + w g_2) h_0 + g_2 h_1 + g_3 h_2,  dL/du = (g_1 + w g_2) x_1 + g_2 x_2 + g_3 x_3,
    dL/db = (g_1 + w g_2) + g_2 + g_3;  dL/dv = sum_t e_t h_t, dL/dc = sum_t e_t (not truncated).
    Full BPTT would add w^2 g_3 h_0 + w g_3 h_1 to dL/dw.
    """
    h = _states()
    e = [2 * (V * h[t] + C - YS[t - 1]) / 3 for t in (1, 2, 3)]
    g1, g2, g3 = (V * et for et in e)
    d1, d2, d3 = g1 + W * g2, g2, g3
    params = _scalar_linear(W, U, BIAS, V, C)
    X = np.array(XS).reshape(3, 1, 1)
    Y = np.array(YS).reshape(3, 1, 1)
    loss, grads = bptt.truncated_bptt(params, X, Y, 2, "rnn", h0=np.array([[H0]]),
                                      activation="linear")
    assert loss == pytest.approx(sum((V * h[t] + C - YS[t - 1]) ** 2 for t in (1, 2, 3)) / 3)
    assert grads["W_hh"][0, 0] == pytest.approx(d1 * h[0] + d2 * h[1] + d3 * h[2], rel=1e-13)
    assert grads["W_xh"][0, 0] == pytest.approx(d1 * XS[0] + d2 * XS[1] + d3 * XS[2], rel=1e-13)
    assert grads["b_h"][0] == pytest.approx(d1 + d2 + d3, rel=1e-13)
    assert grads["W_hy"][0, 0] == pytest.approx(sum(e[t - 1] * h[t] for t in (1, 2, 3)), rel=1e-13)
    assert grads["b_y"][0] == pytest.approx(sum(e), rel=1e-13)
    # The hand formula for full BPTT differs, so the test above can tell the two apart.
    _, full = bptt.loss_and_grads(params, X, Y, "rnn", h0=np.array([[H0]]), activation="linear")
    missing = W**2 * g3 * h[0] + W * g3 * h[1]
    assert abs(missing) > 0.1
    assert full["W_hh"][0, 0] == pytest.approx(grads["W_hh"][0, 0] + missing, rel=1e-13)


def test_window_one_many_to_one_keeps_only_the_last_step():
    r"""L = (yhat_3 - y_3)^2 with k = 1: only the last chunk {3} has a loss, and its gradient
    does not reach h_2. dL/dw = g h_2, dL/du = g x_3, dL/db = g with g = 2 v (yhat_3 - y_3)."""
    h = _states()
    err = V * h[3] + C - YS[2]
    g = 2 * V * err
    params = _scalar_linear(W, U, BIAS, V, C)
    X = np.array(XS).reshape(3, 1, 1)
    loss, grads = bptt.truncated_bptt(params, X, np.array([[YS[2]]]), 1, "rnn",
                                      task="many_to_one", h0=np.array([[H0]]),
                                      activation="linear")
    assert loss == pytest.approx(err**2)
    assert grads["W_hh"][0, 0] == pytest.approx(g * h[2], rel=1e-13)
    assert grads["W_xh"][0, 0] == pytest.approx(g * XS[2], rel=1e-13)
    assert grads["b_h"][0] == pytest.approx(g, rel=1e-13)
    assert grads["W_hy"][0, 0] == pytest.approx(2 * err * h[3], rel=1e-13)


@pytest.mark.parametrize(("cell", "options"), CELLS)
@given(T=st.integers(2, 7), k=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_truncated_equals_chunkwise_full_bptt(cell, options, T, k, seed):
    """Reference: full BPTT on each chunk alone, started from the carried state, re-weighted
    from a per-chunk mean to the whole-sequence mean."""
    rng = np.random.default_rng(seed)
    B, d, n, K = 2, 2, 3, 1
    params = _init(cell, d, n, K, rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, K))
    loss, grads = bptt.truncated_bptt(params, X, Y, k, cell, **options)
    ref = {key: np.zeros_like(value) for key, value in params.items()}
    ref_loss, h, c = 0.0, None, None
    for start in range(0, T, k):
        stop = min(start + k, T)
        weight = (stop - start) / T
        part, g = bptt.loss_and_grads(params, X[start:stop], Y[start:stop], cell,
                                      h0=h, c0=c, **options)
        ref_loss += weight * part
        for key in ref:
            ref[key] += weight * g[key]
        _, traj = bptt.predict(params, X[start:stop], cell, h0=h, c0=c, **options)
        h, c = traj.h_T, traj.c_T
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for key in params:
        np.testing.assert_allclose(grads[key], ref[key], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_truncation_changes_only_the_gradient_not_the_loss(k):
    rng = np.random.default_rng(11)
    params = _init("rnn", 2, 4, 1, rng)
    X = rng.normal(size=(8, 3, 2))
    Y = rng.normal(size=(8, 3, 1))
    full_loss, full = bptt.loss_and_grads(params, X, Y)
    loss, trunc = bptt.truncated_bptt(params, X, Y, k)
    assert loss == pytest.approx(full_loss, rel=1e-14)
    # With k < T the recurrent gradient really differs (paths across chunk borders are dropped).
    assert np.max(np.abs(trunc["W_hh"] - full["W_hh"])) > 1e-6
    # The read-out gradient does not depend on the recurrence and is never truncated.
    np.testing.assert_allclose(trunc["W_hy"], full["W_hy"], rtol=1e-12, atol=1e-15)


def test_masked_truncated_matches_masked_reference():
    """With a mask, each chunk's loss is normalised by the number of kept positions overall."""
    rng = np.random.default_rng(3)
    params = _init("rnn", 1, 3, 1, rng)
    X = rng.normal(size=(6, 2, 1))
    Y = rng.normal(size=(6, 2, 1))
    mask = np.ones((6, 2))
    mask[4:, 1] = 0.0
    full_loss, _ = bptt.loss_and_grads(params, X, Y, mask=mask)
    loss, _ = bptt.truncated_bptt(params, X, Y, 4, mask=mask)
    assert loss == pytest.approx(full_loss, rel=1e-14)
    assert loss == pytest.approx(bptt.model_loss(params, X, Y, mask=mask), rel=1e-14)


def test_truncated_bad_input():
    params = bptt.init_model("rnn", 1, 2, 1, 0)
    X = np.zeros((4, 1, 1))
    Y = np.zeros((4, 1, 1))
    with pytest.raises(ValueError, match="k must be >= 1"):
        bptt.truncated_bptt(params, X, Y, 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        bptt.truncated_bptt(params, X, Y, 2.5)
    with pytest.raises(ValueError, match="X contains NaN"):
        bptt.truncated_bptt(params, np.full((4, 1, 1), np.nan), Y, 2)
