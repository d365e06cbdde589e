"""A daemon thread calling `poll` every `interval` seconds until stopped: the local stand-in for
what AWS does on its own schedule (Lambda polling a stream or a queue, Scheduler firing schedules).
A failed poll is logged and the next one tries again, as AWS's pollers do."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


class PollingThread:
    def __init__(self, name: str, poll: Callable[[], object], *, interval: float, failure: str) -> None:
        self._poll = poll
        self._interval = interval
        self._failure = failure
        self._log = logging.getLogger(f"local_api.{name}")
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the thread, if it was started (a server that cannot bind never starts it)."""
        self._stopping.set()
        if self._thread.ident is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._poll()
            except Exception:
                self._log.exception(self._failure)
