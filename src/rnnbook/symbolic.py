r"""Symbolic backpropagation through time for a scalar RNN, with sympy.

The model has one input, one hidden unit and (optionally) a linear read-out:

.. math::
    h_t = f(w\,h_{t-1} + u\,x_t + b), \qquad \hat y_t = v\,h_t + c, \qquad t = 1, \dots, T,

with :math:`f` one of ``"tanh"``, ``"sigmoid"`` or ``"linear"``. Without the read-out
(``readout=False``) :math:`\hat y_t = h_t`. Two losses, chosen to equal what
:func:`rnnbook.bptt.loss_and_grads` computes for one sequence (batch size 1):

* ``loss="last"`` (many-to-one): :math:`L = (\hat y_T - y_T)^2`;
* ``loss="mean"`` (many-to-many): :math:`L = \frac{1}{T}\sum_{t=1}^T (\hat y_t - y_t)^2`.

There is no factor :math:`\tfrac12`, as in the package's squared error.

Writing :math:`h_t` as the nested expression of the parameters gives the *total*
derivatives :math:`dL/dw, \dots` by plain differentiation (:func:`scalar_rnn_gradient`).
Writing it with free symbols :math:`h_1, \dots, h_T` for the states and substituting them
back after differentiating gives the same gradient in the factored form that the BPTT
recursion produces (:func:`gradient_in_states`). :func:`lambdify_gradient` turns the
expressions into a numeric function, and :func:`package_bptt` computes the same numbers
with the package's numeric BPTT, so that the two can be compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._checks import as_array, check_choice, check_positive_int

__all__ = [
    "ScalarRNN",
    "bptt_recursion",
    "gradient_in_states",
    "lambdify_gradient",
    "package_bptt",
    "scalar_rnn",
    "scalar_rnn_gradient",
    "scalar_rnn_loss",
]

ACTIVATIONS = ("tanh", "sigmoid", "linear")
LOSSES = ("last", "mean")


def _f(z: sp.Expr, activation: str) -> sp.Expr:
    if activation == "tanh":
        return sp.tanh(z)
    if activation == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    return z


@dataclass(frozen=True)
class ScalarRNN:
    r"""The symbols and expressions of a ``T``-step scalar RNN and its loss.

    Attributes
    ----------
    T : int
    activation : str
    loss_kind : str
        ``"last"`` or ``"mean"``.
    params : dict
        Parameter symbols by name: ``w``, ``u``, ``b`` and, with a read-out, ``v``, ``c``.
    h0 : sympy.Symbol
        Initial state :math:`h_0`.
    x, y : tuple of sympy.Symbol
        Inputs :math:`x_1..x_T` and targets :math:`y_1..y_T` (``"last"`` uses only
        :math:`y_T`).
    h : tuple of sympy.Symbol
        Free symbols :math:`h_1..h_T` standing for the states.
    states : tuple of sympy.Expr
        :math:`h_1..h_T` as nested expressions of the parameters, :math:`h_0` and the inputs.
    loss : sympy.Expr
        :math:`L` as an expression of the parameters, :math:`h_0`, the inputs and targets.
    loss_in_states : sympy.Expr
        :math:`L` written with the state symbols ``h`` (its derivatives are the
        immediate partials :math:`\partial L/\partial h_t`).
    """

    T: int
    activation: str
    loss_kind: str
    params: dict[str, sp.Symbol]
    h0: sp.Symbol
    x: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    h: tuple[sp.Symbol, ...]
    states: tuple[sp.Expr, ...]
    loss: sp.Expr
    loss_in_states: sp.Expr

    @property
    def readout(self) -> bool:
        """True if the model has the read-out :math:`\\hat y_t = v h_t + c`."""
        return "v" in self.params

    def step(self, t: int, h_prev: sp.Expr) -> sp.Expr:
        r""":math:`f(w\,h_{t-1} + u\,x_t + b)` for ``t`` in ``1..T`` and a given :math:`h_{t-1}`."""
        t = check_positive_int(t, "t")
        if t > self.T:
            raise ValueError(f"t must be in 1..{self.T}, got {t}")
        p = self.params
        return _f(p["w"] * h_prev + p["u"] * self.x[t - 1] + p["b"], self.activation)


def scalar_rnn(T: int, activation: str = "tanh", loss: str = "last",
               readout: bool = False) -> ScalarRNN:
    r"""Build the symbols and expressions of a ``T``-step scalar RNN (see the module docstring).

    Parameters
    ----------
    T : int >= 1
        Number of time steps.
    activation : {"tanh", "sigmoid", "linear"}
    loss : {"last", "mean"}
        :math:`(\hat y_T - y_T)^2` or :math:`\frac1T\sum_t (\hat y_t - y_t)^2`.
    readout : bool
        Add the read-out :math:`\hat y_t = v h_t + c`; otherwise :math:`\hat y_t = h_t`.

    Returns
    -------
    ScalarRNN
    """
    T = check_positive_int(T, "T")
    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(loss, "loss", LOSSES)
    if not isinstance(readout, bool):
        raise TypeError(f"readout must be a bool, got {type(readout).__name__}")
    names = ("w", "u", "b", "v", "c") if readout else ("w", "u", "b")
    params = {name: sp.Symbol(name, real=True) for name in names}
    h0 = sp.Symbol("h_0", real=True)
    x = tuple(sp.Symbol(f"x_{t}", real=True) for t in range(1, T + 1))
    y = tuple(sp.Symbol(f"y_{t}", real=True) for t in range(1, T + 1))
    h = tuple(sp.Symbol(f"h_{t}", real=True) for t in range(1, T + 1))
    w, u, b = params["w"], params["u"], params["b"]

    states = []
    prev: sp.Expr = h0
    for t in range(T):
        prev = _f(w * prev + u * x[t] + b, activation)
        states.append(prev)

    def out(state: sp.Expr) -> sp.Expr:
        return params["v"] * state + params["c"] if readout else state

    def total(hs: Sequence[sp.Expr]) -> sp.Expr:
        if loss == "last":
            return (out(hs[-1]) - y[-1]) ** 2
        return sp.Rational(1, T) * sum((out(hs[t]) - y[t]) ** 2 for t in range(T))

    return ScalarRNN(T, activation, loss, params, h0, x, y, h, tuple(states),
                     total(states), total(h))


def scalar_rnn_loss(T: int, activation: str = "tanh", loss: str = "last",
                    readout: bool = False) -> sp.Expr:
    """The loss of :func:`scalar_rnn` as one sympy expression (states fully nested)."""
    return scalar_rnn(T, activation, loss, readout).loss


def scalar_rnn_gradient(T: int, activation: str = "tanh", loss: str = "last",
                        readout: bool = False) -> dict[str, sp.Expr]:
    r"""Total derivatives :math:`dL/dw, dL/du, dL/db` (and :math:`dL/dv, dL/dc`).

    Obtained by differentiating the fully nested loss, so every path from a parameter
    to the loss is included. Keys are the parameter names.
    """
    model = scalar_rnn(T, activation, loss, readout)
    return {name: sp.diff(model.loss, sym) for name, sym in model.params.items()}


_F = sp.Function("f")


def _derivative_in_state(h_t: sp.Symbol, activation: str) -> sp.Expr:
    r""":math:`f'(z_t)` written with :math:`h_t = f(z_t)`."""
    if activation == "tanh":
        return 1 - h_t**2
    if activation == "sigmoid":
        return h_t * (1 - h_t)
    return sp.Integer(1)


def gradient_in_states(T: int, activation: str = "tanh", loss: str = "last",
                       readout: bool = False) -> dict[str, sp.Expr]:
    r"""The total gradient written with the state symbols :math:`h_1..h_T`.

    The loss is built with an undefined function :math:`f` in place of the activation,
    differentiated (sympy applies the chain rule along every path), and then, innermost
    step first, :math:`f(z_t)` is replaced by :math:`h_t` and :math:`f'(z_t)` by its value
    written with :math:`h_t` (:math:`1 - h_t^2` for tanh, :math:`h_t(1 - h_t)` for the
    sigmoid, 1 for linear). The result holds no activation function: it is the nested
    form that the BPTT recursion produces, e.g. for ``T=2``, ``"last"``, tanh,
    :math:`dL/dw = 2(1 - h_2^2)\,[h_1 + w(1 - h_1^2) h_0]\,(h_2 - y_2)`.
    """
    model = scalar_rnn(T, activation, loss, readout)
    p = model.params
    states = []
    prev: sp.Expr = model.h0
    for t in range(T):
        prev = _F(p["w"] * prev + p["u"] * model.x[t] + p["b"])
        states.append(prev)
    generic = model.loss_in_states.xreplace(dict(zip(model.h, states, strict=True)))
    out = {}
    for name, sym in p.items():
        g = sp.diff(generic, sym)
        prev = model.h0
        for t in range(1, T + 1):
            h_t = model.h[t - 1]
            z_t = p["w"] * prev + p["u"] * model.x[t - 1] + p["b"]
            fp = _derivative_in_state(h_t, activation)
            g = g.replace(lambda e, z=z_t: isinstance(e, sp.Subs) and e.point == (z,),
                          lambda e, fp=fp: fp)
            g = g.xreplace({_F(z_t): h_t})
            prev = h_t
        out[name] = g
    return out


def bptt_recursion(T: int, activation: str = "tanh", loss: str = "last",
                   readout: bool = False) -> dict[str, sp.Expr]:
    r"""The gradient assembled by the BPTT recursion, in the state symbols :math:`h_1..h_T`.

    With :math:`f'_t` written through :math:`h_t` (see :func:`gradient_in_states`):

    .. math::
        \frac{dL}{dh_T} = \frac{\partial L}{\partial h_T}, \qquad
        \frac{dL}{dh_t} = \frac{\partial L}{\partial h_t}
            + w\, f'_{t+1}\, \frac{dL}{dh_{t+1}}, \qquad
        \delta_t = f'_t \frac{dL}{dh_t},

    .. math::
        \frac{dL}{dw} = \sum_t \delta_t h_{t-1}, \quad
        \frac{dL}{du} = \sum_t \delta_t x_t, \quad
        \frac{dL}{db} = \sum_t \delta_t,

    and with a read-out :math:`dL/dv = \sum_t (\partial L/\partial \hat y_t) h_t`,
    :math:`dL/dc = \sum_t \partial L/\partial \hat y_t`. The immediate partials
    :math:`\partial L/\partial h_t` are sympy derivatives of the loss written with free
    state symbols. :func:`gradient_in_states` minus this expands to zero.
    """
    model = scalar_rnn(T, activation, loss, readout)
    p, h = model.params, model.h
    fp = [_derivative_in_state(h_t, activation) for h_t in h]
    partial = [sp.diff(model.loss_in_states, h_t) for h_t in h]
    total: list[sp.Expr] = [sp.Integer(0)] * T
    total[T - 1] = partial[T - 1]
    for t in range(T - 2, -1, -1):
        total[t] = partial[t] + p["w"] * fp[t + 1] * total[t + 1]
    delta = [fp[t] * total[t] for t in range(T)]
    h_prev = [model.h0, *h[:-1]]
    out = {"w": sum(delta[t] * h_prev[t] for t in range(T)),
           "u": sum(delta[t] * model.x[t] for t in range(T)),
           "b": sum(delta)}
    if readout:
        # dL/dyhat_t: the loss written with free output symbols, then yhat_t = v h_t + c.
        y_hat = tuple(sp.Symbol(f"yhat_{t}", real=True) for t in range(1, T + 1))
        diffs = [(y_hat[t] - model.y[t]) ** 2 for t in range(T)]
        loss_out = diffs[-1] if loss == "last" else sp.Rational(1, T) * sum(diffs)
        back = {y_hat[t]: p["v"] * h[t] + p["c"] for t in range(T)}
        d_out = [sp.diff(loss_out, y_hat[t]).xreplace(back) for t in range(T)]
        out["v"] = sum(d_out[t] * h[t] for t in range(T))
        out["c"] = sum(d_out)
    return out


def _symbol_order(model: ScalarRNN) -> list[sp.Symbol]:
    return [*model.params.values(), model.h0, *model.x, *model.y]


def lambdify_gradient(T: int, activation: str = "tanh", loss: str = "last",
                      readout: bool = False
                      ) -> Callable[[Mapping[str, float], float, Sequence[float], Sequence[float]],
                                    tuple[float, dict[str, float]]]:
    r"""A numeric function ``g(values, h0, x, y) -> (loss, {name: dL/dname})`` from the sympy gradient.

    ``values`` maps the parameter names (``w``, ``u``, ``b`` and, with a read-out, ``v``,
    ``c``) to floats; ``x`` and ``y`` are sequences of ``T`` floats (``y`` must have length
    ``T`` also for ``loss="last"``; only its last entry is used).
    """
    model = scalar_rnn(T, activation, loss, readout)
    symbols = _symbol_order(model)
    grads = {name: sp.diff(model.loss, sym) for name, sym in model.params.items()}
    f_loss = sp.lambdify(symbols, model.loss, "math")
    f_grad = {name: sp.lambdify(symbols, g, "math") for name, g in grads.items()}

    def evaluate(values: Mapping[str, float], h0: float, x: Sequence[float],
                 y: Sequence[float]) -> tuple[float, dict[str, float]]:
        args = _numeric_args(list(model.params), model.T, values, h0, x, y)
        return float(f_loss(*args)), {name: float(f(*args)) for name, f in f_grad.items()}

    return evaluate


def _numeric_args(names: Sequence[str], T: int, values: Mapping[str, float], h0: float,
                  x: Sequence[float], y: Sequence[float]) -> list[float]:
    """Validated ``[params..., h0, x_1..x_T, y_1..y_T]`` as floats."""
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a dict of floats by parameter name, got "
                        f"{type(values).__name__}")
    missing = [name for name in names if name not in values]
    if missing:
        raise KeyError(f"values are missing {missing}; expected keys {list(names)}")
    xs = as_array(x, "x", ndim=1)
    ys = as_array(y, "y", ndim=1)
    if xs.shape != (T,) or ys.shape != (T,):
        raise ValueError(f"x and y must have shape (T,) = ({T},), got {xs.shape} and "
                         f"{ys.shape}")
    p = as_array([values[name] for name in names], "values", ndim=1)
    h = as_array(h0, "h0", ndim=0)
    return [*map(float, p), float(h), *map(float, xs), *map(float, ys)]


def package_bptt(values: Mapping[str, float], h0: float, x: Sequence[float],
                 y: Sequence[float], activation: str = "tanh", loss: str = "last",
                 readout: bool = False) -> tuple[float, dict[str, float]]:
    r"""The same loss and gradient computed numerically by :func:`rnnbook.bptt.loss_and_grads`.

    The scalar model is the package's RNN with ``d = n = k = 1`` and batch size 1:
    ``W_xh = [[u]]``, ``W_hh = [[w]]``, ``b_h = [b]``, ``W_hy = [[v]]`` (1 without a
    read-out), ``b_y = [c]`` (0 without a read-out); ``loss="last"`` is
    ``task="many_to_one"``, ``"mean"`` is ``"many_to_many"``, both with ``loss="mse"``.

    Returns
    -------
    loss : float
    grads : dict
        ``{name: dL/dname}`` for the same names as :func:`lambdify_gradient`.
    """
    from .bptt import loss_and_grads  # local import: bptt does not need sympy

    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(loss, "loss", LOSSES)
    names = ("w", "u", "b", "v", "c") if readout else ("w", "u", "b")
    xs = as_array(x, "x", ndim=1)
    T = xs.shape[0]
    if T == 0:
        raise ValueError("x must hold at least one time step, got T = 0")
    args = _numeric_args(names, T, values, h0, xs, y)
    v = float(values["v"]) if readout else 1.0
    c = float(values["c"]) if readout else 0.0
    params = {"W_xh": np.array([[float(values["u"])]]), "W_hh": np.array([[float(values["w"])]]),
              "b_h": np.array([float(values["b"])]), "W_hy": np.array([[v]]),
              "b_y": np.array([c])}
    X = np.asarray(args[len(names) + 1:len(names) + 1 + T]).reshape(T, 1, 1)
    ys = np.asarray(args[len(names) + 1 + T:])
    task = "many_to_one" if loss == "last" else "many_to_many"
    Y = ys[-1:].reshape(1, 1) if loss == "last" else ys.reshape(T, 1, 1)
    value, g = loss_and_grads(params, X, Y, "rnn", task, "mse", h0=np.array([[args[len(names)]]]),
                              activation=activation)
    grads = {"w": float(g["W_hh"][0, 0]), "u": float(g["W_xh"][0, 0]), "b": float(g["b_h"][0])}
    if readout:
        grads.update(v=float(g["W_hy"][0, 0]), c=float(g["b_y"][0]))
    return float(value), grads
