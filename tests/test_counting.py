"""Parameter counts: the closed form equals counting the arrays, for all three cells."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook.bptt import init_model
from rnnbook.cells import init_gru_params, init_lstm_params, init_rnn_params
from rnnbook.counting import count_arrays, count_params


@given(d=st.integers(1, 40), n=st.integers(1, 40), k=st.integers(1, 10), peephole=st.booleans(),
       reset=st.sampled_from(["before", "after"]))
def test_closed_form_equals_counting_arrays(d, n, k, peephole, reset):
    assert count_params("rnn", d, n) == count_arrays(init_rnn_params(d, n, 0))
    assert count_params("lstm", d, n, peephole=peephole) == count_arrays(
        init_lstm_params(d, n, 0, peephole=peephole))
    assert count_params("gru", d, n, reset=reset) == count_arrays(init_gru_params(d, n, 0, reset))
    for cell in ("rnn", "lstm", "gru"):
        assert count_params(cell, d, n, k) == count_arrays(init_model(cell, d, n, k, 0))


def test_known_counts():
    # n = 128 hidden units, d = 64 inputs: n*d + n*n + n = 8192 + 16384 + 128
    assert count_params("rnn", 64, 128) == 24_704
    assert count_params("lstm", 64, 128) == 4 * 24_704
    assert count_params("gru", 64, 128) == 3 * 24_704


def test_bad_input():
    with pytest.raises(ValueError, match="cell must be one of"):
        count_params("cnn", 1, 1)
    with pytest.raises(ValueError, match="peephole connections exist only for the LSTM"):
        count_params("gru", 2, 2, peephole=True)
    with pytest.raises(ValueError, match="reset='after' applies only to the GRU"):
        count_params("lstm", 2, 2, reset="after")
    with pytest.raises(ValueError, match="k must be >= 0"):
        count_params("rnn", 2, 2, k=-1)
    with pytest.raises(TypeError, match="dict of arrays"):
        count_arrays([1, 2])
