"""Failed requests counted per client address, in memory: too many, and the client waits."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """At most ``max_failures`` failures per client address within ``window`` seconds.

    Failures (a bad or expired link, a refused form) are kept in this process's memory
    only: each worker counts its own, and a restart forgets them. That is enough to
    make guessing links pointless (they carry 256-bit signatures); a shared store would
    only matter against an attacker spread over many workers and addresses. Memory is
    bounded: past ``max_clients`` addresses, the least recently failing is forgotten.
    """

    def __init__(
        self,
        max_failures: int = 10,
        window: float = 600.0,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        times = self._failures.get(client)
        if times is None:
            return deque(maxlen=self.max_failures)
        horizon = self.clock() - self.window
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._failures[client]
        return times

    def wait(self, client: str) -> float:
        """Seconds ``client`` must wait before trying again (0: not blocked)."""
        times = self._recent(client)
        if len(times) < self.max_failures:
            return 0.0
        return max(0.0, times[-self.max_failures] + self.window - self.clock())

    def failed(self, client: str) -> None:
        """Count one failure of ``client``."""
        times = self._recent(client)
        self._failures.pop(client, None)  # re-inserted last: the most recent
        times.append(self.clock())
        self._failures[client] = times
        while len(self._failures) > self.max_clients:
            del self._failures[next(iter(self._failures))]
