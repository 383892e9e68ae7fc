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
