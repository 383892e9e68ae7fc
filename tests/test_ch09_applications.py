"""The numbers Chapter 9 (book/09_applications.ipynb) quotes.

Two layers:

* fast tests recompute, with the same package functions and seeds as the notebook, the
  numbers that need no long training (corpus size, n-gram baselines, the 1/6 adding baseline,
  the classification run) and a shortened version of each training claim;
* one slow test (marked ``notebooks``) executes the notebook once and checks every glued
  number the prose quotes against the claims made about it (with tolerances where training is
  involved). Executing the notebook, rather than repeating its training in the test,
  guarantees that the tested values are the printed ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnbook import bptt, data, forecasting, optim, text
from rnnbook.training import train

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "09_applications.ipynb"


def _split():
    corpus = text.load_corpus("alice")
    vocab = text.Vocabulary.from_text(corpus)
    ids = vocab.encode(corpus)
    cut = int(0.9 * ids.size)
    return vocab, ids[:cut], ids[cut:]


def test_corpus_and_baselines():
    vocab, tr, va = _split()
    K = vocab.size
    assert K == 60 and tr.size == 10229 and va.size == 1137
    uni = text.perplexity(text.mean_nll(text.unigram_log_probs(tr, K), va))
    bi = text.perplexity(text.mean_nll(text.bigram_log_probs(tr, K), va))
    assert uni == pytest.approx(22.44, abs=0.01)
    assert bi == pytest.approx(12.70, abs=0.01)
    assert K > uni > bi


def test_adding_baseline_is_one_sixth():
    _, y = data.adding_problem(50, 200_000, np.random.default_rng(0))
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=2e-3)


def test_short_char_lm_beats_bigram():
    """The chapter's LSTM run, shortened to 150 steps: already below the bigram's perplexity."""
    vocab, tr, va = _split()
    K = vocab.size
    rng = np.random.default_rng(1)
    params = bptt.init_model("lstm", K, 32, K, rng)
    train(params, text.char_lm_batches(tr, K, 50, 32, rng),
          lambda p, X, Y: bptt.loss_and_grads(p, X, Y, "lstm", "many_to_many", "xent"),
          optim.Adam(1e-2), clip=5.0, steps=150)
    bigram = text.mean_nll(text.bigram_log_probs(tr, K), va)
    assert text.model_nll(params, "lstm", va, K) < bigram


def test_classification_run_as_in_the_notebook():
    X, y = forecasting.ar1_sessions(1000, 40, np.random.default_rng(10))
    X_test, y_test = forecasting.ar1_sessions(1000, 40, np.random.default_rng(11))
    rng = np.random.default_rng(3)
    params = bptt.init_model("gru", 1, 16, 2, rng)

    def batches(step):
        idx = rng.integers(0, y.size, size=64)
        return X[:, idx], y[idx]
    train(params, batches,
          lambda p, X_, Y_: bptt.loss_and_grads(p, X_, Y_, "gru", "many_to_one", "xent"),
          optim.Adam(1e-2), clip=1.0, steps=200)
    out, _ = bptt.predict(params, X_test, "gru", "many_to_one")
    acc = np.mean(out.argmax(axis=1) == y_test)
    assert acc > 0.97


def test_random_walk_persistence_is_hard_to_beat_short():
    """A linear least-squares forecaster on windows (the best linear model, fit on the past)
    does not beat persistence on a random walk by more than noise."""
    x = data.random_walk(600, np.random.default_rng(2))

    def linear(X_train, y_train, X_test, fold):
        A = np.c_[X_train[:, :, 0].T, np.ones(y_train.shape[0])]
        w, *_ = np.linalg.lstsq(A, y_train, rcond=None)
        return np.c_[X_test[:, :, 0].T, np.ones(X_test.shape[1])] @ w
    res = forecasting.walk_forward(x, 20, linear, 4, 60)
    assert res.metrics()["RMSE"] > 0.97 * res.persistence_metrics()["RMSE"]


# ---------------------------------------------------------------------------
# the notebook's own numbers
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def glued() -> dict[str, float]:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = float(out["data"]["application/papermill.record/text/plain"])
    return values


@pytest.mark.notebooks
def test_notebook_numbers(glued):
    g = glued
    # corpus and baselines (exact recomputation above)
    assert g["lm_K"] == 60 and g["lm_chars"] == 11366
    assert g["lm_ppl_uniform"] == pytest.approx(60)
    assert g["lm_ppl_unigram"] == pytest.approx(22.44, abs=0.01)
    assert g["lm_ppl_bigram"] == pytest.approx(12.70, abs=0.01)
    # both networks far below the bigram; LSTM below RNN; RNN overfits (best before the end)
    assert g["lm_lstm_ppl"] < g["lm_rnn_ppl"] < g["lm_ppl_bigram"] - 2
    assert g["lm_lstm_ppl"] == pytest.approx(7.44, abs=0.5)
    assert g["lm_rnn_ppl"] == pytest.approx(9.65, abs=0.8)
    assert g["lm_rnn_best_step"] < 600 and g["lm_rnn_best_ppl"] < g["lm_rnn_ppl"]
    assert g["lm_rnn_train"] < g["lm_rnn_val"] - 0.5          # the overfitting gap
    # 2 ** nats is the wrong, smaller number
    assert g["lm_wrong_ppl"] == pytest.approx(g["lm_lstm_ppl"] ** np.log(2), rel=1e-9)
    assert g["lm_wrong_ppl"] < g["lm_lstm_ppl"]
    # forecasting: trend beaten, random walk not
    assert g["fc_trend_change_RMSE"] < 0.95 * g["fc_trend_persist_RMSE"]
    assert g["fc_trend_change_DA"] == pytest.approx(0.679, abs=0.02)   # prose: 68%
    for v in ("leak", "level", "change"):
        assert g[f"fc_trend_{v}_RMSE"] < g["fc_trend_persist_RMSE"]
    assert g["fc_walk_change_RMSE"] > 0.97 * g["fc_walk_persist_RMSE"]
    # "indistinguishable from persistence": paired differences within two standard errors
    assert g["fc_walk_dabs_z"] < 2 and g["fc_walk_dsq_z"] < 2
    assert g["fc_walk_dabs_se"] > 0 and g["fc_walk_dsq_se"] > 0
    # the level models beat persistence on the trending series (errata, "No baseline")
    assert g["fc_trend_level_RMSE"] == pytest.approx(1.380, abs=0.02)
    assert g["fc_trend_leak_RMSE"] == pytest.approx(1.381, abs=0.02)
    assert g["fc_trend_persist_RMSE"] == pytest.approx(1.437, abs=0.001)
    assert g["fc_walk_level_RMSE"] > g["fc_walk_persist_RMSE"]
    assert g["fc_walk_persist_DA"] == 0.0 and g["fc_trend_persist_DA"] == 0.0
    assert g["fc_da_sigmas"] < 2.0                              # a coin, within noise
    assert g["fc_coin_sd"] == pytest.approx(np.sqrt(0.25 / g["fc_n_test"]))
    assert g["fc_n_test"] == 240
    assert abs(g["fc_trend_leak_dmae"]) < 0.1 and abs(g["fc_walk_leak_dmae"]) < 0.1
    assert g["fc_trend_outside"] > 5
    # the sources' setting (steep trend, one 80/20 split): the leak hides a large share of the error
    assert g["steep_hidden"] == pytest.approx(26.9, abs=2.0)           # prose: 27%
    assert g["steep_level_MAE"] > g["steep_leak_MAE"] > g["steep_persist_MAE"]
    assert g["steep_change_MAE"] < g["steep_persist_MAE"]
    # classification: the network close to, not above, the right statistic
    assert g["cls_acc"] > 97 and g["cls_base_acc"] >= g["cls_acc"] - 1
    # adding problem: the vanilla RNN fails at 50 and 100 (close to the 1/6 baseline, above the
    # 1/12 of a model that knows only the second marked value), gated cells succeed
    for T in (50, 100):
        assert g[f"add_rnn_{T}"] > 0.12                    # near 1/6, well above 1/12
        assert g[f"add_rnn_{T}"] == pytest.approx(1 / 6, abs=0.02)
        assert g[f"add_lstm_{T}"] < 0.01 and g[f"add_gru_{T}"] < 0.01
    for cell in ("rnn", "lstm", "gru"):
        assert g[f"add_{cell}_10"] < 0.02
    # the quoted values themselves (one seed: tolerances of the order of the values)
    assert g["add_rnn_10"] == pytest.approx(0.0025, abs=0.002)
    assert g["add_lstm_100"] == pytest.approx(0.0008, abs=0.0006)
    assert g["add_gru_100"] == pytest.approx(0.0019, abs=0.0015)
    assert g["add_lstm_50"] == pytest.approx(0.0007, abs=0.0006)
