r"""Parameter counts: the closed forms, and counting the arrays themselves.

For input size :math:`d` and hidden size :math:`n`, a cell with :math:`G` stacked
blocks has :math:`G(nd + n^2 + n)` parameters: :math:`G = 1` (RNN), 4 (LSTM), 3 (GRU).
Peepholes add :math:`3n`; the GRU's reset-after convention adds a second candidate
bias, :math:`n`. A read-out to :math:`k` outputs adds :math:`kn + k`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import check_choice, check_positive_int
from .cells import GATES

__all__ = ["count_arrays", "count_params"]


def count_params(cell: str, d: int, n: int, k: int = 0, peephole: bool = False,
                 reset: str = "before") -> int:
    r"""Closed-form number of parameters of a cell plus an optional ``k``-output read-out.

    .. math:: G\,(n d + n^2 + n) \;+\; 3n\,[\text{peephole}] \;+\; n\,[\text{GRU reset after}]
              \;+\; (k n + k)

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    d, n : int >= 1
        Input and hidden sizes.
    k : int >= 0
        Outputs of the linear read-out (0 for none).
    peephole : bool
        LSTM only.
    reset : {"before", "after"}
        GRU only.
    """
    check_choice(cell, "cell", list(GATES))
    d, n = check_positive_int(d, "d"), check_positive_int(n, "n")
    k = check_positive_int(k, "k", minimum=0)
    check_choice(reset, "reset", ["before", "after"])
    if peephole and cell != "lstm":
        raise ValueError("peephole connections exist only for the LSTM")
    if reset == "after" and cell != "gru":
        raise ValueError("reset='after' applies only to the GRU")
    G = len(GATES[cell])
    total = G * (n * d + n * n + n)
    total += 3 * n if peephole else 0
    total += n if reset == "after" else 0
    return total + k * n + k


def count_arrays(params: Mapping[str, np.ndarray]) -> int:
    """Number of scalars in a dict of parameter arrays."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    return int(sum(np.asarray(v).size for v in params.values()))
