"""rnnbook.training: the generic training loop, with rnnbook.bptt for the recurrent models."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import bptt, data, optim
from rnnbook.training import History, train


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
                     lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "gru", "many_to_one"),
                     optim.Adam(1e-2), clip=1.0, steps=15).loss
    np.testing.assert_array_equal(run(), run())


def test_train_learns_the_adding_problem_at_a_short_lag():
    """The chapter's long-range experiment, small: a GRU beats the 1/6 baseline at T = 10."""
    rng = np.random.default_rng(0)
    params = bptt.init_model("gru", 2, 8, 1, rng)
    train(params, lambda s: data.adding_problem(10, 32, rng),
          lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "gru", "many_to_one"),
          optim.Adam(2e-2), clip=1.0, steps=150)
    X, y = data.adding_problem(10, 500, np.random.default_rng(99))
    mse = float(np.mean((bptt.predict(params, X, "gru", "many_to_one")[0] - y) ** 2))
    assert mse < 0.02 < 1 / 6


def test_train_clip_accepts_a_callable_and_records_the_unclipped_norm():
    x, y, loss_fn = _linear_problem(4)
    params = {"w": np.zeros((1, 1))}
    _, g = loss_fn({"w": np.zeros((1, 1))}, x, y)
    seen = []

    def clip(grads):
        seen.append(grads["w"].copy())
        return optim.clip_by_value(grads, 0.05)
    hist = train(params, lambda s: (x, y), loss_fn, optim.SGD(1.0), clip=clip, steps=1)
    np.testing.assert_array_equal(seen[0], g["w"])
    assert abs(g["w"][0, 0]) > 0.05
    assert params["w"][0, 0] == pytest.approx(-0.05 * np.sign(g["w"][0, 0]))
    assert hist.grad_norm[0] == pytest.approx(abs(g["w"][0, 0]))


def test_train_stop_when_ends_a_diverging_run_cleanly():
    """SGD with lr = 2 on a quadratic of curvature 2 E[x^2] > 1 diverges geometrically."""
    x, y, loss_fn = _linear_problem(5)
    params = {"w": np.zeros((1, 1))}
    snapshots = []

    def record(p):
        snapshots.append(p["w"].copy())
        return float(p["w"][0, 0])
    hist = train(params, lambda s: (x, y), loss_fn, optim.SGD(2.0), steps=500,
                 eval_fn=record, eval_every=0, stop_when=lambda s, L, g: g > 1e6)
    k = hist.stopped_at
    assert k is not None and 3 < k < 500
    assert hist.loss.shape == hist.grad_norm.shape == (k + 1,)
    assert hist.grad_norm[-1] > 1e6 >= hist.grad_norm[:-1].max()
    # no update at the stopping step: the parameters are those that produced the last norm
    _, g_last = loss_fn(params, x, y)
    assert float(np.abs(g_last["w"]).max()) == pytest.approx(hist.grad_norm[-1])
    # the final parameters were evaluated once, after the k updates that were made
    assert list(hist.eval_steps) == [k]
    np.testing.assert_array_equal(snapshots[-1], params["w"])


def test_train_stop_when_sees_non_finite_values_instead_of_raising():
    x, y, _ = _linear_problem(6)
    params = {"w": np.zeros((1, 1))}

    def loss_fn(p, X, Y):
        return float("inf"), {"w": np.full((1, 1), np.inf)}
    hist = train(params, lambda s: (x, y), loss_fn, optim.SGD(0.1), steps=5,
                 stop_when=lambda s, L, g: not np.isfinite(g))
    assert hist.stopped_at == 0 and hist.loss.shape == (1,)
    assert params["w"][0, 0] == 0.0
    # a run that does every step reports stopped_at None
    assert train(params, lambda s: (x, y), _linear_problem(6)[2], optim.SGD(0.1), steps=2,
                 stop_when=lambda s, L, g: False).stopped_at is None


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
    with pytest.raises(ValueError, match="clip"):
        train(params, batches, loss_fn, optim.SGD(0.1), clip="value")
    with pytest.raises(TypeError, match="stop_when"):
        train(params, batches, loss_fn, optim.SGD(0.1), stop_when=1e6)
    with pytest.raises(ValueError, match="eval_every"):
        train(params, batches, loss_fn, optim.SGD(0.1), eval_every=-2)
    with pytest.raises(ValueError, match="non-finite"):
        train(params, batches, lambda p, X, Y: (float("nan"), {"w": p["w"]}), optim.SGD(0.1))
    with pytest.raises(ValueError, match="no evaluation"):
        _ = train(params, batches, loss_fn, optim.SGD(0.1), steps=1).final_eval
