"""rnnbook.text: vocabulary, shipped corpus, n-gram baselines, perplexity, temperature sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook import bptt, text


def test_corpus_is_shipped_and_small():
    corpus = text.load_corpus("alice")
    assert corpus.startswith("CHAPTER I.\nDown the Rabbit-Hole")
    assert 5_000 <= len(corpus.encode("utf-8")) <= 20_000
    assert "Alice" in corpus and "DRINK ME" in corpus
    assert "public domain" in text.CORPORA["alice"][1].lower()
    with pytest.raises(ValueError, match="name"):
        text.load_corpus("shakespeare")


def test_vocabulary_roundtrip_and_errors():
    vocab = text.Vocabulary.from_text("hello world")
    assert vocab.chars == tuple(sorted(set("hello world")))
    assert vocab.size == 8
    ids = vocab.encode("world hello")
    assert ids.dtype == np.int64
    assert vocab.decode(ids) == "world hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("hello!")
    with pytest.raises(ValueError, match="empty"):
        text.Vocabulary.from_text("")
    with pytest.raises(TypeError):
        text.Vocabulary.from_text(123)
    with pytest.raises(ValueError, match="distinct"):
        text.Vocabulary(("a", "a"))
    with pytest.raises(ValueError, match=r"\[0, 8\)"):
        vocab.decode(np.array([0, 8]))
    with pytest.raises(TypeError):
        vocab.decode(np.array([0.5]))


@given(st.text(alphabet="abcdefg \n.", min_size=1, max_size=60))
def test_encode_decode_roundtrip(s):
    vocab = text.Vocabulary.from_text(s)
    assert vocab.decode(vocab.encode(s)) == s


def test_unigram_and_bigram_by_hand():
    ids = np.array([0, 1, 0, 0, 2])          # counts 3, 1, 1
    uni = text.unigram_log_probs(ids, 3, alpha=1.0)
    np.testing.assert_allclose(np.exp(uni), [4 / 8, 2 / 8, 2 / 8])
    bi = text.bigram_log_probs(ids, 3, alpha=1.0)
    # pairs: 0->1, 1->0, 0->0, 0->2; row 0 counts (1,1,1)+1, row 1 (1,0,0)+1, row 2 (0,0,0)+1
    np.testing.assert_allclose(np.exp(bi[0]), [2 / 6, 2 / 6, 2 / 6])
    np.testing.assert_allclose(np.exp(bi[1]), [2 / 4, 1 / 4, 1 / 4])
    np.testing.assert_allclose(np.exp(bi[2]), [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(np.exp(bi).sum(axis=1), 1.0)
    assert text.mean_nll(uni, np.array([0, 1])) == pytest.approx(-(np.log(0.5) + np.log(0.25)) / 2)
    assert text.mean_nll(bi, np.array([1, 0, 2])) == pytest.approx(
        -(np.log(2 / 4) + np.log(2 / 6)) / 2)


def test_ngram_bad_inputs():
    with pytest.raises(ValueError, match="alpha"):
        text.unigram_log_probs(np.array([0, 1]), 2, alpha=0.0)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        text.unigram_log_probs(np.array([0, 2]), 2)
    with pytest.raises(TypeError, match="integer"):
        text.bigram_log_probs(np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match="at least 2"):
        text.bigram_log_probs(np.array([0]), 2)
    with pytest.raises(ValueError, match="<= 0"):
        text.mean_nll(np.array([0.5, 0.1]), np.array([0]))
    with pytest.raises(ValueError, match=r"\(K, K\)"):
        text.mean_nll(np.zeros((2, 3)) - 1.0, np.array([0, 1]))


@pytest.mark.parametrize("K", [1, 2, 7, 60])
def test_perplexity_of_uniform_model_is_vocabulary_size(K):
    uniform = np.full(K, -np.log(K))
    ids = np.arange(K * 3) % K
    nll = text.mean_nll(uniform, ids)
    assert text.perplexity(nll) == pytest.approx(K)
    assert text.perplexity(nll / np.log(2), unit="bits") == pytest.approx(K)


def test_perplexity_base_matters():
    nll = 2.0                                  # nats
    assert text.perplexity(nll) == pytest.approx(np.exp(2.0))
    # 2 ** (loss in nats) is a different, smaller number: the sources' formula
    assert 2.0**nll < text.perplexity(nll)
    assert text.perplexity(nll / np.log(2), "bits") == pytest.approx(np.exp(2.0))
    with pytest.raises(ValueError, match=">= 0"):
        text.perplexity(-0.1)
    with pytest.raises(ValueError, match="unit"):
        text.perplexity(1.0, unit="decibans")
    with pytest.raises(TypeError):
        text.perplexity("1.0")
    with pytest.raises(ValueError):
        text.perplexity(float("inf"))


def test_temperature_probs():
    logits = np.array([1.0, 3.0, 2.0])
    p1 = text.temperature_probs(logits, 1.0)
    np.testing.assert_allclose(p1, np.exp(logits) / np.exp(logits).sum())
    np.testing.assert_allclose(text.temperature_probs(logits, 0.0), [0, 1, 0])
    # tau -> 0 approaches the argmax; large tau approaches uniform
    np.testing.assert_allclose(text.temperature_probs(logits, 1e-3), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(text.temperature_probs(logits, 1e6), np.full(3, 1 / 3), atol=1e-5)
    # entropy decreases as the temperature decreases
    ent = [-(p * np.log(p)).sum() for p in (text.temperature_probs(logits, t)
                                            for t in (2.0, 1.0, 0.5))]
    assert ent[0] > ent[1] > ent[2]
    batch = text.temperature_probs(np.array([[0.0, 1.0], [5.0, -5.0]]), 0.7)
    np.testing.assert_allclose(batch.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="temperature"):
        text.temperature_probs(logits, -1.0)
    with pytest.raises(ValueError, match="NaN"):
        text.temperature_probs(np.array([np.nan, 1.0]), 1.0)


def test_sample_index_zero_temperature_is_argmax_and_sampling_is_seeded():
    logits = np.array([0.1, 0.2, 2.0, -1.0])
    assert all(text.sample_index(logits, 0.0, s) == 2 for s in range(5))
    draws = [text.sample_index(logits, 1.0, np.random.default_rng(3)) for _ in range(3)]
    assert len(set(draws)) == 1
    rng = np.random.default_rng(0)
    counts = np.bincount([text.sample_index(logits, 1.0, rng) for _ in range(4000)], minlength=4)
    np.testing.assert_allclose(counts / 4000, text.temperature_probs(logits, 1.0), atol=0.03)
    with pytest.raises(TypeError, match="rng"):
        text.sample_index(logits, 1.0, "seed")


def test_char_lm_batches_targets_are_next_characters():
    ids = np.arange(30) % 7
    X, Y = next(text.char_lm_batches(ids, 7, T=5, B=4, rng=0))
    assert X.shape == (5, 4, 7) and Y.shape == (5, 4)
    inputs = X.argmax(axis=-1)
    np.testing.assert_array_equal(Y[:-1], inputs[1:])    # target t is input t+1
    np.testing.assert_array_equal(Y, (inputs + 1) % 7)   # for this periodic text
    with pytest.raises(ValueError, match="at least 6"):
        next(text.char_lm_batches(ids[:5], 7, T=5, B=2, rng=0))


def test_model_nll_and_generate():
    corpus = "abcabcabcabc"
    vocab = text.Vocabulary.from_text(corpus)
    ids = vocab.encode(corpus)
    rng = np.random.default_rng(0)
    params = bptt.init_model("lstm", 3, 4, 3, rng)
    # a model with zero read-out is uniform: nll = ln 3
    params["W_hy"][:] = 0.0
    assert text.model_nll(params, "lstm", ids, 3) == pytest.approx(np.log(3))
    # the model's nll is the package's cross-entropy of its predictions
    params = bptt.init_model("gru", 3, 4, 3, rng)
    X = np.eye(3)[ids[:-1]][:, None, :]
    ref = bptt.model_loss(params, X, ids[1:][:, None], "gru", "many_to_many", "xent")
    assert text.model_nll(params, "gru", ids, 3) == pytest.approx(ref)
    out = text.generate(params, "gru", vocab, "ab", 20, 0.7, np.random.default_rng(1))
    assert len(out) == 20 and set(out) <= set("abc")
    assert out == text.generate(params, "gru", vocab, "ab", 20, 0.7, np.random.default_rng(1))
    greedy = text.generate(params, "gru", vocab, "ab", 5, 0.0, 0)
    assert greedy == text.generate(params, "gru", vocab, "ab", 5, 0.0, 99)
    with pytest.raises(ValueError, match="seed"):
        text.generate(params, "gru", vocab, "", 5, 1.0, 0)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        text.generate(params, "gru", vocab, "abz", 5, 1.0, 0)
    with pytest.raises(ValueError, match="K = 4"):
        text.generate(params, "gru", text.Vocabulary.from_text("abcd"), "ab", 5, 1.0, 0)
    with pytest.raises(ValueError, match="at least 2"):
        text.model_nll(params, "gru", ids[:1], 3)
