"""rnnbook: the tested numpy package behind the interactive textbook on recurrent networks.

Shapes are time-major, ``X`` ``(T, B, d)``; hidden states ``(B, n)``; weights act as in
the equations (``W_xh`` is ``(n, d)``, ``W_hh`` ``(n, n)``); everything is float64 and
every random draw takes an ``rng``.

Modules
-------
activations    sigmoid, tanh, relu, their derivatives and the bound gamma of each
cells          one step forward and backward of the RNN, LSTM and GRU
sequence       a cell over a whole sequence; backpropagation through time
bptt           a model with a read-out and a loss; full and truncated BPTT
losses         squared error and softmax cross-entropy, with masks
bounds         Jacobians of the vanilla RNN, their products and norms, the theoretical bound
gradient_flow  Jacobian norms of every cell (RNN, LSTM, GRU) against distance
gradcheck      finite-difference gradient checks
counting       parameter counts, closed form and by counting arrays
init           Xavier, orthogonal and identity initialisation
optim          SGD, Adam, clipping by global norm and by value
training       a seeded, generic training loop (History, train)
deep           stacked and bidirectional RNNs, dropout, recurrent dropout, zoneout
seq2seq        encoder-decoder, additive attention, greedy and beam search
symbolic       SymPy derivations of a scalar RNN's gradient
preprocessing  padding with masks, standardising, embeddings
text           character vocabulary, corpus, n-gram baselines, perplexity, sampling
forecasting    walk-forward validation, forecast metrics, the persistence baseline
data           small generated datasets
diagrams       the task-pattern and unrolled-RNN drawings
profiling      time and memory of BPTT
plots          the book's figure style
widgets        the interactive widgets and their kernel-free twins
"""

from . import (
    activations,
    bounds,
    bptt,
    cells,
    counting,
    data,
    deep,
    diagrams,
    forecasting,
    gradcheck,
    gradient_flow,
    init,
    losses,
    optim,
    plots,
    preprocessing,
    profiling,
    seq2seq,
    sequence,
    symbolic,
    text,
    training,
)

__version__ = "0.1.0"

__all__ = [
    "activations",
    "bounds",
    "bptt",
    "cells",
    "counting",
    "data",
    "deep",
    "diagrams",
    "forecasting",
    "gradcheck",
    "gradient_flow",
    "init",
    "losses",
    "optim",
    "plots",
    "preprocessing",
    "profiling",
    "seq2seq",
    "sequence",
    "symbolic",
    "text",
    "training",
]
