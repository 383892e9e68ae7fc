"""Latency of one slider move of the LSTM chapter's gradient-flow widget.

    python benchmarks/widget_gradient_flow.py [--cpu]    # or: make bench

A slider move recomputes the curves of a new position (``gradient_flow_data``: forward passes
and unit-vector backpropagation for the RNN, the LSTM and the GRU) and redraws the plot (an
inline SVG string, ``gradient_flow_svg``). Both parts are timed separately, at the widget's
default sizes, over positions not computed before (the widget keeps positions it has shown, so
a return to one only redraws). The RNN's curves do not depend on the forget bias and are kept
per T, so a forget-bias move recomputes the LSTM and the GRU only; the move to a new T below
includes the RNN. The target is
<= 50 ms per move; this script measures and prints, it never asserts.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from rnnbook.widgets import gradient_flow as gfw


def clock() -> float:
    """Wall clock, or process CPU time with ``--cpu`` (robust to other processes' load)."""
    return time.process_time() if "--cpu" in sys.argv else time.perf_counter()


def main() -> None:
    print(f"{'process CPU' if '--cpu' in sys.argv else 'wall-clock'} times; load average "
          f"{os.getloadavg()}")
    print(f"widget sizes: {gfw.SIZES}, defaults: {gfw.DEFAULTS}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"cpus={os.cpu_count()}")
    gfw.gradient_flow_data()  # warm-up (imports, BLAS initialisation)
    box = gfw.gradient_flow_widget()
    b_slider, T_slider = box.controls["forget_bias"], box.controls["T"]

    compute, move = [], []
    rnn_cache: dict = {}   # as in the widget: the RNN's curves are kept across bias moves
    gfw.gradient_flow_data(int(gfw.DEFAULTS["T"]), 1.0, rnn_cache=rnn_cache)
    for bias in (0.0, 0.5, 1.5, 2.0, 2.5, 3.0, -0.5):
        start = clock()
        gfw.gradient_flow_data(int(gfw.DEFAULTS["T"]), bias, rnn_cache=rnn_cache)
        compute.append(clock() - start)
        start = clock()
        b_slider.value = bias  # compute (not cached yet in this widget) + redraw
        move.append(clock() - start)
    redraw = []
    for bias in (0.0, 0.5, 1.5):  # cached in the widget now: redraw only
        start = clock()
        b_slider.value = bias
        redraw.append(clock() - start)
    svg = []
    curves = box.computed[(int(gfw.DEFAULTS["T"]), 0.0)]
    for _ in range(5):
        start = clock()
        gfw.gradient_flow_svg(curves)
        svg.append(clock() - start)
    new_T = {}
    for T in (200, 190, gfw.T_RANGE[1], gfw.T_RANGE[1] - gfw.T_RANGE[2]):
        start = clock()
        T_slider.value = T
        new_T.setdefault(T >= 290, []).append(clock() - start)

    ms = lambda xs: 1000 * statistics.median(xs)  # noqa: E731
    print(f"forget-bias move at T = {gfw.DEFAULTS['T']:g}: compute {ms(compute):6.1f} ms, "
          f"compute + redraw {ms(move):6.1f} ms (median of {len(move)}; target <= 50 ms)")
    print(f"redraw alone (SVG string): {ms(svg):6.1f} ms")
    print(f"return to a shown position (redraw only): {ms(redraw):6.1f} ms")
    print(f"move to a new T = 190 or 200 (all three cells): {ms(new_T[False]):6.1f} ms")
    print(f"move to a new T = {gfw.T_RANGE[1] - gfw.T_RANGE[2]} or {gfw.T_RANGE[1]} "
          f"(longest sequences): {ms(new_T[True]):6.1f} ms")


if __name__ == "__main__":
    main()
