"""Politeness: how many requests at once to one host, and how far apart they start.

Used by ``archiver watch`` for every request it makes, source, child sitemap or
article capture alike.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit


class HostPacer:
    """Hands out URLs so that no host gets more than ``per_host`` requests at once, and
    request starts to one host are at least ``delay`` seconds apart.

    Pure bookkeeping over an injected monotonic ``clock``: it never sleeps. URLs keep
    their order within a host; across hosts, the earliest added URL that may start
    goes first. A capture loop::

        pacer.extend(url for url in due)
        while pacer.pending or pacer.in_flight:
            url = pacer.take()
            if url is None:
                wait(pacer.wait_time())   # sleep, or wait for a running capture to end
                continue
            submit(url, on_done=pacer.done)
    """

    def __init__(self, *, per_host: int = 1, delay: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_host < 1 or delay < 0:
            raise ValueError("per_host must be at least 1 and delay not negative")
        self.per_host = per_host
        self.delay = delay
        self.clock = clock
        self._queues: dict[str, deque[tuple[int, str]]] = {}
        self._running: dict[str, int] = {}
        self._not_before: dict[str, float] = {}  # earliest next start per host
        self._counter = 0

    @staticmethod
    def host(url: str) -> str:
        """The politeness key of ``url``: its host name, lowercased."""
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""

    def add(self, url: str) -> None:
        self._counter += 1
        self._queues.setdefault(self.host(url), deque()).append((self._counter, url))

    def extend(self, urls: Iterable[str]) -> None:
        for url in urls:
            self.add(url)

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues.values())

    @property
    def in_flight(self) -> int:
        return sum(self._running.values())

    def take(self) -> str | None:
        """A URL that may be requested now (it counts as started), or None."""
        now = self.clock()
        best: tuple[int, str] | None = None
        for host, queue in self._queues.items():
            if queue and self._ready(host, now) and (best is None or queue[0][0] < best[0]):
                best = (queue[0][0], host)
        if best is None:
            return None
        host = best[1]
        url = self._queues[host].popleft()[1]
        if not self._queues[host]:
            del self._queues[host]
        self._running[host] = self._running.get(host, 0) + 1
        self._not_before[host] = now + self.delay
        return url

    def done(self, url: str, *, pause: float = 0.0) -> None:
        """The request for ``url`` ended; ``pause`` holds its host back longer (429, 503)."""
        host = self.host(url)
        running = self._running.get(host, 0)
        if running <= 0:
            raise ValueError(f"{url} was not taken from this pacer")
        if running == 1:
            del self._running[host]
        else:
            self._running[host] = running - 1
        if pause > 0:
            self._not_before[host] = max(self._not_before.get(host, 0.0), self.clock() + pause)

    def wait_time(self) -> float | None:
        """Seconds until ``take`` can give a URL: 0 if now, None if only ``done`` can help
        (every host with work is at its concurrency limit) or nothing is pending."""
        now = self.clock()
        waits = [max(self._not_before.get(host, now) - now, 0.0)
                 for host, queue in self._queues.items()
                 if queue and self._running.get(host, 0) < self.per_host]
        return min(waits) if waits else None

    def _ready(self, host: str, now: float) -> bool:
        return (self._running.get(host, 0) < self.per_host
                and now >= self._not_before.get(host, now))
