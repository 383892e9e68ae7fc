"""The numbers chapter 2 (book/02_vanilla_rnn.ipynb) quotes, recomputed with the same package calls.

Among them the corrected worked examples of the sources: the expected values here are the true
ones, and the sources' printed values are checked to be *wrong* where the chapter says so.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import activations, bptt, cells, counting, losses, optim, sequence, training
from rnnbook.data import trend_seasonal
from rnnbook.preprocessing import pad_sequences, standardize


def run(X: np.ndarray, params: dict, activation: str = "tanh") -> np.ndarray:
    return sequence.forward("rnn", np.asarray(X, float)[:, None, :], params,
                            activation=activation).H[:, 0]


# --------------------------------------------------------------- the recurrence
def test_sigmoid_rnn_is_a_tanh_rnn_in_other_coordinates() -> None:
    rng = np.random.default_rng(0)
    p = cells.init_rnn_params(d=3, n=4, rng=rng)
    p["b_h"] = rng.normal(size=4)
    X = rng.normal(size=(6, 2, 3))
    H = sequence.forward("rnn", X, p, activation="sigmoid").H
    q = {"W_xh": p["W_xh"] / 2, "W_hh": p["W_hh"] / 4,
         "b_h": p["b_h"] / 2 + p["W_hh"].sum(axis=1) / 4}
    G = sequence.forward("rnn", X, q, h0=-np.ones((2, 4))).H
    assert np.abs(2 * H - 1 - G).max() < 1e-14


def test_activation_bounds() -> None:
    z = np.linspace(-10, 10, 20001)
    assert activations.dtanh(z).max() == pytest.approx(1.0)
    assert activations.dsigmoid(z).max() == pytest.approx(0.25)


def test_impulse_memory_and_latch() -> None:
    X = np.zeros((30, 1))
    X[0] = 1.0
    h = {w: run(X, {"W_xh": np.ones((1, 1)), "W_hh": np.full((1, 1), w), "b_h": np.zeros(1)})
         for w in (0.5, 0.9, 1.5)}
    assert abs(h[0.5][-1, 0]) < 1e-8 and 0.01 < h[0.9][-1, 0] < 0.05
    assert h[1.5][-1, 0] == pytest.approx(np.tanh(1.5 * h[1.5][-1, 0]), abs=1e-12)
    assert h[1.5][-1, 0] == pytest.approx(0.8586, abs=1e-4)


# --------------------------------------------------------------- worked examples
EX1 = {"W_xh": np.array([[0.5, 0.3], [0.1, 0.4]]),
       "W_hh": np.array([[0.2, 0.1], [0.3, 0.2]]), "b_h": np.zeros(2)}


def test_seed002_example1_true_values() -> None:
    H = run([[1, 0], [0, 1], [1, 1]], EX1)
    np.testing.assert_allclose(H, [[0.4621, 0.0997], [0.3820, 0.5069], [0.7292, 0.6144]],
                               atol=5e-5)
    # the source's z_2 is right but its tanh values are not
    assert np.tanh(0.4024) == pytest.approx(0.3820, abs=5e-5)
    assert abs(H[1, 0] - 0.3828) > 5e-4
    # even from the source's own z_3 = (0.9273, 0.7162) the printed h_3 = (0.7286, 0.6143) is off
    assert abs(np.tanh(0.9273) - 0.7286) > 5e-4


EX2 = {"W_xh": np.array([[0.8], [-0.3]]),
       "W_hh": np.array([[0.5, 0.1], [0.1, 0.5]]), "b_h": np.zeros(2)}


def test_seed000_sigmoid_example_true_values() -> None:
    traj = sequence.forward("rnn", np.array([0.5, 0.8, 0.6])[:, None, None], EX2,
                            activation="sigmoid")
    H = traj.H[:, 0]
    z2 = traj.caches[1]["z"][0]
    np.testing.assert_allclose(z2, [0.9856, 0.0512], atol=5e-5)   # source: (0.986, 0.352)
    np.testing.assert_allclose(H, [[0.5987, 0.4626], [0.7282, 0.5128], [0.7100, 0.5372]],
                               atol=5e-5)                           # source h_3: (0.81, 0.62)
    assert H[-1].sum() == pytest.approx(1.2472, abs=5e-5)           # source: 1.43
    assert H[2, 0] < H[1, 0]              # not "both components increase monotonically"
    # the displayed terms of z_2 (h_1 to 4 decimals) give the same 4-decimal value as the glue
    assert round(0.1 * round(H[0, 0], 4) + 0.5 * round(H[0, 1], 4) - 0.3 * 0.8, 4) == round(z2[1], 4)
    # the source's h_3 is a second, independent error: one step from its own h_2 = (0.728, 0.587)
    z3_src = EX2["W_hh"] @ np.array([0.728, 0.587]) + EX2["W_xh"] @ np.array([0.6])
    h3_src = activations.sigmoid(z3_src)
    np.testing.assert_allclose(z3_src, [0.9027, 0.1863], atol=5e-5)
    np.testing.assert_allclose(h3_src, [0.7115, 0.5464], atol=5e-5)
    assert h3_src.sum() == pytest.approx(1.2579, abs=5e-5)
    assert abs(h3_src[0] - 0.81) > 0.05 and abs(h3_src[1] - 0.62) > 0.05


@pytest.mark.parametrize("returns", [[0.5, 0.8, 0.6], [-0.5, -0.8, -0.6], [-5.0, -5.0, -5.0]])
def test_seed000_classifier_always_says_trending(returns: list[float]) -> None:
    h3 = sequence.forward("rnn", np.array(returns)[:, None, None], EX2, activation="sigmoid").h_T[0]
    assert h3.sum() > 0


def test_exercise_forward_passes() -> None:
    H = run([[1, -1], [-1, 1]], {"W_xh": np.eye(2), "W_hh": 0.5 * np.eye(2), "b_h": np.zeros(2)})
    np.testing.assert_allclose(H, [[0.7616, -0.7616], [-0.5506, 0.5506]], atol=5e-5)
    p = {"W_xh": np.array([[0.4]]), "W_hh": np.array([[0.7]]), "b_h": np.zeros(1)}
    h = run([[1.0], [-0.5], [0.8]], p)[:, 0]
    np.testing.assert_allclose(h, [0.3799, 0.0659, 0.3506], atol=5e-5)
    chain = (1 - h[2] ** 2) * 0.7 * (1 - h[1] ** 2) * 0.7
    assert chain == pytest.approx(0.4279, abs=5e-5)
    f = lambda h1: sequence.forward("rnn", np.array([[[-0.5]], [[0.8]]]), p,  # noqa: E731
                                    h0=np.array([[h1]])).h_T[0, 0]
    assert (f(h[0] + 1e-6) - f(h[0] - 1e-6)) / 2e-6 == pytest.approx(chain, rel=1e-7)


# --------------------------------------------------------------- counting
@pytest.mark.parametrize("cell, d, n, k, expected", [
    ("rnn", 64, 128, 0, 24_704), ("lstm", 64, 128, 0, 98_816), ("gru", 64, 128, 0, 74_112),
    ("lstm", 50, 100, 0, 60_400), ("gru", 50, 100, 0, 45_300), ("rnn", 5, 32, 3, 1_315),
])
def test_sources_parameter_counts(cell: str, d: int, n: int, k: int, expected: int) -> None:
    assert counting.count_params(cell, d, n, k) == expected
    model = bptt.init_model(cell, d, n, k, np.random.default_rng(0)) if k else \
        {"rnn": cells.init_rnn_params, "lstm": cells.init_lstm_params,
         "gru": cells.init_gru_params}[cell](d, n, np.random.default_rng(0))
    assert counting.count_arrays(model) == expected


def test_framework_counts_and_gru_saving() -> None:
    d, n = 64, 128
    assert counting.count_params("rnn", d, n) + n == 24_832
    assert counting.count_params("lstm", d, n) + 4 * n == 99_328
    assert counting.count_params("gru", d, n, reset="after") == 74_240
    assert counting.count_params("gru", d, n) + 3 * n == 74_496
    assert counting.count_params("gru", d, n) / counting.count_params("lstm", d, n) == 0.75


# --------------------------------------------------------------- practicalities
def test_initialisers_singular_values() -> None:
    from rnnbook import init
    rng = np.random.default_rng(4)
    s = np.linalg.svd(init.xavier_uniform((64, 64), rng), compute_uv=False)
    assert s.min() == pytest.approx(0.0020379, abs=1e-7)                  # ch02_xavier_smin
    assert s.max() == pytest.approx(2.0985395, abs=1e-7)                  # ch02_xavier_smax
    np.testing.assert_allclose(np.linalg.svd(init.orthogonal(64, rng, gain=0.9),
                                             compute_uv=False), 0.9)


def test_state_leak_between_sequences() -> None:
    rng = np.random.default_rng(5)
    p = cells.init_rnn_params(d=2, n=8, rng=rng, gain=0.9)
    A, B = rng.normal(size=(10, 1, 2)), rng.normal(size=(6, 1, 2))
    h_A = sequence.forward("rnn", A, p).h_T
    leak = np.linalg.norm(sequence.forward("rnn", B, p, h0=h_A).H[:, 0]
                          - sequence.forward("rnn", B, p).H[:, 0], axis=1)
    assert leak[0] == pytest.approx(0.838094, abs=1e-6)                  # ch02_leak_1
    assert leak[-1] == pytest.approx(0.067386, abs=1e-6)                 # ch02_leak_T


def test_embedding_sizes() -> None:
    K, e, n, T, B = 10_000, 128, 128, 200, 32
    assert n * K == 1_280_000 and K * e + n * e == 1_296_384
    assert T * B * K * 8 / 1e6 == pytest.approx(512.0)


def test_masked_loss_ignores_padding() -> None:
    rng = np.random.default_rng(7)
    seqs = [rng.normal(size=(T, 2)) for T in (5, 3, 2)]
    X, mask = pad_sequences(seqs)
    p = cells.init_rnn_params(d=2, n=4, rng=rng)
    p["b_h"] = 0.5 * rng.normal(size=4)
    H = sequence.forward("rnn", X, p).H
    for b, s in enumerate(seqs):
        np.testing.assert_allclose(H[: len(s), b], run(s, p))
    W_hy = rng.normal(size=(1, 4))
    Y = rng.normal(size=(5, 3, 1))
    X2, Y2 = X.copy(), Y.copy()
    X2[mask == 0], Y2[mask == 0] = 3.0, -7.0
    out = [(losses.mse_loss(sequence.forward("rnn", Xi, p).H @ W_hy.T, Yi)[0],
            losses.mse_loss(sequence.forward("rnn", Xi, p).H @ W_hy.T, Yi, mask=mask)[0])
           for Xi, Yi in ((X, Y), (X2, Y2))]
    assert out[0][1] == out[1][1]
    assert abs(out[0][0] - out[1][0]) == pytest.approx(2.815155, abs=1e-6)   # ch02_unmasked_diff


def padding_share(lengths: np.ndarray, batch: int) -> float:
    padded = sum(batch * lengths[i:i + batch].max() for i in range(0, len(lengths), batch))
    return 1 - lengths.sum() / padded


def test_bucketing_reduces_padding() -> None:
    lengths = np.random.default_rng(11).integers(5, 101, size=256)
    assert f"{padding_share(lengths, 32):.0%}" == "48%"                  # ch02_pad_waste_random
    assert f"{padding_share(np.sort(lengths), 32):.1%}" == "10.0%"       # ch02_pad_waste_bucketed
    # hand-made check of the formula: batches (1, 3) and (2, 2) pad 2 of 10 cells
    assert padding_share(np.array([1, 3, 2, 2]), 2) == pytest.approx(0.2)


def test_stock_example_saturates_and_standardising_fixes_it() -> None:
    prices = np.array([100.0, 102.0, 104.0, 106.0, 108.0])
    posed = {"W_xh": np.full((2, 1), 0.5), "W_hh": 0.2 * np.eye(2), "b_h": np.zeros(2)}
    traj = sequence.forward("rnn", prices[:, None, None], posed)
    assert np.all(traj.H == 1.0) and traj.H.size == 10
    z1 = traj.caches[0]["z"][0, 0]
    assert z1 == 50.0
    assert f"{np.tanh(z1):.17g}" == "1" and f"{activations.dtanh(z1):.17g}" == "0"
    assert all(activations.dtanh(c["z"]).max() == 0.0 for c in traj.caches)
    model = {**posed, "W_hy": np.ones((1, 2)), "b_y": np.zeros(1)}
    _, grads = bptt.loss_and_grads(model, prices[:, None, None], np.array([[110.0]]), "rnn",
                                   task="many_to_one")
    assert np.all(grads["W_xh"] == 0) and np.all(grads["W_hh"] == 0)

    rng = np.random.default_rng(8)
    history = trend_seasonal(250, rng, level=94.0, slope=0.05, amplitude=4.0, period=50.0,
                             noise=1.0)
    _, prices_z, scaler = standardize(history, prices)
    assert abs(float(scaler.mean) - 100) < 2
    assert history.min() == pytest.approx(89.443, abs=1e-3)               # ch02_hist_min
    assert history.max() == pytest.approx(110.136, abs=1e-3)              # ch02_hist_max
    model = bptt.init_model("rnn", d=1, n=2, k=1, rng=rng)
    traj = sequence.forward("rnn", prices_z[:, None, None], model)
    assert np.ptp(traj.H[:, 0, 0]) == pytest.approx(1.04950, abs=5e-5)   # ch02_scaled_spread
    _, grads = bptt.loss_and_grads(model, prices_z[:, None, None],
                                   scaler.transform(np.array([[110.0]])), "rnn",
                                   task="many_to_one")
    assert np.linalg.norm(grads["W_xh"]) > 0.1 and np.linalg.norm(grads["W_hh"]) > 0.1


def test_saturation_over_many_initialisations() -> None:
    prices = np.array([100.0, 102.0, 104.0, 106.0, 108.0])
    history = trend_seasonal(250, np.random.default_rng(8), level=94.0, slope=0.05,
                             amplitude=4.0, period=50.0, noise=1.0)
    _, prices_z, _ = standardize(history, prices)
    rng = np.random.default_rng(9)
    vals = {"raw": [], "std": []}
    for _ in range(200):
        m = bptt.init_model("rnn", d=1, n=2, k=1, rng=rng)
        for key, inputs in (("raw", prices), ("std", prices_z)):
            tr = sequence.forward("rnn", inputs[:, None, None], m)
            vals[key].append(activations.dtanh(np.stack([c["z"] for c in tr.caches])).ravel())
    raw, std = np.concatenate(vals["raw"]), np.concatenate(vals["std"])
    assert f"{np.mean(raw < 0.01):.0%}" == "97%"                         # ch02_sat_share_raw
    assert f"{np.mean(std < 0.01):.0%}" == "1%"                          # ch02_sat_share_standardised
    assert np.median(std) == pytest.approx(0.865, abs=5e-4)               # ch02_median_dtanh_std.
    assert np.median(raw) < 1e-6


def test_training_the_well_posed_stock_problem() -> None:
    """Section sec-rnn-scaling-train: standardised inputs learn, raw inputs cannot."""
    prices = np.array([100.0, 102.0, 104.0, 106.0, 108.0])
    history = trend_seasonal(250, np.random.default_rng(8), level=94.0, slope=0.05,
                             amplitude=4.0, period=50.0, noise=1.0)
    history_z, prices_z, scaler = standardize(history, prices)
    starts = np.arange(len(history) - 5)

    def windows(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = np.stack([series[s:s + 5] for s in starts], axis=1)[..., None]
        return X, series[starts + 5][:, None]

    X_z, Y_z = windows(history_z)
    X_raw, _ = windows(history)
    fits = {}
    for name, X_in, days in (("std", X_z, prices_z), ("raw", X_raw, prices)):
        net = bptt.init_model("rnn", d=1, n=2, k=1, rng=np.random.default_rng(10))
        start = {key: value.copy() for key, value in net.items()}
        hist = training.train(net, lambda step, X_in=X_in: (X_in, Y_z),
                              lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "rnn",
                                                                  task="many_to_one"),
                              optim.Adam(lr=0.05), steps=300)
        y6, _ = bptt.predict(net, days[:, None, None], "rnn", task="many_to_one")
        fits[name] = (hist.loss[-1], float(np.sqrt(hist.loss[-1]) * scaler.std),
                      float(scaler.inverse(y6)[0, 0]),
                      all(np.array_equal(start[k], net[k]) for k in ("W_xh", "W_hh", "b_h")))
    naive = np.sqrt(np.mean((history[starts + 5] - history[starts + 4]) ** 2))
    spread = np.std(history[starts + 5])
    loss_std, rmse_std, day6_std, frozen_std = fits["std"]
    loss_raw, rmse_raw, day6_raw, frozen_raw = fits["raw"]
    assert loss_std == pytest.approx(0.0958, rel=2e-2)                    # ch02_fit_loss_standardised
    assert rmse_std == pytest.approx(1.37, abs=0.01) and not frozen_std
    assert day6_std == pytest.approx(106.55, abs=0.05)
    assert naive == pytest.approx(1.54, abs=0.005) and rmse_std < naive
    # raw inputs: the recurrent weights get exactly zero gradient; the read-out learns the mean
    assert frozen_raw
    assert loss_raw == pytest.approx(0.9735, rel=1e-3)
    assert rmse_raw == pytest.approx(spread, rel=1e-6) and spread == pytest.approx(4.37, abs=0.005)
    assert day6_raw == pytest.approx(np.mean(history[starts + 5]), abs=1e-4)
    assert day6_raw == pytest.approx(100.37, abs=0.005)
