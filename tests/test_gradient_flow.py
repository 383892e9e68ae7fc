"""rnnbook.gradient_flow: Jacobian norms by backpropagating unit vectors.

The norms are checked against explicit products of one-step Jacobians, against
rnnbook.bounds.jacobian_norms, against closed forms where they exist (linear cells,
W_hh = 0), and the one-step Jacobians against central finite differences of the forward pass.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bounds, cells, sequence
from rnnbook.gradient_flow import (
    BLOCKS,
    FlowCurves,
    compare_cells,
    forget_path_log10_norms,
    jacobian_log10_norms,
    state_jacobians,
    step_jacobian,
)

dims = st.integers(1, 4)
seeds = st.integers(0, 2**16)
GRU_OPTIONS = [{"reset": r, "update": u} for r in ("before", "after") for u in ("old", "new")]


def _params(cell, d, n, rng, **kw):
    if cell == "rnn":
        return perturb(cells.init_rnn_params(d, n, rng), rng)
    if cell == "lstm":
        return perturb(cells.init_lstm_params(d, n, rng, peephole=kw.get("peephole", False)),
                       rng)
    return perturb(cells.init_gru_params(d, n, rng, reset=kw.get("reset", "before")), rng)


def _step_state(cell, x, h, c, params, options):
    """The state after one step, flattened to (B, S) with S = n or 2n (LSTM: [h, c])."""
    if cell == "lstm":
        h_new, c_new, _ = cells.lstm_step_forward(x, h, c, params)
        return np.concatenate([h_new, c_new], axis=1)
    if cell == "rnn":
        return cells.rnn_step_forward(x, h, params, **options)[0]
    return cells.gru_step_forward(x, h, params, **options)[0]


def _fd_step_jacobian(cell, x, h, c, params, options, eps=1e-6):
    """Central-difference Jacobian of one step, (B, S, S), state ordered [h, c]."""
    B, n = h.shape
    S = 2 * n if cell == "lstm" else n
    J = np.empty((B, S, S))
    for j in range(S):
        dh, dc = np.zeros_like(h), np.zeros_like(h)
        (dh if j < n else dc)[:, j % n] = eps
        plus = _step_state(cell, x, h + dh, None if c is None else c + dc, params, options)
        minus = _step_state(cell, x, h - dh, None if c is None else c - dc, params, options)
        J[:, :, j] = (plus - minus) / (2 * eps)
    return J


@pytest.mark.parametrize("cell,options", [("rnn", {"activation": "tanh"}),
                                          ("rnn", {"activation": "sigmoid"}),
                                          ("lstm", {}), ("lstm", {"peephole": True})]
                         + [("gru", o) for o in GRU_OPTIONS])
@given(B=dims, d=dims, n=dims, seed=seeds)
def test_step_jacobian_matches_finite_differences(cell, options, B, d, n, seed):
    rng = np.random.default_rng(seed)
    params = _params(cell, d, n, rng, **options)
    run = {k: v for k, v in options.items() if k != "peephole"}
    x, h = rng.normal(size=(B, d)), rng.normal(size=(B, n))
    c = rng.normal(size=(B, n)) if cell == "lstm" else None
    J = step_jacobian(cell, x, h, params, c_prev=c, **run)
    J_fd = _fd_step_jacobian(cell, x, h, c, params, run)
    scale = np.max(np.abs(J)) + np.max(np.abs(J_fd))
    assert np.max(np.abs(J - J_fd)) / scale < 1e-6


@given(B=dims, d=dims, n=dims, seed=seeds)
def test_lstm_cell_block_is_diag_forget_gate_without_peepholes(B, d, n, seed):
    rng = np.random.default_rng(seed)
    params = _params("lstm", d, n, rng)
    x, h, c = rng.normal(size=(B, d)), rng.normal(size=(B, n)), rng.normal(size=(B, n))
    J = step_jacobian("lstm", x, h, params, c_prev=c)
    _, _, cache = cells.lstm_step_forward(x, h, c, params)
    expected = np.stack([np.diag(f) for f in cache["f"]])
    np.testing.assert_allclose(J[:, n:, n:], expected, rtol=0, atol=1e-15)
    # ... and with non-zero peepholes the block differs from diag(f)
    peep = _params("lstm", d, n, rng, peephole=True)
    peep["p_f"] = np.full(n, 0.5)
    Jp = step_jacobian("lstm", x, h, peep, c_prev=c)
    _, _, cache_p = cells.lstm_step_forward(x, h, c, peep)
    assert np.max(np.abs(Jp[:, n:, n:] - np.stack([np.diag(f) for f in cache_p["f"]]))) > 1e-6


@given(B=dims, d=dims, n=dims, seed=seeds,
       activation=st.sampled_from(["tanh", "sigmoid", "relu", "linear"]))
def test_rnn_block_equals_bounds_jacobian_norms(B, d, n, seed, activation):
    rng = np.random.default_rng(seed)
    params = _params("rnn", d, n, rng)
    X = rng.normal(size=(7, B, d))
    ours = jacobian_log10_norms("rnn", X, params, activation=activation)["h"]
    theirs = bounds.jacobian_norms(X, params, activation)
    finite = np.isfinite(theirs)
    assert np.array_equal(finite, np.isfinite(ours))
    np.testing.assert_allclose(ours[finite], theirs[finite], atol=1e-9)


@pytest.mark.parametrize("cell,options", [("lstm", {}), ("lstm", {"peephole": True})]
                         + [("gru", o) for o in GRU_OPTIONS])
@given(B=dims, d=dims, n=dims, seed=seeds, T=st.integers(1, 6))
def test_blocks_equal_explicit_products(cell, options, B, d, n, seed, T):
    rng = np.random.default_rng(seed)
    params = _params(cell, d, n, rng, **options)
    run = {k: v for k, v in options.items() if k != "peephole"}
    X = rng.normal(size=(T, B, d))
    h0 = rng.normal(size=(B, n))
    c0 = rng.normal(size=(B, n)) if cell == "lstm" else None
    blocks = BLOCKS[cell]
    out = jacobian_log10_norms(cell, X, params, h0, c0, blocks=blocks, **run)
    J = state_jacobians(cell, X, params, h0, c0, **run)
    S = J.shape[-1]
    P = np.broadcast_to(np.eye(S), (B, S, S)).copy()
    where = {"h": (slice(0, n), slice(0, n)), "c": (slice(n, 2 * n), slice(n, 2 * n)),
             "state": (slice(0, S), slice(0, S))}
    for k in range(1, T + 1):
        P = P @ J[T - k]
        for block in blocks:
            rows, cols = where[block]
            expected = np.log10(np.linalg.norm(P[:, rows, cols], 2, axis=(1, 2)))
            np.testing.assert_allclose(out[block][:, k - 1], expected, atol=1e-9)


def test_linear_cell_norms_are_exact_far_beyond_float_range():
    """h_t = a h_{t-1} + W x: ||dh_T/dh_{T-k}|| = a**k, here 1e-800 and 1e+400."""
    T, n = 400, 3
    X = np.zeros((T, 2, 1))  # the state stays 0 (finite); the Jacobian is a * I at every step
    for a, slope in ((0.01, -2.0), (10.0, 1.0)):
        params = {"W_xh": np.ones((n, 1)), "W_hh": a * np.eye(n), "b_h": np.zeros(n)}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = jacobian_log10_norms("rnn", X, params, activation="linear")["h"]
        np.testing.assert_allclose(out, np.tile(slope * np.arange(1, T + 1), (2, 1)),
                                   atol=1e-9)


def test_exactly_zero_jacobian_gives_minus_inf_without_warnings():
    n = 3
    params = {"W_xh": np.zeros((n, 1)), "W_hh": np.eye(n), "b_h": -np.ones(n)}
    X = np.ones((5, 2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = jacobian_log10_norms("rnn", X, params, activation="relu")["h"]
    assert np.all(out == -np.inf)


@given(B=dims, d=dims, n=dims, seed=seeds, T=st.integers(1, 8))
def test_lstm_without_recurrent_weights_has_only_the_direct_path(B, d, n, seed, T):
    """With W_hh = 0 no gate sees h_{t-1}: dc_T/dc_t is exactly prod diag(f)."""
    rng = np.random.default_rng(seed)
    params = _params("lstm", d, n, rng)
    params["W_hh"] = np.zeros_like(params["W_hh"])
    X = rng.normal(size=(T, B, d))
    c_block = jacobian_log10_norms("lstm", X, params, blocks="c")["c"]
    direct = forget_path_log10_norms(sequence.forward("lstm", X, params))
    np.testing.assert_allclose(c_block, direct, atol=1e-9)


def test_indirect_paths_change_the_cell_block():
    """With recurrent weights the full dc_T/dc_t is not the direct path (the book's claim)."""
    rng = np.random.default_rng(1)
    params = cells.init_lstm_params(4, 8, rng)
    X = rng.normal(size=(30, 3, 4))
    c_block = jacobian_log10_norms("lstm", X, params, blocks="c")["c"]
    direct = forget_path_log10_norms(sequence.forward("lstm", X, params))
    assert np.max(np.abs(c_block - direct)) > 0.5


def test_compare_cells_curves():
    curves = compare_cells(T=40, n=8, d=3, forget_bias=1.0, n_sequences=3, rng=0)
    assert isinstance(curves, FlowCurves)
    for name in ("rnn", "lstm_h", "lstm_c", "lstm_forget", "gru"):
        values = getattr(curves, name)
        assert values.shape == (40,) and np.all(np.isfinite(values))
    np.testing.assert_array_equal(curves.k, np.arange(1, 41))
    again = compare_cells(T=40, n=8, d=3, forget_bias=1.0, n_sequences=3, rng=0)
    np.testing.assert_array_equal(curves.lstm_c, again.lstm_c)
    # the RNN has no gate: the forget bias does not move it; it does move the gated cells
    other = compare_cells(T=40, n=8, d=3, forget_bias=3.0, n_sequences=3, rng=0)
    np.testing.assert_array_equal(curves.rnn, other.rnn)
    assert other.lstm_c[-1] > curves.lstm_c[-1] + 1.0
    assert other.lstm_forget[-1] > curves.lstm_forget[-1] + 1.0
    assert other.gru[-1] > curves.gru[-1]


def test_bad_inputs():
    rng = np.random.default_rng(0)
    p = cells.init_rnn_params(2, 3, rng)
    pl = cells.init_lstm_params(2, 3, rng)
    X = rng.normal(size=(4, 2, 2))
    with pytest.raises(ValueError, match="cell"):
        jacobian_log10_norms("cnn", X, p)
    with pytest.raises(ValueError, match="block"):
        jacobian_log10_norms("rnn", X, p, blocks="c")
    with pytest.raises(TypeError, match="blocks"):
        jacobian_log10_norms("rnn", X, p, blocks=())
    with pytest.raises(ValueError, match="dimensions"):
        jacobian_log10_norms("rnn", X[0], p)
    with pytest.raises(ValueError, match="at least one"):
        jacobian_log10_norms("rnn", X[:0], p)
    with pytest.raises(ValueError, match="NaN"):
        jacobian_log10_norms("rnn", np.full_like(X, np.nan), p)
    with pytest.raises(ValueError, match="h0"):
        jacobian_log10_norms("rnn", X, p, h0=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="lstm"):
        forget_path_log10_norms(sequence.forward("rnn", X, p))
    with pytest.raises(ValueError, match="c0"):
        state_jacobians("rnn", X, p, c0=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="at least one"):
        state_jacobians("lstm", X[:0], pl)
    with pytest.raises(ValueError, match="dimensions"):
        step_jacobian("lstm", X, np.zeros((2, 3)), pl)
    with pytest.raises(ValueError, match="forget_bias"):
        compare_cells(T=5, forget_bias=np.inf)
    with pytest.raises(TypeError, match="forget_bias"):
        compare_cells(T=5, forget_bias="1")
    with pytest.raises(ValueError, match="n_sequences"):
        compare_cells(T=5, n_sequences=0)
    with pytest.raises(ValueError, match="input_scale"):
        compare_cells(T=5, input_scale=-1.0)


def test_zero_input_claims_of_the_lstm_exercise():
    """Exercise ex-lstm-5: with zero input the RNN curve is flat at 0 (orthogonal W_hh) and the
    LSTM's direct path is exactly k log10 sigma(b_f)."""
    from rnnbook.activations import sigmoid

    curves = compare_cells(T=30, n=64, d=4, forget_bias=1.0, n_sequences=2, rng=0,
                           input_scale=0.0)
    np.testing.assert_allclose(curves.rnn, 0.0, atol=1e-12)
    np.testing.assert_allclose(curves.lstm_forget, curves.k * np.log10(sigmoid(1.0)), atol=1e-12)


def test_compare_cells_rnn_cache_gives_the_uncached_curves():
    cache: dict = {}
    a = compare_cells(T=30, n=5, d=3, forget_bias=1.0, n_sequences=2, rng=7, rnn_cache=cache)
    assert len(cache) == 1
    b = compare_cells(T=30, n=5, d=3, forget_bias=-1.0, n_sequences=2, rng=7,
                      rnn_cache=cache)                                           # cached RNN
    c = compare_cells(T=30, n=5, d=3, forget_bias=-1.0, n_sequences=2,
                      rng=np.random.default_rng(7), rnn_cache=cache)             # never cached
    np.testing.assert_array_equal(a.rnn, b.rnn)
    np.testing.assert_array_equal(b.rnn, c.rnn)
    np.testing.assert_array_equal(b.gru, c.gru)
    assert not np.array_equal(a.gru, b.gru)
    # every argument the RNN depends on is part of the key
    d = compare_cells(T=30, n=5, d=3, forget_bias=1.0, n_sequences=2, rng=7, input_scale=0.5,
                      rnn_cache=cache)
    assert len(cache) == 2 and not np.array_equal(a.rnn, d.rnn)
    # without a cache nothing is kept anywhere: the same call computes the same curves
    e = compare_cells(T=30, n=5, d=3, forget_bias=1.0, n_sequences=2, rng=7)
    np.testing.assert_array_equal(a.rnn, e.rnn)


@pytest.mark.parametrize("cell, options, extra", [
    ("rnn", {"activation": "tanh"}, {}), ("rnn", {"activation": "relu"}, {}),
    ("lstm", {}, {}), ("lstm", {}, {"peephole": True}),
    ("gru", {"reset": "before", "update": "old"}, {}), ("gru", {"reset": "before", "update": "new"}, {}),
    ("gru", {"reset": "after", "update": "old"}, {}), ("gru", {"reset": "after", "update": "new"}, {}),
])
def test_closed_form_step_jacobians_match_backpropagated_ones(cell, options, extra):
    # the fast path (closed form from the forward caches) against unit vectors backpropagated
    # through the cells' own backward functions
    from rnnbook.gradient_flow import _step_jacobians, state_jacobians
    rng = np.random.default_rng(11)
    d, n, T, B = 3, 4, 7, 2
    init = {"rnn": cells.init_rnn_params, "lstm": cells.init_lstm_params,
            "gru": cells.init_gru_params}[cell]
    kwargs = dict(extra)
    if cell == "gru":
        kwargs["reset"] = options["reset"]
    params = init(d, n, rng, **kwargs)
    for key in params:
        params[key] = rng.normal(size=params[key].shape)     # every entry non-zero, peepholes too
    X = rng.normal(size=(T, B, d))
    h0 = rng.normal(size=(B, n))
    c0 = rng.normal(size=(B, n)) if cell == "lstm" else None
    fast = _step_jacobians(sequence.forward(cell, X, params, h0, c0, **options))
    slow = state_jacobians(cell, X, params, h0, c0, **options)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)
