"""Latency of one slider move of the LSTM chapter's gradient-flow widget.

    python benchmarks/widget_gradient_flow.py            # or: make bench

A slider move recomputes the curves of a new position (``gradient_flow_data``: forward passes
and unit-vector backpropagation for the RNN, the LSTM and the GRU) and redraws the PNG. Both
parts are timed separately, at the widget's default sizes, over positions not computed before
(the widget keeps positions it has shown, so a return to one only redraws). The target is
<= 50 ms per move; this script measures and prints, it never asserts.
"""

from __future__ import annotations

import os
import statistics
import time

from rnnbook.widgets import gradient_flow as gfw


def main() -> None:
    print(f"widget sizes: {gfw.SIZES}, defaults: {gfw.DEFAULTS}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"cpus={os.cpu_count()}")
    gfw.gradient_flow_data()  # warm-up (imports, BLAS initialisation)
    box = gfw.gradient_flow_widget()
    b_slider, T_slider = box.controls["forget_bias"], box.controls["T"]

    compute, move = [], []
    for bias in (0.0, 0.5, 1.5, 2.0, 2.5, 3.0, -0.5):
        start = time.perf_counter()
        gfw.gradient_flow_data(int(gfw.DEFAULTS["T"]), bias)
        compute.append(time.perf_counter() - start)
        start = time.perf_counter()
        b_slider.value = bias  # compute (not cached yet in this widget) + redraw
        move.append(time.perf_counter() - start)
    redraw = []
    for bias in (0.0, 0.5, 1.5):  # cached in the widget now: redraw only
        start = time.perf_counter()
        b_slider.value = bias
        redraw.append(time.perf_counter() - start)
    longest = []
    for T in (gfw.T_RANGE[1], gfw.T_RANGE[1] - gfw.T_RANGE[2]):
        start = time.perf_counter()
        T_slider.value = T
        longest.append(time.perf_counter() - start)

    ms = lambda xs: 1000 * statistics.median(xs)  # noqa: E731
    print(f"forget-bias move at T = {gfw.DEFAULTS['T']:g}: compute {ms(compute):6.1f} ms, "
          f"compute + redraw {ms(move):6.1f} ms (median of {len(move)}; target <= 50 ms)")
    print(f"return to a shown position (redraw only): {ms(redraw):6.1f} ms")
    print(f"move to T = {gfw.T_RANGE[1]} (longest sequences): {ms(longest):6.1f} ms")


if __name__ == "__main__":
    main()
