"""The numbers that chapter 3 (book/03_bptt.ipynb) quotes, recomputed with the same package calls."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from rnnbook import bptt, optim, profiling, symbolic
from rnnbook.gradcheck import check_gradients, relative_error
from rnnbook.losses import mse_loss


def bptt_from_scratch(params, X, Y, h0, carry=True):
    """The notebook's from-scratch BPTT (tanh RNN, many-to-many MSE averaged over positions).

    ``carry=False`` is a real bug: the term ``J_{t+1}^T dL/dh_{t+1}`` carried from the future is
    dropped, so each step only sees its own loss term.
    """
    W_xh, W_hh, b_h, W_hy, b_y = (params[k] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"))
    T, B, _ = X.shape
    N = T * B
    H, dY, loss = {-1: h0}, {}, 0.0
    for t in range(T):
        H[t] = np.tanh(X[t] @ W_xh.T + H[t - 1] @ W_hh.T + b_h)
        Y_hat = H[t] @ W_hy.T + b_y
        loss += np.sum((Y_hat - Y[t]) ** 2) / N
        dY[t] = 2 * (Y_hat - Y[t]) / N
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        grads["W_hy"] += dY[t].T @ H[t]
        grads["b_y"] += dY[t].sum(axis=0)
        dh = dY[t] @ W_hy + (dh_next if carry else 0.0)
        dz = (1 - H[t] ** 2) * dh
        grads["W_xh"] += dz.T @ X[t]
        grads["W_hh"] += dz.T @ H[t - 1]
        grads["b_h"] += dz.sum(axis=0)
        dh_next = dz @ W_hh
    return loss, grads


def test_scratch_bptt_matches_finite_differences_and_package():
    rng = np.random.default_rng(0)
    T, B, d, n, k = 6, 3, 2, 5, 2
    params = bptt.init_model("rnn", d, n, k, rng)
    params = {key: value + 0.3 * rng.normal(size=value.shape) for key, value in params.items()}
    X, Y, h0 = rng.normal(size=(T, B, d)), rng.normal(size=(T, B, k)), rng.normal(size=(B, n))
    loss, grads = bptt_from_scratch(params, X, Y, h0)
    err_fd = check_gradients(lambda: bptt_from_scratch(params, X, Y, h0)[0], params, grads)
    pkg_loss, pkg = bptt.loss_and_grads(params, X, Y, "rnn", h0=h0)
    assert loss == pytest.approx(pkg_loss, rel=1e-13)
    assert max(err_fd.values()) < 1e-7
    assert max(relative_error(grads[key], pkg[key]) for key in params) < 1e-13
    assert max(err_fd.values()) == pytest.approx(3.0e-10, rel=0.2)      # bptt_scratch_fd
    # a real bug (the carried term dh_next forgotten) fails the same finite-difference check
    _, bad = bptt_from_scratch(params, X, Y, h0, carry=False)
    err_bad = check_gradients(lambda: bptt_from_scratch(params, X, Y, h0)[0], params, bad)
    assert all(err_bad[key] > 0.1 for key in ("W_xh", "W_hh", "b_h"))
    assert err_bad["W_hy"] < 1e-7 and err_bad["b_y"] < 1e-7      # the read-out is not affected
    # the finite-difference error against the step: truncation (~eps^2), then rounding (~1/eps)
    fd = {eps: max(check_gradients(lambda: bptt_from_scratch(params, X, Y, h0)[0], params, grads,
                                   eps=eps).values()) for eps in (1e-4, 1e-5, 1e-6)}
    assert fd[1e-4] == pytest.approx(8.1e-9, rel=0.05)                   # bptt_fd_eps4
    assert fd[1e-5] == pytest.approx(1.0e-10, rel=0.3)                   # bptt_fd_eps5
    assert fd[1e-4] > 30 * fd[1e-5] and fd[1e-6] > fd[1e-5]


POINT = {"w": 0.9, "u": 0.5, "b": -0.1}
H0, XS, YS = 0.2, [1.0, -0.5, 0.8], [0.0, 0.0, 0.3]


def test_symbolic_three_step_example():
    sym_loss, sym = symbolic.lambdify_gradient(3)(POINT, H0, XS, YS)
    num_loss, num = symbolic.package_bptt(POINT, H0, XS, YS)
    assert sym_loss == pytest.approx(num_loss, rel=1e-13)
    assert max(abs(sym[name] - num[name]) for name in sym) < 1e-14
    assert num["w"] == pytest.approx(0.103088087216921, abs=1e-12)
    recursion = symbolic.bptt_recursion(3)
    states = symbolic.gradient_in_states(3)
    assert all(sp.expand(recursion[name] - states[name]) == 0 for name in states)


def test_confusing_partial_and_total_double_counts():
    model = symbolic.scalar_rnn(3)
    w = model.params["w"]
    subs = {w: POINT["w"], model.params["u"]: POINT["u"], model.params["b"]: POINT["b"],
            model.h0: H0, **dict(zip(model.x, XS, strict=True)),
            **dict(zip(model.y, YS, strict=True))}
    h = [model.h0, *model.states]
    dL_dh3 = 2 * (h[3] - model.y[2])
    immediate = [(1 - h[t] ** 2) * h[t - 1] for t in (1, 2, 3)]
    total = [sp.diff(h[t], w) for t in (1, 2, 3)]
    chain = [sp.Integer(1)]
    for t in (3, 2):
        chain.insert(0, chain[0] * w * (1 - h[t] ** 2))
    right = float(sum(dL_dh3 * chain[t] * immediate[t] for t in range(3)).subs(subs))
    wrong = float(sum(dL_dh3 * chain[t] * total[t] for t in range(3)).subs(subs))
    assert right == pytest.approx(symbolic.package_bptt(POINT, H0, XS, YS)[1]["w"], rel=1e-12)
    assert wrong / right == pytest.approx(1.995, abs=5e-4)


def test_expression_swell_table():
    for T in range(1, 7):
        factored = symbolic.gradient_in_states(T)["w"]
        assert sp.count_ops(factored) == 5 * T + 1
    nested = [sp.count_ops(symbolic.scalar_rnn_gradient(T)["w"]) for T in range(1, 7)]
    assert nested == [16, 41, 76, 121, 176, 241]
    assert sp.count_ops(sp.expand(symbolic.gradient_in_states(6)["w"])) == 2464


def cue_gradient(j, window, T=20, n=16, B=32, seed=1):
    rng = np.random.default_rng(seed)
    params = bptt.init_model("rnn", 2, n, 1, rng)
    X = np.zeros((T, B, 2))
    X[:, :, 1] = rng.normal(size=(T, B))
    X[j - 1, :, 0] = rng.choice([-1.0, 1.0], size=B)
    Y = rng.normal(size=(B, 1))
    _, grads = bptt.truncated_bptt(params, X, Y, window, task="many_to_one")
    return np.linalg.norm(grads["W_xh"][:, 0])


def test_cue_gradient_is_exactly_zero_outside_the_window():
    full = np.array([cue_gradient(j, None) for j in range(1, 21)])
    trunc = np.array([cue_gradient(j, 5) for j in range(1, 21)])
    assert np.all(trunc[:15] == 0.0)
    assert full[:15].min() == pytest.approx(0.0240498, abs=1e-7)          # bptt_cue_full_min
    assert full.max() / full.min() < 100 and np.any(np.diff(full) < 0)   # the alt text's "not at every step"
    np.testing.assert_allclose(trunc[15:], full[15:], rtol=1e-12)


def cue_batch(rng, T, B):
    X = np.zeros((T, B, 2))
    X[0, :, 0] = rng.choice([-1.0, 1.0], size=B)
    X[:, :, 1] = rng.normal(size=(T, B))
    return X, X[0, :, :1].copy()


def train_cue(window, T=8, n=16, B=64, steps=200, lr=0.01, seed=0, zero_cue=True):
    rng = np.random.default_rng(seed)
    params = bptt.init_model("rnn", 2, n, 1, rng)
    if zero_cue:
        params["W_xh"][:, 0] = 0.0
    adam = optim.Adam(lr=lr)
    losses, cue_grad = [], 0.0
    for _ in range(steps):
        X, Y = cue_batch(rng, T, B)
        loss, grads = bptt.truncated_bptt(params, X, Y, window, task="many_to_one")
        losses.append(loss)
        cue_grad = max(cue_grad, float(np.abs(grads["W_xh"][:, 0]).max()))
        adam.step(params, grads)
    X_test, Y_test = cue_batch(np.random.default_rng(123), T, 2000)
    return np.array(losses), bptt.model_loss(params, X_test, Y_test, task="many_to_one"), cue_grad


def test_cue_task_full_learns_truncated_cannot():
    _, full_test, full_grad = train_cue(None)
    _, trunc_test, trunc_grad = train_cue(3)
    assert full_test == pytest.approx(2.21e-4, rel=0.05)                  # bptt_cue_test_full
    assert full_grad > 0.1
    assert trunc_grad == 0.0
    assert trunc_test == pytest.approx(1.0478, abs=1e-3)                  # bptt_cue_test_trunc
    assert trunc_test > 0.95  # the cue has variance 1: no better than predicting zero


def test_cue_task_without_zero_start_truncated_exploits_initial_memory():
    """Exercise 7: the cue weights still get no gradient, but the loss falls below 1."""
    _, trunc_test, trunc_grad = train_cue(3, zero_cue=False)
    assert trunc_grad == 0.0
    assert trunc_test < 0.5


def test_cost_table_ratios():
    costs = profiling.scaling_table([25, 50, 100, 200, 400], [None, 25], "rnn", B=8, d=4, n=16,
                                    rng=0, repeats=1)
    full = {c.T: c for c in costs if c.k is None}
    trunc = {c.T: c for c in costs if c.k == 25}
    assert full[400].cache_bytes / full[25].cache_bytes == 16
    assert trunc[400].cache_bytes / trunc[25].cache_bytes == 1
    assert full[400].peak_bytes / full[25].peak_bytes > 12
    assert trunc[400].peak_bytes / trunc[25].peak_bytes < 2


def test_loss_conventions():
    rng = np.random.default_rng(4)
    T, B, d, n = 5, 3, 2, 4
    p_mse = bptt.init_model("rnn", d, n, 2, rng)
    X = rng.normal(size=(T, B, d))
    Y = rng.normal(size=(T, B, 2))
    out, _ = bptt.predict(p_mse, X, "rnn", "many_to_many")
    mean_loss, mean_grad = mse_loss(out, Y, reduction="mean")
    sum_loss, sum_grad = mse_loss(out, Y, reduction="sum")
    assert sum_loss / mean_loss == pytest.approx(T * B)
    np.testing.assert_allclose(sum_grad, T * B * mean_grad)
    lengths = np.array([5, 3, 2])
    mask = (np.arange(T)[:, None] < lengths[None, :]).astype(float)
    Y_pad = np.where(mask[..., None] > 0, Y, 0.0)
    masked_loss, masked = bptt.loss_and_grads(p_mse, X, Y_pad, "rnn", mask=mask)
    ref_loss, ref = 0.0, {key: np.zeros_like(v) for key, v in p_mse.items()}
    for b, length in enumerate(lengths):
        part, g = bptt.loss_and_grads(p_mse, X[:length, b:b + 1], Y[:length, b:b + 1], "rnn")
        ref_loss += part * length / lengths.sum()
        for key in g:
            ref[key] += g[key] * length / lengths.sum()
    assert masked_loss == pytest.approx(ref_loss, rel=1e-13)
    assert max(relative_error(masked[key], ref[key]) for key in p_mse) < 1e-12


def test_exercise_two_chain_rule():
    w_h, w_x, xs = 0.7, 0.4, [1.0, -0.5, 0.8]
    h = [0.0]
    for x in xs:
        h.append(np.tanh(w_h * h[-1] + w_x * x))
    chain = w_h * (1 - h[3] ** 2) * w_h * (1 - h[2] ** 2)
    assert [round(v, 4) for v in h[1:]] == [0.3799, 0.0659, 0.3506]
    assert chain == pytest.approx(0.427910, abs=5e-7)


def test_exercise_four_zero_readout():
    rng = np.random.default_rng(6)
    p0 = bptt.init_model("rnn", 1, 2, 1, rng)
    p0["W_hy"][:] = 0.0
    X0, Y0 = rng.normal(size=(5, 4, 1)), rng.normal(size=(5, 4, 1))
    _, g0 = bptt.loss_and_grads(p0, X0, Y0)
    assert all(np.all(g0[key] == 0.0) for key in ("W_xh", "W_hh", "b_h"))
    assert np.abs(g0["W_hy"]).max() > 0
    optim.SGD(lr=0.1).step(p0, g0)
    _, g1 = bptt.loss_and_grads(p0, X0, Y0)
    assert all(np.abs(g1[key]).max() > 0 for key in ("W_xh", "W_hh", "b_h"))


def test_exercise_three_truncation_error_shrinks_with_k():
    rng = np.random.default_rng(5)
    params = bptt.init_model("rnn", 3, 16, 1, rng)
    X, Y = rng.normal(size=(100, 4, 3)), rng.normal(size=(100, 4, 1))
    _, full = bptt.loss_and_grads(params, X, Y)
    errs = []
    for window in (5, 10, 20):
        _, tr = bptt.truncated_bptt(params, X, Y, window)
        errs.append(np.linalg.norm(tr["W_hh"] - full["W_hh"]) / np.linalg.norm(full["W_hh"]))
    assert errs[0] > errs[1] > errs[2] > 0


def test_exercise_six_pair_counts():
    T = 12
    full = {(s, t) for s in range(1, T + 1) for t in range(1, s + 1)}
    chunked = {(s, t) for (s, t) in full if (s - 1) // 4 == (t - 1) // 4}
    k1, k2 = 2, 4
    wp = {(s, t) for (s, t) in full if t >= ((s - 1) // k1 + 1) * k1 - k2 + 1}
    assert (len(full), len(chunked), len(wp)) == (78, 30, 38)

    def shortest(pairs):
        return min(sum(1 for (s2, _) in pairs if s2 == s) for s in range(k2 + 1, T + 1))

    assert (shortest(chunked), shortest(wp)) == (1, k2 - k1 + 1)


def test_exercise_eight_padding_position():
    rng = np.random.default_rng(8)
    p8 = bptt.init_model("rnn", 2, 4, 1, rng)
    x = rng.normal(size=(3, 1, 2))
    y_true, _ = bptt.predict(p8, x, "rnn", "many_to_one")
    y_end, _ = bptt.predict(p8, np.concatenate([x, np.zeros((2, 1, 2))]), "rnn", "many_to_one")
    y_front, _ = bptt.predict(p8, np.concatenate([np.zeros((2, 1, 2)), x]), "rnn", "many_to_one")
    assert abs(y_end[0, 0] - y_true[0, 0]) > 0.05
    assert y_front[0, 0] == y_true[0, 0]
