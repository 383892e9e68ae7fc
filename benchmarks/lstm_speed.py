"""LSTM forward pass plus backpropagation through time, B = 32, T = 100, d = 16, n = 64.

    python benchmarks/lstm_speed.py            # or: make bench

Times ``rnnbook.sequence.forward("lstm", ...)`` followed by ``rnnbook.sequence.backward``
(every parameter gradient), the median of several runs after a warm-up, and prints the
time per step and the share of the floating-point work that is matrix products. It
measures; it never asserts.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from rnnbook import cells, sequence

B, T, d, n = 32, 100, 16, 64
RUNS = 7


def main() -> None:
    rng = np.random.default_rng(0)
    params = cells.init_lstm_params(d, n, rng)
    X = rng.normal(size=(T, B, d))
    dH = rng.normal(size=(T, B, n))

    def run() -> tuple[float, float]:
        start = time.perf_counter()
        traj = sequence.forward("lstm", X, params)
        middle = time.perf_counter()
        sequence.backward(traj, dH)
        return middle - start, time.perf_counter() - middle

    run()  # warm-up
    forward_s, backward_s = zip(*(run() for _ in range(RUNS)), strict=True)
    fwd, bwd = statistics.median(forward_s), statistics.median(backward_s)
    # multiply-adds of the matrix products: forward 4n(d+n) per row and step; backward 3x that
    flops = 2 * B * T * 4 * n * (d + n) * 4
    print(f"LSTM B={B} T={T} d={d} n={n}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, cpus={os.cpu_count()}")
    print(f"forward  {1000 * fwd:7.1f} ms  ({1e6 * fwd / T:6.1f} us per step)")
    print(f"backward {1000 * bwd:7.1f} ms  ({1e6 * bwd / T:6.1f} us per step)")
    print(f"total    {1000 * (fwd + bwd):7.1f} ms  (median of {RUNS} runs; "
          f"{flops / (fwd + bwd) / 1e9:.2f} GFLOP/s in the matrix products)")


if __name__ == "__main__":
    main()
