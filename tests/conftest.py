"""Shared test settings: hypothesis profile and small helpers."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings

settings.register_profile(
    "book",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("book")


def perturb(params: dict[str, np.ndarray], rng: np.random.Generator,
            scale: float = 0.3) -> dict[str, np.ndarray]:
    """Return a copy of ``params`` with Gaussian noise added (so biases are not all zero)."""
    return {k: v + scale * rng.normal(size=v.shape) for k, v in params.items()}
