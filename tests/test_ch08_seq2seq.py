"""The numbers that chapter 8 (book/08_seq2seq.ipynb) quotes, recomputed with the same package calls
and seeds. Training is seeded, so the values are reproducible; the tolerances allow for a different
BLAS summing in a different order."""

from __future__ import annotations

import numpy as np
import pytest

from rnnbook import seq2seq as s2s
from rnnbook.gradcheck import check_gradients

N_SYM, MAX_LEN = 8, 10
V = 3 + N_SYM


@pytest.fixture(scope="module")
def reversal_models():
    src, src_mask, tgt, tgt_mask = s2s.reverse_task(2000, 1, MAX_LEN, N_SYM, rng=0)
    plain = s2s.init_seq2seq(V, V, 8, 32, rng=1, cell="gru", attention=False)
    attn = s2s.init_seq2seq(V, V, 8, 32, rng=1, cell="gru", attention=True)
    s2s.train_seq2seq(plain, src, src_mask, tgt, tgt_mask, 750, rng=2, batch_size=64, lr=0.01)
    s2s.train_seq2seq(attn, src, src_mask, tgt, tgt_mask, 250, rng=2, batch_size=64, lr=0.01)
    return plain, attn


def _accuracy(model, L):
    s, sm, t, _ = s2s.reverse_task(200, L, L, N_SYM, rng=100 + L)
    tokens, _, _ = s2s.greedy_decode_batch(model, s, sm, max_len=L + 1)
    return np.mean(tokens[:L] == t[:L]), np.mean(np.all(tokens == t, axis=0))


def test_gradient_check_cell():
    rng = np.random.default_rng(0)
    src, src_mask, tgt, tgt_mask = s2s.reverse_task(3, 1, 4, 3, rng)
    worst = 0.0
    for cell in ("rnn", "gru", "lstm"):
        for attention in (False, True):
            params = s2s.init_seq2seq(6, 6, 3, 4, rng, cell=cell, attention=attention, n_att=3)
            for key in params:
                scale = 1.5 if key in ("W_a", "U_a") else 0.5
                params[key] = scale * rng.normal(size=params[key].shape)
            _, grads, _ = s2s.seq2seq_loss_and_grads(params, src, src_mask, tgt, tgt_mask)

            def f(params=params):
                return s2s.seq2seq_loss_and_grads(params, src, src_mask, tgt, tgt_mask)[0]

            worst = max(worst, *check_gradients(f, params, grads, eps=1e-5).values())
    assert worst < 1e-6


def test_bottleneck(reversal_models):
    plain, attn = reversal_models
    acc3, _ = _accuracy(plain, 3)
    acc10, exact10 = _accuracy(plain, 10)
    att10, att_exact10 = _accuracy(attn, 10)
    assert acc3 == pytest.approx(0.997, abs=0.02)
    assert acc10 == pytest.approx(0.474, abs=0.05)
    assert exact10 == pytest.approx(0.045, abs=0.04)
    assert att10 == pytest.approx(0.997, abs=0.02)
    assert att_exact10 == pytest.approx(0.970, abs=0.04)
    # the parameter counts quoted beside the comparison (attention has more)
    n_plain, n_attn = (sum(p.size for p in m.values()) for m in (plain, attn))
    assert (n_plain, n_attn) == (8411, 13915)
    # the shape of the claim: the plain model degrades with length, attention does not
    accs = [_accuracy(plain, L)[0] for L in (4, 6, 8, 10)]
    assert all(a > b for a, b in zip(accs, accs[1:], strict=False))
    assert acc10 > 1 / N_SYM


def test_exposure_bias(reversal_models):
    plain, attn = reversal_models
    s, sm, t, tm = s2s.reverse_task(200, 10, 10, N_SYM, rng=110)
    forced = s2s.seq2seq_loss(plain, s, sm, t, tm, teacher_forcing=1.0)
    free = s2s.seq2seq_loss(plain, s, sm, t, tm, teacher_forcing=0.0, feed="argmax")
    assert forced == pytest.approx(0.602, abs=0.06)
    assert free == pytest.approx(2.426, abs=0.25)
    assert free / forced > 3
    s, sm, t, tm = s2s.reverse_task(200, 2, 2, N_SYM, rng=102)
    assert s2s.seq2seq_loss(plain, s, sm, t, tm, 1.0) == pytest.approx(
        s2s.seq2seq_loss(plain, s, sm, t, tm, 0.0), rel=0.05)


def test_schedule_crossing():
    k = 30
    assert s2s.inverse_sigmoid_schedule(k * np.log(k), k) == pytest.approx(0.5)


def test_toy_beam_table():
    END, A, B, START = 0, 1, 2, 3
    table = {(START,): [0.1, 0.5, 0.4], (START, A): [0.4, 0.3, 0.3],
             (START, B): [0.9, 0.05, 0.05]}

    def step_logprob(prefix):
        return np.log(table.get(tuple(prefix), [0.8, 0.1, 0.1]))

    greedy, greedy_lp = s2s.greedy_decode(step_logprob, START, END, max_len=4)
    assert greedy == (A, END) and np.exp(greedy_lp) == pytest.approx(0.20)
    assert s2s.beam_search(step_logprob, START, END, 1, 4)[0][0] == greedy
    for width in (2, 3):
        best, best_lp = s2s.beam_search(step_logprob, START, END, width, 4)[0]
        assert best == (B, END) and np.exp(best_lp) == pytest.approx(0.36)
    assert s2s.exhaustive_search(step_logprob, START, END, 3, 4)[0] == (B, END)


@pytest.fixture(scope="module")
def transliteration():
    pairs = s2s.load_transliteration_pairs()
    order = np.random.default_rng(0).permutation(len(pairs))
    test = [pairs[j] for j in order[:50]]
    train = [pairs[j] for j in order[50:]]
    src_vocab = s2s.CharVocab.from_strings(r for r, _ in pairs)
    tgt_vocab = s2s.CharVocab.from_strings(d for _, d in pairs)
    src, src_mask = src_vocab.encode([r for r, _ in train])
    tgt, tgt_mask = tgt_vocab.encode([d for _, d in train], eos=True)
    models = {}
    for name, forcing in (("tf", 1.0), ("ss", lambda i: s2s.inverse_sigmoid_schedule(i, 30))):
        models[name] = s2s.init_seq2seq(len(src_vocab), len(tgt_vocab), 16, 32, rng=1,
                                        cell="gru", attention=True)
        s2s.train_seq2seq(models[name], src, src_mask, tgt, tgt_mask, steps=150, rng=2,
                          batch_size=64, lr=0.01, teacher_forcing=forcing)
    return pairs, train, test, src_vocab, tgt_vocab, models


def _evaluate(params, data, src_vocab, tgt_vocab):
    s, sm = src_vocab.encode([r for r, _ in data])
    tokens, _, _ = s2s.greedy_decode_batch(params, s, sm, max_len=20)
    predicted = [tgt_vocab.decode(tokens[:, b]) for b in range(len(data))]
    reference = [d for _, d in data]
    return np.mean([p == r for p, r in zip(predicted, reference, strict=True)]), \
        s2s.char_accuracy(predicted, reference)


def test_transliteration_accuracy(transliteration):
    pairs, train, test, src_vocab, tgt_vocab, models = transliteration
    assert (len(pairs), len(train), len(test)) == (259, 209, 50)
    assert (len(src_vocab), len(tgt_vocab)) == (25, 53)
    tr_exact, _ = _evaluate(models["tf"], train, src_vocab, tgt_vocab)
    te_exact, te_char = _evaluate(models["tf"], test, src_vocab, tgt_vocab)
    ss_exact, ss_char = _evaluate(models["ss"], test, src_vocab, tgt_vocab)
    assert tr_exact == pytest.approx(0.976, abs=0.03)
    assert te_exact == pytest.approx(0.26, abs=0.08)
    assert te_char == pytest.approx(0.633, abs=0.05)
    assert ss_exact == pytest.approx(0.20, abs=0.08)
    assert ss_char == pytest.approx(0.681, abs=0.05)
    assert te_exact < tr_exact - 0.5          # the honest gap: it memorises more than it learns


def test_beam_on_transliteration(transliteration):
    _, _, test, src_vocab, tgt_vocab, models = transliteration
    params = models["tf"]
    better, beam_exact, first = 0, 0, None
    for roman, devanagari in test:
        f = s2s.model_step_fn(params, src_vocab.encode([roman])[0][:, 0])
        _, g_lp = s2s.greedy_decode(f, s2s.SOS, s2s.EOS, max_len=20)
        b_tokens, b_lp = s2s.beam_search(f, s2s.SOS, s2s.EOS, beam_width=5, max_len=20)[0]
        if b_lp > g_lp + 1e-9:
            better += 1
            if first is None:
                first = (roman, tgt_vocab.decode(b_tokens) == devanagari)
        beam_exact += tgt_vocab.decode(b_tokens) == devanagari
    assert better == pytest.approx(10, abs=4)
    assert first == ("kaan", True)            # the printed example: beam finds the reference
    assert beam_exact / len(test) == pytest.approx(0.26, abs=0.08)
