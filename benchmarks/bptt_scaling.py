"""Time and peak memory of full and truncated BPTT as the sequence grows.

    python benchmarks/bptt_scaling.py                     # RNN and LSTM, T = 25 .. 400
    python benchmarks/bptt_scaling.py --cells gru --window 50 --repeats 5

For each cell and each T in 25, 50, 100, 200, 400 it prints one row for full BPTT and one for
truncated BPTT with window k (default 25), at B = 32, d = 16, n = 64: the best wall-clock time of
one loss-and-gradient call (``time.perf_counter``), the peak memory allocated during a call
(``tracemalloc``) and the bytes of the stored caches (exact). The last columns divide by the
T = 25 row of the same kind, so that O(T) growth reads as 2, 4, 8, 16. It measures; it never
asserts on time: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np

from rnnbook.profiling import BPTTCost, scaling_table

LENGTHS = (25, 50, 100, 200, 400)


def table(costs: list[BPTTCost]) -> str:
    base = {(c.cell, c.k): c for c in costs if c.T == min(LENGTHS)}
    head = (f"{'cell':>5} {'T':>5} {'k':>5} {'time [ms]':>10} {'peak [MiB]':>11} "
            f"{'cache [MiB]':>12} {'time/T=25':>10} {'peak/T=25':>10}")
    lines = [head, "-" * len(head)]
    for c in costs:
        ref = base[(c.cell, c.k)]
        lines.append(f"{c.cell:>5} {c.T:>5} {'full' if c.k is None else c.k:>5} "
                     f"{1e3 * c.seconds:>10.2f} {c.peak_bytes / 2**20:>11.2f} "
                     f"{c.cache_bytes / 2**20:>12.2f} {c.seconds / ref.seconds:>10.1f} "
                     f"{c.peak_bytes / ref.peak_bytes:>10.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm"],
                        choices=["rnn", "lstm", "gru"])
    parser.add_argument("--window", type=int, default=25, help="truncation window k")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls; the best is kept")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--inputs", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args(argv)

    print(f"BPTT scaling: B = {args.batch}, d = {args.inputs}, n = {args.hidden}, "
          f"truncation window k = {args.window}, best of {args.repeats} runs")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    for cell in args.cells:
        costs = scaling_table(LENGTHS, [None, args.window], cell, B=args.batch, d=args.inputs,
                              n=args.hidden, rng=0, repeats=args.repeats)
        print()
        print(table(costs))
    print("\nExpected: time grows like T for both; peak memory grows like T for full BPTT and "
          "stays bounded, independent of T, for truncated BPTT.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
