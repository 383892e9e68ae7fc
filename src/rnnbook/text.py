r"""Character-level text: vocabulary, the shipped corpus, n-gram baselines, perplexity, sampling.

Everything here works on integer character ids. Losses are natural-log cross-entropies
(nats), as in :func:`rnnbook.losses.softmax_cross_entropy`, and the perplexity is

.. math:: \mathrm{PPL} = \exp\Bigl(-\frac1N \sum_{t=1}^{N} \ln p(x_t \mid x_{<t})\Bigr)
          = 2^{-\frac1N \sum_t \log_2 p(x_t \mid x_{<t})},

the same number whichever base is used, as long as the exponential matches the logarithm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ._checks import as_array, check_choice, check_positive_int, check_rng, check_shape
from .bptt import predict
from .cells import gru_step_forward, lstm_step_forward, rnn_step_forward
from .data import one_hot
from .losses import softmax_cross_entropy

__all__ = [
    "CORPORA",
    "Vocabulary",
    "bigram_log_probs",
    "char_lm_batches",
    "generate",
    "load_corpus",
    "mean_nll",
    "model_nll",
    "perplexity",
    "sample_index",
    "temperature_probs",
    "unigram_log_probs",
]

#: The corpora shipped in ``rnnbook/data_files`` and what they are.
CORPORA: dict[str, tuple[str, str]] = {
    "alice": ("alice_ch1.txt",
              "Lewis Carroll, Alice's Adventures in Wonderland (1865), Chapter I, "
              "'Down the Rabbit-Hole'. Public domain (first published 1865; the author "
              "died in 1898)."),
}


def load_corpus(name: str = "alice") -> str:
    """The text of a corpus shipped with the package (read with :mod:`importlib.resources`).

    Parameters
    ----------
    name : one of :data:`CORPORA`

    Returns
    -------
    str
    """
    check_choice(name, "name", list(CORPORA))
    filename = CORPORA[name][0]
    return resources.files("rnnbook").joinpath("data_files", filename).read_text(
        encoding="utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """A character vocabulary: id ``j`` stands for ``chars[j]``.

    Build it from a text with :meth:`from_text` (the sorted set of its characters).
    """

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars:
            raise ValueError("a vocabulary needs at least one character")
        if any(not isinstance(c, str) or len(c) != 1 for c in self.chars):
            raise TypeError("chars must be single characters")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("chars must be distinct")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The sorted distinct characters of ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text is empty: no characters to build a vocabulary from")
        return cls(tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of characters :math:`K`."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Ids ``(len(text),)`` int64; raises ``ValueError`` on a character not in the vocabulary."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        index = {c: j for j, c in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, ids: np.ndarray) -> str:
        """The text of a 1-D array of ids in ``[0, K)``."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise TypeError(f"ids must be a 1-D integer array, got dtype {ids.dtype}, "
                            f"shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size})")
        return "".join(self.chars[j] for j in ids)


def _check_ids(ids: object, K: int, name: str = "ids", minimum: int = 1) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D integer array, got dtype {arr.dtype}, "
                        f"shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} ids, got {arr.size}")
    if arr.min() < 0 or arr.max() >= K:
        raise ValueError(f"{name} must lie in [0, {K}), got values in [{arr.min()}, {arr.max()}]")
    return arr


def _check_alpha(alpha: float) -> float:
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be finite and > 0 (add-alpha smoothing), got {alpha}")
    return float(alpha)


def unigram_log_probs(ids: np.ndarray, K: int, alpha: float = 1.0) -> np.ndarray:
    r"""Add-:math:`\alpha` unigram model :math:`\ln p(c) = \ln\frac{n_c + \alpha}{N + \alpha K}`.

    Parameters
    ----------
    ids : (N,) training ids in ``[0, K)``
    K : vocabulary size
    alpha : smoothing count > 0, so that no character has probability 0

    Returns
    -------
    (K,) natural-log probabilities
    """
    K = check_positive_int(K, "K")
    ids = _check_ids(ids, K)
    alpha = _check_alpha(alpha)
    counts = np.bincount(ids, minlength=K) + alpha
    return np.log(counts / counts.sum())


def bigram_log_probs(ids: np.ndarray, K: int, alpha: float = 1.0) -> np.ndarray:
    r"""Add-:math:`\alpha` bigram model :math:`\ln p(b \mid a) = \ln\frac{n_{ab} + \alpha}{n_a + \alpha K}`.

    Parameters
    ----------
    ids : (N,) training ids in ``[0, K)``, ``N >= 2``
    K : vocabulary size
    alpha : smoothing count > 0

    Returns
    -------
    (K, K) natural-log probabilities; row ``a`` is the distribution of the character after ``a``
    """
    K = check_positive_int(K, "K")
    ids = _check_ids(ids, K, minimum=2)
    alpha = _check_alpha(alpha)
    counts = np.full((K, K), alpha)
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    return np.log(counts / counts.sum(axis=1, keepdims=True))


def mean_nll(log_probs: np.ndarray, ids: np.ndarray) -> float:
    r"""Mean negative log-likelihood (nats per character) of ``ids`` under an n-gram model.

    A unigram model ``(K,)`` scores every character,
    :math:`-\frac1N\sum_{t=1}^{N} \ln p(x_t)`; a bigram model ``(K, K)`` scores every
    character but the first, :math:`-\frac1{N-1}\sum_{t=2}^{N} \ln p(x_t \mid x_{t-1})`.

    Parameters
    ----------
    log_probs : (K,) or (K, K), from :func:`unigram_log_probs` or :func:`bigram_log_probs`
    ids : (N,) ids in ``[0, K)``

    Returns
    -------
    float, in nats
    """
    lp = as_array(log_probs, "log_probs", ndim=(1, 2))
    K = lp.shape[0]
    if lp.ndim == 2:
        check_shape(lp, (K, K), "log_probs", "(K, K)")
    if np.any(lp > 1e-12):
        raise ValueError("log_probs must be logarithms of probabilities (all <= 0)")
    if lp.ndim == 1:
        ids = _check_ids(ids, K)
        return float(-lp[ids].mean())
    ids = _check_ids(ids, K, minimum=2)
    return float(-lp[ids[:-1], ids[1:]].mean())


def model_nll(params: Mapping[str, np.ndarray], cell: str, ids: np.ndarray, K: int) -> float:
    r"""Mean negative log-likelihood (nats per character) of a text under a character model.

    The model reads ``ids[0..N-2]`` as one stream from a zero state and scores each next
    character: :math:`-\frac1{N-1}\sum_{t=1}^{N-1} \ln p(x_{t} \mid x_{<t})`, every
    prediction conditioned on all the text before it.

    Parameters
    ----------
    params : dict from :func:`rnnbook.bptt.init_model` with ``d = k = K``
    cell : {"rnn", "lstm", "gru"}
    ids : (N,) ids in ``[0, K)``, ``N >= 2``
    K : vocabulary size

    Returns
    -------
    float, in nats
    """
    K = check_positive_int(K, "K")
    ids = _check_ids(ids, K, minimum=2)
    out, _ = predict(params, one_hot(ids[:-1], K)[:, None, :], cell)
    logits = out[:, 0]
    value, _ = softmax_cross_entropy(logits, ids[1:])
    return float(value)


def perplexity(nll: float, unit: str = "nats") -> float:
    r"""Perplexity from a mean negative log-likelihood per symbol.

    .. math:: \mathrm{PPL} = e^{\bar\ell} \ \text{(nats)} = 2^{\bar\ell} \ \text{(bits)}

    The base of the exponential must be the base of the logarithm in the loss:
    :math:`2^{\bar\ell}` with :math:`\bar\ell` in nats (the usual deep-learning loss)
    gives a wrong, smaller number.

    Parameters
    ----------
    nll : float >= 0, the mean negative log-likelihood
    unit : {"nats", "bits"}

    Returns
    -------
    float >= 1
    """
    check_choice(unit, "unit", ["nats", "bits"])
    if isinstance(nll, (str, bytes)) or not np.isscalar(nll) and np.ndim(nll) != 0:
        raise TypeError(f"nll must be a number, got {type(nll).__name__}")
    value = float(nll)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"nll must be a finite mean negative log-likelihood >= 0, got {nll}")
    return float(np.exp(value)) if unit == "nats" else float(2.0 ** value)


def temperature_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    r"""Softmax at temperature :math:`\tau`: :math:`p_j = e^{a_j/\tau} / \sum_k e^{a_k/\tau}`.

    :math:`\tau = 1` is the model's own distribution, :math:`\tau < 1` sharpens it
    and :math:`\tau > 1` flattens it. :math:`\tau = 0` is the limit, a one-hot
    vector on the argmax (ties go to the first maximum).

    Parameters
    ----------
    logits : (K,) or (B, K)
    temperature : float >= 0

    Returns
    -------
    probabilities, same shape as ``logits``
    """
    a = as_array(logits, "logits", ndim=(1, 2))
    if not (np.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"temperature must be finite and >= 0, got {temperature}")
    if a.shape[-1] == 0:
        raise ValueError("logits must have at least one class")
    if temperature == 0:
        return one_hot(np.argmax(a, axis=-1), a.shape[-1])
    z = a / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample_index(logits: np.ndarray, temperature: float, rng: np.random.Generator | int) -> int:
    """Draw one class index from :func:`temperature_probs` of a ``(K,)`` logit vector."""
    a = as_array(logits, "logits", ndim=1)
    rng = check_rng(rng)
    p = temperature_probs(a, temperature)
    if temperature == 0:
        return int(np.argmax(p))
    return int(rng.choice(p.size, p=p))


def char_lm_batches(ids: np.ndarray, K: int, T: int, B: int, rng: np.random.Generator | int):
    r"""An endless generator of random training windows for a character language model.

    Each batch holds ``B`` windows of ``T + 1`` consecutive characters starting at
    uniformly drawn offsets: inputs are the first ``T`` (one-hot), targets the last ``T``
    (the next character at every step).

    Parameters
    ----------
    ids : (N,) ids in ``[0, K)`` with ``N > T``
    K, T, B : int

    Yields
    ------
    X : (T, B, K) one-hot inputs
    Y : (T, B) int targets, ``Y[t] = ids[start + t + 1]``
    """
    K = check_positive_int(K, "K")
    T = check_positive_int(T, "T")
    B = check_positive_int(B, "B")
    ids = _check_ids(ids, K, minimum=T + 1)
    rng = check_rng(rng)

    def gen():
        offsets = np.arange(T + 1)[:, None]
        while True:
            starts = rng.integers(0, ids.size - T, size=B)
            window = ids[starts[None, :] + offsets]          # (T+1, B)
            yield one_hot(window[:-1], K), window[1:]
    return gen()


def _step(cell: str, x: np.ndarray, state: tuple, params: Mapping[str, np.ndarray]) -> tuple:
    if cell == "rnn":
        h, _ = rnn_step_forward(x, state[0], params)
        return (h,)
    if cell == "lstm":
        h, c, _ = lstm_step_forward(x, state[0], state[1], params)
        return (h, c)
    h, _ = gru_step_forward(x, state[0], params)
    return (h,)


def generate(params: Mapping[str, np.ndarray], cell: str, vocab: Vocabulary, seed: str,
             length: int, temperature: float, rng: np.random.Generator | int) -> str:
    r"""Sample ``length`` characters from a character model after reading ``seed``.

    The model (from :func:`rnnbook.bptt.init_model`, ``d = k = K``) reads the seed one
    character at a time; then, repeatedly, it draws the next character from
    :func:`temperature_probs` of its logits :math:`W_{hy} h_t + b_y` and feeds it back.

    Parameters
    ----------
    params : dict of the cell's arrays plus ``W_hy`` (K, n), ``b_y`` (K,)
    cell : {"rnn", "lstm", "gru"} (default conventions)
    vocab : Vocabulary of size K
    seed : non-empty str of characters in ``vocab``
    length : int >= 1
    temperature : float >= 0 (0 is greedy decoding)
    rng : Generator or int seed

    Returns
    -------
    str, the ``length`` generated characters (without the seed)
    """
    check_choice(cell, "cell", ["rnn", "lstm", "gru"])
    if not isinstance(vocab, Vocabulary):
        raise TypeError("vocab must be a Vocabulary")
    if not isinstance(seed, str) or not seed:
        raise ValueError("seed must be a non-empty string")
    length = check_positive_int(length, "length")
    rng = check_rng(rng)
    K = vocab.size
    for key in ("W_hy", "b_y", "W_hh"):
        if key not in params:
            raise KeyError(f"params are missing {key!r} (use rnnbook.bptt.init_model)")
    if params["W_hy"].shape[0] != K or params["W_xh"].shape[1] != K:
        raise ValueError(f"the model must read and predict K = {K} characters; W_xh is "
                         f"{params['W_xh'].shape}, W_hy is {params['W_hy'].shape}")
    n = params["W_hh"].shape[1]
    state: tuple = (np.zeros((1, n)), np.zeros((1, n))) if cell == "lstm" else (np.zeros((1, n)),)
    eye = np.eye(K)
    for j in vocab.encode(seed):
        state = _step(cell, eye[j][None], state, params)
    out = []
    for _ in range(length):
        logits = state[0][0] @ params["W_hy"].T + params["b_y"]
        j = sample_index(logits, temperature, rng)
        out.append(j)
        state = _step(cell, eye[j][None], state, params)
    return vocab.decode(np.array(out, dtype=np.int64))
