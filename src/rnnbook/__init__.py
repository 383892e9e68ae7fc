"""rnnbook: the tested numpy package behind the interactive textbook on recurrent networks.

Shapes are time-major, ``X`` ``(T, B, d)``; hidden states ``(B, n)``; weights act as in
the equations (``W_xh`` is ``(n, d)``, ``W_hh`` ``(n, n)``); everything is float64 and
every random draw takes an ``rng``.

Modules
-------
activations  sigmoid, tanh, relu, their derivatives and the bound gamma of each
cells        one step forward and backward of the RNN, LSTM and GRU
sequence     a cell over a whole sequence; backpropagation through time
bptt         a model with a read-out and a loss; full and truncated BPTT
losses       squared error and softmax cross-entropy, with masks
bounds       Jacobians, their products and norms, and the theoretical bound
gradcheck    finite-difference gradient checks
counting     parameter counts, closed form and by counting arrays
init         Xavier, orthogonal and identity initialisation
optim        SGD, Adam, clipping by global norm and by value
data         small generated datasets
plots        the book's figure style
"""

from . import (
    activations,
    bounds,
    bptt,
    cells,
    counting,
    data,
    gradcheck,
    init,
    losses,
    optim,
    plots,
    sequence,
)

__version__ = "0.1.0"

__all__ = [
    "activations",
    "bounds",
    "bptt",
    "cells",
    "counting",
    "data",
    "gradcheck",
    "init",
    "losses",
    "optim",
    "plots",
    "sequence",
]
