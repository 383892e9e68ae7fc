"""The numbers chapter 2 (book/02_vanilla_rnn.ipynb) quotes, recomputed with the same package calls.

Among them the corrected worked examples of the sources: the expected values here are the true
ones, and the sources' printed values are checked to be *wrong* where the chapter says so.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import activations, bptt, cells, counting, losses, sequence
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
    assert s.min() < 0.05 and 1.8 < s.max() < 2.3
    np.testing.assert_allclose(np.linalg.svd(init.orthogonal(64, rng, gain=0.9),
                                             compute_uv=False), 0.9)


def test_state_leak_between_sequences() -> None:
    rng = np.random.default_rng(5)
    p = cells.init_rnn_params(d=2, n=8, rng=rng, gain=0.9)
    A, B = rng.normal(size=(10, 1, 2)), rng.normal(size=(6, 1, 2))
    h_A = sequence.forward("rnn", A, p).h_T
    leak = np.linalg.norm(sequence.forward("rnn", B, p, h0=h_A).H[:, 0]
                          - sequence.forward("rnn", B, p).H[:, 0], axis=1)
    assert leak[0] > 0.5 and 0.01 < leak[-1] < leak[0]


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
    assert abs(out[0][0] - out[1][0]) > 0.1


def test_stock_example_saturates_and_standardising_fixes_it() -> None:
    prices = np.array([100.0, 102.0, 104.0, 106.0, 108.0])
    posed = {"W_xh": np.full((2, 1), 0.5), "W_hh": 0.2 * np.eye(2), "b_h": np.zeros(2)}
    traj = sequence.forward("rnn", prices[:, None, None], posed)
    assert np.all(traj.H == 1.0)
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
    model = bptt.init_model("rnn", d=1, n=2, k=1, rng=rng)
    traj = sequence.forward("rnn", prices_z[:, None, None], model)
    assert np.ptp(traj.H[:, 0, 0]) > 0.5
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
    assert np.mean(raw < 0.01) > 0.9 and np.mean(std < 0.01) < 0.05
    assert np.median(std) > 0.7 and np.median(raw) < 1e-6
