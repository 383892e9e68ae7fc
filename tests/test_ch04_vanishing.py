"""The numbers that chapter 4 (book/04_vanishing_gradients.ipynb) quotes, and the theorem itself.

Each test recomputes a quantity with the same package calls as the notebook.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bounds, bptt, data, optim
from rnnbook.activations import get_activation
from rnnbook.training import train
from rnnbook.widgets.gradient_bounds import LOG10_EPS32, LOG10_EPS64, bound_explorer_data, decay_table


def rnn_params(n, d, sigma_max, seed, input_scale=1.0):
    rng = np.random.default_rng(seed)
    W_hh = bounds.rescale_spectral_norm(rng.normal(size=(n, n)), sigma_max)
    W_xh = input_scale * rng.normal(size=(n, d)) / np.sqrt(d)
    return {"W_xh": W_xh, "W_hh": W_hh, "b_h": np.zeros(n)}


# ---------------------------------------------------------------------------
# the theorem
# ---------------------------------------------------------------------------
@given(n=st.integers(1, 12), T=st.integers(1, 40), d=st.integers(1, 4),
       seed=st.integers(0, 2**31 - 1), sigma=st.floats(0.05, 8.0),
       scale=st.floats(0.0, 3.0), act=st.sampled_from(["tanh", "sigmoid", "relu"]))
def test_theorem_bound_never_exceeded(n, T, d, seed, sigma, scale, act):
    params = rnn_params(n, d, sigma, seed)
    params["b_h"] = np.random.default_rng(seed + 1).normal(size=n)
    X = scale * np.random.default_rng(seed + 2).normal(size=(T, 3, d))
    logn = bounds.jacobian_norms(X, params, act)
    logb = bounds.log10_bound(get_activation(act).gamma, sigma, np.arange(1, T + 1))
    assert np.all(logn <= logb + 1e-9)


def test_bound_is_attained_by_scalar_tanh_at_zero():
    # h_t = tanh(1.5 h_{t-1}) from h_0 = 0: every derivative is 1, gradient = 1.5^9 exactly
    params = {"W_xh": np.zeros((1, 1)), "W_hh": np.array([[1.5]]), "b_h": np.zeros(1)}
    logn = bounds.jacobian_norms(np.zeros((9, 1, 1)), params, "tanh")
    assert 10 ** logn[0, -1] == pytest.approx(1.5**9)
    assert 1.5**9 == pytest.approx(38.443359375)
    h = 0.5
    for _ in range(200):
        h = np.tanh(1.5 * h)
    assert h == pytest.approx(0.8586, abs=1e-4)
    assert 1.5 * (1 - h**2) == pytest.approx(0.394, abs=1e-3)


# ---------------------------------------------------------------------------
# singular values vs eigenvalues
# ---------------------------------------------------------------------------
def test_sv_vs_eig_examples():
    W_sym = np.array([[0.5, 0.3], [0.3, 0.5]])
    W_tri = np.array([[0.5, 3.0], [0.0, 0.5]])
    assert bounds.spectral_radius(W_sym) == pytest.approx(0.8)
    assert bounds.spectral_norm(W_sym) == pytest.approx(0.8)
    assert bounds.spectral_radius(W_tri) == pytest.approx(0.5)
    assert bounds.spectral_norm(W_tri) == pytest.approx(3.0811, abs=1e-4)


def test_bound_check_table():
    T, n, d, B = 60, 16, 4, 20
    X = np.random.default_rng(1).normal(size=(T, B, d))
    k = np.arange(1, T + 1)
    gaps = []
    for act, sigma in [("tanh", 0.9), ("tanh", 1.5), ("sigmoid", 3.0), ("sigmoid", 6.0),
                       ("relu", 0.9), ("relu", 1.2)]:
        logn = bounds.jacobian_norms(X, rnn_params(n, d, sigma, seed=0), act)
        logb = bounds.log10_bound(get_activation(act).gamma, sigma, k)
        gaps.append(np.max(logn - logb))
        if sigma * get_activation(act).gamma > 1:   # growing bound, falling measured norm
            assert logb[-1] > 0 and np.median(logn[:, -1]) < -10
    assert max(gaps) == pytest.approx(-0.03, abs=0.005)
    # worst_factor: the closest case is still this factor below the bound
    assert 10.0 ** -max(gaps) == pytest.approx(1.0722, abs=1e-4)


def test_bound_check_rows_with_growing_bound():
    # the chapter lists, from the table, every row whose bound grows while the median falls
    T, n, d, B = 60, 16, 4, 20
    X = np.random.default_rng(1).normal(size=(T, B, d))
    grows = []
    for act, sigma in [("tanh", 0.9), ("tanh", 1.5), ("sigmoid", 3.0), ("sigmoid", 6.0),
                       ("relu", 0.9), ("relu", 1.2)]:
        logn = bounds.jacobian_norms(X, rnn_params(n, d, sigma, seed=0), act)
        logb = bounds.log10_bound(get_activation(act).gamma, sigma, np.arange(1, T + 1))
        if logb[-1] > 0 and np.median(logn[:, -1]) < np.median(logn[:, 0]):
            grows.append((act, sigma))
    assert grows == [("tanh", 1.5), ("sigmoid", 6.0), ("relu", 1.2)]


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("a", [2.0, 5.0, 8.0])
def test_theorem_part_2_exact_counterexample(act, a):
    # W_hh = [[0, a], [0, 0]]: W D W = 0 for every diagonal D, so the product of two or more
    # Jacobians is exactly zero although gamma * sigma_max may exceed 1
    W = np.array([[0.0, a], [0.0, 0.0]])
    assert bounds.spectral_norm(W) == pytest.approx(a)
    D = np.diag(np.random.default_rng(0).uniform(-1, 1, size=2))
    assert np.array_equal(W @ D @ W, np.zeros((2, 2)))
    p = {"W_xh": np.random.default_rng(0).normal(size=(2, 4)), "W_hh": W, "b_h": np.zeros(2)}
    X = np.random.default_rng(1).normal(size=(60, 10, 4))
    logn = bounds.jacobian_norms(X, p, act)
    assert np.all(np.isneginf(logn[:, 1:])) and not np.any(np.isnan(logn))
    if act != "relu":                      # f' > 0: one Jacobian is never zero
        assert np.all(np.isfinite(logn[:, 0]))


def test_saturation_counterexample():
    X = np.random.default_rng(2).normal(size=(80, 20, 4))
    p3 = rnn_params(16, 4, 3.0, seed=0)
    assert bounds.spectral_radius(p3["W_hh"]) == pytest.approx(1.932, abs=1e-3)
    tanh = np.median(bounds.jacobian_norms(X, p3, "tanh"), axis=0)
    tiny = np.median(bounds.jacobian_norms(1e-6 * X, p3, "tanh"), axis=0)
    lin = np.median(bounds.jacobian_norms(X, p3, "linear"), axis=0)
    assert bounds.log10_bound(1.0, 3.0, 80) == pytest.approx(38.17, abs=0.01)
    assert tanh[-1] == pytest.approx(-5.99, abs=0.01)
    assert lin[-1] == pytest.approx(22.98, abs=0.01)
    # the tiny-input curve falls and then rises again at the largest T - t
    assert tiny[39] < 0 < tiny[-1]


def test_nonnormal_transient():
    W = 0.8 * np.eye(6) + 1.5 * np.eye(6, k=1)
    assert bounds.spectral_radius(W) == pytest.approx(0.8)
    assert bounds.spectral_norm(W) > 1
    p = {"W_xh": np.zeros((6, 1)), "W_hh": W, "b_h": np.zeros(6)}
    lin = bounds.jacobian_norms(np.zeros((150, 1, 1)), p, "linear")[0]
    tanh0 = bounds.jacobian_norms(np.zeros((150, 1, 1)), p, "tanh")[0]
    np.testing.assert_allclose(lin, tanh0)        # zero state: tanh Jacobians are the linear ones
    assert lin.max() == pytest.approx(3.675, abs=1e-3)
    assert int(lin.argmax()) + 1 == 24
    assert int(np.argmax(lin < 0)) + 1 == 94
    # nn_tanh_peak: with random inputs the tanh hump shrinks to a peak of about 3.2
    p_in = dict(p, W_xh=0.3 * np.random.default_rng(3).normal(size=(6, 1)))
    X = np.random.default_rng(4).normal(size=(150, 10, 1))
    tanh_in = np.median(bounds.jacobian_norms(X, p_in, "tanh"), axis=0)
    assert 10 ** tanh_in.max() == pytest.approx(3.2, abs=0.05)
    assert tanh_in.max() < lin.max() - 3
    # Gelfand: the eventual rate is rho
    assert (lin[-1] - lin[-51]) / 50 == pytest.approx(np.log10(0.8), abs=0.02)


def test_relu_counterexample_rho_below_one_explodes():
    W = np.array([[1.5, 1.0], [-1.0, -0.9]])
    p = {"W_xh": np.array([[1.0], [0.0]]), "W_hh": W, "b_h": np.array([0.0, -5.0])}
    assert bounds.spectral_radius(W) == pytest.approx(0.9633, abs=1e-4)
    relu = bounds.jacobian_norms(np.ones((40, 1, 1)), p, "relu")[0]
    lin = bounds.jacobian_norms(np.ones((40, 1, 1)), p, "linear")[0]
    assert relu[-1] == pytest.approx(7.124, abs=1e-3)
    assert relu[-1] - relu[-2] == pytest.approx(np.log10(1.5))
    assert lin[-1] == pytest.approx(-0.392, abs=1e-3)


# ---------------------------------------------------------------------------
# decay table of the sources
# ---------------------------------------------------------------------------
def test_decay_table_entries():
    tab = decay_table(0.9, "sigmoid")
    expected = {1: 0.225, 4: 0.00256, 9: 1.48e-6, 19: 4.91e-13, 49: 1.81e-32}
    for k, value in zip(tab["k"], tab["bound"], strict=True):
        assert value == pytest.approx(expected[int(k)], rel=5e-3)
    assert tab["log10_bound"][-1] == pytest.approx(-31.743, abs=1e-3)
    assert 1e-31 / tab["bound"][-1] == pytest.approx(5.53, abs=0.01)   # source's entry: 1e-31
    assert 10**LOG10_EPS32 == pytest.approx(1.19e-7, rel=1e-2)
    assert 10**LOG10_EPS64 == pytest.approx(2.22e-16, rel=1e-2)
    assert tab["factor"] == pytest.approx(0.225)                       # dec_factor
    assert 0.5**50 == pytest.approx(8.88e-16, rel=1e-3)                  # a source's (2/4)^50
    # eps is relative spacing: 1e-6 survives an O(1) float32 sum, 1e-8 does not;
    # representability is set by the smallest normal number
    one = np.float32(1)
    assert one + np.float32(1e-6) != one and one + np.float32(1e-8) == one
    assert 1.0 + 1e-17 == 1.0
    assert np.finfo(np.float32).tiny == pytest.approx(1.18e-38, rel=1e-2)
    assert np.float32(1e-6) > np.finfo(np.float32).tiny
    assert decay_table(1.5, "tanh", [9])["bound"][0] == pytest.approx(38.443, abs=1e-3)
    assert decay_table(0.5, "tanh", [9])["bound"][0] == pytest.approx(0.00195, abs=1e-5)


def test_explorer_default_readout():
    d = bound_explorer_data(1.5, 100, 32, "tanh", seed=0)
    assert d["readout"]["log10_bound"] == pytest.approx(100 * np.log10(1.5))
    assert d["readout"]["log10_median"] == pytest.approx(-28.575, abs=0.005)
    assert d["regime"] == "may explode (necessary condition met)"


# ---------------------------------------------------------------------------
# clipping
# ---------------------------------------------------------------------------
def train_adding(clip=None, steps=1500, lr=0.3, n=16, T=10, batch=32, seed=0, max_norm=1.0,
                 max_value=0.1, diverge_at=1e6):
    """The chapter's run: rnnbook.training.train, stopped when the gradient norm exceeds 1e6."""
    rng = np.random.default_rng(seed)
    params = bptt.init_model("rnn", 2, n, 1, rng, W_hh_init="orthogonal")
    sigma_0 = bounds.spectral_norm(params["W_hh"])
    clip_fn = {None: None, "norm": max_norm,
               "value": lambda grads: optim.clip_by_value(grads, max_value)}[clip]
    hist = train(params, lambda step: data.adding_problem(T, batch, rng),
                 lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "rnn", "many_to_one", "mse"),
                 optim.SGD(lr), clip=clip_fn, steps=steps,
                 eval_fn=lambda p: bounds.spectral_norm(p["W_hh"]), eval_every=1,
                 stop_when=lambda step, loss, norm: not np.isfinite(norm) or norm > diverge_at)
    sigmas = np.r_[sigma_0, hist.eval_values][:hist.loss.size]
    if hist.stopped_at is not None:
        return hist, sigmas, None
    X_test, Y_test = data.adding_problem(T, 1000, np.random.default_rng(12345))
    return hist, sigmas, bptt.model_loss(params, X_test, Y_test, "rnn", "many_to_one", "mse")


def test_clipping_training_runs():
    hist, sigmas, test_none = train_adding(None)
    assert hist.stopped_at == 8 and test_none is None
    assert hist.loss.shape == sigmas.shape == (9,)
    assert hist.grad_norm[-1] > 1e6 >= hist.grad_norm[:-1].max()
    assert sigmas[0] == pytest.approx(1.0)                      # orthogonal start
    assert sigmas.max() == pytest.approx(2491.90, abs=0.01)      # the weights of step 8
    assert sigmas[:-1].max() == pytest.approx(42.97, abs=0.01)
    hist_norm, _, test_norm = train_adding("norm")
    hist_value, _, test_value = train_adding("value")
    assert hist_norm.stopped_at is None and hist_value.stopped_at is None
    assert hist_norm.loss.size == hist_value.loss.size == 1500
    assert test_norm == pytest.approx(0.0826, abs=5e-4) and test_norm < 1 / 6
    assert test_value == pytest.approx(0.0452, abs=5e-4) and test_value < 1 / 6


def test_clipping_cosines():
    rng = np.random.default_rng(0)
    params = bptt.init_model("rnn", 2, 16, 1, rng, W_hh_init="orthogonal")
    X, Y = data.adding_problem(10, 32, rng)
    _, g0 = bptt.loss_and_grads(params, X, Y, "rnn", "many_to_one", "mse")

    def flat(g):
        return np.concatenate([v.ravel() for v in g.values()])

    def cos(a, b):
        return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))

    expected = {1.0: 0.8383, 100.0: 0.7179}
    for scale, want in expected.items():
        g = {k: scale * v for k, v in g0.items()}
        assert cos(flat(g), flat(optim.clip_by_global_norm(g, 1.0)[0])) == pytest.approx(1.0)
        assert cos(flat(g), flat(optim.clip_by_value(g, 0.1))) == pytest.approx(want, abs=1e-4)


def train_relu_identity(T, clip=None, steps=300, lr=0.05, n=16, batch=32, seed=0):
    """The run of the solution of ex-vanishing-5 (the notebook's last, hidden cell)."""
    rng = np.random.default_rng(seed)
    params = bptt.init_model("rnn", 2, n, 1, rng, W_hh_init="identity")
    hist = train(params, lambda step: data.adding_problem(T, batch, rng),
                 lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "rnn", "many_to_one", "mse",
                                                     activation="relu"),
                 optim.SGD(lr), clip=clip, steps=steps,
                 stop_when=lambda step, loss, norm: not np.isfinite(norm) or norm > 1e6)
    if hist.stopped_at is not None:
        return hist, None
    X_test, Y_test = data.adding_problem(T, 1000, np.random.default_rng(12345))
    return hist, bptt.model_loss(params, X_test, Y_test, "rnn", "many_to_one", "mse",
                                 activation="relu")


def test_relu_identity_exercise_numbers():
    # T = 10 (the section's setup): first norm 64.7 and no divergence even unclipped
    hist, test = train_relu_identity(10)
    assert hist.grad_norm[0] == pytest.approx(64.671, abs=1e-3)
    assert hist.stopped_at is None and test == pytest.approx(0.1599, abs=5e-4)
    hist, test = train_relu_identity(10, clip=1.0)
    assert hist.stopped_at is None and test == pytest.approx(0.1241, abs=5e-4)
    # T = 50: first norm 1.5e4, the unclipped run diverges at once, the clipped one trains
    hist, test = train_relu_identity(50)
    assert hist.grad_norm[0] == pytest.approx(15221.7, abs=0.1)
    assert hist.stopped_at == 1 and test is None
    hist, test = train_relu_identity(50, clip=1.0)
    assert hist.stopped_at is None and test == pytest.approx(0.1567, abs=5e-4)


# ---------------------------------------------------------------------------
# ReLU: dead units and identity initialisation
# ---------------------------------------------------------------------------
def test_dead_units_get_zero_gradient():
    rng = np.random.default_rng(4)
    params = bptt.init_model("rnn", 2, 32, 1, rng, W_hh_init="orthogonal")
    params["b_h"] = rng.normal(-0.5, 0.5, size=32)
    X, Y = data.adding_problem(20, 64, rng)
    _, traj = bptt.predict(params, X, "rnn", "many_to_one", activation="relu")
    z = np.stack([c["z"] for c in traj.caches])
    dead = np.all(z <= 0, axis=(0, 1))
    _, grads = bptt.loss_and_grads(params, X, Y, "rnn", "many_to_one", "mse", activation="relu")
    assert dead.sum() == 12                       # quoted in the chapter
    assert np.all(grads["W_xh"][dead] == 0) and np.all(grads["W_hh"][dead] == 0)
    assert np.all(grads["b_h"][dead] == 0)
    assert np.all(np.abs(grads["b_h"][~dead]) + np.abs(grads["W_xh"][~dead]).sum(1) > 0)


def test_identity_init_relu_norm_exactly_one():
    X, _ = data.adding_problem(100, 20, np.random.default_rng(5))
    rows = {}
    for act in ("relu", "tanh"):
        for how in ("identity", "orthogonal", "xavier"):
            p = bptt.init_model("rnn", 2, 32, 1, np.random.default_rng(6), W_hh_init=how)
            rows[act, how] = np.median(bounds.jacobian_norms(X, p, act), axis=0)
    np.testing.assert_allclose(rows["relu", "identity"], 0.0, atol=1e-12)
    assert rows["relu", "orthogonal"][99] == pytest.approx(-14.167, abs=1e-3)
    assert 10 ** rows["relu", "orthogonal"][99] == pytest.approx(6.8e-15, rel=0.01)  # orth_relu_100
    assert rows["tanh", "identity"][99] == pytest.approx(-3.927, abs=1e-3)


# ---------------------------------------------------------------------------
# residual connections
# ---------------------------------------------------------------------------
def residual_product_svals(W, U, X, alpha):
    n = W.shape[0]
    h, P = np.zeros(n), np.eye(n)
    lo, hi = [], []
    for x in X:
        z = W @ h + U @ x
        A = np.eye(n) + alpha * (1.0 - np.tanh(z) ** 2)[:, None] * W
        h = h + alpha * np.tanh(z)
        P = A @ P
        s = np.linalg.svd(P, compute_uv=False)
        lo.append(np.log10(s[-1]))
        hi.append(np.log10(s[0]))
    return np.array(lo), np.array(hi)


def test_residual_cases():
    rng = np.random.default_rng(7)
    U = rng.normal(size=(16, 2)) / np.sqrt(2)
    X = rng.normal(size=(100, 2))
    W_small = bounds.rescale_spectral_norm(rng.normal(size=(16, 16)), 1.0)
    lo, hi = residual_product_svals(W_small, U, X, 0.01)
    k = np.arange(1, 101)
    assert np.all(lo >= k * np.log10(0.99) - 1e-12) and np.all(hi <= k * np.log10(1.01) + 1e-12)
    assert lo[-1] == pytest.approx(-0.227, abs=1e-3)
    lo, hi = residual_product_svals(-0.5 * np.eye(16), U, X, 1.0)
    assert lo[-1] == pytest.approx(-29.763, abs=1e-3) and hi[-1] < 0


def test_residual_psd_and_nsd_extremes():
    # psd_worst and nsd_worst: 200 random 30-step products, symmetric part PSD or NSD
    rng = np.random.default_rng(8)
    worst, worst_flip = np.inf, np.inf
    for _ in range(200):
        P, Q = np.eye(6), np.eye(6)
        for _ in range(30):
            M, K = rng.normal(size=(2, 6, 6))
            S, skew = 0.02 * (M @ M.T) / 6, 0.05 * (K - K.T)
            P = (np.eye(6) + S + skew) @ P
            Q = (np.eye(6) - S + skew) @ Q
        worst = min(worst, np.linalg.svd(P, compute_uv=False)[-1])
        worst_flip = min(worst_flip, np.linalg.svd(Q, compute_uv=False)[-1])
    assert worst == pytest.approx(1.883, abs=1e-3) and worst >= 1
    assert worst_flip == pytest.approx(0.534, abs=1e-3) and worst_flip < 1


@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 6), steps=st.integers(1, 20),
       a=st.floats(0.0, 0.5), b=st.floats(0.0, 1.0))
def test_residual_psd_symmetric_part_never_shrinks(seed, n, steps, a, b):
    rng = np.random.default_rng(seed)
    P = np.eye(n)
    for _ in range(steps):
        M, K = rng.normal(size=(2, n, n))
        J = a * M @ M.T + b * (K - K.T)
        A = np.eye(n) + J
        assert np.linalg.svd(A, compute_uv=False)[-1] >= 1 - 1e-9
        P = A @ P
    assert np.linalg.svd(P, compute_uv=False)[-1] >= 1 - 1e-8


def test_residual_weyl_and_annihilation():
    rng = np.random.default_rng(0)
    J = rng.normal(size=(5, 5))
    J *= 0.3 / np.linalg.norm(J, 2)
    s = np.linalg.svd(np.eye(5) + J, compute_uv=False)
    assert s[-1] >= 0.7 - 1e-12 and s[0] <= 1.3 + 1e-12
    J_bad = np.array([[-1.0, 0.0], [0.0, 0.5]])
    assert np.linalg.svd(np.eye(2) + J_bad, compute_uv=False)[-1] == 0.0
    # scalar: |1 + F'| >= 1 iff F' >= 0 or F' <= -2
    for fp in np.linspace(-3, 1, 41):
        assert (abs(1 + fp) >= 1 - 1e-12) == (fp >= -1e-12 or fp <= -2 + 1e-12)
