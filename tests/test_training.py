"""rnnbook.training: the fused BPTT against finite differences and against rnnbook.bptt,
and the generic training loop."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import perturb
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bptt, data, optim, training
from rnnbook.gradcheck import check_gradients
from rnnbook.training import (
    History,
    fused_forward,
    fused_loss_and_grads,
    fused_predict,
    train,
)

CASES = [(cell, task, loss) for cell in ("rnn", "lstm", "gru")
         for task in ("many_to_many", "many_to_one") for loss in ("mse", "xent")]


def _problem(cell, task, loss, T, B, d, n, k, seed):
    rng = np.random.default_rng(seed)
    params = perturb(bptt.init_model(cell, d, n, k, rng), rng)
    X = rng.normal(size=(T, B, d))
    lead = (T, B) if task == "many_to_many" else (B,)
    Y = rng.normal(size=(*lead, k)) if loss == "mse" else rng.integers(0, k, size=lead)
    h0 = rng.normal(size=(B, n))
    c0 = rng.normal(size=(B, n)) if cell == "lstm" else None
    return params, X, Y, h0, c0


@pytest.mark.parametrize(("cell", "task", "loss"), CASES)
def test_fused_gradients_match_finite_differences(cell, task, loss):
    params, X, Y, h0, c0 = _problem(cell, task, loss, T=4, B=2, d=3, n=3, k=2, seed=7)
    _, grads = fused_loss_and_grads(params, X, Y, cell, task, loss, h0=h0, c0=c0)
    errors = check_gradients(
        lambda: fused_loss_and_grads(params, X, Y, cell, task, loss, h0=h0, c0=c0)[0],
        params, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize(("cell", "task", "loss"), CASES)
@given(T=st.integers(1, 6), B=st.integers(1, 4), d=st.integers(1, 3), n=st.integers(1, 5),
       k=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_fused_equals_package_bptt(cell, task, loss, T, B, d, n, k, seed):
    """Same loss and gradients as the step-by-step rnnbook.bptt.loss_and_grads."""
    params, X, Y, h0, c0 = _problem(cell, task, loss, T, B, d, n, k, seed)
    ref_loss, ref = bptt.loss_and_grads(params, X, Y, cell, task, loss, h0=h0, c0=c0)
    value, grads = fused_loss_and_grads(params, X, Y, cell, task, loss, h0=h0, c0=c0)
    assert value == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    assert set(grads) == set(ref)
    for key in ref:
        np.testing.assert_allclose(grads[key], ref[key], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_blocked_products_give_the_same_result(cell, monkeypatch):
    """Forcing every product inside the loop into tiny blocks changes nothing."""
    params, X, Y, h0, c0 = _problem(cell, "many_to_many", "mse", T=5, B=6, d=4, n=5, k=3,
                                    seed=3)
    ref_loss, ref = fused_loss_and_grads(params, X, Y, cell, h0=h0, c0=c0)
    monkeypatch.setattr(training, "_SMALL_PRODUCT", 7)
    value, grads = fused_loss_and_grads(params, X, Y, cell, h0=h0, c0=c0)
    assert value == pytest.approx(ref_loss, rel=1e-12)
    for key in ref:
        np.testing.assert_allclose(grads[key], ref[key], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_fused_forward_and_predict_match_package(cell):
    rng = np.random.default_rng(0)
    params = perturb(bptt.init_model(cell, 2, 4, 3, rng), rng)
    X = rng.normal(size=(6, 3, 2))
    out_ref, traj = bptt.predict(params, X, cell, "many_to_many")
    H, C = fused_forward(params, X, cell)
    np.testing.assert_allclose(H, traj.H, rtol=1e-12, atol=1e-14)
    assert (C is None) == (cell != "lstm")
    np.testing.assert_allclose(fused_predict(params, X, cell), out_ref, rtol=1e-12, atol=1e-14)
    last, _ = bptt.predict(params, X, cell, "many_to_one")
    np.testing.assert_allclose(fused_predict(params, X, cell, "many_to_one"), last, rtol=1e-12)


def test_fused_rejects_bad_inputs():
    rng = np.random.default_rng(0)
    params = bptt.init_model("lstm", 2, 3, 1, rng)
    X = rng.normal(size=(4, 2, 2))
    Y = rng.normal(size=(4, 2, 1))
    with pytest.raises(ValueError, match="3 dimensions"):
        fused_loss_and_grads(params, X[0], Y, "lstm")
    with pytest.raises(ValueError, match="W_xh"):
        fused_loss_and_grads(params, rng.normal(size=(4, 2, 5)), Y, "lstm")
    with pytest.raises(ValueError, match="cell"):
        fused_loss_and_grads(params, X, Y, "transformer")
    with pytest.raises(ValueError, match="W_hh"):
        fused_loss_and_grads(params, X, Y, "gru")          # LSTM weights given to a GRU
    with pytest.raises(ValueError, match="Y"):
        fused_loss_and_grads(params, X, Y[:, :, 0], "lstm")
    with pytest.raises(ValueError, match="NaN"):
        fused_loss_and_grads(params, X * np.nan, Y, "lstm")
    with pytest.raises(ValueError, match="c0"):
        fused_forward(bptt.init_model("rnn", 2, 3, 1, rng), X, "rnn", c0=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="h0"):
        fused_forward(params, X, "lstm", h0=np.zeros((3, 3)))
    peep = bptt.init_model("lstm", 2, 3, 1, rng, peephole=True)
    with pytest.raises(ValueError, match="default cells"):
        fused_loss_and_grads(peep, X, Y, "lstm")
    with pytest.raises(ValueError, match="task"):
        fused_predict(params, X, "lstm", task="one_to_many")
    with pytest.raises(KeyError, match="W_hy"):
        fused_forward({k: v for k, v in params.items() if k != "W_hy"}, X, "lstm")


# ---------------------------------------------------------------------------
# the training loop
# ---------------------------------------------------------------------------
def _linear_problem(seed):
    """Least squares y = w x: loss (w x - y)^2 averaged; known minimiser."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 1))
    y = 3.0 * x

    def loss_fn(params, X, Y):
        r = X @ params["w"] - Y
        return float(np.mean(r**2)), {"w": 2.0 * X.T @ r / X.shape[0]}
    return x, y, loss_fn


def test_train_converges_and_records_history():
    x, y, loss_fn = _linear_problem(0)
    params = {"w": np.zeros((1, 1))}
    hist = train(params, lambda s: (x, y), loss_fn, optim.SGD(0.1), steps=200,
                 eval_fn=lambda p: float(p["w"][0, 0]), eval_every=50)
    assert isinstance(hist, History)
    assert hist.loss.shape == hist.grad_norm.shape == (200,)
    assert hist.loss[0] == pytest.approx(np.mean(y**2))      # loss before the first update
    assert params["w"][0, 0] == pytest.approx(3.0, abs=1e-6)
    assert list(hist.eval_steps) == [50, 100, 150, 200]
    assert hist.final_eval == pytest.approx(3.0, abs=1e-6)
    assert np.all(np.diff(hist.loss) <= 1e-15)              # convex, small step: monotone


def test_train_clips_the_global_norm():
    x, y, loss_fn = _linear_problem(1)
    params = {"w": np.zeros((1, 1))}
    opt = optim.SGD(1.0)
    hist = train(params, lambda s: (x, y), loss_fn, opt, clip=0.01, steps=1)
    # one SGD step of size lr * clip in the descent direction; the norm is recorded unclipped
    assert abs(params["w"][0, 0]) == pytest.approx(0.01)
    assert hist.grad_norm[0] > 0.01


def test_train_is_reproducible_with_seeds():
    def run():
        rng = np.random.default_rng(5)
        params = bptt.init_model("gru", 2, 4, 1, rng)
        return train(params, lambda s: data.adding_problem(6, 8, rng),
                     lambda p, X, Y: fused_loss_and_grads(p, X, Y, "gru", "many_to_one"),
                     optim.Adam(1e-2), clip=1.0, steps=15).loss
    np.testing.assert_array_equal(run(), run())


def test_train_learns_the_adding_problem_at_a_short_lag():
    """The chapter's long-range experiment, small: a GRU beats the 1/6 baseline at T = 10."""
    rng = np.random.default_rng(0)
    params = bptt.init_model("gru", 2, 8, 1, rng)
    train(params, lambda s: data.adding_problem(10, 32, rng),
          lambda p, X, Y: fused_loss_and_grads(p, X, Y, "gru", "many_to_one"),
          optim.Adam(2e-2), clip=1.0, steps=150)
    X, y = data.adding_problem(10, 500, np.random.default_rng(99))
    mse = float(np.mean((fused_predict(params, X, "gru", "many_to_one") - y) ** 2))
    assert mse < 0.02 < 1 / 6


def test_train_accepts_an_iterable_and_reports_running_out():
    x, y, loss_fn = _linear_problem(2)
    params = {"w": np.zeros((1, 1))}
    train(params, [(x, y)] * 3, loss_fn, optim.SGD(0.1), steps=3)
    with pytest.raises(ValueError, match="ran out"):
        train(params, [(x, y)] * 2, loss_fn, optim.SGD(0.1), steps=3)


def test_train_rejects_bad_inputs():
    x, y, loss_fn = _linear_problem(3)
    params = {"w": np.zeros((1, 1))}
    batches = lambda s: (x, y)  # noqa: E731
    with pytest.raises(TypeError, match="params"):
        train({}, batches, loss_fn, optim.SGD(0.1))
    with pytest.raises(ValueError, match="steps"):
        train(params, batches, loss_fn, optim.SGD(0.1), steps=0)
    with pytest.raises(TypeError, match="loss_fn"):
        train(params, batches, "mse", optim.SGD(0.1))
    with pytest.raises(TypeError, match="optimizer"):
        train(params, batches, loss_fn, object())
    with pytest.raises(ValueError, match="clip"):
        train(params, batches, loss_fn, optim.SGD(0.1), clip=-1.0)
    with pytest.raises(ValueError, match="eval_every"):
        train(params, batches, loss_fn, optim.SGD(0.1), eval_every=-2)
    with pytest.raises(ValueError, match="non-finite"):
        train(params, batches, lambda p, X, Y: (float("nan"), {"w": p["w"]}), optim.SGD(0.1))
    with pytest.raises(ValueError, match="no evaluation"):
        _ = train(params, batches, loss_fn, optim.SGD(0.1), steps=1).final_eval
