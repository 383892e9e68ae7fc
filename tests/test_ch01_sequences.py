"""The numbers chapter 1 (book/01_sequences.ipynb) quotes, recomputed with the same package calls."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import bptt, cells, counting, sequence
from rnnbook.data import one_hot
from rnnbook.diagrams import PATTERNS, task_pattern_layout


def test_headline_lengths() -> None:
    # A source counts 8 tokens in the long headline; it has 7 words.
    assert len("NIFTY fell".split()) == 2
    assert len("NIFTY fell sharply after RBI policy announcement".split()) == 7


def test_mlp_versus_rnn_parameter_counts() -> None:
    d, m = 16, 32
    rnn = counting.count_params("rnn", d, m)
    assert rnn == d * m + m * m + m == 1568
    assert [m * T * d + m for T in (2, 7, 50, 500)] == [1056, 3616, 25632, 256032]
    w_min = next(w for w in range(1, 100) if m * w * d + m > rnn)
    assert w_min == 4


def test_bag_of_words_loses_order_but_rnn_does_not() -> None:
    a, b = np.array([0, 1, 2]), np.array([2, 1, 0])
    np.testing.assert_array_equal(one_hot(a, 3).sum(0), one_hot(b, 3).sum(0))
    params = cells.init_rnn_params(d=3, n=4, rng=np.random.default_rng(0))
    X = np.stack([one_hot(a, 3), one_hot(b, 3)], axis=1)
    h_T = sequence.forward("rnn", X, params).h_T
    assert np.linalg.norm(h_T[0] - h_T[1]) == pytest.approx(1.774048, abs=1e-6)   # ch01_order_gap


def test_agreement_distance() -> None:
    words = "The keys that my neighbour left on the kitchen table last night are missing".split()
    assert words.index("are") - words.index("keys") == 11


def test_translation_example_lengths() -> None:
    assert (len("I love India".split()), len("mujhe bharat pasand hai".split())) == (3, 4)


def test_influence_of_the_first_input_decays() -> None:
    rng = np.random.default_rng(1)
    params = cells.init_rnn_params(d=3, n=16, rng=rng, W_hh_init="orthogonal", gain=0.8)
    X = rng.normal(size=(40, 1, 3))
    Xc = X.copy()
    Xc[0] += 1.0
    infl = [np.linalg.norm(sequence.forward("rnn", Xc[:T], params).h_T
                           - sequence.forward("rnn", X[:T], params).h_T) for T in (1, 5, 10, 20, 40)]
    assert all(b < a for a, b in zip(infl, infl[1:], strict=False))
    assert infl[-1] < 1e-3 * infl[0]
    assert infl[-1] == pytest.approx(2.0462e-8, rel=1e-3)                       # ch01_influence_40


def test_shapes_of_the_five_patterns() -> None:
    rng = np.random.default_rng(2)
    d, n, k, B = 3, 5, 2, 4
    model = bptt.init_model("rnn", d, n, k, rng)
    rnn_params = {key: model[key] for key in ("W_xh", "W_hh", "b_h")}
    # one-to-one: one step from zero is an MLP layer
    x = rng.normal(size=(B, d))
    h, _ = cells.rnn_step_forward(x, np.zeros((B, n)), rnn_params)
    np.testing.assert_allclose(h, np.tanh(x @ rnn_params["W_xh"].T + rnn_params["b_h"]))
    X = rng.normal(size=(6, B, d))
    y, _ = bptt.predict(model, X, "rnn", task="many_to_one")
    Y, _ = bptt.predict(model, X, "rnn", task="many_to_many")
    assert y.shape == (B, k) and Y.shape == (6, B, k)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_pattern_has_a_figure_layout(pattern: str) -> None:
    lay = task_pattern_layout(pattern)
    assert lay.inputs and lay.outputs
