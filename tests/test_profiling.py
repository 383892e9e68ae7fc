"""rnnbook.profiling: cache sizes exactly, memory scaling qualitatively; never timings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnbook import bptt, profiling, sequence


@pytest.mark.parametrize(("T", "B", "n"), [(1, 1, 1), (5, 3, 4), (12, 2, 7)])
def test_rnn_trajectory_bytes_are_three_arrays_per_step(T, B, n):
    params = bptt.init_model("rnn", 2, n, 1, 0)
    traj = sequence.forward("rnn", np.ones((T, B, 2)), params)
    assert profiling.trajectory_nbytes(traj) == 3 * T * B * n * 8


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_trajectory_bytes_grow_linearly_with_T(cell):
    params = bptt.init_model(cell, 2, 3, 1, 0)
    X = np.random.default_rng(0).normal(size=(20, 2, 2))
    size = {T: profiling.trajectory_nbytes(sequence.forward(cell, X[:T], params))
            for T in (5, 10, 20)}
    # affine in T (a constant for the initial states, which later steps share with caches)
    assert size[10] - size[5] > 0
    assert size[20] - size[10] == 2 * (size[10] - size[5])
    assert size[5] <= 5 * (size[10] - size[5]) + 2 * 2 * 3 * 8


def test_measure_bptt_memory_full_grows_truncated_stays():
    full = [profiling.measure_bptt("rnn", T, None, 4, 2, 8, 0, repeats=1) for T in (40, 160)]
    trunc = [profiling.measure_bptt("rnn", T, 10, 4, 2, 8, 0, repeats=1) for T in (40, 160)]
    assert full[1].cache_bytes == 4 * full[0].cache_bytes
    assert trunc[1].cache_bytes == trunc[0].cache_bytes == 3 * 10 * 4 * 8 * 8
    assert full[1].peak_bytes > 3 * full[0].peak_bytes
    assert trunc[1].peak_bytes < 1.5 * trunc[0].peak_bytes
    assert trunc[1].peak_bytes < full[1].peak_bytes / 4
    for cost in full + trunc:
        assert math.isfinite(cost.seconds) and cost.seconds > 0


def test_measure_bptt_window_longer_than_T_is_full():
    cost = profiling.measure_bptt("lstm", 6, 50, 2, 2, 3, 0, repeats=1)
    full = profiling.measure_bptt("lstm", 6, None, 2, 2, 3, 0, repeats=1)
    assert cost.cache_bytes == full.cache_bytes


def test_scaling_table_and_format():
    costs = profiling.scaling_table([5, 10], [None, 3], "gru", B=2, d=1, n=2, repeats=1)
    assert [(c.T, c.k) for c in costs] == [(5, None), (5, 3), (10, None), (10, 3)]
    text = profiling.format_table(costs)
    assert len(text.splitlines()) == 5
    assert "full" in text and "gru" in text


def test_profiling_bad_input():
    with pytest.raises(TypeError, match="Trajectory"):
        profiling.trajectory_nbytes({"H": np.zeros(3)})
    with pytest.raises(ValueError, match="cell must be one of"):
        profiling.measure_bptt("transformer")
    with pytest.raises(ValueError, match="k must be >= 1"):
        profiling.measure_bptt("rnn", 5, 0)
    with pytest.raises(TypeError, match="T must be an integer"):
        profiling.measure_bptt("rnn", 5.0)
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        profiling.measure_bptt("rnn", 5, repeats=0)
    with pytest.raises(ValueError, match="at least one sequence length"):
        profiling.scaling_table([])
    with pytest.raises(ValueError, match="at least one window"):
        profiling.scaling_table([5], [])
    with pytest.raises(TypeError, match="BPTTCost"):
        profiling.format_table([1, 2])
