"""The numbers that book/06_gru.ipynb quotes, recomputed with the same package calls and seeds."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from rnnbook import cells, counting, sequence


def _one_bias(cell, d, n, k=0):
    return counting.count_params(cell, d, n, k=k)


def _two_biases(cell, d, n, k=0):
    return counting.count_params(cell, d, n, k=k) + len(cells.GATES[cell]) * n


def _keras_stack(cell, units, d_in, dense):
    def count(c, d, n):
        return _one_bias(c, d, n) if c == "lstm" else _two_biases(c, d, n)

    total, d = 0, d_in
    for n in units:
        total, d = total + count(cell, d, n), n
    for k in dense:
        total, d = total + k * d + k, k
    return total


def test_gru_state_bounded_lstm_cell_not():
    rng = np.random.default_rng(0)
    B, d, n = 4, 3, 5
    p_gru = cells.init_gru_params(d, n, rng)
    x, h_prev = rng.normal(size=(B, d)), np.tanh(rng.normal(size=(B, n)))
    h, cache = cells.gru_step_forward(x, h_prev, p_gru, update="new")
    coupled = (1 - cache["z"]) * h_prev + cache["z"] * cache["h_tilde"]
    assert np.max(np.abs(coupled - h)) < 1e-15
    X = 3.0 * rng.normal(size=(300, B, d))
    H = sequence.forward("gru", X, p_gru).H
    C = sequence.forward("lstm", X, cells.init_lstm_params(d, n, rng)).C
    assert np.abs(H).max() < 1.0
    assert round(float(np.abs(H).max()), 6) == 0.999939
    assert round(float(np.abs(C).max()), 2) == 4.77


def test_reset_conventions_numbers():
    rng = np.random.default_rng(2)
    T, B, d, n = 30, 3, 4, 6
    theta = cells.init_gru_params(d, n, rng, reset="after")
    theta = {k: (v + 0.3 * rng.normal(size=v.shape) if k != "b_hn" else v)
             for k, v in theta.items()}
    X = rng.normal(size=(T, B, d))

    def run(params, reset):
        return sequence.forward("gru", X, params, reset=reset).H

    assert round(float(np.max(np.abs(run(theta, "before") - run(theta, "after")))), 2) == 0.26


@pytest.mark.parametrize("d,n", [(64, 128), (50, 100), (1, 64), (300, 32)])
def test_ratio_is_exactly_three_quarters(d, n):
    assert Fraction(_one_bias("gru", d, n), _one_bias("lstm", d, n)) == Fraction(3, 4)
    assert Fraction(_two_biases("gru", d, n), _two_biases("lstm", d, n)) == Fraction(3, 4)
    # Keras: one-bias LSTM vs two-bias GRU, and any read-out: less than 25 % saved
    assert 1 - _two_biases("gru", d, n) / _one_bias("lstm", d, n) < 0.25
    assert 1 - _one_bias("gru", d, n, k=10) / _one_bias("lstm", d, n, k=10) < 0.25
    assert counting.count_arrays(cells.init_gru_params(d, n, 0, reset="after")) == \
        counting.count_params("gru", d, n, reset="after") == _one_bias("gru", d, n) + n


def test_exercise_counts():
    assert (_one_bias("lstm", 50, 100), _one_bias("gru", 50, 100)) == (60400, 45300)
    assert (_two_biases("lstm", 50, 100), _two_biases("gru", 50, 100)) == (60800, 45600)
    assert round(1 - _two_biases("gru", 50, 100) / _one_bias("lstm", 50, 100), 4) == 0.2450
    assert round(1 - _one_bias("gru", 50, 100, k=10) / _one_bias("lstm", 50, 100, k=10),
                 4) == 0.2459


def test_the_sources_keras_models():
    lstm_model = _keras_stack("lstm", (64, 64, 32), 1, (16, 1))
    gru_model = _keras_stack("gru", (64, 32), 1, (1,))
    gru_same = _keras_stack("gru", (64, 64, 32), 1, (16, 1))
    assert (lstm_model, gru_model, gru_same) == (62881, 22305, 47777)
    assert round(1 - gru_model / lstm_model, 3) == 0.645
    assert round(1 - gru_same / lstm_model, 3) == 0.240


def test_gradient_flow_figure_claims():
    from rnnbook.gradient_flow import compare_cells
    flows = {b: compare_cells(T=100, n=16, d=4, forget_bias=b, n_sequences=3, rng=0)
             for b in (0.0, 1.0, 2.0)}
    # the GRU is above the LSTM exactly for k = 1..18 (bias 1) and k = 1..24 (bias 2)
    for b, K in ((1.0, 18), (2.0, 24)):
        above = flows[b].k[flows[b].gru > flows[b].lstm_h]
        np.testing.assert_array_equal(above, np.arange(1, K + 1))
        assert flows[b].gru[-1] > flows[b].rnn[-1] + 5 and flows[b].lstm_h[-1] > flows[b].rnn[-1] + 5
    assert round(float(flows[1.0].gru[-1]), 1) == -7.5
    assert round(float(flows[1.0].lstm_h[-1]), 1) == -5.1
    # with the bias at 0 both gated cells are below the RNN at every distance
    assert np.all(flows[0.0].gru < flows[0.0].rnn) and np.all(flows[0.0].lstm_h < flows[0.0].rnn)


def test_coupled_lstm_update_is_the_new_convention():
    # c = (1 - i) c + i g with i -> z, g -> candidate, c -> h is update="new"; "old" is z -> 1 - z
    rng = np.random.default_rng(0)
    d, n = 3, 4
    p = cells.init_gru_params(d, n, rng)
    p["W_xh"] = rng.normal(size=p["W_xh"].shape)
    p["b_h"] = rng.normal(size=p["b_h"].shape)
    x, h = rng.normal(size=(2, d)), rng.uniform(-1, 1, size=(2, n))
    h_new, cache = cells.gru_step_forward(x, h, p, update="new")
    z, cand = cache["z"], cache["h_tilde"]
    np.testing.assert_allclose(h_new, (1 - z) * h + z * cand)
    flipped = {k: v.copy() for k, v in p.items()}
    flipped["W_xh"][n:2 * n] *= -1
    flipped["W_hh"][n:2 * n] *= -1
    flipped["b_h"][n:2 * n] *= -1
    np.testing.assert_allclose(cells.gru_step_forward(x, h, flipped, update="old")[0], h_new)
