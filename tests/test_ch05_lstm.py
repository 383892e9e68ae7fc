"""The numbers that book/05_lstm.ipynb quotes, recomputed with the same package calls and seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnbook import cells, counting, sequence
from rnnbook.activations import sigmoid
from rnnbook.gradient_flow import forget_path_log10_norms, jacobian_log10_norms, step_jacobian
from rnnbook.widgets.gradient_flow import BIAS_RANGE, DEFAULTS, T_RANGE, gradient_flow_data
from rnnbook.widgets.static import FLOW_GRID


def _worked_step():
    W_src = {
        "f": np.array([[0.1, 0.2, 0.3, 0.1], [0.2, 0.1, 0.1, 0.3]]),
        "i": np.array([[0.3, 0.1, 0.2, 0.2], [0.1, 0.3, 0.3, 0.1]]),
        "g": np.array([[0.2, 0.3, 0.4, 0.1], [0.3, 0.2, 0.1, 0.4]]),
        "o": np.array([[0.1, 0.1, 0.5, 0.2], [0.2, 0.2, 0.2, 0.5]]),
    }
    b_src = {"f": np.array([0.5, 0.5]), "i": np.zeros(2), "g": np.zeros(2), "o": np.zeros(2)}
    W = np.vstack([W_src[g] for g in cells.GATES["lstm"]])
    params = {"W_hh": W[:, :2].copy(), "W_xh": W[:, 2:].copy(),
              "b_h": np.concatenate([b_src[g] for g in cells.GATES["lstm"]])}
    h, c, cache = cells.lstm_step_forward(np.array([[1.0, 0.5]]), np.zeros((1, 2)),
                                          np.zeros((1, 2)), params)
    return {"f": cache["f"][0], "i": cache["i"][0], "g": cache["g"][0], "c": c[0],
            "o": cache["o"][0], "tanh(c)": cache["tanh_c"][0], "h": h[0],
            "a": (cache["f"], params)}


def test_worked_step_true_values_and_the_sources_slips():
    v = _worked_step()
    r = {k: np.round(v[k], 4).tolist() for k in ("f", "i", "g", "c", "o", "tanh(c)", "h")}
    # correct in the source
    assert r["i"] == [0.5744, 0.5866]
    assert r["g"] == [0.4219, 0.2913]
    assert r["c"] == [0.2424, 0.1709]
    assert r["o"] == [0.6457, 0.6106]
    assert r["f"][1] == 0.6792
    # the slips: the source prints f = 0.7003, tanh(c) = (0.2379, 0.1693), h = (0.1536, 0.1034)
    assert r["f"][0] == 0.7006
    assert r["tanh(c)"] == [0.2377, 0.1692]
    assert r["h"] == [0.1535, 0.1033]


def test_one_step_cell_jacobian_direct_and_total():
    rng = np.random.default_rng(1)
    d, n = 4, 6
    params = cells.init_lstm_params(d, n, rng)
    x_prev, x_t = rng.normal(size=(1, d)), rng.normal(size=(1, d))
    h_before, c_before = 0.5 * rng.normal(size=(1, n)), rng.normal(size=(1, n))
    h_tm1, c_tm1, cache_tm1 = cells.lstm_step_forward(x_prev, h_before, c_before, params)
    o_tm1 = cache_tm1["o"]

    def c_next(c):
        return cells.lstm_step_forward(x_t, o_tm1 * np.tanh(c), c, params)[1][0]

    eps = 1e-6
    J_fd = np.column_stack([(c_next(c_tm1 + eps * e) - c_next(c_tm1 - eps * e)) / (2 * eps)
                            for e in np.eye(n)])
    J = step_jacobian("lstm", x_t, h_tm1, params, c_prev=c_tm1)[0]
    f_t = cells.lstm_step_forward(x_t, h_tm1, c_tm1, params)[2]["f"][0]
    J_total = J[n:, n:] + J[n:, :n] @ np.diag(o_tm1[0] * (1 - np.tanh(c_tm1[0]) ** 2))
    assert np.max(np.abs(J[n:, n:] - np.diag(f_t))) < 1e-15
    assert np.max(np.abs(J_total - J_fd)) < 1e-8
    ratio = np.linalg.norm(J_total - np.diag(f_t), 2) / np.linalg.norm(np.diag(f_t), 2)
    assert round(ratio, 2) == 0.21


def test_many_step_cell_block_against_the_direct_path():
    rng = np.random.default_rng(2)
    T, B, d, n = 60, 4, 4, 16
    params = cells.init_lstm_params(d, n, rng)
    X = rng.normal(size=(T, B, d))

    def curves(p):
        full = jacobian_log10_norms("lstm", X, p, blocks="c")["c"]
        direct = forget_path_log10_norms(sequence.forward("lstm", X, p))
        return np.median(full, axis=0), np.median(direct, axis=0)

    full, direct = curves(params)
    assert round(float(full[-1]), 1) == -3.4
    assert round(float(direct[-1]), 1) == -8.0
    full0, direct0 = curves({**params, "W_hh": np.zeros_like(params["W_hh"])})
    assert np.max(np.abs(full0 - direct0)) < 1e-12


def test_forget_bias_numbers():
    s1 = float(sigmoid(1.0))
    assert round(s1, 4) == 0.7311
    assert round(s1 ** 10, 3) == 0.044
    assert math.ceil(math.log(1e-2) / math.log(s1)) == 15
    assert math.ceil(math.log(1e-6) / math.log(s1)) == 45
    assert math.ceil(math.log(1e-2) / math.log(0.5)) == 7
    assert round(math.log(0.5) / math.log(s1), 1) == 2.2
    b_keep = math.log(0.5 ** (1 / 100) / (1 - 0.5 ** (1 / 100)))
    assert round(b_keep, 1) == 5.0 and float(sigmoid(b_keep)) ** 100 == pytest.approx(0.5)


def test_peephole_direct_path_formula():
    rng = np.random.default_rng(3)
    d, n, B = 3, 5, 2
    plain = cells.init_lstm_params(d, n, rng)
    peep = {**plain, "p_i": np.zeros(n), "p_f": np.zeros(n), "p_o": np.zeros(n)}
    x, h_prev, c_prev = rng.normal(size=(B, d)), rng.normal(size=(B, n)), rng.normal(size=(B, n))
    peep.update(p_i=rng.normal(size=n), p_f=rng.normal(size=n), p_o=rng.normal(size=n))
    _, _, pc = cells.lstm_step_forward(x, h_prev, c_prev, peep)
    J = step_jacobian("lstm", x, h_prev, peep, c_prev=c_prev)[:, n:, n:]
    formula = (pc["f"] + c_prev * pc["f"] * (1 - pc["f"]) * peep["p_f"]
               + pc["g"] * pc["i"] * (1 - pc["i"]) * peep["p_i"])
    assert np.max(np.abs(J - np.stack([np.diag(v) for v in formula]))) < 1e-14
    assert np.max(np.abs(J - np.stack([np.diag(v) for v in pc["f"]]))) > 0.1
    assert counting.count_params("lstm", d, n, peephole=True) == counting.count_arrays(peep) == 195


def test_parameter_counts_quoted():
    assert [counting.count_params(c, 64, 128) for c in ("rnn", "lstm", "gru")] == [24704, 98816,
                                                                                  74112]
    assert counting.count_params("lstm", 64, 128, peephole=True) == 99200
    assert counting.count_params("lstm", 50, 100) == 60400
    assert counting.count_params("gru", 50, 100) == 45300


def test_gradient_flow_experiment_numbers():
    T = int(DEFAULTS["T"])
    default = gradient_flow_data(T, DEFAULTS["forget_bias"])
    b0, b3 = gradient_flow_data(T, 0.0), gradient_flow_data(T, 3.0)
    end = {k: round(float(getattr(default, k)[-1]), 1)
           for k in ("rnn", "gru", "lstm_h", "lstm_c", "lstm_forget")}
    assert end == {"rnn": -13.5, "gru": -7.5, "lstm_h": -5.1, "lstm_c": -4.6,
                   "lstm_forget": -12.9}
    # the claims of the text: gated cells far above the RNN with b_f = 1, LSTM below it with 0
    assert default.lstm_c[-1] > default.gru[-1] > default.rnn[-1] + 5
    assert b0.lstm_h[-1] < b0.rnn[-1]
    assert round(float(b0.lstm_c[-1]), 1) == -16.4 and round(float(b0.lstm_h[-1]), 1) == -16.7
    assert round(float(b3.lstm_c[-1]), 1) == 1.7
    np.testing.assert_array_equal(b0.rnn, default.rnn)
    # the long run quoted is the longest T of the HTML twin's grid, with the largest bias
    T_long = max(FLOW_GRID["T"])
    assert T_long == 200 and T_long in range(T_RANGE[0], T_RANGE[1] + 1, T_RANGE[2])
    long = gradient_flow_data(T_long, BIAS_RANGE[1])
    assert round(float(long.lstm_c.max()), 1) == 2.9 and long.lstm_c.max() > 0
    assert BIAS_RANGE[1] in FLOW_GRID["forget_bias"]


def test_gradient_flow_claims_by_distance():
    default = gradient_flow_data(int(DEFAULTS["T"]), DEFAULTS["forget_bias"])
    # with b_f = 1 the LSTM's dh curve is below the RNN's exactly for k = 1..12
    below = default.k[default.lstm_h < default.rnn]
    np.testing.assert_array_equal(below, np.arange(1, 13))
    assert round(float(default.lstm_h[9]), 2) == -0.98 and round(float(default.rnn[9]), 2) == -0.79
    # with b_f = 0 both gated cells are below the RNN at every distance
    b0 = gradient_flow_data(int(DEFAULTS["T"]), 0.0)
    assert np.all(b0.lstm_h < b0.rnn) and np.all(b0.gru < b0.rnn)


def test_worked_step_hand_slips():
    W_src = {
        "f": np.array([[0.1, 0.2, 0.3, 0.1], [0.2, 0.1, 0.1, 0.3]]),
        "i": np.array([[0.3, 0.1, 0.2, 0.2], [0.1, 0.3, 0.3, 0.1]]),
        "g": np.array([[0.2, 0.3, 0.4, 0.1], [0.3, 0.2, 0.1, 0.4]]),
        "o": np.array([[0.1, 0.1, 0.5, 0.2], [0.2, 0.2, 0.2, 0.5]]),
    }
    W = np.vstack([W_src[g] for g in cells.GATES["lstm"]])
    b = np.array([0, 0, 0.5, 0.5, 0, 0, 0, 0.0])
    x, z = np.array([[1.0, 0.5]]), np.zeros((1, 2))
    good = {"W_hh": W[:, :2], "W_xh": W[:, 2:], "b_h": b}
    h, c, cache = cells.lstm_step_forward(x, z, z, good)
    h_order = cells.lstm_step_forward(x, z, z, {**good, "W_xh": W[:, :2], "W_hh": W[:, 2:]})[0]
    assert np.round(h_order[0], 4).tolist() == [0.1047, 0.1209]
    assert np.round(cache["o"][0] * c[0], 4).tolist() == [0.1565, 0.1044]
    h_nobf, _, cache_nobf = cells.lstm_step_forward(x, z, z, {**good, "b_h": np.zeros(8)})
    np.testing.assert_allclose(h_nobf, h)            # f_1 multiplies c_0 = 0
    assert np.round(cache_nobf["f"][0], 4).tolist() == [0.5866, 0.5622]


def test_forget_gate_preactivation_spread_at_init():
    rng = np.random.default_rng(2)
    T, B, d, n = 60, 4, 4, 16
    params = cells.init_lstm_params(d, n, rng)
    X = rng.normal(size=(T, B, d))
    F = np.stack([cache["f"] for cache in sequence.forward("lstm", X, params).caches])
    noise = np.log(F / (1 - F)) - params["b_h"][n:2 * n]
    assert noise.std() == pytest.approx(0.699, abs=1e-3)
