"""Latency of one slider move of the gradient-bound explorer (compute + redraw).

    python benchmarks/widget_latency.py [--repeats 5]

For several slider positions up to T = 200 and n = 64 it times, separately,

* compute: ``bound_explorer_data`` (forward pass, Jacobian product, exact norms at <= 14
  steps k, for 5 input sequences),
* redraw:  ``bound_explorer_svg`` + ``readout_html``, the SVG and the text the widget shows,
* total:   the widget's own handler (``refresh``) for a position not seen before (what one
  slider move costs: compute + redraw),
* revisit: ``refresh`` for a position already visited (its computations are cached, so
  only the redraw remains),

and prints the median over the repeats, wall clock and process CPU time, together with the
machine's load average: other processes on a small machine inflate the wall clock (and a
multi-threaded BLAS spinning on a busy machine inflates both; compare with
``OPENBLAS_NUM_THREADS=1``). The target is <= 50 ms of wall clock per move on an idle machine.
It measures; it never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from rnnbook.widgets import gradient_bounds as gb

POSITIONS = [
    (1.5, 100, 32, "tanh"),      # default
    (1.5, 200, 64, "tanh"),      # largest T and n
    (8.0, 200, 64, "relu"),
    (0.1, 200, 64, "sigmoid"),
    (4.0, 200, 64, "sigmoid"),
    (1.0, 50, 16, "relu"),
    (0.1, 2, 1, "tanh"),         # smallest corner
]


def median_ms(fn, repeats: int) -> tuple[float, float]:
    """Median wall-clock and process-CPU milliseconds of ``fn()``."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(1e3 * (time.perf_counter() - w0))
        cpu.append(1e3 * (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    box = gb.gradient_bound_explorer()
    for control in box.controls.values():   # we call the handler ourselves, once per move
        control.unobserve_all("value")

    print(f"load average (1, 5, 15 min): {os.getloadavg()}, CPUs: {os.cpu_count()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"{'norm':>5} {'T':>4} {'n':>3} {'activation':<8} {'compute ms':>11} {'redraw ms':>10}"
          f" {'total ms':>9} {'total CPU ms':>13} {'revisit ms':>11}  wall <= 50 ms?")
    worst = 0.0
    for norm, T, n, act in POSITIONS:
        position = (norm, T, n, act)
        compute, _ = median_ms(lambda p=position: gb.bound_explorer_data(*p), args.repeats)
        data = gb.bound_explorer_data(norm, T, n, act)
        draw, _ = median_ms(lambda d=data: (gb.bound_explorer_svg(d), gb.readout_html(d)),
                            args.repeats)
        for key, value in (("norm", norm), ("T", T), ("n", n), ("activation", act)):
            box.controls[key].value = value

        def move() -> None:
            box.compute.cache_clear()       # a position not seen before
            box.refresh()

        total, total_cpu = median_ms(move, args.repeats)
        box.refresh()
        revisit, _ = median_ms(box.refresh, args.repeats)
        worst = max(worst, total)
        print(f"{norm:>5} {T:>4} {n:>3} {act:<8} {compute:>11.1f} {draw:>10.1f} {total:>9.1f}"
              f" {total_cpu:>13.1f} {revisit:>11.1f}  {'yes' if total <= 50 else 'NO'}")
    print(f"worst total (wall): {worst:.1f} ms; load average now {os.getloadavg()}")


if __name__ == "__main__":
    main()
