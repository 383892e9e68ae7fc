"""Stacked and bidirectional layers, and the three dropout variants: analytic gradients match
central finite differences with the masks fixed; laws that hold for every shape; bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import deep, sequence
from rnnbook.cells import init_rnn_params
from rnnbook.counting import count_arrays
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error

TOL = 1e-6
small = st.integers(1, 3)
seeds = st.integers(0, 2**16)
cells_all = st.sampled_from(["rnn", "lstm", "gru"])


def _perturbed_layers(layers, rng):
    out = []
    for layer in layers:
        if isinstance(layer, tuple):
            out.append(tuple(perturb(p, rng) for p in layer))
        else:
            out.append(perturb(layer, rng))
    return out


def _flat_params(layers):
    """{name: array} views of every parameter of a stack (for check_gradients)."""
    arrays, names = {}, []
    for l, layer in enumerate(layers):
        parts = layer if isinstance(layer, tuple) else (layer,)
        for j, p in enumerate(parts):
            for k, v in p.items():
                name = f"{l}.{j}.{k}"
                arrays[name] = v
                names.append((name, l, j, k))
    return arrays, names


def _flat_grads(grads, names):
    out = {}
    for name, l, j, k in names:
        g = grads[l]
        g = g[j] if isinstance(g, tuple) else g
        out[name] = g[k]
    return out


# ---------------------------------------------------------------------------
# gradient checks
# ---------------------------------------------------------------------------
@settings(max_examples=15)
@given(cell=cells_all, T=small, B=small, d=small, n1=small, n2=small, seed=seeds,
       bidir=st.booleans(), with_masks=st.booleans())
def test_stacked_gradients(cell, T, B, d, n1, n2, seed, bidir, with_masks):
    rng = np.random.default_rng(seed)
    layers = _perturbed_layers(deep.init_stacked_params(cell, d, [n1, n2], rng,
                                                        bidirectional=bidir), rng)
    X = rng.normal(size=(T, B, d))
    D = 2 if bidir else 1
    masks = None
    if with_masks:
        masks = [deep.dropout_mask((T, B, d), 0.3, rng), deep.dropout_mask((B, D * n1), 0.3, rng)]
    U = rng.normal(size=(T, B, D * n2))
    dlow = rng.normal(size=(T, B, D * n1))

    def loss():
        st_ = deep.stacked_forward(cell, X, layers, masks=masks)
        return float(np.sum(st_.H * U) + np.sum(st_.states[0] * dlow))

    straj = deep.stacked_forward(cell, X, layers, masks=masks)
    g = deep.stacked_backward(straj, U, dH_layers=[dlow, None])
    arrays, names = _flat_params(layers)
    errors = check_gradients(loss, arrays, _flat_grads(g.grads, names))
    errors["X"] = relative_error(g.dX, numerical_gradient(loss, X))
    assert max(errors.values()) < TOL, errors


@given(cell=cells_all, T=small, B=small, d=small, nf=small, nb=small, seed=seeds)
def test_bidirectional_gradients(cell, T, B, d, nf, nb, seed):
    rng = np.random.default_rng(seed)
    pf = perturb(deep.init_stacked_params(cell, d, [nf], rng)[0], rng)
    pb = perturb(deep.init_stacked_params(cell, d, [nb], rng)[0], rng)
    X = rng.normal(size=(T, B, d))
    h0f, h0b = rng.normal(size=(B, nf)), rng.normal(size=(B, nb))
    U = rng.normal(size=(T, B, nf + nb))

    def loss():
        return float(np.sum(deep.bidirectional_forward(cell, X, pf, pb, h0f, h0b).H * U))

    g = deep.bidirectional_backward(deep.bidirectional_forward(cell, X, pf, pb, h0f, h0b), U)
    errors = {f"f.{k}": v for k, v in check_gradients(loss, pf, g.grads_fwd).items()}
    errors |= {f"b.{k}": v for k, v in check_gradients(loss, pb, g.grads_bwd).items()}
    errors["X"] = relative_error(g.dX, numerical_gradient(loss, X))
    errors["h0f"] = relative_error(g.dh0_fwd, numerical_gradient(loss, h0f))
    errors["h0b"] = relative_error(g.dh0_bwd, numerical_gradient(loss, h0b))
    assert max(errors.values()) < TOL, errors


@given(cell=st.sampled_from(["rnn", "lstm"]), T=small, B=small, d=small, n=small, seed=seeds,
       p=st.sampled_from([0.0, 0.25, 0.5]), per_step=st.booleans())
def test_variational_gradients(cell, T, B, d, n, seed, p, per_step):
    rng = np.random.default_rng(seed)
    params = perturb(deep.init_stacked_params(cell, d, [n], rng)[0], rng)
    X, h0 = rng.normal(size=(T, B, d)), rng.normal(size=(B, n))
    m_h = deep.dropout_mask((T, B, n) if per_step else (B, n), p, rng)
    m_x = deep.dropout_mask((B, d), p, rng)
    U, u_T = rng.normal(size=(T, B, n)), rng.normal(size=(B, n))

    def loss():
        v = deep.variational_forward(cell, X, params, m_h, m_x, h0)
        return float(np.sum(v.H * U) + np.sum(v.H[-1] * u_T))

    v = deep.variational_forward(cell, X, params, m_h, m_x, h0)
    dX, dh0, dc0, grads = deep.variational_backward(v, U, dh_T=u_T)
    errors = check_gradients(loss, params, grads)
    errors["X"] = relative_error(dX, numerical_gradient(loss, X))
    errors["h0"] = relative_error(dh0, numerical_gradient(loss, h0))
    assert (dc0 is None) == (cell == "rnn")
    assert max(errors.values()) < TOL, errors


@given(cell=st.sampled_from(["rnn", "gru"]), T=small, B=small, d=small, n=small, seed=seeds,
       train=st.booleans())
def test_zoneout_gradients(cell, T, B, d, n, seed, train):
    rng = np.random.default_rng(seed)
    params = perturb(deep.init_stacked_params(cell, d, [n], rng)[0], rng)
    X, h0 = rng.normal(size=(T, B, d)), rng.normal(size=(B, n))
    D = deep.zoneout_mask((T, B, n), 0.4, rng, train=train)
    U = rng.normal(size=(T, B, n))

    def loss():
        return float(np.sum(deep.zoneout_forward(cell, X, params, D, h0).H * U))

    dX, dh0, grads = deep.zoneout_backward(deep.zoneout_forward(cell, X, params, D, h0), U)
    errors = check_gradients(loss, params, grads)
    errors["X"] = relative_error(dX, numerical_gradient(loss, X))
    errors["h0"] = relative_error(dh0, numerical_gradient(loss, h0))
    assert max(errors.values()) < TOL, errors


def test_dropout_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 2, 4))
    mask = deep.dropout_mask((2, 4), 0.5, rng)
    U = rng.normal(size=X.shape)
    num = numerical_gradient(lambda: float(np.sum(deep.dropout_forward(X, mask) * U)), X)
    assert relative_error(deep.dropout_backward(U, mask), num) < TOL


# ---------------------------------------------------------------------------
# laws that hold for every shape
# ---------------------------------------------------------------------------
@given(cell=cells_all, T=st.integers(2, 5), B=small, d=small, n=small, seed=seeds,
       t0=st.integers(0, 4))
def test_causality_unidirectional_vs_bidirectional(cell, T, B, d, n, seed, t0):
    """Changing x_{t0} never changes a unidirectional state before t0; it changes the
    bidirectional state at every t."""
    t0 = min(t0, T - 1)
    rng = np.random.default_rng(seed)
    pf, pb = (perturb(deep.init_stacked_params(cell, d, [n], rng)[0], rng) for _ in range(2))
    X = rng.normal(size=(T, B, d))
    X2 = X.copy()
    X2[t0] += 1.0
    uni = sequence.forward(cell, X, pf).H, sequence.forward(cell, X2, pf).H
    assert np.array_equal(uni[0][:t0], uni[1][:t0])
    bi = deep.bidirectional_forward(cell, X, pf, pb).H, deep.bidirectional_forward(cell, X2, pf, pb).H
    assert np.array_equal(bi[0][:t0, :, :n], bi[1][:t0, :, :n])  # forward half is causal
    diff = np.abs(bi[0] - bi[1])[:, :, n:].max(axis=(1, 2))
    assert np.all(diff[: t0 + 1] > 0)  # backward half sees the future


@given(cell=cells_all, d=st.integers(1, 50), sizes=st.lists(st.integers(1, 20), min_size=1,
       max_size=4), bidir=st.booleans())
def test_stacked_counts_match_arrays(cell, d, sizes, bidir):
    layers = deep.init_stacked_params(cell, d, sizes, 0, bidirectional=bidir)
    counted = [sum(count_arrays(p) for p in lay) if bidir else count_arrays(lay) for lay in layers]
    assert deep.count_stacked_params(cell, d, sizes, bidir) == counted


@given(T=small, B=small, d=small, n=small, seed=seeds, p=st.sampled_from([0.0, 0.3, 0.6]))
def test_variational_is_a_thinned_network(T, B, d, n, seed, p):
    """A fixed mask on h_{t-1} equals scaling the columns of W_hh, example by example."""
    rng = np.random.default_rng(seed)
    params = perturb(init_rnn_params(d, n, rng), rng)
    X = rng.normal(size=(T, B, d))
    m = deep.dropout_mask((B, n), p, rng)
    H = deep.variational_forward("rnn", X, params, m).H
    for b in range(B):
        thinned = dict(params, W_hh=params["W_hh"] * m[b])
        np.testing.assert_allclose(H[:, b], sequence.forward("rnn", X[:, b:b + 1], thinned).H[:, 0],
                                   rtol=0, atol=1e-12)


@given(T=small, B=small, d=small, n=small, seed=seeds)
def test_masks_that_do_nothing(T, B, d, n, seed):
    """Eval-mode dropout, rate-0 zoneout and bidirectional with the backward half ignored all
    reduce to the plain layer."""
    rng = np.random.default_rng(seed)
    params = perturb(init_rnn_params(d, n, rng), rng)
    X = rng.normal(size=(T, B, d))
    plain = sequence.forward("rnn", X, params).H
    ones = deep.dropout_mask((B, n), 0.5, train=False)
    np.testing.assert_array_equal(deep.variational_forward("rnn", X, params, ones).H, plain)
    D0 = deep.zoneout_mask((T, B, n), 0.0, rng)
    np.testing.assert_array_equal(deep.zoneout_forward("rnn", X, params, D0).H, plain)
    D1 = deep.zoneout_mask((T, B, n), 1.0, rng)
    np.testing.assert_array_equal(deep.zoneout_forward("rnn", X, params, D1).H, np.zeros((T, B, n)))
    bi = deep.bidirectional_forward("rnn", X, params, params).H
    np.testing.assert_array_equal(bi[:, :, :n], plain)
    np.testing.assert_allclose(bi[::-1, :, n:], sequence.forward("rnn", X[::-1], params).H)


def test_dropout_mask_statistics():
    rng = np.random.default_rng(1)
    p = 0.3
    m = deep.dropout_mask((400_000,), p, rng)
    assert set(np.unique(m)) == {0.0, 1.0 / (1.0 - p)}
    assert abs(m.mean() - 1.0) < 5e-3
    assert abs(m.var() - p / (1 - p)) < 5e-3
    z = deep.zoneout_mask((400_000,), 0.2, rng)
    assert set(np.unique(z)) == {0.0, 1.0} and abs(z.mean() - 0.2) < 5e-3
    assert np.all(deep.zoneout_mask((3, 2), 0.2, train=False) == 0.2)


def test_zoneout_one_step_expectation():
    """E_d[h_t | h_{t-1}] equals the eval-mode step: the mean over many masks converges to it."""
    rng = np.random.default_rng(2)
    d, n, N = 3, 5, 20_000
    params = perturb(init_rnn_params(d, n, rng), rng)
    x, h0 = rng.normal(size=(1, 1, d)), rng.normal(size=(1, n))
    X = np.repeat(x, N, axis=1)
    H0 = np.repeat(h0, N, axis=0)
    train = deep.zoneout_forward("rnn", X, params, deep.zoneout_mask((1, N, n), 0.3, rng), H0).H[0]
    evals = deep.zoneout_forward("rnn", x, params, deep.zoneout_mask((1, 1, n), 0.3, train=False),
                                 h0).H[0, 0]
    se = train.std(axis=0) / np.sqrt(N)
    assert np.all(np.abs(train.mean(axis=0) - evals) < 5 * se + 1e-12)


def test_stacked_layer_inputs():
    """Layer l reads layer l-1's states: running the layers one by one gives the same stack."""
    rng = np.random.default_rng(3)
    layers = deep.init_stacked_params("gru", 2, [4, 3, 5], rng)
    X = rng.normal(size=(6, 2, 2))
    st_ = deep.stacked_forward("gru", X, layers)
    H = X
    for l, p in enumerate(layers):
        H = sequence.forward("gru", H, p).H
        np.testing.assert_array_equal(st_.states[l], H)
    assert st_.H.shape == (6, 2, 5)


# ---------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------
def test_bad_inputs():
    rng = np.random.default_rng(0)
    p = init_rnn_params(2, 3, rng)
    X = rng.normal(size=(4, 2, 2))
    with pytest.raises(ValueError, match="p must lie"):
        deep.dropout_mask((2, 3), 1.0, rng)
    with pytest.raises(TypeError, match="rng"):
        deep.dropout_mask((2, 3), 0.5)
    with pytest.raises(TypeError, match="shape"):
        deep.dropout_mask([2, 3], 0.5, rng)
    with pytest.raises(ValueError, match="rate must lie"):
        deep.zoneout_mask((2, 3), 1.5, rng)
    with pytest.raises(TypeError, match="rng"):
        deep.zoneout_mask((2, 3), 0.5)
    with pytest.raises(ValueError, match="broadcast"):
        deep.dropout_forward(X, np.ones((3, 3)))
    with pytest.raises(ValueError, match="broadcast"):
        deep.dropout_backward(X, np.ones((5, 2, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        deep.dropout_forward(X, -np.ones((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        deep.bidirectional_forward("rnn", X * np.nan, p, p)
    with pytest.raises(ValueError, match="3 dimensions"):
        deep.bidirectional_forward("rnn", X[0], p, p)
    with pytest.raises(TypeError, match="BidirectionalTrajectory"):
        deep.bidirectional_backward(sequence.forward("rnn", X, p), np.zeros((4, 2, 6)))
    bt = deep.bidirectional_forward("rnn", X, p, p)
    with pytest.raises(ValueError, match="dH must have shape"):
        deep.bidirectional_backward(bt, np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match="columns"):
        deep.stacked_forward("rnn", X, [p, p])  # second layer must read 3 inputs, not 2
    with pytest.raises(TypeError, match="non-empty list"):
        deep.stacked_forward("rnn", X, [])
    with pytest.raises(TypeError, match="wrap a single"):
        deep.stacked_forward("rnn", X, (p, p))
    with pytest.raises(ValueError, match="one entry per layer"):
        deep.stacked_forward("rnn", X, [p], masks=[None, None])
    with pytest.raises(ValueError, match="cell must be one of"):
        deep.stacked_forward("transformer", X, [p])
    with pytest.raises(TypeError, match="StackedTrajectory"):
        deep.stacked_backward(bt, np.zeros((4, 2, 6)))
    st_ = deep.stacked_forward("rnn", X, [p])
    with pytest.raises(ValueError, match="dH must have shape"):
        deep.stacked_backward(st_, np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="cell must be one of"):
        deep.variational_forward("gru", X, p, np.ones((2, 3)))
    with pytest.raises(ValueError, match="one mask per sequence"):
        deep.variational_forward("rnn", X, p, np.ones((1, 3)))
    with pytest.raises(ValueError, match="a mask per step"):
        deep.variational_forward("rnn", X, p, np.ones((3, 2, 3)))
    with pytest.raises(TypeError, match="VariationalTrajectory"):
        deep.variational_backward(st_, np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match="cell must be one of"):
        deep.zoneout_forward("lstm", X, p, np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match=r"entries in \[0, 1\]"):
        deep.zoneout_forward("rnn", X, p, np.full((4, 2, 3), 2.0))
    with pytest.raises(ValueError, match="D must have shape"):
        deep.zoneout_forward("rnn", X, p, np.zeros((3, 2, 3)))
    with pytest.raises(TypeError, match="ZoneoutTrajectory"):
        deep.zoneout_backward(st_, np.zeros((4, 2, 3)))
    with pytest.raises(TypeError, match="hidden_sizes"):
        deep.init_stacked_params("rnn", 2, [], rng)
    with pytest.raises(ValueError, match=">= 1"):
        deep.count_stacked_params("lstm", 2, [4, 0])
