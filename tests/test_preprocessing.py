"""Tests of rnnbook.preprocessing: padding and masks, standardisation, embedding lookups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import gradcheck, losses, sequence
from rnnbook.cells import init_rnn_params
from rnnbook.data import one_hot
from rnnbook.preprocessing import (
    embedding_lookup,
    embedding_lookup_backward,
    fit_standardizer,
    pad_sequences,
    standardize,
)


# ---------------------------------------------------------------- padding
def test_pad_post_and_pre() -> None:
    a, b = np.arange(6.0).reshape(3, 2), np.array([[7.0, 8.0]])
    X, mask = pad_sequences([a, b], value=-1.0)
    assert X.shape == (3, 2, 2) and mask.shape == (3, 2)
    np.testing.assert_array_equal(X[:, 0], a)
    np.testing.assert_array_equal(X[0, 1], [7.0, 8.0])
    np.testing.assert_array_equal(X[1:, 1], -1.0)
    np.testing.assert_array_equal(mask, [[1, 1], [1, 0], [1, 0]])
    X, mask = pad_sequences([a, b], padding="pre", maxlen=4)
    np.testing.assert_array_equal(mask[:, 1], [0, 0, 0, 1])
    np.testing.assert_array_equal(X[3, 1], [7.0, 8.0])
    np.testing.assert_array_equal(X[:3, 1], 0.0)
    np.testing.assert_array_equal(X[1:, 0], a)


def test_pad_1d_sequences_become_one_feature() -> None:
    X, mask = pad_sequences([np.array([1.0, 2.0]), np.array([3.0])])
    assert X.shape == (2, 2, 1)
    assert mask.sum() == 3


@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.integers(1, 3))
def test_pad_round_trip(lengths: list[int], d: int) -> None:
    rng = np.random.default_rng(sum(lengths) + d)
    seqs = [rng.normal(size=(T, d)) for T in lengths]
    X, mask = pad_sequences(seqs)
    assert X.shape == (max(lengths), len(lengths), d)
    np.testing.assert_array_equal(mask.sum(axis=0), lengths)
    for b, s in enumerate(seqs):
        np.testing.assert_array_equal(X[mask[:, b] == 1, b], s)


@pytest.mark.parametrize("bad, err", [
    ([], ValueError),
    (np.zeros((3, 2)), TypeError),
    ([np.zeros((2, 2)), np.zeros((2, 3))], ValueError),
    ([np.zeros((0, 2))], ValueError),
    ([np.array([[np.nan]])], ValueError),
    ([np.zeros((2, 2, 2))], ValueError),
])
def test_pad_rejects_bad_input(bad, err) -> None:
    with pytest.raises(err):
        pad_sequences(bad)


def test_pad_rejects_bad_options() -> None:
    with pytest.raises(ValueError):
        pad_sequences([np.zeros((3, 1))], maxlen=2)
    with pytest.raises(ValueError):
        pad_sequences([np.zeros((3, 1))], padding="middle")
    with pytest.raises(ValueError):
        pad_sequences([np.zeros((3, 1))], value=np.nan)


def test_padding_leaves_the_real_states_alone_and_the_masked_loss_ignores_padding() -> None:
    """Post-padding cannot change h_t for t < T_i; a masked loss ignores the padded steps."""
    rng = np.random.default_rng(0)
    params = init_rnn_params(2, 3, rng)
    short = rng.normal(size=(2, 2))
    X, mask = pad_sequences([rng.normal(size=(4, 2)), short])
    H = sequence.forward("rnn", X, params).H
    alone = sequence.forward("rnn", short[:, None, :], params).H[:, 0]
    np.testing.assert_allclose(H[:2, 1], alone)
    target = rng.normal(size=H.shape)
    X2 = X.copy()
    X2[2:, 1] = 5.0                                      # a different padding value
    H2 = sequence.forward("rnn", X2, params).H
    masked = [losses.mse_loss(h, target, mask)[0] for h in (H, H2)]
    unmasked = [losses.mse_loss(h, target)[0] for h in (H, H2)]
    assert masked[0] == pytest.approx(masked[1], abs=1e-15)
    assert abs(unmasked[0] - unmasked[1]) > 1e-3


# ---------------------------------------------------------------- standardisation
def test_standardize_fits_on_train_only() -> None:
    train, test = np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0, 6.0])
    tr, te, scaler = standardize(train, test)
    assert tr.mean() == pytest.approx(0.0) and tr.std() == pytest.approx(1.0)
    np.testing.assert_allclose(te, (test - 2.5) / np.std(train))
    np.testing.assert_allclose(scaler.inverse(te), test)
    assert te.mean() != pytest.approx(0.0)                 # the test part is not re-fitted


@given(st.integers(2, 8), st.integers(1, 4))
def test_standardize_per_feature(T: int, d: int) -> None:
    rng = np.random.default_rng(T * 10 + d)
    X = rng.normal(3.0, 2.0, size=(T, 2, d))
    Z, scaler = standardize(X)
    np.testing.assert_allclose(Z.mean(axis=(0, 1)), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=(0, 1)), 1.0, rtol=1e-10)
    np.testing.assert_allclose(scaler.inverse(Z), X, rtol=1e-12, atol=1e-12)


def test_standardize_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="constant"):
        standardize(np.ones(5))
    with pytest.raises(ValueError):
        fit_standardizer(np.array([1.0]))
    with pytest.raises(ValueError):
        standardize(np.array([1.0, np.inf]))
    _, scaler = standardize(np.random.default_rng(0).normal(size=(4, 3)))
    with pytest.raises(ValueError):
        scaler.transform(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        scaler.inverse(np.zeros((2, 4)))


# ---------------------------------------------------------------- embeddings
def test_lookup_equals_one_hot_times_matrix() -> None:
    rng = np.random.default_rng(1)
    E = rng.normal(size=(7, 3))
    idx = rng.integers(0, 7, size=(4, 2))
    np.testing.assert_allclose(embedding_lookup(E, idx), one_hot(idx, 7) @ E)
    assert embedding_lookup(E, idx).shape == (4, 2, 3)


def test_lookup_backward_gradcheck() -> None:
    rng = np.random.default_rng(2)
    E = rng.normal(size=(5, 3))
    idx = np.array([[0, 4], [4, 2], [0, 0]])
    G = rng.normal(size=(3, 2, 3))

    def f() -> float:
        return float(np.sum(G * embedding_lookup(E, idx) ** 2))

    analytic = embedding_lookup_backward(2 * G * embedding_lookup(E, idx), idx, 5)
    numeric = gradcheck.numerical_gradient(f, E)
    assert gradcheck.relative_error(analytic, numeric) < 1e-6
    # rows of tokens that never occur get no gradient; the sum matches O^T dX
    np.testing.assert_array_equal(analytic[[1, 3]], 0.0)
    np.testing.assert_allclose(analytic, one_hot(idx, 5).reshape(-1, 5).T
                               @ (2 * G * embedding_lookup(E, idx)).reshape(-1, 3))


def test_lookup_rejects_bad_input() -> None:
    E = np.zeros((3, 2))
    with pytest.raises(ValueError):
        embedding_lookup(E, np.array([3]))
    with pytest.raises(TypeError):
        embedding_lookup(E, np.array([0.0, 1.0]))
    with pytest.raises(ValueError):
        embedding_lookup(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError):
        embedding_lookup_backward(np.zeros((2, 2)), np.array([0, 1, 2]), 3)
    with pytest.raises(ValueError):
        embedding_lookup_backward(np.zeros((1, 2)), np.array([-1]), 3)
