"""rnnbook.symbolic: the sympy gradient of a scalar RNN equals the package's numeric BPTT."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bptt, symbolic
from rnnbook.gradcheck import numerical_gradient

VARIANTS = [(a, loss, r) for a in ("tanh", "sigmoid", "linear") for loss in ("last", "mean")
            for r in (False, True)]


@cache
def _gradient_function(T, activation, loss, readout):
    return symbolic.lambdify_gradient(T, activation, loss, readout)


def _point(rng, T, readout):
    names = "wubvc" if readout else "wub"
    values = {name: float(rng.uniform(-1.5, 1.5)) for name in names}
    return values, float(rng.normal()), rng.normal(size=T), rng.normal(size=T)


@pytest.mark.parametrize(("activation", "loss", "readout"), VARIANTS)
@given(T=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_symbolic_gradient_equals_package_bptt(activation, loss, readout, T, seed):
    values, h0, x, y = _point(np.random.default_rng(seed), T, readout)
    sym_loss, sym_grads = _gradient_function(T, activation, loss, readout)(values, h0, x, y)
    num_loss, num_grads = symbolic.package_bptt(values, h0, x, y, activation, loss, readout)
    assert sym_loss == pytest.approx(num_loss, rel=1e-12, abs=1e-14)
    assert sym_grads.keys() == num_grads.keys()
    for name in sym_grads:
        assert sym_grads[name] == pytest.approx(num_grads[name], rel=1e-10, abs=1e-12)


def test_package_bptt_is_loss_and_grads_itself():
    """The 3-step example of the chapter, through rnnbook.bptt.loss_and_grads directly."""
    values, h0 = {"w": 0.9, "u": 0.5, "b": -0.1}, 0.2
    x, y = [1.0, -0.5, 0.8], [0.0, 0.0, 0.3]
    params = {"W_xh": np.array([[0.5]]), "W_hh": np.array([[0.9]]), "b_h": np.array([-0.1]),
              "W_hy": np.array([[1.0]]), "b_y": np.zeros(1)}
    loss, g = bptt.loss_and_grads(params, np.array(x).reshape(3, 1, 1), np.array([[0.3]]),
                                  task="many_to_one", h0=np.array([[h0]]))
    sym_loss, sym = symbolic.lambdify_gradient(3)(values, h0, x, y)
    assert sym_loss == pytest.approx(loss, rel=1e-13)
    assert sym["w"] == pytest.approx(g["W_hh"][0, 0], rel=1e-12)
    assert sym["u"] == pytest.approx(g["W_xh"][0, 0], rel=1e-12)
    assert sym["b"] == pytest.approx(g["b_h"][0], rel=1e-12)


@pytest.mark.parametrize(("activation", "loss", "readout"), VARIANTS)
def test_lambdified_gradient_matches_finite_differences(activation, loss, readout):
    """Independent of the package: the sympy gradient against central differences of the
    sympy loss."""
    T = 3
    rng = np.random.default_rng(7)
    values, h0, x, y = _point(rng, T, readout)
    f = _gradient_function(T, activation, loss, readout)
    _, grads = f(values, h0, x, y)
    theta = np.array([values[name] for name in grads])

    def loss_only():
        return f(dict(zip(grads, theta, strict=True)), h0, x, y)[0]

    numeric = numerical_gradient(loss_only, theta)
    np.testing.assert_allclose(list(grads.values()), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("activation", "loss", "readout"), VARIANTS)
@pytest.mark.parametrize("T", [1, 2, 3])
def test_bptt_recursion_equals_total_derivative_symbolically(activation, loss, readout, T):
    recursion = symbolic.bptt_recursion(T, activation, loss, readout)
    direct = symbolic.gradient_in_states(T, activation, loss, readout)
    assert recursion.keys() == direct.keys()
    for name in direct:
        assert sp.expand(recursion[name] - direct[name]) == 0
        assert not direct[name].atoms(sp.Function, sp.Subs)  # no tanh, sigmoid or f left


def test_gradient_in_states_hand_derivation():
    """T = 2, tanh, L = (h_2 - y_2)^2: dL/dw = 2 (h_2 - y_2)(1 - h_2^2)[h_1 + w (1 - h_1^2) h_0]."""
    m = symbolic.scalar_rnn(2)
    w, h0, (h1, h2), y2 = m.params["w"], m.h0, m.h, m.y[1]
    expected = 2 * (h2 - y2) * (1 - h2**2) * (h1 + w * (1 - h1**2) * h0)
    got = symbolic.gradient_in_states(2)["w"]
    assert sp.expand(got - expected) == 0
    # and it is not the immediate partial (which drops the path through h_1):
    immediate = 2 * (h2 - y2) * (1 - h2**2) * h1
    assert sp.expand(got - immediate) != 0


def test_gradient_in_states_equals_nested_gradient_numerically():
    m = symbolic.scalar_rnn(3, "sigmoid", "mean", True)
    nested = symbolic.scalar_rnn_gradient(3, "sigmoid", "mean", True)
    in_states = symbolic.gradient_in_states(3, "sigmoid", "mean", True)
    rng = np.random.default_rng(0)
    point = {s: float(rng.normal()) for s in [*m.params.values(), m.h0, *m.x, *m.y]}
    states = {m.h[t]: float(m.states[t].xreplace(point)) for t in range(3)}
    for name in nested:
        assert float(in_states[name].xreplace({**point, **states})) == pytest.approx(
            float(nested[name].xreplace(point)), rel=1e-12)


def test_scalar_rnn_structure():
    m = symbolic.scalar_rnn(3, readout=True)
    assert m.readout and list(m.params) == ["w", "u", "b", "v", "c"]
    assert len(m.x) == len(m.y) == len(m.h) == len(m.states) == 3
    assert symbolic.scalar_rnn_loss(2) == (sp.tanh(m.params["w"] * sp.tanh(
        m.params["w"] * m.h0 + m.params["u"] * m.x[0] + m.params["b"])
        + m.params["u"] * m.x[1] + m.params["b"]) - m.y[1]) ** 2
    # The loss written with free states has no immediate dependence on w.
    assert sp.diff(m.loss_in_states, m.params["w"]) == 0
    assert sp.diff(m.loss, m.params["w"]) != 0


def test_symbolic_bad_input():
    with pytest.raises(ValueError, match="T must be >= 1"):
        symbolic.scalar_rnn(0)
    with pytest.raises(TypeError, match="T must be an integer"):
        symbolic.scalar_rnn_loss(2.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        symbolic.scalar_rnn_gradient(2, "relu")
    with pytest.raises(ValueError, match="loss must be one of"):
        symbolic.gradient_in_states(2, loss="sum")
    with pytest.raises(TypeError, match="readout must be a bool"):
        symbolic.bptt_recursion(2, readout="yes")
    with pytest.raises(ValueError, match="t must be in 1..2"):
        symbolic.scalar_rnn(2).step(3, sp.Integer(0))
    f = symbolic.lambdify_gradient(2)
    with pytest.raises(KeyError, match="missing"):
        f({"w": 1.0, "u": 1.0}, 0.0, [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"shape \(T,\) = \(2,\)"):
        f({"w": 1.0, "u": 1.0, "b": 0.0}, 0.0, [1.0, 2.0, 3.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="NaN"):
        f({"w": np.nan, "u": 1.0, "b": 0.0}, 0.0, [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(TypeError, match="values must be a dict"):
        symbolic.package_bptt([1.0, 2.0, 3.0], 0.0, [1.0], [0.0])
    with pytest.raises(ValueError, match="at least one time step"):
        symbolic.package_bptt({"w": 1.0, "u": 1.0, "b": 0.0}, 0.0, [], [])
    with pytest.raises(ValueError, match=r"shape \(T,\) = \(2,\)"):
        symbolic.package_bptt({"w": 1.0, "u": 1.0, "b": 0.0}, 0.0, [1.0, 2.0], [0.0])
