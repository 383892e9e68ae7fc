"""The numbers that chapter 7 (book/07_deep_bidirectional.ipynb) quotes, recomputed with the same
package calls and seeds as the notebook, and the claims the prose makes about them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnbook import deep, sequence
from rnnbook.cells import init_rnn_params
from rnnbook.counting import count_arrays, count_params


def test_parameter_counts():
    # the sources' stacked LSTM: d = 1, then 64, 64, 32 units
    counts = deep.count_stacked_params("lstm", 1, [64, 64, 32])
    assert counts == [16_896, 33_024, 12_416]
    assert sum(counts) == 62_336
    assert counts == [count_arrays(p) for p in deep.init_stacked_params("lstm", 1, [64, 64, 32], 0)]
    # the sources' BiLSTM classifier: 128-d embeddings, BiLSTM 64, BiLSTM 32, dense 64
    bi = deep.count_stacked_params("lstm", 128, [64, 32], bidirectional=True)
    assert bi == [98_816, 41_216]
    assert bi[0] == 2 * count_params("lstm", 128, 64) == 2 * 49_408
    layers = deep.init_stacked_params("lstm", 128, [64, 32], 0, bidirectional=True)
    widths = [H.shape[2] for H in deep.stacked_forward("lstm", np.zeros((3, 1, 128)), layers).states]
    assert widths == [128, 64]
    assert (64 * 64 + 64, 64 * 32 + 64) == (4_160, 2_112)
    # exercise 2: three LSTM layers of 64 on d = 1
    assert deep.count_stacked_params("lstm", 1, [64, 64, 64]) == [16_896, 33_024, 33_024]


def test_path_count():
    assert math.comb(29 + 3, 3) == 4_960
    assert math.comb(3 + 2, 2) == 10


def _gradient_grid():
    rng = np.random.default_rng(1)
    T, B, d, n, L = 30, 8, 4, 32, 4
    layers = deep.init_stacked_params("rnn", d, [n] * L, rng)
    X = rng.normal(size=(T, B, d))
    straj = deep.stacked_forward("rnn", X, layers)
    dH = np.zeros_like(straj.H)
    dH[-1] = rng.normal(size=(B, n)) / np.sqrt(n)
    g = deep.stacked_backward(straj, dH)
    return np.log10(np.array([np.linalg.norm(a, axis=(1, 2)) for a in [g.dX, *g.dstates[:-1]]]))


def test_gradient_through_time_and_depth():
    grid = _gradient_grid()
    loss_time_1 = grid[0, -1] - grid[0, 0]
    loss_time_L = grid[-1, -1] - grid[-1, 0]
    loss_depth = grid[-1, -1] - grid[1, -1]       # layer L's input down to layer 2's (both n wide)
    assert loss_time_1 == pytest.approx(1.26, abs=0.01)
    assert loss_time_1 / 29 == pytest.approx(0.043, abs=0.001)
    assert loss_time_L == pytest.approx(3.35, abs=0.01)
    assert loss_time_L / 29 == pytest.approx(0.115, abs=0.001)
    assert loss_depth == pytest.approx(0.28, abs=0.01)
    assert loss_depth / 2 == pytest.approx(0.14, abs=0.01)
    # prose: per factor a layer costs at least as much as a time step at the top layer's input;
    # lower layers get more gradient at early steps than the top layer
    assert loss_depth / 2 > loss_time_L / 29 > loss_time_1 / 29
    assert grid[0, 0] > grid[-1, 0]


def test_depth_sweep():
    depths = [1, 2, 3, 4, 6, 8]
    default = deep.depth_gradient_norms(depths, 4, 32, 30, 8, seeds=range(5))
    small = deep.depth_gradient_norms(depths, 4, 32, 30, 8, seeds=range(5), W_xh_norm=0.5)
    assert default[0, 0] == pytest.approx(7.13, abs=0.005)
    assert default[-1, 0] == pytest.approx(13.95, abs=0.005)
    assert small[-1, 0] == pytest.approx(1.066, abs=0.0005)
    assert (small[-1, 0] / small[0, 0]) ** (1 / 7) == pytest.approx(0.76, abs=0.005)
    assert np.all(np.diff(default[:, 0]) > 0)       # grows with depth (default init)
    assert np.all(np.diff(small[:, 0]) < 0)         # shrinks with contractive W_xh


def test_causality_numbers():
    rng = np.random.default_rng(2)
    p_fwd, p_bwd = init_rnn_params(3, 8, rng), init_rnn_params(3, 8, rng)
    X = rng.normal(size=(12, 1, 3))
    uni, bi = deep.causal_influence("rnn", X, 8, p_fwd, p_bwd)
    assert np.all(uni[:8] == 0.0)
    assert np.all(uni[8:] > 0)
    assert bi[:8].min() == pytest.approx(2.1e-2, abs=0.05e-2)
    assert int(np.argmin(bi[:8])) + 1 == 1
    np.testing.assert_allclose(bi[9:], uni[9:])     # after t0 only the forward half moves


def test_dropout_between_layers_numbers():
    rng = np.random.default_rng(3)
    p = 0.25
    m = deep.dropout_mask((1_000_000,), p, rng)
    assert m.mean() == pytest.approx(1.0002, abs=0.00005)
    assert m.var() == pytest.approx(0.3332, abs=0.00005)
    stack2 = deep.init_stacked_params("rnn", 3, [16, 16], rng)
    x_one = rng.normal(size=(10, 1, 3))
    N = 2000
    train = deep.stacked_forward("rnn", np.repeat(x_one, N, axis=1), stack2,
                                 masks=[None, deep.dropout_mask((10, N, 16), p, rng)])
    evals = deep.stacked_forward("rnn", x_one, stack2)
    pre_train = train.inputs[1] @ stack2[1]["W_xh"].T
    pre_eval = evals.inputs[1] @ stack2[1]["W_xh"].T
    z_pre = (np.abs(pre_train.mean(axis=1) - pre_eval[:, 0]) / (pre_train.std(axis=1) / np.sqrt(N))).max()
    z_state = (np.abs(train.H.mean(axis=1) - evals.H[:, 0]) / (train.H.std(axis=1) / np.sqrt(N))).max()
    gap_state = np.abs(train.H.mean(axis=1) - evals.H[:, 0]).max()
    assert z_pre == pytest.approx(2.8, abs=0.05)
    assert z_pre < 4                                 # Monte Carlo noise
    assert z_state == pytest.approx(26.0, abs=0.05)  # systematic
    assert gap_state == pytest.approx(0.169, abs=0.0005)


def test_thinned_network_number():
    rng = np.random.default_rng(4)
    p = init_rnn_params(3, 8, rng)
    x = rng.normal(size=(20, 1, 3))
    m = deep.dropout_mask((1, 8), 0.5, rng)
    H = deep.variational_forward("rnn", x, p, m).H
    H_thin = sequence.forward("rnn", x, dict(p, W_hh=p["W_hh"] * m[0])).H
    assert np.abs(H - H_thin).max() < 5e-17          # printed as 0.0e+00


def test_zoneout_numbers():
    rng = np.random.default_rng(5)
    p = init_rnn_params(3, 8, rng)
    x1, h0 = rng.normal(size=(1, 1, 3)), rng.normal(size=(1, 8))
    N = 20_000
    H_train = deep.zoneout_forward("rnn", np.repeat(x1, N, axis=1), p,
                                   deep.zoneout_mask((1, N, 8), 0.3, rng), np.repeat(h0, N, axis=0)).H[0]
    H_eval = deep.zoneout_forward("rnn", x1, p, deep.zoneout_mask((1, 1, 8), 0.3, train=False), h0).H[0, 0]
    gap = np.abs(H_train.mean(axis=0) - H_eval)
    zs = gap / (H_train.std(axis=0) / np.sqrt(N))
    assert gap.max() == pytest.approx(0.0119, abs=0.00005)
    assert zs.max() == pytest.approx(2.2, abs=0.05)

    rng = np.random.default_rng(6)
    p_zg = init_rnn_params(1, 16, rng, gain=0.8)
    lengths = [5, 10, 20, 30, 40, 60]
    zg = deep.zoneout_gradient_norms(lengths, [0.0, 0.25, 0.5], p_zg, n_masks=200, rng=rng)
    slopes = [np.polyfit(lengths, row, 1)[0] for row in zg]
    assert -slopes[0] == pytest.approx(0.165, abs=0.0005)
    assert -slopes[2] == pytest.approx(0.075, abs=0.0005)
    assert slopes[0] < slopes[1] < slopes[2] < 0


def test_noise_comparison_numbers():
    rng = np.random.default_rng(7)
    p = init_rnn_params(1, 16, rng, gain=0.9)
    p["b_h"] = 0.1 * rng.normal(size=16)
    x = np.sin(2 * np.pi * np.arange(40) / 20)[:, None, None]
    noise = deep.mask_noise_statistics(x, p, p=0.25, n_masks=1000, rng=rng)
    assert noise["per-step"]["std"][-1] == pytest.approx(0.296, abs=0.0005)
    assert noise["variational"]["std"][-1] == pytest.approx(0.268, abs=0.0005)
    assert noise["zoneout"]["std"][-1] == pytest.approx(0.089, abs=0.0005)
    assert abs(noise["per-step"]["autocorr"]) < 0.005
    assert noise["variational"]["autocorr"] == pytest.approx(0.88, abs=0.005)
    assert noise["zoneout"]["autocorr"] == pytest.approx(0.38, abs=0.005)
    # prose: zoneout has the smallest spread and train/eval gap
    assert noise["zoneout"]["std"][-1] < noise["variational"]["std"][-1] < noise["per-step"]["std"][-1]
    assert noise["zoneout"]["gap"].mean() < min(noise["variational"]["gap"].mean(),
                                                noise["per-step"]["gap"].mean())


def test_experiment_helpers_reject_bad_input():
    rng = np.random.default_rng(0)
    p = init_rnn_params(1, 4, rng)
    with pytest.raises(ValueError, match="t0"):
        deep.causal_influence("rnn", np.zeros((3, 1, 1)), 3, p, p)
    with pytest.raises(ValueError, match="seeds"):
        deep.depth_gradient_norms([1], 2, 3, 4, 1, seeds=[])
    with pytest.raises(ValueError, match="single sequence"):
        deep.mask_noise_statistics(np.zeros((3, 2, 1)), p, 0.2, 10, rng)
    with pytest.raises(ValueError, match="n_masks"):
        deep.mask_noise_statistics(np.zeros((3, 1, 1)), p, 0.2, 1, rng)
    with pytest.raises(ValueError, match="rate"):
        deep.zoneout_gradient_norms([3], [1.5], p, 4, rng)


def test_exercise_6_threshold():
    norm_grid = np.round(np.arange(0.6, 1.45, 0.1), 1)
    ratio8 = []
    for s in norm_grid:
        r = deep.depth_gradient_norms([1, 8], 4, 32, 30, 8, seeds=range(5), W_xh_norm=float(s))
        ratio8.append(r[1, 0] / r[0, 0])
    first_up = int(np.argmax(np.array(ratio8) >= 1.0))
    assert (norm_grid[first_up - 1], norm_grid[first_up]) == (1.1, 1.2)
    assert ratio8[first_up - 1] == pytest.approx(0.94, abs=0.005)
    assert ratio8[first_up] == pytest.approx(1.03, abs=0.005)
    assert np.all(np.diff(ratio8) > 0)


def test_xavier_input_matrices_are_not_contractive():
    from rnnbook.bounds import spectral_norm

    rng = np.random.default_rng(1)
    layers = deep.init_stacked_params("rnn", 4, [32] * 4, rng)
    sigma = np.mean([spectral_norm(p["W_xh"]) for p in layers[1:]])
    assert sigma == pytest.approx(1.91, abs=0.005)
