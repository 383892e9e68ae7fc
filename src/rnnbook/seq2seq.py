r"""Sequence to sequence: an encoder, a decoder with optional additive attention, and search.

The model (Sutskever et al., 2014; Cho et al., 2014; Bahdanau et al., 2015)
----------------------------------------------------------------------------
Token ids are time-major integer arrays: a source batch ``src`` ``(S, B)`` with a mask
``src_mask`` ``(S, B)`` (1 = a real token, 0 = padding after the end of a shorter word), and a
target batch ``tgt`` ``(T, B)`` whose rows are the output tokens followed by ``EOS``.

Encoder (any cell of :mod:`rnnbook.cells`, run over the source with a mask so that padding
leaves the state unchanged):

.. math::
    h_s = m_s \, \mathrm{cell}_{\mathrm{enc}}(E^{\mathrm{src}}_{x_s}, h_{s-1})
        + (1 - m_s)\, h_{s-1}, \qquad h_0 = 0.

The context vector of the plain model is the last state, :math:`c = h_S` (for an LSTM the cell
state is handed over too); the decoder starts from it, :math:`s_0 = h_S`, and reads the previous
output token :math:`y_{t-1}` (``SOS`` at :math:`t = 1`):

.. math::
    s_t = \mathrm{cell}_{\mathrm{dec}}(E^{\mathrm{tgt}}_{y_{t-1}}, s_{t-1}), \qquad
    p(y_t \mid y_{<t}, x) = \mathrm{softmax}(W_{hy} s_t + b_y).

With additive attention the decoder recomputes a context at every step from all encoder states:

.. math::
    e_{t,s} &= v_a^\top \tanh(W_a s_{t-1} + U_a h_s), \qquad
    \alpha_{t,s} = \frac{m_s \exp e_{t,s}}{\sum_{s'} m_{s'} \exp e_{t,s'}}, \qquad
    c_t = \sum_s \alpha_{t,s} h_s, \\
    s_t &= \mathrm{cell}_{\mathrm{dec}}([E^{\mathrm{tgt}}_{y_{t-1}}; c_t], s_{t-1}), \qquad
    p(y_t \mid y_{<t}, x) = \mathrm{softmax}(W_{hy} [s_t; c_t] + b_y).

Parameters live in one flat dict (so :class:`rnnbook.optim.Adam` can update them): ``E_src``
``(V_src, e)``, ``E_tgt`` ``(V_tgt, e)``, ``enc_W_xh``/``enc_W_hh``/``enc_b_h`` and
``dec_W_xh``/``dec_W_hh``/``dec_b_h`` (the cell's stacked weights, see :mod:`rnnbook.cells`),
``W_hy``, ``b_y`` and, with attention, ``W_a`` ``(m, n)``, ``U_a`` ``(m, n)``, ``v_a`` ``(m,)``.
The cell is read off the shape of ``enc_W_hh`` (``(G n, n)`` with :math:`G` = 1, 3, 4 for
RNN, GRU, LSTM) and attention is on when ``v_a`` is present.

Search
------
:func:`greedy_decode` and :func:`beam_search` are generic: they take a function that maps a
prefix (a tuple of token ids that starts with the start token) to the log-probabilities of the
next token, so they can be tested against exhaustive search on a tiny vocabulary and used with
the trained model through :func:`model_step_fn`.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from . import init as _init
from ._checks import (
    as_array,
    check_choice,
    check_positive_int,
    check_rng,
    check_shape,
)
from .activations import get_activation, softmax
from .cells import (
    _gru_backward,
    _gru_forward,
    _lstm_backward,
    _lstm_forward,
    _rnn_backward,
    _rnn_forward,
    gru_step_forward,
    init_gru_params,
    init_lstm_params,
    init_rnn_params,
    lstm_step_forward,
    rnn_step_forward,
)
from .optim import Adam, clip_by_global_norm

__all__ = [
    "CharVocab",
    "PAD",
    "SOS",
    "EOS",
    "additive_attention_backward",
    "additive_attention_forward",
    "beam_search",
    "char_accuracy",
    "exhaustive_search",
    "greedy_decode",
    "greedy_decode_batch",
    "init_seq2seq",
    "inverse_sigmoid_schedule",
    "load_transliteration_pairs",
    "model_step_fn",
    "reverse_task",
    "sequence_logprob",
    "Seq2SeqPass",
    "seq2seq_backward",
    "seq2seq_loss",
    "seq2seq_forward",
    "seq2seq_loss_and_grads",
    "train_seq2seq",
    "exponential_schedule",
    "linear_schedule",
]

Params = dict[str, np.ndarray]

#: Reserved ids of :class:`CharVocab`: padding, start of sequence, end of sequence.
PAD, SOS, EOS = 0, 1, 2
_SPECIALS = ("<pad>", "<s>", "</s>")
_CELL_OF_BLOCKS = {1: "rnn", 3: "gru", 4: "lstm"}


# ---------------------------------------------------------------------------
# data: vocabulary and the shipped transliteration pairs
# ---------------------------------------------------------------------------
def load_transliteration_pairs() -> list[tuple[str, str]]:
    """The romanised Hindi -> Devanagari word pairs shipped with the package.

    Read from ``rnnbook/data_files/transliteration_pairs.tsv`` (two tab-separated columns,
    a header line ``roman\\tdevanagari``; Devanagari in Unicode NFC, romanisation lower-case
    ASCII). Nothing is downloaded.

    Returns
    -------
    list of (str, str)
        ``(roman, devanagari)`` in file order.
    """
    text = resources.files("rnnbook").joinpath("data_files/transliteration_pairs.tsv") \
        .read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t"))
    if not rows or rows[0] != ["roman", "devanagari"]:
        raise ValueError("transliteration_pairs.tsv must start with the header 'roman\\tdevanagari'")
    pairs = []
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0] or not row[1]:
            raise ValueError(f"transliteration_pairs.tsv line {line_no}: expected two "
                             f"non-empty columns, got {row}")
        pairs.append((row[0], unicodedata.normalize("NFC", row[1])))
    return pairs


@dataclass
class CharVocab:
    """A character vocabulary with the reserved ids ``PAD = 0``, ``SOS = 1``, ``EOS = 2``.

    Build one with :meth:`from_strings`; :meth:`encode` turns a list of strings into a
    time-major, right-padded id array with a mask, :meth:`decode` turns ids back into text.
    """

    chars: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("vocabulary characters must be distinct")
        if tuple(self.chars[:3]) != _SPECIALS:
            raise ValueError(f"the first three entries must be the specials {_SPECIALS}")
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_strings(cls, strings: Iterable[str]) -> CharVocab:
        """Every character that occurs in ``strings``, sorted, after the three specials."""
        strings = list(strings)
        if not all(isinstance(s, str) for s in strings):
            raise TypeError("strings must be an iterable of str")
        chars = sorted(set("".join(strings)))
        return cls(_SPECIALS + tuple(chars))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, strings: Sequence[str], eos: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Ids ``(L, B)`` (int64, right-padded with ``PAD``) and mask ``(L, B)`` (float64).

        ``L`` is the longest string's length, plus one if ``eos`` appends ``EOS``.
        Raises ``KeyError`` for a character not in the vocabulary.
        """
        if isinstance(strings, str) or not all(isinstance(s, str) for s in strings):
            raise TypeError("strings must be a sequence of str (wrap a single word in a list)")
        if len(strings) == 0:
            raise ValueError("strings must hold at least one string")
        if any(len(s) == 0 for s in strings):
            raise ValueError("strings must not be empty")
        L = max(len(s) for s in strings) + int(eos)
        ids = np.full((L, len(strings)), PAD, dtype=np.int64)
        mask = np.zeros((L, len(strings)))
        for b, s in enumerate(strings):
            unknown = [c for c in s if c not in self.index]
            if unknown:
                raise KeyError(f"characters {unknown} of {s!r} are not in the vocabulary")
            row = [self.index[c] for c in s] + ([EOS] if eos else [])
            ids[:len(row), b] = row
            mask[:len(row), b] = 1.0
        return ids, mask

    def decode(self, ids: Iterable[int]) -> str:
        """Characters of ``ids`` up to the first ``EOS``; ``PAD`` and ``SOS`` are skipped."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.chars):
                raise ValueError(f"id {i} is outside the vocabulary [0, {len(self.chars)})")
            if i == EOS:
                break
            if i > EOS:
                out.append(self.chars[i])
        return "".join(out)


def char_accuracy(predicted: Sequence[str], reference: Sequence[str]) -> float:
    r"""Character accuracy :math:`1 - \sum_i \mathrm{lev}(\hat y_i, y_i) / \sum_i |y_i|`.

    One minus the character error rate: Levenshtein distance (insertions, deletions,
    substitutions) summed over the pairs, divided by the total reference length. It can be
    negative when the predictions are much longer than the references.
    """
    if len(predicted) != len(reference):
        raise ValueError(f"predicted and reference must have the same length, got "
                         f"{len(predicted)} and {len(reference)}")
    if len(reference) == 0 or sum(len(r) for r in reference) == 0:
        raise ValueError("reference must hold at least one non-empty string")
    total = 0
    for a, b in zip(predicted, reference, strict=True):
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, start=1):
            cur = [i] + [0] * len(b)
            for j, cb in enumerate(b, start=1):
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            prev = cur
        total += prev[-1]
    return 1.0 - total / sum(len(r) for r in reference)


def reverse_task(n_seq: int, min_len: int, max_len: int, n_symbols: int,
                 rng: np.random.Generator | int) -> tuple[np.ndarray, np.ndarray,
                                                          np.ndarray, np.ndarray]:
    """Random sequences and their reversals, as id arrays for :func:`seq2seq_loss_and_grads`.

    Symbols are ids ``3 .. 3 + n_symbols - 1`` (the ids below are ``PAD``, ``SOS``, ``EOS``);
    lengths are uniform on ``[min_len, max_len]``.

    Returns
    -------
    src : (max_len, n_seq) int64, right-padded
    src_mask : (max_len, n_seq)
    tgt : (max_len + 1, n_seq) int64, the reversed sequence then ``EOS``
    tgt_mask : (max_len + 1, n_seq)
    """
    n_seq = check_positive_int(n_seq, "n_seq")
    min_len = check_positive_int(min_len, "min_len")
    max_len = check_positive_int(max_len, "max_len", minimum=min_len)
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    rng = check_rng(rng)
    lengths = rng.integers(min_len, max_len + 1, size=n_seq)
    src = np.full((max_len, n_seq), PAD, dtype=np.int64)
    tgt = np.full((max_len + 1, n_seq), PAD, dtype=np.int64)
    src_mask = np.zeros((max_len, n_seq))
    tgt_mask = np.zeros((max_len + 1, n_seq))
    for b, L in enumerate(lengths):
        seq = rng.integers(3, 3 + n_symbols, size=L)
        src[:L, b] = seq
        tgt[:L, b] = seq[::-1]
        tgt[L, b] = EOS
        src_mask[:L, b] = 1.0
        tgt_mask[:L + 1, b] = 1.0
    return src, src_mask, tgt, tgt_mask


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------
def init_seq2seq(V_src: int, V_tgt: int, d_emb: int, n: int, rng: np.random.Generator | int,
                 cell: str = "gru", attention: bool = True, n_att: int | None = None) -> Params:
    """Initial parameters of an encoder-decoder (see the module docstring for the keys).

    Embeddings are :math:`\\mathcal N(0, 0.1^2)`; the cells use :mod:`rnnbook.cells`'
    initialisers (orthogonal recurrent blocks, LSTM forget bias 1); ``W_hy``, ``W_a``,
    ``U_a`` are Xavier uniform and ``v_a`` is :math:`\\mathcal N(0, 0.1^2)`.

    Parameters
    ----------
    V_src, V_tgt : int
        Vocabulary sizes (including the three specials).
    d_emb : int
        Embedding size :math:`e`.
    n : int
        Hidden size of encoder and decoder.
    rng : Generator or int
    cell : {"rnn", "gru", "lstm"}
    attention : bool
        Add the additive attention of Bahdanau et al. (2015).
    n_att : int, optional
        Attention size :math:`m`; defaults to ``n``.
    """
    V_src, V_tgt = check_positive_int(V_src, "V_src"), check_positive_int(V_tgt, "V_tgt")
    d_emb, n = check_positive_int(d_emb, "d_emb"), check_positive_int(n, "n")
    check_choice(cell, "cell", ["rnn", "gru", "lstm"])
    if not isinstance(attention, bool):
        raise TypeError(f"attention must be a bool, got {type(attention).__name__}")
    m = n if n_att is None else check_positive_int(n_att, "n_att")
    rng = check_rng(rng)
    make = {"rnn": init_rnn_params, "gru": init_gru_params, "lstm": init_lstm_params}[cell]
    enc = make(d_emb, n, rng)
    dec = make(d_emb + (n if attention else 0), n, rng)
    params: Params = {"E_src": 0.1 * rng.normal(size=(V_src, d_emb)),
                      "E_tgt": 0.1 * rng.normal(size=(V_tgt, d_emb))}
    params.update({f"enc_{k}": v for k, v in enc.items()})
    params.update({f"dec_{k}": v for k, v in dec.items()})
    params["W_hy"] = _init.xavier_uniform((V_tgt, 2 * n if attention else n), rng)
    params["b_y"] = np.zeros(V_tgt)
    if attention:
        params["W_a"] = _init.xavier_uniform((m, n), rng)
        params["U_a"] = _init.xavier_uniform((m, n), rng)
        params["v_a"] = 0.1 * rng.normal(size=m)
    return params


def _config(params: Params) -> tuple[str, bool, int]:
    """(cell, attention, n) read off the parameter shapes, with the shapes checked."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    required = ["E_src", "E_tgt", "enc_W_xh", "enc_W_hh", "enc_b_h", "dec_W_xh", "dec_W_hh",
                "dec_b_h", "W_hy", "b_y"]
    missing = [k for k in required if k not in params]
    if missing:
        raise KeyError(f"seq2seq params are missing {missing}")
    W_hh = np.asarray(params["enc_W_hh"])
    if W_hh.ndim != 2 or W_hh.shape[0] % W_hh.shape[1] or \
            W_hh.shape[0] // W_hh.shape[1] not in _CELL_OF_BLOCKS:
        raise ValueError(f"enc_W_hh must have shape (G n, n) with G in (1, 3, 4), got {W_hh.shape}")
    n = W_hh.shape[1]
    cell = _CELL_OF_BLOCKS[W_hh.shape[0] // n]
    attention = "v_a" in params
    if attention and not ("W_a" in params and "U_a" in params):
        raise KeyError("attention params need W_a, U_a and v_a together")
    d_emb = params["E_src"].shape[1]
    check_shape(params["E_tgt"], (None, d_emb), "E_tgt", "(V_tgt, e)")
    V_tgt = params["E_tgt"].shape[0]
    check_shape(params["dec_W_xh"], (W_hh.shape[0], d_emb + (n if attention else 0)),
                "dec_W_xh", "(G n, e [+ n with attention])")
    check_shape(params["W_hy"], (V_tgt, 2 * n if attention else n), "W_hy",
                "(V_tgt, n [x2 with attention])")
    check_shape(params["b_y"], (V_tgt,), "b_y", "(V_tgt,)")
    return cell, attention, n


def _sub(params: Params, prefix: str) -> Params:
    return {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}


_TANH = get_activation("tanh")


def _step_forward(cell: str, x: np.ndarray, state: tuple, p: Params,
                  checked: bool = True) -> tuple[tuple, dict]:
    """One encoder or decoder step; ``checked=False`` skips the input checks (used after the
    first step of a sequence has validated the shapes and values)."""
    if cell == "lstm":
        step = lstm_step_forward if checked else _lstm_forward
        h, c, cache = step(x, state[0], state[1], p)
        return (h, c), cache
    if cell == "gru":
        h, cache = gru_step_forward(x, state[0], p) if checked else \
            _gru_forward(x, state[0], p, "before", "old")
    else:
        h, cache = rnn_step_forward(x, state[0], p) if checked else \
            _rnn_forward(x, state[0], p, _TANH)
    return (h,), cache


def _step_backward(cell: str, dstate: tuple, cache: dict) -> tuple[np.ndarray, tuple, Params]:
    """Backward of one step (the shapes come from our own forward pass: no checks)."""
    if cell == "lstm":
        dx, dh, dc, g = _lstm_backward(dstate[0], dstate[1], cache)
        return dx, (dh, dc), g
    if cell == "gru":
        dx, dh, g = _gru_backward(dstate[0], cache)
    else:
        dx, dh, g = _rnn_backward(dstate[0], cache)
    return dx, (dh,), g


def _check_ids(ids: object, name: str, V: int) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (L, B), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):
        raise ValueError(f"{name} ids must lie in [0, {V}), got [{arr.min()}, {arr.max()}]")
    return arr


def _check_mask(mask: object, shape: tuple[int, int], name: str) -> np.ndarray:
    m = as_array(mask, name, ndim=2)
    check_shape(m, shape, name, "(L, B)")
    if not np.all((m == 0) | (m == 1)):
        raise ValueError(f"{name} must hold only 0 and 1")
    if np.any(m[0] == 0):
        raise ValueError(f"{name}: every sequence must have at least one real token")
    if np.any(np.diff(m, axis=0) > 0):
        raise ValueError(f"{name} must be right-padded: 1s first, then 0s")
    return m


# ---------------------------------------------------------------------------
# additive attention
# ---------------------------------------------------------------------------
def additive_attention_forward(s_prev: np.ndarray, H: np.ndarray, W_a: np.ndarray,
                               U_a: np.ndarray, v_a: np.ndarray,
                               mask: np.ndarray | None = None
                               ) -> tuple[np.ndarray, np.ndarray, dict]:
    r"""Additive (Bahdanau) attention for one decoder step.

    .. math::
        e_s = v_a^\top \tanh(W_a s_{t-1} + U_a h_s), \qquad
        \alpha_s = \frac{m_s e^{e_s}}{\sum_{s'} m_{s'} e^{e_{s'}}}, \qquad
        c = \sum_s \alpha_s h_s

    Parameters
    ----------
    s_prev : (B, n_dec)
        The decoder state before this step.
    H : (S, B, n_enc)
        Encoder states.
    W_a : (m, n_dec)
    U_a : (m, n_enc)
    v_a : (m,)
    mask : (S, B), optional
        1 for a real source position, 0 for padding (which gets weight exactly 0).

    Returns
    -------
    context : (B, n_enc)
    alpha : (S, B)
        Attention weights; each column sums to 1.
    cache : dict for :func:`additive_attention_backward`
    """
    s_prev = as_array(s_prev, "s_prev", ndim=2)
    H = as_array(H, "H", ndim=3)
    S, B, n_enc = H.shape
    W_a = as_array(W_a, "W_a", ndim=2)
    m = W_a.shape[0]
    check_shape(s_prev, (B, W_a.shape[1]), "s_prev", "(B, n_dec) matching H and W_a")
    check_shape(U_a, (m, n_enc), "U_a", "(m, n_enc)")
    check_shape(np.asarray(v_a), (m,), "v_a", "(m,)")
    if mask is None:
        mask = np.ones((S, B))
    else:
        mask = as_array(mask, "mask", ndim=2)
        check_shape(mask, (S, B), "mask", "(S, B)")
        if not np.all((mask == 0) | (mask == 1)) or np.any(mask.sum(axis=0) == 0):
            raise ValueError("mask must hold 0s and 1s with at least one 1 per column")
    UH = (H.reshape(S * B, n_enc) @ U_a.T).reshape(S, B, m)
    z = np.tanh((s_prev @ W_a.T)[None] + UH)                 # (S, B, m)
    e = z @ v_a                                              # (S, B)
    e = np.where(mask > 0, e, -np.inf)
    e_max = e.max(axis=0, keepdims=True)
    w = np.exp(e - e_max) * mask
    alpha = w / w.sum(axis=0, keepdims=True)
    context = (alpha[..., None] * H).sum(axis=0)
    cache = {"s_prev": s_prev, "H": H, "z": z, "alpha": alpha,
             "W_a": W_a, "U_a": U_a, "v_a": v_a}
    return context, alpha, cache


def additive_attention_backward(dcontext: np.ndarray, cache: dict,
                                dalpha: np.ndarray | None = None
                                ) -> tuple[np.ndarray, np.ndarray, Params]:
    r"""Backward pass of :func:`additive_attention_forward`.

    With :math:`\bar\alpha_s = \partial L/\partial \alpha_s = \langle \partial L/\partial c, h_s\rangle`
    (plus ``dalpha`` if the loss reads the weights directly), the softmax gives
    :math:`\partial L/\partial e_s = \alpha_s(\bar\alpha_s - \sum_{s'} \alpha_{s'} \bar\alpha_{s'})`,
    and the rest is the chain rule through :math:`\tanh`.

    Parameters
    ----------
    dcontext : (B, n_enc)
    cache : from :func:`additive_attention_forward`
    dalpha : (S, B), optional

    Returns
    -------
    ds_prev : (B, n_dec)
    dH : (S, B, n_enc)
    grads : dict with ``W_a``, ``U_a``, ``v_a``
    """
    H, z, alpha = cache["H"], cache["z"], cache["alpha"]
    S, B, n_enc = H.shape
    dcontext = as_array(dcontext, "dcontext", ndim=2)
    check_shape(dcontext, (B, n_enc), "dcontext", "(B, n_enc)")
    da = (dcontext[None] * H).sum(axis=-1)
    if dalpha is not None:
        dalpha = as_array(dalpha, "dalpha", ndim=2)
        check_shape(dalpha, (S, B), "dalpha", "(S, B)")
        da = da + dalpha
    de = alpha * (da - (alpha * da).sum(axis=0, keepdims=True))    # (S, B)
    m = z.shape[2]
    grads = {"v_a": de.reshape(-1) @ z.reshape(-1, m)}
    dpre = de[..., None] * cache["v_a"] * (1.0 - z**2)               # (S, B, m)
    dWs = dpre.sum(axis=0)                                           # (B, m)
    grads["W_a"] = dWs.T @ cache["s_prev"]
    grads["U_a"] = dpre.reshape(-1, m).T @ H.reshape(-1, n_enc)
    dH = alpha[..., None] * dcontext[None] \
        + (dpre.reshape(-1, m) @ cache["U_a"]).reshape(S, B, n_enc)
    return dWs @ cache["W_a"], dH, grads


def _attend(s_prev: np.ndarray, H: np.ndarray, UH: np.ndarray, W_a: np.ndarray,
            v_a: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """:func:`additive_attention_forward` without the checks, with ``UH = U_a H`` given
    (it is the same at every decoder step, so the model computes it once per batch)."""
    z = np.tanh((s_prev @ W_a.T)[None] + UH)                 # (S, B, m)
    e = np.where(mask > 0, z @ v_a, -np.inf)                 # (S, B)
    w = np.exp(e - e.max(axis=0, keepdims=True)) * mask
    alpha = w / w.sum(axis=0, keepdims=True)
    context = (alpha[..., None] * H).sum(axis=0)
    return context, alpha, {"s_prev": s_prev, "z": z, "alpha": alpha}


def _attend_backward(dcontext: np.ndarray, cache: dict, H: np.ndarray, W_a: np.ndarray,
                     v_a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """:func:`additive_attention_backward` without the checks, leaving out the terms that
    go through ``U_a``: returns ``ds_prev``, the direct ``dH = alpha * dcontext``, the
    gradient ``dpre`` of the pre-activation ``(S, B, m)`` (whose products with ``H`` and
    ``U_a`` the caller forms once for all steps), and the gradients of ``v_a`` and ``W_a``."""
    z, alpha = cache["z"], cache["alpha"]
    da = (dcontext[None] * H).sum(axis=-1)
    de = alpha * (da - (alpha * da).sum(axis=0, keepdims=True))    # (S, B)
    m = z.shape[2]
    dpre = de[..., None] * v_a * (1.0 - z * z)                       # (S, B, m)
    dWs = dpre.sum(axis=0)                                           # (B, m)
    grads = {"v_a": de.reshape(-1) @ z.reshape(-1, m), "W_a": dWs.T @ cache["s_prev"]}
    return dWs @ W_a, alpha[..., None] * dcontext[None], dpre, grads


# ---------------------------------------------------------------------------
# forward and backward of the whole model
# ---------------------------------------------------------------------------
@dataclass
class Seq2SeqPass:
    """What :func:`seq2seq_forward` computed: logits, attention weights and the caches."""

    logits: np.ndarray                 # (T, B, V_tgt)
    inputs: np.ndarray                 # (T, B) the tokens fed to the decoder
    alphas: np.ndarray | None          # (T, S, B) attention weights, or None
    H: np.ndarray                      # (S, B, n) encoder states
    cache: dict = field(repr=False)


def _encode(params: Params, cell: str, src: np.ndarray, src_mask: np.ndarray
            ) -> tuple[np.ndarray, tuple, list]:
    S, B = src.shape
    n = params["enc_W_hh"].shape[1]
    p = _sub(params, "enc_")
    state: tuple = (np.zeros((B, n)), np.zeros((B, n))) if cell == "lstm" else (np.zeros((B, n)),)
    H = np.empty((S, B, n))
    caches = []
    X = params["E_src"][src]                                       # (S, B, e)
    for s in range(S):
        new, cache = _step_forward(cell, X[s], state, p, checked=s == 0)
        mk = src_mask[s][:, None]
        state = tuple(mk * a + (1.0 - mk) * b for a, b in zip(new, state, strict=True))
        H[s] = state[0]
        caches.append(cache)
    return H, state, caches


def seq2seq_forward(params: Params, src: np.ndarray, src_mask: np.ndarray, tgt: np.ndarray,
                    teacher_forcing: float = 1.0,
                    rng: np.random.Generator | int | None = None,
                    feed: str = "sample") -> Seq2SeqPass:
    r"""Run encoder and decoder over a batch, returning the logits of every target position.

    The decoder's input at step :math:`t` is ``SOS`` at :math:`t = 1`; afterwards it is the
    true previous token :math:`y_{t-1}` with probability ``teacher_forcing`` (per position and
    sequence) and otherwise the model's own previous output (scheduled sampling, Bengio et
    al., 2015): a draw from :math:`p(\cdot \mid y_{<t}, x)` if ``feed="sample"``, its argmax
    if ``feed="argmax"``. ``teacher_forcing=1`` is teacher forcing; ``0`` with
    ``feed="argmax"`` is free running (greedy decoding scored against the target).

    Parameters
    ----------
    params : dict from :func:`init_seq2seq`
    src : (S, B) int
    src_mask : (S, B), right-padded 0/1
    tgt : (T, B) int, target tokens ending with ``EOS`` (padding after it)
    teacher_forcing : float in [0, 1]
    rng : Generator or int; required when ``0 < teacher_forcing < 1`` or ``feed="sample"``
        with ``teacher_forcing < 1``
    feed : {"sample", "argmax"}

    Returns
    -------
    Seq2SeqPass
    """
    cell, attention, n = _config(params)
    src = _check_ids(src, "src", params["E_src"].shape[0])
    V = params["E_tgt"].shape[0]
    tgt = _check_ids(tgt, "tgt", V)
    S, B = src.shape
    T = tgt.shape[0]
    if tgt.shape[1] != B:
        raise ValueError(f"tgt must have shape (T, B) with B = {B}, got {tgt.shape}")
    src_mask = _check_mask(src_mask, (S, B), "src_mask")
    if not (isinstance(teacher_forcing, (int, float)) and 0.0 <= teacher_forcing <= 1.0):
        raise ValueError(f"teacher_forcing must be a probability in [0, 1], got {teacher_forcing}")
    check_choice(feed, "feed", ["sample", "argmax"])
    needs_rng = teacher_forcing < 1.0 and (teacher_forcing > 0.0 or feed == "sample")
    if needs_rng:
        if rng is None:
            raise ValueError("rng is required when the decoder samples its own inputs")
        rng = check_rng(rng)

    H, state, enc_caches = _encode(params, cell, src, src_mask)
    p_dec = _sub(params, "dec_")
    logits = np.empty((T, B, V))
    inputs = np.empty((T, B), dtype=np.int64)
    alphas = np.empty((T, S, B)) if attention else None
    dec_caches, att_caches, outs = [], [], []
    if attention:
        m_att = params["W_a"].shape[0]
        check_shape(params["U_a"], (m_att, n), "U_a", "(m, n)")
        check_shape(np.asarray(params["v_a"]), (m_att,), "v_a", "(m,)")
        UH = (H.reshape(S * B, n) @ params["U_a"].T).reshape(S, B, m_att)
    y_prev = np.full(B, SOS, dtype=np.int64)
    for t in range(T):
        if t > 0:
            y_prev = tgt[t - 1]
            if teacher_forcing < 1.0:
                if feed == "argmax":
                    own = logits[t - 1].argmax(axis=1)
                else:
                    prob = softmax(logits[t - 1])
                    u = rng.random((B, 1))
                    own = np.minimum((prob.cumsum(axis=1) < u).sum(axis=1), V - 1)
                use_true = (rng.random(B) < teacher_forcing) if teacher_forcing > 0 \
                    else np.zeros(B, dtype=bool)
                y_prev = np.where(use_true, y_prev, own)
        inputs[t] = y_prev
        x = params["E_tgt"][y_prev]
        if attention:
            if t == 0:                       # the checked version once, then the core
                ctx, alpha, a_cache = additive_attention_forward(
                    state[0], H, params["W_a"], params["U_a"], params["v_a"], src_mask)
            ctx, alpha, a_cache = _attend(state[0], H, UH, params["W_a"], params["v_a"],
                                          src_mask)
            alphas[t] = alpha
            att_caches.append(a_cache)
            x = np.concatenate([x, ctx], axis=1)
        state, d_cache = _step_forward(cell, x, state, p_dec, checked=t == 0)
        dec_caches.append(d_cache)
        out = np.concatenate([state[0], ctx], axis=1) if attention else state[0]
        outs.append(out)
        logits[t] = out @ params["W_hy"].T + params["b_y"]
    cache = {"cell": cell, "attention": attention, "src": src, "src_mask": src_mask,
             "enc_caches": enc_caches, "dec_caches": dec_caches, "att_caches": att_caches,
             "outs": outs}
    return Seq2SeqPass(logits, inputs, alphas, H, cache)


def _loss(logits: np.ndarray, tgt: np.ndarray, tgt_mask: np.ndarray
          ) -> tuple[float, np.ndarray]:
    """Mean cross-entropy per kept target token, and its gradient ``(T, B, V)``."""
    a = logits - logits.max(axis=-1, keepdims=True)
    log_z = np.log(np.exp(a).sum(axis=-1))
    log_p = np.take_along_axis(a, tgt[..., None], axis=-1)[..., 0] - log_z
    N = tgt_mask.sum()
    loss = -float(np.sum(log_p * tgt_mask)) / N
    grad = np.exp(a - log_z[..., None])
    np.put_along_axis(grad, tgt[..., None],
                      np.take_along_axis(grad, tgt[..., None], axis=-1) - 1.0, axis=-1)
    return loss, grad * (tgt_mask / N)[..., None]


def seq2seq_backward(params: Params, fwd: Seq2SeqPass, dlogits: np.ndarray) -> Params:
    """Gradients of every parameter given :math:`\\partial L / \\partial \\text{logits}` ``(T, B, V)``.

    The decoder's fed-back tokens are treated as constants (no gradient flows through the
    choice of a sampled input, as in Bengio et al., 2015).
    """
    c = fwd.cache
    cell, attention = c["cell"], c["attention"]
    T, B, V = fwd.logits.shape
    dlogits = as_array(dlogits, "dlogits", ndim=3)
    check_shape(dlogits, (T, B, V), "dlogits", "(T, B, V)")
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    n = fwd.H.shape[2]
    e = params["E_tgt"].shape[1]
    dH = np.zeros_like(fwd.H)
    dpre_sum = 0.0
    dstate = tuple(np.zeros((B, n)) for _ in range(2 if cell == "lstm" else 1))
    for t in reversed(range(T)):
        grads["W_hy"] += dlogits[t].T @ c["outs"][t]
        grads["b_y"] += dlogits[t].sum(axis=0)
        dout = dlogits[t] @ params["W_hy"]
        dh = dstate[0] + dout[:, :n]
        dx, dstate, g = _step_backward(cell, (dh,) + dstate[1:], c["dec_caches"][t])
        for k, v in g.items():
            grads[f"dec_{k}"] += v
        np.add.at(grads["E_tgt"], fwd.inputs[t], dx[:, :e])
        if attention:
            dctx = dout[:, n:] + dx[:, e:]
            ds_prev, dH_t, dpre, ga = _attend_backward(dctx, c["att_caches"][t], fwd.H,
                                                        params["W_a"], params["v_a"])
            for k, v in ga.items():
                grads[k] += v
            dH += dH_t
            dpre_sum = dpre_sum + dpre
            dstate = (dstate[0] + ds_prev,) + dstate[1:]
    if attention:                            # the terms through U_a, for all steps at once
        S_, m_att = fwd.H.shape[0], params["U_a"].shape[0]
        flat = np.broadcast_to(dpre_sum, (S_, B, m_att)).reshape(-1, m_att)
        grads["U_a"] += flat.T @ fwd.H.reshape(-1, n)
        dH += (flat @ params["U_a"]).reshape(S_, B, n)
    # the decoder's initial state is the encoder's final state
    S = fwd.H.shape[0]
    mask = c["src_mask"]
    X_ids = c["src"]
    for s in reversed(range(S)):
        dh = dstate[0] + dH[s]
        full = (dh,) + dstate[1:]
        mk = mask[s][:, None]
        dnew = tuple(mk * d for d in full)
        dx, dprev, g = _step_backward(cell, dnew, c["enc_caches"][s])
        for k, v in g.items():
            grads[f"enc_{k}"] += v
        np.add.at(grads["E_src"], X_ids[s], dx)
        dstate = tuple((1.0 - mk) * d + dp for d, dp in zip(full, dprev, strict=True))
    return grads


def seq2seq_loss_and_grads(params: Params, src: np.ndarray, src_mask: np.ndarray,
                           tgt: np.ndarray, tgt_mask: np.ndarray, teacher_forcing: float = 1.0,
                           rng: np.random.Generator | int | None = None,
                           feed: str = "sample") -> tuple[float, Params, Seq2SeqPass]:
    r"""Mean cross-entropy per target token and the gradients of every parameter.

    .. math:: L = -\frac{1}{N} \sum_{b} \sum_{t \le T_b} \log p(y_{t,b} \mid \tilde y_{<t,b}, x_b)

    where :math:`\tilde y` are the fed tokens (the targets under teacher forcing) and
    :math:`N` counts the real target tokens (``tgt_mask``). See :func:`seq2seq_forward`
    for the arguments.

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    fwd : Seq2SeqPass
    """
    fwd = seq2seq_forward(params, src, src_mask, tgt, teacher_forcing, rng, feed)
    tgt_mask = _check_mask(tgt_mask, tgt.shape, "tgt_mask")
    loss, dlogits = _loss(fwd.logits, np.asarray(tgt), tgt_mask)
    return loss, seq2seq_backward(params, fwd, dlogits), fwd


def seq2seq_loss(params: Params, src: np.ndarray, src_mask: np.ndarray, tgt: np.ndarray,
                 tgt_mask: np.ndarray, teacher_forcing: float = 1.0, feed: str = "argmax",
                 rng: np.random.Generator | int | None = None) -> float:
    """Mean cross-entropy per target token (nats), without gradients.

    ``teacher_forcing=1`` scores the targets under teacher forcing; ``teacher_forcing=0``
    with ``feed="argmax"`` scores them while the decoder reads its own greedy outputs
    (free running), which is what the model faces at inference time.
    """
    fwd = seq2seq_forward(params, src, src_mask, tgt, teacher_forcing, rng, feed)
    tgt_mask = _check_mask(tgt_mask, np.shape(tgt), "tgt_mask")
    return _loss(fwd.logits, np.asarray(tgt), tgt_mask)[0]


def sequence_logprob(params: Params, src: np.ndarray, src_mask: np.ndarray, tgt: np.ndarray,
                     tgt_mask: np.ndarray, teacher_forcing: float = 1.0, feed: str = "argmax",
                     rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Per-sequence summed log-probability of ``tgt`` ``(B,)`` (teacher forcing by default).

    With ``teacher_forcing=0`` and ``feed="argmax"`` it scores the targets while the decoder
    reads its own greedy outputs: the free-running log-likelihood.
    """
    fwd = seq2seq_forward(params, src, src_mask, tgt, teacher_forcing, rng, feed)
    tgt = np.asarray(tgt)
    tgt_mask = _check_mask(tgt_mask, tgt.shape, "tgt_mask")
    a = fwd.logits - fwd.logits.max(axis=-1, keepdims=True)
    log_p = np.take_along_axis(a, tgt[..., None], axis=-1)[..., 0] - np.log(np.exp(a).sum(-1))
    return (log_p * tgt_mask).sum(axis=0)


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------
def inverse_sigmoid_schedule(i: int | np.ndarray, k: float) -> np.ndarray | float:
    r"""Teacher-forcing probability :math:`\epsilon_i = k / (k + \exp(i / k))` (Bengio et al., 2015).

    ``i`` is the training step (or epoch); :math:`k \ge 1` sets how long the probability
    stays near 1 (it crosses 1/2 at :math:`i = k \ln k`).
    """
    if not (np.isfinite(k) and k >= 1):
        raise ValueError(f"k must be finite and >= 1, got {k}")
    i = as_array(i, "i")
    if np.any(i < 0):
        raise ValueError("i must be >= 0")
    out = k / (k + np.exp(np.minimum(i / k, 700.0)))
    return float(out) if out.ndim == 0 else out


def linear_schedule(i: int | np.ndarray, eps_min: float, c: float,
                    eps0: float = 1.0) -> np.ndarray | float:
    r""":math:`\epsilon_i = \max(\epsilon_{\min}, \epsilon_0 - c\, i)` (Bengio et al., 2015)."""
    if not (0 <= eps_min <= eps0 <= 1) or not (np.isfinite(c) and c >= 0):
        raise ValueError("need 0 <= eps_min <= eps0 <= 1 and c >= 0")
    i = as_array(i, "i")
    if np.any(i < 0):
        raise ValueError("i must be >= 0")
    out = np.maximum(eps_min, eps0 - c * i)
    return float(out) if out.ndim == 0 else out


def exponential_schedule(i: int | np.ndarray, k: float) -> np.ndarray | float:
    r""":math:`\epsilon_i = k^i` with :math:`0 < k < 1` (Bengio et al., 2015)."""
    if not 0 < k < 1:
        raise ValueError(f"k must lie in (0, 1), got {k}")
    i = as_array(i, "i")
    if np.any(i < 0):
        raise ValueError("i must be >= 0")
    out = np.power(k, i)
    return float(out) if out.ndim == 0 else out


def train_seq2seq(params: Params, src: np.ndarray, src_mask: np.ndarray, tgt: np.ndarray,
                  tgt_mask: np.ndarray, steps: int, rng: np.random.Generator | int,
                  batch_size: int = 64, lr: float = 1e-2, max_norm: float = 5.0,
                  teacher_forcing: float | Callable[[int], float] = 1.0) -> list[float]:
    """Train ``params`` in place with Adam and global-norm clipping on random minibatches.

    Each step draws ``batch_size`` sequences without replacement (all of them if there are
    fewer), trims the padding columns they do not use, and takes one Adam step on
    :func:`seq2seq_loss_and_grads`. ``teacher_forcing`` is a probability or a function of
    the step index (e.g. ``lambda i: inverse_sigmoid_schedule(i, 100)``).

    Parameters
    ----------
    params : dict from :func:`init_seq2seq`, updated in place
    src, src_mask : (S, N) ids and mask of all training sequences
    tgt, tgt_mask : (T, N)
    steps : int
    rng : Generator or int
    batch_size, lr, max_norm : minibatch size, Adam learning rate, clipping threshold

    Returns
    -------
    list of float
        The training loss at every step.
    """
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = check_rng(rng)
    src, tgt = np.asarray(src), np.asarray(tgt)
    if src.ndim != 2 or tgt.ndim != 2 or src.shape[1] != tgt.shape[1]:
        raise ValueError(f"src (S, N) and tgt (T, N) must share N, got {src.shape} and {tgt.shape}")
    N = src.shape[1]
    opt = Adam(lr=lr)
    history = []
    for i in range(steps):
        idx = rng.permutation(N)[:batch_size] if batch_size < N else np.arange(N)
        sm, tm = src_mask[:, idx], tgt_mask[:, idx]
        S_b, T_b = int(sm.sum(axis=0).max()), int(tm.sum(axis=0).max())
        tf = teacher_forcing(i) if callable(teacher_forcing) else teacher_forcing
        loss, grads, _ = seq2seq_loss_and_grads(
            params, src[:S_b, idx], sm[:S_b], tgt[:T_b, idx], tm[:T_b], float(tf), rng)
        grads, _ = clip_by_global_norm(grads, max_norm)
        opt.step(params, grads)
        history.append(loss)
    return history


# ---------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------
def greedy_decode_batch(params: Params, src: np.ndarray, src_mask: np.ndarray,
                        max_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Greedy decoding of a whole batch: at every step feed back the most probable token.

    Parameters
    ----------
    params : dict from :func:`init_seq2seq`
    src, src_mask : (S, B)
    max_len : int, the number of decoder steps

    Returns
    -------
    tokens : (max_len, B) int64; after a sequence's ``EOS`` the entries are ``PAD``
    logprob : (B,) summed log-probability of each sequence up to and including its ``EOS``
    alphas : (max_len, S, B) attention weights, or None without attention
    """
    max_len = check_positive_int(max_len, "max_len")
    B = np.asarray(src).shape[1] if np.ndim(src) == 2 else 0
    dummy = np.full((max_len, B), EOS, dtype=np.int64)
    fwd = seq2seq_forward(params, src, src_mask, dummy, teacher_forcing=0.0, feed="argmax")
    a = fwd.logits - fwd.logits.max(axis=-1, keepdims=True)
    log_p = a - np.log(np.exp(a).sum(axis=-1, keepdims=True))
    tokens = log_p.argmax(axis=-1)
    best = np.take_along_axis(log_p, tokens[..., None], axis=-1)[..., 0]
    done = np.cumsum(tokens == EOS, axis=0)
    alive = np.vstack([np.ones((1, B)), (done[:-1] == 0)]).astype(bool)
    tokens = np.where(alive, tokens, PAD)
    return tokens, (best * alive).sum(axis=0), fwd.alphas


def model_step_fn(params: Params, src: Sequence[int]) -> Callable[[tuple[int, ...]], np.ndarray]:
    """A next-token log-probability function of the trained model for one source sequence.

    The returned ``f(prefix)`` takes a tuple of target ids that starts with ``SOS`` and returns
    ``(V_tgt,)`` log-probabilities of the next token; decoder states are cached per prefix, so
    beam search costs one decoder step per expanded hypothesis.
    """
    cell, attention, n = _config(params)
    ids = _check_ids(np.asarray(src, dtype=np.int64).reshape(-1, 1), "src",
                     params["E_src"].shape[0])
    mask = np.ones(ids.shape)
    H, state0, _ = _encode(params, cell, ids, mask)
    p_dec = _sub(params, "dec_")
    # memo[prefix] = (decoder state after reading every token of prefix, its output features)
    memo: dict[tuple[int, ...], tuple[tuple, np.ndarray]] = {}

    def after(prefix: tuple[int, ...]) -> tuple[tuple, np.ndarray]:
        if prefix not in memo:
            state = state0 if len(prefix) == 1 else after(prefix[:-1])[0]
            x = params["E_tgt"][[prefix[-1]]]
            if attention:
                ctx, _, _ = additive_attention_forward(state[0], H, params["W_a"],
                                                       params["U_a"], params["v_a"], mask)
                x = np.concatenate([x, ctx], axis=1)
            new, _ = _step_forward(cell, x, state, p_dec)
            out = np.concatenate([new[0], ctx], axis=1) if attention else new[0]
            memo[prefix] = (new, out)
        return memo[prefix]

    V = params["E_tgt"].shape[0]

    def f(prefix: tuple[int, ...]) -> np.ndarray:
        prefix = tuple(int(t) for t in prefix)
        if not prefix or prefix[0] != SOS:
            raise ValueError("prefix must start with SOS")
        if min(prefix) < 0 or max(prefix) >= V:
            raise ValueError(f"prefix ids must lie in [0, {V})")
        logits = after(prefix)[1][0] @ params["W_hy"].T + params["b_y"]
        a = logits - logits.max()
        return a - np.log(np.exp(a).sum())

    return f


def greedy_decode(step_logprob_fn: Callable[[tuple[int, ...]], np.ndarray], start: int,
                  end: int, max_len: int) -> tuple[tuple[int, ...], float]:
    r"""Greedy search: append :math:`\arg\max_y \log p(y \mid \text{prefix})` until ``end``.

    Parameters
    ----------
    step_logprob_fn : callable
        ``f(prefix)`` with ``prefix`` a tuple of ids starting with ``start``; returns the
        ``(V,)`` log-probabilities of the next token.
    start, end : int
        Start and end token ids.
    max_len : int
        Most tokens generated (``end`` included).

    Returns
    -------
    tokens : tuple of int, without ``start``, ending with ``end`` unless ``max_len`` cut it
    logprob : float, the sum of the chosen tokens' log-probabilities
    """
    max_len = check_positive_int(max_len, "max_len")
    prefix, score = (int(start),), 0.0
    for _ in range(max_len):
        lp = _check_logprobs(step_logprob_fn(prefix), end)
        tok = int(np.argmax(lp))
        prefix, score = prefix + (tok,), score + float(lp[tok])
        if tok == end:
            break
    return prefix[1:], score


def _check_logprobs(lp: object, end: int) -> np.ndarray:
    lp = as_array(lp, "step_logprob_fn(prefix)", ndim=1, finite=False)
    if np.any(np.isnan(lp)) or np.any(lp > 1e-9):
        raise ValueError("step_logprob_fn must return log-probabilities (<= 0, no NaN)")
    if not -1e-6 < np.logaddexp.reduce(lp) < 1e-6:
        raise ValueError("step_logprob_fn must return normalised log-probabilities "
                         f"(logsumexp = 0), got {np.logaddexp.reduce(lp):.3g}")
    if not 0 <= end < lp.size:
        raise ValueError(f"end = {end} is outside the vocabulary [0, {lp.size})")
    return lp


def beam_search(step_logprob_fn: Callable[[tuple[int, ...]], np.ndarray], start: int, end: int,
                beam_width: int, max_len: int) -> list[tuple[tuple[int, ...], float]]:
    r"""Beam search for :math:`\arg\max_y \sum_t \log p(y_t \mid y_{<t})`.

    Keeps the ``beam_width`` best-scoring prefixes. At every step each live prefix is extended
    by every token; of all extensions the ``beam_width`` best survive; a survivor that ends in
    ``end`` or has ``max_len`` tokens is finished and leaves the beam (it still took one of the
    ``beam_width`` places at that step). Scores are summed log-probabilities, with no length
    normalisation. With ``beam_width = 1`` this is :func:`greedy_decode`; with ``beam_width``
    at least the number of possible sequences nothing is pruned and the search is exhaustive.

    Parameters
    ----------
    step_logprob_fn : callable, as for :func:`greedy_decode`
    start, end : int
    beam_width : int >= 1
    max_len : int >= 1

    Returns
    -------
    list of (tokens, logprob)
        The finished hypotheses, best first (``tokens`` without ``start``).
    """
    beam_width = check_positive_int(beam_width, "beam_width")
    max_len = check_positive_int(max_len, "max_len")
    beams: list[tuple[float, tuple[int, ...]]] = [(0.0, (int(start),))]
    finished: list[tuple[float, tuple[int, ...]]] = []
    for _ in range(max_len):
        candidates = []
        for score, prefix in beams:
            lp = _check_logprobs(step_logprob_fn(prefix), end)
            candidates.extend((score + float(lp[y]), prefix + (y,)) for y in range(lp.size))
        # ties are broken towards the smaller token ids, as argmax does
        best = heapq.nlargest(beam_width, candidates, key=lambda c: c[0])
        beams = []
        for score, prefix in best:
            if prefix[-1] == end or len(prefix) - 1 == max_len:
                finished.append((score, prefix))
            else:
                beams.append((score, prefix))
        if not beams:
            break
    finished.sort(key=lambda c: -c[0])
    return [(prefix[1:], score) for score, prefix in finished]


def exhaustive_search(step_logprob_fn: Callable[[tuple[int, ...]], np.ndarray], start: int,
                      end: int, vocab_size: int, max_len: int) -> tuple[tuple[int, ...], float]:
    """The most probable complete sequence by enumerating all of them (tiny vocabularies only).

    A complete sequence ends with ``end`` or has ``max_len`` tokens; there are about
    ``vocab_size ** max_len`` of them.
    """
    vocab_size = check_positive_int(vocab_size, "vocab_size")
    max_len = check_positive_int(max_len, "max_len")
    if vocab_size ** max_len > 200_000:
        raise ValueError("exhaustive search would enumerate more than 200000 sequences")
    others = [y for y in range(vocab_size) if y != end]
    best: tuple[float, tuple[int, ...]] = (-np.inf, ())
    for L in range(1, max_len + 1):
        for body in itertools.product(others, repeat=L - 1):
            for last in ([end] + others if L == max_len else [end]):
                seq = (int(start),) + body + (last,)
                score = sum(float(_check_logprobs(step_logprob_fn(seq[:k]), end)[seq[k]])
                            for k in range(1, len(seq)))
                if score > best[0]:
                    best = (score, seq[1:])
    return best[1], best[0]
