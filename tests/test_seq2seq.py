"""rnnbook.seq2seq: gradients of the encoder-decoder and of additive attention against finite
differences, masking, scheduled sampling, decoding, beam search against exhaustive search,
the vocabulary and the shipped transliteration pairs, and bad inputs."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import seq2seq as s2s
from rnnbook.gradcheck import check_gradients, numerical_gradient, relative_error

TOL = 1e-6
cells = st.sampled_from(["rnn", "gru", "lstm"])
seeds = st.integers(0, 2**16)


def _model(rng, cell, attention, V_src=6, V_tgt=6, e=3, n=4, m=3, scale=0.5):
    """A tiny model whose parameters are all drawn at ``scale`` (no tiny gradients).

    ``W_a`` and ``U_a`` are drawn three times larger: the softmax ignores a shift common to all
    scores, so ``W_a s`` matters only through the curvature of tanh, and with small
    pre-activations its gradient would be too small for finite differences to resolve.
    """
    params = s2s.init_seq2seq(V_src, V_tgt, e, n, rng, cell=cell, attention=attention, n_att=m)
    return {k: (3 * scale if k in ("W_a", "U_a") else scale) * rng.normal(size=v.shape)
            for k, v in params.items()}


def _batch(rng, B, S_max, T_max, V_src, V_tgt):
    """Right-padded random source and target id arrays with masks."""
    S_len = rng.integers(1, S_max + 1, size=B)
    T_len = rng.integers(1, T_max + 1, size=B)
    src = np.zeros((S_len.max(), B), dtype=np.int64)
    tgt = np.zeros((T_len.max(), B), dtype=np.int64)
    src_mask = np.zeros(src.shape)
    tgt_mask = np.zeros(tgt.shape)
    for b in range(B):
        src[:S_len[b], b] = rng.integers(3, V_src, size=S_len[b])
        tgt[:T_len[b], b] = rng.integers(2, V_tgt, size=T_len[b])
        src_mask[:S_len[b], b] = 1
        tgt_mask[:T_len[b], b] = 1
    return src, src_mask, tgt, tgt_mask


# ---------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------
@given(cell=cells, attention=st.booleans(), B=st.integers(1, 3), S=st.integers(1, 4),
       T=st.integers(1, 4), seed=seeds)
def test_model_gradients_match_finite_differences(cell, attention, B, S, T, seed):
    """Backward pass of the whole encoder-decoder for a random linear function of the logits."""
    rng = np.random.default_rng(seed)
    params = _model(rng, cell, attention)
    src, src_mask, tgt, _ = _batch(rng, B, S, T, 6, 6)
    R = rng.normal(size=(tgt.shape[0], B, 6))

    def loss():
        return float(np.sum(s2s.seq2seq_forward(params, src, src_mask, tgt).logits * R))

    fwd = s2s.seq2seq_forward(params, src, src_mask, tgt)
    grads = s2s.seq2seq_backward(params, fwd, R)
    assert set(grads) == set(params)
    errors = check_gradients(loss, params, grads, eps=1e-5)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("attention", [False, True])
def test_cross_entropy_gradients(cell, attention):
    """seq2seq_loss_and_grads: mean cross-entropy over the real tokens of a padded batch."""
    rng = np.random.default_rng(3)
    params = _model(rng, cell, attention)
    src, src_mask, tgt, tgt_mask = _batch(rng, 3, 4, 4, 6, 6)

    def loss():
        return s2s.seq2seq_loss_and_grads(params, src, src_mask, tgt, tgt_mask)[0]

    value, grads, _ = s2s.seq2seq_loss_and_grads(params, src, src_mask, tgt, tgt_mask)
    assert value == pytest.approx(s2s.seq2seq_loss(params, src, src_mask, tgt, tgt_mask))
    errors = check_gradients(loss, params, grads, eps=1e-5)
    assert max(errors.values()) < TOL, errors


@given(B=st.integers(1, 3), S=st.integers(1, 5), n_dec=st.integers(1, 4),
       n_enc=st.integers(1, 4), m=st.integers(1, 4), seed=seeds, masked=st.booleans())
def test_attention_gradients(B, S, n_dec, n_enc, m, seed, masked):
    rng = np.random.default_rng(seed)
    H = rng.normal(size=(S, B, n_enc))
    s_prev = rng.normal(size=(B, n_dec))
    W_a, U_a, v_a = rng.normal(size=(m, n_dec)), rng.normal(size=(m, n_enc)), rng.normal(size=m)
    mask = np.ones((S, B))
    if masked:
        lengths = rng.integers(1, S + 1, size=B)
        mask = (np.arange(S)[:, None] < lengths[None]).astype(float)
    R, Q = rng.normal(size=(B, n_enc)), rng.normal(size=(S, B))

    def loss():
        c, a, _ = s2s.additive_attention_forward(s_prev, H, W_a, U_a, v_a, mask)
        return float(np.sum(c * R) + np.sum(a * Q))

    _, alpha, cache = s2s.additive_attention_forward(s_prev, H, W_a, U_a, v_a, mask)
    ds, dH, grads = s2s.additive_attention_backward(R, cache, dalpha=Q)
    errors = check_gradients(loss, {"W_a": W_a, "U_a": U_a, "v_a": v_a}, grads)
    errors["s_prev"] = relative_error(ds, numerical_gradient(loss, s_prev))
    errors["H"] = relative_error(dH, numerical_gradient(loss, H))
    assert max(errors.values()) < TOL, errors
    assert np.allclose(alpha.sum(axis=0), 1.0)
    assert np.all(alpha[mask == 0] == 0.0)


def test_attention_is_a_weighted_average():
    """With equal scores (v_a = 0) the context is the plain mean of the unmasked states."""
    rng = np.random.default_rng(0)
    H = rng.normal(size=(4, 2, 3))
    mask = np.array([[1, 1], [1, 1], [1, 0], [0, 0]], dtype=float)
    c, alpha, _ = s2s.additive_attention_forward(rng.normal(size=(2, 3)), H, np.ones((2, 3)),
                                                 np.ones((2, 3)), np.zeros(2), mask)
    assert np.allclose(c[0], H[:3, 0].mean(axis=0))
    assert np.allclose(c[1], H[:2, 1].mean(axis=0))
    assert np.allclose(alpha[:, 0], [1 / 3, 1 / 3, 1 / 3, 0])


# ---------------------------------------------------------------------------
# masking, teacher forcing, decoding
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("attention", [False, True])
def test_padding_does_not_change_a_sequence(cell, attention):
    """A short sequence gives the same logits alone as in a batch padded to a longer one."""
    rng = np.random.default_rng(1)
    params = _model(rng, cell, attention)
    src = np.array([[3, 4], [5, 3], [0, 4], [0, 5]])
    src_mask = np.array([[1, 1], [1, 1], [0, 1], [0, 1]], dtype=float)
    tgt = np.array([[2, 3], [3, 4], [4, 2]])
    batch = s2s.seq2seq_forward(params, src, src_mask, tgt).logits[:, 0]
    alone = s2s.seq2seq_forward(params, src[:2, :1], src_mask[:2, :1], tgt[:, :1]).logits[:, 0]
    assert np.allclose(batch, alone)


def test_teacher_forcing_feeds_the_targets_and_free_running_its_own_argmax():
    rng = np.random.default_rng(2)
    params = _model(rng, "gru", True)
    src, src_mask, tgt, _ = _batch(rng, 4, 4, 5, 6, 6)
    forced = s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=1.0)
    assert np.array_equal(forced.inputs[0], np.full(4, s2s.SOS))
    assert np.array_equal(forced.inputs[1:], tgt[:-1])
    free = s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=0.0, feed="argmax")
    assert np.array_equal(free.inputs[1:], free.logits[:-1].argmax(axis=-1))
    half = s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=0.5, rng=0)
    mixed = s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=0.5, rng=0)
    assert np.array_equal(half.inputs, mixed.inputs)          # seeded: reproducible


def test_scheduled_sampling_rate():
    """With teacher_forcing = eps about a fraction eps of the inputs are the true tokens."""
    rng = np.random.default_rng(0)
    params = _model(rng, "rnn", False, scale=2.0)
    src, src_mask, tgt, _ = _batch(rng, 400, 3, 6, 6, 6)
    tgt = np.where(np.arange(tgt.shape[0])[:, None] < 6, tgt, 2)
    fwd = s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=0.3, rng=1,
                              feed="argmax")
    own = fwd.logits[:-1].argmax(axis=-1)
    differ = own != tgt[:-1]                     # positions where the two choices differ
    took_true = fwd.inputs[1:][differ] == tgt[:-1][differ]
    assert took_true.mean() == pytest.approx(0.3, abs=0.05)


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_batch_matches_generic_greedy(attention):
    rng = np.random.default_rng(4)
    params = _model(rng, "lstm", attention, scale=1.0)
    src, src_mask, _, _ = _batch(rng, 5, 5, 2, 6, 6)
    tokens, logprob, alphas = s2s.greedy_decode_batch(params, src, src_mask, max_len=6)
    assert (alphas is not None) == attention
    for b in range(5):
        f = s2s.model_step_fn(params, src[: int(src_mask[:, b].sum()), b])
        seq, lp = s2s.greedy_decode(f, s2s.SOS, s2s.EOS, max_len=6)
        assert tuple(tokens[: len(seq), b]) == seq
        assert np.all(tokens[len(seq):, b] == s2s.PAD)
        assert logprob[b] == pytest.approx(lp)


def test_sequence_logprob_matches_loss():
    rng = np.random.default_rng(5)
    params = _model(rng, "gru", True)
    src, src_mask, tgt, tgt_mask = _batch(rng, 3, 4, 4, 6, 6)
    lp = s2s.sequence_logprob(params, src, src_mask, tgt, tgt_mask)
    loss = s2s.seq2seq_loss(params, src, src_mask, tgt, tgt_mask)
    assert -lp.sum() / tgt_mask.sum() == pytest.approx(loss)


def test_training_learns_to_reverse():
    src, src_mask, tgt, tgt_mask = s2s.reverse_task(300, 1, 4, 4, rng=0)
    params = s2s.init_seq2seq(7, 7, 6, 16, rng=1, cell="gru", attention=True)
    history = s2s.train_seq2seq(params, src, src_mask, tgt, tgt_mask, steps=150, rng=2,
                                batch_size=32, lr=0.02)
    assert history[-1] < 0.2 * history[0]
    tokens, _, _ = s2s.greedy_decode_batch(params, src[:, :50], src_mask[:, :50], max_len=5)
    assert np.mean(np.all(tokens == tgt[:, :50], axis=0)) > 0.8


def test_train_with_a_schedule_is_reproducible():
    src, src_mask, tgt, tgt_mask = s2s.reverse_task(40, 1, 3, 3, rng=0)
    runs = []
    for _ in range(2):
        params = s2s.init_seq2seq(6, 6, 3, 5, rng=1, cell="rnn", attention=False)
        runs.append(s2s.train_seq2seq(params, src, src_mask, tgt, tgt_mask, steps=5, rng=3,
                                      teacher_forcing=lambda i: s2s.inverse_sigmoid_schedule(i, 2)))
    assert runs[0] == runs[1]


# ---------------------------------------------------------------------------
# beam search against exhaustive search
# ---------------------------------------------------------------------------
def _random_table(seed, V):
    """A next-token distribution that depends on the whole prefix (deterministic per prefix)."""
    cache = {}

    def f(prefix):
        key = tuple(prefix)
        if key not in cache:
            r = np.random.default_rng([seed, *key])
            logits = 2.0 * r.normal(size=V)
            cache[key] = logits - np.logaddexp.reduce(logits)
        return cache[key]
    return f


@given(seed=seeds, V=st.integers(2, 4), max_len=st.integers(1, 4))
def test_wide_beam_is_exhaustive(seed, V, max_len):
    f = _random_table(seed, V)
    start, end = V, 0                           # start id outside the output vocabulary
    best, best_lp = s2s.exhaustive_search(f, start, end, V, max_len)
    width = V ** max_len                        # at least the number of complete sequences
    found, found_lp = s2s.beam_search(f, start, end, width, max_len)[0]
    assert found == best
    assert found_lp == pytest.approx(best_lp)


@given(seed=seeds, V=st.integers(2, 5), max_len=st.integers(1, 6))
def test_beam_of_one_is_greedy(seed, V, max_len):
    f = _random_table(seed, V)
    greedy, greedy_lp = s2s.greedy_decode(f, V, 0, max_len)
    beam, beam_lp = s2s.beam_search(f, V, 0, 1, max_len)[0]
    assert beam == greedy
    assert beam_lp == pytest.approx(greedy_lp)


@given(seed=seeds, V=st.integers(2, 4), max_len=st.integers(1, 4), width=st.integers(1, 6))
def test_beam_never_worse_than_greedy_is_not_guaranteed_but_scores_are_consistent(
        seed, V, max_len, width):
    """Every returned score is the true summed log-probability of its sequence, best first,
    and nothing beats the exhaustive optimum."""
    f = _random_table(seed, V)
    results = s2s.beam_search(f, V, 0, width, max_len)
    scores = [lp for _, lp in results]
    assert scores == sorted(scores, reverse=True)
    for seq, lp in results:
        full = (V,) + seq
        true = sum(f(full[:k])[full[k]] for k in range(1, len(full)))
        assert lp == pytest.approx(true)
        assert seq[-1] == 0 or len(seq) == max_len
    assert scores[0] <= s2s.exhaustive_search(f, V, 0, V, max_len)[1] + 1e-12


def test_beam_beats_greedy_on_the_chapter_table():
    END, A, B, START = 0, 1, 2, 3
    table = {(START,): [0.1, 0.5, 0.4], (START, A): [0.4, 0.3, 0.3],
             (START, B): [0.9, 0.05, 0.05]}

    def f(prefix):
        return np.log(table.get(tuple(prefix), [0.8, 0.1, 0.1]))

    greedy, greedy_lp = s2s.greedy_decode(f, START, END, 4)
    beam, beam_lp = s2s.beam_search(f, START, END, 2, 4)[0]
    assert greedy == (A, END) and np.exp(greedy_lp) == pytest.approx(0.20)
    assert beam == (B, END) and np.exp(beam_lp) == pytest.approx(0.36)
    assert s2s.exhaustive_search(f, START, END, 3, 4)[0] == beam


# ---------------------------------------------------------------------------
# schedules, vocabulary, metrics, data
# ---------------------------------------------------------------------------
def test_schedules():
    k = 30.0
    i = np.arange(500)
    eps = s2s.inverse_sigmoid_schedule(i, k)
    assert np.all(np.diff(eps) < 0) and eps[0] == pytest.approx(k / (k + 1))
    assert s2s.inverse_sigmoid_schedule(k * np.log(k), k) == pytest.approx(0.5)
    assert s2s.linear_schedule(1000, eps_min=0.1, c=0.01) == 0.1
    assert s2s.linear_schedule(10, eps_min=0.1, c=0.01) == pytest.approx(0.9)
    assert s2s.exponential_schedule(2, 0.5) == 0.25
    assert np.isfinite(s2s.inverse_sigmoid_schedule(1e9, 2.0))


def test_vocab_roundtrip():
    vocab = s2s.CharVocab.from_strings(["नमस्ते", "घर"])
    ids, mask = vocab.encode(["घर", "नमस्ते"], eos=True)
    assert ids.shape == (7, 2) and mask[:, 0].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert ids[2, 0] == s2s.EOS
    assert vocab.decode(ids[:, 1]) == "नमस्ते"
    assert vocab.decode([s2s.SOS, *ids[:, 0]]) == "घर"
    assert vocab.chars[:3] == ("<pad>", "<s>", "</s>")


def test_char_accuracy():
    assert s2s.char_accuracy(["sitting"], ["kitten"]) == pytest.approx(1 - 3 / 6)
    assert s2s.char_accuracy(["abc", "x"], ["abc", "y"]) == pytest.approx(1 - 1 / 4)
    assert s2s.char_accuracy(["", "ab"], ["ab", "ab"]) == pytest.approx(0.5)


def test_transliteration_pairs():
    pairs = s2s.load_transliteration_pairs()
    assert len(pairs) == 259
    romans = [r for r, _ in pairs]
    assert len(set(romans)) == len(romans)
    d = dict(pairs)
    assert d["namaste"] == "नमस्ते" and d["rahul"] == "राहुल" and d["priya"] == "प्रिया"
    assert d["sunita"] == "सुनीता" and d["suresh"] == "सुरेश"
    for roman, dev in pairs:
        assert roman.isascii() and roman.isalpha() and roman == roman.lower()
        assert unicodedata.normalize("NFC", dev) == dev
        assert all("\u0900" <= c <= "\u097f" for c in dev), dev
        assert "\ufffd" not in dev


def test_reverse_task():
    src, src_mask, tgt, tgt_mask = s2s.reverse_task(20, 2, 5, 4, rng=0)
    for b in range(20):
        L = int(src_mask[:, b].sum())
        assert 2 <= L <= 5
        assert np.array_equal(tgt[:L, b], src[:L, b][::-1]) and tgt[L, b] == s2s.EOS
        assert tgt_mask[:, b].sum() == L + 1


# ---------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------
def test_bad_inputs():
    rng = np.random.default_rng(0)
    params = _model(rng, "gru", True)
    src, src_mask, tgt, tgt_mask = _batch(rng, 2, 3, 3, 6, 6)
    with pytest.raises(ValueError, match="cell"):
        s2s.init_seq2seq(5, 5, 2, 3, 0, cell="transformer")
    with pytest.raises(TypeError):
        s2s.init_seq2seq(5, 5, 2, 3, 0, attention="yes")
    with pytest.raises(ValueError):
        s2s.init_seq2seq(0, 5, 2, 3, 0)
    with pytest.raises(KeyError):
        s2s.seq2seq_forward({"E_src": np.zeros((3, 2))}, src, src_mask, tgt)
    with pytest.raises(ValueError, match="ids must lie"):
        s2s.seq2seq_forward(params, src + 10, src_mask, tgt)
    with pytest.raises(TypeError, match="integer"):
        s2s.seq2seq_forward(params, src.astype(float), src_mask, tgt)
    with pytest.raises(ValueError, match="right-padded"):
        s2s.seq2seq_forward(params, np.full((3, 2), 3), np.array([[1, 1], [0, 1], [1, 1]]), tgt)
    with pytest.raises(ValueError, match="teacher_forcing"):
        s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=1.5)
    with pytest.raises(ValueError, match="rng"):
        s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=0.5)
    with pytest.raises(ValueError, match="feed"):
        s2s.seq2seq_forward(params, src, src_mask, tgt, teacher_forcing=1.0, feed="best")
    with pytest.raises(ValueError, match="shape"):
        s2s.seq2seq_forward(params, src, src_mask, tgt[:, :1])
    fwd = s2s.seq2seq_forward(params, src, src_mask, tgt)
    with pytest.raises(ValueError, match="dlogits"):
        s2s.seq2seq_backward(params, fwd, np.zeros((1, 2, 6)))
    with pytest.raises(ValueError):
        s2s.seq2seq_loss_and_grads(params, src, src_mask, tgt, tgt_mask * 2)
    with pytest.raises(ValueError):
        s2s.seq2seq_loss(params, src, src_mask, tgt, np.ones((1, 2)))
    with pytest.raises(ValueError):
        s2s.sequence_logprob(params, src, src_mask, tgt, np.ones((9, 2)))
    with pytest.raises(ValueError):
        s2s.greedy_decode_batch(params, src, src_mask, max_len=0)
    with pytest.raises(ValueError):
        s2s.train_seq2seq(params, src, src_mask, tgt[:, :1], tgt_mask[:, :1], 1, 0)
    with pytest.raises(ValueError):
        s2s.train_seq2seq(params, src, src_mask, tgt, tgt_mask, 0, 0)


def test_bad_attention_inputs():
    rng = np.random.default_rng(0)
    H, s_prev = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 4))
    W_a, U_a, v_a = rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    with pytest.raises(ValueError, match="s_prev"):
        s2s.additive_attention_forward(s_prev[:1], H, W_a, U_a, v_a)
    with pytest.raises(ValueError, match="U_a"):
        s2s.additive_attention_forward(s_prev, H, W_a, U_a[:, :2], v_a)
    with pytest.raises(ValueError, match="v_a"):
        s2s.additive_attention_forward(s_prev, H, W_a, U_a, v_a[:2])
    with pytest.raises(ValueError, match="mask"):
        s2s.additive_attention_forward(s_prev, H, W_a, U_a, v_a, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        s2s.additive_attention_forward(s_prev, H * np.nan, W_a, U_a, v_a)
    _, _, cache = s2s.additive_attention_forward(s_prev, H, W_a, U_a, v_a)
    with pytest.raises(ValueError, match="dcontext"):
        s2s.additive_attention_backward(np.zeros((2, 3)), cache)
    with pytest.raises(ValueError, match="dalpha"):
        s2s.additive_attention_backward(np.zeros((2, 4)), cache, dalpha=np.zeros((2, 2)))


def test_bad_search_inputs():
    def uniform(prefix):
        return np.log(np.full(3, 1 / 3))

    with pytest.raises(ValueError, match="beam_width"):
        s2s.beam_search(uniform, 3, 0, 0, 4)
    with pytest.raises(TypeError):
        s2s.beam_search(uniform, 3, 0, 2.5, 4)
    with pytest.raises(ValueError, match="max_len"):
        s2s.greedy_decode(uniform, 3, 0, 0)
    with pytest.raises(ValueError, match="normalised"):
        s2s.greedy_decode(lambda p: np.log(np.full(3, 0.5)), 3, 0, 2)
    with pytest.raises(ValueError, match="log-probabilities"):
        s2s.beam_search(lambda p: np.full(3, 0.5), 3, 0, 2, 2)
    with pytest.raises(ValueError, match="end"):
        s2s.greedy_decode(uniform, 3, 7, 2)
    with pytest.raises(ValueError, match="200000"):
        s2s.exhaustive_search(uniform, 3, 0, 30, 6)
    params = _model(np.random.default_rng(0), "rnn", False)
    f = s2s.model_step_fn(params, [3, 4])
    with pytest.raises(ValueError, match="SOS"):
        f((4,))
    with pytest.raises(ValueError, match="prefix ids"):
        f((s2s.SOS, 99))


def test_bad_data_inputs():
    vocab = s2s.CharVocab.from_strings(["ab"])
    with pytest.raises(KeyError, match="not in the vocabulary"):
        vocab.encode(["abc"])
    with pytest.raises(TypeError):
        vocab.encode("ab")
    with pytest.raises(ValueError):
        vocab.encode([])
    with pytest.raises(ValueError):
        vocab.encode([""])
    with pytest.raises(ValueError, match="outside"):
        vocab.decode([99])
    with pytest.raises(ValueError, match="specials"):
        s2s.CharVocab(("a", "b", "c"))
    with pytest.raises(ValueError, match="distinct"):
        s2s.CharVocab(("<pad>", "<s>", "</s>", "a", "a"))
    with pytest.raises(TypeError):
        s2s.CharVocab.from_strings([1, 2])
    with pytest.raises(ValueError, match="same length"):
        s2s.char_accuracy(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="non-empty"):
        s2s.char_accuracy([""], [""])
    with pytest.raises(ValueError):
        s2s.reverse_task(5, 4, 2, 3, rng=0)
    with pytest.raises(TypeError):
        s2s.reverse_task(5, 1, 2, 3, rng="seed")
    with pytest.raises(ValueError, match="k"):
        s2s.inverse_sigmoid_schedule(3, 0.5)
    with pytest.raises(ValueError, match="i must"):
        s2s.inverse_sigmoid_schedule(-1, 5)
    with pytest.raises(ValueError):
        s2s.linear_schedule(3, eps_min=0.5, c=0.1, eps0=0.2)
    with pytest.raises(ValueError):
        s2s.exponential_schedule(3, 1.0)
