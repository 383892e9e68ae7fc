"""Shared test settings: the hypothesis profile. Helpers shared by tests live in ``helpers.py``."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "book",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("book")

