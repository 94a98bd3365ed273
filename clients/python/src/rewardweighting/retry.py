"""Retry policy for ``UNAVAILABLE``: every mutating call is idempotent per (run, kind, step) on the
service, so resending the same request after a lost connection never applies it twice."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, for calls that fail with ``UNAVAILABLE``.

    The delay before attempt ``n`` (``n ≥ 2``) is uniform in ``[0, min(max_backoff, initial_backoff ·
    multiplier^(n−2))]``. With the defaults a call is tried 8 times over at most ≈ 25 s, enough to ride out a
    server restart.

    Attributes:
        max_attempts: tries in all, the first included (1 = no retries).
        initial_backoff: seconds, the cap of the first delay.
        max_backoff: seconds, the cap of any delay.
        multiplier: growth of the cap per attempt.
    """

    max_attempts: int = 8
    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts: must be at least 1")
        if not (self.initial_backoff >= 0 and self.max_backoff >= 0 and self.multiplier >= 1):
            raise ValueError("backoff: initial_backoff and max_backoff must be ≥ 0 and multiplier ≥ 1")

    def delay(self, attempt: int, rng: Optional[random.Random] = None) -> float:
        """Seconds to wait before ``attempt`` (2 = the first retry)."""
        cap = min(self.max_backoff, self.initial_backoff * self.multiplier ** max(0, attempt - 2))
        return (rng or random).uniform(0.0, cap)


NO_RETRY = RetryPolicy(max_attempts=1)
