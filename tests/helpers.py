"""Small helpers shared by the package tests."""

from __future__ import annotations

import numpy as np


def perturb(params: dict[str, np.ndarray], rng: np.random.Generator,
            scale: float = 0.3) -> dict[str, np.ndarray]:
    """Return a copy of ``params`` with Gaussian noise added (so biases are not all zero)."""
    return {k: v + scale * rng.normal(size=v.shape) for k, v in params.items()}
